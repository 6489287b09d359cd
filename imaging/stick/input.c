/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * input.c - the image stream: a file or standard input, plain or
 * compressed, told apart by the magic bytes (the extension is only a
 * name).  Decoding streams with no temporary file: zlib for gzip, liblzma
 * for xz (multi-threaded where the .xz has several blocks and a core is
 * left over for the writer: liblzma's threaded decoder copies every block
 * in and out and faults in fresh buffers, about 2.5 times the CPU of the
 * plain one, so with two cores or fewer the plain one decodes straight
 * into the caller's buffer; measured again with 1 GiB in 32 MiB blocks on
 * two loaded cores: threaded with 2 threads 7.7 s and 4.3 CPU s, with 1
 * thread 6.9 s and 3.9 CPU s, plain 3.7 s and 1.8 CPU s; xz -T2 -dc is as
 * slow), libzstd, libbz2.  The reader thread decodes, so decoding already
 * overlaps the writes.  Concatenated streams
 * (pigz, pixz, pzstd, pbzip2) are read whole.  A plain image in a regular
 * file can instead be mapped (stick_in_map), so that the writer sends the
 * page cache's own pages to the device with no copy at all.
 */
#include "config.h"

#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "drive/drive.h"
#include "imaging/stick/stick_private.h"

#define IN_BUF (1u << 20)

struct stick_in {
	int fd;
	char name[1024];
	enum img_stick_comp comp;
	uint8_t *buf;
	size_t len, pos;        /* compressed bytes in buf, consumed */
	bool eof;               /* of the file */
	bool done;              /* of the decoded stream */
	uint64_t consumed;      /* compressed bytes before buf */
	int64_t size, file_size;
	z_stream z;
	lzma_stream x;
	bz_stream b;
	ZSTD_DStream *zs;
	bool inited;
	void *map;              /* stick_in_map's mapping, or NULL */
	size_t map_len;
};

const char *img_stick_comp_name(enum img_stick_comp c)
{
	static const char *const n[] = { "none", "gzip", "xz", "zstd", "bzip2" };

	return (unsigned)c < sizeof(n) / sizeof(n[0]) ? n[c] : "?";
}

/*
 * Wait until in->fd has data to read, polling every 200 ms so that a pipe
 * that stalls stays interruptible; false once a signal came (SPE_ABORTED)
 * or on a poll error.  A signal that lands in this thread (valgrind sends
 * process signals to a thread in a blocking call) ends poll with EINTR:
 * that is another turn, never a read, which would block on an empty pipe.
 */
static bool wait_input(struct stick_in *in, struct sp_error *err)
{
	struct pollfd pfd = { in->fd, POLLIN, 0 };
	int r;

	for (;;) {
		if (drv_interrupted()) {
			sp_error_set(err, SPE_ABORTED, "interrupted by %s", drv_interrupt_signal_name());
			return false;
		}
		if ((r = poll(&pfd, 1, 200)) > 0)
			return true;
		if (r < 0 && errno != EINTR) {
			sp_error_set_errno(err, errno, "cannot read '%s'", in->name);
			return false;
		}
	}
}

/* Top up the compressed buffer; false on a read error. */
static bool refill(struct stick_in *in, struct sp_error *err)
{
	ssize_t r;

	if (in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->consumed += in->pos;
		in->pos = 0;
	}
	while (!in->eof && in->len < IN_BUF) {
		if (!wait_input(in, err))
			return false;
		r = read(in->fd, in->buf + in->len, IN_BUF - in->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			sp_error_set_errno(err, errno, "cannot read '%s'", in->name);
			return false;
		}
		if (r == 0)
			in->eof = true;
		in->len += (size_t)r;
		if (in->len >= 4096)
			break;
	}
	return true;
}

