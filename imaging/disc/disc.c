/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disc.c - the disc model: choosing a reader by what the bytes say (each
 * reader bids, the best bid wins, the extension breaks ties), checking
 * what the reader built, and reading sectors through it.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/disc/disc_private.h"

static const struct disc_reader *const readers[] = {
	&disc_reader_container,
	&disc_reader_nrg, &disc_reader_cdi, &disc_reader_mds, &disc_reader_mdx, &disc_reader_ccd, &disc_reader_cue, &disc_reader_toc, &disc_reader_iso,
};
#define N_READERS (sizeof(readers) / sizeof(readers[0]))

const char *img_disc_mode_name(enum img_disc_mode m)
{
	switch (m) {
	case IMG_DISC_AUDIO: return "audio";
	case IMG_DISC_MODE1: return "mode1";
	case IMG_DISC_MODE2: return "mode2";
	case IMG_DISC_MODE2_FORM1: return "mode2-form1";
	case IMG_DISC_MODE2_FORM2: return "mode2-form2";
	case IMG_DISC_MODE2_MIXED: return "mode2-xa";
	}
	return "?";
}

int disc_add_file(struct img_disc *d, struct img_bytes *b, struct sp_error *err)
{
	struct img_bytes **v;

	if (d->n_files >= 256) {
		img_bytes_close(b);
		sp_error_set(err, SPE_FORMAT, "'%s' names more than 256 files", d->path);
		return -1;
	}
	v = realloc(d->files, ((size_t)d->n_files + 1) * sizeof(*v));
	if (!v) {
		img_bytes_close(b);
		sp_error_set(err, SPE_NOMEM, "out of memory");
		return -1;
	}
	d->files = v;
	v[d->n_files] = b;
	return d->n_files++;
}

int disc_open_file(struct img_disc *d, const char *path, struct sp_error *err)
{
	struct img_bytes *b;

	if (img_bytes_open_file(&b, path, err) != SP_OK)
		return -1;
	return disc_add_file(d, b, err);
}

struct img_disc_track *disc_add_track(struct img_disc *d, const char *fmt,
				      struct sp_error *err)
{
	struct img_disc_track *v, *t;

	if (d->n_tracks >= IMG_DISC_MAX_TRACKS) {
		sp_error_set(err, SPE_FORMAT, "%s image '%s' has more than %d tracks", fmt,
			     d->path, IMG_DISC_MAX_TRACKS);
		return NULL;
	}
	v = realloc(d->tracks, ((size_t)d->n_tracks + 1) * sizeof(*v));
	if (!v) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		return NULL;
	}
	d->tracks = v;
	t = &v[d->n_tracks++];
	memset(t, 0, sizeof(*t));
	t->number = d->n_tracks;
	t->session = 1;
	return t;
}

struct img_disc_extent *disc_add_extent(struct img_disc *d, const char *fmt,
					struct sp_error *err)
{
	struct img_disc_extent *v, *x;

	if (d->n_extents >= DISC_MAX_EXTENTS) {
		sp_error_set(err, SPE_FORMAT, "%s image '%s' has more than %d data runs", fmt,
			     d->path, DISC_MAX_EXTENTS);
		return NULL;
	}
	v = realloc(d->extents, ((size_t)d->n_extents + 1) * sizeof(*v));
	if (!v) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		return NULL;
	}
	d->extents = v;
	x = &v[d->n_extents++];
	memset(x, 0, sizeof(*x));
	x->sub_file = -1;
	return x;
}

