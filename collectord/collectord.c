/*
 * collectord -- the unprivileged consumer of tripline's BPF ring buffer.
 *
 * Started by tripline-loaderd as root with fd 3 (channel to loaderd) and
 * fd 4 (peer channel to notifierd).  As root it reads /proc (raw bytes
 * only), creates or validates the store's files (never parses them),
 * opens the JSON export, receives the ring buffer fd and maps it; then it
 * becomes the collector's user, and only then opens SQLite; then Landlock
 * and seccomp, before parsing anything.  See collectord(8) and
 * docs/ARCHITECTURE.md (start-up order, crash guarantee).
 */
#include "build.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "alerts.h"
#include "bpf/events.h"
#include "collectord.h"
#include "err.h"
#include "export.h"
#include "hooks.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "log.h"
#include "outbox.h"
#include "pcache.h"
#include "stacks.h"
#include "peer.h"
#include "config_syslog.h"
#include "forward.h"
#include "procfs.h"
#include "ringbuf.h"
#include "sandbox.h"
#include "statefile.h"
#include "store.h"
#include "xmalloc.h"

#define RINGBUF_WAIT_MS		30000	/* for IPC_COLLECT_RINGBUF */
#define RINGBUF_BATCH		1024	/* records per read callback */
#define RINGBUF_POLL_MS		100	/* safety-net consume timer */
#define RINGBUF_NAP_MS		20	/* after a drain (ringbuf_set_nap) */
#define DRAIN_COMMIT_MS		100	/* a drain commits if the last commit
					   is at least this old */
#define STATS_INTERVAL_S	1
#define RETENTION_ROWS		4096	/* at least, per retention step */
#define RETENTION_ROWS_MAX	50000

struct collectord {
	int		 expose_stack;	/* -K: stack frames carry addresses */
	struct collector_env	 env;
	struct event_base	*base;
	struct ringbuf		*rb;
	struct peer		*parent;	/* fd 3, loaderd */
	struct event		*ev_batch;
	struct event		*ev_stats;
	struct event		*ev_sigterm;
	struct event		*ev_sigint;
	struct event		*ev_outbox;	/* scheduler timer */
	struct timeval		 batch_tv;
	uint64_t		 commit_ms;	/* monotonic time of the last
						   commit */
	int			 json_fd;
	int			 parent_eof;	/* loaderd closed fd 3 */
	struct peer		*notifier;	/* notifier channel, NULL: none */
	uint32_t		 peer_gen;
	struct al_config	*alcfg;		/* NULL: no alerts file */
	char			 ring_ident[RINGBUF_IDENT_MAX]; /* "": unknown */
	size_t			 batch_rows;
	int			 state_fd;	/* O_PATH: statfs of the state
						   directory's file system */
	uint64_t		 min_free;	/* bytes; or: */
	uint32_t		 min_free_pct;
	int			 low_space;	/* below min_free: not consuming */
	int			 broken;	/* a batch was rolled back */
	uint64_t		 ret_events;	/* events committed at the last
						   retention step */
	uint64_t		 export_lost;	/* lines lost, in meta */
	struct forward		*fwd;		/* syslog forwarding, NULL: off */
	struct event		*ev_fwd;
	uint64_t		 json_max;	/* -R: ask loaderd to rotate
						   events.jsonl at this size */
	int			 rotating;	/* asked, no new fd yet */
	uint64_t		 rotations;	/* new fds received */
};

static int	collectord_parent_drain(struct collectord *);
static uint64_t	collectord_unix_now(void *);
static void	collectord_fwd_kick(struct collectord *);
static void	collectord_fwd_run(struct collectord *);
static void	collectord_refresh(void *);

static __dead void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: collectord -S statedir -u user -N nodename [-dhJKpv]\n"
	    "                  [-b batch_ms] [-m enforce|trap|log|off]"
	    " [-r batch_rows]\n"
	    "                  [-A max_age_s] [-F min_free[%%]]"
	    " [-M max_size]\n"
	    "                  [-L facility [-a app_name] [-B max_backlog]]"
	    " [-R max_size]\n"
	    "       collectord --dump-seccomp [-m mode]\n"
	    "collectord is started by tripline-loaderd with fd 3 (loaderd)"
	    " and fd 4 (notifierd).\n");
	exit(status);
}

static long
num_arg(const char *s, long min, long max, const char *what)
{
	char	*ep;
	long	 v;

	errno = 0;
	v = strtol(s, &ep, 10);
	if (*s == '\0' || *ep != '\0' || errno != 0 || v < min || v > max)
		fatalx("%s: invalid value %s", what, s);
	return v;
}

/* realtime - boottime, so boot ns + offset = Unix ns */
static int64_t
boot_offset(void)
{
	struct timespec	 r1, b, r2;
	int64_t		 rt, bt;

	clock_gettime(CLOCK_REALTIME, &r1);
	clock_gettime(CLOCK_BOOTTIME, &b);
	clock_gettime(CLOCK_REALTIME, &r2);
	rt = ((int64_t)r1.tv_sec * 1000000000 + r1.tv_nsec +
	    (int64_t)r2.tv_sec * 1000000000 + r2.tv_nsec) / 2;
	bt = (int64_t)b.tv_sec * 1000000000 + b.tv_nsec;
	return rt - bt;
}

static uint64_t
boot_now(void)
{
	struct timespec	 b;

	clock_gettime(CLOCK_BOOTTIME, &b);
	return (uint64_t)b.tv_sec * 1000000000ULL + (uint64_t)b.tv_nsec;
}

/*
 * The state directory, as root: it must be root's and writable by nobody
 * else (the collector could otherwise swap the files validated below);
 * the collector's group may search it, so that after the drop SQLite can
 * open the files by name.  Returns an O_PATH fd.
 */
