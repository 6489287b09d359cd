/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * source.c - the selection of paths in a tree (the sectors they are read
 * from are fs/'s struct img_sectors).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/extract/extract.h"

static bool under(const char *path, const char *sel)
{
	size_t n = strlen(sel);

	if (!strcmp(sel, "/"))
		return true;
	return !strncmp(path, sel, n) && (path[n] == 0 || path[n] == '/');
}

enum sp_status img_extract_select(const struct img_fs_tree *t, const char *const *paths,
				  size_t n, bool *sel, struct sp_error *err)
{
	for (size_t k = 0; k < n; k++) {
		size_t len = strlen(paths[k]) + 2;
		char *p = malloc(len);
		bool found = false;

		if (!p)
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		snprintf(p, len, "%s%s", paths[k][0] == '/' ? "" : "/", paths[k]);
		while (strlen(p) > 1 && p[strlen(p) - 1] == '/')
			p[strlen(p) - 1] = 0;
		for (size_t i = 0; i < t->n; i++) {
			if (!under(t->v[i].path, p))
				continue;
			found = true;
			for (size_t a = i; !sel[a]; a = t->v[a].parent) {
				sel[a] = true;
				if (!a)
					break;
			}
		}
		if (!found) {
			sp_error_set(err, SPE_NOENT, "'%s' is not in the image", paths[k]);
			free(p);
			return SP_FAILED;
		}
		free(p);
	}
	return SP_OK;
}

enum sp_status img_extract_domain(const struct img_fs_tree *t, const bool *sel,
				  struct img_ranges *out, struct sp_error *err)
{
	for (size_t i = 1; i < t->n; i++) {
		const struct img_fs_node *n = &t->v[i];

		if ((sel && !sel[i]) || n->type != IMG_NODE_FILE || n->data ||
		    (n->link_of >= 0 && (!sel || sel[n->link_of])))
			continue;
		for (size_t e = 0; e < n->n_ext; e++)
			if (n->ext[e].lba >= 0 &&
			    img_ranges_add(out, n->ext[e].lba,
					   (int64_t)((n->ext[e].bytes + SP_SECTOR - 1) / SP_SECTOR)) != SP_OK)
				return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	return SP_OK;
}
