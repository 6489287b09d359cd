/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fs.h - reading file systems inside an image or on a disc: ISO 9660 and
 * UDF volume sizes, the files hit by bad sectors (isofiles.c), and the
 * guard that keeps libisofs from running away on a hostile image.
 */
#ifndef SPINDLE_IMAGING_FS_H
#define SPINDLE_IMAGING_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"
#include "drive/drive.h"
#include "imaging/base/base.h"

/*
 * One 2048-byte block of an image or a disc into buf; false if it cannot
 * be read.  The parsers of ISO 9660 and UDF structures read through one,
 * so that a test or a fuzz target can hand them an image in memory.
 */
typedef bool (*img_block_read_fn)(void *ctx, int64_t lba, unsigned char *buf);

/* ==== a source of 2048-byte sectors (sectors.c) ========================= */

struct img_disc;

/*
 * The one reader of sectors behind the checks (sums/, verify/), the
 * listings and the extraction: an image file or a block device (pread; a
 * partial last sector reads zero-padded), a drive (drv_read, one command
 * per call), the 2048-byte user data of a disc image of any other format
 * (BIN/CUE, TOC, NRG, MDS, CCD, CDI, CHD, DMG, DAA, ISZ) through the disc
 * model, at the disc's LBAs, or a callback (tests, fuzz targets).
 *
 *     struct img_sectors s;
 *     img_sectors_open(&s, "disc.cue", IMG_SECTORS_IMAGE, NULL, &err);
 *     img_sectors_read(&s, lba, n, buf, &done, &err);
 *     img_fs_read_tree(img_sectors_block, &s, ...);
 *     img_sectors_close(&s);
 */
struct img_sectors {
	int fd;                 /* an image file or a block device, or -1 */
	struct drv_drive *drive;/* or a drive */
	struct img_disc *disc;  /* or a disc image through the model */
	img_block_read_fn read; /* or a callback */
	void *read_ctx;
	const char *name;       /* for messages */
	const char *format;     /* the disc image's format ("BIN/CUE" ...), or NULL */
	int64_t sectors;        /* readable: LBAs at or past it are refused */
	int64_t bytes;          /* readable bytes (a file's size) */
	unsigned retries;       /* img_sectors_block: a drive's failed sector read again */
	uint64_t reads;         /* read commands issued */
	uint64_t failed;        /* of which failed */
	bool owned;             /* opened here: img_sectors_close() closes it */
};
#define IMG_SECTORS_INIT { .fd = -1 }

enum img_sectors_kind {
	IMG_SECTORS_FILE,       /* a file or block device, read as it is */
	IMG_SECTORS_IMAGE,      /* a disc image of any format (a plain ISO: as FILE) */
	IMG_SECTORS_DRIVE,      /* a drive address (stdio:FILE too) */
};

/* Open path as kind; damage: a test-mode damage model for a drive, or NULL. */
enum sp_status img_sectors_open(struct img_sectors *s, const char *path,
				enum img_sectors_kind kind, struct drv_damage *damage,
				struct sp_error *err);
/* A source over a callback (not owned): sectors blocks, name for messages. */
void img_sectors_over(struct img_sectors *s, img_block_read_fn read, void *ctx,
		      int64_t sectors, const char *name);
/*
 * count sectors at lba into buf in one command; a read reaching past the
 * end is cut short there (*done says how many), one starting there fails.
 * On failure *done sectors were read.
 */
enum sp_status img_sectors_read(struct img_sectors *s, int64_t lba, uint32_t count,
				unsigned char *buf, uint32_t *done, struct sp_error *err);
/* One sector, as an img_block_read_fn (ctx: the img_sectors); a drive's
 * failed read is tried s->retries times more. */
bool img_sectors_block(void *ctx, int64_t lba, unsigned char *buf);
/* Up to n sectors in one command; returns how many leading ones were read. */
uint32_t img_sectors_run(void *ctx, int64_t lba, uint32_t n, unsigned char *buf);
/* A disc image's or a drive's session starts (its first data track in
 * each), oldest first, into starts (up to max); 0 for other sources and
 * for a drive whose table of contents shows one session. */
size_t img_sectors_sessions(const struct img_sectors *s, int64_t *starts, size_t max);
void img_sectors_close(struct img_sectors *s);

/* --- files of an ISO image hit by bad areas (imaging/fs/isofiles.c) --- */

