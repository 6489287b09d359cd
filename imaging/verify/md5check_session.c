/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * md5check_session.c - one pass over a tagged session: the session,
 * superblock and tree tags, and every file's recorded MD5.  See the
 * comment at the top of md5check.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/verify/md5check_private.h"

#define TAG_MAGIC "libisofs_"    /* every tag starts so */

struct fentry {
	char *path;
	uint64_t size;
	char want[16];
	bool has_md5;
	void *ctx;              /* running MD5 of the data fed so far */
	uint64_t fed;
	struct iso_file_section *sec;
	int nsec;
	int64_t lba;            /* first sector, -1 if none */
	long alias;             /* entry with the very same data, or -1 */
	bool done;
	enum img_md5_state state;
};

struct piece {
	size_t entry;
	int64_t block;
	uint64_t bytes;
};

struct session_check {
	struct img_sectors *rd;
	struct fentry *f;
	size_t nf, af;
	struct piece *p;
	size_t np, next;        /* pieces sorted by block; next to activate */
	size_t *active;
	size_t nactive;
	struct img_ranges bad;  /* unreadable sectors */
};

/* ---- the tree -------------------------------------------------------------- */

static enum sp_status add_file(struct session_check *sc, IsoImage *img,
			       IsoFile *file, struct sp_error *err)
{
	struct fentry *e;

	if (sc->nf == sc->af) {
		size_t n = sc->af ? sc->af * 2 : 256;
		struct fentry *v = realloc(sc->f, n * sizeof(*v));

		if (!v)
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		sc->f = v;
		sc->af = n;
	}
	e = &sc->f[sc->nf];
	memset(e, 0, sizeof(*e));
	e->alias = -1;
	e->lba = -1;
	e->path = iso_tree_get_node_path((IsoNode *)file);
	if (!e->path)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	sc->nf++;
	e->size = (uint64_t)iso_file_get_size(file);
	e->has_md5 = iso_file_get_md5(img, file, e->want, 0) == 1;
	if (iso_file_get_old_image_sections(file, &e->nsec, &e->sec, 0) != 1) {
		e->nsec = 0;
		e->sec = NULL;
	}
	if (e->nsec > 0)
		e->lba = e->sec[0].block;
	return SP_OK;
}

static enum sp_status walk(struct session_check *sc, IsoImage *img,
			   struct img_md5_report *r, struct sp_error *err)
{
	IsoDir **stack = NULL;
	size_t n = 0, alloc = 0;
	enum sp_status rc = SP_OK;

	stack = malloc(16 * sizeof(*stack));
	if (!stack)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	alloc = 16;
	stack[n++] = iso_image_get_root(img);
	while (n && rc == SP_OK) {
		IsoDir *dir = stack[--n];
		IsoDirIter *it;
		IsoNode *node;

		if (iso_dir_get_children(dir, &it) < 0)
			continue;
		while (rc == SP_OK && iso_dir_iter_next(it, &node) == 1) {
			enum IsoNodeType t = iso_node_get_type(node);

			if (t == LIBISO_FILE) {
				r->files++;
				rc = add_file(sc, img, (IsoFile *)node, err);
			} else if (t == LIBISO_DIR) {
				if (n == alloc) {
					IsoDir **v = realloc(stack, alloc * 2 * sizeof(*v));

					if (!v) {
						rc = sp_error_set(err, SPE_NOMEM, "out of memory");
						break;
					}
					stack = v;
					alloc *= 2;
				}
				stack[n++] = (IsoDir *)node;
			}
		}
		iso_dir_iter_free(it);
	}
	free(stack);
	return rc;
}

static enum sp_status load_tree(struct session_check *sc, int64_t start,
				struct img_md5_report *r, struct sp_error *err)
{
	IsoImage *img = NULL;
	IsoReadOpts *ro = NULL;
	struct img_iso_source src = { 0 };
	enum sp_status rc = SP_OK;
	int ret;

