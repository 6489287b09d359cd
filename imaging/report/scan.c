/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scan.c - the surface scan: read the whole medium once, a whole number
 * of ECC blocks per command, and time every command.  No retries and no
 * scraping: a failed command's ECC blocks are read once each, so that the
 * unreadable ones are named, and the scan goes on.
 *
 * Each command's time per sector is compared with the median of the
 * medium, giving timing classes as dvdisaster's and ddrescue's
 * --log-rates do; runs of slow commands become the slow areas.  The
 * curve and the zones average the speed over stretches of the disc.
 * Times come from sp_now(): a simulated drive's virtual clock shows
 * through it (tests/mmcsim, MMCSIM_VIRTUAL_TIME).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imaging/report/report_private.h"

#define CURVE_POINTS 400
/* a class needs both the ratio to the median and this much time */
static const struct {
	double ratio, min_seconds;
} limits[IMG_SCAN_FAILED] = {
	[IMG_SCAN_NORMAL] = { 0, 0 },
	[IMG_SCAN_SLOW] = { 3, 0.010 },
	[IMG_SCAN_SLOWER] = { 10, 0.050 },
	[IMG_SCAN_VERY_SLOW] = { 50, 0.250 },
};

struct cmd {
	int64_t lba;
	uint32_t n;
	bool ok;
	float seconds;
	enum img_scan_class cls;
};

