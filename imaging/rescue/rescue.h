/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rescue.h - reading damaged discs: GNU ddrescue mapfiles (mapfile.c) and
 * the rescue engine with its passes (rescue*.c).
 */
#ifndef SPINDLE_IMAGING_RESCUE_H
#define SPINDLE_IMAGING_RESCUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "drive/drive.h"
#include "imaging/base/base.h"

/* ==== rescue ============================================================= */

/* --- GNU ddrescue mapfiles (imaging/rescue/mapfile.c) --- */

/* current_status values (the phase a rescue is in) */
#define IMG_PHASE_COPYING  '?'
#define IMG_PHASE_TRIMMING '*'
#define IMG_PHASE_SCRAPING '/'
#define IMG_PHASE_RETRYING '-'
#define IMG_PHASE_FINISHED '+'

/* One block: [pos, pos+size) bytes with a status: ? non-tried,
 * * non-trimmed, / non-scraped, - bad sector, + finished. */
struct img_map_block {
	int64_t pos, size;
	char status;
};

struct img_mapfile {
	int64_t current_pos;
	char current_status;
	int current_pass;
	struct img_map_block *v;        /* sorted, contiguous, merged */
	size_t n, alloc;
};

void img_mapfile_init(struct img_mapfile *m);
void img_mapfile_release(struct img_mapfile *m);
bool img_map_status_valid(int c);
/* Parse a mapfile held in buf (no NUL needed).  Pure; fuzzable. */
enum sp_status img_mapfile_parse(struct img_mapfile *m, const char *buf,
				 size_t len, struct sp_error *err);
/* Load path; a missing file is not an error (*exists false, empty map). */
enum sp_status img_mapfile_load(struct img_mapfile *m, const char *path,
				bool *exists, struct sp_error *err);
/* The text of the mapfile, malloc'ed; creator names the program. */
enum sp_status img_mapfile_format(const struct img_mapfile *m, const char *creator,
				  char **out, size_t *len, struct sp_error *err);
/* Write atomically (tmp, fsync, rename): valid at every instant. */
enum sp_status img_mapfile_save(const struct img_mapfile *m, const char *path,
				const char *creator, struct sp_error *err);
/* Total bytes covered. */
int64_t img_mapfile_size(const struct img_mapfile *m);
/* One '?' block of size bytes. */
enum sp_status img_mapfile_reset(struct img_mapfile *m, int64_t size);

enum img_mark_mode {
	IMG_MARK_KEEP_FINISHED, /* '+' stays '+': never lose rescued data */
	IMG_MARK_ALWAYS,
};
/* Grow to size bytes with a non-tried tail. */
enum sp_status img_mapfile_extend(struct img_mapfile *m, int64_t size);
/* Bad blocks ('-') become non-scraped ('/'), to be read once more. */
void img_mapfile_retry_bad(struct img_mapfile *m);
/* Give [pos, pos+size) a status; SP_FATAL when out of memory. */
enum sp_status img_mapfile_mark(struct img_mapfile *m, int64_t pos, int64_t size,
				char status, enum img_mark_mode mode);
/* Index of the block holding pos, m->n if none. */
size_t img_mapfile_find(const struct img_mapfile *m, int64_t pos);
/* Bytes with this status, and (if areas) how many blocks. */
int64_t img_mapfile_count(const struct img_mapfile *m, char status, size_t *areas);
/* Widen every unfinished block to whole units (e.g. 2048-byte sectors). */
void img_mapfile_align(struct img_mapfile *m, int64_t unit);

/* --- the rescue engine (imaging/rescue/) --- */

struct img_rescue;

enum img_rescue_stop {
	IMG_RESCUE_DONE,        /* every pass ran */
	IMG_RESCUE_INTERRUPTED, /* SIGINT/SIGTERM/SIGHUP */
	IMG_RESCUE_TIMEOUT,     /* --max-time */
};

struct img_rescue_progress {
	char phase;             /* IMG_PHASE_* */
	int pass;
	const char *phase_name; /* "copying", "trimming" ... */
	int64_t pos_lba;
	int64_t rescued_bytes, total_bytes;  /* with a domain: of its blocks */
	int64_t bad_bytes;      /* failed so far: bad, non-trimmed, non-scraped */
	size_t bad_areas;
	int64_t reads, failed_reads;
	double elapsed, rate;   /* rate: bytes/s over the last seconds */
	double eta;             /* seconds, -1 unknown */
	bool final;             /* the last report of this run */
};
typedef void (*img_rescue_progress_fn)(const struct img_rescue_progress *p, void *ctx);

