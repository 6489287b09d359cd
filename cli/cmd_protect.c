/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_protect.c - spindle protect: write dvdisaster-compatible error-correction data. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/master_args.h"
#include "drive/drive.h"
#include "imaging/imaging.h"

enum { OPT_AUGMENT = 256, OPT_CODEC, OPT_REDUNDANCY, OPT_MEDIUM, OPT_THREADS, OPT_FORCE };

static const struct cli_opt opts[] = {
	{ "output", 'o', "FILE.ecc", "write the error-correction data to this file; an existing one is replaced only with --force" },
	{ "force", OPT_FORCE, NULL, "replace an existing FILE.ecc" },
	{ "augment", OPT_AUGMENT, NULL, "append the error-correction data to the image instead" },
	{ "codec", OPT_CODEC, "CODEC", "rs03 (default), rs01 (-o only: dvdisaster's oldest .ecc format, 8 to 100 roots) or rs02 (--augment only: dvdisaster's augmented images for discs, any size up to the medium)" },
	{ "redundancy", OPT_REDUNDANCY, "R", "normal (32 roots), high (64) or a number of roots, 8 to 170 (default normal); with --augment, --codec rs02 only (else the medium decides)" },
	{ "medium", OPT_MEDIUM, "MEDIUM", "--augment: fill this medium: cd, dvd, dvd9, bd, bd2 or bdxl (default: the smallest that fits)" },
	{ "threads", OPT_THREADS, "N", "encode on N threads (default: one per processor)" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_protect = {
	"IMAGE (-o FILE.ecc | --augment) [--redundancy R] [--medium MEDIUM]",
	"Write Reed-Solomon error-correction data for an image",
	"Computes error-correction data in dvdisaster's RS03 (or, with --codec "
	"rs01, RS01; with --codec rs02, RS02) format, byte for byte, so that "
	"'spindle repair' (or dvdisaster) can rebuild sectors of the image that "
	"are later lost: with -o, into a separate FILE.ecc (keep it on another "
	"medium); with --augment, appended to the image, which then fills the "
	"medium chosen with --medium (the redundancy follows from the room "
	"left; with --codec rs02, --redundancy N appends exactly N roots "
	"instead).  With N roots, any N damaged sectors of one ecc block (one "
	"sector from each of the 255 layers the image is cut into) can be "
	"rebuilt.  The file is written as FILE.ecc.tmp and renamed when "
	"complete.",
	opts,
	NULL,
};

int cmd_protect(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_ecc_opts o = IMG_ECC_OPTS_INIT;
	struct img_ecc_summary s = IMG_ECC_SUMMARY_INIT;
	const char *arg, *image = NULL, *out = NULL, *redundancy = NULL;
	uint64_t v;
	int c, rc;

	cli_permute_args(ctx, argc, argv);
	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		switch (c) {
		case 'o': out = arg; break;
		case OPT_AUGMENT: o.augment = true; break;
		case OPT_FORCE: o.replace = true; break;
		case OPT_CODEC:
			if (strcmp(arg, "rs03") == 0)
				o.codec = IMG_ECC_RS03;
			else if (strcmp(arg, "rs01") == 0)
				o.codec = IMG_ECC_RS01;
			else if (strcmp(arg, "rs02") == 0)
				o.codec = IMG_ECC_RS02;
			else
				return cli_usage_error(ctx, "--codec: '%s' is not rs01, rs02 or rs03", arg);
			break;
		case OPT_REDUNDANCY: redundancy = arg; break;
		case OPT_MEDIUM:
			o.medium_sectors = img_ecc_medium_sectors(arg);
			if (!o.medium_sectors)
				return cli_usage_error(ctx, "--medium: '%s' is not cd, dvd, dvd9, bd, bd2 or bdxl", arg);
			break;
		case OPT_THREADS:
			if (cli_parse_uint_opt(ctx, "--threads", arg, 1, 16, &v) < 0)
				return SP_EXIT_USAGE;
			o.threads = (int)v;
			break;
		case CLI_OPT_EXIT: return SP_EXIT_OK;
		default: return SP_EXIT_USAGE;
		}
	}
	if (ctx->optind < argc)
		image = argv[ctx->optind++];
	if (ctx->optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
	if (!image)
		return cli_usage_error(ctx, "no image given");
	if (!out == !o.augment)
		return cli_usage_error(ctx, "give either -o FILE.ecc or --augment");
	if (o.medium_sectors && !o.augment)
		return cli_usage_error(ctx, "--medium applies to --augment only");
	if (redundancy) {
		if (o.augment && o.codec != IMG_ECC_RS02)
			return cli_usage_error(ctx, "--redundancy applies to -o FILE.ecc or --codec rs02; an RS03 augmented image fills the --medium");
		if (o.medium_sectors)
			return cli_usage_error(ctx, "give either --redundancy or --medium");
		o.roots = img_ecc_parse_redundancy(redundancy, o.codec);
		if (o.roots < 0)
			return cli_usage_error(ctx, "--redundancy: '%s' is not normal, high or a number of roots from 8 to %d",
					       redundancy, o.codec == IMG_ECC_RS01 ? 100 : 170);
	}
	if (img_ecc_protect(image, out, &o, &s, &err) != SP_OK) {
		rc = cli_fail(ctx, &err);
	} else if (ctx->json) {
		json_t *r = cli_json_result(ctx, true);

		json_object_set_new(r, "image", json_string(image));
		json_object_set_new(r, "ecc_file", out ? json_string(out) : json_null());
		json_object_set_new(r, "method", json_string(s.method));
		json_object_set_new(r, "augmented", json_boolean(s.augmented));
		json_object_set_new(r, "roots", json_integer(s.roots));
		json_object_set_new(r, "sectors", json_integer((json_int_t)s.sectors));
		json_object_set_new(r, "layer_sectors", json_integer((json_int_t)s.layer_sectors));
		json_object_set_new(r, "ecc_sectors", json_integer((json_int_t)s.ecc_sectors));
		json_object_set_new(r, "seconds", json_real(s.seconds));
		cli_json_emit(r);
		rc = SP_EXIT_OK;
	} else {
		if (!ctx->quiet)
			fprintf(stderr, "spindle: protected %s (%llu sectors) with %s, %d roots: %s%s (%llu sectors) in %.1f s\n",
				image, (unsigned long long)s.sectors, s.method, s.roots,
				out ? "" : "appended to the image", out ? out : "",
				(unsigned long long)s.ecc_sectors, s.seconds);
		rc = SP_EXIT_OK;
	}
	img_ecc_summary_release(&s);
	return rc;
}

struct cli_protect_stream {
	const char *image;
	uint64_t medium;
	char path[32];              /* the burn's image */
	int rfd, wfd;
	pthread_t thread;
	enum sp_status st;
	struct img_ecc_summary sum;
	struct sp_error err;
};

const char *cli_protect_stream_path(const struct cli_protect_stream *ps)
{
	return ps->path;
}

/* The stream's writer: the augmented image into the pipe, then EOF. */
static void *stream_thread(void *arg)
{
	struct cli_protect_stream *ps = arg;
	struct img_ecc_opts o = IMG_ECC_OPTS_INIT;
	sigset_t pipe_sig;

	/* a burn that stops reading gives EPIPE here, not a signal */
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_sig, NULL);
	o.augment = true;
	o.medium_sectors = ps->medium;
	ps->st = img_ecc_augment_stream(ps->image, ps->wfd, &o, &ps->sum, &ps->err);
	close(ps->wfd);
	ps->wfd = -1;
	return NULL;
}

int cli_protect_stream_start(struct cli_ctx *ctx, const char *drive, const char *image,
			     struct cli_protect_stream **out)
{
	struct sp_error err = SP_ERROR_INIT;
	struct cli_protect_stream *ps = calloc(1, sizeof(*ps));
	int fds[2];

	*out = NULL;
	if (!ps) {
		sp_error_set(&err, SPE_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	ps->image = image;
	ps->rfd = ps->wfd = -1;
	sp_error_init(&ps->err);
	ps->sum = (struct img_ecc_summary)IMG_ECC_SUMMARY_INIT;
	/* a disc: fill what is free on it; a virtual drive (a file): the
	 * smallest medium that holds the image */
	if (drive && strncmp(drive, "stdio:", 6) != 0) {
		struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;
		struct drv_drive *d = NULL;
		struct drv_medium m;

		if (drv_open(&d, drive, &oo, &err) != SP_OK)
			goto fail;
		if (drv_get_medium(d, &m, &err) != SP_OK) {
			drv_close(d, DRV_KEEP_TRAY);
			goto fail;
		}
		if (!m.is_virtual && m.free_sectors > 0)
			ps->medium = (uint64_t)m.free_sectors;
		drv_medium_release(&m);
		drv_close(d, DRV_KEEP_TRAY);
	}
	if (pipe2(fds, O_CLOEXEC) != 0) {
		sp_error_set_errno(&err, errno, "cannot make a pipe for the protected image");
		goto fail;
	}
	ps->rfd = fds[0];
	ps->wfd = fds[1];
	snprintf(ps->path, sizeof(ps->path), "/dev/fd/%d", ps->rfd);
	if (pthread_create(&ps->thread, NULL, stream_thread, ps) != 0) {
		close(ps->rfd);
		close(ps->wfd);
		sp_error_set(&err, SPE_NOMEM, "cannot start the encoder thread");
		goto fail;
	}
	*out = ps;
	return SP_EXIT_OK;
fail:
	free(ps);
	return cli_fail(ctx, &err);
}

int cli_protect_stream_finish(struct cli_ctx *ctx, struct cli_protect_stream *ps, int burn_rc)
{
	int rc = burn_rc;

	/* no reader left: a writer the burn stopped reading ends with EPIPE */
	close(ps->rfd);
	pthread_join(ps->thread, NULL);
	if (ps->st == SP_OK && !ctx->quiet && !ctx->json)
		fprintf(stderr, "spindle burn: protected with %s, %d roots: %llu sectors of error-correction data, made as the disc was written\n",
			ps->sum.method, ps->sum.roots, (unsigned long long)ps->sum.ecc_sectors);
	img_ecc_summary_release(&ps->sum);
	if (ps->st != SP_OK && burn_rc == SP_EXIT_OK) {
		/* the disc got what came before the error: not a protected disc */
		sp_error_hint(&ps->err, "the disc holds the image but not all of its error-correction data");
		rc = cli_fail(ctx, &ps->err);
	}
	free(ps);
	return rc;
}
