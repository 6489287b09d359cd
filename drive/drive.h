/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * drive.h - the public interface of spindle's drive layer.
 *
 * drive/ owns everything that talks to a drive: enumeration, grabbing and
 * releasing, medium queries, reading, writing, blanking and formatting.
 * SCSI/MMC goes through libburn; libcdio's MMC calls fill the gaps.  A
 * "drive" is either a real optical drive (/dev/srN) or a libburn virtual
 * drive backed by a file or block device ("stdio:PATH"); both go through the
 * same code path here.
 *
 * libburn's and libisofs' message queues are taken over in drv_lib_init():
 * nothing of theirs prints.  Their messages become `struct sp_error`s, and
 * SCSI sense data turns into plain language (drv_sense_describe()).
 *
 * Life cycle:
 *
 *     drv_lib_init(&err);
 *     drv_open(&d, "stdio:/tmp/disc.iso", &opts, &err);
 *     drv_get_medium(d, &m, &err);  ... drv_read() / drv_write() ...
 *     drv_close(d, DRV_KEEP_TRAY);
 *     drv_lib_finish();
 */
#ifndef SPINDLE_DRIVE_H
#define SPINDLE_DRIVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/common.h"

struct burn_source;     /* libburn's data source; imaging/ builds the chain */
struct drv_drive;       /* a grabbed drive; opaque */
struct drv_damage;      /* a test-mode damage model; opaque */

/* ---- library set-up ---------------------------------------------------- */

enum sp_status drv_lib_init(struct sp_error *err);
void drv_lib_finish(void);
/* 0 quiet, 1 show library warnings on stderr, 2 also notes and debug. */
void drv_set_verbosity(int level);

/*
 * Drain libburn's/libisofs' message queue.  The most severe message at or
 * above FAILURE is turned into `err` (if err is not NULL and still empty);
 * lower ones go to stderr at verbosity >= 1.  Returns true if an error was
 * recorded.  drive/ calls this after each libburn call; imaging/ calls it
 * after libisofs calls.
 */
bool drv_drain_messages(struct sp_error *err);

/* ---- sense decoding ---------------------------------------------------- */

/*
 * Turn SCSI sense key/ASC/ASCQ into a sentence for a person, with what to do
 * next, into `err` (code, msg, hint, sense fields).  lba < 0: unknown.
 * Example: 03/11/00 at 1000 -> "unreadable sector at LBA 1000 (scratch or
 * dye damage)".
 */
void drv_sense_describe(uint8_t key, uint8_t asc, uint8_t ascq, int64_t lba,
			struct sp_error *err);
/* Parse "[3 11 00]"-style sense out of a libburn message; 0 if none. */
int drv_sense_parse(const char *text, uint8_t *key, uint8_t *asc,
		    uint8_t *ascq);

/* ---- enumeration ------------------------------------------------------- */

struct drv_profile {
	int code;               /* MMC profile number, e.g. 0x1a */
	char name[80];          /* "DVD+RW" */
	bool current;           /* the loaded medium's profile */
};

struct drv_desc {
	char address[1024];  /* "/dev/sr0" */
	char vendor[16];
	char model[32];
	char revision[8];
	/* media families from mode page 2Ah: CD-R, CD-RW, DVD-R, DVD-RAM ... */
	char reads[128];        /* comma-separated, e.g. "CD-ROM,CD-R,DVD-ROM" */
	char writes[128];
	int n_profiles;
	struct drv_profile profiles[64];
};

/* Enumerate optical drives.  *list is malloc'ed; free with free(). */
enum sp_status drv_scan(struct drv_desc **list, size_t *n,
			struct sp_error *err);

/* ---- opening ----------------------------------------------------------- */

enum drv_access {
	DRV_READ,               /* reading only: a stdio file must exist */
	DRV_WRITE,              /* may write: a stdio file may be created */
};

struct drv_open_opts {
	enum drv_access access;
	/* test hooks: a damage model applied to every drv_read(); not owned */
	struct drv_damage *damage;
};
#define DRV_OPEN_OPTS_INIT { .access = DRV_READ, .damage = NULL }

