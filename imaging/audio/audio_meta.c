/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_meta.c - what a rip's files are tagged with: the disc's CD-TEXT,
 * a metadata file, --tag options.
 *
 * A metadata file is outside data.  Every string in it is checked: at most
 * IMG_TAG_MAX bytes (a longer one is an error naming its place), UTF-8
 * (jansson's parser refuses anything else, and \u0000), and control
 * characters written as \xHH so that no tag or log line can carry a line
 * break or a terminal escape.  Its track count must match the disc's.
 *
 * Three forms are read: spindle's own (see audio.h), a MusicBrainz
 * release as https://musicbrainz.org/ws/2/release/MBID?inc=recordings+
 * artist-credits+discids+isrcs&fmt=json returns it, and the answer of a
 * disc ID lookup (ws/2/discid/ID?inc=recordings+artist-credits+isrcs),
 * {"releases": [...]}, of which the first release holding this disc ID is
 * taken.  Of a release, the medium whose disc IDs include this disc's is
 * taken; failing that, the only medium with as many tracks as the disc
 * has audio tracks.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "imaging/audio/audio.h"

#define META_FILE_MAX (16 << 20)

char *img_meta_clean(const char *s, bool *escaped)
{
	size_t n, o = 0;
	char *out;

	if (!s || !*s)
		return NULL;
	n = strlen(s);
	if (n > IMG_TAG_MAX)
		n = IMG_TAG_MAX;
	out = malloc(n * 4 + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			o += (size_t)sprintf(out + o, "\\x%02x", c);
			if (escaped)
				*escaped = true;
		} else {
			out[o++] = (char)c;
		}
	}
	/* a cut must not leave half a UTF-8 sequence */
	while (n < strlen(s) && o && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
		o--;
	if (n < strlen(s) && o && ((unsigned char)out[o - 1] & 0xc0) == 0xc0)
		o--;
	out[o] = '\0';
	return out;
}

void img_meta_release(struct img_meta *m)
{
	for (int i = 0; i < m->n_tracks; i++) {
		free(m->tracks[i].title);
		free(m->tracks[i].artist);
		free(m->tracks[i].isrc);
	}
	free(m->tracks);
	for (int i = 0; i < m->n_extra; i++)
		free(m->extra[i]);
	free(m->extra);
	free(m->album);
	free(m->albumartist);
	free(m->date);
	free(m->genre);
	free(m->release_id);
	memset(m, 0, sizeof(*m));
}

/* ---- reading JSON ------------------------------------------------------ */

struct reader {
	struct img_meta *m;
	const char *name;
	struct sp_error *err;
};

/* A string member of o (or NULL if absent or null) into *out. */
static enum sp_status get_str(struct reader *rd, json_t *o, const char *key,
			      const char *where, char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return SP_OK;
	if (!json_is_string(v))
		return sp_error_set(rd->err, SPE_FORMAT, "metadata file '%s': %s%s is not a string",
				    rd->name, where, key);
	if (json_string_length(v) > IMG_TAG_MAX)
		return sp_error_set(rd->err, SPE_FORMAT, "metadata file '%s': %s%s is %zu bytes "
				    "long; a tag holds at most %d", rd->name, where, key,
				    json_string_length(v), IMG_TAG_MAX);
	*out = img_meta_clean(json_string_value(v), &rd->m->escaped);
	return SP_OK;
}

static enum sp_status get_int(struct reader *rd, json_t *o, const char *key, int *out)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return SP_OK;
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 99)
		return sp_error_set(rd->err, SPE_FORMAT, "metadata file '%s': %s is not a number "
				    "from 1 to 99", rd->name, key);
	*out = (int)json_integer_value(v);
	return SP_OK;
}

