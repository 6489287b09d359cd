/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_cue.c - CUE sheets: a parser that is a pure function of a buffer
 * (it will be fuzzed), the disc layout they describe, and a writer.
 *
 * The accepted language is CDRWIN's as other tools write it: FILE, TRACK,
 * INDEX, PREGAP, POSTGAP, FLAGS, ISRC, CATALOG, TITLE, PERFORMER,
 * SONGWRITER, CDTEXTFILE and REM (ignored).  A FILE line may stand between
 * a track's INDEX 00 and INDEX 01, the way EAC and whipper put a gap at the
 * end of the previous track's file.  Anything else is an error naming the
 * line, since a sheet we misread makes a wrong disc.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/audio/audio.h"

#define CUE_MAX_TRACKS 99
#define CUE_MAX_FILES 99
#define CUE_NAME_MAX 4096           /* a FILE name, its NUL included */
#define CUE_WORD_MAX (CUE_NAME_MAX + 2)

static const struct {
	const char *name;
	enum img_cue_mode mode;
	int bytes;
} modes[] = {
	{ "AUDIO", IMG_CUE_AUDIO, 2352 },
	{ "MODE1/2048", IMG_CUE_MODE1_2048, 2048 },
	{ "MODE1/2352", IMG_CUE_MODE1_2352, 2352 },
	{ "MODE2/2336", IMG_CUE_MODE2_2336, 2336 },
	{ "MODE2/2352", IMG_CUE_MODE2_2352, 2352 },
	{ "CDG", IMG_CUE_CDG, 2448 },
};

int img_cue_sector_bytes(enum img_cue_mode mode)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (modes[i].mode == mode)
			return modes[i].bytes;
	return 2352;
}

const char *img_cue_mode_name(enum img_cue_mode mode)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (modes[i].mode == mode)
			return modes[i].name;
	return "?";
}

/* The line being parsed, as a cursor over one line of the buffer. */
struct cue_line {
	const char *p, *end;
	int lineno;
	bool bad_quote;             /* a quoted word ran to the end of the line */
	const char *name;
	struct sp_error *err;
};

