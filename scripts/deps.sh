#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages nsbench needs to build, test and benchmark,
# but only those that are missing: apt-get update runs once, and only then.
set -eu

PKGS="make gcc pkg-config
libnl-3-dev libnl-route-3-dev libmnl-dev libiperf-dev libnftables-dev
libcmocka-dev libjansson-dev libgsl-dev libcsv-dev
iproute2 nftables iperf3 sockperf procps valgrind gnuplot-nox jq
clang libclang-rt-14-dev
chromium tidy libxml2-utils
debhelper dpkg-dev fakeroot lintian"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root (sudo make ...) to install them" >&2
	exit 1
fi

echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
