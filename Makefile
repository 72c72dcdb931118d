# SPDX-License-Identifier: MIT
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
PKG_CONFIG ?= pkg-config
CC ?= cc

VERSION := 0.1.0
GIT_COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes
CFLAGS += -MMD -MP -I. -Iinclude
CFLAGS += -DNSBENCH_VERSION='"$(VERSION)"' -DNSBENCH_COMMIT='"$(GIT_COMMIT)"'
CFLAGS += $(EXTRA_CFLAGS)
PKGS := libnl-route-3.0 libmnl libnftables jansson gsl libbpf
DEP_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
DEP_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -liperf -lm
CFLAGS += $(DEP_CFLAGS)
LDLIBS += $(DEP_LIBS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# The layers, lowest first; a header sits beside its .c and is included by its
# path from the top ("netns/rt.h"), so that an include says which layer it reaches.
# Below them all, include/ holds what crosses a boundary ("nsbench/rr_wire.h").
HARNESS_DIRS := harness/common harness/lab harness/reports harness/measure harness/cli
LIB_SRCS := $(filter-out %.bpf.c,$(wildcard netns/*.c bench/*.c)) \
	$(filter-out harness/cli/main.c harness/cli/cmd_%.c,$(wildcard $(addsuffix /*.c,$(HARNESS_DIRS))))
CLI_SRCS := harness/cli/main.c $(wildcard harness/cli/cmd_*.c)
LIB_OBJS := $(LIB_SRCS:.c=.o)
CLI_OBJS := $(CLI_SRCS:.c=.o)

# The test build: the same sources with the test hooks compiled in (netns/testhooks.h).
# The tests link it and drive nsbench-test where they inject faults; nsbench has none.
TB := build-test
FZ := build-fuzz
TB_LIB_OBJS := $(addprefix $(TB)/,$(LIB_OBJS))
TB_CLI_OBJS := $(addprefix $(TB)/,$(CLI_OBJS))

# The per-hop probes: BPF C compiled by clang, wrapped in a libbpf skeleton by
# bpftool (generated into build-bpf/, included by bench/hopprobe.c). The BPF
# program reaches include/ only: what it shares with the C side is there.
BPF := build-bpf
BPF_CLANG ?= clang
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -Iinclude \
	-I/usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)
BPF_HDRS := include/nsbench/hopstamp.h include/nsbench/rr_wire.h
BPF_SKEL := $(BPF)/hopprobe.bpf.skel.h
.SECONDARY: $(BPF)/hopprobe.bpf.o

UNIT_TESTS := $(patsubst tests/%.c,tests/bin/%,$(wildcard tests/unit_*.c))
# integ_guest (the kernel guests' launcher) runs with the kernel matrix, under `make kernels`.
INTEG_TESTS := $(filter-out tests/bin/integ_guest,$(patsubst tests/%.c,tests/bin/%,$(wildcard tests/integ_*.c)))

.PHONY: all deps deps-run run test layout unit integ kernels valgrind asan bench fuzz clean install \
	uninstall

all: nsbench

deps:
	$(Q)./scripts/deps.sh

deps-run:
	$(Q)./scripts/deps.sh run

$(BPF)/%.bpf.o: bench/%.bpf.c $(BPF_HDRS)
	@mkdir -p $(BPF)
	@$(if $(Q),echo "  BPF     $@")
	$(Q)$(BPF_CLANG) $(BPF_CFLAGS) -c -o $@ $<

$(BPF)/%.bpf.skel.h: $(BPF)/%.bpf.o
	@$(if $(Q),echo "  SKEL    $@")
	$(Q)bpftool gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

bench/hopprobe.o $(TB)/bench/hopprobe.o $(FZ)/bench/hopprobe.o: $(BPF_SKEL)
bench/hopprobe.o $(TB)/bench/hopprobe.o: CFLAGS += -I$(BPF)

# The instance profiles' rules (share/instance/, committed), compiled in as C strings.
GEN := build-gen
INSTANCE_RULES := share/instance/ecs-instance.rules share/instance/docker-port.rules \
	share/instance/ecs-instance6.rules
$(GEN)/instance_rules.h: $(INSTANCE_RULES) scripts/embed.sh Makefile
	@mkdir -p $(GEN)
	$(Q)sh scripts/embed.sh instance_rules_base share/instance/ecs-instance.rules \
		instance_rules_port share/instance/docker-port.rules \
		instance_rules_base6 share/instance/ecs-instance6.rules >$@.tmp && mv $@.tmp $@

harness/lab/instance.o $(TB)/harness/lab/instance.o $(FZ)/harness/lab/instance.o: \
	$(GEN)/instance_rules.h

nsbench: $(LIB_OBJS) $(CLI_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

%.o: %.c
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(TB)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) -DNSBENCH_TEST_HOOKS -c -o $@ $<

nsbench-test: $(TB_LIB_OBJS) $(TB_CLI_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests/bin/%: tests/%.c tests/testlib.h tests/labtest.h $(TB_LIB_OBJS)
	@mkdir -p tests/bin
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) -DNSBENCH_TEST_HOOKS $(shell $(PKG_CONFIG) --cflags cmocka) $(LDFLAGS) \
		-o $@ $< $(TB_LIB_OBJS) \
		$(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka)

# The fuzzers' corpora replayed through the same harnesses, built with gcc.
tests/bin/unit_fuzz_replay: tests/fuzz/fuzz_results.c tests/fuzz/fuzz_args.c

# compare's CSV is read back by a real CSV parser.
tests/bin/unit_compare: LDLIBS += -lcsv

# The default benchmark of every mode; `sudo make run`.
run: deps-run
	$(Q)$(MAKE) --no-print-directory all
	./nsbench run

unit: $(UNIT_TESTS)
	$(Q)set -e; for t in $(UNIT_TESTS); do echo "== $$t"; ./$$t; done

# Labs a previous, killed test run left are removed first, and said so.
integ: nsbench nsbench-test $(INTEG_TESTS)
	$(Q)if [ "$$(id -u)" -eq 0 ] && ls /run/netns/nsb-* /run/nsbench/*.json >/dev/null 2>&1; then \
		echo "== leftovers of an earlier run found:"; ./nsbench clean; fi
	$(Q)set -e; for t in $(INTEG_TESTS); do echo "== $$t"; s=$$(date +%s); ./$$t; \
		echo "== $$t: $$(( $$(date +%s) - s )) s"; done

# The kernel matrix: tests/integ_kernel in a guest of each kernel ECS instances
# run, booted by scripts/kernel-guest.sh (Debian's kernels, cached under
# /var/cache/nsbench/kernels). `make test KERNELS=6.1` runs one, `KERNELS=` none.
KERNELS ?= 5.10 6.1 6.12
KERNEL_TIMEOUT ?= 900
# Guests at a time (default: all) and each guest's vCPUs (default 1; scripts/kernel-matrix.sh).
KERNEL_JOBS ?=
KERNEL_SMP ?=
kernels: nsbench nsbench-test tests/bin/integ_kernel tests/bin/integ_guest
	$(Q)if [ -z "$(strip $(KERNELS))" ]; then echo "== kernel guests: none (KERNELS is empty)"; \
	elif [ "$$(id -u)" -ne 0 ]; then echo "== kernel guests: SKIP: they need root"; \
	else s=$$(date +%s); g=$$(mktemp); \
		echo "== tests/bin/integ_guest, beside the kernel matrix (its output follows the matrix's)"; \
		( s=$$(date +%s); ./tests/bin/integ_guest >$$g 2>&1; rc=$$?; \
		  echo "== tests/bin/integ_guest: $$(( $$(date +%s) - s )) s" >>$$g; exit $$rc ) & gp=$$!; \
		./scripts/kernel-matrix.sh --timeout $(KERNEL_TIMEOUT) $(if $(KERNEL_JOBS),--jobs $(KERNEL_JOBS)) \
			$(if $(KERNEL_SMP),--smp $(KERNEL_SMP)) $(KERNELS); mrc=$$?; \
		wait $$gp; grc=$$?; echo "== tests/bin/integ_guest"; cat $$g; rm -f $$g; \
		echo "== kernel guests: $$(( $$(date +%s) - s )) s"; [ $$mrc -eq 0 ] && [ $$grc -eq 0 ]; fi

valgrind: $(UNIT_TESTS)
	$(Q)set -e; for t in $(UNIT_TESTS); do echo "== valgrind $$t"; \
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		./$$t >/dev/null; done

# Unit tests again under AddressSanitizer, in a separate tree.
asan:
	$(Q)rm -rf build-asan && mkdir -p build-asan && \
	  git ls-files -co --exclude-standard | tar -cf - -T - | tar -xf - -C build-asan && \
	  $(MAKE) --no-print-directory -C build-asan -j$(JOBS) unit \
		EXTRA_CFLAGS="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=all" LDFLAGS="-fsanitize=address,undefined"

# The layout's rules: layers, no include circle, only the CLI prints (scripts/check-layout.sh);
# files and functions of a bounded size (check-size.sh); no two files that call each other,
# nor a longer circle, read from the built objects (check-calls.sh). Every check runs.
layout: nsbench
	$(Q)rc=0; for c in layout size calls; do ./scripts/check-$$c.sh || rc=1; done; exit $$rc

# The builds of test (the program, the test build, the tests; the ASan tree) use every CPU.
# The layout is checked once they are built (check-calls reads the program's objects).
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
test: deps
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) all nsbench-test $(UNIT_TESTS) $(INTEG_TESTS) \
		tests/bin/integ_guest EXTRA_CFLAGS=-Werror
	$(Q)$(MAKE) --no-print-directory layout unit valgrind asan integ kernels EXTRA_CFLAGS=-Werror
	@echo "all test suites passed"

# libFuzzer on the results reader (and compare) and the CLI parsers, FUZZ_TIME
# seconds each. New inputs go to build-fuzz/; a crash stops with its input in
# build-fuzz/crash-*: fix it, then keep the input in tests/fuzz/corpus/ so that
# `make test` replays it.
FUZZ_TIME ?= 60
FUZZ_CC ?= clang
FUZZERS := results args
FZ_FLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
FZ_LIB_OBJS := $(addprefix $(FZ)/,$(LIB_OBJS))
.SECONDARY: $(FZ_LIB_OBJS)

$(FZ)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(FUZZ_CC) -std=gnu11 -I. -Iinclude -I$(BPF) $(DEP_CFLAGS) $(FZ_FLAGS) \
		-fsanitize=fuzzer-no-link \
		-c -o $@ $<

$(FZ)/fuzz_%: tests/fuzz/fuzz_%.c $(FZ_LIB_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(FUZZ_CC) -std=gnu11 -I. -Iinclude $(DEP_CFLAGS) $(FZ_FLAGS) -fsanitize=fuzzer \
		-o $@ $< $(FZ_LIB_OBJS) $(LDLIBS)

fuzz: deps $(addprefix $(FZ)/fuzz_,$(FUZZERS))
	$(Q)set -e; for f in $(FUZZERS); do \
		mkdir -p $(FZ)/corpus-$$f; \
		echo "== fuzz_$$f, $(FUZZ_TIME) s"; \
		$(FZ)/fuzz_$$f -max_total_time=$(FUZZ_TIME) -artifact_prefix=$(FZ)/crash-$$f- \
			-print_final_stats=1 $(FZ)/corpus-$$f tests/fuzz/corpus/$$f 2>$(FZ)/fuzz_$$f.log \
			|| { tail -40 $(FZ)/fuzz_$$f.log; exit 1; }; \
		grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added" \
			$(FZ)/fuzz_$$f.log; \
	done

# Every script runs; the target fails at the end if any goal was missed.
BENCHES := bench-lab bench-engines bench-bulk bench-run bench-density bench-verdicts bench-perhop bench-kernels \
	bench-instance bench-vpc bench-noise bench-schedules bench-answers
bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)rc=0; for b in $(BENCHES); do echo "== scripts/$$b.sh"; \
		./scripts/$$b.sh || { echo "== $$b: a goal was missed"; rc=1; }; done; exit $$rc

# The binary, the man pages (nsbench(8) and one per command, nsbench-run(8) ...) and bash
# completion; the Debian package installs the same.
MAN8 := $(notdir $(wildcard share/man/*.8))
install: nsbench
	install -D -m 0755 nsbench $(DESTDIR)$(BINDIR)/nsbench
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(addprefix share/man/,$(MAN8)) $(DESTDIR)$(MANDIR)/man8/
	install -D -m 0644 share/bash-completion/nsbench $(DESTDIR)$(COMPLETIONDIR)/nsbench

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nsbench $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(MAN8)) \
		$(DESTDIR)$(COMPLETIONDIR)/nsbench

clean:
	rm -rf nsbench nsbench-test tests/bin build-asan $(TB) $(FZ) $(BPF) $(GEN)
	find netns bench harness \( -name '*.o' -o -name '*.d' \) -delete

-include $(LIB_SRCS:.c=.d) $(CLI_SRCS:.c=.d) $(TB_LIB_OBJS:.o=.d) $(TB_CLI_OBJS:.o=.d)
