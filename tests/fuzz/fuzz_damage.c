/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_damage.c - drv_damage_parse(), the test-mode damage spec
 * (--test-damage=FILE; format in drive/damage.c), then the model it built,
 * queried over a window of LBAs the input chooses.  Rules after the first
 * "slow" are never queried: a slow sector sleeps by design.
 */
#include "config.h"

#include "drive/drive_private.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct drv_damage *dm = NULL;
	struct sp_error err = SP_ERROR_INIT;
	enum drv_damage_kind why;

	if (drv_damage_new(&dm, &err) != SP_OK)
		abort();
	if (drv_damage_parse(dm, (const char *)data, size, &err) != SP_OK) {
		fuzz_assert(err.code != SPE_NONE && err.msg[0]);
	} else if (!memmem(data, size, "slow", 4)) {
		int64_t base = size ? (int64_t)data[size - 1] * 64 : 0;

		for (int64_t lba = base; lba < base + 256; lba += 7) {
			uint32_t n = drv_damage_check(dm, lba, 7, &why);

			fuzz_assert(n == 7 || n == 0);
			fuzz_assert((n == 7) == (why == DRV_DAMAGE_GOOD));
			fuzz_assert(why == DRV_DAMAGE_GOOD || why == DRV_DAMAGE_BAD ||
				    why == DRV_DAMAGE_RUNOUT);
		}
		/* the far end of the LBA space */
		drv_damage_check(dm, (1LL << 40) - 3, 3, &why);
	}
	drv_damage_free(dm);
	return 0;
}
