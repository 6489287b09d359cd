/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mmc.c - the common MMC layer of the simulated recorder: dispatch by
 * opcode, identification (INQUIRY, GET CONFIGURATION, GET EVENT STATUS),
 * mode pages 05h and 2Ah, speeds (GET PERFORMANCE, SET STREAMING, SET CD
 * SPEED), buffer, reading, the tray, and the "not ready, in progress"
 * answers that follow commands sent with the Immediate bit.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "mmcsim.h"

/* Profiles the simulated drive claims, most capable first. */
static const int drive_profiles[] = {
	0x43, 0x41, 0x40, 0x2b, 0x1b, 0x1a, 0x15, 0x14, 0x13, 0x12, 0x11,
	0x10, 0x0a, 0x09, 0x08,
};

void sim_put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
void sim_put24(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 16); sim_put16(p + 1, v); }
void sim_put32(uint8_t *p, uint32_t v) { sim_put16(p, v >> 16); sim_put16(p + 2, v & 0xffff); }
uint32_t sim_get16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
uint32_t sim_get32(const uint8_t *p) { return sim_get16(p) << 16 | sim_get16(p + 2); }

void sim_lba_to_msf(int64_t lba, uint8_t *m, uint8_t *s, uint8_t *f)
{
	int64_t a = lba + 150;

	if (a < 0)
		a += 450000;
	*m = (uint8_t)(a / (60 * 75));
	*s = (uint8_t)(a / 75 % 60);
	*f = (uint8_t)(a % 75);
}

int64_t sim_msf_to_lba(int m, int s, int f)
{
	int64_t a = ((int64_t)m * 60 + s) * 75 + f;

	return m >= 90 ? a - 450150 : a - 150;
}

int sim_sense(struct sim_cmd *c, uint8_t sk, uint8_t asc, uint8_t ascq)
{
	c->sk = sk;
	c->asc = asc;
	c->ascq = ascq;
	c->resid = c->len;
	if (c->dev) {
		c->dev->sk = sk;
		c->dev->asc = asc;
		c->dev->ascq = ascq;
	}
	return -1;
}

int sim_sense_lba(struct sim_cmd *c, uint8_t sk, uint8_t asc, uint8_t ascq,
		  int64_t lba)
{
	sim_sense(c, sk, asc, ascq);
	c->info = (uint32_t)lba;
	c->info_valid = true;
	return -1;
}

void sim_reply(struct sim_cmd *c, const void *data, uint32_t n)
{
	uint32_t k = n < c->len ? n : c->len;

	if (c->to_dev)
		return;
	if (k)
		memcpy(c->buf, data, k);
	c->resid = c->len - k;
}

void sim_start_busy(struct sim_dev *dev, uint8_t ascq, int polls)
{
	const char *env = getenv("MMCSIM_BUSY_POLLS");
	int n = env ? atoi(env) : 0;

	if (polls > n)
		n = polls;
	dev->busy_polls = n;
	dev->busy_total = n;
	dev->busy_ascq = ascq;
}

static bool medium_present(const struct sim_dev *dev)
{
	return !dev->tray_open && !dev->no_medium;
}

/* The check every medium-access command makes first. */
static int need_medium(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;

	if (dev->tray_open)
		return sim_sense(c, 2, 0x3a, 0x02);
	if (dev->no_medium)
		return sim_sense(c, 2, 0x3a, 0x01);
	if (dev->busy_polls > 0)
		return sim_sense(c, 2, 0x04, dev->busy_ascq);
	return 0;
}

/* ---- identification ---- */

static int inquiry(struct sim_cmd *c)
{
	uint8_t r[96];
	int idx = 0;

	if (c->cdb[1] & 1)
		return sim_sense(c, 5, 0x24, 0x00);
	memset(r, 0, sizeof(r));
	r[0] = 0x05;            /* CD/DVD device */
	r[1] = 0x80;            /* removable */
	r[2] = 0x05;
	r[3] = 0x32;
	r[4] = sizeof(r) - 5;
	memcpy(r + 8, "MMCSIM  ", 8);
	memcpy(r + 16, "Virtual BD-RE   ", 16);
	memcpy(r + 32, "1.00", 4);
	(void)idx;
	sim_reply(c, r, sizeof(r) < sim_get16(c->cdb + 3) ? sizeof(r) : sim_get16(c->cdb + 3));
	return 0;
}

