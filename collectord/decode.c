/* collectord/decode.c -- validate and decode one ring buffer record. */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "err.h"

#define EVF_KNOWN	(EVF_TRUNC_FILENAME | EVF_TRUNC_ARGS | EVF_TRUNC_CWD | \
	EVF_ERR_FILENAME | EVF_ERR_ARGS | EVF_ERR_CWD | EVF_ROOTCWD | \
	EVF_PARENT_MISS | EVF_SELF_MISS)
#define DEC_MAX_SIGNAL	64	/* SIGRTMAX on Linux */

static int
decode_fail(struct dec_event *ev, const char *why)
{
	ev->why = why;
	return ERR_PARSE;
}

/* Paths must not contain NUL: a NUL-terminated producer's trailing NULs are
 * tolerated and cut, an embedded NUL is malformed. */
static int
decode_path(const char *p, size_t *len)
{
	size_t	 n = *len;

	while (n > 0 && p[n - 1] == '\0')
		n--;
	if (memchr(p, '\0', n) != NULL)
		return -1;
	*len = n;
	return 0;
}

static int
decode_exec(const uint8_t *rec, size_t len, struct dec_event *ev)
{
	struct ev_exec	 e;
	size_t		 need;
	const char	*p;

	if (len < sizeof(e))
		return decode_fail(ev, "exec record too short");
	memcpy(&e, rec, sizeof(e));
	if (e.filename_len > EV_PATH_MAX)
		return decode_fail(ev, "exec filename_len over limit");
	if (e.args_len > EV_ARGS_MAX)
		return decode_fail(ev, "exec args_len over limit");
	if (e.cwd_len > EV_PATH_MAX)
		return decode_fail(ev, "exec cwd_len over limit");
	need = sizeof(e) + (size_t)e.filename_len + e.args_len + e.cwd_len;
	if (need != len)
		return decode_fail(ev, "exec payload lengths != record size");
	if (e.key.pid == 0)
		return decode_fail(ev, "exec pid 0");
	if ((e.flags & ~EVF_KNOWN) != 0)
		return decode_fail(ev, "exec unknown flags");

	ev->pid = e.key.pid;
	ev->ktime = e.key.ktime;
	ev->ppid_key = e.parent.pid;
	ev->pktime = e.parent.ktime;
	ev->tid = e.tid;
	ev->ppid = e.ppid;
	ev->uid = e.uid;
	ev->euid = e.euid;
	ev->gid = e.gid;
	ev->egid = e.egid;
	ev->auid = e.auid;
	ev->flags = e.flags;

	p = (const char *)rec + sizeof(e);
	ev->filename = p;
	ev->filename_len = e.filename_len;
	p += e.filename_len;
	ev->args = p;
	ev->args_len = e.args_len;
	p += e.args_len;
	ev->cwd = p;
	ev->cwd_len = e.cwd_len;
	if (decode_path(ev->filename, &ev->filename_len) != 0)
		return decode_fail(ev, "exec filename has NUL");
	if (decode_path(ev->cwd, &ev->cwd_len) != 0)
		return decode_fail(ev, "exec cwd has NUL");
	return 0;
}

static int
decode_fork(const uint8_t *rec, size_t len, struct dec_event *ev)
{
	struct ev_fork	 f;

	if (len != sizeof(f))
		return decode_fail(ev, "fork record size");
	memcpy(&f, rec, sizeof(f));
	if (f.key.pid == 0)
		return decode_fail(ev, "fork pid 0");
	ev->pid = f.key.pid;
	ev->ktime = f.key.ktime;
	ev->ppid_key = f.parent.pid;
	ev->pktime = f.parent.ktime;
	ev->tid = f.tid;
	ev->ppid = f.ppid;
	return 0;
}

static int
decode_exit(const uint8_t *rec, size_t len, struct dec_event *ev)
{
	struct ev_exit	 x;

	if (len != sizeof(x))
		return decode_fail(ev, "exit record size");
	memcpy(&x, rec, sizeof(x));
	if (x.key.pid == 0)
		return decode_fail(ev, "exit pid 0");
	if (x.code > 255)
		return decode_fail(ev, "exit code out of range");
	if (x.signal > DEC_MAX_SIGNAL)
		return decode_fail(ev, "exit signal out of range");
	if ((x.flags & ~EVF_KNOWN) != 0)
		return decode_fail(ev, "exit unknown flags");
	ev->pid = x.key.pid;
	ev->ktime = x.key.ktime;
	ev->tid = x.tid;
	ev->ppid = x.ppid;
	ev->code = x.code;
	ev->signal = x.signal;
	ev->flags = x.flags;
	return 0;
}

int
decode_record(const void *rec, size_t len, struct dec_event *ev)
{
	struct ev_hdr	 h;

	memset(ev, 0, sizeof(*ev));
	if (rec == NULL || len < sizeof(h))
		return decode_fail(ev, "record shorter than header");
	memcpy(&h, rec, sizeof(h));
	if (h.version != EV_ABI_VERSION)
		return decode_fail(ev, "unknown ABI version");
	if (h.size != len)
		return decode_fail(ev, "header size != record length");
	ev->type = h.type;
	ev->time_ns = h.time_ns;
	switch (h.type) {
	case EV_EXEC:
		return decode_exec(rec, len, ev);
	case EV_FORK:
		return decode_fork(rec, len, ev);
	case EV_EXIT:
		return decode_exit(rec, len, ev);
	default:
		return decode_fail(ev, "unknown record type");
	}
}

const char *
decode_signame(uint32_t sig, char *dst, size_t dstsz)
{
	static const char *const names[] = {
		NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP",
		"SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV",
		"SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
		"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
		"SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM",
		"SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
	};

	if (dstsz == 0)
		return dst;
	if (sig == 0)
		dst[0] = '\0';
	else if (sig < sizeof(names) / sizeof(*names))
		snprintf(dst, dstsz, "%s", names[sig]);
	else if (sig == 32 || sig == 33)
		snprintf(dst, dstsz, "SIG%u", sig);	/* glibc-internal */
	else if (sig == 34)
		snprintf(dst, dstsz, "SIGRTMIN");
	else if (sig == 64)
		snprintf(dst, dstsz, "SIGRTMAX");
	else
		snprintf(dst, dstsz, "SIGRTMIN+%u", sig - 34);
	return dst;
}
