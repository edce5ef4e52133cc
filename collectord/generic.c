/* collectord/generic.c -- render policy hook records (EV_GENERIC). */
#include "build.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "generic.h"
#include "ipc_msg.h"
#include "jsonw.h"
#include "objargs.h"
#include "policy.h"
#include "str.h"
#include "xmalloc.h"

#define GEN_COMPACT_BUF	64	/* bytes of a buffer shown by -p */
#define GEN_LIT(d, lit)	(memcpy((d), (lit), sizeof(lit) - 1), \
	(d) + sizeof(lit) - 1)

static const char *const gen_actions[POL_ACT_MAX_] = {
	[POL_ACT_POST] = "KPROBE_ACTION_POST",
	[POL_ACT_NOPOST] = "KPROBE_ACTION_NOPOST",
	[POL_ACT_SIGKILL] = "KPROBE_ACTION_SIGKILL",
	[POL_ACT_SIGNAL] = "KPROBE_ACTION_SIGNAL",
	[POL_ACT_OVERRIDE] = "KPROBE_ACTION_OVERRIDE",
	[POL_ACT_FOLLOWFD] = "KPROBE_ACTION_FOLLOWFD",
	[POL_ACT_UNFOLLOWFD] = "KPROBE_ACTION_UNFOLLOWFD",
	[POL_ACT_COPYFD] = "KPROBE_ACTION_COPYFD",
	[POL_ACT_GETURL] = "KPROBE_ACTION_GETURL",
	[POL_ACT_DNSLOOKUP] = "KPROBE_ACTION_DNSLOOKUP",
	[POL_ACT_TRACKSOCK] = "KPROBE_ACTION_TRACKSOCK",
	[POL_ACT_UNTRACKSOCK] = "KPROBE_ACTION_UNTRACKSOCK",
	[POL_ACT_NOTIFYENFORCER] = "KPROBE_ACTION_NOTIFYENFORCER",
	[POL_ACT_SET] = "KPROBE_ACTION_SET",
};

/* Which action names the event: the first of these that ran. */
static const enum pol_action_kind gen_main_order[] = {
	POL_ACT_SIGKILL, POL_ACT_SIGNAL, POL_ACT_OVERRIDE, POL_ACT_NOPOST,
	POL_ACT_NOTIFYENFORCER, POL_ACT_GETURL, POL_ACT_DNSLOOKUP,
	POL_ACT_FOLLOWFD, POL_ACT_UNFOLLOWFD, POL_ACT_COPYFD,
	POL_ACT_TRACKSOCK, POL_ACT_UNTRACKSOCK, POL_ACT_SET,
};

const char *
generic_action_name(unsigned int kind)
{
	if (kind >= POL_ACT_MAX_)
		return NULL;
	return gen_actions[kind];
}

const char *
generic_main_action(uint32_t bits)
{
	size_t	 i;

	for (i = 0; i < sizeof(gen_main_order) / sizeof(*gen_main_order);
	    i++)
		if (bits & (1U << gen_main_order[i]))
			return gen_actions[gen_main_order[i]];
	return gen_actions[POL_ACT_POST];
}

void
generic_actions_json(struct sbuf *sb, uint32_t bits)
{
	unsigned int	 k;
	size_t		 room = 2;
	char		*d;

	for (k = POL_ACT_POST; k < POL_ACT_MAX_; k++)
		if (bits & (1U << k))
			room += 1 + (gen_actions[k] != NULL ?
			    JW_STR_MAX(strlen(gen_actions[k])) : 4);
	sbuf_reserve(sb, room);
	d = sb->buf + sb->len;
	*d++ = '[';
	for (k = POL_ACT_POST; k < POL_ACT_MAX_; k++) {
		if (!(bits & (1U << k)))
			continue;
		if (d[-1] != '[')
			*d++ = ',';
		if (gen_actions[k] == NULL) {
			memcpy(d, "null", 4);
			d += 4;
		} else
			d = jw_put_str(d, gen_actions[k],
			    strlen(gen_actions[k]));
	}
	*d++ = ']';
	sb->len = (size_t)(d - sb->buf);
	sb->buf[sb->len] = '\0';
}

