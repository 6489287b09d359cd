/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ecc.c - the public face of imaging/ecc/: choose the codec and layout,
 * open the files, recognise error-correction data by its header.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imaging/ecc/ecc_private.h"

int img_ecc_parse_redundancy(const char *s, enum img_ecc_codec codec)
{
	uint64_t v;
	int max = codec == IMG_ECC_RS01 ? ECC_MAX_ROOTS_RS01 : ECC_MAX_ROOTS_RS03;

	if (strcasecmp(s, "normal") == 0)
		return 32;
	if (strcasecmp(s, "high") == 0)
		return 64;
	if (sp_parse_uint(s, ECC_MIN_ROOTS, (uint64_t)max, &v) != 0)
		return -1;
	return (int)v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

enum sp_status img_ecc_protect(const char *image, const char *ecc_path,
			       const struct img_ecc_opts *opts, struct img_ecc_summary *sum,
			       struct sp_error *err)
{
	struct stat a, b;

	if (!opts->augment && !ecc_path)
		return sp_error_set(err, SPE_USAGE, "no output file for the error-correction data");
	if (!opts->augment && stat(ecc_path, &b) == 0) {
		if (stat(image, &a) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return sp_error_set(err, SPE_USAGE, "'%s' is the image itself", ecc_path);
		if (!opts->replace) {
			sp_error_set(err, SPE_EXISTS, "'%s' exists", ecc_path);
			sp_error_hint(err, "give --force to replace it");
			return SP_FAILED;
		}
	}
	/* the codecs that append (RS02, RS03) refuse an image that already
	 * carries data of either; their own checks reject other files */
	if ((opts->codec == IMG_ECC_RS03 || (opts->codec == IMG_ECC_RS02 && opts->augment)) &&
	    stat(image, &a) == 0 && S_ISREG(a.st_mode) &&
	    a.st_size > 0 && img_ecc_is_augmented(image))
		return sp_error_set(err, SPE_USAGE, "'%s' already carries error-correction data", image);
	switch (opts->codec) {
	case IMG_ECC_RS03:
		return rs03_create(image, ecc_path, opts, sum, err);
	case IMG_ECC_RS01:
		if (opts->augment)
			return sp_error_set(err, SPE_USAGE, "RS01 writes a separate file only; use -o FILE.ecc");
		return rs01_create(image, ecc_path, opts, sum, err);
	case IMG_ECC_RS02:
		if (!opts->augment)
			return sp_error_set(err, SPE_USAGE, "RS02 appends to the image only; use --augment");
		return rs02_create(image, opts, sum, err);
	}
	return sp_error_set(err, SPE_USAGE, "unknown codec");
}

static enum sp_status open_rs03(struct rs03 *r, const char *image, const char *ecc_path,
				bool writable, struct sp_error *err)
{
	uint8_t buf[ECC_HEADER_BYTES];
	struct stat st;
	int rc;

	r->fd_img = open(image, writable ? O_RDWR : O_RDONLY);
	if (r->fd_img < 0)
		return sp_error_set_errno(err, errno, "cannot open '%s'", image);
	if (ecc_input_size(r->fd_img, &r->img_bytes) != 0 ||
	    (fstat(r->fd_img, &st) == 0 && !S_ISREG(st.st_mode) && (writable || ecc_path)))
		return sp_error_set(err, SPE_USAGE, "'%s' is not a regular file or an augmented disc", image);
	if (!ecc_path) {
		r->augmented = true;
		if (rs03_find_augmented(r->fd_img, r->img_bytes, &r->h, err) != 0) {
			sp_error_hint(err, "give the error-correction file with --ecc FILE.ecc");
			return SP_FAILED;
		}
		r->fd_ecc = r->fd_img;
		r->ecc_bytes = r->img_bytes;
	} else {
		r->fd_ecc = open(ecc_path, writable ? O_RDWR : O_RDONLY);
		if (r->fd_ecc < 0)
			return sp_error_set_errno(err, errno, "cannot open '%s'", ecc_path);
		if (fstat(r->fd_ecc, &st) != 0 || !S_ISREG(st.st_mode))
			return sp_error_set(err, SPE_USAGE, "'%s' is not a regular file", ecc_path);
		r->ecc_bytes = (uint64_t)st.st_size;
		rc = ecc_read_at(r->fd_ecc, buf, sizeof(buf), 0);
		if (rc < 0)
			return sp_error_set_errno(err, errno, "cannot read '%s'", ecc_path);
		if (rc > 0)
			return sp_error_set(err, SPE_FORMAT,
					    "'%s' is too short to be an error-correction file", ecc_path);
		if (ecc_header_parse(buf, sizeof(buf), &r->h, err) != SP_OK) {
			char msg[sizeof(err->msg)];
			memcpy(msg, err->msg, sizeof(msg));
			/* a damaged header: from the CRC layer (RS03) or the sizes (RS01) */
			if (ecc_header_recover(r->fd_img, r->img_bytes, r->fd_ecc, r->ecc_bytes, &r->h) != 0)
				return sp_error_set(err, SPE_FORMAT, "'%s': %s", ecc_path, msg);
			sp_error_init(err);
			r->header_rebuilt = true;
		}
	}
	if (strcmp(r->h.method, "RS03") != 0 && strcmp(r->h.method, "RS01") != 0)
		return sp_error_set(err, SPE_UNSUPPORTED,
				    "'%s' holds %s error-correction data, which is not RS01 or RS03",
				    ecc_path ? ecc_path : image, r->h.method);
	/* missing sectors at the end are erasures, but a header that claims
	 * far more than the image holds is not this image's */
	if (!r->augmented && r->h.sectors > 2 * sp_bytes_to_sectors(r->img_bytes) + 1024)
		return sp_error_set(err, SPE_FORMAT,
				    "'%s' is for an image of %llu sectors; '%s' is much smaller",
				    ecc_path, (unsigned long long)r->h.sectors, image);
	r->roots = r->h.ecc_bytes;
	if (strcmp(r->h.method, "RS01") == 0)
		return r->augmented ? sp_error_set(err, SPE_FORMAT, "RS01 data inside an image") : SP_OK;
	r->ndata = r->h.data_bytes;
	r->L = r->h.sectors_per_layer;
	if (r->roots > ECC_MAX_ROOTS_RS03 ||
	    (!r->augmented && r->L != (r->h.sectors + (uint64_t)r->ndata - 2) / (uint64_t)(r->ndata - 1)) ||
	    (r->augmented && r->h.sectors + 2 > (uint64_t)(r->ndata - 1) * r->L))
		return sp_error_set(err, SPE_FORMAT,
				    "'%s': the RS03 layout in the header does not add up (%d roots, %llu sectors per layer)",
				    ecc_path ? ecc_path : image, r->roots, (unsigned long long)r->L);
	return SP_OK;
}

/* An augmented image with RS02 data: verify or repair it; SP_RETRY when
 * the image holds no RS02 header. */
static enum sp_status check_rs02(const char *image, enum img_ecc_mode mode,
				 const struct img_ecc_opts *opts, struct img_ecc_summary *sum,
				 struct sp_error *err)
{
	struct rs02 r = { .fd = -1 };
	uint64_t bytes;
	enum sp_status ret;
	int fd = open(image, mode == IMG_ECC_REPAIR ? O_RDWR : O_RDONLY);

	if (fd < 0)
		return sp_error_set_errno(err, errno, "cannot open '%s'", image);
	if (ecc_input_size(fd, &bytes) != 0 || rs02_find(fd, bytes, &r) != 0) {
		close(fd);
		return SP_RETRY;
	}
	r.erasures = opts->erasures;
	memcpy(sum->method, "RS02", 5);
	sum->augmented = true;
	sum->roots = r.roots;
	sum->sectors = r.data;
	sum->layer_sectors = r.spl;
	sum->ecc_sectors = r.added;
	ret = rs02_check(&r, mode, opts, sum, err);
	if (sum->remaining)
		qsort(sum->remaining, sum->nremaining, sizeof(uint64_t), cmp_u64);
	close(fd);
	return ret;
}

/* After a check with a header rebuilt: it counts as two damaged sectors of
 * the file; a repair writes it again (RS01 once the image is whole, since
 * its MD5 sums are of the whole image). */
static enum sp_status rewrite_header(struct rs03 *r, enum img_ecc_mode mode,
				     struct img_ecc_summary *sum, enum sp_status st,
				     const char *ecc_path, struct sp_error *err)
{
	sum->damaged_ecc += 2;
	if (mode != IMG_ECC_REPAIR || (strcmp(r->h.method, "RS01") == 0 && sum->unrepairable))
		return st;
	if (ecc_header_rewrite(&r->h, r->fd_img, r->img_bytes, r->fd_ecc, r->ecc_bytes) != 0)
		return sp_error_set_errno(err, errno, "cannot write the rebuilt header of '%s'",
					  ecc_path);
	sum->repaired_ecc += 2;
	return st;
}

enum sp_status img_ecc_check(const char *image, const char *ecc_path, enum img_ecc_mode mode,
			     const struct img_ecc_opts *opts, struct img_ecc_summary *sum,
			     struct sp_error *err)
{
	struct rs03 r = { .fd_img = -1, .fd_ecc = -1 };
	enum sp_status st;
	double t0 = sp_now();

	if (!ecc_path) {
		st = check_rs02(image, mode, opts, sum, err);
		if (st != SP_RETRY)
			goto done;
	}
	st = open_rs03(&r, image, ecc_path, mode == IMG_ECC_REPAIR, err);
	if (r.augmented)
		r.erasures = opts->erasures;
	if (st == SP_OK) {
		memcpy(sum->method, r.h.method, 5);
		sum->augmented = r.augmented;
		sum->roots = r.roots;
		sum->sectors = r.h.sectors;
		sum->layer_sectors = r.L;
		sum->ecc_sectors = r.augmented ? (uint64_t)ECC_LAYERS * r.L - r.h.sectors
					       : 2 + (uint64_t)(r.roots + 1) * r.L;
		if (strcmp(r.h.method, "RS01") == 0)
			sum->ecc_sectors = sp_bytes_to_sectors(r.ecc_bytes);
		if (strcmp(r.h.method, "RS01") == 0)
			st = rs01_check(&r.h, r.fd_img, r.fd_ecc, r.img_bytes, r.ecc_bytes, mode,
					opts, sum, err);
		else
			st = rs03_check(&r, mode, opts, sum, err);
		if (r.header_rebuilt && st != SP_FAILED && st != SP_FATAL)
			st = rewrite_header(&r, mode, sum, st, ecc_path, err);
		if (sum->remaining)
			qsort(sum->remaining, sum->nremaining, sizeof(uint64_t), cmp_u64);
	}
	if (r.fd_ecc >= 0 && r.fd_ecc != r.fd_img)
		close(r.fd_ecc);
	if (r.fd_img >= 0)
		close(r.fd_img);
done:
	sum->seconds = sp_now() - t0;
	return st;
}

bool img_ecc_is_augmented(const char *image)
{
	struct ecc_header h;
	struct sp_error err = SP_ERROR_INIT;
	uint64_t bytes;
	int fd = open(image, O_RDONLY);
	bool yes;

	if (fd < 0)
		return false;
	if (ecc_input_size(fd, &bytes) != 0) {
		close(fd);
		return false;
	}
	yes = rs03_find_augmented(fd, bytes, &h, &err) == 0;
	if (!yes) {
		struct rs02 r2;
		yes = rs02_find(fd, bytes, &r2) == 0;
	}
	close(fd);
	return yes;
}
