/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * udf.c - the file tree of a UDF volume (ECMA-167 with the OSTA UDF
 * revisions 1.02 to 2.60), read by spindle itself: libcdio's libudf reads
 * only part of UDF 1.02.
 *
 * Anchor (256, else the last block, else last - 256) -> the main volume
 * descriptor sequence: partition descriptors and the logical volume
 * descriptor with its partition maps (type 1; sparable, with the packets
 * its sparing table moved read from the spare area; the metadata partition of UDF 2.50+, whose blocks are those of the
 * metadata file, its mirror if the file is unreadable) -> the file set
 * descriptor -> the root's (extended) file entry -> the file identifier
 * descriptors of each directory, children sorted by name.  Short, long and
 * extended allocation descriptors, their continuation extents, embedded
 * data and unrecorded extents (holes) are read; files over 4 GiB are many
 * extents.  Every location and length is checked against the source; the
 * walk stops on loops (a directory inside itself) and at
 * FSTREE_MAX_DEPTH.  The virtual allocation table of UDF 2.00+ (a disc
 * written incrementally) is read; UDF 1.50's is not.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "imaging/fs/fs_private.h"

#define MAX_MAPS 4
#define MAX_DIR_BYTES (64u << 20)
#define MAX_ADS 100000

#define MAX_SPARE 4096            /* sparing table entries read */

enum { MAP_PHYS = 1, MAP_META, MAP_VIRTUAL, MAP_SPARE };

/* A sparing table entry: the packet at partition block orig lies at the
 * absolute block mapped. */
struct spare {
	uint32_t orig, mapped;
};

struct udf {
	img_block_read_fn read;
	void *ctx;
	int64_t sectors;
	const char *name;
	struct img_fs_tree *t;
	struct sp_error *err;
	int64_t pstart[MAX_MAPS], plen[MAX_MAPS];   /* partition descriptors */
	unsigned pnum[MAX_MAPS];
	int npd;
	int map_kind[MAX_MAPS], map_pd[MAX_MAPS];
	int nmaps;
	struct img_extent *meta;                    /* metadata file, absolute */
	size_t nmeta;
	uint32_t meta_loc[MAX_MAPS][2];             /* metadata file, its mirror */
	uint32_t *vat;                              /* virtual -> partition blocks */
	size_t nvat;
	uint32_t spare_loc[MAX_MAPS][4];            /* sparing tables (absolute) */
	unsigned spare_ntab[MAX_MAPS], packet[MAX_MAPS];
	struct spare *spare;                        /* of the (one) sparable map */
	size_t nspare;
	int64_t stack[FSTREE_MAX_DEPTH + 2];        /* ICBs of the open directories */
	struct { int64_t icb; size_t node; } *seen; /* files, for hard links */
	size_t nseen, aseen;
	unsigned char b[SP_SECTOR];
};

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const unsigned char *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static bool rd(struct udf *u, int64_t lba, unsigned char *buf)
{
	if (lba < 0 || lba >= u->sectors)
		return false;
	u->t->meta_blocks++;
	return u->read(u->ctx, lba, buf);
}

/* A descriptor tag with identifier id (0: any) and a good checksum. */
static bool tag_ok(const unsigned char *b, unsigned id)
{
	unsigned sum = 0;

	for (int i = 0; i < 16; i++)
		if (i != 4)
			sum += b[i];
	return (sum & 0xff) == b[4] && (!id || le16(b) == id);
}

