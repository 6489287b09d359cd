/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_rip_audio.c - `spindle rip --audio` (secure audio extraction with a
 * log of checksums) and `spindle rip --raw` (2352-byte BIN/CUE copies).
 * cmd_rip() hands argv over when it sees --audio or --raw; the options
 * below are parsed here and documented under `spindle rip`.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/master_args.h"
#include "imaging/imaging.h"

enum {
	OPT_AUDIO = 700,
	OPT_RAW,
	OPT_FORMAT,
	OPT_OFFSET,
	OPT_RETRIES,
	OPT_TEST_AND_COPY,
	OPT_C2,
	OPT_FORCE,
	OPT_TEST_UNREADABLE,
	OPT_METADATA,
	OPT_TAG,
	OPT_AR_DB,
	OPT_AR,
	OPT_FIND_OFFSET,
	OPT_MUSICBRAINZ,
	OPT_GAPS,
	OPT_MB_SERVER,
	OPT_AR_SERVER,
	OPT_DEEMPHASIS,
};

#define MAX_OFFSET (10 * IMG_CD_SAMPLES)

const struct cli_opt rip_audio_opts[] = {
	{ "output", 'o', "PATH", "with --audio: the directory for the tracks, disc.cue and "
	  "rip.log (created if missing); with --raw: the DISC.bin to write (DISC.cue beside it)" },
	{ "audio", OPT_AUDIO, NULL, "rip the audio tracks of a CD, or of a disc image "
	  "(CUE, TOC, NRG, MDS, MDX, CCD, CDI) given as SOURCE, through libcdio-paranoia in "
	  "full paranoia mode" },
	{ "raw", OPT_RAW, NULL, "copy every track as 2352-byte sectors into BIN/CUE, data and "
	  "audio alike, through MMC READ CD" },
	{ "format", OPT_FORMAT, "flac|wav", "with --audio: flac (the default) or wav" },
	{ "offset", OPT_OFFSET, "SAMPLES", "with --audio: the drive's read offset in samples "
	  "(as in AccurateRip's drive list, e.g. +6 or -472); default 0" },
	{ "retries", OPT_RETRIES, "N", "with --audio: read attempts per sector before paranoia "
	  "gives up on it and logs it (5 to 1000, default 20; libcdio-paranoia never gives up below 5)" },
	{ "test-and-copy", OPT_TEST_AND_COPY, NULL, "with --audio: read each track twice and log "
	  "both CRCs; a difference means the rip is not to be trusted" },
	{ "c2", OPT_C2, NULL, "with --raw: ask the drive for C2 error pointers and count the "
	  "sectors they flag" },
	{ "force", OPT_FORCE, NULL, "overwrite existing output files" },
	{ "test-unreadable", OPT_TEST_UNREADABLE, "LBA[-LBA][,...]", "with --audio, for testing: "
	  "make these sectors fail to read, as on a damaged disc" },
	{ "metadata", OPT_METADATA, "FILE", "with --audio: tag the FLAC files from FILE instead of "
	  "the CD-TEXT: JSON, either {\"album\", \"artist\", \"date\", \"genre\", \"discnumber\", "
	  "\"disctotal\", \"tracks\": [{\"title\", \"artist\", \"isrc\"}, ...]} or a MusicBrainz "
	  "release as its web service returns it (the medium with this disc's ID is used); "
	  "its track count must be the disc's" },
	{ "tag", OPT_TAG, "NAME=VALUE", "with --audio: add this Vorbis comment to every FLAC "
	  "file (repeatable)" },
	{ "accuraterip-db", OPT_AR_DB, "FILE", "with --audio: check each track's AccurateRip v1 "
	  "and v2 checksums against FILE, the disc's dBAR file saved from the address the log gives" },
	{ "accuraterip", OPT_AR, NULL, "with --audio: download the disc's dBAR file from "
	  "AccurateRip before ripping and check each track against it (--accuraterip-db FILE, "
	  "if given, is used instead); without network, or for a disc AccurateRip does not "
	  "know, the log says so and the rip goes on unchecked" },
	{ "accuraterip-server", OPT_AR_SERVER, "URL", "with --accuraterip: the server to ask, "
	  "a base URL (http, https or file) under which /accuraterip/a/b/c/dBAR-....bin is "
	  "fetched; default " IMG_ACCURATERIP_SERVER },
	{ "musicbrainz", OPT_MUSICBRAINZ, NULL, "with --audio: look the disc ID up in "
	  "MusicBrainz before ripping and tag from the release and medium holding this disc "
	  "(the log and --json say which); --metadata FILE, if given, is used instead; "
	  "without network, or for a disc MusicBrainz does not know, the log says so and "
	  "the tags come from the CD-TEXT" },
	{ "musicbrainz-server", OPT_MB_SERVER, "URL", "with --musicbrainz: the server to ask, "
	  "a base URL (http, https or file) under which /ws/2/discid/ID is fetched; default "
	  IMG_MUSICBRAINZ_SERVER },
	{ "gaps", OPT_GAPS, "append|prepend|htoa", "with --audio: where the audio between a "
	  "track's INDEX 00 and INDEX 01 goes: append (the default) ends the previous track's "
	  "file with it, and keeps audio before track 1 as track 0 (00.flac) unless it is "
	  "silence; prepend begins each track's own file with its gap (track 1's file starts "
	  "at the disc's first sector); htoa is append but always keeps track 1's pregap as "
	  "track 0. The CUE sheet follows; AccurateRip checks INDEX 01 to INDEX 01 in every mode" },
	{ "deemphasis", OPT_DEEMPHASIS, NULL, "with --audio: undo the pre-emphasis of tracks "
	  "flagged with it (the 50/15 us curve, as sox's deemph effect) in their files; "
	  "checksums of the disc's samples (AccurateRip) are unchanged, the CRC is the file's" },
	{ "find-offset", OPT_FIND_OFFSET, NULL, "with --audio and --accuraterip-db: rip nothing, "
	  "but find the drive's read offset: the offset (within 2940 samples either way) at which "
	  "the most tracks' AccurateRip checksums match the file" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_doc doc_rip_audio = {
	"--audio (-d DRIVE | SOURCE) -o DIR [OPTIONS] | --raw (-d DRIVE | SOURCE) -o DISC.bin",
	"Rip an audio CD securely, or copy a CD's raw sectors to BIN/CUE",
	RIP_AUDIO_DESCRIPTION,
	rip_audio_opts,
	NULL,
};

struct rip_audio_args {
	bool audio, raw;
	const char *out, *source;
	struct img_audio_rip_opts ao;
	struct img_raw_rip_opts ro;
	struct img_ranges unreadable;
	const char *metadata, *ar_db;
	bool accuraterip, find_offset, musicbrainz, gaps_set, use_db;
	const char *mb_server, *ar_server;
	struct img_meta tags;       /* the --tag options */
};

static int parse_offset(struct cli_ctx *ctx, const char *s, int *out)
{
	char *e;
	long v;

	errno = 0;
	v = strtol(s, &e, 10);
	if (!*s || *e || errno || v < -MAX_OFFSET || v > MAX_OFFSET)
		return cli_usage_error(ctx, "--offset: '%s' is not a number of samples from %d to %d",
				       s, -MAX_OFFSET, MAX_OFFSET), -1;
	*out = (int)v;
	return 0;
}

static int parse_ranges(struct cli_ctx *ctx, const char *s, struct img_ranges *r)
{
	char *dup = strdup(s), *save = NULL;
	int rc = 0;

	for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		uint64_t a, b;

		if (dash)
			*dash = '\0';
		if (sp_parse_uint(tok, 0, 450000, &a) < 0 ||
		    sp_parse_uint(dash ? dash + 1 : tok, a, 450000, &b) < 0) {
			rc = cli_usage_error(ctx, "--test-unreadable: '%s' is not a list of sectors "
					     "like 100,200-210", s);
			break;
		}
		img_ranges_add(r, (int64_t)a, (int64_t)(b - a + 1));
	}
	free(dup);
	return rc ? -1 : 0;
}

/* Leaving the option loop early: cli_next_opt() frees its tables only at
 * the end of the options. */
static int stop_options(struct cli_ctx *ctx, int rc)
{
	free(ctx->longopts);
	ctx->longopts = NULL;
	return rc;
}

static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct rip_audio_args *a)
{
	const char *arg;
	uint64_t v;
	int c;

	while ((c = cli_next_opt(ctx, argc, argv, &arg)) != CLI_OPT_END) {
		switch (c) {
		case CLI_OPT_EXIT:
			return SP_EXIT_OK;
		case CLI_OPT_ERROR:
			return stop_options(ctx, SP_EXIT_USAGE);
		case 'o': a->out = arg; break;
		case OPT_AUDIO: a->audio = true; break;
		case OPT_RAW: a->raw = true; break;
		case OPT_FORMAT:
			if (!strcmp(arg, "flac"))
				a->ao.format = IMG_AUDIO_FLAC;
			else if (!strcmp(arg, "wav"))
				a->ao.format = IMG_AUDIO_WAV;
			else
				return stop_options(ctx, cli_usage_error(ctx,
					"--format: '%s' is neither flac nor wav", arg));
			break;
		case OPT_OFFSET:
			if (parse_offset(ctx, arg, &a->ao.offset) < 0)
				return stop_options(ctx, SP_EXIT_USAGE);
			break;
		case OPT_RETRIES:
			if (cli_parse_uint_opt(ctx, "--retries", arg, 5, 1000, &v) < 0)
				return stop_options(ctx, SP_EXIT_USAGE);
			a->ao.retries = (int)v;
			break;
		case OPT_TEST_AND_COPY: a->ao.test_and_copy = true; break;
		case OPT_C2: a->ro.c2 = true; break;
		case OPT_FORCE: a->ao.force = a->ro.force = true; break;
		case OPT_TEST_UNREADABLE:
			if (parse_ranges(ctx, arg, &a->unreadable) < 0)
				return stop_options(ctx, SP_EXIT_USAGE);
			break;
		case OPT_METADATA: a->metadata = arg; break;
		case OPT_AR_DB: a->ar_db = arg; break;
		case OPT_AR: a->accuraterip = true; break;
		case OPT_FIND_OFFSET: a->find_offset = true; break;
		case OPT_MUSICBRAINZ: a->musicbrainz = true; break;
		case OPT_MB_SERVER: a->mb_server = arg; break;
		case OPT_DEEMPHASIS: a->ao.deemphasis = true; break;
		case OPT_AR_SERVER: a->ar_server = arg; break;
		case OPT_GAPS:
			if (!strcmp(arg, "append"))
				a->ao.gaps = IMG_GAPS_APPEND;
			else if (!strcmp(arg, "prepend"))
				a->ao.gaps = IMG_GAPS_PREPEND;
			else if (!strcmp(arg, "htoa"))
				a->ao.gaps = IMG_GAPS_HTOA;
			else
				return stop_options(ctx, cli_usage_error(ctx,
					"--gaps: '%s' is none of append, prepend and htoa", arg));
			a->gaps_set = true;
			break;
		case OPT_TAG: {
			struct sp_error err = SP_ERROR_INIT;

			if (img_meta_add_tag(&a->tags, arg, &err) != SP_OK)
				return stop_options(ctx, cli_usage_error(ctx, "%s", err.msg));
			break;
		}
		default:
			return stop_options(ctx, SP_EXIT_USAGE);
		}
	}
	if (a->audio == a->raw)
		return cli_usage_error(ctx, "give one of --audio and --raw");
	if (a->raw && (a->metadata || a->ar_db || a->accuraterip || a->tags.n_extra ||
		       a->musicbrainz || a->find_offset || a->gaps_set || a->ao.deemphasis))
		return cli_usage_error(ctx, "--metadata, --tag, --gaps, --deemphasis and "
				       "--accuraterip go with --audio, not --raw");
	if ((a->mb_server && !a->musicbrainz) || (a->ar_server && !a->accuraterip))
		return cli_usage_error(ctx, "--%s-server goes with --%s", a->mb_server &&
				       !a->musicbrainz ? "musicbrainz" : "accuraterip",
				       a->mb_server && !a->musicbrainz ? "musicbrainz" : "accuraterip");
	if (a->find_offset && (!a->audio || !a->ar_db))
		return cli_usage_error(ctx, "--find-offset needs --audio and --accuraterip-db FILE, "
				       "the disc's AccurateRip data");
	if (a->find_offset && a->out)
		return cli_usage_error(ctx, "--find-offset writes nothing: leave -o out");
	if (!a->out && !a->find_offset)
		return cli_usage_error(ctx, "-o is missing: where should the %s go?",
				       a->audio ? "tracks" : "BIN file");
	if (ctx->optind < argc)
		a->source = argv[ctx->optind++];
	if (ctx->optind < argc)
		return cli_usage_error(ctx, "unexpected argument '%s'", argv[ctx->optind]);
	if (a->source && cli_drive(ctx))
		return cli_usage_error(ctx, "give either -d DRIVE or an image, not both");
	if (!a->source)
		a->source = cli_drive(ctx);
	if (!a->source)
		return cli_usage_error(ctx, "no source: give -d DRIVE or a disc image (.cue, .toc, "
				       ".nrg, .mds, .mdx, .ccd, .cdi)");
	if (!strncmp(a->source, "stdio:", 6))
		return cli_usage_error(ctx, "'%s' is a virtual drive: it holds no CD sectors; "
				       "give a disc image (.cue, .toc, .nrg, .mds, .mdx, .ccd, .cdi) "
				       "instead", a->source);
	return -1;
}

