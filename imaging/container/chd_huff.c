/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * chd_huff.c - the bit reader and canonical Huffman decoder that MAME's CHD
 * format uses for its hunk map and its "huff" codec, written from the
 * published layout: bits are read most significant first, reading past the
 * end gives zeros (and is noted), codes are assigned longest first.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imaging/container/container_private.h"

void ctr_bits_init(struct ctr_bits *b, const uint8_t *p, size_t len)
{
	b->p = p;
	b->len = len;
	b->pos = 0;
	b->buf = 0;
	b->have = 0;
}

static inline uint32_t bits_peek(struct ctr_bits *b, int n)
{
	while (b->have < n) {
		b->buf = b->buf << 8 | (b->pos < b->len ? b->p[b->pos] : 0);
		b->pos++;
		b->have += 8;
	}
	if (n == 0)
		return 0;
	return (uint32_t)(b->buf >> (b->have - n)) & (uint32_t)((1ull << n) - 1);
}

uint32_t ctr_bits_read(struct ctr_bits *b, int n)
{
	uint32_t v = bits_peek(b, n);

	b->have -= n;
	return v;
}

size_t ctr_bits_used(const struct ctr_bits *b)
{
	return b->pos - (size_t)(b->have / 8);
}

bool ctr_bits_overflow(const struct ctr_bits *b)
{
	return (uint64_t)b->pos * 8 - (uint64_t)b->have > (uint64_t)b->len * 8;
}

int ctr_huff_init(struct ctr_huff *h, unsigned numcodes, unsigned maxbits)
{
	memset(h, 0, sizeof(*h));
	h->numcodes = numcodes;
	h->maxbits = maxbits;
	h->lookup = calloc((size_t)1 << maxbits, sizeof(*h->lookup));
	return h->lookup ? 0 : -1;
}

void ctr_huff_release(struct ctr_huff *h)
{
	free(h->lookup);
	h->lookup = NULL;
}

/* Codes from lengths (longest codes get the lowest values), then the
 * lookup table indexed by the next maxbits bits. */
static int build(struct ctr_huff *h)
{
	uint32_t histo[33] = { 0 }, start = 0;

	for (unsigned i = 0; i < h->numcodes; i++) {
		if (h->numbits[i] > h->maxbits)
			return -1;
		histo[h->numbits[i]]++;
	}
	for (int len = 32; len > 0; len--) {
		uint32_t next = (start + histo[len]) >> 1;

		if (len != 1 && next * 2 != start + histo[len])
			return -1;
		histo[len] = start;
		start = next;
	}
	memset(h->lookup, 0, ((size_t)1 << h->maxbits) * sizeof(*h->lookup));
	for (unsigned i = 0; i < h->numcodes; i++) {
		unsigned n = h->numbits[i], shift;
		uint32_t first, last;

		if (n == 0)
			continue;
		h->bits[i] = histo[n]++;
		shift = h->maxbits - n;
		first = h->bits[i] << shift;
		last = ((h->bits[i] + 1) << shift) - 1;
		if (last >= (1u << h->maxbits))
			return -1;
		for (uint32_t j = first; j <= last; j++)
			h->lookup[j] = (uint16_t)(i << 5 | n);
	}
	return 0;
}

int ctr_huff_import_rle(struct ctr_huff *h, struct ctr_bits *b)
{
	int w = h->maxbits >= 16 ? 5 : h->maxbits >= 8 ? 4 : 3;
	unsigned cur = 0;

	while (cur < h->numcodes) {
		unsigned v = ctr_bits_read(b, w);

		if (v != 1) {
			h->numbits[cur++] = (uint8_t)v;
			continue;
		}
		v = ctr_bits_read(b, w);
		if (v == 1) {
			h->numbits[cur++] = 1;
		} else {
			unsigned rep = ctr_bits_read(b, w) + 3;

			if (rep > h->numcodes - cur)
				return -1;
			while (rep--)
				h->numbits[cur++] = (uint8_t)v;
		}
	}
	if (build(h) != 0 || ctr_bits_overflow(b))
		return -1;
	return 0;
}

int ctr_huff_import_huffman(struct ctr_huff *h, struct ctr_bits *b)
{
	struct ctr_huff small;
	unsigned start, count = 0, cur = 0, last = 0, full = 0, t;
	int rc = -1;

	if (ctr_huff_init(&small, 24, 6) != 0)
		return -1;
	small.numbits[0] = (uint8_t)ctr_bits_read(b, 3);
	start = ctr_bits_read(b, 3) + 1;
	for (unsigned i = 1; i < 24; i++) {
		if (i < start || count == 7) {
			small.numbits[i] = 0;
		} else {
			count = ctr_bits_read(b, 3);
			small.numbits[i] = (uint8_t)(count == 7 ? 0 : count);
		}
	}
	if (build(&small) != 0)
		goto out;
	for (t = h->numcodes - 9; t; t >>= 1)
		full++;
	while (cur < h->numcodes) {
		unsigned v = ctr_huff_decode(&small, b);

		if (v != 0) {
			h->numbits[cur++] = (uint8_t)(last = v - 1);
		} else {
			unsigned n = ctr_bits_read(b, 3) + 2;

			if (n == 9)
				n += ctr_bits_read(b, (int)full);
			for (; n && cur < h->numcodes; n--)
				h->numbits[cur++] = (uint8_t)last;
		}
		if (ctr_bits_overflow(b))
			goto out;
	}
	if (build(h) == 0 && !ctr_bits_overflow(b))
		rc = 0;
out:
	ctr_huff_release(&small);
	return rc;
}

unsigned ctr_huff_decode(const struct ctr_huff *h, struct ctr_bits *b)
{
	uint16_t v = h->lookup[bits_peek(b, (int)h->maxbits)];

	b->have -= v & 0x1f;
	return v >> 5;
}
