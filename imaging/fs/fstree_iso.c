/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fstree_iso.c - the ISO 9660 tree of a session (plain, Joliet or Rock
 * Ridge) through libisofs' reader, held by the read guard, turned into an
 * img_fs_tree: names, modes, times, symlinks, hard links (Rock Ridge
 * inode numbers) and each file's extents (several for a multi-extent
 * file over 4 GiB).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LIBISOFS_WITHOUT_LIBBURN 1
#include <libisofs/libisofs.h>

#include "imaging/fs/fs_private.h"

struct ino_seen {
	ino_t ino;
	size_t node;
};

struct walker {
	struct img_fs_tree *t;
	struct ino_seen *seen;
	size_t n_seen, alloc_seen;
	bool hardlinks;
	struct sp_error *err;
};

/* Files that share their data (the same first block, as mkisofs and
 * xorriso record hard links, with or without Rock Ridge inode numbers)
 * are hard links to the first of them, as libarchive reads them too. */
static enum sp_status note_link(struct walker *w, size_t idx)
{
	const struct img_fs_node *n = &w->t->v[idx];
	ino_t ino;

	if (!n->size || !n->n_ext)
		return SP_OK;
	ino = (ino_t)n->ext[0].lba;
	for (size_t i = 0; i < w->n_seen; i++)
		if (w->seen[i].ino == ino && w->t->v[w->seen[i].node].size == n->size) {
			w->t->v[idx].link_of = (int64_t)w->seen[i].node;
			return SP_OK;
		}
	if (w->n_seen == w->alloc_seen) {
		size_t na = w->alloc_seen ? w->alloc_seen * 2 : 64;
		void *p = realloc(w->seen, na * sizeof(*w->seen));

		if (!p)
			return sp_error_set(w->err, SPE_NOMEM, "out of memory reading the file tree");
		w->seen = p;
		w->alloc_seen = na;
	}
	w->seen[w->n_seen++] = (struct ino_seen){ ino, idx };
	return SP_OK;
}

static enum sp_status add_node(struct walker *w, IsoNode *node, size_t parent, int64_t *idx)
{
	enum IsoNodeType ty = iso_node_get_type(node);
	enum img_node_type type = ty == LIBISO_DIR ? IMG_NODE_DIR :
				  ty == LIBISO_FILE ? IMG_NODE_FILE :
				  ty == LIBISO_SYMLINK ? IMG_NODE_SYMLINK : IMG_NODE_SPECIAL;
	struct img_fs_node *n;

	*idx = fstree_add(w->t, parent, iso_node_get_name(node) ? iso_node_get_name(node) : "",
			  type, w->err);
	if (*idx < 0)
		return SP_FAILED;
	n = &w->t->v[*idx];
	n->mode = iso_node_get_mode(node);
	n->uid = iso_node_get_uid(node);
	n->gid = iso_node_get_gid(node);
	n->mtime = iso_node_get_mtime(node);
	n->atime = iso_node_get_atime(node);
	if (type == IMG_NODE_SYMLINK) {
		n->target = strdup(iso_symlink_get_dest((IsoSymlink *)node));
		if (!n->target)
			return sp_error_set(w->err, SPE_NOMEM, "out of memory reading the file tree");
	} else if (type == IMG_NODE_FILE) {
		struct iso_file_section *sec = NULL;
		int ns = 0;

		if (iso_file_get_old_image_sections((IsoFile *)node, &ns, &sec, 0) == 1) {
			for (int i = 0; i < ns; i++) {
				if (!fstree_add_extent(w->t, (size_t)*idx, sec[i].block, sec[i].size)) {
					free(sec);
					return sp_error_set(w->err, SPE_NOMEM, "out of memory");
				}
				w->t->v[*idx].size += sec[i].size;
			}
			free(sec);
		}
		if (w->hardlinks)
			return note_link(w, (size_t)*idx);
	}
	return SP_OK;
}

static enum sp_status walk(struct walker *w, IsoDir *dir, size_t me, int depth)
{
	IsoDirIter *it = NULL;
	IsoNode *node;
	enum sp_status st = SP_OK;

	if (depth > FSTREE_MAX_DEPTH || iso_dir_get_children(dir, &it) != 1)
		return SP_OK;
	while (st == SP_OK && iso_dir_iter_next(it, &node) == 1) {
		int64_t idx;

		st = add_node(w, node, me, &idx);
		if (st == SP_OK && iso_node_get_type(node) == LIBISO_DIR)
			st = walk(w, (IsoDir *)node, (size_t)idx, depth + 1);
	}
	iso_dir_iter_free(it);
	return st;
}

