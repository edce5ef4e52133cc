/*
 * bpf/generic/strcmp.bpf.h -- string compares of the selectors: a
 * captured subject against a value of selectors[] (matchArgs strings,
 * matchBinaries).  Part of generic.bpf.c.
 */
#ifndef TRIPLINE_GEN_STRCMP_BPF_H
#define TRIPLINE_GEN_STRCMP_BPF_H

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

/*
 * SubString, SubStringIgnCase: is a value (at most HOOK_SUBSTR_MAX bytes)
 * anywhere in the subject?  One bpf_loop over the subject's start
 * positions (its callback is verified once, whatever the subject's
 * length): a position whose first word differs from the value's costs
 * one 8-byte load and compare; only a first-word hit compares the rest.
 * IgnCase folds ASCII A-Z of the subject (lower8); loaderd stores the
 * value folded.
 */

/* the ASCII capitals of the 8 bytes of x as small letters, other bytes
 * as they are */
static __always_inline __u64
lower8(__u64 x)
{
	const __u64 hi = 0x8080808080808080ULL;
	__u64 low7 = x & ~hi;
	__u64 ge_a = low7 + 0x3f3f3f3f3f3f3f3fULL;	/* low 7 bits >= 'A' */
	__u64 gt_z = low7 + 0x2525252525252525ULL;	/* ... > 'Z' */

	return x | (((ge_a & ~gt_z & ~x) & hi) >> 2);
}

/* the first n bytes of a word (all of them from 8 on) */
static __always_inline __u64
word_mask(__u32 n)
{
	return n >= 8 ? ~0ULL : (1ULL << (n * 8)) - 1;
}

#define SUB_WORDS	((HOOK_SUBSTR_MAX + 7) / 8)

/* bpf_loop callback: the value at subject position i?  1 stops (found,
 * or out of bounds). */
static long
sub_at_cb(__u64 i, void *data)
{
	struct gen_heap *gh = gh_get();
	struct sel_cfg *sc;
	struct gen_sub *x;
	__u64 w, m;
	__u32 p, j, n, voff;
	__u8 *v;

	if (gh == NULL)
		return 1;
	x = &gh->sub;
	p = x->soff + (__u32)i;
	barrier_var(p);
	if (p > GEN_CMP_MAX)
		return 1;
	w = *(__u64 *)(gh->rec + p);
	if (x->icase)
		w = lower8(w);
	if ((w & x->m0) != x->w0)
		return 0;
	n = x->len;
	voff = x->voff;
	sc = sc_get(x->skey);
	if (sc == NULL || voff > sizeof(struct sel_cfg) - sizeof(struct hook_str))
		return 1;
	v = (__u8 *)((struct hook_str *)((void *)sc + voff))->s;
	for (j = 1; j < SUB_WORDS; j++) {
		if (j * 8 >= n)
			break;
		w = *(__u64 *)(gh->rec + p + j * 8);
		if (x->icase)
			w = lower8(w);
		m = word_mask(n - j * 8);
		if ((w & m) != (*(__u64 *)(v + j * 8) & m))
			return 0;
	}
	x->found = 1;
	return 1;
}

/* Subject (slen bytes at gheap.rec[soff]) holds the value at byte voff
 * of selectors[skey] (a struct hook_str)?  icase: SubStringIgnCase. */
__noinline int
gen_substr(__u32 soff, __u32 slen, __u32 skey, __u32 voff, __u32 icase)
{
	struct gen_heap *gh = gh_get();
	struct sel_cfg *sc = sc_get(skey);
	struct hook_str *v;
	struct gen_sub *x;
	__u32 l;

	if (gh == NULL || sc == NULL ||
	    voff > sizeof(struct sel_cfg) - sizeof(struct hook_str))
		return 0;
	v = (void *)sc + voff;
	l = v->len;
	if (l == 0 || l > HOOK_SUBSTR_MAX || slen < l ||
	    slen > HOOK_ARG_DATA_MAX || soff > GEN_REC_MAX)
		return 0;
	x = &gh->sub;
	x->m0 = word_mask(l);
	x->w0 = *(__u64 *)v->s & x->m0;
	x->soff = soff;
	x->skey = skey;
	x->voff = voff;
	x->len = l;
	x->icase = icase;
	x->found = 0;
	bpf_loop(slen - l + 1, sub_at_cb, NULL, 0);
	return x->found;
}

/*
 * The key of gen_str_map's lookup in gheap.sk: n bytes of the subject at
 * gheap.rec[soff], 8 at a time.  zero: the bytes past n are zeroed (a
 * hash key), else left as they are (an LPM key compares only prefixlen
 * bits).
 */
static __always_inline void
strkey_fill(struct gen_heap *gh, __u8 *dst, __u32 soff, __u32 n, int zero)
{
	__u64 x, mask;
	__u32 i, rem;
	__u8 *a;

	barrier_var(soff);
	barrier_var(n);
	if (soff > GEN_CMP_MAX || n > HOOK_STR_MAX)
		return;
	a = gh->rec + soff;
	for (i = 0; i < HOOK_STR_MAX / 8; i++) {
		if (i * 8 >= n && !zero)
			break;
		x = 0;
		if (i * 8 < n) {
			x = *(__u64 *)(a + i * 8);
			rem = n - i * 8;
			if (rem < 8) {
				mask = (1ULL << (rem * 8)) - 1;
				x &= mask;
			}
		}
		*(__u64 *)(dst + i * 8) = x;
	}
}

