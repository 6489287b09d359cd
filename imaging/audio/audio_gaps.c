/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_gaps.c - where each track's gap (INDEX 00) starts on a drive, from
 * the Q subchannel, as EAC's gap detection finds it.
 *
 * A drive's TOC gives only INDEX 01.  The Q subchannel of each sector
 * says which track and index it belongs to: READ CD with formatted Q
 * (sub-channel selection 010b) returns it after the sector's 2352 bytes.
 * The sector before a track's INDEX 01 tells whether the track has a gap
 * at all (it still belongs to the previous track if not); if it has one,
 * a binary search between the previous track's start and this one finds
 * the first sector with the new track number.  About 15 reads per gap.
 *
 * A Q frame of mode 2 or 3 (MCN, ISRC: about one sector in a hundred on
 * a real disc) tells no position: the sector is read again, then its
 * neighbour stands in for it.  The mode 2 frames are what the MCN is
 * read from when the drive's READ SUB-CHANNEL does not report it:
 * cdio_q_mcn() reads the Q of 100 sectors in a row, where the Red Book
 * puts at least one.  A drive that refuses READ CD with
 * subchannel data leaves the gaps unknown, as before.
 */
#include "config.h"

#include <string.h>

#include <cdio/cdio.h>
#include <cdio/mmc.h>
#include <cdio/mmc_ll_cmds.h>

#include "imaging/audio/audio_private.h"

#define Q_TRIES 3

static int from_bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0x0f);
}

/* Track and index of sector lsn from its Q subchannel; false if the
 * drive does not say. */
static bool q_position(CdIo_t *p, int64_t lsn, int *tno, int *index)
{
	uint8_t buf[IMG_CD_RAW + 16];

	for (int i = 0; i < 2 * Q_TRIES; i++) {
		int64_t at = i < Q_TRIES ? lsn : lsn + 1;
		const uint8_t *q = buf + IMG_CD_RAW;

		memset(buf, 0, sizeof(buf));
		if (mmc_read_cd(p, buf, (lsn_t)at, CDIO_MMC_READ_TYPE_CDDA, false, false, 0,
				true, false, 0, 2, (uint16_t)sizeof(buf), 1) != DRIVER_OP_SUCCESS)
			return false;
		if ((q[0] & 0x0f) != 1)
			continue;
		*tno = from_bcd(q[1]);
		*index = from_bcd(q[2]);
		return true;
	}
	return false;
}

bool cdio_q_mcn(struct cdio_source *s, int64_t from, int64_t to, char mcn[14])
{
	uint8_t buf[IMG_CD_RAW + 16];
	const uint8_t *q = buf + IMG_CD_RAW;

	if (to > from + 100)
		to = from + 100;
	for (int64_t lsn = from; lsn < to; lsn++) {
		memset(buf, 0, sizeof(buf));
		if (mmc_read_cd(s->cdio, buf, (lsn_t)lsn, CDIO_MMC_READ_TYPE_CDDA, false, false, 0,
				true, false, 0, 2, (uint16_t)sizeof(buf), 1) != DRIVER_OP_SUCCESS)
			return false;
		if ((q[0] & 0x0f) != 2)
			continue;
		for (int i = 0; i < 13; i++) {
			int d = (q[1 + i / 2] >> (i % 2 ? 0 : 4)) & 0x0f;

			if (d > 9)
				return false;
			mcn[i] = (char)('0' + d);
		}
		mcn[13] = '\0';
		return strspn(mcn, "0") != 13;
	}
	return false;
}

int cdio_find_gaps(struct cdio_source *s, struct cdio_toc *toc)
{
	CdIo_t *p = s->cdio;
	int found = 0;

	for (int i = 1; i < toc->n; i++) {
		struct cdio_toc_track *t = &toc->t[i];
		const struct cdio_toc_track *prev = &toc->t[i - 1];
		int64_t lo, hi;
		int tno, index;

		if (!t->audio || !prev->audio || t->session != prev->session ||
		    t->start - prev->start < 2)
			continue;
		if (!q_position(p, t->start - 1, &tno, &index))
			return found ? found : -1;
		if (tno != t->number) {
			t->gap_start = t->start;        /* no gap */
			continue;
		}
		/* the first sector numbered as this track: in (prev start, start) */
		lo = prev->start + 1;
		hi = t->start - 1;
		while (lo < hi) {
			int64_t mid = lo + (hi - lo) / 2;

			if (!q_position(p, mid, &tno, &index))
				return found ? found : -1;
			if (tno == t->number)
				hi = mid;
			else
				lo = mid + 1;
		}
		t->gap_start = lo;
		found++;
	}
	return found;
}
