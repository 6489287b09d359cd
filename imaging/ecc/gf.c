/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gf.c - GF(2^8) with dvdisaster's field polynomial 0x187, and the plans
 * that compute erased layers of an RS(255, k) codeword (ecc_private.h).
 *
 * ISA-L's ec_encode_data() multiplies with 32-byte nibble tables per
 * coefficient (products c*i and c*(i<<4), i = 0..15); its SIMD paths only
 * look things up in those tables, so tables built for 0x187 make it compute
 * in that field.  Its portable C path multiplies in 0x11d instead, so the
 * first use compares ISA-L against the scalar path here and keeps to the
 * scalar path if they differ.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/erasure_code.h>

#include "imaging/ecc/ecc_private.h"

#define GF_POLY 0x187
#define FIRST_ROOT 112
#define PRIM_ELEM 11

static uint8_t gf_exp[512];
static uint8_t gf_log[256];
static pthread_once_t gf_once = PTHREAD_ONCE_INIT;
static bool simd_ok;

static void scalar_run(const struct ecc_plan *p, int len, uint8_t *const layers[ECC_LAYERS]);

static void gf_init_tables(void)
{
	unsigned x = 1;

	for (int i = 0; i < 255; i++) {
		gf_exp[i] = (uint8_t)x;
		gf_exp[i + 255] = (uint8_t)x;
		gf_log[x] = (uint8_t)i;
		x <<= 1;
		if (x & 0x100)
			x ^= GF_POLY;
	}
	gf_exp[510] = gf_exp[0];
	gf_exp[511] = gf_exp[1];
	gf_log[0] = 0;
}

uint8_t ecc_gf_mul(uint8_t a, uint8_t b)
{
	if (!a || !b)
		return 0;
	return gf_exp[gf_log[a] + gf_log[b]];
}

uint8_t ecc_gf_inv(uint8_t a)
{
	return a ? gf_exp[255 - gf_log[a]] : 0;
}

/* alpha^e for any e >= 0 */
static uint8_t gf_pow_alpha(uint64_t e)
{
	return gf_exp[e % 255];
}

/* Row i, layer L of the parity-check matrix: the generator root
 * alpha^(11*(112+i)) raised to the layer's power 254-L. */
static uint8_t check_elem(int i, int layer)
{
	return gf_pow_alpha((uint64_t)PRIM_ELEM * (FIRST_ROOT + i) * (uint64_t)(254 - layer));
}

static void simd_probe(void)
{
	struct ecc_plan p = ECC_PLAN_INIT;
	uint8_t *buf = NULL, *a[ECC_LAYERS], *b[ECC_LAYERS];
	const int len = 64;

	simd_ok = false;
	if (ecc_plan_encoder(&p, 32) != 0)
		return;
	buf = malloc((size_t)2 * ECC_LAYERS * len);
	if (!buf)
		goto out;
	for (int l = 0; l < ECC_LAYERS; l++) {
		a[l] = buf + (size_t)l * len;
		b[l] = buf + (size_t)(ECC_LAYERS + l) * len;
		for (int j = 0; j < len; j++)
			a[l][j] = b[l][j] = (uint8_t)(l * 31 + j * 7 + (j >> 3));
	}
	ec_encode_data(len, p.nsrc, p.ndst, p.tables, a, a + p.nsrc);
	scalar_run(&p, len, b);
	simd_ok = memcmp(buf, buf + (size_t)ECC_LAYERS * len, (size_t)ECC_LAYERS * len) == 0;
out:
	free(buf);
	ecc_plan_release(&p);
}

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

bool ecc_gf_simd_ok(void)
{
	pthread_once(&probe_once, simd_probe);
	return simd_ok;
}

/* Invert the n x n matrix m in place (Gauss-Jordan).  -1 if singular. */
static int gf_invert(uint8_t *m, int n)
{
	uint8_t *inv = calloc((size_t)n * n, 1);

	if (!inv)
		return -1;
	for (int i = 0; i < n; i++)
		inv[i * n + i] = 1;
	for (int c = 0; c < n; c++) {
		int piv = c;
		while (piv < n && !m[piv * n + c])
			piv++;
		if (piv == n) {
			free(inv);
			return -1;
		}
		if (piv != c) {
			for (int j = 0; j < n; j++) {
				uint8_t t = m[c * n + j];
				m[c * n + j] = m[piv * n + j];
				m[piv * n + j] = t;
				t = inv[c * n + j];
				inv[c * n + j] = inv[piv * n + j];
				inv[piv * n + j] = t;
			}
		}
		uint8_t f = ecc_gf_inv(m[c * n + c]);
		for (int j = 0; j < n; j++) {
			m[c * n + j] = ecc_gf_mul(m[c * n + j], f);
			inv[c * n + j] = ecc_gf_mul(inv[c * n + j], f);
		}
		for (int r = 0; r < n; r++) {
			uint8_t g = m[r * n + c];
			if (r == c || !g)
				continue;
			for (int j = 0; j < n; j++) {
				m[r * n + j] ^= ecc_gf_mul(g, m[c * n + j]);
				inv[r * n + j] ^= ecc_gf_mul(g, inv[c * n + j]);
			}
		}
	}
	memcpy(m, inv, (size_t)n * n);
	free(inv);
	return 0;
}

