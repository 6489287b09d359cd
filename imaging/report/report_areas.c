/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_areas.c - the areas a report draws: states and their colours,
 * areas from a mapfile with ranges laid over them, merging below a pixel,
 * the disc's geometry, and the text buffer the pictures are written into.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/report/report_private.h"

static const struct {
	const char *name, *colour;
} states[IMG_AREA__COUNT] = {
	[IMG_AREA_RESCUED] = { "rescued", "#3cb44b" },
	[IMG_AREA_REPAIRED] = { "repaired", "#4363d8" },
	[IMG_AREA_RUNOUT] = { "run-out", "#9a6324" },
	[IMG_AREA_UNTRIED] = { "untried", "#b4b4b4" },
	[IMG_AREA_NONTRIMMED] = { "non-trimmed", "#ffe119" },
	[IMG_AREA_NONSCRAPED] = { "non-scraped", "#f58231" },
	[IMG_AREA_MISMATCH] = { "mismatch", "#911eb4" },
	[IMG_AREA_BAD] = { "bad", "#e6194b" },
};

const char *img_area_state_name(enum img_area_state s)
{
	return (unsigned)s < IMG_AREA__COUNT ? states[s].name : "?";
}

const char *img_area_state_colour(enum img_area_state s)
{
	return (unsigned)s < IMG_AREA__COUNT ? states[s].colour : "#000000";
}

static enum img_area_state from_status(char c)
{
	switch (c) {
	case '+': return IMG_AREA_RESCUED;
	case '*': return IMG_AREA_NONTRIMMED;
	case '/': return IMG_AREA_NONSCRAPED;
	case '-': return IMG_AREA_BAD;
	default: return IMG_AREA_UNTRIED;
	}
}

/* ---- the area list ------------------------------------------------------ */

/* Append [pos, pos+size) with state, merged into the last area when they
 * touch and agree.  -1 when out of memory. */
static int areas_push(struct img_areas *a, int64_t pos, int64_t size,
		      enum img_area_state state)
{
	if (size <= 0)
		return 0;
	if (a->n) {
		struct img_area *l = &a->v[a->n - 1];

		if (l->state == state && l->pos + l->size == pos) {
			l->size += size;
			return 0;
		}
	}
	if (a->n == a->alloc) {
		size_t na = a->alloc ? a->alloc * 2 : 64;
		void *p = realloc(a->v, na * sizeof(*a->v));

		if (!p)
			return -1;
		a->v = p;
		a->alloc = na;
	}
	a->v[a->n++] = (struct img_area){ pos, size, state };
	return 0;
}

void img_areas_release(struct img_areas *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}

enum sp_status img_areas_merge(const struct img_area *v, size_t n, int64_t unit,
			       struct img_areas *out, struct sp_error *err)
{
	bool pending = false;
	int64_t ps = 0, pe = 0;
	enum img_area_state pst = IMG_AREA_RESCUED;

	if (unit < 1)
		unit = 1;
	for (size_t i = 0; i < n; i++) {
		if (v[i].size >= unit) {
			if (pending && areas_push(out, ps, pe - ps, pst) < 0)
				goto oom;
			pending = false;
			if (areas_push(out, v[i].pos, v[i].size, v[i].state) < 0)
				goto oom;
			continue;
		}
		if (!pending) {
			pending = true;
			ps = v[i].pos;
			pst = v[i].state;
		}
		pe = v[i].pos + v[i].size;
		pst = rpt_worst(pst, v[i].state);
		if (pe - ps >= unit) {
			if (areas_push(out, ps, pe - ps, pst) < 0)
				goto oom;
			pending = false;
		}
	}
	if (pending && areas_push(out, ps, pe - ps, pst) < 0)
		goto oom;
	return SP_OK;
oom:
	return sp_error_set(err, SPE_NOMEM, "out of memory merging the areas of a report");
}

enum sp_status img_report_set_map(struct img_report *r, const struct img_mapfile *m,
				  struct sp_error *err)
{
	img_areas_release(&r->areas);
	r->total_bytes = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (areas_push(&r->areas, m->v[i].pos, m->v[i].size,
			       from_status(m->v[i].status)) < 0)
			return sp_error_set(err, SPE_NOMEM, "out of memory reading a mapfile");
		r->total_bytes = m->v[i].pos + m->v[i].size;
	}
	return SP_OK;
}

static int cmp_range(const void *a, const void *b)
{
	const struct img_range *x = a, *y = b;

	return x->lba < y->lba ? -1 : x->lba > y->lba;
}

enum sp_status img_report_overlay(struct img_report *r, const struct img_ranges *lbas,
				  enum img_area_state state, struct sp_error *err)
{
	struct img_areas out = { NULL, 0, 0 };
	struct img_range *rv;
	size_t j = 0, m = lbas->n;