const char *
generic_event_type(uint32_t kind)
{
	switch (kind) {
	case POL_HOOK_KPROBE:
		return "process_kprobe";
	case POL_HOOK_TRACEPOINT:
	case POL_HOOK_RAW_TRACEPOINT:
		return "process_tracepoint";
	case POL_HOOK_UPROBE:
		return "process_uprobe";
	case POL_HOOK_LSM:
		return "process_lsm";
	case POL_HOOK_USDT:
		return "process_usdt";
	default:
		return "process_kprobe";
	}
}

static const char *
generic_kind_word(uint32_t kind)
{
	switch (kind) {
	case POL_HOOK_KPROBE:
		return "kprobe";
	case POL_HOOK_TRACEPOINT:
	case POL_HOOK_RAW_TRACEPOINT:
		return "tracepoint";
	case POL_HOOK_UPROBE:
		return "uprobe";
	case POL_HOOK_LSM:
		return "lsm";
	case POL_HOOK_USDT:
		return "usdt";
	default:
		return "hook";
	}
}

/* Tetragon type names (enum pol_arg_type), for error messages. */
static const char *const gen_types[POL_ARG_MAX_] = {
	[POL_ARG_INT] = "int", [POL_ARG_UINT32] = "uint32",
	[POL_ARG_INT64] = "int64", [POL_ARG_UINT64] = "uint64",
	[POL_ARG_SIZE_T] = "size_t", [POL_ARG_INT16] = "int16",
	[POL_ARG_UINT16] = "uint16", [POL_ARG_INT8] = "int8",
	[POL_ARG_UINT8] = "uint8", [POL_ARG_STRING] = "string",
	[POL_ARG_CHAR_BUF] = "char_buf", [POL_ARG_CHAR_IOVEC] = "char_iovec",
	[POL_ARG_CONST_BUF] = "const_buf", [POL_ARG_FD] = "fd",
	[POL_ARG_FILE] = "file", [POL_ARG_PATH] = "path",
	[POL_ARG_DENTRY] = "dentry", [POL_ARG_FILENAME] = "filename",
	[POL_ARG_SOCKADDR] = "sockaddr", [POL_ARG_SOCKADDR_UN] = "sockaddr_un",
	[POL_ARG_SOCK] = "sock", [POL_ARG_SOCKET] = "socket",
	[POL_ARG_SKB] = "skb", [POL_ARG_CRED] = "cred",
	[POL_ARG_CAPABILITY] = "capability",
	[POL_ARG_LINUX_BINPRM] = "linux_binprm",
	[POL_ARG_BPF_ATTR] = "bpf_attr", [POL_ARG_BPF_PROG] = "bpf_prog",
	[POL_ARG_BPF_MAP] = "bpf_map", [POL_ARG_PERF_EVENT] = "perf_event",
	[POL_ARG_BPF_CMD] = "bpf_cmd", [POL_ARG_MODULE] = "module",
	[POL_ARG_KERNEL_CAP] = "kernel_cap_t",
	[POL_ARG_USER_NS] = "user_namespace",
	[POL_ARG_NET_DEVICE] = "net_device", [POL_ARG_SYSCALL64] = "syscall64",
	[POL_ARG_DATA_LOC] = "data_loc", [POL_ARG_KIOCB] = "kiocb",
	[POL_ARG_IOV_ITER] = "iov_iter", [POL_ARG_NOP] = "nop",
	[POL_ARG_AUTO] = "auto",
};

/* include/uapi/linux/bpf.h enum bpf_cmd (Tetragon's BpfCmd names) */
static const char *const gen_bpf_cmds[] = {
	"BPF_MAP_CREATE", "BPF_MAP_LOOKUP_ELEM", "BPF_MAP_UPDATE_ELEM",
	"BPF_MAP_DELETE_ELEM", "BPF_MAP_GET_NEXT_KEY", "BPF_PROG_LOAD",
	"BPF_OBJ_PIN", "BPF_OBJ_GET", "BPF_PROG_ATTACH", "BPF_PROG_DETACH",
	"BPF_PROG_TEST_RUN", "BPF_PROG_GET_NEXT_ID", "BPF_MAP_GET_NEXT_ID",
	"BPF_PROG_GET_FD_BY_ID", "BPF_MAP_GET_FD_BY_ID",
	"BPF_OBJ_GET_INFO_BY_FD", "BPF_PROG_QUERY", "BPF_RAW_TRACEPOINT_OPEN",
	"BPF_BTF_LOAD", "BPF_BTF_GET_FD_BY_ID", "BPF_TASK_FD_QUERY",
	"BPF_MAP_LOOKUP_AND_DELETE_ELEM", "BPF_MAP_FREEZE",
	"BPF_BTF_GET_NEXT_ID", "BPF_MAP_LOOKUP_BATCH",
	"BPF_MAP_LOOKUP_AND_DELETE_BATCH", "BPF_MAP_UPDATE_BATCH",
	"BPF_MAP_DELETE_BATCH", "BPF_LINK_CREATE", "BPF_LINK_UPDATE",
	"BPF_LINK_GET_FD_BY_ID", "BPF_LINK_GET_NEXT_ID", "BPF_ENABLE_STATS",
	"BPF_ITER_CREATE", "BPF_LINK_DETACH", "BPF_PROG_BIND_MAP",
	"BPF_TOKEN_CREATE",
};

