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

static unsigned int
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

void
supervise_init(struct loaderd_env *env)
{
	struct loaderd_limits	*l = &env->limits;

	l->ready_s = limit_env("TRIPLINE_READY_TIMEOUT", READY_TIMEOUT_S,
	    3600);
	l->health_interval_s = limit_env("TRIPLINE_HEALTH_INTERVAL",
	    HEALTH_INTERVAL_S, 3600);
	l->health_timeout_s = limit_env("TRIPLINE_HEALTH_TIMEOUT",
	    HEALTH_TIMEOUT_S, 3600);
	l->queue_max = limit_env("TRIPLINE_CHILD_QUEUE_MAX", CHILD_QUEUE_MAX,
	    1000000);
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
static void
supervise_ping(struct child *c, uint64_t now)
{
	struct ipc_health	 h;
	uint64_t		 deadline;
	int			 r;

	if (c->pid <= 0 || !c->ready || c->peer == NULL || c->killed)
		return;
	if (c->ping_seq != c->pong_seq) {
		deadline = c->ping_ms +
		    (uint64_t)c->env->limits.health_timeout_s * 1000;
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
	}
	return 0;
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
