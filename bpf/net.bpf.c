// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/net.bpf.c -- network policy hooks enforced through cgroup sock_addr
 * programs, for kernels without BPF LSM and bpf_override_return (where a
 * kprobe/LSM hook on connect cannot make the call fail).
 *
 * Programs (names are part of the loader contract, loaderd/net_load.c
 * attaches them to the cgroup2 root while a hook needs them):
 *   net_connect4   cgroup/connect4: connect() of IPv4 sockets (TCP, UDP,
 *                  ICMP ping; not SOCK_RAW: raw sockets have no
 *                  pre_connect hook)
 *   net_connect6   cgroup/connect6
 *   net_sendmsg4   cgroup/sendmsg4: sendto/sendmsg with an address on an
 *                  unconnected UDP socket
 *   net_sendmsg6   cgroup/sendmsg6
 *   net_skb_in     cgroup_skb/ingress, net_skb_eg cgroup_skb/egress: the
 *                  hooks on __cgroup_bpf_run_filter_skb (see their block)
 * Each runs the hooks listed in net_hooks[NET_D_*] (bpf/hook.h).  The hook
 * configs are the generic programs' (hooks, selectors and hook_stats are
 * bpf/generic.bpf.c's maps, shared with bpf_map__reuse_fd); records go to
 * the one ring buffer (events, execmap, execbin, stats: the process
 * programs' maps).
 *
 * One hit of a hook (Tetragon's semantics, as generic.bpf.c):
 *   1. HOOK_F_NET_TCP hooks (tcp_connect) only look at TCP sockets;
 *   2. the selectors in order, each: matchPIDs, matchNamespaces,
 *      matchCapabilities, matchBinaries, then matchArgs on what the program
 *      sees (hook_arg.src_kind HOOK_SRC_NET_*): the first selector whose
 *      filters all pass wins (no selectors: every hit, Post);
 *   3. HOOK_F_NET_OVR_ONLY hooks (the cgroup copy of a syscall kprobe) stop
 *      here unless the winner has Override: its syscall copy posts the
 *      others;
 *   4. actions: Override makes the call fail (return 0: EPERM, or the
 *      policy's argError through bpf_set_retval), Sigkill/Signal signal
 *      the caller (bpf_send_signal, where the kernel allows it here),
 *      monitor mode records them in `would` instead; then the EV_GENERIC
 *      record unless NoPost.
 * Several hooks on the same program all run; the call fails if any of
 * them ran Override.
 *
 * All per-hit state lives on the stack (struct nctx, the record in
 * net_emit): cgroup programs run with migration but not preemption
 * disabled, so a per-CPU scratch could be reused by another task's run on
 * the same CPU in the middle of a decision.  The one exception is the path
 * walk that makes the execbin entry of a process never seen exec'ing
 * (started before loaderd), as generic.bpf.c does.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "events.h"
#include "hook.h"
#include "maps.bpf.h"
#include "helpers.bpf.h"

#include "procfilter.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET			2
#define AF_INET6		10
#define SOCK_STREAM		1
#define IPPROTO_TCP		6
#define EPERM			1
#define TCP_SYN_SENT		2
#define SEL_NONE		0xff

/* set by the loader before load from its probes: bpf_send_signal and
 * bpf_set_retval in cgroup sock_addr programs (the verifier never sees
 * the calls when 0) */
const volatile int net_can_signal = 0;
const volatile int net_can_retval = 0;

/* the generic programs' configuration and counters (shared with
 * bpf_map__reuse_fd) */
#include "hookcfg.bpf.h"
#include "hookstat.bpf.h"
#include "sockown.bpf.h"
#include "sockmatch.bpf.h"

/* net_hooks[NET_D_*]: the hooks each program runs */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NET_D_MAX);
	__type(key, __u32);
	__type(value, struct hook_list);
} net_hooks SEC(".maps");

/* One program run: what the call looks like, and the outcome. */
struct nctx {
	__u8	uaddr[16];	/* the sockaddr's address, network order */
	__u8	saddr[16];	/* socket: bound source address */
	__u8	daddr[16];	/* socket: current peer address */
	__u64	pid_tgid;
	__u32	ufamily;	/* the sockaddr's family */
	__u32	uport;		/* the sockaddr's port, host order */
	__u32	family;		/* socket */
	__u32	type;
	__u32	protocol;
	__u32	state;
	__u32	sport;		/* host order */
	__u32	dport;		/* host order */
	__u32	id;		/* hook in progress */
	__u32	gen;
	__u32	sel;		/* matched selector, SEL_NONE */
	__u32	actions;
	__u32	would;
	__u32	nopost;
	__u32	eflags;
	__u32	block;		/* some hook ran Override */
	__s32	err;		/* its error (negative errno) */
	__u32	bin;		/* execbin: 0 not looked at, 1 known,
				   2 unknown */
	__u32	emit;		/* net_hook: post the record */
};



/* ------------------------------------------------------------------ */
/* matchArgs */

/* the socket operators: sockmatch.bpf.h */

/* Entry k of selectors[skey].args[] of hook id, and in *ap the config of
 * the argument it names; NULL if there is none. */
static __always_inline struct sel_matcharg *
ma_get(__u32 id, __u32 skey, __u32 k, struct hook_arg **ap)
{
	struct sel_cfg *sc = bpf_map_lookup_elem(&selectors, &skey);
	struct hook_cfg *hc = bpf_map_lookup_elem(&hooks, &id);
	struct sel_matcharg *ma;
	__u32 arg;

	if (sc == NULL || hc == NULL || k >= HOOK_MATCHARGS_MAX)
		return NULL;
	ma = &sc->args[k];
	arg = ma->arg;
	if (arg >= HOOK_ARGS_MAX)
		return NULL;
	*ap = &hc->args[arg];
	return ma;
}

/* Entry k of selectors[skey].args[] against the call: 1 passes. */
__noinline int
net_matcharg(struct nctx *n, __u32 skey, __u32 k)
{
	struct sel_matcharg *ma;
	struct hook_arg *a;
	struct sock_view v;

	if (n == NULL || (ma = ma_get(n->id, skey, k, &a)) == NULL)
		return 0;
	v.proto = n->protocol;
	v.state = n->state;
	switch (a->src_kind) {
	case HOOK_SRC_NET_ADDR:
		v.fam = n->ufamily;
		__builtin_memcpy(v.sa, n->uaddr, 16);
		__builtin_memcpy(v.da, n->uaddr, 16);
		v.sport = v.dport = n->uport;
		break;
	case HOOK_SRC_NET_SOCK:
		v.fam = n->family;
		__builtin_memcpy(v.sa, n->saddr, 16);
		__builtin_memcpy(v.da, n->daddr, 16);
		v.sport = n->sport;
		v.dport = n->dport;
		break;
	case HOOK_SRC_NET_CONN:
		/* the loader refuses source filters on it */
		v.fam = n->family;
		__builtin_memcpy(v.sa, n->saddr, 16);
		__builtin_memcpy(v.da, n->uaddr, 16);
		v.sport = n->sport;
		v.dport = n->uport;
		v.state = TCP_SYN_SENT;
		break;
	default:
		return 0;	/* not visible here: the loader refuses it */
	}
	return sv_match(&v, ma);
}

/* ------------------------------------------------------------------ */
/* process filters: bpf/procfilter.bpf.h; the binary here */

/*
 * The execbin entry of tgid, made from mm->exe_file when the process was
 * never seen exec'ing (execbin_put; a walk that was cut gives no binary).
 * 1 when it exists and names a binary.
 */
__noinline int
net_binary(__u32 tgid)
{
	struct task_struct *t = cur_task();
	struct execbin_val *eb;
	struct heap *h;
	struct file *exe;
	struct path root;
	__u32 zero = 0;
	int n = -1;

	eb = bpf_map_lookup_elem(&execbin, &tgid);
	if (eb != NULL)
		return !(eb->flags & EXECBIN_F_ERR);
	h = bpf_map_lookup_elem(&heap, &zero);
	if (h == NULL)
		return 0;
	exe = BPF_CORE_READ(t, mm, exe_file);
	if (exe != NULL) {
		task_root(t, &root);
		h->eb.pad = 0;	/* the walk's truncation flag */
		path_put(h->rec, (__u16 *)&h->eb.len,
		    BPF_CORE_READ(exe, f_path.dentry),
		    BPF_CORE_READ(exe, f_path.mnt), &root, h, &h->eb.pad, 1);
		/* cut: a tail, not the binary */
		n = h->eb.pad ? -1 : (int)len_get((__u16 *)&h->eb.len);
	}
	eb = execbin_put(tgid, h, h->rec, n);
	return eb != NULL && !(eb->flags & EXECBIN_F_ERR);
}

/* n bytes of the binary path from off equal the value's first n bytes */
static __always_inline int
bin_eq(const char *path, __u32 off, const char *v, __u32 n)
{
	__u32 i;

	for (i = 0; i < HOOK_STR_MAX; i++) {
		if (i >= n)
			break;
		if (path[(off + i) & (HOOK_STR_MAX - 1)] != v[i])
			return 0;
	}
	return 1;
}

/* Binary of tgid against value k of selectors[skey].bins under base
 * operator EQUAL, PREFIX or POSTFIX (a trailing NUL in the value ends the
 * string, as generic.bpf.c's gen_str_match). */
__noinline int
net_bin_match(__u32 tgid, __u32 skey, __u32 k, __u32 op)
{
	struct execbin_val *eb = bpf_map_lookup_elem(&execbin, &tgid);
	struct sel_cfg *sc = bpf_map_lookup_elem(&selectors, &skey);
	struct hook_str *v;
	__u32 l, s;

	if (eb == NULL || sc == NULL || k >= HOOK_BINS_MAX)
		return 0;
	v = &sc->bins.bins[k];
	l = v->len;
	s = eb->len;
	if (l > HOOK_STR_MAX || s > HOOK_STR_MAX)
		return 0;
	if (l > 0 && v->s[(l - 1) & (HOOK_STR_MAX - 1)] == '\0')
		l--;	/* a path holds no NUL: the value ends the string */
	if (s < l)
		return 0;
	switch (op) {
	case POL_OP_EQUAL:
		return s == l && bin_eq(eb->path, 0, v->s, l);
	case POL_OP_PREFIX:
		return bin_eq(eb->path, 0, v->s, l);
	case POL_OP_POSTFIX:
		return bin_eq(eb->path, s - l, v->s, l);
	}
	return 0;
}

/* Selector s of hook n->id: process filters, then matchArgs.  1 passes. */
__noinline int
net_sel(struct nctx *n, __u32 s)
{
	struct sel_cfg *sc;
	__u32 key, k, tgid, neg, op, nm;
	int in;

	if (n == NULL || s >= HOOK_SEL_MAX)
		return 0;
	key = n->id * HOOK_SEL_MAX + s;
	sc = bpf_map_lookup_elem(&selectors, &key);
	if (sc == NULL)
		return 0;
	if (!sel_task_ok(key, n->pid_tgid))
		return 0;
	tgid = n->pid_tgid >> 32;
	if (sc->has_bins) {
		op = abi_op_base(sc->bins.op, &neg);
		if (op == POL_OP_IN)
			op = POL_OP_EQUAL;
		in = 0;
		for (k = 0; n->bin == 1 && k < HOOK_BINS_MAX; k++) {
			if (k >= sc->bins.nvals)
				break;
			if (net_bin_match(tgid, key, k, op)) {
				in = 1;
				break;
			}
		}
		if (!in && sc->bins.follow_children)
			in = sel_follows(tgid, key);
		if (in == (int)neg)
			return 0;
	}
	nm = sc->nmatchargs;
	for (k = 0; k < HOOK_MATCHARGS_MAX; k++) {
		if (k >= nm)
			break;
		if (!net_matcharg(n, key, k))
			return 0;
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* actions and the record */

/* 1 if selectors[key] has Override among its actions */
static __always_inline int
sel_has_override(struct sel_cfg *sc)
{
	__u32 i;

	for (i = 0; i < HOOK_ACTIONS_MAX; i++) {
		if (i >= sc->nactions)
			break;
		if (sc->actions[i].kind == POL_ACT_OVERRIDE)
			return 1;
	}
	return 0;
}

static __always_inline void
net_actions(struct nctx *n, struct sel_cfg *sc, int mon)
{
	struct sel_action *a;
	__u32 i, bit;
	int sig;

	for (i = 0; i < HOOK_ACTIONS_MAX; i++) {
		if (i >= sc->nactions)
			break;
		a = &sc->actions[i];
		bit = 1U << (a->kind & 31);
		switch (a->kind) {
		case POL_ACT_NOPOST:
			n->nopost = 1;
			n->actions |= bit;
			break;
		case POL_ACT_OVERRIDE:
			if (mon) {
				n->would |= bit;
				break;
			}
			n->block = 1;
			n->err = a->arg;
			n->actions |= bit;
			break;
		case POL_ACT_SIGKILL:
		case POL_ACT_SIGNAL:
			if (mon) {
				n->would |= bit;
				break;
			}
			sig = a->kind == POL_ACT_SIGKILL ? 9 : a->arg;
			if (net_can_signal && bpf_send_signal(sig) == 0) {
				n->actions |= bit;
				hs_add(n->id, HS_SIGNALS);
			} else
				hs_add(n->id, HS_ERRORS);
			break;
		case POL_ACT_GETURL:
		case POL_ACT_DNSLOOKUP:
			n->actions |= bit;	/* user space delivers them */
			break;
		default:
			/* Post; anything else is refused by the loader */
			break;
		}
	}
}

#define NET_ARG_BYTES	(HOOK_ARGS_MAX * (sizeof(struct ev_arg) + \
	sizeof(struct ev_sockaddr)))

struct net_rec {
	struct ev_generic	e;
	__u8			args[NET_ARG_BYTES];
};

/* The record's header (after args_len is set). */
static __always_inline void
rec_hdr(struct ev_generic *e)
{
	e->hdr.type = EV_GENERIC;
	e->hdr.version = EV_ABI_VERSION;
	e->hdr.size = sizeof(*e) + e->args_len;
	e->hdr.time_ns = bpf_ktime_get_boot_ns();
}

/* The record's header and process: the current task (pid_tgid); the
 * EVG_F_*_MISS flags. */
static __always_inline __u32
rec_task(struct ev_generic *e, __u64 pid_tgid)
{
	struct task_struct *t = cur_task(), *rp;
	__u32 f = 0, ppid;

	rec_hdr(e);
	if (task_key(&e->key, t, pid_tgid >> 32))
		f |= EVG_F_SELF_MISS;
	rp = BPF_CORE_READ(t, real_parent);
	ppid = BPF_CORE_READ(rp, tgid);
	if (task_key(&e->parent, rp, ppid))
		f |= EVG_F_PARENT_MISS;
	e->tid = (__u32)pid_tgid;
	return f;
}

/* Send record r of size bytes for hook id, counted. */
static __always_inline void
rec_output(void *r, __u64 size, __u32 id)
{
	if (bpf_ringbuf_output(&events, r, size, 0) == 0) {
		stat_inc(EV_STAT_EMITTED);
		hs_add(id, HS_POSTED);
	} else {
		stat_inc(EV_STAT_DROPPED);
		hs_add(id, HS_DROPPED);
	}
}

/* Build and send the record of hook n->id. */
__noinline int
net_emit(struct nctx *n)
{
	struct hook_cfg *hc;
	struct net_rec r;
	struct ev_arg *ea;
	struct ev_sockaddr *so;
	__u32 id, i, nargs, pos = 0, src;
	__u64 size;

	if (n == NULL)
		return 0;
	id = n->id;
	hc = bpf_map_lookup_elem(&hooks, &id);
	if (hc == NULL)
		return 0;
	__builtin_memset(&r, 0, sizeof(r));
	nargs = hc->nargs;
	if (nargs > HOOK_ARGS_MAX)
		nargs = HOOK_ARGS_MAX;
	for (i = 0; i < HOOK_ARGS_MAX; i++) {
		if (i >= nargs)
			break;
		if (pos > NET_ARG_BYTES - sizeof(struct ev_arg) -
		    sizeof(struct ev_sockaddr))
			break;
		ea = (void *)&r.args[pos];
		ea->type = hc->args[i].type;
		src = hc->args[i].src_kind;
		if (src == HOOK_SRC_NET_ADDR &&
		    hc->args[i].type == POL_ARG_SOCKADDR) {
			so = (void *)&r.args[pos + sizeof(*ea)];
			ea->len = sizeof(*so);
			so->family = n->ufamily;
			so->port = n->uport;
			__builtin_memcpy(so->addr, n->uaddr, 16);
			pos += sizeof(*ea) + sizeof(*so);
		} else {
			/* sock/socket payloads have no record format yet;
			 * the other arguments are not visible here */
			ea->flags = EVA_ERROR;
			pos += sizeof(*ea);
		}
	}
	size = sizeof(r.e) + pos;
	r.e.args_len = pos;
	n->eflags |= rec_task(&r.e, n->pid_tgid);
	r.e.hook_id = id;
	r.e.gen = n->gen;
	r.e.sel = n->sel;
	r.e.nargs = i;
	r.e.flags = n->eflags;
	r.e.actions = n->actions;
	r.e.would = n->would;
	if (size > sizeof(r))
		return 0;
	rec_output(&r, size, id);
	return 0;
}

/* One hit of hook id; n->emit says whether to post the record (sent by
 * the caller: the record's stack frame must not add to the selectors'). */
__noinline int
net_hook(struct nctx *n, __u32 id)
{
	struct hook_cfg *hc = bpf_map_lookup_elem(&hooks, &id);
	struct sel_cfg *sc = NULL;
	__u32 s, nsel, key;

	if (n == NULL || hc == NULL || !(hc->flags & HOOK_F_ENABLED) ||
	    hc->kind != HOOK_K_NET)
		return 0;
	if ((hc->flags & HOOK_F_NET_TCP) &&
	    (n->type != SOCK_STREAM || n->protocol != IPPROTO_TCP))
		return 0;
	n->id = id;
	n->gen = hc->gen;
	n->sel = SEL_NONE;
	hs_add(id, HS_HITS);
	nsel = hc->nsel;
	if (nsel > HOOK_SEL_MAX)
		nsel = HOOK_SEL_MAX;
	/* the binary, once per run, if a selector looks at it (here, not in
	 * net_sel: the path walk's frame must not add to the selectors') */
	for (s = 0; n->bin == 0 && s < HOOK_SEL_MAX; s++) {
		if (s >= nsel)
			break;
		key = id * HOOK_SEL_MAX + s;
		sc = bpf_map_lookup_elem(&selectors, &key);
		if (sc != NULL && sc->has_bins)
			n->bin = net_binary(n->pid_tgid >> 32) ? 1 : 2;
	}
	sc = NULL;
	for (s = 0; s < HOOK_SEL_MAX; s++) {
		if (s >= nsel)
			break;
		if (net_sel(n, s)) {
			n->sel = s;
			break;
		}
	}
	if (nsel > 0 && n->sel == SEL_NONE)
		return 0;
	if (n->sel != SEL_NONE) {
		key = id * HOOK_SEL_MAX + n->sel;
		sc = bpf_map_lookup_elem(&selectors, &key);
		if (sc == NULL)
			return 0;
	}
	if ((hc->flags & HOOK_F_NET_OVR_ONLY) &&
	    (sc == NULL || !sel_has_override(sc)))
		return 0;	/* the hook's syscall copy posts it */
	hs_add(id, HS_MATCHED);
	n->actions = 0;
	n->would = 0;
	n->nopost = 0;
	n->eflags = 0;
	if (sc != NULL)
		net_actions(n, sc, hc->flags & HOOK_F_MONITOR);
	if (hc->flags & HOOK_F_MONITOR)
		n->eflags |= EVG_F_MONITOR;
	if (n->nopost)
		return 0;
	n->actions |= 1U << POL_ACT_POST;
	n->emit = 1;
	return 0;
}

/* Run the hooks of net_hooks[d]; the program's verdict. */
static __always_inline int
net_run(struct nctx *n, __u32 d)
{
	struct hook_list *hl = bpf_map_lookup_elem(&net_hooks, &d);
	struct task_struct *t;
	__u32 i, cnt, id;

	if (hl == NULL || hl->n == 0)
		return 1;
	cnt = hl->n;
	if (cnt > HOOK_PER_DISPATCH)
		cnt = HOOK_PER_DISPATCH;
	t = cur_task();
	n->pid_tgid = ((__u64)BPF_CORE_READ(t, tgid) << 32) |
	    (__u32)BPF_CORE_READ(t, pid);
	for (i = 0; i < HOOK_PER_DISPATCH; i++) {
		if (i >= cnt)
			break;
		/* an array value: re-read, it may change under us (the
		 * loader swaps entries one update at a time) */
		id = hl->ids[i];
		if (id == 0)
			continue;
		n->emit = 0;
		net_hook(n, id);
		if (n->emit)
			net_emit(n);
	}
	if (!n->block)
		return 1;
	if (net_can_retval && n->err != -EPERM && n->err < 0)
		bpf_set_retval(n->err);
	return 0;
}

static __always_inline void
nctx_sock(struct nctx *n, struct bpf_sock_addr *ctx, int v6)
{
	struct bpf_sock *sk = ctx->sk;

	n->family = ctx->family;
	n->type = ctx->type;
	n->protocol = ctx->protocol;
	if (sk == NULL)
		return;
	n->state = sk->state;
	n->sport = sk->src_port;
	n->dport = bpf_ntohs(sk->dst_port);
	if (!v6) {
		*(__u32 *)&n->saddr[0] = sk->src_ip4;
		*(__u32 *)&n->daddr[0] = sk->dst_ip4;
		return;
	}
	*(__u32 *)&n->saddr[0] = sk->src_ip6[0];
	*(__u32 *)&n->saddr[4] = sk->src_ip6[1];
	*(__u32 *)&n->saddr[8] = sk->src_ip6[2];
	*(__u32 *)&n->saddr[12] = sk->src_ip6[3];
	*(__u32 *)&n->daddr[0] = sk->dst_ip6[0];
	*(__u32 *)&n->daddr[4] = sk->dst_ip6[1];
	*(__u32 *)&n->daddr[8] = sk->dst_ip6[2];
	*(__u32 *)&n->daddr[12] = sk->dst_ip6[3];
}

static __always_inline int
net_v4(struct bpf_sock_addr *ctx, __u32 d)
{
	struct nctx n;

	__builtin_memset(&n, 0, sizeof(n));
	n.ufamily = ctx->user_family;
	*(__u32 *)&n.uaddr[0] = ctx->user_ip4;
	n.uport = bpf_ntohs((__u16)ctx->user_port);
	nctx_sock(&n, ctx, 0);
	return net_run(&n, d);
}

static __always_inline int
net_v6(struct bpf_sock_addr *ctx, __u32 d)
{
	struct nctx n;

	__builtin_memset(&n, 0, sizeof(n));
	n.ufamily = ctx->user_family;
	*(__u32 *)&n.uaddr[0] = ctx->user_ip6[0];
	*(__u32 *)&n.uaddr[4] = ctx->user_ip6[1];
	*(__u32 *)&n.uaddr[8] = ctx->user_ip6[2];
	*(__u32 *)&n.uaddr[12] = ctx->user_ip6[3];
	n.uport = bpf_ntohs((__u16)ctx->user_port);
	nctx_sock(&n, ctx, 1);
	return net_run(&n, d);
}

SEC("cgroup/connect4")
int
net_connect4(struct bpf_sock_addr *ctx)
{
	return net_v4(ctx, NET_D_CONNECT4);
}

SEC("cgroup/connect6")
int
net_connect6(struct bpf_sock_addr *ctx)
{
	return net_v6(ctx, NET_D_CONNECT6);
}

SEC("cgroup/sendmsg4")
int
net_sendmsg4(struct bpf_sock_addr *ctx)
{
	return net_v4(ctx, NET_D_SENDMSG4);
}

SEC("cgroup/sendmsg6")
int
net_sendmsg6(struct bpf_sock_addr *ctx)
{
	return net_v6(ctx, NET_D_SENDMSG6);
}

/* ------------------------------------------------------------------ */
/*
 * cgroup_skb: hooks on __cgroup_bpf_run_filter_skb(sk, skb, atype).  That
 * kernel function only runs the cgroup skb programs, so tripline's own
 * programs on the cgroup2 root carry its hooks out on every kernel:
 *   net_skb_in   cgroup_skb/ingress: a packet delivered to a socket
 *                (in softirq: the current task is not the receiver)
 *   net_skb_eg   cgroup_skb/egress: a packet a socket sends
 * Arguments (hook_arg.src_kind): HOOK_SRC_NET_SKSOCK the full IPv4/IPv6
 * socket (skb->sk, as the kernel function's sk), HOOK_SRC_NET_SKB the
 * packet parsed from its network header, HOOK_SRC_NET_ATYPE the attach
 * type the kernel passes (CGROUP_INET_INGRESS/EGRESS from its BTF).
 * They never drop a packet (the loader refuses Override and signals), and
 * return at once when no hook is listed.  The record names the socket's
 * owner when it is tracked (sockown), else the current task.
 */
#define IPPROTO_UDP		17
#define IPPROTO_SCTP		132
#define IPPROTO_UDPLITE		136
#define SKB_RL_ENTRIES		16384

/* One packet. */
struct sctx {
	struct ev_sock	so;
	struct ev_skb	sb;
	__u64	sk;		/* address of the struct sock (sockown) */
	__u64	rl_ms;		/* Post rateLimit of the winner */
	__u32	atype;
	__u32	id;		/* hook in progress */
	__u32	gen;
	__u32	sel;
	__u32	actions;
	__u32	nopost;
	__u32	rl_scope;
	__u32	emit;
};

/* rateLimit: (hook, selector, scope, direction, packet 5-tuple) -> time
 * of the last Post */
struct skb_rl_key {
	__u32	id;
	__u32	gen;
	__u32	sel;
	__u32	atype;
	__u64	scope;		/* tid, tgid or 0 (rateLimitScope) */
	__u16	family;
	__u16	sport;
	__u16	dport;
	__u8	proto;
	__u8	pad;
	__u8	saddr[16];
	__u8	daddr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SKB_RL_ENTRIES);
	__type(key, struct skb_rl_key);
	__type(value, __u64);
} skb_rl SEC(".maps");

