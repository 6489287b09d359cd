/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests of imaging/audio/: CUE parsing, layout, writing; checksums. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/imaging.h"
#include "tests/unit/test.h"

static enum sp_status parse(struct img_cue *cue, const char *text, struct sp_error *err)
{
	return img_cue_parse(cue, text, strlen(text), "t.cue", err);
}

DEFINE_TEST(test_cue_parse_eac_style)
{
	static const char text[] =
		"\xef\xbb\xbfREM GENRE Rock\r\n"
		"PERFORMER \"The Band\"\r\n"
		"TITLE \"An Album\"\r\n"
		"CATALOG 0123456789012\r\n"
		"FILE \"01.wav\" WAVE\r\n"
		"  TRACK 01 AUDIO\r\n"
		"    TITLE \"One\"\r\n"
		"    ISRC USABC1234567\r\n"
		"    FLAGS DCP PRE\r\n"
		"    INDEX 01 00:00:00\r\n"
		"  TRACK 02 AUDIO\r\n"
		"    INDEX 00 03:59:70\r\n"
		"FILE \"02.wav\" WAVE\r\n"
		"    INDEX 01 00:00:00\r\n"
		"  TRACK 03 AUDIO\r\n"
		"    PREGAP 00:02:00\r\n"
		"    INDEX 01 01:00:00\r\n";
	struct sp_error err = SP_ERROR_INIT;
	struct img_cue cue;
	int64_t sizes[2] = { 18000, 9000 };

	assert_int_eq(SP_OK, parse(&cue, text, &err));
	assert_int_eq(2, cue.n_files);
	assert_int_eq(3, cue.n_tracks);
	assert_str_eq("The Band", cue.performer);
	assert_str_eq("An Album", cue.title);
	assert_str_eq("0123456789012", cue.catalog);
	assert_str_eq("01.wav", cue.files[0].name);
	assert_int_eq(IMG_CUE_WAVE, cue.files[1].type);
	assert_str_eq("One", cue.tracks[0].title);
	assert_str_eq("USABC1234567", cue.tracks[0].isrc);
	assert_true(cue.tracks[0].copy_permitted && cue.tracks[0].pre_emphasis);
	assert_int_eq(0, cue.tracks[1].file0);
	assert_int_eq((3 * 60 + 59) * 75 + 70, cue.tracks[1].index0);
	assert_int_eq(1, cue.tracks[1].file1);
	assert_int_eq(0, cue.tracks[1].index1);
	assert_int_eq(150, cue.tracks[2].pregap);
	assert_int_eq(-1, cue.tracks[2].file0);
	assert_int_eq(SP_OK, img_cue_resolve(&cue, sizes, &err));
	assert_int_eq(0, cue.tracks[0].start);
	assert_int_eq(17995, cue.tracks[0].sectors);
	assert_int_eq(17995, cue.tracks[1].gap_start);
	assert_int_eq(18000, cue.tracks[1].start);
	assert_int_eq(4500, cue.tracks[1].sectors);
	assert_int_eq(18000 + 4500 + 150, cue.tracks[2].start);
	assert_int_eq(18000 + 4500, cue.tracks[2].gap_start);
	assert_int_eq(18000 + 9000 + 150, cue.leadout);
	img_cue_release(&cue);
}

DEFINE_TEST(test_cue_format_round_trip)
{
	static const char text[] =
		"FILE \"a b.bin\" BINARY\n"
		"  TRACK 01 MODE1/2352\n"
		"    INDEX 01 00:00:00\n"
		"  TRACK 02 AUDIO\n"
		"    FLAGS DCP\n"
		"    INDEX 00 00:10:00\n"
		"    INDEX 01 00:12:00\n"
		"FILE \"c.wav\" WAVE\n"
		"  TRACK 03 AUDIO\n"
		"    INDEX 01 00:00:00\n"
		"    POSTGAP 00:01:00\n";
	struct sp_error err = SP_ERROR_INIT;
	struct img_cue cue, again;
	char *out;

	assert_int_eq(SP_OK, parse(&cue, text, &err));
	out = img_cue_format(&cue);
	assert_str_eq(text, out);
	assert_int_eq(SP_OK, parse(&again, out, &err));
	assert_int_eq(cue.n_tracks, again.n_tracks);
	assert_int_eq(IMG_CUE_MODE1_2352, again.tracks[0].mode);
	assert_int_eq(75, again.tracks[2].postgap);
	free(out);
	img_cue_release(&cue);
	img_cue_release(&again);
}

