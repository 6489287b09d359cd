/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_burn.c - spindle burn: write an image file or standard input. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/master_args.h"
#include "drive/drive.h"
#include "imaging/imaging.h"

enum {
	OPT_SPEED = 256,
	OPT_MODE,
	OPT_SIMULATE,
	OPT_MULTI,
	OPT_EJECT,
	OPT_STREAM,
	OPT_FIFO,
	OPT_FORCE,
	OPT_NO_VERIFY,
	OPT_BLANK,
	OPT_APPEND,
	OPT_YES,
	OPT_BMAP,
	OPT_PROTECT,
};

static const struct cli_opt opts[] = {
	{ "speed", OPT_SPEED, "SPEED", "write speed: max (default), a multiple such as 8x, or kB/s" },
	{ "mode", OPT_MODE, "auto|sao|tao", "write mode: auto (default), sao or tao" },
	{ "simulate", OPT_SIMULATE, NULL, "go through the motions with the laser off; nothing is written" },
	{ "multi", OPT_MULTI, NULL, "leave the disc appendable for later sessions" },
	{ "eject", OPT_EJECT, NULL, "eject the disc when done" },
	{ "stream-recording", OPT_STREAM, NULL, "BD: write without defect management, for full speed" },
	{ "fifo", OPT_FIFO, "SIZE", "size of the FIFO between image and drive (default 64M or the image's size if smaller, 1M to 1G)" },
	{ "force", OPT_FORCE, NULL, "write over a medium or virtual drive file that holds data" },
	{ "append", OPT_APPEND, NULL, "DIR: add its files to the disc's ISO 9660 tree as a new session" },
	{ "blank", OPT_BLANK, NULL, "blank a CD-RW/DVD-RW or format an unformatted BD-RE first; "
	  "write over DVD+RW, BD-RE, DVD-RAM" },
	{ "no-verify", OPT_NO_VERIFY, NULL, "do not compare the disc with the image afterwards" },
	{ "yes", OPT_YES, NULL, "USB stick: write without asking for confirmation" },
	{ "bmap", OPT_BMAP, "FILE", "USB stick: write only the blocks the bmaptool FILE maps, "
	  "checking its checksums" },
	{ "protect", OPT_PROTECT, NULL, "burn IMAGE augmented with RS03 error-correction data (see spindle protect) that fills "
	  "the disc, made as it is written (no copy of IMAGE; verified by digest)" },
	CLI_MASTER_OPTIONS,
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_burn = {
	"[-d DRIVE]... [OPTIONS] IMAGE|-|SRC...",
	"Write an image file or standard input to a disc",
	"Writes IMAGE, or standard input if IMAGE is -, as one data track, then "
	"reads the disc back and compares it with the image (see spindle "
	"verify).  For standard input, which cannot be read twice, the "
	"comparison is by SHA-256.  An image of one data track in another "
	"format (Nero NRG, Alcohol MDS/MDF, Daemon Tools MDS v2/MDX, CloneCD CCD, "
	"DiscJuggler CDI, cdrdao TOC) is burnt from its 2048-byte user data; an image holding audio "
	"tracks is burnt as CD tracks (see below).\n\n"
	"Before anything is written, spindle checks that the medium is blank and "
	"that the image fits.  A disc that holds data, or a virtual drive file "
	"that exists and is not empty, is refused unless --force is given.  An "
	"image larger than the free space (for a virtual drive: the free space "
	"of its filesystem) is refused with nothing written.\n\n"
	"Rewritable media are prepared only when asked: with --blank, a CD-RW "
	"or DVD-RW holding data is fast-blanked, an unformatted BD-RE or "
	"DVD-RAM is formatted, and a DVD+RW, BD-RE or DVD-RAM holding data is "
	"written over.  --blank cannot be combined with --simulate.\n\n"
	"Appending: 'spindle burn --append DIR' adds the files of directory DIR "
	"to the ISO 9660 file system on the disc, as a new session whose tree "
	"holds the old files and the new ones (a file of the same name is "
	"replaced), through libisoburn; on a blank disc it writes the first "
	"session.  Give --multi to leave the disc appendable for more.  This "
	"works on CD-R/RW, DVD±R, DVD-RW, BD-R and, with an emulated table of "
	"contents, on DVD+RW, DVD-RAM and BD-RE.  The session carries MD5 "
	"checksums that 'spindle verify' can check.\n\n"
	"The image reaches the drive through a FIFO.  libburn's FIFO pauses 50 "
	"ms whenever it runs full or empty, so it moves at most its size per "
	"50 ms; the 64 MiB default (or the image's size, when smaller) is "
	"well above any drive's speed.\n\n"
	"On a terminal a progress line shows percent, MB/s and x-speed, the "
	"time left, and the fill of the FIFO and of the drive's buffer.  With "
	"--json, progress objects are printed about once a second.\n\n"
	"Interrupting a burn: SIGINT (Ctrl-C), SIGTERM or SIGHUP stop it "
	"cleanly through libburn.  spindle says at once that it is stopping "
	"(with --json, a progress object of phase \"cancelling\"), lets the "
	"drive finish the command it is in - a blank, a format or the closing "
	"of a disc cannot be cut short - then releases the drive with its tray "
	"unlocked, so that the next command can use it, and exits with status "
	"8 (with --json, a result with ok false and error code \"aborted\").  "
	"The message says what the disc holds then, as the drive reports it.  "
	"Interrupted before the first sector was recorded (waiting for "
	"standard input, grabbing the drive, sending the cue sheet), nothing "
	"changed: a blank disc is still blank.  Interrupted during --blank, the "
	"disc is left blank (or formatted and empty) with nothing written.  "
	"Interrupted in the middle of the track, a CD-R or CD-RW (SAO or TAO) "
	"and a DVD-R or DVD-RW are left closed with an incomplete track: a "
	"CD-R or DVD-R is then lost, a CD-RW or DVD-RW can be blanked with "
	"--blank; a DVD+R or BD-R is left appendable with an unfinished track "
	"in an open session, after which --force can still write, though a new "
	"disc is the safer choice; a DVD+RW, DVD-RAM or BD-RE holds an "
	"incomplete image until it is burned again with --blank; a virtual "
	"drive holds an incomplete file until it is burned again with --force.  "
	"Interrupted while the track or disc was being closed, the drive "
	"finishes: the whole image is on the disc, but it was not verified (run "
	"spindle verify).\n\n"
	"Given directories or graft points /PATH/IN/IMAGE=SRC instead of an "
	"image (or files together with a mastering option such as --volid), "
	"spindle masters an ISO 9660 "
	"image on the fly, exactly as spindle mkiso would (the mastering "
	"options are the same), and burns it with no temporary file: libisofs "
	"feeds the FIFO, the FIFO feeds the drive.  The disc is then verified "
	"against the MD5 tags recorded in it, naming any damaged file; with "
	"--no-md5 there is nothing to verify against and the check is skipped.\n\n"
	"Duplication: with several -d options the image is burned to all those "
	"drives at once, each verified on its own, with one progress line.  A "
	"drive that fails does not stop the others; each drive's result is "
	"reported (with --json as a \"drive_result\" object), and the exit "
	"status is that of the first failed drive in -d order.  Duplication "
	"takes an image file, not standard input nor sources to master.\n\n"
	BURN_STICK_DESCRIPTION "\n\n"
	BURN_AUDIO_DESCRIPTION,
	opts,
	burn_audio_opts,
};

struct burn_job {
	const char *image;
	bool master;                    /* SRC...: master on the fly */
	bool master_opts;               /* a mastering option was given */
	struct cli_master_args ma;
	struct drv_write_opts wo;
	uint64_t fifo;
	bool eject;
	bool verify;
	bool blank;             /* blank/format rewritables first */
	bool append;            /* image is a directory to add as a session */
	bool yes;               /* stick: no confirmation */
	const char *bmap;       /* stick: --bmap FILE */
	bool protect;           /* augment on the fly with error-correction data */
};

struct burn_view {
	struct cli_ctx *ctx;
	const struct img_source *src;
	double last_json;
	bool told_cancel;
};

/*
 * The moment a signal stops the burn, say so: the drive may need a while
 * to finish the track or close the disc, and must not be cut short then.
 */
static void tell_cancel(struct burn_view *v)
{
	if (v->told_cancel)
		return;
	v->told_cancel = true;
	cli_progress_end(v->ctx);
	if (!v->ctx->quiet)
		fprintf(stderr, "spindle burn: interrupted by %s: stopping the burn; wait "
			"until the drive is released\n", drv_interrupt_signal_name());
}

static void show_progress(const struct drv_progress *p, void *vv)
{
	struct burn_view *v = vv;
	struct cli_ctx *ctx = v->ctx;
	double pct = p->sectors_total > 0
		? 100.0 * (double)p->sectors_done / (double)p->sectors_total : -1;
	double x = p->x_speed_kbps > 0 ? p->bytes_per_sec / 1000.0 / p->x_speed_kbps : 0;
	double eta = p->bytes_per_sec > 0 && p->sectors_total > 0
		? (double)(p->sectors_total - p->sectors_done) * SP_SECTOR / p->bytes_per_sec : -1;
	char t[32], fifo[16] = "--", buf[16] = "--", pcts[16] = "  ?  ";
	bool first_cancel = p->phase == DRV_PHASE_CANCELLING && !v->told_cancel;

	if (p->phase == DRV_PHASE_CANCELLING)
		tell_cancel(v);
	if (ctx->json) {
		if (p->phase != DRV_PHASE_DONE && !first_cancel && p->elapsed - v->last_json < 1.0)
			return;
		v->last_json = p->elapsed;
		cli_json_emit(json_pack("{s:s, s:s, s:s, s:I, s:I, s:f, s:f, s:f, s:f, s:i, s:i, s:f}",
			"type", "progress", "command", "burn", "phase", drv_phase_name(p->phase),
			"sectors_done", (json_int_t)p->sectors_done,
			"sectors_total", (json_int_t)p->sectors_total,
			"percent", pct, "bytes_per_sec", p->bytes_per_sec, "x_speed", x,
			"eta_seconds", eta, "fifo_percent", p->fifo_fill_pct,
			"buffer_percent", p->buffer_fill_pct, "elapsed", p->elapsed));
		return;
	}
	if (p->fifo_fill_pct >= 0)
		snprintf(fifo, sizeof(fifo), "%d%%", p->fifo_fill_pct);
	if (p->buffer_fill_pct >= 0)
		snprintf(buf, sizeof(buf), "%d%%", p->buffer_fill_pct);
	if (pct >= 0)
		snprintf(pcts, sizeof(pcts), "%5.1f%%", pct);
	cli_progress(ctx, "%s %s  %6.1f MB/s %5.1fx  ETA %s  fifo %s  buffer %s",
		     drv_phase_name(p->phase), pcts, p->bytes_per_sec / 1e6, x,
		     sp_human_time(eta, t, sizeof(t)), fifo, buf);
}

static int verify_after(struct cli_ctx *ctx, struct drv_drive *d,
			const struct burn_job *job, const struct img_source *src,
			json_t *r)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_verify_opts vo = IMG_VERIFY_OPTS_INIT;
	struct img_verify_result res = IMG_VERIFY_RESULT_INIT;
	char hex[65];
	uint64_t bytes;
	enum sp_status st;
	int rc;

	vo.progress = cli_verify_progress;
	vo.ctx = ctx;
	vo.start_lba = drv_last_write_lba(d);
	if (src->is_pipe) {
		if (!img_source_digest(src, hex, &bytes)) {
			sp_error_set(&err, SPE_INTERNAL, "the input's checksum is missing");
			return cli_fail(ctx, &err);
		}
		st = img_verify_digest(d, bytes, hex, &vo, &res, &err);
	} else {
		st = img_verify_image(d, job->image, &vo, &res, &err);
	}
	if (st != SP_OK) {
		img_verify_result_release(&res);
		return cli_fail(ctx, &err);
	}
	rc = cli_burn_report_verify(ctx, &res, r);
	img_verify_result_release(&res);
	return rc;
}

