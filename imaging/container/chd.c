/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * chd.c - MAME CHD v5 ("MComprHD"): header, compressed hunk map, codecs
 * (lzma, zlib, huff, flac, zstd and the CD variants that split sector data
 * from subchannel), and the CD track metadata (CHT2, CHTR, CHGD).
 *
 * Written from the layout in MAME's chd.cpp/chdcodec.cpp documentation:
 * a 124-byte big-endian header; a map of one entry per hunk (compressed
 * with a Huffman-coded type list plus bit-packed lengths, offsets and
 * CRC-16s); a linked list of metadata entries.  CD images store 2448-byte
 * frames (2352 sector bytes + 96 subchannel), 8 to a hunk; a frame whose
 * sync and ECC the compressor could rebuild has them removed and a bit
 * set in the hunk's header.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/base/base.h"
#include "imaging/container/container_private.h"

#define CHD_HEADER      124
#define CD_FRAME        2448
#define CD_SECTOR       2352
#define CD_SUB          96
#define MAX_META        (1u << 20)
#define MAX_META_ITEMS  4096

enum { T_CODEC0 = 0, T_NONE = 4, T_SELF = 5, T_PARENT = 6, T_RLE_SMALL = 7,
       T_RLE_LARGE = 8, T_SELF_0 = 9, T_SELF_1 = 10, T_PARENT_SELF = 11,
       T_PARENT_0 = 12, T_PARENT_1 = 13,
       T_ZERO = 14 /* ours: a hunk the uncompressed map leaves empty */ };

#define TAG(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

struct hunk { uint64_t offset; uint32_t length; uint16_t crc; uint8_t type; };

struct chd {
	uint32_t codec[4];
	uint32_t hunkbytes, unitbytes;
	uint64_t hunks;
	struct hunk *map;
	bool crcs;              /* the map holds a CRC-16 per hunk */
};

static int chd_probe(const uint8_t *head, size_t hlen, const uint8_t *tail,
		     size_t tlen, uint64_t fsize)
{
	(void)tail, (void)tlen, (void)fsize;
	if (hlen < 16 || memcmp(head, "MComprHD", 8) != 0)
		return 0;
	return ctr_be32(head + 12) == 5 ? 100 : 60;
}

