#!/bin/bash
# SPDX-License-Identifier: MIT
# Issue 26's goals, measured at the defaults on this machine, RUNS times each:
#  claims: the performance claims (bridge-slower, host-fastest,
#          awsvpc-vs-bridge): per ratio its 95% half-width (goal <= 2%), the
#          sides it decided (goal: never both ways), and how often a ratio
#          whose estimate lies >= 2% from its limit decided (goal >= 9 of 10);
#  aa:     host-fastest with "awsvpc" built as a second host lab (the test
#          build's NSBENCH_BREAK=aa): the A/A ratios within 1% of 1 with the
#          interval covering 1 (goal >= 9 of 10);
#  run:    the default `run`: how the answer reads bridge against
#          bridge-dynamic (one data path: goal "no difference" in >= 9 of 10,
#          never "different"), and whether bridge's p50 against host takes
#          the side claims' bridge-slower took in the same hour.
# PARTS picks among "claims aa run" (default all three); about 80 minutes at RUNS=10.
# KEEP=DIR keeps every results file there (the temporary folder goes at exit).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top
RUNS=${RUNS:-10}
PARTS=${PARTS:-claims aa run}
need_root
build_missing nsbench
build_missing nsbench-test
tmp_dir
fail=0

# One claims document's ratios: id of/to metric ratio low high half-width% side limit
# (the look's interval, and the half-width of the 95% one, which the goal is on).
ratios() {
	jq -r '.claims[] | select(.figures.ratios) | .id as $id | .figures.ratios[] |
		[$id, "\(.of)/\(.to)", .metric, .ratio, .ci_low, .ci_high,
		 ((.ci95_high / .ci95_low | sqrt) - 1) * 100, .side, .limit] | @tsv' "$1"
}

if part claims; then
	echo "claims: $RUNS runs of the performance claims"
	for i in $(seq 1 "$RUNS"); do
		f=$tmp/claims$i.json
		./nsbench claims --only bridge-slower,host-fastest,awsvpc-vs-bridge --format json \
			>"$f" 2>>"$tmp/log" || true
		[ -z "${KEEP:-}" ] || { mkdir -p "$KEEP" && cp "$f" "$KEEP/"; }
		ratios "$f" | sed "s/^/$i\t/" >>"$tmp/claims.tsv"
		echo "  run $i: $(jq -r '"\(.performance.rounds) rounds in \(.performance.seconds | floor) s, steal up to \(.performance.noise.steal_max_pct)%, noisy rounds \(.performance.noise.noisy_rounds); " + ([.claims[] | "\(.id) \(.verdict)"] | join(", "))' "$f")"
	done
	echo
	printf '  %-17s %-16s %-11s %8s %8s %8s %5s %5s %5s %s\n' claim ratio metric \
		"gmean" "max95+/-%" "med95+/-%" for vs undec "decided when >=2% from limit"
	sort -t"$(printf '\t')" -k2,2 -k3,3 -k4,4 -k1,1n "$tmp/claims.tsv" | awk -F'\t' '
		function flush() {
			if (!n) return
			# the median half-width (insertion sort: mawk has no asort)
			for (x = 2; x <= n; x++) { v = hw[x]; for (y = x - 1; y >= 1 && hw[y] > v; y--) hw[y + 1] = hw[y]; hw[y + 1] = v }
			med = n % 2 ? hw[(n + 1) / 2] : (hw[n / 2] + hw[n / 2 + 1]) / 2
			printf "  %-17s %-16s %-11s %8.3f %8.2f %8.2f %5d %5d %5d %d of %d\n", c, r, m,
				exp(ls / n), mx, med, f, a, u, dec, far
			if (mx > 2) wide++
			if (f && a) both++
			if (far && dec * 10 < far * 9) short++
		}
		{ key = $2 FS $3 FS $4
		  if (key != last) { flush(); n = ls = mx = f = a = u = dec = far = 0; delete hw
			last = key; c = $2; r = $3; m = $4 }
		  n++; ls += log($5); hw[n] = $8; if ($8 > mx) mx = $8
		  if ($9 == "for") f++; else if ($9 == "against") a++; else u++
		  if (($5 / $10 > 1.02 || $5 / $10 < 1 / 1.02)) { far++; if ($9 != "undecided") dec++ } }
		END { flush()
		  printf "claims: %d ratio(s) wider than +/-2%% in some run; %d decided both ways; %d far from the limit yet decided in fewer than 9 of 10\n", wide, both, short
		  exit both > 0 }' || fail=1
fi

