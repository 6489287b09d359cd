/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_burn_audio.c - `spindle burn` of an audio CD: a CUE sheet with BIN,
 * WAV or FLAC files, or a list of WAV/FLAC files, written SAO through
 * libburn's audio tracks with optional CD-TEXT.  cmd_burn() hands argv
 * over when it sees --audio or a .cue/.wav/.flac argument.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/master_args.h"
#include "imaging/imaging.h"

enum {
	OPT_AUDIO = 720,
	OPT_CD_TEXT,
	OPT_DRY_RUN,
	OPT_SIMULATE,
};

const struct cli_opt burn_audio_opts[] = {
	{ "audio", OPT_AUDIO, NULL, "burn an audio CD (implied by a .cue, .wav or .flac argument)" },
	{ "cd-text", OPT_CD_TEXT, NULL, "with an audio CD: write the sheet's TITLE and PERFORMER "
	  "as CD-TEXT" },
	{ "dry-run", OPT_DRY_RUN, NULL, "with an audio CD: lay the tracks out and read every "
	  "file through, printing each track's length and CRC32, without a drive" },
	{ "simulate", OPT_SIMULATE, NULL, "with an audio CD: let the drive go through the burn "
	  "with the laser off" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_doc doc_burn_audio = {
	"--audio [-d DRIVE] (SHEET.cue | FILE.wav|FILE.flac...)",
	"Burn an audio CD",
	BURN_AUDIO_DESCRIPTION,
	burn_audio_opts,
	NULL,
};

/* One track of the layout for --json; crc32 NULL when not computed. */
static json_t *track_json(const struct img_audio_layout_track *t, const char *crc32)
{
	json_t *o = json_pack("{s:i, s:I, s:I, s:I, s:i, s:s, s:s}",
		"track", t->number, "pregap_silence", (json_int_t)t->pregap_silence,
		"index1", (json_int_t)t->index1, "sectors", (json_int_t)t->sectors,
		"files", t->n_pieces, "title", t->title, "performer", t->performer);

	if (crc32)
		json_object_set_new(o, "crc32", json_string(crc32));
	return o;
}

static int dry_run(struct cli_ctx *ctx, const struct img_audio_layout *l)
{
	struct sp_error err = SP_ERROR_INIT;
	json_t *r = cli_json_result(ctx, true), *tracks = json_array();
	int64_t total = 150;

	if (!ctx->json)
		printf("track  pregap  index01  sectors  files  CRC32\n");
	for (int i = 0; i < l->n_tracks; i++) {
		const struct img_audio_layout_track *t = &l->tracks[i];
		uint32_t crc;
		char h[16];

		if (img_audio_track_crc32(t, &crc, &err) != SP_OK) {
			json_decref(r);
			json_decref(tracks);
			return cli_fail(ctx, &err);
		}
		snprintf(h, sizeof(h), "%08X", crc);
		total += t->pregap_silence + t->sectors;
		if (!ctx->json)
			printf("%5d  %6lld  %7lld  %7lld  %5d  %s\n", t->number,
			       (long long)t->pregap_silence, (long long)t->index1,
			       (long long)t->sectors, t->n_pieces, h);
		json_array_append_new(tracks, track_json(t, h));
	}
	if (ctx->json) {
		json_object_set_new(r, "dry_run", json_true());
		json_object_set_new(r, "title", json_string(l->title));
		json_object_set_new(r, "performer", json_string(l->performer));
		json_object_set_new(r, "total_sectors", json_integer(total));
		json_object_set_new(r, "tracks", tracks);
		cli_json_emit(r);
	} else {
		json_decref(r);
		json_decref(tracks);
		printf("%d tracks, %lld sectors with the lead-in gap (%lld:%02lld)\n", l->n_tracks,
		       (long long)total, (long long)(total / 4500), (long long)(total / 75 % 60));
	}
	return SP_EXIT_OK;
}

static void progress(const struct drv_progress *p, void *c)
{
	static bool told_cancel;        /* one burn per process */
	struct cli_ctx *ctx = c;
	bool first_cancel = p->phase == DRV_PHASE_CANCELLING && !told_cancel;

	if (first_cancel) {
		/* at once: the drive may need a while to stop */
		told_cancel = true;
		cli_progress_end(ctx);
		if (!ctx->quiet)
			fprintf(stderr, "spindle burn: interrupted by %s: stopping the burn; wait "
				"until the drive is released\n", drv_interrupt_signal_name());
	}
	if (ctx->json)
		cli_json_progress(ctx, json_pack("{s:s, s:s, s:s, s:I, s:I, s:f}",
			"type", "progress", "command", "burn", "phase", drv_phase_name(p->phase),
			"sectors_done", (json_int_t)p->sectors_done,
			"sectors_total", (json_int_t)p->sectors_total, "elapsed", p->elapsed),
			p->phase == DRV_PHASE_DONE || first_cancel);
	else if (p->sectors_total > 0)
		cli_progress(ctx, "writing audio: %lld of %lld sectors (%d%%)",
			     (long long)p->sectors_done, (long long)p->sectors_total,
			     (int)(p->sectors_done * 100 / p->sectors_total));
}

static int burn(struct cli_ctx *ctx, const struct img_audio_layout *l, bool cd_text,
		bool simulate)
{
	struct sp_error err = SP_ERROR_INIT;
	struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;
	struct drv_write_opts wo = DRV_WRITE_OPTS_INIT;
	struct drv_audio_track *t = calloc((size_t)l->n_tracks, sizeof(*t));
	struct drv_audio_disc disc = { .n_tracks = l->n_tracks, .tracks = t,
				       .title = l->title, .performer = l->performer,
				       .catalog = l->catalog, .cd_text = cd_text };
	struct drv_drive *d = NULL;
	int rc = SP_EXIT_OK;

	if (!t) {
		sp_error_set(&err, SPE_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	for (int i = 0; i < l->n_tracks; i++) {
		const struct img_audio_layout_track *lt = &l->tracks[i];

		if (img_audio_track_source(lt, &t[i].src, &err) != SP_OK) {
			rc = cli_fail(ctx, &err);
			goto out;
		}
		t[i].sectors = lt->sectors;
		t[i].pregap_silence = lt->pregap_silence;
		t[i].index1 = lt->index1;
		t[i].pre_emphasis = lt->pre_emphasis;
		t[i].copy_permitted = lt->copy_permitted;
		t[i].isrc = lt->isrc[0] ? lt->isrc : NULL;
		t[i].title = lt->title;
		t[i].performer = lt->performer;
	}
	oo.access = DRV_WRITE;
	wo.mode = DRV_MODE_SAO;
	wo.simulate = simulate;
	if (drv_open(&d, cli_drive(ctx), &oo, &err) != SP_OK) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	if (drv_write_audio(d, &disc, &wo, progress, ctx, &err) != SP_OK) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	cli_progress_end(ctx);
	if (ctx->json) {
		json_t *r = cli_json_result(ctx, true);

		json_t *tracks = json_array();

		for (int i = 0; i < l->n_tracks; i++)
			json_array_append_new(tracks, track_json(&l->tracks[i], NULL));
		json_object_set_new(r, "dry_run", json_false());
		json_object_set_new(r, "simulate", json_boolean(simulate));
		json_object_set_new(r, "tracks", tracks);
		cli_json_emit(r);
	} else {
		printf("burned %d audio tracks%s\n", l->n_tracks, simulate ? " (simulated)" : "");
	}
out:
	if (d)
		drv_close(d, DRV_KEEP_TRAY);
	for (int i = 0; i < l->n_tracks; i++)
		img_audio_source_free(t[i].src);
	free(t);
	return rc;
}

static bool is_cue(const char *s)
{
	size_t l = strlen(s);

	return l > 4 && !strcasecmp(s + l - 4, ".cue");
}

int cmd_burn_audio(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_audio_layout l = IMG_AUDIO_LAYOUT_INIT;
	struct cli_command sub = *ctx->cmd;
	const struct cli_command *saved = ctx->cmd;
	bool cd_text = false, dry = false, simulate = false;
	const char *arg;
	int c, rc = -1, n;

	sub.doc = &doc_burn_audio;
	ctx->cmd = &sub;
	cli_permute_args(ctx, argc, argv);
	while (rc < 0 && (c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		switch (c) {
		case CLI_OPT_EXIT: rc = SP_EXIT_OK; break;
		case OPT_AUDIO: break;
		case OPT_CD_TEXT: cd_text = true; break;
		case OPT_DRY_RUN: dry = true; break;
		case OPT_SIMULATE: simulate = true; break;
		default: rc = SP_EXIT_USAGE; break;
		}
	}
	if (rc >= 0) {
		free(ctx->longopts);    /* left the option loop early */
		ctx->longopts = NULL;
		goto out;
	}
	n = argc - ctx->optind;
	if (n < 1) {
		rc = cli_usage_error(ctx, "nothing to burn: give a CUE sheet or WAV/FLAC files");
		goto out;
	}
	if (is_cue(argv[ctx->optind]) && n > 1) {
		rc = cli_usage_error(ctx, "give one CUE sheet, or a list of WAV/FLAC files");
		goto out;
	}
	if (is_cue(argv[ctx->optind]) ?
	    img_audio_layout_from_cue(&l, argv[ctx->optind], &err) != SP_OK :
	    img_audio_layout_from_files(&l, argv + ctx->optind, n, &err) != SP_OK) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	if (cd_text && !l.title[0] && !l.performer[0]) {
		int k;

		for (k = 0; k < l.n_tracks && !l.tracks[k].title[0]; k++)
			;
		if (k == l.n_tracks)
			cli_warn(ctx, "--cd-text: the sheet has no TITLE or PERFORMER to write");
	}
	rc = dry ? dry_run(ctx, &l) : burn(ctx, &l, cd_text, simulate);
out:
	img_audio_layout_release(&l);
	ctx->cmd = saved;
	return rc;
}
