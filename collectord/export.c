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
	struct pcache		*pc;		/* caches process objects */
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

void
export_set_pcache(struct export *ex, struct pcache *pc)
{
	ex->pc = pc;
}

static void
export_time(int64_t boot_off, uint64_t boot_ns, char *dst, size_t sz)
{
	str_iso_time(dst, sz, (uint64_t)((int64_t)boot_ns + boot_off));
}

/*
 * Rendering in bulk: each piece sizes its room in the buffer once
 * (sbuf_reserve) and writes into it with the jw_put_* writers; keys
 * are literals.
 */
#define EX_LIT(d, lit)	(memcpy((d), (lit), sizeof(lit) - 1), \
	(d) + sizeof(lit) - 1)

/* Start writing at the end of sb with room for more bytes. */
static char *
ex_begin(struct sbuf *sb, size_t more)
{
	sbuf_reserve(sb, more);
	return sb->buf + sb->len;
}

static void
ex_end(struct sbuf *sb, char *d)
{
	sb->len = (size_t)(d - sb->buf);
	sb->buf[sb->len] = '\0';
}

/* ,"key":"value" (a key literal with its comma and colon); nothing for
 * NULL or "" (protojson omits empty strings). */
static char *
ex_put_kstr(char *d, const char *key, size_t klen, const char *v,
    size_t vlen)
{
	if (vlen == 0)
		return d;
	memcpy(d, key, klen);
	return jw_put_str(d + klen, v, vlen);
}

#define EX_KSTR(d, lit, v, vlen) ex_put_kstr((d), (lit), sizeof(lit) - 1, \
	(v), (vlen))

