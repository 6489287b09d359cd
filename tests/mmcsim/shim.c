/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * shim.c - the syscall shim of the simulated recorder (LD_PRELOAD).
 *
 * It makes the paths named in $MMCSIM_DEVICES look like optical drives
 * (block devices of major 11) and answers ioctl(SG_IO) on them from the
 * recorder model.  Both glibc naming generations are served: libburn4 calls
 * __xstat/__lxstat/__fxstat and __open_2, xorriso calls stat/lstat/fstat,
 * ddrescue calls stat64/__open64_2/lseek64/read.
 *
 * Each fake open is backed by a real descriptor on a per-device lock file,
 * so close(), fcntl(F_SETOWN/F_SETLK) and flock() behave for real, across
 * processes too; O_EXCL takes flock(LOCK_EX|LOCK_NB) and fails with EBUSY
 * like a block device in use.  The model is guarded by one mutex, since
 * libburn scans and writes from threads.
 *
 * Environment (set by mmcsim-run):
 *   MMCSIM_DEVICES  "PATH|MEDIA|STATE[|DAMAGE[|IMAGE]];..." ("-": none;
 *                   IMAGE is pressed onto a fresh ROM disc)
 *   MMCSIM_LOG      append a line per SCSI command to this file
 *   MMCSIM_CLOCK    append "PATH SECONDS COMMANDS" per device at exit
 *   MMCSIM_BUSY_POLLS  TEST UNIT READYs answered "in progress" after an
 *                   immediate command (default 0)
 *   MMCSIM_VIRTUAL_TIME  when set, the program's CLOCK_MONOTONIC adds the
 *                   drives' virtual clocks (drive time), see the end
 *   MMCSIM_SLEEP_SCALE  multiply usleep()/sleep() of the program by this
 *                   (e.g. 0.1): libburn polls a drive in half seconds, which
 *                   a simulated drive does not need; default 1
 *   MMCSIM_STALL    "WHAT FILE": hold the first command matching WHAT before
 *                   it runs; create FILE.held, wait until FILE.go exists
 *                   (at most 120 s), then carry on.  WHAT is write[@LBA]
 *                   (WRITE(10)/(12) reaching LBA), sync, close-track,
 *                   close-session, cue, reserve, blank, format, modeselect,
 *                   or an opcode in hex.  For tests that must signal a
 *                   program at a known point of its work.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/cdrom.h>
#include <linux/fs.h>
#include <pthread.h>
#include <scsi/scsi.h>
#include <scsi/sg.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "mmcsim.h"

#ifndef HDIO_GET_IDENTITY
#define HDIO_GET_IDENTITY 0x030d
#endif
#define MAX_FDS 4096

static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static struct sim_dev devs[SIM_MAX_DEVS];
static int n_devs;
static signed char fd_dev[MAX_FDS];     /* device index + 1, 0: not ours */
static bool ready;
static FILE *log_file;

static int (*real_open)(const char *, int, ...);
static int (*real_close)(int);
static int (*real_dup)(int);
static int (*real_dup2)(int, int);
static int (*real_dup3)(int, int, int);
static int (*real_ioctl)(int, unsigned long, ...);
static ssize_t (*real_read)(int, void *, size_t);
static int (*real_usleep)(useconds_t);
static double sleep_scale = 1.0;
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static off_t (*real_lseek)(int, off_t, int);
static int (*real_stat)(const char *, struct stat *);
static int (*real_lstat)(const char *, struct stat *);
static int (*real_fstat)(int, struct stat *);
static int (*real_xstat)(int, const char *, struct stat *);
static int (*real_lxstat)(int, const char *, struct stat *);
static int (*real_fxstat)(int, int, struct stat *);
static int (*real_statx)(int, const char *, int, unsigned int, struct statx *);

void sim_log(struct sim_dev *dev, const char *fmt, ...)
{
	va_list ap;

	if (!log_file)
		return;
	fprintf(log_file, "%s ", dev ? dev->path : "-");
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
	fflush(log_file);
}

