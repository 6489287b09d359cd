/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_mapfile.c - img_mapfile_parse(), GNU ddrescue's mapfile format, as
 * read when a rip resumes (-o X with X.map present), with --test-mode, and
 * by `spindle files`.  A mapfile may come from another program or be
 * truncated by a crash, so it is untrusted input.
 *
 * Besides crashes this checks what the rescue engine relies on: the
 * blocks start at 0, are contiguous, non-empty, merged and of a valid
 * status; what img_mapfile_format() writes parses back to the same map;
 * and img_mapfile_align() and img_mapfile_bad_ranges() keep the map whole.
 */
#include "config.h"

#include "imaging/imaging.h"
#include "tests/fuzz/fuzz.h"

static void check_map(const struct img_mapfile *m)
{
	int64_t at = 0;

	for (size_t i = 0; i < m->n; i++) {
		fuzz_assert(m->v[i].pos == at);
		fuzz_assert(m->v[i].size > 0);
		fuzz_assert(img_map_status_valid(m->v[i].status));
		fuzz_assert(i == 0 || m->v[i].status != m->v[i - 1].status);
		fuzz_assert(m->v[i].size <= INT64_MAX - at);
		at += m->v[i].size;
	}
	fuzz_assert(img_mapfile_size(m) == at);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_mapfile m, again;
	struct img_ranges bad = IMG_RANGES_INIT;
	struct sp_error err = SP_ERROR_INIT;
	char *text = NULL;
	size_t len = 0;
	int64_t total, sum = 0;

	img_mapfile_init(&m);
	img_mapfile_init(&again);
	if (img_mapfile_parse(&m, (const char *)data, size, &err) != SP_OK) {
		fuzz_assert(err.code != SPE_NONE && err.msg[0]);
		fuzz_assert(m.n == 0);
		goto out;
	}
	check_map(&m);
	total = img_mapfile_size(&m);
	for (char st = 0; st < 127; st++)
		if (img_map_status_valid(st))
			sum += img_mapfile_count(&m, st, NULL);
	fuzz_assert(sum == total);

	/* what we write, we read back the same */
	fuzz_assert(img_mapfile_format(&m, "fuzz", &text, &len, &err) == SP_OK);
	fuzz_assert(img_mapfile_parse(&again, text, len, &err) == SP_OK);
	fuzz_assert(again.n == m.n && again.current_pos == m.current_pos &&
		    again.current_status == m.current_status &&
		    again.current_pass == m.current_pass);
	/* field by field: memcmp would compare the structs' padding too */
	for (size_t i = 0; i < m.n; i++)
		fuzz_assert(again.v[i].pos == m.v[i].pos &&
			    again.v[i].size == m.v[i].size &&
			    again.v[i].status == m.v[i].status);

	/* resume works on whole sectors */
	img_mapfile_align(&m, SP_SECTOR);
	check_map(&m);
	fuzz_assert(img_mapfile_size(&m) == total);
	img_mapfile_bad_ranges(&m, &bad, &err);
	img_ranges_release(&bad);
out:
	free(text);
	img_mapfile_release(&m);
	img_mapfile_release(&again);
	return 0;
}