/* Logical block lbn of partition map ref, as an absolute block; -1 if none. */
static int64_t lb(struct udf *u, unsigned ref, uint64_t lbn)
{
	if (ref >= (unsigned)u->nmaps)
		return -1;
	if (u->map_kind[ref] == MAP_META) {
		uint64_t off = lbn * SP_SECTOR;

		for (size_t i = 0; i < u->nmeta; i++) {
			if (off < u->meta[i].bytes)
				return u->meta[i].lba < 0 ? -1 : u->meta[i].lba + (int64_t)(off / SP_SECTOR);
			off -= u->meta[i].bytes;
		}
		return -1;
	}
	if (u->map_kind[ref] == MAP_VIRTUAL) {
		if (lbn >= u->nvat || u->vat[lbn] == UINT32_MAX)
			return -1;
		lbn = u->vat[lbn];
	}
	if (u->map_kind[ref] == MAP_META || lbn >= (uint64_t)u->plen[u->map_pd[ref]])
		return -1;
	if (u->map_kind[ref] == MAP_SPARE && u->packet[ref]) {
		/* a packet the drive or the writer moved to the spare area */
		uint64_t pk = lbn - lbn % u->packet[ref];

		for (size_t i = 0; i < u->nspare; i++)
			if (u->spare[i].orig == pk)
				return (int64_t)u->spare[i].mapped + (int64_t)(lbn - pk);
	}
	return u->pstart[u->map_pd[ref]] + (int64_t)lbn;
}

/* ---- names and times ----------------------------------------------------- */

static void put_utf8(char **o, unsigned c)
{
	if (c == 0)
		c = 1;  /* a NUL in a name: a control character the extractor renames */
	if (c < 0x80) {
		*(*o)++ = (char)c;
	} else if (c < 0x800) {
		*(*o)++ = (char)(0xc0 | c >> 6);
		*(*o)++ = (char)(0x80 | (c & 0x3f));
	} else {
		*(*o)++ = (char)(0xe0 | c >> 12);
		*(*o)++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*(*o)++ = (char)(0x80 | (c & 0x3f));
	}
}

/* An OSTA CS0 string of len bytes (compression id first) as UTF-8. */
static char *cs0(const unsigned char *p, size_t len)
{
	char *s = malloc(len * 3 + 1), *o = s;

	if (!s)
		return NULL;
	if (len) {
		unsigned id = p[0];

		if (id == 8 || id == 254) {
			for (size_t i = 1; i < len; i++)
				put_utf8(&o, p[i]);
		} else if (id == 16 || id == 255) {
			for (size_t i = 1; i + 1 < len; i += 2)
				put_utf8(&o, (unsigned)p[i] << 8 | p[i + 1]);
		}
	}
	*o = 0;
	return s;
}

static int64_t ts(const unsigned char *p)
{
	struct tm tm = { 0 };
	int tz = le16(p) & 0xfff;
	int64_t t;

	if (tz & 0x800)
		tz -= 0x1000;
	tm.tm_year = (int16_t)le16(p + 2) - 1900;
	tm.tm_mon = p[4] ? p[4] - 1 : 0;
	tm.tm_mday = p[5] ? p[5] : 1;
	tm.tm_hour = p[6];
	tm.tm_min = p[7];
	tm.tm_sec = p[8];
	t = (int64_t)timegm(&tm);
	if ((le16(p) >> 12) == 1 && tz >= -1440 && tz <= 1440)
		t -= (int64_t)tz * 60;
	return t;
}

/* ---- file entries ------------------------------------------------------- */

struct fe {
	unsigned type;          /* ICB file type: 4 dir, 5 file, 12 symlink ... */
	uint32_t mode, uid, gid;
	int64_t mtime, atime;
	uint64_t size;
	unsigned char *inline_data;  /* embedded data (size bytes) */
	struct img_extent *ext;
	size_t n_ext;
};

static bool fe_add(struct fe *f, int64_t lba, uint64_t bytes)
{
	void *p;

	if (f->n_ext >= MAX_ADS)
		return false;
	p = realloc(f->ext, (f->n_ext + 1) * sizeof(*f->ext));
	if (!p)
		return false;
	f->ext = p;
	f->ext[f->n_ext++] = (struct img_extent){ lba, bytes };
	return true;
}

/* Block lbn + k of partition ref, absolute; an extent beyond the source
 * stays, its blocks read as bad. */
