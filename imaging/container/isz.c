/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * isz.c - UltraISO ISZ images, from the "ISZ File Format Specification
 * 1.00" (and libmirage's filter-isz notes): a 48- or 64-byte little-endian
 * header ("IsZ!", sector size and count, block size, pointer length,
 * offsets of the chunk table, the segment table and the data), a chunk
 * table of ptr_len-byte entries (top two bits: 0 zeros, 1 stored, 2 zlib,
 * 3 bzip2; the rest: stored length), and for split images a table of
 * 24-byte segment entries ending with a zero size.  Both tables are
 * XOR-masked with the complement of "IsZ!".  Segment files are NAME.isz,
 * NAME.i01, NAME.i02 ...; a chunk may continue into the next segment.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/container/container_private.h"

#define HDR_MIN 48
#define SEGENT  24

enum { Z_ZERO, Z_DATA, Z_ZLIB, Z_BZ2 };

struct izchunk { uint64_t off; uint32_t len; uint8_t type; };

struct isz { struct izchunk *chunk; };

static int isz_probe(const uint8_t *head, size_t hlen, const uint8_t *tail,
		     size_t tlen, uint64_t fsize)
{
	(void)tail, (void)tlen, (void)fsize;
	if (hlen < HDR_MIN || memcmp(head, "IsZ!", 4) != 0)
		return 0;
	return head[4] >= HDR_MIN && head[5] <= 1 ? 100 : 40;
}

static void unmask(uint8_t *p, size_t n)
{
	static const uint8_t sig[4] = { 'I', 's', 'Z', '!' };

	for (size_t i = 0; i < n; i++)
		p[i] ^= (uint8_t)~sig[i % 4];
}

struct seg { uint64_t size; uint32_t nchunks, first, chunk_offs, left; };

static enum sp_status read_segments(struct img_container *c, uint32_t off,
				    struct seg **out, size_t *n,
				    struct sp_error *err)
{
	struct seg *s = NULL;

	*n = 0;
	for (;;) {
		uint8_t e[SEGENT];
		struct seg *ns;

		if (*n >= 100)  /* .isz + .i01 ... .i99 */
			return ctr_bad(c, err, off, "more than 100 segments (no end "
				       "entry)");
		if (ctr_pread(c, 0, e, SEGENT, off + *n * SEGENT, "the segment table",
			      err) != SP_OK)
			break;
		unmask(e, SEGENT);
		if (ctr_le64(e) == 0) {
			*out = s;
			return SP_OK;
		}
		ns = realloc(s, (*n + 1) * sizeof(*s));
		if (!ns)
			break;
		s = ns;
		s[*n].size = ctr_le64(e);
		s[*n].nchunks = ctr_le32(e + 8);
		s[*n].first = ctr_le32(e + 12);
		s[*n].chunk_offs = ctr_le32(e + 16);
		s[*n].left = ctr_le32(e + 20);
		(*n)++;
	}
	free(s);
	if (err->code == SPE_NONE)
		sp_error_set(err, SPE_NOMEM, "out of memory");
	return SP_FAILED;
}

static enum sp_status read_chunks(struct img_container *c, struct isz *z,
				  uint32_t toff, unsigned ptrlen, uint32_t bsize,
				  struct sp_error *err)
{
	uint64_t n = c->nchunks, pos = 0;
	uint8_t *t = NULL;

	z->chunk = calloc(n + 1, sizeof(*z->chunk));
	if (!z->chunk)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (toff == 0) {                        /* no table: all stored */
		for (uint64_t i = 0; i < n; i++) {
			z->chunk[i].type = Z_DATA;
			z->chunk[i].len = (uint32_t)(ctr_chunk_start(c, i + 1) -
						     ctr_chunk_start(c, i));
			z->chunk[i].off = pos;
			pos += z->chunk[i].len;
		}
		return SP_OK;
	}
	if (ptrlen < 1 || ptrlen > 4)
		return ctr_bad(c, err, 33, "chunk pointers of %u bytes", ptrlen);
	t = malloc(n * ptrlen);
	if (!t)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (ctr_pread(c, 0, t, n * ptrlen, toff, "the chunk table", err) != SP_OK) {
		free(t);
		return SP_FAILED;
	}
	unmask(t, n * ptrlen);
	for (uint64_t i = 0; i < n; i++) {
		uint32_t v = 0, lbits = ptrlen * 8 - 2;

		for (unsigned b = 0; b < ptrlen; b++)
			v |= (uint32_t)t[i * ptrlen + b] << (8 * b);
		z->chunk[i].type = (uint8_t)(v >> lbits & 3);
		z->chunk[i].len = v & ((1u << lbits) - 1);
		z->chunk[i].off = pos;  /* a zero chunk's length counts too,
					   as libmirage reads real images */
		if (z->chunk[i].len > bsize + bsize / 8 + 1024) {
			free(t);
			return ctr_bad(c, err, toff + i * ptrlen, "chunk %llu claims "
				       "%u bytes for a block of %u",
				       (unsigned long long)i, z->chunk[i].len, bsize);
		}
		pos += z->chunk[i].len;
	}
	free(t);
	return SP_OK;
}

