/* SPDX-License-Identifier: GPL-3.0-or-later */
/* damage.c - test-mode damage models.  PLACEHOLDER: the rescue work replaces this. */
#include "config.h"

#include "drive/drive_private.h"

enum sp_status drv_damage_load(struct drv_damage **out, const char *path,
			       struct sp_error *err)
{
	*out = NULL;
	return sp_error_set(err, SPE_UNSUPPORTED, "damage maps are not implemented yet: '%s'", path);
}

void drv_damage_free(struct drv_damage *dm)
{
	(void)dm;
}

uint32_t drv_damage_check(struct drv_damage *dm, int64_t lba, uint32_t count)
{
	(void)dm;
	(void)lba;
	return count;
}
