/* SPDX-License-Identifier: GPL-3.0-or-later */
/* options.c - one option parser for every command, driven by its doc. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "drive/drive.h"

enum {
	OPT_JSON = 1000,
	OPT_HELP_LONG,
};

static const struct cli_opt common_drive_opt = {
	"drive", 'd', "DRIVE", "the drive: /dev/srN, or stdio:FILE for a virtual drive"
};

static const struct cli_opt common_opts[] = {
	{ "json", OPT_JSON, NULL, "print JSON Lines on standard output (see JSON OUTPUT)" },
	{ "verbose", 'v', NULL, "say more, including the libraries' own messages; repeatable" },
	{ "quiet", 'q', NULL, "show no progress" },
	{ "help", 'h', NULL, "show this help" },
	{ NULL, 0, NULL, NULL }
};

static void add_opt(struct option *lo, size_t *n, char *shorts, const struct cli_opt *o)
{
	lo[*n].name = o->name;
	lo[*n].has_arg = o->arg ? required_argument : no_argument;
	lo[*n].flag = NULL;
	lo[*n].val = o->key;
	(*n)++;
	if (o->key > 0 && o->key < 128) {
		size_t l = strlen(shorts);
		shorts[l++] = (char)o->key;
		if (o->arg)
			shorts[l++] = ':';
		shorts[l] = '\0';
	}
}

static int build(struct cli_ctx *ctx)
{
	const struct cli_opt *o;
	struct option *lo;
	size_t n = 0, count = 8;

	for (o = ctx->cmd->doc->opts; o && o->name; o++)
		count++;
	lo = calloc(count, sizeof(*lo));
	if (!lo)
		return -1;
	strcpy(ctx->shortopts, "+");
	if (ctx->cmd->flags & CMD_NEEDS_DRIVE)
		add_opt(lo, &n, ctx->shortopts, &common_drive_opt);
	for (o = common_opts; o->name; o++)
		add_opt(lo, &n, ctx->shortopts, o);
	for (o = ctx->cmd->doc->opts; o && o->name; o++)
		add_opt(lo, &n, ctx->shortopts, o);
	ctx->longopts = lo;
	optind = 1;
	opterr = 0;
	return 0;
}

static const char *opt_name(struct cli_ctx *ctx, int key, char *buf, size_t len)
{
	const struct option *lo = ctx->longopts;

	for (; lo && lo->name; lo++)
		if (lo->val == key) {
			snprintf(buf, len, "--%s", lo->name);
			return buf;
		}
	snprintf(buf, len, "-%c", key);
	return buf;
}

int cli_next_opt(struct cli_ctx *ctx, int argc, char **argv, const char **arg)
{
	char name[64];
	int c;

	if (!ctx->longopts && build(ctx) < 0)
		return CLI_OPT_ERROR;
	for (;;) {
		int prev = optind;

		c = getopt_long(argc, argv, ctx->shortopts, ctx->longopts, NULL);
		*arg = optarg;
		switch (c) {
		case -1:
			ctx->optind = optind;
			drv_set_verbosity(ctx->verbose);
			free(ctx->longopts);
			ctx->longopts = NULL;
			return CLI_OPT_END;
		case 'd':
			if (!(ctx->cmd->flags & CMD_NEEDS_DRIVE))
				break;
			if (ctx->n_drives && !(ctx->cmd->flags & CMD_MULTI_DRIVE))
				return cli_usage_error(ctx, "-d may be given only once"),
				       CLI_OPT_ERROR;
			if (ctx->n_drives == CLI_MAX_DRIVES)
				return cli_usage_error(ctx, "at most %d drives", CLI_MAX_DRIVES),
				       CLI_OPT_ERROR;
			if (!*optarg)
				return cli_usage_error(ctx, "-d needs a drive address"),
				       CLI_OPT_ERROR;
			ctx->drives[ctx->n_drives++] = optarg;
			continue;
		case OPT_JSON:
			ctx->json = true;
			continue;
		case 'v':
			ctx->verbose++;
			continue;
		case 'q':
			ctx->quiet = true;
			continue;
		case 'h':
			cli_print_help(stdout, ctx->cmd);
			free(ctx->longopts);
			ctx->longopts = NULL;
			return CLI_OPT_EXIT;
		case ':':
			return cli_usage_error(ctx, "option '%s' needs a value",
					       argv[prev]), CLI_OPT_ERROR;
		case '?':
			if (optopt && optopt < 128 && strchr(ctx->shortopts, optopt))
				return cli_usage_error(ctx, "option '%s' needs a value",
						       opt_name(ctx, optopt, name, sizeof(name))),
				       CLI_OPT_ERROR;
			if (optopt)
				return cli_usage_error(ctx, "unknown option '-%c'", optopt),
				       CLI_OPT_ERROR;
			return cli_usage_error(ctx, "unknown option '%s'", argv[prev]),
			       CLI_OPT_ERROR;
		default:
			break;
		}
		return c;
	}
}

const char *cli_drive(const struct cli_ctx *ctx)
{
	return ctx->n_drives ? ctx->drives[0] : NULL;
}

int cli_no_args(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *arg;
	int c;

	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		if (c == CLI_OPT_EXIT)
			return SP_EXIT_OK;
		return SP_EXIT_USAGE;
	}
	if (ctx->optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
	return -1;
}

int cli_usage_error(struct cli_ctx *ctx, const char *fmt, ...)
{
	struct sp_error err = SP_ERROR_INIT;
	va_list ap;

	/* parsing ends here: release the parser's table */
	free(ctx->longopts);
	ctx->longopts = NULL;
	err.code = SPE_USAGE;
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	snprintf(err.hint, sizeof(err.hint), "see 'spindle %s --help'",
		 ctx->cmd ? ctx->cmd->name : "");
	if (!ctx->cmd)
		snprintf(err.hint, sizeof(err.hint), "see 'spindle --help'");
	return cli_fail(ctx, &err);
}

int cli_parse_size_opt(struct cli_ctx *ctx, const char *opt, const char *s,
		       uint64_t *out)
{
	if (sp_parse_size(s, out) < 0) {
		cli_usage_error(ctx, "%s: '%s' is not a size (examples: 2048, 16M, 1G)", opt, s);
		return -1;
	}
	return 0;
}

int cli_parse_uint_opt(struct cli_ctx *ctx, const char *opt, const char *s,
		       uint64_t min, uint64_t max, uint64_t *out)
{
	if (sp_parse_uint(s, min, max, out) < 0) {
		cli_usage_error(ctx, "%s: '%s' is not a whole number from %llu to %llu",
				opt, s, (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	return 0;
}
