/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disc_util.c - helpers the format readers share: finding the files a
 * descriptor names, reading a descriptor whole, error wording, notes,
 * and CD-TEXT packs.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "imaging/disc/disc_private.h"

enum sp_status disc_bad(struct sp_error *err, const char *fmt, const char *name,
			uint64_t off, const char *what, ...)
{
	char buf[320];
	va_list ap;

	va_start(ap, what);
	vsnprintf(buf, sizeof(buf), what, ap);
	va_end(ap);
	sp_error_set(err, SPE_FORMAT, "malformed %s image '%s' at byte %llu: %s", fmt, name,
		     (unsigned long long)off, buf);
	/* "an MDS", "an NRG": these names are read letter by letter */
	sp_error_hint(err, "the image is damaged, truncated or not %s %s image",
		      strchr("AEFHILMNORSX", fmt[0]) && fmt[0] ? "an" : "a", fmt);
	return SP_FAILED;
}

void disc_note(struct img_disc *d, const char *fmt, ...)
{
	size_t l = strlen(d->note);
	va_list ap;

	if (l && l + 2 < sizeof(d->note)) {
		d->note[l++] = ' ';
		d->note[l] = 0;
	}
	va_start(ap, fmt);
	vsnprintf(d->note + l, sizeof(d->note) - l, fmt, ap);
	va_end(ap);
}

char *disc_sibling(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');
	size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
	char *p;

	if (name[0] == '/' || !dl)
		return strdup(name);
	p = malloc(dl + strlen(name) + 1);
	if (!p)
		return NULL;
	memcpy(p, path, dl);
	strcpy(p + dl, name);
	return p;
}

char *disc_sibling_ext(const char *path, const char *ext)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	size_t base = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
	size_t el = strlen(ext);
	char *p = malloc(base + el + 2);

	if (!p)
		return NULL;
	for (int upper = 0; upper < 2; upper++) {
		memcpy(p, path, base);
		p[base] = '.';
		for (size_t i = 0; i < el; i++)
			p[base + 1 + i] = (char)(upper ? toupper((unsigned char)ext[i]) : ext[i]);
		p[base + 1 + el] = 0;
		if (access(p, F_OK) == 0)
			return p;
	}
	free(p);
	return NULL;
}

char *disc_find_file(const char *desc_path, const char *name, int *how)
{
	char *p = NULL, *dir, *slash;
	const char *base = name;
	struct dirent *e;
	DIR *dp;

	/* Windows sheets write C:\dir\name or dir\name: keep the last part */
	for (const char *s = name; *s; s++)
		if (*s == '\\')
			base = s + 1;
	*how = 0;
	p = disc_sibling(desc_path, name);
	if (p && access(p, F_OK) == 0)
		return p;
	free(p);
	if (base != name) {
		p = disc_sibling(desc_path, base);
		if (p && access(p, F_OK) == 0)
			return p;
		free(p);
	}
	if (strchr(base, '/'))
		return NULL;
	dir = strdup(desc_path);
	if (!dir)
		return NULL;
	slash = strrchr(dir, '/');
	if (slash)
		slash[1] = 0;
	else
		strcpy(dir, ".");
	dp = opendir(dir);
	free(dir);
	if (!dp)
		return NULL;
	p = NULL;
	while ((e = readdir(dp)))
		if (strcasecmp(e->d_name, base) == 0) {
			p = disc_sibling(desc_path, e->d_name);
			*how = 1;
			break;
		}
	closedir(dp);
	return p;
}

enum sp_status disc_slurp(struct img_bytes *b, size_t max, char **out, size_t *len,
			  const char *fmt, struct sp_error *err)
{
	char *buf;

	*out = NULL;
	if (b->size > max)
		return disc_bad(err, fmt, b->name, max, "a descriptor of %llu bytes is too large "
				"(at most %zu)", (unsigned long long)b->size, max);
	buf = malloc((size_t)b->size + 1);
	if (!buf)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	if (img_bytes_read(b, 0, buf, (size_t)b->size, err) != SP_OK) {
		free(buf);
		return SP_FAILED;
	}
	buf[b->size] = 0;
	*out = buf;
	*len = (size_t)b->size;
	return SP_OK;
}

/* Byte offset of a WAVE file's PCM, checked to be CD audio. */
enum sp_status disc_wave_data(struct img_bytes *b, uint64_t *off, uint64_t *len,
				struct sp_error *err)
{
	uint8_t h[12], c[24];
	uint64_t o = 12;
	bool fmt_ok = false;

