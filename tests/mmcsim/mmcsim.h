/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mmcsim.h - the simulated MMC recorder, private to tests/mmcsim/.
 *
 * The simulator is an LD_PRELOAD library in layers:
 *
 *   shim.c       the syscall shim: stat/open/ioctl/read on a fake device
 *                path, SG_IO handed to sim_execute() under one lock
 *   mmc.c        the common MMC layer: dispatch by opcode, identification,
 *                mode pages, speeds, reading, tray, unit attention and the
 *                not-ready polling after "immediate" commands
 *   disc.c       the disc model shared by all media: tracks and sessions,
 *                READ DISC/TRACK INFORMATION, RESERVE/WRITE/CLOSE on
 *                sequential media, reading
 *   state.c      the state file, pressed ROM discs, faults, the clock
 *   media_cd.c   CD-R/RW/ROM: TOC/PMA/ATIP, write parameters, cue sheets,
 *                TAO run-out, BLANK, READ CD
 *   media_dvd.c  DVD-R/RW (incremental, DAO, restricted overwrite), DVD+R,
 *                DVD+R DL, DVD+RW, DVD-RAM: structures and formats
 *   media_bd.c   BD-R (SRM with and without spare areas), BD-RE, BD-ROM
 *
 * Every handler gets a struct sim_cmd; it either fills the reply with
 * sim_reply() or refuses with sim_sense() (returning -1), as a drive does.
 */
#ifndef MMCSIM_H
#define MMCSIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_MAX_TRACKS 99
#define SIM_CDTEXT_MAX 1024       /* CD-TEXT packs kept from a lead-in */
#define SIM_MAX_DEVS 8
#define SIM_SECTOR 2048
#define SIM_CD_RAW 2352
#define SIM_HEADER_BYTES 65536      /* text header of the state file */

enum sim_family { SIM_CD, SIM_DVD, SIM_BD };

enum sim_kind {
	SIM_ROM,                /* pressed, read-only */
	SIM_SEQ,                /* write-once or sequential rewritable */
	SIM_OVERWRITE,          /* random writable after formatting */
};

/* One entry of the media table (media names of mmcsim-run --media). */
struct sim_media {
	const char *name;       /* "dvd+r" */
	int profile;            /* profile of a fresh disc */
	enum sim_family family;
	enum sim_kind kind;
	bool erasable;          /* BLANK or FORMAT brings it back */
	int64_t capacity;       /* raw user capacity in sectors */
	int layers;
	double x1_kbps;         /* 1x in kB/s (1000 bytes) */
	int max_x;              /* fastest write speed as a multiple of 1x */
	const char *media_id;   /* manufacturer/product code */
};

enum sim_track_state {
	TRK_OPEN,               /* the invisible/incomplete track */
	TRK_RESERVED,           /* reserved, being written */
	TRK_CLOSED,
};

struct sim_track {
	int64_t start;          /* first LBA */
	int64_t size;           /* reserved size; 0 while open-ended */
	int64_t written;        /* sectors written so far */
	int64_t runout;         /* unreadable sectors after the data (CD TAO) */
	int session;            /* 1-based */
	enum sim_track_state state;
	bool audio;
	bool damaged;
};

enum sim_session_state { SES_EMPTY, SES_INCOMPLETE, SES_COMPLETE };

/* What persists in the state file: the disc as left in the tray. */
struct sim_disc {
	const struct sim_media *media;
	int profile;            /* current profile (DVD-RW and BD-R change) */
	int64_t capacity;       /* user capacity now (formats change it) */
	bool formatted;
	int64_t spare;          /* BD spare sectors set aside by formatting */
	bool finalized;         /* closed: no more sessions */
	int n_tracks;
	struct sim_track tracks[SIM_MAX_TRACKS + 1];
	int n_sessions;         /* sessions holding at least one track */
	enum sim_session_state last_session;
	int64_t high_water;     /* overwritable: end of what was written */
	bool quick_blanked;     /* DVD-RW minimally blanked: DAO only */
	int64_t writes;         /* sectors ever written, for the curious */
	char isrc[SIM_MAX_TRACKS + 1][13];      /* from an SAO cue sheet, by track */
	char mcn[14];           /* from an SAO cue sheet: in mode-2 Q frames */
	int n_cdtext;           /* CD-TEXT packs (18 bytes) of the lead-in */
	uint8_t cdtext[SIM_CDTEXT_MAX * 18];
};

