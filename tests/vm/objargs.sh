#!/bin/sh
# tests/vm/objargs.sh BUILDDIR -- kernel object arguments on a stock
# kernel (TAP), each with a call that matches and one that does not.
#
# Runs as root INSIDE the VM (tests/integration/vm_objargs.sh boots each
# kernel once with tests/vm/vm.sh and runs this); it refuses to run
# elsewhere.  Kprobes on kernel functions (syscall: false), scratch files
# in /tmp/tlvm:
#  1. path (security_path_chmod), FileType / NotFileType on a path and on
#     a file (security_file_open): a regular file and a directory
#  2. dentry (security_inode_unlink)
#  3. linux_binprm (security_bprm_check)
#  4. module (do_init_module), load_info (add_kallsyms): modprobe of two
#     modules, one matched by name
#  5. kernel_cap_t / cap_effective / cap_permitted (security_capset: the
#     sets the pointers point to); refused as a return value
#  6. bpf_attr (bpf_check), bpf_prog (security_bpf_prog), bpf_map
#     (security_bpf_map), perf_event (security_perf_event_alloc)
#  7. matchNamespaceChanges, matchCapabilityChanges on a kprobe and an
#     fentry (security_file_open) and an LSM hook (file_open)
#  7b. resolve (f_path.dentry.d_name.name of a struct file) on a kprobe,
#     an fentry and an LSM hook
#  8. Post kernelStackTrace + userStackTrace on a kprobe
#     (security_path_chmod): kernel frames from the probed function to
#     the syscall entry; user frames in chmod or its libraries
# Asserted on the events.db rows.
. "$(dirname "$0")/guestlib.sh"

