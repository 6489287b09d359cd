/* SPDX-License-Identifier: GPL-3.0-or-later */
/* util.c - size parsing and rendering, time, and reading and atomic
 * writing of files. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"

int sp_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull() would skip leading white space and accept a sign,
	 * turning "\t-1" into 2^64-1: only a digit may come first */
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int sp_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	uint64_t mult = 1;
	char *end;

	/* strtoull() would skip leading white space and accept a sign,
	 * turning "\t-1" into 2^64-1: only a digit may come first */
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 's': case 'S':
		mult = SP_SECTOR;
		end++;
		break;
	case 'k': case 'K':
		mult = 1024ULL;
		end++;
		break;
	case 'm': case 'M':
		mult = 1024ULL * 1024;
		end++;
		break;
	case 'g': case 'G':
		mult = 1024ULL * 1024 * 1024;
		end++;
		break;
	case 't': case 'T':
		mult = 1024ULL * 1024 * 1024 * 1024;
		end++;
		break;
	default:
		return -1;
	}
	/* allow "16MiB" and "16MB" spellings (both binary) */
	if (mult > 1 && mult != SP_SECTOR) {
		if (*end == 'i')
			end++;
		if (*end == 'B' || *end == 'b')
			end++;
	}
	if (*end)
		return -1;
	if (v > UINT64_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

uint64_t sp_bytes_to_sectors(uint64_t bytes)
{
	return bytes / SP_SECTOR + (bytes % SP_SECTOR != 0);
}

const char *sp_human_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
	return buf;
}

const char *sp_human_time(double seconds, char *buf, size_t len)
{
	long s;

	if (seconds < 0 || seconds > 1e8) {
		snprintf(buf, len, "--");
		return buf;
	}
	s = (long)(seconds + 0.5);
	if (s >= 3600)
		snprintf(buf, len, "%ldh%02ldm%02lds", s / 3600, s / 60 % 60, s % 60);
	else if (s >= 60)
		snprintf(buf, len, "%ldm%02lds", s / 60, s % 60);
	else
		snprintf(buf, len, "%lds", s);
	return buf;
}

double sp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

enum sp_status sp_pwrite_all(int fd, const void *buf, size_t len,
			     uint64_t off, const char *what,
			     struct sp_error *err)
{
	const char *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return sp_error_set_errno(err, errno, "cannot write '%s'", what);
		}
		if (n == 0)
			return sp_error_set_errno(err, ENOSPC, "cannot write '%s'", what);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return SP_OK;
}

int sp_read_fd_all(int fd, size_t max, char **out, size_t *len)
{
	struct stat sb;
	size_t got = 0;
	char *buf;

	*out = NULL;
	*len = 0;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size < 0 ||
	    (uint64_t)sb.st_size > max) {
		errno = EINVAL;
		return -1;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

enum sp_status sp_write_file_atomic(const char *path, const void *data,
				    size_t len, struct sp_error *err)
{
	char tmp[4096], dir[4096];
	enum sp_status st;
	int fd, dfd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return sp_error_set(err, SPE_USAGE, "path too long: '%s'", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return sp_error_set_errno(err, errno, "cannot create '%s'", tmp);
	st = sp_pwrite_all(fd, data, len, 0, tmp, err);
	if (st == SP_OK && fsync(fd) < 0)
		st = sp_error_set_errno(err, errno, "cannot sync '%s'", tmp);
	if (close(fd) < 0 && st == SP_OK)
		st = sp_error_set_errno(err, errno, "cannot close '%s'", tmp);
	if (st != SP_OK) {
		unlink(tmp);
		return st;
	}
	if (rename(tmp, path) < 0) {
		st = sp_error_set_errno(err, errno, "cannot rename '%s' to '%s'", tmp, path);
		unlink(tmp);
		return st;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return SP_OK;
}

enum sp_status sp_read_file(const char *path, const struct sp_file_kind *kind,
			    char **out, size_t *len, struct sp_error *err)
{
	enum sp_status st = SP_OK;
	int fd;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && kind->missing_ok)
			return SP_OK;
		return sp_error_set_errno(err, errno, "cannot open %s '%s'", kind->what, path);
	}
	if (sp_read_fd_all(fd, kind->max, out, len) < 0) {
		if (errno == EINVAL)
			st = sp_error_set(err, kind->not_regular, "'%s' is not a %s", path, kind->what);
		else if (errno == ENOMEM)
			st = sp_error_set(err, SPE_NOMEM, "out of memory");
		else
			st = sp_error_set_errno(err, errno, "cannot read %s '%s'", kind->what, path);
	}
	close(fd);
	return st;
}
