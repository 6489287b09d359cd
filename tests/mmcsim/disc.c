/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disc.c - the disc model shared by all media of the simulated recorder:
 * the media table, tracks and sessions, READ DISC/TRACK INFORMATION,
 * RESERVE TRACK, WRITE and CLOSE TRACK/SESSION on sequential media, reads.
 *
 * The state file, faults and the clock are in state.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmcsim.h"

static const struct sim_media media_table[] = {
	/* name       prof  family  kind        eras  capacity  lay  1x    max  id */
	{ "cd-r",     0x09, SIM_CD, SIM_SEQ,    false, 359849,   1, 176.4, 48, "97m26s66f" },
	{ "cd-rw",    0x0a, SIM_CD, SIM_SEQ,    true,  359849,   1, 176.4, 24, "97m15s10f" },
	{ "dvd-r",    0x11, SIM_DVD, SIM_SEQ,   false, 2298496,  1, 1385, 16, "MMCSIMR01" },
	{ "dvd-rw",   0x14, SIM_DVD, SIM_SEQ,   true,  2298496,  1, 1385, 6,  "MMCSIMRW1" },
	{ "dvd-rw-ro", 0x13, SIM_DVD, SIM_OVERWRITE, true, 2298496, 1, 1385, 6, "MMCSIMRW1" },
	{ "dvd+r",    0x1b, SIM_DVD, SIM_SEQ,   false, 2295104,  1, 1385, 16, "MMCSIM/R01" },
	{ "dvd+r-dl", 0x2b, SIM_DVD, SIM_SEQ,   false, 4173824,  2, 1385, 8,  "MMCSIM/D01" },
	{ "dvd+rw",   0x1a, SIM_DVD, SIM_OVERWRITE, true, 2295104, 1, 1385, 8, "MMCSIM/W01" },
	{ "dvd-ram",  0x12, SIM_DVD, SIM_OVERWRITE, true, 2295104, 1, 1385, 5, "" },
	{ "bd-r",     0x41, SIM_BD, SIM_SEQ,    false, 12219392, 1, 4495.5, 6,  "MMCSIM/BR1" },
	{ "bd-r-spare", 0x41, SIM_BD, SIM_SEQ,  false, 12219392, 1, 4495.5, 6,  "MMCSIM/BR1" },
	{ "bd-re",    0x43, SIM_BD, SIM_OVERWRITE, true, 12219392, 1, 4495.5, 2, "MMCSIM/RE1" },
	{ "cd-rom",   0x08, SIM_CD, SIM_ROM,    false, 0,        1, 176.4, 0, "" },
	{ "dvd-rom",  0x10, SIM_DVD, SIM_ROM,   false, 0,        1, 1385, 0,  "" },
	{ "bd-rom",   0x40, SIM_BD, SIM_ROM,    false, 0,        1, 4495.5, 0,  "" },
};

/* BD default spare: 256 MiB ISA/OSA as most drives format */
#define BD_DEFAULT_SPARE 393216
/* DVD-RAM as formatted with the default spare areas */
#define DVD_RAM_FORMATTED 2236704
/* sectors a closed DVD session costs (lead-out/border) */
#define DVD_SESSION_GAP 2048

const struct sim_media *sim_media_find(const char *name)
{
	for (size_t i = 0; i < sizeof(media_table) / sizeof(media_table[0]); i++)
		if (strcmp(media_table[i].name, name) == 0)
			return &media_table[i];
	return NULL;
}

bool sim_is_cd(const struct sim_dev *dev)
{
	return dev->disc.media->family == SIM_CD;
}

bool sim_is_overwrite(const struct sim_dev *dev)
{
	return dev->disc.media->kind == SIM_OVERWRITE ||
	       dev->disc.profile == 0x13;
}

int sim_ecc_block(const struct sim_disc *d)
{
	return d->media->family == SIM_CD ? 1 : d->media->family == SIM_DVD ? 16 : 32;
}