	if (img_bytes_read(b, 0, h, 12, err) != SP_OK)
		return SP_FAILED;
	if (memcmp(h, "RIFF", 4) || memcmp(h + 8, "WAVE", 4))
		return disc_bad(err, "WAVE", b->name, 0, "no RIFF/WAVE header (spindle reads "
				"FLAC through 'burn', not in a disc image)");
	for (int guard = 0; guard < 64 && o + 8 <= b->size; guard++) {
		uint32_t sz;

		if (img_bytes_read(b, o, c, 8, err) != SP_OK)
			return SP_FAILED;
		sz = disc_le32(c + 4);
		if (!memcmp(c, "fmt ", 4)) {
			if (sz < 16 || img_bytes_read(b, o + 8, c + 8, 16, err) != SP_OK)
				return disc_bad(err, "WAVE", b->name, o, "a short fmt chunk");
			fmt_ok = disc_le16(c + 8) == 1 && disc_le16(c + 10) == 2 &&
				 disc_le32(c + 12) == 44100 && disc_le16(c + 22) == 16;
		} else if (!memcmp(c, "data", 4)) {
			if (!fmt_ok)
				return disc_bad(err, "WAVE", b->name, o, "not 16-bit stereo 44.1 kHz PCM");
			*off = o + 8;
			*len = sz > b->size - *off ? b->size - *off : sz;
			return SP_OK;
		}
		o += 8 + (uint64_t)sz + (sz & 1);
	}
	return disc_bad(err, "WAVE", b->name, o, "no data chunk");
}

/*
 * CD-TEXT packs (MMC, annex J): 18 bytes each, type (0x80 title, 0x81
 * performer ...), track, sequence, block/char position, 12 text bytes and
 * a CRC.  The text of one type runs through consecutive packs, a NUL
 * ending each track's string.  Only block 0 (the first language) is read.
 */
void disc_cdtext_packs(struct img_disc *d, const uint8_t *p, size_t len)
{
	char text[2][IMG_DISC_MAX_TRACKS + 1][81];
	int cur[2] = { -1, -1 };
	size_t pos[2] = { 0, 0 };

	memset(text, 0, sizeof(text));
	for (size_t o = 0; o + 18 <= len; o += 18) {
		const uint8_t *k = p + o;
		int type = k[0] - 0x80, block = (k[3] >> 4) & 7;

		if (type < 0 || type > 1 || block != 0 || (k[3] & 0x80))
			continue;   /* other types, blocks, or double-byte text */
		if (cur[type] < 0 || pos[type] == 0)
			cur[type] = k[1] & 0x7f;
		for (int i = 0; i < 12; i++) {
			if (cur[type] > IMG_DISC_MAX_TRACKS)
				break;
			if (k[4 + i] == 0) {
				cur[type]++;
				pos[type] = 0;
				continue;
			}
			if (pos[type] < 80 && k[4 + i] >= 0x20)
				text[type][cur[type]][pos[type]++] = (char)k[4 + i];
		}
	}
	for (int t = 0; t < 2; t++) {
		if (text[t][0][0]) {
			memcpy(t ? d->performer : d->title, text[t][0], 81);
			d->has_cdtext = true;
		}
		for (int i = 0; i < d->n_tracks; i++) {
			int n = d->tracks[i].number;

			if (n < 1 || n > IMG_DISC_MAX_TRACKS || !text[t][n][0])
				continue;
			memcpy(t ? d->tracks[i].performer : d->tracks[i].title, text[t][n], 81);
			d->has_cdtext = true;
		}
	}
}

int disc_mds_data_file(struct img_disc *d, const char *desc_path, const char *name,
		       int *star, struct sp_error *err)
{
	char *path;
	int how, f;

	if (!strcmp(name, "*.mdf") || !strcmp(name, "*.MDF")) {
		if (*star >= 0)
			return *star;
		path = disc_sibling_ext(desc_path, "mdf");
		if (!path) {
			sp_error_set(err, SPE_NOENT, "the data file of '%s' (the same name "
				     "ending in .mdf) is not there", desc_path);
			return -1;
		}
	} else {
		path = disc_find_file(desc_path, name, &how);
		if (!path) {
			sp_error_set(err, SPE_NOENT, "'%s' names data file '%s', which is not "
				     "there", desc_path, name);
			return -1;
		}
	}
	f = disc_open_file(d, path, err);
	free(path);
	if (!strncmp(name, "*.", 2))
		*star = f;
	return f;
}
