/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * media_dvd.c - DVD media in the simulated recorder: DVD-R/RW (incremental,
 * DAO, the switch to restricted overwrite by FORMAT UNIT and back by
 * BLANK), DVD+R and DVD+R DL sessions, DVD+RW, DVD-RAM; READ DISC
 * STRUCTURE for DVD and BD (media IDs), READ FORMAT CAPACITIES and FORMAT
 * UNIT dispatch, and the DVD/BD TOC.
 */
#define _GNU_SOURCE
#include <string.h>

#include "mmcsim.h"

/* ---- TOC (formats 0 and 1), built from the tracks ---- */

int sim_dvd_read_toc(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	const struct sim_disc *d = &dev->disc;
	uint8_t r[4 + 8 * 101];
	int fmt = c->cdb[2] & 0x0f, len = 4, n = 0, last_ses = 0;
	int64_t end = sim_readable_end(d);

	memset(r, 0, sizeof(r));
	if (fmt != 0 && fmt != 1)
		return sim_sense(c, 5, 0x24, 0x00);
	if (end <= 0)
		return sim_sense(c, 5, 0x24, 0x00);
	if (d->media->kind != SIM_SEQ || d->profile == 0x13) {
		r[len + 1] = 0x14;
		r[len + 2] = 1;
		len += 8;
		n = 1;
		last_ses = 1;
	} else {
		for (int i = 0; i < d->n_tracks; i++) {
			const struct sim_track *t = &d->tracks[i];

			if (t->state != TRK_CLOSED)
				continue;
			if (fmt == 1 && t->session != sim_sessions_complete(d))
				continue;
			r[len + 1] = 0x14;
			r[len + 2] = (uint8_t)(i + 1);
			sim_put32(r + len + 4, (uint32_t)t->start);
			len += 8;
			n = i + 1;
			last_ses = t->session;
			if (fmt == 1)
				break;
		}
		if (!n)
			return sim_sense(c, 5, 0x24, 0x00);
	}
	if (fmt == 0) {
		r[len + 1] = 0x14;
		r[len + 2] = 0xaa;
		sim_put32(r + len + 4, (uint32_t)end);
		len += 8;
		r[2] = 1;
		r[3] = (uint8_t)n;
	} else {
		r[2] = 1;
		r[3] = (uint8_t)last_ses;
	}
	sim_put16(r, (uint32_t)len - 2);
	sim_reply(c, r, (uint32_t)len);
	return 0;
}

/* ---- READ DISC STRUCTURE ---- */

static void split_id(const char *id, char *manuf, size_t ml, char *type, size_t tl)
{
	const char *slash = strchr(id, '/');

	if (slash) {
		snprintf(manuf, ml, "%.*s", (int)(slash - id), id);
		snprintf(type, tl, "%s", slash + 1);
	} else {
		snprintf(manuf, ml, "%.6s", id);
		snprintf(type, tl, "%s", strlen(id) > 6 ? id + 6 : "");
	}
}

static int book_type(int profile)
{
	switch (profile) {
	case 0x12: return 1;
	case 0x11: case 0x15: return 2;
	case 0x13: case 0x14: return 3;
	case 0x1a: return 9;
	case 0x1b: return 10;
	case 0x2b: return 14;
	default: return 0;
	}
}

