/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rs03_create.c - write RS03 error-correction data: a .ecc file, or the
 * layers appended to the image (augmented).
 *
 * Ecc block i is sector i of every layer.  Work items are runs of B
 * consecutive blocks: a worker reads sectors i0 .. i0+B of each data layer
 * (one more than the run: CRC block i holds the CRCs of sector i+1 of the
 * data layers, wrapping to sector 0 after the last), builds the CRC blocks,
 * encodes each block with ISA-L (2048 bytes per layer, so that the
 * 255 layers of one block stay in the cache) and writes the CRC and ecc
 * sectors in place.  Items are independent, so any number of threads run
 * them in any order.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imaging/ecc/ecc_private.h"

#define RUN_BLOCKS 32

struct create {
	struct rs03 *r;
	struct ecc_plan plan;
	uint8_t *buf[ECC_MAX_WORKERS];
	int saved_errno;
	const char *what;
};

static uint8_t *lay(struct create *c, int worker, int j)
{
	return c->buf[worker] + (size_t)j * (RUN_BLOCKS + 1) * SP_SECTOR;
}

static int create_run(void *arg, uint64_t item, int worker)
{
	struct create *c = arg;
	struct rs03 *r = c->r;
	uint64_t i0 = item * RUN_BLOCKS, cnt = r->L - i0;
	uint8_t *layers[ECC_LAYERS];
	struct ecc_crcblock cb;
	int nimg = r->ndata - 1;

	if (cnt > RUN_BLOCKS)
		cnt = RUN_BLOCKS;
	for (int j = 0; j < nimg; j++) {
		uint8_t *b = lay(c, worker, j);
		int rc;
		if (i0 + cnt < r->L)
			rc = rs03_read(r, j, i0, cnt + 1, b, NULL);
		else if ((rc = rs03_read(r, j, i0, cnt, b, NULL)) == 0)
			rc = rs03_read(r, j, 0, 1, b + cnt * SP_SECTOR, NULL);
		if (rc != 0) {
			c->saved_errno = errno;
			c->what = "read the image";
			return -1;
		}
	}
	rs03_crcblock_init(r, &cb);
	for (uint64_t b = 0; b < cnt; b++) {
		for (int j = 0; j < nimg; j++)
			cb.crc[j] = ecc_crc32(lay(c, worker, j) + (b + 1) * SP_SECTOR, SP_SECTOR);
		ecc_crcblock_write(&cb, lay(c, worker, nimg) + b * SP_SECTOR);
	}
	for (uint64_t b = 0; b < cnt; b++) {
		for (int j = 0; j < ECC_LAYERS; j++)
			layers[j] = lay(c, worker, j) + b * SP_SECTOR;
		ecc_plan_run(&c->plan, SP_SECTOR, layers);
	}
	for (int j = nimg; j < ECC_LAYERS; j++) {
		uint64_t base, fsize;
		int fd;
		size_t len = (size_t)cnt * SP_SECTOR, done = 0;
		uint8_t *b = lay(c, worker, j);

		rs03_where(r, j, &fd, &base, &fsize);
		while (done < len) {
			ssize_t n = pwrite(fd, b + done, len - done,
					   (off_t)((base + i0) * SP_SECTOR + done));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				c->saved_errno = n < 0 ? errno : EIO;
				c->what = "write the error-correction data";
				return -1;
			}
			done += (size_t)n;
		}
	}
	return 0;
}

/* Encode all blocks of r, whose files are open and sized. */
static enum sp_status encode_all(struct rs03 *r, const struct img_ecc_opts *o, const char *path,
				 struct sp_error *err)
{
	struct create c = { .r = r, .plan = ECC_PLAN_INIT };
	uint64_t items = (r->L + RUN_BLOCKS - 1) / RUN_BLOCKS;
	enum sp_status st = SP_OK;
	int threads;

	if (ecc_plan_encoder(&c.plan, r->roots) != 0)
		return sp_error_set(err, SPE_NOMEM, "out of memory for the encoder");
	threads = ecc_workers_alloc(c.buf, o->threads, items,
				    (size_t)ECC_LAYERS * (RUN_BLOCKS + 1) * SP_SECTOR);
	if (threads < 0)
		st = sp_error_set(err, SPE_NOMEM, "out of memory for the encoder buffers");
	else if (ecc_pool_run(threads, items, create_run, &c) != 0)
		st = sp_error_set_errno(err, c.saved_errno, "cannot %s for '%s'", c.what, path);
	for (int t = 0; t < ECC_MAX_WORKERS; t++)
		free(c.buf[t]);
	ecc_plan_release(&c.plan);
	return st;
}

