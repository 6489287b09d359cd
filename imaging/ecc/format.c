/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * format.c - the bytes of dvdisaster's formats that are not parity: the
 * CRC32, the 4096-byte EccHeader, the RS03 CrcBlock, and the padding and
 * dead-sector markers.  Offsets are those of the codec specification's
 * structures, all integers little-endian.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <isa-l/crc.h>

#include "imaging/ecc/ecc_private.h"

static const char cookie[12] = { '*', 'd', 'v', 'd', 'i', 's', 'a', 's', 't', 'e', 'r', '*' };

uint32_t ecc_crc32(const void *buf, size_t len)
{
	/* crc32_gzip_refl() is zlib's crc32(): dvdisaster's without the final
	 * inversion */
	return ~crc32_gzip_refl(0, buf, (uint64_t)len);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* EccHeader offsets */
enum {
	H_COOKIE = 0, H_METHOD = 12, H_FLAGS = 16, H_FP = 20, H_SUM = 36, H_ECCSUM = 52,
	H_SECTORS = 68, H_DATA = 76, H_ECC = 80, H_CREATOR = 84, H_NEEDED = 88,
	H_FPSECTOR = 92, H_SELFCRC = 96, H_CRCSUM = 100, H_INLAST = 116, H_SPL = 120,
	H_ADDED = 128,
};

static bool selfcrc_used(const char *method)
{
	return strcmp(method, "RS02") == 0 || strcmp(method, "RS03") == 0;
}

void ecc_header_write(const struct ecc_header *h, uint8_t out[ECC_HEADER_BYTES])
{
	memset(out, 0, ECC_HEADER_BYTES);
	memcpy(out + H_COOKIE, cookie, 12);
	memcpy(out + H_METHOD, h->method, 4);
	memcpy(out + H_FLAGS, h->flags, 4);
	memcpy(out + H_FP, h->medium_fp, 16);
	memcpy(out + H_SUM, h->medium_sum, 16);
	memcpy(out + H_ECCSUM, h->ecc_sum, 16);
	put64(out + H_SECTORS, h->sectors);
	put32(out + H_DATA, (uint32_t)h->data_bytes);
	put32(out + H_ECC, (uint32_t)h->ecc_bytes);
	put32(out + H_CREATOR, (uint32_t)h->creator);
	put32(out + H_NEEDED, (uint32_t)h->needed);
	put32(out + H_FPSECTOR, (uint32_t)h->fp_sector);
	memcpy(out + H_CRCSUM, h->crc_sum, 16);
	put32(out + H_INLAST, (uint32_t)h->in_last);
	put64(out + H_SPL, h->sectors_per_layer);
	put64(out + H_ADDED, h->sectors_added);
	if (selfcrc_used(h->method)) {
		put32(out + H_SELFCRC, ECC_SELFCRC_PRESET);
		put32(out + H_SELFCRC, ecc_crc32(out, ECC_HEADER_BYTES));
	}
}

void ecc_header_seal(uint8_t hdr[ECC_HEADER_BYTES])
{
	put32(hdr + H_SELFCRC, ECC_SELFCRC_PRESET);
	put32(hdr + H_SELFCRC, ecc_crc32(hdr, ECC_HEADER_BYTES));
}

enum sp_status ecc_header_parse(const uint8_t *buf, size_t len, struct ecc_header *h,
				struct sp_error *err)
{
	uint8_t tmp[ECC_HEADER_BYTES];

	memset(h, 0, sizeof(*h));
	if (len < ECC_HEADER_BYTES)
		return sp_error_set(err, SPE_FORMAT,
				    "error-correction header: %zu bytes, expected 4096", len);
	if (memcmp(buf + H_COOKIE, cookie, 12) != 0)
		return sp_error_set(err, SPE_FORMAT,
				    "not dvdisaster error-correction data (no \"*dvdisaster*\" at byte 0)");
	memcpy(h->method, buf + H_METHOD, 4);
	h->method[4] = 0;
	if (strcmp(h->method, "RS01") && strcmp(h->method, "RS02") && strcmp(h->method, "RS03"))
		return sp_error_set(err, SPE_FORMAT,
				    "unknown error-correction method at byte 12 (not RS01, RS02 or RS03)");
	memcpy(h->flags, buf + H_FLAGS, 4);
	memcpy(h->medium_fp, buf + H_FP, 16);
	memcpy(h->medium_sum, buf + H_SUM, 16);
	memcpy(h->ecc_sum, buf + H_ECCSUM, 16);
	h->sectors = get64(buf + H_SECTORS);
	h->data_bytes = (int32_t)get32(buf + H_DATA);
	h->ecc_bytes = (int32_t)get32(buf + H_ECC);
	h->creator = (int32_t)get32(buf + H_CREATOR);
	h->needed = (int32_t)get32(buf + H_NEEDED);
	h->fp_sector = (int32_t)get32(buf + H_FPSECTOR);
	h->self_crc = get32(buf + H_SELFCRC);
	memcpy(h->crc_sum, buf + H_CRCSUM, 16);
	h->in_last = (int32_t)get32(buf + H_INLAST);
	h->sectors_per_layer = get64(buf + H_SPL);
	h->sectors_added = get64(buf + H_ADDED);
	if (selfcrc_used(h->method) && h->self_crc) {
		memcpy(tmp, buf, ECC_HEADER_BYTES);
		put32(tmp + H_SELFCRC, ECC_SELFCRC_PRESET);
		if (ecc_crc32(tmp, ECC_HEADER_BYTES) != h->self_crc)
			return sp_error_set(err, SPE_FORMAT,
					    "error-correction header damaged (selfCRC at byte 96 does not match)");
	}
	if (h->ecc_bytes < ECC_MIN_ROOTS || h->ecc_bytes > 191 ||
	    h->data_bytes + h->ecc_bytes != ECC_LAYERS)
		return sp_error_set(err, SPE_FORMAT,
				    "error-correction header: %d data and %d ecc bytes (bytes 76, 80) do not make 255",
				    h->data_bytes, h->ecc_bytes);
	if (h->sectors == 0 || h->sectors > (1ULL << 40))
		return sp_error_set(err, SPE_FORMAT,
				    "error-correction header: implausible sector count at byte 68");
	if (h->in_last < 1 || h->in_last > SP_SECTOR)
		h->in_last = SP_SECTOR;     /* before V0.66: always whole sectors */
	if (strcmp(h->method, "RS03") == 0 &&
	    (h->sectors_per_layer == 0 || h->sectors_per_layer > (1ULL << 40) / ECC_LAYERS))
		return sp_error_set(err, SPE_FORMAT,
				    "error-correction header: implausible layer size at byte 120");
	return SP_OK;
}

/* CrcBlock offsets */
enum {
	C_COOKIE = 1024, C_METHOD = 1036, C_FLAGS = 1040, C_CREATOR = 1044, C_NEEDED = 1048,
	C_FPSECTOR = 1052, C_FP = 1056, C_SUM = 1072, C_SECTORS = 1088, C_INLAST = 1096,
	C_DATA = 1100, C_ECC = 1104, C_SPL = 1112, C_SELFCRC = 1120,
};

void ecc_crcblock_write(const struct ecc_crcblock *c, uint8_t out[SP_SECTOR])
{
	const struct ecc_header *h = &c->h;

	memset(out, 0, SP_SECTOR);
	for (int i = 0; i < 256; i++)
		put32(out + 4 * i, c->crc[i]);
	memcpy(out + C_COOKIE, cookie, 12);
	memcpy(out + C_METHOD, h->method, 4);
	memcpy(out + C_FLAGS, h->flags, 4);
	put32(out + C_CREATOR, (uint32_t)h->creator);
	put32(out + C_NEEDED, (uint32_t)h->needed);
	put32(out + C_FPSECTOR, (uint32_t)h->fp_sector);
	memcpy(out + C_FP, h->medium_fp, 16);
	memcpy(out + C_SUM, h->medium_sum, 16);
	put64(out + C_SECTORS, h->sectors);
	put32(out + C_INLAST, (uint32_t)h->in_last);
	put32(out + C_DATA, (uint32_t)h->data_bytes);
	put32(out + C_ECC, (uint32_t)h->ecc_bytes);
	put64(out + C_SPL, h->sectors_per_layer);
	put32(out + C_SELFCRC, ECC_SELFCRC_PRESET);
	put32(out + C_SELFCRC, ecc_crc32(out, SP_SECTOR));
}

bool ecc_crcblock_parse(const uint8_t buf[SP_SECTOR], struct ecc_crcblock *c)
{
	uint8_t tmp[SP_SECTOR];
	struct ecc_header *h = &c->h;
	uint32_t self;

	memset(c, 0, sizeof(*c));
	if (memcmp(buf + C_COOKIE, cookie, 12) != 0)
		return false;
	self = get32(buf + C_SELFCRC);
	memcpy(tmp, buf, SP_SECTOR);
	put32(tmp + C_SELFCRC, ECC_SELFCRC_PRESET);
	if (ecc_crc32(tmp, SP_SECTOR) != self)
		return false;
	for (int i = 0; i < 256; i++)
		c->crc[i] = get32(buf + 4 * i);
	memcpy(h->method, buf + C_METHOD, 4);
	memcpy(h->flags, buf + C_FLAGS, 4);
	h->creator = (int32_t)get32(buf + C_CREATOR);
	h->needed = (int32_t)get32(buf + C_NEEDED);
	h->fp_sector = (int32_t)get32(buf + C_FPSECTOR);
	memcpy(h->medium_fp, buf + C_FP, 16);
	memcpy(h->medium_sum, buf + C_SUM, 16);
	h->sectors = get64(buf + C_SECTORS);
	h->in_last = (int32_t)get32(buf + C_INLAST);
	h->data_bytes = (int32_t)get32(buf + C_DATA);
	h->ecc_bytes = (int32_t)get32(buf + C_ECC);
	h->sectors_per_layer = get64(buf + C_SPL);
	h->self_crc = self;
	return true;
}

/* A marker sector: a title line, then name/value pairs in 32-byte fields
 * from 0x100, and an end line that finishes at byte 2046. */
static void marker_field(uint8_t *out, int off, const char *text)
{
	memcpy(out + off, text, strlen(text));
}

void ecc_padding_sector(uint8_t out[SP_SECTOR], uint64_t number, const uint8_t fp[16],
			int fp_sector)
{
	static const char end[] = "dvdisaster padding sector end marker";
	char num[32];

	memset(out, 0, SP_SECTOR);
	marker_field(out, 0, "dvdisaster padding sector       "
		     "This is a padding sector needed for augmenting the image "
		     "with error correction data.");
	marker_field(out, 0x100, "Padding sector marker version");
	marker_field(out, 0x120, "1.00");
	marker_field(out, 0x140, "Padding sector number");
	snprintf(num, sizeof(num), "%llu", (unsigned long long)number);
	marker_field(out, 0x160, num);
	marker_field(out, 0x180, "Medium fingerprint");
	memcpy(out + 0x1a0, fp, 16);
	marker_field(out, 0x1c0, "Medium fingerprint sector");
	snprintf(num, sizeof(num), "%d", fp_sector);
	marker_field(out, 0x1e0, num);
	marker_field(out, SP_SECTOR - 1 - (int)strlen(end), end);
}

bool ecc_is_dead_marker(const uint8_t buf[SP_SECTOR])
{
	static const char title[] = "dvdisaster dead sector marker";

	return memcmp(buf, title, sizeof(title) - 1) == 0;
}
