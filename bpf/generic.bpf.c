// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/generic.bpf.c -- the generic policy programs.  Nothing is generated
 * per policy: loaderd (loaderd/policy_load.c) writes the configuration
 * described in bpf/hook.h into the maps and attaches these programs.
 *
 * Programs (names are part of the loader contract):
 *   sys_enter       raw_tracepoint/sys_enter: syscall hooks through
 *                   sys_hooks[nr]; HOOK_F_AT_EXIT hooks only run their
 *                   entry-side filters here and hand off to sys_exit
 *   sys_exit        raw_tracepoint/sys_exit: HOOK_F_AT_EXIT hooks (return
 *                   value, returnCopy, matchReturnArgs); only needed while
 *                   such a hook exists
 *   generic_tp      SEC("tracepoint"), no target: attached by the loader
 *                   once per tracepoint with bpf_program__attach_tracepoint
 *                   _opts, bpf_cookie = the tracepoint's id (tracefs
 *                   events/SUB/EV/id); hooks through tp_hooks[that id]
 *   generic_uprobe  SEC("uprobe"), no target: attached per uprobe with
 *                   bpf_cookie = hook id
 *   generic_exec    SEC("raw_tp"), never attached: the loader stores its fd
 *                   in the process programs' exec_tail[0] (prog array);
 *                   handle_exec tail-calls it to set the followChildren
 *                   bits of the new image (delete the slot when no policy
 *                   is loaded)
 * On demand only (SEC("?..."): not in the main load; loaderd's
 * bpfl_instance() loads them in another instance of this object that
 * shares every map):
 *   generic_kprobe, generic_kretprobe   kernel functions, cookie = hook id
 *   generic_lsm, generic_fmodret, generic_fentry   one instance per hook,
 *                   tl_fn_hook = hook id, attach target set by the loader
 *   ovr_lsm, ovr_file_permission, ovr_kprobe   Override executors of
 *                   syscall hooks (struct ovr_pend, bpf/hook.h)
 * Maps: hooks selectors sys_hooks tp_hooks inmap hook_stats pending
 * ratelimit fdfollow gheap (generic_maps.bpf.h), heap (own scratch),
 * events execmap stats execbin (maps.bpf.h: the loader makes them the
 * process programs' maps with bpf_map__reuse_fd).
 *
 * Evaluation of one hook hit (Tetragon's semantics):
 *   1. process filters of every selector (matchPIDs, matchNamespaces,
 *      matchCapabilities, matchBinaries); none passes -> done, cheaply
 *      (matchBinaries In/Equal is mostly decided by the path's length:
 *      the path is copied only when a value could match);
 *   2. matchArgs entries on integer arguments, straight from the raw
 *      values: a selector failing one is out before any string or buffer
 *      is read;
 *   3. capture the arguments up to the last one a remaining selector
 *      still needs (the record keeps argument order), and run the
 *      matchArgs of those selectors, in order: the first selector whose
 *      filters all pass wins (no selectors: every hit);
 *   4. capture the rest of the record; the selector's actions run, then
 *      the record is written unless one of them is NoPost (an explicit
 *      Post only adds its rateLimit).
 * HOOK_F_AT_EXIT syscall hooks do 1-3 at entry, save the raw arguments and
 * the selectors that passed (pending[pid_tgid]), and at exit capture the
 * arguments again (returnCopy buffers now, from the saved pointer) plus the
 * return value, take the first saved selector whose matchReturnArgs pass,
 * and run its matchActions and matchReturnActions there.
 *
 * Fast path: a syscall nobody hooks costs one array lookup; a disabled
 * hook one more.  Arguments are read (pt_regs via bpf_task_pt_regs, no
 * probe read, once per hit) only once a selector got past its process
 * filters.  bench/OPENAT.md has the measured cost of each path.
 *
 * Verifier notes: the work is split into global functions (gen_*), which
 * the verifier checks once each, for any arguments, instead of once per
 * caller state; so loops over hooks, selectors, entries and values are
 * plain bounded loops that cost a call per iteration to verify.  Global
 * functions only take scalars and the struct gctx memory: they look the
 * maps up again by index (array lookups are inlined).  About 170k
 * instructions are processed per program (limit 1M; Linux 6.1's verifier
 * is the strictest target: a function whose loops combine many masks
 * and counts is split into several, see gen_args_filter).  Needs 5.17+
 * (bpf_loop in generic_exec, global functions with pointer args);
 * bpf_task_pt_regs (5.15) with a probe-read fallback.
 *
 * Limits worth knowing: user memory is read without faulting pages in
 * (a string in a page the task never touched reads as EVA_ERROR, and its
 * matchArgs entry fails); fd arguments of an AT_EXIT hook are resolved at
 * exit (close()d by the call: the FollowFD name or EVA_ERROR).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "hook.h"
#include "maps.bpf.h"
#include "helpers.bpf.h"
#include "generic_maps.bpf.h"
#include "procfilter.bpf.h"
#include "hookstat.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET			2
#define AF_INET6		10
#define SIGKILL			9

#define PH_ONESHOT		0	/* evaluate, act and emit now */
#define PH_ENTRY		1	/* AT_EXIT hook at syscall entry */
#define PH_EXIT			2	/* AT_EXIT hook at syscall exit */

#define RL_BYTES		40	/* rateLimit key: bytes per argument */
#define SEL_NONE		0xff

/* gheap.bin sits right after gheap.rec: offsets below count from rec */
#define GEN_BIN_OFF		(GEN_REC_MAX + GEN_SLACK)
/* compare subjects start at most here */
#define GEN_CMP_MAX		(GEN_BIN_OFF + HOOK_STR_MAX)
/* a path (EV_PATH_MAX bytes) is written at most here */
#define GEN_PATH_DST_MAX	GEN_BIN_OFF

_Static_assert(__builtin_offsetof(struct gen_heap, bin) == GEN_BIN_OFF,
    "gen_heap layout");
/* retargs[] follows args[] in sel_cfg: one index covers both lists */
_Static_assert(__builtin_offsetof(struct sel_cfg, retargs) ==
    __builtin_offsetof(struct sel_cfg, args) +
    HOOK_MATCHARGS_MAX * sizeof(struct sel_matcharg), "sel_cfg layout");


#define MAX_ERRNO	4095

/*
 * Hook id of a per-hook program instance (generic_lsm, generic_fmodret):
 * the loader opens the object once more per such hook, sets this, and
 * makes every map the main instance's (bpf_map__reuse_fd).
 */
const volatile __u32 tl_fn_hook = 0;

/*
 * One hit in progress.  Only scalars: it lives on the program's stack and
 * the global functions below get a pointer to it (memory to them, so no
 * map or kernel pointer could survive in it anyway); maps are looked up
 * again by index where needed (array lookups are inlined: a few insns).
 */
struct gctx {
	__u64	ctxaddr;	/* tracepoint record address */
	__u64	regsaddr;	/* sys_enter: struct pt_regs of the syscall */
	__u64	args[6];	/* raw syscall / function arguments */
	__s64	ret;		/* return value (PH_EXIT) */
	__u64	pid_tgid;
	__u64	rl_ms;		/* Post rateLimit of the matched selector */
	__u32	ids[HOOK_PER_DISPATCH];	/* dispatch list */
	__u32	kind;		/* HOOK_K_* of the program */
	__u32	nr;		/* syscall number */
	__u32	id;		/* hook in progress */
	__u32	gen;		/* its generation (PH_EXIT: saved) */
	__u32	phase;		/* PH_* */
	__u32	pass;		/* PH_EXIT: selectors saved at entry */
	__u32	sel;		/* matched selector, SEL_NONE */
	__u32	blen;		/* binary path bytes in gheap.bin */
	__u32	bin;		/* 0: not read yet, 1: read, 2: unknown,
				   3: length only (gen_proc) */
	__u32	actions;
	__u32	would;
	__u32	post;
	__u32	nopost;
	__u32	rl_scope;
	__u32	eflags;		/* EVG_F_* */
	__u32	have_args;	/* args[] valid (sys_enter reads them only
				   when a hook needs them) */
	__u32	qmask;		/* gheap.ref[] slots set by gen_quick_int */
	__s32	ovr;		/* Override that ran: the error (< 0) */
};

/*
 * The hit in progress lives in per-CPU map memory, not on the stack: the
 * programs call four global functions deep and kernels before the private
 * BPF stacks of 6.13 count every frame against one 512-byte stack.  Like
 * gheap it is per CPU: programs of this object do not nest on one CPU
 * (the kernel's recursion guards), except a tracepoint hook fired from an
 * interrupt while a hook runs, which may see a clobbered hit (dropped as
 * an inconsistent record, never a crash).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gctx);
} gctxs SEC(".maps");

static __always_inline struct gctx *
gx_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&gctxs, &zero);
}

/* ------------------------------------------------------------------ */
/* small helpers */


static __always_inline struct gen_heap *
gh_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&gheap, &zero);
}

static __always_inline struct heap *
h_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&heap, &zero);
}

static __always_inline struct hook_cfg *
hc_get(__u32 id)
{
	return bpf_map_lookup_elem(&hooks, &id);
}

static __always_inline struct sel_cfg *
sc_get(__u32 key)
{
	return bpf_map_lookup_elem(&selectors, &key);
}

static __always_inline int
type_is_int(__u32 t)
{
	return (t >= POL_ARG_INT && t <= POL_ARG_UINT8) ||
	    t == POL_ARG_SYSCALL64 || t == POL_ARG_BPF_CMD ||
	    t == POL_ARG_CAPABILITY || t == POL_ARG_KERNEL_CAP;
}

static __always_inline int
type_is_signed(__u32 t)
{
	return t == POL_ARG_INT || t == POL_ARG_INT64 ||
	    t == POL_ARG_INT16 || t == POL_ARG_INT8;
}

/* NotX -> X, and whether the operator is negative ("not any of") */
static __always_inline __u32
op_base(__u32 op, __u32 *neg)
{
	*neg = 1;
	switch (op) {
	case POL_OP_NOTEQUAL:
		return POL_OP_EQUAL;
	case POL_OP_NOTPREFIX:
		return POL_OP_PREFIX;
	case POL_OP_NOTPOSTFIX:
		return POL_OP_POSTFIX;
	case POL_OP_NOTINRANGE:
		return POL_OP_INRANGE;
	case POL_OP_NOTINMAP:
		return POL_OP_INMAP;
	case POL_OP_NOTSADDR:
		return POL_OP_SADDR;
	case POL_OP_NOTDADDR:
		return POL_OP_DADDR;
	case POL_OP_NOTSPORT:
		return POL_OP_SPORT;
	case POL_OP_NOTDPORT:
		return POL_OP_DPORT;
	case POL_OP_NOTSPORTPRIV:
		return POL_OP_SPORTPRIV;
	case POL_OP_NOTDPORTPRIV:
		return POL_OP_DPORTPRIV;
	case POL_OP_NOTIN:
		return POL_OP_IN;
	case POL_OP_NOTFILETYPE:
		return POL_OP_FILETYPE;
	}
	*neg = 0;
	return op;
}

static __always_inline __u64
int_extend(__u64 v, __u32 type)
{
	switch (type) {
	case POL_ARG_INT:
		return (__u64)(__s64)(__s32)v;
	case POL_ARG_UINT32:
		return (__u32)v;
	case POL_ARG_INT16:
		return (__u64)(__s64)(__s16)v;
	case POL_ARG_UINT16:
		return (__u16)v;
	case POL_ARG_INT8:
		return (__u64)(__s64)(__s8)v;
	case POL_ARG_UINT8:
		return (__u8)v;
	}
	return v;
}

