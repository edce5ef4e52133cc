/*
 * collectord/forward.c -- syslog forwarding of stored events: the cursor,
 * the window of messages in flight, the backlog limit, and the RFC 5424
 * rendering (forward.h, docs/shipping.md).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "forward.h"
#include "ipc_msg.h"
#include "jsonw.h"
#include "log.h"
#include "store.h"
#include "store_forward.h"
#include "str.h"
#include "xmalloc.h"

#define FORWARD_META_CURSOR	"syslog_cursor"
#define FORWARD_META_SKIPPED	"syslog_skipped"	/* over the backlog */
#define FORWARD_META_REFUSED	"syslog_refused"
#define FORWARD_BACKOFF_MIN_MS	500
#define FORWARD_BACKOFF_MAX_MS	30000
#define FORWARD_POLL_MS		1000	/* timer while there is work */

struct forward {
	struct store		*st;
	struct forward_config	 cfg;
	char			*app;
	char			*node;
	forward_send_fn		 send;
	void			*send_arg;
	int			 up;		/* a channel to the notifier */
	uint64_t		 cursor;	/* every id <= it is done */
	uint64_t		 saved;		/* the cursor in meta */
	uint64_t		 next;		/* last id sent */
	size_t			 inflight;
	int			 failed;	/* draining a failed round */
	uint64_t		 retry_ms;	/* no sending before */
	uint64_t		 backoff_ms;
	struct sbuf		 buf;
	struct ipc_fwd_stats	 stats;
	uint64_t		 bad_acks;
};

struct forward *
forward_new(struct store *st, const struct forward_config *cfg,
    forward_send_fn send, void *arg)
{
	struct forward	*fw;
	int64_t		 cur;
	uint64_t	 max;

	if (store_meta_int(st, FORWARD_META_CURSOR, &cur) != 0 ||
	    store_fwd_max_id(st, &max) != 0)
		return NULL;
	fw = xcalloc(1, sizeof(*fw));
	fw->st = st;
	fw->cfg = *cfg;
	fw->app = xstrdup(cfg->app_name);
	fw->node = xstrdup(cfg->node);
	fw->cfg.app_name = fw->app;
	fw->cfg.node = fw->node;
	fw->send = send;
	fw->send_arg = arg;
	sbuf_init(&fw->buf);
	if (cur <= 0) {
		/* never forwarded: from the newest row on */
		if (max > 0 && store_meta_add(st, FORWARD_META_CURSOR,
		    (int64_t)max) != 0) {
			forward_free(fw);
			return NULL;
		}
		cur = (int64_t)max;
		log_info("syslog: forwarding events after id %llu",
		    (unsigned long long)max);
	} else
		log_info("syslog: resuming after event id %lld",
		    (long long)cur);
	fw->cursor = fw->saved = fw->next = (uint64_t)cur;
	return fw;
}

void
forward_free(struct forward *fw)
{
	if (fw == NULL)
		return;
	free(fw->app);
	free(fw->node);
	sbuf_clear(&fw->buf);
	free(fw);
}

/* --- rendering ----------------------------------------------------- */

static int
forward_is_enforcement(const char *a)
{
	static const char *const acts[] = {
		"KPROBE_ACTION_SIGKILL", "KPROBE_ACTION_SIGNAL",
		"KPROBE_ACTION_OVERRIDE", "KPROBE_ACTION_NOTIFYENFORCER",
		NULL
	};
	size_t	 i;

	for (i = 0; a != NULL && acts[i] != NULL; i++)
		if (strcmp(a, acts[i]) == 0)
			return 1;
	return 0;
}

int
forward_severity(const struct store_fwd_row *r)
{
	if (r->type != NULL && strcmp(r->type, "events_lost") == 0)
		return 3;			/* err */
	if (forward_is_enforcement(r->action))
		return 4;			/* warning */
	if (r->policy != NULL && r->policy[0] != '\0')
		return 5;			/* notice */
	return 6;				/* info */
}

