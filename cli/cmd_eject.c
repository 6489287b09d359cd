/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_eject.c - spindle eject: open or close the tray, lock it. */
#include "config.h"

#include "cli/cli.h"
#include "drive/drive.h"

enum { OPT_LOAD = 256, OPT_LOCK, OPT_UNLOCK };

static const struct cli_opt opts[] = {
	{ "load", OPT_LOAD, NULL, "close the tray and wait for the disc, instead of ejecting" },
	{ "lock", OPT_LOCK, NULL, "lock the tray against the eject button, instead of ejecting" },
	{ "unlock", OPT_UNLOCK, NULL, "unlock the tray, instead of ejecting" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_eject = {
	"[-d DRIVE] [--load] [--lock|--unlock]",
	"Open or close the tray, or lock it",
	"Opens the tray (ejects the disc).  With --load, closes the tray and "
	"waits until the drive has recognised the disc.  With --lock, locks the "
	"tray so that the eject button does nothing; the lock stays after "
	"spindle exits, until 'spindle eject --unlock', or until a burning or "
	"reading program releases the drive.  An open tray is left open.",
	opts,
	NULL,
};

int cmd_eject(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	enum { EJECT, LOAD, LOCK, UNLOCK } action = EJECT;
	static const char *const names[] = { "eject", "load", "lock", "unlock" };
	static const char *const done[] = { "opened the tray of", "loaded", "locked the tray of",
					    "unlocked the tray of" };
	const char *arg, *drive;
	int c, n = 0;
	enum sp_status st;

	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		switch (c) {
		case OPT_LOAD: action = LOAD; n++; break;
		case OPT_LOCK: action = LOCK; n++; break;
		case OPT_UNLOCK: action = UNLOCK; n++; break;
		case CLI_OPT_EXIT: return SP_EXIT_OK;
		default: return SP_EXIT_USAGE;
		}
	}
	if (ctx->optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
	if (n > 1)
		return cli_usage_error(ctx, "--load, --lock and --unlock exclude each other");
	drive = cli_drive(ctx);
	switch (action) {
	case LOAD: st = drv_load(drive, &err); break;
	case LOCK: st = drv_lock(drive, true, &err); break;
	case UNLOCK: st = drv_lock(drive, false, &err); break;
	default: st = drv_eject(drive, &err); break;
	}
	if (st != SP_OK)
		return cli_fail(ctx, &err);
	if (ctx->json) {
		json_t *r = cli_json_result(ctx, true);

		json_object_set_new(r, "action", json_string(names[action]));
		json_object_set_new(r, "drive", drive ? json_string(drive) : json_null());
		cli_json_emit(r);
	} else if (!ctx->quiet) {
		fprintf(stderr, "spindle: %s %s\n", done[action], drive ? drive : "the drive");
	}
	return SP_EXIT_OK;
}