#define GEN_NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define GEN_SYSCALL_I386 (1ULL << 31)	/* syscall64: 32-bit ABI flag */

const char *
generic_arg_type_name(uint8_t t)
{
	if (t >= POL_ARG_MAX_ || gen_types[t] == NULL)
		return "?";
	return gen_types[t];
}

const char *
generic_str(const struct sbuf *sb)
{
	return sb->len > 0 ? sb->buf : "";
}

/* The member of an integer argument object ("int_arg":-2). */
static void
generic_int_member(struct jsonw *w, uint8_t t, uint64_t v)
{
	const char	*name;
	char		 hex[24];

	switch (t) {
	case POL_ARG_INT:
		jw_kint(w, "int_arg", (int32_t)v);
		break;
	case POL_ARG_INT16:
		jw_kint(w, "int_arg", (int16_t)v);
		break;
	case POL_ARG_INT8:
		jw_kint(w, "int_arg", (int8_t)v);
		break;
	case POL_ARG_UINT32:
		jw_kuint(w, "uint_arg", (uint32_t)v);
		break;
	case POL_ARG_UINT16:
		jw_kuint(w, "uint_arg", (uint16_t)v);
		break;
	case POL_ARG_UINT8:
		jw_kuint(w, "uint_arg", (uint8_t)v);
		break;
	case POL_ARG_UINT64:
	case POL_ARG_SIZE_T:
		jw_key(w, "size_arg");
		jw_uint_str(w, v);
		break;
	case POL_ARG_SYSCALL64:
		jw_kobj(w, "syscall_id");
		jw_kuint(w, "id", (uint32_t)(v & 0x7fffffff));
		jw_kstr(w, "abi", (v & GEN_SYSCALL_I386) ? "i386" : "x64");
		jw_end(w);
		break;
	case POL_ARG_BPF_CMD:
		if (v < GEN_NELEM(gen_bpf_cmds))
			jw_kstr(w, "bpf_cmd_arg", gen_bpf_cmds[v]);
		else	/* protojson: an unknown enum value as its number */
			jw_kuint(w, "bpf_cmd_arg", (uint32_t)v);
		break;
	case POL_ARG_CAPABILITY:
		jw_kobj(w, "capability_arg");
		jw_kint(w, "value", (int32_t)v);
		if ((name = objargs_cap_name(v)) != NULL)
			jw_kstr(w, "name", name);
		jw_end(w);
		break;
	case POL_ARG_KERNEL_CAP:
		snprintf(hex, sizeof(hex), "%016" PRIx64, v);
		jw_kstr(w, "kernel_cap_t_arg", hex);
		break;
	default:	/* POL_ARG_INT64, and the fallback */
		jw_key(w, "long_arg");
		jw_int_str(w, (int64_t)v);
		break;
	}
}

void
generic_int_json(struct sbuf *sb, uint8_t t, uint64_t v)
{
	struct jsonw	 w;

	jw_init(&w, sb);
	jw_obj(&w);
	generic_int_member(&w, t, v);
	jw_end(&w);
}

/* Address of a sockaddr arg into dst ("" when the family has none). */
static const char *
generic_addr(const struct ev_sockaddr *sa, char *dst, size_t dstsz)
{
	dst[0] = '\0';
	if (sa->family == AF_INET)
		inet_ntop(AF_INET, sa->addr, dst, (socklen_t)dstsz);
	else if (sa->family == AF_INET6)
		inet_ntop(AF_INET6, sa->addr, dst, (socklen_t)dstsz);
	return dst;
}

