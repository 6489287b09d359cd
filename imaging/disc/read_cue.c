/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * read_cue.c - BIN/CUE images: the CDRWIN sheet (parsed by audio_cue.c)
 * laid out on the disc.  Files follow each other; a track's sectors run
 * from its first index to the next track's first index in the same file,
 * in sectors of its own mode (so one file may mix sizes); PREGAP and
 * POSTGAP are silence the image does not hold.  "REM SESSION nn" lines
 * (ImgBurn, CDRWIN) start a session; sessions are 11,250 sectors apart
 * (lead-out and lead-in), as on a disc.
 *
 * FILE names are looked up exactly, then ignoring case (Windows sheets),
 * then, for a one-file sheet, as the only image file with the sheet's
 * base name, and d->note says which.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imaging/audio/audio.h"
#include "imaging/disc/disc_private.h"

#define SESSION_GAP 11250

static int cue_probe(const struct disc_probe_in *in)
{
	bool file = false, track = false;
	size_t n = in->head_len;

	for (size_t i = 0; i < n; i++)
		if (in->head[i] == 0)
			return 0;
	for (size_t i = 0; i + 6 < n; i++) {
		if (i && in->head[i - 1] != '\n' && in->head[i - 1] != ' ' &&
		    in->head[i - 1] != '\t' && in->head[i - 1] != '\r' &&
		    !(i >= 3 && in->head[i - 1] == 0xbf))
			continue;
		if (!strncasecmp((const char *)in->head + i, "FILE ", 5))
			file = true;
		if (!strncasecmp((const char *)in->head + i, "TRACK ", 6))
			track = true;
	}
	if (file && track)
		return !strcmp(in->ext, "cue") ? 95 : 80;
	return !strcmp(in->ext, "cue") ? 10 : 0;
}

/* The sessions "REM SESSION nn" lines give, per track number. */
static void scan_sessions(const char *text, int session[100])
{
	int cur = 1;
	const char *p = text;

	for (int i = 0; i < 100; i++)
		session[i] = 1;
	while (*p) {
		int n;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!strncasecmp(p, "REM SESSION ", 12)) {
			n = atoi(p + 12);
			if (n >= 1 && n <= 99 && n >= cur)
				cur = n;
		} else if (!strncasecmp(p, "TRACK ", 6)) {
			n = atoi(p + 6);
			if (n >= 1 && n <= 99)
				session[n] = cur;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
}

/* The only file beside the sheet with its base name and an image's
 * extension, for a one-file sheet whose FILE is not found. */
static char *same_base(const char *cue_path)
{
	static const char *const exts[] = { "bin", "img", "raw", "iso" };
	char *found = NULL;

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		char *p = disc_sibling_ext(cue_path, exts[i]);

		if (!p)
			continue;
		if (found) {
			free(p);
			free(found);
			return NULL;
		}
		found = p;
	}
	return found;
}

struct file_pos {
	int file;                   /* index in d->files */
	uint64_t base, end;         /* PCM or sector bytes: [base, end) */
	int64_t frame;              /* frame reached so far */
	uint64_t byte;              /* its byte offset */
};

/* Bytes of frames [from, from+count) of a file, count -1: to its end. */
static enum sp_status take(struct img_disc *d, struct file_pos *fp, int64_t from,
			   int64_t *count, const struct img_disc_track *t, uint32_t size,
			   enum img_disc_store store, bool swap, int64_t lba, struct sp_error *err)
{
	struct img_disc_extent *x;
	uint64_t off;

