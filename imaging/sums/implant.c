/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * implant.c - record an isomd5sum MD5 in an ISO image, as implantisomd5
 * does, so that checkisomd5 (and Anaconda's media check) accept it.  The
 * hashing is the checker's own (isomd5.c), so what is implanted is what
 * a check computes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imaging/sums/sums_private.h"

#define FRAGMENTS 20
#define SKIP 15                 /* sectors left out at the end, as implantisomd5 */

enum sp_status img_isomd5_implant(const char *path, struct img_isomd5 *out,
				  struct sp_error *err)
{
	struct img_sectors rd = IMG_SECTORS_INIT;
	struct sums_volume vol;
	struct isomd5_run m;
	unsigned char *buf = NULL, area[IMG_APPDATA_SIZE];
	enum sp_status st = SP_FAILED;
	char sums[61];
	struct stat sb;
	int64_t pos = 0;

	memset(out, 0, sizeof(*out));
	rd.fd = open(path, O_RDWR | O_CLOEXEC);
	if (rd.fd < 0)
		return sp_error_set_errno(err, errno, "cannot open '%s'", path);
	if (fstat(rd.fd, &sb) < 0) {
		sp_error_set_errno(err, errno, "cannot stat '%s'", path);
		goto out;
	}
	rd.name = path;
	rd.bytes = sb.st_size;
	rd.sectors = (rd.bytes + SP_SECTOR - 1) / SP_SECTOR;
	sums_volume_probe(&rd, &vol);
	if (vol.pvd_offset < 0 || vol.iso_bytes <= SKIP * SP_SECTOR || vol.iso_bytes > sb.st_size) {
		sp_error_set(err, SPE_FORMAT, "cannot implant an MD5 in '%s': no complete ISO 9660 "
			     "volume", path);
		goto out;
	}
	out->skip_sectors = SKIP;
	out->fragment_count = FRAGMENTS;
	out->supported = 0;
	memset(out->fragment_sums, '0', 60);
	isomd5_run_init(&m, out, vol.iso_bytes, vol.pvd_offset);
	memset(sums, '0', 60);
	sums[60] = '\0';
	m.collect = sums;
	buf = malloc((size_t)DRV_READ_MAX * SP_SECTOR);
	if (!buf || !m.md5) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out_run;
	}
	while (!m.done) {
		uint32_t done;
		size_t n = (size_t)DRV_READ_MAX * SP_SECTOR;

		if (img_sectors_read(&rd, pos / SP_SECTOR, DRV_READ_MAX, buf, &done, err) != SP_OK)
			goto out_run;
		if ((int64_t)n > m.total - pos)
			n = (size_t)(m.total - pos);
		isomd5_run_feed(&m, pos, buf, n);
		pos += (int64_t)n;
	}
	memcpy(out->md5, m.actual, 33);
	memcpy(out->fragment_sums, sums, 61);
	img_isomd5_format(out, area);
	if (sp_pwrite_all(rd.fd, area, sizeof(area), (uint64_t)(vol.pvd_offset + IMG_APPDATA_OFFSET),
			  path, err) != SP_OK)
		goto out_run;
	if (fsync(rd.fd) < 0) {
		sp_error_set_errno(err, errno, "cannot write '%s'", path);
		goto out_run;
	}
	st = SP_OK;
out_run:
	isomd5_run_release(&m);
out:
	free(buf);
	close(rd.fd);
	return st;
}
