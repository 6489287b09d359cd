/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * read_ccd.c - CloneCD images: NAME.ccd (an INI file), NAME.img (raw
 * 2352-byte sectors from LBA 0, sessions one after the other without
 * their lead-out and lead-in) and NAME.sub (96 bytes of subchannel per
 * sector, 12 per channel P..W), after psx-spx "CDROM disk images":
 *
 *   [CloneCD] Version    [Disc] TocEntries, Sessions, CATALOG, CDTextLength
 *   [CDText] Entries, "Entry N=80 00 ..." (16 bytes: a pack without CRC)
 *   [Entry N] Session, Point (0x01..0x63 a track, 0xA2 the lead-out),
 *             Control (4: data), PLBA (absolute start)
 *   [TRACK N] MODE (0 audio, 1, 2), ISRC, INDEX 0=, INDEX 1= ...
 *
 * Index values are taken relative to INDEX 1 (their origin differs between
 * writers); the point's PLBA places INDEX 1.  A later session's stored
 * sectors start at its first track's INDEX 0, or 150 sectors before its
 * INDEX 1.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imaging/disc/disc_private.h"

#define MAX_ENTRIES 1000

struct ccd_entry {
	int session, point, control;
	int64_t plba;
};

struct ccd_track {
	int mode;                   /* -1 unknown */
	char isrc[13];
	int64_t index[IMG_DISC_MAX_INDEX + 1];   /* -1 unset */
};

struct ccd {
	struct ccd_entry e[MAX_ENTRIES];
	int n_e;
	struct ccd_track t[100];
	uint8_t cdtext[256 * 18];
	size_t cdtext_len;
	int version;
	char catalog[14];
};

static int ccd_probe(const struct disc_probe_in *in)
{
	for (size_t i = 0; i + 9 <= in->head_len && i < 64; i++)
		if (!strncasecmp((const char *)in->head + i, "[CloneCD]", 9))
			return 100;
	return 0;
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
}

static long num(const char *v)
{
	return strtol(v, NULL, 0);
}

static void ccd_value(struct ccd *c, const char *sect, int sn, const char *key, const char *v)
{
	if (!strcasecmp(sect, "CloneCD") && !strcasecmp(key, "Version"))
		c->version = (int)num(v);
	else if (!strcasecmp(sect, "Disc") && !strcasecmp(key, "CATALOG"))
		snprintf(c->catalog, sizeof(c->catalog), "%.13s", v);
	else if (!strcasecmp(sect, "Entry") && sn >= 0 && sn < MAX_ENTRIES) {
		struct ccd_entry *e = &c->e[sn];

		if (sn >= c->n_e) {
			for (int i = c->n_e; i <= sn; i++)
				c->e[i] = (struct ccd_entry){ .session = 1, .point = -1 };
			c->n_e = sn + 1;
		}
		if (!strcasecmp(key, "Session"))
			e->session = (int)num(v);
		else if (!strcasecmp(key, "Point"))
			e->point = (int)num(v);
		else if (!strcasecmp(key, "Control"))
			e->control = (int)num(v);
		else if (!strcasecmp(key, "PLBA"))
			e->plba = num(v);
	} else if (!strcasecmp(sect, "TRACK") && sn >= 1 && sn <= 99) {
		struct ccd_track *t = &c->t[sn];

		if (!strcasecmp(key, "MODE"))
			t->mode = (int)num(v);
		else if (!strcasecmp(key, "ISRC"))
			snprintf(t->isrc, sizeof(t->isrc), "%.12s", v);
		else if (!strncasecmp(key, "INDEX", 5)) {
			long k = strtol(key + 5, NULL, 10);

			if (k >= 0 && k <= IMG_DISC_MAX_INDEX)
				t->index[k] = num(v);
		}
	} else if (!strcasecmp(sect, "CDText") && !strncasecmp(key, "Entry", 5)) {
		long k = strtol(key + 5, NULL, 10);
		uint8_t *p;
		char *end;

		if (k < 0 || (size_t)(k + 1) * 18 > sizeof(c->cdtext))
			return;
		p = c->cdtext + k * 18;
		memset(p, 0, 18);
		for (int i = 0; i < 16; i++, v = end) {
			unsigned long b = strtoul(v, &end, 16);

			if (end == v)
				break;
			p[i] = (uint8_t)b;
		}
		if ((size_t)(k + 1) * 18 > c->cdtext_len)
			c->cdtext_len = (size_t)(k + 1) * 18;
	}
}

static void ccd_parse(struct ccd *c, char *text)
{
	char sect[32] = "";
	int sn = -1;

	for (int i = 0; i < 100; i++) {
		c->t[i].mode = -1;
		for (int k = 0; k <= IMG_DISC_MAX_INDEX; k++)
			c->t[i].index[k] = -1;
	}
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *eq;

		while (isspace((unsigned char)*line))
			line++;
		trim(line);
		if (*line == '[') {
			char *sp;

			snprintf(sect, sizeof(sect), "%s", line + 1);
			if ((sp = strchr(sect, ']')))
				*sp = 0;
			sn = -1;
			if ((sp = strchr(sect, ' '))) {
				*sp = 0;
				sn = (int)strtol(sp + 1, NULL, 10);
			}
			continue;
		}
		if (!(eq = strchr(line, '=')))
			continue;
		*eq = 0;
		trim(line);
		ccd_value(c, sect, sn, line, eq + 1);
	}
}

/* The PLBA of track n's point, or of session s's lead-out (point 0xA2). */
static const struct ccd_entry *point(const struct ccd *c, int p, int session)
{
	for (int i = 0; i < c->n_e; i++)
		if (c->e[i].point == p && (session < 0 || c->e[i].session == session))
			return &c->e[i];
	return NULL;
}

