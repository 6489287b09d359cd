/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sums.h - checksums that others publish, and the ones implanted in ISOs.
 *
 * spindle verify checks an image file, a disc or a stick against
 *   - a digest given on the command line (--sha256 HEX ...),
 *   - a line of a checksum file (GNU "HEX  NAME" / "HEX *NAME", BSD
 *     "SHA256 (NAME) = HEX"), optionally signed (clear-signed, or with a
 *     detached signature) and checked with GPGME against a given keyring,
 *   - the MD5 that Red Hat's implantisomd5 records in the primary volume
 *     descriptor's application-use area (with its fragment sums),
 *   - the digests SUSE's tagmedia records there,
 *   - the md5sum.txt / sha256sum.txt lists inside Debian and Ubuntu ISOs,
 *   - the size the ISO 9660 or UDF volume claims (a truncated download).
 *
 * One sequential pass reads the source for exactly the image's length and
 * feeds every digest; the in-ISO lists are read file by file afterwards.
 *
 *     struct img_sums_opts o = IMG_SUMS_OPTS_INIT;
 *     struct img_sums_report r = IMG_SUMS_REPORT_INIT;
 *     img_sums_expect_add(&o, IMG_SUM_SHA256, hex, "--sha256", &err);
 *     img_sums_check_file("x.iso", &o, &r, &err);    or _drive()
 *     ... r.checks[i].state ...
 *     img_sums_report_release(&r); img_sums_opts_release(&o);
 */
#ifndef SPINDLE_IMAGING_SUMS_H
#define SPINDLE_IMAGING_SUMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "drive/drive.h"

/* ---- digests (sums/digest.c, OpenSSL EVP) ---- */

enum img_sum_algo {
	IMG_SUM_MD5,
	IMG_SUM_SHA1,
	IMG_SUM_SHA224,
	IMG_SUM_SHA256,
	IMG_SUM_SHA384,
	IMG_SUM_SHA512,
	IMG_SUM__COUNT
};
#define IMG_SUM_HEX_MAX 129     /* 128 hex digits of SHA-512 and a NUL */

const char *img_sum_algo_name(enum img_sum_algo a);     /* "sha256" */
size_t img_sum_hex_len(enum img_sum_algo a);            /* 64 */
/* From a hex length (32, 40, 56, 64, 96, 128). */
bool img_sum_algo_from_hex_len(size_t len, enum img_sum_algo *a);
/* From a name as BSD files and tagmedia write it: "SHA256", "sha256",
 * "MD5" ... (len bytes of name, not NUL-terminated). */
bool img_sum_algo_from_name(const char *name, size_t len, enum img_sum_algo *a);
/* hex holds exactly img_sum_hex_len(a) hex digits (either case). */
bool img_sum_hex_valid(enum img_sum_algo a, const char *hex, size_t len);

struct img_digest;
struct img_digest *img_digest_new(enum img_sum_algo a);
void img_digest_update(struct img_digest *d, const void *data, size_t len);
/* The lower-case hex digest; the context stays usable (a copy is finished). */
void img_digest_peek(const struct img_digest *d, char hex[IMG_SUM_HEX_MAX]);
void img_digest_free(struct img_digest *d);

/* ---- checksum files (sums/sumfile.c) ---- */

struct img_sumline {
	enum img_sum_algo algo;
	char hex[IMG_SUM_HEX_MAX];      /* lower case */
	char *name;                     /* as listed, escapes undone */
	unsigned line;                  /* 1-based line number */
};

struct img_sumfile {
	struct img_sumline *v;
	size_t n, alloc;
	unsigned skipped;               /* lines that are neither format */
	bool clearsigned;               /* the text was a PGP signed message */
	int64_t size_hint;              /* "# NAME: N bytes" (Fedora), -1 none */
	char *size_name;                /* its NAME */
};
#define IMG_SUMFILE_INIT { .size_hint = -1 }

/*
 * Parse a checksum file held in buf (not NUL-terminated): GNU lines
 * ("HEX  NAME", "HEX *NAME", "\HEX  NAME" with escapes) and BSD lines
 * ("ALGO (NAME) = HEX"); comments and blank lines are skipped, and so is
 * the armour of a clear-signed message (only its text is read).  A pure
 * function of its input; name is used in messages only.  Fails when no
 * line is usable.
 */
