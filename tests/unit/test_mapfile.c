/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/imaging.h"
#include "tests/unit/test.h"

static int parse(struct img_mapfile *m, const char *text, struct sp_error *err)
{
	sp_error_init(err);
	return img_mapfile_parse(m, text, strlen(text), err);
}

DEFINE_TEST(test_mapfile_parse_ddrescue)
{
	/* as ddrescue 1.27 writes it, with comments and the pass number */
	static const char text[] =
		"# Mapfile. Created by GNU ddrescue version 1.27\n"
		"# Command line: ddrescue -b2048 in out map\n"
		"# current_pos  current_status  current_pass\n"
		"0x00017000     *               1\n"
		"#      pos        size  status\n"
		"0x00000000  0x00010000  +\n"
		"0x00010000  0x00008000  -\n"
		"0x00018000  0x0004C000  ?\n";
	struct img_mapfile m;
	struct sp_error err;

	img_mapfile_init(&m);
	assert_int_eq(SP_OK, parse(&m, text, &err));
	assert_int_eq(0x17000, m.current_pos);
	assert_int_eq('*', m.current_status);
	assert_int_eq(1, m.current_pass);
	assert_int_eq(3, m.n);
	assert_int_eq(0x10000, m.v[1].pos);
	assert_int_eq(0x8000, m.v[1].size);
	assert_int_eq('-', m.v[1].status);
	assert_int_eq(0x64000, img_mapfile_size(&m));
	img_mapfile_release(&m);
}

DEFINE_TEST(test_mapfile_parse_forms)
{
	struct img_mapfile m;
	struct sp_error err;

	img_mapfile_init(&m);
	/* decimal, octal, no pass, CRLF, trailing comments, merging */
	assert_int_eq(SP_OK, parse(&m, "  4096 ?\r\n0 2048 + # first\r\n2048 04000 +\r\n"
				   "4096 0x800 /\t# ddrescue annotations\n", &err));
	assert_int_eq(1, m.current_pass);
	assert_int_eq(2, m.n);
	assert_int_eq(4096, m.v[0].size);
	assert_int_eq('/', m.v[1].status);
	/* empty: a fresh rescue, as ddrescue treats it */
	assert_int_eq(SP_OK, parse(&m, "# nothing yet\n\n", &err));
	assert_int_eq(0, m.n);
	/* a first block after 0: what comes before was not tried */
	assert_int_eq(SP_OK, parse(&m, "0 +\n4096 2048 +\n", &err));
	assert_int_eq(2, m.n);
	assert_int_eq('?', m.v[0].status);
	assert_int_eq(6144, img_mapfile_size(&m));
	img_mapfile_release(&m);
}

DEFINE_TEST(test_mapfile_parse_rejects)
{
	static const char *bad[] = {
		"garbage\n",
		"0 x\n",                        /* bad status */
		"0 + 0\n",                      /* pass 0 */
		"-5 +\n",
		"0 +\n0 100 +\n200 100 +\n",    /* gap */
		"0 +\n0 100 +\n50 100 +\n",     /* overlap */
		"0 +\n0 100 Q\n",
		"0 +\n0 -100 +\n",
		"0 +\n100 0 +\n",               /* size 0 only at pos 0 */
		"0 +\n0 100\n",
		"0 +\n0x7fffffffffffffff 0x7fffffffffffffff +\n",
		"0 +\n99999999999999999999999 1 +\n",
	};
	struct img_mapfile m;
	struct sp_error err;

	img_mapfile_init(&m);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(&m, bad[i], &err) == SP_OK)
			test_fail(__FILE__, __LINE__, "accepted: %s", bad[i]);
		assert_int_eq(SPE_FORMAT, err.code);
		assert_str_contains(err.msg, "mapfile line");
		assert_int_eq(0, m.n);
	}
	/* not NUL-terminated: the parser stops at len */
	{
		char buf[] = { '0', ' ', '+', '\n', '0', ' ', '9', ' ', '+' };

		sp_error_init(&err);
		assert_int_eq(SP_OK, img_mapfile_parse(&m, buf, sizeof(buf), &err));
		assert_int_eq(9, img_mapfile_size(&m));
	}
	img_mapfile_release(&m);
}

