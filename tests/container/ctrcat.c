/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ctrcat.c - test helper: write a container's decompressed image to stdout
 * through the public API.  With --bin, a CD image is written the way a BIN
 * file holds it: each track's sector bytes (stored pregap included), audio
 * as little-endian PCM.  --threads N picks the decoder threads.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/imaging.h"

int main(int argc, char **argv)
{
	struct img_container_opts o = IMG_CONTAINER_OPTS_INIT;
	struct sp_error err = SP_ERROR_INIT;
	const struct img_container_track *t;
	struct img_container *c;
	static uint8_t buf[1 << 20];
	bool bin = false;
	int i = 1;
	size_t n;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--bin") == 0)
			bin = true;
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			o.threads = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--password") == 0 && i + 1 < argc)
			o.password = argv[++i];
	}
	if (i + 1 != argc) {
		fprintf(stderr, "usage: ctrcat [--bin] [--threads N] IMAGE\n");
		return 2;
	}
	if (img_container_open(argv[i], &o, &c, &err) != SP_OK)
		goto fail;
	n = img_container_tracks(c, &t);
	if (!bin || n == 0) {
		uint64_t size = img_container_size(c);

		for (uint64_t off = 0; off < size; ) {
			size_t k = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);

			if (img_container_read(c, off, buf, k, &err) != SP_OK)
				goto fail;
			fwrite(buf, 1, k, stdout);
			off += k;
		}
	} else {
		for (size_t j = 0; j < n; j++) {
			for (uint32_t f = 0; f < t[j].frames; f++) {
				if (img_container_read(c, t[j].offset + (uint64_t)f * t[j].frame_stride,
						       buf, t[j].sector_size, &err) != SP_OK)
					goto fail;
				if (t[j].audio_big_endian)
					for (uint32_t k = 0; k + 1 < t[j].sector_size; k += 2) {
						uint8_t x = buf[k];

						buf[k] = buf[k + 1];
						buf[k + 1] = x;
					}
				fwrite(buf, 1, t[j].sector_size, stdout);
			}
		}
	}
	img_container_close(c);
	return fflush(stdout) == 0 ? 0 : 1;
fail:
	fprintf(stderr, "ctrcat: %s\n", err.msg);
	return 1;
}
