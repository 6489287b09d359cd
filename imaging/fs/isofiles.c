/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * isofiles.c - which files of a (partial) ISO image lie in bad areas.
 *
 * libisofs reads the image through our own IsoDataSource over the file;
 * sectors never rescued read as the zeros the sparse image holds.  Each
 * file's extents (iso_file_get_old_image_sections) are then compared with
 * the bad LBA ranges.  If directory records themselves lay in bad areas
 * the listing may be incomplete, and tree_damaged says so.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIBISOFS_WITHOUT_LIBBURN 1
#include <libisofs/libisofs.h>

#include "imaging/fs/fs_private.h"

static int64_t overlap(const struct img_ranges *bad, int64_t s, int64_t n, int64_t *first)
{
	int64_t t = 0;

	for (size_t i = 0; i < bad->n; i++) {
		int64_t a = bad->v[i].lba, b = a + bad->v[i].count;

		if (a < s)
			a = s;
		if (b > s + n)
			b = s + n;
		if (b > a) {
			if (*first < 0 || a < *first)
				*first = a;
			t += b - a;
		}
	}
	return t;
}

static enum sp_status add_file(struct img_iso_damage *out, IsoNode *node,
			       int64_t size, int64_t bad, int64_t first)
{
	char *path;

	if (out->n == out->alloc) {
		size_t na = out->alloc ? out->alloc * 2 : 16;
		void *p = realloc(out->files, na * sizeof(*out->files));

		if (!p)
			return SP_FATAL;
		out->files = p;
		out->alloc = na;
	}
	path = iso_tree_get_node_path(node);
	if (!path)
		return SP_FATAL;
	out->files[out->n++] = (struct img_iso_file){ path, size, bad, first };
	return SP_OK;
}

static enum sp_status walk(IsoDir *dir, const struct img_ranges *bad,
			   struct img_iso_damage *out, int depth)
{
	IsoDirIter *it = NULL;
	IsoNode *node;
	enum sp_status st = SP_OK;

	if (depth > 256 || iso_dir_get_children(dir, &it) != 1)
		return SP_OK;
	while (st == SP_OK && iso_dir_iter_next(it, &node) == 1) {
		if (iso_node_get_type(node) == LIBISO_DIR) {
			st = walk((IsoDir *)node, bad, out, depth + 1);
		} else if (iso_node_get_type(node) == LIBISO_FILE) {
			struct iso_file_section *sec = NULL;
			int n = 0;
			int64_t t = 0, first = -1, size = 0;

			out->files_total++;
			if (iso_file_get_old_image_sections((IsoFile *)node, &n, &sec, 0) == 1) {
				for (int i = 0; i < n; i++) {
					t += overlap(bad, sec[i].block,
						     (int64_t)(sec[i].size + SP_SECTOR - 1) / SP_SECTOR,
						     &first);
					size += sec[i].size;
				}
				free(sec);
			}
			if (t > 0)
				st = add_file(out, node, size, t, first);
		}
	}
	iso_dir_iter_free(it);
	return st;
}

enum sp_status isofiles_damaged(img_block_read_fn read, void *ctx, int64_t sectors,
				const char *name, const struct img_ranges *bad,
				struct img_iso_damage *out, struct sp_error *err)
{
	struct img_sectors sec;
	struct img_iso_source d;
	IsoImage *image = NULL;
	IsoReadOpts *ropts = NULL;
	IsoReadImageFeatures *features = NULL;
	static char volid[] = "";
	enum sp_status st = SP_FAILED;
	int r;

	memset(out, 0, sizeof(*out));
	img_sectors_over(&sec, read, ctx, sectors, name);
	if (img_iso_source_init(&d, &sec, 0, err) != SP_OK)
		return SP_FAILED;
	d.bad = bad;
	if (iso_image_new(volid, &image) < 0 || iso_read_opts_new(&ropts, 0) < 0) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	iso_read_opts_set_no_md5(ropts, 1);
	r = iso_image_import(image, d.src, ropts, &features);
	if (r < 0) {
		drv_drain_messages(NULL);
		if (!img_read_guard_explain(&d.guard, name, err))
			sp_error_set(err, SPE_FORMAT, "cannot read the ISO 9660 tree of '%s'%s", name,
				     d.read_bad ? ": its directory lies in a bad area" : "");
		sp_error_detail(err, "%s", iso_error_to_msg(r));
		goto out;
	}
	if (walk(iso_image_get_root(image), bad, out, 0) != SP_OK) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	out->tree_damaged = d.read_bad;
	st = SP_OK;
out:
	drv_drain_messages(NULL);
	if (features)
		iso_read_image_features_destroy(features);
	if (ropts)
		iso_read_opts_free(ropts);
	if (image)
		iso_image_unref(image);
	img_iso_source_release(&d);
	if (st != SP_OK)
		img_iso_damage_release(out);
	return st;
}

enum sp_status img_iso_damaged_files(const char *path, const struct img_ranges *bad,
				     struct img_iso_damage *out, struct sp_error *err)
{
	struct img_sectors s;
	enum sp_status st;

	memset(out, 0, sizeof(*out));
	if (img_sectors_open(&s, path, IMG_SECTORS_IMAGE, NULL, err) != SP_OK)
		return SP_FAILED;
	st = isofiles_damaged(img_sectors_block, &s, s.sectors, path, bad, out, err);
	img_sectors_close(&s);
	return st;
}

void img_iso_damage_release(struct img_iso_damage *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->files[i].path);
	free(d->files);
	memset(d, 0, sizeof(*d));
}
