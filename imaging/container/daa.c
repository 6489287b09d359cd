/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * daa.c - PowerISO DAA and gBurner GBI images.
 *
 * Layout (little-endian; from the public notes of libmirage's filter-daa
 * and daa2iso): a 76-byte header ("DAA" or "GBI" padded to 16 bytes,
 * chunk table offset, format version 0x100 or 0x110, chunk data offset,
 * chunk size, ISO size, DAA size, a 16-byte format-2 block with the LZMA
 * properties and filter, CRC-32 of the first 72 bytes), descriptors up to
 * the chunk table (1 part, 2 split, 3 encryption, 4 comment), the chunk
 * table, then the chunks.  Version 1 tables hold 3-byte lengths of
 * deflate chunks; version 2 tables are bit-packed (length - 5, type:
 * 0 = LZMA, 1 = deflate), LZMA optionally behind the x86 BCJ filter.
 * Split images continue the chunk data in "DAA VOL" part files, each with
 * a 40-byte header.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "imaging/container/container_private.h"

#define HDR     76
#define PARTHDR 40
#define V1      0x100
#define V2      0x110

enum { D_NONE, D_ZLIB, D_LZMA };

struct dchunk { uint64_t off; uint32_t len; uint8_t type; };

struct daa {
	struct dchunk *chunk;
	struct ctr_lzma_props lz;
	bool bcj;
	uint8_t gbi_key;        /* GBI: low byte of the header CRC */
};

static int daa_probe(const uint8_t *head, size_t hlen, const uint8_t *tail,
		     size_t tlen, uint64_t fsize)
{
	static const uint8_t daa[16] = "DAA", gbi[16] = "GBI";

	(void)tail, (void)tlen, (void)fsize;
	if (hlen < HDR || (memcmp(head, daa, 16) != 0 && memcmp(head, gbi, 16) != 0))
		return 0;
	return crc32(0, head, 72) == ctr_le32(head + 72) ? 100 : 50;
}

/* Split part names: NAME.part01.daa, NAME.part001.daa, or NAME.daa, NAME.d00 */
static int part_name(const char *main, int style, size_t idx, char *out, size_t len)
{
	const char *at;
	size_t pre;

	if (snprintf(out, len, "%s", main) >= (int)len)
		return -1;
	if (style == 3) {
		pre = strlen(out);
		if (pre < 2)
			return -1;
		snprintf(out + pre - 2, 3, "%02u", (unsigned)(idx - 1) % 100);
		return 0;
	}
	at = NULL;
	for (const char *p = main; (p = strstr(p, style == 1 ? "01." : "001.")); p++)
		at = p;
	if (!at)
		return -1;
	pre = (size_t)(at - main);
	snprintf(out + pre, len - pre, style == 1 ? "%02u%s" : "%03u%s",
		 (unsigned)(idx + 1), at + (style == 1 ? 2 : 3));
	return 0;
}

static enum sp_status add_parts(struct img_container *c, uint32_t nparts,
				int style, uint32_t data_off, struct sp_error *err)
{
	char name[4096];
	uint64_t pos;

	c->parts[0].data_off = data_off;
	c->parts[0].data_len = c->parts[0].size - data_off;
	pos = c->parts[0].data_len;
	for (uint32_t i = 1; i < nparts; i++) {
		uint8_t h[PARTHDR];
		struct ctr_part *p;

		if (part_name(c->path, style, i, name, sizeof(name)) != 0)
			return ctr_bad(c, err, 0, "a split image whose name '%s' does "
				       "not show how its parts are named", c->path);
		if (ctr_add_part(c, name, err) != SP_OK)
			return SP_FAILED;
		p = &c->parts[c->nparts - 1];
		if (ctr_pread(c, c->nparts - 1, h, PARTHDR, 0, "the part header", err) != SP_OK)
			return SP_FAILED;
		if ((memcmp(h, "DAA VOL", 8) != 0 && memcmp(h, "GBI VOL", 8) != 0) ||
		    crc32(0, h, 36) != ctr_le32(h + 36)) {
			struct img_container tmp = *c;

			tmp.path = p->path;
			return ctr_bad(&tmp, err, 0, "part %u of the split image has no "
				       "valid part header", i + 1);
		}
		p->data_off = ctr_le32(h + 16) & 0xffffff;
		if (p->data_off > p->size)
			return ctr_bad(c, err, 16, "part %u's data starts past its end",
				       i + 1);
		p->data_len = p->size - p->data_off;
		p->start = pos;
		pos += p->data_len;
	}
	return SP_OK;
}

static enum sp_status read_descriptors(struct img_container *c, uint32_t end,
				       uint32_t *nparts, int *style,
				       struct sp_error *err)
{
	uint64_t off = HDR;