static __always_inline int
proto_has_ports(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	    proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP;
}

/* Ports of a transport header at off, when the protocol has them. */
static __always_inline void
skb_ports(struct __sk_buff *skb, struct ev_skb *b, __u32 off)
{
	__be16 p[2];

	if (!proto_has_ports(b->proto))
		return;
	if (bpf_skb_load_bytes(skb, off, p, sizeof(p)) != 0)
		return;
	b->sport = bpf_ntohs(p[0]);
	b->dport = bpf_ntohs(p[1]);
}

/*
 * IPv4: the header and the 4 bytes after it in one load (a helper call
 * costs more than the bytes): they are the ports when the header has no
 * options, as nearly always.
 */
static __always_inline void
skb_v4(struct __sk_buff *skb, struct ev_skb *b)
{
	struct {
		struct iphdr	ip;
		__be16		p[2];
	} h;
	__u32 ihl, whole = 1;

	if (bpf_skb_load_bytes(skb, 0, &h, sizeof(h)) != 0) {
		whole = 0;	/* shorter than 24 bytes */
		if (bpf_skb_load_bytes(skb, 0, &h.ip, sizeof(h.ip)) != 0)
			return;
	}
	if (*(__u8 *)&h.ip >> 4 != 4)
		return;
	b->family = AF_INET;
	b->proto = h.ip.protocol;
	__builtin_memcpy(b->saddr, &h.ip.saddr, 4);
	__builtin_memcpy(b->daddr, &h.ip.daddr, 4);
	if (h.ip.frag_off & bpf_htons(0x1fff))
		return;		/* not the first fragment: no ports */
	ihl = (*(__u8 *)&h.ip & 0xf) * 4;
	if (ihl != sizeof(h.ip) || !whole) {
		skb_ports(skb, b, ihl);
		return;
	}
	if (proto_has_ports(b->proto)) {
		b->sport = bpf_ntohs(h.p[0]);
		b->dport = bpf_ntohs(h.p[1]);
	}
}