/* a field of size bytes read from a tracepoint record, extended */
static __always_inline __u64
field_extend(__u64 v, __u32 size, int sgn)
{
	switch (size) {
	case 1:
		return sgn ? (__u64)(__s64)(__s8)v : (__u8)v;
	case 2:
		return sgn ? (__u64)(__s64)(__s16)v : (__u16)v;
	case 4:
		return sgn ? (__u64)(__s64)(__s32)v : (__u32)v;
	}
	return v;
}

/* ------------------------------------------------------------------ */
/* string compares */

/*
 * n bytes (n <= HOOK_STR_MAX) at gheap.rec[start] equal b (a value string
 * of a selector, HOOK_STR_MAX bytes long)?  8 bytes at a time, the last
 * word masked.  The subject side may read past start + n into the slack,
 * the value side never past its HOOK_STR_MAX bytes.
 */
static __always_inline int
mem_eq(struct gen_heap *gh, __u32 start, const char *b, __u32 n)
{
	__u64 x, y, mask;
	__u32 i, rem;
	__u8 *a;

	/* clang drops checks it can prove redundant; the verifier cannot */
	barrier_var(start);
	barrier_var(n);
	if (start > GEN_CMP_MAX || n > HOOK_STR_MAX)
		return 0;
	a = gh->rec + start;
	for (i = 0; i < HOOK_STR_MAX / 8; i++) {
		if (i * 8 >= n)
			break;
		x = *(__u64 *)(a + i * 8);
		y = *(__u64 *)(b + i * 8);
		rem = n - i * 8;
		if (rem < 8) {
			mask = (1ULL << (rem * 8)) - 1;
			x &= mask;
			y &= mask;
		}
		if (x != y)
			return 0;
	}
	return 1;
}

/*
 * Subject (slen bytes at gheap.rec[soff]) against one string value (the
 * struct hook_str at byte voff of selectors[skey]) under base operator
 * EQUAL, PREFIX or POSTFIX.  A value whose last byte is NUL marks the end
 * of the string: without the NUL it must be the whole string (Equal,
 * Prefix) or its end (Postfix); a raw compare including the NUL is also
 * tried, for buffers that carry NULs.
 *
 * Global functions like this one are verified once, for any arguments,
 * not once per caller state: that keeps the programs far below the
 * verifier's limits however many selectors, entries and values a hook
 * has.
 */
__noinline int
gen_str_match(__u32 soff, __u32 slen, __u32 skey, __u32 voff, __u32 op)
{
	struct gen_heap *gh = gh_get();
	struct sel_cfg *sc = sc_get(skey);
	struct hook_str *v;
	__u32 l, lv;

	if (gh == NULL || sc == NULL ||
	    voff > sizeof(struct sel_cfg) - sizeof(struct hook_str))
		return 0;
	v = (void *)sc + voff;
	l = v->len;
	if (l > HOOK_STR_MAX || soff > GEN_CMP_MAX || slen > HOOK_ARG_DATA_MAX)
		return 0;
	if (l > 0 && v->s[(l - 1) & (HOOK_STR_MAX - 1)] == '\0') {
		lv = l - 1;
		if (op == POL_OP_POSTFIX) {
			if (slen >= lv && mem_eq(gh, soff + slen - lv, v->s, lv))
				return 1;
		} else if (slen == lv && mem_eq(gh, soff, v->s, lv))
			return 1;
	}
	if (slen < l)
		return 0;
	switch (op) {
	case POL_OP_EQUAL:
		return slen == l && mem_eq(gh, soff, v->s, l);
	case POL_OP_PREFIX:
		return mem_eq(gh, soff, v->s, l);
	case POL_OP_POSTFIX:
		return mem_eq(gh, soff + slen - l, v->s, l);
	}
	return 0;
}

#define SEL_ARG_STR_OFF(k, j)	(__builtin_offsetof(struct sel_cfg, args) + \
	(k) * sizeof(struct sel_matcharg) + \
	__builtin_offsetof(struct sel_matcharg, v.str) + \
	(j) * sizeof(struct hook_str))
#define SEL_BIN_STR_OFF(k)	(__builtin_offsetof(struct sel_cfg, bins.bins) + \
	(k) * sizeof(struct hook_str))

/* ------------------------------------------------------------------ */
/* argument capture */

/* programs whose arguments can be kernel pointers */
static __always_inline int
kind_has_kptr(__u32 kind)
{
	return kind == HOOK_K_TRACEPOINT || kind == HOOK_K_KPROBE ||
	    kind == HOOK_K_LSM || kind == HOOK_K_FMODRET ||
	    kind == HOOK_K_FENTRY;
}

/*
 * Absolute path of (dentry, mnt) as the current task sees it, written to
 * gheap.rec[dstoff] (room for EV_PATH_MAX bytes); its length, or -1.
 * Sets gheap.pflags when the walk was cut.
 */
__noinline int
gen_path(__u64 dentry, __u64 mnt, __u32 dstoff)
{
	struct task_struct *task = cur_task();
	struct gen_heap *gh = gh_get();
	struct heap *h = h_get();
	struct fs_struct *fs;
	struct path root;

	if (gh == NULL || h == NULL || dstoff > GEN_PATH_DST_MAX ||
	    dentry == 0)
		return -1;
	fs = BPF_CORE_READ(task, fs);
	if (bpf_core_read(&root, sizeof(root), &fs->root) != 0) {
		root.dentry = NULL;
		root.mnt = NULL;
	}
	gh->pflags = 0;
	path_put(gh->rec + dstoff, &gh->plen, (struct dentry *)dentry,
	    (struct vfsmount *)mnt, &root, h, &gh->pflags, 1);
	return len_get(&gh->plen);
}


/* CO-RE views of types the checked-in vmlinux.h lacks (the running
 * kernel's BTF has them; fields checked with bpf_core_field_exists) */
struct load_info___tl {
	const char *name;
	struct module *mod;
	bool sig_ok;
} __attribute__((preserve_access_index));

struct module___tl {
	bool sig_ok;
} __attribute__((preserve_access_index));

/*
 * Stack note: everything below reads straight into the record (map
 * memory) with bpf_core_read; BPF_CORE_READ() would give each value a
 * stack slot, and this runs four calls deep under the programs' struct
 * gctx (the verifier's 512-byte combined stack limit).
 */
#define CR(dst, src)	bpf_core_read(&(dst), sizeof(dst), &(src))

