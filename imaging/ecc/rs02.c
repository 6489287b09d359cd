/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rs02.c - dvdisaster's RS02 augmented images: the layout, where each
 * sector of the 255 layers lives, finding the header, and writing the
 * error-correction data.
 *
 * The image is followed by its header (2 sectors) and one CRC32 per image
 * sector; these "protected sectors" are cut into ndata = 255 - roots data
 * layers of spl sectors (past the end: zeros; the first header counts as
 * zeros too, since it holds the MD5 of the parity).  Ecc block i is
 * sector i of every layer, bytewise, as in RS03.  The roots ecc layers
 * follow the protected sectors one after the other, with a 2-sector copy
 * of the header at every multiple of `modulo` (a power of two, so that a
 * reader finds one without knowing the layout).  The CRCs are stored
 * block by block, starting after block (data + 2) mod spl, so that
 * repairing block i recovers the CRCs that check block i + 1; the header
 * keeps (from byte 2048) the CRCs of that first block.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "imaging/ecc/ecc_private.h"

#define RUN_BLOCKS 32

static void calc_headers(struct rs02 *r)
{
	int64_t inter;

	r->first_repeat = (r->prot + r->modulo - 1) / r->modulo * r->modulo;
	inter = (int64_t)(r->rs_sectors + r->prot) - (int64_t)r->first_repeat;
	r->headers = (uint64_t)(inter / (int64_t)(r->modulo - 2) + 1);
	r->added = 2 + r->crc_sectors + r->rs_sectors + 2 * r->headers;
}

static void base_layout(struct rs02 *r, uint64_t sectors)
{
	r->data = sectors;
	r->crc_sectors = (4 * sectors + SP_SECTOR - 1) / SP_SECTOR;
	r->prot = sectors + 2 + r->crc_sectors;
}

static void roots_layout(struct rs02 *r, int roots)
{
	r->roots = roots;
	r->ndata = ECC_LAYERS - roots;
	r->spl = (r->prot + (uint64_t)r->ndata - 1) / (uint64_t)r->ndata;
	r->rs_sectors = (uint64_t)roots * r->spl;
}

void rs02_layout_from_header(struct rs02 *r)
{
	base_layout(r, r->h.sectors);
	roots_layout(r, r->h.ecc_bytes);
	r->modulo = 32;
	while (r->rs_sectors / r->modulo > 40)
		r->modulo <<= 1;
	calc_headers(r);
	/* the layout calculation at creation may have chosen the next
	 * modulo; the header's sector count says which */
	if (r->h.sectors_added && r->added != r->h.sectors_added) {
		struct rs02 t = *r;
		t.modulo <<= 1;
		calc_headers(&t);
		if (t.added == r->h.sectors_added)
			*r = t;
	}
}

/* The layout for a new image: `roots` if given, else the most that fit
 * on `medium` sectors (the smallest medium that holds the image if 0). */
static int create_layout(struct rs02 *r, uint64_t sectors, int roots, uint64_t medium)
{
	int64_t n;

	base_layout(r, sectors);
	for (int k = 0; !medium && ecc_medium_nth(k); k++)
		if (sectors < ecc_medium_nth(k) || !ecc_medium_nth(k + 1))
			medium = ecc_medium_nth(k);
	if (roots)
		n = roots;
	else
		n = (int64_t)ECC_LAYERS * ((int64_t)medium - (int64_t)r->prot) / (int64_t)medium;
	if (n > ECC_MAX_ROOTS_RS03)
		n = ECC_MAX_ROOTS_RS03;
	if (n < 0)
		n = 0;
	r->modulo = 32;
	roots_layout(r, (int)n);
	while (r->rs_sectors / r->modulo > 40)
		r->modulo <<= 1;
	while (n >= ECC_MIN_ROOTS) {
		roots_layout(r, (int)n);
		calc_headers(r);
		if (roots || r->added + r->data <= medium)
			break;
		n--;
	}
	r->roots = (int)n;
	return (int)n;
}

uint64_t rs02_sector(const struct rs02 *r, int j, uint64_t i)
{
	uint64_t idx, base;

	if (j < r->ndata) {
		uint64_t s = (uint64_t)j * r->spl + i;
		return s >= r->prot || s == r->data || s == r->data + 1 ? RS02_VIRTUAL : s;
	}
	idx = (uint64_t)(j - r->ndata) * r->spl + i;
	base = r->first_repeat - r->prot;
	if (idx < base)
		return r->prot + idx;
	idx -= base;
	return r->first_repeat + 2 + idx + 2 * (idx / (r->modulo - 2));
}

