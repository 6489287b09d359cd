/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ecc_private.h - internals of imaging/ecc/, shared by its files and the
 * unit tests and fuzz target.  cli/ uses imaging/ecc/ecc.h only.
 *
 * The Reed-Solomon code is dvdisaster's (see its codec specification,
 * documentation/codec-specs): RS(255, k) over GF(2^8) with field polynomial
 * 0x187, generator roots alpha^(11*(112+i)), i = 0 .. roots-1.  A codeword
 * is 255 "layers"; layer L is the coefficient of x^(254-L), so data layers
 * come first and ecc layer r is the coefficient of x^(roots-1-r).
 *
 * Both encoding and erasure decoding solve the same linear system: the
 * s erased layers (the roots ecc layers, for encoding) from the first s
 * rows of the parity-check matrix.  The result is a matrix D (s x (255-s))
 * applied to the surviving layers bytewise; ISA-L's ec_encode_data() does
 * that with SIMD, given multiplication tables built here for 0x187.
 */
#ifndef SPINDLE_ECC_PRIVATE_H
#define SPINDLE_ECC_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "common/common.h"
#include "imaging/ecc/ecc.h"

#define ECC_LAYERS 255
#define ECC_MIN_ROOTS 8
#define ECC_MAX_ROOTS_RS03 170
#define ECC_MAX_ROOTS_RS01 100
#define ECC_HEADER_BYTES 4096
#define ECC_VERSION 7905        /* the dvdisaster version we write as */
#define ECC_RS03_NEEDED 7900
#define ECC_SELFCRC_PRESET 0x4c5047u

/* ---- gf.c: GF(2^8)/0x187 arithmetic and the decode plans ---------------- */
uint8_t ecc_gf_mul(uint8_t a, uint8_t b);
uint8_t ecc_gf_inv(uint8_t a);

/* The layers to compute (dst) from the layers that survive (src). */
struct ecc_plan {
	int roots;
	int nsrc, ndst;
	uint8_t src[ECC_LAYERS], dst[ECC_LAYERS];
	uint8_t *tables;      /* ndst * nsrc * 32 bytes, ISA-L's layout */
	uint8_t *coef;        /* ndst * nsrc matrix, row per dst */
};
#define ECC_PLAN_INIT { 0 }

/* Build the plan that recomputes the layers erased[L] != 0 (at most roots
 * of them) from the others.  Returns 0, or -1 (ENOMEM, or too many). */
int ecc_plan_build(struct ecc_plan *p, int roots, const uint8_t erased[ECC_LAYERS]);
/* The plan that computes the roots ecc layers from the data layers. */
int ecc_plan_encoder(struct ecc_plan *p, int roots);
/* Apply: layers[L] points to len bytes of layer L (len a multiple of 64:
 * shorter runs take ISA-L's C path, which multiplies in its own field). */
void ecc_plan_run(const struct ecc_plan *p, int len, uint8_t *const layers[ECC_LAYERS]);
void ecc_plan_release(struct ecc_plan *p);
/* Is ISA-L's SIMD path usable with our tables? (checked once) */
bool ecc_gf_simd_ok(void);

/* ---- rs_decode.c: errors at unknown positions ---------------------------- */
/* Decode one codeword (layer order) with the erasures eras[0..neras-1] and
 * errors anywhere (2e + s <= roots).  Corrects cw in place; returns the
 * number of bytes corrected, or -1 when it does not decode. */
int ecc_rs_decode(uint8_t cw[ECC_LAYERS], int roots, const int *eras, int neras);
/* The same for the 2048 codewords of an ecc block, layers[L] its sectors;
 * changed[L] = 1 for each sector it changed.  0, or -1 when a codeword
 * does not decode (the layers may then be partly changed). */
int ecc_block_decode(int roots, uint8_t *const layers[ECC_LAYERS], const uint8_t erased[ECC_LAYERS],
		     uint8_t changed[ECC_LAYERS]);

/* Is image sector n among the known erasures (NULL: none)? */
bool ecc_known_erasure(const struct img_ranges *e, uint64_t n);

/* ---- format.c: CRC32, EccHeader, CrcBlock, markers ----------------------- */
/* dvdisaster's CRC32: reflected 0x04C11DB7, init ~0, no final XOR. */
uint32_t ecc_crc32(const void *buf, size_t len);

