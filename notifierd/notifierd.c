/*
 * notifierd/notifierd.c -- alert delivery daemon.
 *
 * Exec'd by loaderd with fd 3 (channel to loaderd) and fd 4 (channel to
 * collectord).  Startup: validate fds, look up the user, read the alerts
 * file loaderd sends (IPC_NOTIFY_CONFIG, secrets included) and parse it,
 * prepare libcurl and the resolver, Landlock (read-only DNS/TLS files and
 * the configured CA files), drop to the user, seccomp, report
 * IPC_NOTIFY_READY.  Then: IPC_ALERT_JOB from collectord -> one delivery
 * attempt (deliver.c) -> IPC_ALERT_RESULT; health checks from loaderd;
 * until SIGTERM/SIGINT or until loaderd closes its channel.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "alerts.h"
#include "config_syslog.h"
#include "compat.h"
#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "log.h"
#include "notifierd.h"
#include "peer.h"
#include "sandbox.h"

/* how long loaderd has to send IPC_NOTIFY_CONFIG after the exec */
#define NOTIFIER_CONFIG_WAIT_MS	10000
/* jobs in flight before new ones are answered "busy" (retry) */
#define NOTIFIER_MAX_JOBS	1024

static __dead void
notifier_usage(void)
{
	fprintf(stderr, "usage: notifierd [-dPv] [-m enforce|trap|log|off] "
	    "[-u user]\n"
	    "                 [-C ca_file] [-W timeout_ms] [-T syslog_target]"
	    "\n");
	exit(1);
}

static uint64_t
notifier_now_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Queue a message for loaderd and send it as soon as the socket takes
 * it.  The parent channel is trusted: a failure on it is fatal. */
static void
notifier_send(struct notifier_env *env, uint16_t type, const void *msg)
{
	int	 r;

	if ((r = peer_send(env->parent, type, msg, -1)) != 0)
		fatalx_r(r, "parent: send %s", ipc_msg_type_name(type));
}

static void
notifier_send_error(struct peer *p, int r, void *arg)
{
	struct notifier_env *env = arg;

	fatalx_r(r, "%s: send", p == env->parent ? "parent" : "peer");
}

static int
notifier_health(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct notifier_env *env = arg;
	struct ipc_health req, ans;
	int	 r;

	if ((r = ipc_msg_decode(m->type, m->payload, m->len, &req)) != 0)
		fatalx_r(r, "parent: bad IPC_NOTIFY_HEALTH_REQ");
	ans.seq = req.seq;
	ans.uptime_ms = notifier_now_ms() - env->start_ms;
	log_debug("health check %llu: uptime %llu ms",
	    (unsigned long long)ans.seq, (unsigned long long)ans.uptime_ms);
	notifier_send(env, IPC_NOTIFY_HEALTH_ANS, &ans);
	return 0;
}

/* The action targets the loaded policies allow (the whole list each
 * time). */
static int
notifier_targets(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct notifier_env *env = arg;
	struct ipc_text	 t;
	int		 r;

	if ((r = ipc_msg_decode(m->type, m->payload, m->len, &t)) != 0)
		fatalx_r(r, "parent: bad IPC_NOTIFY_TARGETS");
	deliver_set_targets(env->dl, t.text);
	free(t.text);
	return 0;
}

/* Report the refusal counters to loaderd (for status), at most once a
 * second however many jobs are refused. */
static void
notifier_stats_cb(evutil_socket_t fd, short what, void *arg)
{
	struct notifier_env *env = arg;

	deliver_stats(env->dl, &env->stats_sent);
	notifier_send(env, IPC_NOTIFY_STATS, &env->stats_sent);
}

static void
notifier_stats_check(struct notifier_env *env)
{
	struct ipc_notify_stats st;
	struct timeval	 tv = { 1, 0 };

	deliver_stats(env->dl, &st);
	if (memcmp(&st, &env->stats_sent, sizeof(st)) == 0 ||
	    evtimer_pending(env->ev_stats, NULL))
		return;
	if (evtimer_add(env->ev_stats, &tv) == -1)
		fatalx("evtimer_add");
}

/* loaderd is trusted: anything unexpected from it is fatal. */
static int
notifier_parent_error(struct peer *p, int r, const struct ipc_msg *m,
    void *arg)
{
	struct notifier_env *env = arg;

	if (r == ERR_EOF) {
		log_info("parent closed the channel, exiting");
		event_base_loopbreak(env->base);
		return -1;
	}
	if (m != NULL)
		fatalx("parent: unexpected message %s (%u)",
		    ipc_msg_type_name(m->type), m->type);
	fatalx_r(r, "parent: receive");
}