static int64_t block_at(struct udf *u, unsigned ref, uint64_t lbn)
{
	int64_t a = lb(u, ref, lbn);

	return a < 0 ? u->sectors + (int64_t)lbn : a;
}

/* A recorded extent of bytes at lbn of partition ref: one absolute run on
 * a plain partition, else cut where the blocks stop following each other
 * (a packet moved by a sparing table, the metadata file's pieces, the
 * virtual allocation table). */
static bool add_recorded(struct udf *u, struct fe *f, unsigned ref, uint32_t lbn, uint32_t bytes)
{
	uint64_t n = (bytes + SP_SECTOR - 1) / SP_SECTOR, k = 0;

	if (ref >= (unsigned)u->nmaps || u->map_kind[ref] == MAP_PHYS ||
	    (u->map_kind[ref] == MAP_SPARE && !u->nspare))
		return fe_add(f, block_at(u, ref, lbn), bytes);
	while (k < n) {
		int64_t a = block_at(u, ref, lbn + k);
		uint64_t run = 1;

		while (k + run < n && block_at(u, ref, lbn + k + run) == a + (int64_t)run)
			run++;
		if (!fe_add(f, a, k + run < n ? run * SP_SECTOR : bytes - k * SP_SECTOR))
			return false;
		k += run;
	}
	return true;
}

/* Allocation descriptors of kind adt (0 short, 1 long, 2 extended) in
 * p[0..len); ref: the partition of short ones.  Follows continuations. */
static bool parse_ads(struct udf *u, struct fe *f, const unsigned char *p, size_t len,
		      unsigned adt, unsigned ref, int hops)
{
	size_t sz = adt == 0 ? 8 : adt == 1 ? 16 : 20;

	for (size_t o = 0; o + sz <= len; o += sz) {
		uint32_t l = le32(p + o), bytes = l & 0x3fffffff, kind = l >> 30;
		uint32_t lbn = adt == 0 ? le32(p + o + 4) : adt == 1 ? le32(p + o + 4) : le32(p + o + 12);
		unsigned r = adt == 0 ? ref : le16(p + o + (adt == 1 ? 8 : 16));

		if (!bytes)
			break;
		if (kind == 3) {
			/* the rest is in an allocation extent descriptor */
			unsigned char *b;
			int64_t a = lb(u, r, lbn);
			bool ok;

			if (hops > 64 || a < 0 || !(b = malloc(SP_SECTOR)))
				return false;
			ok = rd(u, a, b) && tag_ok(b, 258) && le32(b + 20) <= SP_SECTOR - 24 &&
			     parse_ads(u, f, b + 24, le32(b + 20), adt, ref, hops + 1);
			free(b);
			return ok;
		}
		if (kind == 0) {
			if (!add_recorded(u, f, r, lbn, bytes))
				return false;
		} else if (!fe_add(f, -1, bytes)) {
			return false;
		}
	}
	return true;
}

static void fe_free(struct fe *f)
{
	free(f->inline_data);
	free(f->ext);
	memset(f, 0, sizeof(*f));
}

