/* collectord/decode.c -- validate and decode one ring buffer record. */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "err.h"
#include "policy.h"

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

#define EVG_F_KNOWN	(EVG_F_RETURN | EVG_F_MONITOR | EVG_F_PARENT_MISS | \
	EVG_F_SELF_MISS | EVG_F_SOCK_OWNER | EVG_F_LATE)
#define EVA_KNOWN	(EVA_TRUNC | EVA_ERROR | EVA_RETVAL | EVA_FAULT)
/* bits 1 << POL_ACT_POST .. 1 << (POL_ACT_MAX_ - 1) */
#define DEC_ACT_MASK	(((1U << POL_ACT_MAX_) - 1) & ~1U)
#define DEC_SEL_NONE	0xff

/* The type classes are bpf/abi.h's table. */
int
decode_arg_is_int(uint8_t t)
{
	return abi_arg_is(t, ABI_AC_INT);
}

/* Types whose payload is a string (no NUL). */
static int
decode_arg_is_str(uint8_t t)
{
	return abi_arg_has(t, ABI_AF_TEXT);
}

/* Kernel-object structs (bpf/events.h ev_cred ... ev_skb): passed through,
 * their layout is checked per argument when rendered (objargs_check). */
static int
decode_arg_is_obj(uint8_t t)
{
	return abi_arg_is(t, ABI_AC_OBJ) && !abi_arg_has(t, ABI_AF_TEXT);
}

static int
decode_arg_is_buf(uint8_t t)
{
	return abi_arg_is(t, ABI_AC_BUF);
}

int
decode_arg_type_known(uint8_t t)
{
	return abi_arg_in(t, ABI_ARG_SET_ALL);
}

int
decode_arg_payload(uint8_t t)
{
	if (decode_arg_is_int(t))
		return DEC_PAY_INT;
	if (decode_arg_is_str(t) || decode_arg_is_buf(t))
		return DEC_PAY_BYTES;
	if (t == POL_ARG_SOCKADDR)
		return DEC_PAY_SOCKADDR;
	if (decode_arg_is_obj(t))
		return DEC_PAY_OBJ;
	return DEC_PAY_NONE;
}

/* Check one argument's payload against its type; fill a. */
static const char *
decode_arg(const struct ev_arg *h, const uint8_t *data, struct dec_arg *a)
{
	size_t	 n = h->len;
	int	 trunc = (h->flags & EVA_TRUNC) != 0;

	memset(a, 0, sizeof(*a));
	if (!decode_arg_type_known(h->type))
		return "generic arg of unknown type";
	if ((h->flags & ~EVA_KNOWN) != 0 ||
	    (h->flags & (EVA_FAULT | EVA_ERROR)) == EVA_FAULT)
		return "generic arg unknown flags";
	a->type = h->type;
	a->flags = h->flags;
	a->aux = h->aux;
	a->data = data;
	a->len = n;
	if (h->flags & EVA_ERROR) {
		if (n != 0 || trunc)
			return "generic error arg with data";
		return NULL;
	}
	if (decode_arg_payload(h->type) == DEC_PAY_NONE) {
		/* nop; other types are only ever sent as read errors */
		if (h->type != POL_ARG_NOP)
			return "generic arg of a type without payload";
		if (n != 0 || trunc)
			return "generic nop arg with data";
		return NULL;
	}
	if (decode_arg_is_int(h->type)) {
		if (n != sizeof(uint64_t) || trunc)
			return "generic integer arg size";
		/* little-endian, as every BPF target tripline runs on */
		memcpy(&a->num, data, sizeof(a->num));
		return NULL;
	}
	if (h->type == POL_ARG_SOCKADDR) {
		if (n != sizeof(struct ev_sockaddr) || trunc)
			return "generic sockaddr arg size";
		return NULL;
	}
	if (n > HOOK_ARG_DATA_MAX)
		return "generic arg over HOOK_ARG_DATA_MAX";
	if (decode_arg_is_obj(h->type))
		return NULL;	/* size and contents: objargs_check */
	if (decode_arg_is_buf(h->type)) {
		if (trunc && h->aux < n)
			return "generic truncated buffer smaller than data";
		return NULL;
	}
	/* strings: trailing NULs are cut, an embedded NUL is malformed */
	while (n > 0 && data[n - 1] == '\0')
		n--;
	if (memchr(data, '\0', n) != NULL)
		return "generic string arg has NUL";
	a->len = n;
	return NULL;
}

/*
 * The stack area: at sizeof(g) + round8(args_len), stack_len bytes that
 * end the record, counts within the limits and filling it exactly.
 */
static int
decode_stack(const uint8_t *rec, size_t len, const struct ev_generic *g,
    struct dec_event *ev)
{
	struct ev_stack	 st;
	size_t		 off, need;

