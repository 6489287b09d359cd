/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * read_mdx.c - Daemon Tools' MDS v2 (.mds + .mdf) and MDX (one file)
 * images, as libmirage's MDX notes describe them.  All little endian.
 *
 *   file header  48 bytes: "MEDIA DESCRIPTOR", version 2.x, a copyright
 *                string, the offset of the descriptor's encryption header
 *                (MDS v2: the descriptor lies between byte 48 and it), or
 *                0xffffffff (MDX: at 48 the offset and length of the
 *                descriptor; its header's 64-byte salt is the last 64 of
 *                that length, the other 448 bytes follow)
 *   descriptor   enciphered and compressed (mdx_crypt.c); offsets in it
 *                count from the file's first byte, so the 18 bytes of
 *                signature and version come first:
 *     header     medium (18: 0 CD, 3 DVD), sessions (20), CD-TEXT size
 *                (30) and offset (40), session blocks (80), the encryption
 *                header of the track data (88; 0: not enciphered)
 *     session    32 bytes: number (8), blocks (10), track blocks (20)
 *     track      80 bytes: sector type and parts kept (0), subchannel (1),
 *                ADR/control (2), point (4), extra block (12: pregap and
 *                length), sector size (16), start LBA (36), data offset
 *                (40), footers (48 count, 52 offset), where the stored
 *                data starts (56: before INDEX 01 when the pregap is kept),
 *                length of a DVD track (64)
 *     footer     32 bytes per data file: UTF-16 file name (0; MDX: none),
 *                flags (4; bit 0: compressed, mdx_data.c), sectors per
 *                group (12), sectors (16), table of groups (24)
 *
 * Track data enciphered with a password (LRW) is refused.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/disc/disc_private.h"

static int mdx_probe(const struct disc_probe_in *in)
{
	if (in->head_len >= 64 && !memcmp(in->head, "MEDIA DESCRIPTOR", 16) && in->head[16] == 2)
		return 100;
	return 0;
}

struct mdx {
	struct img_disc *d;
	const uint8_t *p;           /* the deciphered descriptor */
	size_t len;
	const char *path, *name, *fmt;
	bool mdx;                   /* data in the image file itself (files[0]) */
	bool dvd;
	int minor;
	int mdf;                    /* "*.mdf" once opened, -1 before */
	struct sp_error *err;
};

static bool in_desc(const struct mdx *m, uint64_t off, uint64_t n)
{
	return off <= m->len && n <= m->len - off;
}

/* The UTF-16LE name at off as UTF-8 into name (size bytes). */
static void wide_name(const struct mdx *m, uint32_t off, char *name, size_t size)
{
	size_t i = 0;

	while (in_desc(m, off, 2) && i + 4 < size) {
		uint32_t c = disc_le16(m->p + off);

		if (!c)
			break;
		off += 2;
		if (c < 0x80) {
			name[i++] = (char)c;
		} else if (c < 0x800) {
			name[i++] = (char)(0xc0 | c >> 6);
			name[i++] = (char)(0x80 | (c & 0x3f));
		} else {        /* surrogates come out as two 3-byte forms */
			name[i++] = (char)(0xe0 | c >> 12);
			name[i++] = (char)(0x80 | ((c >> 6) & 0x3f));
			name[i++] = (char)(0x80 | (c & 0x3f));
		}
	}
	name[i] = 0;
}

/* Mode, storage and subchannel of the track block at bo. */
static enum sp_status track_mode(struct mdx *m, uint64_t bo, struct img_disc_track *t,
				 struct img_disc_extent *x, uint32_t *sub16)
{
	const uint8_t *b = m->p + bo;
	bool sync = b[0] & 0x80, subhdr = b[0] & 0x40, hdr = b[0] & 0x20, edc = b[0] & 0x08;
	uint32_t size = disc_le16(b + 16), main, sub = 0;

