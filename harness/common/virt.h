/* SPDX-License-Identifier: MIT */
#ifndef NSB_VIRT_H
#define NSB_VIRT_H

#include <stddef.h>
#include <stdint.h>

/*
 * How this machine runs, from its own view (CPUID): on bare metal, under KVM,
 * under QEMU's emulator (TCG), under another hypervisor, or unknown (no
 * CPUID: not x86). Results record it as host.virt; what is measured on an
 * emulated CPU is no performance figure (verdict_judges()).
 */
enum virt { VIRT_UNKNOWN, VIRT_NONE, VIRT_KVM, VIRT_TCG, VIRT_OTHER };

/* The words the answer comes from: leaf 1's ECX, leaf 0x40000000's EBX, ECX and EDX. */
struct virt_cpuid {
	uint32_t leaf1_ecx;
	uint32_t hv_ebx, hv_ecx, hv_edx;
};

#define VIRT_SIG_LEN 12

/* The machine those words describe (no CPUID is read: the tests drive it). */
enum virt virt_classify(const struct virt_cpuid *c);
/* The hypervisor's 12-byte signature as text: up to its first NUL, "?" for what is not printable. */
void virt_signature(const struct virt_cpuid *c, char *buf, size_t len);
/* This CPU's words; -EOPNOTSUPP where there is no CPUID. */
int virt_read_cpuid(struct virt_cpuid *c);
/* This machine; SIG (may be NULL) gets the signature, "" without a hypervisor. */
enum virt virt_detect(char *sig, size_t len);

/* "unknown", "none", "kvm", "tcg", "other": host.virt in a results file. */
const char *virt_name(enum virt v);
/* And back; NULL (a file written before host.virt) or a name not known is VIRT_UNKNOWN. */
enum virt virt_from_name(const char *name);

#endif
