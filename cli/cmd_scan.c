/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_scan.c - spindle scan: read a whole medium once, timing every read
 * command, without writing an image (imaging/report/scan.c); print the
 * read speeds, slow and unreadable areas and the files they touch, and
 * draw them with --report.
 */
#include "config.h"

#include <string.h>

#include "cli/cli.h"
#include "cli/master_args.h"
#include "drive/drive.h"
#include "imaging/imaging.h"

enum {
	OPT_ECC_BLOCK = 256,
	OPT_ZONES,
	OPT_REPORT,
	OPT_TEST_MODE,
	OPT_TEST_DAMAGE,
};

static const struct cli_opt opts[] = {
	{ "ecc-block", OPT_ECC_BLOCK, "N", "sectors per ECC block: 1 CD, 16 DVD, 32 BD (default: from the medium; 1 for files)" },
	{ "zones", OPT_ZONES, "N", "zones of the medium in the figures (default 100)" },
	{ "report", OPT_REPORT, "FILE", "draw the disc map and the speed curve into FILE.html or FILE.svg" },
	{ "test-mode", OPT_TEST_MODE, "MAPFILE", "testing: sectors not marked '+' in this ddrescue mapfile fail without being read" },
	{ "test-damage", OPT_TEST_DAMAGE, "FILE", "testing: a damage spec of bad, flaky, slow and run-out sectors (see rip's DAMAGE SPEC)" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_scan = {
	"[-d DRIVE | SOURCE] [--report FILE] [OPTIONS]",
	"Time the reads of a whole medium and find its weak areas",
	"Reads every sector of the disc in DRIVE (or of SOURCE, a block device "
	"or image file, read as stdio:SOURCE) once, a whole number of ECC blocks "
	"per read command (up to 64 sectors), and times every "
	"command; nothing is written.  It is quick by design: no retries and no "
	"scraping.  When a command fails, each of its ECC blocks is read once on "
	"its own, to name the unreadable ones.\n\n"
	"Each command's time per sector is compared with the median of the "
	"medium, giving timing classes: normal, slow (at least 3 times the "
	"median and 10 ms), slower (10 times and 50 ms), very-slow (50 times and "
	"250 ms) and failed.  Runs of commands of one class that is not normal "
	"are the slow areas.  The read speed is averaged over zones of the "
	"medium (--zones) and, finer, for the curve of the report.\n\n"
	"It prints the medium, the average and slowest speeds (in kB/s and as "
	"multiples of the medium's 1x), the count of each class, the slow and "
	"unreadable areas and, when the medium holds an ISO 9660 file system, "
	"the files that overlap unreadable sectors.  --report FILE.html draws the "
	"disc map, the read-speed curve with the nominal speeds, the slow areas "
	"and the files; on a terminal a one-screen text map ends the output.  "
	"Exit status 6 when sectors are unreadable, 8 when interrupted (what was "
	"read so far is reported).\n\n"
	"With --json, progress objects carry lba, total, bad_sectors and kbps; "
	"the result object carries source, medium, sectors, read_sectors, "
	"ecc_block, reads, elapsed, stopped, avg_kbps, min_kbps, max_kbps, "
	"x1_kbps, median_ms_per_sector, classes (reads of each class by name), "
	"slow_areas ({lba, sectors, class, seconds}), bad_ranges ({lba, "
	"sectors}), zones ({lba, sectors, seconds, kbps, min_kbps, bad_sectors, "
	"reads: by class}), files (null when not listed), tree_damaged, "
	"files_error and report.",
	opts,
	NULL,
};

struct scan_args {
	const char *source;
	char source_buf[4096];
	const char *file;       /* what libisofs reads for the file list */
	const char *report;
	const char *test_mode, *test_damage;
	struct img_scan_opts so;
};

static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct scan_args *a)
{
	const char *arg;
	uint64_t v;
	int c;

	cli_permute_args(ctx, argc, argv);
	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		switch (c) {
		case CLI_OPT_EXIT:
			return SP_EXIT_OK;
		case OPT_ECC_BLOCK:
			if (cli_parse_uint_opt(ctx, "--ecc-block", arg, 1, 64, &v) < 0)
				return SP_EXIT_USAGE;
			a->so.ecc_block = (uint32_t)v;
			break;
		case OPT_ZONES:
			if (cli_parse_uint_opt(ctx, "--zones", arg, 1, 10000, &v) < 0)
				return SP_EXIT_USAGE;
			a->so.zones = (int)v;
			break;
		case OPT_REPORT:
			if (cli_report_option(ctx, arg) >= 0)
				return SP_EXIT_USAGE;
			a->report = arg;
			break;
		case OPT_TEST_MODE:
			a->test_mode = arg;
			break;
		case OPT_TEST_DAMAGE:
			a->test_damage = arg;
			break;
		default:
			return SP_EXIT_USAGE;
		}
	}
	if (ctx->optind < argc) {
		const char *s = argv[ctx->optind++];

		if (ctx->optind < argc)
			return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
		if (ctx->n_drives)
			return cli_usage_error(ctx, "give either -d DRIVE or SOURCE, not both");
		snprintf(a->source_buf, sizeof(a->source_buf), "%s%s",
			 strncmp(s, "stdio:", 6) ? "stdio:" : "", s);
		a->source = a->source_buf;
	} else {
		a->source = cli_drive(ctx);
	}
	return -1;
}

