/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * master_tree.c - building the image tree from graft points.
 *
 * spindle walks the sources itself rather than through
 * iso_tree_add_dir_rec(): that gives mkisofs' merge semantics (two sources
 * may fill the same directory; a clash of files is an error, not a silent
 * rename), exclusion by glob on name, source path or image path, and an
 * error that names the first unreadable file.  Each node is still made by
 * libisofs from the file on disk (iso_tree_add_new_node), so modes, owners,
 * times, symlinks, special files and hard links (same device and inode,
 * hence one copy of the data) come through as libisofs records them.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imaging/master/master_private.h"

/* A path being walked: on disk (absolute), as the user wrote it, and in
 * the image.  Each is a growing buffer; push/pop append and cut a name. */
struct walk_path {
	char abs[PATH_MAX];
	char user[PATH_MAX];
	char img[PATH_MAX];
};

static int push(char *buf, size_t *saved, const char *name)
{
	size_t l = strlen(buf);
	int n;

	*saved = l;
	n = snprintf(buf + l, PATH_MAX - l, "%s%s",
		     l && buf[l - 1] == '/' ? "" : "/", name);
	if (n < 0 || (size_t)n >= PATH_MAX - l) {
		buf[l] = '\0';
		return -1;
	}
	return 0;
}

enum sp_status img_graft_parse(struct img_graft *g, const char *arg,
			       char *buf, size_t len, struct sp_error *err)
{
	char *w = buf, *eq = NULL;

	if (strlen(arg) >= len)
		return sp_error_set(err, SPE_USAGE, "path '%s' is too long", arg);
	for (const char *r = arg; *r; r++) {
		if (r[0] == '\\' && r[1] == '=') {
			*w++ = '=';
			r++;
			continue;
		}
		if (*r == '=' && !eq) {
			*w++ = '\0';
			eq = w;
			continue;
		}
		*w++ = *r;
	}
	*w = '\0';
	if (!eq) {
		g->target = NULL;
		g->source = buf;
	} else {
		g->target = buf;
		g->source = eq;
		if (!*g->target || !*g->source) {
			sp_error_set(err, SPE_USAGE, "bad graft point '%s'", arg);
			sp_error_hint(err, "write it as /PATH/IN/IMAGE=SOURCE, for example /docs=./manual");
			return SP_FAILED;
		}
	}
	if (!*g->source)
		return sp_error_set(err, SPE_USAGE, "empty source path");
	return SP_OK;
}

static bool excluded(const struct img_master *m, const char *name,
		     const struct walk_path *p)
{
	for (size_t i = 0; i < m->o.n_excludes; i++) {
		const char *pat = m->o.excludes[i];

		if (!strchr(pat, '/')) {
			if (fnmatch(pat, name, FNM_PERIOD) == 0)
				return true;
			continue;
		}
		if (fnmatch(pat, p->abs, 0) == 0 || fnmatch(pat, p->user, 0) == 0 ||
		    fnmatch(pat, p->img, 0) == 0)
			return true;
	}
	return false;
}

static void progress(struct img_master *m)
{
	struct img_master_progress p = { .phase = IMG_MASTER_SCANNING };
	double now;

	if (!m->o.progress)
		return;
	now = sp_now();
	if (now - m->last_progress < 0.2)
		return;
	m->last_progress = now;
	p.files = m->st.files + m->st.dirs + m->st.symlinks + m->st.specials;
	p.elapsed = now - m->t0;
	m->o.progress(&p, m->o.ctx);
}

/*
 * A source that cannot be read: an error naming it, or with
 * skip_unreadable a note to on_skip and SP_OK (the caller leaves it out).
 */
static enum sp_status unreadable(struct img_master *m, const char *path,
				 const char *what, int errnum,
				 struct sp_error *err)
{
	struct sp_error why = SP_ERROR_INIT;

	sp_error_set_errno(&why, errnum, "cannot read %s '%s'", what, path);
	if (m->o.skip_unreadable) {
		m->st.skipped++;
		if (m->o.on_skip)
			m->o.on_skip(path, &why, m->o.ctx);
		return SP_OK;
	}
	*err = why;
	if (errnum == EACCES || errnum == EPERM)
		sp_error_hint(err, "check its permissions, leave it out with --exclude, "
			      "or use --skip-unreadable to go on without it");
	else
		sp_error_hint(err, "leave it out with --exclude, or use --skip-unreadable "
			      "to go on without it");
	return SP_FAILED;
}

