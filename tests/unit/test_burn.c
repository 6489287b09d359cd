/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_burn.c - size and padding arithmetic, burn option parsing. */
#include "config.h"

#include "tests/unit/test.h"
#include "drive/drive.h"
#include "imaging/imaging.h"

DEFINE_TEST(test_track_sectors_pads_last_sector)
{
	assert_int_eq(1, drv_track_sectors(1, 0x09));
	assert_int_eq(1, drv_track_sectors(2048, 0x09));
	assert_int_eq(2, drv_track_sectors(2049, 0x09));
	/* 5 MiB + 1001 bytes on a CD-R: 2560 sectors and one padded */
	assert_int_eq(2561, drv_track_sectors(5 * 1024 * 1024 + 1001, 0x09));
	/* a stdio file is not padded beyond the sector */
	assert_int_eq(2561, drv_track_sectors(5 * 1024 * 1024 + 1001, 0xffff));
}

DEFINE_TEST(test_track_sectors_ecc_blocks)
{
	/* DVD: 16-sector ECC blocks (32 KiB) */
	assert_int_eq(16, drv_track_sectors(1, 0x1a));
	assert_int_eq(16, drv_track_sectors(16 * 2048, 0x11));
	assert_int_eq(32, drv_track_sectors(16 * 2048 + 1, 0x11));
	/* BD: 32-sector clusters (64 KiB) */
	assert_int_eq(32, drv_track_sectors(1, 0x41));
	assert_int_eq(64, drv_track_sectors(32 * 2048 + 5, 0x43));
	assert_int_eq(0, drv_track_sectors(0, 0x41));
}

DEFINE_TEST(test_parse_write_mode)
{
	enum drv_write_mode m = DRV_MODE_AUTO;

	assert_int_eq(0, drv_parse_write_mode("sao", &m));
	assert_int_eq(DRV_MODE_SAO, m);
	assert_int_eq(0, drv_parse_write_mode("tao", &m));
	assert_int_eq(DRV_MODE_TAO, m);
	assert_int_eq(0, drv_parse_write_mode("auto", &m));
	assert_int_eq(DRV_MODE_AUTO, m);
	assert_int_eq(-1, drv_parse_write_mode("raw", &m));
	assert_int_eq(-1, drv_parse_write_mode("", &m));
	assert_int_eq(-1, drv_parse_write_mode("SAO ", &m));
}

DEFINE_TEST(test_parse_speed)
{
	struct drv_speed s;

	assert_int_eq(0, drv_parse_speed("max", &s));
	assert_true(s.x == 0 && s.kbps == 0);
	assert_int_eq(0, drv_parse_speed("8x", &s));
	assert_true(s.x == 8 && s.kbps == 0);
	assert_int_eq(0, drv_parse_speed("2.4X", &s));
	assert_true(s.x > 2.39 && s.x < 2.41);
	assert_int_eq(0, drv_parse_speed("5540", &s));
	assert_int_eq(5540, s.kbps);
	assert_int_eq(-1, drv_parse_speed("-4x", &s));
	assert_int_eq(-1, drv_parse_speed("fast", &s));
	assert_int_eq(-1, drv_parse_speed("8xx", &s));
	assert_int_eq(-1, drv_parse_speed("1.5", &s));
	assert_int_eq(-1, drv_parse_speed("0x", &s));
	assert_int_eq(-1, drv_parse_speed("", &s));
	assert_int_eq(-1, drv_parse_speed("nanx", &s));
}

DEFINE_TEST(test_speed_kbps_by_profile)
{
	struct drv_speed s = { 8, 0 };

	/* 8x: CD 1411.2 kB/s, DVD 11080 kB/s, BD 35964 kB/s */
	assert_int_eq(1412, drv_speed_kbps(&s, 0x09));
	assert_int_eq(11080, drv_speed_kbps(&s, 0x1b));
	assert_int_eq(35964, drv_speed_kbps(&s, 0x41));
	s.x = 0;
	s.kbps = 4000;
	assert_int_eq(4000, drv_speed_kbps(&s, 0x41));
	s.kbps = 0;
	assert_int_eq(0, drv_speed_kbps(&s, 0x41));
}

DEFINE_TEST(test_fifo_round)
{
	/* whole 32 KiB input reads, within libburn's limits */
	assert_int_eq(64 << 20, img_fifo_round(64 << 20));
	assert_int_eq(1 << 20, img_fifo_round(1));
	assert_int_eq(1 << 30, img_fifo_round(8ULL << 30));
	assert_int_eq((2 << 20) + 32768, img_fifo_round((2 << 20) + 40000));
	assert_int_eq(0, IMG_FIFO_DEFAULT % 32768);
}

DEFINE_TEST(test_fifo_for_image)
{
	/* the default, but no larger than the image (whole 32 KiB reads) */
	assert_int_eq(1 << 20, img_fifo_for(0, 600000));
	assert_int_eq((3 << 20) + 32768, img_fifo_for(0, (3 << 20) + 1));
	assert_int_eq(IMG_FIFO_DEFAULT, img_fifo_for(0, 5LL << 30));
	assert_int_eq(IMG_FIFO_DEFAULT, img_fifo_for(0, -1));
	/* a size asked for is kept, whatever the image */
	assert_int_eq(256 << 20, img_fifo_for(256 << 20, 600000));
}

DEFINE_TEST(test_bytes_to_sectors_image_sizes)
{
	assert_int_eq(0, sp_bytes_to_sectors(0));
	assert_int_eq(1, sp_bytes_to_sectors(1));
	assert_int_eq(1, sp_bytes_to_sectors(2048));
	assert_int_eq(2, sp_bytes_to_sectors(2049));
	assert_int_eq(341797, sp_bytes_to_sectors(700000000ULL));
}