void sim_disc_fresh(struct sim_disc *d, const struct sim_media *m)
{
	memset(d, 0, sizeof(*d));
	d->media = m;
	d->profile = m->profile;
	d->capacity = m->capacity;
	d->n_sessions = 1;
	if (m->kind == SIM_SEQ) {
		d->n_tracks = 1;
		d->tracks[0] = (struct sim_track){ .start = 0, .session = 1,
						   .state = TRK_OPEN };
	}
	if (strcmp(m->name, "bd-r-spare") == 0) {
		d->formatted = true;
		d->spare = BD_DEFAULT_SPARE;
		d->capacity = m->capacity - d->spare;
	}
	/* DVD-RW in restricted overwrite and DVD-RAM come formatted */
	if (m->profile == 0x13 || m->profile == 0x12)
		d->formatted = true;
	if (m->profile == 0x12) {
		d->capacity = DVD_RAM_FORMATTED;
		d->spare = m->capacity - d->capacity;
	}
}

/* ---- tracks and sessions ---- */

struct sim_track *sim_open_track(struct sim_disc *d)
{
	if (d->n_tracks && d->tracks[d->n_tracks - 1].state == TRK_OPEN)
		return &d->tracks[d->n_tracks - 1];
	return NULL;
}

static int64_t track_end(const struct sim_track *t)
{
	return t->start + (t->state == TRK_OPEN ? t->written : t->size) + t->runout;
}

int64_t sim_readable_end(const struct sim_disc *d)
{
	int64_t end = 0;

	if (d->media->kind == SIM_ROM)
		return d->capacity;
	if (d->media->kind == SIM_OVERWRITE || d->profile == 0x13)
		return d->formatted ? d->capacity : 0;
	for (int i = 0; i < d->n_tracks; i++) {
		const struct sim_track *t = &d->tracks[i];
		int64_t e = t->start + t->written;

		if (t->written > 0 && e > end)
			end = e;
	}
	return end;
}

static enum sim_session_state last_session_state(const struct sim_disc *d)
{
	const struct sim_track *open;

	if (d->finalized)
		return SES_COMPLETE;
	open = sim_open_track((struct sim_disc *)d);
	for (int i = 0; i < d->n_tracks; i++) {
		const struct sim_track *t = &d->tracks[i];

		if (t->session == d->n_sessions && t != open)
			return SES_INCOMPLETE;
	}
	if (open && open->written > 0)
		return SES_INCOMPLETE;
	return SES_EMPTY;
}

int sim_sessions_complete(const struct sim_disc *d)
{
	return last_session_state(d) == SES_COMPLETE ? d->n_sessions : d->n_sessions - 1;
}

/* Where the next track may start, after everything recorded. */
static int64_t next_track_start(const struct sim_dev *dev)
{
	const struct sim_disc *d = &dev->disc;
	int64_t end = 0;
	int last_session = 0;

	for (int i = 0; i < d->n_tracks; i++) {
		const struct sim_track *t = &d->tracks[i];

		if (t->state == TRK_OPEN)
			continue;
		if (track_end(t) > end)
			end = track_end(t);
		last_session = t->session;
	}
	if (!last_session)
		return 0;
	if (last_session < d->n_sessions) {
		/* a new session after a closed one: lead-out and lead-in */
		if (d->media->family == SIM_CD)
			return sim_cd_next_session_start(d);
		if (d->media->family == SIM_DVD)
			end += DVD_SESSION_GAP;
	} else if (d->media->family == SIM_CD) {
		end += 150;     /* pregap of the next track */
	}
	return (end + sim_ecc_block(d) - 1) / sim_ecc_block(d) * sim_ecc_block(d);
}

void sim_add_open_track(struct sim_dev *dev)
{
	struct sim_disc *d = &dev->disc;
	struct sim_track *t;
	int64_t start = next_track_start(dev);

	if (d->finalized || d->n_tracks >= SIM_MAX_TRACKS || start >= d->capacity)
		return;
	t = &d->tracks[d->n_tracks++];
	memset(t, 0, sizeof(*t));
	t->start = start;
	t->session = d->n_sessions;
	t->state = TRK_OPEN;
}

int64_t sim_next_writable(const struct sim_dev *dev)
{
	const struct sim_disc *d = &dev->disc;

	for (int i = 0; i < d->n_tracks; i++) {
		const struct sim_track *t = &d->tracks[i];

		if (t->state == TRK_RESERVED && t->written < t->size)
			return t->start + t->written;
	}
	for (int i = 0; i < d->n_tracks; i++)
		if (d->tracks[i].state == TRK_OPEN)
			return d->tracks[i].start + d->tracks[i].written;
	return -1;
}

