/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_verify_tags.c - spindle verify without an image: check a disc or an
 * image file against the MD5 tags recorded in it (spindle mkiso, xorriso
 * -md5 on), and name the damaged files.
 */
#include "config.h"

#include <stdlib.h>

#include "cli/cli.h"
#include "cli/master_args.h"
#include "cli/verify_sums.h"
#include "drive/drive.h"
#include "imaging/imaging.h"

static void progress(uint64_t done, uint64_t total, void *arg)
{
	struct cli_ctx *ctx = arg;
	char a[32], b[32];

	if (ctx->json) {
		cli_json_progress(ctx, json_pack("{s:s, s:s, s:s, s:I, s:I}", "type", "progress",
			"command", ctx->cmd ? ctx->cmd->name : "verify", "phase", "verifying", "bytes_done", (json_int_t)done,
			"bytes_total", (json_int_t)total), done == total);
		return;
	}
	cli_progress(ctx, "verifying: %3.0f%%  %s of %s",
		     total ? 100.0 * (double)done / (double)total : 0.0,
		     sp_human_size(done, a, sizeof(a)), sp_human_size(total, b, sizeof(b)));
}

/* The first LBA of the last session: that is the one a reader mounts. */
static int64_t last_session_start(const struct drv_medium *m)
{
	int64_t start = 0;
	int last = 0;

	for (int i = 0; i < m->n_tracks; i++)
		if (!m->tracks[i].audio && m->tracks[i].session >= last) {
			if (m->tracks[i].session > last)
				start = m->tracks[i].start_lba;
			last = m->tracks[i].session;
		}
	return start;
}

static bool any(const struct img_md5_report *r, enum img_md5_state s)
{
	if (r->superblock == s || r->tree == s || r->session == s)
		return true;
	for (size_t i = 0; i < r->n_bad; i++)
		if (r->bad[i].state == s)
			return true;
	return false;
}

static void verdict(const struct img_md5_report *r, struct sp_error *v)
{
	if (!r->has_tags)
		return;
	if (any(r, IMG_MD5_MISMATCH)) {
		if (r->n_bad)
			sp_error_set(v, SPE_MISMATCH, "%zu damaged file%s", r->n_bad,
				     r->n_bad == 1 ? "" : "s");
		else
			sp_error_set(v, SPE_MISMATCH, "the recorded MD5 tags do not match");
		sp_error_hint(v, "the listed data differs from what was recorded");
	} else if (any(r, IMG_MD5_UNREADABLE)) {
		sp_error_set(v, SPE_READ, "%lld unreadable sector%s; %zu file%s affected",
			     (long long)r->unreadable_sectors, r->unreadable_sectors == 1 ? "" : "s",
			     r->n_bad, r->n_bad == 1 ? "" : "s");
		sp_error_hint(v, "try another drive, or clean the disc; 'spindle rip' "
			      "recovers what can be read");
	}
}

/* The report's fields into o. */
static void fill_json(json_t *o, const char *what, const struct img_md5_report *r,
		      const struct sp_error *v)
{
	json_t *bad = json_array();

	json_object_set_new(o, "mode", json_string("md5-tags"));
	json_object_set_new(o, "source", json_string(what));
	json_object_set_new(o, "tags", json_boolean(r->has_tags));
	if (!r->has_tags) {
		json_object_set_new(o, "sha256", json_string(r->sha256));
		json_object_set_new(o, "sha256_bytes", json_integer((json_int_t)r->sha256_bytes));
		json_decref(bad);
		return;
	}
	json_object_set_new(o, "superblock", json_string(img_md5_state_name(r->superblock)));
	json_object_set_new(o, "tree", json_string(img_md5_state_name(r->tree)));
	json_object_set_new(o, "session", json_string(img_md5_state_name(r->session)));
	json_object_set_new(o, "session_start", json_integer(r->session_start));
	json_object_set_new(o, "session_end", json_integer(r->session_end));
	json_object_set_new(o, "tree_loaded", json_boolean(r->tree_loaded));
	if (!r->tree_loaded)
		json_object_set_new(o, "tree_error", json_string(r->tree_error));
	json_object_set_new(o, "files", json_integer((json_int_t)r->files));
	json_object_set_new(o, "files_with_md5", json_integer((json_int_t)r->files_with_md5));
	json_object_set_new(o, "files_ok", json_integer((json_int_t)r->files_ok));
	for (size_t i = 0; i < r->n_bad; i++)
		json_array_append_new(bad, json_pack("{s:s, s:I, s:I, s:s}",
			"path", r->bad[i].path, "size", (json_int_t)r->bad[i].size,
			"lba", (json_int_t)r->bad[i].lba,
			"state", img_md5_state_name(r->bad[i].state)));
	json_object_set_new(o, "damaged_files", bad);
	json_object_set_new(o, "unreadable_sectors", json_integer(r->unreadable_sectors));
	json_object_set_new(o, "bytes_read", json_integer((json_int_t)r->bytes_read));
	if (v->code != SPE_NONE)
		json_object_set_new(o, "error", cli_error_json(v));
}