	*nparts = 1;
	*style = 0;
	while (off + 8 <= end) {
		uint8_t d[8];
		uint32_t type, len;

		if (ctr_pread(c, 0, d, 8, off, "a descriptor", err) != SP_OK)
			return SP_FAILED;
		type = ctr_le32(d);
		len = ctr_le32(d + 4);
		if (len < 8 || len > end - off)
			return ctr_bad(c, err, off, "a descriptor of %u bytes", len);
		if (type == 3)
			return sp_error_set(err, SPE_UNSUPPORTED, "'%s' is a password-"
					    "protected DAA image, which spindle cannot "
					    "decrypt yet; convert it with daa2iso", c->path);
		if (type == 2) {
			uint8_t s[8];

			if (len < 16)
				return ctr_bad(c, err, off, "a short split descriptor");
			if (ctr_pread(c, 0, s, 8, off + 8, "the split descriptor", err) != SP_OK)
				return SP_FAILED;
			*nparts = ctr_le32(s);
			switch ((len - 16) / 5) {
			case 99: *style = 1; break;
			case 512: *style = 2; break;
			case 101: *style = 3; break;
			default:
				return ctr_bad(c, err, off, "a split descriptor of an "
					       "unknown kind (%u bytes)", len);
			}
			if (*nparts == 0 || *nparts > CTR_MAX_PARTS)
				return ctr_bad(c, err, off + 8, "a split image of %u parts",
					       *nparts);
		}
		off += len;
	}
	return SP_OK;
}

/* LSB-first bit reader over the version 2 table. */
static uint32_t bits_le(const uint8_t *p, uint64_t pos, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++, pos++)
		v |= (uint32_t)(p[pos >> 3] >> (pos & 7) & 1) << i;
	return v;
}

static enum sp_status read_table(struct img_container *c, struct daa *d,
				 uint32_t version, uint32_t toff, uint32_t tlen,
				 unsigned tbits, unsigned lbits, struct sp_error *err)
{
	uint8_t *t = malloc(tlen + 1u);
	uint64_t n, need = (c->size + c->chunk_size - 1) / c->chunk_size, pos = 0;
	uint64_t total = 0;
	enum sp_status st = SP_FAILED;

	for (size_t i = 0; i < c->nparts; i++)
		total += c->parts[i].data_len;
	if (!t)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (ctr_pread(c, 0, t, tlen, toff, "the chunk table", err) != SP_OK)
		goto out;
	if (strcmp(c->format, "GBI") == 0)      /* gBurner masks its table */
		for (uint32_t i = 0; i < tlen; i++)
			t[i] = (uint8_t)((uint8_t)(t[i] - d->gbi_key) ^ (uint8_t)(tlen / 4));
	n = version == V1 ? tlen / 3 : (uint64_t)tlen * 8 / (tbits + lbits);
	if (n < need) {
		ctr_bad(c, err, toff, "the chunk table lists %llu chunks, the image "
			"needs %llu", (unsigned long long)n, (unsigned long long)need);
		goto out;
	}
	d->chunk = calloc(need + 1, sizeof(*d->chunk));
	if (!d->chunk) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	for (uint64_t i = 0; i < need; i++) {
		struct dchunk *k = &d->chunk[i];

		if (version == V1) {
			k->len = (uint32_t)t[3 * i] << 16 | (uint32_t)t[3 * i + 2] << 8 |
				t[3 * i + 1];
			k->type = D_ZLIB;
		} else {
			uint64_t b = i * (tbits + lbits);
			uint32_t type;

			k->len = bits_le(t, b, lbits) + 5;
			type = bits_le(t, b + lbits, tbits);
			if (k->len >= c->chunk_size)
				k->type = D_NONE;
			else if (type == 0)
				k->type = D_LZMA;
			else if (type == 1)
				k->type = D_ZLIB;
			else {
				ctr_bad(c, err, toff, "chunk %llu has an unknown type %u",
					(unsigned long long)i, type);
				goto out;
			}
		}
		k->off = pos;
		pos += k->len;
		if (k->len > CTR_MAX_CHUNK || pos > total) {
			ctr_bad(c, err, toff, "chunk %llu (%u bytes) lies past the end of "
				"the image's data (%llu bytes%s)", (unsigned long long)i,
				k->len, (unsigned long long)total,
				c->nparts > 1 ? " in all parts" : "");
			goto out;
		}
	}
	st = SP_OK;
out:
	free(t);
	return st;
}

static enum sp_status daa_open(struct img_container *c, struct sp_error *err)
{
	uint8_t h[HDR];
	uint32_t toff, version, doff, csize, nparts;
	unsigned tbits = 0, lbits = 0;
	struct daa *d;
	int style;

