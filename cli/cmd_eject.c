/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_eject.c - spindle eject.  PLACEHOLDER until its issue lands. */
#include "config.h"

#include "cli/cli.h"

static const struct cli_opt opts[] = {
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_eject = {
	"[-d DRIVE] [--load] [--lock|--unlock]",
	"Open or close the tray, or lock it",
	"",
	opts,
};

int cmd_eject(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	const char *arg;
	int c;

	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		if (c == CLI_OPT_EXIT)
			return SP_EXIT_OK;
		return SP_EXIT_USAGE;
	}
	sp_error_set(&err, SPE_UNSUPPORTED, "'spindle eject' is not implemented yet");
	return cli_fail(ctx, &err);
}
