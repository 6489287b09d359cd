/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * read_nrg.c - Nero NRG images.  The sectors come first; a chunk list
 * follows, found through the trailer: "NERO" + 32-bit offset (v1) in the
 * last 8 bytes, or "NER5" + 64-bit offset (v2) in the last 12.  Chunks
 * are an ID, a big-endian 32-bit size, and the body:
 *
 *   CUES/CUEX  8 bytes per track index: ADR/control, track (BCD), index
 *              (BCD), 0, then MSF (CUES, from 00:00:00) or LBA (CUEX, BE32)
 *   DAOI/DAOX  disc-at-once: a 22-byte header (MCN, first/last track) and
 *              per track ISRC, sector size, mode, and three file offsets
 *              (pregap, index 01, end), 32-bit (DAOI) or 64-bit (DAOX)
 *   ETNF/ETN2  track-at-once: offset, length, mode, start LBA per track
 *   SINF       a session begins: its track count
 *   CDTX       CD-TEXT packs;  MTYP, AFNM, VOLM, RELO, TOCT: ignored
 *   END!       the end
 *
 * A session's CUEX precedes its DAOX.  Everything is big endian.  Every
 * offset is checked against the file, and the chunk walk only moves
 * forward, so a chunk list that loops ends in an error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imaging/disc/disc_private.h"

#define MAX_CHUNKS 1024
#define MAX_CUE 1000

static int nrg_probe(const struct disc_probe_in *in)
{
	if (in->tail_len >= 12 && !memcmp(in->tail + in->tail_len - 12, "NER5", 4) &&
	    disc_be64(in->tail + in->tail_len - 8) < in->size)
		return 100;
	if (in->tail_len >= 8 && !memcmp(in->tail + in->tail_len - 8, "NERO", 4) &&
	    disc_be32(in->tail + in->tail_len - 4) < in->size)
		return 100;
	return !strcmp(in->ext, "nrg") ? 5 : 0;
}

struct nrg_index {
	int track, index;
	int64_t lba;
	uint8_t ctl;
};

struct nrg {
	struct img_disc *d;
	struct img_bytes *b;
	int file;
	struct nrg_index cue[MAX_CUE];
	int n_cue, cue_from;        /* entries of the session being read start at */
	int session;
	int sinf[100], n_sinf;      /* TAO: tracks per session */
	struct sp_error *err;
};

