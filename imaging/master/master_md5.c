/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * master_md5.c - the MD5 that libisofs computes its tags with: OpenSSL's,
 * and for long streams in a thread of their own.
 *
 * With MD5 tags libisofs hashes every byte twice in its writer thread, with
 * its own C MD5: once per file (iso_filesrc_write_data(), for the checksum
 * array) and once for the whole session (iso_write(), for the superblock,
 * tree and session tags).  That was 80 % of mastering time.  libisofs
 * offers no way to hand it digests for new files (iso_file_make_md5() only
 * attaches an MD5 that the writer uses for files kept from an old session)
 * nor to hash elsewhere; but it does all its hashing through four exported
 * functions, iso_md5_start/compute/clone/end, called through the PLT.  So
 * spindle defines them: the dynamic linker binds libisofs' calls (and
 * spindle's own, in verify) to these.  The digests are the same MD5s, so
 * the image is byte for byte what libisofs alone writes
 * (tests/cli/test_mkiso_repro.sh); were libisofs ever linked so that it
 * calls its own, nothing would change but the speed.
 *
 * A context hashes in the caller's thread with OpenSSL until it has been
 * given some bytes; after that its data are copied into a ring of chunks
 * that a thread of its own hashes, beside the writer.  clone and end wait
 * for that thread to catch up, and the writer needs a file's MD5 as soon
 * as the file is written, so a file's context goes to a thread only when
 * the file is large (MD5_ASYNC_FILE): on two cores a third busy thread
 * gains nothing, and the wait at each file's end costs.  The session's
 * context, the one libisofs clones (for the superblock tag, 32 KiB in),
 * goes after MD5_ASYNC_CLONED.  The contexts are libisofs' opaque
 * handles: one caller at a time each, as with libisofs' own.
 */
#include "config.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/master/master_private.h"

#define MD5_ASYNC_CLONED (4u << 20)     /* bytes hashed inline first ... */
#define MD5_ASYNC_FILE (64u << 20)      /* ... by a context never cloned */
#define MD5_CHUNK (256u * 1024)         /* bytes per hand-over */
#define MD5_CHUNKS 64                   /* ring: 16 MiB per context */

struct md5_async {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned char *chunk[MD5_CHUNKS];
	size_t len[MD5_CHUNKS];
	unsigned head;          /* the chunk being filled */
	unsigned tail;          /* the next chunk to hash */
	unsigned queued;        /* full chunks not hashed yet */
	bool stop;
};

struct md5_ctx {
	EVP_MD_CTX *md;
	uint64_t given;         /* bytes given while hashing inline */
	struct md5_async *a;    /* NULL: hashing inline */
	bool cloned;            /* a running sum: the session's */
	bool failed;            /* OpenSSL said no: iso_md5_end fails */
};

static atomic_ulong md5_started;       /* contexts started here */

static const EVP_MD *md5_type(void)
{
	return EVP_md5();
}

