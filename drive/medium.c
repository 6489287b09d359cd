/* SPDX-License-Identifier: GPL-3.0-or-later */
/* medium.c - what is in the drive: profile, state, sizes, TOC, media ID. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "drive/drive_private.h"

const char *drv_disc_status_name(enum drv_disc_status s)
{
	switch (s) {
	case DRV_DISC_EMPTY: return "empty";
	case DRV_DISC_BLANK: return "blank";
	case DRV_DISC_APPENDABLE: return "appendable";
	case DRV_DISC_CLOSED: return "closed";
	case DRV_DISC_UNSUITABLE: return "unsuitable";
	default: return "unknown";
	}
}

double drv_x_speed_kbps(int profile)
{
	if (profile >= 0x40 && profile <= 0x43)
		return 4495.5;          /* BD: 36 Mbit/s */
	if (profile >= 0x10 && profile <= 0x2b)
		return 1385.0;          /* DVD */
	if (profile == 0xffff)
		return 1385.0;          /* stdio: quote DVD units */
	return 176.4;                   /* CD */
}

uint32_t drv_ecc_block_for_profile(int profile)
{
	if (profile >= 0x40 && profile <= 0x43)
		return 32;
	if (profile >= 0x10 && profile <= 0x2b)
		return 16;
	return 1;
}

static enum drv_disc_status map_status(enum burn_disc_status s)
{
	switch (s) {
	case BURN_DISC_BLANK: return DRV_DISC_BLANK;
	case BURN_DISC_EMPTY: return DRV_DISC_EMPTY;
	case BURN_DISC_APPENDABLE: return DRV_DISC_APPENDABLE;
	case BURN_DISC_FULL: return DRV_DISC_CLOSED;
	case BURN_DISC_UNSUITABLE: return DRV_DISC_UNSUITABLE;
	default: return DRV_DISC_UNKNOWN;
	}
}

static void read_toc(struct drv_drive *d, struct drv_medium *m)
{
	struct burn_disc *disc = burn_drive_get_disc(d->bd);
	struct burn_session **sessions;
	int ns = 0, cap = 0;

	if (!disc)
		return;
	sessions = burn_disc_get_sessions(disc, &ns);
	for (int s = 0; s < ns; s++) {
		int nt = 0;
		struct burn_track **tracks = burn_session_get_tracks(sessions[s], &nt);

		for (int t = 0; t < nt; t++) {
			struct burn_toc_entry e;
			struct drv_track *tr;

			if (m->n_tracks == cap) {
				void *p = realloc(m->tracks, sizeof(*m->tracks) * (cap ? cap * 2 : 8));
				if (!p)
					goto out;
				m->tracks = p;
				cap = cap ? cap * 2 : 8;
			}
			burn_track_get_entry(tracks[t], &e);
			tr = &m->tracks[m->n_tracks++];
			memset(tr, 0, sizeof(*tr));
			tr->session = s + 1;
			tr->number = m->n_tracks;
			tr->audio = !(e.control & 4);
			if (e.extensions_valid & 1) {
				tr->start_lba = e.start_lba;
				tr->sectors = e.track_blocks;
			} else {
				tr->start_lba = burn_msf_to_lba(e.pmin, e.psec, e.pframe);
				tr->sectors = -1;
			}
		}
	}
	m->n_sessions = ns;
out:
	burn_disc_free(disc);
}

static void read_media_id(struct drv_drive *d, struct drv_medium *m)
{
	char *product = NULL, *c1 = NULL, *c2 = NULL, *book = NULL, *manuf;

	if (m->profile >= 0x08 && m->profile <= 0x0a)
		burn_disc_read_atip(d->bd);
	if (burn_disc_get_media_id(d->bd, &product, &c1, &c2, &book, 0) > 0) {
		snprintf(m->media_id, sizeof(m->media_id), "%s", product ? product : "");
		manuf = burn_guess_manufacturer(m->profile, c1, c2, 0);
		/* libburn's "Unknown ... Please report code ..." is no name */
		if (manuf && strncmp(manuf, "Unknown", 7) != 0)
			snprintf(m->manufacturer, sizeof(m->manufacturer), "%s", manuf);
		free(manuf);
	}
	free(product);
	free(c1);
	free(c2);
	free(book);
}

