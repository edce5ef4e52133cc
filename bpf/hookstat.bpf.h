/*
 * bpf/hookstat.bpf.h -- per-hook counters (struct hook_stat, bpf/hook.h)
 * shared by the generic policy programs and the cgroup network programs:
 * the map and hs_add.
 *
 * hook_stats	per-CPU array [HOOK_MAX] of struct hook_stat, index = hook
 *		id (summed by loaderd)
 */
#ifndef TRIPLINE_HOOKSTAT_BPF_H
#define TRIPLINE_HOOKSTAT_BPF_H

#include "hook.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HOOK_MAX);
	__type(key, __u32);
	__type(value, struct hook_stat);
} hook_stats SEC(".maps");

/* hook_stats fields */
#define HS_HITS		0
#define HS_MATCHED	1
#define HS_POSTED	2
#define HS_DROPPED	3
#define HS_ERRORS	4
#define HS_SIGNALS	5
#define HS_RATELIMITED	6
#define HS_OVERRIDES	7
#define HS_OVR_MISSED	8

static __always_inline void
hs_add(__u32 id, __u32 what)
{
	struct hook_stat *hs = bpf_map_lookup_elem(&hook_stats, &id);

	if (hs == NULL)
		return;
	switch (what) {
	case HS_HITS:
		hs->hits++;
		break;
	case HS_MATCHED:
		hs->matched++;
		break;
	case HS_POSTED:
		hs->posted++;
		break;
	case HS_DROPPED:
		hs->dropped++;
		break;
	case HS_ERRORS:
		hs->errors++;
		break;
	case HS_SIGNALS:
		hs->signals++;
		break;
	case HS_RATELIMITED:
		hs->ratelimited++;
		break;
	case HS_OVERRIDES:
		hs->overrides++;
		break;
	case HS_OVR_MISSED:
		hs->ovr_missed++;
		break;
	}
}

#endif /* TRIPLINE_HOOKSTAT_BPF_H */