/* What loaderd may send once we run (OpenSSH mon_table style). */
static const struct peer_handler notifier_parent_handlers[] = {
	{ IPC_NOTIFY_HEALTH_REQ, notifier_health },
	{ IPC_NOTIFY_TARGETS, notifier_targets },
};
static const struct peer_proto notifier_parent_proto = {
	.self = IPC_PROC_NOTIFIERD,
	.remote = IPC_PROC_LOADERD,
	PEER_HANDLERS(notifier_parent_handlers),
	.error = notifier_parent_error,
	.send_error = notifier_send_error,
};

static void
notifier_peer_close(struct notifier_env *env)
{
	peer_free(env->peer);
	env->peer = NULL;
}

static void
notifier_result_cb(const struct ipc_alert_result *res, void *arg)
{
	struct notifier_env *env = arg;
	int	 r;

	notifier_stats_check(env);
	if (env->peer == NULL) {
		log_debug("job %llu: result dropped, no collector channel",
		    (unsigned long long)res->job_id);
		return;
	}
	if ((r = peer_send(env->peer, IPC_ALERT_RESULT, res, -1)) == 0)
		return;
	if (r == ERR_SYS) {
		log_warnx_r(r, "peer: send");
		notifier_peer_close(env);
	} else
		log_warnx_r(r, "peer: queue IPC_ALERT_RESULT");
}

static int
notifier_job(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct notifier_env *env = arg;
	struct ipc_alert_job job;
	struct ipc_alert_result res;
	int	 r;

	memset(&job, 0, sizeof(job));
	if ((r = ipc_msg_decode(m->type, m->payload, m->len, &job)) != 0) {
		log_warnx_r(r, "peer: bad IPC_ALERT_JOB, dropped");
		return 0;
	}
	if (deliver_inflight(env->dl) >= NOTIFIER_MAX_JOBS) {
		memset(&res, 0, sizeof(res));
		res.job_id = job.job_id;
		res.status = IPC_ALERT_RETRY;
		res.retry_after_ms = 1000;
		res.detail = (char *)"notifier busy";
		notifier_result_cb(&res, env);
	} else
		deliver_job(env->dl, &job, notifier_result_cb, env);
	ipc_alert_job_clear(&job);
	/* an answer that could not be sent closed the channel */
	return env->peer == NULL ? -1 : 0;
}

/*
 * collectord sends delivery jobs.  It is less trusted than loaderd, so a
 * bad message from it is logged and dropped, not fatal.
 */
static int
notifier_peer_error(struct peer *p, int r, const struct ipc_msg *m,
    void *arg)
{
	struct notifier_env *env = arg;

	if (r == ERR_EOF) {
		log_warnx("peer: collectord closed the channel");
		notifier_peer_close(env);
		return -1;
	}
	if (r == ERR_SYS) {
		log_warn("peer: receive");
		notifier_peer_close(env);
		return -1;
	}
	if (m != NULL)
		log_warnx("peer: unexpected message %s (%u), dropped",
		    ipc_msg_type_name(m->type), m->type);
	else	/* the bad datagram was consumed; go on */
		log_warnx_r(r, "peer: receive");
	return 0;
}

static void
notifier_syslog_ack(struct notifier_env *env, uint64_t id, uint32_t status,
    char *detail)
{
	struct ipc_syslog_ack	 a;
	int			 r;

	a.id = id;
	a.status = status;
	a.detail = detail;
	if (env->peer != NULL &&
	    (r = peer_send(env->peer, IPC_SYSLOG_ACK, &a, -1)) != 0) {
		log_warnx_r(r, "peer: send IPC_SYSLOG_ACK");
		if (r == ERR_SYS)
			notifier_peer_close(env);
	}
}

/* One syslog message from collectord: to the configured target only. */
static int
notifier_syslog(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct notifier_env	*env = arg;
	struct ipc_syslog_msg	 sm;
	char			 why[NOTIFY_DETAIL_MAX];
	uint32_t		 st = IPC_SYSLOG_SENT;

	memset(&sm, 0, sizeof(sm));
	if (ipc_msg_decode(m->type, m->payload, m->len, &sm) != 0) {
		log_warnx("peer: bad IPC_SYSLOG_MSG, dropped");
		return 0;
	}
	why[0] = '\0';
	if (env->so == NULL) {
		st = IPC_SYSLOG_REFUSED;
		strlcpy(why, "no syslog target configured", sizeof(why));
	} else if (!syslog_msg_ok(sm.msg)) {
		st = IPC_SYSLOG_REFUSED;
		strlcpy(why, "not an RFC 5424 message", sizeof(why));
	} else if (syslog_out_send(env->so, sm.msg, why, sizeof(why)) != 0)
		st = IPC_SYSLOG_FAILED;
	notifier_syslog_ack(env, sm.id, st, why);
	ipc_msg_free_fields(m->type, &sm);
	return env->peer == NULL ? -1 : 0;
}

