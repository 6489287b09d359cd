/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * replay_main.c - the main() of a fuzz target built without libFuzzer (the
 * ordinary build): it feeds each file named on the command line to
 * LLVMFuzzerTestOneInput() once, in one process.  The valgrind pass runs
 * every target over its committed corpus this way (tests/fuzz/replay.sh),
 * so that memcheck sees the parsers on the inputs the fuzzer kept, for one
 * valgrind start-up per target instead of one per spindle run.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"

/* read_all: the whole of PATH into a fresh buffer (NULL on error) */
static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			uint8_t *nb = realloc(buf, ncap);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		size_t len = 0;
		uint8_t *data = read_all(argv[i], &len);

		if (!data) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno ? errno : EIO));
			bad = 1;
			continue;
		}
		LLVMFuzzerTestOneInput(data, len);
		free(data);
	}
	printf("%d inputs\n", argc - 1);
	return bad;
}
