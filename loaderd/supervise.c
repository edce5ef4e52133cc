/*
 * loaderd/supervise.c -- liveness of the children: the READY deadline,
 * health pings with a deadline, and the bound on what loaderd queues for a
 * child.  A child that misses one is SIGKILLed; the SIGCHLD handler then
 * restarts it with the usual backoff, as after any other death.
 */
#include "build.h"

#include <sys/types.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "compat.h"
#include "err.h"
#include "log.h"
#include "peer.h"
#include "loaderd.h"

/* defaults; the environment may shorten them (tests) */
#define READY_TIMEOUT_S		30
#define HEALTH_INTERVAL_S	5
#define HEALTH_TIMEOUT_S	15
#define CHILD_QUEUE_MAX		4096
#define MIN_HEALTH_MS		100	/* under a very short watchdog */

/* $name: a number in 1..max, def when unset; anything else is fatal. */
unsigned int
limit_env(const char *name, unsigned int def, unsigned int max)
{
	const char	*v = getenv(name);
	char		*end;
	unsigned long	 n;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || *v == '-' || n < 1 || n > max)
		fatalx("%s=%s: not a number in 1..%u", name, v, max);
	return (unsigned int)n;
}

/*
 * Under a service manager's watchdog (interval W) a hung child must be
 * replaced well before W runs out, or the manager restarts the whole
 * service: the health interval is at most W/10 and the answer deadline
 * W/5, so a hang is noticed and the child killed within 2W/5 (a ping is
 * sent at most one interval after the hang, its deadline is checked at
 * the interval), which leaves 3W/5 for the restart.
 */
static void
supervise_fit_watchdog(struct loaderd_limits *l, uint64_t watchdog_ms)
{
	uint64_t	 i = watchdog_ms / 10, t = watchdog_ms / 5;

	if (watchdog_ms == 0 || (l->health_interval_ms <= i &&
	    l->health_timeout_ms <= t))
		return;
	if (i < MIN_HEALTH_MS)
		i = MIN_HEALTH_MS;
	if (t < MIN_HEALTH_MS)
		t = MIN_HEALTH_MS;
	if (l->health_interval_ms > i)
		l->health_interval_ms = (unsigned int)i;
	if (l->health_timeout_ms > t)
		l->health_timeout_ms = (unsigned int)t;
	log_info("watchdog every %llu ms: health checks every %u ms, "
	    "answer within %u ms", (unsigned long long)watchdog_ms,
	    l->health_interval_ms, l->health_timeout_ms);
}

void
supervise_init(struct loaderd_env *env, uint64_t watchdog_ms)
{
	struct loaderd_limits	*l = &env->limits;

	l->ready_s = limit_env("TRIPLINE_READY_TIMEOUT", READY_TIMEOUT_S,
	    3600);
	l->health_interval_ms = 1000 * limit_env("TRIPLINE_HEALTH_INTERVAL",
	    HEALTH_INTERVAL_S, 3600);
	l->health_timeout_ms = 1000 * limit_env("TRIPLINE_HEALTH_TIMEOUT",
	    HEALTH_TIMEOUT_S, 3600);
	l->queue_max = limit_env("TRIPLINE_CHILD_QUEUE_MAX", CHILD_QUEUE_MAX,
	    1000000);
	supervise_fit_watchdog(l, watchdog_ms);
}

uint64_t
supervise_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* SIGKILL once per life of the child; the SIGCHLD handler restarts it. */
void
child_kill(struct child *c, const char *why)
{
	if (c->killed)
		return;
	log_warnx("%s (pid %ld): %s; killing it", c->name, (long)c->pid, why);
	c->last_kill = why;
	if (c->pid > 0 && kill(c->pid, SIGKILL) == 0)
		c->killed = 1;
}

static void
supervise_ready_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct child	*c = arg;

	if (c->pid <= 0 || c->ready)
		return;
	c->ready_timeouts++;
	child_kill(c, "no READY before the deadline");
}