static void parse_devices(const char *spec)
{
	char *copy = strdup(spec), *save = NULL;

	if (!copy)
		return;
	for (char *item = strtok_r(copy, ";", &save); item && n_devs < SIM_MAX_DEVS;
	     item = strtok_r(NULL, ";", &save)) {
		struct sim_dev *d = &devs[n_devs];
		char *f[5] = { NULL, NULL, NULL, NULL, NULL }, *s2 = NULL;
		int k = 0;

		for (char *p = strtok_r(item, "|", &s2); p && k < 5; p = strtok_r(NULL, "|", &s2))
			f[k++] = p;
		if (k < 3)
			continue;
		memset(d, 0, sizeof(*d));
		snprintf(d->path, sizeof(d->path), "%s", f[0]);
		snprintf(d->state_path, sizeof(d->state_path), "%s", f[2]);
		snprintf(d->lock_path, sizeof(d->lock_path), "%s.lock", f[2]);
		d->state_fd = -1;
		d->pos = 0;
		if (sim_disc_load(d, strcmp(f[1], "-") ? f[1] : NULL) < 0) {
			fprintf(stderr, "mmcsim: cannot load disc state '%s' as %s\n",
				f[2], f[1]);
			continue;
		}
		if (d->disc.media->kind == SIM_ROM && d->disc.capacity == 0 &&
		    f[4] && *f[4] && strcmp(f[4], "-") != 0 && sim_disc_press(d, f[4]) < 0) {
			fprintf(stderr, "mmcsim: cannot press '%s' onto the disc\n", f[4]);
			continue;
		}
		if (f[3] && *f[3] && strcmp(f[3], "-") != 0 && sim_faults_load(d, f[3]) < 0) {
			fprintf(stderr, "mmcsim: cannot load damage file '%s'\n", f[3]);
			continue;
		}
		n_devs++;
	}
	free(copy);
}

static void report_clock(void)
{
	const char *path = getenv("MMCSIM_CLOCK");
	FILE *f;

	if (!path || !*path)
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	for (int i = 0; i < n_devs; i++)
		if (devs[i].commands)
			fprintf(f, "%s %.3f %lld\n", devs[i].path, devs[i].clock,
				(long long)devs[i].commands);
	fclose(f);
}

__attribute__((destructor)) static void shim_fini(void)
{
	if (!ready)
		return;
	pthread_mutex_lock(&lock);
	/* only what this process changed: a shell that merely looked at the
	 * state must not write its stale copy back over a child's burn */
	for (int i = 0; i < n_devs; i++)
		if (devs[i].loaded && devs[i].dirty)
			sim_disc_save(&devs[i]);
	report_clock();
	pthread_mutex_unlock(&lock);
}

