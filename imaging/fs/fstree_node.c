/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fstree_node.c - building and freeing the file trees of imaging/fs/. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/fs/fs_private.h"

int64_t fstree_add(struct img_fs_tree *t, size_t parent, const char *name,
		   enum img_node_type type, struct sp_error *err)
{
	struct img_fs_node *n;
	const char *pp = "";
	size_t len;

	if (t->n >= FSTREE_MAX_NODES) {
		sp_error_set(err, SPE_FORMAT, "the tree holds more than %d files; refusing the rest",
			     FSTREE_MAX_NODES);
		return -1;
	}
	if (t->n == t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : 64;
		void *p = realloc(t->v, na * sizeof(*t->v));

		if (!p)
			goto nomem;
		t->v = p;
		t->alloc = na;
	}
	n = &t->v[t->n];
	memset(n, 0, sizeof(*n));
	n->link_of = -1;
	n->type = type;
	if (t->n) {
		n->parent = parent;
		n->depth = t->v[parent].depth + 1;
		pp = t->v[parent].path;
		if (!strcmp(pp, "/"))
			pp = "";
	}
	len = strlen(pp) + strlen(name) + 2;
	n->name = strdup(name);
	n->path = malloc(len);
	if (!n->name || !n->path) {
		free(n->name);
		free(n->path);
		goto nomem;
	}
	if (t->n)
		snprintf(n->path, len, "%s/%s", pp, name);
	else
		strcpy(n->path, "/");
	return (int64_t)t->n++;
nomem:
	sp_error_set(err, SPE_NOMEM, "out of memory reading the file tree");
	return -1;
}

bool fstree_add_extent(struct img_fs_tree *t, size_t i, int64_t lba, uint64_t bytes)
{
	struct img_fs_node *n = &t->v[i];
	void *p = realloc(n->ext, (n->n_ext + 1) * sizeof(*n->ext));

	if (!p)
		return false;
	n->ext = p;
	n->ext[n->n_ext++] = (struct img_extent){ lba, bytes };
	return true;
}

void img_fs_tree_release(struct img_fs_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].path);
		free(t->v[i].ext);
		free(t->v[i].target);
		free(t->v[i].data);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

const char *img_fs_kind_name(enum img_fs_kind k)
{
	switch (k) {
	case IMG_FS_ISO9660: return "iso9660";
	case IMG_FS_JOLIET: return "joliet";
	case IMG_FS_ROCKRIDGE: return "rockridge";
	case IMG_FS_UDF: return "udf";
	default: return "auto";
	}
}
