/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * signature_gpgv.c - the signature check through gpgv, for when GPGME
 * cannot start gpg (no gnupg installed: gpgv is part of every Debian
 * system, as apt checks its archives with it), or when SPINDLE_SIG_ENGINE
 * is "gpgv".  gpgv takes only the keys of the keyring it is given and
 * has no trust database, which is what spindle wants; it reads binary
 * keyrings only, so an armoured one is de-armoured first into a
 * temporary folder.  Its verdict comes from its --status-fd lines:
 * GOODSIG/VALIDSIG, BADSIG, ERRSIG with NO_PUBKEY, NODATA.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "imaging/sums/sums_private.h"

#define FILE_MAX (64 << 20)

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static int b64(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/*
 * The binary packets of an ASCII-armoured block in buf, in place: the
 * base64 lines after the header's blank line (LF or CRLF line ends), up
 * to the "=CRC" line or the END line.  Returns the length, or 0 when buf
 * is not armoured.  tests/fuzz/fuzz_armor.c checks it against an encoder.
 */
size_t sums_dearmor(char *buf, size_t len)
{
	char *begin = memmem(buf, len, "-----BEGIN PGP", 14), *end = buf + len, *w = buf;
	char *p, *crlf;
	unsigned acc = 0;
	int bits = 0;

	if (!begin)
		return 0;
	/* the blank line after the headers, LF or CRLF, whichever comes first */
	p = memmem(begin, (size_t)(end - begin), "\n\n", 2);
	crlf = memmem(begin, (size_t)(end - begin), "\n\r\n", 3);
	if (!p || (crlf && crlf < p))
		p = crlf;
	if (!p)
		return 0;
	for (; p < end; p++) {
		int v;

		if (*p == '\n' && p + 1 < end && (p[1] == '=' || p[1] == '-'))
			break;
		if ((v = b64((unsigned char)*p)) < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*w++ = (char)((acc >> bits) & 0xff);
		}
	}
	return (size_t)(w - buf);
}

/* Write the keyring, de-armoured if need be, to dir/keys.gpg. */
static enum sp_status keyring_file(const char *keyring, const char *dir, char *out,
				   size_t outlen, struct sp_error *err)
{
	static const struct sp_file_kind kind = { "keyring", FILE_MAX, SPE_FORMAT, false };
	char *buf = NULL;
	size_t len = 0, bin;
	enum sp_status st;

	if (sp_read_file(keyring, &kind, &buf, &len, err) != SP_OK)
		return SP_FAILED;
	bin = sums_dearmor(buf, len);
	snprintf(out, outlen, "%s/keys.gpg", dir);
	st = sp_write_file_atomic(out, buf, bin ? bin : len, err);
	free(buf);
	return st;
}

/* Run gpgv with args; its status lines into *status (malloc'ed). */
static enum sp_status run_gpgv(char *const argv[], char **status, struct sp_error *err)
{
	int fds[2];
	pid_t pid;
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	ssize_t n;
	int ws;

	*status = NULL;
	if (!buf || pipe(fds) != 0) {
		free(buf);
		return sp_error_set(err, SPE_NOMEM, "cannot start gpgv");
	}
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		free(buf);
		return sp_error_set_errno(err, errno, "cannot start gpgv");
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(fds[1], 1);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 2);
		}
		close(fds[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf + len, cap - 1 - len)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && (len += (size_t)n) == cap - 1)
			break;
	close(fds[0]);
	buf[len] = '\0';
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 127) {
		free(buf);
		sp_error_set(err, SPE_LIB, "neither GPGME's gpg nor gpgv could be started");
		sp_error_hint(err, "install the Debian package gnupg (or gpgv)");
		return SP_FAILED;
	}
	*status = buf;
	return SP_OK;
}

/* The rest of the status line after "[GNUPG:] KEY ", or NULL. */
static const char *status_line(const char *s, const char *key, char *val, size_t len)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "[GNUPG:] %s ", key);
	if (!(p = strstr(s, pat)))
		return NULL;
	p += strlen(pat);
	e = strchr(p, '\n');
	snprintf(val, len, "%.*s", (int)(e ? e - p : (ptrdiff_t)strlen(p)), p);
	return p;
}

