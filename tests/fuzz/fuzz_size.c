/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_size.c - sp_parse_size() and sp_parse_uint(), the parsers behind
 * every size and count option (--size, --speed, --retries ...).
 *
 * Besides crashes this checks the grammar: whatever is accepted must be
 * plain decimal digits with an optional suffix (s, k, M, G, T, with "iB"
 * or "B" after the binary ones), and the value must be what a careful
 * reading of the text gives, so no sign, space or overflow slips through
 * strtoull().
 */
#include "config.h"

#include <ctype.h>

#include "common/common.h"
#include "tests/fuzz/fuzz.h"

/* the reference reading: -1 if the text is not a valid size */
static int reference(const char *s, uint64_t *out, int suffixes)
{
	uint64_t v = 0, mult = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (suffixes && *p) {
		switch (*p++) {
		case 's': case 'S': mult = SP_SECTOR; break;
		case 'k': case 'K': mult = 1ULL << 10; break;
		case 'm': case 'M': mult = 1ULL << 20; break;
		case 'g': case 'G': mult = 1ULL << 30; break;
		case 't': case 'T': mult = 1ULL << 40; break;
		default: return -1;
		}
		if (mult != SP_SECTOR) {
			if (*p == 'i')
				p++;
			if (*p == 'B' || *p == 'b')
				p++;
		}
	}
	if (*p)
		return -1;
	if (v > UINT64_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);
	uint64_t got = 0, want = 0, lo, hi;
	int rg, rw;

	rg = sp_parse_size(s, &got);
	rw = reference(s, &want, 1);
	fuzz_assert(rg == rw);
	if (rg == 0)
		fuzz_assert(got == want);

	/* sp_parse_uint: digits only, within [lo, hi] taken from the input */
	lo = size ? data[0] : 0;
	hi = size > 1 ? (uint64_t)data[1] << (data[0] % 57) : UINT64_MAX;
	got = want = 0;
	rg = sp_parse_uint(s, lo, hi, &got);
	rw = reference(s, &want, 0);
	if (rw == 0 && (want < lo || want > hi))
		rw = -1;
	fuzz_assert(rg == rw);
	if (rg == 0)
		fuzz_assert(got == want);
	free(s);
	return 0;
}
