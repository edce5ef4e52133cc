#!/bin/sh
# The conformance tables of docs/policy-reference.md ("## Conformance")
# against the policy parser's own tables: every key, argument type,
# operator, action and option name the parser accepts (printed by
# tests/integration/policy_names, which walks the tables the parser
# uses) has a row; no row names something the parser does not accept;
# every test file (or fixture) a row names exists; every row of a table of
# constructs carried out names a test.  No root, no BPF: also runs in make distcheck.
. "$top_srcdir/tests/lib/testlib.sh"

DOC=$top_srcdir/docs/policy-reference.md
NAMES=$top_builddir/tests/integration/policy_names
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

plan 5

# the Conformance section, one table row a line, prefixed with the kind its
# ### heading gives and the table's state, from its header row: done
# (carried out), refused, noeffect or unproven (carried out, not proven by
# a test); the rows of other tables are left out
awk '
	/^## / { on = ($0 ~ /^## Conformance/); next }
	!on { next }
	/^### / {
		kind = ""
		if ($0 ~ /Keys/) kind = "key"
		else if ($0 ~ /Argument types/) kind = "type"
		else if ($0 ~ /Operators/) kind = "operator"
		else if ($0 ~ /Actions/) kind = "action"
		else if ($0 ~ /Options/) kind = "option"
		next
	}
	/^\|/ && kind != "" {
		if ($0 ~ /^\|[-| :]*$/) next
		split($0, cell, "|")
		if (cell[2] !~ /`/) {		# a header row
			h = tolower(cell[2])
			state = h ~ /refused/ ? "refused" : h ~ /no effect/ ? \
			    "noeffect" : h ~ /not proven/ ? "unproven" : "done"
			next
		}
		print kind, state, $0
	}
' "$DOC" >"$T/rows"

# the names of the rows: KIND NAME, every code span of the first cell
while read -r kind state row; do
	printf '%s\n' "$row" | cut -d'|' -f2 | grep -o '`[^`]*`' | tr -d '`' |
	    sed "s/^/$kind /"
done <"$T/rows" | sort -u >"$T/doc"

if "$NAMES" | sort -u >"$T/parser" && [ "$(wc -l <"$T/parser")" -gt 100 ]; then
	ok "the parser's tables: $(wc -l <"$T/parser") names"
else
	not_ok "the parser's tables: $NAMES printed too few names"
fi

comm -23 "$T/parser" "$T/doc" >"$T/missing"
if [ ! -s "$T/missing" ] && [ -s "$T/doc" ]; then
	ok "every name the parser accepts has a row in the conformance tables"
else
	not_ok "every name the parser accepts has a row in the conformance tables"
	diag "missing from $DOC (## Conformance):"
	sed 's/^/#   /' "$T/missing"
fi

comm -13 "$T/parser" "$T/doc" >"$T/stale"
if [ ! -s "$T/stale" ]; then
	ok "every name of the conformance tables is accepted by the parser"
else
	not_ok "every name of the conformance tables is accepted by the parser"
	diag "rows naming what the parser does not accept:"
	sed 's/^/#   /' "$T/stale"
fi

cut -d' ' -f3- "$T/rows" | grep -Eo 'tests/[A-Za-z0-9_./-]+\.(sh|c|py|yaml)' |
    sort -u >"$T/files"
miss=""
for f in $(cat "$T/files"); do
	[ -f "$top_srcdir/$f" ] || miss="$miss $f"
done
if [ -s "$T/files" ] && [ -z "$miss" ]; then
	ok "the $(wc -l <"$T/files") test files the rows name exist"
else
	not_ok "the test files the rows name exist"
	diag "missing:$miss"
fi

grep '^[a-z]* done ' "$T/rows" | grep -Ev 'tests/[A-Za-z0-9_./-]+\.(sh|c|py|yaml)' \
    >"$T/notest" || :
if [ ! -s "$T/notest" ]; then
	ok "every row of a construct carried out names its test"
else
	not_ok "every row of a construct carried out names its test"
	sed 's/^/#   /' "$T/notest"
fi
finish
