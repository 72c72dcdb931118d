#!/bin/bash
# SPDX-License-Identifier: MIT
# The verdicts' own figures (issue 8), printed for the note:
#  1. false alarms: PAIRS pairs of identical runs (host, bridge, 5 reps); every
#     headline verdict other than unchanged/inconclusive is a false alarm
#     (goal: 0);
#  2. sensitivity: PAIRS pairs where B has a tbf on the wire at 90% of the
#     host throughput A measured (a 10% drop): host tcp_stream throughput must
#     be "slower" in at least 4 of 5 pairs;
#  3. claims: CLAIMS_RUNS consecutive `nsbench claims`: rows per verdict
#     (goal: no "does not hold") and the wall time of each.
# PARTS picks among "fa sens claims" (default all three).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top
PAIRS=${PAIRS:-5}
CLAIMS_RUNS=${CLAIMS_RUNS:-10}
PARTS=${PARTS:-fa sens claims}
ARGS=${ARGS:---modes host,bridge --tests tcp_stream,tcp_rr,tcp_crr --reps 5 --duration 1 --rr-duration 0.5 --no-hot-path}
need_root
tmp_dir
fail=0

one_run() { # DIR [extra args]: the results file of one run
	local out=$1
	shift
	# shellcheck disable=SC2086
	$NSB run $ARGS "$@" --out "$out" >/dev/null 2>>"$tmp/log"
	ls "$out"/*.json
}

# Headline rows of a compare decided faster or slower, from its CSV.
alarms() {
	$NSB compare "$1" "$2" --format csv 2>/dev/null |
		awk -F, 'NR > 1 && $6 == 1 && ($19 == "faster" || $19 == "slower")' | wc -l
}

if part fa; then
echo "false alarms: $PAIRS pairs of identical runs ($ARGS)"
total=0
for i in $(seq 1 "$PAIRS"); do
	a=$(one_run "$tmp/fa$i-a")
	b=$(one_run "$tmp/fa$i-b")
	n=$(alarms "$a" "$b")
	m=$($NSB compare "$a" "$b" --format csv 2>/dev/null | awk -F, 'NR > 1 && $6 == 1 && $7 != "'"$(basename "$a")"'"' | wc -l)
	u=$($NSB compare "$a" "$b" --format csv 2>/dev/null | awk -F, 'NR > 1 && $6 == 1 && $19 == "unchanged"' | wc -l)
	echo "  pair $i: $n false alarm(s) of $m headline metrics; $u unchanged"
	total=$((total + n))
done
echo "false alarms: $total in $PAIRS pairs (goal 0)"
[ "$total" -eq 0 ] || fail=1
fi

if part sens; then
echo "sensitivity: B with a tbf at 90% of A's host throughput"
hits=0
for i in $(seq 1 "$PAIRS"); do
	a=$(one_run "$tmp/s$i-a")
	thr=$(jq -r '.results[] | select(.mode == "host" and .test == "tcp_stream") |
		.summary.throughput_bps.median' "$a")
	rate=$(awk -v t="$thr" 'BEGIN { printf "%.0f", t * 0.9 }')
	b=$(one_run "$tmp/s$i-b" --shape-wire "$rate")
	v=$($NSB compare "$a" "$b" --format csv 2>/dev/null |
		awk -F, '$1 == "host" && $4 == "tcp_stream" && $5 == "throughput_bps" && $19 != "baseline" { printf "%s %+.1f%% [%+.1f, %+.1f]", $19, ($14 - 1) * 100, ($15 - 1) * 100, ($16 - 1) * 100 }')
	echo "  pair $i: tbf $((rate / 1000000)) Mbit/s: host tcp_stream throughput $v"
	case $v in slower*) hits=$((hits + 1)) ;; esac
done
echo "sensitivity: flagged slower in $hits of $PAIRS pairs (goal >= 4 of 5)"
[ $((hits * 5)) -ge $((PAIRS * 4)) ] || fail=1
fi

if part claims; then
echo "claims: $CLAIMS_RUNS consecutive runs"
declare -A seen=()
for i in $(seq 1 "$CLAIMS_RUNS"); do
	t0=$EPOCHREALTIME
	rc=0
	$NSB claims --format json >"$tmp/claims$i.json" 2>>"$tmp/log" || rc=$?
	t1=$EPOCHREALTIME
	line=$(jq -r '.claims | group_by(.verdict) | map("\(.[0].verdict): \(length)") | join(", ")' "$tmp/claims$i.json")
	perf=$(jq -r '.claims[] | select(.id == "bridge-slower" or .id == "host-fastest" or .id == "awsvpc-vs-bridge") | "\(.id)=\(.verdict)"' "$tmp/claims$i.json" | tr '\n' ' ')
	awk -v a="$t0" -v b="$t1" -v l="$line" -v p="$perf" -v r="$rc" -v i="$i" \
		'BEGIN { printf "  run %d: %.0f s, exit %d: %s; %s\n", i, b - a, r, l, p }'
	n=$(jq '[.claims[] | select(.verdict == "does not hold")] | length' "$tmp/claims$i.json")
	seen[fails]=$((${seen[fails]:-0} + n))
done
echo "claims: ${seen[fails]:-0} row(s) 'does not hold' in $CLAIMS_RUNS runs (goal 0)"
[ "${seen[fails]:-0}" -eq 0 ] || fail=1
fi
exit $fail
