/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rs_decode.c - errors and erasures: decode codewords of dvdisaster's
 * RS(255, 255 - roots) code when some wrong bytes are at positions nobody
 * flagged (a sector that fails no CRC because its CRC is lost, or a
 * garbled parity sector, which has none).  Any 2e + s <= roots (e errors,
 * s erasures) decode.
 *
 * The textbook route, in GF(2^8)/0x187 with beta = alpha^11: syndromes
 * S_i = r(beta^(112 + i)); the Berlekamp-Massey iteration seeded with the
 * erasure locator; a Chien search for the roots of the locator; Forney's
 * formula for the values.  Scalar and slow compared with the erasure
 * decoder (ISA-L): only the blocks that the erasure decoder cannot repair
 * come here.  Layer L of a codeword is the coefficient of x^(254 - L).
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "imaging/ecc/ecc_private.h"

#define FCR 112
#define PRIM 11
#define NN 255

static uint8_t gexp[2 * NN];
static int glog[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_tables(void)
{
	unsigned x = 1;

	for (int i = 0; i < NN; i++) {
		gexp[i] = gexp[i + NN] = (uint8_t)x;
		glog[x] = i;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x187;
	}
	glog[0] = -1;
}

static uint8_t mul(uint8_t a, uint8_t b)
{
	return a && b ? gexp[glog[a] + glog[b]] : 0;
}

static uint8_t div_(uint8_t a, uint8_t b)
{
	return a ? gexp[(glog[a] - glog[b] + NN) % NN] : 0;
}

/* beta^e as a field element, e any integer */
static uint8_t bpow(long e)
{
	long m = (e * PRIM) % NN;

	return gexp[m < 0 ? m + NN : m];
}

static uint8_t eval(const uint8_t *p, int deg, uint8_t x)
{
	uint8_t y = 0;

	for (int i = deg; i >= 0; i--)
		y = mul(y, x) ^ p[i];
	return y;
}

/* Syndromes of cw; returns true when all are zero. */
static bool syndromes(const uint8_t cw[NN], int roots, uint8_t s[ECC_LAYERS])
{
	bool zero = true;

	for (int i = 0; i < roots; i++) {
		uint8_t x = bpow(FCR + i), v = 0;
		for (int k = 0; k < NN; k++)
			v = mul(v, x) ^ cw[k];
		s[i] = v;
		zero &= v == 0;
	}
	return zero;
}

int ecc_rs_decode(uint8_t cw[NN], int roots, const int *eras, int neras)
{
	uint8_t s[ECC_LAYERS], lam[ECC_LAYERS + 1] = { 1 }, b[ECC_LAYERS + 1], t[ECC_LAYERS + 1];
	uint8_t om[ECC_LAYERS];
	int L, deg = 0, nfound = 0, pos[ECC_LAYERS];

	pthread_once(&once, init_tables);
	if (neras > roots)
		return -1;
	if (syndromes(cw, roots, s))
		return 0;
	/* the erasure locator: prod (1 - X_j x), X_j = beta^(254 - pos) */
	for (int j = 0; j < neras; j++) {
		uint8_t x = bpow(NN - 1 - eras[j]);
		for (int i = j + 1; i > 0; i--)
			lam[i] ^= mul(x, lam[i - 1]);
	}
	deg = neras;
	memcpy(b, lam, sizeof(b));
	L = neras;
	for (int r = neras + 1; r <= roots; r++) {
		uint8_t d = 0;
		for (int i = 0; i < r; i++)
			d ^= mul(lam[i], s[r - 1 - i]);
		if (d == 0) {
			memmove(b + 1, b, roots);
			b[0] = 0;
			continue;
		}
		for (int i = 0; i <= roots; i++)
			t[i] = lam[i] ^ (i ? mul(d, b[i - 1]) : 0);
		if (2 * L <= r + neras - 1) {
			L = r + neras - L;
			for (int i = 0; i <= roots; i++)
				b[i] = div_(lam[i], d);
		} else {
			memmove(b + 1, b, roots);
			b[0] = 0;
		}
		memcpy(lam, t, sizeof(t));
	}
	deg = 0;
	for (int i = 0; i <= roots; i++)
		if (lam[i])
			deg = i;
	if (deg == 0 || 2 * (deg - neras) + neras > roots)
		return -1;
	/* Chien search: position k is in error when lam(X_k^-1) = 0 */
	for (int k = 0; k < NN && nfound < deg; k++)
		if (eval(lam, deg, bpow(-(long)(NN - 1 - k))) == 0)
			pos[nfound++] = k;
	if (nfound != deg)
		return -1;
	/* omega = S(x) lam(x) mod x^roots */
	for (int i = 0; i < roots; i++) {
		uint8_t v = 0;
		for (int j = 0; j <= i && j <= deg; j++)
			v ^= mul(lam[j], s[i - j]);
		om[i] = v;
	}
	/* Forney: e = X^(1 - FCR) omega(X^-1) / lam'(X^-1) */
	for (int n = 0; n < nfound; n++) {
		long xe = NN - 1 - pos[n];
		uint8_t xinv = bpow(-xe), num, den = 0;
		num = mul(eval(om, roots - 1, xinv), bpow(xe * (1 - FCR)));
		for (int i = 1; i <= deg; i += 2)        /* odd terms: the derivative */
			den ^= mul(lam[i], gexp[(glog[xinv] * (i - 1)) % NN]);
		if (den == 0)
			return -1;
		cw[pos[n]] ^= div_(num, den);
	}
	return syndromes(cw, roots, s) ? nfound : -1;
}

int ecc_block_decode(int roots, uint8_t *const layers[ECC_LAYERS], const uint8_t erased[ECC_LAYERS],
		     uint8_t changed[ECC_LAYERS])
{
	int eras[ECC_LAYERS], neras = 0;
	uint8_t cw[NN];

	memset(changed, 0, ECC_LAYERS);
	for (int l = 0; l < ECC_LAYERS; l++)
		if (erased[l])
			eras[neras++] = l;
	for (int byte = 0; byte < SP_SECTOR; byte++) {
		for (int l = 0; l < ECC_LAYERS; l++)
			cw[l] = layers[l][byte];
		if (ecc_rs_decode(cw, roots, eras, neras) < 0)
			return -1;
		for (int l = 0; l < ECC_LAYERS; l++)
			if (cw[l] != layers[l][byte]) {
				layers[l][byte] = cw[l];
				changed[l] = 1;
			}
	}
	return 0;
}
