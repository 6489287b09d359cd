/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * verify_sums.c - `spindle verify` against checksums that others publish,
 * and the MD5s and digests implanted in ISOs (imaging/sums/).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/verify_sums.h"

#define SUMFILE_MAX (64u << 20)

void cli_sums_args_init(struct cli_sums_args *a)
{
	memset(a, 0, sizeof(*a));
	a->o = (struct img_sums_opts)IMG_SUMS_OPTS_INIT;
	a->size = -1;
}

void cli_sums_args_release(struct cli_sums_args *a)
{
	img_sums_opts_release(&a->o);
}

int cli_sums_opt(struct cli_ctx *ctx, struct cli_sums_args *a, int c, const char *arg)
{
	static const struct { int opt; enum img_sum_algo algo; const char *name; } given[] = {
		{ SOPT_SHA256, IMG_SUM_SHA256, "--sha256" },
		{ SOPT_SHA512, IMG_SUM_SHA512, "--sha512" },
		{ SOPT_SHA1, IMG_SUM_SHA1, "--sha1" },
		{ SOPT_MD5, IMG_SUM_MD5, "--md5" },
	};
	struct sp_error err = SP_ERROR_INIT;
	uint64_t v;

	for (size_t i = 0; i < sizeof(given) / sizeof(given[0]); i++)
		if (c == given[i].opt) {
			if (img_sums_expect_add(&a->o, given[i].algo, arg, IMG_CHECK_GIVEN,
						given[i].name, &err) != SP_OK) {
				cli_usage_error(ctx, "%s: %s", given[i].name, err.msg);
				return -1;
			}
			a->given = true;
			return 1;
		}
	switch (c) {
	case SOPT_CHECKSUMS:
		a->checksums = arg;
		a->given = true;
		return 1;
	case SOPT_SIGNATURE:
		a->signature = arg;
		return 1;
	case SOPT_KEYRING:
		a->keyring = arg;
		return 1;
	case SOPT_NAME:
		a->name = arg;
		return 1;
	case SOPT_SIZE:
		if (cli_parse_size_opt(ctx, "--size", arg, &v) < 0)
			return -1;
		a->size = (int64_t)v;
		return 1;
	default:
		return 0;
	}
}

static int read_sumfile(struct cli_ctx *ctx, const char *path, char **text, size_t *len)
{
	struct sp_error err = SP_ERROR_INIT;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || sp_read_fd_all(fd, SUMFILE_MAX, text, len) < 0) {
		sp_error_set_errno(&err, errno, "cannot read the checksum file '%s'", path);
		if (fd >= 0)
			close(fd);
		return cli_fail(ctx, &err);
	}
	close(fd);
	return SP_EXIT_OK;
}

int cli_sums_prepare(struct cli_ctx *ctx, struct cli_sums_args *a, const char *image_name)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_sumfile f = IMG_SUMFILE_INIT;
	const struct img_sumline *l;
	char *text = NULL, source[256];
	size_t len = 0;
	int rc;

	if ((a->signature || a->keyring) && !a->checksums)
		return cli_usage_error(ctx, "--keyring and --signature check a checksum file: "
				       "give it with --checksums FILE");
	if (a->signature && !a->keyring)
		return cli_usage_error(ctx, "--signature needs the keys to check it with: "
				       "give --keyring KEYRING");
	if (!a->checksums)
		return SP_EXIT_OK;
	if (a->keyring) {
		struct img_sig_info si;
		struct img_check *c = &a->sig;
		enum sp_status st = img_sig_verify(a->keyring, a->checksums, a->signature,
						   &text, &len, &si, &err);

		memset(c, 0, sizeof(*c));
		c->kind = IMG_CHECK_SIGNATURE;
		c->state = st == SP_OK ? IMG_CHECK_PASS : IMG_CHECK_FAIL;
		snprintf(c->source, sizeof(c->source), "%s", a->signature ? a->signature : a->checksums);
		snprintf(c->algo, sizeof(c->algo), "openpgp");
		snprintf(c->actual, sizeof(c->actual), "%s", si.fingerprint);
		if (st == SP_OK)
			snprintf(c->detail, sizeof(c->detail), "good signature by %.200s",
				 si.uid[0] ? si.uid : si.fingerprint);
		a->has_sig = si.checked || st == SP_OK;
		if (st != SP_OK)
			return cli_fail(ctx, &err);
	} else if ((rc = read_sumfile(ctx, a->checksums, &text, &len)) != SP_EXIT_OK) {
		return rc;
	}
	if (img_sumfile_parse(&f, text, len, a->checksums, &err) != SP_OK) {
		free(text);
		return cli_fail(ctx, &err);
	}
	free(text);
	l = img_sumfile_find(&f, a->name ? a->name : image_name, a->checksums, &err);
	if (!l) {
		img_sumfile_release(&f);
		return cli_fail(ctx, &err);
	}
	snprintf(source, sizeof(source), "%s line %u (%s)", a->checksums, l->line, l->name);
	if (img_sums_expect_add(&a->o, l->algo, l->hex, IMG_CHECK_SUMFILE, source, &err) != SP_OK) {
		img_sumfile_release(&f);
		return cli_fail(ctx, &err);
	}
	/* Fedora's "# NAME: N bytes" tells how much of a disc to read */
	if (a->size < 0 && f.size_hint >= 0 && f.size_name &&
	    strcmp(f.size_name, l->name) == 0)
		a->size = f.size_hint;
	img_sumfile_release(&f);
	return SP_EXIT_OK;
}

