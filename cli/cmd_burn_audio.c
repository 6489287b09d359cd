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
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/master_args.h"
#include "imaging/imaging.h"

enum {
	OPT_AUDIO = 720,
	OPT_CD_TEXT,
	OPT_DRY_RUN,
	OPT_SIMULATE,
	OPT_MULTI_AUDIO,
};

const struct cli_opt burn_audio_opts[] = {
	{ "audio", OPT_AUDIO, NULL, "burn an audio CD (implied by a .cue, .wav or .flac argument)" },
	{ "cd-text", OPT_CD_TEXT, NULL, "with an audio CD: write the sheet's TITLE and PERFORMER "
	  "as CD-TEXT" },
	{ "dry-run", OPT_DRY_RUN, NULL, "with an audio CD: lay the tracks out and read every "
	  "file through, printing each track's length and CRC32, without a drive" },
	{ "simulate", OPT_SIMULATE, NULL, "with an audio CD: let the drive go through the burn "
	  "with the laser off" },
	{ "multi", OPT_MULTI_AUDIO, NULL, "leave the disc appendable, so that a data session "
	  "can follow the audio (an enhanced CD)" },
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
static json_t *track_json(const struct img_disc_burn_track *t, const char *crc32)
{
	json_t *o = json_pack("{s:i, s:s, s:I, s:I, s:I, s:i, s:s, s:s, s:s}",
		"track", t->number, "mode", img_disc_mode_name(t->mode),
		"pregap_silence", (json_int_t)t->pregap_silence,
		"index1", (json_int_t)t->index1, "sectors", (json_int_t)t->sectors,
		"files", t->n_files, "title", t->t->title, "performer", t->t->performer,
		"isrc", t->t->isrc);

	if (crc32)
		json_object_set_new(o, "crc32", json_string(crc32));
	return o;
}

/* A mixed-mode image goes track at once: said before the burn (and by
 * --dry-run), in one line, since the user asked for nothing of the kind. */
static void tao_notice(struct cli_ctx *ctx, const struct img_disc_burn *b, bool cd_text)
{
	if (b->tao)
		cli_warn(ctx, "this image mixes data and audio tracks: it is burned track at "
			 "once (TAO), not disc at once (SAO), because libburn cannot write such "
			 "a disc at once; the drive makes 2-second gaps between the tracks%s",
			 cd_text ? " and no CD-TEXT is written" : "");
}

static int dry_run(struct cli_ctx *ctx, const struct img_disc_burn *b, bool cd_text)
{
	struct sp_error err = SP_ERROR_INIT;
	json_t *r = cli_json_result(ctx, true), *tracks = json_array();

	tao_notice(ctx, b, cd_text);
	if (!ctx->json)
		printf("track  mode   pregap  index01  sectors  files  CRC32\n");
	for (int i = 0; i < b->n_tracks; i++) {
		const struct img_disc_burn_track *t = &b->tracks[i];
		uint32_t crc;
		char h[16];

		if (img_disc_burn_crc32(b, i, &crc, &err) != SP_OK) {
			json_decref(r);
			json_decref(tracks);
			return cli_fail(ctx, &err);
		}
		snprintf(h, sizeof(h), "%08X", crc);
		if (!ctx->json)
			printf("%5d  %-5s  %6lld  %7lld  %7lld  %5d  %s\n", t->number,
			       t->mode == IMG_DISC_AUDIO ? "audio" : "mode1",
			       (long long)t->pregap_silence, (long long)t->index1,
			       (long long)t->sectors, t->n_files, h);
		json_array_append_new(tracks, track_json(t, h));
	}
	if (ctx->json) {
		json_object_set_new(r, "dry_run", json_true());
		json_object_set_new(r, "write_type", json_string(b->tao ? "tao" : "sao"));
		json_object_set_new(r, "format", json_string(b->disc->format));
		json_object_set_new(r, "title", json_string(b->disc->title));
		json_object_set_new(r, "performer", json_string(b->disc->performer));
		json_object_set_new(r, "mcn", json_string(b->disc->mcn));
		json_object_set_new(r, "total_sectors", json_integer(b->total));
		json_object_set_new(r, "tracks", tracks);
		cli_json_emit(r);
	} else {
		json_decref(r);
		json_decref(tracks);
		printf("%d tracks, %lld sectors with the lead-in gap (%lld:%02lld)\n", b->n_tracks,
		       (long long)b->total, (long long)(b->total / 4500),
		       (long long)(b->total / 75 % 60));
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

int cli_burn_report_verify(struct cli_ctx *ctx, const struct img_verify_result *res,
			   json_t *r)
{
	json_t *vr = json_object();
	int rc = cli_report_verify(ctx, res, vr);

	json_object_del(vr, "ok");
	json_object_set(r, "verify", vr);
	if (rc != SP_EXIT_OK) {
		json_object_set_new(r, "ok", json_false());
		json_object_set(r, "error", json_object_get(vr, "error"));
	}
	json_decref(vr);
	return rc;
}

static int burn(struct cli_ctx *ctx, const struct img_disc_burn *b, bool cd_text,
		bool simulate, bool multi)
{
	struct sp_error err = SP_ERROR_INIT;
	struct drv_open_opts oo = DRV_OPEN_OPTS_INIT;
	struct drv_write_opts wo = DRV_WRITE_OPTS_INIT;
	const struct img_disc *disc = b->disc;
	struct drv_audio_track *t = calloc((size_t)b->n_tracks, sizeof(*t));
	struct drv_audio_disc dd = { .n_tracks = b->n_tracks, .tracks = t,
				     .title = disc->title, .performer = disc->performer,
				     .catalog = disc->mcn, .cd_text = cd_text };
	struct img_verify_result vres = IMG_VERIFY_RESULT_INIT;
	struct drv_drive *d = NULL;
	int rc = SP_EXIT_OK;

	if (!t) {
		sp_error_set(&err, SPE_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	for (int i = 0; i < b->n_tracks; i++) {
		const struct img_disc_burn_track *bt = &b->tracks[i];

		if (img_disc_burn_source(b, i, &t[i].src, &err) != SP_OK) {
			rc = cli_fail(ctx, &err);
			goto out;
		}
		t[i].mode1 = bt->mode == IMG_DISC_MODE1;
		t[i].sectors = bt->sectors;
		t[i].pregap_silence = bt->pregap_silence;
		t[i].index1 = bt->index1;
		t[i].n_index = bt->n_index;
		t[i].index = bt->index;
		t[i].pre_emphasis = bt->t->pre_emphasis;
		t[i].copy_permitted = bt->t->copy_permitted;
		t[i].isrc = bt->t->isrc[0] ? bt->t->isrc : NULL;
		t[i].title = bt->t->title;
		t[i].performer = bt->t->performer;
	}
	tao_notice(ctx, b, cd_text);
	oo.access = DRV_WRITE;
	wo.mode = DRV_MODE_SAO;         /* drv_write_audio() goes TAO for a mixed disc */
	wo.simulate = simulate;
	wo.multi = multi;
	if (drv_open(&d, cli_drive(ctx), &oo, &err) != SP_OK) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	if (drv_write_audio(d, &dd, &wo, progress, ctx, &err) != SP_OK) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	cli_progress_end(ctx);
	if (!simulate) {
		/* the disc against the image, track by track */
		struct img_verify_opts vo = IMG_VERIFY_OPTS_INIT;

		vo.progress = cli_verify_progress;
		vo.ctx = ctx;
		if (img_verify_tracks(d, b, &vo, &vres, &err) != SP_OK) {
			rc = cli_fail(ctx, &err);
			goto out;
		}
		cli_progress_end(ctx);
	}
	if (ctx->json) {
		json_t *r = cli_json_result(ctx, true);
		json_t *tracks = json_array();

		for (int i = 0; i < b->n_tracks; i++)
			json_array_append_new(tracks, track_json(&b->tracks[i], NULL));
		json_object_set_new(r, "dry_run", json_false());
		json_object_set_new(r, "write_type", json_string(b->tao ? "tao" : "sao"));
		json_object_set_new(r, "simulate", json_boolean(simulate));
		json_object_set_new(r, "format", json_string(disc->format));
		json_object_set_new(r, "tracks", tracks);
		if (!simulate)
			rc = cli_burn_report_verify(ctx, &vres, r);
		cli_json_emit(r);
	} else if (b->data) {
		printf("burned %d tracks (%d audio, %d data)%s\n", b->n_tracks, b->audio, b->data,
		       simulate ? " (simulated)" : "");
	} else {
		printf("burned %d audio tracks%s\n", b->n_tracks, simulate ? " (simulated)" : "");
	}
	if (disc->has_sub && !ctx->json && !ctx->quiet)
		fprintf(stderr, "spindle burn: the image's subchannel was not written; the "
			"recorder made its own Q channel\n");
	if (!simulate && !ctx->json) {
		json_t *r = json_object();

		rc = cli_burn_report_verify(ctx, &vres, r);
		json_decref(r);
	}
out:
	img_verify_result_release(&vres);
	if (d)
		drv_close(d, DRV_KEEP_TRAY);
	for (int i = 0; i < b->n_tracks; i++)
		img_disc_burn_source_free(t[i].src);
	free(t);
	return rc;
}

static bool has_ext(const char *s, const char *ext)
{
	size_t l = strlen(s), e = strlen(ext);

	return l > e && !strcasecmp(s + l - e, ext);
}

/* An image holding audio tracks, or a CUE sheet that does not open (its
 * error is the audio path's to report). */
static bool image_with_audio(const char *path)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_disc *d;
	const char *reader = "";
	struct stat st;
	bool audio = false;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
	    img_disc_probe(path, &reader) == 0 || !strcmp(reader, "iso"))
		return false;
	if (img_disc_open(&d, path, &err) != SP_OK)
		return has_ext(path, ".cue");
	for (int i = 0; i < d->n_tracks; i++)
		audio = audio || d->tracks[i].mode == IMG_DISC_AUDIO;
	img_disc_close(d);
	return audio;
}

bool cli_burn_wants_tracks(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--audio") || !strcmp(argv[i], "--cd-text") ||
		    !strcmp(argv[i], "--dry-run"))
			return true;
		if (argv[i][0] == '-' || strchr(argv[i], '='))
			continue;
		if (has_ext(argv[i], ".wav") || has_ext(argv[i], ".flac") ||
		    image_with_audio(argv[i]))
			return true;
	}
	return false;
}

int cmd_burn_audio(struct cli_ctx *ctx, int argc, char **argv)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_disc *disc = NULL;
	struct img_disc_burn b = { .n_tracks = 0 };
	struct cli_command sub = *ctx->cmd;
	const struct cli_command *saved = ctx->cmd;
	bool cd_text = false, dry = false, simulate = false, multi = false, files;
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
		case OPT_MULTI_AUDIO: multi = true; break;
		default: rc = SP_EXIT_USAGE; break;
		}
	}
	if (rc >= 0) {
		free(ctx->longopts);    /* left the option loop early */
		ctx->longopts = NULL;
		goto out;
	}
	n = argc - ctx->optind;
	if (ctx->n_drives > 1 && !dry) {
		rc = cli_usage_error(ctx, "CD tracks are burnt to one drive at a time");
		goto out;
	}
	if (n < 1) {
		rc = cli_usage_error(ctx, "nothing to burn: give a disc image, a CUE sheet or "
				     "WAV/FLAC files");
		goto out;
	}
	/* WAV/FLAC files are tracks; anything else is one disc image */
	files = has_ext(argv[ctx->optind], ".wav") || has_ext(argv[ctx->optind], ".flac");
	if (!files && n > 1) {
		rc = cli_usage_error(ctx, "give one disc image or CUE sheet, or a list of "
				     "WAV/FLAC files");
		goto out;
	}
	if ((files ? img_disc_from_audio_files(&disc, argv + ctx->optind, n, &err) :
	     img_disc_open(&disc, argv[ctx->optind], &err)) != SP_OK ||
	    img_disc_burn_plan(disc, &b, &err) != SP_OK) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	if (cd_text && !disc->title[0] && !disc->performer[0]) {
		int k;

		for (k = 0; k < disc->n_tracks && !disc->tracks[k].title[0]; k++)
			;
		if (k == disc->n_tracks)
			cli_warn(ctx, "--cd-text: the image has no TITLE or PERFORMER to write");
	}
	rc = dry ? dry_run(ctx, &b, cd_text) : burn(ctx, &b, cd_text, simulate, multi);
out:
	img_disc_burn_release(&b);
	img_disc_close(disc);
	ctx->cmd = saved;
	return rc;
}
