/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * blockdev.c - what a block device is, from sysfs, udev's database and
 * /proc/self/mountinfo: USB sticks, SD cards and disks that burn may write
 * an image to.  Never from the device's name: /dev/sdb may be a system disk.
 *
 * Everything under /sys is read through sys_path(), so that the test hook
 * SPINDLE_TEST_SYSFS can stand a directory in for /sys (with class/block/
 * and dev/block/ as the kernel lays them out).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "drive/blockdev_private.h"

static const char *sys_root(void)
{
	const char *t = getenv("SPINDLE_TEST_SYSFS");

	return t && *t ? t : "/sys";
}

/* Read a small sysfs attribute, trailing white space trimmed; "" if absent. */
static bool read_attr(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	buf[0] = '\0';
	if (!f)
		return false;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return true;
}

/* SYSROOT/class/block/NAME/ATTR */
static bool blk_attr(const char *name, const char *attr, char *buf, size_t len)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/class/block/%s/%s", sys_root(), name, attr);
	return read_attr(p, buf, len);
}

static bool blk_has(const char *name, const char *attr)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/class/block/%s/%s", sys_root(), name, attr);
	return access(p, F_OK) == 0;
}

static dev_t blk_dev(const char *name)
{
	char b[32];
	unsigned ma, mi;

	if (!blk_attr(name, "dev", b, sizeof(b)) || sscanf(b, "%u:%u", &ma, &mi) != 2)
		return 0;
	return makedev(ma, mi);
}

/* The sysfs name of a device number ("sdb1"), via dev/block/M:m. */
bool drv_blk_name_of(dev_t dev, char *name, size_t len)
{
	char p[PATH_MAX], r[PATH_MAX];
	const char *base;

	snprintf(p, sizeof(p), "%s/dev/block/%u:%u", sys_root(), major(dev), minor(dev));
	if (!realpath(p, r))
		return false;
	base = strrchr(r, '/');
	snprintf(name, len, "%s", base ? base + 1 : r);
	return true;
}

/* The whole disk a partition belongs to: its parent folder in sysfs. */
static bool parent_of(const char *part, char *disk, size_t len)
{
	char p[PATH_MAX], r[PATH_MAX], *slash;

	snprintf(p, sizeof(p), "%s/class/block/%s", sys_root(), part);
	if (!realpath(p, r) || !(slash = strrchr(r, '/')))
		return false;
	*slash = '\0';
	slash = strrchr(r, '/');
	snprintf(disk, len, "%.63s", slash ? slash + 1 : r);
	return true;
}

bool drv_blk_is_partition(const char *name)
{
	return blk_has(name, "partition");
}

/*
 * Does the device `name` live on disk `disk`: the disk itself, one of its
 * partitions, or a dm/md device built on them (followed through slaves/)?
 */
bool drv_blk_on_disk(const char *name, const char *disk, int depth)
{
	char p[PATH_MAX], parent[64];
	struct dirent *e;
	DIR *dir;
	bool hit = false;

	if (depth > 8)
		return false;
	if (strcmp(name, disk) == 0)
		return true;
	if (drv_blk_is_partition(name))
		return parent_of(name, parent, sizeof(parent)) && strcmp(parent, disk) == 0;
	snprintf(p, sizeof(p), "%s/class/block/%s/slaves", sys_root(), name);
	if (!(dir = opendir(p)))
		return false;
	while (!hit && (e = readdir(dir)))
		if (e->d_name[0] != '.')
			hit = drv_blk_on_disk(e->d_name, disk, depth + 1);
	closedir(dir);
	return hit;
}

/* First entry of SYSROOT/class/block/NAME/holders, "" none. */
static void first_holder(const char *name, char *out, size_t len)
{
	char p[PATH_MAX];
	struct dirent *e;
	DIR *dir;

	snprintf(p, sizeof(p), "%s/class/block/%s/holders", sys_root(), name);
	if (!(dir = opendir(p)))
		return;
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.') {
			snprintf(out, len, "%.63s", e->d_name);
			break;
		}
	closedir(dir);
}

/* A property of the device in udev's database (E:KEY=VALUE), "" none. */
static void udev_prop(dev_t dev, const char *key, char *out, size_t len)
{
	char p[64], line[512];
	size_t kl = strlen(key);
	FILE *f;

	out[0] = '\0';
	if (getenv("SPINDLE_TEST_SYSFS"))
		return;         /* a stand-in /sys has no udev beside it */
	snprintf(p, sizeof(p), "/run/udev/data/b%u:%u", major(dev), minor(dev));
	if (!(f = fopen(p, "re")))
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "E:", 2) || strncmp(line + 2, key, kl) || line[2 + kl] != '=')
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, len, "%s", line + 3 + kl);
		break;
	}
	fclose(f);
}

