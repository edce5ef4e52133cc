/*
 * loaderd/metrics.c -- the status as Prometheus metrics (text exposition
 * format 0.0.4): `triplinectl status --prometheus`, and a file rewritten
 * every metrics.interval_s for node_exporter's textfile collector
 * (metrics.file), so that no privileged process listens on a socket.
 *
 * The file is written whole to a temporary name in its directory and
 * renamed over the old one: a reader sees the old or the new text, never
 * half of one.  On shutdown it is rewritten with tripline_up 0.
 */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "err.h"
#include "ipc_msg.h"
#include "log.h"
#include "bpf/events.h"
#include "bpf_load.h"
#include "loaderd.h"
#include "metrics.h"
#include "policy_load.h"
#include "str.h"
#include "xmalloc.h"

/* "# HELP name help\n# TYPE name type\n" */
static void
m_head(struct sbuf *sb, const char *name, const char *type, const char *help)
{
	sbuf_addf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
m_u64(struct sbuf *sb, const char *name, const char *type, const char *help,
    uint64_t v)
{
	m_head(sb, name, type, help);
	sbuf_addf(sb, "%s %llu\n", name, (unsigned long long)v);
}

/* A label value: backslash, double quote and newline escaped. */
static void
m_label(struct sbuf *sb, const char *s)
{
	sbuf_addc(sb, '"');
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			sbuf_addc(sb, '\\');
		if (*s == '\n')
			sbuf_adds(sb, "\\n");
		else
			sbuf_addc(sb, *s);
	}
	sbuf_addc(sb, '"');
}

