/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_burn.c - the audio CD to burn: its layout from a CUE sheet (BIN,
 * WAV or FLAC files) or from a list of WAV/FLAC files, and a libburn
 * source per track that delivers little-endian PCM, decoding as it goes.
 *
 * A track's data runs from its INDEX 00 (when the gap is in the files) to
 * the next track's INDEX 00, so a gap stored at the end of the previous
 * file is burned as the gap of the track it belongs to.  PREGAP silence is
 * left to libburn (burn_track_set_pregap_size).  A list of files gets
 * libburn's default gaps: 2 seconds before track 1, none between tracks.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libburn/libburn.h>
#include <zlib.h>

#include "imaging/audio/audio_private.h"

static void layout_track_release(struct img_audio_layout_track *t)
{
	for (int i = 0; i < t->n_pieces; i++)
		free(t->pieces[i].path);
	free(t->pieces);
}

void img_audio_layout_release(struct img_audio_layout *l)
{
	for (int i = 0; i < l->n_tracks; i++)
		layout_track_release(&l->tracks[i]);
	free(l->tracks);
	memset(l, 0, sizeof(*l));
}

static enum sp_status add_piece(struct img_audio_layout_track *t, const char *path,
				bool pcm_file, bool big_endian, int64_t offset,
				int64_t samples, struct sp_error *err)
{
	struct img_audio_piece *p = realloc(t->pieces, sizeof(*p) * (size_t)(t->n_pieces + 1));

	if (!p)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	t->pieces = p;
	p = &t->pieces[t->n_pieces];
	p->path = strdup(path);
	if (!p->path)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	p->pcm_file = pcm_file;
	p->big_endian = big_endian;
	p->offset = offset;
	p->samples = samples;
	t->n_pieces++;
	return SP_OK;
}

/* Length of a file in samples: WAV/FLAC by its header, BIN by its size. */
static enum sp_status file_samples(const char *path, bool pcm_file, int64_t *out,
				   struct sp_error *err)
{
	struct img_audio_reader *r;
	struct stat sb;

	if (!pcm_file) {
		if (stat(path, &sb) < 0)
			return sp_error_set_errno(err, errno, "cannot open track file '%s'", path);
		*out = (int64_t)sb.st_size / 4;
		return SP_OK;
	}
	if (img_audio_reader_open(&r, path, err) != SP_OK)
		return SP_FAILED;
	*out = (int64_t)img_audio_reader_samples(r);
	img_audio_reader_close(r);
	return SP_OK;
}

enum sp_status img_audio_layout_from_cue(struct img_audio_layout *l,
					 const char *cue_path,
					 struct sp_error *err)
{
	struct img_cue cue;
	int64_t *samples = NULL, *sectors = NULL;
	char **paths = NULL;
	enum sp_status st = SP_FAILED;

