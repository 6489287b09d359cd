/* SPDX-License-Identifier: GPL-3.0-or-later */
/* master_private.h - shared between master.c and master_tree.c only. */
#ifndef SPINDLE_MASTER_PRIVATE_H
#define SPINDLE_MASTER_PRIVATE_H

/* libburn.h before libisofs.h: libisofs then declares its burn_source calls */
#include <libburn/libburn.h>
#include <libisofs/libisofs.h>

#include <pthread.h>
#include <sys/stat.h>

#include "imaging/master/master.h"

struct img_master {
	struct img_master_opts o;
	IsoImage *image;
	struct img_master_stats st;
	time_t newest_mtime;
	bool root_from_source;  /* root has a source directory's attributes */
	double t0;
	double last_progress;
	/* directories made for graft targets, with no source of their own */
	IsoNode **made_dirs;
	size_t n_made, alloc_made;
	/* trouble reading file content while writing (master_stream.c) */
	pthread_mutex_t stream_lock;
	unsigned stream_failures;
	char stream_error[600];
	/* (dev, ino) of files with more than one link, to count hard links,
	 * and the stream id each was given */
	struct { dev_t dev; ino_t ino; uint64_t id; } *links;
	size_t n_links, alloc_links;
	uint64_t last_id;       /* stream ids are handed out in walk order */
};

/* master_tree.c: add every graft point of m->o to m->image. */
enum sp_status img_master_walk(struct img_master *m, struct sp_error *err);

/* master_stream.c: the content of regular file path (st as walked), read
 * in large pieces; shown is the path for messages.  id is the stream's
 * identity for libisofs: equal for hard links, else unique. */
enum sp_status img_master_stream_new(struct img_master *m, const char *path,
				      const char *shown, const struct stat *st,
				      uint64_t id, IsoStream **out,
				      struct sp_error *err);

#endif
