/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * read_times.c - read timings binned by LBA: what a read curve needs, in
 * memory bounded by the number of bins rather than the number of reads.
 * The rescue engine times every read command into one; a report draws it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imaging/base/base.h"

enum sp_status img_read_times_init(struct img_read_times *t, int64_t sectors, size_t bins)
{
	img_read_times_release(t);
	if (sectors <= 0 || bins == 0)
		return SP_OK;
	t->per_bin = (sectors + (int64_t)bins - 1) / (int64_t)bins;
	t->n = (size_t)((sectors + t->per_bin - 1) / t->per_bin);
	t->v = calloc(t->n, sizeof(*t->v));
	if (!t->v) {
		t->n = 0;
		return SP_FATAL;
	}
	t->sectors = sectors;
	return SP_OK;
}

void img_read_times_add(struct img_read_times *t, int64_t lba, int64_t count,
			double seconds, bool ok)
{
	int64_t end = lba + count, p;

	if (!t->v || count <= 0 || lba < 0 || lba >= t->sectors)
		return;
	if (seconds < 0)
		seconds = 0;
	if (end > t->sectors)
		end = t->sectors;
	for (p = lba; p < end;) {
		size_t i = (size_t)(p / t->per_bin);
		int64_t e = ((int64_t)i + 1) * t->per_bin, k;
		double share;

		if (e > end)
			e = end;
		k = e - p;
		share = seconds * (double)k / (double)count;
		if (ok) {
			t->v[i].sectors += k;
			t->v[i].seconds += share;
		} else {
			t->v[i].failed_sectors += k;
			t->v[i].failed_seconds += share;
		}
		p = e;
	}
}

enum sp_status img_read_times_copy(struct img_read_times *dst, const struct img_read_times *src)
{
	img_read_times_release(dst);
	if (!src->n)
		return SP_OK;
	dst->v = malloc(src->n * sizeof(*dst->v));
	if (!dst->v)
		return SP_FATAL;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = src->n;
	dst->sectors = src->sectors;
	dst->per_bin = src->per_bin;
	return SP_OK;
}

void img_read_times_release(struct img_read_times *t)
{
	free(t->v);
	*t = (struct img_read_times)IMG_READ_TIMES_INIT;
}
