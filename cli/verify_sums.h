/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * verify_sums.h - the options of `spindle verify` for checksums that others
 * publish (--sha256, --checksums, --signature, --keyring ...), and the
 * report of every check that ran.
 *
 *     struct cli_sums_args sa;
 *     cli_sums_args_init(&sa);
 *     ... r = cli_sums_opt(ctx, &sa, c, arg): 1 taken, 0 not ours, -1 error
 *     rc = cli_sums_prepare(ctx, &sa, image_name);   signature, checksum file
 *     rc = cli_sums_run(ctx, &sa, d, image_path, json);   a drive or a file
 *     cli_sums_args_release(&sa);
 */
#ifndef SPINDLE_CLI_VERIFY_SUMS_H
#define SPINDLE_CLI_VERIFY_SUMS_H

#include "cli/cli.h"
#include "drive/drive.h"
#include "imaging/imaging.h"

enum {
	SOPT_SHA256 = 820, SOPT_SHA512, SOPT_SHA1, SOPT_MD5, SOPT_CHECKSUMS,
	SOPT_SIGNATURE, SOPT_KEYRING, SOPT_NAME, SOPT_SIZE
};

#define CLI_SUMS_OPTIONS \
	{ "sha256", SOPT_SHA256, "HEX", "the SHA-256 the image must have" }, \
	{ "sha512", SOPT_SHA512, "HEX", "the SHA-512 the image must have" }, \
	{ "sha1", SOPT_SHA1, "HEX", "the SHA-1 the image must have" }, \
	{ "md5", SOPT_MD5, "HEX", "the MD5 the image must have" }, \
	{ "checksums", SOPT_CHECKSUMS, "FILE", "a checksum file (SHA256SUMS, CHECKSUM ...): " \
	  "GNU or BSD lines; the line for the image is found by its name" }, \
	{ "keyring", SOPT_KEYRING, "KEYRING", "check the OpenPGP signature of the checksum " \
	  "file first, against the keys in KEYRING only" }, \
	{ "signature", SOPT_SIGNATURE, "FILE", "the detached signature of the checksum file " \
	  "(SHA256SUMS.gpg); without it the file must be clear-signed" }, \
	{ "name", SOPT_NAME, "NAME", "the image's name in the checksum file (for a disc)" }, \
	{ "size", SOPT_SIZE, "BYTES", "read this many bytes of a disc (default: the size " \
	  "the checksum file gives, or the volume's)" }

struct cli_sums_args {
	struct img_sums_opts o;
	const char *checksums, *signature, *keyring, *name;
	int64_t size;                   /* --size, -1 none */
	bool given;                     /* a digest or a checksum file was given */
	struct img_check sig;           /* the signature check, if one ran */
	bool has_sig;
	/* after cli_sums_run(): why a check failed (code SPE_NONE if none), for
	 * the caller to print last; and whether the implanted MD5 failed */
	struct sp_error verdict;
	bool isomd5_failed;
	size_t n_checks;
	bool digests_passed;            /* the image is what was published */
	int md5_tags;                   /* libisofs tags: 1 yes, 0 no, -1 unknown */
};

void cli_sums_args_init(struct cli_sums_args *a);
int cli_sums_opt(struct cli_ctx *ctx, struct cli_sums_args *a, int c, const char *arg);
/* Check the signature, read the checksum file and take the line for
 * image_name (or --name).  Returns an exit code (0 to go on). */
int cli_sums_prepare(struct cli_ctx *ctx, struct cli_sums_args *a, const char *image_name);
/*
 * Run the checks on drive d, or (d NULL) on image_path; print them, or put
 * them into r as "checks" (and "ok"/"error" on a failure).  Returns the exit
 * code: 0 all passed, 5 a check failed (a->verdict says why; print it with
 * cli_print_error()), 6 unreadable, or that of an error, reported already.
 */
int cli_sums_run(struct cli_ctx *ctx, struct cli_sums_args *a, struct drv_drive *d,
		 const char *image_path, json_t *r);
void cli_sums_args_release(struct cli_sums_args *a);

#endif
