/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mdx_data.c - compressed track data of MDS v2 / MDX images (libmirage's
 * MDX notes): a track part is cut into groups of N sectors; a table of
 * one little-endian 16-bit word per group, itself zlib-compressed, says
 * how each is kept:
 *
 *   0            stored: N whole sectors follow
 *   0x8000 | b   not stored: every byte of the group is b
 *   other        that many bytes of raw deflate (no zlib header)
 *
 * Stored and deflated groups follow each other from the part's start; the
 * table lies table_off bytes after it.  The groups become one byte source
 * of plain sectors, which the disc model reads like a file.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "imaging/disc/disc_private.h"

/* A group decodes into memory whole: no more than this. */
#define GROUP_MAX (16u << 20)

struct groups {
	struct img_bytes *src;      /* not owned: another file of the disc */
	uint64_t base, sectors;
	uint32_t size, group, n;
	uint16_t *word;             /* n table words */
	uint64_t *off;              /* n data offsets from base */
	pthread_mutex_t lock;       /* the cache and the inflater */
	int64_t cached;             /* the group in cache, -1 none */
	uint8_t *cache, *packed;
	z_stream z;
};

static void groups_close(void *ctx)
{
	struct groups *g = ctx;

	inflateEnd(&g->z);
	pthread_mutex_destroy(&g->lock);
	free(g->word);
	free(g->off);
	free(g->cache);
	free(g->packed);
	free(g);
}

/* Decode group i into g->cache. */
static enum sp_status load(struct groups *g, uint32_t i, struct sp_error *err)
{
	uint64_t first = (uint64_t)i * g->group;
	size_t bytes = (size_t)((g->sectors - first < g->group ? g->sectors - first : g->group) *
				g->size);
	uint16_t w = g->word[i];
	int rc;

	if (g->cached == i)
		return SP_OK;
	g->cached = -1;
	if (w == 0)
		return img_bytes_read(g->src, g->base + g->off[i], g->cache, bytes, err);
	if (w & 0x8000) {
		memset(g->cache, w & 0xff, bytes);
		g->cached = i;
		return SP_OK;
	}
	if (img_bytes_read(g->src, g->base + g->off[i], g->packed, w, err) != SP_OK)
		return SP_FAILED;
	inflateReset(&g->z);
	g->z.next_in = g->packed;
	g->z.avail_in = w;
	g->z.next_out = g->cache;
	g->z.avail_out = (uInt)bytes;
	rc = inflate(&g->z, Z_FINISH);
	if (rc != Z_STREAM_END || g->z.total_out != bytes)
		return sp_error_set(err, SPE_FORMAT, "malformed MDS v2 image '%s' at byte %llu: "
				    "sector group %u does not inflate to %zu bytes", g->src->name,
				    (unsigned long long)(g->base + g->off[i]), i, bytes);
	g->cached = i;
	return SP_OK;
}

static enum sp_status groups_read_at(void *ctx, uint64_t off, void *buf, size_t len,
				     struct sp_error *err)
{
	struct groups *g = ctx;
	uint64_t gbytes = (uint64_t)g->group * g->size;
	uint8_t *p = buf;
	enum sp_status st = SP_OK;

	pthread_mutex_lock(&g->lock);
	while (len && st == SP_OK) {
		uint32_t i = (uint32_t)(off / gbytes);
		size_t in = (size_t)(off % gbytes), n;

		if (g->word[i] == 0) {  /* stored: straight from the file */
			uint64_t left = gbytes - in;

			n = len < left ? len : (size_t)left;
			st = img_bytes_read(g->src, g->base + g->off[i] + in, p, n, err);
		} else if ((st = load(g, i, err)) == SP_OK) {
			n = len < gbytes - in ? len : (size_t)(gbytes - in);
			memcpy(p, g->cache + in, n);
		} else {
			break;
		}
		p += n;
		off += n;
		len -= n;
	}
	pthread_mutex_unlock(&g->lock);
	return st;
}

static const struct img_bytes_ops groups_ops = { groups_read_at, groups_close };

/* Read and inflate the table; fill word[] and off[]. */
static enum sp_status read_table(struct groups *g, uint64_t table_off, struct sp_error *err)
{
	uint64_t at = g->base + table_off, avail, pos = 0;
	size_t want = ((size_t)g->n + 0x800) * 2;
	uint8_t *z = NULL;
	z_stream s;
	int rc;

