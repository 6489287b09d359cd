/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mapfile.c - GNU ddrescue's mapfile format, read and written.
 *
 *     # comments
 *     0x00017000     +               1        current_pos status [pass]
 *     0x00000000  0x00010000  +                pos size status
 *     0x00010000  0x00008000  -
 *
 * Numbers are C-style (0x hex, leading 0 octal, decimal); blocks are
 * contiguous; block status is one of ? (non-tried), * (non-trimmed),
 * / (non-scraped), - (bad sector), + (finished).  Text after a block's
 * status character is ignored, as ddrescue does.  img_mapfile_parse() is a
 * pure function over a buffer so that it can be fuzzed.  Writing goes
 * through sp_write_file_atomic(), so the file is valid at every instant.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/rescue/rescue.h"

#define MAP_MAX_BYTES (256 << 20)
/* No disc comes near 2^50 bytes (1 PiB); refusing more keeps every sum of
 * positions and sizes (alignment, sector rounding) far from overflow. */
#define MAP_MAX_END ((int64_t)1 << 50)

void img_mapfile_init(struct img_mapfile *m)
{
	memset(m, 0, sizeof(*m));
	m->current_status = IMG_PHASE_COPYING;
	m->current_pass = 1;
}

void img_mapfile_release(struct img_mapfile *m)
{
	free(m->v);
	img_mapfile_init(m);
}

bool img_map_status_valid(int c)
{
	return c == '?' || c == '*' || c == '/' || c == '-' || c == '+';
}

static bool phase_valid(int c)
{
	return img_map_status_valid(c) || c == 'F' || c == 'G';
}

static int reserve(struct img_mapfile *m, size_t extra)
{
	size_t na;
	void *p;

	if (m->n + extra <= m->alloc)
		return 0;
	na = m->alloc ? m->alloc * 2 : 64;
	while (na < m->n + extra)
		na *= 2;
	p = realloc(m->v, na * sizeof(*m->v));
	if (!p)
		return -1;
	m->v = p;
	m->alloc = na;
	return 0;
}

int64_t img_mapfile_size(const struct img_mapfile *m)
{
	return m->n ? m->v[m->n - 1].pos + m->v[m->n - 1].size : 0;
}

/* ---- parsing ------------------------------------------------------------ */

struct cur {
	const char *p, *end;
};

static void skip_ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
		c->p++;
}

