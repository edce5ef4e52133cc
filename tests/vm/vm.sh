#!/bin/bash
# tripline VM harness: boot a stock Debian kernel under qemu (TCG) with the
# host root shared read-only over 9p (tmpfs overlay on top), run COMMAND in
# it as root, stream its output, and exit with its exit code.
#
#   tests/vm/vm.sh [--kernel 6.1|6.12|PKG] [--cache DIR] [--mem 2G] [--smp N]
#                  [--timeout S] [--out DIR] [--keep] [-e NAME=VALUE]...
#                  [--append ARGS] [--console] -- COMMAND [ARG]...
#
#   --kernel   kernel series (newest linux-image-6.1.0-N-amd64-unsigned or
#              linux-image-6.12.N+deb12-amd64-unsigned the apt lists know) or
#              an exact package name; default 6.12
#   --cache    where kernels are unpacked (default /var/cache/tripline-vm);
#              a kernel is downloaded and unpacked once, then reused
#   --out      results directory, shared read-write with the guest at the
#              same path: cmd, cwd, env, output, rc, console.log; default a
#              temporary directory, removed afterwards unless --keep or the
#              VM failed
#   -e         extra environment variable for COMMAND (repeatable)
#   --append   extra kernel command line arguments
#   --console  copy the guest console to stderr after the run
#
# COMMAND runs with /bin/sh from the host root, in the current directory (the
# same path in the guest), with TRIPLINE_VM=1 and VM_OUT=<results dir> set.
# Exit status: COMMAND's, or 124 when the VM timed out, 125 when the VM died
# without a result (see console.log), 2 for usage errors.
# Needs root to install packages (qemu-system-x86 busybox-static cpio
# xz-utils zstd) and to share the whole host root.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prog=vm.sh

kernel=6.12
cache=/var/cache/tripline-vm
mem=2G
smp=1	# 2 vCPUs under TCG crashed a guest in an int3 text poke (trampoline attach)
timeout_s=900
out=""
keep=0
console=0
append=""
envs=()

die() { echo "$prog: $*" >&2; exit 125; }
usage() { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
say() { echo "$prog: $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel|--cache|--mem|--smp|--timeout|--out|--append|-e)
		[ $# -ge 2 ] || usage
		case "$1" in
		--kernel) kernel=$2 ;;
		--cache) cache=$2 ;;
		--mem) mem=$2 ;;
		--smp) smp=$2 ;;
		--timeout) timeout_s=$2 ;;
		--out) out=$2 ;;
		--append) append=$2 ;;
		-e)
			case "$2" in
			*$'\n'*) usage ;;
			[A-Za-z_]*=*) envs+=("$2") ;;
			*) usage ;;
			esac ;;
		esac
		shift 2 ;;
	--keep) keep=1; shift ;;
	--console) console=1; shift ;;
	--) shift; break ;;
	-h|--help) usage ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || usage
case "$timeout_s" in ''|*[!0-9]*) usage ;; esac

# ---- host packages -------------------------------------------------------

HOST_PKGS="qemu-system-x86 busybox-static cpio xz-utils zstd"

ensure_pkgs() {
	local missing="" p st
	for p in $HOST_PKGS; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$st" in
		*"install ok installed"*) ;;
		*) missing="$missing $p" ;;
		esac
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages:$missing (run as root to install)"
	say "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >&2
}

# ---- kernel package --------------------------------------------------------

kernel_pattern() {
	case "$1" in
	6.1) echo '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
	6.12) echo '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' ;;
	linux-image-*) printf '^%s$\n' "$(printf %s "$1" | sed 's/[.+]/\\&/g')" ;;
	*) return 1 ;;
	esac
}

# Extra apt options (a private apt state, see apt_private); empty: the
# system's.
APT_OPTS=