/* struct sock * -> struct ev_sock at o */
static __always_inline void
cap_sock(struct ev_sock *o, struct sock *sk)
{
	CR(o->family, sk->__sk_common.skc_family);
	CR(o->type, sk->sk_type);
	CR(o->protocol, sk->sk_protocol);
	CR(o->state, sk->__sk_common.skc_state);
	CR(o->sport, sk->__sk_common.skc_num);
	CR(o->dport, sk->__sk_common.skc_dport);
	o->dport = bpf_ntohs(o->dport);
	CR(o->mark, sk->sk_mark);
	CR(o->priority, sk->sk_priority);
	CR(o->cookie, sk->__sk_common.skc_cookie.counter);
	if (o->family == AF_INET6) {
		bpf_core_read(o->saddr, 16,
		    &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(o->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		bpf_core_read(o->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(o->daddr, 4, &sk->__sk_common.skc_daddr);
	}
}

/* struct sk_buff * -> struct ev_skb at o (IPv4/IPv6 + TCP/UDP ports);
 * o->pad2 holds the network header offset, o->sec_path_olen the
 * transport one while parsing */
static __always_inline void
cap_skb(struct ev_skb *o, struct sk_buff *skb)
{
	unsigned char *head = NULL;

	CR(o->hash, skb->hash);
	CR(o->len, skb->len);
	CR(o->priority, skb->priority);
	CR(o->mark, skb->mark);
	CR(o->family, skb->protocol);
	o->protocol = bpf_ntohs(o->family);
	o->family = 0;
	bpf_core_read(&o->pad2, 2, &skb->network_header);
	bpf_core_read(&o->sec_path_olen, 2, &skb->transport_header);
	CR(head, skb->head);
	if (head == NULL || o->pad2 == 0xffff)
		goto out;
	if (bpf_probe_read_kernel(&o->pad, 1, head + o->pad2) != 0)
		goto out;
	if ((o->pad >> 4) == 4) {
		o->family = AF_INET;
		bpf_probe_read_kernel(&o->proto, 1, head + o->pad2 + 9);
		bpf_probe_read_kernel(o->saddr, 4, head + o->pad2 + 12);
		bpf_probe_read_kernel(o->daddr, 4, head + o->pad2 + 16);
	} else if ((o->pad >> 4) == 6) {
		o->family = AF_INET6;
		bpf_probe_read_kernel(&o->proto, 1, head + o->pad2 + 6);
		bpf_probe_read_kernel(o->saddr, 16, head + o->pad2 + 8);
		bpf_probe_read_kernel(o->daddr, 16, head + o->pad2 + 24);
	} else
		goto out;
	if ((o->proto == 6 || o->proto == 17) &&
	    o->sec_path_olen != 0xffff && o->sec_path_olen != o->pad2 &&
	    bpf_probe_read_kernel(&o->sport, 4,
	    head + o->sec_path_olen) == 0) {
		o->sport = bpf_ntohs(o->sport);
		o->dport = bpf_ntohs(o->dport);
	}
out:
	o->pad = 0;
	o->pad2 = 0;
	o->sec_path_olen = 0;
}

/*
 * A kernel object argument (cred, bpf_attr, bpf_prog, bpf_map, perf_event,
 * sock, socket, skb, module) written as its events.h payload to
 * gheap.rec[dstoff]; its length, or -1.  gheap.oaux gets ev_arg.aux.
 */
__noinline int
gen_capture_obj(__u32 how, __u64 raw, __u32 argflags, __u32 dstoff)
{
	struct gen_heap *gh = gh_get();
	struct ev_bpf_prog *bp;
	struct ev_bpf_map *bm;
	struct ev_perf_event *pe;
	struct ev_cred *cr;
	void *p = NULL;
	__u8 *dst;
	long r;

	if (gh == NULL || dstoff > GEN_PATH_DST_MAX || raw == 0)
		return -1;
	dst = gh->rec + dstoff;
	gh->oaux = 0;
	switch (how) {
	case POL_ARG_CRED: {
		struct cred *c = (void *)raw;
		struct user_namespace *ns;

		cr = (void *)dst;
		__builtin_memset(cr, 0, sizeof(*cr));
		CR(cr->uid, c->uid.val);
		CR(cr->gid, c->gid.val);
		CR(cr->suid, c->suid.val);
		CR(cr->sgid, c->sgid.val);
		CR(cr->euid, c->euid.val);
		CR(cr->egid, c->egid.val);
		CR(cr->fsuid, c->fsuid.val);
		CR(cr->fsgid, c->fsgid.val);
		CR(cr->securebits, c->securebits);
		bpf_core_read(&cr->cap_permitted, 8, &c->cap_permitted);
		bpf_core_read(&cr->cap_effective, 8, &c->cap_effective);
		bpf_core_read(&cr->cap_inheritable, 8, &c->cap_inheritable);
		CR(p, c->user_ns);
		ns = p;
		if (ns != NULL) {
			CR(cr->ns_level, ns->level);
			CR(cr->ns_inum, ns->ns.inum);
			CR(cr->ns_owner, ns->owner.val);
		}
		return sizeof(*cr);
	}
	case POL_ARG_BPF_ATTR: {
		union bpf_attr *a = (void *)raw;

		bp = (void *)dst;
		__builtin_memset(bp, 0, sizeof(*bp));
		CR(bp->prog_type, a->prog_type);
		CR(bp->insn_cnt, a->insn_cnt);
		bpf_core_read(bp->name, sizeof(bp->name), &a->prog_name);
		return sizeof(*bp);
	}
	case POL_ARG_BPF_PROG: {
		struct bpf_prog *pr = (void *)raw;

		bp = (void *)dst;
		__builtin_memset(bp, 0, sizeof(*bp));
		CR(bp->prog_type, pr->type);
		CR(bp->insn_cnt, pr->len);
		CR(p, pr->aux);
		if (p != NULL)
			bpf_core_read(bp->name, sizeof(bp->name),
			    &((struct bpf_prog_aux *)p)->name);
		return sizeof(*bp);
	}
	case POL_ARG_BPF_MAP: {
		struct bpf_map *m = (void *)raw;

		bm = (void *)dst;
		__builtin_memset(bm, 0, sizeof(*bm));
		CR(bm->map_type, m->map_type);
		CR(bm->key_size, m->key_size);
		CR(bm->value_size, m->value_size);
		CR(bm->max_entries, m->max_entries);
		bpf_core_read(bm->name, sizeof(bm->name), &m->name);
		return sizeof(*bm);
	}
	case POL_ARG_PERF_EVENT: {
		struct perf_event *e = (void *)raw;

		pe = (void *)dst;
		__builtin_memset(pe, 0, sizeof(*pe));
		CR(pe->type, e->attr.type);
		CR(pe->config, e->attr.config);
		CR(pe->probe_offset, e->attr.config2);
		/* the kprobe's function: the user's string, still there
		 * while perf_event_open runs */
		CR(p, e->attr.config1);
		r = bpf_probe_read_user_str(dst + sizeof(*pe), 128, p);
		if (r <= 1)
			return sizeof(*pe);
		return sizeof(*pe) + ((r - 1) & 127);
	}
	case POL_ARG_SOCKET:
		CR(p, ((struct socket *)raw)->sk);
		if (p == NULL)
			return -1;
		raw = (__u64)p;
		/* FALLTHROUGH */
	case POL_ARG_SOCK:
		__builtin_memset(dst, 0, sizeof(struct ev_sock));
		cap_sock((void *)dst, (void *)raw);
		return sizeof(struct ev_sock);
	case POL_ARG_SKB:
		__builtin_memset(dst, 0, sizeof(struct ev_skb));
		cap_skb((void *)dst, (void *)raw);
		return sizeof(struct ev_skb);
	case POL_ARG_MODULE:
		r = -1;
		if (argflags & HOOK_ARGF_LOAD_INFO) {
			struct load_info___tl *li = (void *)raw;

			if (!bpf_core_type_exists(struct load_info___tl) ||
			    !bpf_core_field_exists(li->mod) ||
			    !bpf_core_field_exists(li->name))
				return -1;
			if (bpf_core_field_exists(li->sig_ok)) {
				CR(*(__u8 *)dst, li->sig_ok);
				if (*dst)
					gh->oaux |= EVA_AUX_MOD_SIG_OK;
			}
			CR(p, li->mod);
			if (p != NULL)
				r = bpf_probe_read_kernel_str(dst, 56,
				    &((struct module *)p)->name);
			if (r <= 1) {
				CR(p, li->name);
				r = bpf_probe_read_kernel_str(dst, 56, p);
			}
		} else {
			struct module___tl *ms = (void *)raw;
			struct module *mod = (void *)raw;

			if (bpf_core_field_exists(ms->sig_ok)) {
				CR(*(__u8 *)dst, ms->sig_ok);
				if (*dst)
					gh->oaux |= EVA_AUX_MOD_SIG_OK;
			}
			CR(*(__u64 *)dst, mod->taints);
			gh->oaux |= (*(__u64 *)dst & 0xffffff) << 8;
			r = bpf_probe_read_kernel_str(dst, 56, &mod->name);
		}
		if (r <= 1)
			return -1;
		return (r - 1) & 63;
	}
	return -1;
}

static __always_inline struct file *
fd_file(__s64 fd)
{
	struct task_struct *task = cur_task();
	struct files_struct *files;
	struct fdtable *fdt;
	struct file **fda;
	struct file *f = NULL;

	if (fd < 0 || fd > 0x7fffffff)
		return NULL;
	files = BPF_CORE_READ(task, files);
	fdt = BPF_CORE_READ(files, fdt);
	if (fdt == NULL || (__u64)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fda = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fda[fd]) != 0)
		return NULL;
	return f;
}

/* tracepoint field at off, size bytes (1..8), zero-extended */
static __always_inline int
tp_field(struct gctx *g, __u32 off, __u32 size, __u64 *out)
{
	__u64 v = 0;

	if (g->ctxaddr == 0 || size == 0 || size > 8)
		return -1;
	barrier_var(size);
	if (size > 8)
		return -1;
	if (bpf_probe_read_kernel(&v, size,
	    (void *)(g->ctxaddr + (off & 0xffff))) != 0)
		return -1;
	*out = v;
	return 0;
}

/*
 * sys_enter: the six syscall arguments, read from pt_regs only once a hook
 * gets past its process filters (r10 r9 r8 ax cx dx si di: one read).
 */
static __always_inline int
load_sysargs(struct gctx *g, struct gen_heap *gh)
{
	struct pt_regs *regs;
	__u64 *r = gh->regs;

	if (g->have_args)
		return 0;
	if (bpf_core_enum_value_exists(enum bpf_func_id,
	    BPF_FUNC_task_pt_regs)) {
		/* 5.15+: the same pt_regs as a BTF pointer: plain loads, no
		 * probe read (the cheapest way on the hot path) */
		regs = (struct pt_regs *)bpf_task_pt_regs(
		    bpf_get_current_task_btf());
		g->args[0] = regs->di;
		g->args[1] = regs->si;
		g->args[2] = regs->dx;
		g->args[3] = regs->r10;
		g->args[4] = regs->r8;
		g->args[5] = regs->r9;
		g->have_args = 1;
		return 0;
	}
	if (g->regsaddr == 0 || bpf_probe_read_kernel(r, sizeof(gh->regs),
	    (void *)(g->regsaddr + __builtin_offsetof(struct pt_regs, r10))))
		return -1;
	g->args[0] = r[7];	/* di */
	g->args[1] = r[6];	/* si */
	g->args[2] = r[5];	/* dx */
	g->args[3] = r[0];	/* r10 */
	g->args[4] = r[2];	/* r8 */
	g->args[5] = r[1];	/* r9 */
	g->have_args = 1;
	return 0;
}

/* The raw value of argument a: register, syscall argument, field, ret. */
static __always_inline int
arg_raw(struct gctx *g, struct gen_heap *gh, struct hook_arg *a, __u64 *out)
{
	__u64 v = 0;
	__u32 i;

	switch (a->src_kind) {
	case HOOK_SRC_SYSARG:
	case HOOK_SRC_REG:
		if (load_sysargs(g, gh) != 0)
			return -1;
		i = a->src;
		if (i >= 6)
			return -1;
		*out = g->args[i];
		return 0;
	case HOOK_SRC_RETVAL:
		*out = g->ret;
		return 0;
	case HOOK_SRC_SYSNR:
		*out = g->nr;
		return 0;
	case HOOK_SRC_TPFIELD:
		if (g->kind != HOOK_K_TRACEPOINT)
			return -1;
		if (tp_field(g, a->off, a->size, &v) != 0)
			return -1;
		*out = field_extend(v, a->size,
		    (a->flags & HOOK_ARGF_SIGNED) || type_is_signed(a->type));
		return 0;
	}
	return -1;
}

/*
 * Capture argument slot (hook arg position, or GEN_RET_SLOT for the
 * return value) of hook g->id into the record at gheap.pos and describe it
 * in gheap.ref[slot].  Errors are flagged in the argument (EVA_ERROR, no
 * payload), never fatal to the hit.
 */
__noinline int
gen_capture(struct gctx *g, __u32 slot)
{
	struct gen_heap *gh = gh_get();
	struct hook_cfg *hc;
	struct hook_arg *a, *sa;
	struct fdfollow_key fk;
	struct fdfollow_val *fv;
	struct ev_sockaddr *so;
	struct ev_arg *ea;
	struct gen_argref *ref;
	struct file *f = NULL;
	struct dentry *dentry = NULL;
	struct vfsmount *mnt = NULL;
	struct {
		__u16 family;
		__u16 port;
		__u32 addr4;
	} raw_sa;
	__u64 raw = 0, v, size, max, n;
	__u32 pos, off, type, how, flags = 0, aux = 0, len = 0, dl;
	__u8 *dst;
	long r;
	int noerr = 0;

	barrier_var(slot);
	if (g == NULL || gh == NULL || slot >= GEN_NARGS)
		return 0;
	hc = hc_get(g->id);
	if (hc == NULL)
		return 0;
	ref = &gh->ref[slot];
	a = slot == GEN_RET_SLOT ? &hc->ret : &hc->args[slot];
	pos = gh->pos;
	if (pos > GEN_ARGS_AREA - GEN_ARG_SLOT) {
		ref->flags = EVA_ERROR;
		return 0;
	}
	off = sizeof(struct ev_generic) + pos;
	ea = (void *)(gh->rec + off);
	dst = gh->rec + off + sizeof(struct ev_arg);
	type = a->type;
	/* how to read it: a __data_loc field is read as such whatever
	 * string-like type the policy gave it */
	how = (a->flags & HOOK_ARGF_DATA_LOC) ? POL_ARG_DATA_LOC : type;
	max = a->max;
	if (max == 0 || max > HOOK_ARG_DATA_MAX)
		max = HOOK_ARG_DATA_MAX;

	if (how != POL_ARG_DATA_LOC && how != POL_ARG_CONST_BUF &&
	    how != POL_ARG_NOP && arg_raw(g, gh, a, &raw) != 0) {
		flags = EVA_ERROR;
		goto out;
	}
	if (type_is_int(how)) {
		v = int_extend(raw, type);
		*(__u64 *)dst = v;
		raw = v;
		len = 8;
		goto out;
	}
	switch (how) {
	case POL_ARG_NOP:
		break;
	case POL_ARG_STRING:
	case POL_ARG_FILENAME:
		/*
		 * n + 1: a string that fills n bytes without its NUL was
		 * cut.  Short strings first: the helper's cost grows with
		 * the size asked for, not only with the string.
		 */
		n = max < HOOK_STR_MAX ? max : HOOK_STR_MAX;
		r = bpf_probe_read_user_str(dst, n + 1, (void *)raw);
		if (r < 0 && g->kind != HOOK_K_SYSCALL)
			r = bpf_probe_read_kernel_str(dst, n + 1,
			    (void *)raw);
		if (r == (long)n + 1 && max > n) {
			r = bpf_probe_read_user_str(dst, max + 1,
			    (void *)raw);
			if (r < 0 && g->kind != HOOK_K_SYSCALL)
				r = bpf_probe_read_kernel_str(dst, max + 1,
				    (void *)raw);
		}
		if (r <= 0) {
			flags = EVA_ERROR;
			break;
		}
		if ((__u64)r > max) {
			flags = EVA_TRUNC;
			len = max;
		} else
			len = r - 1;
		break;
	case POL_ARG_CHAR_BUF:
		if (a->flags & HOOK_ARGF_RETURN_COPY) {
			if (g->phase != PH_EXIT) {
				/* read at exit; nothing to see yet */
				flags = EVA_ERROR;
				noerr = 1;
				break;
			}
			/* what the call wrote: its return value */
			size = g->ret < 0 ? 0 : g->ret;
		} else if (a->size_arg == 0) {
			/* no size: the length is unknown, and reading maxData
			 * bytes would store whatever follows the buffer (or
			 * fail at an unmapped page); nothing, as Tetragon */
			size = 0;
		} else
			size = max;
		aux = size;
		if (a->size_arg > 0) {
			dl = a->size_arg - 1;
			if (g->kind == HOOK_K_TRACEPOINT) {
				/* the tracepoint arg at that position */
				if (dl >= HOOK_ARGS_MAX) {
					flags = EVA_ERROR;
					break;
				}
				sa = &hc->args[dl];
				if (arg_raw(g, gh, sa, &v) != 0) {
					flags = EVA_ERROR;
					break;
				}
			} else {
				if (dl >= 6) {
					flags = EVA_ERROR;
					break;
				}
				v = g->args[dl];
			}
			aux = v;
			if (!(a->flags & HOOK_ARGF_RETURN_COPY) || v < size)
				size = v;
		}
		n = size;
		if (n > max) {
			flags = EVA_TRUNC;
			n = max;
		}
		barrier_var(n);
		if (n > HOOK_ARG_DATA_MAX)
			n = 0;
		if (n > 0) {
			r = bpf_probe_read_user(dst, n, (void *)raw);
			if (r != 0 && g->kind != HOOK_K_SYSCALL)
				r = bpf_probe_read_kernel(dst, n, (void *)raw);
			if (r != 0) {
				flags = EVA_ERROR;
				break;
			}
		}
		len = n;
		break;
	case POL_ARG_CONST_BUF:
		n = a->size;
		aux = n;
		if (n > max) {
			flags = EVA_TRUNC;
			n = max;
		}
		barrier_var(n);
		if (n > HOOK_ARG_DATA_MAX)
			n = 0;
		if (a->src_kind == HOOK_SRC_TPFIELD) {
			if (g->kind != HOOK_K_TRACEPOINT || g->ctxaddr == 0) {
				flags = EVA_ERROR;
				break;
			}
			r = bpf_probe_read_kernel(dst, n,
			    (void *)(g->ctxaddr + (a->off & 0xffff)));
		} else {
			if (arg_raw(g, gh, a, &raw) != 0) {
				flags = EVA_ERROR;
				break;
			}
			r = bpf_probe_read_user(dst, n, (void *)raw);
		}
		if (r != 0) {
			flags = EVA_ERROR;
			break;
		}
		len = n;
		break;
	case POL_ARG_DATA_LOC:
		if (g->kind != HOOK_K_TRACEPOINT ||
		    tp_field(g, a->off, 4, &raw) != 0) {
			flags = EVA_ERROR;
			break;
		}
		dl = raw;
		n = dl >> 16;
		if (n > max) {
			flags = EVA_TRUNC;
			n = max;
		}
		barrier_var(n);
		if (n > HOOK_ARG_DATA_MAX)
			n = 0;
		if (bpf_probe_read_kernel(dst, n,
		    (void *)(g->ctxaddr + (dl & 0xffff))) != 0) {
			flags = EVA_ERROR;
			break;
		}
		/* the string's NUL is part of the field */
		if (n > 0 && dst[(n - 1) & (HOOK_ARG_DATA_MAX - 1)] == '\0')
			n--;
		len = n;
		break;
	case POL_ARG_FD:
		aux = raw;
		raw = (__u64)(__s64)(__s32)raw;
		f = fd_file((__s64)raw);
		if (f != NULL)
			break;
		/* not open (any more): a name remembered by FollowFD */
		fk.tgid = g->pid_tgid >> 32;
		fk.fd = raw;
		fv = bpf_map_lookup_elem(&fdfollow, &fk);
		if (fv == NULL) {
			flags = EVA_ERROR;
			break;
		}
		n = fv->len;
		if (n > HOOK_STR_MAX)
			n = HOOK_STR_MAX;
		bpf_probe_read_kernel(dst, n, fv->path);
		len = n;
		break;
	case POL_ARG_FILE:
	case POL_ARG_LINUX_BINPRM:
		/* kernel pointers: tracepoint fields, kernel functions */
		f = (void *)raw;
		if (f != NULL && how == POL_ARG_LINUX_BINPRM)
			f = BPF_CORE_READ((struct linux_binprm *)raw, file);
		if (f == NULL || !kind_has_kptr(g->kind)) {
			f = NULL;
			flags = EVA_ERROR;
		}
		break;
	case POL_ARG_PATH:
		if (raw == 0 || !kind_has_kptr(g->kind) ||
		    bpf_core_read(&dentry, sizeof(dentry),
		    &((struct path *)raw)->dentry) != 0 ||
		    bpf_core_read(&mnt, sizeof(mnt),
		    &((struct path *)raw)->mnt) != 0)
			flags = EVA_ERROR;
		break;
	case POL_ARG_DENTRY:
		/* the path inside its file system (no mount known) */
		if (raw == 0 || !kind_has_kptr(g->kind))
			flags = EVA_ERROR;
		else
			dentry = (void *)raw;
		break;
	case POL_ARG_CRED:
	case POL_ARG_BPF_ATTR:
	case POL_ARG_BPF_PROG:
	case POL_ARG_BPF_MAP:
	case POL_ARG_PERF_EVENT:
	case POL_ARG_SOCK:
	case POL_ARG_SOCKET:
	case POL_ARG_SKB:
	case POL_ARG_MODULE:
		if (!kind_has_kptr(g->kind)) {
			flags = EVA_ERROR;
			break;
		}
		r = gen_capture_obj(how, raw, a->flags,
		    off + sizeof(struct ev_arg));
		if (r < 0)
			flags = EVA_ERROR;
		else {
			len = r;
			aux = gh->oaux;
		}
		break;
	case POL_ARG_SOCKADDR:
		so = (void *)dst;
		__builtin_memset(&raw_sa, 0, sizeof(raw_sa));
		if (bpf_probe_read_user(&raw_sa, sizeof(raw_sa),
		    (void *)raw) != 0) {
			flags = EVA_ERROR;
			break;
		}
		so->family = raw_sa.family;
		so->port = 0;
		so->pad = 0;
		__builtin_memset(so->addr, 0, sizeof(so->addr));
		if (raw_sa.family == AF_INET) {
			so->port = bpf_ntohs(raw_sa.port);
			*(__u32 *)so->addr = raw_sa.addr4;
		} else if (raw_sa.family == AF_INET6) {
			so->port = bpf_ntohs(raw_sa.port);
			/* sin6_addr after sin6_flowinfo */
			if (bpf_probe_read_user(so->addr, 16,
			    (void *)raw + 8) != 0) {
				flags = EVA_ERROR;
				break;
			}
		}
		len = sizeof(*so);
		break;
	default:
		/* needs a kprobe/BTF layer this program does not have */
		flags = EVA_ERROR;
		break;
	}
	/* one path walk for every path-like type */
	if (!(flags & EVA_ERROR) && (f != NULL || dentry != NULL)) {
		if (f != NULL) {
			dentry = BPF_CORE_READ(f, f_path.dentry);
			mnt = BPF_CORE_READ(f, f_path.mnt);
			if (how != POL_ARG_FD) {
				aux = BPF_CORE_READ(f, f_inode, i_mode);
				if (BPF_CORE_READ(f, f_mode) & 0x2)
					aux |= EVA_AUX_FMODE_W;
			}
		} else
			aux = BPF_CORE_READ(dentry, d_inode, i_mode);
		r = gen_path((__u64)dentry, (__u64)mnt,
		    off + sizeof(struct ev_arg));
		if (r < 0)
			flags = EVA_ERROR;
		else {
			len = r;
			if (gh->pflags)
				flags |= EVA_TRUNC;
		}
	}
out:
	if (flags & EVA_ERROR) {
		len = 0;
		if (!noerr)
			hs_add(g->id, HS_ERRORS);
	}
	if (slot == GEN_RET_SLOT)
		flags |= EVA_RETVAL;
	if (len > HOOK_ARG_DATA_MAX)
		len = HOOK_ARG_DATA_MAX;
	ea->type = type;
	ea->flags = flags;
	ea->len = len;
	ea->aux = aux;
	ref->off = off + sizeof(struct ev_arg);
	ref->len = len;
	ref->type = type;
	ref->flags = flags;
	ref->val = raw;
	gh->pos = pos + sizeof(struct ev_arg) + ((len + 7) & ~7U);
	return 0;
}

/* Capture all arguments (and at exit the return value) afresh. */
static __always_inline void
capture_all(struct gctx *g, struct gen_heap *gh, __u32 nargs,
    __u32 rettype)
{
	struct gen_argref *ref;
	__u32 i;

	gh->pos = 0;
	for (i = 0; i < GEN_NARGS; i++)
		gh->ref[i].flags = EVA_ERROR;	/* not captured */
	for (i = 0; i < HOOK_ARGS_MAX; i++) {
		if (i >= nargs)
			break;
		gen_capture(g, i);
	}
	if (g->phase != PH_EXIT)
		return;
	if (rettype != POL_ARG_NONE) {
		gen_capture(g, GEN_RET_SLOT);
		return;
	}
	/* not in the record, but matchReturnArgs may look at it */
	ref = &gh->ref[GEN_RET_SLOT];
	ref->type = POL_ARG_INT64;
	ref->flags = 0;
	ref->len = 0;
	ref->off = 0;
	ref->val = g->ret;
}

/*
 * Entry side: capture arguments from..nargs-1 into the record (from 0: a
 * fresh record).  The record keeps the hook's argument order, so a hit
 * captures a prefix for its filters and, once a selector matched, the
 * rest.
 */
static __always_inline void
capture_from(struct gctx *g, struct gen_heap *gh, __u32 from, __u32 nargs)
{
	__u32 i;

	if (from == 0) {
		gh->pos = 0;
		/* not captured; slots gen_quick_int made ready stay so until
		 * captured (matchArgs look at them) */
		for (i = 0; i < GEN_NARGS; i++)
			if (!(g->qmask & (1U << i)))
				gh->ref[i].flags = EVA_ERROR;
	}
	for (i = 0; i < HOOK_ARGS_MAX; i++) {
		if (i >= nargs)
			break;
		if (i < from)
			continue;
		gen_capture(g, i);
	}
}

/*
 * Integer argument slot of hook g->id straight from its raw value into
 * gheap.ref[slot] (nothing written to the record), so the matchArgs
 * entries on it are decided before any string or buffer is read.  1 if
 * ref[slot] is now valid (the same value gen_capture gives it), 0 if the
 * slot is not such an integer (or its read failed: gen_capture will flag
 * that).  g->qmask caches the slots done for this hit.
 */
__noinline int
gen_quick_int(struct gctx *g, __u32 slot)
{
	struct gen_heap *gh = gh_get();
	struct gen_argref *ref;
	struct hook_cfg *hc;
	struct hook_arg *a;
	__u64 raw = 0;

	/* global (verified once): inlined in gen_prefilter's loop, the
	 * argument read's branches multiplied the verifier's states by
	 * the loop's iterations (~500k instructions on its own) */
	if (g == NULL || gh == NULL || slot >= HOOK_ARGS_MAX)
		return 0;
	hc = hc_get(g->id);
	if (hc == NULL)
		return 0;
	if (g->qmask & (1U << slot))
		return 1;
	a = &hc->args[slot];
	if (!type_is_int(a->type) || (a->flags & HOOK_ARGF_DATA_LOC) ||
	    arg_raw(g, gh, a, &raw) != 0)
		return 0;
	ref = &gh->ref[slot];
	ref->val = int_extend(raw, a->type);
	ref->type = a->type;
	ref->flags = 0;
	ref->len = 8;
	ref->off = 0;
	g->qmask |= 1U << slot;
	return 1;
}

/* ------------------------------------------------------------------ */
/* matchArgs / matchReturnArgs */

/* CIDR match of a captured sockaddr's address (network order). */
static __always_inline int
cidr_match(struct ev_sockaddr *sa, struct hook_cidr *c)
{
	__u32 w, bits, mask, x, y, plen = c->prefixlen;

	if (sa->family != c->family)
		return 0;
	for (w = 0; w < 4; w++) {
		if (plen <= w * 32)
			break;
		bits = plen - w * 32;
		if (bits > 32)
			bits = 32;
		mask = bits == 32 ? 0xffffffff :
		    bpf_htonl(~((1U << (32 - bits)) - 1));
		x = *(__u32 *)&sa->addr[w * 4];
		y = *(__u32 *)&c->addr[w * 4];
		if ((x & mask) != (y & mask))
			return 0;
	}
	return 1;
}

/*
 * Entry k of selectors[skey].args[] (k >= HOOK_MATCHARGS_MAX: the
 * retargs[] entries) against the captured arguments: 1 passes, 0 not.
 * Positive operators OR over the values, negative ones AND ("not any").
 */
__noinline int
gen_matcharg(__u32 skey, __u32 k)
{
	struct gen_heap *gh = gh_get();
	struct sel_cfg *sc = sc_get(skey);
	struct sel_matcharg *ma;
	struct gen_argref *r;
	struct ev_sockaddr *sa = NULL;
	struct hook_num *num;
	struct inmap_key key;
	__u32 slot, j, n, op, neg, t, off;
	__u64 v;
	int hit = 0;

	if (gh == NULL || sc == NULL ||
	    k >= HOOK_MATCHARGS_MAX + HOOK_RETARGS_MAX)
		return 0;
	ma = &sc->args[k];
	slot = ma->arg == HOOK_ARG_RET ? GEN_RET_SLOT : ma->arg;
	if (slot >= GEN_NARGS)
		return 0;
	r = &gh->ref[slot];
	if (r->flags & EVA_ERROR)
		return 0;	/* nothing to compare: the entry fails */
	op = op_base(ma->op, &neg);
	t = r->type;
	v = r->val;
	if (t == POL_ARG_SOCKADDR) {
		off = r->off;
		if (off > GEN_REC_MAX)
			return 0;
		sa = (void *)(gh->rec + off);
	}
	n = ma->nvals;
	if (n > HOOK_VALUES_MAX)
		n = HOOK_VALUES_MAX;
	switch (op) {
	case POL_OP_INMAP:
		key.map_id = ma->map_id;
		key.pad = 0;
		key.value = v;
		hit = bpf_map_lookup_elem(&inmap, &key) != NULL;
		break;
	case POL_OP_SPORTPRIV:
	case POL_OP_DPORTPRIV:
		hit = sa != NULL && sa->port < 1024;
		break;
	default:
		for (j = 0; j < HOOK_VALUES_MAX && !hit; j++) {
			if (j >= n)
				break;
			num = &ma->v.num[j];
			if (type_is_int(t)) {
				switch (op) {
				case POL_OP_EQUAL:
					hit = v == num->lo;
					break;
				case POL_OP_MASK:
					hit = (v & num->lo) != 0;
					break;
				case POL_OP_GT:
					hit = type_is_signed(t) ?
					    (__s64)v > (__s64)num->lo :
					    v > num->lo;
					break;
				case POL_OP_LT:
					hit = type_is_signed(t) ?
					    (__s64)v < (__s64)num->lo :
					    v < num->lo;
					break;
				case POL_OP_INRANGE:
					hit = type_is_signed(t) ?
					    (__s64)v >= (__s64)num->lo &&
					    (__s64)v <= (__s64)num->hi :
					    v >= num->lo && v <= num->hi;
					break;
				}
			} else if (sa != NULL) {
				switch (op) {
				case POL_OP_SADDR:
				case POL_OP_DADDR:
					hit = cidr_match(sa, &ma->v.cidr[j]);
					break;
				case POL_OP_SPORT:
				case POL_OP_DPORT:
					hit = sa->port >= num->lo &&
					    sa->port <= num->hi;
					break;
				case POL_OP_FAMILY:
					hit = sa->family == num->lo;
					break;
				}
			} else if (op == POL_OP_EQUAL || op == POL_OP_PREFIX ||
			    op == POL_OP_POSTFIX)
				hit = gen_str_match(r->off, r->len, skey,
				    SEL_ARG_STR_OFF(k, j), op);
		}
		break;
	}
	return neg ? !hit : hit;
}

/* All matchArgs (ret = 0) or matchReturnArgs (ret = 1) of selectors[skey]
 * pass?  (A global function: keeps the callers' loops small to verify.) */
__noinline int
gen_entries_pass(__u32 skey, __u32 ret)
{
	struct sel_cfg *sc = sc_get(skey);
	__u32 n, k, base;

	if (sc == NULL)
		return 0;
	if (ret) {
		n = sc->nretargs;
		if (n > HOOK_RETARGS_MAX)
			n = HOOK_RETARGS_MAX;
		base = HOOK_MATCHARGS_MAX;
	} else {
		n = sc->nmatchargs;
		if (n > HOOK_MATCHARGS_MAX)
			n = HOOK_MATCHARGS_MAX;
		base = 0;
	}
	for (k = 0; k < HOOK_MATCHARGS_MAX; k++) {
		if (k >= n)
			break;
		if (!gen_matcharg(skey, base + k))
			return 0;
	}
	return 1;
}

/*
 * The matchArgs entries of selector s of hook g->id on integer arguments,
 * decided from the raw values (quick_int): -1 if one of them fails, else
 * the mask of the argument slots its other entries need captured (0: the
 * selector passed all its matchArgs already).
 */
__noinline int
gen_prefilter(struct gctx *g, __u32 s)
{
	struct gen_heap *gh = gh_get();
	struct hook_cfg *hc;
	struct sel_cfg *sc;
	__u32 key, n, k, slot, need = 0;

	if (g == NULL || gh == NULL || s >= HOOK_SEL_MAX)
		return -1;
	hc = hc_get(g->id);
	key = g->id * HOOK_SEL_MAX + s;
	sc = sc_get(key);
	if (hc == NULL || sc == NULL)
		return -1;
	n = sc->nmatchargs;
	if (n > HOOK_MATCHARGS_MAX)
		n = HOOK_MATCHARGS_MAX;
	for (k = 0; k < HOOK_MATCHARGS_MAX; k++) {
		if (k >= n)
			break;
		slot = sc->args[k].arg;
		if (slot >= HOOK_ARGS_MAX) {
			need |= (1U << HOOK_ARGS_MAX) - 1;
			continue;
		}
		if (!gen_quick_int(g, slot)) {
			need |= 1U << slot;
			continue;
		}
		if (!gen_matcharg(key, k))
			return -1;
	}
	return need;
}

/* ------------------------------------------------------------------ */
/* process filters */

/*
 * Length of the current process's binary path, or -1 when unknown; with
 * copy, the path goes to gheap.bin as well (only done once a value of
 * some selector could match: most hits of a matchBinaries In are decided
 * by the length alone).  A process never seen exec'ing (started before
 * loaderd) gets its execbin entry made here from mm->exe_file, once.
 */
__noinline int
gen_binary(__u32 tgid, __u32 copy)
{
	struct task_struct *t = cur_task();
	struct gen_heap *gh = gh_get();
	struct heap *h = h_get();
	struct execbin_val *eb;
	struct file *exe;
	__u32 i;
	int n;

	if (gh == NULL || h == NULL)
		return -1;
	eb = bpf_map_lookup_elem(&execbin, &tgid);
	if (eb == NULL) {
		h->eb.len = 0;
		h->eb.flags = 0;
		h->eb.pad = 0;
		for (i = 0; i < EXECBIN_FOLLOW_WORDS; i++)
			h->eb.follow[i] = 0;
		exe = BPF_CORE_READ(t, mm, exe_file);
		n = -1;
		if (exe != NULL)
			n = gen_path((__u64)BPF_CORE_READ(exe, f_path.dentry),
			    (__u64)BPF_CORE_READ(exe, f_path.mnt),
			    GEN_BIN_OFF);
		if (n < 0) {
			h->eb.flags = EXECBIN_F_ERR;
			n = 0;
		} else if (n > HOOK_STR_MAX) {
			h->eb.flags = EXECBIN_F_TRUNC;
			n = HOOK_STR_MAX;
		}
		barrier_var(n);
		if (n < 0 || n > HOOK_STR_MAX)
			n = 0;
		bpf_probe_read_kernel(h->eb.path, n, gh->bin);
		h->eb.len = n;
		bpf_map_update_elem(&execbin, &tgid, &h->eb, BPF_NOEXIST);
		eb = bpf_map_lookup_elem(&execbin, &tgid);
		if (eb == NULL)
			return -1;
	}
	if (eb->flags & EXECBIN_F_ERR)
		return -1;
	n = eb->len;
	barrier_var(n);
	if (n < 0 || n > HOOK_STR_MAX)
		n = HOOK_STR_MAX;
	if (copy)
		bpf_probe_read_kernel(gh->bin, n, eb->path);
	return n;
}

/*
 * Could a value of selectors[skey].bins match a binary path of blen bytes
 * under the positive form of its operator?  Lengths only: no path read.
 */
static __always_inline int
bins_maybe(__u32 blen, struct sel_bins *sb)
{
	__u32 k, n = sb->nvals, neg, op, l, lv;

	op = op_base(sb->op, &neg);
	if (n > HOOK_BINS_MAX)
		n = HOOK_BINS_MAX;
	for (k = 0; k < HOOK_BINS_MAX; k++) {
		if (k >= n)
			break;
		l = sb->bins[k].len;
		if (l > HOOK_STR_MAX)
			return 1;
		/* an explicit trailing NUL does not count */
		lv = l;
		if (l > 0 && sb->bins[k].s[(l - 1) & (HOOK_STR_MAX - 1)] == '\0')
			lv = l - 1;
		if (op == POL_OP_IN || op == POL_OP_EQUAL) {
			if (lv == blen || l == blen)
				return 1;
		} else if (lv <= blen)
			return 1;
	}
	return 0;
}

/* The binary (blen bytes in gheap.bin) matches a value of
 * selectors[skey].bins under the positive form of its operator. */
static __always_inline int
bins_in(__u32 blen, struct sel_bins *sb, __u32 skey)
{
	__u32 k, n = sb->nvals, neg, op;

	op = op_base(sb->op, &neg);
	if (op == POL_OP_IN)
		op = POL_OP_EQUAL;
	if (n > HOOK_BINS_MAX)
		n = HOOK_BINS_MAX;
	for (k = 0; k < HOOK_BINS_MAX; k++) {
		if (k >= n)
			break;
		if (gen_str_match(GEN_BIN_OFF, blen, skey, SEL_BIN_STR_OFF(k),
		    op))
			return 1;
	}
	return 0;
}

/* matchPIDs, matchNamespaces, matchCapabilities, matchBinaries of
 * selector s of hook g->id: 1 all pass. */
__noinline int
gen_proc(struct gctx *g, __u32 s)
{
	struct sel_cfg *sc;
	struct sel_ns *e;
	struct execbin_val *eb;
	__u32 key, i, k, inum, tgid, neg, bit, w;
	int in, n;

	if (g == NULL || s >= HOOK_SEL_MAX)
		return 0;
	key = g->id * HOOK_SEL_MAX + s;
	sc = sc_get(key);
	if (sc == NULL)
		return 0;
	for (i = 0; i < HOOK_PID_ENTRIES_MAX; i++) {
		if (i >= sc->npids)
			break;
		if (pids_in(&sc->pids[i], g->pid_tgid >> 32) ==
		    (sc->pids[i].op == POL_OP_NOTIN))
			return 0;
	}
	for (i = 0; i < HOOK_NS_MAX; i++) {
		if (i >= sc->nns)
			break;
		e = &sc->ns[i];
		inum = ns_inum(e->ns);
		in = 0;
		for (k = 0; k < HOOK_NS_VALUES_MAX; k++) {
			if (k >= e->nvals)
				break;
			if (e->inum[k] == inum) {
				in = 1;
				break;
			}
		}
		if (in == (e->op == POL_OP_NOTIN))
			return 0;
	}
	if (sc->ncaps > 0 && !caps_ok(&sc->caps))
		return 0;
	if (!sc->has_bins)
		return 1;
	op_base(sc->bins.op, &neg);
	tgid = g->pid_tgid >> 32;
	/* g->bin: 0 not looked up, 1 path in gheap.bin, 2 unknown, 3 only
	 * the length known */
	if (g->bin == 0) {
		n = gen_binary(tgid, 0);
		g->bin = n < 0 ? 2 : 3;
		g->blen = n < 0 ? 0 : n;
	}
	in = 0;
	if (g->bin == 3 && bins_maybe(g->blen, &sc->bins)) {
		n = gen_binary(tgid, 1);
		g->bin = n < 0 ? 2 : 1;
		g->blen = n < 0 ? 0 : n;
	}
	if (g->bin == 1)
		in = bins_in(g->blen, &sc->bins, key);
	if (!in && sc->bins.follow_children) {
		eb = bpf_map_lookup_elem(&execbin, &tgid);
		bit = key;	/* = id * HOOK_SEL_MAX + selector */
		w = bit / 64;
		barrier_var(w);
		if (eb != NULL && w < EXECBIN_FOLLOW_WORDS)
			in = (eb->follow[w] >> (bit % 64)) & 1;
	}
	return neg ? !in : in;
}

/* ------------------------------------------------------------------ */
/* actions and output */

static __always_inline __u64
rl_hash(struct gen_heap *gh, __u32 nargs)
{
	__u64 h = 0xcbf29ce484222325ULL, x, mask;
	__u32 k, w, n, off, rem;

	for (k = 0; k < HOOK_ARGS_MAX; k++) {
		if (k >= nargs)
			break;
		h = (h ^ (gh->ref[k].type | ((__u64)gh->ref[k].len << 8) |
		    ((__u64)gh->ref[k].flags << 24))) * 0x100000001b3ULL;
		off = gh->ref[k].off;
		n = gh->ref[k].len;
		if (n > RL_BYTES)
			n = RL_BYTES;
		if (off > GEN_REC_MAX)
			continue;
		for (w = 0; w < RL_BYTES / 8; w++) {
			if (w * 8 >= n)
				break;
			x = *(__u64 *)(gh->rec + off + w * 8);
			rem = n - w * 8;
			if (rem < 8) {
				mask = (1ULL << (rem * 8)) - 1;
				x &= mask;
			}
			h = (h ^ x) * 0x100000001b3ULL;
		}
	}
	return h;
}

/* 1: this Post is inside its rateLimit window: suppress it */
__noinline int
gen_rate_limited(struct gctx *g, __u32 nargs)
{
	struct gen_heap *gh = gh_get();
	struct rl_key k;
	__u64 now, *last;

	if (g == NULL || gh == NULL || g->rl_ms == 0)
		return 0;
	k.id = g->id;
	k.gen = g->gen;
	k.sel = g->sel;
	k.pad = 0;
	switch (g->rl_scope) {
	case POL_RL_THREAD:
		k.scope = (__u32)g->pid_tgid;
		break;
	case POL_RL_PROCESS:
		k.scope = g->pid_tgid >> 32;
		break;
	default:
		k.scope = 0;
		break;
	}
	k.hash = rl_hash(gh, nargs);
	now = bpf_ktime_get_ns();
	last = bpf_map_lookup_elem(&ratelimit, &k);
	if (last != NULL && now - *last < g->rl_ms * 1000000ULL)
		return 1;
	bpf_map_update_elem(&ratelimit, &k, &now, BPF_ANY);
	return 0;
}

/* fd named by an action: an argument position or HOOK_ARG_RET */
static __always_inline __s64
action_fd(struct gctx *g, struct gen_heap *gh, __u32 which)
{
	struct gen_argref *r;

	if (which == HOOK_ARG_RET)
		return g->phase == PH_EXIT ? g->ret : -1;
	if (which >= HOOK_ARGS_MAX)
		return -1;
	r = &gh->ref[which];
	if ((r->flags & EVA_ERROR) ||
	    (!type_is_int(r->type) && r->type != POL_ARG_FD))
		return -1;
	return (__s64)r->val;
}

/* FollowFD / UnfollowFD / CopyFD */
static __always_inline void
fdfollow_do(struct gctx *g, struct gen_heap *gh, struct sel_action *a)
{
	struct fdfollow_key k, k2;
	struct fdfollow_val *v;
	struct gen_argref *r;
	__s64 fd, fd2;
	__u32 n, off;

	fd = action_fd(g, gh, a->arg_fd);
	if (fd < 0 || fd > 0x7fffffff)
		return;
	k.tgid = g->pid_tgid >> 32;
	k.fd = fd;
	switch (a->kind) {
	case POL_ACT_UNFOLLOWFD:
		bpf_map_delete_elem(&fdfollow, &k);
		break;
	case POL_ACT_COPYFD:
		/* argName names the new fd */
		fd2 = action_fd(g, gh, a->arg_name);
		if (fd2 < 0 || fd2 > 0x7fffffff)
			return;
		v = bpf_map_lookup_elem(&fdfollow, &k);
		if (v == NULL)
			return;
		k2.tgid = k.tgid;
		k2.fd = fd2;
		bpf_map_update_elem(&fdfollow, &k2, v, BPF_ANY);
		break;
	case POL_ACT_FOLLOWFD:
		if (a->arg_name >= HOOK_ARGS_MAX)
			return;
		r = &gh->ref[a->arg_name];
		if ((r->flags & EVA_ERROR) || type_is_int(r->type))
			return;
		n = r->len;
		if (n > HOOK_STR_MAX)
			n = HOOK_STR_MAX;
		off = r->off;
		if (off > GEN_REC_MAX)
			return;
		gh->ff.len = n;
		__builtin_memset(gh->ff.pad, 0, sizeof(gh->ff.pad));
		bpf_probe_read_kernel(gh->ff.path, n, gh->rec + off);
		bpf_map_update_elem(&fdfollow, &k, &gh->ff, BPF_ANY);
		break;
	}
}

/* An Override decided at syscall entry, for the LSM program that guards
 * the operation inside this same syscall (see struct ovr_pend). */
static __always_inline void
ovr_set(struct gctx *g, __u32 mask, __s32 err)
{
	struct ovr_pend op;
	__u64 key = g->pid_tgid;	/* on the stack: 6.1 takes no
					   PTR_TO_MEM map key */

	op.err = err;
	op.nr = g->nr;
	op.id = g->id;
	op.gen = g->gen;
	op.mask = mask;
	op.applied = 0;
	bpf_map_update_elem(&ovr_pending, &key, &op, BPF_ANY);
}

/* Run selectors[skey]'s matchActions (ret = 0) or matchReturnActions. */
__noinline int
gen_actions(struct gctx *g, __u32 skey, __u32 ret)
{
	struct gen_heap *gh = gh_get();
	struct sel_cfg *sc = sc_get(skey);
	struct hook_cfg *hc;
	struct sel_action *a;
	__u32 i, n, bit;
	int sig, mon;

	if (g == NULL || gh == NULL || sc == NULL)
		return 0;
	hc = hc_get(g->id);
	if (hc == NULL)
		return 0;
	mon = hc->flags & HOOK_F_MONITOR;
	n = ret ? sc->nretactions : sc->nactions;
	if (n > HOOK_ACTIONS_MAX)
		n = HOOK_ACTIONS_MAX;
	for (i = 0; i < HOOK_ACTIONS_MAX; i++) {
		if (i >= n)
			break;
		a = ret ? &sc->retactions[i] : &sc->actions[i];
		bit = 1U << (a->kind & 31);
		switch (a->kind) {
		case POL_ACT_POST:
			g->post = 1;
			g->rl_ms = a->rate_ms;
			g->rl_scope = a->scope;
			break;
		case POL_ACT_NOPOST:
			g->nopost = 1;
			g->actions |= bit;
			break;
		case POL_ACT_SIGKILL:
		case POL_ACT_SIGNAL:
			if (mon) {
				g->would |= bit;
				break;
			}
			sig = a->kind == POL_ACT_SIGKILL ? SIGKILL : a->arg;
			if (bpf_send_signal(sig) == 0) {
				g->actions |= bit;
				hs_add(g->id, HS_SIGNALS);
			} else
				hs_add(g->id, HS_ERRORS);
			break;
		case POL_ACT_FOLLOWFD:
		case POL_ACT_UNFOLLOWFD:
		case POL_ACT_COPYFD:
			fdfollow_do(g, gh, a);
			g->actions |= bit;
			break;
		case POL_ACT_GETURL:
		case POL_ACT_DNSLOOKUP:
			/* user space delivers them from the record */
			g->actions |= bit;
			break;
		case POL_ACT_OVERRIDE:
			/* the loader allows it only where it can be done:
			 * LSM / fmod_ret programs return g->ovr; a syscall
			 * hook hands it to the guarding LSM hook */
			if (mon) {
				g->would |= bit;
				break;
			}
			g->ovr = a->arg;
			g->actions |= bit;
			if (g->kind == HOOK_K_SYSCALL) {
				/* never after the call (the loader refuses
				 * such hooks): a stale entry would fail the
				 * thread's next call */
				if ((hc->flags & HOOK_F_OVR_LSM) &&
				    g->phase != PH_EXIT)
					ovr_set(g, hc->ovr_mask, a->arg);
			} else
				hs_add(g->id, HS_OVERRIDES);
			break;
		default:
			/* NotifyEnforcer & co.: refused by the loader */
			break;
		}
	}
	return 0;
}

/* Write the record built in gheap.rec to the ring buffer. */
__noinline int
gen_emit(struct gctx *g, __u32 nargs)
{
	struct gen_heap *gh = gh_get();
	struct ev_generic *e;
	struct task_struct *t = cur_task(), *rp;
	__u64 size;
	__u32 tgid, ppid, pos;

	if (g == NULL || gh == NULL)
		return 0;
	e = (void *)gh->rec;
	tgid = g->pid_tgid >> 32;
	pos = gh->pos;
	size = sizeof(*e) + pos;
	if (size > GEN_REC_MAX) {
		hs_add(g->id, HS_ERRORS);
		stat_inc(EV_STAT_ERRORS);
		return 0;
	}
	e->hdr.type = EV_GENERIC;
	e->hdr.version = EV_ABI_VERSION;
	e->hdr.size = size;
	e->hdr.time_ns = bpf_ktime_get_boot_ns();
	if (task_key(&e->key, t, tgid))
		g->eflags |= EVG_F_SELF_MISS;
	rp = BPF_CORE_READ(t, real_parent);
	ppid = BPF_CORE_READ(rp, tgid);
	if (task_key(&e->parent, rp, ppid))
		g->eflags |= EVG_F_PARENT_MISS;
	e->tid = (__u32)g->pid_tgid;
	e->hook_id = g->id;
	e->gen = g->gen;
	e->sel = g->sel;
	e->nargs = nargs;
	e->flags = g->eflags;
	e->actions = g->actions;
	e->would = g->would;
	e->ret = g->phase == PH_EXIT ? g->ret : 0;
	e->args_len = pos;
	e->pad = 0;
	if (bpf_ringbuf_output(&events, e, size, 0) == 0) {
		stat_inc(EV_STAT_EMITTED);
		hs_add(g->id, HS_POSTED);
	} else {
		stat_inc(EV_STAT_DROPPED);
		hs_add(g->id, HS_DROPPED);
	}
	return 0;
}

/*
 * Entry side of a hit, after the process filters passed the selectors in
 * pmask (need: one of them has matchArgs).  matchArgs entries on integer
 * arguments are decided from the raw values first (gen_prefilter); only then are the arguments up to the last one a
 * remaining selector needs captured, and its other entries checked.
 * Returns the selectors that passed (bits 0-7; PH_ONESHOT: only the
 * first) and, in bits 16-23, how many arguments were captured.
 */
/*
 * The pieces of gen_args_filter, each a global function: as one function
 * the combinations of its masks and counts made the verifier walk ~500k
 * instructions (more than Linux 6.1 allows in all); split, each is
 * verified once with little state.
 */

/* gen_prefilter for the selectors in pmask: the ones still passing (bits
 * 0-7), decided already (8-15), arguments needed (16-23). */
__noinline int
gen_prefilter_all(struct gctx *g, __u32 nsel, __u32 pmask)
{
	__u32 s, dmask = 0, cneed = 0;
	int r;

	if (g == NULL)
		return 0;
	for (s = 0; s < HOOK_SEL_MAX; s++) {
		if (s >= nsel)
			break;
		if (!(pmask & (1U << s)))
			continue;
		r = gen_prefilter(g, s);
		if (r < 0)
			pmask &= ~(1U << s);
		else if (r == 0)
			dmask |= 1U << s;
		else
			cneed |= r;
	}
	return (pmask & 0xff) | ((dmask & 0xff) << 8) | ((cneed & 0xff) << 16);
}

/* Capture arguments 0..n-1 into a fresh record. */
__noinline int
gen_capture_n(struct gctx *g, __u32 n)
{
	struct gen_heap *gh = gh_get();

	if (g == NULL || gh == NULL)
		return 0;
	if (n > HOOK_ARGS_MAX)
		n = HOOK_ARGS_MAX;
	capture_from(g, gh, 0, n);
	return 0;
}

/* The selectors of pmask whose matchArgs pass (dmask: decided already);
 * PH_ONESHOT: only the first. */
__noinline int
gen_sel_pass(struct gctx *g, __u32 nsel, __u32 pmask, __u32 dmask)
{
	__u32 s, amask = 0;

	if (g == NULL)
		return 0;
	for (s = 0; s < HOOK_SEL_MAX; s++) {
		if (s >= nsel)
			break;
		if (!(pmask & (1U << s)))
			continue;
		if (!(dmask & (1U << s)) &&
		    !gen_entries_pass(g->id * HOOK_SEL_MAX + s, 0))
			continue;
		amask |= 1U << s;
		if (g->phase == PH_ONESHOT)
			break;
	}
	return amask;
}

__noinline int
gen_args_filter(struct gctx *g, __u32 nsel, __u32 nargs, __u32 pmask,
    __u32 need)
{
	__u32 i, dmask = 0, capn = 0, cneed;
	int r;

	if (g == NULL)
		return 0;
	if (nsel > HOOK_SEL_MAX)
		nsel = HOOK_SEL_MAX;
	if (nargs > HOOK_ARGS_MAX)
		nargs = HOOK_ARGS_MAX;
	if (need) {
		g->qmask = 0;
		r = gen_prefilter_all(g, nsel, pmask);
		pmask = r & 0xff;
		dmask = (r >> 8) & 0xff;
		cneed = (r >> 16) & 0xff;
		if (pmask == 0)
			return 0;
		for (i = 0; i < HOOK_ARGS_MAX; i++)
			if (cneed & (1U << i))
				capn = i + 1;
		if (capn > nargs)
			capn = nargs;
		if (capn > 0)
			gen_capture_n(g, capn);
	}
	r = gen_sel_pass(g, nsel, pmask, dmask);
	return (r & 0xff) | (capn << 16);
}

/* remember an AT_EXIT hook's entry result for sys_exit */
static __always_inline void
pending_add(struct gen_heap *gh, struct gctx *g, __u32 pass)
{
	struct gen_pending *pd = &gh->pd;
	__u32 n = pd->n;

	if (n >= HOOK_PER_DISPATCH)
		return;
	pd->ids[n] = g->id;
	pd->gens[n] = g->gen;
	pd->pass[n] = pass;
	pd->n = n + 1;
}

/*
 * One hit of hook g->id (g->phase: PH_ONESHOT from the programs, becomes
 * PH_ENTRY here for AT_EXIT syscall hooks; PH_EXIT from sys_exit).
 */
__noinline int
gen_hook_run(struct gctx *g)
{
	struct gen_heap *gh = gh_get();
	struct hook_cfg *hc;
	struct sel_cfg *sc;
	__u32 nsel, nargs, rettype, s, key, pmask = 0, need = 0, amask = 0;
	__u32 capn;
	int r;

	if (g == NULL || gh == NULL)
		return 0;
	hc = hc_get(g->id);
	if (hc == NULL || !(hc->flags & HOOK_F_ENABLED) || hc->kind != g->kind)
		return 0;
	/* syscall_nr -1: the hook is on every number whose entry lists it
	 * (raw_syscalls/sys_enter) */
	if (g->kind == HOOK_K_SYSCALL && hc->syscall_nr >= 0 &&
	    hc->syscall_nr != (__s32)g->nr)
		return 0;
	if (g->phase == PH_EXIT) {
		if (hc->gen != g->gen)
			return 0;	/* slot reused since the entry */
	} else {
		g->gen = hc->gen;
		if ((g->kind == HOOK_K_SYSCALL || g->kind == HOOK_K_KPROBE) &&
		    (hc->flags & HOOK_F_AT_EXIT))
			g->phase = PH_ENTRY;
	}
	nsel = hc->nsel;
	if (nsel > HOOK_SEL_MAX)
		nsel = HOOK_SEL_MAX;
	nargs = hc->nargs;
	if (nargs > HOOK_ARGS_MAX)
		nargs = HOOK_ARGS_MAX;
	rettype = hc->ret.type;
	g->sel = SEL_NONE;
	g->eflags = 0;
	g->bin = 0;
	g->qmask = 0;

	if (g->phase == PH_EXIT) {
		if (g->pass == 0)
			return 0;
		capture_all(g, gh, nargs, rettype);
		if (rettype != POL_ARG_NONE)
			nargs++;
		if (nsel > 0 && g->pass != GEN_PASS_ALL) {
			/* a local: a load from g as the loop's last insn
			 * falls through into its head, which 6.1's CFG
			 * check refuses (tests/bpf/cfgcheck.py) */
			pmask = g->pass;
			for (s = 0; s < HOOK_SEL_MAX; s++) {
				if (s >= nsel)
					break;
				if (!(pmask & (1U << s)))
					continue;
				if (gen_entries_pass(g->id * HOOK_SEL_MAX + s,
				    1)) {
					g->sel = s;
					break;
				}
			}
			if (g->sel == SEL_NONE)
				return 0;
		}
		goto matched;
	}

	hs_add(g->id, HS_HITS);
	if (nsel == 0) {
		if (g->phase == PH_ENTRY) {
			pending_add(gh, g, GEN_PASS_ALL);
			return 0;
		}
		capture_all(g, gh, nargs, rettype);
		goto matched;
	}
	/* 1. process filters: cheap, and no argument read if none pass */
	for (s = 0; s < HOOK_SEL_MAX; s++) {
		if (s >= nsel)
			break;
		sc = sc_get(g->id * HOOK_SEL_MAX + s);
		if (sc == NULL)
			break;
		if ((sc->npids || sc->nns || sc->ncaps || sc->has_bins) &&
		    !gen_proc(g, s))
			continue;
		pmask |= 1U << s;
		if (sc->nmatchargs > 0)
			need = 1;
	}
	if (pmask == 0)
		return 0;
	/* 2. matchArgs on integer arguments, from the raw values, and the
	 *    arguments the remaining selectors need; 3. first match wins */
	r = gen_args_filter(g, nsel, nargs, pmask, need);
	amask = r & 0xff;
	capn = (r >> 16) & 0xff;
	if (g->phase == PH_ONESHOT && amask != 0) {
		for (s = 0; s < HOOK_SEL_MAX; s++)
			if (amask & (1U << s)) {
				g->sel = s;
				break;
			}
	}
	if (amask == 0)
		return 0;
	if (g->phase == PH_ENTRY) {
		pending_add(gh, g, amask);
		return 0;
	}
	/* the rest of the record (all of it if nothing was captured) */
	capture_from(g, gh, capn, nargs);

matched:
	/* 4. actions (none: Post), then maybe the record */
	hs_add(g->id, HS_MATCHED);
	g->actions = 0;
	g->would = 0;
	g->post = 0;
	g->nopost = 0;
	g->rl_ms = 0;
	g->rl_scope = 0;
	/* posted unless NoPost (Tetragon): an explicit Post only brings its
	 * rateLimit */
	g->post = 1;
	if (g->sel < HOOK_SEL_MAX) {
		key = g->id * HOOK_SEL_MAX + g->sel;
		gen_actions(g, key, 0);
		if (g->phase == PH_EXIT)
			gen_actions(g, key, 1);
	}
	if (hc->flags & HOOK_F_MONITOR)
		g->eflags |= EVG_F_MONITOR;
	if (g->phase == PH_EXIT)
		g->eflags |= EVG_F_RETURN;
	if (g->nopost)
		return 0;
	if (gen_rate_limited(g, hc->nargs)) {
		hs_add(g->id, HS_RATELIMITED);
		return 0;
	}
	g->actions |= 1U << POL_ACT_POST;
	gen_emit(g, nargs);
	return 0;
}

/* ------------------------------------------------------------------ */
/* programs */

static __always_inline void
gctx_init(struct gctx *g, __u32 kind)
{
	__builtin_memset(g, 0, sizeof(*g));
	g->kind = kind;
	g->pid_tgid = bpf_get_current_pid_tgid();
}

/* Run the hooks of a dispatch list. */
static __always_inline void
dispatch(struct gctx *g, struct hook_list *hl)
{
	struct hook_cfg *hc;
	__u32 i, n = hl->n;

	if (n > HOOK_PER_DISPATCH)
		n = HOOK_PER_DISPATCH;
	for (i = 0; i < HOOK_PER_DISPATCH; i++)
		g->ids[i] = hl->ids[i];
	for (i = 0; i < HOOK_PER_DISPATCH; i++) {
		if (i >= n)
			break;
		hc = hc_get(g->ids[i]);
		if (hc == NULL || !(hc->flags & HOOK_F_ENABLED))
			continue;
		g->id = g->ids[i];
		g->phase = PH_ONESHOT;
		gen_hook_run(g);
	}
}

SEC("raw_tracepoint/sys_enter")
int
sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (void *)ctx->args[0];
	struct gen_heap *gh;
	struct hook_list *hl;
	struct gctx *g;
	__u32 nr = ctx->args[1], i;

	hl = bpf_map_lookup_elem(&sys_hooks, &nr);
	if (hl == NULL || hl->n == 0)
		return 0;	/* the fast path: syscall not hooked */
	gh = gh_get();
	if (gh == NULL)
		return 0;
	if ((g = gx_get()) == NULL)
		return 0;
	gctx_init(g, HOOK_K_SYSCALL);
	g->regsaddr = (unsigned long)regs;
	g->nr = nr;
	gh->pd.n = 0;
	dispatch(g, hl);
	if (gh->pd.n > 0) {
		if (load_sysargs(g, gh) != 0) {
			stat_inc(EV_STAT_ERRORS);
			return 0;
		}
		for (i = 0; i < 6; i++)
			gh->pd.args[i] = g->args[i];
		gh->pd.nr = nr;
		bpf_map_update_elem(&pending, &g->pid_tgid, &gh->pd, BPF_ANY);
	}
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int
sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (void *)ctx->args[0];
	struct gen_pending *saved, *pd;
	struct ovr_pend *op;
	struct gen_heap *gh;
	struct hook_list *hl;
	struct gctx *g;
	__u64 pid_tgid, orig_ax = 0;
	__u32 nr, n, i;

	if (bpf_probe_read_kernel(&orig_ax, sizeof(orig_ax),
	    &regs->orig_ax) != 0)
		return 0;
	nr = orig_ax;
	hl = bpf_map_lookup_elem(&sys_hooks, &nr);
	if (hl == NULL || hl->n == 0)
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	op = bpf_map_lookup_elem(&ovr_pending, &pid_tgid);
	if (op != NULL) {
		/* an Override no LSM hook carried out: say so */
		if (op->nr == nr && !op->applied)
			hs_add(op->id, HS_OVR_MISSED);
		bpf_map_delete_elem(&ovr_pending, &pid_tgid);
	}
	saved = bpf_map_lookup_elem(&pending, &pid_tgid);
	if (saved == NULL)
		return 0;
	gh = gh_get();
	if (gh == NULL)
		return 0;
	/* copy out before the delete frees the element for reuse */
	pd = &gh->pd;
	__builtin_memcpy(pd, saved, sizeof(*pd));
	bpf_map_delete_elem(&pending, &pid_tgid);
	if (pd->nr != nr)
		return 0;	/* stale: a syscall that never returned */
	if ((g = gx_get()) == NULL)
		return 0;
	gctx_init(g, HOOK_K_SYSCALL);
	for (i = 0; i < 6; i++)
		g->args[i] = pd->args[i];
	g->have_args = 1;
	for (i = 0; i < HOOK_PER_DISPATCH; i++)
		g->ids[i] = pd->ids[i];
	g->nr = nr;
	g->ret = ctx->args[1];
	n = pd->n;
	for (i = 0; i < HOOK_PER_DISPATCH; i++) {
		if (i >= n)
			break;
		g->id = g->ids[i];
		g->gen = pd->gens[i];
		g->pass = pd->pass[i];
		g->phase = PH_EXIT;
		gen_hook_run(g);
	}
	return 0;
}

SEC("tracepoint")
int
generic_tp(void *ctx)
{
	struct hook_list *hl;
	struct gctx *g;
	__u32 type;

	/*
	 * The record's common_type cannot be used: perf overwrites the
	 * first 8 bytes of the record with a pt_regs pointer before running
	 * the program.  The loader attaches with bpf_cookie = the
	 * tracepoint's id instead.
	 */
	type = bpf_get_attach_cookie(ctx);
	hl = bpf_map_lookup_elem(&tp_hooks, &type);
	if (hl == NULL || hl->n == 0)
		return 0;
	if ((g = gx_get()) == NULL)
		return 0;
	gctx_init(g, HOOK_K_TRACEPOINT);
	g->ctxaddr = (unsigned long)ctx;
	dispatch(g, hl);
	return 0;
}

SEC("uprobe")
int
generic_uprobe(struct pt_regs *ctx)
{
	struct gctx *g;

	if ((g = gx_get()) == NULL)
		return 0;
	gctx_init(g, HOOK_K_UPROBE);
	g->args[0] = PT_REGS_PARM1(ctx);
	g->args[1] = PT_REGS_PARM2(ctx);
	g->args[2] = PT_REGS_PARM3(ctx);
	g->args[3] = PT_REGS_PARM4(ctx);
	g->args[4] = PT_REGS_PARM5(ctx);
	g->args[5] = ctx->r9;
	g->have_args = 1;
	g->id = bpf_get_attach_cookie(ctx);
	g->phase = PH_ONESHOT;
	gen_hook_run(g);
	return 0;
}


/*
 * Kernel functions.  generic_kprobe / generic_kretprobe: attached per hook
 * with bpf_cookie = hook id; a hook with a return value (HOOK_F_AT_EXIT)
 * runs its entry-side filters at entry and hands off to the kretprobe
 * through kpending[pid_tgid, id].
 */
SEC("?kprobe")
int
generic_kprobe(struct pt_regs *ctx)
{
	struct gen_heap *gh;
	struct kpend_key k;
	struct gctx *g;
	__u32 i;

	gh = gh_get();
	if (gh == NULL)
		return 0;
	if ((g = gx_get()) == NULL)
		return 0;
	gctx_init(g, HOOK_K_KPROBE);
	g->args[0] = PT_REGS_PARM1(ctx);
	g->args[1] = PT_REGS_PARM2(ctx);
	g->args[2] = PT_REGS_PARM3(ctx);
	g->args[3] = PT_REGS_PARM4(ctx);
	g->args[4] = PT_REGS_PARM5(ctx);
	g->args[5] = ctx->r9;
	g->have_args = 1;
	g->id = bpf_get_attach_cookie(ctx);
	g->phase = PH_ONESHOT;
	gh->pd.n = 0;
	gen_hook_run(g);
	if (gh->pd.n > 0) {
		for (i = 0; i < 6; i++)
			gh->pd.args[i] = g->args[i];
		gh->pd.nr = 0;
		k.pid_tgid = g->pid_tgid;
		k.id = g->id;
		k.pad = 0;
		bpf_map_update_elem(&kpending, &k, &gh->pd, BPF_ANY);
	}
	return 0;
}

SEC("?kretprobe")
int
generic_kretprobe(struct pt_regs *ctx)
{
	struct gen_pending *saved, *pd;
	struct gen_heap *gh;
	struct kpend_key k;
	struct gctx *g;
	__u32 i;

	k.pid_tgid = bpf_get_current_pid_tgid();
	k.id = bpf_get_attach_cookie(ctx);
	k.pad = 0;
	saved = bpf_map_lookup_elem(&kpending, &k);
	if (saved == NULL)
		return 0;
	gh = gh_get();
	if (gh == NULL)
		return 0;
	pd = &gh->pd;
	__builtin_memcpy(pd, saved, sizeof(*pd));
	bpf_map_delete_elem(&kpending, &k);
	if (pd->n == 0)
		return 0;
	if ((g = gx_get()) == NULL)
		return 0;
	gctx_init(g, HOOK_K_KPROBE);
	for (i = 0; i < 6; i++)
		g->args[i] = pd->args[i];
	g->have_args = 1;
	g->ret = PT_REGS_RC(ctx);
	g->id = k.id;
	g->gen = pd->gens[0];
	g->pass = pd->pass[0];
	g->phase = PH_EXIT;
	gen_hook_run(g);
	return 0;
}

/* an error an LSM / fmod_ret program may return */
static __always_inline long
ovr_ret(long r)
{
	if (r > 0 || r < -MAX_ERRNO)
		r = -1;	/* EPERM */
	return r;
}

/* The hook of a per-hook instance, arguments by bpf_get_func_arg. */
static __always_inline long
fn_run(void *ctx, __u32 kind)
{
	struct gctx *g;
	__u64 v;
	__u32 i;

	if ((g = gx_get()) == NULL)
		return 0;
	gctx_init(g, kind);
	for (i = 0; i < 6; i++) {
		v = 0;
		if (bpf_get_func_arg(ctx, i, &v) != 0)
			break;
		g->args[i] = v;
	}
	g->have_args = 1;
	g->id = tl_fn_hook;
	g->phase = PH_ONESHOT;
	gen_hook_run(g);
	if (g->ovr == 0)
		return 0;
	return ovr_ret(g->ovr);
}

/*
 * lsmhooks: one instance per hook, attach target set by the loader
 * ("file_open" is only the default).  Returning an error denies the
 * operation; the first BPF LSM program that denies ends the chain.
 */
SEC("?lsm/file_open")
int
generic_lsm(unsigned long long *ctx)
{
	return fn_run(ctx, HOOK_K_LSM);
}

/* Override on a kprobe on a security_* function: fmod_ret, one instance
 * per hook; a non-zero return skips the function and is its result. */
SEC("?fmod_ret/security_file_open")
int
generic_fmodret(unsigned long long *ctx)
{
	return fn_run(ctx, HOOK_K_FMODRET);
}

/* spec.fentries without Override: observation through a trampoline */
SEC("?fentry/security_file_open")
int
generic_fentry(unsigned long long *ctx)
{
	fn_run(ctx, HOOK_K_FENTRY);
	return 0;
}

/*
 * Override executors for syscall hooks (HOOK_F_OVR_LSM): the LSM hook that
 * guards the syscall's operation returns the error sys_enter decided, if
 * that syscall is the one running.  ovr_lsm serves every mapped hook
 * (attach target set by the loader); file_permission also checks the
 * MAY_* mask (a write decision must not fail the read of the same call).
 */
static __always_inline long
ovr_apply(__u32 mask)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ovr_pend *op;
	struct pt_regs *regs;
	__u32 nr;

	op = bpf_map_lookup_elem(&ovr_pending, &pid_tgid);
	if (op == NULL)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	nr = regs->orig_ax;
	if (nr != op->nr)
		return 0;
	if (op->mask != 0 && !(mask & op->mask))
		return 0;
	if (!op->applied) {
		op->applied = 1;
		hs_add(op->id, HS_OVERRIDES);
	}
	return ovr_ret(op->err);
}