static void show_prep(double fraction, double elapsed, void *vctx)
{
	cli_progress(vctx, "preparing the disc: %3.0f%%  %.0f s", fraction * 100, elapsed);
}

/*
 * --blank: make a rewritable medium writable from its start.  Without it,
 * only the unformatted BD-RE (which drv_write would fail on) is explained.
 */
static enum sp_status prepare_medium(struct cli_ctx *ctx, struct drv_drive *d,
				     const struct burn_job *job, struct drv_write_opts *wo,
				     struct sp_error *err)
{
	static const struct drv_format_opts fo = DRV_FORMAT_OPTS_INIT;
	enum drv_prep need = drv_prep_needed(d);
	enum sp_status st = SP_OK;

	if (drv_interrupted()) {
		sp_error_set(err, SPE_ABORTED, "interrupted by %s before writing; nothing was written",
			     drv_interrupt_signal_name());
		sp_error_hint(err, "the disc is unchanged: run the burn again when ready");
		return SP_FAILED;
	}
	if (!job->blank) {
		if (need != DRV_PREP_FORMAT)
			return SP_OK;
		sp_error_set(err, SPE_MEDIUM, "the disc in drive '%s' is not formatted", drv_address(d));
		sp_error_hint(err, "add --blank to format it first, or run 'spindle format'");
		return SP_FAILED;
	}
	switch (need) {
	case DRV_PREP_BLANK:
		st = drv_blank(d, DRV_BLANK_FAST, ctx ? show_prep : NULL, ctx, err);
		break;
	case DRV_PREP_FORMAT:
		st = drv_format(d, &fo, ctx ? show_prep : NULL, ctx, err);
		break;
	case DRV_PREP_OVERWRITE:
		wo->force = true;
		break;
	default:
		break;
	}
	if (st == SP_OK && drv_interrupted() &&
	    (need == DRV_PREP_BLANK || need == DRV_PREP_FORMAT)) {
		/* neither libburn nor the drive stop a blank or format midway */
		sp_error_set(err, SPE_ABORTED, "interrupted by %s while %s the disc; the drive "
			     "finished first, and nothing was written", drv_interrupt_signal_name(),
			     need == DRV_PREP_BLANK ? "blanking" : "formatting");
		sp_error_hint(err, "the disc is %s now: run the burn again, without --blank",
			      need == DRV_PREP_BLANK ? "blank" : "formatted and empty");
		st = SP_FAILED;
	}
	if (!ctx)
		return st;
	cli_progress_end(ctx);
	if (st == SP_OK && need != DRV_PREP_NONE && !ctx->json && !ctx->quiet)
		fprintf(stderr, "spindle burn: %s the disc in %s\n",
			need == DRV_PREP_BLANK ? "blanked" : need == DRV_PREP_FORMAT ? "formatted"
			: "writing over", drv_address(d));
	return st;
}