static enum sp_status alloc_tracks(struct reader *rd, size_t n, int n_audio)
{
	if ((int)n != n_audio || n == 0)
		return sp_error_set(rd->err, SPE_MISMATCH, "metadata file '%s' lists %zu tracks, "
				    "but the disc has %d audio tracks", rd->name, n, n_audio);
	rd->m->tracks = calloc(n, sizeof(*rd->m->tracks));
	if (!rd->m->tracks)
		return sp_error_set(rd->err, SPE_NOMEM, "out of memory");
	rd->m->n_tracks = (int)n;
	return SP_OK;
}

static enum sp_status parse_simple(struct reader *rd, json_t *root, int n_audio)
{
	struct img_meta *m = rd->m;
	json_t *tracks = json_object_get(root, "tracks"), *t;
	size_t i;
	char where[32];

	if (get_str(rd, root, "album", "", &m->album) ||
	    get_str(rd, root, "artist", "", &m->albumartist) ||
	    get_str(rd, root, "date", "", &m->date) ||
	    get_str(rd, root, "genre", "", &m->genre) ||
	    get_int(rd, root, "discnumber", &m->discnumber) ||
	    get_int(rd, root, "disctotal", &m->disctotal))
		return SP_FAILED;
	if (!json_is_array(tracks))
		return sp_error_set(rd->err, SPE_FORMAT, "metadata file '%s' has no \"tracks\" "
				    "array", rd->name);
	if (alloc_tracks(rd, json_array_size(tracks), n_audio) != SP_OK)
		return SP_FAILED;
	json_array_foreach(tracks, i, t) {
		snprintf(where, sizeof(where), "tracks[%zu].", i);
		if (!json_is_object(t))
			return sp_error_set(rd->err, SPE_FORMAT, "metadata file '%s': tracks[%zu] "
					    "is not an object", rd->name, i);
		if (get_str(rd, t, "title", where, &m->tracks[i].title) ||
		    get_str(rd, t, "artist", where, &m->tracks[i].artist) ||
		    get_str(rd, t, "isrc", where, &m->tracks[i].isrc))
			return SP_FAILED;
	}
	snprintf(m->source, sizeof(m->source), "metadata file %.120s", rd->name);
	return SP_OK;
}

/* "artist-credit": [{"name": ..., "joinphrase": ...}, ...] as one string */
static enum sp_status credit(struct reader *rd, json_t *o, const char *where, char **out)
{
	json_t *ac = json_object_get(o, "artist-credit"), *c;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	*out = NULL;
	if (!json_is_array(ac) || !json_array_size(ac))
		return SP_OK;
	f = open_memstream(&buf, &len);
	if (!f)
		return sp_error_set(rd->err, SPE_NOMEM, "out of memory");
	json_array_foreach(ac, i, c) {
		json_t *n = json_object_get(c, "name"), *j = json_object_get(c, "joinphrase");

		if (json_is_string(n))
			fputs(json_string_value(n), f);
		if (json_is_string(j))
			fputs(json_string_value(j), f);
	}
	fclose(f);
	if (len > IMG_TAG_MAX) {
		free(buf);
		return sp_error_set(rd->err, SPE_FORMAT, "metadata file '%s': %sartist-credit is "
				    "%zu bytes long; a tag holds at most %d", rd->name, where,
				    len, IMG_TAG_MAX);
	}
	*out = img_meta_clean(buf, &rd->m->escaped);
	free(buf);
	return SP_OK;
}

static json_t *choose_medium(struct reader *rd, json_t *media, const char *disc_id,
			     int n_audio, const char **why)
{
	json_t *md, *found = NULL, *d;
	size_t i, j;
	int count = 0;

	json_array_foreach(media, i, md) {
		json_t *discs = json_object_get(md, "discs");

		json_array_foreach(discs, j, d) {
			json_t *id = json_object_get(d, "id");

			if (disc_id && json_is_string(id) && !strcmp(json_string_value(id), disc_id)) {
				*why = "its disc ID";
				return md;
			}
		}
	}
	json_array_foreach(media, i, md)
		if ((int)json_array_size(json_object_get(md, "tracks")) == n_audio) {
			found = md;
			count++;
		}
	if (count == 1) {
		*why = "its track count";
		return found;
	}
	sp_error_set(rd->err, SPE_MISMATCH, "metadata file '%s': no medium of the release holds "
		     "disc ID %s, and %s", rd->name, disc_id ? disc_id : "(none)",
		     count ? "several have this disc's track count" :
		     "none has this disc's track count");
	sp_error_detail(rd->err, "the disc has %d audio tracks", n_audio);
	return NULL;
}

