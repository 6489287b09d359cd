/* SPDX-License-Identifier: GPL-3.0-or-later */
/* error.c - spindle's one error model: codes, messages, exit codes. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"

static const struct {
	const char *name;
	const char *text;
	enum sp_exit exit;
} codes[SPE__COUNT] = {
	[SPE_NONE] = { "none", "no error", SP_EXIT_OK },
	[SPE_USAGE] = { "usage", "bad command line", SP_EXIT_USAGE },
	[SPE_NOMEM] = { "no-memory", "out of memory", SP_EXIT_FAILURE },
	[SPE_IO] = { "io", "input/output error", SP_EXIT_FAILURE },
	[SPE_NOSPACE] = { "no-space", "no space left on the output filesystem", SP_EXIT_NOSPACE },
	[SPE_NOENT] = { "not-found", "no such file or drive", SP_EXIT_FAILURE },
	[SPE_ACCESS] = { "access", "permission denied", SP_EXIT_FAILURE },
	[SPE_NODRIVE] = { "no-drive", "no usable optical drive", SP_EXIT_DRIVE },
	[SPE_BUSY] = { "drive-busy", "drive is in use by another program", SP_EXIT_DRIVE },
	[SPE_NOMEDIUM] = { "no-medium", "no disc in the drive", SP_EXIT_MEDIUM },
	[SPE_MEDIUM] = { "medium", "the medium cannot be used for this", SP_EXIT_MEDIUM },
	[SPE_NOTBLANK] = { "not-blank", "the medium already holds data", SP_EXIT_MEDIUM },
	[SPE_TOOBIG] = { "too-big", "the image does not fit on the medium", SP_EXIT_MEDIUM },
	[SPE_READ] = { "unreadable", "sectors could not be read", SP_EXIT_UNREADABLE },
	[SPE_WRITE] = { "write-error", "the drive failed to write", SP_EXIT_WRITE },
	[SPE_MISMATCH] = { "mismatch", "data on the medium differs from the image", SP_EXIT_MISMATCH },
	[SPE_ABORTED] = { "aborted", "interrupted", SP_EXIT_ABORTED },
	[SPE_FORMAT] = { "bad-format", "malformed input", SP_EXIT_FAILURE },
	[SPE_LIB] = { "library", "library error", SP_EXIT_FAILURE },
	[SPE_INTERNAL] = { "internal", "internal error", SP_EXIT_FAILURE },
	[SPE_EXISTS] = { "exists", "output already exists", SP_EXIT_FAILURE },
	[SPE_UNSUPPORTED] = { "unsupported", "not supported by this drive or medium", SP_EXIT_MEDIUM },
};

void sp_error_init(struct sp_error *err)
{
	memset(err, 0, sizeof(*err));
	err->lba = -1;
}

void sp_error_clear(struct sp_error *err)
{
	sp_error_init(err);
}

const char *sp_strerror(enum sp_errcode code)
{
	if ((unsigned)code >= SPE__COUNT)
		return "unknown error";
	return codes[code].text;
}

const char *sp_errcode_name(enum sp_errcode code)
{
	if ((unsigned)code >= SPE__COUNT)
		return "unknown";
	return codes[code].name;
}

enum sp_exit sp_exit_code(enum sp_errcode code)
{
	if ((unsigned)code >= SPE__COUNT)
		return SP_EXIT_FAILURE;
	return codes[code].exit;
}

enum sp_status sp_error_set(struct sp_error *err, enum sp_errcode code,
			    const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return SP_FAILED;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return SP_FAILED;
}

static enum sp_errcode classify_errno(int errnum)
{
	switch (errnum) {
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		return SPE_NOSPACE;
	case ENOENT:
	case ENOTDIR:
		return SPE_NOENT;
	case EACCES:
	case EPERM:
	case EROFS:
		return SPE_ACCESS;
	case ENOMEM:
		return SPE_NOMEM;
	case EBUSY:
		return SPE_BUSY;
	case EEXIST:
		return SPE_EXISTS;
	case EINTR:
		return SPE_ABORTED;
	default:
		return SPE_IO;
	}
}

enum sp_status sp_error_set_errno(struct sp_error *err, int errnum,
				  const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!err)
		return SP_FAILED;
	err->code = classify_errno(errnum);
	err->sys_errno = errnum;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	if (err->code == SPE_NOSPACE && !err->hint[0])
		snprintf(err->hint, sizeof(err->hint),
			 "free some space on the output filesystem, then run the same command again");
	return SP_FAILED;
}

void sp_error_hint(struct sp_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}

void sp_error_detail(struct sp_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
}
