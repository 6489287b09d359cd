/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_sense.c - drv_sense_parse(), which digs "[3 11 05]"-style sense out
 * of libburn's message text, then drv_sense_describe() on what it found.
 * The message text comes from the drive's firmware through libburn, so it
 * is untrusted input.
 */
#include "config.h"

#include "drive/drive.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstring(data, size);
	uint8_t key = 0xee, asc = 0xee, ascq = 0xee;
	struct sp_error err = SP_ERROR_INIT;

	if (drv_sense_parse(s, &key, &asc, &ascq)) {
		fuzz_assert(key <= 0x0f);
		fuzz_assert(strchr(s, '[') != NULL);
		drv_sense_describe(key, asc, ascq, size > 0 ? (int64_t)data[0] * 1000 : -1, &err);
		fuzz_assert(err.has_sense && err.sense_key == key);
		fuzz_assert(err.code != SPE_NONE);
		fuzz_assert(memchr(err.msg, '\0', sizeof(err.msg)) != NULL);
		fuzz_assert(memchr(err.hint, '\0', sizeof(err.hint)) != NULL);
	} else {
		fuzz_assert(key == 0xee && asc == 0xee && ascq == 0xee);
	}
	free(s);
	return 0;
}
