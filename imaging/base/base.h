/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * base.h - what every imaging area uses: lists of LBA ranges and SHA-256.
 */
#ifndef SPINDLE_IMAGING_BASE_H
#define SPINDLE_IMAGING_BASE_H

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

/* ==== Raw CD sectors (ECMA-130) ========================================= */

/* The 12-byte sync pattern at s[0..11]. */
void img_cd_sync(uint8_t *s);
/* The EDC (CRC-32 of ECMA-130) of n bytes. */
uint32_t img_cd_edc(const uint8_t *p, size_t n);
/* The P and Q parity (s[2076..2351]) of a raw sector from its bytes 12 on;
 * for Mode 2 form 1 the caller zeroes the header first. */
void img_cd_ecc(uint8_t *s);

/* ==== Read timings binned by LBA (imaging/base/read_times.c) ============= */

/* What the reads of one stretch of LBAs took: a read curve kept in
 * bounded memory however many reads a rescue makes. */
struct img_read_bin {
	int64_t sectors;        /* read well */
	double seconds;         /* their time */
	int64_t failed_sectors; /* asked for by failed reads */
	double failed_seconds;
};

struct img_read_times {
	int64_t sectors;        /* the stretch timed: LBA 0 .. sectors - 1 */
	int64_t per_bin;        /* sectors per bin */
	struct img_read_bin *v;
	size_t n;
};
#define IMG_READ_TIMES_INIT { 0, 0, NULL, 0 }

/* At most `bins` bins over sectors LBAs; SP_FATAL when out of memory. */
enum sp_status img_read_times_init(struct img_read_times *t, int64_t sectors, size_t bins);
/* One read command of [lba, lba+count) that took seconds: its time is
 * shared among the bins it spans in proportion; LBAs past the end are
 * left out.  Does nothing before init. */
void img_read_times_add(struct img_read_times *t, int64_t lba, int64_t count,
			double seconds, bool ok);
/* A deep copy into dst (released first). */
enum sp_status img_read_times_copy(struct img_read_times *dst, const struct img_read_times *src);
void img_read_times_release(struct img_read_times *t);

#endif
