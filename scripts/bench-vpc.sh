#!/bin/bash
# SPDX-License-Identifier: MIT
# What the VPC's side costs (issue 19), side by side in interleaved rounds (one
# `nsbench run` each per round, so that the machine's drift hits each alike),
# then `nsbench compare --by-vpc` over them:
#   - awsvpc's ingress and intra-host paths before and after the VPC switch:
#     the nsbench of commit PREV (default 54dd98c, the last with every awsvpc
#     macvlan on the instance's eth0), built in a scratch worktree, against
#     this one at the same MTU (1500) and wire (veth), so that only the layout
#     differs;
#   - each mode at MTU 9001 with --wire nic against --wire veth (ingress);
#   - trunked against untrunked awsvpc, where the kernel has VLAN devices.
# The IPv6 rows come from `nsbench run --ip 4,6`, where this nsbench has it.
# The verdicts carry their intervals; under an emulated CPU nothing is decided.
#   ROUNDS (default 3), REPS per run (default 2), OUT (default a temp folder,
#   removed) keep the results files; PREV the commit of the old layout.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top
ROUNDS=${ROUNDS:-3}
REPS=${REPS:-2}
PREV=${PREV:-54dd98c}
need_root
if [ -n "${OUT:-}" ]; then
	dir=$OUT
	mkdir -p "$dir"
else
	dir=$(mktemp -d /tmp/nsbench-bench-vpc-XXXXXX)
fi
old=$(mktemp -d /tmp/nsbench-prev-XXXXXX)
cleanup() {
	git -C "$top" worktree remove --force "$old" 2>/dev/null || rm -rf "$old"
	[ -n "${OUT:-}" ] || rm -rf "$dir"
	rm -rf "${tmp:-}" # its own trap replaced tmp_dir's
}
trap cleanup EXIT

echo "bench-vpc: building the layout of $PREV in $old"
git worktree add --detach "$old" "$PREV" >/dev/null 2>&1
make -C "$old" -j2 nsbench >"$dir/prev-build.log" 2>&1 ||
	{ say "building $PREV failed:"; tail -5 "$dir/prev-build.log" >&2; exit 1; }
# The old binary finds Docker's proxy where this tree keeps it.
[ -x build-tools/docker-proxy/docker-proxy ] &&
	export NSBENCH_DOCKER_PROXY=$top/build-tools/docker-proxy/docker-proxy

vlan=yes
$NSB doctor 2>/dev/null | grep -q "802.1Q VLAN *ok" || vlan=no
base="--tests tcp_stream,tcp_rr,tcp_crr --reps $REPS --duration 2 --rr-duration 1 --no-hot-path"
# name|binary|options of its runs
variants=(
	"prev|$old/nsbench|--modes awsvpc --paths ingress,intra-host"
	"switch|$NSB|--modes awsvpc --paths ingress,intra-host --vpc-mtu 1500 --wire veth"
	"nic|$NSB|--modes host,bridge,awsvpc"
	"veth|$NSB|--modes host,bridge,awsvpc --wire veth"
)
[ $vlan = yes ] && variants+=("trunk|$NSB|--modes awsvpc --paths ingress,intra-host --trunking"
	"eni|$NSB|--modes awsvpc --paths ingress,intra-host")
$NSB run --help 2>&1 | grep -q -- "--ip" && variants+=("ip|$NSB|--modes host,awsvpc --ip 4,6")
t0=$EPOCHREALTIME
for r in $(seq 1 "$ROUNDS"); do
	for v in "${variants[@]}"; do
		IFS='|' read -r name bin opts <<<"$v"
		say "round $r/$ROUNDS: $name"
		# shellcheck disable=SC2086
		"$bin" run $opts $base --out "$dir/r$r-$name" >/dev/null 2>"$dir/r$r-$name.log" ||
			{ say "round $r, $name: run failed:"; tail -3 "$dir/r$r-$name.log" >&2; exit 1; }
	done
done
t1=$EPOCHREALTIME
awk -v a="$t0" -v b="$t1" -v r="$ROUNDS" 'BEGIN { printf "bench-vpc: %d rounds in %.0f s\n", r, b - a }'
[ $vlan = yes ] || echo "bench-vpc: no VLAN devices in this kernel (CONFIG_VLAN_8021Q): trunking not measured"

files() { ls "$dir"/r*-"$1"/*.json; }
show() {
	echo "== $1"
	# Headline rows: TCP_RR p50, TCP_CRR rate, throughput and CPU per GB.
	$NSB compare "${@:2}" 2>&1 |
		grep -E "tcp_rr.*p50|tcp_crr.*tps|tcp_stream.*(throughput|cpu)|vpc|emulated|warning" || true
}
# The old layout's own run line first (a layout but the same kernel and options).
# shellcheck disable=SC2046
show "awsvpc before (macvlans on eth0, $PREV) and after (an ENI each on the VPC switch), MTU 1500, wire veth" \
	--by-vpc $(files prev) $(files switch)
# shellcheck disable=SC2046
show "MTU 9001: --wire nic (frames as a NIC delivers them) against --wire veth (super-packets)" \
	--by-vpc $(files veth) $(files nic)
if [ $vlan = yes ]; then
	# shellcheck disable=SC2046
	show "awsvpc trunked (VLAN branches of one trunk ENI) against an ENI each" \
		--by-vpc $(files eni) $(files trunk)
fi
if ls "$dir"/r*-ip >/dev/null 2>&1; then
	# Families are different tests to compare: each round's IPv6 median over its
	# IPv4 one (the same lab, side by side), then their geometric mean and range.
	echo "== IPv6 over IPv4, same round (geometric mean over rounds, min-max; descriptive)"
	for f in $(files ip); do
		jq -c '[.results[] | select(.path == "ingress")
			| {k: "\(.mode) \(.test)", f: (.family // "ipv4"), m: .summary}] as $e
			| $e[] | select(.f == "ipv6") as $six
			| $e[] | select(.f == "ipv4" and .k == $six.k) as $four
			| ["throughput_bps", "p50_us", "tps"][] as $met
			| select($six.m[$met].median != null and ($four.m[$met].median // 0) > 0)
			| {k: "\($six.k) \($met)", r: ($six.m[$met].median / $four.m[$met].median)}' "$f"
	done | jq -r -s 'group_by(.k)[] | (map(.r | log) | add / length | exp) as $g
		| "\(.[0].k): \($g * 1000 | round / 1000) [\(map(.r) | min * 1000 | round / 1000)-\(map(.r) | max * 1000 | round / 1000)] over \(length) rounds"'
fi
