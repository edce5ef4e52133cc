/*
 * bpf/hookcfg.bpf.h -- the hook configuration maps (written by loaderd,
 * layouts in bpf/hook.h), read by the generic policy programs
 * (generic_maps.bpf.h) and the cgroup network programs (net.bpf.c); the
 * loader makes the network object's maps the generic object's
 * (bpf_map__reuse_fd).
 *
 * hooks	array [HOOK_MAX] of struct hook_cfg, index = hook id
 * selectors	array [HOOK_MAX * HOOK_SEL_MAX] of struct sel_cfg,
 *		index = id * HOOK_SEL_MAX + selector
 */
#ifndef TRIPLINE_HOOKCFG_BPF_H
#define TRIPLINE_HOOKCFG_BPF_H

#include "hook.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HOOK_MAX);
	__type(key, __u32);
	__type(value, struct hook_cfg);
} hooks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HOOK_MAX * HOOK_SEL_MAX);
	__type(key, __u32);
	__type(value, struct sel_cfg);
} selectors SEC(".maps");

static __always_inline struct hook_cfg *
hc_get(__u32 id)
{
	return bpf_map_lookup_elem(&hooks, &id);
}

static __always_inline struct sel_cfg *
sc_get(__u32 key)
{
	return bpf_map_lookup_elem(&selectors, &key);
}

#endif /* TRIPLINE_HOOKCFG_BPF_H */