/* The (extended) file entry at logical block lbn of partition ref. */
static bool read_fe(struct udf *u, unsigned ref, uint32_t lbn, struct fe *f)
{
	unsigned char *b = u->b;
	int64_t a = lb(u, ref, lbn);
	size_t base, lea, lad;
	bool efe;
	uint32_t perm;
	unsigned flags;

	memset(f, 0, sizeof(*f));
	if (a < 0 || !rd(u, a, b) || !(tag_ok(b, 261) || tag_ok(b, 266)))
		return false;
	efe = le16(b) == 266;
	f->type = b[16 + 11];
	flags = le16(b + 16 + 18);
	f->uid = le32(b + 36);
	f->gid = le32(b + 40);
	perm = le32(b + 44);
	f->mode = ((perm >> 10) & 7) << 6 | ((perm >> 5) & 7) << 3 | (perm & 7);
	if (flags & 0x40)
		f->mode |= S_ISUID;
	if (flags & 0x80)
		f->mode |= S_ISGID;
	if (flags & 0x100)
		f->mode |= S_ISVTX;
	f->size = le64(b + 56);
	f->atime = ts(b + (efe ? 80 : 72));
	f->mtime = ts(b + (efe ? 92 : 84));
	base = efe ? 216 : 176;
	lea = le32(b + (efe ? 208 : 168));
	lad = le32(b + (efe ? 212 : 172));
	if (lea > SP_SECTOR || lad > SP_SECTOR || base + lea + lad > SP_SECTOR)
		return false;
	if ((flags & 7) == 3) {
		if (f->size > lad)
			return false;
		f->inline_data = malloc(f->size + 1);
		if (!f->inline_data)
			return false;
		memcpy(f->inline_data, b + base + lea, f->size);
		return true;
	}
	if ((flags & 7) > 2)
		return false;
	if (!parse_ads(u, f, b + base + lea, lad, flags & 7, ref, 0)) {
		fe_free(f);
		return false;
	}
	return true;
}

/* The first size bytes of f's data into a new buffer (directories, symlinks). */
static unsigned char *fe_data(struct udf *u, const struct fe *f, size_t max)
{
	unsigned char *d;
	uint64_t off = 0;

	if (f->size > max)
		return NULL;
	d = calloc(1, f->size + SP_SECTOR);
	if (!d)
		return NULL;
	if (f->inline_data) {
		memcpy(d, f->inline_data, f->size);
		return d;
	}
	for (size_t i = 0; i < f->n_ext && off < f->size; i++) {
		for (uint64_t k = 0; k < f->ext[i].bytes && off < f->size; k += SP_SECTOR) {
			if (f->ext[i].lba >= 0 && !rd(u, f->ext[i].lba + (int64_t)(k / SP_SECTOR), d + off)) {
				free(d);
				return NULL;
			}
			off += SP_SECTOR;
		}
	}
	return d;
}

/* A symlink's path components (ECMA-167 4/14.16) as a path. */
static char *symlink_target(const unsigned char *d, size_t len)
{
	char *s = calloc(1, len * 3 + 2), *o = s;

	if (!s)
		return NULL;
	for (size_t p = 0; p + 4 <= len;) {
		unsigned type = d[p], l = d[p + 1];
		char *c;

		if (p + 4 + l > len)
			break;
		if (o > s && o[-1] != '/')
			*o++ = '/';
		if (type == 1 || type == 2) {
			o = s;
			*o++ = '/';
		} else if (type == 3) {
			memcpy(o, "..", 2);
			o += 2;
		} else if (type == 4) {
			*o++ = '.';
		} else if (type == 5 && (c = cs0(d + p + 4, l))) {
			size_t n = strlen(c);

			memcpy(o, c, n);  /* each input byte gives at most 3 */
			o += n;
			free(c);
		}
		p += 4 + l;
	}
	*o = 0;
	return s;
}

/* ---- directories ------------------------------------------------------- */

struct entry {
	char *name;
	size_t order;           /* place in the directory, to break ties */
	unsigned ref;
	uint32_t lbn;
};

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->order < y->order ? -1 : 1;
}

static enum sp_status walk(struct udf *u, const struct fe *dir, size_t me, int depth);

/* Add the node for entry e under directory node parent, and its subtree. */
static enum sp_status add_entry(struct udf *u, const struct entry *e, size_t parent, int depth)
{
	struct fe f;
	struct img_fs_node *n;
	int64_t icb = lb(u, e->ref, e->lbn), idx;
	enum img_node_type type;
	enum sp_status st = SP_OK;

