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
 * Subject (slen bytes at gheap.rec[soff]) against the values of entry k
 * of selectors[skey] that live in the string maps (SEL_MA_STRMAP), under
 * the positive form of its operator: one map lookup however many values
 * there are, and only the bytes the longest value can compare go into
 * the key.  Equal: the hash streq, keyed by (map id, length, bytes).
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