/* RFC 5424 TIMESTAMP: the stored time with at most 6 fraction digits. */
static void
forward_time(struct sbuf *sb, const char *t)
{
	const char	*dot;
	size_t		 n;

	if (t == NULL || strlen(t) < 20 || (dot = strchr(t, '.')) == NULL ||
	    t[strlen(t) - 1] != 'Z') {
		sbuf_addc(sb, '-');
		return;
	}
	n = strspn(dot + 1, "0123456789");
	sbuf_add(sb, t, (size_t)(dot - t) + 1 + (n > 6 ? 6 : n));
	sbuf_addc(sb, 'Z');
}

/* A header field: PRINTUSASCII without space, at most max, else "-". */
static void
forward_field(struct sbuf *sb, const char *s, size_t max)
{
	size_t	 i;

	for (i = 0; s != NULL && s[i] != '\0' && i < max; i++)
		sbuf_addc(sb, s[i] > 32 && s[i] < 127 ? s[i] : '_');
	if (i == 0)
		sbuf_addc(sb, '-');
}

/* PARAM-VALUE: UTF-8 with '"', '\' and ']' escaped (RFC 5424 6.3.3);
 * control characters and invalid UTF-8 as JSON would escape them. */
static void
forward_param(struct sbuf *sb, const char *name, const char *v)
{
	struct sbuf	 tmp;
	size_t		 i;

	if (v == NULL || v[0] == '\0')
		return;
	sbuf_init(&tmp);
	jw_add_str(&tmp, v, strlen(v));	/* "..." with escapes */
	sbuf_addf(sb, " %s=\"", name);
	/* inside the JSON literal: \" and \\ mean what SD's escapes mean;
	 * any other JSON escape (\n, \u0001) is kept as text */
	for (i = 1; i + 1 < tmp.len; i++) {
		if (tmp.buf[i] == '\\' && (tmp.buf[i + 1] == '"' ||
		    tmp.buf[i + 1] == '\\')) {
			sbuf_add(sb, tmp.buf + i, 2);
			i++;
			continue;
		}
		if (tmp.buf[i] == ']' || tmp.buf[i] == '\\')
			sbuf_addc(sb, '\\');
		sbuf_addc(sb, tmp.buf[i]);
	}
	sbuf_addc(sb, '"');
	sbuf_clear(&tmp);
}

static void
forward_param_int(struct sbuf *sb, const char *name, int64_t v)
{
	char	 num[24];

	if (v < 0)
		return;
	snprintf(num, sizeof(num), "%lld", (long long)v);
	forward_param(sb, name, num);
}

static void
forward_sd(struct sbuf *sb, const struct forward_config *cfg,
    const struct store_fwd_row *r)
{
	sbuf_adds(sb, "[" FORWARD_SD_ID);
	forward_param_int(sb, "id", (int64_t)r->id);
	forward_param(sb, "type", r->type);
	forward_param(sb, "node", cfg->node);
	forward_param(sb, "policy", r->policy);
	forward_param(sb, "function", r->function);
	forward_param(sb, "action", r->action);
	forward_param(sb, "monitor_would", r->monitor_would);
	forward_param_int(sb, "pid", r->pid);
	forward_param_int(sb, "uid", r->uid);
	forward_param(sb, "binary", r->binary);
	forward_param(sb, "exec_id", r->exec_id);
	forward_param(sb, "parent_exec_id", r->parent_exec_id);
	sbuf_addc(sb, ']');
}

/* MSG: one JSON object; full (args as stored, as strings) or, when that
 * would not fit, without the variable-size fields. */