/* The last n bytes of the subject (slen bytes at gheap.rec[soff]),
 * reversed, into the LPM key. */
static __always_inline void
strkey_rev(struct gen_heap *gh, __u32 soff, __u32 slen, __u32 n)
{
	__u8 *a = gh->rec;
	__u32 i, p;

	for (i = 0; i < HOOK_STRLPM_MAX; i++) {
		if (i >= n)
			break;
		p = soff + slen - 1 - i;
		barrier_var(p);
		if (p > GEN_CMP_MAX)
			return;
		gh->sk.lpm.s[i] = a[p];
	}
}

/*
 * Could the subject (slen bytes at gheap.rec[soff]) match a key of the
 * string map of sm at all?  Every key starts with sm->cp (strsfx: every
 * value ends with it): a subject of at least cplen bytes that does not
 * (its first bytes; Postfix: its last, reversed) matches none, decided
 * without the lookup.  1: maybe.
 */
static __always_inline int
strmap_maybe(struct gen_heap *gh, __u32 soff, __u32 slen,
    struct hook_strmap *sm, __u32 op)
{
	__u32 q = sm->cplen, i, p;

	if (q == 0 || q > HOOK_STRMAP_CP || slen < q)
		return 1;
	for (i = 0; i < HOOK_STRMAP_CP; i++) {
		if (i >= q)
			break;
		p = op == POL_OP_POSTFIX ? soff + slen - 1 - i : soff + i;
		barrier_var(p);
		if (p > GEN_CMP_MAX)
			return 1;
		if (gh->rec[p] != sm->cp[i])
			return 0;
	}
	return 1;
}

/*
 * Subject (slen bytes at gheap.rec[soff]) against the values of entry k
 * of selectors[skey] that live in the string maps (SEL_MA_STRMAP), under
 * the positive form of its operator: one map lookup however many values
 * there are (none if the subject lacks the first bytes all values share:
 * strmap_maybe), and only the bytes the longest value can compare go
 * into the key.  Equal: the hash streq, keyed by (map id, length, bytes).
 * Prefix: the LPM trie strpfx on the subject with its terminating NUL
 * (a value whose last byte is NUL is then a whole string, as in
 * gen_str_match).  Postfix: the LPM trie strsfx on the subject reversed.
 * A value with a trailing NUL is stored twice by loaderd (with and
 * without it), as gen_str_match tries both.
 */
__noinline int
gen_str_map(__u32 soff, __u32 slen, __u32 skey, __u32 k)
{
	struct gen_heap *gh = gh_get();
	struct sel_cfg *sc = sc_get(skey);
	struct sel_matcharg *ma;
	__u32 op, neg, n, lo, hi;

	barrier_var(k);
	if (gh == NULL || sc == NULL ||
	    k >= HOOK_MATCHARGS_MAX + HOOK_RETARGS_MAX)
		return 0;
	ma = &sc->args[k];
	op = abi_op_base(ma->op, &neg);
	lo = ma->v.smap.minlen;
	hi = ma->v.smap.maxlen;
	if (soff > GEN_CMP_MAX || slen > HOOK_ARG_DATA_MAX)
		return 0;
	/* the first (last) bytes every value shares: most misses are
	 * decided without the lookup */
	if (!strmap_maybe(gh, soff, slen, &ma->v.smap, op))
		return 0;
	switch (op) {
	case POL_OP_EQUAL:
		if (slen < lo || slen > hi || slen > HOOK_STR_MAX)
			return 0;
		gh->sk.eq.map_id = ma->map_id;
		gh->sk.eq.len = slen;
		strkey_fill(gh, gh->sk.eq.s, soff, slen, 1);
		return bpf_map_lookup_elem(&streq, &gh->sk.eq) != NULL;
	case POL_OP_PREFIX:
		if (slen + 1 < lo || hi > HOOK_STRLPM_MAX)
			return 0;
		n = slen < hi ? slen : hi;
		strkey_fill(gh, gh->sk.lpm.s, soff, n, 0);
		if (n < hi) {
			/* the terminating NUL */
			barrier_var(n);
			if (n >= HOOK_STRLPM_MAX)
				return 0;
			gh->sk.lpm.s[n] = 0;
			n++;
		}
		gh->sk.lpm.map_id = ma->map_id;
		gh->sk.lpm.prefixlen = 32 + 8 * n;
		return bpf_map_lookup_elem(&strpfx, &gh->sk.lpm) != NULL;
	case POL_OP_POSTFIX:
		if (slen < lo || hi > HOOK_STRLPM_MAX)
			return 0;
		n = slen < hi ? slen : hi;
		strkey_rev(gh, soff, slen, n);
		gh->sk.lpm.map_id = ma->map_id;
		gh->sk.lpm.prefixlen = 32 + 8 * n;
		return bpf_map_lookup_elem(&strsfx, &gh->sk.lpm) != NULL;
	}
	return 0;
}

#define SEL_ARG_STR_OFF(k, j)	(__builtin_offsetof(struct sel_cfg, args) + \
	(k) * sizeof(struct sel_matcharg) + \
	__builtin_offsetof(struct sel_matcharg, v.str) + \
	(j) * sizeof(struct hook_str))
#define SEL_BIN_STR_OFF(k)	(__builtin_offsetof(struct sel_cfg, bins.bins) + \
	(k) * sizeof(struct hook_str))

#endif /* TRIPLINE_GEN_STRCMP_BPF_H */
