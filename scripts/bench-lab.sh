#!/bin/bash
# SPDX-License-Identifier: MIT
# Lab build and teardown: nsbench against the same topology made with `ip` and
# `nft`, side by side in one run, alternating, REPS times per mode.
# Goals (issue 2): build >= 10x faster; teardown no slower than the commands.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top

REPS=${REPS:-7}
TASKS=${TASKS:-2}
MODES="awsvpc bridge bridge-dynamic host none"

need_root
command -v nft >/dev/null || die "needs nft (Debian package nftables)"

now_us() { local t=$EPOCHREALTIME; echo $(( ${t/./} )); }

# The lab of MODE through ip/nft commands, names prefixed $P (nsb-<id>- so that
# `nsbench clean` would find them).
ip_up() {
	local mode=$1 P=$2 n
	local settle=(sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1)
	for ns in vpc inst; do
		ip netns add ${P}$ns
		ip netns exec ${P}$ns "${settle[@]}"
		ip -n ${P}$ns link set lo up
	done
	ip netns exec ${P}inst sysctl -qw net.ipv4.ip_forward=1
	ip -n ${P}vpc link add vpc0 up type veth peer name eth0 netns ${P}inst
	ip -n ${P}inst link set eth0 up
	ip -n ${P}vpc addr add 198.18.0.1/24 dev vpc0
	ip -n ${P}inst addr add 198.18.0.2/24 dev eth0
	ip -n ${P}inst route add default via 198.18.0.1
	case $mode in bridge*)
		ip -n ${P}inst link add ecs0 up type bridge
		ip -n ${P}inst addr add 198.19.0.1/24 dev ecs0
		ip netns exec ${P}inst nft -f - <<-EOT
		table ip nsbench {
		  chain prerouting { type nat hook prerouting priority dstnat; policy accept; }
		  chain output { type nat hook output priority -100; policy accept; }
		  chain postrouting { type nat hook postrouting priority srcnat; policy accept;
		    ip saddr 198.19.0.0/24 oifname != "ecs0" counter masquerade
		    ip saddr 198.19.0.0/24 oifname "ecs0" ct status dnat counter masquerade
		  }
		  chain forward { type filter hook forward priority filter; policy accept;
		    oifname "ecs0" ct status dnat counter accept
		    iifname "ecs0" counter accept
		  }
		}
		EOT
	esac
	[ "$mode" = host ] && return 0
	for n in $(seq 1 "$TASKS"); do
		local t=${P}t$n
		ip netns add $t
		ip netns exec $t "${settle[@]}"
		ip -n $t link set lo up
		case $mode in
		awsvpc)
			ip -n ${P}inst link add link eth0 name eth0 netns $t type macvlan mode bridge
			ip -n $t link set eth0 up
			ip -n $t addr add 198.18.0.$((10 + n))/24 dev eth0
			ip -n $t route add default via 198.18.0.1 ;;
		bridge*)
			local hp=$((5200 + n)) a=198.19.0.$((1 + n))
			ip -n ${P}inst link add veth-t$n up master ecs0 type veth peer name eth0 netns $t
			ip -n $t link set eth0 up
			ip -n $t addr add $a/24 dev eth0
			ip -n $t route add default via 198.19.0.1
			ip netns exec ${P}inst nft -f - <<-EOT
			add rule ip nsbench prerouting ip daddr 198.18.0.2 tcp dport $hp counter dnat to $a:5201
			add rule ip nsbench prerouting ip daddr 198.18.0.2 udp dport $hp counter dnat to $a:5201
			add rule ip nsbench output ip daddr 198.18.0.2 tcp dport $hp counter dnat to $a:5201
			add rule ip nsbench output ip daddr 198.18.0.2 udp dport $hp counter dnat to $a:5201
			EOT
			;;
		esac
	done
}

# Link by link, then the namespaces: each `ip link del` waits for the kernel.
ip_down_links() {
	local mode=$1 P=$2 n
	if [ "$mode" != host ]; then
		for n in $(seq "$TASKS" -1 1); do
			case $mode in
			awsvpc) ip -n ${P}t$n link del eth0 ;;
			bridge*) ip -n ${P}inst link del veth-t$n ;;
			esac
		done
	fi
	case $mode in bridge*) ip -n ${P}inst link del ecs0 ;; esac
	ip -n ${P}vpc link del vpc0
	ip_down_netns "$mode" "$P"
}

# Namespaces only: returns before the kernel has dismantled them.
ip_down_netns() {
	local mode=$1 P=$2 n
	ip netns del ${P}inst
	ip netns del ${P}vpc
	[ "$mode" = host ] && return 0
	for n in $(seq 1 "$TASKS"); do ip netns del ${P}t$n; done
}

