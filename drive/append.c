/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * append.c - growing the ISO 9660 tree on a disc by one session, through
 * libisoburn: load the tree of the last session (or start an empty one on a
 * blank medium), add a directory's contents at its root, and write only
 * the new and changed parts as a new session whose tree covers old and new
 * files.  On overwritable media (DVD+RW, BD-RE, DVD-RAM, DVD-RW restricted
 * overwrite) libisoburn emulates the sessions with a superblock at LBA 0.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "drive/drive_private.h"

#include <libisofs/libisofs.h>
#include <libisoburn/libisoburn.h>

static enum sp_status lib_failed(struct sp_error *err, enum sp_errcode code,
				 const char *what)
{
	struct sp_error lib = SP_ERROR_INIT;

	drv_drain_messages(&lib);
	sp_error_set(err, code, "%s%s%s", what, lib.msg[0] ? ": " : "", lib.msg);
	sp_error_detail(err, "%s", lib.detail);
	if (lib.has_sense) {
		err->has_sense = 1;
		err->sense_key = lib.sense_key;
		err->asc = lib.asc;
		err->ascq = lib.ascq;
	}
	return SP_FAILED;
}

static enum sp_status init_isoburn(struct sp_error *err)
{
	static bool ready;
	static char all[] = "ALL", never[] = "NEVER", prefix[] = "spindle: ";
	char msg[1024];

	if (ready)
		return SP_OK;
	if (!isoburn_initialize(msg, 0))
		return sp_error_set(err, SPE_LIB, "cannot initialize libisoburn: %s", msg);
	/* libisoburn sets its own severities; take the queue back */
	burn_msgs_set_severities(all, never, prefix);
	ready = true;
	return SP_OK;
}

/*
 * Put the contents of directory `path` into `dir` of the tree: directories
 * present on both sides are merged, anything else of the same name is
 * replaced (libisofs' own add_dir_rec renames colliding files instead).
 */
static int merge_dir(IsoImage *image, IsoDir *dir, const char *path)
{
	DIR *dp = opendir(path);
	struct dirent *e;
	int ret = 1;

	if (!dp)
		return ISO_FILE_CANT_ADD;
	while (ret >= 0 && (e = readdir(dp))) {
		char full[PATH_MAX];
		IsoNode *old = NULL;
		IsoDir *sub = NULL;
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (snprintf(full, sizeof(full), "%s/%s", path, e->d_name) >= (int)sizeof(full) ||
		    lstat(full, &st) < 0) {
			ret = ISO_FILE_CANT_ADD;
			break;
		}
		iso_dir_get_node(dir, e->d_name, &old);
		if (old && S_ISDIR(st.st_mode) && iso_node_get_type(old) == LIBISO_DIR) {
			ret = merge_dir(image, (IsoDir *)old, full);
			continue;
		}
		if (old)
			iso_node_remove(old);
		if (S_ISDIR(st.st_mode)) {
			ret = iso_image_add_new_dir(image, dir, e->d_name, &sub);
			if (ret >= 0)
				ret = iso_tree_add_dir_rec(image, sub, full);
		} else {
			ret = iso_tree_add_node(image, dir, full, NULL);
		}
	}
	closedir(dp);
	return ret;
}

/* Write the prepared session and wait for it, with progress. */
static enum sp_status write_session(struct burn_drive *bd, struct burn_disc *disc,
				    const struct drv_write_opts *o,
				    drv_progress_fn progress, void *ctx,
				    struct drv_append_result *res, struct sp_error *err)
{
	struct burn_write_opts *wo = burn_write_opts_new(bd);
	char reasons[BURN_REASONS_LEN] = "";
	struct burn_progress p;
	struct drv_progress dp;
	enum burn_drive_status s;
	bool cancelled = false;
	double t0 = sp_now();
	int lba = 0, nwa = 0, pno = 0;
	char pname[80];
	enum sp_status st = SP_FAILED;

