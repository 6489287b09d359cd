/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * isolist.c - the lists of file checksums inside Debian and Ubuntu ISOs.
 *
 * Debian puts md5sum.txt (and, since 12, sha256sum.txt) in the root of
 * its images, Ubuntu md5sum.txt: GNU lines "HEX  ./path" for the files of
 * the image.  The tree is loaded with libisofs through our own reader (so a
 * disc is read with drv_read, and a hostile tree is stopped by the read
 * guard); each listed file's extents are then read and hashed, and the
 * files that differ, or are missing, are named.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIBISOFS_WITHOUT_LIBBURN 1
#include <libisofs/libisofs.h>

#include "imaging/sums/sums_private.h"

#define LIST_MAX (16 << 20)     /* bytes of a list read at most */
#define MAX_DIFFER 10000        /* names kept */

/* Feed a file's data to d (or, d NULL, into *out, at most LIST_MAX). */
static enum sp_status read_file(struct img_sectors *rd, IsoFile *f,
				struct img_digest *d, char **out, size_t *out_len,
				struct sp_error *err)
{
	struct iso_file_section *sec = NULL;
	unsigned char *buf = malloc((size_t)DRV_READ_MAX * SP_SECTOR);
	enum sp_status st = SP_OK;
	int n = 0;

	if (!buf)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (iso_file_get_old_image_sections(f, &n, &sec, 0) != 1)
		n = 0;
	for (int i = 0; i < n && st == SP_OK; i++) {
		uint64_t left = sec[i].size;
		int64_t lba = sec[i].block;

		while (left && st == SP_OK) {
			uint64_t secs = (left + SP_SECTOR - 1) / SP_SECTOR;
			uint32_t want = secs < DRV_READ_MAX ? (uint32_t)secs : DRV_READ_MAX, done;
			size_t k = (size_t)want * SP_SECTOR;

			if (k > left)
				k = (size_t)left;
			if (drv_interrupted()) {
				st = sp_error_set(err, SPE_ABORTED, "interrupted");
				break;
			}
			if (lba + want > (rd->bytes + SP_SECTOR - 1) / SP_SECTOR ||
			    img_sectors_read(rd, lba, want, buf, &done, err) != SP_OK) {
				/* past the end of a short image, or unreadable */
				st = SP_WARN;
				break;
			}
			if (d) {
				img_digest_update(d, buf, k);
			} else {
				void *p;

				if (*out_len + k > LIST_MAX) {
					st = SP_WARN;
					break;
				}
				p = realloc(*out, *out_len + k + 1);
				if (!p) {
					st = sp_error_set(err, SPE_NOMEM, "out of memory");
					break;
				}
				*out = p;
				memcpy(*out + *out_len, buf, k);
				*out_len += k;
			}
			left -= k;
			lba += want;
		}
	}
	free(sec);
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

static IsoNode *find_node(IsoImage *image, const char *listed)
{
	char path[4096];
	IsoNode *node = NULL;

	while (listed[0] == '.' && listed[1] == '/')
		listed += 2;
	snprintf(path, sizeof(path), "/%s", listed);
	if (iso_tree_path_to_node(image, path, &node) != 1)
		return NULL;
	return node;
}

static enum sp_status check_list(struct img_sectors *rd, IsoImage *image,
				 const struct img_sumfile *list, struct img_check *c,
				 struct sp_error *err)
{
	for (size_t i = 0; i < list->n; i++) {
		const struct img_sumline *l = &list->v[i];
		IsoNode *node = find_node(image, l->name);
		struct img_digest *d;
		char hex[IMG_SUM_HEX_MAX];
		enum sp_status st;

		c->n_files++;
		if (!node || iso_node_get_type(node) != LIBISO_FILE) {
			if (!add_differ(c, l->name))
				return sp_error_set(err, SPE_NOMEM, "out of memory");
			continue;
		}
		d = img_digest_new(l->algo);
		if (!d)
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		st = read_file(rd, (IsoFile *)node, d, NULL, NULL, err);
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
	struct img_iso_source d;
	IsoImage *image = NULL;
	IsoReadOpts *ropts = NULL;
	IsoReadImageFeatures *features = NULL;
	static char volid[] = "";
	bool found = false;

	if (img_iso_source_init(&d, rd, 0, err) != SP_OK)
		return true;
	if (iso_image_new(volid, &image) < 0 || iso_read_opts_new(&ropts, 0) < 0) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		found = true;
		goto out;
	}
	iso_read_opts_set_no_md5(ropts, 1);
	if (iso_image_import(image, d.src, ropts, &features) < 0)
		goto out;       /* no tree to read: no lists (the other checks tell) */
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]) && !found; i++) {
		IsoNode *node = NULL;
		struct img_sumfile list;
		char *text = NULL;
		size_t len = 0;

		if (iso_tree_path_to_node(image, lists[i], &node) != 1 ||
		    iso_node_get_type(node) != LIBISO_FILE)
			continue;
		found = true;
		memset(c, 0, sizeof(*c));
		c->kind = IMG_CHECK_FILELIST;
		snprintf(c->source, sizeof(c->source), "%s", lists[i] + 1);
		if (read_file(rd, (IsoFile *)node, NULL, &text, &len, err) != SP_OK ||
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
		if (check_list(rd, image, &list, c, err) == SP_OK) {
			c->state = c->n_differ ? IMG_CHECK_FAIL : IMG_CHECK_PASS;
			snprintf(c->detail, sizeof(c->detail), "%zu of %zu files match",
				 c->n_files - c->n_differ, c->n_files);
		}
		img_sumfile_release(&list);
	}
out:
	drv_drain_messages(NULL);
	if (features)
		iso_read_image_features_destroy(features);
	if (ropts)
		iso_read_opts_free(ropts);
	if (image)
		iso_image_unref(image);
	img_iso_source_release(&d);
	return found;
}