int rs02_read(const struct rs02 *r, int j, uint64_t i0, uint64_t cnt, uint8_t *buf,
	      uint8_t *missing)
{
	uint64_t s0 = rs02_sector(r, j, i0), have = r->img_bytes / SP_SECTOR;
	uint64_t run = 1;

	if (missing)
		memset(missing, 0, cnt);
	/* data layers: one read for the run, up to the protected sectors */
	if (j < r->ndata) {
		s0 = (uint64_t)j * r->spl + i0;
		run = s0 >= r->prot ? 0 : r->prot - s0;
		if (run > cnt)
			run = cnt;
		memset(buf + run * SP_SECTOR, 0, (cnt - run) * SP_SECTOR);
		if (run) {
			uint64_t real = s0 >= have ? 0 : have - s0;
			if (real > run)
				real = run;
			memset(buf + real * SP_SECTOR, 0, (run - real) * SP_SECTOR);
			if (real && ecc_read_sectors(r->fd, buf, real, s0, missing) != 0)
				return -1;
			for (uint64_t k = real; k < run && missing; k++)
				missing[k] = 1;
		}
		for (uint64_t k = 0; r->erasures && missing && k < run; k++)
			if (ecc_known_erasure(r->erasures, s0 + k))
				missing[k] = 1;
		for (uint64_t k = 0; k < run; k++)
			if (s0 + k == r->data || s0 + k == r->data + 1) {
				memset(buf + k * SP_SECTOR, 0, SP_SECTOR);
				if (missing)
					missing[k] = 0;
			}
		return 0;
	}
	for (uint64_t k = 0; k < cnt; k++) {
		uint64_t s = rs02_sector(r, j, i0 + k);
		if (s >= have) {
			memset(buf + k * SP_SECTOR, 0, SP_SECTOR);
			if (missing)
				missing[k] = 1;
		} else if (ecc_read_sectors(r->fd, buf + k * SP_SECTOR, 1, s, missing ? missing + k : NULL) != 0) {
			return -1;
		} else if (missing && r->erasures && ecc_known_erasure(r->erasures, s)) {
			missing[k] = 1;
		}
	}
	return 0;
}

/* The image size (in sectors) with `roots` that gives an augmented image of
 * `total` sectors, or 0 if none does (the total grows with the size). */
static uint64_t rs02_data_for_size(uint64_t total, int roots)
{
	uint64_t lo = 1, hi = total;
	struct rs02 t;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		memset(&t, 0, sizeof(t));
		t.h.sectors = mid;
		t.h.ecc_bytes = roots;
		rs02_layout_from_header(&t);
		if (mid + t.added < total)
			lo = mid + 1;
		else
			hi = mid;
	}
	memset(&t, 0, sizeof(t));
	t.h.sectors = lo;
	t.h.ecc_bytes = roots;
	rs02_layout_from_header(&t);
	return lo < total && lo + t.added == total ? lo : 0;
}

/* Does buf (4096 bytes) hold a valid RS02 header of an image of at most
 * `sectors` sectors? */
static bool header_ok(const uint8_t *buf, uint64_t sectors, struct ecc_header *h)
{
	struct sp_error e = SP_ERROR_INIT;

	return ecc_header_parse(buf, ECC_HEADER_BYTES, h, &e) == SP_OK &&
	       strcmp(h->method, "RS02") == 0 && h->sectors < sectors && h->ecc_bytes <= ECC_MAX_ROOTS_RS03;
}

static uint64_t iso_size(int fd)
{
	uint8_t pvd[SP_SECTOR];

	if (ecc_read_at(fd, pvd, sizeof(pvd), 16 * SP_SECTOR) != 0 || pvd[0] != 1 ||
	    memcmp(pvd + 1, "CD001", 5) != 0)
		return 0;
	return (uint64_t)pvd[80] | (uint64_t)pvd[81] << 8 | (uint64_t)pvd[82] << 16 |
	       (uint64_t)pvd[83] << 24;
}

