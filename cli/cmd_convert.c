/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_convert.c - spindle convert: any disc image to ISO, BIN/CUE or cdrdao TOC. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/master_args.h"
#include "imaging/imaging.h"

enum { OPT_FORCE = 700, OPT_LOSSY, OPT_PASSWORD, OPT_THREADS };

static const struct cli_opt opts[] = {
	{ "output", 'o', "OUT.iso", "the image to write: OUT.iso, OUT.cue (with OUT.bin) or "
	  "OUT.toc (with OUT.bin)" },
	{ "force", OPT_FORCE, NULL, "overwrite OUT (and OUT.bin) if it exists" },
	{ "lossy", OPT_LOSSY, NULL, "accept dropping subchannel data, session boundaries or "
	  "form 2 sectors the output cannot hold" },
	{ "password", OPT_PASSWORD, "PASSWORD", "the password of a protected ISZ image "
	  "(decryption is not supported yet)" },
	{ "threads", OPT_THREADS, "N", "decompress on N threads (default: one per CPU, at least 2)" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_convert = {
	"-o OUT.iso|OUT.cue|OUT.toc [--lossy] IMAGE",
	"Convert a disc image of any supported format to ISO, BIN/CUE or cdrdao TOC",
	"Reads IMAGE in any format spindle knows (ISO, BIN/CUE, cdrdao TOC, Nero "
	"NRG, Alcohol MDS/MDF, Daemon Tools MDS v2/MDX, CloneCD CCD/IMG/SUB, "
	"DiscJuggler CDI, and the "
	"compressed MAME CHD, Apple UDIF DMG, PowerISO DAA/GBI and UltraISO ISZ; "
	"chosen by content) and writes the format OUT's extension names.\n\n"
	"OUT.iso receives the 2048-byte user data of the first data track (mode 1 "
	"or mode 2 form 1); audio tracks are left out (rip them with 'spindle rip "
	"--audio').  A sector without a sync pattern in a raw track stops the "
	"conversion with an error.  A compressed image is decompressed on several "
	"threads: a CHD CD gives its first data track, every other container its "
	"whole content.\n\n"
	"OUT.cue and OUT.toc are written with OUT.bin beside them: every track, "
	"audio and data, as raw 2352-byte sectors, pregaps included; sync, "
	"header, EDC and ECC are built for data tracks whose source holds only "
	"2048-byte sectors.  ISRC, catalog number, flags and CD-TEXT titles are "
	"kept.\n\n"
	"A conversion that would lose data (subchannel, a second session, form 2 "
	"sectors in an ISO) is refused with an explanation unless --lossy is "
	"given.",
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

static bool ends_with(const char *s, const char *ext)
{
	size_t a = strlen(s), b = strlen(ext);

	return a > b && strcasecmp(s + a - b, ext) == 0;
}

int cmd_convert(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_disc_write_opts wo = { .force = false };
	struct img_disc_write_result res;
	struct img_container_opts co = IMG_CONTAINER_OPTS_INIT;
	struct img_disc *d;
	const char *arg, *out = NULL, *in;
	enum sp_status st;
	uint64_t n;
	int c, kind;

	cli_permute_args(ctx, argc, argv);
	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		if (c == CLI_OPT_EXIT)
			return SP_EXIT_OK;
		if (c == 'o')
			out = arg;
		else if (c == OPT_FORCE)
			wo.force = true;
		else if (c == OPT_LOSSY)
			wo.lossy = true;
		else if (c == OPT_PASSWORD)
			co.password = arg;
		else if (c == OPT_THREADS) {
			if (cli_parse_uint_opt(ctx, "--threads", arg, 1, 64, &n) != 0)
				return SP_EXIT_USAGE;
			co.threads = (unsigned)n;
		} else {
			free(ctx->longopts);    /* left the option loop early */
			ctx->longopts = NULL;
			return SP_EXIT_USAGE;
		}
	}
	if (ctx->optind >= argc)
		return cli_usage_error(ctx, "which image? give IMAGE");
	in = argv[ctx->optind];
	if (ctx->optind + 1 < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind + 1]);
	if (!out)
		return cli_usage_error(ctx, "-o is missing: where should the image go?");
	kind = ends_with(out, ".iso") ? 0 : ends_with(out, ".cue") ? 1 : ends_with(out, ".toc") ? 2 : -1;
	if (kind < 0)
		return cli_usage_error(ctx, "-o %s: name the output OUT.iso, OUT.cue or OUT.toc", out);
	/* a container to ISO: its own multi-threaded copy; to a sheet: the model */
	if (kind == 0 && img_container_probe(in) > 0)
		return convert_container(ctx, in, out, wo.force, &co);
	if (img_disc_open(&d, in, &err) != SP_OK)
		return cli_fail(ctx, &err);
	st = kind == 0 ? img_disc_write_iso(d, out, &wo, &res, &err) :
	     kind == 1 ? img_disc_write_cue(d, out, &wo, &res, &err) :
			 img_disc_write_toc(d, out, &wo, &res, &err);
	if (st != SP_OK) {
		img_disc_close(d);
		return cli_fail(ctx, &err);
	}
	if (ctx->json) {
		json_t *o = cli_json_result(ctx, true);

		json_object_set_new(o, "input", json_string(in));
		json_object_set_new(o, "input_format", json_string(d->format));
		json_object_set_new(o, "output", json_string(out));
		if (kind == 0) {
			json_object_set_new(o, "track", json_integer(res.track));
			json_object_set_new(o, "mode", json_string(res.mode));
			json_object_set_new(o, "sectors", json_integer(res.sectors));
			json_object_set_new(o, "bytes", json_integer(res.sectors * SP_SECTOR));
		} else {
			json_object_set_new(o, "bin", json_string(res.bin));
			json_object_set_new(o, "tracks", json_integer(res.n_tracks));
			json_object_set_new(o, "sectors", json_integer(res.sectors));
			json_object_set_new(o, "bytes", json_integer(res.sectors * 2352));
		}
		json_object_set_new(o, "dropped", res.dropped[0] ? json_string(res.dropped) : json_null());
		cli_json_emit(o);
	} else if (kind == 0) {
		printf("wrote %s: track %d (%s), %lld sectors of 2048 bytes\n", out, res.track,
		       res.mode, (long long)res.sectors);
	} else {
		printf("wrote %s and %s: %d track%s, %lld sectors of 2352 bytes\n", out, res.bin,
		       res.n_tracks, res.n_tracks == 1 ? "" : "s", (long long)res.sectors);
	}
	if (res.dropped[0])
		cli_warn(ctx, "dropped as --lossy allowed: %s", res.dropped);
	img_disc_close(d);
	return SP_EXIT_OK;
}
