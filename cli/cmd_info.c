/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd_info.c - spindle info: the drive and its medium. */
#include "config.h"

#include <stdlib.h>

#include "cli/cli.h"
#include "cli/info_image.h"
#include "drive/drive.h"
#include "imaging/imaging.h"

static const struct cli_opt opts[] = {
	{ NULL, 0, NULL, NULL }
};

const struct cli_doc doc_info = {
	"[-d DRIVE] [--json] | [--json] IMAGE",
	"Show the medium in a drive, or a disc image: sessions and tracks",
	"Reports the medium's profile (CD-R, DVD+RW, BD-R ...), its state "
	"(blank, appendable, closed or empty), its capacity and free space in "
	"sectors and bytes, the sessions and tracks with start LBA and size, and "
	"the media ID, manufacturer and write speeds where the drive reports "
	"them.  A virtual stdio: drive holding data is reported as closed; an "
	"empty or missing file as blank.\n\n"
	"With IMAGE (and no -d), shows a disc image instead: its format (ISO, "
	"BIN/CUE, cdrdao TOC, Nero NRG, Alcohol MDS/MDF, Daemon Tools MDS v2/MDX, "
	"CloneCD CCD, DiscJuggler CDI, chosen by content), sessions, tracks with mode, start, length, "
	"pregap and indexes, ISRC and catalog number, CD-TEXT, and the file "
	"system and volume ID of the first data track.  A compressed container "
	"(CHD, DMG, DAA/GBI, ISZ) shows its format, size and, for a CD image, "
	"its tracks.",
	opts,
	NULL,
};

static void print_sectors(const char *label, int64_t s)
{
	char h[32];

	if (s < 0) {
		printf("%-14s unknown\n", label);
		return;
	}
	printf("%-14s %lld sectors (%lld bytes, %s)\n", label, (long long)s,
	       (long long)s * SP_SECTOR, sp_human_size((uint64_t)s * SP_SECTOR, h, sizeof(h)));
}

static json_t *speeds_json(const int *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static void print_json(struct cli_ctx *ctx, struct drv_drive *d,
		       const struct drv_medium *m)
{
	json_t *r = cli_json_result(ctx, true), *tracks = json_array();

	for (int i = 0; i < m->n_tracks; i++)
		json_array_append_new(tracks, json_pack("{s:i, s:i, s:I, s:I, s:s}",
			"session", m->tracks[i].session, "track", m->tracks[i].number,
			"start_lba", (json_int_t)m->tracks[i].start_lba,
			"sectors", (json_int_t)m->tracks[i].sectors,
			"kind", m->tracks[i].audio ? "audio" : "data"));
	json_object_set_new(r, "drive", json_string(drv_address(d)));
	json_object_set_new(r, "virtual", json_boolean(m->is_virtual));
	json_object_set_new(r, "profile", json_integer(m->profile));
	json_object_set_new(r, "profile_name", json_string(m->profile_name));
	json_object_set_new(r, "status", json_string(drv_disc_status_name(m->status)));
	json_object_set_new(r, "erasable", json_boolean(m->erasable));
	json_object_set_new(r, "capacity_sectors", json_integer(m->capacity_sectors));
	json_object_set_new(r, "capacity_bytes", json_integer(m->capacity_sectors < 0 ? -1 :
		m->capacity_sectors * SP_SECTOR));
	json_object_set_new(r, "free_sectors", json_integer(m->free_sectors));
	json_object_set_new(r, "free_bytes", json_integer(m->free_sectors < 0 ? -1 :
		m->free_sectors * SP_SECTOR));
	json_object_set_new(r, "readable_sectors", json_integer(m->readable_sectors));
	json_object_set_new(r, "ecc_block", json_integer(m->ecc_block));
	json_object_set_new(r, "sessions", json_integer(m->n_sessions));
	json_object_set_new(r, "tracks", tracks);
	json_object_set_new(r, "media_id", m->media_id[0] ? json_string(m->media_id) : json_null());
	json_object_set_new(r, "manufacturer", m->manufacturer[0] ? json_string(m->manufacturer) : json_null());
	json_object_set_new(r, "write_speeds_kbps", speeds_json(m->write_speeds_kbps, m->n_write_speeds));
	json_object_set_new(r, "read_speeds_kbps", speeds_json(m->read_speeds_kbps, m->n_read_speeds));
	cli_json_emit(r);
}

static void print_text(struct drv_drive *d, const struct drv_medium *m)
{
	double x = drv_x_speed_kbps(m->profile);

	printf("%-14s %s%s\n", "drive:", drv_address(d), m->is_virtual ? " (virtual)" : "");
	printf("%-14s %s (0x%04x)\n", "medium:", m->profile_name, m->profile);
	printf("%-14s %s%s\n", "status:", drv_disc_status_name(m->status),
	       m->erasable ? ", rewritable" : "");
	if (m->status == DRV_DISC_EMPTY)
		return;
	print_sectors("capacity:", m->capacity_sectors);
	print_sectors("free:", m->free_sectors);
	print_sectors("readable:", m->readable_sectors);
	printf("%-14s %d\n", "sessions:", m->n_sessions);
	for (int i = 0; i < m->n_tracks; i++)
		printf("  track %2d  session %d  %s  start LBA %lld  %lld sectors\n",
		       m->tracks[i].number, m->tracks[i].session,
		       m->tracks[i].audio ? "audio" : "data ",
		       (long long)m->tracks[i].start_lba, (long long)m->tracks[i].sectors);
	if (m->media_id[0])
		printf("%-14s %s\n", "media id:", m->media_id);
	if (m->manufacturer[0])
		printf("%-14s %s\n", "manufacturer:", m->manufacturer);
	if (m->n_write_speeds) {
		printf("%-14s", "write speeds:");
		for (int i = 0; i < m->n_write_speeds; i++)
			printf(" %.1fx", m->write_speeds_kbps[i] / x);
		printf(" (%d kB/s max)\n", m->write_speeds_kbps[0]);
	}
	if (m->n_read_speeds)
		printf("%-14s %.1fx (%d kB/s max)\n", "read speed:",
		       m->read_speeds_kbps[0] / x, m->read_speeds_kbps[0]);
}

int cmd_info(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;
	struct drv_drive *d = NULL;
	struct drv_medium m;
	int rc;

	if ((rc = cli_info_args(ctx, argc, argv)) >= 0)
		return rc;
	if (ctx->optind < argc) {       /* spindle info IMAGE */
		if (cli_drive(ctx))
			return cli_usage_error(ctx, "give -d DRIVE or an IMAGE, not both");
		if (img_container_probe(argv[ctx->optind]) > 0)
			return cli_info_container(ctx, argv[ctx->optind]);
		return cli_info_image(ctx, argv[ctx->optind]);
	}
	if (drv_open(&d, cli_drive(ctx), &oo, &err) != SP_OK)
		return cli_fail(ctx, &err);
	if (drv_get_medium(d, &m, &err) != SP_OK) {
		drv_close(d, DRV_KEEP_TRAY);
		return cli_fail(ctx, &err);
	}
	if (ctx->json)
		print_json(ctx, d, &m);
	else
		print_text(d, &m);
	drv_medium_release(&m);
	drv_close(d, DRV_KEEP_TRAY);
	return SP_EXIT_OK;
}
