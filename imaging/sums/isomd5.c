/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * isomd5.c - Red Hat's implanted MD5 (isomd5sum: implantisomd5,
 * checkisomd5), as Fedora, RHEL and CentOS installation media carry it.
 *
 * The record is text in the 512-byte application-use area of the primary
 * volume descriptor (byte 883 on), fields ending in ';':
 *
 *   ISO MD5SUM = <32 hex>;SKIPSECTORS = <n>;RHLISOSTATUS=<0|1>;
 *   FRAGMENT SUMS = <60 chars>;FRAGMENT COUNT = <n>;...
 *
 * The MD5 covers the volume (its size from the descriptor) less the last
 * SKIPSECTORS sectors, with the application-use area read as 512 spaces.
 * The volume is also cut into FRAGMENT COUNT + 1 fragments; the data is
 * hashed in 32 KiB pieces, and after each piece that starts in fragment
 * f >= 1 the MD5 of everything so far, taken early, yields
 * 60 / FRAGMENT COUNT characters: for each of its first bytes, the
 * first hex digit of that byte as printf("%x") writes it.  A checker can
 * therefore stop at the first bad fragment.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/sums/sums_private.h"

static size_t field(const char *area, size_t len, size_t at, const char *key)
{
	size_t k = strlen(key);

	return at + k <= len && memcmp(area + at, key, k) == 0 ? k : 0;
}

/* digits up to ';' (or the end of the area) */
static bool number(const char *area, size_t len, size_t *at, int64_t max, int64_t *v)
{
	size_t i = *at;
	int64_t n = 0;

	if (i >= len || !isdigit((unsigned char)area[i]))
		return false;
	for (; i < len && area[i] != ';'; i++) {
		if (!isdigit((unsigned char)area[i]))
			return false;
		n = n * 10 + (area[i] - '0');
		if (n > max)
			return false;
	}
	*at = i;
	*v = n;
	return true;
}

bool img_isomd5_parse(const unsigned char *appdata, size_t len,
		      struct img_isomd5 *out)
{
	const char *a = (const char *)appdata;
	bool md5 = false, skip = false, sums = false, count = false;
	size_t at = 0, k;
	int64_t v;

	memset(out, 0, sizeof(*out));
	if (len > IMG_APPDATA_SIZE)
		len = IMG_APPDATA_SIZE;
	while (at < len) {
		if ((k = field(a, len, at, "ISO MD5SUM = "))) {
			if (at + k + 32 > len)
				return false;
			for (size_t i = 0; i < 32; i++) {
				char c = a[at + k + i];

				if (!isxdigit((unsigned char)c))
					return false;
				out->md5[i] = (char)tolower((unsigned char)c);
			}
			out->md5[32] = '\0';
			md5 = true;
			at += k + 32;
		} else if ((k = field(a, len, at, "SKIPSECTORS = "))) {
			at += k;
			if (!number(a, len, &at, INT32_MAX, &v))
				return false;
			out->skip_sectors = v;
			skip = true;
		} else if ((k = field(a, len, at, "RHLISOSTATUS="))) {
			at += k;
			if (at < len && (a[at] == '0' || a[at] == '1'))
				out->supported = a[at] - '0';
		} else if ((k = field(a, len, at, "FRAGMENT SUMS = "))) {
			size_t n = 0;

			at += k;
			while (at + n < len && n < 60 && a[at + n] != ';')
				n++;
			memcpy(out->fragment_sums, a + at, n);
			out->fragment_sums[n] = '\0';
			sums = true;
			at += n;
		} else if ((k = field(a, len, at, "FRAGMENT COUNT = "))) {
			at += k;
			if (!number(a, len, &at, 60, &v))
				return false;
			out->fragment_count = (int)v;
			count = true;
		} else {
			at++;
		}
	}
	if (!md5 || !skip)
		return false;
	/* fragment sums only when they are consistent: count divides 60 and
	 * the sums have 60 characters */
	if (!sums || !count || out->fragment_count <= 0 || 60 % out->fragment_count != 0 ||
	    strlen(out->fragment_sums) != 60)
		out->fragment_count = 0;
	return true;
}

