/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * iso_source.c - libisofs' view of a sector source: the one IsoDataSource
 * over struct img_sectors that every import of an ISO 9660 tree reads
 * through (the file trees, the damaged-files listing, the MD5 tag check,
 * the checksum lists), held by the read guard so that a hostile tree
 * cannot run libisofs away.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#define LIBISOFS_WITHOUT_LIBBURN 1
#include <libisofs/libisofs.h>

#include "imaging/fs/fs_private.h"

static bool in_ranges(const struct img_ranges *r, int64_t lba)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].lba + r->v[mid].count <= lba)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n && r->v[lo].lba <= lba;
}

static int src_open(IsoDataSource *src)
{
	(void)src;
	return ISO_SUCCESS;
}

static int src_close(IsoDataSource *src)
{
	(void)src;
	return ISO_SUCCESS;
}

/* the img_iso_source is the caller's: nothing to free with the source */
static void src_free(IsoDataSource *src)
{
	(void)src;
}

static int src_read_block(IsoDataSource *src, uint32_t lba, uint8_t *buffer)
{
	struct img_iso_source *is = src->data;

	if (!img_read_guard_ok(&is->guard, lba))
		return (int)ISO_DATA_SOURCE_FATAL;
	if (is->bad && in_ranges(is->bad, lba))
		is->read_bad = true;
	is->blocks++;
	if (is->window <= 1)
		return img_sectors_block(is->sectors, lba, buffer) ? ISO_SUCCESS
								   : (int)ISO_DATA_SOURCE_MISHAP;
	if (!(is->win_n && lba >= is->win_lba && lba < is->win_lba + is->win_n)) {
		struct sp_error err = SP_ERROR_INIT;
		uint32_t done = 0;

		img_sectors_read(is->sectors, lba, is->window, is->win, &done, &err);
		is->win_lba = lba;
		is->win_n = done;
		if (done == 0)
			return (int)ISO_DATA_SOURCE_MISHAP;     /* the block itself is unreadable */
	}
	memcpy(buffer, is->win + (size_t)(lba - is->win_lba) * SP_SECTOR, SP_SECTOR);
	return ISO_SUCCESS;
}

enum sp_status img_iso_source_init(struct img_iso_source *is, struct img_sectors *s,
				   uint32_t window, struct sp_error *err)
{
	IsoDataSource *src;

	memset(is, 0, sizeof(*is));
	is->sectors = s;
	is->guard = (struct img_read_guard)IMG_READ_GUARD_INIT;
	is->guard.sectors = s->sectors;
	is->window = window > DRV_READ_MAX ? DRV_READ_MAX : window;
	if (is->window > 1 && !(is->win = malloc((size_t)is->window * SP_SECTOR)))
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	src = calloc(1, sizeof(*src));
	if (!src) {
		free(is->win);
		is->win = NULL;
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	*src = (IsoDataSource){ 0, 1, src_open, src_close, src_read_block, src_free, is };
	is->src = src;
	return SP_OK;
}

void img_iso_source_release(struct img_iso_source *is)
{
	if (is->src)
		iso_data_source_unref(is->src);
	img_read_guard_release(&is->guard);
	free(is->win);
	is->src = NULL;
	is->win = NULL;
}
