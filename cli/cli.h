/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli.h - the front end's own helpers: option parsing, messages, JSON and
 * progress output.  Private to cli/.
 */
#ifndef SPINDLE_CLI_H
#define SPINDLE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "cli/commands.h"
#include "common/common.h"

#define CLI_MAX_DRIVES 8

struct cli_ctx {
	const struct cli_command *cmd;
	const char *drives[CLI_MAX_DRIVES]; /* -d, in order given */
	int n_drives;
	bool json;              /* --json: JSON Lines on stdout */
	int verbose;            /* -v, repeatable */
	bool quiet;             /* -q: no progress */
	bool tty;               /* stderr is a terminal: show progress */
	int optind;             /* first positional argument after parsing */
	double json_progress_at; /* when cli_json_progress last emitted */
	/* parser state */
	void *longopts;
	char shortopts[128];
};

/* Return values of cli_next_opt() besides an option's key. */
#define CLI_OPT_END   0     /* no more options; positionals at ctx->optind */
#define CLI_OPT_EXIT  (-1)  /* --help was printed; return SP_EXIT_OK */
#define CLI_OPT_ERROR (-2)  /* a usage error was printed; return SP_EXIT_USAGE */

/*
 * Next option of the command's doc->opts or a common option.  Common
 * options (-d/--drive, --json, -v/--verbose, -q/--quiet, -h/--help) are
 * handled here and never returned.  *arg gets the option's argument.
 */
int cli_next_opt(struct cli_ctx *ctx, int argc, char **argv, const char **arg);

/*
 * Option parsing for a command that takes only the common options and no
 * arguments.  Returns -1 to go on, else the exit status to return now
 * (0 after --help, 2 after a usage error).
 */
int cli_no_args(struct cli_ctx *ctx, int argc, char **argv);

/* The first drive given with -d, or NULL (pick the only drive). */
const char *cli_drive(const struct cli_ctx *ctx);