	if (ctr_pread(c, 0, h, HDR, 0, "the header", err) != SP_OK)
		return SP_FAILED;
	if (h[0] == 'G')
		c->format = "GBI";
	if (crc32(0, h, 72) != ctr_le32(h + 72))
		return ctr_bad(c, err, 72, "the header's CRC does not match");
	toff = ctr_le32(h + 16);
	version = ctr_le32(h + 20);
	doff = ctr_le32(h + 24);
	csize = ctr_le32(h + 36);
	c->size = ctr_le64(h + 40);
	d = calloc(1, sizeof(*d));
	if (!d)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	c->priv = d;
	d->gbi_key = h[72];
	if (version == V2) {
		unsigned bs = h[61];
		uint8_t pr = h[63];

		if (csize & 0x4000 || (csize >> 23 & 3) != (h[0] == 'G') ||
		    csize & 0x8020000)
			return sp_error_set(err, SPE_UNSUPPORTED, "'%s' uses a compressed "
					    "or scrambled chunk table, which spindle does "
					    "not read yet", c->path);
		doff &= 0xffffff;
		csize = (csize & 0xfff) << 14;
		tbits = bs & 7;
		lbits = bs >> 3 ? (bs >> 3) + 10 : 0;
		if (!lbits)
			for (uint32_t l = csize; l > tbits; l >>= 1)
				lbits++;
		if (tbits == 0 || lbits > 32 || pr >= 9 * 5 * 5)
			return ctr_bad(c, err, 61, "an invalid chunk table layout");
		d->lz.lc = pr % 9;
		d->lz.lp = pr / 9 % 5;
		d->lz.pb = pr / 45;
		d->lz.dict = ctr_le32(h + 64);
		d->bcj = h[62] == 1;
		if (h[62] > 1)
			return sp_error_set(err, SPE_UNSUPPORTED, "'%s' uses LZMA filter "
					    "%u, which spindle does not know", c->path, h[62]);
	} else if (version != V1) {
		return sp_error_set(err, SPE_UNSUPPORTED, "'%s' is a DAA image of "
				    "format 0x%x, which spindle does not know", c->path,
				    version);
	}
	if (csize == 0 || csize > CTR_MAX_CHUNK)
		return ctr_bad(c, err, 36, "chunks of %u bytes", csize);
	if (toff < HDR || doff < toff || doff > c->parts[0].size ||
	    doff - toff > CTR_MAX_TABLE)
		return ctr_bad(c, err, 16, "the chunk table (%u to %u) lies outside the "
			       "file", toff, doff);
	if (c->size / csize > CTR_MAX_TABLE / sizeof(struct dchunk))
		return ctr_bad(c, err, 40, "an image of %llu bytes",
			       (unsigned long long)c->size);
	c->chunk_size = c->max_chunk = csize;
	c->nchunks = (c->size + csize - 1) / csize;
	if (read_descriptors(c, toff, &nparts, &style, err) != SP_OK ||
	    add_parts(c, nparts, style, doff, err) != SP_OK)
		return SP_FAILED;
	return read_table(c, d, version, toff, doff - toff, tbits, lbits, err);
}

static enum sp_status daa_decode(const struct img_container *c, uint64_t idx,
				 uint8_t *out, size_t len, struct sp_error *err)
{
	const struct daa *d = c->priv;
	const struct dchunk *k = &d->chunk[idx];
	const char *why = "";
	uint8_t *in;
	int rc = 0;

	in = malloc(k->len + 1u);
	if (!in)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (ctr_pread_logical(c, in, k->len, k->off, "a chunk", err) != SP_OK) {
		free(in);
		return SP_FAILED;
	}
	if (k->type == D_NONE) {
		if (k->len < len)
			rc = -1, why = "a stored chunk is too short";
		else
			memcpy(out, in, len);
	} else if (k->type == D_ZLIB) {
		rc = ctr_decode(CTR_DEFLATE, NULL, in, k->len, out, len, NULL, &why);
	} else {
		rc = ctr_decode(d->bcj ? CTR_LZMA1_BCJ : CTR_LZMA1, &d->lz, in, k->len,
				out, len, NULL, &why);
	}
	free(in);
	if (rc != 0)
		return ctr_bad(c, err, k->off, "chunk %llu (data offset): %s",
			       (unsigned long long)idx, why);
	return SP_OK;
}

static void daa_close(struct img_container *c)
{
	struct daa *d = c->priv;

	if (d)
		free(d->chunk);
	free(d);
}

const struct ctr_reader ctr_daa = {
	"DAA", daa_probe, daa_open, daa_decode, daa_close,
};
