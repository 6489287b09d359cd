/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * extract.c - writing a file tree under a directory, never outside it.
 *
 * Each node's output path is kept relative to the directory and walked
 * again, component by component, with openat(O_DIRECTORY | O_NOFOLLOW)
 * from the directory's descriptor: a symlink (extracted earlier, or there
 * before) where a directory should be stops the walk instead of being
 * followed.  Directories get their modes and times last, deepest first,
 * so that writing into them is not refused nor their times changed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imaging/extract/extract.h"

#define CHUNK 32                        /* blocks per write */
#define TMP_SUFFIX ".spindle-tmp"

struct xstate {
	img_block_read_fn read;
	void *ctx;
	const struct img_fs_tree *t;
	const struct img_extract_opts *o;
	struct img_extract_summary *sum;
	struct sp_error *err;
	int root;
	char **out;                     /* per node: relative output path, or NULL */
	uint64_t total, done;
	size_t cached;                  /* node whose directory cfd is */
	int cfd;
	unsigned char *buf;
};

const char *img_extract_state_name(enum img_extract_state s)
{
	static const char *const n[] = { "ok", "renamed", "damaged", "skipped",
					 "refused", "exists", "failed" };
	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

static void report(struct xstate *x, size_t i, enum img_extract_state st, const char *why,
		   const struct img_ranges *bad)
{
	struct img_extract_file f = { &x->t->v[i], x->out[i] ? x->out[i] : "", st, why, bad };
	uint64_t *c[] = { NULL, &x->sum->renamed, &x->sum->damaged, &x->sum->skipped,
			  &x->sum->refused, &x->sum->exists, &x->sum->failed };

	if (c[st])
		(*c[st])++;
	if (x->o->on_file)
		x->o->on_file(&f, x->o->cb);
}

/* The safe name of one component into *name (malloc'ed): NULL why if as is. */
static const char *safe_name(const char *raw, char **name)
{
	const char *why = NULL;

	*name = NULL;
	if (!*raw || !strcmp(raw, ".") || !strcmp(raw, ".."))
		return "the name is empty, '.' or '..'";
	if (strchr(raw, '/'))
		return "the name holds '/'";
	if (strlen(raw) > 255)
		return "the name is longer than 255 bytes";
	*name = strdup(raw);
	if (!*name)
		return "out of memory";
	for (char *p = *name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*p = '_';
			why = "control characters replaced by '_'";
		}
	return why;
}

/* Open the directory at relative path rel, never following a symlink. */
static int open_rel_dir(int root, const char *rel)
{
	char *copy = strdup(rel), *save = NULL, *c;
	int fd = dup(root);

	if (!copy || fd < 0) {
		free(copy);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (c = strtok_r(copy, "/", &save); c && fd >= 0; c = strtok_r(NULL, "/", &save)) {
		int nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		close(fd);
		fd = nfd;
	}
	free(copy);
	return fd;
}

/* The descriptor of node i's parent directory (cached; not to be closed). */
static int parent_fd(struct xstate *x, size_t i)
{
	size_t p = x->t->v[i].parent;

	if (x->cfd >= 0 && x->cached == p)
		return x->cfd;
	if (x->cfd >= 0)
		close(x->cfd);
	x->cfd = open_rel_dir(x->root, x->out[p]);
	x->cached = p;
	return x->cfd;
}

static const char *base(const char *rel)
{
	const char *s = strrchr(rel, '/');

	return s ? s + 1 : rel;
}

static enum sp_status write_note(int dfd, const char *name, const struct img_ranges *bad,
				 uint64_t size)
{
	char note[300];
	FILE *f;
	int fd;

	snprintf(note, sizeof(note), "%s.damaged", name);
	fd = openat(dfd, note, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return SP_FAILED;
	}
	fprintf(f, "%s: unreadable byte ranges (start, length), read as zeros:\n", name);
	for (size_t i = 0; i < bad->n; i++) {
		uint64_t a = (uint64_t)bad->v[i].lba * SP_SECTOR;
		uint64_t b = (uint64_t)(bad->v[i].lba + bad->v[i].count) * SP_SECTOR;

		if (b > size)
			b = size;
		fprintf(f, "%llu %llu\n", (unsigned long long)a, (unsigned long long)(b - a));
	}
	return fclose(f) ? SP_FAILED : SP_OK;
}

static bool is_zero(const unsigned char *b, size_t len)
{
	static const unsigned char zero[SP_SECTOR];

	return !memcmp(b, zero, len);
}

/* Copy node n's data into fd; unreadable blocks become holes, in bad.
 * Runs of up to CHUNK blocks are read at once when the source can. */
static enum sp_status copy_data(struct xstate *x, const struct img_fs_node *n, int fd,
				struct img_ranges *bad)
{
	uint64_t off = 0;

	if (n->data)
		return sp_pwrite_all(fd, n->data, n->size, 0, n->path, x->err);
	for (size_t e = 0; e < n->n_ext; e++) {
		uint64_t left = n->ext[e].bytes;
		int64_t lba = n->ext[e].lba;

		while (left) {
			uint32_t want = (uint32_t)((left + SP_SECTOR - 1) / SP_SECTOR), got = 0;

			if (want > CHUNK)
				want = CHUNK;
			if (lba < 0) {
				/* not recorded: a hole */
				uint64_t len = left < (uint64_t)want * SP_SECTOR ? left : (uint64_t)want * SP_SECTOR;

				off += len;
				left -= len;
				x->done += len;
				continue;
			}
			if (x->o->read_run && want > 1 && lba < x->t->sectors)
				got = x->o->read_run(x->ctx, lba, want, x->buf);
			for (uint32_t k = 0; k < want; k++) {
				unsigned char *b = x->buf + (size_t)k * SP_SECTOR;
				size_t len = left < SP_SECTOR ? (size_t)left : SP_SECTOR;
				bool ok = k < got || (lba < x->t->sectors && x->read(x->ctx, lba, b));

				x->sum->blocks_read++;
				if (!ok) {
					if (img_ranges_add(bad, (int64_t)(off / SP_SECTOR), 1) != SP_OK)
						return sp_error_set(x->err, SPE_NOMEM, "out of memory");
				} else if (!is_zero(b, len) &&
					   sp_pwrite_all(fd, b, len, off, n->path, x->err) != SP_OK) {
					return SP_FAILED;
				}
				off += len;
				left -= len;
				lba++;
				x->done += len;
			}
			if (x->o->progress && !(off % (SP_SECTOR * 512)))
				x->o->progress(x->done, x->total, x->o->cb);
		}
	}
	if (ftruncate(fd, (off_t)off) < 0)
		return sp_error_set_errno(x->err, errno, "cannot write '%s'", n->path);
	return SP_OK;
}

static void set_meta(int fd, const struct img_fs_node *n)
{
	struct timespec ts[2] = { { n->atime, 0 }, { n->mtime, 0 } };

	if (geteuid() == 0 && fchown(fd, n->uid, n->gid) < 0) {
		/* kept with the extractor's owner */
	}
	if (fchmod(fd, n->mode & 07777 & (geteuid() == 0 ? 07777 : 01777)) < 0) {
		/* a target without modes */
	}
	futimens(fd, ts);
}

/* Does name have an earlier extraction's NAME.damaged note beside it? */
static bool has_note(int dfd, const char *name)
{
	char note[300];
	struct stat sb;

	snprintf(note, sizeof(note), "%s.damaged", name);
	return fstatat(dfd, note, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode);
}

/* Can name be (re)placed in dfd?  false: it exists and no force (an
 * earlier extraction's damaged copy, with its note, is replaced). */
static bool may_place(struct xstate *x, int dfd, const char *name, bool *is_dir)
{
	struct stat sb;

	*is_dir = false;
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return true;
	*is_dir = S_ISDIR(sb.st_mode);
	return !*is_dir && (x->o->force || (S_ISREG(sb.st_mode) && has_note(dfd, name)));
}

/* Does the existing regular file name hold node n's bytes?  (Read through
 * the source: a block that cannot be read makes it "no".) */
static bool same_bytes(struct xstate *x, const struct img_fs_node *n, int dfd, const char *name)
{
	unsigned char have[SP_SECTOR];
	struct stat sb;
	uint64_t off = 0;
	bool same = false;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size != n->size)
		goto out;
	if (n->data) {
		for (; off < n->size; off += SP_SECTOR) {
			size_t len = n->size - off < SP_SECTOR ? (size_t)(n->size - off) : SP_SECTOR;

			if (pread(fd, have, len, (off_t)off) != (ssize_t)len ||
			    memcmp(have, n->data + off, len))
				goto out;
		}
		same = true;
		goto out;
	}
	for (size_t e = 0; e < n->n_ext; e++) {
		int64_t lba = n->ext[e].lba;

		for (uint64_t left = n->ext[e].bytes; left; lba += lba >= 0) {
			size_t len = left < SP_SECTOR ? (size_t)left : SP_SECTOR;

			if (lba < 0)
				memset(x->buf, 0, SP_SECTOR);
			else if (lba >= x->t->sectors || !x->read(x->ctx, lba, x->buf))
				goto out;
			if (pread(fd, have, len, (off_t)off) != (ssize_t)len || memcmp(have, x->buf, len))
				goto out;
			off += len;
			left -= len;
		}
	}
	same = off == n->size;
out:
	close(fd);
	return same;
}

static enum sp_status do_file(struct xstate *x, size_t i, int dfd, const char *name,
			      enum img_extract_state ok_state, const char *why)
{
	const struct img_fs_node *n = &x->t->v[i];
	struct img_ranges bad = IMG_RANGES_INIT;
	char tmp[300];
	enum sp_status st;
	bool is_dir;
	int fd;

	if (!may_place(x, dfd, name, &is_dir)) {
		if (!is_dir && same_bytes(x, n, dfd, name)) {
			/* already there, whole (an earlier run of the same command) */
			x->sum->files++;
			x->sum->bytes += n->size;
			x->done += n->size;
			report(x, i, ok_state, why, NULL);
			return SP_OK;
		}
		report(x, i, IMG_X_EXISTS, is_dir ? "a directory of that name exists"
				: "the file exists (--force replaces it)", NULL);
		return SP_OK;
	}
	if (n->link_of >= 0 && x->out[n->link_of]) {
		int sfd = open_rel_dir(x->root, x->out[x->t->v[n->link_of].parent]);

		if (sfd >= 0) {
			unlinkat(dfd, name, 0);
			if (!linkat(sfd, base(x->out[n->link_of]), dfd, name, 0)) {
				close(sfd);
				x->sum->hardlinks++;
				report(x, i, ok_state, why, NULL);
				return SP_OK;
			}
			close(sfd);
		}
	}
	snprintf(tmp, sizeof(tmp), "%s" TMP_SUFFIX, name);
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == ENOSPC)
			return sp_error_set_errno(x->err, errno, "cannot create '%s'", x->out[i]);
		report(x, i, IMG_X_FAILED, strerror(errno), NULL);
		return SP_OK;
	}
	st = copy_data(x, n, fd, &bad);
	if (st == SP_OK) {
		set_meta(fd, n);
		if (close(fd) < 0)
			st = sp_error_set_errno(x->err, errno, "cannot write '%s'", x->out[i]);
	} else {
		close(fd);
	}
	if (st != SP_OK || (bad.n && x->o->skip_damaged)) {
		unlinkat(dfd, tmp, 0);
		if (st == SP_OK)
			report(x, i, IMG_X_SKIPPED, "unreadable blocks", &bad);
	} else if (renameat(dfd, tmp, dfd, name) < 0) {
		unlinkat(dfd, tmp, 0);
		report(x, i, IMG_X_FAILED, strerror(errno), NULL);
	} else {
		x->sum->files++;
		x->sum->bytes += n->size;
		if (!bad.n && has_note(dfd, name)) {
			char note[300];

			snprintf(note, sizeof(note), "%s.damaged", name);
			unlinkat(dfd, note, 0);
		}
		if (bad.n && write_note(dfd, name, &bad, n->size) != SP_OK)
			st = sp_error_set_errno(x->err, errno, "cannot write '%s.damaged'", x->out[i]);
		report(x, i, bad.n ? IMG_X_DAMAGED : ok_state, bad.n ? "unreadable blocks" : why,
		       bad.n ? &bad : NULL);
	}
	img_ranges_release(&bad);
	return st;
}