enum sp_status img_sumfile_parse(struct img_sumfile *f, const char *buf,
				 size_t len, const char *name,
				 struct sp_error *err);
/*
 * The line for image_name (compared by its last path component), or the
 * only line when the file has one; NULL with err saying why (no line for
 * it, or several and no name).  image_name may be NULL.
 */
const struct img_sumline *img_sumfile_find(const struct img_sumfile *f,
					   const char *image_name,
					   const char *file_name,
					   struct sp_error *err);
void img_sumfile_release(struct img_sumfile *f);

/* ---- OpenPGP signatures (sums/signature.c, GPGME) ---- */

struct img_sig_info {
	bool checked;
	bool good;
	char fingerprint[64];
	char uid[256];                  /* the signer's first user id, if known */
	char detail[256];               /* GPGME's words for a failure */
};

/*
 * Check the OpenPGP signature over `file`: a detached one in sig_path, or
 * (sig_path NULL) the clear-signed text of file itself, against the keys
 * in keyring (an exported key file or a keyring, armoured or binary).  The
 * keys are imported into a temporary GNUPGHOME that is removed afterwards;
 * the user's own keyring is never read or changed.  On success *signed_text
 * (malloc'ed, *signed_len bytes) is what the signature covers: the clear-
 * signed message's text, or the file itself.  A bad signature, or one by a
 * key not in keyring, is SPE_MISMATCH.
 */
enum sp_status img_sig_verify(const char *keyring, const char *file,
			      const char *sig_path, char **signed_text,
			      size_t *signed_len, struct img_sig_info *info,
			      struct sp_error *err);

/* ---- implanted digests (sums/isomd5.c, sums/tagmedia.c) ---- */

#define IMG_APPDATA_OFFSET 883  /* in the primary volume descriptor */
#define IMG_APPDATA_SIZE 512

/* Red Hat's isomd5sum record. */
struct img_isomd5 {
	char md5[33];
	int64_t skip_sectors;           /* left out at the end of the volume */
	int fragment_count;             /* 0: no fragment sums */
	char fragment_sums[61];
	int supported;                  /* RHLISOSTATUS */
};
/* Parse the application-use area (512 bytes); false if it holds no
 * isomd5sum record (or a malformed one).  Pure; fuzzable. */
bool img_isomd5_parse(const unsigned char *appdata, size_t len,
		      struct img_isomd5 *out);
/* The application-use area for a record (spaces elsewhere). */
void img_isomd5_format(const struct img_isomd5 *r, unsigned char appdata[IMG_APPDATA_SIZE]);

/* SUSE's tagmedia record: key=value pairs separated by ';'. */
struct img_tagmedia {
	bool has_digest;
	enum img_sum_algo algo;
	char hex[IMG_SUM_HEX_MAX];
	int64_t pad_sectors;            /* 2 KiB blocks of padding left out */
	int64_t signature_block;        /* 512-byte block of a signature, 0 none */
	/* "partition=START,BLOCKS,HEX": the digest of an appended partition
	 * (an EFI image), START and BLOCKS in 512-byte blocks */
	bool has_part;
	enum img_sum_algo part_algo;
	char part_hex[IMG_SUM_HEX_MAX];
	int64_t part_start, part_blocks;
};
/* Parse the application-use area; false if it is not a tagmedia one with
 * a digest (of the ISO or of a partition).  Pure; fuzzable. */
bool img_tagmedia_parse(const unsigned char *appdata, size_t len,
			struct img_tagmedia *out);

/*
 * Implant an isomd5sum record into the ISO image file at path (its
 * application-use area must be blank, as libisofs leaves it), the way
 * implantisomd5 does, so that checkisomd5 accepts the image.
 */
enum sp_status img_isomd5_implant(const char *path, struct img_isomd5 *out,
				  struct sp_error *err);

/* ---- the check (sums/check.c) ---- */