/* like %lli: optional sign, then 0x hex, 0 octal or decimal */
static bool parse_ll(struct cur *c, int64_t *out)
{
	bool neg = false;
	int base = 10;
	uint64_t v = 0;
	const char *start;

	skip_ws(c);
	if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
		neg = *c->p++ == '-';
	if (c->end - c->p >= 2 && c->p[0] == '0' && (c->p[1] == 'x' || c->p[1] == 'X')) {
		base = 16;
		c->p += 2;
	} else if (c->p < c->end && *c->p == '0') {
		base = 8;
	}
	start = c->p;
	while (c->p < c->end) {
		int ch = (unsigned char)*c->p, d;

		if (ch >= '0' && ch <= '9')
			d = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			d = ch - 'a' + 10;
		else if (ch >= 'A' && ch <= 'F')
			d = ch - 'A' + 10;
		else
			break;
		if (d >= base)
			break;
		if (v > ((uint64_t)INT64_MAX - (uint64_t)d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + (uint64_t)d;
		c->p++;
	}
	if (c->p == start)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

static bool parse_char(struct cur *c, char *out)
{
	skip_ws(c);
	if (c->p == c->end)
		return false;
	*out = *c->p++;
	return true;
}

static enum sp_status bad_line(struct sp_error *err, int line, const char *what)
{
	sp_error_set(err, SPE_FORMAT, "mapfile line %d: %s", line, what);
	return SP_FAILED;
}

enum sp_status img_mapfile_parse(struct img_mapfile *m, const char *buf,
				 size_t len, struct sp_error *err)
{
	struct cur c = { buf, buf + len };
	bool have_status = false;
	int line = 0;

	img_mapfile_release(m);
	while (c.p < c.end) {
		const char *eol = memchr(c.p, '\n', (size_t)(c.end - c.p));
		struct cur l = { c.p, eol ? eol : c.end };
		int64_t pos, size, pass = 1;
		char st;

		line++;
		c.p = eol ? eol + 1 : c.end;
		skip_ws(&l);
		if (l.p == l.end || *l.p == '#')
			continue;
		if (!have_status) {
			if (!parse_ll(&l, &pos) || !parse_char(&l, &st) || pos < 0 ||
			    !phase_valid(st))
				return bad_line(err, line, "bad or missing status line");
			skip_ws(&l);
			if (l.p < l.end && *l.p != '#' &&
			    (!parse_ll(&l, &pass) || pass < 1 || pass > 1000000))
				return bad_line(err, line, "bad pass number in the status line");
			m->current_pos = pos;
			m->current_status = st;
			m->current_pass = (int)pass;
			have_status = true;
			continue;
		}
		if (!parse_ll(&l, &pos) || !parse_ll(&l, &size) || !parse_char(&l, &st) ||
		    pos < 0 || !img_map_status_valid(st) ||
		    !(size > 0 || (size == 0 && pos == 0)))
			goto bad_block;
		if (pos > MAP_MAX_END || size > MAP_MAX_END - pos) {
			img_mapfile_release(m);
			return bad_line(err, line, "block beyond 1 PiB: not a disc's mapfile");
		}
		if (size == 0)
			continue;
		if (m->n == 0 && pos > 0) {
			/* ddrescue starts a map where its domain starts; before it
			 * nothing was tried */
			if (reserve(m, 1) < 0)
				goto nomem;
			m->v[m->n++] = (struct img_map_block){ 0, pos, '?' };
		}
		if (m->n && pos != img_mapfile_size(m)) {
			img_mapfile_release(m);
			return bad_line(err, line, "blocks are not contiguous");
		}
		if (m->n && m->v[m->n - 1].status == st) {
			m->v[m->n - 1].size += size;
			continue;
		}
		if (reserve(m, 1) < 0)
			goto nomem;
		m->v[m->n++] = (struct img_map_block){ pos, size, st };
	}
	return SP_OK;
bad_block:
	img_mapfile_release(m);
	return bad_line(err, line, "bad block line (expected 'POS SIZE STATUS')");
nomem:
	img_mapfile_release(m);
	return sp_error_set(err, SPE_NOMEM, "out of memory");
}

enum sp_status img_mapfile_load(struct img_mapfile *m, const char *path,
				bool *exists, struct sp_error *err)
{
	static const struct sp_file_kind mapfile = {
		.what = "mapfile", .max = MAP_MAX_BYTES, .not_regular = SPE_FORMAT,
		.missing_ok = true,
	};
	enum sp_status st = SP_FAILED;
	char *buf;
	size_t got;

	img_mapfile_release(m);
	*exists = false;
	if (sp_read_file(path, &mapfile, &buf, &got, err) != SP_OK)
		return SP_FAILED;
	if (!buf)
		return SP_OK;
	*exists = true;
	if (img_mapfile_parse(m, buf, got, err) != SP_OK) {
		char msg[200];

		snprintf(msg, sizeof(msg), "%.199s", err->msg);
		snprintf(err->msg, sizeof(err->msg), "'%.200s' is not a valid mapfile: %s", path, msg);
		sp_error_hint(err, "move it away to start over, or give the right file with --map");
		goto out;
	}
	st = SP_OK;
out:
	free(buf);
	return st;
}

/* ---- writing ------------------------------------------------------------ */

enum sp_status img_mapfile_format(const struct img_mapfile *m, const char *creator,
				  char **out, size_t *len, struct sp_error *err)
{
	char *buf = NULL;
	size_t cap = 0;
	FILE *f = open_memstream(&buf, &cap);

	*out = NULL;
	*len = 0;
	if (!f)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	fprintf(f, "# Mapfile. Created by %s\n", creator);
	fprintf(f, "# current_pos  current_status  current_pass\n"
		"0x%08llX     %c               %d\n"
		"#      pos        size  status\n",
		(unsigned long long)m->current_pos, m->current_status, m->current_pass);
	for (size_t i = 0; i < m->n; i++)
		fprintf(f, "0x%08llX  0x%08llX  %c\n", (unsigned long long)m->v[i].pos,
			(unsigned long long)m->v[i].size, m->v[i].status);
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	*out = buf;
	*len = cap;
	return SP_OK;
}

enum sp_status img_mapfile_save(const struct img_mapfile *m, const char *path,
				const char *creator, struct sp_error *err)
{
	enum sp_status st;
	char *buf;
	size_t len;

	st = img_mapfile_format(m, creator, &buf, &len, err);
	if (st != SP_OK)
		return st;
	st = sp_write_file_atomic(path, buf, len, err);
	free(buf);
	return st;
}

/* ---- editing ------------------------------------------------------------ */

/* index of the block holding pos; m->n if none */
size_t img_mapfile_find(const struct img_mapfile *m, int64_t pos)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->v[mid].pos + m->v[mid].size <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->v[lo].pos <= pos ? lo : m->n;
}

/* split so that a block starts at pos (0 < pos < size) */
static int split_at(struct img_mapfile *m, int64_t pos)
{
	size_t i = img_mapfile_find(m, pos);

	if (i == m->n || m->v[i].pos == pos)
		return 0;
	if (reserve(m, 1) < 0)
		return -1;
	memmove(&m->v[i + 1], &m->v[i], (m->n - i) * sizeof(*m->v));
	m->n++;
	m->v[i].size = pos - m->v[i].pos;
	m->v[i + 1].pos = pos;
	m->v[i + 1].size -= m->v[i].size;
	return 0;
}

static void merge_around(struct img_mapfile *m, size_t from, size_t to)
{
	size_t w, r;

	if (from > 0)
		from--;
	if (to + 1 < m->n)
		to++;
	w = from;
	for (r = from + 1; r <= to; r++) {
		if (m->v[r].status == m->v[w].status)
			m->v[w].size += m->v[r].size;
		else
			m->v[++w] = m->v[r];
	}
	if (w != to) {
		memmove(&m->v[w + 1], &m->v[to + 1], (m->n - to - 1) * sizeof(*m->v));
		m->n -= to - w;
	}
}

enum sp_status img_mapfile_mark(struct img_mapfile *m, int64_t pos, int64_t size,
				char status, enum img_mark_mode mode)
{
	int64_t end = pos + size, total = img_mapfile_size(m);
	size_t i, j;

	if (end > total)
		end = total;
	if (pos < 0 || pos >= end)
		return SP_OK;
	if (split_at(m, pos) < 0 || (end < total && split_at(m, end) < 0))
		return SP_FATAL;
	i = img_mapfile_find(m, pos);
	for (j = i; j < m->n && m->v[j].pos < end; j++)
		if (mode == IMG_MARK_ALWAYS || m->v[j].status != '+')
			m->v[j].status = status;
	merge_around(m, i, j - 1);
	return SP_OK;
}

enum sp_status img_mapfile_reset(struct img_mapfile *m, int64_t size)
{
	img_mapfile_release(m);
	if (size <= 0)
		return SP_OK;
	if (reserve(m, 1) < 0)
		return SP_FATAL;
	m->v[m->n++] = (struct img_map_block){ 0, size, '?' };
	return SP_OK;
}

enum sp_status img_mapfile_extend(struct img_mapfile *m, int64_t size)
{
	int64_t have = img_mapfile_size(m);

	if (size <= have)
		return SP_OK;
	if (m->n && m->v[m->n - 1].status == '?') {
		m->v[m->n - 1].size += size - have;
		return SP_OK;
	}
	if (reserve(m, 1) < 0)
		return SP_FATAL;
	m->v[m->n++] = (struct img_map_block){ have, size - have, '?' };
	return SP_OK;
}

void img_mapfile_retry_bad(struct img_mapfile *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].status == '-')
			m->v[i].status = '/';
	if (m->n)
		merge_around(m, 0, m->n - 1);
}

