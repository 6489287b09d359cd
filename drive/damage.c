/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * damage.c - test-mode damage models: make chosen sectors of any drive
 * (real or stdio:) unreadable, flaky, slow, or run-out, as ddrescue's
 * --test-mode does.  drv_read() consults the model before it touches the
 * medium.
 *
 * The model is a sorted list of non-overlapping sector ranges, each with a
 * fate (good, bad, flaky, runout), over a default (good unless said
 * otherwise); later additions override earlier ones where they overlap.
 * Slowness is a second such list: a slow sector keeps its fate.
 *
 * A read command fails as a whole when any sector it covers fails now, as
 * a drive's READ(10) does: no data, and the sense names the first LBA of
 * the command.  The drive works on the whole command (it decodes whole ECC
 * blocks), so every flaky sector in it uses up one failure and every slow
 * sector in it costs its delay, whether or not the command fails.
 *
 * The damage spec format (spindle rip --test-damage=FILE)
 * -------------------------------------------------------
 * Plain text, one rule per line; '#' starts a comment, blank lines are
 * ignored.  Numbers are decimal or 0x-prefixed hexadecimal; LBAs count
 * 2048-byte sectors.
 *
 *     default good|bad          sectors no rule names (default: good)
 *     good    LBA [COUNT]       readable (useful over "default bad")
 *     bad     LBA [COUNT]       unreadable: Medium Error 03/11/00
 *     flaky   LBA [COUNT [N]]   each sector fails N times (default 1),
 *                               then reads
 *     slow    LBA [COUNT [MS]]  each sector read costs MS ms (default 100),
 *                               good or bad as the other rules say
 *     runout  LBA [COUNT]       fails with 05/64/00, as the run-out
 *                               sectors after a CD TAO track do
 *
 * COUNT defaults to 1.  Example:
 *
 *     # a scratch across three ECC blocks, and a weak sector
 *     bad   1024 48
 *     flaky 5000 1 3
 *
 * drv_damage_parse() is a pure function over a buffer (no NUL needed), so
 * that it can be fuzzed.  ddrescue mapfiles for --test-mode are parsed by
 * imaging/rescue/mapfile.c and turned into "default bad" plus "good" ranges.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drive/drive_private.h"

#define MAX_LBA (1LL << 40)
#define MAX_SPEC_BYTES (64 << 20)

struct seg {
	int64_t lba, end;       /* [lba, end) */
	enum drv_damage_kind kind;
	uint32_t arg;           /* flaky: failures; slow: ms */
};

/* failures already used up by flaky sectors: open addressing on LBA */
struct used {
	int64_t lba;            /* -1: empty slot */
	uint32_t n;
};

struct seglist {
	struct seg *v;
	size_t n, alloc;
};

struct drv_damage {
	enum drv_damage_kind dflt;
	struct seglist fate;    /* good, bad, flaky, runout */
	struct seglist slow;    /* delays, whatever the fate */
	struct used *used;
	size_t used_n, used_alloc;
};

enum sp_status drv_damage_new(struct drv_damage **out, struct sp_error *err)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	(*out)->dflt = DRV_DAMAGE_GOOD;
	return SP_OK;
}

void drv_damage_free(struct drv_damage *dm)
{
	if (!dm)
		return;
	free(dm->fate.v);
	free(dm->slow.v);
	free(dm->used);
	free(dm);
}

void drv_damage_set_default(struct drv_damage *dm, enum drv_damage_kind kind)
{
	dm->dflt = kind;
}

