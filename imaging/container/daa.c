/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "imaging/container/container_private.h"

static int daa_probe(const uint8_t *head, size_t hlen, const uint8_t *tail,
		     size_t tlen, uint64_t fsize)
{
	(void)head, (void)hlen, (void)tail, (void)tlen, (void)fsize;
	return 0;
}

static enum sp_status daa_open(struct img_container *c, struct sp_error *err)
{
	return ctr_bad(c, err, 0, "not yet");
}

static enum sp_status daa_decode(const struct img_container *c, uint64_t idx,
				 uint8_t *out, size_t len, struct sp_error *err)
{
	(void)idx, (void)out, (void)len;
	return ctr_bad(c, err, 0, "not yet");
}

const struct ctr_reader ctr_daa = {
	"DAA", daa_probe, daa_open, daa_decode, NULL,
};