	if (!read_fe(u, e->ref, e->lbn, &f)) {
		/* unreadable or not a file entry: listed, empty */
		memset(&f, 0, sizeof(f));
		f.type = 5;
	}
	type = f.type == 4 ? IMG_NODE_DIR : f.type == 5 ? IMG_NODE_FILE :
	       f.type == 12 ? IMG_NODE_SYMLINK : IMG_NODE_SPECIAL;
	idx = fstree_add(u->t, parent, e->name, type, u->err);
	if (idx < 0) {
		fe_free(&f);
		return SP_FAILED;
	}
	n = &u->t->v[idx];
	n->mode = f.mode | (type == IMG_NODE_DIR ? S_IFDIR : type == IMG_NODE_SYMLINK ? S_IFLNK :
			    type == IMG_NODE_FILE ? S_IFREG : f.type == 6 ? S_IFBLK :
			    f.type == 7 ? S_IFCHR : f.type == 9 ? S_IFIFO : S_IFSOCK);
	n->uid = f.uid == UINT32_MAX ? 0 : f.uid;
	n->gid = f.gid == UINT32_MAX ? 0 : f.gid;
	n->mtime = f.mtime;
	n->atime = f.atime;
	if (type == IMG_NODE_FILE) {
		n->size = f.size;
		n->data = f.inline_data;
		f.inline_data = NULL;
		/* the extents, cut to the file's size */
		for (size_t i = 0; i < f.n_ext; i++) {
			uint64_t have = 0;

			for (size_t k = 0; k < n->n_ext; k++)
				have += n->ext[k].bytes;
			if (have >= f.size)
				break;
			if (!fstree_add_extent(u->t, (size_t)idx, f.ext[i].lba,
					       f.ext[i].bytes < f.size - have ? f.ext[i].bytes : f.size - have)) {
				st = sp_error_set(u->err, SPE_NOMEM, "out of memory");
				break;
			}
		}
		for (size_t i = 0; i < u->nseen && icb >= 0 && f.size; i++)
			if (u->seen[i].icb == icb)
				n->link_of = (int64_t)u->seen[i].node;
		if (n->link_of < 0 && icb >= 0 && st == SP_OK) {
			if (u->nseen == u->aseen) {
				size_t na = u->aseen ? u->aseen * 2 : 64;
				void *p = realloc(u->seen, na * sizeof(*u->seen));

				if (!p) {
					fe_free(&f);
					return sp_error_set(u->err, SPE_NOMEM, "out of memory");
				}
				u->seen = p;
				u->aseen = na;
			}
			u->seen[u->nseen].icb = icb;
			u->seen[u->nseen++].node = (size_t)idx;
		}
	} else if (type == IMG_NODE_SYMLINK) {
		unsigned char *d = fe_data(u, &f, 65536);

		n->target = d ? symlink_target(d, f.size) : strdup("");
		free(d);
		if (!n->target)
			st = sp_error_set(u->err, SPE_NOMEM, "out of memory");
	} else if (type == IMG_NODE_DIR) {
		bool loop = false;

		for (int i = 0; i <= depth; i++)
			loop |= u->stack[i] == icb;
		if (!loop && depth < FSTREE_MAX_DEPTH) {
			u->stack[depth + 1] = icb;
			st = walk(u, &f, (size_t)idx, depth + 1);
		}
	}
	fe_free(&f);
	return st;
}

static enum sp_status walk(struct udf *u, const struct fe *dir, size_t me, int depth)
{
	unsigned char *d = fe_data(u, dir, MAX_DIR_BYTES);
	struct entry *ents = NULL;
	size_t n = 0, a = 0;
	enum sp_status st = SP_OK;

