/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * read_container.c - compressed containers (imaging/container/: MAME CHD,
 * UltraISO ISZ, PowerISO DAA/GBI, Apple DMG) as disc images: the
 * container's decompressed bytes become the model's byte source.  A CHD CD
 * brings its track list (frames of sector data then subchannel, audio big
 * endian); every other container holds a plain sector image, one data
 * track of 2048-byte sectors.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "imaging/container/container.h"
#include "imaging/disc/disc_private.h"

static int ctr_probe(const struct disc_probe_in *in)
{
	return img_container_probe(in->path);
}

static enum sp_status ctr_read_at(void *ctx, uint64_t off, void *buf, size_t len,
				  struct sp_error *err)
{
	return img_container_read(ctx, off, buf, len, err);
}

static void ctr_close(void *ctx)
{
	img_container_close(ctx);
}

static const struct img_bytes_ops ctr_ops = { ctr_read_at, ctr_close };

/* The model's mode and storage of a CHD track; false if not modelled. */
static bool ctr_mode(const struct img_container_track *c, struct img_disc_track *t,
		     struct img_disc_extent *x)
{
	x->store = IMG_STORE_RAW;
	switch (c->mode) {
	case IMG_CTR_AUDIO: t->mode = IMG_DISC_AUDIO; break;
	case IMG_CTR_MODE1: t->mode = IMG_DISC_MODE1; x->store = IMG_STORE_USER; break;
	case IMG_CTR_MODE1_RAW: t->mode = IMG_DISC_MODE1; break;
	case IMG_CTR_MODE2: t->mode = IMG_DISC_MODE2; x->store = IMG_STORE_MODE2; break;
	case IMG_CTR_MODE2_FORM1: t->mode = IMG_DISC_MODE2_FORM1; x->store = IMG_STORE_USER; break;
	case IMG_CTR_MODE2_FORM_MIX: t->mode = IMG_DISC_MODE2_MIXED; x->store = IMG_STORE_MODE2; break;
	case IMG_CTR_MODE2_RAW: t->mode = IMG_DISC_MODE2_MIXED; break;
	default: return false;
	}
	snprintf(t->stored_as, sizeof(t->stored_as), "%s", img_container_mode_name(c->mode));
	x->sector_size = c->frame_stride;
	x->sub_size = c->subchannel_size;
	x->swap = t->mode == IMG_DISC_AUDIO && c->audio_big_endian;
	return true;
}

static enum sp_status ctr_tracks(struct img_disc *d, const struct img_container_track *ct,
				 size_t n, int f, struct sp_error *err)
{
	int64_t lba = 0;

	for (size_t i = 0; i < n; i++) {
		struct img_disc_track *t = disc_add_track(d, "CHD", err);
		struct img_disc_extent *x = t ? disc_add_extent(d, "CHD", err) : NULL;
		int64_t stored_gap = ct[i].pregap_stored ? ct[i].pregap : 0;

		if (!x)
			return SP_FAILED;
		if (!ctr_mode(&ct[i], t, x))
			return sp_error_set(err, SPE_UNSUPPORTED, "CHD image '%s': track %d is %s, "
					    "which spindle cannot read as sectors", d->path,
					    ct[i].number, img_container_mode_name(ct[i].mode));
		if ((int64_t)ct[i].frames < stored_gap)
			return disc_bad(err, "CHD", d->path, 0, "track %d has %u frames and a "
					"stored pregap of %u", ct[i].number, ct[i].frames,
					ct[i].pregap);
		t->number = ct[i].number;
		t->pregap = ct[i].pregap;
		if (i == 0 && !ct[i].pregap_stored)
			t->pregap = 0;  /* track 1's lead-in gap, before LBA 0 */
		lba += t->pregap - stored_gap;  /* a pregap not stored: silence */
		x->lba = lba;
		x->count = ct[i].frames;
		x->file = f;
		x->offset = ct[i].offset;
		lba += stored_gap;
		t->start = lba;
		t->length = (int64_t)ct[i].frames - stored_gap + ct[i].postgap;
		t->postgap = ct[i].postgap;
		lba += t->length;
	}
	return SP_OK;
}

static enum sp_status ctr_open(struct img_disc *d, struct img_bytes *b, const char *path,
			       struct sp_error *err)
{
	const struct img_container_track *ct;
	struct img_container *c;
	struct img_bytes *cb;
	size_t n;
	int f;

	(void)b;
	if (img_container_open(path, NULL, &c, err) != SP_OK)
		return SP_FAILED;
	n = img_container_tracks(c, &ct);
	snprintf(d->format, sizeof(d->format), "%s", img_container_format(c));
	if (img_bytes_new(&cb, &ctr_ops, c, img_container_size(c), path, err) != SP_OK ||
	    (f = disc_add_file(d, cb, err)) < 0)
		return SP_FAILED;
	if (n) {
		if (ctr_tracks(d, ct, n, f, err) != SP_OK)
			return SP_FAILED;
	} else {
		struct img_disc_track *t = disc_add_track(d, d->format, err);
		struct img_disc_extent *x = t ? disc_add_extent(d, d->format, err) : NULL;

		if (!x)
			return SP_FAILED;
		if (cb->size == 0 || cb->size % SP_SECTOR)
			return disc_bad(err, d->format, path, 0, "the image inside is %llu bytes, "
					"not whole 2048-byte sectors", (unsigned long long)cb->size);
		t->mode = IMG_DISC_MODE1;
		t->length = (int64_t)(cb->size / SP_SECTOR);
		snprintf(t->stored_as, sizeof(t->stored_as), "MODE1/2048");
		x->count = t->length;
		x->file = f;
		x->sector_size = SP_SECTOR;
		x->store = IMG_STORE_USER;
		d->dvd = t->length > 405000;
	}
	return disc_finish(d, d->format, err);
}

const struct disc_reader disc_reader_container = { "container", ctr_probe, ctr_open };
