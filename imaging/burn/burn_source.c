/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * burn_source.c - img_burn_source_new(): a libburn burn_source (refcount 1,
 * version 1: read_xt and cancel) over a caller's data and calls.  Every
 * source of spindle's own is made here: the cancellable pipe (source.c),
 * the data track of an image and each track of a disc image
 * (imaging/disc).  It calls nothing of theirs, so they can all use it.
 */
#include "config.h"

#include <stdlib.h>

#include <libburn/libburn.h>

#include "imaging/burn/burn.h"

/* A size the source keeps to itself (libburn asks when a track is padded
 * or cut; the source's get_size stays what it delivers). */
static int keep_size(struct burn_source *bs, off_t size)
{
	(void)bs;
	(void)size;
	return 1;
}

struct burn_source *img_burn_source_new(void *data, const struct img_burn_source_ops *ops)
{
	struct burn_source *bs = calloc(1, sizeof(*bs));

	if (!bs)
		return NULL;
	bs->refcount = 1;
	bs->read = NULL;                /* version 1: read_xt and cancel */
	bs->version = 1;
	bs->read_xt = ops->read;
	bs->cancel = ops->cancel;
	bs->get_size = ops->get_size;
	bs->set_size = ops->set_size ? ops->set_size : keep_size;
	bs->free_data = ops->free_data;
	bs->data = data;
	return bs;
}