struct img_iso_file {
	char *path;             /* "/dir/file" */
	int64_t size;           /* bytes */
	int64_t bad_sectors;    /* sectors of the file in bad ranges */
	int64_t first_bad_lba;
};

struct img_iso_damage {
	struct img_iso_file *files;
	size_t n, alloc;
	int64_t files_total;    /* files in the tree */
	bool tree_damaged;      /* directory records lay in bad areas */
};

/* Open the image at path with libisofs (bad sectors read as zeros) and
 * list the files whose extents overlap bad. */
enum sp_status img_iso_damaged_files(const char *path, const struct img_ranges *bad,
				     struct img_iso_damage *out, struct sp_error *err);
void img_iso_damage_release(struct img_iso_damage *d);

/* ==== volume sizes (volume_size.c) ======================================= */

/*
 * The volume space size in the ISO 9660 primary volume descriptor vd
 * (2048 bytes), -2 if vd begins UDF's volume recognition sequence, -1 if
 * neither.
 */
int64_t img_vd_volume_size(const unsigned char *vd);
/*
 * The end of a UDF volume without ISO 9660 that starts at start: the
 * anchor at start+256 points to the volume descriptor sequence, whose
 * partition descriptor gives the partition's start and length; read
 * reads each block into buf.  cap: the readable sectors.  -1 if none.
 */
int64_t img_udf_volume_end(img_block_read_fn read, void *ctx, unsigned char *buf,
			   int64_t start, int64_t cap);

/* ==== reading ISO 9660 structures safely ================================ */

/*
 * The read guard (isoread_guard.c): keep libisofs from running away on a
 * hostile ISO image.  libisofs trusts the image: a directory record that points at
 * itself or at its parent makes iso_image_import() recurse until the stack
 * overflows or memory runs out, and a volume descriptor set without its
 * terminator makes it read on for ever.  Every IsoDataSource of ours asks
 * the guard before each block: it refuses blocks past the end, a block read
 * more than IMG_READ_GUARD_MAX times (reading a tree once reads each block
 * a few times at most), and everything after SIGINT/SIGTERM/SIGHUP.
 *
 *     struct img_read_guard g = IMG_READ_GUARD_INIT;
 *     g.sectors = size_in_sectors;
 *     ... in read_block: if (!img_read_guard_ok(&g, lba))
 *                                return ISO_DATA_SOURCE_FATAL;
 *     ... after a failed import: img_read_guard_explain(&g, path, err);
 *     img_read_guard_release(&g);
 */
#define IMG_READ_GUARD_MAX 16

enum img_read_stop {
	IMG_READ_GOING,
	IMG_READ_PAST_END,      /* a block past the end of the image */
	IMG_READ_LOOP,          /* one block read again and again */
	IMG_READ_SIGNAL,
	IMG_READ_NOMEM,
};

struct img_read_guard {
	int64_t sectors;        /* blocks at or past this are refused */
	enum img_read_stop stop;
	int64_t stop_lba;
	struct img_read_count *seen;
	size_t seen_n, seen_alloc;
};
#define IMG_READ_GUARD_INIT { .sectors = INT64_MAX, .stop = IMG_READ_GOING }

/* May libisofs read this block?  false: stop it (the guard says why). */
bool img_read_guard_ok(struct img_read_guard *g, int64_t lba);
/* If the guard stopped the import, say so in err (true); else false. */
bool img_read_guard_explain(const struct img_read_guard *g, const char *name,
			    struct sp_error *err);
void img_read_guard_release(struct img_read_guard *g);

/*
 * libisofs' view of a sector source (iso_source.c): the IsoDataSource that
 * iso_image_import() reads through, held by the read guard, with a
 * read-ahead window so that a tree loads in few commands.
 *
 *     struct img_iso_source is;
 *     img_iso_source_init(&is, &sectors, 32, &err);
 *     iso_image_import(image, is.src, opts, &features);
 *     ... img_read_guard_explain(&is.guard, name, err) if it failed
 *     iso_image_unref(image);
 *     img_iso_source_release(&is);       after the image
 */