int64_t img_mapfile_count(const struct img_mapfile *m, char status, size_t *areas)
{
	int64_t t = 0;

	if (areas)
		*areas = 0;
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].status == status) {
			t += m->v[i].size;
			if (areas)
				(*areas)++;
		}
	return t;
}

void img_mapfile_align(struct img_mapfile *m, int64_t unit)
{
	/* a unit partly finished and partly not counts as not finished */
	for (size_t i = 0; i < m->n; i++) {
		struct img_map_block b = m->v[i];
		int64_t s, e;

		if (b.status == '+')
			continue;
		s = b.pos / unit * unit;
		e = (b.pos + b.size + unit - 1) / unit * unit;
		if (s < b.pos)
			img_mapfile_mark(m, s, b.pos - s, b.status, IMG_MARK_ALWAYS);
		if (e > b.pos + b.size)
			img_mapfile_mark(m, b.pos + b.size, e - b.pos - b.size, b.status,
					 IMG_MARK_ALWAYS);
		i = img_mapfile_find(m, b.pos);
		if (i == m->n)
			break;
	}
}

/* The sectors not yet rescued ('+'), as sorted, merged LBA ranges. */
enum sp_status img_mapfile_bad_ranges(const struct img_mapfile *m,
				      struct img_ranges *bad, struct sp_error *err)
{
	for (size_t i = 0; i < m->n; i++) {
		int64_t s, e;

		if (m->v[i].status == '+')
			continue;
		s = m->v[i].pos / SP_SECTOR;
		e = (m->v[i].pos + m->v[i].size + SP_SECTOR - 1) / SP_SECTOR;
		if (bad->n && bad->v[bad->n - 1].lba + bad->v[bad->n - 1].count > s)
			s = bad->v[bad->n - 1].lba + bad->v[bad->n - 1].count;
		if (e > s && img_ranges_add(bad, s, e - s) != SP_OK)
			return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	return SP_OK;
}
