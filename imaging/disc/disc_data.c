/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disc_data.c - the data track of an image in any format as a flat run of
 * 2048-byte sectors, for the commands that stream or compare an ISO's
 * bytes (burn, verify): a plain image is left to them as it is; an NRG,
 * MDS, CCD, CDI, TOC or CUE image holding one data track is read through
 * the model, here or as a libburn source.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libburn/libburn.h>

#include "imaging/burn/burn.h"
#include "imaging/disc/disc_private.h"

struct img_disc_data {
	struct img_disc *d;
	const struct img_disc_track *t;
	uint64_t bytes;
	int64_t cached;             /* LBA in sector, -1 none */
	uint8_t sector[IMG_DISC_RAW];
	uint64_t pos;               /* the burn source's next byte */
	volatile int cancelled;
	struct sp_error err;        /* of the burn source's reads */
};

enum sp_status img_disc_data_open(const char *path, struct img_disc_data **out,
				  uint64_t *bytes, struct sp_error *err)
{
	struct img_disc_data *r;
	struct img_disc *d;
	const char *reader;
	int data = 0, audio = 0;

	*out = NULL;
	*bytes = 0;
	/* not an image we know (or not a file): the caller reads it as it is */
	if (img_disc_probe(path, &reader) == 0 || !strcmp(reader, "iso"))
		return SP_OK;
	if (img_disc_open(&d, path, err) != SP_OK)
		return SP_FAILED;
	if (!strcmp(d->format, "ISO")) {
		img_disc_close(d);      /* plain: read it as it is */
		return SP_OK;
	}
	for (int i = 0; i < d->n_tracks; i++)
		d->tracks[i].mode == IMG_DISC_AUDIO ? audio++ : data++;
	if (audio || data != 1) {
		sp_error_set(err, SPE_UNSUPPORTED, "'%s' (%s) holds %d data and %d audio "
			     "tracks: only an image of one data track can be burnt or "
			     "verified as a data disc", path, d->format, data, audio);
		sp_error_hint(err, "take its data track out with 'spindle convert -o x.iso %s', "
			      "or its audio with 'spindle rip --audio'", path);
		img_disc_close(d);
		return SP_FAILED;
	}
	if (!(r = calloc(1, sizeof(*r)))) {
		img_disc_close(d);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	r->d = d;
	r->t = &d->tracks[0];
	r->bytes = (uint64_t)(r->t->length - r->t->postgap) * SP_SECTOR;
	r->cached = -1;
	*out = r;
	*bytes = r->bytes;
	return SP_OK;
}

enum sp_status img_disc_data_read(struct img_disc_data *r, uint64_t off, void *buf,
				  size_t len, struct sp_error *err)
{
	uint8_t *p = buf;

	if (off > r->bytes || len > r->bytes - off)
		return sp_error_set(err, SPE_IO, "read past the end of the data track of '%s'",
				    r->d->path);
	while (len) {
		int64_t lba = r->t->start + (int64_t)(off / SP_SECTOR);
		size_t at = (size_t)(off % SP_SECTOR), n = SP_SECTOR - at, got;

		if (n > len)
			n = len;
		if (r->cached != lba) {
			if (img_disc_read_user(r->d, lba, r->sector, &got, err) != SP_OK)
				return SP_FAILED;
			if (got != SP_SECTOR)
				return sp_error_set(err, SPE_UNSUPPORTED, "sector %lld of '%s' is "
						    "mode 2 form 2: it cannot go on a data disc",
						    (long long)(lba - r->t->start), r->d->path);
			r->cached = lba;
		}
		memcpy(p, r->sector + at, n);
		p += n;
		off += n;
		len -= n;
	}
	return SP_OK;
}

void img_disc_data_close(struct img_disc_data *r)
{
	if (!r)
		return;
	img_disc_close(r->d);
	free(r);
}

/* ---- as a libburn source ---- */

static int src_read(struct burn_source *bs, unsigned char *buf, int size)
{
	struct img_disc_data *r = bs->data;
	uint64_t left = r->bytes - r->pos;
	size_t n = (uint64_t)size < left ? (size_t)size : (size_t)left;

	if (r->cancelled) {
		errno = ECANCELED;
		return -1;
	}
	if (n && img_disc_data_read(r, r->pos, buf, n, &r->err) != SP_OK) {
		errno = EIO;
		return -1;
	}
	r->pos += n;
	return (int)n;
}

static off_t src_get_size(struct burn_source *bs)
{
	return (off_t)((struct img_disc_data *)bs->data)->bytes;
}

static void src_free(struct burn_source *bs)
{
	img_disc_data_close(bs->data);
}

static int src_cancel(struct burn_source *bs)
{
	((struct img_disc_data *)bs->data)->cancelled = 1;
	return 1;
}

enum sp_status img_disc_data_burn_source(struct img_disc_data *r, struct burn_source **out,
					 struct sp_error *err)
{
	static const struct img_burn_source_ops ops = {
		.read = src_read, .get_size = src_get_size,
		.free_data = src_free, .cancel = src_cancel,
	};

	*out = img_burn_source_new(r, &ops);
	if (!*out) {
		img_disc_data_close(r);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	return SP_OK;
}
