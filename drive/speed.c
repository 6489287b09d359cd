/* SPDX-License-Identifier: GPL-3.0-or-later */
/* speed.c - write modes and speeds as the user writes them. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "drive/drive_private.h"

int drv_parse_write_mode(const char *s, enum drv_write_mode *out)
{
	if (!strcmp(s, "auto"))
		*out = DRV_MODE_AUTO;
	else if (!strcmp(s, "sao") || !strcmp(s, "dao"))
		*out = DRV_MODE_SAO;
	else if (!strcmp(s, "tao"))
		*out = DRV_MODE_TAO;
	else
		return -1;
	return 0;
}

int drv_parse_speed(const char *s, struct drv_speed *out)
{
	char *end;
	double v;

	out->x = 0;
	out->kbps = 0;
	if (!strcmp(s, "max") || !strcmp(s, "0"))
		return 0;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v <= 0)
		return -1;
	if ((*end == 'x' || *end == 'X') && end[1] == '\0') {
		if (v > 1000)
			return -1;
		out->x = v;
		return 0;
	}
	if (*end || v != floor(v) || v > 1000000)
		return -1;
	out->kbps = (int)v;
	return 0;
}

int drv_speed_kbps(const struct drv_speed *sp, int profile)
{
	if (sp->x > 0)
		return (int)ceil(sp->x * drv_x_speed_kbps(profile));
	return sp->kbps;
}
