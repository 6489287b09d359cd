/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * state.c - what the simulated recorder keeps and counts: the state file
 * (a disc left in the tray), pressed ROM discs, fault injection from the
 * --damage file, and the virtual clock of drive time.
 *
 * The state file holds a 64 KiB text header (the disc's structure, the
 * tray) followed by the sectors, sparse: 2352 bytes a sector on CD (audio
 * kept whole), 2048 on DVD and BD.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmcsim.h"

/* ---- faults ---- */

int sim_faults_load(struct sim_dev *dev, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int ecc;

	if (!f)
		return -1;
	ecc = sim_ecc_block(&dev->disc);
	while (fgets(line, sizeof(line), f)) {
		char word[32];
		long long a = 0, b = 0;
		double secs = 0;
		int k = sscanf(line, "%31s %lld %lld %lf", word, &a, &b, &secs);
		struct sim_fault fl;

		if (k < 1 || word[0] == '#')
			continue;
		if (strcmp(word, "no-medium") == 0) {
			dev->no_medium = dev->fault_no_medium = true;
			continue;
		}
		if (strcmp(word, "tray-open") == 0) {
			dev->tray_open = dev->fault_tray_open = true;
			continue;
		}
		memset(&fl, 0, sizeof(fl));
		if (k < 2)
			goto bad;
		if (k < 3 || b < 1)
			b = 1;
		fl.first = a;
		fl.last = a + b - 1;
		if (strcmp(word, "read-error") == 0) {
			fl.kind = F_READ;
			/* a drive loses whole ECC blocks */
			fl.first = fl.first / ecc * ecc;
			fl.last = (fl.last / ecc + 1) * ecc - 1;
		} else if (strcmp(word, "write-error") == 0) {
			fl.kind = F_WRITE;
		} else if (strcmp(word, "slow") == 0) {
			fl.kind = F_SLOW;
			fl.seconds = k >= 4 ? secs : 1.0;
		} else {
			goto bad;
		}
		{
			void *p = realloc(dev->faults, sizeof(fl) * (size_t)(dev->n_faults + 1));
			if (!p)
				goto bad;
			dev->faults = p;
			dev->faults[dev->n_faults++] = fl;
		}
	}
	fclose(f);
	return 0;
bad:
	fprintf(stderr, "mmcsim: bad line in '%s': %s", path, line);
	fclose(f);
	return -1;
}

const struct sim_fault *sim_fault_at(const struct sim_dev *dev, int kind,
				     int64_t lba, uint32_t n, int64_t *where)
{
	for (int i = 0; i < dev->n_faults; i++) {
		const struct sim_fault *f = &dev->faults[i];

		if ((int)f->kind != kind || f->last < lba || f->first >= lba + n)
			continue;
		*where = f->first > lba ? f->first : lba;
		return f;
	}
	return NULL;
}

/* ---- the virtual clock ---- */

void sim_clock_add(struct sim_dev *dev, double seconds)
{
	dev->clock += seconds;
}

void sim_clock_io(struct sim_dev *dev, int64_t lba, uint32_t n, bool write)
{
	int kbps = write ? dev->write_kbps : dev->read_kbps;
	int64_t dist = lba - dev->last_lba;

	if (kbps <= 0)
		kbps = (int)(dev->disc.media->x1_kbps * 4);
	if (dist < 0)
		dist = -dist;
	if (dist > 1024)        /* a seek: about 80 ms average access */
		dev->clock += dist > dev->disc.capacity / 4 ? 0.15 : 0.08;
	dev->clock += (double)n * SIM_SECTOR / (kbps * 1000.0);
	dev->last_lba = lba + n;
}

/* ---- the state file ---- */

