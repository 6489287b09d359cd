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
	/* held open by another program: only address, vendor, model and
	 * revision (from sysfs) are known */
	bool busy;
};

/* Enumerate optical drives, busy ones too.  *list is malloc'ed; free with
 * free(). */
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

/* count whole 2352-byte audio sectors from a CD (READ CD), no retries;
 * LBAs from -150.  Real drives only, not stdio: files. */
enum sp_status drv_read_audio(struct drv_drive *d, int64_t lba, uint32_t count,
			      void *buf, struct sp_error *err);
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
/* "auto", "sao", "tao"; -1 if none of them. */
int drv_parse_write_mode(const char *s, enum drv_write_mode *out);

/* A write speed as the user gives it: "max", a multiple "8x", or kB/s. */
struct drv_speed {
	double x;               /* > 0: a multiple of 1x for the medium */
	int kbps;               /* > 0: kB/s (1000 bytes) */
};
/* "max", "8x", "2.4x", "5540" (kB/s); -1 on garbage, zero or absurd values. */
int drv_parse_speed(const char *s, struct drv_speed *out);
/* kB/s to ask the drive for on a medium of this profile; 0 is maximum. */
int drv_speed_kbps(const struct drv_speed *sp, int profile);

struct drv_write_opts {
	enum drv_write_mode mode;
	bool simulate;
	bool multi;             /* leave the disc appendable */
	bool stream_recording;  /* BD: no defect management */
	bool force;             /* write over a non-blank medium/file */
	struct drv_speed speed;
};
#define DRV_WRITE_OPTS_INIT { .mode = DRV_MODE_AUTO }

enum drv_phase {
	DRV_PHASE_PREPARING,
	DRV_PHASE_WRITING,
	DRV_PHASE_CLOSING,
	DRV_PHASE_CANCELLING,   /* interrupted: waiting for the drive to stop */
	DRV_PHASE_DONE,
};
/* "preparing", "writing", "closing", "done": the names --json uses */
const char *drv_phase_name(enum drv_phase p);

struct drv_progress {
	enum drv_phase phase;
	int64_t sectors_done;
	int64_t sectors_total;  /* -1 unknown (stdin of unknown size) */
	int fifo_fill_pct;      /* -1 unknown */
	int buffer_fill_pct;    /* drive buffer, -1 unknown */
	double elapsed;         /* seconds since the write started */
	double bytes_per_sec;   /* over the last second or so; 0 at first */
	double x_speed_kbps;    /* 1x for this medium */
};
typedef void (*drv_progress_fn)(const struct drv_progress *p, void *ctx);

/*
 * Sectors a data track of `bytes` occupies on a medium of this profile:
 * the last sector padded, then whole ECC blocks on DVD and BD.
 */
int64_t drv_track_sectors(uint64_t bytes, int profile);

/*
 * Check, without writing anything, that a track of `bytes` (-1: unknown)
 * may be written to the medium: blank (or --force), writable, and large
 * enough.  SPE_NOTBLANK, SPE_MEDIUM, SPE_NOMEDIUM or SPE_TOOBIG otherwise,
 * with a hint.  drv_write() calls this first.
 */
enum sp_status drv_check_writable(struct drv_drive *d, int64_t bytes,
				  const struct drv_write_opts *o,
				  struct sp_error *err);

/*
 * Write one data track of `size` bytes (-1: unknown, as from a pipe) from
 * src, a libburn source chain whose head is a FIFO (burn_fifo_source_new;
 * its fill is reported).  Checks the medium first (drv_check_writable).
 * Blocks until done, calling progress about five times a second.  A
 * SIGINT/SIGTERM/SIGHUP (drv_interrupted()) cancels the write through
 * libburn (burn_drive_cancel plus the source's cancel), reports progress
 * once at once with phase DRV_PHASE_CANCELLING, waits for the drive to go
 * idle, and returns SPE_ABORTED with a message that says what the medium
 * holds now (read again from the drive); the drive can then be released
 * and grabbed again.  After the write, burn_drive_wrote_well() decides.
 */
enum sp_status drv_write(struct drv_drive *d, struct burn_source *src,
			 int64_t size, const struct drv_write_opts *o,
			 drv_progress_fn progress, void *ctx,
			 struct sp_error *err);

/* The LBA where the last drv_write() put its track: 0 on a blank or
 * overwritable medium and on virtual drives, the next writable address on
 * an appendable disc.  Verify after a burn starts there. */
int64_t drv_last_write_lba(const struct drv_drive *d);
/* ---- writing audio CDs (write_audio.c) ---------------------------------- */