SEC("?lsm/file_open")
int
ovr_lsm(unsigned long long *ctx)
{
	return ovr_apply(0);
}

SEC("?lsm/file_permission")
int
ovr_file_permission(unsigned long long *ctx)
{
	return ovr_apply((__u32)ctx[1]);
}

/* where the kernel has bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE):
 * a kprobe on the syscall function itself */
SEC("?kprobe")
int
ovr_kprobe(struct pt_regs *ctx)
{
	long r = ovr_apply(0);

	if (r != 0)
		bpf_override_return(ctx, r);
	return 0;
}

/*
 * exec (tail call from the process programs' handle_exec, after it wrote
 * execbin): set the followChildren bit of every selector whose
 * matchBinaries values the new binary matches.
 */
__noinline int
gen_follow_hook(__u32 id, __u32 tgid, __u32 blen)
{
	struct execbin_val *eb;
	struct hook_cfg *hc = hc_get(id);
	struct sel_cfg *sc;
	__u32 s, n, key, w;

	if (hc == NULL || !(hc->flags & HOOK_F_ENABLED) || hc->nsel == 0)
		return 0;
	n = hc->nsel;
	if (n > HOOK_SEL_MAX)
		n = HOOK_SEL_MAX;
	for (s = 0; s < HOOK_SEL_MAX; s++) {
		if (s >= n)
			break;
		key = id * HOOK_SEL_MAX + s;
		sc = sc_get(key);
		if (sc == NULL)
			break;
		if (!sc->has_bins || !sc->bins.follow_children)
			continue;
		if (!bins_in(blen, &sc->bins, key))
			continue;
		eb = bpf_map_lookup_elem(&execbin, &tgid);
		w = key / 64;
		barrier_var(w);
		if (eb == NULL || w >= EXECBIN_FOLLOW_WORDS)
			return 0;
		__sync_fetch_and_or(&eb->follow[w], 1ULL << (key % 64));
	}
	return 0;
}

struct exec_loop {
	__u32	tgid;
	__u32	blen;
};

static long
exec_hook_cb(__u64 i, void *data)
{
	struct exec_loop *x = data;

	gen_follow_hook(i, x->tgid, x->blen);
	return 0;
}

SEC("raw_tp")
int
generic_exec(struct bpf_raw_tracepoint_args *ctx)
{
	struct gen_heap *gh = gh_get();
	struct execbin_val *eb;
	struct exec_loop x;
	__u32 n;

	x.tgid = bpf_get_current_pid_tgid() >> 32;
	eb = bpf_map_lookup_elem(&execbin, &x.tgid);
	if (eb == NULL || gh == NULL || (eb->flags & EXECBIN_F_ERR))
		return 0;
	n = eb->len;
	if (n > HOOK_STR_MAX)
		n = HOOK_STR_MAX;
	bpf_probe_read_kernel(gh->bin, n, eb->path);
	x.blen = n;
	bpf_loop(HOOK_MAX, exec_hook_cb, &x, 0);
	return 0;
}