	if (at > g->src->size)
		return sp_error_set(err, SPE_FORMAT, "malformed MDS v2 image '%s': its table of "
				    "sector groups at byte %llu lies past the end", g->src->name,
				    (unsigned long long)at);
	avail = g->src->size - at;
	if (want > avail)
		want = (size_t)avail;
	if (!(z = malloc(want ? want : 1)))
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (img_bytes_read(g->src, at, z, want, err) != SP_OK) {
		free(z);
		return SP_FAILED;
	}
	memset(&s, 0, sizeof(s));
	if (inflateInit(&s) != Z_OK) {
		free(z);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	s.next_in = z;
	s.avail_in = (uInt)want;
	s.next_out = (uint8_t *)g->word;
	s.avail_out = g->n * 2;
	rc = inflate(&s, Z_FINISH);
	inflateEnd(&s);
	free(z);
	if (rc != Z_STREAM_END || s.total_out != g->n * 2u)
		return sp_error_set(err, SPE_FORMAT, "malformed MDS v2 image '%s' at byte %llu: "
				    "the table of %u sector groups does not inflate",
				    g->src->name, (unsigned long long)at, g->n);
	for (uint32_t i = 0; i < g->n; i++) {
		uint16_t w = (uint16_t)disc_le16((uint8_t *)&g->word[i]);
		uint64_t len = w == 0 ? (uint64_t)g->group * g->size : w & 0x8000 ? 0 : w;

		g->word[i] = w;
		g->off[i] = pos;
		if (g->base + pos + len > g->src->size)
			return sp_error_set(err, SPE_FORMAT, "malformed MDS v2 image '%s': sector "
					    "group %u at byte %llu runs past its end (%llu bytes)",
					    g->src->name, i,
					    (unsigned long long)(g->base + pos),
					    (unsigned long long)g->src->size);
		pos += len;
	}
	return SP_OK;
}

int disc_mdx_groups(struct img_disc *d, struct img_bytes *src, uint64_t base,
		    uint64_t sectors, uint32_t size, uint32_t group, uint64_t table_off,
		    struct sp_error *err)
{
	struct groups *g;
	struct img_bytes *b;
	uint64_t n;

	if (!group || (uint64_t)group * size > GROUP_MAX || !sectors ||
	    sectors > DISC_MAX_SECTORS || base > src->size) {
		sp_error_set(err, SPE_FORMAT, "malformed MDS v2 image '%s': %llu sectors in "
			     "groups of %u at byte %llu", src->name, (unsigned long long)sectors,
			     group, (unsigned long long)base);
		return -1;
	}
	n = (sectors + group - 1) / group;
	/* deflate packs at most about 1032:1: a table too short for n words */
	if (base + table_off < base || base + table_off >= src->size ||
	    n * 2 / 1032 > src->size - base - table_off) {
		sp_error_set(err, SPE_FORMAT, "malformed MDS v2 image '%s': no table of %llu "
			     "sector groups at byte %llu", src->name, (unsigned long long)n,
			     (unsigned long long)(base + table_off));
		return -1;
	}
	if (!(g = calloc(1, sizeof(*g)))) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		return -1;
	}
	g->src = src;
	g->base = base;
	g->sectors = sectors;
	g->size = size;
	g->group = group;
	g->n = (uint32_t)n;
	g->cached = -1;
	pthread_mutex_init(&g->lock, NULL);
	if (inflateInit2(&g->z, -15) != Z_OK) {
		pthread_mutex_destroy(&g->lock);
		free(g);
		sp_error_set(err, SPE_NOMEM, "out of memory");
		return -1;
	}
	g->word = calloc((size_t)n, sizeof(*g->word));
	g->off = calloc((size_t)n, sizeof(*g->off));
	g->cache = malloc((size_t)group * size);
	g->packed = malloc(0x8000);
	if (!g->word || !g->off || !g->cache || !g->packed) {
		groups_close(g);
		sp_error_set(err, SPE_NOMEM, "out of memory");
		return -1;
	}
	if (read_table(g, table_off, err) != SP_OK) {
		groups_close(g);
		return -1;
	}
	if (img_bytes_new(&b, &groups_ops, g, sectors * size, src->name, err) != SP_OK)
		return -1;
	return disc_add_file(d, b, err);
}
