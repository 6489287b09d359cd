/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rs01.c - dvdisaster's RS01 .ecc files: create, verify, repair.
 *
 * The image is cut into ndata = 255 - roots layers of s = ceil(sectors /
 * ndata) sectors (past the image's end: zeros).  Ecc block i is byte i of
 * every layer, so sector t of every layer makes 2048 blocks with the same
 * erasures, decoded like one RS03 block.  The file: the 4096-byte header,
 * one CRC32 per image sector, then the parity, roots bytes per block, block
 * after block (so the roots layers are interleaved on disk).  The header
 * keeps the MD5 of the image and of everything after the header.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "imaging/ecc/ecc_private.h"

#define RUN 16   /* sectors of each layer per work item */

struct rs01 {
	struct ecc_header h;
	int roots, ndata;
	uint64_t s;               /* sectors per layer */
	int fd_img, fd_ecc;
	uint64_t img_bytes, ecc_bytes;
	uint64_t par_off;         /* where the parity starts */
	uint32_t *crc;            /* one per image sector */
	struct ecc_plan plan;     /* create: the encoder */
	uint8_t *buf[ECC_MAX_WORKERS];
	int saved_errno;
	const char *what;
	/* check */
	enum img_ecc_mode mode;
	pthread_mutex_t lock;
	struct img_ecc_summary *sum;
	struct { struct ecc_plan plan; uint8_t pattern[ECC_LAYERS]; bool have; } w[16];
};

static int pread_all(int fd, uint8_t *buf, size_t len, uint64_t off, size_t *got)
{
	*got = 0;
	while (*got < len) {
		ssize_t n = pread(fd, buf + *got, len - *got, (off_t)(off + *got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	memset(buf + *got, 0, len - *got);
	return 0;
}

static int pwrite_all(int fd, const uint8_t *buf, size_t len, uint64_t off)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = pwrite(fd, buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Sectors t0 .. t0+cnt-1 of data layer j; missing[k] for sectors the image
 * lacks (past its end); sectors past the protected size are zeros. */
static int read_layer(struct rs01 *r, int j, uint64_t t0, uint64_t cnt, uint8_t *buf,
		      uint8_t *missing)
{
	uint64_t n0 = (uint64_t)j * r->s + t0, real;
	size_t got;

	real = n0 >= r->h.sectors ? 0 : r->h.sectors - n0;
	if (real > cnt)
		real = cnt;
	memset(buf + real * SP_SECTOR, 0, (cnt - real) * SP_SECTOR);
	if (missing)
		memset(missing, 0, cnt);
	if (pread_all(r->fd_img, buf, real * SP_SECTOR, n0 * SP_SECTOR, &got) != 0)
		return -1;
	for (uint64_t k = got / SP_SECTOR; k < real && missing; k++) {
		uint64_t need = n0 + k == r->h.sectors - 1 ? (uint64_t)r->h.in_last : SP_SECTOR;
		if (got < k * SP_SECTOR + need)
			missing[k] = 1;
	}
	return 0;
}

static uint8_t *slot(struct rs01 *r, int worker, int l)
{
	return r->buf[worker] + (size_t)l * RUN * SP_SECTOR;
}

/* One worker's buffers: RUN sectors of all 255 layers, plus the
 * interleaved parity of the run. */
static size_t worker_bytes(const struct rs01 *r)
{
	return (size_t)(ECC_LAYERS + 1 + r->roots) * RUN * SP_SECTOR;
}

static int create_run(void *arg, uint64_t item, int worker)
{
	struct rs01 *r = arg;
	uint64_t t0 = item * RUN, cnt = r->s - t0 < RUN ? r->s - t0 : RUN;
	uint8_t *layers[ECC_LAYERS];
	uint8_t *out = slot(r, worker, ECC_LAYERS);
	size_t blocks = (size_t)cnt * SP_SECTOR;

	for (int j = 0; j < r->ndata; j++) {
		uint8_t *b = slot(r, worker, j);
		if (read_layer(r, j, t0, cnt, b, NULL) != 0) {
			r->saved_errno = errno;
			r->what = "read the image";
			return -1;
		}
		for (uint64_t k = 0; k < cnt; k++) {
			uint64_t n = (uint64_t)j * r->s + t0 + k;
			if (n < r->h.sectors)
				r->crc[n] = ecc_crc32(b + k * SP_SECTOR, SP_SECTOR);
		}
	}
	for (uint64_t k = 0; k < cnt; k++) {
		for (int l = 0; l < ECC_LAYERS; l++)
			layers[l] = slot(r, worker, l) + k * SP_SECTOR;
		ecc_plan_run(&r->plan, SP_SECTOR, layers);
	}
	/* interleave: block b's roots bytes together */
	for (int q = 0; q < r->roots; q++) {
		const uint8_t *p = slot(r, worker, r->ndata + q);
		for (size_t b = 0; b < blocks; b++)
			out[b * (size_t)r->roots + (size_t)q] = p[b];
	}
	if (pwrite_all(r->fd_ecc, out, blocks * (size_t)r->roots,
		       r->par_off + t0 * SP_SECTOR * (uint64_t)r->roots) != 0) {
		r->saved_errno = errno;
		r->what = "write the error-correction data";
		return -1;
	}
	return 0;
}

struct md5job {
	int fd;
	uint64_t bytes;
	uint8_t sum[16];
	int rc;
};

static void *md5_image(void *p)
{
	struct md5job *m = p;

	m->rc = ecc_md5_fd(m->fd, 0, m->bytes, m->sum);
	return NULL;
}

static void put_crcs(const uint32_t *crc, uint64_t n, uint8_t *out)
{
	for (uint64_t i = 0; i < n; i++)
		for (int b = 0; b < 4; b++)
			out[4 * i + (uint64_t)b] = (uint8_t)(crc[i] >> (8 * b));
}

static void layout(struct rs01 *r)
{
	r->ndata = ECC_LAYERS - r->roots;
	r->s = (r->h.sectors + (uint64_t)r->ndata - 1) / (uint64_t)r->ndata;
	r->par_off = ECC_HEADER_BYTES + 4 * r->h.sectors;
}

enum sp_status rs01_create(const char *image, const char *ecc_path, const struct img_ecc_opts *o,
			   struct img_ecc_summary *sum, struct sp_error *err)
{
	struct rs01 r = { .fd_img = -1, .fd_ecc = -1 };
	struct md5job m = { 0 };
	pthread_t md5_thread;
	bool md5_started = false, tmp_made = false;
	char tmp[4096];
	uint8_t hdr[ECC_HEADER_BYTES], *crcbytes = NULL;
	struct stat st;
	enum sp_status ret = SP_FAILED;
	int threads;
	uint64_t items;
	double t0 = sp_now();

	r.fd_img = open(image, O_RDONLY);
	if (r.fd_img < 0)
		return sp_error_set_errno(err, errno, "cannot open '%s'", image);
	if (fstat(r.fd_img, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		sp_error_set(err, SPE_USAGE, "'%s' is not a non-empty regular file", image);
		goto out;
	}
	r.img_bytes = (uint64_t)st.st_size;
	r.roots = o->roots ? o->roots : 32;
	if (r.roots > ECC_MAX_ROOTS_RS01) {
		sp_error_set(err, SPE_USAGE, "RS01 takes 8 to 100 roots");
		goto out;
	}
	memcpy(r.h.method, "RS01", 5);
	r.h.flags[0] = 1;
	r.h.sectors = sp_bytes_to_sectors(r.img_bytes);
	r.h.in_last = (int32_t)(r.img_bytes - (r.h.sectors - 1) * SP_SECTOR);
	r.h.creator = ECC_VERSION;
	r.h.needed = r.h.in_last == SP_SECTOR ? 5500 : 6600;
	r.h.fp_sector = 16;
	r.h.ecc_bytes = r.roots;
	r.h.data_bytes = ECC_LAYERS - r.roots;
	layout(&r);
	if (rs03_fingerprint(r.fd_img, r.img_bytes, 16, r.h.medium_fp) != 0) {
		sp_error_set_errno(err, errno, "cannot read '%s'", image);
		goto out;
	}
	r.crc = calloc(r.h.sectors, 4);
	crcbytes = malloc(4 * r.h.sectors);
	if (!r.crc || !crcbytes || ecc_plan_encoder(&r.plan, r.roots) != 0) {
		sp_error_set(err, SPE_NOMEM, "out of memory for the RS01 encoder");
		goto out;
	}
	items = (r.s + RUN - 1) / RUN;
	threads = ecc_workers_alloc(r.buf, o->threads, items, worker_bytes(&r));
	if (threads < 0) {
		sp_error_set(err, SPE_NOMEM, "out of memory for the RS01 encoder");
		goto out;
	}
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
	r.ecc_bytes = r.par_off + r.s * SP_SECTOR * (uint64_t)r.roots;
	if (ftruncate(r.fd_ecc, (off_t)r.ecc_bytes) != 0) {
		sp_error_set_errno(err, errno, "cannot size '%s'", tmp);
		goto out;
	}
	m.fd = r.fd_img;
	m.bytes = r.img_bytes;
	md5_started = pthread_create(&md5_thread, NULL, md5_image, &m) == 0;
	if (!md5_started)
		md5_image(&m);
	if (ecc_pool_run(threads, items, create_run, &r) != 0) {
		sp_error_set_errno(err, r.saved_errno, "cannot %s for '%s'", r.what, ecc_path);
		goto out;
	}
	if (md5_started) {
		pthread_join(md5_thread, NULL);
		md5_started = false;
	}
	if (m.rc != 0) {
		sp_error_set(err, SPE_IO, "cannot read '%s' for its MD5", image);
		goto out;
	}
	memcpy(r.h.medium_sum, m.sum, 16);
	put_crcs(r.crc, r.h.sectors, crcbytes);
	if (pwrite_all(r.fd_ecc, crcbytes, 4 * r.h.sectors, ECC_HEADER_BYTES) != 0) {
		sp_error_set_errno(err, errno, "cannot write '%s'", tmp);
		goto out;
	}
	/* eccSum: MD5 of everything after the header */
	if (ecc_md5_fd(r.fd_ecc, ECC_HEADER_BYTES, r.ecc_bytes - ECC_HEADER_BYTES, r.h.ecc_sum) != 0) {
		sp_error_set(err, SPE_IO, "cannot read back '%s'", tmp);
		goto out;
	}
	ecc_header_write(&r.h, hdr);
	if (pwrite_all(r.fd_ecc, hdr, sizeof(hdr), 0) != 0 || fsync(r.fd_ecc) != 0) {
		sp_error_set_errno(err, errno, "cannot write '%s'", tmp);
		goto out;
	}
	if (rename(tmp, ecc_path) != 0) {
		sp_error_set_errno(err, errno, "cannot rename '%s' to '%s'", tmp, ecc_path);
		goto out;
	}
	tmp_made = false;
	memcpy(sum->method, "RS01", 5);
	sum->roots = r.roots;
	sum->sectors = r.h.sectors;
	sum->layer_sectors = r.s;
	sum->ecc_sectors = sp_bytes_to_sectors(r.ecc_bytes);
	sum->seconds = sp_now() - t0;
	ret = SP_OK;
out:
	if (md5_started)
		pthread_join(md5_thread, NULL);
	if (tmp_made)
		unlink(tmp);
	for (int t = 0; t < 16; t++)
		free(r.buf[t]);
	free(r.crc);
	free(crcbytes);
	ecc_plan_release(&r.plan);
	if (r.fd_ecc >= 0)
		close(r.fd_ecc);
	if (r.fd_img >= 0)
		close(r.fd_img);
	return ret;
}

/* ---- verify and repair -------------------------------------------------- */

struct check_tally {
	uint64_t damaged, repaired, unrepairable, damaged_ecc;
};

/* Do the recovered image sectors of row t match their CRCs? */
static bool decoded_ok(const struct rs01 *r, uint64_t t, const uint8_t erased[ECC_LAYERS],
		       uint8_t *const layers[ECC_LAYERS])
{
	for (int j = 0; j < r->ndata; j++) {
		uint64_t n = (uint64_t)j * r->s + t;
		if (erased[j] && n < r->h.sectors && ecc_crc32(layers[j], SP_SECTOR) != r->crc[n])
			return false;
	}
	return true;
}

static int check_run(void *arg, uint64_t item, int worker)
{
	struct rs01 *r = arg;
	uint64_t t0 = item * RUN, cnt = r->s - t0 < RUN ? r->s - t0 : RUN;
	uint8_t *layers[ECC_LAYERS], *par = slot(r, worker, ECC_LAYERS);
	uint8_t missing[ECC_LAYERS][RUN];
	size_t blocks = (size_t)cnt * SP_SECTOR, got;
	uint64_t listed[RUN * 8];
	int nlisted = 0;
	struct check_tally t = { 0 };
	bool par_missing;

	for (int j = 0; j < r->ndata; j++)
		if (read_layer(r, j, t0, cnt, slot(r, worker, j), missing[j]) != 0)
			goto rerr;
	if (pread_all(r->fd_ecc, par, blocks * (size_t)r->roots,
		      r->par_off + t0 * SP_SECTOR * (uint64_t)r->roots, &got) != 0)
		goto rerr;
	par_missing = got < blocks * (size_t)r->roots;
	for (int q = 0; q < r->roots; q++) {
		uint8_t *p = slot(r, worker, r->ndata + q);
		for (size_t b = 0; b < blocks; b++)
			p[b] = par[b * (size_t)r->roots + (size_t)q];
	}
	for (uint64_t k = 0; k < cnt; k++) {
		uint8_t erased[ECC_LAYERS] = { 0 }, changed[ECC_LAYERS];
		int s = 0, data_erased;
		bool good = true;

		for (int l = 0; l < ECC_LAYERS; l++)
			layers[l] = slot(r, worker, l) + k * SP_SECTOR;
		for (int j = 0; j < r->ndata; j++) {
			uint64_t n = (uint64_t)j * r->s + t0 + k;
			if (n >= r->h.sectors)
				continue;
			if (missing[j][k] || ecc_is_dead_marker(layers[j]) ||
			    ecc_crc32(layers[j], SP_SECTOR) != r->crc[n]) {
				erased[j] = 1;
				s++;
				t.damaged++;
			}
		}
		data_erased = s;
		/* parity cut off by a truncated file: its blocks lose all of it */
		if (par_missing && got < (k + 1) * SP_SECTOR * (size_t)r->roots) {
			for (int q = 0; q < r->roots; q++)
				erased[r->ndata + q] = 1;
			s += r->roots;
			t.damaged_ecc++;
		}
		if (data_erased == 0)
			continue;
		if (s > r->roots) {
			good = false;
		} else {
			if (!r->w[worker].have || memcmp(r->w[worker].pattern, erased, ECC_LAYERS)) {
				if (ecc_plan_build(&r->w[worker].plan, r->roots, erased) != 0) {
					r->saved_errno = ENOMEM;
					r->what = "plan the decoding";
					return -1;
				}
				memcpy(r->w[worker].pattern, erased, ECC_LAYERS);
				r->w[worker].have = true;
			}
			ecc_plan_run(&r->w[worker].plan, SP_SECTOR, layers);
			good = decoded_ok(r, t0 + k, erased, layers);
			/* a garbled parity byte run nobody flagged: errors and
			 * erasures (the parity has no CRC) */
			if (!good && ecc_block_decode(r->roots, layers, erased, changed) == 0) {
				good = true;
				for (int j = 0; j < ECC_LAYERS; j++) {
					if (!changed[j] || erased[j])
						continue;
					if (j < r->ndata && (uint64_t)j * r->s + t0 + k >= r->h.sectors)
						good = false;
					erased[j] = 1;
					if (j < r->ndata)
						t.damaged++;
					else
						t.damaged_ecc++;
				}
				good = good && decoded_ok(r, t0 + k, erased, layers);
			}
		}
		for (int j = 0; j < r->ndata; j++) {
			uint64_t n = (uint64_t)j * r->s + t0 + k;
			if (!erased[j])
				continue;
			if (!good) {
				t.unrepairable++;
				if (nlisted < (int)(sizeof(listed) / sizeof(listed[0])))
					listed[nlisted++] = n;
				continue;
			}
			t.repaired++;
			if (r->sum->repaired_ranges) {
				/* where, for a report */
				pthread_mutex_lock(&r->lock);
				ecc_summary_add_repaired(r->sum, n);
				pthread_mutex_unlock(&r->lock);
			}
			if (r->mode == IMG_ECC_REPAIR &&
			    pwrite_all(r->fd_img, layers[j],
				       n == r->h.sectors - 1 ? (size_t)r->h.in_last : SP_SECTOR,
				       n * SP_SECTOR) != 0) {
				r->saved_errno = errno;
				r->what = "write the repaired sector to";
				return -1;
			}
			if (r->mode == IMG_ECC_REPAIR && r->sum->written_ranges) {
				pthread_mutex_lock(&r->lock);
				ecc_summary_add_written(r->sum, n, 1);
				pthread_mutex_unlock(&r->lock);
			}
		}
	}
	pthread_mutex_lock(&r->lock);
	r->sum->damaged += t.damaged;
	r->sum->damaged_ecc += t.damaged_ecc;
	r->sum->repaired += t.repaired;
	r->sum->unrepairable += t.unrepairable;
	for (int i = 0; i < nlisted; i++)
		ecc_summary_add_remaining(r->sum, listed[i]);
	pthread_mutex_unlock(&r->lock);
	return 0;
rerr:
	r->saved_errno = errno;
	r->what = "read";
	return -1;
}

enum sp_status rs01_check(const struct ecc_header *h, int fd_img, int fd_ecc, uint64_t img_bytes,
			  uint64_t ecc_bytes, enum img_ecc_mode mode, const struct img_ecc_opts *o,
			  struct img_ecc_summary *sum, struct sp_error *err)
{
	struct rs01 r = { .h = *h, .fd_img = fd_img, .fd_ecc = fd_ecc, .img_bytes = img_bytes,
			  .ecc_bytes = ecc_bytes, .mode = mode, .sum = sum };
	int threads;
	uint8_t *crcbytes = NULL, fp[16];
	enum sp_status ret = SP_FAILED;
	size_t got;
	uint64_t items;

	r.roots = h->ecc_bytes;
	if (r.roots > ECC_MAX_ROOTS_RS01 + 91)
		return sp_error_set(err, SPE_FORMAT, "RS01 header: %d roots", r.roots);
	layout(&r);
	pthread_mutex_init(&r.lock, NULL);
	r.crc = malloc(4 * r.h.sectors);
	crcbytes = malloc(4 * r.h.sectors);
	if (!r.crc || !crcbytes) {
		sp_error_set(err, SPE_NOMEM, "out of memory for the CRCs");
		goto out;
	}
	if (pread_all(fd_ecc, crcbytes, 4 * r.h.sectors, ECC_HEADER_BYTES, &got) != 0 ||
	    got < 4 * r.h.sectors) {
		sp_error_set(err, SPE_FORMAT, "the RS01 file is truncated in its CRC section");
		goto out;
	}
	for (uint64_t i = 0; i < r.h.sectors; i++)
		r.crc[i] = (uint32_t)crcbytes[4 * i] | (uint32_t)crcbytes[4 * i + 1] << 8 |
			   (uint32_t)crcbytes[4 * i + 2] << 16 | (uint32_t)crcbytes[4 * i + 3] << 24;
	if (r.h.sectors > 16 && rs03_fingerprint(fd_img, img_bytes, 16, fp) == 0 &&
	    memcmp(fp, r.h.medium_fp, 16) != 0 && pread_all(fd_img, crcbytes, SP_SECTOR, 16 * SP_SECTOR, &got) == 0 &&
	    got == SP_SECTOR && !ecc_is_dead_marker(crcbytes)) {
		sp_error_set(err, SPE_FORMAT,
			     "the error-correction data belongs to another image (the fingerprint of sector 16 differs)");
		sp_error_hint(err, "give the .ecc file that was made for this image");
		goto out;
	}
	items = (r.s + RUN - 1) / RUN;
	threads = ecc_workers_alloc(r.buf, o->threads, items, worker_bytes(&r));
	if (threads < 0) {
		sp_error_set(err, SPE_NOMEM, "out of memory for the RS01 decoder");
		goto out;
	}
	if (ecc_pool_run(threads, items, check_run, &r) != 0) {
		sp_error_set_errno(err, r.saved_errno, "cannot %s the image or its error-correction data",
				   r.what);
		goto out;
	}
	if (mode == IMG_ECC_REPAIR && fsync(fd_img) != 0) {
		sp_error_set_errno(err, errno, "cannot write the repaired image");
		goto out;
	}
	ret = sum->unrepairable ? SP_WARN : SP_OK;
out:
	for (int t = 0; t < 16; t++) {
		free(r.buf[t]);
		ecc_plan_release(&r.w[t].plan);
	}
	free(r.crc);
	free(crcbytes);
	pthread_mutex_destroy(&r.lock);
	return ret;
}
