/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * stick.c - an image about to go onto a stick: its stream opened, its
 * first MiB read and looked at (boot.c), its bmap loaded and checked
 * against it.  write.c writes it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/stick/stick_private.h"

const char *img_stick_phase_name(enum img_stick_phase p)
{
	static const char *const n[] = { "writing", "syncing", "verifying", "done" };

	return (unsigned)p < sizeof(n) / sizeof(n[0]) ? n[p] : "?";
}

/* Bytes of the image that a bmap maps (its last block may be short). */
static uint64_t mapped_bytes(const struct img_bmap *b)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < b->n; i++) {
		uint64_t a = b->r[i].first * b->block_size;
		uint64_t e = (b->r[i].last + 1) * b->block_size;

		sum += (e > b->image_size ? b->image_size : e) - a;
	}
	return sum;
}

enum sp_status img_stick_open(struct img_stick **out, const char *image,
			      const char *bmap, struct sp_error *err)
{
	struct img_stick *s = calloc(1, sizeof(*s));
	ssize_t n;

	*out = NULL;
	if (!s || posix_memalign((void **)&s->head, 4096, STICK_HEAD) != 0) {
		free(s);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	snprintf(s->name, sizeof(s->name), "%s", strcmp(image, "-") ? image : "standard input");
	if (stick_in_open(&s->in, image, err) != SP_OK)
		goto fail;
	s->info.comp = stick_in_comp(s->in);
	s->info.size = stick_in_size(s->in, &s->info.file_size);
	if ((n = stick_in_read(s->in, s->head, STICK_HEAD, err)) < 0)
		goto fail;
	s->head_len = (size_t)n;
	s->head_eof = s->head_len < STICK_HEAD;
	if (s->head_eof)
		s->info.size = (int64_t)s->head_len;
	if (s->head_len == 0) {
		sp_error_set(err, SPE_FORMAT, "'%s' is empty", s->name);
		goto fail;
	}
	img_boot_inspect(s->head, s->head_len, &s->info.boot);
	if (bmap) {
		if (img_bmap_load(&s->bmap, bmap, err) != SP_OK)
			goto fail;
		if (s->info.size >= 0 && (uint64_t)s->info.size != s->bmap.image_size) {
			sp_error_set(err, SPE_FORMAT, "the bmap file '%s' is for an image of %llu "
				     "bytes, '%s' has %lld", bmap,
				     (unsigned long long)s->bmap.image_size, s->name,
				     (long long)s->info.size);
			sp_error_hint(err, "give the .bmap that was made for this image");
			goto fail;
		}
		s->info.size = (int64_t)s->bmap.image_size;
		s->info.has_bmap = true;
		s->info.mapped_bytes = mapped_bytes(&s->bmap);
	}
	*out = s;
	return SP_OK;
fail:
	img_stick_free(s);
	return SP_FAILED;
}

const struct img_stick_info *img_stick_info(const struct img_stick *s)
{
	return &s->info;
}

void img_stick_free(struct img_stick *s)
{
	if (!s)
		return;
	stick_in_close(s->in);
	img_bmap_release(&s->bmap);
	free(s->head);
	free(s);
}
