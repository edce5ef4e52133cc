/*
 * loaderd/targets.c -- what the notifier may fetch for policy actions.
 *
 * A GetUrl or DnsLookup job names its target itself, and it comes from
 * collectord, which has no sockets on purpose.  The notifier only fetches
 * targets a loaded policy names: loaderd keeps the argUrl / argFqdn of
 * every live hook (from the same callback that tells the collector what a
 * hook means, so it is current after `triplinectl policy add/delete`) and
 * sends the whole list (IPC_NOTIFY_TARGETS) after the notifier's
 * configuration and at each change, before the hook is enabled.
 * Receiver jobs need no list: the notifier takes their URLs from the
 * alerts file loaderd sent it, and the collector only names a receiver.
 * The notifier reports what it refused (IPC_NOTIFY_STATS) for status.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "ipc_msg.h"
#include "log.h"
#include "str.h"
#include "xmalloc.h"
#include "loaderd.h"

struct target {
	uint32_t	 id;		/* the hook naming it */
	uint32_t	 gen;
	char		*line;		/* "U <url>" / "D <name>" */
};

static void
targets_del_hook(struct loaderd_env *env, uint32_t id, uint32_t gen)
{
	size_t	 i = 0;

	while (i < env->ntargets) {
		if (env->targets[i].id != id || env->targets[i].gen != gen) {
			i++;
			continue;
		}
		free(env->targets[i].line);
		env->targets[i] = env->targets[--env->ntargets];
	}
}

static void
targets_add(struct loaderd_env *env, const struct ipc_hook *h, char kind,
    const char *s)
{
	struct target	*t;

	if (s == NULL || s[0] == '\0')
		return;
	env->targets = xreallocarray(env->targets, env->ntargets + 1,
	    sizeof(*env->targets));
	t = &env->targets[env->ntargets++];
	t->id = h->id;
	t->gen = h->gen;
	xasprintf(&t->line, "%c %s", kind, s);
}

/* Each distinct line once, newline-separated, within one message. */
static char *
targets_render(struct loaderd_env *env)
{
	struct sbuf	 sb;
	size_t		 i, j, n;
	const char	*l;

	sbuf_init(&sb);
	sbuf_adds(&sb, "");
	for (i = 0; i < env->ntargets; i++) {
		l = env->targets[i].line;
		for (j = 0; j < i; j++)
			if (strcmp(env->targets[j].line, l) == 0)
				break;
		if (j < i)
			continue;
		n = strlen(l);
		if (sb.len + n + 1 > IPC_MSG_MAX_STR) {
			/* fail closed: the rest is refused */
			log_warnx("action target list over %d bytes: later "
			    "GetUrl/DnsLookup targets are refused",
			    IPC_MSG_MAX_STR);
			break;
		}
		sbuf_addf(&sb, "%s%s", sb.len > 0 ? "\n" : "", l);
	}
	return sb.buf;
}

void
targets_send(struct loaderd_env *env)
{
	struct ipc_text	 t;
	int		 r;

	t.text = targets_render(env);
	r = child_send(env, CHILD_NOTIFIER, IPC_NOTIFY_TARGETS, &t);
	/* a notifier that is down gets the list when it starts */
	if (r != 0 && r != ERR_EOF)
		log_warnx_r(r, "action targets for notifierd");
	free(t.text);
}

void
targets_hook(struct loaderd_env *env, int added, const struct ipc_hook *h)
{
	size_t	 i;

	targets_del_hook(env, h->id, h->gen);
	for (i = 0; added && i < IPC_HOOK_SEL; i++) {
		targets_add(env, h, IPC_TARGET_URL, h->sel_url[i]);
		targets_add(env, h, IPC_TARGET_DNS, h->sel_fqdn[i]);
	}
	targets_send(env);
}

void
targets_free(struct loaderd_env *env)
{
	while (env->ntargets > 0)
		free(env->targets[--env->ntargets].line);
	free(env->targets);
	env->targets = NULL;
}

int
targets_stats_msg(struct peer *p, struct ipc_msg *m, void *arg)
{
	struct child		*c = arg;
	struct ipc_notify_stats	 st;

	if (ipc_msg_decode(m->type, m->payload, m->len, &st) != 0) {
		log_warnx("%s: malformed IPC_NOTIFY_STATS, dropped", c->name);
		return 0;
	}
	c->env->nstats = st;
	return 0;
}
