/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * burn_stick.c - `spindle burn -d /dev/sdX IMAGE`: an image onto a USB
 * stick or SD card.  drive/ decides whether the device may be written
 * (drv_blk_open), imaging/stick/ writes and verifies; here are the
 * warnings, the confirmation and the report.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "drive/drive.h"
#include "imaging/imaging.h"

struct stick_view {
	struct cli_ctx *ctx;
	const char *dev;
};

static void show_progress(const struct img_stick_progress *p, void *vv)
{
	struct stick_view *v = vv;
	struct cli_ctx *ctx = v->ctx;
	double pct = p->total > 0 ? 100.0 * (double)p->done / (double)p->total : -1;
	double eta = p->bytes_per_sec > 0 && p->total > 0 && p->phase == IMG_STICK_WRITING
		? (double)((uint64_t)p->total - p->done) / p->bytes_per_sec : -1;
	char t[32], pcts[16] = "  ?  ", h[32];

	if (ctx->json) {
		cli_json_progress(ctx, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:f, s:f, s:f}",
			"type", "progress", "command", "burn", "drive", v->dev,
			"phase", img_stick_phase_name(p->phase), "bytes_done", (json_int_t)p->done,
			"bytes_total", (json_int_t)p->total, "percent", pct,
			"bytes_per_sec", p->bytes_per_sec, "elapsed", p->elapsed),
			p->phase == IMG_STICK_SYNCING);
		return;
	}
	if (pct >= 0)
		snprintf(pcts, sizeof(pcts), "%5.1f%%", pct);
	cli_progress(ctx, "%s %s  %s  %6.1f MB/s  ETA %s", img_stick_phase_name(p->phase), pcts,
		     sp_human_size(p->done, h, sizeof(h)), p->bytes_per_sec / 1e6,
		     sp_human_time(eta, t, sizeof(t)));
}

/* What the user is about to lose, in the words of lsblk. */
static void describe(FILE *f, const struct drv_blk_desc *d)
{
	char h[32];

	fprintf(f, "  %s: %s%s%s, %s, %s%s\n", d->path, d->vendor, d->vendor[0] ? " " : "",
		d->model[0] ? d->model : "(no model)", sp_human_size(d->size, h, sizeof(h)),
		d->bus, d->removable ? ", removable" : d->fixed ? ", FIXED DISK" : "");
	for (int k = 0; k < d->n_parts; k++)
		fprintf(f, "    partition %s: %s%s%s%s%s%s\n", d->parts[k].name,
			sp_human_size(d->parts[k].size, h, sizeof(h)),
			d->parts[k].fstype[0] ? ", " : "", d->parts[k].fstype,
			d->parts[k].label[0] ? ", label \"" : "", d->parts[k].label,
			d->parts[k].label[0] ? "\"" : "");
	if (d->n_parts == 0)
		fprintf(f, "    no partitions\n");
}

/* Ask on the terminal, unless --yes; never when stdin is not one. */
static enum sp_status confirm(struct cli_ctx *ctx, const struct drv_blk_desc *d,
			      const char *image, bool yes, struct sp_error *err)
{
	char line[64];

	if (yes)
		return SP_OK;
	if (!isatty(STDIN_FILENO)) {
		sp_error_set(err, SPE_USAGE, "not writing '%s' without confirmation, and standard "
			     "input is not a terminal to ask on", d->path);
		sp_error_hint(err, "pass --yes to write it (everything on %s is lost)", d->path);
		return SP_FAILED;
	}
	(void)ctx;
	fprintf(stderr, "spindle burn: '%s' will be written to\n", image);
	describe(stderr, d);
	fprintf(stderr, "Everything on %s will be lost.  Type yes to go on: ", d->path);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin) ||
	    (strcmp(line, "yes\n") != 0 && strcmp(line, "y\n") != 0)) {
		sp_error_set(err, SPE_ABORTED, "not confirmed: nothing was written to '%s'", d->path);
		return SP_FAILED;
	}
	return SP_OK;
}

