/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_accuraterip.c - AccurateRip's dBAR files, and a rip checked
 * against one.
 *
 * A dBAR file is a sequence of chunks, one per pressing (and, since v2,
 * one more per pressing for v2 checksums), each a 13-byte header and 9
 * bytes per track; see audio.h.  A track is accurately ripped when its v1
 * or its v2 checksum equals the checksum of any chunk for that track; the
 * confidence is the number of submissions behind the matching entries.
 * Every length in the file is checked against the file before use.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imaging/audio/audio_private.h"

#define HEADER 13
#define ENTRY 9

void img_ar_db_release(struct img_ar_db *db)
{
	free(db->c);
	db->c = NULL;
	db->n_chunks = 0;
}

enum sp_status img_ar_db_parse(struct img_ar_db *db, const uint8_t *buf,
			       size_t len, const char *name, struct sp_error *err)
{
	size_t off = 0, n = 0;

	memset(db, 0, sizeof(*db));
	if (len == 0)
		return sp_error_set(err, SPE_FORMAT, "AccurateRip file '%s' is empty", name);
	if (len > IMG_AR_DB_MAX)
		return sp_error_set(err, SPE_FORMAT, "AccurateRip file '%s' is %zu bytes long; "
				    "dBAR files are far smaller", name, len);
	/* count the chunks first, checking every length */
	while (off < len) {
		size_t tracks;

		if (len - off < HEADER)
			return sp_error_set(err, SPE_FORMAT, "AccurateRip file '%s' ends inside "
					    "a chunk header at byte %zu", name, off);
		tracks = buf[off];
		if (tracks < 1 || tracks > 99)
			return sp_error_set(err, SPE_FORMAT, "AccurateRip file '%s': a chunk at "
					    "byte %zu counts %zu tracks (1 to 99 expected); it is "
					    "not a dBAR file", name, off, tracks);
		if (len - off - HEADER < tracks * ENTRY)
			return sp_error_set(err, SPE_FORMAT, "AccurateRip file '%s' ends inside "
					    "the chunk at byte %zu (%zu tracks need %zu bytes)",
					    name, off, tracks, HEADER + tracks * ENTRY);
		off += HEADER + tracks * ENTRY;
		n++;
	}
	db->c = calloc(n, sizeof(*db->c));
	if (!db->c)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	db->n_chunks = (int)n;
	off = 0;
	for (size_t i = 0; i < n; i++) {
		struct img_ar_chunk *c = &db->c[i];

		c->n_tracks = buf[off];
		c->id1 = get_le32(buf + off + 1);
		c->id2 = get_le32(buf + off + 5);
		c->freedb = get_le32(buf + off + 9);
		off += HEADER;
		for (int t = 0; t < c->n_tracks; t++, off += ENTRY) {
			c->t[t].confidence = buf[off];
			c->t[t].crc = get_le32(buf + off + 1);
			c->t[t].crc450 = get_le32(buf + off + 5);
		}
		if (i && (c->id1 != db->c[0].id1 || c->id2 != db->c[0].id2 ||
			  c->freedb != db->c[0].freedb || c->n_tracks != db->c[0].n_tracks)) {
			img_ar_db_release(db);
			return sp_error_set(err, SPE_FORMAT, "AccurateRip file '%s': chunk %zu is "
					    "for another disc than chunk 1", name, i + 1);
		}
	}
	return SP_OK;
}

enum sp_status img_ar_db_load(struct img_ar_db *db, const char *path,
			      struct sp_error *err)
{
	static const struct sp_file_kind kind = {
		.what = "AccurateRip file", .max = IMG_AR_DB_MAX, .not_regular = SPE_FORMAT,
	};
	char *buf = NULL;
	size_t len = 0;
	enum sp_status st;

	memset(db, 0, sizeof(*db));
	if (sp_read_file(path, &kind, &buf, &len, err) != SP_OK)
		return SP_FAILED;
	st = img_ar_db_parse(db, (const uint8_t *)buf, len, path, err);
	free(buf);
	return st;
}

enum sp_status img_ar_check_disc(const struct img_ar_db *db,
				 const struct img_disc_ids *ids, struct sp_error *err)
{
	const struct img_ar_chunk *c = &db->c[0];

	if (!db->n_chunks)
		return sp_error_set(err, SPE_FORMAT, "the AccurateRip file holds no chunk");
	if (c->id1 == ids->ar_id1 && c->id2 == ids->ar_id2 && c->freedb == ids->freedb &&
	    c->n_tracks == ids->ar_tracks)
		return SP_OK;
	sp_error_set(err, SPE_MISMATCH, "the AccurateRip file is for disc %03d-%08x-%08x-%08x, "
		     "not for this one (%s)", c->n_tracks, c->id1, c->id2, c->freedb,
		     ids->accuraterip);
	sp_error_hint(err, "the file for this disc is %s", ids->accuraterip_url);
	return SP_FAILED;
}

void img_ar_verdict(const struct img_ar_db *db, int track, uint32_t v1,
		    uint32_t v2, struct img_ar_verdict *v)
{
	memset(v, 0, sizeof(*v));
	for (int i = 0; i < db->n_chunks; i++) {
		const struct img_ar_chunk *c = &db->c[i];
		const struct img_ar_entry *e;

		if (track < 1 || track > c->n_tracks)
			continue;
		e = &c->t[track - 1];
		if (!e->confidence && !e->crc)
			continue;
		v->in_db = true;
		v->total += e->confidence;
		if (e->crc == v1)
			v->v1_confidence += e->confidence;
		else if (e->crc == v2)
			v->v2_confidence += e->confidence;
	}
}

enum sp_status img_audio_rip_verify(struct img_audio_rip *r, const struct img_ar_db *db,
				    struct sp_error *err)
{
	if (!r->has_ids)
		return sp_error_set(err, SPE_MEDIUM, "the disc's AccurateRip ID cannot be computed "
				    "from its table of contents");
	if (img_ar_check_disc(db, &r->ids, err) != SP_OK)
		return SP_FAILED;
	for (int i = 0; i < r->n_tracks; i++) {
		struct img_audio_track *t = &r->tracks[i];

		if (!t->audio || !t->ar_valid)
			continue;
		img_ar_verdict(db, t->ar_number, t->ar_v1, t->ar_v2, &t->ar);
		t->ar_checked = true;
	}
	return SP_OK;
}
