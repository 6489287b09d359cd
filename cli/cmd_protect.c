/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_protect.c - spindle protect: write dvdisaster-compatible error-correction data. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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

int cli_protect_for_burn(struct cli_ctx *ctx, const char *drive, const char *image, char *tmp,
			 size_t len)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_ecc_opts o = IMG_ECC_OPTS_INIT;
	struct img_ecc_summary s = IMG_ECC_SUMMARY_INIT;
	const char *dir = getenv("TMPDIR");
	uint64_t medium = 0;
	int fd, in;

	/* a disc: fill what is free on it; a virtual drive (a file): the
	 * smallest medium that holds the image */
	if (drive && strncmp(drive, "stdio:", 6) != 0) {
		struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;
		struct drv_drive *d = NULL;
		struct drv_medium m;

		if (drv_open(&d, drive, &oo, &err) != SP_OK)
			return cli_fail(ctx, &err);
		if (drv_get_medium(d, &m, &err) != SP_OK) {
			drv_close(d, DRV_KEEP_TRAY);
			return cli_fail(ctx, &err);
		}
		if (!m.is_virtual && m.free_sectors > 0)
			medium = (uint64_t)m.free_sectors;
		drv_medium_release(&m);
		drv_close(d, DRV_KEEP_TRAY);
	}
	snprintf(tmp, len, "%s/spindle-protect-XXXXXX", dir && *dir ? dir : "/var/tmp");
	fd = mkstemp(tmp);
	if (fd < 0) {
		sp_error_set_errno(&err, errno, "cannot create a temporary copy of '%s' in '%s'", image,
				   dir && *dir ? dir : "/var/tmp");
		sp_error_hint(&err, "set TMPDIR to a directory with room for the protected image");
		return cli_fail(ctx, &err);
	}
	in = open(image, O_RDONLY);
	if (in < 0) {
		sp_error_set_errno(&err, errno, "cannot open '%s'", image);
		goto fail;
	}
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, fd, NULL, 1 << 30, 0);
		if (n == 0)
			break;
		if (n < 0) {
			sp_error_set_errno(&err, errno, "cannot copy '%s' to '%s'", image, tmp);
			close(in);
			goto fail;
		}
	}
	close(in);
	close(fd);
	fd = -1;
	o.augment = true;
	o.medium_sectors = medium;
	if (img_ecc_protect(tmp, NULL, &o, &s, &err) != SP_OK)
		goto fail;
	if (!ctx->quiet && !ctx->json)
		fprintf(stderr, "spindle burn: protected with %s, %d roots: %llu sectors of error-correction data\n",
			s.method, s.roots, (unsigned long long)s.ecc_sectors);
	img_ecc_summary_release(&s);
	return SP_EXIT_OK;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	img_ecc_summary_release(&s);
	return cli_fail(ctx, &err);
}
