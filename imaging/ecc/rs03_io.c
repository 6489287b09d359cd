/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rs03_io.c - where RS03's 255 layers live and how a run of one layer is
 * read.  A .ecc file holds the 2-sector header, the CRC layer and the ecc
 * layers; the data layers are the image, padded (virtually, in memory) to
 * ndata-1 layers with dvdisaster's padding sectors.  In an augmented
 * image all 255 layers follow each other in the image itself.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "imaging/ecc/ecc_private.h"

void rs03_where(const struct rs03 *r, int j, int *fd, uint64_t *sector, uint64_t *fsize)
{
	if (r->augmented || j < r->ndata - 1) {
		*fd = r->fd_img;
		*sector = (uint64_t)j * r->L;
		*fsize = r->img_bytes;
	} else {
		*fd = r->fd_ecc;
		*sector = 2 + (uint64_t)(j - (r->ndata - 1)) * r->L;
		*fsize = r->ecc_bytes;
	}
}

bool rs03_virtual(const struct rs03 *r, uint64_t n)
{
	return !r->augmented && n >= r->h.sectors;
}

void rs03_padding(const struct rs03 *r, uint64_t n, uint8_t out[SP_SECTOR])
{
	ecc_padding_sector(out, n, r->h.medium_fp, r->h.fp_sector);
}

int rs03_read(const struct rs03 *r, int j, uint64_t i0, uint64_t cnt, uint8_t *buf,
	      uint8_t *missing)
{
	uint64_t base, fsize, real = cnt, off;
	int fd;

	rs03_where(r, j, &fd, &base, &fsize);
	if (missing)
		memset(missing, 0, cnt);
	if (j < r->ndata - 1 && !r->augmented) {
		uint64_t n0 = (uint64_t)j * r->L + i0;
		/* the image part of this run, then virtual padding */
		real = n0 >= r->h.sectors ? 0 : r->h.sectors - n0;
		if (real > cnt)
			real = cnt;
		for (uint64_t k = real; k < cnt; k++)
			rs03_padding(r, n0 + k, buf + k * SP_SECTOR);
	}
	off = (base + i0) * SP_SECTOR;
	size_t want = (size_t)(real * SP_SECTOR), got = 0;
	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got, (off_t)(off + got));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got < want) {
		memset(buf + got, 0, want - got);
		/* a sector is there when all of it is, but the last one of
		 * the image holds only inLast bytes */
		for (uint64_t k = got / SP_SECTOR; k < real && missing; k++) {
			uint64_t need = SP_SECTOR;
			if (j < r->ndata - 1 && (uint64_t)j * r->L + i0 + k == r->h.sectors - 1)
				need = (uint64_t)r->h.in_last;
			if (got < k * SP_SECTOR + need)
				missing[k] = 1;
		}
	}
	(void)fsize;
	return 0;
}

int rs03_fingerprint(int fd, uint64_t img_bytes, int fp_sector, uint8_t out[16])
{
	uint8_t buf[SP_SECTOR];
	unsigned len = 16;
	uint64_t off = (uint64_t)fp_sector * SP_SECTOR;
	ssize_t n;

	memset(out, 0, 16);
	if (img_bytes < off + SP_SECTOR)
		return 0;
	do
		n = pread(fd, buf, SP_SECTOR, (off_t)off);
	while (n < 0 && errno == EINTR);
	if (n != SP_SECTOR) {
		if (n >= 0)
			errno = EIO;
		return -1;
	}
	return EVP_Digest(buf, SP_SECTOR, out, &len, EVP_md5(), NULL) ? 0 : (errno = EIO, -1);
}

void rs03_crcblock_init(const struct rs03 *r, struct ecc_crcblock *c)
{
	memset(c, 0, sizeof(*c));
	c->h = r->h;
}