/*
 * The stream identity of a regular file: a new number in walk order, or
 * for a hard link the number its (device, inode) got first.  Counts the
 * file, and its data once.
 */
static enum sp_status file_id(struct img_master *m, const struct stat *st,
			      uint64_t *id, struct sp_error *err)
{
	if (st->st_nlink > 1) {
		for (size_t i = 0; i < m->n_links; i++)
			if (m->links[i].dev == st->st_dev && m->links[i].ino == st->st_ino) {
				m->st.hardlinks++;
				m->st.files++;
				*id = m->links[i].id;
				return SP_OK;
			}
		if (m->n_links == m->alloc_links) {
			size_t n = m->alloc_links ? m->alloc_links * 2 : 64;
			void *v = realloc(m->links, n * sizeof(*m->links));

			if (!v)
				return sp_error_set(err, SPE_NOMEM, "out of memory");
			m->links = v;
			m->alloc_links = n;
		}
		m->links[m->n_links].dev = st->st_dev;
		m->links[m->n_links].ino = st->st_ino;
		m->links[m->n_links].id = m->last_id + 1;
		m->n_links++;
	}
	*id = ++m->last_id;
	m->st.files++;
	m->st.content_bytes += (uint64_t)st->st_size;
	return SP_OK;
}

static time_t node_mtime(struct img_master *m, const struct stat *st)
{
	time_t t = st->st_mtime;

	if (m->o.reproducible && m->o.epoch >= 0 && t > (time_t)m->o.epoch)
		t = (time_t)m->o.epoch;
	return t;
}

static enum sp_status lib_error(struct sp_error *err, int code,
				const char *fmt, const char *path)
{
	sp_error_set(err, SPE_LIB, fmt, path, iso_error_to_msg(code));
	err->lib_code = code;
	drv_drain_messages(NULL);
	return SP_FAILED;
}

static enum sp_status walk_dir(struct img_master *m, IsoDir *dir,
			       struct walk_path *p, struct sp_error *err);

/*
 * Add the file p->abs (already lstat'ed into st) as `name` in dir, or merge
 * it into a directory of that name already there, and descend.
 */
static enum sp_status add_entry(struct img_master *m, IsoDir *dir,
				const char *name, const struct stat *st,
				struct walk_path *p, struct sp_error *err)
{
	IsoNode *node = NULL;
	time_t mt;
	int r;

	if (S_ISREG(st->st_mode)) {
		int fd = open(p->abs, O_RDONLY | O_NOCTTY | O_NONBLOCK);

		if (fd < 0)
			return unreadable(m, p->user, "file", errno, err);
		close(fd);
	}
	if (iso_dir_get_node(dir, name, &node) == 1) {
		if (S_ISDIR(st->st_mode) && iso_node_get_type(node) == LIBISO_DIR)
			return walk_dir(m, (IsoDir *)node, p, err);
		sp_error_set(err, SPE_USAGE, "'%s' would replace '%s', already in the image",
			     p->user, p->img);
		sp_error_hint(err, "give it another place with a graft point, "
			      "/OTHER/PATH=%s, or leave one out with --exclude", p->user);
		return SP_FAILED;
	}
	if (S_ISREG(st->st_mode)) {
		IsoStream *stream;
		IsoFile *file;
		uint64_t id = 0;

		if (file_id(m, st, &id, err) != SP_OK ||
		    img_master_stream_new(m, p->abs, p->user, st, id, &stream, err) != SP_OK)
			return SP_FAILED;
		r = iso_tree_add_new_file(dir, name, stream, &file);
		if (r < 0) {
			iso_stream_unref(stream);
			return lib_error(err, r, "cannot add '%s' to the image: %s", p->abs);
		}
		node = (IsoNode *)file;
		iso_node_set_permissions(node, st->st_mode & 07777);
		iso_node_set_uid(node, st->st_uid);
		iso_node_set_gid(node, st->st_gid);
		iso_node_set_atime(node, st->st_atime);
		iso_node_set_ctime(node, st->st_ctime);
		iso_node_set_mtime(node, st->st_mtime);
	} else {
		r = iso_tree_add_new_node(m->image, dir, name, p->abs, &node);
		if (r < 0)
			return lib_error(err, r, "cannot add '%s' to the image: %s", p->abs);
	}
	mt = node_mtime(m, st);
	if (mt > m->newest_mtime)
		m->newest_mtime = mt;
	if (m->o.reproducible) {
		iso_node_set_mtime(node, mt);
		iso_node_set_atime(node, mt);
		iso_node_set_ctime(node, mt);
	}
	/* regular files were counted by file_id() */
	if (S_ISLNK(st->st_mode))
		m->st.symlinks++;
	else if (!S_ISDIR(st->st_mode) && !S_ISREG(st->st_mode))
		m->st.specials++;
	progress(m);
	if (S_ISDIR(st->st_mode)) {
		m->st.dirs++;
		return walk_dir(m, (IsoDir *)node, p, err);
	}
	return SP_OK;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum sp_status walk_dir(struct img_master *m, IsoDir *dir,
			       struct walk_path *p, struct sp_error *err)
{
	enum sp_status rc = SP_OK;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	DIR *d;

