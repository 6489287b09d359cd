/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * header_recover.c - an error-correction file whose 4096-byte header is
 * damaged (wrong cookie, selfCRC or fields, or unreadable).
 *
 * RS03, as dvdisaster does it (codec specification, "Re-calculating the
 * layout from defective media"): the header of an .ecc file is not part of
 * an ecc block, but every sector of its CRC layer carries the header's
 * fields and its own selfCRC, so the first valid CRC block after the
 * header (scanning to the end of the file: it may be truncated or mangled)
 * gives the header back, and a repair writes it again.
 *
 * RS01 keeps no copy, and dvdisaster gives the file up ("defective
 * header").  Its layout follows from two sizes, though: the file is the
 * header, 4 CRC bytes per image sector, then roots parity bytes for each
 * of 2048·s ecc blocks, s = ceil(sectors / (255 − roots)).  With the
 * image's size that leaves one root count; the stored CRCs must then match
 * the image's sectors (most of them: some may be damaged).  The MD5 fields
 * are computed again, from the repaired image and the file, so the header
 * a repair writes is the one the file had.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imaging/ecc/ecc_private.h"

#define SCAN_SECTORS 512

/* RS03: the first valid CRC block of an ecc file after its header. */
static int rs03_from_crc_layer(int fd_ecc, uint64_t ecc_bytes, struct ecc_header *h)
{
	uint8_t *buf = malloc((size_t)SCAN_SECTORS * SP_SECTOR);
	uint64_t n = ecc_bytes / SP_SECTOR;
	struct ecc_crcblock cb;
	int rc = -1;

	for (uint64_t s = 2; buf && s < n && rc != 0; s += SCAN_SECTORS) {
		uint64_t cnt = n - s < SCAN_SECTORS ? n - s : SCAN_SECTORS;

		if (ecc_read_at(fd_ecc, buf, cnt * SP_SECTOR, s * SP_SECTOR) < 0)
			break;
		for (uint64_t k = 0; k < cnt; k++) {
			if (!ecc_crcblock_parse(buf + k * SP_SECTOR, &cb) ||
			    memcmp(cb.h.method, "RS03", 4) != 0 || !(cb.h.flags[0] & 2) ||
			    cb.h.data_bytes < 2 || cb.h.data_bytes + cb.h.ecc_bytes != ECC_LAYERS)
				continue;
			*h = cb.h;
			memcpy(h->method, "RS03", 5);
			rc = 0;
			break;
		}
	}
	free(buf);
	return rc;
}

static uint64_t rs01_file_bytes(uint64_t sectors, int roots)
{
	uint64_t s = (sectors + (uint64_t)(ECC_LAYERS - roots) - 1) / (uint64_t)(ECC_LAYERS - roots);

	return ECC_HEADER_BYTES + 4 * sectors + s * SP_SECTOR * (uint64_t)roots;
}

/* How many of the first sectors of the image match their stored CRCs,
 * of how many compared. */
static void rs01_crc_agreement(int fd_img, uint64_t img_bytes, int fd_ecc, uint64_t sectors,
			       unsigned *match, unsigned *tried)
{
	uint8_t sec[SP_SECTOR], c[4];
	uint64_t whole = img_bytes / SP_SECTOR;

	*match = *tried = 0;
	for (uint64_t i = 0; i < sectors && i < whole && *tried < 64; i++) {
		if (ecc_read_at(fd_img, sec, SP_SECTOR, i * SP_SECTOR) != 0 ||
		    ecc_read_at(fd_ecc, c, 4, ECC_HEADER_BYTES + 4 * i) != 0)
			break;
		(*tried)++;
		*match += ecc_crc32(sec, SP_SECTOR) ==
			  ((uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24);
	}
}

/* RS01: the root count the two sizes leave, checked by the stored CRCs. */
static int rs01_from_sizes(int fd_img, uint64_t img_bytes, int fd_ecc, uint64_t ecc_bytes,
			   struct ecc_header *h)
{
	uint64_t sectors = sp_bytes_to_sectors(img_bytes);
	unsigned match, tried;

	if (!sectors)
		return -1;
	for (int roots = ECC_MIN_ROOTS; roots <= ECC_MAX_ROOTS_RS01; roots++) {
		if (rs01_file_bytes(sectors, roots) != ecc_bytes)
			continue;
		rs01_crc_agreement(fd_img, img_bytes, fd_ecc, sectors, &match, &tried);
		if (tried && 2 * match <= tried)
			return -1;
		memset(h, 0, sizeof(*h));
		memcpy(h->method, "RS01", 5);
		h->flags[0] = 1;
		h->sectors = sectors;
		h->in_last = (int32_t)(img_bytes - (sectors - 1) * SP_SECTOR);
		h->creator = ECC_VERSION;
		h->needed = h->in_last == SP_SECTOR ? 5500 : 6600;
		h->fp_sector = 16;
		h->ecc_bytes = roots;
		h->data_bytes = ECC_LAYERS - roots;
		/* the fingerprint of the image as it is: sector 16's CRC is
		 * checked with the others */
		return rs03_fingerprint(fd_img, img_bytes, 16, h->medium_fp) == 0 ? 0 : -1;
	}
	return -1;
}

int ecc_header_recover(int fd_img, uint64_t img_bytes, int fd_ecc, uint64_t ecc_bytes,
		       struct ecc_header *h)
{
	if (rs03_from_crc_layer(fd_ecc, ecc_bytes, h) == 0)
		return 0;
	return rs01_from_sizes(fd_img, img_bytes, fd_ecc, ecc_bytes, h);
}

int ecc_header_rewrite(struct ecc_header *h, int fd_img, uint64_t img_bytes, int fd_ecc,
		       uint64_t ecc_bytes)
{
	uint8_t hdr[ECC_HEADER_BYTES];

	if (strcmp(h->method, "RS01") == 0 &&
	    (rs03_fingerprint(fd_img, img_bytes, 16, h->medium_fp) != 0 ||
	     ecc_md5_fd(fd_img, 0, img_bytes, h->medium_sum) != 0 ||
	     ecc_md5_fd(fd_ecc, ECC_HEADER_BYTES, ecc_bytes - ECC_HEADER_BYTES, h->ecc_sum) != 0))
		return -1;
	ecc_header_write(h, hdr);
	return ecc_write_at(fd_ecc, hdr, sizeof(hdr), 0) == 0 && fsync(fd_ecc) == 0 ? 0 : -1;
}