int64_t sim_free_blocks(const struct sim_dev *dev)
{
	const struct sim_track *open = sim_open_track((struct sim_disc *)&dev->disc);

	if (sim_is_overwrite(dev))
		return dev->disc.formatted ? dev->disc.capacity : dev->disc.media->capacity;
	if (!open)
		return 0;
	return dev->disc.capacity - open->start - open->written;
}

/* ---- READ DISC INFORMATION ---- */

int sim_read_disc_info(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	struct sim_disc *d = &dev->disc;
	uint8_t r[34];
	int status, ses, first_last, last_last;
	enum sim_session_state ls = last_session_state(d);

	if ((c->cdb[1] & 7) != 0)
		return sim_sense(c, 5, 0x24, 0x00);
	memset(r, 0, sizeof(r));
	sim_put16(r, 32);
	if (d->media->kind == SIM_ROM) {
		status = 2;
		ls = SES_COMPLETE;
	} else if (sim_is_overwrite(dev)) {
		status = d->formatted ? (d->profile == 0x12 ? 3 : 2) : 0;
		ls = d->formatted ? SES_COMPLETE : SES_EMPTY;
	} else if (d->finalized) {
		status = 2;
	} else if (d->n_tracks == 1 && d->tracks[0].state == TRK_OPEN &&
		   d->tracks[0].written == 0) {
		status = 0;
	} else {
		status = 1;
	}
	r[2] = (uint8_t)((d->media->erasable ? 0x10 : 0) |
			 ((ls == SES_COMPLETE ? 3 : ls == SES_INCOMPLETE ? 1 : 0) << 2) |
			 status);
	r[3] = 1;
	ses = d->n_sessions;
	first_last = 1;
	last_last = d->n_tracks ? d->n_tracks : 1;
	for (int i = d->n_tracks - 1; i >= 0; i--)
		if (d->tracks[i].session == ses)
			first_last = i + 1;
	r[4] = (uint8_t)ses;
	r[5] = (uint8_t)first_last;
	r[6] = (uint8_t)last_last;
	r[9] = (uint8_t)(ses >> 8);
	r[10] = (uint8_t)(first_last >> 8);
	r[11] = (uint8_t)(last_last >> 8);
	if (d->profile == 0x1a)
		r[7] = d->formatted ? 0x03 : 0x00;      /* background format */
	r[7] |= 0x20;   /* URU */
	r[8] = 0x00;
	if (d->media->family == SIM_CD) {
		uint8_t m, s, f;
		int64_t lin = sim_msf_to_lba(97, 26, 66);

		if (status == 1)
			lin = sim_cd_next_session_start(d) - 150 - 4500;
		if (status != 2) {
			sim_lba_to_msf(lin, &m, &s, &f);
			r[17] = m, r[18] = s, r[19] = f;
			sim_lba_to_msf(d->capacity, &m, &s, &f);
			r[21] = m, r[22] = s, r[23] = f;
		} else {
			memset(r + 16, 0xff, 8);
		}
	} else if (d->media->kind == SIM_SEQ && status != 2) {
		sim_put32(r + 16, 0);
		sim_put32(r + 20, (uint32_t)d->capacity);
	}
	sim_reply(c, r, sizeof(r));
	return 0;
}

/* ---- READ TRACK INFORMATION ---- */

static int find_track_by_lba(const struct sim_disc *d, int64_t lba)
{
	for (int i = 0; i < d->n_tracks; i++) {
		const struct sim_track *t = &d->tracks[i];
		int64_t end = t->state == TRK_OPEN ? d->capacity : track_end(t);

		if (lba >= t->start && lba < end)
			return i;
	}
	return -1;
}

