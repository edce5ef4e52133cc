# tests/lib/netops.sh -- sourced after testlib.sh by the tests of the
# socket operators (tests/integration/e2e_net_ops.sh on the CI kernel,
# tests/vm/net.sh in the VM guests).  Needs T (scratch directory), CTL, S
# (state directory), DB; uses add/q/ok/not_ok from testlib.sh.
#
# A case is one line of a cases file: name|+ or -|entries|row patterns.
# Each case becomes one hook (message "c-NAME") whose selector has the
# case's matchArgs entries ("[I:]OP=v1,v2", I the matchArgs index, 0 if
# not given) and Post.  A positive case must store rows, every row's args
# containing each LIKE pattern (joined by &); a negative case is proven in
# the kernel: the hook ran (hits > 0), its `matched` counter stayed 0, no
# row.  HOOKHDR NAME prints the hook's lines up to its args, under the
# spec's section HOOKSECT (kprobes, tracepoints; the caller sets both).

# listen [-r] ADDR NAME [PORT...]: a TCP listener on ADDR (the first PORT
# that binds, else the kernel's choice); its port in $T/NAME and on
# stdout, its pid in $T/NAME.pid (and in LIS unless in a command
# substitution); one line per accepted connection in $T/NAME.acc.  It
# closes an accepted connection at once, or with -r once it has read it
# to the end (the client closes first).
listen() {
	_r=0
	[ "$1" = -r ] && { _r=1; shift; }
	_a=$1 _n=$2
	shift 2
	: >"$T/$_n.acc"
	perl -e '
use Socket qw(:all);
use IO::Handle;
my ($addr, $acc, $rd, @ports) = @ARGV;
my $v6 = $addr =~ /:/;
socket(my $s, $v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0) or die "socket: $!";
setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1);
my $ok;
for my $p (@ports, 0) {
	$ok = bind($s, $v6 ? pack_sockaddr_in6($p, inet_pton(AF_INET6, $addr)) :
	    pack_sockaddr_in($p, inet_aton($addr)));
	last if $ok;
}
$ok or die "bind $addr: $!";
listen($s, 128) or die "listen: $!";
my $n = getsockname($s);
$| = 1;
print((($v6 ? unpack_sockaddr_in6($n) : unpack_sockaddr_in($n)))[0], "\n");
open(my $log, ">>", $acc) or die "$acc: $!";
$log->autoflush(1);
while (accept(my $c, $s)) {
	print $log "accepted\n";
	if ($rd) { my $b; 1 while sysread($c, $b, 512); }
	close($c);
}' "$_a" "$T/$_n.acc" $_r "$@" >"$T/$_n" 2>>"$T/listen.err" &
	LIS="$LIS $!"
	echo $! >"$T/$_n.pid"
	nw_wait 30 test -s "$T/$_n" || { echo "Bail out! listener on $_a"; exit 99; }
	cat "$T/$_n"
}

# conn SRC DST PORT: a TCP client bound to SRC connects to DST:PORT and
# closes; prints its own port, or the error
conn() {
	perl -e '
use Socket qw(:all);
my ($src, $dst, $port) = @ARGV;
my $v6 = $dst =~ /:/;
my $sa = sub { $v6 ? pack_sockaddr_in6($_[0], inet_pton(AF_INET6, $_[1])) :
    pack_sockaddr_in($_[0], inet_aton($_[1])) };
socket(my $s, $v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0) or die "socket: $!";
bind($s, $sa->(0, $src)) or die "bind: $!";
connect($s, $sa->($port, $dst)) or die "connect: $!\n";
my $n = getsockname($s);
print((($v6 ? unpack_sockaddr_in6($n) : unpack_sockaddr_in($n)))[0], "\n");
close($s);' "$1" "$2" "$3" 2>&1
}

# wait SECS COMMAND...: wait_secs in the VM guests (by the clock), else
# testlib's wait_for
nw_wait() {
	if command -v wait_secs >/dev/null 2>&1; then wait_secs "$@"
	else wait_for "$@"; fi
}

