#!/bin/sh
# End to end: the store under a crash at any moment, a locked database
# and a hostile events.db.  tests/integration/crashhost stands in for
# loaderd (it loads the process BPF programs and starts collectord with
# the ring buffer) so collectord can be killed and restarted at once:
# loaderd would wait for its restart back-off.
. "$top_srcdir/tests/lib/testlib.sh"
e2e_env crash
id tripline >/dev/null 2>&1 || skip_all "no user tripline"
cp /bin/true "$T/marker"
cp /bin/true "$T/marker-busy"

# three runs of crashhost, each in a fresh state directory; its TAP
# lines are renumbered into one plan
for mode in crash busy refuse; do
	rm -rf "$T/state" "$T/collectord.log"
	mkdir -m 0750 "$T/state"
	echo "# $mode"
	"$B/tests/integration/crashhost" "$B/collectord/collectord" \
	    "$T/state" tripline "$T/marker" $mode
	echo "# $mode: exit $?"
done | awk '
/^(not )?ok [0-9]+ - / { n++; sub(/ok [0-9]+ - /, "ok " n " - ");
	if ($0 ~ /^not ok/) bad++ }
{ print; fflush() }
END { print "1.." n; exit bad > 0 || n != 18 }'
