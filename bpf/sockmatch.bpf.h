/*
 * bpf/sockmatch.bpf.h -- the socket operators of matchArgs (SAddr, DAddr,
 * SPort, DPort, SPortPriv, DPortPriv, their Not forms, Protocol, Family,
 * State), one implementation for the generic programs
 * (generic/filter.bpf.h gen_sockop: sock, socket, skb and sockaddr
 * arguments of every hook kind) and the cgroup programs (net.bpf.c
 * net_matcharg, skb_matcharg).  The caller fills a struct sock_view from
 * what it has (a captured record, a bpf_sock, a packet's headers).
 */
#ifndef TRIPLINE_SOCKMATCH_BPF_H
#define TRIPLINE_SOCKMATCH_BPF_H

#include "hook.h"

#ifndef AF_INET
#define AF_INET			2
#endif
#ifndef AF_INET6
#define AF_INET6		10
#endif

/* What the socket operators look at: one socket, sockaddr or packet.  A
 * sockaddr has one address and port: both the source and the
 * destination (the loader allows no D* operator on it). */
struct sock_view {
	__u8	sa[16];		/* source address, network order; IPv4 in
				   the first 4 bytes */
	__u8	da[16];		/* destination address */
	__u32	fam;		/* AF_* */
	__u32	sport;		/* host order */
	__u32	dport;
	__u32	proto;		/* IPPROTO_* */
	__u32	state;		/* TCP_* */
};

/*
 * CIDR c against address a (16 bytes, network order) of family fam: the
 * families must be equal, except that an IPv4 CIDR also matches an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d), as an AF_INET6 socket
 * reaches an IPv4 peer that way (a deliberate difference from Tetragon:
 * otherwise an IPv4 block is bypassed from an AF_INET6 socket).
 */
static __always_inline int
sv_cidr(__u32 fam, const __u8 *a, const struct hook_cidr *c)
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

/* Socket operator ma against v: 1 passes.  Positive operators OR over
 * the values, Not forms AND ("none of them"). */
static __always_inline int
sv_match(const struct sock_view *v, const struct sel_matcharg *ma)
{
	__u32 j, nv = ma->nvals, op, neg;
	__u64 lo, hi;
	int hit = 0;

	op = abi_op_base(ma->op, &neg);
	if (nv > HOOK_VALUES_MAX)
		nv = HOOK_VALUES_MAX;
	switch (op) {
	case POL_OP_SPORTPRIV:
		hit = v->sport < 1024;
		break;
	case POL_OP_DPORTPRIV:
		hit = v->dport < 1024;
		break;
	default:
		for (j = 0; j < HOOK_VALUES_MAX && !hit; j++) {
			if (j >= nv)
				break;
			lo = ma->v.num[j].lo;
			hi = ma->v.num[j].hi;
			switch (op) {
			case POL_OP_SADDR:
				hit = sv_cidr(v->fam, v->sa, &ma->v.cidr[j]);
				break;
			case POL_OP_DADDR:
				hit = sv_cidr(v->fam, v->da, &ma->v.cidr[j]);
				break;
			case POL_OP_SPORT:
				hit = v->sport >= lo && v->sport <= hi;
				break;
			case POL_OP_DPORT:
				hit = v->dport >= lo && v->dport <= hi;
				break;
			case POL_OP_FAMILY:
				hit = v->fam == lo;
				break;
			case POL_OP_PROTOCOL:
				hit = v->proto == lo;
				break;
			case POL_OP_STATE:
				hit = v->state == lo;
				break;
			default:
				return 0;	/* not a socket operator */
			}
		}
		break;
	}
	return neg ? !hit : hit;
}

#endif /* TRIPLINE_SOCKMATCH_BPF_H */
