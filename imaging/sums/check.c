/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check.c - run every published and implanted checksum over one pass.
 *
 * The volume descriptors come first: they tell the volume's size (for the
 * truncation check, and the length a disc is read for) and hold the
 * isomd5sum or tagmedia record.  Then one sequential read, in chunks of
 * DRV_READ_MAX sectors, feeds each digest the bytes it covers.  A disc or
 * a stick is read for exactly the image's length, never beyond.  The
 * implanted MD5's fragments let that check stop early; when nothing else
 * needs the data, the read stops with it.  The in-ISO file lists are read
 * file by file afterwards (isolist.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIBISOFS_WITHOUT_LIBBURN 1
#include <libisofs/libisofs.h>

#include "imaging/sums/sums_private.h"

#define CHUNK DRV_READ_MAX
#define REPORT_EVERY 0.2
#define TAG_FIRST 17            /* where libisofs' superblock tag may lie */
#define TAG_END (16 + 64)

const char *img_sum_kind_name(enum img_sum_kind k)
{
	switch (k) {
	case IMG_CHECK_GIVEN: return "given";
	case IMG_CHECK_SUMFILE: return "checksum-file";
	case IMG_CHECK_SIGNATURE: return "signature";
	case IMG_CHECK_ISOMD5: return "isomd5sum";
	case IMG_CHECK_TAGMEDIA: return "tagmedia";
	case IMG_CHECK_FILELIST: return "file-list";
	case IMG_CHECK_SIZE: return "size";
	}
	return "?";
}

const char *img_check_state_name(enum img_check_state s)
{
	switch (s) {
	case IMG_CHECK_PASS: return "pass";
	case IMG_CHECK_FAIL: return "fail";
	case IMG_CHECK_UNREADABLE: return "unreadable";
	}
	return "?";
}

enum sp_status img_sums_expect_add(struct img_sums_opts *o, enum img_sum_algo a,
				   const char *hex, enum img_sum_kind kind,
				   const char *source, struct sp_error *err)
{
	struct img_sum_expect *e;
	size_t n = strlen(hex);
	void *p;

	if (!img_sum_hex_valid(a, hex, n))
		return sp_error_set(err, SPE_USAGE, "'%s' is not a %s digest (%zu hex digits expected, "
				    "got %zu characters)", hex, img_sum_algo_name(a),
				    img_sum_hex_len(a), n);
	p = realloc(o->expect, (o->n_expect + 1) * sizeof(*o->expect));
	if (!p)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	o->expect = p;
	e = &o->expect[o->n_expect++];
	memset(e, 0, sizeof(*e));
	e->algo = a;
	e->kind = kind;
	for (size_t i = 0; i <= n; i++)
		e->hex[i] = (char)(hex[i] >= 'A' && hex[i] <= 'F' ? hex[i] - 'A' + 'a' : hex[i]);
	snprintf(e->source, sizeof(e->source), "%s", source);
	return SP_OK;
}

void img_sums_opts_release(struct img_sums_opts *o)
{
	free(o->expect);
	o->expect = NULL;
	o->n_expect = 0;
}

enum sp_status img_sums_report_add(struct img_sums_report *r, const struct img_check *c)
{
	void *p = realloc(r->checks, (r->n + 1) * sizeof(*r->checks));

	if (!p)
		return SP_FATAL;
	r->checks = p;
	r->checks[r->n++] = *c;
	return SP_OK;
}

const struct img_check *img_sums_failed(const struct img_sums_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->checks[i].state != IMG_CHECK_PASS)
			return &r->checks[i];
	return NULL;
}

void img_sums_report_release(struct img_sums_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		for (size_t j = 0; j < r->checks[i].n_differ; j++)
			free(r->checks[i].differ[j]);
		free(r->checks[i].differ);
	}
	free(r->checks);
	*r = (struct img_sums_report)IMG_SUMS_REPORT_INIT;
}

/* ---- the pass --------------------------------------------------------------- */

struct run {
	struct img_sectors *rd;
	const struct img_sums_opts *o;
	struct img_sums_report *r;
	struct img_digest **given;      /* one per o->expect */
	struct isomd5_run md5;
	bool has_md5;
	struct tagmedia_run tag;
	bool has_tag;
	int64_t length;                 /* bytes the given digests cover */
};

