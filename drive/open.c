/* SPDX-License-Identifier: GPL-3.0-or-later */
/* open.c - enumerate, grab and release drives, real and virtual. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drive/drive_private.h"

static void fill_families(const struct burn_drive_info *i, char *reads,
			  size_t rlen, char *writes, size_t wlen)
{
	snprintf(reads, rlen, "CD-ROM%s%s%s%s%s",
		 i->read_cdr ? ",CD-R" : "", i->read_cdrw ? ",CD-RW" : "",
		 i->read_dvdrom ? ",DVD-ROM" : "", i->read_dvdr ? ",DVD-R" : "",
		 i->read_dvdram ? ",DVD-RAM" : "");
	snprintf(writes, wlen, "%s%s%s%s",
		 i->write_cdr ? "CD-R," : "", i->write_cdrw ? "CD-RW," : "",
		 i->write_dvdr ? "DVD-R," : "", i->write_dvdram ? "DVD-RAM," : "");
	if (writes[0])
		writes[strlen(writes) - 1] = '\0';
}

static void trim_right(char *s)
{
	for (char *p = s + strlen(s); p > s && p[-1] == ' ';)
		*--p = '\0';
}

static void fill_desc(struct drv_desc *o, struct burn_drive_info *i,
		      const char *address)
{
	int num = 0, profiles[64];
	char current[64];

	memset(o, 0, sizeof(*o));
	snprintf(o->address, sizeof(o->address), "%s", address);
	snprintf(o->vendor, sizeof(o->vendor), "%.8s", i->vendor);
	snprintf(o->model, sizeof(o->model), "%.16s", i->product);
	snprintf(o->revision, sizeof(o->revision), "%.4s", i->revision);
	trim_right(o->vendor);
	trim_right(o->model);
	trim_right(o->revision);
	fill_families(i, o->reads, sizeof(o->reads), o->writes, sizeof(o->writes));
	if (!i->drive ||
	    burn_drive_get_all_profiles(i->drive, &num, profiles, current) <= 0)
		num = 0;
	if (num > 64)
		num = 64;
	for (int k = 0; k < num; k++) {
		o->profiles[k].code = profiles[k];
		o->profiles[k].current = current[k] != 0;
		burn_obtain_profile_name(profiles[k], o->profiles[k].name);
	}
	o->n_profiles = num;
}

/*
 * libburn opens drives with O_EXCL and silently skips one that another
 * program holds open (after about 6 s of retries).  Ask the kernel first,
 * the same way, to say so plainly.
 */
static bool drive_is_busy(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_EXCL | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return false;
	}
	return errno == EBUSY;
}

/* "QEMU    " from /sys/block/srN/device/FIELD, trimmed, into buf */
static void sysfs_field(const char *dev, const char *field, char *buf, size_t len)
{
	char path[256];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/block/%s/device/%s", dev, field);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	trim_right(buf);
}

/* Append the /dev/srN drives that another program holds: libburn's scan
 * leaves them out without a word. */
static enum sp_status add_busy_drives(struct drv_desc **list, size_t *n,
				      struct sp_error *err)
{
	glob_t g;

	if (glob("/dev/sr[0-9]*", 0, NULL, &g) != 0)
		return SP_OK;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		struct drv_desc *o;
		bool listed = false;

		for (size_t k = 0; k < *n; k++)
			listed |= strcmp((*list)[k].address, path) == 0;
		if (listed || !drive_is_busy(path))
			continue;
		o = realloc(*list, (*n + 1) * sizeof(**list));
		if (!o) {
			globfree(&g);
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		}
		*list = o;
		o = &o[(*n)++];
		memset(o, 0, sizeof(*o));
		snprintf(o->address, sizeof(o->address), "%s", path);
		sysfs_field(path + 5, "vendor", o->vendor, sizeof(o->vendor));
		sysfs_field(path + 5, "model", o->model, sizeof(o->model));
		sysfs_field(path + 5, "rev", o->revision, sizeof(o->revision));
		o->busy = true;
	}
	globfree(&g);
	return SP_OK;
}

enum sp_status drv_scan(struct drv_desc **list, size_t *n,
			struct sp_error *err)
{
	struct burn_drive_info *infos = NULL;
	unsigned int count = 0;
	struct drv_desc *out;

