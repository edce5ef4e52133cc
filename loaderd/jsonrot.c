/*
 * loaderd/jsonrot.c -- rotation and reopening of STATE/events.jsonl.
 *
 * The collector writes the JSON export through an fd; after its privilege
 * drop it can create no file in the root-owned state directory, so the
 * renames and the new file are loaderd's:
 *   - IPC_COLLECT_ROTATE (the collector's file reached export.max_size):
 *     events.jsonl.K-1 -> .K, ..., events.jsonl -> events.jsonl.1 (the
 *     oldest, .K with K = export.keep, is replaced, i.e. dropped), then a
 *     new events.jsonl;
 *   - SIGUSR1 (logrotate moved the file away): a new events.jsonl, or the
 *     same one if it is still there.
 * Either way the new fd goes to the collector (IPC_COLLECT_JSONFD), which
 * switches between two writes: the lines written in between land in the
 * renamed file, whole.
 *
 * loaderd has trimmed its capabilities (no CAP_CHOWN): the new file is
 * root's, mode 0640, until the collector's next start gives it to the
 * collector's user (collectord_state_file).  The collector writes through
 * the fd, which is all it needs.
 */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "err.h"
#include "ipc_msg.h"
#include "log.h"
#include "loaderd.h"
#include "statefile.h"

#define JSONL	STATE_JSONL

/* events.jsonl.I -> .I+1 for I = keep-1 .. 1, then events.jsonl -> .1 */
static int
jsonrot_shift(int dfd, uint32_t keep)
{
	char	 from[64], to[64];
	uint32_t i;

	for (i = keep; i > 1; i--) {
		snprintf(from, sizeof(from), JSONL ".%u", i - 1);
		snprintf(to, sizeof(to), JSONL ".%u", i);
		if (renameat(dfd, from, dfd, to) == -1 && errno != ENOENT)
			return -1;
	}
	if (renameat(dfd, JSONL, dfd, JSONL ".1") == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/* Open (rotate: after the renames) STATE/events.jsonl and hand it to the
 * collector.  0, or -1 (logged). */
static int
jsonrot_run(struct loaderd_env *env, int rotate)
{
	struct ipc_jsonfd j;
	int		 dfd, fd = -1, r = -1;

	if (!env->cfg.export_json || env->child[CHILD_COLLECTOR].pid <= 0 ||
	    !env->child[CHILD_COLLECTOR].ready)
		return 0;	/* a starting collector opens it itself */
	dfd = open(env->cfg.state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (dfd == -1) {
		log_warn("events.jsonl: state directory %s",
		    env->cfg.state_dir);
		return -1;
	}
	if (rotate && jsonrot_shift(dfd, env->cfg.export_keep) != 0)
		log_warn("events.jsonl: rotation");
	else if ((fd = state_file_open(dfd, JSONL, STATE_JSONL_FLAGS)) == -1)
		log_warn("events.jsonl: open");
	else {
		j.rotated = rotate;
		if ((r = child_send_fd(env, CHILD_COLLECTOR,
		    IPC_COLLECT_JSONFD, &j, fd)) != 0)
			log_warnx_r(r, "events.jsonl: sending the new file");
		else {
			env->json_rotations += rotate;
			log_info("events.jsonl %s", rotate ? "rotated" :
			    "reopened");
		}
	}
	if (fd != -1)
		close(fd);
	close(dfd);
	return r == 0 ? 0 : -1;
}

/* IPC_COLLECT_ROTATE from the collector. */
int
jsonrot_msg(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct child		*c = arg;
	struct loaderd_env	*env = c->env;
	struct ipc_rotate	 rq;

	if (ipc_msg_decode(m->type, m->payload, m->len, &rq) != 0) {
		child_kill(c, "malformed ROTATE");
		return 0;
	}
	if (env->cfg.export_max_size == 0 ||
	    rq.size < env->cfg.export_max_size)
		return 0;	/* not asked for: ignored */
	(void)jsonrot_run(env, 1);
	return 0;
}

static void
jsonrot_usr1_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct loaderd_env	*env = arg;

	if (!env->shutting_down)
		(void)jsonrot_run(env, 0);
}

void
jsonrot_init(struct loaderd_env *env)
{
	env->usr1_ev = evsignal_new(env->base, SIGUSR1, jsonrot_usr1_cb, env);
	if (env->usr1_ev == NULL || evsignal_add(env->usr1_ev, NULL) == -1)
		fatalx("SIGUSR1 event");
}

void
jsonrot_free(struct loaderd_env *env)
{
	if (env->usr1_ev != NULL)
		event_free(env->usr1_ev);
	env->usr1_ev = NULL;
}
