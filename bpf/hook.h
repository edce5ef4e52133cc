/*
 * bpf/hook.h -- configuration of the generic policy programs, written by
 * loaderd (loaderd/pl_kstate.c) into maps and read by bpf/generic.bpf.c.
 *
 * The programs are generic: nothing is compiled at run time.  A policy hook
 * becomes one struct hook_cfg (map `hooks`, indexed by hook id) plus up to
 * HOOK_SEL_MAX struct sel_cfg (map `selectors`, index id * HOOK_SEL_MAX +
 * n), and is reached through a dispatch map:
 *   syscalls (kprobes with syscall: true on kernels without kprobes, and
 *   tracepoints syscalls/sys_{enter,exit}_*): `sys_hooks[nr]` -> hook ids,
 *   used by ONE raw_tracepoint/sys_enter and ONE raw_tracepoint/sys_exit
 *   program (kernel-notes.md: far cheaper than a perf tracepoint each);
 *   other tracepoints: `tp_hooks[id]` -> hook ids, id = the tracepoint's
 *   id (tracefs events/SUB/EV/id, = common_type), one generic tracepoint
 *   program attached to each with bpf_cookie = id (the record's own
 *   common_type is overwritten by perf before the program runs);
 *   uprobes: the BPF cookie of the attachment is the hook id.
 *
 * Replacing a policy: new configs go into free slots, then each dispatch
 * entry is swapped by a single map update (old or new, never neither), then
 * the old slots are cleared.  hook_cfg.gen changes whenever a slot is
 * reused, and records carry it, so user space never attributes a record to
 * the wrong hook.
 *
 * Values of types, operators and actions, and the limits: bpf/abi.h.
 */
#ifndef TRIPLINE_BPF_HOOK_H
#define TRIPLINE_BPF_HOOK_H

#ifndef __BPF__
#include <linux/types.h>
#endif

/* limits (HOOK_*_MAX), types, operators, actions: bpf/abi.h */
#include "abi.h"
#include "events.h"

/* sel_matcharg.arg, sel_action.arg_fd: the return value (at exit) */
#define HOOK_ARG_RET		0xff

/* hook_cfg.kind */
#define HOOK_K_SYSCALL		1	/* raw sys_enter/sys_exit dispatch */
#define HOOK_K_TRACEPOINT	2	/* generic tracepoint program */
#define HOOK_K_UPROBE		3	/* generic uprobe, cookie = id */
#define HOOK_K_NET		4	/* cgroup sock_addr programs
					   (bpf/net.bpf.c) through
					   net_hooks[NET_D_*] */
#define HOOK_K_KPROBE		5	/* generic_kprobe/kretprobe on a
					   kernel function, cookie = id */
#define HOOK_K_LSM		6	/* generic_lsm: one program instance
					   per hook (tl_fn_hook = id) */
#define HOOK_K_FMODRET		7	/* generic_fmodret on a security_*
					   function (Override on a kprobe),
					   one instance per hook */
#define HOOK_K_FENTRY		8	/* generic_fentry (spec.fentries),
					   one instance per hook */
#define HOOK_K_RAWTP		9	/* generic_rawtp (raw: true
					   tracepoints), one instance per
					   hook */

/* hook_cfg.flags */
#define HOOK_F_ENABLED		0x01
#define HOOK_F_MONITOR		0x02	/* policy-mode: monitor */
#define HOOK_F_AT_EXIT		0x04	/* evaluate/emit at syscall exit
					   (return, returnArg, returnCopy,
					   matchReturnArgs) */
#define HOOK_F_NET_TCP		0x08	/* HOOK_K_NET: TCP sockets only
					   (tcp_connect) */
#define HOOK_F_NET_OVR_ONLY	0x10	/* HOOK_K_NET: act and emit only
					   when the winning selector has
					   Override (the hook's syscall
					   copy posts the others) */
