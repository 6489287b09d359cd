/* SPDX-License-Identifier: GPL-3.0-or-later */
/* codec.c - one call per Debian codec library: decode a chunk to exactly
 * the bytes the container table promises. */
#include "config.h"

#include <bzlib.h>
#include <lzma.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <FLAC/stream_decoder.h>

#include "imaging/container/container_private.h"

/* One inflate state per thread too, reset per chunk (see thread_lzma()). */
struct thread_zlib {
	z_stream z;
	int wbits;              /* 0: not initialised */
};
static pthread_key_t zlib_key;
static pthread_once_t zlib_once = PTHREAD_ONCE_INIT;

static void zlib_state_free(void *p)
{
	struct thread_zlib *t = p;

	if (t->wbits)
		inflateEnd(&t->z);
	free(t);
}

static void zlib_key_make(void)
{
	if (pthread_key_create(&zlib_key, zlib_state_free) != 0)
		zlib_key = (pthread_key_t)-1;
}

static z_stream *thread_zlib(int wbits)
{
	struct thread_zlib *t;

	pthread_once(&zlib_once, zlib_key_make);
	if (zlib_key == (pthread_key_t)-1)
		return NULL;
	t = pthread_getspecific(zlib_key);
	if (!t) {
		if (!(t = calloc(1, sizeof(*t))))
			return NULL;
		if (pthread_setspecific(zlib_key, t) != 0) {
			free(t);
			return NULL;
		}
	}
	if (t->wbits == wbits)
		return inflateReset(&t->z) == Z_OK ? &t->z : NULL;
	if (t->wbits)
		inflateEnd(&t->z);
	memset(&t->z, 0, sizeof(t->z));
	t->wbits = inflateInit2(&t->z, wbits) == Z_OK ? wbits : 0;
	return t->wbits ? &t->z : NULL;
}

static int zlib_decode(int wbits, const uint8_t *in, size_t inlen, uint8_t *out,
		       size_t outlen, size_t *used, const char **why)
{
	z_stream local, *ts = thread_zlib(wbits), *zp = ts ? ts : &local;
	int rc;

	if (!ts) {
		memset(&local, 0, sizeof(local));
		if (inflateInit2(&local, wbits) != Z_OK) {
			*why = "zlib cannot start";
			return -1;
		}
	}
	zp->next_in = (Bytef *)in;
	zp->next_out = out;
	rc = Z_OK;
	/* avail_* are 32-bit: feed large buffers in steps */
	while (rc == Z_OK) {
		size_t inleft = inlen - (size_t)((const uint8_t *)zp->next_in - in);
		size_t outleft = outlen - (size_t)(zp->next_out - out);

		if (outleft == 0)
			break;
		zp->avail_in = inleft > 1u << 30 ? 1u << 30 : (uInt)inleft;
		zp->avail_out = outleft > 1u << 30 ? 1u << 30 : (uInt)outleft;
		rc = inflate(zp, Z_FINISH);
		if (rc == Z_BUF_ERROR && zp->avail_out != 0 && inleft == 0)
			break;
		if (rc == Z_BUF_ERROR)
			rc = Z_OK;
	}
	if (used)
		*used = (size_t)((const uint8_t *)zp->next_in - in);
	if (!ts)
		inflateEnd(zp);
	if (rc != Z_OK && rc != Z_STREAM_END) {
		*why = zp->msg ? "corrupt deflate data" : "deflate data ends early";
		return -1;
	}
	if ((size_t)(zp->next_out - out) != outlen) {
		*why = "deflate data ends early";
		return -1;
	}
	return 0;
}

static int bzip2_decode(const uint8_t *in, size_t inlen, uint8_t *out,
			size_t outlen, const char **why)
{
	unsigned int dlen = (unsigned int)outlen;
	int rc;

	if (inlen > 0xffffffffu || outlen > 0xffffffffu) {
		*why = "bzip2 chunk too large";
		return -1;
	}
	rc = BZ2_bzBuffToBuffDecompress((char *)out, &dlen, (char *)in,
					(unsigned int)inlen, 0, 0);
	if (rc == BZ_OUTBUFF_FULL || (rc == BZ_OK && dlen != outlen)) {
		*why = "bzip2 chunk has the wrong size";
		return -1;
	}
	if (rc != BZ_OK) {
		*why = "corrupt bzip2 data";
		return -1;
	}
	return 0;
}

static int zstd_decode(const uint8_t *in, size_t inlen, uint8_t *out,
		       size_t outlen, const char **why)
{
	size_t n = ZSTD_decompress(out, outlen, in, inlen);

	if (ZSTD_isError(n)) {
		*why = "corrupt zstd data";
		return -1;
	}
	if (n != outlen) {
		*why = "zstd chunk has the wrong size";
		return -1;
	}
	return 0;
}