static int
collectord_state_dir(const char *dir, int root, gid_t gid)
{
	struct stat	 sb;
	int		 fd;

	if ((fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("state directory %s", dir);
	if (fstat(fd, &sb) == -1)
		fatal("state directory %s", dir);
	if (!root)
		return fd;
	if (sb.st_uid != 0 || (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		fatalx("state directory %s: must be root's and not writable"
		    " by group or others", dir);
	if (sb.st_gid != gid && fchownat(fd, "", 0, gid, AT_EMPTY_PATH) == -1)
		fatal("state directory %s: chgrp", dir);
	if ((sb.st_mode & S_IXGRP) == 0 &&
	    fchmodat(AT_FDCWD, dir, (sb.st_mode & 07777) | S_IXGRP, 0) == -1)
		fatal("state directory %s: chmod", dir);
	return fd;
}

/*
 * A file of the state directory, created or validated as root, never
 * parsed: not a symlink (O_NOFOLLOW), a regular file with one link, owned
 * by root (new, or left by an old version) or by the collector, then
 * given to the collector (mode 0640).  Returns the open fd.
 */
static int
collectord_state_file(int dirfd, const char *name, int flags, int root,
    uid_t uid, gid_t gid)
{
	struct stat	 sb;
	int		 fd;

	fd = state_file_open(dirfd, name, flags);
	if (fd == -1 && errno == ELOOP)
		fatalx("%s: a symbolic link; refused", name);
	if (fd == -1)
		fatal("open %s", name);
	if (fstat(fd, &sb) == -1)
		fatal("fstat %s", name);
	if (!S_ISREG(sb.st_mode) || sb.st_nlink != 1)
		fatalx("%s: not a plain regular file", name);
	if (sb.st_uid != 0 && sb.st_uid != uid)
		fatalx("%s: owned by uid %lu, neither root nor the collector"
		    " (uid %lu); refused", name, (unsigned long)sb.st_uid,
		    (unsigned long)uid);
	if (root && (fchown(fd, uid, gid) == -1 ||
	    fchmod(fd, STATE_FILE_MODE) == -1))
		fatal("giving %s to uid %lu", name, (unsigned long)uid);
	return fd;
}

/*
 * Commit the open batch; the store's commit hook then publishes its ring
 * position.  0, or ERR_AGAIN (not committed yet, still open).
 */
/*
 * events.jsonl at export.max_size: loaderd (root) renames it and sends a
 * new one (IPC_COLLECT_JSONFD); the collector cannot create files in the
 * state directory.  Until the fd comes, lines go to the renamed file:
 * nothing is lost and every line stays whole (the switch is between
 * writes).
 */
static void
collectord_rotate_check(struct collectord *cd)
{
	struct ipc_rotate	 m;
	int			 r;

	if (cd->json_max == 0 || cd->rotating ||
	    export_size(cd->env.ex) < cd->json_max)
		return;
	m.size = export_size(cd->env.ex);
	if ((r = peer_send_now(cd->parent, IPC_COLLECT_ROTATE, &m, -1)) != 0) {
		if (r != ERR_AGAIN)
			log_warnx_r(r, "asking for events.jsonl rotation");
		return;		/* asked again after the next batch */
	}
	cd->rotating = 1;
}

static uint64_t
collectord_mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
collectord_commit(struct collectord *cd)
{
	forward_checkpoint(cd->fwd);
	if (store_flush(cd->env.st) != 0)
		return ERR_AGAIN;	/* rolled back: collectord_committed */
	cd->commit_ms = collectord_mono_ms();
	if (cd->env.ex != NULL) {
		export_flush(cd->env.ex);
		collectord_rotate_check(cd);
	}
	collectord_fwd_run(cd);
	return 0;
}

/*
 * Retention, between batches: one step of the oldest events, about twice
 * what the batches since the last step added (so a storm cannot outgrow
 * it), at least RETENTION_ROWS.
 */
static void
collectord_retention(struct collectord *cd)
{
	uint64_t	 ev = store_stats(cd->env.st)->events, rows;
	int		 r;

	if (cd->broken || store_in_tx(cd->env.st))
		return;
	rows = 2 * (ev - cd->ret_events);
	rows = rows < RETENTION_ROWS ? RETENTION_ROWS :
	    rows > RETENTION_ROWS_MAX ? RETENTION_ROWS_MAX : rows;
	cd->ret_events = ev;
	if ((r = store_retention_step(cd->env.st, collectord_unix_now(NULL),
	    (size_t)rows)) < 0 && r != ERR_AGAIN)
		cd->env.db_errors++;
}

/* Lines the export lost (failed writes), into the meta counter. */
static void
collectord_export_lost(struct collectord *cd)
{
	uint64_t	 lost;

	if (cd->env.ex == NULL ||
	    (lost = export_stats(cd->env.ex)->errors) == cd->export_lost)
		return;
	if (store_meta_add(cd->env.st, "export_lines_lost",
	    (int64_t)(lost - cd->export_lost)) == 0)
		cd->export_lost = lost;
}

/* Drops reports kept while the store was locked, then the batch. */
static void
collectord_flush(struct collectord *cd)
{
	if (cd->broken)
		return;
	(void)pipeline_drops_retry(&cd->env);
	if (collectord_commit(cd) == 0)
		collectord_retention(cd);
}

/*
 * Store commit hook.  Committed: the records of the batch may now be
 * overwritten by the kernel.  Rolled back: their rows are gone but the
 * records are still in the ring (not published); the process cache has
 * seen them, so the clean way to read them again is a restart.
 */
static void
collectord_committed(void *arg, int ok, uint64_t pos)
{
	struct collectord	*cd = arg;

	pipeline_drops_done(&cd->env, ok);
	if (!ok) {
		/* the JSON lines of those rows are not written either */
		if (cd->env.ex != NULL)
			export_discard(cd->env.ex);
		if (!cd->broken)
			log_warnx("store: a batch was rolled back; its"
			    " records stay in the ring buffer; the collector"
			    " restarts once the disk has room (drops reports"
			    " are kept until then)");
		cd->broken = 1;
		cd->env.paused = 1;
		return;
	}
	if (cd->rb != NULL && ringbuf_commit(cd->rb, pos) != 0)
		log_warnx("ring buffer: position %llu not between the"
		    " consumer and the read position",
		    (unsigned long long)pos);
}

/* At most this much of the ring is held by an open batch. */
static size_t
collectord_ring_limit(const struct collectord *cd)
{
	return ringbuf_size(cd->rb) / 4;
}

/*
 * Is the state directory's file system below the watermark (store.min_free:
 * bytes, or a percentage of its size, available to the collector)?
 */
static int
collectord_space_low(struct collectord *cd)
{
	struct statfs	 sf;
	uint64_t	 avail, need;

	if ((cd->min_free == 0 && cd->min_free_pct == 0) ||
	    fstatfs(cd->state_fd, &sf) == -1)
		return 0;
	avail = (uint64_t)sf.f_bavail * (uint64_t)sf.f_bsize;
	need = cd->min_free_pct != 0 ? (uint64_t)sf.f_blocks *
	    (uint64_t)sf.f_bsize / 100 * cd->min_free_pct : cd->min_free;
	return avail < need;
}

/*
 * Below the watermark the ring is not consumed: records wait there and
 * what does not fit is counted by the kernel (drops rows, stored once
 * there is room again; reports are kept until then).
 */
static int
collectord_space_check(struct collectord *cd)
{
	int	 low = collectord_space_low(cd);

	if (low != cd->low_space) {
		if (low)
			log_warnx("store: less than store.min_free available"
			    " in the state directory: not reading the ring"
			    " buffer until there is");
		else
			log_info("store: space available again: reading the"
			    " ring buffer");
		cd->low_space = low;
		cd->env.paused = low || cd->broken;
	}
	return low;
}

/* One ring record: its rows all go into the open batch. */
static void
collectord_record(void *arg, const void *rec, size_t len)
{
	struct collectord	*cd = arg;

	store_hold(cd->env.st, 1);
	pipeline_record(&cd->env, rec, len);
	store_hold(cd->env.st, 0);
	store_ring_pos(cd->env.st, ringbuf_read_pos(cd->rb));
}

/*
 * Before records are consumed: pending hook metadata, then a batch
 * transaction (BEGIN IMMEDIATE).  Non-zero: consume nothing now (the
 * store is locked by someone else, or the open batch holds a quarter of
 * the ring and cannot commit); the records wait in the ring and the ring
 * timer retries.
 */
static int
collectord_ring_prepare(void *arg)
{
	struct collectord	*cd = arg;
	int			 r;

	collectord_refresh(cd);
	if (cd->broken)
		return 1;
	if (collectord_space_check(cd)) {
		/* what is read already is committed (there is some room) */
		if (ringbuf_uncommitted(cd->rb) > 0)
			(void)collectord_commit(cd);
		return 1;
	}
	if (!ringbuf_pending(cd->rb))
		return ringbuf_uncommitted(cd->rb) > 0 &&
		    collectord_commit(cd) != 0;
	if (ringbuf_uncommitted(cd->rb) >= collectord_ring_limit(cd) &&
	    collectord_commit(cd) != 0)
		return 1;
	if ((r = store_write_begin(cd->env.st)) != 0) {
		if (r != ERR_AGAIN)
			cd->env.db_errors++;
		return 1;
	}
	(void)pipeline_drops_retry(&cd->env);
	collectord_export_lost(cd);
	return 0;
}

/*
 * After a callback's records: commit when the ring is drained (and the
 * last commit is DRAIN_COMMIT_MS old: a steady trickle, drained after
 * every nap, commits a few times a second, not after each nap; the ring
 * timer commits what is left once records stop), or the batch is full.
 */
static void
collectord_ring_after(void *arg)
{
	struct collectord	*cd = arg;

	if (((!ringbuf_pending(cd->rb) && collectord_mono_ms() -
	    cd->commit_ms >= DRAIN_COMMIT_MS) ||
	    ringbuf_uncommitted(cd->rb) >= collectord_ring_limit(cd) ||
	    store_pending(cd->env.st) >= cd->batch_rows) &&
	    collectord_commit(cd) == 0)
		collectord_retention(cd);
}

static void
collectord_alert_summary(struct collectord *cd)
{
	const struct outbox_stats *os;

	if (cd->env.ob == NULL)
		return;
	os = outbox_stats(cd->env.ob);
	log_info("alerts: %llu queued, %llu sent, %llu delivered, %llu"
	    " retried, %llu dead, %llu unrouted, %llu bad peer messages",
	    (unsigned long long)os->queued, (unsigned long long)os->sent,
	    (unsigned long long)os->delivered,
	    (unsigned long long)os->retried, (unsigned long long)os->dead,
	    (unsigned long long)os->unrouted,
	    (unsigned long long)os->bad_msgs);
	log_info("alerts: %llu folded into %llu summaries, %llu hits in"
	    " overflow groups", (unsigned long long)os->folded,
	    (unsigned long long)os->summaries,
	    (unsigned long long)os->group_overflow);
}

/* outbox hooks */
static uint64_t
collectord_unix_now(void *arg)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
collectord_job_send(void *arg, const struct ipc_alert_job *job)
{
	struct collectord	*cd = arg;

	if (cd->notifier == NULL)
		return ERR_EOF;
	return peer_send_now(cd->notifier, IPC_ALERT_JOB, job, -1);
}

static void
collectord_outbox_kick(void *arg)
{
	struct collectord	*cd = arg;

	if (cd->ev_outbox != NULL)
		event_active(cd->ev_outbox, EV_TIMEOUT, 0);
}

static void
collectord_outbox_cb(evutil_socket_t fd, short what, void *arg)
{
	struct collectord	*cd = arg;
	uint64_t		 ms;
	struct timeval		 tv;

	/* nothing is written while the store is paused */
	ms = cd->env.paused ? 1000 : outbox_run(cd->env.ob);
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	event_add(cd->ev_outbox, &tv);
}

static void
collectord_peer_close(struct collectord *cd)
{
	peer_free(cd->notifier);
	cd->notifier = NULL;
	if (cd->env.ob != NULL)
		outbox_peer_down(cd->env.ob);
	forward_peer(cd->fwd, 0);
}

/* Results from notifierd.  Anything else it sends is counted, dropped. */
static int
collectord_result_msg(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct collectord	*cd = arg;
	struct ipc_alert_result	 res;

	memset(&res, 0, sizeof(res));
	if (ipc_msg_decode(m->type, m->payload, m->len, &res) != 0) {
		outbox_bad_msg(cd->env.ob);
		log_debug("alerts: unexpected message %s (%u) from"
		    " notifierd dropped", ipc_msg_type_name(m->type),
		    m->type);
	} else if (outbox_result(cd->env.ob, &res) != 0)
		log_debug("alerts: result for job %llu, not in flight:"
		    " ignored", (unsigned long long)res.job_id);
	ipc_alert_result_clear(&res);
	collectord_outbox_kick(cd);
	return 0;
}

static int
collectord_notifier_error(struct peer *p, int r, const struct ipc_msg *m,
    void *arg)
{
	struct collectord	*cd = arg;

	if (r == ERR_EOF || r == ERR_SYS) {
		log_warnx("alerts: notifier channel (generation %u)"
		    " closed; jobs wait for the next one", cd->peer_gen);
		collectord_peer_close(cd);
		collectord_outbox_kick(cd);
		return -1;
	}
	outbox_bad_msg(cd->env.ob);
	if (m != NULL)
		log_debug("alerts: unexpected message %s (%u) from"
		    " notifierd dropped", ipc_msg_type_name(m->type),
		    m->type);
	else
		log_debug("alerts: bad message from notifierd: %s",
		    err_str(r));
	collectord_outbox_kick(cd);
	return 0;
}

/* IPC_SYSLOG_ACK: the notifier's answer to a syslog message. */
static int
collectord_fwd_ack_msg(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct collectord	*cd = arg;
	struct ipc_syslog_ack	 a;

	memset(&a, 0, sizeof(a));
	if (ipc_msg_decode(m->type, m->payload, m->len, &a) != 0 ||
	    forward_ack(cd->fwd, &a, collectord_mono_ms()) != 0)
		log_debug("syslog: unexpected answer from notifierd dropped");
	ipc_msg_free_fields(m->type, &a);
	collectord_fwd_kick(cd);
	return 0;
}

static const struct peer_handler collectord_notifier_handlers[] = {
	{ IPC_ALERT_RESULT, collectord_result_msg },
	{ IPC_SYSLOG_ACK, collectord_fwd_ack_msg },
};
static const struct peer_proto collectord_notifier_proto = {
	.self = IPC_PROC_COLLECTORD,
	.remote = IPC_PROC_NOTIFIERD,
	PEER_HANDLERS(collectord_notifier_handlers),
	.max_read = 1024,
	.error = collectord_notifier_error,
};

static void
collectord_peer_arm(struct collectord *cd)
{
	if (cd->base == NULL || cd->notifier == NULL)
		return;
	if (peer_attach(cd->notifier, cd->base) != 0)
		fatalx("notifier channel event");
}

/* IPC_COLLECT_JSONFD: events.jsonl was rotated or is to be reopened;
 * the next lines go to this fd. */
static int
collectord_jsonfd_msg(struct peer *parent, struct ipc_msg *m, void *arg)
{
	struct collectord	*cd = arg;
	struct ipc_jsonfd	 j;
	int			 r, fd;

	if ((r = ipc_msg_decode(m->type, m->payload, m->len, &j)) != 0) {
		log_warnx_r(r, "events.jsonl fd message from parent");
		return 0;
	}
	fd = ipc_msg_take_fd(m);
	if (cd->env.ex == NULL || fd < 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	export_set_json_fd(cd->env.ex, fd);
	if (cd->json_fd >= 0)
		close(cd->json_fd);
	cd->json_fd = fd;
	cd->rotating = 0;
	cd->rotations++;
	log_info("export: events.jsonl %s", j.rotated ? "rotated" :
	    "reopened");
	return 0;
}

/* IPC_COLLECT_KSYMS: /proc/kallsyms as loaderd opened it (addresses
 * shown), read for the kernel frames of stack traces. */
static int
collectord_ksyms_msg(struct peer *parent, struct ipc_msg *m, void *arg)
{
	struct collectord	*cd = arg;
	struct ipc_ksyms	 k;
	int			 r, fd;

	if ((r = ipc_msg_decode(m->type, m->payload, m->len, &k)) != 0) {
		log_warnx_r(r, "kallsyms message from parent");
		return 0;
	}
	fd = ipc_msg_take_fd(m);
	if (fd < 0)
		return 0;
	if (cd->env.stk == NULL)
		cd->env.stk = stk_new(cd->expose_stack);
	stk_set_kallsyms(cd->env.stk, fd);
	log_debug("stacks: kallsyms fd from parent");
	return 0;
}

/* IPC_COLLECT_PEER: a new notifier channel replaces the old one. */
static int
collectord_peer_msg(struct peer *parent, struct ipc_msg *m, void *arg)
{
	struct collectord	*cd = arg;
	struct ipc_peer		 p;
	int			 r, fd;

	if ((r = ipc_msg_decode(m->type, m->payload, m->len, &p)) != 0)
		fatalx_r(r, "peer message from parent");
	fd = ipc_msg_take_fd(m);
	collectord_peer_close(cd);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		fatal("fcntl notifier channel");
	cd->notifier = peer_new(fd, &collectord_notifier_proto, cd);
	cd->peer_gen = p.generation;
	log_debug("alerts: notifier channel generation %u", p.generation);
	collectord_peer_arm(cd);
	if (cd->env.ob != NULL)		/* else: when the outbox is made */
		outbox_peer_up(cd->env.ob);
	forward_peer(cd->fwd, 1);
	collectord_fwd_kick(cd);
	return 0;
}

/* IPC_COLLECT_ALERTCFG: routes and receivers (no secrets in it). */
static int
collectord_alertcfg_msg(struct peer *parent, struct ipc_msg *m, void *arg)
{
	struct collectord	*cd = arg;
	struct ipc_alertcfg	 a;
	struct al_config	*cfg = NULL;
	char			 err[512];
	int			 r;

	memset(&a, 0, sizeof(a));
	if ((r = ipc_msg_decode(m->type, m->payload, m->len, &a)) != 0)
		fatalx_r(r, "alerts configuration from parent");
	if (a.yaml[0] != '\0') {
		cfg = xcalloc(1, sizeof(*cfg));
		if (alerts_parse(a.file, a.yaml, strlen(a.yaml), cfg, err,
		    sizeof(err)) != 0) {
			/* loaderd parsed it first: keep what we have */
			log_warnx("alerts configuration ignored: %s", err);
			alerts_clear(cfg);
			free(cfg);
			ipc_alertcfg_clear(&a);
			return 0;
		}
	}
	if (cd->env.ob != NULL)		/* else: when the outbox is made */
		outbox_set_config(cd->env.ob, cfg);
	if (cd->alcfg != NULL) {
		alerts_clear(cd->alcfg);
		free(cd->alcfg);
	}
	cd->alcfg = cfg;
	log_info("alerts: %s: %zu receivers, %zu routes",
	    a.yaml[0] != '\0' && a.file[0] != '\0' ? a.file :
	    "(no alerts file)",
	    cfg != NULL ? cfg->nreceivers : 0, cfg != NULL ? cfg->nroutes : 0);
	ipc_alertcfg_clear(&a);
	collectord_outbox_kick(cd);
	return 0;
}

static __dead void
collectord_shutdown(struct collectord *cd, const char *why)
{
	const struct ringbuf_stats *rs;
	size_t	 n;

	log_info("shutting down: %s", why);
	/* what loaderd sent last (its final drops report), then the ring */
	collectord_parent_drain(cd);
	/* drain what the kernel already committed, bounded; what is left
	 * (the store is locked) waits in the ring for the next collector */
	n = 0;
	if (!cd->broken && collectord_ring_prepare(cd) == 0)
		n = ringbuf_consume(cd->rb, 1 << 20, collectord_record, cd);
	collectord_flush(cd);
	rs = ringbuf_stats(cd->rb);
	log_info("drained %zu records; total %llu records, %llu malformed"
	    " records, %llu bad ring headers; %llu policy events, %llu of"
	    " unknown hooks, %llu alerts; %llu lost in the kernel", n,
	    (unsigned long long)cd->env.records,
	    (unsigned long long)cd->env.malformed,
	    (unsigned long long)rs->malformed,
	    (unsigned long long)cd->env.generic,
	    (unsigned long long)cd->env.unknown_hooks,
	    (unsigned long long)cd->env.alerts,
	    (unsigned long long)cd->env.lost);
	log_info("store: %llu commits, %llu errors, %llu times locked by"
	    " another connection", (unsigned long long)store_stats(
	    cd->env.st)->commits, (unsigned long long)store_stats(
	    cd->env.st)->errors, (unsigned long long)store_stats(
	    cd->env.st)->busy);
	ringbuf_free(cd->rb);
	collectord_alert_summary(cd);
	if (cd->ev_outbox != NULL)
		event_free(cd->ev_outbox);
	if (cd->ev_fwd != NULL)
		event_free(cd->ev_fwd);
	forward_free(cd->fwd);
	peer_free(cd->notifier);
	outbox_free(cd->env.ob);
	if (cd->alcfg != NULL) {
		alerts_clear(cd->alcfg);
		free(cd->alcfg);
	}
	peer_free(cd->parent);
	event_free(cd->ev_batch);
	event_free(cd->ev_stats);
	event_free(cd->ev_sigterm);
	event_free(cd->ev_sigint);
	export_free(cd->env.ex);
	store_close(cd->env.st);
	pcache_free(cd->env.pc);
	hooktab_free(cd->env.hooks);
	pipeline_clear(&cd->env);
	stk_free(cd->env.stk);
	cd->env.stk = NULL;
	event_base_free(cd->base);
	exit(0);
}

/*
 * After a rolled-back batch: once there is room, the drops reports kept
 * meanwhile are committed, then the collector exits; loaderd restarts it
 * and the new one reads the batch's records again from the ring buffer
 * (its process cache saw them: the clean way to read them again).
 */
static void
collectord_recover(struct collectord *cd)
{
	if (collectord_space_low(cd))
		return;
	cd->env.paused = 0;
	if (pipeline_drops_retry(&cd->env) != 0 ||
	    store_flush(cd->env.st) != 0 || cd->env.nheld_drops > 0) {
		cd->env.paused = 1;
		return;
	}
	log_warnx("store: room again after a rolled-back batch: exiting so"
	    " that its records are read again from the ring buffer");
	exit(1);
}

static void
collectord_batch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct collectord	*cd = arg;

	if (cd->broken) {
		collectord_recover(cd);
		return;
	}
	(void)collectord_space_check(cd);
	collectord_flush(cd);
}

/* The outbox's counters in s (0 without alert delivery). */
static void
collectord_stats_alerts(struct collectord *cd, struct ipc_collect_stats *s)
{
	const struct outbox_stats *os;

	if (cd->env.ob == NULL)
		return;
	os = outbox_stats(cd->env.ob);
	s->alerts_queued = os->queued;
	s->alerts_delivered = os->delivered;
	s->alerts_retried = os->retried;
	s->alerts_dead = os->dead;
	s->alerts_unrouted = os->unrouted;
}

/* Retention's counters in s (0 while retention is off). */
static void
collectord_stats_retention(struct collectord *cd, struct ipc_collect_stats *s)
{
	const struct store_ret_stats *rs = store_retention_stats(cd->env.st);

	s->ret_steps = rs->steps;
	s->ret_events = rs->events;
	s->ret_processes = rs->processes;
	s->ret_outbox = rs->outbox;
	s->ret_drops = rs->drops;
	s->ret_errors = rs->errors;
}

static void	collectord_fwd_stats(struct collectord *);

static void
collectord_stats_cb(evutil_socket_t fd, short what, void *arg)
{
	struct collectord		*cd = arg;
	struct ipc_collect_stats	 s;
	const struct ringbuf_stats	*rs = ringbuf_stats(cd->rb);
	int				 r;

	hooktab_expire(cd->env.hooks, boot_now());
	memset(&s, 0, sizeof(s));
	s.records = rs->records;
	s.malformed = cd->env.malformed + rs->malformed;
	s.events_stored = store_stats(cd->env.st)->events;
	s.db_errors = cd->env.db_errors + store_stats(cd->env.st)->errors;
	s.cache_entries = pcache_count(cd->env.pc);
	s.exported = cd->env.ex != NULL ? export_stats(cd->env.ex)->lines : 0;
	s.uncommitted = cd->rb != NULL ? ringbuf_uncommitted(cd->rb) : 0;
	s.lag_ns = store_stats(cd->env.st)->lag_ns;
	collectord_stats_alerts(cd, &s);
	collectord_stats_retention(cd, &s);
	/* stats are periodic: a full socket just skips one */
	if ((r = peer_send_now(cd->parent, IPC_COLLECT_STATS, &s, -1)) != 0 &&
	    r != ERR_AGAIN)
		log_warnx_r(r, "sending stats");
	collectord_fwd_stats(cd);
}

static void
collectord_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	collectord_shutdown(arg, sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

/*
 * Hook metadata from loaderd (before or after the ring buffer).  A message
 * that does not decode or fit is logged and ignored: records of that hook
 * are then stored as "unknown hook N" rather than lost.
 */
static int
collectord_hook_msg(struct peer *parent, struct ipc_msg *m, void *arg)
{
	struct collectord	*cd = arg;
	struct ipc_hook		 h;
	struct ipc_hook_del	 d;
	uint32_t		 id, gen;
	int			 r;

	if (m->type == IPC_COLLECT_HOOK) {
		memset(&h, 0, sizeof(h));
		if ((r = ipc_msg_decode(m->type, m->payload, m->len,
		    &h)) != 0) {
			log_warnx_r(r, "hook metadata from parent ignored");
			return 0;
		}
		id = h.id;
		gen = h.gen;
		if (hooktab_set(cd->env.hooks, &h, boot_now()) != 0)
			log_warnx("hook %u gen %u: invalid metadata ignored",
			    id, gen);
		else
			log_debug("hook %u gen %u: metadata (%zu live)",
			    id, gen, hooktab_live(cd->env.hooks));
		ipc_hook_clear(&h);
		return 0;
	}
	/* IPC_COLLECT_HOOK_DEL */
	if ((r = ipc_msg_decode(m->type, m->payload, m->len, &d)) != 0) {
		log_warnx_r(r, "hook deletion from parent ignored");
		return 0;
	}
	if (hooktab_del(cd->env.hooks, d.id, d.gen, boot_now()) != 0)
		log_debug("hook %u gen %u: deleted, but not known", d.id,
		    d.gen);
	return 0;
}

/* Records the kernel lost (ring buffer full), as loaderd counted them. */
static int
collectord_drops_msg(struct peer *parent, struct ipc_msg *m, void *arg)
{
	struct collectord	*cd = arg;
	struct ipc_drops	 d;
	int			 r;

	memset(&d, 0, sizeof(d));
	if ((r = ipc_msg_decode(m->type, m->payload, m->len, &d)) != 0) {
		log_warnx_r(r, "drops report from parent ignored");
		return 0;
	}
	if ((r = pipeline_drops(&cd->env, &d)) == ERR_AGAIN)
		log_debug("drops report (%llu lost, source %u) kept: the"
		    " database is locked, or writes are paused", (unsigned long long)d.count,
		    d.source);
	else if (r != 0)
		log_warnx_r(r, "drops report (%llu lost, source %u) not stored",
		    (unsigned long long)d.count, d.source);
	else
		log_debug("%llu records lost (%llu in total, source %u)",
		    (unsigned long long)d.count, (unsigned long long)d.total,
		    d.source);
	ipc_drops_clear(&d);
	return 0;
}

/* IPC_COLLECT_HEALTH_REQ: loaderd's liveness ping; answered at once. */
static int
collectord_health_msg(struct peer *parent, struct ipc_msg *m, void *arg)
{
	struct ipc_health	 h;
	int			 r;

	if ((r = ipc_msg_decode(m->type, m->payload, m->len, &h)) != 0)
		fatalx_r(r, "parent: bad IPC_COLLECT_HEALTH_REQ");
	h.uptime_ms = 0;
	if ((r = peer_send(parent, IPC_COLLECT_HEALTH_ANS, &h, -1)) != 0)
		log_warnx_r(r, "health answer");
	return 0;
}

/* IPC_COLLECT_RINGBUF: map the ring. */
static int
collectord_ringbuf_msg(struct peer *parent, struct ipc_msg *m, void *arg)
{
	struct collectord	*cd = arg;
	struct ipc_ringbuf	 rb;
	int			 r;

	if ((r = ipc_msg_decode(m->type, m->payload, m->len, &rb)) != 0)
		fatalx_r(r, "ring buffer message");
	if (rb.abi_version != EV_ABI_VERSION)
		fatalx("ring buffer ABI %u, collectord speaks %u",
		    rb.abi_version, EV_ABI_VERSION);
	if ((r = ringbuf_open(&cd->rb, ipc_msg_take_fd(m), rb.size)) != 0) {
		if (r == ERR_SYS)
			fatal("mmap ring buffer (%llu bytes)",
			    (unsigned long long)rb.size);
		fatalx_r(r, "ring buffer size %llu",
		    (unsigned long long)rb.size);
	}
	if (ringbuf_ident(ringbuf_fd(cd->rb), cd->ring_ident,
	    sizeof(cd->ring_ident)) != 0)
		cd->ring_ident[0] = '\0';
	log_debug("ring buffer mapped: %llu bytes, ring %s",
	    (unsigned long long)rb.size, cd->ring_ident[0] != '\0' ?
	    cd->ring_ident : "of unknown identity");
	return 0;
}

/*
 * The parent channel.  loaderd is trusted: a message it should not send
 * is fatal; a HOOK, HOOK_DEL or DROPS that does not decode is logged and
 * ignored (its handler says so).  Until the ring buffer arrives, only what
 * may precede it is accepted.
 */
static int
collectord_start_error(struct peer *parent, int r, const struct ipc_msg *m,
    void *arg)
{
	if (r == ERR_EOF)
		fatalx("parent closed the channel before the ring buffer");
	if (m != NULL)
		fatalx("expected ring buffer, got message type %u", m->type);
	fatalx_r(r, "parent channel");
}

static int
collectord_parent_error(struct peer *parent, int r, const struct ipc_msg *m,
    void *arg)
{
	struct collectord	*cd = arg;

	if (r != ERR_EOF) {
		if (m != NULL)
			fatalx("unexpected message type %u from parent",
			    m->type);
		fatalx_r(r, "parent channel");
	}
	/* remembered: not read again; the loop ends, main shuts down */
	cd->parent_eof = 1;
	if (cd->base != NULL)
		event_base_loopbreak(cd->base);
	return -1;
}

static const struct peer_handler collectord_start_handlers[] = {
	/* metadata and alerts may come before the ring buffer */
	{ IPC_COLLECT_HOOK, collectord_hook_msg },
	{ IPC_COLLECT_HOOK_DEL, collectord_hook_msg },
	{ IPC_COLLECT_PEER, collectord_peer_msg },
	{ IPC_COLLECT_ALERTCFG, collectord_alertcfg_msg },
	{ IPC_COLLECT_RINGBUF, collectord_ringbuf_msg },
	{ IPC_COLLECT_KSYMS, collectord_ksyms_msg },
};
static const struct peer_proto collectord_start_proto = {
	.self = IPC_PROC_COLLECTORD,
	.remote = IPC_PROC_LOADERD,
	PEER_HANDLERS(collectord_start_handlers),
	.max_read = 1,
	.error = collectord_start_error,
};

static const struct peer_handler collectord_parent_handlers[] = {
	{ IPC_COLLECT_HOOK, collectord_hook_msg },
	{ IPC_COLLECT_HOOK_DEL, collectord_hook_msg },
	{ IPC_COLLECT_DROPS, collectord_drops_msg },
	{ IPC_COLLECT_PEER, collectord_peer_msg },
	{ IPC_COLLECT_ALERTCFG, collectord_alertcfg_msg },
	{ IPC_COLLECT_HEALTH_REQ, collectord_health_msg },
	{ IPC_COLLECT_JSONFD, collectord_jsonfd_msg },
	{ IPC_COLLECT_KSYMS, collectord_ksyms_msg },
};
static const struct peer_proto collectord_parent_proto = {
	.self = IPC_PROC_COLLECTORD,
	.remote = IPC_PROC_LOADERD,
	PEER_HANDLERS(collectord_parent_handlers),
	.error = collectord_parent_error,
};

/*
 * Read every message waiting on the parent channel.  Returns 0, or
 * ERR_EOF once loaderd closed it (remembered: not read again).
 */
static int
collectord_parent_drain(struct collectord *cd)
{
	if (!cd->parent_eof)
		(void)peer_read(cd->parent);
	return cd->parent_eof ? ERR_EOF : 0;
}

/*
 * Before the ring is consumed (each loop turn), and when a record names
 * an unknown hook: read pending metadata.  This runs inside the ring
 * callbacks, so on EOF it only ends the loop; the shutdown (which
 * consumes the ring) happens after it.
 */
static void
collectord_refresh(void *arg)
{
	(void)collectord_parent_drain(arg);
}

/* Block (poll) until IPC_COLLECT_RINGBUF arrives and the ring is mapped. */
static void
collectord_get_ringbuf(struct collectord *cd)
{
	struct pollfd		 pfd;
	int			 n;

	pfd.fd = peer_fd(cd->parent);
	pfd.events = POLLIN;
	while (cd->rb == NULL) {
		n = poll(&pfd, 1, RINGBUF_WAIT_MS);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			fatal("poll parent channel");
		if (n == 0)
			fatalx("no ring buffer from parent after %d ms",
			    RINGBUF_WAIT_MS);
		(void)peer_read(cd->parent);
	}
	peer_set_proto(cd->parent, &collectord_parent_proto);
}

/* Command-line options (set by loaderd's child_argv()). */
struct collectord_opts {
	const char		*statedir, *user, *node;
	enum sandbox_mode	 mode;
	long			 batch_ms, batch_rows;
	struct forward_config	 fw;		/* -L: syslog forwarding */
	int			 fw_on;
	int			 debug, verbose, print, json, dump;
	int			 expose_stack;	/* -K */
	uint64_t		 max_age_s, max_size, min_free;
	uint32_t		 min_free_pct;
	uint64_t		 json_max;	/* -R */
};

static uint64_t
u64_arg(const char *s, uint64_t max, const char *what)
{
	unsigned long long v;
	char	*ep;

	errno = 0;
	v = strtoull(s, &ep, 10);
	if (*s < '0' || *s > '9' || *ep != '\0' || errno != 0 || v > max)
		fatalx("%s: invalid value %s", what, s);
	return v;
}

/* -F BYTES or -F N% (1..50) */
static void
min_free_arg(struct collectord_opts *o, const char *s)
{
	size_t	 len = strlen(s);
	char	 buf[16];

	if (len > 1 && len < sizeof(buf) && s[len - 1] == '%') {
		memcpy(buf, s, len - 1);
		buf[len - 1] = '\0';
		o->min_free_pct = (uint32_t)u64_arg(buf, 50, "-F");
		o->min_free = 0;
		if (o->min_free_pct == 0)
			fatalx("-F: invalid value %s", s);
		return;
	}
	o->min_free = u64_arg(s, UINT64_MAX, "-F");
	o->min_free_pct = 0;
}

/* Syslog forwarding options: -L facility (turns it on), -a app_name,
 * -B max_backlog.  1 if ch was one of them. */
static int
collectord_fwd_opt(struct collectord_opts *o, int ch)
{
	switch (ch) {
	case 'a':
		if (!syslog_app_ok(optarg))
			fatalx("-a: invalid APP-NAME %s", optarg);
		o->fw.app_name = optarg;
		return 1;
	case 'B':
		o->fw.max_backlog = (uint64_t)num_arg(optarg, 1, 1000000000,
		    "-B");
		return 1;
	case 'L':
		o->fw.facility = (int)num_arg(optarg, 0, 23, "-L");
		o->fw_on = 1;
		return 1;
	default:
		return 0;
	}
}

static int
collectord_fwd_send(void *arg, const struct ipc_syslog_msg *m)
{
	struct collectord	*cd = arg;

	if (cd->notifier == NULL)
		return ERR_EOF;
	return peer_send(cd->notifier, IPC_SYSLOG_MSG, m, -1);
}

/* Send what is due now (right after a commit: no batch is open). */
static void
collectord_fwd_run(struct collectord *cd)
{
	uint64_t		 ms;
	struct timeval		 tv;

	if (cd->fwd == NULL ||
	    (ms = forward_pump(cd->fwd, collectord_mono_ms())) == 0)
		return;		/* the next commit or answer runs it */
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	event_add(cd->ev_fwd, &tv);
}

static void
collectord_fwd_cb(evutil_socket_t fd, short what, void *arg)
{
	collectord_fwd_run(arg);
}

static void
collectord_fwd_kick(struct collectord *cd)
{
	if (cd->ev_fwd != NULL && !evtimer_pending(cd->ev_fwd, NULL))
		event_active(cd->ev_fwd, EV_TIMEOUT, 0);
}

static void
collectord_fwd_stats(struct collectord *cd)
{
	struct ipc_fwd_stats	 s;
	int			 r;

	if (cd->fwd == NULL)
		return;
	forward_stats(cd->fwd, &s);
	if ((r = peer_send_now(cd->parent, IPC_COLLECT_FWD_STATS, &s,
	    -1)) != 0 && r != ERR_AGAIN)
		log_warnx_r(r, "sending forwarding stats");
}

/* After the store and the event base exist: the forwarder and its
 * timer. */
static void
collectord_fwd_new(struct collectord *cd, const struct collectord_opts *o)
{
	struct forward_config	 fc = o->fw;

	if (!o->fw_on)
		return;
	fc.node = o->node;
	if ((cd->fwd = forward_new(cd->env.st, &fc, collectord_fwd_send,
	    cd)) == NULL)
		fatalx("syslog forwarding: cannot read its cursor");
	forward_peer(cd->fwd, cd->notifier != NULL);
	if ((cd->ev_fwd = event_new(cd->base, -1, 0, collectord_fwd_cb,
	    cd)) == NULL)
		fatalx("syslog forwarding: event_new");
	collectord_fwd_kick(cd);
}

static void
collectord_parse_opts(struct collectord_opts *o, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "dump-seccomp", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch, m;

	memset(o, 0, sizeof(*o));
	o->mode = SANDBOX_ENFORCE;
	o->batch_ms = 1000;
	o->batch_rows = 1000;
	o->json = 1;
	o->min_free = 64ULL << 20;
	o->fw.app_name = "tripline";
	o->fw.max_backlog = 100000;
	while ((ch = getopt_long(argc, argv, "A:a:B:b:dF:hJKL:m:M:N:pR:r:S:u:v",
	    longopts, NULL)) != -1) {
		if (collectord_fwd_opt(o, ch))
			continue;
		switch (ch) {
		case 'A':
			o->max_age_s = u64_arg(optarg, 36500ULL * 86400, "-A");
			break;
		case 'F':
			min_free_arg(o, optarg);
			break;
		case 'M':
			o->max_size = u64_arg(optarg, UINT64_MAX, "-M");
			break;
		case 'b':
			o->batch_ms = num_arg(optarg, 1, 60000, "-b");
			break;
		case 'd':
			o->debug = 1;
			break;
		case 'D':
			o->dump = 1;
			break;
		case 'h':
			usage(0);
		case 'J':
			o->json = 0;
			break;
		case 'K':
			o->expose_stack = 1;
			break;
		case 'm':
			if ((m = sandbox_mode_parse(optarg)) == -1)
				fatalx("unknown sandbox mode %s", optarg);
			o->mode = (enum sandbox_mode)m;
			break;
		case 'N':
			o->node = optarg;
			break;
		case 'p':
			o->print = 1;
			break;
		case 'r':
			o->batch_rows = num_arg(optarg, 1, 1000000, "-r");
			break;
		case 'R':
			o->json_max = u64_arg(optarg, UINT64_MAX, "-R");
			break;
		case 'S':
			o->statedir = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		default:
			usage(1);
		}
	}
	if (optind != argc)
		usage(1);
}

/*
 * Step (2), as root: the store's files are created or validated and given
 * to the collector's user, never opened by SQLite; the export is opened.
 */
static void
collectord_prepare_files(struct collectord *cd,
    const struct collectord_opts *o, int root, uid_t uid, gid_t gid)
{
	static const char *db[] = { "events.db", "events.db-wal",
	    "events.db-shm" };
	size_t		 i;
	int		 dirfd;

	dirfd = collectord_state_dir(o->statedir, root, gid);
	for (i = 0; i < sizeof(db) / sizeof(db[0]); i++)
		close(collectord_state_file(dirfd, db[i], O_RDWR, root, uid,
		    gid));
	if (o->json)
		cd->json_fd = collectord_state_file(dirfd, STATE_JSONL,
		    STATE_JSONL_FLAGS, root, uid, gid);
	/* an O_PATH fd: fstatfs for the free-space watermark */
	cd->state_fd = dirfd;
	cd->min_free = o->min_free;
	cd->min_free_pct = o->min_free_pct;
}

/* A database made before auto_vacuum was set keeps its size on disk. */
static void
collectord_vacuum_note(struct collectord *cd,
    const struct collectord_opts *o)
{
	struct store_usage	 u;

	if (o->max_age_s == 0 && o->max_size == 0)
		return;
	if (store_usage(cd->env.st, &u) == 0)
		log_info("store: retention: max_age %llus, max_size %llu;"
		    " %llu bytes used (%llu free in the file, %llu WAL)",
		    (unsigned long long)o->max_age_s,
		    (unsigned long long)o->max_size,
		    (unsigned long long)u.used, (unsigned long long)u.free,
		    (unsigned long long)u.wal);
	if (!store_auto_vacuum(cd->env.st))
		log_info("store: events.db has no auto_vacuum (made by an"
		    " older version): space freed by retention is reused"
		    " inside the file but not returned (docs/schema.md)");
}

/*
 * Step (5), as the collector's user: SQLite opens the store (WAL,
 * migrations).  A file it cannot use ends the process with the reason;
 * loaderd restarts it with its back-off and counts the restarts.
 */
static void
collectord_open_db(struct collectord *cd, const struct collectord_opts *o,
    int64_t off)
{
	char		 dbpath[PATH_MAX];
	int		 r;

	if ((size_t)snprintf(dbpath, sizeof(dbpath), "%s/events.db",
	    o->statedir) >= sizeof(dbpath))
		fatalx("state directory path too long");
	if ((r = store_open(&cd->env.st, dbpath, o->node, off,
	    (size_t)o->batch_rows)) != 0)
		fatalx_r(r, "opening %s as uid %lu", dbpath,
		    (unsigned long)geteuid());
	cd->batch_rows = (size_t)o->batch_rows;
	cd->json_max = o->json_max;
	cd->expose_stack = o->expose_stack;
	if (store_retention_set(cd->env.st, o->max_age_s, o->max_size) != 0)
		fatalx("%s: cannot set up retention", dbpath);
	collectord_vacuum_note(cd, o);
}

/*
 * Records below the position the last commit stored (same ring: same
 * boot and map id) are in the database already: a collector killed
 * between its commit and publishing the consumer position must not store
 * them twice.
 */
static void
collectord_ring_resume(struct collectord *cd)
{
	char		 prev[RINGBUF_IDENT_MAX];
	uint64_t	 pos, cons = ringbuf_cons_pos(cd->rb);
	const char	*id = cd->ring_ident[0] != '\0' ? cd->ring_ident : NULL;

	if (id != NULL && store_ring_get(cd->env.st, prev, sizeof(prev),
	    &pos) == 1 && strcmp(prev, id) == 0 && pos != cons) {
		if (ringbuf_skip_to(cd->rb, pos) == 0)
			log_info("ring buffer: %llu bytes of records stored"
			    " before the last stop: skipped",
			    (unsigned long long)(pos - cons));
		else
			log_warnx("ring buffer: stored position %llu is not"
			    " ahead of %llu: ignored", (unsigned long long)pos,
			    (unsigned long long)cons);
	}
	store_set_ring(cd->env.st, id, ringbuf_cons_pos(cd->rb),
	    collectord_committed, cd);
}

/* The pipeline behind the store: export, process cache, alert outbox,
 * hook table. */
static void
collectord_pipeline_new(struct collectord *cd, const struct collectord_opts *o,
    int64_t off)
{
	struct outbox_hooks ob_hooks;

	/* every hook not set here (rnd) must be NULL: outbox_new copies */
	memset(&ob_hooks, 0, sizeof(ob_hooks));
	if (o->json || o->print)
		cd->env.ex = export_new(cd->json_fd,
		    o->print ? STDOUT_FILENO : -1, o->node, off);
	cd->env.pc = pcache_new(o->node);
	if (cd->env.stk == NULL)
		cd->env.stk = stk_new(cd->expose_stack);
	if (cd->env.ex != NULL)
		export_set_pcache(cd->env.ex, cd->env.pc);
	/* alert scheduler: fd 4 is not used; IPC_COLLECT_PEER brings the
	 * notifier channel */
	ob_hooks.now = collectord_unix_now;
	ob_hooks.send = collectord_job_send;
	ob_hooks.kick = collectord_outbox_kick;
	ob_hooks.arg = cd;
	cd->env.ob = outbox_new(cd->env.st, &ob_hooks);
	/* what loaderd sent with the ring buffer, before the outbox */
	if (cd->alcfg != NULL)
		outbox_set_config(cd->env.ob, cd->alcfg);
	if (cd->notifier != NULL)
		outbox_peer_up(cd->env.ob);
	cd->env.refresh = collectord_refresh;
	cd->env.refresh_arg = cd;
}

/* Step (4): the event loop, before the sandbox (epoll fd, signal pipe). */
static void
collectord_events(struct collectord *cd, long batch_ms)
{
	if ((cd->base = event_base_new()) == NULL)
		fatalx("event_base_new");
	cd->batch_tv.tv_sec = batch_ms / 1000;
	cd->batch_tv.tv_usec = (batch_ms % 1000) * 1000;
	cd->ev_batch = event_new(cd->base, -1, EV_PERSIST,
	    collectord_batch_cb, cd);
	cd->ev_stats = event_new(cd->base, -1, EV_PERSIST,
	    collectord_stats_cb, cd);
	cd->ev_sigterm = evsignal_new(cd->base, SIGTERM,
	    collectord_signal_cb, cd);
	cd->ev_sigint = evsignal_new(cd->base, SIGINT, collectord_signal_cb,
	    cd);
	cd->ev_outbox = event_new(cd->base, -1, 0, collectord_outbox_cb, cd);
	if (cd->ev_outbox == NULL ||
	    event_add(cd->ev_outbox, &(struct timeval){ 0, 100000 }) != 0)
		fatalx("setting up the alert scheduler");
	collectord_peer_arm(cd);
	if (cd->ev_batch == NULL || cd->ev_stats == NULL ||
	    cd->ev_sigterm == NULL || cd->ev_sigint == NULL ||
	    event_add(cd->ev_batch, &cd->batch_tv) != 0 ||
	    event_add(cd->ev_stats, &(struct timeval){ STATS_INTERVAL_S, 0 }) ||
	    event_add(cd->ev_sigterm, NULL) != 0 ||
	    event_add(cd->ev_sigint, NULL) != 0 ||
	    peer_attach(cd->parent, cd->base) != 0)
		fatalx("setting up events");
	signal(SIGPIPE, SIG_IGN);
	/* SIGUSR1 is loaderd's (reopen events.jsonl): a signal sent to the
	 * whole service must not end the collector */
	signal(SIGUSR1, SIG_IGN);
	if (ringbuf_attach(cd->rb, cd->base, RINGBUF_BATCH, RINGBUF_POLL_MS,
	    collectord_record, cd) != 0)
		fatalx("ring buffer event");
	ringbuf_set_prepare(cd->rb, collectord_ring_prepare,
	    collectord_ring_after, cd);
	if (ringbuf_set_nap(cd->rb, cd->base, RINGBUF_NAP_MS) != 0)
		fatalx("ring buffer nap timer");
	if (ringbuf_timer_only(cd->rb))
		log_warnx("ring buffer fd is not pollable: reading it every"
		    " %d ms", RINGBUF_POLL_MS);
}

/*
 * The trees whose files the collector may read (stack trace symbols: a
 * process's executable may be anywhere): every directory at / but /proc,
 * /sys and /dev, which hold nothing to symbolise.  files: NULL-terminated
 * absolute paths (to free), at most max - 1.
 */
static void
collectord_read_roots(char **files, size_t *n, size_t max)
{
	struct dirent	*de;
	DIR		*d;

	*n = 0;
	if ((d = opendir("/")) != NULL) {
		while ((de = readdir(d)) != NULL && *n + 1 < max) {
			if (de->d_name[0] == '.' ||
			    strcmp(de->d_name, "proc") == 0 ||
			    strcmp(de->d_name, "sys") == 0 ||
			    strcmp(de->d_name, "dev") == 0)
				continue;
			if (de->d_type != DT_DIR && de->d_type != DT_LNK &&
			    de->d_type != DT_UNKNOWN)
				continue;
			xasprintf(&files[(*n)++], "/%s", de->d_name);
		}
		closedir(d);
	}
	files[*n] = NULL;
}

/* Step (7): the sandbox: on the filesystem only reading, for the
 * symbols of stack traces (files anywhere: a process's executable;
 * directory listings in the library directories), no system calls but
 * the allowlist. */
static void
collectord_sandbox(enum sandbox_mode mode)
{
	static const char *const libdirs[] = {
		"/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib",
		NULL,
	};
	char	*files[64];
	size_t	 n = 0, i;
	int	 r;

	if (mode != SANDBOX_OFF) {
		collectord_read_roots(files, &n, 64);
		r = sandbox_landlock_files(libdirs, NULL,
		    (const char *const *)files);
		for (i = 0; i < n; i++)
			free(files[i]);
		if (r == ERR_UNSUPP)
			log_info("Landlock not available; relying on seccomp");
		else if (r != 0)
			fatal("landlock");
	}
	if (sandbox_seccomp(collector_rules, collector_nrules, mode) != 0)
		fatal("seccomp (%s)", sandbox_mode_name(mode));
}

/* Step (8): untrusted input from here on: /proc contents, the DB. */
static void
collectord_restore(struct collectord *cd, struct procfs_snap *snap,
    long clk_tck, const char *node, enum sandbox_mode mode)
{
	struct proc	*procs = NULL;
	size_t		 nprocs = 0, bad;
	int		 r;

	cd->env.now_boot_ns = boot_now();
	if (snap != NULL) {
		procs = procfs_parse(snap, clk_tck, node,
		    &nprocs, &bad);
		if (bad > 0)
			log_debug("%zu /proc entries unparsable", bad);
		procfs_snap_free(snap);
	}
	if ((r = pipeline_startup(&cd->env, procs, nprocs)) != 0)
		log_warnx_r(r, "restoring process cache");
	procfs_procs_free(procs, nprocs);
	if (cd->env.ex != NULL)
		export_flush(cd->env.ex);
	log_info("ready: %llu processes restored from the DB, %llu from"
	    " /proc, %llu stale; sandbox %s", (unsigned long long)
	    cd->env.restored, (unsigned long long)cd->env.procfs,
	    (unsigned long long)cd->env.stale, sandbox_mode_name(mode));
}

int
main(int argc, char *argv[])
{
	struct collectord	 cd;
	struct collectord_opts	 o;
	struct procfs_snap	*snap = NULL;
	struct ipc_ready	 ready;
	int			 r, root;
	int64_t			 off;
	uid_t			 uid;
	gid_t			 gid;
	long			 clk_tck = sysconf(_SC_CLK_TCK);

	collectord_parse_opts(&o, argc, argv);
	store_lib_init();
	log_init(o.debug || o.dump, o.verbose);
	log_procinit("collectord");
	if (o.dump) {
		if (sandbox_seccomp_dump(collector_rules, collector_nrules,
		    o.mode, STDOUT_FILENO) != 0)
			fatal("seccomp dump");
		return 0;
	}
	if (o.statedir == NULL || o.user == NULL || o.node == NULL)
		usage(1);
	if (strlen(o.node) > PCACHE_NODE_MAX)
		fatalx("node name longer than %d bytes", PCACHE_NODE_MAX);
	if (prctl(PR_SET_NAME, "collectord", 0, 0, 0) == -1)
		log_warn("prctl(PR_SET_NAME)");

	/* fds: 3 = loaderd (root, or ourselves in unprivileged test runs) */
	root = geteuid() == 0;
	if (ipc_check_fd(IPC_FD_PARENT, root ? 0 : (long)geteuid()) != 0)
		fatalx("fd %d is not the parent channel", IPC_FD_PARENT);
	if (ipc_check_fd(IPC_FD_PEER, -1) != 0)
		fatalx("fd %d is not the peer channel", IPC_FD_PEER);
	if (fcntl(IPC_FD_PARENT, F_SETFL, fcntl(IPC_FD_PARENT, F_GETFL) |
	    O_NONBLOCK) == -1)
		fatal("fcntl fd %d", IPC_FD_PARENT);

	if (root) {
		if (sandbox_lookup_user(o.user, &uid, &gid) != 0)
			fatalx("unknown user %s", o.user);
	} else {
		uid = geteuid();
		gid = getegid();
	}
	memset(&cd, 0, sizeof(cd));
	cd.json_fd = -1;
	cd.parent = peer_new(IPC_FD_PARENT, &collectord_start_proto, &cd);
	off = boot_offset();

	/* (1) /proc raw bytes, with privileges, nothing parsed */
	if (procfs_read(&snap, "/proc") != 0)
		log_warn("reading /proc: no process discovery");
	/* (2) the store's files (created or validated) and the export */
	collectord_prepare_files(&cd, &o, root, uid, gid);
	/* (3) the ring buffer (and what loaderd sends before it) */
	cd.env.hooks = hooktab_new();
	collectord_get_ringbuf(&cd);
	/* (4) the collector's user: no SQLite before this */
	if (sandbox_drop_privs(uid, gid) != 0)
		fatal("dropping privileges to %s", o.user);
	/* (5) the store, as the collector; where the ring was left */
	collectord_open_db(&cd, &o, off);
	collectord_ring_resume(&cd);
	collectord_pipeline_new(&cd, &o, off);
	/* (6) the event loop */
	collectord_events(&cd, o.batch_ms);
	collectord_fwd_new(&cd, &o);
	/* (7) the sandbox */
	collectord_sandbox(o.mode);
	/* (8) untrusted input */
	collectord_restore(&cd, snap, clk_tck, o.node, o.mode);

	ready.pid = (uint32_t)getpid();
	ready.uid = (uint32_t)uid;
	if ((r = peer_send_now(cd.parent, IPC_COLLECT_READY, &ready,
	    -1)) != 0)
		fatalx_r(r, "sending ready");

	event_base_dispatch(cd.base);
	collectord_shutdown(&cd, cd.parent_eof ? "parent closed the channel" :
	    "event loop ended");
}
