/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rip_parity.c - the end of a rip of an augmented disc (spindle burn
 * --protect, dvdisaster RS02/RS03): the sectors the drive could not read
 * are rebuilt from the disc's own error-correction data, with the rip's
 * bad sectors given as erasures, and marked rescued in the mapfile.
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "imaging/imaging.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* SHA-256 of the first bytes of the image, as the rescue reports it */
static void hash_image(const char *path, int64_t bytes, char hex[65])
{
	struct img_sha256 *h = img_sha256_new();
	uint8_t *buf = malloc(1 << 20);
	int fd = open(path, O_RDONLY);
	int64_t done = 0;

	hex[0] = 0;
	while (h && buf && fd >= 0 && done < bytes) {
		size_t want = bytes - done < (1 << 20) ? (size_t)(bytes - done) : (1 << 20);
		ssize_t n = read(fd, buf, want);
		if (n <= 0)
			break;
		img_sha256_update(h, buf, (size_t)n);
		done += n;
	}
	if (h && done == bytes)
		img_sha256_final(h, hex);
	else if (h)
		img_sha256_final(h, (char[65]){ 0 });
	if (fd >= 0)
		close(fd);
	free(buf);
}

int64_t cli_rip_parity(struct cli_ctx *ctx, const char *out, const char *map,
		       struct img_rescue_report *rep)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_ecc_opts o = IMG_ECC_OPTS_INIT;
	struct img_ecc_summary s = IMG_ECC_SUMMARY_INIT;
	struct img_mapfile m;
	bool exists;
	int64_t repaired = 0;

	if (!rep->bad.n || rep->stop == IMG_RESCUE_INTERRUPTED || !img_ecc_is_augmented(out))
		return 0;
	o.erasures = &rep->bad;
	img_mapfile_init(&m);
	if (img_ecc_check(out, NULL, IMG_ECC_REPAIR, &o, &s, &err) == SP_FAILED ||
	    s.unrepairable > s.nremaining ||
	    img_mapfile_load(&m, map, &exists, &err) != SP_OK || !exists) {
		if (err.code != SPE_NONE)
			cli_warn(ctx, "the error-correction data on the disc could not repair the image: %s",
				 err.msg);
		goto out;
	}
	/* every bad sector not left unrepairable is whole now */
	for (size_t i = 0; i < rep->bad.n; i++)
		for (int64_t k = 0; k < rep->bad.v[i].count; k++) {
			uint64_t n = (uint64_t)(rep->bad.v[i].lba + k);
			if (s.nremaining && bsearch(&n, s.remaining, s.nremaining, sizeof(n), cmp_u64))
				continue;
			if (img_mapfile_mark(&m, (int64_t)n * SP_SECTOR, SP_SECTOR, '+', IMG_MARK_ALWAYS) != SP_OK ||
			    img_ranges_add(&rep->repaired, (int64_t)n, 1) != SP_OK)
				goto out;
			repaired++;
		}
	if (img_mapfile_save(&m, map, "spindle", &err) != SP_OK) {
		cli_warn(ctx, "cannot save the mapfile: %s", err.msg);
		repaired = 0;
		goto out;
	}
	img_ranges_release(&rep->bad);
	rep->bad = (struct img_ranges)IMG_RANGES_INIT;
	if (img_mapfile_bad_ranges(&m, &rep->bad, &err) != SP_OK)
		goto out;
	rep->rescued_bytes += repaired * SP_SECTOR;
	rep->missing_bytes -= repaired * SP_SECTOR;
	rep->bad_areas = rep->bad.n;
	rep->complete = rep->missing_bytes <= 0;
	if (rep->complete)
		hash_image(out, rep->extent_sectors * SP_SECTOR, rep->sha256);
	if (!ctx->quiet && !ctx->json)
		fprintf(stderr, "spindle rip: %lld unreadable sector%s repaired from the disc's %s error-correction data\n",
			(long long)repaired, repaired == 1 ? "" : "s", s.method);
out:
	img_mapfile_release(&m);
	img_ecc_summary_release(&s);
	return repaired;
}