static enum sp_status import(struct img_iso_source *d, const struct img_fs_open_opts *o,
			     int64_t start, enum img_fs_kind kind, IsoImage **image,
			     IsoReadImageFeatures **features, struct sp_error *err)
{
	IsoReadOpts *ropts = NULL;
	static char volid[] = "";
	int r;

	if (iso_image_new(volid, image) < 0 || iso_read_opts_new(&ropts, 0) < 0)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	iso_read_opts_set_no_md5(ropts, 1);
	iso_read_opts_set_start_block(ropts, (uint32_t)start);
	iso_read_opts_set_no_iso1999(ropts, 1);
	if (kind == IMG_FS_ISO9660 || kind == IMG_FS_JOLIET)
		iso_read_opts_set_no_rockridge(ropts, 1);
	if (kind == IMG_FS_ISO9660 || kind == IMG_FS_ROCKRIDGE)
		iso_read_opts_set_no_joliet(ropts, 1);
	if (kind == IMG_FS_JOLIET)
		iso_read_opts_set_preferjoliet(ropts, 1);
	iso_read_opts_set_input_charset(ropts, "UTF-8");
	r = iso_image_import(*image, d->src, ropts, features);
	iso_read_opts_free(ropts);
	drv_drain_messages(NULL);
	if (r < 0) {
		if (!img_read_guard_explain(&d->guard, o->name, err))
			sp_error_set(err, SPE_FORMAT, "cannot read the ISO 9660 tree of '%s'", o->name);
		sp_error_detail(err, "%s", iso_error_to_msg(r));
		return SP_FAILED;
	}
	return SP_OK;
}

enum sp_status fstree_iso_read(img_block_read_fn read, void *ctx,
			       const struct img_fs_open_opts *o, int64_t start,
			       struct img_fs_tree *t, struct sp_error *err)
{
	struct img_sectors sec;
	struct img_iso_source d;
	IsoImage *image = NULL;
	IsoReadImageFeatures *f = NULL;
	enum img_fs_kind kind = o->fs;
	struct walker w = { .t = t, .err = err };
	enum sp_status st;

	img_sectors_over(&sec, read, ctx, o->sectors, o->name);
	if (img_iso_source_init(&d, &sec, 0, err) != SP_OK)
		return SP_FAILED;
	st = import(&d, o, start, kind, &image, &f, err);
	if (st != SP_OK)
		goto out;
	t->has_rockridge = iso_read_image_features_has_rockridge(f);
	t->has_joliet = iso_read_image_features_has_joliet(f);
	if (kind == IMG_FS_ROCKRIDGE && !t->has_rockridge) {
		st = sp_error_set(err, SPE_FORMAT, "'%s' has no Rock Ridge tree", o->name);
		goto out;
	}
	if (kind == IMG_FS_JOLIET && !t->has_joliet) {
		st = sp_error_set(err, SPE_FORMAT, "'%s' has no Joliet tree", o->name);
		goto out;
	}
	if (kind == IMG_FS_AUTO) {
		kind = t->has_rockridge ? IMG_FS_ROCKRIDGE : t->has_joliet ? IMG_FS_JOLIET : IMG_FS_ISO9660;
		if (kind == IMG_FS_JOLIET) {
			/* libisofs prefers the plain tree: read again for Joliet's names */
			iso_read_image_features_destroy(f);
			iso_image_unref(image);
			f = NULL;
			image = NULL;
			t->meta_blocks += d.blocks;
			img_iso_source_release(&d);
			if (img_iso_source_init(&d, &sec, 0, err) != SP_OK) {
				st = SP_FAILED;
				goto out;
			}
			st = import(&d, o, start, kind, &image, &f, err);
			if (st != SP_OK)
				goto out;
		}
	}
	t->kind = kind;
	w.hardlinks = true;
	if (fstree_add(t, 0, "", IMG_NODE_DIR, err) < 0) {
		st = SP_FAILED;
		goto out;
	}
	t->v[0].mode = iso_node_get_mode((IsoNode *)iso_image_get_root(image));
	t->v[0].mtime = iso_node_get_mtime((IsoNode *)iso_image_get_root(image));
	t->v[0].atime = t->v[0].mtime;
	st = walk(&w, iso_image_get_root(image), 0, 0);
out:
	t->meta_blocks += d.blocks;
	free(w.seen);
	if (f)
		iso_read_image_features_destroy(f);
	if (image)
		iso_image_unref(image);
	img_iso_source_release(&d);
	drv_drain_messages(NULL);
	return st;
}