int sim_read_track_info(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	struct sim_disc *d = &dev->disc;
	uint8_t r[48];
	int type = c->cdb[1] & 3, idx = -1;
	uint32_t num = sim_get32(c->cdb + 2);
	const struct sim_track *t;
	struct sim_track whole;

	memset(r, 0, sizeof(r));
	sim_put16(r, 46);
	if (sim_is_overwrite(dev) || d->media->kind == SIM_ROM) {
		int64_t cap = d->media->kind == SIM_ROM ? d->capacity
			: d->formatted ? d->capacity : d->media->capacity;

		if ((type == 1 && num != 1 && num != 0xff) ||
		    (type == 0 && num >= (uint32_t)cap))
			return sim_sense(c, 5, 0x24, 0x00);
		whole = (struct sim_track){ .start = 0, .size = cap, .written = cap,
					    .session = 1, .state = TRK_CLOSED };
		t = &whole;
		idx = 0;
	} else {
		if (type == 0)
			idx = find_track_by_lba(d, num);
		else if (type == 1 && num == 0xff)
			idx = sim_open_track(d) ? d->n_tracks - 1 : -1;
		else if (type == 1 && num >= 1 && num <= (uint32_t)d->n_tracks)
			idx = (int)num - 1;
		else if (type == 2)
			for (int i = 0; i < d->n_tracks; i++)
				if (d->tracks[i].session == (int)num) {
					idx = i;
					break;
				}
		if (idx < 0)
			return sim_sense(c, 5, 0x24, 0x00);
		t = &d->tracks[idx];
	}
	r[2] = (uint8_t)(idx + 1);
	r[3] = (uint8_t)t->session;
	r[32] = (uint8_t)((idx + 1) >> 8);
	r[33] = (uint8_t)(t->session >> 8);
	r[5] = (uint8_t)((t->audio ? 0x00 : 0x04) | (t->damaged ? 0x20 : 0));
	if (d->media->family == SIM_CD)
		r[5] |= 0x00;
	r[6] = 0x01;    /* data mode 1 */
	sim_put32(r + 8, (uint32_t)t->start);
	if (t->state == TRK_OPEN) {
		int64_t free_b = d->capacity - t->start - t->written;

		if (free_b < 0)
			free_b = 0;
		r[6] |= (uint8_t)(t->written ? 0 : 0x40);
		if (d->profile == 0x11 || d->profile == 0x14 || d->profile == 0x15)
			r[6] |= 0x20;   /* incremental */
		r[7] = 0x01 | (t->written ? 0x02 : 0);
		sim_put32(r + 12, (uint32_t)(t->start + t->written));
		sim_put32(r + 16, (uint32_t)free_b);
		sim_put32(r + 24, (uint32_t)(free_b + t->written));
	} else if (t->state == TRK_RESERVED) {
		r[6] |= 0x80;
		if (t->written < t->size) {
			r[7] = 0x01;
			sim_put32(r + 12, (uint32_t)(t->start + t->written));
		}
		sim_put32(r + 16, (uint32_t)(t->size - t->written));
		sim_put32(r + 24, (uint32_t)t->size);
		if (t->written)
			r[7] |= 0x02;
	} else {
		if (sim_is_overwrite(dev)) {
			r[7] = 0x01;
			sim_put32(r + 12, 0);
			sim_put32(r + 16, (uint32_t)t->size);
		}
		sim_put32(r + 24, (uint32_t)(t->size + t->runout));
		r[7] |= 0x02;
	}
	if (t->written > 0)
		sim_put32(r + 28, (uint32_t)(t->start + t->written - 1));
	sim_reply(c, r, sizeof(r));
	return 0;
}

/* ---- RESERVE TRACK ---- */

int sim_reserve_track(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	struct sim_disc *d = &dev->disc;
	struct sim_track *t = sim_open_track(d);
	int64_t size = sim_get32(c->cdb + 5);
	int ecc = sim_ecc_block(d);

	if (d->media->kind != SIM_SEQ || d->profile == 0x13)
		return sim_sense(c, 5, 0x20, 0x00);
	if (c->cdb[1] & 1)      /* ARSV: by LBA, not used by libburn */
		return sim_sense(c, 5, 0x24, 0x00);
	if (!t || t->written > 0)
		return sim_sense(c, 5, 0x2c, 0x00);     /* command sequence error */
	size = (size + ecc - 1) / ecc * ecc;
	if (size <= 0 || t->start + size > d->capacity)
		return sim_sense(c, 5, 0x21, 0x00);
	if (dev->test_write)
		return 0;
	t->state = TRK_RESERVED;
	t->size = size;
	sim_add_open_track(dev);
	sim_log(dev, "reserved track %d at %lld, %lld sectors", (int)(t - d->tracks) + 1,
		(long long)t->start, (long long)size);
	return 0;
}

/* ---- storing ---- */

/* Bytes the state file keeps a sector in: a whole raw sector on CD, so
 * that audio (2352 bytes) survives; the user data on DVD and BD. */
