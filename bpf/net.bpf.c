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

/*
 * CIDR c against address a (16 bytes, network order) of family fam.  An
 * IPv4 CIDR also matches an IPv4-mapped IPv6 address (::ffff:a.b.c.d), as
 * an AF_INET6 socket reaches an IPv4 peer that way.
 */
static __always_inline int
cidr_match(__u32 fam, const __u8 *a, const struct hook_cidr *c)
{
	__u32 w, bits, mask, x, y, plen = c->prefixlen, base = 0;

	if (fam != c->family) {
		if (c->family != AF_INET || fam != AF_INET6 ||
		    *(__u32 *)&a[0] != 0 || *(__u32 *)&a[4] != 0 ||
		    *(__u32 *)&a[8] != bpf_htonl(0xffff))
			return 0;
		base = 12;
	}
	for (w = 0; w < 4; w++) {
		if (plen <= w * 32)
			break;
		bits = plen - w * 32;
		if (bits > 32)
			bits = 32;
		mask = bits == 32 ? 0xffffffff :
		    bpf_htonl(~((1U << (32 - bits)) - 1));
		x = *(__u32 *)&a[(base + w * 4) & 12];
		y = *(__u32 *)&c->addr[w * 4];
		if ((x & mask) != (y & mask))
			return 0;
	}
	return 1;
}

