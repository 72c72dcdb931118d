#!/bin/sh
# SPDX-License-Identifier: MIT
# Boot a Debian kernel under qemu with this machine's userland and run one
# command in it: the method of virtme-ng (which Debian 12 does not package).
# The host's / is shared read-only over 9p, the guest kernel's own modules are
# mounted beside it, /run and /tmp are tmpfs, and writable folders are shared
# at their host paths. The guest's exit status, stdout and stderr come back as
# this script's own.
#
#   kernel-guest.sh fetch KERNEL...              download and prepare (cached)
#   kernel-guest.sh run [OPTIONS] KERNEL -- CMD [ARG...]
#   kernel-guest.sh info KERNEL                  the prepared kernel's release
#
# KERNEL: a series (5.10, 6.1, 6.12: Debian's current kernel of the suite that
# carries it, resolved through linux-image-amd64), a package name
# (linux-image-6.1.0-57-amd64, looked up in the series' suites), or the path of a
# vmlinuz whose config-VERSION sits beside it and whose modules are in
# ../lib/modules/VERSION (the layout of an unpacked kernel .deb).
#
# run's options:
#   --timeout S   kill the guest after S seconds (default 900): exit 1, its console shown
#   --share DIR   a writable folder, mounted at the same path in the guest
#                 (repeatable; a path without spaces, commas or colons); a
#                 working folder under /tmp or /run is shared so by itself
#   --accel A     auto (default), kvm or tcg; auto takes KVM only where the CPU
#                 offers vmx or svm and /dev/kvm exists
#   --smp N, --mem MB   the guest's CPUs (default 2) and memory (default 2048)
#   --pin CPUS    pin the guest's vCPU threads, one host CPU each (KVM only)
#
# Kernel packages are fetched with `apt-get download` through a private apt
# configuration under the cache; the machine's sources and dpkg database are
# not touched and nothing is installed. Cache: $NSBENCH_KERNEL_CACHE, default
# /var/cache/nsbench/kernels.
#
# Exit status: the command's own; 1 when the guest failed (did not boot,
# panicked, or missed its deadline: its console log is shown); 2 for a bad
# argument, a missing package or a failed download.
set -eu

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"
die_status=2
cache=${NSBENCH_KERNEL_CACHE:-/var/cache/nsbench/kernels}
mirror=${NSBENCH_DEBIAN_MIRROR:-}

# The suites that carry a series, and the mirror path of each.
series_suites() {
	case "$1" in
	5.10) echo "debian-security:bullseye-security debian:bullseye" ;;
	6.1) echo "debian:bookworm debian-security:bookworm-security debian:bookworm-updates" ;;
	6.12) echo "debian:bookworm-backports" ;;
	*) return 1 ;;
	esac
}

# The suites of a series as a reader names them: "bookworm, bookworm-security".
suite_names() {
	series_suites "$1" | tr ' ' '\n' | sed 's/^[^:]*://' | paste -sd, - | sed 's/,/, /g'
}

# The series a package name belongs to: linux-image-6.1.0-57-amd64 -> 6.1.
package_series() {
	v=${1#linux-image-}
	case "$v" in
	5.10.*) echo 5.10 ;; 6.1.*) echo 6.1 ;; 6.12.*) echo 6.12 ;; *) return 1 ;;
	esac
}

# A Debian archive (debian or debian-security) as this machine's apt sources name it.
apt_uri() {
	m=$(sed -n "s/^URIs:[[:space:]]*\(http[^[:space:]]*\/$1\)\/\{0,1\}[[:space:]]*\$/\1/p" \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
	[ -n "$m" ] || m=$(sed -n "s/^deb[[:space:]]\{1,\}\(http[^[:space:]]*\/$1\)\/\{0,1\}[[:space:]].*/\1/p" \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -1)
	echo "$m"
}

# The URI of archive debian or debian-security: NSBENCH_DEBIAN_MIRROR, the machine's, Debian's.
archive_uri() {
	if [ -n "$mirror" ]; then
		echo "${mirror%/debian}/$1"
		return
	fi
	m=$(apt_uri "$1")
	[ -n "$m" ] && { echo "$m"; return; }
	case "$1" in
	debian-security) echo http://security.debian.org/debian-security ;;
	*) echo http://deb.debian.org/debian ;;
	esac
}

