#!/bin/bash
# SPDX-License-Identifier: MIT
# The Debian package, end to end (root): build it from a copy of the tree
# (dpkg-buildpackage -us -uc -b), check it with lintian, install it (dpkg -i),
# run `nsbench --version` and `nsbench doctor` from the installed path, remove
# it (dpkg -r) and check that none of its files is left.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
cd_top
need_root "dpkg -i"
for t in dpkg-buildpackage dh lintian; do
	command -v $t >/dev/null || skip "$t missing (make deps installs it)"
done
if dpkg-query -W -f='${db:Status-Status}' nsbench 2>/dev/null | grep -q '^installed'; then
	skip "an nsbench package is installed here already; not touching it"
fi
work=$(mktemp -d /tmp/nsbench-pkg-XXXXXX)
trap 'dpkg -r nsbench >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir "$work/nsbench"
git ls-files -co --exclude-standard | grep -v '^tests/fixtures/' | tar -cf - -T - | tar -xf - -C "$work/nsbench"
(cd "$work/nsbench" && dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) ||
	{ tail -30 "$work/build.log"; exit 1; }
deb=$(ls "$work"/nsbench_*_*.deb)
echo "package-test: built $(basename "$deb")"
echo "package-test: depends: $(dpkg-deb -f "$deb" Depends)"
echo "package-test: lintian:"
lintian --tag-display-limit 0 "$deb" 2>&1 | grep -v "root privileges" | sed 's/^/  /' || true
dpkg-deb -c "$deb" | awk '{print $6}' | grep -v '/$' | sed 's/^\.//' >"$work/files"
dpkg -i "$deb" >/dev/null
/usr/bin/nsbench --version
# The package cannot bring Docker's proxy (docker.io would start dockerd): a user of
# it points nsbench at one, as this checkout's (scripts/deps.sh takes it out of the .deb).
NSBENCH_DOCKER_PROXY=$PWD/build-tools/docker-proxy/docker-proxy \
	/usr/bin/nsbench doctor >"$work/doctor.log" 2>&1 || { cat "$work/doctor.log"; exit 1; }
echo "package-test: doctor from /usr/bin/nsbench: $(grep -c ' ok' "$work/doctor.log") checks ok"
man -w nsbench >/dev/null && echo "package-test: man page nsbench(8) installed"
pages=$(ls share/man/*.8 | wc -l)
inpkg=$(grep -c '^/usr/share/man/man8/nsbench.*\.8\.gz$' "$work/files")
[ "$inpkg" -eq "$pages" ] || { echo "package-test: $inpkg of $pages man pages in the package"; exit 1; }
echo "package-test: nsbench(8) and the commands' pages, $inpkg man pages"
dpkg -r nsbench >/dev/null
left=0
while read -r f; do
	[ -e "$f" ] && { echo "package-test: left behind: $f"; left=1; }
done <"$work/files"
[ $left -eq 0 ] && echo "package-test: removed, nothing left ($(wc -l <"$work/files") files)"
exit $left