struct iso_data_source;
struct img_iso_source {
	struct img_sectors *sectors;
	struct img_read_guard guard;    /* guard.sectors = sectors->sectors */
	const struct img_ranges *bad;   /* optional: blocks to note reads of */
	bool read_bad;                  /* a block in bad was read */
	int64_t blocks;                 /* blocks handed to libisofs */
	uint32_t window;                /* sectors read at once (0, 1: one by one) */
	int64_t win_lba;
	uint32_t win_n;
	unsigned char *win;
	struct iso_data_source *src;    /* what iso_image_import() takes */
};
/* window: up to DRV_READ_MAX sectors read ahead (0: none). */
enum sp_status img_iso_source_init(struct img_iso_source *is, struct img_sectors *s,
				   uint32_t window, struct sp_error *err);
/* After the image read through it is gone. */
void img_iso_source_release(struct img_iso_source *is);

/* ==== file trees: ISO 9660 (fstree_iso.c) and UDF (udf.c) =============== */

enum img_fs_kind {
	IMG_FS_AUTO,            /* Rock Ridge, else Joliet, else ISO 9660; UDF if only UDF */
	IMG_FS_ISO9660,         /* the plain ISO 9660 tree */
	IMG_FS_JOLIET,
	IMG_FS_ROCKRIDGE,
	IMG_FS_UDF,
};
const char *img_fs_kind_name(enum img_fs_kind k);

enum img_node_type { IMG_NODE_FILE, IMG_NODE_DIR, IMG_NODE_SYMLINK, IMG_NODE_SPECIAL };

/* A piece of a file's data: bytes at block lba (lba -1: not recorded, zeros). */
struct img_extent {
	int64_t lba;
	uint64_t bytes;
};

/*
 * One file of a tree.  Names are as recorded: hostile bytes (control
 * characters, "..") are kept for the extractor to refuse or rename.
 * Nodes come in path order, a directory before its children.
 */
struct img_fs_node {
	char *name;             /* the last component ("" for the root) */
	char *path;             /* "/dir/name", for display and matching */
	size_t parent;          /* index of the parent directory (root: 0) */
	enum img_node_type type;
	uint32_t mode;          /* st_mode bits, type included */
	uint32_t uid, gid;
	int64_t mtime, atime;   /* seconds since the epoch */
	uint64_t size;          /* bytes (files), 0 otherwise */
	struct img_extent *ext;
	size_t n_ext;
	char *target;           /* a symlink's destination */
	unsigned char *data;    /* a file's bytes kept in its entry (UDF), else NULL */
	int64_t link_of;        /* a hard link: index of the first node, else -1 */
	int depth;
};

struct img_fs_tree {
	struct img_fs_node *v;
	size_t n, alloc;
	enum img_fs_kind kind;  /* the tree that was read */
	int64_t session_start;  /* LBA of the session read */
	int session;            /* its number, 1-based; 0: the newest (the head) */
	int64_t sectors;        /* readable blocks of the source */
	bool has_rockridge, has_joliet, has_udf;
	int64_t meta_blocks;    /* blocks read to load the tree */
};

struct img_fs_open_opts {
	enum img_fs_kind fs;
	int session;            /* 0: the newest; N: the Nth session */
	int64_t sectors;        /* blocks of the source */
	const char *name;       /* for messages */
	/* the session starts the medium or image knows (img_sectors_sessions),
	 * oldest first; n_starts 0: found from the ISO 9660 descriptors */
	const int64_t *starts;
	size_t n_starts;
};

/*
 * Sessions of an image (ISO 9660 sessions as written by libisoburn on a
 * file or an overwritable medium: volume descriptors at start + 16, the
 * next session at the end rounded up to 32 blocks).  starts[] gets up to
 * max starts; returns how many were found (0: none besides LBA 0).
 */
size_t img_fs_sessions(img_block_read_fn read, void *ctx, int64_t sectors,
		       int64_t *starts, size_t max);

/* Read the tree of the source into t (img_fs_tree_release() it). */
enum sp_status img_fs_read_tree(img_block_read_fn read, void *ctx,
				const struct img_fs_open_opts *o,
				struct img_fs_tree *t, struct sp_error *err);
void img_fs_tree_release(struct img_fs_tree *t);

/* The UDF tree alone (udf.c); SP_FAILED with SPE_FORMAT if there is no UDF. */
enum sp_status img_udf_read_tree(img_block_read_fn read, void *ctx,
				 const struct img_fs_open_opts *o,
				 struct img_fs_tree *t, struct sp_error *err);

#endif
