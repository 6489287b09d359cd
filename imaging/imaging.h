/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * imaging.h - the public interface of spindle's imaging layer.
 *
 * imaging/ streams images to and from the disc: burn sources and the FIFO,
 * verification (image compare, SHA-256, libisofs MD5 tags), the rescue
 * engine (mapfile, passes, resume), ISO mastering, and audio extraction.
 * It reaches drives only through drive/drive.h.
 */
#ifndef SPINDLE_IMAGING_H
#define SPINDLE_IMAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "drive/drive.h"
#include "imaging/container/container.h"

/* ==== LBA ranges ========================================================= */

struct img_range {
	int64_t lba;
	int64_t count;
};

/* A growing list of ranges; adjacent additions merge. */
struct img_ranges {
	struct img_range *v;
	size_t n, alloc;
};
#define IMG_RANGES_INIT { NULL, 0, 0 }

enum sp_status img_ranges_add(struct img_ranges *r, int64_t lba,
			      int64_t count);
int64_t img_ranges_total(const struct img_ranges *r);
void img_ranges_release(struct img_ranges *r);

/* ==== SHA-256 (OpenSSL libcrypto) ======================================== */

struct img_sha256;
struct img_sha256 *img_sha256_new(void);
void img_sha256_update(struct img_sha256 *h, const void *data, size_t len);
/* Writes 64 hex digits and a NUL into hex; frees h. */
void img_sha256_final(struct img_sha256 *h, char hex[65]);

/* ==== burn sources ======================================================= */

/*
 * An image on its way to the drive: a file or standard input, read by
 * libburn through a FIFO (burn_fifo_source_new) so that the writer never
 * waits for the disk or the pipe.  The chain handed to drv_write() is the
 * FIFO; it is also the handle for FIFO fill reports.
 *
 * The FIFO's size matters more than it seems: libburn's FIFO sleeps 50 ms
 * whenever it is full or empty, so it moves at most its size per 50 ms.
 * IMG_FIFO_DEFAULT is chosen so that the FIFO is never the bottleneck
 * (measurements in imaging/source.c).
 */
#define IMG_FIFO_DEFAULT (64ULL << 20)
#define IMG_FIFO_MIN (1ULL << 20)
#define IMG_FIFO_MAX (1ULL << 30)       /* libburn's own limit */

struct img_source {
	struct burn_source *chain;      /* the FIFO; give this to drv_write() */
	struct burn_source *input;      /* what the FIFO reads; private */
	int64_t size;                   /* bytes; -1 unknown (pipe) */
	bool is_stdin;
	bool is_pipe;                   /* read once (a pipe, or any standard input):
					   verify by digest, see img_source_digest() */
	char name[1024];                /* for messages: the path, or "standard input" */
};
#define IMG_SOURCE_INIT { NULL, NULL, -1, false, false, "" }

/* Round a FIFO size to what libburn takes (whole 32 KiB reads). */
uint64_t img_fifo_round(uint64_t bytes);

/*
 * Open path ("-" is standard input) as a burn source with a FIFO of
 * fifo_bytes (0: IMG_FIFO_DEFAULT).  Refuses directories, empty files and
 * anything that is not a regular file, block device, pipe or terminal.
 */
enum sp_status img_source_open(struct img_source *s, const char *path,
			       uint64_t fifo_bytes, struct sp_error *err);
/* Fill of the FIFO in percent, or -1 if unknown. */
int img_source_fifo_fill(const struct img_source *s);
/*
 * For a pipe, which cannot be read twice: the SHA-256 and length of all
 * that was read, once the input reached its end.  false before that, and
 * for files (verify them with img_verify_image()).
 */
bool img_source_digest(const struct img_source *s, char hex[65],
		       uint64_t *bytes);
/* Whether reading the input failed (the FIFO saw a read error). */
bool img_source_failed(const struct img_source *s);
void img_source_release(struct img_source *s);

/* ==== verify ============================================================= */