static size_t
ex_len(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

static char *
ex_put_time(char *d, int64_t boot_off, uint64_t boot_ns)
{
	*d++ = '"';
	d = str_iso_time_put(d, (uint64_t)((int64_t)boot_ns + boot_off));
	*d++ = '"';
	return d;
}

/*
 * A Tetragon Process object up to its refcnt member (what never changes
 * for an entry: pcache_json).  protojson omits empty strings; pid, uid,
 * auid, tid are wrapper types: present even when 0.
 */
static void
export_process_head(struct sbuf *sb, const struct proc *p, int64_t boot_off)
{
	char	 flags[256], *d;
	size_t	 lid = strlen(p->exec_id), lpid = strlen(p->parent_exec_id);
	size_t	 lcwd = strlen(p->cwd), lbin = strlen(p->binary);
	size_t	 largs = strlen(p->args), lfl;

	pcache_flags_str(p->flags, flags, sizeof(flags));
	lfl = strlen(flags);
	d = ex_begin(sb, 200 + JW_STR_MAX(lid) + JW_STR_MAX(lpid) +
	    JW_STR_MAX(lcwd) + JW_STR_MAX(lbin) + JW_STR_MAX(largs) +
	    JW_STR_MAX(lfl));
	*d++ = '{';
	if (lid > 0) {
		d = EX_LIT(d, "\"exec_id\":");
		d = jw_put_str(d, p->exec_id, lid);
		*d++ = ',';
	}
	d = EX_LIT(d, "\"pid\":");
	d = jw_put_uint(d, p->pid);
	d = EX_LIT(d, ",\"uid\":");
	d = jw_put_uint(d, p->euid);
	d = EX_KSTR(d, ",\"cwd\":", p->cwd, lcwd);
	d = EX_KSTR(d, ",\"binary\":", p->binary, lbin);
	d = EX_KSTR(d, ",\"arguments\":", p->args, largs);
	d = EX_KSTR(d, ",\"flags\":", flags, lfl);
	d = EX_LIT(d, ",\"start_time\":");
	d = ex_put_time(d, boot_off, p->ktime);
	d = EX_LIT(d, ",\"auid\":");
	d = jw_put_uint(d, p->auid);
	d = EX_KSTR(d, ",\"parent_exec_id\":", p->parent_exec_id, lpid);
	ex_end(sb, d);
}

/* One Tetragon Process object (refcnt as given); the part that never
 * changes from the process cache when it is there. */
static void
export_process(struct sbuf *sb, struct pcache *pc, const struct proc *p,
    int64_t boot_off)
{
	const char	*head;
	size_t		 len, from = sb->len;
	char		*d;

	if ((head = pcache_json(p, boot_off, &len)) != NULL)
		sbuf_add(sb, head, len);
	else {
		export_process_head(sb, p, boot_off);
		pcache_json_offer(pc, p, boot_off, sb->buf + from,
		    sb->len - from);
	}
	d = ex_begin(sb, 48);
	if (p->refcnt > 0) {
		d = EX_LIT(d, ",\"refcnt\":");
		d = jw_put_uint(d, (uint32_t)p->refcnt);
	}
	d = EX_LIT(d, ",\"tid\":");
	d = jw_put_uint(d, p->tid);
	*d++ = '}';
	ex_end(sb, d);
}

/* {"<type>":{"process":{...},"parent":{...} -- the event's own members
 * follow (each with its comma), then export_tail(). */
static void
export_head(struct sbuf *sb, struct pcache *pc, int64_t boot_off,
    const char *type, const struct proc *p, const struct proc *parent)
{
	size_t	 ltype = strlen(type);
	char	*d;

	d = ex_begin(sb, JW_STR_MAX(ltype) + 16);
	d = EX_LIT(d, "{");
	d = jw_put_str(d, type, ltype);
	d = EX_LIT(d, ":{\"process\":");
	ex_end(sb, d);
	export_process(sb, pc, p, boot_off);
	if (parent != NULL) {
		sbuf_add(sb, ",\"parent\":", 10);
		export_process(sb, pc, parent, boot_off);
	}
}

/* },"node_name":"...","time":"..."} */
static void
export_tail(struct sbuf *sb, const char *node, const char *t)
{
	size_t	 lnode = strlen(node), lt = strlen(t);
	char	*d;

	d = ex_begin(sb, JW_STR_MAX(lnode) + JW_STR_MAX(lt) + 24);
	d = EX_LIT(d, "},\"node_name\":");
	d = jw_put_str(d, node, lnode);
	d = EX_LIT(d, ",\"time\":");
	d = jw_put_str(d, t, lt);
	*d++ = '}';
	ex_end(sb, d);
}

/* },"node_name":"...","time":"..."} (jsonw: the events_lost line) */
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
	char	 t[40];

	export_time(ex->boot_off, p->ktime, t, sizeof(t));
	export_head(sb, ex->pc, ex->boot_off, "process_exec", p, parent);
	export_tail(sb, ex->node, t);
}

