#!/bin/sh
# The man pages: each one formats without a warning (groff -ww and mandoc
# -Tlint at level warning), each option of a program's usage text and each
# key of the configuration and alerts parsers is documented in its page.
# Needs groff (groff-base) and mandoc; no root.
. "$top_srcdir/tests/lib/testlib.sh"

: "${MAN_PAGES:?MAN_PAGES (the pages of man_MANS) not set}"
B=$top_builddir
SRC=$top_srcdir
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# page FILE NAME: the path of the page named NAME (tripline-loaderd.8)
page() {
	for _p in $MAN_PAGES; do
		case "$_p" in */"$1"|"$1") echo "$SRC/$_p"; return 0 ;; esac
	done
	return 1
}

# body PAGE: the page after its SYNOPSIS, with \- as -
body() {
	sed -n '/^\.Sh DESCRIPTION/,$p' "$1" | sed 's/\\-/-/g'
}

# usage_opts PROGRAM ARG: the options its usage text names, one a line
# (-x or --long)
usage_opts() {
	"$@" 2>&1 | sed -n '/usage:/,$p' | tr '[]|' '   ' | tr ' \t' '\n\n' |
	    awk '/^--[a-z][a-z-]*$/ { print; next }
		/^-[A-Za-z]+$/ { for (i = 2; i <= length($0); i++)
			print "-" substr($0, i, 1) }' | sort -u
}

# check_opts PROGRAM-ARGV...: every option of the usage text is in the page
check_opts() {
	_name=$(basename "$1")
	_pg=$(page "$_name.8") || { not_ok "$_name.8 is in man_MANS"; return; }
	_opts=$(usage_opts "$@")
	if [ -z "$_opts" ]; then
		not_ok "$_name: usage text names options"
		return
	fi
	_miss=""
	for _o in $_opts; do
		_f=${_o#-}
		body "$_pg" | grep -Eq "Fl ${_f}( |\$)" || _miss="$_miss $_o"
	done
	if [ -z "$_miss" ]; then
		ok "$_name.8 documents the options of its usage:" $_opts
	else
		not_ok "$_name.8 documents the options of its usage"
		diag "missing from $_pg:$_miss"
	fi
}

# src_keys FILE: the strings of the *_keys[] tables of a parser
src_keys() {
	awk '/^static const char \*const [a-z_]*_keys\[\] = \{/ { on = 1 }
	    on { print } on && /};/ { on = 0 }' "$1" |
	    grep -o '"[a-z_]*"' | tr -d '"' | sort -u
}

# check_keys SOURCE PAGE: every key of SOURCE's tables is an Ic in PAGE
check_keys() {
	_pg=$(page "$2") || { not_ok "$2 is in man_MANS"; return; }
	_keys=$(src_keys "$SRC/$1")
	_n=$(printf '%s\n' "$_keys" | grep -c .)
	_miss=""
	for _k in $_keys; do
		grep -Eq "Ic ([a-z_]+\\.)*${_k}( |\$)" "$_pg" || _miss="$_miss $_k"
	done
	if [ "$_n" -gt 5 ] && [ -z "$_miss" ]; then
		ok "$2 documents the $_n keys of $1"
	else
		not_ok "$2 documents the $_n keys of $1"
		diag "missing:$_miss"
	fi
}

npages=$(echo $MAN_PAGES | wc -w)
plan $((npages * 2 + 4 + 2 + 1))

command -v groff >/dev/null || diag "groff not installed (Debian: groff-base)"
command -v mandoc >/dev/null || diag "mandoc not installed (Debian: mandoc)"
for p in $MAN_PAGES; do
	f=$SRC/$p
	if [ -f "$f" ] && groff -ww -z -mandoc "$f" >"$T/groff" 2>&1 &&
	    [ ! -s "$T/groff" ]; then
		ok "groff -ww: $p"
	else
		not_ok "groff -ww: $p"
		sed 's/^/# /' "$T/groff"
	fi
	if [ -f "$f" ] && mandoc -Tlint -W warning "$f" >"$T/mandoc" 2>&1 &&
	    [ ! -s "$T/mandoc" ]; then
		ok "mandoc -Tlint: $p"
	else
		not_ok "mandoc -Tlint: $p"
		sed 's/^/# /' "$T/mandoc"
	fi
done

check_opts "$B/tripline-loaderd" -h
check_opts "$B/triplinectl" -h
check_opts "$B/collectord/collectord" --help
check_opts "$B/notifierd/notifierd" -h

check_keys common/config.c tripline.yaml.5
check_keys common/alerts.c alerts.yaml.5

# the unit's Documentation= names pages that are installed
doc=$(sed -n 's/^Documentation=//p' "$SRC/dist/tripline.service.in" |
    tr ' ' '\n' | sed -n 's/^man:\(.*\)(\([0-9]\))$/\1.\2/p')
miss=""
for d in $doc; do page "$d" >/dev/null || miss="$miss $d"; done
if [ -n "$doc" ] && [ -z "$miss" ]; then
	ok "the unit's Documentation= pages are in man_MANS:" $doc
else
	not_ok "the unit's Documentation= pages are in man_MANS"
	diag "missing:$miss (of: $doc)"
fi
finish
