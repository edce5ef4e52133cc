#!/bin/sh
# tests/vm/enforce.sh BUILDDIR -- enforcement on a stock kernel (TAP).
#
# Runs as root INSIDE the VM (tests/integration/vm_enforce.sh boots each
# kernel once with tests/vm/vm.sh and runs this); it refuses to run
# elsewhere.  It starts BUILDDIR's tripline-loaderd with no vendor policies
# and, with scratch files in /tmp/tlvm (never the real /etc/passwd), checks:
#  1. kprobe fd_install (syscall: false) with a struct file arg: file_arg
#  2. kprobe security_file_open: file_arg
#  3. lsmhooks file_open + Override: EPERM for one binary only; monitor mode
#  4. the seed's "block write to /etc/passwd" (Override + Sigkill) on a
#     scratch file: writer killed, file unchanged
#  5. the seed's symlinkat-to-passwd policy (Override + Sigkill): no link
#  6. Override on security_inode_mkdir (fmod_ret) for one binary
# 6b. kprobe+kretprobe on do_sys_openat2 (return value), fentries
#  7. every Tetragon example with kprobes/lsmhooks, in monitor mode: loads
#     or is refused with a specific reason; three of them must load and fire
# Each case asserts the syscall's result and the event (events.db row and
# events.jsonl line).  Section times are printed as "# time: ..." lines.
. "$(dirname "$0")/guestlib.sh"

st=$("$CTL" -S "$S" status 2>&1)
printf '%s\n' "$st" | sed -n '/[Ff]eature/,$p' | head -n 30 | sed 's/^/# /'
for want in kprobes fentry fmod_ret "BPF LSM programs" "bpf in the active LSMs"; do
	like "feature probe: $want" "$(printf '%s\n' "$st" | grep -E "^  $want  ")" " yes$"
done

# ---- 1. kprobe fd_install (struct file) -------------------------------------

section "1 fd_install"
printf 'yes\n' >"$D/fdi-yes"
printf 'no\n' >"$D/fdi-no"
chmod 644 "$D/fdi-yes" "$D/fdi-no"
if addp "$DATA/fd-install.yaml"; then
	diag "$(plist vm-fd-install)"
	cat "$D/fdi-no" >/dev/null
	cat "$D/fdi-yes" >/dev/null
	if wrow "SELECT 1 FROM events WHERE policy_name='vm-fd-install' AND args LIKE '%/tmp/tlvm/fdi-yes%'"; then
		like "fd_install: event with the fd and the file_arg path" \
		    "$(col vm-fd-install fdi-yes "function_name || ' ' || action || ' ' || args")" \
		    '^fd_install KPROBE_ACTION_POST \[\{"int_arg":[0-9]+\},\{"file_arg":\{"path":"/tmp/tlvm/fdi-yes"'
		is "fd_install: the other file is not matched" "$(nrows vm-fd-install fdi-no)" 0
		j=$(jline vm-fd-install '"path":"/tmp/tlvm/fdi-yes"')
		like "fd_install: JSON line" "$j" \
		    '^\{"process_kprobe":\{"process":\{.*"binary":"/usr/bin/cat".*"function_name":"fd_install","args":\[\{"int_arg":[0-9]+\},\{"file_arg":\{"path":"/tmp/tlvm/fdi-yes"'
		like "fd_install: file_arg has the permission (Tetragon KprobeFile)" "$j" \
		    '"file_arg":\{"path":"/tmp/tlvm/fdi-yes"(,"flags":"[^"]*")?,"permission":"-rw-r--r--"\}'
	else
		not_ok "fd_install: event stored"; n_not_ok 3 "fd_install"
		diag "$(plist vm-fd-install)"
	fi
	"$CTL" -S "$S" policy delete vm-fd-install >/dev/null 2>&1
else
	n_not_ok 4 "fd_install: policy refused"
fi

# ---- 2. kprobe security_file_open (struct file) ----------------------------

section "2 security_file_open"
printf 'yes\n' >"$D/sfo-yes"
printf 'no\n' >"$D/sfo-no"
chmod 600 "$D/sfo-yes" "$D/sfo-no"
if addp "$DATA/security-file-open.yaml"; then
	diag "$(plist vm-security-file-open)"
	"$TR" openat "$D/sfo-no" 0 >/dev/null
	"$TR" openat "$D/sfo-yes" 0 >/dev/null
	if wrow "SELECT 1 FROM events WHERE policy_name='vm-security-file-open' AND args LIKE '%/tmp/tlvm/sfo-yes%'"; then
		like "security_file_open: event with the file_arg path" \
		    "$(col vm-security-file-open sfo-yes "function_name || ' ' || action || ' ' || args")" \
		    '^security_file_open KPROBE_ACTION_POST \[\{"file_arg":\{"path":"/tmp/tlvm/sfo-yes"'
		is "security_file_open: the other file is not matched" "$(nrows vm-security-file-open sfo-no)" 0
		j=$(jline vm-security-file-open '"path":"/tmp/tlvm/sfo-yes"')
		like "security_file_open: JSON line" "$j" \
		    "^\\{\"process_kprobe\":\\{\"process\":\\{.*\"binary\":\"$TR\".*\"function_name\":\"security_file_open\",\"args\":\\[\\{\"file_arg\":\\{\"path\":\"/tmp/tlvm/sfo-yes\"(,\"flags\":\"[^\"]*\")?,\"permission\":\"-rw-------\"\\}\\}\\],\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":\"vm-security-file-open\""
	else
		not_ok "security_file_open: event stored"; n_not_ok 2 "security_file_open"
		diag "$(plist vm-security-file-open)"
	fi
	"$CTL" -S "$S" policy delete vm-security-file-open >/dev/null 2>&1