/* IPv6: the extension headers before the transport (at most 4); the
 * header and the 4 bytes after it in one load, as skb_v4 */
static __always_inline void
skb_v6(struct __sk_buff *skb, struct ev_skb *b)
{
	struct {
		struct ipv6hdr	ip;
		__be16		p[2];
	} h;
	__u8 eh[4];
	__u32 off = sizeof(h.ip), i, whole = 1;
	__u8 nh;

	if (bpf_skb_load_bytes(skb, 0, &h, sizeof(h)) != 0) {
		whole = 0;
		if (bpf_skb_load_bytes(skb, 0, &h.ip, sizeof(h.ip)) != 0)
			return;
	}
	if (*(__u8 *)&h.ip >> 4 != 6)
		return;
	b->family = AF_INET6;
	__builtin_memcpy(b->saddr, &h.ip.saddr, 16);
	__builtin_memcpy(b->daddr, &h.ip.daddr, 16);
	nh = h.ip.nexthdr;
	for (i = 0; i < 4; i++) {
		if (nh != 0 && nh != 43 && nh != 60 && nh != 44)
			break;	/* not hop-by-hop, routing, dstopts, frag */
		whole = 0;
		if (bpf_skb_load_bytes(skb, off, eh, sizeof(eh)) != 0)
			return;
		if (nh == 44 && (*(__be16 *)&eh[2] & bpf_htons(0xfff8))) {
			b->proto = eh[0];
			return;	/* not the first fragment: no ports */
		}
		off += nh == 44 ? 8 : ((__u32)eh[1] + 1) * 8;
		nh = eh[0];
	}
	b->proto = nh;
	if (!whole) {
		skb_ports(skb, b, off);
		return;
	}
	if (proto_has_ports(b->proto)) {
		b->sport = bpf_ntohs(h.p[0]);
		b->dport = bpf_ntohs(h.p[1]);
	}
}

