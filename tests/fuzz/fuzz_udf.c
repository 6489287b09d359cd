/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_udf.c - the file trees spindle ls and extract read, on an image in
 * memory (the input format of fuzz_iso.c, tests/fuzz/fuzz_image.h):
 *
 *   byte 0 even   spindle's UDF reader alone (img_udf_read_tree())
 *   byte 0 odd    the tree as ls picks it (img_fs_read_tree(): sessions,
 *                 ISO 9660 through libisofs under the read guard, or UDF),
 *                 session byte 1 % 4
 *
 * The tree must be well formed (a directory before its children, paths
 * that start with '/', hard links to earlier files) and the reading bounded.
 * Seeds in tests/fuzz/corpus/fuzz_udf: genisoimage -udf and mkudffs images
 * made with tests/fuzz/iso2fuzz.sh; mkudffs-201-sparable is a sparable
 * partition (mkudffs --media-type=cdrw, 4,000 blocks) whose file set
 * descriptor's packet tests/disc/udfspare.py moved to the spare area, cut
 * below 1,024 sectors by tests/fuzz/udf_sparable_small.py:
 *   python3 tests/disc/udfspare.py s.img
 *   python3 tests/fuzz/udf_sparable_small.py s.img small.img
 *   sh tests/fuzz/iso2fuzz.sh 0 0 small.img mkudffs-201-sparable 1000
 */
#include "config.h"

#include "imaging/fs/fs.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_image.h"

static void check_tree(const struct img_fs_tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct img_fs_node *n = &t->v[i];
		uint64_t bytes = 0;

		fuzz_assert(n->path && n->path[0] == '/' && n->name);
		fuzz_assert(i == 0 || n->parent < i);
		fuzz_assert(i == 0 || t->v[n->parent].type == IMG_NODE_DIR);
		fuzz_assert(n->link_of < (int64_t)i);
		fuzz_assert(n->type != IMG_NODE_SYMLINK || n->target);
		for (size_t e = 0; e < n->n_ext; e++)
			bytes += n->ext[e].bytes;
		fuzz_assert(n->type != IMG_NODE_FILE || n->data || bytes <= n->size ||
			    t->kind != IMG_FS_UDF);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct image im;
	struct sp_error err = SP_ERROR_INIT;
	struct img_fs_tree t;
	struct img_fs_open_opts o = { .name = "fuzz.img" };
	enum sp_status st;

	if (!ready) {
		if (drv_lib_init(&err) != SP_OK)
			abort();
		ready = true;
	}
	if (size < 4)
		return 0;
	im = (struct image){ data + 4, size - 4, (data[2] | data[3] << 8) % MAX_SECTORS, 0 };
	o.sectors = im.sectors;
	memset(&t, 0, sizeof(t));
	if (data[0] % 2 == 0) {
		o.fs = IMG_FS_UDF;
		st = img_udf_read_tree(mem_read, &im, &o, &t, &err);
	} else {
		o.session = data[1] % 4;
		st = img_fs_read_tree(mem_read, &im, &o, &t, &err);
	}
	if (st != SP_OK)
		fuzz_assert(err.code != SPE_NONE && err.msg[0]);
	else
		check_tree(&t);
	img_fs_tree_release(&t);
	return 0;
}