static enum sp_status line_error(struct cue_line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum sp_status line_error(struct cue_line *l, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	sp_error_set(l->err, SPE_FORMAT, "malformed CUE sheet '%s', line %d: %s",
		     l->name, l->lineno, what);
	sp_error_hint(l->err, "check the sheet against the files it names; "
		      "spindle reads CDRWIN-style sheets");
	return SP_FAILED;
}

static void skip_space(struct cue_line *l)
{
	while (l->p < l->end && (*l->p == ' ' || *l->p == '\t'))
		l->p++;
}

/* Next word or quoted string into buf; false at the end of the line. */
static bool next_word(struct cue_line *l, char *buf, size_t len, bool *too_long)
{
	size_t n = 0;

	*too_long = false;
	skip_space(l);
	if (l->p >= l->end)
		return false;
	if (*l->p == '"') {
		l->p++;
		while (l->p < l->end && *l->p != '"') {
			if (n + 1 < len)
				buf[n++] = *l->p;
			else
				*too_long = true;
			l->p++;
		}
		if (l->p < l->end)
			l->p++;
		else
			l->bad_quote = true;
	} else {
		while (l->p < l->end && *l->p != ' ' && *l->p != '\t') {
			if (n + 1 < len)
				buf[n++] = *l->p;
			else
				*too_long = true;
			l->p++;
		}
	}
	buf[n] = '\0';
	return true;
}

static bool at_end(struct cue_line *l)
{
	skip_space(l);
	return l->p >= l->end;
}

/* "mm:ss:ff" into sectors; -1 if malformed. */
static int64_t parse_msf(const char *s)
{
	unsigned m, sec, f;
	int n = 0;

	if (sscanf(s, "%3u:%2u:%2u%n", &m, &sec, &f, &n) != 3 || s[n] ||
	    sec >= 60 || f >= 75 || !isdigit((unsigned char)s[0]))
		return -1;
	return ((int64_t)m * 60 + sec) * IMG_CD_FPS + f;
}

static bool parse_number(const char *s, int min, int max, int *out)
{
	char *e;
	long v;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtol(s, &e, 10);
	if (*e || errno || v < min || v > max)
		return false;
	*out = (int)v;
	return true;
}

struct cue_state {
	struct img_cue *cue;
	struct img_cue_track *t;   /* current track, NULL before the first */
	int last_index;            /* highest INDEX seen in the track */
	bool index1_seen;
};

static enum sp_status kw_file(struct cue_state *st, struct cue_line *l)
{
	struct img_cue *cue = st->cue;
	struct img_cue_file *f;
	char name[CUE_NAME_MAX], type[32];
	bool long_;

	if (!next_word(l, name, sizeof(name), &long_) || !name[0])
		return line_error(l, "FILE needs a file name");
	if (long_)
		return line_error(l, "file name too long");
	if (!next_word(l, type, sizeof(type), &long_) || !at_end(l))
		return line_error(l, "FILE needs a name and a type (BINARY, WAVE ...)");
	if (cue->n_files == CUE_MAX_FILES)
		return line_error(l, "more than %d files", CUE_MAX_FILES);
	if (st->t && !st->index1_seen && st->last_index < 0)
		return line_error(l, "FILE inside a track before any INDEX");
	f = realloc(cue->files, sizeof(*f) * (size_t)(cue->n_files + 1));
	if (!f)
		return sp_error_set(l->err, SPE_NOMEM, "out of memory");
	cue->files = f;
	f = &cue->files[cue->n_files];
	if (!strcmp(type, "BINARY"))
		f->type = IMG_CUE_BINARY;
	else if (!strcmp(type, "MOTOROLA"))
		f->type = IMG_CUE_MOTOROLA;
	else if (!strcmp(type, "WAVE") || !strcmp(type, "FLAC"))
		f->type = IMG_CUE_WAVE;
	else
		return line_error(l, "file type '%s' is not supported (BINARY, MOTOROLA, WAVE)", type);
	f->name = strdup(name);
	if (!f->name)
		return sp_error_set(l->err, SPE_NOMEM, "out of memory");
	cue->n_files++;
	return SP_OK;
}

static enum sp_status end_track(struct cue_state *st, struct cue_line *l)
{
	if (st->t && !st->index1_seen)
		return line_error(l, "track %d has no INDEX 01", st->t->number);
	return SP_OK;
}

static enum sp_status kw_track(struct cue_state *st, struct cue_line *l)
{
	struct img_cue *cue = st->cue;
	struct img_cue_track *t;
	char num[16], mode[32];
	bool long_;
	int n;
	size_t i;

	if (end_track(st, l) != SP_OK)
		return SP_FAILED;
	if (!cue->n_files)
		return line_error(l, "TRACK before any FILE");
	if (!next_word(l, num, sizeof(num), &long_) || !parse_number(num, 1, 99, &n))
		return line_error(l, "TRACK needs a number from 1 to 99");
	if (!next_word(l, mode, sizeof(mode), &long_) || !at_end(l))
		return line_error(l, "TRACK needs a number and a mode (AUDIO, MODE1/2352 ...)");
	if (cue->n_tracks && n != cue->tracks[cue->n_tracks - 1].number + 1)
		return line_error(l, "track %d follows track %d", n,
				  cue->tracks[cue->n_tracks - 1].number);
	if (cue->n_tracks == CUE_MAX_TRACKS)
		return line_error(l, "more than %d tracks", CUE_MAX_TRACKS);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(mode, modes[i].name))
			break;
	if (i == sizeof(modes) / sizeof(modes[0]))
		return line_error(l, "unknown track mode '%s'", mode);
	t = realloc(cue->tracks, sizeof(*t) * (size_t)(cue->n_tracks + 1));
	if (!t)
		return sp_error_set(l->err, SPE_NOMEM, "out of memory");
	cue->tracks = t;
	t = &cue->tracks[cue->n_tracks++];
	memset(t, 0, sizeof(*t));
	t->number = n;
	t->mode = modes[i].mode;
	t->file0 = -1;
	t->index0 = -1;
	t->file1 = -1;
	t->index1 = -1;
	st->t = t;
	st->last_index = -1;
	st->index1_seen = false;
	return SP_OK;
}

