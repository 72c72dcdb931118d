#!/bin/bash
# SPDX-License-Identifier: MIT
# What the ECS instance's own baseline costs (issue 18), side by side: the
# instance profiles in interleaved rounds (bare, al2023, al2, al2023 with
# Docker's proxy off; one `nsbench run` each per round, so that the machine's
# drift hits each alike), then `nsbench compare --by-instance` over them all,
# the first profile (bare) as A:
#   - al2023 against bare for host, bridge and awsvpc on the ingress path
#     (TCP_RR p50, TCP_CRR, throughput): ecs-init's and Docker's rules, the
#     conntrack they switch on;
#   - al2 (iptables-legacy) against al2023 (iptables-nft);
#   - Docker's proxy on against off on bridge's local and intra-host paths.
# The verdicts carry their intervals; under an emulated CPU nothing is decided.
#   ROUNDS (default 3), REPS per run (default 2), OUT (default a temp folder,
#   removed) keep the results files.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top
ROUNDS=${ROUNDS:-3}
REPS=${REPS:-2}
need_root
if [ -n "${OUT:-}" ]; then
	dir=$OUT
	mkdir -p "$dir"
else
	tmp_dir
	dir=$tmp
fi

base="--tests tcp_stream,tcp_rr,tcp_crr --reps $REPS --duration 2 --rr-duration 1 --no-hot-path"
# name: options of its runs
profiles=(
	"bare:--instance bare"
	"al2023:--instance al2023"
	"al2:--instance al2"
	"al2023-proxy-off:--instance al2023 --userland-proxy off"
)
t0=$EPOCHREALTIME
for r in $(seq 1 "$ROUNDS"); do
	for p in "${profiles[@]}"; do
		name=${p%%:*} opts=${p#*:}
		# The modes on the ingress path; bridge's local and intra-host paths for the proxy.
		# shellcheck disable=SC2086
		$NSB run $base $opts --modes host,bridge,awsvpc --out "$dir/in-r$r-$name" \
			>/dev/null 2>"$dir/in-r$r-$name.log" ||
			{ say "round $r, $name: run failed:"; tail -3 "$dir/in-r$r-$name.log" >&2; exit 1; }
		case $name in bare | al2) continue ;; esac
		# shellcheck disable=SC2086
		$NSB run $base $opts --modes bridge --paths local,intra-host --tasks 2 \
			--out "$dir/px-r$r-$name" >/dev/null 2>"$dir/px-r$r-$name.log" ||
			{ say "round $r, $name (proxy paths): run failed:"; tail -3 "$dir/px-r$r-$name.log" >&2; exit 1; }
	done
done
t1=$EPOCHREALTIME
awk -v a="$t0" -v b="$t1" -v r="$ROUNDS" 'BEGIN { printf "bench-instance: %d rounds in %.0f s\n", r, b - a }'

files() { ls "$dir"/"$1"-r*-"$2"/*.json; }
show() {
	echo "== $1"
	# Headline rows only: every mode's TCP_RR p50, TCP_CRR rate and throughput.
	$NSB compare "${@:2}" --by-instance 2>&1 | grep -E "tcp_rr.*p50|tcp_crr.*tps|tcp_stream.*throughput|instance|emulated|warning" || true
}
# shellcheck disable=SC2046
show "al2023 (and al2) against bare: what the AMI's rules cost, ingress" \
	$(files in bare) $(files in al2023) $(files in al2)
# shellcheck disable=SC2046
show "al2 (iptables-legacy) against al2023 (iptables-nft)" $(files in al2023) $(files in al2)
# shellcheck disable=SC2046
show "Docker's proxy on against off: bridge's local and intra-host paths" \
	$(files px al2023) $(files px al2023-proxy-off)
