/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * verify.h - checking what was written: a disc against its image
 * (verify.c), and an image or a disc against its own libisofs MD5 tags
 * (md5check*.c).
 */
#ifndef SPINDLE_IMAGING_VERIFY_H
#define SPINDLE_IMAGING_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "drive/drive.h"
#include "imaging/base/base.h"

/* ==== verify ============================================================= */

/*
 * Compare what a drive holds from start_lba on with an image file, reading
 * exactly the image's size: the padding of the last sector, 32 KiB
 * alignment and the run-out sectors of a CD TAO track are never read.
 * Sectors are read through drv_read() with no retries; a failed read is
 * narrowed down sector by sector so that the ranges are exact.
 *
 * The outcome is one of three.  MISMATCH takes precedence over UNREADABLE
 * when both occur: it is the firmer evidence of a bad copy.
 */
enum img_verify_outcome {
	IMG_VERIFY_MATCH,
	IMG_VERIFY_MISMATCH,
	IMG_VERIFY_UNREADABLE,
};
const char *img_verify_outcome_name(enum img_verify_outcome o);

struct img_verify_progress {
	int64_t sectors_done;
	int64_t sectors_total;
	int64_t bad_sectors;            /* differing + unreadable so far */
	double elapsed;
};
typedef void (*img_verify_progress_fn)(const struct img_verify_progress *p,
				       void *ctx);

struct img_verify_opts {
	int64_t start_lba;
	img_verify_progress_fn progress;   /* about 5 times a second; may be NULL */
	void *ctx;
};
#define IMG_VERIFY_OPTS_INIT { 0, NULL, NULL }

struct img_verify_result {
	enum img_verify_outcome outcome;
	uint64_t bytes;                 /* the image's size */
	int64_t sectors;                /* sectors compared */
	char sha256[65];                /* of the image's bytes (= the disc's on a match) */
	struct img_ranges differ;       /* LBAs whose data differs */
	struct img_ranges unreadable;   /* LBAs that could not be read */
	int64_t medium_sectors;         /* readable size of the medium, -1 unknown */
	struct sp_error first_read_error;  /* the first read failure, for details */
};
#define IMG_VERIFY_RESULT_INIT { IMG_VERIFY_MATCH, 0, 0, "", IMG_RANGES_INIT, \
	IMG_RANGES_INIT, -1, SP_ERROR_INIT }

/*
 * Returns SP_OK when the comparison ran to the end, whatever its outcome;
 * a failure (image unreadable, interrupted: SPE_ABORTED) leaves the result
 * partial.
 */
enum sp_status img_verify_image(struct drv_drive *d, const char *image_path,
				const struct img_verify_opts *o,
				struct img_verify_result *res,
				struct sp_error *err);
void img_verify_result_release(struct img_verify_result *res);

/*
 * A CD burnt from an image's tracks (img_disc_burn_plan: audio, or audio
 * and Mode 1) compared with the image through the disc model, each track
 * where the burn put it: audio sectors whole (READ CD), data as user data.
 * res->sha256 is of the image's track bytes; differ/unreadable hold disc
 * LBAs.  img_verify_image() takes this path for an image holding audio
 * tracks (img_verify_tracks_image, *done true).
 */
struct img_disc_burn;
enum sp_status img_verify_tracks(struct drv_drive *d, const struct img_disc_burn *b,
				 const struct img_verify_opts *o,
				 struct img_verify_result *res, struct sp_error *err);
enum sp_status img_verify_tracks_image(struct drv_drive *d, const char *path, bool *done,
				       const struct img_verify_opts *o,
				       struct img_verify_result *res, struct sp_error *err);

/*
 * The same for data that exists only as a digest (a burn from a pipe):
 * read `bytes` from start_lba, and compare their SHA-256 with sha256_hex.
 * A mismatch has no LBA ranges; unreadable sectors are still named.
 */
enum sp_status img_verify_digest(struct drv_drive *d, uint64_t bytes,
				 const char *sha256_hex,
				 const struct img_verify_opts *o,
				 struct img_verify_result *res,
				 struct sp_error *err);

/* ==== MD5 tag verification =============================================== */

/*
 * Check an image file or a disc against its own MD5 tags, as recorded by
 * libisofs (spindle mkiso, xorriso -md5 on): the superblock, tree and
 * session tags, and the MD5 of each file.  One sequential pass over the
 * session feeds both the session MD5 and the files' MD5s.
 */
enum img_md5_state {
	IMG_MD5_ABSENT,         /* nothing recorded */
	IMG_MD5_OK,
	IMG_MD5_MISMATCH,
	IMG_MD5_UNREADABLE,     /* sectors could not be read */
};
const char *img_md5_state_name(enum img_md5_state s);

struct img_md5_file {
	char *path;             /* in the image */
	uint64_t size;
	enum img_md5_state state;
	int64_t lba;            /* first sector of its data */
};

struct img_md5_report {
	bool has_tags;          /* any libisofs MD5 tag found */
	int64_t session_start;  /* LBA */
	int64_t session_end;    /* first LBA after the session tag; -1 unknown */
	enum img_md5_state superblock, tree, session;
	bool tree_loaded;       /* the directory tree could be read */
	char tree_error[256];
	uint64_t files;         /* regular files in the tree */
	uint64_t files_with_md5;
	uint64_t files_ok;
	struct img_md5_file *bad;   /* damaged or unreadable files */
	size_t n_bad;
	int64_t unreadable_sectors;
	uint64_t bytes_read;
	char sha256[65];        /* without tags: SHA-256 of the content */
	uint64_t sha256_bytes;
};
#define IMG_MD5_REPORT_INIT { .session_end = -1 }

/* bytes_done of bytes_total (an estimate until the session end is known) */
typedef void (*img_md5_progress_fn)(uint64_t bytes_done, uint64_t bytes_total,
				    void *ctx);

/* An image file.  SP_OK when the check could run; the verdict is in r. */
enum sp_status img_md5_check_file(const char *path, struct img_md5_report *r,
				  img_md5_progress_fn progress, void *ctx,
				  struct sp_error *err);
/* A disc, from session_start (the last session's first LBA; 0 for a
 * single session). */
enum sp_status img_md5_check_drive(struct drv_drive *d, int64_t session_start,
				   struct img_md5_report *r,
				   img_md5_progress_fn progress, void *ctx,
				   struct sp_error *err);
void img_md5_report_release(struct img_md5_report *r);

#endif
