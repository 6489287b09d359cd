/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio.h - audio CDs and raw sectors: CUE sheets, checksums, WAV and
 * FLAC, secure extraction, raw copies and conversion (audio CDs are burnt
 * through the disc model, imaging/disc/disc_burn.c).
 */
#ifndef SPINDLE_IMAGING_AUDIO_H
#define SPINDLE_IMAGING_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "drive/drive.h"
#include "imaging/base/base.h"

/* ==== audio ============================================================== */

/*
 * Audio CDs and raw (2352-byte) sectors: CUE sheets, checksums, PCM files,
 * secure extraction through libcdio-paranoia, raw BIN/CUE copies and
 * BIN/CUE to ISO conversion.  PCM is 44.1 kHz, 16-bit, stereo, little
 * endian; one sector holds 588 samples (2352 bytes).
 */
#define IMG_CD_RAW 2352
#define IMG_CD_SAMPLES 588          /* stereo samples per sector */
#define IMG_CD_FPS 75               /* sectors per second */

/* ---- CUE sheets (audio_cue.c) ---- */

enum img_cue_mode {
	IMG_CUE_AUDIO,
	IMG_CUE_MODE1_2048,
	IMG_CUE_MODE1_2352,
	IMG_CUE_MODE2_2336,
	IMG_CUE_MODE2_2352,
	IMG_CUE_CDG,
};
enum img_cue_filetype { IMG_CUE_BINARY, IMG_CUE_MOTOROLA, IMG_CUE_WAVE };

struct img_cue_file {
	char *name;                 /* as written in the sheet */
	enum img_cue_filetype type;
};

struct img_cue_track {
	int number;
	enum img_cue_mode mode;
	int file0;                  /* file of INDEX 00, -1 if none */
	int64_t index0;             /* INDEX 00 in sectors within file0 */
	int file1;                  /* file of INDEX 01 */
	int64_t index1;             /* INDEX 01 in sectors within file1 */
	int64_t pregap, postgap;    /* PREGAP/POSTGAP sectors (not in files) */
	bool pre_emphasis, copy_permitted, four_channel;
	char isrc[13];
	char title[81], performer[81];
	/* filled by img_cue_resolve(): absolute disc sectors */
	int64_t start;              /* INDEX 01 */
	int64_t gap_start;          /* INDEX 00, or start if no gap */
	int64_t sectors;            /* INDEX 01 to the next track's INDEX 00 */
};

struct img_cue {
	char title[81], performer[81], catalog[14];
	int n_files;
	struct img_cue_file *files;
	int n_tracks;
	struct img_cue_track *tracks;
	int64_t leadout;            /* after img_cue_resolve() */
};
#define IMG_CUE_INIT { .n_files = 0 }

/*
 * Parse a CUE sheet held in buf (not NUL-terminated), a pure function of
 * its input: no file is opened.  `name` is used in messages only.  On
 * failure err says which line is wrong and why.
 */
enum sp_status img_cue_parse(struct img_cue *cue, const char *buf, size_t len,
			     const char *name, struct sp_error *err);
/* Read and parse a CUE file. */
enum sp_status img_cue_load(struct img_cue *cue, const char *path,
			    struct sp_error *err);
/*
 * Lay the tracks out on a disc, given each file's length in sectors of its
 * tracks' mode (file_sectors[i] for files[i]): fill start, gap_start,
 * sectors and leadout.  Checks that indexes stay inside their files.
 */
enum sp_status img_cue_resolve(struct img_cue *cue, const int64_t *file_sectors,
			       struct sp_error *err);
/* Write the sheet as text; malloc'ed, NUL-terminated. */
char *img_cue_format(const struct img_cue *cue);
void img_cue_release(struct img_cue *cue);
/* Bytes per sector in a file for a mode: 2352, 2048 ... */
int img_cue_sector_bytes(enum img_cue_mode mode);
const char *img_cue_mode_name(enum img_cue_mode mode);
/* Path of a FILE entry, relative to the directory of the sheet; malloc'ed. */
char *img_cue_file_path(const char *cue_path, const char *file_name);

