#!/bin/bash
# SPDX-License-Identifier: MIT
# Per-hop figures (issue 9), printed for the note:
#  1. the probes' own cost: udp_rr and tcp_rr p50 with and without probes on
#     every hop, alternating (`explain --probe-cost`), for bridge (5 probed
#     interfaces) and host (2); goal: within 5% (the interval's upper end);
#  2. the ladder for bridge next to the ratio `nsbench run` measures for
#     bridge over host, same durations: the steps' ratios multiply to the whole
#     ladder's, and that must agree with run's within the intervals.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top
ROUNDS=${ROUNDS:-5}
need_root
tmp_dir
fail=0

echo "probe cost: udp_rr/tcp_rr p50 with and without the probes, 20 alternating rounds of 2000"
for mode in host bridge; do
	$NSB explain "$mode" --no-ladder --probe-cost=20 --json >"$tmp/cost-$mode.json" 2>>"$tmp/log"
	for t in udp_rr tcp_rr; do
		read -r without with ratio lo hi < <(jq -r --arg t "$t" \
			'.probe_cost[$t] | "\(.without_p50_us) \(.with_p50_us) \(.ratio) \(.ci95_low) \(.ci95_high)"' \
			"$tmp/cost-$mode.json")
		ok=$(awk -v hi="$hi" 'BEGIN { print (hi <= 1.05) ? "within 5%" : "above 5% (goal missed)" }')
		printf '  %-6s %s: %.2f -> %.2f us, x%.3f [%.3f, %.3f]: %s\n' "$mode" "$t" "$without" "$with" \
			"$ratio" "$lo" "$hi" "$ok"
		[ "$ok" = "within 5%" ] || fail=1
	done
done

echo "ladder for bridge ($ROUNDS rounds) next to nsbench run (bridge over host, $ROUNDS reps)"
$NSB explain bridge --rounds "$ROUNDS" --json >"$tmp/ladder.json" 2>>"$tmp/log"
jq -r '.ladder.steps[] | "  \(.step): TCP_RR p50 x\(.tcp_rr_p50_us.ratio*1000|round/1000) [\(.tcp_rr_p50_us.ci95_low*1000|round/1000), \(.tcp_rr_p50_us.ci95_high*1000|round/1000)] \(.tcp_rr_p50_us.verdict) (\(.tcp_rr_p50_us.cost_us*100|round/100) us); tcp_stream x\(.tcp_stream_bps.ratio*1000|round/1000) \(.tcp_stream_bps.verdict); TCP_CRR x\(.tcp_crr_tps.ratio*1000|round/1000) [\(.tcp_crr_tps.ci95_low*1000|round/1000), \(.tcp_crr_tps.ci95_high*1000|round/1000)] \(.tcp_crr_tps.verdict)"' \
	"$tmp/ladder.json"
$NSB run --modes host,bridge --tests tcp_stream,tcp_rr,tcp_crr --reps "$ROUNDS" --duration 1 \
	--rr-duration 0.5 --no-hot-path --out "$tmp" >/dev/null 2>>"$tmp/log"
# shellcheck disable=SC2010 # the run's file, beside ladder.json and cost-*.json
run=$(ls "$tmp"/*.json | grep -v -e ladder.json -e cost- | head -1)
# ladder key, run's test, run's ratio to host
for m in "tcp_rr_p50_us tcp_rr p50_vs_host" "tcp_stream_bps tcp_stream throughput_vs_host" \
	"tcp_crr_tps tcp_crr tps_vs_host"; do
	read -r key test rk <<<"$m"
	read -r lr llo lhi prod < <(jq -r --arg k "$key" \
		'"\(.ladder.total[$k].ratio) \(.ladder.total[$k].ci95_low) \(.ladder.total[$k].ci95_high) \([.ladder.steps[][$k].ratio] | reduce .[] as $x (1; . * $x))"' \
		"$tmp/ladder.json")
	read -r rr rlo rhi < <(jq -r --arg t "$test" --arg k "$rk" \
		'.results[] | select(.mode == "bridge" and .test == $t) | .summary[$k] | "\(.median) \(.ci95_low) \(.ci95_high)"' "$run")
	agree=$(awk -v a="$llo" -v b="$lhi" -v c="$rlo" -v d="$rhi" 'BEGIN { print (a <= d && c <= b) ? "agree" : "DISAGREE" }')
	printf '  %-16s ladder x%.3f [%.3f, %.3f] (steps multiply to x%.3f); run x%.3f [%.3f, %.3f]: %s\n' \
		"$key" "$lr" "$llo" "$lhi" "$prod" "$rr" "$rlo" "$rhi" "$agree"
	[ "$agree" = agree ] || fail=1
done
exit $fail
