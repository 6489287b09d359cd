/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_svg.c - the picture of a disc: the areas drawn on the disc, at
 * the radius where the sectors really lie (constant linear velocity), and
 * along a strip; the legend and totals; the read-speed curve of a scan
 * with the nominal x-speeds; the scan's slow reads under the strip.
 *
 * Every area is one element carrying data-pos, data-size (bytes) and
 * data-state, so that a program can check the picture against the mapfile.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/report/report_private.h"

#define W 1000.0
#define H 690.0
#define DISC_CX 250.0
#define DISC_CY 285.0
#define DISC_R 230.0            /* pixels for 58 mm */
#define STRIP_X 40.0
#define STRIP_Y 556.0
#define STRIP_H 36.0
#define SLOW_Y (STRIP_Y + 70)
#define CURVE_X 560.0
#define CURVE_Y 300.0
#define CURVE_W 410.0
#define CURVE_H 190.0

static const char *class_colour(enum img_scan_class c)
{
	static const char *const col[IMG_SCAN__COUNT] = {
		"#3cb44b", "#f5c542", "#f032e6", "#000075", "#e6194b",
	};
	return (unsigned)c < IMG_SCAN__COUNT ? col[c] : "#000000";
}

static void text(struct rpt_buf *b, double x, double y, const char *attrs,
		 const char *s, size_t max)
{
	char cut[128];

	if (!s)
		return;
	if (strlen(s) > max && max < sizeof(cut) - 4) {
		/* keep the end of a long path: the file name tells most */
		snprintf(cut, sizeof(cut), "...%s", s + strlen(s) - (max - 3));
		s = cut;
	}
	rpt_printf(b, "<text x=\"%.1f\" y=\"%.1f\"%s%s>", x, y, attrs ? " " : "", attrs ? attrs : "");
	rpt_escape(b, s);
	rpt_puts(b, "</text>\n");
}

static void area_title(struct rpt_buf *b, const struct img_area *a)
{
	rpt_printf(b, "<title>LBA %lld-%lld: %s</title>",
		   (long long)(a->pos / SP_SECTOR),
		   (long long)((a->pos + a->size - 1) / SP_SECTOR),
		   img_area_state_name(a->state));
}

static void draw_disc(const struct img_report *r, const struct img_areas *s,
		      struct rpt_buf *b)
{
	struct rpt_geometry g;
	double scale = DISC_R / 58.0;

	rpt_geometry(r->profile, r->total_bytes / SP_SECTOR, &g);
	rpt_printf(b, "<g id=\"disc\" data-r0=\"%g\" data-r1=\"%g\" data-k=\"%.9g\" "
		   "data-scale=\"%g\">\n", g.r0, g.r1, g.k, scale);
	rpt_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#eceff4\" "
		   "stroke=\"#8a8f99\"/>\n", DISC_CX, DISC_CY, 60 * scale);
	rpt_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#dfe3ea\"/>\n",
		   DISC_CX, DISC_CY, g.r0 * scale);
	/* the rescued rings first: damage drawn last stays visible */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->n; i++) {
			const struct img_area *a = &s->v[i];
			double ra, rb, w;

			if ((a->state == IMG_AREA_RESCUED) != (pass == 0))
				continue;
			ra = rpt_radius(&g, (double)a->pos / SP_SECTOR) * scale;
			rb = rpt_radius(&g, (double)(a->pos + a->size) / SP_SECTOR) * scale;
			w = rb - ra < 0.8 ? 0.8 : rb - ra;
			rpt_printf(b, "<circle class=\"ring\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.3f\" "
				   "fill=\"none\" stroke=\"%s\" stroke-width=\"%.3f\" "
				   "data-pos=\"%lld\" data-size=\"%lld\" data-state=\"%s\">",
				   DISC_CX, DISC_CY, (ra + rb) / 2, img_area_state_colour(a->state), w,
				   (long long)a->pos, (long long)a->size,
				   img_area_state_name(a->state));
			area_title(b, a);
			rpt_puts(b, "</circle>\n");
		}
	}
	rpt_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#ffffff\" "
		   "stroke=\"#8a8f99\"/>\n", DISC_CX, DISC_CY, 7.5 * scale);
	rpt_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555\">"
		   "%s, %g-%g mm</text>\n", DISC_CX, DISC_CY + 60 * scale + 16, g.family,
		   g.r0, g.r1);
	rpt_puts(b, "</g>\n");
}

static void draw_strip(const struct img_report *r, const struct img_areas *s,
		       struct rpt_buf *b)
{
	double total = r->total_bytes > 0 ? (double)r->total_bytes : 1;
	int64_t sectors = r->total_bytes / SP_SECTOR;