static void set_check(struct img_check *c, enum img_sum_kind kind, const char *algo,
		      const char *expected, const char *actual, const char *source)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	snprintf(c->algo, sizeof(c->algo), "%s", algo);
	snprintf(c->expected, sizeof(c->expected), "%s", expected);
	snprintf(c->actual, sizeof(c->actual), "%s", actual ? actual : "");
	snprintf(c->source, sizeof(c->source), "%s", source);
	c->state = actual && strcmp(expected, actual) == 0 ? IMG_CHECK_PASS : IMG_CHECK_FAIL;
}

/* Note whether a libisofs superblock tag lies in the sectors of buf (lba on,
 * n bytes): then spindle verify also checks the MD5 tags. */
static void look_for_tag(struct img_sums_report *r, int64_t lba, const unsigned char *buf,
			 size_t n)
{
	for (int64_t s = lba; s < TAG_END && (size_t)(s - lba + 1) * SP_SECTOR <= n; s++) {
		int type = 0;
		uint32_t pos, start, size, next;
		char md5[16];

		if (s < TAG_FIRST)
			continue;
		if (iso_util_decode_md5_tag((char *)buf + (s - lba) * SP_SECTOR, &type, &pos,
					    &start, &size, &next, md5, 0) == 1 &&
		    pos == (uint32_t)s && (type == 2 || type == 4)) {
			r->md5_tags = 1;
			return;
		}
		if (s == TAG_END - 1 && r->md5_tags < 0)
			r->md5_tags = 0;
	}
}

static bool all_done(const struct run *u)
{
	return !u->o->n_expect && (!u->has_md5 || u->md5.done) && (!u->has_tag || u->tag.done);
}

static enum sp_status pass(struct run *u, int64_t need, struct sp_error *err)
{
	unsigned char *buf = malloc((size_t)CHUNK * SP_SECTOR);
	enum sp_status st = SP_OK;
	int64_t pos = 0;
	double last = 0;

	if (!buf)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	while (pos < need && !all_done(u)) {
		int64_t left = (need - pos + SP_SECTOR - 1) / SP_SECTOR;
		uint32_t want = left < CHUNK ? (uint32_t)left : CHUNK, done = 0;
		size_t n;

		if (drv_interrupted()) {
			st = sp_error_set(err, SPE_ABORTED, "interrupted");
			break;
		}
		if (img_sectors_read(u->rd, pos / SP_SECTOR, want, buf, &done, err) != SP_OK) {
			u->r->unreadable_lba = pos / SP_SECTOR + done;
			sp_error_init(err);
			break;
		}
		n = (size_t)want * SP_SECTOR;
		if ((int64_t)n > need - pos)
			n = (size_t)(need - pos);
		if (pos < TAG_END * SP_SECTOR && u->r->md5_tags < 0)
			look_for_tag(u->r, pos / SP_SECTOR, buf, n);
		for (size_t i = 0; i < u->o->n_expect; i++)
			if (pos < u->length)
				img_digest_update(u->given[i], buf,
						  (int64_t)n < u->length - pos ? n : (size_t)(u->length - pos));
		if (u->has_md5)
			isomd5_run_feed(&u->md5, pos, buf, n);
		if (u->has_tag)
			tagmedia_run_feed(&u->tag, pos, buf, n);
		pos += (int64_t)n;
		u->r->bytes = (uint64_t)pos;
		if (u->o->progress && sp_now() - last > REPORT_EVERY) {
			last = sp_now();
			u->o->progress((uint64_t)pos, (uint64_t)need, u->o->ctx);
		}
	}
	if (u->o->progress && st == SP_OK)
		u->o->progress((uint64_t)pos, (uint64_t)need, u->o->ctx);
	free(buf);
	return st;
}

static enum sp_status add(struct img_sums_report *r, const struct img_check *c,
			  struct sp_error *err)
{
	if (img_sums_report_add(r, c) != SP_OK)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	return SP_OK;
}

static void human(int64_t bytes, char *out, size_t len)
{
	sp_human_size((uint64_t)bytes, out, len);
}

static enum sp_status results(struct run *u, const struct sums_volume *vol,
			      struct sp_error *err)
{
	struct img_sums_report *r = u->r;
	bool unreadable = r->unreadable_lba >= 0;
	struct img_check c;
	char hex[IMG_SUM_HEX_MAX];

