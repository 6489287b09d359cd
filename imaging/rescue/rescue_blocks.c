/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rescue_blocks.c - a rescue as a source of blocks, for extracting files
 * from a damaged disc: the file-system structures are read one block at a
 * time through the rescue (from its image when the mapfile says the block
 * was rescued before, else from the drive, kept and marked); then the
 * passes run over a domain, the blocks of the files wanted, and nothing
 * else; then the files are read from the image, where a block the map
 * does not mark '+' is unreadable.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imaging/rescue/rescue_private.h"

static int by_lba(const void *a, const void *b)
{
	const struct img_range *x = a, *y = b;

	return x->lba < y->lba ? -1 : x->lba > y->lba;
}

enum sp_status img_rescue_set_domain(struct img_rescue *r, const struct img_ranges *domain,
				     struct sp_error *err)
{
	struct img_range *v = NULL;
	size_t n = 0;

	img_ranges_release(&r->domain);
	img_ranges_release(&r->order);
	r->has_domain = true;
	if (domain->n && !(v = malloc(domain->n * sizeof(*v))))
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	for (size_t i = 0; i < domain->n; i++) {
		int64_t s = domain->v[i].lba, e = s + domain->v[i].count;

		if (s < 0)
			s = 0;
		if (e > r->extent)
			e = r->extent;
		if (e <= s)
			continue;
		v[n++] = (struct img_range){ s, e - s };
		if (img_ranges_add(&r->order, s, e - s) != SP_OK) {
			free(v);
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), by_lba);
	for (size_t i = 0; i < n; i++) {
		struct img_range *last = r->domain.n ? &r->domain.v[r->domain.n - 1] : NULL;

		if (last && v[i].lba <= last->lba + last->count) {
			if (v[i].lba + v[i].count > last->lba + last->count)
				last->count = v[i].lba + v[i].count - last->lba;
		} else if (img_ranges_add(&r->domain, v[i].lba, v[i].count) != SP_OK) {
			free(v);
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		}
	}
	free(v);
	/* what the structures' reads rescued is safe before the passes start */
	return rescue_save(r, err);
}

static bool rescued(const struct img_rescue *r, int64_t lba)
{
	size_t i = img_mapfile_find(&r->map, S2B(lba));

	return i < r->map.n && r->map.v[i].status == '+' &&
	       r->map.v[i].pos + r->map.v[i].size >= S2B(lba + 1);
}

static bool from_image(const struct img_rescue *r, int64_t lba, uint32_t n, unsigned char *buf)
{
	size_t want = (size_t)S2B(n), got = 0;

	while (got < want) {
		ssize_t k = pread(r->out_fd, buf + got, want - got, S2B(lba) + (off_t)got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		got += (size_t)k;
	}
	return true;
}

bool img_rescue_block(void *ctx, int64_t lba, unsigned char *buf)
{
	struct img_rescue *r = ctx;

	if (lba < 0 || lba >= r->extent)
		return false;
	if (rescued(r, lba))
		return from_image(r, lba, 1, buf);
	for (unsigned t = 0; t <= r->o.retries; t++) {
		enum read_result rr = rescue_read(r, lba, 1);

		if (rr == READ_OK) {
			memcpy(buf, r->buf, SP_SECTOR);
			return true;
		}
		if (rr == READ_STOP)
			return false;
	}
	if (img_mapfile_mark(&r->map, S2B(lba), S2B(1), '-', IMG_MARK_KEEP_FINISHED) != SP_OK) {
		sp_error_set(&r->fatal, SPE_NOMEM, "out of memory");
		r->failed = true;
	}
	return false;
}

bool img_rescue_rescued_block(void *ctx, int64_t lba, unsigned char *buf)
{
	struct img_rescue *r = ctx;

	return lba >= 0 && lba < r->extent && rescued(r, lba) && from_image(r, lba, 1, buf);
}

uint32_t img_rescue_rescued_run(void *ctx, int64_t lba, uint32_t n, unsigned char *buf)
{
	struct img_rescue *r = ctx;
	uint32_t k = 0;

	while (k < n && lba + k >= 0 && lba + k < r->extent && rescued(r, lba + k))
		k++;
	return k && from_image(r, lba, k, buf) ? k : 0;
}

int64_t img_rescue_sectors(const struct img_rescue *r)
{
	return r->extent;
}