/* The uncompressed size an .xz file records in its index (one stream). */
static int64_t xz_size(int fd, int64_t fsize)
{
	uint8_t foot[LZMA_STREAM_HEADER_SIZE], *ib = NULL;
	lzma_stream_flags fl;
	lzma_index *idx = NULL;
	uint64_t memlimit = 64u << 20;
	size_t pos = 0;
	int64_t out = -1;

	if (fsize < 2 * LZMA_STREAM_HEADER_SIZE ||
	    pread(fd, foot, sizeof(foot), fsize - LZMA_STREAM_HEADER_SIZE) != (ssize_t)sizeof(foot) ||
	    lzma_stream_footer_decode(&fl, foot) != LZMA_OK ||
	    fl.backward_size > (16u << 20) ||
	    (int64_t)fl.backward_size > fsize - 2 * LZMA_STREAM_HEADER_SIZE ||
	    !(ib = malloc(fl.backward_size)))
		return -1;
	if (pread(fd, ib, fl.backward_size, fsize - LZMA_STREAM_HEADER_SIZE -
		  (int64_t)fl.backward_size) == (ssize_t)fl.backward_size &&
	    lzma_index_buffer_decode(&idx, &memlimit, NULL, ib, &pos, fl.backward_size) == LZMA_OK) {
		/* only when this one stream is the whole file */
		if ((int64_t)lzma_index_stream_size(idx) == fsize)
			out = (int64_t)lzma_index_uncompressed_size(idx);
		lzma_index_end(idx, NULL);
	}
	free(ib);
	return out;
}

