/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bytes.c - random-access byte sources: the one thing a format reader
 * reads through.  A plain file is one implementation; a decompressing
 * container is another (an adapter over imaging/container/).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imaging/disc/disc_private.h"

enum sp_status img_bytes_new(struct img_bytes **out, const struct img_bytes_ops *ops,
			     void *ctx, uint64_t size, const char *name,
			     struct sp_error *err)
{
	struct img_bytes *b = calloc(1, sizeof(*b));

	*out = NULL;
	if (!b || !(b->name = strdup(name))) {
		free(b);
		ops->close(ctx);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	b->ops = ops;
	b->ctx = ctx;
	b->size = size;
	*out = b;
	return SP_OK;
}

/* Sector-sized reads come in order: serve them from a read-ahead window. */
#define WINDOW (256u << 10)

struct file_ctx {
	int fd;
	const char *name;   /* the img_bytes' name, set after creation */
	uint64_t size;
	uint64_t win_off;   /* the window holds bytes [win_off, win_off + win_len) */
	size_t win_len;
	uint8_t win[WINDOW];
};

static enum sp_status pread_all(struct file_ctx *f, uint64_t off, void *buf, size_t len,
				struct sp_error *err);

static enum sp_status file_read_at(void *vctx, uint64_t off, void *buf, size_t len,
				   struct sp_error *err)
{
	struct file_ctx *f = vctx;

	if (off >= f->win_off && off + len <= f->win_off + f->win_len) {
		memcpy(buf, f->win + (off - f->win_off), len);
		return SP_OK;
	}
	if (len > WINDOW / 4)
		return pread_all(f, off, buf, len, err);
	f->win_len = 0;
	f->win_off = off;
	if (pread_all(f, off, f->win, f->size - off < WINDOW ? (size_t)(f->size - off) : WINDOW,
		      err) != SP_OK)
		return SP_FAILED;
	f->win_len = f->size - off < WINDOW ? (size_t)(f->size - off) : WINDOW;
	memcpy(buf, f->win, len);
	return SP_OK;
}

static enum sp_status pread_all(struct file_ctx *f, uint64_t off, void *buf, size_t len,
				struct sp_error *err)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(f->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sp_error_set_errno(err, errno, "cannot read '%s' at byte %llu",
						  f->name, (unsigned long long)off);
		if (n == 0)
			return sp_error_set(err, SPE_FORMAT, "'%s' ends before byte %llu",
					    f->name, (unsigned long long)off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return SP_OK;
}

static void file_close(void *vctx)
{
	struct file_ctx *f = vctx;

	close(f->fd);
	free(f);
}

static const struct img_bytes_ops file_ops = { file_read_at, file_close };

enum sp_status img_bytes_open_file(struct img_bytes **out, const char *path,
				   struct sp_error *err)
{
	struct file_ctx *f;
	struct stat sb;
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sp_error_set_errno(err, errno, "cannot open '%s'", path);
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		int e = errno;

		close(fd);
		if (!S_ISREG(sb.st_mode))
			return sp_error_set(err, SPE_USAGE, "'%s' is not a regular file", path);
		return sp_error_set_errno(err, e, "cannot open '%s'", path);
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		close(fd);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	f->fd = fd;
	f->size = (uint64_t)sb.st_size;
	if (img_bytes_new(out, &file_ops, f, (uint64_t)sb.st_size, path, err) != SP_OK)
		return SP_FAILED;
	f->name = (*out)->name;
	return SP_OK;
}

enum sp_status img_bytes_read(struct img_bytes *b, uint64_t off, void *buf, size_t len,
			      struct sp_error *err)
{
	if (off > b->size || len > b->size - off) {
		sp_error_set(err, SPE_FORMAT, "'%s' ends at byte %llu: %zu bytes at byte %llu "
			     "lie past its end", b->name, (unsigned long long)b->size, len,
			     (unsigned long long)off);
		sp_error_hint(err, "the image is truncated or its descriptor is wrong");
		return SP_FAILED;
	}
	return b->ops->read_at(b->ctx, off, buf, len, err);
}

void img_bytes_close(struct img_bytes *b)
{
	if (!b)
		return;
	b->ops->close(b->ctx);
	free(b->name);
	free(b);
}

/* A view of another source, longer, reading zeros past its end. */
struct pad_ctx {
	struct img_bytes *src;      /* not owned: another file of the disc */
};

static enum sp_status pad_read_at(void *vctx, uint64_t off, void *buf, size_t len,
				  struct sp_error *err)
{
	struct pad_ctx *p = vctx;
	uint64_t size = p->src->size;
	size_t have = off >= size ? 0 : size - off < len ? (size_t)(size - off) : len;

	memset((uint8_t *)buf + have, 0, len - have);
	return have ? img_bytes_read(p->src, off, buf, have, err) : SP_OK;
}

static void pad_close(void *vctx)
{
	free(vctx);
}

static const struct img_bytes_ops pad_ops = { pad_read_at, pad_close };

enum sp_status img_bytes_pad_new(struct img_bytes **out, struct img_bytes *src,
				 uint64_t size, struct sp_error *err)
{
	struct pad_ctx *p = calloc(1, sizeof(*p));

	if (!p)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	p->src = src;
	return img_bytes_new(out, &pad_ops, p, size, src->name, err);
}