	switch (b[0] & 7) {
	case 1: t->mode = IMG_DISC_AUDIO; main = 2352; break;
	case 2: t->mode = IMG_DISC_MODE1;
		main = 2048 + (sync ? 12 : 0) + (hdr ? 4 : 0) + (edc ? 288 : 0); break;
	case 3: t->mode = IMG_DISC_MODE2; main = 2336 + (sync ? 12 : 0) + (hdr ? 4 : 0); break;
	case 4: t->mode = IMG_DISC_MODE2_FORM1;
		main = 2048 + (sync ? 12 : 0) + (hdr ? 4 : 0) + (subhdr ? 8 : 0) + (edc ? 280 : 0);
		break;
	case 5: t->mode = IMG_DISC_MODE2_FORM2;
		main = 2324 + (sync ? 12 : 0) + (hdr ? 4 : 0) + (subhdr ? 8 : 0) + (edc ? 4 : 0);
		break;
	default:
		return disc_bad(m->err, m->fmt, m->name, bo, "unknown sector type %u", b[0] & 7);
	}
	if (m->minor == 0) {        /* v2.0 leaves the subchannel byte 0 */
		sub = size - main == 16 || size - main == 96 ? size - main : 0;
	} else {
		switch ((b[1] >> 3) & 7) {
		case 0: break;
		case 1: sub = 96; break;
		case 2: sub = 16; break;
		default:
			return disc_bad(m->err, m->fmt, m->name, bo + 1, "unknown subchannel kind %u",
					(b[1] >> 3) & 7);
		}
	}
	if (main + sub != size)
		return disc_bad(m->err, m->fmt, m->name, bo + 16, "sectors of %u bytes, where the "
				"track's parts make %u", size, main + sub);
	if (main == 2352)
		x->store = IMG_STORE_RAW;
	else if (main == 2336 && t->mode == IMG_DISC_MODE2)
		x->store = IMG_STORE_MODE2;
	else if (main == 2048 && (t->mode == IMG_DISC_MODE1 || t->mode == IMG_DISC_MODE2_FORM1))
		x->store = IMG_STORE_USER;
	else
		return sp_error_set(m->err, SPE_UNSUPPORTED, "%s image '%s' keeps %u bytes of each "
				    "%s sector, which spindle does not read", m->fmt, m->name,
				    main, img_disc_mode_name(t->mode));
	x->sector_size = size;
	x->sub_size = sub == 96 ? 96 : 0;   /* 16-byte Q: skipped, not kept */
	*sub16 += sub == 16;
	snprintf(t->stored_as, sizeof(t->stored_as), "%s/%u", t->mode == IMG_DISC_AUDIO ?
		 "AUDIO" : t->mode == IMG_DISC_MODE1 ? "MODE1" : "MODE2", size);
	return SP_OK;
}

/* The extents of a track from its footers: count sectors from lba. */
static enum sp_status track_data(struct mdx *m, uint64_t bo, const struct img_disc_extent *proto,
				 int64_t lba, int64_t count)
{
	const uint8_t *b = m->p + bo;
	uint32_t nf = disc_le32(b + 48), fo = disc_le32(b + 52);
	int64_t covered = 0;

	if (nf < 1 || nf > 64 || !fo || !in_desc(m, fo, (uint64_t)nf * 32))
		return disc_bad(m->err, m->fmt, m->name, bo + 48, "track %u has %u data file "
				"blocks at byte %u", b[4], nf, fo);
	for (uint32_t j = 0; j < nf; j++) {
		const uint8_t *f = m->p + fo + 32 * j;
		uint64_t n = disc_le64(f + 16), off = j ? 0 : disc_le64(b + 40);
		struct img_disc_extent *x;
		int file = 0;

		if (n > DISC_MAX_SECTORS || covered + (int64_t)n > count)
			return disc_bad(m->err, m->fmt, m->name, fo + 32 * j + 16, "track %u: "
					"its data files hold more than its %lld sectors", b[4],
					(long long)count);
		if (!m->mdx) {
			char name[512];

			wide_name(m, disc_le32(f), name, sizeof(name));
			if (!disc_le32(f) || !name[0])
				return disc_bad(m->err, m->fmt, m->name, fo + 32 * j, "track %u "
						"names no data file", b[4]);
			if ((file = disc_mds_data_file(m->d, m->path, name, &m->mdf, m->err)) < 0)
				return SP_FAILED;
		}
		if (f[4] & 1) {
			file = disc_mdx_groups(m->d, m->d->files[file], off, n, proto->sector_size,
					       disc_le32(f + 12), disc_le64(f + 24), m->err);
			if (file < 0)
				return SP_FAILED;
			off = 0;
		}
		if (!(x = disc_add_extent(m->d, m->fmt, m->err)))
			return SP_FAILED;
		*x = *proto;
		x->file = file;
		x->offset = off;
		x->lba = lba + covered;
		x->count = (int64_t)n;
		covered += (int64_t)n;
	}
	if (covered != count)
		return disc_bad(m->err, m->fmt, m->name, fo, "track %u: its data files hold %lld "
				"of its %lld sectors", b[4], (long long)covered, (long long)count);
	return SP_OK;
}

