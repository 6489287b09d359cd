/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_discid.c - the identifiers of an audio CD computed from its table
 * of contents: the MusicBrainz disc ID (through libdiscid), the freedb /
 * CDDB ID and the two AccurateRip disc IDs with the name of the disc's
 * dBAR file.
 *
 * Data tracks count differently in each:
 *  - freedb counts every track, and the real lead-out;
 *  - AccurateRip counts only the audio tracks, numbered from 1 in disc
 *    order, and the real lead-out (numbered audio tracks + 1);
 *  - MusicBrainz counts every track of a mixed-mode CD (data track 1), but
 *    on an enhanced CD (audio, then a data track in a second session)
 *    stops at the last audio track, whose end is the data track's start
 *    less the 11,400 sectors of lead-out, lead-in and pregap between the
 *    sessions.  That is what libdiscid's own discid_read() does.
 * Addresses below are LSNs (LBA - 150); freedb and MusicBrainz count LBAs.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <discid/discid.h>

#include "imaging/audio/audio.h"

#define SESSION_GAP 11400           /* lead-out, lead-in, pregap: 2:32:00 */

static uint32_t digit_sum(int64_t v)
{
	uint32_t s = 0;

	for (; v > 0; v /= 10)
		s += (uint32_t)(v % 10);
	return s;
}

static uint32_t freedb_id(const struct img_cd_toc_entry *t, int n, int64_t leadout)
{
	uint32_t sum = 0, seconds;

	for (int i = 0; i < n; i++)
		sum += digit_sum((t[i].start + 150) / IMG_CD_FPS);
	seconds = (uint32_t)((leadout + 150) / IMG_CD_FPS - (t[0].start + 150) / IMG_CD_FPS);
	return (sum % 255) << 24 | (seconds & 0xffff) << 8 | (uint32_t)n;
}

static enum sp_status musicbrainz_id(const struct img_cd_toc_entry *t, int n,
				     int64_t leadout, bool enhanced, char *out,
				     size_t len, struct sp_error *err)
{
	int offsets[100] = { 0 }, last = n;
	DiscId *d = discid_new();

	if (!d)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (enhanced) {
		last = n - 1;
		leadout = t[n - 1].start - SESSION_GAP;
	}
	offsets[0] = (int)(leadout + 150);
	for (int i = 0; i < last; i++)
		offsets[i + 1] = (int)(t[i].start + 150);
	if (!discid_put(d, t[0].number, t[0].number + last - 1, offsets)) {
		sp_error_set(err, SPE_FORMAT, "libdiscid refuses the table of contents");
		sp_error_detail(err, "libdiscid: %s", discid_get_error_msg(d));
		discid_free(d);
		return SP_FAILED;
	}
	snprintf(out, len, "%s", discid_get_id(d));
	discid_free(d);
	return SP_OK;
}

enum sp_status img_disc_ids_compute(const struct img_cd_toc_entry *t, int n,
				    int64_t leadout, struct img_disc_ids *ids,
				    struct sp_error *err)
{
	uint32_t id1 = 0, id2 = 0;
	int audio = 0;
	bool enhanced;

	memset(ids, 0, sizeof(*ids));
	if (n < 1 || n > 99 || t[0].number < 1 || t[0].number + n - 1 > 99)
		return sp_error_set(err, SPE_FORMAT, "a CD holds 1 to 99 tracks, not %d", n);
	for (int i = 0; i < n; i++)
		if (t[i].start < 0 || t[i].start >= leadout ||
		    (i && t[i].start <= t[i - 1].start))
			return sp_error_set(err, SPE_FORMAT, "track %d starts at sector %lld, "
					    "out of order in the table of contents",
					    t[i].number, (long long)t[i].start);
	enhanced = n > 1 && !t[n - 1].audio && t[n - 2].audio &&
		   t[n - 1].session > t[n - 2].session &&
		   t[n - 1].start - SESSION_GAP > t[n - 2].start;
	ids->enhanced = enhanced;
	ids->mixed = !t[0].audio;
	ids->freedb = freedb_id(t, n, leadout);
	for (int i = 0; i < n; i++) {
		if (!t[i].audio)
			continue;
		audio++;
		id1 += (uint32_t)t[i].start;
		id2 += (uint32_t)(t[i].start > 0 ? t[i].start : 1) * (uint32_t)audio;
	}
	id1 += (uint32_t)leadout;
	id2 += (uint32_t)leadout * (uint32_t)(audio + 1);
	ids->ar_id1 = id1;
	ids->ar_id2 = id2;
	ids->ar_tracks = audio;
	snprintf(ids->accuraterip, sizeof(ids->accuraterip), "%03d-%08x-%08x-%08x",
		 audio, id1, id2, ids->freedb);
	snprintf(ids->accuraterip_url, sizeof(ids->accuraterip_url),
		 "http://www.accuraterip.com/accuraterip/%x/%x/%x/dBAR-%s.bin",
		 id1 & 0xf, id1 >> 4 & 0xf, id1 >> 8 & 0xf, ids->accuraterip);
	if (!audio)
		return sp_error_set(err, SPE_MEDIUM, "the disc holds no audio tracks");
	return musicbrainz_id(t, n, leadout, enhanced, ids->musicbrainz,
			      sizeof(ids->musicbrainz), err);
}