	memset(l, 0, sizeof(*l));
	if (img_cue_load(&cue, cue_path, err) != SP_OK)
		return SP_FAILED;
	samples = calloc((size_t)cue.n_files, sizeof(*samples));
	sectors = calloc((size_t)cue.n_files, sizeof(*sectors));
	paths = calloc((size_t)cue.n_files, sizeof(*paths));
	l->tracks = calloc((size_t)cue.n_tracks, sizeof(*l->tracks));
	if (!samples || !sectors || !paths || !l->tracks) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < cue.n_tracks; i++)
		if (cue.tracks[i].mode != IMG_CUE_AUDIO) {
			sp_error_set(err, SPE_UNSUPPORTED, "track %d of '%s' is a %s data track: "
				     "only audio CDs can be burned from a CUE sheet",
				     cue.tracks[i].number, cue_path, img_cue_mode_name(cue.tracks[i].mode));
			sp_error_hint(err, "libburn writes no mixed-mode CDs in SAO; burn the data "
				      "track as an ISO with 'spindle convert' first");
			goto out;
		}
	for (int i = 0; i < cue.n_files; i++) {
		paths[i] = img_cue_file_path(cue_path, cue.files[i].name);
		if (!paths[i]) {
			sp_error_set(err, SPE_NOMEM, "out of memory");
			goto out;
		}
		if (access(paths[i], R_OK) < 0) {
			sp_error_set_errno(err, errno, "CUE sheet '%s' names track file '%s'",
					   cue_path, paths[i]);
			sp_error_hint(err, "put the file next to the sheet, or correct its FILE line");
			goto out;
		}
		if (file_samples(paths[i], cue.files[i].type == IMG_CUE_WAVE, &samples[i], err) != SP_OK)
			goto out;
		sectors[i] = (samples[i] + IMG_CD_SAMPLES - 1) / IMG_CD_SAMPLES;
	}
	if (img_cue_resolve(&cue, sectors, err) != SP_OK)
		goto out;
	snprintf(l->title, sizeof(l->title), "%s", cue.title);
	snprintf(l->performer, sizeof(l->performer), "%s", cue.performer);
	snprintf(l->catalog, sizeof(l->catalog), "%s", cue.catalog);
	for (int i = 0; i < cue.n_tracks; i++) {
		const struct img_cue_track *c = &cue.tracks[i];
		struct img_audio_layout_track *t = &l->tracks[l->n_tracks++];
		/* the data: from INDEX 00 (or 01) through the files to the next
		 * track's INDEX 00, or to the end of the last file */
		int f = c->file0 >= 0 ? c->file0 : c->file1;
		int64_t at = (c->file0 >= 0 ? c->index0 : c->index1) * IMG_CD_SAMPLES;
		int endf = i + 1 < cue.n_tracks ? (cue.tracks[i + 1].file0 >= 0 ?
			   cue.tracks[i + 1].file0 : cue.tracks[i + 1].file1) : cue.n_files - 1;
		int64_t endat = i + 1 < cue.n_tracks ? (cue.tracks[i + 1].file0 >= 0 ?
				cue.tracks[i + 1].index0 : cue.tracks[i + 1].index1) * IMG_CD_SAMPLES
				: samples[endf];
		bool pcm;

		t->number = c->number;
		t->pregap_silence = c->pregap;
		t->index1 = c->start - c->gap_start - c->pregap;
		t->pre_emphasis = c->pre_emphasis;
		t->copy_permitted = c->copy_permitted;
		memcpy(t->isrc, c->isrc, sizeof(t->isrc));
		memcpy(t->title, c->title, sizeof(t->title));
		memcpy(t->performer, c->performer, sizeof(t->performer));
		for (; f <= endf; f++, at = 0) {
			int64_t end = f == endf ? endat : samples[f];

			pcm = cue.files[f].type == IMG_CUE_WAVE;
			if (end > at && add_piece(t, paths[f], pcm, cue.files[f].type == IMG_CUE_MOTOROLA,
						  at, end - at, err) != SP_OK)
				goto out;
		}
		/* a file ends on a sector boundary: silence fills its last sector */
		t->sectors = 0;
		for (int k = 0; k < t->n_pieces; k++)
			t->sectors += k + 1 < t->n_pieces ?
				(t->pieces[k].samples + IMG_CD_SAMPLES - 1) / IMG_CD_SAMPLES * IMG_CD_SAMPLES :
				t->pieces[k].samples;
		t->sectors = (t->sectors + IMG_CD_SAMPLES - 1) / IMG_CD_SAMPLES;
		if (t->sectors + t->pregap_silence < 300) {
			sp_error_set(err, SPE_FORMAT, "track %d is %lld sectors long; a CD track "
				     "must last at least 4 seconds (300 sectors)", t->number,
				     (long long)t->sectors);
			goto out;
		}
	}
	st = SP_OK;