static enum sp_status kw_index(struct cue_state *st, struct cue_line *l)
{
	struct img_cue_track *t = st->t;
	struct img_cue *cue = st->cue;
	char num[16], msf[32];
	bool long_;
	int64_t at;
	int n;

	if (!t)
		return line_error(l, "INDEX before any TRACK");
	if (!next_word(l, num, sizeof(num), &long_) || !parse_number(num, 0, 99, &n) ||
	    !next_word(l, msf, sizeof(msf), &long_) || !at_end(l))
		return line_error(l, "INDEX needs a number and a time mm:ss:ff");
	at = parse_msf(msf);
	if (at < 0)
		return line_error(l, "'%s' is not a time mm:ss:ff", msf);
	if (n != st->last_index + 1 && !(n == 1 && st->last_index < 0))
		return line_error(l, "INDEX %02d out of order in track %d", n, t->number);
	st->last_index = n;
	if (n == 0) {
		t->file0 = cue->n_files - 1;
		t->index0 = at;
	} else if (n == 1) {
		t->file1 = cue->n_files - 1;
		t->index1 = at;
		st->index1_seen = true;
		if (t->file0 == t->file1 && at < t->index0)
			return line_error(l, "INDEX 01 before INDEX 00 in track %d", t->number);
	}
	return SP_OK;
}

static enum sp_status kw_gap(struct cue_state *st, struct cue_line *l, bool pre)
{
	char msf[32];
	bool long_;
	int64_t v;

	if (!st->t)
		return line_error(l, "%s before any TRACK", pre ? "PREGAP" : "POSTGAP");
	if (!next_word(l, msf, sizeof(msf), &long_) || !at_end(l) ||
	    (v = parse_msf(msf)) < 0)
		return line_error(l, "%s needs a time mm:ss:ff", pre ? "PREGAP" : "POSTGAP");
	if (pre && st->last_index >= 0)
		return line_error(l, "PREGAP after INDEX");
	if (!pre && !st->index1_seen)
		return line_error(l, "POSTGAP before INDEX 01");
	if (pre)
		st->t->pregap = v;
	else
		st->t->postgap = v;
	return SP_OK;
}

static enum sp_status kw_flags(struct cue_state *st, struct cue_line *l)
{
	char w[32];
	bool long_;

	if (!st->t)
		return line_error(l, "FLAGS before any TRACK");
	while (next_word(l, w, sizeof(w), &long_)) {
		if (!strcmp(w, "PRE"))
			st->t->pre_emphasis = true;
		else if (!strcmp(w, "DCP"))
			st->t->copy_permitted = true;
		else if (!strcmp(w, "4CH"))
			st->t->four_channel = true;
		else if (strcmp(w, "SCMS"))
			return line_error(l, "unknown flag '%s'", w);
	}
	return SP_OK;
}

/* TITLE, PERFORMER, ISRC, CATALOG: a text into dst of size len. */
static enum sp_status kw_text(struct cue_line *l, const char *kw, char *dst,
			      size_t len)
{
	char v[256];
	bool long_;

	if (!next_word(l, v, sizeof(v), &long_) || !at_end(l))
		return line_error(l, "%s needs one value (quote it if it has spaces)", kw);
	if (long_ || strlen(v) >= len)
		return line_error(l, "%s is longer than %zu characters", kw, len - 1);
	strcpy(dst, v);
	return SP_OK;
}

static enum sp_status parse_keyword(struct cue_state *st, struct cue_line *l);

static enum sp_status parse_line(struct cue_state *st, struct cue_line *l)
{
	l->bad_quote = false;
	if (parse_keyword(st, l) != SP_OK)
		return SP_FAILED;
	if (l->bad_quote)
		return line_error(l, "a quote is not closed");
	return SP_OK;
}