static void print_text(const char *what, const struct img_md5_report *r)
{
	char h[32];

	if (!r->has_tags) {
		printf("%s has no MD5 tags: it was made without them (by genisoimage, or "
		       "xorriso without -md5 on), so it cannot be checked against itself.\n", what);
		printf("SHA-256 of its %llu bytes (%s):\n%s\n",
		       (unsigned long long)r->sha256_bytes,
		       sp_human_size(r->sha256_bytes, h, sizeof(h)), r->sha256);
		printf("Compare this with the SHA-256 of the original image.\n");
		return;
	}
	printf("%-16s %s\n", "superblock tag:", img_md5_state_name(r->superblock));
	printf("%-16s %s\n", "tree tag:", img_md5_state_name(r->tree));
	printf("%-16s %s", "session tag:", img_md5_state_name(r->session));
	if (r->session_end >= 0)
		printf(" (sectors %lld to %lld)", (long long)r->session_start,
		       (long long)r->session_end - 1);
	printf("\n");
	if (!r->tree_loaded) {
		printf("%-16s cannot be read: %s\n", "files:", r->tree_error);
	} else {
		printf("%-16s %llu of %llu with MD5 match", "files:",
		       (unsigned long long)r->files_ok, (unsigned long long)r->files_with_md5);
		if (r->files > r->files_with_md5)
			printf(" (%llu without MD5, not checked)",
			       (unsigned long long)(r->files - r->files_with_md5));
		printf("\n");
	}
	if (r->unreadable_sectors)
		printf("%-16s %lld\n", "unreadable:", (long long)r->unreadable_sectors);
	if (r->n_bad) {
		printf("damaged files (%zu):\n", r->n_bad);
		for (size_t i = 0; i < r->n_bad; i++)
			printf("  %s  (%s at LBA %lld): %s\n", r->bad[i].path,
			       sp_human_size(r->bad[i].size, h, sizeof(h)), (long long)r->bad[i].lba,
			       r->bad[i].state == IMG_MD5_UNREADABLE ? "unreadable" : "MD5 mismatch");
	}
}

/* Only the published checks ran (the MD5 tags were not looked at, or the
 * source holds no ISO 9660 volume to look in): their result alone. */
static int sums_only(struct cli_ctx *ctx, const char *what, struct cli_sums_args *sums,
		     json_t *sj, int sums_rc, const char *why)
{
	if (ctx->json) {
		json_t *o = cli_json_result(ctx, sums_rc == SP_EXIT_OK);

		json_object_set_new(o, "mode", json_string("checksums"));
		json_object_set_new(o, "source", json_string(what));
		json_object_update(o, sj);
		cli_json_emit(o);
	} else if (why) {
		printf("%s\n", why);
	}
	if (sums->verdict.code != SPE_NONE)
		cli_print_error(ctx, NULL, &sums->verdict);
	return sums_rc;
}

int cmd_verify_tags(struct cli_ctx *ctx, const char *drive, const char *image_path,
		    struct cli_sums_args *sums)
{
	json_t *sj = json_object();
	int sums_rc = SP_EXIT_OK;
	struct img_md5_report r = IMG_MD5_REPORT_INIT;
	struct sp_error err = SP_ERROR_INIT, v = SP_ERROR_INIT;
	struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;
	struct drv_drive *d = NULL;
	struct drv_medium m;
	bool have_medium = false;
	const char *what = image_path;
	enum sp_status rc;
	int exit_code;

