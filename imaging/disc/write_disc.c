/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * write_disc.c - any image out again: an ISO of the first data track's
 * user data, or BIN/CUE and cdrdao TOC with every track as raw 2352-byte
 * sectors (sync, header and EDC/ECC built where the source holds only
 * user data; a TOC's audio samples big endian, as cdrdao reads them).  What the output cannot hold (subchannel, a second
 * session, form 2 sectors in an ISO) stops the conversion unless the
 * caller accepts the loss.  Files are written as NAME.tmp and renamed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "imaging/disc/disc_private.h"

#define BATCH 512

struct out_file {
	char path[4096], tmp[4112];
	int fd;
	uint8_t *buf;
	uint8_t *bulk;              /* bulk_mode1()'s input */
	size_t used;
	uint64_t off;
};

static enum sp_status out_open(struct out_file *o, const char *path, bool force,
			       struct sp_error *err)
{
	o->fd = -1;
	o->used = 0;
	o->off = 0;
	o->buf = NULL;
	o->bulk = NULL;
	if (snprintf(o->path, sizeof(o->path), "%s", path) >= (int)sizeof(o->path))
		return sp_error_set(err, SPE_USAGE, "output name too long");
	snprintf(o->tmp, sizeof(o->tmp), "%s.tmp", path);
	if (!force && access(path, F_OK) == 0) {
		sp_error_set(err, SPE_EXISTS, "'%s' already exists", path);
		sp_error_hint(err, "choose another name, or add --force to overwrite");
		return SP_FAILED;
	}
	o->buf = malloc((size_t)BATCH * IMG_DISC_RAW);
	if (!o->buf)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (o->fd < 0)
		return sp_error_set_errno(err, errno, "cannot create '%s'", o->tmp);
	return SP_OK;
}

static enum sp_status out_flush(struct out_file *o, struct sp_error *err)
{
	if (o->used && sp_pwrite_all(o->fd, o->buf, o->used, o->off, o->tmp, err) != SP_OK)
		return SP_FAILED;
	o->off += o->used;
	o->used = 0;
	return SP_OK;
}

static enum sp_status out_put(struct out_file *o, const void *p, size_t n, struct sp_error *err)
{
	if (o->used + n > (size_t)BATCH * IMG_DISC_RAW && out_flush(o, err) != SP_OK)
		return SP_FAILED;
	memcpy(o->buf + o->used, p, n);
	o->used += n;
	return SP_OK;
}

/* Finish (keep) or drop the output. */
static enum sp_status out_close(struct out_file *o, bool keep, struct sp_error *err)
{
	enum sp_status st = SP_OK;

	if (keep && (out_flush(o, err) != SP_OK || fsync(o->fd) < 0)) {
		if (err->code == SPE_NONE)
			sp_error_set_errno(err, errno, "cannot write '%s'", o->tmp);
		st = SP_FAILED;
	}
	if (o->fd >= 0 && close(o->fd) < 0 && keep && st == SP_OK)
		st = sp_error_set_errno(err, errno, "cannot write '%s'", o->tmp);
	o->fd = -1;
	if (keep && st == SP_OK && rename(o->tmp, o->path) < 0)
		st = sp_error_set_errno(err, errno, "cannot rename '%s' to '%s'", o->tmp, o->path);
	if (!keep || st != SP_OK)
		unlink(o->tmp);
	free(o->buf);
	free(o->bulk);
	o->buf = NULL;
	o->bulk = NULL;
	return st;
}

static void dropped(struct img_disc_write_result *res, const char *what)
{
	size_t l = strlen(res->dropped);

	snprintf(res->dropped + l, sizeof(res->dropped) - l, "%s%s", l ? "; " : "", what);
}

