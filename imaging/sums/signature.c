/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * signature.c - the OpenPGP signature over a checksum file, through GPGME.
 *
 * The keys come from the keyring file the user names (a distribution's
 * exported signing key, armoured or binary), imported into a temporary
 * GNUPGHOME made for this one check and removed afterwards: the user's
 * own keyring and trust settings are never read or changed, so only a
 * signature by one of the given keys passes.  Trust is not asked for: the
 * user vouched for the keyring by naming it.  Without a gpg for GPGME to
 * run, signature_gpgv.c checks through gpgv instead.
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gpgme.h>

#include "imaging/sums/sums_private.h"

#define FILE_MAX (64 << 20)     /* bytes of a checksum file, signature or keyring */

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 ? 0 : 0;
}

static int write_conf(const char *home)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/gpg.conf", home);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("no-random-seed-file\nno-auto-key-retrieve\n", f);
	return fclose(f);
}

static enum sp_status load(const char *path, const char *what, gpgme_data_t *dh,
			   char **copy, size_t *copy_len, struct sp_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "rb");

	if (!f)
		return sp_error_set_errno(err, errno, "cannot open the %s '%s'", what, path);
	buf = malloc(FILE_MAX + 1);
	if (buf)
		len = fread(buf, 1, FILE_MAX + 1, f);
	if (!buf || ferror(f) || len > FILE_MAX) {
		fclose(f);
		free(buf);
		return sp_error_set(err, buf ? SPE_FORMAT : SPE_NOMEM, "cannot read the %s '%s'%s",
				    what, path, len > FILE_MAX ? ": it is over 64 MiB" : "");
	}
	fclose(f);
	if (gpgme_data_new_from_mem(dh, buf, len, 1) != 0) {
		free(buf);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	if (copy) {
		*copy = buf;
		*copy_len = len;
	} else {
		free(buf);
	}
	return SP_OK;
}

static void describe(gpgme_ctx_t ctx, gpgme_signature_t s, struct img_sig_info *info)
{
	gpgme_key_t key = NULL;

	snprintf(info->fingerprint, sizeof(info->fingerprint), "%s", s->fpr ? s->fpr : "");
	if (s->fpr && gpgme_get_key(ctx, s->fpr, &key, 0) == 0 && key) {
		if (key->uids && key->uids->uid)
			snprintf(info->uid, sizeof(info->uid), "%s", key->uids->uid);
		gpgme_key_unref(key);
	}
}

enum sp_status img_sig_verify(const char *keyring, const char *file,
			      const char *sig_path, char **signed_text,
			      size_t *signed_len, struct img_sig_info *info,
			      struct sp_error *err)
{
	char home[4096];
	const char *tmp = getenv("TMPDIR");
	gpgme_ctx_t ctx = NULL;
	gpgme_data_t keys = NULL, text = NULL, sig = NULL, plain = NULL;
	gpgme_import_result_t imp;
	gpgme_verify_result_t vr;
	gpgme_error_t ge;
	enum sp_status st = SP_FAILED;
	char *file_copy = NULL;
	size_t file_len = 0;
	bool good = false, bad = false;