/* VmRSS of pid in bytes; 0 if it cannot be read. */
static uint64_t
m_rss(pid_t pid)
{
	char		 path[64], line[256];
	unsigned long long kb = 0;
	FILE		*f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

static void
m_processes(struct sbuf *sb, struct loaderd_env *env)
{
	const struct child *c;
	enum child_id	 id;

	m_head(sb, "tripline_process_resident_memory_bytes", "gauge",
	    "Resident memory of each tripline daemon (VmRSS).");
	sbuf_addf(sb, "tripline_process_resident_memory_bytes{process="
	    "\"tripline-loaderd\"} %llu\n",
	    (unsigned long long)m_rss(getpid()));
	for (id = 0; id < CHILD_MAX; id++) {
		c = &env->child[id];
		if (c->pid <= 0)
			continue;
		sbuf_addf(sb, "tripline_process_resident_memory_bytes"
		    "{process=\"%s\"} %llu\n", c->name,
		    (unsigned long long)m_rss(c->pid));
	}
	m_head(sb, "tripline_child_up", "gauge",
	    "1 while the child runs and has reported ready.");
	for (id = 0; id < CHILD_MAX; id++) {
		c = &env->child[id];
		sbuf_addf(sb, "tripline_child_up{child=\"%s\"} %d\n", c->name,
		    c->pid > 0 && c->ready && !c->killed);
	}
	m_head(sb, "tripline_child_restarts_total", "counter",
	    "Restarts of each child since loaderd started.");
	for (id = 0; id < CHILD_MAX; id++)
		sbuf_addf(sb, "tripline_child_restarts_total{child=\"%s\"} "
		    "%u\n", env->child[id].name, env->child[id].restarts);
	m_head(sb, "tripline_child_health_timeouts_total", "counter",
	    "Health checks a child did not answer in time.");
	for (id = 0; id < CHILD_MAX; id++)
		sbuf_addf(sb, "tripline_child_health_timeouts_total"
		    "{child=\"%s\"} %u\n", env->child[id].name,
		    env->child[id].health_timeouts);
}

static void
m_kernel(struct sbuf *sb, struct loaderd_env *env)
{
	uint64_t	 st[EV_STAT_MAX];

	memset(st, 0, sizeof(st));
	if (env->bpf != NULL)
		bpfl_stats(env->bpf, st);
	m_u64(sb, "tripline_ring_buffer_size_bytes", "gauge",
	    "Size of the BPF ring buffer.",
	    env->bpf != NULL ? bpfl_ringbuf_size(env->bpf) : 0);
	m_u64(sb, "tripline_records_emitted_total", "counter",
	    "Records the BPF programs wrote to the ring buffer.",
	    st[EV_STAT_EMITTED]);
	m_head(sb, "tripline_records_lost_total", "counter",
	    "Records lost, by reason: ring_full (the ring buffer had no "
	    "room), build_error (the kernel side could not build it), "
	    "malformed (the collector could not decode it).");
	sbuf_addf(sb, "tripline_records_lost_total{reason=\"ring_full\"} "
	    "%llu\n", (unsigned long long)st[EV_STAT_DROPPED]);
	sbuf_addf(sb, "tripline_records_lost_total{reason=\"build_error\"} "
	    "%llu\n", (unsigned long long)st[EV_STAT_ERRORS]);
	sbuf_addf(sb, "tripline_records_lost_total{reason=\"malformed\"} "
	    "%llu\n", (unsigned long long)env->cstats.malformed);
	m_u64(sb, "tripline_socket_tracking_full_total", "counter",
	    "Sockets the tracking map had no room for (their events name "
	    "the current task).", st[EV_STAT_SOCKOWN_FULL]);
}

static void
m_collector(struct sbuf *sb, struct loaderd_env *env)
{
	const struct ipc_collect_stats *cs = &env->cstats;

	m_u64(sb, "tripline_collector_records_total", "counter",
	    "Ring buffer records the collector consumed.", cs->records);
	m_u64(sb, "tripline_events_stored_total", "counter",
	    "Rows committed to the events table.", cs->events_stored);
	m_u64(sb, "tripline_json_lines_total", "counter",
	    "Lines written to events.jsonl.", cs->exported);
	m_u64(sb, "tripline_json_rotations_total", "counter",
	    "Rotations of events.jsonl (export.max_size).",
	    env->json_rotations);
	m_u64(sb, "tripline_store_errors_total", "counter",
	    "Failed SQLite statements and commits.", cs->db_errors);
	m_u64(sb, "tripline_process_cache_entries", "gauge",
	    "Processes in the collector's cache.", cs->cache_entries);
	m_u64(sb, "tripline_ring_uncommitted_bytes", "gauge",
	    "Ring bytes the collector read whose rows are not committed "
	    "yet.", cs->uncommitted);
	m_head(sb, "tripline_store_lag_seconds", "gauge",
	    "For the last batch committed with events: commit time minus "
	    "its oldest event's time.");
	sbuf_addf(sb, "tripline_store_lag_seconds %.6f\n",
	    (double)cs->lag_ns / 1e9);
	m_u64(sb, "tripline_collector_stats_age_seconds", "gauge",
	    "Seconds since the collector last reported these figures.",
	    env->cstats_time ? (uint64_t)(time(NULL) - env->cstats_time) :
	    0);
	m_head(sb, "tripline_alerts_total", "counter",
	    "Alert jobs by outcome: queued (written to the outbox), "
	    "delivered, retried (temporary failures), dead (given up), "
	    "unrouted (hits no route took).");
	sbuf_addf(sb, "tripline_alerts_total{state=\"queued\"} %llu\n"
	    "tripline_alerts_total{state=\"delivered\"} %llu\n"
	    "tripline_alerts_total{state=\"retried\"} %llu\n"
	    "tripline_alerts_total{state=\"dead\"} %llu\n"
	    "tripline_alerts_total{state=\"unrouted\"} %llu\n",
	    (unsigned long long)cs->alerts_queued,
	    (unsigned long long)cs->alerts_delivered,
	    (unsigned long long)cs->alerts_retried,
	    (unsigned long long)cs->alerts_dead,
	    (unsigned long long)cs->alerts_unrouted);
}

/* Retention of events.db (retention.max_age, retention.max_size). */
static void
m_retention(struct sbuf *sb, struct loaderd_env *env)
{
	const struct ipc_collect_stats *cs = &env->cstats;

	m_u64(sb, "tripline_retention_steps_total", "counter",
	    "Retention steps committed (each deletes a few thousand of the "
	    "oldest events at most).", cs->ret_steps);
	m_head(sb, "tripline_retention_rows_deleted_total", "counter",
	    "Rows retention deleted, by table.");
	sbuf_addf(sb, "tripline_retention_rows_deleted_total"
	    "{table=\"events\"} %llu\n"
	    "tripline_retention_rows_deleted_total{table=\"processes\"} %llu\n"
	    "tripline_retention_rows_deleted_total{table=\"outbox\"} %llu\n"
	    "tripline_retention_rows_deleted_total{table=\"drops\"} %llu\n",
	    (unsigned long long)cs->ret_events,
	    (unsigned long long)cs->ret_processes,
	    (unsigned long long)cs->ret_outbox,
	    (unsigned long long)cs->ret_drops);
	m_u64(sb, "tripline_retention_errors_total", "counter",
	    "Retention steps rolled back (a failed statement or commit).",
	    cs->ret_errors);
}

/* Syslog forwarding (syslog.target); all 0 without it. */
static void
m_syslog(struct sbuf *sb, struct loaderd_env *env)
{
	const struct ipc_fwd_stats *f = &env->fstats;

	m_u64(sb, "tripline_syslog_forwarded_total", "counter",
	    "Events the notifier sent to the syslog target.", f->forwarded);
	m_head(sb, "tripline_syslog_skipped_total", "counter",
	    "Events never forwarded, by reason: backlog (over "
	    "syslog.max_backlog while the target was down), refused (a "
	    "message the notifier could not send).");
	sbuf_addf(sb, "tripline_syslog_skipped_total{reason=\"backlog\"} "
	    "%llu\ntripline_syslog_skipped_total{reason=\"refused\"} %llu\n",
	    (unsigned long long)(f->skipped - f->refused),
	    (unsigned long long)f->refused);
	m_u64(sb, "tripline_syslog_failures_total", "counter",
	    "Failed sending rounds (target down or unreachable), each "
	    "retried after a back-off.", f->failures);
	m_u64(sb, "tripline_syslog_backlog_events", "gauge",
	    "Stored events not forwarded yet.", f->backlog);
}

/* One sample of a per-hook counter: labels policy and hook
 * ("kind:target"). */
static void
m_hook_line(struct sbuf *sb, const char *name,
    const struct polset_hookinfo *hi, uint64_t v)
{
	char	*hook;

	xasprintf(&hook, "%s:%s", hi->kind, hi->target);
	sbuf_addf(sb, "%s{policy=", name);
	m_label(sb, hi->policy);
	sbuf_adds(sb, ",hook=");
	m_label(sb, hook);
	sbuf_addf(sb, "} %llu\n", (unsigned long long)v);
	free(hook);
}

/*
 * The attached hooks' figures, read once for all the counters (each read
 * walks the policies and looks the hook's counters up in the BPF map).
 * Returns how many are in *out (free it).
 */
static size_t
m_hook_infos(struct loaderd_env *env, struct polset_hookinfo **out)
{
	struct polset_hookinfo hi, *v = NULL;
	size_t		 n, len = 0, cap = 0;

	for (n = 0; env->pols != NULL && polset_hook(env->pols, n, &hi) == 0;
	    n++) {
		if (hi.skipped)
			continue;
		if (len == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[len++] = hi;
	}
	*out = v;
	return len;
}

static void
m_hooks(struct sbuf *sb, struct loaderd_env *env)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} ctr[] = {
		{ "tripline_hook_hits_total", "Calls that reached the hook.",
		    offsetof(struct polset_hookinfo, hits) },
		{ "tripline_hook_matched_total", "Hits a selector matched.",
		    offsetof(struct polset_hookinfo, matched) },
		{ "tripline_hook_posted_total", "Events the hook posted.",
		    offsetof(struct polset_hookinfo, posted) },
		{ "tripline_hook_dropped_total", "Events of the hook lost "
		    "to a full ring buffer.",
		    offsetof(struct polset_hookinfo, dropped) },
		{ "tripline_hook_errors_total", "Argument reads and other "
		    "failures in the hook.",
		    offsetof(struct polset_hookinfo, errors) },
		{ "tripline_hook_signals_total", "Signals (Sigkill, Signal) "
		    "the hook sent.",
		    offsetof(struct polset_hookinfo, signals) },
		{ "tripline_hook_ratelimited_total", "Posts the hook's "
		    "rateLimit suppressed.",
		    offsetof(struct polset_hookinfo, ratelimited) },
		{ "tripline_hook_overrides_total", "Calls the hook made fail "
		    "(Override).", offsetof(struct polset_hookinfo, overrides) },
		{ "tripline_hook_raced_total", "Calls whose argument, as "
		    "the kernel used it, was not the one the hook read from "
		    "the caller's memory.",
		    offsetof(struct polset_hookinfo, raced) },
	};
	struct polset_hookinfo *hi;
	size_t		 c, i, n;

	m_u64(sb, "tripline_policies_loaded", "gauge", "Policies loaded.",
	    env->pols != NULL ? polset_count(env->pols) : 0);
	n = m_hook_infos(env, &hi);
	for (c = 0; c < sizeof(ctr) / sizeof(ctr[0]); c++) {
		m_head(sb, ctr[c].name, "counter", ctr[c].help);
		for (i = 0; i < n; i++)
			m_hook_line(sb, ctr[c].name, &hi[i],
			    *(const uint64_t *)((const char *)&hi[i] +
			    ctr[c].off));
	}
	free(hi);
}

