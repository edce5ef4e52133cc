/* collectord/export.c -- JSON lines export and compact one-line output. */
#include "build.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "err.h"
#include "export.h"
#include "generic.h"
#include "ipc_msg.h"
#include "jsonw.h"
#include "policy.h"
#include "log.h"
#include "pcache.h"
#include "str.h"
#include "xmalloc.h"

struct export {
	int			 json_fd;
	int			 compact_fd;
	char			*node;
	int64_t			 boot_off;
	struct sbuf		 json;
	struct sbuf		 compact;
	uint64_t		 pending_lines;
	uint64_t		 size;		/* events.jsonl after the last
						   write */
	struct export_stats	 stats;
};

struct export *
export_new(int json_fd, int compact_fd, const char *node_name,
    int64_t boot_to_unix_ns)
{
	struct export	*ex;

	ex = xcalloc(1, sizeof(*ex));
	ex->json_fd = json_fd;
	ex->compact_fd = compact_fd;
	ex->node = xstrdup(node_name);
	ex->boot_off = boot_to_unix_ns;
	sbuf_init(&ex->json);
	sbuf_init(&ex->compact);
	return ex;
}

void
export_free(struct export *ex)
{
	if (ex == NULL)
		return;
	export_flush(ex);
	sbuf_clear(&ex->json);
	sbuf_clear(&ex->compact);
	free(ex->node);
	free(ex);
}

