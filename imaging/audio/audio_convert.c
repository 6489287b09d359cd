/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_convert.c - a BIN/CUE image's data track to an ISO file: the
 * 2048-byte user data of each sector, found by the sector's own header
 * (mode 1 at byte 16, mode 2 form 1 at byte 24 after the subheader).
 * Mode 2 form 2 sectors (video CDs) have no place in an ISO and are
 * refused, as are sectors without a sync pattern in a 2352-byte track.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imaging/audio/audio_private.h"

static const uint8_t sync_pattern[12] = {
	0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00
};

/* The user data of one raw sector, or NULL with err set. */
static const uint8_t *user_data(const uint8_t *s, enum img_cue_mode mode,
				int64_t n, int track, struct sp_error *err)
{
	switch (mode) {
	case IMG_CUE_MODE1_2048:
		return s;
	case IMG_CUE_MODE2_2336:
		if (s[2] & 0x20)
			break;
		return s + 8;
	case IMG_CUE_MODE1_2352:
	case IMG_CUE_MODE2_2352:
		if (memcmp(s, sync_pattern, sizeof(sync_pattern))) {
			sp_error_set(err, SPE_FORMAT, "sector %lld of track %d has no sync pattern: "
				     "it is not a %s sector", (long long)n, track,
				     img_cue_mode_name(mode));
			sp_error_hint(err, "check the track's mode in the CUE sheet");
			return NULL;
		}
		if (s[15] == 1)
			return s + 16;
		if (s[15] == 2 && !(s[18] & 0x20))
			return s + 24;
		if (s[15] != 2) {
			sp_error_set(err, SPE_FORMAT, "sector %lld of track %d has mode %u",
				     (long long)n, track, s[15]);
			return NULL;
		}
		break;
	default:
		break;
	}
	sp_error_set(err, SPE_UNSUPPORTED, "sector %lld of track %d is mode 2 form 2 "
		     "(video or XA audio): it has no place in an ISO image", (long long)n, track);
	return NULL;
}

enum sp_status img_cue_to_iso(const char *cue_path, const char *iso_path,
			      bool force, struct img_convert_result *res,
			      struct sp_error *err)
{
	struct img_cue cue;
	int64_t *sizes = NULL;
	struct img_cue_track *t = NULL;
	char *bin = NULL, tmp[4096];
	uint8_t *buf = NULL;
	FILE *in = NULL;
	int out = -1, bytes;
	enum sp_status st = SP_FAILED;

	memset(res, 0, sizeof(*res));
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", iso_path) >= (int)sizeof(tmp))
		return sp_error_set(err, SPE_USAGE, "output name too long");
	if (!force && access(iso_path, F_OK) == 0) {
		sp_error_set(err, SPE_EXISTS, "'%s' already exists", iso_path);
		sp_error_hint(err, "choose another name, or add --force to overwrite");
		return SP_FAILED;
	}
	if (img_cue_load(&cue, cue_path, err) != SP_OK)
		return SP_FAILED;
	sizes = calloc((size_t)cue.n_files, sizeof(*sizes));
	if (!sizes) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < cue.n_files; i++) {
		char *p = img_cue_file_path(cue_path, cue.files[i].name);
		struct stat sb;
		int sb_bytes = 2352;

		if (!p || stat(p, &sb) < 0) {
			sp_error_set_errno(err, p ? errno : ENOMEM,
					   "CUE sheet '%s' names track file '%s'", cue_path,
					   p ? p : cue.files[i].name);
			sp_error_hint(err, "put the file next to the sheet, or correct its FILE line");
			free(p);
			goto out;
		}
		free(p);
		for (int k = 0; k < cue.n_tracks; k++)
			if (cue.tracks[k].file1 == i) {
				sb_bytes = img_cue_sector_bytes(cue.tracks[k].mode);
				break;
			}
		sizes[i] = (int64_t)sb.st_size / sb_bytes;
	}
	if (img_cue_resolve(&cue, sizes, err) != SP_OK)
		goto out;
	for (int i = 0; i < cue.n_tracks && !t; i++)
		if (cue.tracks[i].mode != IMG_CUE_AUDIO)
			t = &cue.tracks[i];
	if (!t) {
		sp_error_set(err, SPE_MEDIUM, "'%s' holds only audio tracks: there is no data to "
			     "put in an ISO image", cue_path);
		sp_error_hint(err, "rip the audio with 'spindle rip --audio -o DIR %s'", cue_path);
		goto out;
	}
	if (t->mode == IMG_CUE_CDG) {
		sp_error_set(err, SPE_UNSUPPORTED, "track %d is CD+G: it has no place in an ISO image",
			     t->number);
		goto out;
	}
	res->track = t->number;
	res->mode = t->mode;
	res->sectors = t->sectors - t->postgap;
	bytes = img_cue_sector_bytes(t->mode);
	/* the data track's sectors inside its file */
	if (t->file1 + 1 < cue.n_files && res->sectors > sizes[t->file1] - t->index1)
		res->sectors = sizes[t->file1] - t->index1;
	bin = img_cue_file_path(cue_path, cue.files[t->file1].name);
	buf = malloc((size_t)bytes * 64);
	if (!bin || !buf) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	in = fopen(bin, "rb");
	if (!in || fseeko(in, (off_t)t->index1 * bytes, SEEK_SET) < 0) {
		sp_error_set_errno(err, errno, "cannot read '%s'", bin);
		goto out;
	}
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (out < 0) {
		sp_error_set_errno(err, errno, "cannot create '%s'", tmp);
		goto out;
	}
	for (int64_t n = 0; n < res->sectors; ) {
		int k = res->sectors - n < 64 ? (int)(res->sectors - n) : 64;

		if (fread(buf, (size_t)bytes, (size_t)k, in) != (size_t)k) {
			sp_error_set(err, SPE_FORMAT, "'%s' ends inside track %d", bin, t->number);
			goto out;
		}
		for (int i = 0; i < k; i++) {
			const uint8_t *d = user_data(buf + (size_t)i * bytes, t->mode, n + i,
						     t->number, err);

			if (!d || sp_pwrite_all(out, d, SP_SECTOR, (uint64_t)(n + i) * SP_SECTOR,
						tmp, err) != SP_OK)
				goto out;
		}
		n += k;
	}
	if (fsync(out) < 0) {
		sp_error_set_errno(err, errno, "cannot write '%s'", tmp);
		goto out;
	}
	if (close(out) < 0) {
		out = -1;
		sp_error_set_errno(err, errno, "cannot write '%s'", tmp);
		unlink(tmp);
		goto out;
	}
	out = -1;
	if (rename(tmp, iso_path) < 0) {
		sp_error_set_errno(err, errno, "cannot rename '%s' to '%s'", tmp, iso_path);
		unlink(tmp);
		goto out;
	}
	st = SP_OK;
out:
	if (out >= 0) {
		close(out);
		unlink(tmp);
	}
	if (in)
		fclose(in);
	free(buf);
	free(bin);
	free(sizes);
	img_cue_release(&cue);
	return st;
}
