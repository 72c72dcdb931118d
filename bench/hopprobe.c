// SPDX-License-Identifier: MIT
/*
 * Loading and attaching the per-hop probes (bench/hopprobe.bpf.c, built into
 * a libbpf skeleton by make), inside the interface's namespace. One copy of
 * the program per interface, each with its hop number in read-only data; the
 * copies share one array of stamps. Attached as tcx links where the kernel
 * has them (6.6+; libbpf 1.1 predates them, so through bpf_link_create with
 * the kernel's attach type numbers, include/nsbench/uapi_compat.h): no qdisc layer (bridge's probe cost fell
 * from ~15% to ~10% of RR p50 here), and a link goes with its last file
 * descriptor, so even a killed process leaves no program behind. Otherwise
 * the clsact qdisc and cls_bpf (bpf_tc_hook_create / bpf_tc_attach), which
 * hopprobe_close() detaches, or the namespace going away (the kernel releases
 * a deleted namespace's programs within ~0.25 s). Nothing is pinned, nothing
 * attached outside the lab.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "hopprobe.bpf.skel.h"
#include "bench/hopprobe.h"
#include "netns/netns.h"
#include "netns/testhooks.h"
#include "nsbench/uapi_compat.h"

/* Per direction: [0] ingress, [1] egress. */
enum { IN, EG };
static const char *const dir_name[2] = {"ingress", "egress"};
static const enum bpf_attach_type tcx_type[2] = {BPF_TCX_INGRESS, BPF_TCX_EGRESS};
static const enum bpf_tc_attach_point tc_point[2] = {BPF_TC_INGRESS, BPF_TC_EGRESS};

struct hop_attach {
	struct hopprobe_bpf *skel;
	struct hopprobe_if where;
	int ifindex;
	int link[2]; /* tcx links (fds), or -1 */
	bool hook_created, attached[2];
	struct bpf_tc_opts tc[2];
};

static int prog_fd(const struct hop_attach *a, int d)
{
	return bpf_program__fd(d == IN ? a->skel->progs.nsb_hop_ingress
				       : a->skel->progs.nsb_hop_egress);
}

struct hopprobe {
	struct hop_attach hop[HOPSTAMP_HOPS];
	unsigned int n;
	struct hopstamp *stamps; /* the shared array, mapped */
	size_t stamps_len;
};

/* libbpf's own words, kept for the reason instead of printed (only the CLI prints). */
static char libbpf_last[256];

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN) {
		vsnprintf(libbpf_last, sizeof(libbpf_last), fmt, ap);
		libbpf_last[strcspn(libbpf_last, "\n")] = '\0';
	}
	return 0;
}

static void quiet(void)
{
	libbpf_set_print(libbpf_quiet);
	libbpf_last[0] = '\0';
}

bool hopprobe_btf_present(void)
{
	return access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

int hopprobe_supported(char *why, size_t len)
{
	/* The answer holds for the process: load the test program once, not per measurement. */
	static bool supported;
	int ret;

	if (supported)
		return 0;
	quiet();
	if (testhook_break("no-bpf")) {
		snprintf(why, len, "the BPF system call (CONFIG_BPF_SYSCALL): not available (test)");
		return -EOPNOTSUPP;
	}
	ret = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SCHED_CLS, NULL);
	supported = ret == 1;
	if (supported)
		return 0;
	if (ret == 0) {
		snprintf(why, len, "tc classifier programs (sched_cls, CONFIG_NET_CLS_BPF): "
				   "the kernel has none");
		return -EOPNOTSUPP;
	}
	snprintf(why, len, "the BPF system call (CONFIG_BPF_SYSCALL, CAP_BPF): %s",
		 strerror(-ret));
	return ret == -ENOSYS ? -EOPNOTSUPP : ret;
}

static int fail(char *why, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t len, int err, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(why, len, "%s: %s%s%s", msg, strerror(-err), libbpf_last[0] ? " (libbpf: " : "",
		 libbpf_last[0] ? libbpf_last : "");
	if (libbpf_last[0])
		snprintf(why + strlen(why), len - strlen(why), ")");
	return err;
}

