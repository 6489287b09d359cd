/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rescue_passes.c - the rescue algorithm.
 *
 * An optical drive cannot fail part of an ECC block (16 sectors on DVD, 32
 * on BD, 1 on CD): the block decodes or it does not.  A failing read also
 * costs seconds of the drive's own retries.  So the engine reads whole ECC
 * blocks, and the goal is that each unreadable ECC block costs about one
 * failing read, where ddrescue's sector-by-sector scraping pays once per
 * sector.
 *
 * A failing read of one ECC block (or less) is exact: the block is bad
 * ('-').  A failing read of several blocks only says "something in here"
 * ('*', non-trimmed).  Hence:
 *
 *  1. Copying, pass 1, forwards: 64 KiB chunks (or one ECC block where it
 *     is larger) through clean areas, single ECC blocks near known damage.
 *     After a failure, skip ahead (doubling while failures follow each
 *     other) so that the good data comes first; skipped areas stay '?'.
 *  2. Copying, pass 2, backwards over what was skipped, the same way;
 *     pass 3 forwards with no skipping.
 *  3. Trimming each '*' area block by block from its leading edge until a
 *     block fails, then from its trailing edge backwards until one fails;
 *     the middle becomes '/'.
 *  4. Scraping every '/' block once.
 *  5. --retries passes over the bad blocks, in alternating direction, at
 *     most --max-area-retries failures per bad area and pass.
 *
 * Every read is aligned to the ECC grid (LBA 0 upwards) and clipped to the
 * area being worked on, so parts of a block finished by another run or
 * another drive are not read again.  With a domain (img_rescue_set_domain:
 * the blocks of the files an extraction wants) the areas are cut to it and
 * nothing outside it is read, and each pass goes through the domain's
 * ranges in the order given (the files in path order; backwards passes in
 * the reverse order), so the files asked for come whole one after the
 * other: stopped half way, the first ones are done, not a part of each.
 */
#include "config.h"

#include "imaging/rescue/rescue_private.h"

#define MAX_SKIP_SHIFT 10

/* ---- the map in sectors ------------------------------------------------- */

/* [*s, *e) cut to the window; false if nothing is left */
static bool clip_window(const struct img_rescue *r, int64_t *s, int64_t *e)
{
	if (*s < r->win.lba)
		*s = r->win.lba;
	if (*e > r->win.lba + r->win.count)
		*e = r->win.lba + r->win.count;
	return *e > *s;
}

bool rescue_clip_first(const struct img_rescue *r, int64_t *s, int64_t *e)
{
	size_t lo = 0, hi = r->domain.n;

	if (r->has_win)
		return clip_window(r, s, e);
	if (!r->has_domain)
		return *e > *s;
	/* the first domain range ending after *s */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->domain.v[mid].lba + r->domain.v[mid].count <= *s)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->domain.n || r->domain.v[lo].lba >= *e)
		return false;
	if (*s < r->domain.v[lo].lba)
		*s = r->domain.v[lo].lba;
	if (*e > r->domain.v[lo].lba + r->domain.v[lo].count)
		*e = r->domain.v[lo].lba + r->domain.v[lo].count;
	return *e > *s;
}

bool rescue_clip_last(const struct img_rescue *r, int64_t *s, int64_t *e)
{
	size_t lo = 0, hi = r->domain.n;

	if (r->has_win)
		return clip_window(r, s, e);
	if (!r->has_domain)
		return *e > *s;
	/* the last domain range starting before *e */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->domain.v[mid].lba < *e)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || r->domain.v[lo - 1].lba + r->domain.v[lo - 1].count <= *s)
		return false;
	lo--;
	if (*s < r->domain.v[lo].lba)
		*s = r->domain.v[lo].lba;
	if (*e > r->domain.v[lo].lba + r->domain.v[lo].count)
		*e = r->domain.v[lo].lba + r->domain.v[lo].count;
	return *e > *s;
}

/* First area of status st at or after lba, within the domain: [*s, *e);
 * false if none. */
static bool next_area(const struct img_rescue *r, int64_t lba, char st,
		      int64_t *s, int64_t *e)
{
	size_t i = img_mapfile_find(&r->map, S2B(lba));

	for (; i < r->map.n; i++) {
		const struct img_map_block *b = &r->map.v[i];
		int64_t from = b->pos / SP_SECTOR;

		if (r->has_win && from >= r->win.lba + r->win.count)
			break;
		if (b->status != st)
			continue;
		*s = from < lba ? lba : from;
		*e = (b->pos + b->size) / SP_SECTOR;
		if (*e > *s && rescue_clip_first(r, s, e))
			return true;
	}
	return false;
}

