/* loaderd/loaderd.h -- the root supervisor's state. */
#ifndef TRIPLINE_LOADERD_H
#define TRIPLINE_LOADERD_H

#include <sys/types.h>
#include <stdint.h>
#include <time.h>

#include <event2/util.h>

#include "alerts.h"
#include "config.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "sdnotify.h"
#include "spawn.h"

struct event_base;
struct event;
struct bpfl;
struct peer;
struct polset;

enum child_id {
	CHILD_COLLECTOR = 0,
	CHILD_NOTIFIER,
	CHILD_MAX
};

struct loaderd_env;
struct reload_last;
struct target;
struct ipc_msg;

/* What loaderd last reported to a collector of one hook's drops. */
struct drops_hook {
	uint32_t	 id;
	uint32_t	 gen;
	uint64_t	 reported;	/* hook_stats dropped, as last sent */
	int		 seen;		/* still loaded (this pass) */
};

struct child {
	struct loaderd_env *env;	/* back pointer for callbacks */
	enum child_id	 id;
	const char	*name;		/* "collectord", "notifierd" */
	char		*path;		/* absolute path of the binary */
	pid_t		 pid;		/* -1 when not running */
	struct peer	*peer;		/* our end of the parent channel;
					   NULL when closed */
	struct event	*restart_ev;	/* backoff timer */
	int		 ready;		/* READY received */
	uid_t		 uid;		/* from READY */
	time_t		 started;
	unsigned int	 restarts;
	unsigned int	 backoff_s;	/* next restart delay */
	int		 last_status;	/* wait status of the last exit */
	/* supervision (supervise.c) */
	struct event	*ready_ev;	/* READY deadline */
	int		 killed;	/* SIGKILLed by us, this life */
	const char	*last_kill;	/* why, the last time */
	uint64_t	 ping_seq;	/* last health ping sent */
	uint64_t	 pong_seq;	/* last one answered */
	uint64_t	 ping_ms;	/* when it was sent (monotonic) */
	time_t		 health_ok;	/* last answer, 0: none */
	uint64_t	 health_uptime_ms;
	unsigned int	 ready_timeouts;
	unsigned int	 health_timeouts;
	unsigned int	 queue_overflows;
	int		 reloading;	/* stopped by a reload (new alerts
					   file): start again at once */
};

/* Deadlines and bounds (supervise.c; from the environment for tests). */
struct loaderd_limits {
	unsigned int	 ready_s;		/* TRIPLINE_READY_TIMEOUT */
	unsigned int	 health_interval_ms;	/* TRIPLINE_HEALTH_INTERVAL */
	unsigned int	 health_timeout_ms;	/* TRIPLINE_HEALTH_TIMEOUT */
	unsigned int	 queue_max;		/* TRIPLINE_CHILD_QUEUE_MAX */
};

/* The service manager (service.c; sd_notify protocol, common/sdnotify.h). */
struct loaderd_service {
	struct sdnotify	 sd;		/* fd -1: not under a manager */
	uint64_t	 watchdog_ms;	/* WATCHDOG_USEC / 1000; 0: none */
	unsigned int	 startup_s;	/* READY=1 deadline */
	int		 ready;		/* READY=1 sent */
	int		 held;		/* watchdog not fed at the last check */
	uint64_t	 fed;		/* WATCHDOG=1 sent */
	uint64_t	 holds;		/* checks that did not feed it */
	uint64_t	 rate_events;	/* events_stored at the last periodic
					   STATUS (or READY=1) */
	uint64_t	 rate_ms;	/* and when (0: none yet) */
	unsigned long long rate;	/* events/s it computed */
	struct event	*status_ev, *watchdog_ev, *startup_ev;
};

