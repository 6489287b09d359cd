/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sector.c - the parts of a raw CD sector that follow from its user data
 * (ECMA-130): the header's MSF address and mode, with the sync, EDC and
 * P/Q parity from imaging/base (cd_sector.c).
 */
#include "config.h"

#include <string.h>

#include "imaging/base/base.h"
#include "imaging/disc/disc.h"

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void img_lba_to_msf(int64_t lba, uint8_t *m, uint8_t *s, uint8_t *f)
{
	int64_t a = lba + 150;

	if (a < 0)
		a += 450000;
	*m = (uint8_t)(a / (60 * 75));
	*s = (uint8_t)(a / 75 % 60);
	*f = (uint8_t)(a % 75);
}

static uint8_t bcd(uint8_t v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

void img_sector_build(uint8_t *s, int64_t lba, enum img_disc_mode mode)
{
	uint8_t m, sec, f, hdr[4];

	if (mode == IMG_DISC_AUDIO)
		return;
	img_lba_to_msf(lba, &m, &sec, &f);
	img_cd_sync(s);
	s[12] = bcd(m);
	s[13] = bcd(sec);
	s[14] = bcd(f);
	s[15] = mode == IMG_DISC_MODE1 ? 1 : 2;
	if (mode == IMG_DISC_MODE1) {
		put_le32(s + 2064, img_cd_edc(s, 2064));
		memset(s + 2068, 0, 8);
		img_cd_ecc(s);
		return;
	}
	if (mode == IMG_DISC_MODE2)
		return;                 /* formless: 2336 user bytes, no EDC */
	if (s[18] & 0x20) {             /* form 2: EDC over subheader and data */
		put_le32(s + 2348, img_cd_edc(s + 16, 2332));
		return;
	}
	put_le32(s + 2072, img_cd_edc(s + 16, 2056));
	/* form 1: the header counts as zero for the ECC */
	memcpy(hdr, s + 12, 4);
	memset(s + 12, 0, 4);
	img_cd_ecc(s);
	memcpy(s + 12, hdr, 4);
}

bool img_sector_edc_ok(const uint8_t *s)
{
	if (s[15] == 1)
		return img_cd_edc(s, 2064) == get_le32(s + 2064);
	if (s[18] & 0x20)
		return img_cd_edc(s + 16, 2332) == get_le32(s + 2348);
	return img_cd_edc(s + 16, 2056) == get_le32(s + 2072);
}