	*list = NULL;
	*n = 0;
	/* scan and "grab" nothing: just enumerate */
	while (!burn_drive_scan(&infos, &count))
		;
	drv_clear_messages();
	out = calloc(count ? count : 1, sizeof(*out));
	if (!out) {
		if (infos)
			burn_drive_info_free(infos);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	for (unsigned int i = 0; i < count; i++) {
		char adr[BURN_DRIVE_ADR_LEN];

		/* libburn addresses are /dev/srN or /dev/sgN already on Linux */
		if (burn_drive_get_adr(&infos[i], adr) <= 0)
			adr[0] = '\0';
		fill_desc(&out[i], &infos[i], adr);
	}
	if (infos)
		burn_drive_info_free(infos);
	*list = out;
	*n = count;
	if (add_busy_drives(list, n, err) != SP_OK) {
		free(*list);
		*list = NULL;
		*n = 0;
		return SP_FAILED;
	}
	return SP_OK;
}

/*
 * Open a virtual drive.  The path is opened first and what was opened is
 * then checked with fstat(), never the other way round: a stat() before the
 * open would let the path be swapped (a symlink re-pointed at a directory,
 * a FIFO, a device) between the check and the open.  O_NONBLOCK keeps the
 * open itself from waiting on a FIFO without a writer or a device without
 * a medium; it is cleared once we know what we hold.
 */
static enum sp_status open_stdio(struct drv_drive *d, const char *path,
				 const struct drv_open_opts *o,
				 struct sp_error *err)
{
	struct stat st;
	int flags = (o->access == DRV_WRITE ? O_RDWR : O_RDONLY) |
		    O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

	if (!*path)
		return sp_error_set(err, SPE_USAGE, "empty path in drive address 'stdio:'");
	d->fd = open(path, flags);
	if (d->fd < 0 && errno == EISDIR)
		goto isdir;
	if (d->fd < 0 && errno == ENOENT && o->access == DRV_WRITE) {
		/* O_EXCL: never through a dangling symlink */
		d->fd = open(path, flags | O_CREAT | O_EXCL, 0644);
		d->created = d->fd >= 0;
	}
	if (d->fd < 0) {
		sp_error_set_errno(err, errno, "cannot open virtual drive '%s'", path);
		if (err->code == SPE_NOENT)
			sp_error_hint(err, "check the path; reading needs an existing image file");
		return SP_FAILED;
	}
	/* check what we opened, not what the path names now */
	if (fstat(d->fd, &st) < 0)
		return sp_error_set_errno(err, errno, "cannot stat '%s'", path);
	if (S_ISDIR(st.st_mode))
		goto isdir;
	if (S_ISFIFO(st.st_mode) && o->access != DRV_WRITE)
		return sp_error_set(err, SPE_USAGE,
				    "'%s' is a pipe; a virtual drive to read must be a file or block device",
				    path);
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) &&
	    !(S_ISCHR(st.st_mode) && o->access == DRV_WRITE) &&
	    !S_ISFIFO(st.st_mode))
		return sp_error_set(err, SPE_USAGE,
				    "'%s' is not a regular file or block device", path);
	if (fcntl(d->fd, F_SETFL, fcntl(d->fd, F_GETFL) & ~O_NONBLOCK) < 0)
		return sp_error_set_errno(err, errno, "cannot use '%s'", path);
	return SP_OK;
isdir:
	return sp_error_set(err, SPE_USAGE, "'%s' is a directory, not a virtual drive", path);
}

static enum sp_status pick_only_drive(char *adr, size_t len,
				      struct sp_error *err)
{
	struct drv_desc *list;
	size_t n;
	enum sp_status st = drv_scan(&list, &n, err);

	if (st != SP_OK)
		return st;
	if (n == 1) {
		snprintf(adr, len, "%s", list[0].address);
		free(list);
		return SP_OK;
	}
	if (n == 0) {
		sp_error_set(err, SPE_NODRIVE, "no optical drive found");
		sp_error_hint(err, "connect a drive, or name a virtual one with -d stdio:FILE");
	} else {
		char names[200] = "";
		for (size_t i = 0; i < n; i++) {
			size_t l = strlen(names);
			/* truncation is fine here: the list is only a reminder */
			snprintf(names + l, sizeof(names) - l, "%s%.64s", i ? ", " : "",
				 list[i].address);
		}
		sp_error_set(err, SPE_NODRIVE, "%zu drives found (%s); choose one with -d", n, names);
	}
	free(list);
	return SP_FAILED;
}