/* Fault injection, from the --damage file. */
struct sim_fault {
	enum { F_READ, F_WRITE, F_SLOW } kind;
	int64_t first, last;
	double seconds;         /* F_SLOW: extra seconds per read */
};

struct sim_cue_entry {
	uint8_t ctl_adr, tno, index, form, scms, m, s, f;
};

/* One simulated drive with its disc. */
struct sim_dev {
	char path[256];         /* "/dev/sr7" */
	char state_path[1024];
	char lock_path[1100];
	int state_fd;           /* the state file: header + sparse content */
	bool loaded;            /* state read in this process */
	bool dirty;             /* changed since the last save */
	struct sim_disc disc;
	/* the tray */
	bool tray_open;
	bool no_medium;
	bool locked;
	bool unit_attention;    /* medium changed since last look */
	bool fault_tray_open;   /* from the damage file: always so */
	bool fault_no_medium;
	/* write parameters, mode page 05h */
	int write_type;         /* 0 packet/incremental, 1 TAO, 2 SAO/DAO, 3 raw */
	bool test_write;
	int multi_session;      /* 0 close disc, 3 leave open (CD/DVD-R) */
	int track_mode;
	int data_block_type;
	bool bufe;
	/* a cue sheet for CD SAO */
	int n_cue;
	struct sim_cue_entry cue[256];
	bool sao_armed;         /* cue sheet received */
	bool cdtext_done;       /* the lead-in's CD-TEXT cycle was seen whole */
	/* simulated-write bookkeeping: Test Write leaves nothing behind */
	int64_t test_nwa;
	/* speeds, kB/s */
	int read_kbps, write_kbps;
	/* sense to report with REQUEST SENSE / after a failure */
	uint8_t sk, asc, ascq;
	int busy_polls;         /* TURs to answer "operation in progress" */
	int busy_total;
	uint8_t busy_ascq;
	int64_t last_lba;       /* for seek times */
	/* faults */
	int n_faults;
	struct sim_fault *faults;
	/* read()/lseek() position for tools such as ddrescue */
	int64_t pos;
	/* the virtual clock, seconds of drive time */
	double clock;
	int64_t commands;
};

struct sim_cmd {
	struct sim_dev *dev;
	const uint8_t *cdb;
	int cdb_len;
	uint8_t *buf;           /* data in or out */
	uint32_t len;           /* dxfer_len */
	uint32_t resid;
	bool to_dev;
	/* result */
	uint8_t sk, asc, ascq;
	uint32_t info;          /* sense information field (LBA) */
	bool info_valid;
};

/* ---- common helpers (mmc.c) ---- */
int sim_sense(struct sim_cmd *c, uint8_t sk, uint8_t asc, uint8_t ascq);
int sim_sense_lba(struct sim_cmd *c, uint8_t sk, uint8_t asc, uint8_t ascq,
		  int64_t lba);
