/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * write.c - the stick writer.  A reader thread decodes the image into a
 * ring of aligned blocks (8 MiB each); a hasher thread hashes the stream
 * (only when it will be verified: the hash is what the readback is
 * compared with) and, with a bmap, checks each range's checksum as it
 * passes; NWRITER writers (the calling thread and three more) write the
 * blocks with O_DIRECT (only the mapped ranges with a bmap), so that
 * nothing piles up in the page cache and an interrupt takes effect within
 * one block.  Several writes in flight keep the device busy: with one, it
 * idles between the end of a write and the start of the next (dd's way).
 * Then fsync, then a readback with O_DIRECT of exactly what was written,
 * compared by SHA-256.
 *
 * A plain image in a regular file is not copied at all: the file is
 * mapped (stick_in_map), the reader only faults the next block's pages in
 * (MADV_POPULATE_READ) and publishes a pointer into the mapping, and the
 * O_DIRECT write sends those page-cache pages to the device.  If the file
 * shrinks meanwhile, the write fails with EFAULT and the hasher's SIGBUS
 * is caught (hash_guarded), so it ends as an error, not a crash.
 *
 * The ring protocol: block number n lives in slot[n % NSLOT].  The reader
 * fills a slot once both the writer and the hasher are done with it
 * (need_write and need_hash false), then publishes it by setting seq = n
 * and both flags; the last block's number goes to last_seq.  The hasher
 * waits for seq to reach its next block, hashes it and clears need_hash.
 * A writer takes the next block number from next_write, waits for it (or
 * gives up once last_seq is below it), writes it and clears need_write;
 * the writers may finish their blocks out of order, which a block device
 * does not mind.  All under mu; everyone waits on cv.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "drive/drive.h"
#include "imaging/base/base.h"
#include "imaging/stick/stick_private.h"

/* 4 writers of 8 MiB blocks: 32 MiB in flight, which a file-backed loop
 * device needed to run at full speed (1 writer of 4 MiB: 2.00 s for 1 GiB,
 * 2 of 4: 1.81, 2 of 16: 1.57, 4 of 8: 1.42, 4 of 16: 1.44, dd bs=4M
 * 2.20); a block stays short enough for an interrupt to act in a moment */
#define NWRITER 4
#define NSLOT (NWRITER + 4)
#define BLOCK_DEFAULT (8u << 20)
#define HUGE_PAGE (2u << 20)

struct slot {
	uint8_t *buf;           /* the slot's own buffer, in w->ring */
	const uint8_t *data;    /* the block: buf, or a place in the mapped file */
	size_t len;
	uint64_t off;
	bool last;
	int64_t seq;            /* the block it holds, -1 none yet */
	bool need_write, need_hash;
};

struct wr {
	struct img_stick *s;
	const struct img_stick_opts *o;
	int fd;
	atomic_bool direct;     /* O_DIRECT on fd; any writer may drop it */
	size_t block;
	uint64_t dev_size;
	const uint8_t *map;     /* the mapped image file, or NULL */
	size_t map_len;
	bool hashing;           /* need_hash is set: a hash to keep or ranges to check */
	uint8_t *ring;          /* NSLOT blocks */
	struct slot slot[NSLOT];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, reader_failed, hasher_failed, writer_failed;
	struct sp_error rerr, herr, werr;
	int64_t last_seq;       /* the last block's number, -1 not read yet */
	/* the reader's own */
	size_t hpos;                    /* bytes of s->head handed out */
	struct img_sha256 *stream;      /* every byte of the image */
	struct img_sha256 *written;     /* the bytes written, in order (bmap) */
	size_t ri;                      /* the bmap range being checked */
	EVP_MD_CTX *rctx;
	/* the writers' own, under mu */
	int64_t next_write;     /* the next block a writer takes */
	uint64_t wdone;         /* the end of the furthest block written */
	atomic_uint_fast64_t written_bytes;
	/* the calling thread's own */
	double t0, last_report, rate_t;
	uint64_t rate_done;
	double rate;
};

static const char *target(const struct wr *w)
{
	return w->o->target ? w->o->target : "the device";
}

/* The mapped image file shrank under us (someone truncated it). */
static enum sp_status shrunk(const struct wr *w, struct sp_error *err)
{
	sp_error_set(err, SPE_READ, "'%s' became shorter while it was being written",
		     w->s->name);
	sp_error_hint(err, "the stick holds a partial image; leave the image alone and "
		      "write it again");
	return SP_FAILED;
}

static ssize_t fill(struct wr *w, uint8_t *buf, size_t want, struct sp_error *err)
{
	size_t got = 0;
	ssize_t n;

	if (w->hpos < w->s->head_len) {
		got = w->s->head_len - w->hpos;
		if (got > want)
			got = want;
		memcpy(buf, w->s->head + w->hpos, got);
		w->hpos += got;
	}
	if (got < want && !w->s->head_eof) {
		if ((n = stick_in_read(w->s->in, buf + got, want - got, err)) < 0)
			return -1;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Pass the bytes [off, off+len) through the bmap's range checksums. */
static enum sp_status check_ranges(struct wr *w, const uint8_t *p, size_t len,
				   uint64_t off, struct sp_error *err)
{
	const struct img_bmap *b = &w->s->bmap;
	uint64_t end = off + len;

	if (end > b->image_size)
		return sp_error_set(err, SPE_FORMAT, "'%s' is longer than its bmap says (%llu bytes)",
				    w->s->name, (unsigned long long)b->image_size);
	while (w->ri < b->n) {
		const struct img_bmap_range *r = &b->r[w->ri];
		uint64_t ra = r->first * b->block_size, re = (r->last + 1) * b->block_size;
		uint64_t a, e;

		if (re > b->image_size)
			re = b->image_size;
		if (ra >= end)
			break;
		a = ra > off ? ra : off;
		e = re < end ? re : end;
		if (e > a) {
			if (w->written)
				img_sha256_update(w->written, p + (a - off), e - a);
			if (r->csum[0] && !w->rctx) {
				w->rctx = EVP_MD_CTX_new();
				if (!w->rctx || !EVP_DigestInit_ex(w->rctx, b->csum == IMG_BMAP_SHA256
								   ? EVP_sha256() : EVP_sha1(), NULL))
					return sp_error_set(err, SPE_NOMEM, "cannot start a checksum");
			}
			if (r->csum[0])
				EVP_DigestUpdate(w->rctx, p + (a - off), e - a);
		}
		if (re > end)
			break;
		if (r->csum[0]) {
			unsigned char md[EVP_MAX_MD_SIZE];
			unsigned mdlen = 0;
			char hex[2 * EVP_MAX_MD_SIZE + 1];

			EVP_DigestFinal_ex(w->rctx, md, &mdlen);
			EVP_MD_CTX_free(w->rctx);
			w->rctx = NULL;
			for (unsigned i = 0; i < mdlen; i++)
				snprintf(hex + 2 * i, 3, "%02x", md[i]);
			if (strcasecmp(hex, r->csum) != 0) {
				sp_error_set(err, SPE_FORMAT, "'%s' differs from its bmap in blocks "
					     "%llu-%llu (checksum mismatch)", w->s->name,
					     (unsigned long long)r->first, (unsigned long long)r->last);
				sp_error_hint(err, "the image or the bmap is damaged, or they do not belong "
					      "together; the stick holds a partial image");
				return SP_FAILED;
			}
		}
		w->ri++;
	}
	return SP_OK;
}

static void *reader(void *arg)
{
	struct wr *w = arg;
	uint64_t pos = 0;
	bool last = false;

	for (int64_t n = 0; !last; n++) {
		struct slot *sl = &w->slot[n % NSLOT];
		ssize_t got;

		pthread_mutex_lock(&w->mu);
		while ((sl->need_write || sl->need_hash) && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		pthread_mutex_unlock(&w->mu);
		if (w->map) {
			got = pos + w->block <= w->map_len ? (ssize_t)w->block
				: (ssize_t)(w->map_len - pos);
			sl->data = w->map + pos;
			if (got > 0 && madvise((void *)(w->map + pos), (size_t)got,
					       MADV_POPULATE_READ) != 0 && errno == EFAULT) {
				shrunk(w, &w->rerr);
				got = -1;
			}
		} else {
			got = fill(w, sl->buf, w->block, &w->rerr);
			sl->data = sl->buf;
		}
		pthread_mutex_lock(&w->mu);
		if (got < 0) {
			w->reader_failed = true;
			got = 0;
		}
		sl->len = (size_t)got;
		sl->off = pos;
		sl->last = last = w->reader_failed || (size_t)got < w->block;
		sl->seq = n;
		sl->need_write = true;
		sl->need_hash = w->hashing;
		if (last)
			w->last_seq = n;
		pos += (uint64_t)got;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
	}
	return NULL;
}

/* Wait for block n in its slot; NULL when told to stop. */
static struct slot *wait_block(struct wr *w, int64_t n)
{
	struct slot *sl = &w->slot[n % NSLOT];

	pthread_mutex_lock(&w->mu);
	while (sl->seq != n && !w->stop)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	return sl->seq == n ? sl : NULL;
}

/* A SIGBUS while hashing a mapped file (it shrank) returns here. */
static __thread sigjmp_buf *bus_jmp;

static void on_sigbus(int sig)
{
	if (bus_jmp)
		siglongjmp(*bus_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Hash one block and check it against the bmap's ranges. */
static enum sp_status hash_guarded(struct wr *w, const struct slot *sl)
{
	sigjmp_buf env;

	if (sigsetjmp(env, 1)) {
		bus_jmp = NULL;
		return shrunk(w, &w->herr);
	}
	bus_jmp = &env;
	if (w->stream)
		img_sha256_update(w->stream, sl->data, sl->len);
	if (w->s->info.has_bmap &&
	    check_ranges(w, sl->data, sl->len, sl->off, &w->herr) != SP_OK) {
		bus_jmp = NULL;
		return SP_FAILED;
	}
	bus_jmp = NULL;
	return SP_OK;
}

/* Compare a block read back with the mapped file: the offset of the first
 * byte that differs, len when none does, -1 when the file shrank (SIGBUS). */
static ssize_t cmp_guarded(const uint8_t *buf, const uint8_t *map, size_t len)
{
	sigjmp_buf env;
	size_t k = 0;

	if (sigsetjmp(env, 1)) {
		bus_jmp = NULL;
		return -1;
	}
	bus_jmp = &env;
	if (memcmp(buf, map, len) != 0)
		while (buf[k] == map[k])
			k++;
	else
		k = len;
	bus_jmp = NULL;
	return (ssize_t)k;
}

static void *hasher(void *arg)
{
	struct wr *w = arg;
	bool last = false;

	for (int64_t n = 0; !last; n++) {
		struct slot *sl = wait_block(w, n);
		bool failed;

		if (!sl)
			break;
		last = sl->last;
		failed = hash_guarded(w, sl) != SP_OK;
		pthread_mutex_lock(&w->mu);
		sl->need_hash = false;
		if (failed) {
			w->hasher_failed = true;
			w->stop = true;
		}
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		if (failed)
			break;
	}
	return NULL;
}

/* Go on without O_DIRECT: for an unaligned tail, or a device or file
 * system that refuses it. */
static void drop_direct(struct wr *w)
{
	fcntl(w->fd, F_SETFL, fcntl(w->fd, F_GETFL) & ~O_DIRECT);
	w->direct = false;
}

/* One pwrite (when writing) or pread of len bytes at off, retried after
 * EINTR, and without O_DIRECT when the device refuses it (EINVAL). */
static ssize_t xfer(struct wr *w, bool writing, void *buf, size_t len, uint64_t off)
{
	for (;;) {
		ssize_t n = writing ? pwrite(w->fd, buf, len, (off_t)off)
			: pread(w->fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EINVAL && w->direct) {
			drop_direct(w);
			continue;
		}
		return n;
	}
}

/* pwrite all of p at off; O_DIRECT for the aligned part where it works. */
static enum sp_status put(struct wr *w, const uint8_t *p, size_t len, uint64_t off,
			  struct sp_error *err)
{
	while (len) {
		size_t want = w->direct ? len & ~(size_t)511 : len;
		ssize_t n;

		if (want == 0 || (off & 511)) {
			drop_direct(w);         /* O_DIRECT cannot write the unaligned tail */
			continue;
		}
		n = xfer(w, true, (void *)p, want, off);
		if (n < 0 && errno == EFAULT && w->map)
			return shrunk(w, err);
		if (n <= 0) {
			sp_error_set_errno(err, n < 0 ? errno : ENOSPC, "write error on '%s' at byte %llu",
					   target(w), (unsigned long long)off);
			err->code = SPE_WRITE;
			sp_error_hint(err, "the stick holds a partial image; a stick that fails "
				      "again is worn out");
			return SP_FAILED;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
		w->written_bytes += (uint64_t)n;
	}
	return SP_OK;
}

static enum sp_status write_slot(struct wr *w, const struct slot *sl, struct sp_error *err)
{
	const struct img_bmap *b = &w->s->bmap;
	uint64_t end = sl->off + sl->len;
	size_t lo = 0, hi;

	if (!w->s->info.has_bmap)
		return put(w, sl->data, sl->len, sl->off, err);
	/* the first range that ends after the block's start (ranges are in
	 * order; the writers take blocks in any order, so no cursor) */
	for (hi = b->n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if ((b->r[mid].last + 1) * b->block_size <= sl->off)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < b->n; i++) {
		uint64_t ra = b->r[i].first * b->block_size;
		uint64_t re = (b->r[i].last + 1) * b->block_size;
		uint64_t a, e;

		if (re > b->image_size)
			re = b->image_size;
		if (ra >= end)
			break;
		a = ra > sl->off ? ra : sl->off;
		e = re < end ? re : end;
		if (e > a && put(w, sl->data + (a - sl->off), e - a, a, err) != SP_OK)
			return SP_FAILED;
		if (re > end)
			break;
	}
	return SP_OK;
}

static void report(struct wr *w, enum img_stick_phase ph, uint64_t done, bool force)
{
	struct img_stick_progress p;
	double now = sp_now();

	if (!w->o->progress || (!force && now - w->last_report < 0.2))
		return;
	if (now - w->rate_t >= 1.0 || w->rate_t == 0) {
		if (w->rate_t > 0 && done >= w->rate_done)
			w->rate = (double)(done - w->rate_done) / (now - w->rate_t);
		w->rate_t = now;
		w->rate_done = done;
	}
	w->last_report = now;
	p.phase = ph;
	p.done = done;
	p.total = w->s->info.size;
	p.elapsed = now - w->t0;
	p.bytes_per_sec = w->rate;
	w->o->progress(&p, w->o->ctx);
}

static enum sp_status interrupted(struct wr *w, uint64_t done, struct sp_error *err)
{
	char h[32];

	sp_error_set(err, SPE_ABORTED, "interrupted by %s after writing %s of the image; "
		     "'%s' holds an incomplete image and is released", drv_interrupt_signal_name(),
		     sp_human_size(done, h, sizeof(h)), target(w));
	sp_error_hint(err, "write it again before using the stick");
	return SP_FAILED;
}

/* Take the next block number and wait for that block; NULL once there is
 * none (past the last block) or when told to stop. */
static struct slot *take_block(struct wr *w)
{
	struct slot *sl;
	int64_t n;

	pthread_mutex_lock(&w->mu);
	n = w->next_write++;
	sl = &w->slot[n % NSLOT];
	while (sl->seq != n && !w->stop && (w->last_seq < 0 || n <= w->last_seq))
		pthread_cond_wait(&w->cv, &w->mu);
	if (sl->seq != n || w->stop)
		sl = NULL;
	pthread_mutex_unlock(&w->mu);
	return sl;
}

/* One writer: blocks until there are none left or one fails; the first
 * failure of any writer goes to w->werr and stops everyone.  The calling
 * thread (reporting) also reports the progress. */
static void write_blocks(struct wr *w, bool reporting)
{
	struct slot *sl;

	while ((sl = take_block(w))) {
		struct sp_error err = SP_ERROR_INIT;
		enum sp_status st;
		uint64_t end = sl->off + sl->len, done;

		/* the messages of these two say how much was written: the
		 * calling thread makes them once every writer has stopped */
		if (drv_interrupted()) {
			st = sp_error_set(&err, SPE_ABORTED, "interrupted");
		} else if (end > w->dev_size) {
			struct slot part = *sl;

			/* what fits goes on: the stick holds as much as it can */
			part.len = sl->off < w->dev_size ? (size_t)(w->dev_size - sl->off) : 0;
			if ((st = write_slot(w, &part, &err)) == SP_OK)
				st = sp_error_set(&err, SPE_TOOBIG, "too big");
		} else {
			st = write_slot(w, sl, &err);
		}
		pthread_mutex_lock(&w->mu);
		sl->need_write = false;
		if (st == SP_OK && end > w->wdone)
			w->wdone = end;
		if (st != SP_OK && !w->writer_failed) {
			w->writer_failed = true;
			w->werr = err;
			w->stop = true;
		}
		done = w->wdone;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		if (st != SP_OK)
			break;
		if (reporting)
			report(w, IMG_STICK_WRITING, done, false);
	}
}

static void *writer(void *arg)
{
	write_blocks(arg, false);
	return NULL;
}

/* pread exactly want bytes at off (reading up to rd where O_DIRECT needs it). */
static enum sp_status get(struct wr *w, uint8_t *buf, size_t want, uint64_t off,
			  struct sp_error *err)
{
	size_t got = 0;

	while (got < want) {
		size_t rd = w->direct ? ((want - got + 511) & ~(size_t)511) : want - got;
		ssize_t n;

		if (w->direct && off + got + rd > w->dev_size)
			rd = want - got;
		if (w->direct && ((rd & 511) || ((off + got) & 511))) {
			drop_direct(w);
			continue;
		}
		/* rd fits in buf (a whole block), and what passes want is not used */
		n = xfer(w, false, buf + got, rd, off + got);
		if (n <= 0) {
			sp_error_set_errno(err, n < 0 ? errno : EIO, "cannot read '%s' back at byte %llu",
					   target(w), (unsigned long long)(off + got));
			err->code = SPE_READ;
			return SP_FAILED;
		}
		got += (size_t)n;
	}
	return SP_OK;
}

/*
 * The readback's ring, like the writing's turned around: NWRITER fetchers
 * take block numbers in turn (fetch_next) and pread block k into slot
 * k % nslot once the checker is done with block k - nslot (k < checked +
 * nslot), then set ready[slot] = k; the checker takes the blocks in order.
 * All under mu; everyone waits on cv.
 */
struct rb_block {
	uint64_t pos;
	size_t len;
};

struct rb {
	struct wr *w;
	struct rb_block *blk;
	size_t nblk, nslot;
	int64_t ready[NSLOT];
	size_t fetch_next, checked;
	bool stop, failed;
	struct sp_error err;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *fetcher(void *arg)
{
	struct rb *r = arg;

	for (;;) {
		struct sp_error e = SP_ERROR_INIT;
		enum sp_status st;
		size_t k;

		pthread_mutex_lock(&r->mu);
		k = r->fetch_next++;
		while (!r->stop && k < r->nblk && k >= r->checked + r->nslot)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->stop || k >= r->nblk) {
			pthread_mutex_unlock(&r->mu);
			break;
		}
		pthread_mutex_unlock(&r->mu);
		st = get(r->w, r->w->slot[k % r->nslot].buf, r->blk[k].len, r->blk[k].pos, &e);
		pthread_mutex_lock(&r->mu);
		if (st == SP_OK) {
			r->ready[k % r->nslot] = (int64_t)k;
		} else {
			if (!r->failed)
				r->err = e;
			r->failed = r->stop = true;
		}
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
	return NULL;
}

/* The blocks to read back: the image's first total bytes, or with a bmap
 * its mapped ranges, in pieces of at most one block. */
static struct rb_block *rb_blocks(const struct wr *w, uint64_t total, size_t *nblk)
{
	const struct img_bmap *b = &w->s->bmap;
	size_t n_ext = w->s->info.has_bmap ? b->n : 1, n = 0, cap = 0;
	struct rb_block *blk = NULL;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n_ext; i++) {
			uint64_t a = w->s->info.has_bmap ? b->r[i].first * b->block_size : 0;
			uint64_t e = w->s->info.has_bmap ? (b->r[i].last + 1) * b->block_size : total;

			if (e > total)
				e = total;
			for (uint64_t pos = a; pos < e; pos += w->block, n++)
				if (pass == 1) {
					blk[n].pos = pos;
					blk[n].len = e - pos < w->block ? (size_t)(e - pos) : w->block;
				}
		}
		if (pass == 0) {
			cap = n;
			n = 0;
			if (!(blk = calloc(cap ? cap : 1, sizeof(*blk))))
				return NULL;
		}
	}
	*nblk = n;
	return blk;
}

/*
 * Read back what was written and hash it in the same order; a mapped image
 * file is compared byte for byte instead (memcmp is cheaper than a second
 * SHA-256, and names the first byte that differs).  Several reads are in
 * flight (the fetchers), as several writes were.
 */
static enum sp_status verify(struct wr *w, uint64_t total, const char *expect,
			     struct sp_error *err)
{
	struct rb r;
	struct img_sha256 *h = img_sha256_new();
	pthread_t th[NWRITER];
	int nth = 0;
	uint64_t done = 0, bad = UINT64_MAX;
	enum sp_status st = SP_OK;
	char got[65];

	memset(&r, 0, sizeof(r));
	r.w = w;
	r.nslot = NSLOT;
	r.err = (struct sp_error)SP_ERROR_INIT;
	for (int i = 0; i < NSLOT; i++)
		r.ready[i] = -1;
	if (!h || !(r.blk = rb_blocks(w, total, &r.nblk))) {
		if (h)
			img_sha256_final(h, got);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	w->direct = (fcntl(w->fd, F_SETFL, fcntl(w->fd, F_GETFL) | O_DIRECT) == 0);
	posix_fadvise(w->fd, 0, 0, POSIX_FADV_DONTNEED);
	w->t0 = sp_now();
	w->rate_t = 0;
	for (int i = 0; i < NWRITER; i++)
		if (pthread_create(&th[nth], NULL, fetcher, &r) == 0)
			nth++;
	if (nth == 0)
		st = sp_error_set(err, SPE_INTERNAL, "cannot start the readback threads");
	for (size_t k = 0; k < r.nblk && st == SP_OK; k++) {
		const struct rb_block *bk = &r.blk[k];
		const uint8_t *buf = w->slot[k % r.nslot].buf;

		if (drv_interrupted()) {
			sp_error_set(err, SPE_ABORTED, "interrupted by %s while verifying: "
				     "the image was written to '%s' but not verified",
				     drv_interrupt_signal_name(), target(w));
			sp_error_hint(err, "run spindle verify on the stick to check it");
			st = SP_FAILED;
			break;
		}
		pthread_mutex_lock(&r.mu);
		while (r.ready[k % r.nslot] != (int64_t)k && !r.stop)
			pthread_cond_wait(&r.cv, &r.mu);
		if (r.ready[k % r.nslot] != (int64_t)k) {
			*err = r.err;
			st = SP_FAILED;
		}
		pthread_mutex_unlock(&r.mu);
		if (st != SP_OK)
			break;
		if (!w->map) {
			img_sha256_update(h, buf, bk->len);
		} else if (bad == UINT64_MAX) {
			ssize_t n = cmp_guarded(buf, w->map + bk->pos, bk->len);

			if (n < 0) {
				st = shrunk(w, err);
				break;
			}
			if ((size_t)n < bk->len)
				bad = bk->pos + (uint64_t)n;
		}
		pthread_mutex_lock(&r.mu);
		r.checked = k + 1;
		pthread_cond_broadcast(&r.cv);
		pthread_mutex_unlock(&r.mu);
		done += bk->len;
		report(w, IMG_STICK_VERIFYING, done, false);
	}
	pthread_mutex_lock(&r.mu);
	r.stop = true;
	pthread_cond_broadcast(&r.cv);
	pthread_mutex_unlock(&r.mu);
	for (int i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.cv);
	free(r.blk);
	img_sha256_final(h, got);
	if (st != SP_OK)
		return st;
	report(w, IMG_STICK_VERIFYING, done, true);
	if (w->map ? bad != UINT64_MAX : strcmp(got, expect) != 0) {
		sp_error_set(err, SPE_MISMATCH, "'%s' reads back differently from what was written",
			     target(w));
		if (bad != UINT64_MAX)
			sp_error_detail(err, "first difference at byte %llu", (unsigned long long)bad);
		sp_error_hint(err, "the stick is faulty, or fake (smaller than it claims); "
			      "try another stick");
		return SP_FAILED;
	}
	return SP_OK;
}

enum sp_status img_stick_write(struct img_stick *s, int fd, uint64_t dev_size,
			       const struct img_stick_opts *o,
			       struct img_stick_result *res, struct sp_error *err)
{
	struct wr w;
	pthread_t th, th2, wth[NWRITER];
	int nwth = 0;
	struct sigaction bus, old_bus;
	bool started = false, started2 = false, bus_set = false;
	size_t nbuf;
	uint64_t total = 0;
	char written_hex[65] = "";
	enum sp_status st = SP_FAILED;

	memset(res, 0, sizeof(*res));
	memset(&w, 0, sizeof(w));
	w.s = s;
	w.o = o;
	w.fd = fd;
	w.block = o->block ? o->block : BLOCK_DEFAULT;
	w.dev_size = dev_size;
	w.direct = (fcntl(fd, F_GETFL) & O_DIRECT) != 0;
	w.rerr = (struct sp_error)SP_ERROR_INIT;
	w.herr = (struct sp_error)SP_ERROR_INIT;
	w.werr = (struct sp_error)SP_ERROR_INIT;
	w.last_seq = -1;
	for (int i = 0; i < NSLOT; i++)
		w.slot[i].seq = -1;
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	if (s->info.size >= 0 && (uint64_t)s->info.size > dev_size) {
		char h1[32], h2[32];

		sp_error_set(err, SPE_TOOBIG, "the image (%s) is larger than '%s' (%s); nothing "
			     "was written", sp_human_size((uint64_t)s->info.size, h1, sizeof(h1)),
			     target(&w), sp_human_size(dev_size, h2, sizeof(h2)));
		sp_error_hint(err, "use a larger stick");
		goto out;
	}
	if (w.block < 65536 || (w.block & 4095)) {
		sp_error_set(err, SPE_INTERNAL, "bad block size %zu", w.block);
		goto out;
	}
	/* huge pages: a fresh 4 KiB page costs a fault each, 16,384 for the
	 * ring; a mapped image needs the ring only for the readback */
	w.map = stick_in_map(s->in, &w.map_len);
	nbuf = w.map && !o->verify ? 1 : NSLOT;
	if (posix_memalign((void **)&w.ring, HUGE_PAGE, nbuf * w.block) != 0) {
		w.ring = NULL;
		sp_error_set(err, SPE_NOMEM, "out of memory for the write buffers");
		goto out;
	}
	madvise(w.ring, nbuf * w.block, MADV_HUGEPAGE);
	for (size_t i = 0; i < nbuf; i++)
		w.slot[i].buf = w.ring + i * w.block;
	w.hashing = o->verify || s->info.has_bmap;
	if (o->verify && (!(w.stream = img_sha256_new()) || !(w.written = img_sha256_new()))) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	if (w.map && w.hashing) {
		memset(&bus, 0, sizeof(bus));
		bus.sa_handler = on_sigbus;
		sigemptyset(&bus.sa_mask);
		bus_set = sigaction(SIGBUS, &bus, &old_bus) == 0;
	}
	w.t0 = sp_now();
	if (pthread_create(&th, NULL, reader, &w) != 0) {
		sp_error_set(err, SPE_INTERNAL, "cannot start the reader thread");
		goto out;
	}
	started = true;
	if (w.hashing && pthread_create(&th2, NULL, hasher, &w) != 0) {
		sp_error_set(err, SPE_INTERNAL, "cannot start the hasher thread");
		goto out;
	}
	started2 = w.hashing;
	/* more writers; if one cannot start, the calling thread writes alone */
	for (int i = 0; i < NWRITER - 1; i++)
		if (pthread_create(&wth[i], NULL, writer, &w) == 0)
			nwth++;
	write_blocks(&w, true);
	for (int i = 0; i < nwth; i++)
		pthread_join(wth[i], NULL);
	nwth = 0;
	st = w.writer_failed ? SP_FAILED : SP_OK;
	if (st != SP_OK && w.werr.code == SPE_ABORTED) {
		interrupted(&w, w.written_bytes, err);
	} else if (st != SP_OK && w.werr.code == SPE_TOOBIG) {
		char h[32], h2[32];

		sp_error_set(err, SPE_TOOBIG, "the image is larger than '%s' (%s): stopped "
			     "after writing %s", target(&w), sp_human_size(dev_size, h, sizeof(h)),
			     sp_human_size(w.written_bytes, h2, sizeof(h2)));
		sp_error_hint(err, "use a larger stick; this one holds a partial image");
	} else if (st != SP_OK) {
		*err = w.werr;
	}
	total = w.wdone;
	report(&w, IMG_STICK_WRITING, total, true);
	/* the hasher finishes the last block the writers saw */
	if (st == SP_OK && started2)
		pthread_join(th2, NULL);
	pthread_mutex_lock(&w.mu);
	w.stop = true;
	pthread_cond_broadcast(&w.cv);
	pthread_mutex_unlock(&w.mu);
	if (st != SP_OK && started2)
		pthread_join(th2, NULL);
	pthread_join(th, NULL);
	started = started2 = false;
	if (w.hasher_failed && (st == SP_OK || err->code == SPE_ABORTED)) {
		*err = w.herr;
		st = SP_FAILED;
	} else if (w.reader_failed && w.rerr.code == SPE_ABORTED && st == SP_OK) {
		st = interrupted(&w, w.written_bytes, err);
	} else if (w.reader_failed && w.rerr.code != SPE_ABORTED &&
		   (st == SP_OK || err->code == SPE_ABORTED)) {
		*err = w.rerr;
		st = SP_FAILED;
	}
	report(&w, IMG_STICK_SYNCING, total, true);
	if (fsync(fd) != 0 && st == SP_OK) {
		sp_error_set_errno(err, errno, "cannot flush '%s'", target(&w));
		err->code = SPE_WRITE;
		st = SP_FAILED;
	}
	if (st != SP_OK)
		goto out;
	if (s->info.has_bmap && total != s->bmap.image_size) {
		st = sp_error_set(err, SPE_FORMAT, "'%s' is shorter than its bmap says (%llu of "
				  "%llu bytes)", s->name, (unsigned long long)total,
				  (unsigned long long)s->bmap.image_size);
		goto out;
	}
	res->image_bytes = total;
	res->written_bytes = w.written_bytes;
	res->write_seconds = sp_now() - w.t0;
	if (o->verify) {
		img_sha256_final(w.stream, res->sha256);
		w.stream = NULL;
		img_sha256_final(w.written, written_hex);
		w.written = NULL;
		if (!s->info.has_bmap)
			memcpy(written_hex, res->sha256, sizeof(written_hex));
	}
	if (o->verify) {
		double t = sp_now();

		if ((st = verify(&w, total, written_hex, err)) != SP_OK)
			goto out;
		res->verified = true;
		res->verify_seconds = sp_now() - t;
	}
	st = SP_OK;
out:
	if (started || started2) {
		pthread_mutex_lock(&w.mu);
		w.stop = true;
		pthread_cond_broadcast(&w.cv);
		pthread_mutex_unlock(&w.mu);
		for (int i = 0; i < nwth; i++)
			pthread_join(wth[i], NULL);
		if (started)
			pthread_join(th, NULL);
		if (started2)
			pthread_join(th2, NULL);
	}
	if (w.stream)
		img_sha256_final(w.stream, written_hex);
	if (w.written)
		img_sha256_final(w.written, written_hex);
	if (bus_set)
		sigaction(SIGBUS, &old_bus, NULL);
	if (w.rctx)
		EVP_MD_CTX_free(w.rctx);
	free(w.ring);
	pthread_mutex_destroy(&w.mu);
	pthread_cond_destroy(&w.cv);
	return st;
}
