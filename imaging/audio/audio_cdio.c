/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_cdio.c - opening a CD drive or image through libcdio, and its
 * table of contents.
 *
 * libcdio's image drivers make a .cue, cdrdao .toc or .nrg file behave as
 * a drive, which is how everything here is tested without hardware.  Two of
 * their habits are worked around:
 *  - the BIN/CUE driver reads the BIN named like the sheet (x.cue -> x.bin)
 *    whatever its FILE line says, and gets multi-file sheets wrong; sheets
 *    are therefore checked with our own parser first, and a sheet whose BIN
 *    has another name is opened through a temporary directory holding a
 *    copy of the sheet and a symbolic link to the BIN;
 *  - the cdrdao driver looks for a .toc's files relative to the current
 *    directory, not the .toc's: a copy with absolute paths is opened from a
 *    temporary directory;
 *  - a cdrdao .toc whose last track has a START (pregap) reports that track
 *    longer by the pregap than its FILE holds.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cdio/cdio.h>
#include <cdio/cdtext.h>
#include <cdio/logging.h>

#include "imaging/audio/audio_private.h"

/* libcdio logs through one global handler: the last message is kept here
 * for error details instead of being printed over our output. */
static char last_message[256];

static void log_handler(cdio_log_level_t level, const char *message)
{
	if (level >= CDIO_LOG_WARN) {
		snprintf(last_message, sizeof(last_message), "%s", message);
		size_t l = strlen(last_message);
		while (l && last_message[l - 1] == '\n')
			last_message[--l] = '\0';
	}
}

const char *cdio_last_message(void)
{
	return last_message;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t l = strlen(s), n = strlen(suffix);

	return l > n && !strcasecmp(s + l - n, suffix);
}

/* Check a sheet and its BIN; set *open_as to what libcdio should open. */
static enum sp_status check_cue(struct cdio_source *s, const char *path,
				char *open_as, size_t len, struct sp_error *err)
{
	struct img_cue cue;
	char *bin = NULL, *cuetext = NULL, real_bin[PATH_MAX], real_exp[PATH_MAX];
	char expected[PATH_MAX];
	struct stat sb;
	enum sp_status st = SP_FAILED;

	if (img_cue_load(&cue, path, err) != SP_OK)
		return SP_FAILED;
	for (int i = 0; i < cue.n_files; i++) {
		char *f = img_cue_file_path(path, cue.files[i].name);

		if (!f) {
			sp_error_set(err, SPE_NOMEM, "out of memory");
			goto out;
		}
		if (stat(f, &sb) < 0) {
			sp_error_set_errno(err, errno, "CUE sheet '%s' names track file '%s'",
					   path, f);
			sp_error_hint(err, "put the file next to the sheet, or correct its FILE line");
			free(f);
			goto out;
		}
		free(f);
	}
	if (cue.n_files != 1 || cue.files[0].type != IMG_CUE_BINARY) {
		sp_error_set(err, SPE_UNSUPPORTED,
			     "'%s' is not a single-BIN image (%d files, first of type %s): "
			     "only BIN/CUE images with one BIN file can be read like a disc",
			     path, cue.n_files, cue.files[0].type == IMG_CUE_WAVE ? "WAVE" : "BINARY");
		sp_error_hint(err, "sheets of WAV or FLAC files can be burned with 'spindle burn'");
		goto out;
	}
	bin = img_cue_file_path(path, cue.files[0].name);
	if (!bin || strlen(path) >= sizeof(expected)) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	snprintf(expected, sizeof(expected), "%.*s.bin", (int)strlen(path) - 4, path);
	if (realpath(bin, real_bin) && realpath(expected, real_exp) &&
	    !strcmp(real_bin, real_exp)) {
		snprintf(open_as, len, "%s", path);
		st = SP_OK;
		goto out;
	}
	/* the work-around: tmpdir/disc.cue naming tmpdir/disc.bin -> the BIN */
	if (!realpath(bin, real_bin)) {
		sp_error_set_errno(err, errno, "cannot open '%s'", bin);
		goto out;
	}
	strcpy(s->tmpdir, "/tmp/spindle-cue-XXXXXX");
	if (!mkdtemp(s->tmpdir)) {
		sp_error_set_errno(err, errno, "cannot create a temporary directory");
		s->tmpdir[0] = '\0';
		goto out;
	}
	free(cue.files[0].name);
	cue.files[0].name = strdup("disc.bin");
	cuetext = cue.files[0].name ? img_cue_format(&cue) : NULL;
	if (!cuetext) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	snprintf(expected, sizeof(expected), "%s/disc.bin", s->tmpdir);
	if (symlink(real_bin, expected) < 0) {
		sp_error_set_errno(err, errno, "cannot create '%s'", expected);
		goto out;
	}
	snprintf(open_as, len, "%s/disc.cue", s->tmpdir);
	st = sp_write_file_atomic(open_as, cuetext, strlen(cuetext), err);
out:
	free(cuetext);
	free(bin);
	img_cue_release(&cue);
	return st;
}