/*
 * Burn the job to one drive.  Everything per drive lives here, so that a
 * duplication run (several -d) can call it once per drive.
 */
static int burn_to_drive(struct cli_ctx *ctx, const struct burn_job *job,
			 const char *drive)
{
	struct sp_error err = SP_ERROR_INIT;
	struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;
	struct img_source src = IMG_SOURCE_INIT;
	struct burn_view view = { ctx, NULL, -10, false };
	struct drv_drive *d = NULL;
	struct drv_write_opts wo;
	json_t *r = NULL;
	double t0 = sp_now(), secs;
	int rc;

	struct img_master *m = NULL;

	if (job->master) {
		if (img_master_prepare(&m, &job->ma.o, &err) != SP_OK ||
		    img_master_source(m, &src, job->fifo, &err) != SP_OK) {
			rc = cli_fail(ctx, &err);
			goto out;
		}
	} else if (img_source_open(&src, job->image, job->fifo, &err) != SP_OK) {
		return cli_fail(ctx, &err);
	}
	oo.access = DRV_WRITE;
	if (drv_open(&d, drive, &oo, &err) != SP_OK) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	view.src = &src;
	wo = job->wo;
	if (prepare_medium(ctx, d, job, &wo, &err) != SP_OK) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	if (drv_write(d, src.chain, src.size, &wo, show_progress, &view, &err) != SP_OK ||
	    (m && img_master_finish(m, &err) != SP_OK)) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	cli_progress_end(ctx);
	secs = sp_now() - t0;
	r = cli_json_result(ctx, true);
	json_object_set_new(r, "drive", json_string(drv_address(d)));
	json_object_set_new(r, "image", job->master ? json_null() :
			    json_string(src.is_stdin ? "-" : job->image));
	json_object_set_new(r, "mastered", json_boolean(job->master));
	json_object_set_new(r, "simulate", json_boolean(job->wo.simulate));
	{
		char hex[65];
		uint64_t bytes = src.size >= 0 ? (uint64_t)src.size : 0;

		if (src.is_pipe)
			img_source_digest(&src, hex, &bytes);
		json_object_set_new(r, "bytes", json_integer((json_int_t)bytes));
		json_object_set_new(r, "seconds", json_real(secs));
		if (!ctx->json && !ctx->quiet) {
			char h[32];

			fprintf(stderr, "spindle burn: %s %s to %s in %.1f s\n",
				job->wo.simulate ? "simulated writing" : "wrote",
				sp_human_size(bytes, h, sizeof(h)), drv_address(d), secs);
		}
	}
	rc = SP_EXIT_OK;
	if (job->verify && !job->wo.simulate && job->master && !job->ma.o.md5)
		cli_warn(ctx, "not verified: the image was made with --no-md5");
	else if (job->verify && !job->wo.simulate && job->master)
		rc = cli_verify_tags_after_burn(ctx, d, drv_last_write_lba(d), r);
	else if (job->verify && !job->wo.simulate)
		rc = verify_after(ctx, d, job, &src, r);
	if (ctx->json)
		cli_json_emit(r);
	else
		json_decref(r);
out:
	if (d)
		drv_close(d, job->eject ? DRV_EJECT : DRV_KEEP_TRAY);
	img_source_release(&src);
	img_master_free(m);
	return rc;
}

