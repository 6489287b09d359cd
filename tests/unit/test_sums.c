/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_sums.c - checksum files and the implanted records (imaging/sums/). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "imaging/imaging.h"
#include "tests/unit/test.h"

#define H64 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define H32 "5d41402abc4b2a76b9719d911017c592"

static enum sp_status parse(struct img_sumfile *f, const char *text)
{
	struct sp_error err = SP_ERROR_INIT;

	return img_sumfile_parse(f, text, strlen(text), "t", &err);
}

DEFINE_TEST(test_sumfile_forms)
{
	static const char text[] =
		"# a comment\r\n"
		H64 "  plain.iso\r\n"
		H32 " *binary.iso\n"
		"\\" H32 "  new\\nline\\\\x.iso\n"
		"SHA256 (bsd (1).iso) = " H64 "\n"
		"MD5(openssl.iso)= " H32 "\n"
		"SHA-512 (x.iso) = 00\n"               /* wrong length: skipped */
		"not a line at all\n"
		"   \n";
	struct img_sumfile f;

	assert_int_eq(SP_OK, parse(&f, text));
	assert_int_eq(5, f.n);
	assert_int_eq(2, f.skipped);
	assert_str_eq("plain.iso", f.v[0].name);
	assert_int_eq(IMG_SUM_SHA256, f.v[0].algo);
	assert_int_eq(2, f.v[0].line);
	assert_str_eq("binary.iso", f.v[1].name);
	assert_int_eq(IMG_SUM_MD5, f.v[1].algo);
	assert_str_eq("new\nline\\x.iso", f.v[2].name);
	assert_str_eq("bsd (1).iso", f.v[3].name);
	assert_str_eq(H64, f.v[3].hex);
	assert_str_eq("openssl.iso", f.v[4].name);
	img_sumfile_release(&f);
}

DEFINE_TEST(test_sumfile_clearsigned_and_size)
{
	static const char text[] =
		"-----BEGIN PGP SIGNED MESSAGE-----\n"
		"Hash: SHA256\n"
		"\n"
		"# Fedora.iso: 2048000 bytes\n"
		"SHA256 (Fedora.iso) = " H64 "\n"
		"- " H32 "  dashed.iso\n"
		"-----BEGIN PGP SIGNATURE-----\n"
		H32 "  after-the-signature.iso\n"
		"-----END PGP SIGNATURE-----\n";
	struct img_sumfile f;
	struct sp_error err = SP_ERROR_INIT;
	const struct img_sumline *l;

	assert_int_eq(SP_OK, parse(&f, text));
	assert_true(f.clearsigned);
	assert_int_eq(2, f.n);
	assert_str_eq("dashed.iso", f.v[1].name);
	assert_int_eq(2048000, f.size_hint);
	assert_str_eq("Fedora.iso", f.size_name);
	l = img_sumfile_find(&f, "/some/dir/Fedora.iso", "t", &err);
	assert_true(l == &f.v[0]);
	l = img_sumfile_find(&f, "other.iso", "t", &err);
	assert_true(l == NULL);
	assert_str_contains(err.msg, "no line for 'other.iso'");
	l = img_sumfile_find(&f, NULL, "t", &err);
	assert_true(l == NULL);
	assert_str_contains(err.msg, "--name");
	img_sumfile_release(&f);
}

DEFINE_TEST(test_sumfile_rejects_empty)
{
	struct img_sumfile f;
	struct sp_error err = SP_ERROR_INIT;

	assert_int_eq(SP_FAILED, img_sumfile_parse(&f, "# nothing\n", 10, "e", &err));
	assert_int_eq(SPE_FORMAT, err.code);
	assert_int_eq(0, f.n);
}

DEFINE_TEST(test_isomd5_record_roundtrip)
{
	struct img_isomd5 r = { .skip_sectors = 15, .fragment_count = 20 }, back;
	unsigned char area[IMG_APPDATA_SIZE];

	memcpy(r.md5, H32, 33);
	memset(r.fragment_sums, 'a', 60);
	img_isomd5_format(&r, area);
	assert_true(img_isomd5_parse(area, sizeof(area), &back));
	assert_str_eq(H32, back.md5);
	assert_int_eq(15, back.skip_sectors);
	assert_int_eq(20, back.fragment_count);
	assert_str_eq(r.fragment_sums, back.fragment_sums);
	/* a tagmedia area is not an isomd5sum one, and the other way round */
	assert_true(!img_tagmedia_parse(area, sizeof(area), &(struct img_tagmedia){ 0 }));
	memset(area, ' ', sizeof(area));
	memcpy(area, "sha256sum=" H64 ";pad=150", 10 + 64 + 8);
	assert_true(!img_isomd5_parse(area, sizeof(area), &back));
}

DEFINE_TEST(test_isomd5_fragment_count_must_divide_60)
{
	static const char rec[] = "ISO MD5SUM = " H32 ";SKIPSECTORS = 15;"
		"FRAGMENT SUMS = 0123456789;FRAGMENT COUNT = 7;";
	unsigned char area[IMG_APPDATA_SIZE];
	struct img_isomd5 r;

	memset(area, ' ', sizeof(area));
	memcpy(area, rec, sizeof(rec) - 1);
	assert_true(img_isomd5_parse(area, sizeof(area), &r));
	assert_int_eq(0, r.fragment_count);     /* the MD5 alone is checked */
	memcpy(area, "ISO MD5SUM = zz", 15);
	assert_true(!img_isomd5_parse(area, sizeof(area), &r));
}

DEFINE_TEST(test_tagmedia_record)
{
	unsigned char area[IMG_APPDATA_SIZE];
	struct img_tagmedia t;
	static const char rec[] = "md5sum=" H32 ";pad=150;signature=40;check=1";

	memset(area, ' ', sizeof(area));
	memcpy(area, rec, sizeof(rec) - 1);
	assert_true(img_tagmedia_parse(area, sizeof(area), &t));
	assert_int_eq(IMG_SUM_MD5, t.algo);
	assert_str_eq(H32, t.hex);
	assert_int_eq(150, t.pad_sectors);
	assert_int_eq(40, t.signature_block);
	area[3] = '\x01';       /* tagmedia allows only a few characters */
	assert_true(!img_tagmedia_parse(area, sizeof(area), &t));
}
