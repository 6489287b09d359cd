/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * md5check.c - check an image or a disc against its own libisofs MD5 tags.
 *
 * libisofs (spindle mkiso, xorriso -md5 on) records an MD5 tag after the
 * volume descriptors (superblock tag), after the directory tree (tree
 * tag) and at the end of the session (session tag).  Each tag holds the
 * MD5 of all blocks from the session start up to the tag.  It also records
 * an array of per-file MD5s, found through AAIP attributes in the tree.
 *
 * The check loads the tree first (iso_image_import over an IsoDataSource
 * that reads through our reader, so a disc is read with drv_read and its
 * errors stay ours), maps every file's extents, and then makes ONE
 * sequential pass over the session: each block feeds the running session
 * MD5 and the MD5 of the file it belongs to.  Files whose data lies
 * outside the pass (an older session, unusual extent order) are read on
 * their own afterwards.  Unreadable sectors are skipped one at a time and
 * the files over them reported as unreadable.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imaging/verify/md5check_private.h"

#define TAG_SCAN 64             /* sectors after the PVD searched for the superblock tag */

const char *img_md5_state_name(enum img_md5_state s)
{
	switch (s) {
	case IMG_MD5_ABSENT: return "absent";
	case IMG_MD5_OK: return "ok";
	case IMG_MD5_MISMATCH: return "mismatch";
	case IMG_MD5_UNREADABLE: return "unreadable";
	}
	return "?";
}

/* ---- the report ------------------------------------------------------------ */

void img_md5_report_release(struct img_md5_report *r)
{
	for (size_t i = 0; i < r->n_bad; i++)
		free(r->bad[i].path);
	free(r->bad);
	r->bad = NULL;
	r->n_bad = 0;
}

/* ---- finding the tags ------------------------------------------------------ */

/* one sector, no retries (a drive's retries are for rescues) */
static bool read_one(struct img_sectors *rd, int64_t lba, uint8_t *buf)
{
	return img_sectors_block(rd, lba, buf);
}

/* The primary volume descriptor of the session, its volume size, and
 * whether a superblock tag follows the descriptors. */
static enum sp_status probe(struct img_sectors *rd, int64_t *startp,
			    int64_t *vol_sectors, bool *tagged,
			    struct sp_error *err)
{
	uint8_t buf[SP_SECTOR];
	int64_t start = *startp;
	int hops = 0;

again:
	*tagged = false;
	if (!read_one(rd, start + 16, buf)) {
		sp_error_set(err, SPE_READ, "cannot read the volume descriptor of '%s' "
			     "at sector %lld", rd->name, (long long)(start + 16));
		err->lba = start + 16;
		return SP_FAILED;
	}
	if (img_vd_volume_size(buf) == -2) {
		/* UDF without ISO 9660: no tags to check, as an untagged image */
		int64_t end = img_udf_volume_end(img_sectors_block, rd, buf, start, rd->sectors);

		*vol_sectors = end > start ? end - start : rd->sectors - start;
		*startp = start;
		return SP_OK;
	}
	if (buf[0] != 1 || memcmp(buf + 1, "CD001", 5) != 0) {
		sp_error_set(err, SPE_FORMAT, "'%s' holds no ISO 9660 file system "
			     "(no primary volume descriptor at sector %lld)",
			     rd->name, (long long)(start + 16));
		return SP_FAILED;
	}
	*vol_sectors = (int64_t)buf[80] | (int64_t)buf[81] << 8 |
		       (int64_t)buf[82] << 16 | (int64_t)buf[83] << 24;
	for (int64_t lba = start + 17; lba < start + 16 + TAG_SCAN; lba++) {
		int type = 0;
		uint32_t pos, rstart, rsize, next;
		char md5[16];

		if (!read_one(rd, lba, buf))
			break;
		if (iso_util_decode_md5_tag((char *)buf, &type, &pos, &rstart, &rsize,
					    &next, md5, 0) != 1 || pos != (uint32_t)lba)
			continue;
		/*
		 * A relocated superblock (type 4, xorriso on files and
		 * overwritable media) points to the session to check; a
		 * superblock tag whose range starts elsewhere says where its
		 * session really begins.
		 */
		if (type == 4 && next > (uint32_t)start && hops++ < 4) {
			start = next;
			goto again;
		}
		if (type == 2 && rstart != (uint32_t)start && rstart > (uint32_t)start &&
		    hops++ < 4) {
			start = rstart;
			goto again;
		}
		if (type == 2) {
			*tagged = true;
			break;
		}
	}
	/* a damaged superblock tag must not pass for an untagged image: look
	 * for the session tag, which sits before up to 150 sectors of padding
	 * at the end of the volume */
	for (int64_t lba = start + *vol_sectors - 1;
	     !*tagged && lba > start + 16 && lba >= start + *vol_sectors - 200; lba--) {
		int type = 0;
		uint32_t pos, rstart, rsize, next;
		char md5[16];

		if (lba >= rd->sectors || !read_one(rd, lba, buf))
			continue;
		if (iso_util_decode_md5_tag((char *)buf, &type, &pos, &rstart, &rsize,
					    &next, md5, 1) == 1 && type == 1 &&
		    pos == (uint32_t)lba && rstart == (uint32_t)start)
			*tagged = true;
	}
	*startp = start;
	return SP_OK;
}

