/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * dmg.c - Apple UDIF disk images (.dmg): a 512-byte "koly" trailer points
 * at an XML property list whose resource-fork/blkx array holds one "mish"
 * block table per partition (base64).  Each table lists runs of 512-byte
 * sectors stored raw, zero-filled, or compressed with zlib, bzip2 or ADC
 * (Apple Data Compression, decoded here).  Written from the published
 * layout (libmirage's filter-dmg notes, dmg2img's README).
 *
 * Runs are sorted by sector; overlapping runs (or a run listed twice, the
 * way a loop would show) are refused, gaps read as zeros.  Raw and zero
 * runs are cut into 1 MiB chunks so that any run fits the decode pool.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imaging/container/container_private.h"

#define KOLY            512
#define SECTOR          512
#define SPLIT           (1u << 20)      /* raw/zero chunk size */
#define MAX_CHUNKS      (4u << 20)
#define MAX_PLIST       (64u << 20)

enum { DMG_ZERO = 0, DMG_RAW = 1, DMG_IGNORE = 2, DMG_ADC = 0x80000004u,
       DMG_ZLIB = 0x80000005u, DMG_BZIP2 = 0x80000006u, DMG_LZFSE = 0x80000007u,
       DMG_LZMA = 0x80000008u, DMG_COMMENT = 0x7ffffffeu, DMG_END = 0xffffffffu };

struct run {
	uint32_t type;
	uint64_t sector, count;         /* in 512-byte sectors */
	uint64_t off, len;              /* compressed bytes in the file */
	uint64_t table_at;              /* where the entry was, for errors */
};

struct dmg {
	struct run *chunk;              /* one per chunk; raw chunks have off
					   advanced to the piece they cover */
};

static int dmg_probe(const uint8_t *head, size_t hlen, const uint8_t *tail,
		     size_t tlen, uint64_t fsize)
{
	(void)fsize;
	if (hlen >= 8 && (memcmp(head, "encrcdsa", 8) == 0 ||
			  memcmp(head, "cdsaencr", 8) == 0))
		return 50;
	if (tlen < KOLY || memcmp(tail + tlen - KOLY, "koly", 4) != 0)
		return 0;
	return ctr_be32(tail + tlen - KOLY + 8) == KOLY ? 100 : 40;
}

/* ---- ADC: literal runs and back references into the output ---- */
static int adc_decode(const uint8_t *in, size_t inlen, uint8_t *out,
		      size_t outlen)
{
	size_t i = 0, o = 0;

	while (o < outlen) {
		size_t len, dist;
		uint8_t b;

		if (i >= inlen)
			return -1;
		b = in[i++];
		if (b & 0x80) {                         /* literal run */
			len = (size_t)(b & 0x7f) + 1;
			if (len > inlen - i || len > outlen - o)
				return -1;
			memcpy(out + o, in + i, len);
			i += len, o += len;
			continue;
		}
		if (b & 0x40) {                         /* 3-byte code */
			if (inlen - i < 2)
				return -1;
			len = (size_t)(b & 0x3f) + 4;
			dist = ((size_t)in[i] << 8 | in[i + 1]) + 1;
			i += 2;
		} else {                                /* 2-byte code */
			if (inlen - i < 1)
				return -1;
			len = (size_t)((b & 0x3c) >> 2) + 3;
			dist = ((size_t)(b & 3) << 8 | in[i]) + 1;
			i += 1;
		}
		if (dist > o || len > outlen - o)
			return -1;
		for (size_t k = 0; k < len; k++, o++)   /* may overlap */
			out[o] = out[o - dist];
	}
	return 0;
}

/* ---- the property list ---- */

static int b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* Decode base64 in place; whitespace skipped, stops at '=' or '<'. */
static size_t b64_decode(const char *s, const char *end, uint8_t *out)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	for (; s < end && *s != '=' && *s != '<'; s++) {
		int v = b64val((unsigned char)*s);

		if (v < 0)
			continue;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return n;
}

static const char *find(const char *s, const char *end, const char *what)
{
	size_t n = strlen(what);

	for (; s && (size_t)(end - s) >= n; s++) {
		s = memchr(s, what[0], (size_t)(end - s));
		if (!s || (size_t)(end - s) < n)
			return NULL;
		if (memcmp(s, what, n) == 0)
			return s;
	}
	return NULL;
}