static void detach(struct hop_attach *a)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex);
	int saved = -1;

	/* A tcx link goes with its last file descriptor (also when the process dies). */
	for (int d = IN; d <= EG; d++) {
		if (a->link[d] >= 0)
			close(a->link[d]);
		a->link[d] = -1;
	}
	if (!a->hook_created && !a->attached[IN] && !a->attached[EG])
		return;
	/* A namespace that is gone took its hooks and our programs with it. */
	if (!netns_exists(a->where.ns) || netns_enter(a->where.ns, &saved))
		return;
	for (int d = IN; d <= EG; d++) {
		if (!a->attached[d])
			continue;
		hook.attach_point = tc_point[d];
		a->tc[d].prog_fd = a->tc[d].prog_id = 0;
		a->tc[d].flags = 0;
		bpf_tc_detach(&hook, &a->tc[d]);
		a->attached[d] = false;
	}
	if (a->hook_created) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
	a->hook_created = false;
	netns_leave(saved);
}

/*
 * tcx first (a kernel >= 6.6): a link per hook, run without the qdisc layer,
 * gone when its fd closes. Test build: NSBENCH_BREAK=no-tcx refuses it, as a
 * kernel before 6.6 would. 0, -EOPNOTSUPP when there is no tcx, or -errno.
 */
static int attach_tcx(struct hop_attach *a, char *why, size_t len)
{
	for (int d = IN; d <= EG; d++) {
		a->link[d] = testhook_break("no-tcx")
				     ? -EINVAL
				     : bpf_link_create(prog_fd(a, d), a->ifindex, tcx_type[d],
						       NULL);
		if (a->link[d] >= 0)
			continue;
		if (d == IN) {
			a->link[d] = -1;
			return -EOPNOTSUPP;
		}
		return fail(why, len, a->link[d], "a tcx link on %s %s in %s", a->where.ifname,
			    dir_name[d], a->where.ns);
	}
	return 0;
}

/* The way before tcx: the clsact qdisc (made only if missing) and a cls_bpf per hook. */
static int attach_clsact(struct hop_attach *a, char *why, size_t len)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int ret;

	ret = bpf_tc_hook_create(&hook);
	if (ret && ret != -EEXIST)
		return fail(why, len, ret, "the tc hook (clsact qdisc) of %s in %s",
			    a->where.ifname, a->where.ns);
	a->hook_created = ret == 0;
	for (int d = IN; d <= EG; d++) {
		hook.attach_point = tc_point[d];
		a->tc[d] = (struct bpf_tc_opts){.sz = sizeof(a->tc[d]), .prog_fd = prog_fd(a, d)};
		ret = bpf_tc_attach(&hook, &a->tc[d]);
		if (ret)
			return fail(why, len, ret, "a tc classifier (cls_bpf) on %s %s in %s",
				    a->where.ifname, dir_name[d], a->where.ns);
		a->attached[d] = true;
	}
	return 0;
}

static int attach(struct hop_attach *a, char *why, size_t len)
{
	int saved = -1, ret, leave;

	if (!a->where.ns[0])
		return fail(why, len, -EINVAL, "%s: no namespace given (the root namespace is never probed)",
			    a->where.ifname);
	ret = netns_enter(a->where.ns, &saved);
	if (ret)
		return fail(why, len, ret, "entering %s", a->where.ns);
	a->ifindex = (int)if_nametoindex(a->where.ifname);
	if (!a->ifindex)
		ret = fail(why, len, -errno, "%s in %s", a->where.ifname, a->where.ns);
	else if ((ret = attach_tcx(a, why, len)) == -EOPNOTSUPP)
		ret = attach_clsact(a, why, len);
	leave = netns_leave(saved);
	return leave ? leave : ret;
}