static void progress(uint64_t done, uint64_t total, void *arg)
{
	struct cli_ctx *ctx = arg;
	char a[32], b[32];

	if (ctx->json) {
		cli_json_progress(ctx, json_pack("{s:s, s:s, s:s, s:I, s:I}", "type", "progress",
			"command", "verify", "phase", "checksums", "bytes_done", (json_int_t)done,
			"bytes_total", (json_int_t)total), done == total);
		return;
	}
	cli_progress(ctx, "checksums: %3.0f%%  %s of %s",
		     total ? 100.0 * (double)done / (double)total : 0.0,
		     sp_human_size(done, a, sizeof(a)), sp_human_size(total, b, sizeof(b)));
}

static json_t *check_json(const struct img_check *c)
{
	json_t *o = json_pack("{s:s, s:s, s:b, s:s}", "kind", img_sum_kind_name(c->kind),
			      "state", img_check_state_name(c->state),
			      "passed", c->state == IMG_CHECK_PASS, "source", c->source);

	if (c->algo[0])
		json_object_set_new(o, "algorithm", json_string(c->algo));
	if (c->expected[0])
		json_object_set_new(o, "expected", json_string(c->expected));
	if (c->actual[0])
		json_object_set_new(o, "actual", json_string(c->actual));
	if (c->detail[0])
		json_object_set_new(o, "detail", json_string(c->detail));
	if (c->kind == IMG_CHECK_ISOMD5)
		json_object_set_new(o, "bad_fragment", json_integer(c->fragment));
	if (c->kind == IMG_CHECK_FILELIST) {
		json_t *d = json_array();

		for (size_t i = 0; i < c->n_differ; i++)
			json_array_append_new(d, json_string(c->differ[i]));
		json_object_set_new(o, "files", json_integer((json_int_t)c->n_files));
		json_object_set_new(o, "files_differ", d);
	}
	if (c->kind == IMG_CHECK_SIZE)
		json_object_set_new(o, "missing_bytes", json_integer(c->missing_bytes));
	return o;
}

static const char *what(const struct img_check *c)
{
	switch (c->kind) {
	case IMG_CHECK_GIVEN: return "given digest";
	case IMG_CHECK_SUMFILE: return "checksum file";
	case IMG_CHECK_SIGNATURE: return "signature";
	case IMG_CHECK_ISOMD5: return "implanted MD5";
	case IMG_CHECK_TAGMEDIA: return "tagmedia digest";
	case IMG_CHECK_FILELIST: return "file list";
	case IMG_CHECK_SIZE: return "volume size";
	}
	return "?";
}

