/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sumfile.c - checksum files as distributions publish them.
 *
 * GNU coreutils (sha256sum and friends) write "HEX  NAME" for text mode
 * and "HEX *NAME" for binary mode; a name holding a backslash or a newline
 * is escaped and the line starts with a backslash.  BSD tools (and
 * `sha256sum --tag`, Fedora's CHECKSUM files) write "SHA256 (NAME) = HEX";
 * OpenSSL writes "SHA256(NAME)= HEX".  Fedora adds "# NAME: N bytes".
 * A clear-signed file (Ubuntu's SHA256SUMS.gpg is detached, Fedora's
 * CHECKSUM is clear-signed) is read for its text only.
 *
 * The algorithm comes from the BSD tag, or from the length of the hex.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/sums/sums.h"

#define MAX_LINES 100000

static bool starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(s, prefix, k) == 0;
}

static enum sp_status add_line(struct img_sumfile *f, enum img_sum_algo a,
			       const char *hex, const char *name, size_t name_len,
			       bool escaped, unsigned lineno)
{
	struct img_sumline *l;
	size_t h = img_sum_hex_len(a), k = 0;

	if (f->n == f->alloc) {
		size_t na = f->alloc ? 2 * f->alloc : 16;
		void *p = realloc(f->v, na * sizeof(*f->v));

		if (!p)
			return SP_FATAL;
		f->v = p;
		f->alloc = na;
	}
	l = &f->v[f->n];
	l->name = malloc(name_len + 1);
	if (!l->name)
		return SP_FATAL;
	for (size_t i = 0; i < name_len; i++) {
		char c = name[i];

		if (escaped && c == '\\' && i + 1 < name_len) {
			c = name[++i];
			if (c == 'n')
				c = '\n';
			else if (c == 'r')
				c = '\r';
		}
		l->name[k++] = c;
	}
	l->name[k] = '\0';
	for (size_t i = 0; i < h; i++)
		l->hex[i] = (char)tolower((unsigned char)hex[i]);
	l->hex[h] = '\0';
	l->algo = a;
	l->line = lineno;
	f->n++;
	return SP_OK;
}

/* "ALGO (NAME) = HEX" or "ALGO(NAME)= HEX" */
static int parse_bsd(struct img_sumfile *f, const char *s, size_t n, unsigned lineno)
{
	const char *open = memchr(s, '(', n), *close = NULL, *hex;
	enum img_sum_algo a;
	size_t alen, hlen;

	if (!open || open == s)
		return 0;
	alen = (size_t)(open - s);
	if (s[alen - 1] == ' ')
		alen--;
	if (!img_sum_algo_from_name(s, alen, &a))
		return 0;
	/* the last ')' followed by '=': a name may hold parentheses */
	for (const char *p = s + n; p-- > open + 1;)
		if (*p == ')') {
			const char *q = p + 1;

			while (q < s + n && *q == ' ')
				q++;
			if (q < s + n && *q == '=') {
				close = p;
				break;
			}
		}
	if (!close)
		return 0;
	hex = memchr(close, '=', (size_t)(s + n - close)) + 1;
	while (hex < s + n && *hex == ' ')
		hex++;
	hlen = (size_t)(s + n - hex);
	while (hlen && hex[hlen - 1] == ' ')
		hlen--;
	if (!img_sum_hex_valid(a, hex, hlen))
		return 0;
	return add_line(f, a, hex, open + 1, (size_t)(close - open - 1), false,
			lineno) == SP_OK ? 1 : -1;
}

/* "HEX  NAME", "HEX *NAME", "\HEX  NAME" */
static int parse_gnu(struct img_sumfile *f, const char *s, size_t n, unsigned lineno)
{
	bool escaped = false;
	enum img_sum_algo a;
	const char *hex;
	size_t h = 0;

	if (n && s[0] == '\\') {
		escaped = true;
		s++;
		n--;
	}
	hex = s;
	while (h < n && isxdigit((unsigned char)s[h]))
		h++;
	if (h == n || s[h] != ' ' || !img_sum_algo_from_hex_len(h, &a))
		return 0;
	s += h + 1;
	n -= h + 1;
	if (n && (s[0] == ' ' || s[0] == '*')) {
		s++;
		n--;
	}
	if (n == 0)
		return 0;
	return add_line(f, a, hex, s, n, escaped, lineno) == SP_OK ? 1 : -1;
}

