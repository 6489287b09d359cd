/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_rip.c - spindle rip: copy a disc, block device or file to an image,
 * recovering from read errors (imaging/rescue/), resumable through a
 * GNU ddrescue mapfile.
 *
 * Options are parsed into struct rip_args first; the data rip runs from
 * there.  Other kinds of rip (audio, raw) can branch on the parsed
 * arguments in cmd_rip() without touching the parser.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "drive/drive.h"
#include "imaging/imaging.h"

enum {
	OPT_MAP = 256,
	OPT_ECC_BLOCK,
	OPT_RETRIES,
	OPT_MAX_TIME,
	OPT_MAX_AREA_RETRIES,
	OPT_WHOLE_DISC,
	OPT_FORCE,
	OPT_TEST_MODE,
	OPT_TEST_DAMAGE,
	OPT_LOG_READS,
	OPT_MAP_INTERVAL,
	OPT_REPORT,
	OPT_ECC,
	OPT_NO_ECC,
};

static const struct cli_opt opts[] = {
	{ "output", 'o', "OUT.iso", "the image to write (required); resumed if its mapfile says so" },
	{ "map", OPT_MAP, "MAPFILE", "the GNU ddrescue mapfile (default: OUT.iso.map)" },
	{ "ecc-block", OPT_ECC_BLOCK, "N", "sectors per ECC block: 1 CD, 16 DVD, 32 BD (default: from the medium; 1 for files)" },
	{ "retries", OPT_RETRIES, "N", "retry passes over bad blocks, in alternating direction (default 0, as ddrescue); with --audio: read attempts per sector (5 to 1000, default 20)" },
	{ "max-area-retries", OPT_MAX_AREA_RETRIES, "N", "in a retry pass, give up a bad area after N failing reads in it (default: no limit)" },
	{ "max-time", OPT_MAX_TIME, "SECONDS", "stop after this long, saving the mapfile (run again to continue)" },
	{ "map-interval", OPT_MAP_INTERVAL, "SECONDS", "save the mapfile at least this often (default 30; 0 after every read)" },
	{ "whole-disc", OPT_WHOLE_DISC, NULL, "read every readable sector, not only the ISO 9660 volume" },
	{ "force", OPT_FORCE, NULL, "overwrite OUT.iso and its mapfile, starting over" },
	{ "ecc", OPT_ECC, "FILE.ecc", "rebuild what the disc will not give from this error-correction file (RS01/RS03) instead of reading it again" },
	{ "no-ecc", OPT_NO_ECC, NULL, "do not use error-correction data found on the disc: read every sector" },
	{ "report", OPT_REPORT, "FILE", "draw the disc map and the damaged files into FILE.html or FILE.svg" },
	{ "log-reads", OPT_LOG_READS, "FILE", "log every read command in GNU ddrescue's --log-reads format" },
	{ "test-mode", OPT_TEST_MODE, "MAPFILE", "testing: sectors not marked '+' in this ddrescue mapfile fail without being read" },
	{ "test-damage", OPT_TEST_DAMAGE, "FILE", "testing: a damage spec of bad, flaky, slow and run-out sectors (see DAMAGE SPEC)" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_rip = {
	"[--audio | --raw] [-d DRIVE | SOURCE] -o OUT [--map OUT.map] [OPTIONS]",
	"Copy a disc to an image, recovering from read errors",
	"Copies the data of the disc in DRIVE (or of SOURCE, a block device or "
	"image file, read as stdio:SOURCE) to OUT.iso.  By default it reads the "
	"ISO 9660 volume (its size from the volume descriptor at LBA 16 of the "
	"last data track), or the UDF volume (from its partition descriptor), "
	"or else the readable capacity; --whole-disc reads every readable "
	"sector.\n\n"
	"Reads go in whole ECC blocks (16 sectors on DVD, 32 on BD, 1 on CD; "
	"--ecc-block N for files and block devices), so that an unreadable "
	"block costs about one failing read.  The phases follow GNU ddrescue: "
	"copying (skipping ahead after errors, then coming back backwards), "
	"trimming and scraping the failed areas block by block, and --retries "
	"passes in alternating direction.  The read speed steps down after "
	"errors where the drive allows it.  Run-out sectors after a CD TAO "
	"track (sense 05/64/00) are reported as such, not as damage.\n\n"
	"Progress is kept in a GNU ddrescue mapfile (OUT.iso.map unless --map "
	"says otherwise), written atomically every 30 seconds (--map-interval), after "
	"each pass and on exit; ddrescue and ddrescueview read it, and spindle "
	"continues ddrescue's.  Running the same command again continues where "
	"it stopped, or after a finished rip reads the bad blocks once more; "
	"running it with another drive holding another copy of the disc fills "
	"in what the first could not read.  A disc whose volume descriptor "
	"differs from the image's is refused.  OUT.iso is never "
	"replaced unless its mapfile matches or --force is given.  SIGINT or "
	"SIGTERM saves the mapfile and exits with status 8.\n\n"
	"At the end it reports the rescued percentage, the bad LBA ranges, "
	"which files of the ISO overlap them, and the SHA-256 of the image when "
	"nothing is missing, and on a terminal a one-screen map of the disc; "
	"--report FILE.html draws the map, the damaged files and the totals "
	"into a page (see spindle report).  Exit status 6 when sectors remain "
	"unreadable.\n\n"
	"A disc augmented with error-correction data (spindle burn --protect, "
	"dvdisaster RS02/RS03), or a disc whose error-correction file is given "
	"with --ecc FILE.ecc (RS01/RS03), is repaired as it is read: after "
	"each pass, from the first copying pass on, every sector not yet read "
	"is given to the decoder as an erasure, and the sectors it rebuilds "
	"(their codewords decoded and their CRCs matching) are marked rescued "
	"('+') in the mapfile and not read again, so trimming, scraping and "
	"retries spend drive time only on what the parity cannot rebuild.  "
	"The error-correction data after an ISO 9660 volume is read as part of "
	"the disc (extent_source augmented).  "
	"--no-ecc reads every sector instead.\n\n"
	"With --json, progress objects carry phase, pass, lba, rescued_bytes, "
	"total_bytes, bad_bytes, bad_areas, failed_reads and rate; the result "
	"object carries output, mapfile, extent_sectors, extent_source "
	"(iso9660, udf, capacity, whole-disc, augmented: the volume and the "
	"error-correction data after it, or mapfile when resuming without a "
	"readable volume descriptor), ecc_block, resumed, stopped "
	"(done, interrupted or max-time), total_bytes, rescued_bytes, "
	"rescued_percent, missing_bytes (of which untried_bytes never tried), "
	"repaired_from_parity (sectors rebuilt from error-correction data), "
	"bad_areas, bad_ranges (not rescued) and runout_ranges (lists of "
	"{lba, sectors}), sha256 (null unless "
	"complete), reads, failed_reads, elapsed, files (null when not listed: "
	"{path, size, bad_sectors, first_bad_lba}), tree_damaged, and "
	"files_error when the ISO tree could not be read.\n\n"
	"DAMAGE SPEC (--test-damage): one rule per line, '#' comments; "
	"'default good|bad'; 'good|bad|runout LBA [COUNT]'; "
	"'flaky LBA [COUNT [N]]' fails N times (default 1) then reads; "
	"'slow LBA [COUNT [MS]]' costs MS milliseconds per sector read "
	"(default 100) and leaves it good or bad as the other rules say.  "
	"Numbers are decimal or 0x hex.  Later rules override earlier ones; "
	"--test-mode applies first.  A read command meeting any failing "
	"sector fails as a whole, as on a drive.\n\n"
	RIP_AUDIO_DESCRIPTION,
	opts,
	rip_audio_opts,
};

struct rip_args {
	const char *source;     /* drive address for drv_open */
	char source_buf[4096];
	const char *out;
	const char *map;
	char map_buf[4096];
	const char *test_mode;
	const char *test_damage;
	const char *report;
	const char *ecc;
	bool no_ecc;
	struct img_rescue_opts ro;
};

static int parse_opts(struct cli_ctx *ctx, int argc, char **argv, struct rip_args *a)
{
	const char *arg;
	uint64_t v;
	int c;

	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		switch (c) {
		case CLI_OPT_EXIT:
			return SP_EXIT_OK;
		case 'o':
			a->out = arg;
			break;
		case OPT_MAP:
			a->map = arg;
			break;
		case OPT_ECC_BLOCK:
			if (cli_parse_uint_opt(ctx, "--ecc-block", arg, 1, 64, &v) < 0)
				return SP_EXIT_USAGE;
			a->ro.ecc_block = (uint32_t)v;
			break;
		case OPT_RETRIES:
			if (cli_parse_uint_opt(ctx, "--retries", arg, 0, 1000, &v) < 0)
				return SP_EXIT_USAGE;
			a->ro.retries = (unsigned)v;
			break;
		case OPT_MAX_AREA_RETRIES:
			if (cli_parse_uint_opt(ctx, "--max-area-retries", arg, 1, 1000000, &v) < 0)
				return SP_EXIT_USAGE;
			a->ro.max_area_retries = (unsigned)v;
			break;
		case OPT_MAX_TIME:
			if (cli_parse_uint_opt(ctx, "--max-time", arg, 1, 100000000, &v) < 0)
				return SP_EXIT_USAGE;
			a->ro.max_time = (double)v;
			break;
		case OPT_MAP_INTERVAL: {
			char *end;

			a->ro.map_interval = strtod(arg, &end);
			if (!*arg || *end || !(a->ro.map_interval >= 0 && a->ro.map_interval <= 3600))
				return cli_usage_error(ctx, "--map-interval: '%s' is not a number of seconds from 0 to 3600", arg);
			break;
		}
		case OPT_WHOLE_DISC:
			a->ro.whole_disc = true;
			break;
		case OPT_FORCE:
			a->ro.force = true;
			break;
		case OPT_LOG_READS:
			a->ro.log_reads_path = arg;
			break;
		case OPT_TEST_MODE:
			a->test_mode = arg;
			break;
		case OPT_TEST_DAMAGE:
			a->test_damage = arg;
			break;
		case OPT_ECC:
			a->ecc = arg;
			break;
		case OPT_NO_ECC:
			a->no_ecc = true;
			break;
		case OPT_REPORT:
			if (cli_report_option(ctx, arg) >= 0)
				return SP_EXIT_USAGE;
			a->report = arg;
			break;
		default:
			return SP_EXIT_USAGE;
		}
	}
	return -1;
}

static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct rip_args *a)
{
	const char *source = NULL;
	int rc;

	/* options may follow SOURCE: parse again after each positional */
	for (;;) {
		rc = parse_opts(ctx, argc, argv, a);
		if (rc >= 0)
			return rc;
		if (ctx->optind >= argc)
			break;
		if (source)
			return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
		source = argv[ctx->optind];
		argc -= ctx->optind;
		argv += ctx->optind;
	}
	if (source) {
		if (ctx->n_drives)
			return cli_usage_error(ctx, "give either -d DRIVE or SOURCE, not both");
		snprintf(a->source_buf, sizeof(a->source_buf), "%s%s",
			 strncmp(source, "stdio:", 6) ? "stdio:" : "", source);
		a->source = a->source_buf;
	} else {
		a->source = cli_drive(ctx);
	}
	if (!a->out)
		return cli_usage_error(ctx, "no output: give -o OUT.iso");
	if (!a->map) {
		snprintf(a->map_buf, sizeof(a->map_buf), "%s.map", a->out);
		a->map = a->map_buf;
	}
	if (!strcmp(a->map, a->out))
		return cli_usage_error(ctx, "the mapfile and the image must be different files");
	if (a->ecc && a->no_ecc)
		return cli_usage_error(ctx, "give either --ecc FILE.ecc or --no-ecc, not both");
	if (a->ecc && access(a->ecc, R_OK) != 0)
		return cli_usage_error(ctx, "--ecc: cannot read '%s': %s", a->ecc, strerror(errno));
	a->ro.out_path = a->out;
	a->ro.map_path = a->map;
	return -1;
}

