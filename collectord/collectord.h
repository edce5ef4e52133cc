/*
 * collectord/collectord.h -- the collector's process-wide state and the
 * record pipeline (ring buffer record -> decode -> pcache -> store/export).
 */
#ifndef TRIPLINE_COLLECTORD_H
#define TRIPLINE_COLLECTORD_H

#include <stddef.h>
#include <stdint.h>

#include "generic.h"
#include "sandbox.h"

struct hooktab;
struct ipc_drops;
struct outbox;
struct pcache;
struct proc;
struct store;
struct export;

struct collector_env {
	struct pcache	*pc;
	struct store	*st;
	struct export	*ex;		/* NULL: no export at all */
	struct hooktab	*hooks;		/* policy hook metadata (NULL: none) */
	struct outbox	*ob;		/* alert routing + delivery (NULL:
					   action rows only, no routing) */
	uint64_t	 now_boot_ns;	/* time of startup reconciliation */
	/*
	 * Called when an EV_GENERIC record names an unknown (id, gen), to
	 * read pending hook metadata from loaderd before giving up (NULL:
	 * none).  It must not consume the ring buffer.
	 */
	void		(*refresh)(void *);
	void		*refresh_arg;
	struct gen_render gr;		/* reused per policy event */

	/* counters (IPC_COLLECT_STATS) */
	uint64_t	 records;	/* records seen by the pipeline */
	uint64_t	 malformed;	/* rejected by decode_record */
	uint64_t	 dups;		/* exec/fork/exit for known state */
	uint64_t	 unknown_exits;
	uint64_t	 db_errors;
	uint64_t	 restored;	/* rows loaded back from the DB */
	uint64_t	 stale;		/* rows marked stale at startup */
	uint64_t	 procfs;	/* processes discovered in /proc */
	uint64_t	 generic;	/* policy events stored */
	uint64_t	 unknown_hooks;	/* ... whose (id, gen) was unknown */
	uint64_t	 unknown_procs;	/* ... of a process not in the cache */
	uint64_t	 alerts;	/* alerts rows requested */
	uint64_t	 lost;		/* ring records lost (loaderd's reports) */
	uint64_t	 evicted;	/* process cache evictions counted in
					   meta (pcache_evicted) */
	uint64_t	 evicted_live;	/* ... of running processes */
	uint64_t	 evict_calls;	/* records that caused evictions */
};

/*
 * Process one ring buffer record (ringbuf_cb signature).  Process cache
 * evictions it caused are added to the meta counters pcache_evicted and
 * pcache_evicted_live; an evicted process that is gone gets its row
 * ended as stale (once pipeline_startup has run).
 */
void	pipeline_record(void *env, const void *rec, size_t len);
/*
 * Records lost in the kernel (IPC_COLLECT_DROPS from loaderd): a drops
 * row; for the ring-buffer figure also an events_lost event and JSON line,
 * so a reader of either sees the gap in time order (the per-hook
 * breakdown only goes to the drops table: it is part of the same loss).
 * 0, ERR_PARSE (unknown source, count 0 or above total) or ERR_DB.
 */
int	pipeline_drops(struct collector_env *, const struct ipc_drops *);
/* Free what the pipeline allocated in env (env->gr). */
void	pipeline_clear(struct collector_env *);
/*
 * Startup reconciliation after the privilege drop: load live processes
 * rows back into the cache (rows of another node name are marked stale),
 * then merge the /proc templates (parents first): a pid whose cached image
 * is at least as recent as its /proc start is kept as is; otherwise the
 * old image (if any) is marked stale and the /proc one is stored with a
 * process_exec event flagged procFS.  Restored images whose pid is absent
 * from /proc are marked stale.  procs may be NULL (n = 0): no discovery.
 */
int	pipeline_startup(struct collector_env *, struct proc *procs, size_t n);

/* sandbox_rules.c */
extern const struct sandbox_rule collector_rules[];
extern const size_t collector_nrules;

#endif
