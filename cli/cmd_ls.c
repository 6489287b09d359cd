/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_ls.c - spindle ls: the files of an ISO 9660 or UDF image or disc. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "imaging/imaging.h"

enum { OPT_FS = 256, OPT_SESSION = 257 };

static const struct cli_opt opts[] = {
	CLI_FS_OPTS,
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_ls = {
	"[--fs TREE] [--session N] SOURCE|-d DRIVE [PATH...]",
	"List the files of an ISO 9660 or UDF image or disc",
	"Lists every file of SOURCE (an image of any format spindle reads: ISO, "
	"BIN/CUE, TOC, NRG, MDS, MDX, CCD, CDI, CHD, DMG, DAA, ISZ; or a block device), "
	"or of the disc in DRIVE, or the named PATHs and what lies under them: type and "
	"mode, owner, size in bytes, modification time (UTC), the first LBA of "
	"the data and the path (with '-> TARGET' for a symlink).  Control "
	"characters in names are shown as \\xNN.  ISO 9660 is read with Rock "
	"Ridge or Joliet names through libisofs; --session N picks an older "
	"session (1: the first) of an image appended to with xorriso or spindle "
	"burn --append, of a multi-session disc image (CUE, TOC, NRG ...), or of "
	"a multi-session disc in DRIVE (its sessions from the table of contents).",
	opts,
	NULL,
};

int cli_fs_option(struct cli_ctx *ctx, int c, const char *arg, struct cli_fs_args *a)
{
	static const char *const kinds[] = { "auto", "iso9660", "joliet", "rockridge", "udf" };
	uint64_t v;

	if (c == OPT_FS) {
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (!strcmp(arg, kinds[k])) {
				a->fs = (enum img_fs_kind)k;
				return 0;
			}
		return cli_usage_error(ctx, "--fs takes iso9660, joliet, rockridge or udf, not '%s'", arg);
	}
	if (c == OPT_SESSION) {
		if (cli_parse_uint_opt(ctx, "--session", arg, 1, 999, &v))
			return SP_EXIT_USAGE;
		a->session = (int)v;
		return 0;
	}
	return SP_EXIT_USAGE;
}

enum sp_status cli_fs_read_tree(struct cli_fs_args *a, img_block_read_fn read, void *rctx,
				int64_t sectors, struct sp_error *err)
{
	struct img_fs_open_opts o = { .fs = a->fs, .session = a->session };

	o.sectors = sectors;
	o.name = a->name;
	o.n_starts = img_sectors_sessions(&a->src, a->starts, sizeof(a->starts) / sizeof(a->starts[0]));
	o.starts = a->starts;
	return img_fs_read_tree(read, rctx, &o, &a->tree, err);
}

enum sp_status cli_fs_open(struct cli_ctx *ctx, struct cli_fs_args *a, struct sp_error *err)
{
	const char *drive = cli_drive(ctx);

	if (drive && a->source)
		return sp_error_set(err, SPE_USAGE, "give either SOURCE or -d DRIVE, not both");
	if (!drive && !a->source)
		return sp_error_set(err, SPE_USAGE, "no source: give an image, a block device or -d DRIVE");
	a->name = drive ? drive : a->source;
	if (img_sectors_open(&a->src, a->name, drive ? IMG_SECTORS_DRIVE : IMG_SECTORS_IMAGE,
			     a->damage, err) != SP_OK)
		return SP_FAILED;
	a->src.retries = a->retries;
	if (a->source_only)
		return SP_OK;
	if (cli_fs_read_tree(a, img_sectors_block, &a->src, a->src.sectors, err) != SP_OK) {
		img_sectors_close(&a->src);
		return SP_FAILED;
	}
	return SP_OK;
}

void cli_fs_close(struct cli_fs_args *a)
{
	img_fs_tree_release(&a->tree);
	img_sectors_close(&a->src);
}

static void mode_string(const struct img_fs_node *n, char *s)
{
	static const char rwx[] = "rwxrwxrwx";

	s[0] = n->type == IMG_NODE_DIR ? 'd' : n->type == IMG_NODE_SYMLINK ? 'l' :
	       n->type == IMG_NODE_SPECIAL ? (S_ISCHR(n->mode) ? 'c' : S_ISBLK(n->mode) ? 'b' :
					      S_ISFIFO(n->mode) ? 'p' : 's') : '-';
	for (int i = 0; i < 9; i++)
		s[1 + i] = n->mode & (0400u >> i) ? rwx[i] : '-';
	s[10] = 0;
}

void cli_print_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '\\')
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			putc(*s, f);
	}
}

