/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests of imaging/ecc/: the Reed-Solomon code against the codec
 * specification's test vector, erasure decoding, CRC32 and the headers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imaging/ecc/ecc_private.h"
#include "tests/unit/test.h"

/* The specification's example: 32 roots, data bytes 0 .. 222. */
static const uint8_t spec_parity[32] = {
	0x2f, 0xbd, 0x4f, 0xb4, 0x74, 0x84, 0x94, 0xb9, 0xac, 0xd5, 0x54, 0x62, 0x72, 0x12, 0xee, 0xb3,
	0xeb, 0xed, 0x41, 0x19, 0x1d, 0xe1, 0xd3, 0x63, 0x20, 0xea, 0x49, 0x29, 0x0b, 0x25, 0xab, 0xcf,
};

/* 255 layers of len bytes; column c of layer l starts as f(l, c) */
static uint8_t *layers_new(uint8_t *layers[ECC_LAYERS], int len)
{
	uint8_t *buf = malloc((size_t)ECC_LAYERS * len);

	for (int l = 0; l < ECC_LAYERS; l++)
		layers[l] = buf + (size_t)l * len;
	return buf;
}

DEFINE_TEST(test_ecc_spec_vector)
{
	struct ecc_plan p = ECC_PLAN_INIT;
	uint8_t *layers[ECC_LAYERS];
	uint8_t *buf = layers_new(layers, 64);

	assert_int_eq(0, ecc_plan_encoder(&p, 32));
	for (int l = 0; l < ECC_LAYERS - 32; l++)
		memset(layers[l], l, 64);
	ecc_plan_run(&p, 64, layers);
	for (int r = 0; r < 32; r++) {
		assert_int_eq(spec_parity[r], layers[ECC_LAYERS - 32 + r][0]);
		assert_int_eq(spec_parity[r], layers[ECC_LAYERS - 32 + r][63]);
	}
	assert_true(ecc_gf_simd_ok());
	/* field: alpha^8 = 0x87 with polynomial 0x187 */
	assert_int_eq(0x87, ecc_gf_mul(0x80, 0x02));
	assert_int_eq(1, ecc_gf_mul(0x53, ecc_gf_inv(0x53)));
	ecc_plan_release(&p);
	free(buf);
}

/* Encode random data with each redundancy, erase `roots` layers (data,
 * CRC and ecc alike), decode, compare. */
DEFINE_TEST(test_ecc_erasure_roundtrip)
{
	static const int roots_list[] = { 8, 32, 64, 100, 170 };
	uint8_t *layers[ECC_LAYERS], *orig[ECC_LAYERS];
	uint8_t *buf = layers_new(layers, 64), *obuf = layers_new(orig, 64);
	unsigned seed = 12345;

	for (size_t t = 0; t < sizeof(roots_list) / sizeof(roots_list[0]); t++) {
		int roots = roots_list[t];
		struct ecc_plan enc = ECC_PLAN_INIT, dec = ECC_PLAN_INIT;
		uint8_t erased[ECC_LAYERS] = { 0 };
		int n = 0;

		for (int l = 0; l < ECC_LAYERS; l++)
			for (int i = 0; i < 64; i++)
				layers[l][i] = (uint8_t)rand_r(&seed);
		assert_int_eq(0, ecc_plan_encoder(&enc, roots));
		ecc_plan_run(&enc, 64, layers);
		memcpy(obuf, buf, (size_t)ECC_LAYERS * 64);
		while (n < roots) {
			int l = rand_r(&seed) % ECC_LAYERS;
			if (!erased[l]) {
				erased[l] = 1;
				memset(layers[l], 0xee, 64);
				n++;
			}
		}
		assert_int_eq(0, ecc_plan_build(&dec, roots, erased));
		ecc_plan_run(&dec, 64, layers);
		assert_mem_eq(obuf, buf, (size_t)ECC_LAYERS * 64);
		/* one more than roots: refused */
		for (int l = 0; l < ECC_LAYERS; l++)
			if (!erased[l]) {
				erased[l] = 1;
				break;
			}
		assert_int_eq(-1, ecc_plan_build(&dec, roots, erased));
		ecc_plan_release(&enc);
		ecc_plan_release(&dec);
	}
	free(buf);
	free(obuf);
}

DEFINE_TEST(test_ecc_crc32)
{
	/* zlib's crc32("123456789") is cbf43926; dvdisaster's skips the final
	 * inversion */
	assert_int_eq(0xcbf43926u ^ 0xffffffffu, ecc_crc32("123456789", 9));
}

