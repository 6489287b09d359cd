/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disc.h - one model of a CD or DVD image, whatever format holds it.
 *
 * A reader per format (read_*.c) fills the same model: sessions, tracks
 * (mode, start, length, pregap, indexes, ISRC, CD-TEXT) and, for each
 * track, where its sectors lie in which byte source.  Commands then ask
 * for sectors by LBA and never learn which format they hold:
 *
 *     struct img_disc *d;
 *     if (img_disc_open(&d, "game.mds", &err) != SP_OK) ...
 *     img_disc_read_raw(d, lba, buf, &err);     2352 bytes, sync to ECC
 *     img_disc_read_user(d, lba, buf, &len, &err);  2048 for mode 1
 *     img_disc_close(d);
 *
 * Byte sources (struct img_bytes) are random-access readers: a plain file
 * is one, a decompressing container (imaging/container/) can be another,
 * so a compressed image backs the same model through one small adapter.
 *
 * LBAs are the disc's: track 1's INDEX 01 is LBA 0 on a normal disc; a
 * later session starts after the lead-out and lead-in of the one before.
 * Only track 1's pregap may lie at negative LBAs (-150 .. -1), where NRG
 * and CDI images store it; sheets (CUE, TOC) cannot, and start at LBA 0.
 */
#ifndef SPINDLE_IMAGING_DISC_H
#define SPINDLE_IMAGING_DISC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

#define IMG_DISC_RAW 2352
#define IMG_DISC_SUB 96
#define IMG_DISC_MAX_TRACKS 99
#define IMG_DISC_MAX_INDEX 99

/* ---- byte sources (bytes.c) ---- */

struct img_bytes_ops {
	/* read exactly len bytes at off, or fail with err set */
	enum sp_status (*read_at)(void *ctx, uint64_t off, void *buf, size_t len,
				  struct sp_error *err);
	void (*close)(void *ctx);
};

struct img_bytes {
	const struct img_bytes_ops *ops;
	void *ctx;
	uint64_t size;
	char *name;                 /* for messages */
};

/* A byte source of ops over ctx; takes ownership of ctx (closed by
 * img_bytes_close() even when this fails). */
enum sp_status img_bytes_new(struct img_bytes **out, const struct img_bytes_ops *ops,
			     void *ctx, uint64_t size, const char *name,
			     struct sp_error *err);
enum sp_status img_bytes_open_file(struct img_bytes **out, const char *path,
				   struct sp_error *err);
/* len bytes at off; reading past the end is an error naming the source. */
enum sp_status img_bytes_read(struct img_bytes *b, uint64_t off, void *buf, size_t len,
			      struct sp_error *err);
void img_bytes_close(struct img_bytes *b);

/* ---- the model ---- */

enum img_disc_mode {
	IMG_DISC_AUDIO,
	IMG_DISC_MODE1,             /* 2048 user bytes */
	IMG_DISC_MODE2,             /* formless: 2336 user bytes */
	IMG_DISC_MODE2_FORM1,       /* 2048 user bytes */
	IMG_DISC_MODE2_FORM2,       /* 2324 user bytes */
	IMG_DISC_MODE2_MIXED,       /* XA: the form of each sector's subheader */
};
const char *img_disc_mode_name(enum img_disc_mode m);

/* How a track's sectors are stored. */
enum img_disc_store {
	IMG_STORE_RAW,              /* 2352 bytes from the sync (audio: PCM) */
	IMG_STORE_USER,             /* 2048 bytes of mode 1 / form 1 user data */
	IMG_STORE_MODE2,            /* 2336 bytes: the sector after its header */
};

struct img_disc_track {
	int number;                 /* 1..99 */
	int session;                /* 1.. */
	enum img_disc_mode mode;
	int64_t start;              /* LBA of INDEX 01 */
	int64_t length;             /* sectors from INDEX 01 to the track's end */
	int64_t pregap;             /* sectors before start (INDEX 00 .. 01) */
	int64_t postgap;            /* sectors at the end of length (not stored) */
	int n_index;                /* INDEX 01, 02 ... (index[0] == start) */
	int64_t index[IMG_DISC_MAX_INDEX];
	bool pre_emphasis, copy_permitted, four_channel;
	char isrc[13];
	char title[81], performer[81];  /* CD-TEXT, block 0 */
	char stored_as[16];         /* "MODE1/2352", "AUDIO" ... as the image says */
};

/* Where a run of sectors is stored: LBAs [lba, lba + count) at offset in
 * files[file].  Sectors of a track that no extent covers (PREGAP and
 * POSTGAP of a CUE sheet, pregaps a format leaves out) read as silence or
 * as empty data sectors of the track's mode. */