static enum sp_status add_run(struct img_container *c, struct run **runs,
			      size_t *n, size_t *alloc, const struct run *r,
			      struct sp_error *err)
{
	if (*n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 64;
		struct run *nr;

		if (na > MAX_CHUNKS)
			return ctr_bad(c, err, r->table_at, "more than %u runs",
				       MAX_CHUNKS);
		nr = realloc(*runs, na * sizeof(*nr));
		if (!nr)
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		*runs = nr;
		*alloc = na;
	}
	(*runs)[(*n)++] = *r;
	return SP_OK;
}

/* One mish table (decoded from base64) into runs. */
static enum sp_status parse_mish(struct img_container *c, const uint8_t *m,
				 size_t len, uint64_t data_fork, uint64_t at,
				 struct run **runs, size_t *n, size_t *alloc,
				 struct sp_error *err)
{
	uint64_t first, count, data_off, fsize = c->parts[0].size;
	uint32_t nchunks;

	if (len < 204 || memcmp(m, "mish", 4) != 0)
		return ctr_bad(c, err, at, "a blkx entry is not a mish block table");
	first = ctr_be64(m + 8);
	count = ctr_be64(m + 16);
	data_off = ctr_be64(m + 24);
	nchunks = ctr_be32(m + 200);
	if (nchunks > (len - 204) / 40)
		return ctr_bad(c, err, at, "a mish table lists %u chunks but holds "
			       "%zu", nchunks, (len - 204) / 40);
	for (uint32_t i = 0; i < nchunks; i++) {
		const uint8_t *e = m + 204 + 40 * (size_t)i;
		struct run r;

		r.type = ctr_be32(e);
		r.sector = ctr_be64(e + 8);
		r.count = ctr_be64(e + 16);
		r.off = ctr_be64(e + 24);
		r.len = ctr_be64(e + 32);
		r.table_at = at;
		if (r.type == DMG_COMMENT)
			continue;
		if (r.type == DMG_END)
			break;
		if (r.sector > count || r.count > count - r.sector ||
		    first > (UINT64_MAX >> 10) || count > (UINT64_MAX >> 10))
			return ctr_bad(c, err, at, "chunk %u (sectors %llu+%llu) lies "
				       "outside its partition of %llu sectors", i,
				       (unsigned long long)r.sector,
				       (unsigned long long)r.count,
				       (unsigned long long)count);
		r.sector += first;
		if (r.count == 0)
			continue;
		switch (r.type) {
		case DMG_ZERO: case DMG_IGNORE:
			break;
		case DMG_RAW:
			if (r.len < r.count * SECTOR)
				return ctr_bad(c, err, at, "raw chunk %u is shorter than "
					       "its sectors", i);
			/* fall through */
		case DMG_ADC: case DMG_ZLIB: case DMG_BZIP2:
			if (r.type != DMG_RAW && r.count * SECTOR > CTR_MAX_CHUNK)
				return ctr_bad(c, err, at, "compressed chunk %u of %llu "
					       "sectors is too large", i,
					       (unsigned long long)r.count);
			if (data_off > fsize || r.off > fsize || data_fork > fsize ||
			    data_fork + data_off + r.off > fsize ||
			    r.len > fsize - (data_fork + data_off + r.off))
				return ctr_bad(c, err, data_fork + data_off + r.off,
					       "chunk %u (%llu bytes) lies past the end "
					       "of the file", i, (unsigned long long)r.len);
			if (r.len > CTR_MAX_CHUNK && r.type != DMG_RAW)
				return ctr_bad(c, err, at, "chunk %u is too large", i);
			r.off += data_fork + data_off;
			break;
		case DMG_LZFSE: case DMG_LZMA:
			return sp_error_set(err, SPE_UNSUPPORTED, "'%s' uses %s chunks, "
					    "which spindle cannot decompress yet", c->path,
					    r.type == DMG_LZFSE ? "LZFSE" : "LZMA");
		default:
			return ctr_bad(c, err, at, "chunk %u has an unknown type 0x%08x",
				       i, r.type);
		}
		if (add_run(c, runs, n, alloc, &r, err) != SP_OK)
			return SP_FAILED;
	}
	return SP_OK;
}

static int cmp_run(const void *a, const void *b)
{
	const struct run *x = a, *y = b;

	return x->sector < y->sector ? -1 : x->sector > y->sector;
}

static enum sp_status read_plist(struct img_container *c, uint64_t xoff,
				 uint64_t xlen, uint64_t data_fork,
				 struct run **runs, size_t *n, struct sp_error *err)
{
	char *x = NULL;
	uint8_t *m = NULL;
	const char *p, *end, *a;
	size_t alloc = 0;
	enum sp_status st = SP_FAILED;

