#!/bin/sh
# The Debian package end to end: dpkg-buildpackage builds it from a copy of
# the source tree, lintian finds no error, and it is installed with apt
# into a fresh Debian 12 minbase root booted with systemd as PID 1
# (systemd-nspawn --boot).  There the unit must be enabled and active, the
# users created by sysusers.d, a write under /etc (default policy
# etc-writes) must reach /var/lib/tripline/events.db, `systemctl stop`
# must end all three daemons, `apt-get remove` must keep the conffile and
# the state, and `apt-get purge` must remove both and keep the users
# (docs/debian.md).
#
# The debootstrapped root is cached in $TRIPLINE_DEB_CACHE (default
# /var/cache/tripline-deb, under flock) and each run boots a writable
# overlay of it; downloaded .debs are kept in the cache as well.
. "$top_srcdir/tests/lib/testlib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (debootstrap, systemd-nspawn, BPF)"
need dpkg-buildpackage lintian debootstrap systemd-nspawn nsenter flock sqlite3

CACHE=${TRIPLINE_DEB_CACHE:-/var/cache/tripline-deb}
BASE=$CACHE/bookworm-minbase
T=$(mktemp -d /tmp/tripline-deb.XXXXXX)
chmod 755 "$T"
R=$T/root
NSPID='' LEADER=''

