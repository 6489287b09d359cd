/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * media_cd.c - CD-R, CD-RW and CD-ROM in the simulated recorder: the TOC
 * in formats 0, 1 and 2 (full TOC with A0/A1/A2/B0 points), the ATIP,
 * SAO cue sheets, TAO run-out blocks, BLANK and READ CD (with the formatted
 * Q subchannel: track, INDEX 00 in a pregap and INDEX 01 after it).
 *
 * Layout as a recorder makes it: a TAO track ends in two unreadable
 * run-out blocks (reads there fail with 05/64/00, as libburn expects) and
 * the next track in the session starts after a 150-sector pregap; a new
 * session starts 11400 sectors after the first session's lead-out and 6900
 * after later ones (lead-out, lead-in, pregap).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "mmcsim.h"

#define ATIP_LEADIN_M 97
#define ATIP_LEADIN_S 26
#define ATIP_LEADIN_F 66

/* Lead-out start of the last closed session, or -1. */
int64_t sim_cd_leadout(const struct sim_disc *d)
{
	int64_t end = -1;

	for (int i = 0; i < d->n_tracks; i++) {
		const struct sim_track *t = &d->tracks[i];

		if (t->state == TRK_CLOSED && t->start + t->size + t->runout > end)
			end = t->start + t->size + t->runout;
	}
	return end;
}

int64_t sim_cd_next_session_start(const struct sim_disc *d)
{
	int64_t lo = sim_cd_leadout(d);
	int last = 0;

	if (lo < 0)
		return 0;
	for (int i = 0; i < d->n_tracks; i++)
		if (d->tracks[i].state == TRK_CLOSED && d->tracks[i].session > last)
			last = d->tracks[i].session;
	return lo + (last <= 1 ? 11400 : 6900);
}

/* Close a TAO track (t), or lay out the SAO session from the cue sheet
 * (t == NULL) once its data has been written. */
void sim_cd_close_track(struct sim_dev *dev, struct sim_track *t)
{
	struct sim_disc *d = &dev->disc;
	struct sim_track *open;
	int64_t starts[100], leadout = -1;
	int first = 0, last = 0;
	bool audio[100];

	if (t) {
		if (dev->write_type == 1)
			t->runout = 2;
		return;
	}
	memset(starts, 0xff, sizeof(starts));
	for (int i = 0; i < dev->n_cue; i++) {
		const struct sim_cue_entry *e = &dev->cue[i];
		int64_t lba = sim_msf_to_lba(e->m, e->s, e->f);

		if (e->tno == 0xaa) {
			leadout = lba;
		} else if (e->tno >= 1 && e->tno <= 99 && e->index == 1) {
			starts[e->tno] = lba;
			audio[e->tno] = !(e->ctl_adr & 0x40);
			if (!first)
				first = e->tno;
			last = e->tno;
		}
	}
	if (!first || leadout < 0)
		return;
	/* ISRCs: two entries of ADR 3 per track, six ASCII characters each */
	for (int i = 0; i + 1 < dev->n_cue; i++) {
		const struct sim_cue_entry *a = &dev->cue[i], *b = &dev->cue[i + 1];

		if ((a->ctl_adr & 0x0f) == 3 && (b->ctl_adr & 0x0f) == 3 && a->tno == b->tno &&
		    a->tno >= 1 && a->tno <= SIM_MAX_TRACKS) {
			const uint8_t x[12] = { a->index, a->form, a->scms, a->m, a->s, a->f,
						b->index, b->form, b->scms, b->m, b->s, b->f };

			memcpy(d->isrc[a->tno], x, 12);
			d->isrc[a->tno][12] = '\0';
			i++;
		}
		/* the MCN: two entries of ADR 2, seven then six characters */
		if ((a->ctl_adr & 0x0f) == 2 && (b->ctl_adr & 0x0f) == 2) {
			const uint8_t x[13] = { a->tno, a->index, a->form, a->scms, a->m, a->s,
						a->f, b->tno, b->index, b->form, b->scms, b->m,
						b->s };

			memcpy(d->mcn, x, 13);
			d->mcn[13] = '\0';
			i++;
		}
	}
	open = sim_open_track(d);
	if (open)
		d->n_tracks--;
	for (int n = first; n <= last && d->n_tracks < SIM_MAX_TRACKS; n++) {
		struct sim_track *nt = &d->tracks[d->n_tracks++];
		int64_t end = n < last ? starts[n + 1] : leadout;

		/* the next track's pregap belongs to the gap, not the track */
		if (n < last)
			for (int i = 0; i < dev->n_cue; i++)
				if (dev->cue[i].tno == n + 1 && dev->cue[i].index == 0)
					end = sim_msf_to_lba(dev->cue[i].m, dev->cue[i].s,
							     dev->cue[i].f);
		memset(nt, 0, sizeof(*nt));
		nt->start = starts[n];
		nt->size = nt->written = end - starts[n];
		nt->session = d->n_sessions;
		nt->state = TRK_CLOSED;
		nt->audio = audio[n];
	}
	if (dev->multi_session == 3)
		d->n_sessions++;
	else
		d->finalized = true;
	if (!d->finalized)
		sim_add_open_track(dev);
	sim_log(dev, "SAO session %d laid out: tracks %d-%d, lead-out %lld%s",
		d->n_sessions, first, last, (long long)leadout,
		d->finalized ? ", disc closed" : "");
	sim_disc_save(dev);
}