/* SHA-256 of the first `bytes` bytes from sector start */
static enum sp_status sha256_content(struct img_sectors *rd, int64_t start,
				     uint64_t bytes, struct img_md5_report *r,
				     img_md5_progress_fn progress, void *ctx,
				     struct sp_error *err)
{
	struct img_sha256 *h = img_sha256_new();
	uint8_t *buf = malloc(MD5_CHUNK * SP_SECTOR);
	enum sp_status rc = SP_OK;
	uint64_t pos = 0;
	double last = 0;

	if (!h || !buf) {
		free(buf);
		if (h)
			img_sha256_final(h, r->sha256);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	while (pos < bytes) {
		uint64_t left = (bytes - pos + SP_SECTOR - 1) / SP_SECTOR;
		uint32_t want = left < MD5_CHUNK ? (uint32_t)left : MD5_CHUNK, done;
		uint64_t n;

		if (drv_interrupted()) {
			rc = sp_error_set(err, SPE_ABORTED, "interrupted");
			break;
		}
		if (img_sectors_read(rd, start + (int64_t)(pos / SP_SECTOR), want, buf, &done, err) != SP_OK) {
			rc = SP_FAILED;
			break;
		}
		n = (uint64_t)done * SP_SECTOR;
		if (n > bytes - pos)
			n = bytes - pos;
		img_sha256_update(h, buf, (size_t)n);
		pos += n;
		r->bytes_read += n;
		if (progress && sp_now() - last > 0.2) {
			last = sp_now();
			progress(pos, bytes, ctx);
		}
	}
	img_sha256_final(h, r->sha256);
	r->sha256_bytes = pos;
	free(buf);
	return rc;
}

enum sp_status md5_check(struct img_sectors *rd, int64_t start, int64_t sha_bytes,
			 struct img_md5_report *r, img_md5_progress_fn progress,
			 void *ctx, struct sp_error *err)
{
	int64_t vol;
	bool tagged;

	*r = (struct img_md5_report)IMG_MD5_REPORT_INIT;
	if (probe(rd, &start, &vol, &tagged, err) != SP_OK)
		return SP_FAILED;
	r->session_start = start;
	if (!tagged) {
		if (sha_bytes < 0)
			sha_bytes = (vol < rd->sectors - start ? vol : rd->sectors - start) * SP_SECTOR;
		return sha256_content(rd, start, (uint64_t)sha_bytes, r, progress, ctx, err);
	}
	r->has_tags = true;
	return md5_verify_session(rd, start, vol, r, progress, ctx, err);
}

enum sp_status img_md5_check_file(const char *path, struct img_md5_report *r,
				  img_md5_progress_fn progress, void *ctx,
				  struct sp_error *err)
{
	struct img_sectors rd = IMG_SECTORS_INIT;
	enum sp_status rc;
	struct stat st;

	*r = (struct img_md5_report)IMG_MD5_REPORT_INIT;
	if (drv_lib_init(err) != SP_OK)
		return SP_FAILED;
	rd.fd = open(path, O_RDONLY);
	if (rd.fd < 0)
		return sp_error_set_errno(err, errno, "cannot open '%s'", path);
	if (fstat(rd.fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(rd.fd);
		return sp_error_set(err, SPE_USAGE, "'%s' is not a regular file", path);
	}
	/* a partial last sector counts, zero-padded */
	rd.name = path;
	rd.bytes = st.st_size;
	rd.sectors = (st.st_size + SP_SECTOR - 1) / SP_SECTOR;
	posix_fadvise(rd.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	rc = md5_check(&rd, 0, st.st_size, r, progress, ctx, err);
	close(rd.fd);
	return rc;
}

enum sp_status img_md5_check_drive(struct drv_drive *d, int64_t session_start,
				   struct img_md5_report *r,
				   img_md5_progress_fn progress, void *ctx,
				   struct sp_error *err)
{
	struct img_sectors rd = IMG_SECTORS_INIT;

	*r = (struct img_md5_report)IMG_MD5_REPORT_INIT;
	rd.drive = d;
	rd.name = drv_address(d);
	rd.sectors = drv_readable_sectors(d);
	rd.bytes = rd.sectors * SP_SECTOR;
	if (rd.sectors <= 0)
		return sp_error_set(err, SPE_NOMEDIUM, "nothing readable in '%s'",
				    drv_address(d));
	return md5_check(&rd, session_start, -1, r, progress, ctx, err);
}