/* ---- duplication: one image to several drives at once ---- */

enum dup_state { DUP_OPENING, DUP_PREPARING, DUP_WRITING, DUP_VERIFYING, DUP_DONE };

struct dup_drive {
	const char *address;
	const struct burn_job *job;
	pthread_mutex_t *lock;
	struct drv_drive *d;
	pthread_t thread;
	bool started;
	/* shown while running; under *lock */
	enum dup_state state;
	double pct;
	double bytes_per_sec;
	int64_t sectors_done;
	/* the outcome; read after the join */
	struct sp_error err;
	bool failed;
	uint64_t bytes;
	double seconds;
	bool verified;
	struct img_verify_result vres;
};

static const char *const dup_state_name[] = {
	"opening", "preparing", "writing", "verifying", "done",
};

static void dup_set(struct dup_drive *w, enum dup_state st, double pct, double bps)
{
	pthread_mutex_lock(w->lock);
	w->state = st;
	w->pct = pct;
	w->bytes_per_sec = bps;
	pthread_mutex_unlock(w->lock);
}

static void dup_write_progress(const struct drv_progress *p, void *v)
{
	struct dup_drive *w = v;

	w->sectors_done = p->sectors_done;      /* only this thread writes it */

	dup_set(w, DUP_WRITING, p->sectors_total > 0
		? 100.0 * (double)p->sectors_done / (double)p->sectors_total : 0, p->bytes_per_sec);
}