static enum sp_status ccd_tracks(struct img_disc *d, struct ccd *c, int img, int sub,
				 const char *name, struct sp_error *err)
{
	int64_t pos = 0;            /* sectors of the image used so far */

	for (int n = 1; n <= 99; n++) {
		const struct ccd_entry *e = point(c, n, -1), *ne = point(c, n + 1, -1), *lo;
		struct img_disc_track *t;
		struct img_disc_extent *x;
		struct ccd_track *ct = &c->t[n];
		int64_t from, end;

		if (!e)
			break;
		if (!(t = disc_add_track(d, "CCD", err)) || !(x = disc_add_extent(d, "CCD", err)))
			return SP_FAILED;
		lo = point(c, 0xa2, e->session);
		if (!lo)
			return disc_bad(err, "CCD", name, 0, "session %d has no lead-out entry "
					"(Point=0xa2)", e->session);
		t->number = n;
		t->session = e->session;
		t->start = e->plba;
		end = ne && ne->session == e->session ? ne->plba : lo->plba;
		if (ne && ne->session == e->session && c->t[n + 1].index[0] >= 0 &&
		    c->t[n + 1].index[1] >= 0)
			end -= c->t[n + 1].index[1] - c->t[n + 1].index[0];
		t->length = end - t->start;
		if (ct->index[0] >= 0 && ct->index[1] >= 0 && ct->index[1] > ct->index[0])
			t->pregap = ct->index[1] - ct->index[0];
		else if (n > 1 && e->session > 1 && (!point(c, n - 1, -1) ||
			 point(c, n - 1, -1)->session != e->session))
			t->pregap = 150;    /* a later session's first track */
		if (t->number == 1)
			t->pregap = t->start < 0 ? 0 : t->start;   /* LBA 0 .. INDEX 1 */
		for (int k = 2; k <= IMG_DISC_MAX_INDEX && ct->index[k] >= 0; k++)
			t->index[t->n_index = k - 1] = t->start + ct->index[k] - ct->index[1];
		if (t->n_index) {
			t->index[0] = t->start;
			t->n_index++;
		}
		switch (ct->mode >= 0 ? ct->mode : (e->control & 4) ? 1 : 0) {
		case 0: t->mode = IMG_DISC_AUDIO; snprintf(t->stored_as, 16, "AUDIO"); break;
		case 1: t->mode = IMG_DISC_MODE1; snprintf(t->stored_as, 16, "MODE1/2352"); break;
		default: t->mode = IMG_DISC_MODE2_MIXED; snprintf(t->stored_as, 16, "MODE2/2352"); break;
		}
		t->copy_permitted = e->control & 2;
		t->pre_emphasis = e->control & 1;
		memcpy(t->isrc, ct->isrc, sizeof(t->isrc));
		from = t->start - t->pregap;
		x->lba = from;
		x->count = t->length + t->pregap;
		x->file = img;
		x->offset = (uint64_t)pos * IMG_DISC_RAW;
		x->sector_size = IMG_DISC_RAW;
		x->store = IMG_STORE_RAW;
		if (sub >= 0) {
			x->sub_file = sub;
			x->sub_offset = (uint64_t)pos * IMG_DISC_SUB;
			x->sub_packed = true;
		}
		if (x->count < 0 || x->count > DISC_MAX_SECTORS)
			return disc_bad(err, "CCD", name, 0, "track %d has %lld sectors", n,
					(long long)x->count);
		pos += x->count;
	}
	return SP_OK;
}

static enum sp_status ccd_open(struct img_disc *d, struct img_bytes *b, const char *path,
			       struct sp_error *err)
{
	struct ccd *c = calloc(1, sizeof(*c));
	char *text = NULL, *img = NULL, *subp = NULL;
	size_t len;
	int fi, fs = -1;
	enum sp_status st = SP_FAILED;

	if (!c)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (disc_slurp(b, DISC_TEXT_MAX, &text, &len, "CCD", err) != SP_OK)
		goto out;
	ccd_parse(c, text);
	if (!(img = disc_sibling_ext(path, "img"))) {
		sp_error_set(err, SPE_NOENT, "the sectors of '%s' (the same name ending in "
			     ".img) are not there", path);
		goto out;
	}
	if ((fi = disc_open_file(d, img, err)) < 0)
		goto out;
	if ((subp = disc_sibling_ext(path, "sub"))) {
		if ((fs = disc_open_file(d, subp, err)) < 0)
			goto out;
		if (d->files[fs]->size == 0)
			fs = -1;    /* an empty .sub, as some tools write */
	}
	snprintf(d->format, sizeof(d->format), "CloneCD v%d", c->version);
	memcpy(d->mcn, c->catalog, sizeof(d->mcn));
	if (ccd_tracks(d, c, fi, fs, b->name, err) != SP_OK)
		goto out;
	if (fs >= 0 && d->files[fs]->size / IMG_DISC_SUB < d->files[fi]->size / IMG_DISC_RAW) {
		disc_note(d, "'%s' is shorter than the image: subchannel left out.", subp);
		for (int i = 0; i < d->n_extents; i++)
			d->extents[i].sub_file = -1;
	}
	if (c->cdtext_len)
		disc_cdtext_packs(d, c->cdtext, c->cdtext_len);
	st = disc_finish(d, "CCD", err);
out:
	free(img);
	free(subp);
	free(text);
	free(c);
	return st;
}

const struct disc_reader disc_reader_ccd = { "ccd", ccd_probe, ccd_open };
