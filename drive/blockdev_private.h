/* SPDX-License-Identifier: GPL-3.0-or-later */
/* blockdev_private.h - between blockdev.c (what a device is) and
 * blockdev_open.c (the rules and the exclusive open); drive/ only. */
#ifndef SPINDLE_BLOCKDEV_PRIVATE_H
#define SPINDLE_BLOCKDEV_PRIVATE_H

#include <sys/types.h>

#include "drive/drive.h"

/* The sysfs name of a device number ("sdb1"). */
bool drv_blk_name_of(dev_t dev, char *name, size_t len);
bool drv_blk_is_partition(const char *name);
/* name is disk, a partition of it, or a dm/md device built on it. */
bool drv_blk_on_disk(const char *name, const char *disk, int depth);
/* Fill d for the whole disk with this sysfs name. */
void drv_blk_describe(const char *name, struct drv_blk_desc *d);
/* Every mount of /proc/self/mountinfo: device number and mount point. */
void drv_blk_each_mount(void (*fn)(dev_t dev, const char *mnt, void *ctx), void *ctx);

#endif