static void init(void)
{
	const char *spec, *logpath;

	if (ready)
		return;
	pthread_mutex_lock(&lock);
	if (ready)
		goto out;
	real_open = dlsym(RTLD_NEXT, "open");
	real_close = dlsym(RTLD_NEXT, "close");
	real_dup = dlsym(RTLD_NEXT, "dup");
	real_dup2 = dlsym(RTLD_NEXT, "dup2");
	real_dup3 = dlsym(RTLD_NEXT, "dup3");
	real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	real_read = dlsym(RTLD_NEXT, "read");
	real_pread = dlsym(RTLD_NEXT, "pread");
	real_lseek = dlsym(RTLD_NEXT, "lseek");
	real_stat = dlsym(RTLD_NEXT, "stat");
	real_lstat = dlsym(RTLD_NEXT, "lstat");
	real_fstat = dlsym(RTLD_NEXT, "fstat");
	real_xstat = dlsym(RTLD_NEXT, "__xstat");
	real_lxstat = dlsym(RTLD_NEXT, "__lxstat");
	real_fxstat = dlsym(RTLD_NEXT, "__fxstat");
	real_statx = dlsym(RTLD_NEXT, "statx");
	real_usleep = dlsym(RTLD_NEXT, "usleep");
	if (getenv("MMCSIM_SLEEP_SCALE")) {
		sleep_scale = atof(getenv("MMCSIM_SLEEP_SCALE"));
		if (sleep_scale <= 0 || sleep_scale > 1)
			sleep_scale = 1.0;
	}
	logpath = getenv("MMCSIM_LOG");
	if (logpath && *logpath) {
		int fd = real_open(logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			log_file = fdopen(fd, "a");
	}
	ready = true;
	spec = getenv("MMCSIM_DEVICES");
	if (spec)
		parse_devices(spec);
out:
	pthread_mutex_unlock(&lock);
}

static struct sim_dev *dev_by_path(const char *path)
{
	init();
	if (!path)
		return NULL;
	for (int i = 0; i < n_devs; i++)
		if (strcmp(devs[i].path, path) == 0)
			return &devs[i];
	return NULL;
}

static struct sim_dev *dev_by_fd(int fd)
{
	init();
	if (fd < 0 || fd >= MAX_FDS || !fd_dev[fd])
		return NULL;
	return &devs[fd_dev[fd] - 1];
}

static void fake_stat(const struct sim_dev *d, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFBLK | 0660;
	st->st_rdev = makedev(11, (unsigned)(d - devs) + 7);
	st->st_dev = makedev(0, 5);
	st->st_ino = 90000 + (ino_t)(d - devs);
	st->st_nlink = 1;
	st->st_blksize = 2048;
}

/* ---- open/close ---- */

static int fake_open(struct sim_dev *d, int flags)
{
	int fd;

	fd = real_open(d->lock_path, O_RDWR | O_CREAT | (flags & O_CLOEXEC), 0644);
	if (fd < 0)
		return -1;
	if (fd >= MAX_FDS) {
		real_close(fd);
		errno = EMFILE;
		return -1;
	}
	if ((flags & O_EXCL) && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		real_close(fd);
		errno = EBUSY;
		return -1;
	}
	pthread_mutex_lock(&lock);
	/* a disc left in the tray by another process: see what it holds now */
	{
		bool others = false;

		for (int i = 0; i < MAX_FDS; i++)
			if (fd_dev[i] == (d - devs) + 1)
				others = true;
		if (!others)
			sim_disc_load(d, NULL);
	}
	fd_dev[fd] = (signed char)((d - devs) + 1);
	d->pos = 0;
	pthread_mutex_unlock(&lock);
	sim_log(d, "open flags=0x%x fd=%d%s", flags, fd, flags & O_EXCL ? " excl" : "");
	return fd;
}

static int do_open(const char *path, int flags, mode_t mode)
{
	struct sim_dev *d = dev_by_path(path);

	if (d)
		return fake_open(d, flags);
	return real_open(path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return do_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return do_open(path, flags, mode);
}

int __open_2(const char *path, int flags);
int __open_2(const char *path, int flags)
{
	return do_open(path, flags, 0);
}

int __open64_2(const char *path, int flags);
int __open64_2(const char *path, int flags)
{
	return do_open(path, flags, 0);
}

int close(int fd)
{
	struct sim_dev *d = dev_by_fd(fd);

	/* programs that close every descriptor must not take the disc away */
	for (int i = 0; i < n_devs; i++)
		if (devs[i].state_fd == fd && fd >= 0)
			return 0;

	if (d) {
		pthread_mutex_lock(&lock);
		fd_dev[fd] = 0;
		if (d->dirty)
			sim_disc_save(d);
		pthread_mutex_unlock(&lock);
		sim_log(d, "close fd=%d", fd);
	}
	return real_close(fd);
}

/* dd and shells move descriptors around: the copy is a fake one too. */
static int mark_dup(int old, int fd)
{
	if (fd >= 0 && fd < MAX_FDS) {
		pthread_mutex_lock(&lock);
		fd_dev[fd] = old >= 0 && old < MAX_FDS ? fd_dev[old] : 0;
		pthread_mutex_unlock(&lock);
	}
	return fd;
}

int dup(int old)
{
	init();
	return mark_dup(old, real_dup(old));
}

int dup2(int old, int fd)
{
	init();
	if (old == fd)
		return real_dup2(old, fd);
	return mark_dup(old, real_dup2(old, fd));
}

int dup3(int old, int fd, int flags)
{
	init();
	return mark_dup(old, real_dup3(old, fd, flags));
}

/* ---- stat family ---- */

int stat(const char *path, struct stat *st)
{
	struct sim_dev *d = dev_by_path(path);

	if (d) {
		fake_stat(d, st);
		return 0;
	}
	return real_stat(path, st);
}

int lstat(const char *path, struct stat *st)
{
	struct sim_dev *d = dev_by_path(path);

	if (d) {
		fake_stat(d, st);
		return 0;
	}
	return real_lstat(path, st);
}

int fstat(int fd, struct stat *st)
{
	struct sim_dev *d = dev_by_fd(fd);

	if (d) {
		fake_stat(d, st);
		return 0;
	}
	return real_fstat(fd, st);
}

/* On x86-64 struct stat64 and struct stat are the same. */
int stat64(const char *path, struct stat64 *st)
{
	return stat(path, (struct stat *)st);
}

int lstat64(const char *path, struct stat64 *st)
{
	return lstat(path, (struct stat *)st);
}

int fstat64(int fd, struct stat64 *st)
{
	return fstat(fd, (struct stat *)st);
}

int __xstat(int ver, const char *path, struct stat *st);
int __xstat(int ver, const char *path, struct stat *st)
{
	struct sim_dev *d = dev_by_path(path);

	if (d) {
		fake_stat(d, st);
		return 0;
	}
	return real_xstat ? real_xstat(ver, path, st) : real_stat(path, st);
}

int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat(int ver, const char *path, struct stat *st)
{
	struct sim_dev *d = dev_by_path(path);

	if (d) {
		fake_stat(d, st);
		return 0;
	}
	return real_lxstat ? real_lxstat(ver, path, st) : real_lstat(path, st);
}

int __fxstat(int ver, int fd, struct stat *st);
int __fxstat(int ver, int fd, struct stat *st)
{
	struct sim_dev *d = dev_by_fd(fd);

	if (d) {
		fake_stat(d, st);
		return 0;
	}
	return real_fxstat ? real_fxstat(ver, fd, st) : real_fstat(fd, st);
}

int __xstat64(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat *st)
{
	return __xstat(ver, path, st);
}

int __lxstat64(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat *st)
{
	return __lxstat(ver, path, st);
}

int __fxstat64(int ver, int fd, struct stat *st);
int __fxstat64(int ver, int fd, struct stat *st)
{
	return __fxstat(ver, fd, st);
}

/* coreutils (ls, stat) use statx() */
int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *sx)
{
	struct sim_dev *d = NULL;

	if (*path)
		d = dev_by_path(path);
	else if (flags & AT_EMPTY_PATH)
		d = dev_by_fd(dirfd);
	if (d) {
		struct stat st;

		fake_stat(d, &st);
		memset(sx, 0, sizeof(*sx));
		sx->stx_mask = STATX_BASIC_STATS;
		sx->stx_mode = (uint16_t)st.st_mode;
		sx->stx_nlink = 1;
		sx->stx_ino = st.st_ino;
		sx->stx_blksize = SIM_SECTOR;
		sx->stx_rdev_major = major(st.st_rdev);
		sx->stx_rdev_minor = minor(st.st_rdev);
		sx->stx_dev_minor = 5;
		return 0;
	}
	if (!real_statx) {
		errno = ENOSYS;
		return -1;
	}
	return real_statx(dirfd, path, flags, mask, sx);
}

/* ---- holding a command at a chosen point (MMCSIM_STALL) ---- */

static struct {
	bool parsed, armed;
	int op;                 /* opcode, or -1 for WRITE(10)/(12) */
	int close_func;         /* 5Bh: 1 track, 2 session and above; 0 any */
	int64_t lba;            /* write: the first WRITE reaching this LBA */
	char file[900];
} stall;

static void stall_parse(void)
{
	static const struct { const char *name; int op, func; } names[] = {
		{ "write", -1, 0 }, { "sync", 0x35, 0 }, { "close-track", 0x5b, 1 },
		{ "close-session", 0x5b, 2 }, { "cue", 0x5d, 0 }, { "reserve", 0x53, 0 },
		{ "blank", 0xa1, 0 }, { "format", 0x04, 0 }, { "modeselect", 0x55, 0 },
	};
	const char *env = getenv("MMCSIM_STALL");
	char what[64] = "", *at;
	int n = 0;

	stall.parsed = true;
	if (!env || sscanf(env, "%63s %n", what, &n) != 1 || !env[n])
		return;
	snprintf(stall.file, sizeof(stall.file), "%s", env + n);
	at = strchr(what, '@');
	if (at) {
		*at++ = '\0';
		stall.lba = strtoll(at, NULL, 10);
	}
	stall.op = -2;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(what, names[i].name) == 0) {
			stall.op = names[i].op;
			stall.close_func = names[i].func;
		}
	if (stall.op == -2) {
		char *end;
		long op = strtol(what, &end, 16);

		if (*end || op < 0 || op > 0xff) {
			fprintf(stderr, "mmcsim: bad MMCSIM_STALL '%s'\n", env);
			return;
		}
		stall.op = (int)op;
	}
	stall.armed = true;
}

