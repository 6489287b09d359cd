/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * master.c - ISO 9660 mastering through libisofs: write options, El Torito
 * boot, and the output (a file, or a burn source for an on-the-fly burn).
 *
 * libisofs produces the image in its own thread into a ring buffer, exposed
 * as a libburn burn_source whose get_size() is exact.  Whoever pulls from
 * it must never ask for more than what remains: a read that runs past the
 * end returns EOF and the tail is lost.  MD5 tags need AAIP as well as
 * iso_write_opts_set_record_md5(), or the checksum array is not pointed
 * to and no reader finds the file checksums.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "imaging/master/master_private.h"

#define MASTER_FIFO_BLOCKS 8192         /* libisofs ring buffer: 16 MiB */
#define MASTER_CHUNK (1024 * 1024)      /* bytes pulled per read */

static enum sp_status iso_fail(struct sp_error *err, int code, const char *what)
{
	struct sp_error lib = SP_ERROR_INIT;

	drv_drain_messages(&lib);
	sp_error_set(err, SPE_LIB, "%s: %s", what, iso_error_to_msg(code));
	err->lib_code = code;
	if (lib.detail[0])
		snprintf(err->detail, sizeof(err->detail), "%s", lib.detail);
	return SP_FAILED;
}

static void times_to_epoch(IsoNode *node, time_t t)
{
	iso_node_set_mtime(node, t);
	iso_node_set_atime(node, t);
	iso_node_set_ctime(node, t);
}

static time_t image_epoch(const struct img_master *m)
{
	if (m->o.epoch >= 0)
		return (time_t)m->o.epoch;
	return m->newest_mtime;
}

static enum sp_status setup_boot(struct img_master *m, struct sp_error *err)
{
	ElToritoBootImage *bios = NULL, *efi = NULL;
	char catalog[PATH_MAX];
	int r;

	if (!m->o.boot_bios && !m->o.boot_efi)
		return SP_OK;
	if (m->o.boot_catalog) {
		snprintf(catalog, sizeof(catalog), "%s", m->o.boot_catalog);
	} else {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s", m->o.boot_bios ? m->o.boot_bios : m->o.boot_efi);
		snprintf(catalog, sizeof(catalog), "%s/boot.cat", dirname(dir));
		if (strncmp(catalog, "//", 2) == 0)
			memmove(catalog, catalog + 1, strlen(catalog));
	}
	if (m->o.boot_bios) {
		r = iso_image_set_boot_image(m->image, m->o.boot_bios, ELTORITO_NO_EMUL,
					     catalog, &bios);
		if (r < 0)
			goto fail;
		el_torito_set_load_size(bios, (short)m->o.boot_load_size);
		el_torito_set_isolinux_options(bios, m->o.boot_info_table ? 1 : 0, 0);
	}
	if (m->o.boot_efi) {
		if (bios)
			r = iso_image_add_boot_image(m->image, m->o.boot_efi, ELTORITO_NO_EMUL,
						     0, &efi);
		else
			r = iso_image_set_boot_image(m->image, m->o.boot_efi, ELTORITO_NO_EMUL,
						     catalog, &efi);
		if (r < 0)
			goto fail;
		el_torito_set_boot_platform_id(efi, 0xef);
		el_torito_set_full_load(efi, 1);
		/* on a USB stick, firmware finds the EFI image through the GPT */
		if (m->o.isohybrid_mbr)
			el_torito_set_isolinux_options(efi, 1 << 2, 0);
	}
	return SP_OK;
fail:
	drv_drain_messages(NULL);
	if (r == (int)ISO_NODE_DOESNT_EXIST || r == (int)ISO_FILE_DOESNT_EXIST) {
		sp_error_set(err, SPE_USAGE, "boot image '%s' is not in the image",
			     bios ? m->o.boot_efi : m->o.boot_bios ? m->o.boot_bios : m->o.boot_efi);
		sp_error_hint(err, "boot paths are paths inside the image, such as "
			      "/isolinux/isolinux.bin");
		return SP_FAILED;
	}
	return iso_fail(err, r, "cannot set up El Torito boot");
}

enum sp_status img_master_prepare(struct img_master **out,
				  const struct img_master_opts *o,
				  struct sp_error *err)
{
	static char utf8[] = "UTF-8";
	struct img_master *m;
	time_t epoch;
	int r;

