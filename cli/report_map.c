/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_map.c - what rip, verify, scan and report share about pictures
 * and damaged files: writing --report FILE, the one-screen map at the end
 * on a terminal, and the list of files hit by damage (text and JSON).
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "imaging/imaging.h"

int cli_report_option(struct cli_ctx *ctx, const char *path)
{
	if (!img_report_name_ok(path))
		return cli_usage_error(ctx, "--report: name the report FILE.html or FILE.svg, not '%s'",
				       path);
	return -1;
}

void cli_report_medium(struct drv_drive *d, struct img_report *r, char *buf, size_t len)
{
	struct sp_error err = SP_ERROR_INIT;
	struct drv_medium m;

	memset(&m, 0, sizeof(m));
	if (drv_get_medium(d, &m, &err) != SP_OK)
		return;
	if (!m.is_virtual) {
		r->profile = m.profile;
		snprintf(buf, len, "%s", m.profile_name);
		r->medium = buf;
	}
	drv_medium_release(&m);
}

bool cli_report_finish(struct cli_ctx *ctx, const struct img_report *r, const char *path)
{
	struct sp_error err = SP_ERROR_INIT;
	bool ok = true;

	if (path) {
		if (img_report_write(r, path, &err) != SP_OK) {
			cli_print_error(ctx, "report", &err);
			ok = false;
		} else if (!ctx->json && !ctx->quiet) {
			printf("report: %s\n", path);
		}
	}
	if (!ctx->json && !ctx->quiet && isatty(STDOUT_FILENO)) {
		fflush(stdout);
		img_report_text(r, stdout, true);
	}
	return ok;
}

json_t *cli_files_json(const struct img_iso_damage *f)
{
	json_t *a = json_array();

	for (size_t i = 0; i < f->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:I}",
			"path", f->files[i].path, "size", (json_int_t)f->files[i].size,
			"bad_sectors", (json_int_t)f->files[i].bad_sectors,
			"first_bad_lba", (json_int_t)f->files[i].first_bad_lba));
	return a;
}

void cli_print_files(const struct img_iso_damage *f)
{
	printf("files hit by bad areas: %zu of %lld\n", f->n, (long long)f->files_total);
	for (size_t i = 0; i < f->n; i++)
		printf("  %s (%lld bad sectors from LBA %lld, file size %lld bytes)\n",
		       f->files[i].path, (long long)f->files[i].bad_sectors,
		       (long long)f->files[i].first_bad_lba, (long long)f->files[i].size);
	if (f->tree_damaged)
		printf("  (directory records lie in bad areas: the list may be incomplete)\n");
}
