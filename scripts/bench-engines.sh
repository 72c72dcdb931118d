#!/bin/bash
# SPDX-License-Identifier: MIT
# nsbench's engines against the standard tools, same lab, same path (host
# mode, ingress: VPC namespace -> instance), same CPU placement, alternating:
#   TCP_RR:     nsbench measure tcp_rr   vs  sockperf ping-pong --tcp --full-rtt
#   throughput: nsbench measure tcp_stream, tcp_reverse, tcp_stream_par vs the
#               iperf3 command, plain, -R and -P STREAMS, both with the same
#               socket buffers (--window / -w WINDOW); and tcp_stream against
#               the plain command at the kernel's buffer autotuning
# Goals: RR p50 <= 1.05x sockperf's, RR trans/s >= 0.95x (issue 3); each
# throughput test's median pair ratio within 0.97-1.03x of iperf3's (issue 20).
# The autotuned pair is shown, not judged: on this kernel the receive buffer's
# autotuning ends each run in one of two states ~10% apart (doc/measuring.md,
# "Throughput and the receive buffer"), for iperf3 as for nsbench, which no handful of
# pairs averages out.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top

REPS=${REPS:-6}
DUR=${DUR:-5}
MSG=${MSG:-64}
STREAMS=${STREAMS:-4}
# Both ends ask for WINDOW and the kernel grants twice that; the lab namespaces'
# rmem_max and wmem_max (4 MiB) bound what may be asked.
WINDOW=${WINDOW:-2M}
# A run whose sender saw a window below this never grew its receive buffer.
SMALL_WND=${SMALL_WND:-8388608}
# A judged pair is compared only when both runs had the endpoints' CPU to
# themselves alike: iperf's own CPU figures (client + server, % of the run)
# apart by more than SHARE_GAP points means another process took the CPU
# from one of them; such a pair is measured again, up to RETRIES times. (What
# CPU% cannot see: the machine's speed drifting between the two runs, as
# other guests' load moves; the median of the pairs is for that.)
SHARE_GAP=${SHARE_GAP:-5}
RETRIES=${RETRIES:-3}
need_root
need_tools sockperf iperf3 taskset ss jq

# The CPU nsbench's default placement ("same") pins both endpoints to.
CPU=$(($(nproc) - 1))
# The lab is held by a process of ours (--hold), not left kept: `topo down`
# without a lab, run by anyone on the machine (integ_cli does), removes every
# kept lab, and with it this benchmark's in the middle of a run.
HOLD_OUT=$(mktemp)
SP_PID=
$NSB topo up host --hold --json >"$HOLD_OUT" &
HOLD_PID=$!
cleanup() {
	set +e
	[ -n "$SP_PID" ] && kill "$SP_PID" 2>/dev/null && wait "$SP_PID" 2>/dev/null
	kill "$HOLD_PID" 2>/dev/null && wait "$HOLD_PID"
	rm -f "$HOLD_OUT"
	rm -rf "${tmp:-}" # its own trap replaced tmp_dir's
}
trap cleanup EXIT INT TERM
ID=
for _ in $(seq 1 1000); do
	ID=$(jq -r '.lab // empty' "$HOLD_OUT" 2>/dev/null) && [ -n "$ID" ] && break
	kill -0 "$HOLD_PID" 2>/dev/null || die "topo up failed"
	sleep 0.01
done
[ -n "$ID" ] || die "no lab from topo up --hold"
VPC=nsb-$ID-vpc INST=nsb-$ID-inst ADDR=198.18.0.2

ip netns exec "$INST" taskset -c $CPU sockperf server --tcp -i $ADDR -p 5202 >/dev/null 2>&1 &
SP_PID=$!
wait_listen "$INST" 5202

jget() { jq -r "$1"; }

