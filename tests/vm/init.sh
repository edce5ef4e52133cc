#!/bin/sh
# tripline VM harness: /init of the initramfs that tests/vm/vm.sh builds.
# Runs under the static busybox that sits next to it (/bin/busybox), in two
# stages:
#
#   stage 1 (pid 1 in the initramfs): load the 9p/virtio/overlay modules
#     listed in /modules.order, mount the host root (9p "hostroot", read-only)
#     under a tmpfs overlay at /newroot, the results share (9p "vmout") at the
#     same path as on the host, the kernel's own module tree on
#     /lib/modules/KVER, and proc, sys, devtmpfs, tracefs, debugfs, bpffs,
#     cgroup2 and securityfs; then switch_root into /newroot with stage 2.
#   stage 2 (pid 1 in the overlay root): run OUT/cmd with /bin/sh as root in
#     the directory named in OUT/cwd, output to OUT/output, exit code to
#     OUT/rc, then power off through the isa-debug-exit port (0xf4).
#
# Parameters come from the kernel command line: tvm.out=DIR (results share
# mount point, the host path), tvm.modules=DIR (host path of the unpacked
# kernel's lib/modules/KVER).  Paths must not contain blanks.

BB=/bin/busybox
PATH=/bin
export PATH

msg() {
	echo "tvm: $*" >/dev/console 2>/dev/null || echo "tvm: $*"
}

# Write one byte to the isa-debug-exit port: qemu exits with (v << 1) | 1.
tvm_exit() {
	$BB sync
	printf '\000' | $BB dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	# Not reached when the device is present.
	$BB poweroff -f
	while :; do $BB sleep 3600; done
}

cmdline_get() {
	for w in $($BB cat /proc/cmdline); do
		case "$w" in
		"$1"=*) echo "${w#*=}"; return 0 ;;
		esac
	done
	return 1
}

stage1() {
	$BB mkdir -p /proc /sys /dev /host /upper /newroot
	$BB mount -t proc proc /proc
	$BB mount -t sysfs sysfs /sys
	$BB mount -t devtmpfs devtmpfs /dev
	exec </dev/null >/dev/console 2>&1
	out=$(cmdline_get tvm.out) || { msg "no tvm.out= on the command line"; tvm_exit; }
	mods=$(cmdline_get tvm.modules) || mods=""

	while read -r ko; do
		[ -n "$ko" ] || continue
		$BB insmod "/modules/$ko" || msg "insmod $ko failed"
	done </modules.order

	msz=262144
	if ! $BB mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=$msz,cache=loose \
	    hostroot /host; then
		msg "cannot mount the host root over 9p"
		tvm_exit
	fi
	$BB mount -t tmpfs -o mode=0755 tmpfs /upper
	$BB mkdir -p /upper/u /upper/w
	if ! $BB mount -t overlay -o lowerdir=/host,upperdir=/upper/u,workdir=/upper/w \
	    overlay /newroot; then
		msg "cannot mount the overlay root"
		tvm_exit
	fi

	r=/newroot
	$BB mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs $r/run
	$BB mkdir -p $r/run/vm $r/run/lock
	$BB cp /bin/busybox /init $r/run/vm/
	$BB mkdir -p "$r$out"
	if ! $BB mount -t 9p -o trans=virtio,version=9p2000.L,msize=$msz,cache=none \
	    vmout "$r$out"; then
		msg "cannot mount the results share at $out"
		tvm_exit
	fi
	if [ -n "$mods" ] && [ -d "$r$mods" ]; then
		kver=${mods##*/}
		$BB mkdir -p "$r/lib/modules/$kver"
		$BB mount -o bind "$r$mods" "$r/lib/modules/$kver"
	fi

	$BB mount --move /proc $r/proc
	$BB mount --move /sys $r/sys
	$BB mount --move /dev $r/dev
	$BB mkdir -p $r/dev/pts $r/dev/shm
	$BB mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts $r/dev/pts
	$BB mount -t tmpfs -o nosuid,nodev tmpfs $r/dev/shm
	$BB mount -t securityfs securityfs $r/sys/kernel/security
	$BB mount -t tracefs tracefs $r/sys/kernel/tracing
	$BB mount -t debugfs debugfs $r/sys/kernel/debug
	$BB mount -t bpf -o mode=0700 bpf $r/sys/fs/bpf
	$BB mount -t cgroup2 -o nsdelegate cgroup2 $r/sys/fs/cgroup
	$BB hostname tripline-vm

	exec $BB switch_root $r /run/vm/busybox sh /run/vm/init stage2 "$out"
}

stage2() {
	BB=/run/vm/busybox
	out=$1
	cwd=/
	[ -f "$out/cwd" ] && cwd=$($BB cat "$out/cwd")
	[ -d "$cwd" ] || cwd=/
	$BB ip link set lo up 2>/dev/null
	msg "running $out/cmd in $cwd"
	# A fresh environment: the harness's own plus OUT/env (NAME=VALUE lines).
	# The command runs in its own session, so it can take the console
	# signals it wants; stdin is /dev/null.
	(
		cd "$cwd" || exit 127
		set --
		if [ -f "$out/env" ]; then
			while IFS= read -r kv; do
				[ -n "$kv" ] && set -- "$@" "$kv"
			done <"$out/env"
		fi
		exec $BB env -i \
		    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		    HOME=/root USER=root LOGNAME=root TERM=dumb LANG=C.UTF-8 \
		    TRIPLINE_VM=1 VM_OUT="$out" "$@" \
		    $BB setsid /bin/sh "$out/cmd" </dev/null >"$out/output" 2>&1
	)
	rc=$?
	echo "$rc" >"$out/rc.tmp" && $BB mv "$out/rc.tmp" "$out/rc"
	msg "command exited with $rc"
	tvm_exit
}

case "${1:-}" in
stage2) shift; stage2 "$@" ;;
*) stage1 ;;
esac
tvm_exit
