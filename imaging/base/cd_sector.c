/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cd_sector.c - the parts of a raw 2352-byte CD sector that follow from
 * its contents (ECMA-130): the sync pattern, the EDC (a CRC-32 over the
 * polynomial x^32+x^31+x^16+x^15+x^4+x^3+x+1) and the two Reed-Solomon
 * product-code layers P and Q over GF(2^8).  Shared by the disc model,
 * which builds raw sectors from 2048-byte sources, and the CHD reader,
 * which puts back what the compressor left out.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "imaging/base/base.h"

static uint32_t edc_table[256];
static uint8_t gf_mul2[256], gf_div3[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void make_tables(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t e = i, j = (i << 1) ^ (i & 0x80 ? 0x11d : 0);

		for (int k = 0; k < 8; k++)
			e = (e >> 1) ^ (e & 1 ? 0xd8018001u : 0);
		edc_table[i] = e;
		gf_mul2[i] = (uint8_t)j;
		gf_div3[i ^ j] = (uint8_t)i;   /* i*3 = i ^ 2i */
	}
}

void img_cd_sync(uint8_t *s)
{
	s[0] = 0;
	memset(s + 1, 0xff, 10);
	s[11] = 0;
}

uint32_t img_cd_edc(const uint8_t *p, size_t n)
{
	uint32_t e = 0;

	pthread_once(&tables_once, make_tables);
	while (n--)
		e = (e >> 8) ^ edc_table[(e ^ *p++) & 0xff];
	return e;
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

void img_cd_ecc(uint8_t *s)
{
	pthread_once(&tables_once, make_tables);
	ecc_layer(s + 12, 86, 24, 2, 86, s + 2076);     /* P */
	ecc_layer(s + 12, 52, 43, 86, 88, s + 2248);    /* Q */
}
