/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Unit tests of imaging/audio/: disc IDs against published ones, dBAR files,
 * metadata files.
 *
 * The two discs are those of ARver's notes on data tracks
 * (docs/data_tracks.md in arcctgx/ARver): "Liquid" by Recoil, an enhanced
 * CD (10 audio tracks, data in session 2), whose IDs EAC and dBpoweramp
 * print as 010-00164419-00b9f6e2-9e11600b and MusicBrainz lists as
 * 9AQWqQ0eCCwktwPPrIUIYkUw2Uo-; and "Mortal Kombat Trilogy", a mixed-mode
 * CD (data track 1, 28 audio tracks), 028-00517a54-05a845d2-af0da31d.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/imaging.h"
#include "tests/unit/test.h"

DEFINE_TEST(test_disc_ids_enhanced_cd)
{
	static const int lba[] = { 150, 12767, 40487, 63225, 93410, 118115, 151865,
				   184340, 215260, 247455, 281735 };
	struct img_cd_toc_entry t[11];
	struct img_disc_ids ids;
	struct sp_error err = SP_ERROR_INIT;

	for (int i = 0; i < 11; i++)
		t[i] = (struct img_cd_toc_entry){ .number = i + 1, .audio = i < 10,
						  .session = i < 10 ? 1 : 2, .start = lba[i] - 150 };
	assert_int_eq(SP_OK, img_disc_ids_compute(t, 11, 333801 - 150, &ids, &err));
	assert_str_eq("010-00164419-00b9f6e2-9e11600b", ids.accuraterip);
	assert_str_eq("9AQWqQ0eCCwktwPPrIUIYkUw2Uo-", ids.musicbrainz);
	assert_int_eq(0x9e11600b, ids.freedb);
	assert_true(ids.enhanced && !ids.mixed);
	assert_str_eq("http://www.accuraterip.com/accuraterip/9/1/4/"
		      "dBAR-010-00164419-00b9f6e2-9e11600b.bin", ids.accuraterip_url);
}

DEFINE_TEST(test_disc_ids_mixed_mode_cd)
{
	static const int lba[] = { 150, 66728, 76502, 85963, 93760, 104048, 116066,
				   124743, 134206, 142916, 151852, 160720, 169425, 178731,
				   188459, 196711, 206354, 214845, 223686, 225746, 226384,
				   232668, 239447, 239931, 244989, 254264, 260066, 261222,
				   261674 };
	struct img_cd_toc_entry t[29];
	struct img_disc_ids ids;
	struct sp_error err = SP_ERROR_INIT;

	for (int i = 0; i < 29; i++)
		t[i] = (struct img_cd_toc_entry){ .number = i + 1, .audio = i > 0,
						  .session = 1, .start = lba[i] - 150 };
	assert_int_eq(SP_OK, img_disc_ids_compute(t, 29, 261976 - 150, &ids, &err));
	assert_str_eq("028-00517a54-05a845d2-af0da31d", ids.accuraterip);
	assert_true(ids.mixed && !ids.enhanced);
	assert_int_eq(28, ids.ar_tracks);
	/* as python3-libdiscid computes it for all 29 tracks (MusicBrainz
	 * counts the data track of a mixed-mode CD) */
	assert_str_eq("n.C_36qJtMcb4svs.HplU2CZxKw-", ids.musicbrainz);
}

DEFINE_TEST(test_disc_ids_refuse_bad_toc)
{
	struct img_cd_toc_entry t[2] = { { 1, true, 1, 100 }, { 2, true, 1, 50 } };
	struct img_disc_ids ids;
	struct sp_error err = SP_ERROR_INIT;

	assert_int_eq(SP_FAILED, img_disc_ids_compute(t, 2, 1000, &ids, &err));
	assert_str_contains(err.msg, "out of order");
}

static size_t put_chunk(uint8_t *p, int n, uint32_t id1, uint32_t id2, uint32_t fdb,
			uint8_t conf, uint32_t crc0)
{
	size_t o = 0;

	p[o++] = (uint8_t)n;
	for (int k = 0; k < 4; k++)
		p[o + (size_t)k] = (uint8_t)(id1 >> (8 * k));
	for (int k = 0; k < 4; k++)
		p[o + 4 + (size_t)k] = (uint8_t)(id2 >> (8 * k));
	for (int k = 0; k < 4; k++)
		p[o + 8 + (size_t)k] = (uint8_t)(fdb >> (8 * k));
	o += 12;
	for (int i = 0; i < n; i++) {
		uint32_t crc = crc0 + (uint32_t)i;

		p[o++] = conf;
		for (int k = 0; k < 4; k++)
			p[o++] = (uint8_t)(crc >> (8 * k));
		for (int k = 0; k < 4; k++)
			p[o++] = 0;
	}
	return o;
}