static int
export_write_all(int fd, const char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ERR_SYS;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The buffered lines in one write() (more only after a short write).  A
 * write that fails leaves the file at its last complete line: the file is
 * cut back to it, and the lines not written whole are counted as lost.
 */
static int
export_write_lines(struct export *ex)
{
	struct stat	 sb;
	const char	*p = ex->json.buf, *nl;
	size_t		 len = ex->json.len, done = 0, whole;
	uint64_t	 kept = 0;
	ssize_t		 n;
	int		 saved;

	if (fstat(ex->json_fd, &sb) == -1)
		sb.st_size = -1;
	while (done < len) {
		if ((n = write(ex->json_fd, p + done, len - done)) < 0 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done == len) {
		ex->stats.lines += ex->pending_lines;
		ex->size = (uint64_t)(sb.st_size >= 0 ? sb.st_size : 0) + len;
		return 0;
	}
	saved = errno;
	for (whole = done; whole > 0 && p[whole - 1] != '\n'; whole--)
		;
	for (nl = p; (nl = memchr(nl, '\n', (size_t)(p + whole - nl))) !=
	    NULL; nl++)
		kept++;
	if (whole < done && (sb.st_size < 0 || ftruncate(ex->json_fd,
	    sb.st_size + (off_t)whole) == -1))
		log_warn("export: cannot cut events.jsonl back to its last"
		    " whole line");
	ex->stats.lines += kept;
	ex->stats.errors += ex->pending_lines - kept;
	errno = saved;
	log_warn("export: write events.jsonl: %llu lines lost",
	    (unsigned long long)(ex->pending_lines - kept));
	return ERR_SYS;
}

int
export_flush(struct export *ex)
{
	int	 r = 0;

	if (ex->json.len > 0) {
		r = export_write_lines(ex);
		sbuf_reset(&ex->json);
		ex->pending_lines = 0;
	}
	if (ex->compact.len > 0) {
		if (export_write_all(ex->compact_fd, ex->compact.buf,
		    ex->compact.len) != 0)
			r = ERR_SYS;
		sbuf_reset(&ex->compact);
	}
	return r;
}

void
export_discard(struct export *ex)
{
	sbuf_reset(&ex->json);
	sbuf_reset(&ex->compact);
	ex->pending_lines = 0;
}

size_t
export_buffered(const struct export *ex)
{
	return ex->json.len + ex->compact.len;
}

const struct export_stats *
export_stats(const struct export *ex)
{
	return &ex->stats;
}

uint64_t
export_size(const struct export *ex)
{
	return ex->size;
}

void
export_set_json_fd(struct export *ex, int fd)
{
	ex->json_fd = fd;
	ex->size = 0;
}

static void
export_time(int64_t boot_off, uint64_t boot_ns, char *dst, size_t sz)
{
	str_iso_time(dst, sz, (uint64_t)((int64_t)boot_ns + boot_off));
}

/* One Tetragon Process object (refcnt as given). */
static void
export_process(struct jsonw *w, const struct proc *p, const char *start_time)
{
	char	 flags[256];

	/* protojson omits empty strings; pid, uid, auid, tid are wrapper
	 * types: present even when 0 */
	jw_obj(w);
	jw_kstr_opt(w, "exec_id", p->exec_id);
	jw_kuint(w, "pid", p->pid);
	jw_kuint(w, "uid", p->euid);
	jw_kstr_opt(w, "cwd", p->cwd);
	jw_kstr_opt(w, "binary", p->binary);
	jw_kstr_opt(w, "arguments", p->args);
	jw_kstr_opt(w, "flags", pcache_flags_str(p->flags, flags,
	    sizeof(flags)));
	jw_kstr_opt(w, "start_time", start_time);
	jw_kuint(w, "auid", p->auid);
	jw_kstr_opt(w, "parent_exec_id", p->parent_exec_id);
	if (p->refcnt > 0)
		jw_kuint(w, "refcnt", (uint32_t)p->refcnt);
	jw_kuint(w, "tid", p->tid);
	jw_end(w);
}

/* {"<type>":{"process":{...},"parent":{...} -- the event's own members
 * follow, then export_close(). */
static void
export_open(struct jsonw *w, struct sbuf *sb, int64_t boot_off,
    const char *type, const struct proc *p, const struct proc *parent)
{
	char	 t[40];

	jw_init(w, sb);
	jw_obj(w);
	jw_kobj(w, type);
	export_time(boot_off, p->ktime, t, sizeof(t));
	jw_key(w, "process");
	export_process(w, p, t);
	if (parent != NULL) {
		export_time(boot_off, parent->ktime, t, sizeof(t));
		jw_key(w, "parent");
		export_process(w, parent, t);
	}
}

/* },"node_name":"...","time":"..."} */
static void
export_close(struct jsonw *w, const char *node, const char *t)
{
	jw_end(w);
	jw_kstr(w, "node_name", node);
	jw_kstr(w, "time", t);
	jw_end(w);
}

void
export_fmt_exec(struct export *ex, struct sbuf *sb, const struct proc *p,
    const struct proc *parent)
{
	struct jsonw	 w;
	char		 t[40];

	export_time(ex->boot_off, p->ktime, t, sizeof(t));
	export_open(&w, sb, ex->boot_off, "process_exec", p, parent);
	export_close(&w, ex->node, t);
}

void
export_fmt_exit(struct export *ex, struct sbuf *sb, const struct proc *p,
    const struct proc *parent, uint64_t time_ns, uint32_t code,
    uint32_t signal)
{
	struct jsonw	 w;
	char		 t[40], sig[DEC_SIGNAME_MAX];

	export_time(ex->boot_off, time_ns, t, sizeof(t));
	export_open(&w, sb, ex->boot_off, "process_exit", p, parent);
	if (signal != 0)
		jw_kstr(&w, "signal", decode_signame(signal, sig,
		    sizeof(sig)));
	if (code != 0)
		jw_kuint(&w, "status", code);
	jw_kstr(&w, "time", t);
	export_close(&w, ex->node, t);
}

/* The compact form (-p) goes to a terminal: every non-ASCII byte and
 * control character escaped (str_escape). */
static void
export_esc(struct sbuf *sb, const char *s)
{
	sbuf_add_esc(sb, s, strlen(s));
}

static void
export_compact_cmd(struct sbuf *sb, const struct proc *p)
{
	export_esc(sb, p->binary[0] != '\0' ? p->binary : "?");
	if (p->args[0] != '\0') {
		sbuf_addc(sb, ' ');
		export_esc(sb, p->args);
	}
}

void
export_compact_exec(struct sbuf *sb, const struct proc *p,
    const struct proc *parent)
{
	sbuf_addf(sb, "exec %u ", p->pid);
	export_compact_cmd(sb, p);
	if (p->cwd[0] != '\0') {
		sbuf_adds(sb, "  cwd=");
		export_esc(sb, p->cwd);
	}
	if (parent != NULL) {
		sbuf_addf(sb, "  parent=%u ", parent->pid);
		export_compact_cmd(sb, parent);
	} else if (p->ppid != 0)
		sbuf_addf(sb, "  parent=%u", p->ppid);
}

void
export_compact_exit(struct sbuf *sb, const struct proc *p, uint32_t code,
    uint32_t signal)
{
	char	 sig[DEC_SIGNAME_MAX];

	sbuf_addf(sb, "exit %u ", p->pid);
	export_compact_cmd(sb, p);
	if (signal != 0)
		sbuf_addf(sb, "  signal=%s",
		    decode_signame(signal, sig, sizeof(sig)));
	else
		sbuf_addf(sb, "  status=%u", code);
}

/* Lines wait for their batch's commit (export_flush), however many. */
static void
export_line_done(struct export *ex)
{
}

void
export_exec(struct export *ex, const struct proc *p,
    const struct proc *parent)
{
	if (ex->json_fd >= 0) {
		export_fmt_exec(ex, &ex->json, p, parent);
		sbuf_addc(&ex->json, '\n');
		ex->pending_lines++;
	}
	if (ex->compact_fd >= 0) {
		export_compact_exec(&ex->compact, p, parent);
		sbuf_addc(&ex->compact, '\n');
	}
	export_line_done(ex);
}

void
export_exit(struct export *ex, const struct proc *p,
    const struct proc *parent, uint64_t time_ns, uint32_t code,
    uint32_t signal)
{
	if (ex->json_fd >= 0) {
		export_fmt_exit(ex, &ex->json, p, parent, time_ns, code,
		    signal);
		sbuf_addc(&ex->json, '\n');
		ex->pending_lines++;
	}
	if (ex->compact_fd >= 0) {
		export_compact_exit(&ex->compact, p, code, signal);
		sbuf_addc(&ex->compact, '\n');
	}
	export_line_done(ex);
}

/* The event's own members of a policy hit, in Tetragon's field order. */
static void
export_hit_members(struct jsonw *w, const struct gen_render *r)
{
	const struct ipc_hook *h = r->hook;
	uint32_t	 kind = h != NULL ? h->kind : POL_HOOK_KPROBE;
	const char	*args = r->nshown > 0 ? generic_str(&r->args) : NULL;

	switch (kind) {
	case POL_HOOK_TRACEPOINT:
	case POL_HOOK_RAW_TRACEPOINT:
		jw_kstr_opt(w, "subsys", h->subsys);
		jw_kstr_opt(w, "event", h->event);
		if (args != NULL)
			jw_kraw(w, "args", args);
		jw_kstr_opt(w, "policy_name", r->policy);
		jw_kstr_opt(w, "action", r->action);
		jw_kstr_opt(w, "message", r->message);
		if (r->tags != NULL)
			jw_kraw(w, "tags", r->tags);
		break;
	case POL_HOOK_UPROBE:
		jw_kstr_opt(w, "path", h->path);
		jw_kstr_opt(w, "symbol", h->function);
		jw_kstr_opt(w, "policy_name", r->policy);
		jw_kstr_opt(w, "message", r->message);
		if (args != NULL)
			jw_kraw(w, "args", args);
		if (r->ret.len > 0)
			jw_kraw(w, "return", generic_str(&r->ret));
		if (r->tags != NULL)
			jw_kraw(w, "tags", r->tags);
		jw_kstr_opt(w, "action", r->action);
		break;
	case POL_HOOK_LSM:
		jw_kstr_opt(w, "function_name", generic_str(&r->function));
		jw_kstr_opt(w, "policy_name", r->policy);
		jw_kstr_opt(w, "message", r->message);
		if (args != NULL)
			jw_kraw(w, "args", args);
		jw_kstr_opt(w, "action", r->action);
		if (r->tags != NULL)
			jw_kraw(w, "tags", r->tags);
		break;
	default:	/* kprobe, and records of an unknown hook */
		jw_kstr_opt(w, "function_name", generic_str(&r->function));
		if (args != NULL)
			jw_kraw(w, "args", args);
		if (r->ret.len > 0)
			jw_kraw(w, "return", generic_str(&r->ret));
		jw_kstr_opt(w, "action", r->action);
		jw_kstr_opt(w, "policy_name", r->policy);
		jw_kstr_opt(w, "message", r->message);
		if (r->tags != NULL)
			jw_kraw(w, "tags", r->tags);
		break;
	}
	/* tripline's own: decided at syscall exit (docs/schema.md) */
	if (r->late)
		jw_kbool(w, "late", 1);
}

static void
export_hit_json(struct sbuf *sb, const char *node, int64_t boot_off,
    const char *t, const struct gen_render *r, const struct proc *p,
    const struct proc *parent)
{
	struct jsonw	 w;

	export_open(&w, sb, boot_off, r->type, p, parent);
	export_hit_members(&w, r);
	export_close(&w, node, t);
}

/*
 * The hook's arguments on one line into args ("A B = R"); with line !=
 * NULL the same values also go to the -p line, each after a space.
 */
static void
export_hit_args(struct sbuf *args, struct sbuf *line,
    const struct gen_render *r, const struct dec_event *ev)
{
	size_t	 i, from;

	for (i = 0; i < ev->ngargs; i++) {
		if (ev->gargs[i].type == POL_ARG_NOP &&
		    !(ev->gargs[i].flags & EVA_ERROR))
			continue;
		if (args->len > 0)
			sbuf_addc(args, ' ');
		from = args->len;
		generic_arg_compact(args, &ev->gargs[i]);
		if (line != NULL) {
			sbuf_addc(line, ' ');
			sbuf_add(line, args->buf + from, args->len - from);
		}
	}
	from = args->len;
	if (ev->has_retarg) {
		sbuf_adds(args, " = ");
		generic_arg_compact(args, &ev->retarg);
	} else if (r->ret.len > 0)
		sbuf_addf(args, " = %lld", (long long)ev->ret);
	/* args->buf is NULL while nothing was ever added */
	if (line != NULL && args->len > from)
		sbuf_add(line, args->buf + from, args->len - from);
}

static const char *
export_short_action(const char *act)
{
	if (act != NULL && strncmp(act, "KPROBE_ACTION_", 14) == 0)
		act += 14;
	return act;
}

/* The -p line into sb; args gets the arguments (export_hit_args). */
static void
export_hit_compact(struct sbuf *sb, struct sbuf *args,
    const struct gen_render *r, const struct dec_event *ev,
    const struct proc *p)
{
	const char	*act;
	size_t		 i;

	sbuf_addf(sb, "%s %u ", r->kind, p->pid);
	export_esc(sb, p->binary[0] != '\0' ? p->binary : "?");
	sbuf_addc(sb, ' ');
	export_esc(sb, generic_str(&r->function));
	export_hit_args(args, sb, r, ev);
	if (r->policy != NULL) {
		sbuf_adds(sb, " policy=");
		export_esc(sb, r->policy);
	}
	sbuf_adds(sb, " action=");
	sbuf_adds(sb, export_short_action(r->action));
	if (ev->would != 0) {
		sbuf_adds(sb, " would=");
		for (i = POL_ACT_POST; i < POL_ACT_MAX_; i++) {
			if (!(ev->would & (1U << i)))
				continue;
			act = export_short_action(generic_action_name(
			    (unsigned int)i));
			sbuf_adds(sb, act != NULL ? act : "?");
			if ((ev->would >> (i + 1)) != 0)
				sbuf_addc(sb, ',');
		}
	}
}

int
export_wants(const struct export *ex)
{
	int	 what = 0;

	if (ex == NULL)
		return 0;
	if (ex->json_fd >= 0)
		what |= EXPORT_HIT_JSON;
	if (ex->compact_fd >= 0)
		what |= EXPORT_HIT_COMPACT;
	return what;
}

void
export_render_hit(struct gen_render *r, int what, const char *node,
    int64_t boot_off, const struct dec_event *ev, const struct proc *p,
    const struct proc *parent)
{
	sbuf_reset(&r->line);
	sbuf_reset(&r->compact);
	sbuf_reset(&r->call_args);
	r->rendered = what;
	export_time(boot_off, ev->time_ns, r->time, sizeof(r->time));
	if (what & EXPORT_HIT_JSON)
		export_hit_json(&r->line, node, boot_off, r->time, r, p,
		    parent);
	if (what & EXPORT_HIT_COMPACT)
		export_hit_compact(&r->compact, &r->call_args, r, ev, p);
	else if (what & EXPORT_HIT_ARGS)
		export_hit_args(&r->call_args, NULL, r, ev);
}

void
export_fmt_generic(struct export *ex, struct sbuf *sb,
    const struct gen_render *r, const struct dec_event *ev,
    const struct proc *p, const struct proc *parent)
{
	char	 t[40];

	export_time(ex->boot_off, ev->time_ns, t, sizeof(t));
	export_hit_json(sb, ex->node, ex->boot_off, t, r, p, parent);
}

void
export_compact_generic(struct sbuf *sb, const struct gen_render *r,
    const struct dec_event *ev, const struct proc *p)
{
	struct sbuf	 args;

	sbuf_init(&args);
	export_hit_compact(sb, &args, r, ev, p);
	sbuf_clear(&args);
}

void
export_hit(struct export *ex, const struct gen_render *r)
{
	if (ex->json_fd >= 0 && (r->rendered & EXPORT_HIT_JSON)) {
		sbuf_add(&ex->json, r->line.buf, r->line.len);
		sbuf_addc(&ex->json, '\n');
		ex->pending_lines++;
	}
	if (ex->compact_fd >= 0 && (r->rendered & EXPORT_HIT_COMPACT)) {
		sbuf_add(&ex->compact, r->compact.buf, r->compact.len);
		sbuf_addc(&ex->compact, '\n');
	}
	export_line_done(ex);
}

void
export_fmt_events_lost(struct export *ex, struct sbuf *sb, uint64_t time_ns,
    const char *source, const char *policy, const char *function,
    uint64_t count, uint64_t total)
{
	struct jsonw	 w;
	char		 t[40];

	export_time(ex->boot_off, time_ns, t, sizeof(t));
	jw_init(&w, sb);
	jw_obj(&w);
	jw_kobj(&w, "events_lost");
	jw_kuint(&w, "count", count);
	jw_kuint(&w, "total", total);
	jw_kstr_opt(&w, "source", source);
	jw_kstr_opt(&w, "policy_name", policy);
	jw_kstr_opt(&w, "function_name", function);
	export_close(&w, ex->node, t);
}

static void
export_compact_opt(struct sbuf *sb, const char *key, const char *v)
{
	if (v == NULL)
		return;
	sbuf_adds(sb, key);
	export_esc(sb, v);
}

void
export_events_lost(struct export *ex, uint64_t time_ns, const char *source,
    const char *policy, const char *function, uint64_t count, uint64_t total)
{
	if (ex->json_fd >= 0) {
		export_fmt_events_lost(ex, &ex->json, time_ns, source, policy,
		    function, count, total);
		sbuf_addc(&ex->json, '\n');
		ex->pending_lines++;
	}
	if (ex->compact_fd >= 0) {
		sbuf_addf(&ex->compact, "events_lost %llu total=%llu",
		    (unsigned long long)count, (unsigned long long)total);
		export_compact_opt(&ex->compact, " source=", source);
		export_compact_opt(&ex->compact, " policy=", policy);
		export_compact_opt(&ex->compact, " function=", function);
		sbuf_addc(&ex->compact, '\n');
	}
	export_line_done(ex);
}
