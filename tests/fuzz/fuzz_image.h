/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_image.h - an image in memory for the file-system fuzz targets
 * (fuzz_iso.c, fuzz_udf.c): a 4-byte header and sparse sectors, as
 * described at the top of fuzz_iso.c; mem_read() is their block reader.
 */
#ifndef SPINDLE_FUZZ_IMAGE_H
#define SPINDLE_FUZZ_IMAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/common.h"

#define MAX_SECTORS 1024
#define REC (2 + SP_SECTOR)

struct image {
	const uint8_t *data;
	size_t size;
	int64_t sectors;
	unsigned reads;
};

static inline bool mem_read(void *ctx, int64_t lba, unsigned char *buf)
{
	struct image *im = ctx;
	bool found = false, bad = false;

	im->reads++;
	if (lba < 0 || lba >= im->sectors)
		return false;
	memset(buf, 0, SP_SECTOR);
	/* the last record for an LBA wins */
	for (size_t at = 0; at + 2 <= im->size; at += REC) {
		unsigned v = im->data[at] | im->data[at + 1] << 8;
		size_t n = im->size - at - 2 < SP_SECTOR ? im->size - at - 2 : SP_SECTOR;

		if ((v & 0x7fff) != lba)
			continue;
		found = true;
		bad = v & 0x8000;
		if (!bad) {
			memset(buf, 0, SP_SECTOR);
			memcpy(buf, im->data + at + 2, n);
		}
	}
	return !found || !bad;
}

#endif
