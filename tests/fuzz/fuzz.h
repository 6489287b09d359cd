/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz.h - shared by the libFuzzer targets in tests/fuzz.  Each target
 * defines LLVMFuzzerTestOneInput() and feeds the input to one of spindle's
 * parsers; a crash, a sanitizer report, a hang or a broken invariant
 * (fuzz_assert) is a finding.  Build and run them with `make fuzz-smoke`
 * (see tests/fuzz/run.sh).
 */
#ifndef SPINDLE_FUZZ_H
#define SPINDLE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* an invariant the parser promises; abort() so libFuzzer keeps the input */
#define fuzz_assert(e) do { if (!(e)) { \
	fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #e); \
	abort(); } } while (0)

/* The input as a NUL-terminated string (the parsers take C strings); the
 * caller frees it.  Embedded NULs simply end the string early. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
