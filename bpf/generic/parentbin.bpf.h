/*
 * bpf/generic/parentbin.bpf.h -- matchParentBinaries: the operators of
 * matchBinaries on the binary of the current process's parent (its
 * real_parent's thread group), from the parent's execbin entry (made from
 * its mm->exe_file, once, when the parent was never seen exec'ing), and
 * that lookup (execbin_of), which gen_binary (filter.bpf.h) shares.  Part
 * of generic.bpf.c, before filter.bpf.h.
 */
#ifndef TRIPLINE_GEN_PARENTBIN_BPF_H
#define TRIPLINE_GEN_PARENTBIN_BPF_H

#define SEL_PBIN_STR_OFF(k)	(__builtin_offsetof(struct sel_cfg, \
	pbins.bins) + (k) * sizeof(struct hook_str))

/*
 * The execbin entry of task t (thread group tgid), made from its
 * mm->exe_file (the path built in gheap.bin) when it has none yet; NULL
 * if it cannot be made.
 */
static __always_inline struct execbin_val *
execbin_of(struct task_struct *t, __u32 tgid, struct gen_heap *gh,
    struct heap *h)
{
	struct execbin_val *eb = bpf_map_lookup_elem(&execbin, &tgid);
	struct file *exe;
	int n = -1;

	if (eb != NULL)
		return eb;
	exe = BPF_CORE_READ(t, mm, exe_file);
	if (exe != NULL)
		n = gen_path((__u64)BPF_CORE_READ(exe, f_path.dentry),
		    (__u64)BPF_CORE_READ(exe, f_path.mnt), GEN_BIN_OFF);
	return execbin_put(tgid, h, gh->bin, n);
}

/* The path length of an execbin entry (at most HOOK_STR_MAX), -1 when
 * the path is unknown. */
static __always_inline int
execbin_len(struct execbin_val *eb)
{
	int n;

	if (eb->flags & EXECBIN_F_ERR)
		return -1;
	n = eb->len;
	barrier_var(n);
	if (n < 0 || n > HOOK_STR_MAX)
		n = HOOK_STR_MAX;
	return n;
}

/*
 * The parent's binary path into gheap.bin: its length, or -1 when
 * unknown.  gheap.bin held the current binary's path (g->bin 1): the
 * caller forgets it.
 */
__noinline int
gen_parent_binary(__u32 unused)
{
	struct task_struct *p = BPF_CORE_READ(cur_task(), real_parent);
	struct gen_heap *gh = gh_get();
	struct heap *h = h_get();
	struct execbin_val *eb;
	int n;

	if (gh == NULL || h == NULL || p == NULL)
		return -1;
	eb = execbin_of(p, BPF_CORE_READ(p, tgid), gh, h);
	if (eb == NULL || (n = execbin_len(eb)) < 0)
		return -1;
	bpf_probe_read_kernel(gh->bin, n, eb->path);
	return n;
}

/* matchParentBinaries of selector s of hook g->id: 1 it passes (or the
 * selector has none). */
__noinline int
gen_parent_bins(struct gctx *g, __u32 s)
{
	struct sel_cfg *sc;
	__u32 key, k, n, neg, op;
	int blen, in = 0;

	if (g == NULL || s >= HOOK_SEL_MAX)
		return 0;
	key = g->id * HOOK_SEL_MAX + s;
	sc = sc_get(key);
	if (sc == NULL)
		return 0;
	n = sc->pbins.nvals;
	if (n == 0)
		return 1;
	op = abi_op_base(sc->pbins.op, &neg);
	if (op == POL_OP_IN)
		op = POL_OP_EQUAL;
	if (n > HOOK_BINS_MAX)
		n = HOOK_BINS_MAX;
	blen = gen_parent_binary(0);
	g->bin = 0;	/* gheap.bin is the parent's now */
	for (k = 0; k < HOOK_BINS_MAX && blen >= 0; k++) {
		if (k >= n)
			break;
		if (gen_str_match(GEN_BIN_OFF, blen, key, SEL_PBIN_STR_OFF(k),
		    op)) {
			in = 1;
			break;
		}
	}
	return neg ? !in : in;
}

#endif /* TRIPLINE_GEN_PARENTBIN_BPF_H */