/* Last area of status st ending at or before lba, within the domain: [*s, *e). */
static bool prev_area(const struct img_rescue *r, int64_t lba, char st,
		      int64_t *s, int64_t *e)
{
	size_t i;

	if (lba <= 0)
		return false;
	i = img_mapfile_find(&r->map, S2B(lba - 1));
	for (; i < r->map.n; i--) {
		const struct img_map_block *b = &r->map.v[i];

		if (r->has_win && (b->pos + b->size) / SP_SECTOR <= r->win.lba)
			break;
		if (b->status == st) {
			*s = b->pos / SP_SECTOR;
			*e = (b->pos + b->size) / SP_SECTOR;
			if (*e > lba)
				*e = lba;
			if (*e > *s && rescue_clip_last(r, s, e))
				return true;
		}
		if (i == 0)
			break;
	}
	return false;
}

/* Is there known damage within a few chunks of [lba, lba+1)? */
static bool near_damage(const struct img_rescue *r, int64_t lba)
{
	int64_t w = 4 * (int64_t)r->C;
	int64_t from = lba > w ? lba - w : 0, to = lba + w;
	size_t i = img_mapfile_find(&r->map, S2B(from));

	for (; i < r->map.n && r->map.v[i].pos < S2B(to); i++) {
		char c = r->map.v[i].status;

		if (c == '-' || c == '*' || c == '/')
			return true;
	}
	return false;
}

static int64_t align_down(int64_t v, int64_t unit)
{
	return v / unit * unit;
}

static enum sp_status mark(struct img_rescue *r, int64_t lba, int64_t count, char st)
{
	if (img_mapfile_mark(&r->map, S2B(lba), S2B(count), st, IMG_MARK_KEEP_FINISHED) != SP_OK) {
		sp_error_set(&r->fatal, SPE_NOMEM, "out of memory");
		r->failed = true;
		return SP_FATAL;
	}
	return SP_OK;
}

/* After a failing read of [lba, lba+n): exact if within one ECC block. */
static enum sp_status mark_failed(struct img_rescue *r, int64_t lba, int64_t n)
{
	bool exact = lba / r->E == (lba + n - 1) / r->E;

	return mark(r, lba, n, exact ? '-' : '*');
}

static int64_t skip_size(const struct img_rescue *r, unsigned failures)
{
	int64_t s = (int64_t)r->C << (failures < MAX_SKIP_SHIFT ? failures : MAX_SKIP_SHIFT);
	int64_t cap = r->extent / 64;

	if (cap < r->C)
		cap = r->C;
	return s < cap ? s : cap;
}

/* ---- copying -------------------------------------------------------------- */

static enum read_result copy_forward(struct img_rescue *r, bool skipping)
{
	int64_t from = 0, s, e;

	while (next_area(r, from, '?', &s, &e)) {
		unsigned failures = 0;
		int64_t pos = s;

		while (pos < e) {
			int64_t unit = near_damage(r, pos) ? r->E : r->C;
			int64_t end = align_down(pos, unit) + unit;
			enum read_result rr;

			if (end > e)
				end = e;
			rr = rescue_read(r, pos, end - pos);
			if (rr == READ_STOP)
				return rr;
			if (rr == READ_OK) {
				failures = 0;
				pos = end;
				continue;
			}
			if (mark_failed(r, pos, end - pos) != SP_OK)
				return READ_STOP;
			pos = end;
			if (skipping) {
				pos = align_down(pos + skip_size(r, failures), r->E);
				failures++;
			}
		}
		from = e;
	}
	return READ_OK;
}

static enum read_result copy_backward(struct img_rescue *r)
{
	int64_t to = r->extent, s, e;

	while (prev_area(r, to, '?', &s, &e)) {
		unsigned failures = 0;
		int64_t pos = e;

		while (pos > s) {
			int64_t unit = near_damage(r, pos - 1) ? r->E : r->C;
			int64_t start = align_down(pos - 1, unit);
			enum read_result rr;

			if (start < s)
				start = s;
			rr = rescue_read(r, start, pos - start);
			if (rr == READ_STOP)
				return rr;
			if (rr == READ_OK) {
				failures = 0;
				pos = start;
				continue;
			}
			if (mark_failed(r, start, pos - start) != SP_OK)
				return READ_STOP;
			pos = start - skip_size(r, failures);
			failures++;
			if (pos > s)
				pos = align_down(pos, r->E) + (pos % r->E ? r->E : 0);
		}
		to = s;
	}
	return READ_OK;
}

/* ---- trimming and scraping ---------------------------------------------- */

/* One ECC block (clipped to [s, e)) ending at or starting at pos. */
static int64_t block_end(const struct img_rescue *r, int64_t pos, int64_t e)
{
	int64_t end = align_down(pos, r->E) + r->E;

	return end < e ? end : e;
}

static int64_t block_start(const struct img_rescue *r, int64_t pos, int64_t s)
{
	int64_t start = align_down(pos - 1, r->E);

	return start > s ? start : s;
}