# CPU steal on the machine (% of all CPU time) since the last call, in STEAL.
STEAL_LAST="" STEAL=""
steal_mark() {
	local now
	now=$(awk '/^cpu / {print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat)
	[ -z "$STEAL_LAST" ] || STEAL=$(echo "$STEAL_LAST $now" |
		awk '{printf "%.1f", ($4 > $2) ? ($3 - $1) / ($4 - $2) * 100 : 0}')
	STEAL_LAST=$now
}

declare -a NSB_P50 NSB_TPS SP_P50 SP_TPS
nsb_rr() {
	local out
	out=$($NSB measure host tcp_rr --lab "$ID" --duration "$DUR" --req $MSG --resp $MSG --json)
	NSB_P50+=("$(echo "$out" | jget .metrics.p50_us)")
	NSB_TPS+=("$(echo "$out" | jget .metrics.tps)")
}
tool_rr() {
	local out
	out=$(ip netns exec "$VPC" taskset -c $CPU sockperf ping-pong --tcp --full-rtt -i $ADDR \
		-p 5202 -t "$DUR" -m $MSG 2>&1 | sed 's/\x1b\[[0-9;]*m//g')
	SP_P50+=("$(echo "$out" | awk '/percentile 50.000/ {print $NF}')")
	SP_TPS+=("$(echo "$out" | sed -n 's/.*Valid Duration\] RunTime=\([0-9.]*\) sec.*ReceivedMessages=\([0-9]*\).*/\2 \1/p' |
		awk '{printf "%.1f", $1 / $2}')")
}

# The throughput tests: nsbench's test and its options, the iperf3 command's.
KINDS=(single reverse parallel auto)
JUDGED=(single reverse parallel)
declare -A NSB_TEST=([single]=tcp_stream [reverse]=tcp_reverse [parallel]=tcp_stream_par
	[auto]=tcp_stream)
declare -A NSB_OPT=([single]="--window $WINDOW" [reverse]="--window $WINDOW"
	[parallel]="--streams $STREAMS --window $WINDOW" [auto]="")
declare -A IP_OPT=([single]="-w $WINDOW" [reverse]="-R -w $WINDOW"
	[parallel]="-P $STREAMS -w $WINDOW" [auto]="")
declare -A LABEL=([single]="TCP throughput" [reverse]="TCP reverse (-R)"
	[parallel]="TCP $STREAMS streams (-P)" [auto]="TCP, buffers autotuned")
declare -A NSB_BPS IP_BPS NSB_CPU IP_CPU RATIOS REDONE NSB_SMALL IP_SMALL
# Each run's result in RUN: bits/s, the endpoints' CPU (% of the run, client +
# server) and the smallest of the streams' largest send windows (bytes).
RUN=
nsb_stream() { # kind
	local out
	# shellcheck disable=SC2086 # NSB_OPT holds words
	out=$($NSB measure host "${NSB_TEST[$1]}" ${NSB_OPT[$1]} --lab "$ID" --duration "$DUR" \
		--omit 1 --json)
	RUN=$(echo "$out" | jget '"\(.metrics.throughput_bps) \(.metrics.cpu_client_pct +
		.metrics.cpu_server_pct) \([.iperf.end.streams[].sender.max_snd_wnd] | min)"')
}
tool_stream() { # kind
	local out pid
	ip netns exec "$INST" taskset -c $CPU iperf3 -s -1 -B $ADDR -p 5203 >/dev/null 2>&1 &
	pid=$!
	wait_listen "$INST" 5203
	# shellcheck disable=SC2086 # IP_OPT holds words
	out=$(ip netns exec "$VPC" taskset -c $CPU iperf3 -c $ADDR -p 5203 -t "$DUR" -O 1 -J \
		${IP_OPT[$1]})
	wait $pid || true
	RUN=$(echo "$out" | jget '"\(.end.sum_received.bits_per_second) \(
		.end.cpu_utilization_percent.host_total + .end.cpu_utilization_percent.remote_total) \(
		[.end.streams[].sender.max_snd_wnd] | min)"')
}

# One pair of KIND in the rep's order; again while the two runs' CPU differs.
stream_pair() { # kind nsbench-first
	local k=$1 a b try
	for try in $(seq 0 "$RETRIES"); do
		if [ "$2" = 1 ]; then
			nsb_stream "$k"; a=$RUN; tool_stream "$k"; b=$RUN
		else
			tool_stream "$k"; b=$RUN; nsb_stream "$k"; a=$RUN
		fi
		# shellcheck disable=SC2086 # three words each
		set -- "$k" "$2" $a $b
		# The autotuned pair's CPU differs by the buffer's state (~92% grown, ~97%
		# small): not a disturbance, and that pair is not judged.
		[ "$k" != auto ] || break
		awk -v x="$4" -v y="$7" -v g="$SHARE_GAP" 'BEGIN {d = x - y; exit !(d > g || -d > g)}' ||
			break
		[ "$try" -lt "$RETRIES" ] || break
		awk -v k="$k" -v x="$4" -v y="$7" 'BEGIN {printf "bench-engines: %s pair disturbed " \
			"(endpoints%s CPU %.0f%% vs %.0f%%), again\n", k, "\047", x, y}' >&2
		REDONE[$k]=$((${REDONE[$k]:-0} + 1))
		set -- "$k" "$2"
	done
	NSB_BPS[$k]+="$3 " IP_BPS[$k]+="$6 " NSB_CPU[$k]+="$4 " IP_CPU[$k]+="$7 "
	RATIOS[$k]+="$(awk -v a="$3" -v b="$6" 'BEGIN {printf "%.4f", a / b}') "
	awk -v w="$5" -v s="$SMALL_WND" 'BEGIN {exit !(w < s)}' && NSB_SMALL[$k]=$((${NSB_SMALL[$k]:-0} + 1))
	awk -v w="$8" -v s="$SMALL_WND" 'BEGIN {exit !(w < s)}' && IP_SMALL[$k]=$((${IP_SMALL[$k]:-0} + 1))
	PAIR="$(awk -v a="$3" -v b="$6" -v c="$4" -v d="$7" -v e="$5" -v f="$8" -v k="$k" \
		'BEGIN {printf "%.2f/%.2f Gbit/s (x%.3f, CPU %.0f/%.0f%%%s)", a / 1e9, b / 1e9, a / b, c, d,
			k == "auto" ? sprintf(", window %.1f/%.1f MiB", e / 1048576, f / 1048576) : ""}')"
}