	*out = NULL;
	if (o->n_grafts == 0)
		return sp_error_set(err, SPE_USAGE, "nothing to put in the image");
	if (o->isohybrid_mbr && !o->boot_bios) {
		sp_error_set(err, SPE_USAGE, "an isohybrid MBR needs a BIOS boot image");
		sp_error_hint(err, "give the ISOLINUX image with --boot-bios");
		return SP_FAILED;
	}
	if (drv_lib_init(err) != SP_OK)
		return SP_FAILED;
	/* file names on Linux are UTF-8; Rock Ridge keeps them, Joliet
	 * converts them to UCS-2 */
	iso_set_local_charset(utf8, 0);
	m = calloc(1, sizeof(*m));
	if (!m)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	m->o = *o;
	m->t0 = sp_now();
	pthread_mutex_init(&m->stream_lock, NULL);
	if (o->reproducible && o->epoch >= 0) {
		epoch = (time_t)o->epoch;
		iso_nowtime(&epoch, 1);
	}
	r = iso_image_new(o->volid ? o->volid : "SPINDLE", &m->image);
	if (r < 0) {
		free(m);
		return iso_fail(err, r, "cannot create an image");
	}
	if (img_master_walk(m, err) != SP_OK)
		goto fail;
	if (o->reproducible) {
		epoch = image_epoch(m);
		iso_nowtime(&epoch, 1);
		if (!m->root_from_source)
			times_to_epoch((IsoNode *)iso_image_get_root(m->image), epoch);
		for (size_t i = 0; i < m->n_made; i++)
			times_to_epoch(m->made_dirs[i], epoch);
	}
	if (setup_boot(m, err) != SP_OK)
		goto fail;
	*out = m;
	return SP_OK;
fail:
	img_master_free(m);
	return SP_FAILED;
}

const struct img_master_stats *img_master_stats(const struct img_master *m)
{
	return &m->st;
}

static enum sp_status load_mbr(const char *path, char *area, struct sp_error *err)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return sp_error_set_errno(err, errno, "cannot open isohybrid MBR '%s'", path);
	if (fstat(fd, &st) < 0 || st.st_size < 432 || st.st_size > 32768) {
		close(fd);
		sp_error_set(err, SPE_USAGE, "'%s' is not an isohybrid MBR "
			     "(432 to 32768 bytes expected)", path);
		sp_error_hint(err, "use isohdpfx.bin from SYSLINUX (/usr/lib/ISOLINUX/isohdpfx.bin)");
		return SP_FAILED;
	}
	memset(area, 0, 32768);
	n = read(fd, area, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size)
		return sp_error_set_errno(err, n < 0 ? errno : EIO,
					  "cannot read isohybrid MBR '%s'", path);
	return SP_OK;
}

static enum sp_status make_write_opts(struct img_master *m, IsoWriteOpts **out,
				      struct sp_error *err)
{
	IsoWriteOpts *w;
	char *area = NULL;
	int r;

	r = iso_write_opts_new(&w, 1);
	if (r < 0)
		return iso_fail(err, r, "cannot set up the image");
	iso_write_opts_set_iso_level(w, 3);
	iso_write_opts_set_rockridge(w, 1);
	iso_write_opts_set_joliet(w, 1);
	iso_write_opts_set_joliet_longer_paths(w, 1);
	iso_write_opts_set_joliet_long_names(w, 1);
	iso_write_opts_set_joliet_utf16(w, 1);
	iso_write_opts_set_hardlinks(w, 1);
	iso_write_opts_set_dir_rec_mtime(w, 1 | 2);
	iso_write_opts_set_always_gmt(w, 1);
	iso_write_opts_set_aaip(w, m->o.md5 ? 1 : 0);
	iso_write_opts_set_record_md5(w, m->o.md5 ? 1 : 0, m->o.md5 ? 1 : 0);
	iso_write_opts_set_fifo_size(w, MASTER_FIFO_BLOCKS);
	if (m->o.reproducible) {
		time_t t = image_epoch(m);
		char uuid[32];
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(uuid, sizeof(uuid), "%Y%m%d%H%M%S00", &tm);
		iso_write_opts_set_pvd_times(w, t, t, 0, t, uuid);
		iso_write_opts_set_gpt_guid(w, NULL, 2);
	}
	if (m->o.isohybrid_mbr) {
		area = malloc(32768);
		if (!area) {
			iso_write_opts_free(w);
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		}
		if (load_mbr(m->o.isohybrid_mbr, area, err) != SP_OK) {
			free(area);
			iso_write_opts_free(w);
			return SP_FAILED;
		}
		/* options bit1: isohybrid patching of the SYSLINUX MBR */
		r = iso_write_opts_set_system_area(w, area, 1 << 1, 0);
		free(area);
		if (r < 0) {
			iso_write_opts_free(w);
			return iso_fail(err, r, "cannot use the isohybrid MBR");
		}
	}
	*out = w;
	return SP_OK;
}

