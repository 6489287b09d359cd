/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_cue.c - img_cue_parse(), the CUE sheet parser (burn of a BIN/CUE or
 * WAV/FLAC sheet, convert, rip --raw re-reading its own sheet), then
 * img_cue_format() and img_cue_resolve(), the disc layout.
 *
 * The input is the sheet, then optionally a NUL byte and the sizes of its
 * files: 4 little-endian bytes each, in sectors (files without a size get
 * 100000 sectors).  The sheet ends at the input's last NUL, so NUL bytes
 * inside the sheet still reach the parser.
 *
 * Besides crashes this checks what the users of a parsed sheet rely on:
 * track numbers follow each other, indexes name existing files in order;
 * what img_cue_format() writes parses back to the same sheet; and a layout
 * that resolves has non-empty tracks in disc order that end at the
 * lead-out, each with its gap (PREGAP silence and INDEX 00 data) before
 * INDEX 01.
 */
#include "config.h"

#include "imaging/imaging.h"
#include "tests/fuzz/fuzz.h"

#define NO_SIZE 100000

static void check_sheet(const struct img_cue *c)
{
	fuzz_assert(c->n_tracks >= 1 && c->n_tracks <= 99);
	fuzz_assert(c->n_files >= 1 && c->n_files <= 99);
	fuzz_assert(strlen(c->title) < sizeof(c->title) &&
		    strlen(c->performer) < sizeof(c->performer) &&
		    strlen(c->catalog) < sizeof(c->catalog));
	for (int i = 0; i < c->n_files; i++)
		fuzz_assert(c->files[i].name && c->files[i].name[0]);
	for (int i = 0; i < c->n_tracks; i++) {
		const struct img_cue_track *t = &c->tracks[i];

		fuzz_assert(t->number >= 1 && t->number <= 99);
		fuzz_assert(i == 0 || t->number == c->tracks[i - 1].number + 1);
		fuzz_assert(t->file1 >= 0 && t->file1 < c->n_files && t->index1 >= 0);
		fuzz_assert(t->file0 < 0 || (t->file0 <= t->file1 && t->index0 >= 0));
		fuzz_assert(t->file0 != t->file1 || t->index0 <= t->index1);
		fuzz_assert(i == 0 || (t->file0 >= 0 ? t->file0 : t->file1) >=
			    c->tracks[i - 1].file1);
		fuzz_assert(t->pregap >= 0 && t->postgap >= 0);
		fuzz_assert(img_cue_sector_bytes(t->mode) >= 2048);
		fuzz_assert(strlen(t->isrc) < sizeof(t->isrc) &&
			    strlen(t->title) < sizeof(t->title) &&
			    strlen(t->performer) < sizeof(t->performer));
	}
}

static const char *file_of(const struct img_cue *c, int i)
{
	return i < 0 ? "" : c->files[i].name;
}

/* b is what img_cue_format() keeps of a: all of it, unless a holds both a
 * quote and a blank (or starts with a quote, or ends with CR), which the
 * format cannot say: its quotes become apostrophes then. */
static bool kept(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (!strchr(a, '"') || (n && a[0] != '"' && !strpbrk(a, " \t") && a[n - 1] != '\r'))
		return !strcmp(a, b);
	if (strlen(b) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (b[i] != (a[i] == '"' ? '\'' : a[i]))
			return false;
	return true;
}

/* img_cue_format() keeps everything but REM lines, unused FILEs and SCMS. */
static void check_same(const struct img_cue *a, const struct img_cue *b)
{
	fuzz_assert(kept(a->title, b->title) && kept(a->performer, b->performer) &&
		    kept(a->catalog, b->catalog));
	fuzz_assert(a->n_tracks == b->n_tracks);
	for (int i = 0; i < a->n_tracks; i++) {
		const struct img_cue_track *x = &a->tracks[i], *y = &b->tracks[i];

		fuzz_assert(x->number == y->number && x->mode == y->mode);
		fuzz_assert(kept(file_of(a, x->file0), file_of(b, y->file0)) &&
			    kept(file_of(a, x->file1), file_of(b, y->file1)));
		fuzz_assert(a->files[x->file1].type == b->files[y->file1].type);
		fuzz_assert(x->index0 == y->index0 && x->index1 == y->index1 &&
			    x->pregap == y->pregap && x->postgap == y->postgap);
		fuzz_assert(x->pre_emphasis == y->pre_emphasis &&
			    x->copy_permitted == y->copy_permitted &&
			    x->four_channel == y->four_channel);
		fuzz_assert(kept(x->isrc, y->isrc) && kept(x->title, y->title) &&
			    kept(x->performer, y->performer));
	}
}

static void check_layout(const struct img_cue *c)
{
	for (int i = 0; i < c->n_tracks; i++) {
		const struct img_cue_track *t = &c->tracks[i];
		int64_t end = i + 1 < c->n_tracks ? c->tracks[i + 1].gap_start : c->leadout;

		fuzz_assert(t->gap_start >= (i ? c->tracks[i - 1].start : 0));
		fuzz_assert(t->start - t->gap_start >= t->pregap);
		fuzz_assert(t->sectors > 0 && t->start + t->sectors == end);
		fuzz_assert(t->sectors > t->postgap);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = size ? memrchr(data, 0, size) : NULL;
	size_t len = nul ? (size_t)(nul - data) : size;
	const uint8_t *sz = nul ? nul + 1 : data + size;
	size_t n_sz = (size_t)(data + size - sz) / 4;
	struct img_cue cue, again;
	struct sp_error err = SP_ERROR_INIT;
	int64_t sizes[99];
	char *text = NULL;

	if (img_cue_parse(&cue, (const char *)data, len, "fuzz.cue", &err) != SP_OK) {
		fuzz_assert(err.code != SPE_NONE && err.msg[0]);
		fuzz_assert(cue.n_files == 0 && cue.n_tracks == 0);
		return 0;
	}
	check_sheet(&cue);

	text = img_cue_format(&cue);
	fuzz_assert(text);
	if (img_cue_parse(&again, text, strlen(text), "again.cue", &err) != SP_OK) {
		fprintf(stderr, "written sheet does not parse back: %s\n%s", err.msg, text);
		fuzz_assert(!"img_cue_format output parses");
	}
	check_same(&cue, &again);
	img_cue_release(&again);

	for (int i = 0; i < cue.n_files; i++)
		sizes[i] = (size_t)i < n_sz ? (int64_t)(sz[4 * i] | sz[4 * i + 1] << 8 |
				sz[4 * i + 2] << 16 | (uint32_t)sz[4 * i + 3] << 24) : NO_SIZE;
	err = (struct sp_error)SP_ERROR_INIT;
	if (img_cue_resolve(&cue, sizes, &err) == SP_OK)
		check_layout(&cue);
	else
		fuzz_assert(err.code != SPE_NONE && err.msg[0]);
	free(text);
	img_cue_release(&cue);
	return 0;
}