# apt-get and apt-cache against a private configuration for one series.
apt_private() {
	tool=$1 series=$2
	shift 2
	d="$cache/apt/$series"
	"$tool" -q -o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" \
		-o Dir::State::status=/dev/null -o APT::Sandbox::User=root "$@"
}

apt_update() {
	series=$1 what=$2
	d="$cache/apt/$series"
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	: >"$d/sources.list"
	for s in $(series_suites "$series"); do
		echo "deb $(archive_uri "${s%%:*}") ${s#*:} main" >>"$d/sources.list"
	done
	apt_private apt-get "$series" update >"$d/update.log" 2>&1 || {
		cat "$d/update.log" >&2
		die "$what (kernel $series): apt-get update failed for $(suite_names "$series") ($d/sources.list)"
	}
}

# KERNEL -> the cache folder that holds it prepared; fetches and prepares it.
prepare() {
	k=$1
	case "$k" in
	*/*) prepare_path "$k"; return ;;
	linux-image-*)
		series=$(package_series "$k") || die "$k: not a package of a known series (5.10, 6.1, 6.12)"
		pkg=$k ;;
	*)
		series_suites "$k" >/dev/null || die "unknown kernel '$k': a series (5.10, 6.1, 6.12), a linux-image-* package or the path of a vmlinuz"
		series=$k pkg="" ;;
	esac
	dir="$cache/${pkg:-$series}"
	if [ -f "$dir/ready" ]; then
		# A cache from before the release was recorded: one lib/modules/VERSION.
		if [ ! -f "$dir/release" ]; then
			ls "$dir/root/lib/modules" >"$dir/release"
			echo "vmlinuz-$(cat "$dir/release")" >"$dir/vmlinuz"
		fi
		echo "$dir"
		return
	fi
	mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] ||
		die "cannot write the kernel cache $cache (run as root, or set NSBENCH_KERNEL_CACHE)"
	# One preparation at a time; another run may have finished it meanwhile.
	exec 9>"$cache/.lock"
	flock 9
	if [ -f "$dir/ready" ]; then
		exec 9>&-
		echo "$dir"
		return
	fi
	apt_update "$series" "${pkg:-linux-image-amd64}"
	if [ -z "$pkg" ]; then
		pkg=$(apt_private apt-cache "$series" show linux-image-amd64 2>/dev/null |
			sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\).*/\1/p' | sort -V | tail -1)
		[ -n "$pkg" ] || die "kernel $series: linux-image-amd64 not found in $(suite_names "$series")"
	fi
	say "fetching $pkg ($series)"
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	(cd "$dir.tmp" && apt_private apt-get "$series" download "$pkg") >"$dir.tmp/download.log" 2>&1 || {
		cat "$dir.tmp/download.log" >&2
		rm -rf "$dir.tmp"
		die "package $pkg could not be downloaded from $(suite_names "$series") (the suites of kernel $series)"
	}
	dpkg-deb -x "$dir.tmp"/linux-image-*.deb "$dir.tmp/root" || die "unpacking $pkg failed"
	echo "$pkg" >"$dir.tmp/package"
	dpkg-deb -f "$dir.tmp"/linux-image-*.deb Version >"$dir.tmp/version"
	rm -f "$dir.tmp"/linux-image-*.deb
	rel=$(ls "$dir.tmp/root/lib/modules")
	[ "$(echo "$rel" | wc -w)" -eq 1 ] || die "$pkg: not one kernel in lib/modules ($rel)"
	echo "$rel" >"$dir.tmp/release"
	echo "vmlinuz-$rel" >"$dir.tmp/vmlinuz"
	make_initramfs "$dir.tmp"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	touch "$dir/ready"
	exec 9>&-
	echo "$dir"
}

