/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_mkiso.c - spindle mkiso: master an ISO 9660 image from files. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/master_args.h"

enum { OPT_FORCE = 700, OPT_IMPLANT_MD5 };

static const struct cli_opt opts[] = {
	{ "output", 'o', "FILE", "the image to write; an existing file is replaced only with --force" },
	{ "force", OPT_FORCE, NULL, "replace FILE if it exists" },
	{ "implant-md5", OPT_IMPLANT_MD5, NULL, "record an isomd5sum MD5 (as implantisomd5 does) "
	  "that checkisomd5 and spindle verify check; implies --no-md5" },
	CLI_MASTER_OPTIONS,
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_mkiso = {
	"[OPTIONS] SRC... -o OUT.iso",
	"Master an ISO 9660 image from files and directories",
	"Writes an ISO 9660 image with Rock Ridge (POSIX names, permissions, "
	"owners, timestamps, symlinks, hard links, device files) and Joliet "
	"(Windows names), at ISO level 3 so that files over 4 GiB are kept whole.  "
	"Each SRC is a file or directory.  A directory's contents go into the "
	"image root, a file goes there under its own name.  A graft point "
	"/PATH/IN/IMAGE=SRC puts SRC at that path instead (write \\\\= for an "
	"'=' in a name).  Directories of the same name from several sources "
	"are merged; two files for one path are an error.\n\n"
	"MD5 checksums are recorded by default, as libisofs and xorriso -md5 "
	"on do: for the superblock, the directory tree, the whole session and "
	"each file.  'spindle verify IMAGE' or 'spindle verify -d DRIVE' checks "
	"an image or a disc against them later, without the original, and names "
	"any damaged file.\n\n"
	"With --reproducible, or when the environment variable SOURCE_DATE_EPOCH "
	"is set, the same tree always gives a byte-identical image: volume "
	"times and IDs are fixed (to SOURCE_DATE_EPOCH, or else to the newest "
	"modification time in the tree), access and change times are set to "
	"the modification time, and modification times later than "
	"SOURCE_DATE_EPOCH are clamped to it.\n\n"
	"--boot-bios and --boot-efi make an El Torito bootable image, for BIOS "
	"(ISOLINUX) and UEFI; --isohybrid-mbr also makes it bootable from a USB "
	"stick.  For a Debian-installer-like tree: --boot-bios "
	"/isolinux/isolinux.bin --boot-efi /boot/grub/efi.img --isohybrid-mbr "
	"/usr/lib/ISOLINUX/isohdpfx.bin.\n\n"
	"A file that cannot be read stops the run with an error naming it; "
	"--skip-unreadable leaves such files out with a warning.  The image is "
	"written to OUT.iso.tmp-XXXXXX and renamed into place when complete.\n\n"
	"--implant-md5 records, once the image is written, the MD5 that Red Hat's "
	"implantisomd5 puts in the primary volume descriptor (with 20 fragment "
	"sums), which checkisomd5, Anaconda's media check and spindle verify "
	"accept.  The libisofs MD5 tags are then left out: they cover the volume "
	"descriptor that the implanted MD5 changes.",
	opts,
	NULL,
};

static void print_result(struct cli_ctx *ctx, const struct cli_master_args *ma,
			 const struct img_master_stats *st, const char *out,
			 uint64_t size, double secs, const struct img_isomd5 *implant)
{
	char h[32], t[32];

	if (ctx->json) {
		json_t *r = cli_json_result(ctx, true);

		json_object_set_new(r, "output", json_string(out));
		json_object_set_new(r, "bytes", json_integer((json_int_t)size));
		json_object_set_new(r, "sectors", json_integer((json_int_t)(size / SP_SECTOR)));
		json_object_set_new(r, "files", json_integer((json_int_t)st->files));
		json_object_set_new(r, "directories", json_integer((json_int_t)st->dirs));
		json_object_set_new(r, "symlinks", json_integer((json_int_t)st->symlinks));
		json_object_set_new(r, "special_files", json_integer((json_int_t)st->specials));
		json_object_set_new(r, "hard_links", json_integer((json_int_t)st->hardlinks));
		json_object_set_new(r, "skipped", json_integer((json_int_t)st->skipped));
		json_object_set_new(r, "content_bytes", json_integer((json_int_t)st->content_bytes));
		json_object_set_new(r, "md5", json_boolean(ma->o.md5));
		json_object_set_new(r, "reproducible", json_boolean(ma->o.reproducible));
		json_object_set_new(r, "bootable", json_boolean(ma->o.boot_bios || ma->o.boot_efi));
		json_object_set_new(r, "seconds", json_real(secs));
		json_object_set_new(r, "implanted_md5", implant ? json_string(implant->md5) : json_null());
		cli_json_emit(r);
		return;
	}
	printf("wrote %s: %s (%llu sectors)\n", out, sp_human_size(size, h, sizeof(h)),
	       (unsigned long long)(size / SP_SECTOR));
	printf("  %llu files (%s), %llu directories, %llu symlinks",
	       (unsigned long long)st->files, sp_human_size(st->content_bytes, t, sizeof(t)),
	       (unsigned long long)st->dirs, (unsigned long long)st->symlinks);
	if (st->hardlinks)
		printf(", %llu hard links", (unsigned long long)st->hardlinks);
	if (st->specials)
		printf(", %llu special files", (unsigned long long)st->specials);
	if (st->skipped)
		printf(", %llu left out", (unsigned long long)st->skipped);
	printf("\n  %s%s%s\n", ma->o.md5 ? "MD5 tags recorded" : "no MD5 tags",
	       ma->o.reproducible ? ", reproducible" : "",
	       ma->o.boot_bios || ma->o.boot_efi ? ", bootable (El Torito)" : "");
	if (implant)
		printf("  implanted MD5 (isomd5sum) %s\n", implant->md5);
}

int cmd_mkiso(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct cli_master_args ma;
	struct img_master *m = NULL;
	const char *arg, *out = NULL;
	bool force = false, implant = false;
	struct img_isomd5 rec;
	double t0 = sp_now();
	int c, r, rc = SP_EXIT_OK;

	cli_master_args_init(&ma);
	cli_permute_args(ctx, argc, argv);
	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		if (c == CLI_OPT_EXIT || c == CLI_OPT_ERROR) {
			rc = c == CLI_OPT_EXIT ? SP_EXIT_OK : SP_EXIT_USAGE;
			goto out;
		}
		if (c == 'o') {
			out = arg;
			continue;
		}
		if (c == OPT_FORCE) {
			force = true;
			continue;
		}
		if (c == OPT_IMPLANT_MD5) {
			implant = true;
			continue;
		}
		r = cli_master_opt(ctx, &ma, c, arg);
		if (r == 1)
			continue;
		rc = SP_EXIT_USAGE;
		goto out;
	}
	if (!out) {
		rc = cli_usage_error(ctx, "no output file: give it with -o OUT.iso");
		goto out;
	}
	if ((rc = cli_master_sources(ctx, &ma, argc - ctx->optind, argv + ctx->optind)))
		goto out;
	if (implant)
		ma.o.md5 = false;
	if (img_master_prepare(&m, &ma.o, &err) != SP_OK ||
	    img_master_to_file(m, out, force, &err) != SP_OK ||
	    (implant && img_isomd5_implant(out, &rec, &err) != SP_OK)) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	cli_progress_end(ctx);
	print_result(ctx, &ma, img_master_stats(m), out, img_master_stats(m)->image_bytes,
		     sp_now() - t0, implant ? &rec : NULL);
out:
	img_master_free(m);
	cli_master_args_release(&ma);
	return rc;
}
