/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_blank.c - spindle blank: erase a CD-RW or DVD-RW. */
#include "config.h"

#include "cli/cli.h"
#include "drive/drive.h"

enum { OPT_FAST = 256, OPT_FULL, OPT_FORCE };

static const struct cli_opt opts[] = {
	{ "fast", OPT_FAST, NULL, "erase only the table of contents (the default); quick" },
	{ "full", OPT_FULL, NULL, "erase the whole disc; takes as long as burning it full" },
	{ "force", OPT_FORCE, NULL, "fast-blank a disc that is blank already" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_blank = {
	"[-d DRIVE] [--fast|--full] [--force]",
	"Blank a rewritable CD or DVD",
	"Erases a CD-RW or DVD-RW so that it can be written from the start "
	"again.  --fast (the default) erases the table of contents and takes "
	"about a minute; --full overwrites the whole disc.  A DVD-RW that was "
	"formatted to restricted overwrite returns to sequential recording; note "
	"that a fast-blanked DVD-RW accepts only DAO writing (a whole disc in one "
	"session), not incremental multi-session writing; blank it --full for "
	"that.  A fast blank of a blank disc is skipped.\n\n"
	"DVD+RW, DVD-RAM and BD-RE are not blanked: burn over them, or use "
	"'spindle format'.  Write-once media (CD-R, DVD-R, DVD+R, BD-R) cannot "
	"be erased.",
	opts,
	NULL,
};

struct blank_state {
	struct cli_ctx *ctx;
	const char *verb;
};

static void show_progress(double fraction, double elapsed, void *arg)
{
	struct blank_state *s = arg;

	cli_progress(s->ctx, "%s: %3.0f%%  %.0f s", s->verb, fraction * 100, elapsed);
}

int cmd_blank(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;
	struct drv_drive *d = NULL;
	struct drv_medium m;
	enum drv_blank_mode mode = DRV_BLANK_FAST;
	struct blank_state bs = { ctx, "blanking" };
	bool force = false, have_medium = false;
	const char *arg;
	int c, rc = SP_EXIT_OK;

	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		switch (c) {
		case OPT_FAST: mode = DRV_BLANK_FAST; break;
		case OPT_FULL: mode = DRV_BLANK_FULL; break;
		case OPT_FORCE: force = true; break;
		case CLI_OPT_EXIT: return SP_EXIT_OK;
		default: return SP_EXIT_USAGE;
		}
	}
	if (ctx->optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
	oo.access = DRV_WRITE;
	if (drv_open(&d, cli_drive(ctx), &oo, &err) != SP_OK)
		return cli_fail(ctx, &err);
	if (drv_get_medium(d, &m, &err) != SP_OK)
		goto fail;
	have_medium = true;
	/* a fast blank of a blank disc changes nothing; a full one does */
	if (m.status == DRV_DISC_BLANK && m.erasable && !force && mode == DRV_BLANK_FAST &&
	    (m.profile == 0x0a || m.profile == 0x14)) {
		if (!ctx->json && !ctx->quiet)
			fprintf(stderr, "spindle: the %s is blank already; nothing to do "
				"(--force blanks it anyway)\n", m.profile_name);
		goto report;
	}
	if (drv_blank(d, mode, show_progress, &bs, &err) != SP_OK) {
		cli_progress_end(ctx);
		goto fail;
	}
	cli_progress_end(ctx);
	drv_medium_release(&m);
	if (drv_get_medium(d, &m, &err) != SP_OK) {
		have_medium = false;
		goto fail;
	}
	if (!ctx->json && !ctx->quiet)
		fprintf(stderr, "spindle: blanked the %s in %s (%s)\n", m.profile_name,
			drv_address(d), mode == DRV_BLANK_FULL ? "full" : "fast");
report:
	if (ctx->json) {
		json_t *r = cli_json_result(ctx, true);

		json_object_set_new(r, "drive", json_string(drv_address(d)));
		json_object_set_new(r, "mode", json_string(mode == DRV_BLANK_FULL ? "full" : "fast"));
		json_object_set_new(r, "profile", json_integer(m.profile));
		json_object_set_new(r, "profile_name", json_string(m.profile_name));
		json_object_set_new(r, "status", json_string(drv_disc_status_name(m.status)));
		cli_json_emit(r);
	}
	goto out;
fail:
	rc = cli_fail(ctx, &err);
out:
	if (have_medium)
		drv_medium_release(&m);
	drv_close(d, DRV_KEEP_TRAY);
	return rc;
}
