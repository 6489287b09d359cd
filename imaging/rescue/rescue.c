/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rescue.c - the rescue engine's frame: what to read (the extent), the
 * output image and its mapfile (new, resumed or refused), and the final
 * report.  The engine calls the passes (rescue_passes.c); both read
 * through the primitive in rescue_read.c, which neither of them owns.
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

/* ---- the extent: what to read ------------------------------------------ */

/* The ISO 9660 volume space size from the PVD at start+16, -2 for a UDF
 * volume, or -1. */
static int64_t iso_volume_size(struct img_rescue *r, int64_t start)
{
	if (!rescue_read_block(r, start + 16)) {
		warn(r, "cannot read the volume descriptor at LBA %lld; reading the whole capacity",
		     (long long)(start + 16));
		r->vd_unreadable = true;
		return -1;
	}
	r->vd_lba = start + 16;
	memcpy(r->vd, r->buf, SP_SECTOR);
	return img_vd_volume_size(r->buf);
}

/* Does dvdisaster's error-correction data follow the volume (an augmented
 * disc: spindle burn --protect, RS02/RS03)?  Its header is the sector
 * after the volume's end. */
static bool ecc_follows(struct img_rescue *r, int64_t lba)
{
	return rescue_read_block(r, lba) && memcmp(r->buf, "*dvdisaster*", 12) == 0 &&
	       (memcmp(r->buf + 12, "RS02", 4) == 0 || memcmp(r->buf + 12, "RS03", 4) == 0);
}

/* rescue_read_block() as an img_block_read_fn: the block lands in r->buf */
static bool read_block_logged(void *ctx, int64_t lba, unsigned char *buf)
{
	(void)buf;
	return rescue_read_block(ctx, lba);
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
		/* a volume size beyond what the source can ever hold (a hostile or
		 * damaged PVD) would mean reading, and failing, for days */
		if (iso > cap) {
			warn(r, "the ISO 9660 volume claims %lld sectors but '%s' holds only %lld: "
			     "reading those %lld", (long long)iso, drv_address(r->d),
			     (long long)cap, (long long)cap);
			r->extent = cap;
		}
		/* the parity too, so that the rip can rebuild from it */
		if (start == 0 && r->extent < cap && ecc_follows(r, r->extent)) {
			r->extent = cap;
			r->extent_source = "augmented";
		}
	} else if (iso == -2 &&
		   (iso = img_udf_volume_end(read_block_logged, r, r->buf, start, cap)) > 0) {
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
	r->t0 = r->last_save = r->rate_t = sp_now();
	r->last_progress = 0;   /* the first read reports */
	sp_error_init(&r->fatal);
	img_mapfile_init(&r->map);
	img_mapfile_init(&r->repaired);
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
	if (img_read_times_init(&r->times, r->extent, IMG_RESCUE_TIME_BINS) != SP_OK) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto fail;
	}
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
	img_mapfile_release(&r->repaired);
	img_ranges_release(&r->runout);
	img_ranges_release(&r->domain);
	img_ranges_release(&r->order);
	img_read_times_release(&r->times);
	free(r->speeds);
	free(r->buf);
	free(r);
}

enum sp_status img_rescue_run(struct img_rescue *r, struct sp_error *err)
{
	struct sp_error e = SP_ERROR_INIT;
	enum sp_status st;

	r->t0 = r->last_save = r->rate_t = sp_now();
	r->rate_bytes = rescue_rescued_bytes(r);
	st = rescue_passes(r, err);
	if (st == SP_OK && !r->failed && r->stop == IMG_RESCUE_DONE)
		r->phase = IMG_PHASE_FINISHED;
	rescue_progress(r, true);
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
	if (img_read_times_copy(&rep->times, &r->times) != SP_OK)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
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
	for (size_t i = 0; i < r->repaired.n; i++)
		if (r->repaired.v[i].status == '+' &&
		    img_ranges_add(&rep->repaired, r->repaired.v[i].pos / SP_SECTOR,
				   r->repaired.v[i].size / SP_SECTOR) != SP_OK)
			return sp_error_set(err, SPE_NOMEM, "out of memory");
	rep->repaired_sectors = img_ranges_total(&rep->repaired);
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
	img_ranges_release(&rep->repaired);
	img_read_times_release(&rep->times);
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
