/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rs03_check.c - verify an image against RS03 data, and repair it.
 *
 * A sector is an erasure when it fails its CRC (the CRC block of the
 * previous ecc block holds it), carries dvdisaster's dead-sector marker,
 * or lies past the end of its file; a CRC block is one when its own
 * selfCRC fails.  An ecc block with at most `roots` erasures decodes; a
 * repaired sector is written only when its block decoded and every
 * recovered sector's CRC then matches, so a repair never writes a guess.
 *
 * Three passes: load the CRC layer (L sectors; the only state that grows
 * with the image, 1/255 of it); recover damaged CRC blocks first, in
 * order, each from its own ecc block, so that the next block's sectors can
 * be checked; then all ecc blocks in runs on several threads, as the
 * encoder does.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imaging/ecc/ecc_private.h"

#define RUN_BLOCKS 16

struct check {
	struct rs03 *r;
	enum img_ecc_mode mode;
	int nimg;                 /* data layers without the CRC layer */
	uint32_t *crcs;           /* L x nimg: CRC block i's crc[] */
	uint8_t *crc_known;       /* crcs[i] known (read or recovered) */
	uint8_t *crc_stored_ok;   /* the stored CRC block i is whole */
	struct worker {
		uint8_t *buf, *missing;
		struct ecc_block_worker b;
	} w[16];
	pthread_mutex_t lock;
	struct img_ecc_summary *sum;
	int saved_errno;
	const char *what;
};

static uint8_t *slot(struct check *c, int worker, int j, uint64_t b)
{
	return c->w[worker].buf + ((size_t)j * RUN_BLOCKS + b) * SP_SECTOR;
}

static bool crc_header_matches(const struct rs03 *r, const struct ecc_crcblock *cb)
{
	return strcmp(cb->h.method, "RS03") == 0 && cb->h.sectors == r->h.sectors &&
	       cb->h.ecc_bytes == r->roots && cb->h.sectors_per_layer == r->L &&
	       memcmp(cb->h.medium_fp, r->h.medium_fp, 16) == 0;
}

/* Image sector number of data layer j, sector i; or UINT64_MAX for layers
 * that are ecc data. */
static uint64_t image_sector(const struct check *c, int j, uint64_t i)
{
	uint64_t n;

	if (j >= c->nimg)
		return UINT64_MAX;
	n = (uint64_t)j * c->r->L + i;
	return n < c->r->h.sectors ? n : UINT64_MAX;
}

static int write_sector(struct check *c, int j, uint64_t i, const uint8_t *data)
{
	struct rs03 *r = c->r;
	uint64_t base, fsize, n = image_sector(c, j, i);
	size_t len = SP_SECTOR;
	int fd;

	rs03_where(r, j, &fd, &base, &fsize);
	if (!r->augmented && n == r->h.sectors - 1)
		len = (size_t)r->h.in_last;
	for (size_t done = 0; done < len;) {
		ssize_t k = pwrite(fd, data + done, len - done,
				   (off_t)((base + i) * SP_SECTOR + done));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			c->saved_errno = k < 0 ? errno : EIO;
			c->what = "write the repaired sector to";
			return -1;
		}
		done += (size_t)k;
	}
	if (fd == r->fd_img && c->sum->written_ranges) {
		pthread_mutex_lock(&c->lock);
		ecc_summary_add_written(c->sum, base + i, 1);
		pthread_mutex_unlock(&c->lock);
	}
	return 0;
}

/* One block as the shared decoder sees it. */
struct block {
	const struct check *c;
	uint64_t i;
	const uint32_t *crc;      /* its sectors' CRCs, NULL if lost */
};

/* Do the recovered sectors of a block match their CRCs (and a recovered
 * CRC block its selfCRC)? */
static bool decoded_ok(void *ctx, const uint8_t erased[ECC_LAYERS], uint8_t *const layers[ECC_LAYERS])
{
	const struct block *b = ctx;
	const struct check *c = b->c;
	struct ecc_crcblock tmp;

	for (int j = 0; j < c->nimg; j++)
		if (erased[j] && (!b->crc || ecc_crc32(layers[j], SP_SECTOR) != b->crc[j]))
			return false;
	return !erased[c->nimg] ||
	       (ecc_crcblock_parse(layers[c->nimg], &tmp) && crc_header_matches(c->r, &tmp));
}