void
export_fmt_exit(struct export *ex, struct sbuf *sb, const struct proc *p,
    const struct proc *parent, uint64_t time_ns, uint32_t code,
    uint32_t signal)
{
	char	 t[40], sig[DEC_SIGNAME_MAX], *d;

	export_time(ex->boot_off, time_ns, t, sizeof(t));
	export_head(sb, ex->pc, ex->boot_off, "process_exit", p, parent);
	if (signal != 0)
		decode_signame(signal, sig, sizeof(sig));
	d = ex_begin(sb, JW_STR_MAX(sizeof(sig)) + JW_STR_MAX(sizeof(t)) +
	    48);
	if (signal != 0) {
		d = EX_LIT(d, ",\"signal\":");
		d = jw_put_str(d, sig, strlen(sig));
	}
	if (code != 0) {
		d = EX_LIT(d, ",\"status\":");
		d = jw_put_uint(d, code);
	}
	d = EX_LIT(d, ",\"time\":");
	d = jw_put_str(d, t, strlen(t));
	ex_end(sb, d);
	export_tail(sb, ex->node, t);
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

/* The members of a hit: their values, and per hook kind their order. */
enum ex_field {
	EXF_SUBSYS, EXF_EVENT, EXF_PATH, EXF_FUNCTION, EXF_POLICY,
	EXF_ACTION, EXF_MESSAGE, EXF_ARGS, EXF_RET, EXF_TAGS, EXF_KSTACK,
	EXF_USTACK, EXF_MAX
};

struct ex_member {
	const char	*key;		/* ,"key": */
	size_t		 klen;
	enum ex_field	 field;
	int		 raw;		/* JSON copied as is (jw_kraw) */
};

#define EXM(k, f)	{ ",\"" k "\":", sizeof(",\"" k "\":") - 1, f, 0 }
#define EXM_RAW(k, f)	{ ",\"" k "\":", sizeof(",\"" k "\":") - 1, f, 1 }
#define EXM_END		{ NULL, 0, EXF_MAX, 0 }
#define EX_LATE		",\"late\":true"

/* Tetragon's field orders */
static const struct ex_member ex_tracepoint[] = {
	EXM("subsys", EXF_SUBSYS), EXM("event", EXF_EVENT),
	EXM_RAW("args", EXF_ARGS), EXM("policy_name", EXF_POLICY),
	EXM("action", EXF_ACTION), EXM("message", EXF_MESSAGE),
	EXM_RAW("tags", EXF_TAGS), EXM_RAW("kernel_stack_trace", EXF_KSTACK),
	EXM_RAW("user_stack_trace", EXF_USTACK), EXM_END,
};
static const struct ex_member ex_uprobe[] = {
	EXM("path", EXF_PATH), EXM("symbol", EXF_FUNCTION),
	EXM("policy_name", EXF_POLICY), EXM("message", EXF_MESSAGE),
	EXM_RAW("args", EXF_ARGS), EXM_RAW("return", EXF_RET),
	EXM_RAW("tags", EXF_TAGS), EXM("action", EXF_ACTION),
	EXM_RAW("kernel_stack_trace", EXF_KSTACK),
	EXM_RAW("user_stack_trace", EXF_USTACK), EXM_END,
};
static const struct ex_member ex_usdt[] = {
	EXM("path", EXF_PATH), EXM("provider", EXF_SUBSYS),
	EXM("name", EXF_EVENT), EXM("policy_name", EXF_POLICY),
	EXM("message", EXF_MESSAGE), EXM_RAW("args", EXF_ARGS),
	EXM_RAW("tags", EXF_TAGS), EXM("action", EXF_ACTION),
	EXM_RAW("kernel_stack_trace", EXF_KSTACK),
	EXM_RAW("user_stack_trace", EXF_USTACK), EXM_END,
};
static const struct ex_member ex_lsm[] = {
	EXM("function_name", EXF_FUNCTION), EXM("policy_name", EXF_POLICY),
	EXM("message", EXF_MESSAGE), EXM_RAW("args", EXF_ARGS),
	EXM("action", EXF_ACTION), EXM_RAW("tags", EXF_TAGS), EXM_END,
};
/* kprobe, and records of an unknown hook (Tetragon's field numbers:
 * kernel_stack_trace 7 after action, user_stack_trace 12 after tags) */
static const struct ex_member ex_kprobe[] = {
	EXM("function_name", EXF_FUNCTION), EXM_RAW("args", EXF_ARGS),
	EXM_RAW("return", EXF_RET), EXM("action", EXF_ACTION),
	EXM_RAW("kernel_stack_trace", EXF_KSTACK),
	EXM("policy_name", EXF_POLICY), EXM("message", EXF_MESSAGE),
	EXM_RAW("tags", EXF_TAGS), EXM_RAW("user_stack_trace", EXF_USTACK),
	EXM_END,
};

static const struct ex_member *
ex_members(const struct ipc_hook *h)
{
	switch (h != NULL ? h->kind : POL_HOOK_KPROBE) {
	case POL_HOOK_TRACEPOINT:
	case POL_HOOK_RAW_TRACEPOINT:
		return ex_tracepoint;
	case POL_HOOK_UPROBE:
		return ex_uprobe;
	case POL_HOOK_LSM:
		return ex_lsm;
	case POL_HOOK_USDT:
		return ex_usdt;
	default:
		return ex_kprobe;
	}
}

/* The values of r's members (NULL: absent). */
static void
ex_values(const struct gen_render *r, const char **v)
{
	const struct ipc_hook *h = r->hook;

	memset(v, 0, EXF_MAX * sizeof(*v));
	if (h != NULL) {
		v[EXF_SUBSYS] = h->subsys;
		v[EXF_EVENT] = h->event;
		v[EXF_PATH] = h->path;
	}
	v[EXF_FUNCTION] = h != NULL && h->kind == POL_HOOK_UPROBE ?
	    h->function : generic_str(&r->function);
	v[EXF_POLICY] = r->policy;
	v[EXF_ACTION] = r->action;
	v[EXF_MESSAGE] = r->message;
	v[EXF_ARGS] = r->nshown > 0 ? generic_str(&r->args) : NULL;
	v[EXF_RET] = r->ret.len > 0 ? generic_str(&r->ret) : NULL;
	v[EXF_TAGS] = r->tags;
	/* the stack traces (tracepoints, uprobes, USDT: after Tetragon's
	 * own fields, under the names of process_kprobe) */
	v[EXF_KSTACK] = r->kstack.len > 0 ? generic_str(&r->kstack) : NULL;
	v[EXF_USTACK] = r->ustack.len > 0 ? generic_str(&r->ustack) : NULL;
}

/* The event's own members of a policy hit, in Tetragon's field order:
 * strings only when not empty (protojson), raw JSON when present. */
static void
export_hit_members(struct sbuf *sb, const struct gen_render *r)
{
	const struct ex_member *m, *ms = ex_members(r->hook);
	const char	*v[EXF_MAX];
	size_t		 len[EXF_MAX], room = 0;
	char		*d;

	ex_values(r, v);
	for (m = ms; m->key != NULL; m++) {
		len[m->field] = ex_len(v[m->field]);
		room += m->klen + (m->raw ? len[m->field] :
		    JW_STR_MAX(len[m->field]));
	}
	d = ex_begin(sb, room + sizeof(EX_LATE));
	for (m = ms; m->key != NULL; m++) {
		if (v[m->field] == NULL || (!m->raw && len[m->field] == 0))
			continue;
		memcpy(d, m->key, m->klen);
		d += m->klen;
		if (m->raw) {
			memcpy(d, v[m->field], len[m->field]);
			d += len[m->field];
		} else
			d = jw_put_str(d, v[m->field], len[m->field]);
	}
	/* tripline's own: decided at syscall exit (docs/schema.md) */
	if (r->late) {
		memcpy(d, EX_LATE, sizeof(EX_LATE) - 1);
		d += sizeof(EX_LATE) - 1;
	}
	ex_end(sb, d);
}

static void
export_hit_json(struct sbuf *sb, struct pcache *pc, const char *node,
    int64_t boot_off, const char *t, const struct gen_render *r,
    const struct proc *p, const struct proc *parent)
{
	export_head(sb, pc, boot_off, r->type, p, parent);
	export_hit_members(sb, r);
	export_tail(sb, node, t);
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
    int64_t boot_off, struct pcache *pc, const struct dec_event *ev,
    const struct proc *p, const struct proc *parent)
{
	sbuf_reset(&r->line);
	sbuf_reset(&r->compact);
	sbuf_reset(&r->call_args);
	r->rendered = what;
	export_time(boot_off, ev->time_ns, r->time, sizeof(r->time));
	if (what & EXPORT_HIT_JSON)
		export_hit_json(&r->line, pc, node, boot_off, r->time, r, p,
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
	export_hit_json(sb, ex->pc, ex->node, ex->boot_off, t, r, p, parent);
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
