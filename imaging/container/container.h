/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * container.h - compressed disc image containers: UltraISO ISZ, PowerISO
 * DAA/GBI, Apple UDIF .dmg and MAME CHD v5.
 *
 * A container turns a compressed file (or a set of split volumes) into one
 * flat byte image:
 *
 *   ISZ, DAA, DMG  the image is the sector image (an ISO, or whatever the
 *                  vendor tool stored, e.g. an HFS volume in a DMG);
 *   CHD hard disk, raw and DVD images: the image is the logical data;
 *   CHD CD images: the image is a run of 2448-byte frames, each the sector
 *                  data (track's sector_size bytes, padded to 2352) then 96
 *                  bytes of subchannel; each track starts at `offset` and
 *                  tracks are padded to a multiple of 4 frames, as chdman
 *                  lays them out.  Audio frames are stored big-endian
 *                  (`audio_big_endian`): swap each 16-bit sample for PCM
 *                  as a BIN file holds it.
 *
 * Decompression runs on a pool of threads that decode the chunks ahead of
 * a sequential reader, in order, with a bounded number of chunks in memory
 * (about 2 x threads + 2).  Random reads work too, they only gain less.
 *
 *     struct img_container *c;
 *     if (img_container_open(path, NULL, &c, &err) != SP_OK) ...
 *     img_container_read(c, off, buf, len, &err);
 *     img_container_close(c);
 *
 * Every parser treats the file as hostile: sizes, offsets and chunk tables
 * are checked against the file, allocations are capped, loops in chunk
 * lists are refused, and errors name the format and the byte offset.
 * All calls on one handle must come from one thread at a time.
 */
#ifndef SPINDLE_IMAGING_CONTAINER_H
#define SPINDLE_IMAGING_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

struct img_container;                   /* opaque */

struct img_container_opts {
	const char *password;           /* ISZ/DAA password, NULL if none */
	unsigned threads;               /* decoder threads; 0 = one per CPU
					   (at least 2), 1 = decode inline */
};
#define IMG_CONTAINER_OPTS_INIT { NULL, 0 }

/*
 * How sure the bytes make us that PATH is a container: 0 = not one,
 * higher = more certain (100 = magic and structure agree).  Reads only the
 * first and last few kilobytes.  Never fails: an unreadable file is 0.
 */
int img_container_probe(const char *path);

/* Open PATH (for split volumes: the first part).  opts may be NULL. */
enum sp_status img_container_open(const char *path,
				  const struct img_container_opts *opts,
				  struct img_container **out,
				  struct sp_error *err);
/* Bytes of the decompressed image. */
uint64_t img_container_size(const struct img_container *c);
/* Read len bytes at off; reading past the end is an error. */
enum sp_status img_container_read(struct img_container *c, uint64_t off,
				  void *buf, size_t len, struct sp_error *err);
/* "ISZ", "DAA", "GBI", "DMG" or "CHD". */
const char *img_container_format(const struct img_container *c);
/* More about the content: "cd", "hd", "dvd", "raw" (CHD), "iso" (others). */
const char *img_container_kind(const struct img_container *c);

enum img_container_mode {
	IMG_CTR_AUDIO,          /* 2352 bytes of 16-bit stereo PCM */
	IMG_CTR_MODE1,          /* 2048 bytes of user data */
	IMG_CTR_MODE1_RAW,      /* 2352 bytes: sync, header, data, EDC/ECC */
	IMG_CTR_MODE2,          /* 2336 bytes: mode 2 formless */
	IMG_CTR_MODE2_FORM1,    /* 2048 bytes of form 1 user data */
	IMG_CTR_MODE2_FORM2,    /* 2324 bytes of form 2 user data */
	IMG_CTR_MODE2_FORM_MIX, /* 2336 bytes: subheader + form 1 or 2 */
	IMG_CTR_MODE2_RAW,      /* 2352 bytes raw mode 2 */
};
const char *img_container_mode_name(enum img_container_mode m);

/* A track of a CHD CD image (CHT2/CHTR metadata). */
struct img_container_track {
	int number;                     /* 1.. */
	enum img_container_mode mode;
	uint32_t frames;                /* frames stored, including a stored
					   pregap (pregap_stored) */
	uint32_t pregap;                /* pregap frames */
	bool pregap_stored;             /* the pregap's frames are in the
					   image, at the start of the track */
	uint32_t postgap;               /* postgap frames (not stored) */
	uint32_t sector_size;           /* sector bytes at the start of each
					   frame: 2048, 2324, 2336 or 2352 */
	uint32_t subchannel_size;       /* 96 if subchannel is kept, else 0 */
	uint32_t frame_stride;          /* bytes from frame to frame: 2448 */
	uint64_t offset;                /* image offset of the first frame */
	bool audio_big_endian;          /* audio samples stored big-endian */
};
/* The CD track list, or 0 for every other kind of image. */
size_t img_container_tracks(const struct img_container *c,
			    const struct img_container_track **out);

void img_container_close(struct img_container *c);

/*
 * Convert a container to a plain image at out_path (written as .tmp, then
 * renamed).  A CD image gives the 2048-byte user data of its first data
 * track; every other image is copied whole.  Fills *res.
 */
struct img_container_convert {
	const char *format;             /* "CHD" ... */
	int track;                      /* CD: the track converted, else 0 */
	int tracks;                     /* CD: tracks in the image, else 0 */
	uint64_t bytes;                 /* bytes written */
	double seconds;
};
enum sp_status img_container_to_iso(const char *in_path, const char *out_path,
				    bool force,
				    const struct img_container_opts *opts,
				    struct img_container_convert *res,
				    struct sp_error *err);

#endif
