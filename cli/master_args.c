/* SPDX-License-Identifier: GPL-3.0-or-later */
/* master_args.c - the mastering options shared by mkiso and burn DIR. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/master_args.h"

void cli_master_args_init(struct cli_master_args *ma)
{
	struct img_master_opts o = IMG_MASTER_OPTS_INIT;

	memset(ma, 0, sizeof(*ma));
	ma->o = o;
	ma->o.progress = cli_master_progress;
	ma->o.on_skip = cli_master_skip;
}

void cli_master_args_release(struct cli_master_args *ma)
{
	for (size_t i = 0; i < ma->o.n_grafts; i++)
		free(ma->bufs[i]);
	free(ma->bufs);
	free(ma->grafts);
	free(ma->excludes);
	memset(ma, 0, sizeof(*ma));
}

static int image_path_opt(struct cli_ctx *ctx, const char *opt, const char *arg,
			  const char **out)
{
	if (arg[0] != '/')
		return cli_usage_error(ctx, "%s: '%s' must be a path inside the image, "
				       "starting with /", opt, arg), CLI_OPT_ERROR;
	*out = arg;
	return 1;
}

int cli_master_opt(struct cli_ctx *ctx, struct cli_master_args *ma, int key,
		   const char *arg)
{
	uint64_t v;

	switch (key) {
	case MOPT_VOLID:
		if (strlen(arg) > 32 || !*arg)
			return cli_usage_error(ctx, "--volid: '%s' must be 1 to 32 characters", arg),
			       CLI_OPT_ERROR;
		ma->o.volid = arg;
		return 1;
	case MOPT_EXCLUDE: {
		const char **v2 = realloc(ma->excludes, (ma->n_excludes + 1) * sizeof(*v2));

		if (!v2) {
			struct sp_error err = SP_ERROR_INIT;

			/* CLI_OPT_ERROR promises the error was printed */
			sp_error_set(&err, SPE_NOMEM, "out of memory");
			return cli_fail(ctx, &err), CLI_OPT_ERROR;
		}
		ma->excludes = v2;
		ma->excludes[ma->n_excludes++] = arg;
		ma->o.excludes = ma->excludes;
		ma->o.n_excludes = ma->n_excludes;
		return 1;
	}
	case MOPT_NO_MD5:
		ma->o.md5 = false;
		return 1;
	case MOPT_REPRODUCIBLE:
		ma->o.reproducible = true;
		return 1;
	case MOPT_SKIP_UNREADABLE:
		ma->o.skip_unreadable = true;
		return 1;
	case MOPT_BOOT_BIOS:
		return image_path_opt(ctx, "--boot-bios", arg, &ma->o.boot_bios);
	case MOPT_BOOT_CATALOG:
		return image_path_opt(ctx, "--boot-catalog", arg, &ma->o.boot_catalog);
	case MOPT_BOOT_EFI:
		return image_path_opt(ctx, "--boot-efi", arg, &ma->o.boot_efi);
	case MOPT_BOOT_LOAD_SIZE:
		if (cli_parse_uint_opt(ctx, "--boot-load-size", arg, 1, 65535, &v) < 0)
			return CLI_OPT_ERROR;
		ma->o.boot_load_size = (int)v;
		return 1;
	case MOPT_NO_BOOT_INFO_TABLE:
		ma->o.boot_info_table = false;
		return 1;
	case MOPT_ISOHYBRID_MBR:
		ma->o.isohybrid_mbr = arg;
		return 1;
	default:
		return 0;
	}
}

