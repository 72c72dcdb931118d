/* SPDX-License-Identifier: MIT */
#ifndef NSB_PROXY_H
#define NSB_PROXY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Docker's userland proxy (docker-proxy): with userland-proxy on (the ECS AMI's
 * default) dockerd runs one per published port binding. The lab runs the real
 * binary in its instance namespace; Docker itself is never installed.
 */

/*
 * Where docker-proxy is: $NSBENCH_DOCKER_PROXY; build-tools/docker-proxy/docker-proxy
 * beside the running binary; /usr/sbin, /usr/libexec/docker, /usr/bin. -ENOENT
 * when nowhere, with WHY naming the fix.
 */
int proxy_find(char *path, size_t len, char *why, size_t wlen);

/*
 * Starts docker-proxy in namespace NS for one binding, with Docker's arguments,
 * and waits up to TIMEOUT_MS for its readiness handshake on fd 3. A refusal
 * (e.g. the port is taken) returns the -errno its message names (-EIO when it
 * names none) with the message in WHY. The proxy is not tied to our lifetime:
 * it outlives us until proxy_stop or the namespace's teardown kills it. On
 * failure nothing is left running. *PID gets its pid.
 */
int proxy_start(const char *ns, const char *proto, const char *host_ip, uint16_t host_port,
		const char *container_ip, uint16_t container_port, int timeout_ms, pid_t *pid,
		char *why, size_t len);

/*
 * SIGTERM, then SIGKILL after a grace period; reaps it if it is our child. 0
 * once it is gone, -ESRCH if there was no such process, -ETIMEDOUT if it stayed.
 */
int proxy_stop(pid_t pid);

#endif
