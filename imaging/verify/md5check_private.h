/* SPDX-License-Identifier: GPL-3.0-or-later */
/* md5check_private.h - shared between the files of the MD5 tag check. */
#ifndef SPINDLE_MD5CHECK_PRIVATE_H
#define SPINDLE_MD5CHECK_PRIVATE_H

#include <libburn/libburn.h>
#include <libisofs/libisofs.h>

#include "imaging/verify/verify.h"
#include "imaging/fs/fs.h"

#define MD5_CHUNK 32            /* sectors per read */

/* The check reads through fs/'s struct img_sectors: an image file, a
 * drive, or a callback (tests/fuzz/fuzz_iso.c). */

/*
 * The check of the session at start (img_md5_check_file: 0 and the
 * file's size in sha_bytes; img_md5_check_drive: the session start and
 * -1).  Fills r, after setting it to IMG_MD5_REPORT_INIT.
 */
enum sp_status md5_check(struct img_sectors *rd, int64_t start, int64_t sha_bytes,
			 struct img_md5_report *r, img_md5_progress_fn progress,
			 void *ctx, struct sp_error *err);

/* md5check_session.c: the tagged case, from the session start. */
enum sp_status md5_verify_session(struct img_sectors *rd, int64_t start,
				  int64_t vol_sectors, struct img_md5_report *r,
				  img_md5_progress_fn progress, void *ctx,
				  struct sp_error *err);

#endif