/* The cue sheet as the drive took it, for tests to grep: each track's
 * index points ("cue track 2 index 0 at 300 ctl 0"), the MCN and ISRCs
 * (MMC: ADR 2 and 3 entries, 7 + 6 and 6 + 6 characters). */
static void log_cue(struct sim_dev *dev)
{
	char text[16];
	size_t at = 0;

	for (int i = 0; i < dev->n_cue; i++) {
		const struct sim_cue_entry *e = &dev->cue[i];
		int adr = e->ctl_adr & 15;

		if (adr == 1) {
			sim_log(dev, "cue track %d index %d at %lld ctl %x form %02x",
				e->tno == 0xaa ? 170 : e->tno, e->index,
				(long long)sim_msf_to_lba(e->m, e->s, e->f), e->ctl_adr >> 4,
				e->form);
			continue;
		}
		if (adr != 2 && adr != 3)
			continue;
		/* MCN: bytes 1-7 then 1-6; ISRC: bytes 2-7 twice */
		{
			const uint8_t b[8] = { e->ctl_adr, e->tno, e->index, e->form,
					       e->scms, e->m, e->s, e->f };
			int from = adr == 2 ? 1 : 2, to = adr == 2 && at ? 7 : 8;

			for (int k = from; k < to && at < sizeof(text) - 1; k++)
				text[at++] = (char)b[k];
		}
		if (at >= 12) {
			text[at] = '\0';
			if (adr == 2)
				sim_log(dev, "cue MCN %s", text);
			else
				sim_log(dev, "cue track %d ISRC %s", e->tno, text);
			at = 0;
		}
	}
}