	memset(info, 0, sizeof(*info));
	*signed_text = NULL;
	*signed_len = 0;
	gpgme_check_version(NULL);
	/* no gpg for GPGME to run (or asked for): gpgv does it */
	if ((getenv("SPINDLE_SIG_ENGINE") && strcmp(getenv("SPINDLE_SIG_ENGINE"), "gpgv") == 0) ||
	    gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP) != 0)
		return sums_gpgv_verify(keyring, file, sig_path, signed_text, signed_len, info, err);
	snprintf(home, sizeof(home), "%s/spindle-gnupg-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(home))
		return sp_error_set_errno(err, errno, "cannot make a temporary GnuPG home in '%s'",
					  tmp && *tmp ? tmp : "/tmp");
	/* gpg would write a random_seed file as it exits, possibly after we
	 * removed the directory */
	if (write_conf(home) != 0) {
		sp_error_set_errno(err, errno, "cannot write into the temporary GnuPG home '%s'", home);
		goto out;
	}
	if (gpgme_new(&ctx) != 0 ||
	    gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, NULL, home) != 0) {
		sp_error_set(err, SPE_LIB, "cannot start GnuPG through GPGME");
		sp_error_hint(err, "install the Debian package gnupg");
		goto out;
	}
	gpgme_set_offline(ctx, 1);
	if (load(keyring, "keyring", &keys, NULL, NULL, err) != SP_OK)
		goto out;
	ge = gpgme_op_import(ctx, keys);
	imp = ge ? NULL : gpgme_op_import_result(ctx);
	if (!imp || imp->imported + imp->unchanged == 0) {
		sp_error_set(err, SPE_FORMAT, "the keyring '%s' holds no OpenPGP public key", keyring);
		if (ge)
			sp_error_detail(err, "%s", gpgme_strerror(ge));
		goto out;
	}
	if (load(file, "checksum file", &text, &file_copy, &file_len, err) != SP_OK)
		goto out;
	if (sig_path) {
		if (load(sig_path, "signature", &sig, NULL, NULL, err) != SP_OK)
			goto out;
		ge = gpgme_op_verify(ctx, sig, text, NULL);
	} else {
		if (gpgme_data_new(&plain) != 0) {
			sp_error_set(err, SPE_NOMEM, "out of memory");
			goto out;
		}
		ge = gpgme_op_verify(ctx, text, NULL, plain);
	}
	vr = gpgme_op_verify_result(ctx);
	info->checked = true;
	for (gpgme_signature_t s = vr ? vr->signatures : NULL; s; s = s->next) {
		if (gpgme_err_code(s->status) == GPG_ERR_NO_ERROR && !(s->summary & GPGME_SIGSUM_RED)) {
			if (!good)
				describe(ctx, s, info);
			good = true;
		} else {
			if (!bad) {
				describe(ctx, s, info);
				snprintf(info->detail, sizeof(info->detail), "%s",
					 gpgme_strerror(s->status));
			}
			bad = true;
		}
	}
	if (ge && !bad && !good)
		snprintf(info->detail, sizeof(info->detail), "%s", gpgme_strerror(ge));
	if (bad || !good) {
		const char *what = sig_path ? sig_path : file;

		if (!vr || !vr->signatures)
			sp_error_set(err, SPE_MISMATCH, "'%s' carries no OpenPGP signature that can be "
				     "read%s", what, sig_path ? "" : " (not a clear-signed file: "
				     "give the detached signature with --signature FILE)");
		else if (vr->signatures && gpgme_err_code(vr->signatures->status) == GPG_ERR_NO_PUBKEY)
			sp_error_set(err, SPE_MISMATCH, "the signature of '%s' was made by key %s, "
				     "which is not in the keyring '%s'", file,
				     info->fingerprint[0] ? info->fingerprint : "(unknown)", keyring);
		else
			sp_error_set(err, SPE_MISMATCH, "BAD signature: '%s' is not what key %s "
				     "signed (%s)", file, info->fingerprint, info->detail);
		sp_error_hint(err, "do not trust the checksums in '%s'; download it again, and "
			      "check that the keyring is the distribution's", file);
		goto out;
	}
	info->good = true;
	if (plain) {
		*signed_text = gpgme_data_release_and_get_mem(plain, signed_len);
		plain = NULL;
		if (!*signed_text) {
			sp_error_set(err, SPE_NOMEM, "out of memory");
			goto out;
		}
		/* a copy in memory we own (gpgme_free is not free) */
		char *own = malloc(*signed_len + 1);

		if (!own) {
			gpgme_free(*signed_text);
			*signed_text = NULL;
			sp_error_set(err, SPE_NOMEM, "out of memory");
			goto out;
		}
		memcpy(own, *signed_text, *signed_len);
		gpgme_free(*signed_text);
		*signed_text = own;
	} else {
		*signed_text = file_copy;
		*signed_len = file_len;
		file_copy = NULL;
	}
	st = SP_OK;
out:
	free(file_copy);
	gpgme_data_release(keys);
	gpgme_data_release(text);
	gpgme_data_release(sig);
	gpgme_data_release(plain);
	if (ctx)
		gpgme_release(ctx);
	nftw(home, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (access(home, F_OK) == 0) {
		/* a gpg that GPGME has not reaped yet wrote something last */
		usleep(100000);
		nftw(home, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	}
	return st;
}