static int write_header(struct sim_dev *dev)
{
	char *h = calloc(1, SIM_HEADER_BYTES);
	const struct sim_disc *d = &dev->disc;
	size_t n;
	ssize_t w;

	if (!h)
		return -1;
	n = (size_t)snprintf(h, SIM_HEADER_BYTES,
		"mmcsim-disc 1\nmedia %s\nprofile %d\ncapacity %lld\nformatted %d\n"
		"spare %lld\nfinalized %d\nsessions %d\nhigh_water %lld\n"
		"tray_open %d\nlocked %d\nwrites %lld\nquick_blanked %d\ntracks %d\n",
		d->media->name, d->profile, (long long)d->capacity, d->formatted,
		(long long)d->spare, d->finalized, d->n_sessions,
		(long long)d->high_water, dev->tray_open, dev->locked,
		(long long)d->writes, d->quick_blanked, d->n_tracks);
	for (int i = 0; i < d->n_tracks && n < SIM_HEADER_BYTES - 200; i++) {
		const struct sim_track *t = &d->tracks[i];

		n += (size_t)snprintf(h + n, SIM_HEADER_BYTES - n,
			"track %lld %lld %lld %lld %d %d %d %d\n",
			(long long)t->start, (long long)t->size, (long long)t->written,
			(long long)t->runout, t->session, (int)t->state, t->audio,
			t->damaged);
	}
	for (int i = 1; i <= SIM_MAX_TRACKS; i++)
		if (d->isrc[i][0] && n < SIM_HEADER_BYTES - 64)
			n += (size_t)snprintf(h + n, SIM_HEADER_BYTES - n, "isrc %d %.12s\n",
					      i, d->isrc[i]);
	if (d->mcn[0] && n < SIM_HEADER_BYTES - 64)
		n += (size_t)snprintf(h + n, SIM_HEADER_BYTES - n, "mcn %.13s\n", d->mcn);
	/* the lead-in's CD-TEXT packs, in hex */
	if (d->n_cdtext && n + 20 + (size_t)d->n_cdtext * 36 < SIM_HEADER_BYTES) {
		n += (size_t)snprintf(h + n, SIM_HEADER_BYTES - n, "cdtext %d ", d->n_cdtext);
		for (int i = 0; i < d->n_cdtext * 18; i++)
			n += (size_t)snprintf(h + n, SIM_HEADER_BYTES - n, "%02x", d->cdtext[i]);
		n += (size_t)snprintf(h + n, SIM_HEADER_BYTES - n, "\n");
	}
	w = pwrite(dev->state_fd, h, SIM_HEADER_BYTES, 0);
	free(h);
	return w == SIM_HEADER_BYTES ? 0 : -1;
}

int sim_disc_save(struct sim_dev *dev)
{
	if (dev->state_fd < 0)
		return -1;
	dev->dirty = false;
	return write_header(dev);
}

static int parse_header(struct sim_dev *dev, const char *h)
{
	struct sim_disc *d = &dev->disc;
	char name[32] = "";
	const char *p;
	int ntr = 0, fmt = 0, fin = 0, tray = 0, lock = 0, quick = 0;
	long long cap = 0, spare = 0, hw = 0, writes = 0;

	if (strncmp(h, "mmcsim-disc 1\n", 14) != 0)
		return -1;
	if (sscanf(h, "mmcsim-disc 1\nmedia %31s\nprofile %d\ncapacity %lld\n"
		   "formatted %d\nspare %lld\nfinalized %d\nsessions %d\n"
		   "high_water %lld\ntray_open %d\nlocked %d\nwrites %lld\n"
		   "quick_blanked %d\ntracks %d\n", name, &d->profile, &cap, &fmt,
		   &spare, &fin, &d->n_sessions, &hw, &tray, &lock, &writes, &quick,
		   &ntr) != 13)
		return -1;
	d->media = sim_media_find(name);
	if (!d->media || ntr < 0 || ntr > SIM_MAX_TRACKS)
		return -1;
	d->capacity = cap;
	d->formatted = fmt;
	d->spare = spare;
	d->finalized = fin;
	d->high_water = hw;
	d->writes = writes;
	d->quick_blanked = quick;
	dev->tray_open = tray;
	dev->locked = lock;
	d->n_tracks = ntr;
	p = strstr(h, "\ntrack ");
	for (int i = 0; i < ntr; i++) {
		struct sim_track *t = &d->tracks[i];
		long long a, b, w, ro;
		int ses, st, au, dm;

		if (!p || sscanf(p, "\ntrack %lld %lld %lld %lld %d %d %d %d", &a, &b,
				 &w, &ro, &ses, &st, &au, &dm) != 8)
			return -1;
		*t = (struct sim_track){ a, b, w, ro, ses, (enum sim_track_state)st,
					 au != 0, dm != 0 };
		p = strstr(p + 1, "\ntrack ");
	}
	memset(d->isrc, 0, sizeof(d->isrc));
	for (p = strstr(h, "\nisrc "); p; p = strstr(p + 1, "\nisrc ")) {
		int tno;
		char code[13];

		if (sscanf(p, "\nisrc %d %12s", &tno, code) == 2 && tno >= 1 &&
		    tno <= SIM_MAX_TRACKS && strlen(code) == 12)
			memcpy(d->isrc[tno], code, 13);
	}
	memset(d->mcn, 0, sizeof(d->mcn));
	p = strstr(h, "\nmcn ");
	if (p && (sscanf(p, "\nmcn %13s", d->mcn) != 1 || strlen(d->mcn) != 13 ||
		  strspn(d->mcn, "0123456789") != 13))
		memset(d->mcn, 0, sizeof(d->mcn));
	d->n_cdtext = 0;
	p = strstr(h, "\ncdtext ");
	if (p) {
		int n = 0, at = 0;

		if (sscanf(p, "\ncdtext %d %n", &n, &at) != 1 || n < 0 || n > SIM_CDTEXT_MAX)
			return -1;
		p += at;
		for (int i = 0; i < n * 18; i++) {
			unsigned v;

			if (sscanf(p + 2 * i, "%2x", &v) != 1)
				return -1;
			d->cdtext[i] = (uint8_t)v;
		}
		d->n_cdtext = n;
	}
	return 0;
}

