/* SPDX-License-Identifier: MIT */
#ifndef NSB_UAPI_COMPAT_H
#define NSB_UAPI_COMPAT_H

/*
 * Kernel UAPI constants newer than the build's headers (Debian 12's
 * linux-libc-dev is 6.1), under the kernel's own names and numbers. The
 * kernel declares them as enum constants, which #ifndef cannot see, so the
 * guard is the headers' version; <linux/bpf.h> comes first, so that these
 * macros never rewrite a declaration of the enum. Whether the running kernel
 * has them is a question for the kernel (the caller tries, and falls back).
 */
#include <linux/bpf.h>
#include <linux/version.h>

/* enum bpf_attach_type: tcx, BPF links on the tc hooks without a qdisc (Linux 6.6). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define BPF_TCX_INGRESS 46
#define BPF_TCX_EGRESS 47
#endif
_Static_assert(BPF_TCX_INGRESS == 46 && BPF_TCX_EGRESS == 47, "the kernel's numbers for tcx");

#endif