static int dvd_structure(struct sim_cmd *c, int fmt)
{
	const struct sim_disc *d = &c->dev->disc;
	static uint8_t r[4 + 2048];
	char manuf[16], type[16];
	int len;
	int p = d->profile;

	memset(r, 0, sizeof(r));
	split_id(d->media->media_id, manuf, sizeof(manuf), type, sizeof(type));
	switch (fmt) {
	case 0x00: {
		uint8_t *q = r + 4;

		len = 4 + 2048;
		q[0] = (uint8_t)(book_type(p) << 4 | 1);
		q[1] = 0x0f;
		q[2] = (uint8_t)(((d->media->layers - 1) << 5) |
				 (d->media->kind == SIM_ROM ? 1 : d->media->erasable ? 4 : 2));
		sim_put32(q + 4, 0x30000);
		sim_put32(q + 8, (uint32_t)(0x30000 + d->capacity - 1));
		if (p == 0x1a || p == 0x1b || p == 0x2b) {
			memcpy(q + 19, manuf, strlen(manuf) < 8 ? strlen(manuf) : 8);
			memcpy(q + 27, type, strlen(type) < 3 ? strlen(type) : 3);
		}
		break;
	}
	case 0x0e:
		if (p != 0x11 && p != 0x13 && p != 0x14 && p != 0x15)
			return sim_sense(c, 5, 0x24, 0x00);
		len = 4 + 64;
		r[4 + 16] = 3;
		memcpy(r + 4 + 17, manuf, strlen(manuf) < 6 ? strlen(manuf) : 6);
		r[4 + 24] = 4;
		memcpy(r + 4 + 25, type, strlen(type) < 6 ? strlen(type) : 6);
		break;
	case 0x11:
		if (p != 0x1a && p != 0x1b && p != 0x2b)
			return sim_sense(c, 5, 0x24, 0x00);
		len = 4 + 256;
		memcpy(r + 4 + 19, manuf, strlen(manuf) < 8 ? strlen(manuf) : 8);
		memcpy(r + 4 + 27, type, strlen(type) < 3 ? strlen(type) : 3);
		r[4 + 30] = 1;
		break;
	case 0xff: {
		static const uint8_t list[] = { 0x00, 0x0e, 0x11, 0xff };

		len = 4;
		for (size_t i = 0; i < sizeof(list); i++) {
			r[len] = list[i];
			r[len + 1] = 0x40;
			sim_put16(r + len + 2, list[i] == 0 ? 2048 : 256);
			len += 4;
		}
		break;
	}
	default:
		return sim_sense(c, 5, 0x24, 0x00);
	}
	sim_put16(r, (uint32_t)len - 2);
	sim_reply(c, r, (uint32_t)len);
	return 0;
}

static int bd_structure(struct sim_cmd *c, int fmt)
{
	const struct sim_disc *d = &c->dev->disc;
	uint8_t r[4 + 112];
	char manuf[16], type[16];
	int len;

	memset(r, 0, sizeof(r));
	split_id(d->media->media_id, manuf, sizeof(manuf), type, sizeof(type));
	switch (fmt) {
	case 0x00:
		if (!d->media->media_id[0])
			return sim_sense(c, 5, 0x24, 0x00);     /* pressed: no DI */
		len = 4 + 112;
		r[4] = 'D';
		r[5] = 'I';
		r[4 + 8] = (uint8_t)(d->profile == 0x40 ? 'R' : 'W');
		memcpy(r + 4 + 100, manuf, strlen(manuf) < 6 ? strlen(manuf) : 6);
		memcpy(r + 4 + 106, type, strlen(type) < 3 ? strlen(type) : 3);
		r[4 + 111] = 1;
		break;
	case 0x0a:
		if (d->profile != 0x41 && d->profile != 0x43)
			return sim_sense(c, 5, 0x24, 0x00);
		len = 4 + 12;
		sim_put32(r + 4 + 4, (uint32_t)d->spare);      /* free */
		sim_put32(r + 4 + 8, (uint32_t)d->spare);      /* allocated */
		break;
	case 0xff:
		len = 12;
		r[4] = 0x00;
		r[5] = 0x40;
		sim_put16(r + 6, 112);
		r[8] = 0x0a;
		r[9] = 0x40;
		sim_put16(r + 10, 12);
		break;
	default:
		return sim_sense(c, 5, 0x24, 0x00);
	}
	sim_put16(r, (uint32_t)len - 2);
	sim_reply(c, r, (uint32_t)len);
	return 0;
}