enum img_sum_kind {
	IMG_CHECK_GIVEN,        /* a digest given on the command line */
	IMG_CHECK_SUMFILE,      /* a line of a checksum file */
	IMG_CHECK_SIGNATURE,    /* the checksum file's OpenPGP signature */
	IMG_CHECK_ISOMD5,       /* Red Hat implanted MD5 */
	IMG_CHECK_TAGMEDIA,     /* SUSE tagmedia digest */
	IMG_CHECK_FILELIST,     /* md5sum.txt / sha256sum.txt inside the ISO */
	IMG_CHECK_SIZE,         /* volume size against the image's length */
};
const char *img_sum_kind_name(enum img_sum_kind k);

enum img_check_state {
	IMG_CHECK_PASS,
	IMG_CHECK_FAIL,
	IMG_CHECK_UNREADABLE,
};
const char *img_check_state_name(enum img_check_state s);

/* What is expected of the whole image. */
struct img_sum_expect {
	enum img_sum_algo algo;
	char hex[IMG_SUM_HEX_MAX];
	enum img_sum_kind kind;         /* GIVEN or SUMFILE */
	char source[256];               /* "--sha256", "SHA256SUMS line 3" */
};

struct img_sums_opts {
	struct img_sum_expect *expect;
	size_t n_expect;
	bool implanted;                 /* look for isomd5sum and tagmedia */
	bool file_lists;                /* check md5sum.txt / sha256sum.txt */
	bool size_check;
	int64_t bytes;                  /* length to read from a drive; -1: the volume's */
	void (*progress)(uint64_t done, uint64_t total, void *ctx);
	void *ctx;
};
#define IMG_SUMS_OPTS_INIT { .implanted = true, .file_lists = true, \
	.size_check = true, .bytes = -1 }

enum sp_status img_sums_expect_add(struct img_sums_opts *o, enum img_sum_algo a,
				   const char *hex, enum img_sum_kind kind,
				   const char *source, struct sp_error *err);
void img_sums_opts_release(struct img_sums_opts *o);

struct img_check {
	enum img_sum_kind kind;
	enum img_check_state state;
	char algo[16];                  /* "sha256", "md5" */
	char expected[IMG_SUM_HEX_MAX];
	char actual[IMG_SUM_HEX_MAX];
	char source[256];
	char detail[256];               /* words for a person */
	int fragment;                   /* isomd5: first bad fragment (1-based), 0 none */
	char **differ;                  /* FILELIST: files that differ */
	size_t n_differ;
	size_t n_files;                 /* FILELIST: files listed */
	int64_t missing_bytes;          /* SIZE: how much is missing */
};

struct img_sums_report {
	struct img_check *checks;
	size_t n;
	uint64_t bytes;                 /* length read */
	int64_t volume_bytes;           /* ISO 9660/UDF volume size, -1 unknown */
	const char *volume_kind;        /* "iso9660", "udf", NULL */
	int64_t unreadable_lba;         /* first unreadable sector, -1 none */
	/* a libisofs superblock MD5 tag follows the volume descriptors: 1
	 * yes, 0 no, -1 not looked at (the pass did not read that far) */
	int md5_tags;
	/* a digest of the image (given, checksum file, implanted) was checked,
	 * and every check passed */
	bool digests_passed;
};
#define IMG_SUMS_REPORT_INIT { .volume_bytes = -1, .unreadable_lba = -1, .md5_tags = -1 }

/* Append a check made elsewhere (the signature); SP_FATAL without memory. */
enum sp_status img_sums_report_add(struct img_sums_report *r, const struct img_check *c);

/* Check an image file.  SP_OK when the checks could run; the verdict is in
 * r (img_sums_failed), after the checks r already held. */
enum sp_status img_sums_check_file(const char *path, const struct img_sums_opts *o,
				   struct img_sums_report *r, struct sp_error *err);
/* Check a disc or a stick from LBA 0, for o->bytes bytes (or the volume's
 * size when o->bytes < 0). */
enum sp_status img_sums_check_drive(struct drv_drive *d, const struct img_sums_opts *o,
				    struct img_sums_report *r, struct sp_error *err);
/* The first failed check, or NULL. */
const struct img_check *img_sums_failed(const struct img_sums_report *r);
void img_sums_report_release(struct img_sums_report *r);

#endif