/* The skb argument: what the packet says from its network header. */
static __always_inline void
skb_parse(struct __sk_buff *skb, struct ev_skb *b)
{
	__u8 v;

	b->hash = skb->hash;
	b->len = skb->len;
	b->priority = skb->priority;
	b->mark = skb->mark;
	b->protocol = bpf_ntohs((__u16)skb->protocol);
	/* the kernel sets the protocol of every packet these programs see;
	 * the version nibble decides only if it is something else */
	if (b->protocol == 0x0800)
		v = 4;
	else if (b->protocol == 0x86dd)
		v = 6;
	else if (bpf_skb_load_bytes(skb, 0, &v, 1) != 0)
		return;
	else
		v >>= 4;
	if (v == 4)
		skb_v4(skb, b);
	else if (v == 6)
		skb_v6(skb, b);
}

/* The sock argument from the packet's full socket. */
static __always_inline void
skb_sock(struct __sk_buff *skb, struct bpf_sock *sk, struct ev_sock *o)
{
	o->family = sk->family;
	o->type = sk->type;
	o->protocol = sk->protocol;
	o->state = sk->state;
	o->sport = sk->src_port;
	o->dport = bpf_ntohs(sk->dst_port);
	o->mark = sk->mark;
	o->priority = sk->priority;
	/* the cookie (a helper call) only for a record: net_skb */
	if (sk->family == AF_INET) {
		*(__u32 *)&o->saddr[0] = sk->src_ip4;
		*(__u32 *)&o->daddr[0] = sk->dst_ip4;
		return;
	}
	*(__u32 *)&o->saddr[0] = sk->src_ip6[0];
	*(__u32 *)&o->saddr[4] = sk->src_ip6[1];
	*(__u32 *)&o->saddr[8] = sk->src_ip6[2];
	*(__u32 *)&o->saddr[12] = sk->src_ip6[3];
	*(__u32 *)&o->daddr[0] = sk->dst_ip6[0];
	*(__u32 *)&o->daddr[4] = sk->dst_ip6[1];
	*(__u32 *)&o->daddr[8] = sk->dst_ip6[2];
	*(__u32 *)&o->daddr[12] = sk->dst_ip6[3];
}