static void print_check(const struct img_check *c)
{
	printf("%-16s %s  %s", what(c), c->state == IMG_CHECK_PASS ? "PASS" :
	       c->state == IMG_CHECK_FAIL ? "FAIL" : "UNREADABLE", c->source);
	if (c->algo[0] && c->kind != IMG_CHECK_SIGNATURE && c->kind != IMG_CHECK_FILELIST)
		printf(" (%s)", c->algo);
	printf("\n");
	if (c->detail[0])
		printf("%16s   %s\n", "", c->detail);
	if (c->state == IMG_CHECK_FAIL && c->expected[0] && c->kind != IMG_CHECK_FILELIST) {
		printf("%16s   expected %s\n", "", c->expected);
		if (c->actual[0])
			printf("%16s   got      %s\n", "", c->actual);
	}
	for (size_t i = 0; i < c->n_differ; i++)
		printf("%16s   differs: %s\n", "", c->differ[i]);
}

static void verdict(const struct img_sums_report *r, struct sp_error *v)
{
	const struct img_check *c = img_sums_failed(r);

	if (!c)
		return;
	if (c->state == IMG_CHECK_UNREADABLE) {
		sp_error_set(v, SPE_READ, "the %s could not be checked: sector %lld cannot be read",
			     what(c), (long long)r->unreadable_lba);
		v->lba = r->unreadable_lba;
		return;
	}
	if (c->kind == IMG_CHECK_SIZE)
		sp_error_set(v, SPE_MISMATCH, "%s", c->detail);
	else if (c->kind == IMG_CHECK_FILELIST)
		sp_error_set(v, SPE_MISMATCH, "%zu file%s listed in %s differ%s", c->n_differ,
			     c->n_differ == 1 ? "" : "s", c->source, c->n_differ == 1 ? "s" : "");
	else if (c->kind == IMG_CHECK_ISOMD5 && c->fragment)
		sp_error_set(v, SPE_MISMATCH, "the implanted MD5 does not match: %s", c->detail);
	else
		sp_error_set(v, SPE_MISMATCH, "the %s does not match (%s, from %s)", what(c),
			     c->algo, c->source);
	sp_error_hint(v, "the data is not what was published: download or burn it again");
}

int cli_sums_run(struct cli_ctx *ctx, struct cli_sums_args *a, struct drv_drive *d,
		 const char *image_path, json_t *r)
{
	struct img_sums_report rep = IMG_SUMS_REPORT_INIT;
	struct sp_error err = SP_ERROR_INIT, v = SP_ERROR_INIT;
	enum sp_status st;
	json_t *arr;
	int rc = SP_EXIT_OK;

	sp_error_init(&a->verdict);
	a->o.progress = progress;
	a->o.ctx = ctx;
	a->o.bytes = a->size;
	if (a->has_sig && img_sums_report_add(&rep, &a->sig) != SP_OK) {
		sp_error_set(&err, SPE_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	st = d ? img_sums_check_drive(d, &a->o, &rep, &err)
	       : img_sums_check_file(image_path, &a->o, &rep, &err);
	cli_progress_end(ctx);
	if (st != SP_OK) {
		img_sums_report_release(&rep);
		return cli_fail(ctx, &err);
	}
	verdict(&rep, &v);
	arr = json_array();
	for (size_t i = 0; i < rep.n; i++) {
		json_array_append_new(arr, check_json(&rep.checks[i]));
		if (!ctx->json)
			print_check(&rep.checks[i]);
	}
	json_object_set_new(r, "checks", arr);
	json_object_set_new(r, "checks_passed", json_boolean(v.code == SPE_NONE));
	json_object_set_new(r, "checked_bytes", json_integer((json_int_t)rep.bytes));
	if (rep.volume_bytes >= 0)
		json_object_set_new(r, "volume_bytes", json_integer(rep.volume_bytes));
	if (!ctx->json && rep.n == 0 && a->given)
		printf("no checksum could be checked\n");
	a->n_checks = rep.n;
	a->digests_passed = rep.digests_passed;
	a->md5_tags = rep.md5_tags;
	for (size_t i = 0; i < rep.n; i++)
		if (rep.checks[i].kind == IMG_CHECK_ISOMD5 && rep.checks[i].state != IMG_CHECK_PASS)
			a->isomd5_failed = true;
	if (v.code != SPE_NONE) {
		json_object_set_new(r, "ok", json_false());
		json_object_set_new(r, "error", cli_error_json(&v));
		a->verdict = v;
		rc = sp_exit_code(v.code);
	}
	img_sums_report_release(&rep);
	return rc;
}
