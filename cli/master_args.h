/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * master_args.h - the mastering options shared by mkiso and burn DIR.
 * Private to cli/.
 *
 *     static const struct cli_opt opts[] = { ..., CLI_MASTER_OPTIONS, { NULL } };
 *     struct cli_master_args ma;
 *     cli_master_args_init(&ma);
 *     while ((c = cli_next_opt(...)) ...)
 *             if ((r = cli_master_opt(ctx, &ma, c, arg)) ...)
 *     cli_master_sources(ctx, &ma, argc - ctx->optind, argv + ctx->optind);
 *     ... img_master_prepare(&m, &ma.o, &err) ...
 *     cli_master_args_release(&ma);
 */
#ifndef SPINDLE_MASTER_ARGS_H
#define SPINDLE_MASTER_ARGS_H

#include "cli/cli.h"
#include "imaging/imaging.h"

enum {
	MOPT_VOLID = 600,
	MOPT_EXCLUDE,
	MOPT_NO_MD5,
	MOPT_REPRODUCIBLE,
	MOPT_SKIP_UNREADABLE,
	MOPT_BOOT_BIOS,
	MOPT_BOOT_CATALOG,
	MOPT_BOOT_LOAD_SIZE,
	MOPT_NO_BOOT_INFO_TABLE,
	MOPT_BOOT_EFI,
	MOPT_ISOHYBRID_MBR,
};

#define CLI_MASTER_OPTIONS \
	{ "volid", MOPT_VOLID, "ID", "volume ID, up to 32 characters (default SPINDLE)" }, \
	{ "exclude", MOPT_EXCLUDE, "PATTERN", "leave out files whose name matches PATTERN " \
	  "(a glob); a PATTERN with a slash matches the whole source or image path; repeatable" }, \
	{ "no-md5", MOPT_NO_MD5, NULL, "record no MD5 tags (they are recorded by default)" }, \
	{ "reproducible", MOPT_REPRODUCIBLE, NULL, "make the image byte-identical for the same " \
	  "tree: fixed volume times and IDs (also implied by SOURCE_DATE_EPOCH)" }, \
	{ "skip-unreadable", MOPT_SKIP_UNREADABLE, NULL, "leave out files and directories " \
	  "that cannot be read, with a warning, instead of stopping" }, \
	{ "boot-bios", MOPT_BOOT_BIOS, "PATH", "El Torito BIOS boot image (no emulation), " \
	  "a path inside the image such as /isolinux/isolinux.bin" }, \
	{ "boot-catalog", MOPT_BOOT_CATALOG, "PATH", "where the El Torito catalog goes in the " \
	  "image (default: boot.cat next to the boot image)" }, \
	{ "boot-load-size", MOPT_BOOT_LOAD_SIZE, "N", "512-byte sectors the BIOS loads (default 4)" }, \
	{ "no-boot-info-table", MOPT_NO_BOOT_INFO_TABLE, NULL, "do not patch a boot info " \
	  "table into the BIOS boot image (ISOLINUX needs one)" }, \
	{ "boot-efi", MOPT_BOOT_EFI, "PATH", "El Torito EFI boot image (a FAT image file), " \
	  "a path inside the image such as /boot/grub/efi.img" }, \
	{ "isohybrid-mbr", MOPT_ISOHYBRID_MBR, "FILE", "make the image bootable from a USB " \
	  "stick with this SYSLINUX MBR (isohdpfx.bin); needs --boot-bios" }

struct cli_master_args {
	struct img_master_opts o;
	struct img_graft *grafts;
	char **bufs;                    /* the parsed graft strings */
	const char **excludes;
	size_t n_excludes;
};

void cli_master_args_init(struct cli_master_args *ma);
void cli_master_args_release(struct cli_master_args *ma);
/* 1: key was a mastering option and was taken; 0: not one of them;
 * CLI_OPT_ERROR: a usage error was printed. */
int cli_master_opt(struct cli_ctx *ctx, struct cli_master_args *ma, int key,
		   const char *arg);
/* Take the SRC arguments and SOURCE_DATE_EPOCH.  0, or an exit code after
 * printing the error. */
int cli_master_sources(struct cli_ctx *ctx, struct cli_master_args *ma,
		       int n, char **srcs);
/* Move the positional arguments after the options, so that options may
 * follow SRC... as in "mkiso dir -o x.iso".  -1 when out of memory. */
int cli_permute_args(struct cli_ctx *ctx, int argc, char **argv);
/* cmd_verify_tags.c: check the session at start_lba of d against its MD5
 * tags after an on-the-fly burn; the outcome goes into the result object r
 * ("verify", and "ok"/"error" on failure) and, without --json, to stdout.
 * Returns the exit code. */
int cli_verify_tags_after_burn(struct cli_ctx *ctx, struct drv_drive *d,
			       int64_t start_lba, json_t *r);
/* Progress and skip reports for img_master_opts, on ctx. */
void cli_master_progress(const struct img_master_progress *p, void *ctx);
void cli_master_skip(const char *path, const struct sp_error *why, void *ctx);

#endif