/* Refuse a loss unless accepted; note it when accepted. */
static enum sp_status loss(const struct img_disc_write_opts *o, struct img_disc_write_result *res,
			   const char *what, const char *out, struct sp_error *err)
{
	if (o->lossy) {
		dropped(res, what);
		return SP_OK;
	}
	sp_error_set(err, SPE_UNSUPPORTED, "converting to '%s' would lose data: %s", out, what);
	sp_error_hint(err, "add --lossy if that is fine");
	return SP_FAILED;
}

/*
 * The fast path of a Mode 1 track stored as whole sectors (2048, or raw
 * 2352 with a sync and mode byte 1): up to BULK sectors from lba read in
 * one call and their user data put out, *took of them (0: none, when the
 * extent does not fit or a raw sector needs the careful path, whose
 * messages name what is wrong).
 */
#define BULK 512

static enum sp_status out_user_of_raw(struct out_file *f, const uint8_t *in, int64_t n,
				      struct sp_error *err);

static enum sp_status bulk_mode1(struct img_disc *d, const struct img_disc_track *t,
				 int64_t lba, int64_t left, struct out_file *f, int64_t *took,
				 struct sp_error *err)
{
	static const uint8_t sync[12] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0 };
	const struct img_disc_extent *x = NULL;
	uint8_t *in;
	int64_t n, ok = 0;

	*took = 0;
	if (t->mode != IMG_DISC_MODE1)
		return SP_OK;
	for (int i = 0; i < d->n_extents && !x; i++)
		if (lba >= d->extents[i].lba && lba < d->extents[i].lba + d->extents[i].count)
			x = &d->extents[i];
	if (!x || x->swap || !(x->store == IMG_STORE_USER || x->store == IMG_STORE_RAW) ||
	    x->sector_size != (x->store == IMG_STORE_RAW ? 2352u : 2048u))
		return SP_OK;
	n = x->lba + x->count - lba;
	n = n < left ? n : left;
	n = n < BULK ? n : BULK;
	if (!f->bulk && !(f->bulk = malloc((size_t)BULK * IMG_DISC_RAW)))
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	in = f->bulk;
	if (img_bytes_read(d->files[x->file], x->offset + (uint64_t)(lba - x->lba) * x->sector_size,
			   in, (size_t)n * x->sector_size, err) != SP_OK)
		return SP_FAILED;
	if (x->store == IMG_STORE_USER) {
		ok = n;
		if (out_flush(f, err) != SP_OK ||
		    sp_pwrite_all(f->fd, in, (size_t)n * SP_SECTOR, f->off, f->tmp, err) != SP_OK)
			return SP_FAILED;
		f->off += (uint64_t)n * SP_SECTOR;
	} else {
		for (; ok < n; ok++) {
			const uint8_t *s = in + ok * 2352;

			if (memcmp(s, sync, 12) || s[15] != 1)
				break;  /* the careful path says what it is */
		}
		if (ok && out_user_of_raw(f, in, ok, err) != SP_OK)
			return SP_FAILED;
	}
	*took = ok;
	return SP_OK;
}

/* The user data of n raw mode 1 sectors at in, written where the output
 * is without a copy: one gathering write (the kernel's copy, as cat's). */
static enum sp_status out_user_of_raw(struct out_file *f, const uint8_t *in, int64_t n,
				      struct sp_error *err)
{
	struct iovec iov[BULK];
	int first = 0;
	size_t total = (size_t)n * SP_SECTOR, done = 0;

	if (out_flush(f, err) != SP_OK)
		return SP_FAILED;
	for (int64_t i = 0; i < n; i++) {
		iov[i].iov_base = (void *)(uintptr_t)(in + i * 2352 + 16);
		iov[i].iov_len = SP_SECTOR;
	}
	while (done < total) {
		ssize_t w = pwritev(f->fd, iov + first, (int)n - first, (off_t)(f->off + done));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return sp_error_set_errno(err, w < 0 ? errno : EIO, "cannot write '%s'",
						  f->tmp);
		done += (size_t)w;
		while (w > 0) {     /* past what was written */
			if ((size_t)w >= iov[first].iov_len) {
				w -= (ssize_t)iov[first++].iov_len;
			} else {
				iov[first].iov_base = (uint8_t *)iov[first].iov_base + w;
				iov[first].iov_len -= (size_t)w;
				w = 0;
			}
		}
	}
	f->off += total;
	return SP_OK;
}