static bool has_disc(json_t *release, const char *disc_id)
{
	json_t *md, *d;
	size_t i, j;

	json_array_foreach(json_object_get(release, "media"), i, md)
		json_array_foreach(json_object_get(md, "discs"), j, d)
			if (disc_id && json_is_string(json_object_get(d, "id")) &&
			    !strcmp(json_string_value(json_object_get(d, "id")), disc_id))
				return true;
	return false;
}

static enum sp_status parse_release(struct reader *rd, json_t *root, const char *disc_id,
				    int n_audio);

/* A disc ID lookup: the first release that holds the disc. */
static enum sp_status parse_lookup(struct reader *rd, json_t *root, const char *disc_id,
				   int n_audio)
{
	json_t *releases = json_object_get(root, "releases"), *r;
	size_t i, n = json_array_size(releases);
	char chosen[160];

	json_array_foreach(releases, i, r) {
		if (!json_is_object(r) || !has_disc(r, disc_id))
			continue;
		if (parse_release(rd, r, disc_id, n_audio) != SP_OK)
			return SP_FAILED;
		snprintf(chosen, sizeof(chosen), "%s", rd->m->source);
		snprintf(rd->m->source, sizeof(rd->m->source), "%.120s, release %zu of %zu",
			 chosen, i + 1, n);
		return SP_OK;
	}
	return sp_error_set(rd->err, SPE_MISMATCH, "metadata file '%s': none of its %zu "
			    "releases holds disc ID %s", rd->name, n, disc_id ? disc_id : "(none)");
}

static enum sp_status parse_release(struct reader *rd, json_t *root, const char *disc_id,
				    int n_audio)
{
	struct img_meta *m = rd->m;
	json_t *media = json_object_get(root, "media"), *md, *tracks, *t;
	const char *why = "";
	char where[48], *id = NULL;
	size_t i;

	if (get_str(rd, root, "title", "", &m->album) ||
	    credit(rd, root, "", &m->albumartist) ||
	    get_str(rd, root, "date", "", &m->date) ||
	    get_str(rd, root, "id", "", &m->release_id))
		return SP_FAILED;
	if (!json_is_array(media) || !json_array_size(media))
		return sp_error_set(rd->err, SPE_FORMAT, "metadata file '%s': the release has no "
				    "\"media\"", rd->name);
	md = choose_medium(rd, media, disc_id, n_audio, &why);
	if (!md)
		return SP_FAILED;
	if (get_int(rd, md, "position", &m->discnumber) != SP_OK)
		return SP_FAILED;
	m->disctotal = json_array_size(media) <= 99 ? (int)json_array_size(media) : 0;
	tracks = json_object_get(md, "tracks");
	if (!json_is_array(tracks))
		return sp_error_set(rd->err, SPE_FORMAT, "metadata file '%s': medium %d has no "
				    "\"tracks\"", rd->name, m->discnumber);
	if (alloc_tracks(rd, json_array_size(tracks), n_audio) != SP_OK)
		return SP_FAILED;
	json_array_foreach(tracks, i, t) {
		json_t *rec = json_object_get(t, "recording");
		json_t *isrcs = json_object_get(rec, "isrcs");

		snprintf(where, sizeof(where), "tracks[%zu].", i);
		if (!json_is_object(t))
			return sp_error_set(rd->err, SPE_FORMAT, "metadata file '%s': track %zu "
					    "is not an object", rd->name, i + 1);
		if (get_str(rd, t, "title", where, &m->tracks[i].title) ||
		    credit(rd, t, where, &m->tracks[i].artist))
			return SP_FAILED;
		if (json_is_array(isrcs) && json_array_size(isrcs) == 1 &&
		    json_is_string(json_array_get(isrcs, 0)) &&
		    json_string_length(json_array_get(isrcs, 0)) == 12)
			m->tracks[i].isrc = img_meta_clean(json_string_value(json_array_get(isrcs, 0)),
							   &m->escaped);
	}
	id = m->release_id;
	snprintf(m->source, sizeof(m->source), "MusicBrainz release %.40s, medium %d (chosen by %s)",
		 id ? id : "(no id)", m->discnumber, why);
	return SP_OK;
}

