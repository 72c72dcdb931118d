#!/bin/sh
# SPDX-License-Identifier: MIT
# The kernel guests (scripts/kernel-guest.sh), for each of KERNELS (default
# 5.10 6.1 6.12): the time to boot a guest and run `true` in it, the time of
# its suite (tests/bin/integ_kernel, as `make test` runs it; goal: under 4
# minutes each), and a `run --quick` of every mode in it, whose table is
# printed as it is: under TCG those figures are emulated, not performance
# figures. Exit 1 when a suite failed or missed its goal.
set -eu
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top
KERNELS=${KERNELS:-5.10 6.1 6.12}
GOAL_S=240

build_missing nsbench nsbench-test tests/bin/integ_kernel

now() { date +%s.%N; }
secs() { echo "$1 $2" | awk '{printf "%.1f", $2 - $1}'; }

rc=0
summary=""
tmp_dir
log=$tmp/log
for k in $KERNELS; do
	./scripts/kernel-guest.sh fetch "$k" >/dev/null
	release=$(./scripts/kernel-guest.sh info "$k")
	t0=$(now)
	if ! ./scripts/kernel-guest.sh run "$k" -- true >"$log" 2>&1; then
		cat "$log"
		rc=1
	fi
	boot=$(secs "$t0" "$(now)")
	t0=$(now)
	if ./scripts/kernel-guest.sh run --timeout 900 "$k" -- ./tests/bin/integ_kernel >"$log" 2>&1; then
		suite_ok=passed
	else
		suite_ok=FAILED
		tail -n 30 "$log"
		rc=1
	fi
	suite=$(secs "$t0" "$(now)")
	if [ "$(echo "$suite $GOAL_S" | awk '{print ($1 > $2)}')" = 1 ]; then
		suite_ok="$suite_ok, over the goal of $GOAL_S s"
		rc=1
	fi
	echo "== kernel $k ($release): run --quick of every mode in the guest"
	t0=$(now)
	if ./scripts/kernel-guest.sh run "$k" -- ./nsbench run --quick --out /tmp >"$log" 2>&1; then
		grep -v '^nsbench: \|^kernel-guest: ' "$log" | sed 's/^/   /'
	else
		cat "$log"
		rc=1
	fi
	quick=$(secs "$t0" "$(now)")
	# The launcher says when it emulates.
	accel=$(grep -q 'emulating with TCG' "$log" && echo "tcg: emulated, not performance figures" || echo kvm)
	summary="$summary$(printf '%-6s %-26s boot+true %6s s   suite %6s s (%s)   run --quick %6s s   [%s]' \
		"$k" "$release" "$boot" "$suite" "$suite_ok" "$quick" "$accel")
"
done
echo "== kernel guests"
printf '%s' "$summary"
exit $rc
