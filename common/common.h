/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * common.h - what drive/, imaging/ and cli/ share: the error model and a
 * few pure helpers (sizes, atomic file writes).
 *
 * The error model
 * ---------------
 * Every fallible library call returns an `enum sp_status`, graded the way
 * libarchive grades its return codes, and fills a `struct sp_error` that the
 * caller owns.  The error keeps its context (what failed, errno, LBA, SCSI
 * sense, the numeric code of a libburn/libisofs message) so that the front
 * end can print a plain sentence and still show the details with --verbose.
 *
 *     struct sp_error err = SP_ERROR_INIT;
 *     if (drv_open(&d, "/dev/sr0", &opts, &err) != SP_OK)
 *             return cli_fail(&err);
 */
#ifndef SPINDLE_COMMON_H
#define SPINDLE_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SP_SECTOR 2048

enum sp_status {
	SP_OK = 0,
	SP_RETRY = -10,  /* transient; the same call may succeed later */
	SP_WARN = -20,   /* done, but something deserves a mention */
	SP_FAILED = -25, /* this operation failed; the handle is still usable */
	SP_FATAL = -30,  /* the handle is no longer usable */
};

/*
 * What went wrong, in categories a script can act on.  Each maps to one of
 * the documented exit codes (sp_exit_code()).  Append only; the numbers are
 * part of the --json output.
 */
enum sp_errcode {
	SPE_NONE = 0,
	SPE_USAGE,        /* bad option or argument */
	SPE_NOMEM,
	SPE_IO,           /* input/output error on a file */
	SPE_NOSPACE,      /* output filesystem full */
	SPE_NOENT,        /* file or drive does not exist */
	SPE_ACCESS,       /* permission denied */
	SPE_NODRIVE,      /* no optical drive found or none chosen */
	SPE_BUSY,         /* drive held by another process */
	SPE_NOMEDIUM,     /* no disc in the drive */
	SPE_MEDIUM,       /* wrong kind of medium, or medium refused */
	SPE_NOTBLANK,     /* medium holds data and --force/--blank not given */
	SPE_TOOBIG,       /* image larger than the free space */
	SPE_READ,         /* unreadable sector(s) */
	SPE_WRITE,        /* write error while burning */
	SPE_MISMATCH,     /* verify found different data */
	SPE_ABORTED,      /* interrupted by a signal */
	SPE_FORMAT,       /* malformed input file (mapfile, CUE, ISO ...) */
	SPE_LIB,          /* a library reported an error we cannot classify */
	SPE_INTERNAL,
	SPE_EXISTS,       /* output exists and --force not given */
	SPE_UNSUPPORTED,  /* the drive or medium cannot do this */
	SPE__COUNT
};

/* Documented exit codes; see docs/spindle.1 "EXIT STATUS". Stable. */
enum sp_exit {
	SP_EXIT_OK = 0,
	SP_EXIT_FAILURE = 1,   /* general failure */
	SP_EXIT_USAGE = 2,     /* bad command line */
	SP_EXIT_DRIVE = 3,     /* no such drive, drive busy */
	SP_EXIT_MEDIUM = 4,    /* no medium, wrong medium, not blank, too small */
	SP_EXIT_MISMATCH = 5,  /* verify: data differs */
	SP_EXIT_UNREADABLE = 6,/* verify or rip: sectors could not be read */
	SP_EXIT_WRITE = 7,     /* burn: write error */
	SP_EXIT_ABORTED = 8,   /* interrupted by SIGINT/SIGTERM */
	SP_EXIT_NOSPACE = 9,   /* output filesystem full */
};

struct sp_error {
	enum sp_errcode code;
	int sys_errno;          /* 0 if none */
	int64_t lba;            /* -1 if none */
	int has_sense;
	uint8_t sense_key, asc, ascq;
	int lib_code;           /* libburn/libisofs message code, 0 if none */
	char msg[512];          /* what failed, for a person */
	char hint[256];         /* what to do next; may be empty */
	char detail[512];       /* raw library text for --verbose; may be empty */
};

#define SP_ERROR_INIT { .code = SPE_NONE, .lba = -1 }

void sp_error_init(struct sp_error *err);
void sp_error_clear(struct sp_error *err);
/* Set code and message. Returns the status to pass up (SP_FAILED). */
enum sp_status sp_error_set(struct sp_error *err, enum sp_errcode code,
			    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like sp_error_set(), classifying errno (ENOSPC -> SPE_NOSPACE ...) and
 * appending strerror(errnum) to the message. */
enum sp_status sp_error_set_errno(struct sp_error *err, int errnum,
				  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sp_error_hint(struct sp_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sp_error_detail(struct sp_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *sp_strerror(enum sp_errcode code);
/* Short stable identifier for --json, e.g. "no-medium". */
const char *sp_errcode_name(enum sp_errcode code);
enum sp_exit sp_exit_code(enum sp_errcode code);

/*
 * Sizes.  sp_parse_size() accepts "123", "4k", "16M", "1G", "2s" (sectors)
 * with binary multiples; it rejects negatives, garbage and overflow.
 */
int sp_parse_size(const char *s, uint64_t *out);
/* Parse a non-negative decimal integer in [min, max]. */
int sp_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Sectors needed to hold `bytes` (rounded up). */
uint64_t sp_bytes_to_sectors(uint64_t bytes);
/* "1.5 GiB" style rendering into buf. */
const char *sp_human_size(uint64_t bytes, char *buf, size_t len);
/* "1h02m03s" style rendering into buf; "--" for negative. */
const char *sp_human_time(double seconds, char *buf, size_t len);
/* Monotonic seconds. */
double sp_now(void);

/*
 * Atomic file replacement, as git's lockfile.h: write PATH.tmp, fsync,
 * rename over PATH, fsync the directory.  The content of PATH is therefore
 * always either the old or the new version.
 */
enum sp_status sp_write_file_atomic(const char *path, const void *data,
				    size_t len, struct sp_error *err);

/* Write all of buf to fd at offset, retrying short writes and EINTR. */
enum sp_status sp_pwrite_all(int fd, const void *buf, size_t len,
			     uint64_t off, const char *what,
			     struct sp_error *err);

/*
 * Read the whole regular file open on fd, if it holds at most max bytes,
 * into a new NUL-terminated buffer (*out, free() it; *len bytes without
 * the NUL).  Returns 0, or -1 with errno: EINVAL when fd is not a regular
 * file or is larger than max, ENOMEM, or the error of read().  The caller
 * words the message, as it knows what the file is for.
 */
int sp_read_fd_all(int fd, size_t max, char **out, size_t *len);

/* What sp_read_file() reads: a kind of input file given by the user. */
struct sp_file_kind {
	const char *what;               /* "mapfile": names it in messages */
	size_t max;                     /* larger files are refused */
	enum sp_errcode not_regular;    /* the code for "'PATH' is not a WHAT" */
	bool missing_ok;                /* no such file: SP_OK with *out NULL */
};

/*
 * Open the file at path and read it whole, as sp_read_fd_all(), wording
 * the errors for its kind: "cannot open WHAT 'PATH'", "'PATH' is not a
 * WHAT" (a directory, a device, or over max bytes), "cannot read WHAT
 * 'PATH'", or out of memory.
 */
enum sp_status sp_read_file(const char *path, const struct sp_file_kind *kind,
			    char **out, size_t *len, struct sp_error *err);

#endif