# hook NAME ENTRY...: HOOKHDR's lines, then one selector with the entries
hook() {
	HOOKHDR "$1"
	printf '    selectors:\n    - matchArgs:\n'
	shift
	for e in "$@"; do
		i=0
		case $e in [0-9]:*) i=${e%%:*} e=${e#*:} ;; esac
		printf '      - index: %s\n        operator: "%s"\n' $i "${e%%=*}"
		v=${e#*=}
		[ -z "$v" ] && continue
		printf '        values:\n'
		printf '%s\n' "$v" | tr ',' '\n' | sed 's/^/        - "/; s/$/"/'
	done
	printf '      matchActions:\n      - action: Post\n'
}

# counters POLICY FIRST: "case hits matched" of the policy's hooks (listed
# in order), numbered from FIRST
counters() {
	"$CTL" -S "$S" policy list 2>&1 | awk -v pn="$1" -v b="$2" '
	    /^[^ ]/ { p = ($1 == pn); h = 0 }
	    p && /^  - / { h++ }
	    p && /^    hits / { print b + h - 1, $2, $4 }'
}

# check_case I NAME EXP ENTS PAT: from the counters in $T/c0 and $T/c1
check_case() {
	set -- "$1" "$2" "$3" "$4" "$5" $(awk -v i="$1" '$1 == i { print $2, $3 }' "$T/c1")
	hits=${6:-0} matched=${7:-0}
	m0=$(awk -v i="$1" '$1 == i { print $3 }' "$T/c0")
	nr=$(q "SELECT count(*) FROM events WHERE message='c-$2'")
	if [ "$3" = - ]; then
		if [ "$hits" -gt 0 ] && [ "$matched" = 0 ] && [ "$m0" = 0 ] &&
		    [ "$nr" = 0 ]; then
			ok "$2 ($4): not matched in the kernel (hits $hits, matched 0, no row)"
			return
		fi
		not_ok "$2 ($4): hits $hits, matched $m0 -> $matched, rows $nr"
	else
		# every row has what the operator selected
		cond=$(printf '%s' "$5" | awk -v RS='&' 'NF { gsub(/\n/, ""); printf " AND args LIKE '\''%%%s%%'\''", $0 }')
		bad=$(q "SELECT count(*) FROM events WHERE message='c-$2' AND NOT (1 $cond)")
		if [ "$matched" -gt 0 ] && [ "$nr" -gt 0 ] && [ "$bad" = 0 ]; then
			ok "$2 ($4): $nr rows, each with $5 (matched $matched)"
			return
		fi
		not_ok "$2 ($4): rows $nr (bad $bad), matched $matched, hits $hits"
	fi
	q "SELECT args FROM events WHERE message='c-$2' LIMIT 3" | sed 's/^/# /'
}

# tcp_connect_cases P: the cases of a hook on tcp_connect with index 0
# typed sock, named P-..., for the traffic of the VM guests' traffic()
# (tests/vm/net.sh, netlsm.sh: clients A2 -> A1:PA, ::1 -> ::1:P6,
# A4 -> A3:PP; R1 a port range around PA)
tcp_connect_cases() {
	cat <<EOF
$1-daddr|+|DAddr=$A1 DPort=$PA|"daddr":"$A1"&"state":"TCP_SYN_SENT"
$1-daddr-neg|-|DAddr=127.0.83.64/26 DPort=$PA|
$1-notdaddr-private|-|NotDAddr=10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8 DPort=$PA|
$1-notdaddr|+|NotDAddr=10.0.0.0/8,192.168.0.0/16 DPort=$PA|"daddr":"$A1"
$1-daddr6|+|DAddr=::1/128 DPort=$P6|"family":"AF_INET6"&"daddr":"::1"
$1-saddr|+|SAddr=127.0.83.0/30 DPort=$PA|"saddr":"$A2"
$1-dport|+|DPort=$R1 SAddr=$A2|"dport":$PA,
$1-notdport-neg|-|NotDPort=$PA SAddr=$A2|
$1-sportpriv-neg|-|SPortPriv= DPort=$PA|
$1-dportpriv|+|DPortPriv= SAddr=$A4|"dport":$PP,
$1-protocol|+|Protocol=IPPROTO_TCP DPort=$PA|"protocol":"IPPROTO_TCP"
$1-protocol-neg|-|Protocol=IPPROTO_UDP DPort=$PA|
$1-family6|+|Family=AF_INET6 DPort=$P6|"family":"AF_INET6"
$1-family-neg|-|Family=AF_INET DPort=$P6|
$1-state|+|State=TCP_SYN_SENT DPort=$PA|"state":"TCP_SYN_SENT"
$1-state-neg|-|State=TCP_ESTABLISHED,TCP_CLOSE DPort=$PA|
EOF
}

# run_cases CASES PREFIX SECS TRAFFIC...: the cases in rounds of 8 (hooks
# per attach point), each round its own policy PREFIXk: loaded, the
# TRAFFIC commands run (each one word list), every positive case's rows
# waited for (SECS), checked, deleted.  Sets nload, nround.
run_cases() {
	_cf=$1 _pre=$2 _secs=$3
	shift 3
	_nc=$(wc -l <"$_cf")
	nround=0 nload=0
	while [ $((nround * 8)) -lt "$_nc" ]; do
		nround=$((nround + 1))
		awk -v k=$nround 'NR > (k - 1) * 8 && NR <= k * 8' "$_cf" >"$T/round"
		_first=$(((nround - 1) * 8 + 1))
		{
			printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n'
			printf 'metadata:\n  name: "%s%s"\nspec:\n  %s:\n' \
			    "$_pre" $nround "$HOOKSECT"
			while IFS='|' read -r name exp ents pat; do
				# shellcheck disable=SC2086
				hook "$name" $ents
			done <"$T/round"
		} >"$T/$_pre$nround.yaml"
		if ! add "$T/$_pre$nround.yaml"; then
			diag "$_pre$nround: $(cat "$T/add.out")"
			while IFS='|' read -r name exp ents pat; do
				not_ok "$name: policy not loaded"
			done <"$T/round"
			continue
		fi
		nload=$((nload + 1))
		counters "$_pre$nround" $_first >"$T/c0"
		for _c in "$@"; do
			# shellcheck disable=SC2086
			_r=$($_c 2>&1)
			case $_r in [0-9]*|ret=0*) ;; *) diag "$_c: $_r" ;; esac
		done
		for name in $(awk -F'|' '$2 == "+" { print $1 }' "$T/round"); do
			nw_wait "$_secs" row_exists "SELECT 1 FROM events WHERE message='c-$name'"
		done
		# the store settles (rows of a burst of hits)
		sleep 1
		counters "$_pre$nround" $_first >"$T/c1"
		_i=$_first
		while IFS='|' read -r name exp ents pat; do
			check_case $_i "$name" "$exp" "$ents" "$pat"
			_i=$((_i + 1))
		done <"$T/round"
		"$CTL" -S "$S" policy delete "$_pre$nround" >/dev/null 2>&1
	done
}