static enum sp_status parse_keyword(struct cue_state *st, struct cue_line *l)
{
	struct img_cue_track *t = st->t;
	char kw[32];
	bool long_;

	if (!next_word(l, kw, sizeof(kw), &long_))
		return SP_OK;
	for (char *c = kw; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	if (!strcmp(kw, "REM") || !strcmp(kw, "SONGWRITER") || !strcmp(kw, "CDTEXTFILE"))
		return SP_OK;
	if (!strcmp(kw, "FILE"))
		return kw_file(st, l);
	if (!strcmp(kw, "TRACK"))
		return kw_track(st, l);
	if (!strcmp(kw, "INDEX"))
		return kw_index(st, l);
	if (!strcmp(kw, "PREGAP") || !strcmp(kw, "POSTGAP"))
		return kw_gap(st, l, kw[1] == 'R');
	if (!strcmp(kw, "FLAGS"))
		return kw_flags(st, l);
	if (!strcmp(kw, "TITLE"))
		return kw_text(l, kw, t ? t->title : st->cue->title, sizeof(t->title));
	if (!strcmp(kw, "PERFORMER"))
		return kw_text(l, kw, t ? t->performer : st->cue->performer,
			       sizeof(t->performer));
	if (!strcmp(kw, "CATALOG"))
		return kw_text(l, kw, st->cue->catalog, sizeof(st->cue->catalog));
	if (!strcmp(kw, "ISRC")) {
		if (!t)
			return line_error(l, "ISRC before any TRACK");
		return kw_text(l, kw, t->isrc, sizeof(t->isrc));
	}
	return line_error(l, "unknown keyword '%s'", kw);
}

enum sp_status img_cue_parse(struct img_cue *cue, const char *buf, size_t len,
			     const char *name, struct sp_error *err)
{
	struct cue_state st = { .cue = cue, .t = NULL, .last_index = -1 };
	struct cue_line l = { .name = name, .err = err, .lineno = 0 };
	const char *p = buf, *end = buf + len;

	memset(cue, 0, sizeof(*cue));
	/* a UTF-8 byte order mark, as some Windows tools write */
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		l.lineno++;
		l.p = p;
		l.end = le;
		if (l.end > l.p && l.end[-1] == '\r')
			l.end--;
		if (memchr(l.p, '\0', (size_t)(l.end - l.p))) {
			line_error(&l, "NUL byte: this is not a text file");
			goto fail;
		}
		if (parse_line(&st, &l) != SP_OK)
			goto fail;
		p = nl ? nl + 1 : end;
	}
	l.lineno++;
	if (end_track(&st, &l) != SP_OK)
		goto fail;
	if (!cue->n_tracks) {
		sp_error_set(err, SPE_FORMAT, "malformed CUE sheet '%s': it has no TRACK", name);
		sp_error_hint(err, "is this a CUE sheet?");
		goto fail;
	}
	return SP_OK;
fail:
	img_cue_release(cue);
	return SP_FAILED;
}

enum sp_status img_cue_load(struct img_cue *cue, const char *path,
			    struct sp_error *err)
{
	enum sp_status st;
	char *buf = NULL;
	size_t len = 0, alloc = 0;
	FILE *f = fopen(path, "rb");

