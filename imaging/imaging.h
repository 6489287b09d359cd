/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * imaging.h - the public interface of spindle's imaging layer.
 *
 * imaging/ streams images to and from the disc: burn sources and the FIFO,
 * verification (image compare, SHA-256, libisofs MD5 tags), the rescue
 * engine (mapfile, passes, resume), ISO mastering, and audio extraction.
 * It reaches drives only through drive/drive.h.
 */
#ifndef SPINDLE_IMAGING_H
#define SPINDLE_IMAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "drive/drive.h"

/* ==== LBA ranges ========================================================= */

struct img_range {
	int64_t lba;
	int64_t count;
};

/* A growing list of ranges; adjacent additions merge. */
struct img_ranges {
	struct img_range *v;
	size_t n, alloc;
};
#define IMG_RANGES_INIT { NULL, 0, 0 }

enum sp_status img_ranges_add(struct img_ranges *r, int64_t lba,
			      int64_t count);
int64_t img_ranges_total(const struct img_ranges *r);
void img_ranges_release(struct img_ranges *r);

/* ==== SHA-256 (OpenSSL libcrypto) ======================================== */

struct img_sha256;
struct img_sha256 *img_sha256_new(void);
void img_sha256_update(struct img_sha256 *h, const void *data, size_t len);
/* Writes 64 hex digits and a NUL into hex; frees h. */
void img_sha256_final(struct img_sha256 *h, char hex[65]);

/* ==== burn sources ======================================================= */

/* ==== verify ============================================================= */

/* ==== rescue ============================================================= */

/* ==== mastering ========================================================== */

/* ==== audio ============================================================== */

#endif
