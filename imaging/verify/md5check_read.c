/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * md5check_read.c - the MD5 check's read primitive: sectors from an image
 * file (pread), a drive (drv_read) or a block callback, and the same as a
 * libisofs IsoDataSource held by the read guard.  The check (md5check.c)
 * and the session pass (md5check_session.c) both read through it.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imaging/verify/md5check_private.h"

/* ---- the reader ---------------------------------------------------------- */

enum sp_status md5_read(struct md5_reader *rd, int64_t lba, uint32_t count,
			uint8_t *buf, uint32_t *done, struct sp_error *err)
{
	*done = 0;
	if (lba < 0 || lba >= rd->sectors) {
		sp_error_set(err, SPE_READ, "LBA %lld is beyond the end (%lld sectors)",
			     (long long)lba, (long long)rd->sectors);
		err->lba = lba;
		return SP_FAILED;
	}
	if (lba + count > rd->sectors)
		count = (uint32_t)(rd->sectors - lba);
	if (rd->drive)
		return drv_read(rd->drive, lba, count, buf, done, err);
	if (rd->read) {
		for (; *done < count; ++*done)
			if (!rd->read(rd->read_ctx, lba + *done, buf + (size_t)*done * SP_SECTOR)) {
				sp_error_set(err, SPE_READ, "cannot read '%s' at sector %lld",
					     rd->name, (long long)(lba + *done));
				err->lba = lba + *done;
				return SP_FAILED;
			}
		return SP_OK;
	}
	{
		size_t want = (size_t)count * SP_SECTOR, got = 0;

		while (got < want) {
			ssize_t n = pread(rd->fd, buf + got, want - got,
					  (off_t)lba * SP_SECTOR + (off_t)got);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				*done = (uint32_t)(got / SP_SECTOR);
				sp_error_set_errno(err, errno, "cannot read '%s' at sector %lld",
						   rd->name, (long long)(lba + *done));
				err->code = SPE_READ;
				err->lba = lba + *done;
				return SP_FAILED;
			}
			if (n == 0) {
				/* a partial last sector reads as zero-padded */
				memset(buf + got, 0, want - got);
				break;
			}
			got += (size_t)n;
		}
	}
	*done = count;
	return SP_OK;
}

/* libisofs' view of the reader, for iso_image_import(), with a small
 * read-ahead window so the tree loads in few reads */
struct md5_source {
	struct md5_reader *rd;
	int64_t win_lba;
	uint32_t win_n;
	uint8_t win[MD5_CHUNK * SP_SECTOR];
};

static int src_open(IsoDataSource *s)
{
	(void)s;
	return ISO_SUCCESS;
}

static int src_close(IsoDataSource *s)
{
	(void)s;
	return ISO_SUCCESS;
}

static int src_read_block(IsoDataSource *s, uint32_t lba, uint8_t *buffer)
{
	struct md5_source *ms = s->data;
	struct sp_error err = SP_ERROR_INIT;
	uint32_t done = 0;

	if (!img_read_guard_ok(&ms->rd->guard, lba))
		return (int)ISO_DATA_SOURCE_FATAL;
	if (!(ms->win_n && lba >= ms->win_lba && lba < ms->win_lba + ms->win_n)) {
		if (lba >= ms->rd->sectors)
			return (int)ISO_DATA_SOURCE_MISHAP;
		md5_read(ms->rd, lba, MD5_CHUNK, ms->win, &done, &err);
		ms->win_lba = lba;
		ms->win_n = done;
		if (done == 0) {
			/* the block itself is unreadable */
			return (int)ISO_DATA_SOURCE_MISHAP;
		}
	}
	memcpy(buffer, ms->win + (size_t)(lba - ms->win_lba) * SP_SECTOR, SP_SECTOR);
	return ISO_SUCCESS;
}

static void src_free(IsoDataSource *s)
{
	free(s->data);
}

IsoDataSource *md5_data_source(struct md5_reader *rd)
{
	IsoDataSource *s = calloc(1, sizeof(*s));
	struct md5_source *ms = calloc(1, sizeof(*ms));

	if (!s || !ms) {
		free(s);
		free(ms);
		return NULL;
	}
	ms->rd = rd;
	s->version = 0;
	s->refcount = 1;
	s->open = src_open;
	s->close = src_close;
	s->read_block = src_read_block;
	s->free_data = src_free;
	s->data = ms;
	return s;
}