static bool stall_matches(const uint8_t *cdb)
{
	int op = cdb[0];

	if (stall.op == -1) {
		int64_t lba, n;

		if (op == 0x2a) {
			lba = sim_get32(cdb + 2);
			n = sim_get16(cdb + 7);
			if (lba >= 0x80000000LL)
				lba -= 0x100000000LL;
		} else if (op == 0xaa) {
			lba = sim_get32(cdb + 2);
			n = sim_get32(cdb + 6);
		} else {
			return false;
		}
		return lba + n > stall.lba;
	}
	if (op != stall.op)
		return false;
	if (op == 0x5b && stall.close_func == 1)
		return (cdb[2] & 7) == 1;
	if (op == 0x5b && stall.close_func == 2)
		return (cdb[2] & 7) >= 2;
	return true;
}

/* Outside the model's lock: other threads keep talking to the drive. */
static void stall_maybe(struct sim_dev *d, const uint8_t *cdb)
{
	char path[1000];
	int fd;

	pthread_mutex_lock(&lock);
	if (!stall.parsed)
		stall_parse();
	if (!stall.armed || !stall_matches(cdb)) {
		pthread_mutex_unlock(&lock);
		return;
	}
	stall.armed = false;
	pthread_mutex_unlock(&lock);
	sim_log(d, "stall: holding command %02x", cdb[0]);
	snprintf(path, sizeof(path), "%s.held", stall.file);
	fd = real_open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		real_close(fd);
	snprintf(path, sizeof(path), "%s.go", stall.file);
	for (int i = 0; i < 12000 && access(path, F_OK) != 0; i++)
		real_usleep(10000);
	sim_log(d, "stall: released command %02x", cdb[0]);
}