struct img_rescue_opts {
	const char *out_path;
	const char *map_path;
	const char *log_reads_path;     /* NULL: no log */
	const char *creator;            /* "spindle 0.1.0" for file headers */
	uint32_t ecc_block;             /* 0: from the medium */
	unsigned retries;               /* retry passes over bad blocks */
	unsigned max_area_retries;      /* per bad area and pass; 0: no limit */
	double max_time;                /* seconds; 0: no limit */
	double map_interval;            /* seconds between mapfile saves */
	bool whole_disc;                /* all readable sectors, not the ISO */
	bool force;                     /* overwrite an output not ours */
	img_rescue_progress_fn progress;
	void *progress_ctx;
	/* warnings for a person (may be NULL) */
	void (*warn)(void *ctx, const char *msg);
	/* Rebuilding instead of re-reading (may be NULL): called after every
	 * pass (from copying pass 1 on) that rescued more, and at the start of
	 * a resumed run, while sectors are missing.  missing holds every LBA range not rescued (ascending,
	 * the erasures); the callback may rebuild sectors in the output (rip:
	 * from the disc's error-correction data) and add them to *fixed, in any
	 * order.  They are then marked rescued, so no later pass (trimming,
	 * scraping, retrying) reads them again.  SP_FATAL ends the run. */
	enum sp_status (*repair)(void *ctx, const struct img_ranges *missing,
				 struct img_ranges *fixed, struct sp_error *err);
	void *repair_ctx;
};
#define IMG_RESCUE_OPTS_INIT { .creator = "spindle", .retries = 0, .map_interval = 30 }

struct img_rescue_report {
	int64_t extent_sectors;
	const char *extent_source;      /* "iso9660", "udf", "capacity", "whole-disc", "mapfile" */
	uint32_t ecc_block;
	bool resumed;
	enum img_rescue_stop stop;
	int64_t rescued_bytes;
	int64_t missing_bytes;          /* not rescued, run-out excluded */
	int64_t untried_bytes;          /* of which never tried (a stopped run) */
	size_t bad_areas;
	struct img_ranges bad;          /* LBA ranges not rescued (tried or not) */
	struct img_ranges runout;       /* CD TAO run-out sectors (not damage) */
	bool complete;                  /* nothing missing */
	char sha256[65];                /* of the image when complete, else "" */
	int64_t reads, failed_reads;
	double elapsed;
	/* this run's read commands, timed and binned by LBA (the read curve) */
	struct img_read_times times;
	/* sectors rebuilt by opts.repair instead of read (rip: from the
	 * disc's error-correction data), drawn as "repaired" in a report;
	 * sorted, merged */
	struct img_ranges repaired;
	int64_t repaired_sectors;
};

/* Set up: extent, output, mapfile (resume or refuse).  d is not owned. */
enum sp_status img_rescue_new(struct img_rescue **out, struct drv_drive *d,
			      const struct img_rescue_opts *o, struct sp_error *err);
/* Run the passes; saves the mapfile every map_interval s, after each pass
 * (or map_interval) and before returning.  SP_OK also when stopped by a signal or
 * --max-time (see the report); SP_FAILED on write errors etc. */
enum sp_status img_rescue_run(struct img_rescue *r, struct sp_error *err);
/* Fill rep (caller releases it); hashes the image when complete. */
enum sp_status img_rescue_report(struct img_rescue *r, struct img_rescue_report *rep,
				 struct sp_error *err);
void img_rescue_report_release(struct img_rescue_report *rep);
void img_rescue_free(struct img_rescue *r);

/*
 * A rescue as a source of blocks (rescue_blocks.c), for extracting files
 * from a damaged disc:
 *
 *     img_rescue_new(&r, drive, &o, err);          o.whole_disc: any LBA
 *     img_fs_read_tree(img_rescue_block, r, ...);  the structures
 *     img_rescue_set_domain(r, &file_blocks, err);
 *     img_rescue_run(r, err);                      the passes, on the domain
 *     img_extract(img_rescue_rescued_block, r, ...)
 *
 * Run again with the same mapfile, nothing rescued is read again.
 */
/* One block: from the image if the map has it, else read from the drive
 * (o.retries more times if it fails), kept in the image and marked. */
bool img_rescue_block(void *ctx, int64_t lba, unsigned char *buf);
/* From now on the passes work only on these LBAs; saves the mapfile. */
enum sp_status img_rescue_set_domain(struct img_rescue *r, const struct img_ranges *domain,
				     struct sp_error *err);
/* A block from the image if rescued ('+'), else false; never the drive. */
bool img_rescue_rescued_block(void *ctx, int64_t lba, unsigned char *buf);
/* Up to n rescued blocks at lba from the image; how many leading ones. */
uint32_t img_rescue_rescued_run(void *ctx, int64_t lba, uint32_t n, unsigned char *buf);
/* The extent in sectors. */
int64_t img_rescue_sectors(const struct img_rescue *r);

/* Bad LBA ranges (not '+') of a mapfile over 2048-byte sectors. */
enum sp_status img_mapfile_bad_ranges(const struct img_mapfile *m,
				      struct img_ranges *bad, struct sp_error *err);
/* --test-mode: sectors not wholly '+' in a ddrescue mapfile fail. */
enum sp_status img_damage_from_mapfile(struct drv_damage *dm, const char *path,
				       struct sp_error *err);

#endif
