/*
 * bpf/generic/exec.bpf.h -- program generic_exec (tail call of
 * the process programs' handle_exec): the followChildren bits of the
 * new image.  Part of generic.bpf.c.
 */
#ifndef TRIPLINE_GEN_EXEC_BPF_H
#define TRIPLINE_GEN_EXEC_BPF_H

/*
 * exec (tail call from the process programs' handle_exec, after it wrote
 * execbin): set the followChildren bit of every selector whose
 * matchBinaries values the new binary matches.
 */
__noinline int
gen_follow_hook(__u32 id, __u32 tgid, __u32 blen)
{
	struct execbin_val *eb;
	struct hook_cfg *hc = hc_get(id);
	struct sel_cfg *sc;
	__u32 s, n, key, w;

	if (hc == NULL || !(hc->flags & HOOK_F_ENABLED) || hc->nsel == 0)
		return 0;
	n = hc->nsel;
	if (n > HOOK_SEL_MAX)
		n = HOOK_SEL_MAX;
	for (s = 0; s < HOOK_SEL_MAX; s++) {
		if (s >= n)
			break;
		key = id * HOOK_SEL_MAX + s;
		sc = sc_get(key);
		if (sc == NULL)
			break;
		if (!sc->has_bins || !sc->bins.follow_children)
			continue;
		if (!bins_in(blen, &sc->bins, key))
			continue;
		eb = bpf_map_lookup_elem(&execbin, &tgid);
		w = key / 64;
		barrier_var(w);
		if (eb == NULL || w >= EXECBIN_FOLLOW_WORDS)
			return 0;
		__sync_fetch_and_or(&eb->follow[w], 1ULL << (key % 64));
	}
	return 0;
}

struct exec_loop {
	__u32	tgid;
	__u32	blen;
};

static long
exec_hook_cb(__u64 i, void *data)
{
	struct exec_loop *x = data;

	gen_follow_hook(i, x->tgid, x->blen);
	return 0;
}

SEC("raw_tp")
int
generic_exec(struct bpf_raw_tracepoint_args *ctx)
{
	struct gen_heap *gh = gh_get();
	struct execbin_val *eb;
	struct exec_loop x;
	__u32 n;

	x.tgid = bpf_get_current_pid_tgid() >> 32;
	eb = bpf_map_lookup_elem(&execbin, &x.tgid);
	if (eb == NULL || gh == NULL || (eb->flags & EXECBIN_F_ERR))
		return 0;
	n = eb->len;
	if (n > HOOK_STR_MAX)
		n = HOOK_STR_MAX;
	bpf_probe_read_kernel(gh->bin, n, eb->path);
	x.blen = n;
	bpf_loop(HOOK_MAX, exec_hook_cb, &x, 0);
	return 0;
}

#endif /* TRIPLINE_GEN_EXEC_BPF_H */