static const struct { const char *name; uint64_t sectors; } media[] = {
	{ "cd", 359424 }, { "dvd", 2295104 }, { "dvd9", 4171712 },
	{ "bd", 11826176 }, { "bd2", 23652352 }, { "bdxl", 48770304 },
};

uint64_t img_ecc_medium_sectors(const char *name)
{
	for (size_t i = 0; i < sizeof(media) / sizeof(media[0]); i++)
		if (strcmp(media[i].name, name) == 0)
			return media[i].sectors;
	return 0;
}

uint64_t ecc_medium_nth(int nth)
{
	return nth >= 0 && (size_t)nth < sizeof(media) / sizeof(media[0]) ? media[nth].sectors : 0;
}

/* Layers of an augmented image of `sectors` on a medium of `medium`. */
static int augmented_roots(uint64_t sectors, uint64_t medium, uint64_t *layer)
{
	uint64_t L = medium / ECC_LAYERS, nimg;

	if (L == 0)
		return -1;
	nimg = (sectors + 2 + L - 1) / L;
	if (nimg < ECC_LAYERS - ECC_MAX_ROOTS_RS03 - 1)
		nimg = ECC_LAYERS - ECC_MAX_ROOTS_RS03 - 1;
	*layer = L;
	return nimg + 1 + ECC_MIN_ROOTS > ECC_LAYERS ? -1 : (int)(ECC_LAYERS - 1 - nimg);
}

static enum sp_status write_augment_head(struct rs03 *r, const char *image, struct sp_error *err)
{
	uint8_t hdr[ECC_HEADER_BYTES], pad[SP_SECTOR];
	uint64_t end = (uint64_t)(r->ndata - 1) * r->L;

	ecc_header_write(&r->h, hdr);
	if (sp_pwrite_all(r->fd_img, hdr, sizeof(hdr), r->h.sectors * SP_SECTOR, image, err) != SP_OK)
		return SP_FAILED;
	for (uint64_t n = r->h.sectors + 2; n < end; n++) {
		rs03_padding(r, n, pad);
		if (sp_pwrite_all(r->fd_img, pad, SP_SECTOR, n * SP_SECTOR, image, err) != SP_OK)
			return SP_FAILED;
	}
	if (ftruncate(r->fd_img, (off_t)((uint64_t)ECC_LAYERS * r->L * SP_SECTOR)) != 0)
		return sp_error_set_errno(err, errno, "cannot extend '%s'", image);
	r->img_bytes = (uint64_t)ECC_LAYERS * r->L * SP_SECTOR;
	return SP_OK;
}

enum sp_status rs03_setup(struct rs03 *r, const char *image, const struct img_ecc_opts *o,
			  struct sp_error *err)
{
	struct stat stb;

	if (fstat(r->fd_img, &stb) != 0 || !S_ISREG(stb.st_mode))
		return sp_error_set(err, SPE_USAGE, "'%s' is not a regular file", image);
	if (stb.st_size == 0)
		return sp_error_set(err, SPE_USAGE, "'%s' is empty: nothing to protect", image);
	r->img_bytes = (uint64_t)stb.st_size;
	memcpy(r->h.method, "RS03", 5);
	r->h.sectors = sp_bytes_to_sectors(r->img_bytes);
	r->h.in_last = (int32_t)(r->img_bytes - (r->h.sectors - 1) * SP_SECTOR);
	r->h.creator = ECC_VERSION;
	r->h.needed = ECC_RS03_NEEDED;
	r->h.fp_sector = 16;
	if (rs03_fingerprint(r->fd_img, r->img_bytes, 16, r->h.medium_fp) != 0)
		return sp_error_set_errno(err, errno, "cannot read '%s'", image);
	if (r->augmented) {
		uint64_t medium = o->medium_sectors;
		if (r->h.in_last != SP_SECTOR)
			return sp_error_set(err, SPE_USAGE,
					    "'%s' is not a whole number of 2048-byte sectors; only such images can be augmented",
					    image);
		if (!medium) {
			for (size_t i = 0; i < sizeof(media) / sizeof(media[0]) && !medium; i++)
				if (augmented_roots(r->h.sectors, media[i].sectors, &r->L) >= ECC_MIN_ROOTS)
					medium = media[i].sectors;
		}
		r->roots = medium ? augmented_roots(r->h.sectors, medium, &r->L) : -1;
		if (r->roots < ECC_MIN_ROOTS) {
			sp_error_set(err, SPE_TOOBIG,
				     "'%s' leaves no room for error-correction data on the medium (at least 8 roots)",
				     image);
			sp_error_hint(err, "choose a larger --medium, or write a separate file with -o FILE.ecc");
			return SP_FAILED;
		}
		r->fd_ecc = r->fd_img;
	} else {
		r->roots = o->roots ? o->roots : 32;
		r->L = (r->h.sectors + (uint64_t)(ECC_LAYERS - r->roots - 1) - 1) /
		       (uint64_t)(ECC_LAYERS - r->roots - 1);
		r->h.flags[0] = 2;     /* ecc file; the MD5 of the image is not kept */
	}
	r->ndata = ECC_LAYERS - r->roots;
	r->h.data_bytes = r->ndata;
	r->h.ecc_bytes = r->roots;
	r->h.sectors_per_layer = r->L;
	return SP_OK;
}

