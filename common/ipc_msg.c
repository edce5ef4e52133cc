/*
 * common/ipc_msg.c -- msgpack codec for every IPC message type.
 *
 * Each payload is one msgpack array whose length and element types are
 * fixed per message type and described by a field table below.  The codec
 * is pure (no I/O besides the ipc_msg_send/queue/recv wrappers of the
 * transport) so it can be fuzzed.
 * Decoding is strict: exactly one object, no trailing bytes, the exact
 * array length (checked on the bytes before msgpack-c allocates anything
 * from a count), unsigned integers only and within the field's width,
 * strings of type str (not bin) without NUL and at most IPC_MSG_MAX_STR.
 */
#include "build.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"

enum ipc_field_kind {
	IPC_F_U32,
	IPC_F_U64,
	IPC_F_STR,
};

struct ipc_field {
	enum ipc_field_kind	 kind;
	size_t			 off;
};

#define F(kind, st, member)	{ kind, offsetof(st, member) }

static const struct ipc_field ipc_f_ringbuf[] = {
	F(IPC_F_U64, struct ipc_ringbuf, size),
	F(IPC_F_U32, struct ipc_ringbuf, abi_version),
};
static const struct ipc_field ipc_f_ready[] = {
	F(IPC_F_U32, struct ipc_ready, pid),
	F(IPC_F_U32, struct ipc_ready, uid),
};
static const struct ipc_field ipc_f_stats[] = {
	F(IPC_F_U64, struct ipc_collect_stats, records),
	F(IPC_F_U64, struct ipc_collect_stats, malformed),
	F(IPC_F_U64, struct ipc_collect_stats, events_stored),
	F(IPC_F_U64, struct ipc_collect_stats, db_errors),
	F(IPC_F_U64, struct ipc_collect_stats, cache_entries),
	F(IPC_F_U64, struct ipc_collect_stats, exported),
	F(IPC_F_U64, struct ipc_collect_stats, uncommitted),
	F(IPC_F_U64, struct ipc_collect_stats, lag_ns),
	F(IPC_F_U64, struct ipc_collect_stats, alerts_queued),
	F(IPC_F_U64, struct ipc_collect_stats, alerts_delivered),
	F(IPC_F_U64, struct ipc_collect_stats, alerts_retried),
	F(IPC_F_U64, struct ipc_collect_stats, alerts_dead),
	F(IPC_F_U64, struct ipc_collect_stats, alerts_unrouted),
	F(IPC_F_U64, struct ipc_collect_stats, ret_steps),
	F(IPC_F_U64, struct ipc_collect_stats, ret_events),
	F(IPC_F_U64, struct ipc_collect_stats, ret_processes),
	F(IPC_F_U64, struct ipc_collect_stats, ret_outbox),
	F(IPC_F_U64, struct ipc_collect_stats, ret_drops),
	F(IPC_F_U64, struct ipc_collect_stats, ret_errors),
};
static const struct ipc_field ipc_f_health[] = {
	F(IPC_F_U64, struct ipc_health, seq),
	F(IPC_F_U64, struct ipc_health, uptime_ms),
};
static const struct ipc_field ipc_f_notify_stats[] = {
	F(IPC_F_U64, struct ipc_notify_stats, refused_target),
	F(IPC_F_U64, struct ipc_notify_stats, refused_event),
};
static const struct ipc_field ipc_f_text[] = {
	F(IPC_F_STR, struct ipc_text, text),
};

#define HOOK_ARR(kind, member) \
	F(kind, struct ipc_hook, member[0]), \
	F(kind, struct ipc_hook, member[1]), \
	F(kind, struct ipc_hook, member[2]), \
	F(kind, struct ipc_hook, member[3]), \
	F(kind, struct ipc_hook, member[4])
