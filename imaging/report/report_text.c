/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_text.c - the one-screen map for a terminal: 16 rows of 64 cells,
 * each cell the worst state of its stretch of the disc, in block
 * characters (coloured on a terminal), with a legend.
 */
#include "config.h"

#include <stdio.h>

#include "imaging/report/report_private.h"

#define COLS 64
#define ROWS 16

static const struct {
	const char *glyph;      /* UTF-8 */
	int colour;             /* xterm 256-colour index */
} look[IMG_AREA__COUNT] = {
	[IMG_AREA_RESCUED] = { "\u2588", 34 },
	[IMG_AREA_REPAIRED] = { "\u2593", 27 },
	[IMG_AREA_RUNOUT] = { "\u2592", 130 },
	[IMG_AREA_UNTRIED] = { "\u2591", 245 },
	[IMG_AREA_NONTRIMMED] = { "\u259e", 220 },
	[IMG_AREA_NONSCRAPED] = { "\u259a", 208 },
	[IMG_AREA_MISMATCH] = { "\u2584", 129 },
	[IMG_AREA_BAD] = { "X", 196 },
};

/* A cell; the colour is switched only when it changes (*cur: -1 none). */
/* total * k / n without overflow, for k <= n */
static int64_t part(int64_t total, int64_t k, int64_t n)
{
	return total / n * k + total % n * k / n;
}

static void cell(FILE *f, enum img_area_state s, bool colour, int *cur)
{
	if (colour && *cur != look[s].colour) {
		fprintf(f, "\033[38;5;%dm", look[s].colour);
		*cur = look[s].colour;
	}
	fputs(look[s].glyph, f);
}

static void end_colour(FILE *f, bool colour, int *cur)
{
	if (colour && *cur >= 0)
		fputs("\033[0m", f);
	*cur = -1;
}

void img_report_text(const struct img_report *r, FILE *f, bool colour)
{
	int64_t tot[IMG_AREA__COUNT], total = r->total_bytes;
	size_t i = 0;
	char h[32];
	int cur = -1;

	if (total <= 0) {
		fprintf(f, "(an empty map)\n");
		return;
	}
	fprintf(f, "disc map, %lld sectors, %lld per cell:\n", (long long)(total / SP_SECTOR),
		(long long)((total / SP_SECTOR + ROWS * COLS - 1) / (ROWS * COLS)));
	for (int row = 0; row < ROWS; row++) {
		int64_t rs = part(total, row, ROWS);

		fprintf(f, "%10lld ", (long long)(rs / SP_SECTOR));
		for (int c = 0; c < COLS; c++) {
			int k = row * COLS + c;
			int64_t cs = part(total, k, ROWS * COLS), ce = part(total, k + 1, ROWS * COLS);
			enum img_area_state worst = IMG_AREA_RESCUED;
			bool any = false;

			if (ce <= cs) {         /* fewer bytes than cells */
				end_colour(f, colour, &cur);
				fputc(' ', f);
				continue;
			}
			while (i < r->areas.n && r->areas.v[i].pos + r->areas.v[i].size <= cs)
				i++;
			for (size_t j = i; j < r->areas.n && r->areas.v[j].pos < ce; j++) {
				worst = any ? rpt_worst(worst, r->areas.v[j].state) : r->areas.v[j].state;
				any = true;
			}
			cell(f, worst, colour, &cur);
		}
		end_colour(f, colour, &cur);
		fputc('\n', f);
	}
	img_report_totals(r, tot);
	for (int s = 0; s < IMG_AREA__COUNT; s++) {
		if (!tot[s] && s != IMG_AREA_RESCUED && s != IMG_AREA_BAD)
			continue;
		fputs("  ", f);
		cell(f, (enum img_area_state)s, colour, &cur);
		end_colour(f, colour, &cur);
		fprintf(f, " %-12s %10lld sectors  %s\n", img_area_state_name((enum img_area_state)s),
			(long long)(tot[s] / SP_SECTOR), sp_human_size((uint64_t)tot[s], h, sizeof(h)));
	}
}