void sim_reply(struct sim_cmd *c, const void *data, uint32_t n);
void sim_execute(struct sim_dev *dev, struct sim_cmd *c);
void sim_log(struct sim_dev *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sim_put16(uint8_t *p, uint32_t v);
void sim_put24(uint8_t *p, uint32_t v);
void sim_put32(uint8_t *p, uint32_t v);
uint32_t sim_get16(const uint8_t *p);
uint32_t sim_get24(const uint8_t *p);
uint32_t sim_get32(const uint8_t *p);
void sim_lba_to_msf(int64_t lba, uint8_t *m, uint8_t *s, uint8_t *f);
int64_t sim_msf_to_lba(int m, int s, int f);

/* ---- the disc model (disc.c; state, faults, clock in state.c) ---- */
const struct sim_media *sim_media_find(const char *name);
/* Load the state (creating a fresh disc of `media` if empty). */
int sim_disc_load(struct sim_dev *dev, const char *media);
int sim_disc_save(struct sim_dev *dev);
void sim_disc_fresh(struct sim_disc *d, const struct sim_media *m);
/* A pressed disc holding an image (ROM media). */
int sim_disc_press(struct sim_dev *dev, const char *image);

bool sim_is_cd(const struct sim_dev *dev);
/* Sectors per ECC block: 1 CD, 16 DVD, 32 BD. */
int sim_ecc_block(const struct sim_disc *d);
bool sim_is_overwrite(const struct sim_dev *dev);
int sim_sessions_complete(const struct sim_disc *d);
struct sim_track *sim_open_track(struct sim_disc *d);
int64_t sim_readable_end(const struct sim_disc *d);
int64_t sim_next_writable(const struct sim_dev *dev);
int64_t sim_free_blocks(const struct sim_dev *dev);
/* Start a new (invisible) track at the end; for sequential media. */
void sim_add_open_track(struct sim_dev *dev);

int sim_read_disc_info(struct sim_cmd *c);
int sim_read_track_info(struct sim_cmd *c);
int sim_reserve_track(struct sim_cmd *c);
int sim_write(struct sim_cmd *c, int64_t lba, uint32_t n);
/* media_cd.c: a 96-byte lead-in block of an SAO burn with CD-TEXT; the
 * texts of the first cycle of packs are logged ("cdtext 80 track 1: ..."). */
void sim_cd_leadin_text(struct sim_dev *dev, const uint8_t *block);
int sim_close(struct sim_cmd *c);
/* Close the session on DVD+R/BD-R: appendable, or finalized. */
void sim_close_session_plus(struct sim_dev *dev, bool finalize);
int sim_read_data(struct sim_cmd *c, int64_t lba, uint32_t n, uint8_t *out);
int sim_check_readable(struct sim_cmd *c, int64_t lba, uint32_t n);
/* READ(10)/(12) and read(2) refuse CD-DA sectors with 05/64/00. */
int sim_check_not_audio(struct sim_cmd *c, int64_t lba, uint32_t n);
int sim_read_capacity(struct sim_cmd *c);
void sim_store(struct sim_dev *dev, int64_t lba, const uint8_t *data, uint32_t n);
/* A whole sector as stored (2352 bytes on CD: audio); zeros if never written. */
int sim_read_raw(struct sim_dev *dev, int64_t lba, uint8_t *out);
const struct sim_track *sim_track_at(const struct sim_disc *d, int64_t lba);
const struct sim_track *sim_cd_pregap_track(const struct sim_disc *d, int64_t lba);
void sim_discard(struct sim_dev *dev);
/* Begin a long operation answered "not ready, in progress" for a while. */
void sim_start_busy(struct sim_dev *dev, uint8_t ascq, int polls);

/* faults and clock */
int sim_faults_load(struct sim_dev *dev, const char *path);
const struct sim_fault *sim_fault_at(const struct sim_dev *dev, int kind,
				     int64_t lba, uint32_t n, int64_t *where);
void sim_clock_io(struct sim_dev *dev, int64_t lba, uint32_t n, bool write);
void sim_clock_add(struct sim_dev *dev, double seconds);

/* ---- CD (media_cd.c) ---- */
int sim_cd_read_toc(struct sim_cmd *c);
int sim_cd_send_cue(struct sim_cmd *c);
int sim_cd_blank(struct sim_cmd *c);
int sim_cd_read_cd(struct sim_cmd *c);
void sim_cd_leadin_cdtext(struct sim_dev *dev, const uint8_t *block);
int sim_cd_read_subchannel(struct sim_cmd *c);
int64_t sim_cd_next_session_start(const struct sim_disc *d);
void sim_cd_close_track(struct sim_dev *dev, struct sim_track *t);
int64_t sim_cd_leadout(const struct sim_disc *d);

/* ---- DVD and BD (media_dvd.c, media_bd.c) ---- */
int sim_dvd_read_toc(struct sim_cmd *c);
int sim_read_disc_structure(struct sim_cmd *c);
int sim_dvd_format_caps(struct sim_dev *dev, uint8_t *out, int *n);
int sim_dvd_format(struct sim_cmd *c, int type, int64_t blocks);
int sim_dvd_blank(struct sim_cmd *c);
int sim_dvd_close(struct sim_cmd *c, int func);
int sim_bd_format_caps(struct sim_dev *dev, uint8_t *out, int *n);
int sim_bd_format(struct sim_cmd *c, int type, int sub, int64_t blocks);
int sim_bd_close(struct sim_cmd *c, int func);
int sim_format_unit(struct sim_cmd *c);
int sim_read_format_capacities(struct sim_cmd *c);

#endif