static enum sp_status check_extent(struct img_disc *d, const struct img_disc_extent *x,
				   const char *fmt, struct sp_error *err)
{
	const struct img_bytes *b;
	uint64_t end;

	if (x->count == 0)
		return SP_OK;
	if (x->count < 0 || x->count > DISC_MAX_SECTORS || x->lba < -150 ||
	    x->lba > DISC_MAX_SECTORS || x->file < 0 || x->file >= d->n_files)
		return sp_error_set(err, SPE_FORMAT, "%s image '%s': a data run of %lld "
				    "sectors at LBA %lld is out of range", fmt, d->path,
				    (long long)x->count, (long long)x->lba);
	b = d->files[x->file];
	if (x->sector_size < 2048 || x->sector_size > 2448 ||
	    x->sector_size < (x->store == IMG_STORE_RAW ? 2352u : x->store == IMG_STORE_MODE2 ?
			      2336u : 2048u) + x->sub_size)
		return sp_error_set(err, SPE_FORMAT, "%s image '%s': sectors of %u bytes "
				    "cannot hold the track at LBA %lld", fmt, d->path,
				    x->sector_size, (long long)x->lba);
	end = x->offset + (uint64_t)x->count * x->sector_size;
	if (x->offset > b->size || end > b->size) {
		sp_error_set(err, SPE_FORMAT, "%s image: the sectors at LBA %lld..%lld lie at "
			     "bytes %llu..%llu of '%s', which has only %llu bytes", fmt,
			     (long long)x->lba, (long long)(x->lba + x->count - 1),
			     (unsigned long long)x->offset, (unsigned long long)end, b->name,
			     (unsigned long long)b->size);
		sp_error_hint(err, "the image is truncated, or its descriptor belongs to another image");
		return SP_FAILED;
	}
	if (x->sub_file >= 0) {
		if (x->sub_file >= d->n_files ||
		    x->sub_offset + (uint64_t)x->count * IMG_DISC_SUB > d->files[x->sub_file]->size) {
			sp_error_set(err, SPE_FORMAT, "%s image: the subchannel file '%s' is shorter "
				     "than the image", fmt, x->sub_file < d->n_files ?
				     d->files[x->sub_file]->name : "?");
			return SP_FAILED;
		}
	}
	return SP_OK;
}

enum sp_status disc_finish(struct img_disc *d, const char *fmt, struct sp_error *err)
{
	struct img_disc_session *s;

	if (d->n_tracks == 0)
		return sp_error_set(err, SPE_FORMAT, "%s image '%s' has no tracks", fmt, d->path);
	for (int i = 0; i < d->n_tracks; i++) {
		struct img_disc_track *t = &d->tracks[i];

		if (t->length <= 0 || t->length > DISC_MAX_SECTORS || t->pregap < 0 ||
		    t->pregap > DISC_MAX_SECTORS || t->start < -150 || t->start > DISC_MAX_SECTORS ||
		    t->postgap < 0 || t->postgap >= t->length)
			return sp_error_set(err, SPE_FORMAT, "%s image '%s': track %d has a start "
					    "(%lld) or length (%lld) out of range", fmt, d->path,
					    t->number, (long long)t->start, (long long)t->length);
		if (t->number < 1 || t->number > 99 ||
		    (i && (t->number <= t[-1].number || t->session < t[-1].session ||
			   t->start - t->pregap < t[-1].start + t[-1].length)))
			return sp_error_set(err, SPE_FORMAT, "%s image '%s': track %d is out of "
					    "order or overlaps the track before", fmt, d->path,
					    t->number);
		if (t->n_index == 0) {
			t->n_index = 1;
			t->index[0] = t->start;
		}
		if (!t->stored_as[0])
			snprintf(t->stored_as, sizeof(t->stored_as), "%s",
				 img_disc_mode_name(t->mode));
	}
	for (int i = 0; i < d->n_extents; i++) {
		if (check_extent(d, &d->extents[i], fmt, err) != SP_OK)
			return SP_FAILED;
		if (d->extents[i].sub_size || d->extents[i].sub_file >= 0)
			d->has_sub = true;
	}
	free(d->sessions);
	d->n_sessions = 0;
	d->sessions = calloc((size_t)d->tracks[d->n_tracks - 1].session, sizeof(*s));
	if (!d->sessions)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	for (int i = 0; i < d->n_tracks; i++) {
		const struct img_disc_track *t = &d->tracks[i];

		if (!d->n_sessions || d->sessions[d->n_sessions - 1].number != t->session) {
			s = &d->sessions[d->n_sessions++];
			s->number = t->session;
			s->first_track = t->number;
		}
		s = &d->sessions[d->n_sessions - 1];
		s->last_track = t->number;
		s->leadout = t->start + t->length;
	}
	return SP_OK;
}

static void lower_ext(const char *path, char *ext, size_t len)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	size_t i = 0;

	if (dot && (!slash || dot > slash))
		for (dot++; *dot && i + 1 < len; dot++)
			ext[i++] = (char)tolower((unsigned char)*dot);
	ext[i] = 0;
}

