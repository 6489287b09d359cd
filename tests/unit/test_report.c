/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests of imaging/report/: merging below a pixel, overlays. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imaging/imaging.h"
#include "tests/unit/test.h"

DEFINE_TEST(test_report_merge_keeps_big_areas_exact)
{
	static const struct img_area v[] = {
		{ 0, 1000, IMG_AREA_RESCUED },
		{ 1000, 10, IMG_AREA_BAD },             /* below the unit of 100 */
		{ 1010, 20, IMG_AREA_RESCUED },
		{ 1030, 5, IMG_AREA_NONSCRAPED },
		{ 1035, 100, IMG_AREA_RESCUED },
		{ 1135, 400, IMG_AREA_UNTRIED },
	};
	struct img_areas out = { NULL, 0, 0 };
	struct sp_error err = SP_ERROR_INIT;

	assert_int_eq(SP_OK, img_areas_merge(v, 6, 100, &out, &err));
	/* the three small ones become one, the worst of them: bad */
	assert_int_eq(4, out.n);
	assert_int_eq(0, out.v[0].pos);
	assert_int_eq(1000, out.v[0].size);
	assert_int_eq(1000, out.v[1].pos);
	assert_int_eq(35, out.v[1].size);
	assert_int_eq(IMG_AREA_BAD, out.v[1].state);
	assert_int_eq(1035, out.v[2].pos);
	assert_int_eq(IMG_AREA_RESCUED, out.v[2].state);
	assert_int_eq(IMG_AREA_UNTRIED, out.v[3].state);
	assert_int_eq(1535, out.v[3].pos + out.v[3].size);
	img_areas_release(&out);
}

DEFINE_TEST(test_report_merge_bounded)
{
	enum { N = 100000 };
	struct img_area *v = calloc(N, sizeof(*v));
	struct img_areas out = { NULL, 0, 0 };
	struct sp_error err = SP_ERROR_INIT;
	int64_t end = 0;

	assert_true(v != NULL);
	for (int i = 0; i < N; i++)
		v[i] = (struct img_area){ (int64_t)i * 7, 7,
					  i % 5 ? IMG_AREA_RESCUED : IMG_AREA_NONTRIMMED };
	assert_int_eq(SP_OK, img_areas_merge(v, N, (int64_t)N * 7 / 500, &out, &err));
	assert_true(out.n <= 2 * 500 + 1);
	/* contiguous, covering everything */
	for (size_t i = 0; i < out.n; i++) {
		assert_int_eq(end, out.v[i].pos);
		end += out.v[i].size;
	}
	assert_int_eq((int64_t)N * 7, end);
	img_areas_release(&out);
	free(v);
}

DEFINE_TEST(test_report_overlay_ranges)
{
	struct img_mapfile m;
	struct img_report r = IMG_REPORT_INIT;
	struct img_ranges runout = IMG_RANGES_INIT;
	struct sp_error err = SP_ERROR_INIT;
	int64_t tot[IMG_AREA__COUNT];

	img_mapfile_init(&m);
	assert_int_eq(SP_OK, img_mapfile_reset(&m, 100 * SP_SECTOR));
	assert_int_eq(SP_OK, img_mapfile_mark(&m, 0, 100 * SP_SECTOR, '+', IMG_MARK_ALWAYS));
	assert_int_eq(SP_OK, img_mapfile_mark(&m, 10 * SP_SECTOR, 10 * SP_SECTOR, '-',
					      IMG_MARK_ALWAYS));
	assert_int_eq(SP_OK, img_report_set_map(&r, &m, &err));
	assert_int_eq(3, r.areas.n);
	/* given out of order, overlapping the bad area and the end */
	assert_int_eq(SP_OK, img_ranges_add(&runout, 95, 10));
	assert_int_eq(SP_OK, img_ranges_add(&runout, 15, 10));
	assert_int_eq(SP_OK, img_report_overlay(&r, &runout, IMG_AREA_RUNOUT, &err));
	img_report_totals(&r, tot);
	assert_int_eq(5 * SP_SECTOR, tot[IMG_AREA_BAD]);
	assert_int_eq(15 * SP_SECTOR, tot[IMG_AREA_RUNOUT]);
	assert_int_eq(80 * SP_SECTOR, tot[IMG_AREA_RESCUED]);
	assert_int_eq(100 * SP_SECTOR, r.total_bytes);
	assert_int_eq(5, r.areas.n);
	img_ranges_release(&runout);
	img_report_release(&r);
	img_mapfile_release(&m);
}

DEFINE_TEST(test_read_times_bins)
{
	struct img_read_times t = IMG_READ_TIMES_INIT;
	struct img_report r = IMG_REPORT_INIT;
	struct img_speed_point *pts;
	struct sp_error err = SP_ERROR_INIT;
	int64_t sectors;
	double avg;
	size_t n;

	/* 1000 sectors in at most 300 bins: 4 sectors a bin, 250 bins */
	assert_int_eq(SP_OK, img_read_times_init(&t, 1000, 300));
	assert_int_eq(250, t.n);
	assert_int_eq(4, t.per_bin);
	/* a read over bins 1-3 shares its time by sectors; past the end is
	 * left out; a failed read counts apart */
	img_read_times_add(&t, 6, 8, 0.8, true);
	assert_int_eq(2, t.v[1].sectors);
	assert_true(t.v[1].seconds > 0.199 && t.v[1].seconds < 0.201);
	assert_int_eq(4, t.v[2].sectors);
	assert_int_eq(2, t.v[3].sectors);
	img_read_times_add(&t, 998, 10, 1.0, true);
	assert_int_eq(2, t.v[249].sectors);
	assert_true(t.v[249].seconds > 0.199 && t.v[249].seconds < 0.201);
	img_read_times_add(&t, 1000, 4, 1.0, true);
	img_read_times_add(&t, 40, 4, 2.0, false);
	assert_int_eq(0, t.v[10].sectors);
	assert_int_eq(4, t.v[10].failed_sectors);
	/* the curve: one point per bin read well, speed in kB/s */
	r.times = &t;
	assert_int_eq(SP_OK, img_report_curve(&r, &pts, &n, &sectors, &avg, &err));
	assert_int_eq(4, n);
	assert_int_eq(1000, sectors);
	assert_int_eq(4, pts[0].lba);
	assert_int_eq(4, pts[0].sectors);
	assert_int_eq(20, (long long)(pts[0].kbps + 0.5));      /* 2 x 2.048 kB in 0.2 s */
	assert_int_eq(996, pts[3].lba);
	assert_int_eq(20, (long long)(avg + 0.5));              /* 10 sectors in 1.0 s */
	free(pts);
	img_read_times_release(&t);
	assert_int_eq(0, t.n);
	/* nothing timed: no curve */
	r.times = &t;
	assert_int_eq(SP_OK, img_report_curve(&r, &pts, &n, &sectors, &avg, &err));
	assert_int_eq(0, n);
	assert_true(pts == NULL);
}
