/*
 * loaderd/loaderd.c -- tripline-loaderd: the only root process.
 *
 * Parses the configuration, loads and attaches the BPF programs, owns the
 * maps and the ring buffer, spawns collectord and notifierd (fork+exec,
 * fixed fds), hands the ring-buffer fd to the collector, supervises and
 * respawns the children, and serves the control socket for triplinectl.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "compat.h"
#include "config.h"
#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "log.h"
#include "peer.h"
#include "sandbox.h"
#include "xmalloc.h"
#include "bpf/events.h"
#include "bpf_load.h"
#include "policy_load.h"
#include "loaderd.h"
#include "metrics.h"
#include "privs.h"
#include "spawn.h"

#define BACKOFF_MIN_S		1
#define BACKOFF_MAX_S		30
#define STABLE_RUN_S		60	/* uptime after which backoff resets */
#define STOP_GRACE_S		10
#define DROPS_INTERVAL_S	1

static void	child_start(struct loaderd_env *, enum child_id);

static int
timer_in_ms(struct event *ev, uint64_t ms)
{
	struct timeval	 tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	return evtimer_add(ev, &tv);
}
/* what each child may send us (defined with the handlers) */
static const struct peer_proto child_protos[CHILD_MAX];

static int
timer_in(struct event *ev, unsigned int secs)
{
	return timer_in_ms(ev, (uint64_t)secs * 1000);
}

static __dead void
usage(void)
{
	fprintf(stderr,
	    "usage: tripline-loaderd [-dnPv] [-A alerts.yaml|none] [-f config] "
	    "[-S state_dir]\n"
	    "         [-X libexecdir]"
	    " [-m enforce|trap|log|off] [-N node_name]\n"
	    "         "
	    "[-V vendor_policy_dir|none]\n"
	    "         [-p policy.yaml ...]\n");
	exit(1);
}

static int
is_dir(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void
prepare_dirs(struct loaderd_env *env)
{
	char	 real[PATH_MAX];
	FILE	*fp;
	int	 n;

	if (privs_mkdir(env->cfg.state_dir, 0750) != 0)
		fatal("state directory %s", env->cfg.state_dir);
	if (realpath(env->cfg.state_dir, real) == NULL)
		fatal("realpath %s", env->cfg.state_dir);
	free(env->cfg.state_dir);
	env->cfg.state_dir = xstrdup(real);
	n = snprintf(env->rundir, sizeof(env->rundir), "%s/run", real);
	if (n < 0 || (size_t)n >= sizeof(env->rundir))
		fatalx("state directory path too long");
	if (privs_mkdir(env->rundir, 0700) != 0)
		fatal("run directory %s", env->rundir);
	snprintf(env->ctl_path, sizeof(env->ctl_path), "%s/tripline.sock",
	    env->rundir);
	snprintf(env->policy_dir, sizeof(env->policy_dir), "%s/policies.d",
	    real);
	if (privs_mkdir(env->policy_dir, 0700) != 0)
		fatal("policy directory %s", env->policy_dir);
	snprintf(env->pid_path, sizeof(env->pid_path), "%s/loaderd.pid",
	    env->rundir);
	if ((fp = fopen(env->pid_path, "we")) == NULL)
		fatal("pid file %s", env->pid_path);
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) == EOF)
		fatal("pid file %s", env->pid_path);
}

/*
 * The children live in libexecdir (installed) or, for ./run.sh and the
 * tests, in the build tree, where -X names the top build directory and the
 * binaries are DIR/collectord/collectord and DIR/notifierd/notifierd.
 */
static const char *
child_binary(struct loaderd_env *env, const char *name, char *buf,
    size_t len)
{
	int	 n;

	n = snprintf(buf, len, "%s/%s", env->libexecdir, name);
	if (n < 0 || (size_t)n >= len)
		fatalx("libexec path too long");
	if (access(buf, X_OK) == 0 && !is_dir(buf))
		return buf;
	n = snprintf(buf, len, "%s/%s/%s", env->libexecdir, name, name);
	if (n < 0 || (size_t)n >= len)
		fatalx("libexec path too long");
	if (access(buf, X_OK) == -1)
		fatal("child binary %s/%s", env->libexecdir, name);
	return buf;
}

/* What loaderd execs must be root's alone, up to / (sshd's safe_path). */
static const char *
child_binary_checked(struct loaderd_env *env, const char *name, char *buf,
    size_t len)
{
	char	 err[PATH_MAX + 128];

	child_binary(env, name, buf, len);
	if (privs_check_binary(buf, err, sizeof(err)) != 0)
		fatalx("refusing to run %s: %s", name, err);
	return buf;
}

