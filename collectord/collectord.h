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
	struct stk	*stk;		/* stack symboliser (NULL: stacks
					   are not rendered) */

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
	/* drops reports that came while the store was locked by another
	 * connection (stored by pipeline_drops_retry), and the records of
	 * those beyond PIPELINE_DROPS_HELD (meta drops_unrecorded, later) */
	struct ipc_drops *held_drops;
	size_t		 nheld_drops;
	uint64_t	 drops_over;
	/* reports (and drops_over) written into the open batch: back to
	 * held_drops if it is rolled back */
	struct ipc_drops *txn_drops;
	size_t		 ntxn_drops;
	uint64_t	 txn_over;
	int		 paused;	/* the store is not to be written now
					   (low space, or a batch was rolled
					   back): reports are held */
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
/*
 * While another connection holds the store's write lock (or env->paused)
 * a report is kept (pipeline_drops returns ERR_AGAIN), at most
 * PIPELINE_DROPS_HELD of them (folded beyond); the records of a report
 * that cannot be folded are added to the meta counter drops_unrecorded.  Store what is kept (call it when the store
 * may be writable: each batch, before records are consumed): 0, or
 * ERR_AGAIN (still locked: kept).
 */
#define PIPELINE_DROPS_HELD	64
int	pipeline_drops_retry(struct collector_env *);
/*
 * The batch that holds the reports written since the last call was
 * committed (1) or rolled back (0: they are kept again, first).  While
 * env->paused, reports are only kept; a full list folds a report into
 * the last one of the same source and hook.
 */
void	pipeline_drops_done(struct collector_env *, int committed);
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
