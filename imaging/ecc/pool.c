/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pool.c - the threads of the streaming driver: workers take the next work
 * item (a run of ecc blocks) from a shared counter until none is left or
 * one fails.  Each worker owns its buffers, so memory is bounded by
 * threads x the size of one item.  Also the helpers every codec's driver
 * shares: worker buffers, and the MD5 of a byte range of a file.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "imaging/ecc/ecc_private.h"

struct pool {
	pthread_mutex_t lock;
	uint64_t next, n;
	int result;
	int (*fn)(void *arg, uint64_t item, int worker);
	void *arg;
};

struct worker {
	struct pool *pool;
	int id;
};

static void *worker_main(void *p)
{
	struct worker *w = p;
	struct pool *pl = w->pool;

	for (;;) {
		uint64_t item;
		int rc;

		pthread_mutex_lock(&pl->lock);
		if (pl->result != 0 || pl->next >= pl->n) {
			pthread_mutex_unlock(&pl->lock);
			break;
		}
		item = pl->next++;
		pthread_mutex_unlock(&pl->lock);
		rc = pl->fn(pl->arg, item, w->id);
		if (rc != 0) {
			pthread_mutex_lock(&pl->lock);
			if (pl->result == 0)
				pl->result = rc;
			pthread_mutex_unlock(&pl->lock);
		}
	}
	return NULL;
}

int ecc_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > 16)
		n = 16;
	return (int)n;
}

int ecc_pool_run(int threads, uint64_t n, int (*fn)(void *arg, uint64_t item, int worker),
		 void *arg)
{
	struct pool pl = { .next = 0, .n = n, .result = 0, .fn = fn, .arg = arg };
	pthread_t tid[16];
	struct worker w[16];
	int started = 0;

	if (threads < 1)
		threads = 1;
	if (threads > 16)
		threads = 16;
	pthread_mutex_init(&pl.lock, NULL);
	for (int i = 1; i < threads; i++) {
		w[i].pool = &pl;
		w[i].id = i;
		if (pthread_create(&tid[i], NULL, worker_main, &w[i]) != 0)
			break;
		started = i;
	}
	w[0].pool = &pl;
	w[0].id = 0;
	worker_main(&w[0]);
	for (int i = 1; i <= started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&pl.lock);
	return pl.result;
}

int ecc_workers_alloc(uint8_t *buf[ECC_MAX_WORKERS], int threads, uint64_t items, size_t bytes)
{
	if (threads <= 0)
		threads = ecc_default_threads();
	if (threads > ECC_MAX_WORKERS)
		threads = ECC_MAX_WORKERS;
	if ((uint64_t)threads > items)
		threads = items ? (int)items : 1;
	for (int t = 0; t < threads; t++)
		if (!(buf[t] = malloc(bytes)))
			return -1;
	return threads;
}

int ecc_md5_fd(int fd, uint64_t off, uint64_t len, uint8_t out[16])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *buf = malloc(1 << 20);
	unsigned olen = 16;
	bool ok = ctx && buf && EVP_DigestInit_ex(ctx, EVP_md5(), NULL);

	for (uint64_t done = 0; ok && done < len;) {
		size_t want = len - done < (1 << 20) ? (size_t)(len - done) : (1 << 20);
		ok = ecc_read_at(fd, buf, want, off + done) == 0 && EVP_DigestUpdate(ctx, buf, want);
		done += want;
	}
	ok = ok && EVP_DigestFinal_ex(ctx, out, &olen);
	EVP_MD_CTX_free(ctx);
	free(buf);
	return ok ? 0 : -1;
}