# A user's vmlinuz: its config must have 9p and virtio, its modules beside it.
prepare_path() {
	img=$1
	[ -f "$img" ] || die "$img: no such kernel image"
	boot=$(cd "$(dirname "$img")" && pwd)
	rel=$(basename "$img" | sed 's/^vmlinuz-//')
	root=$(dirname "$boot")
	cfg="$boot/config-$rel"
	[ -f "$cfg" ] || die "$img: no $cfg beside it to check for 9p and virtio"
	for opt in CONFIG_VIRTIO_PCI CONFIG_NET_9P CONFIG_NET_9P_VIRTIO CONFIG_9P_FS CONFIG_DEVTMPFS; do
		grep -Eq "^$opt=(y|m)$" "$cfg" || die "$img: $opt is not set in $cfg: the guest needs 9p over virtio"
	done
	[ -d "$root/lib/modules/$rel" ] || die "$img: no modules at $root/lib/modules/$rel"
	dir="$cache/path-$(echo "$img" | cksum | cut -d' ' -f1)"
	if [ ! -f "$dir/ready" ] || [ "$img" -nt "$dir/ready" ]; then
		rm -rf "$dir"
		mkdir -p "$dir" || die "cannot write the kernel cache $cache (run as root, or set NSBENCH_KERNEL_CACHE)"
		ln -s "$root" "$dir/root"
		echo "$img" >"$dir/package"
		echo "$rel" >"$dir/release"
		basename "$img" >"$dir/vmlinuz"
		make_initramfs "$dir"
		touch "$dir/ready"
	fi
	echo "$dir"
}

# What the initramfs is built from: when the guest's stages change, it is built again.
stages_sum() {
	cat "$here/guest/init" "$here/guest/stage2" | cksum | cut -d' ' -f1
}

# busybox-static, the two stages and the modules 9p needs, plain .ko, in load
# order, into DIR/initramfs.gz, for the kernel DIR/root and DIR/release hold.
make_initramfs() {
	out=$1
	root="$out/root" rel=$(cat "$out/release")
	[ -x /bin/busybox ] || die "busybox not found: install busybox-static (scripts/deps.sh)"
	case "$(file -b /bin/busybox 2>/dev/null || echo static)" in
	*dynamic*) die "/bin/busybox is dynamically linked: install busybox-static" ;;
	esac
	depmod -b "$root" "$rel" 2>/dev/null || die "depmod failed on $root"
	t="$out/initramfs.d"
	rm -rf "$t"
	mkdir -p "$t/bin" "$t/lib/initrd"
	cp /bin/busybox "$t/bin/busybox"
	cp "$here/guest/init" "$t/init"
	cp "$here/guest/stage2" "$t/stage2"
	: >"$t/lib/initrd-modules"
	for m in virtio_pci 9pnet_virtio 9p; do
		modprobe --show-depends -d "$root" -S "$rel" "$m" >"$t/deps" 2>&1 ||
			die "$rel: the guest needs $m, which its modules do not provide: $(cat "$t/deps")"
		while read -r kind path _; do
			[ "$kind" = insmod ] || continue
			name=$(basename "$path")
			name=${name%.xz}
			name=${name%.zst}
			grep -qx "$name" "$t/lib/initrd-modules" && continue
			case "$path" in
			*.xz) xz -dc "$path" >"$t/lib/initrd/$name" ;;
			*.zst) zstd -qdc "$path" >"$t/lib/initrd/$name" ;;
			*) cp "$path" "$t/lib/initrd/$name" ;;
			esac
			echo "$name" >>"$t/lib/initrd-modules"
		done <"$t/deps"
	done
	rm -f "$t/deps"
	(cd "$t" && find . | cpio -o -H newc --quiet) >"$out/initramfs" || die "cpio failed in $t"
	gzip -1f "$out/initramfs"
	stages_sum >"$out/initramfs.sum"
	rm -rf "$t"
}

# 'a b' -> a shell word that stands for it, single-quoted.
quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

accel_choice() {
	case "$1" in
	kvm | tcg) echo "$1" ;;
	auto)
		if [ -w /dev/kvm ] && grep -Eqw 'vmx|svm' /proc/cpuinfo; then echo kvm; else echo tcg; fi ;;
	*) die "--accel takes auto, kvm or tcg" ;;
	esac
}

