/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "tests/unit/test.h"

DEFINE_TEST(test_parse_size)
{
	uint64_t v = 0;

	assert_int_eq(0, sp_parse_size("2048", &v));
	assert_int_eq(2048, v);
	assert_int_eq(0, sp_parse_size("16M", &v));
	assert_int_eq(16ULL << 20, v);
	assert_int_eq(0, sp_parse_size("16MiB", &v));
	assert_int_eq(16ULL << 20, v);
	assert_int_eq(0, sp_parse_size("1g", &v));
	assert_int_eq(1ULL << 30, v);
	assert_int_eq(0, sp_parse_size("3s", &v));
	assert_int_eq(6144, v);
	assert_int_eq(-1, sp_parse_size("", &v));
	assert_int_eq(-1, sp_parse_size("-1", &v));
	assert_int_eq(-1, sp_parse_size("12x", &v));
	assert_int_eq(-1, sp_parse_size("M", &v));
	assert_int_eq(-1, sp_parse_size("99999999999999999999", &v));
	assert_int_eq(-1, sp_parse_size("17179869184G", &v));
}

DEFINE_TEST(test_parse_uint)
{
	uint64_t v = 0;

	assert_int_eq(0, sp_parse_uint("5", 1, 10, &v));
	assert_int_eq(5, v);
	assert_int_eq(-1, sp_parse_uint("0", 1, 10, &v));
	assert_int_eq(-1, sp_parse_uint("11", 1, 10, &v));
	assert_int_eq(-1, sp_parse_uint("+3", 1, 10, &v));
	assert_int_eq(-1, sp_parse_uint("3 ", 1, 10, &v));
}

DEFINE_TEST(test_bytes_to_sectors)
{
	assert_int_eq(0, sp_bytes_to_sectors(0));
	assert_int_eq(1, sp_bytes_to_sectors(1));
	assert_int_eq(1, sp_bytes_to_sectors(2048));
	assert_int_eq(2, sp_bytes_to_sectors(2049));
	assert_int_eq(2561, sp_bytes_to_sectors(5 * 1024 * 1024 + 7));
}

DEFINE_TEST(test_human)
{
	char b[32];

	assert_str_eq("512 B", sp_human_size(512, b, sizeof(b)));
	assert_str_eq("1.5 KiB", sp_human_size(1536, b, sizeof(b)));
	assert_str_eq("2.0 GiB", sp_human_size(2ULL << 30, b, sizeof(b)));
	assert_str_eq("59s", sp_human_time(59.4, b, sizeof(b)));
	assert_str_eq("1m05s", sp_human_time(65, b, sizeof(b)));
	assert_str_eq("1h01m01s", sp_human_time(3661, b, sizeof(b)));
	assert_str_eq("--", sp_human_time(-1, b, sizeof(b)));
}

DEFINE_TEST(test_error_errno)
{
	struct sp_error e = SP_ERROR_INIT;

	assert_int_eq(SP_FAILED, sp_error_set_errno(&e, ENOSPC, "cannot write '%s'", "x.iso"));
	assert_int_eq(SPE_NOSPACE, e.code);
	assert_int_eq(SP_EXIT_NOSPACE, sp_exit_code(e.code));
	assert_str_contains(e.msg, "cannot write 'x.iso': No space left on device");
	assert_str_contains(e.hint, "free some space");
	sp_error_init(&e);
	sp_error_set_errno(&e, ENOENT, "cannot open '%s'", "y");
	assert_int_eq(SPE_NOENT, e.code);
	assert_str_eq("no-medium", sp_errcode_name(SPE_NOMEDIUM));
	assert_int_eq(SP_EXIT_MEDIUM, sp_exit_code(SPE_NOTBLANK));
	assert_int_eq(SP_EXIT_MISMATCH, sp_exit_code(SPE_MISMATCH));
	assert_int_eq(SP_EXIT_ABORTED, sp_exit_code(SPE_ABORTED));
}

DEFINE_TEST(test_write_file_atomic)
{
	struct sp_error e = SP_ERROR_INIT;
	char buf[64] = "";
	FILE *f;
	struct stat st;

	assert_int_eq(SP_OK, sp_write_file_atomic("a.txt", "hello\n", 6, &e));
	assert_int_eq(SP_OK, sp_write_file_atomic("a.txt", "world!\n", 7, &e));
	f = fopen("a.txt", "r");
	assert_true(f != NULL);
	if (f) {
		assert_true(fgets(buf, sizeof(buf), f) != NULL);
		fclose(f);
	}
	assert_str_eq("world!\n", buf);
	assert_true(stat("a.txt.tmp", &st) != 0);
	assert_int_eq(SP_FAILED, sp_write_file_atomic("no/such/dir/a", "x", 1, &e));
	assert_int_eq(SPE_NOENT, e.code);
}

DEFINE_TEST(test_read_fd_all)
{
	char path[] = "/tmp/spindle-read-fd-XXXXXX", *buf = NULL;
	size_t len = 99;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_eq(6, write(fd, "abc\ndef", 6));
	assert_int_eq(0, lseek(fd, 0, SEEK_SET));
	assert_int_eq(0, sp_read_fd_all(fd, 6, &buf, &len));
	assert_int_eq(6, len);
	assert_str_eq("abc\nde", buf);
	free(buf);
	/* larger than the limit: EINVAL, nothing allocated */
	assert_int_eq(-1, sp_read_fd_all(fd, 5, &buf, &len));
	assert_int_eq(EINVAL, errno);
	assert_true(buf == NULL);
	close(fd);
	unlink(path);
	/* a directory is not a file to read */
	fd = open("/tmp", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_eq(-1, sp_read_fd_all(fd, 1 << 20, &buf, &len));
	assert_int_eq(EINVAL, errno);
	close(fd);
}
