/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * read_mds.c - Alcohol 120% MDS v1 descriptors and their MDF data files.
 * All little endian (psx-spx "CDROM disk images", libmirage's notes):
 *
 *   header   0x58 bytes: "MEDIA DESCRIPTOR", version 1.x, medium type,
 *            session count (0x14), offset of the session blocks (0x50)
 *   session  0x18 bytes: start, end, number, block counts, first/last
 *            track, offset of its 0x50-byte track blocks (0x14)
 *   track    mode (low nibble: 9 audio, A mode 1, B mode 2, C form 1,
 *            D form 2, E mode 2 raw), subchannel (8: 96 bytes follow each
 *            sector), ADR/control, point, offset of the (pregap, length)
 *            block, sector size, start LBA, MDF offset, file name block
 *   file     offset of the name; "*.mdf" means the MDS's own name
 *
 * Pregaps are not stored in the MDF: they read as silence or empty sectors.
 * MDS v2 and MDX are read_mdx.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/disc/disc_private.h"

static int mds_probe(const struct disc_probe_in *in)
{
	if (in->head_len >= 0x58 && !memcmp(in->head, "MEDIA DESCRIPTOR", 16) &&
	    in->head[16] != 2)
		return 100;     /* v2 is read_mdx.c's */
	return 0;
}

struct mds {
	struct img_disc *d;
	const uint8_t *p;
	size_t len;
	const char *path, *name;
	int mdf;                    /* file index of "*.mdf", -1 until opened */
	struct sp_error *err;
};

static bool in_file(const struct mds *m, uint64_t off, uint64_t n)
{
	return off <= m->len && n <= m->len - off;
}

/* The data file a name block names: opened once, its index. */
static int data_file(struct mds *m, uint32_t name_block, uint32_t n_files)
{
	char name[512];
	uint32_t off;
	bool wide;
	size_t i = 0;

	if (n_files != 1 || !in_file(m, name_block, 16)) {
		disc_bad(m->err, "MDS", m->name, name_block, "a track names %u data files "
			 "(spindle reads one)", n_files);
		return -1;
	}
	off = disc_le32(m->p + name_block);
	wide = m->p[name_block + 4];
	while (i + 1 < sizeof(name) && in_file(m, off, wide ? 2 : 1) && m->p[off]) {
		name[i++] = (char)m->p[off];
		off += wide ? 2 : 1;
	}
	name[i] = 0;
	return disc_mds_data_file(m->d, m->path, name, &m->mdf, m->err);
}

static enum sp_status track_mode(struct mds *m, uint64_t at, const uint8_t *b,
				 struct img_disc_track *t, struct img_disc_extent *x)
{
	uint32_t size = disc_le16(b + 0x10), sub = b[1] == 8 ? 96 : 0, main_size;

	if (b[1] && b[1] != 8)
		return disc_bad(m->err, "MDS", m->name, at + 1, "unknown subchannel kind %u", b[1]);
	if (size < sub + 2048 || size > 2448)
		return disc_bad(m->err, "MDS", m->name, at + 0x10, "sector size %u", size);
	main_size = size - sub;
	x->sector_size = size;
	x->sub_size = sub;
	switch (b[0] & 15) {
	case 9: t->mode = IMG_DISC_AUDIO; break;
	case 0xa: t->mode = IMG_DISC_MODE1; break;
	case 0xb: t->mode = IMG_DISC_MODE2; break;
	case 0xc: t->mode = IMG_DISC_MODE2_FORM1; break;
	case 0xd: t->mode = IMG_DISC_MODE2_FORM2; break;
	case 0xe: t->mode = IMG_DISC_MODE2_MIXED; break;
	default:
		return disc_bad(m->err, "MDS", m->name, at, "unknown track mode 0x%02x", b[0]);
	}
	if (main_size == 2352)
		x->store = IMG_STORE_RAW;
	else if (main_size == 2336 && t->mode != IMG_DISC_AUDIO && t->mode != IMG_DISC_MODE1)
		x->store = IMG_STORE_MODE2;
	else if (main_size == 2048 && (t->mode == IMG_DISC_MODE1 || t->mode == IMG_DISC_MODE2_FORM1))
		x->store = IMG_STORE_USER;
	else
		return disc_bad(m->err, "MDS", m->name, at + 0x10, "%s sectors of %u bytes",
				img_disc_mode_name(t->mode), main_size);
	snprintf(t->stored_as, sizeof(t->stored_as), "%s/%u", t->mode == IMG_DISC_AUDIO ?
		 "AUDIO" : t->mode == IMG_DISC_MODE1 ? "MODE1" : "MODE2", size);
	return SP_OK;
}

static enum sp_status parse_session(struct mds *m, uint64_t at)
{
	const uint8_t *s = m->p + at;
	uint32_t blocks, tb;
	int number;

	if (!in_file(m, at, 0x18))
		return disc_bad(m->err, "MDS", m->name, at, "a session block past the end");
	number = (int)disc_le16(s + 8);
	blocks = s[0x0a];
	tb = disc_le32(s + 0x14);
	if (number < 1 || number > 99 || !in_file(m, tb, (uint64_t)blocks * 0x50))
		return disc_bad(m->err, "MDS", m->name, at, "session %d: %u track blocks at "
				"byte %u lie past the end", number, blocks, tb);
	for (uint32_t i = 0; i < blocks; i++) {
		uint64_t bo = tb + (uint64_t)i * 0x50;
		const uint8_t *b = m->p + bo;
		struct img_disc_track *t;
		struct img_disc_extent *x;
		uint32_t extra = disc_le32(b + 0x0c);
		int f;

		if (b[4] < 1 || b[4] > 99)
			continue;       /* lead-in points A0.. */
		if (!(t = disc_add_track(m->d, "MDS", m->err)) ||
		    !(x = disc_add_extent(m->d, "MDS", m->err)))
			return SP_FAILED;
		if (track_mode(m, bo, b, t, x) != SP_OK)
			return SP_FAILED;
		if (!extra || !in_file(m, extra, 8))
			return disc_bad(m->err, "MDS", m->name, bo + 0x0c, "track %d has no "
					"length block", b[4]);
		t->number = b[4];
		t->session = number;
		t->start = (int32_t)disc_le32(b + 0x24);
		t->pregap = disc_le32(m->p + extra);
		t->length = disc_le32(m->p + extra + 4);
		t->copy_permitted = b[2] & 0x02;
		t->pre_emphasis = b[2] & 0x01;
		t->four_channel = b[2] & 0x08;
		if (t->number == 1 && t->pregap == 150)
			t->pregap = 0;  /* the lead-in's gap, before LBA 0 */
		if ((f = data_file(m, disc_le32(b + 0x34), disc_le32(b + 0x30))) < 0)
			return SP_FAILED;
		x->file = f;
		x->offset = disc_le64(b + 0x28);
		x->lba = t->start;
		x->count = t->length;
	}
	return SP_OK;
}

static enum sp_status mds_open(struct img_disc *d, struct img_bytes *b, const char *path,
			       struct sp_error *err)
{
	struct mds m = { .d = d, .path = path, .name = b->name, .mdf = -1, .err = err };
	char *text = NULL;
	size_t len;
	uint32_t sessions, so;
	enum sp_status st = SP_FAILED;

	if (disc_slurp(b, DISC_TEXT_MAX, &text, &len, "MDS", err) != SP_OK)
		return SP_FAILED;
	m.p = (const uint8_t *)text;
	m.len = len;
	if (len < 0x58 || memcmp(text, "MEDIA DESCRIPTOR", 16)) {
		disc_bad(err, "MDS", b->name, 0, "no MEDIA DESCRIPTOR header");
		goto out;
	}
	if (m.p[16] != 1) {
		sp_error_set(err, SPE_UNSUPPORTED, "'%s' is an MDS v%u descriptor; spindle reads "
			     "versions 1 and 2", path, m.p[16]);
		goto out;
	}
	snprintf(d->format, sizeof(d->format), "MDS v%u.%u", m.p[16], m.p[17]);
	d->dvd = disc_le16(m.p + 0x12) >= 0x10;
	sessions = disc_le16(m.p + 0x14);
	so = disc_le32(m.p + 0x50);
	if (sessions < 1 || sessions > 99 || !in_file(&m, so, (uint64_t)sessions * 0x18)) {
		disc_bad(err, "MDS", b->name, 0x14, "%u sessions at byte %u do not fit", sessions, so);
		goto out;
	}
	for (uint32_t i = 0; i < sessions; i++)
		if (parse_session(&m, so + (uint64_t)i * 0x18) != SP_OK)
			goto out;
	st = disc_finish(d, "MDS", err);
out:
	free(text);
	return st;
}

const struct disc_reader disc_reader_mds = { "mds", mds_probe, mds_open };