static enum read_result trim(struct img_rescue *r)
{
	int64_t from = 0, s, e;

	while (next_area(r, from, '*', &s, &e)) {
		int64_t p = s, q = e;
		enum read_result rr = READ_OK;

		while (p < q) {
			int64_t n = block_end(r, p, q);

			rr = rescue_read(r, p, n - p);
			if (rr == READ_STOP)
				return rr;
			if (rr == READ_FAILED && mark(r, p, n - p, '-') != SP_OK)
				return READ_STOP;
			p = n;
			if (rr == READ_FAILED)
				break;
		}
		while (q > p) {
			int64_t b = block_start(r, q, p);

			rr = rescue_read(r, b, q - b);
			if (rr == READ_STOP)
				return rr;
			if (rr == READ_FAILED && mark(r, b, q - b, '-') != SP_OK)
				return READ_STOP;
			q = b;
			if (rr == READ_FAILED)
				break;
		}
		if (q > p && mark(r, p, q - p, '/') != SP_OK)
			return READ_STOP;
		from = e;
	}
	return READ_OK;
}

static enum read_result scrape(struct img_rescue *r)
{
	int64_t from = 0, s, e;

	while (next_area(r, from, '/', &s, &e)) {
		for (int64_t p = s; p < e;) {
			int64_t n = block_end(r, p, e);
			enum read_result rr = rescue_read(r, p, n - p);

			if (rr == READ_STOP)
				return rr;
			if (rr == READ_FAILED && mark(r, p, n - p, '-') != SP_OK)
				return READ_STOP;
			p = n;
		}
		from = e;
	}
	return READ_OK;
}

/* ---- retrying ------------------------------------------------------------- */

static enum read_result retry_area(struct img_rescue *r, int64_t s, int64_t e, bool fwd)
{
	unsigned fails = 0;
	int64_t p = fwd ? s : e;

	while (fwd ? p < e : p > s) {
		int64_t a = fwd ? p : block_start(r, p, s);
		int64_t b = fwd ? block_end(r, p, e) : p;
		enum read_result rr;

		p = fwd ? b : a;
		if (rescue_is_runout(r, a))
			continue;
		rr = rescue_read(r, a, b - a);
		if (rr == READ_STOP)
			return rr;
		if (rr == READ_FAILED && r->o.max_area_retries &&
		    ++fails >= r->o.max_area_retries)
			break;
	}
	return READ_OK;
}

static enum read_result retry_pass(struct img_rescue *r, bool fwd)
{
	int64_t s, e;

	if (fwd) {
		int64_t from = 0;

		while (next_area(r, from, '-', &s, &e)) {
			if (retry_area(r, s, e, true) == READ_STOP)
				return READ_STOP;
			from = e;
		}
	} else {
		int64_t to = r->extent;

		while (prev_area(r, to, '-', &s, &e)) {
			if (retry_area(r, s, e, false) == READ_STOP)
				return READ_STOP;
			to = s;
		}
	}
	return READ_OK;
}

/* ---- the sequence ------------------------------------------------------- */

/* Is there an area of status st (within the domain)? */
static bool any(const struct img_rescue *r, char st)
{
	int64_t s, e;

	return next_area(r, 0, st, &s, &e);
}

static bool only_runout_bad(const struct img_rescue *r)
{
	int64_t from = 0, s, e;

	while (next_area(r, from, '-', &s, &e)) {
		for (int64_t p = s; p < e; p++)
			if (!rescue_is_runout(r, p))
				return false;
		from = e;
	}
	return true;
}

enum pass_kind { COPY_SKIPPING, COPY_BACKWARDS, COPY_ALL, TRIM, SCRAPE, RETRY_FWD, RETRY_BACK };

static enum read_result pass_once(struct img_rescue *r, enum pass_kind k)
{
	switch (k) {
	case COPY_SKIPPING: return copy_forward(r, true);
	case COPY_BACKWARDS: return copy_backward(r);
	case COPY_ALL: return copy_forward(r, false);
	case TRIM: return trim(r);
	case SCRAPE: return scrape(r);
	case RETRY_FWD: return retry_pass(r, true);
	case RETRY_BACK: return retry_pass(r, false);
	}
	return READ_OK;
}

/* One pass; over a domain, range by range in its order (reversed for the
 * backwards passes). */
static enum read_result pass(struct img_rescue *r, enum pass_kind k)
{
	bool back = k == COPY_BACKWARDS || k == RETRY_BACK;
	enum read_result rr = READ_OK;

	if (!r->order.n)
		return pass_once(r, k);
	for (size_t j = 0; j < r->order.n && rr != READ_STOP; j++) {
		r->win = r->order.v[back ? r->order.n - 1 - j : j];
		r->has_win = true;
		rr = pass_once(r, k);
	}
	r->has_win = false;
	return rr;
}