static int load(struct hopprobe *hp, unsigned int i, uint32_t sample_mask, char *why, size_t len)
{
	struct hop_attach *a = &hp->hop[i];
	int ret;

	a->skel = hopprobe_bpf__open();
	if (!a->skel)
		return fail(why, len, -errno ? -errno : -ENOMEM, "opening the probe program");
	a->skel->rodata->hop_id = i;
	a->skel->rodata->sample_mask = sample_mask;
	if (i > 0) {
		ret = bpf_map__reuse_fd(a->skel->maps.stamps,
					bpf_map__fd(hp->hop[0].skel->maps.stamps));
		if (ret)
			return fail(why, len, ret, "sharing the stamps between probes");
	}
	ret = hopprobe_bpf__load(a->skel);
	if (ret)
		return fail(why, len, ret, "loading the probe for %s in %s", a->where.ifname,
			    a->where.ns);
	return 0;
}

int hopprobe_open(struct hopprobe **out, const struct hopprobe_if *ifs, unsigned int n,
		  uint32_t sample_mask, char *why, size_t len)
{
	struct hopprobe *hp;
	void *m;
	int ret = 0;

	quiet();
	*out = NULL;
	if (n == 0 || n > HOPSTAMP_HOPS) {
		snprintf(why, len, "%u interfaces to probe: 1 to %d", n, HOPSTAMP_HOPS);
		return -EINVAL;
	}
	hp = calloc(1, sizeof(*hp));
	if (!hp)
		return -ENOMEM;
	for (unsigned int i = 0; i < n && !ret; i++) {
		hp->hop[i].where = ifs[i];
		hp->hop[i].link[IN] = hp->hop[i].link[EG] = -1;
		hp->n = i + 1;
		ret = load(hp, i, sample_mask, why, len);
	}
	if (!ret) {
		hp->stamps_len = (size_t)HOPSTAMP_ENTRIES * sizeof(struct hopstamp);
		m = mmap(NULL, hp->stamps_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 bpf_map__fd(hp->hop[0].skel->maps.stamps), 0);
		if (m == MAP_FAILED)
			ret = fail(why, len, -errno, "mapping the stamps");
		else
			hp->stamps = m;
	}
	for (unsigned int i = 0; i < n && !ret; i++)
		ret = attach(&hp->hop[i], why, len);
	if (ret) {
		hopprobe_close(hp);
		return ret;
	}
	*out = hp;
	return 0;
}

const char *hopprobe_hook(const struct hopprobe *hp)
{
	return hp && hp->n && hp->hop[0].link[IN] >= 0 ? "tcx" : "clsact";
}

void hopprobe_reset(struct hopprobe *hp)
{
	if (hp && hp->stamps)
		memset(hp->stamps, 0, hp->stamps_len);
}

uint64_t hopprobe_stamp(const struct hopprobe *hp, unsigned int hop, unsigned int resp,
			unsigned int dir, uint64_t seq)
{
	const struct hopstamp *s;

	if (!hp || !hp->stamps || hop >= hp->n)
		return 0;
	s = &hp->stamps[hopstamp_key(seq, hop, resp & 1, dir & 1)];
	return s->seq == seq ? s->ns : 0;
}

void hopprobe_close(struct hopprobe *hp)
{
	if (!hp)
		return;
	for (unsigned int i = 0; i < hp->n; i++)
		detach(&hp->hop[i]);
	if (hp->stamps)
		munmap(hp->stamps, hp->stamps_len);
	for (unsigned int i = 0; i < hp->n; i++)
		hopprobe_bpf__destroy(hp->hop[i].skel);
	free(hp);
}

int hopprobe_loaded(void)
{
	__u32 id = 0;
	int count = 0;

	quiet();
	for (;;) {
		struct bpf_prog_info info;
		__u32 ilen = sizeof(info);
		int fd, ret;

		ret = bpf_prog_get_next_id(id, &id);
		if (ret == -ENOENT)
			break;
		if (ret)
			return ret;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue; /* unloaded meanwhile */
		memset(&info, 0, sizeof(info));
		ret = bpf_obj_get_info_by_fd(fd, &info, &ilen);
		close(fd);
		if (!ret && !strncmp(info.name, HOPPROBE_PROG_PREFIX, strlen(HOPPROBE_PROG_PREFIX)))
			count++;
	}
	return count;
}
