/*
 * bpf/generic_maps.bpf.h -- maps of the generic policy programs
 * (bpf/generic.bpf.c).  Configuration (written by loaderd, layouts in
 * bpf/hook.h):
 *
 * hooks, selectors  (hookcfg.bpf.h, shared with net.bpf.c)
 * sys_hooks	array [HOOK_SYSCALLS_MAX] of struct hook_list, index =
 *		syscall number (x86_64)
 * tp_hooks	hash u32 tracepoint id (tracefs events/SUB/EV/id, also the
 *		attach cookie of generic_tp) -> struct hook_list
 * inmap	hash struct inmap_key -> __u8 (any value): InMap/NotInMap
 * streq	hash struct streq_key -> __u8: string Equal/NotEqual values of
 *		an operator with more than HOOK_VALUES_MAX of them
 * strpfx	LPM trie struct strlpm_key -> __u8: Prefix/NotPrefix (idem)
 * strsfx	LPM trie struct strlpm_key -> __u8: Postfix/NotPostfix, the
 *		values reversed (idem)
 *
 * State (written by the programs):
 *
 * hook_stats	(hookstat.bpf.h, shared with net.bpf.c)
 * pending	LRU hash pid_tgid -> struct gen_pending: syscall entry ->
 *		exit hand-off of HOOK_F_AT_EXIT hooks
 * ratelimit	LRU hash struct rl_key -> __u64 time of the last Post
 * fdfollow	LRU hash struct fdfollow_key -> struct fdfollow_val
 *		(FollowFD/UnfollowFD/CopyFD)
 * gheap	per-CPU scratch: the record being built and its arg table
 * kpending	LRU hash struct kpend_key -> struct gen_pending: kprobe entry
 *		-> kretprobe (uprobe -> uretprobe) hand-off of
 *		HOOK_F_AT_EXIT kprobe and uprobe hooks
 * ovr_pending	LRU hash pid_tgid -> struct ovr_pend: an Override decided at
 *		syscall entry, for the LSM program guarding the operation
 * exit_live	array [1] of __u64: at least the number of entries in
 *		pending, ovr_pending and race_chk (sys_exit returns at once
 *		while 0)
 * race_chk	LRU hash pid_tgid -> struct race_note: a syscall hook's
 *		argument as read at entry, compared at exit (bpf/generic/
 *		race.bpf.h)
 */
#ifndef TRIPLINE_GENERIC_MAPS_BPF_H
#define TRIPLINE_GENERIC_MAPS_BPF_H

#include "events.h"
#include "hook.h"
#include "sockmatch.bpf.h"


#define GEN_PENDING_ENTRIES	16384
#define GEN_RATELIMIT_ENTRIES	16384
#define GEN_FDFOLLOW_ENTRIES	16384
#define GEN_INMAP_ENTRIES	65536
#define GEN_STRMAP_ENTRIES	16384	/* each of streq, strpfx, strsfx */

/* arguments per record: the hook's args and the return value */
#define GEN_NARGS		(HOOK_ARGS_MAX + 1)
#define GEN_RET_SLOT		HOOK_ARGS_MAX
#define GEN_ARG_SLOT		(sizeof(struct ev_arg) + HOOK_ARG_DATA_MAX)
#define GEN_ARGS_AREA		(GEN_NARGS * GEN_ARG_SLOT)
#define GEN_REC_MAX		(sizeof(struct ev_generic) + GEN_ARGS_AREA)
/* word-wise compares and string reads may touch up to this much past the
 * end of the last argument */
#define GEN_SLACK		512
/* stack area of a Post with kernelStackTrace / userStackTrace (bpf/events.h
 * struct ev_stack): right after the argument area */
#define GEN_STK_MAX		(sizeof(struct ev_stack) + 8 * EV_STACK_KMAX + \
				 8 * EV_STACK_UMAX + \
				 sizeof(struct ev_stack_bid) * EV_STACK_UMAX)

/* What a captured argument is, for the selectors (map memory). */
struct gen_argref {
	__u32	off;		/* payload offset in gen_heap.rec */
	__u16	len;		/* payload bytes */
	__u8	type;		/* enum pol_arg_type */
	__u8	flags;		/* EVA_* */
	__u64	val;		/* integers: the value (sign-extended); fd:
				   the fd number; file, path, dentry,
				   linux_binprm: ev_arg.aux (inode mode) */
};

/* syscall entry -> exit hand-off for HOOK_F_AT_EXIT hooks */
struct gen_pending {
	__u64	args[6];	/* raw syscall arguments at entry */
	__u64	mm;		/* the task's mm at entry: the pointers in
				   args[] mean nothing in another one (a
				   successful execve) */
	__u32	nr;		/* syscall number */
	__u32	n;		/* hooks below */
	__u32	ids[HOOK_PER_DISPATCH];
	__u32	gens[HOOK_PER_DISPATCH];
	__u8	pass[HOOK_PER_DISPATCH];	/* selectors that passed the
						   entry-side filters (bit
						   n); GEN_PASS_ALL: no
						   selectors */
	__u8	late[HOOK_PER_DISPATCH];	/* of these, the selectors an
						   unreadable argument left
						   undecided: matchArgs again
						   at exit (HOOK_F_REREAD) */
};
#define GEN_PASS_ALL		0x80

/* SubString / SubStringIgnCase: one value's search through a subject
 * (bpf/generic/strcmp.bpf.h gen_substr, state of its bpf_loop) */
struct gen_sub {
	__u64	w0;		/* the value's first word, masked by m0 */
	__u64	m0;		/* its first min(len, 8) bytes */
	__u32	soff;		/* subject: offset in rec */
	__u32	skey;		/* value: in selectors[skey] */
	__u32	voff;		/* ... at this byte of it */
	__u32	len;		/* value bytes */
	__u32	icase;		/* ASCII letters compared ignoring case */
	__u32	found;
};