/* ---- rebuilding instead of re-reading ------------------------------------ */

/* Let o.repair rebuild what is missing (from parity); what it rebuilt is
 * rescued.  Called when the rescued part has grown since its last call. */
static enum sp_status try_repair(struct img_rescue *r)
{
	struct img_ranges missing = IMG_RANGES_INIT, fixed = IMG_RANGES_INIT;
	struct sp_error e = SP_ERROR_INIT;
	int64_t have = img_mapfile_count(&r->map, '+', NULL);
	enum sp_status st = SP_OK;

	if (!r->o.repair || have == r->repair_have || r->stop == IMG_RESCUE_INTERRUPTED)
		return SP_OK;
	r->repair_have = have;
	if (!r->repaired.n && img_mapfile_reset(&r->repaired, S2B(r->extent)) != SP_OK)
		goto nomem;
	if (img_mapfile_bad_ranges(&r->map, &missing, &e) != SP_OK)
		goto nomem;
	/* the data read so far must be in the file the callback reads */
	if (missing.n && (st = rescue_save(r, &e)) == SP_OK)
		st = r->o.repair(r->o.repair_ctx, &missing, &fixed, &e);
	if (st == SP_OK) {
		for (size_t i = 0; i < fixed.n; i++) {
			int64_t s = fixed.v[i].lba, n = fixed.v[i].count;

			if (s < 0 || s >= r->extent)
				continue;
			if (n > r->extent - s)
				n = r->extent - s;
			if (img_mapfile_mark(&r->map, S2B(s), S2B(n), '+', IMG_MARK_ALWAYS) != SP_OK ||
			    img_mapfile_mark(&r->repaired, S2B(s), S2B(n), '+', IMG_MARK_ALWAYS) != SP_OK)
				goto nomem;
		}
		r->repair_have = img_mapfile_count(&r->map, '+', NULL);
		if (fixed.n)
			rescue_progress(r, true);
	} else if (st != SP_FATAL) {
		st = SP_OK;     /* nothing rebuilt: the passes go on reading */
	} else {
		r->fatal = e;
		r->failed = true;
	}
	img_ranges_release(&missing);
	img_ranges_release(&fixed);
	return st;
nomem:
	img_ranges_release(&missing);
	img_ranges_release(&fixed);
	sp_error_set(&r->fatal, SPE_NOMEM, "out of memory");
	r->failed = true;
	return SP_FATAL;
}

/* After each pass: rebuild what parity can, so that the passes after it
 * (copying backwards, trimming, scraping, retrying) read only what it
 * cannot; then save the map.  Stopped by --max-time, rebuild all the same. */
#define STEP(kind) do { \
	if (pass(r, kind) == READ_STOP) { \
		if (r->stop == IMG_RESCUE_TIMEOUT && !r->failed) \
			(void)try_repair(r); \
		return SP_OK; \
	} \
	if (try_repair(r) == SP_FATAL) \
		return SP_OK; \
	if (rescue_save(r, err) != SP_OK) \
		return SP_FAILED; \
} while (0)

enum sp_status rescue_passes(struct img_rescue *r, struct sp_error *err)
{
	/* a resumed run: what the last one left may be rebuilt at once */
	if (try_repair(r) == SP_FATAL)
		return SP_OK;
	if (any(r, '?')) {
		rescue_begin_pass(r, IMG_PHASE_COPYING, 1, "Copying non-tried blocks... Pass 1 (forwards)");
		STEP(COPY_SKIPPING);
	}
	if (any(r, '?')) {
		rescue_begin_pass(r, IMG_PHASE_COPYING, 2, "Copying non-tried blocks... Pass 2 (backwards)");
		STEP(COPY_BACKWARDS);
	}
	if (any(r, '?')) {
		rescue_begin_pass(r, IMG_PHASE_COPYING, 3, "Copying non-tried blocks... Pass 3 (forwards)");
		STEP(COPY_ALL);
	}
	if (any(r, '*')) {
		rescue_begin_pass(r, IMG_PHASE_TRIMMING, 1, "Trimming failed blocks... (forwards)");
		STEP(TRIM);
	}
	if (any(r, '/')) {
		rescue_begin_pass(r, IMG_PHASE_SCRAPING, 1, "Scraping failed blocks... (forwards)");
		STEP(SCRAPE);
	}
	for (unsigned i = 1; i <= r->o.retries && any(r, '-') && !only_runout_bad(r); i++) {
		bool fwd = i % 2 == 1;

		rescue_begin_pass(r, IMG_PHASE_RETRYING, (int)i, fwd ?
				  "Retrying bad sectors... (forwards)" :
				  "Retrying bad sectors... (backwards)");
		STEP(fwd ? RETRY_FWD : RETRY_BACK);
	}
	return SP_OK;
}