static enum sp_status do_node(struct xstate *x, size_t i)
{
	const struct img_fs_node *n = &x->t->v[i];
	const char *why, *pout = x->out[n->parent];
	enum img_extract_state ok_state;
	char *name;
	size_t len;
	int dfd;
	bool is_dir;

	if (!pout) {
		report(x, i, IMG_X_REFUSED, "its directory was not extracted", NULL);
		return SP_OK;
	}
	why = safe_name(n->name, &name);
	if (!name) {
		report(x, i, IMG_X_REFUSED, why, NULL);
		return SP_OK;
	}
	ok_state = why ? IMG_X_RENAMED : IMG_X_OK;
	len = strlen(pout) + strlen(name) + 2;
	x->out[i] = malloc(len);
	if (!x->out[i]) {
		free(name);
		return sp_error_set(x->err, SPE_NOMEM, "out of memory");
	}
	snprintf(x->out[i], len, "%s%s%s", pout, *pout ? "/" : "", name);
	dfd = parent_fd(x, i);
	if (dfd < 0) {
		report(x, i, IMG_X_REFUSED, "a symlink or file stands where its directory should be", NULL);
		goto drop;
	}
	if (n->type == IMG_NODE_DIR) {
		if (mkdirat(dfd, name, 0700) < 0 && errno != EEXIST) {
			if (errno == ENOSPC) {
				free(name);
				return sp_error_set_errno(x->err, errno, "cannot create '%s'", x->out[i]);
			}
			report(x, i, IMG_X_FAILED, strerror(errno), NULL);
			goto drop;
		}
		x->sum->dirs++;
		if (why)
			report(x, i, ok_state, why, NULL);
	} else if (n->type == IMG_NODE_SYMLINK) {
		if (!may_place(x, dfd, name, &is_dir)) {
			report(x, i, IMG_X_EXISTS, "the file exists (--force replaces it)", NULL);
			goto drop;
		}
		unlinkat(dfd, name, 0);
		if (symlinkat(n->target, dfd, name) < 0) {
			report(x, i, IMG_X_FAILED, strerror(errno), NULL);
			goto drop;
		} else {
			struct timespec ts[2] = { { n->atime, 0 }, { n->mtime, 0 } };

			utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW);
			x->sum->symlinks++;
			report(x, i, ok_state, why, NULL);
		}
	} else if (n->type == IMG_NODE_FILE) {
		enum sp_status st = do_file(x, i, dfd, name, ok_state, why);

		free(name);
		return st;
	} else {
		report(x, i, IMG_X_REFUSED, "device files and FIFOs are not made", NULL);
		goto drop;
	}
	free(name);
	return SP_OK;