cleanup() {
	if [ -n "$NSPID" ]; then
		kill "$NSPID" 2>/dev/null
		wait_for 30 _gone "$NSPID" || kill -9 "$NSPID" 2>/dev/null
	fi
	mountpoint -q "$R" && umount "$R"
	if [ -n "${KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- the package

# src_copy DIR: the source tree (tracked and new files when it is a git
# checkout, else everything but build directories) copied to DIR
src_copy() {
	mkdir -p "$1"
	if git -C "$top_srcdir" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$top_srcdir" ls-files -co --exclude-standard -z |
		    (cd "$top_srcdir" && tar -c --null -T -) | tar -x -C "$1"
	else
		(cd "$top_srcdir" && tar -c --exclude=./build --exclude=./_build \
		    --exclude=./_inst --exclude=./debian/build .) | tar -x -C "$1"
	fi
}

build_deb() {
	src_copy "$T/src/tripline" &&
	    (cd "$T/src/tripline" && dpkg-buildpackage -us -uc -b \
	        -j"$(nproc)") >"$T/build.log" 2>&1
}

# lintian as an unprivileged user (it warns when run as root)
run_lintian() {
	chmod -R a+rX "$T/src"
	(cd "$T/src" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    env HOME=/nonexistent lintian -I --pedantic ./*.changes) \
	    >"$T/lintian.log" 2>&1
	sed 's/^/# /' "$T/lintian.log"
	! grep -q '^E: ' "$T/lintian.log"
}

# ---- the root: debootstrap once into the cache, boot an overlay of it

# the mirror of the system's apt sources (one-line or deb822 format)
mirror_url() {
	_m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	    /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
	    $1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }
	    $1 == "URIs:" && $2 ~ /\/debian\/?$/ { print $2; exit }')
	echo "${_m:-http://deb.debian.org/debian}"
}

# cache_root: $BASE exists (made once: minbase plus systemd-sysv, the
# init the test boots; everything else comes through the package's
# Depends)
cache_root() {
	[ -x "$BASE/sbin/init" ] && return 0
	_tmp=$CACHE/.tmp.$$
	rm -rf "$_tmp"
	diag "debootstrap bookworm from $(mirror_url) into $BASE"
	debootstrap --variant=minbase --include=systemd-sysv bookworm "$_tmp" \
	    "$(mirror_url)" >"$T/debootstrap.log" 2>&1 || {
		tail -20 "$T/debootstrap.log" | sed 's/^/# /'
		rm -rf "$_tmp"
		return 1
	}
	echo tripline-deb >"$_tmp/etc/hostname"
	mv "$_tmp" "$BASE"
}

# boot: an overlay of the cached root on $R, booted by systemd-nspawn with
# what loaderd needs (all capabilities; bpf, perf_event_open and the
# children's landlock_* calls added to nspawn's seccomp allowlist);
# LEADER is the container's PID 1 as the host sees it
SYSCALLS='bpf perf_event_open landlock_create_ruleset landlock_add_rule
landlock_restrict_self'
boot() {
	mkdir -p "$R" "$T/upper" "$T/work" "$CACHE/archives/partial"
	mount -t overlay overlay -o "lowerdir=$BASE,upperdir=$T/upper,workdir=$T/work" "$R" ||
	    return 1
	systemd-nspawn -D "$R" --boot --register=no --keep-unit \
	    -M "tldeb$$" --capability=all \
	    --system-call-filter="$SYSCALLS" \
	    --bind="$CACHE/archives:/var/cache/apt/archives" \
	    --bind-ro="$T/src:/debs" >"$T/nspawn.log" 2>&1 </dev/null &
	NSPID=$!
	wait_for 30 _leader || return 1
	wait_for 120 _booted
}
_leader() { LEADER=$(pgrep -P "$NSPID" -x systemd) && [ -n "$LEADER" ]; }
_booted() {
	case "$(in_root systemctl is-system-running 2>/dev/null)" in
	running|degraded) return 0 ;;
	esac
	return 1
}

# in_root CMD...: CMD in the container's namespaces
in_root() { nsenter -t "$LEADER" -a -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

apt_install() {
	in_root sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -q --no-install-recommends /debs/tripline_*.deb' \
	    >"$T/apt.log" 2>&1
}

# ---- checks in the booted root

DB=$R/var/lib/tripline/events.db
q() { sqlite3 -cmd '.timeout 5000' "$DB" "$1" 2>/dev/null; }
probe_rows() {
	q "SELECT count(*) FROM events WHERE policy_name='etc-writes'
	    AND args LIKE '%/etc/tripline-deb-probe%'"
}
has_probe_row() { [ "$(probe_rows)" -ge 1 ]; }
# both children up (not restarting) in `triplinectl status`
children_up() {
	[ "$(in_root triplinectl status |
	    grep -cE '^  (collectord|notifierd) +running ')" -eq 2 ]
}
# the daemons running in the container, by command name
daemons() {
	in_root sh -c 'cat /proc/[0-9]*/comm 2>/dev/null' |
	    grep -E '^(tripline-loader|collectord|notifierd)$' | sort | tr '\n' ' '
}
users_exist() { in_root getent passwd tripline tripline-notify >/dev/null; }
no_daemons() { [ -z "$(daemons)" ]; }
pkg_status() { in_root dpkg-query -W -f='${db:Status-Abbrev}' tripline 2>/dev/null; }
leftovers() {
	for f in /etc/tripline /var/lib/tripline /lib/systemd/system/tripline.service \
	    /etc/systemd/system/multi-user.target.wants/tripline.service \
	    /usr/lib/sysusers.d/tripline.conf /usr/lib/tmpfiles.d/tripline.conf \
	    /usr/sbin/tripline-loaderd /usr/libexec/tripline /usr/share/tripline \
	    /usr/share/doc/tripline /usr/share/man/man8/tripline-loaderd.8.gz; do
		[ -e "$R$f" ] || [ -L "$R$f" ] && printf '%s ' "$f"
	done
}

plan 20

T0=$(date +%s)
t0=$T0
if build_deb; then ok "dpkg-buildpackage -us -uc -b"; else
	tail -30 "$T/build.log" | sed 's/^/# /'
	echo "Bail out! package build failed"; exit 99
fi
diag "time: build $(($(date +%s) - t0)) s"
check "lintian: no errors" run_lintian

t0=$(date +%s)
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if ! cache_root; then echo "Bail out! debootstrap failed"; exit 99; fi
if ! boot; then
	tail -30 "$T/nspawn.log" | sed 's/^/# /'
	echo "Bail out! the root did not boot"; exit 99
fi
diag "time: root ready and booted $(($(date +%s) - t0)) s"
is "systemd is PID 1 in the root" "$(in_root cat /proc/1/comm)" systemd

t0=$(date +%s)
if apt_install; then ok "apt-get install ./tripline_*.deb"; else
	not_ok "apt-get install ./tripline_*.deb"
	tail -30 "$T/apt.log" | sed 's/^/# /'
fi
diag "time: apt-get install $(($(date +%s) - t0)) s"
check "sysusers.d created the users" users_exist
is "unit enabled" "$(in_root systemctl is-enabled tripline 2>&1)" enabled
wait_for 60 children_up
is "systemctl is-active tripline" "$(in_root systemctl is-active tripline 2>&1)" active
if children_up; then ok "collectord and notifierd running (triplinectl status)"; else
	not_ok "collectord and notifierd running (triplinectl status)"
	in_root triplinectl status | sed 's/^/# /'
	in_root journalctl -u tripline --no-pager -n 40 | sed 's/^/# /'
fi

in_root sh -c 'echo probe > /etc/tripline-deb-probe'
check "etc-writes row in /var/lib/tripline/events.db" wait_for 20 has_probe_row
is "events.db owned by the collector user" \
    "$(in_root stat -c %U /var/lib/tripline/events.db)" tripline

# systemctl reload: ExecReload runs triplinectl reload; loaderd re-reads the policies
# and says so in its status; the service stays active, the same loaderd
pid0=$(in_root systemctl show -p MainPID --value tripline)
in_root systemctl reload tripline
reloaded() { in_root triplinectl status | grep -q "^last reload .*(triplinectl): ok"; }
if wait_for 20 reloaded; then ok "systemctl reload: loaderd reloaded (status: last reload ok)"; else
	not_ok "systemctl reload: loaderd reloaded (status: last reload ok)"
	in_root triplinectl status | grep -A8 'last reload' | sed 's/^/# /'
	in_root journalctl -u tripline --no-pager -n 30 | sed 's/^/# /'
fi
is "after reload: still active, same main pid" \
    "$(in_root systemctl is-active tripline) $(in_root systemctl show -p MainPID --value tripline)" \
    "active $pid0"

in_root systemctl stop tripline
is "systemctl stop: inactive" "$(in_root systemctl is-active tripline 2>&1)" inactive
check "no daemon left after stop" wait_for 10 no_daemons

in_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q tripline \
    >>"$T/apt.log" 2>&1
is "apt-get remove: config-files state" "$(pkg_status)" "rc "
check "remove keeps the conffile" test -f "$R/etc/tripline/tripline.yaml"
check "remove keeps events.db" test -f "$DB"

in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q tripline \
    >>"$T/apt.log" 2>&1
is "apt-get purge: not installed" "$(pkg_status)" ""
is "purge leaves no file of the package, no state" "$(leftovers)" ""
check "purge keeps the system users" users_exist

diag "time: total $(($(date +%s) - T0)) s"
finish
