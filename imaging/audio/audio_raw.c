/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_raw.c - `rip --raw`: every sector of a CD as 2352 bytes into a BIN
 * file, data and audio tracks alike, with a CUE sheet describing it.
 *
 * A drive is read with MMC READ CD (sync, headers, user data and EDC/ECC
 * of data sectors; audio as it is), optionally with C2 error pointers
 * (294 bytes a sector, one bit per byte).  A batch that fails is read
 * again one sector at a time, and a sector that still fails is written as
 * zeros and listed.  Images have no MMC: libcdio's raw sector reads stand
 * in for READ CD so that the whole path can be tested without a drive.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cdio/cdio.h>
#include <cdio/mmc.h>
#include <cdio/mmc_ll_cmds.h>

#include "imaging/audio/audio_private.h"

#define RAW_BATCH 16
#define C2_BYTES 294

struct raw_ctx {
	CdIo_t *p;
	bool mmc, c2;
	uint8_t *buf;               /* RAW_BATCH * (2352 + 294) */
};

/* Read n sectors at lsn into out (2352 each); count C2-flagged sectors. */
static bool read_batch(struct raw_ctx *c, int64_t lsn, int n, uint8_t *out,
		       int64_t *c2_sectors)
{
	if (!c->mmc)
		return cdio_read_audio_sectors(c->p, out, (lsn_t)lsn, (uint32_t)n) ==
		       DRIVER_OP_SUCCESS;
	if (!c->c2)
		return mmc_read_cd(c->p, out, (lsn_t)lsn, 0, false, true, 3, true, true,
				   0, 0, IMG_CD_RAW, (uint32_t)n) == DRIVER_OP_SUCCESS;
	if (mmc_read_cd(c->p, c->buf, (lsn_t)lsn, 0, false, true, 3, true, true,
			1, 0, IMG_CD_RAW + C2_BYTES, (uint32_t)n) != DRIVER_OP_SUCCESS)
		return false;
	for (int i = 0; i < n; i++) {
		const uint8_t *s = c->buf + (size_t)i * (IMG_CD_RAW + C2_BYTES);
		bool flagged = false;

		memcpy(out + (size_t)i * IMG_CD_RAW, s, IMG_CD_RAW);
		for (int k = 0; k < C2_BYTES && !flagged; k++)
			flagged = s[IMG_CD_RAW + k] != 0;
		*c2_sectors += flagged;
	}
	return true;
}

