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
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
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
			/* unreadable sectors of a disc: missing, one by one */
			if (errno == EIO && missing && got % SP_SECTOR == 0) {
				uint64_t k0 = got / SP_SECTOR;
				uint64_t rest = fsize > off ? (fsize - off) / SP_SECTOR : 0;
				rest = rest > k0 ? rest - k0 : 0;
				if (rest > real - k0)
					rest = real - k0;
				if (ecc_read_sectors(fd, buf + got, rest, base + i0 + k0, missing + k0) != 0)
					return -1;
				got += (size_t)rest * SP_SECTOR;
				break;
			}
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	for (uint64_t k = 0; r->erasures && missing && k < real; k++)
		if (ecc_known_erasure(r->erasures, base + i0 + k))
			missing[k] = 1;
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

int ecc_read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (int)(got == len ? 0 : 1);
}

bool ecc_known_erasure(const struct img_ranges *e, uint64_t n)
{
	size_t lo = 0, hi = e ? e->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((int64_t)n < e->v[mid].lba)
			hi = mid;
		else if ((int64_t)n >= e->v[mid].lba + e->v[mid].count)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

int ecc_input_size(int fd, uint64_t *bytes)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -1;
	if (S_ISREG(st.st_mode)) {
		*bytes = (uint64_t)st.st_size;
		return 0;
	}
	if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, bytes) == 0)
		return 0;
	errno = EINVAL;
	return -1;
}

int ecc_read_sectors(int fd, uint8_t *buf, uint64_t cnt, uint64_t sector, uint8_t *missing)
{
	if (ecc_read_at(fd, buf, (size_t)cnt * SP_SECTOR, sector * SP_SECTOR) >= 0)
		return 0;
	if (errno != EIO || !missing)
		return -1;
	/* a disc with unreadable sectors: one at a time, the bad ones missing */
	for (uint64_t k = 0; k < cnt; k++)
		if (ecc_read_at(fd, buf + k * SP_SECTOR, SP_SECTOR, (sector + k) * SP_SECTOR) < 0) {
			if (errno != EIO)
				return -1;
			memset(buf + k * SP_SECTOR, 0, SP_SECTOR);
			missing[k] = 1;
		}
	return 0;
}

int ecc_write_at(int fd, const void *buf, size_t len, uint64_t off)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = pwrite(fd, (const uint8_t *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* ISO 9660 volume space size, from the primary volume descriptor. */
static uint64_t iso_sectors(int fd)
{
	uint8_t pvd[SP_SECTOR];

	if (ecc_read_at(fd, pvd, sizeof(pvd), 16 * SP_SECTOR) != 0 || pvd[0] != 1 ||
	    memcmp(pvd + 1, "CD001", 5) != 0)
		return 0;
	return (uint64_t)pvd[80] | (uint64_t)pvd[81] << 8 | (uint64_t)pvd[82] << 16 |
	       (uint64_t)pvd[83] << 24;
}

/* Find the header of an augmented image: after the ISO file system (or
 * 150 sectors later), else where the RS03 layout puts the header of an
 * image that fills the file. */
int rs03_find_augmented(int fd, uint64_t bytes, struct ecc_header *h, struct sp_error *err)
{
	uint8_t buf[ECC_HEADER_BYTES];
	uint64_t iso = iso_sectors(fd), cand[2] = { iso, iso + 150 };
	struct sp_error e2 = SP_ERROR_INIT;

	for (int i = 0; i < 2; i++) {
		if (!cand[i] || (cand[i] + 2) * SP_SECTOR > bytes)
			continue;
		if (ecc_read_at(fd, buf, sizeof(buf), cand[i] * SP_SECTOR) == 0 &&
		    ecc_header_parse(buf, sizeof(buf), h, &e2) == SP_OK && h->sectors == cand[i])
			return 0;
	}
	/* no file system to say where the image ends: an image that fills
	 * 255 layers of a medium; its CRC layer tells the redundancy */
	if (bytes % (ECC_LAYERS * SP_SECTOR) == 0 && bytes) {
		uint64_t L = bytes / (ECC_LAYERS * SP_SECTOR);
		struct ecc_crcblock cb;

		for (int roots = ECC_MIN_ROOTS; roots <= ECC_MAX_ROOTS_RS03; roots++) {
			uint64_t at = (uint64_t)(ECC_LAYERS - 1 - roots) * L;
			if (ecc_read_at(fd, buf, SP_SECTOR, at * SP_SECTOR) != 0 ||
			    !ecc_crcblock_parse(buf, &cb) || cb.h.ecc_bytes != roots ||
			    cb.h.sectors_per_layer != L || cb.h.sectors >= at)
				continue;
			if (ecc_read_at(fd, buf, sizeof(buf), cb.h.sectors * SP_SECTOR) == 0 &&
			    ecc_header_parse(buf, sizeof(buf), h, &e2) == SP_OK &&
			    h->sectors == cb.h.sectors)
				return 0;
			/* the header is damaged: rebuild it from the CRC block */
			*h = cb.h;
			memcpy(h->method, "RS03", 5);
			return 0;
		}
	}
	sp_error_set(err, SPE_FORMAT, "no error-correction data found in the image");
	return -1;
}
