/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report.h - pictures of a disc: the disc map (as a disc and as a strip),
 * the read-speed curve, the damaged files, in an SVG, a self-contained HTML
 * page or a one-screen text map; and the surface scan that times every
 * read of a medium.  Included by imaging/imaging.h.
 *
 *     struct img_report r = IMG_REPORT_INIT;
 *     img_report_set_map(&r, &mapfile, &err);     the areas, from a mapfile
 *     img_report_overlay(&r, &runout, IMG_AREA_RUNOUT, &err);
 *     r.files = &damaged;  r.drive = "...";  ...
 *     img_report_write(&r, "disc.html", &err);    or .svg
 *     img_report_text(&r, stdout, true);          the terminal map
 *     img_report_release(&r);
 */
#ifndef SPINDLE_IMAGING_REPORT_H
#define SPINDLE_IMAGING_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/common.h"

struct drv_drive;
struct img_mapfile;
struct img_ranges;
struct img_read_times;
struct img_iso_damage;

/* What a stretch of the disc is, from the best to the worst: merged
 * areas take the worst state among them. */
enum img_area_state {
	IMG_AREA_RESCUED,       /* '+' read well */
	IMG_AREA_REPAIRED,      /* rebuilt from parity (ECC data) */
	IMG_AREA_RUNOUT,        /* CD TAO run-out: not damage */
	IMG_AREA_UNTRIED,       /* '?' */
	IMG_AREA_NONTRIMMED,    /* '*' */
	IMG_AREA_NONSCRAPED,    /* '/' */
	IMG_AREA_MISMATCH,      /* read, but differs from the image (verify) */
	IMG_AREA_BAD,           /* '-' */
	IMG_AREA__COUNT
};
/* "rescued", "repaired", "run-out", "untried", "non-trimmed",
 * "non-scraped", "mismatch", "bad" */
const char *img_area_state_name(enum img_area_state s);
/* "#RRGGBB", the colour of the state in every picture */
const char *img_area_state_colour(enum img_area_state s);

/* A stretch of bytes of one state. */
struct img_area {
	int64_t pos, size;      /* bytes */
	enum img_area_state state;
};

struct img_areas {
	struct img_area *v;
	size_t n, alloc;
};

/*
 * Merge areas below a pixel: areas of at least `unit` bytes are kept as
 * they are; runs of smaller ones become one area spanning at least `unit`
 * bytes with the worst state among them.  The result (out, appended to)
 * holds at most about 2 * total / unit + 1 areas, so that a picture of a
 * 100,000-area mapfile stays small.
 */
enum sp_status img_areas_merge(const struct img_area *v, size_t n, int64_t unit,
			       struct img_areas *out, struct sp_error *err);
void img_areas_release(struct img_areas *a);

/* One point of a read-speed curve: the average speed of the reads in
 * [lba, lba + sectors). */
struct img_speed_point {
	int64_t lba, sectors;
	double kbps;            /* kB/s (1000 bytes) */
};

/* Timing classes of read commands, by time per sector against the
 * median of the medium (as dvdisaster and ddrescue --log-rates show). */
enum img_scan_class {
	IMG_SCAN_NORMAL,        /* < 3x the median time */
	IMG_SCAN_SLOW,          /* 3x .. 10x */
	IMG_SCAN_SLOWER,        /* 10x .. 50x */
	IMG_SCAN_VERY_SLOW,     /* >= 50x */
	IMG_SCAN_FAILED,        /* the read failed */
	IMG_SCAN__COUNT
};
/* "normal", "slow", "slower", "very-slow", "failed" */
const char *img_scan_class_name(enum img_scan_class c);

/* A run of read commands of one class (not normal), or an unreadable run. */
struct img_scan_area {
	int64_t lba, sectors;
	enum img_scan_class cls;
	double seconds;         /* time the reads took, all of them */
};

/* A zone of the medium, for the curve and --json. */
struct img_scan_zone {
	int64_t lba, sectors;
	double seconds;
	double kbps;            /* sectors read well / their time */
	double min_kbps;        /* slowest read command in the zone */
	int64_t bad_sectors;
	int64_t reads[IMG_SCAN__COUNT];
};

struct img_scan_progress {
	int64_t lba, total;
	int64_t bad_sectors;
	double elapsed, kbps;
};
typedef void (*img_scan_progress_fn)(const struct img_scan_progress *p, void *ctx);

