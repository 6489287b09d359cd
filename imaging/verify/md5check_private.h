/* SPDX-License-Identifier: GPL-3.0-or-later */
/* md5check_private.h - shared between the files of the MD5 tag check. */
#ifndef SPINDLE_MD5CHECK_PRIVATE_H
#define SPINDLE_MD5CHECK_PRIVATE_H

#include <libburn/libburn.h>
#include <libisofs/libisofs.h>

#include "imaging/verify/verify.h"
#include "imaging/fs/fs.h"

#define MD5_CHUNK 32            /* sectors per read */

/* md5check_read.c: sectors from an image file (pread), a drive (drv_read)
 * or a callback; the check and the session pass both read through it. */
struct md5_reader {
	int fd;                 /* image file, or -1 */
	struct drv_drive *drive;/* or a drive */
	img_block_read_fn read; /* or this (tests/fuzz/fuzz_iso.c) */
	void *read_ctx;
	const char *name;       /* for messages */
	int64_t sectors;        /* readable size */
	struct img_read_guard guard;    /* while libisofs loads the tree */
};

enum sp_status md5_read(struct md5_reader *rd, int64_t lba, uint32_t count,
			uint8_t *buf, uint32_t *done, struct sp_error *err);
/* An IsoDataSource reading through rd; iso_data_source_unref() it. */
IsoDataSource *md5_data_source(struct md5_reader *rd);

/*
 * The check of the session at start (img_md5_check_file: 0 and the
 * file's size in sha_bytes; img_md5_check_drive: the session start and
 * -1).  Fills r, after setting it to IMG_MD5_REPORT_INIT.
 */
enum sp_status md5_check(struct md5_reader *rd, int64_t start, int64_t sha_bytes,
			 struct img_md5_report *r, img_md5_progress_fn progress,
			 void *ctx, struct sp_error *err);

/* md5check_session.c: the tagged case, from the session start. */
enum sp_status md5_verify_session(struct md5_reader *rd, int64_t start,
				  int64_t vol_sectors, struct img_md5_report *r,
				  img_md5_progress_fn progress, void *ctx,
				  struct sp_error *err);

#endif
