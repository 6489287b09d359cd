/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * stick.h - writing an image to a block device (a USB stick, an SD card):
 * the input stream, plain or compressed (.xz, .gz, .zst, .bz2, found by
 * their magic bytes), an optional bmaptool block map, a look at whether
 * the image will boot from a stick, and the writer: a reader thread feeds
 * aligned buffers to O_DIRECT writes, then fsync, then a readback with
 * O_DIRECT compared by SHA-256 with what was written.
 *
 *     img_stick_open(&s, "distro.iso.xz", NULL, &err);
 *     img_stick_info(s)->boot ...             warn, confirm
 *     img_stick_write(s, drv_blk_fd(b), size, &opts, &res, &err);
 *     img_stick_free(s);
 *
 * The block device itself (the safety rules, O_EXCL, flock) is drive/'s.
 */
#ifndef SPINDLE_IMAGING_STICK_H
#define SPINDLE_IMAGING_STICK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"

enum img_stick_comp {
	IMG_COMP_NONE,
	IMG_COMP_GZIP,
	IMG_COMP_XZ,
	IMG_COMP_ZSTD,
	IMG_COMP_BZIP2,
};
/* "none", "gzip", "xz", "zstd", "bzip2" */
const char *img_stick_comp_name(enum img_stick_comp c);

/* ---- bmaptool's block map (bmap.c) ---- */

enum img_bmap_csum { IMG_BMAP_NONE, IMG_BMAP_SHA1, IMG_BMAP_SHA256 };

struct img_bmap_range {
	uint64_t first, last;   /* blocks, inclusive */
	char csum[65];          /* hex, "" none */
};

struct img_bmap {
	uint64_t image_size;    /* bytes */
	uint32_t block_size;
	uint64_t blocks;
	uint64_t mapped_blocks;
	enum img_bmap_csum csum;
	size_t n;
	struct img_bmap_range *r;
};
#define IMG_BMAP_INIT { 0, 0, 0, 0, IMG_BMAP_NONE, 0, NULL }

/*
 * Parse a bmap file (versions 1.x and 2.x) held in buf.  Ranges must be
 * in order, inside BlocksCount, and not overlap; the file's own checksum
 * (BmapFileChecksum), when present, must match.  SPE_FORMAT otherwise,
 * naming the line.
 */
enum sp_status img_bmap_parse(struct img_bmap *b, const char *buf, size_t len,
			      struct sp_error *err);
enum sp_status img_bmap_load(struct img_bmap *b, const char *path,
			     struct sp_error *err);
void img_bmap_release(struct img_bmap *b);

/* ---- will it boot from a stick (boot.c) ---- */

enum img_boot_kind {
	IMG_BOOT_RAW,           /* neither ISO 9660 nor a partition table */
	IMG_BOOT_DISK,          /* a disk image: MBR or GPT, no ISO 9660 */
	IMG_BOOT_HYBRID,        /* ISO 9660 with an MBR or GPT: boots from a stick */
	IMG_BOOT_ISO_ONLY,      /* ISO 9660 without: boots only from a disc */
	IMG_BOOT_WINDOWS,       /* a Windows installer ISO */
};

struct img_boot_info {
	enum img_boot_kind kind;
	bool iso9660, el_torito, mbr, gpt, udf;
	char volume_id[33];
};

/* Look at the first bytes of an image (64 KiB is enough). */
void img_boot_inspect(const uint8_t *head, size_t len, struct img_boot_info *bi);
/* A warning for a person, or NULL when the image looks bootable or is
 * not a boot medium at all. */
const char *img_boot_warning(const struct img_boot_info *bi);

/* ---- the writer (input.c, write.c) ---- */

struct img_stick;

struct img_stick_info {
	enum img_stick_comp comp;
	int64_t size;           /* bytes of the image, -1 unknown yet */
	int64_t file_size;      /* bytes of the file given */
	struct img_boot_info boot;
	bool has_bmap;
	uint64_t mapped_bytes;  /* with a bmap: bytes that will be written */
};

/* Open image ("-": standard input) and an optional bmap; reads and keeps
 * the first few MiB, which boot detection looks at. */
enum sp_status img_stick_open(struct img_stick **out, const char *image,
			      const char *bmap, struct sp_error *err);
const struct img_stick_info *img_stick_info(const struct img_stick *s);
void img_stick_free(struct img_stick *s);

enum img_stick_phase { IMG_STICK_WRITING, IMG_STICK_SYNCING, IMG_STICK_VERIFYING,
		       IMG_STICK_DONE };
/* "writing", "syncing", "verifying", "done" */
const char *img_stick_phase_name(enum img_stick_phase p);

struct img_stick_progress {
	enum img_stick_phase phase;
	uint64_t done;          /* bytes of the image passed */
	int64_t total;          /* -1 unknown */
	double elapsed;
	double bytes_per_sec;
};

struct img_stick_opts {
	const char *target;     /* the device's name, for messages */
	bool verify;
	size_t block;           /* write size, default 8 MiB */
	void (*progress)(const struct img_stick_progress *p, void *ctx);
	void *ctx;
};
#define IMG_STICK_OPTS_INIT { .verify = true }

struct img_stick_result {
	uint64_t image_bytes;   /* bytes of the (uncompressed) image */
	uint64_t written_bytes; /* bytes written (less with a bmap) */
	char sha256[65];        /* of the image stream; "" without o->verify */
	bool verified;          /* read back and equal */
	double write_seconds, verify_seconds;
};

/*
 * Write the image to fd, a block device (or a file) of dev_size bytes
 * opened with O_DIRECT where it can be, then fsync and, with o->verify,
 * read back what was written with O_DIRECT and compare.  A signal
 * (drv_interrupted()) stops it between blocks.  Errors:
 * SPE_TOOBIG (nothing written when the size is known ahead, else what was
 * written is said), SPE_WRITE, SPE_READ, SPE_FORMAT (a corrupt stream or
 * a bmap checksum that differs), SPE_MISMATCH, SPE_ABORTED.
 */
enum sp_status img_stick_write(struct img_stick *s, int fd, uint64_t dev_size,
			       const struct img_stick_opts *o,
			       struct img_stick_result *res, struct sp_error *err);

#endif
