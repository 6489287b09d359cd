/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sectors.c - the one reader of 2048-byte sectors behind the checks
 * (sums/, verify/), the listings and the extraction: an image file or a
 * block device read with pread(), a drive with drv_read(), the data of a
 * disc image of any other format through the disc model, or a callback.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imaging/disc/disc.h"
#include "imaging/fs/fs_private.h"

static enum sp_status read_fd(struct img_sectors *s, int64_t lba, uint32_t count,
			      unsigned char *buf, uint32_t *done, struct sp_error *err)
{
	size_t want = (size_t)count * SP_SECTOR, got = 0;

	while (got < want) {
		ssize_t n = pread(s->fd, buf + got, want - got, (off_t)lba * SP_SECTOR + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*done = (uint32_t)(got / SP_SECTOR);
			sp_error_set_errno(err, errno, "cannot read '%s' at sector %lld", s->name,
					   (long long)(lba + *done));
			err->code = SPE_READ;
			err->lba = lba + *done;
			return SP_FAILED;
		}
		if (n == 0) {
			/* a partial last sector reads as zero-padded */
			memset(buf + got, 0, want - got);
			break;
		}
		got += (size_t)n;
	}
	*done = count;
	return SP_OK;
}

/* One sector of a disc image: its 2048 bytes of mode 1 / form 1 user data. */
static enum sp_status read_disc(struct img_sectors *s, int64_t lba, unsigned char *buf,
				struct sp_error *err)
{
	unsigned char sec[IMG_DISC_RAW];
	size_t len = 0;

	if (img_disc_read_user(s->disc, lba, sec, &len, err) != SP_OK) {
		err->code = SPE_READ;
		err->lba = lba;
		return SP_FAILED;
	}
	if (len != SP_SECTOR) {
		sp_error_set(err, SPE_READ, "sector %lld of '%s' holds %s, not 2048 bytes of data",
			     (long long)lba, s->name, len == IMG_DISC_RAW ? "audio" : "mode 2 form 2 data");
		err->lba = lba;
		return SP_FAILED;
	}
	memcpy(buf, sec, SP_SECTOR);
	return SP_OK;
}

enum sp_status img_sectors_read(struct img_sectors *s, int64_t lba, uint32_t count,
				unsigned char *buf, uint32_t *done, struct sp_error *err)
{
	enum sp_status st = SP_OK;

	*done = 0;
	if (lba < 0 || lba >= s->sectors) {
		sp_error_set(err, SPE_READ, "LBA %lld is beyond the end of '%s' (%lld sectors)",
			     (long long)lba, s->name, (long long)s->sectors);
		err->lba = lba;
		return SP_FAILED;
	}
	if (lba + count > s->sectors)
		count = (uint32_t)(s->sectors - lba);
	s->reads++;
	if (s->drive) {
		st = drv_read(s->drive, lba, count, buf, done, err);
	} else if (s->fd >= 0) {
		st = read_fd(s, lba, count, buf, done, err);
	} else {
		for (; *done < count; ++*done) {
			unsigned char *b = buf + (size_t)*done * SP_SECTOR;

			if (s->disc) {
				if ((st = read_disc(s, lba + *done, b, err)) != SP_OK)
					break;
			} else if (!s->read(s->read_ctx, lba + *done, b)) {
				sp_error_set(err, SPE_READ, "cannot read '%s' at sector %lld",
					     s->name, (long long)(lba + *done));
				err->lba = lba + *done;
				st = SP_FAILED;
				break;
			}
		}
	}
	if (st != SP_OK)
		s->failed++;
	return st;
}

bool img_sectors_block(void *ctx, int64_t lba, unsigned char *buf)
{
	struct img_sectors *s = ctx;

	for (unsigned t = 0;; t++) {
		struct sp_error err = SP_ERROR_INIT;
		uint32_t done = 0;

		if (lba < 0 || lba >= s->sectors)
			return false;
		if (img_sectors_read(s, lba, 1, buf, &done, &err) == SP_OK)
			return true;
		if (!s->drive || t >= s->retries || drv_interrupted())
			return false;
	}
}

uint32_t img_sectors_run(void *ctx, int64_t lba, uint32_t n, unsigned char *buf)
{
	struct sp_error err = SP_ERROR_INIT;
	uint32_t done = 0;

	img_sectors_read(ctx, lba, n, buf, &done, &err);
	return done;
}

void img_sectors_over(struct img_sectors *s, img_block_read_fn read, void *ctx,
		      int64_t sectors, const char *name)
{
	*s = (struct img_sectors)IMG_SECTORS_INIT;
	s->read = read;
	s->read_ctx = ctx;
	s->sectors = sectors;
	s->bytes = sectors * SP_SECTOR;
	s->name = name;
}

/* A disc image of another format than a plain ISO: its data through the
 * model.  *used false when path is to be read as it is. */
static enum sp_status open_disc(struct img_sectors *s, const char *path, bool *used,
				struct sp_error *err)
{
	const char *reader = NULL;
	int data = 0;

