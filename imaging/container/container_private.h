/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * container_private.h - what the container readers (chd.c, dmg.c, daa.c,
 * isz.c) share with the dispatcher (container.c), the decode pool
 * (decode_pool.c), the primitives (image.c) and the codecs (codec.c, chd_huff.c).
 *
 * Calls go one way: container.c -> readers, decode_pool.c -> image.c; readers
 * -> image.c, codec.c, chd_huff.c.  The dispatcher and the pool reach the
 * readers only through struct ctr_reader.
 *
 * A reader describes its image as a list of chunks: chunk i covers image
 * bytes [ctr_chunk_start(c, i), ctr_chunk_start(c, i + 1)).  Either all
 * chunks have the size `chunk_size` (the last one may be short), or the
 * reader fills `starts` (nchunks + 1 ascending offsets).  decode() writes
 * chunk i whole into out; it runs on pool threads, several at once, so it
 * may only read the handle and the files (pread), never change them.
 */
#ifndef SPINDLE_IMAGING_CONTAINER_PRIVATE_H
#define SPINDLE_IMAGING_CONTAINER_PRIVATE_H

#include "imaging/container/container.h"

/* Allocation caps: nothing in a hostile file makes us allocate more. */
#define CTR_MAX_CHUNK   (64u << 20)     /* one decoded chunk */
#define CTR_MAX_TABLE   (256u << 20)    /* chunk tables, maps, plists */
#define CTR_MAX_PARTS   512             /* split volumes */

struct ctr_pool;

struct ctr_reader {
	const char *name;               /* "CHD" */
	/* head: first bytes (hlen may be short), tail: last bytes */
	int (*probe)(const uint8_t *head, size_t hlen, const uint8_t *tail,
		     size_t tlen, uint64_t fsize);
	enum sp_status (*open)(struct img_container *c, struct sp_error *err);
	enum sp_status (*decode)(const struct img_container *c, uint64_t idx,
				 uint8_t *out, size_t len, struct sp_error *err);
	void (*close)(struct img_container *c);
};

/* One file of the image (split volumes have several). */
struct ctr_part {
	int fd;
	uint64_t size;
	uint64_t start;                 /* logical offset of its data ... */
	uint64_t data_off, data_len;    /* ... which is these file bytes */
	char *path;
};

struct img_container {
	const struct ctr_reader *rd;
	const char *format;             /* may differ from rd->name (GBI) */
	const char *kind;
	char *path;
	struct img_container_opts opts;
	struct ctr_part *parts;         /* parts[0] is the file opened */
	size_t nparts;
	uint64_t size;                  /* decompressed bytes */
	uint64_t nchunks;
	uint32_t chunk_size;            /* uniform chunks, or ... */
	uint64_t *starts;               /* ... nchunks + 1 offsets */
	uint32_t max_chunk;             /* largest chunk, <= CTR_MAX_CHUNK */
	struct img_container_track *tracks;
	size_t ntracks;
	void *priv;                     /* the reader's state */
	struct ctr_pool *pool;
};

/* ---- primitives (image.c) ---- */
/* Open a regular file for reading; -1 with err set. */
int ctr_open_file(const char *path, uint64_t *size, struct sp_error *err);
uint64_t ctr_chunk_start(const struct img_container *c, uint64_t idx);
/* Read exactly len bytes at off of part p; a short file is a format error
 * naming `what` and the offset. */
enum sp_status ctr_pread(const struct img_container *c, size_t part,
			 void *buf, size_t len, uint64_t off, const char *what,
			 struct sp_error *err);
/* Read across split parts as one logical stream (parts[i].start). */
enum sp_status ctr_pread_logical(const struct img_container *c, void *buf,
				 size_t len, uint64_t off, const char *what,
				 struct sp_error *err);
/* Open another file as part of the image (appended to c->parts). */
enum sp_status ctr_add_part(struct img_container *c, const char *path,
			    struct sp_error *err);