int sim_read_disc_structure(struct sim_cmd *c)
{
	const struct sim_disc *d = &c->dev->disc;
	int media_type = c->cdb[1] & 0x0f, fmt = c->cdb[7];

	if (media_type == 1) {
		if (d->media->family != SIM_BD)
			return sim_sense(c, 5, 0x30, 0x02);
		return bd_structure(c, fmt);
	}
	if (media_type != 0)
		return sim_sense(c, 5, 0x24, 0x00);
	if (d->media->family == SIM_BD && fmt < 0xc0)
		return bd_structure(c, fmt);
	if (d->media->family != SIM_DVD)
		return sim_sense(c, 5, 0x30, 0x02);     /* cannot read medium */
	return dvd_structure(c, fmt);
}

/* ---- READ FORMAT CAPACITIES ---- */

static void cap_descr(uint8_t *r, int *len, int64_t blocks, int type, uint32_t param)
{
	sim_put32(r + *len, (uint32_t)blocks);
	r[*len + 4] = (uint8_t)(type << 2);
	sim_put24(r + *len + 5, param);
	*len += 8;
}

int sim_dvd_format_caps(struct sim_dev *dev, uint8_t *r, int *len)
{
	const struct sim_disc *d = &dev->disc;
	int64_t raw = d->media->capacity;

	switch (d->profile) {
	case 0x1a:
		cap_descr(r, len, raw, 0x26, 0);
		return 0;
	case 0x13:
	case 0x14:
		cap_descr(r, len, raw, 0x00, 16);
		cap_descr(r, len, raw, 0x10, 16);
		cap_descr(r, len, raw, 0x15, 16);
		if (d->profile == 0x13)
			cap_descr(r, len, 0, 0x13, 16);
		return 0;
	case 0x12:
		cap_descr(r, len, 2236704, 0x00, 0);    /* default spare */
		cap_descr(r, len, raw, 0x00, 0);        /* no spare */
		cap_descr(r, len, 2236704 - 20480, 0x01, 0);
		return 0;
	default:
		return -1;
	}
}

int sim_read_format_capacities(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	const struct sim_disc *d = &dev->disc;
	uint8_t r[4 + 8 * 12];
	int len = 12, rc;

	memset(r, 0, sizeof(r));
	/* current/maximum capacity descriptor */
	if (d->media->kind == SIM_ROM) {
		sim_put32(r + 4, (uint32_t)d->capacity);
		r[8] = 2;
	} else if (sim_is_overwrite(dev) || (d->profile == 0x41 && d->formatted)) {
		sim_put32(r + 4, (uint32_t)(d->formatted ? d->capacity : d->media->capacity));
		r[8] = d->formatted ? 2 : 1;
	} else {
		sim_put32(r + 4, (uint32_t)d->media->capacity);
		r[8] = 1;
	}
	sim_put24(r + 9, SIM_SECTOR);
	if (d->media->family == SIM_BD)
		rc = sim_bd_format_caps(dev, r, &len);
	else if (d->media->family == SIM_DVD)
		rc = sim_dvd_format_caps(dev, r, &len);
	else
		rc = -1;
	(void)rc;
	r[3] = (uint8_t)(len - 4);
	sim_reply(c, r, (uint32_t)len);
	return 0;
}

/* ---- FORMAT UNIT ---- */

