/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_pcm.c - PCM files: writing a track as WAV or FLAC (through
 * audio_flac.c) and reading WAV or FLAC back, for checks and burning.
 *
 * A writer writes PATH.tmp and renames it over PATH when closed with
 * keep=true after an fsync, so PATH is never a half-written track.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imaging/audio/audio_private.h"

const char *img_audio_format_ext(enum img_audio_format f)
{
	return f == IMG_AUDIO_WAV ? "wav" : "flac";
}

struct img_audio_writer {
	enum img_audio_format format;
	char *path, *tmp;
	FILE *f;                    /* WAV */
	struct flac_writer *flac;   /* FLAC */
	uint64_t total, written;
};

static void wav_header(uint8_t h[44], uint64_t samples)
{
	uint32_t data = (uint32_t)(samples * 4);

	memcpy(h, "RIFF", 4);
	put_le32(h + 4, 36 + data);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le32(h + 16, 16);
	put_le16(h + 20, 1);            /* PCM */
	put_le16(h + 22, 2);            /* channels */
	put_le32(h + 24, 44100);
	put_le32(h + 28, 44100 * 4);
	put_le16(h + 32, 4);            /* block align */
	put_le16(h + 34, 16);           /* bits */
	memcpy(h + 36, "data", 4);
	put_le32(h + 40, data);
}

enum sp_status img_audio_writer_open(struct img_audio_writer **out,
				     const char *path, enum img_audio_format f,
				     uint64_t total_samples, struct sp_error *err)
{
	struct img_audio_writer *w = calloc(1, sizeof(*w));
	uint8_t h[44];

	*out = NULL;
	if (!w)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	w->format = f;
	w->total = total_samples;
	w->path = strdup(path);
	w->tmp = malloc(strlen(path) + 5);
	if (!w->path || !w->tmp) {
		free(w->path);
		free(w->tmp);
		free(w);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	sprintf(w->tmp, "%s.tmp", path);
	if (total_samples * 4 > UINT32_MAX - 36) {
		img_audio_writer_close(w, false, NULL);
		return sp_error_set(err, SPE_TOOBIG, "'%s': a track this long does not fit a WAV or FLAC file", path);
	}
	if (f == IMG_AUDIO_FLAC) {
		if (flac_writer_open(&w->flac, w->tmp, total_samples, err) != SP_OK) {
			img_audio_writer_close(w, false, NULL);
			return SP_FAILED;
		}
	} else {
		w->f = fopen(w->tmp, "wb");
		if (!w->f) {
			sp_error_set_errno(err, errno, "cannot create '%s'", w->tmp);
			img_audio_writer_close(w, false, NULL);
			return SP_FAILED;
		}
		wav_header(h, total_samples);
		if (fwrite(h, 1, sizeof(h), w->f) != sizeof(h)) {
			sp_error_set_errno(err, errno, "cannot write '%s'", w->tmp);
			img_audio_writer_close(w, false, NULL);
			return SP_FAILED;
		}
	}
	*out = w;
	return SP_OK;
}

enum sp_status img_audio_writer_write(struct img_audio_writer *w,
				      const void *pcm, size_t samples,
				      struct sp_error *err)
{
	if (w->written + samples > w->total)
		return sp_error_set(err, SPE_INTERNAL, "'%s': more samples than announced", w->path);
	w->written += samples;
	if (w->flac)
		return flac_writer_write(w->flac, pcm, samples, err);
	if (fwrite(pcm, 4, samples, w->f) != samples)
		return sp_error_set_errno(err, errno, "cannot write '%s'", w->tmp);
	return SP_OK;
}

static enum sp_status sync_path(const char *path, struct sp_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return sp_error_set_errno(err, e, "cannot write '%s'", path);
	}
	close(fd);
	return SP_OK;
}

enum sp_status img_audio_writer_close(struct img_audio_writer *w, bool keep,
				      struct sp_error *err)
{
	struct sp_error scratch = SP_ERROR_INIT;
	enum sp_status st = SP_OK;

	if (!err)
		err = &scratch;
	if (keep && w->written != w->total)
		st = sp_error_set(err, SPE_INTERNAL, "'%s': %llu samples written, %llu announced",
				  w->path, (unsigned long long)w->written,
				  (unsigned long long)w->total);
	if (w->flac && flac_writer_finish(w->flac, keep && st == SP_OK, err) != SP_OK)
		st = SP_FAILED;
	if (w->f) {
		if (fflush(w->f) != 0 || (keep && fsync(fileno(w->f)) < 0)) {
			if (st == SP_OK)
				st = sp_error_set_errno(err, errno, "cannot write '%s'", w->tmp);
		}
		if (fclose(w->f) != 0 && st == SP_OK)
			st = sp_error_set_errno(err, errno, "cannot write '%s'", w->tmp);
	} else if (w->flac && keep && st == SP_OK) {
		st = sync_path(w->tmp, err);
	}
	if (keep && st == SP_OK && rename(w->tmp, w->path) < 0)
		st = sp_error_set_errno(err, errno, "cannot rename '%s' to '%s'", w->tmp, w->path);
	if (!keep || st != SP_OK)
		unlink(w->tmp);
	free(w->path);
	free(w->tmp);
	free(w);
	return st;
}

