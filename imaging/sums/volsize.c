/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * volsize.c - how long the volume says it is, in the style of isolyzer,
 * through fs/'s readers (img_vd_volume_size, img_udf_volume_end): an image
 * shorter than that was cut off (an interrupted download, a copy to a
 * full disk).  Also keeps the primary volume descriptor's application-use
 * area, where the isomd5sum and tagmedia records live.
 */
#include "config.h"

#include <string.h>

#include "imaging/sums/sums_private.h"

#define VD_FIRST 16
#define VD_MAX 64               /* descriptors looked at */

void sums_volume_probe(struct img_sectors *rd, struct sums_volume *v)
{
	unsigned char b[SP_SECTOR];
	int64_t n, cap = (rd->bytes + SP_SECTOR - 1) / SP_SECTOR;

	v->pvd_offset = -1;
	v->iso_bytes = -1;
	v->udf_bytes = -1;
	memset(v->appdata, ' ', sizeof(v->appdata));
	for (int64_t lba = VD_FIRST; lba < VD_FIRST + VD_MAX; lba++) {
		if (!img_sectors_block(rd, lba, b) || memcmp(b + 1, "CD001", 5) != 0)
			break;
		if (b[0] == 1) {
			n = img_vd_volume_size(b);
			v->pvd_offset = lba * SP_SECTOR;
			if (n > 0)
				v->iso_bytes = n * SP_SECTOR;
			memcpy(v->appdata, b + IMG_APPDATA_OFFSET, IMG_APPDATA_SIZE);
			break;
		}
		if (b[0] == 255)
			break;
	}
	n = img_udf_volume_end(img_sectors_block, rd, b, 0, cap);
	if (n > 0)
		v->udf_bytes = n * SP_SECTOR;
}