	for (size_t i = 0; i < u->o->n_expect; i++) {
		const struct img_sum_expect *e = &u->o->expect[i];

		img_digest_peek(u->given[i], hex);
		set_check(&c, e->kind, img_sum_algo_name(e->algo), e->hex,
			  unreadable ? NULL : hex, e->source);
		if (unreadable)
			c.state = IMG_CHECK_UNREADABLE;
		if (add(r, &c, err) != SP_OK)
			return SP_FATAL;
	}
	if (u->has_md5) {
		set_check(&c, IMG_CHECK_ISOMD5, "md5", u->md5.rec.md5,
			  u->md5.bad_fragment ? NULL : u->md5.actual, "implantisomd5");
		if (u->md5.bad_fragment) {
			c.fragment = u->md5.bad_fragment;
			snprintf(c.detail, sizeof(c.detail), "fragment %d of %d differs "
				 "(bytes up to %lld); checking stopped there", u->md5.bad_fragment,
				 u->md5.rec.fragment_count,
				 (long long)u->md5.fed);
		} else if (!u->md5.done) {
			c.state = IMG_CHECK_UNREADABLE;
		} else if (u->md5.rec.fragment_count) {
			snprintf(c.detail, sizeof(c.detail), "%d fragment sums also checked",
				 u->md5.rec.fragment_count);
		}
		if (add(r, &c, err) != SP_OK)
			return SP_FATAL;
	}
	if (u->has_tag) {
		set_check(&c, IMG_CHECK_TAGMEDIA, img_sum_algo_name(u->tag.rec.algo),
			  u->tag.rec.hex, u->tag.done ? u->tag.actual : NULL, "tagmedia");
		if (!u->tag.done)
			c.state = IMG_CHECK_UNREADABLE;
		if (add(r, &c, err) != SP_OK)
			return SP_FATAL;
	}
	if (u->o->size_check && r->volume_bytes > 0) {
		char a[32], b[32], m[32];

		memset(&c, 0, sizeof(c));
		c.kind = IMG_CHECK_SIZE;
		snprintf(c.source, sizeof(c.source), "%s volume descriptor", r->volume_kind);
		human(r->volume_bytes, a, sizeof(a));
		human(u->rd->bytes, b, sizeof(b));
		if (u->rd->bytes < r->volume_bytes) {
			c.state = IMG_CHECK_FAIL;
			c.missing_bytes = r->volume_bytes - u->rd->bytes;
			human(c.missing_bytes, m, sizeof(m));
			snprintf(c.detail, sizeof(c.detail), "truncated: the %s volume is %lld bytes "
				 "(%s), the %s holds %lld (%s); %lld bytes (%s) are missing",
				 r->volume_kind, (long long)r->volume_bytes, a,
				 u->rd->drive ? "medium" : "image",
				 (long long)u->rd->bytes, b, (long long)c.missing_bytes, m);
		} else {
			snprintf(c.detail, sizeof(c.detail), "the %s volume (%s) is complete",
				 r->volume_kind, a);
		}
		if (add(r, &c, err) != SP_OK)
			return SP_FATAL;
	}
	(void)vol;
	return SP_OK;
}

