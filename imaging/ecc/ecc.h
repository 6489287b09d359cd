/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ecc.h - error-correction data in dvdisaster's formats: protect an image
 * (write Reed-Solomon parity to a separate .ecc file, or append it to the
 * image), verify an image against it, and repair an image in place.
 *
 * The formats are dvdisaster's byte for byte (its codec specification,
 * documentation/codec-specs in its source), so either program reads what
 * the other writes.  Encoding and erasure decoding run on ISA-L's SIMD
 * code, on several threads, reading the image as a stream with memory
 * bounded by the threads (about 16 MiB each) plus one CRC layer.
 *
 *     struct img_ecc_opts o = IMG_ECC_OPTS_INIT;
 *     struct img_ecc_summary s = IMG_ECC_SUMMARY_INIT;
 *     if (img_ecc_protect("disc.iso", "disc.ecc", &o, &s, &err) != SP_OK) ...
 *     if (img_ecc_check("disc.iso", "disc.ecc", IMG_ECC_REPAIR, &o, &s, &err) ...
 *     img_ecc_summary_release(&s);
 */
#ifndef SPINDLE_IMAGING_ECC_H
#define SPINDLE_IMAGING_ECC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "imaging/base/base.h"

struct img_ranges;

enum img_ecc_codec {
	IMG_ECC_RS03 = 0,   /* .ecc file or augmented image, multi-threaded */
	IMG_ECC_RS01,       /* .ecc file, dvdisaster's oldest format */
	IMG_ECC_RS02,       /* augmented image, any size up to the medium */
};

struct img_ecc_opts {
	enum img_ecc_codec codec;
	int roots;                 /* 0: 32 (RS01/RS03 files); RS02: fill the medium */
	int threads;               /* 0: one per processor */
	bool augment;              /* append to the image instead of a file */
	bool replace;              /* an existing ecc file may be replaced */
	uint64_t medium_sectors;   /* augmented: 0 = smallest medium that fits */
	/* verify/repair of an augmented image: sectors known to be lost
	 * (a rip's unreadable ones, read as zeros), ascending; may be NULL */
	const struct img_ranges *erasures;
	/* called now and then from the calling thread's work; may be NULL */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
};
#define IMG_ECC_OPTS_INIT { .codec = IMG_ECC_RS03 }

/* What protect wrote, or what verify/repair found. */
struct img_ecc_summary {
	char method[5];            /* "RS01", "RS02", "RS03" */
	bool augmented;
	int roots;
	uint64_t sectors;          /* image sectors protected */
	uint64_t layer_sectors;    /* RS03 layer size */
	uint64_t ecc_sectors;      /* sectors of error-correction data */
	uint64_t damaged;          /* damaged image sectors found */
	uint64_t damaged_ecc;      /* damaged sectors of the ecc data itself */
	uint64_t repaired;         /* image sectors repaired (or repairable, verify) */
	uint64_t repaired_ecc;
	uint64_t unrepairable;     /* image sectors that stay damaged */
	uint64_t *remaining;       /* the first of them, ascending */
	size_t nremaining;
	double seconds;
	/* set by the caller to learn where (for a report's map): every image
	 * sector repaired (repairable, verify) and left damaged is added,
	 * in no order; not owned */
	struct img_ranges *repaired_ranges, *damaged_ranges;
	/* set by the caller to learn what repair rewrote: every sector of the
	 * image file (augmented: its error-correction data too) written back,
	 * in no order; not owned.  A rip marks exactly these as rescued. */
	struct img_ranges *written_ranges;
};
#define IMG_ECC_SUMMARY_INIT { .method = "" }
#define IMG_ECC_MAX_LISTED 10000

enum img_ecc_mode { IMG_ECC_VERIFY, IMG_ECC_REPAIR };

/* Write error-correction data for image: to ecc_path (a new file, written
 * atomically), or, with opts->augment, appended to the image. */
enum sp_status img_ecc_protect(const char *image, const char *ecc_path,
			       const struct img_ecc_opts *opts, struct img_ecc_summary *sum,
			       struct sp_error *err);

/* Write image augmented with RS03 data that fills opts->medium_sectors (0:
 * the smallest medium that holds it) to out_fd (a pipe to a burn), in
 * disc order, leaving the image as it is and writing no other file.
 * Memory stays bounded: the ecc layers are made in groups, one pass over
 * the image each (rs03_stream.c).  The stream is 255 layers long:
 * sum->sectors + sum->ecc_sectors sectors. */
enum sp_status img_ecc_augment_stream(const char *image, int out_fd,
				      const struct img_ecc_opts *opts, struct img_ecc_summary *sum,
				      struct sp_error *err);

/* Check image against ecc_path (or the data appended to the image when
 * ecc_path is NULL); with IMG_ECC_REPAIR, rewrite every damaged sector
 * whose codeword decodes and whose CRC then matches.  SP_OK when the image
 * is (now) whole; SP_WARN with sum->unrepairable > 0 otherwise. */
enum sp_status img_ecc_check(const char *image, const char *ecc_path, enum img_ecc_mode mode,
			     const struct img_ecc_opts *opts, struct img_ecc_summary *sum,
			     struct sp_error *err);

/* Does the image end in RS02/RS03 data (an augmented image)? */
bool img_ecc_is_augmented(const char *image);

/* Roots for "normal", "high" or a number in range for the codec; -1 if not. */
int img_ecc_parse_redundancy(const char *s, enum img_ecc_codec codec);
/* Sectors of "cd", "dvd", "dvd9", "bd", "bd2", "bdxl"; 0 if unknown. */
uint64_t img_ecc_medium_sectors(const char *name);

void img_ecc_summary_release(struct img_ecc_summary *sum);

#endif
