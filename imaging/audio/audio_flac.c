/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_flac.c - FLAC through libFLAC: the encoder behind img_audio_writer
 * and the decoder behind img_audio_reader.  Samples cross this file as
 * little-endian 16-bit stereo bytes, the way they come off a CD.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <FLAC/stream_decoder.h>
#include <FLAC/stream_encoder.h>

#include "imaging/audio/audio_private.h"

#define FLAC_CHUNK 4096             /* samples converted per encoder call */

struct flac_writer {
	FLAC__StreamEncoder *enc;
	char *path;
	FLAC__int32 buf[FLAC_CHUNK * 2];
};

enum sp_status flac_writer_open(struct flac_writer **out, const char *path,
				uint64_t total_samples, struct sp_error *err)
{
	struct flac_writer *w = calloc(1, sizeof(*w));
	FLAC__StreamEncoderInitStatus is;

	*out = NULL;
	if (!w || !(w->enc = FLAC__stream_encoder_new()) || !(w->path = strdup(path))) {
		if (w && w->enc)
			FLAC__stream_encoder_delete(w->enc);
		free(w);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	FLAC__stream_encoder_set_channels(w->enc, 2);
	FLAC__stream_encoder_set_bits_per_sample(w->enc, 16);
	FLAC__stream_encoder_set_sample_rate(w->enc, 44100);
	FLAC__stream_encoder_set_compression_level(w->enc, 5);
	FLAC__stream_encoder_set_total_samples_estimate(w->enc, total_samples);
	/* the encoder checks itself by decoding what it wrote */
	FLAC__stream_encoder_set_verify(w->enc, false);
	is = FLAC__stream_encoder_init_file(w->enc, path, NULL, NULL);
	if (is != FLAC__STREAM_ENCODER_INIT_STATUS_OK) {
		sp_error_set(err, SPE_IO, "cannot create FLAC file '%s'", path);
		sp_error_detail(err, "libFLAC: %s", FLAC__StreamEncoderInitStatusString[is]);
		FLAC__stream_encoder_delete(w->enc);
		free(w->path);
		free(w);
		return SP_FAILED;
	}
	*out = w;
	return SP_OK;
}

enum sp_status flac_writer_write(struct flac_writer *w, const uint8_t *pcm,
				 size_t samples, struct sp_error *err)
{
	while (samples) {
		size_t n = samples < FLAC_CHUNK ? samples : FLAC_CHUNK;

		for (size_t i = 0; i < n * 2; i++)
			w->buf[i] = (int16_t)get_le16(pcm + i * 2);
		if (!FLAC__stream_encoder_process_interleaved(w->enc, w->buf, (unsigned)n)) {
			FLAC__StreamEncoderState s = FLAC__stream_encoder_get_state(w->enc);

			sp_error_set(err, s == FLAC__STREAM_ENCODER_IO_ERROR ? SPE_IO : SPE_LIB,
				     "cannot write FLAC file '%s'", w->path);
			sp_error_detail(err, "libFLAC: %s", FLAC__StreamEncoderStateString[s]);
			return SP_FAILED;
		}
		pcm += n * 4;
		samples -= n;
	}
	return SP_OK;
}

enum sp_status flac_writer_finish(struct flac_writer *w, bool keep,
				  struct sp_error *err)
{
	enum sp_status st = SP_OK;

	if (!FLAC__stream_encoder_finish(w->enc) && keep) {
		sp_error_set(err, SPE_IO, "cannot finish FLAC file '%s'", w->path);
		sp_error_detail(err, "libFLAC: %s",
				FLAC__StreamEncoderStateString[FLAC__stream_encoder_get_state(w->enc)]);
		st = SP_FAILED;
	}
	FLAC__stream_encoder_delete(w->enc);
	free(w->path);
	free(w);
	return st;
}

/* ---- decoding ---------------------------------------------------------- */

struct flac_reader {
	FLAC__StreamDecoder *dec;
	char *path;
	uint8_t *buf;               /* decoded, not yet handed out */
	size_t have, pos, alloc;    /* bytes */
	bool bad_format, error;
	unsigned channels, bits, rate;
};

static FLAC__StreamDecoderWriteStatus on_write(const FLAC__StreamDecoder *d,
	const FLAC__Frame *frame, const FLAC__int32 *const buffer[], void *ctx)
{
	struct flac_reader *r = ctx;
	size_t need = (size_t)frame->header.blocksize * 4;

	(void)d;
	if (frame->header.channels != 2 || frame->header.bits_per_sample != 16) {
		r->bad_format = true;
		return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
	}
	if (r->pos)
		memmove(r->buf, r->buf + r->pos, r->have - r->pos);
	r->have -= r->pos;
	r->pos = 0;
	if (r->have + need > r->alloc) {
		uint8_t *nb = realloc(r->buf, r->have + need);

		if (!nb)
			return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
		r->buf = nb;
		r->alloc = r->have + need;
	}
	for (unsigned i = 0; i < frame->header.blocksize; i++) {
		put_le16(r->buf + r->have + i * 4, (uint32_t)buffer[0][i]);
		put_le16(r->buf + r->have + i * 4 + 2, (uint32_t)buffer[1][i]);
	}
	r->have += need;
	return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

static void on_meta(const FLAC__StreamDecoder *d, const FLAC__StreamMetadata *m, void *ctx)
{
	struct flac_reader *r = ctx;

	(void)d;
	if (m->type == FLAC__METADATA_TYPE_STREAMINFO) {
		r->channels = m->data.stream_info.channels;
		r->bits = m->data.stream_info.bits_per_sample;
		r->rate = m->data.stream_info.sample_rate;
	}
}

static void on_error(const FLAC__StreamDecoder *d, FLAC__StreamDecoderErrorStatus s, void *ctx)
{
	(void)d;
	(void)s;
	((struct flac_reader *)ctx)->error = true;
}

enum sp_status flac_reader_open(struct flac_reader **out, const char *path,
				uint64_t *total_samples, struct sp_error *err)
{
	struct flac_reader *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r || !(r->dec = FLAC__stream_decoder_new()) || !(r->path = strdup(path))) {
		if (r && r->dec)
			FLAC__stream_decoder_delete(r->dec);
		free(r);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	FLAC__stream_decoder_set_md5_checking(r->dec, true);
	if (FLAC__stream_decoder_init_file(r->dec, path, on_write, on_meta, on_error, r) !=
	    FLAC__STREAM_DECODER_INIT_STATUS_OK ||
	    !FLAC__stream_decoder_process_until_end_of_metadata(r->dec) || r->error) {
		sp_error_set(err, SPE_FORMAT, "cannot read FLAC file '%s'", path);
		goto fail;
	}
	if (r->channels != 2 || r->bits != 16 || r->rate != 44100) {
		sp_error_set(err, SPE_FORMAT, "'%s' is not CD audio: %u channels, %u Hz, %u bits",
			     path, r->channels, r->rate, r->bits);
		sp_error_hint(err, "convert it to 16-bit stereo 44.1 kHz first, e.g. with sox");
		goto fail;
	}
	*total_samples = FLAC__stream_decoder_get_total_samples(r->dec);
	*out = r;
	return SP_OK;
fail:
	flac_reader_close(r);
	return SP_FAILED;
}

enum sp_status flac_reader_read(struct flac_reader *r, uint8_t *pcm,
				size_t samples, size_t *got,
				struct sp_error *err)
{
	size_t want = samples * 4, done = 0;

	while (done < want) {
		if (r->pos < r->have) {
			size_t n = r->have - r->pos < want - done ? r->have - r->pos : want - done;

			memcpy(pcm + done, r->buf + r->pos, n);
			r->pos += n;
			done += n;
			continue;
		}
		if (FLAC__stream_decoder_get_state(r->dec) == FLAC__STREAM_DECODER_END_OF_STREAM)
			break;
		if (!FLAC__stream_decoder_process_single(r->dec) || r->error || r->bad_format) {
			sp_error_set(err, SPE_FORMAT, "'%s' is damaged: libFLAC cannot decode it", r->path);
			sp_error_detail(err, "libFLAC: %s",
					FLAC__StreamDecoderStateString[FLAC__stream_decoder_get_state(r->dec)]);
			return SP_FAILED;
		}
	}
	*got = done / 4;
	return SP_OK;
}

void flac_reader_close(struct flac_reader *r)
{
	if (!r)
		return;
	FLAC__stream_decoder_delete(r->dec);
	free(r->buf);
	free(r->path);
	free(r);
}