void sim_cd_leadin_text(struct sim_dev *dev, const uint8_t *block)
{
	static uint8_t packs[256][18];
	static int n, done;
	char line[160];

	if (done)
		return;
	for (int k = 0; k < 4; k++) {
		uint8_t p[18];
		uint32_t acc = 0;
		int bits = 0, o = 0;

		/* 24 symbols of 6 bits (R-W) make an 18-byte pack */
		for (int b = 0; b < 24; b++) {
			acc = acc << 6 | (block[24 * k + b] & 0x3f);
			bits += 6;
			while (bits >= 8) {
				p[o++] = (uint8_t)(acc >> (bits - 8));
				bits -= 8;
			}
		}

		if (p[0] < 0x80 || p[0] > 0x8f)
			continue;
		if (n && p[2] == packs[0][2]) {
			done = 1;       /* the cycle repeats: log it */
			break;
		}
		if (n < 256)
			memcpy(packs[n++], p, 18);
	}
	if (!done)
		return;
	for (int type = 0x80; type <= 0x81; type++) {
		int track = -1;
		size_t at = 0;

		for (int i = 0; i < n; i++) {
			if (packs[i][0] != type)
				continue;
			if (track < 0)
				track = packs[i][1] & 0x7f;
			for (int b = 4; b < 16; b++) {
				if (packs[i][b] == 0) {
					line[at] = '\0';
					if (at)
						sim_log(dev, "cdtext %02x track %d: %s", type, track,
							line);
					track++;
					at = 0;
				} else if (at < sizeof(line) - 1) {
					line[at++] = (char)packs[i][b];
				}
			}
		}
	}
}

int sim_cd_send_cue(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	uint32_t n = sim_get24(c->cdb + 6) / 8;

	if (dev->disc.media->kind != SIM_SEQ || dev->write_type != 2)
		return sim_sense(c, 5, 0x2c, 0x00);
	if (n > 256 || c->len < n * 8)
		return sim_sense(c, 5, 0x24, 0x00);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = c->buf + 8 * i;

		dev->cue[i] = (struct sim_cue_entry){ p[0], p[1], p[2], p[3], p[4],
						       p[5], p[6], p[7] };
	}
	dev->n_cue = (int)n;
	dev->sao_armed = true;
	dev->disc.n_cdtext = 0;
	dev->cdtext_done = false;
	dev->test_nwa = INT64_MIN;
	sim_log(dev, "cue sheet with %u entries", n);
	log_cue(dev);
	return 0;
}

uint32_t sim_get24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | sim_get16(p + 1);
}

/* ---- READ TOC/PMA/ATIP ---- */

static int session_bounds(const struct sim_disc *d, int s, int *first, int *last)
{
	*first = *last = 0;
	for (int i = 0; i < d->n_tracks; i++)
		if (d->tracks[i].session == s && d->tracks[i].state == TRK_CLOSED) {
			if (!*first)
				*first = i + 1;
			*last = i + 1;
		}
	return *first;
}

static int64_t session_leadout(const struct sim_disc *d, int s)
{
	int64_t end = 0;

	for (int i = 0; i < d->n_tracks; i++) {
		const struct sim_track *t = &d->tracks[i];

		if (t->session == s && t->state == TRK_CLOSED)
			end = t->start + t->size + t->runout;
	}
	return end;
}

static void put_addr(uint8_t *p, int64_t lba, bool msf)
{
	if (msf) {
		p[0] = 0;
		sim_lba_to_msf(lba, &p[1], &p[2], &p[3]);
	} else {
		sim_put32(p, (uint32_t)lba);
	}
}

static int closed_sessions(const struct sim_disc *d)
{
	int n = 0;

	for (int i = 0; i < d->n_tracks; i++)
		if (d->tracks[i].state == TRK_CLOSED && d->tracks[i].session > n)
			n = d->tracks[i].session;
	return n;
}

static int toc_format0(struct sim_cmd *c, const struct sim_disc *d, bool msf)
{
	uint8_t r[4 + 8 * 101];
	int len = 4, last_ses = closed_sessions(d), first = 0, last = 0;
	int start = c->cdb[6];

	memset(r, 0, sizeof(r));
	for (int i = 0; i < d->n_tracks; i++) {
		const struct sim_track *t = &d->tracks[i];

		if (t->state != TRK_CLOSED)
			continue;
		if (!first)
			first = i + 1;
		last = i + 1;
		if (i + 1 < start)
			continue;
		r[len + 1] = (uint8_t)(0x10 | (t->audio ? 0x00 : 0x04));
		r[len + 2] = (uint8_t)(i + 1);
		put_addr(r + len + 4, t->start, msf);
		len += 8;
	}
	if (!last_ses)
		return sim_sense(c, 5, 0x24, 0x00);
	r[len + 1] = 0x14;
	r[len + 2] = 0xaa;
	put_addr(r + len + 4, session_leadout(d, last_ses), msf);
	len += 8;
	sim_put16(r, (uint32_t)len - 2);
	r[2] = (uint8_t)first;
	r[3] = (uint8_t)last;
	sim_reply(c, r, (uint32_t)len);
	return 0;
}

