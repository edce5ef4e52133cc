/* collectord/pipeline.c -- record -> decode -> pcache -> store + export. */
#include "build.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collectord.h"
#include "compat.h"
#include "decode.h"
#include "err.h"
#include "export.h"
#include "generic.h"
#include "hooks.h"
#include "ipc_msg.h"
#include "log.h"
#include "outbox.h"
#include "pcache.h"
#include "stacks.h"
#include "store.h"
#include "str.h"
#include "xmalloc.h"

static void
pipeline_dberr(struct collector_env *env, int r)
{
	if (r != 0)
		env->db_errors++;
}

/*
 * A process left the bounded cache before its exit came (pcache.h).  If
 * it is gone, its row ends now, flagged stale, as a process found gone
 * at startup: nothing will ever end it otherwise.  A running one keeps
 * its open row.
 */
static void
pipeline_evicted(struct proc *p, int alive, void *arg)
{
	struct collector_env	*env = arg;
	struct timespec		 ts;

	if (alive || !p->stored)
		return;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	pipeline_dberr(env, store_proc_gone(env->st, p->exec_id,
	    (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec, 1));
}

/* New evictions into the meta counters; a warning on the 1st, 2nd, 4th,
 * 8th... record that caused some. */
static void
pipeline_evictions(struct collector_env *env)
{
	const struct pcache_stats *ps = pcache_stats(env->pc);
	uint64_t		 n, live;

	if ((n = ps->evicted - env->evicted) == 0)
		return;
	live = ps->evicted_live - env->evicted_live;
	pipeline_dberr(env, store_meta_add(env->st, "pcache_evicted",
	    (int64_t)n));
	if (live != 0)
		pipeline_dberr(env, store_meta_add(env->st,
		    "pcache_evicted_live", (int64_t)live));
	env->evicted = ps->evicted;
	env->evicted_live = ps->evicted_live;
	env->evict_calls++;
	if ((env->evict_calls & (env->evict_calls - 1)) == 0)
		log_warnx("process cache full (%zu entries): %llu evicted so"
		    " far, %llu of them still running", pcache_max(env->pc),
		    (unsigned long long)env->evicted,
		    (unsigned long long)env->evicted_live);
}

/* Clone entries get a row only when needed: named as parent, or exiting. */
static void
pipeline_ensure_stored(struct collector_env *env, struct proc *p)
{
	if (p != NULL && !p->stored)
		pipeline_dberr(env, store_proc(env->st, p));
}

static void
pipeline_replaced(struct collector_env *env, struct proc *old, uint64_t when)
{
	if (old != NULL && old->stored)
		pipeline_dberr(env, store_proc_gone(env->st, old->exec_id,
		    when, 0));
}

static void
pipeline_exec(struct collector_env *env, const struct dec_event *ev)
{
	struct pcache_res	 res;

	if (pcache_exec(env->pc, ev, &res) != 0)
		return;
	if (res.dup) {
		env->dups++;
		return;
	}
	pipeline_replaced(env, res.replaced, ev->ktime);
	pipeline_ensure_stored(env, res.parent);
	pipeline_dberr(env, store_proc(env->st, res.proc));
	pipeline_dberr(env, store_event_exec(env->st, res.proc));
	if (env->ex != NULL)
		export_exec(env->ex, res.proc, res.parent);
}

static void
pipeline_fork(struct collector_env *env, const struct dec_event *ev)
{
	struct pcache_res	 res;

	if (pcache_fork(env->pc, ev, &res) != 0)
		return;
	if (res.dup) {
		env->dups++;
		return;
	}
	pipeline_replaced(env, res.replaced, ev->ktime);
	pipeline_ensure_stored(env, res.parent);
}

static void
pipeline_exit(struct collector_env *env, const struct dec_event *ev)
{
	struct pcache_res	 res;
	struct proc		 t;
	char			 id[PROC_ID_MAX];

	if (pcache_exit(env->pc, ev, &res) != 0)
		return;
	if (res.proc == NULL) {
		/* never seen: a minimal row so the exit is not lost */
		env->unknown_exits++;
		memset(&t, 0, sizeof(t));
		t.pid = ev->pid;
		t.ktime = ev->ktime;
		t.tid = ev->tid;
		t.ppid = ev->ppid;
		t.auid = (uint32_t)-1;
		t.flags = PF_UNKNOWN;
		t.binary = t.args = t.cwd = (char *)"";
		pcache_exec_id(pcache_node(env->pc), ev->ktime, ev->pid,
		    id, sizeof(id));
		t.exec_id = id;
		t.parent_exec_id = res.parent != NULL ?
		    res.parent->exec_id : "";
		pipeline_dberr(env, store_proc(env->st, &t));
		pipeline_dberr(env, store_proc_exit(env->st, t.exec_id,
		    ev->time_ns, ev->code, ev->signal));
		pipeline_dberr(env, store_event_exit(env->st, t.exec_id,
		    t.parent_exec_id, ev->time_ns, ev->code, ev->signal));
		if (env->ex != NULL)
			export_exit(env->ex, &t, res.parent, ev->time_ns,
			    ev->code, ev->signal);
		return;
	}
	if (res.dup) {
		env->dups++;
		return;
	}
	pipeline_ensure_stored(env, res.proc);
	pipeline_dberr(env, store_proc_exit(env->st, res.proc->exec_id,
	    ev->time_ns, ev->code, ev->signal));
	pipeline_dberr(env, store_event_exit(env->st, res.proc->exec_id,
	    res.proc->parent_exec_id, ev->time_ns, ev->code, ev->signal));
	if (env->ex != NULL)
		export_exit(env->ex, res.proc, res.parent, ev->time_ns,
		    ev->code, ev->signal);
}

/*
 * A policy hook fired.  The process comes from the cache (a minimal,
 * "unknown" processes row if it is not there, as for an unknown exit; it
 * is not added to the cache, so nothing is leaked if its exit was already
 * handled).  Records of an unknown hook are stored, not dropped.
 */
/* The record's stack traces, symbolised: the export's two arrays and
 * the store's stack_trace object. */
static void
pipeline_stacks(struct collector_env *env, const struct dec_event *ev,
    const struct proc *p)
{
	struct gen_render	*r = &env->gr;

	stk_render(env->stk, ev, p->binary != NULL && p->binary[0] == '/' ?
	    p->binary : NULL, &r->kstack, &r->ustack);
	if (r->kstack.len == 0 && r->ustack.len == 0)
		return;
	sbuf_addc(&r->stacks, '{');
	if (r->kstack.len > 0) {
		sbuf_adds(&r->stacks, "\"kernel_stack_trace\":");
		sbuf_add(&r->stacks, r->kstack.buf, r->kstack.len);
	}
	if (r->ustack.len > 0) {
		if (r->kstack.len > 0)
			sbuf_addc(&r->stacks, ',');
		sbuf_adds(&r->stacks, "\"user_stack_trace\":");
		sbuf_add(&r->stacks, r->ustack.buf, r->ustack.len);
	}
	sbuf_addc(&r->stacks, '}');
}

static void
pipeline_generic(struct collector_env *env, const struct dec_event *ev)
{
	const struct ipc_hook	*h;
	struct store_event	 e;
	struct proc		*p, *parent, t;
	char			 id[PROC_ID_MAX], pid_s[PROC_ID_MAX];
	int			 what;

	h = hooktab_get(env->hooks, ev->hook_id, ev->gen);
	if (h == NULL && env->refresh != NULL) {
		/* metadata is sent before a hook is enabled: read it */
		env->refresh(env->refresh_arg);
		h = hooktab_get(env->hooks, ev->hook_id, ev->gen);
	}
	if (h == NULL) {
		env->unknown_hooks++;
		/* warn on the 1st, 2nd, 4th, 8th... such record */
		if ((env->unknown_hooks & (env->unknown_hooks - 1)) == 0)
			log_warnx("record of unknown hook %u gen %u (%llu so"
			    " far): stored as \"unknown hook %u\"",
			    ev->hook_id, ev->gen,
			    (unsigned long long)env->unknown_hooks,
			    ev->hook_id);
	}
	p = pcache_lookup(env->pc, ev->pid, ev->ktime);
	parent = NULL;
	if (p != NULL) {
		pipeline_ensure_stored(env, p);
		if (p->ppid != 0)
			parent = pcache_lookup(env->pc, p->ppid, p->pktime);
	} else {
		env->unknown_procs++;
		memset(&t, 0, sizeof(t));
		t.pid = ev->pid;
		t.ktime = ev->ktime;
		t.tid = ev->tid;
		t.ppid = ev->ppid_key;
		t.pktime = ev->pktime;
		t.auid = (uint32_t)-1;
		t.flags = PF_UNKNOWN;
		if (ev->gflags & EVG_F_PARENT_MISS)
			t.flags |= PF_MISS;
		t.binary = t.args = t.cwd = (char *)"";
		pcache_exec_id(pcache_node(env->pc), ev->ktime, ev->pid,
		    id, sizeof(id));
		t.exec_id = id;
		t.parent_exec_id = "";
		if (ev->ppid_key != 0) {
			pcache_exec_id(pcache_node(env->pc), ev->pktime,
			    ev->ppid_key, pid_s, sizeof(pid_s));
			t.parent_exec_id = pid_s;
			parent = pcache_lookup(env->pc, ev->ppid_key,
			    ev->pktime);
		}
		p = &t;
		pipeline_dberr(env, store_proc(env->st, p));
	}
	pipeline_ensure_stored(env, parent);

	/* rendered once: the store, the outbox and the export share it */
	generic_render(&env->gr, ev, h);
	if (ev->has_stack && env->stk != NULL)
		pipeline_stacks(env, ev, p);
	what = export_wants(env->ex);
	/* the outbox reads the argument text and the line only for an
	 * event it queues (an action's alert, a route) */
	if (env->ob != NULL && outbox_wants_event(env->ob, &env->gr))
		what |= EXPORT_HIT_ARGS | EXPORT_HIT_JSON;
	/* the store's node and clock: the export's and the outbox's too */
	export_render_hit(&env->gr, what, store_node(env->st),
	    store_boot_off(env->st), env->pc, ev, p, parent);
	memset(&e, 0, sizeof(e));
	e.time_ns = ev->time_ns;
	e.type = env->gr.type;
	e.exec_id = p->exec_id;
	e.parent_exec_id = p->parent_exec_id[0] != '\0' ?
	    p->parent_exec_id : NULL;
	e.policy_name = env->gr.policy;
	e.function_name = generic_str(&env->gr.function);
	e.action = env->gr.action;
	e.args = generic_str(&env->gr.args);
	e.return_value = env->gr.ret.len > 0 ? env->gr.ret.buf : NULL;
	e.message = env->gr.message;
	e.tags = env->gr.tags;
	e.actions = generic_str(&env->gr.actions);
	e.monitor_would = env->gr.would.len > 0 ? env->gr.would.buf : NULL;
	e.late = env->gr.late;
	e.stack_trace = env->gr.stacks.len > 0 ? env->gr.stacks.buf : NULL;
	env->generic++;
	env->alerts += env->gr.nalerts;
	/* the event and its outbox rows (actions, routed receivers) */
	if (env->ob != NULL)
		pipeline_dberr(env, outbox_store_generic(env->ob, &e, &env->gr,
		    ev, p, parent));
	else
		pipeline_dberr(env, store_event_alerts(env->st, &e,
		    env->gr.alerts, env->gr.nalerts));
	if (env->ex != NULL)
		export_hit(env->ex, &env->gr);
}

/* One checked report into the store (and the JSON export). */
static int
pipeline_drop_store(struct collector_env *env, const struct ipc_drops *m)
{
	struct store_drop	 d;
	int			 ring = m->source == IPC_DROPS_RING, r;

	memset(&d, 0, sizeof(d));
	d.time_ns = m->time_ns;
	d.source = ring ? "ring_buffer" : m->source == IPC_DROPS_SOCKOWN ?
	    "sockown_full" : "hook";
	if (m->source == IPC_DROPS_HOOK) {
		d.hook_policy = m->policy;
		d.hook_function = m->function;
	}
	d.count = m->count;
	d.total = m->total;
	if ((r = store_drops(env->st, &d, ring)) != 0) {
		if (r != ERR_AGAIN)
			env->db_errors++;
		return r;
	}
	if (ring && env->ex != NULL)
		export_events_lost(env->ex, d.time_ns, d.source, NULL, NULL,
		    d.count, d.total);
	return 0;
}

/* Same source and hook? (reports that may be folded into one row) */
static int
pipeline_drop_same(const struct ipc_drops *a, const struct ipc_drops *b)
{
	return a->source == b->source &&
	    strcmp(a->policy != NULL ? a->policy : "",
	    b->policy != NULL ? b->policy : "") == 0 &&
	    strcmp(a->function != NULL ? a->function : "",
	    b->function != NULL ? b->function : "") == 0;
}

/*
 * Add report m to a list of at most PIPELINE_DROPS_HELD.  A full list
 * folds it into the last report of the same source and hook (counts
 * added, the newer total and time: one row for both); with none, only its
 * records are counted (drops_over).
 */
static void
pipeline_drop_add(struct collector_env *env, struct ipc_drops **list,
    size_t *n, const struct ipc_drops *m)
{
	struct ipc_drops	*h;
	size_t			 i;

	if (*n >= PIPELINE_DROPS_HELD) {
		for (i = *n; i-- > 0;) {
			h = &(*list)[i];
			if (!pipeline_drop_same(h, m))
				continue;
			h->count += m->count;
			h->total = m->total;
			h->time_ns = m->time_ns;
			return;
		}
		env->drops_over += m->count;
		return;
	}
	if (*list == NULL)
		*list = xcalloc(PIPELINE_DROPS_HELD, sizeof(**list));
	h = &(*list)[(*n)++];
	*h = *m;
	h->policy = xstrdup(m->policy != NULL ? m->policy : "");
	h->function = xstrdup(m->function != NULL ? m->function : "");
}

static void
pipeline_drop_hold(struct collector_env *env, const struct ipc_drops *m)
{
	pipeline_drop_add(env, &env->held_drops, &env->nheld_drops, m);
}

/* Stored in the open batch: kept until it commits (pipeline_drops_done). */
static int
pipeline_drop_write(struct collector_env *env, const struct ipc_drops *m)
{
	int	 r;

	if (env->paused)
		return ERR_AGAIN;
	if ((r = pipeline_drop_store(env, m)) == 0)
		pipeline_drop_add(env, &env->txn_drops, &env->ntxn_drops, m);
	return r;
}

int
pipeline_drops_retry(struct collector_env *env)
{
	size_t	 i, n;
	int	 r = 0;

	for (n = 0; n < env->nheld_drops; n++)
		if ((r = pipeline_drop_write(env, &env->held_drops[n])) != 0)
			break;
	for (i = 0; i < n; i++)
		ipc_drops_clear(&env->held_drops[i]);
	if (n > 0 && n < env->nheld_drops)
		memmove(env->held_drops, env->held_drops + n,
		    (env->nheld_drops - n) * sizeof(*env->held_drops));
	env->nheld_drops -= n;
	if (r == 0 && env->drops_over > 0 && !env->paused &&
	    (r = store_meta_add(env->st, "drops_unrecorded",
	    env->drops_over > INT64_MAX ? INT64_MAX :
	    (int64_t)env->drops_over)) == 0) {
		env->txn_over += env->drops_over;
		env->drops_over = 0;
	}
	return r == ERR_AGAIN ? ERR_AGAIN : 0;
}

void
pipeline_drops_done(struct collector_env *env, int committed)
{
	struct ipc_drops	*held = env->held_drops;
	size_t			 i, nheld = env->nheld_drops;

	if (!committed) {
		/* what the rolled-back batch held comes first again */
		env->held_drops = env->txn_drops;
		env->nheld_drops = env->ntxn_drops;
		env->txn_drops = held;
		env->ntxn_drops = nheld;
		for (i = 0; i < nheld; i++)
			pipeline_drop_hold(env, &held[i]);
		env->drops_over += env->txn_over;
	}
	while (env->ntxn_drops > 0)
		ipc_drops_clear(&env->txn_drops[--env->ntxn_drops]);
	env->txn_over = 0;
}

int
pipeline_drops(struct collector_env *env, const struct ipc_drops *m)
{
	int	 r;

	if ((m->source != IPC_DROPS_RING && m->source != IPC_DROPS_HOOK &&
	    m->source != IPC_DROPS_SOCKOWN) ||
	    m->count == 0 || m->count > m->total)
		return ERR_PARSE;
	if (m->source == IPC_DROPS_RING)
		env->lost += m->count;
	/* in the order they came: the kept ones first */
	if (pipeline_drops_retry(env) != 0 ||
	    (r = pipeline_drop_write(env, m)) == ERR_AGAIN) {
		pipeline_drop_hold(env, m);
		return ERR_AGAIN;
	}
	return r;
}

void
pipeline_clear(struct collector_env *env)
{
	generic_render_clear(&env->gr);
	while (env->nheld_drops > 0)
		ipc_drops_clear(&env->held_drops[--env->nheld_drops]);
	free(env->held_drops);
	env->held_drops = NULL;
	pipeline_drops_done(env, 1);
	free(env->txn_drops);
	env->txn_drops = NULL;
}

void
pipeline_record(void *arg, const void *rec, size_t len)
{
	struct collector_env	*env = arg;
	struct dec_event	 ev;

	env->records++;
	if (decode_record(rec, len, &ev) != 0) {
		env->malformed++;
		log_debug("malformed record (%zu bytes): %s", len, ev.why);
		return;
	}
	switch (ev.type) {
	case EV_EXEC:
		pipeline_exec(env, &ev);
		break;
	case EV_FORK:
		pipeline_fork(env, &ev);
		break;
	case EV_EXIT:
		pipeline_exit(env, &ev);
		break;
	case EV_GENERIC:
		pipeline_generic(env, &ev);
		break;
	}
	pipeline_evictions(env);
	pcache_gc(env->pc);
}

struct pipeline_restore {
	struct collector_env	*env;
	char			**stale;	/* exec_ids to mark stale */
	size_t			 nstale;
	struct proc		**live;		/* restored entries */
	size_t			 nlive;
};

static void
pipeline_restore_cb(const struct proc *t, void *arg)
{
	struct pipeline_restore	*pr = arg;
	struct proc		*p;

	p = pcache_insert(pr->env->pc, t);
	if (p == NULL || strcmp(p->exec_id, t->exec_id) != 0) {
		/* another node name, or a duplicate key: not ours */
		if (p != NULL)
			pcache_release(pr->env->pc, p);
		pr->stale = xreallocarray(pr->stale, pr->nstale + 1,
		    sizeof(*pr->stale));
		pr->stale[pr->nstale++] = xstrdup(t->exec_id);
		return;
	}
	pr->live = xreallocarray(pr->live, pr->nlive + 1, sizeof(*pr->live));
	pr->live[pr->nlive++] = p;
}

static int
pipeline_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
pipeline_startup(struct collector_env *env, struct proc *procs, size_t n)
{
	struct pipeline_restore	 pr;
	struct proc		*cur, *p, *parent;
	uint32_t		*pids;
	size_t			 i;
	int			 r;

	pcache_set_evict_cb(env->pc, pipeline_evicted, env);
	memset(&pr, 0, sizeof(pr));
	pr.env = env;
	if ((r = store_load_live(env->st, pipeline_restore_cb, &pr)) < 0)
		return r;
	env->restored = pr.nlive;
	for (i = 0; i < pr.nstale; i++) {
		pipeline_dberr(env, store_proc_gone(env->st, pr.stale[i],
		    env->now_boot_ns, 1));
		env->stale++;
		free(pr.stale[i]);
	}
	free(pr.stale);

	pids = xcalloc(n + 1, sizeof(*pids));
	for (i = 0; i < n; i++) {
		pids[i] = procs[i].pid;
		cur = pcache_current(env->pc, procs[i].pid);
		if (cur != NULL && cur->ktime >= procs[i].ktime)
			continue;	/* the DB row is still valid */
		if (cur != NULL) {
			/* pid reused while we were not watching */
			if (cur->stored) {
				pipeline_dberr(env, store_proc_gone(env->st,
				    cur->exec_id, env->now_boot_ns, 1));
				env->stale++;
			}
			pcache_release(env->pc, cur);
		}
		if ((p = pcache_insert(env->pc, &procs[i])) == NULL)
			continue;
		env->procfs++;
		parent = p->ppid != 0 ?
		    pcache_lookup(env->pc, p->ppid, p->pktime) : NULL;
		pipeline_dberr(env, store_proc(env->st, p));
		pipeline_dberr(env, store_event_exec(env->st, p));
		if (env->ex != NULL)
			export_exec(env->ex, p, parent);
	}
	/*
	 * Restored images that are not the current image of their pid (two
	 * live rows for one pid) or whose pid no longer exists.
	 */
	qsort(pids, n, sizeof(*pids), pipeline_cmp_u32);
	for (i = 0; i < pr.nlive; i++) {
		p = pr.live[i];
		if (p->released)
			continue;
		if (pcache_current(env->pc, p->pid) == p && (n == 0 ||
		    bsearch(&p->pid, pids, n, sizeof(*pids),
		    pipeline_cmp_u32) != NULL))
			continue;
		pipeline_dberr(env, store_proc_gone(env->st, p->exec_id,
		    env->now_boot_ns, 1));
		env->stale++;
		pcache_release(env->pc, p);
	}
	free(pids);
	free(pr.live);
	pipeline_evictions(env);
	pcache_gc(env->pc);
	if (store_flush(env->st) != 0)
		env->db_errors++;
	return 0;
}