DEFINE_TEST(test_mapfile_mark_and_roundtrip)
{
	struct img_mapfile m, back;
	struct sp_error err = SP_ERROR_INIT;
	char *text;
	size_t len;

	img_mapfile_init(&m);
	img_mapfile_init(&back);
	assert_int_eq(SP_OK, img_mapfile_reset(&m, 100 * 2048));
	img_mapfile_mark(&m, 0, 10 * 2048, '+', IMG_MARK_KEEP_FINISHED);
	img_mapfile_mark(&m, 10 * 2048, 16 * 2048, '*', IMG_MARK_KEEP_FINISHED);
	img_mapfile_mark(&m, 12 * 2048, 2 * 2048, '-', IMG_MARK_KEEP_FINISHED);
	/* '+' is never lost by a worse status */
	img_mapfile_mark(&m, 0, 12 * 2048, '-', IMG_MARK_KEEP_FINISHED);
	assert_int_eq('+', m.v[0].status);
	assert_int_eq(10 * 2048, m.v[0].size);
	assert_int_eq('-', m.v[1].status);
	assert_int_eq(4 * 2048, m.v[1].size);
	img_mapfile_mark(&m, 26 * 2048, 200 * 2048, '+', IMG_MARK_ALWAYS);
	assert_int_eq(100 * 2048, img_mapfile_size(&m));
	assert_int_eq(84 * 2048, img_mapfile_count(&m, '+', NULL));
	m.current_status = '*';
	m.current_pos = 12 * 2048;
	assert_int_eq(SP_OK, img_mapfile_format(&m, "spindle test", &text, &len, &err));
	assert_str_contains(text, "# Mapfile. Created by spindle test\n");
	assert_str_contains(text, "0x00006000     *               1\n");
	assert_str_contains(text, "0x00005000  0x00002000  -\n");
	assert_int_eq(SP_OK, img_mapfile_parse(&back, text, len, &err));
	assert_int_eq(m.n, back.n);
	for (size_t i = 0; i < m.n && i < back.n; i++) {
		assert_int_eq(m.v[i].pos, back.v[i].pos);
		assert_int_eq(m.v[i].size, back.v[i].size);
		assert_int_eq(m.v[i].status, back.v[i].status);
	}
	free(text);
	img_mapfile_release(&m);
	img_mapfile_release(&back);
}

DEFINE_TEST(test_mapfile_align_and_ranges)
{
	struct img_mapfile m;
	struct img_ranges bad = IMG_RANGES_INIT;
	struct sp_error err = SP_ERROR_INIT;

	img_mapfile_init(&m);
	/* ddrescue with 512-byte sectors: a sector half bad is bad */
	assert_int_eq(SP_OK, parse(&m, "0 +\n0 2560 +\n2560 512 -\n3072 5120 +\n", &err));
	img_mapfile_align(&m, 2048);
	assert_int_eq(3, m.n);
	assert_int_eq(2048, m.v[1].pos);
	assert_int_eq(2048, m.v[1].size);
	assert_int_eq(SP_OK, img_mapfile_bad_ranges(&m, &bad, &err));
	assert_int_eq(1, bad.n);
	assert_int_eq(1, bad.v[0].lba);
	assert_int_eq(1, bad.v[0].count);
	img_ranges_release(&bad);
	img_mapfile_release(&m);
}

DEFINE_TEST(test_mapfile_save_atomic)
{
	struct img_mapfile m, back;
	struct sp_error err = SP_ERROR_INIT;
	bool exists = true;
	FILE *f;

	img_mapfile_init(&m);
	img_mapfile_init(&back);
	assert_int_eq(SP_OK, img_mapfile_load(&back, "none.map", &exists, &err));
	assert_true(!exists);
	img_mapfile_reset(&m, 4096);
	assert_int_eq(SP_OK, img_mapfile_save(&m, "x.map", "t", &err));
	assert_int_eq(SP_OK, img_mapfile_load(&back, "x.map", &exists, &err));
	assert_true(exists);
	assert_int_eq(4096, img_mapfile_size(&back));
	f = fopen("x.map.tmp", "r");
	assert_true(f == NULL);
	if (f)
		fclose(f);
	f = fopen("bad.map", "w");
	fputs("0 +\nnonsense\n", f);
	fclose(f);
	assert_true(img_mapfile_load(&back, "bad.map", &exists, &err) != SP_OK);
	assert_str_contains(err.msg, "'bad.map' is not a valid mapfile: mapfile line 2");
	img_mapfile_release(&m);
	img_mapfile_release(&back);
}

/* mutations of a good mapfile: the parser answers OK or FORMAT, never
 * crashes, and what it accepts is contiguous from 0 */
DEFINE_TEST(test_mapfile_parse_mutations)
{
	static const char good[] =
		"# Mapfile\n0x00017000     *               2\n"
		"0x00000000  0x00010000  +\n0x00010000  0x00008000  -\n"
		"0x00018000  0x0004C000  ?\n";
	static const char alphabet[] = "0x19aF +-*/?#\n\t -";
	struct img_mapfile m;
	char buf[sizeof(good) + 16];
	unsigned seed = 12345;

	img_mapfile_init(&m);
	for (int round = 0; round < 20000; round++) {
		size_t len = sizeof(good) - 1;
		struct sp_error err = SP_ERROR_INIT;
		int flips = 1 + round % 4;

		memcpy(buf, good, len);
		for (int k = 0; k < flips; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[(seed >> 8) % len] = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
		}
		seed = seed * 1103515245u + 12345u;
		if (round % 5 == 0)
			len = (seed >> 8) % len;
		if (img_mapfile_parse(&m, buf, len, &err) != SP_OK) {
			assert_true(err.code == SPE_FORMAT);
			assert_int_eq(0, m.n);
			continue;
		}
		for (size_t i = 0; i < m.n; i++) {
			assert_true(m.v[i].size > 0);
			assert_int_eq(i ? m.v[i - 1].pos + m.v[i - 1].size : 0, m.v[i].pos);
			assert_true(img_map_status_valid(m.v[i].status));
		}
	}
	img_mapfile_release(&m);
}