/* Sector size and model of a Nero mode code; false if unknown. */
static bool nrg_mode(uint32_t code, struct img_disc_track *t, struct img_disc_extent *x)
{
	static const struct {
		uint32_t code;
		enum img_disc_mode mode;
		enum img_disc_store store;
		uint32_t size, sub;
		const char *name;
	} m[] = {
		{ 0x00, IMG_DISC_MODE1, IMG_STORE_USER, 2048, 0, "MODE1/2048" },
		{ 0x02, IMG_DISC_MODE2_FORM1, IMG_STORE_USER, 2048, 0, "MODE2/2048" },
		{ 0x03, IMG_DISC_MODE2_MIXED, IMG_STORE_MODE2, 2336, 0, "MODE2/2336" },
		{ 0x05, IMG_DISC_MODE1, IMG_STORE_RAW, 2352, 0, "MODE1/2352" },
		{ 0x06, IMG_DISC_MODE2_MIXED, IMG_STORE_RAW, 2352, 0, "MODE2/2352" },
		{ 0x07, IMG_DISC_AUDIO, IMG_STORE_RAW, 2352, 0, "AUDIO" },
		{ 0x0f, IMG_DISC_MODE1, IMG_STORE_RAW, 2448, 96, "MODE1/2448" },
		{ 0x10, IMG_DISC_AUDIO, IMG_STORE_RAW, 2448, 96, "AUDIO/2448" },
		{ 0x11, IMG_DISC_MODE2_MIXED, IMG_STORE_RAW, 2448, 96, "MODE2/2448" },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (m[i].code == code) {
			t->mode = m[i].mode;
			snprintf(t->stored_as, sizeof(t->stored_as), "%s", m[i].name);
			x->store = m[i].store;
			x->sector_size = m[i].size;
			x->sub_size = m[i].sub;
			return true;
		}
	return false;
}

static enum sp_status parse_cues(struct nrg *n, const uint8_t *p, uint32_t size,
				 uint64_t at, bool x)
{
	n->cue_from = n->n_cue;
	if (size % 8)
		return disc_bad(n->err, "NRG", n->b->name, at, "a cue chunk of %u bytes "
				"(not a multiple of 8)", size);
	for (uint32_t o = 0; o < size; o += 8) {
		struct nrg_index *e;
		const uint8_t *q = p + o;

		if (n->n_cue >= MAX_CUE)
			return disc_bad(n->err, "NRG", n->b->name, at + o, "more than %d cue entries",
					MAX_CUE);
		e = &n->cue[n->n_cue++];
		e->ctl = q[0];
		e->track = q[1] == 0xaa ? 0xaa : disc_bcd(q[1]);
		e->index = disc_bcd(q[2]);
		e->lba = x ? (int64_t)(int32_t)disc_be32(q + 4)
			   : (int64_t)(disc_bcd(q[5]) * 60 + disc_bcd(q[6])) * 75 + disc_bcd(q[7]) - 150;
	}
	return SP_OK;
}

static const struct nrg_index *find_index(const struct nrg *n, int track, int index)
{
	for (int i = n->cue_from; i < n->n_cue; i++)
		if (n->cue[i].track == track && n->cue[i].index == index)
			return &n->cue[i];
	return NULL;
}

static enum sp_status parse_dao(struct nrg *n, const uint8_t *p, uint32_t size,
				uint64_t at, bool x)
{
	size_t tl = x ? 42 : 30;
	int first, last;

	if (size < 22)
		return disc_bad(n->err, "NRG", n->b->name, at, "a DAO chunk of %u bytes", size);
	n->session++;
	if (p[4] && !n->d->mcn[0]) {
		memcpy(n->d->mcn, p + 4, 13);
		n->d->mcn[13] = 0;
	}
	first = p[20];
	last = p[21];
	if (first < 1 || last < first || last > 99 ||
	    22 + (size_t)(last - first + 1) * tl > size)
		return disc_bad(n->err, "NRG", n->b->name, at + 20, "tracks %d to %d do not fit "
				"a DAO chunk of %u bytes", first, last, size);
	for (int k = first; k <= last; k++) {
		const uint8_t *q = p + 22 + (size_t)(k - first) * tl;
		uint64_t o0 = x ? disc_be64(q + 18) : disc_be32(q + 18);
		uint64_t o1 = x ? disc_be64(q + 26) : disc_be32(q + 22);
		uint64_t o2 = x ? disc_be64(q + 34) : disc_be32(q + 26);
		const struct nrg_index *i1 = find_index(n, k, 1), *i0 = find_index(n, k, 0);
		struct img_disc_track *t = disc_add_track(n->d, "NRG", n->err);
		struct img_disc_extent *e = t ? disc_add_extent(n->d, "NRG", n->err) : NULL;
		uint64_t ssz;

		if (!e)
			return SP_FAILED;
		t->number = k;
		t->session = n->session;
		if (!nrg_mode(q[14], t, e))
			return disc_bad(n->err, "NRG", n->b->name, at + 22 + (size_t)(k - first) * tl + 14,
					"track %d has the unknown mode 0x%02x", k, q[14]);
		ssz = e->sector_size;
		if (disc_be16(q + 12) != ssz && disc_be16(q + 12) != 0)
			disc_note(n->d, "Track %d: sector size %u with mode 0x%02x; the mode wins.",
				  k, disc_be16(q + 12), q[14]);
		if (o0 > o1 || o1 > o2 || (o2 - o0) % ssz || o2 > n->b->size)
			return disc_bad(n->err, "NRG", n->b->name, at + 22 + (size_t)(k - first) * tl + 18,
					"track %d's offsets %llu, %llu, %llu are out of order, "
					"not whole sectors, or past the end (%llu bytes)", k,
					(unsigned long long)o0, (unsigned long long)o1,
					(unsigned long long)o2, (unsigned long long)n->b->size);
		if (!i1)
			return disc_bad(n->err, "NRG", n->b->name, at, "track %d has no INDEX 01 "
					"in the cue chunk", k);
		if (q[0] >= 0x20)
			memcpy(t->isrc, q, 12);
		t->start = i1->lba;
		t->pregap = (int64_t)((o1 - o0) / ssz);
		if (i0 && i1->lba - i0->lba > t->pregap)
			t->pregap = i1->lba - i0->lba;   /* part of it not stored */
		t->length = (int64_t)((o2 - o1) / ssz);
		t->pre_emphasis = i1->ctl & 0x10;
		t->copy_permitted = i1->ctl & 0x20;
		e->file = n->file;
		e->offset = o0;
		e->lba = t->start - (int64_t)((o1 - o0) / ssz);
		e->count = (int64_t)((o2 - o0) / ssz);
		for (int ix = 2; ix <= 99; ix++) {
			const struct nrg_index *in = find_index(n, k, ix);

			if (!in)
				break;
			t->index[t->n_index ? t->n_index : 1] = in->lba;
			t->n_index = t->n_index ? t->n_index + 1 : 2;
			t->index[0] = t->start;
		}
	}
	return SP_OK;
}

static enum sp_status parse_etn(struct nrg *n, const uint8_t *p, uint32_t size,
				uint64_t at, bool x)
{
	size_t el = x ? 32 : 20;
	int in_session = 0, s = 0;

	if (size % el)
		return disc_bad(n->err, "NRG", n->b->name, at, "a TAO chunk of %u bytes", size);
	for (uint32_t o = 0; o < size; o += (uint32_t)el) {
		const uint8_t *q = p + o;
		uint64_t off = x ? disc_be64(q) : disc_be32(q);
		uint64_t len = x ? disc_be64(q + 8) : disc_be32(q + 4);
		uint32_t mode = disc_be32(q + (x ? 16 : 8));
		int64_t lba = (int32_t)disc_be32(q + (x ? 20 : 12));
		struct img_disc_track *t = disc_add_track(n->d, "NRG", n->err);
		struct img_disc_extent *e = t ? disc_add_extent(n->d, "NRG", n->err) : NULL;

		if (!e)
			return SP_FAILED;
		if (!nrg_mode(mode, t, e))
			return disc_bad(n->err, "NRG", n->b->name, at + o, "track %d has the unknown "
					"mode 0x%02x", t->number, mode);
		if (off > n->b->size || len > n->b->size - off || len % e->sector_size || !len)
			return disc_bad(n->err, "NRG", n->b->name, at + o, "track %d: %llu bytes at "
					"byte %llu do not fit the file", t->number,
					(unsigned long long)len, (unsigned long long)off);
		if (n->n_sinf && s < n->n_sinf && in_session >= n->sinf[s]) {
			s++;
			in_session = 0;
		}
		in_session++;
		t->session = s + 1;
		t->start = lba;
		t->length = (int64_t)(len / e->sector_size);
		e->file = n->file;
		e->offset = off;
		e->lba = lba;
		e->count = t->length;
	}
	return SP_OK;
}

static enum sp_status nrg_open(struct img_disc *d, struct img_bytes *b, const char *path,
			       struct sp_error *err)
{
	struct nrg *n = calloc(1, sizeof(*n));
	uint8_t tail[12], hdr[8], *body = NULL, *cdtx = NULL;
	uint32_t cdtx_len = 0;
	uint64_t at, end;
	bool v2;
	enum sp_status st = SP_FAILED;

	(void)path;
	if (!n)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	n->d = d;
	n->b = b;
	n->err = err;
	n->file = 0;
	if (b->size < 12 || img_bytes_read(b, b->size - 12, tail, 12, err) != SP_OK) {
		disc_bad(err, "NRG", b->name, 0, "too short for a Nero trailer");
		goto out;
	}
	v2 = !memcmp(tail, "NER5", 4);
	if (!v2 && memcmp(tail + 4, "NERO", 4)) {
		disc_bad(err, "NRG", b->name, b->size - 8, "no NERO or NER5 trailer");
		goto out;
	}
	at = v2 ? disc_be64(tail + 4) : disc_be32(tail + 8);
	end = b->size - (v2 ? 12 : 8);
	snprintf(d->format, sizeof(d->format), "NRG %s", v2 ? "v2" : "v1");
	for (int guard = 0;; guard++) {
		uint32_t size;

		if (guard >= MAX_CHUNKS || at + 8 > end) {
			disc_bad(err, "NRG", b->name, at, "the chunk list runs past its end "
				 "without an END! chunk");
			goto out;
		}
		if (img_bytes_read(b, at, hdr, 8, err) != SP_OK)
			goto out;
		size = disc_be32(hdr + 4);
		if (!memcmp(hdr, "END!", 4))
			break;
		if (size > end - at - 8 || size > (16u << 20)) {
			disc_bad(err, "NRG", b->name, at + 4, "chunk '%.4s' of %u bytes runs past "
				 "the chunk list", (const char *)hdr, size);
			goto out;
		}
		free(body);
		body = malloc(size + 1u);
		if (!body) {
			sp_error_set(err, SPE_NOMEM, "out of memory");
			goto out;
		}
		if (img_bytes_read(b, at + 8, body, size, err) != SP_OK)
			goto out;
		if ((!memcmp(hdr, "CUES", 4) || !memcmp(hdr, "CUEX", 4)) &&
		    parse_cues(n, body, size, at + 8, hdr[3] == 'X') != SP_OK)
			goto out;
		if ((!memcmp(hdr, "DAOI", 4) || !memcmp(hdr, "DAOX", 4)) &&
		    parse_dao(n, body, size, at + 8, hdr[3] == 'X') != SP_OK)
			goto out;
		if ((!memcmp(hdr, "ETNF", 4) || !memcmp(hdr, "ETN2", 4)) &&
		    parse_etn(n, body, size, at + 8, hdr[3] == '2') != SP_OK)
			goto out;
		if (!memcmp(hdr, "SINF", 4) && size >= 4 && n->n_sinf < 100)
			n->sinf[n->n_sinf++] = (int)disc_be32(body);
		if (!memcmp(hdr, "CDTX", 4) && !cdtx) {
			cdtx = body;        /* decoded once all tracks are known */
			cdtx_len = size;
			body = NULL;
		}
		at += 8 + (uint64_t)size;
	}
	if (cdtx)
		disc_cdtext_packs(d, cdtx, cdtx_len);
	st = disc_finish(d, "NRG", err);
out:
	free(cdtx);
	free(body);
	free(n);
	return st;
}

const struct disc_reader disc_reader_nrg = { "nrg", nrg_probe, nrg_open };
