/* ctl/ctlfmt.c -- the lines triplinectl prints from events.db (see
 * ctlfmt.h). */
#include "build.h"

#include <string.h>

#include "collectord/store.h"
#include "compat.h"
#include "ctlfmt.h"
#include "str.h"

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

void
ctlfmt_tail(struct sbuf *sb, const struct store_tail_row *r)
{
	ctlfmt_esc(sb, r->time);
	sbuf_addc(sb, ' ');
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
	if (r->has_parent) {
		sbuf_addf(sb, "  <- %lld ", (long long)r->parent_pid);
		ctlfmt_esc(sb, r->parent_binary);
	}
	sbuf_addc(sb, '\n');
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