struct feat_buf {
	uint8_t data[2048];
	int len;
	int rt, start;
};

static uint8_t *feature(struct feat_buf *b, int code, bool current, int add_len)
{
	uint8_t *p;

	if (b->rt == 2 && code != b->start)
		return NULL;
	if (code < b->start || (b->rt == 1 && !current))
		return NULL;
	if (b->len + 4 + add_len > (int)sizeof(b->data))
		return NULL;
	p = b->data + b->len;
	sim_put16(p, (uint32_t)code);
	p[2] = (uint8_t)((current ? 1 : 0) | 0x02 /* persistent */ | (0 << 2));
	p[3] = (uint8_t)add_len;
	b->len += 4 + add_len;
	return p;
}

static int get_configuration(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	struct feat_buf b;
	bool present = medium_present(dev);
	int cur = present ? dev->disc.profile : 0;
	bool cd = cur >= 0x08 && cur <= 0x0a, dvd = cur >= 0x10 && cur <= 0x2b;
	bool bd = cur >= 0x40 && cur <= 0x43;
	bool ow = present && sim_is_overwrite(dev);
	uint8_t *p;

	memset(&b, 0, sizeof(b));
	b.rt = c->cdb[1] & 3;
	b.start = (int)sim_get16(c->cdb + 2);
	b.len = 8;
	/* 0000h profile list */
	p = feature(&b, 0x0000, true, (int)sizeof(drive_profiles) / (int)sizeof(int) * 4);
	if (p)
		for (size_t i = 0; i < sizeof(drive_profiles) / sizeof(int); i++) {
			sim_put16(p + 4 + 4 * i, (uint32_t)drive_profiles[i]);
			p[6 + 4 * i] = drive_profiles[i] == cur;
		}
	if ((p = feature(&b, 0x0001, true, 8)))
		p[7] = 2;               /* ATAPI */
	if ((p = feature(&b, 0x0002, true, 4)))
		p[4] = 0x02;            /* asynchronous GESN */
	if ((p = feature(&b, 0x0003, true, 4)))
		p[4] = 0x29;            /* tray, eject, lock */
	if ((p = feature(&b, 0x0010, present, 8))) {
		sim_put32(p + 4, SIM_SECTOR);
		sim_put16(p + 8, cd ? 1 : dvd ? 16 : 32);
	}
	feature(&b, 0x001d, cd, 0);
	if ((p = feature(&b, 0x001e, cd, 4)))
		p[4] = 0x01;
	feature(&b, 0x001f, dvd, 4);
	if ((p = feature(&b, 0x0020, ow, 12))) {
		sim_put32(p + 4, (uint32_t)(dev->disc.capacity - 1));
		sim_put32(p + 8, SIM_SECTOR);
		sim_put16(p + 12, dvd ? 16 : 32);
	}
	/* a minimally blanked DVD-RW takes only DAO: no incremental feature */
	if ((p = feature(&b, 0x0021, cur == 0x09 || cur == 0x0a || cur == 0x11 ||
			 (cur == 0x14 && !dev->disc.quick_blanked) || cur == 0x15, 8))) {
		sim_put16(p + 4, 0x0001 | 0x0100);      /* mode 1, mode 2 form 1 */
		p[6] = 0x01;    /* BUF */
		p[7] = 1;       /* one link size */
		p[8] = cd ? 7 : 16;
	}
	if ((p = feature(&b, 0x0023, cur == 0x14 || cur == 0x13 || cur == 0x1a ||
			 cur == 0x12 || cur == 0x43 || cur == 0x41, 8))) {
		p[4] = bd ? 0x0f : 0x00;
		p[8] = 0;
	}
	if ((p = feature(&b, 0x0024, cur == 0x12 || cur == 0x43 ||
			 (cur == 0x41 && dev->disc.spare > 0), 4)))
		p[4] = 0x80;    /* SSA */
	feature(&b, 0x0026, cur == 0x13, 0);
	feature(&b, 0x0027, cur == 0x0a, 4);
	if ((p = feature(&b, 0x002a, cur == 0x1a, 4)))
		p[4] = 1;
	if ((p = feature(&b, 0x002b, cur == 0x1b, 4)))
		p[4] = 1;
	if ((p = feature(&b, 0x002d, cur == 0x09 || cur == 0x0a, 4))) {
		p[4] = 0x40 | 0x04 | 0x02;      /* BUF, test write, CD-RW */
		sim_put16(p + 6, 0x0001 | 0x0100);
	}
	if ((p = feature(&b, 0x002e, cur == 0x09 || cur == 0x0a, 4))) {
		p[4] = 0x40 | 0x20 | 0x04 | 0x02;       /* BUF, SAO, test, RW */
		sim_put24(p + 5, 0x2000);
	}
	if ((p = feature(&b, 0x002f, cur == 0x11 || cur == 0x14 || cur == 0x15, 4)))
		p[4] = 0x40 | 0x08 | 0x04 | 0x02;       /* BUF, RDL, test, RW */
	if ((p = feature(&b, 0x0037, cur == 0x0a, 4)))
		p[5] = 1;
	if ((p = feature(&b, 0x003b, cur == 0x2b, 4)))
		p[4] = 1;
	feature(&b, 0x0040, bd, 28);
	feature(&b, 0x0041, cur == 0x41 || cur == 0x43, 24);
	feature(&b, 0x0100, true, 0);
	if ((p = feature(&b, 0x0107, present, 4)))
		p[4] = 0x08 | 0x04 | 0x02 | 0x01;       /* SCS MP2A WSPD SW */
	if ((p = feature(&b, 0x0108, true, 8)))
		memcpy(p + 4, "SIM00001", 8);
	sim_put32(b.data, (uint32_t)b.len - 4);
	sim_put16(b.data + 6, (uint32_t)cur);
	sim_reply(c, b.data, (uint32_t)b.len);
	return 0;
}