enum sp_status img_master_burn_source(struct img_master *m,
				      struct burn_source **src, int64_t *size,
				      struct sp_error *err)
{
	IsoWriteOpts *w = NULL;
	int r;

	*src = NULL;
	if (make_write_opts(m, &w, err) != SP_OK)
		return SP_FAILED;
	drv_drain_messages(NULL);
	r = iso_image_create_burn_source(m->image, w, src);
	iso_write_opts_free(w);
	if (r < 0) {
		*src = NULL;
		return iso_fail(err, r, "cannot start writing the image");
	}
	*size = (*src)->get_size(*src);
	m->st.image_bytes = (uint64_t)*size;
	m->st.md5_by_spindle = m->o.md5 && img_master_md5_bound();
	return SP_OK;
}

enum sp_status img_master_source(struct img_master *m, struct img_source *s,
				 uint64_t fifo_bytes, struct sp_error *err)
{
	struct burn_source *iso = NULL;
	uint64_t fifo;
	int64_t size;

	*s = (struct img_source)IMG_SOURCE_INIT;
	if (img_master_burn_source(m, &iso, &size, err) != SP_OK)
		return SP_FAILED;
	fifo = img_fifo_for(fifo_bytes, size);
	/*
	 * 2048-byte reads, not libburn's 32 KiB big reads: a libisofs source
	 * asked for more than what remains returns EOF and loses the tail.
	 */
	s->chain = burn_fifo_source_new(iso, SP_SECTOR, (int)(fifo / SP_SECTOR), 0);
	if (!s->chain) {
		burn_source_free(iso);
		return sp_error_set(err, SPE_LIB, "cannot set up a FIFO of %llu bytes",
				    (unsigned long long)fifo);
	}
	s->input = iso;
	s->size = size;
	snprintf(s->name, sizeof(s->name), "the image being mastered");
	return SP_OK;
}

enum sp_status img_master_finish(struct img_master *m, struct sp_error *err)
{
	struct sp_error lib = SP_ERROR_INIT;
	bool lib_trouble = drv_drain_messages(&lib);

	pthread_mutex_lock(&m->stream_lock);
	if (m->stream_failures) {
		sp_error_set(err, SPE_IO, "the image is incomplete: %s", m->stream_error);
		if (m->stream_failures > 1)
			sp_error_detail(err, "%u files had trouble; the first is named",
					m->stream_failures);
		pthread_mutex_unlock(&m->stream_lock);
		sp_error_hint(err, "a source file could not be read while writing; check it, "
			      "or leave it out with --exclude");
		return SP_FAILED;
	}
	pthread_mutex_unlock(&m->stream_lock);
	if (!lib_trouble)
		return SP_OK;
	sp_error_set(err, SPE_IO, "the image is incomplete: %s", lib.msg);
	snprintf(err->detail, sizeof(err->detail), "%s", lib.detail);
	sp_error_hint(err, "a source file could not be read while writing; check it, "
		      "or leave it out with --exclude");
	return SP_FAILED;
}

void img_master_free(struct img_master *m)
{
	if (!m)
		return;
	if (m->image)
		iso_image_unref(m->image);
	free(m->made_dirs);
	free(m->links);
	pthread_mutex_destroy(&m->stream_lock);
	free(m);
}

static int source_read(struct burn_source *s, unsigned char *buf, int n)
{
	return s->read_xt ? s->read_xt(s, buf, n) : s->read(s, buf, n);
}

/*
 * Let the ring buffer fill before pulling a chunk.  A read that finds too
 * little data sleeps in libisofs and is woken for every 2048-byte sector
 * the writer adds: on a busy machine that ping-pong costs the writer
 * thread, which does the real work (reading files, MD5), much of its time.
 */
static void wait_for_data(struct burn_source *src, size_t want)
{
	for (int i = 0; i < 500; i++) {
		size_t size = 0, free_bytes = 0;
		int st = iso_ring_buffer_get_status(src, &size, &free_bytes);

		if (st != 1 || size - free_bytes >= want)
			return;
		usleep(2000);
	}
}