	memset(cue, 0, sizeof(*cue));
	if (!f)
		return sp_error_set_errno(err, errno, "cannot open '%s'", path);
	for (;;) {
		if (len == alloc) {
			char *nb;

			if (alloc >= (1u << 20)) {
				fclose(f);
				free(buf);
				sp_error_set(err, SPE_FORMAT, "'%s' is larger than 1 MiB: not a CUE sheet", path);
				return SP_FAILED;
			}
			alloc = alloc ? alloc * 2 : 8192;
			nb = realloc(buf, alloc);
			if (!nb) {
				fclose(f);
				free(buf);
				return sp_error_set(err, SPE_NOMEM, "out of memory");
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, alloc - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return sp_error_set_errno(err, EIO, "cannot read '%s'", path);
	}
	fclose(f);
	st = img_cue_parse(cue, buf, len, path, err);
	free(buf);
	return st;
}

enum sp_status img_cue_resolve(struct img_cue *cue, const int64_t *file_sectors,
			       struct sp_error *err)
{
	const struct img_cue_track *prev = NULL;
	int64_t *file_base;
	int64_t pos = 0, gaps = 0;

	file_base = calloc((size_t)cue->n_files + 1, sizeof(*file_base));
	if (!file_base)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	/* files follow each other on the disc; PREGAPs are inserted silence */
	for (int i = 0; i < cue->n_files; i++) {
		file_base[i] = pos;
		pos += file_sectors[i];
	}
	file_base[cue->n_files] = pos;
	for (int i = 0; i < cue->n_tracks; i++) {
		struct img_cue_track *t = &cue->tracks[i];
		int64_t data;   /* where its data starts in the files end to end */

		if (t->index1 > file_sectors[t->file1] ||
		    (t->file0 >= 0 && t->index0 > file_sectors[t->file0])) {
			sp_error_set(err, SPE_FORMAT,
				     "track %d starts after the end of its file '%s' (%lld sectors)",
				     t->number, cue->files[t->file1].name,
				     (long long)file_sectors[t->file1]);
			sp_error_hint(err, "the file is shorter than the CUE sheet says; is it complete?");
			free(file_base);
			return SP_FAILED;
		}
		/* INDEX 00, else INDEX 01: not before the track before's INDEX 01 */
		data = t->file0 >= 0 ? file_base[t->file0] + t->index0
				     : file_base[t->file1] + t->index1;
		if (i > 0 && data < file_base[prev->file1] + prev->index1) {
			sp_error_set(err, SPE_FORMAT, "track %d starts before track %d",
				     t->number, cue->tracks[i - 1].number);
			free(file_base);
			return SP_FAILED;
		}
		/* the gap is the PREGAP silence, then the INDEX 00 data */
		gaps += t->pregap;
		t->start = file_base[t->file1] + t->index1 + gaps;
		t->gap_start = data + gaps - t->pregap;
		gaps += t->postgap;
		prev = t;
	}
	for (int i = 0; i < cue->n_tracks; i++) {
		struct img_cue_track *t = &cue->tracks[i];
		int64_t end = i + 1 < cue->n_tracks ? cue->tracks[i + 1].gap_start
						    : file_base[cue->n_files] + gaps;

		t->sectors = end - t->start;
		if (t->sectors - t->postgap <= 0) {
			sp_error_set(err, SPE_FORMAT, "track %d is empty", t->number);
			sp_error_hint(err, "the file is shorter than the CUE sheet says; is it complete?");
			free(file_base);
			return SP_FAILED;
		}
	}
	cue->leadout = file_base[cue->n_files] + gaps;
	free(file_base);
	return SP_OK;
}

/* Append to a growing string; on allocation failure *s becomes NULL. */
static void sappend(char **s, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void sappend(char **s, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *ns;

	if (!*s)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	ns = realloc(*s, *len + (size_t)n + 1);
	if (!ns) {
		free(*s);
		*s = NULL;
		return;
	}
	*s = ns;
	va_start(ap, fmt);
	vsnprintf(*s + *len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*len += (size_t)n;
}

static const char *msf(int64_t sectors, char buf[48])
{
	snprintf(buf, 48, "%02lld:%02lld:%02lld", (long long)(sectors / (60 * IMG_CD_FPS)),
		 (long long)(sectors / IMG_CD_FPS % 60), (long long)(sectors % IMG_CD_FPS));
	return buf;
}

/*
 * A value as one word that img_cue_parse() reads back the same.  The
 * format has no escape: a value holding a quote is written bare, which
 * keeps it whole as long as it holds no blank either; one with both (a
 * CD-TEXT title such as: say "hi") is quoted with its quotes turned into
 * apostrophes.  CATALOG and ISRC are written bare when they can be.
 */
static const char *cue_word(const char *v, bool prefer_bare, char buf[CUE_WORD_MAX])
{
	size_t n = strlen(v);
	bool bare_ok = n && v[0] != '"' && !strpbrk(v, " \t") && v[n - 1] != '\r';
	bool quote = strchr(v, '"') != NULL;

	if (bare_ok && (quote || prefer_bare)) {
		snprintf(buf, CUE_WORD_MAX, "%s", v);
		return buf;
	}
	snprintf(buf, CUE_WORD_MAX, "\"%s\"", v);
	for (char *c = buf + 1; c[1]; c++)
		if (*c == '"')
			*c = '\'';
	return buf;
}

static const char *file_type(enum img_cue_filetype t)
{
	return t == IMG_CUE_BINARY ? "BINARY" : t == IMG_CUE_MOTOROLA ? "MOTOROLA" : "WAVE";
}

char *img_cue_format(const struct img_cue *cue)
{
	char *s = calloc(1, 1), b[48], w[CUE_WORD_MAX];
	size_t len = 0;
	int file = -1;

	if (cue->catalog[0])
		sappend(&s, &len, "CATALOG %s\n", cue_word(cue->catalog, true, w));
	if (cue->performer[0])
		sappend(&s, &len, "PERFORMER %s\n", cue_word(cue->performer, false, w));
	if (cue->title[0])
		sappend(&s, &len, "TITLE %s\n", cue_word(cue->title, false, w));
	for (int i = 0; i < cue->n_tracks; i++) {
		const struct img_cue_track *t = &cue->tracks[i];
		int first = t->file0 >= 0 ? t->file0 : t->file1;

		if (first != file) {
			file = first;
			sappend(&s, &len, "FILE %s %s\n", cue_word(cue->files[file].name, false, w),
				file_type(cue->files[file].type));
		}
		sappend(&s, &len, "  TRACK %02d %s\n", t->number, img_cue_mode_name(t->mode));
		if (t->title[0])
			sappend(&s, &len, "    TITLE %s\n", cue_word(t->title, false, w));
		if (t->performer[0])
			sappend(&s, &len, "    PERFORMER %s\n", cue_word(t->performer, false, w));
		if (t->isrc[0])
			sappend(&s, &len, "    ISRC %s\n", cue_word(t->isrc, true, w));
		if (t->pre_emphasis || t->copy_permitted || t->four_channel)
			sappend(&s, &len, "    FLAGS%s%s%s\n", t->copy_permitted ? " DCP" : "",
				t->four_channel ? " 4CH" : "", t->pre_emphasis ? " PRE" : "");
		if (t->pregap)
			sappend(&s, &len, "    PREGAP %s\n", msf(t->pregap, b));
		if (t->file0 >= 0)
			sappend(&s, &len, "    INDEX 00 %s\n", msf(t->index0, b));
		if (t->file1 != file) {
			file = t->file1;
			sappend(&s, &len, "FILE %s %s\n", cue_word(cue->files[file].name, false, w),
				file_type(cue->files[file].type));
		}
		sappend(&s, &len, "    INDEX 01 %s\n", msf(t->index1, b));
		if (t->postgap)
			sappend(&s, &len, "    POSTGAP %s\n", msf(t->postgap, b));
	}
	return s;
}

void img_cue_release(struct img_cue *cue)
{
	for (int i = 0; i < cue->n_files; i++)
		free(cue->files[i].name);
	free(cue->files);
	free(cue->tracks);
	memset(cue, 0, sizeof(*cue));
}

char *img_cue_file_path(const char *cue_path, const char *file_name)
{
	const char *slash = strrchr(cue_path, '/');
	size_t dl = slash ? (size_t)(slash - cue_path) + 1 : 0;
	char *p;

	if (file_name[0] == '/' || !dl)
		return strdup(file_name);
	p = malloc(dl + strlen(file_name) + 1);
	if (!p)
		return NULL;
	memcpy(p, cue_path, dl);
	strcpy(p + dl, file_name);
	return p;
}
