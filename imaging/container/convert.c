/* SPDX-License-Identifier: GPL-3.0-or-later */
/* convert.c - a container to a plain image: the data track's 2048-byte
 * sectors of a CD image, or the whole image of any other kind. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imaging/container/container_private.h"

#define COPY_BYTES (4u << 20)

/* Where a track's 2048 bytes of user data sit in its frame, or -1. */
static int user_data_at(const struct img_container_track *t)
{
	switch (t->mode) {
	case IMG_CTR_MODE1:
	case IMG_CTR_MODE2_FORM1:
		return 0;
	case IMG_CTR_MODE1_RAW:
		return 16;
	case IMG_CTR_MODE2_RAW:
		return 24;
	case IMG_CTR_MODE2:
	case IMG_CTR_MODE2_FORM_MIX:
		return 8;
	default:
		return -1;
	}
}

static enum sp_status copy_cd(struct img_container *c, int fd, const char *tmp,
			      struct img_container_convert *res,
			      struct sp_error *err)
{
	const struct img_container_track *tr = NULL, *t;
	size_t n = img_container_tracks(c, &t), frames_per = COPY_BYTES / 2448;
	uint8_t *in = NULL, *out = NULL;
	enum sp_status st = SP_FAILED;
	uint64_t first;
	int at = -1;

	res->tracks = (int)n;
	for (size_t i = 0; i < n && !tr; i++)
		if ((at = user_data_at(&t[i])) >= 0)
			tr = &t[i];
	if (!tr)
		return sp_error_set(err, SPE_UNSUPPORTED, "'%s' holds no data track "
				    "to convert to ISO", c->path);
	res->track = tr->number;
	first = tr->pregap_stored ? tr->pregap : 0;
	if (first > tr->frames)
		first = tr->frames;
	in = malloc(frames_per * 2448);
	out = malloc(frames_per * SP_SECTOR);
	if (!in || !out) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	for (uint64_t f = first; f < tr->frames; ) {
		size_t k = tr->frames - f < frames_per ? (size_t)(tr->frames - f) : frames_per;

		if (img_container_read(c, tr->offset + f * tr->frame_stride, in,
				       k * tr->frame_stride, err) != SP_OK)
			goto out;
		for (size_t i = 0; i < k; i++) {
			const uint8_t *s = in + i * tr->frame_stride;

			if ((tr->mode == IMG_CTR_MODE2_RAW || tr->mode == IMG_CTR_MODE2 ||
			     tr->mode == IMG_CTR_MODE2_FORM_MIX) &&
			    (s[at - 8 + 2] & 0x20)) {
				sp_error_set(err, SPE_UNSUPPORTED, "sector %llu of track "
					     "%d is mode 2 form 2 (video or audio), "
					     "which an ISO cannot hold",
					     (unsigned long long)(f + i), tr->number);
				goto out;
			}
			memcpy(out + i * SP_SECTOR, s + at, SP_SECTOR);
		}
		if (sp_pwrite_all(fd, out, k * SP_SECTOR, res->bytes, tmp, err) != SP_OK)
			goto out;
		res->bytes += k * SP_SECTOR;
		f += k;
	}
	st = SP_OK;
out:
	free(in);
	free(out);
	return st;
}

static enum sp_status copy_all(struct img_container *c, int fd, const char *tmp,
			       struct img_container_convert *res,
			       struct sp_error *err)
{
	uint64_t size = img_container_size(c);
	uint8_t *buf = malloc(COPY_BYTES);
	enum sp_status st = SP_OK;

	if (!buf)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	while (st == SP_OK && res->bytes < size) {
		size_t n = size - res->bytes < COPY_BYTES ? (size_t)(size - res->bytes) :
			COPY_BYTES;

		st = img_container_read(c, res->bytes, buf, n, err);
		if (st == SP_OK)
			st = sp_pwrite_all(fd, buf, n, res->bytes, tmp, err);
		if (st == SP_OK)
			res->bytes += n;
	}
	free(buf);
	return st;
}

enum sp_status img_container_to_iso(const char *in_path, const char *out_path,
				    bool force,
				    const struct img_container_opts *opts,
				    struct img_container_convert *res,
				    struct sp_error *err)
{
	struct img_container *c = NULL;
	enum sp_status st = SP_FAILED;
	char tmp[4096];
	double t0 = sp_now();
	int fd = -1;

	memset(res, 0, sizeof(*res));
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", out_path) >= (int)sizeof(tmp))
		return sp_error_set(err, SPE_USAGE, "output name too long");
	if (!force && access(out_path, F_OK) == 0) {
		sp_error_set(err, SPE_EXISTS, "'%s' already exists", out_path);
		sp_error_hint(err, "choose another name, or add --force to overwrite");
		return SP_FAILED;
	}
	if (img_container_open(in_path, opts, &c, err) != SP_OK)
		return SP_FAILED;
	res->format = c->format;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		sp_error_set_errno(err, errno, "cannot create '%s'", tmp);
		goto out;
	}
	st = c->ntracks ? copy_cd(c, fd, tmp, res, err) : copy_all(c, fd, tmp, res, err);
	if (st == SP_OK && fsync(fd) != 0)
		st = sp_error_set_errno(err, errno, "cannot write '%s'", tmp);
	if (close(fd) != 0 && st == SP_OK)
		st = sp_error_set_errno(err, errno, "cannot write '%s'", tmp);
	fd = -1;
	if (st == SP_OK && rename(tmp, out_path) != 0)
		st = sp_error_set_errno(err, errno, "cannot rename '%s' to '%s'", tmp,
					out_path);
	if (st != SP_OK)
		unlink(tmp);
out:
	res->format = c ? res->format : NULL;
	img_container_close(c);
	res->seconds = sp_now() - t0;
	return st;
}