/* ---- output ------------------------------------------------------------- */

static void on_progress(const struct img_rescue_progress *p, void *vctx)
{
	struct cli_ctx *ctx = vctx;
	char r[32], t[32], b[32], rate[32], eta[32];
	double pct = p->total_bytes ? 100.0 * (double)p->rescued_bytes / (double)p->total_bytes : 0;

	if (ctx->json) {
		json_t *o = cli_rescue_progress_json("rip", p);

		cli_json_emit(o);
		return;
	}
	sp_human_size((uint64_t)p->rescued_bytes, r, sizeof(r));
	sp_human_size((uint64_t)p->total_bytes, t, sizeof(t));
	sp_human_size((uint64_t)p->bad_bytes, b, sizeof(b));
	sp_human_size((uint64_t)(p->rate > 0 ? p->rate : 0), rate, sizeof(rate));
	sp_human_time(p->eta, eta, sizeof(eta));
	cli_progress(ctx, "%s pass %d: %s of %s (%.2f%%), bad %zu areas %s, %s/s, ETA %s",
		     p->phase_name, p->pass, r, t, pct, p->bad_areas, b, rate, eta);
}

static void on_warn(void *vctx, const char *msg)
{
	cli_warn(vctx, "%s", msg);
}

static void print_ranges(const char *title, const struct img_ranges *r)
{
	char h[32];
	size_t shown = r->n < 40 ? r->n : 40;

	printf("%s %zu (%s)\n", title, r->n,
	       sp_human_size((uint64_t)img_ranges_total(r) * SP_SECTOR, h, sizeof(h)));
	for (size_t i = 0; i < shown; i++)
		printf("  LBA %lld-%lld (%lld sector%s)\n", (long long)r->v[i].lba,
		       (long long)(r->v[i].lba + r->v[i].count - 1), (long long)r->v[i].count,
		       r->v[i].count == 1 ? "" : "s");
	if (shown < r->n)
		printf("  ... and %zu more (the mapfile has them all)\n", r->n - shown);
}

