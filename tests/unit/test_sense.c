/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "drive/drive.h"
#include "tests/unit/test.h"

DEFINE_TEST(test_sense_medium_error)
{
	struct sp_error e = SP_ERROR_INIT;

	drv_sense_describe(0x03, 0x11, 0x00, 1000, &e);
	assert_int_eq(SPE_READ, e.code);
	assert_str_eq("03/11/00: unreadable sector at LBA 1000 (scratch or dye damage)", e.msg);
	assert_str_contains(e.hint, "spindle rip");
	assert_int_eq(1000, e.lba);
	assert_int_eq(1, e.has_sense);
	assert_int_eq(0x11, e.asc);
}

DEFINE_TEST(test_sense_specific_before_wildcard)
{
	struct sp_error e = SP_ERROR_INIT;

	drv_sense_describe(0x03, 0x11, 0x05, 7, &e);
	assert_str_contains(e.msg, "L-EC");
	drv_sense_describe(0x02, 0x3a, 0x01, -1, &e);
	assert_int_eq(SPE_NOMEDIUM, e.code);
	assert_str_eq("02/3A/01: no disc in the drive", e.msg);
	assert_int_eq(-1, e.lba);
	/* a read of an empty drive: the LBA is kept but not named */
	drv_sense_describe(0x02, 0x3a, 0x00, 0, &e);
	assert_str_eq("02/3A/00: no disc in the drive", e.msg);
	assert_int_eq(0, e.lba);
	drv_sense_describe(0x05, 0x64, 0x00, 5000, &e);
	assert_str_contains(e.msg, "run-out");
	assert_str_contains(e.hint, "not damage");
	drv_sense_describe(0x03, 0x0c, 0x00, 42, &e);
	assert_int_eq(SPE_WRITE, e.code);
	assert_str_contains(e.msg, "write error at LBA 42");
	drv_sense_describe(0x05, 0x63, 0x00, -1, &e);
	assert_int_eq(SPE_TOOBIG, e.code);
}

DEFINE_TEST(test_sense_unknown)
{
	struct sp_error e = SP_ERROR_INIT;

	drv_sense_describe(0x09, 0x99, 0x01, 3, &e);
	assert_int_eq(SPE_IO, e.code);
	assert_str_contains(e.msg, "09/99/01");
	assert_str_contains(e.hint, "--verbose");
}

DEFINE_TEST(test_sense_parse)
{
	uint8_t k = 0, a = 0, q = 0;

	assert_int_eq(1, drv_sense_parse("SCSI error on read_10(0,16): [3 11 00] Unrecovered read error", &k, &a, &q));
	assert_int_eq(3, k);
	assert_int_eq(0x11, a);
	assert_int_eq(0, q);
	assert_int_eq(1, drv_sense_parse("x [not] y [5 24 0]", &k, &a, &q));
	assert_int_eq(0x24, a);
	assert_int_eq(0, drv_sense_parse("no sense here", &k, &a, &q));
	assert_int_eq(0, drv_sense_parse("[1ff 2 3]", &k, &a, &q));
	assert_int_eq(0, drv_sense_parse(NULL, &k, &a, &q));
}
