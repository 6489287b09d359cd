/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_format.c - spindle format: DVD+RW, DVD-RW, DVD-RAM, BD-RE, BD-R. */
#include "config.h"

#include "cli/cli.h"
#include "drive/drive.h"

enum { OPT_QUICK = 256, OPT_FULL, OPT_SPARE, OPT_NO_SPARE, OPT_SIZE, OPT_FORCE };

static const struct cli_opt opts[] = {
	{ "quick", OPT_QUICK, NULL, "quick format, no certification (the default)" },
	{ "full", OPT_FULL, NULL, "full format: DVD-RW fully, BD-RE/DVD-RAM with certification" },
	{ "spare", OPT_SPARE, NULL, "with spare areas: defect management (default on BD-RE, DVD-RAM, BD-R)" },
	{ "no-spare", OPT_NO_SPARE, NULL, "BD-RE, DVD-RAM: no spare areas, full capacity, no defect management" },
	{ "size", OPT_SIZE, "SIZE", "BD-RE, DVD-RAM, BD-R: usable size (the drive rounds it)" },
	{ "force", OPT_FORCE, NULL, "format a medium that is formatted already (its content is lost)" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_format = {
	"[-d DRIVE] [--quick|--full] [--spare|--no-spare] [--size SIZE] [--force]",
	"Format a DVD+RW, DVD-RW, BD-RE or BD-R",
	"Formats a rewritable medium for random-access writing, or a blank "
	"BD-R for defect management:\n\n"
	"DVD+RW: formatted once before first use (burn does that by itself).\n\n"
	"DVD-RW: switches from sequential recording to restricted overwrite, "
	"which behaves like DVD+RW; 'spindle blank' switches back.\n\n"
	"BD-RE and DVD-RAM: formatted with spare areas for defect management "
	"by default; --no-spare gives the full capacity without it.\n\n"
	"BD-R: formatting a blank BD-R sets spare areas aside, so that the drive "
	"replaces bad blocks while writing (slower, and a little smaller).  An "
	"unformatted BD-R is written without defect management.\n\n"
	"A medium that is formatted already is refused unless --force is given.",
	opts,
	NULL,
};

struct format_state {
	struct cli_ctx *ctx;
};

static void show_progress(double fraction, double elapsed, void *arg)
{
	struct format_state *s = arg;

	cli_progress(s->ctx, "formatting: %3.0f%%  %.0f s", fraction * 100, elapsed);
}

int cmd_format(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;
	struct drv_format_opts fo = DRV_FORMAT_OPTS_INIT;
	struct format_state fs = { ctx };
	struct drv_drive *d = NULL;
	struct drv_medium m;
	bool have_medium = false;
	uint64_t size;
	const char *arg;
	int c, rc = SP_EXIT_OK;

	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		switch (c) {
		case OPT_QUICK: fo.full = false; break;
		case OPT_FULL: fo.full = true; break;
		case OPT_SPARE: fo.spare = DRV_SPARE_ON; break;
		case OPT_NO_SPARE: fo.spare = DRV_SPARE_OFF; break;
		case OPT_SIZE:
			if (cli_parse_size_opt(ctx, "--size", arg, &size) < 0)
				return SP_EXIT_USAGE;
			if (size < SP_SECTOR)
				return cli_usage_error(ctx, "--size: '%s' is smaller than a sector", arg);
			fo.size_sectors = (int64_t)(size / SP_SECTOR);
			break;
		case OPT_FORCE: fo.reformat = true; break;
		case CLI_OPT_EXIT: return SP_EXIT_OK;
		default: return SP_EXIT_USAGE;
		}
	}
	if (ctx->optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
	if (fo.spare == DRV_SPARE_OFF && fo.size_sectors)
		return cli_usage_error(ctx, "--no-spare and --size exclude each other");
	oo.access = DRV_WRITE;
	if (drv_open(&d, cli_drive(ctx), &oo, &err) != SP_OK)
		return cli_fail(ctx, &err);
	if (drv_format(d, &fo, show_progress, &fs, &err) != SP_OK) {
		cli_progress_end(ctx);
		goto fail;
	}
	cli_progress_end(ctx);
	if (drv_get_medium(d, &m, &err) != SP_OK)
		goto fail;
	have_medium = true;
	if (!ctx->json && !ctx->quiet)
		fprintf(stderr, "spindle: formatted the %s in %s: %lld sectors usable\n",
			m.profile_name, drv_address(d), (long long)m.capacity_sectors);
	if (ctx->json) {
		json_t *r = cli_json_result(ctx, true);

		json_object_set_new(r, "drive", json_string(drv_address(d)));
		json_object_set_new(r, "profile", json_integer(m.profile));
		json_object_set_new(r, "profile_name", json_string(m.profile_name));
		json_object_set_new(r, "status", json_string(drv_disc_status_name(m.status)));
		json_object_set_new(r, "capacity_sectors", json_integer(m.capacity_sectors));
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
