/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rs02_check.c - verify an RS02 augmented image, and repair it.
 *
 * A sector is an erasure when it lies past the end of the file, carries
 * dvdisaster's dead-sector marker, or (image sectors) fails its CRC.  The
 * CRCs come from the CRC sectors; those of lost CRC sectors are first
 * recovered from their own ecc blocks (twice over, since the CRCs of one
 * block live in the block before), and the header keeps the CRCs of the
 * first block.  An ecc block with at most `roots` erasures decodes; its
 * sectors are written only when every recovered image sector whose CRC is
 * known matches it.  Damaged header copies are rewritten from a whole one.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "imaging/ecc/ecc_private.h"

#define RUN_BLOCKS 16

struct check {
	struct rs02 *r;
	enum img_ecc_mode mode;
	uint32_t *crc;            /* per image sector */
	uint8_t *crc_known;
	uint8_t *area;            /* the CRC sectors */
	uint8_t *area_ok;         /* per CRC sector: present (or recovered) */
	uint8_t *crc_bad;         /* per CRC sector: lost or wrong as stored */
	uint8_t *buf[ECC_MAX_WORKERS];
	struct worker {
		uint8_t missing[ECC_LAYERS * RUN_BLOCKS];
		struct ecc_block_worker b;
	} w[ECC_MAX_WORKERS];
	pthread_mutex_t lock;
	struct img_ecc_summary *sum;
	int saved_errno;
	const char *what;
};

static int fail(struct check *c, const char *what)
{
	c->saved_errno = errno ? errno : EIO;
	c->what = what;
	return -1;
}