/* ---- checksums (audio_checksum.c) ---- */

/*
 * CRC32 (as EAC's "copy CRC") and AccurateRip v1 and v2 of one track,
 * fed in order.  AccurateRip leaves out the first 5 sectors less one
 * sample of the disc's first audio track and the last 5 sectors of its
 * last.
 */
struct img_audio_sum {
	uint32_t crc32;
	uint32_t ar_v1, ar_v2;
	uint64_t samples, total;    /* fed so far; track length */
	uint64_t ar_from, ar_to;    /* 1-based sample range AccurateRip counts */
};
void img_audio_sum_init(struct img_audio_sum *s, uint64_t total_samples,
			bool first_track, bool last_track);
/* pcm: little-endian stereo samples; bytes a multiple of 4. */
void img_audio_sum_update(struct img_audio_sum *s, const void *pcm, size_t bytes);

/* ---- PCM files: WAV and FLAC (audio_pcm.c, audio_flac.c) ---- */

enum img_audio_format { IMG_AUDIO_FLAC, IMG_AUDIO_WAV };
const char *img_audio_format_ext(enum img_audio_format f);

/* A file being written: PATH.tmp, renamed to PATH by a good close. */
struct img_audio_writer;
enum sp_status img_audio_writer_open(struct img_audio_writer **out,
				     const char *path, enum img_audio_format f,
				     uint64_t total_samples, struct sp_error *err);
enum sp_status img_audio_writer_write(struct img_audio_writer *w,
				      const void *pcm, size_t samples,
				      struct sp_error *err);
/* keep=false (or an error) removes PATH.tmp.  Frees w. */
enum sp_status img_audio_writer_close(struct img_audio_writer *w, bool keep,
				      struct sp_error *err);

/* A WAV or FLAC file being read (found by its content): 16-bit stereo
 * 44.1 kHz only. */
struct img_audio_reader;
enum sp_status img_audio_reader_open(struct img_audio_reader **out,
				     const char *path, struct sp_error *err);
uint64_t img_audio_reader_samples(const struct img_audio_reader *r);
/* Read up to `samples`; *got 0 at the end. */
enum sp_status img_audio_reader_read(struct img_audio_reader *r, void *pcm,
				     size_t samples, size_t *got,
				     struct sp_error *err);
void img_audio_reader_close(struct img_audio_reader *r);

/* ---- disc IDs (audio_discid.c) ---- */

/* One track of a CD's table of contents. */
struct img_cd_toc_entry {
	int number;
	bool audio;
	int session;                /* 1 on a single-session disc or an image */
	int64_t start;              /* LSN of INDEX 01 */
};

struct img_disc_ids {
	char musicbrainz[32];       /* 28 characters */
	uint32_t freedb;            /* freedb / CDDB ID */
	uint32_t ar_id1, ar_id2;    /* AccurateRip disc IDs */
	int ar_tracks;              /* audio tracks, as AccurateRip counts */
	char accuraterip[40];       /* "NNN-id1-id2-freedb" */
	char accuraterip_url[128];  /* the disc's dBAR file */
	bool enhanced;              /* audio, then data in a later session */
	bool mixed;                 /* data track 1, then audio */
};

/* n tracks in disc order and the lead-out LSN. */
enum sp_status img_disc_ids_compute(const struct img_cd_toc_entry *t, int n,
				    int64_t leadout, struct img_disc_ids *ids,
				    struct sp_error *err);

/* ---- AccurateRip database files (audio_accuraterip.c) ---- */

/*
 * A dBAR file as accuraterip.com serves it: chunks of a 13-byte header
 * (track count, disc ID 1, disc ID 2, freedb ID, little endian) and 9
 * bytes per track (confidence, checksum, checksum of the track's sector
 * 450).  Each chunk holds the results of one pressing; v1 and v2
 * checksums come in separate chunks.
 */
