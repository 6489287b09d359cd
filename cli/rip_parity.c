/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rip_parity.c - rebuilding instead of re-reading: the rescue engine's
 * repair callback for a rip of an augmented disc (spindle burn --protect,
 * dvdisaster RS02/RS03) or a rip with --ecc FILE.ecc (RS01/RS03).  After
 * every pass that read more (from the first copying pass on), the sectors
 * not yet rescued are given to the codec as erasures; those it rebuilds
 * (codeword decoded, CRCs matching) are marked rescued, so trimming,
 * scraping and retrying spend no drive time on them.
 */
#include "config.h"

#include <string.h>

#include "cli/cli.h"
#include "imaging/imaging.h"

enum sp_status cli_rip_parity_repair(void *arg, const struct img_ranges *missing,
				     struct img_ranges *fixed, struct sp_error *err)
{
	struct cli_rip_parity *p = arg;
	struct img_ecc_opts o = IMG_ECC_OPTS_INIT;
	struct img_ecc_summary s = IMG_ECC_SUMMARY_INIT;
	enum sp_status st;

	(void)err;
	/* an augmented disc shows it once its header (or a copy) is read */
	if (!p->ecc && !img_ecc_is_augmented(p->out))
		return SP_OK;
	o.erasures = missing;
	s.written_ranges = fixed;
	sp_error_init(&p->last_error);
	st = img_ecc_check(p->out, p->ecc, IMG_ECC_REPAIR, &o, &s, &p->last_error);
	if (st != SP_FAILED && st != SP_FATAL) {
		memcpy(p->method, s.method, sizeof(p->method));
		sp_error_init(&p->last_error);
	}
	img_ecc_summary_release(&s);
	/* no repair is no error: the passes read on */
	return st == SP_FATAL ? SP_FATAL : SP_OK;
}

void cli_rip_parity_done(struct cli_ctx *ctx, const struct cli_rip_parity *p, int64_t repaired)
{
	if (p->last_error.code != SPE_NONE)
		cli_warn(ctx, "the error-correction data%s could not repair the image: %s",
			 p->ecc ? "" : " on the disc", p->last_error.msg);
	if (repaired && !ctx->quiet && !ctx->json)
		fprintf(stderr, "spindle rip: %lld sector%s rebuilt from %s %s error-correction data instead of read again\n",
			(long long)repaired, repaired == 1 ? "" : "s",
			p->ecc ? "the" : "the disc's", p->method);
}
