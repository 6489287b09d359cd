/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_repair.c - spindle repair: rebuild damaged sectors of an image from
 * its error-correction data; and the report that verify --ecc shares.
 */
#include "config.h"

#include <string.h>

#include "cli/cli.h"
#include "cli/master_args.h"
#include "imaging/imaging.h"

enum { OPT_ECC = 256, OPT_THREADS, OPT_REPORT };

static const struct cli_opt opts[] = {
	{ "ecc", OPT_ECC, "FILE.ecc", "the error-correction file (default: the data appended to the image)" },
	{ "threads", OPT_THREADS, "N", "decode on N threads (default: one per processor)" },
	{ "report", OPT_REPORT, "FILE", "draw the map of intact, repaired and still damaged sectors into FILE.html or FILE.svg" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_repair = {
	"IMAGE [--ecc FILE.ecc]",
	"Repair an image from its error-correction data",
	"Finds the damaged sectors of IMAGE (those that fail their CRC, carry "
	"dvdisaster's dead-sector marker, or are missing at its end) and "
	"rebuilds them in place from the RS01 or RS03 error-correction data in "
	"FILE.ecc, or the RS02 or RS03 data appended to the image.  A sector is written only when "
	"its ecc block decodes and the rebuilt sector's CRC matches; damage to "
	"the error-correction data is repaired too.  Exit status 0 when the "
	"image is whole, 6 when sectors remain damaged (they are listed), 9 "
	"when the disk is full.\n\n"
	"--report FILE.html or FILE.svg draws the image's sectors: intact, "
	"repaired (rebuilt from the error-correction data) and still damaged, "
	"with the files of an ISO 9660 image that stay damaged (see spindle "
	"report).",
	opts,
	NULL,
};

/* "3, 10-12, 40" from the sorted list, at most max characters */
static void print_ranges(const uint64_t *v, size_t n, bool more)
{
	size_t i = 0, shown = 0;

	while (i < n && shown < 20) {
		size_t k = i;
		while (k + 1 < n && v[k + 1] == v[k] + 1)
			k++;
		if (k == i)
			fprintf(stderr, "%s%llu", shown ? ", " : "", (unsigned long long)v[i]);
		else
			fprintf(stderr, "%s%llu-%llu", shown ? ", " : "", (unsigned long long)v[i],
				(unsigned long long)v[k]);
		shown++;
		i = k + 1;
	}
	fprintf(stderr, "%s\n", i < n || more ? ", ..." : "");
}

static json_t *ranges_json(const uint64_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n;) {
		size_t k = i;
		while (k + 1 < n && v[k + 1] == v[k] + 1)
			k++;
		json_array_append_new(a, json_pack("[I,I]", (json_int_t)v[i], (json_int_t)(v[k] - v[i] + 1)));
		i = k + 1;
	}
	return a;
}

/* The picture of a repair: intact, repaired and still damaged sectors,
 * and the files of an ISO image left damaged.  false if not written. */
static bool draw(struct cli_ctx *ctx, const char *image, const struct img_ecc_summary *s,
		 const char *path)
{
	struct sp_error err = SP_ERROR_INIT, fe = SP_ERROR_INIT;
	struct img_report r = IMG_REPORT_INIT;
	struct img_iso_damage files;
	struct img_mapfile m;
	bool ok = false, have_files = false;

	memset(&files, 0, sizeof(files));
	img_mapfile_init(&m);
	if (img_mapfile_reset(&m, (int64_t)s->sectors * SP_SECTOR) != SP_OK ||
	    img_mapfile_mark(&m, 0, (int64_t)s->sectors * SP_SECTOR, '+', IMG_MARK_ALWAYS) != SP_OK) {
		sp_error_set(&err, SPE_NOMEM, "out of memory");
		goto out;
	}
	if (img_report_set_map(&r, &m, &err) != SP_OK ||
	    img_report_overlay(&r, s->repaired_ranges, IMG_AREA_REPAIRED, &err) != SP_OK ||
	    img_report_overlay(&r, s->damaged_ranges, IMG_AREA_BAD, &err) != SP_OK)
		goto out;
	if (s->damaged_ranges->n && img_iso_damaged_files(image, s->damaged_ranges, &files, &fe) == SP_OK)
		have_files = true;
	r.title = "spindle repair";
	r.source = image;
	r.image = image;
	r.elapsed = s->seconds;
	r.files = have_files ? &files : NULL;
	ok = cli_report_finish(ctx, &r, path);
	goto done;
out:
	cli_print_error(ctx, "report", &err);
done:
	img_report_release(&r);
	img_mapfile_release(&m);
	img_iso_damage_release(&files);
	return ok;
}

int cli_ecc_check(struct cli_ctx *ctx, const char *image, const char *ecc, bool repair, int threads)
{
	return cli_ecc_check_report(ctx, image, ecc, repair, threads, NULL);
}

int cli_ecc_check_report(struct cli_ctx *ctx, const char *image, const char *ecc, bool repair,
			 int threads, const char *report)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_ecc_opts o = IMG_ECC_OPTS_INIT;
	struct img_ecc_summary s = IMG_ECC_SUMMARY_INIT;
	struct img_ranges repaired = IMG_RANGES_INIT, damaged = IMG_RANGES_INIT;
	enum sp_status st;
	int rc;

	o.threads = threads;
	if (report) {
		s.repaired_ranges = &repaired;
		s.damaged_ranges = &damaged;
	}
	st = img_ecc_check(image, ecc, repair ? IMG_ECC_REPAIR : IMG_ECC_VERIFY, &o, &s, &err);
	if (st != SP_OK && st != SP_WARN) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	bool whole = s.unrepairable == 0 && (repair || (s.damaged == 0 && s.damaged_ecc == 0));
	rc = s.unrepairable ? SP_EXIT_UNREADABLE : whole ? SP_EXIT_OK : SP_EXIT_MISMATCH;
	if (ctx->json) {
		json_t *r = cli_json_result(ctx, rc == SP_EXIT_OK);

		json_object_set_new(r, "image", json_string(image));
		json_object_set_new(r, "ecc_file", ecc ? json_string(ecc) : json_null());
		json_object_set_new(r, "method", json_string(s.method));
		json_object_set_new(r, "augmented", json_boolean(s.augmented));
		json_object_set_new(r, "roots", json_integer(s.roots));
		json_object_set_new(r, "sectors", json_integer((json_int_t)s.sectors));
		json_object_set_new(r, "damaged", json_integer((json_int_t)s.damaged));
		json_object_set_new(r, "damaged_ecc", json_integer((json_int_t)s.damaged_ecc));
		json_object_set_new(r, repair ? "repaired" : "repairable", json_integer((json_int_t)s.repaired));
		json_object_set_new(r, repair ? "repaired_ecc" : "repairable_ecc",
				    json_integer((json_int_t)s.repaired_ecc));
		json_object_set_new(r, "unrepairable", json_integer((json_int_t)s.unrepairable));
		json_object_set_new(r, "unrepairable_ranges", ranges_json(s.remaining, s.nremaining));
		json_object_set_new(r, "seconds", json_real(s.seconds));
		if (repair)
			json_object_set_new(r, "report", report ? json_string(report) : json_null());
		cli_json_emit(r);
	} else if (!ctx->quiet) {
		if (!s.damaged && !s.damaged_ecc)
			fprintf(stderr, "spindle: %s: all %llu sectors are intact (%s, %d roots)\n", image,
				(unsigned long long)s.sectors, s.method, s.roots);
		else if (repair)
			fprintf(stderr, "spindle: %s: repaired %llu of %llu damaged sectors, and %llu of %llu damaged sectors of the error-correction data\n",
				image, (unsigned long long)s.repaired, (unsigned long long)s.damaged,
				(unsigned long long)s.repaired_ecc, (unsigned long long)s.damaged_ecc);
		else
			fprintf(stderr, "spindle: %s: %llu damaged sectors (and %llu in the error-correction data); %s\n",
				image, (unsigned long long)s.damaged, (unsigned long long)s.damaged_ecc,
				s.unrepairable ? "not all can be repaired" : "all can be repaired with 'spindle repair'");
		if (s.unrepairable) {
			fprintf(stderr, "spindle: %llu sectors %s: ", (unsigned long long)s.unrepairable,
				repair ? "remain damaged" : "cannot be repaired");
			print_ranges(s.remaining, s.nremaining, s.unrepairable > s.nremaining);
		}
	}
	if (report && !draw(ctx, image, &s, report) && rc == SP_EXIT_OK)
		rc = SP_EXIT_FAILURE;
out:
	img_ecc_summary_release(&s);
	img_ranges_release(&repaired);
	img_ranges_release(&damaged);
	return rc;
}

int cmd_repair(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *arg, *image = NULL, *ecc = NULL, *report = NULL;
	uint64_t v;
	int c, threads = 0;

	cli_permute_args(ctx, argc, argv);
	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		switch (c) {
		case OPT_ECC: ecc = arg; break;
		case OPT_THREADS:
			if (cli_parse_uint_opt(ctx, "--threads", arg, 1, 16, &v) < 0)
				return SP_EXIT_USAGE;
			threads = (int)v;
			break;
		case OPT_REPORT:
			if (cli_report_option(ctx, arg) >= 0)
				return SP_EXIT_USAGE;
			report = arg;
			break;
		case CLI_OPT_EXIT: return SP_EXIT_OK;
		default: return SP_EXIT_USAGE;
		}
	}
	if (ctx->optind < argc)
		image = argv[ctx->optind++];
	if (ctx->optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
	if (!image)
		return cli_usage_error(ctx, "no image given");
	return cli_ecc_check_report(ctx, image, ecc, true, threads, report);
}