static const struct ipc_field ipc_f_hook[] = {
	F(IPC_F_U32, struct ipc_hook, id),
	F(IPC_F_U32, struct ipc_hook, gen),
	F(IPC_F_U32, struct ipc_hook, kind),
	F(IPC_F_U32, struct ipc_hook, mode),
	F(IPC_F_STR, struct ipc_hook, policy),
	F(IPC_F_STR, struct ipc_hook, function),
	F(IPC_F_STR, struct ipc_hook, subsys),
	F(IPC_F_STR, struct ipc_hook, event),
	F(IPC_F_STR, struct ipc_hook, path),
	F(IPC_F_STR, struct ipc_hook, message),
	F(IPC_F_STR, struct ipc_hook, tags_json),
	F(IPC_F_U32, struct ipc_hook, nargs),
	HOOK_ARR(IPC_F_U32, arg_type),
	HOOK_ARR(IPC_F_STR, arg_label),
	F(IPC_F_U32, struct ipc_hook, ret_type),
	HOOK_ARR(IPC_F_STR, sel_url),
	HOOK_ARR(IPC_F_STR, sel_fqdn),
};
#undef HOOK_ARR
static const struct ipc_field ipc_f_hook_del[] = {
	F(IPC_F_U32, struct ipc_hook_del, id),
	F(IPC_F_U32, struct ipc_hook_del, gen),
};
static const struct ipc_field ipc_f_drops[] = {
	F(IPC_F_U64, struct ipc_drops, time_ns),
	F(IPC_F_U64, struct ipc_drops, count),
	F(IPC_F_U64, struct ipc_drops, total),
	F(IPC_F_U32, struct ipc_drops, source),
	F(IPC_F_U32, struct ipc_drops, hook_id),
	F(IPC_F_U32, struct ipc_drops, hook_gen),
	F(IPC_F_STR, struct ipc_drops, policy),
	F(IPC_F_STR, struct ipc_drops, function),
};
static const struct ipc_field ipc_f_policy_add[] = {
	F(IPC_F_STR, struct ipc_policy_add, file),
	F(IPC_F_STR, struct ipc_policy_add, yaml),
	F(IPC_F_U32, struct ipc_policy_add, mode),
};
static const struct ipc_field ipc_f_name[] = {
	F(IPC_F_STR, struct ipc_name, name),
};
static const struct ipc_field ipc_f_policy_mode[] = {
	F(IPC_F_STR, struct ipc_policy_mode, name),
	F(IPC_F_U32, struct ipc_policy_mode, mode),
};
static const struct ipc_field ipc_f_rotate[] = {
	F(IPC_F_U64, struct ipc_rotate, size),
};
static const struct ipc_field ipc_f_jsonfd[] = {
	F(IPC_F_U32, struct ipc_jsonfd, rotated),
};
static const struct ipc_field ipc_f_ksyms[] = {
	F(IPC_F_U32, struct ipc_ksyms, flags),
};
static const struct ipc_field ipc_f_peer[] = {
	F(IPC_F_U32, struct ipc_peer, generation),
};
static const struct ipc_field ipc_f_alertcfg[] = {
	F(IPC_F_STR, struct ipc_alertcfg, file),
	F(IPC_F_STR, struct ipc_alertcfg, yaml),
};
static const struct ipc_field ipc_f_alert_job[] = {
	F(IPC_F_U64, struct ipc_alert_job, job_id),
	F(IPC_F_U32, struct ipc_alert_job, attempt),
	F(IPC_F_U32, struct ipc_alert_job, count),
	F(IPC_F_STR, struct ipc_alert_job, receiver),
	F(IPC_F_STR, struct ipc_alert_job, kind),
	F(IPC_F_STR, struct ipc_alert_job, target),
	F(IPC_F_STR, struct ipc_alert_job, idem_key),
	F(IPC_F_STR, struct ipc_alert_job, severity),
	F(IPC_F_STR, struct ipc_alert_job, title),
	F(IPC_F_STR, struct ipc_alert_job, text),
	F(IPC_F_STR, struct ipc_alert_job, event_json),
};
static const struct ipc_field ipc_f_alert_result[] = {
	F(IPC_F_U64, struct ipc_alert_result, job_id),
	F(IPC_F_U32, struct ipc_alert_result, status),
	F(IPC_F_U32, struct ipc_alert_result, code),
	F(IPC_F_U64, struct ipc_alert_result, retry_after_ms),
	F(IPC_F_U64, struct ipc_alert_result, duration_us),
	F(IPC_F_STR, struct ipc_alert_result, detail),
};
static const struct ipc_field ipc_f_syslog_msg[] = {
	F(IPC_F_U64, struct ipc_syslog_msg, id),
	F(IPC_F_STR, struct ipc_syslog_msg, msg),
};
static const struct ipc_field ipc_f_syslog_ack[] = {
	F(IPC_F_U64, struct ipc_syslog_ack, id),
	F(IPC_F_U32, struct ipc_syslog_ack, status),
	F(IPC_F_STR, struct ipc_syslog_ack, detail),
};
static const struct ipc_field ipc_f_fwd_stats[] = {
	F(IPC_F_U64, struct ipc_fwd_stats, forwarded),
	F(IPC_F_U64, struct ipc_fwd_stats, skipped),
	F(IPC_F_U64, struct ipc_fwd_stats, failures),
	F(IPC_F_U64, struct ipc_fwd_stats, backlog),
	F(IPC_F_U64, struct ipc_fwd_stats, cursor),
	F(IPC_F_U64, struct ipc_fwd_stats, refused),
};