enum sp_status rs03_create(const char *image, const char *ecc_path,
			   const struct img_ecc_opts *o, struct img_ecc_summary *sum,
			   struct sp_error *err)
{
	struct rs03 r = { .fd_img = -1, .fd_ecc = -1 };
	char tmp[4096];
	uint8_t hdr[ECC_HEADER_BYTES];
	uint64_t size = 0;
	enum sp_status st = SP_FAILED;
	double t0 = sp_now();
	bool tmp_made = false;

	r.augmented = o->augment;
	r.fd_img = open(image, r.augmented ? O_RDWR : O_RDONLY);
	if (r.fd_img < 0)
		return sp_error_set_errno(err, errno, "cannot open '%s'", image);
	if (rs03_setup(&r, image, o, err) != SP_OK)
		goto out;
	size = r.img_bytes;
	if (r.augmented) {
		if (write_augment_head(&r, image, err) != SP_OK)
			goto out;
	} else {
		if (snprintf(tmp, sizeof(tmp), "%s.tmp", ecc_path) >= (int)sizeof(tmp)) {
			sp_error_set(err, SPE_USAGE, "output name too long");
			goto out;
		}
		r.fd_ecc = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (r.fd_ecc < 0) {
			sp_error_set_errno(err, errno, "cannot create '%s'", tmp);
			goto out;
		}
		tmp_made = true;
		r.ecc_bytes = (2 + (uint64_t)(r.roots + 1) * r.L) * SP_SECTOR;
		if (posix_fallocate(r.fd_ecc, 0, (off_t)r.ecc_bytes) != 0 &&
		    ftruncate(r.fd_ecc, (off_t)r.ecc_bytes) != 0) {
			sp_error_set_errno(err, errno, "cannot size '%s'", tmp);
			goto out;
		}
	}
	if (encode_all(&r, o, r.augmented ? image : ecc_path, err) != SP_OK)
		goto out;
	if (!r.augmented) {
		ecc_header_write(&r.h, hdr);
		memset(hdr + SP_SECTOR, 0, SP_SECTOR);
		if (sp_pwrite_all(r.fd_ecc, hdr, sizeof(hdr), 0, ecc_path, err) != SP_OK)
			goto out;
	}
	if (fsync(r.augmented ? r.fd_img : r.fd_ecc) != 0) {
		sp_error_set_errno(err, errno, "cannot write '%s'", r.augmented ? image : ecc_path);
		goto out;
	}
	if (!r.augmented) {
		if (rename(tmp, ecc_path) != 0) {
			sp_error_set_errno(err, errno, "cannot rename '%s' to '%s'", tmp, ecc_path);
			goto out;
		}
		tmp_made = false;
	}
	memcpy(sum->method, "RS03", 5);
	sum->augmented = r.augmented;
	sum->roots = r.roots;
	sum->sectors = r.h.sectors;
	sum->layer_sectors = r.L;
	sum->ecc_sectors = r.augmented ? (uint64_t)ECC_LAYERS * r.L - r.h.sectors
				       : 2 + (uint64_t)(r.roots + 1) * r.L;
	sum->seconds = sp_now() - t0;
	st = SP_OK;
out:
	if (st != SP_OK && r.augmented && size && r.img_bytes != size &&
	    ftruncate(r.fd_img, (off_t)size) != 0)
		sp_error_detail(err, "and the image could not be cut back to its size");
	if (tmp_made)
		unlink(tmp);
	if (r.fd_ecc >= 0 && r.fd_ecc != r.fd_img)
		close(r.fd_ecc);
	if (r.fd_img >= 0)
		close(r.fd_img);
	return st;
}