	if (xlen == 0 || xlen > MAX_PLIST)
		return ctr_bad(c, err, c->parts[0].size - KOLY + 216, "a property list "
			       "of %llu bytes", (unsigned long long)xlen);
	x = malloc(xlen + 1);
	m = malloc(xlen);
	if (!x || !m) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	if (ctr_pread(c, 0, x, xlen, xoff, "the property list", err) != SP_OK)
		goto out;
	x[xlen] = 0;
	end = x + xlen;
	p = find(x, end, "<key>blkx</key>");
	a = p ? find(p, end, "<array>") : NULL;
	end = a ? find(a, end, "</array>") : NULL;
	if (!end) {
		ctr_bad(c, err, xoff, "the property list has no blkx array");
		goto out;
	}
	for (p = a; (p = find(p, end, "<data>")) != NULL; ) {
		const char *q = find(p, end, "</data>");
		size_t len;

		if (!q) {
			ctr_bad(c, err, xoff + (uint64_t)(p - x), "unterminated <data>");
			goto out;
		}
		len = b64_decode(p + 6, q, m);
		if (parse_mish(c, m, len, data_fork, xoff + (uint64_t)(p - x), runs, n,
			       &alloc, err) != SP_OK)
			goto out;
		p = q;
	}
	st = SP_OK;
out:
	free(x);
	free(m);
	return st;
}

/* Sorted runs, gaps as zeros, raw and zero runs cut: the chunk list. */
static enum sp_status build_chunks(struct img_container *c, struct dmg *d,
				   struct run *runs, size_t n, uint64_t sectors,
				   struct sp_error *err)
{
	uint64_t pos = 0, nchunks = 0, k = 0;
	uint32_t per = SPLIT / SECTOR;

	if (n > 1)	/* no runs: runs may be NULL, which qsort must not get */
		qsort(runs, n, sizeof(*runs), cmp_run);
	for (size_t i = 0; i < n; i++) {        /* count first */
		if (runs[i].sector < pos)
			return ctr_bad(c, err, runs[i].table_at, "two chunks claim "
				       "sector %llu (overlapping or repeated runs)",
				       (unsigned long long)runs[i].sector);
		if (runs[i].sector > pos)
			nchunks += (runs[i].sector - pos + per - 1) / per;
		nchunks += runs[i].type == DMG_RAW || runs[i].type == DMG_ZERO ||
			runs[i].type == DMG_IGNORE ? (runs[i].count + per - 1) / per : 1;
		pos = runs[i].sector + runs[i].count;
		if (nchunks > MAX_CHUNKS)
			return ctr_bad(c, err, runs[i].table_at, "more than %u chunks",
				       MAX_CHUNKS);
	}
	if (sectors < pos)
		sectors = pos;
	if (sectors > pos)
		nchunks += (sectors - pos + per - 1) / per;
	if (nchunks > MAX_CHUNKS || sectors > (UINT64_MAX >> 10))
		return ctr_bad(c, err, c->parts[0].size - KOLY + 492, "an image of %llu "
			       "sectors", (unsigned long long)sectors);
	d->chunk = calloc(nchunks + 1, sizeof(*d->chunk));
	c->starts = calloc(nchunks + 1, sizeof(*c->starts));
	if (!d->chunk || !c->starts)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	pos = 0;
	for (size_t i = 0; i <= n; i++) {
		uint64_t upto = i < n ? runs[i].sector : sectors;
		struct run r;

		for (; pos < upto; pos += r.count) {    /* a gap */
			memset(&r, 0, sizeof(r));
			r.type = DMG_ZERO;
			r.sector = pos;
			r.count = upto - pos < per ? upto - pos : per;
			d->chunk[k++] = r;
		}
		if (i == n)
			break;
		if (runs[i].type == DMG_RAW || runs[i].type == DMG_ZERO ||
		    runs[i].type == DMG_IGNORE) {
			for (uint64_t s = 0; s < runs[i].count; s += per) {
				r = runs[i];
				r.sector += s;
				r.off += s * SECTOR;
				r.count = runs[i].count - s < per ? runs[i].count - s : per;
				d->chunk[k++] = r;
			}
		} else {
			d->chunk[k++] = runs[i];
		}
		pos = runs[i].sector + runs[i].count;
	}
	c->nchunks = k;
	for (uint64_t i = 0; i < k; i++) {
		c->starts[i] = d->chunk[i].sector * SECTOR;
		if (d->chunk[i].count * SECTOR > c->max_chunk)
			c->max_chunk = (uint32_t)(d->chunk[i].count * SECTOR);
	}
	c->starts[k] = sectors * SECTOR;
	c->size = sectors * SECTOR;
	return SP_OK;
}