/* ---- reading ----------------------------------------------------------- */

struct img_audio_reader {
	char *path;
	FILE *f;                    /* WAV */
	uint64_t left;              /* WAV samples still to read */
	struct flac_reader *flac;
	uint64_t total;
};

/* Find the "fmt " and "data" chunks; leave f at the data. */
static enum sp_status wav_open(struct img_audio_reader *r, struct sp_error *err)
{
	uint8_t h[12], ch[8], fmt[16];
	bool have_fmt = false;

	if (fread(h, 1, 12, r->f) != 12 || memcmp(h + 8, "WAVE", 4))
		goto bad;
	for (;;) {
		uint32_t size;

		if (fread(ch, 1, 8, r->f) != 8)
			goto bad;
		size = get_le32(ch + 4);
		if (!memcmp(ch, "fmt ", 4)) {
			if (size < 16 || fread(fmt, 1, 16, r->f) != 16)
				goto bad;
			if (fseek(r->f, (long)(size - 16 + (size & 1)), SEEK_CUR) < 0)
				goto bad;
			have_fmt = true;
			if ((get_le16(fmt) != 1 && get_le16(fmt) != 0xfffe) ||
			    get_le16(fmt + 2) != 2 || get_le32(fmt + 4) != 44100 ||
			    get_le16(fmt + 14) != 16) {
				sp_error_set(err, SPE_FORMAT,
					     "'%s' is not CD audio: %u channels, %u Hz, %u bits",
					     r->path, get_le16(fmt + 2), get_le32(fmt + 4),
					     get_le16(fmt + 14));
				sp_error_hint(err, "convert it to 16-bit stereo 44.1 kHz first, e.g. with sox");
				return SP_FAILED;
			}
		} else if (!memcmp(ch, "data", 4)) {
			if (!have_fmt)
				goto bad;
			r->total = r->left = size / 4;
			return SP_OK;
		} else if (fseek(r->f, (long)size + (size & 1), SEEK_CUR) < 0) {
			goto bad;
		}
	}
bad:
	sp_error_set(err, SPE_FORMAT, "'%s' is not a WAV file spindle can read", r->path);
	sp_error_hint(err, "spindle reads PCM WAV and FLAC files");
	return SP_FAILED;
}

enum sp_status img_audio_reader_open(struct img_audio_reader **out,
				     const char *path, struct sp_error *err)
{
	struct img_audio_reader *r = calloc(1, sizeof(*r));
	uint8_t magic[4];

	*out = NULL;
	if (!r || !(r->path = strdup(path))) {
		free(r);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	r->f = fopen(path, "rb");
	if (!r->f) {
		sp_error_set_errno(err, errno, "cannot open '%s'", path);
		goto fail;
	}
	if (fread(magic, 1, 4, r->f) != 4) {
		sp_error_set(err, SPE_FORMAT, "'%s' is neither a WAV nor a FLAC file", path);
		goto fail;
	}
	if (!memcmp(magic, "fLaC", 4)) {
		fclose(r->f);
		r->f = NULL;
		if (flac_reader_open(&r->flac, path, &r->total, err) != SP_OK)
			goto fail;
	} else if (!memcmp(magic, "RIFF", 4)) {
		rewind(r->f);
		if (wav_open(r, err) != SP_OK)
			goto fail;
	} else {
		sp_error_set(err, SPE_FORMAT, "'%s' is neither a WAV nor a FLAC file", path);
		goto fail;
	}
	*out = r;
	return SP_OK;
fail:
	img_audio_reader_close(r);
	return SP_FAILED;
}

uint64_t img_audio_reader_samples(const struct img_audio_reader *r)
{
	return r->total;
}

enum sp_status img_audio_reader_read(struct img_audio_reader *r, void *pcm,
				     size_t samples, size_t *got,
				     struct sp_error *err)
{
	size_t n;

	if (r->flac)
		return flac_reader_read(r->flac, pcm, samples, got, err);
	n = samples < r->left ? samples : (size_t)r->left;
	*got = fread(pcm, 4, n, r->f);
	r->left -= *got;
	if (*got < n) {
		if (ferror(r->f))
			return sp_error_set_errno(err, EIO, "cannot read '%s'", r->path);
		r->left = 0;    /* a truncated file ends early */
	}
	return SP_OK;
}

void img_audio_reader_close(struct img_audio_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	if (r->flac)
		flac_reader_close(r->flac);
	free(r->path);
	free(r);
}