int cli_master_sources(struct cli_ctx *ctx, struct cli_master_args *ma,
		       int n, char **srcs)
{
	struct sp_error err = SP_ERROR_INIT;
	const char *sde = getenv("SOURCE_DATE_EPOCH");

	if (n <= 0)
		return cli_usage_error(ctx, "no source given: name the files and directories "
				       "to put in the image");
	if (sde && *sde) {
		uint64_t v;

		if (sp_parse_uint(sde, 0, (uint64_t)1 << 40, &v) < 0)
			return cli_usage_error(ctx, "SOURCE_DATE_EPOCH='%s' is not a number of "
					       "seconds since 1970", sde);
		ma->o.reproducible = true;
		ma->o.epoch = (int64_t)v;
	}
	ma->grafts = calloc((size_t)n, sizeof(*ma->grafts));
	ma->bufs = calloc((size_t)n, sizeof(*ma->bufs));
	if (!ma->grafts || !ma->bufs) {
		sp_error_set(&err, SPE_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	for (int i = 0; i < n; i++) {
		size_t len = strlen(srcs[i]) + 1;

		if (!(ma->bufs[i] = malloc(len))) {
			sp_error_set(&err, SPE_NOMEM, "out of memory");
			return cli_fail(ctx, &err);
		}
		ma->o.n_grafts = (size_t)i + 1;
		if (img_graft_parse(&ma->grafts[i], srcs[i], ma->bufs[i], len, &err) != SP_OK)
			return cli_fail(ctx, &err);
	}
	ma->o.grafts = ma->grafts;
	ma->o.ctx = ctx;
	return 0;
}

void cli_master_progress(const struct img_master_progress *p, void *arg)
{
	struct cli_ctx *ctx = arg;
	char a[32], b[32];

	if (ctx->json) {
		cli_json_progress(ctx, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:f}", "type", "progress",
			"command", ctx->cmd ? ctx->cmd->name : "mkiso", "phase", p->phase == IMG_MASTER_SCANNING ? "scanning" : "writing",
			"files", (json_int_t)p->files, "bytes_done", (json_int_t)p->bytes_done,
			"bytes_total", (json_int_t)p->bytes_total, "elapsed", p->elapsed),
			p->bytes_done == p->bytes_total);
		return;
	}
	if (p->phase == IMG_MASTER_SCANNING) {
		cli_progress(ctx, "scanning: %llu files", (unsigned long long)p->files);
		return;
	}
	cli_progress(ctx, "writing: %3.0f%%  %s of %s", p->bytes_total ?
		     100.0 * (double)p->bytes_done / (double)p->bytes_total : 0.0,
		     sp_human_size(p->bytes_done, a, sizeof(a)),
		     sp_human_size(p->bytes_total, b, sizeof(b)));
}

void cli_master_skip(const char *path, const struct sp_error *why, void *arg)
{
	struct cli_ctx *ctx = arg;

	if (ctx->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "type", "skipped",
				      "command", ctx->cmd ? ctx->cmd->name : "mkiso", "path", path,
				      "reason", why->msg);

		cli_json_emit(o);
	}
	cli_warn(ctx, "%s; left out", why->msg);
}

static const struct cli_opt *find_long(const struct cli_opt *opts, const char *name,
				       size_t len)
{
	for (const struct cli_opt *o = opts; o && o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

static bool short_takes_arg(const struct cli_opt *opts, int key)
{
	if (key == 'd')
		return true;
	for (const struct cli_opt *o = opts; o && o->name; o++)
		if (o->key == key)
			return o->arg != NULL;
	return false;
}

int cli_permute_args(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_opt *opts = ctx->cmd->doc->opts;
	char **pos = malloc((size_t)argc * sizeof(*pos));
	int np = 0, w = 1, i;

	if (!pos)
		return -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-' || a[1] == '\0') {
			pos[np++] = argv[i];
			continue;
		}
		argv[w++] = argv[i];
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			const struct cli_opt *o = find_long(opts, a + 2,
				eq ? (size_t)(eq - a - 2) : strlen(a + 2));

			if (o && o->arg && !eq && i + 1 < argc)
				argv[w++] = argv[++i];
			continue;
		}
		for (const char *s = a + 1; *s; s++)
			if (short_takes_arg(opts, *s)) {
				if (!s[1] && i + 1 < argc)
					argv[w++] = argv[++i];
				break;
			}
	}
	/* "--" ends the options; what follows it stays positional */
	if (i < argc)
		argv[w++] = argv[i++];
	for (int k = 0; k < np; k++)
		argv[w++] = pos[k];
	for (; i < argc; i++)
		argv[w++] = argv[i];
	free(pos);
	return 0;
}