static size_t slot_bytes(const struct sim_dev *dev)
{
	return dev->disc.media->family == SIM_CD ? SIM_CD_RAW : SIM_SECTOR;
}

static void put_bytes(struct sim_dev *dev, off_t off, const uint8_t *data, size_t len)
{
	while (len) {
		ssize_t w = pwrite(dev->state_fd, data, len, off);

		if (w <= 0)
			break;
		data += w;
		len -= (size_t)w;
		off += w;
	}
}

static off_t slot_offset(const struct sim_dev *dev, int64_t lba)
{
	return SIM_HEADER_BYTES + (off_t)lba * (off_t)slot_bytes(dev);
}

void sim_store(struct sim_dev *dev, int64_t lba, const uint8_t *data, uint32_t n)
{
	if (slot_bytes(dev) == SIM_SECTOR)
		put_bytes(dev, slot_offset(dev, lba), data, (size_t)n * SIM_SECTOR);
	else
		for (uint32_t i = 0; i < n; i++)
			put_bytes(dev, slot_offset(dev, lba + i), data + (size_t)i * SIM_SECTOR,
				  SIM_SECTOR);
	dev->disc.writes += n;
}

/* One sector of bs bytes as the host sent it (2352 for audio). */
static void store_raw(struct sim_dev *dev, int64_t lba, const uint8_t *data, uint32_t bs)
{
	if (bs > slot_bytes(dev))
		bs = (uint32_t)slot_bytes(dev);
	put_bytes(dev, slot_offset(dev, lba), data, bs);
	dev->disc.writes++;
}

int sim_read_raw(struct sim_dev *dev, int64_t lba, uint8_t *out)
{
	ssize_t r;

	memset(out, 0, SIM_CD_RAW);
	r = pread(dev->state_fd, out, slot_bytes(dev), slot_offset(dev, lba));
	return r < 0 ? -1 : 0;
}

const struct sim_track *sim_track_at(const struct sim_disc *d, int64_t lba)
{
	for (int i = 0; i < d->n_tracks; i++)
		if (lba >= d->tracks[i].start && lba < d->tracks[i].start + d->tracks[i].written)
			return &d->tracks[i];
	return NULL;
}

/* Forget all content (blank/format): punch the data area out. */
void sim_discard(struct sim_dev *dev)
{
	if (ftruncate(dev->state_fd, SIM_HEADER_BYTES) < 0)
		sim_log(dev, "cannot truncate state: %s", strerror(errno));
}

static int write_overwrite(struct sim_cmd *c, int64_t lba, uint32_t n, uint32_t bs)
{
	struct sim_dev *dev = c->dev;
	struct sim_disc *d = &dev->disc;

	if (!d->formatted) {
		if (d->profile != 0x1a)
			return sim_sense(c, 2, 0x30, 0x10);     /* not formatted */
		d->formatted = true;    /* DVD+RW formats in the background */
	}
	if (lba < 0 || lba + n > d->capacity)
		return sim_sense_lba(c, 5, 0x21, 0x00, lba);
	if (d->profile == 0x13 && (lba % 16 || n % 16))
		return sim_sense(c, 5, 0x21, 0x02);
	for (uint32_t i = 0; i < n; i++) {
		int64_t bad;

		if (sim_fault_at(dev, F_WRITE, lba + i, 1, &bad)) {
			if (i)
				sim_store(dev, lba, c->buf, i);
			sim_clock_io(dev, lba, i, true);
			return sim_sense_lba(c, 3, 0x0c, 0x00, bad);
		}
	}
	(void)bs;
	sim_store(dev, lba, c->buf, n);
	if (lba + n > d->high_water)
		d->high_water = lba + n;
	sim_clock_io(dev, lba, n, true);
	return 0;
}

