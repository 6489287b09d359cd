/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_html.c - the report as one self-contained page: the picture
 * inline, the drive, medium, times and totals, the files hit by damage
 * linked to their places on the map, the bad ranges and the scan's zones.
 * No script, no style sheet or font from elsewhere: it opens offline.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imaging/report/report_private.h"

#define MAX_ROWS 500            /* rows per table; the mapfile has them all */

static const char style[] =
	"body{margin:0;font-family:'DejaVu Sans',sans-serif;font-size:14px;color:#222;background:#fff}"
	"header{height:40px;padding:0 16px;overflow:hidden;background:#24324a;color:#fff;line-height:40px}"
	"header h1{font-size:18px;margin:0;white-space:nowrap}"
	"svg{display:block}"
	"main{padding:8px 16px 24px}"
	"table{border-collapse:collapse;margin:8px 0 16px}"
	"th,td{border:1px solid #ccd;padding:3px 8px;text-align:left}"
	"th{background:#eef1f6}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"a{color:#1f5fbf}"
	".sw{display:inline-block;width:12px;height:12px;border:1px solid #555;vertical-align:middle;margin-right:4px}"
	"rect.area:target{stroke:#000;stroke-width:2}";

static void row(struct rpt_buf *b, const char *k, const char *v)
{
	if (!v)
		return;
	rpt_printf(b, "<tr><th>%s</th><td>", k);
	rpt_escape(b, v);
	rpt_puts(b, "</td></tr>\n");
}

static void info_table(const struct img_report *r, struct rpt_buf *b)
{
	char h[64], v[128];

	rpt_puts(b, "<h2>Summary</h2>\n<table id=\"summary\">\n");
	row(b, "source", r->source);
	row(b, "drive", r->drive);
	row(b, "medium", r->medium);
	row(b, "image", r->image);
	row(b, "mapfile", r->mapfile);
	snprintf(v, sizeof(v), "%lld sectors (%s)", (long long)(r->total_bytes / SP_SECTOR),
		 sp_human_size((uint64_t)r->total_bytes, h, sizeof(h)));
	row(b, "size", v);
	if (r->elapsed >= 0)
		row(b, "time", sp_human_time(r->elapsed, h, sizeof(h)));
	if (r->reads >= 0) {
		snprintf(v, sizeof(v), "%lld, of which %lld failed", (long long)r->reads,
			 (long long)(r->failed_reads > 0 ? r->failed_reads : 0));
		row(b, "read commands", v);
	}
	rpt_puts(b, "</table>\n");
}

static void totals_table(const struct img_report *r, struct rpt_buf *b)
{
	int64_t tot[IMG_AREA__COUNT];
	size_t areas[IMG_AREA__COUNT] = { 0 };
	double total = r->total_bytes > 0 ? (double)r->total_bytes : 1;
	char h[32];

	img_report_totals(r, tot);
	for (size_t i = 0; i < r->areas.n; i++)
		areas[r->areas.v[i].state]++;
	rpt_puts(b, "<h2>Totals</h2>\n<table id=\"totals\"><tr><th>state</th><th>areas</th>"
		 "<th>sectors</th><th>size</th><th>share</th></tr>\n");
	for (int s = 0; s < IMG_AREA__COUNT; s++)
		rpt_printf(b, "<tr><td><span class=\"sw\" style=\"background:%s\"></span>%s</td>"
			   "<td class=\"n\">%zu</td><td class=\"n\">%lld</td><td class=\"n\">%s</td>"
			   "<td class=\"n\">%.2f%%</td></tr>\n",
			   img_area_state_colour((enum img_area_state)s),
			   img_area_state_name((enum img_area_state)s), areas[s],
			   (long long)(tot[s] / SP_SECTOR), sp_human_size((uint64_t)tot[s], h, sizeof(h)),
			   100.0 * (double)tot[s] / total);
	rpt_puts(b, "</table>\n");
}

/*
 * The bad ranges of a file: from its first bad sector on, the areas not
 * rescued, until they add up to its bad sectors.  A file's data is one
 * extent (a section each 4 GiB), so the areas in between are its own.
 */
static void file_ranges(const struct img_report *r, const struct img_areas *strip,
			const struct img_iso_file *f, struct rpt_buf *b)
{
	int64_t left = f->bad_sectors, at = f->first_bad_lba * SP_SECTOR;
	int shown = 0;

	for (size_t i = rpt_area_at(&r->areas, at); i < r->areas.n && left > 0; i++) {
		const struct img_area *a = &r->areas.v[i];
		int64_t s = (a->pos > at ? a->pos : at) / SP_SECTOR;
		int64_t e = (a->pos + a->size + SP_SECTOR - 1) / SP_SECTOR;

		if (a->state == IMG_AREA_RESCUED)
			continue;
		if (e - s > left)
			e = s + left;
		left -= e - s;
		if (shown++ == 8) {
			rpt_puts(b, " ...");
			break;
		}
		rpt_printf(b, "%s<a href=\"#area-%zu\">%lld-%lld</a>", shown > 1 ? ", " : "",
			   rpt_area_at(strip, s * SP_SECTOR), (long long)s, (long long)(e - 1));
	}
}

static void files_table(const struct img_report *r, const struct img_areas *strip,
			struct rpt_buf *b)
{
	const struct img_iso_damage *f = r->files;

	rpt_printf(b, "<h2>Files hit by damage</h2>\n<p>%zu of %lld files.%s</p>\n", f->n,
		   (long long)f->files_total, f->tree_damaged ?
		   " Directory records lie in bad areas: the list may be incomplete." : "");
	if (!f->n)
		return;
	rpt_puts(b, "<table id=\"files\"><tr><th>file</th><th>size</th><th>bad sectors</th>"
		 "<th>bad LBAs (on the map)</th></tr>\n");
	for (size_t i = 0; i < f->n && i < MAX_ROWS; i++) {
		rpt_puts(b, "<tr><td>");
		rpt_escape(b, f->files[i].path);
		rpt_printf(b, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td>",
			   (long long)f->files[i].size, (long long)f->files[i].bad_sectors);
		file_ranges(r, strip, &f->files[i], b);
		rpt_puts(b, "</td></tr>\n");
	}
	rpt_puts(b, "</table>\n");
	if (f->n > MAX_ROWS)
		rpt_printf(b, "<p>... and %zu more files.</p>\n", f->n - MAX_ROWS);
}

static void ranges_table(const struct img_report *r, const struct img_areas *strip,
			 struct rpt_buf *b)
{
	size_t shown = 0, n = 0;

	for (size_t i = 0; i < r->areas.n; i++)
		n += r->areas.v[i].state != IMG_AREA_RESCUED;
	rpt_printf(b, "<h2>Areas not rescued</h2>\n<p>%zu area%s.</p>\n", n, n == 1 ? "" : "s");
	if (!n)
		return;
	rpt_puts(b, "<table id=\"ranges\"><tr><th>first LBA</th><th>last LBA</th><th>sectors</th>"
		 "<th>state</th></tr>\n");
	for (size_t i = 0; i < r->areas.n && shown < MAX_ROWS; i++) {
		const struct img_area *a = &r->areas.v[i];
		int64_t first = a->pos / SP_SECTOR, last = (a->pos + a->size - 1) / SP_SECTOR;

		if (a->state == IMG_AREA_RESCUED)
			continue;
		shown++;
		rpt_printf(b, "<tr><td class=\"n\"><a href=\"#area-%zu\">%lld</a></td>"
			   "<td class=\"n\">%lld</td><td class=\"n\">%lld</td><td>"
			   "<span class=\"sw\" style=\"background:%s\"></span>%s</td></tr>\n",
			   rpt_area_at(strip, a->pos), (long long)first, (long long)last,
			   (long long)(last - first + 1), img_area_state_colour(a->state),
			   img_area_state_name(a->state));
	}
	rpt_puts(b, "</table>\n");
	if (shown < n)
		rpt_printf(b, "<p>... and %zu more (the mapfile has them all).</p>\n", n - shown);
}

static void scan_tables(const struct img_scan_result *sc, struct rpt_buf *b)
{
	rpt_printf(b, "<h2>Read times</h2>\n<p>%lld read commands of up to %u ECC blocks; "
		   "median %.3f ms per sector; average %.0f kB/s, slowest zone %.0f kB/s.</p>\n",
		   (long long)sc->reads, sc->ecc_block ? 64 / sc->ecc_block : 0,
		   sc->median_ms_per_sector, sc->avg_kbps, sc->min_kbps);
	rpt_puts(b, "<table id=\"classes\"><tr><th>class</th><th>reads</th></tr>\n");
	for (int c = 0; c < IMG_SCAN__COUNT; c++)
		rpt_printf(b, "<tr><td>%s</td><td class=\"n\">%lld</td></tr>\n",
			   img_scan_class_name((enum img_scan_class)c), (long long)sc->class_reads[c]);
	rpt_puts(b, "</table>\n");
	if (sc->n_slow) {
		rpt_puts(b, "<table id=\"slow\"><tr><th>first LBA</th><th>sectors</th><th>class</th>"
			 "<th>time</th></tr>\n");
		for (size_t i = 0; i < sc->n_slow && i < MAX_ROWS; i++)
			rpt_printf(b, "<tr><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td>%s</td>"
				   "<td class=\"n\">%.1f ms</td></tr>\n", (long long)sc->slow[i].lba,
				   (long long)sc->slow[i].sectors, img_scan_class_name(sc->slow[i].cls),
				   sc->slow[i].seconds * 1000);
		rpt_puts(b, "</table>\n");
	}
	rpt_puts(b, "<table id=\"zones\"><tr><th>zone from LBA</th><th>sectors</th><th>kB/s</th>"
		 "<th>slowest read kB/s</th><th>bad sectors</th></tr>\n");
	for (size_t i = 0; i < sc->n_zones; i++)
		rpt_printf(b, "<tr><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
			   "<td class=\"n\">%.0f</td><td class=\"n\">%.0f</td><td class=\"n\">%lld</td></tr>\n",
			   (long long)sc->zones[i].lba, (long long)sc->zones[i].sectors,
			   sc->zones[i].kbps, sc->zones[i].min_kbps, (long long)sc->zones[i].bad_sectors);
	rpt_puts(b, "</table>\n");
}

enum sp_status img_report_html(const struct img_report *r, char **out, size_t *len,
			       struct sp_error *err)
{
	struct rpt_buf b = { NULL, 0, 0, false };
	struct img_areas strip = { NULL, 0, 0 };
	const char *title = r->title ? r->title : "spindle report";

	if (rpt_strip_areas(r, RPT_STRIP_WIDTH, &strip, err) != SP_OK)
		return SP_FAILED;
	rpt_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	rpt_escape(&b, title);
	if (r->source) {
		rpt_puts(&b, ": ");
		rpt_escape(&b, r->source);
	}
	rpt_printf(&b, "</title>\n<style>%s</style>\n</head>\n<body>\n<header><h1>", style);
	rpt_escape(&b, title);
	if (r->source) {
		rpt_puts(&b, ": ");
		rpt_escape(&b, r->source);
	}
	rpt_puts(&b, "</h1></header>\n");
	rpt_svg_draw(r, &strip, &b);
	rpt_puts(&b, "<main>\n");
	info_table(r, &b);
	totals_table(r, &b);
	if (r->files)
		files_table(r, &strip, &b);
	ranges_table(r, &strip, &b);
	if (r->scan)
		scan_tables(r->scan, &b);
	rpt_puts(&b, "<p>Made by spindle " PACKAGE_VERSION ".</p>\n</main>\n</body>\n</html>\n");
	img_areas_release(&strip);
	return rpt_finish(&b, out, len, err);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcasecmp(s + n - m, suffix);
}

bool img_report_name_ok(const char *path)
{
	return ends_with(path, ".html") || ends_with(path, ".htm") || ends_with(path, ".svg");
}

enum sp_status img_report_write(const struct img_report *r, const char *path,
				struct sp_error *err)
{
	char *text = NULL;
	size_t len = 0;
	enum sp_status st;

	if (!img_report_name_ok(path))
		return sp_error_set(err, SPE_USAGE, "cannot tell the kind of report '%s': "
				    "name it FILE.html or FILE.svg", path);
	if (ends_with(path, ".svg"))
		st = img_report_svg(r, &text, &len, err);
	else
		st = img_report_html(r, &text, &len, err);
	if (st != SP_OK)
		return st;
	st = sp_write_file_atomic(path, text, len, err);
	free(text);
	return st;
}
