/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rescue_read.c - the rescue's read primitive: one read of the disc with
 * its bookkeeping (the image written first, then the map marked '+'; the
 * read log; run-out blocks; stepping the speed down after errors), the
 * progress report, the stop conditions and saving the mapfile.  The engine
 * (rescue.c) and the passes (rescue_passes.c) both read through it.
 *
 * Ordering rule: data is written to the image, the image is fdatasync'ed,
 * and only then is a mapfile that marks it '+' renamed into place.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "imaging/rescue/rescue_private.h"

#define ERRORS_PER_SPEED_STEP 4

/* ---- the read log (ddrescue's --log-reads format) ---------------------- */

static void log_line(struct img_rescue *r, int64_t lba, int64_t count, int64_t done)
{
	if (!r->log)
		return;
	fprintf(r->log, "0x%08llX\t%lld\t%lld\t%lld\n", (unsigned long long)S2B(lba),
		(long long)S2B(count), (long long)S2B(done), (long long)S2B(count - done));
}

void rescue_begin_pass(struct img_rescue *r, char phase, int pass, const char *what)
{
	r->phase = phase;
	r->pass = pass;
	r->map.current_status = phase;
	r->map.current_pass = pass;
	if (r->log)
		fprintf(r->log, "\n# %.0fs  %s\n", sp_now() - r->t0, what);
}

/* ---- reading ------------------------------------------------------------ */

bool rescue_is_runout(const struct img_rescue *r, int64_t lba)
{
	for (size_t i = 0; i < r->runout.n; i++)
		if (lba >= r->runout.v[i].lba && lba < r->runout.v[i].lba + r->runout.v[i].count)
			return true;
	return false;
}

static void step_speed_down(struct img_rescue *r)
{
	struct sp_error e = SP_ERROR_INIT;

	if (++r->errors_at_speed < ERRORS_PER_SPEED_STEP || r->speed_idx + 1 >= r->n_speeds)
		return;
	r->errors_at_speed = 0;
	r->speed_idx++;
	drv_set_read_speed(r->d, r->speeds[r->speed_idx], &e);
}

/* Bytes of [pos, pos+size) (bytes) inside the domain; all without one. */
static int64_t in_domain(const struct img_rescue *r, int64_t pos, int64_t size)
{
	size_t lo = 0, hi = r->domain.n;
	int64_t n = 0;

	if (!r->has_domain)
		return size;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (S2B(r->domain.v[mid].lba + r->domain.v[mid].count) <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < r->domain.n && S2B(r->domain.v[lo].lba) < pos + size; lo++) {
		int64_t s = S2B(r->domain.v[lo].lba), e = S2B(r->domain.v[lo].lba + r->domain.v[lo].count);

		n += (e < pos + size ? e : pos + size) - (s > pos ? s : pos);
	}
	return n;
}

static bool is_bad(char c)
{
	return c == '-' || c == '*' || c == '/';
}

/* The figures of a progress report (bad: what failed so far, trimmed yet
 * or not), over the domain when there is one
 * (an extraction: the files' blocks, not the disc). */
static void count_map(const struct img_rescue *r, struct img_rescue_progress *p, int64_t *untried)
{
	bool prev_bad = false;

	p->total_bytes = r->has_domain ? S2B(img_ranges_total(&r->domain)) : S2B(r->extent);
	*untried = 0;
	for (size_t i = 0; i < r->map.n; i++) {
		const struct img_map_block *b = &r->map.v[i];
		int64_t n = in_domain(r, b->pos, b->size);

		if (!n) {
			prev_bad = prev_bad && !r->has_domain;
			continue;
		}
		if (b->status == '+')
			p->rescued_bytes += n;
		else if (b->status == '?')
			*untried += n;
		if (is_bad(b->status)) {
			p->bad_bytes += n;
			p->bad_areas += !prev_bad;
		}
		prev_bad = is_bad(b->status);
	}
}

int64_t rescue_rescued_bytes(const struct img_rescue *r)
{
	struct img_rescue_progress p;
	int64_t untried;

	memset(&p, 0, sizeof(p));
	count_map(r, &p, &untried);
	return p.rescued_bytes;
}

