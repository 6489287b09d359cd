/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * master.h - ISO 9660 mastering with libisofs: graft points, the tree, and
 * the image written to a file or streamed into a burn.
 */
#ifndef SPINDLE_IMAGING_MASTER_H
#define SPINDLE_IMAGING_MASTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "drive/drive.h"
#include "imaging/base/base.h"
#include "imaging/burn/burn.h"

/* ==== mastering ========================================================== */

/*
 * ISO 9660 mastering through libisofs: Rock Ridge, Joliet, ISO level 3,
 * MD5 tags (superblock, tree, session, and each file) and El Torito boot.
 *
 *     struct img_master_opts o = IMG_MASTER_OPTS_INIT;
 *     struct img_master *m;
 *     img_master_prepare(&m, &o, &err);          walks the sources
 *     img_master_to_file(m, "out.iso", false, &err);   or
 *     img_master_burn_source(m, &src, &size, &err);    for a burn
 *     img_master_free(m);
 */

/* One graft point: the source file or directory, and where it goes.  A
 * directory's contents go into target; a file becomes target. */
struct img_graft {
	const char *target;     /* absolute path in the image; "/" the root */
	const char *source;     /* path on disk */
};

/* Parse "TARGET=SOURCE" ("\=" is a literal '=') or plain "SOURCE" into
 * g, pointing into buf (a copy of arg owned by the caller, same size). */
enum sp_status img_graft_parse(struct img_graft *g, const char *arg,
			       char *buf, size_t len, struct sp_error *err);

enum img_master_phase {
	IMG_MASTER_SCANNING,    /* walking the sources */
	IMG_MASTER_WRITING,     /* producing the image */
};

struct img_master_progress {
	enum img_master_phase phase;
	uint64_t files;         /* nodes added so far */
	uint64_t bytes_done;    /* image bytes produced */
	uint64_t bytes_total;   /* image size; 0 while scanning */
	double elapsed;         /* seconds */
};
typedef void (*img_master_progress_fn)(const struct img_master_progress *p,
				       void *ctx);
/* Called for each file left out by skip_unreadable, with why. */
typedef void (*img_master_skip_fn)(const char *path,
				   const struct sp_error *why, void *ctx);

struct img_master_opts {
	const struct img_graft *grafts;
	size_t n_grafts;
	const char *const *excludes;   /* glob patterns, see --exclude */
	size_t n_excludes;
	const char *volid;             /* NULL: "SPINDLE" */
	bool md5;                      /* record MD5 tags (default) */
	/* Byte-identical output for the same tree: fixed volume times and
	 * UUIDs, atime and ctime set to mtime.  epoch >= 0 (as from
	 * SOURCE_DATE_EPOCH) also clamps newer mtimes to it; epoch < 0 uses
	 * the newest mtime found. */
	bool reproducible;
	int64_t epoch;
	bool skip_unreadable;          /* leave out unreadable files */
	/* El Torito: paths inside the image */
	const char *boot_bios;         /* no-emulation BIOS image (isolinux.bin) */
	const char *boot_catalog;      /* NULL: next to boot_bios, "boot.cat" */
	int boot_load_size;            /* 512-byte sectors the BIOS loads */
	bool boot_info_table;          /* patch a boot info table (isolinux) */
	const char *boot_efi;          /* EFI system partition image */
	const char *isohybrid_mbr;     /* file on disk: isohdpfx.bin */
	img_master_progress_fn progress;
	img_master_skip_fn on_skip;
	void *ctx;                     /* for progress and on_skip */
};
#define IMG_MASTER_OPTS_INIT { .md5 = true, .epoch = -1, \
	.boot_load_size = 4, .boot_info_table = true }

struct img_master_stats {
	uint64_t files, dirs, symlinks, specials;
	uint64_t hardlinks;            /* files sharing data with an earlier one */
	uint64_t skipped;              /* excluded or unreadable */
	uint64_t content_bytes;        /* sum of file sizes */
	uint64_t image_bytes;          /* once writing started */
	/* MD5 tags hashed by spindle (OpenSSL, in threads), not libisofs */
	bool md5_by_spindle;
};

struct img_master;

/* Walk the sources and build the image tree; nothing is written yet. */
enum sp_status img_master_prepare(struct img_master **out,
				  const struct img_master_opts *o,
				  struct sp_error *err);
const struct img_master_stats *img_master_stats(const struct img_master *m);

/* Write the image to path through path.tmp, fsync and rename.  An
 * existing path is replaced only with force.  Reports progress. */
enum sp_status img_master_to_file(struct img_master *m, const char *path,
				  bool force, struct sp_error *err);

/* A libburn source producing the image, and its exact size in bytes.  The
 * source belongs to the caller (burn_source_free()); call
 * img_master_finish() after it was consumed, to learn of files that could
 * not be read while writing. */
enum sp_status img_master_burn_source(struct img_master *m,
				      struct burn_source **src, int64_t *size,
				      struct sp_error *err);
enum sp_status img_master_finish(struct img_master *m, struct sp_error *err);
/* The same through a FIFO of fifo_bytes (0: IMG_FIFO_DEFAULT), ready for
 * drv_write(): s->chain, s->size.  Release with img_source_release(). */
enum sp_status img_master_source(struct img_master *m, struct img_source *s,
				 uint64_t fifo_bytes, struct sp_error *err);
void img_master_free(struct img_master *m);

/* Whether libisofs computes its MD5s (tags, verify's checks) with
 * spindle's iso_md5_* (master_md5.c), as it does when linked dynamically. */
bool img_master_md5_bound(void);

#endif
