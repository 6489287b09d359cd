/* SPDX-License-Identifier: GPL-3.0-or-later */
/* digest.c - the digests published checksums use, through OpenSSL EVP. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "imaging/sums/sums.h"

static const struct {
	const char *name;
	size_t hex;
} algos[IMG_SUM__COUNT] = {
	[IMG_SUM_MD5] = { "md5", 32 },
	[IMG_SUM_SHA1] = { "sha1", 40 },
	[IMG_SUM_SHA224] = { "sha224", 56 },
	[IMG_SUM_SHA256] = { "sha256", 64 },
	[IMG_SUM_SHA384] = { "sha384", 96 },
	[IMG_SUM_SHA512] = { "sha512", 128 },
};

const char *img_sum_algo_name(enum img_sum_algo a)
{
	return a < IMG_SUM__COUNT ? algos[a].name : "?";
}

size_t img_sum_hex_len(enum img_sum_algo a)
{
	return a < IMG_SUM__COUNT ? algos[a].hex : 0;
}

bool img_sum_algo_from_hex_len(size_t len, enum img_sum_algo *a)
{
	for (int i = 0; i < IMG_SUM__COUNT; i++)
		if (algos[i].hex == len) {
			*a = (enum img_sum_algo)i;
			return true;
		}
	return false;
}

bool img_sum_algo_from_name(const char *name, size_t len, enum img_sum_algo *a)
{
	/* BSD tags are "SHA256" (or "SHA-256"), tagmedia keys "sha256" */
	char buf[16];
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (name[i] == '-')
			continue;
		if (n + 1 >= sizeof(buf))
			return false;
		buf[n++] = (char)tolower((unsigned char)name[i]);
	}
	buf[n] = '\0';
	for (int i = 0; i < IMG_SUM__COUNT; i++)
		if (strcmp(buf, algos[i].name) == 0) {
			*a = (enum img_sum_algo)i;
			return true;
		}
	return false;
}

bool img_sum_hex_valid(enum img_sum_algo a, const char *hex, size_t len)
{
	if (len != img_sum_hex_len(a))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)hex[i]))
			return false;
	return true;
}

struct img_digest {
	EVP_MD_CTX *ctx;
};

static const EVP_MD *evp_md(enum img_sum_algo a)
{
	switch (a) {
	case IMG_SUM_MD5: return EVP_md5();
	case IMG_SUM_SHA1: return EVP_sha1();
	case IMG_SUM_SHA224: return EVP_sha224();
	case IMG_SUM_SHA256: return EVP_sha256();
	case IMG_SUM_SHA384: return EVP_sha384();
	case IMG_SUM_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

struct img_digest *img_digest_new(enum img_sum_algo a)
{
	struct img_digest *d = malloc(sizeof(*d));
	const EVP_MD *md = evp_md(a);

	if (!d || !md) {
		free(d);
		return NULL;
	}
	d->ctx = EVP_MD_CTX_new();
	if (!d->ctx || EVP_DigestInit_ex(d->ctx, md, NULL) != 1) {
		EVP_MD_CTX_free(d->ctx);
		free(d);
		return NULL;
	}
	return d;
}

void img_digest_update(struct img_digest *d, const void *data, size_t len)
{
	EVP_DigestUpdate(d->ctx, data, len);
}

void img_digest_peek(const struct img_digest *d, char hex[IMG_SUM_HEX_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	hex[0] = '\0';
	if (!c)
		return;
	if (EVP_MD_CTX_copy_ex(c, d->ctx) == 1 && EVP_DigestFinal_ex(c, md, &n) == 1)
		for (unsigned int i = 0; i < n && 2 * i + 2 < IMG_SUM_HEX_MAX; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(c);
}

void img_digest_free(struct img_digest *d)
{
	if (!d)
		return;
	EVP_MD_CTX_free(d->ctx);
	free(d);
}