static void on_progress(const struct img_scan_progress *p, void *vctx)
{
	struct cli_ctx *ctx = vctx;

	if (ctx->json) {
		cli_json_progress(ctx, json_pack("{s:s, s:s, s:I, s:I, s:I, s:f}",
			"type", "progress", "command", "scan", "lba", (json_int_t)p->lba,
			"total", (json_int_t)p->total, "bad_sectors", (json_int_t)p->bad_sectors,
			"kbps", p->kbps), p->lba >= p->total);
		return;
	}
	cli_progress(ctx, "scanning LBA %lld of %lld (%.0f%%), %.0f kB/s, %lld unreadable",
		     (long long)p->lba, (long long)p->total,
		     p->total ? 100.0 * (double)p->lba / (double)p->total : 0, p->kbps,
		     (long long)p->bad_sectors);
}

static json_t *scan_json(const struct img_scan_result *s, double x1)
{
	json_t *r = json_object(), *cls = json_object(), *slow = json_array(), *z = json_array();

	json_object_set_new(r, "sectors", json_integer(s->sectors));
	json_object_set_new(r, "read_sectors", json_integer(s->read_sectors));
	json_object_set_new(r, "ecc_block", json_integer(s->ecc_block));
	json_object_set_new(r, "reads", json_integer(s->reads));
	json_object_set_new(r, "elapsed", json_real(s->elapsed));
	json_object_set_new(r, "stopped", json_boolean(s->stopped));
	json_object_set_new(r, "avg_kbps", json_real(s->avg_kbps));
	json_object_set_new(r, "min_kbps", json_real(s->min_kbps));
	json_object_set_new(r, "max_kbps", json_real(s->max_kbps));
	json_object_set_new(r, "x1_kbps", json_real(x1));
	json_object_set_new(r, "median_ms_per_sector", json_real(s->median_ms_per_sector));
	for (int c = 0; c < IMG_SCAN__COUNT; c++)
		json_object_set_new(cls, img_scan_class_name((enum img_scan_class)c),
				    json_integer(s->class_reads[c]));
	json_object_set_new(r, "classes", cls);
	for (size_t i = 0; i < s->n_slow; i++)
		json_array_append_new(slow, json_pack("{s:I, s:I, s:s, s:f}",
			"lba", (json_int_t)s->slow[i].lba, "sectors", (json_int_t)s->slow[i].sectors,
			"class", img_scan_class_name(s->slow[i].cls), "seconds", s->slow[i].seconds));
	json_object_set_new(r, "slow_areas", slow);
	json_object_set_new(r, "bad_ranges", cli_ranges_json("sectors", s->bad));
	for (size_t i = 0; i < s->n_zones; i++) {
		const struct img_scan_zone *q = &s->zones[i];
		json_t *reads = json_object();

		for (int c = 0; c < IMG_SCAN__COUNT; c++)
			json_object_set_new(reads, img_scan_class_name((enum img_scan_class)c),
					    json_integer(q->reads[c]));
		json_array_append_new(z, json_pack("{s:I, s:I, s:f, s:f, s:f, s:I, s:o}",
			"lba", (json_int_t)q->lba, "sectors", (json_int_t)q->sectors,
			"seconds", q->seconds, "kbps", q->kbps, "min_kbps", q->min_kbps,
			"bad_sectors", (json_int_t)q->bad_sectors, "reads", reads));
	}
	json_object_set_new(r, "zones", z);
	return r;
}

