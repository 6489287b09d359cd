/* SPDX-License-Identifier: GPL-3.0-or-later */
/* container.c - pick a container reader by its bytes, open it, and serve
 * reads from the decode pool. */
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
	int fd = ctr_open_file(path, &size, &err), s;

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