	if (!wo)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	burn_write_opts_set_perform_opc(wo, 0);
	/* overwritable media have no sessions of their own: libisoburn emulates */
	burn_write_opts_set_multi(wo, o->multi && !isoburn_needs_emulation(bd));
	burn_write_opts_set_simulate(wo, o->simulate);
	burn_write_opts_set_underrun_proof(wo, 1);
	burn_write_opts_set_stream_recording(wo, o->stream_recording ? 32 : 0);
	burn_disc_get_profile(bd, &pno, pname);
	burn_drive_set_speed(bd, 0, drv_speed_kbps(&o->speed, pno));
	if (burn_write_opts_auto_write_type(wo, disc, reasons, 0) == BURN_WRITE_NONE) {
		drv_clear_messages();
		sp_error_set(err, SPE_MEDIUM, "no write mode suits this drive and medium: %s", reasons);
		isoburn_cancel_prepared_write(bd, NULL, 0);
		goto out;
	}
	if (isoburn_disc_track_lba_nwa(bd, wo, 0, &lba, &nwa) > 0)
		res->start_lba = nwa;
	isoburn_disc_write(wo, disc);
	memset(&p, 0, sizeof(p));
	memset(&dp, 0, sizeof(dp));
	dp.x_speed_kbps = drv_x_speed_kbps(pno);
	dp.fifo_fill_pct = dp.buffer_fill_pct = -1;
	while ((s = burn_drive_get_status(bd, &p)) == BURN_DRIVE_SPAWNING)
		usleep(20000);
	while (s != BURN_DRIVE_IDLE) {
		if (drv_interrupted()) {
			/* repeated until idle: a cancel before WRITING may be missed */
			burn_drive_cancel(bd);
			cancelled = true;
		}
		dp.phase = cancelled ? DRV_PHASE_CANCELLING
			: s == BURN_DRIVE_WRITING ? DRV_PHASE_WRITING
			: s == BURN_DRIVE_CLOSING_TRACK || s == BURN_DRIVE_CLOSING_SESSION
			? DRV_PHASE_CLOSING : DRV_PHASE_PREPARING;
		if (p.sector > dp.sectors_done)
			dp.sectors_done = p.sector;
		dp.sectors_total = p.sectors > 0 ? p.sectors : -1;
		dp.elapsed = sp_now() - t0;
		dp.bytes_per_sec = dp.elapsed > 0 ? p.sector * (double)SP_SECTOR / dp.elapsed : 0;
		if (progress)
			progress(&dp, ctx);
		usleep(200000);
		s = burn_drive_get_status(bd, &p);
	}
	res->sectors = dp.sectors_done;
	if (cancelled || drv_interrupted()) {
		drv_clear_messages();
		sp_error_set(err, SPE_ABORTED, "interrupted by %s after %lld sectors; the session "
			     "was cancelled", drv_interrupt_signal_name(),
			     (long long)dp.sectors_done);
		sp_error_hint(err, "the disc may now end in an unfinished session, which --append "
			      "cannot grow: check it with 'spindle info'; a write-once disc is "
			      "then best replaced");
		goto out;
	}
	if (!isoburn_drive_wrote_well(bd)) {
		lib_failed(err, SPE_WRITE, "writing the session failed");
		sp_error_hint(err, "the disc may now hold an unusable session; check it with 'spindle info'");
		goto out;
	}
	if (!o->simulate && isoburn_activate_session(bd) <= 0) {
		lib_failed(err, SPE_WRITE, "the new session could not be made the current one");
		goto out;
	}
	dp.phase = DRV_PHASE_DONE;
	dp.elapsed = sp_now() - t0;
	if (progress)
		progress(&dp, ctx);
	st = SP_OK;
out:
	burn_write_opts_free(wo);
	return st;
}

enum sp_status drv_append_tree(const char *address, const char *dir,
			       const struct drv_write_opts *o,
			       drv_progress_fn progress, void *ctx,
			       struct drv_append_result *res, struct sp_error *err)
{
	struct burn_drive_info *dinfo = NULL;
	struct burn_drive *bd = NULL;
	struct isoburn_read_opts *ropts = NULL;
	struct isoburn_imgen_opts *gopts = NULL;
	struct burn_disc *disc = NULL;
	IsoImage *image = NULL;
	enum burn_disc_status s;
	char absdir[PATH_MAX], adr[BURN_DRIVE_ADR_LEN];
	struct stat st;
	enum sp_status ret = SP_FAILED;
	int r;