void
supervise_started(struct child *c)
{
	struct timeval	 tv = { c->env->limits.ready_s, 0 };

	c->killed = 0;
	c->ping_seq = c->pong_seq = 0;
	c->health_ok = 0;
	if (c->ready_ev == NULL && (c->ready_ev = evtimer_new(c->env->base,
	    supervise_ready_cb, c)) == NULL)
		fatalx("evtimer_new");
	if (evtimer_add(c->ready_ev, &tv) == -1)
		fatalx("evtimer_add");
}

void
supervise_stopped(struct child *c)
{
	if (c->ready_ev != NULL)
		evtimer_del(c->ready_ev);
}

void
supervise_free(struct child *c)
{
	if (c->ready_ev != NULL)
		event_free(c->ready_ev);
	c->ready_ev = NULL;
}

/* One child: past the deadline of its ping, or time for a new one. */
void
supervise_ping(struct child *c, uint64_t now)
{
	struct ipc_health	 h;
	uint64_t		 deadline;
	int			 r;

	if (c->pid <= 0 || !c->ready || c->peer == NULL || c->killed)
		return;
	if (c->ping_seq != c->pong_seq) {
		deadline = c->ping_ms + c->env->limits.health_timeout_ms;
		if (now >= deadline) {
			c->health_timeouts++;
			child_kill(c, "no health answer before the deadline");
		}
		return;
	}
	h.seq = ++c->ping_seq;
	h.uptime_ms = 0;
	c->ping_ms = now;
	if ((r = child_send(c->env, c->id, c->id == CHILD_COLLECTOR ?
	    IPC_COLLECT_HEALTH_REQ : IPC_NOTIFY_HEALTH_REQ, &h)) != 0)
		log_warnx_r(r, "health check to %s", c->name);
}

void
supervise_health_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct loaderd_env	*env = arg;
	uint64_t		 now = supervise_now_ms();
	enum child_id		 id;

	for (id = 0; id < CHILD_MAX; id++)
		supervise_ping(&env->child[id], now);
	service_health_tick(env);
}

/* IPC_COLLECT_HEALTH_ANS, IPC_NOTIFY_HEALTH_ANS */
int
child_health_msg(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct child		*c = arg;
	struct ipc_health	 h;

	if (ipc_msg_decode(m->type, m->payload, m->len, &h) != 0) {
		child_kill(c, "malformed health answer");
		return 0;
	}
	if (h.seq == c->ping_seq && h.seq != c->pong_seq) {
		c->pong_seq = h.seq;
		c->health_ok = time(NULL);
		c->health_uptime_ms = h.uptime_ms;
		service_health(c->env);
	}
	return 0;
}

/*
 * Does the child answer its health checks?  NULL if it does, else why
 * not: not running or not ready yet, no answer since it became ready, or
 * a ping unanswered for half the interval (a live child answers at once
 * from its event loop; the next round, an interval after the ping, sees
 * it, before the deadline kills the child when that is at least twice the
 * interval, as with the defaults and under a watchdog).
 */
const char *
supervise_unhealthy(const struct child *c, uint64_t now)
{
	if (c->pid <= 0)
		return "not running";
	if (c->killed)
		return "killed, not yet restarted";
	if (!c->ready)
		return "starting (no READY yet)";
	if (c->pong_seq == 0)
		return "no health answer yet";
	if (c->ping_seq != c->pong_seq &&
	    now - c->ping_ms >= c->env->limits.health_interval_ms / 2)
		return "health check unanswered";
	return NULL;
}

/*
 * Before queueing for a child: a child that lets queue_max messages pile
 * up does not read its channel; it is counted and killed (its restart gets
 * everything again: ring buffer, hooks, alerts), and nothing more is
 * queued for this life of it.  0 or ERR_AGAIN.
 */
int
supervise_queue_check(struct child *c)
{
	if (c->killed)
		return ERR_AGAIN;
	if (peer_queued(c->peer) < c->env->limits.queue_max)
		return 0;
	c->queue_overflows++;
	child_kill(c, "its channel is not read (output queue full)");
	return ERR_AGAIN;
}