/* Each malformed sheet fails with its line number and reason. */
DEFINE_TEST(test_cue_parse_errors)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "TRACK 01 AUDIO\n", "line 1: TRACK before any FILE" },
		{ "FILE x BINARY\nINDEX 01 00:00:00\n", "line 2: INDEX before any TRACK" },
		{ "FILE x BINARY\n TRACK 01 AUDIO\n INDEX 01 00:60:00\n", "line 3: '00:60:00' is not a time" },
		{ "FILE x BINARY\n TRACK 01 AUDIO\n INDEX 01 00:00:75\n", "is not a time" },
		{ "FILE x BINARY\n TRACK 01 AUDIO\n", "line 3: track 1 has no INDEX 01" },
		{ "FILE x BINARY\n TRACK 01 AUDIO\n INDEX 01 00:00:00\n TRACK 03 AUDIO\n",
		  "line 4: track 3 follows track 1" },
		{ "FILE x BINARY\n TRACK 01 MODE9\n", "unknown track mode 'MODE9'" },
		{ "FILE x MP3\n", "file type 'MP3' is not supported" },
		{ "FILE x BINARY\n TRACK 01 AUDIO\n INDEX 02 00:00:00\n", "INDEX 02 out of order" },
		{ "FILE x BINARY\n TRACK 01 AUDIO\n INDEX 00 00:02:00\n INDEX 01 00:01:00\n",
		  "INDEX 01 before INDEX 00" },
		{ "FILE x BINARY\n FROB\n", "line 2: unknown keyword 'FROB'" },
		{ "FILE x BINARY\n TRACK 100 AUDIO\n", "TRACK needs a number from 1 to 99" },
		{ "REM nothing\n", "it has no TRACK" },
		{ "", "it has no TRACK" },
		{ "FILE x BINARY\n TRACK 01 AUDIO\n TITLE \"unterminated\n INDEX 01 00:00:00\n",
		  "line 3: a quote is not closed" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sp_error err = SP_ERROR_INIT;
		struct img_cue cue;

		assert_int_eq(SP_FAILED, parse(&cue, bad[i].text, &err));
		assert_int_eq(SPE_FORMAT, err.code);
		assert_str_contains(err.msg, bad[i].msg);
		assert_int_eq(0, cue.n_tracks);
	}
}

DEFINE_TEST(test_cue_parse_nul_and_binary)
{
	static const char text[] = "FILE x BINARY\n\0TRACK 01 AUDIO\n";
	struct sp_error err = SP_ERROR_INIT;
	struct img_cue cue;

	assert_int_eq(SP_FAILED, img_cue_parse(&cue, text, sizeof(text) - 1, "t.cue", &err));
	assert_str_contains(err.msg, "line 2: NUL byte");
}

DEFINE_TEST(test_cue_resolve_short_file)
{
	static const char text[] = "FILE x BINARY\n TRACK 01 AUDIO\n INDEX 01 00:00:00\n"
				   " TRACK 02 AUDIO\n INDEX 01 00:10:00\n";
	struct sp_error err = SP_ERROR_INIT;
	struct img_cue cue;
	int64_t size = 100;

	assert_int_eq(SP_OK, parse(&cue, text, &err));
	assert_int_eq(SP_FAILED, img_cue_resolve(&cue, &size, &err));
	assert_str_contains(err.msg, "track 2 starts after the end of its file 'x'");
	img_cue_release(&cue);
}

/* A CD-TEXT title with quotes (found by the fuzz_cue target): the sheet
 * spindle writes must read back, the same where the format can say it. */