/*
 * One LZMA decoder per thread, kept from chunk to chunk: liblzma re-inits a
 * stream whose filter chain is unchanged in place, keeping its dictionary
 * and probability tables, where a new decoder per chunk (a CHD hunk is
 * 19 KiB) allocated and faulted them in each time: 14% more CPU than
 * chdman on a CD image.  Freed when the thread ends.
 */
static pthread_key_t lzma_key;
static pthread_once_t lzma_once = PTHREAD_ONCE_INIT;

static void lzma_stream_free(void *p)
{
	lzma_end(p);
	free(p);
}

static void lzma_key_make(void)
{
	if (pthread_key_create(&lzma_key, lzma_stream_free) != 0)
		lzma_key = (pthread_key_t)-1;
}

static lzma_stream *thread_lzma(void)
{
	lzma_stream *s;

	pthread_once(&lzma_once, lzma_key_make);
	if (lzma_key == (pthread_key_t)-1)
		return NULL;
	s = pthread_getspecific(lzma_key);
	if (!s && (s = malloc(sizeof(*s)))) {
		*s = (lzma_stream)LZMA_STREAM_INIT;
		if (pthread_setspecific(lzma_key, s) != 0) {
			free(s);
			s = NULL;
		}
	}
	return s;
}

static int lzma_decode(const struct ctr_lzma_props *lz, bool bcj,
		       const uint8_t *in, size_t inlen, uint8_t *out,
		       size_t outlen, size_t *used, const char **why)
{
	lzma_options_lzma opt;
	lzma_filter f[3];
	lzma_stream local = LZMA_STREAM_INIT, *ts = thread_lzma(), *sp = ts ? ts : &local;
	lzma_ret rc;
	int n = 0;

	if (!lz || lz->lc > 8 || lz->lp > 4 || lz->pb > 4 || lz->lc + lz->lp > 4) {
		*why = "bad LZMA properties";
		return -1;
	}
	memset(&opt, 0, sizeof(opt));
	lzma_lzma_preset(&opt, 0);
	opt.lc = lz->lc;
	opt.lp = lz->lp;
	opt.pb = lz->pb;
	opt.dict_size = lz->dict < LZMA_DICT_SIZE_MIN ? LZMA_DICT_SIZE_MIN :
		lz->dict > (64u << 20) ? (64u << 20) : lz->dict;
	/* LZMA1EXT: the size is known, so the decoder (and BCJ after it)
	 * ends exactly there, with or without an end marker */
	opt.ext_flags = LZMA_LZMA1EXT_ALLOW_EOPM;
	opt.ext_size_low = (uint32_t)outlen;
	opt.ext_size_high = (uint32_t)((uint64_t)outlen >> 32);
	if (bcj)
		f[n++] = (lzma_filter){ LZMA_FILTER_X86, NULL };
	f[n++] = (lzma_filter){ LZMA_FILTER_LZMA1EXT, &opt };
	f[n] = (lzma_filter){ LZMA_VLI_UNKNOWN, NULL };
	if (lzma_raw_decoder(sp, f) != LZMA_OK) {
		*why = "liblzma cannot start";
		return -1;
	}
	sp->next_in = in;
	sp->avail_in = inlen;
	sp->next_out = out;
	sp->avail_out = outlen;
	do
		rc = lzma_code(sp, LZMA_FINISH);
	while (rc == LZMA_OK && sp->avail_out);
	if (used)
		*used = inlen - sp->avail_in;
	if (!ts)
		lzma_end(sp);
	if (sp->avail_out == 0)
		return 0;
	*why = rc == LZMA_OK || rc == LZMA_STREAM_END || rc == LZMA_BUF_ERROR ?
		"LZMA data ends early" : "corrupt LZMA data";
	return -1;
}

int ctr_decode(enum ctr_codec codec, const struct ctr_lzma_props *lz,
	       const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen,
	       size_t *used, const char **why)
{
	if (used)
		*used = inlen;
	switch (codec) {
	case CTR_ZLIB:
		return zlib_decode(15, in, inlen, out, outlen, used, why);
	case CTR_DEFLATE:
		return zlib_decode(-15, in, inlen, out, outlen, used, why);
	case CTR_BZIP2:
		return bzip2_decode(in, inlen, out, outlen, why);
	case CTR_ZSTD:
		return zstd_decode(in, inlen, out, outlen, why);
	case CTR_LZMA1:
		return lzma_decode(lz, false, in, inlen, out, outlen, used, why);
	case CTR_LZMA1_BCJ:
		return lzma_decode(lz, true, in, inlen, out, outlen, used, why);
	}
	*why = "unknown codec";
	return -1;
}

/* ---- FLAC frames behind a made-up stream header ---- */

struct flac_ctx {
	const uint8_t *hdr, *in;
	size_t hlen, hpos, inlen, inpos;
	uint8_t *out;
	size_t outlen, outpos;
	bool be, bad;
};

