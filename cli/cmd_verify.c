/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_verify.c - spindle verify.  PLACEHOLDER until its issue lands. */
#include "config.h"

#include "cli/cli.h"

static const struct cli_opt opts[] = {
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_verify = {
	"[-d DRIVE] IMAGE",
	"Compare a disc with an image",
	"",
	opts,
};

int cmd_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	const char *arg;
	int c;

	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		if (c == CLI_OPT_EXIT)
			return SP_EXIT_OK;
		return SP_EXIT_USAGE;
	}
	/* until the image comparison lands: the MD5 tag check */
	if (ctx->optind == argc)
		return cmd_verify_tags(ctx, cli_drive(ctx), NULL);
	if (ctx->optind + 1 == argc && !ctx->n_drives)
		return cmd_verify_tags(ctx, NULL, argv[ctx->optind]);
	sp_error_set(&err, SPE_UNSUPPORTED, "'spindle verify' is not implemented yet");
	return cli_fail(ctx, &err);
}