/* ---- the log ------------------------------------------------------------ */

static const char *msf(int64_t sectors, char buf[48])
{
	snprintf(buf, 48, "%02lld:%02lld.%02lld", (long long)(sectors / (60 * IMG_CD_FPS)),
		 (long long)(sectors / IMG_CD_FPS % 60), (long long)(sectors % IMG_CD_FPS));
	return buf;
}

static void print_ranges(FILE *f, const struct img_ranges *r)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].count == 1)
			fprintf(f, "%s%lld", i ? ", " : "", (long long)r->v[i].lba);
		else
			fprintf(f, "%s%lld-%lld", i ? ", " : "", (long long)r->v[i].lba,
				(long long)(r->v[i].lba + r->v[i].count - 1));
	}
	if (!r->n)
		fputs("none", f);
	fputc('\n', f);
}

/* A line of text from the disc or a file, control characters escaped. */
static void log_text(FILE *f, const char *label, const char *s)
{
	char *c = img_meta_clean(s, NULL);

	if (c)
		fprintf(f, "%s%s\n", label, c);
	free(c);
}

static void log_track(FILE *f, const struct img_audio_track *t)
{
	const struct img_audio_events *e = &t->ev;
	char a[48], b[48];

	if (t->number == 0)
		fprintf(f, "\nHidden track (before track 1)\n");
	else
		fprintf(f, "\nTrack %2d\n", t->number);
	fprintf(f, "  file            %s\n", t->file[0] ? t->file : "(silence, not kept)");
	log_text(f, "  title           ", t->title);
	log_text(f, "  performer       ", t->performer);
	log_text(f, "  songwriter      ", t->songwriter);
	log_text(f, "  ISRC            ", t->isrc);
	if (t->pre_emphasis)
		fprintf(f, "  pre-emphasis    yes (%s)\n", t->deemphasized ?
			"de-emphasised in the file, --deemphasis" : "the samples are kept as on the disc");
	fprintf(f, "  start           sector %lld (%s)\n", (long long)t->start, msf(t->start, a));
	fprintf(f, "  length          %lld sectors (%s)\n", (long long)t->sectors,
		msf(t->sectors, b));
	if (t->gap_start < t->start)
		fprintf(f, "  pregap          %lld sectors from sector %lld\n",
			(long long)(t->start - t->gap_start), (long long)t->gap_start);
	if (t->has_test)
		fprintf(f, "  test CRC        %08X\n", t->test_crc);
	fprintf(f, "  copy CRC        %08X%s\n", t->copy_crc, !t->has_test ? "" :
		t->test_crc == t->copy_crc ? " (matches the test CRC)" : " (DIFFERS from the test CRC)");
	if (t->ar_valid)
		fprintf(f, "  AccurateRip     v1 %08X  v2 %08X\n", t->ar_v1, t->ar_v2);
	if (t->ar_checked) {
		char v[160];

		img_audio_ar_result(t, v, sizeof(v));
		fprintf(f, "  AccurateRip     %s\n", v);
	}
	fprintf(f, "  paranoia        %ld reads, %ld verifies, %ld fixups (edge %ld, atom %ld, "
		"dropped %ld, duped %ld), %ld skips, %ld read errors\n", e->reads, e->verifies,
		e->fixup_edge + e->fixup_atom + e->fixup_dropped + e->fixup_duped,
		e->fixup_edge, e->fixup_atom, e->fixup_dropped, e->fixup_duped, e->skips,
		e->read_errors);
	fprintf(f, "  read errors at  ");
	print_ranges(f, &e->read_error_at);
	fprintf(f, "  unrecoverable   ");
	print_ranges(f, &e->problems);
}