/* The best bid for the file open as b, or NULL; *score its bid. */
static const struct disc_reader *best_reader(struct img_bytes *b, const char *path,
					     int *score, struct sp_error *err)
{
	struct disc_probe_in in = { .path = path };
	const struct disc_reader *best = NULL;
	uint8_t *head = NULL, *tail = NULL;
	char ext[16];

	*score = -1;
	lower_ext(path, ext, sizeof(ext));
	in.ext = ext;
	in.size = b->size;
	in.head_len = b->size < DISC_PROBE_HEAD ? (size_t)b->size : DISC_PROBE_HEAD;
	in.tail_len = b->size < DISC_PROBE_TAIL ? (size_t)b->size : DISC_PROBE_TAIL;
	head = malloc(in.head_len + 1);
	tail = malloc(in.tail_len + 1);
	if (!head || !tail) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	if (img_bytes_read(b, 0, head, in.head_len, err) != SP_OK ||
	    img_bytes_read(b, b->size - in.tail_len, tail, in.tail_len, err) != SP_OK)
		goto out;
	in.head = head;
	in.tail = tail;
	*score = 0;
	for (size_t i = 0; i < N_READERS; i++) {
		int sc = readers[i]->probe(&in);

		if (sc > *score) {
			*score = sc;
			best = readers[i];
		}
	}
out:
	free(head);
	free(tail);
	return best;
}

int img_disc_probe(const char *path, const char **reader)
{
	struct sp_error err = SP_ERROR_INIT;
	const struct disc_reader *r;
	struct img_bytes *b;
	int score;

	*reader = NULL;
	if (img_bytes_open_file(&b, path, &err) != SP_OK)
		return 0;
	r = best_reader(b, path, &score, &err);
	img_bytes_close(b);
	if (r)
		*reader = r->name;
	return score < 0 ? 0 : score;
}

static enum sp_status open_with(struct img_disc **out, const char *path,
				const struct disc_reader *want, struct sp_error *err)
{
	const struct disc_reader *best = want;
	struct img_disc *d = NULL;
	struct img_bytes *b;
	int score;

	*out = NULL;
	if (img_bytes_open_file(&b, path, err) != SP_OK)
		return SP_FAILED;
	if (!best) {
		best = best_reader(b, path, &score, err);
		if (score < 0)
			goto fail;
	}
	if (!best) {
		sp_error_set(err, SPE_FORMAT, "'%s' is not a disc image spindle knows", path);
		sp_error_hint(err, "spindle reads ISO, BIN/CUE, cdrdao TOC, Nero NRG, Alcohol "
			      "MDS/MDF, CloneCD CCD/IMG/SUB and DiscJuggler CDI images");
		goto fail;
	}
	d = calloc(1, sizeof(*d));
	if (!d || !(d->path = strdup(path))) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto fail;
	}
	if (disc_add_file(d, b, err) < 0) {
		b = NULL;
		goto fail;
	}
	b = NULL;                   /* d->files[0] now */
	if (best->open(d, d->files[0], path, err) != SP_OK)
		goto fail;
	*out = d;
	return SP_OK;
fail:
	img_bytes_close(b);
	img_disc_close(d);
	return SP_FAILED;
}

enum sp_status img_disc_open(struct img_disc **out, const char *path,
			     struct sp_error *err)
{
	return open_with(out, path, NULL, err);
}

enum sp_status img_disc_open_as(struct img_disc **out, const char *path,
				const char *reader, struct sp_error *err)
{
	for (size_t i = 0; i < N_READERS; i++)
		if (strcmp(readers[i]->name, reader) == 0)
			return open_with(out, path, readers[i], err);
	*out = NULL;
	return sp_error_set(err, SPE_USAGE, "no image reader named '%s'", reader);
}

void img_disc_close(struct img_disc *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->n_files; i++)
		img_bytes_close(d->files[i]);
	free(d->files);
	free(d->extents);
	free(d->tracks);
	free(d->sessions);
	free(d->path);
	free(d);
}

const struct img_disc_track *img_disc_track_at(const struct img_disc *d, int64_t lba)
{
	for (int i = 0; i < d->n_tracks; i++) {
		const struct img_disc_track *t = &d->tracks[i];

		if (lba >= t->start - t->pregap && lba < t->start + t->length)
			return t;
	}
	return NULL;
}

int64_t img_disc_end(const struct img_disc *d)
{
	return d->n_sessions ? d->sessions[d->n_sessions - 1].leadout : 0;
}

