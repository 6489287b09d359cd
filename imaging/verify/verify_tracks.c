/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * verify_tracks.c - a CD burnt from an image's tracks (audio or mixed
 * mode) compared with the image through the disc model: each track's
 * sectors where the burn put them, audio read whole with READ CD (2352
 * bytes) and Mode 1 as 2048-byte user data.
 *
 * Where the tracks lie follows from the burn (img_disc_burn_plan): SAO
 * writes them one after the other, each after the pregap silence libburn
 * wrote; TAO leaves 2 run-out blocks and the drive's 150-sector gap before
 * every track but the first.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imaging/disc/disc.h"
#include "imaging/verify/verify.h"

#define CHUNK 32

struct vt {
	struct drv_drive *d;
	const struct img_disc_burn *b;
	const struct img_verify_opts *o;
	struct img_verify_result *res;
	struct img_sha256 *h;
	double t0, last;
	int64_t done, total, bad;
};

static void tell(struct vt *v, bool force)
{
	struct img_verify_progress p;
	double now = sp_now();

	if (!v->o || !v->o->progress || (!force && now - v->last < 0.2))
		return;
	v->last = now;
	p.sectors_done = v->done;
	p.sectors_total = v->total;
	p.bad_sectors = v->bad;
	p.elapsed = now - v->t0;
	v->o->progress(&p, v->o->ctx);
}

/* Read n sectors at disc LBA lba into buf (ssize each); a failed chunk is
 * read sector by sector, *ok[i] false where a sector fails. */
static void read_disc(struct vt *v, bool audio, int64_t lba, uint32_t n, uint8_t *buf,
		      size_t ssize, bool *ok)
{
	struct sp_error e = SP_ERROR_INIT;
	uint32_t got;

	for (uint32_t i = 0; i < n; i++)
		ok[i] = true;
	if (audio ? drv_read_audio(v->d, lba, n, buf, &e) == SP_OK :
	    drv_read(v->d, lba, n, buf, &got, &e) == SP_OK)
		return;
	for (uint32_t i = 0; i < n; i++) {
		struct sp_error e1 = SP_ERROR_INIT;

		if (audio ? drv_read_audio(v->d, lba + i, 1, buf + i * ssize, &e1) == SP_OK :
		    drv_read(v->d, lba + i, 1, buf + i * ssize, &got, &e1) == SP_OK)
			continue;
		ok[i] = false;
		if (v->res->first_read_error.code == SPE_NONE)
			v->res->first_read_error = e1;
	}
}

static enum sp_status one_track(struct vt *v, int i, int64_t at, struct sp_error *err)
{
	const struct img_disc_burn_track *bt = &v->b->tracks[i];
	bool audio = bt->mode == IMG_DISC_AUDIO, ok[CHUNK];
	size_t ssize = audio ? 2352 : 2048;
	uint8_t *disc = malloc(CHUNK * 2352), want[2352];
	enum sp_status st = SP_FAILED;

	if (!disc)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	for (int64_t k = 0; k < bt->sectors; k += CHUNK) {
		uint32_t n = bt->sectors - k < CHUNK ? (uint32_t)(bt->sectors - k) : CHUNK;

		if (drv_interrupted()) {
			sp_error_set(err, SPE_ABORTED, "interrupted by %s while verifying",
				     drv_interrupt_signal_name());
			goto out;
		}
		read_disc(v, audio, at + k, n, disc, ssize, ok);
		for (uint32_t j = 0; j < n; j++) {
			size_t len;

			if ((audio ? img_disc_read_raw(v->b->disc, bt->from + k + j, want, err) :
			     img_disc_read_user(v->b->disc, bt->from + k + j, want, &len, err)) != SP_OK)
				goto out;
			img_sha256_update(v->h, want, ssize);
			if (!ok[j]) {
				img_ranges_add(&v->res->unreadable, at + k + j, 1);
				v->bad++;
			} else if (memcmp(want, disc + j * ssize, ssize)) {
				img_ranges_add(&v->res->differ, at + k + j, 1);
				v->bad++;
			}
		}
		v->done += n;
		v->res->bytes += (uint64_t)n * ssize;
		tell(v, false);
	}
	st = SP_OK;
out:
	free(disc);
	return st;
}

enum sp_status img_verify_tracks(struct drv_drive *d, const struct img_disc_burn *b,
				 const struct img_verify_opts *o,
				 struct img_verify_result *res, struct sp_error *err)
{
	struct vt v = { d, b, o, res, img_sha256_new(), sp_now(), 0, 0, 0, 0 };
	int64_t at = 0;

	if (!v.h)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	for (int i = 0; i < b->n_tracks; i++)
		v.total += b->tracks[i].sectors;
	res->medium_sectors = drv_readable_sectors(d);
	for (int i = 0; i < b->n_tracks; i++) {
		const struct img_disc_burn_track *bt = &b->tracks[i];

		at += b->tao ? (i ? 152 : 0) : bt->pregap_silence;
		if (one_track(&v, i, at, err) != SP_OK) {
			img_sha256_final(v.h, res->sha256);
			return SP_FAILED;
		}
		at += bt->sectors;
	}
	img_sha256_final(v.h, res->sha256);
	res->sectors = v.done;
	res->outcome = res->unreadable.n ? IMG_VERIFY_UNREADABLE :
		res->differ.n ? IMG_VERIFY_MISMATCH : IMG_VERIFY_MATCH;
	tell(&v, true);
	return SP_OK;
}

enum sp_status img_verify_tracks_image(struct drv_drive *d, const char *path, bool *done,
				       const struct img_verify_opts *o,
				       struct img_verify_result *res, struct sp_error *err)
{
	struct img_disc *disc;
	struct img_disc_burn b;
	const char *reader = "";
	struct sp_error quiet = SP_ERROR_INIT;
	enum sp_status st;
	bool audio = false;

	*done = false;
	if (img_disc_probe(path, &reader) == 0 || !strcmp(reader, "iso") ||
	    img_disc_open(&disc, path, &quiet) != SP_OK)
		return SP_OK;       /* for img_verify_image's own path and messages */
	for (int i = 0; i < disc->n_tracks; i++)
		audio = audio || disc->tracks[i].mode == IMG_DISC_AUDIO;
	if (!audio) {
		img_disc_close(disc);
		return SP_OK;
	}
	*done = true;
	st = img_disc_burn_plan(disc, &b, err);
	if (st == SP_OK)
		st = img_verify_tracks(d, &b, o, res, err);
	img_disc_burn_release(&b);
	img_disc_close(disc);
	return st;
}