static const char *boot_kind_name(enum img_boot_kind k)
{
	static const char *const n[] = { "raw", "disk", "hybrid", "iso-only", "windows" };

	return (unsigned)k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

/* Write to one device; every failure reported here.  Returns the exit code. */
static int stick_one(struct cli_ctx *ctx, const struct cli_stick_job *job, const char *dev)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_stick_opts o = IMG_STICK_OPTS_INIT;
	struct img_stick_result res;
	struct stick_view view = { ctx, dev };
	struct img_stick *s = NULL;
	struct drv_blk *b = NULL;
	const struct img_stick_info *info;
	const struct drv_blk_desc *d;
	const char *warn;
	json_t *r;
	char h[32];
	int rc;

	if (img_stick_open(&s, job->image, job->bmap, &err) != SP_OK)
		goto fail;
	info = img_stick_info(s);
	if (drv_blk_open(&b, dev, job->force, &err) != SP_OK)
		goto fail;
	d = drv_blk_desc(b);
	if (info->size >= 0 && (uint64_t)info->size > d->size) {
		char h2[32];

		sp_error_set(&err, SPE_TOOBIG, "the image (%s) is larger than '%s' (%s); nothing "
			     "was written", sp_human_size((uint64_t)info->size, h, sizeof(h)),
			     d->path, sp_human_size(d->size, h2, sizeof(h2)));
		sp_error_hint(&err, "use a larger stick");
		goto fail;
	}
	if ((warn = img_boot_warning(&info->boot)))
		cli_warn(ctx, "%s", warn);
	if (confirm(ctx, d, job->image, job->yes, &err) != SP_OK)
		goto fail;
	o.target = d->path;
	o.verify = job->verify;
	o.progress = show_progress;
	o.ctx = &view;
	if (img_stick_write(s, drv_blk_fd(b), d->size, &o, &res, &err) != SP_OK) {
		cli_progress_end(ctx);
		goto fail;
	}
	cli_progress_end(ctx);
	r = cli_json_result(ctx, true);
	json_object_set_new(r, "drive", json_string(d->path));
	json_object_set_new(r, "image", json_string(job->image));
	json_object_set_new(r, "compression", json_string(img_stick_comp_name(info->comp)));
	json_object_set_new(r, "boot", json_string(boot_kind_name(info->boot.kind)));
	json_object_set_new(r, "bmap", json_boolean(info->has_bmap));
	json_object_set_new(r, "bytes", json_integer((json_int_t)res.image_bytes));
	json_object_set_new(r, "bytes_written", json_integer((json_int_t)res.written_bytes));
	json_object_set_new(r, "sha256", res.sha256[0] ? json_string(res.sha256) : json_null());
	json_object_set_new(r, "seconds", json_real(res.write_seconds));
	json_object_set_new(r, "verified", json_boolean(res.verified));
	json_object_set_new(r, "verify_seconds", json_real(res.verify_seconds));
	if (ctx->json) {
		cli_json_emit(r);
	} else {
		json_decref(r);
		if (!ctx->quiet) {
			fprintf(stderr, "spindle burn: wrote %s to %s in %.1f s (%.1f MB/s)%s\n",
				sp_human_size(res.written_bytes, h, sizeof(h)), d->path,
				res.write_seconds, res.write_seconds > 0
				? (double)res.written_bytes / res.write_seconds / 1e6 : 0,
				info->has_bmap ? ", mapped blocks only" : "");
			if (res.verified)
				fprintf(stderr, "spindle burn: verified: %s reads back as written "
					"(SHA-256 %s of the image)\n", d->path, res.sha256);
		}
	}
	rc = SP_EXIT_OK;
	goto out;
fail:
	cli_progress_end(ctx);
	rc = cli_fail(ctx, &err);
out:
	drv_blk_close(b);
	img_stick_free(s);
	return rc;
}

int cli_burn_stick(struct cli_ctx *ctx, const struct cli_stick_job *job)
{
	int rc = SP_EXIT_OK;

	for (int i = 0; i < ctx->n_drives; i++) {
		if (!drv_blk_is_block(ctx->drives[i]))
			return cli_usage_error(ctx, "'%s' is not a block device: a stick and an "
					       "optical drive cannot be written in one run",
					       ctx->drives[i]);
		for (int k = 0; k < i; k++)
			if (strcmp(ctx->drives[i], ctx->drives[k]) == 0)
				return cli_usage_error(ctx, "drive '%s' is given twice", ctx->drives[i]);
	}
	if (ctx->n_drives > 1 && strcmp(job->image, "-") == 0)
		return cli_usage_error(ctx, "several sticks need an image file; standard input "
				       "can be read only once");
	for (int i = 0; i < ctx->n_drives; i++) {
		const char *dev = ctx->drives[i];
		int one = stick_one(ctx, job, strncmp(dev, "stdio:", 6) ? dev : dev + 6);

		if (one != SP_EXIT_OK && rc == SP_EXIT_OK)
			rc = one;
		if (one == SP_EXIT_ABORTED && drv_interrupted())
			break;
	}
	return rc;
}
