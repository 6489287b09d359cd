/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fs_private.h - what the files of imaging/fs/ share. */
#ifndef SPINDLE_FS_PRIVATE_H
#define SPINDLE_FS_PRIVATE_H

#include "imaging/fs/fs.h"

/* Deeper directories are not read (a loop, or a hostile image). */
#define FSTREE_MAX_DEPTH 64
/* More nodes than this are refused (absurd counts in a hostile image). */
#define FSTREE_MAX_NODES 4000000

/*
 * fstree_node.c, the primitive both tree readers call: append a node named
 * name under the directory node parent (ignored for the first node, the
 * root); its path is built here.  Returns its index, or -1 (out of
 * memory, or too many nodes: err says which).
 */
int64_t fstree_add(struct img_fs_tree *t, size_t parent, const char *name,
		   enum img_node_type type, struct sp_error *err);
/* Append an extent to node i; false when out of memory. */
bool fstree_add_extent(struct img_fs_tree *t, size_t i, int64_t lba, uint64_t bytes);

/* fstree_iso.c: the ISO 9660 tree through libisofs. */
enum sp_status fstree_iso_read(img_block_read_fn read, void *ctx,
			       const struct img_fs_open_opts *o, int64_t start,
			       struct img_fs_tree *t, struct sp_error *err);

/*
 * isofiles.c: img_iso_damaged_files() on an image of `sectors` blocks read
 * through read(ctx, ...) (a file for spindle, memory for
 * tests/fuzz/fuzz_iso.c); name is used in messages only.
 */
enum sp_status isofiles_damaged(img_block_read_fn read, void *ctx, int64_t sectors,
				const char *name, const struct img_ranges *bad,
				struct img_iso_damage *out, struct sp_error *err);

#endif