int sim_dvd_format(struct sim_cmd *c, int type, int64_t blocks)
{
	struct sim_dev *dev = c->dev;
	struct sim_disc *d = &dev->disc;
	int64_t raw = d->media->capacity;

	switch (d->profile) {
	case 0x1a:
		if (type != 0x26)
			return sim_sense(c, 5, 0x26, 0x00);
		if (!d->formatted) {
			sim_discard(dev);
			d->formatted = true;
		}
		d->capacity = raw;
		sim_clock_add(dev, 60.0);
		return 0;
	case 0x13:
	case 0x14:
		if (type == 0x13) {
			if (d->profile != 0x13)
				return sim_sense(c, 5, 0x26, 0x00);
			return 0;       /* quick grow: nothing to grow */
		}
		if (type != 0x00 && type != 0x10 && type != 0x15)
			return sim_sense(c, 5, 0x26, 0x00);
		sim_discard(dev);
		sim_disc_fresh(d, sim_media_find("dvd-rw-ro"));
		d->capacity = raw;
		sim_clock_add(dev, type == 0x15 ? 60.0 : raw * 2048.0 / (1385e3 * 2));
		return 0;
	case 0x12:
		if (type != 0x00 && type != 0x01)
			return sim_sense(c, 5, 0x26, 0x00);
		if (blocks <= 0 || blocks > raw)
			return sim_sense(c, 5, 0x26, 0x00);
		if (type == 0x00)
			sim_discard(dev);
		d->capacity = blocks;
		d->spare = raw - blocks;
		d->formatted = true;
		sim_clock_add(dev, type == 0x00 ? 1800.0 : 120.0);
		return 0;
	default:
		return sim_sense(c, 5, 0x30, 0x06);     /* cannot format medium */
	}
}

int sim_format_unit(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	const uint8_t *p = c->buf;
	int type, sub, rc;
	int64_t blocks;
	bool immed;

	if (!(c->cdb[1] & 0x10) || c->len < 12)
		return sim_sense(c, 5, 0x24, 0x00);     /* FmtData required */
	if (dev->locked && 0)
		return 0;
	immed = (p[1] & 0x02) != 0;
	blocks = sim_get32(p + 4);
	type = p[8] >> 2;
	sub = p[8] & 3;
	if (dev->disc.media->kind == SIM_ROM)
		return sim_sense(c, 5, 0x30, 0x06);
	if (dev->disc.media->family == SIM_BD)
		rc = sim_bd_format(c, type, sub, blocks);
	else if (dev->disc.media->family == SIM_DVD)
		rc = sim_dvd_format(c, type, blocks);
	else
		rc = sim_sense(c, 5, 0x30, 0x06);
	if (rc < 0)
		return rc;
	sim_log(dev, "formatted: type %02xh, %lld blocks -> profile %02xh, capacity %lld",
		type, (long long)blocks, dev->disc.profile, (long long)dev->disc.capacity);
	sim_disc_save(dev);
	/* DVD+RW formats in the background and takes writes meanwhile */
	if (immed && type != 0x26)
		sim_start_busy(dev, 0x04, 2);   /* format in progress */
	return 0;
}

/* ---- BLANK on DVD-RW ---- */

int sim_dvd_blank(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	struct sim_disc *d = &dev->disc;
	int type = c->cdb[1] & 7;

	if (d->profile != 0x13 && d->profile != 0x14)
		return sim_sense(c, 5, 0x30, 0x00);
	if (type != 0 && type != 1)
		return sim_sense(c, 5, 0x24, 0x00);
	sim_discard(dev);
	sim_disc_fresh(d, sim_media_find("dvd-rw"));
	d->quick_blanked = type == 1 && d->profile == 0x14;
	sim_clock_add(dev, type == 0 ? d->capacity * 2048.0 / (1385e3 * 2) : 90.0);
	sim_log(dev, "DVD-RW blanked (%s)", type == 0 ? "full" : "minimal");
	sim_disc_save(dev);
	if (c->cdb[1] & 0x10)
		sim_start_busy(dev, 0x07, 2);
	return 0;
}

/* ---- closing DVD+R sessions ---- */

int sim_dvd_close(struct sim_cmd *c, int func)
{
	struct sim_dev *dev = c->dev;

	/* 010b close session (appendable), 101b/110b finalize */
	if (func == 2) {
		sim_close_session_plus(dev, false);
		return 0;
	}
	if (func == 5 || func == 6 || func == 3) {
		sim_close_session_plus(dev, true);
		return 0;
	}
	return sim_sense(c, 5, 0x24, 0x00);
}
