/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * volume_size.c - how far a file system reaches: the volume space size in
 * an ISO 9660 primary volume descriptor, and the end of a UDF volume from
 * its anchor and partition descriptor.  A rescue reads exactly this much
 * of a disc; the parsers take hostile bytes (tests/fuzz/fuzz_iso.c).
 */
#include "config.h"

#include <string.h>

#include "imaging/fs/fs.h"

static int64_t be32(const unsigned char *p)
{
	return (int64_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static int64_t le32(const unsigned char *p)
{
	return (int64_t)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0];
}

int64_t img_vd_volume_size(const unsigned char *vd)
{
	int64_t n;

	if (memcmp(vd + 1, "BEA01", 5) == 0)
		return -2;      /* UDF's volume recognition sequence */
	if (vd[0] != 1 || memcmp(vd + 1, "CD001", 5) != 0)
		return -1;
	n = le32(vd + 80);
	if (n != be32(vd + 84) || n < 17)
		return -1;
	return n;
}

/* A UDF descriptor tag with this identifier and a good checksum? */
static bool udf_tag(const unsigned char *b, int id)
{
	unsigned sum = 0;

	for (int i = 0; i < 16; i++)
		if (i != 4)
			sum += b[i];
	return (b[0] | b[1] << 8) == id && (sum & 0xff) == b[4];
}

int64_t img_udf_volume_end(img_block_read_fn read, void *ctx, unsigned char *buf,
			   int64_t start, int64_t cap)
{
	int64_t vds, len, end = -1;

	if (!read(ctx, start + 256, buf) || !udf_tag(buf, 2))
		return -1;
	len = le32(buf + 16) / SP_SECTOR;
	vds = start + le32(buf + 20);
	for (int64_t i = 0; i < len && i < 32; i++) {
		if (!read(ctx, vds + i, buf))
			return -1;
		if (udf_tag(buf, 8))
			break;
		if (udf_tag(buf, 5))
			end = start + le32(buf + 188) + le32(buf + 192);
	}
	/* the reserve anchors lie past the partition, up to 256 sectors */
	if (end > 0 && cap > end && cap - end <= 512)
		end = cap;
	return end > 256 ? end : -1;
}