BB=/run/vm/busybox
# pn POLICY DESC YES NO REGEX: a row of POLICY whose args contain YES
# (its args match REGEX), none whose args contain NO; the policy deleted
pn() {
	if wrow "SELECT 1 FROM events WHERE policy_name='$1' AND args LIKE '%$3%'"; then
		like "$2: $3 stored" "$(col "$1" "$3" args)" "$5"
		is "$2: $4 not stored" "$(nrows "$1" "$4")" 0
	else
		not_ok "$2: $3 stored"; n_not_ok 1 "$2: $4 not stored"
		diag "$(plist "$1")"
	fi
}
# kfn POLICY FUNCTION INDEX TYPE OPERATOR VALUE [OPERATOR2 VALUE2]: a
# kprobe on FUNCTION with one argument and one or two matchArgs on it
kfn() {
	{
		printf '  kprobes:\n  - call: "%s"\n    syscall: false\n' "$2"
		printf '    args:\n    - index: %s\n      type: "%s"\n' "$3" "$4"
		printf '    selectors:\n    - matchArgs:\n'
		printf '      - index: %s\n        operator: "%s"\n        values:\n        - "%s"\n' "$3" "$5" "$6"
		[ $# -ge 8 ] && printf '      - index: %s\n        operator: "%s"\n        values:\n        - "%s"\n' "$3" "$7" "$8"
	} | pol "$1"
	addp "$P/$1.yaml"
}
delp() { for _p in "$@"; do "$CTL" -S "$S" policy delete "$_p" >/dev/null 2>&1; done; }

# ---- 1. path, FileType / NotFileType ----------------------------------------

section "1 path, FileType"
: >"$D/pa-yes"; : >"$D/pa-no"; : >"$D/ft-file"; mkdir "$D/ft-dir"
if kfn o-path security_path_chmod 0 path Prefix "$D/pa-yes"; then
	chmod 600 "$D/pa-no"; chmod 600 "$D/pa-yes"
	pn o-path "path (security_path_chmod)" pa-yes pa-no \
	    "^\\[\\{\"path_arg\":\\{\"path\":\"$D/pa-yes\""
	delp o-path
else n_not_ok 2 "path: policy refused"; fi
if kfn o-ft-reg security_path_chmod 0 path Prefix "$D/ft-" FileType reg &&
    kfn o-ft-notreg security_path_chmod 0 path Prefix "$D/ft-" NotFileType regular &&
    kfn o-ft-fdir security_file_open 0 file Prefix "$D/ft-" FileType dir; then
	chmod 700 "$D/ft-dir"; chmod 600 "$D/ft-file"
	"$TR" openat "$D/ft-file" 0 >/dev/null
	"$TR" openat "$D/ft-dir" 0 >/dev/null
	pn o-ft-reg "FileType reg on a path" ft-file ft-dir \
	    "\"path\":\"$D/ft-file\""
	pn o-ft-notreg "NotFileType regular on a path" ft-dir ft-file \
	    "\"path\":\"$D/ft-dir\""
	pn o-ft-fdir "FileType dir on a file" ft-dir ft-file \
	    "^\\[\\{\"file_arg\":\\{\"path\":\"$D/ft-dir\""
else n_not_ok 6 "FileType: policy refused"; fi
delp o-ft-reg o-ft-notreg o-ft-fdir

# ---- 2. dentry --------------------------------------------------------------

section "2 dentry"
: >"$D/de-yes"; : >"$D/de-no"
if kfn o-dentry security_inode_unlink 1 dentry Postfix "/de-yes"; then
	rm "$D/de-no" "$D/de-yes"
	pn o-dentry "dentry (security_inode_unlink)" de-yes de-no \
	    '^\[\{"[a-z_]*":\{"path":"[^"]*/de-yes"'
	delp o-dentry
else n_not_ok 2 "dentry: policy refused"; fi

# ---- 3. linux_binprm --------------------------------------------------------

section "3 linux_binprm"
if kfn o-binprm security_bprm_check 0 linux_binprm Equal "$D/bin/tlcat"; then
	/usr/bin/cat /dev/null
	"$D/bin/tlcat" /dev/null
	pn o-binprm "linux_binprm (security_bprm_check)" "$D/bin/tlcat" \
	    /usr/bin/cat "^\\[\\{\"linux_binprm_arg\":\\{\"path\":\"$D/bin/tlcat\""
	delp o-binprm
else n_not_ok 2 "linux_binprm: policy refused"; fi

# ---- 4. module, load_info ---------------------------------------------------

section "4 module"
if kfn o-module do_init_module 0 module Equal dummy &&
    kfn o-loadinfo add_kallsyms 1 load_info Equal dummy; then
	$BB modprobe nlmon 2>&1 | sed 's/^/# modprobe nlmon: /'
	$BB modprobe dummy 2>&1 | sed 's/^/# modprobe dummy: /'
	diag "modules: $(grep -E '^(dummy|nlmon) ' /proc/modules | cut -d' ' -f1 | tr '\n' ' ')"
	pn o-module "module (do_init_module)" dummy nlmon \
	    '^\[\{"module_arg":\{"name":"dummy"'
	pn o-loadinfo "load_info (add_kallsyms)" dummy nlmon \
	    '^\[\{"module_arg":\{"name":"dummy"'
else n_not_ok 4 "module: policy refused"; fi
delp o-module o-loadinfo

# ---- 5. kernel_cap_t ----------------------------------------------------------

section "5 kernel_cap_t"
hex=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
full=$(printf '%d' "0x$hex")
pol o-caps <<EOF
  kprobes:
  - call: "security_capset"
    syscall: false
    args:
    - index: 2
      type: "cap_effective"
    - index: 4
      type: "kernel_cap_t"
    selectors:
    - matchBinaries:
      - operator: "In"
        values:
        - "/usr/bin/setpriv"
      matchArgs:
      - index: 2
        operator: "Equal"
        values:
        - "$full"
EOF
if addp "$P/o-caps.yaml"; then
	# root: capset with the full effective set; nobody (no capability
	# left after the uid change): capset with an empty one
	setpriv --inh-caps=-all true
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    setpriv --inh-caps=-all true
	if wrow "SELECT 1 FROM events WHERE policy_name='o-caps'"; then
		is "kernel_cap_t: root's capset stored with the sets the arguments point to" \
		    "$(q "SELECT DISTINCT args FROM events WHERE policy_name='o-caps'")" \
		    "[{\"kernel_cap_t_arg\":\"$hex\"},{\"kernel_cap_t_arg\":\"$hex\"}]"
		is "kernel_cap_t: nobody's capset (empty effective set) not stored" \
		    "$(q "SELECT count(*) FROM events e JOIN processes p ON p.exec_id = e.exec_id WHERE e.policy_name='o-caps' AND p.uid = 65534")" 0
	else
		not_ok "kernel_cap_t: root's capset stored"
		n_not_ok 1 "kernel_cap_t"
		diag "$(plist o-caps)"
	fi
	delp o-caps
else n_not_ok 2 "kernel_cap_t: policy refused"; fi

pol o-capret <<EOF
  kprobes:
  - call: "security_capset"
    syscall: false
    return: true
    returnArg:
      index: 0
      type: "kernel_cap_t"
EOF
if "$CTL" -S "$S" policy add "$P/o-capret.yaml" >"$D/add.out" 2>&1; then
	not_ok "kernel_cap_t as a return value refused"; delp o-capret
else
	like "kernel_cap_t as a return value refused" "$(cat "$D/add.out")" \
	    'o-capret.yaml:[0-9]+:[0-9]+: .*returnArg type kernel_cap_t: not supported as a return value'
fi

# ---- 6. bpf_attr, bpf_prog, bpf_map, perf_event ----------------------------------

section "6 bpf objects"
pol o-bpf <<EOF
  kprobes:
  - call: "bpf_check"
    syscall: false
    args:
    - index: 1
      type: "bpf_attr"
    selectors:
    - matchBinaries:
      - operator: "In"
        values:
        - "$TR"
  - call: "security_bpf_prog"
    syscall: false
    args:
    - index: 0
      type: "bpf_prog"
    selectors:
    - matchBinaries:
      - operator: "In"
        values:
        - "$TR"
  - call: "security_bpf_map"
    syscall: false
    args:
    - index: 0
      type: "bpf_map"
    selectors:
    - matchBinaries:
      - operator: "In"
        values:
        - "$TR"
  - call: "security_perf_event_alloc"
    syscall: false
    args:
    - index: 0
      type: "perf_event"
    selectors:
    - matchBinaries:
      - operator: "In"
        values:
        - "$TR"
EOF
# by function: "args" of its rows, one a line
fnrows() { q "SELECT args FROM events WHERE policy_name='o-bpf' AND function_name='$1' ORDER BY id"; }
if addp "$P/o-bpf.yaml"; then
	"$TR" bpf 5 72 >/dev/null	# zeroed attr: refused before bpf_check
	"$TR" bpf_prog >/dev/null
	"$TR" bpf_map >/dev/null
	"$TR" perf_sw >/dev/null
	if wrow "SELECT 1 FROM events WHERE policy_name='o-bpf' AND function_name='security_perf_event_alloc'"; then
		like "bpf_attr: the program load's attributes; the refused load has none" \
		    "$(fnrows bpf_check)" \
		    '^\[\{"bpf_attr_arg":\{"ProgType":"BPF_PROG_TYPE_SOCKET_FILTER","InsnCnt":2,"ProgName":"tlprog"\}\}\]$'
		like "bpf_prog: the loaded program; the map creation has none" \
		    "$(fnrows security_bpf_prog)" \
		    '^\[\{"bpf_prog_arg":\{"ProgType":"BPF_PROG_TYPE_SOCKET_FILTER","InsnCnt":2,"ProgName":"tlprog"\}\}\]$'
		like "bpf_map: the created map; the program load made none" \
		    "$(fnrows security_bpf_map)" \
		    '^\[\{"bpf_map_arg":\{"MapType":"BPF_MAP_TYPE_ARRAY","KeySize":4,"ValueSize":8,"MaxEntries":3,"MapName":"tlmap"\}\}\]$'
		like "perf_event: the context-switch counter (no kprobe function); the bpf calls made none" \
		    "$(fnrows security_perf_event_alloc)" \
		    '^\[\{"perf_event_arg":\{("KprobeFunc":"",)?"Type":"PERF_TYPE_SOFTWARE","Config":"?3"?[,}]'
	else
		not_ok "bpf objects: events stored"; n_not_ok 3 "bpf objects"
		diag "$(plist o-bpf)"
	fi
	delp o-bpf
else n_not_ok 4 "bpf objects: policy refused"; fi

# ---- 7. matchNamespaceChanges, matchCapabilityChanges ---------------------------

# on a kernel function (kprobe), an fentry and an LSM hook (file_open):
# the open after unshare(2),
# the one after dropping CAP_NET_RAW (capset(2)), in the same process as
# its exec (tests/integration/trigger), stored; the plain one not
section "7 change filters"
for k in kprobes fentries lsmhooks; do
	: >"$D/chg-$k-ns"; : >"$D/chg-$k-cap"; : >"$D/chg-$k-no"
	case $k in
	lsmhooks) hd='  - hook: "file_open"' ;;
	*) hd='  - call: "security_file_open"
    syscall: false' ;;
	esac
	pol "o-chg-$k" <<EOF
  $k:
$hd
    args:
    - index: 0
      type: "file"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Prefix"
        values:
        - "$D/chg-$k-"
      matchNamespaceChanges:
      - operator: In
        values:
        - "Uts"
    - matchArgs:
      - index: 0
        operator: "Prefix"
        values:
        - "$D/chg-$k-"
      matchCapabilityChanges:
      - type: Effective
        operator: In
        values:
        - "CAP_NET_RAW"
EOF
	if addp "$P/o-chg-$k.yaml"; then
		"$TR" openat "$D/chg-$k-no" 0 >/dev/null
		"$TR" unshare 0x04000000 openat "$D/chg-$k-ns" 0 >/dev/null
		"$TR" capdrop 13 openat "$D/chg-$k-cap" 0 >/dev/null
		pn "o-chg-$k" "matchNamespaceChanges In Uts ($k)" "chg-$k-ns" \
		    "chg-$k-no" "\"path\":\"$D/chg-$k-ns\""
		pn "o-chg-$k" "matchCapabilityChanges In CAP_NET_RAW ($k)" \
		    "chg-$k-cap" "chg-$k-no" "\"path\":\"$D/chg-$k-cap\""
		delp "o-chg-$k"
	else n_not_ok 4 "change filters ($k): policy refused"; fi
done
# ---- 7b. resolve on a kprobe, an fentry and an LSM hook -------------------------

