/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * isolist.c - the lists of file checksums inside Debian and Ubuntu ISOs.
 *
 * Debian puts md5sum.txt (and, since 12, sha256sum.txt) in the root of
 * its images, Ubuntu md5sum.txt: GNU lines "HEX  ./path" for the files of
 * the image, in its ISO 9660 tree or, on a UDF-only image, its UDF tree.
 * The tree is read by fs/ (img_fs_read_tree: libisofs held by the read
 * guard, or spindle's UDF reader) through fs/'s sector source, so a disc is
 * read with drv_read; each listed file's extents are then read and hashed,
 * and the files that differ, or are missing, are named.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/sums/sums_private.h"

#define LIST_MAX (16 << 20)     /* bytes of a list read at most */
#define MAX_DIFFER 10000        /* names kept */

/* Feed node n's data to d (or, d NULL, into *out, at most LIST_MAX). */
static enum sp_status read_file(struct img_sectors *rd, const struct img_fs_node *n,
				struct img_digest *d, char **out, size_t *out_len,
				struct sp_error *err)
{
	static const unsigned char zeros[SP_SECTOR];
	unsigned char *buf = malloc((size_t)DRV_READ_MAX * SP_SECTOR);
	enum sp_status st = SP_OK;
	size_t held = 0, pieces = n->data ? 1 : n->n_ext;

	if (!buf)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	for (size_t i = 0; i < pieces && st == SP_OK; i++) {
		uint64_t left = n->data ? n->size : n->ext[i].bytes;
		int64_t lba = n->data ? 0 : n->ext[i].lba;

		while (left && st == SP_OK) {
			uint64_t secs = (left + SP_SECTOR - 1) / SP_SECTOR;
			uint32_t want = secs < DRV_READ_MAX ? (uint32_t)secs : DRV_READ_MAX, done;
			size_t k = (size_t)want * SP_SECTOR;
			const unsigned char *p = buf;

			if (k > left)
				k = (size_t)left;
			if (drv_interrupted()) {
				st = sp_error_set(err, SPE_ABORTED, "interrupted");
				break;
			}
			if (n->data) {
				p = n->data + held;     /* kept in the file entry (UDF) */
			} else if (lba < 0) {
				k = k > SP_SECTOR ? SP_SECTOR : k;      /* not recorded: zeros */
				want = 1;
				p = zeros;
			} else if (lba + want > (rd->bytes + SP_SECTOR - 1) / SP_SECTOR ||
				   img_sectors_read(rd, lba, want, buf, &done, err) != SP_OK) {
				/* past the end of a short image, or unreadable */
				st = SP_WARN;
				break;
			}
			if (d) {
				img_digest_update(d, p, k);
			} else {
				void *q;

				if (*out_len + k > LIST_MAX) {
					st = SP_WARN;
					break;
				}
				q = realloc(*out, *out_len + k + 1);
				if (!q) {
					st = sp_error_set(err, SPE_NOMEM, "out of memory");
					break;
				}
				*out = q;
				memcpy(*out + *out_len, p, k);
				*out_len += k;
			}
			held += k;
			left -= k;
			if (lba >= 0)
				lba += want;
		}
	}
	free(buf);
	return st;
}

static bool add_differ(struct img_check *c, const char *name)
{
	void *p;

	if (c->n_differ >= MAX_DIFFER)
		return true;
	p = realloc(c->differ, (c->n_differ + 1) * sizeof(*c->differ));
	if (!p)
		return false;
	c->differ = p;
	c->differ[c->n_differ] = strdup(name);
	if (!c->differ[c->n_differ])
		return false;
	c->n_differ++;
	return true;
}

/* The tree's nodes sorted by path, to find the listed files. */
struct index {
	const struct img_fs_tree *t;
	size_t *v;
};

static const struct img_fs_tree *sort_tree;

static int by_path(const void *a, const void *b)
{
	return strcmp(sort_tree->v[*(const size_t *)a].path, sort_tree->v[*(const size_t *)b].path);
}

static const struct img_fs_node *find_node(const struct index *ix, const char *listed)
{
	char path[4096];
	size_t lo = 0, hi = ix->t->n;

	while (listed[0] == '.' && listed[1] == '/')
		listed += 2;
	snprintf(path, sizeof(path), "/%s", listed);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ix->t->v[ix->v[mid]].path, path);

		if (!c)
			return &ix->t->v[ix->v[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static enum sp_status check_list(struct img_sectors *rd, const struct index *ix,
				 const struct img_sumfile *list, struct img_check *c,
				 struct sp_error *err)
{
	for (size_t i = 0; i < list->n; i++) {
		const struct img_sumline *l = &list->v[i];
		const struct img_fs_node *node = find_node(ix, l->name);
		struct img_digest *d;
		char hex[IMG_SUM_HEX_MAX];
		enum sp_status st;

		c->n_files++;
		if (!node || node->type != IMG_NODE_FILE) {
			if (!add_differ(c, l->name))
				return sp_error_set(err, SPE_NOMEM, "out of memory");
			continue;
		}
		d = img_digest_new(l->algo);
		if (!d)
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		st = read_file(rd, node, d, NULL, NULL, err);
		img_digest_peek(d, hex);
		img_digest_free(d);
		if (st == SP_WARN)
			sp_error_init(err);
		else if (st != SP_OK)
			return st;
		if ((st == SP_WARN || strcmp(hex, l->hex) != 0) && !add_differ(c, l->name))
			return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	return SP_OK;
}

bool sums_check_file_lists(struct img_sectors *rd, struct img_check *c,
			   struct sp_error *err)
{
	static const char *const lists[] = { "/sha256sum.txt", "/md5sum.txt" };
	struct img_fs_open_opts o = { .fs = IMG_FS_AUTO, .sectors = rd->sectors, .name = rd->name };
	struct img_fs_tree t;
	struct sp_error e = SP_ERROR_INIT;
	struct index ix = { &t, NULL };
	bool found = false;

	/* no tree to read: no lists (the other checks tell) */
	if (img_fs_read_tree(img_sectors_block, rd, &o, &t, &e) != SP_OK) {
		if (e.code == SPE_NOMEM || e.code == SPE_ABORTED) {
			*err = e;
			return true;
		}
		return false;
	}
	ix.v = malloc((t.n ? t.n : 1) * sizeof(*ix.v));
	if (!ix.v) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		found = true;
		goto out;
	}
	for (size_t i = 0; i < t.n; i++)
		ix.v[i] = i;
	sort_tree = &t;
	qsort(ix.v, t.n, sizeof(*ix.v), by_path);
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]) && !found; i++) {
		const struct img_fs_node *node = find_node(&ix, lists[i] + 1);
		struct img_sumfile list;
		char *text = NULL;
		size_t len = 0;

		if (!node || node->type != IMG_NODE_FILE)
			continue;
		found = true;
		memset(c, 0, sizeof(*c));
		c->kind = IMG_CHECK_FILELIST;
		snprintf(c->source, sizeof(c->source), "%s", lists[i] + 1);
		if (read_file(rd, node, NULL, &text, &len, err) != SP_OK ||
		    img_sumfile_parse(&list, text ? text : "", len, lists[i] + 1, err) != SP_OK) {
			free(text);
			if (err->code == SPE_NOMEM || err->code == SPE_ABORTED)
				goto out;
			sp_error_init(err);
			c->state = IMG_CHECK_FAIL;
			snprintf(c->detail, sizeof(c->detail), "%s cannot be read", lists[i] + 1);
			break;
		}
		free(text);
		snprintf(c->algo, sizeof(c->algo), "%s", img_sum_algo_name(list.v[0].algo));
		if (check_list(rd, &ix, &list, c, err) == SP_OK) {
			c->state = c->n_differ ? IMG_CHECK_FAIL : IMG_CHECK_PASS;
			snprintf(c->detail, sizeof(c->detail), "%zu of %zu files match",
				 c->n_files - c->n_differ, c->n_files);
		}
		img_sumfile_release(&list);
	}
out:
	free(ix.v);
	img_fs_tree_release(&t);
	return found;
}