/* Split image: open NAME.i01 ... and map each segment's chunk bytes. */
static enum sp_status open_segments(struct img_container *c, struct isz *z,
				    const struct seg *s, size_t nseg,
				    uint32_t data_offs, struct sp_error *err)
{
	char name[4096];
	uint64_t pos = 0;
	size_t len = strlen(c->path);

	for (size_t i = 0; i < nseg; i++) {
		uint64_t end, in = 0;
		struct ctr_part *p;
		uint32_t back = i ? s[i - 1].left : 0;

		if ((uint64_t)s[i].first + s[i].nchunks > c->nchunks ||
		    (i && s[i].first != s[i - 1].first + s[i - 1].nchunks))
			return ctr_bad(c, err, 0, "segment %zu lists chunks %u+%u out of "
				       "order", i, s[i].first, s[i].nchunks);
		if (i > 0) {
			if (len < 2 || len >= sizeof(name))
				return ctr_bad(c, err, 0, "a split image whose name does "
					       "not end in .isz");
			memcpy(name, c->path, len + 1);
			snprintf(name + len - 2, 3, "%02u", (unsigned)(i % 100));
			if (ctr_add_part(c, name, err) != SP_OK)
				return SP_FAILED;
		}
		p = &c->parts[c->nparts - 1];
		if (s[i].chunk_offs < back || (i == 0 && s[i].chunk_offs != data_offs &&
					       data_offs))
			return ctr_bad(c, err, 0, "segment %zu's data offset %u is "
				       "invalid", i, s[i].chunk_offs);
		p->data_off = s[i].chunk_offs - back;
		for (uint32_t k = 0; k < s[i].nchunks; k++)
			in += z->chunk[s[i].first + k].len;
		if (s[i].left > in)
			return ctr_bad(c, err, 0, "segment %zu carries more over than it "
				       "holds", i);
		p->data_len = in + back - s[i].left;
		p->start = pos;
		end = p->data_off + p->data_len;
		if (end > p->size)
			return ctr_bad(c, err, p->size, "segment %zu ('%s') is shorter "
				       "than its chunks", i, p->path);
		pos += p->data_len;
	}
	return SP_OK;
}

static enum sp_status isz_open(struct img_container *c, struct sp_error *err)
{
	uint8_t h[64];
	uint32_t nsect, nblocks, bsize, toff, soff, doff;
	unsigned hsize, ssize, ptrlen;
	struct seg *segs = NULL;
	size_t nseg = 0;
	struct isz *z;
	enum sp_status st;