static int get_event_status(struct sim_cmd *c)
{
	uint8_t r[8];

	if (!(c->cdb[1] & 1))
		return sim_sense(c, 5, 0x24, 0x00);     /* asynchronous: no */
	memset(r, 0, sizeof(r));
	r[3] = 0x5e;            /* supported classes */
	if (c->cdb[4] & 0x10) {
		sim_put16(r, 6);
		r[2] = 0x04;    /* media class */
		r[4] = 0;       /* no change */
		r[5] = (uint8_t)((medium_present(c->dev) ? 0x02 : 0) |
				 (c->dev->tray_open ? 0x01 : 0));
		sim_reply(c, r, 8);
	} else {
		sim_put16(r, 2);
		r[2] = 0x80;    /* no event available */
		sim_reply(c, r, 4);
	}
	return 0;
}

static int request_sense(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	uint8_t r[18];

	memset(r, 0, sizeof(r));
	r[0] = 0x70;
	r[7] = 10;
	if (dev->busy_polls > 0) {
		int done = dev->busy_total - dev->busy_polls;

		r[2] = 2;
		r[12] = 4;
		r[13] = dev->busy_ascq;
		r[15] = 0x80;
		sim_put16(r + 16, (uint32_t)(65536.0 * done / (dev->busy_total + 1)));
		dev->busy_polls--;
	} else if (need_medium(c) < 0) {
		/* need_medium() filled c's sense: report it as data */
		r[2] = c->sk;
		r[12] = c->asc;
		r[13] = c->ascq;
		c->sk = c->asc = c->ascq = 0;
		c->resid = 0;
	} else {
		r[2] = dev->sk;
		r[12] = dev->asc;
		r[13] = dev->ascq;
	}
	dev->sk = dev->asc = dev->ascq = 0;
	sim_reply(c, r, sizeof(r) < c->cdb[4] ? sizeof(r) : c->cdb[4]);
	return 0;
}

