/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tagmedia.c - SUSE's tagmedia digests (openSUSE/checkmedia).
 *
 * tagmedia writes "key=value" pairs, separated by ';', into the 512-byte
 * application-use area of the primary volume descriptor: "sha256sum=HEX"
 * (or md5sum, sha1sum, sha224sum, sha384sum, sha512sum), "pad=N" (2 KiB
 * blocks at the end of the volume left out and hashed as zeros), and
 * "signature=N" (a 512-byte block whose tail and the next 1.5 KiB are
 * hashed as zeros).  The digest covers the volume with its first 512 bytes
 * (an isohybrid MBR) read as zeros and the application-use area as spaces.
 * Only the digest of the ISO is checked; a "partition=" digest (of an
 * appended EFI partition) is not.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/sums/sums_private.h"

#define MBR_BYTES 512
#define SIG_SKIP 0x40           /* bytes of the signature block kept */
#define SIG_BYTES 2048

static bool allowed(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '=' || c == ',' || c == ';' ||
	       c == '!' || c == ' ' || c == '\0';
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\0')) {
		++*s;
		--*n;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\0'))
		--*n;
}

static bool to_int(const char *s, size_t n, int64_t max, int64_t *v)
{
	int64_t x = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		x = x * 10 + (s[i] - '0');
		if (x > max)
			return false;
	}
	*v = x;
	return true;
}

bool img_tagmedia_parse(const unsigned char *appdata, size_t len,
			struct img_tagmedia *out)
{
	const char *a = (const char *)appdata;
	size_t at = 0;

	memset(out, 0, sizeof(*out));
	if (len > IMG_APPDATA_SIZE)
		len = IMG_APPDATA_SIZE;
	for (size_t i = 0; i < len; i++)
		if (!allowed(appdata[i]))
			return false;
	while (at < len) {
		const char *s = a + at, *semi = memchr(s, ';', len - at), *eq;
		size_t n = semi ? (size_t)(semi - s) : len - at, kn, vn;
		const char *v;
		enum img_sum_algo algo;

		at += n + 1;
		trim(&s, &n);
		eq = memchr(s, '=', n);
		if (!eq)
			continue;
		kn = (size_t)(eq - s);
		while (kn && s[kn - 1] == ' ')
			kn--;
		v = eq + 1;
		vn = n - (size_t)(v - s);
		trim(&v, &vn);
		if (kn > 3 && memcmp(s + kn - 3, "sum", 3) == 0 &&
		    img_sum_algo_from_name(s, kn - 3, &algo) && img_sum_hex_valid(algo, v, vn)) {
			out->has_digest = true;
			out->algo = algo;
			for (size_t i = 0; i < vn; i++)
				out->hex[i] = (char)tolower((unsigned char)v[i]);
			out->hex[vn] = '\0';
		} else if (kn == 3 && memcmp(s, "pad", 3) == 0) {
			if (!to_int(v, vn, INT32_MAX, &out->pad_sectors))
				return false;
		} else if (kn == 9 && memcmp(s, "signature", 9) == 0) {
			if (!to_int(v, vn, INT64_MAX / 4096, &out->signature_block))
				return false;
		}
	}
	return out->has_digest;
}

void tagmedia_run_init(struct tagmedia_run *t, const struct img_tagmedia *rec,
		       int64_t vol_bytes, int64_t pvd_offset)
{
	memset(t, 0, sizeof(*t));
	t->rec = *rec;
	t->total = vol_bytes - rec->pad_sectors * SP_SECTOR;
	if (t->total < 0)
		t->total = 0;
	t->blank_at = pvd_offset + IMG_APPDATA_OFFSET;
	t->d = img_digest_new(rec->algo);
	if (rec->pad_sectors * SP_SECTOR >= vol_bytes) {
		/* tagmedia refuses such padding; the record is bogus */
		t->rec.pad_sectors = 0;
		t->total = 0;
		t->done = true;
	}
}

void tagmedia_run_feed(struct tagmedia_run *t, int64_t pos, const unsigned char *data,
		       size_t len)
{
	static const unsigned char zeros[SP_SECTOR];

	if (t->done || pos != t->fed)
		return;
	if ((int64_t)len > t->total - t->fed)
		len = (size_t)(t->total - t->fed);
	while (len) {
		/* cut at the MBR and signature boundaries so that each piece
		 * is blanked by one rule */
		int64_t sig = t->rec.signature_block * 512;
		size_t n = len;

		if (t->fed < MBR_BYTES) {
			n = (size_t)(MBR_BYTES - t->fed) < len ? (size_t)(MBR_BYTES - t->fed) : len;
			img_digest_update(t->d, zeros, n);
		} else if (sig && t->fed >= sig + SIG_SKIP && t->fed < sig + SIG_BYTES) {
			n = (size_t)(sig + SIG_BYTES - t->fed) < len ? (size_t)(sig + SIG_BYTES - t->fed) : len;
			img_digest_update(t->d, zeros, n);
		} else {
			if (sig && t->fed < sig + SIG_SKIP && (int64_t)n > sig + SIG_SKIP - t->fed)
				n = (size_t)(sig + SIG_SKIP - t->fed);
			sums_feed_blanked(t->d, t->fed, data, n, t->blank_at, IMG_APPDATA_SIZE, ' ');
		}
		t->fed += (int64_t)n;
		data += n;
		len -= n;
	}
	if (t->fed >= t->total) {
		for (int64_t i = 0; i < t->rec.pad_sectors; i++)
			img_digest_update(t->d, zeros, sizeof(zeros));
		img_digest_peek(t->d, t->actual);
		t->done = true;
	}
}

void tagmedia_run_release(struct tagmedia_run *t)
{
	img_digest_free(t->d);
	t->d = NULL;
}
