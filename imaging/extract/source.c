/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * source.c - what files are extracted from: an image file or a block
 * device read with pread(), or a drive through drv_read() (no retries, no
 * buffered read() on /dev/sr*); and the selection of paths in a tree.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imaging/extract/extract.h"

enum sp_status img_blocks_open(struct img_blocks *s, const char *path, bool drive,
			       struct drv_damage *damage, struct sp_error *err)
{
	struct drv_open_opts dopts = DRV_OPEN_OPTS_INIT;
	off_t end;

	*s = (struct img_blocks)IMG_BLOCKS_INIT;
	dopts.damage = damage;
	if (drive) {
		if (drv_open(&s->drive, path, &dopts, err) != SP_OK)
			return SP_FAILED;
		s->sectors = drv_readable_sectors(s->drive);
		if (s->sectors <= 0) {
			drv_close(s->drive, DRV_KEEP_TRAY);
			s->drive = NULL;
			return sp_error_set(err, SPE_NOMEDIUM, "no readable medium in '%s'", path);
		}
		return SP_OK;
	}
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return sp_error_set_errno(err, errno, "cannot open '%s'", path);
	end = lseek(s->fd, 0, SEEK_END);
	if (end < 0) {
		sp_error_set_errno(err, errno, "cannot find the size of '%s'", path);
		img_blocks_close(s);
		return SP_FAILED;
	}
	s->sectors = ((int64_t)end + SP_SECTOR - 1) / SP_SECTOR;
	return SP_OK;
}

bool img_blocks_read(void *ctx, int64_t lba, unsigned char *buf)
{
	struct img_blocks *s = ctx;
	size_t got = 0;

	if (lba < 0 || lba >= s->sectors)
		return false;
	s->reads++;
	if (s->drive) {
		for (unsigned t = 0;; t++) {
			struct sp_error err = SP_ERROR_INIT;
			uint32_t done = 0;

			if (drv_read(s->drive, lba, 1, buf, &done, &err) == SP_OK)
				return true;
			s->failed++;
			if (t >= s->retries || drv_interrupted())
				return false;
			s->reads++;
		}
	}
	while (got < SP_SECTOR) {
		ssize_t n = pread(s->fd, buf + got, SP_SECTOR - got,
				  (off_t)lba * SP_SECTOR + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			s->failed++;
			return false;
		}
		if (n == 0) {
			memset(buf + got, 0, SP_SECTOR - got);
			break;
		}
		got += (size_t)n;
	}
	return true;
}

uint32_t img_blocks_read_run(void *ctx, int64_t lba, uint32_t n, unsigned char *buf)
{
	struct img_blocks *s = ctx;
	struct sp_error err = SP_ERROR_INIT;
	uint32_t done = 0;

	if (lba < 0 || lba >= s->sectors)
		return 0;
	if (n > (uint64_t)(s->sectors - lba))
		n = (uint32_t)(s->sectors - lba);
	if (!s->drive) {
		for (done = 0; done < n && img_blocks_read(s, lba + done, buf + (size_t)done * SP_SECTOR);)
			done++;
		return done;
	}
	s->reads++;
	if (drv_read(s->drive, lba, n, buf, &done, &err) != SP_OK)
		s->failed++;
	return done;
}

void img_blocks_close(struct img_blocks *s)
{
	if (s->drive)
		drv_close(s->drive, DRV_KEEP_TRAY);
	if (s->fd >= 0)
		close(s->fd);
	*s = (struct img_blocks)IMG_BLOCKS_INIT;
}

static bool under(const char *path, const char *sel)
{
	size_t n = strlen(sel);

	if (!strcmp(sel, "/"))
		return true;
	return !strncmp(path, sel, n) && (path[n] == 0 || path[n] == '/');
}

enum sp_status img_extract_select(const struct img_fs_tree *t, const char *const *paths,
				  size_t n, bool *sel, struct sp_error *err)
{
	for (size_t k = 0; k < n; k++) {
		size_t len = strlen(paths[k]) + 2;
		char *p = malloc(len);
		bool found = false;

		if (!p)
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		snprintf(p, len, "%s%s", paths[k][0] == '/' ? "" : "/", paths[k]);
		while (strlen(p) > 1 && p[strlen(p) - 1] == '/')
			p[strlen(p) - 1] = 0;
		for (size_t i = 0; i < t->n; i++) {
			if (!under(t->v[i].path, p))
				continue;
			found = true;
			for (size_t a = i; !sel[a]; a = t->v[a].parent) {
				sel[a] = true;
				if (!a)
					break;
			}
		}
		if (!found) {
			sp_error_set(err, SPE_NOENT, "'%s' is not in the image", paths[k]);
			free(p);
			return SP_FAILED;
		}
		free(p);
	}
	return SP_OK;
}