#define HOOK_F_OVR_LSM		0x20	/* HOOK_K_SYSCALL: Override is
					   carried out by the LSM hook that
					   guards the syscall's operation
					   (ovr_pending, bpf/override) */
#define HOOK_F_REREAD		0x40	/* HOOK_K_SYSCALL: a selector whose
					   argument could not be read at
					   entry is decided at exit, with the
					   argument read again there */
#define HOOK_F_UNREAD_OPEN	0x80	/* unreadable-args: fail-open (an
					   argument unreadable at exit too
					   fails its matchArgs entry; default:
					   it passes) */

/*
 * Override of a syscall hook through an LSM hook (no bpf_override_return):
 * sys_enter decides and writes ovr_pending[pid_tgid]; an ovr_* program on
 * the LSM hook that guards the operation returns the error when it runs
 * inside that same syscall (nr checked); sys_exit deletes the entry and
 * counts it in hook_stat.ovr_missed when the LSM hook never ran.
 */
struct ovr_pend {
	__s32	err;		/* negative errno to return */
	__u32	nr;		/* syscall number */
	__u32	id;		/* hook */
	__u32	gen;
	__u32	mask;		/* file_permission: MAY_* bits that apply
				   (0: any) */
	__u32	undec;	/* set at entry for an argument it could
				   not read (fail-closed), not on a
				   match */
	__u32	applied;	/* set by the LSM program: 1 carried
				   out, 2 not: the decision taken again
				   on the kernel's copy (rck_kind) did
				   not match */
};

/*
 * hook_cfg.rck_kind: what the Override executor of a syscall hook reads
 * in place of the user memory argument rck_slot, so that the decision is
 * taken again on the object the kernel is about to use (a second thread
 * rewriting the caller's memory after the sys_enter read cannot change
 * it).  Each has its own executor program (bpf/generic/override.bpf.h).
 */
#define HOOK_RCK_FILE		1	/* file_open: the opened struct
					   file's path */
#define HOOK_RCK_SOCKADDR	2	/* socket_connect, socket_bind,
					   socket_sendmsg (sendto): the
					   kernel's copy of the sockaddr */
#define HOOK_RCK_KSTR		3	/* inode_symlink: the kernel's
					   copy of the link's target */
#define HOOK_RCK_PATH		4	/* path_* (unlink, mkdir, chmod,
					   ...): the path the kernel
					   resolved, as a dentry under a
					   mount */
#define HOOK_RCK_EXECNAME	5	/* bprm_check_security: the
					   kernel's copy of the executed
					   name (bprm->filename) */
#define HOOK_RCK_NOSLOT		0xff	/* hook_cfg.rck_slot2: none */

/* race_chk[pid_tgid]: a syscall hook's argument hook_cfg.race_arg as
 * read at sys_enter, compared at sys_exit */
struct race_note {
	__u32	id;		/* hook */
	__u32	gen;
	__u32	nr;		/* syscall number */
	__u32	len;		/* bytes read */
	__u64	ptr;		/* the argument (user pointer) */
	__u64	hash;		/* of its first HOOK_STR_MAX bytes */
};

/* hook_arg.src_kind */
#define HOOK_SRC_SYSARG		1	/* syscall argument src (0..5) */
#define HOOK_SRC_TPFIELD	2	/* tracepoint field at off/size */
#define HOOK_SRC_REG		3	/* uprobe: function argument src */
#define HOOK_SRC_RETVAL		4	/* return value */
#define HOOK_SRC_SYSNR		5	/* the syscall number (tracepoint field
					   __syscall_nr, raw_syscalls id):
					   HOOK_K_SYSCALL only */
/* HOOK_K_NET: what the cgroup program knows of the call */
#define HOOK_SRC_NET_ADDR	6	/* the sockaddr given to connect/
					   sendto (destination) */
#define HOOK_SRC_NET_SOCK	7	/* the socket as it is now (family,
					   type, protocol, bound source,
					   current peer, state):
					   security_socket_connect */
