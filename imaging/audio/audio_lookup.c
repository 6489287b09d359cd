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
 * libcurl is opened (dlopen) at the first look-up, not linked: it brings
 * some 30 libraries (TLS, LDAP, Kerberos, SSH ...), which doubled the cost
 * of every spindle start (29 ms of CPU against 15, and 0.1 s more under
 * valgrind) for the few commands that go online.  Without libcurl a
 * look-up says so and the rip goes on, as without network.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "imaging/audio/audio.h"

#define CONNECT_TIMEOUT 5L          /* seconds */
#define TOTAL_TIMEOUT 20L
#define MB_ANSWER_MAX (8u << 20)    /* bytes: far above any disc ID's answer */

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

#define LIBCURL_SONAME "libcurl.so.4"

/* the libcurl functions fetch() calls, from LIBCURL_SONAME */
static struct {
	bool tried;
	void *lib;
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *c);
	const char *(*easy_strerror)(CURLcode rc);
} curl;

/* Open libcurl once; false (with l->message) if it or a function is missing. */
static bool curl_open(struct img_lookup *l)
{
	if (!curl.tried) {
		curl.tried = true;
		curl.lib = dlopen(LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL);
		if (curl.lib) {
			*(void **)&curl.global_init = dlsym(curl.lib, "curl_global_init");
			*(void **)&curl.global_cleanup = dlsym(curl.lib, "curl_global_cleanup");
			*(void **)&curl.easy_init = dlsym(curl.lib, "curl_easy_init");
			*(void **)&curl.easy_setopt = dlsym(curl.lib, "curl_easy_setopt");
			*(void **)&curl.easy_perform = dlsym(curl.lib, "curl_easy_perform");
			*(void **)&curl.easy_getinfo = dlsym(curl.lib, "curl_easy_getinfo");
			*(void **)&curl.easy_cleanup = dlsym(curl.lib, "curl_easy_cleanup");
			*(void **)&curl.easy_strerror = dlsym(curl.lib, "curl_easy_strerror");
		}
	}
	if (curl.lib && curl.global_init && curl.global_cleanup && curl.easy_init &&
	    curl.easy_setopt && curl.easy_perform && curl.easy_getinfo &&
	    curl.easy_cleanup && curl.easy_strerror)
		return true;
	snprintf(l->message, sizeof(l->message), "libcurl (%s) cannot be loaded: no "
		 "online look-ups", LIBCURL_SONAME);
	return false;
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
	if (!curl_open(l))
		return IMG_LOOKUP_OFFLINE;
	if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(c = curl.easy_init())) {
		snprintf(l->message, sizeof(l->message), "libcurl could not start");
		return IMG_LOOKUP_OFFLINE;
	}
	curl.easy_setopt(c, CURLOPT_URL, l->url);
	curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl.easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
	curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl.easy_setopt(c, CURLOPT_TIMEOUT, TOTAL_TIMEOUT);
	curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl.easy_setopt(c, CURLOPT_USERAGENT, "spindle/" PACKAGE_VERSION
			 " ( audio CD ripper )");
	curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl.easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl.easy_perform(c);
	curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl.easy_cleanup(c);
	curl.global_cleanup();
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
		 "or the server is down", what, errbuf[0] ? errbuf : curl.easy_strerror(rc));
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
