/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * harness.c - runs the generated list of unit tests, each in a fresh
 * temporary directory, printing TAP-style "ok"/"not ok" lines.
 * usage: unittest [NAME...]
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/test.h"

#undef DEFINE_TEST
#define DEFINE_TEST(n) void n(void);
#include "tests/unit/list.h"
#undef DEFINE_TEST
#define DEFINE_TEST(n) { #n, n },
static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
#include "tests/unit/list.h"
	{ NULL, NULL }
};

static int failures;
static char srcdir[4096];

size_t test_mem_diff(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return i;
	return (size_t)-1;
}

int test_failures(void)
{
	return failures;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failures++;
	fprintf(stdout, "# %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

const char *test_srcpath(const char *rel)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf), "%s/%s", srcdir, rel);
	return buf;
}

static int wanted(int argc, char **argv, const char *name)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *top = getenv("TOP_SRCDIR");
	char tmpl[] = "/tmp/spindle-unit-XXXXXX";
	char *base, cwd[4096];
	int n = 0, bad = 0;

	if (!getcwd(cwd, sizeof(cwd)))
		return 2;
	snprintf(srcdir, sizeof(srcdir), "%s", top ? top : cwd);
	base = mkdtemp(tmpl);
	if (!base)
		return 2;
	for (int i = 0; tests[i].name; i++) {
		char dir[8192];
		int before = failures;

		if (!wanted(argc, argv, tests[i].name))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, tests[i].name);
		if (mkdir(dir, 0755) != 0 || chdir(dir) != 0) {
			printf("not ok %d - %s (cannot make %s)\n", ++n, tests[i].name, dir);
			bad++;
			continue;
		}
		tests[i].fn();
		fflush(stdout);
		if (failures > before) {
			printf("not ok %d - unit: %s\n", ++n, tests[i].name);
			bad++;
		} else {
			printf("ok %d - unit: %s\n", ++n, tests[i].name);
		}
		fflush(stdout);
	}
	if (chdir(cwd) == 0 && !bad) {
		char cmd[8192];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if (system(cmd) != 0)
			fprintf(stderr, "# could not remove %s\n", base);
	}
	printf("1..%d\n", n);
	return bad ? 1 : 0;
}
