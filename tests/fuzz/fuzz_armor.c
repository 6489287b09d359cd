/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_armor.c - the OpenPGP ASCII-armour decoder of the gpgv fallback
 * (sums_dearmor in imaging/sums/signature_gpgv.c), which turns an
 * armoured keyring into the binary one gpgv reads.
 *
 * The first byte chooses:
 * - even: the rest, as it is, is decoded in place.  It must stay inside
 *   its buffer, return 0 without an armour header, and never more than
 *   three bytes for every four characters after the header's blank line.
 * - odd: the rest is a payload that this file armours itself (a header
 *   line, headers, blank line, base64 in lines of 64 or of the length
 *   byte 2 says, the "=CRC" line and the END line; LF or CRLF after bit
 *   1 of byte 1, text before the armour after bit 2); decoding must give
 *   the payload back, byte for byte.
 */
#include "config.h"

#include "imaging/sums/sums_private.h"
#include "tests/fuzz/fuzz.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Armour data[0..n) into out (large enough); its length. */
static size_t armour(const uint8_t *data, size_t n, bool crlf, bool junk, size_t width,
		     char *out)
{
	const char *nl = crlf ? "\r\n" : "\n";
	size_t o = 0, col = 0;

	if (junk)
		o += (size_t)sprintf(out + o, "Keys for the release:%s%s", nl, nl);
	o += (size_t)sprintf(out + o, "-----BEGIN PGP PUBLIC KEY BLOCK-----%sComment: fuzz%s%s",
			     nl, nl, nl);
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16;
		char q[4];

		v |= i + 1 < n ? (uint32_t)data[i + 1] << 8 : 0;
		v |= i + 2 < n ? data[i + 2] : 0;
		q[0] = b64[v >> 18];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		for (int k = 0; k < 4; k++) {
			out[o++] = q[k];
			if (++col == width) {
				o += (size_t)sprintf(out + o, "%s", nl);
				col = 0;
			}
		}
	}
	if (col)
		o += (size_t)sprintf(out + o, "%s", nl);
	o += (size_t)sprintf(out + o, "=AbCd%s-----END PGP PUBLIC KEY BLOCK-----%s", nl, nl);
	return o;
}

static void round_trip(const uint8_t *data, size_t size)
{
	uint8_t flags = size ? data[0] : 0;
	size_t width = size > 1 && data[1] ? data[1] : 64;
	size_t n = size > 2 ? size - 2 : 0;
	const uint8_t *payload = data + (size > 2 ? 2 : size);
	/* 4/3 of the payload, a line end of 2 after every character at worst */
	char *buf = malloc(n * 4 + 256);
	size_t len, got;

	if (!buf)
		abort();
	len = armour(payload, n, flags & 2, flags & 4, width, buf);
	got = sums_dearmor(buf, len);
	fuzz_assert(got == n);
	fuzz_assert(memcmp(buf, payload, n) == 0);
	free(buf);
}

static void raw(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so that ASan sees any read or write past it */
	char *buf = malloc(size ? size : 1);
	const char *begin;
	size_t got;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	begin = memmem(data, size, "-----BEGIN PGP", 14);
	got = sums_dearmor(buf, size);
	if (!begin)
		fuzz_assert(got == 0);
	else
		fuzz_assert(got <= (size - (size_t)(begin - (const char *)data)) * 3 / 4);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		round_trip(data + 1, size - 1);
	else
		raw(data + 1, size - 1);
	return 0;
}
