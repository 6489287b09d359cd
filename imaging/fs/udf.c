/* SPDX-License-Identifier: GPL-3.0-or-later */
/* udf.c - the UDF file tree (placeholder until the reader lands). */
#include "config.h"

#include "imaging/fs/fstree_private.h"

enum sp_status img_udf_read_tree(img_block_read_fn read, void *ctx,
				 const struct img_fs_open_opts *o,
				 struct img_fs_tree *t, struct sp_error *err)
{
	(void)read; (void)ctx; (void)t;
	return sp_error_set(err, SPE_UNSUPPORTED, "'%s': UDF is not read yet", o->name);
}