/*
 * Compare what a drive holds from start_lba on with an image file, reading
 * exactly the image's size: the padding of the last sector, 32 KiB
 * alignment and the run-out sectors of a CD TAO track are never read.
 * Sectors are read through drv_read() with no retries; a failed read is
 * narrowed down sector by sector so that the ranges are exact.
 *
 * The outcome is one of three.  MISMATCH takes precedence over UNREADABLE
 * when both occur: it is the firmer evidence of a bad copy.
 */
enum img_verify_outcome {
	IMG_VERIFY_MATCH,
	IMG_VERIFY_MISMATCH,
	IMG_VERIFY_UNREADABLE,
};
const char *img_verify_outcome_name(enum img_verify_outcome o);

struct img_verify_progress {
	int64_t sectors_done;
	int64_t sectors_total;
	int64_t bad_sectors;            /* differing + unreadable so far */
	double elapsed;
};
typedef void (*img_verify_progress_fn)(const struct img_verify_progress *p,
				       void *ctx);

struct img_verify_opts {
	int64_t start_lba;
	img_verify_progress_fn progress;   /* about 5 times a second; may be NULL */
	void *ctx;
};
#define IMG_VERIFY_OPTS_INIT { 0, NULL, NULL }

struct img_verify_result {
	enum img_verify_outcome outcome;
	uint64_t bytes;                 /* the image's size */
	int64_t sectors;                /* sectors compared */
	char sha256[65];                /* of the image's bytes (= the disc's on a match) */
	struct img_ranges differ;       /* LBAs whose data differs */
	struct img_ranges unreadable;   /* LBAs that could not be read */
	int64_t medium_sectors;         /* readable size of the medium, -1 unknown */
	struct sp_error first_read_error;  /* the first read failure, for details */
};
#define IMG_VERIFY_RESULT_INIT { IMG_VERIFY_MATCH, 0, 0, "", IMG_RANGES_INIT, \
	IMG_RANGES_INIT, -1, SP_ERROR_INIT }

/*
 * Returns SP_OK when the comparison ran to the end, whatever its outcome;
 * a failure (image unreadable, interrupted: SPE_ABORTED) leaves the result
 * partial.
 */
enum sp_status img_verify_image(struct drv_drive *d, const char *image_path,
				const struct img_verify_opts *o,
				struct img_verify_result *res,
				struct sp_error *err);
void img_verify_result_release(struct img_verify_result *res);

/*
 * The same for data that exists only as a digest (a burn from a pipe):
 * read `bytes` from start_lba, and compare their SHA-256 with sha256_hex.
 * A mismatch has no LBA ranges; unreadable sectors are still named.
 */
enum sp_status img_verify_digest(struct drv_drive *d, uint64_t bytes,
				 const char *sha256_hex,
				 const struct img_verify_opts *o,
				 struct img_verify_result *res,
				 struct sp_error *err);

/* ==== rescue ============================================================= */

/* --- GNU ddrescue mapfiles (imaging/mapfile.c) --- */

/* current_status values (the phase a rescue is in) */
#define IMG_PHASE_COPYING  '?'
#define IMG_PHASE_TRIMMING '*'
#define IMG_PHASE_SCRAPING '/'
#define IMG_PHASE_RETRYING '-'
#define IMG_PHASE_FINISHED '+'

/* One block: [pos, pos+size) bytes with a status: ? non-tried,
 * * non-trimmed, / non-scraped, - bad sector, + finished. */
struct img_map_block {
	int64_t pos, size;
	char status;
};

struct img_mapfile {
	int64_t current_pos;
	char current_status;
	int current_pass;
	struct img_map_block *v;        /* sorted, contiguous, merged */
	size_t n, alloc;
};

void img_mapfile_init(struct img_mapfile *m);
void img_mapfile_release(struct img_mapfile *m);
bool img_map_status_valid(int c);
/* Parse a mapfile held in buf (no NUL needed).  Pure; fuzzable. */
enum sp_status img_mapfile_parse(struct img_mapfile *m, const char *buf,
				 size_t len, struct sp_error *err);
/* Load path; a missing file is not an error (*exists false, empty map). */
enum sp_status img_mapfile_load(struct img_mapfile *m, const char *path,
				bool *exists, struct sp_error *err);
