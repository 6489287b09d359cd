/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * verify.c - compare a medium with an image file.
 *
 * We read exactly the image's sectors, starting at start_lba, through
 * drv_read() (SCSI READ via libburn, no retries, no kernel read-ahead), and
 * compare them with the image.  In the last sector only the image's bytes
 * count: the rest is the zero padding the burn added.  Nothing after the
 * image is read, so 32 KiB alignment on DVD/BD and the two run-out sectors
 * of a CD TAO track never raise a false alarm.
 *
 * A read that fails is narrowed down: the sectors before the failure were
 * good, the failing sector is recorded as unreadable, and reading resumes
 * after it.  Sectors past the end of a short (truncated) medium are
 * recorded as unreadable in one range without being tried.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imaging/disc/disc.h"
#include "imaging/verify/verify.h"

#define CHUNK DRV_READ_MAX              /* sectors per read */
#define REPORT_EVERY 0.2

const char *img_verify_outcome_name(enum img_verify_outcome o)
{
	switch (o) {
	case IMG_VERIFY_MATCH: return "match";
	case IMG_VERIFY_MISMATCH: return "mismatch";
	default: return "unreadable";
	}
}

void img_verify_result_release(struct img_verify_result *res)
{
	img_ranges_release(&res->differ);
	img_ranges_release(&res->unreadable);
}