	if (ctr_pread(c, 0, h, HDR_MIN, 0, "the header", err) != SP_OK)
		return SP_FAILED;
	hsize = h[4];
	if (h[5] > 1)
		return sp_error_set(err, SPE_UNSUPPORTED, "'%s' is an ISZ image of "
				    "version %u, which spindle does not know", c->path,
				    h[5]);
	if (h[34] != 0)
		return sp_error_set(err, SPE_USAGE, "'%s' is segment %u of a split ISZ "
				    "image: open the first file, NAME.isz", c->path, h[34]);
	if (h[16] != 0) {
		static const char *const kind[] = { "", "a password", "AES-128",
						    "AES-192", "AES-256" };

		sp_error_set(err, c->opts.password ? SPE_UNSUPPORTED : SPE_USAGE,
			     "'%s' is protected with %s%s", c->path,
			     h[16] < 5 ? kind[h[16]] : "an unknown cipher",
			     c->opts.password ? ", which spindle cannot decrypt yet" :
			     "");
		sp_error_hint(err, c->opts.password ? "decrypt it with UltraISO first" :
			      "give its password with --password");
		return SP_FAILED;
	}
	ssize = ctr_le16(h + 10);
	nsect = ctr_le32(h + 12);
	nblocks = ctr_le32(h + 25);
	bsize = ctr_le32(h + 29);
	ptrlen = h[33];
	toff = ctr_le32(h + 35);
	soff = ctr_le32(h + 39);
	doff = ctr_le32(h + 43);
	if (hsize < HDR_MIN || ssize == 0 || bsize == 0 || bsize > CTR_MAX_CHUNK ||
	    bsize % ssize)
		return ctr_bad(c, err, 10, "sectors of %u bytes in blocks of %u",
			       ssize, bsize);
	c->size = (uint64_t)nsect * ssize;
	c->chunk_size = c->max_chunk = bsize;
	c->nchunks = (c->size + bsize - 1) / bsize;
	if (nblocks != c->nchunks)
		return ctr_bad(c, err, 25, "%u blocks for an image of %llu bytes in "
			       "blocks of %u", nblocks, (unsigned long long)c->size, bsize);
	if (c->nchunks * (ptrlen ? ptrlen : 1) > CTR_MAX_TABLE)
		return ctr_bad(c, err, 25, "a chunk table of %u entries", nblocks);
	z = calloc(1, sizeof(*z));
	if (!z)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	c->priv = z;
	if (read_chunks(c, z, toff, ptrlen, bsize, err) != SP_OK)
		return SP_FAILED;
	if (soff) {
		if (read_segments(c, soff, &segs, &nseg, err) != SP_OK)
			return SP_FAILED;
	} else if (ctr_le64(h + 17) != 0) {
		return sp_error_set(err, SPE_UNSUPPORTED, "'%s' is a split ISZ image "
				    "without a segment table, which spindle does not "
				    "read yet", c->path);
	}
	if (nseg == 0) {
		struct seg one = { c->parts[0].size, nblocks, 0, doff, 0 };

		st = open_segments(c, z, &one, 1, doff, err);
	} else {
		st = open_segments(c, z, segs, nseg, doff, err);
	}
	free(segs);
	if (st == SP_OK && nseg > 0 && (uint64_t)nseg && c->nparts &&
	    z->chunk[c->nchunks - 1].off + z->chunk[c->nchunks - 1].len >
	    c->parts[c->nparts - 1].start + c->parts[c->nparts - 1].data_len)
		st = ctr_bad(c, err, 0, "the segments do not hold all chunks");
	return st;
}

static enum sp_status isz_decode(const struct img_container *c, uint64_t idx,
				 uint8_t *out, size_t len, struct sp_error *err)
{
	const struct isz *z = c->priv;
	const struct izchunk *k = &z->chunk[idx];
	const char *why = "";
	uint8_t *in;
	int rc = 0;

	if (k->type == Z_ZERO) {
		memset(out, 0, len);
		return SP_OK;
	}
	if (k->type == Z_DATA) {
		if (k->len != len)
			return ctr_bad(c, err, k->off, "stored chunk %llu holds %u bytes, "
				       "not %zu", (unsigned long long)idx, k->len, len);
		return ctr_pread_logical(c, out, len, k->off, "a chunk", err);
	}
	in = malloc(k->len + 1u);
	if (!in)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (ctr_pread_logical(c, in, k->len, k->off, "a chunk", err) != SP_OK) {
		free(in);
		return SP_FAILED;
	}
	rc = ctr_decode(k->type == Z_ZLIB ? CTR_ZLIB : CTR_BZIP2, NULL, in, k->len,
			out, len, NULL, &why);
	free(in);
	if (rc != 0)
		return ctr_bad(c, err, k->off, "chunk %llu (data offset): %s",
			       (unsigned long long)idx, why);
	return SP_OK;
}

static void isz_close(struct img_container *c)
{
	struct isz *z = c->priv;

	if (z)
		free(z->chunk);
	free(z);
}

const struct ctr_reader ctr_isz = {
	"ISZ", isz_probe, isz_open, isz_decode, isz_close,
};
