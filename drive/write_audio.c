/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * write_audio.c - audio CDs through libburn: one session of BURN_AUDIO
 * tracks written SAO, with pregaps, INDEX 00/01, ISRC, pre-emphasis and
 * copy flags, and CD-TEXT packs (block 0, language English) when asked.
 *
 * The polling loop mirrors the one for data (write.c): wait out SPAWNING,
 * report progress about five times a second, cancel through libburn on a
 * signal.  It is kept apart so that the data path can change freely.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "drive/drive_private.h"

static bool mixed(const struct drv_audio_disc *a)
{
	for (int i = 1; i < a->n_tracks; i++)
		if (a->tracks[i].mode1 != a->tracks[0].mode1)
			return true;
	return false;
}

/* libburn takes char * for what it only reads: copy into our buffers. */
static void cdtext(struct burn_session *s, struct burn_track *t, int pack,
		   const char *text)
{
	unsigned char buf[161];
	static char none[] = "";
	size_t n;

	if (!text || !*text)
		return;
	n = strlen(text);
	if (n > sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (t)
		burn_track_set_cdtext(t, 0, pack, none, buf, (int)n + 1, 0);
	else
		burn_session_set_cdtext(s, 0, pack, none, buf, (int)n + 1, 0);
}

static enum sp_status build(struct burn_disc **out, const struct drv_audio_disc *a,
			    bool cd_text, struct sp_error *err)
{
	struct burn_disc *disc = burn_disc_create();
	struct burn_session *s = burn_session_create();

	*out = NULL;
	if (!disc || !s)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	burn_disc_add_session(disc, s, BURN_POS_END);
	burn_session_free(s);
	if (cd_text) {
		int chars[8] = { 0x00 }, copyrights[8] = { 0 }, langs[8] = { 0x09 };

		burn_session_set_cdtext_par(s, chars, copyrights, langs, 0);
		cdtext(s, NULL, 0x80, a->title);
		cdtext(s, NULL, 0x81, a->performer);
		cdtext(s, NULL, 0x8e, a->catalog);
	}
	for (int i = 0; i < a->n_tracks; i++) {
		const struct drv_audio_track *at = &a->tracks[i];
		struct burn_track *t = burn_track_create();
		char isrc[13];
		int mode = (at->mode1 ? BURN_MODE1 : BURN_AUDIO | (at->pre_emphasis ? BURN_PREEMPHASIS : 0)) |
			   (at->copy_permitted ? BURN_COPY : 0);

		if (!t) {
			burn_disc_free(disc);
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		}
		burn_track_define_data(t, 0, 0, 1, mode);
		burn_track_set_source(t, at->src);
		burn_track_set_default_size(t, (off_t)at->sectors * (at->mode1 ? 2048 : 2352));
		if (at->pregap_silence)
			burn_track_set_pregap_size(t, (int)at->pregap_silence +
						   (i == 0 ? 150 : 0), 0);
		if (at->index1 > 0 || at->n_index) {
			if (at->index1 > 0)
				burn_track_set_index(t, 0, 0, 0);
			burn_track_set_index(t, 1, (unsigned)at->index1, 0);
			for (int k = 0; k < at->n_index && k < 98; k++)
				burn_track_set_index(t, k + 2, (unsigned)at->index[k], 0);
		}
		if (at->isrc && strlen(at->isrc) == 12) {
			memcpy(isrc, at->isrc, 12);
			isrc[12] = '\0';
			burn_track_set_isrc_string(t, isrc, 0);
		}
		if (cd_text) {
			cdtext(s, t, 0x80, at->title);
			cdtext(s, t, 0x81, at->performer);
		}
		burn_session_add_track(s, t, BURN_POS_END);
		burn_track_free(t);
	}
	*out = disc;
	return SP_OK;
}

bool drv_audio_disc_mixed(const struct drv_audio_disc *a)
{
	return mixed(a);
}

enum sp_status drv_write_audio(struct drv_drive *d, const struct drv_audio_disc *a,
			       const struct drv_write_opts *o,
			       drv_progress_fn progress, void *ctx,
			       struct sp_error *err)
{
	struct burn_disc *disc = NULL;
	struct burn_write_opts *wo = NULL;
	struct drv_progress p = { .phase = DRV_PHASE_PREPARING, .fifo_fill_pct = -1,
				  .buffer_fill_pct = -1, .x_speed_kbps = 176.4 };
	char reasons[BURN_REASONS_LEN];
	enum sp_status st = SP_FAILED;
	bool cancelled = false, all_sent = false;
	double t0;

	drv_clear_messages();
	if (build(&disc, a, !mixed(a) && a->cd_text, err) != SP_OK)
		return SP_FAILED;
	for (int i = 0; i < a->n_tracks; i++)
		p.sectors_total += a->tracks[i].sectors + a->tracks[i].pregap_silence;
	wo = burn_write_opts_new(d->bd);
	if (!wo) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	/* libburn writes no SAO session that mixes audio and data tracks
	 * ("SAO: tracks of different modes mixed"): such a disc goes track at
	 * once, the drive making the gaps between tracks */
	if (mixed(a))
		burn_write_opts_set_write_type(wo, BURN_WRITE_TAO, BURN_BLOCK_MODE1);
	else
		burn_write_opts_set_write_type(wo, BURN_WRITE_SAO, BURN_BLOCK_SAO);
	burn_write_opts_set_simulate(wo, o->simulate);
	burn_write_opts_set_underrun_proof(wo, 1);
	burn_write_opts_set_perform_opc(wo, 1);
	burn_write_opts_set_multi(wo, o->multi);
	if (a->catalog && strlen(a->catalog) == 13) {
		unsigned char mcn[13];

		memcpy(mcn, a->catalog, 13);
		burn_write_opts_set_mediacatalog(wo, mcn);
		burn_write_opts_set_has_mediacatalog(wo, 1);
	}
	burn_drive_set_speed(d->bd, 0, drv_speed_kbps(&o->speed, d->profile));
	memset(reasons, 0, sizeof(reasons));
	if (burn_precheck_write(wo, disc, reasons, 0) <= 0) {
		size_t l = strlen(reasons);

		while (l && (reasons[l - 1] == ' ' || reasons[l - 1] == ','))
			reasons[--l] = '\0';
		drv_drain_messages(NULL);
		if (strstr(reasons, "non-CD")) {
			sp_error_set(err, SPE_MEDIUM, "'%s' cannot take an audio CD: libburn "
				     "writes audio tracks only to CD-R and CD-RW media%s",
				     drv_address(d), d->is_virtual ? ", not to stdio: files" : "");
			sp_error_hint(err, "put a blank CD-R or CD-RW in a real drive; "
				      "'--dry-run' checks the tracks without a drive");
		} else {
			sp_error_set(err, SPE_MEDIUM, "the drive or medium cannot burn this "
				     "audio CD: %s", reasons);
		}
		sp_error_detail(err, "libburn: %s", reasons);
		goto out;
	}
	if (drv_interrupted()) {
		drv_abort_before_write(d, err);
		goto out;
	}
	t0 = sp_now();
	burn_disc_write(wo, disc);
	while (burn_drive_get_status(d->bd, NULL) == BURN_DRIVE_SPAWNING)
		nanosleep(&(struct timespec){ 0, 50000000 }, NULL);
	for (;;) {
		struct burn_progress bp;
		enum burn_drive_status ds = burn_drive_get_status(d->bd, &bp);

		if (ds == BURN_DRIVE_IDLE)
			break;
		/* libburn counts the sectors of the current track */
		p.sectors_done = bp.sector;
		for (int i = 0; i < bp.track && i < a->n_tracks; i++)
			p.sectors_done += a->tracks[i].sectors + a->tracks[i].pregap_silence;
		if (drv_interrupted() && !burn_is_aborting(0)) {
			if (!cancelled)
				all_sent = drv_all_sent(ds, &bp, p.sectors_done, p.sectors_total, 2352);
			/* repeated until idle: a cancel before WRITING may be missed */
			burn_drive_cancel(d->bd);
			cancelled = true;
		}
		p.phase = cancelled ? DRV_PHASE_CANCELLING
			: ds == BURN_DRIVE_WRITING ? DRV_PHASE_WRITING : DRV_PHASE_CLOSING;
		p.buffer_fill_pct = bp.buffer_capacity ?
			(int)(100 - 100.0 * bp.buffer_available / bp.buffer_capacity) : -1;
		p.elapsed = sp_now() - t0;
		if (progress)
			progress(&p, ctx);
		nanosleep(&(struct timespec){ 0, 200000000 }, NULL);
	}
	drv_wait_writer_end(d->is_virtual);     /* idle comes early: see lib.c */
	if (cancelled || drv_interrupted()) {
		/* a signal after the last poll: libburn had finished on its own */
		all_sent = all_sent || (!cancelled && burn_drive_wrote_well(d->bd));
		drv_clear_messages();
		drv_abort_after_write(d, true, all_sent, p.sectors_done, p.sectors_total, err);
		goto out;
	}
	if (!burn_drive_wrote_well(d->bd)) {
		if (!drv_drain_messages(err))
			sp_error_set(err, SPE_WRITE, "the drive failed to write the audio CD");
		goto out;
	}
	drv_drain_messages(NULL);
	p.phase = DRV_PHASE_DONE;
	p.sectors_done = p.sectors_total;
	if (progress)
		progress(&p, ctx);
	st = SP_OK;
out:
	if (wo)
		burn_write_opts_free(wo);
	if (disc)
		burn_disc_free(disc);
	return st;
}
