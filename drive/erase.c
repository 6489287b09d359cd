/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * erase.c - blanking and formatting: BLANK for CD-RW and DVD-RW, FORMAT
 * UNIT for DVD+RW, DVD-RW (to restricted overwrite), BD-RE, DVD-RAM and
 * BD-R (spare areas), through libburn's burn_disc_erase()/_format(), which
 * run in libburn's worker thread while we poll its progress.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drive/drive_private.h"

/* Wait for libburn's worker to finish, reporting its progress. */
static void wait_idle(struct drv_drive *d, drv_fraction_fn progress, void *ctx)
{
	struct burn_progress p;
	double t0 = sp_now();
	enum burn_drive_status s;

	memset(&p, 0, sizeof(p));
	while ((s = burn_drive_get_status(d->bd, &p)) == BURN_DRIVE_SPAWNING)
		usleep(20000);
	while (s != BURN_DRIVE_IDLE) {
		if (progress) {
			double f = p.sectors > 0 ? (double)p.sector / p.sectors : 0;

			progress(f < 0 ? 0 : f > 1 ? 1 : f, sp_now() - t0, ctx);
		}
		usleep(200000);
		s = burn_drive_get_status(d->bd, &p);
	}
	if (progress)
		progress(1.0, sp_now() - t0, ctx);
}

static enum burn_disc_status disc_status(struct drv_drive *d)
{
	enum burn_disc_status s;

	while ((s = burn_disc_get_status(d->bd)) == BURN_DISC_UNREADY)
		usleep(10000);
	return s;
}

static int current_profile(struct drv_drive *d, char name[80])
{
	int pno = 0;

	name[0] = '\0';
	if (burn_disc_get_profile(d->bd, &pno, name) <= 0)
		return 0;
	return pno;
}

/* The checks common to blank and format: a real drive holding a medium. */
static enum sp_status precheck(struct drv_drive *d, const char *what,
			       struct sp_error *err)
{
	if (d->is_virtual) {
		sp_error_set(err, SPE_UNSUPPORTED, "a virtual drive cannot be %s", what);
		sp_error_hint(err, "to start a stdio: image afresh, delete or truncate the file");
		return SP_FAILED;
	}
	if (disc_status(d) == BURN_DISC_EMPTY) {
		sp_error_set(err, SPE_NOMEDIUM, "no disc in drive '%s'", d->address);
		sp_error_hint(err, "insert a disc and try again");
		return SP_FAILED;
	}
	return SP_OK;
}

/* After the drive reports done: libburn's view is stale, look again. */
static enum sp_status finish(struct drv_drive *d, const char *what,
			     struct sp_error *err)
{
	struct sp_error lib = SP_ERROR_INIT;

	drv_drain_messages(&lib);
	burn_drive_re_assess(d->bd, 0);
	drv_clear_messages();
	if (lib.code != SPE_NONE) {
		sp_error_set(err, lib.code == SPE_LIB ? SPE_MEDIUM : lib.code,
			     "%s failed: %s", what, lib.msg);
		sp_error_detail(err, "%s", lib.detail);
		err->has_sense = lib.has_sense;
		err->sense_key = lib.sense_key;
		err->asc = lib.asc;
		err->ascq = lib.ascq;
		return SP_FAILED;
	}
	return SP_OK;
}

enum sp_status drv_blank(struct drv_drive *d, enum drv_blank_mode mode,
			 drv_fraction_fn progress, void *ctx,
			 struct sp_error *err)
{
	char name[80];
	int prof;

	if (precheck(d, "blanked", err) != SP_OK)
		return SP_FAILED;
	prof = current_profile(d, name);
	if (prof != 0x0a && prof != 0x13 && prof != 0x14) {
		if (prof == 0x1a || prof == 0x12 || prof == 0x43) {
			sp_error_set(err, SPE_MEDIUM, "a %s is not blanked, it is formatted", name);
			sp_error_hint(err, "run 'spindle format --force', or simply burn over it");
		} else {
			sp_error_set(err, SPE_MEDIUM, "a %s cannot be blanked", name[0] ? name : "disc of this kind");
			sp_error_hint(err, "only CD-RW and DVD-RW can be blanked; write-once media cannot be erased");
		}
		return SP_FAILED;
	}
	drv_clear_messages();
	burn_disc_erase(d->bd, mode == DRV_BLANK_FAST);
	wait_idle(d, progress, ctx);
	if (finish(d, "blanking", err) != SP_OK)
		return SP_FAILED;
	if (disc_status(d) != BURN_DISC_BLANK) {
		sp_error_set(err, SPE_MEDIUM, "the drive did not blank the %s", name);
		sp_error_hint(err, "try 'spindle blank --full'; the disc may be worn out");
		return SP_FAILED;
	}
	d->profile = current_profile(d, name);
	return SP_OK;
}

/*
 * Overwritable media read as zeros where nothing was written, and libburn
 * calls them blank whatever they hold: look at the first 64 KiB, where a
 * file system (ISO 9660 at 32 KiB, libisoburn's superblock copy at 0) sits.
 */
