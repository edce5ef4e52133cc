/*
 * bpf/generic/hook.bpf.h -- one hit of a hook (gen_hook_run: the
 * evaluation order described in generic.bpf.c) and the dispatch of a
 * hook list.  Part of generic.bpf.c.
 */
#ifndef TRIPLINE_GEN_HOOK_BPF_H
#define TRIPLINE_GEN_HOOK_BPF_H

/* gen_exit_pick: the selector is returned for an event only (no
 * actions) */
#define GEN_PICK_POSTONLY	0x100
#define GEN_EFAULT		14

/* remember an AT_EXIT hook's entry result for sys_exit (late: the
 * selectors of pass to decide there, HOOK_F_REREAD) */
static __always_inline void
pending_add(struct gen_heap *gh, struct gctx *g, __u32 pass, __u32 late)
{
	struct gen_pending *pd = &gh->pd;
	__u32 n = pd->n;

	if (n >= HOOK_PER_DISPATCH)
		return;
	pd->ids[n] = g->id;
	pd->gens[n] = g->gen;
	pd->pass[n] = pass;
	pd->late[n] = late;
	pd->n = n + 1;
}

/*
 * A hit deferred to sys_exit (an argument unreadable at entry) whose
 * selectors may carry out Override: that can only be done now, at entry.
 * The first selector of pass (in order) with an Override has it carried
 * out when it matched already (amask) or when the hook fails closed.
 */
__noinline int
gen_defer_ovr(struct gctx *g, __u32 pass, __u32 amask)
{
	struct hook_cfg *hc;
	struct sel_cfg *sc;
	__u32 s, i, n;

	if (g == NULL || (hc = hc_get(g->id)) == NULL ||
	    !(hc->flags & HOOK_F_OVR_LSM) || (hc->flags & HOOK_F_MONITOR))
		return 0;
	for (s = 0; s < HOOK_SEL_MAX; s++) {
		if (!(pass & (1U << s)))
			continue;
		sc = sc_get(g->id * HOOK_SEL_MAX + s);
		if (sc == NULL)
			return 0;
		n = sc->nactions;
		for (i = 0; i < HOOK_ACTIONS_MAX; i++) {
			if (i >= n)
				break;
			if (sc->actions[i].kind != POL_ACT_OVERRIDE)
				continue;
			if ((amask & (1U << s)) ||
			    !(hc->flags & HOOK_F_UNREAD_OPEN))
				ovr_set(g, hc->ovr_mask, sc->actions[i].arg,
				    !(amask & (1U << s)));
			return 0;
		}
	}
	return 0;
}

/*
 * PH_EXIT: the winning selector among those saved at entry (g->pass), in
 * order: matchArgs again for the ones an unreadable argument left
 * undecided (g->late), with the arguments read now, then matchReturnArgs.
 * An argument still unreadable passes its entry when the hook fails
 * closed, unless the call failed with EFAULT (the kernel could not read
 * it either); otherwise that selector does not match, and the first such
 * one comes back with GEN_PICK_POSTONLY if no other matches (an event,
 * never silence).  So does the first late selector when nothing matches
 * but this hook's Override was carried out at entry.  SEL_NONE: nothing.
 */
