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

#endif