/* Print a usage error ("spindle burn: ...") and return SP_EXIT_USAGE. */
int cli_usage_error(struct cli_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parse helpers that print a usage error naming the option on failure. */
int cli_parse_size_opt(struct cli_ctx *ctx, const char *opt, const char *s,
		       uint64_t *out);
int cli_parse_uint_opt(struct cli_ctx *ctx, const char *opt, const char *s,
		       uint64_t min, uint64_t max, uint64_t *out);

/* Print err on stderr as "spindle WHAT: error: ...", then its hint and,
 * with -v, its detail; WHAT defaults to the command's name.  For a
 * command that has already emitted its own JSON result. */
void cli_print_error(struct cli_ctx *ctx, const char *what, const struct sp_error *err);

/*
 * Report err: a line "spindle: error: MSG", a "hint: ..." line, the library
 * detail with -v; with --json a result object {"type":"result","ok":false,
 * "error":{...}} on stdout.  Returns the exit code for err.
 */
int cli_fail(struct cli_ctx *ctx, const struct sp_error *err);
/* Warning line on stderr (not with -q). */
void cli_warn(struct cli_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* An error object for --json output (new reference). */
json_t *cli_error_json(const struct sp_error *err);
/* Print obj as one compact line on stdout and drop the reference. */
void cli_json_emit(json_t *obj);
/* LBA ranges as a JSON array of objects {"lba", LEN_KEY}: rip's and the
 * audio commands' use "sectors", verify's "count". */
struct img_ranges;
json_t *cli_ranges_json(const char *len_key, const struct img_ranges *r);
/* Emit the progress event ev (taking the reference) if final or if a
 * second has passed since the last one; otherwise drop it. */
void cli_json_progress(struct cli_ctx *ctx, json_t *ev, bool final);
/* A rescue's progress event (rip, and extract from a drive). */
struct img_rescue_progress;
json_t *cli_rescue_progress_json(const char *command, const struct img_rescue_progress *p);
/* A result object {"type":"result","command":NAME,"ok":ok}. */
json_t *cli_json_result(struct cli_ctx *ctx, bool ok);

/* Progress line on stderr, redrawn in place; only on a terminal and not
 * with -q or --json.  cli_progress_end() finishes the line. */
void cli_progress(struct cli_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cli_progress_end(struct cli_ctx *ctx);

/* report_verify.c: print a verify outcome (text on stderr/stdout, or its
 * fields into the JSON result object r, which the caller emits).  Returns
 * the exit code: 0 match, 5 mismatch, 6 unreadable. */
struct img_verify_result;
int cli_report_verify(struct cli_ctx *ctx, const struct img_verify_result *res,
		      json_t *r);
/* Progress of a verify, for img_verify_opts.progress; ctx is the cli_ctx. */
struct img_verify_progress;
void cli_verify_progress(const struct img_verify_progress *p, void *ctx);

/*
 * cmd_verify_tags.c: `spindle verify` without an image to compare with.
 * Checks a disc (drive, with image_path NULL) or an image file (image_path,
 * with drive NULL) against its own recorded MD5 tags.  Returns the exit
 * code: 0 all good, 5 mismatch, 6 unreadable.
 */
struct cli_sums_args;
/* sums (cli/verify_sums.h): the published and implanted checksums, run
 * first on the same disc or image; NULL for none. */
int cmd_verify_tags(struct cli_ctx *ctx, const char *drive, const char *image_path,
		    struct cli_sums_args *sums);
/* cmd_repair.c: check (repair = false: verify --ecc) or repair an image
 * against its error-correction data, and report.  Returns the exit code. */
int cli_ecc_check(struct cli_ctx *ctx, const char *image, const char *ecc, bool repair,
		  int threads);
/* cmd_protect.c: burn --protect: the image augmented with RS03 data that
 * fills the medium in drive, made on a thread as the burn reads it from a
 * pipe (path: "/dev/fd/N"); no copy of the image is made. */
struct cli_protect_stream;
/* Returns the exit code; on success the thread runs and (*ps)->path names
 * the pipe to burn. */
int cli_protect_stream_start(struct cli_ctx *ctx, const char *drive, const char *image,
			     struct cli_protect_stream **ps);
const char *cli_protect_stream_path(const struct cli_protect_stream *ps);
/* After the burn (its exit code burn_rc): join, report, free; the exit code. */
int cli_protect_stream_finish(struct cli_ctx *ctx, struct cli_protect_stream *ps, int burn_rc);
/* ... and with report (not NULL), draw the sectors into FILE.html/.svg. */
int cli_ecc_check_report(struct cli_ctx *ctx, const char *image, const char *ecc, bool repair,
			 int threads, const char *report);
/* rip_parity.c: the rescue's repair callback for a rip of an augmented
 * disc or with --ecc: rebuilds missing sectors from error-correction data
 * instead of reading them again (struct img_rescue_opts.repair). */
struct cli_rip_parity {
	const char *out;            /* the image the rip writes */
	const char *ecc;            /* --ecc FILE.ecc; NULL: the disc's own */
	char method[5];             /* "RS02" ... once a repair ran */
	struct sp_error last_error; /* of the last try, if it failed */
};
struct img_ranges;
enum sp_status cli_rip_parity_repair(void *arg, const struct img_ranges *missing,
				     struct img_ranges *fixed, struct sp_error *err);
/* after the rip: a warning if the last try failed, and how many were rebuilt */
void cli_rip_parity_done(struct cli_ctx *ctx, const struct cli_rip_parity *p, int64_t repaired);
/* cmd_rip_audio.c: `rip --audio` and `rip --raw`, entered from cmd_rip()
 * with rip's argv; rip_audio_opts are its options, for rip's --help. */
int cmd_rip_audio(struct cli_ctx *ctx, int argc, char **argv);
extern const struct cli_opt rip_audio_opts[];
/* The paragraphs about --audio and --raw for rip's description. */
#define RIP_AUDIO_DESCRIPTION \
	"With --audio, each audio track of a CD, or of a .cue, cdrdao .toc or " \
	".nrg image given as SOURCE, is read through libcdio-paranoia in full " \
	"paranoia mode and written to DIR as NN.flac (or NN.wav), with a CUE " \
	"sheet disc.cue and a log rip.log.  By default (--gaps append) a track " \
	"runs from its INDEX 01 to the next track's, so a gap ends the track " \
	"before it; audio hidden before track 1 is kept as 00.flac unless it is " \
	"silence.  --gaps prepend begins each track's file with its own gap, " \
	"--gaps htoa always keeps track 1's pregap as 00.flac; disc.cue follows " \
	"the files, and AccurateRip checks INDEX 01 to INDEX 01 whatever they " \
	"hold.  The log, printed too " \
	"(or as JSON with --json), gives the drive, read offset and paranoia mode, " \
	"and per track its start and length, copy CRC32 (and test CRC32 with " \
	"--test-and-copy), AccurateRip v1 and v2 checksums to compare with " \
	"published ones, and paranoia's fixups, skips and read errors with their " \
	"sectors.  A track with unrecoverable errors is kept, its damaged sectors " \
	"are logged, and the exit status is 6.\n\n" \
	"The log and JSON also give the disc's MusicBrainz disc ID (libdiscid), " \
	"freedb ID, AccurateRip disc ID and the address of its AccurateRip " \
	"database (dBAR) file, its MCN, and per track its CD-TEXT, ISRC and " \
	"pre-emphasis flag.  FLAC files are tagged (Vorbis comments) from the " \
	"CD-TEXT, or from --metadata FILE, plus --tag NAME=VALUE, with the disc " \
	"IDs and the track's checksums (--deemphasis undoes the pre-emphasis " \
	"of the tracks flagged with it, in their files); --musicbrainz fetches the disc ID's " \
	"releases and tags from the one holding this disc.  With --accuraterip " \
	"(the dBAR file fetched from that address) or --accuraterip-db FILE (one " \
	"saved earlier) each track's v1 and v2 checksums are looked up: " \
	"the log says \"accurately ripped (confidence N)\" or why not, and " \
	"a track that does not match gives exit status 5; a track matching no " \
	"entry is read again at offsets up to 2940 samples away, and a match there " \
	"is reported as another pressing of the disc.  --find-offset rips " \
	"nothing: it finds the drive's read offset from a disc whose dBAR file " \
	"is given.  A look-up that finds no network, or a server that does not " \
	"know the disc, is reported as a warning and in the log, and the rip " \
	"goes on (--musicbrainz-server and --accuraterip-server choose the " \
	"servers, http, https or file URLs).  On a drive, each track's gap (INDEX 00) is found from the Q " \
	"subchannel, so that disc.cue has the gaps.\n\n" \
	"With --raw, every sector from 0 to the lead-out is copied as 2352 bytes " \
	"into DISC.bin (data and audio tracks alike, through MMC READ CD), and " \
	"DISC.cue describes the tracks.  Unreadable sectors are written as zeros " \
	"and listed, and the exit status is 6."

/* cmd_burn_audio.c: `burn` of an audio CD, entered from cmd_burn() with
 * burn's argv; burn_audio_opts are its options, for burn's --help. */
int cmd_burn_audio(struct cli_ctx *ctx, int argc, char **argv);
extern const struct cli_opt burn_audio_opts[];
/* Whether burn's argv asks for CD tracks (cmd_burn_audio) rather than one
 * data track: --audio, --cd-text, --dry-run, WAV/FLAC files, or a disc
 * image holding audio tracks. */
bool cli_burn_wants_tracks(int argc, char **argv);
/* After a burn: the comparison's outcome under "verify" in r (printed as
 * verify prints it), ok/error set on failure; its exit code. */
int cli_burn_report_verify(struct cli_ctx *ctx, const struct img_verify_result *res,
			   json_t *r);
#define BURN_AUDIO_DESCRIPTION \
	"An audio CD is burned disc-at-once from a CUE sheet naming BIN, WAV or " \
	"FLAC files (gaps, INDEX 00/01, PREGAP, ISRC, CATALOG and FLAGS " \
	"honoured), from any other image holding audio tracks (cdrdao TOC, Nero " \
	"NRG, Alcohol MDS, CloneCD CCD, DiscJuggler CDI, MAME CHD), or from a " \
	"list of WAV/FLAC files, one track each.  Files must be 16-bit stereo at " \
	"44.1 kHz and each track at least 4 seconds long.  --cd-text writes the " \
	"image's titles and performers.  An image mixing Mode 1 and audio tracks " \
	"(mixed mode) is burned track at once (TAO), not disc at once (SAO): " \
	"libburn cannot write data and audio tracks in one disc-at-once session. " \
	"spindle says so in one line before it starts (JSON: write_type \"tao\"); " \
	"the drive makes 2-second gaps between the tracks, the image's pregaps " \
	"are not kept and no CD-TEXT is written.  Mode 2 " \
	"tracks and several sessions are refused.  libburn writes audio only to " \
	"CD-R and CD-RW in a real drive; --dry-run checks and reads every track " \
	"without one."

/* help.c */
/* Every option of c in --help's order (-d, its own, its other mode's, the
 * common ones) into out[max]; returns how many. */
#define CLI_MAX_OPTS 64
size_t cli_command_opts(const struct cli_command *c, const struct cli_opt **out,
			size_t max);
void cli_print_help(FILE *f, const struct cli_command *c);
void cli_print_main_help(FILE *f);
void cli_print_man(FILE *f);
/* completion.c: the bash or zsh completion script; -1 for another shell */
int cli_print_completion(FILE *f, const char *shell);

/* report_map.c: pictures and damaged files, shared by rip, verify, scan
 * and report. */
struct img_report;
struct img_iso_damage;
struct drv_drive;
/* Check a --report FILE name: -1 to go on, else SP_EXIT_USAGE (printed). */
int cli_report_option(struct cli_ctx *ctx, const char *path);
/* The medium's profile and name into r (name kept in buf). */
void cli_report_medium(struct drv_drive *d, struct img_report *r, char *buf, size_t len);
/* Write the report to path (NULL: none), then on a terminal (not --json
 * or -q) the one-screen map on stdout.  false if writing failed (said). */
bool cli_report_finish(struct cli_ctx *ctx, const struct img_report *r, const char *path);
/* Files hit by damage: a JSON array of {path, size, bad_sectors,
 * first_bad_lba}, and the text list. */
json_t *cli_files_json(const struct img_iso_damage *f);
void cli_print_files(const struct img_iso_damage *f);

/* cmd_ls.c: what ls and extract share: the source, --fs and --session,
 * and the tree read from it. */
#include "imaging/imaging.h"
struct cli_fs_args {
	const char *source;     /* SOURCE, or NULL with -d */
	const char *name;       /* SOURCE or the drive, for messages */
	enum img_fs_kind fs;
	int session;
	struct drv_damage *damage;      /* --test-mode / --test-damage, or NULL */
	unsigned retries;
	struct img_sectors src;
	int64_t starts[99];     /* a disc image's session starts */
	bool source_only;       /* cli_fs_open: open the source, read no tree */
	struct img_fs_tree tree;
};
#define CLI_FS_ARGS_INIT { .src = IMG_SECTORS_INIT }
/* Handle --fs / --session (c: the option's key); 0, or an exit code. */
int cli_fs_option(struct cli_ctx *ctx, int c, const char *arg, struct cli_fs_args *a);
#define CLI_FS_OPTS \
	{ "fs", 256, "iso9660|joliet|rockridge|udf", "the tree to read (default: Rock Ridge, else Joliet, else ISO 9660, else UDF)" }, \
	{ "session", 257, "N", "read the Nth session of a multi-session image instead of the newest" }
/* Open the source and read its tree (SPE_USAGE: a usage error). */
enum sp_status cli_fs_open(struct cli_ctx *ctx, struct cli_fs_args *a, struct sp_error *err);
/* Read the tree of the open source through read(rctx, ...) into a->tree. */
enum sp_status cli_fs_read_tree(struct cli_fs_args *a, img_block_read_fn read, void *rctx,
				int64_t sectors, struct sp_error *err);
void cli_fs_close(struct cli_fs_args *a);
/* s with control characters and '\\' as \\xNN (names from an image). */
void cli_print_escaped(FILE *f, const char *s);
/* One node for --json. */
json_t *cli_node_json(const struct img_fs_node *n);
/* report_extract.c: extract --report.  The recording reader stands in
 * front of the source's (cli_xrec_read/_read_run with the cli_xrec as
 * ctx), cli_xrec_file takes each file's outcome, cli_xrec_finish draws. */
struct cli_xrec {
	img_block_read_fn read;
	uint32_t (*read_run)(void *ctx, int64_t lba, uint32_t n, unsigned char *buf);
	void *ctx;
	struct img_mapfile map;         /* '+' read, '-' unreadable, '?' not read */
	struct img_read_times times;
	struct img_iso_damage files;
	int64_t reads, failed;
	double t0;
	bool oom;
};
enum sp_status cli_xrec_init(struct cli_xrec *x, img_block_read_fn read,
			     uint32_t (*read_run)(void *, int64_t, uint32_t, unsigned char *),
			     void *ctx, int64_t sectors, struct sp_error *err);
bool cli_xrec_read(void *ctx, int64_t lba, unsigned char *buf);
uint32_t cli_xrec_read_run(void *ctx, int64_t lba, uint32_t n, unsigned char *buf);
void cli_xrec_file(struct cli_xrec *x, const struct img_extract_file *f);
/* false if the report could not be written (printed). */
bool cli_xrec_finish(struct cli_ctx *ctx, struct cli_xrec *x, const char *source,
		     struct drv_drive *d, const struct img_fs_tree *t, const char *path);
void cli_xrec_release(struct cli_xrec *x);
/* spindle info IMAGE (info_container.c): option parsing that allows one
 * IMAGE argument (-1: go on), and the report on a compressed container. */
int cli_info_args(struct cli_ctx *ctx, int argc, char **argv);
int cli_info_container(struct cli_ctx *ctx, const char *path);

/* burn_stick.c: `burn` to USB sticks and SD cards (every -d a block
 * device that is not an optical drive), entered from cmd_burn(). */
struct cli_stick_job {
	const char *image;      /* a file or "-" */
	const char *bmap;       /* --bmap FILE, or NULL */
	bool yes;               /* --yes: no confirmation */
	bool force;             /* --force: a fixed disk too */
	bool verify;
};
int cli_burn_stick(struct cli_ctx *ctx, const struct cli_stick_job *job);
#define BURN_STICK_DESCRIPTION \
	"USB sticks and SD cards: when -d names a block device that is not an " \
	"optical drive (/dev/sdb, /dev/mmcblk0), the image is written to it raw, " \
	"as dd would (a plain image file straight from the page cache, with no " \
	"copy), then read back with O_DIRECT and compared: byte for byte with an " \
	"image file, by SHA-256 with a stream (--no-verify skips the readback and " \
	"the hash, so JSON's sha256 is then null).  An " \
	"image compressed with xz, gzip, zstd or bzip2 is decoded on the fly (told " \
	"by its first bytes); --bmap FILE writes only the blocks a bmaptool map " \
	"names and checks their checksums.  Before a byte is written, spindle " \
	"refuses a device that is (or has a partition that is) mounted, swap, " \
	"held by device-mapper, md or LVM, or holds / or /boot, naming what uses " \
	"it; a partition (write the whole device); a read-only card; an image " \
	"larger than the device; and a fixed disk (neither removable nor on USB " \
	"or MMC) unless --force is given.  The device is opened with O_EXCL and " \
	"locked with flock, so udev and automounters leave it alone.  It warns " \
	"when an ISO has no MBR or GPT (not hybrid: it will not boot from a " \
	"stick) and when it is a Windows installer (which needs a file-copy " \
	"tool).  On a terminal it shows the device (model, size, partitions, " \
	"labels) and asks for yes; --yes skips that, and without a terminal on " \
	"standard input it refuses unless --yes is given.  Several -d write the " \
	"sticks one after another.  SIGINT stops between 8 MiB blocks, releases " \
	"the device and says how much was written (exit 8)."

#endif
