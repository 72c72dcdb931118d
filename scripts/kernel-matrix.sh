#!/bin/bash
# SPDX-License-Identifier: MIT
# The kernel matrix of `make test` (make kernels): tests/bin/integ_kernel in a
# guest of each KERNEL (scripts/kernel-guest.sh), JOBS guests at a time
# (default: all at once: a TCG guest is one busy host thread, so three guests
# on 2 CPUs take about half the time of three in a row; their suites assert
# no timing). Each guest has SMP vCPUs (default 1: under TCG a second vCPU
# costs more than it brings, since wake-ups between vCPUs are emulated, and
# nothing the suite checks depends on the CPU count; the suite runs natively
# on the machine's CPUs too). Each guest's output is printed whole, in the
# kernels' order, with its seconds.
#
#   kernel-matrix.sh [--jobs N] [--timeout S] [--smp N] KERNEL...
#
# Exit status: 0 when every guest's suite passed, 1 otherwise.
set -eu

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
jobs=0 timeout=600 smp=1
while [ $# -gt 0 ]; do
	case $1 in
	--jobs) jobs=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1" 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || die "which kernels?" 2
[ "$jobs" -gt 0 ] || jobs=$#
cd_top
tmp_dir nsbench-kmatrix

# Starts kernel K's guest in the background; its log, seconds and status under $tmp.
start() {
	(
		s=$(date +%s)
		set +e
		./scripts/kernel-guest.sh run --timeout "$timeout" --smp "$smp" "$1" -- \
			./tests/bin/integ_kernel \
			>"$tmp/$1.log" 2>&1
		echo $? >"$tmp/$1.rc"
		echo $(($(date +%s) - s)) >"$tmp/$1.s"
	) &
}

running=0
for k in "$@"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	start "$k"
	running=$((running + 1))
done
wait
fail=0
for k in "$@"; do
	echo "== kernel $k: tests/bin/integ_kernel in a guest"
	cat "$tmp/$k.log"
	rc=$(cat "$tmp/$k.rc" 2>/dev/null || echo 1)
	echo "== kernel $k: $(cat "$tmp/$k.s" 2>/dev/null || echo '?') s, exit $rc"
	[ "$rc" -eq 0 ] || fail=1
done
exit $fail