static bool has_data(struct drv_drive *d)
{
	static char buf[32 * SP_SECTOR];
	off_t count = 0;

	if (burn_read_data(d->bd, 0, buf, sizeof(buf), &count, 2 | 4) <= 0) {
		drv_clear_messages();
		return false;
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i])
			return true;
	return false;
}

static int format_state(struct drv_drive *d, off_t *size)
{
	int status = 0, num = 0;
	unsigned bl = 0;

	*size = 0;
	if (burn_disc_get_formats(d->bd, &status, size, &bl, &num) <= 0)
		return 0;
	return status;
}

enum sp_status drv_format(struct drv_drive *d, const struct drv_format_opts *o,
			  drv_fraction_fn progress, void *ctx,
			  struct sp_error *err)
{
	static const struct drv_format_opts defaults = DRV_FORMAT_OPTS_INIT;
	char name[80];
	int prof, flag = 0, fstate;
	off_t size = 0, cur = 0;
	bool formatted;

	if (!o)
		o = &defaults;
	if (precheck(d, "formatted", err) != SP_OK)
		return SP_FAILED;
	prof = current_profile(d, name);
	fstate = format_state(d, &cur);
	formatted = fstate == BURN_FORMAT_IS_FORMATTED || prof == 0x13 || prof == 0x12;
	switch (prof) {
	case 0x1a:      /* DVD+RW */
	case 0x13:      /* DVD-RW restricted overwrite */
	case 0x14:      /* DVD-RW sequential */
		if (o->spare == DRV_SPARE_ON || o->size_sectors) {
			sp_error_set(err, SPE_USAGE, "a %s has no spare areas and one size", name);
			return SP_FAILED;
		}
		if (prof != 0x1a && o->full)
			flag |= 4;
		break;
	case 0x43:      /* BD-RE */
	case 0x12:      /* DVD-RAM */
		if (o->spare == DRV_SPARE_OFF)
			flag |= 32 | (2 << 1);
		else if (!o->size_sectors)
			flag |= 3 << 1;
		if (!o->full)
			flag |= 64;     /* no lengthy certification */
		break;
	case 0x41:      /* BD-R */
		if (o->spare == DRV_SPARE_OFF) {
			sp_error_set(err, SPE_USAGE, "a BD-R without spare areas needs no formatting");
			sp_error_hint(err, "burn it as it is; 'spindle burn --stream-recording' also skips "
				      "defect management on a formatted BD-R");
			return SP_FAILED;
		}
		if (disc_status(d) != BURN_DISC_BLANK || fstate == BURN_FORMAT_IS_FORMATTED) {
			sp_error_set(err, SPE_NOTBLANK, "this BD-R is %s; a BD-R can be formatted only while blank",
				     fstate == BURN_FORMAT_IS_FORMATTED ? "formatted already" : "written");
			return SP_FAILED;
		}
		formatted = false;
		if (!o->size_sectors)
			flag |= 3 << 1;
		break;
	default:
		sp_error_set(err, SPE_MEDIUM, "a %s cannot be formatted", name[0] ? name : "disc of this kind");
		sp_error_hint(err, "formatting applies to DVD+RW, DVD-RW, DVD-RAM, BD-RE and blank BD-R; "
			      "use 'spindle blank' for CD-RW");
		return SP_FAILED;
	}
	if (formatted) {
		if (!o->reformat) {
			sp_error_set(err, SPE_NOTBLANK, "the %s is formatted already", name);
			sp_error_hint(err, "add --force to format it again (what is on it will be lost)");
			return SP_FAILED;
		}
		flag |= 16;
	}
	if (o->size_sectors)
		size = (off_t)o->size_sectors * SP_SECTOR;
	drv_clear_messages();
	burn_disc_format(d->bd, size, flag);
	wait_idle(d, progress, ctx);
	if (finish(d, "formatting", err) != SP_OK)
		return SP_FAILED;
	prof = current_profile(d, name);
	d->profile = prof;
	if (prof == 0x14 || (prof != 0x13 && format_state(d, &cur) != BURN_FORMAT_IS_FORMATTED &&
			     prof != 0x1a)) {
		sp_error_set(err, SPE_MEDIUM, "the drive did not format the %s", name);
		sp_error_hint(err, "try another format option, or another disc");
		return SP_FAILED;
	}
	return SP_OK;
}

enum drv_prep drv_prep_needed(struct drv_drive *d)
{
	enum burn_disc_status s;
	char name[80];
	off_t cur;
	int prof;

	if (d->is_virtual)
		return DRV_PREP_NONE;
	s = disc_status(d);
	prof = current_profile(d, name);
	switch (prof) {
	case 0x0a:
	case 0x14:
		return s == BURN_DISC_BLANK ? DRV_PREP_NONE : DRV_PREP_BLANK;
	case 0x43:
	case 0x12:
		if (format_state(d, &cur) == BURN_FORMAT_IS_UNFORMATTED)
			return DRV_PREP_FORMAT;
		/* fall through */
	case 0x13:
	case 0x1a:
		/* libburn calls formatted overwritable media blank; look for data */
		return drv_readable_sectors(d) > 0 && has_data(d) ? DRV_PREP_OVERWRITE
								  : DRV_PREP_NONE;
	default:
		return DRV_PREP_NONE;
	}
}