/* Integer operator op on the attach type x (an int argument). */
static __always_inline int
skb_int_match(__u32 type, __s64 x, const struct sel_matcharg *ma, __u32 op,
    __u32 neg)
{
	__u32 j, nv = ma->nvals;
	int hit = 0, sgn = abi_arg_has(type, ABI_AF_SIGNED);
	__u64 lo, hi;

	for (j = 0; j < HOOK_VALUES_MAX && !hit; j++) {
		if (j >= nv)
			break;
		lo = ma->v.num[j].lo;
		hi = ma->v.num[j].hi;
		switch (op) {
		case POL_OP_EQUAL:
			hit = (__u64)x == lo;
			break;
		case POL_OP_MASK:
			hit = ((__u64)x & lo) != 0;
			break;
		case POL_OP_GT:
			hit = sgn ? x > (__s64)lo : (__u64)x > lo;
			break;
		case POL_OP_LT:
			hit = sgn ? x < (__s64)lo : (__u64)x < lo;
			break;
		case POL_OP_INRANGE:
			hit = sgn ? x >= (__s64)lo && x <= (__s64)hi :
			    (__u64)x >= lo && (__u64)x <= hi;
			break;
		}
	}
	return neg ? !hit : hit;
}

/* Entry k of selectors[skey].args[] against the packet: 1 passes. */
__noinline int
skb_matcharg(struct sctx *s, __u32 skey, __u32 k)
{
	struct sel_matcharg *ma;
	struct hook_arg *a;
	struct sock_view v;
	__u32 op, neg;

	if (s == NULL || (ma = ma_get(s->id, skey, k, &a)) == NULL)
		return 0;
	switch (a->src_kind) {
	case HOOK_SRC_NET_SKSOCK:
		v.fam = s->so.family;
		__builtin_memcpy(v.sa, s->so.saddr, 16);
		__builtin_memcpy(v.da, s->so.daddr, 16);
		v.sport = s->so.sport;
		v.dport = s->so.dport;
		v.proto = s->so.protocol;
		v.state = s->so.state;
		break;
	case HOOK_SRC_NET_SKB:
		v.fam = s->sb.family;
		__builtin_memcpy(v.sa, s->sb.saddr, 16);
		__builtin_memcpy(v.da, s->sb.daddr, 16);
		v.sport = s->sb.sport;
		v.dport = s->sb.dport;
		v.proto = s->sb.proto;
		v.state = 0;	/* the loader refuses State on an skb */
		break;
	case HOOK_SRC_NET_ATYPE:
		op = abi_op_base(ma->op, &neg);
		return skb_int_match(a->type, (__s32)s->atype, ma, op, neg);
	default:
		return 0;	/* the loader refuses the others */
	}
	return sv_match(&v, ma);
}

