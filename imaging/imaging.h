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

/*
 * An image on its way to the drive: a file or standard input, read by
 * libburn through a FIFO (burn_fifo_source_new) so that the writer never
 * waits for the disk or the pipe.  The chain handed to drv_write() is the
 * FIFO; it is also the handle for FIFO fill reports.
 *
 * The FIFO's size matters more than it seems: libburn's FIFO sleeps 50 ms
 * whenever it is full or empty, so it moves at most its size per 50 ms.
 * IMG_FIFO_DEFAULT is chosen so that the FIFO is never the bottleneck
 * (measurements in imaging/source.c).
 */
#define IMG_FIFO_DEFAULT (64ULL << 20)
#define IMG_FIFO_MIN (1ULL << 20)
#define IMG_FIFO_MAX (1ULL << 30)       /* libburn's own limit */

struct img_source {
	struct burn_source *chain;      /* the FIFO; give this to drv_write() */
	struct burn_source *input;      /* what the FIFO reads; private */
	int64_t size;                   /* bytes; -1 unknown (pipe) */
	bool is_stdin;
	bool is_pipe;                   /* read once (a pipe, or any standard input):
					   verify by digest, see img_source_digest() */
	char name[1024];                /* for messages: the path, or "standard input" */
};
#define IMG_SOURCE_INIT { NULL, NULL, -1, false, false, "" }

/* Round a FIFO size to what libburn takes (whole 32 KiB reads). */
uint64_t img_fifo_round(uint64_t bytes);

/*
 * Open path ("-" is standard input) as a burn source with a FIFO of
 * fifo_bytes (0: IMG_FIFO_DEFAULT).  Refuses directories, empty files and
 * anything that is not a regular file, block device, pipe or terminal.
 */
enum sp_status img_source_open(struct img_source *s, const char *path,
			       uint64_t fifo_bytes, struct sp_error *err);
/* Fill of the FIFO in percent, or -1 if unknown. */
int img_source_fifo_fill(const struct img_source *s);
/*
 * For a pipe, which cannot be read twice: the SHA-256 and length of all
 * that was read, once the input reached its end.  false before that, and
 * for files (verify them with img_verify_image()).
 */
bool img_source_digest(const struct img_source *s, char hex[65],
		       uint64_t *bytes);
/* Whether reading the input failed (the FIFO saw a read error). */
bool img_source_failed(const struct img_source *s);
void img_source_release(struct img_source *s);

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
 * The same for data that exists only as a digest (a burn from a pipe):
 * read `bytes` from start_lba, and compare their SHA-256 with sha256_hex.
 * A mismatch has no LBA ranges; unreadable sectors are still named.
 */
enum sp_status img_verify_digest(struct drv_drive *d, uint64_t bytes,
				 const char *sha256_hex,
				 const struct img_verify_opts *o,
				 struct img_verify_result *res,
				 struct sp_error *err);

/* ==== rescue ============================================================= */

/* ==== mastering ========================================================== */

/* ==== audio ============================================================== */

#endif