# the struct file argument's f_path.dentry.d_name.name (a pointer chain to
# a char pointer, followed) and f_inode.i_mode (an integer behind a
# pointer): the open of res-K-yes stored with both, res-K-no not
section "7b resolve"
for k in kprobes fentries lsmhooks; do
	: >"$D/res-$k-yes"; : >"$D/res-$k-no"
	chmod 640 "$D/res-$k-yes" "$D/res-$k-no"
	case $k in
	lsmhooks) hd='  - hook: "file_open"' ;;
	*) hd='  - call: "security_file_open"
    syscall: false' ;;
	esac
	pol "o-res-$k" <<EOF
  $k:
$hd
    args:
    - index: 0
      type: "string"
      resolve: "f_path.dentry.d_name.name"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values:
        - "res-$k-yes"
EOF
	if addp "$P/o-res-$k.yaml"; then
		"$TR" openat "$D/res-$k-no" 0 >/dev/null
		"$TR" openat "$D/res-$k-yes" 0 >/dev/null
		pn "o-res-$k" "resolve f_path.dentry.d_name.name ($k)" \
		    "res-$k-yes" "res-$k-no" "^\\[\\{\"string_arg\":\"res-$k-yes\"\\}\\]\$"
		delp "o-res-$k"
	else n_not_ok 2 "resolve ($k): policy refused"; fi
done

# ---- 8. stack traces on a kprobe ----------------------------------------------

section "8 stack traces"
: >"$D/stk-yes"; : >"$D/stk-no"
pol o-stack <<EOF
  kprobes:
  - call: "security_path_chmod"
    syscall: false
    args:
    - index: 0
      type: "path"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Postfix"
        values:
        - "/stk-yes"
      matchActions:
      - action: Post
        kernelStackTrace: true
        userStackTrace: true
EOF
# stk FIELD: the symbols of the row's FIELD frames, space separated
stk() {
	q "SELECT group_concat(IFNULL(json_extract(j.value, '\$.symbol'), '?'), ' ') FROM events e, json_each(e.stack_trace, '\$.$1') j WHERE e.policy_name='o-stack'"
}
if addp "$P/o-stack.yaml"; then
	CH=$(command -v chmod)
	"$CH" 600 "$D/stk-no"; "$CH" 600 "$D/stk-yes"
	if wrow "SELECT 1 FROM events WHERE policy_name='o-stack'"; then
		like "kprobe kernel stack: the probed function first, down to the syscall entry" \
		    "$(stk kernel_stack_trace)" "^security_path_chmod .*do_syscall_64"
		like "kprobe user stack: frames in the chmod binary or its libraries, no address" \
		    "$(q "SELECT json_extract(stack_trace, '\$.user_stack_trace') FROM events WHERE policy_name='o-stack'")" \
		    '^\[\{("offset":"[0-9]+",)?("symbol":"[^"]+",)?"module":"/'
		is "kprobe stacks: only the matching call stored" \
		    "$(q "SELECT count(*) FROM events WHERE policy_name='o-stack'")" 1
	else
		not_ok "kprobe kernel stack: row stored"; n_not_ok 2 "kprobe stacks"
		diag "$(plist o-stack)"
	fi
	delp o-stack
else n_not_ok 3 "kprobe stacks: policy refused"; fi

guest_end