	rpt_printf(b, "<g id=\"strip\" data-x=\"%g\" data-width=\"%g\">\n", STRIP_X,
		   RPT_STRIP_WIDTH);
	rpt_printf(b, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"#ffffff\" "
		   "stroke=\"#8a8f99\"/>\n", STRIP_X - 1, STRIP_Y - 1, RPT_STRIP_WIDTH + 2,
		   STRIP_H + 2);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->n; i++) {
			const struct img_area *a = &s->v[i];
			double x = STRIP_X + (double)a->pos / total * RPT_STRIP_WIDTH;
			double w = (double)a->size / total * RPT_STRIP_WIDTH;

			if ((a->state == IMG_AREA_RESCUED) != (pass == 0))
				continue;
			rpt_printf(b, "<rect class=\"area\" id=\"area-%zu\" x=\"%.3f\" y=\"%g\" "
				   "width=\"%.3f\" height=\"%g\" fill=\"%s\" data-pos=\"%lld\" "
				   "data-size=\"%lld\" data-state=\"%s\">", i, x, STRIP_Y,
				   w < 0.5 ? 0.5 : w, STRIP_H, img_area_state_colour(a->state),
				   (long long)a->pos, (long long)a->size,
				   img_area_state_name(a->state));
			area_title(b, a);
			rpt_puts(b, "</rect>\n");
		}
	}
	for (int t = 0; t <= 4; t++) {
		double x = STRIP_X + RPT_STRIP_WIDTH * t / 4;

		rpt_printf(b, "<line x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\" stroke=\"#555\"/>\n",
			   x, STRIP_Y + STRIP_H + 1, x, STRIP_Y + STRIP_H + 6);
		rpt_printf(b, "<text x=\"%.1f\" y=\"%g\" text-anchor=\"%s\" fill=\"#555\">LBA %lld</text>\n",
			   x, STRIP_Y + STRIP_H + 18, t == 0 ? "start" : t == 4 ? "end" : "middle",
			   (long long)(sectors / 4 * t + sectors % 4 * t / 4));
	}
	rpt_puts(b, "</g>\n");
}

static void draw_slow(const struct img_report *r, struct rpt_buf *b)
{
	const struct img_scan_result *sc = r->scan;
	double total = sc->sectors > 0 ? (double)sc->sectors : 1;

	rpt_puts(b, "<g id=\"slow\">\n");
	text(b, STRIP_X, SLOW_Y - 4, "fill=\"#333\"", "read times (scan):", 40);
	rpt_printf(b, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"12\" fill=\"%s\"/>\n",
		   STRIP_X, SLOW_Y, RPT_STRIP_WIDTH, class_colour(IMG_SCAN_NORMAL));
	for (size_t i = 0; i < sc->n_slow; i++) {
		const struct img_scan_area *a = &sc->slow[i];
		double w = (double)a->sectors / total * RPT_STRIP_WIDTH;

		rpt_printf(b, "<rect class=\"slow\" x=\"%.3f\" y=\"%g\" width=\"%.3f\" height=\"12\" "
			   "fill=\"%s\" data-lba=\"%lld\" data-sectors=\"%lld\" data-class=\"%s\">"
			   "<title>LBA %lld-%lld: %s, %.1f ms</title></rect>\n",
			   STRIP_X + (double)a->lba / total * RPT_STRIP_WIDTH, SLOW_Y,
			   w < 0.8 ? 0.8 : w, class_colour(a->cls), (long long)a->lba,
			   (long long)a->sectors, img_scan_class_name(a->cls),
			   (long long)a->lba, (long long)(a->lba + a->sectors - 1),
			   img_scan_class_name(a->cls), a->seconds * 1000);
	}
	for (int c = 0; c < IMG_SCAN__COUNT; c++) {
		char l[64];
		double x = STRIP_X + 180 * c;

		snprintf(l, sizeof(l), "%s: %lld reads", img_scan_class_name((enum img_scan_class)c),
			 (long long)sc->class_reads[c]);
		rpt_printf(b, "<rect x=\"%.1f\" y=\"%g\" width=\"12\" height=\"12\" fill=\"%s\"/>\n",
			   x, SLOW_Y + 20, class_colour((enum img_scan_class)c));
		text(b, x + 16, SLOW_Y + 30, NULL, l, 40);
	}
	rpt_puts(b, "</g>\n");
}

enum sp_status img_report_curve(const struct img_report *r, struct img_speed_point **pts,
				size_t *n, int64_t *sectors, double *avg_kbps,
				struct sp_error *err)
{
	const struct img_read_times *t = r->times;
	int64_t good = 0;
	double good_time = 0;