	if (from < fp->frame)
		return sp_error_set(err, SPE_FORMAT, "CUE sheet '%s': track %d starts before "
				    "the track before it in its file", d->path, t->number);
	off = fp->byte + (uint64_t)(from - fp->frame) * size;
	if (off > fp->end)
		return sp_error_set(err, SPE_FORMAT, "CUE sheet '%s': track %d starts after the "
				    "end of its file '%s' (%llu bytes)", d->path, t->number,
				    d->files[fp->file]->name, (unsigned long long)fp->end);
	if (*count < 0) {
		*count = (int64_t)((fp->end - off) / size);
		/* audio that ends inside a sector: padded with silence, as the
		 * field's CUE readers do (a data sector cannot be guessed) */
		if ((fp->end - off) % size && t->mode == IMG_DISC_AUDIO &&
		    fp->end == d->files[fp->file]->size) {
			const char *name = d->files[fp->file]->name;
			uint64_t part = (fp->end - off) % size;
			struct img_bytes *padded;
			int f;

			if (img_bytes_pad_new(&padded, d->files[fp->file],
					      off + (uint64_t)(*count + 1) * size, err) != SP_OK ||
			    (f = disc_add_file(d, padded, err)) < 0)
				return SP_FAILED;
			disc_note(d, "'%s' ends %llu bytes into a sector; the rest of track %d's "
				  "last sector is silence.", name, (unsigned long long)part,
				  t->number);
			fp->file = f;
			fp->end = d->files[f]->size;
			(*count)++;
		}
	}
	if (off + (uint64_t)*count * size > fp->end)
		return sp_error_set(err, SPE_FORMAT, "CUE sheet '%s': track %d runs past the end "
				    "of '%s'", d->path, t->number, d->files[fp->file]->name);
	fp->frame = from + *count;
	fp->byte = off + (uint64_t)*count * size;
	if (*count == 0)
		return SP_OK;
	if (!(x = disc_add_extent(d, "CUE", err)))
		return SP_FAILED;
	x->lba = lba;
	x->count = *count;
	x->file = fp->file;
	x->offset = off;
	x->sector_size = size;
	x->store = store;
	x->swap = swap;
	if (size == 2448)
		x->sub_size = 96;
	return SP_OK;
}

static void mode_of(enum img_cue_mode m, struct img_disc_track *t, uint32_t *size,
		    enum img_disc_store *store)
{
	*size = (uint32_t)img_cue_sector_bytes(m);
	*store = IMG_STORE_RAW;
	t->mode = IMG_DISC_MODE2_MIXED;
	switch (m) {
	case IMG_CUE_AUDIO:
	case IMG_CUE_CDG:
		t->mode = IMG_DISC_AUDIO;
		break;
	case IMG_CUE_MODE1_2048:
		t->mode = IMG_DISC_MODE1;
		*store = IMG_STORE_USER;
		break;
	case IMG_CUE_MODE1_2352:
		t->mode = IMG_DISC_MODE1;
		break;
	case IMG_CUE_MODE2_2336:
		*store = IMG_STORE_MODE2;
		break;
	case IMG_CUE_MODE2_2352:
		break;
	}
	snprintf(t->stored_as, sizeof(t->stored_as), "%s", img_cue_mode_name(m));
}

static enum sp_status open_files(struct img_disc *d, const struct img_cue *cue,
				 const char *path, struct file_pos *fp, struct sp_error *err)
{
	for (int i = 0; i < cue->n_files; i++) {
		int how = 0;
		char *p = disc_find_file(path, cue->files[i].name, &how);

		if (!p && cue->n_files == 1 && (p = same_base(path)))
			how = 2;
		if (!p) {
			sp_error_set(err, SPE_NOENT, "CUE sheet '%s' names track file '%s', which "
				     "is not there", path, cue->files[i].name);
			sp_error_hint(err, "put the file next to the sheet, or correct its FILE line");
			return SP_FAILED;
		}
		if (how == 1)
			disc_note(d, "FILE \"%s\" found as '%s' (case differs).", cue->files[i].name, p);
		if (how == 2)
			disc_note(d, "FILE \"%s\" is missing; using '%s', the only image file with "
				  "the sheet's name.", cue->files[i].name, p);
		if (cue->files[i].type == IMG_CUE_WAVE) {
			uint64_t samples;

			/* WAV or FLAC, padded to whole sectors */
			fp[i].file = disc_open_pcm(d, p, &samples, err);
		} else {
			fp[i].file = disc_open_file(d, p, err);
		}
		free(p);
		if (fp[i].file < 0)
			return SP_FAILED;
		fp[i].end = d->files[fp[i].file]->size;
		fp[i].byte = fp[i].base;
	}
	return SP_OK;
}

static enum sp_status lay_out(struct img_disc *d, const struct img_cue *cue,
			      struct file_pos *fp, const int session[100], struct sp_error *err)
{
	int64_t lba = 0;

