/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * read_toc.c - cdrdao TOC files (cdrdao(1), "TOC FILES"): a disc type,
 * CATALOG, CD_TEXT blocks, and TRACKs made of FILE/AUDIOFILE, DATAFILE,
 * SILENCE/ZERO and PREGAP items, with START (the end of the pregap) and
 * INDEX marks.  Times are MM:SS:FF or, for audio, a count of samples.
 * Raw audio files are big endian (MSB first), as cdrdao(1) says and as
 * cdrdao itself and chdman read them (libcdio passes the bytes on as they
 * are); SWAP after a file item, which later cdrdao versions accept, makes
 * them little endian.  A FILE ending in .wav is read from its data chunk,
 * little endian.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imaging/disc/disc_private.h"

static int toc_probe(const struct disc_probe_in *in)
{
	static const char *const kw[] = { "CD_DA", "CD_ROM_XA", "CD_ROM", "CD_I" };
	size_t i = 0;

	for (size_t k = 0; k < in->head_len; k++)
		if (in->head[k] == 0)
			return 0;
	while (i < in->head_len) {
		while (i < in->head_len && isspace(in->head[i]))
			i++;
		if (i + 1 < in->head_len && in->head[i] == '/' && in->head[i + 1] == '/') {
			while (i < in->head_len && in->head[i] != '\n')
				i++;
			continue;
		}
		break;
	}
	for (size_t k = 0; k < 4; k++)
		if (i + strlen(kw[k]) <= in->head_len &&
		    !strncmp((const char *)in->head + i, kw[k], strlen(kw[k])))
			return 90;
	if (!strcmp(in->ext, "toc")) {
		for (size_t k = 0; k + 6 <= in->head_len; k++)
			if (!strncmp((const char *)in->head + k, "TRACK ", 6))
				return 80;
		return 10;
	}
	return 0;
}

struct lex {
	const char *p, *end;
	int line;
	char tok[4096];
	bool quoted;
};

/* Next token into l->tok; false at the end.  Strings lose their quotes. */
static bool next(struct lex *l)
{
	size_t n = 0;

	l->quoted = false;
	for (;;) {
		while (l->p < l->end && isspace((unsigned char)*l->p))
			if (*l->p++ == '\n')
				l->line++;
		if (l->p + 1 < l->end && l->p[0] == '/' && l->p[1] == '/') {
			while (l->p < l->end && *l->p != '\n')
				l->p++;
			continue;
		}
		break;
	}
	if (l->p >= l->end)
		return false;
	if (*l->p == '"') {
		l->quoted = true;
		for (l->p++; l->p < l->end && *l->p != '"' && *l->p != '\n'; l->p++) {
			if (*l->p == '\\' && l->p + 1 < l->end)
				l->p++;
			if (n + 1 < sizeof(l->tok))
				l->tok[n++] = *l->p;
		}
		if (l->p < l->end && *l->p == '"')
			l->p++;
	} else if (*l->p == '{' || *l->p == '}') {
		l->tok[n++] = *l->p++;
	} else {
		while (l->p < l->end && !isspace((unsigned char)*l->p) && *l->p != '{' &&
		       *l->p != '}' && *l->p != '"' && n + 1 < sizeof(l->tok))
			l->tok[n++] = *l->p++;
	}
	l->tok[n] = 0;
	return true;
}

/* A time: MM:SS:FF in sectors, or a plain number (samples for audio,
 * bytes for data) converted with `unit` to sectors; -1 if not a time. */
static int64_t toc_time(const char *s, int64_t unit)
{
	int m, sec, f;
	char c;

	if (sscanf(s, "%d:%d:%d%c", &m, &sec, &f, &c) == 3 && m >= 0 && sec >= 0 && sec < 60 &&
	    f >= 0 && f < 75 && m < 1000)
		return ((int64_t)m * 60 + sec) * 75 + f;
	if (isdigit((unsigned char)s[0])) {
		char *end;
		long long v = strtoll(s, &end, 10);

		if (!*end && v >= 0 && v / unit < DISC_MAX_SECTORS)
			return v / unit;
	}
	return -1;
}