static enum sp_status start_decoder(struct stick_in *in, struct sp_error *err)
{
	lzma_mt mt = { 0 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int rc = 0;

	switch (in->comp) {
	case IMG_COMP_GZIP:
		rc = inflateInit2(&in->z, 15 + 32) != Z_OK;
		break;
	case IMG_COMP_XZ:
		if (cpus <= 2) {
			rc = lzma_stream_decoder(&in->x, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK;
			break;
		}
		/* one core stays for the writer and the hasher */
		mt.flags = LZMA_CONCATENATED;
		mt.threads = (uint32_t)(cpus - 1 > 8 ? 8 : cpus - 1);
		mt.memlimit_threading = 512u << 20;
		mt.memlimit_stop = UINT64_MAX;
		rc = lzma_stream_decoder_mt(&in->x, &mt) != LZMA_OK;
		break;
	case IMG_COMP_ZSTD:
		rc = !(in->zs = ZSTD_createDStream()) || ZSTD_isError(ZSTD_initDStream(in->zs));
		break;
	case IMG_COMP_BZIP2:
		rc = BZ2_bzDecompressInit(&in->b, 0, 0) != BZ_OK;
		break;
	default:
		break;
	}
	if (rc)
		return sp_error_set(err, SPE_NOMEM, "cannot start the %s decoder for '%s'",
				    img_stick_comp_name(in->comp), in->name);
	in->inited = true;
	return SP_OK;
}

enum sp_status stick_in_open(struct stick_in **out, const char *path,
			     struct sp_error *err)
{
	static const lzma_stream xinit = LZMA_STREAM_INIT;
	struct stick_in *in = calloc(1, sizeof(*in));
	struct stat st;

	*out = NULL;
	if (!in || !(in->buf = malloc(IN_BUF))) {
		free(in);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	in->x = xinit;
	in->size = in->file_size = -1;
	snprintf(in->name, sizeof(in->name), "%s", strcmp(path, "-") ? path : "standard input");
	in->fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (in->fd < 0) {
		sp_error_set_errno(err, errno, "cannot open '%s'", path);
		goto fail;
	}
	if (fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode))
		in->file_size = st.st_size;
	else if (in->fd != 0 && (S_ISDIR(st.st_mode))) {
		sp_error_set(err, SPE_USAGE, "'%s' is a directory, not an image", path);
		goto fail;
	}
	if (!refill(in, err))
		goto fail;
	if (in->len >= 2 && in->buf[0] == 0x1f && in->buf[1] == 0x8b)
		in->comp = IMG_COMP_GZIP;
	else if (in->len >= 6 && memcmp(in->buf, "\xfd" "7zXZ\0", 6) == 0)
		in->comp = IMG_COMP_XZ;
	else if (in->len >= 4 && memcmp(in->buf, "\x28\xb5\x2f\xfd", 4) == 0)
		in->comp = IMG_COMP_ZSTD;
	else if (in->len >= 4 && memcmp(in->buf, "BZh", 3) == 0 &&
		 in->buf[3] >= '1' && in->buf[3] <= '9')
		in->comp = IMG_COMP_BZIP2;
	if (in->comp == IMG_COMP_NONE)
		in->size = in->file_size;
	else if (in->comp == IMG_COMP_XZ && in->file_size > 0)
		in->size = xz_size(in->fd, in->file_size);
	if (start_decoder(in, err) != SP_OK)
		goto fail;
	*out = in;
	return SP_OK;
fail:
	stick_in_close(in);
	return SP_FAILED;
}

enum img_stick_comp stick_in_comp(const struct stick_in *in)
{
	return in->comp;
}

int64_t stick_in_size(const struct stick_in *in, int64_t *file_size)
{
	if (file_size)
		*file_size = in->file_size;
	return in->size;
}

static enum sp_status corrupt(struct stick_in *in, const char *what, struct sp_error *err)
{
	sp_error_set(err, SPE_FORMAT, "'%s' is not valid %s data near byte %llu (%s)",
		     in->name, img_stick_comp_name(in->comp),
		     (unsigned long long)(in->consumed + in->pos), what);
	sp_error_hint(err, "the download may be damaged or cut short: fetch it again");
	return SP_FAILED;
}

/* At the end of a member or frame: is the file at its end too? */
static bool at_end(struct stick_in *in, bool *end, struct sp_error *err)
{
	if (in->pos == in->len && !in->eof && !refill(in, err))
		return false;
	*end = in->pos == in->len && in->eof;
	return true;
}

/* One decoding step into out[*got..len); sets in->done at the end. */
static enum sp_status decode_step(struct stick_in *in, uint8_t *out, size_t len,
				  size_t *got, struct sp_error *err)
{
	size_t avail = in->len - in->pos;
	uint8_t *src = in->buf + in->pos;

	switch (in->comp) {
	case IMG_COMP_GZIP: {
		int rc;

		in->z.next_in = src;
		in->z.avail_in = (uInt)avail;
		in->z.next_out = out + *got;
		in->z.avail_out = (uInt)(len - *got);
		rc = inflate(&in->z, Z_NO_FLUSH);
		in->pos += avail - in->z.avail_in;
		*got = len - in->z.avail_out;
		if (rc == Z_STREAM_END) {
			bool end;

			/* another member may follow (pigz, cat a.gz b.gz) */
			if (!at_end(in, &end, err))
				return SP_FAILED;
			if (end)
				in->done = true;
			else
				inflateReset(&in->z);
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			return corrupt(in, in->z.msg ? in->z.msg : "inflate failed", err);
		}
		break;
	}
	case IMG_COMP_XZ: {
		lzma_ret rc;

		in->x.next_in = src;
		in->x.avail_in = avail;
		in->x.next_out = out + *got;
		in->x.avail_out = len - *got;
		rc = lzma_code(&in->x, in->eof ? LZMA_FINISH : LZMA_RUN);
		in->pos += avail - in->x.avail_in;
		*got = len - in->x.avail_out;
		if (rc == LZMA_STREAM_END)
			in->done = true;
		else if (rc != LZMA_OK && rc != LZMA_BUF_ERROR)
			return corrupt(in, rc == LZMA_DATA_ERROR ? "data error" :
				       rc == LZMA_FORMAT_ERROR ? "format error" : "decoder error", err);
		break;
	}
	case IMG_COMP_ZSTD: {
		ZSTD_inBuffer ib = { src, avail, 0 };
		ZSTD_outBuffer ob = { out, len, *got };
		size_t rc = ZSTD_decompressStream(in->zs, &ob, &ib);

		in->pos += ib.pos;
		*got = ob.pos;
		if (ZSTD_isError(rc))
			return corrupt(in, ZSTD_getErrorName(rc), err);
		if (rc == 0) {
			bool end;

			if (!at_end(in, &end, err))
				return SP_FAILED;
			in->done = end;
		}
		break;
	}
	case IMG_COMP_BZIP2: {
		int rc;

		in->b.next_in = (char *)src;
		in->b.avail_in = (unsigned)avail;
		in->b.next_out = (char *)out + *got;
		in->b.avail_out = (unsigned)(len - *got);
		rc = BZ2_bzDecompress(&in->b);
		in->pos += avail - in->b.avail_in;
		*got = len - in->b.avail_out;
		if (rc == BZ_STREAM_END) {
			bool end;

			BZ2_bzDecompressEnd(&in->b);
			if (!at_end(in, &end, err)) {
				in->inited = false;
				return SP_FAILED;
			}
			if (end) {
				in->done = true;
				in->inited = false;
			} else if (BZ2_bzDecompressInit(&in->b, 0, 0) != BZ_OK) {
				in->inited = false;
				return corrupt(in, "cannot restart", err);
			}
		} else if (rc != BZ_OK) {
			return corrupt(in, "data error", err);
		}
		break;
	}
	default:
		break;
	}
	return SP_OK;
}

ssize_t stick_in_read(struct stick_in *in, void *buf, size_t len,
		      struct sp_error *err)
{
	uint8_t *out = buf;
	size_t got = 0;

	while (got < len && !in->done) {
		if (in->comp == IMG_COMP_NONE && in->pos == in->len && !in->eof) {
			/* plain data: straight into the caller's buffer, no copy */
			ssize_t r;

			if (!wait_input(in, err))
				return -1;
			r = read(in->fd, out + got, len - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				sp_error_set_errno(err, errno, "cannot read '%s'", in->name);
				return -1;
			}
			if (r == 0)
				in->eof = in->done = true;
			in->consumed += (uint64_t)r;
			got += (size_t)r;
			continue;
		}
		if (in->pos == in->len || (!in->eof && in->len - in->pos < 4096))
			if (!refill(in, err))
				return -1;
		if (in->comp == IMG_COMP_NONE) {
			size_t n = in->len - in->pos;

			if (n > len - got)
				n = len - got;
			memcpy(out + got, in->buf + in->pos, n);
			in->pos += n;
			got += n;
			if (in->eof && in->pos == in->len)
				in->done = true;
			continue;
		}
		if (in->pos == in->len && in->eof) {
			size_t before = got;

			/* flush what the decoder holds; then the stream must have ended */
			if (decode_step(in, out, len, &got, err) != SP_OK)
				return -1;
			if (!in->done && got == before)
				return corrupt(in, "the file ends in the middle of the stream", err), -1;
			continue;
		}
		if (decode_step(in, out, len, &got, err) != SP_OK)
			return -1;
	}
	return (ssize_t)got;
}

const uint8_t *stick_in_map(struct stick_in *in, size_t *len)
{
	void *p;

	*len = 0;
	if (in->comp != IMG_COMP_NONE || in->file_size <= 0 || in->fd <= 0 ||
	    (uint64_t)in->file_size > SIZE_MAX)
		return NULL;
	if (!in->map) {
		p = mmap(NULL, (size_t)in->file_size, PROT_READ, MAP_SHARED, in->fd, 0);
		if (p == MAP_FAILED)
			return NULL;
		madvise(p, (size_t)in->file_size, MADV_SEQUENTIAL);
		in->map = p;
		in->map_len = (size_t)in->file_size;
	}
	*len = in->map_len;
	return in->map;
}

void stick_in_close(struct stick_in *in)
{
	if (!in)
		return;
	if (in->map)
		munmap(in->map, in->map_len);
	if (in->inited) {
		switch (in->comp) {
		case IMG_COMP_GZIP: inflateEnd(&in->z); break;
		case IMG_COMP_XZ: lzma_end(&in->x); break;
		case IMG_COMP_ZSTD: ZSTD_freeDStream(in->zs); break;
		case IMG_COMP_BZIP2: BZ2_bzDecompressEnd(&in->b); break;
		default: break;
		}
	}
	if (in->fd > 0)
		close(in->fd);
	free(in->buf);
	free(in);
}
