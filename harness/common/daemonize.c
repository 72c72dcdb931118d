// SPDX-License-Identifier: MIT
/* A daemon's child, before exec (daemonize.h). */
#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>

#include "harness/common/daemonize.h"

void daemonize_child(void)
{
	sigset_t none;

	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}
