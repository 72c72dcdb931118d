#!/bin/bash
# SPDX-License-Identifier: MIT
# Lab setup time per task as N grows from 1 to 32, in each mode (issue 5).
# Goal: roughly linear: time per task at 32 within 2x of time per task at 1.
# build_ms is nsbench's own in-process build time (the topo up --json field).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top
REPS=${REPS:-5}
NS="1 2 4 8 16 32"
need_root
declare -A T
for rep in $(seq 1 "$REPS"); do
	for mode in awsvpc bridge bridge-dynamic host none; do
		for n in $NS; do
			ports=$(seq -s, 7001 $((7000 + n)))
			[ "$mode" = bridge ] || [ "$mode" = host ] || ports=7001
			js=$($NSB topo up "$mode" --tasks "$n" --port "$ports" --json)
			id=$(echo "$js" | sed -n 's/^ *"lab": "\([0-9a-f]*\)".*/\1/p')
			T[$mode,$n]+="$(echo "$js" | sed -n 's/^ *"build_ms": \([0-9.e+-]*\).*/\1/p') "
			$NSB topo down "$id" >/dev/null
		done
	done
	say "repetition $rep of $REPS done"
done
echo
echo "Lab setup time per task (in-process build_ms / N), median of $REPS, ms ($(uname -r), $(nproc) CPUs)"
printf '%-15s' mode; for n in $NS; do printf '%9s' "N=$n"; done; printf '%12s %10s\n' "32 vs 1" "marginal"
fail=0
for mode in awsvpc bridge bridge-dynamic host none; do
	printf '%-15s' "$mode"
	for n in $NS; do
		m=$(echo "${T[$mode,$n]}" | tr ' ' '\n' | grep . | median)
		M[$n]=$m
		printf '%9.2f' "$(awk -v m="$m" -v n="$n" 'BEGIN {print m / n}')"
	done
	r=$(awk -v a="${M[32]}" -v b="${M[1]}" 'BEGIN {printf "%.2f", (a / 32) / b}')
	marg=$(awk -v a="${M[32]}" -v b="${M[16]}" 'BEGIN {printf "%.2f", (a - b) / 16}')
	printf '%11sx %10s\n' "$r" "$marg"
	awk -v r="$r" 'BEGIN {exit !(r > 2)}' && { echo "  goal missed: $mode per-task time at 32 is ${r}x that at 1"; fail=1; }
done
echo "marginal = ms per task added between N=16 and N=32 (the fixed cost of vpc, inst and the wire excluded)"
left=$(leftover_netns)
echo "leftover namespaces: $left"
[ "$left" -eq 0 ] || fail=1
exit $fail
