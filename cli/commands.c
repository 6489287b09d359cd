/* SPDX-License-Identifier: GPL-3.0-or-later */
/* commands.c - the one dispatch table.  See commands.h to add a command. */
#include "config.h"

#include <string.h>

#include "cli/cli.h"

const struct cli_command commands[] = {
	{ "drives",  cmd_drives,  0, &doc_drives },
	{ "info",    cmd_info,    CMD_NEEDS_DRIVE, &doc_info },
	{ "burn",    cmd_burn,    CMD_NEEDS_DRIVE | CMD_WRITES_MEDIA | CMD_MULTI_DRIVE, &doc_burn },
	{ "verify",  cmd_verify,  CMD_NEEDS_DRIVE, &doc_verify },
	{ "rip",     cmd_rip,     CMD_NEEDS_DRIVE, &doc_rip },
	{ "mkiso",   cmd_mkiso,   0, &doc_mkiso },
	{ "files",   cmd_files,   0, &doc_files },
	{ "ls",      cmd_ls,      CMD_NEEDS_DRIVE, &doc_ls },
	{ "extract", cmd_extract, CMD_NEEDS_DRIVE, &doc_extract },
	{ "blank",   cmd_blank,   CMD_NEEDS_DRIVE | CMD_WRITES_MEDIA, &doc_blank },
	{ "format",  cmd_format,  CMD_NEEDS_DRIVE | CMD_WRITES_MEDIA, &doc_format },
	{ "eject",   cmd_eject,   CMD_NEEDS_DRIVE, &doc_eject },
	{ "convert", cmd_convert, 0, &doc_convert },
	{ "protect", cmd_protect, 0, &doc_protect },
	{ "repair",  cmd_repair,  0, &doc_repair },
	{ "scan",    cmd_scan,    CMD_NEEDS_DRIVE, &doc_scan },
	{ "report",  cmd_report,  0, &doc_report },
	{ NULL, NULL, 0, NULL }
};

const struct cli_command *cli_find_command(const char *name)
{
	for (const struct cli_command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}
