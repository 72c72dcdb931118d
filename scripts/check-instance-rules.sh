#!/bin/bash
# SPDX-License-Identifier: MIT
# Loads share/instance/*.rules, rendered for the lab's example values, into
# scratch network namespaces with iptables-nft-restore and
# iptables-legacy-restore (and ip6tables-*), and checks what the *-save tools
# print against share/instance/expected-bridge-2tasks*.save. Needs root and
# iptables 1.8.x; touches only the namespaces it creates (nsbrules-PID-*),
# and checks that the root namespace's rulesets are empty before and after.
#   scripts/check-instance-rules.sh            check
#   scripts/check-instance-rules.sh --update   rewrite the expected files (nft)
# Example values: bridge ecs0, subnet 198.18.128.0/24; bindings, in Docker's
# order: tcp 8080 -> 198.18.128.2:5201, udp 8080 -> same, tcp 8081 ->
# 198.18.128.3:5201, udp 8081 -> same.
set -eu
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top
D=share/instance
UPDATE=0
[ "${1:-}" = --update ] && UPDATE=1
OUT=$(mktemp -d)
NSLIST=()
# shellcheck disable=SC2317 # called through the trap
cleanup() {
	local ns
	for ns in "${NSLIST[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
	rm -rf "$OUT"
}
trap cleanup EXIT

rootcheck() {
	local t n
	for t in iptables-nft-save iptables-legacy-save ip6tables-nft-save ip6tables-legacy-save; do
		n=$($t | wc -l)
		[ "$n" -eq 0 ] || die "root namespace: $t prints $n lines ($1); refusing"
	done
}

# render FILE on|off [sed expressions...]
render() {
	local f=$1 p=$2 keep drop
	shift 2
	if [ "$p" = on ]; then keep=proxy-on drop=proxy-off; else keep=proxy-off drop=proxy-on; fi
	sed -e "/^?$drop /d" -e "s/^?$keep //" -e 's/@BRIDGE@/ecs0/g' \
		-e 's|@BRIDGE_NET@|198.18.128.0/24|g' "$@" "$f"
}
# port on|off PROTO HOST_PORT TASK_ADDR TASK_PORT
port() {
	render $D/docker-port.rules "$1" -e "s/@PROTO@/$2/g" -e "s/@HOST_PORT@/$3/g" \
		-e "s/@TASK_ADDR@/$4/g" -e "s/@TASK_PORT@/$5/g"
}
# without iptables-save's header lines and counters
strip() { sed -e '/^#/d' -e 's/ \[[0-9]*:[0-9]*\]$//'; }
# tables' blocks in a fixed order (legacy prints them in another)
bytable() { awk '/^\*/{t=$0} {print t "\t" $0}' | sort -s -t "$(printf '\t')" -k1,1; }

rootcheck before
fail=0
for proxy in on off; do
	for be in nft legacy; do
		ns=nsbrules-$$-$be-$proxy
		ip netns add "$ns"
		NSLIST+=("$ns")
		render $D/ecs-instance.rules $proxy | ip netns exec "$ns" iptables-$be-restore
		for b in "tcp 8080 198.18.128.2 5201" "udp 8080 198.18.128.2 5201" \
			"tcp 8081 198.18.128.3 5201" "udp 8081 198.18.128.3 5201"; do
			# shellcheck disable=SC2086
			port $proxy $b | ip netns exec "$ns" iptables-$be-restore --noflush
		done
		ip netns exec "$ns" iptables-$be-save | strip >"$OUT/$be.$proxy"
		render $D/ecs-instance6.rules $proxy | ip netns exec "$ns" ip6tables-$be-restore
		ip netns exec "$ns" ip6tables-$be-save | strip >"$OUT/$be.$proxy.6"
		ip netns del "$ns"
	done
	exp=$D/expected-bridge-2tasks.save
	[ $proxy = on ] || exp=$D/expected-bridge-2tasks.proxy-off.save
	if [ $UPDATE = 1 ]; then
		cp "$OUT/nft.$proxy" "$exp"
		[ $proxy = off ] || cp "$OUT/nft.$proxy.6" $D/expected-bridge-2tasks.save6
	fi
	diff -u "$exp" "$OUT/nft.$proxy" || { echo "FAIL: proxy $proxy: nft differs from $exp" >&2; fail=1; }
	diff -u <(bytable <"$OUT/nft.$proxy") <(bytable <"$OUT/legacy.$proxy") ||
		{ echo "FAIL: proxy $proxy: legacy's rules differ from nft's" >&2; fail=1; }
	diff -u $D/expected-bridge-2tasks.save6 "$OUT/nft.$proxy.6" ||
		{ echo "FAIL: proxy $proxy: ip6tables-nft differs" >&2; fail=1; }
	diff -u "$OUT/nft.$proxy.6" "$OUT/legacy.$proxy.6" ||
		{ echo "FAIL: proxy $proxy: ip6tables-legacy differs" >&2; fail=1; }
done
rootcheck after
[ $fail = 0 ] && echo "check-instance-rules: ok (nft and legacy, proxy on and off, IPv4 and IPv6)"
exit $fail