DEFINE_TEST(test_cue_format_quotes)
{
	static const char text[] =
		"CATALOG \"0123 45\"\n"
		"FILE a\"b.bin BINARY\n"
		"  TRACK 01 AUDIO\n"
		"    TITLE 12\"\n"
		"    PERFORMER \"say \"hi\"\n"
		"    INDEX 01 00:00:00\n";
	static const char want[] =
		"CATALOG \"0123 45\"\n"
		"FILE a\"b.bin BINARY\n"
		"  TRACK 01 AUDIO\n"
		"    TITLE 12\"\n"
		"    PERFORMER \"say 'hi\"\n"
		"    INDEX 01 00:00:00\n";
	struct sp_error err = SP_ERROR_INIT;
	struct img_cue cue, again;
	char *out;

	/* PERFORMER "say "hi": the word ends at the second quote */
	assert_int_eq(SP_FAILED, parse(&cue, text, &err));
	assert_str_contains(err.msg, "line 5: PERFORMER needs one value");
	assert_int_eq(SP_OK, parse(&cue, "CATALOG \"0123 45\"\nFILE a\"b.bin BINARY\n"
				   "  TRACK 01 AUDIO\n    TITLE 12\"\n    INDEX 01 00:00:00\n", &err));
	snprintf(cue.tracks[0].performer, sizeof(cue.tracks[0].performer), "say \"hi");
	out = img_cue_format(&cue);
	assert_str_eq(want, out);
	assert_int_eq(SP_OK, parse(&again, out, &err));
	if (again.n_tracks == 1) {
		assert_str_eq("0123 45", again.catalog);
		assert_str_eq("a\"b.bin", again.files[0].name);
		assert_str_eq("12\"", again.tracks[0].title);
		assert_str_eq("say 'hi", again.tracks[0].performer);
	}
	free(out);
	img_cue_release(&cue);
	img_cue_release(&again);
}

/* PREGAP silence and INDEX 00 data in one track (found by the fuzz_cue
 * target): the gap holds both, and the track before ends where its own
 * data ends. */
DEFINE_TEST(test_cue_resolve_pregap_and_index0)
{
	static const char text[] = "FILE x BINARY\n TRACK 01 AUDIO\n INDEX 01 00:00:00\n"
				   " TRACK 02 AUDIO\n PREGAP 00:02:00\n INDEX 00 00:10:00\n"
				   " INDEX 01 00:10:10\n";
	struct sp_error err = SP_ERROR_INIT;
	struct img_cue cue;
	int64_t size = 2000;

	assert_int_eq(SP_OK, parse(&cue, text, &err));
	assert_int_eq(SP_OK, img_cue_resolve(&cue, &size, &err));
	assert_int_eq(750, cue.tracks[0].sectors);
	assert_int_eq(750, cue.tracks[1].gap_start);
	assert_int_eq(750 + 150 + 10, cue.tracks[1].start);
	assert_int_eq(2000 - 760, cue.tracks[1].sectors);
	assert_int_eq(2000 + 150, cue.leadout);
	img_cue_release(&cue);
}

/* A track whose INDEX 01 lies before the previous track's, hidden by that
 * track's POSTGAP: refused, not a track of negative length. */
DEFINE_TEST(test_cue_resolve_postgap_overlap)
{
	static const char text[] = "FILE a.bin BINARY\n TRACK 01 AUDIO\n INDEX 01 00:00:10\n"
				   " POSTGAP 00:00:50\n TRACK 02 AUDIO\n INDEX 01 00:00:05\n";
	struct sp_error err = SP_ERROR_INIT;
	struct img_cue cue;
	int64_t size = 4096;

	assert_int_eq(SP_OK, parse(&cue, text, &err));
	assert_int_eq(SP_FAILED, img_cue_resolve(&cue, &size, &err));
	assert_str_contains(err.msg, "track 2 starts before track 1");
	img_cue_release(&cue);
}

DEFINE_TEST(test_cue_file_path)
{
	char *p = img_cue_file_path("dir/sub/a.cue", "b.bin");

	assert_str_eq("dir/sub/b.bin", p);
	free(p);
	p = img_cue_file_path("a.cue", "b.bin");
	assert_str_eq("b.bin", p);
	free(p);
	p = img_cue_file_path("d/a.cue", "/abs/b.bin");
	assert_str_eq("/abs/b.bin", p);
	free(p);
}

/* Known values, computed by an independent implementation (python zlib
 * and the AccurateRip formulas) for 3000 words w[i] = i * 2654435761. */
static uint8_t *known_pcm(size_t n)
{
	uint8_t *p = malloc(n * 4);

	for (size_t i = 0; i < n; i++) {
		uint32_t w = (uint32_t)(i * 2654435761u);

		p[i * 4] = (uint8_t)w;
		p[i * 4 + 1] = (uint8_t)(w >> 8);
		p[i * 4 + 2] = (uint8_t)(w >> 16);
		p[i * 4 + 3] = (uint8_t)(w >> 24);
	}
	return p;
}

