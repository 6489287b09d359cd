/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_drives.c - spindle drives: list optical drives. */
#include "config.h"

#include <stdlib.h>

#include "cli/cli.h"
#include "drive/drive.h"

enum { OPT_ALL = 256 };

static const struct cli_opt opts[] = {
	{ "all", OPT_ALL, NULL, "also list fixed disks and loop devices, marked as such" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_drives = {
	"[--all] [--json]",
	"List the optical drives, USB sticks and SD cards",
	"Each drive is shown with its address for -d, vendor, model, firmware "
	"revision, the media families it reads and writes (from its capabilities "
	"page), and the MMC profiles it supports, the loaded medium's marked.  "
	"A drive that another program holds open is listed as in use (\"busy\" "
	"in --json), with only its vendor, model and revision.  "
	"Virtual stdio: drives are not listed: they exist wherever a file does.\n\n"
	"Block devices that burn can write an image to follow: USB sticks, SD "
	"cards and other removable disks, with model, size, bus, partitions and "
	"what is mounted from them, as sysfs, udev and /proc/self/mountinfo say.  "
	"--all adds fixed disks and attached loop devices, marked \"fixed\" "
	"(burn writes to them only with --force) and \"system\" for the disk of "
	"/ or /boot (never written).\n\n"
	"When neither a drive nor a stick is found, spindle drives says so and "
	"exits with status 3.",
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

static json_t *blk_json(const struct drv_blk_desc *b)
{
	json_t *parts = json_array();

	for (int k = 0; k < b->n_parts; k++)
		json_array_append_new(parts, json_pack("{s:s, s:I, s:s, s:s, s:s?}",
			"name", b->parts[k].name, "size", (json_int_t)b->parts[k].size,
			"label", b->parts[k].label, "fstype", b->parts[k].fstype,
			"mount", b->parts[k].mount[0] ? b->parts[k].mount : NULL));
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:b, s:b, s:b, s:s?, s:s?, s:b, s:s?, s:o}",
		"path", b->path, "vendor", b->vendor, "model", b->model, "bus", b->bus,
		"size", (json_int_t)b->size, "removable", b->removable, "fixed", b->fixed,
		"readonly", b->readonly, "mounted", b->mounted[0] ? b->mounted : NULL,
		"system", b->system[0] ? b->system : NULL, "swap", b->swap,
		"holder", b->holder[0] ? b->holder : NULL, "partitions", parts);
}

static void blk_print(const struct drv_blk_desc *b)
{
	char h[32];

	printf("%s  %s%s%s  %s  %s%s%s%s\n", b->path, b->vendor, b->vendor[0] ? " " : "",
	       b->model[0] ? b->model : "(no model)", sp_human_size(b->size, h, sizeof(h)),
	       b->bus, b->removable ? ", removable" : "", b->fixed ? ", fixed" : "",
	       b->readonly ? ", read-only" : "");
	if (b->system[0])
		printf("  system disk (holds %s): never written\n", b->system);
	else if (b->mounted[0])
		printf("  in use: mounted on %s\n", b->mounted);
	if (b->swap)
		printf("  in use: swap\n");
	if (b->holder[0])
		printf("  in use: held by %s\n", b->holder);
	for (int k = 0; k < b->n_parts; k++) {
		const struct drv_blk_part *p = &b->parts[k];

		printf("  %s  %s%s%s%s%s%s\n", p->name, sp_human_size(p->size, h, sizeof(h)),
		       p->fstype[0] ? "  " : "", p->fstype, p->label[0] ? "  \"" : "", p->label,
		       p->label[0] ? "\"" : "");
		if (p->mount[0])
			printf("    mounted on %s\n", p->mount);
	}
}

int cmd_drives(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct drv_desc *list = NULL;
	struct drv_blk_desc *blk = NULL;
	size_t n = 0, nb = 0;
	bool all = false;
	const char *arg;
	int c;

	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		if (c == CLI_OPT_EXIT)
			return SP_EXIT_OK;
		if (c != OPT_ALL)
			return SP_EXIT_USAGE;
		all = true;
	}
	if (ctx->optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
	if (drv_scan(&list, &n, &err) != SP_OK)
		return cli_fail(ctx, &err);
	if (drv_blk_scan(&blk, &nb, all, &err) != SP_OK) {
		free(list);
		return cli_fail(ctx, &err);
	}
	if (n == 0 && nb == 0) {
		free(list);
		sp_error_set(&err, SPE_NODRIVE, "no optical drive found%s",
			     all ? ", nor any block device" : ", nor a USB stick or SD card");
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
		arr = json_array();
		for (size_t i = 0; i < nb; i++)
			json_array_append_new(arr, blk_json(&blk[i]));
		json_object_set_new(r, "block_devices", arr);
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
		for (size_t i = 0; i < nb; i++)
			blk_print(&blk[i]);
	}
	free(list);
	free(blk);
	return SP_EXIT_OK;
}
