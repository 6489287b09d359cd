/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_verify.c - spindle verify: compare a disc with an image. */
#include "config.h"

#include <string.h>

#include "cli/cli.h"
#include "cli/master_args.h"
#include "cli/verify_sums.h"
#include "drive/drive.h"
#include "imaging/imaging.h"

enum { OPT_LBA = 256, OPT_REPORT, OPT_ECC };

static const struct cli_opt opts[] = {
	{ "lba", OPT_LBA, "LBA", "compare from this sector of the medium on (default 0)" },
	{ "report", OPT_REPORT, "FILE", "draw the map of matching, differing and unreadable sectors into FILE.html or FILE.svg" },
	{ "ecc", OPT_ECC, "FILE.ecc", "check IMAGE against this error-correction file (spindle protect, dvdisaster)" },
	CLI_SUMS_OPTIONS,
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_verify = {
	"[-d DRIVE] [--lba LBA] [--sha256 HEX | --checksums FILE [--keyring KEYRING "
	"[--signature FILE]]] [IMAGE] | IMAGE --ecc FILE.ecc",
	"Compare a disc with an image",
	"Reads exactly as many sectors as the image holds and compares them "
	"with it.  The zero padding of the last sector, 32 KiB alignment on DVD "
	"and BD and the run-out sectors of a CD TAO track are never read, so "
	"they never cause a false alarm.  Sectors are read with no retries "
	"through the drive's SCSI interface (libburn), never through the "
	"kernel's buffered block device.  IMAGE may be an image of one data "
	"track in any format spindle reads (NRG, MDS/MDF, MDX, CCD, CDI, TOC ...): "
	"its 2048-byte user data are compared.\n\n"
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
	"Checksums that others publish are checked too, on an image file, a disc "
	"or a stick (stdio:/dev/sdX): --sha256 HEX (or --sha512, --sha1, --md5), "
	"or --checksums FILE, a checksum file in GNU (\"HEX  NAME\", \"HEX *NAME\") "
	"or BSD (\"SHA256 (NAME) = HEX\") form, whose line for the image is found "
	"by the image's name (--name NAME for a disc), or is its only line; the "
	"algorithm follows from the BSD tag or the length of the digest.  With "
	"--keyring KEYRING the checksum file's OpenPGP signature is checked first, "
	"through GPGME in a temporary GnuPG home (your own keyring is never used), "
	"or through gpgv where gpg is not installed: "
	"the file must be clear-signed, or its detached signature given with "
	"--signature FILE.  A bad signature, or one by a key not in KEYRING, stops "
	"the verify with status 5.  A disc or stick is read for exactly the image's "
	"length: --size BYTES, the size a Fedora CHECKSUM file gives, or else the "
	"size its ISO 9660 or UDF volume records.\n\n"
	"Found and checked without being asked: the MD5 that implantisomd5 records "
	"in the primary volume descriptor (Fedora, RHEL), with its fragment sums "
	"(the check stops at the first bad fragment); the digests SUSE's tagmedia "
	"records there (of the ISO, and of an appended partition); the md5sum.txt or sha256sum.txt inside Debian and Ubuntu "
	"images, each listed file checked and the ones that differ named; and the "
	"size of the ISO 9660 or UDF volume, so that a truncated image says so and "
	"by how much.  The result lists each check that ran and whether it passed "
	"(\"checks\" in --json); any failed check gives status 5.  An image "
	"that passed a published or implanted digest and carries no libisofs MD5 "
	"tags is read once; after a failed implanted MD5 nothing more is read.  "
	"With -d and "
	"IMAGE, the published checksums are checked on IMAGE and the disc is then "
	"compared with it.\n\n"
	"--report FILE.html or FILE.svg draws the comparison of a disc with an "
	"image: matching sectors as rescued, differing ones as mismatch, "
	"unreadable ones as bad (see spindle report); on a terminal the same "
	"map, on one screen, ends the output.\n\n"
	"With --ecc FILE.ecc, or with an image that carries appended "
	"error-correction data (spindle protect --augment, dvdisaster RS02 or RS03), "
	"IMAGE is checked against its sector CRCs: the report says how many "
	"sectors are damaged and whether 'spindle repair' can rebuild them "
	"all.  Exit status 0 when intact, 5 when damaged but repairable, 6 "
	"when not all can be repaired.  'spindle verify -d DRIVE' of an "
	"augmented disc (spindle burn --protect) checks the disc the same way, "
	"its unreadable sectors counted as damaged.",
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
	struct cli_sums_args sa;
	json_t *sr = NULL;
	const char *arg, *image = NULL, *ecc = NULL;
	uint64_t lba = 0;
	bool lba_set = false;
	const char *report = NULL;
	int c, rc;

	cli_sums_args_init(&sa);
	cli_permute_args(ctx, argc, argv);
	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		if ((rc = cli_sums_opt(ctx, &sa, c, arg)) != 0) {
			if (rc < 0) {
				cli_sums_args_release(&sa);
				return SP_EXIT_USAGE;
			}
			continue;
		}
		switch (c) {
		case OPT_LBA:
			if (cli_parse_uint_opt(ctx, "--lba", arg, 0, INT32_MAX, &lba) < 0)
				goto usage;
			lba_set = true;
			break;
		case OPT_ECC:
			ecc = arg;
			break;
		case OPT_REPORT:
			if (cli_report_option(ctx, arg) >= 0)
				goto usage;
			report = arg;
			break;
		case CLI_OPT_EXIT:
			cli_sums_args_release(&sa);
			return SP_EXIT_OK;
		default:
			goto usage;
		}
	}
	if (ctx->optind < argc)
		image = argv[ctx->optind++];
	if (ctx->optind < argc) {
		cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
		goto usage;
	}
	if (lba_set && (!image || !ctx->n_drives)) {
		cli_usage_error(ctx, "--lba compares a disc with an image: give -d DRIVE and IMAGE");
		goto usage;
	}
	if (report && (!image || !ctx->n_drives)) {
		cli_usage_error(ctx, "--report draws the comparison of a disc with an image: give -d DRIVE and IMAGE");
		goto usage;
	}
	if (ecc && (!image || ctx->n_drives)) {
		cli_usage_error(ctx, "--ecc checks an image file: give IMAGE and no -d");
		goto usage;
	}
	if (image && !ctx->n_drives && !sa.given && (ecc || img_ecc_is_augmented(image))) {
		cli_sums_args_release(&sa);
		return cli_ecc_check(ctx, image, ecc, false, 0);
	}
	if (!image && ctx->n_drives == 1 && !sa.given) {
		/* an augmented disc: check it against its own error-correction
		 * data (a drive's device, or a virtual drive's file) */
		const char *dev = cli_drive(ctx);

		if (dev && strncmp(dev, "stdio:", 6) == 0)
			dev += 6;
		if (dev && img_ecc_is_augmented(dev)) {
			cli_sums_args_release(&sa);
			return cli_ecc_check(ctx, dev, NULL, false, 0);
		}
	}
	if ((rc = cli_sums_prepare(ctx, &sa, image)) != SP_EXIT_OK)
		goto out_sums;
	if (!image || !ctx->n_drives) {
		rc = cmd_verify_tags(ctx, image ? NULL : cli_drive(ctx), image, &sa);
		goto out_sums;
	}
	if (drv_open(&d, cli_drive(ctx), &oo, &err) != SP_OK) {
		rc = cli_fail(ctx, &err);
		goto out_sums;
	}
	if (sa.given) {
		/* the image against what was published, then the disc against it */
		sr = cli_json_result(ctx, true);
		json_object_set_new(sr, "image", json_string(image));
		rc = cli_sums_run(ctx, &sa, NULL, image, sr);
		if (rc != SP_EXIT_OK) {
			if (ctx->json)
				cli_json_emit(sr);
			else
				json_decref(sr);
			if (sa.verdict.code != SPE_NONE && !ctx->json)
				cli_print_error(ctx, NULL, &sa.verdict);
			drv_close(d, DRV_KEEP_TRAY);
			goto out_sums;
		}
	}
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
		if (sr)
			json_object_update_missing(r, sr);
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
	json_decref(sr);
out_sums:
	cli_sums_args_release(&sa);
	return rc;
usage:
	cli_sums_args_release(&sa);
	return SP_EXIT_USAGE;
}
