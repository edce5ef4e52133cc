/*
 * bpf/generic/ctx.bpf.h -- what every part of the generic programs
 * shares: constants, the hit in progress (struct gctx, map gctxs) and
 * small helpers (map accessors, operator and integer helpers).
 * Part of generic.bpf.c (see there), not compiled alone.
 */
#ifndef TRIPLINE_GEN_CTX_BPF_H
#define TRIPLINE_GEN_CTX_BPF_H

#define AF_INET			2
#define AF_INET6		10
#define SIGKILL			9

#define PH_ONESHOT		0	/* evaluate, act and emit now */
#define PH_ENTRY		1	/* AT_EXIT hook at syscall entry */
#define PH_EXIT			2	/* AT_EXIT hook at syscall exit */
#define PH_RECHECK		3	/* syscall hook decided again in its
					   Override executor, argument
					   hook_cfg.rck_slot from g->kobj:
					   the selector only (g->sel) */
#define PH_RCKACT		4	/* the same, its actions and record
					   too (sys_enter did not decide its
					   Override) */

#define RL_BYTES		40	/* rateLimit key: bytes per argument */
#define SEL_NONE		0xff

/* gheap.bin sits right after gheap.rec: offsets below count from rec */
#define GEN_BIN_OFF		(GEN_REC_MAX + GEN_STK_MAX + GEN_SLACK)
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
	__u32	late;		/* PH_EXIT: of these, the ones to decide
				   now (gen_pending.late) */
	__u32	ovr_id;		/* PH_EXIT: hook of the thread's Override
				   decided at entry, */
	__u32	ovr_state;	/* 0 none, 1 carried out, 2 not */
	__u32	nouser;		/* PH_EXIT: the task's memory was replaced
				   since the entry (execve): user memory
				   arguments are not read, EVA_FAULT */
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
	__u32	rck;		/* PH_RECHECK: HOOK_RCK_* of kobj */
	__u32	rck_now;	/* gen_capture: reading g->kobj */
	__u32	rck_new;	/* gen_rck_one: an Override sys_enter
				   did not decide was carried out */
	__u32	rck_undec;	/* PH_RECHECK: an argument still read
				   from user memory was unreadable */
	__u64	kobj;		/* PH_RECHECK: the kernel's object */
	__u64	kmnt;		/* HOOK_RCK_PATH: kobj is a dentry, this
				   its vfsmount */
	__u64	kobj2;		/* HOOK_RCK_PATH, rename and link: the
				   new name's dentry (rck_slot2) */
	__u64	kmnt2;		/* and its vfsmount */
	__u32	stkok;		/* the program takes stacks (stk_flush
				   after gen_hook_run) */
	__u32	stk;		/* EVS_F_* the matched Post asked for */
	__u32	stk_off;	/* gen_emit left a record for stk_flush:
				   its stack area starts here in rec (0:
				   none) */
	__u32	pad_stk;
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

#endif /* TRIPLINE_GEN_CTX_BPF_H */