static int toc_format1(struct sim_cmd *c, const struct sim_disc *d, bool msf)
{
	uint8_t r[12];
	int last_ses = closed_sessions(d), f, l;

	if (!last_ses)
		return sim_sense(c, 5, 0x24, 0x00);
	memset(r, 0, sizeof(r));
	sim_put16(r, 10);
	r[2] = 1;
	r[3] = (uint8_t)last_ses;
	session_bounds(d, last_ses, &f, &l);
	r[5] = (uint8_t)(0x10 | (d->tracks[f - 1].audio ? 0 : 4));
	r[6] = (uint8_t)f;
	put_addr(r + 8, d->tracks[f - 1].start, msf);
	sim_reply(c, r, sizeof(r));
	return 0;
}

static uint8_t *full_entry(uint8_t *r, int *len, int ses, int ctl, int point)
{
	uint8_t *p = r + *len;

	memset(p, 0, 11);
	p[0] = (uint8_t)ses;
	p[1] = (uint8_t)(0x10 | ctl);
	p[3] = (uint8_t)point;
	*len += 11;
	return p;
}

static int toc_format2(struct sim_cmd *c, const struct sim_disc *d)
{
	static uint8_t r[4 + 11 * 140];
	int len = 4, last_ses = closed_sessions(d);

	if (!last_ses)
		return sim_sense(c, 5, 0x24, 0x00);
	memset(r, 0, sizeof(r));
	for (int s = 1; s <= last_ses; s++) {
		int f, l, ctl;
		uint8_t *p;

		if (!session_bounds(d, s, &f, &l))
			continue;
		ctl = d->tracks[f - 1].audio ? 0 : 4;
		p = full_entry(r, &len, s, ctl, 0xa0);
		p[8] = (uint8_t)f;
		p[9] = last_ses > 1 ? 0x20 : 0x00;
		p = full_entry(r, &len, s, ctl, 0xa1);
		p[8] = (uint8_t)l;
		p = full_entry(r, &len, s, ctl, 0xa2);
		sim_lba_to_msf(session_leadout(d, s), &p[8], &p[9], &p[10]);
		for (int t = f; t <= l; t++) {
			p = full_entry(r, &len, s, d->tracks[t - 1].audio ? 0 : 4, t);
			sim_lba_to_msf(d->tracks[t - 1].start, &p[8], &p[9], &p[10]);
		}
		if (s < d->n_sessions || !d->finalized) {
			/* B0: where the next session may start */
			int64_t next = session_leadout(d, s) + (s == 1 ? 11400 : 6900);

			if (s < last_ses || !d->finalized) {
				p = full_entry(r, &len, s, 0x05 & 0x0f, 0xb0);
				p[1] = 0x50;
				sim_lba_to_msf(next - 150, &p[4], &p[5], &p[6]);
				p[7] = 1;
				sim_lba_to_msf(d->capacity, &p[8], &p[9], &p[10]);
			}
		}
	}
	sim_put16(r, (uint32_t)len - 2);
	r[2] = 1;
	r[3] = (uint8_t)last_ses;
	sim_reply(c, r, (uint32_t)len);
	return 0;
}