qemu_pid=""
ctl=""
cleanup() {
	[ -n "$qemu_pid" ] && kill -KILL "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
	[ -n "$ctl" ] && rm -rf "$ctl"
	qemu_pid="" ctl=""
}

# Pin each vCPU thread ("CPU n/KVM", qemu's debug-threads names) to one host
# CPU, once qemu has made them (within 10 s); one CPU per vCPU.
pin_vcpus() {
	pid=$1 cpus=$2 smp=$3
	[ "$(echo "$cpus" | tr ',' ' ' | wc -w)" -eq "$smp" ] || die "--pin: give $smp CPUs, one per vCPU" 1
	for _ in $(seq 1 100); do
		[ "$(cat /proc/"$pid"/task/*/comm 2>/dev/null | grep -c '^CPU [0-9]*/KVM$')" -ge "$smp" ] && break
		sleep 0.1
	done
	i=0
	for c in $(echo "$cpus" | tr ',' ' '); do
		tid=""
		for t in $(ls "/proc/$pid/task" 2>/dev/null); do
			[ "$(cat "/proc/$pid/task/$t/comm" 2>/dev/null)" = "CPU $i/KVM" ] && tid=$t
		done
		[ -n "$tid" ] || die "--pin: qemu made no thread 'CPU $i/KVM' within 10 s" 1
		taskset -pc "$c" "$tid" >/dev/null || die "--pin: taskset of vCPU $i to CPU $c failed" 1
		i=$((i + 1))
	done
	say "vCPUs pinned to CPUs $cpus"
}