#define HOOK_SRC_NET_CONN	8	/* the socket as tcp_connect sees it:
					   peer = the sockaddr, state
					   SYN_SENT (source: not chosen yet) */
#define HOOK_SRC_NET_NONE	9	/* not visible there: recorded as a
					   read error, no filter allowed */
/* HOOK_K_NET on cgroup_skb (__cgroup_bpf_run_filter_skb) */
#define HOOK_SRC_NET_SKSOCK	10	/* the packet's full socket */
#define HOOK_SRC_NET_SKB	11	/* the packet from its network header */
#define HOOK_SRC_NET_ATYPE	12	/* enum cgroup_bpf_attach_type:
					   ingress or egress */

/* index of the dispatch lists net_hooks[] (bpf/net.bpf.c) */
#define NET_D_CONNECT4		0
#define NET_D_CONNECT6		1
#define NET_D_SENDMSG4		2
#define NET_D_SENDMSG6		3
#define NET_D_SKB_IN		4	/* cgroup_skb/ingress */
#define NET_D_SKB_EG		5	/* cgroup_skb/egress */
#define NET_D_MAX		6

/* the argument area of a cgroup_skb hook's record: one sock, one skb, one
 * integer (struct ev_arg headers included) */
#define NET_SKB_ARG_BYTES	(3 * 8 + 64 + 72 + 8)

/* hook_arg.flags */
#define HOOK_ARGF_RETURN_COPY	0x01	/* read the buffer at exit */
#define HOOK_ARGF_DATA_LOC	0x02	/* tracepoint __data_loc field */
#define HOOK_ARGF_SIGNED	0x04	/* sign-extend integer */
#define HOOK_ARGF_LOAD_INFO	0x08	/* module type given as load_info
					   (struct load_info *) */
#define HOOK_ARGF_TRACKSOCK	0x10	/* ret: returnArgAction TrackSock */
#define HOOK_ARGF_UNTRACKSOCK	0x20	/* ret: returnArgAction UntrackSock */
#define HOOK_ARGF_RESOLVE	0x40	/* resolve: read through res_off[] */
#define HOOK_ARGF_RES_SIGNED	0x80	/* resolve: the integer member is
					   signed (sign-extend res_size) */

/*
 * resolve (loaderd/pl_resolve.c): from the argument's value (a pointer),
 * for i < res_n - 1: value = the pointer at value + res_off[i]; then the
 * member is at value + res_off[res_n - 1]: its address is the value
 * (res_size 0: a char array, an embedded struct) or res_size bytes read
 * there are (an integer; 8: a pointer).
 */
#define HOOK_RES_MAX		12

struct hook_arg {
	__u8	type;		/* enum pol_arg_type */
	__u8	src_kind;	/* HOOK_SRC_* */
	__u8	src;		/* argument index */
	__u8	size_arg;	/* char_buf: 1-based index (in syscall args) of
				   the size argument, 0 = none */
	__u8	flags;		/* HOOK_ARGF_* */
	__u8	pad[1];
	__u16	off;		/* tracepoint field offset in the record */
	__u16	size;		/* tracepoint field size */
	__u16	max;		/* max bytes to capture (<= HOOK_ARG_DATA_MAX) */
	__u8	res_n;		/* HOOK_ARGF_RESOLVE: offsets in res_off */
	__u8	res_size;	/* bytes read at the last one (0: none) */
	__u16	res_off[HOOK_RES_MAX];
	__u8	res_pad[2];
};