	memset(res, 0, sizeof(*res));
	res->start_lba = -1;
	if (!realpath(dir, absdir) || stat(absdir, &st) < 0)
		return sp_error_set_errno(err, errno, "cannot use '%s'", dir);
	if (!S_ISDIR(st.st_mode))
		return sp_error_set(err, SPE_USAGE, "'%s' is not a directory", dir);
	if (!address)
		return sp_error_set(err, SPE_USAGE, "--append needs a drive (-d DRIVE)");
	if (init_isoburn(err) != SP_OK)
		return SP_FAILED;
	snprintf(adr, sizeof(adr), "%s", address);
	if (isoburn_drive_aquire(&dinfo, adr, 1) <= 0 || !dinfo) {
		dinfo = NULL;
		lib_failed(err, SPE_NODRIVE, "cannot open drive");
		goto out;
	}
	bd = dinfo[0].drive;
	s = isoburn_disc_get_status(bd);
	if (s == BURN_DISC_EMPTY) {
		sp_error_set(err, SPE_NOMEDIUM, "no disc in drive '%s'", address);
		goto out;
	}
	if (s != BURN_DISC_BLANK && s != BURN_DISC_APPENDABLE) {
		sp_error_set(err, SPE_NOTBLANK, "the disc in drive '%s' is closed: no session can be added",
			     address);
		sp_error_hint(err, "use a disc left appendable (burn with --multi)");
		goto out;
	}
	res->was_blank = s == BURN_DISC_BLANK;
	{
		int fstatus = 0, nf = 0, pno = 0;
		off_t fsize = 0;
		unsigned bl = 0;
		char pname[80];

		burn_disc_get_profile(bd, &pno, pname);
		if ((pno == 0x43 || pno == 0x12) &&
		    burn_disc_get_formats(bd, &fstatus, &fsize, &bl, &nf) > 0 &&
		    fstatus == BURN_FORMAT_IS_UNFORMATTED) {
			sp_error_set(err, SPE_MEDIUM, "the %s in drive '%s' is not formatted", pname,
				     address);
			sp_error_hint(err, "run 'spindle format' first");
			goto out;
		}
	}
	if (isoburn_ropt_new(&ropts, 0) <= 0 || isoburn_igopt_new(&gopts, 0) <= 0) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	/* Rock Ridge, Joliet, AAIP and MD5 as written; nothing from ISO 9660:1999 */
	isoburn_ropt_set_extensions(ropts, isoburn_ropt_noiso1999 | isoburn_ropt_noacl |
				    isoburn_ropt_noea);
	if (isoburn_read_image(bd, ropts, &image) <= 0) {
		lib_failed(err, SPE_FORMAT, "cannot load the ISO 9660 tree of the last session");
		sp_error_hint(err, "--append grows ISO 9660 discs; this one holds something else");
		goto out;
	}
	r = merge_dir(image, iso_image_get_root(image), absdir);
	if (r < 0) {
		sp_error_set(err, SPE_IO, "cannot add '%s' to the tree: %s", dir, iso_error_to_msg(r));
		goto out;
	}
	isoburn_igopt_set_level(gopts, 3);
	isoburn_igopt_set_extensions(gopts, isoburn_igopt_rockridge | isoburn_igopt_joliet |
				     isoburn_igopt_aaip | isoburn_igopt_session_md5 |
				     isoburn_igopt_file_md5);
	if (isoburn_prepare_disc(bd, &disc, gopts) <= 0) {
		lib_failed(err, SPE_LIB, "cannot prepare the new session");
		goto out;
	}
	ret = write_session(bd, disc, o, progress, ctx, res, err);
	isoburn_sync_after_write(bd, NULL, 0);
out:
	if (disc)
		burn_disc_free(disc);
	if (image)
		iso_image_unref(image);
	isoburn_ropt_destroy(&ropts, 0);
	isoburn_igopt_destroy(&gopts, 0);
	if (bd)
		isoburn_drive_release(bd, 0);
	if (dinfo)
		burn_drive_info_free(dinfo);
	drv_clear_messages();
	return ret;
}