struct loaderd_env {
	struct tripline_config	 cfg;
	const char		*libexecdir;
	int			 debug;
	int			 verbose;
	int			 print_events;	/* -P: collector prints lines */
	char			 rundir[4096];
	char			 ctl_path[4200];
	char			 pid_path[4200];
	struct event_base	*base;
	struct bpfl		*bpf;
	struct polset		*pols;		/* loaded policies, NULL if the
						   engine could not load */
	char			 pols_error[512];
	const char		*vendor_policy_dir;	/* -V, NULL: none */
	char			**policy_files;	/* -p FILE, NULL-terminated */
	size_t			 npolicy_files;
	char			 policy_dir[4200];	/* STATE/policies.d */
	struct child		 child[CHILD_MAX];
	int			 ctl_fd;	/* listening socket */
	struct event		*ctl_ev;
	struct ipc_collect_stats cstats;	/* last stats from collectord */
	struct ipc_fwd_stats fstats;	/* syslog forwarding, last report */
	time_t			 cstats_time;
	struct loaderd_limits	 limits;
	struct loaderd_service	 svc;
	struct spawner		 spawner;
	int			 seccomp_on;	/* loaderd's own filter */
	struct event		*drops_ev;	/* 1 s: report ring drops */
	uint64_t		 sockown_reported; /* EV_STAT_SOCKOWN_FULL
					   total last reported */
	uint64_t		 drops_reported; /* EV_STAT_DROPPED total last
						   sent to a collector */
	struct drops_hook	*drops_hooks;	/* per hook, the same */
	size_t			 ndrops_hooks;
	/* alert delivery (docs/alerts.md) */
	const char		*alerts_override; /* -A, NULL: the setting */
	char			*alerts_path;	/* file read; NULL: none */
	char			*alerts_text;	/* its text, secrets included
						   ("" without a file) */
	char			*alerts_redacted; /* alerts_redact() of it */
	struct al_config	 alerts;	/* parsed (for status) */
	/* the collector<->notifier channel: our copy of the collector's
	 * end of the current pair (made at each notifier spawn) */
	int			 peer_fd;	/* -1 before the first */
	int			 ksyms_fd;	/* /proc/kallsyms, opened before
						   the capability trim (its
						   addresses show by the
						   opener's credentials); -1:
						   none */
	uint32_t		 peer_gen;	/* bumped with each pair */
	/* GetUrl/DnsLookup targets of the live hooks (targets.c) and
	 * what the notifier refused */
	struct target		*targets;
	size_t			 ntargets;
	struct ipc_notify_stats	 nstats;
	/* reload (reload.c) */
	struct event		*hup_ev;
	struct event		*usr1_ev;	/* SIGUSR1: reopen events.jsonl */
	uint64_t		 json_rotations; /* events.jsonl rotated */
	struct reload_last	*reload_last;	/* NULL: none yet */
	int			 caps_dropped;
	int			 failed;	/* exit status 1 */
	int			 shutting_down;
	time_t			 started;
	struct event		*metrics_ev;	/* metrics.file timer */
	int			 metrics_failed; /* last write failed */
};

/* loaderd.c */
/* Queue a message for a child (sent as soon as the socket has room). */
int	child_send(struct loaderd_env *, enum child_id, uint16_t type,
	    const void *msg);
/* The same with an fd (dup'ed by the queue; the caller keeps its own). */
int	child_send_fd(struct loaderd_env *, enum child_id, uint16_t type,
	    const void *msg, int fd);

/* supervise.c: READY and health deadlines, output queue bound */
void	supervise_init(struct loaderd_env *, uint64_t watchdog_ms);
unsigned int limit_env(const char *name, unsigned int def, unsigned int max);
void	supervise_ping(struct child *, uint64_t now);
const char *supervise_unhealthy(const struct child *, uint64_t now);
uint64_t supervise_now_ms(void);
void	supervise_started(struct child *);
void	supervise_stopped(struct child *);
void	supervise_free(struct child *);
void	supervise_health_cb(evutil_socket_t, short, void *);
int	supervise_queue_check(struct child *);
void	child_kill(struct child *, const char *why);
int	child_health_msg(struct peer *, struct ipc_msg *, void *);

/* service.c: readiness, status and watchdog for the service manager */
void	service_init(struct loaderd_env *);	/* before the filter */
void	service_events(struct loaderd_env *);	/* with the event base */
void	service_health(struct loaderd_env *);	/* a child READY or answer */
void	service_health_tick(struct loaderd_env *); /* each health round */
void	service_stopping(struct loaderd_env *);
void	service_reloading(struct loaderd_env *, int begin);
void	service_status_periodic(struct loaderd_env *); /* its timer's work */
void	service_free(struct loaderd_env *);

