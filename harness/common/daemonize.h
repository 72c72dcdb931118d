/* SPDX-License-Identifier: MIT */
#ifndef NSB_DAEMONIZE_H
#define NSB_DAEMONIZE_H

/*
 * In a child about to exec a daemon the lab runs (docker-proxy, dockerd): a
 * session of its own, so that a Ctrl-C or hang-up at our terminal is not its
 * end, and none of our blocked or ignored signals (SIGINT, SIGTERM, SIGHUP and
 * SIGPIPE back to their defaults): the lab's teardown must be able to stop it.
 */
void daemonize_child(void);

#endif
