/*
 * loaderd/pl_net.c -- network hooks routed into the cgroup sock_addr
 * programs (loaderd/net_load.c loads and attaches them): which hooks go
 * there, whether their selectors can be evaluated there, and their slot
 * configs.
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xmalloc.h"

#include "net_load.h"
#include "pl_int.h"

/*
 * Network hooks through cgroup sock_addr programs (bpf/net.bpf.c).
 *
 * A kprobe guarding connect (syscall connect with a sockaddr argument,
 * security_socket_connect, tcp_connect) or sendto whose selectors ask for
 * Override cannot make the call fail on a kernel with neither BPF LSM nor
 * bpf_override_return; a cgroup/connect4+connect6 (sendto:
 * sendmsg4+sendmsg6) program attached to the cgroup2 root can (returning 0
 * fails the call with EPERM, bpf_set_retval with another error).  So:
 * - syscall hooks (PL_NET_SPLIT) keep running from the syscall dispatch,
 *   where their Override selectors become NoPost, and get a cgroup copy
 *   (an aux slot, HOOK_F_NET_OVR_ONLY) that evaluates the selectors up to
 *   the last Override one in order and acts, and posts, only when an
 *   Override selector wins;
 * - kernel-function hooks (PL_NET_WHOLE) run entirely in the cgroup
 *   programs (there is no kprobe program to run them otherwise).
 * Whatever those programs cannot evaluate exactly is refused, naming the
 * missing kernel feature and what to write instead.
 */

#define PL_NET_WHY	"(no BPF LSM, no bpf_override_return)"

/*
 * __cgroup_bpf_run_filter_skb(sk, skb, atype) only runs the cgroup skb
 * programs attached to the socket's cgroup (and only when some are): its
 * hooks are carried out on every kernel by tripline's own
 * cgroup_skb/ingress and egress programs on the cgroup2 root, which see
 * the same socket, packet and attach type.
 */
#define PL_NET_SKB_FN	"__cgroup_bpf_run_filter_skb"
#define PL_NET_SKB_ARGS	"0 sock, 1 skb, 2 int (the attach type)"

/* "cgroup/connect4+connect6", "cgroup/sendmsg4+sendmsg6" or
 * "cgroup_skb/ingress+egress" */
static const char *
pl_net_progs(const struct pl_ctx *c)
{
	if (c->net_skb)
		return "cgroup_skb/ingress+egress";
	return c->net_d[0] == NET_D_CONNECT4 ? "cgroup/connect4+connect6" :
	    "cgroup/sendmsg4+sendmsg6";
}

/* What the cgroup_skb programs know of argument a; HOOK_SRC_NET_NONE if
 * the kernel function has no such argument of that type. */
static uint8_t
pl_net_skb_src(const struct pol_arg *a)
{
	if (a->index == 0 && a->type == POL_ARG_SOCK)
		return HOOK_SRC_NET_SKSOCK;
	if (a->index == 1 && a->type == POL_ARG_SKB)
		return HOOK_SRC_NET_SKB;
	if (a->index == 2 && abi_arg_has(a->type, ABI_AF_CINT))
		return HOOK_SRC_NET_ATYPE;
	return HOOK_SRC_NET_NONE;
}

/* Is h a call the cgroup programs can stand in for?  Sets c->net_d,
 * c->net_src, c->net_tcp. */
static int
pl_net_call(struct pl_ctx *c)
{
	const struct pol_hook *h = c->h;
	const struct pol_arg *a;
	int addr = -1, sock = -1;
	uint8_t socksrc = HOOK_SRC_NET_NONE;
	size_t i;

	c->net_tcp = 0;
	c->net_skb = 0;
	c->net_d[0] = NET_D_CONNECT4;
	c->net_d[1] = NET_D_CONNECT6;
	if (h->kind != POL_HOOK_KPROBE || h->fentry || h->call == NULL)
		return 0;
	if (h->syscall) {
		if (h->syscall_nr >= 0 &&
		    h->syscall_nr == policy_syscall_nr("connect"))
			addr = 1;
		else if (h->syscall_nr >= 0 &&
		    h->syscall_nr == policy_syscall_nr("sendto")) {
			addr = 4;
			c->net_d[0] = NET_D_SENDMSG4;
			c->net_d[1] = NET_D_SENDMSG6;
		} else
			return 0;
	} else if (strcmp(h->call, "security_socket_connect") == 0) {
		addr = 1;
		sock = 0;
		socksrc = HOOK_SRC_NET_SOCK;
	} else if (strcmp(h->call, "tcp_connect") == 0) {
		sock = 0;
		socksrc = HOOK_SRC_NET_CONN;
		c->net_tcp = 1;
	} else if (strcmp(h->call, PL_NET_SKB_FN) == 0) {
		c->net_skb = 1;
		c->net_d[0] = NET_D_SKB_IN;
		c->net_d[1] = NET_D_SKB_EG;
	} else
		return 0;
	for (i = 0; i < HOOK_ARGS_MAX; i++) {
		c->net_src[i] = HOOK_SRC_NET_NONE;
		if (i >= h->nargs)
			continue;
		a = &h->args[i];
		if (c->net_skb)
			c->net_src[i] = pl_net_skb_src(a);
		else if (a->index == addr && a->type == POL_ARG_SOCKADDR)
			c->net_src[i] = HOOK_SRC_NET_ADDR;
		else if (a->index == sock && (a->type == POL_ARG_SOCK ||
		    a->type == POL_ARG_SOCKET))
			c->net_src[i] = socksrc;
	}
	return 1;
}