enum sp_status img_disc_write_iso(struct img_disc *d, const char *out,
				  const struct img_disc_write_opts *o,
				  struct img_disc_write_result *res, struct sp_error *err)
{
	const struct img_disc_track *t = NULL;
	struct out_file f = { .fd = -1 };
	uint8_t buf[IMG_DISC_RAW];
	int data_tracks = 0;
	enum sp_status st = SP_FAILED;
	size_t len;

	memset(res, 0, sizeof(*res));
	for (int i = 0; i < d->n_tracks; i++)
		if (d->tracks[i].mode != IMG_DISC_AUDIO && !t)
			t = &d->tracks[i];
		else if (d->tracks[i].mode != IMG_DISC_AUDIO && d->tracks[i].session > t->session)
			data_tracks++;
	if (!t) {
		sp_error_set(err, SPE_MEDIUM, "'%s' holds only audio tracks: there is no data to "
			     "put in an ISO image", d->path);
		sp_error_hint(err, "rip the audio with 'spindle rip --audio -o DIR %s'", d->path);
		return SP_FAILED;
	}
	if (d->has_sub && loss(o, res, "the subchannel data", out, err) != SP_OK)
		return SP_FAILED;
	if (data_tracks && loss(o, res, "the data of later sessions", out, err) != SP_OK)
		return SP_FAILED;
	res->track = t->number;
	snprintf(res->mode, sizeof(res->mode), "%s", t->stored_as);
	res->sectors = t->length - t->postgap;
	if (out_open(&f, out, o->force, err) != SP_OK)
		goto done;
	for (int64_t n = 0; n < res->sectors; n++) {
		int64_t took;

		if (bulk_mode1(d, t, t->start + n, res->sectors - n, &f, &took, err) != SP_OK)
			goto done;
		if (took) {
			n += took - 1;
			continue;
		}
		if (img_disc_read_user(d, t->start + n, buf, &len, err) != SP_OK)
			goto done;
		if (len != SP_SECTOR) {
			if (!o->lossy) {
				sp_error_set(err, SPE_UNSUPPORTED, "sector %lld of track %d is %s "
					     "(video or XA audio): it has no place in an ISO image",
					     (long long)n, t->number, len == 2324 ?
					     "mode 2 form 2" : "mode 2 formless");
				sp_error_hint(err, "add --lossy to keep its first 2048 bytes");
				goto done;
			}
			if (!strstr(res->dropped, "form 2"))
				dropped(res, "the rest of form 2 sectors");
		}
		if (out_put(&f, buf, SP_SECTOR, err) != SP_OK)
			goto done;
	}
	st = SP_OK;
done:
	if (f.buf || f.fd >= 0)
		return out_close(&f, st == SP_OK, err) == SP_OK && st == SP_OK ? SP_OK : SP_FAILED;
	return st;
}

/* The bin beside OUT.cue: OUT.bin. */
static enum sp_status bin_name(const char *out, char *bin, size_t len, struct sp_error *err)
{
	const char *slash = strrchr(out, '/'), *dot = strrchr(out, '.');
	size_t base = dot && (!slash || dot > slash) ? (size_t)(dot - out) : strlen(out);

