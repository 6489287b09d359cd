/* SPDX-License-Identifier: GPL-3.0-or-later */
/* drive_private.h - shared between the files of drive/ only. */
#ifndef SPINDLE_DRIVE_PRIVATE_H
#define SPINDLE_DRIVE_PRIVATE_H

#include <libburn/libburn.h>

#include "drive/drive.h"

struct drv_drive {
	struct burn_drive_info *info;
	struct burn_drive *bd;
	char address[4096];     /* as the user gave it */
	bool is_virtual;
	int fd;                 /* stdio: our descriptor, else -1 */
	bool created;           /* stdio: we created the file */
	int profile;
	int64_t readable;       /* sectors, -1 unknown */
	struct drv_damage *damage;
	int64_t write_lba;      /* where the last drv_write() started */
};

/* damage.c */
/* Decide the fate of reading [lba, lba+count): returns count when every
 * sector reads now, else 0 (the command fails as a whole) with *why
 * DRV_DAMAGE_BAD or DRV_DAMAGE_RUNOUT; sleeps for slow sectors. */
uint32_t drv_damage_check(struct drv_damage *dm, int64_t lba, uint32_t count,
			  enum drv_damage_kind *why);

/* lib.c */
void drv_clear_messages(void);
/* After burn_drive_get_status() said idle following burn_disc_write():
 * wait for libburn's writer thread to end (idle comes early on a stdio:
 * drive), keeping the queued messages; drop_late_run_failed: leave out
 * its "Burn run failed" summary (for a virtual drive, where it always
 * comes after idle). */
void drv_wait_writer_end(bool drop_late_run_failed);

/* write.c: SPE_ABORTED for a write interrupted before libburn started it
 * (nothing written), or after (the drive idle again): what the medium
 * holds now, read again from the drive, and what to do with it.  all_sent:
 * every sector had reached the drive when the signal came. */
void drv_abort_before_write(struct drv_drive *d, struct sp_error *err);
void drv_abort_after_write(struct drv_drive *d, bool audio, bool all_sent,
			   int64_t done, int64_t total, struct sp_error *err);
/* At the first cancel: whether libburn had sent all `total` sectors (of
 * `sector_bytes`; `done` of them counted so far over all tracks), from its
 * status and progress. */
bool drv_all_sent(enum burn_drive_status ds, const struct burn_progress *bp,
		  int64_t done, int64_t total, int sector_bytes);

#endif
