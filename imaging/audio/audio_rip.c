/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_rip.c - secure audio extraction through libcdio-paranoia.
 *
 * Each audio track is read in full paranoia mode (overlapped reads,
 * verification, jitter and drop/dupe repair, skipping a sector only after
 * the configured retries), corrected for the drive's read offset, and
 * written as FLAC or WAV.  By default (--gaps append) a track's file spans
 * from its INDEX 01 to the next track's INDEX 01, so a gap ends the track
 * before it, as EAC and whipper do by default and as AccurateRip expects.
 * Audio before track 1's INDEX 01 (hidden track one audio) goes to
 * 00.<ext> when it is readable and not silent (always with --gaps htoa).
 * With --gaps prepend a file spans from the track's INDEX 00 to the next
 * track's INDEX 00, and track 1's from sector 0.  AccurateRip ranges stay
 * INDEX 01 to INDEX 01, so a track's pass reads the union of its file's
 * range and its AccurateRip range (a gap is read twice, once for each).
 * The CUE sheet disc.cue describes the files.
 *
 * Offset correction: with --offset N the track's sample i is the disc's
 * sample (start * 588 + i + N).  Samples outside the readable audio (before
 * the disc, past the lead-out, inside a data track or the gap after it)
 * are silence.
 *
 * paranoia's callback takes no user pointer.  The events of the track
 * being read therefore go through the file-static `cb_events`, and the
 * test hook that fails reads through `hook_unreadable`: one rip at a time
 * per process, and not from several threads.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cdio/cdio.h>
#include <cdio/paranoia/cdda.h>
#include <cdio/paranoia/paranoia.h>

#include "imaging/audio/audio_private.h"

#define RIP_MODE (PARANOIA_MODE_FULL ^ PARANOIA_MODE_NEVERSKIP)
#define CHUNK_SECTORS 64

/* See the top of the file: paranoia's callback has no user pointer. */
static struct img_audio_events *cb_events;
static int64_t cb_first, cb_last;      /* sectors of the track being read */
static const struct img_ranges *hook_unreadable;
static long (*hook_next_read)(cdrom_drive_t *d, void *p, lsn_t begin, long sectors);

static bool in_ranges(const struct img_ranges *r, int64_t lsn);

/* Note a sector once; paranoia reports a bad one on every retry. */
static void note(struct img_ranges *r, int64_t lsn)
{
	if (!in_ranges(r, lsn))
		img_ranges_add(r, lsn, 1);
}

static void paranoia_cb(long inpos, paranoia_cb_mode_t mode)
{
	struct img_audio_events *e = cb_events;
	int64_t lsn = inpos / CD_FRAMEWORDS;

	if (!e)
		return;
	/* paranoia reads ahead: what lies beyond the track is counted when
	 * the track it belongs to is read */
	if ((mode == PARANOIA_CB_SKIP || mode == PARANOIA_CB_READERR) &&
	    (lsn < cb_first || lsn > cb_last))
		return;
	switch (mode) {
	case PARANOIA_CB_READ: e->reads++; break;
	case PARANOIA_CB_VERIFY: e->verifies++; break;
	case PARANOIA_CB_OVERLAP: e->overlaps++; break;
	case PARANOIA_CB_FIXUP_EDGE: e->fixup_edge++; break;
	case PARANOIA_CB_FIXUP_ATOM: e->fixup_atom++; break;
	case PARANOIA_CB_FIXUP_DROPPED: e->fixup_dropped++; break;
	case PARANOIA_CB_FIXUP_DUPED: e->fixup_duped++; break;
	case PARANOIA_CB_SCRATCH: e->scratches++; break;
	case PARANOIA_CB_REPAIR: e->repairs++; break;
	case PARANOIA_CB_DRIFT: e->drifts++; break;
	case PARANOIA_CB_BACKOFF: e->backoffs++; break;
	case PARANOIA_CB_CACHEERR: e->cache_errors++; break;
	case PARANOIA_CB_SKIP:
		e->skips++;
		note(&e->problems, lsn);
		break;
	case PARANOIA_CB_READERR:
		e->read_errors++;
		note(&e->read_error_at, lsn);
		break;
	default:
		break;
	}
}

