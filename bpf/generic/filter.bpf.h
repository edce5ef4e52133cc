/*
 * bpf/generic/filter.bpf.h -- selector evaluation: matchArgs /
 * matchReturnArgs on the captured arguments, the process filters
 * (matchPIDs, matchNamespaces, matchCapabilities, matchBinaries) and the
 * entry-side pipeline of a hit (gen_args_filter and its pieces).  Part
 * of generic.bpf.c.
 */
#ifndef TRIPLINE_GEN_FILTER_BPF_H
#define TRIPLINE_GEN_FILTER_BPF_H

/* ------------------------------------------------------------------ */
/* matchArgs / matchReturnArgs */

/*
 * The view the socket operators (sockmatch.bpf.h) take of a captured sock
 * / socket (struct ev_sock), skb (struct ev_skb, from its IP and TCP/UDP
 * headers) or sockaddr (struct ev_sockaddr: its address and port are both
 * the "source" and the "destination"; the loader allows no D* operator on
 * it) at gheap.rec[off].  0 if t is none of them.
 */
static __always_inline int
sock_view(struct gen_heap *gh, __u32 t, __u32 off, struct sock_view *v)
{
	struct ev_sock *so = (void *)(gh->rec + off);
	struct ev_skb *sk = (void *)(gh->rec + off);
	struct ev_sockaddr *sa = (void *)(gh->rec + off);

	switch (t) {
	case POL_ARG_SOCK:
	case POL_ARG_SOCKET:
		v->fam = so->family;
		v->sport = so->sport;
		v->dport = so->dport;
		v->proto = so->protocol;
		v->state = so->state;
		__builtin_memcpy(v->sa, so->saddr, 16);
		__builtin_memcpy(v->da, so->daddr, 16);
		return 1;
	case POL_ARG_SKB:
		v->fam = sk->family;
		v->sport = sk->sport;
		v->dport = sk->dport;
		v->proto = sk->proto;
		v->state = 0;
		__builtin_memcpy(v->sa, sk->saddr, 16);
		__builtin_memcpy(v->da, sk->daddr, 16);
		return 1;
	case POL_ARG_SOCKADDR:
		v->fam = sa->family;
		v->sport = v->dport = sa->port;
		v->proto = v->state = 0;
		__builtin_memcpy(v->sa, sa->addr, 16);
		__builtin_memcpy(v->da, sa->addr, 16);
		return 1;
	}
	return 0;
}

/* The socket operator of entry k of selectors[skey] on the argument
 * captured in gheap.ref[slot]: 1 passes. */
__noinline int
gen_sockop(__u32 skey, __u32 k, __u32 slot)
{
	struct gen_heap *gh = gh_get();
	struct sel_cfg *sc = sc_get(skey);
	struct sel_matcharg *ma;
	struct gen_argref *r;

	barrier_var(k);
	if (gh == NULL || sc == NULL || slot >= GEN_NARGS ||
	    k >= HOOK_MATCHARGS_MAX + HOOK_RETARGS_MAX)
		return 0;
	/* taken here, where k is bounded: 6.1's verifier loses the bound
	 * of a copy the compiler keeps for later */
	ma = &sc->args[k];
	r = &gh->ref[slot];
	/* the view in map memory: 6.1's combined stack limit */
	if (r->off > GEN_REC_MAX || !sock_view(gh, r->type, r->off, &gh->sv))
		return 0;
	return sv_match(&gh->sv, ma);
}

/*
 * Entry k of selectors[skey].args[] (k >= HOOK_MATCHARGS_MAX: the
 * retargs[] entries) against the captured arguments: 1 passes, 0 not,
 * 2 undecided (the argument's user memory could not be read: EVA_FAULT).
 * Positive operators OR over the values, negative ones AND ("not any").
 */
