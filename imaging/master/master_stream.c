/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * master_stream.c - file content for libisofs, read in large pieces.
 *
 * libisofs' own local-file stream reads 2048 bytes per read(2) call, one
 * system call and one ring-buffer hand-off per sector.  This stream reads
 * MASTER_READ bytes at a time and hands libisofs its 2048-byte pieces from
 * memory, which roughly halves the CPU time of mastering and lets the
 * writer thread run ahead of the consumer instead of waking it per sector.
 *
 * It also keeps spindle's error model: a file that cannot be opened or
 * read while the image is written, or that changed size since the tree
 * was walked, is recorded by path and errno (libisofs would only say "?"
 * for a stream it does not know), and img_master_finish() reports it.
 * Hard links still share one copy of the data: libisofs compares the
 * streams' (fs, device, inode) identities.  Those are not the file's own
 * device and inode but a number handed out in walk order (the same for
 * hard links): libisofs numbers the Rock Ridge inodes in the order of the
 * identities, so the source's inode numbers would otherwise decide bytes
 * of the image, and a copy of the same tree would master differently.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imaging/master/master_private.h"

#define MASTER_READ (256 * 1024)
#define MASTER_FS_ID 0x53504e44u        /* "SPND": not one of libisofs' ids */

struct mstream {
	struct img_master *m;
	char *path;             /* absolute, for open */
	char *shown;            /* as the user wrote it, for messages */
	uint64_t id;            /* identity for libisofs, see above */
	off_t size;             /* as walked; the image gets exactly this */
	int fd;
	off_t served;
	unsigned char *buf;
	size_t pos, len;
};

static void record(struct img_master *m, const char *path, int errnum,
		   const char *what)
{
	pthread_mutex_lock(&m->stream_lock);
	if (m->stream_failures++ == 0)
		snprintf(m->stream_error, sizeof(m->stream_error), "%s '%s'%s%s", what,
			 path, errnum ? ": " : "", errnum ? strerror(errnum) : "");
	pthread_mutex_unlock(&m->stream_lock);
}

static int ms_open(IsoStream *s)
{
	struct mstream *ms = s->data;
	struct stat st;

	if (ms->fd >= 0)
		return (int)ISO_FILE_ALREADY_OPENED;
	ms->fd = open(ms->path, O_RDONLY | O_NOCTTY);
	if (ms->fd < 0) {
		record(ms->m, ms->shown, errno, "cannot open");
		return (int)ISO_FILE_ERROR;
	}
	ms->buf = malloc(MASTER_READ);
	if (!ms->buf) {
		close(ms->fd);
		ms->fd = -1;
		return (int)ISO_OUT_OF_MEM;
	}
	posix_fadvise(ms->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (fstat(ms->fd, &st) == 0 && st.st_size != ms->size)
		record(ms->m, ms->shown, 0, "size changed while writing:");
	ms->served = 0;
	ms->pos = ms->len = 0;
	return ISO_SUCCESS;
}

static int ms_close(IsoStream *s)
{
	struct mstream *ms = s->data;

	if (ms->fd < 0)
		return (int)ISO_FILE_NOT_OPENED;
	close(ms->fd);
	ms->fd = -1;
	free(ms->buf);
	ms->buf = NULL;
	return ISO_SUCCESS;
}

static off_t ms_get_size(IsoStream *s)
{
	return ((struct mstream *)s->data)->size;
}

static int ms_read(IsoStream *s, void *buf, size_t count)
{
	struct mstream *ms = s->data;
	size_t out = 0;

	if (ms->fd < 0)
		return (int)ISO_FILE_NOT_OPENED;
	if ((off_t)count > ms->size - ms->served)
		count = (size_t)(ms->size - ms->served);
	while (out < count) {
		size_t n;

		if (ms->pos == ms->len) {
			ssize_t r = read(ms->fd, ms->buf, MASTER_READ);

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				record(ms->m, ms->shown, errno, "cannot read");
				return (int)ISO_FILE_READ_ERROR;
			}
			if (r == 0) {
				record(ms->m, ms->shown, 0, "file shrank while writing:");
				break;
			}
			ms->pos = 0;
			ms->len = (size_t)r;
		}
		n = ms->len - ms->pos < count - out ? ms->len - ms->pos : count - out;
		memcpy((char *)buf + out, ms->buf + ms->pos, n);
		ms->pos += n;
		out += n;
	}
	ms->served += (off_t)out;
	return (int)out;
}

static int ms_is_repeatable(IsoStream *s)
{
	(void)s;
	return 1;
}

static void ms_get_id(IsoStream *s, unsigned int *fs_id, dev_t *dev_id,
		      ino_t *ino_id)
{
	struct mstream *ms = s->data;

	*fs_id = MASTER_FS_ID;
	*dev_id = 0;
	*ino_id = (ino_t)ms->id;
}

static void ms_free(IsoStream *s)
{
	struct mstream *ms = s->data;

	if (ms->fd >= 0)
		close(ms->fd);
	free(ms->buf);
	free(ms->path);
	free(ms->shown);
	free(ms);
}

static IsoStreamIface mstream_class = {
	0, "spnd", ms_open, ms_close, ms_get_size, ms_read, ms_is_repeatable,
	ms_get_id, ms_free, NULL, NULL, NULL, NULL
};

enum sp_status img_master_stream_new(struct img_master *m, const char *path,
				      const char *shown, const struct stat *st,
				      uint64_t id, IsoStream **out,
				      struct sp_error *err)
{
	IsoStream *s = calloc(1, sizeof(*s));
	struct mstream *ms = calloc(1, sizeof(*ms));

	if (!s || !ms || !(ms->path = strdup(path)) || !(ms->shown = strdup(shown))) {
		free(s);
		if (ms) {
			free(ms->path);
			free(ms->shown);
		}
		free(ms);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	ms->m = m;
	ms->id = id;
	ms->size = st->st_size;
	ms->fd = -1;
	s->class = &mstream_class;
	s->refcount = 1;
	s->data = ms;
	*out = s;
	return SP_OK;
}
