/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sums_private.h - shared between the files of imaging/sums/. */
#ifndef SPINDLE_SUMS_PRIVATE_H
#define SPINDLE_SUMS_PRIVATE_H

#include "imaging/imaging.h"

#define ISOMD5_PIECE 32768      /* checkisomd5 hashes in pieces of this size */

/* Hash len bytes found at byte offset pos, with the bytes of
 * [blank_at, blank_at + blank_len) read as fill. */
void sums_feed_blanked(struct img_digest *d, int64_t pos, const unsigned char *data,
		       size_t len, int64_t blank_at, int64_t blank_len, unsigned char fill);

/* The checks read sectors of an image file or a drive through fs/'s
 * struct img_sectors (bytes: what can be read, the file's size). */

/* ---- sums/isomd5.c ---- */

/* The fragment characters of an MD5 (hex) for count fragments. */
void isomd5_fragment_chars(const char *md5_hex, int count, char *out);

struct isomd5_run {
	struct img_isomd5 rec;
	int64_t total;          /* bytes hashed */
	int64_t blank_at;       /* the application-use area */
	int64_t frag_size;
	int64_t fed;
	int64_t prev_fragment;
	struct img_digest *md5;
	int bad_fragment;       /* first bad fragment, 0 none */
	char *collect;          /* implanting: the fragment sums go here */
	bool done;
	char actual[IMG_SUM_HEX_MAX];
};
void isomd5_run_init(struct isomd5_run *m, const struct img_isomd5 *rec,
		     int64_t vol_bytes, int64_t pvd_offset);
/* Data at byte pos, in order. */
void isomd5_run_feed(struct isomd5_run *m, int64_t pos, const unsigned char *data,
		     size_t len);
void isomd5_run_release(struct isomd5_run *m);

/* ---- sums/tagmedia.c ---- */

struct tagmedia_run {
	struct img_tagmedia rec;
	int64_t total;          /* bytes read from the image */
	int64_t blank_at;
	int64_t fed;
	struct img_digest *d;
	bool done;
	char actual[IMG_SUM_HEX_MAX];
};
void tagmedia_run_init(struct tagmedia_run *t, const struct img_tagmedia *rec,
		       int64_t vol_bytes, int64_t pvd_offset);
void tagmedia_run_feed(struct tagmedia_run *t, int64_t pos, const unsigned char *data,
		       size_t len);
void tagmedia_run_release(struct tagmedia_run *t);

/* ---- sums/volsize.c ---- */

struct sums_volume {
	int64_t pvd_offset;     /* byte offset of the primary volume descriptor, -1 none */
	unsigned char appdata[IMG_APPDATA_SIZE];
	int64_t iso_bytes;      /* ISO 9660 volume space size, -1 none */
	int64_t udf_bytes;      /* end of the UDF partition, -1 none */
};
/* Find the volume descriptors of the image at rd (never fails: what is
 * not found is -1). */
void sums_volume_probe(struct img_sectors *rd, struct sums_volume *v);

/* ---- sums/isolist.c ---- */

/* Check md5sum.txt / sha256sum.txt inside the ISO at rd; false (and c
 * untouched) if the ISO has neither. */
bool sums_check_file_lists(struct img_sectors *rd, struct img_check *c,
			   struct sp_error *err);

#endif