static int layer_kind(void *ctx, int j)
{
	const struct block *b = ctx;

	if (j < b->c->nimg && rs03_virtual(b->c->r, (uint64_t)j * b->c->r->L + b->i))
		return ECC_LAYER_VIRTUAL;
	return image_sector(b->c, j, b->i) != UINT64_MAX ? ECC_LAYER_IMAGE : ECC_LAYER_ECC;
}

/*
 * One ecc block: layers[] hold its 255 sectors as read, missing[] says
 * which were not there.  Finds the erasures, decodes, checks, and in
 * repair mode writes.  *crc_out, if not NULL, gets the CRC block as
 * recovered (or read).  Returns 0, or -1 on a write error.
 */
static int do_block(struct check *c, int worker, uint64_t i, uint8_t *const layers[ECC_LAYERS],
		    const uint8_t missing[ECC_LAYERS], bool write, struct ecc_crcblock *crc_out,
		    bool *crc_ok)
{
	struct rs03 *r = c->r;
	struct worker *w = &c->w[worker];
	uint64_t prev = (i + r->L - 1) % r->L;
	const uint32_t *crc = c->crc_known[prev] ? c->crcs + prev * (uint64_t)c->nimg : NULL;
	struct block blk = { c, i, crc };
	struct ecc_block_ops ops = { decoded_ok, layer_kind, &blk };
	uint8_t erased[ECC_LAYERS] = { 0 };
	int s = 0;
	bool good = true;
	struct ecc_tally t = { 0 };

	for (int j = 0; j < ECC_LAYERS; j++) {
		bool bad;
		if (j < c->nimg && rs03_virtual(r, (uint64_t)j * r->L + i))
			continue;
		if (j == c->nimg)
			bad = missing[j] || !c->crc_stored_ok[i];
		else
			bad = missing[j] || ecc_is_dead_marker(layers[j]) ||
			      (j < c->nimg && crc && ecc_crc32(layers[j], SP_SECTOR) != crc[j]);
		if (!bad)
			continue;
		erased[j] = 1;
		s++;
		if (image_sector(c, j, i) != UINT64_MAX)
			t.damaged++;
		else
			t.damaged_ecc++;
	}
	if (crc_ok)
		*crc_ok = false;
	if (s == 0) {
		if (crc_out)
			*crc_ok = ecc_crcblock_parse(layers[c->nimg], crc_out);
		goto out;
	}
	if (ecc_block_decode_checked(&w->b, r->roots, layers, erased, s, &ops, &t, &good) != 0) {
		c->saved_errno = ENOMEM;
		c->what = "plan the decoding of";
		return -1;
	}
	if (crc_out && (good || !erased[c->nimg]))
		*crc_ok = ecc_crcblock_parse(layers[c->nimg], crc_out) && crc_header_matches(r, crc_out);
	if (!good) {
		for (int j = 0; j < c->nimg; j++) {
			uint64_t n = image_sector(c, j, i);
			if (erased[j] && n != UINT64_MAX) {
				t.unrepairable++;
				ecc_block_list(&w->b, &c->lock, c->sum, n);
			}
		}
		goto out;
	}
	for (int j = 0; j < ECC_LAYERS; j++) {
		if (!erased[j])
			continue;
		if (write && write_sector(c, j, i, layers[j]) != 0)
			return -1;
		if (image_sector(c, j, i) != UINT64_MAX) {
			t.repaired++;
			if (!crc_out && c->sum->repaired_ranges) {
				/* the main pass: where, for a report */
				pthread_mutex_lock(&c->lock);
				ecc_summary_add_repaired(c->sum, image_sector(c, j, i));
				pthread_mutex_unlock(&c->lock);
			}
		} else
			t.repaired_ecc++;
	}
out:
	ecc_tally_add(&w->b.t, &t);
	return 0;
}

