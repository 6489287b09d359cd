/* SPDX-License-Identifier: GPL-3.0-or-later */
/* isoread_guard.c - stop libisofs on truncated and looping ISO trees. */
#include "config.h"

#include <stdlib.h>

#include "imaging/fs/fs.h"

struct img_read_count {
	int64_t lba;
	uint32_t n;             /* 0: empty slot */
};

static size_t slot(int64_t lba, size_t alloc)
{
	return (size_t)((uint64_t)lba * 0x9E3779B97F4A7C15ULL >> 20) & (alloc - 1);
}

/* How often this block was read, this read included; 0: out of memory. */
static uint32_t count_read(struct img_read_guard *g, int64_t lba)
{
	size_t i;

	if (2 * (g->seen_n + 1) > g->seen_alloc) {
		size_t na = g->seen_alloc ? 2 * g->seen_alloc : 1024;
		struct img_read_count *nv = calloc(na, sizeof(*nv));

		if (!nv)
			return 0;
		for (size_t k = 0; k < g->seen_alloc; k++) {
			if (!g->seen[k].n)
				continue;
			for (i = slot(g->seen[k].lba, na); nv[i].n; i = (i + 1) & (na - 1))
				;
			nv[i] = g->seen[k];
		}
		free(g->seen);
		g->seen = nv;
		g->seen_alloc = na;
	}
	for (i = slot(lba, g->seen_alloc); g->seen[i].n; i = (i + 1) & (g->seen_alloc - 1))
		if (g->seen[i].lba == lba)
			return ++g->seen[i].n;
	g->seen[i].lba = lba;
	g->seen[i].n = 1;
	g->seen_n++;
	return 1;
}

bool img_read_guard_ok(struct img_read_guard *g, int64_t lba)
{
	uint32_t n;

	if (g->stop != IMG_READ_GOING)
		return false;
	g->stop_lba = lba;
	if (drv_interrupted()) {
		g->stop = IMG_READ_SIGNAL;
		return false;
	}
	if (lba < 0 || lba >= g->sectors) {
		g->stop = IMG_READ_PAST_END;
		return false;
	}
	n = count_read(g, lba);
	if (n == 0)
		g->stop = IMG_READ_NOMEM;
	else if (n > IMG_READ_GUARD_MAX)
		g->stop = IMG_READ_LOOP;
	return g->stop == IMG_READ_GOING;
}

bool img_read_guard_explain(const struct img_read_guard *g, const char *name,
			    struct sp_error *err)
{
	switch (g->stop) {
	case IMG_READ_GOING:
		return false;
	case IMG_READ_SIGNAL:
		sp_error_set(err, SPE_ABORTED, "interrupted while reading the ISO 9660 tree of '%s'",
			     name);
		break;
	case IMG_READ_PAST_END:
		sp_error_set(err, SPE_FORMAT,
			     "cannot read the ISO 9660 tree of '%s': it is truncated (it ends before sector %lld, which the tree needs)",
			     name, (long long)g->stop_lba);
		break;
	case IMG_READ_LOOP:
		sp_error_set(err, SPE_FORMAT,
			     "cannot read the ISO 9660 tree of '%s': its directories loop (sector %lld)",
			     name, (long long)g->stop_lba);
		break;
	case IMG_READ_NOMEM:
		sp_error_set(err, SPE_NOMEM, "out of memory");
		break;
	}
	return true;
}

void img_read_guard_release(struct img_read_guard *g)
{
	free(g->seen);
	g->seen = NULL;
	g->seen_n = g->seen_alloc = 0;
}