declare -A S
for rep in $(seq 1 "$REPS"); do
	for mode in $MODES; do
		ports=$(seq -s, 5201 $((5200 + TASKS)))
		t0=$(now_us)
		js=$($NSB topo up "$mode" --tasks "$TASKS" --port "$ports" --json)
		t1=$(now_us)
		id=$(echo "$js" | sed -n 's/^ *"lab": "\([0-9a-f]*\)".*/\1/p')
		S[$mode,nsb_inproc]+="$(echo "$js" | sed -n 's/^ *"build_ms": \([0-9.]*\).*/\1/p' |
			awk '{printf "%d", $1 * 1000}') "
		t1=$(now_us)
		$NSB topo down "$id" >/dev/null
		t2=$(now_us)
		S[$mode,nsb_up]+="$((t1 - t0)) "; S[$mode,nsb_down]+="$((t2 - t1)) "

		id=$($NSB topo up "$mode" --tasks "$TASKS" --port "$ports" --json |
			sed -n 's/^ *"lab": "\([0-9a-f]*\)".*/\1/p')
		t1=$(now_us)
		$NSB topo down --links "$id" >/dev/null
		t2=$(now_us)
		S[$mode,nsb_down_links]+="$((t2 - t1)) "

		id=$($NSB topo up "$mode" --tasks "$TASKS" --port "$ports" --json |
			sed -n 's/^ *"lab": "\([0-9a-f]*\)".*/\1/p')
		t1=$(now_us)
		$NSB topo down --netns "$id" >/dev/null
		t2=$(now_us)
		S[$mode,nsb_down_netns]+="$((t2 - t1)) "

		P=nsb-$(printf '%06x' $((RANDOM * 32768 + RANDOM)) | tail -c 6)-
		t0=$(now_us); ip_up "$mode" "$P"; t1=$(now_us)
		ip_down_links "$mode" "$P"; t2=$(now_us)
		S[$mode,ip_up]+="$((t1 - t0)) "; S[$mode,ip_down_links]+="$((t2 - t1)) "

		ip_up "$mode" "$P"; t1=$(now_us)
		ip_down_netns "$mode" "$P"; t2=$(now_us)
		S[$mode,ip_down_netns]+="$((t2 - t1)) "
	done
	say "repetition $rep of $REPS done"
done

ms() { echo "${S[$1]}" | tr ' ' '\n' | grep . | median | awk '{printf "%.2f", $1/1000}'; }

echo
echo "Lab build/teardown, $TASKS task(s) per lab, median of $REPS, milliseconds ($(uname -r), $(nproc) CPUs)"
printf '%-15s %8s %8s %8s %7s %7s | %9s %9s %9s %9s %9s %7s\n' mode "up:nsb" "(in-proc)" "up:ip" "ip/nsb" "ip/in-p" \
	"dn:nsb" "dn:nsb-ns" "dn:nsb-lk" "dn:ip-lk" "dn:ip-ns*" "ip-lk/nsb"
fail=0
for mode in $MODES; do
	a=$(ms "$mode,nsb_up"); b=$(ms "$mode,ip_up"); ip=$(ms "$mode,nsb_inproc")
	c=$(ms "$mode,nsb_down"); d=$(ms "$mode,nsb_down_links"); g=$(ms "$mode,nsb_down_netns")
	e=$(ms "$mode,ip_down_links"); f=$(ms "$mode,ip_down_netns")
	r1=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.1f", b/a}')
	r3=$(awk -v a="$ip" -v b="$b" 'BEGIN {printf "%.1f", b/a}')
	r2=$(awk -v c="$c" -v e="$e" 'BEGIN {printf "%.2f", e/c}')
	printf '%-15s %8s %8s %8s %6sx %6sx | %9s %9s %9s %9s %9s %6sx\n' "$mode" "$a" "$ip" "$b" "$r1" "$r3" "$c" "$g" "$d" "$e" "$f" "$r2"
	awk -v r="$r1" 'BEGIN {exit !(r < 10)}' && { echo "  goal missed: build $mode (whole command) only ${r1}x faster (goal 10x)"; fail=1; }
	awk -v r="$r3" 'BEGIN {exit !(r < 10)}' && { echo "  goal missed: build $mode (in-process) only ${r3}x faster (goal 10x)"; fail=1; }
	awk -v r="$r2" 'BEGIN {exit !(r < 1)}' && { echo "  goal missed: teardown $mode slower than ip link del"; fail=1; }
done
echo "up:nsb = the whole nsbench topo up command; (in-proc) = its build_ms, without process start"
echo "dn:nsb    = nsbench topo down: the lab's links in one RTM_DELLINK by link group, then the namespaces"
echo "dn:nsb-ns  = namespaces only, waiting until the kernel has dismantled the instance's devices"
echo "dn:nsb-lk / dn:ip-lk = every link deleted one by one, then the namespaces"
echo "* dn:ip-ns = ip netns del only; returns before the kernel has freed anything"
leftover=$(leftover_netns)
echo "leftover namespaces: $leftover"
[ "$leftover" -eq 0 ] || fail=1
exit $fail