	if (!d)
		return SP_OK;   /* an unreadable directory: empty */
	for (size_t p = 0; p + 38 <= dir->size;) {
		const unsigned char *fid = d + p;
		size_t liu = le16(fid + 36), lfi = fid[19];
		size_t len = (38 + liu + lfi + 3) & ~(size_t)3;

		if (!tag_ok(fid, 257) || p + 38 + liu + lfi > dir->size)
			break;
		if (!(fid[18] & 0x0c) && lfi) {  /* neither parent nor deleted */
			if (n == a) {
				void *q = realloc(ents, (a = a ? a * 2 : 16) * sizeof(*ents));

				if (!q) {
					st = sp_error_set(u->err, SPE_NOMEM, "out of memory");
					break;
				}
				ents = q;
			}
			ents[n].name = cs0(fid + 38 + liu, lfi);
			ents[n].lbn = le32(fid + 20 + 4);
			ents[n].ref = le16(fid + 20 + 8);
			ents[n].order = n;
			if (!ents[n].name) {
				st = sp_error_set(u->err, SPE_NOMEM, "out of memory");
				break;
			}
			n++;
		}
		p += len;
	}
	free(d);
	if (n)
		qsort(ents, n, sizeof(*ents), entry_cmp);
	for (size_t i = 0; i < n && st == SP_OK; i++)
		st = add_entry(u, &ents[i], me, depth);
	for (size_t i = 0; i < n; i++)
		free(ents[i].name);
	free(ents);
	return st;
}

/* ---- the volume ---------------------------------------------------------- */

static bool read_vds(struct udf *u, int64_t loc, uint32_t len, uint32_t fsd[3])
{
	unsigned char *b = u->b;
	bool have_lvd = false;
	unsigned char maps[SP_SECTOR];
	uint32_t nmaps = 0, mtl = 0;

	for (int64_t i = 0; i < len / SP_SECTOR && i < 256; i++) {
		if (!rd(u, loc + i, b) || !tag_ok(b, 0))
			break;
		if (le16(b) == 5 && u->npd < MAX_MAPS) {
			u->pnum[u->npd] = le16(b + 22);
			u->pstart[u->npd] = le32(b + 188);
			u->plen[u->npd] = le32(b + 192);
			u->npd++;
		} else if (le16(b) == 6 && !have_lvd) {
			if (le32(b + 212) != SP_SECTOR)
				return false;
			fsd[0] = le32(b + 248 + 4);
			fsd[1] = le16(b + 248 + 8);
			mtl = le32(b + 264);
			nmaps = le32(b + 268);
			if (mtl > SP_SECTOR - 440)
				mtl = SP_SECTOR - 440;
			memcpy(maps, b + 440, mtl);
			have_lvd = true;
		} else if (le16(b) == 8) {
			break;
		}
	}
	if (!have_lvd || !u->npd)
		return false;
	for (uint32_t m = 0, o = 0; m < nmaps && m < MAX_MAPS && o + 2 <= mtl; m++) {
		unsigned type = maps[o], l = maps[o + 1];
		unsigned pn = 0;

		if (l < 6 || o + l > mtl)
			break;
		u->map_kind[m] = MAP_PHYS;
		if (type == 1) {
			pn = le16(maps + o + 4);
		} else if (type == 2 && l >= 64) {
			pn = le16(maps + o + 38);
			if (!memcmp(maps + o + 5, "*UDF Metadata Partition", 23)) {
				u->map_kind[m] = MAP_META;
						u->meta_loc[m][0] = le32(maps + o + 40);
				u->meta_loc[m][1] = le32(maps + o + 44);
			} else if (!memcmp(maps + o + 5, "*UDF Virtual Partition", 22)) {
				u->map_kind[m] = MAP_VIRTUAL;
			} else if (!memcmp(maps + o + 5, "*UDF Sparable Partition", 23)) {
				u->map_kind[m] = MAP_SPARE;
				u->packet[m] = le16(maps + o + 40);
				u->spare_ntab[m] = maps[o + 42] < 4 ? maps[o + 42] : 4;
				for (unsigned k = 0; k < u->spare_ntab[m] && 48 + 4 * k + 4 <= l; k++)
					u->spare_loc[m][k] = le32(maps + o + 48 + 4 * k);
			}
		}
		u->map_pd[m] = 0;
		for (int k = 0; k < u->npd; k++)
			if (u->pnum[k] == pn)
				u->map_pd[m] = k;
		u->nmaps = (int)m + 1;
		o += l;
	}
	return u->nmaps > 0;
}