struct img_disc_extent {
	int64_t lba, count;
	int file;
	uint64_t offset;
	uint32_t sector_size;       /* bytes per stored sector, subchannel included */
	enum img_disc_store store;
	uint32_t sub_size;          /* 0 or 96 bytes after each sector's data */
	int sub_file;               /* -1, or a file of 96 bytes per sector */
	uint64_t sub_offset;        /* of lba's subchannel in sub_file */
	bool sub_packed;            /* 12 bytes per channel P..W, not interleaved */
	bool swap;                  /* big-endian audio (MOTOROLA) */
};

struct img_disc_session {
	int number;
	int first_track, last_track;    /* track numbers */
	int64_t leadout;            /* LBA after its last track */
};

struct img_disc {
	char format[24];            /* "ISO", "BIN/CUE", "NRG v2" ... */
	char *path;
	int n_sessions;
	struct img_disc_session *sessions;
	int n_tracks;
	struct img_disc_track *tracks;
	char mcn[14];
	char title[81], performer[81];  /* disc CD-TEXT */
	bool has_cdtext;
	bool has_sub;               /* some track keeps its subchannel */
	bool dvd;                   /* a 2048-byte image with no CD structure */
	char note[512];             /* what the reader guessed, for the user */
	/* private to the readers */
	int n_extents;
	struct img_disc_extent *extents;
	int n_files;
	struct img_bytes **files;
};

/* Open an image of any supported format, chosen by its content (the
 * extension only breaks ties). */
enum sp_status img_disc_open(struct img_disc **out, const char *path,
			     struct sp_error *err);
/* Open with a named reader ("iso", "cue", "nrg", "mds", "mdx", "ccd",
 * "toc", "cdi"); for tests and the fuzzer. */
enum sp_status img_disc_open_as(struct img_disc **out, const char *path,
				const char *reader, struct sp_error *err);
void img_disc_close(struct img_disc *d);
/* The best bid for path: 0 (not an image spindle knows, or unreadable)
 * to 100, and the reader's name ("iso", "nrg" ...) in *reader. */
int img_disc_probe(const char *path, const char **reader);

/* The track holding lba (pregaps belong to their track), or NULL. */
const struct img_disc_track *img_disc_track_at(const struct img_disc *d, int64_t lba);
/* Sectors from the first track's start to the last leadout. */
int64_t img_disc_end(const struct img_disc *d);

/* The whole 2352-byte sector, built (sync, header, EDC/ECC) when the
 * image holds only user data. */
enum sp_status img_disc_read_raw(struct img_disc *d, int64_t lba, uint8_t *buf,
				 struct sp_error *err);
/* The user data: 2048 (mode 1, form 1), 2324 (form 2), 2336 (formless),
 * 2352 (audio) bytes into buf (IMG_DISC_RAW bytes long); *len says. */
enum sp_status img_disc_read_user(struct img_disc *d, int64_t lba, uint8_t *buf,
				  size_t *len, struct sp_error *err);
/* 96 bytes of raw (P-W interleaved) subchannel; *have false when the image
 * keeps none for this sector (buf zeroed). */
enum sp_status img_disc_read_sub(struct img_disc *d, int64_t lba, uint8_t *buf,
				 bool *have, struct sp_error *err);

/* The file system of the first data track: "ISO 9660", "UDF", "ISO 9660+UDF"
 * or "" and its volume ID. */
struct img_disc_fs {
	char name[32];
	char volid[33];
	int track;                  /* 0 if none */
};
void img_disc_probe_fs(struct img_disc *d, struct img_disc_fs *fs);

/* ---- the data track as a flat image (disc_data.c), for burn and verify ---- */

struct img_disc_data;
struct burn_source;
/* *out NULL (and SP_OK) when path is a plain ISO image, to be read as it
 * is; otherwise its one data track, *bytes long.  Images with audio or
 * several data tracks are refused. */
enum sp_status img_disc_data_open(const char *path, struct img_disc_data **out,
				  uint64_t *bytes, struct sp_error *err);
enum sp_status img_disc_data_read(struct img_disc_data *r, uint64_t off, void *buf,
				  size_t len, struct sp_error *err);
void img_disc_data_close(struct img_disc_data *r);
/* A libburn source reading r from its start; takes r (closed with it). */
enum sp_status img_disc_data_burn_source(struct img_disc_data *r, struct burn_source **out,
					 struct sp_error *err);

