/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tray.c - the tray: eject, load, lock.  Eject and load go through
 * libburn's grab and release (START STOP UNIT); the lock is the kernel's
 * CDROM_LOCKDOOR, which keeps the tray locked after the descriptor closes,
 * as eject(1) -i does.  CDROM_DRIVE_STATUS tells an open tray apart, so
 * that ejecting an open tray does not first pull it in.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/cdrom.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "drive/drive_private.h"

static enum sp_status not_virtual(const char *address, struct sp_error *err)
{
	if (address && strncmp(address, "stdio:", 6) == 0) {
		sp_error_set(err, SPE_UNSUPPORTED, "a virtual drive has no tray");
		return SP_FAILED;
	}
	return SP_OK;
}

/* CDS_* of the drive, or -1 when the kernel cannot tell. */
static int tray_state(const char *address)
{
	int fd, r;

	if (!address)
		return -1;
	fd = open(address, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = ioctl(fd, CDROM_DRIVE_STATUS, CDSL_CURRENT);
	close(fd);
	return r;
}

enum sp_status drv_eject(const char *address, struct sp_error *err)
{
	struct drv_drive *d;
	struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;

	if (not_virtual(address, err) != SP_OK)
		return SP_FAILED;
	if (tray_state(address) == CDS_TRAY_OPEN)
		return SP_OK;
	if (drv_open(&d, address, &oo, err) != SP_OK)
		return SP_FAILED;
	drv_close(d, DRV_EJECT);
	return SP_OK;
}

enum sp_status drv_load(const char *address, struct sp_error *err)
{
	struct drv_drive *d;
	struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;

	if (not_virtual(address, err) != SP_OK)
		return SP_FAILED;
	/* libburn closes the tray and waits for the medium while grabbing */
	if (drv_open(&d, address, &oo, err) != SP_OK)
		return SP_FAILED;
	drv_close(d, DRV_KEEP_TRAY);
	return SP_OK;
}

enum sp_status drv_lock(const char *address, bool lock, struct sp_error *err)
{
	struct drv_desc *list = NULL;
	char picked[1024];
	size_t n = 0;
	int fd;

	if (not_virtual(address, err) != SP_OK)
		return SP_FAILED;
	if (!address) {
		if (drv_scan(&list, &n, err) != SP_OK)
			return SP_FAILED;
		if (n != 1) {
			free(list);
			sp_error_set(err, SPE_NODRIVE, n ? "%zu drives found; choose one with -d"
				     : "no optical drive found", n);
			return SP_FAILED;
		}
		snprintf(picked, sizeof(picked), "%s", list[0].address);
		free(list);
		address = picked;
	}
	fd = open(address, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		sp_error_set_errno(err, errno, "cannot open drive '%s'", address);
		err->code = errno == EBUSY ? SPE_BUSY : SPE_NODRIVE;
		return SP_FAILED;
	}
	if (ioctl(fd, CDROM_LOCKDOOR, lock ? 1 : 0) < 0) {
		int e = errno;

		close(fd);
		sp_error_set_errno(err, e, "cannot %s the tray of '%s'", lock ? "lock" : "unlock",
				   address);
		if (e == EBUSY) {
			err->code = SPE_BUSY;
			sp_error_hint(err, "another program has the drive open; try when it is done");
		} else if (e == ENOTTY || e == EINVAL) {
			err->code = SPE_UNSUPPORTED;
		}
		return SP_FAILED;
	}
	close(fd);
	return SP_OK;
}