static int toc_atip(struct sim_cmd *c, const struct sim_disc *d)
{
	uint8_t r[28];
	uint8_t m, s, f;

	if (d->media->kind == SIM_ROM)
		return sim_sense(c, 5, 0x24, 0x00);
	memset(r, 0, sizeof(r));
	sim_put16(r, 26);
	r[4] = 0x80 | 0x05;     /* indicative writing power */
	r[5] = 0x40;            /* unrestricted use */
	r[6] = (uint8_t)(0x80 | (d->media->erasable ? 0x40 : 0)); /* disc type */
	r[8] = ATIP_LEADIN_M;
	r[9] = d->media->erasable ? 15 : ATIP_LEADIN_S;
	r[10] = d->media->erasable ? 10 : ATIP_LEADIN_F;
	sim_lba_to_msf(d->capacity, &m, &s, &f);
	r[12] = m, r[13] = s, r[14] = f;
	sim_reply(c, r, sizeof(r));
	return 0;
}

/* Format 5: the CD-TEXT packs of the lead-in, as written. */
static int toc_cdtext(struct sim_cmd *c, const struct sim_disc *d)
{
	uint8_t r[4 + SIM_CDTEXT_MAX * 18];
	uint32_t len = 4 + (uint32_t)d->n_cdtext * 18;

	if (!d->n_cdtext)
		return sim_sense(c, 5, 0x24, 0x00);
	sim_put16(r, len - 2);
	r[2] = r[3] = 0;
	memcpy(r + 4, d->cdtext, (size_t)d->n_cdtext * 18);
	sim_reply(c, r, len);
	return 0;
}

/* READ SUB-CHANNEL: the MCN (format 2) from the cue sheet's, unless
 * MMCSIM_HIDE_MCN is set (a drive that does not report it, so that the
 * host must find it in the Q frames), the ISRC of a track (format 3), and
 * the current position (format 1) is the start. */
int sim_cd_read_subchannel(struct sim_cmd *c)
{
	const struct sim_disc *d = &c->dev->disc;
	int fmt = c->cdb[3], tno = c->cdb[6];
	uint8_t r[24];

	memset(r, 0, sizeof(r));
	r[1] = 0x15;            /* no audio status */
	if (!(c->cdb[2] & 0x40)) {      /* SUBQ off: the header only */
		sim_reply(c, r, 4);
		return 0;
	}
	if (fmt < 1 || fmt > 3)
		return sim_sense(c, 5, 0x24, 0x00);
	sim_put16(r + 2, fmt == 1 ? 12 : 20);
	r[4] = (uint8_t)fmt;
	if (fmt == 2 && d->mcn[0] && !getenv("MMCSIM_HIDE_MCN")) {
		r[8] = 0x80;    /* MCVal */
		memcpy(r + 9, d->mcn, 13);
	}
	if (fmt == 3) {
		if (tno < 1 || tno > SIM_MAX_TRACKS)
			return sim_sense(c, 5, 0x24, 0x00);
		r[5] = 0x03;
		r[6] = (uint8_t)tno;
		if (d->isrc[tno][0]) {
			r[8] = 0x80;    /* TCVal */
			memcpy(r + 9, d->isrc[tno], 12);
		}
	}
	sim_reply(c, r, fmt == 1 ? 16 : 24);
	return 0;
}

/* CD-TEXT in a lead-in written by the host (96-byte blocks of R-W
 * subchannel: four packs, each 18 bytes spread over 24 six-bit symbols),
 * repeated to fill the lead-in: the packs up to the first repeat. */
void sim_cd_leadin_cdtext(struct sim_dev *dev, const uint8_t *block)
{
	struct sim_disc *d = &dev->disc;

	for (int k = 0; k < 4 && !dev->cdtext_done; k++) {
		const uint8_t *s = block + 24 * k;
		uint8_t pack[18];

		for (int i = 0; i < 6; i++) {
			pack[3 * i] = (uint8_t)((s[4 * i] & 0x3f) << 2 | (s[4 * i + 1] & 0x30) >> 4);
			pack[3 * i + 1] = (uint8_t)((s[4 * i + 1] & 0x0f) << 4 | (s[4 * i + 2] & 0x3c) >> 2);
			pack[3 * i + 2] = (uint8_t)((s[4 * i + 2] & 0x03) << 6 | (s[4 * i + 3] & 0x3f));
		}
		if ((d->n_cdtext && !memcmp(pack, d->cdtext, 18)) || d->n_cdtext >= SIM_CDTEXT_MAX) {
			dev->cdtext_done = true;
			break;
		}
		memcpy(d->cdtext + 18 * d->n_cdtext++, pack, 18);
	}
}

