/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_disc.c - the disc image readers of imaging/disc/ (spindle info
 * IMAGE, convert, and everything else that opens an image).
 *
 *   byte 0      the reader, modulo 8: iso, cue, nrg, mds, ccd, toc, cdi, mdx
 *   the rest    the image (or descriptor) file
 *
 * The descriptor formats find companion files beside them: disc.bin,
 * disc.mdf, disc.img (64 raw sectors) and disc.sub, written once into a
 * temporary directory.  A reader that accepts its input must give a model
 * whose every sector can be read (raw, user data and subchannel) without a
 * crash; reading stops after 4096 sectors.
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "imaging/imaging.h"
#include "tests/fuzz/fuzz.h"

static const char *const readers[] = { "iso", "cue", "nrg", "mds", "ccd", "toc", "cdi", "mdx" };
static const char *const exts[] = { "iso", "cue", "nrg", "mds", "ccd", "toc", "cdi", "mdx" };
static char dir[64];

static void put(const char *name, const void *p, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (n && fwrite(p, 1, n, f) != n)
		abort();
	fclose(f);
}

static void cleanup(void)
{
	static const char *const names[] = { "disc.bin", "disc.mdf", "disc.img", "disc.sub",
		"in.iso", "in.cue", "in.nrg", "in.mds", "in.ccd", "in.toc", "in.cdi", "in.mdx" };
	char path[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void setup(void)
{
	static uint8_t raw[64 * 2352], sub[64 * 96];

	snprintf(dir, sizeof(dir), "/tmp/fuzz_disc.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(i * 7 + (i >> 11));
	for (int s = 0; s < 64; s++) {    /* every other sector a mode 1 sync */
		if (s & 1)
			continue;
		raw[s * 2352] = 0;
		memset(raw + s * 2352 + 1, 0xff, 10);
		raw[s * 2352 + 11] = 0;
		raw[s * 2352 + 15] = 1;
	}
	put("disc.bin", raw, sizeof(raw));
	put("disc.mdf", raw, sizeof(raw));
	put("disc.img", raw, sizeof(raw));
	put("disc.sub", sub, sizeof(sub));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_disc *d;
	struct img_disc_fs fs;
	uint8_t buf[IMG_DISC_RAW];
	char name[32], path[128];
	unsigned r;
	int64_t n = 0;

	if (!dir[0])
		setup();
	if (size < 1)
		return 0;
	r = data[0] % 8;
	snprintf(name, sizeof(name), "in.%s", exts[r]);
	put(name, data + 1, size - 1);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (img_disc_open_as(&d, path, readers[r], &err) != SP_OK) {
		fuzz_assert(err.msg[0]);
		return 0;
	}
	fuzz_assert(d->n_tracks >= 1 && d->n_tracks <= 99 && d->n_sessions >= 1);
	for (int i = 0; i < d->n_tracks; i++) {
		const struct img_disc_track *t = &d->tracks[i];

		fuzz_assert(t->length > 0 && t->pregap >= 0);
		fuzz_assert(img_disc_track_at(d, t->start) == t);
		for (int64_t l = t->start - t->pregap; l < t->start + t->length && n < 4096; l++, n++) {
			size_t len;
			bool have;

			sp_error_clear(&err);
			if (img_disc_read_raw(d, l, buf, &err) != SP_OK)
				fuzz_assert(err.msg[0]);
			sp_error_clear(&err);
			if (img_disc_read_user(d, l, buf, &len, &err) == SP_OK)
				fuzz_assert(len >= 2048 && len <= IMG_DISC_RAW);
			sp_error_clear(&err);
			img_disc_read_sub(d, l, buf, &have, &err);
		}
	}
	img_disc_probe_fs(d, &fs);
	img_disc_close(d);
	return 0;
}
