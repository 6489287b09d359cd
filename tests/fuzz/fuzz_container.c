/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_container.c - the compressed container readers (imaging/container):
 * CHD, DMG, DAA/GBI, ISZ.  The first input byte picks the format (mod 4:
 * CHD, DMG, DAA, ISZ); the rest is the file, with the format's magic put
 * in place (and the DAA header CRC fixed) so that the fuzzer spends its
 * time in the tables, not the signature.  The file is opened with one
 * thread (decoding inline), then up to 4 MiB of the image is read.
 *
 * Besides crashes this checks what callers rely on: an opened image has a
 * format name, CD tracks lie inside the image, reads inside the size
 * either succeed or fail with an error message, never half-fill silently.
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "imaging/imaging.h"
#include "tests/fuzz/fuzz.h"

#define READ_MAX (4u << 20)

static char path[64];

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static void shape(uint8_t *f, size_t n, unsigned kind)
{
	uint32_t crc;

	switch (kind) {
	case 0:
		if (n >= 16) {
			memcpy(f, "MComprHD", 8);
			put_be32(f + 8, 124);
			put_be32(f + 12, 5);
		}
		break;
	case 1:
		if (n >= 512) {
			memcpy(f + n - 512, "koly", 4);
			put_be32(f + n - 512 + 8, 512);
		}
		break;
	case 2:
		if (n >= 76) {
			memcpy(f, "DAA\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
			crc = (uint32_t)crc32(0, f, 72);
			f[72] = (uint8_t)crc, f[73] = (uint8_t)(crc >> 8);
			f[74] = (uint8_t)(crc >> 16), f[75] = (uint8_t)(crc >> 24);
		}
		break;
	default:
		if (n >= 4)
			memcpy(f, "IsZ!", 4);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_container_opts o = { NULL, 1 };
	struct sp_error err = SP_ERROR_INIT;
	const struct img_container_track *t;
	struct img_container *c;
	uint8_t *f, *buf;
	FILE *fp;
	size_t n;

	if (size < 1)
		return 0;
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_container.%d", (int)getpid());
	n = size - 1;
	f = malloc(n + 1);
	if (!f)
		abort();
	memcpy(f, data + 1, n);
	shape(f, n, data[0] & 3);
	fp = fopen(path, "wb");
	if (!fp || fwrite(f, 1, n, fp) != n || fclose(fp) != 0)
		abort();
	free(f);
	if (img_container_open(path, &o, &c, &err) != SP_OK) {
		fuzz_assert(err.msg[0]);
		return 0;
	}
	fuzz_assert(img_container_format(c) && img_container_kind(c));
	n = img_container_tracks(c, &t);
	for (size_t i = 0; i < n; i++)
		fuzz_assert(t[i].offset + (uint64_t)t[i].frames * t[i].frame_stride <=
			    img_container_size(c) + 3ull * t[i].frame_stride);
	buf = malloc(65536);
	if (!buf)
		abort();
	for (uint64_t off = 0; off < img_container_size(c) && off < READ_MAX; off += 65536) {
		size_t len = img_container_size(c) - off < 65536 ?
			(size_t)(img_container_size(c) - off) : 65536;

		sp_error_clear(&err);
		if (img_container_read(c, off, buf, len, &err) != SP_OK) {
			fuzz_assert(err.msg[0]);
			break;
		}
	}
	free(buf);
	img_container_close(c);
	return 0;
}