int rs02_find(int fd, uint64_t bytes, struct rs02 *r)
{
	uint64_t sectors = bytes / SP_SECTOR, iso = iso_size(fd);
	uint64_t cand[2] = { iso, iso + 150 };

	r->fd = fd;
	r->img_bytes = bytes;
	if (sectors < 4 || sectors > (1ULL << 40))
		return -1;
	for (int c = 0; c < 2; c++)
		if (cand[c] && ecc_read_at(fd, r->hdr, ECC_HEADER_BYTES, cand[c] * SP_SECTOR) == 0 &&
		    header_ok(r->hdr, sectors, &r->h) && r->h.sectors == cand[c])
			goto found;
	/* the copies sit at multiples of a power of two near the end: try
	 * the last few multiples of each power, the largest first */
	for (int p = 30; p >= 5; p--) {
		uint64_t m = (uint64_t)1 << p, pos;
		if (sectors < m + 2)
			continue;
		pos = (sectors - 2) / m * m;
		for (int k = 0; k < 3 && pos >= m; k++, pos -= m)
			if (ecc_read_at(fd, r->hdr, ECC_HEADER_BYTES, pos * SP_SECTOR) == 0 &&
			    header_ok(r->hdr, sectors, &r->h) && r->h.sectors < pos)
				goto found;
	}
	/* no copy (a small image): the image size follows from the data
	 * size and the roots; try each number of roots */
	for (int roots = ECC_MIN_ROOTS; roots <= ECC_MAX_ROOTS_RS03; roots++) {
		uint64_t n = rs02_data_for_size(sectors, roots);
		if (!n)
			n = rs02_data_for_size(sectors - 1, roots);
		if (n && ecc_read_at(fd, r->hdr, ECC_HEADER_BYTES, n * SP_SECTOR) == 0 &&
		    header_ok(r->hdr, sectors, &r->h) && r->h.sectors == n)
			goto found;
	}
	return -1;
found:
	rs02_layout_from_header(r);
	return 0;
}

/* ---- create -------------------------------------------------------------- */

struct create {
	struct rs02 *r;
	struct ecc_plan plan;
	uint8_t *buf[ECC_MAX_WORKERS];
	uint32_t *crc;
	uint8_t *md5s;            /* 16 per ecc layer */
	int saved_errno;
	const char *what;
};

static int fail(struct create *c, const char *what)
{
	c->saved_errno = errno ? errno : EIO;
	c->what = what;
	return -1;
}

/* CRCs of image sectors item*256 .. (the last one zero-padded) */
static int crc_run(void *arg, uint64_t item, int worker)
{
	struct create *c = arg;
	struct rs02 *r = c->r;
	uint64_t n0 = item * 256, cnt = r->data - n0 < 256 ? r->data - n0 : 256;
	uint64_t bytes = cnt * SP_SECTOR;
	uint8_t *b = c->buf[worker];

	if (n0 * SP_SECTOR + bytes > r->img_bytes)
		bytes = r->img_bytes - n0 * SP_SECTOR;
	memset(b, 0, cnt * SP_SECTOR);
	if (ecc_read_at(r->fd, b, (size_t)bytes, n0 * SP_SECTOR) != 0)
		return fail(c, "read the image");
	for (uint64_t k = 0; k < cnt; k++)
		c->crc[n0 + k] = ecc_crc32(b + k * SP_SECTOR, SP_SECTOR);
	return 0;
}

static int encode_run(void *arg, uint64_t item, int worker)
{
	struct create *c = arg;
	struct rs02 *r = c->r;
	uint64_t i0 = item * RUN_BLOCKS, cnt = r->spl - i0 < RUN_BLOCKS ? r->spl - i0 : RUN_BLOCKS;
	uint8_t *layers[ECC_LAYERS];
	uint8_t *base = c->buf[worker];

	for (int j = 0; j < r->ndata; j++)
		if (rs02_read(r, j, i0, cnt, base + (size_t)j * RUN_BLOCKS * SP_SECTOR, NULL) != 0)
			return fail(c, "read the image");
	for (uint64_t b = 0; b < cnt; b++) {
		for (int j = 0; j < ECC_LAYERS; j++)
			layers[j] = base + ((size_t)j * RUN_BLOCKS + b) * SP_SECTOR;
		ecc_plan_run(&c->plan, SP_SECTOR, layers);
	}
	for (int j = r->ndata; j < ECC_LAYERS; j++)
		for (uint64_t b = 0; b < cnt; b++)
			if (ecc_write_at(r->fd, base + ((size_t)j * RUN_BLOCKS + b) * SP_SECTOR, SP_SECTOR,
					 rs02_sector(r, j, i0 + b) * SP_SECTOR) != 0)
				return fail(c, "write the error-correction data");
	return 0;
}