	if (iso_image_new("", &img) < 0 || iso_read_opts_new(&ro, 0) < 0 ||
	    img_iso_source_init(&src, sc->rd, MD5_CHUNK, err) != SP_OK) {
		rc = sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	iso_read_opts_set_start_block(ro, (uint32_t)start);
	/* load the checksum array, but let us judge the tags */
	iso_read_opts_set_no_aaip(ro, 0);
	iso_read_opts_set_no_md5(ro, 2);
	/* a hostile tree must not run libisofs away (the read guard) */
	ret = iso_image_import(img, src.src, ro, NULL);
	if (ret < 0) {
		struct sp_error lib = SP_ERROR_INIT;

		drv_drain_messages(&lib);
		if (img_read_guard_explain(&src.guard, sc->rd->name, &lib)) {
			if (lib.code == SPE_ABORTED || lib.code == SPE_NOMEM) {
				*err = lib;
				rc = SP_FAILED;
				goto out;
			}
			snprintf(r->tree_error, sizeof(r->tree_error), "%.250s", lib.msg);
			goto out;
		}
		snprintf(r->tree_error, sizeof(r->tree_error), "%.100s%s%.140s",
			 iso_error_to_msg(ret), lib.msg[0] ? ": " : "", lib.msg);
		goto out;
	}
	drv_drain_messages(NULL);
	r->tree_loaded = true;
	rc = walk(sc, img, r, err);
out:
	if (img)
		iso_image_unref(img);
	if (ro)
		iso_read_opts_free(ro);
	img_iso_source_release(&src);
	return rc;
}

/* ---- mapping data to files ------------------------------------------------- */

static int cmp_entry(const void *a, const void *b)
{
	const struct fentry *x = a, *y = b;

	if (x->lba != y->lba)
		return x->lba < y->lba ? -1 : 1;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int cmp_piece(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	if (x->block != y->block)
		return x->block < y->block ? -1 : 1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static bool same_data(const struct fentry *a, const struct fentry *b)
{
	if (a->nsec != b->nsec || a->size != b->size || a->nsec == 0)
		return false;
	for (int i = 0; i < a->nsec; i++)
		if (a->sec[i].block != b->sec[i].block || a->sec[i].size != b->sec[i].size)
			return false;
	return true;
}

/* Sections in ascending, non-overlapping order can be fed in one pass. */
static bool streamable(const struct fentry *e, int64_t start)
{
	for (int i = 0; i < e->nsec; i++) {
		if ((int64_t)e->sec[i].block < start)
			return false;
		if (i && (uint64_t)e->sec[i].block * SP_SECTOR <
		    (uint64_t)e->sec[i - 1].block * SP_SECTOR + e->sec[i - 1].size)
			return false;
	}
	return true;
}

static enum sp_status map_files(struct session_check *sc, int64_t start,
				struct sp_error *err)
{
	size_t np = 0;

	if (sc->nf > 1)
		qsort(sc->f, sc->nf, sizeof(*sc->f), cmp_entry);
	for (size_t i = 0; i < sc->nf; i++) {
		struct fentry *e = &sc->f[i];

		if (i && same_data(&sc->f[i - 1], e))
			e->alias = sc->f[i - 1].alias >= 0 ? sc->f[i - 1].alias : (long)(i - 1);
		if (e->has_md5 && e->alias < 0) {
			if (iso_md5_start(&e->ctx) < 0)
				return sp_error_set(err, SPE_NOMEM, "out of memory");
			np += (size_t)e->nsec;
		}
	}
	sc->p = malloc((np ? np : 1) * sizeof(*sc->p));
	sc->active = malloc((np ? np : 1) * sizeof(*sc->active));
	if (!sc->p || !sc->active)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	for (size_t i = 0; i < sc->nf; i++) {
		struct fentry *e = &sc->f[i];

		if (!e->ctx || !streamable(e, start))
			continue;
		for (int k = 0; k < e->nsec; k++)
			if (e->sec[k].size)
				sc->p[sc->np++] = (struct piece){ i, e->sec[k].block, e->sec[k].size };
	}
	qsort(sc->p, sc->np, sizeof(*sc->p), cmp_piece);
	return SP_OK;
}

/* Feed sectors [lba, lba + n) in buf to the files they belong to. */
static void feed_files(struct session_check *sc, int64_t lba, uint32_t n,
		       const uint8_t *buf)
{
	uint64_t cb = (uint64_t)lba * SP_SECTOR, ce = cb + (uint64_t)n * SP_SECTOR;
	size_t keep = 0;

	while (sc->next < sc->np && sc->p[sc->next].block < lba + n)
		sc->active[sc->nactive++] = sc->next++;
	for (size_t i = 0; i < sc->nactive; i++) {
		const struct piece *p = &sc->p[sc->active[i]];
		struct fentry *e = &sc->f[p->entry];
		uint64_t pb = (uint64_t)p->block * SP_SECTOR, pe = pb + p->bytes;
		uint64_t lo = pb > cb ? pb : cb, hi = pe < ce ? pe : ce;

		if (hi > lo) {
			iso_md5_compute(e->ctx, (char *)(buf + (lo - cb)), (int)(hi - lo));
			e->fed += hi - lo;
		}
		if (pe > ce)
			sc->active[keep++] = sc->active[i];
	}
	sc->nactive = keep;
}

/* ---- the pass -------------------------------------------------------------- */

static enum img_md5_state compare(void *running, const char want[16], bool damaged)
{
	void *clone = NULL;
	char got[16];

	if (damaged)
		return IMG_MD5_UNREADABLE;
	if (iso_md5_clone(running, &clone) < 0)
		return IMG_MD5_MISMATCH;
	iso_md5_end(&clone, got);
	return iso_md5_match(got, (char *)want) ? IMG_MD5_OK : IMG_MD5_MISMATCH;
}

static enum sp_status stream(struct session_check *sc, int64_t start,
			     int64_t vol, struct img_md5_report *r,
			     img_md5_progress_fn progress, void *pctx,
			     struct sp_error *err)
{
	uint8_t *buf = malloc(MD5_CHUNK * SP_SECTOR);
	void *session = NULL;
	bool damaged = false, ended = false;
	uint64_t total = (uint64_t)vol * SP_SECTOR;
	double last = 0;
	int64_t lba = start;

	if (!buf || iso_md5_start(&session) < 0) {
		free(buf);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	/* the session tag lies within the volume; do not run on past it */
	int64_t end = start + vol + 16 < sc->rd->sectors ? start + vol + 16 : sc->rd->sectors;

	/* after a failed read, go sector by sector up to here, so that only
	 * the sectors that fail on their own count as unreadable */
	int64_t single_until = -1;

	while (lba < end && !ended) {
		int64_t left = end - lba;
		uint32_t want = left < MD5_CHUNK ? (uint32_t)left : MD5_CHUNK, done = 0, n, fed = 0;
		struct sp_error e = SP_ERROR_INIT;

		if (lba < single_until)
			want = 1;

		if (drv_interrupted()) {
			iso_md5_end(&session, (char *)buf);
			free(buf);
			return sp_error_set(err, SPE_ABORTED, "interrupted");
		}
		n = want;
		if (img_sectors_read(sc->rd, lba, want, buf, &done, &e) != SP_OK) {
			if (want == 1) {
				/* this sector fails on its own: zeros stand in */
				memset(buf, 0, SP_SECTOR);
				img_ranges_add(&sc->bad, lba, 1);
				r->unreadable_sectors++;
				damaged = true;
			} else {
				/* the good prefix now, the rest one by one */
				n = done;
				single_until = lba + want;
				if (n == 0)
					continue;
			}
		}
		for (uint32_t b = 0; b < n; b++) {
			const uint8_t *blk = buf + (size_t)b * SP_SECTOR;
			uint32_t pos, rs, rsize, next;
			int type = 0;
			char md5[16];

			if (memcmp(blk, TAG_MAGIC, sizeof(TAG_MAGIC) - 1) != 0 ||
			    iso_util_decode_md5_tag((char *)blk, &type, &pos, &rs, &rsize,
						    &next, md5, 0) != 1 ||
			    pos != (uint32_t)(lba + b) || type < 1 || type > 3)
				continue;
			iso_md5_compute(session, (char *)(buf + (size_t)fed * SP_SECTOR),
					(int)(b - fed) * SP_SECTOR);
			fed = b;
			{
				enum img_md5_state s = rs == (uint32_t)start ?
					compare(session, md5, damaged) : IMG_MD5_MISMATCH;

				if (type == 2)
					r->superblock = s;
				else if (type == 3)
					r->tree = s;
				else {
					r->session = s;
					r->session_end = lba + b + 1;
					n = b + 1;
					ended = true;
				}
			}
		}
		if (!ended)
			iso_md5_compute(session, (char *)(buf + (size_t)fed * SP_SECTOR),
					(int)(n - fed) * SP_SECTOR);
		feed_files(sc, lba, n, buf);
		r->bytes_read += (uint64_t)n * SP_SECTOR;
		lba += n;
		if (progress && sp_now() - last > 0.2) {
			last = sp_now();
			progress((uint64_t)(lba - start) * SP_SECTOR,
				 total > (uint64_t)(lba - start) * SP_SECTOR ? total :
				 (uint64_t)(lba - start) * SP_SECTOR, pctx);
		}
	}
	iso_md5_end(&session, (char *)buf);
	free(buf);
	/* a tag that never came is damage too */
	if (r->session == IMG_MD5_ABSENT)
		r->session = damaged ? IMG_MD5_UNREADABLE : IMG_MD5_MISMATCH;
	if (r->tree == IMG_MD5_ABSENT)
		r->tree = damaged ? IMG_MD5_UNREADABLE : IMG_MD5_MISMATCH;
	if (r->superblock == IMG_MD5_ABSENT)
		r->superblock = damaged ? IMG_MD5_UNREADABLE : IMG_MD5_MISMATCH;
	return SP_OK;
}

/* A file not (fully) covered by the pass: read its sections on their own. */
static void check_alone(struct session_check *sc, struct fentry *e)
{
	uint8_t *buf = malloc(MD5_CHUNK * SP_SECTOR);

	if (!buf)
		return;
	iso_md5_end(&e->ctx, (char *)buf);
	if (iso_md5_start(&e->ctx) < 0) {
		free(buf);
		return;
	}
	e->fed = 0;
	for (int k = 0; k < e->nsec && e->state != IMG_MD5_UNREADABLE; k++) {
		uint64_t left = e->sec[k].size;
		int64_t lba = e->sec[k].block;

		while (left) {
			uint64_t sectors = (left + SP_SECTOR - 1) / SP_SECTOR;
			uint32_t want = sectors < MD5_CHUNK ? (uint32_t)sectors : MD5_CHUNK, done;
			struct sp_error err = SP_ERROR_INIT;
			uint64_t bytes;

			if (img_sectors_read(sc->rd, lba, want, buf, &done, &err) != SP_OK) {
				img_ranges_add(&sc->bad, lba + done, 1);
				e->state = IMG_MD5_UNREADABLE;
				break;
			}
			bytes = (uint64_t)want * SP_SECTOR < left ? (uint64_t)want * SP_SECTOR : left;
			iso_md5_compute(e->ctx, (char *)buf, (int)bytes);
			e->fed += bytes;
			left -= bytes;
			lba += want;
		}
	}
	free(buf);
}

static bool over_bad(const struct session_check *sc, const struct fentry *e)
{
	for (int k = 0; k < e->nsec; k++) {
		int64_t b = e->sec[k].block;
		int64_t end = b + (int64_t)((e->sec[k].size + SP_SECTOR - 1) / SP_SECTOR);

		for (size_t i = 0; i < sc->bad.n; i++)
			if (sc->bad.v[i].lba < end && sc->bad.v[i].lba + sc->bad.v[i].count > b)
				return true;
	}
	return false;
}

static enum sp_status conclude(struct session_check *sc, struct img_md5_report *r,
			       struct sp_error *err)
{
	size_t nbad = 0;

	for (size_t i = 0; i < sc->nf; i++) {
		struct fentry *e = &sc->f[i];

		if (!e->has_md5)
			continue;
		r->files_with_md5++;
		if (e->alias >= 0) {
			e->state = sc->f[e->alias].state;
		} else {
			if (e->fed != e->size && e->state != IMG_MD5_UNREADABLE)
				check_alone(sc, e);
			if (e->state != IMG_MD5_UNREADABLE) {
				char got[16];

				iso_md5_end(&e->ctx, got);
				e->state = e->fed == e->size && iso_md5_match(got, e->want) ?
					   IMG_MD5_OK : IMG_MD5_MISMATCH;
			}
			if (over_bad(sc, e))
				e->state = IMG_MD5_UNREADABLE;
		}
		if (e->state == IMG_MD5_OK)
			r->files_ok++;
		else
			nbad++;
	}
	if (!nbad)
		return SP_OK;
	r->bad = calloc(nbad, sizeof(*r->bad));
	if (!r->bad)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	for (size_t i = 0; i < sc->nf; i++) {
		struct fentry *e = &sc->f[i];

		if (!e->has_md5 || e->state == IMG_MD5_OK)
			continue;
		r->bad[r->n_bad++] = (struct img_md5_file){ e->path, e->size, e->state, e->lba };
		e->path = NULL;
	}
	return SP_OK;
}

enum sp_status md5_verify_session(struct img_sectors *rd, int64_t start,
				  int64_t vol_sectors, struct img_md5_report *r,
				  img_md5_progress_fn progress, void *ctx,
				  struct sp_error *err)
{
	struct session_check sc = { .rd = rd, .bad = IMG_RANGES_INIT };
	enum sp_status rc;

	rc = load_tree(&sc, start, r, err);
	if (rc == SP_OK)
		rc = map_files(&sc, start, err);
	if (rc == SP_OK)
		rc = stream(&sc, start, vol_sectors, r, progress, ctx, err);
	if (rc == SP_OK)
		rc = conclude(&sc, r, err);
	for (size_t i = 0; i < sc.nf; i++) {
		char junk[16];

		if (sc.f[i].ctx)
			iso_md5_end(&sc.f[i].ctx, junk);
		free(sc.f[i].path);
		free(sc.f[i].sec);
	}
	free(sc.f);
	free(sc.p);
	free(sc.active);
	img_ranges_release(&sc.bad);
	return rc;
}