enum sp_status sums_gpgv_verify(const char *keyring, const char *file,
				const char *sig_path, char **signed_text,
				size_t *signed_len, struct img_sig_info *info,
				struct sp_error *err)
{
	static const struct sp_file_kind kind = { "checksum file", FILE_MAX, SPE_FORMAT, false };
	char dir[4096], keys[4200], plain[4200], val[512];
	const char *tmp = getenv("TMPDIR"), *what = sig_path ? sig_path : file;
	char *status = NULL, *argv[12];
	enum sp_status st = SP_FAILED;
	int a = 0;

	memset(info, 0, sizeof(*info));
	*signed_text = NULL;
	*signed_len = 0;
	snprintf(dir, sizeof(dir), "%s/spindle-gpgv-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return sp_error_set_errno(err, errno, "cannot make a temporary folder in '%s'",
					  tmp && *tmp ? tmp : "/tmp");
	if (keyring_file(keyring, dir, keys, sizeof(keys), err) != SP_OK)
		goto out;
	snprintf(plain, sizeof(plain), "%s/plain", dir);
	argv[a++] = (char *)"gpgv";
	argv[a++] = (char *)"--homedir";
	argv[a++] = dir;
	argv[a++] = (char *)"--status-fd=1";
	argv[a++] = (char *)"--keyring";
	argv[a++] = keys;
	if (!sig_path) {
		argv[a++] = (char *)"--output";
		argv[a++] = plain;
	}
	argv[a++] = (char *)(sig_path ? sig_path : file);
	if (sig_path)
		argv[a++] = (char *)file;
	argv[a] = NULL;
	if (run_gpgv(argv, &status, err) != SP_OK)
		goto out;
	info->checked = true;
	if (status_line(status, "VALIDSIG", val, sizeof(val)))
		snprintf(info->fingerprint, sizeof(info->fingerprint), "%.*s",
			 (int)strcspn(val, " "), val);
	if (status_line(status, "GOODSIG", val, sizeof(val)) && !strstr(status, "[GNUPG:] BADSIG ")) {
		const char *uid = strchr(val, ' ');

		snprintf(info->uid, sizeof(info->uid), "%s", uid ? uid + 1 : "");
		info->good = true;
	} else if (status_line(status, "BADSIG", val, sizeof(val))) {
		snprintf(info->fingerprint, sizeof(info->fingerprint), "%.*s",
			 (int)strcspn(val, " "), val);
		snprintf(info->detail, sizeof(info->detail), "Bad signature");
		sp_error_set(err, SPE_MISMATCH, "BAD signature: '%s' is not what key %s signed (%s)",
			     file, info->fingerprint, info->detail);
	} else if (status_line(status, "ERRSIG", val, sizeof(val)) && strstr(status, "NO_PUBKEY")) {
		snprintf(info->fingerprint, sizeof(info->fingerprint), "%.*s",
			 (int)strcspn(val, " "), val);
		sp_error_set(err, SPE_MISMATCH, "the signature of '%s' was made by key %s, "
			     "which is not in the keyring '%s'", file, info->fingerprint, keyring);
	} else {
		sp_error_set(err, SPE_MISMATCH, "'%s' carries no OpenPGP signature that can be "
			     "read%s", what, sig_path ? "" : " (not a clear-signed file: "
			     "give the detached signature with --signature FILE)");
	}
	if (!info->good) {
		sp_error_hint(err, "do not trust the checksums in '%s'; download it again, and "
			      "check that the keyring is the distribution's", file);
		sp_error_detail(err, "checked with gpgv");
		goto out;
	}
	if (sp_read_file(sig_path ? file : plain, &kind, signed_text, signed_len, err) != SP_OK)
		goto out;
	st = SP_OK;
out:
	free(status);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return st;
}