__noinline int
gen_exit_pick(struct gctx *g, __u32 nsel)
{
	struct gen_heap *gh = gh_get();
	struct hook_cfg *hc;
	__u32 s, key, pmask, lmask, bit, undec = SEL_NONE, closed;

	if (g == NULL || gh == NULL || (hc = hc_get(g->id)) == NULL)
		return SEL_NONE;
	closed = !(hc->flags & HOOK_F_UNREAD_OPEN) && g->ret != -GEN_EFAULT;
	pmask = g->pass;
	lmask = g->late;
	gh->unread = 0;
	for (s = 0; s < HOOK_SEL_MAX; s++) {
		if (s >= nsel)
			break;
		bit = 1U << s;
		if (!(pmask & bit))
			continue;
		key = g->id * HOOK_SEL_MAX + s;
		if ((lmask & bit) && !gen_entries_pass(key, 0)) {
			if (!(gh->unread & bit))
				continue;
			if (!closed) {
				if (undec == SEL_NONE)
					undec = s;
				continue;
			}
		}
		if (gen_entries_pass(key, 1))
			return s;
	}
	if (undec == SEL_NONE && g->ovr_state == 1 && g->ovr_id == g->id)
		for (s = 0; s < HOOK_SEL_MAX; s++)
			if (lmask & (1U << s)) {
				undec = s;
				break;
			}
	return undec == SEL_NONE ? SEL_NONE : undec | GEN_PICK_POSTONLY;
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
	__u32 capn, umask, postonly = 0;
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
		if ((g->kind == HOOK_K_SYSCALL || g->kind == HOOK_K_KPROBE ||
		    g->kind == HOOK_K_UPROBE) && (hc->flags & HOOK_F_AT_EXIT))
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
	gh->unread = 0;

	if (g->phase == PH_EXIT) {
		if (g->pass == 0)
			return 0;
		capture_all(g, gh, nargs, rettype);
		if (rettype != POL_ARG_NONE)
			nargs++;
		if (nsel > 0 && g->pass != GEN_PASS_ALL) {
			r = gen_exit_pick(g, nsel);
			if ((r & 0xff) >= HOOK_SEL_MAX)
				return 0;
			g->sel = r & 0xff;
			postonly = r & GEN_PICK_POSTONLY;
		}
		goto matched;
	}

	if (g->phase < PH_RECHECK)
		hs_add(g->id, HS_HITS);
	if (nsel == 0) {
		if (g->phase == PH_ENTRY) {
			pending_add(gh, g, GEN_PASS_ALL, 0);
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
		if ((sc->npids || sc->nns || sc->ncaps || sc->has_bins ||
		    sc->chg.ns_op || sc->chg.cap_op) && !gen_proc(g, s))
			continue;
		if (sc->pbins.nvals && !gen_parent_bins(g, s))
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
	/* the argument as decided on, for sys_exit to compare (only if
	 * captured: a hit refused before any capture has stale refs) */
	if (hc->race_arg != 0 && g->phase == PH_ONESHOT &&
	    g->kind == HOOK_K_SYSCALL && hc->race_arg <= capn)
		gen_race_note(g, hc->race_arg - 1);
	/* selectors an unreadable argument left undecided, ahead of the
	 * winner (PH_ONESHOT stops at the first match): decide at exit */
	umask = gh->unread & pmask & ~amask & 0xff;
	if (umask != 0 && g->phase >= PH_RECHECK) {
		/* a selector ahead depends on user memory it cannot read:
		 * the decision at sys_enter stands */
		g->rck_undec = 1;
		return 0;
	}
	if (umask != 0 && (hc->flags & HOOK_F_REREAD)) {
		gen_defer_ovr(g, umask | amask, amask);
		pending_add(gh, g, umask | amask, umask);
		return 0;
	}
	if (g->phase != PH_ENTRY && amask != 0) {
		for (s = 0; s < HOOK_SEL_MAX; s++)
			if (amask & (1U << s)) {
				g->sel = s;
				break;
			}
	}
	if (amask == 0)
		return 0;
	if (g->phase == PH_ENTRY) {
		pending_add(gh, g, amask, 0);
		return 0;
	}
	if (g->phase == PH_RECHECK)
		return 0;	/* decided: g->sel (gen_rck_one) */
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
	g->stk = 0;
	g->stk_off = 0;
	/* posted unless NoPost (Tetragon): an explicit Post only brings its
	 * rateLimit */
	g->post = 1;
	gen_sock_owner(g, hc->nargs);
	if (g->sel < HOOK_SEL_MAX && !postonly) {
		key = g->id * HOOK_SEL_MAX + g->sel;
		gen_actions(g, key, 0);
		if (g->phase == PH_EXIT)
			gen_actions(g, key, 1);
	}
	/* an Override decided at entry for a hit decided here */
	if (g->phase == PH_EXIT && g->ovr_state == 1 && g->ovr_id == g->id)
		g->actions |= 1U << POL_ACT_OVERRIDE;
	/* returnArgAction: on the returned sock of every matched hit */
	if (g->phase == PH_EXIT &&
	    (hc->ret.flags & (HOOK_ARGF_TRACKSOCK | HOOK_ARGF_UNTRACKSOCK)))
		gen_sock_track(g, HOOK_ARG_RET,
		    (hc->ret.flags & HOOK_ARGF_TRACKSOCK) != 0);
	if (hc->flags & HOOK_F_MONITOR)
		g->eflags |= EVG_F_MONITOR;
	if (g->phase == PH_EXIT && (hc->flags & HOOK_F_AT_EXIT))
		g->eflags |= EVG_F_RETURN;
	if (g->late)
		g->eflags |= EVG_F_LATE;
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

/*
 * The record gen_emit left in gheap.rec for a Post with stack traces:
 * append the stack area (bpf/events.h struct ev_stack) and output it.
 * A static function, called by the program itself right after
 * gen_hook_run: the verifier checks it in the caller's context, so ctx
 * stays the context bpf_get_stack needs (global functions do not get
 * it), and its frame sits beside gen_hook_run's chain, not under it.
 * The frames go straight into the per-CPU record (map memory), never on
 * the BPF stack.
 */
static __noinline void
stk_flush(void *ctx, struct gctx *g)
{
	struct gen_heap *gh;
	struct ev_generic *e;
	struct ev_stack *st;
	__u64 off, sz, n;
	long r;

	if (g->stk_off == 0)
		return;
	off = g->stk_off;
	g->stk_off = 0;
	gh = gh_get();
	if (gh == NULL)
		return;
	barrier_var(off);
	if (off > GEN_REC_MAX || off < sizeof(*e))
		return;
	e = (void *)gh->rec;
	st = (void *)(gh->rec + off);
	st->nkern = st->nuser = st->nbid = 0;
	st->flags = g->stk;
	st->pad = 0;
	sz = sizeof(*st);
	if (g->stk & EVS_F_KERNEL) {
		r = bpf_get_stack(ctx, gh->rec + off + sz,
		    8 * EV_STACK_KMAX, 0);
		n = r > 0 ? (__u64)r / 8 : 0;
		barrier_var(n);
		if (n > EV_STACK_KMAX)
			n = EV_STACK_KMAX;
		st->nkern = n;
		sz += 8 * n;
	}
	if (g->stk & EVS_F_USER) {
		r = bpf_get_stack(ctx, gh->rec + off + sz,
		    8 * EV_STACK_UMAX, BPF_F_USER_STACK);
		n = r > 0 ? (__u64)r / 8 : 0;
		barrier_var(n);
		if (n > EV_STACK_UMAX)
			n = EV_STACK_UMAX;
		st->nuser = n;
		sz += 8 * n;
		r = bpf_get_stack(ctx, gh->rec + off + sz,
		    sizeof(struct ev_stack_bid) * EV_STACK_UMAX,
		    BPF_F_USER_STACK | BPF_F_USER_BUILD_ID);
		n = r > 0 ? (__u64)r / sizeof(struct ev_stack_bid) : 0;
		barrier_var(n);
		if (n > EV_STACK_UMAX)
			n = EV_STACK_UMAX;
		st->nbid = n;
		sz += sizeof(struct ev_stack_bid) * n;
	}
	barrier_var(sz);
	if (sz > GEN_STK_MAX)
		return;
	e->stack_len = sz;
	e->hdr.size = off + sz;
	if (bpf_ringbuf_output(&events, gh->rec, off + sz, 0) == 0) {
		stat_inc(EV_STAT_EMITTED);
		hs_add(g->id, HS_POSTED);
	} else {
		stat_inc(EV_STAT_DROPPED);
		hs_add(g->id, HS_DROPPED);
	}
}

static __always_inline void
gctx_init(struct gctx *g, __u32 kind)
{
	__builtin_memset(g, 0, sizeof(*g));
	g->kind = kind;
	g->pid_tgid = bpf_get_current_pid_tgid();
}

/* A hit on a probed function (kprobe, uprobe): its arguments from the
 * registers (x86_64: the sixth in r9), the hook = the attach cookie. */
static __always_inline void
gctx_probe(struct gctx *g, struct pt_regs *ctx, __u32 kind)
{
	gctx_init(g, kind);
	g->args[0] = PT_REGS_PARM1(ctx);
	g->args[1] = PT_REGS_PARM2(ctx);
	g->args[2] = PT_REGS_PARM3(ctx);
	g->args[3] = PT_REGS_PARM4(ctx);
	g->args[4] = PT_REGS_PARM5(ctx);
	g->args[5] = ctx->r9;
	g->have_args = 1;
	g->id = bpf_get_attach_cookie(ctx);
	g->phase = PH_ONESHOT;
}

/* The entry's hand-off saved in map (pending, kpending) under key: copied
 * to gheap.pd before the delete frees the element for reuse (counted:
 * uncounted in exit_live).  NULL if none. */
static __always_inline struct gen_pending *
pending_take(void *map, void *key, int counted)
{
	struct gen_pending *saved = bpf_map_lookup_elem(map, key), *pd;
	struct gen_heap *gh;

	if (saved == NULL)
		return NULL;
	gh = gh_get();
	if (gh == NULL)
		return NULL;
	pd = &gh->pd;
	__builtin_memcpy(pd, saved, sizeof(*pd));
	if (bpf_map_delete_elem(map, key) == 0 && counted)
		exit_live_add(-1);
	return pd;
}

/* A hit at exit with the arguments pd saved at entry, or NULL. */
static __always_inline struct gctx *
gctx_exit(__u32 kind, struct gen_pending *pd)
{
	struct gctx *g = gx_get();
	__u32 i;

	if (g == NULL)
		return NULL;
	gctx_init(g, kind);
	for (i = 0; i < 6; i++)
		g->args[i] = pd->args[i];
	g->have_args = 1;
	return g;
}

/*
 * A hit at the entry of a probed function (kprobe, uprobe; cookie = hook
 * id).  A hook with a return value (HOOK_F_AT_EXIT) only runs its
 * entry-side filters here and hands off to the return probe through
 * kpending[pid_tgid, id].
 */
static __always_inline void
probe_entry(struct pt_regs *ctx, __u32 kind)
{
	struct gen_heap *gh;
	struct kpend_key k;
	struct gctx *g;
	__u32 i;

	gh = gh_get();
	if (gh == NULL)
		return;
	if ((g = gx_get()) == NULL)
		return;
	gctx_probe(g, ctx, kind);
	g->stkok = 1;
	gh->pd.n = 0;
	gen_hook_run(g);
	stk_flush(ctx, g);
	if (gh->pd.n == 0)
		return;
	for (i = 0; i < 6; i++)
		gh->pd.args[i] = g->args[i];
	gh->pd.nr = 0;
	k.pid_tgid = g->pid_tgid;
	k.id = g->id;
	k.pad = 0;
	bpf_map_update_elem(&kpending, &k, &gh->pd, BPF_ANY);
}

/* The return of a probed function (kretprobe, uretprobe): the hook's
 * exit side, with the arguments saved at entry and the return value. */
static __always_inline void
probe_return(struct pt_regs *ctx, __u32 kind)
{
	struct gen_pending *pd;
	struct kpend_key k;
	struct gctx *g;

	k.pid_tgid = bpf_get_current_pid_tgid();
	k.id = bpf_get_attach_cookie(ctx);
	k.pad = 0;
	pd = pending_take(&kpending, &k, 0);
	if (pd == NULL || pd->n == 0)
		return;
	if ((g = gctx_exit(kind, pd)) == NULL)
		return;
	g->ret = PT_REGS_RC(ctx);
	g->id = k.id;
	g->gen = pd->gens[0];
	g->pass = pd->pass[0];
	g->phase = PH_EXIT;
	g->stkok = 1;
	gen_hook_run(g);
	stk_flush(ctx, g);
}

/* A dispatch list's hook ids into g->ids: how many. */
static __always_inline __u32
gctx_ids(struct gctx *g, struct hook_list *hl)
{
	__u32 i, n = hl->n;

	if (n > HOOK_PER_DISPATCH)
		n = HOOK_PER_DISPATCH;
	for (i = 0; i < HOOK_PER_DISPATCH; i++)
		g->ids[i] = hl->ids[i];
	return n;
}

/* Run the hooks of a dispatch list. */
static __always_inline void
dispatch(void *ctx, struct gctx *g, struct hook_list *hl)
{
	struct hook_cfg *hc;
	__u32 i, n = gctx_ids(g, hl);

	for (i = 0; i < HOOK_PER_DISPATCH; i++) {
		if (i >= n)
			break;
		hc = hc_get(g->ids[i]);
		if (hc == NULL || !(hc->flags & HOOK_F_ENABLED))
			continue;
		g->id = g->ids[i];
		g->phase = PH_ONESHOT;
		g->stkok = 1;
		gen_hook_run(g);
		stk_flush(ctx, g);
	}
}

#endif /* TRIPLINE_GEN_HOOK_BPF_H */
