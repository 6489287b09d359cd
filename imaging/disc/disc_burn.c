/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disc_burn.c - a disc image of any format as the CD tracks libburn
 * writes: one source per track reading the model (2352-byte PCM for audio,
 * 2048-byte user data for Mode 1), with its pregap, indexes, flags, ISRC
 * and CD-TEXT, and the disc's MCN and CD-TEXT.  A list of WAV/FLAC files
 * becomes a disc of the same model first, so an audio CD has one path
 * whatever it was made from.
 *
 * Pregaps: libburn writes track 1's 150 sectors itself, so sectors before
 * LBA 0 (where NRG and CDI keep them) are not delivered.  The part of a
 * pregap the image does not hold (a CUE sheet's PREGAP) is left to libburn
 * as silence; the part it holds is delivered before INDEX 01.  libburn
 * writes no disc-at-once session that mixes audio and data, so a mixed
 * disc goes track at once, where the drive makes the gaps.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libburn/libburn.h>
#include <zlib.h>

#include "imaging/audio/audio.h"
#include "imaging/burn/burn.h"
#include "imaging/disc/disc_private.h"

static bool stored(const struct img_disc *d, int64_t lba)
{
	for (int i = 0; i < d->n_extents; i++)
		if (lba >= d->extents[i].lba && lba < d->extents[i].lba + d->extents[i].count)
			return true;
	return false;
}

/* Distinct files the extents of LBAs [from, to) read. */
static int files_of(const struct img_disc *d, int64_t from, int64_t to)
{
	int n = 0, last = -1;

	for (int i = 0; i < d->n_extents; i++) {
		const struct img_disc_extent *x = &d->extents[i];

		if (x->lba < to && x->lba + x->count > from && x->file != last) {
			n++;
			last = x->file;
		}
	}
	return n;
}

enum sp_status img_disc_burn_plan(struct img_disc *d, struct img_disc_burn *b,
				  struct sp_error *err)
{
	memset(b, 0, sizeof(*b));
	b->disc = d;
	if (d->n_sessions > 1) {
		sp_error_set(err, SPE_UNSUPPORTED, "'%s' (%s) holds %d sessions: spindle burns "
			     "images of one session", d->path, d->format, d->n_sessions);
		sp_error_hint(err, "convert the first session with 'spindle convert --lossy -o "
			      "x.cue %s' and burn that", d->path);
		return SP_FAILED;
	}
	b->tracks = calloc((size_t)d->n_tracks, sizeof(*b->tracks));
	if (!b->tracks)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	b->total = 150;
	for (int i = 0; i < d->n_tracks; i++) {
		const struct img_disc_track *t = &d->tracks[i];
		struct img_disc_burn_track *bt = &b->tracks[b->n_tracks++];
		int64_t gap = t->start - t->pregap;

		if (t->mode != IMG_DISC_AUDIO && t->mode != IMG_DISC_MODE1) {
			sp_error_set(err, SPE_UNSUPPORTED, "track %d of '%s' is a %s track: libburn "
				     "writes audio and Mode 1 tracks only", t->number, d->path,
				     t->stored_as);
			sp_error_hint(err, "an image of that one data track burns as a data disc; "
				      "take it out with 'spindle convert -o x.iso %s'", d->path);
			return SP_FAILED;
		}
		if (gap < 0)
			gap = 0;        /* track 1's 150 sectors: libburn's */
		bt->t = t;
		bt->number = t->number;
		bt->mode = t->mode;
		t->mode == IMG_DISC_AUDIO ? b->audio++ : b->data++;
		while (gap < t->start && !stored(d, gap)) {
			bt->pregap_silence++;
			gap++;
		}
		bt->from = gap;
		bt->index1 = t->start - gap;
		bt->sectors = t->start + t->length - gap;
		for (int k = 1; k < t->n_index && k < IMG_DISC_MAX_INDEX; k++)
			if (t->index[k] > t->index[k - 1] && t->index[k] < t->start + t->length)
				bt->index[bt->n_index++] = t->index[k] - gap;
		bt->n_files = files_of(d, gap, t->start + t->length);
		if (bt->sectors + bt->pregap_silence < 300) {
			sp_error_set(err, SPE_FORMAT, "track %d is %lld sectors long; a CD track "
				     "must last at least 4 seconds (300 sectors)", t->number,
				     (long long)(bt->sectors + bt->pregap_silence));
			return SP_FAILED;
		}
		b->total += bt->pregap_silence + bt->sectors;
	}
	b->tao = b->audio && b->data;
	for (int i = 0; b->tao && i < b->n_tracks; i++) {
		/* track at once: the drive makes every gap (2 seconds) itself, so a
		 * pregap the image holds is left out and INDEX 01 starts the track */
		struct img_disc_burn_track *bt = &b->tracks[i];

		/* 150 before each track, 2 run-out blocks after each but the last */
		b->total += (i ? 152 : 0) - bt->pregap_silence - bt->index1;
		bt->sectors -= bt->index1;
		bt->from += bt->index1;
		bt->index1 = 0;
		bt->pregap_silence = 0;
		for (int k = 0; k < bt->n_index; k++)
			bt->index[k] = 0;
		bt->n_index = 0;
	}
	return SP_OK;
}

void img_disc_burn_release(struct img_disc_burn *b)
{
	free(b->tracks);
	memset(b, 0, sizeof(*b));
}

/* ---- a track as a libburn source ---- */

struct track_src {
	struct img_disc *d;
	int64_t lba, end;           /* next sector, end of the track's sectors */
	size_t ssize;               /* 2352 audio, 2048 mode 1 */
	bool audio;
	uint8_t sector[IMG_DISC_RAW];
	size_t have, used;          /* bytes of sector not yet delivered */
	volatile int cancelled;
	struct sp_error err;
};

static int src_read(struct burn_source *bs, unsigned char *buf, int size)
{
	struct track_src *s = bs->data;
	int done = 0;

	if (s->cancelled) {
		errno = ECANCELED;
		return -1;
	}
	while (done < size) {
		size_t n;

		if (s->used == s->have) {
			size_t len;

			if (s->lba >= s->end)
				break;
			if ((s->audio ? img_disc_read_raw(s->d, s->lba, s->sector, &s->err) :
			     img_disc_read_user(s->d, s->lba, s->sector, &len, &s->err)) != SP_OK) {
				errno = EIO;
				return -1;
			}
			s->lba++;
			s->have = s->ssize;
			s->used = 0;
		}
		n = s->have - s->used;
		if (n > (size_t)(size - done))
			n = (size_t)(size - done);
		memcpy(buf + done, s->sector + s->used, n);
		s->used += n;
		done += (int)n;
	}
	return done;
}

static off_t src_get_size(struct burn_source *bs)
{
	const struct track_src *s = bs->data;

	return (off_t)((s->end - s->lba) * (int64_t)s->ssize + (int64_t)(s->have - s->used));
}

static void src_free(struct burn_source *bs)
{
	free(bs->data);
}

static int src_cancel(struct burn_source *bs)
{
	((struct track_src *)bs->data)->cancelled = 1;
	return 1;
}

enum sp_status img_disc_burn_source(const struct img_disc_burn *b, int i,
				    struct burn_source **out, struct sp_error *err)
{
	static const struct img_burn_source_ops ops = {
		.read = src_read, .get_size = src_get_size,
		.free_data = src_free, .cancel = src_cancel,
	};
	const struct img_disc_burn_track *bt = &b->tracks[i];
	struct track_src *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	s->d = b->disc;
	s->lba = bt->from;
	s->end = bt->from + bt->sectors;
	s->audio = bt->mode == IMG_DISC_AUDIO;
	s->ssize = s->audio ? IMG_DISC_RAW : 2048;
	s->err = (struct sp_error)SP_ERROR_INIT;
	*out = img_burn_source_new(s, &ops);
	if (!*out) {
		free(s);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	return SP_OK;
}

void img_disc_burn_source_free(struct burn_source *src)
{
	if (src)
		burn_source_free(src);
}

enum sp_status img_disc_burn_crc32(const struct img_disc_burn *b, int i, uint32_t *crc,
				   struct sp_error *err)
{
	const struct img_disc_burn_track *bt = &b->tracks[i];
	size_t ssize = bt->mode == IMG_DISC_AUDIO ? IMG_DISC_RAW : 2048;
	uint8_t buf[IMG_DISC_RAW];

	*crc = (uint32_t)crc32(0L, Z_NULL, 0);
	for (int64_t lba = bt->from; lba < bt->from + bt->sectors; lba++) {
		size_t len;

		if ((bt->mode == IMG_DISC_AUDIO ? img_disc_read_raw(b->disc, lba, buf, err) :
		     img_disc_read_user(b->disc, lba, buf, &len, err)) != SP_OK)
			return SP_FAILED;
		*crc = (uint32_t)crc32(*crc, buf, (uInt)ssize);
	}
	return SP_OK;
}

/* ---- a list of WAV/FLAC files as a disc ---- */

enum sp_status img_disc_from_audio_files(struct img_disc **out, char *const *paths, int n,
					 struct sp_error *err)
{
	struct img_disc *d = calloc(1, sizeof(*d));
	int64_t lba = 0;

	*out = NULL;
	if (n > IMG_DISC_MAX_TRACKS) {
		free(d);
		return sp_error_set(err, SPE_USAGE, "%d files: a CD holds at most 99 tracks", n);
	}
	if (!d || !(d->path = strdup(n ? paths[0] : ""))) {
		free(d);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	for (int i = 0; i < n; i++) {
		struct img_disc_track *t;
		struct img_disc_extent *x;
		uint64_t samples;
		int f = disc_open_pcm(d, paths[i], &samples, err);

		if (f < 0)
			goto fail;
		if (samples < 300 * IMG_CD_SAMPLES) {
			sp_error_set(err, SPE_FORMAT, "'%s' lasts %.2f s; a CD track must last at "
				     "least 4 seconds", paths[i], (double)samples / 44100);
			goto fail;
		}
		if (!(t = disc_add_track(d, "audio", err)) || !(x = disc_add_extent(d, "audio", err)))
			goto fail;
		t->number = i + 1;
		t->session = 1;
		t->mode = IMG_DISC_AUDIO;
		t->start = lba;
		t->length = (int64_t)(d->files[f]->size / IMG_DISC_RAW);
		snprintf(t->stored_as, sizeof(t->stored_as), "AUDIO");
		x->lba = lba;
		x->count = t->length;
		x->file = f;
		x->sector_size = IMG_DISC_RAW;
		x->store = IMG_STORE_RAW;
		lba += t->length;
	}
	snprintf(d->format, sizeof(d->format), "audio files");
	if (disc_finish(d, "audio", err) != SP_OK)
		goto fail;
	*out = d;
	return SP_OK;
fail:
	img_disc_close(d);
	return SP_FAILED;
}