/* What the log says beside the rip itself. */
struct log_extra {
	const char *meta_source;
	const char *ar_db;          /* the dBAR file checked against, or NULL */
	bool tagged;
	struct img_lookup mb, ar;   /* the online look-ups, if asked */
};

static void log_lookup(FILE *f, const char *label, const struct img_lookup *l)
{
	if (l->status != IMG_LOOKUP_NONE)
		fprintf(f, "%s%s: %s\n", label, l->url, l->message);
}

static void log_disc(FILE *f, const struct img_audio_rip *r, const struct log_extra *x)
{
	if (r->has_ids) {
		fprintf(f, "MusicBrainz ID  %s\n", r->ids.musicbrainz);
		fprintf(f, "freedb ID       %08x\n", r->ids.freedb);
		fprintf(f, "AccurateRip ID  %s\n", r->ids.accuraterip);
		fprintf(f, "AccurateRip URL %s\n", r->ids.accuraterip_url);
	}
	log_text(f, "MCN             ", r->mcn);
	if (r->mcn[0])
		fprintf(f, "MCN from        %s\n", r->mcn_source);
	fprintf(f, "CD-TEXT         %s\n", r->has_cdtext ? "yes" : "none");
	log_text(f, "  album         ", r->title);
	log_text(f, "  performer     ", r->performer);
	log_text(f, "  songwriter    ", r->songwriter);
	fprintf(f, "tags            %s\n", !x->tagged ? "none (WAV files)" : x->meta_source);
	fprintf(f, "AccurateRip db  %s\n", x->ar_db ? x->ar_db : "not checked");
	log_lookup(f, "MusicBrainz     asked ", &x->mb);
	log_lookup(f, "AccurateRip     asked ", &x->ar);
}