static void bus_of(const char *name, dev_t dev, char *bus, size_t len)
{
	static const struct { const char *needle, *bus; } map[] = {
		{ "/usb", "usb" }, { "/mmc", "mmc" }, { "/nvme", "nvme" },
		{ "/virtio", "virtio" }, { "/virtual/block/loop", "loop" },
		{ "/ata", "ata" }, { "/host", "scsi" },
	};
	char p[PATH_MAX], r[PATH_MAX], ub[32];

	snprintf(bus, len, "other");
	snprintf(p, sizeof(p), "%s/class/block/%s", sys_root(), name);
	if (realpath(p, r))
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (strstr(r, map[i].needle)) {
				snprintf(bus, len, "%s", map[i].bus);
				break;
			}
	udev_prop(dev, "ID_BUS", ub, sizeof(ub));
	if (strcmp(ub, "usb") == 0)
		snprintf(bus, len, "usb");
}

/* Decode mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/*
 * Call fn for every mount: its device number (from the mount source when
 * the field is an anonymous 0:N, as on btrfs) and mount point.
 */
void drv_blk_each_mount(void (*fn)(dev_t dev, const char *mnt, void *ctx), void *ctx)
{
	const char *path = getenv("SPINDLE_TEST_MOUNTINFO");
	char line[4096];
	FILE *f = fopen(path && *path ? path : "/proc/self/mountinfo", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char mnt[1024], src[1024], *sep;
		unsigned ma, mi;
		struct stat st;
		dev_t dev;

		if (sscanf(line, "%*u %*u %u:%u %*s %1023s", &ma, &mi, mnt) != 3)
			continue;
		unescape(mnt);
		dev = makedev(ma, mi);
		if (ma == 0 && (sep = strstr(line, " - ")) &&
		    sscanf(sep + 3, "%*s %1023s", src) == 1) {
			unescape(src);
			if (src[0] == '/' && stat(src, &st) == 0 && S_ISBLK(st.st_mode))
				dev = st.st_rdev;
		}
		fn(dev, mnt, ctx);
	}
	fclose(f);
}

struct mount_probe {
	struct drv_blk_desc *d;
};

static void note_mount(dev_t dev, const char *mnt, void *vctx)
{
	struct mount_probe *mp = vctx;
	struct drv_blk_desc *d = mp->d;
	char name[64];

	if (major(dev) == 0 || !drv_blk_name_of(dev, name, sizeof(name)))
		return;
	if (!drv_blk_on_disk(name, d->name, 0))
		return;
	if (!d->mounted[0])
		snprintf(d->mounted, sizeof(d->mounted), "%s", mnt);
	if (!d->system[0] && (strcmp(mnt, "/") == 0 || strcmp(mnt, "/boot") == 0 ||
			      strcmp(mnt, "/boot/efi") == 0))
		snprintf(d->system, sizeof(d->system), "%s", mnt);
	for (int i = 0; i < d->n_parts; i++)
		if (strcmp(d->parts[i].name, name) == 0 && !d->parts[i].mount[0])
			snprintf(d->parts[i].mount, sizeof(d->parts[i].mount), "%s", mnt);
}

/* Active swap on the disk or a partition (/proc/swaps names them). */
static bool has_swap(const char *disk)
{
	char line[1024], path[1024], name[64];
	struct stat st;
	FILE *f = fopen("/proc/swaps", "re");
	bool hit = false;

	if (!f)
		return false;
	while (!hit && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%1023s", path) != 1 || path[0] != '/')
			continue;
		unescape(path);
		if (stat(path, &st) == 0 && S_ISBLK(st.st_mode) &&
		    drv_blk_name_of(st.st_rdev, name, sizeof(name)))
			hit = drv_blk_on_disk(name, disk, 0);
	}
	fclose(f);
	return hit;
}

