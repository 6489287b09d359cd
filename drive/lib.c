/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lib.c - libburn/libisofs set-up and their message queue.
 *
 * libburn and libisofs share one queue (burn_set_messenger).  We stop both
 * from printing and drain the queue ourselves, so that every message either
 * becomes a spindle error or, with --verbose, a line on stderr.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libburn/libburn.h>
#include <libisofs/libisofs.h>

#include "drive/drive_private.h"

static int verbosity;
static bool lib_ready;

void drv_set_verbosity(int level)
{
	verbosity = level;
}

enum sp_status drv_lib_init(struct sp_error *err)
{
	if (lib_ready)
		return SP_OK;
	/* libburn and libisofs take char *, not const char * */
	/* queue everything, print nothing: drv_drain_messages() decides */
	static char all[] = "ALL", never[] = "NEVER", prefix[] = "spindle: ";

	if (!burn_initialize())
		return sp_error_set(err, SPE_LIB, "cannot initialize libburn");
	burn_msgs_set_severities(all, never, prefix);
	if (iso_init() < 0) {
		burn_finish();
		return sp_error_set(err, SPE_LIB, "cannot initialize libisofs");
	}
	iso_set_msgs_severities(all, never, prefix);
	burn_set_messenger(iso_get_messenger());
	burn_allow_drive_role_4(1);
	burn_allow_untested_profiles(1);
	lib_ready = true;
	return SP_OK;
}

void drv_lib_finish(void)
{
	if (!lib_ready)
		return;
	drv_clear_messages();
	burn_finish();
	iso_finish();
	lib_ready = false;
}

static int severity_rank(const char *sev)
{
	static const char *order[] = { "DEBUG", "NOTE", "UPDATE", "HINT",
		"WARNING", "SORRY", "MISHAP", "FAILURE", "FATAL", "ABORT" };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strcmp(sev, order[i]) == 0)
			return (int)i;
	return 0;
}

bool drv_drain_messages(struct sp_error *err)
{
	char msg[BURN_MSGS_MESSAGE_LEN], sev[80];
	static char all[] = "ALL";
	int code, os_errno, best = -1;
	bool recorded = false;

	if (!lib_ready)
		return false;
	while (burn_msgs_obtain(all, &code, msg, &os_errno, sev) > 0) {
		int rank = severity_rank(sev);
		size_t n = strlen(msg);

		while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			msg[--n] = '\0';
		if (verbosity >= 2 || (verbosity >= 1 && rank >= 4))
			fprintf(stderr, "spindle: library %s 0x%x: %s\n", sev, code, msg);
		/* SORRY and above are errors in libburn's grading */
		if (rank < 5 || !err || rank <= best)
			continue;
		if (err->code != SPE_NONE && !recorded)
			continue;
		best = rank;
		recorded = true;
		err->lib_code = code;
		snprintf(err->detail, sizeof(err->detail), "%s (0x%x): %s", sev, code, msg);
		{
			uint8_t k, a, q;
			if (drv_sense_parse(msg, &k, &a, &q)) {
				drv_sense_describe(k, a, q, err->lba, err);
				continue;
			}
		}
		err->code = os_errno == ENOSPC ? SPE_NOSPACE : SPE_LIB;
		err->sys_errno = os_errno;
		if (os_errno)
			snprintf(err->msg, sizeof(err->msg), "%s: %s", msg, strerror(os_errno));
		else
			snprintf(err->msg, sizeof(err->msg), "%s", msg);
	}
	return recorded;
}

void drv_clear_messages(void)
{
	drv_drain_messages(NULL);
}