out:
	for (int i = 0; paths && i < cue.n_files; i++)
		free(paths[i]);
	free(paths);
	free(samples);
	free(sectors);
	img_cue_release(&cue);
	if (st != SP_OK)
		img_audio_layout_release(l);
	return st;
}

enum sp_status img_audio_layout_from_files(struct img_audio_layout *l,
					   char *const *paths, int n,
					   struct sp_error *err)
{
	memset(l, 0, sizeof(*l));
	if (n > 99)
		return sp_error_set(err, SPE_USAGE, "%d files: a CD holds at most 99 tracks", n);
	l->tracks = calloc((size_t)n, sizeof(*l->tracks));
	if (!l->tracks)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	for (int i = 0; i < n; i++) {
		struct img_audio_layout_track *t = &l->tracks[l->n_tracks++];
		int64_t samples;

		t->number = i + 1;
		if (file_samples(paths[i], true, &samples, err) != SP_OK ||
		    add_piece(t, paths[i], true, false, 0, samples, err) != SP_OK) {
			img_audio_layout_release(l);
			return SP_FAILED;
		}
		t->sectors = (samples + IMG_CD_SAMPLES - 1) / IMG_CD_SAMPLES;
		if (t->sectors < 300) {
			sp_error_set(err, SPE_FORMAT, "'%s' lasts %.2f s; a CD track must last at "
				     "least 4 seconds", paths[i], (double)samples / 44100);
			img_audio_layout_release(l);
			return SP_FAILED;
		}
	}
	return SP_OK;
}

/* ---- the burn_source ---------------------------------------------------- */

struct track_src {
	struct img_audio_layout_track t;    /* a deep copy */
	int piece;                          /* current piece */
	int64_t left;                       /* samples left in it */
	int64_t pad;                        /* silence owed after a piece, samples */
	FILE *bin;
	struct img_audio_reader *pcm;
	int64_t total, delivered;           /* bytes */
	bool failed;
};

static void src_close_piece(struct track_src *s)
{
	if (s->bin)
		fclose(s->bin);
	s->bin = NULL;
	img_audio_reader_close(s->pcm);
	s->pcm = NULL;
}

static bool src_open_piece(struct track_src *s)
{
	const struct img_audio_piece *p = &s->t.pieces[s->piece];
	struct sp_error err = SP_ERROR_INIT;
	uint8_t skip[4096];

	s->left = p->samples;
	if (!p->pcm_file) {
		s->bin = fopen(p->path, "rb");
		return s->bin && fseeko(s->bin, (off_t)p->offset * 4, SEEK_SET) == 0;
	}
	if (img_audio_reader_open(&s->pcm, p->path, &err) != SP_OK)
		return false;
	for (int64_t off = p->offset; off > 0; ) {
		size_t got, want = off > 1024 ? 1024 : (size_t)off;

		if (img_audio_reader_read(s->pcm, skip, want, &got, &err) != SP_OK || !got)
			return false;
		off -= (int64_t)got;
	}
	return true;
}

