/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * read.c - sector reads with no hidden retries.
 *
 * burn_read_data() is called with its retry disabled: the rescue engine and
 * verify decide what to read again.  Reads never go through buffered read()
 * on /dev/sr*, whose read-ahead would blur where an error lies.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "drive/drive_private.h"

/* burn_read_data() flag bits (libburn.h) */
#define READ_NO_RETRY   (1 << 2)
#define READ_RUNOUT_M3  (1 << 4)

int64_t drv_readable_sectors(struct drv_drive *d)
{
	int cap = 0;

	if (d->readable >= 0)
		return d->readable;
	if (burn_get_read_capacity(d->bd, &cap, 0) > 0 && cap > 0)
		d->readable = cap;
	drv_clear_messages();
	return d->readable;
}

/*
 * ATAPI drives may answer an unreadable sector inside the disc with
 * 05/21/00, "LBA out of range"; QEMU's IDE and AHCI drives report every
 * read error so.  Inside the readable capacity that means damage, not an
 * address beyond the data.
 */
static void describe_in_range(struct sp_error *err, int64_t lba)
{
	snprintf(err->msg, sizeof(err->msg),
		 "05/21/00: the drive cannot read the sector at LBA %lld, although it "
		 "lies inside the disc (unreadable sector)", (long long)lba);
	snprintf(err->hint, sizeof(err->hint),
		 "clean the disc; 'spindle rip' can retry and map what is lost");
}

enum sp_status drv_read(struct drv_drive *d, int64_t lba, uint32_t count,
			void *buf, uint32_t *done, struct sp_error *err)
{
	int64_t cap = drv_readable_sectors(d);
	uint32_t want = count, ok;
	enum drv_damage_kind why = DRV_DAMAGE_GOOD;
	off_t got = 0;
	int r;

	*done = 0;
	if (count == 0)
		return SP_OK;
	if (count > DRV_READ_MAX || lba < 0)
		return sp_error_set(err, SPE_INTERNAL, "bad read request: %u sectors at LBA %lld",
				    count, (long long)lba);
	if (cap >= 0 && lba + count > cap) {
		if (lba >= cap) {
			sp_error_set(err, SPE_READ, "LBA %lld is beyond the end of the medium (%lld sectors)",
				     (long long)lba, (long long)cap);
			err->lba = lba;
			return SP_FAILED;
		}
		want = (uint32_t)(cap - lba);
	}
	ok = want;
	if (d->damage)
		ok = drv_damage_check(d->damage, lba, want, &why);
	if (ok > 0) {
		r = burn_read_data(d->bd, (off_t)lba * SP_SECTOR, buf,
				   (off_t)ok * SP_SECTOR, &got,
				   READ_NO_RETRY | READ_RUNOUT_M3);
		if (r <= 0 || got < (off_t)ok * SP_SECTOR) {
			struct sp_error lib = SP_ERROR_INIT;

			*done = (uint32_t)(got / SP_SECTOR);
			lib.lba = lba + *done;
			drv_drain_messages(&lib);
			if (r == -3) {
				drv_sense_describe(0x05, 0x64, 0x00, lba + *done, err);
			} else if (lib.has_sense) {
				drv_sense_describe(lib.sense_key, lib.asc, lib.ascq,
						   lba + *done, err);
				if (lib.sense_key == 0x05 && lib.asc == 0x21 &&
				    lib.ascq == 0x00 && lba + *done < cap)
					describe_in_range(err, lba + *done);
			} else {
				sp_error_set(err, SPE_READ, "cannot read LBA %lld%s%s",
					     (long long)(lba + *done),
					     lib.msg[0] ? ": " : "", lib.msg);
				err->lba = lba + *done;
			}
			snprintf(err->detail, sizeof(err->detail), "%s", lib.detail);
			return SP_FAILED;
		}
	}
	*done = ok;
	if (ok < want) {
		/* the damage model said no, as a drive would */
		if (why == DRV_DAMAGE_RUNOUT)
			drv_sense_describe(0x05, 0x64, 0x00, lba + ok, err);
		else
			drv_sense_describe(0x03, 0x11, 0x00, lba + ok, err);
		return SP_FAILED;
	}
	if (want < count) {
		sp_error_set(err, SPE_READ, "LBA %lld is beyond the end of the medium (%lld sectors)",
			     (long long)(lba + want), (long long)cap);
		err->lba = lba + want;
		return SP_FAILED;
	}
	return SP_OK;
}

enum sp_status drv_set_read_speed(struct drv_drive *d, int kbps,
				  struct sp_error *err)
{
	(void)err;
	if (d->is_virtual)
		return SP_OK;
	burn_drive_set_speed(d->bd, kbps, 0);
	drv_clear_messages();
	return SP_OK;
}

enum sp_status drv_read_audio(struct drv_drive *d, int64_t lba, uint32_t count,
			      void *buf, struct sp_error *err)
{
	off_t got = 0;
	int r;

	if (count == 0)
		return SP_OK;
	if (count > DRV_READ_MAX || lba < -150 || lba > 0x7fffffff)
		return sp_error_set(err, SPE_INTERNAL, "bad audio read: %u sectors at LBA %lld",
				    count, (long long)lba);
	drv_clear_messages();
	r = burn_read_audio(d->bd, (int)lba, buf, (off_t)count * 2352, &got,
			    (1 << 1) | READ_NO_RETRY);
	if (r <= 0) {
		if (!drv_drain_messages(err) || !err->msg[0])
			sp_error_set(err, SPE_READ, "cannot read audio sectors %lld..%lld from '%s'",
				     (long long)lba, (long long)(lba + count - 1), drv_address(d));
		err->lba = lba + got / 2352;
		return SP_FAILED;
	}
	drv_clear_messages();
	return SP_OK;
}