/* Copy a .toc into s->tmpdir with its FILE/AUDIOFILE/DATAFILE names made
 * absolute; *open_as is the copy. */
static enum sp_status absolute_toc(struct cdio_source *s, const char *path,
				   char *open_as, size_t len, struct sp_error *err)
{
	char dir[PATH_MAX], *text = NULL, *res = NULL;
	const char *slash;
	size_t tlen = 0, rlen = 0;
	FILE *in = NULL, *out = NULL;
	enum sp_status st = SP_FAILED;

	if (!realpath(path, dir))
		return sp_error_set_errno(err, errno, "cannot open '%s'", path);
	slash = strrchr(dir, '/');
	dir[slash - dir + 1] = '\0';
	in = fopen(path, "rb");
	out = open_memstream(&res, &rlen);
	if (!in || !out) {
		sp_error_set_errno(err, errno, "cannot read '%s'", path);
		goto out;
	}
	text = malloc(1 << 20);
	if (!text) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	tlen = fread(text, 1, (1 << 20) - 1, in);
	text[tlen] = '\0';
	for (const char *p = text; *p; ) {
		const char *q = strstr(p, "FILE \"");

		if (!q) {
			fputs(p, out);
			break;
		}
		q += 6;
		fwrite(p, 1, (size_t)(q - p), out);
		if (*q != '/')
			fputs(dir, out);
		p = q;
	}
	fclose(out);
	out = NULL;
	strcpy(s->tmpdir, "/tmp/spindle-toc-XXXXXX");
	if (!mkdtemp(s->tmpdir)) {
		s->tmpdir[0] = '\0';
		sp_error_set_errno(err, errno, "cannot create a temporary directory");
		goto out;
	}
	snprintf(open_as, len, "%s/disc.toc", s->tmpdir);
	st = sp_write_file_atomic(open_as, res, rlen, err);
out:
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	free(text);
	free(res);
	return st;
}

enum sp_status cdio_source_open(struct cdio_source *s, const char *source,
				struct sp_error *err)
{
	char open_as[PATH_MAX];
	driver_id_t driver = DRIVER_DEVICE;
	cdio_hwinfo_t hw;
	struct stat sb;

	memset(s, 0, sizeof(*s));
	cdio_log_set_handler(log_handler);
	last_message[0] = '\0';
	snprintf(open_as, sizeof(open_as), "%s", source);
	if (stat(source, &sb) < 0) {
		int e = errno;

		if (has_suffix(source, ".cue") || has_suffix(source, ".toc") ||
		    has_suffix(source, ".nrg"))
			return sp_error_set_errno(err, e, "cannot open '%s'", source);
		sp_error_set(err, SPE_NODRIVE, "cannot use drive '%s': %s", source, strerror(e));
		sp_error_hint(err, "'spindle drives' lists the drives; an image must end "
			      "in .cue, .toc or .nrg");
		return SP_FAILED;
	}
	if (S_ISDIR(sb.st_mode)) {
		sp_error_set(err, SPE_USAGE, "'%s' is a directory, not a disc image or drive", source);
		return SP_FAILED;
	}
	if (S_ISREG(sb.st_mode)) {
		s->is_image = true;
		if (has_suffix(source, ".cue")) {
			driver = DRIVER_BINCUE;
			if (check_cue(s, source, open_as, sizeof(open_as), err) != SP_OK) {
				cdio_source_close(s, false);
				return SP_FAILED;
			}
		} else if (has_suffix(source, ".toc")) {
			driver = DRIVER_CDRDAO;
			if (absolute_toc(s, source, open_as, sizeof(open_as), err) != SP_OK) {
				cdio_source_close(s, false);
				return SP_FAILED;
			}
		} else if (has_suffix(source, ".nrg")) {
			driver = DRIVER_NRG;
		} else {
			sp_error_set(err, SPE_USAGE, "'%s' is not a CD image spindle can read as a disc",
				     source);
			sp_error_hint(err, "give a .cue, .toc or .nrg image, or a drive with -d");
			return SP_FAILED;
		}
	}
	s->cdio = cdio_open(open_as, driver);
	if (!s->cdio) {
		if (s->is_image)
			sp_error_set(err, SPE_FORMAT, "cannot read '%s' as a CD image", source);
		else
			sp_error_set(err, SPE_NODRIVE, "cannot open drive '%s' for CD reading", source);
		sp_error_detail(err, "libcdio: %s", last_message);
		cdio_source_close(s, false);
		return SP_FAILED;
	}
	snprintf(s->driver, sizeof(s->driver), "%s", cdio_get_driver_name(s->cdio));
	if (!s->is_image && cdio_get_hwinfo(s->cdio, &hw))
		snprintf(s->drive, sizeof(s->drive), "%s %s %s", hw.psz_vendor,
			 hw.psz_model, hw.psz_revision);
	else
		snprintf(s->drive, sizeof(s->drive), "%s", source);
	return SP_OK;
}