static void *hasher(void *arg)
{
	struct md5_ctx *c = arg;
	struct md5_async *a = c->a;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		unsigned i;

		while (!a->queued && !a->stop)
			pthread_cond_wait(&a->cond, &a->lock);
		if (!a->queued)
			break;
		i = a->tail;
		pthread_mutex_unlock(&a->lock);
		if (!EVP_DigestUpdate(c->md, a->chunk[i], a->len[i]))
			c->failed = true;
		pthread_mutex_lock(&a->lock);
		a->tail = (i + 1) % MD5_CHUNKS;
		a->queued--;
		pthread_cond_broadcast(&a->cond);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

static void async_free(struct md5_async *a)
{
	for (unsigned i = 0; i < MD5_CHUNKS; i++)
		free(a->chunk[i]);
	free(a);
}

/* Hand c's hashing to a thread; on any failure it stays inline. */
static void go_async(struct md5_ctx *c)
{
	struct md5_async *a = calloc(1, sizeof(*a));

	if (!a)
		return;
	for (unsigned i = 0; i < MD5_CHUNKS; i++)
		if (!(a->chunk[i] = malloc(MD5_CHUNK))) {
			async_free(a);
			return;
		}
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	c->a = a;
	if (pthread_create(&a->thread, NULL, hasher, c) != 0) {
		c->a = NULL;
		pthread_mutex_destroy(&a->lock);
		pthread_cond_destroy(&a->cond);
		async_free(a);
	}
}

/* Queue the chunk being filled; wait while the ring is full. */
static void submit(struct md5_async *a)
{
	pthread_mutex_lock(&a->lock);
	a->queued++;
	pthread_cond_broadcast(&a->cond);
	while (a->queued == MD5_CHUNKS)
		pthread_cond_wait(&a->cond, &a->lock);
	pthread_mutex_unlock(&a->lock);
	a->head = (a->head + 1) % MD5_CHUNKS;
	a->len[a->head] = 0;
}

/* Wait until everything given to c has been hashed. */
static void catch_up(struct md5_ctx *c)
{
	struct md5_async *a = c->a;

	if (!a)
		return;
	if (a->len[a->head])
		submit(a);
	pthread_mutex_lock(&a->lock);
	while (a->queued)
		pthread_cond_wait(&a->cond, &a->lock);
	pthread_mutex_unlock(&a->lock);
}

static void ctx_free(struct md5_ctx *c)
{
	struct md5_async *a = c->a;

	if (a) {
		pthread_mutex_lock(&a->lock);
		a->stop = true;
		pthread_cond_broadcast(&a->cond);
		pthread_mutex_unlock(&a->lock);
		pthread_join(a->thread, NULL);
		pthread_mutex_destroy(&a->lock);
		pthread_cond_destroy(&a->cond);
		async_free(a);
	}
	EVP_MD_CTX_free(c->md);
	free(c);
}

static struct md5_ctx *ctx_new(void)
{
	struct md5_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (!(c->md = EVP_MD_CTX_new())) {
		free(c);
		return NULL;
	}
	return c;
}

int iso_md5_start(void **md5_context)
{
	struct md5_ctx *c;

	if (*md5_context) {
		ctx_free(*md5_context);
		*md5_context = NULL;
	}
	atomic_fetch_add(&md5_started, 1);
	if (!(c = ctx_new()))
		return (int)ISO_OUT_OF_MEM;
	if (!EVP_DigestInit_ex(c->md, md5_type(), NULL)) {
		ctx_free(c);
		return (int)ISO_OUT_OF_MEM;
	}
	*md5_context = c;
	return 1;
}

int iso_md5_compute(void *md5_context, char *data, int datalen)
{
	struct md5_ctx *c = md5_context;
	struct md5_async *a;
	size_t left;

	if (!c)
		return (int)ISO_NULL_POINTER;
	if (datalen <= 0)
		return 1;
	if (!c->a) {
		if (c->given < (c->cloned ? MD5_ASYNC_CLONED : MD5_ASYNC_FILE)) {
			c->given += (unsigned)datalen;
			if (!EVP_DigestUpdate(c->md, data, (size_t)datalen))
				c->failed = true;
			return 1;
		}
		go_async(c);
		if (!c->a) {
			if (!EVP_DigestUpdate(c->md, data, (size_t)datalen))
				c->failed = true;
			return 1;
		}
	}
	a = c->a;
	left = (size_t)datalen;
	while (left) {
		size_t room = MD5_CHUNK - a->len[a->head];
		size_t n = left < room ? left : room;

		memcpy(a->chunk[a->head] + a->len[a->head], data, n);
		a->len[a->head] += n;
		data += n;
		left -= n;
		if (a->len[a->head] == MD5_CHUNK)
			submit(a);
	}
	return 1;
}

int iso_md5_clone(void *old_md5_context, void **new_md5_context)
{
	struct md5_ctx *old = old_md5_context, *c;

	if (!old)
		return (int)ISO_NULL_POINTER;
	catch_up(old);
	old->cloned = true;
	if (!(c = ctx_new()))
		return (int)ISO_OUT_OF_MEM;
	if (!EVP_MD_CTX_copy_ex(c->md, old->md)) {
		ctx_free(c);
		return (int)ISO_OUT_OF_MEM;
	}
	c->failed = old->failed;
	if (*new_md5_context)
		ctx_free(*new_md5_context);
	*new_md5_context = c;
	return 1;
}

int iso_md5_end(void **md5_context, char result[16])
{
	struct md5_ctx *c = *md5_context;
	unsigned int len = 0;
	bool ok;

	if (!c)
		return (int)ISO_NULL_POINTER;
	catch_up(c);
	ok = !c->failed && EVP_DigestFinal_ex(c->md, (unsigned char *)result, &len) && len == 16;
	ctx_free(c);
	*md5_context = NULL;
	return ok ? 1 : (int)ISO_NULL_POINTER;
}

bool img_master_md5_bound(void)
{
	char tag[2048] = { 0 }, md5[16], hex[33];
	unsigned char self[16];
	unsigned long before = atomic_load(&md5_started);
	uint32_t pos, start, size, next;
	unsigned int len = 0;
	int type, n;

	/*
	 * A session tag as libisofs writes it; decoding it makes libisofs
	 * hash its text (through iso_md5_start) to check its "self" MD5.
	 */
	n = snprintf(tag, sizeof(tag), "libisofs_checksum_tag_v1 pos=0 range_start=0 "
		     "range_size=0 md5=%032d", 0);
	if (!EVP_Digest(tag, (size_t)n, self, &len, md5_type(), NULL) || len != 16)
		return false;
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", self[i]);
	snprintf(tag + n, sizeof(tag) - (size_t)n, " self=%s\n", hex);
	return iso_util_decode_md5_tag(tag, &type, &pos, &start, &size, &next, md5, 0) == 1 &&
	       atomic_load(&md5_started) > before;
}
