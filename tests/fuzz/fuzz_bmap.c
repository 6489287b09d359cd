/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_bmap.c - img_bmap_parse(), bmaptool's XML block map, as given to
 * burn --bmap beside a downloaded image: untrusted input.
 *
 * Besides crashes this checks what the stick writer relies on: the
 * ranges are in order, do not overlap, lie inside BlocksCount, add up to
 * MappedBlocksCount, and BlocksCount covers ImageSize in BlockSize blocks.
 */
#include "config.h"

#include "imaging/imaging.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_bmap b;
	struct sp_error err = SP_ERROR_INIT;
	uint64_t mapped = 0;

	if (img_bmap_parse(&b, (const char *)data, size, &err) != SP_OK) {
		fuzz_assert(err.code != SPE_NONE);
		fuzz_assert(b.r == NULL && b.n == 0);
		return 0;
	}
	fuzz_assert(b.block_size >= 512 && (b.block_size & (b.block_size - 1)) == 0);
	fuzz_assert(b.blocks == (b.image_size + b.block_size - 1) / b.block_size);
	for (size_t i = 0; i < b.n; i++) {
		fuzz_assert(b.r[i].first <= b.r[i].last);
		fuzz_assert(b.r[i].last < b.blocks);
		fuzz_assert(i == 0 || b.r[i].first > b.r[i - 1].last);
		mapped += b.r[i].last - b.r[i].first + 1;
	}
	fuzz_assert(mapped == b.mapped_blocks);
	img_bmap_release(&b);
	return 0;
}