	if (drv_interrupted())
		return sp_error_set(err, SPE_ABORTED, "interrupted");
	d = opendir(p->abs);
	if (!d)
		return unreadable(m, p->user, "directory", errno, err);
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 32;
			char **v = realloc(names, na * sizeof(*v));

			if (!v) {
				rc = sp_error_set(err, SPE_NOMEM, "out of memory");
				goto out;
			}
			names = v;
			alloc = na;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = sp_error_set(err, SPE_NOMEM, "out of memory");
			goto out;
		}
		n++;
	}
	if (errno) {
		rc = unreadable(m, p->user, "directory", errno, err);
		goto out;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n && rc == SP_OK; i++) {
		size_t sa, su, si;
		struct stat st;

		if (push(p->abs, &sa, names[i]) < 0) {
			rc = sp_error_set(err, SPE_USAGE, "path too long: '%s/%s'", p->abs, names[i]);
			goto out;
		}
		push(p->user, &su, names[i]);
		push(p->img, &si, names[i]);
		if (lstat(p->abs, &st) < 0)
			rc = unreadable(m, p->user, "file", errno, err);
		else if (excluded(m, names[i], p))
			m->st.skipped++;
		else
			rc = add_entry(m, dir, names[i], &st, p, err);
		p->abs[sa] = '\0';
		p->user[su] = '\0';
		p->img[si] = '\0';
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static enum sp_status remember_made_dir(struct img_master *m, IsoNode *node,
					struct sp_error *err)
{
	if (m->n_made == m->alloc_made) {
		size_t n = m->alloc_made ? m->alloc_made * 2 : 8;
		IsoNode **v = realloc(m->made_dirs, n * sizeof(*v));

		if (!v)
			return sp_error_set(err, SPE_NOMEM, "out of memory");
		m->made_dirs = v;
		m->alloc_made = n;
	}
	m->made_dirs[m->n_made++] = node;
	return SP_OK;
}

/*
 * The directory at image path `path` (normalized, absolute), made as
 * needed.  Returns in *leaf the last component and in *parent its
 * directory when want_parent, else the directory itself in *parent.
 */
static enum sp_status target_dir(struct img_master *m, char *path,
				 bool want_parent, IsoDir **parent,
				 const char **leaf, struct sp_error *err)
{
	IsoDir *dir = iso_image_get_root(m->image);
	char *s = path + 1, *slash;

	*leaf = NULL;
	while (*s) {
		IsoNode *node;

		slash = strchr(s, '/');
		if (!slash && want_parent) {
			*leaf = s;
			break;
		}
		if (slash)
			*slash = '\0';
		if (iso_dir_get_node(dir, s, &node) == 1) {
			if (iso_node_get_type(node) != LIBISO_DIR) {
				sp_error_set(err, SPE_USAGE, "graft point: '%s' is a file in the "
					     "image, not a directory", path);
				if (slash)
					*slash = '/';
				return SP_FAILED;
			}
			dir = (IsoDir *)node;
		} else {
			IsoDir *nd;
			int r = iso_tree_add_new_dir(dir, s, &nd);

			if (r < 0) {
				if (slash)
					*slash = '/';
				return lib_error(err, r, "cannot make directory '%s' in the image: %s", path);
			}
			iso_node_set_permissions((IsoNode *)nd, 0755);
			if (remember_made_dir(m, (IsoNode *)nd, err) != SP_OK)
				return SP_FAILED;
			dir = nd;
		}
		if (!slash)
			break;
		*slash = '/';
		s = slash + 1;
	}
	*parent = dir;
	return SP_OK;
}

/* "a//b/./c/" -> "/a/b/c"; ".." is refused. */
static enum sp_status normalize_target(const char *in, char *out, size_t len,
				       struct sp_error *err)
{
	size_t o = 0;
	const char *s = in;

	while (*s) {
		const char *e;
		size_t l;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		l = e ? (size_t)(e - s) : strlen(s);
		if (l == 1 && s[0] == '.') {
			s += l;
			continue;
		}
		if (l == 2 && s[0] == '.' && s[1] == '.') {
			sp_error_set(err, SPE_USAGE, "bad graft point target '%s': '..' is not allowed", in);
			sp_error_hint(err, "give the full path in the image, such as /docs/manual");
			return SP_FAILED;
		}
		if (o + l + 2 > len)
			return sp_error_set(err, SPE_USAGE, "graft point target '%s' is too long", in);
		out[o++] = '/';
		memcpy(out + o, s, l);
		o += l;
		s += l;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return SP_OK;
}

static enum sp_status add_graft(struct img_master *m, const struct img_graft *g,
				struct walk_path *p, struct sp_error *err)
{
	char target[PATH_MAX];
	const char *leaf, *base;
	struct stat st;
	IsoDir *dir;
	size_t bl;

	if (g->source[0] == '/') {
		snprintf(p->abs, sizeof(p->abs), "%s", g->source);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)))
			return sp_error_set_errno(err, errno, "cannot find the current directory");
		if (snprintf(p->abs, sizeof(p->abs), "%s/%s", cwd, g->source) >= (int)sizeof(p->abs))
			return sp_error_set(err, SPE_USAGE, "path too long: '%s'", g->source);
	}
	/* drop trailing slashes, keeping "/" */
	bl = strlen(p->abs);
	while (bl > 1 && p->abs[bl - 1] == '/')
		p->abs[--bl] = '\0';
	snprintf(p->user, sizeof(p->user), "%s", g->source);
	if (stat(p->abs, &st) < 0) {
		sp_error_set_errno(err, errno, "cannot add '%s'", g->source);
		if (errno == ENOENT)
			sp_error_hint(err, "check the path; a graft point is written /PATH/IN/IMAGE=SOURCE");
		return SP_FAILED;
	}
	if (g->target) {
		if (normalize_target(g->target, target, sizeof(target), err) != SP_OK)
			return SP_FAILED;
	} else if (S_ISDIR(st.st_mode)) {
		strcpy(target, "/");
	} else {
		base = strrchr(p->abs, '/') + 1;
		snprintf(target, sizeof(target), "/%s", base);
	}
	snprintf(p->img, sizeof(p->img), "%s", target);
	if (S_ISDIR(st.st_mode) && strcmp(target, "/") == 0) {
		IsoNode *root = (IsoNode *)iso_image_get_root(m->image);

		if (!m->root_from_source) {
			/* the first directory grafted at the root lends it its
			 * attributes, as with mkisofs */
			time_t mt = node_mtime(m, &st);

			m->root_from_source = true;
			iso_node_set_permissions(root, st.st_mode & 07777);
			iso_node_set_uid(root, st.st_uid);
			iso_node_set_gid(root, st.st_gid);
			iso_node_set_mtime(root, mt);
			iso_node_set_atime(root, m->o.reproducible ? mt : st.st_atime);
			iso_node_set_ctime(root, m->o.reproducible ? mt : st.st_ctime);
			if (mt > m->newest_mtime)
				m->newest_mtime = mt;
		}
		return walk_dir(m, (IsoDir *)root, p, err);
	}
	if (S_ISDIR(st.st_mode)) {
		struct stat lst;

		if (lstat(p->abs, &lst) == 0 && S_ISLNK(lst.st_mode)) {
			/* a symlink to a directory given as source: its contents */
			if (target_dir(m, target, false, &dir, &leaf, err) != SP_OK)
				return SP_FAILED;
			return walk_dir(m, dir, p, err);
		}
	} else if (lstat(p->abs, &st) < 0) {
		return unreadable(m, p->user, "file", errno, err);
	}
	if (target_dir(m, target, true, &dir, &leaf, err) != SP_OK)
		return SP_FAILED;
	return add_entry(m, dir, leaf, &st, p, err);
}

enum sp_status img_master_walk(struct img_master *m, struct sp_error *err)
{
	struct walk_path *p = malloc(sizeof(*p));
	enum sp_status rc = SP_OK;

	if (!p)
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	for (size_t i = 0; i < m->o.n_grafts && rc == SP_OK; i++)
		rc = add_graft(m, &m->o.grafts[i], p, err);
	free(p);
	return rc;
}
