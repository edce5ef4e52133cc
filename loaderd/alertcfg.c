/*
 * loaderd/alertcfg.c -- the alerts file: read at start and on a reload,
 * and handed to the children (docs/alerts.md).
 *
 * -A FILE (or "none"), else the alerts_file setting.  A missing file at
 * the default path means no receivers; any other problem (a missing file
 * named explicitly, a syntax error, secrets in a file others can read)
 * stops loaderd at start, and keeps the running configuration on a reload.
 *
 * The notifier gets the whole file (secrets included; it reads it before
 * it sandboxes itself, so it goes first and only at its start), the
 * collector the redacted copy (at any time).
 */
#include "build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "err.h"
#include "log.h"
#include "xmalloc.h"
#include "loaderd.h"

/* Both messages must fit in one IPC message each. */
static int
alertcfg_fits(const struct alertcfg *ac, char *err, size_t errlen)
{
	struct ipc_alertcfg	 a;
	uint8_t			*buf;
	size_t			 len, i;
	int			 r;

	a.file = ac->path != NULL ? ac->path : (char *)"";
	for (i = 0; i < 2; i++) {
		a.yaml = i == 0 ? ac->text : ac->redacted;
		if ((r = ipc_msg_encode(i == 0 ? IPC_NOTIFY_CONFIG :
		    IPC_COLLECT_ALERTCFG, &a, &buf, &len)) == 0)
			free(buf);
		if (r == 0 && len <= IPC_MAX_PAYLOAD)
			continue;
		snprintf(err, errlen, "%s: too large to send to the %s (%zu "
		    "bytes%s)", a.file, i == 0 ? "notifier" : "collector",
		    strlen(a.yaml), i == 0 ? "" : " redacted");
		return -1;
	}
	return 0;
}

int
alertcfg_read(struct loaderd_env *env, struct alertcfg *ac, char *err,
    size_t errlen)
{
	const char	*override = env->alerts_override, *path;
	int		 r, saved;

	memset(ac, 0, sizeof(*ac));
	if (override != NULL)
		path = strcmp(override, "none") == 0 ? NULL : override;
	else
		path = env->cfg.alerts_file;
	if (path != NULL) {
		r = alerts_load(path, &ac->cfg, &ac->text, err, errlen);
		saved = errno;
		if (r == ERR_SYS && saved == ENOENT && override == NULL &&
		    strcmp(path, CONFIG_DEFAULT_ALERTS) == 0) {
			log_info("no alerts file %s: no alert receivers",
			    path);
			path = NULL;
		} else if (r != 0)
			return -1;
		else
			ac->path = xstrdup(path);
	}
	if (path == NULL) {
		/* "" = no receivers: the children still get a (valid,
		 * empty) configuration */
		if (alerts_parse("none", "", 0, &ac->cfg, err, errlen) != 0)
			fatalx("%s", err);
		ac->text = xstrdup("");
	}
	ac->redacted = alerts_redact(&ac->cfg);
	if (alertcfg_fits(ac, err, errlen) != 0) {
		alertcfg_clear(ac);
		return -1;
	}
	return 0;
}

void
alertcfg_clear(struct alertcfg *ac)
{
	free(ac->path);
	if (ac->text != NULL)
		freezero(ac->text, strlen(ac->text));
	free(ac->redacted);
	alerts_clear(&ac->cfg);
	memset(ac, 0, sizeof(*ac));
}

void
alertcfg_install(struct loaderd_env *env, struct alertcfg *ac)
{
	alerts_free(env);
	env->alerts_path = ac->path;
	env->alerts_text = ac->text;
	env->alerts_redacted = ac->redacted;
	env->alerts = ac->cfg;
	memset(ac, 0, sizeof(*ac));
	if (env->alerts_path != NULL)
		log_info("alerts file %s: %zu receivers, %zu routes%s",
		    env->alerts_path, env->alerts.nreceivers,
		    env->alerts.nroutes, env->alerts.has_secrets ?
		    " (holds secrets)" : "");
}

int
alerts_setup(struct loaderd_env *env, const char *override)
{
	struct alertcfg	 ac;
	char		 err[1024];

	env->alerts_override = override;
	memset(&env->alerts, 0, sizeof(env->alerts));
	if (alertcfg_read(env, &ac, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		return -1;
	}
	alertcfg_install(env, &ac);
	return 0;
}

void
alerts_free(struct loaderd_env *env)
{
	struct alertcfg	 ac;

	ac.path = env->alerts_path;
	ac.text = env->alerts_text;
	ac.redacted = env->alerts_redacted;
	ac.cfg = env->alerts;
	alertcfg_clear(&ac);
	env->alerts_path = env->alerts_text = env->alerts_redacted = NULL;
	memset(&env->alerts, 0, sizeof(env->alerts));
}

/*
 * The alerts configuration for a child: the notifier (just started) gets
 * the whole file, then the action targets; the collector the redacted
 * copy.
 */
void
child_send_alerts(struct loaderd_env *env, enum child_id id)
{
	struct ipc_alertcfg	 a;
	int			 r;

	a.file = env->alerts_path != NULL ? env->alerts_path : (char *)"";
	if (id == CHILD_NOTIFIER)
		a.yaml = env->alerts_text;
	else
		a.yaml = env->alerts_redacted;
	if ((r = child_send(env, id, id == CHILD_NOTIFIER ?
	    IPC_NOTIFY_CONFIG : IPC_COLLECT_ALERTCFG, &a)) != 0 &&
	    !(r == ERR_EOF && id == CHILD_COLLECTOR))
		log_warnx_r(r, "sending the alerts configuration to %s",
		    env->child[id].name);
	if (id == CHILD_NOTIFIER)
		targets_send(env);
}