else
	n_not_ok 3 "security_file_open: policy refused"
fi

# ---- 3. lsmhooks file_open + Override ----------------------------------------

section "3 lsm file_open"
printf 'secret\n' >"$D/lsm-secret"
printf 'open\n' >"$D/lsm-other"
chmod 644 "$D/lsm-secret" "$D/lsm-other"
if addp "$DATA/lsm-file-open.yaml"; then
	pl=$(plist vm-lsm-file-open)
	diag "$pl"
	like "lsm file_open: policy list shows the hook attached as BPF LSM" "$pl" \
	    'lsmhook file_open: hook [0-9]+: .*([Ll][Ss][Mm])'
	out=$("$D/bin/tlcat" "$D/lsm-secret" 2>&1)
	like "lsm file_open: tlcat cannot open the file: EPERM" "$? $out" \
	    "^1 $D/bin/tlcat: $D/lsm-secret: Operation not permitted\$"
	is "lsm file_open: /bin/cat reads it" "$(/bin/cat "$D/lsm-secret" 2>&1)" secret
	is "lsm file_open: tlcat reads another file" "$("$D/bin/tlcat" "$D/lsm-other" 2>&1)" open
	if wrow "SELECT 1 FROM events WHERE policy_name='vm-lsm-file-open' AND args LIKE '%/tmp/tlvm/lsm-secret%'"; then
		is "lsm file_open: event with Override, by tlcat only" \
		    "$(q "SELECT count(*) || ' ' || group_concat(DISTINCT p.binary) || ' ' || group_concat(DISTINCT e.function_name) || ' ' || group_concat(DISTINCT e.action) FROM events e LEFT JOIN processes p ON p.exec_id=e.exec_id WHERE e.policy_name='vm-lsm-file-open'")" \
		    "1 $D/bin/tlcat file_open KPROBE_ACTION_OVERRIDE"
		j=$(jline vm-lsm-file-open '"path":"/tmp/tlvm/lsm-secret"')
		jhas "lsm file_open: JSON line (process_lsm, file_arg, Override)" "$j" \
		    '{"process_lsm":{"process":{' "\"binary\":\"$D/bin/tlcat\"" \
		    '"function_name":"file_open"' '"policy_name":"vm-lsm-file-open"' \
		    '"args":[{"file_arg":{"path":"/tmp/tlvm/lsm-secret"' \
		    '"action":"KPROBE_ACTION_OVERRIDE"'
	else
		not_ok "lsm file_open: event stored"; n_not_ok 1 "lsm file_open"
	fi
	if "$CTL" -S "$S" policy mode vm-lsm-file-open monitor >"$D/mode.out" 2>&1; then
		out=$("$D/bin/tlcat" "$D/lsm-secret" 2>&1)
		is "lsm file_open, monitor mode: tlcat reads the file" "$? $out" "0 secret"
		if wrow "SELECT 1 FROM events WHERE policy_name='vm-lsm-file-open' AND monitor_would IS NOT NULL"; then
			like "lsm file_open, monitor mode: event says Override would have run" \
			    "$(q "SELECT action || ' ' || monitor_would FROM events WHERE policy_name='vm-lsm-file-open' AND monitor_would IS NOT NULL LIMIT 1")" \
			    "^KPROBE_ACTION_POST .*KPROBE_ACTION_OVERRIDE"
		else
			not_ok "lsm file_open, monitor mode: event with monitor_would stored"
		fi
	else
		diag "policy mode: $(cat "$D/mode.out")"
		n_not_ok 2 "lsm file_open, monitor mode: mode change refused"
	fi
	"$CTL" -S "$S" policy delete vm-lsm-file-open >/dev/null 2>&1
	is "lsm file_open: policy deleted, tlcat reads the file" "$("$D/bin/tlcat" "$D/lsm-secret" 2>&1)" secret
else
	n_not_ok 8 "lsm file_open: policy refused"
fi

# ---- 4. seed: block write to /etc/passwd (scratch file) ----------------------

