/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disc_private.h - what the format readers of imaging/disc/ share: the
 * reader table, the probe input, and helpers that add tracks and extents
 * and check them against the files before anyone reads.
 */
#ifndef SPINDLE_IMAGING_DISC_PRIVATE_H
#define SPINDLE_IMAGING_DISC_PRIVATE_H

#include <sys/types.h>

#include "imaging/disc/disc.h"

/* Descriptor files (CUE, TOC, CCD, MDS) are read whole, up to this. */
#define DISC_TEXT_MAX (1u << 20)
/* No track or extent is longer than this many sectors (about 38 GB). */
#define DISC_MAX_SECTORS (16ll << 20)
#define DISC_MAX_EXTENTS 4096

/* What a prober sees: the first and last bytes of the file. */
struct disc_probe_in {
	const char *path;
	const char *ext;            /* lower case, without the dot; "" if none */
	const uint8_t *head;        /* the first head_len bytes */
	size_t head_len;
	const uint8_t *tail;        /* the last tail_len bytes */
	size_t tail_len;
	uint64_t size;
};
#define DISC_PROBE_HEAD 65536
#define DISC_PROBE_TAIL 4096

struct disc_reader {
	const char *name;           /* "cue" */
	/* 0: not this format; 10: the extension only; 50: plausible structure;
	 * 100: a magic number and a consistent structure */
	int (*probe)(const struct disc_probe_in *in);
	/* Fill d from the image at path, open as b == d->files[0]. */
	enum sp_status (*open)(struct img_disc *d, struct img_bytes *b, const char *path,
			       struct sp_error *err);
};

/* read_container.c: the compressed containers of imaging/container/ */
extern const struct disc_reader disc_reader_container;
extern const struct disc_reader disc_reader_iso, disc_reader_cue, disc_reader_nrg,
	disc_reader_mds, disc_reader_ccd, disc_reader_toc, disc_reader_cdi, disc_reader_mdx;

/* Take ownership of b; its index in d->files, or -1 (b closed, err set). */
int disc_add_file(struct img_disc *d, struct img_bytes *b, struct sp_error *err);
/* bytes.c: a view of SRC (not owned) SIZE bytes long, zeros past SRC's end */
enum sp_status img_bytes_pad_new(struct img_bytes **out, struct img_bytes *src,
				 uint64_t size, struct sp_error *err);
/* Open path and add it; -1 with err set. */
int disc_open_file(struct img_disc *d, const char *path, struct sp_error *err);
/* A new zeroed track appended (number, session 1, n_index 0), or NULL. */
struct img_disc_track *disc_add_track(struct img_disc *d, const char *fmt,
				      struct sp_error *err);
/* A new extent (sub_file -1), or NULL. */
struct img_disc_extent *disc_add_extent(struct img_disc *d, const char *fmt,
					struct sp_error *err);
/* Sessions from the tracks, index 01 defaults, and every extent checked
 * against its file's size; fmt names the format in messages. */
enum sp_status disc_finish(struct img_disc *d, const char *fmt, struct sp_error *err);

/* "malformed FMT image 'NAME' at byte OFF: WHAT" */
enum sp_status disc_bad(struct sp_error *err, const char *fmt, const char *name,
			uint64_t off, const char *what, ...)
	__attribute__((format(printf, 5, 6)));

/* The file beside path named name (path's directory joined); malloc'ed. */
char *disc_sibling(const char *path, const char *name);
/* path with its extension replaced by ext ("mdf"), trying ext in lower
 * then upper case; NULL if neither exists. */
char *disc_sibling_ext(const char *path, const char *ext);
/* Resolve a file a descriptor names: exactly, then ignoring case in the
 * descriptor's directory.  NULL if not found; *how says which matched
 * (0 exact, 1 case-insensitive). */
char *disc_find_file(const char *desc_path, const char *name, int *how);
/* The data file an MDS descriptor names, opened and added: "*.mdf" is the
 * descriptor's own name ending in .mdf (opened once: *star keeps its index,
 * -1 before); any other name is found as disc_find_file() does. */
int disc_mds_data_file(struct img_disc *d, const char *desc_path, const char *name,
		       int *star, struct sp_error *err);
/* Read a descriptor file whole (NUL-terminated). */
enum sp_status disc_slurp(struct img_bytes *b, size_t max, char **out, size_t *len,
			  const char *fmt, struct sp_error *err);
/* Byte offset and length of a WAVE file's PCM, checked to be CD audio. */
enum sp_status disc_wave_data(struct img_bytes *b, uint64_t *off, uint64_t *len,
			      struct sp_error *err);
/* bytes_pcm.c: add the PCM of a WAV or FLAC file (checked to be CD
 * audio), padded with silence to whole sectors; its index in d->files, or
 * -1 with err set.  *samples: the PCM's length. */
int disc_open_pcm(struct img_disc *d, const char *path, uint64_t *samples,
		  struct sp_error *err);
/* mdx_crypt.c: the enciphered descriptor of MDS v2 / MDX images. */
#define MDX_SALT 64
#define MDX_HEADER 512              /* salt, then 448 enciphered bytes */
#define MDX_KEY 80                  /* the key data in a deciphered header */
#define MDX_PREFIX 18               /* "MEDIA DESCRIPTOR", version: offsets count them */
#define MDX_DESC_MAX (16u << 20)
/* Decipher the 512-byte header h (at byte at of name) in place and check it. */
enum sp_status disc_mdx_header(uint8_t *h, const char *name, uint64_t at,
			       struct sp_error *err);
/* Decipher enc (len bytes, changed in place) with h's key and inflate it;
 * *out (malloc'ed) begins with the 18 prefix bytes. */
enum sp_status disc_mdx_descriptor(const uint8_t *h, uint8_t *enc, size_t len,
				   const uint8_t *prefix, uint8_t **out, size_t *out_len,
				   const char *name, struct sp_error *err);
/* mdx_data.c: a byte source of the sectors of a compressed MDS v2 / MDX
 * track part (groups stored, zlib-deflated or one repeated byte), which
 * starts at byte base of src and holds sectors of size bytes, group to a
 * group, with its zlib-compressed table of groups table_off bytes after
 * base; its index in d->files, or -1 with err set. */
int disc_mdx_groups(struct img_disc *d, struct img_bytes *src, uint64_t base,
		    uint64_t sectors, uint32_t size, uint32_t group, uint64_t table_off,
		    struct sp_error *err);
/* Append a sentence to d->note. */
void disc_note(struct img_disc *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Decode CD-TEXT packs (18 bytes each, CRC not checked) into d. */
void disc_cdtext_packs(struct img_disc *d, const uint8_t *p, size_t len);

static inline uint32_t disc_le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static inline uint32_t disc_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t disc_le64(const uint8_t *p)
{
	return (uint64_t)disc_le32(p) | (uint64_t)disc_le32(p + 4) << 32;
}
static inline uint32_t disc_be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static inline uint32_t disc_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t disc_be64(const uint8_t *p)
{
	return (uint64_t)disc_be32(p) << 32 | disc_be32(p + 4);
}
static inline int disc_bcd(uint8_t b) { return (b >> 4) * 10 + (b & 15); }

#endif