struct ecc_header {
	char method[5];            /* "RS01", "RS02", "RS03" */
	uint8_t flags[4];
	uint8_t medium_fp[16], medium_sum[16], ecc_sum[16], crc_sum[16];
	uint64_t sectors;
	int32_t data_bytes, ecc_bytes;   /* layers incl. CRC layer; roots */
	int32_t creator, needed, fp_sector, in_last;
	uint32_t self_crc;
	uint64_t sectors_per_layer, sectors_added;
};

/* Serialise into 4096 bytes (selfCRC computed for RS02/RS03). */
void ecc_header_write(const struct ecc_header *h, uint8_t out[ECC_HEADER_BYTES]);
/* Parse and check 4096 bytes: cookie, method, selfCRC (RS02/RS03), field
 * ranges.  Names the offset of what is wrong in err. */
enum sp_status ecc_header_parse(const uint8_t *buf, size_t len, struct ecc_header *h,
				struct sp_error *err);

/* RS03 CRC block: one sector of the CRC layer. */
struct ecc_crcblock {
	uint32_t crc[256];
	struct ecc_header h;       /* the copied fields */
};
void ecc_crcblock_write(const struct ecc_crcblock *c, uint8_t out[SP_SECTOR]);
/* Returns true when buf is a CRC block whose selfCRC holds. */
bool ecc_crcblock_parse(const uint8_t buf[SP_SECTOR], struct ecc_crcblock *c);

/* dvdisaster's padding sector (number, fingerprint) and dead-sector marker */
void ecc_padding_sector(uint8_t out[SP_SECTOR], uint64_t number, const uint8_t fp[16],
			int fp_sector);
bool ecc_is_dead_marker(const uint8_t buf[SP_SECTOR]);

/* ---- pool.c: run work items on several threads --------------------------- */
/* Calls fn(arg, item, worker) for item = 0 .. n-1 on `threads` threads;
 * stops handing out items once any call returns non-zero.  Returns the
 * first non-zero result, or 0. */
int ecc_pool_run(int threads, uint64_t n, int (*fn)(void *arg, uint64_t item, int worker),
		 void *arg);
int ecc_default_threads(void);
#define ECC_MAX_WORKERS 16
/* Cap threads (0: one per processor) at ECC_MAX_WORKERS and at items, and
 * allocate bytes for each worker in buf[] (the rest stay NULL).  Returns
 * the number of threads, or -1 when out of memory (free buf[] either way). */
int ecc_workers_alloc(uint8_t *buf[ECC_MAX_WORKERS], int threads, uint64_t items, size_t bytes);
/* MD5 of len bytes of fd from off: 0, or -1 on a read error or short file. */
int ecc_md5_fd(int fd, uint64_t off, uint64_t len, uint8_t out[16]);


/* ---- rs03_io.c: the RS03 layout and reading runs of a layer -------------- */
struct rs03 {
	struct ecc_header h;       /* as written, or as read and checked */
	int roots, ndata;          /* ndata: data layers + the CRC layer */
	uint64_t L;                /* sectors per layer */
	bool augmented;
	const struct img_ranges *erasures;   /* of the augmented image */
	int fd_img, fd_ecc;        /* fd_ecc = fd_img when augmented */
	uint64_t img_bytes, ecc_bytes;  /* file sizes: what lies past them is missing */
	bool header_rebuilt;       /* the .ecc file's header was damaged */
};

/* Where sector i of layer j lives: file and sector offset in it. */
void rs03_where(const struct rs03 *r, int j, int *fd, uint64_t *sector, uint64_t *fsize);
/* Is image data sector n (of data layers) a virtual padding sector? */
bool rs03_virtual(const struct rs03 *r, uint64_t n);
/* Read cnt sectors i0.. of layer j into buf.  Virtual padding is made up;
 * what lies past the end of its file reads as zeros with missing[k] = 1
 * (missing may be NULL).  Returns 0, or -1 with errno on a read error. */
int rs03_read(const struct rs03 *r, int j, uint64_t i0, uint64_t cnt, uint8_t *buf,
	      uint8_t *missing);