enum sp_status cdio_source_toc(struct cdio_source *s, struct cdio_toc *toc,
			       struct sp_error *err)
{
	CdIo_t *p = s->cdio;
	track_t first = cdio_get_first_track_num(p), n = cdio_get_num_tracks(p);
	lsn_t last_session = 0;
	bool multisession;

	memset(toc, 0, sizeof(*toc));
	if (first == CDIO_INVALID_TRACK || n == CDIO_INVALID_TRACK || n == 0 || n > 99) {
		sp_error_set(err, SPE_MEDIUM, "cannot read the table of contents of '%s'", s->drive);
		sp_error_detail(err, "libcdio: %s", last_message);
		return SP_FAILED;
	}
	toc->leadout = cdio_get_track_lsn(p, CDIO_CDROM_LEADOUT_TRACK);
	multisession = !s->is_image && cdio_get_last_session(p, &last_session) == DRIVER_OP_SUCCESS &&
		       last_session > 0;
	toc->n = n;
	for (int i = 0; i < n; i++) {
		struct cdio_toc_track *t = &toc->t[i];
		track_t tn = (track_t)(first + i);
		track_format_t fmt = cdio_get_track_format(p, tn);
		lba_t gap = cdio_get_track_pregap_lba(p, tn);

		t->number = tn;
		t->session = 1;
		t->audio = fmt == TRACK_FORMAT_AUDIO;
		t->mode2 = fmt == TRACK_FORMAT_XA;
		t->start = cdio_get_track_lsn(p, tn);
		t->gap_start = gap != CDIO_INVALID_LBA && cdio_lba_to_lsn(gap) <= t->start ?
			       cdio_lba_to_lsn(gap) : t->start;
		if (t->start == CDIO_INVALID_LSN) {
			sp_error_set(err, SPE_MEDIUM, "cannot read where track %d starts", tn);
			return SP_FAILED;
		}
	}
	/* sessions first: gaps are looked for within a session */
	for (int i = 0; i + 1 < n; i++)
		if (multisession && toc->t[i].audio && !toc->t[i + 1].audio &&
		    toc->t[i + 1].start == last_session)
			toc->t[i + 1].session = 2;
	toc->gaps = s->is_image ? 0 : cdio_find_gaps(s, toc);
	last_message[0] = '\0';
	for (int i = 0; i < n; i++) {
		struct cdio_toc_track *t = &toc->t[i];

		t->end = i + 1 < n ? toc->t[i + 1].gap_start : toc->leadout;
		t->rip_end = i + 1 < n ? toc->t[i + 1].start : toc->leadout;
		/* an audio session followed by a data session (CD-Extra): the
		 * lead-out, lead-in and pregap between them are not audio */
		if (multisession && i + 1 < n && !toc->t[i + 1].audio && t->audio &&
		    toc->t[i + 1].start == last_session) {
			t->end = toc->t[i + 1].start - 11400;
			t->rip_end = t->end;
		}
		if (i + 1 < n && toc->t[i + 1].audio != t->audio)
			t->rip_end = t->end;
	}
	/* cdrdao .toc: a START on the last track lengthens it by the pregap */
	if (!strcmp(s->driver, "CDRDAO") && n > 0) {
		struct cdio_toc_track *t = &toc->t[n - 1];
		int64_t extra = t->start - t->gap_start;

		if (extra > 0 && toc->leadout - extra > t->start) {
			toc->leadout -= extra;
			t->end = t->rip_end = toc->leadout;
		}
	}
	for (int i = 0; i < n; i++)
		if (toc->t[i].end <= toc->t[i].start || toc->t[i].end > toc->leadout) {
			sp_error_set(err, SPE_MEDIUM, "track %d has an impossible length in the table of contents",
				     toc->t[i].number);
			return SP_FAILED;
		}
	return SP_OK;
}