/* Read sectors i0 .. i0+cnt-1 of all 255 layers into the worker's slots. */
static int read_run(struct check *c, int worker, uint64_t i0, uint64_t cnt)
{
	struct worker *w = &c->w[worker];

	for (int j = 0; j < ECC_LAYERS; j++)
		if (rs03_read(c->r, j, i0, cnt, slot(c, worker, j, 0),
			      w->missing + (size_t)j * RUN_BLOCKS) != 0) {
			c->saved_errno = errno;
			c->what = "read";
			return -1;
		}
	return 0;
}

static void block_view(struct check *c, int worker, uint64_t b, uint8_t *layers[ECC_LAYERS],
		       uint8_t missing[ECC_LAYERS])
{
	for (int j = 0; j < ECC_LAYERS; j++) {
		layers[j] = slot(c, worker, j, b);
		missing[j] = c->w[worker].missing[(size_t)j * RUN_BLOCKS + b];
	}
}

static int check_run(void *arg, uint64_t item, int worker)
{
	struct check *c = arg;
	uint64_t i0 = item * RUN_BLOCKS, cnt = c->r->L - i0;
	uint8_t *layers[ECC_LAYERS], missing[ECC_LAYERS];

	if (cnt > RUN_BLOCKS)
		cnt = RUN_BLOCKS;
	if (read_run(c, worker, i0, cnt) != 0)
		return -1;
	for (uint64_t b = 0; b < cnt; b++) {
		block_view(c, worker, b, layers, missing);
		if (do_block(c, worker, i0 + b, layers, missing, c->mode == IMG_ECC_REPAIR,
			     NULL, NULL) != 0)
			return -1;
	}
	return 0;
}

/* Pass 1: the CRC layer as stored. */
static int load_crc_layer(struct check *c)
{
	struct rs03 *r = c->r;
	struct ecc_crcblock cb;
	uint8_t missing[RUN_BLOCKS];

	for (uint64_t i0 = 0; i0 < r->L; i0 += RUN_BLOCKS) {
		uint64_t cnt = r->L - i0 < RUN_BLOCKS ? r->L - i0 : RUN_BLOCKS;
		if (rs03_read(r, c->nimg, i0, cnt, c->w[0].buf, missing) != 0) {
			c->saved_errno = errno;
			c->what = "read";
			return -1;
		}
		for (uint64_t b = 0; b < cnt; b++) {
			uint64_t i = i0 + b;
			if (!missing[b] && ecc_crcblock_parse(c->w[0].buf + b * SP_SECTOR, &cb) &&
			    crc_header_matches(r, &cb)) {
				c->crc_stored_ok[i] = c->crc_known[i] = 1;
				memcpy(c->crcs + i * c->nimg, cb.crc, (size_t)c->nimg * 4);
			}
		}
	}
	return 0;
}

/* Pass 2: recover damaged CRC blocks from their own ecc blocks, in order
 * (twice, so that the wrap from the last block to the first is covered). */
static int recover_crc_blocks(struct check *c)
{
	struct rs03 *r = c->r;
	uint8_t *layers[ECC_LAYERS], missing[ECC_LAYERS];
	struct ecc_crcblock cb;
	struct ecc_tally saved = c->w[0].b.t;
	int saved_listed = c->w[0].b.nlisted;

	for (int round = 0; round < 2; round++) {
		for (uint64_t i = 0; i < r->L; i++) {
			bool ok;
			if (c->crc_known[i])
				continue;
			for (int j = 0; j < ECC_LAYERS; j++) {
				layers[j] = slot(c, 0, j, 0);
				if (rs03_read(r, j, i, 1, layers[j], &missing[j]) != 0) {
					c->saved_errno = errno;
					c->what = "read";
					return -1;
				}
			}
			if (do_block(c, 0, i, layers, missing, false, &cb, &ok) != 0)
				return -1;
			if (ok) {
				c->crc_known[i] = 1;
				memcpy(c->crcs + i * c->nimg, cb.crc, (size_t)c->nimg * 4);
			}
		}
	}
	/* only the main pass counts */
	c->w[0].b.t = saved;
	c->w[0].b.nlisted = saved_listed;
	return 0;
}