static bool in_ranges(const struct img_ranges *r, int64_t lsn)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (lsn >= r->v[i].lba && lsn < r->v[i].lba + r->v[i].count)
			return true;
	return false;
}

/* Test hook in front of cdda's reader: sectors in hook_unreadable fail as
 * on a damaged disc. */
static long hooked_read_audio(cdrom_drive_t *d, void *p, lsn_t begin, long sectors)
{
	for (long i = 0; i < sectors; i++)
		if (in_ranges(hook_unreadable, begin + i)) {
			if (i == 0)
				return -1;
			sectors = i;
			break;
		}
	return hook_next_read(d, p, begin, sectors);
}

static void describe_mode(struct img_audio_rip *r)
{
	snprintf(r->mode, sizeof(r->mode), "full paranoia, skip after %d retries",
		 r->o.retries);
}

static void set_track(struct img_audio_track *t, const struct cdio_toc_track *c)
{
	memset(t, 0, sizeof(*t));
	t->number = c->number;
	t->audio = c->audio;
	t->start = c->start;
	t->gap_start = c->gap_start;
	t->sectors = (c->audio ? c->rip_end : c->end) - c->start;
	t->session = c->session;
}

/* The disc IDs from the TOC; a TOC libdiscid refuses just has none. */
static void disc_ids(struct img_audio_rip *r)
{
	struct img_cd_toc_entry e[100];
	struct sp_error ignored = SP_ERROR_INIT;

	for (int i = 0; i < r->n_tracks && i < 100; i++) {
		e[i].number = r->tracks[i].number;
		e[i].audio = r->tracks[i].audio;
		e[i].session = r->tracks[i].session;
		e[i].start = r->tracks[i].start;
	}
	r->has_ids = img_disc_ids_compute(e, r->n_tracks, r->leadout, &r->ids,
					  &ignored) == SP_OK;
}

enum sp_status img_audio_rip_open(struct img_audio_rip *r,
				  const struct img_audio_rip_opts *o,
				  struct sp_error *err)
{
	struct cdio_source src;
	struct cdio_toc toc;
	cdrom_drive_t *d;
	int n_audio = 0;

	memset(r, 0, sizeof(*r));
	r->o = *o;
	describe_mode(r);
	if (cdio_source_open(&src, o->source, err) != SP_OK)
		return SP_FAILED;
	snprintf(r->driver, sizeof(r->driver), "%s", src.driver);
	snprintf(r->drive, sizeof(r->drive), "%s", src.drive);
	if (cdio_source_toc(&src, &toc, err) != SP_OK)
		goto fail;
	r->tracks = calloc((size_t)toc.n, sizeof(*r->tracks));
	if (!r->tracks) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto fail;
	}
	r->n_tracks = toc.n;
	r->leadout = toc.leadout;
	if (src.is_image)
		snprintf(r->gaps, sizeof(r->gaps), "as the image records them");
	else if (toc.gaps < 0)
		snprintf(r->gaps, sizeof(r->gaps), "unknown: the drive gives no Q subchannel");
	else
		snprintf(r->gaps, sizeof(r->gaps), "from the Q subchannel: %d found", toc.gaps);
	for (int i = 0; i < toc.n; i++) {
		set_track(&r->tracks[i], &toc.t[i]);
		n_audio += toc.t[i].audio;
		r->tracks[i].ar_number = toc.t[i].audio ? n_audio : 0;
	}
	if (!n_audio) {
		sp_error_set(err, SPE_MEDIUM, "'%s' holds no audio tracks: it is a data disc",
			     o->source);
		sp_error_hint(err, "copy it with 'spindle rip' without --audio, or keep its "
			      "raw sectors with 'spindle rip --raw'");
		goto fail;
	}
	cdio_source_text(&src, r);
	disc_ids(r);
	/* hidden track one audio: track 1 is audio and starts after LSN 0 */
	if (r->tracks[0].number == 1 && r->tracks[0].audio && r->tracks[0].start > 0) {
		r->has_htoa = true;
		r->htoa.number = 0;
		r->htoa.audio = true;
		r->htoa.start = 0;
		r->htoa.gap_start = 0;
		r->htoa.sectors = r->tracks[0].start;
	}
	d = cdio_cddap_identify_cdio(src.cdio, CDDA_MESSAGE_FORGETIT, NULL);
	if (!d) {
		sp_error_set(err, SPE_MEDIUM, "'%s' cannot be read as an audio CD", o->source);
		sp_error_detail(err, "libcdio: %s", cdio_last_message());
		goto fail;
	}
	src.cdio = NULL;        /* cdda owns it from here */
	/* MMC drives and BIN files deliver little-endian samples; cdda's
	 * guess from the data is unreliable (it is fooled by noise) */
	d->bigendianp = 0;
	if (cdio_cddap_open(d) != 0) {
		sp_error_set(err, SPE_MEDIUM, "'%s' cannot be read as an audio CD", o->source);
		sp_error_detail(err, "libcdio: %s", cdio_last_message());
		cdio_cddap_close(d);
		goto fail;
	}
	d->bigendianp = 0;
	r->cdda = d;
	memcpy(r->tmpdir, src.tmpdir, sizeof(r->tmpdir));
	r->paranoia = cdio_paranoia_init(d);
	if (!r->paranoia) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		img_audio_rip_release(r);
		return SP_FAILED;
	}
	cdio_paranoia_modeset(r->paranoia, RIP_MODE);
	if (o->unreadable && o->unreadable->n) {
		hook_unreadable = o->unreadable;
		hook_next_read = d->read_audio;
		d->read_audio = hooked_read_audio;
	}
	return SP_OK;