static int test_unit_ready(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;

	if (dev->busy_polls > 0) {
		dev->busy_polls--;
		sim_clock_add(dev, 0.5);
		return sim_sense(c, 2, 0x04, dev->busy_ascq);
	}
	if (need_medium(c) < 0)
		return -1;
	if (dev->unit_attention) {
		dev->unit_attention = false;
		return sim_sense(c, 6, 0x28, 0x00);
	}
	return 0;
}

/* ---- mode pages ---- */

static int write_speed_list(const struct sim_dev *dev, int *out, int max)
{
	const struct sim_media *m = dev->disc.media;
	static const int fractions[] = { 1, 2, 4 };
	int n = 0;

	if (!medium_present(dev) || m->kind == SIM_ROM)
		return 0;
	for (int i = 0; i < 3 && n < max; i++) {
		int x = m->max_x / fractions[i];
		int kbps = (int)(x * m->x1_kbps + 0.5);

		if (x < 1 || (n && out[n - 1] == kbps))
			continue;
		out[n++] = kbps;
	}
	return n;
}

static int max_read_kbps(const struct sim_dev *dev)
{
	const struct sim_media *m = dev->disc.media;

	return (int)(m->x1_kbps * (m->family == SIM_CD ? 48 : m->family == SIM_DVD ? 16 : 8));
}

static int page_2a(const struct sim_dev *dev, uint8_t *p, bool changeable)
{
	int speeds[8], n = write_speed_list(dev, speeds, 8);
	int len = 32 + 4 * n;

	memset(p, 0, (size_t)len);
	p[0] = 0x2a;
	p[1] = (uint8_t)(len - 2);
	if (changeable)
		return len;
	p[2] = 0x3f;            /* reads CD-R/RW, method 2, DVD-ROM/R/RAM */
	p[3] = 0x37;            /* writes CD-R/RW, test, DVD-R/RAM */
	p[4] = 0x40 | 0x80;     /* multi-session, BUF */
	p[5] = 0x10;            /* C2 pointers */
	p[6] = 0x29 | (dev->locked ? 0x02 : 0);
	sim_put16(p + 8, (uint32_t)max_read_kbps(dev));
	sim_put16(p + 12, 4096);
	sim_put16(p + 14, (uint32_t)dev->read_kbps);
	sim_put16(p + 18, n ? (uint32_t)speeds[0] : 0);
	sim_put16(p + 20, (uint32_t)dev->write_kbps);
	sim_put16(p + 28, (uint32_t)dev->write_kbps);
	sim_put16(p + 30, (uint32_t)n);
	for (int i = 0; i < n; i++) {
		p[32 + 4 * i + 1] = 0;  /* CLV */
		sim_put16(p + 32 + 4 * i + 2, (uint32_t)speeds[i]);
	}
	return len;
}

static int page_05(const struct sim_dev *dev, uint8_t *p, bool changeable)
{
	memset(p, 0, 52);
	p[0] = 0x05;
	p[1] = 0x32;
	if (changeable) {
		p[2] = 0x7f;
		p[3] = 0xff;
		p[4] = 0x0f;
		p[8] = 0xff;
		return 52;
	}
	p[2] = (uint8_t)((dev->bufe ? 0x40 : 0) | (dev->test_write ? 0x10 : 0) |
			 (dev->write_type & 0x0f));
	p[3] = (uint8_t)((dev->multi_session << 6) | (dev->track_mode & 0x0f));
	p[4] = (uint8_t)dev->data_block_type;
	p[5] = 7;
	sim_put16(p + 14, 150);
	return 52;
}