struct hook_cfg {
	__u32	id;		/* slot index */
	__u32	gen;		/* generation of this slot */
	__u32	policy_id;
	__u8	kind;		/* HOOK_K_* */
	__u8	flags;		/* HOOK_F_* */
	__u8	nargs;
	__u8	nsel;		/* 0: every hit is posted */
	__s32	syscall_nr;	/* HOOK_K_SYSCALL; -1: any number whose
				   sys_hooks entry lists the hook
				   (raw_syscalls tracepoints, listed on
				   every syscall their InMap allows) */
	__u32	ovr_mask;	/* HOOK_F_OVR_LSM on file_permission:
				   MAY_* bits of the operation */
	__u8	rck_kind;	/* HOOK_RCK_*: the Override executor
				   decides again on the kernel's copy
				   of argument rck_slot (0: it does
				   not) */
	__u8	rck_slot;	/* position in args[] */
	__u8	race_arg;	/* 1 + position in args[] of the
				   argument an enforcing selector reads
				   from the caller's memory and nothing
				   reads again: read once more at exit,
				   a change counted (raced); 0: none */
	__u8	rck_slot2;	/* HOOK_RCK_PATH of rename and link:
				   position in args[] of the second path
				   (the new name), decided again on
				   gctx.kobj2; HOOK_RCK_NOSLOT: none */
	__u8	rck_pad[4];
	struct hook_arg args[HOOK_ARGS_MAX];
	struct hook_arg ret;	/* type NONE if not wanted */
};

struct hook_str {
	__u16	len;		/* bytes of s that count (<= HOOK_STR_MAX) */
	__u8	pad[6];
	char	s[HOOK_STR_MAX];
};

struct hook_num {
	__u64	lo;		/* value; InRange min; port */
	__u64	hi;		/* InRange max */
};

struct hook_cidr {
	__u8	addr[16];	/* network order; IPv4 in the first 4 */
	__u8	family;		/* 2 or 10 */
	__u8	prefixlen;
	__u8	pad[6];
};

/* sel_matcharg.flags */
#define SEL_MA_STRMAP	0x01	/* string values in streq / strpfx / strsfx
				   under map_id, not in v.str */

/* A string operator's values in the maps: the lengths they span (a
 * subject outside them needs no lookup; a lookup key needs no more). */
#define HOOK_STRMAP_CP	8	/* bytes of hook_strmap.cp */

struct hook_strmap {
	__u32	minlen;		/* shortest value (bytes) */
	__u32	maxlen;		/* longest value (bytes) */
	__u32	cplen;		/* bytes of cp (<= HOOK_STRMAP_CP) */
	__u8	cp[HOOK_STRMAP_CP];	/* the first bytes every key in the
					   map starts with (strsfx: reversed,
					   so the values' common end) */
};

struct sel_matcharg {
	__u8	arg;		/* position in hook_cfg.args (0xff: return) */
	__u8	op;		/* enum pol_op */
	__u8	nvals;
	__u8	flags;		/* SEL_MA_* */
	__u32	map_id;		/* InMap/NotInMap: key space in `inmap`;
				   SEL_MA_STRMAP: in the string maps */
	union {
		struct hook_num  num[HOOK_VALUES_MAX];
		struct hook_str  str[HOOK_VALUES_MAX];
		struct hook_cidr cidr[HOOK_VALUES_MAX];
		struct hook_strmap smap;
	} v;
};

struct sel_pids {
	__u8	op;		/* POL_OP_IN / NOTIN */
	__u8	flags;		/* 1 followForks, 2 isNamespacePID */
	__u8	nvals;
	__u8	pad;
	__u32	pids[HOOK_PIDS_MAX];
};

struct sel_bins {
	__u8	op;		/* IN NOTIN PREFIX NOTPREFIX POSTFIX NOTPOSTFIX */
	__u8	follow_children;
	__u8	nvals;
	__u8	pad[5];
	struct hook_str bins[HOOK_BINS_MAX];
};

struct sel_ns {
	__u8	ns;		/* enum pol_ns */
	__u8	op;
	__u8	nvals;
	__u8	pad;
	__u32	inum[HOOK_NS_VALUES_MAX];
};

struct sel_caps {
	__u8	set;		/* enum pol_cap_set */
	__u8	op;
	__u8	is_ns_cap;
	__u8	pad[5];
	__u64	mask;
};