	if (base + 5 > len)
		return sp_error_set(err, SPE_USAGE, "output name too long");
	memcpy(bin, out, base);
	strcpy(bin + base, ".bin");
	return SP_OK;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static const char *msf(int64_t s, char buf[64])
{
	snprintf(buf, 64, "%02lld:%02lld:%02lld", (long long)(s / 4500),
		 (long long)(s / 75 % 60), (long long)(s % 75));
	return buf;
}

/* The first sector of a track's pregap a sheet can hold. */
static int64_t gap_from(const struct img_disc_track *t)
{
	return t->start - t->pregap < 0 ? 0 : t->start - t->pregap;
}

/* Every track's sectors, pregap included, into f; first[i] the bin's
 * sector of track i's first (pregap) sector. */
/* Every track's sectors; big_endian: audio samples MSB first (cdrdao's
 * raw audio files), else as on the disc (CDRWIN's BINARY). */
static enum sp_status write_bin(struct img_disc *d, struct out_file *f, int64_t *first,
				bool big_endian, struct sp_error *err)
{
	uint8_t buf[IMG_DISC_RAW];
	int64_t pos = 0;

	for (int i = 0; i < d->n_tracks; i++) {
		const struct img_disc_track *t = &d->tracks[i];
		bool swap = big_endian && t->mode == IMG_DISC_AUDIO;

		first[i] = pos;
		/* a sheet cannot place sectors before LBA 0 (track 1's pregap) */
		for (int64_t l = gap_from(t); l < t->start + t->length; l++, pos++) {
			if (img_disc_read_raw(d, l, buf, err) != SP_OK)
				return SP_FAILED;
			for (int k = 0; swap && k < IMG_DISC_RAW; k += 2) {
				uint8_t b = buf[k];

				buf[k] = buf[k + 1];
				buf[k + 1] = b;
			}
			if (out_put(f, buf, IMG_DISC_RAW, err) != SP_OK)
				return SP_FAILED;
		}
	}
	return SP_OK;
}

static enum sp_status check_losses(struct img_disc *d, const struct img_disc_write_opts *o,
				   struct img_disc_write_result *res, const char *out,
				   struct sp_error *err)
{
	if (d->has_sub && loss(o, res, "the subchannel data", out, err) != SP_OK)
		return SP_FAILED;
	if (d->n_sessions > 1 && loss(o, res, "the session boundaries (sessions after the "
				      "first become tracks of the first)", out, err) != SP_OK)
		return SP_FAILED;
	return SP_OK;
}

/* Write the text file of a sheet. */
static enum sp_status write_text(const char *path, const char *text, bool force,
				 struct sp_error *err)
{
	struct out_file f;

	if (out_open(&f, path, force, err) != SP_OK) {
		if (f.fd >= 0 || f.buf)
			out_close(&f, false, err);
		return SP_FAILED;
	}
	if (out_put(&f, text, strlen(text), err) != SP_OK) {
		out_close(&f, false, err);
		return SP_FAILED;
	}
	return out_close(&f, true, err);
}

static void cat(char **s, size_t *cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void cat(char **s, size_t *cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!*s)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*s + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < *cap - *len) {
			*len += (size_t)n;
			return;
		}
		char *ns = n < 0 ? NULL : realloc(*s, *cap * 2 + (size_t)n);

		if (!ns) {
			free(*s);
			*s = NULL;
			return;
		}
		*cap = *cap * 2 + (size_t)n;
		*s = ns;
	}
}

/* A quoted text with quotes and backslashes left out. */
static const char *clean(const char *s, char buf[81])
{
	size_t j = 0;

	for (; *s && j < 80; s++)
		if (*s != '"' && *s != '\\')
			buf[j++] = *s;
	buf[j] = 0;
	return buf;
}

static enum sp_status write_sheet(struct img_disc *d, const char *out, bool toc,
				  const struct img_disc_write_opts *o,
				  struct img_disc_write_result *res, struct sp_error *err)
{
	struct out_file f = { .fd = -1 };
	int64_t first[IMG_DISC_MAX_TRACKS];
	size_t cap = 4096, len = 0;
	char *s = NULL, m1[64], m2[64], q[81], q2[81];
	bool xa = false, all_audio = true;
	enum sp_status st = SP_FAILED;