static int mode_sense(struct sim_cmd *c)
{
	uint8_t r[512];
	int page = c->cdb[2] & 0x3f, pc = c->cdb[2] >> 6, len = 8;

	memset(r, 0, sizeof(r));
	if (page == 0x2a || page == 0x3f)
		len += page_2a(c->dev, r + len, pc == 1);
	if (page == 0x05 || page == 0x3f)
		len += page_05(c->dev, r + len, pc == 1);
	if (page == 0x01 || page == 0x3f) {
		r[len] = 0x01;
		r[len + 1] = 0x0a;
		r[len + 3] = 1;         /* read retry count */
		len += 12;
	}
	if (len == 8)
		return sim_sense(c, 5, 0x24, 0x00);
	sim_put16(r, (uint32_t)len - 2);
	sim_reply(c, r, (uint32_t)len);
	return 0;
}

/* Which write types page 05h may select for the loaded medium. */
static bool write_type_ok(const struct sim_dev *dev, int wt, int dbt)
{
	int prof = dev->disc.profile;

	if (prof == 0x09 || prof == 0x0a) {
		if (wt == 1)    /* TAO: mode 1 or mode 2 form 1/2, audio */
			return dbt == 0 || dbt == 8 || dbt == 10 || dbt == 13;
		if (wt == 2)
			return true;
		return false;
	}
	if (prof == 0x14 && dev->disc.quick_blanked)
		return wt == 2;
	if (prof == 0x11 || prof == 0x14 || prof == 0x15)
		return wt == 0 || wt == 2;
	return true;            /* others ignore page 05h */
}

static int mode_select(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	uint32_t bdl, off;

	if (c->len < 8)
		return c->len ? sim_sense(c, 5, 0x1a, 0x00) : 0;
	bdl = sim_get16(c->buf + 6);
	off = 8 + bdl;
	while (off + 2 <= c->len) {
		const uint8_t *p = c->buf + off;
		int page = p[0] & 0x3f;

		if (page == 0x05) {
			int wt = p[2] & 0x0f, dbt = p[4] & 0x0f;

			if (off + 10 > c->len)
				return sim_sense(c, 5, 0x1a, 0x00);
			if (!write_type_ok(dev, wt, dbt))
				return sim_sense(c, 5, 0x26, 0x00);
			if ((p[2] & 0x10) && dev->disc.media->kind != SIM_SEQ)
				return sim_sense(c, 5, 0x26, 0x00);
			dev->write_type = wt;
			dev->test_write = (p[2] & 0x10) != 0;
			dev->bufe = (p[2] & 0x40) != 0;
			dev->multi_session = p[3] >> 6;
			dev->track_mode = p[3] & 0x0f;
			dev->data_block_type = dbt;
		} else if (page != 0x01 && page != 0x2a) {
			return sim_sense(c, 5, 0x26, 0x00);
		}
		off += 2u + p[1];
	}
	return 0;
}

/* ---- speeds ---- */

static int nearest_write_speed(const struct sim_dev *dev, int kbps)
{
	int speeds[8], n = write_speed_list(dev, speeds, 8), best = 0;

	if (!n)
		return 0;
	if (kbps <= 0 || kbps >= 0xffff)
		return speeds[0];
	for (int i = 0; i < n; i++)
		if (speeds[i] <= kbps && speeds[i] > best)
			best = speeds[i];
	return best ? best : speeds[n - 1];
}

static void set_speeds(struct sim_dev *dev, int rd, int wr)
{
	int mx = max_read_kbps(dev);

	dev->read_kbps = rd <= 0 || rd > mx ? mx : rd;
	dev->write_kbps = nearest_write_speed(dev, wr);
	sim_log(dev, "speed read=%d write=%d kB/s", dev->read_kbps, dev->write_kbps);
}

static int set_cd_speed(struct sim_cmd *c)
{
	set_speeds(c->dev, (int)sim_get16(c->cdb + 2), (int)sim_get16(c->cdb + 4));
	return 0;
}

