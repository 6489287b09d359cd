/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_files.c - spindle files: the files of an ISO hit by a mapfile's bad areas. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "imaging/imaging.h"

enum { OPT_MAP = 256 };

static const struct cli_opt opts[] = {
	{ "map", OPT_MAP, "MAPFILE", "the GNU ddrescue mapfile of IMAGE (required)" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_files = {
	"--map MAPFILE IMAGE",
	"List the files of an ISO image that overlap bad areas",
	"Opens IMAGE (an ISO, or the data track of an image in any format "
	"spindle reads) with libisofs and lists each file whose extents overlap "
	"an area of MAPFILE (GNU ddrescue format, from spindle rip or ddrescue) "
	"that is not finished ('+'), with the number of bad sectors in it.  "
	"Exit status 0 when no file is hit, 6 when some are.",
	opts,
	NULL,
};

int cmd_files(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_mapfile m;
	struct img_ranges bad = IMG_RANGES_INIT;
	struct img_iso_damage files;
	const char *arg, *map = NULL, *image = NULL;
	bool exists;
	int c, rc;

	/* options may follow IMAGE: parse again after the positional */
	for (;;) {
		while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
			if (c == CLI_OPT_EXIT)
				return SP_EXIT_OK;
			if (c != OPT_MAP)
				return SP_EXIT_USAGE;
			map = arg;
		}
		if (ctx->optind >= argc)
			break;
		if (image)
			return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
		image = argv[ctx->optind];
		argc -= ctx->optind;
		argv += ctx->optind;
	}
	if (!map)
		return cli_usage_error(ctx, "no mapfile: give --map MAPFILE");
	if (!image)
		return cli_usage_error(ctx, "no image given");
	img_mapfile_init(&m);
	memset(&files, 0, sizeof(files));
	if (img_mapfile_load(&m, map, &exists, &err) != SP_OK)
		goto fail;
	if (!exists) {
		sp_error_set(&err, SPE_NOENT, "cannot open mapfile '%s': No such file or directory", map);
		goto fail;
	}
	if (img_mapfile_bad_ranges(&m, &bad, &err) != SP_OK ||
	    img_iso_damaged_files(image, &bad, &files, &err) != SP_OK)
		goto fail;
	if (ctx->json) {
		json_t *r = cli_json_result(ctx, true), *a = json_array(), *br = json_array();

		for (size_t i = 0; i < bad.n; i++)
			json_array_append_new(br, json_pack("{s:I, s:I}", "lba", (json_int_t)bad.v[i].lba,
							    "sectors", (json_int_t)bad.v[i].count));
		for (size_t i = 0; i < files.n; i++)
			json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:I}",
				"path", files.files[i].path, "size", (json_int_t)files.files[i].size,
				"bad_sectors", (json_int_t)files.files[i].bad_sectors,
				"first_bad_lba", (json_int_t)files.files[i].first_bad_lba));
		json_object_set_new(r, "image", json_string(image));
		json_object_set_new(r, "mapfile", json_string(map));
		json_object_set_new(r, "bad_ranges", br);
		json_object_set_new(r, "files_total", json_integer(files.files_total));
		json_object_set_new(r, "files", a);
		json_object_set_new(r, "tree_damaged", json_boolean(files.tree_damaged));
		if (files.n) {
			/* exit 6 below: the envelope says ok is false, and why */
			sp_error_set(&err, SPE_READ, "%zu file%s lie%s in bad areas", files.n,
				     files.n == 1 ? "" : "s", files.n == 1 ? "s" : "");
			sp_error_hint(&err, "run 'spindle rip' again with the same mapfile to retry them");
			json_object_set_new(r, "ok", json_false());
			json_object_set_new(r, "error", cli_error_json(&err));
		}
		cli_json_emit(r);
	} else {
		printf("files hit by bad areas: %zu of %lld\n", files.n, (long long)files.files_total);
		for (size_t i = 0; i < files.n; i++)
			printf("  %s (%lld bad sectors from LBA %lld, file size %lld bytes)\n",
			       files.files[i].path, (long long)files.files[i].bad_sectors,
			       (long long)files.files[i].first_bad_lba, (long long)files.files[i].size);
		if (files.tree_damaged)
			printf("  (directory records lie in bad areas: the list may be incomplete)\n");
	}
	rc = files.n ? SP_EXIT_UNREADABLE : SP_EXIT_OK;
	goto out;
fail:
	rc = cli_fail(ctx, &err);
out:
	img_iso_damage_release(&files);
	img_ranges_release(&bad);
	img_mapfile_release(&m);
	return rc;
}