static const char *stop_name(enum img_rescue_stop s)
{
	switch (s) {
	case IMG_RESCUE_INTERRUPTED: return "interrupted";
	case IMG_RESCUE_TIMEOUT: return "max-time";
	default: return "done";
	}
}

static int report(struct cli_ctx *ctx, const struct rip_args *a,
		  const struct img_rescue_report *rep, const struct img_iso_damage *files,
		  bool have_files, const char *files_error)
{
	struct sp_error err = SP_ERROR_INIT;
	int64_t total = rep->extent_sectors * SP_SECTOR;
	double pct = total ? 100.0 * (double)rep->rescued_bytes / (double)total : 100;
	char h1[32], h2[32], t[32];
	int rc = SP_EXIT_OK;

	if (rep->stop == IMG_RESCUE_INTERRUPTED) {
		sp_error_set(&err, SPE_ABORTED, "interrupted by signal %d; the mapfile '%s' is saved",
			     drv_interrupt_signal(), a->map);
		sp_error_hint(&err, "run the same command again to continue");
		rc = SP_EXIT_ABORTED;
	} else if (!rep->complete) {
		long long n = rep->missing_bytes / SP_SECTOR;

		sp_error_set(&err, SPE_READ, "%lld sector%s in %zu area%s could not be read%s",
			     n, n == 1 ? "" : "s", rep->bad_areas, rep->bad_areas == 1 ? "" : "s",
			     rep->stop == IMG_RESCUE_TIMEOUT ? " before --max-time ran out" : "");
		sp_error_hint(&err, "run again (perhaps with more --retries), or rip another copy "
			      "of the disc into the same -o and --map to fill the gaps");
		rc = SP_EXIT_UNREADABLE;
	}
	if (ctx->json) {
		json_t *r = cli_json_result(ctx, rc == SP_EXIT_OK);

		json_object_set_new(r, "output", json_string(a->out));
		json_object_set_new(r, "mapfile", json_string(a->map));
		json_object_set_new(r, "extent_sectors", json_integer(rep->extent_sectors));
		json_object_set_new(r, "extent_source", json_string(rep->extent_source));
		json_object_set_new(r, "ecc_block", json_integer(rep->ecc_block));
		json_object_set_new(r, "resumed", json_boolean(rep->resumed));
		json_object_set_new(r, "stopped", json_string(stop_name(rep->stop)));
		json_object_set_new(r, "total_bytes", json_integer(total));
		json_object_set_new(r, "rescued_bytes", json_integer(rep->rescued_bytes));
		json_object_set_new(r, "rescued_percent", json_real(pct));
		json_object_set_new(r, "missing_bytes", json_integer(rep->missing_bytes));
		json_object_set_new(r, "repaired_from_parity", json_integer(rep->repaired_sectors));
		json_object_set_new(r, "untried_bytes", json_integer(rep->untried_bytes));
		json_object_set_new(r, "bad_areas", json_integer((json_int_t)rep->bad_areas));
		json_object_set_new(r, "bad_ranges", cli_ranges_json("sectors", &rep->bad));
		json_object_set_new(r, "runout_ranges", cli_ranges_json("sectors", &rep->runout));
		json_object_set_new(r, "sha256", rep->complete ? json_string(rep->sha256) : json_null());
		json_object_set_new(r, "reads", json_integer(rep->reads));
		json_object_set_new(r, "failed_reads", json_integer(rep->failed_reads));
		json_object_set_new(r, "elapsed", json_real(rep->elapsed));
		json_object_set_new(r, "files", have_files ? cli_files_json(files) : json_null());
		json_object_set_new(r, "tree_damaged", json_boolean(have_files && files->tree_damaged));
		if (files_error)
			json_object_set_new(r, "files_error", json_string(files_error));
		if (rc != SP_EXIT_OK)
			json_object_set_new(r, "error", cli_error_json(&err));
		cli_json_emit(r);
		if (rc != SP_EXIT_OK)
			cli_print_error(ctx, NULL, &err);
		return rc;
	}
	cli_progress_end(ctx);
	printf("rescued %.2f%% (%s of %s) of %s in %s; %lld reads, %lld failed%s\n", pct,
	       sp_human_size((uint64_t)rep->rescued_bytes, h1, sizeof(h1)),
	       sp_human_size((uint64_t)total, h2, sizeof(h2)), a->out,
	       sp_human_time(rep->elapsed, t, sizeof(t)),
	       (long long)rep->reads, (long long)rep->failed_reads,
	       rep->resumed ? " (resumed)" : "");
	if (rep->untried_bytes)
		printf("not tried yet: %lld sectors (run the same command again to go on)\n",
		       (long long)(rep->untried_bytes / SP_SECTOR));
	if (rep->bad.n)
		print_ranges(rep->untried_bytes ? "areas not rescued (bad or not tried):" :
			     "bad areas:", &rep->bad);
	if (rep->runout.n)
		print_ranges("run-out sectors after a TAO track (not damage):", &rep->runout);
	if (have_files)
		cli_print_files(files);
	if (rep->complete)
		printf("sha256: %s\n", rep->sha256);
	if (rc != SP_EXIT_OK)
		return cli_fail(ctx, &err);
	return rc;
}