struct drv_audio_track {
	struct burn_source *src;    /* little-endian PCM; a reference is taken */
	bool mode1;                 /* a Mode 1 data track: src delivers 2048-byte sectors */
	int64_t sectors;            /* whole sectors src delivers */
	int n_index;                /* INDEX 02..: sectors of src before each */
	const int64_t *index;
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
/* Whether disc mixes audio and Mode 1 tracks: libburn writes no such
 * session disc-at-once, so drv_write_audio() writes it track at once, where
 * the drive makes 2-second gaps between tracks and no CD-TEXT is written. */
bool drv_audio_disc_mixed(const struct drv_audio_disc *disc);
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
/* "SIGINT", "SIGTERM", "SIGHUP" (or "a signal"), for messages. */
const char *drv_interrupt_signal_name(void);

/* ---- test-mode damage ---------------------------------------------------- */

/*
 * A damage model makes chosen sectors unreadable, flaky (fail N times, then
 * read), slow, or run-out (05/64/00), in the manner of ddrescue's
 * --test-mode.  drv_read() consults it before touching the medium; a
 * command that meets a failing sector fails as a whole.  See drive/damage.c
 * for the damage spec format.  Later rules override earlier ones.
 */
enum drv_damage_kind {
	DRV_DAMAGE_GOOD,
	DRV_DAMAGE_BAD,         /* Medium Error 03/11/00 */
	DRV_DAMAGE_FLAKY,       /* arg: failures before it reads */
	DRV_DAMAGE_SLOW,        /* arg: milliseconds per sector */
	DRV_DAMAGE_RUNOUT,      /* 05/64/00, CD TAO run-out */
};

enum sp_status drv_damage_new(struct drv_damage **out, struct sp_error *err);
/* Sectors no rule names: DRV_DAMAGE_GOOD (the default) or DRV_DAMAGE_BAD. */
void drv_damage_set_default(struct drv_damage *dm, enum drv_damage_kind kind);
enum sp_status drv_damage_add(struct drv_damage *dm, enum drv_damage_kind kind,
			      int64_t lba, int64_t count, uint32_t arg,
			      struct sp_error *err);
/* Add the rules of a damage spec held in buf (no NUL needed). */
enum sp_status drv_damage_parse(struct drv_damage *dm, const char *buf,
				size_t len, struct sp_error *err);
/* Add the rules of a damage spec file. */
enum sp_status drv_damage_parse_file(struct drv_damage *dm, const char *path,
				     struct sp_error *err);
/* A new model from a damage spec file. */
enum sp_status drv_damage_load(struct drv_damage **out, const char *path,
			       struct sp_error *err);
void drv_damage_free(struct drv_damage *dm);

/* ---- blanking, formatting, the tray (recorder) ---------------------------- */

/* Progress of a long drive-side operation: fraction 0..1, seconds so far. */
typedef void (*drv_fraction_fn)(double fraction, double elapsed, void *ctx);

enum drv_blank_mode {
	DRV_BLANK_FAST,         /* TOC/PMA only (CD-RW); minimal (DVD-RW) */
	DRV_BLANK_FULL,         /* the whole medium */
};

/*
 * Blank a CD-RW or DVD-RW (a DVD-RW in restricted overwrite returns to
 * sequential recording).  Other media fail with SPE_MEDIUM and a hint (use
 * format for DVD+RW, BD-RE, DVD-RAM).  Blocks until the drive is done,
 * calling progress about five times a second.
 */
enum sp_status drv_blank(struct drv_drive *d, enum drv_blank_mode mode,
			 drv_fraction_fn progress, void *ctx,
			 struct sp_error *err);

enum drv_format_spare {
	DRV_SPARE_DEFAULT,      /* the medium's usual choice */
	DRV_SPARE_ON,           /* with spare areas: defect management */
	DRV_SPARE_OFF,          /* no spare areas: full capacity, no DM */
};

struct drv_format_opts {
	bool full;              /* full format / certification where offered */
	enum drv_format_spare spare;
	int64_t size_sectors;   /* 0: the default or maximum size */
	bool reformat;          /* format media that are formatted already */
};
#define DRV_FORMAT_OPTS_INIT { .full = false, .spare = DRV_SPARE_DEFAULT }

/*
 * Format a DVD+RW, a DVD-RW (to restricted overwrite), a BD-RE, a DVD-RAM,
 * or a blank BD-R (with spare areas, for defect management).  Formatted
 * media need o->reformat (else SPE_NOTBLANK).  Blocks with progress.
 */
enum sp_status drv_format(struct drv_drive *d, const struct drv_format_opts *o,
			  drv_fraction_fn progress, void *ctx,
			  struct sp_error *err);

/*
 * What a rewritable medium needs before a burn can start from its beginning:
 * DRV_PREP_NONE (blank, or write-once), DRV_PREP_BLANK (CD-RW, DVD-RW
 * holding data), DRV_PREP_FORMAT (unformatted BD-RE, DVD-RAM),
 * DRV_PREP_OVERWRITE (formatted overwritable media holding data: written
 * over in place).
 */
enum drv_prep { DRV_PREP_NONE, DRV_PREP_BLANK, DRV_PREP_FORMAT, DRV_PREP_OVERWRITE };
enum drv_prep drv_prep_needed(struct drv_drive *d);

/* ---- appending to an ISO 9660 tree (recorder) ---- */

struct drv_append_result {
	bool was_blank;         /* the disc got its first session */
	int64_t start_lba;      /* where the new session starts, -1 unknown */
	int64_t sectors;        /* sectors written */
};

/*
 * Grow the ISO 9660 file system on the disc in the drive at `address` by one
 * session through libisoburn: the tree of the last session plus the
 * contents of `dir` at its root (files of the same name are replaced), as
 * a mount or xorriso sees it afterwards.  A blank disc gets a first
 * session.  Uses o->multi, simulate, speed, stream_recording.  Grabs and
 * releases the drive itself.
 */
enum sp_status drv_append_tree(const char *address, const char *dir,
			       const struct drv_write_opts *o,
			       drv_progress_fn progress, void *ctx,
			       struct drv_append_result *res, struct sp_error *err);

/* Open the tray of the drive at address (NULL: the only drive). */
enum sp_status drv_eject(const char *address, struct sp_error *err);
/* Close the tray and wait for the medium to be recognised. */
enum sp_status drv_load(const char *address, struct sp_error *err);
/*
 * Lock (or unlock) the tray against the eject button.  The lock stays after
 * spindle exits (the kernel's CDROM_LOCKDOOR) until unlocked, or until a
 * program that grabbed the drive releases it.
 */
enum sp_status drv_lock(const char *address, bool lock, struct sp_error *err);

#endif
