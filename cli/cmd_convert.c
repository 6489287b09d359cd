/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_convert.c - spindle convert.  PLACEHOLDER until its issue lands. */
#include "config.h"

#include "cli/cli.h"

static const struct cli_opt opts[] = {
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_convert = {
	"IMAGE.cue -o OUT.iso",
	"Convert a BIN/CUE image with a data track to ISO",
	"",
	opts,
};

int cmd_convert(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	const char *arg;
	int c;

	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		if (c == CLI_OPT_EXIT)
			return SP_EXIT_OK;
		return SP_EXIT_USAGE;
	}
	sp_error_set(&err, SPE_UNSUPPORTED, "'spindle convert' is not implemented yet");
	return cli_fail(ctx, &err);
}