static enum sp_status parse_session(struct mdx *m, uint64_t at, uint32_t *sub16)
{
	const uint8_t *s = m->p + at;
	uint32_t blocks, tb;
	int number;

	if (!in_desc(m, at, 32))
		return disc_bad(m->err, m->fmt, m->name, at, "a session block past the end");
	number = (int)disc_le16(s + 8);
	blocks = s[10];
	tb = disc_le32(s + 20);
	if (number < 1 || number > 99 || !in_desc(m, tb, (uint64_t)blocks * 80))
		return disc_bad(m->err, m->fmt, m->name, at, "session %d: %u track blocks at "
				"byte %u lie past the end", number, blocks, tb);
	for (uint32_t i = 0; i < blocks; i++) {
		uint64_t bo = tb + (uint64_t)i * 80;
		const uint8_t *b = m->p + bo;
		struct img_disc_extent x;
		struct img_disc_track *t;
		uint32_t extra = disc_le32(b + 12);
		bool stored;

		if (b[4] < 1 || b[4] > 99)
			continue;       /* lead-in points A0.. */
		if (!(t = disc_add_track(m->d, m->fmt, m->err)))
			return SP_FAILED;
		memset(&x, 0, sizeof(x));
		x.sub_file = -1;
		if (track_mode(m, bo, t, &x, sub16) != SP_OK)
			return SP_FAILED;
		t->number = b[4];
		t->session = number;
		t->start = (int32_t)disc_le32(b + 36);
		if (!m->dvd && extra) {
			if (!in_desc(m, extra, 8))
				return disc_bad(m->err, m->fmt, m->name, bo + 12, "track %d: its "
						"length block lies past the end", b[4]);
			t->pregap = disc_le32(m->p + extra);
			t->length = disc_le32(m->p + extra + 4);
		} else {
			uint64_t len = disc_le64(b + 64);

			t->length = len > DISC_MAX_SECTORS ? -1 : (int64_t)len;
		}
		if (t->length <= 0 || t->length > DISC_MAX_SECTORS || t->pregap > DISC_MAX_SECTORS)
			return disc_bad(m->err, m->fmt, m->name, bo, "track %d is %lld sectors long",
					b[4], (long long)t->length);
		t->copy_permitted = b[2] & 0x02;
		t->pre_emphasis = b[2] & 0x01;
		t->four_channel = b[2] & 0x08;
		/* the pregap is kept when the data starts where it does */
		stored = t->pregap && t->number > 1 &&
			 (int64_t)disc_le64(b + 56) == t->start - t->pregap;
		if (t->number == 1 && t->pregap == 150)
			t->pregap = 0;  /* the lead-in's gap, before LBA 0 */
		if (track_data(m, bo, &x, stored ? t->start - t->pregap : t->start,
			       stored ? t->pregap + t->length : t->length) != SP_OK)
			return SP_FAILED;
	}
	return SP_OK;
}

/* Find, decipher and inflate the descriptor into m->p. */
static enum sp_status read_descriptor(struct mdx *m, struct img_bytes *b, uint8_t **desc)
{
	uint8_t fh[64], h[MDX_HEADER], *enc = NULL;
	uint64_t hdr_at, desc_at, desc_len;
	enum sp_status st;