static const struct peer_handler notifier_peer_handlers[] = {
	{ IPC_ALERT_JOB, notifier_job },
	{ IPC_SYSLOG_MSG, notifier_syslog },
};
static const struct peer_proto notifier_peer_proto = {
	.self = IPC_PROC_NOTIFIERD,
	.remote = IPC_PROC_COLLECTORD,
	PEER_HANDLERS(notifier_peer_handlers),
	.error = notifier_peer_error,
	.send_error = notifier_send_error,
};

static void
notifier_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct notifier_env *env = arg;

	log_info("received signal %d, exiting", (int)sig);
	event_base_loopbreak(env->base);
}

static void
notifier_check_fd(int fd, long want_uid, const char *what)
{
	int	 fl;

	if (ipc_check_fd(fd, want_uid) != 0)
		fatalx("fd %d (%s) is not a SOCK_SEQPACKET channel%s", fd,
		    what, want_uid >= 0 ? " to a root peer" : "");
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		fatal("fd %d (%s): fcntl", fd, what);
}

/*
 * The first message from loaderd is the alerts file (secrets included).
 * Wait for it (bounded) before anything is sandboxed, parse it with the
 * same parser loaderd used, and wipe the text.
 */
static int
notifier_config(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct notifier_env *env = arg;
	struct ipc_alertcfg ac;
	char		 err[512];
	int		 r;

	memset(&ac, 0, sizeof(ac));
	r = ipc_msg_decode(m->type, m->payload, m->len, &ac);
	explicit_bzero(m->payload, m->len);
	if (r != 0)
		fatalx_r(r, "parent: bad IPC_NOTIFY_CONFIG");

	memset(&env->cfg, 0, sizeof(env->cfg));
	r = alerts_parse(ac.file != NULL ? ac.file : "alerts",
	    ac.yaml != NULL ? ac.yaml : "", ac.yaml != NULL ?
	    strlen(ac.yaml) : 0, &env->cfg, err, sizeof(err));
	if (ac.yaml != NULL)
		explicit_bzero(ac.yaml, strlen(ac.yaml));
	if (r != 0)
		fatalx("alerts file: %s", err);
	log_info("alerts file %s: %zu receivers", ac.file != NULL &&
	    ac.file[0] != '\0' ? ac.file : "(none)", env->cfg.nreceivers);
	ipc_alertcfg_clear(&ac);
	env->configured = 1;
	return 0;
}

static int
notifier_config_error(struct peer *p, int r, const struct ipc_msg *m,
    void *arg)
{
	if (r == ERR_EOF)
		fatalx("parent closed the channel before IPC_NOTIFY_CONFIG");
	if (m != NULL)
		fatalx("parent: expected IPC_NOTIFY_CONFIG, got %s (%u)",
		    ipc_msg_type_name(m->type), m->type);
	fatalx_r(r, "parent: receive");
}

/* Before anything else: exactly one IPC_NOTIFY_CONFIG. */
static const struct peer_handler notifier_config_handlers[] = {
	{ IPC_NOTIFY_CONFIG, notifier_config },
};
static const struct peer_proto notifier_config_proto = {
	.self = IPC_PROC_NOTIFIERD,
	.remote = IPC_PROC_LOADERD,
	PEER_HANDLERS(notifier_config_handlers),
	.max_read = 1,
	.error = notifier_config_error,
	.send_error = notifier_send_error,
};

static void
notifier_read_config(struct notifier_env *env)
{
	struct pollfd	 pfd = { IPC_FD_PARENT, POLLIN, 0 };
	uint64_t	 deadline = notifier_now_ms() + NOTIFIER_CONFIG_WAIT_MS;
	uint64_t	 now;

	for (;;) {
		(void)peer_read(env->parent);
		if (env->configured)
			break;
		if ((now = notifier_now_ms()) >= deadline)
			fatalx("parent: no IPC_NOTIFY_CONFIG within %d ms",
			    NOTIFIER_CONFIG_WAIT_MS);
		if (poll(&pfd, 1, (int)(deadline - now)) == -1 &&
		    errno != EINTR)
			fatal("poll");
	}
	peer_set_proto(env->parent, &notifier_parent_proto);
}