static void
forward_msg(struct sbuf *sb, const struct forward_config *cfg,
    const struct store_fwd_row *r, int full)
{
	struct jsonw	 w;

	jw_init(&w, sb);
	jw_obj(&w);
	jw_kuint(&w, "id", r->id);
	jw_kstr_opt(&w, "time", r->time);
	jw_kstr_opt(&w, "type", r->type);
	jw_kstr(&w, "node", cfg->node);
	jw_kstr_opt(&w, "policy", r->policy);
	jw_kstr_opt(&w, "function", r->function);
	jw_kstr_opt(&w, "action", r->action);
	jw_kstr_opt(&w, "message", r->message);
	jw_kobj(&w, "process");
	if (r->pid >= 0)
		jw_kint(&w, "pid", r->pid);
	if (r->uid >= 0)
		jw_kint(&w, "uid", r->uid);
	jw_kstr_opt(&w, "binary", r->binary);
	if (full)
		jw_kstr_opt(&w, "arguments", r->arguments);
	jw_kstr_opt(&w, "exec_id", r->exec_id);
	jw_kstr_opt(&w, "parent_exec_id", r->parent_exec_id);
	jw_end(&w);
	if (full) {
		jw_kstr_opt(&w, "args", r->args);
		jw_kstr_opt(&w, "return", r->ret);
		jw_kstr_opt(&w, "tags", r->tags);
	} else
		jw_kbool(&w, "truncated", 1);
	jw_end(&w);
}

void
forward_format(struct sbuf *sb, const struct forward_config *cfg,
    const struct store_fwd_row *r)
{
	size_t	 start = sb->len, head;

	sbuf_addf(sb, "<%d>1 ", cfg->facility * 8 + forward_severity(r));
	forward_time(sb, r->time);
	sbuf_addc(sb, ' ');
	forward_field(sb, cfg->node, 255);
	sbuf_addc(sb, ' ');
	forward_field(sb, cfg->app_name, 48);
	sbuf_adds(sb, " - ");
	forward_field(sb, r->type, 32);
	sbuf_addc(sb, ' ');
	forward_sd(sb, cfg, r);
	sbuf_addc(sb, ' ');
	head = sb->len;
	forward_msg(sb, cfg, r, 1);
	if (sb->len - start > FORWARD_MSG_MAX) {
		sb->len = head;
		forward_msg(sb, cfg, r, 0);
	}
}

/* --- the cursor and the window ------------------------------------- */

static int
forward_send_row(void *arg, const struct store_fwd_row *r)
{
	struct forward		*fw = arg;
	struct ipc_syslog_msg	 m;

	sbuf_reset(&fw->buf);
	forward_format(&fw->buf, &fw->cfg, r);
	sbuf_addc(&fw->buf, '\0');
	m.id = r->id;
	m.msg = fw->buf.buf;
	if (fw->send(fw->send_arg, &m) != 0) {
		fw->up = 0;
		return 1;
	}
	fw->next = r->id;
	fw->inflight++;
	return 0;
}

/*
 * n events that will never be forwarded, in the open batch: a drops row
 * of source (its total: the meta counter key, all time), then the
 * counter.  0, or an error and nothing written (the drops row first: if
 * it fails, neither is).
 */
static int
forward_lost(struct forward *fw, const char *source, const char *key,
    uint64_t n)
{
	struct store_drop	 d;
	struct timespec		 b;
	int64_t			 total;
	int			 r;

	if ((r = store_meta_int(fw->st, key, &total)) != 0)
		return r;
	clock_gettime(CLOCK_BOOTTIME, &b);
	memset(&d, 0, sizeof(d));
	d.time_ns = (uint64_t)b.tv_sec * 1000000000ULL + (uint64_t)b.tv_nsec;
	d.source = source;
	d.count = n;
	d.total = (uint64_t)total + n;
	if ((r = store_drops(fw->st, &d, 0)) != 0)
		return r;
	return store_meta_add(fw->st, key, (int64_t)n);
}

