/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_report.c - spindle report: the picture of a mapfile written earlier
 * (spindle's or GNU ddrescue's), as an HTML page, an SVG, or the
 * one-screen text map.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/master_args.h"
#include "imaging/imaging.h"

enum { OPT_MEDIUM = 256, OPT_TITLE };

static const struct cli_opt opts[] = {
	{ "output", 'o', "FILE", "write the report to FILE.html (a page) or FILE.svg (the picture); without it, the text map goes to standard output" },
	{ "medium", OPT_MEDIUM, "cd|dvd|bd", "the kind of disc, for where the sectors lie on it (default: guessed from the size)" },
	{ "title", OPT_TITLE, "TEXT", "the report's title, shown before the mapfile's name (default: spindle report)" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_report = {
	"MAPFILE [IMAGE] [-o FILE.html|FILE.svg] [--medium cd|dvd|bd]",
	"Draw a disc map from a mapfile",
	"Draws the areas of MAPFILE, a GNU ddrescue mapfile written by spindle "
	"rip or by ddrescue, coloured by state: rescued, bad, non-trimmed, "
	"non-scraped, untried (and, in reports of rip, verify and scan, run-out, "
	"repaired and mismatch).  The areas are drawn on a disc, each at the "
	"radius where its sectors lie on a disc of constant linear velocity "
	"(sector n at radius sqrt(r0^2 + n k), with the program area from 25 to "
	"58 mm on CD and 24 to 58 mm on DVD and BD and k from the medium's "
	"nominal capacity), and along a strip; areas smaller than a pixel are "
	"merged, each drawn in the worst state among them, so that the file "
	"stays small whatever the mapfile holds.\n\n"
	"With IMAGE, an ISO 9660 image (the rip's output), the files that "
	"overlap damage are listed with their bad sectors, linked to their place "
	"on the map.\n\n"
	"FILE.html is one self-contained page (inline SVG and CSS, no script, "
	"nothing fetched from the network) with the drive, medium, times and "
	"totals; FILE.svg is the picture alone.  Without -o the one-screen text "
	"map (block characters and a legend) is printed.\n\n"
	"With --json the result object carries output, mapfile, total_bytes, "
	"areas, states (bytes of each state by name), files (null without "
	"IMAGE: {path, size, bad_sectors, first_bad_lba}), tree_damaged and "
	"files_error when the ISO tree could not be read.",
	opts,
	NULL,
};

static int medium_profile(const char *s)
{
	if (!strcmp(s, "cd"))
		return 0x09;
	if (!strcmp(s, "dvd"))
		return 0x10;
	if (!strcmp(s, "bd"))
		return 0x40;
	return -1;
}

static json_t *states_json(const struct img_report *r)
{
	int64_t tot[IMG_AREA__COUNT];
	json_t *o = json_object();

	img_report_totals(r, tot);
	for (int s = 0; s < IMG_AREA__COUNT; s++)
		json_object_set_new(o, img_area_state_name((enum img_area_state)s),
				    json_integer(tot[s]));
	return o;
}

int cmd_report(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT, fe = SP_ERROR_INIT;
	struct img_report r = IMG_REPORT_INIT;
	struct img_mapfile m;
	struct img_ranges bad = IMG_RANGES_INIT;
	struct img_iso_damage files;
	const char *arg, *out = NULL, *map, *image = NULL, *title = NULL;
	bool exists = false, have_files = false;
	int c, rc = SP_EXIT_OK, profile = 0;

	img_mapfile_init(&m);
	memset(&files, 0, sizeof(files));
	cli_permute_args(ctx, argc, argv);
	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		switch (c) {
		case CLI_OPT_EXIT:
			return SP_EXIT_OK;
		case 'o':
			if (cli_report_option(ctx, arg) >= 0)
				return SP_EXIT_USAGE;
			out = arg;
			break;
		case OPT_MEDIUM:
			profile = medium_profile(arg);
			if (profile < 0)
				return cli_usage_error(ctx, "--medium: '%s' is not cd, dvd or bd", arg);
			break;
		case OPT_TITLE:
			title = arg;
			break;
		default:
			return SP_EXIT_USAGE;
		}
	}
	if (ctx->optind >= argc)
		return cli_usage_error(ctx, "no mapfile given");
	map = argv[ctx->optind++];
	if (ctx->optind < argc)
		image = argv[ctx->optind++];
	if (ctx->optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
	if (img_mapfile_load(&m, map, &exists, &err) != SP_OK)
		goto fail;
	if (!exists) {
		sp_error_set(&err, SPE_NOENT, "mapfile '%s' does not exist", map);
		goto fail;
	}
	if (!m.n) {
		sp_error_set(&err, SPE_FORMAT, "mapfile '%s' holds no areas", map);
		goto fail;
	}
	r.title = title ? title : "spindle report";
	r.source = map;
	r.mapfile = map;
	r.image = image;
	r.profile = profile;
	if (img_report_set_map(&r, &m, &err) != SP_OK)
		goto fail;
	if (image) {
		if (img_mapfile_bad_ranges(&m, &bad, &err) != SP_OK)
			goto fail;
		if (img_iso_damaged_files(image, &bad, &files, &fe) == SP_OK) {
			have_files = true;
			r.files = &files;
		} else {
			cli_warn(ctx, "cannot list the damaged files of '%s': %s", image, fe.msg);
		}
	}
	if (out && img_report_write(&r, out, &err) != SP_OK)
		goto fail;
	if (ctx->json) {
		json_t *j = cli_json_result(ctx, true);

		json_object_set_new(j, "output", out ? json_string(out) : json_null());
		json_object_set_new(j, "mapfile", json_string(map));
		json_object_set_new(j, "total_bytes", json_integer(r.total_bytes));
		json_object_set_new(j, "areas", json_integer((json_int_t)r.areas.n));
		json_object_set_new(j, "states", states_json(&r));
		json_object_set_new(j, "files", have_files ? cli_files_json(&files) : json_null());
		json_object_set_new(j, "tree_damaged", json_boolean(have_files && files.tree_damaged));
		if (fe.msg[0])
			json_object_set_new(j, "files_error", json_string(fe.msg));
		cli_json_emit(j);
	} else if (out) {
		if (!ctx->quiet)
			printf("report: %s (%zu areas)\n", out, r.areas.n);
	} else {
		img_report_text(&r, stdout, isatty(STDOUT_FILENO));
		if (have_files)
			cli_print_files(&files);
	}
	goto out;
fail:
	rc = cli_fail(ctx, &err);
out:
	img_report_release(&r);
	img_iso_damage_release(&files);
	img_ranges_release(&bad);
	img_mapfile_release(&m);
	return rc;
}
