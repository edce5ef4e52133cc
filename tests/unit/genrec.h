/*
 * tests/unit/genrec.h -- build EV_GENERIC ring buffer records (bpf/events.h)
 * for the collectord tests, laid out as generic.bpf.c writes them; and
 * EV_EXEC, EV_FORK and EV_EXIT records as process.bpf.c does.
 */
#ifndef TRIPLINE_TEST_GENREC_H
#define TRIPLINE_TEST_GENREC_H

#include <stdint.h>
#include <string.h>

#include "bpf/events.h"

#define GENREC_MAX	(sizeof(struct ev_generic) + 8 * \
	(sizeof(struct ev_arg) + 4096 + 8) + sizeof(struct ev_stack) + \
	8 * (EV_STACK_KMAX + EV_STACK_UMAX) + \
	sizeof(struct ev_stack_bid) * EV_STACK_UMAX)

struct genrec {
	uint8_t		 buf[GENREC_MAX];
	size_t		 len;		/* bytes used (8-aligned) */
	size_t		 last_end;	/* end of the last payload, unaligned */
	uint8_t		 nargs;
};

/* An EV_EXEC record into buf (room for sizeof(struct ev_exec) and the
 * three strings): pid started at kt by ppid (started at pkt), uid, euid
 * and auid 1000; args is al bytes, NUL-separated.  Its size. */
static inline size_t
genrec_exec(uint8_t *buf, uint32_t pid, uint64_t kt, uint32_t ppid,
    uint64_t pkt, const char *fn, const char *args, size_t al,
    const char *cwd)
{
	struct ev_exec	 e;
	size_t		 fl = strlen(fn), cl = strlen(cwd);

	memset(&e, 0, sizeof(e));
	e.hdr.type = EV_EXEC;
	e.hdr.version = EV_ABI_VERSION;
	e.hdr.size = (uint32_t)(sizeof(e) + fl + al + cl);
	e.hdr.time_ns = kt;
	e.key.pid = pid;
	e.key.ktime = kt;
	e.parent.pid = ppid;
	e.parent.ktime = pkt;
	e.tid = pid;
	e.ppid = ppid;
	e.uid = e.euid = 1000;
	e.auid = 1000;
	e.filename_len = (uint16_t)fl;
	e.args_len = (uint16_t)al;
	e.cwd_len = (uint16_t)cl;
	memcpy(buf, &e, sizeof(e));
	memcpy(buf + sizeof(e), fn, fl);
	memcpy(buf + sizeof(e) + fl, args, al);
	memcpy(buf + sizeof(e) + fl + al, cwd, cl);
	return e.hdr.size;
}

/* An EV_FORK record: pid started at kt by ppid (its image started at
 * pkt).  Its size. */
static inline size_t
genrec_fork(uint8_t *buf, uint32_t pid, uint64_t kt, uint32_t ppid,
    uint64_t pkt)
{
	struct ev_fork	 f;

	memset(&f, 0, sizeof(f));
	f.hdr.type = EV_FORK;
	f.hdr.version = EV_ABI_VERSION;
	f.hdr.size = sizeof(f);
	f.hdr.time_ns = kt;
	f.key.pid = pid;
	f.key.ktime = kt;
	f.parent.pid = ppid;
	f.parent.ktime = pkt;
	f.tid = pid;
	f.ppid = ppid;
	memcpy(buf, &f, sizeof(f));
	return sizeof(f);
}

/* An EV_EXIT record of pid (started at kt) at when.  Its size. */
static inline size_t
genrec_exit(uint8_t *buf, uint32_t pid, uint64_t kt, uint32_t ppid,
    uint64_t when, uint32_t code, uint32_t sig)
{
	struct ev_exit	 x;

	memset(&x, 0, sizeof(x));
	x.hdr.type = EV_EXIT;
	x.hdr.version = EV_ABI_VERSION;
	x.hdr.size = sizeof(x);
	x.hdr.time_ns = when;
	x.key.pid = pid;
	x.key.ktime = kt;
	x.tid = pid;
	x.ppid = ppid;
	x.code = code;
	x.signal = sig;
	memcpy(buf, &x, sizeof(x));
	return sizeof(x);
}