static void
generic_b64(struct jsonw *w, const uint8_t *p, size_t len)
{
	char	 tmp[4 * ((HOOK_ARG_DATA_MAX + 2) / 3) + 1];
	size_t	 n;

	/* len <= HOOK_ARG_DATA_MAX (decode_record) */
	if ((n = base64_encode(tmp, sizeof(tmp), p, len)) == (size_t)-1)
		n = 0;
	jw_strn(w, tmp, n);
}

/* A returned descriptor (returnArg type fd) of a call that failed: aux
 * holds its error code, shown as the number ("int_arg":-13, -13). */
static int
generic_is_failed_fd(const struct dec_arg *a)
{
	return a->type == POL_ARG_FD &&
	    (a->flags & (EVA_ERROR | EVA_RETVAL)) == (EVA_ERROR | EVA_RETVAL) &&
	    (int32_t)a->aux < 0;
}

static int
generic_failed_fd(struct jsonw *w, const struct dec_arg *a)
{
	if (!generic_is_failed_fd(a))
		return 0;
	jw_kint(w, "int_arg", (int32_t)a->aux);
	return 1;
}

/* The members of a plain argument object; 1 if the payload was
 * malformed (an error_arg says why). */
static int
generic_arg_member(struct jsonw *w, const struct dec_arg *a)
{
	struct ev_sockaddr	 sa;
	char			 fam[16], addr[INET6_ADDRSTRLEN];
	char			 why[OBJARGS_WHY_MAX];

	if (generic_failed_fd(w, a))
		return 0;
	if (a->flags & EVA_ERROR) {
		snprintf(why, sizeof(why), "could not read %s argument%s",
		    generic_arg_type_name(a->type), (a->flags & EVA_FAULT) ?
		    ": user memory not readable without faulting a page in" :
		    "");
		jw_kobj(w, "error_arg");
		jw_kstr(w, "Message", why);
		jw_end(w);
		return 0;
	}
	if (objargs_handles(a->type)) {
		if (objargs_json(w, a, why, sizeof(why)) == 0)
			return 0;
		/* nothing was written */
		jw_kobj(w, "error_arg");
		jw_kstr(w, "Message", why);
		jw_end(w);
		return 1;
	}
	switch (a->type) {
	case POL_ARG_STRING:
	case POL_ARG_FILENAME:
	case POL_ARG_DATA_LOC:
		jw_kstrn(w, "string_arg", a->data, a->len);
		return 0;
	case POL_ARG_CHAR_BUF:
	case POL_ARG_CHAR_IOVEC:
	case POL_ARG_CONST_BUF:
		if (a->flags & EVA_TRUNC) {
			jw_kobj(w, "truncated_bytes_arg");
			jw_key(w, "bytes_arg");
			generic_b64(w, a->data, a->len);
			jw_key(w, "orig_size");
			jw_uint_str(w, a->aux);
			jw_end(w);
		} else {
			jw_key(w, "bytes_arg");
			generic_b64(w, a->data, a->len);
		}
		return 0;
	case POL_ARG_FD:	/* aux is the fd number, not a mode */
		jw_kobj(w, "file_arg");
		if (a->len > 0)
			jw_kstrn(w, "path", a->data, a->len);
		jw_end(w);
		return 0;
	case POL_ARG_SOCKADDR:
		memcpy(&sa, a->data, sizeof(sa));
		jw_kobj(w, "sockaddr_arg");
		jw_kstr(w, "family", objargs_family(sa.family, fam,
		    sizeof(fam)));
		jw_kstr_opt(w, "addr", generic_addr(&sa, addr, sizeof(addr)));
		if (sa.port != 0)
			jw_kuint(w, "port", sa.port);
		jw_end(w);
		return 0;
	default:
		/* decode_record admits no other type */
		jw_kobj(w, "error_arg");
		jw_kstr(w, "Message", "unknown argument type");
		jw_end(w);
		return 1;
	}
}

