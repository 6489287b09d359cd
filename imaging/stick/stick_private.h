/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stick_private.h - between the files of imaging/stick/ only. */
#ifndef SPINDLE_STICK_PRIVATE_H
#define SPINDLE_STICK_PRIVATE_H

#include <sys/types.h>

#include "imaging/stick/stick.h"

/* input.c: an image stream, decompressed on the fly */
struct stick_in;
enum sp_status stick_in_open(struct stick_in **out, const char *path,
			     struct sp_error *err);
enum img_stick_comp stick_in_comp(const struct stick_in *in);
/* Bytes of the decompressed image when the file says (plain file, xz
 * index), else -1; the file's own size in *file_size (-1 for a pipe). */
int64_t stick_in_size(const struct stick_in *in, int64_t *file_size);
/* Fill buf with up to len bytes; fewer only at the end.  -1 on error. */
ssize_t stick_in_read(struct stick_in *in, void *buf, size_t len,
		      struct sp_error *err);
/* A plain image in a regular file: the whole file mapped read-only (kept
 * until stick_in_close), its length in *len; else NULL (compressed, a
 * pipe, or mmap failed), and the caller reads with stick_in_read. */
const uint8_t *stick_in_map(struct stick_in *in, size_t *len);
void stick_in_close(struct stick_in *in);

/* The head kept for boot detection and written first. */
#define STICK_HEAD (4u << 20)

struct img_stick {
	struct stick_in *in;
	char name[1024];
	uint8_t *head;          /* STICK_HEAD bytes, aligned */
	size_t head_len;
	bool head_eof;          /* the whole image fitted in the head */
	struct img_bmap bmap;
	struct img_stick_info info;
};

#endif