	memset(res, 0, sizeof(*res));
	if (check_losses(d, o, res, out, err) != SP_OK ||
	    bin_name(out, res->bin, sizeof(res->bin), err) != SP_OK)
		return SP_FAILED;
	if (!o->force && access(out, F_OK) == 0) {
		sp_error_set(err, SPE_EXISTS, "'%s' already exists", out);
		sp_error_hint(err, "choose another name, or add --force to overwrite");
		return SP_FAILED;
	}
	if (out_open(&f, res->bin, o->force, err) != SP_OK || write_bin(d, &f, first, toc, err) != SP_OK) {
		if (f.fd >= 0 || f.buf)
			out_close(&f, false, err);
		return SP_FAILED;
	}
	if (out_close(&f, true, err) != SP_OK)
		return SP_FAILED;
	res->n_tracks = d->n_tracks;
	res->sectors = (int64_t)(f.off / IMG_DISC_RAW);
	for (int i = 0; i < d->n_tracks; i++) {
		xa |= d->tracks[i].mode >= IMG_DISC_MODE2;
		all_audio &= d->tracks[i].mode == IMG_DISC_AUDIO;
	}
	s = malloc(cap);
	if (toc) {
		cat(&s, &cap, &len, "%s\n", all_audio ? "CD_DA" : xa ? "CD_ROM_XA" : "CD_ROM");
		if (d->mcn[0])
			cat(&s, &cap, &len, "CATALOG \"%s\"\n", d->mcn);
		if (d->has_cdtext)
			cat(&s, &cap, &len, "CD_TEXT {\n  LANGUAGE_MAP { 0 : EN }\n  LANGUAGE 0 {\n"
			    "    TITLE \"%s\"\n    PERFORMER \"%s\"\n  }\n}\n", clean(d->title, q),
			    clean(d->performer, q2));
	} else {
		if (d->mcn[0])
			cat(&s, &cap, &len, "CATALOG %s\n", d->mcn);
		if (d->title[0])
			cat(&s, &cap, &len, "TITLE \"%s\"\n", clean(d->title, q));
		if (d->performer[0])
			cat(&s, &cap, &len, "PERFORMER \"%s\"\n", clean(d->performer, q));
		cat(&s, &cap, &len, "FILE \"%s\" BINARY\n", base_name(res->bin));
	}
	for (int i = 0; i < d->n_tracks; i++) {
		const struct img_disc_track *t = &d->tracks[i];
		bool audio = t->mode == IMG_DISC_AUDIO, m1t = t->mode == IMG_DISC_MODE1;
		int64_t gap = t->start - gap_from(t);

		if (!toc && d->n_sessions > 1 && (i == 0 || t->session != t[-1].session))
			cat(&s, &cap, &len, "REM SESSION %02d\n", t->session);
		if (toc) {
			cat(&s, &cap, &len, "\nTRACK %s\n", audio ? "AUDIO" : m1t ? "MODE1_RAW" :
			    "MODE2_RAW");
			if (t->copy_permitted)
				cat(&s, &cap, &len, "COPY\n");
			if (t->pre_emphasis)
				cat(&s, &cap, &len, "PRE_EMPHASIS\n");
			if (t->four_channel)
				cat(&s, &cap, &len, "FOUR_CHANNEL_AUDIO\n");
			if (t->isrc[0])
				cat(&s, &cap, &len, "ISRC \"%s\"\n", t->isrc);
			if (t->title[0] || t->performer[0])
				cat(&s, &cap, &len, "CD_TEXT {\n  LANGUAGE 0 {\n    TITLE \"%s\"\n"
				    "    PERFORMER \"%s\"\n  }\n}\n", clean(t->title, q),
				    clean(t->performer, q2));
			/* FILE, not DATAFILE, for data too: libcdio misreads DATAFILE lengths */
			cat(&s, &cap, &len, "FILE \"%s\" %s %s\n", base_name(res->bin),
			    msf(first[i], m1), msf(gap + t->length, m2));
			if (gap)
				cat(&s, &cap, &len, "START %s\n", msf(gap, m2));
			continue;
		}
		cat(&s, &cap, &len, "  TRACK %02d %s\n", t->number, audio ? "AUDIO" : m1t ?
		    "MODE1/2352" : "MODE2/2352");
		if (t->title[0])
			cat(&s, &cap, &len, "    TITLE \"%s\"\n", clean(t->title, q));
		if (t->performer[0])
			cat(&s, &cap, &len, "    PERFORMER \"%s\"\n", clean(t->performer, q));
		if (t->isrc[0])
			cat(&s, &cap, &len, "    ISRC %s\n", t->isrc);
		if (t->copy_permitted || t->pre_emphasis || t->four_channel)
			cat(&s, &cap, &len, "    FLAGS%s%s%s\n", t->copy_permitted ? " DCP" : "",
			    t->four_channel ? " 4CH" : "", t->pre_emphasis ? " PRE" : "");
		if (gap)
			cat(&s, &cap, &len, "    INDEX 00 %s\n", msf(first[i], m1));
		cat(&s, &cap, &len, "    INDEX 01 %s\n", msf(first[i] + gap, m1));
		for (int k = 1; k < t->n_index; k++)
			cat(&s, &cap, &len, "    INDEX %02d %s\n", k + 1,
			    msf(first[i] + gap + t->index[k] - t->start, m1));
	}
	if (!s) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto fail;
	}
	st = write_text(out, s, o->force, err);
	free(s);
	if (st == SP_OK)
		return SP_OK;
