/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_ecc.c - the parsers of dvdisaster's error-correction data: the
 * 4096-byte EccHeader and the RS03 CrcBlock (ecc_header_parse(),
 * ecc_crcblock_parse()), then the whole input as a .ecc file checked
 * against a small fixed image (img_ecc_check(), verify mode), so that the
 * layout arithmetic, CRC layer loading and decoding meet hostile numbers;
 * and the whole input as an augmented image (RS02 header search, RS02/RS03
 * layout from its header, CRC sectors, decoding).
 */
#define _GNU_SOURCE
#include "config.h"

#include <sys/mman.h>
#include <unistd.h>

#include "imaging/ecc/ecc_private.h"
#include "tests/fuzz/fuzz.h"

static int memfile(const void *data, size_t size, char *path, size_t len)
{
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t image[40 * SP_SECTOR];
	struct ecc_header h;
	struct ecc_crcblock cb;
	struct sp_error err = SP_ERROR_INIT;
	struct img_ecc_opts o = IMG_ECC_OPTS_INIT;
	struct img_ecc_summary sum = IMG_ECC_SUMMARY_INIT;
	char ipath[64], epath[64];
	int ifd, efd;
	enum sp_status st;

	if (ecc_header_parse(data, size, &h, &err) == SP_OK) {
		fuzz_assert(h.data_bytes + h.ecc_bytes == 255);
		fuzz_assert(h.in_last >= 1 && h.in_last <= SP_SECTOR);
	} else {
		fuzz_assert(err.code != SPE_NONE && err.msg[0]);
	}
	if (size >= ECC_HEADER_BYTES + SP_SECTOR)
		(void)ecc_crcblock_parse(data + ECC_HEADER_BYTES, &cb);
	if (size >= SP_SECTOR)
		(void)ecc_is_dead_marker(data);

	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 7 + (i >> 11));
	ifd = memfile(image, sizeof(image), ipath, sizeof(ipath));
	efd = memfile(data, size, epath, sizeof(epath));
	o.threads = 1;
	sp_error_init(&err);
	st = img_ecc_check(ipath, epath, IMG_ECC_VERIFY, &o, &sum, &err);
	fuzz_assert(st == SP_OK || st == SP_WARN || (err.code != SPE_NONE && err.msg[0]));
	fuzz_assert(sum.nremaining <= sum.unrepairable);
	img_ecc_summary_release(&sum);
	/* the input as an augmented image (RS02 or RS03 data found in it) */
	sp_error_init(&err);
	sum = (struct img_ecc_summary)IMG_ECC_SUMMARY_INIT;
	st = img_ecc_check(epath, NULL, IMG_ECC_VERIFY, &o, &sum, &err);
	fuzz_assert(st == SP_OK || st == SP_WARN || (err.code != SPE_NONE && err.msg[0]));
	fuzz_assert(sum.nremaining <= sum.unrepairable);
	img_ecc_summary_release(&sum);
	close(ifd);
	close(efd);
	return 0;
}