__noinline int
gen_matcharg(__u32 skey, __u32 k)
{
	struct gen_heap *gh = gh_get();
	struct sel_cfg *sc = sc_get(skey);
	struct sel_matcharg *ma;
	struct gen_argref *r;
	struct hook_num *num;
	struct inmap_key key;
	__u32 slot, j, n, op, neg, t;
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
	if (r->flags & EVA_FAULT)
		return 2;
	if (r->flags & EVA_ERROR)
		return 0;	/* nothing to compare: the entry fails */
	t = r->type;
	if (t == POL_ARG_SOCK || t == POL_ARG_SOCKET || t == POL_ARG_SKB ||
	    t == POL_ARG_SOCKADDR)
		return gen_sockop(skey, k, slot);
	op = abi_op_base(ma->op, &neg);
	if (ma->flags & SEL_MA_STRMAP) {
		hit = gen_str_map(r->off, r->len, skey, k);
		return neg ? !hit : hit;
	}
	v = r->val;
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
	default:
		for (j = 0; j < HOOK_VALUES_MAX && !hit; j++) {
			if (j >= n)
				break;
			num = &ma->v.num[j];
			if (abi_arg_is(t, ABI_AC_INT)) {
				switch (op) {
				case POL_OP_EQUAL:
					hit = v == num->lo;
					break;
				case POL_OP_MASK:
					hit = (v & num->lo) != 0;
					break;
				case POL_OP_GT:
					hit = abi_arg_has(t, ABI_AF_SIGNED) ?
					    (__s64)v > (__s64)num->lo :
					    v > num->lo;
					break;
				case POL_OP_LT:
					hit = abi_arg_has(t, ABI_AF_SIGNED) ?
					    (__s64)v < (__s64)num->lo :
					    v < num->lo;
					break;
				case POL_OP_INRANGE:
					hit = abi_arg_has(t, ABI_AF_SIGNED) ?
					    (__s64)v >= (__s64)num->lo &&
					    (__s64)v <= (__s64)num->hi :
					    v >= num->lo && v <= num->hi;
					break;
				}
			} else if (op == POL_OP_FILETYPE)
				/* v: the inode's mode; values: S_IF* bits */
				hit = (v & 0170000) == num->lo;
			else if (op == POL_OP_EQUAL || op == POL_OP_PREFIX ||
			    op == POL_OP_POSTFIX)
				hit = gen_str_match(r->off, r->len, skey,
				    SEL_ARG_STR_OFF(k, j), op);
			else if (op == POL_OP_SUBSTRING ||
			    op == POL_OP_SUBSTRING_IGNCASE)
				hit = gen_substr(r->off, r->len, skey,
				    SEL_ARG_STR_OFF(k, j),
				    op == POL_OP_SUBSTRING_IGNCASE);
		}
		break;
	}
	return neg ? !hit : hit;
}

/*
 * All matchArgs (ret = 0) or matchReturnArgs (ret = 1) of selectors[skey]
 * pass?  (A global function: keeps the callers' loops small to verify.)
 * When none fails but one is undecided (unreadable argument), 0 and the
 * selector's bit in gheap.unread.
 */
__noinline int
gen_entries_pass(__u32 skey, __u32 ret)
{
	struct sel_cfg *sc = sc_get(skey);
	struct gen_heap *gh = gh_get();
	__u32 n, k, base, undecided = 0;
	int r;

	if (sc == NULL || gh == NULL)
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
		r = gen_matcharg(skey, base + k);
		if (r == 0)
			return 0;
		if (r == 2)
			undecided = 1;
	}
	if (undecided) {
		gh->unread |= 1U << (skey % HOOK_SEL_MAX);
		return 0;
	}
	return 1;
}

/* where gen_quick_str reads its subject: the first argument's payload
 * (the record is built after it, from the start) */
#define GEN_QSTR_OFF	(sizeof(struct ev_generic) + sizeof(struct ev_arg))

/* reads of up to this many bytes are tried with a plain copy first */
#define GEN_QSTR_FIXED	64