static const struct img_disc_extent *extent_at(const struct img_disc *d, int64_t lba)
{
	for (int i = 0; i < d->n_extents; i++) {
		const struct img_disc_extent *x = &d->extents[i];

		if (lba >= x->lba && lba < x->lba + x->count)
			return x;
	}
	return NULL;
}

/* The sector as stored, into buf (2352 bytes) from byte `at`; *got the
 * stored bytes, 0 when the sector is not stored. */
static enum sp_status read_stored(struct img_disc *d, const struct img_disc_track *t,
				  int64_t lba, uint8_t *buf, const struct img_disc_extent **xo,
				  struct sp_error *err)
{
	const struct img_disc_extent *x = extent_at(d, lba);
	uint64_t off;
	size_t n, at;

	*xo = x;
	memset(buf, 0, IMG_DISC_RAW);
	if (!x)
		return SP_OK;
	off = x->offset + (uint64_t)(lba - x->lba) * x->sector_size;
	n = x->store == IMG_STORE_RAW ? 2352 : x->store == IMG_STORE_MODE2 ? 2336 : 2048;
	at = x->store == IMG_STORE_RAW ? 0 : x->store == IMG_STORE_MODE2 ? 16 : 16;
	if (x->store == IMG_STORE_USER && t->mode != IMG_DISC_MODE1)
		at = 24;
	if (img_bytes_read(d->files[x->file], off, buf + at, n, err) != SP_OK)
		return SP_FAILED;
	if (x->swap)
		for (size_t i = 0; i + 1 < IMG_DISC_RAW; i += 2) {
			uint8_t c = buf[i];

			buf[i] = buf[i + 1];
			buf[i + 1] = c;
		}
	return SP_OK;
}

static const uint8_t sync_pattern[12] = {
	0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00
};

static const struct img_disc_track *need_track(const struct img_disc *d, int64_t lba,
					       struct sp_error *err)
{
	const struct img_disc_track *t = img_disc_track_at(d, lba);

	if (!t) {
		sp_error_set(err, SPE_USAGE, "LBA %lld is not in any track of '%s'",
			     (long long)lba, d->path);
		err->lba = lba;
	}
	return t;
}

enum sp_status img_disc_read_raw(struct img_disc *d, int64_t lba, uint8_t *buf,
				 struct sp_error *err)
{
	const struct img_disc_track *t = need_track(d, lba, err);
	const struct img_disc_extent *x;

	if (!t || read_stored(d, t, lba, buf, &x, err) != SP_OK)
		return SP_FAILED;
	if (t->mode == IMG_DISC_AUDIO || (x && x->store == IMG_STORE_RAW))
		return SP_OK;
	if (t->mode != IMG_DISC_MODE1 && (!x || x->store == IMG_STORE_USER)) {
		/* subheader: file 0, channel 0, submode data (form 2 if the track says) */
		uint8_t sm = t->mode == IMG_DISC_MODE2_FORM2 ? 0x20 : 0x08;

		buf[18] = buf[22] = sm;
	}
	img_sector_build(buf, lba, t->mode == IMG_DISC_MODE1 ? IMG_DISC_MODE1 :
			 t->mode == IMG_DISC_MODE2 ? IMG_DISC_MODE2 : IMG_DISC_MODE2_FORM1);
	return SP_OK;
}

