/* loaderd/loaderd.h -- the root supervisor's state. */
#ifndef TRIPLINE_LOADERD_H
#define TRIPLINE_LOADERD_H

#include <sys/types.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "ipc_msg.h"

struct event_base;
struct event;
struct bpfl;

enum child_id {
	CHILD_COLLECTOR = 0,
	CHILD_NOTIFIER,
	CHILD_MAX
};

struct loaderd_env;

struct child {
	struct loaderd_env *env;	/* back pointer for callbacks */
	enum child_id	 id;
	const char	*name;		/* "collectord", "notifierd" */
	char		*path;		/* absolute path of the binary */
	pid_t		 pid;		/* -1 when not running */
	int		 fd;		/* our end of the parent channel */
	struct event	*ev;		/* EV_READ on fd */
	struct event	*restart_ev;	/* backoff timer */
	int		 ready;		/* READY received */
	uid_t		 uid;		/* from READY */
	time_t		 started;
	unsigned int	 restarts;
	unsigned int	 backoff_s;	/* next restart delay */
	int		 last_status;	/* wait status of the last exit */
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
	struct child		 child[CHILD_MAX];
	int			 ctl_fd;
	struct event		*ctl_ev;
	struct ipc_collect_stats cstats;	/* last stats from collectord */
	time_t			 cstats_time;
	uint64_t		 health_seq;
	time_t			 health_ok;	/* last HEALTH_ANS */
	uint64_t		 health_uptime_ms;
	int			 caps_dropped;
	int			 shutting_down;
	time_t			 started;
};

/* ctl.c: the control socket for triplinectl */
int	ctl_listen(struct loaderd_env *);
void	ctl_close(struct loaderd_env *);
/* Render the status document; json != 0 for JSON.  Caller frees. */
char	*ctl_status_render(struct loaderd_env *, int json);

#endif
