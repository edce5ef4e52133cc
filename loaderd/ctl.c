/*
 * loaderd/ctl.c -- control socket (STATE/run/tripline.sock) for triplinectl.
 *
 * SOCK_SEQPACKET, mode 0600 in a 0700 directory, and the peer must be uid 0
 * (SO_PEERCRED).  One request per connection, one answer, then close.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "compat.h"
#include "err.h"
#include "ipc.h"
#include "jsonw.h"
#include "ipc_msg.h"
#include "log.h"
#include "peer.h"
#include "sandbox.h"
#include "str.h"
#include "xmalloc.h"
#include "bpf/events.h"
#include "bpf_load.h"
#include "loaderd.h"
#include "metrics.h"
#include "policy_load.h"

/* One triplinectl connection: one request, one answer. */
struct ctl_conn {
	struct loaderd_env	*env;
	struct peer		*peer;
	struct event		*timeout;
};

static void
ctl_conn_free(struct ctl_conn *cc)
{
	if (cc->timeout != NULL)
		event_free(cc->timeout);
	peer_free(cc->peer);
	free(cc);
}

/* How many routes send to receiver rc. */
static size_t
ctl_receiver_routes(const struct al_config *cfg,
    const struct al_receiver *rc)
{
	size_t	 i, j, n = 0;

	for (i = 0; i < cfg->nroutes; i++)
		for (j = 0; j < cfg->routes[i].nreceivers; j++)
			if (strcmp(cfg->routes[i].receivers[j],
			    rc->name) == 0) {
				n++;
				break;
			}
	return n;
}

/*
 * The alerts part of the status: file, and per receiver its name, kind
 * and route count.  Never a URL, address or any other setting: several of
 * them are secrets (docs/alerts.md).
 */