/*
 * matchNamespaceChanges / matchCapabilityChanges (one entry each): the
 * current task against the values its process had at exec (execcred).
 * A change of a namespace: its inode number differs; of a capability:
 * its bit in the set differs.  In: one of the listed ones changed; NotIn:
 * none of the listed ones changed and another did (Tetragon's rule).
 */
struct sel_chg {
	__u8	ns_op;		/* POL_OP_IN / NOTIN; 0: no
				   matchNamespaceChanges */
	__u8	cap_op;		/* 0: no matchCapabilityChanges */
	__u8	cap_set;	/* enum pol_cap_set */
	__u8	cap_is_ns;	/* isNamespaceCapability */
	__u32	ns_mask;	/* bit = enum pol_ns */
	__u64	cap_mask;	/* bit = capability number */
};

struct sel_action {
	__u8	kind;		/* enum pol_action_kind */
	__u8	scope;		/* rate limit scope */
	__u8	arg_fd;		/* FollowFD/UnfollowFD: position in args */
	__u8	arg_name;	/* FollowFD: position of the name arg */
	__s32	arg;		/* Signal: signal; Override: error */
	__u64	rate_ms;	/* Post rateLimit */
};

struct sel_cfg {
	__u8	nmatchargs;
	__u8	nretargs;
	__u8	npids;
	__u8	has_bins;
	__u8	nns;
	__u8	ncaps;
	__u8	nactions;	/* 0: Post */
	__u8	nretactions;
	struct sel_pids pids[HOOK_PID_ENTRIES_MAX];
	struct sel_bins bins;
	struct sel_ns ns[HOOK_NS_MAX];
	struct sel_caps caps;
	struct sel_matcharg args[HOOK_MATCHARGS_MAX];
	struct sel_matcharg retargs[HOOK_RETARGS_MAX];
	struct sel_action actions[HOOK_ACTIONS_MAX];
	struct sel_action retactions[HOOK_ACTIONS_MAX];
	struct sel_bins pbins;	/* matchParentBinaries (nvals 0: none;
				   no follow_children) */
	struct sel_chg chg;
};

/* dispatch value: sys_hooks[nr], tp_hooks[tracepoint id] */
struct hook_list {
	__u32	n;
	__u32	ids[HOOK_PER_DISPATCH];
};

/* key of `inmap` (InMap/NotInMap values) */
struct inmap_key {
	__u32	map_id;
	__u32	pad;
	__u64	value;
};

/* key of `streq`: Equal/NotEqual string values beyond what a
 * sel_matcharg holds (s zero-padded past len) */
struct streq_key {
	__u32	map_id;
	__u32	len;
	__u8	s[HOOK_STR_MAX];
};

/* key of the LPM tries `strpfx` (Prefix/NotPrefix) and `strsfx`
 * (Postfix/NotPostfix, the string reversed): prefixlen counts the bits
 * of map_id and of the string's bytes; a trie key holds at most 256
 * bytes of data (the kernel's limit), 4 of them the map id */
struct strlpm_key {
	__u32	prefixlen;
	__u32	map_id;
	__u8	s[HOOK_STRLPM_MAX];
};

/* per-hook counters (per-CPU array `hook_stats`, index = hook id) */
struct hook_stat {
	__u64	hits;		/* dispatched to the hook */
	__u64	matched;	/* a selector matched (or none configured) */
	__u64	posted;		/* event written */
	__u64	dropped;	/* ring full */
	__u64	errors;		/* argument read errors etc. */
	__u64	signals;	/* Sigkill/Signal sent */
	__u64	ratelimited;
	__u64	overrides;	/* Override carried out (error returned) */
	__u64	ovr_missed;	/* Override decided but the guarding LSM
				   hook never ran in that syscall */
	__u64	raced;		/* the argument the kernel used was
				   not the one decided on (the decision
				   on the kernel's copy differed, or it
				   changed by sys_exit) */
};