/*
 * Grab a drive.  address: "/dev/srN", "/dev/sgN", "stdio:PATH", or NULL to
 * pick the only optical drive (an error lists them if there are several or
 * none).  A stdio: path is checked on the opened descriptor.
 */
enum sp_status drv_open(struct drv_drive **out, const char *address,
			const struct drv_open_opts *opts, struct sp_error *err);

enum drv_release { DRV_KEEP_TRAY, DRV_EJECT };
void drv_close(struct drv_drive *d, enum drv_release how);

const char *drv_address(const struct drv_drive *d);
bool drv_is_virtual(const struct drv_drive *d);

/* ---- the medium -------------------------------------------------------- */

enum drv_disc_status {
	DRV_DISC_EMPTY,         /* no medium */
	DRV_DISC_BLANK,
	DRV_DISC_APPENDABLE,
	DRV_DISC_CLOSED,
	DRV_DISC_UNSUITABLE,    /* present but unusable */
	DRV_DISC_UNKNOWN,
};
const char *drv_disc_status_name(enum drv_disc_status s);

struct drv_track {
	int session;            /* 1-based */
	int number;             /* 1-based, disc-wide */
	int64_t start_lba;
	int64_t sectors;
	bool audio;
};

struct drv_medium {
	int profile;            /* MMC profile number; 0xffff stdio file */
	char profile_name[80];
	enum drv_disc_status status;
	bool erasable;          /* rewritable medium */
	bool is_virtual;        /* stdio: drive */
	bool virtual_nonempty;  /* stdio file exists and is not empty */
	int64_t capacity_sectors;   /* total the medium can hold, -1 unknown */
	int64_t free_sectors;       /* writable from the next writable address */
	int64_t readable_sectors;   /* READ CAPACITY, -1 unknown */
	uint32_t ecc_block;         /* sectors per ECC block: 1 CD, 16 DVD, 32 BD */
	char media_id[128];
	char manufacturer[128];
	int n_sessions;
	int n_tracks;
	struct drv_track *tracks;   /* malloc'ed */
	int n_write_speeds;
	int *write_speeds_kbps;     /* malloc'ed, descending */
	int n_read_speeds;
	int *read_speeds_kbps;
};

enum sp_status drv_get_medium(struct drv_drive *d, struct drv_medium *m,
			      struct sp_error *err);
void drv_medium_release(struct drv_medium *m);

/* kB/s for "1x" of a profile family: 176.4 CD, 1385 DVD, 4495 BD. */
double drv_x_speed_kbps(int profile);
/* ECC block size in sectors for a profile. */
uint32_t drv_ecc_block_for_profile(int profile);

/* ---- reading ----------------------------------------------------------- */

/*
 * Read `count` 2048-byte sectors from `lba` into buf, with no retry at any
 * level that spindle controls: the caller decides what to retry.  Reads past
 * the readable capacity fail with SPE_READ.  On failure *done is the number
 * of leading sectors that were read well, and err names the first bad LBA
 * and the sense data.  Returns SP_OK when all count sectors were read.
 */
enum sp_status drv_read(struct drv_drive *d, int64_t lba, uint32_t count,
			void *buf, uint32_t *done, struct sp_error *err);

/* Largest count drv_read() accepts in one call. */
#define DRV_READ_MAX 64

/* Read speed in kB/s; 0 fastest, -1 slowest.  Silently ignored where the
 * drive or medium has no speeds (stdio:). */
enum sp_status drv_set_read_speed(struct drv_drive *d, int kbps,
				  struct sp_error *err);

/* Readable size in sectors (READ CAPACITY or file size). */
int64_t drv_readable_sectors(struct drv_drive *d);

/* ---- writing ----------------------------------------------------------- */

enum drv_write_mode { DRV_MODE_AUTO, DRV_MODE_SAO, DRV_MODE_TAO };

