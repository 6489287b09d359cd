/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * block_check.c - what the RS02 and RS03 checkers do alike with one ecc
 * block once they have found its erasures: decode (ISA-L, with the plan of
 * the last erasure pattern kept per worker), check the recovered sectors
 * against their CRCs, and if they do not match, try errors at unknown
 * positions as well (2e + s <= roots); the tallies and the list of image
 * sectors left damaged, per worker and then in the summary.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "imaging/ecc/ecc_private.h"

int ecc_block_decode_checked(struct ecc_block_worker *w, int roots,
			     uint8_t *const layers[ECC_LAYERS], uint8_t erased[ECC_LAYERS], int s,
			     const struct ecc_block_ops *ops, struct ecc_tally *t, bool *good)
{
	uint8_t changed[ECC_LAYERS];

	*good = false;
	if (s > roots)
		return 0;
	if (!w->have_plan || memcmp(w->pattern, erased, ECC_LAYERS) != 0) {
		if (ecc_plan_build(&w->plan, roots, erased) != 0) {
			errno = ENOMEM;
			return -1;
		}
		memcpy(w->pattern, erased, ECC_LAYERS);
		w->have_plan = true;
	}
	ecc_plan_run(&w->plan, SP_SECTOR, layers);
	*good = ops->ok(ops->ctx, erased, layers);
	/* a wrong sector nobody flagged (a garbled parity sector, an image
	 * sector whose CRC is lost): errors and erasures */
	if (*good || ecc_block_decode(roots, layers, erased, changed) != 0)
		return 0;
	*good = true;
	for (int j = 0; j < ECC_LAYERS; j++) {
		int kind;

		if (!changed[j] || erased[j])
			continue;
		kind = ops->kind(ops->ctx, j);
		if (kind == ECC_LAYER_VIRTUAL)
			*good = false;      /* a sector that is known: no decode */
		erased[j] = 1;
		if (kind == ECC_LAYER_IMAGE)
			t->damaged++;
		else
			t->damaged_ecc++;
	}
	*good = *good && ops->ok(ops->ctx, erased, layers);
	return 0;
}

void ecc_tally_add(struct ecc_tally *to, const struct ecc_tally *t)
{
	to->damaged += t->damaged;
	to->damaged_ecc += t->damaged_ecc;
	to->repaired += t->repaired;
	to->repaired_ecc += t->repaired_ecc;
	to->unrepairable += t->unrepairable;
}

void ecc_block_flush(struct ecc_block_worker *w, struct img_ecc_summary *sum)
{
	for (int k = 0; k < w->nlisted; k++)
		ecc_summary_add_remaining(sum, w->listed[k]);
	w->nlisted = 0;
}

void ecc_block_list(struct ecc_block_worker *w, pthread_mutex_t *lock,
		    struct img_ecc_summary *sum, uint64_t n)
{
	if (w->nlisted == ECC_LISTED_PER_WORKER) {
		pthread_mutex_lock(lock);
		ecc_block_flush(w, sum);
		pthread_mutex_unlock(lock);
	}
	w->listed[w->nlisted++] = n;
}

void ecc_block_finish(struct ecc_block_worker *w, struct img_ecc_summary *sum)
{
	sum->damaged += w->t.damaged;
	sum->damaged_ecc += w->t.damaged_ecc;
	sum->repaired += w->t.repaired;
	sum->repaired_ecc += w->t.repaired_ecc;
	sum->unrepairable += w->t.unrepairable;
	ecc_block_flush(w, sum);
}