	*pts = NULL;
	*n = 0;
	*sectors = 0;
	*avg_kbps = 0;
	if (r->scan && r->scan->n_curve) {
		*pts = malloc(r->scan->n_curve * sizeof(**pts));
		if (!*pts)
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		memcpy(*pts, r->scan->curve, r->scan->n_curve * sizeof(**pts));
		*n = r->scan->n_curve;
		*sectors = r->scan->sectors;
		*avg_kbps = r->scan->avg_kbps;
		return SP_OK;
	}
	if (!t || !t->n)
		return SP_OK;
	*pts = malloc(t->n * sizeof(**pts));
	if (!*pts)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	for (size_t i = 0; i < t->n; i++) {
		const struct img_read_bin *v = &t->v[i];
		int64_t lba = (int64_t)i * t->per_bin;

		if (v->sectors <= 0 || v->seconds <= 0)
			continue;       /* nothing read well there, or no time */
		good += v->sectors;
		good_time += v->seconds;
		(*pts)[(*n)++] = (struct img_speed_point){ lba,
			lba + t->per_bin < t->sectors ? t->per_bin : t->sectors - lba,
			(double)v->sectors * (SP_SECTOR / 1000.0) / v->seconds };
	}
	*sectors = t->sectors;
	*avg_kbps = good_time > 0 ? (double)good * (SP_SECTOR / 1000.0) / good_time : 0;
	if (!*n) {
		free(*pts);
		*pts = NULL;
	}
	return SP_OK;
}

static void draw_curve(const struct img_report *r, struct rpt_buf *b)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_speed_point *pts = NULL;
	size_t n = 0;
	int64_t sectors = 0;
	struct rpt_geometry g;
	double ymax = 0, total, last_y = -1e9, avg = 0;
	int lines = 0;
	double mult[12];

	if (img_report_curve(r, &pts, &n, &sectors, &avg, &err) != SP_OK)
		b->oom = true;
	rpt_geometry(r->profile, sectors > 0 ? sectors : r->total_bytes / SP_SECTOR, &g);
	rpt_puts(b, "<g id=\"curve\">\n");
	rpt_printf(b, "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"#fafbfc\" "
		   "stroke=\"#8a8f99\"/>\n", CURVE_X, CURVE_Y, CURVE_W, CURVE_H);
	text(b, CURVE_X, CURVE_Y - 8, "font-weight=\"bold\"", "read speed", 40);
	if (!n) {
		text(b, CURVE_X + CURVE_W / 2, CURVE_Y + CURVE_H / 2,
		     "text-anchor=\"middle\" fill=\"#777\"",
		     "no read-speed curve: scan, rip and extract measure one", 60);
		rpt_puts(b, "</g>\n");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (pts[i].kbps > ymax)
			ymax = pts[i].kbps;
	ymax = ymax > 0 ? ymax * 1.15 : g.x1_kbps;
	total = sectors > 0 ? (double)sectors : 1;
	/* the nominal speeds: 1x, 2x, 4x ... the last six that fit */
	for (double m = 1; m * g.x1_kbps <= ymax && m < 1e9; m *= 2) {
		if (lines == 6) {
			memmove(mult, mult + 1, 5 * sizeof(*mult));
			lines--;
		}
		mult[lines++] = m;
	}
	for (int i = lines - 1; i >= 0; i--) {
		double y = CURVE_Y + CURVE_H - mult[i] * g.x1_kbps / ymax * CURVE_H;

		if (y < last_y + 14)
			continue;       /* too close to the line above to label */
		last_y = y;

		rpt_printf(b, "<line class=\"nominal\" x1=\"%g\" y1=\"%.1f\" x2=\"%g\" y2=\"%.1f\" "
			   "stroke=\"#aab\" stroke-dasharray=\"4 3\"/>\n",
			   CURVE_X, y, CURVE_X + CURVE_W, y);
		rpt_printf(b, "<text x=\"%g\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%gx</text>\n",
			   CURVE_X - 4, y + 4, mult[i]);
	}
	/* data-speeds: "LBA:sectors:kB/s" of each point, for a reader of the picture */
	rpt_printf(b, "<polyline class=\"speed\" data-source=\"%s\" data-speeds=\"",
		   r->scan && r->scan->n_curve ? "scan" : "reads");
	for (size_t i = 0; i < n; i++)
		rpt_printf(b, "%s%lld:%lld:%.0f", i ? " " : "", (long long)pts[i].lba,
			   (long long)pts[i].sectors, pts[i].kbps);
	rpt_puts(b, "\" fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"1.5\" points=\"");
	for (size_t i = 0; i < n; i++) {
		const struct img_speed_point *p = &pts[i];

		rpt_printf(b, "%.1f,%.1f ",
			   CURVE_X + ((double)p->lba + (double)p->sectors / 2) / total * CURVE_W,
			   CURVE_Y + CURVE_H - p->kbps / ymax * CURVE_H);
	}
	rpt_puts(b, "\"/>\n");
	rpt_printf(b, "<text x=\"%g\" y=\"%g\" fill=\"#555\">LBA 0</text>\n",
		   CURVE_X, CURVE_Y + CURVE_H + 14);
	rpt_printf(b, "<text x=\"%g\" y=\"%g\" text-anchor=\"end\" fill=\"#555\">LBA %lld; "
		   "average %.0f kB/s (%.1fx %s)</text>\n", CURVE_X + CURVE_W,
		   CURVE_Y + CURVE_H + 14, (long long)sectors, avg, avg / g.x1_kbps, g.family);
	rpt_puts(b, "</g>\n");
	free(pts);
}

