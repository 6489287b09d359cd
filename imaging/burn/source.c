/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * source.c - image sources for a burn: a file or standard input, behind
 * libburn's FIFO.
 *
 * The chain is  input -> burn_fifo_source -> libburn's writer thread.
 *
 *  - A regular file or block device is read by burn_fd_source_new() on a
 *    descriptor we opened and checked ourselves (so errors name the file).
 *  - A pipe (standard input) is read by our own burn_source, whose read
 *    waits with poll() and gives up when the burn is cancelled or a signal
 *    arrived.  libburn's fd source would sit in read() on a silent pipe, and
 *    its writer, waiting on the empty FIFO, would never see the cancel.
 *
 * The FIFO size
 * -------------
 * libburn's FIFO thread sleeps 50 ms when the ring is full, and the writer
 * sleeps 50 ms when it is empty; nothing wakes them early.  So the FIFO
 * carries at most its size per 50 ms, plus whatever flows while neither
 * sleeps.  Measured with this code (spindle burn --no-verify --fifo N) on
 * a 1 GB image in the page cache, 2 shared cores:
 *
 *     FIFO                  4 MiB   16 MiB   32 MiB   64 MiB  128 MiB  256 MiB
 *     to stdio:/dev/null    79      294      526      990      917      893  MB/s
 *     to a file on ext4     64      195      310      322      290       -   MB/s
 *
 * At 64 MiB the FIFO stops being what limits (the sink does: ~1 GB/s of
 * memory copies, or the disk), while 4 MiB - libburn's and xorriso's usual
 * size - caps a burn at BD 2x.  64 MiB is therefore the default: never the
 * bottleneck even for a 16x BD (72 MB/s), and small next to the images.
 * Chunks are 2048 bytes (one data sector, as libburn needs for BURN_MODE1)
 * and the FIFO reads its input 32 KiB at a time (flag bit0), so the ring
 * is rounded to whole 32 KiB reads.
 */
#include "config.h"

#include <pthread.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libburn/libburn.h>

#include "imaging/burn/burn.h"
#include "imaging/disc/disc.h"

#define FIFO_CHUNK 2048
#define FIFO_READ (32 * 1024)   /* libburn's FIFO input read size (flag bit0) */
#define FIFO_ALLOW_BIG_READS 1  /* burn_fifo_source_new() flag bit0 */
#define PIPE_POLL_MS 200

uint64_t img_fifo_round(uint64_t bytes)
{
	if (bytes < IMG_FIFO_MIN)
		bytes = IMG_FIFO_MIN;
	if (bytes > IMG_FIFO_MAX)
		bytes = IMG_FIFO_MAX;
	return bytes / FIFO_READ * FIFO_READ;
}

uint64_t img_fifo_for(uint64_t fifo_bytes, int64_t image_bytes)
{
	uint64_t fifo = fifo_bytes ? fifo_bytes : IMG_FIFO_DEFAULT;

	/*
	 * The default, but no larger than the image: the FIFO that holds the
	 * whole image is never the bottleneck, and libburn allocates and
	 * clears all of it before the first byte moves (64 MiB of page
	 * faults, 0.3 CPU s, for a burn of a few MiB).
	 */
	if (!fifo_bytes && image_bytes > 0 && (uint64_t)image_bytes < fifo)
		fifo = ((uint64_t)image_bytes + FIFO_READ - 1) / FIFO_READ * FIFO_READ;
	return img_fifo_round(fifo);
}

/* ---- a pipe that can be cancelled ------------------------------------- */

struct pipe_source {
	int fd;
	bool own_fd;
	volatile int cancelled;
	off_t fixed_size;
	struct img_sha256 *hash;        /* of every byte read, for verify */
	uint64_t bytes;
	volatile int ended;             /* EOF seen: hex is final */
	char hex[65];
};

static int pipe_read(struct burn_source *bs, unsigned char *buf, int size)
{
	struct pipe_source *p = bs->data;
	int got = 0;

	while (got < size) {
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
		ssize_t n;
		int r;

		if (p->cancelled || drv_interrupted()) {
			errno = ECANCELED;
			return -1;
		}
		r = poll(&pfd, 1, PIPE_POLL_MS);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r <= 0)
			continue;
		n = read(p->fd, buf + got, (size_t)(size - got));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			if (!p->ended && p->hash) {
				img_sha256_final(p->hash, p->hex);
				p->hash = NULL;
				p->ended = 1;
			}
			break;          /* end of input: a short last buffer */
		}
		if (p->hash)
			img_sha256_update(p->hash, buf + got, (size_t)n);
		p->bytes += (uint64_t)n;
		got += (int)n;
	}
	return got;
}