struct img_ar_entry {
	uint8_t confidence;
	uint32_t crc, crc450;
};
struct img_ar_chunk {
	int n_tracks;
	uint32_t id1, id2, freedb;
	struct img_ar_entry t[99];
};
struct img_ar_db {
	int n_chunks;
	struct img_ar_chunk *c;
};
#define IMG_AR_DB_INIT { .n_chunks = 0 }
#define IMG_AR_DB_MAX (1 << 20)     /* bytes: far more than any real file */

/* Parse a dBAR file held in buf; `name` is for messages. */
enum sp_status img_ar_db_parse(struct img_ar_db *db, const uint8_t *buf,
			       size_t len, const char *name, struct sp_error *err);
enum sp_status img_ar_db_load(struct img_ar_db *db, const char *path,
			      struct sp_error *err);
void img_ar_db_release(struct img_ar_db *db);

/* What the database says of one track's v1 and v2 checksums. */
struct img_ar_verdict {
	int v1_confidence;          /* submissions agreeing with v1, 0 if none */
	int v2_confidence;
	int total;                  /* submissions of this track, all pressings */
	bool in_db;                 /* the database has the track at all */
};
/*
 * Check a track (track: its AccurateRip number, from 1) against db.  The
 * database's disc IDs must be those of ids: otherwise SP_FAILED, and err
 * says which disc the file is for.
 */
enum sp_status img_ar_check_disc(const struct img_ar_db *db,
				 const struct img_disc_ids *ids, struct sp_error *err);
void img_ar_verdict(const struct img_ar_db *db, int track, uint32_t v1,
		    uint32_t v2, struct img_ar_verdict *v);

/* ---- tags (audio_meta.c, audio_tags.c) ---- */

#define IMG_TAG_MAX 4096            /* bytes of one tag value */
#define IMG_META_EXTRA_MAX 64       /* --tag options */

struct img_meta_track {
	char *title, *artist, *isrc;
};

/*
 * What a rip's files are tagged with: from CD-TEXT, or a metadata file
 * (spindle's simple JSON form or a MusicBrainz release), plus NAME=VALUE
 * tags given one by one.  Strings are UTF-8 with control characters
 * escaped (\xHH) and at most IMG_TAG_MAX bytes.
 */
struct img_meta {
	char source[160];           /* "CD-TEXT", "FILE (spindle)" ... in words */
	char *album, *albumartist, *date, *genre, *release_id;
	int discnumber, disctotal;  /* 0: unknown */
	int n_tracks;               /* per audio track, in disc order */
	struct img_meta_track *tracks;
	int n_extra;
	char **extra;               /* "NAME=VALUE", for every track */
	bool escaped;               /* some control character was escaped */
};
#define IMG_META_INIT { .n_tracks = 0 }

/*
 * Parse a metadata file: {"album":..., "artist":..., "date":...,
 * "discnumber":N, "disctotal":N, "genre":..., "tracks":[{"title":...,
 * "artist":..., "isrc":...}, ...]}, or a MusicBrainz release in the JSON
 * of its web service (the medium holding disc_id, else the only medium
 * with n_audio tracks).  Its track count must be n_audio.
 */
enum sp_status img_meta_parse_json(struct img_meta *m, const char *buf, size_t len,
				   const char *name, const char *disc_id, int n_audio,
				   struct sp_error *err);
enum sp_status img_meta_load_json(struct img_meta *m, const char *path,
				  const char *disc_id, int n_audio, struct sp_error *err);
/* Add "NAME=VALUE" (--tag); NAME is a Vorbis comment field name. */
enum sp_status img_meta_add_tag(struct img_meta *m, const char *name_value,
				struct sp_error *err);
/* Copy s with control characters as \xHH, cut at IMG_TAG_MAX; NULL for
 * NULL or "". *escaped is set when something was escaped. */