/* collectord's retention and free-space settings. */
static void
child_argv_store(struct loaderd_env *env, char **argv, int *i)
{
	const struct tripline_config *c = &env->cfg;

	argv[(*i)++] = xstrdup("-A");
	xasprintf(&argv[(*i)++], "%llu", (unsigned long long)c->max_age_s);
	argv[(*i)++] = xstrdup("-M");
	xasprintf(&argv[(*i)++], "%llu", (unsigned long long)c->max_size);
	argv[(*i)++] = xstrdup("-F");
	if (c->min_free_pct != 0)
		xasprintf(&argv[(*i)++], "%u%%", c->min_free_pct);
	else
		xasprintf(&argv[(*i)++], "%llu",
		    (unsigned long long)c->min_free);
}

/* Syslog forwarding: the collector renders the messages (-L facility,
 * -a app_name, -B max_backlog), the notifier sends them to the one
 * target (-T, -C ca_file, -W timeout_ms). */
static void
child_argv_syslog(const struct config_syslog *c, enum child_id id,
    char **argv, int *i)
{
	if (c->target == NULL)
		return;
	if (id == CHILD_COLLECTOR) {
		argv[(*i)++] = xstrdup("-L");
		xasprintf(&argv[(*i)++], "%d", c->facility);
		argv[(*i)++] = xstrdup("-a");
		argv[(*i)++] = xstrdup(c->app_name);
		argv[(*i)++] = xstrdup("-B");
		xasprintf(&argv[(*i)++], "%llu",
		    (unsigned long long)c->max_backlog);
		return;
	}
	if (c->ca_file != NULL) {
		argv[(*i)++] = xstrdup("-C");
		argv[(*i)++] = xstrdup(c->ca_file);
	}
	argv[(*i)++] = xstrdup("-W");
	xasprintf(&argv[(*i)++], "%u", c->timeout_ms);
	argv[(*i)++] = xstrdup("-T");
	argv[(*i)++] = xstrdup(c->target);
}

static char **
child_argv(struct loaderd_env *env, enum child_id id)
{
	char	**argv;
	int	 i = 0, v;

	argv = xcalloc(40, sizeof(*argv));
	argv[i++] = xstrdup(env->child[id].name);
	if (env->debug)
		argv[i++] = xstrdup("-d");
	for (v = 0; v < env->verbose && v < 3; v++)
		argv[i++] = xstrdup("-v");
	argv[i++] = xstrdup("-m");
	argv[i++] = xstrdup(sandbox_mode_name(env->cfg.sandbox_mode));
	argv[i++] = xstrdup("-u");
	if (id == CHILD_COLLECTOR) {
		argv[i++] = xstrdup(env->cfg.collector_user);
		argv[i++] = xstrdup("-S");
		argv[i++] = xstrdup(env->cfg.state_dir);
		argv[i++] = xstrdup("-N");
		argv[i++] = xstrdup(env->cfg.node_name);
		argv[i++] = xstrdup("-b");
		xasprintf(&argv[i++], "%u", env->cfg.batch_ms);
		argv[i++] = xstrdup("-r");
		xasprintf(&argv[i++], "%u", env->cfg.batch_rows);
		if (env->print_events)
			argv[i++] = xstrdup("-p");
		if (!env->cfg.export_json)
			argv[i++] = xstrdup("-J");
		child_argv_store(env, argv, &i);
		if (env->cfg.expose_stack_addresses)
			argv[i++] = xstrdup("-K");
		if (env->cfg.export_json && env->cfg.export_max_size != 0) {
			argv[i++] = xstrdup("-R");
			xasprintf(&argv[i++], "%llu",
			    (unsigned long long)env->cfg.export_max_size);
		}
	} else
		argv[i++] = xstrdup(env->cfg.notifier_user);
	child_argv_syslog(&env->cfg.syslog, id, argv, &i);
	argv[i] = NULL;
	return argv;
}