static void make_tables(struct ecc_plan *p)
{
	uint8_t *t = p->tables;

	for (int r = 0; r < p->ndst; r++)
		for (int j = 0; j < p->nsrc; j++, t += 32) {
			uint8_t c = p->coef[r * p->nsrc + j];
			for (int i = 0; i < 16; i++) {
				t[i] = ecc_gf_mul(c, (uint8_t)i);
				t[16 + i] = ecc_gf_mul(c, (uint8_t)(i << 4));
			}
		}
}

int ecc_plan_build(struct ecc_plan *p, int roots, const uint8_t erased[ECC_LAYERS])
{
	uint8_t *a = NULL, *b = NULL;
	int s = 0, n = 0;

	pthread_once(&gf_once, gf_init_tables);
	ecc_plan_release(p);
	p->roots = roots;
	for (int l = 0; l < ECC_LAYERS; l++) {
		if (erased[l])
			p->dst[s++] = (uint8_t)l;
		else
			p->src[n++] = (uint8_t)l;
	}
	p->ndst = s;
	p->nsrc = n;
	if (s > roots) {
		errno = EINVAL;
		return -1;
	}
	if (s == 0)
		return 0;
	a = malloc((size_t)s * s);
	b = malloc((size_t)s * n);
	p->coef = malloc((size_t)s * n);
	p->tables = malloc((size_t)s * n * 32);
	if (!a || !b || !p->coef || !p->tables)
		goto fail;
	for (int i = 0; i < s; i++) {
		for (int e = 0; e < s; e++)
			a[i * s + e] = check_elem(i, p->dst[e]);
		for (int j = 0; j < n; j++)
			b[i * n + j] = check_elem(i, p->src[j]);
	}
	if (gf_invert(a, s) != 0)
		goto fail;
	/* D = A^-1 * B */
	for (int r = 0; r < s; r++)
		for (int j = 0; j < n; j++) {
			uint8_t acc = 0;
			for (int i = 0; i < s; i++)
				acc ^= ecc_gf_mul(a[r * s + i], b[i * n + j]);
			p->coef[r * n + j] = acc;
		}
	make_tables(p);
	free(a);
	free(b);
	return 0;
fail:
	free(a);
	free(b);
	ecc_plan_release(p);
	errno = ENOMEM;
	return -1;
}

int ecc_plan_encoder(struct ecc_plan *p, int roots)
{
	uint8_t erased[ECC_LAYERS] = { 0 };

	for (int l = ECC_LAYERS - roots; l < ECC_LAYERS; l++)
		erased[l] = 1;
	return ecc_plan_build(p, roots, erased);
}

static void scalar_run(const struct ecc_plan *p, int len, uint8_t *const layers[ECC_LAYERS])
{
	uint8_t mul[256];

	for (int r = 0; r < p->ndst; r++) {
		uint8_t *d = layers[p->dst[r]];
		memset(d, 0, (size_t)len);
		for (int j = 0; j < p->nsrc; j++) {
			uint8_t c = p->coef[r * p->nsrc + j];
			const uint8_t *s = layers[p->src[j]];
			if (!c)
				continue;
			for (int v = 0; v < 256; v++)
				mul[v] = ecc_gf_mul(c, (uint8_t)v);
			for (int i = 0; i < len; i++)
				d[i] ^= mul[s[i]];
		}
	}
}

void ecc_plan_run(const struct ecc_plan *p, int len, uint8_t *const layers[ECC_LAYERS])
{
	uint8_t *src[ECC_LAYERS], *dst[ECC_LAYERS];

	if (p->ndst == 0)
		return;
	if (!ecc_gf_simd_ok()) {
		scalar_run(p, len, layers);
		return;
	}
	for (int j = 0; j < p->nsrc; j++)
		src[j] = layers[p->src[j]];
	for (int r = 0; r < p->ndst; r++)
		dst[r] = layers[p->dst[r]];
	ec_encode_data(len, p->nsrc, p->ndst, p->tables, src, dst);
}

void ecc_plan_release(struct ecc_plan *p)
{
	free(p->tables);
	free(p->coef);
	p->tables = NULL;
	p->coef = NULL;
	p->ndst = p->nsrc = 0;
}