static void draw_legend(const struct img_report *r, struct rpt_buf *b)
{
	int64_t tot[IMG_AREA__COUNT];
	double total = r->total_bytes > 0 ? (double)r->total_bytes : 1;
	double y = 60;
	char h[32], line[160];

	img_report_totals(r, tot);
	rpt_puts(b, "<g id=\"legend\">\n");
	for (int s = 0; s < IMG_AREA__COUNT; s++, y += 22) {
		rpt_printf(b, "<rect x=\"%g\" y=\"%.1f\" width=\"14\" height=\"14\" fill=\"%s\" "
			   "stroke=\"#555\" stroke-width=\"0.5\"/>\n", CURVE_X, y - 11,
			   img_area_state_colour((enum img_area_state)s));
		snprintf(line, sizeof(line), "%s: %s (%.2f%%)",
			 img_area_state_name((enum img_area_state)s),
			 sp_human_size((uint64_t)tot[s], h, sizeof(h)), 100.0 * (double)tot[s] / total);
		text(b, CURVE_X + 20, y, NULL, line, 60);
	}
	rpt_puts(b, "</g>\n<g id=\"info\">\n");
	y = 60;
	if (r->medium) {
		snprintf(line, sizeof(line), "medium: %s", r->medium);
		text(b, 780, y, NULL, line, 34);
		y += 22;
	}
	snprintf(line, sizeof(line), "%lld sectors (%s)", (long long)(r->total_bytes / SP_SECTOR),
		 sp_human_size((uint64_t)r->total_bytes, h, sizeof(h)));
	text(b, 780, y, NULL, line, 34);
	y += 22;
	snprintf(line, sizeof(line), "%zu areas in the map", r->areas.n);
	text(b, 780, y, NULL, line, 34);
	y += 22;
	if (r->elapsed >= 0) {
		snprintf(line, sizeof(line), "time: %s", sp_human_time(r->elapsed, h, sizeof(h)));
		text(b, 780, y, NULL, line, 34);
		y += 22;
	}
	if (r->reads >= 0) {
		snprintf(line, sizeof(line), "%lld reads, %lld failed", (long long)r->reads,
			 (long long)(r->failed_reads > 0 ? r->failed_reads : 0));
		text(b, 780, y, NULL, line, 34);
		y += 22;
	}
	if (r->files) {
		snprintf(line, sizeof(line), "%zu file%s hit by damage", r->files->n,
			 r->files->n == 1 ? "" : "s");
		text(b, 780, y, NULL, line, 34);
	}
	rpt_puts(b, "</g>\n");
}

void rpt_svg_draw(const struct img_report *r, const struct img_areas *strip,
		  struct rpt_buf *b)
{
	char head[256];

	rpt_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
		   "viewBox=\"0 0 %g %g\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"12\" "
		   "data-total=\"%lld\">\n", W, H, W, H, (long long)r->total_bytes);
	snprintf(head, sizeof(head), "%s%s%s", r->title ? r->title : "spindle report",
		 r->source ? ": " : "", r->source ? r->source : "");
	rpt_puts(b, "<title>");
	rpt_escape(b, head);
	rpt_puts(b, "</title>\n");
	rpt_printf(b, "<rect width=\"%g\" height=\"%g\" fill=\"#ffffff\"/>\n", W, H);
	text(b, 20, 26, "font-size=\"16\" font-weight=\"bold\"", head, 90);
	if (r->drive)
		text(b, 20, 44, "fill=\"#555\"", r->drive, 90);
	draw_disc(r, strip, b);
	draw_legend(r, b);
	draw_curve(r, b);
	draw_strip(r, strip, b);
	if (r->scan)
		draw_slow(r, b);
	rpt_puts(b, "</svg>\n");
}

enum sp_status img_report_svg(const struct img_report *r, char **out, size_t *len,
			      struct sp_error *err)
{
	struct rpt_buf b = { NULL, 0, 0, false };
	struct img_areas strip = { NULL, 0, 0 };

	if (rpt_strip_areas(r, RPT_STRIP_WIDTH, &strip, err) != SP_OK)
		return SP_FAILED;
	rpt_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	rpt_svg_draw(r, &strip, &b);
	img_areas_release(&strip);
	return rpt_finish(&b, out, len, err);
}