static uint8_t *slot(struct check *c, int worker, int j, uint64_t b)
{
	return c->buf[worker] + ((size_t)j * RUN_BLOCKS + b) * SP_SECTOR;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Spread the CRCs of the present CRC sectors over the image sectors, in
 * the order the creator wrote them; then the header's copy of the first
 * block's CRCs fills what is still unknown. */
static void distribute(struct check *c)
{
	struct rs02 *r = c->r;
	uint64_t first = (r->data + 2) % r->spl, k = 0, nb = 0;

	memset(c->crc_known, 0, r->data);
	for (uint64_t step = 0; step < r->spl; step++) {
		uint64_t b = (step + first + 1) % r->spl;
		for (uint64_t n = b; n < r->data; n += r->spl, k++) {
			if (c->area_ok[k / (SP_SECTOR / 4)]) {
				c->crc[n] = get32(c->area + 4 * k);
				c->crc_known[n] = 1;
			} else if (step == r->spl - 1 && !c->crc_known[n]) {
				c->crc[n] = get32(r->hdr + SP_SECTOR + 4 * nb);
				c->crc_known[n] = 1;
			}
			if (step == r->spl - 1)
				nb++;
		}
	}
}

/* One block as the shared decoder sees it: sector numbers per layer. */
struct block {
	const struct check *c;
	const uint64_t *sec;
};

/* Do the recovered image sectors of a block match their CRCs, where known? */
static bool decoded_ok(void *ctx, const uint8_t erased[ECC_LAYERS], uint8_t *const layers[ECC_LAYERS])
{
	const struct block *b = ctx;
	const struct check *c = b->c;

	for (int j = 0; j < c->r->ndata; j++)
		if (erased[j] && b->sec[j] < c->r->data && c->crc_known[b->sec[j]] &&
		    ecc_crc32(layers[j], SP_SECTOR) != c->crc[b->sec[j]])
			return false;
	return true;
}

static int layer_kind(void *ctx, int j)
{
	const struct block *b = ctx;

	return b->sec[j] == RS02_VIRTUAL ? ECC_LAYER_VIRTUAL :
	       b->sec[j] < b->c->r->data ? ECC_LAYER_IMAGE : ECC_LAYER_ECC;
}

/*
 * Ecc block i: layers[] as read, missing[] what the file lacks.  Finds the
 * erasures, decodes, checks; writes in repair mode.  With `boot`, only
 * recovers lost CRC sectors into c->area (nothing written or counted).
 */
static int do_block(struct check *c, int worker, uint64_t i, uint8_t *const layers[ECC_LAYERS],
		    const uint8_t missing[ECC_LAYERS], bool boot)
{
	struct rs02 *r = c->r;
	struct worker *w = &c->w[worker];
	uint8_t erased[ECC_LAYERS] = { 0 };
	uint64_t sec[ECC_LAYERS];
	struct block blk = { c, sec };
	struct ecc_block_ops ops = { decoded_ok, layer_kind, &blk };
	struct ecc_tally t = { 0 };
	bool good = true;
	int s = 0;

	for (int j = 0; j < ECC_LAYERS; j++) {
		uint64_t n = sec[j] = rs02_sector(r, j, i);
		bool bad;
		if (n == RS02_VIRTUAL)
			continue;
		bad = missing[j] || ecc_is_dead_marker(layers[j]) ||
		      (n < r->data && c->crc_known[n] && ecc_crc32(layers[j], SP_SECTOR) != c->crc[n]) ||
		      (n >= r->data + 2 && n < r->prot && c->crc_bad[n - r->data - 2]);
		if (!bad)
			continue;
		erased[j] = 1;
		s++;
		if (n < r->data)
			t.damaged++;
		else
			t.damaged_ecc++;
	}
	if (s == 0)
		goto out;
	if (ecc_block_decode_checked(&w->b, r->roots, layers, erased, s, &ops, &t, &good) != 0)
		return fail(c, "plan the decoding of");
	if (!good) {
		for (int j = 0; j < r->ndata; j++)
			if (erased[j] && sec[j] < r->data) {
				t.unrepairable++;
				if (!boot)
					ecc_block_list(&w->b, &c->lock, c->sum, sec[j]);
			}
		goto out;
	}
	for (int j = 0; j < ECC_LAYERS; j++) {
		if (!erased[j])
			continue;
		if (boot) {
			if (sec[j] >= r->data + 2 && sec[j] < r->prot) {
				uint64_t k = sec[j] - r->data - 2;
				memcpy(c->area + k * SP_SECTOR, layers[j], SP_SECTOR);
				c->area_ok[k] = 1;
			}
			continue;
		}
		if (c->mode == IMG_ECC_REPAIR &&
		    ecc_write_at(r->fd, layers[j], SP_SECTOR, sec[j] * SP_SECTOR) != 0)
			return fail(c, "write the repaired sector to");
		if (c->mode == IMG_ECC_REPAIR && c->sum->written_ranges) {
			pthread_mutex_lock(&c->lock);
			ecc_summary_add_written(c->sum, sec[j], 1);
			pthread_mutex_unlock(&c->lock);
		}
		if (sec[j] < r->data)
			t.repaired++;
		else
			t.repaired_ecc++;
	}
out:
	if (!boot)
		ecc_tally_add(&w->b.t, &t);
	return 0;
}

static int read_run(struct check *c, int worker, uint64_t i0, uint64_t cnt)
{
	for (int j = 0; j < ECC_LAYERS; j++)
		if (rs02_read(c->r, j, i0, cnt, slot(c, worker, j, 0),
			      c->w[worker].missing + (size_t)j * RUN_BLOCKS) != 0)
			return fail(c, "read");
	return 0;
}

static int run_blocks(struct check *c, int worker, uint64_t i0, uint64_t cnt, bool boot)
{
	uint8_t *layers[ECC_LAYERS], missing[ECC_LAYERS];

	if (read_run(c, worker, i0, cnt) != 0)
		return -1;
	for (uint64_t b = 0; b < cnt; b++) {
		for (int j = 0; j < ECC_LAYERS; j++) {
			layers[j] = slot(c, worker, j, b);
			missing[j] = c->w[worker].missing[(size_t)j * RUN_BLOCKS + b];
		}
		if (do_block(c, worker, i0 + b, layers, missing, boot) != 0)
			return -1;
	}
	return 0;
}

static int check_run(void *arg, uint64_t item, int worker)
{
	struct check *c = arg;
	uint64_t i0 = item * RUN_BLOCKS, cnt = c->r->spl - i0;

	return run_blocks(c, worker, i0, cnt < RUN_BLOCKS ? cnt : RUN_BLOCKS, false);
}

/* When the CRC sectors fail their MD5, find those that are readable but
 * wrong: a CRC sector most of whose first 8 image sectors (as read) fail
 * their CRCs is taken as lost. */
static int find_wrong_crc_sectors(struct check *c)
{
	struct rs02 *r = c->r;
	uint64_t first = (r->data + 2) % r->spl, k = 0;
	uint8_t md5[16], sec[SP_SECTOR];
	uint8_t *tested = calloc(r->crc_sectors, 1), *wrong = calloc(r->crc_sectors, 1);
	unsigned len = 16;
	int rc = 0;

	if (!tested || !wrong) {
		free(tested);
		free(wrong);
		errno = ENOMEM;
		return fail(c, "check the CRC sectors of");
	}
	if (EVP_Digest(c->area, r->crc_sectors * SP_SECTOR, md5, &len, EVP_md5(), NULL) &&
	    memcmp(md5, r->h.crc_sum, 16) == 0)
		goto out;
	for (uint64_t step = 0; step < r->spl && rc == 0; step++) {
		uint64_t b = (step + first + 1) % r->spl;
		for (uint64_t n = b; n < r->data && rc == 0; n += r->spl, k++) {
			uint64_t ks = k / (SP_SECTOR / 4);
			if (!c->area_ok[ks] || tested[ks] >= 8)
				continue;
			if (ecc_read_at(r->fd, sec, SP_SECTOR, n * SP_SECTOR) < 0)
				rc = fail(c, "read");
			tested[ks]++;
			if (ecc_crc32(sec, SP_SECTOR) != get32(c->area + 4 * k))
				wrong[ks]++;
		}
	}
	for (uint64_t ks = 0; ks < r->crc_sectors; ks++)
		if (wrong[ks] * 2 > tested[ks])
			c->area_ok[ks] = 0;
out:
	free(tested);
	free(wrong);
	return rc;
}

/* The CRC sectors as stored, then those lost recovered from their blocks. */
static int load_crcs(struct check *c)
{
	struct rs02 *r = c->r;
	uint64_t have = r->img_bytes / SP_SECTOR;
	bool lost = false;

	for (uint64_t k = 0; k < r->crc_sectors; k++) {
		uint64_t s = r->data + 2 + k;
		uint8_t *p = c->area + k * SP_SECTOR;
		if (s < have && ecc_read_at(r->fd, p, SP_SECTOR, s * SP_SECTOR) < 0)
			return fail(c, "read");
		c->area_ok[k] = s < have && !ecc_is_dead_marker(p);
	}
	if (find_wrong_crc_sectors(c) != 0)
		return -1;
	for (uint64_t k = 0; k < r->crc_sectors; k++) {
		c->crc_bad[k] = !c->area_ok[k];
		lost |= c->crc_bad[k];
	}
	distribute(c);
	for (int round = 0; lost && round < 2; round++) {
		for (uint64_t k = 0; k < r->crc_sectors; k++)
			if (!c->area_ok[k] && run_blocks(c, 0, (r->data + 2 + k) % r->spl, 1, true) != 0)
				return -1;
		distribute(c);
	}
	return 0;
}

/* The header at the end of the image and its copies: rewrite damaged ones. */
static int check_headers(struct check *c, struct ecc_tally *t)
{
	struct rs02 *r = c->r;
	uint8_t buf[ECC_HEADER_BYTES];
	uint64_t end = r->data + r->added;

	for (uint64_t pos = r->data; pos < end;
	     pos = pos == r->data ? r->first_repeat : pos + r->modulo) {
		if (ecc_read_at(r->fd, buf, sizeof(buf), pos * SP_SECTOR) < 0)
			return fail(c, "read");
		if ((pos + 2) * SP_SECTOR <= r->img_bytes && memcmp(buf, r->hdr, sizeof(buf)) == 0)
			continue;
		t->damaged_ecc += 2;
		if (c->mode == IMG_ECC_REPAIR &&
		    ecc_write_at(r->fd, r->hdr, sizeof(buf), pos * SP_SECTOR) != 0)
			return fail(c, "write a header copy to");
		if (c->mode == IMG_ECC_REPAIR)
			ecc_summary_add_written(c->sum, pos, 2);
		t->repaired_ecc += 2;
	}
	return 0;
}

enum sp_status rs02_check(struct rs02 *r, enum img_ecc_mode mode, const struct img_ecc_opts *o,
			  struct img_ecc_summary *sum, struct sp_error *err)
{
	struct check c = { .r = r, .mode = mode, .sum = sum };
	uint64_t items = (r->spl + RUN_BLOCKS - 1) / RUN_BLOCKS;
	struct ecc_tally ht = { 0 };
	enum sp_status st = SP_FAILED;
	int threads, rc;

	pthread_mutex_init(&c.lock, NULL);
	c.crc = malloc(r->data * 4);
	c.crc_known = calloc(r->data, 1);
	c.area = calloc(r->crc_sectors, SP_SECTOR);
	c.area_ok = calloc(r->crc_sectors, 1);
	c.crc_bad = calloc(r->crc_sectors, 1);
	threads = ecc_workers_alloc(c.buf, o->threads, items,
				    (size_t)ECC_LAYERS * RUN_BLOCKS * SP_SECTOR);
	if (!c.crc || !c.crc_known || !c.area || !c.area_ok || !c.crc_bad || threads < 0) {
		sp_error_set(err, SPE_NOMEM, "out of memory for the RS02 decoder");
		goto out;
	}
	rc = load_crcs(&c);
	if (rc == 0)
		rc = ecc_pool_run(threads, items, check_run, &c);
	if (rc == 0)
		rc = check_headers(&c, &ht);
	for (int t = 0; t < threads; t++)
		ecc_block_finish(&c.w[t].b, sum);
	sum->damaged_ecc += ht.damaged_ecc;
	sum->repaired_ecc += ht.repaired_ecc;
	if (rc != 0) {
		sp_error_set_errno(err, c.saved_errno, "cannot %s the image or its error-correction data",
				   c.what ? c.what : "process");
		goto out;
	}
	if (mode == IMG_ECC_REPAIR && fsync(r->fd) != 0) {
		sp_error_set_errno(err, errno, "cannot write the repaired image");
		goto out;
	}
	st = sum->unrepairable ? SP_WARN : SP_OK;
out:
	for (int t = 0; t < ECC_MAX_WORKERS; t++) {
		free(c.buf[t]);
		ecc_plan_release(&c.w[t].b.plan);
	}
	free(c.crc);
	free(c.crc_known);
	free(c.area);
	free(c.area_ok);
	free(c.crc_bad);
	pthread_mutex_destroy(&c.lock);
	return st;
}