enum sp_status img_meta_parse_json(struct img_meta *m, const char *buf, size_t len,
				   const char *name, const char *disc_id, int n_audio,
				   struct sp_error *err)
{
	struct reader rd = { .m = m, .name = name, .err = err };
	json_error_t je;
	json_t *root;
	enum sp_status st;

	memset(m, 0, sizeof(*m));
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		sp_error_set(err, SPE_FORMAT, "metadata file '%s' is not JSON: %s at line %d",
			     name, je.text, je.line);
		return SP_FAILED;
	}
	if (!json_is_object(root))
		st = sp_error_set(err, SPE_FORMAT, "metadata file '%s' is not a JSON object", name);
	else if (json_is_array(json_object_get(root, "releases")))
		st = parse_lookup(&rd, root, disc_id, n_audio);
	else if (json_object_get(root, "media"))
		st = parse_release(&rd, root, disc_id, n_audio);
	else
		st = parse_simple(&rd, root, n_audio);
	json_decref(root);
	if (st != SP_OK)
		img_meta_release(m);
	return st;
}

enum sp_status img_meta_load_json(struct img_meta *m, const char *path,
				  const char *disc_id, int n_audio, struct sp_error *err)
{
	static const struct sp_file_kind kind = {
		.what = "metadata file", .max = META_FILE_MAX, .not_regular = SPE_FORMAT,
	};
	char *buf = NULL;
	size_t len = 0;
	enum sp_status st;

	memset(m, 0, sizeof(*m));
	if (sp_read_file(path, &kind, &buf, &len, err) != SP_OK)
		return SP_FAILED;
	st = img_meta_parse_json(m, buf, len, path, disc_id, n_audio, err);
	free(buf);
	return st;
}

enum sp_status img_meta_add_tag(struct img_meta *m, const char *nv, struct sp_error *err)
{
	const char *eq = strchr(nv, '=');
	char **extra, *value, *tag;
	size_t nl;

	if (!eq || eq == nv)
		return sp_error_set(err, SPE_USAGE, "--tag '%s' is not NAME=VALUE", nv);
	if (m->n_extra >= IMG_META_EXTRA_MAX)
		return sp_error_set(err, SPE_USAGE, "more than %d --tag options", IMG_META_EXTRA_MAX);
	nl = (size_t)(eq - nv);
	for (size_t i = 0; i < nl; i++)
		if (nv[i] < 0x20 || nv[i] > 0x7d)
			return sp_error_set(err, SPE_USAGE, "--tag: '%.*s' is not a tag name "
					    "(printable ASCII without '=')", (int)nl, nv);
	if (strlen(eq + 1) > IMG_TAG_MAX)
		return sp_error_set(err, SPE_USAGE, "--tag %.*s: the value is longer than %d bytes",
				    (int)nl, nv, IMG_TAG_MAX);
	value = img_meta_clean(eq + 1, &m->escaped);
	tag = malloc(nl + 2 + (value ? strlen(value) : 0));
	extra = realloc(m->extra, sizeof(*extra) * (size_t)(m->n_extra + 1));
	if (!tag || !extra) {
		free(value);
		free(tag);
		if (extra)
			m->extra = extra;
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	sprintf(tag, "%.*s=%s", (int)nl, nv, value ? value : "");
	free(value);
	m->extra = extra;
	m->extra[m->n_extra++] = tag;
	return SP_OK;
}