/* "FORMAT image PATH: <message> at byte OFF" */
enum sp_status ctr_bad(const struct img_container *c, struct sp_error *err,
		       uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline uint16_t ctr_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t ctr_be32(const uint8_t *p)
{ return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline uint64_t ctr_be64(const uint8_t *p)
{ return (uint64_t)ctr_be32(p) << 32 | ctr_be32(p + 4); }
static inline uint32_t ctr_le32(const uint8_t *p)
{ return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]; }
static inline uint16_t ctr_le16(const uint8_t *p) { return (uint16_t)(p[1] << 8 | p[0]); }
static inline uint64_t ctr_le64(const uint8_t *p)
{ return (uint64_t)ctr_le32(p + 4) << 32 | ctr_le32(p); }

/* ---- codecs (codec.c); each returns 0 when out was filled exactly ---- */
enum ctr_codec { CTR_ZLIB, CTR_DEFLATE, CTR_BZIP2, CTR_ZSTD, CTR_LZMA1,
		 CTR_LZMA1_BCJ };
struct ctr_lzma_props { unsigned lc, lp, pb; uint32_t dict; };
/* Decode in (inlen) to exactly outlen bytes.  *used (may be NULL) gets
 * the input consumed.  Returns 0, or -1 with a short reason in why. */
int ctr_decode(enum ctr_codec codec, const struct ctr_lzma_props *lz,
	       const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen,
	       size_t *used, const char **why);
/* FLAC frames without a stream header (CHD): 16-bit stereo 44.1 kHz,
 * blocksize samples per block; samples written big-endian if be, else
 * little-endian.  *used gets the input consumed. */
int ctr_flac_decode(const uint8_t *in, size_t inlen, uint32_t blocksize,
		    uint8_t *out, size_t outlen, bool be, size_t *used,
		    const char **why);

/* ---- MAME's bit reader and canonical Huffman codes (chd_huff.c) ---- */
struct ctr_bits {
	const uint8_t *p;
	size_t len, pos;        /* bytes, and bytes taken into buf */
	uint64_t buf;
	int have;               /* bits in buf */
};
void ctr_bits_init(struct ctr_bits *b, const uint8_t *p, size_t len);
uint32_t ctr_bits_read(struct ctr_bits *b, int n);     /* n <= 32, MSB first */
bool ctr_bits_overflow(const struct ctr_bits *b);      /* read past the end */
size_t ctr_bits_used(const struct ctr_bits *b);        /* whole bytes read */

struct ctr_huff {
	unsigned numcodes, maxbits;
	uint8_t numbits[256];
	uint32_t bits[256];
	uint16_t *lookup;       /* 1 << maxbits entries: code << 5 | length */
};
/* numcodes <= 256, maxbits <= 16; 0 or -1 (out of memory) */
int ctr_huff_init(struct ctr_huff *h, unsigned numcodes, unsigned maxbits);
void ctr_huff_release(struct ctr_huff *h);
/* The two ways CHD stores a tree; 0, or -1 for an invalid tree. */
int ctr_huff_import_rle(struct ctr_huff *h, struct ctr_bits *b);
int ctr_huff_import_huffman(struct ctr_huff *h, struct ctr_bits *b);
unsigned ctr_huff_decode(const struct ctr_huff *h, struct ctr_bits *b);

/* ---- the decode pool (decode_pool.c) ---- */
enum sp_status ctr_pool_start(struct img_container *c, unsigned threads,
			      struct sp_error *err);
/* The decoded bytes of chunk idx, valid until the next call. */
enum sp_status ctr_pool_get(struct img_container *c, uint64_t idx,
			    const uint8_t **data, struct sp_error *err);
void ctr_pool_stop(struct img_container *c);

/* ---- the readers ---- */
extern const struct ctr_reader ctr_chd, ctr_dmg, ctr_daa, ctr_isz;

#endif