if part aa; then
	echo "A/A: $RUNS runs of host-fastest with awsvpc built as a second host lab"
	ok=0 total=0
	for i in $(seq 1 "$RUNS"); do
		f=$tmp/aa$i.json
		NSBENCH_BREAK=aa ./nsbench-test claims --only host-fastest --format json \
			>"$f" 2>>"$tmp/log" || true
		[ -z "${KEEP:-}" ] || { mkdir -p "$KEEP" && cp "$f" "$KEEP/"; }
		while IFS=$'\t' read -r _ r m x lo hi hw _ _; do
			[ "$r" = awsvpc/host ] || continue
			total=$((total + 1))
			good=$(awk -v x="$x" -v lo="$lo" -v hi="$hi" 'BEGIN { print (x > 0.99 && x < 1.01 && lo <= 1 && hi >= 1) }')
			ok=$((ok + good))
			printf '  run %d: %-11s %.4f [%.4f, %.4f] +/-%.2f%% %s\n' "$i" "$m" "$x" "$lo" "$hi" "$hw" \
				"$([ "$good" = 1 ] && echo ok || echo OUT)"
		done < <(ratios "$f")
	done
	echo "A/A: $ok of $total ratios within 1% of 1 with the interval covering 1 (goal >= 9 of 10)"
fi

if part run; then
	echo "run: $RUNS default runs"
	alike=0 diff=0 headline=0 answer5=0
	for i in $(seq 1 "$RUNS"); do
		./nsbench run --out "$tmp/run$i" >/dev/null 2>>"$tmp/log" || true
		f=$(ls "$tmp/run$i"/*.json)
		[ -z "${KEEP:-}" ] || { mkdir -p "$KEEP" && cp "$f" "$KEEP/run$i.json"; }
		v=$(jq -r '[.alike[]? | select([.a, .b] | sort == ["bridge", "bridge-dynamic"]) | .verdict] | first // "absent"' "$f")
		b=$(jq -r '[.results[] | select(.mode == "bridge" and .test == "tcp_rr" and .vs_host) |
			.vs_host.metrics.p50_us | "\(.ratio * 1000 | round / 1000) [\(.ci95_low * 1000 | round / 1000), \(.ci95_high * 1000 | round / 1000)] \(.verdict); +\(.diff * 100 | round / 100) us"] | first // "absent"' "$f")
		# Metric by metric on ingress: unchanged (=), faster/slower (!), not settled (?).
		per=$(jq -r '[.alike[]? | select([.a, .b] | sort == ["bridge", "bridge-dynamic"]) |
			.tests | to_entries[] | select(.key | startswith("ingress/ipv4/")) |
			(.key | split("/")[2]) as $t | .value | to_entries[] | select(.value.ci95_low) |
			"\($t):\(.key)\(if .value.verdict == "unchanged" then "=" elif .value.verdict == "inconclusive" then "?" else "!" end)"] | join(" ")' "$f")
		head=$(jq -r '[.alike[]? | select([.a, .b] | sort == ["bridge", "bridge-dynamic"]) | .tests["ingress/ipv4/tcp_stream/1"].throughput_bps.verdict, .tests["ingress/ipv4/tcp_rr/1"].p50_us.verdict] | if length == 2 and all(. == "unchanged") then "yes" else "no" end' "$f")
		# The answer's five metrics (answer.c's shown[]): the line a reader sees.
		five=$(jq -r '[.alike[]? | select([.a, .b] | sort == ["bridge", "bridge-dynamic"]) | .tests as $t |
			$t["ingress/ipv4/tcp_stream/1"].throughput_bps.verdict, $t["ingress/ipv4/tcp_stream/1"].cpu_s_per_gb.verdict,
			$t["ingress/ipv4/tcp_rr/1"].p50_us.verdict, $t["ingress/ipv4/tcp_rr/1"].p99_us.verdict,
			$t["ingress/ipv4/tcp_crr/1"].tps.verdict] | if length == 5 and all(. == "unchanged") then "yes" else "no" end' "$f")
		echo "  run $i: bridge against bridge-dynamic: $v; bridge tcp_rr p50 against host: $b"
		echo "         by metric: $per"
		case $v in unchanged) alike=$((alike + 1)) ;; different) diff=$((diff + 1)) ;; esac
		[ "$head" = yes ] && headline=$((headline + 1))
		[ "$five" = yes ] && answer5=$((answer5 + 1))
	done
	echo "run: bridge against bridge-dynamic no different in $alike of $RUNS runs, different in $diff (goal >= 9, 0)"
	echo "run: no difference in both throughput and TCP_RR p50 on ingress in $headline of $RUNS runs"
	echo "run: no difference in all five of the answer's metrics in $answer5 of $RUNS runs"
	[ "$diff" -eq 0 ] || fail=1
fi
exit $fail
