/* SPDX-License-Identifier: GPL-3.0-or-later */
/* container.c - pick a container reader by its bytes; the shared file and
 * chunk plumbing every reader uses. */
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

static const struct ctr_reader *const readers[] = {
	&ctr_chd, &ctr_dmg, &ctr_daa, &ctr_isz,
};
#define NREADERS (sizeof(readers) / sizeof(readers[0]))
#define PROBE_BYTES 4096

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

static int open_file(const char *path, uint64_t *size, struct sp_error *err)
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
	fd = open_file(path, &size, err);
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

static int probe_fd(int fd, uint64_t size, const struct ctr_reader **best)
{
	uint8_t head[PROBE_BYTES], tail[PROBE_BYTES];
	size_t hlen = 0, tlen = 0;
	ssize_t n;
	int score = 0;

	n = pread(fd, head, sizeof(head), 0);
	if (n > 0)
		hlen = (size_t)n;
	tlen = size < sizeof(tail) ? (size_t)size : sizeof(tail);
	n = pread(fd, tail, tlen, (off_t)(size - tlen));
	tlen = n > 0 ? (size_t)n : 0;
	*best = NULL;
	for (size_t i = 0; i < NREADERS; i++) {
		int s = readers[i]->probe(head, hlen, tail, tlen, size);

		if (s > score) {
			score = s;
			*best = readers[i];
		}
	}
	return score;
}

int img_container_probe(const char *path)
{
	struct sp_error err = SP_ERROR_INIT;
	const struct ctr_reader *rd;
	uint64_t size;
	int fd = open_file(path, &size, &err), s;

	if (fd < 0)
		return 0;
	s = probe_fd(fd, size, &rd);
	close(fd);
	return s;
}

enum sp_status img_container_open(const char *path,
				  const struct img_container_opts *opts,
				  struct img_container **out,
				  struct sp_error *err)
{
	struct img_container *c = calloc(1, sizeof(*c));
	const struct ctr_reader *rd;
	long ncpu;

	*out = NULL;
	if (!c || !(c->path = strdup(path))) {
		free(c);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	if (opts)
		c->opts = *opts;
	c->format = "container";
	c->kind = "iso";
	if (ctr_add_part(c, path, err) != SP_OK)
		goto fail;
	if (probe_fd(c->parts[0].fd, c->parts[0].size, &rd) == 0) {
		sp_error_set(err, SPE_FORMAT, "'%s' is not an ISZ, DAA, DMG or CHD "
			     "image", path);
		goto fail;
	}
	c->rd = rd;
	c->format = rd->name;
	if (rd->open(c, err) != SP_OK)
		goto fail;
	if (c->nchunks && (c->max_chunk == 0 || c->max_chunk > CTR_MAX_CHUNK)) {
		ctr_bad(c, err, 0, "chunks of %u bytes", c->max_chunk);
		goto fail;
	}
	if (c->opts.threads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		c->opts.threads = ncpu < 2 ? 2 : ncpu > 16 ? 16 : (unsigned)ncpu;
	}
	if (ctr_pool_start(c, c->opts.threads, err) != SP_OK)
		goto fail;
	*out = c;
	return SP_OK;
fail:
	img_container_close(c);
	return SP_FAILED;
}

uint64_t img_container_size(const struct img_container *c)
{
	return c->size;
}

const char *img_container_format(const struct img_container *c)
{
	return c->format;
}

const char *img_container_kind(const struct img_container *c)
{
	return c->kind;
}

size_t img_container_tracks(const struct img_container *c,
			    const struct img_container_track **out)
{
	*out = c->tracks;
	return c->ntracks;
}

static uint64_t chunk_of(const struct img_container *c, uint64_t off)
{
	uint64_t lo = 0, hi = c->nchunks;

	if (!c->starts)
		return off / c->chunk_size;
	while (hi - lo > 1) {           /* starts[lo] <= off < starts[hi] */
		uint64_t mid = lo + (hi - lo) / 2;

		if (c->starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

enum sp_status img_container_read(struct img_container *c, uint64_t off,
				  void *buf, size_t len, struct sp_error *err)
{
	uint8_t *b = buf;

	if (off > c->size || len > c->size - off)
		return sp_error_set(err, SPE_INTERNAL, "read of %zu bytes at %llu past "
				    "the end of the %s image (%llu bytes)", len,
				    (unsigned long long)off, c->format,
				    (unsigned long long)c->size);
	while (len) {
		uint64_t idx = chunk_of(c, off), start = ctr_chunk_start(c, idx);
		uint64_t end = ctr_chunk_start(c, idx + 1);
		const uint8_t *data;
		size_t n = len;

		if (ctr_pool_get(c, idx, &data, err) != SP_OK)
			return SP_FAILED;
		if (end - off < n)
			n = (size_t)(end - off);
		memcpy(b, data + (off - start), n);
		b += n, len -= n, off += n;
	}
	return SP_OK;
}

const char *img_container_mode_name(enum img_container_mode m)
{
	static const char *const names[] = {
		"audio", "mode1", "mode1_raw", "mode2", "mode2_form1",
		"mode2_form2", "mode2_form_mix", "mode2_raw",
	};

	return (unsigned)m < sizeof(names) / sizeof(names[0]) ? names[m] : "?";
}

void img_container_close(struct img_container *c)
{
	if (!c)
		return;
	if (c->pool)
		ctr_pool_stop(c);
	if (c->rd && c->rd->close)
		c->rd->close(c);
	for (size_t i = 0; i < c->nparts; i++) {
		close(c->parts[i].fd);
		free(c->parts[i].path);
	}
	free(c->parts);
	free(c->starts);
	free(c->tracks);
	free(c->path);
	free(c);
}