/* Selector sel of hook s->id (matchArgs only: the loader refuses the
 * process filters on these hooks).  1 passes. */
__noinline int
skb_sel(struct sctx *s, __u32 sel)
{
	struct sel_cfg *sc;
	__u32 key, k, nm;

	if (s == NULL || sel >= HOOK_SEL_MAX)
		return 0;
	key = s->id * HOOK_SEL_MAX + sel;
	sc = bpf_map_lookup_elem(&selectors, &key);
	if (sc == NULL)
		return 0;
	nm = sc->nmatchargs;
	for (k = 0; k < HOOK_MATCHARGS_MAX; k++) {
		if (k >= nm)
			break;
		if (!skb_matcharg(s, key, k))
			return 0;
	}
	return 1;
}

/* The process a record or rate limit names: the socket's tracked owner
 * (its tid and tgid in *pid_tgid; 1), else the current task (0). */
static __always_inline int
skb_who(struct sctx *s, __u64 *pid_tgid, struct sock_owner **op)
{
	struct task_struct *t;
	struct sock_owner *o = sockown_find(s->sk);

	*op = o;
	if (o != NULL) {
		*pid_tgid = ((__u64)o->key.pid << 32) | o->tid;
		return 1;
	}
	t = cur_task();
	*pid_tgid = ((__u64)BPF_CORE_READ(t, tgid) << 32) |
	    (__u32)BPF_CORE_READ(t, pid);
	return 0;
}