/* Counts of the AccurateRip verdicts; false when none was checked. */
static bool ar_counts(const struct img_audio_rip *r, int *ok, int *bad, int *absent)
{
	bool any = false;

	*ok = *bad = *absent = 0;
	for (int i = 0; i < r->n_tracks; i++) {
		const struct img_audio_track *t = &r->tracks[i];

		if (!t->ar_checked)
			continue;
		any = true;
		if (!t->ar.in_db)
			++*absent;
		else if (t->ar.v1_confidence || t->ar.v2_confidence || t->pressing_found)
			++*ok;
		else
			++*bad;
	}
	return any;
}

static void write_log(FILE *f, const struct img_audio_rip *r, const struct log_extra *x)
{
	int ntracks = 0, bad = 0, differ = 0, ar_ok, ar_bad, ar_absent;

	fprintf(f, "spindle %s audio rip\n\n", PACKAGE_VERSION);
	fprintf(f, "source          %s (%s)\n", r->o.source, r->driver);
	fprintf(f, "drive           %s\n", r->drive);
	fprintf(f, "read offset     %+d samples\n", r->o.offset);
	fprintf(f, "paranoia mode   %s\n", r->mode);
	fprintf(f, "test and copy   %s\n", r->o.test_and_copy ? "yes" : "no");
	fprintf(f, "format          %s\n", r->o.format == IMG_AUDIO_WAV ? "WAV" : "FLAC");
	fprintf(f, "CUE sheet       %s\n", r->cue_name);
	fprintf(f, "gaps            %s\n", r->gaps);
	fprintf(f, "gaps go         %s\n", r->o.gaps == IMG_GAPS_PREPEND ?
		"prepend: each begins its own track's file" : r->o.gaps == IMG_GAPS_HTOA ?
		"htoa: each ends the previous track's file; track 1's pregap is track 0" :
		"append: each ends the previous track's file");
	log_disc(f, r, x);
	if (r->has_htoa)
		log_track(f, &r->htoa);
	for (int i = 0; i < r->n_tracks; i++) {
		const struct img_audio_track *t = &r->tracks[i];

		if (!t->audio) {
			fprintf(f, "\nTrack %2d\n  data track, not ripped (%lld sectors from %lld)\n",
				t->number, (long long)t->sectors, (long long)t->start);
			continue;
		}
		log_track(f, t);
		ntracks++;
		bad += t->ev.problems.n > 0;
		differ += t->has_test && t->test_crc != t->copy_crc;
	}
	fputc('\n', f);
	if (bad)
		fprintf(f, "%d of %d tracks have unrecoverable read errors; they were kept.\n",
			bad, ntracks);
	else if (differ)
		fprintf(f, "%d of %d tracks read differently in the test and copy passes.\n",
			differ, ntracks);
	else
		fprintf(f, "All %d audio tracks were ripped without errors.\n", ntracks);
	if (ar_counts(r, &ar_ok, &ar_bad, &ar_absent)) {
		if (ar_ok == ntracks)
			fprintf(f, "All %d tracks were accurately ripped.\n", ntracks);
		else
			fprintf(f, "AccurateRip: %d of %d tracks accurately ripped, %d not "
				"matching, %d not in the database.\n", ar_ok, ntracks, ar_bad,
				ar_absent);
	}
}