static enum sp_status write_raw_cue(const struct cdio_toc *toc, const char *bin,
				    const char *cue_path, struct sp_error *err)
{
	struct img_cue cue = IMG_CUE_INIT;
	struct img_cue_file file;
	const char *slash = strrchr(bin, '/');
	enum sp_status st;
	char *text;

	file.name = strdup(slash ? slash + 1 : bin);
	file.type = IMG_CUE_BINARY;
	cue.files = &file;
	cue.n_files = 1;
	cue.tracks = calloc((size_t)toc->n, sizeof(*cue.tracks));
	if (!cue.tracks || !file.name) {
		free(cue.tracks);
		free(file.name);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	for (int i = 0; i < toc->n; i++) {
		const struct cdio_toc_track *t = &toc->t[i];
		struct img_cue_track *c = &cue.tracks[cue.n_tracks++];

		c->number = t->number;
		c->mode = t->audio ? IMG_CUE_AUDIO : t->mode2 ? IMG_CUE_MODE2_2352 : IMG_CUE_MODE1_2352;
		c->file1 = 0;
		c->index1 = t->start;
		c->file0 = t->gap_start < t->start ? 0 : -1;
		c->index0 = t->gap_start < t->start ? t->gap_start : -1;
	}
	text = img_cue_format(&cue);
	free(cue.tracks);
	free(file.name);
	if (!text)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	st = sp_write_file_atomic(cue_path, text, strlen(text), err);
	free(text);
	return st;
}

enum sp_status img_raw_rip(const struct img_raw_rip_opts *o,
			   struct img_raw_rip_result *res,
			   img_raw_progress_fn progress, void *ctx,
			   struct sp_error *err)
{
	struct cdio_source src;
	struct cdio_toc toc;
	struct raw_ctx c = { .p = NULL };
	uint8_t *out = NULL;
	char tmp[4096];
	size_t l = strlen(o->out_bin);
	int fd = -1;
	enum sp_status st = SP_FAILED;

	memset(res, 0, sizeof(*res));
	if (l < 5 || strcasecmp(o->out_bin + l - 4, ".bin") || l + 5 > sizeof(tmp)) {
		sp_error_set(err, SPE_USAGE, "the output '%s' should be named like DISC.bin", o->out_bin);
		sp_error_hint(err, "the CUE sheet is written beside it as DISC.cue");
		return SP_FAILED;
	}
	snprintf(res->cue_path, sizeof(res->cue_path), "%.*s.cue", (int)(l - 4), o->out_bin);
	if (!o->force && (access(o->out_bin, F_OK) == 0 || access(res->cue_path, F_OK) == 0)) {
		sp_error_set(err, SPE_EXISTS, "'%s' already exists",
			     access(o->out_bin, F_OK) == 0 ? o->out_bin : res->cue_path);
		sp_error_hint(err, "choose another name, or add --force to overwrite");
		return SP_FAILED;
	}
	if (cdio_source_open(&src, o->source, err) != SP_OK)
		return SP_FAILED;
	if (cdio_source_toc(&src, &toc, err) != SP_OK)
		goto out;
	c.p = src.cdio;
	c.mmc = !src.is_image;
	c.c2 = o->c2 && c.mmc;
	res->mmc = c.mmc;
	res->n_tracks = toc.n;
	res->sectors = toc.leadout;
	c.buf = malloc((size_t)RAW_BATCH * (IMG_CD_RAW + C2_BYTES));
	out = malloc((size_t)RAW_BATCH * IMG_CD_RAW);
	if (!c.buf || !out) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", o->out_bin);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		sp_error_set_errno(err, errno, "cannot create '%s'", tmp);
		goto out;
	}
	for (int64_t lsn = 0; lsn < toc.leadout; ) {
		int n = toc.leadout - lsn < RAW_BATCH ? (int)(toc.leadout - lsn) : RAW_BATCH;

		if (drv_interrupted()) {
			sp_error_set(err, SPE_ABORTED, "interrupted by signal %d", drv_interrupt_signal());
			goto out;
		}
		if (!read_batch(&c, lsn, n, out, &res->c2_sectors)) {
			if (c.c2 && lsn == 0) {
				/* the drive refuses C2 pointers: go on without */
				c.c2 = false;
				continue;
			}
			for (int i = 0; i < n; i++)
				if (!read_batch(&c, lsn + i, 1, out + (size_t)i * IMG_CD_RAW,
						&res->c2_sectors)) {
					memset(out + (size_t)i * IMG_CD_RAW, 0, IMG_CD_RAW);
					img_ranges_add(&res->bad, lsn + i, 1);
					res->bad_sectors++;
				}
		}
		if (sp_pwrite_all(fd, out, (size_t)n * IMG_CD_RAW, (uint64_t)lsn * IMG_CD_RAW,
				  tmp, err) != SP_OK)
			goto out;
		lsn += n;
		if (progress)
			progress(lsn, toc.leadout, ctx);
	}
	res->c2_used = c.c2;
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		sp_error_set_errno(err, errno, "cannot write '%s'", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, o->out_bin) < 0) {
		sp_error_set_errno(err, errno, "cannot rename '%s' to '%s'", tmp, o->out_bin);
		goto out;
	}
	if (write_raw_cue(&toc, o->out_bin, res->cue_path, err) != SP_OK)
		goto out;
	st = SP_OK;
	if (res->bad_sectors) {
		sp_error_set(err, SPE_READ, "%lld sectors could not be read; they are zeros in '%s'",
			     (long long)res->bad_sectors, o->out_bin);
		err->lba = res->bad.v[0].lba;
		sp_error_hint(err, "'spindle rip' without --raw retries data sectors; "
			      "'--audio' recovers audio with paranoia");
		st = SP_WARN;
	}
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(out);
	free(c.buf);
	cdio_source_close(&src, false);
	return st;
}

void img_raw_rip_result_release(struct img_raw_rip_result *res)
{
	img_ranges_release(&res->bad);
}