/* 1: this Post of s->id is inside its rateLimit window: suppress it. */
__noinline int
skb_rate_limited(struct sctx *s)
{
	struct sock_owner *o;
	struct skb_rl_key k;
	__u64 now, pt, *last;

	if (s == NULL || s->rl_ms == 0)
		return 0;
	__builtin_memset(&k, 0, sizeof(k));
	k.id = s->id;
	k.gen = s->gen;
	k.sel = s->sel;
	k.atype = s->atype;
	skb_who(s, &pt, &o);
	if (s->rl_scope == POL_RL_THREAD)
		k.scope = (__u32)pt;
	else if (s->rl_scope == POL_RL_PROCESS)
		k.scope = pt >> 32;
	k.family = s->sb.family;
	k.sport = s->sb.sport;
	k.dport = s->sb.dport;
	k.proto = s->sb.proto;
	__builtin_memcpy(k.saddr, s->sb.saddr, 16);
	__builtin_memcpy(k.daddr, s->sb.daddr, 16);
	now = bpf_ktime_get_ns();
	last = bpf_map_lookup_elem(&skb_rl, &k);
	if (last != NULL && now - *last < s->rl_ms * 1000000ULL)
		return 1;
	bpf_map_update_elem(&skb_rl, &k, &now, BPF_ANY);
	return 0;
}

/* Actions of selector key (Post and its rateLimit, NoPost, GetUrl,
 * DnsLookup: the loader refuses the others). */
static __always_inline void
skb_actions(struct sctx *s, struct sel_cfg *sc)
{
	struct sel_action *a;
	__u32 i;

	for (i = 0; i < HOOK_ACTIONS_MAX; i++) {
		if (i >= sc->nactions)
			break;
		a = &sc->actions[i];
		switch (a->kind) {
		case POL_ACT_NOPOST:
			s->nopost = 1;
			break;
		case POL_ACT_POST:
			s->rl_ms = a->rate_ms;
			s->rl_scope = a->scope;
			break;
		case POL_ACT_GETURL:
		case POL_ACT_DNSLOOKUP:
			break;
		default:
			continue;
		}
		s->actions |= 1U << (a->kind & 31);
	}
}

/* One hit of hook id on the packet; s->emit says whether to post. */
__noinline int
skb_hook(struct sctx *s, __u32 id)
{
	struct hook_cfg *hc = bpf_map_lookup_elem(&hooks, &id);
	struct sel_cfg *sc;
	__u32 n, nsel, key;

	if (s == NULL || hc == NULL || !(hc->flags & HOOK_F_ENABLED) ||
	    hc->kind != HOOK_K_NET)
		return 0;
	s->id = id;
	s->gen = hc->gen;
	s->sel = SEL_NONE;
	hs_add(id, HS_HITS);
	nsel = hc->nsel;
	for (n = 0; n < HOOK_SEL_MAX; n++) {
		if (n >= nsel)
			break;
		if (skb_sel(s, n)) {
			s->sel = n;
			break;
		}
	}
	if (nsel > 0 && s->sel == SEL_NONE)
		return 0;
	hs_add(id, HS_MATCHED);
	s->actions = 0;
	s->nopost = 0;
	s->rl_ms = 0;
	s->rl_scope = 0;
	if (s->sel != SEL_NONE) {
		key = id * HOOK_SEL_MAX + s->sel;
		sc = bpf_map_lookup_elem(&selectors, &key);
		if (sc == NULL)
			return 0;
		skb_actions(s, sc);
	}
	if (s->nopost)
		return 0;
	if (skb_rate_limited(s)) {
		hs_add(id, HS_RATELIMITED);
		return 0;
	}
	s->actions |= 1U << POL_ACT_POST;
	s->emit = 1;
	return 0;
}

/* Payload bytes of an argument of source src in the record. */
static __always_inline __u32
skb_arg_len(__u32 src)
{
	switch (src) {
	case HOOK_SRC_NET_SKSOCK:
		return sizeof(struct ev_sock);
	case HOOK_SRC_NET_SKB:
		return sizeof(struct ev_skb);
	case HOOK_SRC_NET_ATYPE:
		return 8;
	}
	return 0;	/* the loader refuses the others */
}

/* Argument a at off of the record being written in dp; its bytes. */
static __always_inline __u32
skb_arg_put(struct sctx *s, struct hook_arg *a, struct bpf_dynptr *dp,
    __u32 off)
{
	struct ev_arg ea = { .type = a->type };
	__s64 x = (__s32)s->atype;

	ea.len = skb_arg_len(a->src_kind);
	if (ea.len == 0)
		ea.flags = EVA_ERROR;
	bpf_dynptr_write(dp, off, &ea, sizeof(ea), 0);
	off += sizeof(ea);
	switch (a->src_kind) {
	case HOOK_SRC_NET_SKSOCK:
		bpf_dynptr_write(dp, off, &s->so, sizeof(s->so), 0);
		break;
	case HOOK_SRC_NET_SKB:
		bpf_dynptr_write(dp, off, &s->sb, sizeof(s->sb), 0);
		break;
	case HOOK_SRC_NET_ATYPE:
		bpf_dynptr_write(dp, off, &x, sizeof(x), 0);
		break;
	}
	return sizeof(ea) + ea.len;
}

/*
 * Build and send the record of hook s->id, written piece by piece into
 * the ring buffer (a record on the stack would not fit next to the
 * packet's context).
 */
__noinline int
skb_emit(struct sctx *s)
{
	struct bpf_dynptr dp;
	struct sock_owner *o;
	struct hook_cfg *hc;
	struct ev_generic e;
	__u32 id, i, nargs, len = 0, off;
	__u64 pt;

	if (s == NULL)
		return 0;
	id = s->id;
	hc = bpf_map_lookup_elem(&hooks, &id);
	if (hc == NULL)
		return 0;
	nargs = hc->nargs;
	if (nargs > HOOK_ARGS_MAX)
		nargs = HOOK_ARGS_MAX;
	for (i = 0; i < HOOK_ARGS_MAX; i++) {
		if (i >= nargs)
			break;
		len += sizeof(struct ev_arg) + skb_arg_len(hc->args[i].src_kind);
	}
	__builtin_memset(&e, 0, sizeof(e));
	e.args_len = len;
	if (skb_who(s, &pt, &o)) {
		rec_hdr(&e);
		__builtin_memcpy(&e.key, &o->key, sizeof(e.key));
		__builtin_memcpy(&e.parent, &o->parent, sizeof(e.parent));
		e.tid = o->tid;
		e.flags = EVG_F_SOCK_OWNER;
	} else
		e.flags = rec_task(&e, pt);
	e.hook_id = id;
	e.gen = s->gen;
	e.sel = s->sel;
	e.nargs = nargs;
	e.actions = s->actions;
	if (bpf_ringbuf_reserve_dynptr(&events, sizeof(e) + len, 0, &dp)) {
		bpf_ringbuf_discard_dynptr(&dp, 0);
		stat_inc(EV_STAT_DROPPED);
		hs_add(id, HS_DROPPED);
		return 0;
	}
	bpf_dynptr_write(&dp, 0, &e, sizeof(e), 0);
	off = sizeof(e);
	for (i = 0; i < HOOK_ARGS_MAX; i++) {
		if (i >= nargs)
			break;
		off += skb_arg_put(s, &hc->args[i], &dp, off);
	}
	bpf_ringbuf_submit_dynptr(&dp, 0);
	stat_inc(EV_STAT_EMITTED);
	hs_add(id, HS_POSTED);
	return 0;
}

