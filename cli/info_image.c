/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * info_image.c - spindle info IMAGE: what a disc image holds, whatever
 * its format: sessions, tracks (mode, start, length, pregap, indexes),
 * CD-TEXT, catalog number, and the file system of the first data track.
 */
#include "config.h"

#include <stdlib.h>

#include "cli/cli.h"
#include "cli/info_image.h"
#include "imaging/imaging.h"

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static void print_json(struct cli_ctx *ctx, const struct img_disc *d,
		       const struct img_disc_fs *fs)
{
	json_t *r = cli_json_result(ctx, true), *tracks = json_array(), *ss = json_array();

	for (int i = 0; i < d->n_sessions; i++)
		json_array_append_new(ss, json_pack("{s:i, s:i, s:i, s:I}",
			"number", d->sessions[i].number, "first_track", d->sessions[i].first_track,
			"last_track", d->sessions[i].last_track,
			"leadout_lba", (json_int_t)d->sessions[i].leadout));
	for (int i = 0; i < d->n_tracks; i++) {
		const struct img_disc_track *t = &d->tracks[i];
		json_t *o, *idx = json_array();

		for (int k = 0; k < t->n_index; k++)
			json_array_append_new(idx, json_integer(t->index[k]));
		o = json_pack("{s:i, s:i, s:s, s:s, s:I, s:I, s:I, s:I}",
			      "session", t->session, "track", t->number,
			      "mode", img_disc_mode_name(t->mode), "stored_as", t->stored_as,
			      "start_lba", (json_int_t)t->start, "sectors", (json_int_t)t->length,
			      "pregap", (json_int_t)t->pregap, "postgap", (json_int_t)t->postgap);
		json_object_set_new(o, "kind", json_string(t->mode == IMG_DISC_AUDIO ? "audio" : "data"));
		json_object_set_new(o, "indexes", idx);
		json_object_set_new(o, "isrc", str_or_null(t->isrc));
		json_object_set_new(o, "title", str_or_null(t->title));
		json_object_set_new(o, "performer", str_or_null(t->performer));
		json_object_set_new(o, "pre_emphasis", json_boolean(t->pre_emphasis));
		json_object_set_new(o, "copy_permitted", json_boolean(t->copy_permitted));
		json_array_append_new(tracks, o);
	}
	json_object_set_new(r, "image", json_string(d->path));
	json_object_set_new(r, "format", json_string(d->format));
	json_object_set_new(r, "sessions", json_integer(d->n_sessions));
	json_object_set_new(r, "session_list", ss);
	json_object_set_new(r, "tracks", tracks);
	json_object_set_new(r, "leadout_lba", json_integer(img_disc_end(d)));
	json_object_set_new(r, "mcn", str_or_null(d->mcn));
	json_object_set_new(r, "cdtext", d->has_cdtext ? json_pack("{s:o, s:o}",
		"title", str_or_null(d->title), "performer", str_or_null(d->performer)) : json_null());
	json_object_set_new(r, "subchannel", json_boolean(d->has_sub));
	json_object_set_new(r, "file_system", str_or_null(fs->name));
	json_object_set_new(r, "volume_id", fs->name[0] ? json_string(fs->volid) : json_null());
	json_object_set_new(r, "note", str_or_null(d->note));
	cli_json_emit(r);
}

static void print_text(const struct img_disc *d, const struct img_disc_fs *fs)
{
	printf("%-14s %s\n", "image:", d->path);
	printf("%-14s %s\n", "format:", d->format);
	if (d->note[0])
		printf("%-14s %s\n", "note:", d->note);
	printf("%-14s %d\n", "sessions:", d->n_sessions);
	printf("%-14s %d\n", "tracks:", d->n_tracks);
	printf("%-14s %lld sectors\n", "lead-out:", (long long)img_disc_end(d));
	if (d->mcn[0])
		printf("%-14s %s\n", "catalog:", d->mcn);
	if (d->has_cdtext && (d->title[0] || d->performer[0]))
		printf("%-14s title \"%s\", performer \"%s\"\n", "CD-TEXT:", d->title, d->performer);
	else if (d->has_cdtext)
		printf("%-14s track titles only\n", "CD-TEXT:");
	if (d->has_sub)
		printf("%-14s kept\n", "subchannel:");
	if (fs->name[0])
		printf("%-14s %s, volume ID \"%s\" (track %d)\n", "file system:", fs->name,
		       fs->volid, fs->track);
	for (int i = 0; i < d->n_tracks; i++) {
		const struct img_disc_track *t = &d->tracks[i];

		printf("  track %2d  session %d  %-11s  %-10s  start %lld  length %lld  pregap %lld",
		       t->number, t->session, img_disc_mode_name(t->mode), t->stored_as,
		       (long long)t->start, (long long)t->length, (long long)t->pregap);
		if (t->postgap)
			printf("  postgap %lld", (long long)t->postgap);
		if (t->n_index > 1) {
			printf("  indexes");
			for (int k = 0; k < t->n_index; k++)
				printf(" %lld", (long long)t->index[k]);
		}
		if (t->isrc[0])
			printf("  ISRC %s", t->isrc);
		printf("\n");
		if (t->title[0] || t->performer[0])
			printf("            \"%s\" by \"%s\"\n", t->title, t->performer);
	}
}

int cli_info_image(struct cli_ctx *ctx, const char *path)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_disc *d;
	struct img_disc_fs fs;

	if (img_disc_open(&d, path, &err) != SP_OK)
		return cli_fail(ctx, &err);
	img_disc_probe_fs(d, &fs);
	if (ctx->json)
		print_json(ctx, d, &fs);
	else
		print_text(d, &fs);
	img_disc_close(d);
	return SP_EXIT_OK;
}