/* The CRC-16/CCITT table, built once (pthread_once). */
static uint16_t crc_table[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void make_tables(void)
{
	for (unsigned i = 0; i < 256; i++) {
		uint16_t c = (uint16_t)(i << 8);

		for (int k = 0; k < 8; k++)
			c = (uint16_t)(c & 0x8000 ? c << 1 ^ 0x1021 : c << 1);
		crc_table[i] = c;
	}
}

static uint16_t crc16(uint16_t crc, const uint8_t *p, size_t n)
{
	while (n--)
		crc = (uint16_t)(crc << 8 ^ crc_table[(crc >> 8 ^ *p++) & 0xff]);
	return crc;
}

static bool is_cd_codec(uint32_t t)
{
	return t == TAG('c', 'd', 'l', 'z') || t == TAG('c', 'd', 'z', 'l') ||
	       t == TAG('c', 'd', 'f', 'l') || t == TAG('c', 'd', 'z', 's');
}

static bool known_codec(uint32_t t)
{
	return t == 0 || is_cd_codec(t) || t == TAG('z', 'l', 'i', 'b') ||
	       t == TAG('l', 'z', 'm', 'a') || t == TAG('h', 'u', 'f', 'f') ||
	       t == TAG('f', 'l', 'a', 'c') || t == TAG('z', 's', 't', 'd');
}

static void tag_text(uint32_t t, char out[5])
{
	for (int i = 0; i < 4; i++) {
		uint8_t ch = (uint8_t)(t >> (24 - 8 * i));

		out[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	out[4] = 0;
}

/* ---- the hunk map ---- */

static enum sp_status read_uncompressed_map(struct img_container *c,
					    struct chd *h, uint64_t mapoff,
					    struct sp_error *err)
{
	uint64_t fsize = c->parts[0].size;
	uint8_t *raw;

	if (h->hunks * 4 > CTR_MAX_TABLE)
		return ctr_bad(c, err, mapoff, "a hunk map of %llu entries",
			       (unsigned long long)h->hunks);
	raw = malloc(h->hunks * 4 + 1);
	if (!raw)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (ctr_pread(c, 0, raw, h->hunks * 4, mapoff, "the hunk map", err) != SP_OK) {
		free(raw);
		return SP_FAILED;
	}
	for (uint64_t i = 0; i < h->hunks; i++) {
		uint64_t off = (uint64_t)ctr_be32(raw + 4 * i) * h->hunkbytes;

		h->map[i].type = off ? T_NONE : T_ZERO;
		h->map[i].offset = off;
		h->map[i].length = off ? h->hunkbytes : 0;
		if (off && (off > fsize || fsize - off < h->hunkbytes)) {
			free(raw);
			return ctr_bad(c, err, mapoff + 4 * i, "hunk %llu lies past the "
				       "end of the file", (unsigned long long)i);
		}
	}
	free(raw);
	return SP_OK;
}

struct map_hdr { uint32_t bytes; uint64_t first; uint16_t crc; uint8_t lbits, sbits, pbits; };

static enum sp_status decode_map_types(struct img_container *c, struct chd *h,
				       struct ctr_bits *b, uint64_t mapoff,
				       struct sp_error *err)
{
	struct ctr_huff hf;
	uint8_t last = 0;
	uint32_t rep = 0;

	if (ctr_huff_init(&hf, 16, 8) != 0)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (ctr_huff_import_rle(&hf, b) != 0) {
		ctr_huff_release(&hf);
		return ctr_bad(c, err, mapoff + 16, "the hunk map's code table is "
			       "invalid");
	}
	for (uint64_t i = 0; i < h->hunks; i++) {
		unsigned v;

		if (rep) {
			h->map[i].type = last;
			rep--;
			continue;
		}
		v = ctr_huff_decode(&hf, b);
		if (v == T_RLE_SMALL) {
			h->map[i].type = last;
			rep = 2 + ctr_huff_decode(&hf, b);
		} else if (v == T_RLE_LARGE) {
			h->map[i].type = last;
			rep = 2 + 16 + (ctr_huff_decode(&hf, b) << 4);
			rep += ctr_huff_decode(&hf, b);
		} else {
			h->map[i].type = last = (uint8_t)v;
		}
	}
	ctr_huff_release(&hf);
	return SP_OK;
}

static enum sp_status read_compressed_map(struct img_container *c,
					  struct chd *h, uint64_t mapoff,
					  struct sp_error *err)
{
	uint64_t fsize = c->parts[0].size, cur, last_parent = 0;
	uint64_t last_self = 0;
	uint8_t raw[16], *data = NULL, e[12];
	struct map_hdr m;
	struct ctr_bits b;
	uint16_t crc = 0xffff;
	enum sp_status st = SP_FAILED;

	if (ctr_pread(c, 0, raw, 16, mapoff, "the hunk map header", err) != SP_OK)
		return SP_FAILED;
	m.bytes = ctr_be32(raw);
	m.first = (uint64_t)ctr_be16(raw + 4) << 32 | ctr_be32(raw + 6);
	m.crc = ctr_be16(raw + 10);
	m.lbits = raw[12], m.sbits = raw[13], m.pbits = raw[14];
	if (m.lbits > 32 || m.sbits > 32 || m.pbits > 32 || m.bytes > CTR_MAX_TABLE)
		return ctr_bad(c, err, mapoff, "the hunk map header is invalid");
	data = malloc(m.bytes + 1u);
	if (!data)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (ctr_pread(c, 0, data, m.bytes, mapoff + 16, "the hunk map", err) != SP_OK)
		goto out;
	ctr_bits_init(&b, data, m.bytes);
	if (decode_map_types(c, h, &b, mapoff, err) != SP_OK)
		goto out;
	cur = m.first;
	for (uint64_t i = 0; i < h->hunks; i++) {
		struct hunk *k = &h->map[i];

		k->offset = cur;
		k->length = 0;
		k->crc = 0;
		switch (k->type) {
		case 0: case 1: case 2: case 3:
			k->length = ctr_bits_read(&b, m.lbits);
			k->crc = (uint16_t)ctr_bits_read(&b, 16);
			if (h->codec[k->type] == 0) {
				ctr_bad(c, err, mapoff, "hunk %llu uses codec slot %u, "
					"which is empty", (unsigned long long)i, k->type);
				goto out;
			}
			cur += k->length;
			break;
		case T_NONE:
			k->length = h->hunkbytes;
			k->crc = (uint16_t)ctr_bits_read(&b, 16);
			cur += k->length;
			break;
		case T_SELF:
			k->offset = last_self = ctr_bits_read(&b, m.sbits);
			break;
		case T_PARENT:
			k->offset = last_parent = ctr_bits_read(&b, m.pbits);
			break;
		case T_SELF_1:
			last_self++;
			/* fall through */
		case T_SELF_0:
			k->type = T_SELF;
			k->offset = last_self;
			break;
		case T_PARENT_SELF:
			k->type = T_PARENT;
			k->offset = last_parent = i * h->hunkbytes / h->unitbytes;
			break;
		case T_PARENT_1:
			last_parent += h->hunkbytes / h->unitbytes;
			/* fall through */
		case T_PARENT_0:
			k->type = T_PARENT;
			k->offset = last_parent;
			break;
		default:
			ctr_bad(c, err, mapoff, "hunk %llu has an unknown type %u",
				(unsigned long long)i, k->type);
			goto out;
		}
		if ((k->type < T_SELF) && (k->offset > fsize || fsize - k->offset < k->length)) {
			ctr_bad(c, err, k->offset, "hunk %llu (%u bytes) lies past the end "
				"of the file", (unsigned long long)i, k->length);
			goto out;
		}
		if (k->type == T_SELF && k->offset >= i) {
			ctr_bad(c, err, mapoff, "hunk %llu refers to hunk %llu, not an "
				"earlier one (a loop)", (unsigned long long)i,
				(unsigned long long)k->offset);
			goto out;
		}
		e[0] = k->type;
		e[1] = (uint8_t)(k->length >> 16), e[2] = (uint8_t)(k->length >> 8);
		e[3] = (uint8_t)k->length;
		for (int j = 0; j < 6; j++)
			e[4 + j] = (uint8_t)(k->offset >> (40 - 8 * j));
		e[10] = (uint8_t)(k->crc >> 8), e[11] = (uint8_t)k->crc;
		crc = crc16(crc, e, 12);
	}
	if (ctr_bits_overflow(&b)) {
		ctr_bad(c, err, mapoff + 16, "the hunk map is shorter than its %llu "
			"hunks", (unsigned long long)h->hunks);
		goto out;
	}
	if (crc != m.crc) {
		ctr_bad(c, err, mapoff + 10, "the hunk map's CRC does not match");
		goto out;
	}
	st = SP_OK;
out:
	free(data);
	return st;
}

/* ---- CD sectors: the sync and P/Q parity the compressor removed ---- */

static void rebuild_sector(uint8_t *s)
{
	img_cd_sync(s);
	img_cd_ecc(s);
}

/* ---- codecs ---- */

static int huff_decode(const uint8_t *in, size_t inlen, uint8_t *out,
		       size_t outlen, const char **why)
{
	struct ctr_huff h;
	struct ctr_bits b;
	int rc = -1;

	if (ctr_huff_init(&h, 256, 16) != 0) {
		*why = "out of memory";
		return -1;
	}
	ctr_bits_init(&b, in, inlen);
	if (ctr_huff_import_huffman(&h, &b) != 0) {
		*why = "invalid Huffman table";
		goto out;
	}
	for (size_t i = 0; i < outlen; i++)
		out[i] = (uint8_t)ctr_huff_decode(&h, &b);
	if (ctr_bits_overflow(&b))
		*why = "Huffman data ends early";
	else
		rc = 0;
out:
	ctr_huff_release(&h);
	return rc;
}

static int base_decode(uint32_t codec, const uint8_t *in, size_t inlen,
		       uint8_t *out, size_t outlen, const char **why)
{
	struct ctr_lzma_props lz = { 3, 0, 2, 0 };

	lz.dict = outlen < 4096 ? 4096 : (uint32_t)outlen;
	switch (codec) {
	case TAG('z', 'l', 'i', 'b'):
	case TAG('c', 'd', 'z', 'l'):
		return ctr_decode(CTR_DEFLATE, NULL, in, inlen, out, outlen, NULL, why);
	case TAG('l', 'z', 'm', 'a'):
	case TAG('c', 'd', 'l', 'z'):
		return ctr_decode(CTR_LZMA1, &lz, in, inlen, out, outlen, NULL, why);
	case TAG('z', 's', 't', 'd'):
	case TAG('c', 'd', 'z', 's'):
		return ctr_decode(CTR_ZSTD, NULL, in, inlen, out, outlen, NULL, why);
	case TAG('h', 'u', 'f', 'f'):
		return huff_decode(in, inlen, out, outlen, why);
	case TAG('f', 'l', 'a', 'c'): {
		uint32_t bs = (uint32_t)(outlen / 4);

		while (bs > 2048)
			bs /= 2;
		if (inlen < 1 || (in[0] != 'L' && in[0] != 'B')) {
			*why = "FLAC hunk without its byte-order mark";
			return -1;
		}
		return ctr_flac_decode(in + 1, inlen - 1, bs, out, outlen,
				       in[0] == 'B', NULL, why);
	}
	}
	*why = "unknown codec";
	return -1;
}

static int cd_decode(uint32_t codec, const uint8_t *in, size_t inlen,
		     uint8_t *out, size_t outlen, const char **why)
{
	size_t frames = outlen / CD_FRAME, hdr, ecc = (frames + 7) / 8, used;
	size_t base_len;
	uint8_t *tmp = malloc(frames * CD_FRAME + 1);
	uint8_t *sub = tmp + frames * CD_SECTOR;
	uint32_t sub_codec = codec == TAG('c', 'd', 'z', 's') ? TAG('c', 'd', 'z', 's') :
		TAG('c', 'd', 'z', 'l');
	int rc = -1;

	if (!tmp) {
		*why = "out of memory";
		return -1;
	}
	if (codec == TAG('c', 'd', 'f', 'l')) {
		uint32_t bs = (uint32_t)(frames * CD_SECTOR / 4);

		while (bs > CD_SECTOR)
			bs /= 2;
		if (ctr_flac_decode(in, inlen, bs, tmp, frames * CD_SECTOR, true,
				    &used, why) != 0 ||
		    base_decode(sub_codec, in + used, inlen - used, sub,
				frames * CD_SUB, why) != 0)
			goto out;
		ecc = 0;
	} else {
		hdr = ecc + (outlen < 65536 ? 2 : 3);
		if (inlen < hdr) {
			*why = "CD hunk shorter than its header";
			goto out;
		}
		base_len = (size_t)in[ecc] << 8 | in[ecc + 1];
		if (outlen >= 65536)
			base_len = base_len << 8 | in[ecc + 2];
		if (base_len > inlen - hdr) {
			*why = "CD hunk's sector data runs past the hunk";
			goto out;
		}
		if (base_decode(codec, in + hdr, base_len, tmp, frames * CD_SECTOR, why) != 0 ||
		    base_decode(sub_codec, in + hdr + base_len, inlen - hdr - base_len,
				sub, frames * CD_SUB, why) != 0)
			goto out;
	}
	for (size_t f = 0; f < frames; f++) {
		uint8_t *s = out + f * CD_FRAME;

		memcpy(s, tmp + f * CD_SECTOR, CD_SECTOR);
		memcpy(s + CD_SECTOR, sub + f * CD_SUB, CD_SUB);
		if (ecc && (in[f / 8] & (1u << (f % 8))))
			rebuild_sector(s);
	}
	rc = 0;
out:
	free(tmp);
	return rc;
}

static enum sp_status chd_decode(const struct img_container *c, uint64_t idx,
				 uint8_t *out, size_t len, struct sp_error *err)
{
	const struct chd *h = c->priv;
	const struct hunk *k = &h->map[idx];
	uint8_t *in = NULL;
	const char *why = NULL;
	uint32_t codec;
	int rc;

	(void)len;              /* we fill the whole hunk; out holds max_chunk */
	while (k->type == T_SELF)       /* offsets only go down: it ends */
		k = &h->map[k->offset];
	switch (k->type) {
	case T_ZERO:
		memset(out, 0, h->hunkbytes);
		return SP_OK;
	case T_PARENT:
		return ctr_bad(c, err, k->offset, "hunk %llu lives in the parent CHD",
			       (unsigned long long)(k - h->map));
	case T_NONE:
		if (ctr_pread(c, 0, out, h->hunkbytes, k->offset, "a hunk", err) != SP_OK)
			return SP_FAILED;
		break;
	default:
		codec = h->codec[k->type];
		in = malloc(k->length + 1u);
		if (!in)
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		if (ctr_pread(c, 0, in, k->length, k->offset, "a hunk", err) != SP_OK) {
			free(in);
			return SP_FAILED;
		}
		if (is_cd_codec(codec))
			rc = cd_decode(codec, in, k->length, out, h->hunkbytes, &why);
		else
			rc = base_decode(codec, in, k->length, out, h->hunkbytes, &why);
		free(in);
		if (rc != 0) {
			char t[5];

			tag_text(codec, t);
			return ctr_bad(c, err, k->offset, "hunk %llu (%s): %s",
				       (unsigned long long)(k - h->map), t, why);
		}
	}
	if (h->crcs && crc16(0xffff, out, h->hunkbytes) != k->crc)
		return ctr_bad(c, err, k->offset, "hunk %llu does not match its CRC",
			       (unsigned long long)(k - h->map));
	return SP_OK;
}

/* ---- metadata: the CD track list ---- */

static const struct { const char *name; enum img_container_mode mode; uint32_t size; } cd_types[] = {
	{ "MODE1", IMG_CTR_MODE1, 2048 }, { "MODE1_RAW", IMG_CTR_MODE1_RAW, 2352 },
	{ "MODE2", IMG_CTR_MODE2, 2336 }, { "MODE2_FORM1", IMG_CTR_MODE2_FORM1, 2048 },
	{ "MODE2_FORM2", IMG_CTR_MODE2_FORM2, 2324 },
	{ "MODE2_FORM_MIX", IMG_CTR_MODE2_FORM_MIX, 2336 },
	{ "MODE2_RAW", IMG_CTR_MODE2_RAW, 2352 }, { "AUDIO", IMG_CTR_AUDIO, 2352 },
};

static enum sp_status parse_track(struct img_container *c, uint32_t tag,
				  const char *text, uint64_t at,
				  struct sp_error *err)
{
	char type[32] = "", sub[32] = "", pgtype[32] = "", pgsub[32] = "";
	int num = 0, frames = 0, pregap = 0, postgap = 0, pad = 0, n;
	struct img_container_track *t, *nt;
	size_t i;

	if (tag == TAG('C', 'H', 'G', 'D'))
		n = sscanf(text, "TRACK:%d TYPE:%31s SUBTYPE:%31s FRAMES:%d PAD:%d "
			   "PREGAP:%d PGTYPE:%31s PGSUB:%31s POSTGAP:%d", &num, type,
			   sub, &frames, &pad, &pregap, pgtype, pgsub, &postgap);
	else
		n = sscanf(text, "TRACK:%d TYPE:%31s SUBTYPE:%31s FRAMES:%d PREGAP:%d "
			   "PGTYPE:%31s PGSUB:%31s POSTGAP:%d", &num, type, sub,
			   &frames, &pregap, pgtype, pgsub, &postgap);
	if (n < 4 || num < 1 || num > 99 || frames < 0 || frames > 0x7fffffff / CD_FRAME ||
	    pregap < 0 || postgap < 0 || pad < 0 || (size_t)num != c->ntracks + 1)
		return ctr_bad(c, err, at, "invalid CD track metadata \"%.80s\"", text);
	for (i = 0; i < sizeof(cd_types) / sizeof(cd_types[0]); i++)
		if (strcmp(type, cd_types[i].name) == 0)
			break;
	if (i == sizeof(cd_types) / sizeof(cd_types[0]))
		return ctr_bad(c, err, at, "track %d has an unknown type '%s'", num, type);
	nt = realloc(c->tracks, (c->ntracks + 1) * sizeof(*nt));
	if (!nt)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	c->tracks = nt;
	t = &nt[c->ntracks++];
	memset(t, 0, sizeof(*t));
	t->number = num;
	t->mode = cd_types[i].mode;
	t->sector_size = cd_types[i].size;
	t->subchannel_size = strcmp(sub, "NONE") == 0 ? 0 : CD_SUB;
	t->frames = (uint32_t)frames;
	t->pregap = (uint32_t)pregap;
	t->pregap_stored = pgtype[0] == 'V';
	t->postgap = (uint32_t)postgap;
	t->frame_stride = CD_FRAME;
	t->audio_big_endian = t->mode == IMG_CTR_AUDIO;
	(void)pad;
	return SP_OK;
}

static enum sp_status read_metadata(struct img_container *c, uint64_t off,
				    struct sp_error *err)
{
	uint64_t seen[64], frame = 0;
	size_t nseen = 0, items = 0;
	char *text = NULL;
	enum sp_status st = SP_OK;

	while (off && st == SP_OK) {
		uint8_t hdr[16];
		uint32_t tag, len;

		for (size_t i = 0; i < nseen; i++)
			if (seen[i] == off)
				return ctr_bad(c, err, off, "the metadata list loops");
		if (nseen < sizeof(seen) / sizeof(seen[0]))
			seen[nseen++] = off;
		if (++items > MAX_META_ITEMS)
			return ctr_bad(c, err, off, "more than %u metadata entries "
				       "(a loop?)", MAX_META_ITEMS);
		if (ctr_pread(c, 0, hdr, 16, off, "a metadata entry", err) != SP_OK)
			return SP_FAILED;
		tag = ctr_be32(hdr);
		len = (uint32_t)hdr[5] << 16 | (uint32_t)hdr[6] << 8 | hdr[7];
		if (tag == TAG('C', 'H', 'T', '2') || tag == TAG('C', 'H', 'T', 'R') ||
		    tag == TAG('C', 'H', 'G', 'D')) {
			if (len > 1024)
				return ctr_bad(c, err, off, "a track entry of %u bytes", len);
			text = calloc(1, len + 1u);
			if (!text)
				return sp_error_set(err, SPE_NOMEM, "out of memory");
			st = ctr_pread(c, 0, text, len, off + 16, "a track entry", err);
			if (st == SP_OK)
				st = parse_track(c, tag, text, off, err);
			free(text);
			c->kind = "cd";
		} else if (tag == TAG('D', 'V', 'D', ' ')) {
			c->kind = "dvd";
		} else if (tag == TAG('G', 'D', 'D', 'D') && strcmp(c->kind, "raw") == 0) {
			c->kind = "hd";
		}
		off = ctr_be64(hdr + 8);
	}
	for (size_t i = 0; st == SP_OK && i < c->ntracks; i++) {
		struct img_container_track *t = &c->tracks[i];

		t->offset = frame * CD_FRAME;
		frame += (t->frames + 3u) / 4u * 4u;
		if (frame * CD_FRAME > c->size)
			st = ctr_bad(c, err, 0, "track %d ends past the image's %llu "
				     "bytes", t->number, (unsigned long long)c->size);
	}
	return st;
}

static enum sp_status chd_open(struct img_container *c, struct sp_error *err)
{
	uint8_t hd[CHD_HEADER];
	struct chd *h;
	uint64_t mapoff, metaoff;
	static const uint8_t zero[20];
	bool cd = false;

	pthread_once(&tables_once, make_tables);
	if (ctr_pread(c, 0, hd, 16, 0, "the header", err) != SP_OK)
		return SP_FAILED;
	if (ctr_be32(hd + 12) != 5)
		return sp_error_set(err, SPE_UNSUPPORTED, "'%s' is a CHD version %u "
				    "image; spindle reads version 5 (MAME 0.146 and "
				    "later): update it with 'chdman copy'", c->path,
				    ctr_be32(hd + 12));
	if (ctr_pread(c, 0, hd, CHD_HEADER, 0, "the header", err) != SP_OK)
		return SP_FAILED;
	if (ctr_be32(hd + 8) != CHD_HEADER)
		return ctr_bad(c, err, 8, "a header of %u bytes", ctr_be32(hd + 8));
	h = calloc(1, sizeof(*h));
	if (!h)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	c->priv = h;
	c->kind = "raw";
	for (int i = 0; i < 4; i++) {
		char t[5];

		h->codec[i] = ctr_be32(hd + 16 + 4 * i);
		tag_text(h->codec[i], t);
		if (!known_codec(h->codec[i]))
			return sp_error_set(err, SPE_UNSUPPORTED, "'%s' uses the CHD codec "
					    "'%s', which spindle does not know", c->path, t);
		cd |= is_cd_codec(h->codec[i]);
	}
	c->size = ctr_be64(hd + 32);
	mapoff = ctr_be64(hd + 40);
	metaoff = ctr_be64(hd + 48);
	h->hunkbytes = ctr_be32(hd + 56);
	h->unitbytes = ctr_be32(hd + 60);
	if (memcmp(hd + 104, zero, 20) != 0)
		return sp_error_set(err, SPE_UNSUPPORTED, "'%s' is a child CHD that "
				    "needs its parent; merge them first with 'chdman "
				    "copy'", c->path);
	if (h->hunkbytes == 0 || h->hunkbytes > CTR_MAX_CHUNK || h->unitbytes == 0 ||
	    h->unitbytes > h->hunkbytes || (cd && h->hunkbytes % CD_FRAME))
		return ctr_bad(c, err, 56, "hunks of %u bytes in units of %u",
			       h->hunkbytes, h->unitbytes);
	h->hunks = c->size / h->hunkbytes + (c->size % h->hunkbytes != 0);
	if (h->hunks > CTR_MAX_TABLE / sizeof(struct hunk))
		return ctr_bad(c, err, 32, "an image of %llu bytes in hunks of %u "
			       "bytes is too large", (unsigned long long)c->size,
			       h->hunkbytes);
	h->map = calloc(h->hunks + 1, sizeof(*h->map));
	if (!h->map)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	h->crcs = h->codec[0] != 0;
	if ((h->codec[0] ? read_compressed_map(c, h, mapoff, err) :
	     read_uncompressed_map(c, h, mapoff, err)) != SP_OK)
		return SP_FAILED;
	if (read_metadata(c, metaoff, err) != SP_OK)
		return SP_FAILED;
	c->nchunks = h->hunks;
	c->chunk_size = c->max_chunk = h->hunkbytes;
	return SP_OK;
}

static void chd_close(struct img_container *c)
{
	struct chd *h = c->priv;

	if (h)
		free(h->map);
	free(h);
}

const struct ctr_reader ctr_chd = {
	"CHD", chd_probe, chd_open, chd_decode, chd_close,
};
