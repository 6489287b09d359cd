/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_private.h - what the files of imaging/report/ share: a growing
 * text buffer, the disc geometry, and the SVG drawing the HTML page embeds.
 */
#ifndef SPINDLE_IMAGING_REPORT_PRIVATE_H
#define SPINDLE_IMAGING_REPORT_PRIVATE_H

#include "drive/drive.h"
#include "imaging/base/base.h"
#include "imaging/fs/fs.h"
#include "imaging/report/report.h"
#include "imaging/rescue/rescue.h"

/* Text that grows; a failed allocation sticks in oom and later calls do
 * nothing, so that the caller checks once at the end. */
struct rpt_buf {
	char *p;
	size_t len, alloc;
	bool oom;
};
void rpt_printf(struct rpt_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rpt_puts(struct rpt_buf *b, const char *s);
/* s with & < > " ' escaped for XML and HTML. */
void rpt_escape(struct rpt_buf *b, const char *s);
/* Hand the text over (*out, *len) or fail with SPE_NOMEM; frees on failure. */
enum sp_status rpt_finish(struct rpt_buf *b, char **out, size_t *len,
			  struct sp_error *err);

/* Worst state of two. */
static inline enum img_area_state rpt_worst(enum img_area_state a, enum img_area_state b)
{
	return a > b ? a : b;
}

/* Where the sectors lie on a disc of constant linear velocity: sector n at
 * radius sqrt(r0^2 + n k), k from the medium's nominal capacity. */
struct rpt_geometry {
	double r0, r1;          /* program area, mm */
	double k;               /* mm^2 per sector */
	const char *family;     /* "CD", "DVD", "BD" */
	double x1_kbps;         /* 1x read speed */
};
void rpt_geometry(int profile, int64_t sectors, struct rpt_geometry *g);
double rpt_radius(const struct rpt_geometry *g, double lba);

/* The merged strip areas a picture draws: `width` pixels over the total. */
enum sp_status rpt_strip_areas(const struct img_report *r, double width,
			       struct img_areas *out, struct sp_error *err);
/* Index in the strip areas of the area holding lba's byte, or a->n. */
size_t rpt_area_at(const struct img_areas *a, int64_t pos);

/* The SVG element (no XML declaration) into b; link ids are "area-I" for
 * the strip area I (see rpt_strip_areas with RPT_STRIP_WIDTH). */
#define RPT_STRIP_WIDTH 920.0
void rpt_svg_draw(const struct img_report *r, const struct img_areas *strip,
		  struct rpt_buf *b);

#endif