struct toc {
	struct img_disc *d;
	struct lex l;
	const char *path, *name;
	struct sp_error *err;
	struct img_disc_track *t;
	int64_t lba;                /* next sector of the disc */
	int64_t begin;              /* of the current track */
	bool has_start;
	uint32_t size, sub;         /* bytes per sector in files, subchannel */
	enum img_disc_store store;
};

static enum sp_status toc_err(struct toc *c, const char *what)
{
	sp_error_set(c->err, SPE_FORMAT, "malformed TOC file '%s', line %d: %s", c->path,
		     c->l.line, what);
	sp_error_hint(c->err, "check the file against cdrdao(1), section TOC FILES");
	return SP_FAILED;
}

/* CD_TEXT { ... }: the first language's TITLE and PERFORMER. */
static enum sp_status cd_text(struct toc *c, char *title, char *performer)
{
	int depth = 0, lang = -1, lang_depth = -1;
	char key[32] = "";

	if (!next(&c->l) || strcmp(c->l.tok, "{"))
		return toc_err(c, "CD_TEXT without '{'");
	depth = 1;
	while (depth > 0) {
		if (!next(&c->l))
			return toc_err(c, "CD_TEXT block not closed");
		if (!c->l.quoted && !strcmp(c->l.tok, "{")) {
			depth++;
			continue;
		}
		if (!c->l.quoted && !strcmp(c->l.tok, "}")) {
			if (depth-- == lang_depth)
				lang_depth = -1;
			continue;
		}
		if (!c->l.quoted && !strcmp(c->l.tok, "LANGUAGE") && next(&c->l)) {
			lang = atoi(c->l.tok);
			lang_depth = depth + 1;
			continue;
		}
		if (c->l.quoted && lang == 0 && lang_depth > 0) {
			if (!strcmp(key, "TITLE"))
				snprintf(title, 81, "%.80s", c->l.tok);
			else if (!strcmp(key, "PERFORMER"))
				snprintf(performer, 81, "%.80s", c->l.tok);
			if (title[0] || performer[0])
				c->d->has_cdtext = true;
		}
		snprintf(key, sizeof(key), "%.31s", c->l.tok);
	}
	return SP_OK;
}

static bool track_mode(struct toc *c, const char *m)
{
	static const struct {
		const char *name;
		enum img_disc_mode mode;
		enum img_disc_store store;
		uint32_t size;
	} modes[] = {
		{ "AUDIO", IMG_DISC_AUDIO, IMG_STORE_RAW, 2352 },
		{ "MODE1", IMG_DISC_MODE1, IMG_STORE_USER, 2048 },
		{ "MODE1_RAW", IMG_DISC_MODE1, IMG_STORE_RAW, 2352 },
		{ "MODE2", IMG_DISC_MODE2, IMG_STORE_MODE2, 2336 },
		{ "MODE2_FORM1", IMG_DISC_MODE2_FORM1, IMG_STORE_USER, 2048 },
		{ "MODE2_FORM_MIX", IMG_DISC_MODE2_MIXED, IMG_STORE_MODE2, 2336 },
		{ "MODE2_RAW", IMG_DISC_MODE2_MIXED, IMG_STORE_RAW, 2352 },
	};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(m, modes[i].name)) {
			c->t->mode = modes[i].mode;
			c->store = modes[i].store;
			c->size = modes[i].size;
			snprintf(c->t->stored_as, sizeof(c->t->stored_as), "%.15s", m);
			return true;
		}
	return false;
}

/* FILE/AUDIOFILE "name" [#off] start [len] or DATAFILE "name" [#off] [len] */
static enum sp_status file_item(struct toc *c, bool data)
{
	struct img_disc_extent *x;
	int64_t start = 0, len = -1, unit = data ? c->size : 588;
	uint64_t off = 0, base = 0, end;
	char *path;
	int how, f;
	bool wav = false, little = false;