	for (int i = 0; i < cue->n_tracks; i++) {
		const struct img_cue_track *c = &cue->tracks[i];
		const struct img_cue_track *n = i + 1 < cue->n_tracks ? &cue->tracks[i + 1] : NULL;
		struct img_disc_track *t = disc_add_track(d, "CUE", err);
		enum img_disc_store store;
		uint32_t size;
		int64_t cnt, gap0 = c->file0 >= 0 ? c->index0 : c->index1;
		int gfile = c->file0 >= 0 ? c->file0 : c->file1;
		bool swap = cue->files[c->file1].type == IMG_CUE_MOTOROLA;

		if (!t)
			return SP_FAILED;
		t->number = c->number;
		t->session = session[c->number];
		if (i && t->session > t[-1].session)
			lba += SESSION_GAP;
		mode_of(c->mode, t, &size, &store);
		if (t->mode != IMG_DISC_AUDIO)
			swap = false;
		if (i == 0 && gfile == 0 && gap0 > 0)
			gap0 = 0;   /* frames before track 1 belong to its gap */
		lba += c->pregap;
		t->pregap = c->pregap;
		/* the stored gap, maybe at the end of an earlier file */
		if (gfile != c->file1) {
			cnt = -1;
			if (take(d, &fp[gfile], gap0, &cnt, t, size, store, swap, lba, err) != SP_OK)
				return SP_FAILED;
			lba += cnt;
			t->pregap += cnt;
			gap0 = 0;
		}
		cnt = c->index1 - gap0;
		if (cnt < 0)
			return sp_error_set(err, SPE_FORMAT, "CUE sheet '%s': INDEX 00 of track %d "
					    "is after its INDEX 01", d->path, c->number);
		if (take(d, &fp[c->file1], gap0, &cnt, t, size, store, swap, lba, err) != SP_OK)
			return SP_FAILED;
		lba += cnt;
		t->pregap += cnt;
		t->start = lba;
		/* the data: to the next track's first index in this file, or the end */
		cnt = -1;
		if (n && (n->file0 >= 0 ? n->file0 : n->file1) == c->file1)
			cnt = (n->file0 >= 0 ? n->index0 : n->index1) - c->index1;
		if (cnt < -1)
			return sp_error_set(err, SPE_FORMAT, "CUE sheet '%s': track %d starts "
					    "before track %d", d->path, n->number, c->number);
		if (take(d, &fp[c->file1], c->index1, &cnt, t, size, store, swap, lba, err) != SP_OK)
			return SP_FAILED;
		lba += cnt + c->postgap;
		t->length = cnt + c->postgap;
		t->postgap = c->postgap;
		t->n_index = 1;
		t->index[0] = t->start;
		t->pre_emphasis = c->pre_emphasis;
		t->copy_permitted = c->copy_permitted;
		t->four_channel = c->four_channel;
		memcpy(t->isrc, c->isrc, sizeof(t->isrc));
		memcpy(t->title, c->title, sizeof(t->title));
		memcpy(t->performer, c->performer, sizeof(t->performer));
		if (t->title[0] || t->performer[0])
			d->has_cdtext = true;
		if (t->length <= 0)
			return sp_error_set(err, SPE_FORMAT, "CUE sheet '%s': track %d is empty "
					    "(is its file complete?)", d->path, c->number);
	}
	return SP_OK;
}

static enum sp_status cue_open(struct img_disc *d, struct img_bytes *b, const char *path,
			       struct sp_error *err)
{
	struct img_cue cue = IMG_CUE_INIT;
	struct file_pos *fp = NULL;
	int session[100];
	char *text = NULL;
	size_t len;
	enum sp_status st = SP_FAILED;

	if (disc_slurp(b, DISC_TEXT_MAX, &text, &len, "CUE", err) != SP_OK)
		return SP_FAILED;
	if (img_cue_parse(&cue, text, len, path, err) != SP_OK)
		goto out;
	scan_sessions(text, session);
	fp = calloc((size_t)cue.n_files + 1, sizeof(*fp));
	if (!fp) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	if (open_files(d, &cue, path, fp, err) != SP_OK ||
	    lay_out(d, &cue, fp, session, err) != SP_OK)
		goto out;
	snprintf(d->format, sizeof(d->format), "BIN/CUE");
	memcpy(d->mcn, cue.catalog, sizeof(d->mcn));
	memcpy(d->title, cue.title, sizeof(d->title));
	memcpy(d->performer, cue.performer, sizeof(d->performer));
	if (d->title[0] || d->performer[0])
		d->has_cdtext = true;
	st = disc_finish(d, "CUE", err);
out:
	free(fp);
	free(text);
	img_cue_release(&cue);
	return st;
}

const struct disc_reader disc_reader_cue = { "cue", cue_probe, cue_open };
