/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mdx_crypt.c - the encrypted, compressed descriptor of Daemon Tools'
 * MDS v2 and MDX images, as libmirage's MDX notes describe it (after
 * Marisa-Chan's mdsx):
 *
 *   a 512-byte header in TrueCrypt's legacy layout: 64 bytes of salt,
 *   then 448 bytes enciphered with AES-256 in CBC with "whitening"; its
 *   key is PBKDF2-HMAC-RIPEMD-160 (2000 rounds, 152 bytes: the IV in bytes
 *   0..15, the key in 32..63) of a password that is itself derived from
 *   the salt.  Deciphered it holds "TRUE", 256 bytes of key data with
 *   their CRC-32, and the sizes of the compressed descriptor;
 *
 *   the descriptor, in 512-byte units each deciphered the same way from
 *   the key data (IV in 0..15, key in 32..63), then inflated (zlib).
 *
 * Whitened CBC, per 16-byte block C: C' = C xor (W || W) with W the IV's
 * bytes 8..15; P = AES-decrypt(C') xor the previous C' (the IV first).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "imaging/base/base.h"
#include "imaging/disc/disc_private.h"

/* Decipher len bytes (a multiple of 16) in place: whitened CBC with
 * iv[0..15] and key[0..31]. */
static enum sp_status wcbc_decrypt(uint8_t *p, size_t len, const uint8_t *iv,
				   const uint8_t *key, struct sp_error *err)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t *dewhite = malloc(len ? len : 1);
	enum sp_status st = SP_FAILED;
	int outl = 0;

	if (!c || !dewhite) {
		sp_error_set(err, SPE_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < len; i++)
		dewhite[i] = p[i] ^ iv[8 + i % 8];
	if (EVP_DecryptInit_ex(c, EVP_aes_256_ecb(), NULL, key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(c, 0) != 1 ||
	    EVP_DecryptUpdate(c, p, &outl, dewhite, (int)len) != 1 || (size_t)outl != len) {
		sp_error_set(err, SPE_LIB, "OpenSSL's AES-256 failed");
		goto out;
	}
	for (size_t i = 0; i < len; i++)
		p[i] ^= i < 16 ? iv[i] : dewhite[i - 16];
	st = SP_OK;
out:
	free(dewhite);
	EVP_CIPHER_CTX_free(c);
	return st;
}

/* The password the descriptor's header is enciphered with: the salt's
 * 16 little-endian words mixed with a generator seeded by its EDC. */
static void salt_password(const uint8_t *salt, uint8_t *pw)
{
	uint32_t m = img_cd_edc(salt, MDX_SALT) ^ 0x567372ffu;

	for (int i = 0; i < MDX_SALT / 4; i++) {
		uint32_t v = disc_le32(salt + 4 * i);

		m = m * 0x35e85a6du + 0x1548dce9u;
		v ^= m ^ 0xec564717u;
		for (int k = 0; k < 4; k++) {
			uint8_t b = (uint8_t)(v >> (8 * k));

			pw[4 * i + k] = b ? b : 0x5f;
		}
	}
}

/* The key of the last salt: an image opened again (burn, then verify) or
 * a fuzzer's mutations after the salt skip the 2000 rounds. */
static pthread_mutex_t last_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t last_salt[MDX_SALT], last_key[152];
static bool have_last;

static enum sp_status derive(const uint8_t *salt, uint8_t *k, struct sp_error *err)
{
	uint8_t pw[MDX_SALT];
	bool hit;

	pthread_mutex_lock(&last_lock);
	hit = have_last && !memcmp(last_salt, salt, MDX_SALT);
	if (hit)
		memcpy(k, last_key, sizeof(last_key));
	pthread_mutex_unlock(&last_lock);
	if (hit)
		return SP_OK;
	salt_password(salt, pw);
	if (PKCS5_PBKDF2_HMAC((const char *)pw, MDX_SALT, salt, MDX_SALT, 2000,
			      EVP_ripemd160(), (int)sizeof(last_key), k) != 1)
		return sp_error_set(err, SPE_LIB, "OpenSSL cannot derive the MDS v2 key "
				    "(PBKDF2 with RIPEMD-160)");
	pthread_mutex_lock(&last_lock);
	memcpy(last_salt, salt, MDX_SALT);
	memcpy(last_key, k, sizeof(last_key));
	have_last = true;
	pthread_mutex_unlock(&last_lock);
	return SP_OK;
}

enum sp_status disc_mdx_header(uint8_t *h, const char *name, uint64_t at,
			       struct sp_error *err)
{
	uint8_t k[152];

	if (derive(h, k, err) != SP_OK)
		return SP_FAILED;
	if (wcbc_decrypt(h + MDX_SALT, MDX_HEADER - MDX_SALT, k, k + 32, err) != SP_OK)
		return SP_FAILED;
	if (memcmp(h + 68, "EURT", 4) || disc_le16(h + 74) != 256)
		return disc_bad(err, "MDS v2", name, at, "the descriptor's encryption header "
				"does not decipher (no \"TRUE\" in it)");
	if (disc_le32(h + 64) != (uint32_t)crc32(0, h + MDX_KEY, 256))
		return disc_bad(err, "MDS v2", name, at, "the CRC-32 of the descriptor's key "
				"does not match");
	return SP_OK;
}

enum sp_status disc_mdx_descriptor(const uint8_t *h, uint8_t *enc, size_t len,
				   const uint8_t *prefix, uint8_t **out, size_t *out_len,
				   const char *name, struct sp_error *err)
{
	uint32_t csize = disc_le32(h + MDX_KEY + 256), dsize = disc_le32(h + MDX_KEY + 260);
	z_stream z;
	uint8_t *d;
	int rc;

	*out = NULL;
	if (len % 16 || csize > len || len - csize >= 16)
		return disc_bad(err, "MDS v2", name, 0, "the descriptor is %zu bytes long, its "
				"header says %u compressed", len, csize);
	if (dsize < 96 - MDX_PREFIX || dsize > MDX_DESC_MAX)
		return disc_bad(err, "MDS v2", name, 0, "a descriptor of %u bytes", dsize);
	for (size_t o = 0; o < len; o += 512)
		if (wcbc_decrypt(enc + o, len - o < 512 ? len - o : 512, h + MDX_KEY,
				 h + MDX_KEY + 32, err) != SP_OK)
			return SP_FAILED;
	if (!(d = calloc(1, (size_t)dsize + MDX_PREFIX)))
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK) {
		free(d);
		return sp_error_set(err, SPE_NOMEM, "out of memory");
	}
	z.next_in = enc;
	z.avail_in = csize;
	z.next_out = d + MDX_PREFIX;
	z.avail_out = dsize;
	rc = inflate(&z, Z_FINISH);
	inflateEnd(&z);
	if (rc != Z_STREAM_END || z.total_out != dsize) {
		free(d);
		return disc_bad(err, "MDS v2", name, 0, "the deciphered descriptor does not "
				"inflate to its %u bytes (zlib: %s)", dsize,
				rc == Z_STREAM_END ? "short" : z.msg ? z.msg : "no end");
	}
	/* offsets in the descriptor count the file's signature and version */
	memcpy(d, prefix, MDX_PREFIX);
	*out = d;
	*out_len = (size_t)dsize + MDX_PREFIX;
	return SP_OK;
}
