/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_rip.c - spindle rip.  PLACEHOLDER until its issue lands. */
#include "config.h"

#include "cli/cli.h"

static const struct cli_opt opts[] = {
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_rip = {
	"[-d DRIVE | SOURCE] -o OUT.iso [--map OUT.map]",
	"Copy a disc to an image, recovering from read errors",
	"",
	opts,
};

int cmd_rip(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	const char *arg;
	int c;

	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		if (c == CLI_OPT_EXIT)
			return SP_EXIT_OK;
		return SP_EXIT_USAGE;
	}
	sp_error_set(&err, SPE_UNSUPPORTED, "'spindle rip' is not implemented yet");
	return cli_fail(ctx, &err);
}