/* ---- SG_IO ---- */

static void fill_sense(struct sg_io_hdr *h, const struct sim_cmd *c)
{
	uint8_t sense[18];
	size_t n;

	memset(sense, 0, sizeof(sense));
	sense[0] = c->info_valid ? 0xf0 : 0x70;
	sense[2] = c->sk;
	if (c->info_valid)
		sim_put32(sense + 3, c->info);
	sense[7] = 10;
	sense[12] = c->asc;
	sense[13] = c->ascq;
	if (c->sk == 2 && c->asc == 4 && c->dev->busy_total > 0) {
		/* progress indication, sense key specific */
		int done = c->dev->busy_total - c->dev->busy_polls;
		uint32_t prog = (uint32_t)(65536.0 * done / (c->dev->busy_total + 1));

		sense[15] = 0x80;
		sim_put16(sense + 16, prog);
	}
	n = h->mx_sb_len < sizeof(sense) ? h->mx_sb_len : sizeof(sense);
	if (h->sbp && n)
		memcpy(h->sbp, sense, n);
	h->sb_len_wr = (unsigned char)n;
	h->status = 0x02;
	h->masked_status = 0x01;
	h->driver_status = 0x08;        /* DRIVER_SENSE */
}

static int do_sg_io(struct sim_dev *d, struct sg_io_hdr *h)
{
	struct sim_cmd c;
	char hex[64] = "";

	if (h->interface_id != 'S' || !h->cmdp || h->cmd_len < 6) {
		errno = EINVAL;
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.dev = d;
	c.cdb = h->cmdp;
	c.cdb_len = h->cmd_len;
	c.buf = h->dxferp;
	c.len = h->dxfer_direction == SG_DXFER_NONE ? 0 : h->dxfer_len;
	c.to_dev = h->dxfer_direction == SG_DXFER_TO_DEV;
	if (!c.buf)
		c.len = 0;
	if (c.len && !c.to_dev)
		memset(c.buf, 0, c.len);
	stall_maybe(d, c.cdb);
	pthread_mutex_lock(&lock);
	sim_execute(d, &c);
	pthread_mutex_unlock(&lock);
	h->status = h->masked_status = 0;
	h->host_status = h->driver_status = 0;
	h->sb_len_wr = 0;
	h->resid = (int)c.resid;
	h->duration = 1;
	h->info = 0;
	if (c.sk) {
		fill_sense(h, &c);
		h->info = SG_INFO_CHECK;
	}
	if (log_file) {
		for (int i = 0; i < h->cmd_len && i < 16; i++)
			snprintf(hex + 3 * i, sizeof(hex) - 3 * (size_t)i, "%02x ",
				 h->cmdp[i]);
		sim_log(d, "cdb %s-> %x/%02x/%02x len=%u", hex, c.sk, c.asc, c.ascq,
			c.len);
	}
	return 0;
}

/* ---- the kernel's CD-ROM ioctls, for libcdio (cd-info, cd-paranoia) ---- */

static int cdrom_packet(struct sim_dev *d, struct cdrom_generic_command *cgc)
{
	struct sim_cmd c;

	memset(&c, 0, sizeof(c));
	c.dev = d;
	c.cdb = cgc->cmd;
	c.cdb_len = CDROM_PACKET_SIZE;
	c.buf = cgc->buffer;
	c.len = cgc->data_direction == CGC_DATA_NONE || !cgc->buffer ? 0 : cgc->buflen;
	c.to_dev = cgc->data_direction == CGC_DATA_WRITE;
	if (c.len && !c.to_dev)
		memset(c.buf, 0, c.len);
	pthread_mutex_lock(&lock);
	sim_execute(d, &c);
	pthread_mutex_unlock(&lock);
	sim_log(d, "CDROM_SEND_PACKET %02x -> %x/%02x/%02x", cgc->cmd[0], c.sk, c.asc, c.ascq);
	if (!c.sk)
		return 0;
	if (cgc->sense) {
		memset(cgc->sense, 0, sizeof(*cgc->sense));
		cgc->sense->error_code = 0x70;
		cgc->sense->sense_key = c.sk;
		cgc->sense->asc = c.asc;
		cgc->sense->ascq = c.ascq;
	}
	cgc->stat = 2;
	errno = EIO;
	return -1;
}

/* A closed track of the disc by number (1-based), or NULL. */
static const struct sim_track *toc_track(const struct sim_disc *disc, int n)
{
	if (n < 1 || n > disc->n_tracks || disc->tracks[n - 1].state != TRK_CLOSED)
		return NULL;
	return &disc->tracks[n - 1];
}

static int closed_tracks(const struct sim_disc *disc)
{
	int n = 0;

	while (toc_track(disc, n + 1))
		n++;
	return n;
}

static void put_addr(union cdrom_addr *a, int fmt, int64_t lba)
{
	if (fmt == CDROM_MSF)
		sim_lba_to_msf(lba, &a->msf.minute, &a->msf.second, &a->msf.frame);
	else
		a->lba = (int)lba;
}

static int cdrom_ioctl(struct sim_dev *d, unsigned long req, void *arg)
{
	const struct sim_disc *disc = &d->disc;
	int nt;

	if (d->tray_open || d->no_medium) {
		errno = ENOMEDIUM;
		return -1;
	}
	nt = closed_tracks(disc);
	switch (req) {
	case CDROMREADTOCHDR: {
		struct cdrom_tochdr *h = arg;

		if (!nt) {
			errno = EIO;
			return -1;
		}
		h->cdth_trk0 = 1;
		h->cdth_trk1 = (uint8_t)nt;
		return 0;
	}
	case CDROMREADTOCENTRY: {
		struct cdrom_tocentry *e = arg;
		const struct sim_track *t;
		int64_t lba;

		if (e->cdte_track == CDROM_LEADOUT) {
			t = toc_track(disc, nt);
			if (!t) {
				errno = EIO;
				return -1;
			}
			lba = t->start + t->size + t->runout;
		} else {
			t = toc_track(disc, e->cdte_track);
			if (!t) {
				errno = EINVAL;
				return -1;
			}
			lba = t->start;
		}
		e->cdte_adr = 1;
		e->cdte_ctrl = t->audio ? 0 : 4;
		e->cdte_datamode = t->audio ? 0 : 1;
		put_addr(&e->cdte_addr, e->cdte_format, lba);
		return 0;
	}
	case CDROMMULTISESSION: {
		struct cdrom_multisession *m = arg;
		int64_t last = 0;

		for (int i = 1; i <= nt; i++)
			if (toc_track(disc, i)->session == toc_track(disc, nt)->session) {
				last = toc_track(disc, i)->start;
				break;
			}
		m->xa_flag = nt && toc_track(disc, nt)->session > 1;
		put_addr(&m->addr, m->addr_format, m->xa_flag ? last : 0);
		return 0;
	}
	case CDROM_DISC_STATUS: {
		bool audio = false, data = false;

		for (int i = 1; i <= nt; i++) {
			audio |= toc_track(disc, i)->audio;
			data |= !toc_track(disc, i)->audio;
		}
		return audio && data ? CDS_MIXED : audio ? CDS_AUDIO : data ? CDS_DATA_1 : CDS_NO_INFO;
	}
	case CDROM_GET_MCN:
		/* the kernel asks READ SUB-CHANNEL format 2 */
		memset(arg, 0, sizeof(struct cdrom_mcn));
		if (disc->mcn[0] && !getenv("MMCSIM_HIDE_MCN"))
			memcpy(((struct cdrom_mcn *)arg)->medium_catalog_number, disc->mcn, 13);
		return 0;
	default:
		errno = ENOTTY;
		return -1;
	}
}

int ioctl(int fd, unsigned long req, ...)
{
	struct sim_dev *d = dev_by_fd(fd);
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!d)
		return real_ioctl(fd, req, arg);
	switch (req) {
	case SG_IO:
		return do_sg_io(d, arg);
	case SG_GET_SCSI_ID:
	case HDIO_GET_IDENTITY:
		errno = ENOTTY;
		return -1;
	case SCSI_IOCTL_GET_BUS_NUMBER:
		*(int *)arg = 0;
		return 0;
	case SCSI_IOCTL_GET_IDLUN: {
		int *idlun = arg;

		idlun[0] = (int)(d - devs) & 0xff;      /* target */
		idlun[1] = 0x10000 * 2;                 /* host 2 */
		return 0;
	}
	case SG_GET_VERSION_NUM:
		*(int *)arg = 30536;
		return 0;
	case CDROM_DRIVE_STATUS: {
		int r;

		pthread_mutex_lock(&lock);
		r = d->tray_open ? CDS_TRAY_OPEN : d->no_medium ? CDS_NO_DISC : CDS_DISC_OK;
		pthread_mutex_unlock(&lock);
		return r;
	}
	case CDROM_LOCKDOOR:
		/* the kernel keeps this lock after close (keeplocked) */
		pthread_mutex_lock(&lock);
		d->locked = (intptr_t)arg != 0;
		sim_disc_save(d);
		pthread_mutex_unlock(&lock);
		sim_log(d, "ioctl CDROM_LOCKDOOR %d", d->locked);
		return 0;
	case CDROMEJECT:
		pthread_mutex_lock(&lock);
		if (d->locked) {
			pthread_mutex_unlock(&lock);
			errno = EBUSY;
			return -1;
		}
		d->tray_open = true;
		sim_disc_save(d);
		pthread_mutex_unlock(&lock);
		return 0;
	case CDROM_CLEAR_OPTIONS:
	case CDROM_SET_OPTIONS:
	case SG_SET_RESERVED_SIZE:
	case SG_SET_TIMEOUT:
		return 0;
	case BLKGETSIZE64: {
		pthread_mutex_lock(&lock);
		*(uint64_t *)arg = (uint64_t)sim_readable_end(&d->disc) * SIM_SECTOR;
		pthread_mutex_unlock(&lock);
		return 0;
	}
	case BLKSSZGET:
		*(int *)arg = SIM_SECTOR;
		return 0;
	case CDROM_GET_CAPABILITY:
		return CDC_CLOSE_TRAY | CDC_OPEN_TRAY | CDC_LOCK | CDC_SELECT_SPEED |
		       CDC_MULTI_SESSION | CDC_MCN | CDC_MEDIA_CHANGED | CDC_PLAY_AUDIO |
		       CDC_DRIVE_STATUS | CDC_GENERIC_PACKET | CDC_CD_R | CDC_CD_RW |
		       CDC_DVD | CDC_DVD_R | CDC_DVD_RAM | CDC_MRW | CDC_RAM;
	case CDROM_SEND_PACKET:
		return cdrom_packet(d, arg);
	case CDROMREADTOCHDR:
	case CDROMREADTOCENTRY:
	case CDROMMULTISESSION:
	case CDROM_DISC_STATUS:
	case CDROM_GET_MCN: {
		int r;

		pthread_mutex_lock(&lock);
		r = cdrom_ioctl(d, req, arg);
		pthread_mutex_unlock(&lock);
		return r;
	}
	default:
		errno = ENOTTY;
		return -1;
	}
}

