/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ranges.c - growing lists of LBA ranges. */
#include "config.h"

#include <stdlib.h>

#include "imaging/base/base.h"

enum sp_status img_ranges_add(struct img_ranges *r, int64_t lba,
			      int64_t count)
{
	if (count <= 0)
		return SP_OK;
	if (r->n && r->v[r->n - 1].lba + r->v[r->n - 1].count == lba) {
		r->v[r->n - 1].count += count;
		return SP_OK;
	}
	if (r->n == r->alloc) {
		size_t na = r->alloc ? r->alloc * 2 : 16;
		void *p = realloc(r->v, na * sizeof(*r->v));

		if (!p)
			return SP_FATAL;
		r->v = p;
		r->alloc = na;
	}
	r->v[r->n].lba = lba;
	r->v[r->n].count = count;
	r->n++;
	return SP_OK;
}

int64_t img_ranges_total(const struct img_ranges *r)
{
	int64_t t = 0;

	for (size_t i = 0; i < r->n; i++)
		t += r->v[i].count;
	return t;
}

void img_ranges_release(struct img_ranges *r)
{
	free(r->v);
	r->v = NULL;
	r->n = r->alloc = 0;
}
