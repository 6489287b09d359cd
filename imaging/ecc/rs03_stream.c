/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rs03_stream.c - an RS03-augmented image written as a stream, in disc
 * order, without touching the image or writing any other file: what
 * spindle burn --protect feeds the drive.
 *
 * The order on the disc is the image, the header, padding sectors (the
 * data layers), then the CRC layer and the roots ecc layers, each a whole
 * layer of L sectors.  Ecc layer r at sector i depends on sector i of
 * every data layer, i.e. on the whole image, and a layer must be complete
 * before the next one starts.  Keeping every ecc layer until the end would
 * take the whole parity in memory (170 layers of 2.9 MB for a CD, of
 * 18 MB for a DVD), so the ecc layers are made in groups: each group is a
 * pass over the data layers that encodes only its rows of the generator
 * (the encoding is linear: a subset of rows is a subset of the parity),
 * kept in memory (at most STREAM_BUDGET bytes) and written out in order.
 * The arithmetic is the same as one pass; the image is read once per
 * group (from the page cache, mostly), and the CRC blocks, which every
 * group needs as a data layer, are recomputed in each pass.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imaging/ecc/ecc_private.h"

#define RUN_BLOCKS 32
#define STREAM_BUDGET (192ULL << 20)
#define COPY_BYTES (1 << 20)

struct stream {
	struct rs03 *r;
	struct ecc_plan full, part;     /* part: rows r0 .. r0+g-1 of full */
	int r0, g;
	uint8_t hdr[ECC_HEADER_BYTES];
	uint8_t *group;                 /* g ecc layers of L sectors */
	uint8_t *crc;                   /* the CRC layer, first pass only */
	uint8_t *buf[ECC_MAX_WORKERS];
	int saved_errno;
	const char *what;
};

