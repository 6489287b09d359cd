/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bmap.c - bmaptool's block map: which blocks of a sparse image hold data,
 * with a checksum per range.  The format (versions 1.x and 2.x):
 *
 *     <bmap version="2.0">
 *         <ImageSize> 821752 </ImageSize>
 *         <BlockSize> 4096 </BlockSize>
 *         <BlocksCount> 201 </BlocksCount>
 *         <MappedBlocksCount> 117 </MappedBlocksCount>
 *         <ChecksumType> sha256 </ChecksumType>
 *         <BmapFileChecksum> HEX </BmapFileChecksum>
 *         <BlockMap>
 *             <Range chksum="HEX"> 0-1 </Range>
 *             <Range chksum="HEX"> 7 </Range>
 *         </BlockMap>
 *     </bmap>
 *
 * Version 1 names the range checksum sha1="..." and the file's own
 * BmapFileSHA1.  The file checksum is taken over the file with its own
 * hex digits replaced by zeros.  Every number is checked before use: the
 * file comes from a download.
 */
#include "config.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imaging/stick/stick_private.h"

#define BMAP_MAX (16u << 20)

static unsigned line_of(const char *base, const char *at)
{
	unsigned n = 1;

	for (; base < at; base++)
		n += *base == '\n';
	return n;
}

static enum sp_status bad(struct sp_error *err, const char *base, const char *at,
			  const char *what)
{
	if (at)
		return sp_error_set(err, SPE_FORMAT, "bmap file: %s (line %u)", what,
				    line_of(base, at));
	return sp_error_set(err, SPE_FORMAT, "bmap file: %s", what);
}

/* The trimmed text between <tag> and </tag>; NULL if absent. */
static const char *tag_text(const char *s, const char *tag, size_t *len, const char **at)
{
	char open_[64], close_[64];
	const char *a, *b;

	snprintf(open_, sizeof(open_), "<%s>", tag);
	snprintf(close_, sizeof(close_), "</%s>", tag);
	if (!(a = strstr(s, open_)))
		return NULL;
	*at = a;
	a += strlen(open_);
	if (!(b = strstr(a, close_)))
		return NULL;
	while (a < b && (*a == ' ' || *a == '\t' || *a == '\n' || *a == '\r'))
		a++;
	while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\n' || b[-1] == '\r'))
		b--;
	*len = (size_t)(b - a);
	return a;
}

static bool parse_u64(const char *p, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 19)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = v;
	return true;
}

static enum sp_status num_tag(const char *s, const char *tag, uint64_t *out,
			      struct sp_error *err)
{
	const char *at = NULL, *t;
	size_t len;
	char msg[96];

	if (!(t = tag_text(s, tag, &len, &at))) {
		snprintf(msg, sizeof(msg), "<%s> is missing", tag);
		return bad(err, s, NULL, msg);
	}
	if (!parse_u64(t, len, out)) {
		snprintf(msg, sizeof(msg), "<%s> is not a number", tag);
		return bad(err, s, at, msg);
	}
	return SP_OK;
}

static bool is_hex(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') ||
		      (p[i] >= 'A' && p[i] <= 'F')))
			return false;
	return true;
}

static size_t hex_len(enum img_bmap_csum c)
{
	return c == IMG_BMAP_SHA256 ? 64 : c == IMG_BMAP_SHA1 ? 40 : 0;
}

/* Blank out <!-- comments --> (bmaptool's name the tags), keeping offsets. */
static void blank_comments(char *s)
{
	char *a, *b;

	while ((a = strstr(s, "<!--"))) {
		b = strstr(a + 4, "-->");
		b = b ? b + 3 : a + strlen(a);
		for (; a < b; a++)
			if (*a != '\n')
				*a = ' ';
		s = b;
	}
}

/* The file's own checksum, over orig with its digits zeroed; s is orig
 * with the comments blanked. */
static enum sp_status check_self(char *orig, const char *s, size_t len, enum img_bmap_csum c,
				 const char *tag, struct sp_error *err)
{
	const char *at = NULL, *t;
	char want[65], got[65];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	size_t tl;

	if (!(t = tag_text(s, tag, &tl, &at)))
		return SP_OK;
	if (tl != hex_len(c) || !is_hex(t, tl))
		return bad(err, s, at, "the file checksum is not a hex digest of its type");
	memcpy(want, t, tl);
	want[tl] = '\0';
	memset(orig + (t - s), '0', tl);
	if (!EVP_Digest(orig, len, md, &mdlen, c == IMG_BMAP_SHA256 ? EVP_sha256() : EVP_sha1(),
			NULL))
		return sp_error_set(err, SPE_LIB, "bmap file: cannot compute a checksum");
	memcpy(orig + (t - s), want, tl);
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(got + 2 * i, 3, "%02x", md[i]);
	if (strncasecmp(want, got, tl) != 0) {
		sp_error_set(err, SPE_FORMAT, "bmap file: its own checksum does not match "
			     "(the file is damaged or was edited)");
		sp_error_hint(err, "fetch the .bmap again");
		return SP_FAILED;
	}
	return SP_OK;
}

static enum sp_status parse_ranges(struct img_bmap *b, const char *s, struct sp_error *err)
{
	const char *p = s, *attr = b->csum == IMG_BMAP_SHA1 ? "sha1=\"" : "chksum=\"";
	size_t cap = 0;
	uint64_t mapped = 0;