section "4 write passwd"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$D/passwd"
printf 'other\n' >"$D/other"
sum0=$(sha256sum "$D/passwd")
if addp "$DATA/write-passwd.yaml"; then
	pl=$(plist vm-write-passwd)
	diag "$pl"
	like "write passwd: policy list says Override is done by the file_permission LSM hook" \
	    "$pl" 'file_permission'
	is "write passwd: shell 'echo x >> passwd' killed (137)" \
	    "$(sh -c "echo pwned-by-sh >> $D/passwd" >/dev/null 2>&1; echo $?)" 137
	is "write passwd: trigger write killed by SIGKILL" \
	    "$(how "$TR" write "$D/passwd" pwned-by-trigger)" "signal 9"
	is "write passwd: the file is unchanged" "$(sha256sum "$D/passwd")" "$sum0"
	is "write passwd: a write to another file works" \
	    "$(sh -c "echo more >> $D/other" 2>&1; echo $?; cat "$D/other")" "0
other
more"
	# two writes were refused: the shell's and the trigger's
	if wrow "SELECT 1 FROM events WHERE policy_name='vm-write-passwd' AND (SELECT count(*) FROM events WHERE policy_name='vm-write-passwd') >= 2"; then
		q "SELECT function_name || ' ' || action || ' ' || actions || ' ' || args FROM events WHERE policy_name='vm-write-passwd' ORDER BY id" | sed 's/^/# row: /'
		is "write passwd: two events (sh, trigger), with the path, Sigkill + Override" \
		    "$(q "SELECT count(*) || ' ' || group_concat(DISTINCT function_name) || ' ' || group_concat(DISTINCT action) || ' ' || group_concat(DISTINCT actions) FROM events WHERE policy_name='vm-write-passwd' AND args LIKE '[{\"file_arg\":{\"path\":\"/tmp/tlvm/passwd\"%'")" \
		    '2 __x64_sys_write KPROBE_ACTION_SIGKILL ["KPROBE_ACTION_POST","KPROBE_ACTION_SIGKILL","KPROBE_ACTION_OVERRIDE"]'
		b=$(printf 'pwned-by-trigger' | base64)
		# the seed's char_buf has no sizeArgIndex: Tetragon then copies
		# no bytes (empty bytes_arg); the data, if captured, is exact
		like "write passwd: the trigger's event has a bytes_arg (no error_arg) and the size" \
		    "$(q "SELECT args FROM events WHERE policy_name='vm-write-passwd' AND args LIKE '%\"size_arg\":\"16\"%'")" \
		    "^\\[\\{\"file_arg\":\\{\"path\":\"/tmp/tlvm/passwd\"[^]]*\\},\\{\"bytes_arg\":\"($b)?\"\\},\\{\"size_arg\":\"16\"\\}\\]$"
		j=$(jline vm-write-passwd '"path":"/tmp/tlvm/passwd"')
		jhas "write passwd: JSON line" "$j" '{"process_kprobe":{' \
		    '"function_name":"__x64_sys_write"' '"file_arg":{"path":"/tmp/tlvm/passwd"' \
		    '"action":"KPROBE_ACTION_SIGKILL"' '"policy_name":"vm-write-passwd"'
	else
		not_ok "write passwd: two events stored"; n_not_ok 2 "write passwd"
		q "SELECT function_name || ' ' || action || ' ' || actions || ' ' || args FROM events WHERE policy_name='vm-write-passwd' ORDER BY id" | sed 's/^/# row: /'
		diag "$(plist vm-write-passwd)"
	fi
	"$CTL" -S "$S" policy delete vm-write-passwd >/dev/null 2>&1
else
	n_not_ok 8 "write passwd: policy refused"
fi

# ---- 5. seed: symlinkat to *passwd, Override + Sigkill -----------------------

section "5 symlinkat passwd"
if addp "$DATA/symlink-passwd.yaml"; then
	pl=$(plist sys-symlink-passwd)
	diag "$pl"
	like "symlinkat: policy list says Override is done by the inode_symlink LSM hook" \
	    "$pl" 'inode_symlink'
	r=$(ln -s "$D/passwd" "$D/link" >/dev/null 2>&1; echo $?)
	diag "ln -s $D/passwd $D/link: exit $r"
	like "symlinkat: ln -s .../passwd fails or is killed" "$r" '^([1-9]|1[0-9][0-9])$'
	is "symlinkat: the link does not exist" "$(ls -l "$D/link" 2>&1 | grep -c -- '->')" 0
	is "symlinkat: trigger symlinkat killed by SIGKILL" \
	    "$(how "$TR" symlinkat "$D/passwd" "$D/link2")" "signal 9"
	is "symlinkat: no link from the trigger either" "$(test -L "$D/link2" && echo exists)" ""
	is "symlinkat: a link to another target works" \
	    "$(ln -s "$D/other" "$D/link3" 2>&1; echo $?; readlink "$D/link3")" "0