/* Read all of len bytes at off, or fewer at end of file. */
static ssize_t read_image(int fd, void *buf, size_t len, off_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, off + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

struct verify_run {
	struct drv_drive *d;
	const struct img_verify_opts *o;
	struct img_verify_result *res;
	struct img_verify_progress p;
	double t0, last_report;
	unsigned char *disc, *image;    /* image NULL: hash the disc instead */
	struct img_sha256 *disc_hash;
};

static void report(struct verify_run *v, bool force)
{
	double now = sp_now();

	if (!v->o->progress || (!force && now - v->last_report < REPORT_EVERY))
		return;
	v->last_report = now;
	v->p.elapsed = now - v->t0;
	v->p.bad_sectors = img_ranges_total(&v->res->differ) +
			   img_ranges_total(&v->res->unreadable);
	v->o->progress(&v->p, v->o->ctx);
}

/* Sectors up to `done` are checked: report progress, stop on a signal. */
static enum sp_status chunk_done(struct verify_run *v, int64_t done,
				 struct sp_error *err)
{
	v->p.sectors_done = done;
	report(v, false);
	if (drv_interrupted())
		return sp_error_set(err, SPE_ABORTED, "verify interrupted at LBA %lld",
				    (long long)(v->o->start_lba + done));
	return SP_OK;
}

/* Compare n sectors of disc data at index `first` (relative to the image)
 * with the image, `valid` bytes of the image being present. */
static enum sp_status compare(struct verify_run *v, int64_t first, uint32_t n,
			      const unsigned char *disc, const unsigned char *image,
			      size_t valid)
{
	if (!image) {
		size_t len = (size_t)n * SP_SECTOR;

		img_sha256_update(v->disc_hash, disc, len < valid ? len : valid);
		return SP_OK;
	}
	for (uint32_t i = 0; i < n; i++) {
		size_t off = (size_t)i * SP_SECTOR;
		size_t len = valid - off < SP_SECTOR ? valid - off : SP_SECTOR;

		if (memcmp(disc + off, image + off, len) != 0 &&
		    img_ranges_add(&v->res->differ, v->o->start_lba + first + i, 1) != SP_OK)
			return SP_FATAL;
	}
	return SP_OK;
}

/*
 * Read and compare sectors [first, first+n) of the image.  A failed read of
 * several sectors does not say which of them failed (the drive reports the
 * command, not the sector), so the rest of the chunk is then read one
 * sector at a time, and only the sectors that fail alone are unreadable.
 */
static enum sp_status verify_chunk(struct verify_run *v, int64_t first,
				   uint32_t n, size_t valid, struct sp_error *err)
{
	uint32_t pos = 0, step = n;

	while (pos < n) {
		struct sp_error rerr = SP_ERROR_INIT;
		uint32_t done = 0, want = n - pos < step ? n - pos : step;
		int64_t lba = v->o->start_lba + first + pos;
		size_t off = (size_t)pos * SP_SECTOR;

		if (drv_read(v->d, lba, want, v->disc + off, &done, &rerr) == SP_OK)
			done = want;
		if (compare(v, first + pos, done, v->disc + off,
			    v->image ? v->image + off : NULL, valid - off) != SP_OK)
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		pos += done;
		if (done < want) {
			/* the drive failed, not a sector: no disc, disc changed,
			 * drive reset; reading on would only repeat it */
			if (rerr.code == SPE_INTERNAL || rerr.code == SPE_NOMEDIUM ||
			    rerr.code == SPE_BUSY) {
				*err = rerr;
				return SP_FAILED;
			}
			if (want - done > 1) {
				step = 1;
				continue;
			}
			if (v->res->first_read_error.code == SPE_NONE)
				v->res->first_read_error = rerr;
			if (img_ranges_add(&v->res->unreadable, lba + done, 1) != SP_OK)
				return sp_error_set(err, SPE_NOMEM, "out of memory");
			pos++;
		}
		if (drv_interrupted())
			break;
	}
	return SP_OK;
}

enum sp_status img_verify_image(struct drv_drive *d, const char *image_path,
				const struct img_verify_opts *opts,
				struct img_verify_result *res,
				struct sp_error *err)
{
	static const struct img_verify_opts defaults = IMG_VERIFY_OPTS_INIT;
	struct verify_run v = { .d = d, .o = opts ? opts : &defaults, .res = res };
	struct img_disc_data *dd = NULL;
	struct img_sha256 *h = NULL;
	struct stat st;
	int64_t total, readable, have, pos;
	enum sp_status ret = SP_FAILED;
	int fd;

	fd = open(image_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		sp_error_set_errno(err, errno, "cannot open image '%s'", image_path);
		return SP_FAILED;
	}
	if (fstat(fd, &st) < 0) {
		sp_error_set_errno(err, errno, "cannot stat '%s'", image_path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		sp_error_set(err, SPE_USAGE, "'%s' is a directory, not an image", image_path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		sp_error_set(err, SPE_USAGE, "'%s' is not a regular file", image_path);
		sp_error_hint(err, "verify compares with an image file; save a stream to a file first");
		goto out;
	}
	if (st.st_size == 0) {
		sp_error_set(err, SPE_USAGE, "image '%s' is empty", image_path);
		goto out;
	}
	/* an image holding audio tracks: compare them track by track */
	{
		bool done;

		ret = img_verify_tracks_image(d, image_path, &done, v.o, res, err);
		if (done || ret != SP_OK)
			goto out;
		ret = SP_FAILED;
	}
	/* an NRG, MDS, CCD ... image: compare its data track's user data */
	if (img_disc_data_open(image_path, &dd, &res->bytes, err) != SP_OK)
		goto out;
	if (!dd)
		res->bytes = (uint64_t)st.st_size;
	total = (int64_t)sp_bytes_to_sectors(res->bytes);
	res->sectors = total;
	readable = drv_readable_sectors(d);
	res->medium_sectors = readable;

	v.disc = malloc((size_t)CHUNK * SP_SECTOR);
	v.image = malloc((size_t)CHUNK * SP_SECTOR);
	h = img_sha256_new();
	if (!v.disc || !v.image || !h) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	/* sectors of the image the medium can hold at all */
	have = total;
	if (readable >= 0 && readable - v.o->start_lba < total)
		have = readable > v.o->start_lba ? readable - v.o->start_lba : 0;
	v.p.sectors_total = total;
	v.t0 = v.last_report = sp_now();
	report(&v, true);
	for (pos = 0; pos < total; pos += CHUNK) {
		uint32_t n = total - pos > CHUNK ? CHUNK : (uint32_t)(total - pos);
		size_t want = (size_t)n * SP_SECTOR;
		ssize_t got;

		if (pos * SP_SECTOR + (int64_t)want > (int64_t)res->bytes)
			want = (size_t)((int64_t)res->bytes - pos * SP_SECTOR);
		if (dd) {
			if (img_disc_data_read(dd, (uint64_t)pos * SP_SECTOR, v.image, want,
					       err) != SP_OK)
				goto out;
			got = (ssize_t)want;
		} else {
			got = read_image(fd, v.image, want, (off_t)pos * SP_SECTOR);
		}
		if (got < 0) {
			sp_error_set_errno(err, errno, "cannot read image '%s'", image_path);
			goto out;
		}
		if ((size_t)got < want) {
			sp_error_set(err, SPE_IO, "image '%s' shrank while being read", image_path);
			goto out;
		}
		img_sha256_update(h, v.image, (size_t)got);
		if (pos + n > have)
			n = pos < have ? (uint32_t)(have - pos) : 0;
		if (n && verify_chunk(&v, pos, n, (size_t)got, err) != SP_OK)
			goto out;
		if (chunk_done(&v, pos + n, err) != SP_OK)
			goto out;
	}
	if (have < total) {
		/* a short medium: everything after its end is missing */
		if (img_ranges_add(&res->unreadable, v.o->start_lba + have, total - have) != SP_OK) {
			sp_error_set(err, SPE_NOMEM, "out of memory");
			goto out;
		}
		if (res->first_read_error.code == SPE_NONE) {
			sp_error_set(&res->first_read_error, SPE_READ,
				     "the medium ends at LBA %lld, %lld sectors short of the image",
				     (long long)readable, (long long)(total - have));
			res->first_read_error.lba = readable;
		}
	}
	v.p.sectors_done = total;
	report(&v, true);
	res->outcome = res->differ.n ? IMG_VERIFY_MISMATCH
		     : res->unreadable.n ? IMG_VERIFY_UNREADABLE : IMG_VERIFY_MATCH;
	ret = SP_OK;
out:
	if (h) {
		char hex[65];

		img_sha256_final(h, hex);
		if (ret == SP_OK)
			memcpy(res->sha256, hex, sizeof(hex));
	}
	free(v.disc);
	free(v.image);
	img_disc_data_close(dd);
	close(fd);
	return ret;
}

enum sp_status img_verify_digest(struct drv_drive *d, uint64_t bytes,
				 const char *sha256_hex,
				 const struct img_verify_opts *opts,
				 struct img_verify_result *res,
				 struct sp_error *err)
{
	static const struct img_verify_opts defaults = IMG_VERIFY_OPTS_INIT;
	struct verify_run v = { .d = d, .o = opts ? opts : &defaults, .res = res };
	int64_t total, have, pos;
	enum sp_status ret = SP_FAILED;
	char hex[65];

	res->bytes = bytes;
	total = (int64_t)sp_bytes_to_sectors(bytes);
	res->sectors = total;
	res->medium_sectors = drv_readable_sectors(d);
	have = total;
	if (res->medium_sectors >= 0 && res->medium_sectors - v.o->start_lba < total)
		have = res->medium_sectors > v.o->start_lba
			? res->medium_sectors - v.o->start_lba : 0;
	v.disc = malloc((size_t)CHUNK * SP_SECTOR);
	v.disc_hash = img_sha256_new();
	if (!v.disc || !v.disc_hash) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	v.p.sectors_total = total;
	v.t0 = v.last_report = sp_now();
	for (pos = 0; pos < have; pos += CHUNK) {
		uint32_t n = have - pos > CHUNK ? CHUNK : (uint32_t)(have - pos);
		uint64_t left = bytes - (uint64_t)pos * SP_SECTOR;
		size_t valid = left < (uint64_t)n * SP_SECTOR ? (size_t)left : (size_t)n * SP_SECTOR;

		if (verify_chunk(&v, pos, n, valid, err) != SP_OK)
			goto out;
		if (chunk_done(&v, pos + n, err) != SP_OK)
			goto out;
	}
	if (have < total &&
	    img_ranges_add(&res->unreadable, v.o->start_lba + have, total - have) != SP_OK) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	img_sha256_final(v.disc_hash, hex);
	v.disc_hash = NULL;
	memcpy(res->sha256, hex, sizeof(hex));
	v.p.sectors_done = total;
	report(&v, true);
	res->outcome = res->unreadable.n ? IMG_VERIFY_UNREADABLE
		     : strcmp(hex, sha256_hex) ? IMG_VERIFY_MISMATCH : IMG_VERIFY_MATCH;
	ret = SP_OK;
out:
	if (v.disc_hash)
		img_sha256_final(v.disc_hash, hex);
	free(v.disc);
	return ret;
}
