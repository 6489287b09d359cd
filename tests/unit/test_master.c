/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_master.c - mastering and MD5 tag verification through the API. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libburn/libburn.h>
#include <libisofs/libisofs.h>

#include "imaging/imaging.h"
#include "tests/unit/test.h"

static void write_file(const char *path, size_t n, unsigned seed)
{
	FILE *f = fopen(path, "wb");

	for (size_t i = 0; f && i < n; i++)
		fputc((int)((i * 131 + seed) & 0xff), f);
	if (f)
		fclose(f);
}

/* A small tree: 3 files, one of 100 sectors */
static void make_tree(void)
{
	mkdir("src", 0755);
	mkdir("src/d", 0755);
	write_file("src/a.bin", 3000, 1);
	write_file("src/d/big.bin", 100 * 2048 + 17, 2);
	write_file("src/d/c.txt", 10, 3);
}

static void master(const char *out, struct img_master_opts *o)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_graft g = { NULL, "src" };
	struct img_master *m = NULL;

	o->grafts = &g;
	o->n_grafts = 1;
	assert_int_eq(SP_OK, img_master_prepare(&m, o, &err));
	if (m)
		assert_int_eq(SP_OK, img_master_to_file(m, out, false, &err));
	assert_str_eq("", err.msg);
	img_master_free(m);
}

DEFINE_TEST(test_graft_parse)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_graft g;
	char buf[64];

	assert_int_eq(SP_OK, img_graft_parse(&g, "dir", buf, sizeof(buf), &err));
	assert_true(g.target == NULL);
	assert_str_eq("dir", g.source);
	assert_int_eq(SP_OK, img_graft_parse(&g, "/a/b=src/x", buf, sizeof(buf), &err));
	assert_str_eq("/a/b", g.target);
	assert_str_eq("src/x", g.source);
	/* an escaped '=' belongs to the name; the first plain one splits */
	assert_int_eq(SP_OK, img_graft_parse(&g, "/x\\=y=a=b", buf, sizeof(buf), &err));
	assert_str_eq("/x=y", g.target);
	assert_str_eq("a=b", g.source);
	assert_int_eq(SP_FAILED, img_graft_parse(&g, "=src", buf, sizeof(buf), &err));
	assert_int_eq(SPE_USAGE, err.code);
	sp_error_clear(&err);
	assert_int_eq(SP_FAILED, img_graft_parse(&g, "/t=", buf, sizeof(buf), &err));
	sp_error_clear(&err);
	assert_int_eq(SP_FAILED, img_graft_parse(&g, "", buf, sizeof(buf), &err));
}

DEFINE_TEST(test_master_then_md5_check)
{
	struct img_master_opts o = IMG_MASTER_OPTS_INIT;
	struct img_md5_report r = IMG_MD5_REPORT_INIT;
	struct sp_error err = SP_ERROR_INIT;

	make_tree();
	master("x.iso", &o);
	assert_int_eq(SP_OK, img_md5_check_file("x.iso", &r, NULL, NULL, &err));
	assert_true(r.has_tags);
	assert_int_eq(IMG_MD5_OK, r.superblock);
	assert_int_eq(IMG_MD5_OK, r.tree);
	assert_int_eq(IMG_MD5_OK, r.session);
	assert_int_eq(3, r.files);
	assert_int_eq(3, r.files_ok);
	assert_int_eq(0, r.n_bad);
	img_md5_report_release(&r);
}

/* Pulling the burn source in odd-sized pieces, never more than remains,
 * gives the very bytes img_master_to_file() writes. */
DEFINE_TEST(test_burn_source_gives_whole_image)
{
	struct img_master_opts o = IMG_MASTER_OPTS_INIT;
	struct sp_error err = SP_ERROR_INIT;
	struct img_graft g = { NULL, "src" };
	struct img_master *m = NULL;
	struct burn_source *src = NULL;
	int64_t size = 0, done = 0;
	unsigned char *img, *want;
	FILE *f;
	pid_t pid;
	int status = 0;

	make_tree();
	o.reproducible = true;
	o.epoch = 1500000000;
	/* the file in a process of its own, as spindle masters once per run:
	 * libisofs numbers directory inodes from state that a second image
	 * in the same process may see in another order */
	pid = fork();
	if (pid == 0) {
		master("file.iso", &o);
		_exit(test_failures() ? 1 : 0);
	}
	assert_true(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0);
	o.grafts = &g;
	o.n_grafts = 1;
	assert_int_eq(SP_OK, img_master_prepare(&m, &o, &err));
	assert_int_eq(SP_OK, img_master_burn_source(m, &src, &size, &err));
	assert_true(size > 0 && size % 2048 == 0);
	img = malloc((size_t)size);
	want = malloc((size_t)size);
	while (img && done < size) {
		int n = size - done < 6144 ? (int)(size - done) : 6144;
		int got = src->read_xt ? src->read_xt(src, img + done, n) : src->read(src, img + done, n);

		if (got <= 0)
			break;
		done += got;
	}
	assert_int_eq(size, done);
	assert_int_eq(SP_OK, img_master_finish(m, &err));
	f = fopen("file.iso", "rb");
	assert_true(f && want && fread(want, 1, (size_t)size, f) == (size_t)size);
	if (f)
		fclose(f);
	if (img && want)
		assert_mem_eq(want, img, (size_t)size);
	free(img);
	free(want);
	burn_source_free(src);
	img_master_free(m);
}

