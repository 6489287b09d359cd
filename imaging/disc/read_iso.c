/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * read_iso.c - plain sector images: ISO 9660 and UDF images, Apple .cdr,
 * and images of raw 2352-byte sectors with no descriptor (one data track,
 * its mode read from the first sector's header).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "imaging/disc/disc_private.h"

static const uint8_t sync_pattern[12] = {
	0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00
};

static bool is_raw(const struct disc_probe_in *in)
{
	return in->head_len >= 2352 && in->size % 2352 == 0 &&
	       memcmp(in->head, sync_pattern, 12) == 0 && (in->head[15] == 1 || in->head[15] == 2);
}

static int iso_probe(const struct disc_probe_in *in)
{
	if (in->head_len >= 32774 && (memcmp(in->head + 32769, "CD001", 5) == 0 ||
				      memcmp(in->head + 32769, "BEA01", 5) == 0))
		return 100;
	if (is_raw(in))
		return 60;
	if (in->size % 2048 == 0 && in->size &&
	    (!strcmp(in->ext, "iso") || !strcmp(in->ext, "cdr") || !strcmp(in->ext, "udf")))
		return 10;
	return 0;
}

static enum sp_status iso_open(struct img_disc *d, struct img_bytes *b, const char *path,
			       struct sp_error *err)
{
	struct img_disc_track *t;
	struct img_disc_extent *x;
	uint8_t head[16];
	bool raw = false;
	int f;

	(void)path;
	f = 0;
	if (b->size >= 2352 && b->size % 2352 == 0) {
		if (img_bytes_read(b, 0, head, sizeof(head), err) != SP_OK)
			return SP_FAILED;
		raw = memcmp(head, sync_pattern, 12) == 0 && (head[15] == 1 || head[15] == 2);
	}
	if (!raw && (b->size == 0 || b->size % 2048))
		return disc_bad(err, "ISO", b->name, b->size, "its size is not a multiple of "
				"2048-byte sectors");
	if (!(t = disc_add_track(d, "ISO", err)) || !(x = disc_add_extent(d, "ISO", err)))
		return SP_FAILED;
	t->mode = raw ? (head[15] == 1 ? IMG_DISC_MODE1 : IMG_DISC_MODE2_MIXED) : IMG_DISC_MODE1;
	t->length = (int64_t)(b->size / (raw ? 2352 : 2048));
	snprintf(t->stored_as, sizeof(t->stored_as), "%s", raw ? (head[15] == 1 ?
		 "MODE1/2352" : "MODE2/2352") : "MODE1/2048");
	x->count = t->length;
	x->file = f;
	x->sector_size = raw ? 2352 : 2048;
	x->store = raw ? IMG_STORE_RAW : IMG_STORE_USER;
	snprintf(d->format, sizeof(d->format), "%s", raw ? "raw sectors" : "ISO");
	if (raw)
		disc_note(d, "No descriptor: one data track of raw 2352-byte sectors assumed.");
	d->dvd = !raw && t->length > 405000;
	return disc_finish(d, "ISO", err);
}

const struct disc_reader disc_reader_iso = { "iso", iso_probe, iso_open };
