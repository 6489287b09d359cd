/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * media_bd.c - Blu-ray media in the simulated recorder: BD-R in Sequential
 * Recording Mode, unformatted (no spare areas, no defect management) or
 * formatted with spare areas (defect management); BD-RE formats with and
 * without spare; sessions on BD-R.  POW is refused (not modelled).
 */
#define _GNU_SOURCE
#include <string.h>

#include "mmcsim.h"

/* Spare sizes a drive offers: default (256 MiB), large, small. */
static const int64_t bd_spares[] = { 393216, 655360, 131072 };

static void descr(uint8_t *r, int *len, int64_t blocks, int type, uint32_t param)
{
	sim_put32(r + *len, (uint32_t)blocks);
	r[*len + 4] = (uint8_t)(type << 2);
	sim_put24(r + *len + 5, param);
	*len += 8;
}

int sim_bd_format_caps(struct sim_dev *dev, uint8_t *r, int *len)
{
	const struct sim_disc *d = &dev->disc;
	int64_t raw = d->media->capacity;

	if (d->profile == 0x43) {
		descr(r, len, raw - bd_spares[0], 0x00, (uint32_t)(bd_spares[0] / 32));
		for (int i = 0; i < 3; i++)
			descr(r, len, raw - bd_spares[i], 0x30, (uint32_t)(bd_spares[i] / 32));
		descr(r, len, raw, 0x31, 0x800);
		return 0;
	}
	if (d->profile == 0x41) {
		/* formatting is possible only while nothing is written */
		if (sim_readable_end(d) > 0)
			return 0;
		descr(r, len, raw - bd_spares[0], 0x00, (uint32_t)(bd_spares[0] / 32));
		for (int i = 0; i < 3; i++)
			descr(r, len, raw - bd_spares[i], 0x32, (uint32_t)(bd_spares[i] / 32));
		return 0;
	}
	return -1;
}

int sim_bd_format(struct sim_cmd *c, int type, int sub, int64_t blocks)
{
	struct sim_dev *dev = c->dev;
	struct sim_disc *d = &dev->disc;
	int64_t raw = d->media->capacity;

	if (d->profile == 0x43) {
		if (type == 0x31) {
			blocks = raw;
		} else if (type == 0x00 || type == 0x30) {
			if (blocks <= 0 || blocks > raw - bd_spares[2] ||
			    blocks < raw - bd_spares[1])
				return sim_sense(c, 5, 0x26, 0x00);
			blocks = blocks / 32 * 32;
		} else {
			return sim_sense(c, 5, 0x26, 0x00);
		}
		sim_discard(dev);
		d->formatted = true;
		d->capacity = blocks;
		d->spare = raw - blocks;
		d->high_water = 0;
		/* sub-type 2 is a full certification: hours on a real drive */
		sim_clock_add(dev, type == 0x30 && sub == 2 ? 3600.0 : 60.0);
		return 0;
	}
	if (d->profile == 0x41) {
		if (sim_readable_end(d) > 0 || d->n_tracks != 1)
			return sim_sense(c, 5, 0x30, 0x06);
		if (type != 0x00 && type != 0x32)
			return sim_sense(c, 5, 0x26, 0x00);
		if (sub != 1)   /* SRM+POW and RRM: not this drive */
			return sim_sense(c, 5, 0x26, 0x00);
		if (blocks <= 0 || blocks > raw - bd_spares[2] || blocks < raw - bd_spares[1])
			return sim_sense(c, 5, 0x26, 0x00);
		blocks = blocks / 32 * 32;
		d->formatted = true;
		d->capacity = blocks;
		d->spare = raw - blocks;
		sim_clock_add(dev, 30.0);
		return 0;
	}
	return sim_sense(c, 5, 0x30, 0x06);
}

int sim_bd_close(struct sim_cmd *c, int func)
{
	struct sim_dev *dev = c->dev;

	if (dev->disc.profile != 0x41)
		return 0;
	/* 010b close session, 110b finalize the disc */
	if (func == 2) {
		sim_close_session_plus(dev, false);
		return 0;
	}
	if (func == 6 || func == 3 || func == 5) {
		sim_close_session_plus(dev, true);
		return 0;
	}
	return sim_sense(c, 5, 0x24, 0x00);
}
