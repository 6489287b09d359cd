/* SPDX-License-Identifier: GPL-3.0-or-later */
/* info_image.h - spindle info IMAGE, called by cmd_info.c. */
#ifndef SPINDLE_CLI_INFO_IMAGE_H
#define SPINDLE_CLI_INFO_IMAGE_H

struct cli_ctx;
/* Show a disc image's layout; returns the exit status. */
int cli_info_image(struct cli_ctx *ctx, const char *path);

#endif
