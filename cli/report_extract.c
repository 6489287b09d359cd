/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_extract.c - extract --report: the block reads of an extraction
 * recorded (a map in memory: '+' read, '-' unreadable, '?' not read; and
 * their times, for the read curve), the damaged files gathered from the
 * extraction's outcomes, drawn when it ends.  cmd_extract.c only puts the
 * recording reader in front of its source and hands each outcome over.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "imaging/imaging.h"

enum sp_status cli_xrec_init(struct cli_xrec *x, img_block_read_fn read,
			     uint32_t (*read_run)(void *, int64_t, uint32_t, unsigned char *),
			     void *ctx, int64_t sectors, struct sp_error *err)
{
	memset(x, 0, sizeof(*x));
	x->read = read;
	x->read_run = read_run;
	x->ctx = ctx;
	x->t0 = sp_now();
	img_mapfile_init(&x->map);
	if (img_mapfile_reset(&x->map, sectors * SP_SECTOR) != SP_OK ||
	    img_read_times_init(&x->times, sectors, 400) != SP_OK)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	return SP_OK;
}

static void mark(struct cli_xrec *x, int64_t lba, int64_t n, bool ok)
{
	/* a block read well once stays read; out of memory only loses the map */
	if (img_mapfile_mark(&x->map, lba * SP_SECTOR, n * SP_SECTOR, ok ? '+' : '-',
			     IMG_MARK_KEEP_FINISHED) != SP_OK)
		x->oom = true;
}

bool cli_xrec_read(void *ctx, int64_t lba, unsigned char *buf)
{
	struct cli_xrec *x = ctx;
	double t0 = sp_now();
	bool ok = x->read(x->ctx, lba, buf);

	img_read_times_add(&x->times, lba, 1, sp_now() - t0, ok);
	x->reads++;
	x->failed += !ok;
	mark(x, lba, 1, ok);
	return ok;
}

uint32_t cli_xrec_read_run(void *ctx, int64_t lba, uint32_t n, unsigned char *buf)
{
	struct cli_xrec *x = ctx;
	double t0 = sp_now();
	uint32_t done = x->read_run(x->ctx, lba, n, buf);

	/* a short run is read again block by block: only what came counts */
	img_read_times_add(&x->times, lba, n, sp_now() - t0, done == n);
	x->reads++;
	x->failed += done < n;
	mark(x, lba, done, true);
	return done;
}

/* The disc LBA of the file's 2048-byte unit u, -1 if past its extents. */
static int64_t unit_lba(const struct img_fs_node *n, int64_t u)
{
	uint64_t off = (uint64_t)u * SP_SECTOR, at = 0;

	for (size_t k = 0; k < n->n_ext; k++) {
		if (off < at + n->ext[k].bytes)
			return n->ext[k].lba < 0 ? -1 : n->ext[k].lba + (int64_t)((off - at) / SP_SECTOR);
		at += n->ext[k].bytes;
	}
	return -1;
}

void cli_xrec_file(struct cli_xrec *x, const struct img_extract_file *f)
{
	struct img_iso_damage *d = &x->files;
	struct img_iso_file *v;

	if (!f->bad || !f->bad->n || (f->state != IMG_X_DAMAGED && f->state != IMG_X_SKIPPED))
		return;
	if (d->n == d->alloc) {
		size_t na = d->alloc ? d->alloc * 2 : 16;

		v = realloc(d->files, na * sizeof(*v));
		if (!v) {
			x->oom = true;
			return;
		}
		d->files = v;
		d->alloc = na;
	}
	v = &d->files[d->n];
	v->path = strdup(f->node->path);
	if (!v->path) {
		x->oom = true;
		return;
	}
	v->size = (int64_t)f->node->size;
	v->bad_sectors = img_ranges_total(f->bad);
	v->first_bad_lba = unit_lba(f->node, f->bad->v[0].lba);
	d->n++;
}

bool cli_xrec_finish(struct cli_ctx *ctx, struct cli_xrec *x, const char *source,
		     struct drv_drive *d, const struct img_fs_tree *t, const char *path)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_report r = IMG_REPORT_INIT;
	char medium[80];
	bool ok = false;

	if (x->oom) {
		sp_error_set(&err, SPE_NOMEM, "out of memory recording the reads");
		cli_print_error(ctx, "report", &err);
		return false;
	}
	if (img_report_set_map(&r, &x->map, &err) != SP_OK) {
		cli_print_error(ctx, "report", &err);
		goto out;
	}
	x->files.files_total = 0;
	for (size_t i = 0; i < t->n; i++)
		x->files.files_total += t->v[i].type == IMG_NODE_FILE;
	r.title = "spindle extract";
	r.source = source;
	r.elapsed = sp_now() - x->t0;
	r.reads = x->reads;
	r.failed_reads = x->failed;
	r.files = &x->files;
	r.times = &x->times;
	if (d)
		cli_report_medium(d, &r, medium, sizeof(medium));
	ok = cli_report_finish(ctx, &r, path);
out:
	img_report_release(&r);
	return ok;
}

void cli_xrec_release(struct cli_xrec *x)
{
	img_mapfile_release(&x->map);
	img_read_times_release(&x->times);
	img_iso_damage_release(&x->files);
}
