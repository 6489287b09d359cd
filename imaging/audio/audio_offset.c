/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_offset.c - AccurateRip v1 checksums of a track at every read
 * offset in a window, in one pass over the track: how a drive's read
 * offset is found from a disc whose AccurateRip data is known
 * (rip --find-offset), and how a track that does not match is found to
 * match another pressing, whose audio sits some samples away.
 *
 * With x_j the disc's samples from the window's first offset, the v1
 * checksum at shift k is S(k) = sum over m in [from, to] of m * x(k + m),
 * and W(k) the plain sum of the same samples.  Moving one sample on:
 *     S(k+1) = S(k) - W(k) - (from - 1) * x(k + from) + to * x(k + to + 1)
 *     W(k+1) = W(k) - x(k + from) + x(k + to + 1)
 * all modulo 2^32.  So one pass over the track gives S(0) and W(0), and
 * the samples just after `from` and `to` give every other shift: a window
 * of 5881 offsets costs one read of the track and 2 x 5880 samples more.
 * (v2 checksums fold the high halves of the products in and have no such
 * recurrence; v1 is what every dBAR file carries.)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imaging/audio/audio_private.h"

#define CHUNK (64 * IMG_CD_SAMPLES)
#define WIN (2 * IMG_AR_SEARCH)

static uint32_t word(const uint8_t *p)
{
	return get_le32(p);
}

/* Add the confidence of db's entries for track `number` equal to crc. */
static int db_match(const struct img_ar_db *db, int number, uint32_t crc)
{
	int conf = 0;

	for (int i = 0; i < db->n_chunks; i++)
		if (number >= 1 && number <= db->c[i].n_tracks &&
		    db->c[i].t[number - 1].crc == crc && db->c[i].t[number - 1].confidence)
			conf += db->c[i].t[number - 1].confidence;
	return conf;
}

static enum sp_status scan_track(struct img_audio_rip *r, const struct img_ar_db *db,
				 const struct img_audio_track *t, int number, bool first,
				 bool last, int base, struct img_offset_scan *scan,
				 uint8_t *buf, struct sp_error *err)
{
	uint64_t total = (uint64_t)t->sectors * IMG_CD_SAMPLES;
	uint64_t from = first ? 5 * IMG_CD_SAMPLES : 1;
	uint64_t to = last ? total - 5 * IMG_CD_SAMPLES : total;
	int64_t p0 = t->start * IMG_CD_SAMPLES + base - IMG_AR_SEARCH;   /* x_1 */
	uint8_t *head = NULL, *tail = NULL;
	uint32_t s = 0, w = 0;
	enum sp_status st = SP_FAILED;

	if (total < 10 * IMG_CD_SAMPLES || to <= from)
		return SP_OK;
	head = malloc((size_t)WIN * 4);
	tail = malloc((size_t)WIN * 4);
	if (!head || !tail) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	for (uint64_t m = from; m <= to; ) {
		size_t n = to - m + 1 > CHUNK ? CHUNK : (size_t)(to - m + 1);

		if (img_audio_rip_samples(r, p0 + (int64_t)m - 1, n, buf, err) != SP_OK)
			goto out;
		for (size_t i = 0; i < n; i++) {
			uint32_t x = word(buf + i * 4);

			s += x * (uint32_t)(m + i);
			w += x;
		}
		m += n;
	}
	if (img_audio_rip_samples(r, p0 + (int64_t)from - 1, WIN, head, err) != SP_OK ||
	    img_audio_rip_samples(r, p0 + (int64_t)to, WIN, tail, err) != SP_OK)
		goto out;
	for (int k = 0; k <= WIN; k++) {
		int conf = db_match(db, number, s);

		if (conf) {
			scan->confidence[k] += conf;
			scan->tracks[k]++;
		}
		if (k == WIN)
			break;
		s = s - w - (uint32_t)(from - 1) * word(head + k * 4) +
		    (uint32_t)to * word(tail + k * 4);
		w = w - word(head + k * 4) + word(tail + k * 4);
	}
	st = SP_OK;
out:
	free(head);
	free(tail);
	return st;
}

enum sp_status img_audio_offset_scan(struct img_audio_rip *r, const struct img_ar_db *db,
				     int base, const bool *pick, struct img_offset_scan *scan,
				     struct sp_error *err)
{
	int first = -1, last = -1, number = 0;
	uint8_t *buf = malloc((size_t)CHUNK * 4);
	enum sp_status st = SP_OK;

	if (!buf)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	memset(scan, 0, sizeof(*scan));
	for (int i = 0; i < r->n_tracks; i++)
		if (r->tracks[i].audio) {
			if (first < 0)
				first = i;
			last = i;
		}
	for (int i = 0; i < r->n_tracks && st == SP_OK; i++) {
		if (!r->tracks[i].audio)
			continue;
		number++;
		if (pick && !pick[i])
			continue;
		st = scan_track(r, db, &r->tracks[i], number, i == first, i == last, base,
				scan, buf, err);
	}
	free(buf);
	return st;
}

enum sp_status img_audio_rip_pressings(struct img_audio_rip *r, const struct img_ar_db *db,
				       struct sp_error *err)
{
	struct img_offset_scan *scan = malloc(sizeof(*scan));
	bool *pick = calloc((size_t)r->n_tracks, sizeof(*pick));
	enum sp_status st = SP_OK;

	if (!scan || !pick) {
		free(scan);
		free(pick);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	for (int i = 0; i < r->n_tracks; i++) {
		struct img_audio_track *t = &r->tracks[i];
		int best = -1;

		if (!t->ar_checked || !t->ar.in_db || t->ar.v1_confidence || t->ar.v2_confidence)
			continue;
		memset(pick, 0, (size_t)r->n_tracks * sizeof(*pick));
		pick[i] = true;
		if ((st = img_audio_offset_scan(r, db, r->o.offset, pick, scan, err)) != SP_OK)
			break;
		/* the match nearest the rip's own offset */
		for (int k = 0; k <= WIN; k++)
			if (scan->confidence[k] && (best < 0 ||
			    abs(k - IMG_AR_SEARCH) < abs(best - IMG_AR_SEARCH)))
				best = k;
		if (best >= 0 && best != IMG_AR_SEARCH) {
			t->pressing_found = true;
			t->pressing_offset = best - IMG_AR_SEARCH;
			t->pressing_confidence = scan->confidence[best];
		}
	}
	free(scan);
	free(pick);
	return st;
}
