/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"
#include "imaging/ecc/ecc_private.h"
enum sp_status rs02_check(struct rs02 *r, enum img_ecc_mode mode, const struct img_ecc_opts *o,
			  struct img_ecc_summary *sum, struct sp_error *err)
{
	(void)r; (void)mode; (void)o; (void)sum;
	return sp_error_set(err, SPE_UNSUPPORTED, "todo");
}