fail:
	cdio_source_close(&src, false);
	img_audio_rip_release(r);
	return SP_FAILED;
}

/*
 * Is sector lsn audio that paranoia can read?  Both the TOC and cdda's own
 * track table must say so: paranoia loops forever on a sector outside
 * cdda's audio tracks, and cdda counts the gap between a data track and
 * the next audio track as part of the data track.
 */
static bool audio_sector(const struct img_audio_rip *r, int64_t lsn)
{
	cdrom_drive_t *d = r->cdda;
	track_t tn;

	if (lsn < 0 || lsn >= r->leadout || lsn < cdio_cddap_disc_firstsector(d) ||
	    lsn > cdio_cddap_disc_lastsector(d))
		return false;
	tn = cdio_cddap_sector_gettrack(d, (lsn_t)lsn);
	/* cdda places no track before track 1's INDEX 01: hidden audio */
	if (lsn < cdio_cddap_track_firstsector(d, 1))
		tn = 1;
	if (tn == CDIO_INVALID_TRACK || !cdio_cddap_track_audiop(d, tn))
		return false;
	for (int i = 0; i < r->n_tracks; i++) {
		const struct img_audio_track *t = &r->tracks[i];

		if (lsn >= t->gap_start && lsn < t->start + t->sectors)
			return t->audio;
	}
	return lsn < r->htoa.sectors;   /* hidden audio, whatever --gaps */
}

/* Sequential reader of disc sectors through paranoia. */
struct reader {
	struct img_audio_rip *r;
	int64_t next;               /* the sector paranoia returns next */
	int64_t have_lsn;           /* sector in buf, or INT64_MIN */
	uint8_t buf[IMG_CD_RAW];
};

static enum sp_status read_sector(struct reader *rd, int64_t lsn,
				  struct img_audio_track *t, struct sp_error *err)
{
	struct img_audio_rip *r = rd->r;
	int16_t *p;

	if (rd->have_lsn == lsn)
		return SP_OK;
	rd->have_lsn = lsn;
	if (!audio_sector(r, lsn)) {
		memset(rd->buf, 0, sizeof(rd->buf));
		return SP_OK;
	}
	if (drv_interrupted())
		return sp_error_set(err, SPE_ABORTED, "interrupted by signal %d",
				    drv_interrupt_signal());
	if (rd->next != lsn) {
		cdio_paranoia_seek(r->paranoia, (int32_t)lsn, SEEK_SET);
		rd->next = lsn;
	}
	p = cdio_paranoia_read_limited(r->paranoia, paranoia_cb, r->o.retries);
	rd->next++;
	if (!p) {
		/* nothing at all came back: silence, and the position noted */
		memset(rd->buf, 0, sizeof(rd->buf));
		note(&t->ev.problems, lsn);
		t->ev.read_errors++;
		note(&t->ev.read_error_at, lsn);
		rd->next = -1;
		return SP_OK;
	}
	/* paranoia hands out host-order samples; files and checksums are LE */
	for (int i = 0; i < IMG_CD_RAW / 2; i++)
		put_le16(rd->buf + i * 2, (uint16_t)p[i]);
	return SP_OK;
}