void img_isomd5_format(const struct img_isomd5 *r, unsigned char appdata[IMG_APPDATA_SIZE])
{
	char text[IMG_APPDATA_SIZE + 1];
	int n;

	n = snprintf(text, sizeof(text),
		     "ISO MD5SUM = %s;SKIPSECTORS = %lld;RHLISOSTATUS=%d;"
		     "FRAGMENT SUMS = %s;FRAGMENT COUNT = %d;"
		     "THIS IS NOT THE SAME AS RUNNING MD5SUM ON THIS ISO!!",
		     r->md5, (long long)r->skip_sectors, r->supported,
		     r->fragment_sums, r->fragment_count);
	memset(appdata, ' ', IMG_APPDATA_SIZE);
	if (n > 0)
		memcpy(appdata, text, (size_t)n < IMG_APPDATA_SIZE ? (size_t)n : IMG_APPDATA_SIZE);
}

void isomd5_fragment_chars(const char *md5_hex, int count, char *out)
{
	int k = 60 / count;

	/* the first hex digit of each byte as "%x" prints it: a byte below
	 * 16 is one digit */
	for (int i = 0; i < k; i++) {
		char hi = md5_hex[2 * i], lo = md5_hex[2 * i + 1];

		out[i] = hi == '0' ? lo : hi;
	}
	out[k] = '\0';
}

/* ---- the running check -------------------------------------------------- */

void isomd5_run_init(struct isomd5_run *m, const struct img_isomd5 *rec,
		     int64_t vol_bytes, int64_t pvd_offset)
{
	memset(m, 0, sizeof(*m));
	m->rec = *rec;
	m->total = vol_bytes - rec->skip_sectors * SP_SECTOR;
	if (m->total < 0)
		m->total = 0;
	m->blank_at = pvd_offset + IMG_APPDATA_OFFSET;
	m->frag_size = rec->fragment_count ? m->total / (rec->fragment_count + 1) : 0;
	m->md5 = img_digest_new(IMG_SUM_MD5);
}

/* After the piece [start, fed): check the fragment that piece starts in. */
static void check_fragment(struct isomd5_run *m, int64_t start)
{
	int64_t f;
	char hex[IMG_SUM_HEX_MAX], got[61];
	int k;

	if (!m->frag_size)
		return;
	f = start / m->frag_size;
	if (f == m->prev_fragment || f < 1 || f > m->rec.fragment_count) {
		if (f <= m->rec.fragment_count)
			m->prev_fragment = f;
		return;
	}
	m->prev_fragment = f;
	k = 60 / m->rec.fragment_count;
	img_digest_peek(m->md5, hex);
	isomd5_fragment_chars(hex, m->rec.fragment_count, got);
	if (m->collect) {
		memcpy(m->collect + (f - 1) * k, got, (size_t)k);
		return;
	}
	if (memcmp(got, m->rec.fragment_sums + (f - 1) * k, (size_t)k) != 0) {
		m->bad_fragment = (int)f;
		m->done = true;
	}
}

void isomd5_run_feed(struct isomd5_run *m, int64_t pos, const unsigned char *data,
		     size_t len)
{
	while (len && !m->done && pos == m->fed && m->fed < m->total) {
		/* pieces of 32 KiB from offset 0, as checkisomd5 reads */
		int64_t piece_start = m->fed - m->fed % ISOMD5_PIECE;
		int64_t piece_end = piece_start + ISOMD5_PIECE;
		size_t n;

		if (piece_end > m->total)
			piece_end = m->total;
		n = (size_t)(piece_end - m->fed) < len ? (size_t)(piece_end - m->fed) : len;
		sums_feed_blanked(m->md5, m->fed, data, n, m->blank_at, IMG_APPDATA_SIZE, ' ');
		m->fed += (int64_t)n;
		pos += (int64_t)n;
		data += n;
		len -= n;
		if (m->fed == piece_end)
			check_fragment(m, piece_start);
	}
	if (!m->done && m->fed >= m->total) {
		img_digest_peek(m->md5, m->actual);
		m->done = true;
	}
}

void isomd5_run_release(struct isomd5_run *m)
{
	img_digest_free(m->md5);
	m->md5 = NULL;
}
