/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary.c - the list of sectors left damaged, kept by the checkers. */
#include "config.h"

#include <stdlib.h>

#include "imaging/base/base.h"
#include "imaging/ecc/ecc_private.h"

void img_ecc_summary_release(struct img_ecc_summary *sum)
{
	free(sum->remaining);
	sum->remaining = NULL;
	sum->nremaining = 0;
}

void ecc_summary_add_repaired(struct img_ecc_summary *sum, uint64_t sector)
{
	if (sum->repaired_ranges)
		img_ranges_add(sum->repaired_ranges, (int64_t)sector, 1);
}

void ecc_summary_add_written(struct img_ecc_summary *sum, uint64_t sector, uint64_t count)
{
	if (sum->written_ranges)
		img_ranges_add(sum->written_ranges, (int64_t)sector, (int64_t)count);
}

void ecc_summary_add_remaining(struct img_ecc_summary *sum, uint64_t sector)
{
	if (sum->damaged_ranges)
		img_ranges_add(sum->damaged_ranges, (int64_t)sector, 1);
	if (sum->nremaining >= IMG_ECC_MAX_LISTED)
		return;
	if (!sum->remaining) {
		sum->remaining = malloc(IMG_ECC_MAX_LISTED * sizeof(uint64_t));
		if (!sum->remaining)
			return;
	}
	sum->remaining[sum->nremaining++] = sector;
}