/* Run the hooks of net_hooks[d] on the packet; always let it through. */
static __always_inline int
net_skb(struct __sk_buff *skb, __u32 d, __u32 atype)
{
	struct hook_list *hl = bpf_map_lookup_elem(&net_hooks, &d);
	struct bpf_sock *sk;
	struct sctx s;
	__u32 i, cnt, id;

	if (hl == NULL || hl->n == 0)
		return 1;
	sk = skb->sk;
	if (sk == NULL)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (sk == NULL)
		return 1;
	__builtin_memset(&s, 0, sizeof(s));
	s.sk = (__u64)sk;
	s.atype = atype;
	skb_sock(skb, sk, &s.so);
	skb_parse(skb, &s.sb);
	cnt = hl->n;
	if (cnt > HOOK_PER_DISPATCH)
		cnt = HOOK_PER_DISPATCH;
	for (i = 0; i < HOOK_PER_DISPATCH; i++) {
		if (i >= cnt)
			break;
		id = hl->ids[i];
		if (id == 0)
			continue;
		s.emit = 0;
		skb_hook(&s, id);
		if (!s.emit)
			continue;
		if (s.so.cookie == 0)
			s.so.cookie = bpf_get_socket_cookie(skb);
		skb_emit(&s);
	}
	return 1;
}

SEC("cgroup_skb/ingress")
int
net_skb_in(struct __sk_buff *skb)
{
	return net_skb(skb, NET_D_SKB_IN,
	    bpf_core_enum_value(enum cgroup_bpf_attach_type,
	    CGROUP_INET_INGRESS));
}

SEC("cgroup_skb/egress")
int
net_skb_eg(struct __sk_buff *skb)
{
	return net_skb(skb, NET_D_SKB_EG,
	    bpf_core_enum_value(enum cgroup_bpf_attach_type,
	    CGROUP_INET_EGRESS));
}

/* ------------------------------------------------------------------ */
/*
 * Implicit socket tracking (kernels without kprobes, where TrackSock
 * cannot run on sk_alloc/__sk_free): attached by loaderd while a loaded
 * hook has a sock, socket or skb argument (loaderd/net_load.c
 * netl_sockown_attach).  The socket's address is its key in sockown:
 * converting the context pointer to a number needs allow_ptr_leaks
 * (loaderd loads with CAP_PERFMON).
 *   sockown_create   cgroup/sock_create: runs in the process calling
 *                    socket(): it owns the new socket (SOCKOWN_F_CREATE)
 *   sockown_release  cgroup/sock_release: the last close() of a socket
 *                    other than TCP untracks it (TCP sockets live on
 *                    after close: FIN_WAIT, TIME_WAIT, LAST_ACK ...)
 *   sockown_destroy  raw_tp/tcp_destroy_sock: a TCP socket is freed
 *                    (after its last state change): untracked, and
 *                    forgotten as a listener (one lookup for a socket
 *                    that was never tracked, as most accepted ones)
 *   sockown_state    raw_tp/inet_sock_set_state, new state LISTEN:
 *                    listen() runs in the listener's process: its owner
 *                    is recorded in sockown_listen for its accepted
 *                    children (sockown_find).  A raw tracepoint that
 *                    returns at once for every other state change costs
 *                    less than a sockops program, which the kernel runs
 *                    about nine times per TCP connection.
 */
#define SOCKOWN_TCP_LISTEN	10	/* TCP_LISTEN */

SEC("cgroup/sock_create")
int
sockown_create(struct bpf_sock *ctx)
{
	struct sock_owner o;

	sockown_self(&o, SOCKOWN_F_CREATE, bpf_get_current_pid_tgid());
	sockown_put((__u64)ctx, &o);
	return 1;
}

SEC("cgroup/sock_release")
int
sockown_release(struct bpf_sock *ctx)
{
	if (ctx->protocol != IPPROTO_TCP)
		sockown_del((__u64)ctx);
	return 1;
}

SEC("raw_tp/tcp_destroy_sock")
int
sockown_destroy(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 sk = ctx->args[0];
	struct sock_owner *o = sockown_get(sk);

	if (o == NULL)
		return 0;
	if (o->flags & SOCKOWN_F_LISTENER)
		sockown_listen_del(sk);
	sockown_del(sk);
	return 0;
}

SEC("raw_tp/inet_sock_set_state")
int
sockown_state(struct bpf_raw_tracepoint_args *ctx)
{
	struct sockown_lkey k;
	struct sockown_lval v;
	struct sock_owner *o;

	if ((int)ctx->args[2] != SOCKOWN_TCP_LISTEN)
		return 0;
	v.sk = ctx->args[0];
	if (v.sk == 0 || sockown_lkey_of(&k, v.sk) != 0)
		return 0;
	o = sockown_get(v.sk);
	if (o == NULL) {
		/* created before the tracking: listen() runs in it */
		sockown_self(&v.o, SOCKOWN_F_CREATE | SOCKOWN_F_LISTENER,
		    bpf_get_current_pid_tgid());
		if (sockown_put(v.sk, &v.o) != 0)
			v.o.flags &= ~SOCKOWN_F_LISTENER;
	} else {
		o->flags |= SOCKOWN_F_LISTENER;
		__builtin_memcpy(&v.o, o, sizeof(v.o));
	}
	if (bpf_map_update_elem(&sockown_listen, &k, &v, BPF_ANY) != 0)
		stat_inc(EV_STAT_SOCKOWN_FULL);
	return 0;
}
