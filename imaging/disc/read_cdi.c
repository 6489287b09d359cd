/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * read_cdi.c - DiscJuggler CDI images v2, v3 and v3.5 (psx-spx "CDROM
 * disk images", libmirage's and cdirip's notes).  The sectors of every
 * track come first, from 00:00:00 (LBA -150) with pregaps stored; the
 * descriptor is at the end.  The last 8 bytes are the version
 * (0x80000004 v2, 0x80000005 v3, 0x80000006 v3.5) and the descriptor's
 * position: an offset from the start (v2, v3) or its size counted from
 * the end (v3.5).  All little endian.  The descriptor holds:
 *
 *   u8 sessions; per session a 15-byte block (byte 1: its track count)
 *   and its track blocks; an empty session block; a disc block.
 *   track block: a header (16 bytes, a name of F bytes, 31 bytes),
 *   index lengths (u16 count, u32 each: the pregap first), CD-TEXT
 *   fields, mode (0 audio, 1 mode 1, 2 mode 2), session and track
 *   numbers, start (sectors from 00:00:00) and length (pregap included),
 *   the read mode (0: 2048, 1: 2336, 2: 2352, 3: 2352+16, 4: 2352+96),
 *   control, ISRC; v3 and later add 87 bytes (when bytes 0x86..0x89 of
 *   the block are FF); 12 closing bytes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/disc/disc_private.h"

#define CDI_V2 0x80000004u
#define CDI_V3 0x80000005u
#define CDI_V35 0x80000006u

static int cdi_probe(const struct disc_probe_in *in)
{
	uint32_t v, off;

	if (in->tail_len < 8)
		return 0;
	v = disc_le32(in->tail + in->tail_len - 8);
	off = disc_le32(in->tail + in->tail_len - 4);
	if ((v == CDI_V2 || v == CDI_V3) && off < in->size)
		return 90;
	if (v == CDI_V35 && off > 8 && off <= in->size)
		return 90;
	return !strcmp(in->ext, "cdi") ? 5 : 0;
}

struct cdi {
	struct img_disc *d;
	const uint8_t *p;
	size_t len, at;             /* the descriptor and the cursor in it */
	uint64_t base;              /* the descriptor's byte offset in the file */
	uint32_t version;
	uint64_t data;              /* next track's sectors in the file */
	const char *name;
	struct sp_error *err;
};

static bool need(struct cdi *c, size_t n)
{
	if (n <= c->len && c->at <= c->len - n)
		return true;
	disc_bad(c->err, "CDI", c->name, c->base + c->at, "the descriptor ends inside a "
		 "block (%zu more bytes wanted)", n);
	return false;
}

static bool skip(struct cdi *c, size_t n)
{
	if (!need(c, n))
		return false;
	c->at += n;
	return true;
}

static bool u32(struct cdi *c, uint32_t *v)
{
	if (!need(c, 4))
		return false;
	*v = disc_le32(c->p + c->at);
	c->at += 4;
	return true;
}

/* The header of track and disc blocks: 16 bytes, a name, 31 bytes. */
static bool header(struct cdi *c)
{
	if (!need(c, 17))
		return false;
	c->at += 16;
	return skip(c, 1u + c->p[c->at]) && skip(c, 31);
}

static enum sp_status track(struct cdi *c, int session)
{
	struct img_disc_track *t;
	struct img_disc_extent *x;
	uint32_t n_idx, n_text, mode, tno, start, length, rmode, ctl, v, idx0 = 0;
	size_t block = c->at;
	uint16_t count;
	char text[2][81] = { "", "" };

	if (!header(c) || !need(c, 2))
		return SP_FAILED;
	count = (uint16_t)disc_le16(c->p + c->at);
	c->at += 2;
	n_idx = count;
	if (n_idx < 1 || n_idx > 100)
		return disc_bad(c->err, "CDI", c->name, c->base + c->at - 2, "a track with %u "
				"indexes", n_idx);
	for (uint32_t i = 0; i < n_idx; i++)
		if (!u32(c, i ? &v : &idx0))
			return SP_FAILED;
	if (!u32(c, &n_text) || n_text > 99)
		return n_text > 99 ? disc_bad(c->err, "CDI", c->name, c->base + c->at - 4,
					      "%u CD-TEXT blocks", n_text) : SP_FAILED;
	for (uint32_t b = 0; b < n_text; b++)
		for (int f = 0; f < 18; f++) {
			size_t l;

			if (!need(c, 1))
				return SP_FAILED;
			l = c->p[c->at++];
			if (!need(c, l))
				return SP_FAILED;
			if (b == 0 && f < 2)
				snprintf(text[f], sizeof(text[f]), "%.*s", (int)(l > 80 ? 80 : l),
					 (const char *)c->p + c->at);
			c->at += l;
		}
	if (!skip(c, 2) || !u32(c, &mode) || !skip(c, 4) || !u32(c, &v) || !u32(c, &tno) ||
	    !u32(c, &start) || !u32(c, &length) || !skip(c, 16) || !u32(c, &rmode) ||
	    !u32(c, &ctl) || !skip(c, 9) || !need(c, 16))
		return SP_FAILED;
	if (!(t = disc_add_track(c->d, "CDI", c->err)) || !(x = disc_add_extent(c->d, "CDI", c->err)))
		return SP_FAILED;
	if (disc_le32(c->p + c->at + 12))
		snprintf(t->isrc, sizeof(t->isrc), "%.12s", (const char *)c->p + c->at);
	c->at += 16;
	if (c->version != CDI_V2) {
		if (!need(c, 9))
			return SP_FAILED;
		if (disc_le32(c->p + c->at + 5) == 0xffffffffu)
			c->at += 9 + 78;
		else
			c->at += 9;
	}
	if (!skip(c, 12))
		return SP_FAILED;
	(void)block;
	t->number = c->d->n_tracks;
	t->session = session;
	switch (mode) {
	case 0: t->mode = IMG_DISC_AUDIO; break;
	case 1: t->mode = IMG_DISC_MODE1; break;
	case 2: t->mode = IMG_DISC_MODE2_MIXED; break;
	default:
		return disc_bad(c->err, "CDI", c->name, c->base + c->at, "track %d has mode %u",
				t->number, mode);
	}
	switch (rmode) {
	case 0: x->sector_size = 2048; x->store = IMG_STORE_USER; break;
	case 1: x->sector_size = 2336; x->store = IMG_STORE_MODE2; break;
	case 2: x->sector_size = 2352; x->store = IMG_STORE_RAW; break;
	case 4: x->sector_size = 2448; x->store = IMG_STORE_RAW; x->sub_size = 96; break;
	default:
		return disc_bad(c->err, "CDI", c->name, c->base + c->at, "track %d has read "
				"mode %u", t->number, rmode);
	}
	if ((x->store == IMG_STORE_USER && mode != 1) || (x->store == IMG_STORE_MODE2 && mode != 2))
		return disc_bad(c->err, "CDI", c->name, c->base + c->at, "track %d: read mode %u "
				"does not fit track mode %u", t->number, rmode, mode);
	snprintf(t->stored_as, sizeof(t->stored_as), "%s/%u", mode == 0 ? "AUDIO" :
		 mode == 1 ? "MODE1" : "MODE2", x->sector_size);
	if (idx0 >= length || length > DISC_MAX_SECTORS || start > DISC_MAX_SECTORS)
		return disc_bad(c->err, "CDI", c->name, c->base + c->at, "track %d: pregap %u "
				"and length %u", t->number, idx0, length);
	t->pregap = idx0;
	t->start = (int64_t)start - 150 + idx0;
	t->length = (int64_t)length - idx0;
	t->copy_permitted = ctl & 2;
	t->pre_emphasis = ctl & 1;
	memcpy(t->title, text[0], sizeof(t->title));
	memcpy(t->performer, text[1], sizeof(t->performer));
	if (t->title[0] || t->performer[0])
		c->d->has_cdtext = true;
	x->lba = (int64_t)start - 150;
	x->count = length;
	x->file = 0;
	x->offset = c->data;
	c->data += (uint64_t)length * x->sector_size;
	return SP_OK;
}

static enum sp_status cdi_open(struct img_disc *d, struct img_bytes *b, const char *path,
			       struct sp_error *err)
{
	struct cdi c = { .d = d, .name = b->name, .err = err };
	uint8_t tail[8], *desc = NULL;
	uint32_t off;
	int sessions;
	enum sp_status st = SP_FAILED;

	(void)path;
	if (b->size < 16 || img_bytes_read(b, b->size - 8, tail, 8, err) != SP_OK)
		return disc_bad(err, "CDI", b->name, 0, "too short for a DiscJuggler image");
	c.version = disc_le32(tail);
	off = disc_le32(tail + 4);
	if (c.version == CDI_V35)
		c.base = off <= b->size && off > 8 ? b->size - off : b->size;
	else if (c.version == CDI_V2 || c.version == CDI_V3)
		c.base = off;
	else
		return disc_bad(err, "CDI", b->name, b->size - 8, "unknown version 0x%08x",
				c.version);
	if (c.base + 8 >= b->size)
		return disc_bad(err, "CDI", b->name, b->size - 4, "the descriptor offset %u lies "
				"past the end", off);
	c.len = (size_t)(b->size - 8 - c.base);
	if (c.len > DISC_TEXT_MAX)
		return disc_bad(err, "CDI", b->name, c.base, "a descriptor of %zu bytes", c.len);
	if (!(desc = malloc(c.len + 1)))
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (img_bytes_read(b, c.base, desc, c.len, err) != SP_OK)
		goto out;
	c.p = desc;
	snprintf(d->format, sizeof(d->format), "CDI %s", c.version == CDI_V2 ? "v2" :
		 c.version == CDI_V3 ? "v3" : "v3.5");
	if (!need(&c, 1))
		goto out;
	sessions = c.p[c.at++];
	if (sessions < 1 || sessions > 99) {
		disc_bad(err, "CDI", b->name, c.base, "%d sessions", sessions);
		goto out;
	}
	for (int s = 1; s <= sessions; s++) {
		int tracks;

		if (!need(&c, 15))
			goto out;
		tracks = c.p[c.at + 1];
		c.at += 15;
		if (tracks < 1 || tracks > 99) {
			disc_bad(err, "CDI", b->name, c.base + c.at - 14, "session %d has %d tracks",
				 s, tracks);
			goto out;
		}
		for (int k = 0; k < tracks; k++)
			if (track(&c, s) != SP_OK)
				goto out;
	}
	/* the disc block: MCN after the volume ID */
	if (skip(&c, 15) && header(&c) && skip(&c, 4) && need(&c, 1)) {
		size_t v = c.p[c.at];

		if (skip(&c, 1 + v + 9) && need(&c, 17) && disc_le32(c.p + c.at + 13))
			snprintf(d->mcn, sizeof(d->mcn), "%.13s", (const char *)c.p + c.at);
	}
	sp_error_clear(err);
	st = disc_finish(d, "CDI", err);
out:
	free(desc);
	return st;
}

const struct disc_reader disc_reader_cdi = { "cdi", cdi_probe, cdi_open };
