/* SPDX-License-Identifier: GPL-3.0-or-later */
/* isofiles_private.h - the damaged-files listing over any block reader. */
#ifndef SPINDLE_ISOFILES_PRIVATE_H
#define SPINDLE_ISOFILES_PRIVATE_H

#include "imaging/fs/fs.h"

/*
 * img_iso_damaged_files() on an image of `sectors` blocks read through
 * read(ctx, ...) (a file for spindle, memory for tests/fuzz/fuzz_iso.c);
 * name is used in messages only.
 */
enum sp_status isofiles_damaged(img_block_read_fn read, void *ctx, int64_t sectors,
				const char *name, const struct img_ranges *bad,
				struct img_iso_damage *out, struct sp_error *err);

#endif