char *img_meta_clean(const char *s, bool *escaped);
void img_meta_release(struct img_meta *m);

/* Set the Vorbis comments of a FLAC file: n "NAME=VALUE" strings, which
 * replace any there. */
enum sp_status img_flac_set_tags(const char *path, char *const *tags, int n,
				 struct sp_error *err);

/* ---- online look-ups (audio_lookup.c) ---- */

#define IMG_MUSICBRAINZ_SERVER "https://musicbrainz.org"
#define IMG_ACCURATERIP_SERVER "http://www.accuraterip.com"

enum img_lookup_status {
	IMG_LOOKUP_NONE,            /* not tried */
	IMG_LOOKUP_OK,
	IMG_LOOKUP_NOT_FOUND,       /* the server does not know the disc */
	IMG_LOOKUP_OFFLINE,         /* no answer: no network, server down, timeout */
	IMG_LOOKUP_BAD,             /* an answer spindle cannot use */
};
struct img_lookup {
	enum img_lookup_status status;
	char url[512];              /* what was fetched */
	char message[512];          /* the result in words */
};
/* "ok", "not_found", "offline", "bad_answer", "none" */
const char *img_lookup_status_name(enum img_lookup_status s);

/*
 * Fetch the disc's releases from MusicBrainz (server: a base URL, NULL for
 * IMG_MUSICBRAINZ_SERVER) and fill m from the release and medium holding
 * ids->musicbrainz, as img_meta_parse_json() does.  SP_OK, or SP_WARN with
 * l saying why not (m then untouched).  Never fails the rip.
 */
enum sp_status img_lookup_musicbrainz(const char *server, const struct img_disc_ids *ids,
				      int n_audio, struct img_meta *m, struct img_lookup *l);
/* Fetch the disc's dBAR file from AccurateRip into db; SP_OK, or SP_WARN
 * with l saying why not. */
enum sp_status img_lookup_accuraterip(const char *server, const struct img_disc_ids *ids,
				      struct img_ar_db *db, struct img_lookup *l);

/* ---- de-emphasis (audio_deemph.c) ---- */

/* The 50/15 us de-emphasis of 44.1 kHz stereo, as sox's deemph: a
 * high-shelf biquad per channel. */
struct img_deemph {
	double b0, b1, b2, a1, a2;
	double x1[2], x2[2], y1[2], y2[2];
};
void img_deemph_init(struct img_deemph *f);
/* Filter `samples` stereo samples (16-bit LE) in place, state kept. */
void img_deemph_run(struct img_deemph *f, uint8_t *pcm, size_t samples);

/* ---- secure audio extraction (audio_rip.c) ---- */

/* What paranoia reported for a track. */
struct img_audio_events {
	long reads, verifies, overlaps;
	long fixup_edge, fixup_atom, fixup_dropped, fixup_duped;
	long scratches, repairs, skips, drifts, backoffs;
	long read_errors, cache_errors;
	struct img_ranges problems;     /* sectors given up on (skipped) */
	struct img_ranges read_error_at; /* sectors that failed a read */
};

struct img_audio_track {
	int number;
	bool audio;
	int64_t start, sectors;     /* INDEX 01 and length to the next track */
	int64_t gap_start;          /* INDEX 00 (pregap), == start if none */
	/* the disc sectors its file holds (--gaps): start..start+sectors when
	 * gaps are appended, gap_start..the next gap when prepended */
	int64_t file_start, file_sectors;
	char file[32];              /* output file name, "" if not ripped */
	bool has_test;
	uint32_t test_crc, copy_crc;
	uint32_t ar_v1, ar_v2;
	bool ar_valid;              /* AccurateRip applies (not hidden track) */
	struct img_audio_events ev;
	/* from the disc: CD-TEXT, the Q subchannel (ISRC) or the sheet */
	char title[256], performer[256], songwriter[256];
	char isrc[13];
	bool pre_emphasis;
	bool deemphasized;          /* its file was de-emphasised (--deemphasis) */
	int session;
	/* AccurateRip result, once img_audio_rip_verify() ran */
	int ar_number;              /* number in AccurateRip's count, from 1 */
	bool ar_checked;
	struct img_ar_verdict ar;
	/* a track that does not match: a match at another pressing's offset */
	bool pressing_found;
	int pressing_offset;        /* samples, relative to the rip's offset */
	int pressing_confidence;
};

