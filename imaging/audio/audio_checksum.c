/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_checksum.c - a ripped track's checksums: CRC32 as EAC prints it
 * (zlib's crc32 over the PCM bytes), and AccurateRip v1 and v2.
 *
 * AccurateRip treats a track as a sequence of 32-bit words (one stereo
 * sample, left in the low half) numbered from 1.  v1 sums word * number
 * modulo 2^32; v2 sums the high and the low halves of the 64-bit product.
 * On the first audio track of a disc the words numbered below 5 * 588 are
 * left out, on the last one those above (length - 5 * 588), because drives
 * with different offsets cannot read those the same.
 */
#include "config.h"

#include <zlib.h>

#include "imaging/audio/audio.h"

void img_audio_sum_init(struct img_audio_sum *s, uint64_t total_samples,
			bool first_track, bool last_track)
{
	s->crc32 = (uint32_t)crc32(0L, Z_NULL, 0);
	s->ar_v1 = s->ar_v2 = 0;
	s->samples = 0;
	s->total = total_samples;
	s->ar_from = first_track ? 5 * IMG_CD_SAMPLES : 0;
	s->ar_to = total_samples;
	if (last_track)
		s->ar_to = total_samples >= 5 * IMG_CD_SAMPLES ?
			   total_samples - 5 * IMG_CD_SAMPLES : 0;
}

void img_audio_sum_update(struct img_audio_sum *s, const void *pcm, size_t bytes)
{
	const uint8_t *p = pcm;
	uint32_t v1 = s->ar_v1, v2 = s->ar_v2;
	uint64_t n = s->samples;

	for (size_t done = 0; done < bytes; ) {
		size_t chunk = bytes - done > (1u << 30) ? (1u << 30) : bytes - done;

		s->crc32 = (uint32_t)crc32(s->crc32, p + done, (uInt)chunk);
		done += chunk;
	}
	for (size_t i = 0; i + 4 <= bytes; i += 4) {
		uint32_t w = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
			     (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
		uint64_t mult = ++n;

		if (mult >= s->ar_from && mult <= s->ar_to) {
			uint64_t prod = (uint64_t)w * (uint32_t)mult;

			v1 += (uint32_t)prod;
			v2 += (uint32_t)prod + (uint32_t)(prod >> 32);
		}
	}
	s->ar_v1 = v1;
	s->ar_v2 = v2;
	s->samples = n;
}
