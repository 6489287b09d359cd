/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_convert.c - spindle convert: a BIN/CUE image's data track to ISO. */
#include "config.h"

#include <stdlib.h>

#include "cli/cli.h"
#include "cli/master_args.h"
#include "imaging/imaging.h"

enum { OPT_FORCE = 700, OPT_PASSWORD, OPT_THREADS };

static const struct cli_opt opts[] = {
	{ "output", 'o', "OUT.iso", "the ISO image to write" },
	{ "force", OPT_FORCE, NULL, "overwrite OUT.iso if it exists" },
	{ "password", OPT_PASSWORD, "PASSWORD", "the password of a protected ISZ image (decryption is not supported yet)" },
	{ "threads", OPT_THREADS, "N", "decompress on N threads (default: one per CPU, at least 2)" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_convert = {
	"-o OUT.iso IMAGE.cue|.chd|.dmg|.daa|.gbi|.isz",
	"Convert a BIN/CUE, CHD, DMG, DAA or ISZ image with a data track to ISO",
	"Copies the 2048-byte user data of the image's first data track into an "
	"ISO image, as other tools' BIN/CUE rips of data or mixed-mode discs hold "
	"it.  Tracks of mode MODE1/2352, MODE2/2352 (form 1), MODE2/2336 and "
	"MODE1/2048 are handled; a sector without a sync pattern, or in mode 2 "
	"form 2 (video CDs), stops the conversion with an error.  Audio tracks "
	"are left out: rip them with 'spindle rip --audio'.  A compressed "
	"image (MAME CHD, Apple UDIF DMG, PowerISO DAA/GBI, UltraISO ISZ; "
	"recognised by content) is decompressed on several threads: a CHD CD "
	"gives its first data track, every other image its whole content.",
	opts,
	NULL,
};

/* A compressed container (CHD, DMG, DAA, ISZ) to a plain image. */
static int convert_container(struct cli_ctx *ctx, const char *in, const char *out,
			     bool force, const struct img_container_opts *co)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_container_convert res;

	if (img_container_to_iso(in, out, force, co, &res, &err) != SP_OK)
		return cli_fail(ctx, &err);
	if (ctx->json) {
		json_t *o = cli_json_result(ctx, true);

		json_object_set_new(o, "input", json_string(in));
		json_object_set_new(o, "output", json_string(out));
		json_object_set_new(o, "format", json_string(res.format));
		json_object_set_new(o, "track", res.track ? json_integer(res.track) : json_null());
		json_object_set_new(o, "bytes", json_integer((json_int_t)res.bytes));
		cli_json_emit(o);
	} else if (res.track) {
		printf("wrote %s: %s track %d of %d, %llu sectors of 2048 bytes\n", out,
		       res.format, res.track, res.tracks,
		       (unsigned long long)(res.bytes / SP_SECTOR));
	} else {
		printf("wrote %s: %llu bytes from the %s image\n", out,
		       (unsigned long long)res.bytes, res.format);
	}
	return SP_EXIT_OK;
}

int cmd_convert(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_convert_result res;
	struct img_container_opts co = IMG_CONTAINER_OPTS_INIT;
	const char *arg, *out = NULL, *in;
	uint64_t n;
	bool force = false;
	int c;

	cli_permute_args(ctx, argc, argv);
	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		if (c == CLI_OPT_EXIT)
			return SP_EXIT_OK;
		if (c == 'o')
			out = arg;
		else if (c == OPT_FORCE)
			force = true;
		else if (c == OPT_PASSWORD)
			co.password = arg;
		else if (c == OPT_THREADS) {
			if (cli_parse_uint_opt(ctx, "--threads", arg, 1, 64, &n) != 0)
				return SP_EXIT_USAGE;
			co.threads = (unsigned)n;
		}
		else {
			free(ctx->longopts);    /* left the option loop early */
			ctx->longopts = NULL;
			return SP_EXIT_USAGE;
		}
	}
	if (ctx->optind >= argc)
		return cli_usage_error(ctx, "which image? give IMAGE.cue");
	in = argv[ctx->optind];
	if (ctx->optind + 1 < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind + 1]);
	if (!out)
		return cli_usage_error(ctx, "-o is missing: where should the ISO image go?");
	if (img_container_probe(in) > 0)
		return convert_container(ctx, in, out, force, &co);
	if (img_cue_to_iso(in, out, force, &res, &err) != SP_OK)
		return cli_fail(ctx, &err);
	if (ctx->json) {
		json_t *o = cli_json_result(ctx, true);

		json_object_set_new(o, "input", json_string(in));
		json_object_set_new(o, "output", json_string(out));
		json_object_set_new(o, "track", json_integer(res.track));
		json_object_set_new(o, "mode", json_string(img_cue_mode_name(res.mode)));
		json_object_set_new(o, "sectors", json_integer(res.sectors));
		json_object_set_new(o, "bytes", json_integer(res.sectors * SP_SECTOR));
		cli_json_emit(o);
	} else {
		printf("wrote %s: track %d (%s), %lld sectors of 2048 bytes\n", out, res.track,
		       img_cue_mode_name(res.mode), (long long)res.sectors);
	}
	return SP_EXIT_OK;
}