# A debootstrap'ed Debian knows only "RELEASE main", while the 6.12 kernels
# of Debian 12 come through RELEASE-security / RELEASE-updates.  Rather than
# edit the system's sources, keep a private apt state in the cache with the
# release, -updates and -security from the system's own mirror.
apt_private() {
	local d=$cache/apt mirror code
	code=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	[ -n "$code" ] || code=bookworm
	mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	    2>/dev/null | awk '$1 == "deb" && $2 ~ /^https?:\/\/.*\/debian\/?$/ \
	    { print $2; exit }')
	[ -n "$mirror" ] || mirror=$(cat /etc/apt/sources.list.d/*.sources \
	    2>/dev/null | awk '$1 == "URIs:" && $2 ~ /\/debian\/?$/ \
	    { print $2; exit }')
	[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
	mirror=${mirror%/}
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	chown _apt "$d/lists/partial" "$d/cache/archives/partial" 2>/dev/null || true
	printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s-security %s-security main\n' \
	    "$mirror" "$code" "$mirror" "$code" "$mirror" "$code" >"$d/sources.list"
	APT_OPTS="-o Dir::Etc::sourcelist=$d/sources.list -o Dir::Etc::sourceparts=- -o Dir::State::Lists=$d/lists -o Dir::Cache=$d/cache"
	say "using a private apt state ($d/sources.list: $code, $code-updates, $code-security)"
	# shellcheck disable=SC2086
	apt-get $APT_OPTS update -q >&2
}

# Newest package name matching the series that the apt lists know (local).
kernel_from_apt() {
	# shellcheck disable=SC2086
	{ apt-cache $APT_OPTS pkgnames linux-image-6 2>/dev/null || true; } |
	    { grep -E "$1" || true; } | sort -V | tail -n 1
}

# Newest kernel of the series already unpacked in the cache (offline use).
kernel_from_cache() {
	local d
	for d in "$cache"/linux-image-*/; do
		[ -f "$d.unpacked" ] || continue
		basename "$d"
	done | { grep -E "$1" || true; } | sort -V | tail -n 1
}

# Download PKG into DIR; 0 on success.
kernel_download() {
	# shellcheck disable=SC2086
	(cd "$2" && apt-get $APT_OPTS download -q "$1" >&2) 2>&1
}

# uncompressed vmlinux from a bzImage: look for each compression magic, try
# decompressing from there, keep the first result that is an ELF file
# (the logic of the kernel's scripts/extract-vmlinux).
is_elf() {
	[ -s "$1" ] && [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]
}

extract_vmlinux() {
	local img=$1 dst=$2 spec magic dec off
	for spec in \
	    '\x1f\x8b\x08|gzip -dc' \
	    '\xfd\x37\x7a\x58\x5a\x00|xz -dc' \
	    '\x28\xb5\x2f\xfd|zstd -dcq' \
	    '\x5d\x00\x00\x00|xz -dc --format=lzma' \
	    '\x42\x5a\x68|bzip2 -dc' \
	    '\x02\x21\x4c\x18|lz4 -dc'; do
		magic=${spec%%|*}
		dec=${spec#*|}
		command -v "${dec%% *}" >/dev/null 2>&1 || continue
		for off in $(LC_ALL=C grep -obUaP "$magic" "$img" | cut -d: -f1 | head -n 16); do
			# Trailing data after the stream makes the decoder fail;
			# the ELF check decides.
			# shellcheck disable=SC2086
			tail -c +"$((off + 1))" "$img" | $dec >"$dst.tmp" 2>/dev/null || true
			if is_elf "$dst.tmp"; then
				mv "$dst.tmp" "$dst"
				return 0
			fi
		done
	done
	rm -f "$dst.tmp"
	return 1
}

# Fetch (apt-get download) and unpack (dpkg-deb -x) PKG into $cache/PKG once.
kernel_fetch() {
	local pkg=$1 dir=$cache/$1 tmp kver
	[ -f "$dir/.unpacked" ] && return 0
	tmp=$cache/.tmp.$$
	rm -rf "$tmp" "$dir"
	mkdir -p "$tmp"
	# apt drops to _apt for downloads when it can write the directory
	chown _apt "$tmp" 2>/dev/null || true
	say "downloading $pkg"
	if ! kernel_download "$pkg" "$tmp"; then
		say "download failed; apt-get update and retry"
		# shellcheck disable=SC2086
		apt-get $APT_OPTS update -q >&2 || true
		kernel_download "$pkg" "$tmp" || { rm -rf "$tmp"; return 1; }
	fi
	say "unpacking $pkg"
	mkdir -p "$dir/root"
	dpkg-deb -x "$tmp"/*.deb "$dir/root"
	rm -rf "$tmp"
	kver=$(ls "$dir/root/lib/modules")
	[ -f "$dir/root/boot/vmlinuz-$kver" ] || die "$pkg: no boot/vmlinuz-$kver"
	extract_vmlinux "$dir/root/boot/vmlinuz-$kver" "$dir/vmlinux" ||
	    die "$pkg: cannot extract vmlinux from vmlinuz-$kver"
	# The package carries no modules.dep (depmod runs at install time):
	# generate it in the cache with busybox's depmod.
	/bin/busybox depmod -b "$dir/root" "$kver" || die "$pkg: depmod failed"
	echo "$kver" >"$dir/kver"
	touch "$dir/.unpacked"
}

# ---- initramfs -----------------------------------------------------------

# Modules the initramfs loads (plus their dependencies).
INITRD_MODS="virtio_pci 9pnet_virtio 9p overlay"

mod_name() {
	local n=${1##*/}
	n=${n%%.ko*}
	echo "${n//-/_}"
}