$D/other"
	if wrow "SELECT 1 FROM events WHERE policy_name='sys-symlink-passwd' AND args LIKE '%/tmp/tlvm/link2%'"; then
		r=$(col sys-symlink-passwd /tmp/tlvm/link2 "function_name || ' ' || action || ' ' || actions || ' ' || args")
		is "symlinkat: event with Sigkill, Override and the args" "$r" \
		    "__x64_sys_symlinkat KPROBE_ACTION_SIGKILL [\"KPROBE_ACTION_POST\",\"KPROBE_ACTION_SIGKILL\",\"KPROBE_ACTION_OVERRIDE\"] [{\"string_arg\":\"$D/passwd\"},{\"int_arg\":-100},{\"string_arg\":\"$D/link2\"}]"
		j=$(jline sys-symlink-passwd '/tmp/tlvm/link2')
		jhas "symlinkat: JSON line" "$j" '{"process_kprobe":{' \
		    '"function_name":"__x64_sys_symlinkat"' \
		    "\"args\":[{\"string_arg\":\"$D/passwd\"},{\"int_arg\":-100},{\"string_arg\":\"$D/link2\"}]" \
		    '"policy_name":"sys-symlink-passwd"'
	else
		not_ok "symlinkat: event stored"; n_not_ok 1 "symlinkat"
	fi
	is "symlinkat: the other target made no event" "$(nrows sys-symlink-passwd link3)" 0
	"$CTL" -S "$S" policy delete sys-symlink-passwd >/dev/null 2>&1
else
	n_not_ok 9 "symlinkat: policy refused"
fi

# ---- 5b. the argument in a page never touched: decided at sys_exit ----------

section "5b unreadable argument"
U=$B/tests/integration/unreadarg
if addp "$DATA/symlink-passwd.yaml"; then
	diag "$(plist sys-symlink-passwd)"
	is "untouched literal .../passwd: killed" \
	    "$(how "$U" rodata "$D/link-ro")" "signal 9"
	is "untouched literal .../passwd: no link (fail-closed: Override carried out at entry)" \
	    "$(test -L "$D/link-ro" && echo exists)" ""
	# the executor on inode_symlink decides again on the kernel's copy
	# of the target: fail-closed at entry, but no match there
	is "untouched literal .../shadow, fail-closed: decided again on the kernel's copy: linked" \
	    "$(how "$U" rodata-other "$D/link-ro2"; cat "$D/how.out")" "exit 0
ret 0 errno 0"
	is "the same name on the stack (readable at entry): link made" \
	    "$(how "$U" stack /nonexistent/shadow "$D/link-st"; readlink "$D/link-st")" "exit 0
/nonexistent/shadow"
	if wrow "SELECT 1 FROM events WHERE policy_name='sys-symlink-passwd' AND args LIKE '%link-ro\"%'"; then
		is "late hit: Post, Sigkill, Override, late" \
		    "$(col sys-symlink-passwd link-ro\" "late || ' ' || actions")" \
		    '1 ["KPROBE_ACTION_POST","KPROBE_ACTION_SIGKILL","KPROBE_ACTION_OVERRIDE"]'
		is "not refused, no match at exit: no event" \
		    "$(nrows sys-symlink-passwd link-ro2)" 0
	else
		n_not_ok 2 "unreadable argument: events stored"
	fi
	"$CTL" -S "$S" policy delete sys-symlink-passwd >/dev/null 2>&1
else
	n_not_ok 6 "unreadable argument: policy refused"
fi
awk '{ sub(/"sys-symlink-passwd"/, "\"sys-symlink-open\""); print }
    /^spec:/ { print "  options:\n  - name: unreadable-args\n    value: fail-open" }' \
    "$DATA/symlink-passwd.yaml" >"$D/symlink-open.yaml"
if addp "$D/symlink-open.yaml"; then
	is "fail-open: untouched literal .../shadow: link made" \
	    "$(how "$U" rodata-other "$D/link-op"; readlink "$D/link-op")" "exit 0
/nonexistent/shadow"
	is "fail-open: untouched literal .../passwd: killed" \
	    "$(how "$U" rodata "$D/link-op2")" "signal 9"
	is "fail-open: ... and no link (decided on the kernel's copy in inode_symlink)" \
	    "$(readlink "$D/link-op2")" ""
	like "fail-open: policy list counts the Override as carried out" \
	    "$(plist sys-symlink-open)" 'overrides [1-9][0-9]* \(decided but not carried out: 0\)'
	"$CTL" -S "$S" policy delete sys-symlink-open >/dev/null 2>&1
else
	n_not_ok 4 "unreadable argument, fail-open: policy refused"
fi

# ---- 6. Override on security_inode_mkdir (fmod_ret) -----------------------------