fail:
	unlink(res->bin);
	return SP_FAILED;
}

enum sp_status img_disc_write_cue(struct img_disc *d, const char *out,
				  const struct img_disc_write_opts *o,
				  struct img_disc_write_result *res, struct sp_error *err)
{
	return write_sheet(d, out, false, o, res, err);
}

enum sp_status img_disc_cue_copy(const char *path, char *tmpdir, size_t tlen, char *cue,
				 size_t clen, struct sp_error *err)
{
	struct img_disc_write_opts o = { .force = true, .lossy = true };
	struct img_disc_write_result res;
	struct img_disc *d;
	const char *reader;
	enum sp_status st;

	tmpdir[0] = cue[0] = 0;
	if (img_disc_probe(path, &reader) == 0 || !strcmp(reader, "cue") ||
	    !strcmp(reader, "iso"))
		return SP_OK;
	if (img_disc_open(&d, path, err) != SP_OK)
		return SP_FAILED;
	if (snprintf(tmpdir, tlen, "%s/spindle-disc-XXXXXX", getenv("TMPDIR") ?
		     getenv("TMPDIR") : "/tmp") >= (int)tlen || !mkdtemp(tmpdir)) {
		st = sp_error_set_errno(err, errno, "cannot make a temporary directory");
		tmpdir[0] = 0;
		img_disc_close(d);
		return st;
	}
	snprintf(cue, clen, "%s/disc.cue", tmpdir);
	st = img_disc_write_cue(d, cue, &o, &res, err);
	img_disc_close(d);
	if (st != SP_OK) {
		img_disc_cue_copy_remove(tmpdir);
		cue[0] = 0;
	}
	return st;
}

void img_disc_cue_copy_remove(char *tmpdir)
{
	char p[4200];

	if (!tmpdir[0])
		return;
	snprintf(p, sizeof(p), "%s/disc.cue", tmpdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/disc.bin", tmpdir);
	unlink(p);
	rmdir(tmpdir);
	tmpdir[0] = 0;
}

enum sp_status img_disc_write_toc(struct img_disc *d, const char *out,
				  const struct img_disc_write_opts *o,
				  struct img_disc_write_result *res, struct sp_error *err)
{
	return write_sheet(d, out, true, o, res, err);
}