static void print_text(const struct img_scan_result *s, const char *medium, double x1)
{
	char t[32], h[32];

	printf("scanned %lld sectors%s%s in %s: %lld read commands, ECC blocks of %u sector%s\n",
	       (long long)s->sectors, medium ? " of a " : "", medium ? medium : "",
	       sp_human_time(s->elapsed, t, sizeof(t)), (long long)s->reads, s->ecc_block,
	       s->ecc_block == 1 ? "" : "s");
	printf("read speed: average %.0f kB/s (%.1fx), slowest zone %.0f kB/s, fastest %.0f kB/s\n",
	       s->avg_kbps, s->avg_kbps / x1, s->min_kbps, s->max_kbps);
	printf("read commands by time:");
	for (int c = 0; c < IMG_SCAN__COUNT; c++)
		printf(" %s %lld%s", img_scan_class_name((enum img_scan_class)c),
		       (long long)s->class_reads[c], c + 1 < IMG_SCAN__COUNT ? "," : "\n");
	if (s->n_slow) {
		size_t shown = s->n_slow < 40 ? s->n_slow : 40;

		printf("slow or failed areas: %zu\n", s->n_slow);
		for (size_t i = 0; i < shown; i++)
			printf("  LBA %lld-%lld (%lld sectors): %s, %.1f ms\n",
			       (long long)s->slow[i].lba,
			       (long long)(s->slow[i].lba + s->slow[i].sectors - 1),
			       (long long)s->slow[i].sectors, img_scan_class_name(s->slow[i].cls),
			       s->slow[i].seconds * 1000);
		if (shown < s->n_slow)
			printf("  ... and %zu more (--json lists them all)\n", s->n_slow - shown);
	}
	if (s->bad->n) {
		size_t shown = s->bad->n < 40 ? s->bad->n : 40;

		printf("unreadable areas: %zu (%s)\n", s->bad->n,
		       sp_human_size((uint64_t)img_ranges_total(s->bad) * SP_SECTOR, h, sizeof(h)));
		for (size_t i = 0; i < shown; i++)
			printf("  LBA %lld-%lld (%lld sector%s)\n", (long long)s->bad->v[i].lba,
			       (long long)(s->bad->v[i].lba + s->bad->v[i].count - 1),
			       (long long)s->bad->v[i].count, s->bad->v[i].count == 1 ? "" : "s");
		if (shown < s->bad->n)
			printf("  ... and %zu more (--json lists them all)\n", s->bad->n - shown);
	}
	if (s->stopped)
		printf("stopped before the end: the rest is untried\n");
}

static double x1_of(int profile, int64_t sectors)
{
	if (profile > 0)
		return drv_x_speed_kbps(profile);
	return sectors <= 405000 ? 176.4 : sectors <= 4171712 ? 1385 : 4495;
}

