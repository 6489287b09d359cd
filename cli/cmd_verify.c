/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_verify.c - spindle verify: compare a disc with an image. */
#include "config.h"

#include "cli/cli.h"
#include "cli/master_args.h"
#include "drive/drive.h"
#include "imaging/imaging.h"

enum { OPT_LBA = 256, OPT_REPORT };

static const struct cli_opt opts[] = {
	{ "lba", OPT_LBA, "LBA", "compare from this sector of the medium on (default 0)" },
	{ "report", OPT_REPORT, "FILE", "draw the map of matching, differing and unreadable sectors into FILE.html or FILE.svg" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_verify = {
	"[-d DRIVE] [--lba LBA] [IMAGE]",
	"Compare a disc with an image",
	"Reads exactly as many sectors as the image holds and compares them "
	"with it.  The zero padding of the last sector, 32 KiB alignment on DVD "
	"and BD and the run-out sectors of a CD TAO track are never read, so "
	"they never cause a false alarm.  Sectors are read with no retries "
	"through the drive's SCSI interface (libburn), never through the "
	"kernel's buffered block device.\n\n"
	"There are three outcomes, each with its own exit status: match (0), "
	"with the SHA-256 of the data; mismatch (5), naming the LBA ranges that "
	"differ; unreadable (6), naming the LBA ranges that could not be read.  "
	"When sectors both differ and fail to read, mismatch is reported, and "
	"both lists are in the JSON result.\n\n"
	"Without IMAGE, the disc is checked against the MD5 tags that spindle "
	"mkiso (and xorriso -md5 on) record: the superblock, tree and session "
	"tags, and each file's MD5, naming the damaged files.  With IMAGE but no "
	"-d, the image file itself is checked that way.  Exit status 0 means all "
	"good, 5 that recorded MD5s do not match, 6 that sectors could not be "
	"read.  A disc or image without tags gets a message saying so and the "
	"SHA-256 of its content, with status 0.\n\n"
	"--report FILE.html or FILE.svg draws the comparison of a disc with an "
	"image: matching sectors as rescued, differing ones as mismatch, "
	"unreadable ones as bad (see spindle report); on a terminal the same "
	"map, on one screen, ends the output.",
	opts,
	NULL,
};

/* The comparison as a map: --report FILE and the terminal map. */
static bool draw(struct cli_ctx *ctx, struct drv_drive *d, const char *image,
		 const struct img_verify_result *res, const char *path)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_report r = IMG_REPORT_INIT;
	struct img_mapfile m;
	char medium[80];
	bool ok = true;

	img_mapfile_init(&m);
	if (img_mapfile_reset(&m, res->sectors * SP_SECTOR) != SP_OK ||
	    img_mapfile_mark(&m, 0, res->sectors * SP_SECTOR, '+', IMG_MARK_ALWAYS) != SP_OK) {
		sp_error_set(&err, SPE_NOMEM, "out of memory");
		goto fail;
	}
	if (img_report_set_map(&r, &m, &err) != SP_OK ||
	    img_report_overlay(&r, &res->differ, IMG_AREA_MISMATCH, &err) != SP_OK ||
	    img_report_overlay(&r, &res->unreadable, IMG_AREA_BAD, &err) != SP_OK)
		goto fail;
	r.title = "spindle verify";
	r.source = drv_address(d);
	r.image = image;
	cli_report_medium(d, &r, medium, sizeof(medium));
	ok = cli_report_finish(ctx, &r, path);
	goto out;
fail:
	if (path) {
		cli_print_error(ctx, "report", &err);
		ok = false;
	}
out:
	img_report_release(&r);
	img_mapfile_release(&m);
	return ok;
}

int cmd_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;
	struct img_verify_opts vo = IMG_VERIFY_OPTS_INIT;
	struct img_verify_result res = IMG_VERIFY_RESULT_INIT;
	struct drv_drive *d = NULL;
	const char *arg, *image = NULL;
	uint64_t lba = 0;
	bool lba_set = false;
	const char *report = NULL;
	int c, rc;

	cli_permute_args(ctx, argc, argv);
	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		switch (c) {
		case OPT_LBA:
			if (cli_parse_uint_opt(ctx, "--lba", arg, 0, INT32_MAX, &lba) < 0)
				return SP_EXIT_USAGE;
			lba_set = true;
			break;
		case OPT_REPORT:
			if (cli_report_option(ctx, arg) >= 0)
				return SP_EXIT_USAGE;
			report = arg;
			break;
		case CLI_OPT_EXIT:
			return SP_EXIT_OK;
		default:
			return SP_EXIT_USAGE;
		}
	}
	if (ctx->optind < argc)
		image = argv[ctx->optind++];
	if (ctx->optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
	if (lba_set && (!image || !ctx->n_drives))
		return cli_usage_error(ctx, "--lba compares a disc with an image: give -d DRIVE and IMAGE");
	if (report && (!image || !ctx->n_drives))
		return cli_usage_error(ctx, "--report draws the comparison of a disc with an image: give -d DRIVE and IMAGE");
	if (!image)
		return cmd_verify_tags(ctx, cli_drive(ctx), NULL);
	if (!ctx->n_drives)
		return cmd_verify_tags(ctx, NULL, image);
	if (drv_open(&d, cli_drive(ctx), &oo, &err) != SP_OK)
		return cli_fail(ctx, &err);
	vo.start_lba = (int64_t)lba;
	vo.progress = cli_verify_progress;
	vo.ctx = ctx;
	if (img_verify_image(d, image, &vo, &res, &err) != SP_OK) {
		rc = cli_fail(ctx, &err);
	} else {
		json_t *r = cli_json_result(ctx, true);

		json_object_set_new(r, "drive", json_string(drv_address(d)));
		json_object_set_new(r, "image", json_string(image));
		json_object_set_new(r, "lba", json_integer((json_int_t)lba));
		rc = cli_report_verify(ctx, &res, r);
		if (ctx->json)
			cli_json_emit(r);
		else
			json_decref(r);
		if (!draw(ctx, d, image, &res, report) && rc == SP_EXIT_OK)
			rc = SP_EXIT_FAILURE;
	}
	img_verify_result_release(&res);
	drv_close(d, DRV_KEEP_TRAY);
	return rc;
}
