/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * decode_pool.c - decode a container's chunks on several threads, ahead of the
 * reader, in order, in a fixed number of slots.
 *
 * The protocol: the reading thread asks for chunk i (ctr_pool_get).  The
 * pool makes sure slots hold chunks i, i+1, ... i+nslots-1, queued or
 * decoded, and waits for chunk i.  Slots form a ring: chunk j lives in
 * slot j % nslots, so finding it costs nothing, and a slot is re-used when
 * its chunk has fallen behind the window.  Workers take the lowest queued
 * chunk, decode it without the lock, and mark it ready.  Only the reading
 * thread assigns slots, so the slot it gets back stays put until its next
 * call.  The window holds at least WINDOW_BYTES of decoded data, so that a
 * container of small chunks (a CHD of 4 KiB hunks: 180,000 of them in a
 * CD's worth) keeps every worker busy without a hand-off per chunk; new
 * chunks are queued a quarter window at a time.  Memory is nslots x
 * max_chunk.  With one thread the chunk is decoded inline.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/container/container_private.h"

#define WINDOW_BYTES (4u << 20)
#define MAX_SLOTS 1024u

enum slot_state { SLOT_EMPTY, SLOT_QUEUED, SLOT_BUSY, SLOT_READY, SLOT_ERROR };

struct ctr_slot {
	uint64_t idx;
	enum slot_state state;
	uint8_t *buf;
	struct sp_error err;
};

struct ctr_pool {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct ctr_slot *slots;
	unsigned nslots, nthreads;
	pthread_t *threads;
	uint64_t next;                  /* the first chunk not yet given a slot */
	uint64_t take;                  /* where workers look for the next queued chunk */
	bool stop;
	struct img_container *c;
};

static size_t chunk_len(const struct img_container *c, uint64_t idx)
{
	return (size_t)(ctr_chunk_start(c, idx + 1) - ctr_chunk_start(c, idx));
}

/* Decode into the slot's buffer and error; the caller sets the state
 * (under the lock when threads run). */
static enum slot_state decode_slot(struct img_container *c, struct ctr_slot *s,
				   uint64_t idx)
{
	sp_error_clear(&s->err);
	s->err.lba = -1;
	if (c->rd->decode(c, idx, s->buf, chunk_len(c, idx), &s->err) == SP_OK)
		return SLOT_READY;
	return SLOT_ERROR;
}

static void *worker(void *arg)
{
	struct ctr_pool *p = arg;

	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		struct ctr_slot *best = NULL, *s;
		enum slot_state st;
		uint64_t idx;

		/* chunks are queued in order: the lowest queued one is at or
		 * after take (the reader resets both on a seek) */
		for (idx = p->take; idx < p->next && !best; idx++) {
			s = &p->slots[idx % p->nslots];
			if (s->state == SLOT_QUEUED && s->idx == idx)
				best = s;
		}
		if (!best) {
			pthread_cond_wait(&p->work, &p->mu);
			continue;
		}
		p->take = idx;
		best->state = SLOT_BUSY;
		idx = best->idx;
		pthread_mutex_unlock(&p->mu);
		st = decode_slot(p->c, best, idx);
		pthread_mutex_lock(&p->mu);
		best->state = st;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

enum sp_status ctr_pool_start(struct img_container *c, unsigned threads,
			      struct sp_error *err)
{
	struct ctr_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	c->pool = p;
	p->c = c;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	if (threads > 64)
		threads = 64;
	p->nslots = threads <= 1 ? 1 : 2 * threads + 2;
	if (threads > 1 && c->max_chunk && WINDOW_BYTES / c->max_chunk > p->nslots)
		p->nslots = WINDOW_BYTES / c->max_chunk < MAX_SLOTS ?
			    WINDOW_BYTES / c->max_chunk : MAX_SLOTS;
	p->slots = calloc(p->nslots, sizeof(*p->slots));
	if (!p->slots)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	for (unsigned i = 0; i < p->nslots; i++) {
		p->slots[i].buf = malloc(c->max_chunk ? c->max_chunk : 1);
		if (!p->slots[i].buf)
			return sp_error_set(err, SPE_NOMEM, "out of memory for %u decode "
					    "buffers of %u bytes", p->nslots, c->max_chunk);
	}
	if (threads <= 1)
		return SP_OK;
	p->threads = calloc(threads, sizeof(*p->threads));
	if (!p->threads)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	for (unsigned i = 0; i < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
			return sp_error_set(err, SPE_INTERNAL, "cannot start a decoder "
					    "thread");
		p->nthreads++;
	}
	return SP_OK;
}

/* The slot of chunk idx, if it holds it. */
static struct ctr_slot *find(struct ctr_pool *p, uint64_t idx)
{
	struct ctr_slot *s = &p->slots[idx % p->nslots];

	return s->state != SLOT_EMPTY && s->idx == idx ? s : NULL;
}

enum sp_status ctr_pool_get(struct img_container *c, uint64_t idx,
			    const uint8_t **data, struct sp_error *err)
{
	struct ctr_pool *p = c->pool;
	struct ctr_slot *s;
	uint64_t hi = idx + p->nslots;

	if (hi > c->nchunks)
		hi = c->nchunks;
	if (p->nthreads == 0) {
		s = &p->slots[0];
		if (s->state != SLOT_READY || s->idx != idx) {
			s->idx = idx;
			s->state = decode_slot(c, s, idx);
		}
		goto out;
	}
	pthread_mutex_lock(&p->mu);
	/* a seek, or a retry after an error: the window starts again at idx */
	if (!find(p, idx) || idx >= p->next || p->next > hi)
		p->next = p->take = idx;
	for (;;) {
		uint64_t from = p->next;

		/* slot next % nslots holds no chunk of [idx, next): it is free
		 * unless a worker still decodes an old chunk there; refilled a
		 * quarter window at a time (one wake-up for many chunks) */
		while (p->next < hi && (from == idx || from - idx <= p->nslots * 3 / 4)) {
			struct ctr_slot *v = &p->slots[p->next % p->nslots];

			if (v->state == SLOT_BUSY)
				break;
			v->idx = p->next++;
			v->state = SLOT_QUEUED;
		}
		if (p->next > from)
			pthread_cond_broadcast(&p->work);
		s = find(p, idx);
		if (s && (s->state == SLOT_READY || s->state == SLOT_ERROR))
			break;
		pthread_cond_wait(&p->done, &p->mu);
	}
	if (s->state == SLOT_ERROR) {
		*err = s->err;
		s->state = SLOT_EMPTY;  /* a retry decodes it again */
		pthread_mutex_unlock(&p->mu);
		return SP_FAILED;
	}
	pthread_mutex_unlock(&p->mu);
	*data = s->buf;
	return SP_OK;
out:
	if (s->state == SLOT_ERROR) {
		*err = s->err;
		s->state = SLOT_EMPTY;
		return SP_FAILED;
	}
	*data = s->buf;
	return SP_OK;
}

void ctr_pool_stop(struct img_container *c)
{
	struct ctr_pool *p = c->pool;

	if (p->threads) {
		pthread_mutex_lock(&p->mu);
		p->stop = true;
		pthread_cond_broadcast(&p->work);
		pthread_mutex_unlock(&p->mu);
		for (unsigned i = 0; i < p->nthreads; i++)
			pthread_join(p->threads[i], NULL);
		free(p->threads);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	if (p->slots) {
		for (unsigned i = 0; i < p->nslots; i++)
			free(p->slots[i].buf);
		free(p->slots);
	}
	free(p);
	c->pool = NULL;
}