/* Fill buf with PCM; zero padding after the last piece up to whole sectors. */
static int src_read(struct burn_source *bs, unsigned char *buf, int size)
{
	struct track_src *s = bs->data;
	struct sp_error err = SP_ERROR_INIT;
	int done = 0;

	if (s->failed)
		return -1;
	while (done < size && s->delivered + done < s->total) {
		size_t got = 0, want;

		if (s->pad) {
			int64_t n = (size - done) / 4 < s->pad ? (size - done) / 4 : s->pad;

			memset(buf + done, 0, (size_t)n * 4);
			done += (int)n * 4;
			s->pad -= n;
			continue;
		}
		if (s->piece >= s->t.n_pieces) {
			int n = size - done;

			if (s->total - s->delivered - done < n)
				n = (int)(s->total - s->delivered - done);
			memset(buf + done, 0, (size_t)n);
			done += n;
			break;
		}
		if (!s->bin && !s->pcm && !src_open_piece(s)) {
			s->failed = true;
			return -1;
		}
		want = (size_t)(size - done) / 4;
		if ((int64_t)want > s->left)
			want = (size_t)s->left;
		if (s->bin) {
			got = fread(buf + done, 4, want, s->bin);
			if (s->t.pieces[s->piece].big_endian)
				for (size_t i = 0; i < got * 2; i++) {
					uint8_t c = buf[done + i * 2];

					buf[done + i * 2] = buf[done + i * 2 + 1];
					buf[done + i * 2 + 1] = c;
				}
		} else if (img_audio_reader_read(s->pcm, buf + done, want, &got, &err) != SP_OK) {
			s->failed = true;
			return -1;
		}
		done += (int)got * 4;
		s->left -= (int64_t)got;
		if (!s->left || !got) {
			/* a file shorter than its header said ends in silence;
			 * a file ends on a sector boundary */
			int64_t len = s->t.pieces[s->piece].samples;

			if (s->piece + 1 < s->t.n_pieces)
				s->pad = s->left + (IMG_CD_SAMPLES - len % IMG_CD_SAMPLES) % IMG_CD_SAMPLES;
			src_close_piece(s);
			s->piece++;
		}
	}
	s->delivered += done;
	return done;
}

static off_t src_get_size(struct burn_source *bs)
{
	return ((struct track_src *)bs->data)->total;
}

static int src_set_size(struct burn_source *bs, off_t size)
{
	((struct track_src *)bs->data)->total = size;
	return 1;
}

static void src_free(struct burn_source *bs)
{
	struct track_src *s = bs->data;

	src_close_piece(s);
	layout_track_release(&s->t);
	free(s);
}

enum sp_status img_audio_track_source(const struct img_audio_layout_track *t,
				      struct burn_source **out,
				      struct sp_error *err)
{
	struct track_src *s = calloc(1, sizeof(*s));
	struct burn_source *bs = calloc(1, sizeof(*bs));

	*out = NULL;
	if (!s || !bs)
		goto nomem;
	s->t = *t;
	s->t.n_pieces = 0;
	s->t.pieces = NULL;
	for (int i = 0; i < t->n_pieces; i++)
		if (add_piece(&s->t, t->pieces[i].path, t->pieces[i].pcm_file,
			      t->pieces[i].big_endian, t->pieces[i].offset,
			      t->pieces[i].samples, err) != SP_OK)
			goto nomem;
	s->total = t->sectors * IMG_CD_RAW;
	bs->refcount = 1;
	bs->read = src_read;
	bs->get_size = src_get_size;
	bs->set_size = src_set_size;
	bs->free_data = src_free;
	bs->data = s;
	*out = bs;
	return SP_OK;
nomem:
	if (s)
		layout_track_release(&s->t);
	free(s);
	free(bs);
	return sp_error_set(err, SPE_NOMEM, "out of memory");
}

void img_audio_source_free(struct burn_source *src)
{
	if (src)
		burn_source_free(src);
}

enum sp_status img_audio_track_crc32(const struct img_audio_layout_track *t,
				     uint32_t *crc, struct sp_error *err)
{
	struct burn_source *src;
	unsigned char buf[IMG_CD_RAW];
	int64_t n = 0;
	int got;

	if (img_audio_track_source(t, &src, err) != SP_OK)
		return SP_FAILED;
	*crc = (uint32_t)crc32(0L, Z_NULL, 0);
	while ((got = src->read(src, buf, IMG_CD_RAW)) > 0) {
		*crc = (uint32_t)crc32(*crc, buf, (uInt)got);
		n += got;
	}
	burn_source_free(src);
	if (got < 0 || n != t->sectors * IMG_CD_RAW)
		return sp_error_set(err, SPE_IO, "track %d: its files could not be read through "
				    "(%lld of %lld bytes)", t->number, (long long)n,
				    (long long)(t->sectors * IMG_CD_RAW));
	return SP_OK;
}
