/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_drives.c - spindle drives: list optical drives. */
#include "config.h"

#include <stdlib.h>

#include "cli/cli.h"
#include "drive/drive.h"

static const struct cli_opt opts[] = {
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_drives = {
	"[--json]",
	"List the optical drives with their vendor, model and media families",
	"Each drive is shown with its address for -d, vendor, model, firmware "
	"revision, the media families it reads and writes (from its capabilities "
	"page), and the MMC profiles it supports, the loaded medium's marked.  "
	"A drive that another program holds open is listed as in use (\"busy\" "
	"in --json), with only its vendor, model and revision.  "
	"Virtual stdio: drives are not listed: they exist wherever a file does.\n\n"
	"When no drive is found, spindle drives says so and exits with status 3.",
	opts,
	NULL,
};

static json_t *split_list(const char *csv)
{
	json_t *a = json_array();
	const char *p = csv;

	while (*p) {
		const char *e = p;

		while (*e && *e != ',')
			e++;
		if (e > p)
			json_array_append_new(a, json_stringn(p, (size_t)(e - p)));
		p = *e ? e + 1 : e;
	}
	return a;
}

int cmd_drives(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct drv_desc *list = NULL;
	size_t n = 0;
	int rc;

	if ((rc = cli_no_args(ctx, argc, argv)) >= 0)
		return rc;
	if (drv_scan(&list, &n, &err) != SP_OK)
		return cli_fail(ctx, &err);
	if (n == 0) {
		free(list);
		sp_error_set(&err, SPE_NODRIVE, "no optical drive found");
		sp_error_hint(&err, "check the connection and permissions (group cdrom); "
			      "use -d stdio:FILE for a virtual drive");
		return cli_fail(ctx, &err);
	}
	if (ctx->json) {
		json_t *r = cli_json_result(ctx, true), *arr = json_array();

		for (size_t i = 0; i < n; i++) {
			json_t *profs = json_array();

			for (int k = 0; k < list[i].n_profiles; k++)
				json_array_append_new(profs, json_pack("{s:i, s:s, s:b}",
					"code", list[i].profiles[k].code,
					"name", list[i].profiles[k].name,
					"current", list[i].profiles[k].current));
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b}",
				"address", list[i].address, "vendor", list[i].vendor,
				"model", list[i].model, "revision", list[i].revision,
				"reads", split_list(list[i].reads),
				"writes", split_list(list[i].writes),
				"profiles", profs, "busy", list[i].busy));
		}
		json_object_set_new(r, "drives", arr);
		cli_json_emit(r);
	} else {
		for (size_t i = 0; i < n; i++) {
			printf("%s  %s %s %s%s\n", list[i].address, list[i].vendor,
			       list[i].model, list[i].revision,
			       list[i].busy ? "  (in use by another program)" : "");
			if (list[i].busy)
				continue;
			printf("  reads:    %s\n", list[i].reads);
			printf("  writes:   %s\n", list[i].writes[0] ? list[i].writes : "(nothing)");
			printf("  profiles:");
			for (int k = 0; k < list[i].n_profiles; k++)
				printf("%s %s%s", k ? "," : "", list[i].profiles[k].name,
				       list[i].profiles[k].current ? " (loaded)" : "");
			printf("%s\n", list[i].n_profiles ? "" : " (none reported)");
		}
	}
	free(list);
	return SP_EXIT_OK;
}
