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

#include "imaging/imaging.h"

/*
 * libisofs trusts the image: a directory record that points at itself or
 * at its parent makes iso_image_import() recurse until the stack overflows
 * or memory runs out, and a missing volume descriptor set terminator makes
 * it read on for ever.  Our data source is where we can stop it: no block
 * beyond the end of the file, no block read more than MAX_REREADS times
 * (a tree read once reads each block a few times at most), and a signal
 * ends the import.
 */
#define MAX_REREADS 16

enum src_stop { SRC_OK, SRC_EOF, SRC_LOOP, SRC_SIGNAL };

struct reread {
	uint32_t lba;
	uint32_t n;             /* 0: empty slot */
};

struct src_data {
	int fd;
	unsigned opened;
	const struct img_ranges *bad;
	bool read_bad;          /* libisofs read a block in a bad range */
	int64_t sectors;        /* of the image file, rounded up */
	enum src_stop stop;
	int64_t stop_lba;
	struct reread *seen;    /* open addressing on lba */
	size_t seen_n, seen_alloc;
};

/* How often this block was read, counting this read; 0 if out of memory. */
static uint32_t count_read(struct src_data *d, uint32_t lba)
{
	size_t i;

	if (2 * (d->seen_n + 1) > d->seen_alloc) {
		size_t na = d->seen_alloc ? 2 * d->seen_alloc : 1024;
		struct reread *nv = calloc(na, sizeof(*nv));

		if (!nv)
			return 0;
		for (size_t k = 0; k < d->seen_alloc; k++) {
			if (!d->seen[k].n)
				continue;
			for (i = d->seen[k].lba * 2654435761u & (na - 1); nv[i].n; i = (i + 1) & (na - 1))
				;
			nv[i] = d->seen[k];
		}
		free(d->seen);
		d->seen = nv;
		d->seen_alloc = na;
	}
	for (i = lba * 2654435761u & (d->seen_alloc - 1); d->seen[i].n;
	     i = (i + 1) & (d->seen_alloc - 1))
		if (d->seen[i].lba == lba)
			return ++d->seen[i].n;
	d->seen[i].lba = lba;
	d->seen[i].n = 1;
	d->seen_n++;
	return 1;
}

static bool in_ranges(const struct img_ranges *r, int64_t lba)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].lba + r->v[mid].count <= lba)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n && r->v[lo].lba <= lba;
}

static int src_open(IsoDataSource *src)
{
	((struct src_data *)src->data)->opened++;
	return ISO_SUCCESS;
}

static int src_close(IsoDataSource *src)
{
	struct src_data *d = src->data;

	if (d->opened)
		d->opened--;
	return ISO_SUCCESS;
}

static int src_read_block(IsoDataSource *src, uint32_t lba, uint8_t *buffer)
{
	struct src_data *d = src->data;
	size_t got = 0;

	if (drv_interrupted()) {
		d->stop = SRC_SIGNAL;
		return ISO_DATA_SOURCE_FATAL;
	}
	if (lba >= d->sectors) {
		d->stop = SRC_EOF;
		d->stop_lba = lba;
		return ISO_DATA_SOURCE_FATAL;
	}
	if (count_read(d, lba) > MAX_REREADS) {
		d->stop = SRC_LOOP;
		d->stop_lba = lba;
		return ISO_DATA_SOURCE_FATAL;
	}
	if (in_ranges(d->bad, lba))
		d->read_bad = true;
	while (got < SP_SECTOR) {
		ssize_t n = pread(d->fd, buffer + got, SP_SECTOR - got,
				  (off_t)lba * SP_SECTOR + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ISO_DATA_SOURCE_MISHAP;
		if (n == 0) {
			memset(buffer + got, 0, SP_SECTOR - got);
			break;
		}
		got += (size_t)n;
	}
	return ISO_SUCCESS;
}

static void src_free(IsoDataSource *src)
{
	(void)src;
}

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

enum sp_status img_iso_damaged_files(const char *path, const struct img_ranges *bad,
				     struct img_iso_damage *out, struct sp_error *err)
{
	struct src_data d = { .fd = -1, .bad = bad };
	struct stat sb;
	IsoDataSource src = { 0, 1, src_open, src_close, src_read_block, src_free, &d };
	IsoImage *image = NULL;
	IsoReadOpts *ropts = NULL;
	IsoReadImageFeatures *features = NULL;
	static char volid[] = "";
	enum sp_status st = SP_FAILED;
	int r;

	memset(out, 0, sizeof(*out));
	d.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d.fd < 0)
		return sp_error_set_errno(err, errno, "cannot open '%s'", path);
	if (fstat(d.fd, &sb) < 0) {
		sp_error_set_errno(err, errno, "cannot stat '%s'", path);
		goto out;
	}
	d.sectors = ((int64_t)sb.st_size + SP_SECTOR - 1) / SP_SECTOR;
	if (iso_image_new(volid, &image) < 0 || iso_read_opts_new(&ropts, 0) < 0) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	iso_read_opts_set_no_md5(ropts, 1);
	r = iso_image_import(image, &src, ropts, &features);
	if (r < 0) {
		drv_drain_messages(NULL);
		if (d.stop == SRC_SIGNAL)
			sp_error_set(err, SPE_ABORTED, "interrupted while reading the ISO 9660 tree of '%s'",
				     path);
		else if (d.stop == SRC_EOF)
			sp_error_set(err, SPE_FORMAT,
				     "cannot read the ISO 9660 tree of '%s': it is truncated (it ends before sector %lld, which the tree needs)",
				     path, (long long)d.stop_lba);
		else if (d.stop == SRC_LOOP)
			sp_error_set(err, SPE_FORMAT,
				     "cannot read the ISO 9660 tree of '%s': its directories loop (sector %lld)",
				     path, (long long)d.stop_lba);
		else
			sp_error_set(err, SPE_FORMAT, "cannot read the ISO 9660 tree of '%s'%s", path,
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
	close(d.fd);
	free(d.seen);
	if (st != SP_OK)
		img_iso_damage_release(out);
	return st;
}

void img_iso_damage_release(struct img_iso_damage *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->files[i].path);
	free(d->files);
	memset(d, 0, sizeof(*d));
}