# Paths (relative to lib/modules/KVER) of MODULE... and their dependencies,
# dependencies first, from modules.dep; built-in ones are skipped.
mod_order() {
	local mdir=$1 builtin=/dev/null
	shift
	[ -f "$mdir/modules.builtin" ] && builtin=$mdir/modules.builtin
	awk -v want="$*" '
	function nm(p) {
		sub(/.*\//, "", p); sub(/\.ko.*/, "", p); gsub(/-/, "_", p)
		return p
	}
	function visit(n,    k, i, d) {
		if (n in done)
			return
		done[n] = 1
		if (!(n in path)) {
			if (!(n in builtin)) {
				print "vm.sh: module " n " not found" >"/dev/stderr"
				err = 1
			}
			return
		}
		k = split(deps[n], d, " ")
		for (i = 1; i <= k; i++)
			visit(nm(d[i]))
		print path[n]
	}
	FILENAME == ARGV[1] {
		i = index($0, ":")
		n = nm(substr($0, 1, i - 1))
		path[n] = substr($0, 1, i - 1)
		deps[n] = substr($0, i + 1)
		next
	}
	{ builtin[nm($0)] = 1 }
	END {
		k = split(want, w, " ")
		for (i = 1; i <= k; i++)
			visit(w[i])
		exit err
	}' "$mdir/modules.dep" "$builtin"
}

initrd_build() {
	local dir=$1 kver mdir stage p n mods
	kver=$(cat "$dir/kver")
	mdir=$dir/root/lib/modules/$kver
	if [ -f "$dir/initrd.cpio" ] && cmp -s "$0" "$dir/initrd.vm" &&
	    cmp -s "$here/init.sh" "$dir/initrd.init" &&
	    [ "$dir/initrd.cpio" -nt /bin/busybox ]; then
		return 0
	fi
	# shellcheck disable=SC2086
	mods=$(mod_order "$mdir" $INITRD_MODS) || die "$mdir: missing modules"
	stage=$(mktemp -d "$cache/.initrd.XXXXXX")
	mkdir -p "$stage/bin" "$stage/modules"
	cp /bin/busybox "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	cp "$here/init.sh" "$stage/init"
	chmod 0755 "$stage/init"
	: >"$stage/modules.order"
	for p in $mods; do
		n=$(mod_name "$p").ko
		case "$p" in
		*.ko) cp "$mdir/$p" "$stage/modules/$n" ;;
		*.ko.xz) xz -dc "$mdir/$p" >"$stage/modules/$n" ;;
		*.ko.zst) zstd -dcq "$mdir/$p" >"$stage/modules/$n" ;;
		*.ko.gz) gzip -dc "$mdir/$p" >"$stage/modules/$n" ;;
		*) die "module $p: unknown compression" ;;
		esac
		echo "$n" >>"$stage/modules.order"
	done
	# Uncompressed: decompressing costs more than reading under TCG.
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet) \
	    >"$dir/initrd.cpio.tmp"
	mv "$dir/initrd.cpio.tmp" "$dir/initrd.cpio"
	cp "$here/init.sh" "$dir/initrd.init"
	cp "$0" "$dir/initrd.vm"
	rm -rf "$stage"
	say "initramfs built: busybox + $(echo "$mods" | sed 's,.*/,,' | tr '\n' ' ')"
}

# ---- main ------------------------------------------------------------------

ensure_pkgs
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found"

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

pat=$(kernel_pattern "$kernel") || usage
pkg=$(kernel_from_cache "$pat")
apt_pkg=$(kernel_from_apt "$pat")
if [ -z "$apt_pkg" ] && [ -z "$pkg" ]; then
	[ "$(id -u)" -eq 0 ] || die "no package matches $kernel (apt-get update as root?)"
	say "no package matches $kernel in the apt lists; apt-get update"
	apt-get update -q >&2
	apt_pkg=$(kernel_from_apt "$pat")
	if [ -z "$apt_pkg" ]; then
		apt_private || true
		apt_pkg=$(kernel_from_apt "$pat")
	fi