/* Can operator op be evaluated on an argument of source src?  NULL if
 * so, else why not. */
static const char *
pl_net_op(uint8_t src, enum pol_op op)
{
	if (src == HOOK_SRC_NET_ATYPE) {
		switch (op) {
		case POL_OP_EQUAL: case POL_OP_NOTEQUAL:
		case POL_OP_MASK: case POL_OP_GT: case POL_OP_LT:
		case POL_OP_INRANGE: case POL_OP_NOTINRANGE:
			return NULL;
		default:
			return "only Equal, NotEqual, Mask, GreaterThan, "
			    "LessThan, InRange and NotInRange are evaluated on "
			    "the attach type";
		}
	}
	switch (op) {
	case POL_OP_FAMILY:
	case POL_OP_DADDR: case POL_OP_NOTDADDR:
	case POL_OP_DPORT: case POL_OP_NOTDPORT:
	case POL_OP_DPORTPRIV: case POL_OP_NOTDPORTPRIV:
		return NULL;
	case POL_OP_SADDR: case POL_OP_NOTSADDR:
	case POL_OP_SPORT: case POL_OP_NOTSPORT:
	case POL_OP_SPORTPRIV: case POL_OP_NOTSPORTPRIV:
		if (src == HOOK_SRC_NET_CONN)
			return "the source address and port of a tcp_connect "
			    "socket are chosen after cgroup/connect4/6 runs";
		return NULL;
	case POL_OP_PROTOCOL:
	case POL_OP_STATE:
		if (src == HOOK_SRC_NET_ADDR)
			return "a sockaddr has no protocol or state";
		if (src == HOOK_SRC_NET_SKB && op == POL_OP_STATE)
			return "a packet has no state (filter on the sock)";
		return NULL;
	default:
		return "not an address, port, family, protocol or state "
		    "operator";
	}
}

/* Does the selector only match IPv4/IPv6 sockets (what cgroup/connect4/6
 * see)?  A positive Family with only AF_INET/AF_INET6, or a positive
 * address match, says so. */
static int
pl_net_inet_only(const struct pl_ctx *c, const struct pol_selector *s)
{
	const struct pol_matcharg *m;
	size_t i, j;
	int ok;

	for (i = 0; i < s->nmatchargs; i++) {
		m = &s->matchargs[i];
		if (m->arg < 0 || m->arg >= HOOK_ARGS_MAX ||
		    c->net_src[m->arg] == HOOK_SRC_NET_NONE)
			continue;
		if (m->op == POL_OP_SADDR || m->op == POL_OP_DADDR)
			return 1;
		if (m->op != POL_OP_FAMILY || m->nvalues == 0)
			continue;
		for (ok = 1, j = 0; j < m->nvalues; j++)
			if (m->values[j].lo != 2 && m->values[j].lo != 10)
				ok = 0;
		if (ok)
			return 1;
	}
	return 0;
}

/* The arguments of a __cgroup_bpf_run_filter_skb hook: each one the
 * programs see, and all of them fit the record. */
