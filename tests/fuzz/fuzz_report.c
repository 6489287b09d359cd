/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_report.c - a mapfile from anywhere (spindle report MAPFILE) drawn
 * as an SVG, an HTML page and the text map.  Besides crashes this checks
 * that the picture stays bounded (areas merged below a pixel) and that
 * ranges laid over the map keep it whole.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/imaging.h"
#include "tests/fuzz/fuzz.h"

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)); p++)
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_mapfile m;
	struct img_report r = IMG_REPORT_INIT;
	struct img_ranges lbas = IMG_RANGES_INIT;
	struct sp_error err = SP_ERROR_INIT;
	char *text = NULL;
	size_t len = 0;
	int64_t tot[IMG_AREA__COUNT], sum = 0, at = 0;
	FILE *null;

	img_mapfile_init(&m);
	if (img_mapfile_parse(&m, (const char *)data, size, &err) != SP_OK || !m.n)
		goto out;
	fuzz_assert(img_report_set_map(&r, &m, &err) == SP_OK);
	/* a few ranges from the first bytes, laid over the map */
	for (size_t i = 0; i + 4 <= size && i < 16; i += 4)
		img_ranges_add(&lbas, data[i] | data[i + 1] << 8, 1 + (data[i + 2] | data[i + 3] << 8));
	fuzz_assert(img_report_overlay(&r, &lbas, IMG_AREA_REPAIRED, &err) == SP_OK);
	for (size_t i = 0; i < r.areas.n; i++) {
		fuzz_assert(r.areas.v[i].pos == at && r.areas.v[i].size > 0);
		at += r.areas.v[i].size;
	}
	fuzz_assert(at == r.total_bytes && at == img_mapfile_size(&m));
	img_report_totals(&r, tot);
	for (int s = 0; s < IMG_AREA__COUNT; s++)
		sum += tot[s];
	fuzz_assert(sum == r.total_bytes);
	fuzz_assert(img_report_svg(&r, &text, &len, &err) == SP_OK);
	fuzz_assert(strlen(text) == len);
	fuzz_assert(count(text, "class=\"area\"") <= 2 * 920 + 2);
	free(text);
	text = NULL;
	fuzz_assert(img_report_html(&r, &text, &len, &err) == SP_OK);
	null = fopen("/dev/null", "w");
	if (null) {
		img_report_text(&r, null, true);
		fclose(null);
	}
out:
	free(text);
	img_ranges_release(&lbas);
	img_report_release(&r);
	img_mapfile_release(&m);
	return 0;
}