static enum sp_status check_fingerprint(struct check *c, struct sp_error *err)
{
	struct rs03 *r = c->r;
	uint8_t fp[16], buf[SP_SECTOR];
	uint8_t missing = 0;
	uint64_t fps = (uint64_t)r->h.fp_sector;

	if (r->h.sectors <= fps || fps >= (uint64_t)c->nimg * r->L)
		return SP_OK;
	if (rs03_read(r, (int)(fps / r->L), fps % r->L, 1, buf, &missing) != 0)
		return sp_error_set_errno(err, errno, "cannot read the image");
	if (missing || ecc_is_dead_marker(buf))
		return SP_OK;
	if (rs03_fingerprint(r->fd_img, r->img_bytes, r->h.fp_sector, fp) != 0)
		return sp_error_set_errno(err, errno, "cannot read the image");
	if (memcmp(fp, r->h.medium_fp, 16) != 0) {
		sp_error_set(err, SPE_FORMAT,
			     "the error-correction data belongs to another image (the fingerprint of sector %d differs)",
			     r->h.fp_sector);
		sp_error_hint(err, "give the .ecc file that was made for this image");
		return SP_FAILED;
	}
	return SP_OK;
}

enum sp_status rs03_check(struct rs03 *r, enum img_ecc_mode mode, const struct img_ecc_opts *o,
			  struct img_ecc_summary *sum, struct sp_error *err)
{
	struct check c = { .r = r, .mode = mode, .nimg = r->ndata - 1, .sum = sum };
	int threads = o->threads > 0 ? o->threads : ecc_default_threads();
	uint64_t items = (r->L + RUN_BLOCKS - 1) / RUN_BLOCKS;
	enum sp_status st = SP_FAILED;
	int rc;

	if (threads > 16)
		threads = 16;
	if ((uint64_t)threads > items)
		threads = (int)items;
	pthread_mutex_init(&c.lock, NULL);
	c.crcs = malloc(r->L * (uint64_t)c.nimg * 4);
	c.crc_known = calloc(r->L, 1);
	c.crc_stored_ok = calloc(r->L, 1);
	if (!c.crcs || !c.crc_known || !c.crc_stored_ok) {
		sp_error_set(err, SPE_NOMEM, "out of memory for the CRC layer");
		goto out;
	}
	for (int t = 0; t < threads; t++) {
		c.w[t].buf = malloc((size_t)ECC_LAYERS * RUN_BLOCKS * SP_SECTOR);
		c.w[t].missing = malloc((size_t)ECC_LAYERS * RUN_BLOCKS);
		if (!c.w[t].buf || !c.w[t].missing) {
			sp_error_set(err, SPE_NOMEM, "out of memory for the decoder buffers");
			goto out;
		}
	}
	if (check_fingerprint(&c, err) != SP_OK)
		goto out;
	rc = load_crc_layer(&c);
	if (rc == 0)
		rc = recover_crc_blocks(&c);
	if (rc == 0)
		rc = ecc_pool_run(threads, items, check_run, &c);
	for (int t = 0; t < threads; t++)
		ecc_block_finish(&c.w[t].b, sum);
	if (rc != 0) {
		sp_error_set_errno(err, c.saved_errno, "cannot %s the image or its error-correction data",
				   c.what ? c.what : "process");
		goto out;
	}
	if (mode == IMG_ECC_REPAIR && (fsync(r->fd_img) != 0 || fsync(r->fd_ecc) != 0)) {
		sp_error_set_errno(err, errno, "cannot write the repaired image");
		goto out;
	}
	st = sum->unrepairable ? SP_WARN : SP_OK;
out:
	for (int t = 0; t < 16; t++) {
		free(c.w[t].buf);
		free(c.w[t].missing);
		ecc_plan_release(&c.w[t].b.plan);
	}
	free(c.crcs);
	free(c.crc_known);
	free(c.crc_stored_ok);
	pthread_mutex_destroy(&c.lock);
	return st;
}
