/*
 * notifierd/notifierd.h -- alert delivery daemon (sandboxed, unprivileged).
 *
 * In this version it starts, sandboxes itself, reports IPC_NOTIFY_READY to
 * loaderd and answers IPC_NOTIFY_HEALTH_REQ; alert delivery comes later.
 */
#ifndef TRIPLINE_NOTIFIERD_H
#define TRIPLINE_NOTIFIERD_H

#include <stddef.h>
#include <stdint.h>

#include "ipc.h"
#include "sandbox.h"

struct event_base;
struct event;

/* One channel: fd + libevent read/write events + outbound queue. */
struct notifier_chan {
	const char	*name;		/* "parent", "peer" */
	int		 fd;
	struct event	*ev_read;
	struct event	*ev_write;
	struct ipc_queue queue;
};

struct notifier_env {
	const char		*user;
	enum sandbox_mode	 mode;
	int			 debug;
	int			 verbose;
	uint64_t		 start_ms;	/* CLOCK_MONOTONIC at start */
	struct event_base	*base;
	struct event		*ev_sigterm;
	struct event		*ev_sigint;
	struct notifier_chan	 parent;
	struct notifier_chan	 peer;
};

/* sandbox_rules.c: the seccomp table (n rows in *n) and the
 * NULL-terminated list of paths Landlock leaves readable. */
const struct sandbox_rule *notifier_sandbox_rules(size_t *n);
const char *const *notifier_sandbox_ro_paths(void);

#endif
