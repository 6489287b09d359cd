/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_hostile_input.c - inputs the fuzz targets (tests/fuzz) found or
 * that guard what they check, kept as plain unit tests so that every
 * build runs them.
 */
#include "config.h"

#include "common/common.h"
#include "drive/drive.h"
#include "imaging/imaging.h"
#include "tests/unit/test.h"

/* strtoull() skips white space and accepts a sign: "\t-1" was 2^64-1 */
DEFINE_TEST(test_parse_size_rejects_space_and_sign)
{
	static const char *bad[] = { "\t-1", "\n86", " 5", "\v7k", "\r\n-2M",
				     "+3", "-0", "0x10", "1 k", "18446744073709551616",
				     "16777216T", NULL };
	uint64_t v = 42;

	for (int i = 0; bad[i]; i++) {
		if (sp_parse_size(bad[i], &v) != -1)
			test_fail(__FILE__, __LINE__, "sp_parse_size accepted \"%s\"", bad[i]);
		if (sp_parse_uint(bad[i], 0, UINT64_MAX, &v) != -1)
			test_fail(__FILE__, __LINE__, "sp_parse_uint accepted \"%s\"", bad[i]);
	}
	assert_int_eq(42, v);
	assert_int_eq(0, sp_parse_size("18446744073709551615", &v));
	assert_true(v == UINT64_MAX);
	assert_int_eq(0, sp_parse_size("16777215T", &v));
	assert_true(v == 16777215ULL << 40);
}

DEFINE_TEST(test_sense_parse_hostile)
{
	uint8_t k = 0xee, a = 0xee, q = 0xee;

	assert_int_eq(0, drv_sense_parse(NULL, &k, &a, &q));
	assert_int_eq(0, drv_sense_parse("[", &k, &a, &q));
	assert_int_eq(0, drv_sense_parse("[10 11 05]", &k, &a, &q));
	assert_int_eq(0, drv_sense_parse("[3 100 05]", &k, &a, &q));
	assert_int_eq(0, drv_sense_parse("[3 11 05", &k, &a, &q));
	assert_int_eq(0xee, k);
	assert_int_eq(1, drv_sense_parse("[[[3 [3 11 05]", &k, &a, &q));
	assert_int_eq(3, k);
	assert_int_eq(0x11, a);
	assert_int_eq(5, q);
}

/* fuzz_mapfile: a block ending near INT64_MAX overflowed in
 * img_mapfile_align() and img_mapfile_bad_ranges() (signed overflow) */
DEFINE_TEST(test_mapfile_rejects_absurd_sizes)
{
	static const char *bad[] = {
		"0 +\n0 0x7FFFFFFFFFFFFFFF -\n",
		"0 +\n0 0x800 +\n0x800 0x7FFFFFFFFFFFF000 ?\n",
		"0 +\n0x4000000000001 0x800 -\n",
		NULL
	};
	struct img_mapfile m;
	struct sp_error err = SP_ERROR_INIT;

	img_mapfile_init(&m);
	for (int i = 0; bad[i]; i++) {
		sp_error_clear(&err);
		if (img_mapfile_parse(&m, bad[i], strlen(bad[i]), &err) != SP_FAILED)
			test_fail(__FILE__, __LINE__, "accepted mapfile %d", i);
		assert_int_eq(SPE_FORMAT, err.code);
		assert_int_eq(0, m.n);
	}
	/* 1 PiB exactly is still a mapfile */
	{
		static const char pib[] = "0 +\n0 0x4000000000000 -\n";

		assert_int_eq(SP_OK, img_mapfile_parse(&m, pib, strlen(pib), &err));
	}
	assert_int_eq(1, m.n);
	img_mapfile_align(&m, SP_SECTOR);
	assert_true(img_mapfile_size(&m) == (int64_t)1 << 50);
	img_mapfile_release(&m);
}
