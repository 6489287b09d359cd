/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_iso.c - the ISO 9660 and UDF structures spindle reads itself, on an
 * image in memory:
 *
 *   0  the listing of damaged files (isofiles_damaged(): spindle files,
 *      rip), libisofs' import held by spindle's read guard, then spindle's
 *      walk over the tree and the bad ranges;
 *   1  what a rescue reads of a disc (img_vd_volume_size() and
 *      img_udf_volume_end(): the PVD's volume size, UDF's anchor and
 *      partition descriptor);
 *   2  the MD5 tag check (md5_check(): spindle verify of an image or a
 *      disc), the tag search, the tree with its file checksums and the
 *      single pass over the session.
 *
 * The input is a 4-byte header and sparse sectors, so that a seed holds
 * only the sectors that matter:
 *
 *   byte 0      which of the above (modulo 3)
 *   byte 1      0: a bad range / session start / MD5 start, see below
 *   bytes 2-3   image size in sectors, little endian, modulo 1024
 *   then        records of a little-endian 16-bit LBA and 2048 bytes;
 *               a record with bit 15 of its LBA set makes that sector
 *               unreadable instead; a short last record is zero-padded
 *
 * Sectors below the size without a record read as zeros; at or past the
 * size they cannot be read.  Byte 1: for 0, the bad range [byte1,
 * byte1 + 4); for 1, the session start; for 2, the session start if its
 * bit 7 is set (a disc), else 0 (an image file).
 * tests/fuzz/corpus/fuzz_iso holds real images (xorriso, genisoimage -udf)
 * in this form, made by tests/fuzz/iso2fuzz.sh.
 */
#include "config.h"

#include "imaging/fs/fs_private.h"
#include "imaging/verify/md5check_private.h"
#include "tests/fuzz/fuzz.h"

/*
 * libisofs 1.5.4 trusts the count of its checksum array ("isofs.ca") and
 * asks for up to 64 GiB at once (corpus/fuzz_iso/regress-libisofs-huge-
 * calloc); on a real system calloc() fails and spindle verify reports a
 * memory allocation error for the tree.  Let it fail here too, rather than
 * call it a finding: malloc may return NULL, and does for more than 2 GiB
 * (ASan's shadow of a granted 9 GiB block alone took 1.2 GiB of RSS), and
 * fuzz_iso.options raises libFuzzer's limit on one allocation.  The 2 GiB
 * RSS limit still holds.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1:max_allocation_size_mb=2048";
}

#include "tests/fuzz/fuzz_image.h"

static void damaged_files(struct image *im, int64_t bad_lba)
{
	struct img_ranges bad = IMG_RANGES_INIT;
	struct img_iso_damage out;
	struct sp_error err = SP_ERROR_INIT;

	img_ranges_add(&bad, bad_lba, 4);
	if (isofiles_damaged(mem_read, im, im->sectors, "fuzz.iso", &bad, &out, &err) != SP_OK) {
		fuzz_assert(err.code != SPE_NONE && err.msg[0]);
		fuzz_assert(out.n == 0 && !out.files);
	} else {
		fuzz_assert((int64_t)out.n <= out.files_total);
		for (size_t i = 0; i < out.n; i++) {
			const struct img_iso_file *f = &out.files[i];

			fuzz_assert(f->path && f->path[0] == '/');
			fuzz_assert(f->bad_sectors > 0);
			fuzz_assert(f->first_bad_lba >= bad_lba && f->first_bad_lba < bad_lba + 4);
		}
	}
	img_iso_damage_release(&out);
	img_ranges_release(&bad);
}

static void volume_extent(struct image *im, int64_t start)
{
	unsigned char buf[SP_SECTOR];
	int64_t n = -1;

	if (mem_read(im, start + 16, buf))
		n = img_vd_volume_size(buf);
	fuzz_assert(n == -2 || n == -1 || (n >= 17 && n <= UINT32_MAX));
	if (n == -2) {
		unsigned before = im->reads;

		n = img_udf_volume_end(mem_read, im, buf, start, im->sectors);
		fuzz_assert(n == -1 || (n > 256 && n <= start + 2 * (int64_t)UINT32_MAX));
		fuzz_assert(im->reads - before <= 33);
	}
}

static void md5_tags(struct image *im, int64_t start, int64_t sha_bytes)
{
	struct img_sectors rd;
	struct img_md5_report r;
	struct sp_error err = SP_ERROR_INIT;

	img_sectors_over(&rd, mem_read, im, im->sectors, "fuzz.iso");
	if (md5_check(&rd, start, sha_bytes, &r, NULL, NULL, &err) != SP_OK) {
		fuzz_assert(err.code != SPE_NONE && err.msg[0]);
	} else {
		fuzz_assert(r.files_ok <= r.files_with_md5);
		fuzz_assert(r.n_bad == r.files_with_md5 - r.files_ok);
		fuzz_assert(r.has_tags || (r.n_bad == 0 && r.files_with_md5 == 0));
		for (size_t i = 0; i < r.n_bad; i++)
			fuzz_assert(r.bad[i].path && r.bad[i].state != IMG_MD5_OK);
		/* one pass over the image, then files on their own */
		fuzz_assert(r.bytes_read <= (uint64_t)im->sectors * SP_SECTOR * (2 + r.files_with_md5));
	}
	img_md5_report_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct image im;
	struct sp_error err = SP_ERROR_INIT;

	if (!ready) {
		if (drv_lib_init(&err) != SP_OK)
			abort();
		ready = true;
	}
	if (size < 4)
		return 0;
	im = (struct image){ data + 4, size - 4, (data[2] | data[3] << 8) % MAX_SECTORS, 0 };
	switch (data[0] % 3) {
	case 0:
		damaged_files(&im, data[1]);
		break;
	case 1:
		volume_extent(&im, data[1]);
		break;
	default:
		md5_tags(&im, data[1] & 0x80 ? data[1] & 0x7f : 0,
			 data[1] & 0x80 ? -1 : im.sectors * SP_SECTOR);
		break;
	}
	return 0;
}