drop:
	free(name);
	if (n->type == IMG_NODE_DIR) {
		free(x->out[i]);
		x->out[i] = NULL;
	}
	return SP_OK;
}

/* Directory modes and times, deepest first (after everything under them). */
static void finish_dirs(struct xstate *x, const bool *sel)
{
	for (size_t i = x->t->n; i-- > 0;) {
		const struct img_fs_node *n = &x->t->v[i];
		int fd;

		if (n->type != IMG_NODE_DIR || !x->out[i] || (sel && !sel[i]))
			continue;
		fd = open_rel_dir(x->root, x->out[i]);
		if (fd >= 0) {
			set_meta(fd, n);
			close(fd);
		}
	}
}

enum sp_status img_extract(img_block_read_fn read, void *ctx, const struct img_fs_tree *t,
			   const struct img_extract_opts *o,
			   struct img_extract_summary *sum, struct sp_error *err)
{
	struct xstate x = { .read = read, .ctx = ctx, .t = t, .o = o, .sum = sum, .err = err,
			    .root = -1, .cfd = -1 };
	bool *sel = NULL;
	enum sp_status st = SP_FAILED;

	memset(sum, 0, sizeof(*sum));
	if (!t->n)
		return SP_OK;
	x.out = calloc(t->n, sizeof(*x.out));
	x.buf = malloc((size_t)CHUNK * SP_SECTOR);
	if (!x.out || !x.buf) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	if (o->n_paths) {
		sel = calloc(t->n, sizeof(*sel));
		if (!sel) {
			sp_error_set(err, SPE_NOMEM, "out of memory");
			goto out;
		}
		if (img_extract_select(t, o->paths, o->n_paths, sel, err) != SP_OK)
			goto out;
	}
	if (mkdir(o->dir, 0777) < 0 && errno != EEXIST) {
		sp_error_set_errno(err, errno, "cannot create directory '%s'", o->dir);
		goto out;
	}
	x.root = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x.root < 0) {
		sp_error_set_errno(err, errno, "cannot open directory '%s'", o->dir);
		goto out;
	}
	x.out[0] = strdup("");
	if (!x.out[0]) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 1; i < t->n; i++)
		if (!sel || sel[i])
			x.total += t->v[i].size;
	st = SP_OK;
	for (size_t i = 1; i < t->n && st == SP_OK; i++)
		if (!sel || sel[i])
			st = do_node(&x, i);
	if (st == SP_OK) {
		finish_dirs(&x, sel);
		if (o->progress)
			o->progress(x.total, x.total, o->cb);
	}
out:
	if (x.cfd >= 0)
		close(x.cfd);
	if (x.root >= 0)
		close(x.root);
	if (x.out)
		for (size_t i = 0; i < t->n; i++)
			free(x.out[i]);
	free(x.out);
	free(x.buf);
	free(sel);
	return st;
}