struct pass {
	struct img_audio_track *t;
	const char *name;           /* "test" or "copy" */
	struct img_audio_writer *w; /* NULL on a test pass */
	struct img_audio_sum sum;   /* INDEX 01 to INDEX 01: AccurateRip */
	struct img_audio_sum file;  /* the file's samples: CRC32 */
	bool nonzero;               /* any sample of the file not silence */
	bool deemph;                /* the file's samples go through f */
	struct img_deemph f;
};

/* The part of [a, a + n) that lies in [lo, hi), as an offset and a count. */
static size_t overlap(int64_t a, size_t n, int64_t lo, int64_t hi, size_t *off)
{
	int64_t s = a > lo ? a : lo, e = a + (int64_t)n < hi ? a + (int64_t)n : hi;

	*off = (size_t)(s - a);
	return e > s ? (size_t)(e - s) : 0;
}

/* Read one track's samples (offset-corrected): those of its file into
 * p->w and p->file, those of its AccurateRip range into p->sum. */
static enum sp_status read_track(struct img_audio_rip *r, struct pass *p,
				 bool first_audio, bool last_audio,
				 img_audio_progress_fn progress, void *ctx,
				 struct sp_error *err)
{
	struct reader *rd = malloc(sizeof(*rd));
	uint8_t *chunk = malloc((size_t)CHUNK_SECTORS * IMG_CD_RAW);
	struct img_audio_track *t = p->t;
	/* in disc samples before the offset: AccurateRip's range, the file's */
	int64_t ar_lo = t->start * IMG_CD_SAMPLES;
	int64_t ar_hi = t->number > 0 ? (t->start + t->sectors) * IMG_CD_SAMPLES : ar_lo;
	int64_t f_lo = t->file_start * IMG_CD_SAMPLES;
	int64_t f_hi = (t->file_start + t->file_sectors) * IMG_CD_SAMPLES;
	int64_t lo = ar_hi > ar_lo && ar_lo < f_lo ? ar_lo : f_lo;
	int64_t hi = ar_hi > f_hi ? ar_hi : f_hi;
	int64_t total = hi - lo, done = 0;
	int64_t pos = lo + r->o.offset;     /* disc sample read */
	enum sp_status st = SP_OK;

