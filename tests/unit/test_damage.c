/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "drive/drive_private.h"
#include "tests/unit/test.h"

static struct drv_damage *spec(const char *text, struct sp_error *err)
{
	struct drv_damage *dm = NULL;

	sp_error_init(err);
	if (drv_damage_new(&dm, err) != SP_OK)
		return NULL;
	if (drv_damage_parse(dm, text, strlen(text), err) != SP_OK) {
		drv_damage_free(dm);
		return NULL;
	}
	return dm;
}

DEFINE_TEST(test_damage_parse_and_check)
{
	struct sp_error err;
	enum drv_damage_kind why;
	struct drv_damage *dm = spec(
		"# a test disc\n"
		"bad 100 16   # one DVD ECC block\n"
		"\n"
		"  flaky 0x200 2 3\n"
		"runout 1000 2\n"
		"slow 50 1 1\n"
		"good 104\n", &err);

	assert_true(dm != NULL);
	if (!dm)
		return;
	assert_int_eq(64, drv_damage_check(dm, 0, 64, &why));
	assert_int_eq(DRV_DAMAGE_GOOD, why);
	/* a command touching a bad sector fails as a whole */
	assert_int_eq(0, drv_damage_check(dm, 90, 12, &why));
	assert_int_eq(DRV_DAMAGE_BAD, why);
	assert_int_eq(1, drv_damage_check(dm, 104, 1, &why));  /* overridden */
	assert_int_eq(0, drv_damage_check(dm, 105, 1, &why));
	assert_int_eq(4, drv_damage_check(dm, 116, 4, &why));
	/* flaky: each of 0x200 and 0x201 fails 3 times, then reads */
	for (int i = 0; i < 3; i++)
		assert_int_eq(0, drv_damage_check(dm, 0x200, 1, &why));
	assert_int_eq(1, drv_damage_check(dm, 0x200, 1, &why));
	for (int i = 0; i < 3; i++)
		assert_int_eq(0, drv_damage_check(dm, 0x1ff, 3, &why));
	assert_int_eq(3, drv_damage_check(dm, 0x1ff, 3, &why));
	/* every flaky sector in a failing command uses up a failure */
	assert_int_eq(SP_OK, drv_damage_add(dm, DRV_DAMAGE_FLAKY, 0x300, 4, 1, &err));
	assert_int_eq(0, drv_damage_check(dm, 0x300, 4, &why));
	assert_int_eq(4, drv_damage_check(dm, 0x300, 4, &why));
	assert_int_eq(0, drv_damage_check(dm, 999, 2, &why));
	assert_int_eq(DRV_DAMAGE_RUNOUT, why);
	drv_damage_free(dm);
}

DEFINE_TEST(test_damage_default_bad)
{
	struct sp_error err;
	enum drv_damage_kind why;
	struct drv_damage *dm = spec("default bad\ngood 0 10\ngood 20 10\nbad 5\n", &err);

	assert_true(dm != NULL);
	if (!dm)
		return;
	assert_int_eq(5, drv_damage_check(dm, 0, 5, &why));
	assert_int_eq(0, drv_damage_check(dm, 5, 1, &why));
	assert_int_eq(4, drv_damage_check(dm, 6, 4, &why));
	assert_int_eq(0, drv_damage_check(dm, 9, 2, &why));
	assert_int_eq(10, drv_damage_check(dm, 20, 10, &why));
	assert_int_eq(0, drv_damage_check(dm, 30, 1, &why));
	drv_damage_free(dm);
}

DEFINE_TEST(test_damage_overrides)
{
	struct sp_error err = SP_ERROR_INIT;
	enum drv_damage_kind why;
	struct drv_damage *dm = NULL;

	assert_int_eq(SP_OK, drv_damage_new(&dm, &err));
	/* later rules cut, split and replace earlier ones */
	drv_damage_add(dm, DRV_DAMAGE_BAD, 0, 100, 0, &err);
	drv_damage_add(dm, DRV_DAMAGE_GOOD, 10, 10, 0, &err);
	drv_damage_add(dm, DRV_DAMAGE_GOOD, 50, 60, 0, &err);
	drv_damage_add(dm, DRV_DAMAGE_BAD, 15, 40, 0, &err);
	assert_int_eq(0, drv_damage_check(dm, 9, 1, &why));
	assert_int_eq(5, drv_damage_check(dm, 10, 5, &why));
	assert_int_eq(0, drv_damage_check(dm, 15, 1, &why));
	assert_int_eq(0, drv_damage_check(dm, 54, 1, &why));
	assert_int_eq(55, drv_damage_check(dm, 55, 55, &why));
	assert_int_eq(0, drv_damage_check(dm, 5, 1, &why));
	drv_damage_free(dm);
}

DEFINE_TEST(test_damage_parse_rejects)
{
	static const char *bad[] = {
		"bda 1\n", "bad\n", "bad x\n", "bad 1 0\n", "bad 1 2 3\n",
		"flaky 1 2 3 4\n", "slow 1 1 99999999\n", "default maybe\n",
		"default bad extra\n", "bad 0x\n", "bad 99999999999999999999\n",
		"bad 1-2\n", "good 5 1x\n",
	};
	struct sp_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct drv_damage *dm = spec(bad[i], &err);

		if (dm) {
			test_fail(__FILE__, __LINE__, "accepted: %s", bad[i]);
			drv_damage_free(dm);
			continue;
		}
		assert_int_eq(SPE_FORMAT, err.code);
		assert_str_contains(err.msg, "damage spec line 1");
	}
	/* the line number is the line's */
	assert_true(spec("bad 1\n\n# x\nnope 3\n", &err) == NULL);
	assert_str_contains(err.msg, "line 4: unknown kind 'nope'");
}

DEFINE_TEST(test_damage_parse_mutations)
{
	static const char good[] =
		"default bad\ngood 0 100 # x\nflaky 0x40 16 3\nbad 5 5\nrunout 98 2\n";
	static const char alphabet[] = "0x19aF bdgfslr#\n\t";
	char buf[sizeof(good)];
	unsigned seed = 777;

	for (int round = 0; round < 20000; round++) {
		struct sp_error err = SP_ERROR_INIT;
		struct drv_damage *dm = NULL;
		enum drv_damage_kind why;
		size_t len = sizeof(good) - 1;

		memcpy(buf, good, len);
		for (int k = 0; k < 1 + round % 3; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[(seed >> 8) % len] = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
		}
		if (drv_damage_new(&dm, &err) != SP_OK)
			break;
		if (drv_damage_parse(dm, buf, len, &err) != SP_OK)
			assert_true(err.code == SPE_FORMAT || err.code == SPE_USAGE);
		else
			drv_damage_check(dm, 0, 64, &why);
		drv_damage_free(dm);
	}
}