	off = sizeof(*g) + (((size_t)g->args_len + 7) & ~(size_t)7);
	if (len < sizeof(*g) || g->args_len > len - sizeof(*g) ||
	    off > len || len - off != g->stack_len ||
	    g->stack_len < sizeof(st))
		return decode_fail(ev, "generic stack_len != record size");
	memcpy(&st, rec + off, sizeof(st));
	if (st.nkern > EV_STACK_KMAX || st.nuser > EV_STACK_UMAX ||
	    st.nbid > EV_STACK_UMAX)
		return decode_fail(ev, "generic stack frames over limit");
	if ((st.flags & ~(EVS_F_KERNEL | EVS_F_USER)) != 0 ||
	    st.flags == 0 || st.pad != 0)
		return decode_fail(ev, "generic stack flags");
	if ((!(st.flags & EVS_F_KERNEL) && st.nkern != 0) ||
	    (!(st.flags & EVS_F_USER) && (st.nuser != 0 || st.nbid != 0)))
		return decode_fail(ev, "generic stack frames not asked for");
	need = sizeof(st) + 8 * ((size_t)st.nkern + st.nuser) +
	    sizeof(struct ev_stack_bid) * (size_t)st.nbid;
	if (need != g->stack_len)
		return decode_fail(ev, "generic stack_len != frames");
	ev->has_stack = 1;
	ev->stk_flags = st.flags;
	ev->nkern = st.nkern;
	ev->nuser = st.nuser;
	ev->nbid = st.nbid;
	off += sizeof(st);
	ev->kips = rec + off;
	off += 8 * (size_t)st.nkern;
	ev->uips = rec + off;
	off += 8 * (size_t)st.nuser;
	ev->bids = rec + off;
	return 0;
}

static int
decode_generic(const uint8_t *rec, size_t len, struct dec_event *ev)
{
	struct ev_generic	 g;
	struct ev_arg		 ah;
	struct dec_arg		 a;
	const uint8_t		*area;
	const char		*why;
	size_t			 off, end, i;
	int			 r;

	if (len < sizeof(g))
		return decode_fail(ev, "generic record too short");
	memcpy(&g, rec, sizeof(g));
	if (g.stack_len != 0) {
		if ((r = decode_stack(rec, len, &g, ev)) != 0)
			return r;
		len = sizeof(g) + g.args_len;
	} else if ((size_t)g.args_len != len - sizeof(g))
		return decode_fail(ev, "generic args_len != record size");
	if ((g.flags & ~EVG_F_KNOWN) != 0)
		return decode_fail(ev, "generic unknown flags");
	if (g.nargs > DEC_ARGS_MAX)
		return decode_fail(ev, "generic nargs over limit");
	if (g.sel != DEC_SEL_NONE && g.sel >= HOOK_SEL_MAX)
		return decode_fail(ev, "generic selector index");
	if ((g.actions & ~DEC_ACT_MASK) != 0 ||
	    (g.would & ~DEC_ACT_MASK) != 0)
		return decode_fail(ev, "generic unknown action bits");
	if (g.would != 0 && !(g.flags & EVG_F_MONITOR))
		return decode_fail(ev, "generic suppressed actions without"
		    " monitor mode");
	ev->pid = g.key.pid;
	ev->ktime = g.key.ktime;
	ev->ppid_key = g.parent.pid;
	ev->pktime = g.parent.ktime;
	ev->ppid = g.parent.pid;
	ev->tid = g.tid;
	ev->hook_id = g.hook_id;
	ev->gen = g.gen;
	ev->sel = g.sel;
	ev->gflags = g.flags;
	ev->actions = g.actions;
	ev->would = g.would;
	ev->ret = g.ret;

	area = rec + sizeof(g);
	off = end = 0;
	for (i = 0; i < g.nargs; i++) {
		/* off is 8-aligned: 0, or rounded up below */
		if (off > g.args_len || g.args_len - off < sizeof(ah))
			return decode_fail(ev, "generic arg header past end");
		memcpy(&ah, area + off, sizeof(ah));
		off += sizeof(ah);
		if (ah.len > g.args_len - off)
			return decode_fail(ev, "generic arg data past end");
		if ((why = decode_arg(&ah, area + off, &a)) != NULL)
			return decode_fail(ev, why);
		off += ah.len;
		end = off;
		off = (off + 7) & ~(size_t)7;
		if (a.flags & EVA_RETVAL) {
			if (!(g.flags & EVG_F_RETURN))
				return decode_fail(ev, "generic return arg"
				    " without EVG_F_RETURN");
			if (ev->has_retarg)
				return decode_fail(ev, "generic two return"
				    " args");
			ev->has_retarg = 1;
			ev->retarg = a;
			continue;
		}
		if (ev->ngargs >= HOOK_ARGS_MAX)
			return decode_fail(ev, "generic too many args");
		ev->gargs[ev->ngargs++] = a;
	}
	/* the last argument's padding may or may not be counted */
	if (g.args_len != end && g.args_len != ((end + 7) & ~(size_t)7))
		return decode_fail(ev, "generic args_len != arguments");
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
	case EV_GENERIC:
		return decode_generic(rec, len, ev);
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