	if (!image_path) {
		if (drv_open(&d, drive, &oo, &err) != SP_OK ||
		    drv_get_medium(d, &m, &err) != SP_OK) {
			exit_code = cli_fail(ctx, &err);
			goto out;
		}
		have_medium = true;
		what = drv_address(d);
	}
	if (sums) {
		sums_rc = cli_sums_run(ctx, sums, d, image_path, sj);
		if (sums_rc != SP_EXIT_OK && !json_object_get(sj, "checks")) {
			exit_code = sums_rc;    /* the checks could not run: told already */
			goto out;
		}
		/* a failed implanted MD5 stopped at its first bad fragment: do not
		 * read on for MD5 tags, which such images do not carry */
		if (sums->isomd5_failed) {
			exit_code = sums_only(ctx, what, sums, sj, sums_rc,
					      "MD5 tags not looked for: the implanted MD5 failed");
			goto out;
		}
		/* the data is what was published and carries no libisofs tags:
		 * reading it again would only repeat a SHA-256 */
		if (sums->digests_passed && sums->md5_tags == 0) {
			exit_code = sums_only(ctx, what, sums, sj, sums_rc,
					      "no libisofs MD5 tags; the checks above are the verdict");
			goto out;
		}
	}
	rc = image_path ? img_md5_check_file(image_path, &r, progress, ctx, &err)
			: img_md5_check_drive(d, last_session_start(&m), &r, progress, ctx, &err);
	cli_progress_end(ctx);
	if (rc != SP_OK && err.code == SPE_FORMAT && sums && sums->n_checks) {
		/* not an ISO 9660 image (a disk image, a stick): the published
		 * checks are the verdict */
		exit_code = sums_only(ctx, what, sums, sj, sums_rc, NULL);
		goto out;
	}
	if (rc != SP_OK) {
		exit_code = cli_fail(ctx, &err);
		goto out;
	}
	verdict(&r, &v);
	if (ctx->json) {
		json_t *o = cli_json_result(ctx, v.code == SPE_NONE);

		fill_json(o, what, &r, &v);
		/* a failed published check decides "ok" and "error" */
		json_object_update(o, sj);
		cli_json_emit(o);
	} else {
		print_text(what, &r);
	}
	if (v.code != SPE_NONE) {
		cli_print_error(ctx, NULL, &v);
		exit_code = sp_exit_code(v.code);
	} else {
		exit_code = SP_EXIT_OK;
	}
	if (sums && sums->verdict.code != SPE_NONE)
		cli_print_error(ctx, NULL, &sums->verdict);
	if (sums_rc != SP_EXIT_OK)
		exit_code = sums_rc;
out:
	json_decref(sj);
	img_md5_report_release(&r);
	if (have_medium)
		drv_medium_release(&m);
	if (d)
		drv_close(d, DRV_KEEP_TRAY);
	return exit_code;
}

int cli_verify_tags_after_burn(struct cli_ctx *ctx, struct drv_drive *d,
			       int64_t start_lba, json_t *r)
{
	struct img_md5_report rep = IMG_MD5_REPORT_INIT;
	struct sp_error err = SP_ERROR_INIT, v = SP_ERROR_INIT;
	json_t *o;
	int exit_code = SP_EXIT_OK;

	if (img_md5_check_drive(d, start_lba, &rep, progress, ctx, &err) != SP_OK) {
		img_md5_report_release(&rep);
		return cli_fail(ctx, &err);
	}
	cli_progress_end(ctx);
	verdict(&rep, &v);
	if (!rep.has_tags)
		sp_error_set(&v, SPE_MISMATCH, "the burned session carries no MD5 tags");
	o = json_object();
	fill_json(o, drv_address(d), &rep, &v);
	json_object_set(r, "verify", o);
	if (v.code != SPE_NONE) {
		json_object_set_new(r, "ok", json_false());
		json_object_set_new(r, "error", cli_error_json(&v));
		exit_code = sp_exit_code(v.code);
	}
	json_decref(o);
	if (!ctx->json) {
		print_text(drv_address(d), &rep);
		if (v.code != SPE_NONE)
			cli_print_error(ctx, "burn: verify", &v);
	}
	img_md5_report_release(&rep);
	return exit_code;
}