static void
argv_free(char **argv)
{
	size_t	 i;

	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/*
 * Messages to children go through a queue: the socket may be full (a
 * collector busy draining the ring), and hook metadata must not be lost.
 */
int
child_send(struct loaderd_env *env, enum child_id id, uint16_t type,
    const void *msg)
{
	return child_send_fd(env, id, type, msg, -1);
}

int
child_send_fd(struct loaderd_env *env, enum child_id id, uint16_t type,
    const void *msg, int fd)
{
	struct child	*c = &env->child[id];
	int		 r;

	if (c->peer == NULL)
		return ERR_EOF;
	if ((r = supervise_queue_check(c)) != 0)
		return r;
	return peer_send(c->peer, type, msg, fd);
}

static void
child_send_ringbuf(struct loaderd_env *env)
{
	struct child		*c = &env->child[CHILD_COLLECTOR];
	struct ipc_ringbuf	 rb;
	int			 r;

	rb.size = bpfl_ringbuf_size(env->bpf);
	rb.abi_version = EV_ABI_VERSION;
	/* the first message on a fresh socket: always fits */
	if ((r = peer_send_now(c->peer, IPC_COLLECT_RINGBUF, &rb,
	    bpfl_ringbuf_fd(env->bpf))) != 0)
		log_warnx_r(r, "sending ring buffer to %s", c->name);
	else
		log_debug("ring buffer fd (%llu bytes) sent to %s",
		    (unsigned long long)rb.size, c->name);
}

/* The collector's kallsyms fd, for the kernel frames of stack traces. */
static void
child_send_ksyms(struct loaderd_env *env)
{
	struct ipc_ksyms	 k;
	int			 r;

	if (env->ksyms_fd < 0)
		return;
	k.flags = 0;
	if ((r = child_send_fd(env, CHILD_COLLECTOR, IPC_COLLECT_KSYMS, &k,
	    env->ksyms_fd)) != 0)
		log_warnx_r(r, "sending /proc/kallsyms to the collector");
}

static void
child_restart_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct child		*c = arg;

	if (c->env->shutting_down)
		return;
	child_start(c->env, c->id);
}

/* Hand the collector our copy of its end of the current peer pair. */
static void
child_send_peer(struct loaderd_env *env)
{
	struct ipc_peer	 p;
	int		 r;

	if (env->peer_fd == -1 || env->child[CHILD_COLLECTOR].peer == NULL)
		return;
	p.generation = env->peer_gen;
	if ((r = child_send_fd(env, CHILD_COLLECTOR, IPC_COLLECT_PEER, &p,
	    env->peer_fd)) != 0)
		log_warnx_r(r, "sending the notifier channel to collectord");
	else
		log_debug("notifier channel (generation %u) sent to "
		    "collectord", p.generation);
}

static void
child_start(struct loaderd_env *env, enum child_id id)
{
	struct child	*c = &env->child[id];
	int		 sv[2], peer[2];
	pid_t		 pid;

	if (ipc_socketpair(sv) != 0)
		fatal("socketpair");
	/*
	 * fd 4.  The notifier gets one end of a fresh collector<->notifier
	 * pair at each start; loaderd keeps the other end and passes it to
	 * the collector (IPC_COLLECT_PEER), now and whenever the collector
	 * restarts.  The collector's own fd 4 is a placeholder: a SEQPACKET
	 * socket whose far end is closed (so the fd layout of both children
	 * is the same and checkable); its channel only ever arrives by
	 * IPC_COLLECT_PEER.  See docs/ARCHITECTURE.md, section 2.
	 */
	if (ipc_socketpair(peer) != 0)
		fatal("socketpair");
	pid = spawner_spawn(&env->spawner, id, sv[1], peer[1]);
	close(sv[1]);
	close(peer[1]);
	if (pid == -1) {
		log_warn("fork %s", c->name);
		close(sv[0]);
		close(peer[0]);
		c->pid = -1;
		timer_in(c->restart_ev, c->backoff_s);
		return;
	}
	if (id == CHILD_NOTIFIER) {
		if (env->peer_fd != -1)
			close(env->peer_fd);
		env->peer_fd = peer[0];
		env->peer_gen++;
	} else
		close(peer[0]);
	c->pid = pid;
	c->ready = 0;
	c->started = time(NULL);
	supervise_started(c);
	c->peer = peer_new(sv[0], &child_protos[id], c);
	if (peer_attach(c->peer, env->base) != 0)
		fatalx("event_add %s", c->name);
	log_info("started %s (pid %ld)", c->name, (long)pid);
	if (id == CHILD_COLLECTOR) {
		child_send_ringbuf(env);
		child_send_ksyms(env);
		/* routes and receivers before any record, then the channel */
		child_send_alerts(env, id);
		child_send_peer(env);
		/* what every loaded hook means, before any of its records */
		policies_resend(env);
	} else {
		child_send_alerts(env, id);
		child_send_peer(env);
	}
}

static void
child_close(struct child *c)
{
	peer_free(c->peer);
	c->peer = NULL;
}