/* Fill d for the whole disk `name` (a sysfs name such as "sdb"). */
void drv_blk_describe(const char *name, struct drv_blk_desc *d)
{
	char p[PATH_MAX], b[256];
	struct mount_probe mp = { d };
	struct dirent *e;
	DIR *dir;
	dev_t dev = blk_dev(name);

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->path, sizeof(d->path), "/dev/%s", name);
	if (blk_attr(name, "size", b, sizeof(b)))
		d->size = strtoull(b, NULL, 10) * 512;
	d->removable = blk_attr(name, "removable", b, sizeof(b)) && strcmp(b, "1") == 0;
	d->readonly = blk_attr(name, "ro", b, sizeof(b)) && strcmp(b, "1") == 0;
	blk_attr(name, "device/vendor", d->vendor, sizeof(d->vendor));
	if (!blk_attr(name, "device/model", d->model, sizeof(d->model)) || !d->model[0])
		blk_attr(name, "device/name", d->model, sizeof(d->model));     /* mmc */
	bus_of(name, dev, d->bus, sizeof(d->bus));
	if (strcmp(d->bus, "loop") == 0 && blk_attr(name, "loop/backing_file", b, sizeof(b)))
		snprintf(d->model, sizeof(d->model), "%.63s", b);
	if (strncmp(d->vendor, "0x", 2) == 0)
		d->vendor[0] = '\0';       /* a PCI vendor number (virtio) */
	if (strcmp(d->bus, "virtio") == 0 && !d->model[0])
		snprintf(d->model, sizeof(d->model), "virtio disk");
	d->fixed = !d->removable && strcmp(d->bus, "usb") && strcmp(d->bus, "mmc");
	first_holder(name, d->holder, sizeof(d->holder));
	snprintf(p, sizeof(p), "%s/class/block/%s", sys_root(), name);
	if ((dir = opendir(p))) {
		while ((e = readdir(dir)) && d->n_parts < 16) {
			struct drv_blk_part *pt = &d->parts[d->n_parts];
			char sub[PATH_MAX];

			snprintf(sub, sizeof(sub), "%.3800s/%.200s/partition", p, e->d_name);
			if (e->d_name[0] == '.' || access(sub, F_OK) != 0)
				continue;
			snprintf(pt->name, sizeof(pt->name), "%.31s", e->d_name);
			if (blk_attr(e->d_name, "size", b, sizeof(b)))
				pt->size = strtoull(b, NULL, 10) * 512;
			udev_prop(blk_dev(e->d_name), "ID_FS_LABEL", pt->label, sizeof(pt->label));
			udev_prop(blk_dev(e->d_name), "ID_FS_TYPE", pt->fstype, sizeof(pt->fstype));
			if (!d->holder[0])
				first_holder(e->d_name, d->holder, sizeof(d->holder));
			d->n_parts++;
		}
		closedir(dir);
	}
	drv_blk_each_mount(note_mount, &mp);
	d->swap = has_swap(name);
}

static bool skip_name(const char *n)
{
	static const char *const skip[] = { "ram", "zram", "sr", "dm-", "md", "nbd", "fd" };

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strncmp(n, skip[i], strlen(skip[i])) == 0)
			return true;
	return false;
}

enum sp_status drv_blk_scan(struct drv_blk_desc **list, size_t *n, bool all,
			    struct sp_error *err)
{
	char p[PATH_MAX];
	struct drv_blk_desc *l = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *e;
	DIR *dir;

	*list = NULL;
	*n = 0;
	snprintf(p, sizeof(p), "%s/class/block", sys_root());
	if (!(dir = opendir(p)))
		return SP_OK;   /* no sysfs: no block devices to offer */
	while ((e = readdir(dir))) {
		struct drv_blk_desc d;

		if (e->d_name[0] == '.' || skip_name(e->d_name) || drv_blk_is_partition(e->d_name))
			continue;
		if (major(blk_dev(e->d_name)) == 11)    /* SCSI CD-ROM: drv_scan's */
			continue;
		drv_blk_describe(e->d_name, &d);
		if (d.size == 0 || (d.fixed && !all))
			continue;
		if (cnt == cap) {
			struct drv_blk_desc *nl;

			cap = cap ? cap * 2 : 8;
			if (!(nl = realloc(l, cap * sizeof(*l)))) {
				free(l);
				closedir(dir);
				return sp_error_set(err, SPE_NOMEM, "out of memory listing block devices");
			}
			l = nl;
		}
		l[cnt++] = d;
	}
	closedir(dir);
	/* sorted by name, as lsblk shows them */
	for (size_t i = 1; i < cnt; i++)
		for (size_t k = i; k > 0 && strcmp(l[k - 1].name, l[k].name) > 0; k--) {
			struct drv_blk_desc t = l[k];

			l[k] = l[k - 1];
			l[k - 1] = t;
		}
	*list = l;
	*n = cnt;
	return SP_OK;
}

bool drv_blk_is_block(const char *path)
{
	struct stat st;

	if (strncmp(path, "stdio:", 6) == 0)
		path += 6;
	return stat(path, &st) == 0 && S_ISBLK(st.st_mode) && major(st.st_rdev) != 11;
}

enum sp_status drv_blk_inspect(const char *path, struct drv_blk_desc *d,
			       struct sp_error *err)
{
	char name[64], disk[64];
	struct stat st;

	if (strncmp(path, "stdio:", 6) == 0)
		path += 6;
	if (stat(path, &st) != 0)
		return sp_error_set_errno(err, errno, "cannot open '%s'", path);
	if (!S_ISBLK(st.st_mode))
		return sp_error_set(err, SPE_USAGE, "'%s' is not a block device", path);
	if (!drv_blk_name_of(st.st_rdev, name, sizeof(name)))
		return sp_error_set(err, SPE_NOENT, "block device '%s' is not in sysfs", path);
	if (drv_blk_is_partition(name)) {
		sp_error_set(err, SPE_USAGE, "'%s' is a partition, not a whole device", path);
		if (parent_of(name, disk, sizeof(disk)))
			sp_error_hint(err, "an image goes onto the whole device: -d /dev/%s", disk);
		return SP_FAILED;
	}
	drv_blk_describe(name, d);
	snprintf(d->path, sizeof(d->path), "%.63s", path);
	return SP_OK;
}
