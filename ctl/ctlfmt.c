/* ctl/ctlfmt.c -- the lines triplinectl prints from events.db (see
 * ctlfmt.h). */
#include "build.h"

#include <string.h>

#include "collectord/store.h"
#include "compat.h"
#include "ctlfmt.h"
#include "str.h"

#define CTLFMT_UPPER	"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

/* s escaped, "?" for NULL. */
static void
ctlfmt_esc(struct sbuf *sb, const char *s)
{
	if (s == NULL)
		sbuf_addc(sb, '?');
	else
		sbuf_add_esc(sb, s, strlen(s));
}

static int
ctlfmt_is(const char *s, const char *v)
{
	return s != NULL && strcmp(s, v) == 0;
}

static void
ctlfmt_signal(struct sbuf *sb, int sig)
{
	const char	*ab = sigabbrev_np(sig);

	if (ab != NULL)
		sbuf_addf(sb, "  SIG%s", ab);
	else
		sbuf_addf(sb, "  signal %d", sig);
}

/* What follows the command line: exit status, cwd, or the hook. */
static void
ctlfmt_tail_detail(struct sbuf *sb, const struct store_tail_row *r)
{
	if (ctlfmt_is(r->type, "process_exit")) {
		if (r->exit_signal != 0)
			ctlfmt_signal(sb, r->exit_signal);
		else
			sbuf_addf(sb, "  status=%d", r->exit_code);
	} else if (ctlfmt_is(r->type, "process_exec")) {
		sbuf_adds(sb, "  cwd=");
		ctlfmt_esc(sb, r->cwd);
		sbuf_addf(sb, " uid=%d", r->uid);
	} else {
		sbuf_adds(sb, "  ");
		ctlfmt_esc(sb, r->function);
		sbuf_adds(sb, " policy=");
		ctlfmt_esc(sb, r->policy);
		sbuf_adds(sb, " action=");
		ctlfmt_esc(sb, r->action);
	}
}

/* "  <- PPID PARENT" and the end of the line */
static void
ctlfmt_tail_parent(struct sbuf *sb, const struct store_tail_row *r)
{
	if (r->has_parent) {
		sbuf_addf(sb, "  <- %lld ", (long long)r->parent_pid);
		ctlfmt_esc(sb, r->parent_binary);
	}
	sbuf_addc(sb, '\n');
}

/* s without prefix pre (lower-cased if lower) if it is pre + [A-Z0-9_]+;
 * else s escaped ("?" for NULL). */
static void
ctlfmt_word(struct sbuf *sb, const char *s, const char *pre, int lower)
{
	size_t	 n = strlen(pre), i;

	if (s == NULL || strncmp(s, pre, n) != 0 || s[n] == '\0' ||
	    strspn(s + n, CTLFMT_UPPER) != strlen(s + n)) {
		ctlfmt_esc(sb, s);
		return;
	}
	for (i = n; s[i] != '\0'; i++)
		sbuf_addc(sb, (char)(lower && s[i] >= 'A' && s[i] <= 'Z' ?
		    s[i] - 'A' + 'a' : s[i]));
}

/* "tcp", "udp" (the protocol of an INET socket or packet), else the
 * family ("inet", "unix"). */
static void
ctlfmt_net_proto(struct sbuf *sb, const struct store_net_row *n)
{
	int	 inet = ctlfmt_is(n->family, "AF_INET") ||
	    ctlfmt_is(n->family, "AF_INET6");

	if (n->protocol != NULL && (inet || n->family == NULL))
		ctlfmt_word(sb, n->protocol, "IPPROTO_", 1);
	else if (n->family != NULL)
		ctlfmt_word(sb, n->family, "AF_", 1);
	else
		sbuf_adds(sb, "net");
}

/* addr:port, [addr6]:port; "?" without an address */
static void
ctlfmt_net_ep(struct sbuf *sb, const char *addr, int has_port, int64_t port)
{
	if (addr == NULL) {
		sbuf_addc(sb, '?');
		return;
	}
	if (strchr(addr, ':') != NULL) {
		sbuf_addc(sb, '[');
		ctlfmt_esc(sb, addr);
		sbuf_addc(sb, ']');
	} else
		ctlfmt_esc(sb, addr);
	if (has_port)
		sbuf_addf(sb, ":%lld", (long long)port);
}

