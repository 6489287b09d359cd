/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rescue_private.h - shared by the files of imaging/rescue/. */
#ifndef SPINDLE_RESCUE_PRIVATE_H
#define SPINDLE_RESCUE_PRIVATE_H

#include <stdio.h>

#include "imaging/rescue/rescue.h"
#include "imaging/fs/fs.h"

/* The map is kept in bytes (ddrescue's unit); the engine thinks in sectors. */
#define S2B(s) ((int64_t)(s) * SP_SECTOR)

enum read_result { READ_OK, READ_FAILED, READ_STOP };

/* bins of the read curve over the extent */
#define IMG_RESCUE_TIME_BINS 400

struct img_rescue {
	struct drv_drive *d;
	struct img_rescue_opts o;
	int64_t extent;                 /* sectors */
	const char *extent_source;
	uint32_t E;                     /* ECC block, sectors */
	uint32_t C;                     /* copy chunk, sectors (multiple of E) */
	bool resumed;
	int out_fd;
	FILE *log;
	struct img_mapfile map;
	unsigned char *buf;
	/* the volume descriptor read for the extent, to know the disc again */
	int64_t vd_lba;                 /* -1: none read */
	bool vd_unreadable;             /* the extent is a guess: trust a mapfile */
	int64_t capacity;               /* readable sectors */
	unsigned char vd[SP_SECTOR];
	/* state */
	char phase;
	int pass;
	double t0, last_save, last_progress;
	double rate_t;                  /* rate window start */
	int64_t rate_bytes;             /* rescued at rate_t */
	double rate;
	int64_t reads, failed_reads;
	struct img_ranges runout;       /* run-out sectors met in this run */
	struct img_read_times times;    /* every rescue_read() timed */
	enum img_rescue_stop stop;
	struct sp_error fatal;          /* write errors: end the run */
	bool failed;
	/* the domain: only these LBAs are worked on (sorted, merged); none: all */
	struct img_ranges domain;
	bool has_domain;
	/* the domain as given (an extraction: the files' blocks in path
	 * order); each pass goes through it in this order, one range at a
	 * time, the window (win) */
	struct img_ranges order;
	struct img_range win;
	bool has_win;
	/* sectors rebuilt by o.repair, and the rescued bytes at its last call */
	struct img_mapfile repaired;
	int64_t repair_have;
	/* read speed stepping */
	int *speeds;
	int n_speeds, speed_idx;
	unsigned errors_at_speed;
};

/* rescue_read.c: the read primitive, used by the engine and the passes */
enum read_result rescue_read(struct img_rescue *r, int64_t lba, int64_t count);
bool rescue_should_stop(struct img_rescue *r);
enum sp_status rescue_save(struct img_rescue *r, struct sp_error *err);
void rescue_begin_pass(struct img_rescue *r, char phase, int pass, const char *what);
bool rescue_is_runout(const struct img_rescue *r, int64_t lba);
bool rescue_read_block(struct img_rescue *r, int64_t lba);
void rescue_progress(struct img_rescue *r, bool force);
/* bytes rescued ('+'), within the domain if there is one */
int64_t rescue_rescued_bytes(const struct img_rescue *r);

/* rescue_passes.c */
/* [*s, *e) cut to its first (last) part inside the domain; false if none */
bool rescue_clip_first(const struct img_rescue *r, int64_t *s, int64_t *e);
bool rescue_clip_last(const struct img_rescue *r, int64_t *s, int64_t *e);
enum sp_status rescue_passes(struct img_rescue *r, struct sp_error *err);

#endif