/*
 * Where the audio between a track's INDEX 00 and INDEX 01 (its gap) goes.
 * AccurateRip, whatever the mode, checks each track from its INDEX 01 to
 * the next track's INDEX 01.
 */
enum img_gaps_mode {
	IMG_GAPS_APPEND,            /* ends the previous track's file; audio
				     * before track 1 in 00.ext if not silent */
	IMG_GAPS_PREPEND,           /* begins the track's own file (track 1's
				     * file starts at sector 0) */
	IMG_GAPS_HTOA,              /* as append, and the audio before track 1
				     * always in 00.ext, silent or not */
};
const char *img_gaps_mode_name(enum img_gaps_mode m);

struct img_audio_rip_opts {
	const char *source;         /* drive (/dev/srN) or .cue/.toc/.nrg image */
	const char *outdir;
	enum img_audio_format format;
	int offset;                 /* read offset correction, samples */
	int retries;                /* paranoia retries per sector */
	bool test_and_copy;
	bool force;                 /* overwrite files in outdir */
	enum img_gaps_mode gaps;
	bool deemphasis;            /* de-emphasise tracks flagged pre-emphasis */
	/* test hook: sectors that fail to read, as from a damaged disc */
	const struct img_ranges *unreadable;
};
#define IMG_AUDIO_RIP_OPTS_INIT { .format = IMG_AUDIO_FLAC, .retries = 20 }

struct img_audio_rip {
	struct img_audio_rip_opts o;
	char driver[32];            /* "BIN/CUE", "CDRDAO", "GNU/Linux" ... */
	char drive[128];            /* vendor/model, or the image path */
	char mode[64];              /* paranoia mode in words */
	int n_tracks;
	struct img_audio_track *tracks; /* tracks[0] is track 1; +htoa below */
	int64_t leadout;
	struct img_audio_track htoa;    /* hidden track one audio, number 0 */
	bool has_htoa;
	char cue_name[64];          /* the sheet written in outdir */
	bool damaged;               /* some track has unrecoverable errors */
	/* the disc's CD-TEXT (album fields), MCN and IDs */
	bool has_cdtext;
	char title[256], performer[256], songwriter[256];
	char mcn[14];
	char mcn_source[48];        /* where mcn came from, in words */
	char gaps[96];              /* how the gaps were found, in words */
	struct img_disc_ids ids;
	bool has_ids;
	/* private */
	void *cdda, *paranoia;
	char tmpdir[64];
};
#define IMG_AUDIO_RIP_INIT { .n_tracks = 0 }

typedef void (*img_audio_progress_fn)(const struct img_audio_track *t,
				      const char *pass, int64_t done,
				      int64_t total, void *ctx);

/* Open the source and read its table of contents. */
enum sp_status img_audio_rip_open(struct img_audio_rip *r,
				  const struct img_audio_rip_opts *o,
				  struct sp_error *err);
/*
 * Rip every audio track into o->outdir, then write the CUE sheet.  A track
 * with unrecoverable errors is kept and r->damaged set; the call still
 * returns SP_WARN with err naming the first bad sector.
 */
enum sp_status img_audio_rip_run(struct img_audio_rip *r,
				 img_audio_progress_fn progress, void *ctx,
				 struct sp_error *err);
void img_audio_rip_release(struct img_audio_rip *r);
/* Read n disc samples from sample `first` (LSN * 588, no offset
 * correction) through paranoia, silence outside the audio. */