/*
 * What the children send.  Children are not trusted: a message that does
 * not decode, or one the peer layer refuses (not of this child, not for
 * loaderd), kills the child, never loaderd.
 */
static int
child_ready_msg(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct child		*c = arg;
	struct ipc_ready	 rd;

	if (ipc_msg_decode(m->type, m->payload, m->len, &rd) != 0) {
		child_kill(c, "malformed READY");
		return 0;
	}
	c->ready = 1;
	c->uid = rd.uid;
	supervise_stopped(c);
	log_info("%s ready (pid %u, uid %u)", c->name, rd.pid, rd.uid);
	/* the first health check at once: readiness and the watchdog wait
	 * for its answer */
	supervise_ping(c, supervise_now_ms());
	service_health(c->env);
	return 0;
}

static int
child_stats_msg(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct child		*c = arg;
	struct loaderd_env	*env = c->env;

	if (ipc_msg_decode(m->type, m->payload, m->len, &env->cstats) != 0) {
		child_kill(c, "malformed STATS");
		return 0;
	}
	env->cstats_time = time(NULL);
	return 0;
}

static int
child_fwd_stats_msg(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct child		*c = arg;

	if (ipc_msg_decode(m->type, m->payload, m->len,
	    &c->env->fstats) != 0)
		child_kill(c, "malformed FWD_STATS");
	return 0;
}

static int
child_peer_error(struct peer *p, int r, const struct ipc_msg *m, void *arg)
{
	struct child	*c = arg;

	if (r == ERR_TYPE) {
		child_kill(c, "unexpected message type");
		return 0;
	}
	if (r == ERR_EOF)
		log_debug("%s closed its channel", c->name);
	else
		child_kill(c, err_str(r));
	child_close(c);
	return -1;
}

static void
child_send_error(struct peer *p, int r, void *arg)
{
	struct child	*c = arg;

	log_warnx_r(r, "sending to %s", c->name);
}

static const struct peer_handler child_collector_handlers[] = {
	{ IPC_COLLECT_READY, child_ready_msg },
	{ IPC_COLLECT_STATS, child_stats_msg },
	{ IPC_COLLECT_FWD_STATS, child_fwd_stats_msg },
	{ IPC_COLLECT_HEALTH_ANS, child_health_msg },
	{ IPC_COLLECT_ROTATE, jsonrot_msg },
};
static const struct peer_handler child_notifier_handlers[] = {
	{ IPC_NOTIFY_READY, child_ready_msg },
	{ IPC_NOTIFY_HEALTH_ANS, child_health_msg },
	{ IPC_NOTIFY_STATS, targets_stats_msg },
};
static const struct peer_proto child_protos[CHILD_MAX] = {
	[CHILD_COLLECTOR] = {
		.self = IPC_PROC_LOADERD,
		.remote = IPC_PROC_COLLECTORD,
		PEER_HANDLERS(child_collector_handlers),
		.max_read = 64,
		.error = child_peer_error,
		.send_error = child_send_error,
	},
	[CHILD_NOTIFIER] = {
		.self = IPC_PROC_LOADERD,
		.remote = IPC_PROC_NOTIFIERD,
		PEER_HANDLERS(child_notifier_handlers),
		.max_read = 64,
		.error = child_peer_error,
		.send_error = child_send_error,
	},
};

/* Without the spawner no child can be restarted: stop (systemd restarts). */
static void
spawner_died(struct loaderd_env *env, int status)
{
	env->spawner.pid = -1;
	if (env->shutting_down)
		return;
	log_warnx("the spawner died (wait status %d); shutting down", status);
	env->shutting_down = 1;
	env->failed = 1;
	event_base_loopbreak(env->base);
}

static void
sigchld_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct loaderd_env	*env = arg;
	struct child		*c;
	enum child_id		 id;
	pid_t			 pid;
	int			 status;
	time_t			 now = time(NULL);

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == env->spawner.pid) {
			spawner_died(env, status);
			continue;
		}
		for (id = 0; id < CHILD_MAX; id++)
			if (env->child[id].pid == pid)
				break;
		if (id == CHILD_MAX)
			continue;
		c = &env->child[id];
		c->last_status = status;
		if (WIFSIGNALED(status))
			log_warnx("%s (pid %ld) killed by signal %d", c->name,
			    (long)pid, WTERMSIG(status));
		else
			log_info("%s (pid %ld) exited with status %d",
			    c->name, (long)pid, WEXITSTATUS(status));
		c->pid = -1;
		c->ready = 0;
		supervise_stopped(c);
		child_close(c);
		if (env->shutting_down)
			continue;
		if (c->reloading) {	/* stopped by a reload: at once */
			reload_child_stopped(env, id);
			child_start(env, id);
			continue;
		}
		if (now - c->started >= STABLE_RUN_S)
			c->backoff_s = BACKOFF_MIN_S;
		c->restarts++;
		log_info("restarting %s in %u s (restart #%u)", c->name,
		    c->backoff_s, c->restarts);
		timer_in(c->restart_ev, c->backoff_s);
		c->backoff_s *= 2;
		if (c->backoff_s > BACKOFF_MAX_S)
			c->backoff_s = BACKOFF_MAX_S;
	}
}