/*
 * The sparing table of a sparable partition (UDF 1.50+, CD-RW and DVD-RW):
 * packets the writer found bad, moved to a spare area.  The first table
 * whose tag and identifier hold is used; none: nothing is remapped.
 */
static void load_sparing(struct udf *u, int m)
{
	for (unsigned k = 0; k < u->spare_ntab[m] && !u->spare; k++) {
		int64_t at = u->spare_loc[m][k];
		size_t n, bytes;
		unsigned char *t;

		if (!rd(u, at, u->b) || !tag_ok(u->b, 0) || memcmp(u->b + 17, "*UDF Sparing Table", 18))
			continue;
		n = le16(u->b + 48);
		if (n > MAX_SPARE)
			n = MAX_SPARE;
		bytes = 56 + 8 * n;
		t = malloc((bytes + SP_SECTOR - 1) / SP_SECTOR * SP_SECTOR);
		u->spare = calloc(n ? n : 1, sizeof(*u->spare));
		if (!t || !u->spare) {
			free(t);
			free(u->spare);
			u->spare = NULL;
			return;
		}
		memcpy(t, u->b, SP_SECTOR);
		for (size_t s = 1; s * SP_SECTOR < bytes; s++)
			if (!rd(u, at + (int64_t)s, t + s * SP_SECTOR))
				n = (s * SP_SECTOR - 56) / 8;   /* what was read */
		for (size_t i = 0; i < n && 56 + 8 * i + 8 <= bytes; i++) {
			uint32_t orig = le32(t + 56 + 8 * i);

			if (orig < 0xfffffff0u)
				u->spare[u->nspare++] = (struct spare){ orig, le32(t + 56 + 8 * i + 4) };
		}
		free(t);
	}
}

/*
 * The virtual allocation table (UDF 2.00+) of a disc written
 * incrementally: a file entry of type 248 in the last blocks written,
 * whose data after a header maps virtual blocks to partition blocks.
 */
static bool load_vat(struct udf *u, int m)
{
	int phys = u->nmaps;

	if (u->nmaps >= MAX_MAPS)
		return false;
	u->map_kind[phys] = MAP_PHYS;
	u->map_pd[phys] = u->map_pd[m];
	u->nmaps++;
	for (int64_t a = u->sectors - 1; a >= 0 && a >= u->sectors - 32; a--) {
		struct fe f;
		unsigned char *d;
		int64_t rel = a - u->pstart[u->map_pd[m]];
		size_t hd;

		if (rel < 0 || !read_fe(u, (unsigned)phys, (uint32_t)rel, &f))
			continue;
		if (f.type != 248 || f.size < 152 || !(d = fe_data(u, &f, 64u << 20))) {
			fe_free(&f);
			continue;
		}
		hd = le16(d);
		if (hd >= 152 && hd <= f.size) {
			u->nvat = (f.size - hd) / 4;
			u->vat = malloc(u->nvat * 4 + 4);
			if (u->vat)
				for (size_t i = 0; i < u->nvat; i++)
					u->vat[i] = le32(d + hd + 4 * i);
		}
		free(d);
		fe_free(&f);
		u->nmaps--;
		return u->vat != NULL;
	}
	u->nmaps--;
	return false;
}