	if (!rd || !chunk) {
		st = sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	rd->r = r;
	rd->next = -1;
	rd->have_lsn = INT64_MIN;
	img_audio_sum_init(&p->sum, (uint64_t)(ar_hi - ar_lo), first_audio, last_audio);
	img_audio_sum_init(&p->file, (uint64_t)(f_hi - f_lo), false, false);
	if (p->deemph)
		img_deemph_init(&p->f);
	cb_events = &t->ev;
	cb_first = pos >= 0 ? pos / IMG_CD_SAMPLES : -1;
	cb_last = (pos + total - 1) / IMG_CD_SAMPLES;
	while (done < total) {
		size_t n = 0, want = (size_t)(total - done), off, k;

		if (want > (size_t)CHUNK_SECTORS * IMG_CD_SAMPLES)
			want = (size_t)CHUNK_SECTORS * IMG_CD_SAMPLES;
		while (n < want) {
			int64_t s = pos + (int64_t)n;
			int64_t lsn = s >= 0 ? s / IMG_CD_SAMPLES : -((-s + IMG_CD_SAMPLES - 1) / IMG_CD_SAMPLES);
			int64_t in = s - lsn * IMG_CD_SAMPLES;

			k = (size_t)(IMG_CD_SAMPLES - in);
			if (k > want - n)
				k = want - n;
			if ((st = read_sector(rd, lsn, t, err)) != SP_OK)
				goto out;
			memcpy(chunk + n * 4, rd->buf + in * 4, k * 4);
			n += k;
		}
		if ((k = overlap(lo + done, n, ar_lo, ar_hi, &off)) > 0)
			img_audio_sum_update(&p->sum, chunk + off * 4, k * 4);
		if ((k = overlap(lo + done, n, f_lo, f_hi, &off)) > 0) {
			if (p->deemph)      /* after AccurateRip, which sums the disc's */
				img_deemph_run(&p->f, chunk + off * 4, k);
			img_audio_sum_update(&p->file, chunk + off * 4, k * 4);
			for (size_t i = 0; i < k * 4 && !p->nonzero; i++)
				p->nonzero = chunk[off * 4 + i] != 0;
			if (p->w && (st = img_audio_writer_write(p->w, chunk + off * 4, k, err)) != SP_OK)
				goto out;
		}
		done += (int64_t)n;
		pos += (int64_t)n;
		if (progress)
			progress(t, p->name, done / IMG_CD_SAMPLES, total / IMG_CD_SAMPLES, ctx);
	}
out:
	cb_events = NULL;
	free(rd);
	free(chunk);
	return st;
}

enum sp_status img_audio_rip_samples(struct img_audio_rip *r, int64_t first, size_t n,
				     uint8_t *out, struct sp_error *err)
{
	struct reader *rd = malloc(sizeof(*rd));
	struct img_audio_track scratch;
	enum sp_status st = SP_OK;
	size_t done = 0;

	if (!rd)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	memset(&scratch, 0, sizeof(scratch));
	rd->r = r;
	rd->next = -1;
	rd->have_lsn = INT64_MIN;
	while (done < n) {
		int64_t s = first + (int64_t)done;
		int64_t lsn = s >= 0 ? s / IMG_CD_SAMPLES : -((-s + IMG_CD_SAMPLES - 1) / IMG_CD_SAMPLES);
		int64_t in = s - lsn * IMG_CD_SAMPLES;
		size_t k = (size_t)(IMG_CD_SAMPLES - in);

		if (k > n - done)
			k = n - done;
		if ((st = read_sector(rd, lsn, &scratch, err)) != SP_OK)
			break;
		memcpy(out + done * 4, rd->buf + in * 4, k * 4);
		done += k;
	}
	img_ranges_release(&scratch.ev.problems);
	img_ranges_release(&scratch.ev.read_error_at);
	free(rd);
	return st;
}

static void track_file(const struct img_audio_rip *r, int number, char *buf, size_t len)
{
	snprintf(buf, len, "%02d.%s", number, img_audio_format_ext(r->o.format));
}

static enum sp_status out_path(const struct img_audio_rip *r, const char *name,
			       char *buf, size_t len, struct sp_error *err)
{
	if ((size_t)snprintf(buf, len, "%s/%s", r->o.outdir, name) >= len)
		return sp_error_set(err, SPE_USAGE, "output directory name too long");
	return SP_OK;
}

/* Refuse to overwrite earlier rips without --force, before reading. */
static enum sp_status check_outputs(struct img_audio_rip *r, struct sp_error *err)
{
	char path[4096], name[64];
	struct stat sb;