/* x has a zero byte */
static __always_inline int
word_has0(__u64 x)
{
	return ((x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL) != 0;
}

/*
 * The length of the string at gheap.rec[GEN_QSTR_OFF], of which n8 bytes
 * (a multiple of 8, <= GEN_QSTR_FIXED) were copied: the index of its
 * first NUL, or n8 if none.
 */
static __always_inline __u32
qstr_len(struct gen_heap *gh, __u32 n8)
{
	__u8 *a = gh->rec + GEN_QSTR_OFF;
	__u32 i, j;
	__u64 w;

	for (i = 0; i < GEN_QSTR_FIXED / 8; i++) {
		if (i * 8 >= n8)
			break;
		w = *(__u64 *)(a + i * 8);
		if (!word_has0(w))
			continue;
		for (j = 0; j < 8; j++)
			if (a[i * 8 + j] == 0)
				return i * 8 + j;
	}
	return n8;
}

/* The bytes matchArgs entry ma's values can compare under (positive) op:
 * one more than its longest value (Equal, Prefix), 0: all of it
 * (Postfix). */
static __always_inline __u32
qstr_need(struct sel_matcharg *ma, __u32 op)
{
	__u32 j, n, l, need = 0;

	if (op == POL_OP_POSTFIX)
		return 0;
	if (ma->flags & SEL_MA_STRMAP)
		return ma->v.smap.maxlen + 1;
	n = ma->nvals;
	for (j = 0; j < HOOK_VALUES_MAX; j++) {
		if (j >= n)
			break;
		l = ma->v.str[j].len;
		if (l > need)
			need = l;
	}
	return need + 1;
}

/*
 * A non-matching call reads no more than its decision needs: matchArgs
 * entry k of selectors[skey] on a string or filename argument under
 * Equal, Prefix or Postfix (positive, inline values or string maps).
 * Only the bytes its values can compare are read (qstr_need; Postfix:
 * the whole string), into the record's first argument area (map memory:
 * no stack), and compared as the capture's would be: a string longer
 * than that has the same prefix, and is too long for Equal.  0: the
 * entry fails, decided here; 1: not decided here (a value matches, the
 * read failed, or the entry is not of this kind: the capture decides,
 * and flags an unreadable argument).  Nothing is kept: a selector that
 * passes captures its arguments after.  Not for hooks whose argument is
 * noted for the race check (race_arg: the note is of the capture), nor
 * for the executors' re-check (the kernel's copy).
 */
__noinline int
gen_quick_str(struct gctx *g, __u32 skey, __u32 k)
{
	struct gen_heap *gh = gh_get();
	struct sel_cfg *sc = sc_get(skey);
	__u64 raw = 0, max, need, n8;
	struct sel_matcharg *ma;
	struct hook_arg *a;
	struct hook_cfg *hc;
	__u32 op, neg, n, j, slot, slen;
	long r;

	barrier_var(k);
	if (g == NULL || gh == NULL || sc == NULL || k >= HOOK_MATCHARGS_MAX ||
	    (hc = hc_get(g->id)) == NULL)
		return 1;
	if (g->phase > PH_ENTRY || g->nouser || hc->race_arg != 0)
		return 1;
	ma = &sc->args[k];
	slot = ma->arg;
	if (slot >= HOOK_ARGS_MAX)
		return 1;
	a = &hc->args[slot];
	op = abi_op_base(ma->op, &neg);
	if (neg || (op != POL_OP_EQUAL && op != POL_OP_PREFIX &&
	    op != POL_OP_POSTFIX) || (a->flags & HOOK_ARGF_DATA_LOC) ||
	    (a->type != POL_ARG_STRING && a->type != POL_ARG_FILENAME))
		return 1;
	max = a->max;
	if (max == 0 || max > HOOK_ARG_DATA_MAX)
		max = HOOK_ARG_DATA_MAX;
	need = qstr_need(ma, op);
	if (need > 0 && need < max)
		max = need;
	/* 6.1's verifier loses the bound of the minimum */
	barrier_var(max);
	if (max > HOOK_ARG_DATA_MAX)
		return 1;
	if (arg_raw(g, gh, a, &raw) != 0 || raw == 0)
		return 1;
	g->rck_now = 0;
	/*
	 * A syscall's string of a few words: one plain copy of the words
	 * the values compare, the NUL found here (the string helper checks
	 * its destination and copies byte by byte to the NUL: it costs more
	 * than the copy).  Bytes past the NUL are not looked at.  A copy
	 * that fails (the words run into an unmapped page) is done again
	 * with the string helper, which stops at the NUL.
	 */
	n8 = (max + 7) & ~7ULL;
	if (g->kind == HOOK_K_SYSCALL && n8 <= GEN_QSTR_FIXED &&
	    bpf_probe_read_user(gh->rec + GEN_QSTR_OFF, n8 & 0x78,
	    (void *)raw) == 0) {
		slen = qstr_len(gh, n8);
		if (slen > max)
			slen = max;
	} else {
		r = str_read(g, gh->rec + GEN_QSTR_OFF, max, raw);
		if (r <= 0)
			return 1;
		slen = (__u64)r > max ? max : r - 1;
	}
	if (ma->flags & SEL_MA_STRMAP)
		return gen_str_map(GEN_QSTR_OFF, slen, skey, k);
	n = ma->nvals;
	for (j = 0; j < HOOK_VALUES_MAX; j++) {
		if (j >= n)
			break;
		if (gen_str_match(GEN_QSTR_OFF, slen, skey,
		    SEL_ARG_STR_OFF(k, j), op))
			return 1;
	}
	return 0;
}

/*
 * The matchArgs entries of selector s of hook g->id on integer arguments,
 * decided from the raw values (quick_int), and string entries a short read
 * can refuse (gen_quick_str): -1 if one of them fails, else
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
			if (!gen_quick_str(g, key, k))
				return -1;
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
	struct gen_heap *gh = gh_get();
	struct heap *h = h_get();
	struct execbin_val *eb;
	int n;

	if (gh == NULL || h == NULL)
		return -1;
	eb = execbin_of(cur_task(), tgid, gh, h);
	if (eb == NULL || (n = execbin_len(eb)) < 0)
		return -1;
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

	op = abi_op_base(sb->op, &neg);
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

	op = abi_op_base(sb->op, &neg);
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
	__u32 key, tgid, neg;
	int in, n;

	if (g == NULL || s >= HOOK_SEL_MAX)
		return 0;
	key = g->id * HOOK_SEL_MAX + s;
	if (!sel_task_ok(key, g->pid_tgid))
		return 0;
	sc = sc_get(key);
	if (sc == NULL)
		return 0;
	if (!sc->has_bins)
		return 1;
	abi_op_base(sc->bins.op, &neg);
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
	if (!in && sc->bins.follow_children)
		in = sel_follows(tgid, key);
	return neg ? !in : in;
}

/* ------------------------------------------------------------------ */
/* the entry side of a hit */

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
		if (g->phase != PH_ENTRY)
			break;
	}
	return amask;
}

/*
 * Entry side of a hit, after the process filters passed the selectors in
 * pmask (need: one of them has matchArgs).  matchArgs entries on integer
 * arguments are decided from the raw values first (gen_prefilter); only
 * then are the arguments up to the last one a remaining selector needs
 * captured, and its other entries checked.
 * Returns the selectors that passed (bits 0-7; PH_ONESHOT: only the
 * first) and, in bits 16-23, how many arguments were captured.
 */
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

#endif /* TRIPLINE_GEN_FILTER_BPF_H */