/*
 * State kept by the BPF programs themselves (user space only reads it):
 *
 * execbin (maps.bpf.h, shared by the process and generic programs): tgid ->
 * binary of the current image, for matchBinaries.  Written at exec, copied
 * to the child at fork, deleted at exit; a process never seen exec'ing gets
 * its entry from mm->exe_file the first time a matchBinaries needs it.
 * follow[] has one bit per (hook id, selector) = id * HOOK_SEL_MAX + sel:
 * set at exec when the selector's matchBinaries has followChildren and the
 * new binary matches its values, inherited at fork.  Bits are not cleared
 * when a slot is reused: a process that descends from a match of the old
 * policy keeps its bit (a reused slot should get a new followChildren
 * selector only when unavoidable).
 */
#define EXECBIN_FOLLOW_WORDS	((HOOK_MAX * HOOK_SEL_MAX + 63) / 64)
#define EXECBIN_F_TRUNC		0x0001	/* path longer than HOOK_STR_MAX:
					   the head is kept */
#define EXECBIN_F_ERR		0x0002	/* no binary path (kernel thread,
					   walk failed) */

struct execbin_val {
	__u16	len;		/* bytes of path, no NUL */
	__u16	flags;		/* EXECBIN_F_* */
	__u32	pad;
	__u64	follow[EXECBIN_FOLLOW_WORDS];
	char	path[HOOK_STR_MAX];
};

/*
 * execcred (maps.bpf.h, shared like execbin): tgid -> the capability sets
 * and namespace inode numbers of the process as it exec'd, for
 * matchNamespaceChanges / matchCapabilityChanges.  Written at exec (from
 * the new image's task), copied from the parent at fork (same image: a
 * change the parent made before the fork is a change for the child too),
 * deleted at exit.  A process never seen exec'ing or forking (started
 * before loaderd) gets its entry from its current values the first time
 * a change filter looks at it (EXECCRED_F_LATE): no change is known
 * before that.  Never updated on a match: every hooked call after a
 * change matches, until the next exec.
 */
#define EXECCRED_F_LATE		0x0001	/* first seen by a change filter,
					   not at exec or fork */

struct execcred_val {
	__u64	caps[3];	/* by enum pol_cap_set */
	__u32	ns[POL_NS_MAX_];	/* inode numbers by enum pol_ns; 0:
					   unread (never a change) */
	__u32	flags;		/* EXECCRED_F_* */
	__u32	pad;
};

/* fdfollow (generic programs): FollowFD/UnfollowFD/CopyFD state, LRU */
struct fdfollow_key {
	__u32	tgid;
	__s32	fd;
};

struct fdfollow_val {
	__u16	len;		/* bytes of path, no NUL */
	__u8	pad[6];
	char	path[HOOK_STR_MAX];
};

/*
 * sockown (bpf/sockown.bpf.h): the owner of a tracked socket, key = the
 * address of its struct sock.  A record about the socket carries these
 * in place of the current task's (EVG_F_SOCK_OWNER).
 */
#define SOCKOWN_ENTRIES		65536
#define SOCKOWN_LISTEN_ENTRIES	4096	/* sockown_listen: TCP listeners */
#define SOCKOWN_F_TRACKSOCK	0x01	/* the TrackSock action */
#define SOCKOWN_F_CREATE	0x02	/* implicit: the socket was created
					   by this process */
#define SOCKOWN_F_INHERIT	0x04	/* accepted: the listener's owner */
#define SOCKOWN_F_LISTENER	0x08	/* a TCP listener: in sockown_listen
					   too (forgotten there when freed) */

struct sock_owner {
	struct ev_key key;	/* the owning process image */
	struct ev_key parent;
	__u32	tid;
	__u32	flags;		/* SOCKOWN_F_* */
};

#endif /* TRIPLINE_BPF_HOOK_H */
