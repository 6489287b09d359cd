/* SPDX-License-Identifier: GPL-3.0-or-later */
/* output.c - error and warning lines, JSON Lines, the progress line. */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "cli/cli.h"
#include "imaging/imaging.h"

json_t *cli_error_json(const struct sp_error *err)
{
	json_t *e = json_pack("{s:s, s:i, s:s, s:i}",
			      "code", sp_errcode_name(err->code),
			      "exit", (int)sp_exit_code(err->code),
			      "message", err->msg,
			      "errno", err->sys_errno);

	if (err->hint[0])
		json_object_set_new(e, "hint", json_string(err->hint));
	if (err->lba >= 0)
		json_object_set_new(e, "lba", json_integer(err->lba));
	if (err->has_sense) {
		char s[16];

		snprintf(s, sizeof(s), "%02X/%02X/%02X", err->sense_key, err->asc, err->ascq);
		json_object_set_new(e, "sense", json_string(s));
	}
	if (err->detail[0])
		json_object_set_new(e, "detail", json_string(err->detail));
	return e;
}

void cli_json_emit(json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);

	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		fflush(stdout);
		free(s);
	}
	json_decref(obj);
}

void cli_json_progress(struct cli_ctx *ctx, json_t *ev, bool final)
{
	double now = sp_now();

	if (!final && now - ctx->json_progress_at < 1.0) {
		json_decref(ev);
		return;
	}
	ctx->json_progress_at = now;
	cli_json_emit(ev);
}

json_t *cli_ranges_json(const char *len_key, const struct img_ranges *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->n; i++)
		json_array_append_new(a, json_pack("{s:I, s:I}", "lba", (json_int_t)r->v[i].lba,
						   len_key, (json_int_t)r->v[i].count));
	return a;
}

json_t *cli_rescue_progress_json(const char *command, const struct img_rescue_progress *p)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}",
		"type", "progress", "command", command, "phase", p->phase_name,
		"pass", p->pass, "lba", (json_int_t)p->pos_lba,
		"rescued_bytes", (json_int_t)p->rescued_bytes,
		"total_bytes", (json_int_t)p->total_bytes,
		"bad_bytes", (json_int_t)p->bad_bytes,
		"bad_areas", (json_int_t)p->bad_areas,
		"reads", (json_int_t)p->reads,
		"failed_reads", (json_int_t)p->failed_reads, "rate", p->rate);
}

json_t *cli_json_result(struct cli_ctx *ctx, bool ok)
{
	return json_pack("{s:s, s:s, s:b}", "type", "result",
			 "command", ctx->cmd ? ctx->cmd->name : "spindle", "ok", ok);
}

void cli_print_error(struct cli_ctx *ctx, const char *what, const struct sp_error *err)
{
	const char *who = what ? what : ctx->cmd ? ctx->cmd->name : NULL;

	cli_progress_end(ctx);
	fprintf(stderr, "spindle%s%s: error: %s\n", who ? " " : "", who ? who : "",
		err->msg[0] ? err->msg : sp_strerror(err->code));
	if (err->hint[0])
		fprintf(stderr, "hint: %s\n", err->hint);
	if (ctx->verbose && err->detail[0])
		fprintf(stderr, "detail: %s\n", err->detail);
}

int cli_fail(struct cli_ctx *ctx, const struct sp_error *err)
{
	cli_print_error(ctx, NULL, err);
	if (ctx->json) {
		json_t *r = cli_json_result(ctx, false);

		json_object_set_new(r, "error", cli_error_json(err));
		cli_json_emit(r);
	}
	return sp_exit_code(err->code);
}

void cli_warn(struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return;
	cli_progress_end(ctx);
	fprintf(stderr, "spindle: warning: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool progress_open;

void cli_progress(struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!ctx->tty || ctx->quiet || ctx->json)
		return;
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	progress_open = true;
}

void cli_progress_end(struct cli_ctx *ctx)
{
	(void)ctx;
	if (progress_open) {
		fputc('\n', stderr);
		progress_open = false;
	}
}