/* The padding sector that data sector n would be. */
void rs03_padding(const struct rs03 *r, uint64_t n, uint8_t out[SP_SECTOR]);
/* MD5 fingerprint of sector fp_sector of the image (zeros if it has none). */
int rs03_fingerprint(int fd, uint64_t img_bytes, int fp_sector, uint8_t out[16]);
/* pread all of len bytes at off: 0, 1 when the file ends first, -1 (errno) */
int ecc_read_at(int fd, void *buf, size_t len, uint64_t off);
/* Size of a regular file or block device (a disc): 0, or -1 */
int ecc_input_size(int fd, uint64_t *bytes);
/* Read cnt sectors from sector; with missing, an unreadable sector (EIO,
 * a disc) reads as zeros with missing[k] = 1.  0, or -1 with errno. */
int ecc_read_sectors(int fd, uint8_t *buf, uint64_t cnt, uint64_t sector, uint8_t *missing);
/* pwrite all of len bytes at off: 0, or -1 with errno */
int ecc_write_at(int fd, const void *buf, size_t len, uint64_t off);

/* ---- block_check.c: one ecc block's decode, RS02 and RS03 alike --------- */
struct ecc_tally {
	uint64_t damaged, damaged_ecc, repaired, repaired_ecc, unrepairable;
};
#define ECC_LISTED_PER_WORKER 64
/* A checker's worker: its decoding plan (kept while the erasure pattern
 * stays), tallies, and image sectors left damaged not yet in the summary. */
struct ecc_block_worker {
	struct ecc_plan plan;
	uint8_t pattern[ECC_LAYERS];
	bool have_plan;
	struct ecc_tally t;
	uint64_t listed[ECC_LISTED_PER_WORKER];
	int nlisted;
};
enum { ECC_LAYER_ECC, ECC_LAYER_IMAGE, ECC_LAYER_VIRTUAL };
/* What a codec says about one block it hands over. */
struct ecc_block_ops {
	/* do the recovered (erased) layers match their CRCs? */
	bool (*ok)(void *ctx, const uint8_t erased[ECC_LAYERS], uint8_t *const layers[ECC_LAYERS]);
	/* layer j: an image sector, ecc data, or virtual (known, never decoded) */
	int (*kind)(void *ctx, int j);
	void *ctx;
};
/* Decode a block with the s erasures flagged in erased[]; *good when it
 * decoded and the CRCs match.  Errors found beyond the erasures are added
 * to erased[] and counted as damage in t.  -1 (errno) when out of memory. */
int ecc_block_decode_checked(struct ecc_block_worker *w, int roots,
			     uint8_t *const layers[ECC_LAYERS], uint8_t erased[ECC_LAYERS], int s,
			     const struct ecc_block_ops *ops, struct ecc_tally *t, bool *good);
void ecc_tally_add(struct ecc_tally *to, const struct ecc_tally *t);
/* Image sector n stays damaged: listed, into sum (under lock) now and then. */
void ecc_block_list(struct ecc_block_worker *w, pthread_mutex_t *lock,
		    struct img_ecc_summary *sum, uint64_t n);
void ecc_block_flush(struct ecc_block_worker *w, struct img_ecc_summary *sum);
/* After the pool: a worker's tallies and list into sum. */
void ecc_block_finish(struct ecc_block_worker *w, struct img_ecc_summary *sum);

/* ---- header_recover.c: a damaged .ecc file header ---------------------- */
/* The header of an RS03 file from its CRC layer, or of an RS01 file from
 * the sizes of image and file; 0, or -1 if neither. */
int ecc_header_recover(int fd_img, uint64_t img_bytes, int fd_ecc, uint64_t ecc_bytes,
		       struct ecc_header *h);
/* Write h as the file's header (RS01: with its MD5 sums and fingerprint
 * computed from the image and the file); 0, or -1 with errno. */
int ecc_header_rewrite(struct ecc_header *h, int fd_img, uint64_t img_bytes, int fd_ecc,
		       uint64_t ecc_bytes);
/* The header of an augmented image (of `bytes`), found after its ISO file
 * system or from its CRC layer.  0, or -1 with err set. */
