/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rescue.c - the rescue engine's frame: what to read (the extent), the
 * output image and its mapfile (new, resumed or refused), each read with
 * its bookkeeping, saving, and the final report.  The passes themselves
 * are in rescue_passes.c.
 *
 * Ordering rule: data is written to the image, the image is fdatasync'ed,
 * and only then is a mapfile that marks it '+' renamed into place.  A
 * mapfile on disk therefore never claims data the image lacks, whether the
 * run ends normally, by a signal, by SIGKILL or by a full disk.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imaging/rescue/rescue_private.h"

#define ERRORS_PER_SPEED_STEP 4

static void warn(struct img_rescue *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(struct img_rescue *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!r->o.warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->o.warn(r->o.progress_ctx, msg);
}

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

static void progress(struct img_rescue *r, bool force)
{
	struct img_rescue_progress p;
	double now = sp_now();
	int64_t total = S2B(r->extent);

	if (!r->o.progress || (!force && now - r->last_progress < 0.25))
		return;
	r->last_progress = now;
	memset(&p, 0, sizeof(p));
	p.phase = r->phase;
	p.pass = r->pass;
	p.phase_name = r->phase == IMG_PHASE_COPYING ? "copying" :
		r->phase == IMG_PHASE_TRIMMING ? "trimming" :
		r->phase == IMG_PHASE_SCRAPING ? "scraping" :
		r->phase == IMG_PHASE_RETRYING ? "retrying" : "finished";
	p.pos_lba = r->map.current_pos / SP_SECTOR;
	p.rescued_bytes = img_mapfile_count(&r->map, '+', NULL);
	/* what failed so far, whether trimmed yet or not */
	for (size_t i = 0; i < r->map.n; i++) {
		char c = r->map.v[i].status;

		if (c != '-' && c != '*' && c != '/')
			continue;
		p.bad_bytes += r->map.v[i].size;
		if (i == 0 || (r->map.v[i - 1].status != '-' && r->map.v[i - 1].status != '*' &&
			       r->map.v[i - 1].status != '/'))
			p.bad_areas++;
	}
	p.total_bytes = total;
	p.reads = r->reads;
	p.failed_reads = r->failed_reads;
	p.elapsed = now - r->t0;
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
		p.eta = (double)img_mapfile_count(&r->map, '?', NULL) / r->rate;
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

	if (rescue_should_stop(r))
		return READ_STOP;
	r->map.current_pos = S2B(lba);
	st = drv_read(r->d, lba, (uint32_t)count, r->buf, &done, &e);
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
	progress(r, false);
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

/* ---- the extent: what to read ------------------------------------------ */

static int64_t be32(const unsigned char *p)
{
	return (int64_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static int64_t le32(const unsigned char *p)
{
	return (int64_t)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0];
}

static bool read_logged(struct img_rescue *r, int64_t lba);

int64_t rescue_vd_volume_size(const unsigned char *vd)
{
	int64_t n;

	if (memcmp(vd + 1, "BEA01", 5) == 0)
		return -2;      /* UDF's volume recognition sequence */
	if (vd[0] != 1 || memcmp(vd + 1, "CD001", 5) != 0)
		return -1;
	n = le32(vd + 80);
	if (n != be32(vd + 84) || n < 17)
		return -1;
	return n;
}

/* The ISO 9660 volume space size from the PVD at start+16, -2 for a UDF
 * volume, or -1. */
static int64_t iso_volume_size(struct img_rescue *r, int64_t start)
{
	if (!read_logged(r, start + 16)) {
		warn(r, "cannot read the volume descriptor at LBA %lld; reading the whole capacity",
		     (long long)(start + 16));
		r->vd_unreadable = true;
		return -1;
	}
	r->vd_lba = start + 16;
	memcpy(r->vd, r->buf, SP_SECTOR);
	return rescue_vd_volume_size(r->buf);
}

/* A UDF descriptor tag with this identifier and a good checksum? */
static bool udf_tag(const unsigned char *b, int id)
{
	unsigned sum = 0;

	for (int i = 0; i < 16; i++)
		if (i != 4)
			sum += b[i];
	return (b[0] | b[1] << 8) == id && (sum & 0xff) == b[4];
}

static bool read_logged(struct img_rescue *r, int64_t lba)
{
	struct sp_error e = SP_ERROR_INIT;
	uint32_t done;
	bool ok = drv_read(r->d, lba, 1, r->buf, &done, &e) == SP_OK;

	r->reads++;
	r->failed_reads += !ok;
	log_line(r, lba, 1, ok);
	return ok;
}

int64_t rescue_udf_volume_end(img_block_read_fn read, void *ctx, unsigned char *buf,
			      int64_t start, int64_t cap)
{
	int64_t vds, len, end = -1;

	if (!read(ctx, start + 256, buf) || !udf_tag(buf, 2))
		return -1;
	len = le32(buf + 16) / SP_SECTOR;
	vds = start + le32(buf + 20);
	for (int64_t i = 0; i < len && i < 32; i++) {
		if (!read(ctx, vds + i, buf))
			return -1;
		if (udf_tag(buf, 8))
			break;
		if (udf_tag(buf, 5))
			end = start + le32(buf + 188) + le32(buf + 192);
	}
	/* the reserve anchors lie past the partition, up to 256 sectors */
	if (end > 0 && cap > end && cap - end <= 512)
		end = cap;
	return end > 256 ? end : -1;
}

/* read_logged() as an img_block_read_fn: the block lands in r->buf */
static bool read_block_logged(void *ctx, int64_t lba, unsigned char *buf)
{
	(void)buf;
	return read_logged(ctx, lba);
}

static int descending(const void *a, const void *b)
{
	return *(const int *)b - *(const int *)a;
}

static enum sp_status find_extent(struct img_rescue *r, struct sp_error *err)
{
	struct drv_medium m;
	int64_t cap, start = 0, iso;

	if (drv_get_medium(r->d, &m, err) != SP_OK)
		return SP_FAILED;
	if (m.status == DRV_DISC_EMPTY) {
		drv_medium_release(&m);
		sp_error_set(err, SPE_NOMEDIUM, "no disc in '%s'", drv_address(r->d));
		sp_error_hint(err, "insert the disc to rescue, then run the same command again");
		return SP_FAILED;
	}
	r->E = r->o.ecc_block ? r->o.ecc_block : (m.ecc_block ? m.ecc_block : 1);
	for (int i = 0; i < m.n_tracks; i++)
		if (!m.tracks[i].audio)
			start = m.tracks[i].start_lba;
	if (m.n_read_speeds > 0) {
		r->speeds = malloc(sizeof(int) * (size_t)m.n_read_speeds);
		if (r->speeds) {
			memcpy(r->speeds, m.read_speeds_kbps, sizeof(int) * (size_t)m.n_read_speeds);
			r->n_speeds = m.n_read_speeds;
			qsort(r->speeds, (size_t)r->n_speeds, sizeof(int), descending);
		}
	}
	drv_medium_release(&m);
	cap = drv_readable_sectors(r->d);
	r->capacity = cap;
	if (r->o.whole_disc || cap <= 16) {
		r->extent = cap;
		r->extent_source = r->o.whole_disc ? "whole-disc" : "capacity";
	} else if ((iso = iso_volume_size(r, start)) > 0) {
		r->extent = iso;
		r->extent_source = "iso9660";
		if (iso > cap)
			warn(r, "the ISO 9660 volume is %lld sectors but the medium has %lld readable: the tail will be missing",
			     (long long)iso, (long long)cap);
	} else if (iso == -2 &&
		   (iso = rescue_udf_volume_end(read_block_logged, r, r->buf, start, cap)) > 0) {
		r->extent = iso;
		r->extent_source = "udf";
	} else {
		r->extent = cap;
		r->extent_source = "capacity";
	}
	if (r->extent <= 0)
		return sp_error_set(err, SPE_MEDIUM, "'%s' holds nothing to read", drv_address(r->d));
	/* the copy chunk: 64 KiB, or one ECC block if larger */
	r->C = r->E >= 32 ? r->E : (32 / r->E) * r->E;
	if (r->C > DRV_READ_MAX)
		return sp_error_set(err, SPE_USAGE, "ECC block of %u sectors is larger than %d",
				    r->E, DRV_READ_MAX);
	return SP_OK;
}

/* ---- the output and its mapfile ----------------------------------------- */

/*
 * Resuming or merging: if the image already holds the volume descriptor
 * read from the disc, they must agree, or this is another disc.
 */
static enum sp_status same_disc(struct img_rescue *r, struct sp_error *err)
{
	unsigned char have[SP_SECTOR];
	size_t i;

	if (r->vd_lba < 0)
		return SP_OK;
	i = img_mapfile_find(&r->map, S2B(r->vd_lba));
	if (i == r->map.n || r->map.v[i].status != '+' ||
	    r->map.v[i].pos + r->map.v[i].size < S2B(r->vd_lba + 1))
		return SP_OK;
	if (pread(r->out_fd, have, SP_SECTOR, S2B(r->vd_lba)) != SP_SECTOR)
		return sp_error_set_errno(err, errno ? errno : EIO, "cannot read '%s'", r->o.out_path);
	if (memcmp(have, r->vd, SP_SECTOR) == 0)
		return SP_OK;
	sp_error_set(err, SPE_MEDIUM,
		     "'%s' holds another disc: its volume descriptor at LBA %lld differs from the one in '%s'",
		     r->o.out_path, (long long)r->vd_lba, drv_address(r->d));
	sp_error_hint(err, "rip this disc to another -o, or use --force to start over");
	return SP_FAILED;
}

static enum sp_status open_output(struct img_rescue *r, struct sp_error *err)
{
	const char *out = r->o.out_path, *map = r->o.map_path;
	int64_t want = S2B(r->extent), have;
	bool map_exists = false, out_exists;
	struct stat st;

	out_exists = stat(out, &st) == 0;
	if (out_exists && S_ISDIR(st.st_mode))
		return sp_error_set(err, SPE_USAGE, "'%s' is a directory", out);
	if (img_mapfile_load(&r->map, map, &map_exists, err) != SP_OK)
		return SP_FAILED;
	if (map_exists && !r->o.force) {
		have = img_mapfile_size(&r->map);
		if (have != want && r->vd_unreadable && r->map.n && have % SP_SECTOR == 0 &&
		    have <= S2B(r->capacity)) {
			/* the volume descriptor did not read this time: the map
			 * knows the size from an earlier run */
			r->extent = have / SP_SECTOR;
			r->extent_source = "mapfile";
			want = have;
		}
		if (have > want) {
			sp_error_set(err, SPE_FORMAT,
				     "mapfile '%s' is for %lld bytes, but this rip is %lld bytes (%lld sectors, %s)",
				     map, (long long)have, (long long)want, (long long)r->extent,
				     r->extent_source);
			sp_error_hint(err, "is it another disc's mapfile? give the right one with --map%s",
				      r->o.whole_disc ? "" : ", or try --whole-disc");
			return SP_FAILED;
		}
		if (have < want && r->map.n) {
			/* ddrescue stops a map where its domain ends */
			warn(r, "mapfile '%s' covers %lld of %lld bytes; the rest counts as not tried",
			     map, (long long)have, (long long)want);
			if (img_mapfile_extend(&r->map, want) != SP_OK)
				return sp_error_set(err, SPE_NOMEM, "out of memory");
		}
		if (!out_exists && img_mapfile_count(&r->map, '+', NULL) > 0) {
			sp_error_set(err, SPE_NOENT,
				     "mapfile '%s' records rescued data, but '%s' does not exist", map, out);
			sp_error_hint(err, "give the image it belongs to with -o, or use --force to start over");
			return SP_FAILED;
		}
		if (out_exists && S_ISREG(st.st_mode) && st.st_size > want) {
			sp_error_set(err, SPE_FORMAT, "'%s' is larger than the rip (%lld bytes)",
				     out, (long long)want);
			sp_error_hint(err, "is it another disc's image? use --force to overwrite it");
			return SP_FAILED;
		}
		r->resumed = r->map.n > 0;
	}
	if (!r->resumed && out_exists && !r->o.force &&
	    !(S_ISREG(st.st_mode) && st.st_size == 0)) {
		sp_error_set(err, SPE_EXISTS, "'%s' already exists and has no mapfile ('%s')%s", out, map,
			     map_exists ? " with anything in it" : "");
		sp_error_hint(err, "give its mapfile with --map to resume, or use --force to overwrite it");
		return SP_FAILED;
	}
	if (!r->resumed && img_mapfile_reset(&r->map, want) != SP_OK)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	/* a finished rescue run again (perhaps with another drive): the bad
	 * blocks get one more read */
	if (r->resumed && r->map.current_status == IMG_PHASE_FINISHED) {
		img_mapfile_retry_bad(&r->map);
		r->map.current_status = IMG_PHASE_SCRAPING;
	}
	/* sector-granular from here on */
	img_mapfile_align(&r->map, SP_SECTOR);
	/* A fresh rip writes its mapfile before it creates the image: killed
	 * in between, the next run finds a mapfile claiming nothing and
	 * resumes.  The other order leaves an image without a mapfile, which
	 * the next run must refuse as someone else's file. */
	if (!r->resumed && img_mapfile_save(&r->map, map, r->o.creator, err) != SP_OK)
		return SP_FAILED;
	r->out_fd = open(out, O_RDWR | O_CREAT | O_CLOEXEC | (r->resumed ? 0 : O_TRUNC), 0644);
	if (r->out_fd < 0) {
		sp_error_set_errno(err, errno, "cannot open '%s' for writing", out);
		if (err->code == SPE_ACCESS || err->code == SPE_NOENT)
			sp_error_hint(err, "choose an output path in a writable directory");
		return SP_FAILED;
	}
	if (r->resumed && same_disc(r, err) != SP_OK)
		return SP_FAILED;
	/* the image has its full size from the start (sparse) */
	if (fstat(r->out_fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < want &&
	    ftruncate(r->out_fd, want) < 0)
		return sp_error_set_errno(err, errno, "cannot extend '%s'", out);
	return rescue_save(r, err);
}

enum sp_status img_rescue_new(struct img_rescue **out, struct drv_drive *d,
			      const struct img_rescue_opts *o, struct sp_error *err)
{
	struct img_rescue *r;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	r->d = d;
	r->o = *o;
	r->out_fd = -1;
	r->vd_lba = -1;
	r->t0 = r->last_save = r->last_progress = r->rate_t = sp_now();
	sp_error_init(&r->fatal);
	img_mapfile_init(&r->map);
	r->buf = malloc(S2B(DRV_READ_MAX));
	if (!r->buf) {
		free(r);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	if (o->log_reads_path) {
		r->log = fopen(o->log_reads_path, "we");
		if (!r->log) {
			sp_error_set_errno(err, errno, "cannot create '%s'", o->log_reads_path);
			goto fail;
		}
		fprintf(r->log, "# Reads Logfile. Created by %s\n"
			"#  Ipos       Size  Copied_size  Error_size\n", o->creator);
		fprintf(r->log, "\n# 0s  Finding the extent\n");
	}
	if (find_extent(r, err) != SP_OK || open_output(r, err) != SP_OK)
		goto fail;
	*out = r;
	return SP_OK;
fail:
	img_rescue_free(r);
	return SP_FAILED;
}

void img_rescue_free(struct img_rescue *r)
{
	if (!r)
		return;
	if (r->out_fd >= 0)
		close(r->out_fd);
	if (r->log)
		fclose(r->log);
	img_mapfile_release(&r->map);
	img_ranges_release(&r->runout);
	free(r->speeds);
	free(r->buf);
	free(r);
}

enum sp_status img_rescue_run(struct img_rescue *r, struct sp_error *err)
{
	struct sp_error e = SP_ERROR_INIT;
	enum sp_status st;

	r->t0 = r->last_save = r->rate_t = sp_now();
	r->rate_bytes = img_mapfile_count(&r->map, '+', NULL);
	st = rescue_passes(r, err);
	progress(r, true);
	if (r->failed) {
		*err = r->fatal;
		st = SP_FAILED;
	}
	if (st == SP_OK && r->stop == IMG_RESCUE_DONE) {
		/* a finished map reads the same however the run was split */
		r->map.current_status = IMG_PHASE_FINISHED;
		r->map.current_pos = 0;
		r->map.current_pass = 1;
	}
	/* always leave a map that matches the image, even after an error */
	if (rescue_save(r, st == SP_OK ? err : &e) != SP_OK && st == SP_OK)
		st = SP_FAILED;
	return st;
}

/* ---- the report --------------------------------------------------------- */

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

static enum sp_status hash_image(struct img_rescue *r, char hex[65], struct sp_error *err)
{
	struct img_sha256 *h = img_sha256_new();
	size_t chunk = 1 << 20;
	unsigned char *buf = malloc(chunk);
	int64_t off = 0, end = S2B(r->extent);

	if (!h || !buf) {
		free(buf);
		if (h)
			img_sha256_final(h, hex);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	while (off < end) {
		size_t want = (size_t)(end - off < (int64_t)chunk ? end - off : (int64_t)chunk);
		ssize_t n = pread(r->out_fd, buf, want, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			img_sha256_final(h, hex);
			hex[0] = '\0';
			return sp_error_set_errno(err, n < 0 ? errno : EIO, "cannot read '%s'",
						  r->o.out_path);
		}
		img_sha256_update(h, buf, (size_t)n);
		off += n;
	}
	free(buf);
	img_sha256_final(h, hex);
	return SP_OK;
}

enum sp_status img_rescue_report(struct img_rescue *r, struct img_rescue_report *rep,
				 struct sp_error *err)
{
	struct img_ranges all = IMG_RANGES_INIT;

	memset(rep, 0, sizeof(*rep));
	rep->extent_sectors = r->extent;
	rep->extent_source = r->extent_source;
	rep->ecc_block = r->E;
	rep->resumed = r->resumed;
	rep->stop = r->stop;
	rep->reads = r->reads;
	rep->failed_reads = r->failed_reads;
	rep->elapsed = sp_now() - r->t0;
	rep->rescued_bytes = img_mapfile_count(&r->map, '+', NULL);
	if (img_mapfile_bad_ranges(&r->map, &all, err) != SP_OK)
		return SP_FAILED;
	/* split what is missing into run-out (not damage) and the rest */
	for (size_t i = 0; i < all.n; i++)
		for (int64_t s = all.v[i].lba; s < all.v[i].lba + all.v[i].count; s++) {
			bool ro = rescue_is_runout(r, s);
			int64_t e = s + 1;

			while (e < all.v[i].lba + all.v[i].count && rescue_is_runout(r, e) == ro)
				e++;
			if (img_ranges_add(ro ? &rep->runout : &rep->bad, s, e - s) != SP_OK) {
				img_ranges_release(&all);
				return sp_error_set(err, SPE_NOMEM, "out of memory");
			}
			s = e - 1;
		}
	img_ranges_release(&all);
	rep->bad_areas = rep->bad.n;
	rep->missing_bytes = S2B(img_ranges_total(&rep->bad));
	rep->untried_bytes = img_mapfile_count(&r->map, '?', NULL);
	rep->complete = rep->bad.n == 0;
	if (rep->complete && hash_image(r, rep->sha256, err) != SP_OK)
		return SP_FAILED;
	return SP_OK;
}

void img_rescue_report_release(struct img_rescue_report *rep)
{
	img_ranges_release(&rep->bad);
	img_ranges_release(&rep->runout);
}

/* ---- --test-mode --------------------------------------------------------- */

enum sp_status img_damage_from_mapfile(struct drv_damage *dm, const char *path,
				       struct sp_error *err)
{
	struct img_mapfile m;
	bool exists;
	enum sp_status st = SP_FAILED;

	img_mapfile_init(&m);
	if (img_mapfile_load(&m, path, &exists, err) != SP_OK)
		goto out;
	if (!exists) {
		sp_error_set_errno(err, ENOENT, "cannot open test-mode mapfile '%s'", path);
		goto out;
	}
	drv_damage_set_default(dm, DRV_DAMAGE_BAD);
	for (size_t i = 0; i < m.n; i++) {
		/* a sector reads only when all of it is finished */
		int64_t s = (m.v[i].pos + SP_SECTOR - 1) / SP_SECTOR;
		int64_t e = (m.v[i].pos + m.v[i].size) / SP_SECTOR;

		if (m.v[i].status == '+' && e > s &&
		    drv_damage_add(dm, DRV_DAMAGE_GOOD, s, e - s, 0, err) != SP_OK)
			goto out;
	}
	st = SP_OK;
out:
	img_mapfile_release(&m);
	return st;
}