/* index of the first segment whose end is > lba */
static size_t seg_find(const struct seglist *dm, int64_t lba)
{
	size_t lo = 0, hi = dm->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (dm->v[mid].end <= lba)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int seg_reserve(struct seglist *dm, size_t extra)
{
	if (dm->n + extra <= dm->alloc)
		return 0;
	size_t na = dm->alloc ? dm->alloc * 2 : 64;
	while (na < dm->n + extra)
		na *= 2;
	void *p = realloc(dm->v, na * sizeof(*dm->v));
	if (!p)
		return -1;
	dm->v = p;
	dm->alloc = na;
	return 0;
}

enum sp_status drv_damage_add(struct drv_damage *damage, enum drv_damage_kind kind,
			      int64_t lba, int64_t count, uint32_t arg,
			      struct sp_error *err)
{
	struct seglist *dm = kind == DRV_DAMAGE_SLOW ? &damage->slow : &damage->fate;
	int64_t end = lba + count;
	size_t i, j;

	if (lba < 0 || count <= 0 || lba > MAX_LBA || count > MAX_LBA)
		return sp_error_set(err, SPE_USAGE, "bad damage range: %lld sectors at LBA %lld",
				    (long long)count, (long long)lba);
	if (seg_reserve(dm, 2) < 0)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	i = seg_find(dm, lba);
	/* split a segment that starts before lba and reaches past it */
	if (i < dm->n && dm->v[i].lba < lba) {
		struct seg left = dm->v[i];

		left.end = lba;
		dm->v[i].lba = lba;
		memmove(&dm->v[i + 1], &dm->v[i], (dm->n - i) * sizeof(*dm->v));
		dm->v[i] = left;
		dm->n++;
		i++;
	}
	/* segments wholly inside [lba, end) go; one reaching past end is cut */
	j = i;
	while (j < dm->n && dm->v[j].end <= end)
		j++;
	if (j < dm->n && dm->v[j].lba < end)
		dm->v[j].lba = end;
	memmove(&dm->v[i + 1], &dm->v[j], (dm->n - j) * sizeof(*dm->v));
	dm->n = dm->n - (j - i) + 1;
	dm->v[i] = (struct seg){ lba, end, kind, arg };
	return SP_OK;
}

/* ---- the spec parser: a pure function over a buffer ------------------ */

struct cursor {
	const char *p, *end;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static void skip_blanks(struct cursor *c)
{
	while (c->p < c->end && is_blank(*c->p))
		c->p++;
}

static bool at_word_end(const struct cursor *c)
{
	return c->p == c->end || is_blank(*c->p) || *c->p == '#';
}

/* a decimal or 0x-hex number up to limit; false if none or too large */
static bool parse_num(struct cursor *c, int64_t limit, int64_t *out)
{
	int base = 10;
	int64_t v = 0;
	const char *start;

	if (c->end - c->p >= 2 && c->p[0] == '0' && (c->p[1] == 'x' || c->p[1] == 'X')) {
		base = 16;
		c->p += 2;
	}
	start = c->p;
	while (c->p < c->end) {
		char ch = *c->p;
		int d;

		if (ch >= '0' && ch <= '9')
			d = ch - '0';
		else if (base == 16 && ch >= 'a' && ch <= 'f')
			d = ch - 'a' + 10;
		else if (base == 16 && ch >= 'A' && ch <= 'F')
			d = ch - 'A' + 10;
		else
			break;
		if (v > (limit - d) / base)
			return false;
		v = v * base + d;
		c->p++;
	}
	if (c->p == start || !at_word_end(c))
		return false;
	*out = v;
	return true;
}

static const struct {
	const char *name;
	enum drv_damage_kind kind;
	int64_t arg_default, arg_max;
} kinds[] = {
	{ "good", DRV_DAMAGE_GOOD, 0, 0 },
	{ "bad", DRV_DAMAGE_BAD, 0, 0 },
	{ "flaky", DRV_DAMAGE_FLAKY, 1, 1000000 },
	{ "slow", DRV_DAMAGE_SLOW, 100, 60000 },
	{ "runout", DRV_DAMAGE_RUNOUT, 0, 0 },
};

static bool word_is(const char *w, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(w, name, len) == 0;
}

static enum sp_status parse_line(struct drv_damage *dm, struct cursor *c,
				 int line, struct sp_error *err)
{
	const char *w = c->p;
	size_t wl, k;
	int64_t lba, count = 1, arg;

	while (c->p < c->end && !at_word_end(c))
		c->p++;
	wl = (size_t)(c->p - w);
	skip_blanks(c);
	if (word_is(w, wl, "default")) {
		const char *v = c->p;

		while (c->p < c->end && !at_word_end(c))
			c->p++;
		if (word_is(v, (size_t)(c->p - v), "good"))
			dm->dflt = DRV_DAMAGE_GOOD;
		else if (word_is(v, (size_t)(c->p - v), "bad"))
			dm->dflt = DRV_DAMAGE_BAD;
		else
			goto syntax;
		skip_blanks(c);
		if (c->p < c->end && *c->p != '#')
			goto syntax;
		return SP_OK;
	}
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (word_is(w, wl, kinds[k].name))
			break;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return sp_error_set(err, SPE_FORMAT,
				    "damage spec line %d: unknown kind '%.*s' (good, bad, flaky, slow, runout or default)",
				    line, (int)(wl > 40 ? 40 : wl), w);
	arg = kinds[k].arg_default;
	if (!parse_num(c, MAX_LBA, &lba))
		goto syntax;
	skip_blanks(c);
	if (c->p < c->end && *c->p != '#') {
		if (!parse_num(c, MAX_LBA, &count) || count == 0)
			goto syntax;
		skip_blanks(c);
		if (c->p < c->end && *c->p != '#') {
			if (!kinds[k].arg_max || !parse_num(c, kinds[k].arg_max, &arg))
				goto syntax;
			skip_blanks(c);
		}
	}
	if (c->p < c->end && *c->p != '#')
		goto syntax;
	return drv_damage_add(dm, kinds[k].kind, lba, count, (uint32_t)arg, err);
syntax:
	return sp_error_set(err, SPE_FORMAT,
			    "damage spec line %d: expected 'KIND LBA [COUNT [ARG]]' or 'default good|bad'",
			    line);
}

enum sp_status drv_damage_parse(struct drv_damage *dm, const char *buf,
				size_t len, struct sp_error *err)
{
	struct cursor c = { buf, buf + len };
	int line = 0;

	while (c.p < c.end) {
		const char *eol = memchr(c.p, '\n', (size_t)(c.end - c.p));
		struct cursor l = { c.p, eol ? eol : c.end };

		line++;
		c.p = eol ? eol + 1 : c.end;
		skip_blanks(&l);
		if (l.p == l.end || *l.p == '#')
			continue;
		if (memchr(l.p, '\0', (size_t)(l.end - l.p)))
			return sp_error_set(err, SPE_FORMAT, "damage spec line %d: NUL byte", line);
		if (parse_line(dm, &l, line, err) != SP_OK)
			return SP_FAILED;
		/* drop the comment the line may end with */
		while (l.p < l.end)
			l.p++;
	}
	return SP_OK;
}

enum sp_status drv_damage_parse_file(struct drv_damage *dm, const char *path,
				     struct sp_error *err)
{
	static const struct sp_file_kind spec = {
		.what = "damage spec", .max = MAX_SPEC_BYTES, .not_regular = SPE_USAGE,
	};
	enum sp_status st = SP_FAILED;
	char *buf;
	size_t got;

	if (sp_read_file(path, &spec, &buf, &got, err) != SP_OK)
		return SP_FAILED;
	if (drv_damage_parse(dm, buf, got, err) != SP_OK) {
		char m[200];

		snprintf(m, sizeof(m), "%.199s", err->msg);
		snprintf(err->msg, sizeof(err->msg), "'%.200s': %s", path, m);
		goto out;
	}
	st = SP_OK;
out:
	free(buf);
	return st;
}

enum sp_status drv_damage_load(struct drv_damage **out, const char *path,
			       struct sp_error *err)
{
	struct drv_damage *dm;

	*out = NULL;
	if (drv_damage_new(&dm, err) != SP_OK)
		return SP_FAILED;
	if (drv_damage_parse_file(dm, path, err) != SP_OK) {
		drv_damage_free(dm);
		return SP_FAILED;
	}
	*out = dm;
	return SP_OK;
}

/* ---- applying the model ------------------------------------------------ */

static uint32_t *used_slot(struct drv_damage *dm, int64_t lba)
{
	size_t mask, h;

	if (dm->used_n * 2 >= dm->used_alloc) {
		size_t na = dm->used_alloc ? dm->used_alloc * 2 : 1024;
		struct used *nv = malloc(na * sizeof(*nv));

		if (!nv)
			return NULL;
		for (size_t i = 0; i < na; i++)
			nv[i].lba = -1;
		for (size_t i = 0; i < dm->used_alloc; i++) {
			if (dm->used[i].lba < 0)
				continue;
			h = (size_t)(dm->used[i].lba * 0x9E3779B97F4A7C15ULL) & (na - 1);
			while (nv[h].lba >= 0)
				h = (h + 1) & (na - 1);
			nv[h] = dm->used[i];
		}
		free(dm->used);
		dm->used = nv;
		dm->used_alloc = na;
	}
	mask = dm->used_alloc - 1;
	h = (size_t)(lba * 0x9E3779B97F4A7C15ULL) & mask;
	while (dm->used[h].lba >= 0 && dm->used[h].lba != lba)
		h = (h + 1) & mask;
	if (dm->used[h].lba < 0) {
		dm->used[h].lba = lba;
		dm->used[h].n = 0;
		dm->used_n++;
	}
	return &dm->used[h].n;
}

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static uint64_t delay_of(const struct seglist *l, int64_t lba, uint32_t count)
{
	uint64_t ms = 0;

	for (size_t i = seg_find(l, lba); i < l->n && l->v[i].lba < lba + count; i++) {
		int64_t a = l->v[i].lba > lba ? l->v[i].lba : lba;
		int64_t b = l->v[i].end < lba + count ? l->v[i].end : lba + count;

		ms += (uint64_t)(b - a) * l->v[i].arg;
	}
	return ms;
}

uint32_t drv_damage_check(struct drv_damage *dm, int64_t lba, uint32_t count,
			  enum drv_damage_kind *why)
{
	const struct seglist *l = &dm->fate;
	size_t i = seg_find(l, lba);
	uint64_t delay = delay_of(&dm->slow, lba, count);

	*why = DRV_DAMAGE_GOOD;
	for (uint32_t k = 0; k < count; k++) {
		int64_t s = lba + k;
		enum drv_damage_kind kind = dm->dflt;
		uint32_t arg = 0;

		while (i < l->n && l->v[i].end <= s)
			i++;
		if (i < l->n && l->v[i].lba <= s) {
			kind = l->v[i].kind;
			arg = l->v[i].arg;
		}
		if (kind == DRV_DAMAGE_FLAKY) {
			uint32_t *u = used_slot(dm, s);

			if (u && *u >= arg)
				continue;
			if (u)
				(*u)++;
		}
		if (kind == DRV_DAMAGE_GOOD || *why == DRV_DAMAGE_RUNOUT)
			continue;
		*why = kind == DRV_DAMAGE_RUNOUT ? DRV_DAMAGE_RUNOUT : DRV_DAMAGE_BAD;
	}
	if (delay)
		sleep_ms(delay);
	/* a failing command fails as a whole */
	return *why == DRV_DAMAGE_GOOD ? count : 0;
}
