/*
 * bpf/maps.bpf.h -- maps shared by the process-lifecycle programs.
 *
 * events	ring buffer of records (bpf/events.h); max_entries is set by
 *		loaderd before load (power of 2, multiple of the page size).
 * execmap	tgid -> ktime of the process's current image (exec time, or
 *		fork time until it execs).  Written on fork and exec, deleted
 *		on exit of the thread group.
 * heap		per-CPU scratch: the largest record plus the path walker's
 *		buffer (too big for the 512-byte BPF stack).
 * stats	per-CPU counters indexed by enum ev_stat, summed by loaderd.
 * execbin	tgid -> binary path of the current image and the
 *		followChildren bits (struct execbin_val, bpf/hook.h), for
 *		matchBinaries.  Written on exec, copied on fork, deleted on
 *		exit (bpf/process.bpf.c); set bits at exec by generic_exec.
 * execcred	tgid -> capabilities and namespaces at exec (struct
 *		execcred_val, bpf/hook.h), for the change filters.  Written
 *		on exec, copied on fork, deleted on exit.
 *
 * bpf/generic.bpf.c includes this file too: loaderd makes its events,
 * execmap, stats, execbin and execcred the process programs' maps
 * (reuse_fd); its heap stays its own scratch.
 */
#ifndef TRIPLINE_MAPS_BPF_H
#define TRIPLINE_MAPS_BPF_H

#include "events.h"
#include "hook.h"

#define EXECMAP_ENTRIES	32768

/* execmap value flags */
#define EXECMAP_F_FORK	0x0001	/* ktime is the fork time: no exec seen yet */

struct execmap_val {
	__u64 ktime;
	__u32 flags;
	__u32 pad;
};

/*
 * The path walker writes components backwards into the first EV_PATH_MAX
 * bytes of path[]; the buffer is twice that so that every offset/length
 * pair the verifier can see (each masked to EV_PATH_MAX - 1) stays inside.
 */
#define HEAP_REC_SIZE	(sizeof(struct ev_exec) + EV_EXEC_MAX)
#define HEAP_PATH_SIZE	(EV_PATH_MAX * 2)

struct heap {
	__u8 rec[HEAP_REC_SIZE];
	char path[HEAP_PATH_SIZE];
	__u32 pos;		/* path walker's write position */
	__u32 pad;
	struct execbin_val eb;	/* a new execbin entry is built here */
	struct execcred_val cred;	/* ... and a new execcred entry */
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);	/* overridden by loaderd */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EXECMAP_ENTRIES);
	__type(key, __u32);
	__type(value, struct execmap_val);
} execmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct heap);
} heap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EV_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EXECMAP_ENTRIES);
	__type(key, __u32);
	__type(value, struct execbin_val);
} execbin SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EXECMAP_ENTRIES);
	__type(key, __u32);
	__type(value, struct execcred_val);
} execcred SEC(".maps");

#endif /* TRIPLINE_MAPS_BPF_H */
