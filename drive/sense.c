/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sense.c - SCSI sense key/ASC/ASCQ to plain language.
 *
 * Each entry says what happened in words a person understands and what to do
 * next.  Entries with ascq 0xff match any ASCQ of that ASC.  The first match
 * wins, so specific entries come before wildcards.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "drive/drive.h"

struct sense_entry {
	uint8_t key;            /* 0xff: any key */
	uint8_t asc;
	uint8_t ascq;           /* 0xff: any */
	enum sp_errcode code;
	const char *what;       /* "%s" gets " at LBA n" if known */
	const char *hint;
};

static const struct sense_entry table[] = {
	{ 0x02, 0x04, 0x01, SPE_BUSY, "the drive is becoming ready",
	  "wait a few seconds and try again" },
	{ 0x02, 0x04, 0x04, SPE_BUSY, "the drive is still formatting",
	  "wait until formatting finishes" },
	{ 0x02, 0x04, 0x07, SPE_BUSY, "the drive is busy with a long operation",
	  "wait until it finishes" },
	{ 0x02, 0x04, 0x08, SPE_BUSY, "the drive is busy with a long write",
	  "wait until it finishes" },
	{ 0x02, 0x3a, 0xff, SPE_NOMEDIUM, "no disc in the drive",
	  "insert a disc and close the tray" },
	{ 0x02, 0x30, 0xff, SPE_MEDIUM, "the disc cannot be read by this drive",
	  "check the disc type against the drive's capabilities" },
	{ 0xff, 0x28, 0x00, SPE_BUSY, "the disc was changed",
	  "run the command again" },
	{ 0xff, 0x29, 0xff, SPE_BUSY, "the drive was reset",
	  "run the command again" },
	{ 0x03, 0x0c, 0xff, SPE_WRITE, "write error%s (the disc refused the data)",
	  "the disc is probably bad; try another disc or a lower --speed" },
	{ 0x03, 0x11, 0x05, SPE_READ, "uncorrectable sector%s (L-EC error, scratch or dye damage)",
	  "clean the disc; 'spindle rip' can retry and map what is lost" },
	{ 0x03, 0x11, 0x06, SPE_READ, "unreadable sector%s (CIRC error, scratch or dye damage)",
	  "clean the disc; 'spindle rip' can retry and map what is lost" },
	{ 0x03, 0x11, 0xff, SPE_READ, "unreadable sector%s (scratch or dye damage)",
	  "clean the disc; 'spindle rip' can retry and map what is lost" },
	{ 0x03, 0x15, 0xff, SPE_READ, "the drive could not position its laser%s",
	  "the disc may be warped or badly scratched; try another drive" },
	{ 0x03, 0x02, 0x00, SPE_READ, "the drive could not find the address%s",
	  "the disc may be damaged; try another drive" },
	{ 0x03, 0x31, 0xff, SPE_MEDIUM, "the disc's format is corrupted",
	  "format or blank the disc again before use" },
	{ 0x03, 0x73, 0x03, SPE_WRITE, "power calibration area is full",
	  "this disc cannot be written any more" },
	{ 0x03, 0x73, 0xff, SPE_WRITE, "the drive could not calibrate the laser for this disc",
	  "try another disc or a lower --speed" },
	{ 0x03, 0xff, 0xff, SPE_READ, "medium error%s",
	  "the disc is damaged; try cleaning it or another drive" },
	{ 0x04, 0xff, 0xff, SPE_IO, "the drive reports a hardware failure%s",
	  "power-cycle the drive; if it persists the drive needs service" },
	{ 0x05, 0x64, 0x00, SPE_READ, "illegal mode for this track%s (the run-out sectors after a CD TAO track)",
	  "this is not damage: the data ends before this sector" },
	{ 0x05, 0x21, 0x00, SPE_READ, "address out of range%s",
	  "the sector lies beyond the end of the data" },
	{ 0x05, 0x21, 0x02, SPE_WRITE, "invalid write address%s",
	  "the disc's state has changed; check it with 'spindle info'" },
	{ 0x05, 0x20, 0x00, SPE_UNSUPPORTED, "the drive does not know this command",
	  "the drive is too old for this operation" },
	{ 0x05, 0x24, 0x00, SPE_UNSUPPORTED, "the drive refused a command parameter",
	  "try another --mode or --speed" },
	{ 0x05, 0x26, 0xff, SPE_UNSUPPORTED, "the drive refused a parameter value",
	  "try another --mode or --speed" },
	{ 0x05, 0x27, 0xff, SPE_MEDIUM, "the disc is write-protected",
	  "use a writable disc, or remove the write protection" },
	{ 0x05, 0x30, 0x05, SPE_MEDIUM, "this disc type cannot be written by this drive",
	  "use a disc type listed by 'spindle drives'" },
	{ 0x05, 0x30, 0xff, SPE_MEDIUM, "the disc is incompatible with this operation",
	  "check the disc type with 'spindle info'" },
	{ 0x05, 0x63, 0x00, SPE_TOOBIG, "the end of the user area was reached",
	  "the image does not fit on this disc" },
	{ 0x05, 0x72, 0xff, SPE_WRITE, "session fixation error",
	  "the disc may be unusable; check it with 'spindle info'" },
	{ 0x06, 0xff, 0xff, SPE_BUSY, "the drive reports a unit attention",
	  "run the command again" },
	{ 0x07, 0xff, 0xff, SPE_MEDIUM, "the disc is write-protected",
	  "use a writable disc" },
	{ 0x0b, 0xff, 0xff, SPE_IO, "the command was aborted by the drive",
	  "run the command again; check the cable if it recurs" },
};