static void dup_verify_progress(const struct img_verify_progress *p, void *v)
{
	struct dup_drive *w = v;

	dup_set(w, DUP_VERIFYING, p->sectors_total > 0
		? 100.0 * (double)p->sectors_done / (double)p->sectors_total : 0,
		p->elapsed > 0 ? (double)p->sectors_done * SP_SECTOR / p->elapsed : 0);
}

/* One drive's burn and verify, in its own thread; prints nothing. */
static void *dup_worker(void *arg)
{
	struct dup_drive *w = arg;
	const struct burn_job *job = w->job;
	struct img_source src = IMG_SOURCE_INIT;
	struct img_verify_opts vo = IMG_VERIFY_OPTS_INIT;
	struct drv_write_opts wo = job->wo;
	double t0 = sp_now();

	w->failed = true;
	if (img_source_open(&src, job->image, job->fifo, &w->err) != SP_OK)
		goto out;
	dup_set(w, DUP_PREPARING, 0, 0);
	if (prepare_medium(NULL, w->d, job, &wo, &w->err) != SP_OK)
		goto out;
	if (drv_write(w->d, src.chain, src.size, &wo, dup_write_progress, w, &w->err) != SP_OK)
		goto out;
	w->bytes = (uint64_t)src.size;
	w->seconds = sp_now() - t0;
	if (job->verify && !wo.simulate) {
		vo.start_lba = drv_last_write_lba(w->d);
		vo.progress = dup_verify_progress;
		vo.ctx = w;
		if (img_verify_image(w->d, job->image, &vo, &w->vres, &w->err) != SP_OK)
			goto out;
		w->verified = true;
	}
	w->failed = false;
out:
	img_source_release(&src);
	dup_set(w, DUP_DONE, 100, 0);
	return NULL;
}

/* One progress line for all drives: "sr7 writing 45% | sr8 failed ..." */
static void dup_show(struct cli_ctx *ctx, struct dup_drive *w, int n, double *last_json,
		     double now)
{
	char line[512] = "";
	size_t at = 0;
	bool emit_json = ctx->json && now - *last_json >= 1.0;

	for (int i = 0; i < n; i++) {
		const char *name = strrchr(w[i].address, '/');
		enum dup_state st;
		double pct, bps;
		bool failed;

		pthread_mutex_lock(w[i].lock);
		st = w[i].state;
		pct = w[i].pct;
		bps = w[i].bytes_per_sec;
		failed = w[i].failed && st == DUP_DONE;
		pthread_mutex_unlock(w[i].lock);
		name = name ? name + 1 : w[i].address;
		if (emit_json)
			cli_json_emit(json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}",
				"type", "progress", "command", "burn", "drive", w[i].address,
				"phase", failed ? "failed" : dup_state_name[st], "percent", pct,
				"bytes_per_sec", bps));
		if (at < sizeof(line))
			at += (size_t)snprintf(line + at, sizeof(line) - at, "%s%s %s", i ? " | " : "",
					       name, failed ? "failed" : dup_state_name[st]);
		if (!failed && (st == DUP_WRITING || st == DUP_VERIFYING) && at < sizeof(line))
			at += (size_t)snprintf(line + at, sizeof(line) - at, " %3.0f%% %.1f MB/s",
					       pct, bps / 1e6);
	}
	if (emit_json)
		*last_json = now;
	cli_progress(ctx, "%s", line);
}