char *
metrics_render(struct loaderd_env *env, int up)
{
	struct sbuf	 sb;

	sbuf_init(&sb);
	m_u64(&sb, "tripline_up", "gauge", "1 while tripline-loaderd runs; "
	    "0 in the file it leaves when it stops.", up);
	m_u64(&sb, "tripline_start_time_seconds", "gauge",
	    "Unix time tripline-loaderd started.", (uint64_t)env->started);
	m_processes(&sb, env);
	m_kernel(&sb, env);
	m_collector(&sb, env);
	m_retention(&sb, env);
	m_syslog(&sb, env);
	m_hooks(&sb, env);
	return sb.buf;
}

/* Write text to path through a temporary file and rename. */
static int
metrics_write_file(const char *path, const char *text)
{
	char	 tmp[4200];
	size_t	 len = strlen(text), off = 0;
	ssize_t	 n;
	int	 fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd == -1)
		return ERR_SYS;
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)n;
	}
	if (off != len || fchmod(fd, 0644) != 0 || close(fd) != 0) {
		if (off != len)
			close(fd);
		unlink(tmp);
		return ERR_SYS;
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return ERR_SYS;
	}
	return 0;
}

void
metrics_write(struct loaderd_env *env, int up)
{
	char	*text;

	if (env->cfg.metrics_file == NULL)
		return;
	text = metrics_render(env, up);
	if (metrics_write_file(env->cfg.metrics_file, text) != 0) {
		if (!env->metrics_failed)
			log_warn("metrics: cannot write %s",
			    env->cfg.metrics_file);
		env->metrics_failed = 1;
	} else
		env->metrics_failed = 0;
	free(text);
}

static void
metrics_cb(evutil_socket_t fd, short what, void *arg)
{
	metrics_write(arg, 1);
}

int
metrics_start(struct loaderd_env *env)
{
	struct timeval	 tv;

	if (env->cfg.metrics_file == NULL)
		return 0;
	env->metrics_ev = event_new(env->base, -1, EV_PERSIST, metrics_cb,
	    env);
	if (env->metrics_ev == NULL)
		return ERR_SYS;
	tv.tv_sec = env->cfg.metrics_interval_s;
	tv.tv_usec = 0;
	event_add(env->metrics_ev, &tv);
	log_info("metrics: writing %s every %u s", env->cfg.metrics_file,
	    env->cfg.metrics_interval_s);
	metrics_write(env, 1);
	return 0;
}

void
metrics_stop(struct loaderd_env *env)
{
	if (env->metrics_ev == NULL)
		return;
	event_free(env->metrics_ev);
	env->metrics_ev = NULL;
	metrics_write(env, 0);
}