static enum sp_status run(struct img_sectors *rd, const struct img_sums_opts *o,
			  int64_t length, struct img_sums_report *r, struct sp_error *err)
{
	struct run u = { .rd = rd, .o = o, .r = r, .length = length };
	struct sums_volume vol;
	struct img_isomd5 md5rec;
	struct img_tagmedia tagrec;
	enum sp_status st = SP_FAILED;
	int64_t need = 0, vb;

	sums_volume_probe(rd, &vol);
	vb = vol.iso_bytes > vol.udf_bytes ? vol.iso_bytes : vol.udf_bytes;
	r->volume_bytes = vb;
	r->volume_kind = vb < 0 ? NULL : vb == vol.iso_bytes ? "ISO 9660" : "UDF";
	if (length < 0) {
		if (vb <= 0 && !o->n_expect)
			return SP_OK;   /* nothing asked for, nothing found */
		if (vb <= 0) {
			sp_error_set(err, SPE_FORMAT, "'%s' holds no ISO 9660 or UDF volume, so its "
				     "length is unknown", rd->name);
			sp_error_hint(err, "give the image's length with --size BYTES");
			return SP_FAILED;
		}
		u.length = length = vb;
	}
	u.given = calloc(o->n_expect + 1, sizeof(*u.given));
	if (!u.given)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	for (size_t i = 0; i < o->n_expect; i++)
		if (!(u.given[i] = img_digest_new(o->expect[i].algo))) {
			sp_error_set(err, SPE_NOMEM, "out of memory");
			goto out;
		}
	if (o->n_expect)
		need = length;
	if (o->implanted && vol.pvd_offset >= 0 && vol.iso_bytes > 0) {
		if (img_isomd5_parse(vol.appdata, sizeof(vol.appdata), &md5rec)) {
			isomd5_run_init(&u.md5, &md5rec, vol.iso_bytes, vol.pvd_offset);
			if (!u.md5.md5) {
				sp_error_set(err, SPE_NOMEM, "out of memory");
				goto out;
			}
			u.has_md5 = true;
			if (u.md5.total > need)
				need = u.md5.total;
		} else if (img_tagmedia_parse(vol.appdata, sizeof(vol.appdata), &tagrec)) {
			tagmedia_run_init(&u.tag, &tagrec, vol.iso_bytes, vol.pvd_offset);
			if (!u.tag.d) {
				sp_error_set(err, SPE_NOMEM, "out of memory");
				goto out;
			}
			u.has_tag = true;
			if (u.tag.total > need)
				need = u.tag.total;
		}
	}
	/* never past the end of the image or the medium: what is missing is
	 * the size check's to report, and the digests then differ */
	if (need > rd->bytes)
		need = rd->bytes;
	if (pass(&u, need, err) != SP_OK)
		goto out;
	if (u.has_md5 && !u.md5.done && u.md5.fed >= need && r->unreadable_lba < 0)
		u.md5.done = true;      /* a short image: the MD5 so far is the verdict */
	if (u.has_tag && !u.tag.done && r->unreadable_lba < 0) {
		img_digest_peek(u.tag.d, u.tag.actual);
		u.tag.done = true;
	}
	if (u.has_md5 && u.md5.done && !u.md5.bad_fragment && !u.md5.actual[0])
		img_digest_peek(u.md5.md5, u.md5.actual);
	st = results(&u, &vol, err);
	if (st == SP_OK) {
		bool any = false;

		for (size_t i = 0; i < r->n; i++)
			any |= r->checks[i].kind == IMG_CHECK_GIVEN || r->checks[i].kind == IMG_CHECK_SUMFILE ||
			       r->checks[i].kind == IMG_CHECK_ISOMD5 || r->checks[i].kind == IMG_CHECK_TAGMEDIA;
		r->digests_passed = any && !img_sums_failed(r);
	}
	if (st == SP_OK && o->file_lists && (vol.pvd_offset >= 0 || vol.udf_bytes > 0) &&
	    r->unreadable_lba < 0) {
		struct img_check c;

		memset(&c, 0, sizeof(c));
		if (sums_check_file_lists(rd, &c, err)) {
			if (err->code != SPE_NONE)
				st = SP_FAILED;
			else
				st = add(r, &c, err);
		}
	}
out:
	for (size_t i = 0; i < o->n_expect; i++)
		img_digest_free(u.given[i]);
	free(u.given);
	if (u.has_md5)
		isomd5_run_release(&u.md5);
	if (u.has_tag)
		tagmedia_run_release(&u.tag);
	return st;
}

enum sp_status img_sums_check_file(const char *path, const struct img_sums_opts *o,
				   struct img_sums_report *r, struct sp_error *err)
{
	struct img_sectors rd = IMG_SECTORS_INIT;
	enum sp_status st;
	struct stat sb;

	if (drv_lib_init(err) != SP_OK)
		return SP_FAILED;
	rd.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (rd.fd < 0)
		return sp_error_set_errno(err, errno, "cannot open '%s'", path);
	if (fstat(rd.fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(rd.fd);
		return sp_error_set(err, SPE_USAGE, "'%s' is not a regular file", path);
	}
	rd.name = path;
	rd.bytes = sb.st_size;
	rd.sectors = (rd.bytes + SP_SECTOR - 1) / SP_SECTOR;
	posix_fadvise(rd.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	st = run(&rd, o, sb.st_size, r, err);
	close(rd.fd);
	return st;
}

enum sp_status img_sums_check_drive(struct drv_drive *d, const struct img_sums_opts *o,
				    struct img_sums_report *r, struct sp_error *err)
{
	struct img_sectors rd = IMG_SECTORS_INIT;
	int64_t sectors = drv_readable_sectors(d);

	if (sectors <= 0)
		return sp_error_set(err, SPE_NOMEDIUM, "nothing readable in '%s'", drv_address(d));
	rd.drive = d;
	rd.name = drv_address(d);
	rd.sectors = sectors;
	rd.bytes = sectors * SP_SECTOR;
	return run(&rd, o, o->bytes, r, err);
}