	if (mkdir(r->o.outdir, 0777) < 0 && errno != EEXIST)
		return sp_error_set_errno(err, errno, "cannot create directory '%s'", r->o.outdir);
	if (stat(r->o.outdir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return sp_error_set(err, SPE_USAGE, "'%s' is not a directory", r->o.outdir);
	if (r->o.force)
		return SP_OK;
	for (int i = -1; i < r->n_tracks; i++) {
		if (i >= 0 && !r->tracks[i].audio)
			continue;
		if (i < 0 && !r->has_htoa)
			continue;
		track_file(r, i < 0 ? 0 : r->tracks[i].number, name, sizeof(name));
		if (out_path(r, name, path, sizeof(path), err) != SP_OK)
			return SP_FAILED;
		if (access(path, F_OK) == 0) {
			sp_error_set(err, SPE_EXISTS, "'%s' already exists", path);
			sp_error_hint(err, "choose another directory with -o, or add --force to overwrite");
			return SP_FAILED;
		}
	}
	return SP_OK;
}

/* Test pass (if asked) and copy pass of one track. */
static enum sp_status rip_track(struct img_audio_rip *r, struct img_audio_track *t,
				bool first_audio, bool last_audio,
				img_audio_progress_fn progress, void *ctx,
				struct sp_error *err)
{
	struct pass p = { .t = t, .deemph = r->o.deemphasis && t->pre_emphasis };
	char path[4096];
	enum sp_status st;

	if (r->o.test_and_copy) {
		p.name = "test";
		if (read_track(r, &p, first_audio, last_audio, progress, ctx, err) != SP_OK)
			return SP_FAILED;
		t->has_test = true;
		t->test_crc = p.file.crc32;
	}
	track_file(r, t->number, t->file, sizeof(t->file));
	if (out_path(r, t->file, path, sizeof(path), err) != SP_OK)
		return SP_FAILED;
	p.name = "copy";
	p.nonzero = false;
	if (img_audio_writer_open(&p.w, path, r->o.format,
				  (uint64_t)(t->file_sectors * IMG_CD_SAMPLES), err) != SP_OK)
		return SP_FAILED;
	st = read_track(r, &p, first_audio, last_audio, progress, ctx, err);
	if (st == SP_OK && t->number == 0 && !p.nonzero && r->o.gaps != IMG_GAPS_HTOA) {
		/* hidden track one audio that is only silence: no file */
		t->file[0] = '\0';
		return img_audio_writer_close(p.w, false, err);
	}
	if (img_audio_writer_close(p.w, st == SP_OK, st == SP_OK ? err : NULL) != SP_OK ||
	    st != SP_OK)
		return SP_FAILED;
	t->copy_crc = p.file.crc32;
	t->deemphasized = p.deemph;
	t->ar_v1 = p.sum.ar_v1;
	t->ar_v2 = p.sum.ar_v2;
	t->ar_valid = t->number > 0;
	if (t->ev.problems.n)
		r->damaged = true;
	return SP_OK;
}

const char *img_gaps_mode_name(enum img_gaps_mode m)
{
	switch (m) {
	case IMG_GAPS_PREPEND: return "prepend";
	case IMG_GAPS_HTOA: return "htoa";
	default: return "append";
	}
}

/* The disc sectors each file holds, by --gaps. */
static void lay_out_files(struct img_audio_rip *r)
{
	bool prepend = r->o.gaps == IMG_GAPS_PREPEND;

	for (int i = 0; i < r->n_tracks; i++) {
		struct img_audio_track *t = &r->tracks[i], *next = i + 1 < r->n_tracks ?
			&r->tracks[i + 1] : NULL;
		int64_t end = t->start + t->sectors;

		t->file_start = t->start;
		if (prepend) {
			t->file_start = i == 0 && r->htoa.sectors ? 0 : t->gap_start;
			if (next && next->audio && next->gap_start < end &&
			    next->gap_start >= t->start)
				end = next->gap_start;
		}
		t->file_sectors = end - t->file_start;
	}
	r->htoa.file_start = 0;
	r->htoa.file_sectors = r->htoa.sectors;
	/* the hidden audio begins track 1's file */
	if (prepend)
		r->has_htoa = false;
}

/* The file holding disc sector lsn, or -1; files[] in disc order. */
static int file_of(const int64_t (*span)[2], int n, int64_t lsn)
{
	for (int i = 0; i < n; i++)
		if (lsn >= span[i][0] && lsn < span[i][1])
			return i;
	return -1;
}

/* The sheet for the files written: each index where its file holds it, a
 * gap held by no file as PREGAP. */
static enum sp_status write_cue(struct img_audio_rip *r, struct sp_error *err)
{
	struct img_cue cue = IMG_CUE_INIT;
	int64_t (*span)[2] = calloc((size_t)r->n_tracks + 1, sizeof(*span));
	char path[4096], *text = NULL;
	enum sp_status st = SP_FAILED;

	cue.files = calloc((size_t)r->n_tracks + 1, sizeof(*cue.files));
	cue.tracks = calloc((size_t)r->n_tracks, sizeof(*cue.tracks));
	if (!cue.files || !cue.tracks || !span) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	for (int i = -1; i < r->n_tracks; i++) {
		const struct img_audio_track *t = i < 0 ? &r->htoa : &r->tracks[i];

		if ((i < 0 && !r->has_htoa) || !t->audio || !t->file[0])
			continue;
		cue.files[cue.n_files].name = strdup(t->file);
		cue.files[cue.n_files].type = IMG_CUE_WAVE;
		if (!cue.files[cue.n_files].name) {
			sp_error_set(err, SPE_NOMEM, "out of memory");
			goto out;
		}
		span[cue.n_files][0] = t->file_start;
		span[cue.n_files][1] = t->file_start + t->file_sectors;
		cue.n_files++;
	}
	for (int i = 0; i < r->n_tracks; i++) {
		const struct img_audio_track *t = &r->tracks[i];
		/* track 1's gap is the hidden audio from sector 0, if any */
		int64_t gap = i == 0 && r->htoa.sectors ? 0 : t->gap_start;
		struct img_cue_track *c;

		if (!t->audio)
			continue;
		c = &cue.tracks[cue.n_tracks++];
		c->number = t->number;
		c->mode = IMG_CUE_AUDIO;
		c->file0 = -1;
		c->index0 = -1;
		c->file1 = file_of(span, cue.n_files, t->start);
		if (c->file1 < 0) {
			sp_error_set(err, SPE_INTERNAL, "track %d is in no file", t->number);
			goto out;
		}
		c->index1 = t->start - span[c->file1][0];
		if (gap < t->start) {
			c->file0 = file_of(span, cue.n_files, gap);
			/* a gap partly outside the files: all of it as PREGAP */
			if (c->file0 >= 0 && file_of(span, cue.n_files, t->start - 1) < 0)
				c->file0 = -1;
			if (c->file0 >= 0)
				c->index0 = gap - span[c->file0][0];
			else
				c->pregap = t->start - gap;
		}
	}
	text = img_cue_format(&cue);
	if (!text) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	snprintf(r->cue_name, sizeof(r->cue_name), "disc.cue");
	if (out_path(r, r->cue_name, path, sizeof(path), err) != SP_OK)
		goto out;
	st = sp_write_file_atomic(path, text, strlen(text), err);
out:
	free(text);
	free(span);
	img_cue_release(&cue);
	return st;
}

enum sp_status img_audio_rip_run(struct img_audio_rip *r,
				 img_audio_progress_fn progress, void *ctx,
				 struct sp_error *err)
{
	int first = -1, last = -1;

	for (int i = 0; i < r->n_tracks; i++)
		if (r->tracks[i].audio) {
			if (first < 0)
				first = i;
			last = i;
		}
	lay_out_files(r);
	if (check_outputs(r, err) != SP_OK)
		return SP_FAILED;
	if (r->has_htoa &&
	    rip_track(r, &r->htoa, false, false, progress, ctx, err) != SP_OK)
		return SP_FAILED;
	for (int i = 0; i < r->n_tracks; i++) {
		if (!r->tracks[i].audio)
			continue;
		if (rip_track(r, &r->tracks[i], i == first, i == last, progress, ctx, err) != SP_OK)
			return SP_FAILED;
	}
	if (write_cue(r, err) != SP_OK)
		return SP_FAILED;
	if (r->damaged) {
		for (int i = 0; i < r->n_tracks; i++)
			if (r->tracks[i].ev.problems.n) {
				sp_error_set(err, SPE_READ,
					     "track %d has unrecoverable read errors from sector %lld on",
					     r->tracks[i].number,
					     (long long)r->tracks[i].ev.problems.v[0].lba);
				err->lba = r->tracks[i].ev.problems.v[0].lba;
				sp_error_hint(err, "the track was kept; the log lists the damaged "
					      "positions. Clean the disc and rip again, or try another drive");
				break;
			}
		return SP_WARN;
	}
	return SP_OK;
}

void img_audio_rip_release(struct img_audio_rip *r)
{
	struct cdio_source src = { .cdio = NULL };

	if (r->paranoia)
		cdio_paranoia_free(r->paranoia);
	if (r->cdda)
		cdio_cddap_close(r->cdda);
	for (int i = 0; i < r->n_tracks; i++) {
		img_ranges_release(&r->tracks[i].ev.problems);
		img_ranges_release(&r->tracks[i].ev.read_error_at);
	}
	img_ranges_release(&r->htoa.ev.problems);
	img_ranges_release(&r->htoa.ev.read_error_at);
	free(r->tracks);
	memcpy(src.tmpdir, r->tmpdir, sizeof(src.tmpdir));
	cdio_source_close(&src, true);
	hook_unreadable = NULL;
	memset(r, 0, sizeof(*r));
}