int sim_write(struct sim_cmd *c, int64_t lba, uint32_t n)
{
	struct sim_dev *dev = c->dev;
	struct sim_disc *d = &dev->disc;
	struct sim_track *t = NULL;
	uint32_t bs;
	int64_t nwa;

	if (c->cdb[0] == 0x2a && lba >= 0x80000000LL)
		lba -= 0x100000000LL;           /* CD pregap at negative LBAs */
	if (n == 0)
		return 0;
	if (!c->to_dev || c->len < n)
		return sim_sense(c, 5, 0x24, 0x00);
	bs = c->len / n;
	if (d->media->kind == SIM_ROM)
		return sim_sense(c, 5, 0x30, 0x05);     /* cannot write medium */
	if (sim_is_overwrite(dev))
		return write_overwrite(c, lba, n, bs);
	if (d->finalized)
		return sim_sense_lba(c, 5, 0x21, 0x02, lba);
	if (sim_is_cd(dev) && dev->write_type == 2) {
		/* SAO: the cue sheet laid the session out; data lands in place */
		if (!dev->sao_armed)
			return sim_sense(c, 5, 0x2c, 0x00);
		if (dev->test_nwa == INT64_MIN)
			dev->test_nwa = lba;
		if (lba != dev->test_nwa)
			return sim_sense_lba(c, 5, 0x21, 0x02, lba);
		dev->test_nwa += n;
		for (uint32_t i = 0; i < n; i++) {
			int64_t bad;

			if (sim_fault_at(dev, F_WRITE, lba + i, 1, &bad))
				return sim_sense_lba(c, 3, 0x0c, 0x00, bad);
			if (lba + i < 0 && bs == 96 && !dev->test_write)
				sim_cd_leadin_text(dev, c->buf + (size_t)i * bs);
			if (lba + i >= 0 && !dev->test_write)
				store_raw(dev, lba + i, c->buf + (size_t)i * bs, bs);
			else if (lba + i < -150 && bs == 96 && !dev->test_write)
				sim_cd_leadin_cdtext(dev, c->buf + (size_t)i * bs);
		}
		sim_clock_io(dev, lba, n, true);
		return 0;
	}
	/* several tracks may be open (reserved ones, and the invisible one at
	 * the end): the write goes to the one whose next writable address it
	 * names, or else to the first, which refuses it */
	for (int i = 0; i < d->n_tracks && !dev->test_write; i++) {
		struct sim_track *r = &d->tracks[i];

		if ((r->state == TRK_OPEN ||
		     (r->state == TRK_RESERVED && r->written < r->size)) &&
		    r->start + r->written == lba)
			t = r;
	}
	for (int i = 0; i < d->n_tracks && !t; i++)
		if (d->tracks[i].state == TRK_RESERVED &&
		    d->tracks[i].written < d->tracks[i].size)
			t = &d->tracks[i];
	if (!t)
		t = sim_open_track(d);
	if (!t)
		return sim_sense_lba(c, 5, 0x21, 0x02, lba);
	nwa = t->start + t->written;
	if (dev->test_write) {
		if (dev->test_nwa == INT64_MIN)
			dev->test_nwa = nwa;
		nwa = dev->test_nwa;
	}
	if (lba != nwa)
		return sim_sense_lba(c, 5, 0x21, 0x02, lba);
	if ((t->state == TRK_RESERVED && lba + n > t->start + t->size) ||
	    lba + n > d->capacity)
		return sim_sense_lba(c, 5, 0x21, 0x00, lba);
	if (dev->test_write) {
		dev->test_nwa += n;
		sim_clock_io(dev, lba, n, true);
		return 0;
	}
	for (uint32_t i = 0; i < n; i++) {
		int64_t bad;

		if (sim_fault_at(dev, F_WRITE, lba + i, 1, &bad)) {
			if (i)
				sim_store(dev, lba, c->buf, i);
			t->written += i;
			t->damaged = true;
			sim_clock_io(dev, lba, i, true);
			sim_disc_save(dev);
			return sim_sense_lba(c, 3, 0x0c, 0x00, bad);
		}
	}
	if (bs == SIM_SECTOR) {
		sim_store(dev, lba, c->buf, n);
	} else {
		for (uint32_t i = 0; i < n; i++)
			store_raw(dev, lba + i, c->buf + (size_t)i * bs, bs);
	}
	t->written += n;
	if (t->state == TRK_OPEN && d->media->family == SIM_CD)
		t->audio = dev->track_mode == 0 || dev->track_mode == 2;
	sim_clock_io(dev, lba, n, true);
	/* BD-R with spare areas verifies after writing, unless the host asks
	 * for streaming (WRITE(12) with the Streaming bit) */
	if (d->media->family == SIM_BD && d->spare > 0 &&
	    !(c->cdb[0] == 0xaa && (c->cdb[10] & 0x80)))
		sim_clock_io(dev, lba, n, true);
	return 0;
}