DEFINE_TEST(test_dbar_parse_and_verdict)
{
	uint8_t buf[200];
	size_t n = put_chunk(buf, 3, 0x11, 0x22, 0x33, 4, 1000);
	struct img_ar_db db;
	struct img_ar_verdict v;
	struct sp_error err = SP_ERROR_INIT;

	n += put_chunk(buf + n, 3, 0x11, 0x22, 0x33, 7, 2000);
	assert_int_eq(SP_OK, img_ar_db_parse(&db, buf, n, "t.bin", &err));
	assert_int_eq(2, db.n_chunks);
	img_ar_verdict(&db, 2, 1001, 2001, &v);
	assert_int_eq(4, v.v1_confidence);
	assert_int_eq(7, v.v2_confidence);
	assert_int_eq(11, v.total);
	img_ar_verdict(&db, 3, 5, 6, &v);
	assert_true(v.in_db && !v.v1_confidence && !v.v2_confidence);
	img_ar_db_release(&db);
	/* cut anywhere inside the second chunk: an error naming the offset */
	assert_int_eq(SP_FAILED, img_ar_db_parse(&db, buf, n - 1, "t.bin", &err));
	assert_str_contains(err.msg, "ends inside the chunk at byte 40");
	assert_int_eq(SP_FAILED, img_ar_db_parse(&db, buf, 45, "t.bin", &err));
	assert_str_contains(err.msg, "ends inside");
	buf[40] = 0;
	assert_int_eq(SP_FAILED, img_ar_db_parse(&db, buf, n, "t.bin", &err));
	assert_str_contains(err.msg, "counts 0 tracks");
}

DEFINE_TEST(test_metadata_simple_and_hostile)
{
	static const char good[] = "{\"album\": \"A\\u001b[31m\", \"artist\": \"B\", "
		"\"discnumber\": 2, \"tracks\": [{\"title\": \"x\\ny\"}, {\"isrc\": \"USABC1234567\"}]}";
	static const char wrong_count[] = "{\"tracks\": [{}]}";
	static const char nul[] = "{\"album\": \"a\\u0000b\", \"tracks\": [{}, {}]}";
	struct img_meta m;
	struct sp_error err = SP_ERROR_INIT;
	char *huge;
	size_t n = IMG_TAG_MAX + 100;

	assert_int_eq(SP_OK, img_meta_parse_json(&m, good, strlen(good), "m.json", NULL, 2, &err));
	assert_str_eq("A\\x1b[31m", m.album);
	assert_str_eq("x\\x0ay", m.tracks[0].title);
	assert_str_eq("USABC1234567", m.tracks[1].isrc);
	assert_int_eq(2, m.discnumber);
	assert_true(m.escaped);
	img_meta_release(&m);
	assert_int_eq(SP_FAILED, img_meta_parse_json(&m, wrong_count, strlen(wrong_count),
						     "m.json", NULL, 2, &err));
	assert_str_contains(err.msg, "lists 1 tracks, but the disc has 2 audio tracks");
	assert_int_eq(SP_FAILED, img_meta_parse_json(&m, nul, strlen(nul), "m.json", NULL, 2, &err));
	assert_str_contains(err.msg, "is not JSON");
	huge = malloc(n + 64);
	assert_true(huge != NULL);
	if (!huge)
		return;
	memcpy(huge, "{\"tracks\": [{\"title\": \"", 23);
	memset(huge + 23, 'a', n);
	strcpy(huge + 23 + n, "\"}]}");
	assert_int_eq(SP_FAILED, img_meta_parse_json(&m, huge, strlen(huge), "m.json", NULL, 1, &err));
	assert_str_contains(err.msg, "tracks[0].title is 4196 bytes long");
	free(huge);
}

DEFINE_TEST(test_metadata_musicbrainz_release)
{
	static const char rel[] = "{\"id\": \"rel-1\", \"title\": \"Album\", \"date\": \"1999\", "
		"\"artist-credit\": [{\"name\": \"A\", \"joinphrase\": \" & \"}, {\"name\": \"B\"}], "
		"\"media\": [{\"position\": 1, \"discs\": [{\"id\": \"other\"}], \"tracks\": [{}, {}]}, "
		"{\"position\": 2, \"discs\": [{\"id\": \"mine\"}], \"tracks\": ["
		"{\"title\": \"One\", \"recording\": {\"isrcs\": [\"GBAAA0000001\"]}}, "
		"{\"title\": \"Two\", \"artist-credit\": [{\"name\": \"C\"}]}]}]}";
	struct img_meta m;
	struct sp_error err = SP_ERROR_INIT;

	assert_int_eq(SP_OK, img_meta_parse_json(&m, rel, strlen(rel), "r.json", "mine", 2, &err));
	assert_str_eq("Album", m.album);
	assert_str_eq("A & B", m.albumartist);
	assert_int_eq(2, m.discnumber);
	assert_int_eq(2, m.disctotal);
	assert_str_eq("GBAAA0000001", m.tracks[0].isrc);
	assert_str_eq("C", m.tracks[1].artist);
	assert_str_contains(m.source, "medium 2 (chosen by its disc ID)");
	img_meta_release(&m);
	/* no disc ID match and two media of 2 tracks: which one is unknown */
	assert_int_eq(SP_FAILED, img_meta_parse_json(&m, rel, strlen(rel), "r.json", "x", 2, &err));
	assert_str_contains(err.msg, "several have this disc's track count");
}