	if (!m)
		return SP_OK;
	rv = malloc(m * sizeof(*rv));
	if (!rv)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	memcpy(rv, lbas->v, m * sizeof(*rv));
	qsort(rv, m, sizeof(*rv), cmp_range);
	for (size_t i = 0; i < r->areas.n; i++) {
		const struct img_area *a = &r->areas.v[i];
		int64_t p = a->pos, e = a->pos + a->size;

		while (p < e) {
			int64_t rs, re, q;

			while (j < m && (rv[j].lba + rv[j].count) * SP_SECTOR <= p)
				j++;
			rs = j < m ? rv[j].lba * SP_SECTOR : e;
			re = j < m ? (rv[j].lba + rv[j].count) * SP_SECTOR : e;
			if (rs <= p) {
				q = re < e ? re : e;
				if (areas_push(&out, p, q - p, state) < 0)
					goto oom;
			} else {
				q = rs < e ? rs : e;
				if (areas_push(&out, p, q - p, a->state) < 0)
					goto oom;
			}
			p = q;
		}
	}
	free(rv);
	img_areas_release(&r->areas);
	r->areas = out;
	return SP_OK;
oom:
	free(rv);
	img_areas_release(&out);
	return sp_error_set(err, SPE_NOMEM, "out of memory");
}

void img_report_totals(const struct img_report *r, int64_t totals[IMG_AREA__COUNT])
{
	for (int s = 0; s < IMG_AREA__COUNT; s++)
		totals[s] = 0;
	for (size_t i = 0; i < r->areas.n; i++)
		totals[r->areas.v[i].state] += r->areas.v[i].size;
}

void img_report_release(struct img_report *r)
{
	img_areas_release(&r->areas);
	r->total_bytes = 0;
}

enum sp_status rpt_strip_areas(const struct img_report *r, double width,
			       struct img_areas *out, struct sp_error *err)
{
	int64_t unit = (int64_t)((double)r->total_bytes / width);

	return img_areas_merge(r->areas.v, r->areas.n, unit, out, err);
}

size_t rpt_area_at(const struct img_areas *a, int64_t pos)
{
	size_t lo = 0, hi = a->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->v[mid].pos + a->v[mid].size <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->n && a->v[lo].pos <= pos ? lo : a->n;
}

/* ---- the disc ----------------------------------------------------------- */

void rpt_geometry(int profile, int64_t sectors, struct rpt_geometry *g)
{
	int64_t nominal;

	if ((profile >= 0x08 && profile <= 0x0a) ||
	    (profile <= 0 && sectors <= 405000)) {
		*g = (struct rpt_geometry){ 25, 58, 0, "CD", 176.4 };
		nominal = 360000;               /* 80 minutes */
	} else if ((profile >= 0x40 && profile <= 0x43) ||
		   (profile <= 0 && sectors > 4171712)) {
		*g = (struct rpt_geometry){ 24, 58, 0, "BD", 4495 };
		nominal = sectors > 12219392 ? 24438784 : 12219392;
	} else {
		*g = (struct rpt_geometry){ 24, 58, 0, "DVD", 1385 };
		nominal = sectors > 2295104 ? 4171712 : 2295104;
	}
	if (sectors > nominal)
		nominal = sectors;
	g->k = (g->r1 * g->r1 - g->r0 * g->r0) / (double)nominal;
}

double rpt_radius(const struct rpt_geometry *g, double lba)
{
	return sqrt(g->r0 * g->r0 + lba * g->k);
}

/* ---- text ----------------------------------------------------------------- */

static void grow(struct rpt_buf *b, size_t need)
{
	size_t na;
	char *p;

	if (b->oom || b->len + need + 1 <= b->alloc)
		return;
	na = b->alloc ? b->alloc : 4096;
	while (na < b->len + need + 1)
		na *= 2;
	p = realloc(b->p, na);
	if (!p) {
		b->oom = true;
		return;
	}
	b->p = p;
	b->alloc = na;
}

void rpt_printf(struct rpt_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	grow(b, (size_t)n);
	if (b->oom)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void rpt_puts(struct rpt_buf *b, const char *s)
{
	size_t n = strlen(s);

	grow(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

/* Length of the valid UTF-8 sequence at s, 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = *s >= 0xf0 && *s <= 0xf4 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc2 ? 2 : 0;

	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void rpt_escape(struct rpt_buf *b, const char *s)
{
	char one[5];

	while (*s) {
		unsigned char c = (unsigned char)*s;
		size_t n = 1;

		switch (c) {
		case '&': rpt_puts(b, "&amp;"); break;
		case '<': rpt_puts(b, "&lt;"); break;
		case '>': rpt_puts(b, "&gt;"); break;
		case '"': rpt_puts(b, "&quot;"); break;
		case '\'': rpt_puts(b, "&#39;"); break;
		default:
			/* control characters are not allowed in XML 1.0, nor
			 * bytes that are not UTF-8 */
			if (c >= 0x80) {
				n = utf8_len((const unsigned char *)s);
				if (!n) {
					rpt_puts(b, "?");
					n = 1;
					break;
				}
				memcpy(one, s, n);
				one[n] = 0;
			} else {
				one[0] = c < 0x20 && c != '\t' && c != '\n' ? '?' : (char)c;
				one[1] = 0;
			}
			rpt_puts(b, one);
		}
		s += n;
	}
}

enum sp_status rpt_finish(struct rpt_buf *b, char **out, size_t *len,
			  struct sp_error *err)
{
	if (b->oom || !b->p) {
		free(b->p);
		memset(b, 0, sizeof(*b));
		return sp_error_set(err, SPE_NOMEM, "out of memory writing a report");
	}
	*out = b->p;
	*len = b->len;
	memset(b, 0, sizeof(*b));
	return SP_OK;
}
