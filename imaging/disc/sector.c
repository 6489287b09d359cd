/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sector.c - the parts of a raw CD sector that follow from its user data
 * (ECMA-130): the sync pattern, the header's MSF address and mode, the
 * EDC (a CRC-32 over the polynomial x^32+x^31+x^16+x^15+x^4+x^3+x+1) and
 * the two Reed-Solomon product-code layers P and Q over GF(2^8).
 */
#include "config.h"

#include <string.h>

#include "imaging/disc/disc.h"

static uint32_t edc_table[256];
static uint8_t gf_mul2[256], gf_div3[256];
static bool tables_ready;

static void init_tables(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t e = i, j = (i << 1) ^ (i & 0x80 ? 0x11d : 0);

		for (int k = 0; k < 8; k++)
			e = (e >> 1) ^ (e & 1 ? 0xd8018001u : 0);
		edc_table[i] = e;
		gf_mul2[i] = (uint8_t)j;
		gf_div3[i ^ j] = (uint8_t)i;   /* i*3 = i ^ 2i */
	}
	tables_ready = true;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t edc(const uint8_t *p, size_t n)
{
	uint32_t e = 0;

	while (n--)
		e = (e >> 8) ^ edc_table[(e ^ *p++) & 0xff];
	return e;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/*
 * One layer of the product code over the 2340 bytes from the header on
 * (1170 16-bit words seen as two interleaved byte planes).  Each of the
 * `words` code words takes `len` bytes stepping `step` through the area,
 * wrapping; its two parity bytes go to parity[w] and parity[w + words].
 */
static void ecc_layer(const uint8_t *area, size_t words, size_t len, size_t start_mul,
		      size_t step, uint8_t *parity)
{
	size_t size = words * len;

	for (size_t w = 0; w < words; w++) {
		size_t at = (w >> 1) * start_mul + (w & 1);
		uint8_t a = 0, b = 0;

		for (size_t k = 0; k < len; k++) {
			uint8_t v = area[at];

			at += step;
			if (at >= size)
				at -= size;
			a ^= v;
			b ^= v;
			a = gf_mul2[a];
		}
		a = gf_div3[gf_mul2[a] ^ b];
		parity[w] = a;
		parity[w + words] = a ^ b;
	}
}

static void ecc(uint8_t *s)
{
	ecc_layer(s + 12, 86, 24, 2, 86, s + 2076);     /* P */
	ecc_layer(s + 12, 52, 43, 86, 88, s + 2248);    /* Q */
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

	if (!tables_ready)
		init_tables();
	if (mode == IMG_DISC_AUDIO)
		return;
	img_lba_to_msf(lba, &m, &sec, &f);
	s[0] = 0;
	memset(s + 1, 0xff, 10);
	s[11] = 0;
	s[12] = bcd(m);
	s[13] = bcd(sec);
	s[14] = bcd(f);
	s[15] = mode == IMG_DISC_MODE1 ? 1 : 2;
	if (mode == IMG_DISC_MODE1) {
		put_le32(s + 2064, edc(s, 2064));
		memset(s + 2068, 0, 8);
		ecc(s);
		return;
	}
	if (mode == IMG_DISC_MODE2)
		return;                 /* formless: 2336 user bytes, no EDC */
	if (s[18] & 0x20) {             /* form 2: EDC over subheader and data */
		put_le32(s + 2348, edc(s + 16, 2332));
		return;
	}
	put_le32(s + 2072, edc(s + 16, 2056));
	/* form 1: the header counts as zero for the ECC */
	memcpy(hdr, s + 12, 4);
	memset(s + 12, 0, 4);
	ecc(s);
	memcpy(s + 12, hdr, 4);
}

bool img_sector_edc_ok(const uint8_t *s)
{
	if (!tables_ready)
		init_tables();
	if (s[15] == 1)
		return edc(s, 2064) == get_le32(s + 2064);
	if (s[18] & 0x20)
		return edc(s + 16, 2332) == get_le32(s + 2348);
	return edc(s + 16, 2056) == get_le32(s + 2072);
}