json_t *cli_node_json(const struct img_fs_node *n)
{
	static const char *const types[] = { "file", "dir", "symlink", "special" };
	json_t *o = json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I}",
			      "path", n->path, "kind", types[n->type],
			      "mode", (int)(n->mode & 07777), "uid", (json_int_t)n->uid,
			      "gid", (json_int_t)n->gid, "size", (json_int_t)n->size,
			      "mtime", (json_int_t)n->mtime,
			      "lba", (json_int_t)(n->n_ext ? n->ext[0].lba : -1));

	if (o && n->n_ext > 1)
		json_object_set_new(o, "extents", json_integer((json_int_t)n->n_ext));
	if (o && n->target)
		json_object_set_new(o, "target", json_string(n->target));
	return o;
}

int cmd_ls(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct cli_fs_args a = CLI_FS_ARGS_INIT;
	const char **paths = calloc((size_t)argc + 1, sizeof(*paths));
	size_t np = 0;
	bool *sel = NULL;
	const char *arg;
	int c, rc;
	json_t *r = NULL, *files = NULL;

	if (!paths)
		return SP_EXIT_FAILURE;
	for (;;) {
		while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
			if (c == CLI_OPT_EXIT || c < 0 || (rc = cli_fs_option(ctx, c, arg, &a))) {
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
	if (cli_fs_open(ctx, &a, &err) != SP_OK) {
		free(paths);
		return err.code == SPE_USAGE ? cli_usage_error(ctx, "%s", err.msg) : cli_fail(ctx, &err);
	}
	if (np) {
		sel = calloc(a.tree.n, sizeof(*sel));
		if (!sel || img_extract_select(&a.tree, paths, np, sel, &err) != SP_OK) {
			if (!sel)
				sp_error_set(&err, SPE_NOMEM, "out of memory");
			rc = cli_fail(ctx, &err);
			goto out;
		}
	}
	if (ctx->json) {
		r = cli_json_result(ctx, true);
		files = json_array();
	} else if (!ctx->quiet) {
		fprintf(stderr, "%s%s%s%s: %s tree of the session at LBA %lld\n", a.name,
			a.src.format ? " (" : "", a.src.format ? a.src.format : "",
			a.src.format ? ")" : "", img_fs_kind_name(a.tree.kind),
			(long long)a.tree.session_start);
	}
	for (size_t i = 1; i < a.tree.n; i++) {
		const struct img_fs_node *n = &a.tree.v[i];
		char ms[11], tb[32];
		struct tm tm;
		time_t t = (time_t)n->mtime;

		if (sel && !sel[i])
			continue;
		if (files) {
			json_array_append_new(files, cli_node_json(n));
			continue;
		}
		mode_string(n, ms);
		gmtime_r(&t, &tm);
		strftime(tb, sizeof(tb), "%Y-%m-%d %H:%M", &tm);
		printf("%s %5u %5u %12llu %s %8lld ", ms, n->uid, n->gid,
		       (unsigned long long)n->size, tb, (long long)(n->n_ext ? n->ext[0].lba : -1));
		cli_print_escaped(stdout, n->path);
		if (n->target) {
			printf(" -> ");
			cli_print_escaped(stdout, n->target);
		}
		putchar('\n');
	}
	if (r) {
		json_object_set_new(r, "source", json_string(a.name));
		json_object_set_new(r, "fs", json_string(img_fs_kind_name(a.tree.kind)));
		json_object_set_new(r, "session_start", json_integer(a.tree.session_start));
		json_object_set_new(r, "files", files);
		cli_json_emit(r);
	}
	rc = SP_EXIT_OK;
out:
	free(sel);
	free(paths);
	cli_fs_close(&a);
	return rc;
}