/* The text of the mapfile, malloc'ed; creator names the program. */
enum sp_status img_mapfile_format(const struct img_mapfile *m, const char *creator,
				  char **out, size_t *len, struct sp_error *err);
/* Write atomically (tmp, fsync, rename): valid at every instant. */
enum sp_status img_mapfile_save(const struct img_mapfile *m, const char *path,
				const char *creator, struct sp_error *err);
/* Total bytes covered. */
int64_t img_mapfile_size(const struct img_mapfile *m);
/* One '?' block of size bytes. */
enum sp_status img_mapfile_reset(struct img_mapfile *m, int64_t size);

enum img_mark_mode {
	IMG_MARK_KEEP_FINISHED, /* '+' stays '+': never lose rescued data */
	IMG_MARK_ALWAYS,
};
/* Grow to size bytes with a non-tried tail. */
enum sp_status img_mapfile_extend(struct img_mapfile *m, int64_t size);
/* Bad blocks ('-') become non-scraped ('/'), to be read once more. */
void img_mapfile_retry_bad(struct img_mapfile *m);
/* Give [pos, pos+size) a status; SP_FATAL when out of memory. */
enum sp_status img_mapfile_mark(struct img_mapfile *m, int64_t pos, int64_t size,
				char status, enum img_mark_mode mode);
/* Index of the block holding pos, m->n if none. */
size_t img_mapfile_find(const struct img_mapfile *m, int64_t pos);
/* Bytes with this status, and (if areas) how many blocks. */
int64_t img_mapfile_count(const struct img_mapfile *m, char status, size_t *areas);
/* Widen every unfinished block to whole units (e.g. 2048-byte sectors). */
void img_mapfile_align(struct img_mapfile *m, int64_t unit);

/* --- the rescue engine (imaging/rescue*.c) --- */

struct img_rescue;

enum img_rescue_stop {
	IMG_RESCUE_DONE,        /* every pass ran */
	IMG_RESCUE_INTERRUPTED, /* SIGINT/SIGTERM/SIGHUP */
	IMG_RESCUE_TIMEOUT,     /* --max-time */
};

struct img_rescue_progress {
	char phase;             /* IMG_PHASE_* */
	int pass;
	const char *phase_name; /* "copying", "trimming" ... */
	int64_t pos_lba;
	int64_t rescued_bytes, total_bytes;
	int64_t bad_bytes;      /* failed so far: bad, non-trimmed, non-scraped */
	size_t bad_areas;
	int64_t reads, failed_reads;
	double elapsed, rate;   /* rate: bytes/s over the last seconds */
	double eta;             /* seconds, -1 unknown */
};
typedef void (*img_rescue_progress_fn)(const struct img_rescue_progress *p, void *ctx);

struct img_rescue_opts {
	const char *out_path;
	const char *map_path;
	const char *log_reads_path;     /* NULL: no log */
	const char *creator;            /* "spindle 0.1.0" for file headers */
	uint32_t ecc_block;             /* 0: from the medium */
	unsigned retries;               /* retry passes over bad blocks */
	unsigned max_area_retries;      /* per bad area and pass; 0: no limit */
	double max_time;                /* seconds; 0: no limit */
	double map_interval;            /* seconds between mapfile saves */
	bool whole_disc;                /* all readable sectors, not the ISO */
	bool force;                     /* overwrite an output not ours */
	img_rescue_progress_fn progress;
	void *progress_ctx;
	/* warnings for a person (may be NULL) */
	void (*warn)(void *ctx, const char *msg);
};
#define IMG_RESCUE_OPTS_INIT { .creator = "spindle", .retries = 0, .map_interval = 30 }

struct img_rescue_report {
	int64_t extent_sectors;
	const char *extent_source;      /* "iso9660", "udf", "capacity", "whole-disc", "mapfile" */
	uint32_t ecc_block;
	bool resumed;
	enum img_rescue_stop stop;
	int64_t rescued_bytes;
	int64_t missing_bytes;          /* not rescued, run-out excluded */
	int64_t untried_bytes;          /* of which never tried (a stopped run) */
	size_t bad_areas;
	struct img_ranges bad;          /* LBA ranges not rescued (tried or not) */
	struct img_ranges runout;       /* CD TAO run-out sectors (not damage) */
	bool complete;                  /* nothing missing */
	char sha256[65];                /* of the image when complete, else "" */
	int64_t reads, failed_reads;
	double elapsed;
};