int sim_cd_read_toc(struct sim_cmd *c)
{
	const struct sim_disc *d = &c->dev->disc;
	int fmt = c->cdb[2] & 0x0f;
	bool msf = (c->cdb[1] & 2) != 0;

	if (!fmt && (c->cdb[9] & 0xc0))
		fmt = c->cdb[9] >> 6;
	switch (fmt) {
	case 0: return toc_format0(c, d, msf);
	case 1: return toc_format1(c, d, msf);
	case 2: return toc_format2(c, d);
	case 4: return toc_atip(c, d);
	case 5: return toc_cdtext(c, d);
	default: return sim_sense(c, 5, 0x24, 0x00);
	}
}

/* ---- BLANK ---- */

int sim_cd_blank(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	struct sim_disc *d = &dev->disc;
	int type = c->cdb[1] & 7;

	if (!sim_is_cd(dev))
		return sim_dvd_blank(c);
	if (!d->media->erasable)
		return sim_sense(c, 5, 0x30, 0x00);     /* incompatible medium */
	if (type != 0 && type != 1)
		return sim_sense(c, 5, 0x24, 0x00);
	if (dev->test_write)
		return 0;
	sim_discard(dev);
	sim_disc_fresh(d, d->media);
	sim_clock_add(dev, type == 0 ? 1200.0 * 176 / (dev->write_kbps ? dev->write_kbps : 704)
				     : 60.0);
	sim_log(dev, "blanked (%s)", type == 0 ? "full" : "minimal");
	sim_disc_save(dev);
	if (c->cdb[1] & 0x10)
		sim_start_busy(dev, 0x07, 2);
	return 0;
}

/* ---- READ CD ---- */

/* The track whose pregap (INDEX 00, before its start) holds lba, which no
 * track holds; NULL if none does.  An SAO burn writes a track's pregap
 * with its own sectors; between TAO tracks lie run-out blocks and an
 * unwritten gap instead. */
const struct sim_track *sim_cd_pregap_track(const struct sim_disc *d, int64_t lba)
{
	const struct sim_track *next = NULL, *prev = NULL;

	for (int i = 0; i < d->n_tracks; i++) {
		const struct sim_track *t = &d->tracks[i];

		if (lba >= t->start && lba < t->start + t->size)
			return NULL;
		if (t->start > lba && (!next || t->start < next->start))
			next = t;
		if (t->start + t->size <= lba && (!prev || t->start > prev->start))
			prev = t;
	}
	if (!next || !prev || prev->runout || next->session != prev->session)
		return NULL;
	return next;
}