#undef F

struct ipc_type_desc {
	uint16_t		 type;
	const char		*name;
	enum ipc_proc		 from;
	enum ipc_proc		 to;
	int			 has_fd;
	const struct ipc_field	*fields;	/* the codec; NULL: no fields */
	size_t			 nfields;
};

#define L	IPC_PROC_LOADERD
#define C	IPC_PROC_COLLECTORD
#define N	IPC_PROC_NOTIFIERD
#define CTL	IPC_PROC_CTL
#define T(type, from, to, fd, f) \
	{ type, #type, from, to, fd, f, sizeof(f) / sizeof((f)[0]) }
#define T0(type, from, to)	{ type, #type, from, to, 0, NULL, 0 }

static const struct ipc_type_desc ipc_types[] = {
	/*  type			from to  fd  fields */
	T(IPC_COLLECT_RINGBUF,		L, C, 1, ipc_f_ringbuf),
	T(IPC_COLLECT_READY,		C, L, 0, ipc_f_ready),
	T(IPC_COLLECT_STATS,		C, L, 0, ipc_f_stats),
	T(IPC_COLLECT_HOOK,		L, C, 0, ipc_f_hook),
	T(IPC_COLLECT_HOOK_DEL,		L, C, 0, ipc_f_hook_del),
	T(IPC_COLLECT_DROPS,		L, C, 0, ipc_f_drops),
	T(IPC_COLLECT_PEER,		L, C, 1, ipc_f_peer),
	T(IPC_COLLECT_ALERTCFG,		L, C, 0, ipc_f_alertcfg),
	T(IPC_COLLECT_HEALTH_REQ,	L, C, 0, ipc_f_health),
	T(IPC_COLLECT_HEALTH_ANS,	C, L, 0, ipc_f_health),
	T(IPC_ALERT_JOB,		C, N, 0, ipc_f_alert_job),
	T(IPC_ALERT_RESULT,		N, C, 0, ipc_f_alert_result),
	T(IPC_SYSLOG_MSG,		C, N, 0, ipc_f_syslog_msg),
	T(IPC_SYSLOG_ACK,		N, C, 0, ipc_f_syslog_ack),
	T(IPC_COLLECT_FWD_STATS,	C, L, 0, ipc_f_fwd_stats),
	T(IPC_COLLECT_ROTATE,		C, L, 0, ipc_f_rotate),
	T(IPC_COLLECT_JSONFD,		L, C, 1, ipc_f_jsonfd),
	T(IPC_COLLECT_KSYMS,		L, C, 1, ipc_f_ksyms),
	T(IPC_NOTIFY_READY,		N, L, 0, ipc_f_ready),
	T(IPC_NOTIFY_HEALTH_REQ,	L, N, 0, ipc_f_health),
	T(IPC_NOTIFY_HEALTH_ANS,	N, L, 0, ipc_f_health),
	T(IPC_NOTIFY_CONFIG,		L, N, 0, ipc_f_alertcfg),
	T(IPC_NOTIFY_TARGETS,		L, N, 0, ipc_f_text),
	T(IPC_NOTIFY_STATS,		N, L, 0, ipc_f_notify_stats),
	T0(IPC_CTL_STATUS_REQ,		CTL, L),
	T0(IPC_CTL_STATUS_JSON_REQ,	CTL, L),
	T0(IPC_CTL_STATUS_PROM_REQ,	CTL, L),
	T(IPC_CTL_STATUS_ANS,		L, CTL, 0, ipc_f_text),
	T(IPC_CTL_POLICY_ADD,		CTL, L, 0, ipc_f_policy_add),
	T(IPC_CTL_POLICY_DEL,		CTL, L, 0, ipc_f_name),
	T0(IPC_CTL_POLICY_LIST_REQ,	CTL, L),
	T0(IPC_CTL_POLICY_LIST_JSON_REQ, CTL, L),
	T(IPC_CTL_POLICY_MODE,		CTL, L, 0, ipc_f_policy_mode),
	T0(IPC_CTL_RELOAD,		CTL, L),
	T(IPC_CTL_ERROR,		L, CTL, 0, ipc_f_text),
};

#undef T0
#undef T
#undef CTL
#undef N
#undef C
#undef L

static const struct ipc_type_desc *
ipc_msg_desc(uint16_t type)
{
	size_t	 i;

	for (i = 0; i < sizeof(ipc_types) / sizeof(ipc_types[0]); i++)
		if (ipc_types[i].type == type)
			return &ipc_types[i];
	return NULL;
}

int
ipc_type_has_fd(uint16_t type)
{
	const struct ipc_type_desc *d = ipc_msg_desc(type);

	return d != NULL && d->has_fd;
}

int
ipc_type_known(uint16_t type)
{
	return ipc_msg_desc(type) != NULL;
}

int
ipc_type_allowed(uint16_t type, enum ipc_proc from, enum ipc_proc to)
{
	const struct ipc_type_desc *d = ipc_msg_desc(type);

	return d != NULL && d->from == from && d->to == to;
}

const char *
ipc_msg_type_name(uint16_t type)
{
	const struct ipc_type_desc *d = ipc_msg_desc(type);

	return d != NULL ? d->name : "unknown";
}

int
ipc_msg_encode(uint16_t type, const void *msg, uint8_t **out,
    size_t *outlen)
{
	const struct ipc_type_desc *d;
	const struct ipc_field *f;
	const char	*base = msg;
	msgpack_sbuffer	 sb;
	msgpack_packer	 pk;
	uint64_t	 u64;
	uint32_t	 u32;
	const char	*s;
	size_t		 i, slen;
	int		 r = 0;

	*out = NULL;
	*outlen = 0;
	if ((d = ipc_msg_desc(type)) == NULL)
		return ERR_TYPE;
	if (d->nfields > 0 && msg == NULL)
		return ERR_PARSE;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (msgpack_pack_array(&pk, d->nfields) != 0) {
		r = ERR_NOMEM;
		goto fail;
	}
	for (i = 0; i < d->nfields; i++) {
		f = &d->fields[i];
		switch (f->kind) {
		case IPC_F_U32:
			memcpy(&u32, base + f->off, sizeof(u32));
			if (msgpack_pack_uint32(&pk, u32) != 0)
				r = ERR_NOMEM;
			break;
		case IPC_F_U64:
			memcpy(&u64, base + f->off, sizeof(u64));
			if (msgpack_pack_uint64(&pk, u64) != 0)
				r = ERR_NOMEM;
			break;
		case IPC_F_STR:
			memcpy(&s, base + f->off, sizeof(s));
			if (s == NULL) {
				r = ERR_PARSE;
				break;
			}
			if ((slen = strnlen(s, IPC_MSG_MAX_STR + 1)) >
			    IPC_MSG_MAX_STR) {
				r = ERR_TOOBIG;
				break;
			}
			if (msgpack_pack_str(&pk, slen) != 0 ||
			    msgpack_pack_str_body(&pk, s, slen) != 0)
				r = ERR_NOMEM;
			break;
		}
		if (r != 0)
			goto fail;
	}
	if (sb.size > IPC_MAX_PAYLOAD) {
		r = ERR_TOOBIG;
		goto fail;
	}
	*outlen = sb.size;
	*out = (uint8_t *)msgpack_sbuffer_release(&sb);
	if (*out == NULL) {
		/* cannot happen: the array header is always written */
		*outlen = 0;
		return ERR_NOMEM;
	}
	return 0;
fail:
	msgpack_sbuffer_destroy(&sb);
	return r;
}

/* Free strings already decoded into msg (fields before index upto). */
static void
ipc_msg_free_strs(const struct ipc_type_desc *d, char *base, size_t upto)
{
	char	*s;
	size_t	 i;

	for (i = 0; i < upto; i++) {
		if (d->fields[i].kind != IPC_F_STR)
			continue;
		memcpy(&s, base + d->fields[i].off, sizeof(s));
		free(s);
		s = NULL;
		memcpy(base + d->fields[i].off, &s, sizeof(s));
	}
}

/* Big-endian unsigned of w bytes (w <= 8). */
static uint64_t
ipc_mp_be(const uint8_t *p, size_t w)
{
	uint64_t v = 0;

	while (w-- > 0)
		v = v << 8 | *p++;
	return v;
}

/*
 * One element's header at p[*off]: its kind (an integer of any msgpack
 * format, or a str) and the bytes it spans must fit in len.  Advances
 * *off past the element.  1 if it is a field of kind `kind`, else 0.
 */
static int
ipc_mp_scalar(const uint8_t *p, size_t len, size_t *off,
    enum ipc_field_kind kind)
{
	uint8_t	 b;
	size_t	 w = 0;
	uint64_t n = 0;

	if (*off >= len)
		return 0;
	b = p[(*off)++];
	if (kind != IPC_F_STR) {
		if (b <= 0x7f)				/* positive fixint */
			return 1;
		if (b >= 0xcc && b <= 0xcf)		/* uint8..64 */
			w = (size_t)1 << (b - 0xcc);
		else if (b >= 0xd0 && b <= 0xd3)	/* int8..64 */
			w = (size_t)1 << (b - 0xd0);
		else
			return 0;
	} else if ((b & 0xe0) == 0xa0)			/* fixstr */
		n = b & 0x1f;
	else if (b >= 0xd9 && b <= 0xdb) {		/* str8..32 */
		w = (size_t)1 << (b - 0xd9);
		if (len - *off < w)
			return 0;
		n = ipc_mp_be(p + *off, w);
		*off += w;
		w = 0;
		if (n > IPC_MSG_MAX_STR)
			return 0;
	} else
		return 0;
	if (len - *off < w + n)
		return 0;
	*off += w + n;
	return 1;
}

/*
 * The payload's shape from its bytes, before msgpack-c sees them: its
 * unpacker allocates an array's or map's elements from the count in the
 * header, so a few bytes from a peer could reserve gigabytes.  One array
 * of exactly the type's field count, each element an integer or a str as
 * the field wants, within len and ending at len.  1 if so.
 */
static int
ipc_msg_shape_ok(const struct ipc_type_desc *d, const uint8_t *p, size_t len)
{
	size_t	 off = 1, w = 0, i;
	uint64_t n;

	if ((p[0] & 0xf0) == 0x90)			/* fixarray */
		n = p[0] & 0x0f;
	else if (p[0] == 0xdc || p[0] == 0xdd) {	/* array16/32 */
		w = p[0] == 0xdc ? 2 : 4;
		if (len - off < w)
			return 0;
		n = ipc_mp_be(p + off, w);
		off += w;
	} else
		return 0;
	if (n != d->nfields)
		return 0;
	for (i = 0; i < d->nfields; i++)
		if (!ipc_mp_scalar(p, len, &off, d->fields[i].kind))
			return 0;
	return off == len;
}

int
ipc_msg_decode(uint16_t type, const uint8_t *payload, size_t len,
    void *msg)
{
	const struct ipc_type_desc *d;
	const struct ipc_field *f;
	char		*base = msg;
	msgpack_unpacked res;
	msgpack_unpack_return ret;
	msgpack_object	*o;
	size_t		 off = 0, i;
	uint32_t	 u32;
	uint64_t	 u64;
	char		*s;
	int		 r = ERR_PARSE;

	if ((d = ipc_msg_desc(type)) == NULL)
		return ERR_TYPE;
	if ((d->nfields > 0 && msg == NULL) || payload == NULL || len == 0)
		return ERR_PARSE;
	if (!ipc_msg_shape_ok(d, payload, len))
		return ERR_PARSE;

	msgpack_unpacked_init(&res);
	ret = msgpack_unpack_next(&res, (const char *)payload, len, &off);
	if (ret != MSGPACK_UNPACK_SUCCESS || off != len)
		goto out;
	if (res.data.type != MSGPACK_OBJECT_ARRAY ||
	    res.data.via.array.size != d->nfields)
		goto out;
	for (i = 0; i < d->nfields; i++) {
		f = &d->fields[i];
		o = &res.data.via.array.ptr[i];
		switch (f->kind) {
		case IPC_F_U32:
			if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
			    o->via.u64 > UINT32_MAX)
				goto fail;
			u32 = (uint32_t)o->via.u64;
			memcpy(base + f->off, &u32, sizeof(u32));
			break;
		case IPC_F_U64:
			if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
				goto fail;
			u64 = o->via.u64;
			memcpy(base + f->off, &u64, sizeof(u64));
			break;
		case IPC_F_STR:
			if (o->type != MSGPACK_OBJECT_STR ||
			    o->via.str.size > IPC_MSG_MAX_STR ||
			    (o->via.str.size > 0 &&
			    memchr(o->via.str.ptr, '\0',
			    o->via.str.size) != NULL))
				goto fail;
			if ((s = malloc(o->via.str.size + 1)) == NULL) {
				r = ERR_NOMEM;
				goto fail;
			}
			if (o->via.str.size > 0)
				memcpy(s, o->via.str.ptr, o->via.str.size);
			s[o->via.str.size] = '\0';
			memcpy(base + f->off, &s, sizeof(s));
			break;
		}
	}
	r = 0;
	goto out;
fail:
	/* strings of fields 0..i-1 were allocated; release them */
	ipc_msg_free_strs(d, base, i);
out:
	msgpack_unpacked_destroy(&res);
	return r;
}