/* Unreadable sectors inside one file: that file, and only it, is
 * reported unreadable, and so is the session. */
DEFINE_TEST(test_md5_check_unreadable_sector)
{
	struct img_master_opts o = IMG_MASTER_OPTS_INIT;
	struct img_md5_report r = IMG_MD5_REPORT_INIT;
	struct sp_error err = SP_ERROR_INIT;
	struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;
	struct drv_drive *d = NULL;
	struct drv_damage *dm = NULL;
	int64_t lba = -1;

	make_tree();
	master("x.iso", &o);
	/* find big.bin's data: the one 100-sector file */
	assert_int_eq(SP_OK, img_md5_check_file("x.iso", &r, NULL, NULL, &err));
	img_md5_report_release(&r);
	{
		int fd = open("x.iso", O_RDWR);
		unsigned char sec[2048];
		unsigned char want[2048];

		for (size_t i = 0; i < sizeof(want); i++)
			want[i] = (unsigned char)((i * 131 + 2) & 0xff);
		for (int64_t l = 16; fd >= 0 && l < 400; l++)
			if (pread(fd, sec, 2048, (off_t)l * 2048) == 2048 &&
			    memcmp(sec, want, 2048) == 0) {
				lba = l;
				break;
			}
		if (fd >= 0)
			close(fd);
	}
	assert_true(lba > 0);
	assert_int_eq(SP_OK, drv_damage_new(&dm, &err));
	assert_int_eq(SP_OK, drv_damage_add(dm, DRV_DAMAGE_BAD, lba + 50, 2, 0, &err));
	oo.damage = dm;
	assert_int_eq(SP_OK, drv_open(&d, "stdio:x.iso", &oo, &err));
	if (d) {
		assert_int_eq(SP_OK, img_md5_check_drive(d, 0, &r, NULL, NULL, &err));
		assert_int_eq(IMG_MD5_UNREADABLE, r.session);
		assert_int_eq(IMG_MD5_OK, r.tree);
		assert_int_eq(2, r.unreadable_sectors);
		assert_int_eq(1, r.n_bad);
		if (r.n_bad) {
			assert_str_eq("/d/big.bin", r.bad[0].path);
			assert_int_eq(IMG_MD5_UNREADABLE, r.bad[0].state);
		}
		assert_int_eq(2, r.files_ok);
		img_md5_report_release(&r);
		drv_close(d, DRV_KEEP_TRAY);
	}
	drv_damage_free(dm);
}

/* libisofs hashes (tags, checksum array, verify) with spindle's MD5 */
DEFINE_TEST(test_master_md5_is_spindles)
{
	void *c = NULL, *k = NULL;
	char md5[16], part[16];

	assert_true(img_master_md5_bound());
	/* MD5("abc") and, cloned half way, MD5("a"); then a long run that
	 * goes to the hashing thread: 16 MiB of zeros */
	assert_int_eq(1, iso_md5_start(&c));
	assert_int_eq(1, iso_md5_compute(c, (char *)"a", 1));
	assert_int_eq(1, iso_md5_clone(c, &k));
	assert_int_eq(1, iso_md5_compute(c, (char *)"bc", 2));
	assert_int_eq(1, iso_md5_end(&c, md5));
	assert_true(c == NULL);
	assert_mem_eq(md5, "\x90\x01\x50\x98\x3c\xd2\x4f\xb0\xd6\x96\x3f\x7d\x28\xe1\x7f\x72", 16);
	assert_int_eq(1, iso_md5_end(&k, part));
	assert_mem_eq(part, "\x0c\xc1\x75\xb9\xc0\xf1\xb6\xa8\x31\xc3\x99\xe2\x69\x77\x26\x61", 16);
	{
		static char zeros[2048];

		assert_int_eq(1, iso_md5_start(&c));
		for (int i = 0; i < 8192; i++) {
			assert_int_eq(1, iso_md5_compute(c, zeros, (int)sizeof(zeros)));
			if (i == 4095) {
				/* 8 MiB so far, past the inline start */
				assert_int_eq(1, iso_md5_clone(c, &k));
				assert_int_eq(1, iso_md5_end(&k, part));
				assert_mem_eq(part, "\x96\x99\x5b\x58\xd4\xcb\xf6\xaa\xa9\x04\x1b\x4f\x00\xc7\xf6\xae", 16);
			}
		}
		assert_int_eq(1, iso_md5_end(&c, md5));
		assert_mem_eq(md5, "\x2c\x7a\xb8\x5a\x89\x32\x83\xe9\x8c\x93\x1e\x95\x11\xad\xd1\x82", 16);
	}
}
