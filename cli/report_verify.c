/* SPDX-License-Identifier: GPL-3.0-or-later */
/* report_verify.c - how a verify outcome is told, for burn and verify. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "imaging/imaging.h"

/* "LBA 100, 200-209, ..." into buf, at most `max` ranges */
static const char *ranges_text(const struct img_ranges *r, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->n && at + 40 < len; i++) {
		if (i == 8) {
			snprintf(buf + at, len - at, " and %zu more ranges", r->n - i);
			break;
		}
		if (r->v[i].count == 1)
			at += (size_t)snprintf(buf + at, len - at, "%s%lld", i ? ", " : "",
					       (long long)r->v[i].lba);
		else
			at += (size_t)snprintf(buf + at, len - at, "%s%lld-%lld", i ? ", " : "",
					       (long long)r->v[i].lba,
					       (long long)(r->v[i].lba + r->v[i].count - 1));
	}
	return buf;
}

int cli_report_verify(struct cli_ctx *ctx, const struct img_verify_result *res,
		      json_t *r)
{
	struct sp_error err = SP_ERROR_INIT;
	char list[512];

	cli_progress_end(ctx);
	json_object_set_new(r, "outcome", json_string(img_verify_outcome_name(res->outcome)));
	json_object_set_new(r, "sha256", json_string(res->sha256));
	json_object_set_new(r, "bytes", json_integer((json_int_t)res->bytes));
	json_object_set_new(r, "sectors", json_integer(res->sectors));
	json_object_set_new(r, "differ", cli_ranges_json("count", &res->differ));
	json_object_set_new(r, "unreadable", cli_ranges_json("count", &res->unreadable));
	if (res->outcome == IMG_VERIFY_MATCH) {
		if (!ctx->json)
			printf("verify: match, %lld sectors (%llu bytes), sha256 %s\n",
			       (long long)res->sectors, (unsigned long long)res->bytes, res->sha256);
		return SP_EXIT_OK;
	}
	if (res->outcome == IMG_VERIFY_MISMATCH && res->differ.n) {
		sp_error_set(&err, SPE_MISMATCH,
			     "the medium differs from the image in %lld sector%s: LBA %s",
			     (long long)img_ranges_total(&res->differ),
			     img_ranges_total(&res->differ) == 1 ? "" : "s",
			     ranges_text(&res->differ, list, sizeof(list)));
		err.lba = res->differ.v[0].lba;
		sp_error_hint(&err, "the burn is bad: burn the image again, on a new disc if it is write-once");
	} else if (res->outcome == IMG_VERIFY_MISMATCH) {
		sp_error_set(&err, SPE_MISMATCH,
			     "the medium differs from what was burned (sha256 %s)", res->sha256);
		sp_error_hint(&err, "the burn is bad: burn again, on a new disc if it is write-once");
	} else {
		sp_error_set(&err, SPE_READ, "%lld sector%s of the medium could not be read: LBA %s",
			     (long long)img_ranges_total(&res->unreadable),
			     img_ranges_total(&res->unreadable) == 1 ? "" : "s",
			     ranges_text(&res->unreadable, list, sizeof(list)));
		err.lba = res->unreadable.v[0].lba;
		if (res->first_read_error.code != SPE_NONE) {
			snprintf(err.detail, sizeof(err.detail), "%s", res->first_read_error.msg);
			if (res->first_read_error.has_sense) {
				err.has_sense = 1;
				err.sense_key = res->first_read_error.sense_key;
				err.asc = res->first_read_error.asc;
				err.ascq = res->first_read_error.ascq;
			}
		}
		sp_error_hint(&err, res->medium_sectors >= 0 && res->unreadable.n &&
				     res->unreadable.v[res->unreadable.n - 1].lba +
				     res->unreadable.v[res->unreadable.n - 1].count > res->medium_sectors
			? "the medium is shorter than the image: the burn did not finish"
			: "clean the disc and try again, or rescue the data with 'spindle rip'");
	}
	if (!ctx->json)
		printf("verify: %s\n", img_verify_outcome_name(res->outcome));
	json_object_set_new(r, "ok", json_false());
	json_object_set_new(r, "error", cli_error_json(&err));
	{
		/* the error line on stderr, without a second JSON object */
		bool json = ctx->json;

		ctx->json = false;
		cli_fail(ctx, &err);
		ctx->json = json;
	}
	return sp_exit_code(err.code);
}

void cli_verify_progress(const struct img_verify_progress *p, void *vctx)
{
	struct cli_ctx *ctx = vctx;
	double pct = p->sectors_total > 0 ? 100.0 * (double)p->sectors_done / (double)p->sectors_total : 0;
	double rate = p->elapsed > 0 ? (double)p->sectors_done * SP_SECTOR / p->elapsed : 0;
	double eta = rate > 0 ? (double)(p->sectors_total - p->sectors_done) * SP_SECTOR / rate : -1;
	char t[32];

	if (ctx->json) {
		cli_json_progress(ctx, json_pack("{s:s, s:s, s:s, s:I, s:I, s:f, s:f, s:I}",
			"type", "progress", "command", ctx->cmd->name, "phase", "verifying",
			"sectors_done", (json_int_t)p->sectors_done,
			"sectors_total", (json_int_t)p->sectors_total,
			"percent", pct, "bytes_per_sec", rate,
			"bad_sectors", (json_int_t)p->bad_sectors),
			p->sectors_done >= p->sectors_total);
		return;
	}
	cli_progress(ctx, "verifying %5.1f%%  %7.1f MB/s  ETA %s  bad sectors %lld",
		     pct, rate / 1e6, sp_human_time(eta, t, sizeof(t)),
		     (long long)p->bad_sectors);
}