/* MD5 of ecc layer `item`, read back in layer order */
static int md5_layer(void *arg, uint64_t item, int worker)
{
	struct create *c = arg;
	struct rs02 *r = c->r;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned len = 16;
	bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL);

	for (uint64_t i0 = 0; ok && i0 < r->spl; i0 += RUN_BLOCKS) {
		uint64_t cnt = r->spl - i0 < RUN_BLOCKS ? r->spl - i0 : RUN_BLOCKS;
		ok = rs02_read(r, r->ndata + (int)item, i0, cnt, c->buf[worker], NULL) == 0 &&
		     EVP_DigestUpdate(ctx, c->buf[worker], cnt * SP_SECTOR);
	}
	ok = ok && EVP_DigestFinal_ex(ctx, c->md5s + 16 * item, &len);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : fail(c, "read back the error-correction data");
}

/* The CRC sectors in their rotated order, padded with "GPL\0"; the
 * first block's CRCs go to the header from byte 2048. */
static enum sp_status write_crcs(struct create *c, const char *image, struct sp_error *err)
{
	struct rs02 *r = c->r;
	uint64_t first = (r->data + 2) % r->spl, k = 0, nb = 0;
	uint8_t *area = malloc(r->crc_sectors * SP_SECTOR);
	unsigned len = 16;
	enum sp_status st;

	if (!area)
		return sp_error_set(err, SPE_NOMEM, "out of memory for the CRC sectors");
	for (uint64_t step = 0; step < r->spl; step++) {
		uint64_t b = (step + first + 1) % r->spl;
		for (uint64_t n = b; n < r->data; n += r->spl, k++) {
			for (int q = 0; q < 4; q++)
				area[4 * k + (uint64_t)q] = (uint8_t)(c->crc[n] >> (8 * q));
			if (step == r->spl - 1) {
				for (int q = 0; q < 4; q++)
					r->hdr[SP_SECTOR + 4 * nb + (uint64_t)q] = (uint8_t)(c->crc[n] >> (8 * q));
				nb++;
			}
		}
	}
	for (; k < r->crc_sectors * (SP_SECTOR / 4); k++)
		memcpy(area + 4 * k, "GPL", 4);
	st = EVP_Digest(area, r->crc_sectors * SP_SECTOR, r->h.crc_sum, &len, EVP_md5(), NULL)
		     ? sp_pwrite_all(r->fd, area, r->crc_sectors * SP_SECTOR, (r->data + 2) * SP_SECTOR,
				     image, err)
		     : sp_error_set(err, SPE_NOMEM, "cannot compute an MD5");
	free(area);
	return st;
}

static enum sp_status write_headers(struct rs02 *r, const char *image, struct sp_error *err)
{
	uint8_t boot[SP_SECTOR];
	uint64_t end = r->data + r->added;

	memcpy(boot, r->hdr + SP_SECTOR, SP_SECTOR);
	ecc_header_write(&r->h, r->hdr);
	memcpy(r->hdr + SP_SECTOR, boot, SP_SECTOR);
	ecc_header_seal(r->hdr);
	if (sp_pwrite_all(r->fd, r->hdr, ECC_HEADER_BYTES, r->data * SP_SECTOR, image, err) != SP_OK)
		return SP_FAILED;
	for (uint64_t pos = r->first_repeat; pos < end; pos += r->modulo)
		if (sp_pwrite_all(r->fd, r->hdr, ECC_HEADER_BYTES, pos * SP_SECTOR, image, err) != SP_OK)
			return SP_FAILED;
	return SP_OK;
}

enum sp_status rs02_create(const char *image, const struct img_ecc_opts *o,
			   struct img_ecc_summary *sum, struct sp_error *err)
{
	struct rs02 r = { .fd = -1 };
	struct create c = { .r = &r, .plan = ECC_PLAN_INIT };
	struct stat stb = { 0 };
	enum sp_status st = SP_FAILED;
	double t0 = sp_now();
	uint64_t orig = 0;
	int threads;