/* Report one drive: a line (or a JSON object), the verify, its exit code. */
static int dup_report(struct cli_ctx *ctx, struct dup_drive *w)
{
	json_t *r = json_pack("{s:s, s:s}", "type", "drive_result", "drive", w->address);
	int rc = SP_EXIT_OK;
	bool json = ctx->json;
	char h[32];

	if (w->failed) {
		char msg[sizeof(w->err.msg)];
		int keep = (int)sizeof(msg) - (int)strlen(w->address) - 3;

		/* libburn's queue is shared by all drives: another thread may have
		 * taken this drive's SCSI detail; say at least where it stopped */
		if (w->err.code == SPE_WRITE && !w->err.has_sense && w->err.lba < 0) {
			size_t at = strlen(w->err.msg);

			snprintf(w->err.msg + at, sizeof(w->err.msg) - at,
				 " after %lld sectors", (long long)w->sectors_done);
		}
		snprintf(msg, sizeof(msg), "%s", w->err.msg);
		snprintf(w->err.msg, sizeof(w->err.msg), "%s: %.*s", w->address,
			 keep > 0 ? keep : 0, msg);
		json_object_set_new(r, "ok", json_false());
		json_object_set_new(r, "error", cli_error_json(&w->err));
		ctx->json = false;      /* the line on stderr, no result object */
		rc = cli_fail(ctx, &w->err);
		ctx->json = json;
	} else {
		json_object_set_new(r, "ok", json_true());
		json_object_set_new(r, "bytes", json_integer((json_int_t)w->bytes));
		json_object_set_new(r, "seconds", json_real(w->seconds));
		if (!json && !ctx->quiet)
			fprintf(stderr, "spindle burn: %s: %s %s in %.1f s\n", w->address,
				w->job->wo.simulate ? "simulated writing" : "wrote",
				sp_human_size(w->bytes, h, sizeof(h)), w->seconds);
		if (w->verified) {
			json_t *vr = json_object();

			if (!json)
				printf("%s: ", w->address);
			rc = cli_report_verify(ctx, &w->vres, vr);
			json_object_del(vr, "ok");
			if (rc != SP_EXIT_OK) {
				json_object_set_new(r, "ok", json_false());
				json_object_set(r, "error", json_object_get(vr, "error"));
			}
			json_object_set_new(r, "verify", vr);
		}
	}
	if (json)
		cli_json_emit(r);
	else
		json_decref(r);
	return rc;
}

/*
 * Burn one image to several drives at once: the drives are grabbed one
 * after the other (libburn's scan is not reentrant), then each writes and
 * verifies in its own thread while one line shows them all.  A drive that
 * fails does not stop the others.  The exit status is that of the first
 * drive (in -d order) that failed.
 */
static int burn_duplicate(struct cli_ctx *ctx, const struct burn_job *job)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct dup_drive w[CLI_MAX_DRIVES];
	struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;
	int n = ctx->n_drives, rc = SP_EXIT_OK, n_ok = 0, running;
	double last_json = -10;
	json_t *r;

	if (strcmp(job->image, "-") == 0)
		return cli_usage_error(ctx, "duplication needs an image file; standard input can be read only once");
	for (int i = 0; i < n; i++)
		for (int k = 0; k < i; k++)
			if (strcmp(ctx->drives[i], ctx->drives[k]) == 0)
				return cli_usage_error(ctx, "drive '%s' is given twice", ctx->drives[i]);
	memset(w, 0, sizeof(w));
	oo.access = DRV_WRITE;
	for (int i = 0; i < n; i++) {
		w[i].address = ctx->drives[i];
		w[i].job = job;
		w[i].lock = &lock;
		w[i].err = (struct sp_error)SP_ERROR_INIT;
		w[i].vres = (struct img_verify_result)IMG_VERIFY_RESULT_INIT;
		if (drv_open(&w[i].d, w[i].address, &oo, &w[i].err) != SP_OK) {
			w[i].failed = true;
			w[i].state = DUP_DONE;
			continue;
		}
		if (pthread_create(&w[i].thread, NULL, dup_worker, &w[i]) != 0) {
			sp_error_set(&w[i].err, SPE_INTERNAL, "cannot start a thread for drive '%s'",
				     w[i].address);
			w[i].failed = true;
			w[i].state = DUP_DONE;
			continue;
		}
		w[i].started = true;
	}
	do {
		running = 0;
		for (int i = 0; i < n; i++) {
			pthread_mutex_lock(&lock);
			running += w[i].state != DUP_DONE;
			pthread_mutex_unlock(&lock);
		}
		dup_show(ctx, w, n, &last_json, sp_now());
		if (running)
			usleep(200000);
	} while (running);
	cli_progress_end(ctx);
	for (int i = 0; i < n; i++) {
		int one;

		if (w[i].started)
			pthread_join(w[i].thread, NULL);
		if (w[i].d)
			drv_close(w[i].d, job->eject ? DRV_EJECT : DRV_KEEP_TRAY);
		one = dup_report(ctx, &w[i]);
		if (one == SP_EXIT_OK)
			n_ok++;
		else if (rc == SP_EXIT_OK)
			rc = one;
		img_verify_result_release(&w[i].vres);
	}
	r = cli_json_result(ctx, rc == SP_EXIT_OK);
	json_object_set_new(r, "image", json_string(job->image));
	json_object_set_new(r, "drives", json_integer(n));
	json_object_set_new(r, "drives_ok", json_integer(n_ok));
	if (ctx->json)
		cli_json_emit(r);
	else
		json_decref(r);
	if (!ctx->json && !ctx->quiet)
		fprintf(stderr, "spindle burn: %d of %d drives burned%s\n", n_ok, n,
			job->verify && !job->wo.simulate ? " and verified" : "");
	return rc;
}

