/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * read.c - the primitive the checks share: sectors of an image file or a
 * drive, and a digest fed with the application-use area blanked.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "imaging/sums/sums_private.h"

enum sp_status sums_read(const struct sums_reader *rd, int64_t lba, uint32_t count,
			 unsigned char *buf, uint32_t *done, struct sp_error *err)
{
	size_t want = (size_t)count * SP_SECTOR, got = 0;

	*done = 0;
	if (rd->drive)
		return drv_read(rd->drive, lba, count, buf, done, err);
	while (got < want) {
		ssize_t n = pread(rd->fd, buf + got, want - got, (off_t)lba * SP_SECTOR + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*done = (uint32_t)(got / SP_SECTOR);
			sp_error_set_errno(err, errno, "cannot read '%s' at sector %lld", rd->name,
					   (long long)(lba + *done));
			err->code = SPE_READ;
			err->lba = lba + *done;
			return SP_FAILED;
		}
		if (n == 0) {
			memset(buf + got, 0, want - got);
			break;
		}
		got += (size_t)n;
	}
	*done = count;
	return SP_OK;
}

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