/* ---- the disc as CD tracks to burn (disc_burn.c) ---- */

struct img_disc_burn_track {
	int number;
	enum img_disc_mode mode;    /* IMG_DISC_AUDIO or IMG_DISC_MODE1 */
	int64_t from;               /* LBA of the first sector its source delivers */
	int64_t sectors;            /* sectors its source delivers (2352 or 2048 bytes) */
	int64_t pregap_silence;     /* pregap the image does not hold, written before */
	int64_t index1;             /* sectors of the source before INDEX 01 */
	int n_index;                /* INDEX 02..: sectors of the source before each */
	int64_t index[IMG_DISC_MAX_INDEX];
	int n_files;                /* files its sectors come from */
	const struct img_disc_track *t;     /* flags, ISRC, CD-TEXT */
};

struct img_disc_burn {
	struct img_disc *disc;      /* not owned */
	int n_tracks;
	struct img_disc_burn_track *tracks;
	int audio, data;            /* tracks of each kind */
	bool tao;                   /* mixed: track at once, the gaps the drive's own,
				       no CD-TEXT (libburn has no mixed SAO) */
	int64_t total;              /* sectors, track 1's 150-sector pregap included */
};

/* The tracks of d as libburn writes them; refuses several sessions, Mode 2
 * tracks and tracks shorter than 4 seconds. */
enum sp_status img_disc_burn_plan(struct img_disc *d, struct img_disc_burn *b,
				  struct sp_error *err);
void img_disc_burn_release(struct img_disc_burn *b);
/* A libburn source of track i's sectors (b->disc must outlive it). */
enum sp_status img_disc_burn_source(const struct img_disc_burn *b, int i,
				    struct burn_source **out, struct sp_error *err);
/* Drop a reference to such a source (NULL is fine). */
void img_disc_burn_source_free(struct burn_source *src);
/* CRC32 of the bytes that source delivers. */
enum sp_status img_disc_burn_crc32(const struct img_disc_burn *b, int i, uint32_t *crc,
				   struct sp_error *err);
/* A disc of one audio track per WAV/FLAC file, gapless, each padded to
 * whole sectors with silence; each must last 4 seconds. */
enum sp_status img_disc_from_audio_files(struct img_disc **out, char *const *paths, int n,
					 struct sp_error *err);

/* ---- sector building (sector.c) ---- */

/* Fill sync, header (MSF of lba), EDC and ECC of a raw sector whose user
 * data is in place: mode 1 at byte 16, mode 2 after its subheader. */
void img_sector_build(uint8_t *s, int64_t lba, enum img_disc_mode mode);
/* true if a raw data sector's EDC matches its content */
bool img_sector_edc_ok(const uint8_t *s);
void img_lba_to_msf(int64_t lba, uint8_t *m, uint8_t *s, uint8_t *f);

/* ---- writing other formats (write_*.c) ---- */

struct img_disc_write_opts {
	bool force;                 /* replace an existing output */
	bool lossy;                 /* accept dropping subchannel, sessions, form 2 */
};

struct img_disc_write_result {
	int track;                  /* ISO: the data track copied */
	char mode[16];              /* its mode as stored */
	int64_t sectors;            /* sectors written */
	int n_tracks;
	char bin[4096];             /* CUE/TOC: the data file written */
	char dropped[256];          /* what --lossy let go, "" if nothing */
};

enum sp_status img_disc_write_iso(struct img_disc *d, const char *out,
				  const struct img_disc_write_opts *o,
				  struct img_disc_write_result *res, struct sp_error *err);
/* OUT.cue (or OUT.toc) and OUT.bin beside: every track as raw 2352. */
enum sp_status img_disc_write_cue(struct img_disc *d, const char *out,
				  const struct img_disc_write_opts *o,
				  struct img_disc_write_result *res, struct sp_error *err);
enum sp_status img_disc_write_toc(struct img_disc *d, const char *out,
				  const struct img_disc_write_opts *o,
				  struct img_disc_write_result *res, struct sp_error *err);

/* For readers that know only BIN/CUE (libcdio: rip --audio): a BIN/CUE
 * copy of a TOC, NRG, MDS, MDX, CCD or CDI image in a new temporary
 * directory (tmpdir, cue filled); both "" when path is read as it is.
 * Remove it with img_disc_cue_copy_remove(). */
enum sp_status img_disc_cue_copy(const char *path, char *tmpdir, size_t tlen, char *cue,
				 size_t clen, struct sp_error *err);
void img_disc_cue_copy_remove(char *tmpdir);

#endif
