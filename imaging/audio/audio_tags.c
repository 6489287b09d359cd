/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_tags.c - Vorbis comments on the FLAC files of a rip, through
 * libFLAC's metadata interface (level 2: the chain of blocks, rewritten in
 * place when it fits in the padding, else through a temporary file).
 *
 * A track is tagged with TITLE, ARTIST, ALBUM, ALBUMARTIST, TRACKNUMBER,
 * TRACKTOTAL, DISCNUMBER, DISCTOTAL, DATE, GENRE, ISRC, MUSICBRAINZ_DISCID
 * (and MUSICBRAINZ_ALBUMID for a release), the rip's checksums (CRC32,
 * ACCURATERIPV1, ACCURATERIPV2), the disc's ACCURATERIPID and, when a
 * database was given, ACCURATERIPRESULT; then the --tag ones.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <FLAC/metadata.h>

#include "imaging/audio/audio_private.h"

enum sp_status img_flac_set_tags(const char *path, char *const *tags, int n,
				 struct sp_error *err)
{
	FLAC__Metadata_Chain *chain = FLAC__metadata_chain_new();
	FLAC__Metadata_Iterator *it = FLAC__metadata_iterator_new();
	FLAC__StreamMetadata *vc = NULL;
	enum sp_status st = SP_FAILED;

	if (!chain || !it) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	if (!FLAC__metadata_chain_read(chain, path)) {
		sp_error_set(err, SPE_IO, "cannot read the metadata of FLAC file '%s'", path);
		sp_error_detail(err, "libFLAC: %s",
				FLAC__Metadata_ChainStatusString[FLAC__metadata_chain_status(chain)]);
		goto out;
	}
	FLAC__metadata_iterator_init(it, chain);
	do {
		if (FLAC__metadata_iterator_get_block_type(it) == FLAC__METADATA_TYPE_VORBIS_COMMENT) {
			vc = FLAC__metadata_iterator_get_block(it);
			break;
		}
	} while (FLAC__metadata_iterator_next(it));
	if (vc) {
		if (!FLAC__metadata_object_vorbiscomment_resize_comments(vc, 0))
			vc = NULL;
	} else {
		FLAC__metadata_iterator_init(it, chain);        /* after STREAMINFO */
		vc = FLAC__metadata_object_new(FLAC__METADATA_TYPE_VORBIS_COMMENT);
		if (vc && !FLAC__metadata_iterator_insert_block_after(it, vc)) {
			FLAC__metadata_object_delete(vc);
			vc = NULL;
		}
	}
	if (!vc) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		FLAC__StreamMetadata_VorbisComment_Entry e;

		e.entry = (FLAC__byte *)tags[i];
		e.length = (FLAC__uint32)strlen(tags[i]);
		if (!FLAC__metadata_object_vorbiscomment_append_comment(vc, e, true)) {
			sp_error_set(err, SPE_NOMEM, "out of memory");
			goto out;
		}
	}
	FLAC__metadata_chain_sort_padding(chain);
	if (!FLAC__metadata_chain_write(chain, true, false)) {
		FLAC__Metadata_ChainStatus cs = FLAC__metadata_chain_status(chain);

		sp_error_set(err, SPE_IO, "cannot write the tags of FLAC file '%s'", path);
		sp_error_detail(err, "libFLAC: %s", FLAC__Metadata_ChainStatusString[cs]);
		goto out;
	}
	st = SP_OK;
out:
	if (it)
		FLAC__metadata_iterator_delete(it);
	if (chain)
		FLAC__metadata_chain_delete(chain);
	return st;
}

/* ---- the disc's own metadata ------------------------------------------- */

enum sp_status img_meta_from_rip(struct img_meta *m, const struct img_audio_rip *r,
				 struct sp_error *err)
{
	int n = 0, k = 0;

	memset(m, 0, sizeof(*m));
	for (int i = 0; i < r->n_tracks; i++)
		n += r->tracks[i].audio;
	m->tracks = calloc((size_t)(n ? n : 1), sizeof(*m->tracks));
	if (!m->tracks)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	m->n_tracks = n;
	m->album = img_meta_clean(r->title, &m->escaped);
	m->albumartist = img_meta_clean(r->performer, &m->escaped);
	for (int i = 0; i < r->n_tracks; i++) {
		const struct img_audio_track *t = &r->tracks[i];

		if (!t->audio)
			continue;
		m->tracks[k].title = img_meta_clean(t->title, &m->escaped);
		m->tracks[k].artist = img_meta_clean(t->performer, &m->escaped);
		m->tracks[k].isrc = img_meta_clean(t->isrc, &m->escaped);
		k++;
	}
	snprintf(m->source, sizeof(m->source), "%s", r->has_cdtext ? "CD-TEXT" : "none");
	return SP_OK;
}

/* ---- tagging a rip ------------------------------------------------------ */

#define TAGS_MAX (32 + IMG_META_EXTRA_MAX)

struct tagset {
	char *v[TAGS_MAX];
	int n;
	bool nomem;
};