static int scan(struct cli_ctx *ctx, struct scan_args *a)
{
	struct sp_error err = SP_ERROR_INIT, fe = SP_ERROR_INIT;
	struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;
	struct drv_damage *dm = NULL;
	struct drv_drive *d = NULL;
	struct img_scan_result res;
	struct img_report rep = IMG_REPORT_INIT;
	struct img_mapfile m;
	struct img_iso_damage files;
	bool have_res = false, have_files = false;
	char medium[80];
	double x1;
	int rc = SP_EXIT_OK;

	memset(&files, 0, sizeof(files));
	memset(&res, 0, sizeof(res));
	img_mapfile_init(&m);
	if (a->test_mode || a->test_damage) {
		if (drv_damage_new(&dm, &err) != SP_OK)
			goto fail;
		if (a->test_mode && img_damage_from_mapfile(dm, a->test_mode, &err) != SP_OK)
			goto fail;
		if (a->test_damage && drv_damage_parse_file(dm, a->test_damage, &err) != SP_OK)
			goto fail;
		oo.damage = dm;
	}
	if (drv_open(&d, a->source, &oo, &err) != SP_OK)
		goto fail;
	a->so.progress = on_progress;
	a->so.ctx = ctx;
	if (img_scan(d, &a->so, &res, &err) != SP_OK)
		goto fail;
	have_res = true;
	cli_progress_end(ctx);
	rep.title = "spindle scan";
	rep.source = drv_address(d);
	rep.elapsed = res.elapsed;
	rep.reads = res.reads;
	rep.failed_reads = res.class_reads[IMG_SCAN_FAILED];
	rep.scan = &res;
	cli_report_medium(d, &rep, medium, sizeof(medium));
	x1 = x1_of(rep.profile, res.sectors);
	if (res.bad->n && !res.stopped) {
		/* the file system, read through the kernel: bad sectors read as zeros */
		const char *path = strncmp(drv_address(d), "stdio:", 6) ? drv_address(d)
			: drv_address(d) + 6;

		if (img_iso_damaged_files(path, res.bad, &files, &fe) == SP_OK) {
			have_files = true;
			rep.files = &files;
		}
	}
	if (img_scan_to_mapfile(&res, &m, &err) != SP_OK ||
	    img_report_set_map(&rep, &m, &err) != SP_OK)
		goto fail;
	if (res.stopped) {
		sp_error_set(&err, SPE_ABORTED, "interrupted by %s; the scan stopped at LBA %lld",
			     drv_interrupt_signal_name(),
			     res.n_zones ? (long long)(res.zones[res.n_zones - 1].lba +
						       res.zones[res.n_zones - 1].sectors) : 0LL);
		rc = SP_EXIT_ABORTED;
	} else if (res.bad->n) {
		long long n = img_ranges_total(res.bad);

		sp_error_set(&err, SPE_READ, "%lld sector%s in %zu area%s could not be read", n,
			     n == 1 ? "" : "s", res.bad->n, res.bad->n == 1 ? "" : "s");
		sp_error_hint(&err, "'spindle rip' reads them again, trims and scrapes, and keeps a map");
		rc = SP_EXIT_UNREADABLE;
	}
	if (ctx->json) {
		json_t *r = cli_json_result(ctx, rc == SP_EXIT_OK), *s = scan_json(&res, x1);

		json_object_set_new(r, "source", json_string(drv_address(d)));
		json_object_set_new(r, "medium", rep.medium ? json_string(rep.medium) : json_null());
		json_object_update(r, s);
		json_decref(s);
		json_object_set_new(r, "files", have_files ? cli_files_json(&files) : json_null());
		json_object_set_new(r, "tree_damaged", json_boolean(have_files && files.tree_damaged));
		if (fe.msg[0])
			json_object_set_new(r, "files_error", json_string(fe.msg));
		json_object_set_new(r, "report", a->report ? json_string(a->report) : json_null());
		if (rc != SP_EXIT_OK)
			json_object_set_new(r, "error", cli_error_json(&err));
		cli_json_emit(r);
	} else {
		print_text(&res, rep.medium, x1);
		if (have_files)
			cli_print_files(&files);
	}
	if (!cli_report_finish(ctx, &rep, a->report) && rc == SP_EXIT_OK)
		rc = SP_EXIT_FAILURE;
	if (rc != SP_EXIT_OK && rc != SP_EXIT_FAILURE) {
		if (ctx->json)
			cli_print_error(ctx, NULL, &err);
		else
			cli_fail(ctx, &err);
	}
	goto out;
fail:
	rc = cli_fail(ctx, &err);
out:
	img_report_release(&rep);
	img_mapfile_release(&m);
	img_iso_damage_release(&files);
	if (have_res)
		img_scan_result_release(&res);
	drv_close(d, DRV_KEEP_TRAY);
	drv_damage_free(dm);
	return rc;
}

int cmd_scan(struct cli_ctx *ctx, int argc, char **argv)
{
	struct scan_args a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.so = (struct img_scan_opts)IMG_SCAN_OPTS_INIT;
	rc = parse_args(ctx, argc, argv, &a);
	if (rc >= 0)
		return rc;
	return scan(ctx, &a);
}
