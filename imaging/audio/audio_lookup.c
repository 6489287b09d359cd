/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * audio_lookup.c - the online look-ups of an audio rip: the disc's
 * releases from MusicBrainz' web service and its dBAR file from
 * AccurateRip, fetched with libcurl.
 *
 * A look-up never stops a rip.  Without network, with a server that does
 * not answer in time, that does not know the disc or answers nonsense, the
 * result says so in words and the rip goes on with what it has (CD-TEXT,
 * no AccurateRip check).  The answers go through the same parsers as the
 * files given with --metadata and --accuraterip-db, which have fuzz
 * targets (fuzz_metadata, fuzz_dbar).
 *
 * The server is a base URL (http, https or file), so that tests point the
 * look-ups at local files: file:///DIR makes MusicBrainz' answer
 * DIR/ws/2/discid/ID (the query string is ignored for files) and the dBAR
 * file DIR/accuraterip/a/b/c/dBAR-....bin.
 *
 * libcurl is opened with dlopen() when a look-up is made, not linked: it
 * brings some 30 libraries (TLS, Kerberos, LDAP, SSH, IDN ...) whose
 * loading and relocation cost every spindle start about 19 ms of CPU,
 * half of its start-up (measured on a program linked with spindle's
 * libraries with and without -lcurl), while only rips asking for
 * --musicbrainz or --accuraterip use it.
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "imaging/audio/audio.h"

#define CONNECT_TIMEOUT 5L          /* seconds */
#define TOTAL_TIMEOUT 20L
#define MB_ANSWER_MAX (8u << 20)    /* bytes: far above any disc ID's answer */

#define LIBCURL "libcurl.so.4"

/* The libcurl calls a look-up makes, from dlopen(LIBCURL). */
static struct {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *c);
	const char *(*easy_strerror)(CURLcode rc);
	char error[200];            /* why libcurl could not be loaded, or "" */
} cl;
static pthread_once_t cl_once = PTHREAD_ONCE_INIT;

/* dlsym into a function pointer (POSIX lets a void * carry one) */
#define CL_SYM(field, name) \
	(*(void **)&cl.field = dlsym(h, name)) != NULL

static void cl_load(void)
{
	void *h = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL);
	const char *e;

	if (!h) {
		e = dlerror();
		snprintf(cl.error, sizeof(cl.error), "%s", e ? e : LIBCURL " not found");
		return;
	}
	if (!(CL_SYM(global_init, "curl_global_init") &&
	      CL_SYM(global_cleanup, "curl_global_cleanup") &&
	      CL_SYM(easy_init, "curl_easy_init") && CL_SYM(easy_setopt, "curl_easy_setopt") &&
	      CL_SYM(easy_perform, "curl_easy_perform") &&
	      CL_SYM(easy_getinfo, "curl_easy_getinfo") &&
	      CL_SYM(easy_cleanup, "curl_easy_cleanup") &&
	      CL_SYM(easy_strerror, "curl_easy_strerror")))
		snprintf(cl.error, sizeof(cl.error), LIBCURL " lacks curl_easy_* calls");
	/* never dlclose()d: libcurl's own threads and atexit handlers stay valid */
}

struct body {
	char *buf;
	size_t len, max;
	bool too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct body *b = ctx;
	size_t k = size * n;
	char *nb;

	if (b->len + k > b->max) {
		b->too_big = true;
		return 0;
	}
	nb = realloc(b->buf, b->len + k + 1);
	if (!nb)
		return 0;
	memcpy(nb + b->len, p, k);
	b->buf = nb;
	b->len += k;
	b->buf[b->len] = '\0';
	return k;
}

/* Fetch url into *out (NUL-terminated, malloc'ed).  IMG_LOOKUP_OK, or
 * another status with l->message in words. */