static int
pl_net_skb_args(struct pl_ctx *c)
{
	const struct pol_hook *h = c->h;
	const struct pol_arg *a;
	size_t i, bytes = 0;

	for (i = 0; i < h->nargs && i < HOOK_ARGS_MAX; i++) {
		a = &h->args[i];
		switch (c->net_src[i]) {
		case HOOK_SRC_NET_SKSOCK:
			bytes += sizeof(struct ev_arg) + sizeof(struct ev_sock);
			break;
		case HOOK_SRC_NET_SKB:
			bytes += sizeof(struct ev_arg) + sizeof(struct ev_skb);
			break;
		case HOOK_SRC_NET_ATYPE:
			bytes += sizeof(struct ev_arg) + 8;
			break;
		default:
			return pl_fail(c, ERR_UNSUPP, a->line, a->col,
			    "argument index %d type %s: %s has the arguments "
			    PL_NET_SKB_ARGS, a->index, pl_type_name(a),
			    PL_NET_SKB_FN);
		}
	}
	if (bytes > NET_SKB_ARG_BYTES)
		return pl_fail(c, ERR_RANGE, 0, 0, "%s: arguments of %zu bytes "
		    "in the record, at most %d (each of sock, skb and the "
		    "attach type once)", PL_NET_SKB_FN, bytes,
		    NET_SKB_ARG_BYTES);
	return 0;
}

/* Check selectors 0..nsel-1 for what the cgroup programs can do. */
static int
pl_net_check(struct pl_ctx *c, size_t nsel, int whole)
{
	const struct pol_hook *h = c->h;
	const struct pol_selector *s;
	const struct pol_matcharg *m;
	const struct pol_action *a;
	const struct polset_features *f = &c->ps->feat;
	const char *progs = pl_net_progs(c), *why;
	size_t i, j;

	for (i = 0; i < nsel; i++) {
		s = &h->selectors[i];
		if (s->nretargs > 0 || s->nretactions > 0)
			return pl_fail(c, ERR_UNSUPP, s->line, s->col,
			    "selector %zu: matchReturnArgs/matchReturnActions: "
			    "%s run before the call returns %s", i + 1, progs,
			    PL_NET_WHY);
		if (c->net_skb && (s->npids > 0 || s->has_binaries ||
		    s->nns > 0 || s->ncaps > 0 || s->has_nschg ||
		    s->has_capchg))
			return pl_fail(c, ERR_UNSUPP, s->line, s->col,
			    "selector %zu: matchPIDs, matchBinaries, "
			    "matchNamespaces, matchCapabilities, "
			    "matchNamespaceChanges and matchCapabilityChanges "
			    "are not evaluated on %s: %s runs per packet, on "
			    "ingress "
			    "in softirq, where the current task is not the "
			    "socket's process; filter on the sock and skb",
			    i + 1, PL_NET_SKB_FN, progs);
		for (j = 0; j < s->nmatchargs; j++) {
			m = &s->matchargs[j];
			if (m->arg < 0 || m->arg >= HOOK_ARGS_MAX ||
			    (size_t)m->arg >= h->nargs)
				return pl_fail(c, ERR_RANGE, m->line, m->col,
				    "matchArgs refers to argument %d, the hook "
				    "has %zu", m->arg, h->nargs);
			if (c->net_src[m->arg] == HOOK_SRC_NET_NONE)
				return pl_fail(c, ERR_UNSUPP, m->line, m->col,
				    "matchArgs on argument index %d (%s): %s, "
				    "which stand in for this hook %s, do not "
				    "see it; filter on the %s", h->args[m->arg].
				    index, pl_type_name(&h->args[m->arg]),
				    progs, PL_NET_WHY, c->net_tcp ? "sock" :
				    "sockaddr");
			if ((why = pl_net_op(c->net_src[m->arg], m->op)) !=
			    NULL)
				return pl_fail(c, ERR_UNSUPP, m->line, m->col,
				    "operator %s on a %s argument cannot be "
				    "evaluated by %s: %s", policy_op_name(m->op),
				    pl_type_name(&h->args[m->arg]), progs, why);
		}
		/* a syscall hook's cgroup copy only acts for its Override
		   selectors: the others' actions run in the syscall copy */
		for (j = 0; (whole || pl_sel_override(s)) &&
		    j < s->nactions; j++) {
			a = &s->actions[j];
			switch (a->kind) {
			case POL_ACT_POST:
				if (a->rate_limit_ms != 0 && !c->net_skb)
					return pl_fail(c, ERR_UNSUPP, a->line,
					    a->col, "rateLimit is not supported "
					    "on hooks run by %s", progs);
				if (a->kernel_stack || a->user_stack)
					return pl_fail(c, ERR_UNSUPP, a->line,
					    a->col, "kernelStackTrace/"
					    "userStackTrace: %s record no stack "
					    "traces", progs);
				break;
			case POL_ACT_NOPOST:
			case POL_ACT_GETURL:
			case POL_ACT_DNSLOOKUP:
				break;
			case POL_ACT_OVERRIDE:
				if (a->arg_error == -1 || a->arg_error == 1)
					break;
				if (a->arg_error > 0)
					return pl_fail(c, ERR_PARSE, a->line,
					    a->col, "argError %d: not an error "
					    "number (-1 or 1: EPERM; -N: errno "
					    "N)", a->arg_error);
				if (!f->cg_retval)
					return pl_fail(c, ERR_UNSUPP, a->line,
					    a->col, "argError %d: %s can only "
					    "fail the call with EPERM (argError "
					    "-1) on this kernel (no "
					    "bpf_set_retval in cgroup programs); "
					    "other errors need bpf_override_"
					    "return or BPF LSM", a->arg_error,
					    progs);
				break;
			case POL_ACT_SIGKILL:
			case POL_ACT_SIGNAL:
				if (c->net_skb)
					return pl_fail(c, ERR_UNSUPP, a->line,
					    a->col, "%s on %s: %s cannot send "
					    "signals (no bpf_send_signal in "
					    "cgroup_skb programs; on ingress the "
					    "current task is not the receiver)",
					    policy_action_name(a->kind),
					    PL_NET_SKB_FN, progs);
				if (!f->cg_signal)
					return pl_fail(c, ERR_UNSUPP, a->line,
					    a->col, "%s from %s needs "
					    "bpf_send_signal in cgroup programs, "
					    "which this kernel refuses (and it "
					    "has no kprobes to send it from); "
					    "use Override to block the call",
					    policy_action_name(a->kind), progs);
				break;
			default:
				return pl_fail(c, ERR_UNSUPP, a->line, a->col,
				    "action %s is not supported on hooks run "
				    "by %s", policy_action_name(a->kind),
				    progs);
			}
		}
		if (!c->net_tcp && !c->net_skb &&
		    (whole || pl_sel_override(s)) &&
		    !pl_net_inet_only(c, s))
			return pl_fail(c, ERR_UNSUPP, s->line, s->col,
			    "selector %zu: %s see only IPv4 and IPv6 sockets; "
			    "restrict the selector to them (matchArgs Family "
			    "AF_INET, AF_INET6, or an address) so that it "
			    "means the same for every family", i + 1, progs);
	}
	return 0;
}