static uint64_t
boot_now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static struct drops_hook *
drops_hook_find(struct loaderd_env *env, uint32_t id, uint32_t gen)
{
	struct drops_hook	*dh;
	size_t			 i;

	for (i = 0; i < env->ndrops_hooks; i++) {
		dh = &env->drops_hooks[i];
		if (dh->id == id && dh->gen == gen)
			return dh;
	}
	env->drops_hooks = xreallocarray(env->drops_hooks,
	    env->ndrops_hooks + 1, sizeof(*env->drops_hooks));
	dh = &env->drops_hooks[env->ndrops_hooks++];
	memset(dh, 0, sizeof(*dh));
	dh->id = id;
	dh->gen = gen;
	return dh;
}

/*
 * The per-hook part of the drops report: one message per hook whose
 * hook_stats dropped counter grew.  A hook (id, gen) not seen before
 * starts from 0 (its counters are zeroed when its slot is written);
 * entries of hooks no longer loaded are forgotten.
 */
static void
drops_report_hooks(struct loaderd_env *env, uint64_t now)
{
	struct polset_hookinfo	 hi;
	struct drops_hook	*dh;
	struct ipc_drops	 d;
	size_t			 n, i, j;
	int			 r;

	for (i = 0; i < env->ndrops_hooks; i++)
		env->drops_hooks[i].seen = 0;
	for (n = 0; polset_hook(env->pols, n, &hi) == 0; n++) {
		if (hi.skipped || hi.id == 0)
			continue;
		dh = drops_hook_find(env, hi.id, hi.gen);
		dh->seen = 1;
		if (hi.dropped < dh->reported)
			dh->reported = hi.dropped;	/* slot reset */
		if (hi.dropped == dh->reported)
			continue;
		memset(&d, 0, sizeof(d));
		d.time_ns = now;
		d.count = hi.dropped - dh->reported;
		d.total = hi.dropped;
		d.source = IPC_DROPS_HOOK;
		d.hook_id = hi.id;
		d.hook_gen = hi.gen;
		d.policy = (char *)(hi.policy != NULL ? hi.policy : "");
		d.function = (char *)(hi.target != NULL ? hi.target : "");
		if ((r = child_send(env, CHILD_COLLECTOR, IPC_COLLECT_DROPS,
		    &d)) != 0) {
			log_warnx_r(r, "reporting drops of hook %u", hi.id);
			continue;
		}
		dh->reported = hi.dropped;
	}
	for (i = j = 0; i < env->ndrops_hooks; i++)
		if (env->drops_hooks[i].seen)
			env->drops_hooks[j++] = env->drops_hooks[i];
	env->ndrops_hooks = j;
}

/*
 * Records lost because the ring buffer was full (counted by the BPF
 * programs) go to the collector, which stores them: nothing is lost
 * silently.  Only a ready collector is told; while none runs the figures
 * keep growing and the next one gets the whole difference.
 */
/* Tell the collector the sockets the tracking map had no room for. */
static void
drops_report_sockown(struct loaderd_env *env, uint64_t now, uint64_t total)
{
	struct ipc_drops	 d;
	int			 r;

	if (total <= env->sockown_reported)
		return;
	memset(&d, 0, sizeof(d));
	d.time_ns = now;
	d.count = total - env->sockown_reported;
	d.total = total;
	d.source = IPC_DROPS_SOCKOWN;
	d.policy = d.function = (char *)"";
	if ((r = child_send(env, CHILD_COLLECTOR, IPC_COLLECT_DROPS, &d)) != 0) {
		log_warnx_r(r, "reporting %llu untracked sockets",
		    (unsigned long long)d.count);
		return;
	}
	log_warnx("socket tracking map full: %llu sockets not tracked (%llu "
	    "in total); their events name the current task",
	    (unsigned long long)d.count, (unsigned long long)total);
	env->sockown_reported = total;
}