/* Text from the disc: null if absent, control characters escaped. */
static json_t *text_json(const char *s)
{
	char *c = img_meta_clean(s, NULL);
	json_t *j = c ? json_string(c) : json_null();

	free(c);
	return j ? j : json_null();
}

static json_t *track_json(const struct img_audio_track *t)
{
	const struct img_audio_events *e = &t->ev;
	char h[16];
	json_t *o = json_pack("{s:i, s:b, s:I, s:I, s:I}", "track", t->number,
			      "audio", t->audio, "start", (json_int_t)t->start,
			      "sectors", (json_int_t)t->sectors,
			      "pregap_sectors", (json_int_t)(t->start - t->gap_start));

	if (!t->audio)
		return o;
	json_object_set_new(o, "file", t->file[0] ? json_string(t->file) : json_null());
	json_object_set_new(o, "file_start", json_integer(t->file_start));
	json_object_set_new(o, "file_sectors", json_integer(t->file_sectors));
	snprintf(h, sizeof(h), "%08X", t->test_crc);
	json_object_set_new(o, "test_crc32", t->has_test ? json_string(h) : json_null());
	snprintf(h, sizeof(h), "%08X", t->copy_crc);
	json_object_set_new(o, "copy_crc32", json_string(h));
	if (t->ar_valid) {
		snprintf(h, sizeof(h), "%08X", t->ar_v1);
		json_object_set_new(o, "accuraterip_v1", json_string(h));
		snprintf(h, sizeof(h), "%08X", t->ar_v2);
		json_object_set_new(o, "accuraterip_v2", json_string(h));
	}
	json_object_set_new(o, "title", text_json(t->title));
	json_object_set_new(o, "performer", text_json(t->performer));
	json_object_set_new(o, "songwriter", text_json(t->songwriter));
	json_object_set_new(o, "isrc", text_json(t->isrc));
	json_object_set_new(o, "pre_emphasis", json_boolean(t->pre_emphasis));
	json_object_set_new(o, "deemphasized", json_boolean(t->deemphasized));
	if (t->ar_checked) {
		char v[160];

		img_audio_ar_result(t, v, sizeof(v));
		json_object_set_new(o, "accuraterip", json_pack("{s:b, s:i, s:i, s:i, s:s, s:o, s:i}",
			"in_database", t->ar.in_db, "v1_confidence", t->ar.v1_confidence,
			"v2_confidence", t->ar.v2_confidence, "total", t->ar.total, "result", v,
			"pressing_offset", t->pressing_found ? json_integer(t->pressing_offset) :
			json_null(), "pressing_confidence", t->pressing_confidence));
	} else {
		json_object_set_new(o, "accuraterip", json_null());
	}
	json_object_set_new(o, "paranoia", json_pack(
		"{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o}",
		"reads", (int)e->reads, "verifies", (int)e->verifies,
		"fixup_edge", (int)e->fixup_edge, "fixup_atom", (int)e->fixup_atom,
		"fixup_dropped", (int)e->fixup_dropped, "fixup_duped", (int)e->fixup_duped,
		"skips", (int)e->skips, "read_errors", (int)e->read_errors,
		"read_errors_at", cli_ranges_json("sectors", &e->read_error_at),
		"unrecoverable", cli_ranges_json("sectors", &e->problems)));
	return o;
}

static json_t *lookup_json(const struct img_lookup *l)
{
	if (l->status == IMG_LOOKUP_NONE)
		return json_null();
	return json_pack("{s:s, s:s, s:s}", "url", l->url, "result",
			 img_lookup_status_name(l->status), "message", l->message);
}

static json_t *disc_json(const struct img_audio_rip *r, const struct log_extra *x)
{
	char h[16];
	json_t *o = json_object();

	if (r->has_ids) {
		snprintf(h, sizeof(h), "%08x", r->ids.freedb);
		json_object_set_new(o, "disc_ids", json_pack("{s:s, s:s, s:s, s:s}",
			"musicbrainz", r->ids.musicbrainz, "freedb", h,
			"accuraterip", r->ids.accuraterip, "accuraterip_url", r->ids.accuraterip_url));
	} else {
		json_object_set_new(o, "disc_ids", json_null());
	}
	json_object_set_new(o, "mcn", text_json(r->mcn));
	json_object_set_new(o, "mcn_source", r->mcn[0] ? json_string(r->mcn_source) : json_null());
	json_object_set_new(o, "cdtext", !r->has_cdtext ? json_null() :
		json_pack("{s:o, s:o, s:o}", "title", text_json(r->title),
			  "performer", text_json(r->performer),
			  "songwriter", text_json(r->songwriter)));
	json_object_set_new(o, "tags", x->tagged ? json_string(x->meta_source) : json_null());
	json_object_set_new(o, "accuraterip_db", x->ar_db ? json_string(x->ar_db) : json_null());
	json_object_set_new(o, "lookups", json_pack("{s:o, s:o}", "musicbrainz",
		lookup_json(&x->mb), "accuraterip", lookup_json(&x->ar)));
	return o;
}