/* ---- read()/pread()/lseek() for block-device readers ---- */

static ssize_t fake_pread(struct sim_dev *d, void *buf, size_t count, int64_t off)
{
	int64_t end = sim_readable_end(&d->disc) * SIM_SECTOR;
	uint8_t sector[SIM_SECTOR];
	size_t done = 0;

	d->commands++;
	if (d->no_medium || d->tray_open) {
		errno = ENOMEDIUM;
		return -1;
	}
	while (done < count && off + (int64_t)done < end) {
		int64_t pos = off + (int64_t)done;
		int64_t lba = pos / SIM_SECTOR;
		size_t in = (size_t)(pos % SIM_SECTOR), take = SIM_SECTOR - in;
		struct sim_cmd c;

		memset(&c, 0, sizeof(c));
		c.dev = d;
		if (take > count - done)
			take = count - done;
		if (sim_check_readable(&c, lba, 1) < 0 || sim_check_not_audio(&c, lba, 1) < 0 ||
		    sim_read_data(&c, lba, 1, sector) < 0) {
			if (done)
				break;
			errno = EIO;
			return -1;
		}
		memcpy((uint8_t *)buf + done, sector + in, take);
		done += take;
	}
	return (ssize_t)done;
}

ssize_t read(int fd, void *buf, size_t count)
{
	struct sim_dev *d = dev_by_fd(fd);
	ssize_t r;

	if (!d)
		return real_read(fd, buf, count);
	pthread_mutex_lock(&lock);
	r = fake_pread(d, buf, count, d->pos);
	if (r > 0)
		d->pos += r;
	pthread_mutex_unlock(&lock);
	return r;
}

