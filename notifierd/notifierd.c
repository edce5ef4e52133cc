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
#include "compat.h"
#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "log.h"
#include "notifierd.h"
#include "sandbox.h"

/* how long loaderd has to send IPC_NOTIFY_CONFIG after the exec */
#define NOTIFIER_CONFIG_WAIT_MS	10000
/* jobs in flight before new ones are answered "busy" (retry) */
#define NOTIFIER_MAX_JOBS	1024

static __dead void
notifier_usage(void)
{
	fprintf(stderr, "usage: notifierd [-dPv] [-m enforce|trap|log|off] "
	    "[-u user]\n");
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

/* Queue a message on a channel and try to send it now; EV_WRITE is armed
 * only while something is left. */
static void
notifier_send(struct notifier_chan *ch, uint16_t type, const void *msg)
{
	int	 r;

	if ((r = ipc_msg_queue(&ch->queue, type, msg, -1)) != 0)
		fatalx_r(r, "%s: queue %s", ch->name, ipc_msg_type_name(type));
	r = ipc_queue_flush(&ch->queue, ch->fd);
	if (r == ERR_AGAIN) {
		if (event_add(ch->ev_write, NULL) == -1)
			fatalx("%s: event_add", ch->name);
	} else if (r != 0)
		fatalx_r(r, "%s: send %s", ch->name, ipc_msg_type_name(type));
}

static void
notifier_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct notifier_chan *ch = arg;
	int	 r;

	r = ipc_queue_flush(&ch->queue, ch->fd);
	if (r == 0)
		event_del(ch->ev_write);
	else if (r != ERR_AGAIN)
		fatalx_r(r, "%s: send", ch->name);
}

static void
notifier_health(struct notifier_env *env, struct ipc_msg *m)
{
	struct ipc_health req, ans;
	int	 r;

	if ((r = ipc_msg_decode(m->type, m->payload, m->len, &req)) != 0)
		fatalx_r(r, "parent: bad IPC_NOTIFY_HEALTH_REQ");
	ans.seq = req.seq;
	ans.uptime_ms = notifier_now_ms() - env->start_ms;
	log_debug("health check %llu: uptime %llu ms",
	    (unsigned long long)ans.seq, (unsigned long long)ans.uptime_ms);
	notifier_send(&env->parent, IPC_NOTIFY_HEALTH_ANS, &ans);
}

/* What loaderd may send (OpenSSH mon_table style). */
static const struct notifier_dispatch {
	uint16_t	 type;
	void		(*fn)(struct notifier_env *, struct ipc_msg *);
} notifier_parent_table[] = {
	{ IPC_NOTIFY_HEALTH_REQ, notifier_health },
};

static void
notifier_parent_cb(evutil_socket_t fd, short what, void *arg)
{
	struct notifier_env *env = arg;
	struct ipc_msg	 m;
	size_t		 i, n;
	int		 r;

	for (;;) {
		if ((r = ipc_recv(env->parent.fd, &m)) == ERR_AGAIN)
			return;
		if (r == ERR_EOF) {
			log_info("parent closed the channel, exiting");
			event_base_loopbreak(env->base);
			return;
		}
		if (r != 0)
			fatalx_r(r, "parent: receive");
		n = sizeof(notifier_parent_table) /
		    sizeof(notifier_parent_table[0]);
		for (i = 0; i < n; i++)
			if (notifier_parent_table[i].type == m.type)
				break;
		if (i == n)
			fatalx("parent: unexpected message %s (%u)",
			    ipc_msg_type_name(m.type), m.type);
		notifier_parent_table[i].fn(env, &m);
		ipc_msg_clear(&m);
	}
}

static void
notifier_peer_close(struct notifier_env *env)
{
	if (env->peer.fd == -1)
		return;
	event_del(env->peer.ev_read);
	event_del(env->peer.ev_write);
	ipc_queue_clear(&env->peer.queue);
	close(env->peer.fd);
	env->peer.fd = -1;
}

