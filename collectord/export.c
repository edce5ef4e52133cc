/* collectord/export.c -- JSON lines export and compact one-line output. */
#include "build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "err.h"
#include "export.h"
#include "generic.h"
#include "ipc_msg.h"
#include "policy.h"
#include "log.h"
#include "pcache.h"
#include "str.h"
#include "xmalloc.h"

#define EXPORT_HIWAT	(256 * 1024)

struct export {
	int			 json_fd;
	int			 compact_fd;
	char			*node;
	int64_t			 boot_off;
	struct sbuf		 json;
	struct sbuf		 compact;
	uint64_t		 pending_lines;
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

int
export_flush(struct export *ex)
{
	int	 r = 0;

	if (ex->json.len > 0) {
		if (export_write_all(ex->json_fd, ex->json.buf,
		    ex->json.len) != 0) {
			log_warn("export: write events.jsonl");
			ex->stats.errors += ex->pending_lines;
			r = ERR_SYS;
		} else
			ex->stats.lines += ex->pending_lines;
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

const struct export_stats *
export_stats(const struct export *ex)
{
	return &ex->stats;
}

static void
export_key_str(struct sbuf *sb, const char *key, const char *v, int *first)
{
	if (v == NULL || v[0] == '\0')
		return;		/* protojson omits empty strings */
	sbuf_addf(sb, "%s\"%s\":", *first ? "" : ",", key);
	sbuf_add_json_str(sb, v, strlen(v));
	*first = 0;
}

static void
export_key_u32(struct sbuf *sb, const char *key, uint32_t v, int *first)
{
	sbuf_addf(sb, "%s\"%s\":%u", *first ? "" : ",", key, v);
	*first = 0;
}

static void
export_time(const struct export *ex, uint64_t boot_ns, char *dst, size_t sz)
{
	str_iso_time(dst, sz, (uint64_t)((int64_t)boot_ns + ex->boot_off));
}

void
export_json_process(struct sbuf *sb, const struct proc *p,
    const char *start_time)
{
	char	 flags[256];
	int	 first = 1;

	sbuf_addc(sb, '{');
	export_key_str(sb, "exec_id", p->exec_id, &first);
	/* pid, uid, auid, tid are wrapper types: present even when 0 */
	export_key_u32(sb, "pid", p->pid, &first);
	export_key_u32(sb, "uid", p->euid, &first);
	export_key_str(sb, "cwd", p->cwd, &first);
	export_key_str(sb, "binary", p->binary, &first);
	export_key_str(sb, "arguments", p->args, &first);
	export_key_str(sb, "flags",
	    pcache_flags_str(p->flags, flags, sizeof(flags)), &first);
	export_key_str(sb, "start_time", start_time, &first);
	export_key_u32(sb, "auid", p->auid, &first);
	export_key_str(sb, "parent_exec_id", p->parent_exec_id, &first);
	if (p->refcnt > 0)
		export_key_u32(sb, "refcnt", (uint32_t)p->refcnt, &first);
	export_key_u32(sb, "tid", p->tid, &first);
	sbuf_addc(sb, '}');
}

static void
export_procs(struct export *ex, struct sbuf *sb, const struct proc *p,
    const struct proc *parent)
{
	char	 t[40];

	export_time(ex, p->ktime, t, sizeof(t));
	sbuf_adds(sb, "\"process\":");
	export_json_process(sb, p, t);
	if (parent != NULL) {
		export_time(ex, parent->ktime, t, sizeof(t));
		sbuf_adds(sb, ",\"parent\":");
		export_json_process(sb, parent, t);
	}
}

static void
export_envelope_end(struct export *ex, struct sbuf *sb, const char *t)
{
	sbuf_adds(sb, "},\"node_name\":");
	sbuf_add_json_str(sb, ex->node, strlen(ex->node));
	sbuf_adds(sb, ",\"time\":");
	sbuf_add_json_str(sb, t, strlen(t));
	sbuf_addc(sb, '}');
}

void
export_fmt_exec(struct export *ex, struct sbuf *sb, const struct proc *p,
    const struct proc *parent)
{
	char	 t[40];

	export_time(ex, p->ktime, t, sizeof(t));
	sbuf_adds(sb, "{\"process_exec\":{");
	export_procs(ex, sb, p, parent);
	export_envelope_end(ex, sb, t);
}

void
export_fmt_exit(struct export *ex, struct sbuf *sb, const struct proc *p,
    const struct proc *parent, uint64_t time_ns, uint32_t code,
    uint32_t signal)
{
	char	 t[40], sig[DEC_SIGNAME_MAX];

	export_time(ex, time_ns, t, sizeof(t));
	sbuf_adds(sb, "{\"process_exit\":{");
	export_procs(ex, sb, p, parent);
	if (signal != 0) {
		decode_signame(signal, sig, sizeof(sig));
		sbuf_addf(sb, ",\"signal\":\"%s\"", sig);
	}
	if (code != 0)
		sbuf_addf(sb, ",\"status\":%u", code);
	sbuf_adds(sb, ",\"time\":");
	sbuf_add_json_str(sb, t, strlen(t));
	export_envelope_end(ex, sb, t);
}

static void
export_esc(struct sbuf *sb, const char *s)
{
	size_t	 len = strlen(s), cap = len * 4 + 1;
	char	*tmp = xmalloc(cap);

	str_escape(tmp, cap, s, len);
	sbuf_adds(sb, tmp);
	free(tmp);
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

static void
export_line_done(struct export *ex)
{
	if (ex->json.len >= EXPORT_HIWAT || ex->compact.len >= EXPORT_HIWAT)
		export_flush(ex);
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

/* ,"key":<raw JSON> */
static void
export_key_raw(struct sbuf *sb, const char *key, const char *json)
{
	sbuf_addf(sb, ",\"%s\":%s", key, json);
}

static void
export_key_str_n(struct sbuf *sb, const char *key, const char *v)
{
	if (v == NULL || v[0] == '\0')
		return;
	sbuf_addf(sb, ",\"%s\":", key);
	sbuf_add_json_str(sb, v, strlen(v));
}

void
export_fmt_generic(struct export *ex, struct sbuf *sb,
    const struct gen_render *r, const struct dec_event *ev,
    const struct proc *p, const struct proc *parent)
{
	const struct ipc_hook *h = r->hook;
	uint32_t	 kind = h != NULL ? h->kind : POL_HOOK_KPROBE;
	int		 has_args = r->nshown > 0;
	char		 t[40];

	export_time(ex, ev->time_ns, t, sizeof(t));
	sbuf_addf(sb, "{\"%s\":{", r->type);
	export_procs(ex, sb, p, parent);
	switch (kind) {
	case POL_HOOK_TRACEPOINT:
	case POL_HOOK_RAW_TRACEPOINT:
		/* Tetragon TracepointProcess field order */
		export_key_str_n(sb, "subsys", h->subsys);
		export_key_str_n(sb, "event", h->event);
		if (has_args)
			export_key_raw(sb, "args", generic_str(&r->args));
		export_key_str_n(sb, "policy_name", r->policy);
		export_key_str_n(sb, "action", r->action);
		export_key_str_n(sb, "message", r->message);
		if (r->tags != NULL)
			export_key_raw(sb, "tags", r->tags);
		break;
	case POL_HOOK_UPROBE:
		export_key_str_n(sb, "path", h->path);
		export_key_str_n(sb, "symbol", h->function);
		export_key_str_n(sb, "policy_name", r->policy);
		export_key_str_n(sb, "message", r->message);
		if (has_args)
			export_key_raw(sb, "args", generic_str(&r->args));
		if (r->tags != NULL)
			export_key_raw(sb, "tags", r->tags);
		export_key_str_n(sb, "action", r->action);
		break;
	case POL_HOOK_LSM:
		export_key_str_n(sb, "function_name",
		    generic_str(&r->function));
		export_key_str_n(sb, "policy_name", r->policy);
		export_key_str_n(sb, "message", r->message);
		if (has_args)
			export_key_raw(sb, "args", generic_str(&r->args));
		export_key_str_n(sb, "action", r->action);
		if (r->tags != NULL)
			export_key_raw(sb, "tags", r->tags);
		break;
	default:	/* kprobe, and records of an unknown hook */
		export_key_str_n(sb, "function_name",
		    generic_str(&r->function));
		if (has_args)
			export_key_raw(sb, "args", generic_str(&r->args));
		if (r->ret.len > 0)
			export_key_raw(sb, "return", generic_str(&r->ret));
		export_key_str_n(sb, "action", r->action);
		export_key_str_n(sb, "policy_name", r->policy);
		export_key_str_n(sb, "message", r->message);
		if (r->tags != NULL)
			export_key_raw(sb, "tags", r->tags);
		break;
	}
	export_envelope_end(ex, sb, t);
}

void
export_compact_generic(struct sbuf *sb, const struct gen_render *r,
    const struct dec_event *ev, const struct proc *p)
{
	const char	*act = r->action;
	size_t		 i;

	if (strncmp(act, "KPROBE_ACTION_", 14) == 0)
		act += 14;
	sbuf_addf(sb, "%s %u ", r->kind, p->pid);
	export_esc(sb, p->binary[0] != '\0' ? p->binary : "?");
	sbuf_addc(sb, ' ');
	export_esc(sb, generic_str(&r->function));
	for (i = 0; i < ev->ngargs; i++) {
		if (ev->gargs[i].type == POL_ARG_NOP &&
		    !(ev->gargs[i].flags & EVA_ERROR))
			continue;
		sbuf_addc(sb, ' ');
		generic_arg_compact(sb, &ev->gargs[i]);
	}
	if (ev->has_retarg) {
		sbuf_adds(sb, " = ");
		generic_arg_compact(sb, &ev->retarg);
	} else if (r->ret.len > 0)
		sbuf_addf(sb, " = %lld", (long long)ev->ret);
	if (r->policy != NULL) {
		sbuf_adds(sb, " policy=");
		export_esc(sb, r->policy);
	}
	sbuf_addf(sb, " action=%s", act);
	if (ev->would != 0) {
		sbuf_adds(sb, " would=");
		for (i = POL_ACT_POST; i < POL_ACT_MAX_; i++) {
			if (!(ev->would & (1U << i)))
				continue;
			act = generic_action_name((unsigned int)i);
			if (act != NULL && strncmp(act, "KPROBE_ACTION_",
			    14) == 0)
				act += 14;
			sbuf_adds(sb, act != NULL ? act : "?");
			if ((ev->would >> (i + 1)) != 0)
				sbuf_addc(sb, ',');
		}
	}
}

void
export_generic(struct export *ex, const struct gen_render *r,
    const struct dec_event *ev, const struct proc *p,
    const struct proc *parent)
{
	if (ex->json_fd >= 0) {
		export_fmt_generic(ex, &ex->json, r, ev, p, parent);
		sbuf_addc(&ex->json, '\n');
		ex->pending_lines++;
	}
	if (ex->compact_fd >= 0) {
		export_compact_generic(&ex->compact, r, ev, p);
		sbuf_addc(&ex->compact, '\n');
	}
	export_line_done(ex);
}

void
export_fmt_events_lost(struct export *ex, struct sbuf *sb, uint64_t time_ns,
    const char *source, const char *policy, const char *function,
    uint64_t count, uint64_t total)
{
	char	 t[40];

	export_time(ex, time_ns, t, sizeof(t));
	sbuf_addf(sb, "{\"events_lost\":{\"count\":%llu,\"total\":%llu",
	    (unsigned long long)count, (unsigned long long)total);
	export_key_str_n(sb, "source", source);
	export_key_str_n(sb, "policy_name", policy);
	export_key_str_n(sb, "function_name", function);
	export_envelope_end(ex, sb, t);
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
		if (source != NULL) {
			sbuf_adds(&ex->compact, " source=");
			export_esc(&ex->compact, source);
		}
		if (policy != NULL) {
			sbuf_adds(&ex->compact, " policy=");
			export_esc(&ex->compact, policy);
		}
		if (function != NULL) {
			sbuf_adds(&ex->compact, " function=");
			export_esc(&ex->compact, function);
		}
		sbuf_addc(&ex->compact, '\n');
	}
	export_line_done(ex);
}
