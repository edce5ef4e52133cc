#!/bin/sh
# tripline: one entry point for users and CI.
#
#   ./run.sh [--state-dir DIR]        install what is missing, build, run in the
#                                     foreground with the shipped defaults
#   ./run.sh [--state-dir DIR] check  install, build, run the whole test suite,
#                                     then the fuzz targets (build/fuzz) and
#                                     the sanitizer stage (build/asan)
#   ./run.sh check-asan               the sanitizer stage alone
#
# Needs root on Debian 12 (apt-get, BPF).  The build goes to ./build, state to
# ./var (or DIR); the sanitizer build to ./build/asan.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

state_dir="$here/var"
mode=run
while [ $# -gt 0 ]; do
	case "$1" in
	--state-dir) [ $# -ge 2 ] || { echo "run.sh: --state-dir needs a directory" >&2; exit 2; }
		state_dir=$2; shift 2 ;;
	--state-dir=*) state_dir=${1#--state-dir=}; shift ;;
	check) mode=check; shift ;;
	check-asan) mode=check-asan; shift ;;
	run) mode=run; shift ;;
	-h|--help) sed -n '2,12p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done

# Everything the build, the daemons and the tests need, from Debian 12.
PKGS="ca-certificates gcc make autoconf automake pkg-config clang llvm
bpftool libbpf-dev libelf-dev zlib1g-dev libyaml-dev libevent-dev
libmsgpack-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev libseccomp-dev
libcap-ng-dev libcmocka-dev linux-libc-dev passwd procps util-linux
coreutils findutils perl qemu-system-x86 busybox-static cpio xz-utils zstd
python3 python3-aiosmtpd dnsmasq-base openssl libclang-rt-14-dev
curl iproute2 groff-base mandoc prometheus-node-exporter
dpkg-dev debhelper lintian debootstrap systemd-container
rsyslog rsyslog-gnutls systemtap-sdt-dev"

install_deps() {
	missing=""
	for p in $PKGS; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$st" in
		*"install ok installed"*) ;;
		*) missing="$missing $p" ;;
		esac
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "run.sh: missing packages:$missing (run as root to install)" >&2
		exit 1
	fi
	echo "run.sh: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
}

ensure_user() {
	if ! getent passwd "$1" >/dev/null 2>&1; then
		[ "$(id -u)" -eq 0 ] || { echo "run.sh: user $1 missing (run as root)" >&2; exit 1; }
		nologin=/usr/sbin/nologin
		[ -x "$nologin" ] || nologin=/bin/false
		useradd --system --no-create-home --home-dir /nonexistent \
			--shell "$nologin" --user-group "$1"
		echo "run.sh: created system user $1"
	fi
}

build() {
	if [ ! -x configure ] || [ configure.ac -nt configure ]; then
		./autogen.sh
	fi
	mkdir -p build
	if [ ! -f build/Makefile ] || [ configure -nt build/Makefile ]; then
		(cd build && ../configure --enable-werror)
	fi
	make -C build -j"$(nproc)"
}

# The libFuzzer targets (tests/fuzz), each for FUZZ_TIME s (default 20),
# in a second build with clang and ASan/UBSan; crash reproducers stay in
# build/fuzz/tests/fuzz/run.
fuzz_check() {
	mkdir -p build/fuzz
	if [ ! -f build/fuzz/Makefile ] || [ configure -nt build/fuzz/Makefile ]; then
		(cd build/fuzz && ../../configure CC=clang --enable-fuzzing)
	fi
	make -C build/fuzz -j2 check || {
		cat build/fuzz/test-suite.log
		return 1
	}
}

# The sanitizer stage: the whole suite again, built with ASan+UBSan in
# build/asan (README.md, "Sanitizer stage").  Fails on any test failure and
# on any sanitizer report in a test log.
check_asan() {
	t0=$(date +%s)
	mkdir -p build/asan
	if [ ! -f build/asan/Makefile ] || [ configure -nt build/asan/Makefile ]; then
		(cd build/asan && ../../configure --enable-werror --enable-sanitizers) ||
		    return 1
	fi
	make -C build/asan -j"$(nproc)" || return 1
	src=0
	ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    make -C build/asan -j2 check || src=1
	if grep -rlE '^==[0-9]+==ERROR: [A-Za-z]+Sanitizer|^[^ ]+:[0-9]+:[0-9]+: runtime error: ' \
	    build/asan/tests --include='*.log'; then
		echo "run.sh: sanitizer report in the test logs above" >&2
		src=1
	fi
	if [ $src -ne 0 ] && [ -f build/asan/test-suite.log ]; then
		sed -n '1,300p' build/asan/test-suite.log
	fi
	echo "run.sh: sanitizer stage $(($(date +%s) - t0)) s:" \
	    "$(grep -h '^:test-result:' build/asan/tests/*/*.trs | wc -l) results," \
	    "$([ $src -eq 0 ] && echo passed || echo FAILED)"
	return $src
}

install_deps
ensure_user tripline
ensure_user tripline-notify
build

case "$mode" in
check)
	rc=0
	make -C build -j2 check || rc=$?
	fuzz_check || rc=$?
	check_asan || rc=1
	exit $rc
	;;
check-asan)
	check_asan
	;;
run)
	mkdir -p "$state_dir"
	# the shipped default policies (observation only) from the source tree
	exec build/tripline-loaderd -d -P -S "$state_dir" -X "$here/build" \
	    -V "$here/policies/default"
	;;
esac
