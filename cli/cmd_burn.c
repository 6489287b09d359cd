/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_burn.c - spindle burn: write an image file or standard input. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

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
};

static const struct cli_opt opts[] = {
	{ "speed", OPT_SPEED, "SPEED", "write speed: max (default), a multiple such as 8x, or kB/s" },
	{ "mode", OPT_MODE, "MODE", "write mode: auto (default), sao or tao" },
	{ "simulate", OPT_SIMULATE, NULL, "go through the motions with the laser off; nothing is written" },
	{ "multi", OPT_MULTI, NULL, "leave the disc appendable for later sessions" },
	{ "eject", OPT_EJECT, NULL, "eject the disc when done" },
	{ "stream-recording", OPT_STREAM, NULL, "BD: write without defect management, for full speed" },
	{ "fifo", OPT_FIFO, "SIZE", "size of the FIFO between image and drive (default 64M, 1M to 1G)" },
	{ "force", OPT_FORCE, NULL, "write over a medium or virtual drive file that holds data" },
	{ "no-verify", OPT_NO_VERIFY, NULL, "do not compare the disc with the image afterwards" },
	CLI_MASTER_OPTIONS,
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_burn = {
	"[-d DRIVE] [OPTIONS] IMAGE|-|SRC...",
	"Write an image file or standard input to a disc",
	"Writes IMAGE, or standard input if IMAGE is -, as one data track, then "
	"reads the disc back and compares it with the image (see spindle "
	"verify).  For standard input, which cannot be read twice, the "
	"comparison is by SHA-256.\n\n"
	"Before anything is written, spindle checks that the medium is blank and "
	"that the image fits.  A disc that holds data, or a virtual drive file "
	"that exists and is not empty, is refused unless --force is given.  An "
	"image larger than the free space (for a virtual drive: the free space "
	"of its filesystem) is refused with nothing written.\n\n"
	"The image reaches the drive through a FIFO.  libburn's FIFO pauses 50 "
	"ms whenever it runs full or empty, so it moves at most its size per "
	"50 ms; the 64 MiB default is well above any drive's speed.\n\n"
	"On a terminal a progress line shows percent, MB/s and x-speed, the "
	"time left, and the fill of the FIFO and of the drive's buffer.  With "
	"--json, progress objects are printed about once a second.  SIGINT, "
	"SIGTERM or SIGHUP cancel the burn cleanly through libburn and release "
	"the drive (exit status 8).\n\n"
	"Given directories or graft points /PATH/IN/IMAGE=SRC instead of an "
	"image (or files together with a mastering option such as --volid), "
	"spindle masters an ISO 9660 "
	"image on the fly, exactly as spindle mkiso would (the mastering "
	"options are the same), and burns it with no temporary file: libisofs "
	"feeds the FIFO, the FIFO feeds the drive.  The disc is then verified "
	"against the MD5 tags recorded in it, naming any damaged file; with "
	"--no-md5 there is nothing to verify against and the check is skipped.",
	opts,
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
};

struct burn_view {
	struct cli_ctx *ctx;
	const struct img_source *src;
	double last_json;
};

static const char *phase_name(enum drv_phase p)
{
	switch (p) {
	case DRV_PHASE_PREPARING: return "preparing";
	case DRV_PHASE_WRITING: return "writing";
	case DRV_PHASE_CLOSING: return "closing";
	default: return "done";
	}
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

	if (ctx->json) {
		if (p->phase != DRV_PHASE_DONE && p->elapsed - v->last_json < 1.0)
			return;
		v->last_json = p->elapsed;
		cli_json_emit(json_pack("{s:s, s:s, s:s, s:I, s:I, s:f, s:f, s:f, s:f, s:i, s:i, s:f}",
			"type", "progress", "command", "burn", "phase", phase_name(p->phase),
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
		     phase_name(p->phase), pcts, p->bytes_per_sec / 1e6, x,
		     sp_human_time(eta, t, sizeof(t)), fifo, buf);
}

static int verify_after(struct cli_ctx *ctx, struct drv_drive *d,
			const struct burn_job *job, const struct img_source *src,
			json_t *r)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_verify_opts vo = IMG_VERIFY_OPTS_INIT;
	struct img_verify_result res = IMG_VERIFY_RESULT_INIT;
	json_t *vr = json_object();
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
			json_decref(vr);
			return cli_fail(ctx, &err);
		}
		st = img_verify_digest(d, bytes, hex, &vo, &res, &err);
	} else {
		st = img_verify_image(d, job->image, &vo, &res, &err);
	}
	if (st != SP_OK) {
		json_decref(vr);
		img_verify_result_release(&res);
		return cli_fail(ctx, &err);
	}
	rc = cli_report_verify(ctx, &res, vr);
	json_object_del(vr, "ok");
	json_object_set(r, "verify", vr);
	if (rc != SP_EXIT_OK) {
		json_object_set_new(r, "ok", json_false());
		json_object_set(r, "error", json_object_get(vr, "error"));
	}
	json_decref(vr);
	img_verify_result_release(&res);
	return rc;
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
	struct burn_view view = { ctx, NULL, -10 };
	struct drv_drive *d = NULL;
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
	if (drv_write(d, src.chain, src.size, &job->wo, show_progress, &view, &err) != SP_OK ||
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
	if (ctx->optind >= argc)
		return cli_usage_error(ctx, "missing IMAGE (a file, or - for standard input)");
	job->master = job->master_opts || is_master_job(argc - ctx->optind, argv + ctx->optind);
	if (job->master)
		return cli_master_sources(ctx, &job->ma, argc - ctx->optind, argv + ctx->optind);
	job->image = argv[ctx->optind++];
	if (ctx->optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
	return SP_EXIT_OK;
}

int cmd_burn(struct cli_ctx *ctx, int argc, char **argv)
{
	struct burn_job job = { .wo = DRV_WRITE_OPTS_INIT, .verify = true };
	int rc;

	cli_master_args_init(&job.ma);
	cli_permute_args(ctx, argc, argv);
	rc = parse_args(ctx, argc, argv, &job);
	if (rc < 0) {
		rc = SP_EXIT_OK;
		goto out;
	}
	if (rc != SP_EXIT_OK)
		goto out;
	if (ctx->n_drives > 1) {
		rc = cli_usage_error(ctx, "burning to several drives at once is not supported yet");
		goto out;
	}
	rc = burn_to_drive(ctx, &job, cli_drive(ctx));
out:
	cli_master_args_release(&job.ma);
	return rc;
}