ssize_t pread(int fd, void *buf, size_t count, off_t off)
{
	struct sim_dev *d = dev_by_fd(fd);
	ssize_t r;

	if (!d)
		return real_pread(fd, buf, count, off);
	pthread_mutex_lock(&lock);
	r = fake_pread(d, buf, count, off);
	pthread_mutex_unlock(&lock);
	return r;
}

ssize_t pread64(int fd, void *buf, size_t count, off_t off);
ssize_t pread64(int fd, void *buf, size_t count, off_t off)
{
	return pread(fd, buf, count, off);
}

off_t lseek(int fd, off_t off, int whence)
{
	struct sim_dev *d = dev_by_fd(fd);
	int64_t base;

	if (!d)
		return real_lseek(fd, off, whence);
	pthread_mutex_lock(&lock);
	base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? d->pos
		: sim_readable_end(&d->disc) * SIM_SECTOR;
	if (base + off < 0) {
		pthread_mutex_unlock(&lock);
		errno = EINVAL;
		return -1;
	}
	d->pos = base + off;
	pthread_mutex_unlock(&lock);
	return d->pos;
}

off_t lseek64(int fd, off_t off, int whence);
off_t lseek64(int fd, off_t off, int whence)
{
	return lseek(fd, off, whence);
}

/* ---- time compression for libburn's polling ---- */