static void
ctl_status_alerts_json(struct loaderd_env *env, struct jsonw *w)
{
	const struct al_config *cfg = &env->alerts;
	const struct al_receiver *rc;
	size_t		 i;

	jw_kobj(w, "alerts");
	jw_kstr(w, "file", env->alerts_path);
	jw_kuint(w, "routes", cfg->nroutes);
	jw_karr(w, "receivers");
	for (i = 0; i < cfg->nreceivers; i++) {
		rc = &cfg->receivers[i];
		jw_obj(w);
		jw_kstr(w, "name", rc->name);
		jw_kstr(w, "kind", alerts_kind_name(rc->kind));
		jw_kuint(w, "routes", ctl_receiver_routes(cfg, rc));
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

static void
ctl_status_alerts_text(struct loaderd_env *env, struct sbuf *sb)
{
	const struct al_config *cfg = &env->alerts;
	const struct al_receiver *rc;
	size_t		 i, n;

	if (env->alerts_path == NULL) {
		sbuf_adds(sb, "alerts            no alerts file: no "
		    "receivers\n");
		return;
	}
	sbuf_addf(sb, "alerts            %s: %zu receivers, %zu routes\n",
	    env->alerts_path, cfg->nreceivers, cfg->nroutes);
	for (i = 0; i < cfg->nreceivers; i++) {
		rc = &cfg->receivers[i];
		n = ctl_receiver_routes(cfg, rc);
		sbuf_addf(sb, "  %-24s %-12s %zu route%s\n", rc->name,
		    alerts_kind_name(rc->kind), n, n == 1 ? "" : "s");
	}
}

static const char *
child_state(const struct child *c)
{
	if (c->pid <= 0)
		return c->restarts ? "restarting" : "stopped";
	if (c->killed)
		return "killed";
	if (!c->ready)
		return "starting";
	/* a ping unanswered for longer than the interval */
	if (c->ping_seq != c->pong_seq && supervise_now_ms() - c->ping_ms >
	    c->env->limits.health_interval_ms)
		return "unresponsive";
	return "running";
}

static void
ctl_child_json(struct jsonw *w, const struct child *c, time_t now)
{
	jw_obj(w);
	jw_kstr(w, "name", c->name);
	jw_kint(w, "pid", c->pid);
	jw_kint(w, "uid", c->ready ? (int64_t)c->uid : -1);
	jw_kstr(w, "state", child_state(c));
	jw_kuint(w, "restarts", c->restarts);
	jw_kint(w, "last_health_ok_s", c->health_ok ? now - c->health_ok :
	    -1);
	jw_kuint(w, "ready_timeouts", c->ready_timeouts);
	jw_kuint(w, "health_timeouts", c->health_timeouts);
	jw_kuint(w, "queue_overflows", c->queue_overflows);
	jw_kstr(w, "last_kill", c->last_kill != NULL ? c->last_kill : "");
	jw_end(w);
}

static void
ctl_limits_json(struct jsonw *w, const struct loaderd_env *env)
{
	jw_kobj(w, "supervision");
	jw_kuint(w, "ready_timeout_s", env->limits.ready_s);
	jw_kuint(w, "health_interval_ms", env->limits.health_interval_ms);
	jw_kuint(w, "health_timeout_ms", env->limits.health_timeout_ms);
	jw_kuint(w, "watchdog_ms", env->svc.watchdog_ms);
	jw_kuint(w, "queue_max", env->limits.queue_max);
	jw_end(w);
}

/* The service manager's side: readiness and watchdog (service.c). */
static void
ctl_status_service(const struct loaderd_env *env, struct sbuf *sb)
{
	const struct loaderd_service *svc = &env->svc;

	if (svc->sd.fd == -1) {
		sbuf_adds(sb, "service manager   none (no NOTIFY_SOCKET)\n");
		return;
	}
	sbuf_addf(sb, "service manager   %s", svc->ready ? "READY sent" :
	    "not ready yet");
	if (svc->watchdog_ms != 0)
		sbuf_addf(sb, ", watchdog every %llums: fed %llu times, "
		    "held %llu times%s", (unsigned long long)svc->watchdog_ms,
		    (unsigned long long)svc->fed,
		    (unsigned long long)svc->holds, svc->held ?
		    " (held now)" : "");
	sbuf_adds(sb, "\n");
}

/* What the status shows, gathered once for both renderings. */
struct ctl_status {
	const struct bpfl_prog	*progs;
	size_t			 nprogs;
	uint64_t		 st[EV_STAT_MAX];
	uint64_t		 ring_size;
	time_t			 now;
};

static void
ctl_status_gather(struct loaderd_env *env, struct ctl_status *cs)
{
	memset(cs, 0, sizeof(*cs));
	cs->now = time(NULL);
	if (env->bpf != NULL) {
		bpfl_stats(env->bpf, cs->st);
		cs->nprogs = bpfl_progs(env->bpf, &cs->progs);
		cs->ring_size = bpfl_ringbuf_size(env->bpf);
	}
}

/* Syslog forwarding (docs/shipping.md), when configured. */
static void
ctl_status_syslog_text(struct loaderd_env *env, struct sbuf *sb)
{
	const struct ipc_fwd_stats *f = &env->fstats;

	if (env->cfg.syslog.target == NULL)
		return;
	sbuf_addf(sb, "syslog            %s: %llu forwarded, %llu skipped, "
	    "%llu failed attempts, %llu waiting, cursor at event %llu\n",
	    env->cfg.syslog.target, (unsigned long long)f->forwarded,
	    (unsigned long long)f->skipped, (unsigned long long)f->failures,
	    (unsigned long long)f->backlog, (unsigned long long)f->cursor);
}

static void
ctl_status_syslog_json(struct loaderd_env *env, struct jsonw *w)
{
	const struct ipc_fwd_stats *f = &env->fstats;

	if (env->cfg.syslog.target == NULL)
		return;
	jw_kobj(w, "syslog");
	jw_kstr(w, "target", env->cfg.syslog.target);
	jw_kuint(w, "forwarded", f->forwarded);
	jw_kuint(w, "skipped", f->skipped);
	jw_kuint(w, "failures", f->failures);
	jw_kuint(w, "backlog", f->backlog);
	jw_kuint(w, "cursor", f->cursor);
	jw_end(w);
}

static char *
ctl_status_json(struct loaderd_env *env)
{
	struct ctl_status	 s;
	struct sbuf		 sb;
	struct jsonw		 w;
	const struct ipc_collect_stats *cs = &env->cstats;
	enum child_id		 id;
	size_t			 i;

	ctl_status_gather(env, &s);
	sbuf_init(&sb);
	jw_init(&w, &sb);
	jw_obj(&w);
	jw_kobj(&w, "loaderd");
	jw_kint(&w, "pid", getpid());
	jw_kint(&w, "uptime_s", s.now - env->started);
	jw_kstr(&w, "node_name", env->cfg.node_name);
	jw_kstr(&w, "state_dir", env->cfg.state_dir);
	jw_kstr(&w, "sandbox", sandbox_mode_name(env->cfg.sandbox_mode));
	jw_kbool(&w, "caps_trimmed", env->caps_dropped);
	jw_kbool(&w, "seccomp", env->seccomp_on);
	jw_end(&w);
	ctl_limits_json(&w, env);
	jw_karr(&w, "children");
	for (id = 0; id < CHILD_MAX; id++)
		ctl_child_json(&w, &env->child[id], s.now);
	jw_end(&w);
	jw_karr(&w, "programs");
	for (i = 0; i < s.nprogs; i++) {
		jw_obj(&w);
		jw_kstr(&w, "name", s.progs[i].name);
		jw_kstr(&w, "hook", s.progs[i].hook);
		jw_kbool(&w, "attached", s.progs[i].attached);
		jw_kstr(&w, "error", s.progs[i].error);
		jw_end(&w);
	}
	jw_end(&w);
	jw_kobj(&w, "ring_buffer");
	jw_kuint(&w, "size", s.ring_size);
	jw_kuint(&w, "emitted", s.st[EV_STAT_EMITTED]);
	jw_kuint(&w, "dropped", s.st[EV_STAT_DROPPED]);
	jw_kuint(&w, "errors", s.st[EV_STAT_ERRORS]);
	jw_end(&w);
	jw_kobj(&w, "socket_tracking");
	jw_kuint(&w, "map_full", s.st[EV_STAT_SOCKOWN_FULL]);
	jw_end(&w);
	jw_kobj(&w, "collector");
	jw_kuint(&w, "records", cs->records);
	jw_kuint(&w, "malformed", cs->malformed);
	jw_kuint(&w, "events_stored", cs->events_stored);
	jw_kuint(&w, "db_errors", cs->db_errors);
	jw_kuint(&w, "cache_entries", cs->cache_entries);
	jw_kuint(&w, "exported", cs->exported);
	jw_kint(&w, "stats_age_s",
	    env->cstats_time ? s.now - env->cstats_time : -1);
	jw_end(&w);
	jw_kobj(&w, "notifier");
	jw_kint(&w, "last_health_ok_s", env->child[CHILD_NOTIFIER].health_ok ?
	    s.now - env->child[CHILD_NOTIFIER].health_ok : -1);
	jw_kuint(&w, "refused_target", env->nstats.refused_target);
	jw_kuint(&w, "refused_event", env->nstats.refused_event);
	jw_end(&w);
	ctl_status_alerts_json(env, &w);
	reload_status_json(env, &w);
	ctl_status_syslog_json(env, &w);
	jw_key(&w, "kernel_features");
	polset_features_json(&w);
	jw_end(&w);
	sbuf_addc(&sb, '\n');
	return sb.buf;
}

static char *
ctl_status_text(struct loaderd_env *env)
{
	struct ctl_status	 s;
	struct sbuf		 sb;
	const struct ipc_collect_stats *cs = &env->cstats;
	enum child_id		 id;
	size_t			 i;
	char			*feat;

	ctl_status_gather(env, &s);
	sbuf_init(&sb);
	sbuf_addf(&sb, "tripline-loaderd  pid %ld  up %llds  node %s  "
	    "sandbox %s%s%s\n", (long)getpid(),
	    (long long)(s.now - env->started), env->cfg.node_name,
	    sandbox_mode_name(env->cfg.sandbox_mode),
	    env->caps_dropped ? "  caps trimmed" : "",
	    env->seccomp_on ? "  seccomp" : "");
	sbuf_addf(&sb, "supervision       READY within %us, health every %ums "
	    "(answer within %ums), queue %u messages\n", env->limits.ready_s,
	    env->limits.health_interval_ms, env->limits.health_timeout_ms,
	    env->limits.queue_max);
	ctl_status_service(env, &sb);
	sbuf_addf(&sb, "state dir         %s\n", env->cfg.state_dir);
	sbuf_adds(&sb, "\nprocesses\n");
	for (id = 0; id < CHILD_MAX; id++) {
		const struct child *c = &env->child[id];

		sbuf_addf(&sb, "  %-11s %-10s pid %-7ld", c->name,
		    child_state(c), (long)c->pid);
		if (c->ready)
			sbuf_addf(&sb, " uid %-6lu", (unsigned long)c->uid);
		else
			sbuf_addf(&sb, " uid %-6s", "-");
		sbuf_addf(&sb, " restarts %u", c->restarts);
		if (c->ready_timeouts + c->health_timeouts +
		    c->queue_overflows > 0)
			sbuf_addf(&sb, "  killed: %u no READY, %u no health "
			    "answer, %u queue full", c->ready_timeouts,
			    c->health_timeouts, c->queue_overflows);
		sbuf_adds(&sb, "\n");
	}
	sbuf_adds(&sb, "\nprograms\n");
	for (i = 0; i < s.nprogs; i++) {
		char	 esc[512];

		str_escape(esc, sizeof(esc), s.progs[i].error,
		    strlen(s.progs[i].error));
		sbuf_addf(&sb, "  %-24s %-36s %s%s%s\n", s.progs[i].name,
		    s.progs[i].hook, s.progs[i].attached ? "attached" :
		    "NOT ATTACHED", esc[0] ? ": " : "", esc);
	}
	sbuf_addf(&sb, "\nring buffer       %llu bytes, %llu records emitted, "
	    "%llu dropped (ring full), %llu errors\n",
	    (unsigned long long)s.ring_size,
	    (unsigned long long)s.st[EV_STAT_EMITTED],
	    (unsigned long long)s.st[EV_STAT_DROPPED],
	    (unsigned long long)s.st[EV_STAT_ERRORS]);
	sbuf_addf(&sb, "socket tracking   %llu sockets not tracked (map full: "
	    "their events name the current task)\n",
	    (unsigned long long)s.st[EV_STAT_SOCKOWN_FULL]);
	sbuf_addf(&sb, "collector         %llu records received, %llu "
	    "malformed, %llu events stored, %llu db errors, %llu cached "
	    "processes, %llu JSON lines\n",
	    (unsigned long long)cs->records,
	    (unsigned long long)cs->malformed,
	    (unsigned long long)cs->events_stored,
	    (unsigned long long)cs->db_errors,
	    (unsigned long long)cs->cache_entries,
	    (unsigned long long)cs->exported);
	if (env->child[CHILD_NOTIFIER].health_ok)
		sbuf_addf(&sb, "notifier          healthy %llds ago\n",
		    (long long)(s.now - env->child[CHILD_NOTIFIER].health_ok));
	else
		sbuf_adds(&sb, "notifier          no health answer yet\n");
	sbuf_addf(&sb, "                  refused: %llu jobs with a target "
	    "no loaded policy names, %llu with bad event JSON\n",
	    (unsigned long long)env->nstats.refused_target,
	    (unsigned long long)env->nstats.refused_event);
	ctl_status_alerts_text(env, &sb);
	reload_status_text(env, &sb);
	ctl_status_syslog_text(env, &sb);
	feat = polset_features_render(0);
	sbuf_adds(&sb, "\n");
	sbuf_adds(&sb, feat);
	free(feat);
	return sb.buf;
}

char *
ctl_status_render(struct loaderd_env *env, int json)
{
	return json ? ctl_status_json(env) : ctl_status_text(env);
}

/* Answer text (IPC_CTL_STATUS_ANS, or IPC_CTL_ERROR), then hang up. */
static int
ctl_answer(struct ctl_conn *cc, uint16_t type, const char *text)
{
	struct ipc_text	 t;
	int		 r;

	t.text = (char *)text;
	if ((r = peer_send_now(cc->peer, type, &t, -1)) != 0)
		log_warnx_r(r, "control answer");
	ctl_conn_free(cc);
	return -1;
}

static int
ctl_status_msg(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct ctl_conn	*cc = arg;
	char		*text;
	int		 r, json = m->type == IPC_CTL_STATUS_JSON_REQ;

	if (m->type == IPC_CTL_STATUS_PROM_REQ)
		text = metrics_render(cc->env, 1);
	else
		text = ctl_status_render(cc->env, json);
	r = ctl_answer(cc, IPC_CTL_STATUS_ANS, text);
	free(text);
	return r;
}

static int
ctl_policy_msg(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct ctl_conn	*cc = arg;
	char		*text;
	int		 r, is_error;

	text = policies_ctl(cc->env, m->type, m->payload, m->len, &is_error);
	r = ctl_answer(cc, is_error ? IPC_CTL_ERROR : IPC_CTL_STATUS_ANS,
	    text);
	free(text);
	return r;
}

static int
ctl_reload_msg(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct ctl_conn	*cc = arg;
	char		*text;
	int		 r;

	r = reload_run(cc->env, "triplinectl", &text);
	r = ctl_answer(cc, r == 0 ? IPC_CTL_STATUS_ANS : IPC_CTL_ERROR, text);
	free(text);
	return r;
}

static int
ctl_conn_error(struct peer *p, int r, const struct ipc_msg *m, void *arg)
{
	struct ctl_conn	*cc = arg;
	struct ipc_text	 t;

	if (r == ERR_TYPE) {
		t.text = (char *)"unknown request";
		(void)peer_send_now(cc->peer, IPC_CTL_ERROR, &t, -1);
	} else
		log_debug("control connection: %s", err_str(r));
	ctl_conn_free(cc);
	return -1;
}

static const struct peer_handler ctl_handlers[] = {
	{ IPC_CTL_STATUS_REQ, ctl_status_msg },
	{ IPC_CTL_STATUS_JSON_REQ, ctl_status_msg },
	{ IPC_CTL_STATUS_PROM_REQ, ctl_status_msg },
	{ IPC_CTL_POLICY_ADD, ctl_policy_msg },
	{ IPC_CTL_POLICY_DEL, ctl_policy_msg },
	{ IPC_CTL_POLICY_LIST_REQ, ctl_policy_msg },
	{ IPC_CTL_POLICY_LIST_JSON_REQ, ctl_policy_msg },
	{ IPC_CTL_POLICY_MODE, ctl_policy_msg },
	{ IPC_CTL_RELOAD, ctl_reload_msg },
};
static const struct peer_proto ctl_proto = {
	.self = IPC_PROC_LOADERD,
	.remote = IPC_PROC_CTL,
	PEER_HANDLERS(ctl_handlers),
	.max_read = 1,
	.error = ctl_conn_error,
};

static void
ctl_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	ctl_conn_free(arg);
}

static void
ctl_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct loaderd_env	*env = arg;
	struct ctl_conn		*cc;
	struct timeval		 tv;
	uid_t			 uid;
	pid_t			 pid;
	gid_t			 gid;
	int			 fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("control socket accept");
		return;
	}
	if (ipc_peer_cred(fd, &pid, &uid, &gid) != 0 || uid != 0) {
		log_warnx("control connection from uid %ld refused",
		    (long)uid);
		close(fd);
		return;
	}
	cc = xcalloc(1, sizeof(*cc));
	cc->env = env;
	cc->peer = peer_new(fd, &ctl_proto, cc);
	cc->timeout = evtimer_new(env->base, ctl_timeout_cb, cc);
	tv.tv_sec = 5;
	tv.tv_usec = 0;
	if (cc->timeout == NULL || evtimer_add(cc->timeout, &tv) == -1 ||
	    peer_attach(cc->peer, env->base) != 0) {
		ctl_conn_free(cc);
		return;
	}
}

int
ctl_listen(struct loaderd_env *env)
{
	struct sockaddr_un	 sun;
	mode_t			 old;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, env->ctl_path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return -1;
	(void)unlink(env->ctl_path);
	old = umask(0077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(env->ctl_path, 0600) == -1 || listen(fd, 16) == -1) {
		close(fd);
		return -1;
	}
	env->ctl_fd = fd;
	env->ctl_ev = event_new(env->base, fd, EV_READ | EV_PERSIST,
	    ctl_accept_cb, env);
	if (env->ctl_ev == NULL || event_add(env->ctl_ev, NULL) == -1) {
		close(fd);
		env->ctl_fd = -1;
		return -1;
	}
	log_info("control socket %s", env->ctl_path);
	return 0;
}

void
ctl_close(struct loaderd_env *env)
{
	if (env->ctl_ev != NULL) {
		event_free(env->ctl_ev);
		env->ctl_ev = NULL;
	}
	if (env->ctl_fd != -1) {
		close(env->ctl_fd);
		env->ctl_fd = -1;
		(void)unlink(env->ctl_path);
	}
}