/* One argument object as an element of w. */
static int
generic_arg_jw(struct jsonw *w, const struct dec_arg *a, const char *label)
{
	int	 bad = 0;

	jw_obj(w);
	if ((a->flags & EVA_ERROR) == 0 && decode_arg_is_int(a->type))
		generic_int_member(w, a->type, a->num);
	else
		bad = generic_arg_member(w, a);
	if (label != NULL && label[0] != '\0')
		jw_kstr(w, "label", label);
	jw_end(w);
	return bad;
}

int
generic_arg_json(struct sbuf *sb, const struct dec_arg *a,
    const char *label)
{
	struct jsonw	 w;

	jw_init(&w, sb);
	return generic_arg_jw(&w, a, label);
}

static void
generic_esc(struct sbuf *sb, const uint8_t *p, size_t len)
{
	size_t	 cap = len * 4 + 1;
	char	*tmp = xmalloc(cap);

	str_escape(tmp, cap, (const char *)p, len);
	sbuf_adds(sb, tmp);
	free(tmp);
}

void
generic_arg_compact(struct sbuf *sb, const struct dec_arg *a)
{
	struct ev_sockaddr	 sa;
	char			 fam[16], addr[INET6_ADDRSTRLEN];
	const char		*name;
	int64_t			 sv;

	if (generic_is_failed_fd(a)) {
		sbuf_addf(sb, "%" PRId32, (int32_t)a->aux);
		return;
	}
	if (a->flags & EVA_ERROR) {
		sbuf_adds(sb, "?");
		return;
	}
	if (objargs_handles(a->type)) {
		objargs_compact(sb, a);
		return;
	}
	switch (a->type) {
	case POL_ARG_INT:
		sv = (int32_t)a->num;
		sbuf_addf(sb, "%" PRId64, sv);
		break;
	case POL_ARG_INT16:
		sbuf_addf(sb, "%d", (int)(int16_t)a->num);
		break;
	case POL_ARG_INT8:
		sbuf_addf(sb, "%d", (int)(int8_t)a->num);
		break;
	case POL_ARG_UINT32:
		sbuf_addf(sb, "%" PRIu32, (uint32_t)a->num);
		break;
	case POL_ARG_UINT16:
		sbuf_addf(sb, "%u", (unsigned int)(uint16_t)a->num);
		break;
	case POL_ARG_UINT8:
		sbuf_addf(sb, "%u", (unsigned int)(uint8_t)a->num);
		break;
	case POL_ARG_INT64:
		sbuf_addf(sb, "%" PRId64, (int64_t)a->num);
		break;
	case POL_ARG_UINT64:
	case POL_ARG_SIZE_T:
		sbuf_addf(sb, "%" PRIu64, a->num);
		break;
	case POL_ARG_SYSCALL64:
		sbuf_addf(sb, "%" PRIu32, (uint32_t)(a->num & 0x7fffffff));
		break;
	case POL_ARG_BPF_CMD:
		if (a->num < GEN_NELEM(gen_bpf_cmds))
			sbuf_adds(sb, gen_bpf_cmds[a->num]);
		else
			sbuf_addf(sb, "%" PRIu64, a->num);
		break;
	case POL_ARG_CAPABILITY:
		if ((name = objargs_cap_name(a->num)) != NULL)
			sbuf_adds(sb, name);
		else
			sbuf_addf(sb, "%" PRIu64, a->num);
		break;
	case POL_ARG_KERNEL_CAP:
		sbuf_addf(sb, "0x%016" PRIx64, a->num);
		break;
	case POL_ARG_CHAR_BUF:
	case POL_ARG_CHAR_IOVEC:
	case POL_ARG_CONST_BUF:
		sbuf_addc(sb, '"');
		generic_esc(sb, a->data, a->len > GEN_COMPACT_BUF ?
		    GEN_COMPACT_BUF : a->len);
		sbuf_addc(sb, '"');
		if (a->len > GEN_COMPACT_BUF || (a->flags & EVA_TRUNC))
			sbuf_adds(sb, "...");
		break;
	case POL_ARG_SOCKADDR:
		memcpy(&sa, a->data, sizeof(sa));
		if (generic_addr(&sa, addr, sizeof(addr))[0] == '\0')
			sbuf_adds(sb, objargs_family(sa.family, fam,
			    sizeof(fam)));
		else if (sa.family == AF_INET6)
			sbuf_addf(sb, "[%s]:%u", addr, sa.port);
		else
			sbuf_addf(sb, "%s:%u", addr, sa.port);
		break;
	case POL_ARG_NOP:
		break;
	default:	/* strings and paths */
		if (a->len == 0)
			sbuf_adds(sb, "\"\"");
		else
			generic_esc(sb, a->data, a->len);
		break;
	}
}

