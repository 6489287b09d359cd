/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fstree.c - the file tree of a source: finds its sessions, picks ISO
 * 9660 (fstree_iso.c) or UDF (udf.c) and reads it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imaging/fs/fs_private.h"

static bool is_pvd(img_block_read_fn read, void *ctx, int64_t lba, int64_t sectors,
		   unsigned char *buf, int64_t *size)
{
	if (lba + 16 >= sectors || !read(ctx, lba + 16, buf))
		return false;
	*size = img_vd_volume_size(buf);
	return *size >= 0;
}

size_t img_fs_sessions(img_block_read_fn read, void *ctx, int64_t sectors,
		       int64_t *starts, size_t max)
{
	unsigned char buf[SP_SECTOR];
	int64_t lba = 32, size;
	size_t n = 0;

	/* libisoburn keeps the newest session's descriptors at 16 and each
	 * session's own at its start + 16, from 32 on */
	while (n < max && is_pvd(read, ctx, lba, sectors, buf, &size)) {
		int64_t end = size > lba ? size : lba + size;

		starts[n++] = lba;
		if (size <= 0 || end <= lba)
			break;
		lba = (end + 31) / 32 * 32;
	}
	return n;
}

static bool has_udf(img_block_read_fn read, void *ctx, int64_t sectors)
{
	unsigned char buf[SP_SECTOR];

	for (int64_t lba = 16; lba < 32 && lba < sectors; lba++) {
		if (!read(ctx, lba, buf))
			return false;
		if (!memcmp(buf + 1, "NSR02", 5) || !memcmp(buf + 1, "NSR03", 5))
			return true;
		if (buf[0] == 0 && memcmp(buf + 1, "CD001", 5) && memcmp(buf + 1, "BEA01", 5) &&
		    memcmp(buf + 1, "TEA01", 5) && memcmp(buf + 1, "BOOT2", 5) &&
		    memcmp(buf + 1, "CDW02", 5))
			return false;
	}
	return false;
}

enum sp_status img_fs_read_tree(img_block_read_fn read, void *ctx,
				const struct img_fs_open_opts *o,
				struct img_fs_tree *t, struct sp_error *err)
{
	int64_t starts[64], start = 0, size;
	unsigned char buf[SP_SECTOR];
	size_t ns;
	enum sp_status st;

	memset(t, 0, sizeof(*t));
	t->sectors = o->sectors;
	t->has_udf = has_udf(read, ctx, o->sectors);
	if (o->n_starts) {
		/* a disc image's sessions: the newest is the last one's start */
		ns = o->n_starts < 64 ? o->n_starts : 64;
		memcpy(starts, o->starts, ns * sizeof(*starts));
		start = starts[ns - 1];
	} else {
		ns = img_fs_sessions(read, ctx, o->sectors, starts, 64);
	}
	if (o->session > 0) {
		if ((size_t)o->session > (ns ? ns : 1))
			return sp_error_set(err, SPE_USAGE, "'%s' has %zu session%s; there is no session %d",
					    o->name, ns ? ns : 1, ns > 1 ? "s" : "", o->session);
		start = ns ? starts[o->session - 1] : 0;
		t->session = o->session;
	}
	t->session_start = start;
	if (o->fs == IMG_FS_UDF || (o->fs == IMG_FS_AUTO && t->has_udf &&
				    !is_pvd(read, ctx, start, o->sectors, buf, &size))) {
		if (o->session > 1)
			return sp_error_set(err, SPE_UNSUPPORTED, "older sessions of UDF are not read");
		st = img_udf_read_tree(read, ctx, o, t, err);
	} else {
		st = fstree_iso_read(read, ctx, o, start, t, err);
		if (st != SP_OK && o->fs == IMG_FS_AUTO && t->has_udf) {
			sp_error_clear(err);
			img_fs_tree_release(t);
			t->has_udf = true;
			t->sectors = o->sectors;
			st = img_udf_read_tree(read, ctx, o, t, err);
		}
	}
	if (st != SP_OK)
		img_fs_tree_release(t);
	return st;
}
