/*
 * bpf/generic/actions.bpf.h -- actions of a matched selector (rate
 * limit, Sigkill/Signal, FollowFD & co., Override, ...) and the record
 * (gen_emit).  Part of generic.bpf.c.
 */
#ifndef TRIPLINE_GEN_ACTIONS_BPF_H
#define TRIPLINE_GEN_ACTIONS_BPF_H

/* h extended (FNV-1a over 8-byte words, the last one masked) with the
 * first n of at most maxw * 8 bytes at gheap.rec[off] */
static __always_inline __u64
words_hash(struct gen_heap *gh, __u32 off, __u32 n, __u32 maxw, __u64 h)
{
	__u64 x, mask;
	__u32 w, rem;

	for (w = 0; w < maxw; w++) {
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
	return h;
}

static __always_inline __u64
rl_hash(struct gen_heap *gh, __u32 nargs)
{
	__u64 h = 0xcbf29ce484222325ULL;
	__u32 k, n, off;

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
		h = words_hash(gh, off, n, RL_BYTES / 8, h);
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
	    (!abi_arg_is(r->type, ABI_AC_INT) && r->type != POL_ARG_FD))
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
		if ((r->flags & EVA_ERROR) || abi_arg_is(r->type, ABI_AC_INT))
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
ovr_set(struct gctx *g, __u32 mask, __s32 err, __u32 undec)
{
	struct ovr_pend op;
	__u64 key = g->pid_tgid;	/* on the stack: 6.1 takes no
					   PTR_TO_MEM map key */

	op.err = err;
	op.nr = g->nr;
	op.id = g->id;
	op.gen = g->gen;
	op.mask = mask;
	op.undec = undec;
	op.applied = 0;
	exit_put(&ovr_pending, &key, &op);
}

/* The struct sock address behind captured argument slot k (sock; socket
 * and skb: their sk), or 0. */
static __always_inline __u64
ref_sk(struct gen_heap *gh, __u32 k)
{
	struct gen_argref *r;
	__u64 v;

	if (k >= GEN_NARGS)
		return 0;
	r = &gh->ref[k];
	if (r->flags & EVA_ERROR)
		return 0;
	v = r->val;
	switch (r->type) {
	case POL_ARG_SOCK:
		return v;
	case POL_ARG_SOCKET:
		return (__u64)BPF_CORE_READ((struct socket *)v, sk);
	case POL_ARG_SKB:
		return (__u64)BPF_CORE_READ((struct sk_buff *)v, sk);
	}
	return 0;
}

/*
 * Socket attribution: the first sock/socket/skb argument (in argument
 * order) whose socket is tracked gives the record its owner (gheap.so,
 * EVG_F_SOCK_OWNER).  Process filters have already run on the current
 * task.
 */
__noinline int
gen_sock_owner(struct gctx *g, __u32 nargs)
{
	struct gen_heap *gh = gh_get();
	struct sock_owner *o;
	__u32 k;

	if (g == NULL || gh == NULL)
		return 0;
	for (k = 0; k < HOOK_ARGS_MAX; k++) {
		if (k >= nargs)
			break;
		o = sockown_find(ref_sk(gh, k));
		if (o == NULL)
			continue;
		__builtin_memcpy(&gh->so, o, sizeof(gh->so));
		g->eflags |= EVG_F_SOCK_OWNER;
		break;
	}
	return 0;
}

/* TrackSock (track = 1) / UntrackSock of the socket in slot k: the owner
 * is the process the record is attributed to. */
__noinline int
gen_sock_track(struct gctx *g, __u32 k, __u32 track)
{
	struct gen_heap *gh = gh_get();
	struct sock_owner o;
	__u64 sk;

	if (g == NULL || gh == NULL)
		return 0;
	if (k == HOOK_ARG_RET)
		k = GEN_RET_SLOT;
	sk = ref_sk(gh, k);
	if (sk == 0)
		return 0;
	if (!track) {
		sockown_del(sk);
		return 0;
	}
	if (g->eflags & EVG_F_SOCK_OWNER)
		__builtin_memcpy(&o, &gh->so, sizeof(o));
	else
		sockown_self(&o, 0, g->pid_tgid);
	o.flags |= SOCKOWN_F_TRACKSOCK;
	sockown_put(sk, &o);
	return 0;
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
			/* kernelStackTrace / userStackTrace (EVS_F_*): taken
			 * by the program itself (stk_flush), which has the
			 * context bpf_get_stack needs */
			if (g->stkok)
				g->stk = (__u32)a->arg &
				    (EVS_F_KERNEL | EVS_F_USER);
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
		case POL_ACT_TRACKSOCK:
		case POL_ACT_UNTRACKSOCK:
			/* not enforcement: monitor mode does it too */
			gen_sock_track(g, a->arg_fd,
			    a->kind == POL_ACT_TRACKSOCK);
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
			if (g->kind == HOOK_K_SYSCALL && g->phase == PH_EXIT) {
				/* never after the call (a stale entry would
				 * fail the thread's next call): a hit decided
				 * late had it carried out at entry
				 * (gen_defer_ovr; gen_hook_run reports it),
				 * or it is too late now */
				if (g->ovr_state == 0 || g->ovr_id != g->id)
					hs_add(g->id, HS_OVR_MISSED);
				break;
			}
			g->ovr = a->arg;
			g->actions |= bit;
			if (g->phase == PH_RCKACT)
				break;	/* the executor returns it */
			if (g->kind == HOOK_K_SYSCALL) {
				if (hc->flags & HOOK_F_OVR_LSM)
					ovr_set(g, hc->ovr_mask, a->arg, 0);
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
	if (g->eflags & EVG_F_SOCK_OWNER) {
		/* the socket's owner, not the task the kernel ran */
		__builtin_memcpy(&e->key, &gh->so.key, sizeof(e->key));
		__builtin_memcpy(&e->parent, &gh->so.parent,
		    sizeof(e->parent));
		e->tid = gh->so.tid;
	} else {
		if (task_key(&e->key, t, tgid))
			g->eflags |= EVG_F_SELF_MISS;
		rp = BPF_CORE_READ(t, real_parent);
		ppid = BPF_CORE_READ(rp, tgid);
		if (task_key(&e->parent, rp, ppid))
			g->eflags |= EVG_F_PARENT_MISS;
		e->tid = (__u32)g->pid_tgid;
	}
	e->hook_id = g->id;
	e->gen = g->gen;
	e->sel = g->sel;
	e->nargs = nargs;
	e->flags = g->eflags;
	e->actions = g->actions;
	e->would = g->would;
	e->ret = g->phase == PH_EXIT ? g->ret : 0;
	e->args_len = pos;
	e->stack_len = 0;
	if (g->stk != 0) {
		/* the program appends the stacks and outputs the record
		 * (stk_flush): the helper needs its context */
		g->stk_off = (size + 7) & ~7ULL;
		return 0;
	}
	if (bpf_ringbuf_output(&events, e, size, 0) == 0) {
		stat_inc(EV_STAT_EMITTED);
		hs_add(g->id, HS_POSTED);
	} else {
		stat_inc(EV_STAT_DROPPED);
		hs_add(g->id, HS_DROPPED);
	}
	return 0;
}

#endif /* TRIPLINE_GEN_ACTIONS_BPF_H */
