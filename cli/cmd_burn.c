/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_burn.c - spindle burn.  PLACEHOLDER until its issue lands. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "cli/cli.h"

const struct cli_doc doc_burn = {
	"[-d DRIVE] IMAGE|-",
	"Write an image file or standard input to a disc",
	BURN_AUDIO_DESCRIPTION,
	burn_audio_opts,
};

int cmd_burn(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	const char *arg;
	int c;

	/* audio CDs live in cmd_burn_audio.c */
	for (int i = 1; i < argc; i++) {
		size_t l = strlen(argv[i]);

		if (!strcmp(argv[i], "--audio") ||
		    (l > 4 && (!strcasecmp(argv[i] + l - 4, ".cue") ||
			       !strcasecmp(argv[i] + l - 4, ".wav"))) ||
		    (l > 5 && !strcasecmp(argv[i] + l - 5, ".flac")))
			return cmd_burn_audio(ctx, argc, argv);
	}
	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		if (c == CLI_OPT_EXIT)
			return SP_EXIT_OK;
		return SP_EXIT_USAGE;
	}
	sp_error_set(&err, SPE_UNSUPPORTED, "'spindle burn' is not implemented yet");
	return cli_fail(ctx, &err);
}