static uint8_t bcd(int v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

/* CRC-16 of a Q subchannel frame: CCITT polynomial, inverted. */
static uint16_t q_crc(const uint8_t *q)
{
	uint16_t crc = 0;

	for (int i = 0; i < 10; i++) {
		crc ^= (uint16_t)(q[i] << 8);
		for (int b = 0; b < 8; b++)
			crc = (uint16_t)(crc & 0x8000 ? crc << 1 ^ 0x1021 : crc << 1);
	}
	return (uint16_t)~crc;
}

/* The formatted Q subchannel (16 bytes) of lba, in track t (or its pregap
 * when lba is before t's start): mode 1 (position), or on a disc with an
 * MCN mode 2 in one frame of every 100 (Red Book: at least one in 100),
 * 13 BCD digits, zeros, then the absolute frame. */
static void q_subchannel(const struct sim_disc *d, const struct sim_track *t,
			 int64_t lba, uint8_t *q)
{
	int64_t rel = lba >= t->start ? lba - t->start : t->start - lba;
	uint8_t m, s, f;

	memset(q, 0, 16);
	if (d->mcn[0] && lba % 100 == 42) {
		q[0] = (uint8_t)((t->audio ? 0x00 : 0x40) | 0x02);
		for (int i = 0; i < 13; i++)
			q[1 + i / 2] |= (uint8_t)((d->mcn[i] - '0') << (i % 2 ? 0 : 4));
		sim_lba_to_msf(lba, &m, &s, &f);
		q[9] = bcd(f);
		sim_put16(q + 10, q_crc(q));
		return;
	}
	q[0] = (uint8_t)((t->audio ? 0x00 : 0x40) | 0x01);
	q[1] = bcd((int)(t - d->tracks) + 1);
	q[2] = lba >= t->start ? 1 : 0;
	q[3] = bcd((int)(rel / 4500));
	q[4] = bcd((int)(rel / 75 % 60));
	q[5] = bcd((int)(rel % 75));
	sim_lba_to_msf(lba, &m, &s, &f);
	q[7] = bcd(m);
	q[8] = bcd(s);
	q[9] = bcd(f);
	sim_put16(q + 10, q_crc(q));
}

int sim_cd_read_cd(struct sim_cmd *c)
{
	int64_t lba = sim_get32(c->cdb + 2);
	uint32_t n = sim_get24(c->cdb + 6);
	int type = (c->cdb[1] >> 2) & 7, flags = c->cdb[9];
	bool sub_q = (c->cdb[10] & 7) == 2;     /* formatted Q, 16 bytes */
	uint32_t bs = 0, at = 0;
	uint8_t raw[SIM_CD_RAW];

	if (n == 0)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct sim_track *t;
		uint8_t *out;
		uint32_t need;

		if (sim_check_readable(c, lba + i, 1) < 0)
			return -1;
		t = sim_track_at(&c->dev->disc, lba + i);
		if (!t)
			t = sim_cd_pregap_track(&c->dev->disc, lba + i);
		if ((type == 1 && !(t && t->audio)) || (type >= 2 && t && t->audio))
			return sim_sense_lba(c, 5, 0x64, 0x00, lba + i);   /* wrong sector type */
		if (t && t->audio) {
			bs = (flags & 0xf8 ? SIM_CD_RAW : 0) + (flags & 0x06 ? 294 : 0);
		} else {
			bs = (flags & 0x80 ? 12 : 0) + (flags & 0x20 ? 4 : 0) +
			     (flags & 0x10 ? SIM_SECTOR : 0) + (flags & 0x08 ? 288 : 0) +
			     (flags & 0x06 ? 294 : 0);
		}
		bs += sub_q ? 16 : 0;
		need = at + bs;
		if (c->len < need)
			return sim_sense(c, 5, 0x24, 0x00);
		out = c->buf + at;
		if (t && t->audio) {
			if (sim_read_data(c, lba + i, 1, raw) < 0 || sim_read_raw(c->dev, lba + i, raw) < 0)
				return -1;
			if (flags & 0xf8)
				memcpy(out, raw, SIM_CD_RAW);
		} else {
			if (sim_read_data(c, lba + i, 1, raw) < 0)
				return -1;
			if (flags & 0x80) {
				memset(out, 0xff, 12);
				out[0] = out[11] = 0;
				out += 12;
			}
			if (flags & 0x20) {
				sim_lba_to_msf(lba + i, &out[0], &out[1], &out[2]);
				out[3] = 1;
				out += 4;
			}
			if (flags & 0x10)
				memcpy(out, raw, SIM_SECTOR);
		}
		if (sub_q && t)
			q_subchannel(&c->dev->disc, t, lba + i, c->buf + need - 16);
		else if (sub_q)
			memset(c->buf + need - 16, 0, 16);
		at = need;
	}
	c->resid = c->len - at;
	return 0;
}