/* policies.c: policies at start-up and from triplinectl */
void	policies_init(struct loaderd_env *);
int	policies_check(struct loaderd_env *);	/* -n: parse everything */
char	*policies_ctl(struct loaderd_env *, uint16_t type,
	    const uint8_t *payload, size_t len, int *is_error);
void	policies_resend(struct loaderd_env *);

/* alertcfg.c: the alerts file, read at start and on a reload */
struct alertcfg {
	char			*path;		/* NULL: no file */
	char			*text;		/* secrets included */
	char			*redacted;
	struct al_config	 cfg;
};
/* Read and check it (path from -A or the setting): 0, or -1 with the
 * reason in err (ac cleared). */
int	alertcfg_read(struct loaderd_env *, struct alertcfg *, char *err,
	    size_t errlen);
void	alertcfg_clear(struct alertcfg *);
/* Make ac the running configuration (takes its contents). */
void	alertcfg_install(struct loaderd_env *, struct alertcfg *);
/* At start: -A override (NULL: the setting).  0 or -1 (logged). */
int	alerts_setup(struct loaderd_env *, const char *override);
void	alerts_free(struct loaderd_env *);
/* Send the running configuration to a child (the notifier: only at its
 * start). */
void	child_send_alerts(struct loaderd_env *, enum child_id);

/* policies.c: the *.yaml / *.yml files of dir, sorted, into *out
 * (NULL-terminated, NULL if none): 0, or -1 with errno. */
int	policies_dir_list(const char *dir, char ***out);
void	policies_strv_free(char **);
/* policies_docs.c: add the n policies of one file, all or none: if the
 * kernel refuses one, those added before it are undone (a policy one of
 * them replaced is put back from its source) and the error returned.  The
 * polset takes every v[i] (set to NULL). */
struct polset;
struct policy;
int	policies_add_all(struct polset *, struct policy **v, size_t n,
	    char *err, size_t errlen);
/* Policy name deleted: file (a policy file of the state directory)
 * without its document: rewritten, or removed if nothing is left.  0 or
 * -1 with errno. */
int	policies_file_drop(const char *file, const char *name);

/* reload.c: SIGHUP and triplinectl reload */
/* jsonrot.c: rotation (IPC_COLLECT_ROTATE) and reopening (SIGUSR1) of
 * STATE/events.jsonl */
struct peer;
struct ipc_msg;
int	jsonrot_msg(struct peer *, struct ipc_msg *, void *child);
void	jsonrot_init(struct loaderd_env *);
void	jsonrot_free(struct loaderd_env *);
void	reload_init(struct loaderd_env *);
void	reload_free(struct loaderd_env *);
/* Re-read the policies and the alerts file; the outcome (text, caller
 * frees) in *out.  0, or -1 if anything failed (the running versions of
 * what failed stay). */
int	reload_run(struct loaderd_env *, const char *trigger, char **out);
/* A child stopped by a reload was reaped (before it starts again). */
void	reload_child_stopped(struct loaderd_env *, enum child_id);
/* The "last reload" part of the status. */
struct sbuf;
struct jsonw;
void	reload_status_text(struct loaderd_env *, struct sbuf *);
void	reload_status_json(struct loaderd_env *, struct jsonw *);

/* targets.c: the action targets the notifier may fetch */
void	targets_hook(struct loaderd_env *, int added, const struct ipc_hook *);
void	targets_send(struct loaderd_env *);	/* the whole list */
void	targets_free(struct loaderd_env *);
/* IPC_NOTIFY_STATS handler (arg: the notifier's struct child). */
int	targets_stats_msg(struct peer *, struct ipc_msg *, void *);

/* ctl.c: the control socket for triplinectl */
int	ctl_listen(struct loaderd_env *);
void	ctl_close(struct loaderd_env *);
/* Render the status document; json != 0 for JSON.  Caller frees. */
char	*ctl_status_render(struct loaderd_env *, int json);

#endif
