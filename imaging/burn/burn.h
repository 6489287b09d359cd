/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * burn.h - burn sources: an image file or standard input, through
 * libburn's FIFO, ready for drv_write().
 */
#ifndef SPINDLE_IMAGING_BURN_H
#define SPINDLE_IMAGING_BURN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/common.h"
#include "drive/drive.h"
#include "imaging/base/base.h"

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
 * (measurements in imaging/burn/source.c).
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
/* The FIFO for an image of image_bytes (<= 0: unknown): fifo_bytes, or
 * with 0 IMG_FIFO_DEFAULT but no larger than the image, rounded. */
uint64_t img_fifo_for(uint64_t fifo_bytes, int64_t image_bytes);

/*
 * Open path ("-" is standard input) as a burn source with a FIFO of
 * fifo_bytes (0: IMG_FIFO_DEFAULT, no larger than the image, see
 * img_fifo_for).  Refuses directories, empty files and
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

/* ==== spindle's own libburn sources ====================================== */

/*
 * The calls of a source of spindle's own (see libburn.h, struct
 * burn_source): read fills buf with up to size bytes (fewer only at the
 * end; -1 with errno on failure), get_size gives the bytes still to come,
 * set_size (NULL: accepted and ignored) takes libburn's fixed size,
 * free_data releases data, cancel makes the next read fail.
 */
struct burn_source;
struct img_burn_source_ops {
	int (*read)(struct burn_source *bs, unsigned char *buf, int size);
	off_t (*get_size)(struct burn_source *bs);
	int (*set_size)(struct burn_source *bs, off_t size);
	void (*free_data)(struct burn_source *bs);
	int (*cancel)(struct burn_source *bs);
};
/* A libburn source (refcount 1, version 1) over data with ops; bs->data
 * is data.  NULL when out of memory (data is then the caller's to free). */
struct burn_source *img_burn_source_new(void *data, const struct img_burn_source_ops *ops);

#endif
