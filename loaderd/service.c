/*
 * loaderd/service.c -- what loaderd tells its service manager (systemd's
 * Type=notify, the sd_notify protocol of common/sdnotify.h):
 *
 * READY=1 once detection runs: the start-up policies are attached
 * (policies_init() runs before any child starts), the collector reported
 * READY (it has the ring buffer mapped and attached to its event loop and
 * the store open) and then answered a health check (its loop turns, and
 * it has read everything queued before the ping: the metadata of every
 * loaded hook).  Not ready within the start-up deadline: loaderd exits 1
 * and the manager restarts it (Restart=).
 *
 * WATCHDOG=1 every half watchdog interval while both children answer their
 * health checks, sent from loaderd's event loop (a loop that does not turn
 * does not feed it).  Each health round checks too: a ping unanswered
 * for half the health interval holds the watchdog at once (a live child
 * answers within milliseconds), and the first answer after a hold feeds
 * it at once.
 *
 * STATUS= every few seconds: policies loaded, events stored per second,
 * records lost, the children's state.
 *
 * Without $NOTIFY_SOCKET none of this runs (the watchdog and the start-up
 * deadline included).
 */
#include "build.h"

#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "compat.h"
#include "err.h"
#include "log.h"
#include "sdnotify.h"
#include "bpf/events.h"
#include "bpf_load.h"
#include "policy_load.h"
#include "loaderd.h"

#define STARTUP_TIMEOUT_S	60	/* READY=1 deadline */
#define STATUS_INTERVAL_S	5
#define MIN_PERIOD_MS		50	/* of the watchdog timer */

static void
service_send(struct loaderd_env *env, const char *msg)
{
	int	 r;

	if ((r = sdnotify_send(&env->svc.sd, msg)) != 0)
		log_warnx_r(r, "notifying the service manager (%.20s)", msg);
}

/* Events stored per second since the last call (0 the first time).
 * Called by the periodic STATUS only (and once at READY=1, to start the
 * window): other STATUS lines show its last figure, and do not shorten
 * the next window. */
static unsigned long long
service_rate(struct loaderd_env *env, uint64_t now)
{
	struct loaderd_service	*svc = &env->svc;
	uint64_t		 ev = env->cstats.events_stored, n = 0;

	/* a restarted collector counts from 0 again */
	if (svc->rate_ms != 0 && now > svc->rate_ms && ev >= svc->rate_events)
		n = (ev - svc->rate_events) * 1000 / (now - svc->rate_ms);
	svc->rate_events = ev;
	svc->rate_ms = now;
	return (unsigned long long)n;
}

/* "STATUS=..." (and a prefix such as "READY=1\n") into buf. */
static void
service_status(struct loaderd_env *env, const char *prefix,
    const char *note, char *buf, size_t len)
{
	uint64_t	 st[EV_STAT_MAX];
	uint64_t	 now = supervise_now_ms();
	const char	*c, *n;

	memset(st, 0, sizeof(st));
	if (env->bpf != NULL)
		(void)bpfl_stats(env->bpf, st);
	c = supervise_unhealthy(&env->child[CHILD_COLLECTOR], now);
	n = supervise_unhealthy(&env->child[CHILD_NOTIFIER], now);
	snprintf(buf, len, "%sSTATUS=%zu policies, %llu events/s, %llu "
	    "records lost; collectord %s, notifierd %s%s%s", prefix,
	    env->pols != NULL ? polset_count(env->pols) : 0, env->svc.rate,
	    (unsigned long long)st[EV_STAT_DROPPED], c != NULL ? c : "ok",
	    n != NULL ? n : "ok", note != NULL ? "; " : "",
	    note != NULL ? note : "");
}

void
service_status_periodic(struct loaderd_env *env)
{
	char			 msg[512];

	env->svc.rate = service_rate(env, supervise_now_ms());
	service_status(env, "", env->svc.held ? "watchdog held" : NULL, msg,
	    sizeof(msg));
	service_send(env, msg);
}

static void
service_status_cb(evutil_socket_t fd, short ev, void *arg)
{
	service_status_periodic(arg);
}

/* Why the watchdog must not be fed now (buf), or NULL. */
static const char *
service_hold_reason(struct loaderd_env *env, char *buf, size_t len)
{
	uint64_t	 now = supervise_now_ms();
	const char	*why;
	enum child_id	 id;

	for (id = 0; id < CHILD_MAX; id++)
		if ((why = supervise_unhealthy(&env->child[id], now)) != NULL) {
			snprintf(buf, len, "%s: %s", env->child[id].name, why);
			return buf;
		}
	return NULL;
}

/*
 * The watchdog: held (not fed) while a child does not answer; fed when
 * feed is set (the half-interval timer) and at once when both answer
 * again after a hold.  Logged when that changes.
 */
static void
service_watchdog(struct loaderd_env *env, int feed)
{
	struct loaderd_service	*svc = &env->svc;
	char			 why[128], msg[512];

	if (svc->watchdog_ms == 0 || !svc->ready || env->shutting_down)
		return;
	if (service_hold_reason(env, why, sizeof(why)) != NULL) {
		if (feed)
			svc->holds++;
		if (!svc->held) {
			log_warnx("watchdog not fed: %s", why);
			snprintf(msg, sizeof(msg), "STATUS=watchdog held: %s",
			    why);
			service_send(env, msg);
		}
		svc->held = 1;
		return;
	}
	if (!feed && !svc->held)
		return;
	if (svc->held)
		log_info("watchdog fed again: both children answer");
	svc->held = 0;
	svc->fed++;
	service_send(env, "WATCHDOG=1");
}