static void
generic_function(struct gen_render *r, const struct dec_event *ev,
    const struct ipc_hook *h)
{
	if (h == NULL) {
		sbuf_addf(&r->function, "unknown hook %" PRIu32, ev->hook_id);
		return;
	}
	switch (h->kind) {
	case POL_HOOK_TRACEPOINT:
	case POL_HOOK_RAW_TRACEPOINT:
		sbuf_adds(&r->function, h->subsys);
		sbuf_addc(&r->function, '/');
		sbuf_adds(&r->function, h->event);
		break;
	default:	/* kprobe, lsm: function; uprobe: symbol */
		sbuf_adds(&r->function, h->function);
		break;
	}
}

static void
generic_return(struct gen_render *r, const struct dec_event *ev,
    const struct ipc_hook *h)
{
	if (!(ev->gflags & EVG_F_RETURN))
		return;
	if (ev->has_retarg)
		r->nbad += (size_t)generic_arg_json(&r->ret, &ev->retarg,
		    NULL);
	else if (h != NULL && h->ret_type != POL_ARG_NONE)
		generic_int_json(&r->ret, decode_arg_is_int((uint8_t)
		    h->ret_type) ? (uint8_t)h->ret_type : POL_ARG_INT64,
		    (uint64_t)ev->ret);
}

static void
generic_alerts(struct gen_render *r, const struct dec_event *ev,
    const struct ipc_hook *h)
{
	if (h == NULL || ev->sel >= IPC_HOOK_SEL)
		return;
	if ((ev->actions & (1U << POL_ACT_GETURL)) &&
	    h->sel_url[ev->sel][0] != '\0') {
		r->alerts[r->nalerts].kind = "geturl";
		r->alerts[r->nalerts++].target = h->sel_url[ev->sel];
	}
	if ((ev->actions & (1U << POL_ACT_DNSLOOKUP)) &&
	    h->sel_fqdn[ev->sel][0] != '\0') {
		r->alerts[r->nalerts].kind = "dnslookup";
		r->alerts[r->nalerts++].target = h->sel_fqdn[ev->sel];
	}
}

/*
 * The args array when every shown argument is an integer of at most 32
 * bits or a string (the common case: syscall arguments), written at once
 * as the jsonw path would write it.  0: some argument is not, nothing
 * written (the jsonw path renders them all).
 */
static int
generic_args_fast(struct gen_render *r, const struct dec_event *ev,
    const struct ipc_hook *h, size_t *nshown)
{
	const struct dec_arg	*a;
	const char		*label;
	size_t			 i, n = 0, room = 2;
	char			*d;

	for (i = 0; i < ev->ngargs; i++) {
		a = &ev->gargs[i];
		if (a->type == POL_ARG_NOP && !(a->flags & EVA_ERROR))
			continue;
		if (a->flags & EVA_ERROR)
			return 0;
		switch (a->type) {
		case POL_ARG_INT:
		case POL_ARG_INT16:
		case POL_ARG_INT8:
		case POL_ARG_UINT32:
		case POL_ARG_UINT16:
		case POL_ARG_UINT8:
			room += 32;
			break;
		case POL_ARG_STRING:
		case POL_ARG_FILENAME:
		case POL_ARG_DATA_LOC:
			room += 20 + JW_STR_MAX(a->len);
			break;
		default:
			return 0;
		}
		label = h != NULL && i < h->nargs ? h->arg_label[i] : NULL;
		if (label != NULL && label[0] != '\0')
			room += 10 + JW_STR_MAX(strlen(label));
	}
	sbuf_reserve(&r->args, room);
	d = r->args.buf + r->args.len;
	*d++ = '[';
	for (i = 0; i < ev->ngargs; i++) {
		a = &ev->gargs[i];
		if (a->type == POL_ARG_NOP && !(a->flags & EVA_ERROR))
			continue;
		if (n++ > 0)
			*d++ = ',';
		*d++ = '{';
		switch (a->type) {
		case POL_ARG_INT:
			d = GEN_LIT(d, "\"int_arg\":");
			d = jw_put_int(d, (int32_t)a->num);
			break;
		case POL_ARG_INT16:
			d = GEN_LIT(d, "\"int_arg\":");
			d = jw_put_int(d, (int16_t)a->num);
			break;
		case POL_ARG_INT8:
			d = GEN_LIT(d, "\"int_arg\":");
			d = jw_put_int(d, (int8_t)a->num);
			break;
		case POL_ARG_UINT32:
			d = GEN_LIT(d, "\"uint_arg\":");
			d = jw_put_uint(d, (uint32_t)a->num);
			break;
		case POL_ARG_UINT16:
			d = GEN_LIT(d, "\"uint_arg\":");
			d = jw_put_uint(d, (uint16_t)a->num);
			break;
		case POL_ARG_UINT8:
			d = GEN_LIT(d, "\"uint_arg\":");
			d = jw_put_uint(d, (uint8_t)a->num);
			break;
		default:	/* the string types */
			d = GEN_LIT(d, "\"string_arg\":");
			d = jw_put_str(d, a->data, a->len);
			break;
		}
		label = h != NULL && i < h->nargs ? h->arg_label[i] : NULL;
		if (label != NULL && label[0] != '\0') {
			d = GEN_LIT(d, ",\"label\":");
			d = jw_put_str(d, label, strlen(label));
		}
		*d++ = '}';
	}
	*d++ = ']';
	r->args.len = (size_t)(d - r->args.buf);
	r->args.buf[r->args.len] = '\0';
	*nshown = n;
	return 1;
}