int drv_sense_parse(const char *text, uint8_t *key, uint8_t *asc,
		    uint8_t *ascq)
{
	const char *p;

	for (p = text ? strchr(text, '[') : NULL; p; p = strchr(p + 1, '[')) {
		unsigned k, a, q;
		int n = 0;

		if (sscanf(p, "[%x %x %x]%n", &k, &a, &q, &n) == 3 && n > 0 &&
		    k <= 0x0f && a <= 0xff && q <= 0xff) {
			*key = (uint8_t)k;
			*asc = (uint8_t)a;
			*ascq = (uint8_t)q;
			return 1;
		}
	}
	return 0;
}

void drv_sense_describe(uint8_t key, uint8_t asc, uint8_t ascq, int64_t lba,
			struct sp_error *err)
{
	char where[64] = "";
	const struct sense_entry *e = NULL;

	if (!err)
		return;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct sense_entry *t = &table[i];

		if ((t->key == 0xff || t->key == key) &&
		    (t->asc == 0xff || t->asc == asc) &&
		    (t->ascq == 0xff || t->ascq == ascq)) {
			e = t;
			break;
		}
	}
	if (lba >= 0)
		snprintf(where, sizeof(where), " at LBA %lld", (long long)lba);
	err->has_sense = 1;
	err->sense_key = key;
	err->asc = asc;
	err->ascq = ascq;
	err->lba = lba;
	if (e) {
		char what[256];

		/* every table string has at most one %s; the others are about
		 * the drive or the disc as a whole, not about a sector */
		if (strstr(e->what, "%s"))
			snprintf(what, sizeof(what), e->what, where);
		else
			snprintf(what, sizeof(what), "%s", e->what);
		err->code = e->code;
		snprintf(err->msg, sizeof(err->msg), "%02X/%02X/%02X: %s",
			 key, asc, ascq, what);
		snprintf(err->hint, sizeof(err->hint), "%s", e->hint);
	} else {
		err->code = key == 0x03 ? SPE_READ : SPE_IO;
		snprintf(err->msg, sizeof(err->msg),
			 "%02X/%02X/%02X: the drive reported an error%s",
			 key, asc, ascq, where);
		snprintf(err->hint, sizeof(err->hint),
			 "run again with --verbose for the drive's own words");
	}
}