static inline struct ev_generic *
genrec_hdr(struct genrec *r)
{
	return (struct ev_generic *)(void *)r->buf;
}

static inline void
genrec_init(struct genrec *r, uint32_t pid, uint64_t kt, uint32_t ppid,
    uint64_t pkt, uint32_t id, uint32_t gen)
{
	struct ev_generic *g = genrec_hdr(r);

	memset(r->buf, 0, sizeof(struct ev_generic));
	g->hdr.type = EV_GENERIC;
	g->hdr.version = EV_ABI_VERSION;
	g->hdr.time_ns = 2000000000ULL;
	g->key.pid = pid;
	g->key.ktime = kt;
	g->parent.pid = ppid;
	g->parent.ktime = pkt;
	g->tid = pid;
	g->hook_id = id;
	g->gen = gen;
	g->sel = 0xff;
	g->actions = 1U << 1;	/* POL_ACT_POST */
	r->len = r->last_end = sizeof(*g);
	r->nargs = 0;
}

/* Append one argument; the record stays 8-aligned (zero padding). */
static inline void
genrec_arg(struct genrec *r, uint8_t type, uint8_t flags, uint32_t aux,
    const void *data, size_t len)
{
	struct ev_arg	 a;

	memset(&a, 0, sizeof(a));
	a.type = type;
	a.flags = flags;
	a.len = (uint16_t)len;
	a.aux = aux;
	memcpy(r->buf + r->len, &a, sizeof(a));
	r->len += sizeof(a);
	if (len > 0)
		memcpy(r->buf + r->len, data, len);
	r->len += len;
	r->last_end = r->len;
	while (r->len % 8 != 0)
		r->buf[r->len++] = 0;
	r->nargs++;
}

static inline void
genrec_int(struct genrec *r, uint8_t type, int64_t v)
{
	genrec_arg(r, type, 0, 0, &v, sizeof(v));
}

static inline void
genrec_str(struct genrec *r, uint8_t type, const char *s)
{
	genrec_arg(r, type, 0, 0, s, strlen(s));
}

/* Fix sizes: hdr.size, args_len (padding of the last arg included), nargs.
 * Returns the record length. */
static inline size_t
genrec_done(struct genrec *r)
{
	struct ev_generic *g = genrec_hdr(r);

	g->hdr.size = (uint32_t)r->len;
	g->args_len = (uint32_t)(r->len - sizeof(*g));
	g->nargs = r->nargs;
	return r->len;
}

/* After genrec_done: a stack area (struct ev_stack) with nk kernel
 * addresses, nu user addresses and nb build-id frames (status VALID,
 * build id bid, offsets off[i]); hdr.size and stack_len fixed.  Returns
 * the record length. */
static inline size_t
genrec_stack(struct genrec *r, uint8_t flags, size_t nk, const uint64_t *k,
    size_t nu, const uint64_t *u, size_t nb, const uint8_t *bid,
    const uint64_t *off)
{
	struct ev_generic *g = genrec_hdr(r);
	struct ev_stack	 st;
	struct ev_stack_bid b;
	size_t		 at = r->len, i;

	memset(&st, 0, sizeof(st));
	st.nkern = (uint8_t)nk;
	st.nuser = (uint8_t)nu;
	st.nbid = (uint8_t)nb;
	st.flags = flags;
	memcpy(r->buf + r->len, &st, sizeof(st));
	r->len += sizeof(st);
	memcpy(r->buf + r->len, k, 8 * nk);
	r->len += 8 * nk;
	memcpy(r->buf + r->len, u, 8 * nu);
	r->len += 8 * nu;
	for (i = 0; i < nb; i++) {
		memset(&b, 0, sizeof(b));
		b.status = EV_BID_VALID;
		memcpy(b.build_id, bid, sizeof(b.build_id));
		b.offset = off[i];
		memcpy(r->buf + r->len, &b, sizeof(b));
		r->len += sizeof(b);
	}
	g->stack_len = (uint32_t)(r->len - at);
	g->hdr.size = (uint32_t)r->len;
	return r->len;
}

#endif