	r.fd = open(image, O_RDWR);
	if (r.fd < 0)
		return sp_error_set_errno(err, errno, "cannot open '%s'", image);
	if (fstat(r.fd, &stb) != 0 || !S_ISREG(stb.st_mode) || stb.st_size == 0) {
		sp_error_set(err, SPE_USAGE, "'%s' is not a non-empty regular file", image);
		goto out;
	}
	orig = r.img_bytes = (uint64_t)stb.st_size;
	memcpy(r.h.method, "RS02", 5);
	r.h.sectors = sp_bytes_to_sectors(r.img_bytes);
	r.h.in_last = (int32_t)(r.img_bytes - (r.h.sectors - 1) * SP_SECTOR);
	r.h.creator = ECC_VERSION;
	r.h.needed = 6600;
	r.h.fp_sector = 16;
	if (create_layout(&r, r.h.sectors, o->roots, o->medium_sectors) < ECC_MIN_ROOTS) {
		sp_error_set(err, SPE_TOOBIG,
			     "'%s' leaves no room for error-correction data on the medium (at least 8 roots)",
			     image);
		sp_error_hint(err, "choose a larger --medium, give --redundancy, or write a separate file with -o FILE.ecc");
		goto out;
	}
	r.h.data_bytes = r.ndata;
	r.h.ecc_bytes = r.roots;
	r.h.sectors_added = r.added;
	if (rs03_fingerprint(r.fd, r.img_bytes, 16, r.h.medium_fp) != 0 ||
	    ecc_md5_fd(r.fd, 0, r.img_bytes, r.h.medium_sum) != 0) {
		sp_error_set_errno(err, errno, "cannot read '%s'", image);
		goto out;
	}
	c.crc = malloc(r.data * 4);
	c.md5s = malloc(16 * (size_t)r.roots);
	threads = ecc_workers_alloc(c.buf, o->threads, r.spl,
				    (size_t)ECC_LAYERS * RUN_BLOCKS * SP_SECTOR);
	if (!c.crc || !c.md5s || threads < 0 || ecc_plan_encoder(&c.plan, r.roots) != 0) {
		sp_error_set(err, SPE_NOMEM, "out of memory for the RS02 encoder");
		goto out;
	}
	if (ecc_pool_run(threads, (r.data + 255) / 256, crc_run, &c) != 0)
		goto io;
	/* the image grows: zeros to a whole sector, then the added sectors */
	r.img_bytes = (r.data + r.added) * SP_SECTOR;
	if (ftruncate(r.fd, (off_t)r.img_bytes) != 0) {
		sp_error_set_errno(err, errno, "cannot extend '%s'", image);
		goto out;
	}
	if (write_crcs(&c, image, err) != SP_OK)
		goto out;
	if (ecc_pool_run(threads, (r.spl + RUN_BLOCKS - 1) / RUN_BLOCKS, encode_run, &c) != 0 ||
	    ecc_pool_run(threads, (uint64_t)r.roots, md5_layer, &c) != 0)
		goto io;
	{
		unsigned len = 16;
		if (!EVP_Digest(c.md5s, 16 * (size_t)r.roots, r.h.ecc_sum, &len, EVP_md5(), NULL)) {
			sp_error_set(err, SPE_NOMEM, "cannot compute an MD5");
			goto out;
		}
	}
	if (write_headers(&r, image, err) != SP_OK)
		goto out;
	if (fsync(r.fd) != 0) {
		sp_error_set_errno(err, errno, "cannot write '%s'", image);
		goto out;
	}
	memcpy(sum->method, "RS02", 5);
	sum->augmented = true;
	sum->roots = r.roots;
	sum->sectors = r.data;
	sum->layer_sectors = r.spl;
	sum->ecc_sectors = r.added;
	sum->seconds = sp_now() - t0;
	st = SP_OK;
	goto out;
io:
	sp_error_set_errno(err, c.saved_errno, "cannot %s for '%s'", c.what, image);
out:
	if (st != SP_OK && r.img_bytes != orig && ftruncate(r.fd, (off_t)orig) != 0)
		sp_error_detail(err, "and the image could not be cut back to its size");
	for (int t = 0; t < ECC_MAX_WORKERS; t++)
		free(c.buf[t]);
	free(c.crc);
	free(c.md5s);
	ecc_plan_release(&c.plan);
	if (r.fd >= 0)
		close(r.fd);
	return st;
}