static json_t *rip_json(struct cli_ctx *ctx, const struct img_audio_rip *r, bool ok,
			const struct log_extra *x)
{
	json_t *o = cli_json_result(ctx, ok), *tracks = json_array(), *d;

	json_object_set_new(o, "mode", json_string("audio"));
	json_object_set_new(o, "source", json_string(r->o.source));
	json_object_set_new(o, "driver", json_string(r->driver));
	json_object_set_new(o, "drive", json_string(r->drive));
	json_object_set_new(o, "offset", json_integer(r->o.offset));
	json_object_set_new(o, "paranoia_mode", json_string(r->mode));
	json_object_set_new(o, "retries", json_integer(r->o.retries));
	json_object_set_new(o, "test_and_copy", json_boolean(r->o.test_and_copy));
	json_object_set_new(o, "format", json_string(img_audio_format_ext(r->o.format)));
	json_object_set_new(o, "directory", json_string(r->o.outdir));
	json_object_set_new(o, "cue", json_string(r->cue_name));
	json_object_set_new(o, "gaps", json_string(r->gaps));
	json_object_set_new(o, "gaps_mode", json_string(img_gaps_mode_name(r->o.gaps)));
	d = disc_json(r, x);
	json_object_update(o, d);
	json_decref(d);
	if (r->has_htoa)
		json_array_append_new(tracks, track_json(&r->htoa));
	for (int i = 0; i < r->n_tracks; i++)
		json_array_append_new(tracks, track_json(&r->tracks[i]));
	json_object_set_new(o, "tracks", tracks);
	return o;
}

static void rip_progress(const struct img_audio_track *t, const char *pass,
			 int64_t done, int64_t total, void *p)
{
	struct cli_ctx *ctx = p;

	if (ctx->json)
		cli_json_progress(ctx, json_pack("{s:s, s:s, s:s, s:i, s:s, s:I, s:I}",
			"type", "progress", "command", "rip", "phase", "audio",
			"track", t->number, "pass", pass, "sectors_done", (json_int_t)done,
			"sectors_total", (json_int_t)total), done == total);
	else if (done == total || done % 75 == 0)
		cli_progress(ctx, "track %2d %s: %3lld%%", t->number, pass,
			     (long long)(total ? done * 100 / total : 100));
}

static int save_log(struct cli_ctx *ctx, const struct img_audio_rip *r,
		    const struct log_extra *x)
{
	struct sp_error err = SP_ERROR_INIT;
	char *buf = NULL, path[4096];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc = 0;

	if (!f)
		return 0;
	write_log(f, r, x);
	fclose(f);
	snprintf(path, sizeof(path), "%s/rip.log", r->o.outdir);
	if (sp_write_file_atomic(path, buf, len, &err) != SP_OK)
		rc = cli_fail(ctx, &err);
	else if (!ctx->json)
		fwrite(buf, 1, len, stdout);
	free(buf);
	return rc;
}

/* Before reading: the tags' source and the AccurateRip database, so that a
 * wrong file fails at once rather than after the rip. */
static enum sp_status prepare(struct cli_ctx *ctx, struct rip_audio_args *a,
			      const struct img_audio_rip *r, struct img_meta *meta,
			      struct img_ar_db *db, struct log_extra *x, struct sp_error *err)
{
	bool have_meta = false;
	int n_audio = 0;

	for (int i = 0; i < r->n_tracks; i++)
		n_audio += r->tracks[i].audio;
	if (a->metadata) {
		if (img_meta_load_json(meta, a->metadata, r->has_ids ? r->ids.musicbrainz : NULL,
				       n_audio, err) != SP_OK)
			return SP_FAILED;
		have_meta = true;
		if (a->musicbrainz)
			cli_warn(ctx, "--musicbrainz: not asked, the tags come from --metadata %s",
				 a->metadata);
	} else if (a->musicbrainz && !r->has_ids) {
		cli_warn(ctx, "--musicbrainz: this disc has no MusicBrainz disc ID to look up");
	} else if (a->musicbrainz) {
		have_meta = img_lookup_musicbrainz(a->mb_server, &r->ids, n_audio, meta,
						   &x->mb) == SP_OK;
		if (!have_meta)
			cli_warn(ctx, "--musicbrainz: %s; the tags come from the CD-TEXT",
				 x->mb.message);
	}
	if (!have_meta && img_meta_from_rip(meta, r, err) != SP_OK)
		return SP_FAILED;
	if (meta->escaped)
		cli_warn(ctx, "control characters in the %s are written as \\xHH in the tags",
			 a->metadata ? "metadata file" : x->mb.status == IMG_LOOKUP_OK ?
			 "MusicBrainz answer" : "CD-TEXT");
	/* the --tag options go with whatever the tags come from */
	meta->extra = a->tags.extra;
	meta->n_extra = a->tags.n_extra;
	a->tags.extra = NULL;
	a->tags.n_extra = 0;
	if (a->ar_db) {
		if (img_ar_db_load(db, a->ar_db, err) != SP_OK)
			return SP_FAILED;
		if (r->has_ids && img_ar_check_disc(db, &r->ids, err) != SP_OK)
			return SP_FAILED;
		a->use_db = true;
		x->ar_db = a->ar_db;
	} else if (a->accuraterip && !r->has_ids) {
		cli_warn(ctx, "--accuraterip: this disc has no AccurateRip disc ID to look up");
	} else if (a->accuraterip) {
		a->use_db = img_lookup_accuraterip(a->ar_server, &r->ids, db, &x->ar) == SP_OK;
		if (a->use_db)
			x->ar_db = x->ar.url;
		else
			cli_warn(ctx, "--accuraterip: %s; the rip goes on unchecked", x->ar.message);
	}
	return SP_OK;
}