void
generic_render(struct gen_render *r, const struct dec_event *ev,
    const struct ipc_hook *h)
{
	struct jsonw	 w;
	const char	*label;
	size_t		 i, n;

	sbuf_reset(&r->function);
	sbuf_reset(&r->args);
	sbuf_reset(&r->ret);
	sbuf_reset(&r->actions);
	sbuf_reset(&r->would);
	sbuf_reset(&r->kstack);
	sbuf_reset(&r->ustack);
	sbuf_reset(&r->stacks);
	r->hook = h;
	r->type = generic_event_type(h != NULL ? h->kind : 0);
	r->kind = generic_kind_word(h != NULL ? h->kind : 0);
	r->action = generic_main_action(ev->actions);
	r->policy = h != NULL && h->policy[0] != '\0' ? h->policy : NULL;
	r->message = h != NULL && h->message[0] != '\0' ? h->message : NULL;
	r->tags = NULL;
	if (h != NULL && h->tags_json[0] != '\0' &&
	    strspn(h->tags_json, "[] \t\r\n") != strlen(h->tags_json))
		r->tags = h->tags_json;
	r->nalerts = 0;
	r->nbad = 0;
	r->rendered = 0;
	r->late = (ev->gflags & EVG_F_LATE) != 0;

	generic_function(r, ev, h);
	if (generic_args_fast(r, ev, h, &n))
		goto args_done;
	jw_init(&w, &r->args);
	jw_arr(&w);
	for (i = 0, n = 0; i < ev->ngargs; i++) {
		/* nop keeps the positions (labels) but is not shown */
		if (ev->gargs[i].type == POL_ARG_NOP &&
		    !(ev->gargs[i].flags & EVA_ERROR))
			continue;
		label = h != NULL && i < h->nargs ? h->arg_label[i] : NULL;
		n++;
		r->nbad += (size_t)generic_arg_jw(&w, &ev->gargs[i], label);
	}
	jw_end(&w);
args_done:
	r->nshown = n;
	generic_return(r, ev, h);
	generic_actions_json(&r->actions, ev->actions);
	if (ev->gflags & EVG_F_MONITOR)
		generic_actions_json(&r->would, ev->would);
	generic_alerts(r, ev, h);
}

void
generic_render_clear(struct gen_render *r)
{
	sbuf_clear(&r->function);
	sbuf_clear(&r->args);
	sbuf_clear(&r->ret);
	sbuf_clear(&r->actions);
	sbuf_clear(&r->would);
	sbuf_clear(&r->line);
	sbuf_clear(&r->compact);
	sbuf_clear(&r->call_args);
	sbuf_clear(&r->kstack);
	sbuf_clear(&r->ustack);
	sbuf_clear(&r->stacks);
	memset(r, 0, sizeof(*r));
}