void rescue_progress(struct img_rescue *r, bool force)
{
	struct img_rescue_progress p;
	double now = sp_now();
	int64_t untried;

	if (!r->o.progress || (!force && now - r->last_progress < 0.25))
		return;
	r->last_progress = now;
	memset(&p, 0, sizeof(p));
	p.phase = r->phase;
	p.pass = r->pass;
	p.phase_name = r->phase == IMG_PHASE_COPYING ? "copying" :
		r->phase == IMG_PHASE_TRIMMING ? "trimming" :
		r->phase == IMG_PHASE_SCRAPING ? "scraping" :
		r->phase == IMG_PHASE_RETRYING ? "retrying" :
		r->phase == IMG_PHASE_FINISHED ? "finished" : "tree";
	p.pos_lba = r->map.current_pos / SP_SECTOR;
	count_map(r, &p, &untried);
	p.reads = r->reads;
	p.failed_reads = r->failed_reads;
	p.elapsed = now - r->t0;
	p.final = force;
	if (now - r->rate_t >= 2.0 || (r->rate == 0 && now - r->rate_t >= 0.2)) {
		r->rate = (double)(p.rescued_bytes - r->rate_bytes) / (now - r->rate_t);
		if (now - r->rate_t >= 2.0) {
			r->rate_t = now;
			r->rate_bytes = p.rescued_bytes;
		}
	}
	p.rate = r->rate;
	p.eta = -1;
	if (r->phase == IMG_PHASE_COPYING && r->rate > 0)
		p.eta = (double)untried / r->rate;
	r->o.progress(&p, r->o.progress_ctx);
}

/*
 * Read [lba, lba+count) once, write what came to the image, mark it '+';
 * a failure leaves the map alone (the caller knows what the failure means).
 */
enum read_result rescue_read(struct img_rescue *r, int64_t lba, int64_t count)
{
	struct sp_error e = SP_ERROR_INIT;
	enum sp_status st;
	uint32_t done = 0;
	double t0;

	if (rescue_should_stop(r))
		return READ_STOP;
	r->map.current_pos = S2B(lba);
	t0 = sp_now();
	st = drv_read(r->d, lba, (uint32_t)count, r->buf, &done, &e);
	img_read_times_add(&r->times, lba, count, sp_now() - t0, st == SP_OK);
	r->reads++;
	log_line(r, lba, count, st == SP_OK ? count : done);
	if (done > 0) {
		if (sp_pwrite_all(r->out_fd, r->buf, S2B(done), (uint64_t)S2B(lba),
				  r->o.out_path, &r->fatal) != SP_OK) {
			r->failed = true;
			return READ_STOP;
		}
		if (img_mapfile_mark(&r->map, S2B(lba), S2B(done), '+', IMG_MARK_ALWAYS) != SP_OK) {
			sp_error_set(&r->fatal, SPE_NOMEM, "out of memory");
			r->failed = true;
			return READ_STOP;
		}
	}
	rescue_progress(r, false);
	if (st == SP_OK)
		return READ_OK;
	r->failed_reads++;
	if (e.has_sense && e.sense_key == 0x05 && e.asc == 0x64) {
		/* not damage: the link blocks after a TAO track */
		img_ranges_add(&r->runout, lba + done, count - done);
	} else {
		step_speed_down(r);
	}
	return READ_FAILED;
}

bool rescue_should_stop(struct img_rescue *r)
{
	struct sp_error e = SP_ERROR_INIT;
	double now;

	if (r->failed)
		return true;
	if (drv_interrupted()) {
		r->stop = IMG_RESCUE_INTERRUPTED;
		return true;
	}
	now = sp_now();
	if (r->o.max_time > 0 && now - r->t0 >= r->o.max_time) {
		r->stop = IMG_RESCUE_TIMEOUT;
		return true;
	}
	if (now - r->last_save >= r->o.map_interval && rescue_save(r, &e) != SP_OK) {
		r->fatal = e;
		r->failed = true;
		return true;
	}
	return false;
}

enum sp_status rescue_save(struct img_rescue *r, struct sp_error *err)
{
	r->last_save = sp_now();
	/* the data first, then the map that claims it */
	if (fdatasync(r->out_fd) < 0)
		return sp_error_set_errno(err, errno, "cannot write '%s'", r->o.out_path);
	if (r->log)
		fflush(r->log);
	return img_mapfile_save(&r->map, r->o.map_path, r->o.creator, err);
}

/* One sector into r->buf, logged and counted (the extent is read this way). */
bool rescue_read_block(struct img_rescue *r, int64_t lba)
{
	struct sp_error e = SP_ERROR_INIT;
	uint32_t done;
	bool ok = drv_read(r->d, lba, 1, r->buf, &done, &e) == SP_OK;

	r->reads++;
	r->failed_reads += !ok;
	log_line(r, lba, 1, ok);
	return ok;
}
