/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * blockdev_open.c - the safety rules for writing a block device, and its
 * exclusive open: O_EXCL (the kernel refuses it while anything mounts or
 * holds the device), O_DIRECT, and the whole-device BSD flock that udev
 * and udisks honour (systemd's "Locking Block Device Access").
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "drive/blockdev_private.h"

struct drv_blk {
	int fd;
	struct drv_blk_desc desc;
};

enum sp_status drv_blk_check(const struct drv_blk_desc *d, bool force,
			     struct sp_error *err)
{
	if (d->system[0]) {
		sp_error_set(err, SPE_BUSY, "'%s' holds the system's %s: spindle never writes to it",
			     d->path, d->system);
		sp_error_hint(err, "run 'spindle drives' to find the stick");
		return SP_FAILED;
	}
	if (d->mounted[0]) {
		sp_error_set(err, SPE_BUSY, "'%s' is in use: mounted on %s", d->path, d->mounted);
		sp_error_hint(err, "unmount it first (umount %s), or pick another device", d->mounted);
		return SP_FAILED;
	}
	if (d->swap) {
		sp_error_set(err, SPE_BUSY, "'%s' is in use as swap", d->path);
		sp_error_hint(err, "turn it off first with swapoff, or pick another device");
		return SP_FAILED;
	}
	if (d->holder[0]) {
		sp_error_set(err, SPE_BUSY, "'%s' is in use by %s (device-mapper, RAID or LVM)",
			     d->path, d->holder);
		sp_error_hint(err, "stop what holds it first (dmsetup, mdadm, vgchange -an)");
		return SP_FAILED;
	}
	if (d->readonly) {
		sp_error_set(err, SPE_ACCESS, "'%s' is read-only", d->path);
		sp_error_hint(err, "an SD card may have its lock switch on");
		return SP_FAILED;
	}
	if (d->fixed && !force) {
		sp_error_set(err, SPE_MEDIUM, "'%s' is a fixed disk (bus %s, not removable), "
			     "not a stick", d->path, d->bus);
		sp_error_hint(err, "add --force if you really mean to overwrite all of it");
		return SP_FAILED;
	}
	return SP_OK;
}

enum sp_status drv_blk_open(struct drv_blk **out, const char *path, bool force,
			    struct sp_error *err)
{
	struct drv_blk *b = calloc(1, sizeof(*b));
	uint64_t bytes = 0;
	int tries = 0;

	*out = NULL;
	if (!b)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	b->fd = -1;
	if (drv_blk_inspect(path, &b->desc, err) != SP_OK ||
	    drv_blk_check(&b->desc, force, err) != SP_OK)
		goto fail;
	b->fd = open(b->desc.path, O_RDWR | O_EXCL | O_DIRECT | O_CLOEXEC);
	if (b->fd < 0 && errno == EINVAL)
		b->fd = open(b->desc.path, O_RDWR | O_EXCL | O_CLOEXEC);
	if (b->fd < 0) {
		int e = errno;

		if (e == EBUSY) {
			sp_error_set(err, SPE_BUSY, "'%s' is in use by another program", b->desc.path);
			sp_error_hint(err, "something mounts, holds or has it open exclusively");
		} else {
			sp_error_set_errno(err, e, "cannot open '%s' for writing", b->desc.path);
		}
		goto fail;
	}
	/* udev's probes take the lock shared for a moment after any change */
	while (flock(b->fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK || ++tries > 20) {
			sp_error_set(err, SPE_BUSY, "'%s' is locked by another program", b->desc.path);
			sp_error_hint(err, "another writer or a disk tool holds it; try again later");
			goto fail;
		}
		usleep(100000);
	}
	if (ioctl(b->fd, BLKGETSIZE64, &bytes) == 0 && bytes)
		b->desc.size = bytes;
	*out = b;
	return SP_OK;
fail:
	if (b->fd >= 0)
		close(b->fd);
	free(b);
	return SP_FAILED;
}

int drv_blk_fd(const struct drv_blk *b)
{
	return b->fd;
}

const struct drv_blk_desc *drv_blk_desc(const struct drv_blk *b)
{
	return &b->desc;
}

void drv_blk_close(struct drv_blk *b)
{
	if (!b)
		return;
	if (b->fd >= 0) {
		(void)ioctl(b->fd, BLKRRPART);  /* best effort: new partitions show */
		flock(b->fd, LOCK_UN);
		close(b->fd);
	}
	free(b);
}
