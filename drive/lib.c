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
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/*
 * Wait until libburn's writer thread has really ended.
 *
 * burn_drive_get_status() going BURN_DRIVE_IDLE does not mean that: on a
 * stdio: (virtual) drive libburn 1.5.4's burn_stdio_write_sync() re-grabs
 * the drive at its end (burn_drive_grab_stdio(), which sets the drive
 * idle), and only then does the writer thread go on - on a failed burn,
 * such as a full filesystem, it sleeps 0.5 s, submits "Burn run failed",
 * frees the write options and submits "Write thread on drive N ended"
 * (0x20178).  A caller that took idle for the end released the drive and
 * called burn_finish() meanwhile, and the writer then submitted to the
 * destroyed message queue: SIGSEGV at address 0x20 in the writer thread
 * (seen under valgrind on a loaded machine, burning from a pipe onto a
 * full tmpfs).
 *
 * The thread's last message is the only sign libburn gives that it is
 * done, so take the queue until it comes (at most DRV_WRITER_WAIT s, in
 * case a libburn never says it) and put the rest back, in order, for the
 * caller's drv_drain_messages().  A "Burn run failed" (0x2010b) that came
 * only after idle is dropped: it would hide the cause (it is FATAL, the
 * cause a SORRY) that drv_drain_messages() saw before this wait existed.
 */
#define DRV_WRITER_ENDED 0x00020178
#define DRV_BURN_RUN_FAILED 0x0002010b
#define DRV_WRITER_WAIT 30.0
#define DRV_WRITER_STASH 64

void drv_wait_writer_end(bool drop_late_run_failed)
{
	static char all[] = "ALL";
	struct stash {
		int code, os_errno;
		char sev[80], msg[BURN_MSGS_MESSAGE_LEN];
	} *kept;
	const struct timespec nap = { 0, 20 * 1000 * 1000 };
	double deadline = sp_now() + DRV_WRITER_WAIT;
	int n = 0;
	bool ended = false;

	if (!lib_ready)
		return;
	kept = calloc(DRV_WRITER_STASH, sizeof(*kept));
	if (!kept) {    /* still wait, losing the messages */
		drv_clear_messages();
		return;
	}
	while (!ended && sp_now() < deadline) {
		struct stash m;

		if (burn_msgs_obtain(all, &m.code, m.msg, &m.os_errno, m.sev) <= 0) {
			nanosleep(&nap, NULL);
			continue;
		}
		if (m.code == DRV_WRITER_ENDED) {
			ended = true;
			continue;
		}
		if (drop_late_run_failed && m.code == DRV_BURN_RUN_FAILED)
			continue;
		if (n < DRV_WRITER_STASH)
			kept[n++] = m;
	}
	for (int i = 0; i < n; i++)
		burn_msgs_submit(kept[i].code, kept[i].msg, kept[i].os_errno, kept[i].sev, NULL);
	free(kept);
}