static enum img_lookup_status fetch(struct img_lookup *l, const char *what, size_t max,
				    char **out, size_t *out_len)
{
	struct body b = { .max = max };
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;
	CURL *c;

	*out = NULL;
	*out_len = 0;
	pthread_once(&cl_once, cl_load);
	if (cl.error[0]) {
		snprintf(l->message, sizeof(l->message), "%s cannot be asked: libcurl could not "
			 "be loaded (%s)", what, cl.error);
		return IMG_LOOKUP_OFFLINE;
	}
	if (cl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(c = cl.easy_init())) {
		snprintf(l->message, sizeof(l->message), "libcurl could not start");
		return IMG_LOOKUP_OFFLINE;
	}
	cl.easy_setopt(c, CURLOPT_URL, l->url);
	cl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
	cl.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	cl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	cl.easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
	cl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	cl.easy_setopt(c, CURLOPT_TIMEOUT, TOTAL_TIMEOUT);
	cl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cl.easy_setopt(c, CURLOPT_USERAGENT, "spindle/" PACKAGE_VERSION " ( audio CD ripper )");
	cl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	cl.easy_setopt(c, CURLOPT_WRITEDATA, &b);
	cl.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	rc = cl.easy_perform(c);
	cl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	cl.easy_cleanup(c);
	cl.global_cleanup();
	if (rc == CURLE_OK && (status == 200 || status == 0)) {
		*out = b.buf ? b.buf : calloc(1, 1);
		*out_len = b.len;
		return *out ? IMG_LOOKUP_OK : IMG_LOOKUP_OFFLINE;
	}
	free(b.buf);
	if (b.too_big) {
		snprintf(l->message, sizeof(l->message), "%s's answer is over %zu bytes: not "
			 "used", what, max);
		return IMG_LOOKUP_BAD;
	}
	if (rc == CURLE_OK && status == 404) {
		snprintf(l->message, sizeof(l->message), "%s does not know this disc (HTTP 404)",
			 what);
		return IMG_LOOKUP_NOT_FOUND;
	}
	if (rc == CURLE_OK) {
		snprintf(l->message, sizeof(l->message), "%s answered HTTP %ld", what, status);
		return IMG_LOOKUP_BAD;
	}
	if (rc == CURLE_FILE_COULDNT_READ_FILE) {
		snprintf(l->message, sizeof(l->message), "%s does not know this disc (no file "
			 "there)", what);
		return IMG_LOOKUP_NOT_FOUND;
	}
	snprintf(l->message, sizeof(l->message), "%s cannot be reached (%s): no network, "
		 "or the server is down", what, errbuf[0] ? errbuf : cl.easy_strerror(rc));
	return IMG_LOOKUP_OFFLINE;
}

static void set_url(struct img_lookup *l, const char *server, const char *path)
{
	size_t n = strlen(server);

	while (n && server[n - 1] == '/')
		n--;
	snprintf(l->url, sizeof(l->url), "%.*s%s", (int)n, server, path);
}

const char *img_lookup_status_name(enum img_lookup_status s)
{
	switch (s) {
	case IMG_LOOKUP_OK: return "ok";
	case IMG_LOOKUP_NOT_FOUND: return "not_found";
	case IMG_LOOKUP_OFFLINE: return "offline";
	case IMG_LOOKUP_BAD: return "bad_answer";
	default: return "none";
	}
}

enum sp_status img_lookup_musicbrainz(const char *server, const struct img_disc_ids *ids,
				      int n_audio, struct img_meta *m, struct img_lookup *l)
{
	struct sp_error err = SP_ERROR_INIT;
	char path[160], *buf;
	size_t len;

	memset(l, 0, sizeof(*l));
	snprintf(path, sizeof(path), "/ws/2/discid/%s?inc=recordings+artist-credits+isrcs"
		 "&fmt=json", ids->musicbrainz);
	set_url(l, server ? server : IMG_MUSICBRAINZ_SERVER, path);
	l->status = fetch(l, "MusicBrainz", MB_ANSWER_MAX, &buf, &len);
	if (l->status != IMG_LOOKUP_OK)
		return SP_WARN;
	if (img_meta_parse_json(m, buf, len, "MusicBrainz's answer", ids->musicbrainz,
				n_audio, &err) != SP_OK) {
		img_meta_release(m);
		*m = (struct img_meta)IMG_META_INIT;
		l->status = IMG_LOOKUP_BAD;
		snprintf(l->message, sizeof(l->message), "%s", err.msg);
		free(buf);
		return SP_WARN;
	}
	free(buf);
	snprintf(l->message, sizeof(l->message), "%s", m->source);
	return SP_OK;
}

enum sp_status img_lookup_accuraterip(const char *server, const struct img_disc_ids *ids,
				      struct img_ar_db *db, struct img_lookup *l)
{
	struct sp_error err = SP_ERROR_INIT;
	const char *path = strstr(ids->accuraterip_url, "/accuraterip/");
	char *buf;
	size_t len;

	memset(l, 0, sizeof(*l));
	set_url(l, server ? server : IMG_ACCURATERIP_SERVER, path ? path : "/");
	l->status = fetch(l, "AccurateRip", IMG_AR_DB_MAX, &buf, &len);
	if (l->status != IMG_LOOKUP_OK)
		return SP_WARN;
	if (img_ar_db_parse(db, (const uint8_t *)buf, len, "AccurateRip's answer", &err) != SP_OK ||
	    img_ar_check_disc(db, ids, &err) != SP_OK) {
		img_ar_db_release(db);
		l->status = IMG_LOOKUP_BAD;
		snprintf(l->message, sizeof(l->message), "%s", err.msg);
		free(buf);
		return SP_WARN;
	}
	free(buf);
	snprintf(l->message, sizeof(l->message), "the disc's dBAR file, %d chunk%s (one per "
		 "pressing and checksum version)", db->n_chunks, db->n_chunks == 1 ? "" : "s");
	return SP_OK;
}