section "6 security_inode_mkdir"
if addp "$DATA/override-mkdir.yaml"; then
	pl=$(plist vm-override-mkdir)
	diag "$pl"
	like "mkdir: policy list says Override is done with fmod_ret" "$pl" 'fmod_ret'
	out=$("$D/bin/tlmkdir" "$D/d1" 2>&1)
	like "mkdir: tlmkdir gets EPERM" "$? $out" \
	    "^1 $D/bin/tlmkdir: cannot create directory .{1,3}$D/d1.{1,3}: Operation not permitted\$"
	is "mkdir: no directory made" "$(test -e "$D/d1" && echo exists)" ""
	is "mkdir: /usr/bin/mkdir works" "$(mkdir "$D/d2" 2>&1; echo $?; test -d "$D/d2" && echo dir)" "0
dir"
	if wrow "SELECT 1 FROM events e JOIN processes p ON p.exec_id=e.exec_id WHERE e.policy_name='vm-override-mkdir' AND p.binary='$D/bin/tlmkdir'"; then
		is "mkdir: one event, by tlmkdir, with Override" \
		    "$(q "SELECT count(*) || ' ' || group_concat(DISTINCT p.binary) || ' ' || group_concat(DISTINCT e.function_name) || ' ' || group_concat(DISTINCT e.action) FROM events e LEFT JOIN processes p ON p.exec_id=e.exec_id WHERE e.policy_name='vm-override-mkdir'")" \
		    "1 $D/bin/tlmkdir security_inode_mkdir KPROBE_ACTION_OVERRIDE"
	else
		not_ok "mkdir: event stored"
		diag "$(plist vm-override-mkdir)"
	fi
	"$CTL" -S "$S" policy delete vm-override-mkdir >/dev/null 2>&1
else
	n_not_ok 5 "mkdir: policy refused"
fi

# ---- 6b. kretprobe on a kernel function, fentry ------------------------------

section "6b kretprobe, fentry"
printf 'yes\n' >"$D/kret-yes"
printf 'yes\n' >"$D/fen-yes"
printf 'no\n' >"$D/fen-no"
chmod 644 "$D/kret-yes" "$D/fen-yes" "$D/fen-no"
if addp "$DATA/kretprobe-openat2.yaml"; then
	diag "$(plist vm-kretprobe)"
	like "kretprobe: attached as kprobe+kretprobe" "$(plist vm-kretprobe)" \
	    'kprobe\+kretprobe do_sys_openat2'
	"$TR" openat "$D/kret-yes" 0 >/dev/null
	if wrow "SELECT 1 FROM events WHERE policy_name='vm-kretprobe' AND args LIKE '%/tmp/tlvm/kret-yes%'"; then
		like "kretprobe: the path argument and the fd returned" \
		    "$(col vm-kretprobe kret-yes "function_name || ' ' || args || ' ' || return_value")" \
		    '^do_sys_openat2 \[\{"string_arg":"/tmp/tlvm/kret-yes"\}\] \{"int_arg":[0-9]+\}$'
	else
		not_ok "kretprobe: event stored"; n_not_ok 1 "kretprobe"
	fi
	"$CTL" -S "$S" policy delete vm-kretprobe >/dev/null 2>&1
else
	n_not_ok 3 "kretprobe: policy refused"
fi
if addp "$DATA/fentry-file-open.yaml"; then
	diag "$(plist vm-fentry)"
	like "fentry: attached through a trampoline" "$(plist vm-fentry)" \
	    'fentry/security_file_open program'
	"$TR" openat "$D/fen-no" 0 >/dev/null
	"$TR" openat "$D/fen-yes" 0 >/dev/null
	if wrow "SELECT 1 FROM events WHERE policy_name='vm-fentry' AND args LIKE '%/tmp/tlvm/fen-yes%'"; then
		like "fentry: event with the file_arg path" \
		    "$(col vm-fentry fen-yes "function_name || ' ' || args")" \
		    '^security_file_open \[\{"file_arg":\{"path":"/tmp/tlvm/fen-yes"'
		is "fentry: the other file is not matched" "$(nrows vm-fentry fen-no)" 0
	else
		not_ok "fentry: event stored"; n_not_ok 1 "fentry"
	fi
	"$CTL" -S "$S" policy delete vm-fentry >/dev/null 2>&1
else
	n_not_ok 4 "fentry: policy refused"
fi

# ---- 7. Tetragon examples with kprobes or lsmhooks, monitor mode -------------

