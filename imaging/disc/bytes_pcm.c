/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bytes_pcm.c - the PCM of a WAV or FLAC file as a byte source, padded
 * with silence to whole CD sectors, so that a CUE sheet's WAVE files and
 * a list of audio files lay out on the disc model like BIN files.
 *
 * A canonical WAV (16-bit stereo 44.1 kHz PCM in a data chunk) is a
 * window on the file, read at random.  Anything else the audio reader
 * decodes (FLAC) is decoded in order; a read before the decoder's position
 * starts it again, which sequential readers (burn, convert) never cause.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imaging/audio/audio.h"
#include "imaging/disc/disc_private.h"

struct pcm_ctx {
	struct img_bytes *file;     /* canonical WAV: the file, PCM at base */
	uint64_t base, len;         /* PCM bytes in the file */
	char *path;                 /* decoded: the file to decode */
	struct img_audio_reader *r;
	uint64_t at;                /* decoded: bytes delivered by r so far */
};

static enum sp_status pcm_decode_to(struct pcm_ctx *p, uint64_t off, struct sp_error *err)
{
	uint8_t skip[4 * 1024];

	if (!p->r || off < p->at) {
		img_audio_reader_close(p->r);
		p->r = NULL;
		p->at = 0;
		if (img_audio_reader_open(&p->r, p->path, err) != SP_OK)
			return SP_FAILED;
	}
	while (p->at < off) {
		size_t got, want = (size_t)((off - p->at) / 4 < sizeof(skip) / 4 ?
					    (off - p->at) / 4 : sizeof(skip) / 4);

		if (img_audio_reader_read(p->r, skip, want, &got, err) != SP_OK)
			return SP_FAILED;
		if (!got)
			break;
		p->at += (uint64_t)got * 4;
	}
	return SP_OK;
}

static enum sp_status pcm_read_at(void *vctx, uint64_t off, void *buf, size_t len,
				  struct sp_error *err)
{
	struct pcm_ctx *p = vctx;
	uint8_t *out = buf;
	size_t have = off >= p->len ? 0 : p->len - off < len ? (size_t)(p->len - off) : len;

	memset(out + have, 0, len - have);      /* silence after the PCM */
	if (!have)
		return SP_OK;
	if (p->file)
		return img_bytes_read(p->file, p->base + off, out, have, err);
	/* whole samples: offsets are multiples of 4 for sector reads */
	if (off % 4 || pcm_decode_to(p, off, err) != SP_OK)
		return off % 4 ? sp_error_set(err, SPE_INTERNAL, "PCM read at byte %llu",
					      (unsigned long long)off) : SP_FAILED;
	while (have) {
		size_t got;

		if (img_audio_reader_read(p->r, out, have / 4, &got, err) != SP_OK)
			return SP_FAILED;
		if (!got) {     /* shorter than its header said: silence */
			memset(out, 0, have);
			break;
		}
		p->at += (uint64_t)got * 4;
		out += got * 4;
		have -= got * 4;
	}
	return SP_OK;
}

static void pcm_close(void *vctx)
{
	struct pcm_ctx *p = vctx;

	if (p->file)
		img_bytes_close(p->file);
	img_audio_reader_close(p->r);
	free(p->path);
	free(p);
}

static const struct img_bytes_ops pcm_ops = { pcm_read_at, pcm_close };

int disc_open_pcm(struct img_disc *d, const char *path, uint64_t *samples,
		  struct sp_error *err)
{
	struct pcm_ctx *p = calloc(1, sizeof(*p));
	struct sp_error quiet = SP_ERROR_INIT;
	struct img_bytes *b = NULL;
	uint64_t n;

	if (!p || !(p->path = strdup(path))) {
		free(p);
		sp_error_set(err, SPE_NOMEM, "out of memory");
		return -1;
	}
	/* the audio reader's checks and messages ("is not CD audio") */
	if (img_audio_reader_open(&p->r, path, err) != SP_OK) {
		pcm_close(p);
		return -1;
	}
	n = img_audio_reader_samples(p->r);
	p->len = n * 4;
	if (img_bytes_open_file(&p->file, path, err) != SP_OK) {
		pcm_close(p);
		return -1;
	}
	if (disc_wave_data(p->file, &p->base, &n, &quiet) == SP_OK && n >= p->len) {
		img_audio_reader_close(p->r);   /* read the file directly */
		p->r = NULL;
	} else {
		img_bytes_close(p->file);      /* decode from the reader's start */
		p->file = NULL;
	}
	*samples = p->len / 4;
	if (img_bytes_new(&b, &pcm_ops, p,
			  (p->len + IMG_CD_RAW - 1) / IMG_CD_RAW * IMG_CD_RAW, path, err) != SP_OK)
		return -1;
	return disc_add_file(d, b, err);
}
