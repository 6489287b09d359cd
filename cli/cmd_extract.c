/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_extract.c - spindle extract: files out of an ISO 9660 or UDF image or disc. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "imaging/imaging.h"

enum { OPT_DIR = 'C', OPT_FORCE = 258, OPT_SKIP_DAMAGED, OPT_RETRIES, OPT_TEST_MODE, OPT_TEST_DAMAGE,
       OPT_RESCUE, OPT_REPORT, OPT_LOG_READS };

static const struct cli_opt opts[] = {
	CLI_FS_OPTS,
	{ "directory", OPT_DIR, "DIR", "write the files under DIR (created if missing; required)" },
	{ "force", OPT_FORCE, NULL, "replace files that exist in DIR" },
	{ "skip-damaged", OPT_SKIP_DAMAGED, NULL, "do not keep files with unreadable blocks" },
	{ "retries", OPT_RETRIES, "N", "with -d: N retry passes over the unreadable blocks (default 0)" },
	{ "rescue", OPT_RESCUE, "IMAGE", "with -d: keep the sectors read in IMAGE and its mapfile IMAGE.map (default DIR/.spindle-rescue.iso)" },
	{ "test-mode", OPT_TEST_MODE, "MAPFILE", "testing, with -d: sectors not marked '+' in this ddrescue mapfile fail without being read" },
	{ "test-damage", OPT_TEST_DAMAGE, "FILE", "testing, with -d: a damage spec as for spindle rip" },
	{ "log-reads", OPT_LOG_READS, "FILE", "with -d: log every read command sent to the drive in GNU ddrescue's --log-reads format" },
	{ "report", OPT_REPORT, "FILE", "draw the blocks read, the unreadable ones and the damaged files into FILE.html or FILE.svg" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_extract = {
	"[--fs TREE] [--session N] [--force] SOURCE|-d DRIVE [PATH...] -C DIR",
	"Extract files from an ISO 9660 or UDF image or disc",
	"Writes every file of SOURCE (an image of any format spindle reads, or a "
	"block device) or of the disc in DRIVE, or the named PATHs and what lies under them, under DIR, "
	"with their Rock Ridge or UDF modes, times, symlinks and hard links "
	"(owners only as root).  Multi-extent files over 4 GiB come out whole; "
	"runs of zeros become holes.\n\n"
	"Nothing is written outside DIR: each path is opened from DIR without "
	"following symlinks, so a symlink in the image cannot lead a later file "
	"elsewhere; a name that is empty, '.', '..' or holds '/' is refused and "
	"control characters become '_', and each is reported.  An existing file "
	"is kept unless --force.  Each file is written as NAME.spindle-tmp and "
	"renamed when whole: a full disk stops with exit status 9 and leaves no "
	"half file under its final name.  A file with unreadable blocks is kept "
	"with zeros there and a note NAME.damaged giving the bad byte ranges "
	"(or left out with --skip-damaged); the exit status is then 6.  Refused, "
	"existing or failed files give exit status 1; an existing file that holds "
	"the same bytes is left as it is, and one with a NAME.damaged note is "
	"replaced.\n\n"
	"From a drive, extraction is a rescue with a GNU ddrescue mapfile: the "
	"file-system structures are read first, then only the blocks of the files "
	"asked for, copied, trimmed, scraped and retried as spindle rip does.  "
	"The sectors read are kept in a sparse image (--rescue) with its mapfile, "
	"so that running the same command again reads only what is still missing; "
	"both are removed once every file came out whole.  Each pass of the rescue "
	"reads the files in path order (the order spindle ls lists them), not in "
	"the order of their blocks on the disc, so that the files come whole one "
	"after the other: an interrupted run leaves the first ones done rather than "
	"a part of each.\n\n"
	"--report FILE.html or FILE.svg draws the source's blocks as the "
	"extraction read them (read, unreadable, not read), the read speed and "
	"the damaged files with their first bad LBA (see spindle report).",
	opts,
	NULL,
};

struct xcb {
	struct cli_ctx *ctx;
	json_t *files;
	struct cli_xrec *rec;   /* --report: the reads recorded, or NULL */
};

/* Rescue paths: the image (given or DIR/.spindle-rescue.iso) and its map. */
struct xrescue {
	struct img_rescue *r;
	char *image, *map;
	struct img_rescue_report rep;
	bool have_rep;
};

static void on_rescue(const struct img_rescue_progress *p, void *cb)
{
	struct cli_ctx *ctx = cb;
	char h[32];

	char t[32];

	if (ctx->json)
		cli_json_progress(ctx, cli_rescue_progress_json("extract", p), p->final);
	else
		cli_progress(ctx, "reading the files' blocks (%s): %s of %s read, %lld failed reads",
			     p->phase_name, sp_human_size((uint64_t)p->rescued_bytes, h, sizeof(h)),
			     sp_human_size((uint64_t)p->total_bytes, t, sizeof(t)),
			     (long long)p->failed_reads);
}

/*
 * -d DRIVE: open the rescue, read the tree through it (structures first),
 * then the blocks of the files asked for and nothing else.
 */
static enum sp_status rescue_files(struct cli_ctx *ctx, struct cli_fs_args *a,
				   const struct img_extract_opts *o, const char *given,
				   const char *log_reads, struct xrescue *x, struct sp_error *err)
{
	struct img_rescue_opts ro = IMG_RESCUE_OPTS_INIT;
	struct img_ranges dom = IMG_RANGES_INIT;
	bool *sel = NULL;
	char creator[64];
	enum sp_status st = SP_FAILED;

	if (mkdir(o->dir, 0777) < 0 && errno != EEXIST)
		return sp_error_set_errno(err, errno, "cannot create directory '%s'", o->dir);
	if (given)
		x->image = strdup(given);
	else if (asprintf(&x->image, "%s/.spindle-rescue.iso", o->dir) < 0)
		x->image = NULL;
	if (!x->image || asprintf(&x->map, "%s.map", x->image) < 0) {
		x->map = NULL;
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	snprintf(creator, sizeof(creator), "spindle %s", PACKAGE_VERSION);
	ro.out_path = x->image;
	ro.map_path = x->map;
	ro.creator = creator;
	ro.retries = a->retries;
	ro.log_reads_path = log_reads;
	ro.whole_disc = true;
	ro.progress = on_rescue;
	ro.progress_ctx = ctx;
	if (img_rescue_new(&x->r, a->src.drive, &ro, err) != SP_OK ||
	    cli_fs_read_tree(a, img_rescue_block, x->r, img_rescue_sectors(x->r), err) != SP_OK)
		goto out;
	if (o->n_paths && (!(sel = calloc(a->tree.n, sizeof(*sel))) ||
			   img_extract_select(&a->tree, o->paths, o->n_paths, sel, err) != SP_OK)) {
		if (!sel)
			sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	if (img_extract_domain(&a->tree, sel, &dom, err) != SP_OK ||
	    img_rescue_set_domain(x->r, &dom, err) != SP_OK || img_rescue_run(x->r, err) != SP_OK)
		goto out;
	st = img_rescue_report(x->r, &x->rep, err);
	x->have_rep = st == SP_OK;
out:
	free(sel);
	img_ranges_release(&dom);
	return st;
}

static void on_file(const struct img_extract_file *f, void *cb)
{
	struct xcb *x = cb;

	if (x->rec)
		cli_xrec_file(x->rec, f);
	if (x->files) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "path", f->node->path, "out", f->out,
				      "state", img_extract_state_name(f->state));

		if (f->why)
			json_object_set_new(o, "why", json_string(f->why));
		if (f->bad) {
			json_t *b = json_array();

			for (size_t i = 0; i < f->bad->n; i++) {
				uint64_t a = (uint64_t)f->bad->v[i].lba * 2048;
				uint64_t e = (uint64_t)(f->bad->v[i].lba + f->bad->v[i].count) * 2048;

				if (e > f->node->size)
					e = f->node->size;
				json_array_append_new(b, json_pack("{s:I, s:I}", "offset", (json_int_t)a,
								   "length", (json_int_t)(e - a)));
			}
			json_object_set_new(o, "bad_bytes", b);
		}
		json_array_append_new(x->files, o);
		return;
	}
	if (f->state == IMG_X_OK)
		return;
	cli_progress_end(x->ctx);
	fprintf(stderr, "spindle extract: %s: '", img_extract_state_name(f->state));
	cli_print_escaped(stderr, f->node->path);
	fprintf(stderr, "'%s%s%s\n", f->why ? " (" : "", f->why ? f->why : "", f->why ? ")" : "");
}

static void on_progress(uint64_t done, uint64_t total, void *cb)
{
	struct xcb *x = cb;
	char a[32], b[32];

	if (x->ctx->json)
		cli_json_progress(x->ctx, json_pack("{s:s, s:s, s:s, s:I, s:I}",
			"type", "progress", "command", "extract", "phase", "extracting",
			"bytes_done", (json_int_t)done, "bytes_total", (json_int_t)total),
			done == total);
	else
		cli_progress(x->ctx, "extracting %s of %s", sp_human_size(done, a, sizeof(a)),
			     sp_human_size(total, b, sizeof(b)));
}

int cmd_extract(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct cli_fs_args a = CLI_FS_ARGS_INIT;
	struct img_extract_opts o = { 0 };
	struct img_extract_summary sum;
	struct xcb cb = { ctx, NULL, NULL };
	struct cli_xrec rec;
	const char **paths = calloc((size_t)argc + 1, sizeof(*paths));
	size_t np = 0;
	const char *arg, *test_mode = NULL, *test_damage = NULL, *rescue = NULL, *report = NULL;
	const char *log_reads = NULL;
	struct xrescue xr = { 0 };
	int c, rc;

	if (!paths)
		return SP_EXIT_FAILURE;
	for (;;) {
		while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
			if (c == OPT_DIR) {
				o.dir = arg;
			} else if (c == OPT_FORCE) {
				o.force = true;
			} else if (c == OPT_SKIP_DAMAGED) {
				o.skip_damaged = true;
			} else if (c == OPT_RETRIES) {
				uint64_t v;

				if (cli_parse_uint_opt(ctx, "--retries", arg, 0, 1000, &v)) {
					free(paths);
					return SP_EXIT_USAGE;
				}
				a.retries = (unsigned)v;
			} else if (c == OPT_TEST_MODE) {
				test_mode = arg;
			} else if (c == OPT_TEST_DAMAGE) {
				test_damage = arg;
			} else if (c == OPT_RESCUE) {
				rescue = arg;
			} else if (c == OPT_LOG_READS) {
				log_reads = arg;
			} else if (c == OPT_REPORT) {
				if (cli_report_option(ctx, arg) >= 0) {
					free(paths);
					return SP_EXIT_USAGE;
				}
				report = arg;
			} else if (c == CLI_OPT_EXIT || c < 0 || cli_fs_option(ctx, c, arg, &a)) {
				free(paths);
				return c == CLI_OPT_EXIT ? SP_EXIT_OK : SP_EXIT_USAGE;
			}
		}
		if (ctx->optind >= argc)
			break;
		if (!a.source && !cli_drive(ctx))
			a.source = argv[ctx->optind];
		else
			paths[np++] = argv[ctx->optind];
		argc -= ctx->optind;
		argv += ctx->optind;
	}
	if (!o.dir) {
		free(paths);
		return cli_usage_error(ctx, "no directory: give -C DIR");
	}
	if ((test_mode || test_damage) && !cli_drive(ctx)) {
		free(paths);
		return cli_usage_error(ctx, "--test-mode and --test-damage need -d DRIVE (stdio:IMAGE)");
	}
	if (test_mode || test_damage) {
		/* as rip: the ddrescue mapfile first, the damage spec's rules over it */
		if (drv_damage_new(&a.damage, &err) != SP_OK ||
		    (test_mode && img_damage_from_mapfile(a.damage, test_mode, &err) != SP_OK) ||
		    (test_damage && drv_damage_parse_file(a.damage, test_damage, &err) != SP_OK)) {
			free(paths);
			drv_damage_free(a.damage);
			return cli_fail(ctx, &err);
		}
	}
	if ((rescue || log_reads) && !cli_drive(ctx)) {
		free(paths);
		drv_damage_free(a.damage);
		return cli_usage_error(ctx, "--rescue and --log-reads need -d DRIVE");
	}
	a.source_only = cli_drive(ctx) != NULL;
	if (cli_fs_open(ctx, &a, &err) != SP_OK) {
		free(paths);
		drv_damage_free(a.damage);
		return err.code == SPE_USAGE ? cli_usage_error(ctx, "%s", err.msg) : cli_fail(ctx, &err);
	}
	o.paths = paths;
	o.n_paths = np;
	if (a.source_only) {
		if (rescue_files(ctx, &a, &o, rescue, log_reads, &xr, &err) != SP_OK) {
			if (err.code == SPE_ABORTED && !err.hint[0])
				sp_error_hint(&err, "run the same command again to continue");
			rc = cli_fail(ctx, &err);
			goto out;
		}
		if (xr.rep.stop == IMG_RESCUE_INTERRUPTED) {
			sp_error_set(&err, SPE_ABORTED, "interrupted by signal %d; the mapfile '%s' is saved",
				     drv_interrupt_signal(), xr.map);
			sp_error_hint(&err, "run the same command again to continue");
			rc = cli_fail(ctx, &err);
			goto out;
		}
	}
	o.on_file = on_file;
	o.progress = on_progress;
	o.read_run = xr.r ? img_rescue_rescued_run : img_sectors_run;
	o.cb = &cb;
	if (ctx->json)
		cb.files = json_array();
	if (report) {
		/* the recording reader in front of the source's */
		if (cli_xrec_init(&rec, xr.r ? img_rescue_rescued_block : img_sectors_block,
				  xr.r ? img_rescue_rescued_run : img_sectors_run,
				  xr.r ? (void *)xr.r : (void *)&a.src, a.src.sectors, &err) != SP_OK) {
			cli_xrec_release(&rec);
			json_decref(cb.files);
			rc = cli_fail(ctx, &err);
			goto out;
		}
		cb.rec = &rec;
		o.read_run = cli_xrec_read_run;
	}
	if (img_extract(report ? cli_xrec_read : xr.r ? img_rescue_rescued_block : img_sectors_block,
			report ? (void *)&rec : xr.r ? (void *)xr.r : (void *)&a.src,
			&a.tree, &o, &sum, &err) != SP_OK) {
		cli_progress_end(ctx);
		json_decref(cb.files);
		rc = cli_fail(ctx, &err);
		goto out;
	}
	cli_progress_end(ctx);
	rc = sum.damaged || sum.skipped ? SP_EXIT_UNREADABLE :
	     sum.refused || sum.exists || sum.failed ? SP_EXIT_FAILURE : SP_EXIT_OK;
	if (xr.r && !sum.damaged && !sum.skipped) {
		/* every file whole: nothing to resume */
		unlink(xr.image);
		unlink(xr.map);
	} else if (xr.r && !ctx->json && !ctx->quiet) {
		fprintf(stderr, "spindle extract: the sectors read are kept in '%s' with its mapfile "
			"'%s': run the same command again to retry the unreadable blocks\n",
			xr.image, xr.map);
	}
	if (ctx->json) {
		json_t *r = cli_json_result(ctx, rc == SP_EXIT_OK);

		json_object_set_new(r, "source", json_string(a.name));
		json_object_set_new(r, "fs", json_string(img_fs_kind_name(a.tree.kind)));
		json_object_set_new(r, "directory", json_string(o.dir));
		json_object_set_new(r, "files", cb.files);
		json_object_set_new(r, "report", report ? json_string(report) : json_null());
		json_object_set_new(r, "summary", json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"files", (json_int_t)sum.files, "dirs", (json_int_t)sum.dirs,
			"symlinks", (json_int_t)sum.symlinks, "hardlinks", (json_int_t)sum.hardlinks,
			"bytes", (json_int_t)sum.bytes, "renamed", (json_int_t)sum.renamed,
			"damaged", (json_int_t)sum.damaged, "skipped", (json_int_t)sum.skipped,
			"refused", (json_int_t)sum.refused, "exists", (json_int_t)sum.exists,
			"failed", (json_int_t)sum.failed,
			"reads", (json_int_t)(xr.have_rep ? (uint64_t)xr.rep.reads : a.src.reads)));
		if (xr.r)
			json_object_set_new(r, "rescue", json_pack("{s:s, s:s, s:b, s:b}",
				"image", xr.image, "mapfile", xr.map, "resumed", xr.rep.resumed,
				"kept", sum.damaged || sum.skipped));
		if (rc != SP_EXIT_OK) {
			sp_error_set(&err, rc == SP_EXIT_UNREADABLE ? SPE_READ : SPE_EXISTS,
				     "some files were not extracted whole");
			json_object_set_new(r, "error", cli_error_json(&err));
		}
		cli_json_emit(r);
	} else if (!ctx->quiet) {
		fprintf(stderr, "extracted %llu files, %llu directories, %llu symlinks, %llu hard links"
			" (%llu bytes) to '%s'", (unsigned long long)sum.files,
			(unsigned long long)sum.dirs, (unsigned long long)sum.symlinks,
			(unsigned long long)sum.hardlinks, (unsigned long long)sum.bytes, o.dir);
		if (rc != SP_EXIT_OK)
			fprintf(stderr, "; %llu renamed, %llu damaged, %llu skipped, %llu refused, "
				"%llu existing, %llu failed", (unsigned long long)sum.renamed,
				(unsigned long long)sum.damaged, (unsigned long long)sum.skipped,
				(unsigned long long)sum.refused, (unsigned long long)sum.exists,
				(unsigned long long)sum.failed);
		fputc('\n', stderr);
	}
	if (report && !cli_xrec_finish(ctx, &rec, a.name, a.src.drive, &a.tree, report) &&
	    rc == SP_EXIT_OK)
		rc = SP_EXIT_FAILURE;
out:
	if (xr.have_rep)
		img_rescue_report_release(&xr.rep);
	img_rescue_free(xr.r);
	free(xr.image);
	free(xr.map);
	if (cb.rec)
		cli_xrec_release(cb.rec);
	free(paths);
	cli_fs_close(&a);
	drv_damage_free(a.damage);
	return rc;
}