/* ---- CLOSE TRACK/SESSION and SYNCHRONIZE CACHE ---- */

static void close_one_track(struct sim_dev *dev, struct sim_track *t)
{
	int ecc = sim_ecc_block(&dev->disc);

	if (t->state == TRK_RESERVED) {
		t->written = t->size;   /* the drive pads what is left */
	} else if (t->state == TRK_OPEN) {
		t->size = (t->written + ecc - 1) / ecc * ecc;
		if (sim_is_cd(dev))
			sim_cd_close_track(dev, t);
	}
	t->state = TRK_CLOSED;
}

static void close_session(struct sim_dev *dev, bool finalize)
{
	struct sim_disc *d = &dev->disc;
	struct sim_track *open = sim_open_track(d);
	bool has_tracks = false;

	if (open && open->written > 0) {
		close_one_track(dev, open);
		open = NULL;
	}
	if (open)
		d->n_tracks--;  /* drop the invisible track; re-added below */
	for (int i = 0; i < d->n_tracks; i++) {
		if (d->tracks[i].state == TRK_RESERVED)
			close_one_track(dev, &d->tracks[i]);
		if (d->tracks[i].session == d->n_sessions)
			has_tracks = true;
	}
	if (finalize) {
		d->finalized = true;
		if (!d->n_tracks)       /* nothing written: stays blank */
			d->finalized = false;
	} else if (has_tracks) {
		d->n_sessions++;
	}
	if (!d->finalized)
		sim_add_open_track(dev);
	sim_log(dev, "session closed%s: %d sessions, %d tracks",
		d->finalized ? " and disc finalized" : "", d->n_sessions, d->n_tracks);
}

int sim_close(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	struct sim_disc *d = &dev->disc;
	bool sync = c->cdb[0] == 0x35;
	int func = c->cdb[2] & 7;

	if (dev->test_write || (sync && dev->test_nwa != INT64_MIN && dev->test_write)) {
		/* a simulated recording leaves no trace */
		dev->test_nwa = INT64_MIN;
		if (sync)
			dev->sao_armed = false;
		return 0;
	}
	if (d->media->kind == SIM_ROM)
		return sync ? 0 : sim_sense(c, 5, 0x30, 0x05);
	if (sim_is_overwrite(dev)) {
		if (!sync)
			sim_clock_add(dev, 0.5);
		goto done;
	}
	if (sync) {
		if (sim_is_cd(dev) && dev->sao_armed && dev->test_nwa != INT64_MIN) {
			sim_cd_close_track(dev, NULL);  /* lays out the SAO session */
			dev->sao_armed = false;
			dev->test_nwa = INT64_MIN;
		} else if (sim_is_cd(dev) && dev->write_type == 1 && sim_open_track(d) &&
			   sim_open_track(d)->written > 0) {
			/* CD TAO: flushing a written track closes it (run-out),
			 * the next one starts after a 150-sector pregap */
			close_one_track(dev, sim_open_track(d));
			sim_add_open_track(dev);
			sim_log(dev, "TAO track %d closed", d->n_tracks - 1);
		} else if (!sim_is_cd(dev) && dev->write_type == 2 &&
			   (d->profile == 0x11 || d->profile == 0x14 || d->profile == 0x15)) {
			/* DVD-R DAO: flushing the written track closes the disc;
			 * the drive pads to the reserved (ECC-aligned) size */
			for (int i = 0; i < d->n_tracks; i++)
				if (d->tracks[i].state == TRK_RESERVED &&
				    d->tracks[i].written > 0) {
					close_session(dev, true);
					break;
				}
		}
		goto done;
	}
	if (d->finalized)
		return sim_sense(c, 5, 0x2c, 0x00);
	sim_clock_add(dev, func == 1 ? 0.5 : 5.0);
	switch (func) {
	case 1: {       /* close track */
		int num = (int)sim_get16(c->cdb + 4);
		struct sim_track *t = NULL;

		if (num >= 1 && num <= d->n_tracks)
			t = &d->tracks[num - 1];
		if (!t || t->state == TRK_CLOSED)
			return sim_sense(c, 5, 0x24, 0x00);
		if (t->state == TRK_OPEN && t->written == 0)
			return 0;
		close_one_track(dev, t);
		if (!sim_open_track(d))
			sim_add_open_track(dev);
		break;
	}
	case 2:         /* close session */
	case 3:
		if (d->media->family == SIM_BD)
			return sim_bd_close(c, func);
		if (d->media->family == SIM_DVD && (d->profile == 0x1b || d->profile == 0x2b))
			return sim_dvd_close(c, func);
		close_session(dev, dev->multi_session != 3);
		break;
	case 5:
	case 6:
		if (d->media->family == SIM_BD)
			return sim_bd_close(c, func);
		if (d->profile == 0x1b || d->profile == 0x2b)
			return sim_dvd_close(c, func);
		return sim_sense(c, 5, 0x24, 0x00);
	default:
		return sim_sense(c, 5, 0x24, 0x00);
	}
done:
	sim_disc_save(dev);
	return 0;
}

