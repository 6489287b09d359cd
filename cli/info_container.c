/* SPDX-License-Identifier: GPL-3.0-or-later */
/* info_container.c - spindle info IMAGE for a compressed container (CHD,
 * DMG, DAA, ISZ): its format, size and CD tracks. */
#include "config.h"

#include <stdlib.h>

#include "cli/cli.h"
#include "imaging/imaging.h"

int cli_info_args(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *arg;
	int c;

	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		if (c == CLI_OPT_EXIT)
			return SP_EXIT_OK;
		return SP_EXIT_USAGE;
	}
	if (ctx->optind + 1 < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'",
				       argv[ctx->optind + 1]);
	return -1;
}

static json_t *tracks_json(const struct img_container_track *t, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:i, s:s, s:I, s:I, s:b, s:I, s:I, s:I, s:I}",
			"track", t[i].number, "mode", img_container_mode_name(t[i].mode),
			"frames", (json_int_t)t[i].frames, "pregap", (json_int_t)t[i].pregap,
			"pregap_stored", t[i].pregap_stored,
			"postgap", (json_int_t)t[i].postgap,
			"sector_size", (json_int_t)t[i].sector_size,
			"subchannel_size", (json_int_t)t[i].subchannel_size,
			"offset", (json_int_t)t[i].offset));
	return a;
}

int cli_info_container(struct cli_ctx *ctx, const char *path)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_container_opts o = { NULL, 1 };
	struct img_container *c;
	const struct img_container_track *t;
	size_t n;
	char h[32];

	if (img_container_probe(path) == 0) {
		sp_error_set(&err, SPE_UNSUPPORTED, "'%s' is not an image spindle can "
			     "describe yet (CHD, DMG, DAA, ISZ)", path);
		return cli_fail(ctx, &err);
	}
	if (img_container_open(path, &o, &c, &err) != SP_OK)
		return cli_fail(ctx, &err);
	n = img_container_tracks(c, &t);
	if (ctx->json) {
		json_t *r = cli_json_result(ctx, true);

		json_object_set_new(r, "image", json_string(path));
		json_object_set_new(r, "format", json_string(img_container_format(c)));
		json_object_set_new(r, "kind", json_string(img_container_kind(c)));
		json_object_set_new(r, "size", json_integer((json_int_t)img_container_size(c)));
		json_object_set_new(r, "tracks", tracks_json(t, n));
		cli_json_emit(r);
	} else {
		printf("%-14s %s\n", "image:", path);
		printf("%-14s %s (%s)\n", "format:", img_container_format(c),
		       img_container_kind(c));
		printf("%-14s %llu bytes (%s)\n", "size:",
		       (unsigned long long)img_container_size(c),
		       sp_human_size(img_container_size(c), h, sizeof(h)));
		for (size_t i = 0; i < n; i++)
			printf("  track %2d  %-14s %u frames  pregap %u%s  postgap %u  "
			       "sector %u%s\n", t[i].number,
			       img_container_mode_name(t[i].mode), t[i].frames,
			       t[i].pregap, t[i].pregap_stored ? " (stored)" : "",
			       t[i].postgap, t[i].sector_size,
			       t[i].subchannel_size ? " + subchannel" : "");
	}
	img_container_close(c);
	return SP_EXIT_OK;
}