static void copy_text(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

void cdio_source_text(struct cdio_source *s, struct img_audio_rip *r)
{
	CdIo_t *p = s->cdio;
	cdtext_t *text = cdio_get_cdtext(p);
	char *mcn = cdio_get_mcn(p);
	const char *upc;

	/* an MCN of zeros means none */
	if (mcn && strspn(mcn, "0") != strlen(mcn)) {
		copy_text(r->mcn, sizeof(r->mcn), mcn);
		snprintf(r->mcn_source, sizeof(r->mcn_source), s->is_image ? "the image" :
			 "the drive (READ SUB-CHANNEL)");
	}
	cdio_free(mcn);
	/* a drive that does not report it: the Q frames of the first track */
	for (int i = 0; !r->mcn[0] && !s->is_image && i < r->n_tracks; i++) {
		if (!r->tracks[i].audio)
			continue;
		if (cdio_q_mcn(s, r->tracks[i].start, r->tracks[i].start + r->tracks[i].sectors,
			       r->mcn))
			snprintf(r->mcn_source, sizeof(r->mcn_source), "the Q subchannel's "
				 "mode-2 frames");
		else
			r->mcn[0] = '\0';
		break;
	}
	if (text) {
		r->has_cdtext = true;
		copy_text(r->title, sizeof(r->title), cdtext_get_const(text, CDTEXT_FIELD_TITLE, 0));
		copy_text(r->performer, sizeof(r->performer),
			  cdtext_get_const(text, CDTEXT_FIELD_PERFORMER, 0));
		copy_text(r->songwriter, sizeof(r->songwriter),
			  cdtext_get_const(text, CDTEXT_FIELD_SONGWRITER, 0));
		/* no MCN in the Q subchannel: the UPC/EAN of the CD-TEXT */
		upc = cdtext_get_const(text, CDTEXT_FIELD_UPC_EAN, 0);
		if (!r->mcn[0] && upc && strlen(upc) == 13 && strspn(upc, "0123456789") == 13 &&
		    strspn(upc, "0") != 13) {
			copy_text(r->mcn, sizeof(r->mcn), upc);
			snprintf(r->mcn_source, sizeof(r->mcn_source), "the CD-TEXT (UPC/EAN)");
		}
	}
	for (int i = 0; i < r->n_tracks; i++) {
		struct img_audio_track *t = &r->tracks[i];
		track_t tn = (track_t)t->number;
		char *isrc;

		if (!t->audio)
			continue;
		if (text) {
			copy_text(t->title, sizeof(t->title),
				  cdtext_get_const(text, CDTEXT_FIELD_TITLE, tn));
			copy_text(t->performer, sizeof(t->performer),
				  cdtext_get_const(text, CDTEXT_FIELD_PERFORMER, tn));
			copy_text(t->songwriter, sizeof(t->songwriter),
				  cdtext_get_const(text, CDTEXT_FIELD_SONGWRITER, tn));
		}
		isrc = cdio_get_track_isrc(p, tn);
		if (isrc && strlen(isrc) == 12 && strspn(isrc, "0") != 12)
			copy_text(t->isrc, sizeof(t->isrc), isrc);
		cdio_free(isrc);
		t->pre_emphasis = cdio_get_track_preemphasis(p, tn) == CDIO_TRACK_FLAG_TRUE;
	}
	last_message[0] = '\0';
}

void cdio_source_close(struct cdio_source *s, bool handle_owned_elsewhere)
{
	char path[128];

	if (s->cdio && !handle_owned_elsewhere)
		cdio_destroy(s->cdio);
	s->cdio = NULL;
	if (s->tmpdir[0]) {
		snprintf(path, sizeof(path), "%s/disc.cue", s->tmpdir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/disc.bin", s->tmpdir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/disc.toc", s->tmpdir);
		unlink(path);
		rmdir(s->tmpdir);
		s->tmpdir[0] = '\0';
	}
}