	while ((p = strstr(p, "<Range"))) {
		const char *at = p, *gt = strchr(p, '>'), *end, *a, *dash;
		struct img_bmap_range r = { 0, 0, "" };

		if (!gt || !(end = strstr(gt, "</Range>")))
			return bad(err, s, at, "a <Range> is not closed");
		if ((a = strstr(p, attr)) && a < gt) {
			const char *q;

			a += strlen(attr);
			q = strchr(a, '"');
			if (!q || q > gt || (size_t)(q - a) != hex_len(b->csum) || !is_hex(a, (size_t)(q - a)))
				return bad(err, s, at, "a range checksum is not a hex digest of its type");
			memcpy(r.csum, a, (size_t)(q - a));
			r.csum[q - a] = '\0';
		}
		for (a = gt + 1; a < end && (*a == ' ' || *a == '\t' || *a == '\n' || *a == '\r'); a++)
			;
		while (end > a && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' ||
				   end[-1] == '\r'))
			end--;
		dash = memchr(a, '-', (size_t)(end - a));
		if (dash ? !parse_u64(a, (size_t)(dash - a), &r.first) ||
			   !parse_u64(dash + 1, (size_t)(end - dash - 1), &r.last)
			 : !parse_u64(a, (size_t)(end - a), &r.first))
			return bad(err, s, at, "a range is not FIRST-LAST or one block number");
		if (!dash)
			r.last = r.first;
		if (r.last < r.first || r.last >= b->blocks)
			return bad(err, s, at, "a range lies outside the image");
		if (b->n && r.first <= b->r[b->n - 1].last)
			return bad(err, s, at, "the ranges overlap or are out of order");
		if (b->n == cap) {
			struct img_bmap_range *nr;

			cap = cap ? cap * 2 : 64;
			if (!(nr = realloc(b->r, cap * sizeof(*nr))))
				return sp_error_set(err, SPE_NOMEM, "out of memory reading the bmap");
			b->r = nr;
		}
		b->r[b->n++] = r;
		mapped += r.last - r.first + 1;
		p = end;
	}
	if (mapped != b->mapped_blocks)
		return bad(err, s, NULL, "MappedBlocksCount differs from the blocks the ranges map");
	return SP_OK;
}

enum sp_status img_bmap_parse(struct img_bmap *b, const char *buf, size_t len,
			      struct sp_error *err)
{
	const char *at = NULL, *t, *v;
	char *s, *orig;
	size_t tl;
	uint64_t bs = 0;
	enum sp_status st = SP_FAILED;

	*b = (struct img_bmap)IMG_BMAP_INIT;
	if (len > BMAP_MAX)
		return bad(err, "", NULL, "larger than 16 MiB");
	if (!(s = malloc(2 * len + 2)))
		return sp_error_set(err, SPE_NOMEM, "out of memory reading the bmap");
	orig = s + len + 1;
	memcpy(s, buf, len);
	s[len] = '\0';
	memcpy(orig, buf, len);
	orig[len] = '\0';
	blank_comments(s);
	if (!(v = strstr(s, "<bmap")) || !(v = strstr(v, "version=\"")) ||
	    (v[9] != '1' && v[9] != '2') || v[10] != '.') {
		bad(err, s, NULL, "not a bmap file of version 1.x or 2.x");
		goto out;
	}
	if (num_tag(s, "ImageSize", &b->image_size, err) != SP_OK ||
	    num_tag(s, "BlockSize", &bs, err) != SP_OK ||
	    num_tag(s, "BlocksCount", &b->blocks, err) != SP_OK ||
	    num_tag(s, "MappedBlocksCount", &b->mapped_blocks, err) != SP_OK)
		goto out;
	if (bs < 512 || bs > (64u << 20) || (bs & (bs - 1))) {
		bad(err, s, NULL, "BlockSize is not a power of two from 512 to 64 MiB");
		goto out;
	}
	b->block_size = (uint32_t)bs;
	if (b->blocks != (b->image_size + bs - 1) / bs || b->mapped_blocks > b->blocks) {
		bad(err, s, NULL, "BlocksCount does not match ImageSize and BlockSize");
		goto out;
	}
	if (v[9] == '1') {
		b->csum = IMG_BMAP_SHA1;
	} else if ((t = tag_text(s, "ChecksumType", &tl, &at)) && tl == 6 && !strncmp(t, "sha256", 6)) {
		b->csum = IMG_BMAP_SHA256;
	} else if (t && tl == 4 && !strncmp(t, "sha1", 4)) {
		b->csum = IMG_BMAP_SHA1;
	} else {
		bad(err, s, t ? at : NULL, "ChecksumType is missing or neither sha256 nor sha1");
		goto out;
	}
	if (check_self(orig, s, len, b->csum, v[9] == '1' ? "BmapFileSHA1" : "BmapFileChecksum",
		       err) != SP_OK)
		goto out;
	st = parse_ranges(b, s, err);
out:
	free(s);
	if (st != SP_OK)
		img_bmap_release(b);
	return st;
}

enum sp_status img_bmap_load(struct img_bmap *b, const char *path,
			     struct sp_error *err)
{
	static const struct sp_file_kind kind = { "bmap file", BMAP_MAX, SPE_FORMAT, false };
	char *buf = NULL;
	size_t len = 0;
	enum sp_status st;

	*b = (struct img_bmap)IMG_BMAP_INIT;
	if (sp_read_file(path, &kind, &buf, &len, err) != SP_OK)
		return SP_FAILED;
	st = img_bmap_parse(b, buf, len, err);
	free(buf);
	return st;
}

void img_bmap_release(struct img_bmap *b)
{
	free(b->r);
	*b = (struct img_bmap)IMG_BMAP_INIT;
}
