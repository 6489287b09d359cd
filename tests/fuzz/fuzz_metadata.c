/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_metadata.c - img_meta_parse_json(), the metadata file parser (rip
 * --audio --metadata): spindle's simple form and MusicBrainz releases.
 *
 * The first input byte is the disc's audio track count (1 to 99), the
 * rest the file.  Besides crashes this checks what the tags rely on: a
 * parsed file has exactly that many tracks, and no string in it is longer
 * than IMG_TAG_MAX (with escapes, 4 times that) or holds a control
 * character, so no tag or log line can be broken by one.  A failure leaves
 * nothing allocated and says why.
 */
#include "config.h"

#include "imaging/imaging.h"
#include "tests/fuzz/fuzz.h"

static void check(const char *s)
{
	if (!s)
		return;
	fuzz_assert(strlen(s) <= 4 * IMG_TAG_MAX);
	for (const char *p = s; *p; p++)
		fuzz_assert((unsigned char)*p >= 0x20 && *p != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_meta m;
	struct sp_error err = SP_ERROR_INIT;
	int n;

	if (size < 1)
		return 0;
	n = data[0] % 99 + 1;
	if (img_meta_parse_json(&m, (const char *)data + 1, size - 1, "fuzz.json",
				"fuzzDiscId", n, &err) != SP_OK) {
		fuzz_assert(err.code != SPE_NONE && err.msg[0]);
		fuzz_assert(m.n_tracks == 0 && m.tracks == NULL && m.album == NULL);
		return 0;
	}
	fuzz_assert(m.n_tracks == n);
	check(m.album);
	check(m.albumartist);
	check(m.date);
	check(m.genre);
	check(m.release_id);
	for (int i = 0; i < m.n_tracks; i++) {
		check(m.tracks[i].title);
		check(m.tracks[i].artist);
		check(m.tracks[i].isrc);
	}
	fuzz_assert(m.discnumber >= 0 && m.discnumber <= 99);
	img_meta_release(&m);
	return 0;
}