/* The metadata partition: its blocks are those of the metadata file. */
static bool load_metadata(struct udf *u, int m)
{
	for (int which = 0; which < 2; which++) {
		struct fe f;
		int phys = -1;

		for (int k = 0; k < u->nmaps; k++)
			if (u->map_kind[k] == MAP_PHYS && u->map_pd[k] == u->map_pd[m])
				phys = k;
		if (phys < 0) {
			/* no type 1 map of that partition: read through a temporary one */
			if (u->nmaps >= MAX_MAPS)
				return false;
			phys = u->nmaps++;
			u->map_kind[phys] = MAP_PHYS;
			u->map_pd[phys] = u->map_pd[m];
		}
		if (read_fe(u, (unsigned)phys, u->meta_loc[m][which], &f) &&
		    f.n_ext && !f.inline_data) {
			u->meta = f.ext;
			u->nmeta = f.n_ext;
			f.ext = NULL;
			fe_free(&f);
			return true;
		}
		fe_free(&f);
	}
	return false;
}

enum sp_status img_udf_read_tree(img_block_read_fn read, void *ctx,
				 const struct img_fs_open_opts *o,
				 struct img_fs_tree *t, struct sp_error *err)
{
	struct udf *u = calloc(1, sizeof(*u));
	int64_t anchors[3] = { 256, o->sectors - 1, o->sectors - 257 };
	uint32_t fsd[3] = { 0, 0, 0 };
	struct fe root;
	enum sp_status st = SP_FAILED;
	bool found = false;

	memset(&root, 0, sizeof(root));
	if (!u)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	*u = (struct udf){ .read = read, .ctx = ctx, .sectors = o->sectors, .name = o->name,
			   .t = t, .err = err };
	for (int i = 0; i < 3 && !found; i++) {
		if (anchors[i] < 0 || !rd(u, anchors[i], u->b) || !tag_ok(u->b, 2))
			continue;
		found = read_vds(u, le32(u->b + 20), le32(u->b + 16), fsd) ||
			(rd(u, anchors[i], u->b) && read_vds(u, le32(u->b + 28), le32(u->b + 24), fsd));
	}
	if (!found) {
		sp_error_set(err, SPE_FORMAT, "'%s' holds no readable UDF volume", o->name);
		goto out;
	}
	for (int m = 0; m < u->nmaps; m++) {
		if (u->map_kind[m] == MAP_VIRTUAL && !load_vat(u, m)) {
			sp_error_set(err, SPE_FORMAT, "'%s': the UDF virtual allocation table is unreadable "
				     "(UDF 1.50's table is not read)", o->name);
			goto out;
		}
		if (u->map_kind[m] == MAP_SPARE && !u->spare)
			load_sparing(u, m);
		if (u->map_kind[m] == MAP_META && !load_metadata(u, m)) {
			sp_error_set(err, SPE_FORMAT, "'%s': the UDF metadata file and its mirror are unreadable",
				     o->name);
			goto out;
		}
	}
	{
		int64_t a = lb(u, fsd[1], fsd[0]);

		if (a < 0 || !rd(u, a, u->b) || !tag_ok(u->b, 256)) {
			sp_error_set(err, SPE_FORMAT, "'%s': the UDF file set descriptor is unreadable", o->name);
			goto out;
		}
	}
	{
		uint32_t rlbn = le32(u->b + 400 + 4);
		unsigned rref = le16(u->b + 400 + 8);

		if (!read_fe(u, rref, rlbn, &root) || root.type != 4) {
			sp_error_set(err, SPE_FORMAT, "'%s': the UDF root directory is unreadable", o->name);
			goto out;
		}
		t->kind = IMG_FS_UDF;
		t->has_udf = true;
		if (fstree_add(t, 0, "", IMG_NODE_DIR, err) < 0)
			goto out;
		t->v[0].mode = root.mode | S_IFDIR;
		t->v[0].mtime = root.mtime;
		t->v[0].atime = root.atime;
		u->stack[0] = lb(u, rref, rlbn);
		st = walk(u, &root, 0, 0);
	}
out:
	fe_free(&root);
	free(u->meta);
	free(u->vat);
	free(u->spare);
	free(u->seen);
	free(u);
	return st;
}