static void
drops_report(struct loaderd_env *env)
{
	struct child		*c = &env->child[CHILD_COLLECTOR];
	struct ipc_drops	 d;
	uint64_t		 st[EV_STAT_MAX], now;
	int			 r;

	if (env->bpf == NULL || c->peer == NULL || !c->ready)
		return;
	now = boot_now_ns();
	if ((r = bpfl_stats(env->bpf, st)) != 0) {
		log_warnx_r(r, "reading BPF counters");
		return;
	}
	if (st[EV_STAT_DROPPED] > env->drops_reported) {
		memset(&d, 0, sizeof(d));
		d.time_ns = now;
		d.count = st[EV_STAT_DROPPED] - env->drops_reported;
		d.total = st[EV_STAT_DROPPED];
		d.source = IPC_DROPS_RING;
		d.policy = d.function = (char *)"";
		if ((r = child_send(env, CHILD_COLLECTOR, IPC_COLLECT_DROPS,
		    &d)) != 0)
			log_warnx_r(r, "reporting %llu lost records",
			    (unsigned long long)d.count);
		else {
			log_warnx("ring buffer full: %llu records lost "
			    "(%llu in total)", (unsigned long long)d.count,
			    (unsigned long long)d.total);
			env->drops_reported = st[EV_STAT_DROPPED];
		}
	}
	drops_report_sockown(env, now, st[EV_STAT_SOCKOWN_FULL]);
	if (env->pols != NULL)
		drops_report_hooks(env, now);
}

static void
drops_cb(evutil_socket_t fd, short ev, void *arg)
{
	drops_report(arg);
}

static void
shutdown_children(struct loaderd_env *env)
{
	enum child_id	 id;
	time_t		 deadline;
	pid_t		 pid;
	int		 status, alive;

	for (id = 0; id < CHILD_MAX; id++) {
		evtimer_del(env->child[id].restart_ev);
		if (env->child[id].pid > 0)
			kill(env->child[id].pid, SIGTERM);
	}
	deadline = time(NULL) + STOP_GRACE_S;
	for (;;) {
		alive = 0;
		for (id = 0; id < CHILD_MAX; id++) {
			if (env->child[id].pid <= 0)
				continue;
			pid = waitpid(env->child[id].pid, &status, WNOHANG);
			if (pid == env->child[id].pid || (pid == -1 &&
			    errno == ECHILD)) {
				log_info("%s stopped", env->child[id].name);
				env->child[id].pid = -1;
			} else
				alive++;
		}
		if (alive == 0)
			break;
		if (time(NULL) >= deadline) {
			for (id = 0; id < CHILD_MAX; id++)
				if (env->child[id].pid > 0) {
					log_warnx("%s did not stop; SIGKILL",
					    env->child[id].name);
					kill(env->child[id].pid, SIGKILL);
					waitpid(env->child[id].pid, &status, 0);
					env->child[id].pid = -1;
				}
			break;
		}
		usleep(20000);
	}
	for (id = 0; id < CHILD_MAX; id++)
		child_close(&env->child[id]);
}

static void
sigterm_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct loaderd_env	*env = arg;

	log_info("received signal %d, shutting down", (int)sig);
	env->shutting_down = 1;
	event_base_loopbreak(env->base);
}

