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
 * "partition=START,BLOCKS,HEX" is the digest of an appended partition (an
 * EFI image), START and BLOCKS in 512-byte blocks, over the same
 * normalised bytes; checked too, and a record may hold only that one.
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
		} else if (kn == 9 && memcmp(s, "partition", 9) == 0) {
			const char *c1 = memchr(v, ',', vn), *c2;
			size_t hn;

			if (!c1 || !(c2 = memchr(c1 + 1, ',', vn - (size_t)(c1 + 1 - v))))
				continue;
			hn = vn - (size_t)(c2 + 1 - v);
			if (!to_int(v, (size_t)(c1 - v), INT32_MAX, &out->part_start) ||
			    !to_int(c1 + 1, (size_t)(c2 - c1 - 1), INT32_MAX, &out->part_blocks) ||
			    out->part_blocks == 0 ||
			    !img_sum_algo_from_hex_len(hn, &out->part_algo) ||
			    !img_sum_hex_valid(out->part_algo, c2 + 1, hn))
				continue;
			for (size_t i = 0; i < hn; i++)
				out->part_hex[i] = (char)tolower((unsigned char)c2[1 + i]);
			out->part_hex[hn] = '\0';
			out->has_part = true;
		}
	}
	return out->has_digest || out->has_part;
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
	t->part_done = !rec->has_part;
	if (rec->has_part) {
		t->part_at = rec->part_start * 512;
		t->part_end = t->part_at + rec->part_blocks * 512;
		t->pd = img_digest_new(rec->part_algo);
	}
	if (!rec->has_digest) {
		t->total = 0;
		t->done = true;
		return;
	}
	t->d = img_digest_new(rec->algo);
	if (rec->pad_sectors * SP_SECTOR >= vol_bytes) {
		/* tagmedia refuses such padding; the record is bogus */
		t->rec.pad_sectors = 0;
		t->total = 0;
		t->done = true;
	}
}

/*
 * Hash data (len bytes of the image at `at`) into d the way checkmedia
 * normalises it: the MBR as zeros, the signature block after its magic as
 * zeros, the application-use area as spaces.
 */
static void feed_normalised(const struct tagmedia_run *t, struct img_digest *d, int64_t at,
			    const unsigned char *data, size_t len)
{
	static const unsigned char zeros[SP_SECTOR];
	int64_t sig = t->rec.signature_block * 512;

	while (len) {
		/* cut at the MBR and signature boundaries so that each piece
		 * is blanked by one rule */
		size_t n = len;

		if (at < MBR_BYTES) {
			n = (size_t)(MBR_BYTES - at) < len ? (size_t)(MBR_BYTES - at) : len;
			img_digest_update(d, zeros, n);
		} else if (sig && at >= sig + SIG_SKIP && at < sig + SIG_BYTES) {
			n = (size_t)(sig + SIG_BYTES - at) < len ? (size_t)(sig + SIG_BYTES - at) : len;
			img_digest_update(d, zeros, n);
		} else {
			if (sig && at < sig + SIG_SKIP && (int64_t)n > sig + SIG_SKIP - at)
				n = (size_t)(sig + SIG_SKIP - at);
			sums_feed_blanked(d, at, data, n, t->blank_at, IMG_APPDATA_SIZE, ' ');
		}
		at += (int64_t)n;
		data += n;
		len -= n;
	}
}

/* The partition's share of [pos, pos+len), in order. */
static void feed_part(struct tagmedia_run *t, int64_t pos, const unsigned char *data, size_t len)
{
	int64_t a = pos > t->part_at ? pos : t->part_at;
	int64_t e = pos + (int64_t)len < t->part_end ? pos + (int64_t)len : t->part_end;

	if (t->part_done || e <= a)
		return;
	feed_normalised(t, t->pd, a, data + (a - pos), (size_t)(e - a));
	if (e == t->part_end) {
		img_digest_peek(t->pd, t->part_actual);
		t->part_done = true;
	}
}

void tagmedia_run_feed(struct tagmedia_run *t, int64_t pos, const unsigned char *data,
		       size_t len)
{
	static const unsigned char zeros[SP_SECTOR];

	feed_part(t, pos, data, len);
	if (t->done || pos != t->fed)
		return;
	if ((int64_t)len > t->total - t->fed)
		len = (size_t)(t->total - t->fed);
	feed_normalised(t, t->d, t->fed, data, len);
	t->fed += (int64_t)len;
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
	img_digest_free(t->pd);
	t->d = NULL;
	t->pd = NULL;
}