static void
notifier_result_cb(const struct ipc_alert_result *res, void *arg)
{
	struct notifier_env *env = arg;
	int	 r;

	if (env->peer.fd == -1) {
		log_debug("job %llu: result dropped, no collector channel",
		    (unsigned long long)res->job_id);
		return;
	}
	if ((r = ipc_msg_queue(&env->peer.queue, IPC_ALERT_RESULT, res,
	    -1)) != 0) {
		log_warnx_r(r, "peer: queue IPC_ALERT_RESULT");
		return;
	}
	r = ipc_queue_flush(&env->peer.queue, env->peer.fd);
	if (r == ERR_AGAIN) {
		if (event_add(env->peer.ev_write, NULL) == -1)
			fatalx("peer: event_add");
	} else if (r != 0) {
		log_warnx_r(r, "peer: send");
		notifier_peer_close(env);
	}
}

static void
notifier_job(struct notifier_env *env, struct ipc_msg *m)
{
	struct ipc_alert_job job;
	struct ipc_alert_result res;
	int	 r;

	memset(&job, 0, sizeof(job));
	if ((r = ipc_msg_decode(m->type, m->payload, m->len, &job)) != 0) {
		log_warnx_r(r, "peer: bad IPC_ALERT_JOB, dropped");
		return;
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
}

/*
 * collectord sends delivery jobs.  It is less trusted than loaderd, so a
 * bad message from it is logged and dropped, not fatal.
 */
static void
notifier_peer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct notifier_env *env = arg;
	struct ipc_msg	 m;
	int		 r;

	for (;;) {
		if (env->peer.fd == -1)
			return;
		if ((r = ipc_recv(env->peer.fd, &m)) == ERR_AGAIN)
			return;
		if (r == ERR_EOF) {
			log_warnx("peer: collectord closed the channel");
			notifier_peer_close(env);
			return;
		}
		if (r == ERR_SYS) {
			log_warn("peer: receive");
			notifier_peer_close(env);
			return;
		}
		if (r != 0) {
			/* the bad datagram was consumed; go on */
			log_warnx_r(r, "peer: receive");
			continue;
		}
		if (m.type == IPC_ALERT_JOB)
			notifier_job(env, &m);
		else
			log_warnx("peer: unexpected message %s (%u), dropped",
			    ipc_msg_type_name(m.type), m.type);
		ipc_msg_clear(&m);
	}
}

static void
notifier_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct notifier_env *env = arg;

	log_info("received signal %d, exiting", (int)sig);
	event_base_loopbreak(env->base);
}

static void
notifier_chan_init(struct notifier_env *env, struct notifier_chan *ch,
    const char *name, int fd, event_callback_fn readcb)
{
	ch->name = name;
	ch->fd = fd;
	ipc_queue_init(&ch->queue);
	if ((ch->ev_read = event_new(env->base, fd, EV_READ | EV_PERSIST,
	    readcb, env)) == NULL ||
	    (ch->ev_write = event_new(env->base, fd, EV_WRITE | EV_PERSIST,
	    notifier_write_cb, ch)) == NULL)
		fatalx("%s: event_new", name);
	if (event_add(ch->ev_read, NULL) == -1)
		fatalx("%s: event_add", name);
}