cmd_run() {
	timeout=900 shares="" accel=auto smp=2 mem=2048 pin=""
	while [ $# -gt 0 ]; do
		case "$1" in
		--timeout) timeout=${2:?--timeout takes seconds}; shift 2 ;;
		--share) shares="$shares ${2:?--share takes a folder}"; shift 2 ;;
		--accel) accel=${2:?}; shift 2 ;;
		--smp) smp=${2:?}; shift 2 ;;
		--mem) mem=${2:?}; shift 2 ;;
		--pin) pin=${2:?}; shift 2 ;;
		--) die "run: KERNEL comes before --" ;;
		-*) die "run: unknown option $1" ;;
		*) break ;;
		esac
	done
	[ $# -ge 3 ] && [ "$2" = -- ] || die "usage: kernel-guest.sh run [OPTIONS] KERNEL -- CMD [ARG...]"
	case "$timeout" in *[!0-9]* | "") die "--timeout takes whole seconds" ;; esac
	kernel=$1
	shift 2
	command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: install qemu-system-x86 (scripts/deps.sh)"
	accel=$(accel_choice "$accel")
	[ -n "$pin" ] && [ "$accel" != kvm ] && die "--pin needs KVM"
	# Folders: at their own paths in the guest; 9p's options and the kernel's
	# command line take no space, comma or colon in them.
	shared=""
	for s in $shares; do
		[ -d "$s" ] || die "--share $s: no such folder"
		s=$(cd "$s" && pwd)
		case "$s" in *[[:space:],:]*) die "--share $s: a folder without spaces, commas or colons, please" ;; esac
		shared="$shared${shared:+:}$s"
	done
	# The guest's /tmp and /run are its own: a working folder there is shared
	# at its path (a checkout under /tmp, as a CI job may have).
	case "$(pwd)/" in
	/tmp/* | /run/*)
		in_share=no
		for s in $(echo "$shared" | tr ':' ' '); do
			case "$(pwd)/" in "$s"/*) in_share=yes ;; esac
		done
		if [ $in_share = no ]; then
			case "$(pwd)" in *[[:space:],:]*) die "the working folder $(pwd) is under /tmp or /run, which the guest has of its own, and its path cannot be shared: work elsewhere" ;; esac
			shared="$shared${shared:+:}$(pwd)"
		fi ;;
	esac
	dir=$(prepare "$kernel")
	if [ "$(cat "$dir/initramfs.sum" 2>/dev/null)" != "$(stages_sum)" ]; then
		exec 9>"$cache/.lock"
		flock 9
		make_initramfs "$dir"
		exec 9>&-
	fi
	[ "$accel" = tcg ] && say "no hardware virtualisation here (vmx/svm): emulating with TCG; figures from this guest are not performance figures"

	trap 'cleanup; exit 129' HUP
	trap 'cleanup; exit 130' INT
	trap 'cleanup; exit 143' TERM
	trap cleanup EXIT
	ctl=$(mktemp -d /tmp/nsb-guest.XXXXXX)
	{
		echo "cd $(quote "$(pwd)") || exit 125"
		env | grep -E '^(NSBENCH_[A-Z0-9_]*|CI)=' | while IFS= read -r kv; do
			echo "export ${kv%%=*}=$(quote "${kv#*=}")"
		done
		printf 'exec'
		for a in "$@"; do printf ' %s' "$(quote "$a")"; done
		echo
	} >"$ctl/cmd"

	virtfs="local,security_model=none,multidevs=remap"
	set -- -virtfs "$virtfs,path=/,mount_tag=rootfs,readonly=on" \
		-virtfs "$virtfs,path=$(readlink -f "$dir/root")/lib/modules/$(cat "$dir/release"),mount_tag=modules,readonly=on" \
		-virtfs "$virtfs,path=$ctl,mount_tag=ctl"
	i=0
	for s in $(echo "$shared" | tr ':' ' '); do
		set -- "$@" -virtfs "$virtfs,path=$s,mount_tag=share$i"
		i=$((i + 1))
	done
	if [ "$accel" = kvm ]; then
		set -- "$@" -accel kvm -cpu host
	else
		# Without MONITOR/MWAIT: TCG runs a guest's MWAIT as PAUSE when it has
		# more than one vCPU, so a guest kernel that idles with MWAIT keeps every
		# idle vCPU spinning on a host CPU; with HLT an idle vCPU sleeps.
		set -- "$@" -accel tcg,thread=multi -cpu max,-monitor
	fi
	setpriv --pdeathsig KILL -- qemu-system-x86_64 -machine q35 -smp "$smp" -m "$mem" \
		-nodefaults -no-user-config -display none -no-reboot -name nsb-guest,debug-threads=on \
		-serial "file:$ctl/console.log" \
		-kernel "$dir/root/boot/$(cat "$dir/vmlinuz")" -initrd "$dir/initramfs.gz" \
		-append "console=ttyS0 panic=-1 loglevel=4 nsb.ctl=$ctl nsb.shares=$shared" \
		"$@" >"$ctl/qemu.log" 2>&1 &
	qemu_pid=$!
	[ -n "$pin" ] && pin_vcpus "$qemu_pid" "$pin" "$smp"
	waited=0
	while kill -0 "$qemu_pid" 2>/dev/null; do
		if [ "$waited" -ge "$timeout" ]; then
			kill -KILL "$qemu_pid" 2>/dev/null
			wait "$qemu_pid" 2>/dev/null || true
			qemu_pid=""
			say "the guest ($kernel) did not finish within $timeout s: killed; its console:"
			tail -n 40 "$ctl/console.log" >&2
			exit 1
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait "$qemu_pid" 2>/dev/null || true
	qemu_pid=""
	if [ ! -f "$ctl/status" ]; then
		say "the guest ($kernel) stopped without finishing the command; qemu said:"
		tail -n 10 "$ctl/qemu.log" >&2
		say "its console:"
		tail -n 40 "$ctl/console.log" >&2
		exit 1
	fi
	cat "$ctl/stdout"
	cat "$ctl/stderr" >&2
	rc=$(cat "$ctl/status")
	exit "$rc"
}

case "${1:-}" in
fetch)
	shift
	[ $# -ge 1 ] || die "usage: kernel-guest.sh fetch KERNEL..."
	for k in "$@"; do
		d=$(prepare "$k")
		echo "$k: $(cat "$d/package") $(cat "$d/version" 2>/dev/null || true) in $d"
	done ;;
info)
	[ $# -eq 2 ] || die "usage: kernel-guest.sh info KERNEL"
	d=$(prepare "$2")
	cat "$d/release" ;;
run)
	shift
	cmd_run "$@" ;;
*)
	sed -n '2,/^set -eu/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2
	exit 2 ;;
esac