/* After reading: AccurateRip, then the tags (which carry its result). */
static enum sp_status finish(struct rip_audio_args *a, struct img_audio_rip *r,
			     const struct img_meta *meta, const struct img_ar_db *db,
			     struct sp_error *err)
{
	int ok, bad, absent;

	if (a->use_db && (img_audio_rip_verify(r, db, err) != SP_OK ||
			 img_audio_rip_pressings(r, db, err) != SP_OK))
		return SP_FAILED;
	if (img_audio_rip_tag(r, meta, err) != SP_OK)
		return SP_FAILED;
	if (a->use_db && ar_counts(r, &ok, &bad, &absent) && bad) {
		for (int i = 0; i < r->n_tracks; i++)
			if (r->tracks[i].ar_checked && r->tracks[i].ar.in_db &&
			    !r->tracks[i].pressing_found &&
			    !r->tracks[i].ar.v1_confidence && !r->tracks[i].ar.v2_confidence) {
				sp_error_set(err, SPE_MISMATCH, "track %d does not match the "
					     "AccurateRip database (%d submissions)",
					     r->tracks[i].number, r->tracks[i].ar.total);
				break;
			}
		sp_error_hint(err, "%d of %d checked tracks differ: check the read offset "
			      "(--offset), clean the disc and rip again, or try another drive",
			      bad, ok + bad + absent);
		return SP_WARN;
	}
	return SP_OK;
}

/* --find-offset: the offset at which the most tracks match, then the
 * highest confidence; none is an error. */
static int find_offset(struct cli_ctx *ctx, struct img_audio_rip *r, const char *db_path)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_ar_db db = IMG_AR_DB_INIT;
	struct img_offset_scan *scan = malloc(sizeof(*scan));
	int best = -1, n_audio = 0, rc;

	for (int i = 0; i < r->n_tracks; i++)
		n_audio += r->tracks[i].audio;
	if (!scan) {
		sp_error_set(&err, SPE_NOMEM, "out of memory");
		goto fail;
	}
	if (img_ar_db_load(&db, db_path, &err) != SP_OK ||
	    (r->has_ids && img_ar_check_disc(&db, &r->ids, &err) != SP_OK) ||
	    img_audio_offset_scan(r, &db, 0, NULL, scan, &err) != SP_OK)
		goto fail;
	for (int k = 0; k <= 2 * IMG_AR_SEARCH; k++)
		if (scan->tracks[k] && (best < 0 || scan->tracks[k] > scan->tracks[best] ||
		    (scan->tracks[k] == scan->tracks[best] &&
		     scan->confidence[k] > scan->confidence[best])))
			best = k;
	if (best < 0) {
		sp_error_set(&err, SPE_MISMATCH, "no read offset within %d samples either way makes "
			     "a track match the AccurateRip file", IMG_AR_SEARCH);
		sp_error_hint(&err, "the disc may be another pressing than those in the file, or "
			      "damaged; try another disc with known AccurateRip data");
		goto fail;
	}
	if (ctx->json) {
		json_t *o = cli_json_result(ctx, true);

		json_object_set_new(o, "mode", json_string("find-offset"));
		json_object_set_new(o, "source", json_string(r->o.source));
		json_object_set_new(o, "drive", json_string(r->drive));
		json_object_set_new(o, "offset", json_integer(best - IMG_AR_SEARCH));
		json_object_set_new(o, "tracks_matching", json_integer(scan->tracks[best]));
		json_object_set_new(o, "tracks", json_integer(n_audio));
		json_object_set_new(o, "confidence", json_integer(scan->confidence[best]));
		cli_json_emit(o);
	} else {
		printf("read offset of %s: %+d samples (%d of %d tracks match there, confidence %d)\n",
		       r->drive, best - IMG_AR_SEARCH, scan->tracks[best], n_audio,
		       scan->confidence[best]);
		printf("rip with --offset %+d\n", best - IMG_AR_SEARCH);
	}
	free(scan);
	img_ar_db_release(&db);
	return SP_EXIT_OK;
fail:
	rc = cli_fail(ctx, &err);
	free(scan);
	img_ar_db_release(&db);
	return rc;
}