static int write_all(int fd, const uint8_t *b, size_t len)
{
	while (len) {
		ssize_t n = write(fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sectors i0 .. i0+cnt-1 of data layer j as the augmented image has them:
 * the image, its header (two sectors), then padding sectors. */
static int read_data(struct stream *c, int j, uint64_t i0, uint64_t cnt, uint8_t *buf)
{
	struct rs03 *r = c->r;
	uint64_t n0 = (uint64_t)j * r->L + i0, k = 0;

	if (n0 < r->h.sectors) {
		k = r->h.sectors - n0 < cnt ? r->h.sectors - n0 : cnt;
		if (ecc_read_at(r->fd_img, buf, k * SP_SECTOR, n0 * SP_SECTOR) != 0)
			return -1;
	}
	for (; k < cnt; k++) {
		uint64_t n = n0 + k;
		if (n < r->h.sectors + 2)
			memcpy(buf + k * SP_SECTOR, c->hdr + (n - r->h.sectors) * SP_SECTOR, SP_SECTOR);
		else
			rs03_padding(r, n, buf + k * SP_SECTOR);
	}
	return 0;
}

static uint8_t *lay(struct stream *c, int worker, int j)
{
	return c->buf[worker] + (size_t)j * (RUN_BLOCKS + 1) * SP_SECTOR;
}

/* One run of blocks: the data layers, their CRC blocks, this group's rows. */
static int stream_run(void *arg, uint64_t item, int worker)
{
	struct stream *c = arg;
	struct rs03 *r = c->r;
	uint64_t i0 = item * RUN_BLOCKS, cnt = r->L - i0 < RUN_BLOCKS ? r->L - i0 : RUN_BLOCKS;
	int nimg = r->ndata - 1;
	uint8_t *layers[ECC_LAYERS];
	struct ecc_crcblock cb;

	for (int j = 0; j < nimg; j++) {
		uint8_t *b = lay(c, worker, j);
		int rc = i0 + cnt < r->L ? read_data(c, j, i0, cnt + 1, b)
					 : read_data(c, j, i0, cnt, b);
		if (rc == 0 && i0 + cnt == r->L)
			rc = read_data(c, j, 0, 1, b + cnt * SP_SECTOR);
		if (rc != 0) {
			c->saved_errno = errno ? errno : EIO;
			c->what = "read the image";
			return -1;
		}
	}
	rs03_crcblock_init(r, &cb);
	for (uint64_t b = 0; b < cnt; b++) {
		uint8_t *out = c->crc ? c->crc + (i0 + b) * SP_SECTOR : lay(c, worker, nimg) + b * SP_SECTOR;
		for (int j = 0; j < nimg; j++)
			cb.crc[j] = ecc_crc32(lay(c, worker, j) + (b + 1) * SP_SECTOR, SP_SECTOR);
		ecc_crcblock_write(&cb, out);
		if (c->crc)
			memcpy(lay(c, worker, nimg) + b * SP_SECTOR, out, SP_SECTOR);
	}
	for (uint64_t b = 0; b < cnt; b++) {
		for (int j = 0; j < r->ndata; j++)
			layers[j] = lay(c, worker, j) + b * SP_SECTOR;
		for (int k = 0; k < c->g; k++)
			layers[c->part.dst[k]] = c->group + ((uint64_t)k * r->L + i0 + b) * SP_SECTOR;
		ecc_plan_run(&c->part, SP_SECTOR, layers);
	}
	return 0;
}

/* The image, its header and the padding: the data layers, in order. */
static int write_data_layers(struct stream *c, int fd)
{
	struct rs03 *r = c->r;
	uint64_t end = (uint64_t)(r->ndata - 1) * r->L;
	uint8_t *b = c->buf[0];

	for (uint64_t n = 0; n < end;) {
		uint64_t cnt = end - n < COPY_BYTES / SP_SECTOR ? end - n : COPY_BYTES / SP_SECTOR;
		uint64_t j = n / r->L, i = n % r->L;

		if (cnt > r->L - i)
			cnt = r->L - i;
		if (read_data(c, (int)j, i, cnt, b) != 0) {
			c->saved_errno = errno ? errno : EIO;
			c->what = "read the image";
			return -1;
		}
		if (write_all(fd, b, cnt * SP_SECTOR) != 0) {
			c->saved_errno = errno;
			c->what = "write the augmented image";
			return -1;
		}
		n += cnt;
	}
	return 0;
}

/* Pass after pass: each group of ecc layers (the first with the CRC layer). */
static int write_ecc_layers(struct stream *c, int fd, int threads)
{
	struct rs03 *r = c->r;
	uint64_t items = (r->L + RUN_BLOCKS - 1) / RUN_BLOCKS;
	size_t layer = (size_t)r->L * SP_SECTOR;
	int per = (int)(STREAM_BUDGET / layer);

	if (per < 1)
		per = 1;
	for (c->r0 = 0; c->r0 < r->roots; c->r0 += c->g) {
		c->g = r->roots - c->r0 < per ? r->roots - c->r0 : per;
		c->part = c->full;
		c->part.ndst = c->g;
		c->part.tables = c->full.tables + (size_t)c->r0 * c->full.nsrc * 32;
		c->part.coef = c->full.coef + (size_t)c->r0 * c->full.nsrc;
		memmove(c->part.dst, c->full.dst + c->r0, (size_t)c->g);
		if (ecc_pool_run(threads, items, stream_run, c) != 0)
			return -1;
		if ((c->crc && write_all(fd, c->crc, layer) != 0) ||
		    write_all(fd, c->group, (size_t)c->g * layer) != 0) {
			c->saved_errno = errno;
			c->what = "write the augmented image";
			return -1;
		}
		free(c->crc);
		c->crc = NULL;
	}
	return 0;
}

enum sp_status img_ecc_augment_stream(const char *image, int out_fd, const struct img_ecc_opts *o,
				      struct img_ecc_summary *sum, struct sp_error *err)
{
	struct rs03 r = { .fd_img = -1, .fd_ecc = -1, .augmented = true };
	struct stream c = { .r = &r, .full = ECC_PLAN_INIT };
	enum sp_status st = SP_FAILED;
	double t0 = sp_now();
	size_t layer;
	int threads, per;

	r.fd_img = open(image, O_RDONLY);
	if (r.fd_img < 0)
		return sp_error_set_errno(err, errno, "cannot open '%s'", image);
	if (rs03_setup(&r, image, o, err) != SP_OK)
		goto out;
	if (img_ecc_is_augmented(image)) {
		sp_error_set(err, SPE_USAGE, "'%s' already carries error-correction data", image);
		goto out;
	}
	ecc_header_write(&r.h, c.hdr);
	layer = (size_t)r.L * SP_SECTOR;
	per = (int)(STREAM_BUDGET / layer);
	per = per < 1 ? 1 : per > r.roots ? r.roots : per;
	c.group = malloc((size_t)per * layer);
	c.crc = malloc(layer);
	threads = ecc_workers_alloc(c.buf, o->threads, (r.L + RUN_BLOCKS - 1) / RUN_BLOCKS,
				    (size_t)ECC_LAYERS * (RUN_BLOCKS + 1) * SP_SECTOR);
	if (!c.group || !c.crc || threads < 0 || ecc_plan_encoder(&c.full, r.roots) != 0) {
		sp_error_set(err, SPE_NOMEM, "out of memory for the encoder");
		goto out;
	}
	if (write_data_layers(&c, out_fd) != 0 || write_ecc_layers(&c, out_fd, threads) != 0) {
		sp_error_set_errno(err, c.saved_errno, "cannot %s of '%s'", c.what, image);
		goto out;
	}
	memcpy(sum->method, "RS03", 5);
	sum->augmented = true;
	sum->roots = r.roots;
	sum->sectors = r.h.sectors;
	sum->layer_sectors = r.L;
	sum->ecc_sectors = (uint64_t)ECC_LAYERS * r.L - r.h.sectors;
	sum->seconds = sp_now() - t0;
	st = SP_OK;
out:
	for (int t = 0; t < ECC_MAX_WORKERS; t++)
		free(c.buf[t]);
	free(c.group);
	free(c.crc);
	ecc_plan_release(&c.full);
	close(r.fd_img);
	return st;
}