enum sp_status img_disc_read_user(struct img_disc *d, int64_t lba, uint8_t *buf,
				  size_t *len, struct sp_error *err)
{
	const struct img_disc_track *t = need_track(d, lba, err);
	const struct img_disc_extent *x;
	uint8_t raw[IMG_DISC_RAW];
	size_t at = 16;

	*len = 0;
	if (!t || read_stored(d, t, lba, raw, &x, err) != SP_OK)
		return SP_FAILED;
	if (t->mode == IMG_DISC_AUDIO) {
		memcpy(buf, raw, IMG_DISC_RAW);
		*len = IMG_DISC_RAW;
		return SP_OK;
	}
	if (x && x->store == IMG_STORE_RAW) {
		if (memcmp(raw, sync_pattern, sizeof(sync_pattern))) {
			sp_error_set(err, SPE_FORMAT, "sector %lld of track %d has no sync "
				     "pattern: it is not a %s sector", (long long)(lba - t->start),
				     t->number, t->stored_as);
			sp_error_hint(err, "check the track's mode in the image's descriptor");
			err->lba = lba;
			return SP_FAILED;
		}
		if (raw[15] == 1) {
			memcpy(buf, raw + 16, SP_SECTOR);
			*len = SP_SECTOR;
			return SP_OK;
		}
		if (raw[15] != 2) {
			sp_error_set(err, SPE_FORMAT, "sector %lld of track %d has mode %u",
				     (long long)(lba - t->start), t->number, raw[15]);
			err->lba = lba;
			return SP_FAILED;
		}
	} else if (t->mode == IMG_DISC_MODE1 || !x || x->store == IMG_STORE_USER) {
		at = t->mode == IMG_DISC_MODE1 ? 16 : 24;
		memcpy(buf, raw + at, SP_SECTOR);
		*len = SP_SECTOR;
		if (t->mode == IMG_DISC_MODE2_FORM2 && !x)
			*len = 2324;
		return SP_OK;
	}
	/* mode 2, 2336 bytes from byte 16 */
	if (t->mode == IMG_DISC_MODE2) {
		memcpy(buf, raw + 16, 2336);
		*len = 2336;
	} else if (raw[18] & 0x20) {
		memcpy(buf, raw + 24, 2324);
		*len = 2324;
	} else {
		memcpy(buf, raw + 24, SP_SECTOR);
		*len = SP_SECTOR;
	}
	return SP_OK;
}

enum sp_status img_disc_read_sub(struct img_disc *d, int64_t lba, uint8_t *buf,
				 bool *have, struct sp_error *err)
{
	const struct img_disc_extent *x = extent_at(d, lba);
	uint64_t off;

	*have = false;
	memset(buf, 0, IMG_DISC_SUB);
	if (!x || (!x->sub_size && x->sub_file < 0))
		return SP_OK;
	if (x->sub_file >= 0)
		off = x->sub_offset + (uint64_t)(lba - x->lba) * IMG_DISC_SUB;
	else
		off = x->offset + (uint64_t)(lba - x->lba) * x->sector_size +
		      (x->sector_size - x->sub_size);
	if (img_bytes_read(d->files[x->sub_file >= 0 ? x->sub_file : x->file], off, buf,
			   IMG_DISC_SUB, err) != SP_OK)
		return SP_FAILED;
	if (x->sub_packed) {        /* channel c's bit i to byte i, bit 7 - c */
		uint8_t packed[IMG_DISC_SUB];

		memcpy(packed, buf, sizeof(packed));
		for (int i = 0; i < IMG_DISC_SUB; i++) {
			uint8_t v = 0;

			for (int c = 0; c < 8; c++)
				if (packed[c * 12 + i / 8] & (0x80 >> (i % 8)))
					v |= (uint8_t)(0x80 >> c);
			buf[i] = v;
		}
	}
	*have = true;
	return SP_OK;
}

static void trim_copy(char *dst, const uint8_t *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = 0;
	while (n && dst[n - 1] == ' ')
		dst[--n] = 0;
}

void img_disc_probe_fs(struct img_disc *d, struct img_disc_fs *fs)
{
	struct sp_error err = SP_ERROR_INIT;
	uint8_t buf[IMG_DISC_RAW];
	bool iso = false, udf = false;
	size_t len;

	memset(fs, 0, sizeof(*fs));
	for (int i = 0; i < d->n_tracks && !fs->track; i++)
		if (d->tracks[i].mode != IMG_DISC_AUDIO)
			fs->track = d->tracks[i].number;
	if (!fs->track)
		return;
	for (int i = 0; i < d->n_tracks; i++) {
		const struct img_disc_track *t = &d->tracks[i];

		if (t->number != fs->track)
			continue;
		for (int64_t s = 16; s < 32 && s < t->length; s++) {
			if (img_disc_read_user(d, t->start + s, buf, &len, &err) != SP_OK ||
			    len < SP_SECTOR)
				break;
			if (memcmp(buf + 1, "CD001", 5) == 0 && buf[0] == 1 && !iso) {
				iso = true;
				trim_copy(fs->volid, buf + 40, 32);
			}
			if (memcmp(buf + 1, "NSR02", 5) == 0 || memcmp(buf + 1, "NSR03", 5) == 0)
				udf = true;
			if (memcmp(buf + 1, "CD001", 5) == 0 && buf[0] == 255)
				continue;
		}
	}
	snprintf(fs->name, sizeof(fs->name), "%s", iso && udf ? "ISO 9660+UDF" : iso ?
		 "ISO 9660" : udf ? "UDF" : "");
}