fi
# Prefer the newest one apt offers; reuse the cached one when apt offers
# nothing newer (or nothing at all: offline).
if [ -n "$apt_pkg" ]; then
	if [ -z "$pkg" ] || [ "$(printf '%s\n%s\n' "$pkg" "$apt_pkg" | sort -V | tail -n 1)" != "$pkg" ]; then
		pkg=$apt_pkg
	fi
fi
[ -n "$pkg" ] || die "no kernel package matches $kernel"
kernel_fetch "$pkg" || die "cannot fetch $pkg"
# Drop older kernels of the same series: one unpacked tree is ~200-450 MB.
for d in "$cache"/linux-image-*/; do
	d=$(basename "$d")
	[ "$d" != "$pkg" ] || continue
	printf '%s\n' "$d" | grep -qE "$pat" || continue
	[ "$(printf '%s\n%s\n' "$d" "$pkg" | sort -V | tail -n 1)" = "$pkg" ] || continue
	say "removing older cached kernel $d"
	rm -rf "${cache:?}/$d"
done
kdir=$cache/$pkg
kver=$(cat "$kdir/kver")
initrd_build "$kdir"
flock -u 9

if [ -n "$out" ]; then
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	keep=1
	rm -f "$out/rc" "$out/rc.tmp" "$out/output" "$out/console.log"
else
	out=$(mktemp -d /tmp/tripline-vm.XXXXXX)
fi
case "$out" in *[[:space:]]*) die "results directory must not contain blanks: $out" ;; esac

# The command, quoted for /bin/sh.
{
	echo "# written by tests/vm/vm.sh"
	printf 'exec'
	for a in "$@"; do
		printf " '%s'" "${a//\'/\'\\\'\'}"
	done
	echo
} >"$out/cmd"
pwd >"$out/cwd"
: >"$out/env"
for e in "${envs[@]}"; do
	echo "$e" >>"$out/env"
done

cmdline="console=ttyS0 panic=-1 oops=panic loglevel=4 rdinit=/init"
cmdline="$cmdline lsm=lockdown,capability,landlock,bpf"
cmdline="$cmdline tvm.out=$out tvm.modules=$kdir/root/lib/modules/$kver"
[ -n "$append" ] && cmdline="$cmdline $append"

# Under TCG a stock kernel sometimes oopses at boot while it patches its
# own text (int3 in a static key or a trampoline): when the guest died
# before the command started (no OUT/output), boot once more.
for attempt in 1 2; do
	say "booting $pkg ($kver), results in $out"
	start=$(date +%s.%N)
	timeout -k 10 "$timeout_s" qemu-system-x86_64 \
	    -nodefaults -no-user-config -display none -no-reboot \
	    -machine pc,accel=tcg -cpu max -smp "$smp" -m "$mem" \
	    -kernel "$kdir/vmlinux" -initrd "$kdir/initrd.cpio" -append "$cmdline" \
	    -serial "file:$out/console.log" \
	    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	    -fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap" \
	    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	    -fsdev "local,id=vmout,path=$out,security_model=none,multidevs=remap" \
	    -device virtio-9p-pci,fsdev=vmout,mount_tag=vmout \
	    </dev/null >"$out/qemu.log" 2>&1 &
	qpid=$!
	trap 'kill -TERM "$qpid" 2>/dev/null' INT TERM HUP
	tail -s 0.2 -n +1 -F --pid="$qpid" "$out/output" 2>/dev/null || true
	qrc=0
	wait "$qpid" || qrc=$?
	end=$(date +%s.%N)
	if [ -f "$out/rc" ] || [ -e "$out/output" ] || [ "$qrc" -eq 124 ] ||
	    [ "$attempt" -eq 2 ]; then
		break
	fi
	say "the guest died before the command started (console: $out/console.boot$attempt.log); booting again"
	mv "$out/console.log" "$out/console.boot$attempt.log"
done
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')

[ "$console" -eq 1 ] && cat "$out/console.log" >&2
if [ -f "$out/rc" ]; then
	rc=$(cat "$out/rc")
	say "exit $rc after ${elapsed}s ($kver)"
	[ "$keep" -eq 1 ] || rm -rf "$out"
	exit "$rc"
fi
if [ "$qrc" -eq 124 ]; then
	say "timed out after ${timeout_s}s; console log: $out/console.log"
	rc=124
else
	say "VM ended without a result (qemu exit $qrc); console log: $out/console.log"
	rc=125
fi
tail -n 30 "$out/console.log" >&2 || true
cat "$out/qemu.log" >&2 || true
exit "$rc"