void
ipc_msg_free_fields(uint16_t type, void *msg)
{
	const struct ipc_type_desc *d;

	if ((d = ipc_msg_desc(type)) != NULL && msg != NULL)
		ipc_msg_free_strs(d, msg, d->nfields);
}

/* The fd rule of the table: an fd exactly on the types that carry one. */
static int
ipc_msg_fd_ok(uint16_t type, int fd)
{
	return (fd >= 0) == (ipc_type_has_fd(type) != 0);
}

int
ipc_msg_send_payload(int sock, uint16_t type, const void *payload,
    size_t len, int fd)
{
	if (!ipc_msg_fd_ok(type, fd))
		return ERR_FD;
	return ipc_send(sock, type, payload, len, fd);
}

int
ipc_msg_queue_payload(struct ipc_queue *q, uint16_t type,
    const void *payload, size_t len, int fd)
{
	if (!ipc_msg_fd_ok(type, fd))
		return ERR_FD;
	return ipc_queue_add(q, type, payload, len, fd);
}

int
ipc_msg_recv(int sock, struct ipc_msg *m)
{
	int	 r;

	if ((r = ipc_recv(sock, m)) != 0)
		return r;
	if (!ipc_msg_fd_ok(m->type, m->fd)) {
		ipc_msg_clear(m);
		return ERR_FD;
	}
	return 0;
}