/* Set up: extent, output, mapfile (resume or refuse).  d is not owned. */
enum sp_status img_rescue_new(struct img_rescue **out, struct drv_drive *d,
			      const struct img_rescue_opts *o, struct sp_error *err);
/* Run the passes; saves the mapfile every map_interval s, after each pass
 * (or map_interval) and before returning.  SP_OK also when stopped by a signal or
 * --max-time (see the report); SP_FAILED on write errors etc. */
enum sp_status img_rescue_run(struct img_rescue *r, struct sp_error *err);
/* Fill rep (caller releases it); hashes the image when complete. */
enum sp_status img_rescue_report(struct img_rescue *r, struct img_rescue_report *rep,
				 struct sp_error *err);
void img_rescue_report_release(struct img_rescue_report *rep);
void img_rescue_free(struct img_rescue *r);

/* Bad LBA ranges (not '+') of a mapfile over 2048-byte sectors. */
enum sp_status img_mapfile_bad_ranges(const struct img_mapfile *m,
				      struct img_ranges *bad, struct sp_error *err);
/* --test-mode: sectors not wholly '+' in a ddrescue mapfile fail. */
enum sp_status img_damage_from_mapfile(struct drv_damage *dm, const char *path,
				       struct sp_error *err);

/* --- files of an ISO image hit by bad areas (imaging/isofiles.c) --- */

struct img_iso_file {
	char *path;             /* "/dir/file" */
	int64_t size;           /* bytes */
	int64_t bad_sectors;    /* sectors of the file in bad ranges */
	int64_t first_bad_lba;
};

struct img_iso_damage {
	struct img_iso_file *files;
	size_t n, alloc;
	int64_t files_total;    /* files in the tree */
	bool tree_damaged;      /* directory records lay in bad areas */
};

/* Open the image at path with libisofs (bad sectors read as zeros) and
 * list the files whose extents overlap bad. */
enum sp_status img_iso_damaged_files(const char *path, const struct img_ranges *bad,
				     struct img_iso_damage *out, struct sp_error *err);
void img_iso_damage_release(struct img_iso_damage *d);

/* ==== mastering ========================================================== */

/*
 * ISO 9660 mastering through libisofs: Rock Ridge, Joliet, ISO level 3,
 * MD5 tags (superblock, tree, session, and each file) and El Torito boot.
 *
 *     struct img_master_opts o = IMG_MASTER_OPTS_INIT;
 *     struct img_master *m;
 *     img_master_prepare(&m, &o, &err);          walks the sources
 *     img_master_to_file(m, "out.iso", false, &err);   or
 *     img_master_burn_source(m, &src, &size, &err);    for a burn
 *     img_master_free(m);
 */

/* One graft point: the source file or directory, and where it goes.  A
 * directory's contents go into target; a file becomes target. */
struct img_graft {
	const char *target;     /* absolute path in the image; "/" the root */
	const char *source;     /* path on disk */
};

/* Parse "TARGET=SOURCE" ("\=" is a literal '=') or plain "SOURCE" into
 * g, pointing into buf (a copy of arg owned by the caller, same size). */
enum sp_status img_graft_parse(struct img_graft *g, const char *arg,
			       char *buf, size_t len, struct sp_error *err);

enum img_master_phase {
	IMG_MASTER_SCANNING,    /* walking the sources */
	IMG_MASTER_WRITING,     /* producing the image */
};

struct img_master_progress {
	enum img_master_phase phase;
	uint64_t files;         /* nodes added so far */
	uint64_t bytes_done;    /* image bytes produced */
	uint64_t bytes_total;   /* image size; 0 while scanning */
	double elapsed;         /* seconds */
};
typedef void (*img_master_progress_fn)(const struct img_master_progress *p,
				       void *ctx);
/* Called for each file left out by skip_unreadable, with why. */
typedef void (*img_master_skip_fn)(const char *path,
				   const struct sp_error *why, void *ctx);