static int set_streaming(struct sim_cmd *c)
{
	const uint8_t *p = c->buf;
	uint32_t rs, rt, ws, wt;

	if (c->cdb[8] != 0)
		return 0;
	if (c->len < 28)
		return sim_sense(c, 5, 0x1a, 0x00);
	rs = sim_get32(p + 12);
	rt = sim_get32(p + 16);
	ws = sim_get32(p + 20);
	wt = sim_get32(p + 24);
	set_speeds(c->dev, rt ? (int)(rs * 1000ull / rt) : 0,
		   wt ? (int)(ws * 1000ull / wt) : 0);
	return 0;
}

static int get_performance(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	uint8_t r[8 + 16 * 8];
	int type = c->cdb[10], maxd = (int)sim_get16(c->cdb + 8), n = 0;
	int speeds[8], ns = write_speed_list(dev, speeds, 8);
	int64_t end = dev->disc.capacity - 1;

	if (need_medium(c) < 0)
		return -1;
	memset(r, 0, sizeof(r));
	if (type == 0x03) {
		for (int i = 0; i < ns; i++) {
			uint8_t *d = r + 8 + 16 * n++;

			d[0] = 0x02;    /* exact */
			sim_put32(d + 4, (uint32_t)end);
			sim_put32(d + 8, (uint32_t)max_read_kbps(dev));
			sim_put32(d + 12, (uint32_t)speeds[i]);
		}
	} else if (type == 0x00) {
		uint8_t *d = r + 8;
		int64_t re = sim_readable_end(&dev->disc);

		n = 1;
		sim_put32(d + 4, (uint32_t)(max_read_kbps(dev) / 2));
		sim_put32(d + 8, (uint32_t)(re > 0 ? re - 1 : end));
		sim_put32(d + 12, (uint32_t)max_read_kbps(dev));
	} else {
		return sim_sense(c, 5, 0x24, 0x00);
	}
	sim_put32(r, (uint32_t)(4 + 16 * n));
	if (maxd < n)
		n = maxd;
	sim_reply(c, r, (uint32_t)(8 + 16 * n));
	return 0;
}

static int read_buffer_capacity(struct sim_cmd *c)
{
	uint8_t r[12];

	memset(r, 0, sizeof(r));
	sim_put16(r, 10);
	if (c->cdb[1] & 1) {
		sim_put32(r + 8, 4096 * 1024 / SIM_SECTOR);
	} else {
		sim_put32(r + 4, 4096 * 1024);
		sim_put32(r + 8, 4096 * 1024);
	}
	sim_reply(c, r, sizeof(r));
	return 0;
}

/* ---- reading ---- */

static int read_blocks(struct sim_cmd *c, int64_t lba, uint32_t n)
{
	if (need_medium(c) < 0)
		return -1;
	if (n == 0)
		return 0;
	if (c->len < n * SIM_SECTOR)
		return sim_sense(c, 5, 0x24, 0x00);
	if (sim_check_readable(c, lba, n) < 0)
		return -1;
	if (sim_check_not_audio(c, lba, n) < 0)
		return -1;
	if (sim_read_data(c, lba, n, c->buf) < 0)
		return -1;
	c->resid = c->len - n * SIM_SECTOR;
	return 0;
}

/* ---- tray ---- */

static int start_stop(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;
	int loej = c->cdb[4] & 2, start = c->cdb[4] & 1;

	if (!loej)
		return 0;
	if (dev->locked)
		return sim_sense(c, 5, 0x53, 0x02);     /* removal prevented */
	if (!start) {
		dev->tray_open = true;
		sim_log(dev, "tray opened");
	} else if (dev->tray_open) {
		dev->tray_open = false;
		dev->unit_attention = true;
		sim_log(dev, "tray closed");
	}
	sim_clock_add(dev, 1.5);
	sim_disc_save(dev);
	return 0;
}

static int prevent_allow(struct sim_cmd *c)
{
	c->dev->locked = (c->cdb[4] & 1) != 0;
	sim_disc_save(c->dev);
	return 0;
}

static int synchronize_cache(struct sim_cmd *c)
{
	struct sim_dev *dev = c->dev;

	if (need_medium(c) < 0)
		return -1;
	if (sim_close(c) < 0)   /* cache flush ends SAO/DAO recordings */
		return -1;
	sim_clock_add(dev, 0.2);
	if (c->cdb[1] & 2)
		sim_start_busy(dev, 0x08, 0);   /* long write in progress */
	return 0;
}

