/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * read.c - what the checks share besides the sector reader (fs/'s
 * struct img_sectors): a digest fed with the application-use area blanked.
 */
#include "config.h"

#include <string.h>

#include "imaging/sums/sums_private.h"

void sums_feed_blanked(struct img_digest *d, int64_t pos, const unsigned char *data,
		       size_t len, int64_t blank_at, int64_t blank_len, unsigned char fill)
{
	int64_t a = blank_at > pos ? blank_at : pos;
	int64_t b = blank_at + blank_len < pos + (int64_t)len ? blank_at + blank_len
							      : pos + (int64_t)len;
	unsigned char spaces[IMG_APPDATA_SIZE];

	if (a >= b || blank_len > (int64_t)sizeof(spaces)) {
		img_digest_update(d, data, len);
		return;
	}
	memset(spaces, fill, sizeof(spaces));
	img_digest_update(d, data, (size_t)(a - pos));
	img_digest_update(d, spaces, (size_t)(b - a));
	img_digest_update(d, data + (b - pos), (size_t)(pos + (int64_t)len - b));
}