enum sp_status drv_open(struct drv_drive **out, const char *address,
			const struct drv_open_opts *opts, struct sp_error *err)
{
	static const struct drv_open_opts defaults = DRV_OPEN_OPTS_INIT;
	struct drv_drive *d;
	char libadr[BURN_DRIVE_ADR_LEN], picked[1024];
	enum sp_status st = SP_FAILED;
	int r;

	if (!opts)
		opts = &defaults;
	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	d->fd = -1;
	d->readable = -1;
	d->damage = opts->damage;
	if (!address) {
		if (pick_only_drive(picked, sizeof(picked), err) != SP_OK)
			goto fail;
		address = picked;
	}
	snprintf(d->address, sizeof(d->address), "%s", address);
	if (strncmp(address, "stdio:", 6) == 0) {
		d->is_virtual = true;
		if (open_stdio(d, address + 6, opts, err) != SP_OK)
			goto fail;
		snprintf(libadr, sizeof(libadr), "stdio:/dev/fd/%d", d->fd);
	} else {
		struct stat st_dev;

		/* Only to word the error: libburn opens the device itself and
		 * checks it with its own SCSI inquiry, so a swap after this
		 * stat() gains nothing (it must still be an optical drive the
		 * user may open). */
		if (stat(address, &st_dev) < 0) {
			sp_error_set_errno(err, errno, "cannot use drive '%s'", address);
			err->code = SPE_NODRIVE;
			sp_error_hint(err, "run 'spindle drives' to list drives; use stdio:FILE for an image file");
			goto fail;
		}
		if (S_ISREG(st_dev.st_mode)) {
			sp_error_set(err, SPE_USAGE, "'%s' is a file, not a drive", address);
			sp_error_hint(err, "write -d stdio:%s to use it as a virtual drive", address);
			goto fail;
		}
		if (burn_drive_convert_fs_adr((char *)address, libadr) <= 0) {
			drv_clear_messages();
			sp_error_set(err, SPE_NODRIVE, "'%s' is not an optical drive", address);
			sp_error_hint(err, "run 'spindle drives' to list drives");
			goto fail;
		}
		if (drive_is_busy(address))
			goto busy;
	}
	r = burn_drive_scan_and_grab(&d->info, libadr, 1);
	if (r <= 0) {
		struct sp_error lib = SP_ERROR_INIT;

		drv_drain_messages(&lib);
		if (strstr(lib.detail, "busy") || strstr(lib.msg, "busy") ||
		    (!d->is_virtual && drive_is_busy(address)))
			goto busy;
		sp_error_set(err, SPE_NODRIVE, "cannot open drive '%s'%s%s", address,
			     lib.msg[0] ? ": " : "", lib.msg);
		sp_error_detail(err, "%s", lib.detail);
		goto fail;
	}
	d->bd = d->info[0].drive;
	drv_clear_messages();
	{
		int pno = 0;
		char pname[80];

		if (burn_disc_get_profile(d->bd, &pno, pname) > 0)
			d->profile = pno;
	}
	*out = d;
	return SP_OK;
busy:
	sp_error_set(err, SPE_BUSY, "drive '%s' is in use by another program", address);
	sp_error_hint(err, "wait for that program to finish, then try again");
fail:
	if (d->fd >= 0)
		close(d->fd);
	if (d->created)
		unlink(address + 6);
	free(d);
	return st;
}

void drv_close(struct drv_drive *d, enum drv_release how)
{
	if (!d)
		return;
	if (d->bd)
		burn_drive_release(d->bd, how == DRV_EJECT && !d->is_virtual);
	if (d->info)
		burn_drive_info_free(d->info);
	drv_clear_messages();
	if (d->fd >= 0) {
		struct stat st;

		/* a virtual drive we created but never wrote leaves no trace */
		if (d->created && fstat(d->fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size == 0)
			unlink(d->address + 6);
		close(d->fd);
	}
	free(d);
}

const char *drv_address(const struct drv_drive *d)
{
	return d->address;
}

bool drv_is_virtual(const struct drv_drive *d)
{
	return d->is_virtual;
}