static off_t pipe_get_size(struct burn_source *bs)
{
	return ((struct pipe_source *)bs->data)->fixed_size;
}

static int pipe_set_size(struct burn_source *bs, off_t size)
{
	((struct pipe_source *)bs->data)->fixed_size = size;
	return 1;
}

static void pipe_free(struct burn_source *bs)
{
	struct pipe_source *p = bs->data;

	if (p->own_fd)
		close(p->fd);
	if (p->hash) {
		char hex[65];

		img_sha256_final(p->hash, hex);
	}
	free(p);
}

static int pipe_cancel(struct burn_source *bs)
{
	((struct pipe_source *)bs->data)->cancelled = 1;
	return 1;
}

static struct burn_source *pipe_source_new(int fd, bool own_fd)
{
	static const struct img_burn_source_ops ops = {
		.read = pipe_read, .get_size = pipe_get_size, .set_size = pipe_set_size,
		.free_data = pipe_free, .cancel = pipe_cancel,
	};
	struct pipe_source *p = calloc(1, sizeof(*p));
	struct burn_source *bs;

	if (!p || !(p->hash = img_sha256_new())) {
		free(p);
		return NULL;
	}
	p->fd = fd;
	p->own_fd = own_fd;
	if (!(bs = img_burn_source_new(p, &ops))) {
		char hex[65];

		img_sha256_final(p->hash, hex);     /* frees the hash */
		free(p);
	}
	return bs;
}

/* ---- opening ------------------------------------------------------------ */

static enum sp_status open_input(struct img_source *s, const char *path,
				 int *fd, bool *is_pipe, struct sp_error *err)
{
	struct stat st;

	if (strcmp(path, "-") == 0) {
		s->is_stdin = true;
		snprintf(s->name, sizeof(s->name), "standard input");
		*fd = STDIN_FILENO;
		if (isatty(*fd)) {
			sp_error_set(err, SPE_USAGE, "standard input is a terminal, not an image");
			sp_error_hint(err, "pipe the image in, e.g. 'cat x.iso | spindle burn -', or name the file");
			return SP_FAILED;
		}
	} else {
		snprintf(s->name, sizeof(s->name), "%s", path);
		*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (*fd < 0 && errno == EISDIR)
			goto isdir;
		if (*fd < 0) {
			sp_error_set_errno(err, errno, "cannot open image '%s'", path);
			return SP_FAILED;
		}
	}
	if (fstat(*fd, &st) < 0) {
		sp_error_set_errno(err, errno, "cannot stat '%s'", s->name);
		return SP_FAILED;
	}
	if (S_ISDIR(st.st_mode))
		goto isdir;
	*is_pipe = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode);
	if (S_ISREG(st.st_mode)) {
		off_t at = lseek(*fd, 0, SEEK_CUR);

		s->size = st.st_size - (at > 0 ? at : 0);
	} else if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(*fd, 0, SEEK_END);

		if (end < 0 || lseek(*fd, 0, SEEK_SET) < 0) {
			sp_error_set_errno(err, errno, "cannot find the size of '%s'", s->name);
			return SP_FAILED;
		}
		s->size = end;
	} else if (!*is_pipe) {
		sp_error_set(err, SPE_USAGE, "'%s' is not a file, block device or pipe", s->name);
		return SP_FAILED;
	}
	if (s->size == 0) {
		sp_error_set(err, SPE_USAGE, "image '%s' is empty", s->name);
		return SP_FAILED;
	}
	/* fail now, not in libburn's thread, on a file we may not read */
	if (!*is_pipe && !s->is_stdin) {
		char probe[1];

		if (pread(*fd, probe, 1, 0) < 0) {
			sp_error_set_errno(err, errno, "cannot read image '%s'", s->name);
			return SP_FAILED;
		}
	}
	return SP_OK;
isdir:
	sp_error_set(err, SPE_USAGE, "'%s' is a directory, not an image", s->name);
	sp_error_hint(err, "make an image of it first with 'xorriso -as mkisofs -R -J -o x.iso %s'",
		      s->name);
	return SP_FAILED;
}

/*
 * Start the FIFO on a pipe and wait for its first 32 KiB or its end, so
 * that an empty or failing input is an error before the drive is touched
 * (a burn of nothing would otherwise "succeed").
 */
static enum sp_status wait_for_input(struct img_source *s, struct sp_error *err)
{
	int size = 0, free_bytes = 0, r;
	char *state = NULL;