/* --append DIR: one new session that grows the ISO 9660 tree. */
static int burn_append(struct cli_ctx *ctx, const struct burn_job *job)
{
	struct sp_error err = SP_ERROR_INIT;
	struct drv_append_result res;
	struct burn_view view = { ctx, NULL, -10, false };
	double t0 = sp_now();
	json_t *r;

	if (ctx->n_drives > 1)
		return cli_usage_error(ctx, "--append writes to one drive");
	if (drv_append_tree(cli_drive(ctx), job->image, &job->wo, show_progress, &view,
			    &res, &err) != SP_OK) {
		cli_progress_end(ctx);
		return cli_fail(ctx, &err);
	}
	cli_progress_end(ctx);
	r = cli_json_result(ctx, true);
	json_object_set_new(r, "drive", json_string(cli_drive(ctx)));
	json_object_set_new(r, "directory", json_string(job->image));
	json_object_set_new(r, "first_session", json_boolean(res.was_blank));
	json_object_set_new(r, "start_lba", json_integer(res.start_lba));
	json_object_set_new(r, "sectors", json_integer(res.sectors));
	json_object_set_new(r, "simulate", json_boolean(job->wo.simulate));
	json_object_set_new(r, "seconds", json_real(sp_now() - t0));
	if (ctx->json)
		cli_json_emit(r);
	else
		json_decref(r);
	if (!ctx->json && !ctx->quiet)
		fprintf(stderr, "spindle burn: %s '%s' as a %s session of %lld sectors at LBA %lld on %s%s\n",
			job->wo.simulate ? "simulated appending" : "appended", job->image,
			res.was_blank ? "first" : "new", (long long)res.sectors,
			(long long)res.start_lba, cli_drive(ctx),
			job->wo.multi ? "; the disc stays appendable" : "");
	return SP_EXIT_OK;
}

/*
 * A directory or a graft point among the arguments: master on the fly.
 * Plain files alone stay images to burn, so that "burn a.iso b.iso" is an
 * error rather than a disc holding two image files.
 */
static bool is_master_job(int n, char **args)
{
	struct stat st;

	for (int i = 0; i < n; i++) {
		if (strcmp(args[i], "-") == 0)
			continue;
		if (stat(args[i], &st) == 0 ? S_ISDIR(st.st_mode) : strchr(args[i], '=') != NULL)
			return true;
	}
	return false;
}