/* "BINARY[PID] tcp SRC -> DST STATE->NEW out" */
static void
ctlfmt_net(struct sbuf *sb, const struct store_tail_row *r)
{
	const struct store_net_row	*n = &r->net;

	ctlfmt_esc(sb, r->binary);
	sbuf_addf(sb, "[%lld] ", (long long)r->pid);
	ctlfmt_net_proto(sb, n);
	sbuf_addc(sb, ' ');
	ctlfmt_net_ep(sb, n->saddr, n->has_sport, n->sport);
	sbuf_adds(sb, " -> ");
	ctlfmt_net_ep(sb, n->daddr, n->has_dport, n->dport);
	if (n->state != NULL) {
		sbuf_addc(sb, ' ');
		ctlfmt_word(sb, n->state, "TCP_", 0);
		if (n->new_state != NULL) {
			sbuf_adds(sb, "->");
			ctlfmt_word(sb, n->new_state, "TCP_", 0);
		}
	}
	if (n->direction != NULL) {
		sbuf_addc(sb, ' ');
		ctlfmt_esc(sb, n->direction);
	}
	if (r->action != NULL && !ctlfmt_is(r->action, "KPROBE_ACTION_POST")) {
		sbuf_adds(sb, " action=");
		ctlfmt_esc(sb, r->action);
	}
}

/* A network event: "TIME POLICY FUNCTION " then ctlfmt_net. */
static void
ctlfmt_tail_net(struct sbuf *sb, const struct store_tail_row *r)
{
	ctlfmt_esc(sb, r->policy);
	sbuf_addc(sb, ' ');
	ctlfmt_esc(sb, r->function);
	sbuf_addc(sb, ' ');
	ctlfmt_net(sb, r);
}

void
ctlfmt_tail(struct sbuf *sb, const struct store_tail_row *r)
{
	ctlfmt_esc(sb, r->time);
	sbuf_addc(sb, ' ');
	if (r->net.is_net) {
		ctlfmt_tail_net(sb, r);
		ctlfmt_tail_parent(sb, r);
		return;
	}
	if (ctlfmt_is(r->type, "process_exec"))
		sbuf_adds(sb, "exec");
	else if (ctlfmt_is(r->type, "process_exit"))
		sbuf_adds(sb, "exit");
	else
		ctlfmt_esc(sb, r->type);
	sbuf_addf(sb, " %lld ", (long long)r->pid);
	ctlfmt_esc(sb, r->binary);
	if (r->args != NULL && r->args_len > 0) {
		sbuf_addc(sb, ' ');
		ctlfmt_esc(sb, r->args);
	}
	ctlfmt_tail_detail(sb, r);
	ctlfmt_tail_parent(sb, r);
}

void
ctlfmt_alert(struct sbuf *sb, const struct store_alert_row *r,
    const char *target)
{
	sbuf_addf(sb, "%lld ", (long long)r->id);
	ctlfmt_esc(sb, r->created);
	sbuf_addc(sb, ' ');
	if (r->receiver != NULL && r->receiver[0] != '\0')
		ctlfmt_esc(sb, r->receiver);
	else
		sbuf_adds(sb, "(action)");
	sbuf_addc(sb, '/');
	ctlfmt_esc(sb, r->kind);
	if (target != NULL && target[0] != '\0') {
		sbuf_addc(sb, ' ');
		ctlfmt_esc(sb, target);
	}
	sbuf_addc(sb, ' ');
	ctlfmt_esc(sb, r->state);
	sbuf_addf(sb, " attempts=%lld", (long long)r->attempts);
	if (r->count > 1)
		sbuf_addf(sb, " count=%lld", (long long)r->count);
	if (r->has_merged)
		sbuf_addf(sb, " merged_into=%lld", (long long)r->merged_into);
	if (r->last_error != NULL) {
		sbuf_adds(sb, " last_error=\"");
		ctlfmt_esc(sb, r->last_error);
		sbuf_addc(sb, '"');
	}
	sbuf_adds(sb, " key=");
	ctlfmt_esc(sb, r->idem_key);
	if (r->title != NULL) {
		sbuf_adds(sb, "  ");
		ctlfmt_esc(sb, r->title);
	}
	sbuf_addc(sb, '\n');
}