	burn_fifo_fill(s->chain, FIFO_READ, 0);
	r = burn_fifo_inquire_status(s->chain, &size, &free_bytes, &state);
	if (drv_interrupted())
		return sp_error_set(err, SPE_ABORTED, "interrupted while waiting for %s", s->name);
	if (r >= 0 && (r & 3) == 3)
		return sp_error_set(err, SPE_IO, "cannot read %s", s->name);
	if (r >= 0 && (r & 3) == 2 && size - free_bytes - 1 <= 0) {
		sp_error_set(err, SPE_USAGE, "%s is empty: there is nothing to burn", s->name);
		sp_error_hint(err, "check the command that feeds it");
		return SP_FAILED;
	}
	return SP_OK;
}

enum sp_status img_source_open(struct img_source *s, const char *path,
			       uint64_t fifo_bytes, struct sp_error *err)
{
	struct burn_source *input = NULL;
	bool is_pipe = false;
	uint64_t fifo;
	int fd = -1;

	*s = (struct img_source)IMG_SOURCE_INIT;
	if (strcmp(path, "-") != 0) {   /* NRG, MDS, CCD ...: its data track */
		struct img_disc_data *dd;
		uint64_t bytes;

		if (img_disc_data_open(path, &dd, &bytes, err) != SP_OK)
			goto fail;
		if (dd) {
			snprintf(s->name, sizeof(s->name), "%s", path);
			s->size = (int64_t)bytes;
			if (img_disc_data_burn_source(dd, &input, err) != SP_OK)
				goto fail;
			goto have_input;
		}
	}
	if (open_input(s, path, &fd, &is_pipe, err) != SP_OK)
		goto fail;
	/* standard input is read once, whatever it is: hash it on the way */
	if (is_pipe || s->is_stdin) {
		input = pipe_source_new(fd, !s->is_stdin);
		if (input && s->size > 0)
			pipe_set_size(input, s->size);
	} else {
		input = burn_fd_source_new(fd, -1, s->size);
	}
	if (!input) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto fail;
	}
	fd = -1;                        /* the source owns it now */
have_input:
	s->input = input;               /* our reference; the FIFO takes its own */
	s->is_pipe = is_pipe || s->is_stdin;
	fifo = img_fifo_for(fifo_bytes, s->size);
	s->chain = burn_fifo_source_new(input, FIFO_CHUNK, (int)(fifo / FIFO_CHUNK),
					FIFO_ALLOW_BIG_READS);
	if (!s->chain) {
		sp_error_set(err, SPE_LIB, "cannot set up a FIFO of %llu bytes",
			     (unsigned long long)fifo);
		drv_drain_messages(err);
		goto fail;
	}
	if (s->is_pipe && wait_for_input(s, err) != SP_OK)
		goto fail;
	return SP_OK;
fail:
	if (fd >= 0 && fd != STDIN_FILENO)
		close(fd);
	img_source_release(s);
	return SP_FAILED;
}

bool img_source_digest(const struct img_source *s, char hex[65],
		       uint64_t *bytes)
{
	const struct pipe_source *p;

	if (!s->is_pipe || !s->input)
		return false;
	p = s->input->data;
	if (!p->ended)
		return false;
	memcpy(hex, p->hex, 65);
	*bytes = p->bytes;
	return true;
}

int img_source_fifo_fill(const struct img_source *s)
{
	int size = 0, free_bytes = 0;
	char *state = NULL;

	if (!s->chain || burn_fifo_inquire_status(s->chain, &size, &free_bytes, &state) < 0 ||
	    size <= 0)
		return -1;
	return (int)(100.0 * (size - free_bytes - 1) / size + 0.5);
}

bool img_source_failed(const struct img_source *s)
{
	int size = 0, free_bytes = 0, r;
	char *state = NULL;

	if (!s->chain)
		return false;
	/* 3 "failing", 7 "aborted": the input had an error */
	r = burn_fifo_inquire_status(s->chain, &size, &free_bytes, &state);
	return r >= 0 && (r & 3) == 3;
}

/*
 * libburn's FIFOs share one lock on its list of threads; freeing several
 * FIFOs at once from several threads (one per drive when duplicating)
 * deadlocked inside libburn once under valgrind.  One free at a time.
 */
static pthread_mutex_t release_lock = PTHREAD_MUTEX_INITIALIZER;

void img_source_release(struct img_source *s)
{
	pthread_mutex_lock(&release_lock);
	if (s->chain)
		burn_source_free(s->chain);
	if (s->input)
		burn_source_free(s->input);
	pthread_mutex_unlock(&release_lock);
	*s = (struct img_source)IMG_SOURCE_INIT;
}