const char *img_scan_class_name(enum img_scan_class c)
{
	static const char *const names[IMG_SCAN__COUNT] = {
		"normal", "slow", "slower", "very-slow", "failed",
	};
	return (unsigned)c < IMG_SCAN__COUNT ? names[c] : "?";
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* median seconds per sector of the good commands */
static double median_per_sector(const struct cmd *c, size_t n)
{
	double *v = malloc((n ? n : 1) * sizeof(*v)), m;
	size_t k = 0;

	if (!v)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (c[i].ok)
			v[k++] = c[i].seconds / c[i].n;
	qsort(v, k, sizeof(*v), cmp_double);
	m = k ? v[k / 2] : 0;
	free(v);
	return m;
}

static void classify(struct cmd *c, size_t n, double median, struct img_scan_result *res)
{
	for (size_t i = 0; i < n; i++) {
		double per = c[i].seconds / c[i].n;

		c[i].cls = IMG_SCAN_NORMAL;
		if (!c[i].ok)
			c[i].cls = IMG_SCAN_FAILED;
		else
			for (int k = IMG_SCAN_SLOW; k < IMG_SCAN_FAILED; k++)
				if (per >= limits[k].ratio * median &&
				    c[i].seconds >= limits[k].min_seconds)
					c[i].cls = (enum img_scan_class)k;
		res->class_reads[c[i].cls]++;
	}
}

static enum sp_status slow_areas(const struct cmd *c, size_t n, struct img_scan_result *res,
				 struct sp_error *err)
{
	size_t alloc = 0;

	for (size_t i = 0; i < n; i++) {
		struct img_scan_area *l = res->n_slow ? &res->slow[res->n_slow - 1] : NULL;

		if (c[i].cls == IMG_SCAN_NORMAL)
			continue;
		if (l && l->cls == c[i].cls && l->lba + l->sectors == c[i].lba) {
			l->sectors += c[i].n;
			l->seconds += c[i].seconds;
			continue;
		}
		if (res->n_slow == alloc) {
			size_t na = alloc ? alloc * 2 : 16;
			void *p = realloc(res->slow, na * sizeof(*res->slow));

			if (!p)
				return sp_error_set(err, SPE_NOMEM, "out of memory");
			res->slow = p;
			alloc = na;
		}
		res->slow[res->n_slow++] = (struct img_scan_area){ c[i].lba, c[i].n, c[i].cls,
								   c[i].seconds };
	}
	return SP_OK;
}

/* Average the commands over `bins` stretches of the scanned sectors. */
static enum sp_status zones(const struct cmd *c, size_t n, int64_t sectors, size_t bins,
			    const struct img_ranges *bad, struct img_scan_zone **out,
			    size_t *n_out, struct sp_error *err)
{
	int64_t len;
	size_t k = 0, j = 0;

	*out = NULL;
	*n_out = 0;
	if (!n || sectors <= 0)
		return SP_OK;
	len = (sectors + (int64_t)bins - 1) / (int64_t)bins;
	len = len < c[0].n ? c[0].n : (len + c[0].n - 1) / c[0].n * c[0].n;
	bins = (size_t)((sectors + len - 1) / len);
	*out = calloc(bins, sizeof(**out));
	if (!*out)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	for (size_t z = 0; z < bins; z++) {
		struct img_scan_zone *o = &(*out)[z];
		int64_t zs = (int64_t)z * len, ze = zs + len < sectors ? zs + len : sectors;
		int64_t good = 0;
		double good_time = 0;

		o->lba = zs;
		o->sectors = ze - zs;
		o->min_kbps = -1;
		for (; k < n && c[k].lba < ze; k++) {
			double kbps = c[k].seconds > 0 ? c[k].n * (SP_SECTOR / 1000.0) / c[k].seconds : 0;

			o->seconds += c[k].seconds;
			o->reads[c[k].cls]++;
			if (!c[k].ok)
				continue;
			good += c[k].n;
			good_time += c[k].seconds;
			if (o->min_kbps < 0 || kbps < o->min_kbps)
				o->min_kbps = kbps;
		}
		o->kbps = good_time > 0 ? (double)good * (SP_SECTOR / 1000.0) / good_time : 0;
		if (o->min_kbps < 0)
			o->min_kbps = 0;
		for (; j < bad->n && bad->v[j].lba < ze; j++) {
			int64_t a = bad->v[j].lba > zs ? bad->v[j].lba : zs;
			int64_t e = bad->v[j].lba + bad->v[j].count;

			o->bad_sectors += (e < ze ? e : ze) - a;
			if (e > ze)
				break;  /* the range goes on into the next zone */
		}
	}
	*n_out = bins;
	return SP_OK;
}

static enum sp_status push_cmd(struct cmd **v, size_t *n, size_t *alloc, struct cmd c,
			       struct sp_error *err)
{
	if (*n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 1024;
		void *p = realloc(*v, na * sizeof(**v));

		if (!p)
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		*v = p;
		*alloc = na;
	}
	(*v)[(*n)++] = c;
	return SP_OK;
}

/* Read each ECC block of a failed command once; name the bad ones. */
static enum sp_status narrow(struct drv_drive *d, int64_t lba, uint32_t n, uint32_t ecc,
			     void *buf, struct img_scan_result *res, struct sp_error *err)
{
	for (uint32_t k = 0; k < n; k += ecc) {
		struct sp_error e = SP_ERROR_INIT;
		uint32_t m = n - k < ecc ? n - k : ecc, done = 0;

		if (drv_read(d, lba + k, m, buf, &done, &e) == SP_OK) {
			res->read_sectors += m;
			continue;
		}
		if (e.code == SPE_ABORTED)
			return sp_error_set(err, SPE_ABORTED, "interrupted");
		res->read_sectors += done;
		if (img_ranges_add(res->bad, lba + k + done, m - done) != SP_OK)
			return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	return SP_OK;
}

/*
 * The first command carries the drive's spin-up and the reader's own
 * first-call costs (under valgrind: translating the read path), which
 * would show as a slow area at LBA 0 that the disc does not have.  When
 * it looks slow against the median, it is read and timed once more, at
 * the end of the scan (the drive's cache holds the last sectors by then,
 * not the first), and the faster time counts: a really slow first area
 * is slow both times.
 */
static void retime_first(struct drv_drive *d, struct cmd *c, size_t n, void *buf,
			 double *good_time)
{
	struct sp_error e = SP_ERROR_INIT;
	uint32_t done = 0;
	double median, t0, dt;

	if (n < 2 || !c[0].ok || drv_interrupted())
		return;
	median = median_per_sector(c, n);
	if (c[0].seconds / c[0].n < limits[IMG_SCAN_SLOW].ratio * median)
		return;
	t0 = sp_now();
	if (drv_read(d, c[0].lba, c[0].n, buf, &done, &e) == SP_OK) {
		dt = sp_now() - t0;
		if (dt < c[0].seconds) {
			*good_time -= c[0].seconds - dt;
			c[0].seconds = (float)dt;
		}
	}
	sp_error_clear(&e);
}

enum sp_status img_scan(struct drv_drive *d, const struct img_scan_opts *o,
			struct img_scan_result *res, struct sp_error *err)
{
	struct drv_medium m;
	struct cmd *cmds = NULL;
	size_t n = 0, alloc = 0;
	uint32_t ecc = o->ecc_block, chunk;
	int64_t cap = drv_readable_sectors(d), lba = 0;
	double t_start = sp_now(), last_progress = 0, good_time = 0;
	void *buf = NULL;
	enum sp_status st = SP_FAILED;

	memset(res, 0, sizeof(*res));
	res->bad = calloc(1, sizeof(*res->bad));
	if (!res->bad)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (!ecc) {
		memset(&m, 0, sizeof(m));
		if (drv_get_medium(d, &m, err) != SP_OK)
			return SP_FAILED;
		ecc = m.ecc_block ? m.ecc_block : 1;
		if (m.is_virtual)
			ecc = 1;
		drv_medium_release(&m);
	}
	if (cap <= 0)
		return sp_error_set(err, SPE_MEDIUM, "the medium has no readable sectors to scan");
	if (ecc > DRV_READ_MAX)
		ecc = DRV_READ_MAX;
	chunk = DRV_READ_MAX / ecc * ecc;
	res->ecc_block = ecc;
	res->sectors = cap;
	buf = malloc((size_t)chunk * SP_SECTOR);
	if (!buf)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	while (lba < cap) {
		struct sp_error e = SP_ERROR_INIT;
		uint32_t want = cap - lba < chunk ? (uint32_t)(cap - lba) : chunk, done = 0;
		double t0, dt;
		bool ok;

		if (drv_interrupted()) {
			res->stopped = true;
			break;
		}
		t0 = sp_now();
		ok = drv_read(d, lba, want, buf, &done, &e) == SP_OK;
		dt = sp_now() - t0;
		if (push_cmd(&cmds, &n, &alloc, (struct cmd){ lba, want, ok, (float)dt,
			     IMG_SCAN_NORMAL }, err) != SP_OK)
			goto out;
		res->reads++;
		if (ok) {
			res->read_sectors += want;
			good_time += dt;
		} else if (narrow(d, lba, want, ecc, buf, res, err) != SP_OK) {
			if (err->code == SPE_ABORTED) {
				res->stopped = true;
				sp_error_clear(err);
				break;
			}
			goto out;
		}
		lba += want;
		if (o->progress && (sp_now() - last_progress >= 0.2 || lba >= cap)) {
			struct img_scan_progress p = { lba, cap, img_ranges_total(res->bad),
				sp_now() - t_start, dt > 0 ? want * (SP_SECTOR / 1000.0) / dt : 0 };

			last_progress = sp_now();
			o->progress(&p, o->ctx);
		}
	}
	res->elapsed = sp_now() - t_start;
	retime_first(d, cmds, n, buf, &good_time);
	res->avg_kbps = good_time > 0 ? (double)res->read_sectors * (SP_SECTOR / 1000.0) / good_time : 0;
	res->median_ms_per_sector = median_per_sector(cmds, n) * 1000;
	classify(cmds, n, res->median_ms_per_sector / 1000, res);
	if (slow_areas(cmds, n, res, err) != SP_OK)
		goto out;
	if (zones(cmds, n, res->stopped ? lba : cap, o->zones > 0 ? (size_t)o->zones : 100,
		  res->bad, &res->zones, &res->n_zones, err) != SP_OK)
		goto out;
	{
		struct img_scan_zone *z;
		size_t nz;

		if (zones(cmds, n, res->stopped ? lba : cap, CURVE_POINTS, res->bad, &z, &nz,
			  err) != SP_OK)
			goto out;
		res->curve = calloc(nz ? nz : 1, sizeof(*res->curve));
		if (!res->curve) {
			free(z);
			sp_error_set(err, SPE_NOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < nz; i++) {
			if (z[i].kbps <= 0)
				continue;       /* nothing read well there */
			res->curve[res->n_curve++] = (struct img_speed_point){ z[i].lba,
				z[i].sectors, z[i].kbps };
			if (z[i].kbps > res->max_kbps)
				res->max_kbps = z[i].kbps;
			if (res->min_kbps <= 0 || z[i].kbps < res->min_kbps)
				res->min_kbps = z[i].kbps;
		}
		free(z);
	}
	st = SP_OK;
out:
	free(cmds);
	free(buf);
	return st;
}

void img_scan_result_release(struct img_scan_result *res)
{
	if (res->bad) {
		img_ranges_release(res->bad);
		free(res->bad);
	}
	free(res->slow);
	free(res->zones);
	free(res->curve);
	memset(res, 0, sizeof(*res));
}

enum sp_status img_scan_to_mapfile(const struct img_scan_result *res,
				   struct img_mapfile *m, struct sp_error *err)
{
	int64_t end = res->sectors;

	if (res->stopped && res->n_zones)
		end = res->zones[res->n_zones - 1].lba + res->zones[res->n_zones - 1].sectors;
	if (img_mapfile_reset(m, res->sectors * SP_SECTOR) != SP_OK ||
	    img_mapfile_mark(m, 0, end * SP_SECTOR, '+', IMG_MARK_ALWAYS) != SP_OK)
		goto oom;
	for (size_t i = 0; res->bad && i < res->bad->n; i++)
		if (img_mapfile_mark(m, res->bad->v[i].lba * SP_SECTOR,
				     res->bad->v[i].count * SP_SECTOR, '-',
				     IMG_MARK_ALWAYS) != SP_OK)
			goto oom;
	m->current_status = '+';
	return SP_OK;
oom:
	return sp_error_set(err, SPE_NOMEM, "out of memory");
}