struct img_scan_opts {
	uint32_t ecc_block;     /* 0: from the medium (1 for files) */
	int zones;              /* 0: 100 */
	img_scan_progress_fn progress;
	void *ctx;
};
#define IMG_SCAN_OPTS_INIT { .ecc_block = 0 }

struct img_scan_result {
	int64_t sectors;        /* scanned: the readable capacity */
	int64_t read_sectors;   /* read well */
	uint32_t ecc_block;
	int64_t reads;          /* read commands */
	int64_t class_reads[IMG_SCAN__COUNT];
	double median_ms_per_sector;
	double elapsed;         /* seconds */
	double avg_kbps, max_kbps, min_kbps;
	bool stopped;           /* interrupted: the tail is untried */
	struct img_ranges *bad; /* unreadable LBA ranges (malloc'ed) */
	struct img_scan_area *slow;     /* runs of slow and failed reads */
	size_t n_slow;
	struct img_scan_zone *zones;
	size_t n_zones;
	struct img_speed_point *curve;  /* finer than zones, for the picture */
	size_t n_curve;
};

/*
 * Read the whole medium once, a whole number of ECC blocks at a time,
 * timing every read command: no retries, no scraping (a failed command's
 * ECC blocks are read once each, to name the unreadable ones).
 */
enum sp_status img_scan(struct drv_drive *d, const struct img_scan_opts *o,
			struct img_scan_result *res, struct sp_error *err);
void img_scan_result_release(struct img_scan_result *res);
/* The areas of a scan as a mapfile: '+' read, '-' unreadable, '?' not
 * reached. */
enum sp_status img_scan_to_mapfile(const struct img_scan_result *res,
				   struct img_mapfile *m, struct sp_error *err);

/* What a report shows.  Strings may be NULL (not shown). */
struct img_report {
	const char *title;          /* "spindle scan", "spindle rip" ... */
	const char *source;         /* the drive or file read */
	const char *drive;          /* vendor, model, revision */
	const char *medium;         /* "DVD-ROM" */
	int profile;                /* MMC profile (geometry, x-speeds); 0 unknown */
	const char *image, *mapfile;
	double elapsed;             /* seconds; < 0 unknown */
	int64_t reads, failed_reads;    /* < 0 unknown */
	const struct img_iso_damage *files; /* files hit, or NULL */
	const struct img_scan_result *scan; /* curve and classes, or NULL */
	const struct img_read_times *times; /* a rip's read timings: the curve
					     * when there is no scan; or NULL */
	/* the areas, made by img_report_set_map() and _overlay() */
	struct img_areas areas;
	int64_t total_bytes;
};
#define IMG_REPORT_INIT { .elapsed = -1, .reads = -1, .failed_reads = -1 }

/* The areas of a mapfile (spindle's or GNU ddrescue's). */
enum sp_status img_report_set_map(struct img_report *r, const struct img_mapfile *m,
				  struct sp_error *err);
/* Give the LBA ranges a state over what the mapfile said. */
enum sp_status img_report_overlay(struct img_report *r, const struct img_ranges *lbas,
				  enum img_area_state state, struct sp_error *err);
/*
 * The read-speed curve the report draws: the scan's, else one point per
 * bin of the read timings that read anything well.  *pts is malloc'ed
 * (NULL and 0 points when there is none); *sectors is the stretch the
 * curve spans and *avg_kbps the average speed of the good reads.
 */
enum sp_status img_report_curve(const struct img_report *r, struct img_speed_point **pts,
				size_t *n, int64_t *sectors, double *avg_kbps,
				struct sp_error *err);
/* Bytes of each state. */
void img_report_totals(const struct img_report *r, int64_t totals[IMG_AREA__COUNT]);

/* The picture alone, or the whole page: malloc'ed text in *out. */
enum sp_status img_report_svg(const struct img_report *r, char **out, size_t *len,
			      struct sp_error *err);
enum sp_status img_report_html(const struct img_report *r, char **out, size_t *len,
			       struct sp_error *err);
/* Write PATH (atomically): HTML for *.html / *.htm, else SVG for *.svg;
 * other names are refused (SPE_USAGE). */
enum sp_status img_report_write(const struct img_report *r, const char *path,
				struct sp_error *err);
/* Whether img_report_write() takes this name. */
bool img_report_name_ok(const char *path);
/* The one-screen map: block characters (coloured when colour), a legend. */
void img_report_text(const struct img_report *r, FILE *f, bool colour);
void img_report_release(struct img_report *r);

#endif