static int parse_args(struct cli_ctx *ctx, int argc, char **argv,
		      struct burn_job *job)
{
	const char *arg;
	int c;

	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		switch (c) {
		case OPT_SPEED:
			if (drv_parse_speed(arg, &job->wo.speed) < 0)
				return cli_usage_error(ctx, "--speed: '%s' is not a speed (examples: max, 8x, 5540)",
						       arg);
			break;
		case OPT_MODE:
			if (drv_parse_write_mode(arg, &job->wo.mode) < 0)
				return cli_usage_error(ctx, "--mode: '%s' is not one of auto, sao, tao", arg);
			break;
		case OPT_SIMULATE: job->wo.simulate = true; break;
		case OPT_MULTI: job->wo.multi = true; break;
		case OPT_EJECT: job->eject = true; break;
		case OPT_STREAM: job->wo.stream_recording = true; break;
		case OPT_FORCE: job->wo.force = true; break;
		case OPT_NO_VERIFY: job->verify = false; break;
		case OPT_BLANK: job->blank = true; break;
		case OPT_APPEND: job->append = true; break;
		case OPT_PROTECT: job->protect = true; break;
		case OPT_YES: job->yes = true; break;
		case OPT_BMAP: job->bmap = arg; break;
		case OPT_FIFO:
			if (cli_parse_size_opt(ctx, "--fifo", arg, &job->fifo) < 0)
				return SP_EXIT_USAGE;
			if (job->fifo < IMG_FIFO_MIN || job->fifo > IMG_FIFO_MAX)
				return cli_usage_error(ctx, "--fifo: '%s' is out of range (1M to 1G)", arg);
			break;
		case CLI_OPT_EXIT:
			return -1;
		default:
			if (cli_master_opt(ctx, &job->ma, c, arg) == 1) {
				job->master_opts = true;
				break;
			}
			return SP_EXIT_USAGE;
		}
	}
	if (job->append && (job->blank || job->wo.force || job->wo.mode != DRV_MODE_AUTO ||
			    job->master_opts))
		return cli_usage_error(ctx, "--append goes with neither --blank, --force, --mode "
				       "nor mastering options");
	if (job->blank && job->wo.simulate)
		return cli_usage_error(ctx, "--blank would blank the disc for real; it cannot go with --simulate");
	if (ctx->optind >= argc)
		return cli_usage_error(ctx, job->append ? "missing DIR (the directory to append)"
				       : "missing IMAGE (a file, or - for standard input)");
	job->master = !job->append &&
		(job->master_opts || is_master_job(argc - ctx->optind, argv + ctx->optind));
	if (job->master)
		return cli_master_sources(ctx, &job->ma, argc - ctx->optind, argv + ctx->optind);
	job->image = argv[ctx->optind++];
	if (ctx->optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
	return SP_EXIT_OK;
}

/* A -d that names a block device other than an optical drive (a stick),
 * stdio: or not: it goes through the stick's safety checks, never libburn. */
static bool any_block_device(const struct cli_ctx *ctx)
{
	for (int i = 0; i < ctx->n_drives; i++)
		if (drv_blk_is_block(ctx->drives[i]))
			return true;
	return false;
}

int cmd_burn(struct cli_ctx *ctx, int argc, char **argv)
{
	struct burn_job job = { .wo = DRV_WRITE_OPTS_INIT, .verify = true };
	int rc;

	if (cli_burn_wants_tracks(argc, argv))
		return cmd_burn_audio(ctx, argc, argv);
	cli_master_args_init(&job.ma);
	cli_permute_args(ctx, argc, argv);
	rc = parse_args(ctx, argc, argv, &job);
	if (rc < 0) {
		rc = SP_EXIT_OK;
		goto out;
	}
	if (rc != SP_EXIT_OK)
		goto out;
	if (job.protect) {
		struct cli_protect_stream *ps;

		if (job.append || job.master || ctx->n_drives > 1 || strcmp(job.image, "-") == 0 ||
		    any_block_device(ctx)) {
			rc = cli_usage_error(ctx, "--protect takes one image file and one drive");
			goto out;
		}
		rc = cli_protect_stream_start(ctx, cli_drive(ctx), job.image, &ps);
		if (rc == SP_EXIT_OK) {
			job.image = cli_protect_stream_path(ps);
			rc = burn_to_drive(ctx, &job, cli_drive(ctx));
			rc = cli_protect_stream_finish(ctx, ps, rc);
		}
		goto out;
	}
	if (any_block_device(ctx) && (job.append || job.master)) {
		rc = cli_usage_error(ctx, "a USB stick takes an image: master one first with "
				     "'spindle mkiso', then burn it to the stick");
	} else if (any_block_device(ctx)) {
		struct cli_stick_job sj = { job.image, job.bmap, job.yes, job.wo.force, job.verify };

		rc = cli_burn_stick(ctx, &sj);
	} else if (job.bmap || job.yes) {
		rc = cli_usage_error(ctx, "--bmap and --yes are for USB sticks: -d /dev/sdX");
	} else if (job.append)
		rc = burn_append(ctx, &job);
	else if (ctx->n_drives > 1 && job.master)
		rc = cli_usage_error(ctx, "duplication takes an image file: master one first with 'spindle mkiso'");
	else if (ctx->n_drives > 1)
		rc = burn_duplicate(ctx, &job);
	else
		rc = burn_to_drive(ctx, &job, cli_drive(ctx));
out:
	cli_master_args_release(&job.ma);
	return rc;
}
