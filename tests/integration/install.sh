#!/bin/sh
# make install DESTDIR=: every file lands where the build's directories
# say (Makefile.am and the local.mk files), nothing goes to /etc or /var,
# the installed programs accept the installed policies, and make uninstall
# removes every file again.  No root needed.
. "$top_srcdir/tests/lib/testlib.sh"

: "${inst_sbindir:?the installation directories are not set (tests/local.mk)}"
B=$top_builddir
SRC=$top_srcdir
T=$(mktemp -d)
D=$T/dest
trap 'rm -rf "$T"' EXIT
# a make started from make check must not inherit its variables (TESTS=)
unset MAKEFLAGS MFLAGS MAKELEVEL

# installed FILE-IN-PREFIX [SOURCE]: the file exists (and equals SOURCE)
installed() {
	if [ ! -f "$D$1" ]; then
		not_ok "installed: $1"
	elif [ -n "${2:-}" ] && ! cmp -s "$2" "$D$1"; then
		not_ok "installed: $1 (differs from $2)"
	else
		ok "installed: $1"
	fi
}

if make -s -C "$B" install DESTDIR="$D" >"$T/install.log" 2>&1; then
	ok "make install DESTDIR="
else
	not_ok "make install DESTDIR="
	sed 's/^/# /' "$T/install.log" | tail -30
fi

for f in "$inst_sbindir/tripline-loaderd" "$inst_sbindir/triplinectl" \
    "$inst_pkglibexecdir/collectord" "$inst_pkglibexecdir/notifierd"; do
	check "executable: $f" test -x "$D$f" -a -f "$D$f"
done

unit=$inst_unitdir/tripline.service
installed "$unit"
check "the unit starts $inst_sbindir/tripline-loaderd" \
    grep -q "^ExecStart=$inst_sbindir/tripline-loaderd " "$D$unit"
check "the unit has no @variable@ left" sh -c "! grep -q '@[a-z]*@' '$D$unit'"
installed "$inst_sysusersdir/tripline.conf" "$SRC/dist/sysusers.d/tripline.conf"
installed "$inst_tmpfilesdir/tripline.conf" "$SRC/dist/tmpfiles.d/tripline.conf"

for p in $MAN_PAGES; do
	n=$(basename "$p")
	installed "$inst_mandir/man${n##*.}/$n" "$SRC/$p"
done
for p in $inst_vendorpolicies; do
	installed "$inst_pkgdatadir/policies/$(basename "$p")" "$SRC/$p"
done
for p in $inst_examplepolicies; do
	installed "$inst_pkgdatadir/examples/$(basename "$p")" "$SRC/$p"
done
installed "$inst_pkgdatadir/tripline.yaml.sample" "$SRC/dist/tripline.yaml.sample"
installed "$inst_pkgdatadir/alerts.yaml.example" "$SRC/dist/alerts.yaml.example"
for p in $inst_docs; do
	installed "$inst_docdir/$(basename "$p")" "$SRC/$p"
done

# nothing in /etc (the samples go to pkgdatadir) or /var (systemd and
# tmpfiles.d create the state directory)
check "nothing installed under $inst_sysconfdir" test ! -e "$D$inst_sysconfdir"
check "nothing installed under /var" test ! -e "$D/var"

# the installed programs take the installed files; the alerts example
# holds secrets, so loaderd takes a root-owned copy of mode 0600 only
mkdir -p "$T/state"
alerts=none
if [ "$(id -u)" -eq 0 ]; then
	alerts=$T/alerts.yaml
	install -m 600 "$D$inst_pkgdatadir/alerts.yaml.example" "$alerts"
fi
if "$D$inst_sbindir/tripline-loaderd" -n -f "$D$inst_pkgdatadir/tripline.yaml.sample" \
    -A "$alerts" \
    -V "$D$inst_pkgdatadir/policies" -S "$T/state" >"$T/n.log" 2>&1 &&
    grep -q 'configuration OK' "$T/n.log"; then
	ok "installed tripline-loaderd -n: sample, alerts example ($alerts), vendor policies"
else
	not_ok "installed tripline-loaderd -n: sample, alerts example ($alerts), vendor policies"
	sed 's/^/# /' "$T/n.log"
fi
if "$D$inst_sbindir/triplinectl" policy lint "$D$inst_pkgdatadir"/examples/*.yaml \
    >"$T/lint.log" 2>&1; then
	ok "installed triplinectl policy lint: the examples"
else
	not_ok "installed triplinectl policy lint: the examples"
	sed 's/^/# /' "$T/lint.log"
fi

if make -s -C "$B" uninstall DESTDIR="$D" >"$T/uninstall.log" 2>&1; then
	ok "make uninstall DESTDIR="
else
	not_ok "make uninstall DESTDIR="
	sed 's/^/# /' "$T/uninstall.log" | tail -30
fi
left=$(find "$D" ! -type d | head -20)
is "make uninstall leaves no file" "$left" ""
plan "$_tap_n"
finish