	if (!next(&c->l) || !c->l.quoted)
		return toc_err(c, "a file name in quotes is missing");
	path = disc_find_file(c->path, c->l.tok, &how);
	if (!path) {
		sp_error_set(c->err, SPE_NOENT, "TOC file '%s' names '%s', which is not there",
			     c->path, c->l.tok);
		return SP_FAILED;
	}
	if (how == 1)
		disc_note(c->d, "'%s' found as '%s' (case differs).", c->l.tok, path);
	f = disc_open_file(c->d, path, c->err);
	if (f >= 0 && strlen(path) > 4 && !strcasecmp(path + strlen(path) - 4, ".wav")) {
		uint64_t pcm;

		wav = true;
		if (disc_wave_data(c->d->files[f], &base, &pcm, c->err) != SP_OK)
			f = -1;
	}
	free(path);
	if (f < 0)
		return SP_FAILED;
	const char *save = c->l.p;
	int save_line = c->l.line;

	if (next(&c->l) && c->l.tok[0] == '#') {
		off = strtoull(c->l.tok + 1, NULL, 10);
		save = c->l.p;
		save_line = c->l.line;
		next(&c->l);
	}
	/* start (FILE only), then an optional length */
	for (int k = data ? 1 : 0; k < 2; k++) {
		int64_t v = c->l.quoted ? -1 : toc_time(c->l.tok, unit);

		if (v < 0)
			break;
		if (k == 0)
			start = v;
		else
			len = v;
		save = c->l.p;
		save_line = c->l.line;
		if (!next(&c->l))
			break;
	}
	if (!c->l.quoted && !strcmp(c->l.tok, "SWAP")) {
		save = c->l.p, save_line = c->l.line;
		little = true;
	}
	c->l.p = save;
	c->l.line = save_line;
	off += base + (uint64_t)start * (c->size + c->sub);
	end = c->d->files[f]->size;
	if (off > end)
		return toc_err(c, "the file item starts after the end of its file");
	if (len < 0)
		len = (int64_t)((end - off) / (c->size + c->sub));
	if (!(x = disc_add_extent(c->d, "TOC", c->err)))
		return SP_FAILED;
	x->lba = c->lba;
	x->count = len;
	x->file = f;
	x->offset = off;
	x->sector_size = c->size + c->sub;
	x->sub_size = c->sub;
	x->store = c->store;
	x->swap = c->t && c->t->mode == IMG_DISC_AUDIO && !wav && !little;
	c->lba += len;
	return SP_OK;
}

/* Put back a token read ahead (the cursor and line before it). */
static void unread(struct toc *c, const struct lex *save)
{
	c->l.p = save->p;
	c->l.line = save->line;
}

static void end_track(struct toc *c)
{
	if (!c->t)
		return;
	if (!c->has_start)
		c->t->start = c->begin + c->t->pregap;
	c->t->pregap = c->t->start - c->begin;
	c->t->length = c->lba - c->t->start;
	c->t = NULL;
}