int usleep(useconds_t us)
{
	init();
	return real_usleep((useconds_t)(us * sleep_scale));
}

unsigned int sleep(unsigned int s)
{
	init();
	real_usleep((useconds_t)(s * 1e6 * sleep_scale));
	return 0;
}

/* ---- drive time seen by the program (MMCSIM_VIRTUAL_TIME) ---- */

/*
 * With MMCSIM_VIRTUAL_TIME set, CLOCK_MONOTONIC runs on real time plus the
 * drives' virtual clocks, so that a program timing its commands (spindle
 * scan) sees the simulated drive's speed, slow areas and retries.  It stays
 * monotonic: both parts only grow.  The clocks are read without the lock,
 * as the caller may hold it; a torn read of a double cannot happen on the
 * machines this runs on.
 */
int clock_gettime(clockid_t id, struct timespec *ts)
{
	static int (*real_clock_gettime)(clockid_t, struct timespec *);
	static int on = -1;
	double add = 0;
	int r;

	if (!real_clock_gettime)
		real_clock_gettime = dlsym(RTLD_NEXT, "clock_gettime");
	r = real_clock_gettime(id, ts);
	if (on < 0)
		on = getenv("MMCSIM_VIRTUAL_TIME") != NULL;
	if (r != 0 || !on || id != CLOCK_MONOTONIC)
		return r;
	for (int i = 0; i < n_devs; i++)
		add += devs[i].clock;
	ts->tv_sec += (time_t)add;
	ts->tv_nsec += (long)((add - (double)(time_t)add) * 1e9);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
	return r;
}