DEFINE_TEST(test_ecc_header_roundtrip)
{
	struct ecc_header h = { .method = "RS03", .sectors = 1001, .data_bytes = 223,
				.ecc_bytes = 32, .creator = 7905, .needed = 7900, .fp_sector = 16,
				.in_last = 100, .sectors_per_layer = 5 };
	struct ecc_header g;
	struct ecc_crcblock cb = { .h = h }, cb2;
	uint8_t buf[ECC_HEADER_BYTES], sec[SP_SECTOR];
	struct sp_error err = SP_ERROR_INIT;

	h.flags[0] = 2;
	ecc_header_write(&h, buf);
	assert_int_eq(SP_OK, ecc_header_parse(buf, sizeof(buf), &g, &err));
	assert_int_eq(1001, g.sectors);
	assert_int_eq(100, g.in_last);
	assert_int_eq(5, g.sectors_per_layer);
	buf[70] ^= 1;
	assert_int_eq(SP_FAILED, ecc_header_parse(buf, sizeof(buf), &g, &err));
	assert_str_contains(err.msg, "selfCRC");
	assert_int_eq(SP_FAILED, ecc_header_parse(buf, 100, &g, &err));

	cb.crc[0] = 0xdeadbeef;
	cb.crc[221] = 7;
	ecc_crcblock_write(&cb, sec);
	assert_true(ecc_crcblock_parse(sec, &cb2));
	assert_int_eq(0xdeadbeef, cb2.crc[0]);
	assert_int_eq(7, cb2.crc[221]);
	assert_int_eq(5, cb2.h.sectors_per_layer);
	sec[5] ^= 0x10;
	assert_true(!ecc_crcblock_parse(sec, &cb2));
}

DEFINE_TEST(test_ecc_markers)
{
	uint8_t sec[SP_SECTOR], fp[16] = { 1, 2, 3 };

	ecc_padding_sector(sec, 1002, fp, 16);
	assert_true(memcmp(sec, "dvdisaster padding sector       This", 36) == 0);
	assert_str_eq("1002", (const char *)sec + 0x160);
	assert_int_eq(3, sec[0x1a2]);
	assert_str_eq("dvdisaster padding sector end marker", (const char *)sec + 0x7db);
	assert_true(!ecc_is_dead_marker(sec));
	memcpy(sec, "dvdisaster dead sector marker\n", 30);
	assert_true(ecc_is_dead_marker(sec));
	assert_int_eq(32, img_ecc_parse_redundancy("normal", IMG_ECC_RS03));
	assert_int_eq(170, img_ecc_parse_redundancy("170", IMG_ECC_RS03));
	assert_int_eq(-1, img_ecc_parse_redundancy("171", IMG_ECC_RS03));
	assert_int_eq(-1, img_ecc_parse_redundancy("7", IMG_ECC_RS03));
	assert_int_eq(359424, img_ecc_medium_sectors("cd"));
}

/* Errors at unknown positions with erasures: 2e + s <= roots decodes to the
 * codeword ISA-L encoded; a codeword past that is refused or left wrong,
 * never "corrected" into a non-codeword. */
DEFINE_TEST(test_ecc_errors_and_erasures)
{
	static const int roots_list[] = { 8, 32, 170 };
	uint8_t *layers[ECC_LAYERS];
	uint8_t *buf = layers_new(layers, 64);
	unsigned seed = 777;

	for (size_t t = 0; t < sizeof(roots_list) / sizeof(roots_list[0]); t++) {
		int roots = roots_list[t];
		struct ecc_plan enc = ECC_PLAN_INIT;

		for (int l = 0; l < ECC_LAYERS; l++)
			for (int i = 0; i < 64; i++)
				layers[l][i] = (uint8_t)rand_r(&seed);
		assert_int_eq(0, ecc_plan_encoder(&enc, roots));
		ecc_plan_run(&enc, 64, layers);
		for (int i = 0; i < 32; i++) {
			uint8_t cw[ECC_LAYERS], orig[ECC_LAYERS], hit[ECC_LAYERS] = { 0 };
			int eras[ECC_LAYERS], s = i % (roots + 1), e = (roots - s) / 2, n = 0, rc;

			for (int l = 0; l < ECC_LAYERS; l++)
				orig[l] = cw[l] = layers[l][i];
			while (n < s + e) {
				int l = rand_r(&seed) % ECC_LAYERS;
				if (hit[l])
					continue;
				hit[l] = 1;
				cw[l] ^= (uint8_t)(1 + rand_r(&seed) % 255);
				if (n < s)
					eras[n] = l;
				n++;
			}
			rc = ecc_rs_decode(cw, roots, eras, s);
			assert_int_eq(s + e, rc);
			assert_mem_eq(orig, cw, ECC_LAYERS);
		}
		/* roots/2 + 1 errors, no erasures: not decoded to the original */
		{
			uint8_t cw[ECC_LAYERS], orig[ECC_LAYERS];
			for (int l = 0; l < ECC_LAYERS; l++)
				orig[l] = cw[l] = layers[l][0];
			for (int k = 0; k <= roots / 2; k++)
				cw[2 * k + 1] ^= 0x5a;
			(void)ecc_rs_decode(cw, roots, NULL, 0);
			assert_true(memcmp(orig, cw, ECC_LAYERS) != 0);
		}
		ecc_plan_release(&enc);
	}
	free(buf);
}