int
main(int argc, char *argv[])
{
	struct notifier_env env;
	struct ipc_ready ready;
	const struct sandbox_rule *rules;
	uid_t		 uid;
	gid_t		 gid;
	size_t		 n;
	int		 ch, mode, dump = 0, r;
	const char	*target = NULL;

	memset(&env, 0, sizeof(env));
	env.user = "tripline-notify";
	env.mode = SANDBOX_ENFORCE;
	env.start_ms = notifier_now_ms();

	env.syslog_timeout_ms = SYSLOG_DEFAULT_TIMEOUT;
	while ((ch = getopt(argc, argv, "C:dm:PT:u:vW:")) != -1) {
		switch (ch) {
		case 'C':
			env.syslog_ca = optarg;
			notifier_sandbox_add_ro(optarg);
			break;
		case 'T':
			target = optarg;
			break;
		case 'W':
			env.syslog_timeout_ms = (uint32_t)strtoul(optarg,
			    NULL, 10);
			if (env.syslog_timeout_ms < 100 ||
			    env.syslog_timeout_ms > 60000)
				notifier_usage();
			break;
		case 'd':
			env.debug = 1;
			break;
		case 'm':
			if ((mode = sandbox_mode_parse(optarg)) == -1)
				notifier_usage();
			env.mode = (enum sandbox_mode)mode;
			break;
		case 'P':
			dump = 1;
			break;
		case 'u':
			env.user = optarg;
			break;
		case 'v':
			env.verbose++;
			break;
		default:
			notifier_usage();
		}
	}
	if (optind != argc)
		notifier_usage();
	if (target != NULL)
		env.so = syslog_out_new(target, env.syslog_ca,
		    env.syslog_timeout_ms);

	log_init(env.debug, env.verbose);
	log_procinit("notifierd");
	if (prctl(PR_SET_NAME, "notifierd", 0, 0, 0) == -1)
		log_warn("prctl(PR_SET_NAME)");

	if (dump) {
		rules = notifier_sandbox_rules(&n);
		if ((r = sandbox_seccomp_dump(rules, n, env.mode,
		    STDOUT_FILENO)) != 0)
			fatalx_r(r, "sandbox_seccomp_dump");
		return 0;
	}

	notifier_check_fd(IPC_FD_PARENT, 0, "parent");
	notifier_check_fd(IPC_FD_PEER, -1, "peer");
	env.parent = peer_new(IPC_FD_PARENT, &notifier_config_proto, &env);
	env.peer = peer_new(IPC_FD_PEER, &notifier_peer_proto, &env);
	if (sandbox_lookup_user(env.user, &uid, &gid) != 0)
		fatalx("unknown user %s", env.user);
	notifier_read_config(&env);

	/* prepare everything that needs files or privileges */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    signal(SIGHUP, SIG_IGN) == SIG_ERR ||
	    signal(SIGUSR1, SIG_IGN) == SIG_ERR)
		fatal("signal");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("curl_global_init failed");
	if ((env.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if (peer_attach(env.parent, env.base) != 0)
		fatalx("parent: event_add");
	if (peer_attach(env.peer, env.base) != 0)
		fatalx("peer: event_add");
	if ((env.ev_sigterm = evsignal_new(env.base, SIGTERM,
	    notifier_signal_cb, &env)) == NULL ||
	    (env.ev_sigint = evsignal_new(env.base, SIGINT,
	    notifier_signal_cb, &env)) == NULL ||
	    event_add(env.ev_sigterm, NULL) == -1 ||
	    event_add(env.ev_sigint, NULL) == -1)
		fatalx("signal events");

	env.dl = deliver_new(env.base, &env.cfg);
	memset(&env.stats_sent, 0, sizeof(env.stats_sent));
	if ((env.ev_stats = evtimer_new(env.base, notifier_stats_cb,
	    &env)) == NULL)
		fatalx("evtimer_new");

	if ((r = notifier_sandbox_enter(env.mode, uid, gid, &env.cfg)) != 0)
		fatalx_r(r, "sandbox (%s)", env.user);

	ready.pid = (uint32_t)getpid();
	ready.uid = (uint32_t)getuid();
	notifier_send(&env, IPC_NOTIFY_READY, &ready);
	log_info("ready as %s (uid %u), sandbox %s", env.user,
	    (unsigned int)ready.uid, sandbox_mode_name(env.mode));

	if (event_base_dispatch(env.base) == -1)
		fatalx("event_base_dispatch");

	syslog_out_free(env.so);
	deliver_free(env.dl);
	event_free(env.ev_stats);
	peer_free(env.parent);
	peer_free(env.peer);
	event_free(env.ev_sigterm);
	event_free(env.ev_sigint);
	event_base_free(env.base);
	alerts_clear(&env.cfg);
	curl_global_cleanup();
	return 0;
}