static void read_speeds(struct drv_drive *d, struct drv_medium *m)
{
	struct burn_speed_descriptor *list = NULL, *s;
	int nw = 0, nr = 0;

	if (burn_drive_get_speedlist(d->bd, &list) <= 0 || !list)
		return;
	for (s = list; s; s = s->next)
		nw++;
	m->write_speeds_kbps = calloc((size_t)nw + 1, sizeof(int));
	m->read_speeds_kbps = calloc((size_t)nw + 1, sizeof(int));
	if (!m->write_speeds_kbps || !m->read_speeds_kbps)
		goto out;
	nw = 0;
	for (s = list; s; s = s->next) {
		bool seen = false;

		if (s->source == 3) {
			for (int i = 0; i < nr; i++)
				seen |= m->read_speeds_kbps[i] == s->read_speed;
			if (!seen && s->read_speed > 0)
				m->read_speeds_kbps[nr++] = s->read_speed;
			continue;
		}
		for (int i = 0; i < nw; i++)
			seen |= m->write_speeds_kbps[i] == s->write_speed;
		if (!seen && s->write_speed > 0)
			m->write_speeds_kbps[nw++] = s->write_speed;
	}
	/* descending */
	for (int i = 0; i < nw; i++)
		for (int j = i + 1; j < nw; j++)
			if (m->write_speeds_kbps[j] > m->write_speeds_kbps[i]) {
				int t = m->write_speeds_kbps[i];
				m->write_speeds_kbps[i] = m->write_speeds_kbps[j];
				m->write_speeds_kbps[j] = t;
			}
	for (int i = 0; i < nr; i++)
		for (int j = i + 1; j < nr; j++)
			if (m->read_speeds_kbps[j] > m->read_speeds_kbps[i]) {
				int t = m->read_speeds_kbps[i];
				m->read_speeds_kbps[i] = m->read_speeds_kbps[j];
				m->read_speeds_kbps[j] = t;
			}
	m->n_write_speeds = nw;
	m->n_read_speeds = nr;
out:
	burn_drive_free_speedlist(&list);
}

enum sp_status drv_get_medium(struct drv_drive *d, struct drv_medium *m,
			      struct sp_error *err)
{
	enum burn_disc_status bs;
	char pname[80] = "";
	int pno = 0;
	off_t avail;

	(void)err;
	memset(m, 0, sizeof(*m));
	m->capacity_sectors = m->free_sectors = m->readable_sectors = -1;
	while ((bs = burn_disc_get_status(d->bd)) == BURN_DISC_UNREADY)
		;
	burn_disc_get_profile(d->bd, &pno, pname);
	m->profile = pno;
	snprintf(m->profile_name, sizeof(m->profile_name), "%s", pname[0] ? pname : "none");
	m->status = map_status(bs);
	m->is_virtual = d->is_virtual;
	m->erasable = burn_disc_erasable(d->bd) != 0;
	m->ecc_block = drv_ecc_block_for_profile(pno);
	if (d->is_virtual) {
		struct stat st;

		m->virtual_nonempty = fstat(d->fd, &st) == 0 &&
			(S_ISREG(st.st_mode) ? st.st_size > 0 : true);
		m->erasable = false;
		/* libburn calls every stdio file blank; report what is in it */
		if (m->virtual_nonempty && S_ISREG(st.st_mode))
			m->status = DRV_DISC_CLOSED;
		else if (S_ISREG(st.st_mode))
			m->status = DRV_DISC_BLANK;
	}
	if (m->status != DRV_DISC_EMPTY) {
		m->readable_sectors = m->status == DRV_DISC_BLANK && !d->is_virtual
			? 0 : drv_readable_sectors(d);
		if (m->readable_sectors < 0)
			m->readable_sectors = 0;
		avail = burn_disc_available_space(d->bd, NULL);
		m->free_sectors = avail > 0 ? (int64_t)(avail / SP_SECTOR) : 0;
		if (m->status == DRV_DISC_CLOSED && !d->is_virtual)
			m->free_sectors = 0;
		if (d->is_virtual)
			/* the file is rewritten from the start */
			m->capacity_sectors = m->free_sectors + m->readable_sectors;
		else if (m->status == DRV_DISC_BLANK || m->erasable)
			m->capacity_sectors = m->free_sectors > 0 ? m->free_sectors
							   : m->readable_sectors;
		else
			m->capacity_sectors = m->readable_sectors + m->free_sectors;
		if (d->is_virtual)
			m->free_sectors = m->capacity_sectors;
		if (!d->is_virtual) {
			read_toc(d, m);
			read_media_id(d, m);
			read_speeds(d, m);
		} else if (m->readable_sectors > 0) {
			m->tracks = calloc(1, sizeof(*m->tracks));
			if (m->tracks) {
				m->tracks[0] = (struct drv_track){ 1, 1, 0, m->readable_sectors, false };
				m->n_tracks = 1;
				m->n_sessions = 1;
			}
		}
	}
	drv_clear_messages();
	return SP_OK;
}

void drv_medium_release(struct drv_medium *m)
{
	free(m->tracks);
	free(m->write_speeds_kbps);
	free(m->read_speeds_kbps);
	memset(m, 0, sizeof(*m));
}