struct img_master_opts {
	const struct img_graft *grafts;
	size_t n_grafts;
	const char *const *excludes;   /* glob patterns, see --exclude */
	size_t n_excludes;
	const char *volid;             /* NULL: "SPINDLE" */
	bool md5;                      /* record MD5 tags (default) */
	/* Byte-identical output for the same tree: fixed volume times and
	 * UUIDs, atime and ctime set to mtime.  epoch >= 0 (as from
	 * SOURCE_DATE_EPOCH) also clamps newer mtimes to it; epoch < 0 uses
	 * the newest mtime found. */
	bool reproducible;
	int64_t epoch;
	bool skip_unreadable;          /* leave out unreadable files */
	/* El Torito: paths inside the image */
	const char *boot_bios;         /* no-emulation BIOS image (isolinux.bin) */
	const char *boot_catalog;      /* NULL: next to boot_bios, "boot.cat" */
	int boot_load_size;            /* 512-byte sectors the BIOS loads */
	bool boot_info_table;          /* patch a boot info table (isolinux) */
	const char *boot_efi;          /* EFI system partition image */
	const char *isohybrid_mbr;     /* file on disk: isohdpfx.bin */
	img_master_progress_fn progress;
	img_master_skip_fn on_skip;
	void *ctx;                     /* for progress and on_skip */
};
#define IMG_MASTER_OPTS_INIT { .md5 = true, .epoch = -1, \
	.boot_load_size = 4, .boot_info_table = true }

struct img_master_stats {
	uint64_t files, dirs, symlinks, specials;
	uint64_t hardlinks;            /* files sharing data with an earlier one */
	uint64_t skipped;              /* excluded or unreadable */
	uint64_t content_bytes;        /* sum of file sizes */
	uint64_t image_bytes;          /* once writing started */
};

struct img_master;

/* Walk the sources and build the image tree; nothing is written yet. */
enum sp_status img_master_prepare(struct img_master **out,
				  const struct img_master_opts *o,
				  struct sp_error *err);
const struct img_master_stats *img_master_stats(const struct img_master *m);

/* Write the image to path through path.tmp, fsync and rename.  An
 * existing path is replaced only with force.  Reports progress. */
enum sp_status img_master_to_file(struct img_master *m, const char *path,
				  bool force, struct sp_error *err);

/* A libburn source producing the image, and its exact size in bytes.  The
 * source belongs to the caller (burn_source_free()); call
 * img_master_finish() after it was consumed, to learn of files that could
 * not be read while writing. */
enum sp_status img_master_burn_source(struct img_master *m,
				      struct burn_source **src, int64_t *size,
				      struct sp_error *err);
enum sp_status img_master_finish(struct img_master *m, struct sp_error *err);
/* The same through a FIFO of fifo_bytes (0: IMG_FIFO_DEFAULT), ready for
 * drv_write(): s->chain, s->size.  Release with img_source_release(). */
enum sp_status img_master_source(struct img_master *m, struct img_source *s,
				 uint64_t fifo_bytes, struct sp_error *err);
void img_master_free(struct img_master *m);

/* ==== MD5 tag verification =============================================== */

/*
 * Check an image file or a disc against its own MD5 tags, as recorded by
 * libisofs (spindle mkiso, xorriso -md5 on): the superblock, tree and
 * session tags, and the MD5 of each file.  One sequential pass over the
 * session feeds both the session MD5 and the files' MD5s.
 */
enum img_md5_state {
	IMG_MD5_ABSENT,         /* nothing recorded */
	IMG_MD5_OK,
	IMG_MD5_MISMATCH,
	IMG_MD5_UNREADABLE,     /* sectors could not be read */
};
const char *img_md5_state_name(enum img_md5_state s);

struct img_md5_file {
	char *path;             /* in the image */
	uint64_t size;
	enum img_md5_state state;
	int64_t lba;            /* first sector of its data */
};

