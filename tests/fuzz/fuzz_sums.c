/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_sums.c - the parsers of published and implanted checksums:
 * img_sumfile_parse() and img_sumfile_find() (GNU and BSD checksum files,
 * clear-signed or not), img_isomd5_parse() (Red Hat's implanted MD5
 * record) and img_tagmedia_parse() (SUSE's tagmedia record), both of the
 * 512-byte application-use area of a primary volume descriptor.
 *
 * The first byte chooses: even, the rest is a checksum file; odd, the rest
 * (cut or padded with spaces to 512 bytes) is an application-use area.
 *
 * Besides crashes this checks what the checks rely on: every line has a
 * known algorithm and exactly its number of lower-case hex digits; an
 * isomd5sum record has an MD5 of 32 lower-case hex digits and fragment
 * sums only when they are usable, and what img_isomd5_format() writes
 * parses back to the same record.
 */
#include "config.h"

#include <ctype.h>

#include "imaging/imaging.h"
#include "tests/fuzz/fuzz.h"

static void check_hex(const char *hex, size_t n)
{
	fuzz_assert(strlen(hex) == n);
	for (size_t i = 0; i < n; i++)
		fuzz_assert(isxdigit((unsigned char)hex[i]) && !isupper((unsigned char)hex[i]));
}

static void sumfile(const uint8_t *data, size_t size)
{
	struct img_sumfile f;
	struct sp_error err = SP_ERROR_INIT;

	if (img_sumfile_parse(&f, (const char *)data, size, "fuzz", &err) != SP_OK) {
		fuzz_assert(err.code != SPE_NONE && err.msg[0] && f.n == 0);
		return;
	}
	fuzz_assert(f.n > 0);
	for (size_t i = 0; i < f.n; i++) {
		fuzz_assert(f.v[i].algo < IMG_SUM__COUNT && f.v[i].name && f.v[i].line >= 1);
		check_hex(f.v[i].hex, img_sum_hex_len(f.v[i].algo));
	}
	err = (struct sp_error)SP_ERROR_INIT;
	const struct img_sumline *l = img_sumfile_find(&f, f.v[f.n - 1].name, "fuzz", &err);
	fuzz_assert(l != NULL);
	err = (struct sp_error)SP_ERROR_INIT;
	l = img_sumfile_find(&f, NULL, "fuzz", &err);
	fuzz_assert(f.n == 1 ? l != NULL : (l == NULL && err.code != SPE_NONE));
	img_sumfile_release(&f);
}

static void appdata(const uint8_t *data, size_t size)
{
	unsigned char area[IMG_APPDATA_SIZE], again[IMG_APPDATA_SIZE];
	struct img_isomd5 r, r2;
	struct img_tagmedia t;

	memset(area, ' ', sizeof(area));
	memcpy(area, data, size < sizeof(area) ? size : sizeof(area));
	if (img_isomd5_parse(area, sizeof(area), &r)) {
		check_hex(r.md5, 32);
		fuzz_assert(r.skip_sectors >= 0);
		fuzz_assert(r.fragment_count == 0 ||
			    (60 % r.fragment_count == 0 && strlen(r.fragment_sums) == 60));
		if (r.fragment_count && !strchr(r.fragment_sums, ';')) {
			img_isomd5_format(&r, again);
			fuzz_assert(img_isomd5_parse(again, sizeof(again), &r2));
			fuzz_assert(!strcmp(r.md5, r2.md5) && r.skip_sectors == r2.skip_sectors &&
				    r.fragment_count == r2.fragment_count &&
				    !strcmp(r.fragment_sums, r2.fragment_sums));
		}
	}
	if (img_tagmedia_parse(area, sizeof(area), &t)) {
		fuzz_assert(t.has_digest || t.has_part);
		if (t.has_digest) {
			fuzz_assert(t.algo < IMG_SUM__COUNT);
			check_hex(t.hex, img_sum_hex_len(t.algo));
		}
		if (t.has_part) {
			fuzz_assert(t.part_algo < IMG_SUM__COUNT && t.part_blocks > 0);
			fuzz_assert(t.part_start >= 0 && t.part_start <= INT32_MAX);
			check_hex(t.part_hex, img_sum_hex_len(t.part_algo));
		}
		fuzz_assert(t.pad_sectors >= 0 && t.signature_block >= 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		appdata(data + 1, size - 1);
	else
		sumfile(data + 1, size - 1);
	return 0;
}
