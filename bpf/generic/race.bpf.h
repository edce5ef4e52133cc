/*
 * bpf/generic/race.bpf.h -- the argument a syscall hook decided on, read
 * again at sys_exit: a change means a racing thread rewrote it around
 * the kernel's own copy, and the decision may not be the one the kernel
 * acted on (hook_cfg.race_arg, map race_chk, counter raced).  Part of
 * generic.bpf.c.
 */
#ifndef TRIPLINE_GEN_RACE_BPF_H
#define TRIPLINE_GEN_RACE_BPF_H

/* The first HOOK_STR_MAX of len bytes at gheap.rec[off], hashed, with
 * len. */
static __always_inline __u64
race_hash(struct gen_heap *gh, __u32 off, __u32 len)
{
	barrier_var(off);
	if (off > GEN_CMP_MAX)
		return len;
	return words_hash(gh, off, len, HOOK_STR_MAX / 8,
	    0xcbf29ce484222325ULL ^ len);
}

/*
 * sys_enter, hook g->id with race_arg: its argument slot as captured for
 * the selectors (gheap.ref), noted for sys_exit.  Not captured or not
 * readable: nothing to compare.
 */
__noinline int
gen_race_note(struct gctx *g, __u32 slot)
{
	struct gen_heap *gh = gh_get();
	struct race_note rn;
	struct gen_argref *r;
	__u64 key;

	if (g == NULL || gh == NULL || slot >= HOOK_ARGS_MAX)
		return 0;
	r = &gh->ref[slot];
	if (r->flags & EVA_ERROR)
		return 0;
	key = g->pid_tgid;
	rn.id = g->id;
	rn.gen = g->gen;
	rn.nr = g->nr;
	rn.len = r->len;
	rn.ptr = r->val;
	rn.hash = race_hash(gh, r->off, r->len);
	exit_put(&race_chk, &key, &rn);
	return 0;
}

/*
 * sys_exit of syscall g->nr: the argument noted at entry read again from
 * the same pointer; different bytes count in the hook's raced.
 */
__noinline int
gen_race_exit(struct gctx *g)
{
	struct gen_heap *gh = gh_get();
	struct race_note *p;
	struct hook_cfg *hc;
	struct gen_argref *r;
	__u64 key, hash, ptr;
	__u32 slot, src, len;

	if (g == NULL || gh == NULL)
		return 0;
	key = g->pid_tgid;
	p = bpf_map_lookup_elem(&race_chk, &key);
	if (p == NULL)
		return 0;
	g->id = p->id;
	hash = p->hash;
	ptr = p->ptr;
	len = p->len;
	if (p->nr != g->nr || (hc = hc_get(p->id)) == NULL ||
	    hc->gen != p->gen || hc->race_arg == 0) {
		exit_del(&race_chk, &key);
		return 0;
	}
	exit_del(&race_chk, &key);
	slot = hc->race_arg - 1;
	if (slot >= HOOK_ARGS_MAX)
		return 0;
	src = hc->args[slot].src;
	if (src >= 6)
		return 0;
	g->args[src] = ptr;
	g->have_args = 1;
	g->phase = PH_ONESHOT;
	gh->pos = 0;
	gen_capture(g, slot);
	r = &gh->ref[slot];
	if (r->flags & EVA_ERROR)
		return 0;
	if (r->len != len || race_hash(gh, r->off, r->len) != hash)
		hs_add(g->id, HS_RACED);
	return 0;
}

#endif /* TRIPLINE_GEN_RACE_BPF_H */
