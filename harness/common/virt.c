// SPDX-License-Identifier: MIT
/*
 * Bare metal, KVM or QEMU's emulator: the CPUID hypervisor bit (leaf 1, ECX
 * bit 31) and the signature a hypervisor gives at leaf 0x40000000. The guest's
 * view is the one that counts: a results file written inside a guest says how
 * that guest ran, whatever the machine around it.
 */
#include <errno.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "harness/common/virt.h"
#include "netns/testhooks.h"

#define CPUID_HYPERVISOR_BIT (1u << 31)

static const char *const names[] = {
	[VIRT_UNKNOWN] = "unknown", [VIRT_NONE] = "none", [VIRT_KVM] = "kvm",
	[VIRT_TCG] = "tcg",	    [VIRT_OTHER] = "other",
};

static void raw_signature(const struct virt_cpuid *c, char sig[VIRT_SIG_LEN])
{
	memcpy(sig, &c->hv_ebx, 4);
	memcpy(sig + 4, &c->hv_ecx, 4);
	memcpy(sig + 8, &c->hv_edx, 4);
}

enum virt virt_classify(const struct virt_cpuid *c)
{
	char sig[VIRT_SIG_LEN];

	raw_signature(c, sig);
	/*
	 * QEMU answers with TCG's signature (its tcg-cpuid property, on by
	 * default since 2.9) even when a CPU model clears the hypervisor bit, and
	 * no real CPU answers with it: it counts on its own. Without the
	 * signature (tcg-cpuid=off) TCG is a hypervisor like any other.
	 */
	if (!memcmp(sig, "TCGTCGTCGTCG", VIRT_SIG_LEN))
		return VIRT_TCG;
	if (!(c->leaf1_ecx & CPUID_HYPERVISOR_BIT))
		return VIRT_NONE;
	if (!memcmp(sig, "KVMKVMKVM\0\0\0", VIRT_SIG_LEN))
		return VIRT_KVM;
	return VIRT_OTHER;
}

void virt_signature(const struct virt_cpuid *c, char *buf, size_t len)
{
	char sig[VIRT_SIG_LEN];
	size_t n = 0;

	if (!len)
		return;
	raw_signature(c, sig);
	for (size_t i = 0; i < VIRT_SIG_LEN && sig[i] && n + 1 < len; i++)
		buf[n++] = sig[i] >= 0x20 && sig[i] < 0x7f ? sig[i] : '?';
	buf[n] = '\0';
}

int virt_read_cpuid(struct virt_cpuid *c)
{
	memset(c, 0, sizeof(*c));
	/* The test build's machine under QEMU's emulator, to test what follows from it. */
	if (testhook_break("tcg")) {
		c->leaf1_ecx = CPUID_HYPERVISOR_BIT;
		memcpy(&c->hv_ebx, "TCGT", 4);
		memcpy(&c->hv_ecx, "CGTC", 4);
		memcpy(&c->hv_edx, "GTCG", 4);
		return 0;
	}
#if defined(__x86_64__) || defined(__i386__)
	{
		unsigned int a, b, cx, d;

		if (!__get_cpuid(1, &a, &b, &cx, &d))
			return -EOPNOTSUPP;
		c->leaf1_ecx = cx;
		/* Not __get_cpuid: it refuses leaves above leaf 0's maximum, as 0x40000000 is. */
		__cpuid(0x40000000, a, b, cx, d);
		c->hv_ebx = b;
		c->hv_ecx = cx;
		c->hv_edx = d;
		return 0;
	}
#else
	return -EOPNOTSUPP;
#endif
}

enum virt virt_detect(char *sig, size_t len)
{
	struct virt_cpuid c;
	enum virt v;

	if (sig && len)
		sig[0] = '\0';
	if (virt_read_cpuid(&c))
		return VIRT_UNKNOWN;
	v = virt_classify(&c);
	if (sig && v != VIRT_NONE)
		virt_signature(&c, sig, len);
	return v;
}

const char *virt_name(enum virt v)
{
	return (unsigned int)v < sizeof(names) / sizeof(names[0]) ? names[v] : names[VIRT_UNKNOWN];
}

enum virt virt_from_name(const char *name)
{
	for (unsigned int i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return (enum virt)i;
	return VIRT_UNKNOWN;
}