static enum sp_status toc_parse(struct toc *c)
{
	while (next(&c->l)) {
		const char *k = c->l.tok;
		int64_t v;

		if (!strcmp(k, "CD_DA") || !strcmp(k, "CD_ROM") || !strcmp(k, "CD_ROM_XA") ||
		    !strcmp(k, "CD_I"))
			continue;
		if (!strcmp(k, "CATALOG")) {
			if (!next(&c->l))
				return toc_err(c, "CATALOG without a number");
			snprintf(c->d->mcn, sizeof(c->d->mcn), "%.13s", c->l.tok);
		} else if (!strcmp(k, "CD_TEXT")) {
			if (cd_text(c, c->t ? c->t->title : c->d->title,
				    c->t ? c->t->performer : c->d->performer) != SP_OK)
				return SP_FAILED;
		} else if (!strcmp(k, "TRACK")) {
			end_track(c);
			if (!(c->t = disc_add_track(c->d, "TOC", c->err)))
				return SP_FAILED;
			c->begin = c->lba;
			c->has_start = false;
			if (!next(&c->l) || !track_mode(c, c->l.tok))
				return toc_err(c, "TRACK needs a mode (AUDIO, MODE1, MODE1_RAW, "
					       "MODE2, MODE2_FORM1, MODE2_FORM_MIX, MODE2_RAW)");
			c->sub = 0;
			struct lex save = c->l;

			if (next(&c->l) && (!strcmp(c->l.tok, "RW") || !strcmp(c->l.tok, "RW_RAW")))
				c->sub = 96;
			else
				unread(c, &save);
		} else if (!c->t) {
			return toc_err(c, "an item before the first TRACK");
		} else if (!strcmp(k, "COPY")) {
			c->t->copy_permitted = true;
		} else if (!strcmp(k, "PRE_EMPHASIS")) {
			c->t->pre_emphasis = true;
		} else if (!strcmp(k, "FOUR_CHANNEL_AUDIO")) {
			c->t->four_channel = true;
		} else if (!strcmp(k, "NO") || !strcmp(k, "TWO_CHANNEL_AUDIO")) {
			if (!strcmp(k, "NO"))
				next(&c->l);
		} else if (!strcmp(k, "ISRC")) {
			if (!next(&c->l))
				return toc_err(c, "ISRC without a code");
			snprintf(c->t->isrc, sizeof(c->t->isrc), "%.12s", c->l.tok);
		} else if (!strcmp(k, "FILE") || !strcmp(k, "AUDIOFILE") || !strcmp(k, "DATAFILE")) {
			if (file_item(c, k[0] == 'D') != SP_OK)
				return SP_FAILED;
		} else if (!strcmp(k, "SILENCE") || !strcmp(k, "ZERO") || !strcmp(k, "PREGAP")) {
			bool pre = k[0] == 'P';

			if (!next(&c->l) || (v = toc_time(c->l.tok, c->t->mode == IMG_DISC_AUDIO ?
						      588 : c->size)) < 0)
				return toc_err(c, "a length is missing");
			if (pre) {
				c->t->start = c->lba + v;
				c->has_start = true;
			}
			c->lba += v;
		} else if (!strcmp(k, "START")) {
			struct lex save = c->l;

			c->has_start = true;
			c->t->start = c->lba;
			if (next(&c->l) && (v = toc_time(c->l.tok, 588)) >= 0)
				c->t->start = c->begin + v;
			else
				unread(c, &save);
		} else if (!strcmp(k, "INDEX")) {
			if (!next(&c->l) || (v = toc_time(c->l.tok, 588)) < 0)
				return toc_err(c, "INDEX without a time");
			if (c->t->n_index < IMG_DISC_MAX_INDEX - 1) {
				if (!c->t->n_index)
					c->t->n_index = 1;
				c->t->index[c->t->n_index++] = v;   /* relative; fixed below */
			}
		} else {
			char what[160];

			snprintf(what, sizeof(what), "unknown keyword '%.80s'", k);
			return toc_err(c, what);
		}
		if (c->lba > DISC_MAX_SECTORS)
			return toc_err(c, "the disc is too long");
	}
	end_track(c);
	for (int i = 0; i < c->d->n_tracks; i++) {
		struct img_disc_track *t = &c->d->tracks[i];

		if (t->n_index)
			t->index[0] = t->start;
		for (int k = 1; k < t->n_index; k++)
			t->index[k] += t->start;
		if (t->title[0] || t->performer[0])
			c->d->has_cdtext = true;
	}
	return SP_OK;
}

static enum sp_status toc_open(struct img_disc *d, struct img_bytes *b, const char *path,
			       struct sp_error *err)
{
	struct toc *c = calloc(1, sizeof(*c));
	char *text = NULL;
	size_t len;
	enum sp_status st = SP_FAILED;

	if (!c)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (disc_slurp(b, DISC_TEXT_MAX, &text, &len, "TOC", err) != SP_OK)
		goto out;
	c->d = d;
	c->path = path;
	c->err = err;
	c->l.p = text;
	c->l.end = text + len;
	c->l.line = 1;
	snprintf(d->format, sizeof(d->format), "cdrdao TOC");
	if (toc_parse(c) == SP_OK)
		st = disc_finish(d, "TOC", err);
out:
	free(text);
	free(c);
	return st;
}

const struct disc_reader disc_reader_toc = { "toc", toc_probe, toc_open };