	if (b->size < 64 + MDX_HEADER || img_bytes_read(b, 0, fh, 64, m->err) != SP_OK)
		return disc_bad(m->err, "MDS v2", b->name, 0, "a file of %llu bytes is too short",
				(unsigned long long)b->size);
	m->minor = fh[17];
	if (disc_le32(fh + 44) == 0xffffffffu) {
		uint64_t fo = disc_le64(fh + 48), fl = disc_le64(fh + 56);

		m->mdx = true;
		if (fl < MDX_SALT + 16 || fo > b->size || fl > b->size - fo ||
		    b->size - fo - fl < MDX_HEADER - MDX_SALT)
			return disc_bad(m->err, "MDX", b->name, 48, "a descriptor of %llu bytes at "
					"byte %llu does not fit the file", (unsigned long long)fl,
					(unsigned long long)fo);
		desc_at = fo;
		desc_len = fl - MDX_SALT;
		hdr_at = fo + fl - MDX_SALT;
	} else {
		hdr_at = disc_le32(fh + 44);
		if (hdr_at < 48 + 16 || hdr_at > b->size - MDX_HEADER)
			return disc_bad(m->err, "MDS v2", b->name, 44, "the encryption header at "
					"byte %llu does not fit the file", (unsigned long long)hdr_at);
		desc_at = 48;
		desc_len = hdr_at - 48;
	}
	m->fmt = m->mdx ? "MDX" : "MDS v2";
	if (desc_len > MDX_DESC_MAX)
		return disc_bad(m->err, m->fmt, b->name, desc_at, "a descriptor of %llu bytes",
				(unsigned long long)desc_len);
	if (img_bytes_read(b, hdr_at, h, sizeof(h), m->err) != SP_OK ||
	    disc_mdx_header(h, b->name, hdr_at, m->err) != SP_OK)
		return SP_FAILED;
	if (!(enc = malloc((size_t)desc_len + 1)))
		return sp_error_set(m->err, SPE_NOMEM, "out of memory");
	st = img_bytes_read(b, desc_at, enc, (size_t)desc_len, m->err);
	if (st == SP_OK)
		st = disc_mdx_descriptor(h, enc, (size_t)desc_len, fh, desc, &m->len, b->name,
					 m->err);
	free(enc);
	m->p = *desc;
	return st;
}

static enum sp_status mdx_open(struct img_disc *d, struct img_bytes *b, const char *path,
			       struct sp_error *err)
{
	struct mdx m = { .d = d, .path = path, .name = b->name, .mdf = -1, .err = err,
			 .fmt = "MDS v2" };
	uint8_t *desc = NULL;
	uint32_t sessions, so, medium, sub16 = 0, ct_size, ct_off;
	enum sp_status st = SP_FAILED;

	if (read_descriptor(&m, b, &desc) != SP_OK)
		goto out;
	snprintf(d->format, sizeof(d->format), "%s v2.%u", m.mdx ? "MDX" : "MDS", m.minor);
	medium = disc_le16(m.p + 18);
	if (medium > 0x10) {
		disc_bad(err, m.fmt, b->name, 18, "unknown medium type 0x%x", medium);
		goto out;
	}
	m.dvd = d->dvd = medium >= 3;
	if (disc_le32(m.p + 88)) {
		sp_error_set(err, SPE_UNSUPPORTED, "the track data of '%s' is enciphered (a "
			     "password-protected %s image), which spindle does not read", path,
			     m.fmt);
		sp_error_hint(err, "mount it in Daemon Tools with its password and make an ISO "
			      "or MDS v1 copy");
		goto out;
	}
	sessions = disc_le16(m.p + 20);
	so = disc_le32(m.p + 80);
	if (sessions < 1 || sessions > 99 || !in_desc(&m, so, (uint64_t)sessions * 32)) {
		disc_bad(err, m.fmt, b->name, 20, "%u sessions at byte %u do not fit", sessions, so);
		goto out;
	}
	for (uint32_t i = 0; i < sessions; i++)
		if (parse_session(&m, so + (uint64_t)i * 32, &sub16) != SP_OK)
			goto out;
	ct_size = disc_le16(m.p + 30);
	ct_off = disc_le32(m.p + 40);
	if (ct_size && in_desc(&m, ct_off, ct_size))
		disc_cdtext_packs(d, m.p + ct_off, ct_size);
	if (sub16)
		disc_note(d, "The image's 16-byte Q subchannel is not kept.");
	st = disc_finish(d, m.fmt, err);
out:
	free(desc);
	return st;
}

const struct disc_reader disc_reader_mdx = { "mdx", mdx_probe, mdx_open };