/*
 * Decide how hook c->h runs (PL_NET_NO: as any other hook), load the
 * network programs if it needs them, and check its selectors.
 */
int
pl_net_route(struct pl_ctx *c, enum pl_net *route)
{
	const struct pol_hook *h = c->h;
	const struct polset_features *f = &c->ps->feat;
	char err[256];
	const char *progs, *base;
	int ovr, have, r;
	size_t i, nsel;

	*route = PL_NET_NO;
	if (!pl_net_call(c))
		return 0;
	ovr = pl_sel_any_override(h);
	if (c->net_skb) {
		/* on every kernel: a kprobe would only see the calls the
		   programs attached here cause */
		*route = PL_NET_WHOLE;
		base = PL_NET_SKB_FN " only runs the cgroup skb programs";
	} else if (h->syscall) {
		/* LSM socket_connect/socket_sendmsg or override_return */
		if (!ovr || (f->lsm && f->lsm_active) ||
		    (f->override && f->kprobes))
			return 0;
		*route = PL_NET_SPLIT;
		base = PL_MSG_OVERRIDE;
	} else {
		/* kernel functions: a kprobe (or fmod_ret for an Override
		   of a security_* function) when the kernel has them, else
		   the cgroup programs run the hook */
		if (!ovr && f->kprobes)
			return 0;
		if (ovr && f->fmod_ret && h->call != NULL &&
		    strncmp(h->call, "security_", 9) == 0)
			return 0;
		*route = PL_NET_WHOLE;
		base = !f->kprobes ? PL_MSG_NOKPROBES :
		    "Override on this kernel function needs fmod_ret on a "
		    "security_* function or bpf_override_return";
	}
	progs = pl_net_progs(c);
	have = c->net_skb ? f->cg_skb_in && f->cg_skb_eg :
	    c->net_d[0] == NET_D_CONNECT4 ?
	    f->cg_connect4 && f->cg_connect6 :
	    f->cg_sendmsg4 && f->cg_sendmsg6;
	if (f->cgroup2[0] == '\0')
		return pl_fail(c, ERR_UNSUPP, 0, 0, "%s, and %s cannot stand "
		    "in: no cgroup2 hierarchy is mounted", base, progs);
	if (!have)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "%s, and %s cannot stand "
		    "in: this kernel refuses them (CONFIG_CGROUP_BPF)", base,
		    progs);
	if (c->ps->net == NULL) {
		if ((r = netl_open(&c->ps->net, c->ps->b, c->ps->obj,
		    f->cgroup2, f->cg_signal, f->cg_retval, err,
		    sizeof(err))) != 0)
			return pl_fail(c, r, 0, 0, "%s, and %s cannot stand "
			    "in: %s", base, progs, err);
		c->ps->fd_net = netl_hooks_fd(c->ps->net);
	}
	if (*route == PL_NET_WHOLE) {
		if (h->ret || h->retarg.type != POL_ARG_NONE)
			return pl_fail(c, ERR_UNSUPP, 0, 0, "%s; %s, which run "
			    "this hook instead, do not see its return value",
			    base, progs);
		if (c->net_skb && (r = pl_net_skb_args(c)) != 0)
			return r;
		return pl_net_check(c, h->nselectors, 1);
	}
	/* the cgroup copy evaluates up to the last Override selector */
	for (nsel = 0, i = 0; i < h->nselectors; i++)
		if (pl_sel_override(&h->selectors[i]))
			nsel = i + 1;
	return pl_net_check(c, nsel, 0);
}