static void
libevent_log_cb(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

/* Command-line overrides of the configuration file. */
struct loaderd_opts {
	const char	*conffile, *state, *mode, *node, *alerts;
	int		 noaction;
};

static void
loaderd_parse_opts(struct loaderd_env *env, struct loaderd_opts *o,
    int argc, char *argv[])
{
	int	 ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt(argc, argv, "A:df:hm:nN:p:PS:vV:X:")) != -1) {
		switch (ch) {
		case 'A':
			o->alerts = optarg;
			break;
		case 'd':
			env->debug = 1;
			break;
		case 'f':
			o->conffile = optarg;
			break;
		case 'm':
			o->mode = optarg;
			break;
		case 'n':
			o->noaction = 1;
			break;
		case 'N':
			o->node = optarg;
			break;
		case 'p':
			env->policy_files = xreallocarray(env->policy_files,
			    env->npolicy_files + 2, sizeof(char *));
			env->policy_files[env->npolicy_files++] = optarg;
			env->policy_files[env->npolicy_files] = NULL;
			break;
		case 'P':
			env->print_events = 1;
			break;
		case 'V':
			env->vendor_policy_dir = strcmp(optarg, "none") == 0 ?
			    NULL : optarg;
			break;
		case 'S':
			o->state = optarg;
			break;
		case 'v':
			env->verbose++;
			break;
		case 'X':
			env->libexecdir = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/* The configuration file, then the command line's overrides. */
static void
loaderd_config(struct loaderd_env *env, const struct loaderd_opts *o)
{
	const char	*conffile = o->conffile;
	char		 err[1024];
	struct stat	 st;
	int		 m;

	config_defaults(&env->cfg);
	if (conffile == NULL && stat(PKG_CONFDIR "/tripline.yaml", &st) == 0)
		conffile = PKG_CONFDIR "/tripline.yaml";
	if (conffile != NULL &&
	    config_load(conffile, &env->cfg, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (o->state != NULL) {
		free(env->cfg.state_dir);
		env->cfg.state_dir = xstrdup(o->state);
	}
	if (o->node != NULL) {
		free(env->cfg.node_name);
		env->cfg.node_name = xstrdup(o->node);
	}
	if (o->mode != NULL) {
		if ((m = sandbox_mode_parse(o->mode)) == -1)
			fatalx("unknown sandbox mode %s", o->mode);
		env->cfg.sandbox_mode = m;
	}
}

/* The children's table; their users must exist before anything loads. */
static void
loaderd_children_init(struct loaderd_env *env)
{
	char		 pathbuf[PATH_MAX];
	enum child_id	 id;
	uid_t		 u;
	gid_t		 g;

	for (id = 0; id < CHILD_MAX; id++) {
		env->child[id].env = env;
		env->child[id].id = id;
		env->child[id].pid = -1;
		env->child[id].backoff_s = BACKOFF_MIN_S;
	}
	env->child[CHILD_COLLECTOR].name = "collectord";
	env->child[CHILD_NOTIFIER].name = "notifierd";
	for (id = 0; id < CHILD_MAX; id++)
		env->child[id].path = xstrdup(child_binary_checked(env,
		    env->child[id].name, pathbuf, sizeof(pathbuf)));
	if (sandbox_lookup_user(env->cfg.collector_user, &u, &g) != 0)
		fatalx("collector user \"%s\" does not exist",
		    env->cfg.collector_user);
	if (sandbox_lookup_user(env->cfg.notifier_user, &u, &g) != 0)
		fatalx("notifier user \"%s\" does not exist",
		    env->cfg.notifier_user);
}

/* loaderd's own events: signals and the health and drops timers. */
struct loaderd_events {
	struct event	*chld, *term, *intr, *health, *drops;
};

static void
loaderd_events_new(struct loaderd_env *env, struct loaderd_events *ev)
{
	ev->chld = evsignal_new(env->base, SIGCHLD, sigchld_cb, env);
	ev->term = evsignal_new(env->base, SIGTERM, sigterm_cb, env);
	ev->intr = evsignal_new(env->base, SIGINT, sigterm_cb, env);
	ev->health = event_new(env->base, -1, EV_PERSIST, supervise_health_cb, env);
	ev->drops = event_new(env->base, -1, EV_PERSIST, drops_cb, env);
	if (ev->chld == NULL || ev->term == NULL || ev->intr == NULL ||
	    ev->health == NULL || ev->drops == NULL ||
	    evsignal_add(ev->chld, NULL) == -1 ||
	    evsignal_add(ev->term, NULL) == -1 ||
	    evsignal_add(ev->intr, NULL) == -1 ||
	    timer_in_ms(ev->health, env->limits.health_interval_ms) == -1 ||
	    timer_in(ev->drops, DROPS_INTERVAL_S) == -1)
		fatalx("event setup");
	reload_init(env);	/* SIGHUP */
	jsonrot_init(env);	/* SIGUSR1 */
}

/* After the event loop: children stopped, everything released. */
static void
loaderd_shutdown(struct loaderd_env *env, struct loaderd_events *ev)
{
	enum child_id	 id;

	env->shutting_down = 1;
	service_stopping(env);
	/* the last drops, read by the collector before it stops */
	drops_report(env);
	metrics_stop(env);
	shutdown_children(env);
	ctl_close(env);
	reload_free(env);
	jsonrot_free(env);
	polset_free(env->pols);
	bpfl_free(env->bpf);
	unlink(env->pid_path);
	event_free(ev->chld);
	event_free(ev->term);
	event_free(ev->intr);
	event_free(ev->health);
	event_free(ev->drops);
	free(env->drops_hooks);
	spawner_stop(&env->spawner);
	service_free(env);
	for (id = 0; id < CHILD_MAX; id++) {
		event_free(env->child[id].restart_ev);
		supervise_free(&env->child[id]);
		free(env->child[id].path);
	}
	event_base_free(env->base);
	if (env->peer_fd != -1)
		close(env->peer_fd);
	alerts_free(env);
	targets_free(env);
	config_clear(&env->cfg);
}

/*
 * The spawner, forked while loaderd still has its start-up privileges and
 * no filter; the children's argv and environment are fixed now.
 */
static void
loaderd_spawner_start(struct loaderd_env *env)
{
	struct spawn_prog	 progs[CHILD_MAX];
	char			**envp;
	enum child_id		 id;

	for (id = 0; id < CHILD_MAX; id++) {
		progs[id].path = env->child[id].path;
		progs[id].argv = child_argv(env, id);
	}
	envp = spawn_env_new();
	if (spawner_start(&env->spawner, progs, CHILD_MAX, envp) != 0)
		fatal("fork of the spawner");
	spawn_env_free(envp);
	for (id = 0; id < CHILD_MAX; id++)
		argv_free(progs[id].argv);
	log_debug("spawner started (pid %ld)", (long)env->spawner.pid);
}

/* After the BPF load: trim capabilities, then loaderd's own filter. */
static void
loaderd_confine(struct loaderd_env *env)
{
	if (privs_trim() != 0)
		fatal("trimming capabilities");
	env->caps_dropped = 1;
	log_info("capabilities trimmed to BPF PERFMON SYS_ADMIN NET_ADMIN "
	    "KILL");
	if (sandbox_seccomp(loaderd_rules, loaderd_nrules,
	    env->cfg.sandbox_mode) != 0)
		fatal("seccomp");
	env->seccomp_on = env->cfg.sandbox_mode != SANDBOX_OFF;
}

int
main(int argc, char *argv[])
{
	static struct loaderd_env envs;
	struct loaderd_env	*env = &envs;
	struct loaderd_opts	 o;
	struct loaderd_events	 ev;
	char			 err[1024];
	enum child_id		 id;

	env->libexecdir = getenv("TRIPLINE_LIBEXECDIR");
	if (env->libexecdir == NULL)
		env->libexecdir = PKG_LIBEXECDIR;
	env->vendor_policy_dir = PKG_DATADIR "/policies";
	loaderd_parse_opts(env, &o, argc, argv);
	log_init(env->debug || o.noaction, env->verbose);
	log_procinit("loaderd");

	loaderd_config(env, &o);
	env->peer_fd = -1;
	if (alerts_setup(env, o.alerts) != 0)
		exit(1);
	if (o.noaction) {
		if (policies_check(env) != 0)
			exit(1);
		fprintf(stderr, "configuration OK\n");
		exit(0);
	}
	if (geteuid() != 0)
		fatalx("must run as root (it loads BPF programs)");

	prctl(PR_SET_NAME, "loaderd");
	env->started = time(NULL);
	env->ctl_fd = -1;
	loaderd_children_init(env);

	prepare_dirs(env);
	signal(SIGPIPE, SIG_IGN);
	event_set_log_callback(libevent_log_cb);
	if ((env->base = event_base_new()) == NULL)
		fatalx("event_base_new");

	if (bpfl_open(&env->bpf, env->cfg.ringbuf_size, err,
	    sizeof(err)) != 0)
		fatalx("loading BPF programs: %s", err);
	policies_init(env);
	if (ctl_listen(env) != 0)
		fatal("control socket %s", env->ctl_path);
	service_init(env);
	supervise_init(env, env->svc.watchdog_ms);
	loaderd_events_new(env, &ev);
	service_events(env);
	loaderd_spawner_start(env);
	/* before the trim: the file shows addresses by its opener's
	 * credentials (CAP_SYSLOG, or perf_event_paranoid <= 1) */
	env->ksyms_fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	if (env->ksyms_fd == -1)
		log_warn("/proc/kallsyms: kernel stack frames will have no "
		    "symbols");
	loaderd_confine(env);

	for (id = 0; id < CHILD_MAX; id++) {
		env->child[id].restart_ev = evtimer_new(env->base,
		    child_restart_cb, &env->child[id]);
		if (env->child[id].restart_ev == NULL)
			fatalx("evtimer_new");
		child_start(env, id);
	}
	log_info("running: state %s, node %s, sandbox %s",
	    env->cfg.state_dir, env->cfg.node_name,
	    sandbox_mode_name(env->cfg.sandbox_mode));
	if (metrics_start(env) != 0)
		fatalx("metrics timer");

	event_base_dispatch(env->base);

	loaderd_shutdown(env, &ev);
	log_info("stopped");
	return env->failed ? 1 : 0;
}