/* The picture: the mapfile as saved, run-out and repaired sectors over
 * it, the read curve from the rescue's timings; --report FILE and
 * the terminal map.  false if the report could not be written. */
static bool draw(struct cli_ctx *ctx, const struct rip_args *a, struct drv_drive *d,
		 const struct img_rescue_report *rep, const struct img_iso_damage *files)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_report r = IMG_REPORT_INIT;
	struct img_mapfile m;
	char medium[80];
	bool exists = false, ok = true;

	img_mapfile_init(&m);
	if (img_mapfile_load(&m, a->map, &exists, &err) != SP_OK || !exists ||
	    img_report_set_map(&r, &m, &err) != SP_OK ||
	    img_report_overlay(&r, &rep->runout, IMG_AREA_RUNOUT, &err) != SP_OK ||
	    img_report_overlay(&r, &rep->repaired, IMG_AREA_REPAIRED, &err) != SP_OK) {
		if (a->report) {
			cli_print_error(ctx, "report", &err);
			ok = false;
		}
		goto out;
	}
	r.title = "spindle rip";
	r.source = drv_address(d);
	r.image = a->out;
	r.mapfile = a->map;
	r.elapsed = rep->elapsed;
	r.reads = rep->reads;
	r.failed_reads = rep->failed_reads;
	r.files = files;
	r.times = &rep->times;
	cli_report_medium(d, &r, medium, sizeof(medium));
	ok = cli_report_finish(ctx, &r, a->report);
