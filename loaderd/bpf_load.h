/*
 * loaderd/bpf_load.h -- open, size, load and attach the embedded BPF
 * programs (bpf/process.bpf.c) and hand out the ring buffer.
 */
#ifndef TRIPLINE_BPF_LOAD_H
#define TRIPLINE_BPF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/events.h"

struct bpf_object;
struct bpfl;

/* One BPF program and the outcome of attaching it. */
struct bpfl_prog {
	const char	*name;		/* program name, e.g. "handle_exec" */
	const char	*hook;		/* section, e.g. "raw_tracepoint/..." */
	int		 attached;	/* 1 if attached */
	char		 error[160];	/* why not, if !attached */
};

/*
 * Load everything: mounts tracefs at /sys/kernel/tracing if
 * /sys/kernel/tracing/events is absent, routes libbpf's messages into
 * common/log.h, opens the skeleton, sets the ring buffer to ringbuf_size
 * bytes (a power of 2, at least the page size), loads and attaches every
 * program, logging one line per program.  Failing to attach the exec or
 * exit program is fatal; others are logged and reported by bpfl_progs().
 * On success *out is owned by the caller (bpfl_free).  On error returns
 * ERR_RANGE (bad size), ERR_SYS (load/attach failed) or ERR_UNSUPP, with a
 * message in err.
 */
int	bpfl_open(struct bpfl **out, uint64_t ringbuf_size, char *err,
	    size_t errlen);

/* The "events" ring buffer map fd (borrowed: valid until bpfl_free). */
int	bpfl_ringbuf_fd(struct bpfl *);
uint64_t bpfl_ringbuf_size(struct bpfl *);

/* The "execmap" hash map fd (borrowed), tgid -> image ktime. */
int	bpfl_execmap_fd(struct bpfl *);

/* fd of the process programs' map called name (borrowed), -1 if none. */
int	bpfl_map_fd(struct bpfl *, const char *name);

/* Number of possible CPUs (size of per-CPU map values). */
int	bpfl_ncpus(struct bpfl *);

/*
 * The generic policy programs (bpf/generic.bpf.c), opened and loaded on
 * the first call: the maps they share with the process programs (events,
 * execmap, stats, execbin: each one both objects define) are the process
 * programs' maps (bpf_map__reuse_fd before load), so one ring buffer and
 * one exec map serve both.  Nothing is attached: loaderd/pl_attach.c
 * attaches per policy.  *obj is borrowed until bpfl_free.  0, or ERR_SYS /
 * ERR_UNSUPP with a message in err (then the next call tries again).
 */
/*
 * Another instance of the generic object with only progs loaded, every map
 * the main instance's, tl_fn_hook = hook, and (target != NULL) the attach
 * target of those programs set (LSM hook name, kernel function).  The
 * caller attaches the programs (bpfl_inst_prog) and frees it.
 */
struct bpfl_inst;
int	bpfl_instance(struct bpfl *, const char *const *progs, size_t nprogs,
	    const char *target, uint32_t hook, struct bpfl_inst **out,
	    char *err, size_t errlen);
struct bpf_program *bpfl_inst_prog(struct bpfl_inst *, const char *name);
void	bpfl_inst_free(struct bpfl_inst *);

int	bpfl_generic(struct bpfl *, struct bpf_object **obj, char *err,
	    size_t errlen);

/* Sum the per-CPU "stats" counters (enum ev_stat).  0 or ERR_SYS. */
int	bpfl_stats(struct bpfl *, uint64_t out[EV_STAT_MAX]);

/* Programs and their attach state (borrowed array); returns the count. */
size_t	bpfl_progs(struct bpfl *, const struct bpfl_prog **progs);

/* Detach, close and free (also the generic programs: free the policy set
 * first); NULL-safe. */
void	bpfl_free(struct bpfl *);

#endif