static enum sp_status dmg_open(struct img_container *c, struct sp_error *err)
{
	uint64_t fsize = c->parts[0].size, data_fork, data_len, xoff, xlen, sectors;
	uint8_t k[KOLY];
	struct run *runs = NULL;
	size_t n = 0;
	struct dmg *d;
	enum sp_status st;

	c->format = "DMG";
	if (ctr_pread(c, 0, k, 8, 0, "the header", err) != SP_OK)
		return SP_FAILED;
	if (memcmp(k, "encrcdsa", 8) == 0 || memcmp(k, "cdsaencr", 8) == 0)
		return sp_error_set(err, SPE_UNSUPPORTED, "'%s' is an encrypted disk "
				    "image; spindle cannot decrypt it: convert it on a "
				    "Mac with 'hdiutil convert'", c->path);
	if (fsize < KOLY || ctr_pread(c, 0, k, KOLY, fsize - KOLY, "the koly "
				      "trailer", err) != SP_OK)
		return fsize < KOLY ? ctr_bad(c, err, 0, "no koly trailer") : SP_FAILED;
	if (memcmp(k, "koly", 4) != 0)
		return ctr_bad(c, err, fsize - KOLY, "no koly trailer");
	data_fork = ctr_be64(k + 24);
	data_len = ctr_be64(k + 32);
	xoff = ctr_be64(k + 216);
	xlen = ctr_be64(k + 224);
	sectors = ctr_be64(k + 492);
	if (ctr_be32(k + 60) > 1)
		return sp_error_set(err, SPE_UNSUPPORTED, "'%s' is segment %u of %u of "
				    "a segmented disk image, which spindle does not "
				    "read", c->path, ctr_be32(k + 56), ctr_be32(k + 60));
	if (data_fork > fsize || data_len > fsize - data_fork)
		return ctr_bad(c, err, fsize - KOLY + 24, "the data fork lies past the "
			       "end of the file");
	if (xlen == 0)
		return sp_error_set(err, SPE_UNSUPPORTED, "'%s' has no XML property "
				    "list (an old resource-fork disk image)", c->path);
	if (xoff > fsize || xlen > fsize - xoff)
		return ctr_bad(c, err, fsize - KOLY + 216, "the property list lies past "
			       "the end of the file");
	d = calloc(1, sizeof(*d));
	if (!d)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	c->priv = d;
	st = read_plist(c, xoff, xlen, data_fork, &runs, &n, err);
	if (st == SP_OK)
		st = build_chunks(c, d, runs, n, sectors, err);
	free(runs);
	if (st == SP_OK && c->nchunks == 0)
		st = ctr_bad(c, err, xoff, "the image is empty");
	return st;
}

static enum sp_status dmg_decode(const struct img_container *c, uint64_t idx,
				 uint8_t *out, size_t len, struct sp_error *err)
{
	const struct dmg *d = c->priv;
	const struct run *r = &d->chunk[idx];
	const char *why = "corrupt ADC data";
	uint8_t *in;
	int rc;

	switch (r->type) {
	case DMG_ZERO: case DMG_IGNORE:
		memset(out, 0, len);
		return SP_OK;
	case DMG_RAW:
		return ctr_pread(c, 0, out, len, r->off, "a raw chunk", err);
	}
	in = malloc(r->len + 1);
	if (!in)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (ctr_pread(c, 0, in, r->len, r->off, "a compressed chunk", err) != SP_OK) {
		free(in);
		return SP_FAILED;
	}
	if (r->type == DMG_ADC)
		rc = adc_decode(in, r->len, out, len);
	else
		rc = ctr_decode(r->type == DMG_ZLIB ? CTR_ZLIB : CTR_BZIP2, NULL, in,
				r->len, out, len, NULL, &why);
	free(in);
	if (rc != 0)
		return ctr_bad(c, err, r->off, "chunk at sector %llu: %s",
			       (unsigned long long)r->sector, why);
	return SP_OK;
}

static void dmg_close(struct img_container *c)
{
	struct dmg *d = c->priv;

	if (d)
		free(d->chunk);
	free(d);
}

const struct ctr_reader ctr_dmg = {
	"DMG", dmg_probe, dmg_open, dmg_decode, dmg_close,
};
