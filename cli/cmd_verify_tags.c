/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cmd_verify_tags.c - spindle verify without an IMAGE: check the MD5 tags
 * that spindle mkiso records.  PLACEHOLDER until the mastering work lands.
 */
#include "config.h"

#include "cli/cli.h"

int cmd_verify_tags(struct cli_ctx *ctx, const char *drive, const char *image_path)
{
	struct sp_error err = SP_ERROR_INIT;

	(void)drive;
	(void)image_path;
	sp_error_set(&err, SPE_UNSUPPORTED,
		     "verifying a disc without an image (by its MD5 tags) is not implemented yet");
	sp_error_hint(&err, "name the image to compare with: spindle verify -d DRIVE IMAGE");
	return cli_fail(ctx, &err);
}
