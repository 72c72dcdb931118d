// SPDX-License-Identifier: MIT
/*
 * How a machine runs, from CPUID words made up here (no root, any CPU): bare
 * metal, KVM, QEMU's TCG with and without its signature or the hypervisor
 * bit, other hypervisors; the names results files carry, back and forth;
 * and whether each may decide anything.
 */
#include "testlib.h"
#include <errno.h>

#include "harness/common/virt.h"
#include "harness/reports/results.h"
#include "harness/reports/verdict.h"

#define HV_BIT (1u << 31)

/* The words a CPU gives: leaf 1's ECX, and SIG (12 bytes) as EBX, ECX, EDX of 0x40000000. */
static struct virt_cpuid words(uint32_t ecx, const char *sig)
{
	struct virt_cpuid c = {.leaf1_ecx = ecx};

	memcpy(&c.hv_ebx, sig, 4);
	memcpy(&c.hv_ecx, sig + 4, 4);
	memcpy(&c.hv_edx, sig + 8, 4);
	return c;
}

static const char zeros[VIRT_SIG_LEN];

static void test_classify(void **state)
{
	/* Leaf 1's ECX of a real CPU has other bits set too: only bit 31 counts. */
	uint32_t other_bits = 0x7ffa3203;
	struct virt_cpuid c;

	(void)state;
	c = words(other_bits, zeros);
	assert_int_equal(virt_classify(&c), VIRT_NONE);
	c = words(other_bits | HV_BIT, "KVMKVMKVM\0\0\0");
	assert_int_equal(virt_classify(&c), VIRT_KVM);
	c = words(other_bits | HV_BIT, "TCGTCGTCGTCG");
	assert_int_equal(virt_classify(&c), VIRT_TCG);
	/* QEMU gives TCG's leaf even when the CPU model clears the bit; no real CPU says TCG. */
	c = words(other_bits, "TCGTCGTCGTCG");
	assert_int_equal(virt_classify(&c), VIRT_TCG);
	/* Without the bit, whatever leaf 0x40000000 holds is not a hypervisor's. */
	c = words(other_bits, "KVMKVMKVM\0\0\0");
	assert_int_equal(virt_classify(&c), VIRT_NONE);
	c = words(other_bits, "GenuineIntel");
	assert_int_equal(virt_classify(&c), VIRT_NONE);
	/* The bit and another signature, or none (TCG with tcg-cpuid=off): another hypervisor. */
	c = words(HV_BIT, "bhyve bhyve ");
	assert_int_equal(virt_classify(&c), VIRT_OTHER);
	c = words(HV_BIT, "Microsoft Hv");
	assert_int_equal(virt_classify(&c), VIRT_OTHER);
	c = words(HV_BIT, "VMwareVMware");
	assert_int_equal(virt_classify(&c), VIRT_OTHER);
	c = words(HV_BIT, zeros);
	assert_int_equal(virt_classify(&c), VIRT_OTHER);
	/* Near misses of the two that matter are neither. */
	c = words(HV_BIT, "KVMKVMKVMKVM");
	assert_int_equal(virt_classify(&c), VIRT_OTHER);
	c = words(HV_BIT, "TCGTCGTCGTC\0");
	assert_int_equal(virt_classify(&c), VIRT_OTHER);
}

static void test_signature_text(void **state)
{
	char buf[VIRT_SIG_LEN + 1], small[5];
	struct virt_cpuid c;

	(void)state;
	c = words(HV_BIT, "KVMKVMKVM\0\0\0");
	virt_signature(&c, buf, sizeof(buf));
	assert_string_equal(buf, "KVMKVMKVM");
	c = words(HV_BIT, "bhyve bhyve ");
	virt_signature(&c, buf, sizeof(buf));
	assert_string_equal(buf, "bhyve bhyve ");
	c = words(HV_BIT, zeros);
	virt_signature(&c, buf, sizeof(buf));
	assert_string_equal(buf, "");
	/* What is not printable would not be valid JSON text: "?" instead. */
	c = words(HV_BIT, "AB\x01\xff" "CDEFGHIJ");
	virt_signature(&c, buf, sizeof(buf));
	assert_string_equal(buf, "AB??CDEFGHIJ");
	/* A short buffer is cut, NUL-terminated. */
	c = words(HV_BIT, "TCGTCGTCGTCG");
	virt_signature(&c, small, sizeof(small));
	assert_string_equal(small, "TCGT");
}

static void test_names(void **state)
{
	static const enum virt all[] = {VIRT_UNKNOWN, VIRT_NONE, VIRT_KVM, VIRT_TCG, VIRT_OTHER};

	(void)state;
	assert_string_equal(virt_name(VIRT_NONE), "none");
	assert_string_equal(virt_name(VIRT_KVM), "kvm");
	assert_string_equal(virt_name(VIRT_TCG), "tcg");
	assert_string_equal(virt_name(VIRT_OTHER), "other");
	assert_string_equal(virt_name(VIRT_UNKNOWN), "unknown");
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		assert_int_equal(virt_from_name(virt_name(all[i])), all[i]);
	/* A file written before host.virt, or a name this nsbench does not know. */
	assert_int_equal(virt_from_name(NULL), VIRT_UNKNOWN);
	assert_int_equal(virt_from_name("TCG"), VIRT_UNKNOWN);
	assert_int_equal(virt_from_name(""), VIRT_UNKNOWN);
}

/* Only emulated figures are refused; unknown (old files) is judged as before. */
static void test_judged(void **state)
{
	(void)state;
	assert_false(verdict_judges(VIRT_TCG));
	assert_true(verdict_judges(VIRT_NONE));
	assert_true(verdict_judges(VIRT_KVM));
	assert_true(verdict_judges(VIRT_OTHER));
	assert_true(verdict_judges(VIRT_UNKNOWN));
}

/* This machine: the reading and the classification agree, and the results file says it. */
static void test_this_machine(void **state)
{
	struct virt_cpuid c;
	char sig[VIRT_SIG_LEN + 1];
	enum virt v = virt_detect(sig, sizeof(sig));
	json_t *h = results_host();
	int ret = virt_read_cpuid(&c);

	(void)state;
#if defined(__x86_64__) || defined(__i386__)
	assert_int_equal(ret, 0);
	assert_int_equal(v, virt_classify(&c));
	print_message("this machine: %s%s%s\n", virt_name(v), *sig ? ", " : "", sig);
#else
	assert_int_equal(ret, -EOPNOTSUPP);
	assert_int_equal(v, VIRT_UNKNOWN);
#endif
	assert_non_null(h);
	assert_string_equal(json_string_value(json_object_get(h, "virt")), virt_name(v));
	assert_int_equal(json_object_get(h, "hypervisor") != NULL,
			 v == VIRT_KVM || v == VIRT_TCG || v == VIRT_OTHER);
	json_decref(h);
}

/* The test build's stand-in for a TCG guest, which the integration tests use. */
static void test_tcg_hook(void **state)
{
	json_t *h;

	(void)state;
	setenv("NSBENCH_BREAK", "tcg", 1);
	h = results_host();
	unsetenv("NSBENCH_BREAK");
	assert_string_equal(json_string_value(json_object_get(h, "virt")), "tcg");
	assert_string_equal(json_string_value(json_object_get(h, "hypervisor")), "TCGTCGTCGTCG");
	json_decref(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),     cmocka_unit_test(test_signature_text),
		cmocka_unit_test(test_names),	     cmocka_unit_test(test_judged),
		cmocka_unit_test(test_this_machine), cmocka_unit_test(test_tcg_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