out:
	img_report_release(&r);
	img_mapfile_release(&m);
	return ok;
}

/* ---- the data rip ---------------------------------------------------------- */

static int rip_data(struct cli_ctx *ctx, struct rip_args *a)
{
	struct sp_error err = SP_ERROR_INIT;
	struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;
	struct drv_damage *dm = NULL;
	struct drv_drive *d = NULL;
	struct img_rescue *r = NULL;
	struct img_rescue_report rep;
	struct img_iso_damage files;
	bool have_rep = false, have_files = false;
	struct cli_rip_parity parity = { .out = a->out, .ecc = a->ecc };
	struct sp_error fe = SP_ERROR_INIT;
	char creator[64];
	int rc;

	memset(&files, 0, sizeof(files));
	snprintf(creator, sizeof(creator), "spindle %s", PACKAGE_VERSION);
	a->ro.creator = creator;
	a->ro.progress = on_progress;
	a->ro.progress_ctx = ctx;
	a->ro.warn = on_warn;
	if (!a->no_ecc) {
		a->ro.repair = cli_rip_parity_repair;
		a->ro.repair_ctx = &parity;
	}
	if (a->test_mode || a->test_damage) {
		/* the ddrescue mapfile first, the damage spec's rules over it */
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
	if (img_rescue_new(&r, d, &a->ro, &err) != SP_OK)
		goto fail;
	if (img_rescue_run(r, &err) != SP_OK)
		goto fail;
	if (img_rescue_report(r, &rep, &err) != SP_OK)
		goto fail;
	have_rep = true;
	cli_rip_parity_done(ctx, &parity, rep.repaired_sectors);
	if (rep.bad.n && rep.stop != IMG_RESCUE_INTERRUPTED &&
	    !strcmp(rep.extent_source, "iso9660")) {
		if (img_iso_damaged_files(a->out, &rep.bad, &files, &fe) == SP_OK)
			have_files = true;
		else
			cli_warn(ctx, "cannot list the damaged files: %s", fe.msg);
	}
	rc = report(ctx, a, &rep, &files, have_files, fe.msg[0] ? fe.msg : NULL);
	if (!draw(ctx, a, d, &rep, have_files ? &files : NULL) && rc == SP_EXIT_OK)
		rc = SP_EXIT_FAILURE;
	goto out;
fail:
	rc = cli_fail(ctx, &err);
out:
	if (have_rep)
		img_rescue_report_release(&rep);
	img_iso_damage_release(&files);
	img_rescue_free(r);
	drv_close(d, DRV_KEEP_TRAY);
	drv_damage_free(dm);
	return rc;
}

int cmd_rip(struct cli_ctx *ctx, int argc, char **argv)
{
	struct rip_args a;
	int rc;

	/* audio and raw copies live in cmd_rip_audio.c */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--audio") || !strcmp(argv[i], "--raw"))
			return cmd_rip_audio(ctx, argc, argv);
	memset(&a, 0, sizeof(a));
	a.ro = (struct img_rescue_opts)IMG_RESCUE_OPTS_INIT;
	rc = parse_args(ctx, argc, argv, &a);
	if (rc >= 0)
		return rc;
	return rip_data(ctx, &a);
}
