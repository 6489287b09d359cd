/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c - spindle's entry point: global options, then one command. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "drive/drive.h"

static void print_version(void)
{
	printf("spindle %s\n", PACKAGE_VERSION);
	printf("Copyright (C) 2026 the spindle authors.\n"
	       "License GPL-3.0-or-later <https://gnu.org/licenses/gpl.html>.\n"
	       "This is free software: you are free to change and redistribute it.\n"
	       "There is NO WARRANTY, to the extent permitted by law.\n");
}

int main(int argc, char **argv)
{
	struct cli_ctx ctx;
	struct sp_error err = SP_ERROR_INIT;
	const struct cli_command *cmd;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	if (getuid() != geteuid() || getgid() != getegid()) {
		fprintf(stderr, "spindle: error: refusing to run setuid or setgid\n"
			"hint: grant access to the drive device instead (group cdrom)\n");
		return SP_EXIT_USAGE;
	}
	if (argc < 2) {
		cli_print_main_help(stderr);
		return SP_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		if (argc > 2 && (cmd = cli_find_command(argv[2]))) {
			cli_print_help(stdout, cmd);
			return SP_EXIT_OK;
		}
		cli_print_main_help(stdout);
		return SP_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		print_version();
		return SP_EXIT_OK;
	}
	if (!strcmp(argv[1], "--man")) {
		cli_print_man(stdout);
		return SP_EXIT_OK;
	}
	if (!strcmp(argv[1], "--completion")) {
		if (cli_print_completion(stdout, argc > 2 ? argv[2] : NULL) < 0) {
			fprintf(stderr, "spindle: error: --completion needs a shell: bash or zsh\n");
			return SP_EXIT_USAGE;
		}
		return SP_EXIT_OK;
	}
	cmd = cli_find_command(argv[1]);
	if (!cmd) {
		if (argv[1][0] == '-')
			return cli_usage_error(&ctx, "unknown option '%s'", argv[1]);
		return cli_usage_error(&ctx, "'%s' is not a spindle command", argv[1]);
	}
	ctx.cmd = cmd;
	ctx.tty = isatty(STDERR_FILENO);
	if (argc > 2 && !strcmp(argv[2], "--version")) {
		print_version();
		return SP_EXIT_OK;
	}
	drv_signals_install();
	if (drv_lib_init(&err) != SP_OK)
		return cli_fail(&ctx, &err);
	rc = cmd->run(&ctx, argc - 1, argv + 1);
	/* a command that stopped parsing early (a bad value) leaves these */
	free(ctx.longopts);
	drv_lib_finish();
	return rc;
}