static void
notifier_chan_clear(struct notifier_chan *ch)
{
	if (ch->ev_read != NULL)
		event_free(ch->ev_read);
	if (ch->ev_write != NULL)
		event_free(ch->ev_write);
	ch->ev_read = ch->ev_write = NULL;
	ipc_queue_clear(&ch->queue);
	if (ch->fd >= 0)
		close(ch->fd);
	ch->fd = -1;
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

/* Load the NSS modules and resolver state getaddrinfo() needs while
 * mmap(PROT_EXEC) is still permitted; the answer itself is not used. */
static void
notifier_prime_resolver(void)
{
	struct addrinfo	 hints, *res = NULL;
	int		 r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((r = getaddrinfo("localhost", "25", &hints, &res)) != 0)
		log_debug("resolver warm-up: %s", gai_strerror(r));
	if (res != NULL)
		freeaddrinfo(res);
}

/*
 * The first message from loaderd is the alerts file (secrets included).
 * Wait for it (bounded) before anything is sandboxed, parse it with the
 * same parser loaderd used, and wipe the text.
 */
static void
notifier_read_config(struct notifier_env *env)
{
	struct pollfd	 pfd = { IPC_FD_PARENT, POLLIN, 0 };
	struct ipc_alertcfg ac;
	struct ipc_msg	 m;
	char		 err[512];
	uint64_t	 deadline = notifier_now_ms() + NOTIFIER_CONFIG_WAIT_MS;
	uint64_t	 now;
	int		 r;

	for (;;) {
		if ((r = ipc_recv(IPC_FD_PARENT, &m)) != ERR_AGAIN)
			break;
		if ((now = notifier_now_ms()) >= deadline)
			fatalx("parent: no IPC_NOTIFY_CONFIG within %d ms",
			    NOTIFIER_CONFIG_WAIT_MS);
		if (poll(&pfd, 1, (int)(deadline - now)) == -1 &&
		    errno != EINTR)
			fatal("poll");
	}
	if (r == ERR_EOF)
		fatalx("parent closed the channel before IPC_NOTIFY_CONFIG");
	if (r != 0)
		fatalx_r(r, "parent: receive");
	if (m.type != IPC_NOTIFY_CONFIG)
		fatalx("parent: expected IPC_NOTIFY_CONFIG, got %s (%u)",
		    ipc_msg_type_name(m.type), m.type);
	memset(&ac, 0, sizeof(ac));
	r = ipc_msg_decode(m.type, m.payload, m.len, &ac);
	explicit_bzero(m.payload, m.len);
	ipc_msg_clear(&m);
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

	memset(&env, 0, sizeof(env));
	env.user = "tripline-notify";
	env.mode = SANDBOX_ENFORCE;
	env.parent.fd = env.peer.fd = -1;
	env.start_ms = notifier_now_ms();

	while ((ch = getopt(argc, argv, "dm:Pu:v")) != -1) {
		switch (ch) {
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

	log_init(env.debug, env.verbose);
	log_procinit("notifierd");
#ifdef TRIPLINE_SANITIZERS
	/* ASan/LSan make syscalls and read files the sandbox denies */
	if (env.mode != SANDBOX_OFF) {
		log_warnx("sanitizer build: sandbox forced off");
		env.mode = SANDBOX_OFF;
	}
#endif
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
	if (sandbox_lookup_user(env.user, &uid, &gid) != 0)
		fatalx("unknown user %s", env.user);
	notifier_read_config(&env);

	/* prepare everything that needs files or privileges */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    signal(SIGHUP, SIG_IGN) == SIG_ERR)
		fatal("signal");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("curl_global_init failed");
	notifier_prime_resolver();
	if ((env.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	notifier_chan_init(&env, &env.parent, "parent", IPC_FD_PARENT,
	    notifier_parent_cb);
	notifier_chan_init(&env, &env.peer, "peer", IPC_FD_PEER,
	    notifier_peer_cb);
	if ((env.ev_sigterm = evsignal_new(env.base, SIGTERM,
	    notifier_signal_cb, &env)) == NULL ||
	    (env.ev_sigint = evsignal_new(env.base, SIGINT,
	    notifier_signal_cb, &env)) == NULL ||
	    event_add(env.ev_sigterm, NULL) == -1 ||
	    event_add(env.ev_sigint, NULL) == -1)
		fatalx("signal events");

	env.dl = deliver_new(env.base, &env.cfg);

	if ((r = notifier_sandbox_enter(env.mode, uid, gid, &env.cfg)) != 0)
		fatalx_r(r, "sandbox (%s)", env.user);

	ready.pid = (uint32_t)getpid();
	ready.uid = (uint32_t)getuid();
	notifier_send(&env.parent, IPC_NOTIFY_READY, &ready);
	log_info("ready as %s (uid %u), sandbox %s", env.user,
	    (unsigned int)ready.uid, sandbox_mode_name(env.mode));

	if (event_base_dispatch(env.base) == -1)
		fatalx("event_base_dispatch");

	deliver_free(env.dl);
	notifier_chan_clear(&env.parent);
	notifier_chan_clear(&env.peer);
	event_free(env.ev_sigterm);
	event_free(env.ev_sigint);
	event_base_free(env.base);
	alerts_clear(&env.cfg);
	curl_global_cleanup();
	return 0;
}