struct drv_write_opts {
	enum drv_write_mode mode;
	bool simulate;
	bool multi;             /* leave the disc appendable */
	bool stream_recording;  /* BD: no defect management */
	bool force;             /* write over a non-blank medium/file */
	int speed_kbps;         /* 0: maximum */
	/* the FIFO in the chain, for fill reports; may be NULL */
	struct burn_source *fifo;
};
#define DRV_WRITE_OPTS_INIT { .mode = DRV_MODE_AUTO }

enum drv_phase {
	DRV_PHASE_PREPARING,
	DRV_PHASE_WRITING,
	DRV_PHASE_CLOSING,
	DRV_PHASE_DONE,
};

struct drv_progress {
	enum drv_phase phase;
	int64_t sectors_done;
	int64_t sectors_total;  /* -1 unknown (stdin of unknown size) */
	int fifo_fill_pct;      /* -1 unknown */
	int buffer_fill_pct;    /* drive buffer, -1 unknown */
	double elapsed;         /* seconds since the write started */
	double x_speed_kbps;    /* 1x for this medium */
};
typedef void (*drv_progress_fn)(const struct drv_progress *p, void *ctx);

/*
 * Write one data track from src (a libburn source chain, FIFO included)
 * of `size` bytes (-1: unknown, as from a pipe).  Checks capacity and blank
 * state before writing anything.  Blocks until done, calling progress about
 * five times a second.  Honours drv_interrupted(): an interrupted write is
 * cancelled, the drive released cleanly, and SPE_ABORTED returned.
 */
enum sp_status drv_write(struct drv_drive *d, struct burn_source *src,
			 int64_t size, const struct drv_write_opts *o,
			 drv_progress_fn progress, void *ctx,
			 struct sp_error *err);

/* ---- writing audio CDs (write_audio.c) ---------------------------------- */

struct drv_audio_track {
	struct burn_source *src;    /* little-endian PCM; a reference is taken */
	int64_t sectors;            /* whole sectors src delivers */
	int64_t pregap_silence;     /* sectors of silence written before (0: none) */
	int64_t index1;             /* sectors of src before INDEX 01 (its gap) */
	bool pre_emphasis, copy_permitted;
	const char *isrc;           /* 12 characters, or NULL */
	const char *title, *performer;  /* CD-TEXT, or NULL */
};

struct drv_audio_disc {
	int n_tracks;
	const struct drv_audio_track *tracks;
	const char *title, *performer;  /* CD-TEXT for the disc, or NULL */
	const char *catalog;            /* 13-digit UPC/EAN, or NULL */
	bool cd_text;                   /* write CD-TEXT in the lead-in */
};

/*
 * Burn an audio CD in SAO (disc at once) with libburn's audio tracks:
 * gaps, indexes, ISRCs, flags and optional CD-TEXT.  Checks with
 * burn_precheck_write() before anything is written; libburn refuses audio
 * on anything but CD media, virtual stdio: drives included (SPE_MEDIUM).
 * Progress and interruption as drv_write().
 */
enum sp_status drv_write_audio(struct drv_drive *d, const struct drv_audio_disc *disc,
			       const struct drv_write_opts *o,
			       drv_progress_fn progress, void *ctx,
			       struct sp_error *err);

/* ---- signals ----------------------------------------------------------- */

/*
 * Install SIGINT/SIGTERM/SIGHUP handling.  Long operations poll
 * drv_interrupted() and stop cleanly; libburn's own abort machinery is used
 * while it writes.
 */
void drv_signals_install(void);
bool drv_interrupted(void);
int drv_interrupt_signal(void);

/* ---- test-mode damage ---------------------------------------------------- */

/*
 * A damage model makes chosen sectors unreadable, flaky (fail N times, then
 * read) or slow, in the manner of ddrescue's --test-mode.  drv_read()
 * consults it before touching the medium.  See drive/damage.c for formats.
 */
enum sp_status drv_damage_load(struct drv_damage **out, const char *path,
			       struct sp_error *err);
void drv_damage_free(struct drv_damage *dm);

#endif