void sim_close_session_plus(struct sim_dev *dev, bool finalize)
{
	close_session(dev, finalize);
	sim_disc_save(dev);
}

/* ---- reading ---- */

int sim_check_readable(struct sim_cmd *c, int64_t lba, uint32_t n)
{
	struct sim_dev *dev = c->dev;
	const struct sim_disc *d = &dev->disc;

	if (lba < 0)
		return sim_sense_lba(c, 5, 0x21, 0x00, lba);
	if (d->media->kind != SIM_SEQ || d->profile == 0x13) {
		if (lba + n > sim_readable_end(d))
			return sim_sense_lba(c, 5, 0x21, 0x00, lba);
		return 0;
	}
	for (uint32_t i = 0; i < n; i++) {
		int64_t x = lba + i;
		bool ok = false;

		for (int k = 0; k < d->n_tracks && !ok; k++) {
			const struct sim_track *t = &d->tracks[k];

			if (x >= t->start && x < t->start + t->written)
				ok = true;
			else if (sim_is_cd(dev) && t->state == TRK_CLOSED &&
				 sim_cd_pregap_track(d, x) == t)
				ok = true;      /* an SAO track's pregap */
			else if (t->runout && x >= t->start + t->written &&
				 x < t->start + t->written + t->runout)
				return sim_sense_lba(c, 5, 0x64, 0x00, x);
		}
		if (!ok)
			return sim_sense_lba(c, 5, 0x21, 0x00, x);
	}
	return 0;
}

int sim_check_not_audio(struct sim_cmd *c, int64_t lba, uint32_t n)
{
	if (!sim_is_cd(c->dev))
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct sim_track *t = sim_track_at(&c->dev->disc, lba + i);

		if (t && t->audio)      /* audio is read with READ CD only */
			return sim_sense_lba(c, 5, 0x64, 0x00, lba + i);
	}
	return 0;
}

int sim_read_data(struct sim_cmd *c, int64_t lba, uint32_t n, uint8_t *out)
{
	struct sim_dev *dev = c->dev;
	const struct sim_fault *f;
	int64_t bad;
	size_t len = (size_t)n * SIM_SECTOR;
	off_t off = SIM_HEADER_BYTES + (off_t)lba * SIM_SECTOR;
	ssize_t r;

	if ((f = sim_fault_at(dev, F_SLOW, lba, n, &bad)))
		sim_clock_add(dev, f->seconds);
	if (sim_fault_at(dev, F_READ, lba, n, &bad)) {
		sim_clock_io(dev, lba, n, false);
		sim_clock_add(dev, 3.0);        /* the drive's own retries */
		return sim_sense_lba(c, 3, 0x11, 0x00, bad);
	}
	memset(out, 0, len);
	if (slot_bytes(dev) == SIM_SECTOR) {
		r = pread(dev->state_fd, out, len, off);
	} else {
		for (uint32_t i = 0; i < n; i++)
			r = pread(dev->state_fd, out + (size_t)i * SIM_SECTOR, SIM_SECTOR,
				  slot_offset(dev, lba + i));
	}
	(void)r;                /* short: sparse end of file, zeros */
	sim_clock_io(dev, lba, n, false);
	return 0;
}

int sim_read_capacity(struct sim_cmd *c)
{
	uint8_t r[8];
	int64_t end = sim_readable_end(&c->dev->disc);

	sim_put32(r, (uint32_t)(end > 0 ? end - 1 : 0));
	sim_put32(r + 4, SIM_SECTOR);
	sim_reply(c, r, sizeof(r));
	return 0;
}