int sim_disc_load(struct sim_dev *dev, const char *media)
{
	char *h;
	struct stat st;
	ssize_t r;
	int ret = -1;

	if (dev->state_fd < 0) {
		int fd = open(dev->state_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0)
			return -1;
		/* keep clear of the low numbers programs dup2() onto */
		dev->state_fd = fcntl(fd, F_DUPFD_CLOEXEC, 900);
		close(fd);
		if (dev->state_fd < 0)
			return -1;
		dev->test_nwa = INT64_MIN;
	}
	if (fstat(dev->state_fd, &st) < 0)
		return -1;
	if (st.st_size == 0) {
		const struct sim_media *m = media ? sim_media_find(media) : NULL;

		if (!m)
			return -1;
		sim_disc_fresh(&dev->disc, m);
		dev->loaded = true;
		dev->read_kbps = 0;
		dev->write_kbps = 0;
		return sim_disc_save(dev);
	}
	h = malloc(SIM_HEADER_BYTES + 1);
	if (!h)
		return -1;
	r = pread(dev->state_fd, h, SIM_HEADER_BYTES, 0);
	if (r > 0) {
		h[r] = '\0';
		ret = parse_header(dev, h);
	}
	free(h);
	if (ret == 0 && media && strcmp(media, dev->disc.media->name) != 0 &&
	    !(strcmp(media, "dvd-rw") == 0 && strcmp(dev->disc.media->name, "dvd-rw-ro") == 0)) {
		fprintf(stderr, "mmcsim: '%s' holds a %s disc, not %s\n",
			dev->state_path, dev->disc.media->name, media);
		return -1;
	}
	if (ret == 0)
		dev->loaded = true;
	dev->tray_open |= dev->fault_tray_open;
	dev->no_medium |= dev->fault_no_medium;
	return ret;
}

int sim_disc_press(struct sim_dev *dev, const char *image)
{
	int fd = open(image, O_RDONLY | O_CLOEXEC);
	uint8_t *buf;
	int64_t lba = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	buf = malloc(64 * SIM_SECTOR);
	if (!buf) {
		close(fd);
		return -1;
	}
	while ((r = read(fd, buf, 64 * SIM_SECTOR)) > 0) {
		uint32_t n = (uint32_t)((r + SIM_SECTOR - 1) / SIM_SECTOR);

		memset(buf + r, 0, (size_t)n * SIM_SECTOR - (size_t)r);
		sim_store(dev, lba, buf, n);
		lba += n;
	}
	close(fd);
	free(buf);
	dev->disc.capacity = lba;
	dev->disc.writes = 0;
	/* one closed data track in one closed session */
	dev->disc.n_tracks = 1;
	dev->disc.tracks[0] = (struct sim_track){ .start = 0, .size = lba,
		.written = lba, .session = 1, .state = TRK_CLOSED };
	dev->disc.finalized = true;
	return sim_disc_save(dev);
}