/* Config of a HOOK_K_NET slot for c->h into c->ph. */
static void
pl_net_cfg(struct pl_ctx *c, int ovr_only, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	size_t i;

	ph->cfg.kind = HOOK_K_NET;
	ph->cfg.syscall_nr = -1;
	ph->disp = PL_DISP_NET;
	ph->net_mask = (uint8_t)((1U << c->net_d[0]) | (1U << c->net_d[1]));
	for (i = 0; i < h->nargs && i < HOOK_ARGS_MAX; i++) {
		ph->cfg.args[i].type = (uint8_t)h->args[i].type;
		ph->cfg.args[i].src_kind = c->net_src[i];
		types[i] = h->args[i].type;
	}
	ph->cfg.nargs = (uint8_t)i;
	if (c->net_tcp)
		ph->cfg.flags |= HOOK_F_NET_TCP;
	if (ovr_only)
		ph->cfg.flags |= HOOK_F_NET_OVR_ONLY;
}

/* PL_NET_WHOLE: the hook itself runs in the cgroup programs. */
int
pl_hook_net(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	const struct polset_features *f = &c->ps->feat;

	if (h->nargs > HOOK_ARGS_MAX)
		return pl_fail(c, ERR_RANGE, 0, 0, "%zu args: at most %d",
		    h->nargs, HOOK_ARGS_MAX);
	pl_net_cfg(c, 0, types);
	ph->meta.function = xstrdup(h->call);
	if (pl_sel_any_override(h))
		xasprintf(&ph->how, "enforced by %s on %s %s%s",
		    pl_net_progs(c), f->cgroup2, PL_NET_WHY,
		    c->net_tcp ? ", TCP sockets only" : "");
	else
		xasprintf(&ph->how, "run by %s on %s (%s)%s",
		    pl_net_progs(c), f->cgroup2, c->net_skb ? "the programs "
		    "this function runs" : f->kprobes ?
		    "no kprobe program yet" : "no kprobes on this kernel",
		    c->net_tcp ? ", TCP sockets only" : "");
	c->selmode = PL_SEL_NET;
	return 0;
}

/* PL_NET_SPLIT: the cgroup copy of the syscall hook just compiled. */
int
pl_net_aux(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *parent = c->ph, *ph;
	const struct polset_features *f = &c->ps->feat;
	char *how;
	size_t i, nsel = 0;
	int r;

	for (i = 0; i < h->nselectors; i++)
		if (pl_sel_override(&h->selectors[i]))
			nsel = i + 1;
	ph = &c->pe->hooks[c->pe->nhooks++];
	ph->h = h;
	ph->aux = 1;
	ph->kind = parent->kind;
	ph->target = xstrdup(parent->target);
	ph->nr_is_arg = -1;
	parent->auxph = ph;
	c->ph = ph;
	pl_net_cfg(c, 1, types);
	if (c->pol->mode == POL_MODE_MONITOR)
		ph->cfg.flags |= HOOK_F_MONITOR;
	ph->cfg.flags |= HOOK_F_ENABLED;
	c->selmode = PL_SEL_NET;
	c->nsel_max = nsel;
	r = pl_selectors(c, types);
	c->nsel_max = 0;
	c->selmode = PL_SEL_NORMAL;
	if (r == 0) {
		ph->meta.function = xstrdup(parent->meta.function);
		pl_meta(c, types);
		xasprintf(&ph->how, "Override selectors of the syscall hook "
		    "through %s on %s %s", pl_net_progs(c), f->cgroup2,
		    PL_NET_WHY);
		xasprintf(&how, "%s; Override enforced by %s on %s %s",
		    parent->how, pl_net_progs(c), f->cgroup2, PL_NET_WHY);
		free(parent->how);
		parent->how = how;
	}
	c->ph = parent;
	return r;
}