DEFINE_TEST(test_audio_checksums_known_values)
{
	static const struct { bool first, last; uint32_t v1, v2; } cases[] = {
		{ false, false, 0xE8C99E98, 0xE8EBF4FF },
		{ true, false, 0x6F18C140, 0x6F1A2331 },
		{ false, true, 0x161C336C, 0x161C36F8 },
	};
	uint8_t *pcm = known_pcm(3000);

	for (size_t i = 0; i < 3; i++) {
		struct img_audio_sum s;

		img_audio_sum_init(&s, 3000, cases[i].first, cases[i].last);
		img_audio_sum_update(&s, pcm, 3000 * 4);
		assert_int_eq(0xC716EBBA, s.crc32);
		assert_int_eq(cases[i].v1, s.ar_v1);
		assert_int_eq(cases[i].v2, s.ar_v2);
	}
	free(pcm);
}

/* Fed in odd pieces, the sums are the same as in one go. */
DEFINE_TEST(test_audio_checksums_in_pieces)
{
	uint8_t *pcm = known_pcm(3000);
	struct img_audio_sum s;
	size_t at = 0, step = 1;

	img_audio_sum_init(&s, 3000, true, false);
	while (at < 3000) {
		size_t n = at + step > 3000 ? 3000 - at : step;

		img_audio_sum_update(&s, pcm + at * 4, n * 4);
		at += n;
		step = step * 3 + 1;
	}
	assert_int_eq(0xC716EBBA, s.crc32);
	assert_int_eq(0x6F18C140, s.ar_v1);
	assert_int_eq(0x6F1A2331, s.ar_v2);
	assert_int_eq(3000, s.samples);
	free(pcm);
}

/* A FLAC and a WAV written by img_audio_writer read back the same. */
DEFINE_TEST(test_audio_writer_reader_round_trip)
{
	static const enum img_audio_format fmts[] = { IMG_AUDIO_FLAC, IMG_AUDIO_WAV };
	uint8_t *pcm = known_pcm(10000), *back = malloc(10000 * 4);

	for (size_t i = 0; i < 2; i++) {
		struct sp_error err = SP_ERROR_INIT;
		struct img_audio_writer *w;
		struct img_audio_reader *r;
		const char *path = i ? "t.wav" : "t.flac";
		size_t got = 0, n;

		assert_int_eq(SP_OK, img_audio_writer_open(&w, path, fmts[i], 10000, &err));
		assert_int_eq(SP_OK, img_audio_writer_write(w, pcm, 4000, &err));
		assert_int_eq(SP_OK, img_audio_writer_write(w, pcm + 16000, 6000, &err));
		assert_int_eq(SP_OK, img_audio_writer_close(w, true, &err));
		assert_int_eq(SP_OK, img_audio_reader_open(&r, path, &err));
		assert_int_eq(10000, img_audio_reader_samples(r));
		do {
			assert_int_eq(SP_OK, img_audio_reader_read(r, back + got * 4, 777, &n, &err));
			got += n;
		} while (n);
		assert_int_eq(10000, got);
		assert_mem_eq(pcm, back, 10000 * 4);
		img_audio_reader_close(r);
	}
	free(pcm);
	free(back);
}

/* Closing without keep leaves nothing behind. */
DEFINE_TEST(test_audio_writer_discard)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_audio_writer *w;
	uint8_t z[400] = { 0 };
	FILE *f;

	assert_int_eq(SP_OK, img_audio_writer_open(&w, "d.flac", IMG_AUDIO_FLAC, 100, &err));
	assert_int_eq(SP_OK, img_audio_writer_write(w, z, 100, &err));
	assert_int_eq(SP_OK, img_audio_writer_close(w, false, &err));
	f = fopen("d.flac", "rb");
	assert_true(f == NULL);
	f = fopen("d.flac.tmp", "rb");
	assert_true(f == NULL);
	/* fewer samples than announced is an error, not a short file */
	assert_int_eq(SP_OK, img_audio_writer_open(&w, "e.wav", IMG_AUDIO_WAV, 100, &err));
	assert_int_eq(SP_OK, img_audio_writer_write(w, z, 50, &err));
	assert_int_eq(SP_FAILED, img_audio_writer_close(w, true, &err));
	f = fopen("e.wav", "rb");
	assert_true(f == NULL);
}