/* Over the backlog limit: skip the oldest, count them. */
static void
forward_skip(struct forward *fw, uint64_t max)
{
	uint64_t	 to, n = 0;

	if (fw->inflight > 0 || max - fw->cursor <= fw->cfg.max_backlog)
		return;
	to = max - fw->cfg.max_backlog;
	if (store_fwd_count(fw->st, fw->cursor, to, &n) != 0)
		return;
	if (n > 0 && forward_lost(fw, "syslog_backlog", FORWARD_META_SKIPPED,
	    n) != 0)
		return;
	log_warnx("syslog: %llu events over the backlog limit of %llu "
	    "skipped (ids %llu to %llu), not forwarded",
	    (unsigned long long)n, (unsigned long long)fw->cfg.max_backlog,
	    (unsigned long long)fw->cursor + 1, (unsigned long long)to);
	fw->stats.skipped += n;
	fw->cursor = fw->next = to;
}

void
forward_checkpoint(struct forward *fw)
{
	if (fw != NULL && fw->cursor != fw->saved && store_meta_add(fw->st,
	    FORWARD_META_CURSOR, (int64_t)(fw->cursor - fw->saved)) == 0)
		fw->saved = fw->cursor;
}

uint64_t
forward_pump(struct forward *fw, uint64_t now_ms)
{
	uint64_t	 max;

	if (fw == NULL || !fw->up)
		return 0;
	if (fw->failed || now_ms < fw->retry_ms)
		return fw->failed ? 0 : fw->retry_ms - now_ms;
	if (store_in_tx(fw->st))
		return 0;		/* after the commit */
	if (store_fwd_max_id(fw->st, &max) != 0)
		return FORWARD_POLL_MS;
	fw->stats.backlog = max > fw->cursor ? max - fw->cursor : 0;
	forward_skip(fw, max);
	if (fw->inflight < FORWARD_WINDOW && max > fw->next &&
	    store_fwd_rows(fw->st, fw->next, FORWARD_WINDOW - fw->inflight,
	    forward_send_row, fw) < 0)
		return FORWARD_POLL_MS;
	return 0;
}

int
forward_ack(struct forward *fw, const struct ipc_syslog_ack *a,
    uint64_t now_ms)
{
	if (fw == NULL || fw->inflight == 0 || a->id <= fw->cursor ||
	    a->id > fw->next) {
		if (fw != NULL)
			fw->bad_acks++;
		return ERR_PROTO;
	}
	fw->inflight--;
	if (a->status == IPC_SYSLOG_FAILED || fw->failed) {
		if (!fw->failed) {
			fw->stats.failures++;
			fw->backoff_ms = fw->backoff_ms == 0 ?
			    FORWARD_BACKOFF_MIN_MS : fw->backoff_ms * 2;
			if (fw->backoff_ms > FORWARD_BACKOFF_MAX_MS)
				fw->backoff_ms = FORWARD_BACKOFF_MAX_MS;
			fw->retry_ms = now_ms + fw->backoff_ms;
			log_debug("syslog: event %llu not sent (%s); again "
			    "in %llu ms", (unsigned long long)a->id,
			    a->detail != NULL ? a->detail : "",
			    (unsigned long long)fw->backoff_ms);
		}
		fw->failed = 1;
		if (fw->inflight == 0) {
			fw->failed = 0;
			fw->next = fw->cursor;
		}
		return 0;
	}
	if (a->status == IPC_SYSLOG_REFUSED) {
		fw->stats.skipped++;
		fw->stats.refused++;
		log_warnx("syslog: event %llu refused by the notifier: %s",
		    (unsigned long long)a->id, a->detail != NULL ?
		    a->detail : "");
		if (forward_lost(fw, "syslog_refused", FORWARD_META_REFUSED,
		    1) != 0)
			log_warnx("syslog: the refusal of event %llu has no "
			    "drops row", (unsigned long long)a->id);
	} else
		fw->stats.forwarded++;
	fw->backoff_ms = 0;
	fw->cursor = a->id;
	return 0;
}

void
forward_peer(struct forward *fw, int up)
{
	if (fw == NULL)
		return;
	fw->up = up;
	fw->inflight = 0;
	fw->failed = 0;
	fw->next = fw->cursor;
}

void
forward_stats(const struct forward *fw, struct ipc_fwd_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (fw == NULL)
		return;
	*s = fw->stats;
	s->cursor = fw->cursor;
}
