/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_rip.c - spindle rip.  PLACEHOLDER until its issue lands. */
#include "config.h"

#include <string.h>

#include "cli/cli.h"


const struct cli_doc doc_rip = {
	"[-d DRIVE | SOURCE] -o OUT.iso [--map OUT.map]",
	"Copy a disc to an image, recovering from read errors",
	RIP_AUDIO_DESCRIPTION,
	rip_audio_opts,
};

int cmd_rip(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	const char *arg;
	int c;

	/* audio and raw copies live in cmd_rip_audio.c */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--audio") || !strcmp(argv[i], "--raw"))
			return cmd_rip_audio(ctx, argc, argv);
	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		if (c == CLI_OPT_EXIT)
			return SP_EXIT_OK;
		return SP_EXIT_USAGE;
	}
	sp_error_set(&err, SPE_UNSUPPORTED, "'spindle rip' is not implemented yet");
	return cli_fail(ctx, &err);
}
