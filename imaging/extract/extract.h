/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * extract.h - files out of an image or a disc: the tree read by fs/
 * (img_fs_read_tree()) written under a directory, safely.
 *
 * Nothing is ever written outside the directory: every path is walked
 * from the directory's descriptor with openat(O_NOFOLLOW), so a symlink
 * extracted earlier cannot lead a later file elsewhere; names that are
 * ".", "..", empty or hold '/' are refused, control characters renamed to
 * '_'.  A file is written as NAME.spindle-tmp and renamed into place when
 * whole, so a full disk never leaves a half file under its final name;
 * an existing NAME is kept unless force, or unless it holds the same bytes
 * (then it is left as it is and counts as extracted), or has a NAME.damaged
 * note beside it (an earlier extraction's damaged copy: replaced, and the
 * note removed when the file comes out whole).
 */
#ifndef SPINDLE_IMAGING_EXTRACT_H
#define SPINDLE_IMAGING_EXTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"
#include "imaging/base/base.h"
#include "imaging/fs/fs.h"

enum img_extract_state {
	IMG_X_OK,
	IMG_X_RENAMED,          /* written under a safe name (out) */
	IMG_X_DAMAGED,          /* written; bad holds the unreadable byte ranges */
	IMG_X_SKIPPED,          /* damaged and skip_damaged: not written */
	IMG_X_REFUSED,          /* unsafe name or path: not written */
	IMG_X_EXISTS,           /* the target exists and force was not given */
	IMG_X_FAILED,           /* could not be written (why) */
};
const char *img_extract_state_name(enum img_extract_state s);

/* One node's outcome. */
struct img_extract_file {
	const struct img_fs_node *node;
	const char *out;        /* path written, relative to the directory */
	enum img_extract_state state;
	const char *why;        /* for renamed, refused, failed: a phrase */
	const struct img_ranges *bad; /* damaged: bad ranges, in 2048-byte units of the file */
};

struct img_extract_opts {
	const char *dir;                /* created if missing */
	bool force;
	bool skip_damaged;
	const char *const *paths;       /* what to extract; n_paths 0: all */
	size_t n_paths;
	void (*on_file)(const struct img_extract_file *f, void *cb);
	void (*progress)(uint64_t done, uint64_t total, void *cb);
	void *cb;
	/* optional: read n (<= 32) blocks at once from read's ctx; returns how
	 * many leading blocks were read.  A short run is read again block by
	 * block, so one bad block costs one command more than it must. */
	uint32_t (*read_run)(void *ctx, int64_t lba, uint32_t n, unsigned char *buf);
};

struct img_extract_summary {
	uint64_t files, dirs, symlinks, hardlinks, bytes;
	uint64_t renamed, damaged, skipped, refused, exists, failed;
	uint64_t blocks_read;
};

/*
 * Mark in sel[] (t->n entries) the nodes named by paths ("/a/b" or "a/b";
 * a directory brings its subtree) and their ancestors.  SP_FAILED with
 * SPE_NOENT naming the first path not in the tree.
 */
enum sp_status img_extract_select(const struct img_fs_tree *t, const char *const *paths,
				  size_t n, bool *sel, struct sp_error *err);

/* The blocks of the files marked in sel (NULL: all), in path order, added
 * to out: what a rescue must read for them (hard links once). */
enum sp_status img_extract_domain(const struct img_fs_tree *t, const bool *sel,
				  struct img_ranges *out, struct sp_error *err);

/* Write the tree (or opts->paths of it) under opts->dir; the file data
 * read through read.  SP_FAILED only for what stops it all (the
 * directory, a full disk: SPE_NOSPACE); each file's fate goes to on_file
 * and the summary. */
enum sp_status img_extract(img_block_read_fn read, void *ctx, const struct img_fs_tree *t,
			   const struct img_extract_opts *opts,
			   struct img_extract_summary *sum, struct sp_error *err);

#endif