void sim_execute(struct sim_dev *dev, struct sim_cmd *c)
{
	const uint8_t *cdb = c->cdb;
	int op = cdb[0];

	dev->commands++;
	sim_clock_add(dev, 0.0005);
	/* while an immediate command runs, the drive answers only these */
	if (dev->busy_polls > 0 && op != 0x00 && op != 0x03 && op != 0x12 &&
	    op != 0x46 && op != 0x4a) {
		sim_sense(c, 2, 0x04, dev->busy_ascq);
		return;
	}
	switch (op) {
	case 0x2a: case 0xaa: case 0x53: case 0x5b: case 0x35: case 0xa1:
	case 0x04: case 0x5d: case 0x1b: case 0x1e:
		dev->dirty = true;      /* saved on close; not by bystanders */
		break;
	default:
		break;
	}
	switch (op) {
	case 0x00: test_unit_ready(c); break;
	case 0x03: request_sense(c); break;
	case 0x12: inquiry(c); break;
	case 0x1b: start_stop(c); break;
	case 0x1e: prevent_allow(c); break;
	case 0x23: if (need_medium(c) == 0) sim_read_format_capacities(c); break;
	case 0x25: if (need_medium(c) == 0) sim_read_capacity(c); break;
	case 0x28: read_blocks(c, sim_get32(cdb + 2), sim_get16(cdb + 7)); break;
	case 0xa8: read_blocks(c, sim_get32(cdb + 2), sim_get32(cdb + 6)); break;
	case 0x2a:
		if (need_medium(c) == 0)
			sim_write(c, sim_get32(cdb + 2), sim_get16(cdb + 7));
		break;
	case 0xaa:
		if (need_medium(c) == 0)
			sim_write(c, sim_get32(cdb + 2), sim_get32(cdb + 6));
		break;
	case 0x35: synchronize_cache(c); break;
	case 0x42:
		if (need_medium(c) < 0)
			break;
		if (sim_is_cd(dev))
			sim_cd_read_subchannel(c);
		else
			sim_sense(c, 5, 0x20, 0x00);    /* invalid command */
		break;
	case 0x43:
		if (need_medium(c) < 0)
			break;
		if (sim_is_cd(dev))
			sim_cd_read_toc(c);
		else
			sim_dvd_read_toc(c);
		break;
	case 0x46: get_configuration(c); break;
	case 0x4a: get_event_status(c); break;
	case 0x51: if (need_medium(c) == 0) sim_read_disc_info(c); break;
	case 0x52: if (need_medium(c) == 0) sim_read_track_info(c); break;
	case 0x53: if (need_medium(c) == 0) sim_reserve_track(c); break;
	case 0x54:      /* SEND OPC INFORMATION */
		if (need_medium(c) == 0)
			sim_clock_add(dev, 1.0);
		break;
	case 0x55: mode_select(c); break;
	case 0x5a: mode_sense(c); break;
	case 0x5b:
		if (need_medium(c) == 0 && sim_close(c) == 0 && (cdb[1] & 1))
			sim_start_busy(dev, 0x07, 0);
		break;
	case 0x5c: read_buffer_capacity(c); break;
	case 0x5d: if (need_medium(c) == 0) sim_cd_send_cue(c); break;
	case 0xa1: if (need_medium(c) == 0) sim_cd_blank(c); break;
	case 0x04: if (need_medium(c) == 0) sim_format_unit(c); break;
	case 0xac: get_performance(c); break;
	case 0xad: if (need_medium(c) == 0) sim_read_disc_structure(c); break;
	case 0xb6: set_streaming(c); break;
	case 0xbb: set_cd_speed(c); break;
	case 0xbe: if (need_medium(c) == 0) sim_cd_read_cd(c); break;
	default:
		sim_sense(c, 5, 0x20, 0x00);    /* invalid command operation code */
		break;
	}
}
