/* SPDX-License-Identifier: MIT */
#ifndef NSB_ENGINE_H
#define NSB_ENGINE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A real Docker engine (dockerd, its containerd and runc, Debian's docker.io,
 * containerd and runc packages taken out with dpkg-deb, never installed) run
 * in a lab's instance namespace, for `nsbench calibrate`: its bridge, its
 * rules and its docker-proxies live in that namespace only. Everything it has
 * (data root, exec root, socket, pid file, log) is under STATE_DIR/ID.engine;
 * its containers' cgroups under nsbench-ID. dockerd is started as
 * `nsenter --net` would (only the network namespace entered: `ip netns exec`
 * remounts /sys and dockerd then finds no cgroup mounts).
 */
struct engine {
	char id[16];	     /* the lab's */
	char dir[64];	     /* STATE_DIR/ID.engine */
	char root[PATH_MAX]; /* the packages' tree: usr/bin, usr/sbin under it */
	char ns[32];	     /* where dockerd runs */
	pid_t pid;	     /* dockerd: our child */
	char version[32];    /* dockerd's */
};

/*
 * Where the engine's tree is: $NSBENCH_DOCKER_ENGINE; build-tools/docker-engine
 * beside the running binary or up to two levels above. -ENOENT with WHY naming
 * the fix (scripts/deps.sh) when it lacks one of its programs.
 */
int engine_find(char *root, size_t len, char *why, size_t wlen);

/*
 * Starts dockerd in namespace NS for lab ID, its default bridge at BIP (a
 * CIDR with the bridge's address) and MTU, and waits for its API. On failure
 * nothing is left (engine_stop has run) and WHY says why, with the end of
 * dockerd's log.
 */
int engine_start(struct engine *e, const char *id, const char *ns, const char *bip,
		 unsigned int mtu, char *why, size_t len);

/*
 * Runs the docker CLI against this engine with ARGS (NULL-terminated, after
 * the global options); its standard output, trimmed, into OUT (OLEN bytes;
 * OUT may be NULL). -EPROTO with WHY when it fails.
 */
int engine_docker(const struct engine *e, const char *const *args, char *out, size_t olen,
		  char *why, size_t len);

/*
 * Imports the empty image the tasks run in (no registry: `docker import` of an
 * empty tar) as nsbench:empty.
 */
int engine_image(const struct engine *e, char *why, size_t len);

/*
 * A task as a container of the empty image, with the machine's /usr, /lib and
 * /lib64 read-only and a tmpfs /tmp, idle (sleep): on Docker's default bridge
 * publishing HOST_PORT to CONTAINER_PORT over PROTO ("tcp" or "udp"; no port
 * when HOST_PORT is 0). Its network namespace gets the name NETNS (so that the
 * endpoints can run in it); IP its address on the bridge.
 */
int engine_task(const struct engine *e, const char *name, const char *proto, uint16_t host_port,
		uint16_t container_port, const char *netns, char *ip, size_t iplen, char *why,
		size_t len);

/* The namespace name of task I (1, 2, ...) of lab ID: nsb-ID-cI. */
void engine_task_netns(const char *id, unsigned int i, char *name, size_t len);

/*
 * Removes everything: the containers (docker rm -f), dockerd (SIGTERM, then
 * SIGKILL), any live process of its tree (containerd, shims, containers),
 * mounts under its directory, the tasks' namespace names, its cgroups, the
 * directory. 0, or the first -errno met (the rest is still removed).
 */
int engine_stop(struct engine *e);

/* The same for lab ID's engine from what its directory holds (nsbench clean). */
int engine_remove(const char *id);
/* Whether lab ID has an engine directory. */
bool engine_present(const char *id);
/* The ids of engine directories (at most MAX). */
size_t engine_list(char (*ids)[16], size_t max);
/* Live processes of any engine: dockerd, containerd, shims, by their command lines. */
size_t engine_live_processes(void);

#endif