static void add(struct tagset *s, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *value = NULL, *tag = NULL;

	if (s->n >= TAGS_MAX)
		return;
	va_start(ap, fmt);
	if (vasprintf(&value, fmt, ap) < 0)
		value = NULL;
	va_end(ap);
	if (value && asprintf(&tag, "%s=%s", name, value) < 0)
		tag = NULL;
	free(value);
	if (!tag) {
		s->nomem = true;
		return;
	}
	s->v[s->n++] = tag;
}

static void add_str(struct tagset *s, const char *name, const char *value)
{
	if (value && *value)
		add(s, name, "%s", value);
}

static void clear(struct tagset *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i]);
	s->n = 0;
	s->nomem = false;
}

/* "accurately ripped (confidence N)" or why not, as the log says it. */
static void ar_result(const struct img_audio_track *t, char *buf, size_t len)
{
	const struct img_ar_verdict *v = &t->ar;

	if (!v->in_db)
		snprintf(buf, len, "not in the AccurateRip database");
	else if (t->pressing_found)
		snprintf(buf, len, "accurately ripped (confidence %d) as another pressing, "
			 "%+d samples away", t->pressing_confidence, t->pressing_offset);
	else if (v->v1_confidence || v->v2_confidence)
		snprintf(buf, len, "accurately ripped (confidence %d) [v1 %d, v2 %d, of %d]",
			 v->v1_confidence + v->v2_confidence, v->v1_confidence,
			 v->v2_confidence, v->total);
	else
		snprintf(buf, len, "NOT accurately ripped: neither checksum matches "
			 "the %d submissions", v->total);
}

void img_audio_ar_result(const struct img_audio_track *t, char *buf, size_t len)
{
	ar_result(t, buf, len);
}

static void track_tags(struct tagset *s, const struct img_audio_rip *r,
		       const struct img_meta *m, const struct img_audio_track *t,
		       int k, int total)
{
	const struct img_meta_track *mt = k >= 0 && k < m->n_tracks ? &m->tracks[k] : NULL;
	char buf[160];

	if (mt && mt->title)
		add_str(s, "TITLE", mt->title);
	else if (t->number == 0)
		add_str(s, "TITLE", "Hidden track");
	add_str(s, "ARTIST", mt && mt->artist ? mt->artist : m->albumartist);
	add_str(s, "ALBUM", m->album);
	add_str(s, "ALBUMARTIST", m->albumartist);
	add(s, "TRACKNUMBER", "%d", t->number == 0 ? 0 : k + 1);
	add(s, "TRACKTOTAL", "%d", total);
	if (m->discnumber)
		add(s, "DISCNUMBER", "%d", m->discnumber);
	if (m->disctotal)
		add(s, "DISCTOTAL", "%d", m->disctotal);
	add_str(s, "DATE", m->date);
	add_str(s, "GENRE", m->genre);
	add_str(s, "ISRC", mt && mt->isrc ? mt->isrc : t->isrc);
	if (r->has_ids) {
		add_str(s, "MUSICBRAINZ_DISCID", r->ids.musicbrainz);
		add(s, "CDDB_DISCID", "%08x", r->ids.freedb);
		add_str(s, "ACCURATERIPID", r->ids.accuraterip);
	}
	add_str(s, "MUSICBRAINZ_ALBUMID", m->release_id);
	add(s, "CRC32", "%08X", t->copy_crc);
	if (t->ar_valid) {
		add(s, "ACCURATERIPV1", "%08X", t->ar_v1);
		add(s, "ACCURATERIPV2", "%08X", t->ar_v2);
	}
	if (t->ar_checked) {
		ar_result(t, buf, sizeof(buf));
		add_str(s, "ACCURATERIPRESULT", buf);
	}
	if (t->pre_emphasis)
		add_str(s, "PRE_EMPHASIS", "yes");
	for (int i = 0; i < m->n_extra && s->n < TAGS_MAX; i++) {
		s->v[s->n] = strdup(m->extra[i]);
		if (!s->v[s->n])
			s->nomem = true;
		else
			s->n++;
	}
}

enum sp_status img_audio_rip_tag(const struct img_audio_rip *r, const struct img_meta *m,
				 struct sp_error *err)
{
	struct tagset s = { .n = 0 };
	char path[4096];
	int total = 0, k = 0;

	if (r->o.format != IMG_AUDIO_FLAC)
		return SP_OK;
	for (int i = 0; i < r->n_tracks; i++)
		total += r->tracks[i].audio;
	for (int i = -1; i < r->n_tracks; i++) {
		const struct img_audio_track *t = i < 0 ? &r->htoa : &r->tracks[i];
		enum sp_status st;

		if ((i < 0 && !r->has_htoa) || !t->audio)
			continue;
		if (i >= 0)
			k++;
		if (!t->file[0])
			continue;
		track_tags(&s, r, m, t, i < 0 ? -1 : k - 1, total);
		if (s.nomem) {
			clear(&s);
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		}
		snprintf(path, sizeof(path), "%s/%s", r->o.outdir, t->file);
		st = img_flac_set_tags(path, s.v, s.n, err);
		clear(&s);
		if (st != SP_OK)
			return st;
	}
	return SP_OK;
}