/* "# NAME: N bytes" */
static enum sp_status parse_size_comment(struct img_sumfile *f, const char *s, size_t n)
{
	const char *colon = NULL;
	int64_t v = 0;
	size_t i;

	if (n < 2 || s[1] != ' ')
		return SP_OK;
	for (i = n; i-- > 2;)
		if (s[i] == ':') {
			colon = s + i;
			break;
		}
	if (!colon || colon + 2 >= s + n || colon[1] != ' ')
		return SP_OK;
	i = (size_t)(colon + 2 - s);
	if (!isdigit((unsigned char)s[i]))
		return SP_OK;
	for (; i < n && isdigit((unsigned char)s[i]); i++) {
		if (v > (INT64_MAX - 9) / 10)
			return SP_OK;
		v = v * 10 + (s[i] - '0');
	}
	if (n - i != 6 || memcmp(s + i, " bytes", 6) != 0)
		return SP_OK;
	free(f->size_name);
	f->size_name = strndup(s + 2, (size_t)(colon - s - 2));
	if (!f->size_name)
		return SP_FATAL;
	f->size_hint = v;
	return SP_OK;
}

enum sp_status img_sumfile_parse(struct img_sumfile *f, const char *buf,
				 size_t len, const char *name,
				 struct sp_error *err)
{
	enum { PLAIN, PGP_HEADER, PGP_TEXT, PGP_DONE } mode = PLAIN;
	size_t pos = 0;
	unsigned lineno = 0;

	*f = (struct img_sumfile)IMG_SUMFILE_INIT;
	while (pos < len) {
		const char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		int got = 0;

		pos += n + (nl ? 1 : 0);
		if (++lineno > MAX_LINES)
			break;
		if (n && s[n - 1] == '\r')
			n--;
		if (mode == PLAIN && f->n == 0 && starts(s, n, "-----BEGIN PGP SIGNED MESSAGE-----")) {
			mode = PGP_HEADER;
			f->clearsigned = true;
			continue;
		}
		if (mode == PGP_HEADER) {
			if (n == 0)
				mode = PGP_TEXT;
			continue;
		}
		if (mode == PGP_TEXT) {
			if (starts(s, n, "-----BEGIN PGP SIGNATURE-----")) {
				mode = PGP_DONE;
				continue;
			}
			if (starts(s, n, "- ")) {
				s += 2;
				n -= 2;
			}
		}
		if (mode == PGP_DONE)
			continue;
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		if (n == 0)
			continue;
		if (s[0] == '#') {
			if (parse_size_comment(f, s, n) != SP_OK)
				got = -1;
			else
				continue;
		} else {
			got = parse_bsd(f, s, n, lineno);
			if (got == 0)
				got = parse_gnu(f, s, n, lineno);
		}
		if (got < 0) {
			img_sumfile_release(f);
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		}
		if (got == 0)
			f->skipped++;
	}
	if (f->n == 0) {
		img_sumfile_release(f);
		sp_error_set(err, SPE_FORMAT, "'%s' holds no checksum line (neither "
			     "\"HEX  NAME\" nor \"SHA256 (NAME) = HEX\")", name);
		return SP_FAILED;
	}
	return SP_OK;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

const struct img_sumline *img_sumfile_find(const struct img_sumfile *f,
					   const char *image_name,
					   const char *file_name,
					   struct sp_error *err)
{
	const struct img_sumline *best = NULL;

	if (image_name) {
		const char *b = base_name(image_name);

		/* several lines may name the image (SHA-256 and SHA-512):
		 * the strongest digest wins */
		for (size_t i = 0; i < f->n; i++)
			if (strcmp(base_name(f->v[i].name), b) == 0 &&
			    (!best || f->v[i].algo > best->algo))
				best = &f->v[i];
		if (best)
			return best;
	}
	if (f->n == 1)
		return &f->v[0];
	if (image_name)
		sp_error_set(err, SPE_NOENT, "'%s' has no line for '%s' (%zu lines)",
			     file_name, base_name(image_name), f->n);
	else
		sp_error_set(err, SPE_USAGE, "'%s' lists %zu files: say which one with --name NAME",
			     file_name, f->n);
	sp_error_hint(err, "the first one listed is '%s'", f->v[0].name);
	return NULL;
}

void img_sumfile_release(struct img_sumfile *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].name);
	free(f->v);
	free(f->size_name);
	*f = (struct img_sumfile)IMG_SUMFILE_INIT;
}
