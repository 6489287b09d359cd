/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_dbar.c - img_ar_db_parse(), the AccurateRip dBAR file parser
 * (rip --audio --accuraterip-db), then img_ar_verdict() on what it read.
 *
 * Besides crashes this checks what the verification relies on: a parsed
 * file has at least one chunk, every chunk 1 to 99 tracks and the disc IDs
 * of the first; the chunks fill the input exactly; a verdict's confidences
 * never exceed its total, and a track the file does not have is not in
 * the database.  A failure leaves no chunks and says why.
 */
#include "config.h"

#include "imaging/imaging.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_ar_db db;
	struct img_ar_verdict v;
	struct sp_error err = SP_ERROR_INIT;
	size_t bytes = 0;

	if (img_ar_db_parse(&db, data, size, "fuzz.bin", &err) != SP_OK) {
		fuzz_assert(err.code != SPE_NONE && err.msg[0]);
		fuzz_assert(db.n_chunks == 0 && db.c == NULL);
		return 0;
	}
	fuzz_assert(db.n_chunks >= 1);
	for (int i = 0; i < db.n_chunks; i++) {
		const struct img_ar_chunk *c = &db.c[i];

		fuzz_assert(c->n_tracks >= 1 && c->n_tracks <= 99);
		fuzz_assert(c->id1 == db.c[0].id1 && c->id2 == db.c[0].id2 &&
			    c->freedb == db.c[0].freedb && c->n_tracks == db.c[0].n_tracks);
		bytes += 13 + 9 * (size_t)c->n_tracks;
	}
	fuzz_assert(bytes == size);
	for (int t = 0; t <= 100; t++) {
		uint32_t crc = size >= 4 ? (uint32_t)data[size - 1] << 24 | data[0] : 0;

		img_ar_verdict(&db, t, crc, ~crc, &v);
		fuzz_assert(v.v1_confidence + v.v2_confidence <= v.total);
		fuzz_assert(v.v1_confidence >= 0 && v.v2_confidence >= 0);
		if (t < 1 || t > db.c[0].n_tracks)
			fuzz_assert(!v.in_db && v.total == 0);
	}
	img_ar_db_release(&db);
	return 0;
}