enum sp_status img_audio_rip_samples(struct img_audio_rip *r, int64_t first, size_t n,
				     uint8_t *out, struct sp_error *err);

/* ---- offsets (audio_offset.c) ---- */

#define IMG_AR_SEARCH 2940          /* samples searched either way: 5 sectors */

/*
 * The AccurateRip v1 checksum of each track read at every offset in
 * [-IMG_AR_SEARCH, IMG_AR_SEARCH] around `base` (the read offset in use),
 * compared with db.  per_offset[i] (2 * IMG_AR_SEARCH + 1 entries, offset
 * base - IMG_AR_SEARCH + i) adds up the confidence of the matches there;
 * tracks[i] counts the tracks matching there.  Only tracks with `pick`
 * set (NULL: all audio tracks) are read.
 */
struct img_offset_scan {
	int confidence[2 * IMG_AR_SEARCH + 1];
	int tracks[2 * IMG_AR_SEARCH + 1];
};
enum sp_status img_audio_offset_scan(struct img_audio_rip *r, const struct img_ar_db *db,
				     int base, const bool *pick, struct img_offset_scan *scan,
				     struct sp_error *err);

/* After img_audio_rip_verify(): for each track in the database that
 * matches no entry, look for a v1 match at another offset (another
 * pressing of the disc), reading the track again. */
enum sp_status img_audio_rip_pressings(struct img_audio_rip *r, const struct img_ar_db *db,
				       struct sp_error *err);

/* After a run: each ripped track's checksums against a dBAR database. */
enum sp_status img_audio_rip_verify(struct img_audio_rip *r, const struct img_ar_db *db,
				    struct sp_error *err);
/* The metadata of the disc as CD-TEXT and its ISRCs give it. */
enum sp_status img_meta_from_rip(struct img_meta *m, const struct img_audio_rip *r,
				 struct sp_error *err);
/* The AccurateRip verdict of a checked track in words, as logged. */
void img_audio_ar_result(const struct img_audio_track *t, char *buf, size_t len);
/* Tag every FLAC track of a run with m, the disc IDs and its checksums. */
enum sp_status img_audio_rip_tag(const struct img_audio_rip *r, const struct img_meta *m,
				 struct sp_error *err);

/* ---- raw copies and conversion (audio_raw.c, audio_convert.c) ---- */

struct img_raw_rip_opts {
	const char *source;         /* drive or image */
	const char *out_bin;        /* DISC.bin; DISC.cue is written beside */
	bool c2;                    /* ask the drive for C2 error pointers */
	bool force;
};
#define IMG_RAW_RIP_OPTS_INIT { .c2 = false }

struct img_raw_rip_result {
	int n_tracks;
	int64_t sectors;
	int64_t bad_sectors;        /* unreadable, written as zeros */
	int64_t c2_sectors;         /* sectors the drive flagged with C2 errors */
	bool c2_used;
	bool mmc;                   /* read through MMC READ CD */
	struct img_ranges bad;
	char cue_path[4096];
};

typedef void (*img_raw_progress_fn)(int64_t done, int64_t total, void *ctx);

enum sp_status img_raw_rip(const struct img_raw_rip_opts *o,
			   struct img_raw_rip_result *res,
			   img_raw_progress_fn progress, void *ctx,
			   struct sp_error *err);
void img_raw_rip_result_release(struct img_raw_rip_result *res);

/* Copy the first data track of a BIN/CUE image as 2048-byte sectors to an
 * ISO file.  Mode 1 and mode 2 form 1 sectors of 2352 bytes, and 2048-byte
 * tracks, are handled. */
struct img_convert_result {
	int track;
	enum img_cue_mode mode;
	int64_t sectors;
};
enum sp_status img_cue_to_iso(const char *cue_path, const char *iso_path,
			      bool force, struct img_convert_result *res,
			      struct sp_error *err);

#endif