static void
service_watchdog_cb(evutil_socket_t fd, short ev, void *arg)
{
	service_watchdog(arg, 1);
}

void
service_health_tick(struct loaderd_env *env)
{
	if (env->svc.sd.fd != -1)
		service_watchdog(env, 0);
}

static void
service_startup_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct loaderd_env	*env = arg;
	char			 msg[512], why[128];

	if (env->svc.ready || env->shutting_down)
		return;
	if (service_hold_reason(env, why, sizeof(why)) == NULL)
		strlcpy(why, "-", sizeof(why));
	log_warnx("not ready %u s after start (%s); exiting",
	    env->svc.startup_s, why);
	snprintf(msg, sizeof(msg), "STATUS=not ready after %u s: %s",
	    env->svc.startup_s, why);
	service_send(env, msg);
	env->failed = 1;
	env->shutting_down = 1;
	event_base_loopbreak(env->base);
}

/* READY=1 as soon as the collector consumes (see the top). */
static void
service_ready(struct loaderd_env *env)
{
	struct child	*c = &env->child[CHILD_COLLECTOR];
	char		 msg[512];

	if (env->svc.ready || !c->ready || c->pong_seq == 0 || c->killed)
		return;
	env->svc.ready = 1;
	evtimer_del(env->svc.startup_ev);
	(void)service_rate(env, supervise_now_ms());	/* the first window */
	service_status(env, "READY=1\n", NULL, msg, sizeof(msg));
	service_send(env, msg);
	log_info("ready: %zu policies attached, collectord (pid %ld) "
	    "consuming", env->pols != NULL ? polset_count(env->pols) : 0,
	    (long)c->pid);
}

void
service_health(struct loaderd_env *env)
{
	if (env->svc.sd.fd == -1)
		return;
	service_ready(env);
	/* after a hold, feed as soon as both answer again */
	service_watchdog(env, 0);
}

void
service_init(struct loaderd_env *env)
{
	struct loaderd_service	*svc = &env->svc;
	const char		*name = getenv("NOTIFY_SOCKET");
	int			 r;

	memset(svc, 0, sizeof(*svc));
	if ((r = sdnotify_open(&svc->sd, name)) < 0)
		fatalx_r(r, "NOTIFY_SOCKET=%s", name);
	if (r == 0)
		return;
	svc->startup_s = limit_env("TRIPLINE_STARTUP_TIMEOUT",
	    STARTUP_TIMEOUT_S, 3600);
	svc->watchdog_ms = sdnotify_watchdog_usec(getenv("WATCHDOG_USEC"),
	    getenv("WATCHDOG_PID"), getpid()) / 1000;
	log_info("service manager at %s: READY within %u s, %s", name,
	    svc->startup_s, svc->watchdog_ms ? "watchdog on" : "no watchdog");
}

static struct event *
service_timer(struct loaderd_env *env, short flags, uint64_t ms,
    event_callback_fn cb)
{
	struct timeval	 tv = { (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };
	struct event	*ev;

	if ((ev = event_new(env->base, -1, flags, cb, env)) == NULL ||
	    event_add(ev, &tv) == -1)
		fatalx("service manager timers");
	return ev;
}

void
service_events(struct loaderd_env *env)
{
	struct loaderd_service	*svc = &env->svc;

	if (svc->sd.fd == -1)
		return;
	svc->startup_ev = service_timer(env, 0,
	    (uint64_t)svc->startup_s * 1000, service_startup_cb);
	svc->status_ev = service_timer(env, EV_PERSIST,
	    STATUS_INTERVAL_S * 1000, service_status_cb);
	if (svc->watchdog_ms != 0)
		svc->watchdog_ev = service_timer(env, EV_PERSIST,
		    svc->watchdog_ms / 2 > MIN_PERIOD_MS ?
		    svc->watchdog_ms / 2 : MIN_PERIOD_MS, service_watchdog_cb);
}

/* A reload begins (RELOADING=1) or ended (READY=1 again, with the
 * status line), so that `systemctl reload` waits for it. */
void
service_reloading(struct loaderd_env *env, int begin)
{
	char	 msg[512];

	if (!env->svc.ready)
		return;
	if (begin) {
		service_send(env, "RELOADING=1\nSTATUS=reloading");
		return;
	}
	service_status(env, "READY=1\n", NULL, msg, sizeof(msg));
	service_send(env, msg);
}

void
service_stopping(struct loaderd_env *env)
{
	/* a failure keeps its STATUS (the reason) */
	service_send(env, env->failed ? "STOPPING=1" :
	    "STOPPING=1\nSTATUS=stopping");
}

void
service_free(struct loaderd_env *env)
{
	struct loaderd_service	*svc = &env->svc;

	if (svc->startup_ev != NULL)
		event_free(svc->startup_ev);
	if (svc->status_ev != NULL)
		event_free(svc->status_ev);
	if (svc->watchdog_ev != NULL)
		event_free(svc->watchdog_ev);
	svc->startup_ev = svc->status_ev = svc->watchdog_ev = NULL;
	sdnotify_close(&svc->sd);
}