/* A sock, socket, skb or sockaddr argument as the socket operators see
 * it (bpf/generic/filter.bpf.h sock_view). */
struct gen_heap {
	__u8	rec[GEN_REC_MAX + GEN_STK_MAX + GEN_SLACK];	/* the record
					   being built (+ its stack area) */
	__u8	bin[EV_PATH_MAX];	/* binary path for matchBinaries
					   (right after rec: compares address
					   both from rec) */
	struct gen_argref ref[GEN_NARGS];
	__u64	regs[9];		/* pt_regs r10 .. orig_ax */
	struct gen_pending pd;		/* pending entry being built/used */
	struct fdfollow_val ff;		/* FollowFD value being built */
	__u32	pos;		/* bytes of the argument area used */
	__u32	pflags;		/* path walker's truncation flag */
	__u16	plen;		/* path length from path_put */
	__u8	pad[2];
	__u32	oaux;		/* gen_capture_obj: ev_arg.aux */
	__u32	unread;		/* selectors whose matchArgs an unreadable
				   argument (EVA_FAULT) left undecided */
	struct sock_owner so;	/* EVG_F_SOCK_OWNER: the record's owner */
	struct sock_view sv;	/* gen_sockop's view of a socket argument */
	__u32	pad3;
	union {			/* gen_str_map's lookup key */
		struct streq_key eq;
		struct strlpm_key lpm;
	} sk;
	struct gen_sub sub;	/* gen_substr's search */
};

struct rl_key {
	__u32	id;
	__u32	gen;
	__u32	sel;
	__u32	pad;
	__u64	scope;		/* tid, tgid or 0 (rateLimitScope) */
	__u64	hash;		/* of the first 40 bytes of each argument */
};

#include "hookcfg.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HOOK_SYSCALLS_MAX);
	__type(key, __u32);
	__type(value, struct hook_list);
} sys_hooks SEC(".maps");

/* the hook lists of the tracepoints generic_tp is attached to, one slot
 * each (the attachment's BPF cookie: an array lookup, not a hash) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HOOK_MAX);
	__type(key, __u32);
	__type(value, struct hook_list);
} tp_hooks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GEN_INMAP_ENTRIES);
	__type(key, struct inmap_key);
	__type(value, __u8);
} inmap SEC(".maps");

/* allocated as values are added (a few hundred bytes each) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GEN_STRMAP_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct streq_key);
	__type(value, __u8);
} streq SEC(".maps");

/* Prefix (strpfx) and Postfix (strsfx, reversed) values */
#define GEN_STRLPM_MAP(name)						\
struct {								\
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);				\
	__uint(max_entries, GEN_STRMAP_ENTRIES);			\
	__uint(map_flags, BPF_F_NO_PREALLOC);				\
	__type(key, struct strlpm_key);					\
	__type(value, __u8);						\
} name SEC(".maps")
GEN_STRLPM_MAP(strpfx);
GEN_STRLPM_MAP(strsfx);

#include "hookstat.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GEN_PENDING_ENTRIES);
	__type(key, __u64);
	__type(value, struct gen_pending);
} pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GEN_RATELIMIT_ENTRIES);
	__type(key, struct rl_key);
	__type(value, __u64);
} ratelimit SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GEN_FDFOLLOW_ENTRIES);
	__type(key, struct fdfollow_key);
	__type(value, struct fdfollow_val);
} fdfollow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_heap);
} gheap SEC(".maps");

/* char_iovec: the entries' bytes are gathered here, then copied to the
 * record in one read (twice the capture size: an entry of up to
 * HOOK_ARG_DATA_MAX bytes written at an offset of up to as much is in
 * bounds for the verifier) */
struct gen_iovbuf {
	__u8	b[2 * HOOK_ARG_DATA_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_iovbuf);
} iovbuf SEC(".maps");

struct kpend_key {
	__u64	pid_tgid;
	__u32	id;
	__u32	pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GEN_PENDING_ENTRIES);
	__type(key, struct kpend_key);
	__type(value, struct gen_pending);
} kpending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GEN_PENDING_ENTRIES);
	__type(key, __u64);
	__type(value, struct ovr_pend);
} ovr_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GEN_PENDING_ENTRIES);
	__type(key, __u64);
	__type(value, struct race_note);
} race_chk SEC(".maps");

/*
 * exit_live[0]: entries sys_exit may have to take from pending,
 * ovr_pending and race_chk (counted when made, uncounted when sys_exit
 * deletes them).  Never below their number: an entry the LRU evicts, or
 * one of a thread that never returned, only keeps sys_exit on its slow
 * path.  A thread reads its own increment, so a thread with an entry
 * never sees 0.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} exit_live SEC(".maps");

static __always_inline void
exit_live_add(__s64 d)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&exit_live, &zero);

	if (v != NULL)
		__sync_fetch_and_add(v, d);
}

/* key -> val in pending, ovr_pending or race_chk (map), counted in
 * exit_live when new */
static __always_inline void
exit_put(void *map, __u64 *key, void *val)
{
	if (bpf_map_update_elem(map, key, val, BPF_NOEXIST) == 0)
		exit_live_add(1);
	else
		bpf_map_update_elem(map, key, val, BPF_ANY);
}

/* key deleted from one of those maps by sys_exit: uncounted if it was
 * there */
static __always_inline void
exit_del(void *map, __u64 *key)
{
	if (bpf_map_delete_elem(map, key) == 0)
		exit_live_add(-1);
}

#endif /* TRIPLINE_GENERIC_MAPS_BPF_H */