	*used = false;
	if (img_disc_probe(path, &reader) == 0 || !reader || !strcmp(reader, "iso"))
		return SP_OK;
	if (img_disc_open(&s->disc, path, err) != SP_OK)
		return SP_FAILED;
	if (!strcmp(s->disc->format, "ISO")) {
		img_disc_close(s->disc);
		s->disc = NULL;
		return SP_OK;
	}
	for (int i = 0; i < s->disc->n_tracks; i++)
		data += s->disc->tracks[i].mode != IMG_DISC_AUDIO &&
			s->disc->tracks[i].mode != IMG_DISC_MODE2_FORM2;
	if (!data) {
		sp_error_set(err, SPE_FORMAT, "'%s' (%s) holds no data track", path, s->disc->format);
		img_disc_close(s->disc);
		s->disc = NULL;
		return SP_FAILED;
	}
	s->sectors = s->disc->n_sessions ? s->disc->sessions[s->disc->n_sessions - 1].leadout
					 : img_disc_end(s->disc);
	s->bytes = s->sectors * SP_SECTOR;
	s->format = s->disc->format;
	*used = true;
	return SP_OK;
}

enum sp_status img_sectors_open(struct img_sectors *s, const char *path,
				enum img_sectors_kind kind, struct drv_damage *damage,
				struct sp_error *err)
{
	struct drv_open_opts dopts = DRV_OPEN_OPTS_INIT;
	struct stat sb;
	bool used;

	*s = (struct img_sectors)IMG_SECTORS_INIT;
	s->name = path;
	s->owned = true;
	if (kind == IMG_SECTORS_DRIVE) {
		dopts.damage = damage;
		if (drv_open(&s->drive, path, &dopts, err) != SP_OK)
			return SP_FAILED;
		s->sectors = drv_readable_sectors(s->drive);
		if (s->sectors <= 0) {
			drv_close(s->drive, DRV_KEEP_TRAY);
			s->drive = NULL;
			return sp_error_set(err, SPE_NOMEDIUM, "no readable medium in '%s'", path);
		}
		s->bytes = s->sectors * SP_SECTOR;
		return SP_OK;
	}
	if (kind == IMG_SECTORS_IMAGE) {
		if (open_disc(s, path, &used, err) != SP_OK)
			return SP_FAILED;
		if (used)
			return SP_OK;
	}
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return sp_error_set_errno(err, errno, "cannot open '%s'", path);
	if (fstat(s->fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		s->bytes = sb.st_size;
	} else {
		off_t end = lseek(s->fd, 0, SEEK_END);

		if (end < 0) {
			sp_error_set_errno(err, errno, "cannot find the size of '%s'", path);
			img_sectors_close(s);
			return SP_FAILED;
		}
		s->bytes = end;
	}
	s->sectors = (s->bytes + SP_SECTOR - 1) / SP_SECTOR;
	return SP_OK;
}

/* A drive's sessions from its table of contents, when it has several: a
 * multi-session CD or DVD±R keeps each session's volume descriptors at its
 * own start + 16 and the oldest at 16 (an overwritable medium or a stdio:
 * file, whose TOC shows one session, keeps the newest at 16: there the
 * descriptors are searched, img_fs_sessions()). */
static size_t drive_sessions(const struct img_sectors *s, int64_t *starts, size_t max)
{
	struct sp_error err = SP_ERROR_INIT;
	struct drv_medium m;
	size_t n = 0;

	if (drv_is_virtual(s->drive) || drv_get_medium(s->drive, &m, &err) != SP_OK)
		return 0;
	for (int k = 1; k <= m.n_sessions && n < max; k++)
		for (int i = 0; i < m.n_tracks; i++)
			if (m.tracks[i].session == k && !m.tracks[i].audio) {
				starts[n++] = m.tracks[i].start_lba;
				break;
			}
	drv_medium_release(&m);
	return n > 1 ? n : 0;
}

size_t img_sectors_sessions(const struct img_sectors *s, int64_t *starts, size_t max)
{
	size_t n = 0;

	if (s->drive)
		return drive_sessions(s, starts, max);
	if (!s->disc)
		return 0;
	/* each session's first data track: where its volume descriptors are */
	for (int k = 0; k < s->disc->n_sessions && n < max; k++)
		for (int i = 0; i < s->disc->n_tracks; i++) {
			const struct img_disc_track *t = &s->disc->tracks[i];

			if (t->session == s->disc->sessions[k].number && t->mode != IMG_DISC_AUDIO) {
				starts[n++] = t->start;
				break;
			}
		}
	return n;
}

void img_sectors_close(struct img_sectors *s)
{
	if (s->owned) {
		if (s->drive)
			drv_close(s->drive, DRV_KEEP_TRAY);
		if (s->fd >= 0)
			close(s->fd);
		if (s->disc)
			img_disc_close(s->disc);
	}
	*s = (struct img_sectors)IMG_SECTORS_INIT;
}
