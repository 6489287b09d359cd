/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test.h - spindle's unit test harness, after libarchive's DEFINE_TEST.
 *
 * Write a test as
 *     DEFINE_TEST(test_mapfile_parse)
 *     {
 *             assert_int_eq(2, n);
 *     }
 * in any tests/unit/test_*.c listed in Makefile.am.  The list of tests is
 * generated from the sources.  Each test runs in a fresh temporary
 * directory (its cwd); assertions record failures and the test goes on.
 */
#ifndef SPINDLE_TEST_H
#define SPINDLE_TEST_H

#include <stdint.h>
#include <string.h>

#define DEFINE_TEST(name) void name(void); void name(void)

void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Path of a file in the source tree (tests/... ), static buffer. */
const char *test_srcpath(const char *rel);

#define assert_true(e) do { if (!(e)) \
	test_fail(__FILE__, __LINE__, "assertion failed: %s", #e); } while (0)
#define assert_int_eq(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) test_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", \
				#b, b_, #a, a_); } while (0)
#define assert_str_eq(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_)) test_fail(__FILE__, __LINE__, \
		"%s is \"%s\", expected \"%s\"", #b, b_ ? b_ : "(null)", a_ ? a_ : "(null)"); \
	} while (0)
#define assert_str_contains(hay, needle) do { const char *h_ = (hay), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) test_fail(__FILE__, __LINE__, \
		"%s is \"%s\", expected it to contain \"%s\"", #hay, h_ ? h_ : "(null)", n_); \
	} while (0)
/* failures so far in this process */
int test_failures(void);
/* the first differing byte's offset, or (size_t)-1 */
size_t test_mem_diff(const void *a, const void *b, size_t n);
#define assert_mem_eq(a, b, n) do { size_t d_ = test_mem_diff((a), (b), (n)); \
	if (d_ != (size_t)-1) test_fail(__FILE__, __LINE__, \
		"memory differs: %s vs %s, first at byte %zu of %zu", #a, #b, d_, (size_t)(n)); \
	} while (0)

#endif