int
ipc_msg_send(int sock, uint16_t type, const void *msg, int fd)
{
	uint8_t	*buf;
	size_t	 len;
	int	 r;

	if ((r = ipc_msg_encode(type, msg, &buf, &len)) != 0)
		return r;
	r = ipc_msg_send_payload(sock, type, buf, len, fd);
	free(buf);
	return r;
}

int
ipc_msg_queue(struct ipc_queue *q, uint16_t type, const void *msg, int fd)
{
	uint8_t	*buf;
	size_t	 len;
	int	 r;

	if ((r = ipc_msg_encode(type, msg, &buf, &len)) != 0)
		return r;
	r = ipc_msg_queue_payload(q, type, buf, len, fd);
	free(buf);
	return r;
}

void
ipc_hook_clear(struct ipc_hook *h)
{
	size_t	 i;

	if (h == NULL)
		return;
	free(h->policy);
	free(h->function);
	free(h->subsys);
	free(h->event);
	free(h->path);
	free(h->message);
	free(h->tags_json);
	for (i = 0; i < IPC_HOOK_ARGS; i++)
		free(h->arg_label[i]);
	for (i = 0; i < IPC_HOOK_SEL; i++) {
		free(h->sel_url[i]);
		free(h->sel_fqdn[i]);
	}
	memset(h, 0, sizeof(*h));
}

void
ipc_drops_clear(struct ipc_drops *d)
{
	if (d == NULL)
		return;
	free(d->policy);
	free(d->function);
	memset(d, 0, sizeof(*d));
}

void
ipc_alertcfg_clear(struct ipc_alertcfg *a)
{
	if (a == NULL)
		return;
	free(a->file);
	free(a->yaml);
	memset(a, 0, sizeof(*a));
}

void
ipc_alert_job_clear(struct ipc_alert_job *j)
{
	if (j == NULL)
		return;
	free(j->receiver);
	free(j->kind);
	free(j->target);
	free(j->idem_key);
	free(j->severity);
	free(j->title);
	free(j->text);
	free(j->event_json);
	memset(j, 0, sizeof(*j));
}

void
ipc_alert_result_clear(struct ipc_alert_result *r)
{
	if (r == NULL)
		return;
	free(r->detail);
	memset(r, 0, sizeof(*r));
}