static bool all_zero(const unsigned char *buf, size_t n)
{
	return n == 0 || (buf[0] == 0 && memcmp(buf, buf + 1, n - 1) == 0);
}

static void report_writing(struct img_master *m, uint64_t done, uint64_t total,
			   bool force)
{
	struct img_master_progress p = { .phase = IMG_MASTER_WRITING };
	double now = sp_now();

	if (!m->o.progress || (!force && now - m->last_progress < 0.2))
		return;
	m->last_progress = now;
	p.files = m->st.files + m->st.dirs + m->st.symlinks + m->st.specials;
	p.bytes_done = done;
	p.bytes_total = total;
	p.elapsed = now - m->t0;
	m->o.progress(&p, m->o.ctx);
}

static enum sp_status sync_dir_of(const char *path, struct sp_error *err)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	free(copy);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return SP_OK;
}

enum sp_status img_master_to_file(struct img_master *m, const char *path,
				  bool force, struct sp_error *err)
{
	struct burn_source *src = NULL;
	enum sp_status rc = SP_FAILED;
	unsigned char *buf = NULL;
	int64_t size = 0, done = 0;
	char *tmp = NULL;
	struct stat st;
	int fd = -1;

	if (!force && lstat(path, &st) == 0) {
		sp_error_set(err, SPE_EXISTS, "'%s' already exists", path);
		sp_error_hint(err, "use --force to replace it, or choose another name with -o");
		return SP_FAILED;
	}
	if (!(tmp = malloc(strlen(path) + 16)) || !(buf = malloc(MASTER_CHUNK))) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	sprintf(tmp, "%s.tmp-XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		sp_error_set_errno(err, errno, "cannot create '%s'", path);
		free(tmp);
		tmp = NULL;
		goto out;
	}
	{
		mode_t um = umask(0);

		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	if (img_master_burn_source(m, &src, &size, err) != SP_OK)
		goto out;
	m->last_progress = 0;
	while (done < size) {
		int want = size - done < MASTER_CHUNK ? (int)(size - done) : MASTER_CHUNK;
		int got;

		if (drv_interrupted()) {
			if (src->cancel)
				src->cancel(src);
			sp_error_set(err, SPE_ABORTED, "interrupted; '%s' was not written", path);
			goto out;
		}
		wait_for_data(src, (size_t)want);
		got = source_read(src, buf, want);
		if (got <= 0) {
			struct sp_error lib = SP_ERROR_INIT;

			drv_drain_messages(&lib);
			sp_error_set(err, lib.code ? lib.code : SPE_LIB,
				     "image production stopped at byte %lld of %lld%s%s",
				     (long long)done, (long long)size,
				     lib.msg[0] ? ": " : "", lib.msg);
			snprintf(err->detail, sizeof(err->detail), "%s", lib.detail);
			goto out;
		}
		/* all-zero chunks stay holes: a sparse source gives a sparse image */
		if (!all_zero(buf, (size_t)got) &&
		    sp_pwrite_all(fd, buf, (size_t)got, (uint64_t)done, path, err) != SP_OK)
			goto out;
		done += got;
		report_writing(m, (uint64_t)done, (uint64_t)size, false);
	}
	report_writing(m, (uint64_t)done, (uint64_t)size, true);
	if (img_master_finish(m, err) != SP_OK)
		goto out;
	if (ftruncate(fd, (off_t)size) < 0) {
		sp_error_set_errno(err, errno, "cannot write '%s'", path);
		goto out;
	}
	if (fsync(fd) < 0) {
		sp_error_set_errno(err, errno, "cannot write '%s'", path);
		goto out;
	}
	close(fd);
	fd = -1;
	if (force) {
		if (rename(tmp, path) < 0) {
			sp_error_set_errno(err, errno, "cannot rename '%s' to '%s'", tmp, path);
			goto out;
		}
	} else {
		/* link() refuses to replace: a file that appeared meanwhile stays */
		if (link(tmp, path) < 0) {
			sp_error_set_errno(err, errno, "cannot create '%s'", path);
			if (errno == EEXIST)
				sp_error_hint(err, "use --force to replace it");
			goto out;
		}
		unlink(tmp);
	}
	free(tmp);
	tmp = NULL;
	sync_dir_of(path, err);
	rc = SP_OK;
out:
	if (src)
		burn_source_free(src);
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(buf);
	return rc;
}