# Counterbalanced (ABBA): whichever runs second in a pair gains a few percent
# here (measured: nsbench/iperf3 0.97 when nsbench always ran first, 1.01 when
# it always ran second), so the order alternates between repetitions.
steal_mark
for rep in $(seq 1 "$REPS"); do
	first=$((rep % 2))
	if [ $first -eq 1 ]; then nsb_rr; tool_rr; else tool_rr; nsb_rr; fi
	line="rr p50 ${NSB_P50[-1]}/${SP_P50[-1]} us, tps ${NSB_TPS[-1]}/${SP_TPS[-1]}"
	for k in "${KINDS[@]}"; do
		stream_pair "$k" $first
		line+="; $k $PAIR"
	done
	steal_mark
	say "rep $rep: $line (nsbench/tool); steal $STEAL%, load $(cut -d' ' -f1 /proc/loadavg)"
done

# The median of the arguments.
median_of() { printf '%s\n' "$@" | median; }
a=$(median_of "${NSB_P50[@]}"); b=$(median_of "${SP_P50[@]}")
c=$(median_of "${NSB_TPS[@]}"); d=$(median_of "${SP_TPS[@]}")

echo
echo "Engines against the standard tools: host mode, ingress, both endpoints on CPU $CPU,"
echo "${DUR} s per run, median of $REPS alternating runs ($(uname -r), $(nproc) CPUs)"
fail=0
awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v m="$MSG" 'BEGIN {
	printf "  TCP_RR %d B p50 latency:   nsbench %.2f us, sockperf --full-rtt %.2f us: ratio %.3f (goal <= 1.05)\n", m, a, b, a / b
	printf "  TCP_RR %d B trans/s:       nsbench %.0f, sockperf %.0f: ratio %.3f (goal >= 0.95)\n", m, c, d, c / d
	exit (a / b > 1.05) || (c / d < 0.95)
}' || fail=1
for k in "${KINDS[@]}"; do
	# shellcheck disable=SC2086 # lists of numbers
	e=$(median_of ${NSB_BPS[$k]}) f=$(median_of ${IP_BPS[$k]}) r=$(median_of ${RATIOS[$k]})
	# shellcheck disable=SC2086
	g=$(median_of ${NSB_CPU[$k]}) h=$(median_of ${IP_CPU[$k]})
	judged=0
	[[ " ${JUDGED[*]} " == *" $k "* ]] && judged=1
	awk -v l="${LABEL[$k]}" -v e="$e" -v f="$f" -v r="$r" -v g="$g" -v h="$h" -v j=$judged \
		-v n="${REDONE[$k]:-0}" -v sa="${NSB_SMALL[$k]:-0}" -v sb="${IP_SMALL[$k]:-0}" \
		-v reps="$REPS" -v w="$WINDOW" 'BEGIN {
		printf "  %-25s nsbench %.2f Gbit/s, iperf3 %.2f Gbit/s: pair ratio %.3f %s\n",
			l ":", e / 1e9, f / 1e9, r, j ? "(goal 0.97-1.03)" : "(shown, not judged)"
		printf "  %-25s %s; endpoints%s CPU nsbench %.0f%%, iperf3 %.0f%%%s\n", "",
			j ? "window " w : sprintf("buffer stayed small in %d/%d and %d/%d runs", sa, reps, sb, reps),
			"\047", g, h, n ? sprintf("; %d disturbed pair%s measured again", n, n > 1 ? "s" : "") : ""
		exit j && ((r < 0.97) || (r > 1.03))
	}' || fail=1
done
[ $fail -eq 0 ] || echo "  goal missed"
exit $fail