static FLAC__StreamDecoderReadStatus flac_read(const FLAC__StreamDecoder *d,
	FLAC__byte buffer[], size_t *bytes, void *arg)
{
	struct flac_ctx *x = arg;
	size_t n = 0, want = *bytes;

	(void)d;
	if (x->hpos < x->hlen) {
		n = x->hlen - x->hpos < want ? x->hlen - x->hpos : want;
		memcpy(buffer, x->hdr + x->hpos, n);
		x->hpos += n;
	} else if (x->inpos < x->inlen) {
		n = x->inlen - x->inpos < want ? x->inlen - x->inpos : want;
		memcpy(buffer, x->in + x->inpos, n);
		x->inpos += n;
	}
	*bytes = n;
	return n ? FLAC__STREAM_DECODER_READ_STATUS_CONTINUE :
		FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM;
}

static FLAC__StreamDecoderTellStatus flac_tell(const FLAC__StreamDecoder *d,
	FLAC__uint64 *pos, void *arg)
{
	struct flac_ctx *x = arg;

	(void)d;
	*pos = x->hpos + x->inpos;
	return FLAC__STREAM_DECODER_TELL_STATUS_OK;
}

static FLAC__StreamDecoderWriteStatus flac_write(const FLAC__StreamDecoder *d,
	const FLAC__Frame *frame, const FLAC__int32 *const buffer[], void *arg)
{
	struct flac_ctx *x = arg;

	(void)d;
	if (frame->header.channels != 2 || frame->header.bits_per_sample != 16) {
		x->bad = true;
		return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
	}
	for (unsigned i = 0; i < frame->header.blocksize; i++) {
		if (x->outlen - x->outpos < 4)
			return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
		for (int ch = 0; ch < 2; ch++) {
			uint16_t v = (uint16_t)buffer[ch][i];
			uint8_t *o = x->out + x->outpos;

			o[0] = x->be ? (uint8_t)(v >> 8) : (uint8_t)v;
			o[1] = x->be ? (uint8_t)v : (uint8_t)(v >> 8);
			x->outpos += 2;
		}
	}
	return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

static void flac_error(const FLAC__StreamDecoder *d,
		       FLAC__StreamDecoderErrorStatus status, void *arg)
{
	(void)d, (void)status;
	((struct flac_ctx *)arg)->bad = true;
}

int ctr_flac_decode(const uint8_t *in, size_t inlen, uint32_t blocksize,
		    uint8_t *out, size_t outlen, bool be, size_t *used,
		    const char **why)
{
	/* "fLaC" + last-metadata STREAMINFO of 34 bytes */
	uint8_t hdr[42] = { 'f', 'L', 'a', 'C', 0x80, 0, 0, 34 };
	struct flac_ctx x = { .hdr = hdr, .hlen = sizeof(hdr), .in = in,
			      .inlen = inlen, .out = out, .outlen = outlen,
			      .be = be };
	FLAC__StreamDecoder *d;
	uint64_t pos = 0;

	if (blocksize < 16 || blocksize > 65535) {
		*why = "bad FLAC block size";
		return -1;
	}
	hdr[8] = (uint8_t)(blocksize >> 8), hdr[9] = (uint8_t)blocksize;
	hdr[10] = (uint8_t)(blocksize >> 8), hdr[11] = (uint8_t)blocksize;
	/* frame sizes 0 (unknown); 44100 Hz, 2 channels, 16 bits, 0 samples */
	hdr[18] = 0x0a, hdr[19] = 0xc4, hdr[20] = 0x42, hdr[21] = 0xf0;
	d = FLAC__stream_decoder_new();
	if (!d) {
		*why = "out of memory";
		return -1;
	}
	FLAC__stream_decoder_set_md5_checking(d, false);
	if (FLAC__stream_decoder_init_stream(d, flac_read, NULL, flac_tell, NULL, NULL,
		flac_write, NULL, flac_error, &x) != FLAC__STREAM_DECODER_INIT_STATUS_OK) {
		FLAC__stream_decoder_delete(d);
		*why = "libFLAC cannot start";
		return -1;
	}
	if (!FLAC__stream_decoder_process_until_end_of_metadata(d))
		x.bad = true;
	while (!x.bad && x.outpos < x.outlen) {
		if (!FLAC__stream_decoder_process_single(d))
			break;
		if (FLAC__stream_decoder_get_state(d) == FLAC__STREAM_DECODER_END_OF_STREAM)
			break;
	}
	/* where the last frame ended, for the data that follows it */
	if (!FLAC__stream_decoder_get_decode_position(d, &pos))
		pos = x.hlen + x.inpos;
	FLAC__stream_decoder_delete(d);
	if (x.bad || x.outpos != x.outlen) {
		*why = "corrupt FLAC data";
		return -1;
	}
	if (used)
		*used = pos >= x.hlen && pos - x.hlen <= inlen ? (size_t)(pos - x.hlen) : inlen;
	return 0;
}