struct img_md5_report {
	bool has_tags;          /* any libisofs MD5 tag found */
	int64_t session_start;  /* LBA */
	int64_t session_end;    /* first LBA after the session tag; -1 unknown */
	enum img_md5_state superblock, tree, session;
	bool tree_loaded;       /* the directory tree could be read */
	char tree_error[256];
	uint64_t files;         /* regular files in the tree */
	uint64_t files_with_md5;
	uint64_t files_ok;
	struct img_md5_file *bad;   /* damaged or unreadable files */
	size_t n_bad;
	int64_t unreadable_sectors;
	uint64_t bytes_read;
	char sha256[65];        /* without tags: SHA-256 of the content */
	uint64_t sha256_bytes;
};
#define IMG_MD5_REPORT_INIT { .session_end = -1 }

/* bytes_done of bytes_total (an estimate until the session end is known) */
typedef void (*img_md5_progress_fn)(uint64_t bytes_done, uint64_t bytes_total,
				    void *ctx);

/* An image file.  SP_OK when the check could run; the verdict is in r. */
enum sp_status img_md5_check_file(const char *path, struct img_md5_report *r,
				  img_md5_progress_fn progress, void *ctx,
				  struct sp_error *err);
/* A disc, from session_start (the last session's first LBA; 0 for a
 * single session). */
enum sp_status img_md5_check_drive(struct drv_drive *d, int64_t session_start,
				   struct img_md5_report *r,
				   img_md5_progress_fn progress, void *ctx,
				   struct sp_error *err);
void img_md5_report_release(struct img_md5_report *r);

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
	char file[32];              /* output file name, "" if not ripped */
	bool has_test;
	uint32_t test_crc, copy_crc;
	uint32_t ar_v1, ar_v2;
	bool ar_valid;              /* AccurateRip applies (not hidden track) */
	struct img_audio_events ev;
};

struct img_audio_rip_opts {
	const char *source;         /* drive (/dev/srN) or .cue/.toc/.nrg image */
	const char *outdir;
	enum img_audio_format format;
	int offset;                 /* read offset correction, samples */
	int retries;                /* paranoia retries per sector */
	bool test_and_copy;
	bool force;                 /* overwrite files in outdir */
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

/* ---- audio burning sources (audio_source.c) ---- */

/*
 * An audio CD to burn, laid out from a CUE sheet (BIN, WAV or FLAC files)
 * or from a list of WAV/FLAC files (2-second gaps, as cdrecord does).
 */
struct img_audio_piece {
	char *path;                 /* file to read */
	bool pcm_file;              /* WAV/FLAC (else raw BIN, little endian) */
	bool big_endian;            /* MOTOROLA bin */
	int64_t offset;             /* first sample in the file */
	int64_t samples;            /* -1: to the end of the file */
};

struct img_audio_layout_track {
	int number;
	int64_t pregap_silence;     /* sectors of silence before (PREGAP) */
	int64_t index1;             /* sectors of the track's data before INDEX 01 */
	int64_t sectors;            /* data sectors, pregap from files included */
	int n_pieces;
	struct img_audio_piece *pieces;
	bool pre_emphasis, copy_permitted;
	char isrc[13];
	char title[81], performer[81];
};

struct img_audio_layout {
	char title[81], performer[81], catalog[14];
	int n_tracks;
	struct img_audio_layout_track *tracks;
};
#define IMG_AUDIO_LAYOUT_INIT { .n_tracks = 0 }

enum sp_status img_audio_layout_from_cue(struct img_audio_layout *l,
					 const char *cue_path,
					 struct sp_error *err);
enum sp_status img_audio_layout_from_files(struct img_audio_layout *l,
					   char *const *paths, int n,
					   struct sp_error *err);
void img_audio_layout_release(struct img_audio_layout *l);
/* A libburn source delivering a track's PCM (little endian), zero-padded
 * to whole sectors. */
enum sp_status img_audio_track_source(const struct img_audio_layout_track *t,
				      struct burn_source **out,
				      struct sp_error *err);
/* Drop a reference to such a source (NULL is fine). */
void img_audio_source_free(struct burn_source *src);
/* Read a track through its source, as a burn would, and CRC32 its bytes. */
enum sp_status img_audio_track_crc32(const struct img_audio_layout_track *t,
				     uint32_t *crc, struct sp_error *err);

#endif
