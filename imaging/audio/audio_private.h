/* SPDX-License-Identifier: GPL-3.0-or-later */
/* audio_private.h - shared between imaging/audio/ only. */
#ifndef SPINDLE_AUDIO_PRIVATE_H
#define SPINDLE_AUDIO_PRIVATE_H

#include <stdio.h>

#include "imaging/audio/audio.h"

/* audio_flac.c: the FLAC halves of img_audio_writer / img_audio_reader. */
struct flac_writer;
/* Writes the file at path (creating or truncating it). */
enum sp_status flac_writer_open(struct flac_writer **out, const char *path,
				uint64_t total_samples, struct sp_error *err);
enum sp_status flac_writer_write(struct flac_writer *w, const uint8_t *pcm,
				 size_t samples, struct sp_error *err);
/* Finishes the stream and closes the file (keep), and frees w. */
enum sp_status flac_writer_finish(struct flac_writer *w, bool keep,
				  struct sp_error *err);

struct flac_reader;
enum sp_status flac_reader_open(struct flac_reader **out, const char *path,
				uint64_t *total_samples, struct sp_error *err);
enum sp_status flac_reader_read(struct flac_reader *r, uint8_t *pcm,
				size_t samples, size_t *got,
				struct sp_error *err);
void flac_reader_close(struct flac_reader *r);

/* audio_cdio.c: opening a drive or an image through libcdio. */
struct cdio_source {
	void *cdio;                 /* CdIo_t */
	bool is_image;
	char driver[32];
	char drive[128];            /* "VENDOR MODEL REV" or the image path */
	char tmpdir[64];            /* a work-around directory to remove, or "" */
};

struct cdio_toc_track {
	int number;
	bool audio;
	int64_t start;              /* LSN of INDEX 01 */
	int64_t gap_start;          /* LSN of INDEX 00, == start if unknown */
	int64_t end;                /* first LSN after the track's readable data */
	int64_t rip_end;            /* the next track's INDEX 01: gaps go with the track before */
	bool mode2;                 /* data: mode 2 (XA) */
	int session;                /* 2 for the data session of a CD-Extra */
};

struct cdio_toc {
	int gaps;                   /* drives: gaps found from the Q subchannel, -1 none read */
	int n;
	struct cdio_toc_track t[100];
	int64_t leadout;
};

/* Open `source`: a .cue/.toc/.nrg image or a drive.  Checks a CUE sheet
 * and the files it names first, for errors a person can act on. */
enum sp_status cdio_source_open(struct cdio_source *s, const char *source,
				struct sp_error *err);
/* Read the table of contents, with cdrdao's last-track length fixed. */
enum sp_status cdio_source_toc(struct cdio_source *s, struct cdio_toc *toc,
			       struct sp_error *err);
/* audio_gaps.c: INDEX 00 of each audio track on a drive, from the Q
 * subchannel, into toc->t[].gap_start; the number of gaps found, -1 if the
 * drive gives no Q subchannel. */
int cdio_find_gaps(struct cdio_source *s, struct cdio_toc *toc);
/* audio_gaps.c: the MCN from the mode-2 Q frames of sectors [from, to)
 * (at most 100 read); false if none. */
bool cdio_q_mcn(struct cdio_source *s, int64_t from, int64_t to, char mcn[14]);
/* The disc's CD-TEXT, MCN, ISRCs and pre-emphasis flags into r, whose
 * tracks are those of the TOC. */
void cdio_source_text(struct cdio_source *s, struct img_audio_rip *r);
/* Close (unless the handle was handed to cdda) and remove the tmpdir. */
void cdio_source_close(struct cdio_source *s, bool handle_owned_elsewhere);
/* The last libcdio warning or error, for err->detail; "" if none. */
const char *cdio_last_message(void);

/* Little-endian helpers. */
static inline void put_le16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, v);
	put_le16(p + 2, v >> 16);
}
static inline uint32_t get_le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}
static inline uint32_t get_le32(const uint8_t *p)
{
	return get_le16(p) | get_le16(p + 2) << 16;
}

#endif