static int rip_audio(struct cli_ctx *ctx, struct rip_audio_args *a)
{
	struct sp_error err = SP_ERROR_INIT, err2 = SP_ERROR_INIT;
	struct img_audio_rip r;
	struct img_meta meta = IMG_META_INIT;
	struct img_ar_db db = IMG_AR_DB_INIT;
	struct log_extra x = { .ar_db = NULL };
	enum sp_status st, st2;
	bool json = ctx->json;
	int rc;

	char tmpdir[4096], cue[4200];

	a->ao.source = a->source;
	a->ao.outdir = a->out;
	a->ao.unreadable = &a->unreadable;
	/* a TOC, NRG, MDS, MDX, CCD or CDI image: through a BIN/CUE copy */
	if (img_disc_cue_copy(a->source, tmpdir, sizeof(tmpdir), cue, sizeof(cue), &err) != SP_OK)
		return cli_fail(ctx, &err);
	if (cue[0])
		a->ao.source = cue;
	st = img_audio_rip_open(&r, &a->ao, &err);
	if (st != SP_OK) {
		img_disc_cue_copy_remove(tmpdir);
		return cli_fail(ctx, &err);
	}
	r.o.source = a->source;         /* name the image the user gave */
	if (cue[0])
		snprintf(r.drive, sizeof(r.drive), "%s", a->source);
	if (a->find_offset) {
		rc = find_offset(ctx, &r, a->ar_db);
		img_disc_cue_copy_remove(tmpdir);
		goto out;
	}
	if (prepare(ctx, a, &r, &meta, &db, &x, &err) != SP_OK) {
		img_disc_cue_copy_remove(tmpdir);
		rc = cli_fail(ctx, &err);
		goto out;
	}
	x.meta_source = meta.source;
	x.tagged = r.o.format == IMG_AUDIO_FLAC;
	st = img_audio_rip_run(&r, rip_progress, ctx, &err);
	img_disc_cue_copy_remove(tmpdir);
	cli_progress_end(ctx);
	if (st != SP_OK && st != SP_WARN) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	/* a damaged rip is checked and tagged too; its damage stays the error */
	st2 = finish(a, &r, &meta, &db, &err2);
	if (st2 == SP_FAILED) {
		rc = cli_fail(ctx, &err2);
		goto out;
	}
	if (st == SP_OK && st2 != SP_OK) {
		st = st2;
		err = err2;
	}
	if ((rc = save_log(ctx, &r, &x)) != 0)
		goto out;
	if (json) {
		json_t *o = rip_json(ctx, &r, st == SP_OK, &x);

		if (st != SP_OK)
			json_object_set_new(o, "error", cli_error_json(&err));
		cli_json_emit(o);
	}
	rc = SP_EXIT_OK;
	if (st != SP_OK) {
		ctx->json = false;      /* the result line is out already */
		rc = cli_fail(ctx, &err);
		ctx->json = json;
	}
out:
	img_meta_release(&meta);
	img_ar_db_release(&db);
	img_audio_rip_release(&r);
	return rc;
}

static void raw_progress(int64_t done, int64_t total, void *p)
{
	struct cli_ctx *ctx = p;

	if (ctx->json)
		cli_json_progress(ctx, json_pack("{s:s, s:s, s:s, s:I, s:I}",
			"type", "progress", "command", "rip", "phase", "raw",
			"sectors_done", (json_int_t)done, "sectors_total", (json_int_t)total),
			done == total);
	else if (done == total || done % 750 == 0)
		cli_progress(p, "reading: %lld of %lld sectors", (long long)done, (long long)total);
}

static int rip_raw(struct cli_ctx *ctx, struct rip_audio_args *a)
{
	struct sp_error err = SP_ERROR_INIT;
	struct img_raw_rip_result res;
	enum sp_status st;
	json_t *o;

	a->ro.source = a->source;
	a->ro.out_bin = a->out;
	st = img_raw_rip(&a->ro, &res, raw_progress, ctx, &err);
	cli_progress_end(ctx);
	if (st != SP_OK && st != SP_WARN)
		return cli_fail(ctx, &err);
	if (a->ro.c2 && !res.mmc)
		cli_warn(ctx, "--c2: an image has no C2 error pointers; it was read without");
	if (ctx->json) {
		o = cli_json_result(ctx, st == SP_OK);
		json_object_set_new(o, "mode", json_string("raw"));
		json_object_set_new(o, "bin", json_string(a->out));
		json_object_set_new(o, "cue", json_string(res.cue_path));
		json_object_set_new(o, "tracks", json_integer(res.n_tracks));
		json_object_set_new(o, "sectors", json_integer(res.sectors));
		json_object_set_new(o, "read_cd", json_boolean(res.mmc));
		json_object_set_new(o, "c2", json_boolean(res.c2_used));
		json_object_set_new(o, "c2_sectors", json_integer(res.c2_sectors));
		json_object_set_new(o, "bad_sectors", json_integer(res.bad_sectors));
		json_object_set_new(o, "bad", cli_ranges_json("sectors", &res.bad));
		if (st != SP_OK)
			json_object_set_new(o, "error", cli_error_json(&err));
		cli_json_emit(o);
	} else {
		printf("wrote %s and %s: %d tracks, %lld sectors of 2352 bytes\n", a->out,
		       res.cue_path, res.n_tracks, (long long)res.sectors);
		printf("read with %s%s\n", res.mmc ? "MMC READ CD" : "libcdio's image reader",
		       res.c2_used ? ", C2 error pointers on" : "");
		if (res.c2_used)
			printf("C2 errors in %lld sectors\n", (long long)res.c2_sectors);
		printf("unreadable sectors (written as zeros): ");
		print_ranges(stdout, &res.bad);
	}
	img_raw_rip_result_release(&res);
	if (st != SP_OK) {
		bool json = ctx->json;
		int rc;

		ctx->json = false;
		rc = cli_fail(ctx, &err);
		ctx->json = json;
		return rc;
	}
	return SP_EXIT_OK;
}

int cmd_rip_audio(struct cli_ctx *ctx, int argc, char **argv)
{
	struct rip_audio_args a = { .ao = IMG_AUDIO_RIP_OPTS_INIT, .ro = IMG_RAW_RIP_OPTS_INIT,
				    .unreadable = IMG_RANGES_INIT, .tags = IMG_META_INIT };
	struct cli_command sub = *ctx->cmd;
	const struct cli_command *saved = ctx->cmd;
	int rc;

	/* parse against this file's options, still under the name "rip" */
	sub.doc = &doc_rip_audio;
	ctx->cmd = &sub;
	cli_permute_args(ctx, argc, argv);
	rc = parse_args(ctx, argc, argv, &a);
	if (rc < 0)
		rc = a.audio ? rip_audio(ctx, &a) : rip_raw(ctx, &a);
	ctx->cmd = saved;
	img_ranges_release(&a.unreadable);
	img_meta_release(&a.tags);
	return rc;
}
