/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * image.c - the primitives every container reader and the decode pool use:
 * the image's files (split parts, reads that must be whole, one logical
 * stream over several parts), the chunk geometry, and the error that names
 * the format and the byte offset.  It calls nothing else in the area.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imaging/container/container_private.h"

enum sp_status ctr_bad(const struct img_container *c, struct sp_error *err,
		       uint64_t off, const char *fmt, ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	sp_error_set(err, SPE_FORMAT, "%s image '%s': %s at byte %llu",
		     c->format, c->path, what, (unsigned long long)off);
	sp_error_hint(err, "the file is damaged, truncated or not a %s image",
		      c->format);
	return SP_FAILED;
}

uint64_t ctr_chunk_start(const struct img_container *c, uint64_t idx)
{
	if (idx >= c->nchunks)
		return c->size;
	if (c->starts)
		return c->starts[idx];
	return idx * (uint64_t)c->chunk_size;
}

enum sp_status ctr_pread(const struct img_container *c, size_t part,
			 void *buf, size_t len, uint64_t off, const char *what,
			 struct sp_error *err)
{
	const struct ctr_part *p = &c->parts[part];
	uint8_t *b = buf;

	if (off > p->size || len > p->size - off) {
		struct img_container tmp = *c;

		tmp.path = p->path;
		return ctr_bad(&tmp, err, off, "%s (%zu bytes) runs past the end of "
			       "the file (%llu bytes)", what, len,
			       (unsigned long long)p->size);
	}
	while (len) {
		ssize_t n = pread(p->fd, b, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sp_error_set_errno(err, errno, "cannot read '%s'", p->path);
		if (n == 0)
			return sp_error_set(err, SPE_IO, "'%s' shrank while being read",
					    p->path);
		b += n, len -= (size_t)n, off += (uint64_t)n;
	}
	return SP_OK;
}

enum sp_status ctr_pread_logical(const struct img_container *c, void *buf,
				 size_t len, uint64_t off, const char *what,
				 struct sp_error *err)
{
	uint8_t *b = buf;
	size_t i = 0;

	while (len) {
		const struct ctr_part *p;
		uint64_t in;
		size_t n = len;

		while (i < c->nparts && (off < c->parts[i].start ||
		       off - c->parts[i].start >= c->parts[i].data_len))
			i++;
		if (i == c->nparts) {
			for (i = 0; i < c->nparts; i++)
				if (off >= c->parts[i].start &&
				    off - c->parts[i].start < c->parts[i].data_len)
					break;
			if (i == c->nparts)
				return ctr_bad(c, err, off, "%s lies past the end of "
					       "the image's parts", what);
		}
		p = &c->parts[i];
		in = off - p->start;
		if (p->data_len - in < n)
			n = (size_t)(p->data_len - in);
		if (ctr_pread(c, i, b, n, p->data_off + in, what, err) != SP_OK)
			return SP_FAILED;
		b += n, len -= n, off += n;
	}
	return SP_OK;
}

int ctr_open_file(const char *path, uint64_t *size, struct sp_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		sp_error_set_errno(err, errno, "cannot open '%s'", path);
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		sp_error_set(err, SPE_FORMAT, "'%s' is not a regular file", path);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

enum sp_status ctr_add_part(struct img_container *c, const char *path,
			    struct sp_error *err)
{
	struct ctr_part *np;
	uint64_t size;
	int fd;

	if (c->nparts >= CTR_MAX_PARTS)
		return ctr_bad(c, err, 0, "more than %d split parts", CTR_MAX_PARTS);
	fd = ctr_open_file(path, &size, err);
	if (fd < 0) {
		if (err->code == SPE_NOENT)
			sp_error_hint(err, "'%s' is a part of the split image '%s'; "
				      "put all its parts in one folder", path, c->path);
		return SP_FAILED;
	}
	np = realloc(c->parts, (c->nparts + 1) * sizeof(*np));
	if (!np) {
		close(fd);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	c->parts = np;
	np[c->nparts].fd = fd;
	np[c->nparts].size = size;
	np[c->nparts].start = 0;
	np[c->nparts].data_off = 0;
	np[c->nparts].data_len = size;
	np[c->nparts].path = strdup(path);
	if (!np[c->nparts].path) {
		close(fd);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	c->nparts++;
	return SP_OK;
}
