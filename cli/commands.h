/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * commands.h - spindle's subcommands and what the front end gives them.
 *
 * How to add a command
 * --------------------
 *  1. Write cli/cmd_NAME.c.  It defines
 *       int cmd_NAME(struct cli_ctx *ctx, int argc, char **argv);
 *       const struct cli_doc doc_NAME = { synopsis, summary, description, opts };
 *     It includes only cli/cli.h, cli/commands.h and the public headers
 *     drive/drive.h, imaging/imaging.h, common/common.h.
 *  2. Declare both below and add one line to commands[] in cli/commands.c,
 *     with the flags that state its preconditions.
 *  3. Add the file to spindle_SOURCES in Makefile.am.
 *  4. Run `make man` to regenerate docs/spindle.1 and the shell completion
 *     in completion/ (tests fail if they are stale), add
 *     tests/cli/test_NAME.sh, and a line to NEWS.
 *  5. The work itself belongs below cli/: in an area of imaging/
 *     (imaging/<area>/, declared in imaging/<area>/<area>.h, which
 *     imaging/imaging.h includes; a new area gets its own folder and
 *     header) or in drive/ (drive/drive.h).  cli/ only parses, calls and
 *     reports.  Where each area lives: docs/architecture.md.
 *
 * Option parsing: loop on cli_next_opt() (cli/cli.h).  It handles the
 * common options (-d, --json, -v, -q, -h) and --help from the command's
 * doc, so every command's --help and man entry come from one place.
 */
#ifndef SPINDLE_COMMANDS_H
#define SPINDLE_COMMANDS_H

struct cli_ctx;

/* Preconditions, stated in the table and enforced by main.c. */
enum cmd_flags {
	CMD_NEEDS_DRIVE = 1 << 0,   /* takes -d DRIVE (or picks the only drive) */
	CMD_WRITES_MEDIA = 1 << 1,  /* may change what is on a medium */
	CMD_MULTI_DRIVE = 1 << 2,   /* -d may be given several times */
};

struct cli_opt {
	const char *name;       /* long name, without "--" */
	int key;                /* short letter, or an id >= 256 */
	const char *arg;        /* NULL: a flag; else the argument's name; a
				 * fixed set of values is written "a|b|c", a
				 * file of one type "NAME.ext" (completion
				 * offers them, see cli/completion.c) */
	const char *help;       /* one sentence */
};

struct cli_doc {
	const char *synopsis;     /* "[-d DRIVE] IMAGE|-" */
	const char *summary;      /* one line, no trailing period */
	const char *description;  /* paragraphs separated by blank lines */
	const struct cli_opt *opts; /* terminated by { NULL } */
	/* options of a mode handled elsewhere (rip --audio, burn of audio),
	 * listed after opts, leaving out names opts already has; or NULL */
	const struct cli_opt *more_opts;
};

struct cli_command {
	const char *name;
	int (*run)(struct cli_ctx *ctx, int argc, char **argv);
	unsigned flags;
	const struct cli_doc *doc;
};

extern const struct cli_command commands[];
const struct cli_command *cli_find_command(const char *name);

#define DECLARE_CMD(name) \
	int cmd_##name(struct cli_ctx *ctx, int argc, char **argv); \
	extern const struct cli_doc doc_##name

DECLARE_CMD(drives);
DECLARE_CMD(info);
DECLARE_CMD(burn);
DECLARE_CMD(verify);
DECLARE_CMD(rip);
DECLARE_CMD(mkiso);
DECLARE_CMD(files);
DECLARE_CMD(ls);
DECLARE_CMD(extract);
DECLARE_CMD(blank);
DECLARE_CMD(format);
DECLARE_CMD(eject);
DECLARE_CMD(convert);
DECLARE_CMD(protect);
DECLARE_CMD(repair);
DECLARE_CMD(scan);
DECLARE_CMD(report);

#endif
