/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * volsize.c - how long the volume says it is, in the style of isolyzer:
 * the ISO 9660 primary volume descriptor's volume space size, and for UDF
 * the end of the partition its main volume descriptor sequence describes.
 * An image shorter than that was cut off (an interrupted download, a
 * copy to a full disk).
 */
#include "config.h"

#include <string.h>

#include "imaging/sums/sums_private.h"

#define VD_FIRST 16
#define VD_MAX 64               /* descriptors looked at */
#define UDF_ANCHOR 256
#define UDF_VDS_MAX 64          /* sectors of the descriptor sequence read */

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static bool read_sector(const struct sums_reader *rd, int64_t lba, unsigned char *buf)
{
	struct sp_error e = SP_ERROR_INIT;
	uint32_t done = 0;

	if ((lba + 1) * SP_SECTOR > rd->bytes + SP_SECTOR - 1)
		return false;
	return sums_read(rd, lba, 1, buf, &done, &e) == SP_OK && done == 1;
}

/* A UDF descriptor tag: identifier id, checksum right, at lba. */
static bool udf_tag(const unsigned char *b, uint16_t id, int64_t lba)
{
	unsigned sum = 0;

	if (le16(b) != id || le32(b + 12) != (uint32_t)lba)
		return false;
	for (int i = 0; i < 16; i++)
		if (i != 4)
			sum += b[i];
	return (sum & 0xff) == b[4];
}

static void probe_udf(const struct sums_reader *rd, struct sums_volume *v)
{
	unsigned char b[SP_SECTOR];
	uint32_t len, loc;
	int64_t end = -1;

	if (!read_sector(rd, UDF_ANCHOR, b) || !udf_tag(b, 2, UDF_ANCHOR))
		return;
	len = le32(b + 16) / SP_SECTOR;
	loc = le32(b + 20);
	if (len > UDF_VDS_MAX)
		len = UDF_VDS_MAX;
	for (uint32_t i = 0; i < len; i++) {
		if (!read_sector(rd, (int64_t)loc + i, b))
			break;
		if (udf_tag(b, 8, (int64_t)loc + i))       /* terminator */
			break;
		if (udf_tag(b, 5, (int64_t)loc + i)) {      /* partition descriptor */
			int64_t e = (int64_t)le32(b + 188) + le32(b + 192);

			if (e > end)
				end = e;
		}
	}
	if (end > 0)
		v->udf_bytes = end * SP_SECTOR;
}

void sums_volume_probe(const struct sums_reader *rd, struct sums_volume *v)
{
	unsigned char b[SP_SECTOR];

	v->pvd_offset = -1;
	v->iso_bytes = -1;
	v->udf_bytes = -1;
	memset(v->appdata, ' ', sizeof(v->appdata));
	for (int64_t lba = VD_FIRST; lba < VD_FIRST + VD_MAX; lba++) {
		if (!read_sector(rd, lba, b) || memcmp(b + 1, "CD001", 5) != 0)
			break;
		if (b[0] == 1) {
			v->pvd_offset = lba * SP_SECTOR;
			v->iso_bytes = (int64_t)le32(b + 80) * SP_SECTOR;
			memcpy(v->appdata, b + IMG_APPDATA_OFFSET, IMG_APPDATA_SIZE);
			break;
		}
		if (b[0] == 255)
			break;
	}
	probe_udf(rd, v);
}
