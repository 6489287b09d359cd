/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * signals.c - SIGINT/SIGTERM/SIGHUP turn into a flag that long operations
 * poll.  While libburn writes, drv_write() cancels through libburn's own
 * abort path (see write.c); our handler only records the signal.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "drive/drive_private.h"

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
}

void drv_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool drv_interrupted(void)
{
	return caught != 0;
}

int drv_interrupt_signal(void)
{
	return caught;
}

const char *drv_interrupt_signal_name(void)
{
	switch (caught) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	default: return "a signal";
	}
}