int rs03_find_augmented(int fd, uint64_t bytes, struct ecc_header *h, struct sp_error *err);
/* The CRC block fields, from the header. */
void rs03_crcblock_init(const struct rs03 *r, struct ecc_crcblock *c);
/* The header and layout for the image open on r->fd_img (a non-empty
 * regular file not yet augmented; r->img_bytes set; r->augmented chosen):
 * an augmented image fills o->medium_sectors (0: the smallest medium). */
enum sp_status rs03_setup(struct rs03 *r, const char *image, const struct img_ecc_opts *o,
			  struct sp_error *err);
/* RS03 on ecc file / augmented image */
enum sp_status rs03_create(const char *image, const char *ecc_path,
			   const struct img_ecc_opts *o, struct img_ecc_summary *sum,
			   struct sp_error *err);
enum sp_status rs03_check(struct rs03 *r, enum img_ecc_mode mode, const struct img_ecc_opts *o,
			  struct img_ecc_summary *sum, struct sp_error *err);
/* ---- rs01.c: RS01 .ecc files -------------------------------------------- */
enum sp_status rs01_create(const char *image, const char *ecc_path, const struct img_ecc_opts *o,
			   struct img_ecc_summary *sum, struct sp_error *err);
enum sp_status rs01_check(const struct ecc_header *h, int fd_img, int fd_ecc, uint64_t img_bytes,
			  uint64_t ecc_bytes, enum img_ecc_mode mode, const struct img_ecc_opts *o,
			  struct img_ecc_summary *sum, struct sp_error *err);
/* ---- rs02.c, rs02_check.c: RS02 augmented images ---------------------- */
/* The layout (dvdisaster's CalcRS02Layout in sectors): the image, its
 * header (2 sectors), its CRC sectors make the protected sectors, cut into
 * ndata layers of spl sectors; the roots ecc layers follow, with a copy
 * of the header at every multiple of modulo from first_repeat on. */
struct rs02 {
	struct ecc_header h;
	uint8_t hdr[ECC_HEADER_BYTES];   /* the header's bytes, boot CRCs included */
	int roots, ndata;
	uint64_t data, crc_sectors, prot, spl, rs_sectors, modulo, first_repeat, headers, added;
	int fd;
	uint64_t img_bytes;
	const struct img_ranges *erasures;
};
#define RS02_VIRTUAL UINT64_MAX
/* Fill the layout from r->h (sectors, roots, sectors added). */
void rs02_layout_from_header(struct rs02 *r);
/* Image sector of sector i of layer j, or RS02_VIRTUAL for what the
 * codeword takes as zeros (past the protected sectors, the first header). */
uint64_t rs02_sector(const struct rs02 *r, int j, uint64_t i);
/* Read sectors i0.. of layer j (virtual ones are zeros); missing[k] = 1 for
 * sectors past the end of the file.  0, or -1 with errno. */
int rs02_read(const struct rs02 *r, int j, uint64_t i0, uint64_t cnt, uint8_t *buf,
	      uint8_t *missing);
/* Find a valid RS02 header in the image (after its ISO file system, or a
 * copy among the ecc layers); fills r->h, r->hdr, layout.  0, or -1. */
int rs02_find(int fd, uint64_t bytes, struct rs02 *r);
enum sp_status rs02_create(const char *image, const struct img_ecc_opts *o,
			   struct img_ecc_summary *sum, struct sp_error *err);
enum sp_status rs02_check(struct rs02 *r, enum img_ecc_mode mode, const struct img_ecc_opts *o,
			  struct img_ecc_summary *sum, struct sp_error *err);
/* Recompute the selfCRC of a 4096-byte header in place */
void ecc_header_seal(uint8_t hdr[ECC_HEADER_BYTES]);
/* Size of the nth medium in sectors, smallest first (0 past the last) */
uint64_t ecc_medium_nth(int nth);

/* The summary list of remaining sectors: add one (thread-unsafe). */
void ecc_summary_add_remaining(struct img_ecc_summary *sum, uint64_t sector);
/* Note a repaired image sector in sum->repaired_ranges, if asked (the
 * caller holds the lock the summary is under). */
void ecc_summary_add_repaired(struct img_ecc_summary *sum, uint64_t sector);
/* count sectors of the image file at sector were written back (caller locks) */
void ecc_summary_add_written(struct img_ecc_summary *sum, uint64_t sector, uint64_t count);

#endif
