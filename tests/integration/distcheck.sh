#!/bin/sh
# make distcheck: the tarball builds out of tree from a read-only source
# tree, its make check passes (the unprivileged tests: Makefile.am), it
# installs, uninstalls without leftovers and installs into a DESTDIR.
# Leaves $PACKAGE_TARNAME-$PACKAGE_VERSION.tar.gz in the build directory.
# Takes minutes (a whole build); no root needed.
. "$top_srcdir/tests/lib/testlib.sh"

B=$top_builddir
tarball=$B/$PACKAGE_TARNAME-$PACKAGE_VERSION.tar.gz
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# a make started from make check must not inherit its variables (TESTS=
# would run this test again inside distcheck) nor its jobserver
unset MAKEFLAGS MFLAGS MAKELEVEL

plan 6
rm -f "$tarball"
t0=$(date +%s)
make -C "$B" -j2 distcheck >"$T/distcheck.log" 2>&1
rc=$?
diag "make distcheck: $(($(date +%s) - t0)) s"
if [ $rc -eq 0 ]; then
	ok "make distcheck"
else
	not_ok "make distcheck (exit $rc)"
	tail -60 "$T/distcheck.log" | sed 's/^/# /'
fi
check "distcheck says the archive is ready" \
    grep -q "$PACKAGE_TARNAME-$PACKAGE_VERSION archives ready for distribution" \
    "$T/distcheck.log"
# the test results of the tarball's make check, as its harness counted them
pass=$(sed -n 's/^# PASS: *//p' "$T/distcheck.log" | tail -1)
fail=$(sed -n 's/^# FAIL: *//p' "$T/distcheck.log" | tail -1)
diag "the tarball's make check: ${pass:-?} passed, ${fail:-?} failed"
like "the tarball's make check passed tests" "${pass:-0}" '^[1-9][0-9]*$'
is "the tarball's make check failed none" "${fail:-missing}" 0
check "the tarball exists" test -s "$tarball"
# what the tarball must carry besides what the build needs
tar -tzf "$tarball" >"$T/list" 2>/dev/null
miss=""
for f in man/tripline-policy.5 loaderd/tripline-loaderd.8 docs/schema.md \
    dist/tripline.service.in policies/default/etc-writes.yaml \
    tests/integration/distcheck.sh run.sh; do
	grep -qx "$PACKAGE_TARNAME-$PACKAGE_VERSION/$f" "$T/list" ||
	    miss="$miss $f"
done
is "the tarball holds the pages, docs, unit, policies, tests" "$miss" ""
finish