section "7 tetragon examples"
nx=0 bad=0 loaded=
for f in "$EX"/*.yaml; do
	grep -Eq '^ +(kprobes|lsmhooks):' "$f" || continue
	nx=$((nx + 1))
	b=$(basename "$f" .yaml)
	name=$(sed -n 's/^  name: *"*\([^"]*\)"*$/\1/p' "$f" | head -n 1)
	t0=$(date +%s)
	if "$CTL" -S "$S" policy add --mode monitor "$f" >"$D/add.out" 2>&1; then
		diag "tetragon example $b: loaded ($(($(date +%s) - t0))s)"
		plist "$name" | sed 's/^/#   /'
		loaded="$loaded $b"
		case "$b" in
		fd_install_ns_host)
			# a cat in a new pid namespace first (not the host's:
			# no row), then one in the host's
			unshare -p -f /usr/bin/cat "$D/fdi-yes" >/dev/null
			cat "$D/fdi-no" >/dev/null
			check "tetragon fd_install_ns_host fires (file_arg of cat's open)" \
			    wrow "SELECT 1 FROM events WHERE policy_name='fd-install' AND args LIKE '%\"path\":\"/tmp/tlvm/fdi-no\"%'"
			is "tetragon fd_install_ns_host: the open in another pid namespace is not recorded" \
			    "$(q "SELECT count(*) FROM events WHERE policy_name='fd-install' AND args LIKE '%/tmp/tlvm/fdi-yes%'")" 0 ;;
		lsm_file_open)
			/usr/bin/cat /etc/hostname >/dev/null
			/usr/bin/head -n 1 /etc/passwd >/dev/null
			/usr/bin/cat /etc/passwd >/dev/null
			check "tetragon lsm_file_open fires (/usr/bin/cat /etc/passwd)" \
			    wrow "SELECT 1 FROM events WHERE policy_name='lsm-file-open' AND args LIKE '%\"path\":\"/etc/passwd\"%'"
			is "tetragon lsm_file_open: cat of another file and head of /etc/passwd are not recorded" \
			    "$(q "SELECT count(*) FROM events e JOIN processes p ON p.exec_id = e.exec_id WHERE e.policy_name='lsm-file-open' AND (e.args LIKE '%/etc/hostname%' OR p.binary = '/usr/bin/head')")" 0 ;;
		filename_monitoring_filtered)
			# /etc/passwd is a scratch file bound over it (the
			# guest's root is a throw-away overlay anyway)
			printf 'tl:x:0:0::/:/bin/sh\n' >"$D/fmf-passwd"
			printf 'x\n' >"$D/fmf-other"
			mount --bind "$D/fmf-passwd" /etc/passwd
			cat /etc/passwd >/dev/null			# MAY_READ
			"$TR" write "$D/fmf-other" x >/dev/null		# another file
			"$TR" truncate "$D/fmf-other" >/dev/null
			/usr/bin/python3 -c 'import mmap, os
f = os.open("/etc/passwd", os.O_RDONLY)
mmap.mmap(f, 0, mmap.MAP_SHARED, mmap.PROT_READ).close()' # no PROT_WRITE
			"$TR" write /etc/passwd x >/dev/null		# MAY_WRITE
			/usr/bin/python3 -c 'import mmap, os
f = os.open("/etc/passwd", os.O_RDWR)
mmap.mmap(f, 0, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE).close()'
			"$TR" truncate /etc/passwd >/dev/null	# truncate(2)
			check "tetragon filename_monitoring_filtered fires: a write to /etc/passwd (security_file_permission MAY_WRITE)" \
			    wrow "SELECT 1 FROM events WHERE policy_name='file-monitoring-filtered' AND function_name='security_file_permission' AND args LIKE '%\"path\":\"/etc/passwd\"%' AND args LIKE '%{\"int_arg\":2}%'"
			check "tetragon filename_monitoring_filtered fires: a shared writable mmap of /etc/passwd (security_mmap_file)" \
			    wrow "SELECT 1 FROM events WHERE policy_name='file-monitoring-filtered' AND function_name='security_mmap_file' AND args LIKE '%\"path\":\"/etc/passwd\"%'"
			check "tetragon filename_monitoring_filtered fires: truncate of /etc/passwd (security_path_truncate)" \
			    wrow "SELECT 1 FROM events WHERE policy_name='file-monitoring-filtered' AND function_name='security_path_truncate' AND args LIKE '%\"path\":\"/etc/passwd\"%'"
			# (a write on overlayfs is checked twice on 6.1: the
			# overlay's file and the one under it, both rows)
			is "tetragon filename_monitoring_filtered: the read, the read-only mmap and the other file are not recorded" \
			    "$(q "SELECT count(DISTINCT function_name) || ' ' || sum(function_name = 'security_file_permission' AND args NOT LIKE '%{\"int_arg\":2}]') || ' ' || sum(function_name = 'security_mmap_file' AND args NOT LIKE '%{\"uint_arg\":3}]') || ' ' || sum(args LIKE '%fmf-other%') FROM events WHERE policy_name='file-monitoring-filtered'")" "3 0 0 0"
			q "SELECT e.function_name || ' ' || p.binary || ' ' || e.args || ' ' || coalesce(e.return_value, '') FROM events e LEFT JOIN processes p ON p.exec_id = e.exec_id WHERE e.policy_name='file-monitoring-filtered'" | sed 's/^/# row: /'
			umount /etc/passwd ;;
		host-changes__monitor-kernel-modules)
			# finit_module of a file that is no module: the kernel
			# reads it (READING_MODULE) before it refuses it;
			# kexec_file_load of it is a read of another kind
			head -c 4096 /dev/zero >"$D/hc-junk.ko"
			head -c 4096 /dev/zero >"$D/hc-kexec"
			/usr/bin/python3 -c 'import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open("/tmp/tlvm/hc-kexec", os.O_RDONLY)
libc.syscall(320, fd, -1, 0, b"", 4)' # kexec_file_load, no initramfs
			"$TR" finit_module 3 "" 0 3<"$D/hc-junk.ko" >/dev/null
			/usr/bin/python3 -c 'import socket
try:
    socket.socket(12, socket.SOCK_STREAM)
except OSError:
    pass' # AF_DECnet: the kernel asks for module net-pf-12
			check "tetragon monitor-kernel-modules fires: finit_module's read of the file (security_kernel_read_file, READING_MODULE)" \
			    wrow "SELECT 1 FROM events WHERE policy_name='monitor-kernel-modules' AND function_name='security_kernel_read_file' AND args LIKE '%hc-junk.ko%'"
			check "tetragon monitor-kernel-modules fires: a module request (security_kernel_module_request net-pf-12)" \
			    wrow "SELECT 1 FROM events WHERE policy_name='monitor-kernel-modules' AND function_name='security_kernel_module_request' AND args LIKE '%net-pf-12%'"
			is "tetragon monitor-kernel-modules: kexec's read of a file (not READING_MODULE) is not recorded" \
			    "$(q "SELECT count(*) FROM events WHERE policy_name='monitor-kernel-modules' AND args LIKE '%hc-kexec%'")" 0 ;;
		process-credentials__process-creds-changed)
			# commit_creds only outside the host's pid namespace
			# (an exec commits creds too: rows by unshare, before
			# its exec of trigger; trigger's setuid to new creds is
			# one more, not inside the rateLimit of the same args);
			# override_creds/revert_creds everywhere (access() by a
			# process whose fsuid is not its uid overrides them)
			"$TR" setuid 65534 >/dev/null
			unshare -p -f "$TR" setuid 65534 >/dev/null
			/usr/bin/python3 -c 'import ctypes, os
libc = ctypes.CDLL(None)
libc.setfsuid(65534)
os.access("/tmp", os.R_OK)'
			check "tetragon process-creds-changed fires: commit_creds in another pid namespace" \
			    wrow "SELECT 1 FROM events e JOIN processes p ON p.exec_id = e.exec_id WHERE e.policy_name='process-creds-changed' AND e.function_name='commit_creds' AND p.binary='$TR'"
			check "tetragon process-creds-changed fires: override_creds and revert_creds of access()" \
			    wrow "SELECT 1 FROM events WHERE policy_name='process-creds-changed' AND function_name='revert_creds' AND args LIKE '%process_credentials_arg%'"
			is "tetragon process-creds-changed: the setuid in the host's pid namespace is not recorded (one commit_creds row by trigger)" \
			    "$(q "SELECT count(*) FROM events e JOIN processes p ON p.exec_id = e.exec_id WHERE e.policy_name='process-creds-changed' AND e.function_name='commit_creds' AND p.binary='$TR'")" 1
			plist process-creds-changed | sed 's/^/#   /'
			q "SELECT e.function_name || ' ' || p.pid || ' ' || p.binary || ' ' || substr(e.args, 1, 300) FROM events e LEFT JOIN processes p ON p.exec_id = e.exec_id WHERE e.policy_name='process-creds-changed' AND e.function_name = 'commit_creds' LIMIT 8" | sed 's/^/# row: /' ;;
		bpf)
			# tripline's own BPF work is what it sees: a policy
			# that needs a new program instance (bpf_check with
			# the program's bpf_attr, a map for its .rodata) and
			# a kprobe attach (a perf event naming the function)
			addp "$DATA/lsm-file-open.yaml" &&
			    "$CTL" -S "$S" policy delete vm-lsm-file-open >/dev/null 2>&1
			addp "$DATA/fd-install.yaml" &&
			    "$CTL" -S "$S" policy delete vm-fd-install >/dev/null 2>&1
			check "tetragon bpf fires: bpf_check with the program's bpf_attr (BPF_PROG_TYPE_LSM generic_lsm)" \
			    wrow "SELECT 1 FROM events WHERE policy_name='bpf' AND function_name='bpf_check' AND args LIKE '%\"ProgType\":\"BPF_PROG_TYPE_LSM\"%' AND args LIKE '%generic_lsm%'"
			check "tetragon bpf fires: map creation with a bpf_map_arg" \
			    wrow "SELECT 1 FROM events WHERE policy_name='bpf' AND function_name LIKE 'security_bpf_map_%' AND args LIKE '%\"bpf_map_arg\":{\"MapType\":%'"
			check "tetragon bpf fires: security_perf_event_alloc names the kprobe's function" \
			    wrow "SELECT 1 FROM events WHERE policy_name='bpf' AND function_name='security_perf_event_alloc' AND args LIKE '%\"KprobeFunc\":\"fd_install\"%'" ;;
		quickstart__file_monitoring_enforce)
			# lists of 9 Prefix and 10 Postfix values (the string
			# maps) on the path of a file argument; monitor mode:
			# no Sigkill, rows with what it would have done
			: >"$D/qs.bashrc"; : >"$D/qs.bashrx"
			/usr/bin/cat "$D/qs.bashrx" /etc/profile "$D/qs.bashrc" >/dev/null
			check "tetragon quickstart fires: Prefix list (9 values), /etc/profile read" \
			    wrow "SELECT 1 FROM events WHERE policy_name='file-monitoring-filtered' AND function_name='security_file_permission' AND args LIKE '%\"path\":\"/etc/profile\"%' AND monitor_would LIKE '%SIGKILL%'"
			check "tetragon quickstart fires: Postfix list (10 values), $D/qs.bashrc read" \
			    wrow "SELECT 1 FROM events WHERE policy_name='file-monitoring-filtered' AND args LIKE '%\"path\":\"$D/qs.bashrc\"%'"
			is "tetragon quickstart: $D/qs.bashrx (no value's suffix) not recorded" \
			    "$(q "SELECT count(*) FROM events WHERE policy_name='file-monitoring-filtered' AND args LIKE '%qs.bashrx%'")" 0 ;;
		stack_traces)
			# (6.12 has no kfree_skb_reason: refused there) a UDP
			# datagram to a port where nothing listens is dropped
			# (no socket): the drop posted with its kernel stack,
			# symbols without addresses (the default)
			/usr/bin/python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"tl", ("127.0.0.1", 9))'
			check "tetragon stack_traces fires: a dropped skb with its kernel stack" \
			    wrow "SELECT 1 FROM events WHERE policy_name='stack-traces-example' AND function_name='kfree_skb_reason' AND json_array_length(stack_trace, '\$.kernel_stack_trace') > 1"
			r=$(q "SELECT count(*) || ' ' || sum(json_extract(j.value, '\$.address') IS NOT NULL) || ' ' || (group_concat(json_extract(j.value, '\$.symbol'), ' ') LIKE '%udp%rcv%') FROM events e, json_each(e.stack_trace, '\$.kernel_stack_trace') j WHERE e.policy_name='stack-traces-example' AND e.function_name='kfree_skb_reason'")
			like "tetragon stack_traces: the drops' kernel frames name the UDP receive path, no addresses" \
			    "$r" '^[1-9][0-9]* 0 1$'
			case "$r" in *" 0 1") ;; *)
				q "SELECT args || ' ' || stack_trace FROM events WHERE policy_name='stack-traces-example' LIMIT 3" | sed 's/^/# row: /' ;;
			esac ;;
		override-security)
			is "tetragon override-security, monitor mode: mkdir works" \
			    "$(/usr/bin/mkdir "$D/so-dir" 2>&1; echo $?)" 0
			check "tetragon override-security fires, says Override would have run" \
			    wrow "SELECT 1 FROM events e JOIN processes p ON p.exec_id=e.exec_id WHERE e.policy_name='security-override' AND p.binary='/usr/bin/mkdir' AND e.monitor_would LIKE '%OVERRIDE%'" ;;
		esac
		"$CTL" -S "$S" policy delete "$name" >/dev/null 2>&1
	else
		r=$(tr '\n' ' ' <"$D/add.out")
		diag "tetragon example $b: refused ($(($(date +%s) - t0))s): $r"
		printf '%s' "$r" | grep -Eqi 'kprobe|lsm|fentry|trampoline|override|not supported|unsupported|does not exist|no such|enforcer|needs|at most [0-9]+ \(POL_MAX' || {
			bad=$((bad + 1)); diag "  ^ no specific reason"; }
	fi
done
is "all $nx Tetragon kprobe/lsmhooks examples load or are refused with a specific reason" "$bad" 0
# (stack_traces hooks kfree_skb_reason, which 6.1 has and 6.12 does not)
st=; case "$(uname -r)" in 6.1.*) st=stack_traces ;; esac
for must in fd_install_ns_host lsm_file_open override-security bpf \
    quickstart__file_monitoring_enforce filename_monitoring_filtered \
    host-changes__monitor-kernel-modules \
    process-credentials__process-creds-changed $st; do
	case " $loaded " in
	*" $must "*) ok "tetragon $must loads" ;;
	*) not_ok "tetragon $must loads" ;;
	esac
done

section ""
kill -0 "$LPID" 2>/dev/null
is "loaderd still running after all of that" "$?" 0
is "no policy left loaded" "$("$CTL" -S "$S" policy list 2>&1)" "no policies loaded"
if [ "$_tap_fail" -gt 0 ]; then
	diag "loaderd log (errors, warnings):"
	grep -Ei 'error|warn|fatal|refus|fail' "$LOG" | tail -n 40 | sed 's/^/#   /'
fi
echo "1..$_tap_n"
finish