/* Entry k of selectors[skey].args[] against the call: 1 passes. */
__noinline int
net_matcharg(struct nctx *n, __u32 skey, __u32 k)
{
	struct sel_cfg *sc = bpf_map_lookup_elem(&selectors, &skey);
	struct hook_cfg *hc;
	struct sel_matcharg *ma;
	const __u8 *sa, *da;
	__u32 id, arg, src, op, neg, j, nv, fam, sport, dport, state;
	__u64 lo, hi;
	int hit = 0;

	if (n == NULL || sc == NULL || k >= HOOK_MATCHARGS_MAX)
		return 0;
	id = n->id;
	hc = bpf_map_lookup_elem(&hooks, &id);
	if (hc == NULL)
		return 0;
	ma = &sc->args[k];
	arg = ma->arg;
	if (arg >= HOOK_ARGS_MAX)
		return 0;
	src = hc->args[arg].src_kind;
	switch (src) {
	case HOOK_SRC_NET_ADDR:
		fam = n->ufamily;
		sa = n->uaddr;
		da = n->uaddr;
		sport = dport = n->uport;
		state = n->state;
		break;
	case HOOK_SRC_NET_SOCK:
		fam = n->family;
		sa = n->saddr;
		da = n->daddr;
		sport = n->sport;
		dport = n->dport;
		state = n->state;
		break;
	case HOOK_SRC_NET_CONN:
		/* the loader refuses source filters on it */
		fam = n->family;
		sa = n->saddr;
		da = n->uaddr;
		sport = n->sport;
		dport = n->uport;
		state = TCP_SYN_SENT;
		break;
	default:
		return 0;	/* not visible here: the loader refuses it */
	}
	op = abi_op_base(ma->op, &neg);
	nv = ma->nvals;
	if (nv > HOOK_VALUES_MAX)
		nv = HOOK_VALUES_MAX;
	switch (op) {
	case POL_OP_SPORTPRIV:
		hit = sport < 1024;
		break;
	case POL_OP_DPORTPRIV:
		hit = dport < 1024;
		break;
	default:
		for (j = 0; j < HOOK_VALUES_MAX && !hit; j++) {
			if (j >= nv)
				break;
			lo = ma->v.num[j].lo;
			hi = ma->v.num[j].hi;
			switch (op) {
			case POL_OP_SADDR:
				hit = cidr_match(fam, sa, &ma->v.cidr[j]);
				break;
			case POL_OP_DADDR:
				hit = cidr_match(fam, da, &ma->v.cidr[j]);
				break;
			case POL_OP_SPORT:
				hit = sport >= lo && sport <= hi;
				break;
			case POL_OP_DPORT:
				hit = dport >= lo && dport <= hi;
				break;
			case POL_OP_FAMILY:
				hit = fam == lo;
				break;
			case POL_OP_PROTOCOL:
				hit = n->protocol == lo;
				break;
			case POL_OP_STATE:
				hit = state == lo;
				break;
			}
		}
		break;
	}
	return neg ? !hit : hit;
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

/* Build and send the record of hook n->id. */
__noinline int
net_emit(struct nctx *n)
{
	struct task_struct *t = cur_task(), *rp;
	struct hook_cfg *hc;
	struct net_rec r;
	struct ev_arg *ea;
	struct ev_sockaddr *so;
	__u32 id, i, nargs, pos = 0, tgid, ppid, src;
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
	tgid = n->pid_tgid >> 32;
	size = sizeof(r.e) + pos;
	r.e.hdr.type = EV_GENERIC;
	r.e.hdr.version = EV_ABI_VERSION;
	r.e.hdr.size = size;
	r.e.hdr.time_ns = bpf_ktime_get_boot_ns();
	if (task_key(&r.e.key, t, tgid))
		n->eflags |= EVG_F_SELF_MISS;
	rp = BPF_CORE_READ(t, real_parent);
	ppid = BPF_CORE_READ(rp, tgid);
	if (task_key(&r.e.parent, rp, ppid))
		n->eflags |= EVG_F_PARENT_MISS;
	r.e.tid = (__u32)n->pid_tgid;
	r.e.hook_id = id;
	r.e.gen = n->gen;
	r.e.sel = n->sel;
	r.e.nargs = i;
	r.e.flags = n->eflags;
	r.e.actions = n->actions;
	r.e.would = n->would;
	r.e.args_len = pos;
	if (size > sizeof(r))
		return 0;
	if (bpf_ringbuf_output(&events, &r, size, 0) == 0) {
		stat_inc(EV_STAT_EMITTED);
		hs_add(id, HS_POSTED);
	} else {
		stat_inc(EV_STAT_DROPPED);
		hs_add(id, HS_DROPPED);
	}
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
 *                    forgotten as a listener
 *   sockown_sockops  sockops, BPF_SOCK_OPS_TCP_LISTEN_CB: listen() made
 *                    a TCP listener: its owner is recorded in
 *                    sockown_listen for its accepted children
 *                    (sockown_find)
 */
#define SOCKOWN_OPS_LISTEN	11	/* BPF_SOCK_OPS_TCP_LISTEN_CB */

SEC("cgroup/sock_create")
int
sockown_create(struct bpf_sock *ctx)
{
	struct sock_owner o;

	sockown_self(&o, SOCKOWN_F_CREATE);
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

	sockown_listen_del(sk);
	sockown_del(sk);
	return 0;
}

SEC("sockops")
int
sockown_sockops(struct bpf_sock_ops *ctx)
{
	struct sockown_lkey k;
	struct sockown_lval v;
	struct sock_owner *o;

	if (ctx->op != SOCKOWN_OPS_LISTEN)
		return 1;
	/* the address as a number: ctx->sk is a socket pointer the
	 * verifier allows no arithmetic on, so read it from the kernel's
	 * context (struct bpf_sock_ops_kern) */
	v.sk = 0;
	if (BPF_CORE_READ_INTO(&v.sk, (struct bpf_sock_ops_kern *)ctx, sk) ||
	    v.sk == 0 || sockown_lkey_of(&k, v.sk) != 0)
		return 1;
	o = sockown_get(v.sk);
	if (o != NULL)
		__builtin_memcpy(&v.o, o, sizeof(v.o));
	else	/* created before the tracking: listen() runs in it */
		sockown_self(&v.o, SOCKOWN_F_CREATE);
	if (bpf_map_update_elem(&sockown_listen, &k, &v, BPF_ANY) != 0)
		stat_inc(EV_STAT_SOCKOWN_FULL);
	return 1;
}
