/*
 * loaderd/reload.c -- SIGHUP and `triplinectl reload`: the policies and the
 * alerts file read again and swapped in without a gap.
 *
 * Policies: every file of the start-up order (vendor directory,
 * STATE/policies.d, -p files) is parsed first; reload_plan() then decides
 * per policy.  A policy whose document is unchanged is left alone (same
 * hooks, same counters).  A changed one is replaced by polset_add(), which
 * enables the new version's hooks before it removes the old one's (each
 * dispatch entry switches in one map update), so a policy that stays is
 * enforced throughout.  New policies are added, then the policies no file
 * has any more are deleted.  A file that cannot be read or parsed, or
 * whose new version the kernel refuses, keeps its running version and is
 * reported (log, `triplinectl status`, the reload's answer).
 *
 * The alerts file: read and checked as at start; if it is bad the running
 * configuration stays.  A changed file goes to the collector (routes) and
 * to a new notifier: the notifier reads its configuration only before it
 * sandboxes itself (Landlock covers the CA files it names), so it is
 * stopped and started again at once.  The collector gets its copy when
 * the old notifier is gone, so no job routed by the new file reaches a
 * notifier that does not know its receiver; the jobs in flight meanwhile
 * are sent again to the new notifier (outbox).
 */
#include "build.h"

#include <sys/types.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "compat.h"
#include "err.h"
#include "jsonw.h"
#include "log.h"
#include "policy.h"
#include "str.h"
#include "xmalloc.h"
#include "loaderd.h"
#include "policy_load.h"
#include "reload_plan.h"

#define RL_MAX_ERRORS	32

/* What the last reload did (status). */
struct reload_last {
	time_t		 time;
	char		 trigger[32];
	size_t		 count[RP_DELETE + 1];	/* per enum rp_act, done */
	char		 alerts[256];
	char		**errors;
	size_t		 nerrors;
	size_t		 nlost;		/* errors beyond RL_MAX_ERRORS */
};

/* One reload in progress. */
struct rl_ctx {
	struct loaderd_env	*env;
	struct reload_last	*last;
	struct rp_source	*src;
	struct policy		**pol;		/* per source, until loaded */
	size_t			 nsrc;
	struct rp_running	*run;		/* copies */
	size_t			 nrun;
};

static const char *const rl_act_names[] = {
	[RP_KEEP] = "unchanged",
	[RP_STAY] = "kept (its file failed)",
	[RP_REPLACE] = "replaced",
	[RP_ADD] = "added",
	[RP_DELETE] = "deleted",
};

static void
rl_last_free(struct reload_last *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nerrors; i++)
		free(l->errors[i]);
	free(l->errors);
	free(l);
}

static void __attribute__((format(printf, 2, 3)))
rl_error(struct rl_ctx *c, const char *fmt, ...)
{
	struct reload_last	*l = c->last;
	va_list			 ap;
	char			*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
	log_warnx("reload: %s", s);
	if (l->nerrors == RL_MAX_ERRORS) {
		l->nlost++;
		free(s);
		return;
	}
	l->errors = xreallocarray(l->errors, l->nerrors + 1,
	    sizeof(*l->errors));
	l->errors[l->nerrors++] = s;
}

/* ---- policies: what runs, what the files say ---- */

static void
rl_running(struct rl_ctx *c)
{
	struct polset_polinfo	 pi;
	struct rp_running	*r;
	size_t			 n;

	for (n = 0; polset_policy(c->env->pols, n, &pi) == 0; n++) {
		c->run = xreallocarray(c->run, n + 1, sizeof(*c->run));
		r = &c->run[n];
		r->name = xstrdup(pi.name);
		r->file = pi.file != NULL ? xstrdup(pi.file) : NULL;
		r->text = NULL;
		r->len = pi.srclen;
		if (pi.src != NULL) {
			r->text = xmalloc(pi.srclen + 1);
			memcpy((char *)r->text, pi.src, pi.srclen + 1);
		}
	}
	c->nrun = n;
}

static struct rp_source *
rl_src_new(struct rl_ctx *c, enum rp_src_kind kind, const char *path)
{
	struct rp_source	*s;

	c->src = xreallocarray(c->src, c->nsrc + 1, sizeof(*c->src));
	c->pol = xreallocarray(c->pol, c->nsrc + 1, sizeof(*c->pol));
	c->pol[c->nsrc] = NULL;
	s = &c->src[c->nsrc++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->path = xstrdup(path);
	return s;
}

/* One file (a source per policy of it); listed: from a directory
 * listing (gone since: removed). */
static void
rl_file(struct rl_ctx *c, const char *path, int listed)
{
	struct rp_source	*s;
	struct policy		**v;
	char			 err[1024];
	size_t			 i, n;
	int			 r;

	if ((r = policy_load_file_all(path, &v, &n, err, sizeof(err))) != 0) {
		if (r == ERR_SYS && errno == ENOENT && listed)
			return;
		rl_src_new(c, RP_SRC_BROKEN, path);
		rl_error(c, "%s", err);
		return;
	}
	for (i = 0; i < n; i++) {
		s = rl_src_new(c, RP_SRC_OK, path);
		s->name = v[i]->name;
		s->text = v[i]->src;
		s->len = v[i]->srclen;
		c->pol[c->nsrc - 1] = v[i];
	}
	free(v);
}

static void
rl_dir(struct rl_ctx *c, const char *dir)
{
	char	**v;
	size_t	 i;

	if (policies_dir_list(dir, &v) != 0) {
		if (errno == ENOENT)
			return;
		rl_src_new(c, RP_SRC_BROKEN_DIR, dir);
		rl_error(c, "policy directory %s: %s", dir, strerror(errno));
		return;
	}
	for (i = 0; v != NULL && v[i] != NULL; i++)
		rl_file(c, v[i], 1);
	policies_strv_free(v);
}

/* The start-up order (policies.c). */
static void
rl_sources(struct rl_ctx *c)
{
	struct loaderd_env	*env = c->env;
	size_t			 i;

	if (env->vendor_policy_dir != NULL)
		rl_dir(c, env->vendor_policy_dir);
	if (env->policy_dir[0] != '\0')
		rl_dir(c, env->policy_dir);
	for (i = 0; i < env->npolicy_files; i++)
		rl_file(c, env->policy_files[i], 0);
}

/* ---- policies: carrying out the plan ---- */

/* Add or replace from source a->src; 0 or -1 (reported). */
static int
rl_load(struct rl_ctx *c, struct rp_action *a, size_t n, size_t i)
{
	const char	*path = c->src[a[i].src].path;
	struct policy	*pol = c->pol[a[i].src];
	char		 err[1024], *name;
	size_t		 kept;

	c->pol[a[i].src] = NULL;
	name = xstrdup(pol->name);
	if (polset_add(c->env->pols, pol, err, sizeof(err)) == 0) {
		log_info("reload: policy %s %s from %s", name,
		    a[i].act == RP_ADD ? "added" : "replaced", path);
		free(name);
		return 0;
	}
	kept = reload_plan_failed(a, n, c->run, path);
	rl_error(c, "%s: policy %s: %s%s", path, name, err,
	    a[i].act == RP_REPLACE || kept > 0 ?
	    " (the running version stays)" : " (not loaded)");
	if (a[i].act == RP_REPLACE)
		c->last->count[RP_STAY]++;
	free(name);
	return -1;
}

static void
rl_do(struct rl_ctx *c, struct rp_action *a, size_t n, size_t i)
{
	struct polset		*ps = c->env->pols;
	const struct rp_running	*r = &c->run[a[i].run];
	const char		*path;
	char			 err[512];

	switch (a[i].act) {
	case RP_KEEP:
		path = c->src[a[i].src].path;
		if (r->file == NULL || strcmp(r->file, path) != 0)
			(void)polset_set_file(ps, r->name, path);
		break;
	case RP_STAY:
		log_info("reload: policy %s: its file %s is not valid: the "
		    "running version stays", r->name, r->file);
		break;
	case RP_ADD:
	case RP_REPLACE:
		if (rl_load(c, a, n, i) != 0)
			return;
		break;
	case RP_DELETE:
		if (polset_delete(ps, r->name, err, sizeof(err)) != 0) {
			rl_error(c, "policy %s: delete: %s", r->name, err);
			return;
		}
		log_info("reload: policy %s deleted (no file has it)",
		    r->name);
		break;
	}
	c->last->count[a[i].act]++;
}

static void
rl_policies(struct rl_ctx *c)
{
	struct rp_action	*a;
	size_t			 n, i;

	if (c->env->pols == NULL) {
		log_info("reload: %s: policies not reloaded",
		    c->env->pols_error);
		return;
	}
	rl_running(c);
	rl_sources(c);
	n = reload_plan(c->run, c->nrun, c->src, c->nsrc, &a);
	for (i = 0; i < n; i++)
		rl_do(c, a, n, i);
	free(a);
}

static void
rl_ctx_clear(struct rl_ctx *c)
{
	size_t	 i;

	for (i = 0; i < c->nsrc; i++) {
		free((char *)c->src[i].path);
		policy_free(c->pol[i]);
	}
	for (i = 0; i < c->nrun; i++) {
		free((char *)c->run[i].name);
		free((char *)c->run[i].file);
		free((char *)c->run[i].text);
	}
	free(c->src);
	free(c->pol);
	free(c->run);
}

/* ---- the alerts file ---- */

static int
rl_alerts_same(struct loaderd_env *env, const struct alertcfg *ac)
{
	if ((ac->path == NULL) != (env->alerts_path == NULL))
		return 0;
	if (ac->path != NULL && strcmp(ac->path, env->alerts_path) != 0)
		return 0;
	return strcmp(ac->text, env->alerts_text) == 0;
}

static void
rl_alerts(struct rl_ctx *c)
{
	struct loaderd_env	*env = c->env;
	struct child		*n = &env->child[CHILD_NOTIFIER];
	struct reload_last	*l = c->last;
	struct alertcfg		 ac;
	char			 err[1024];

	if (alertcfg_read(env, &ac, err, sizeof(err)) != 0) {
		rl_error(c, "%s (the running alerts configuration stays)",
		    err);
		strlcpy(l->alerts, "not valid: the running configuration "
		    "stays", sizeof(l->alerts));
		return;
	}
	if (rl_alerts_same(env, &ac)) {
		alertcfg_clear(&ac);
		strlcpy(l->alerts, "unchanged", sizeof(l->alerts));
		return;
	}
	alertcfg_install(env, &ac);
	snprintf(l->alerts, sizeof(l->alerts), "reloaded: %zu receivers, "
	    "%zu routes", env->alerts.nreceivers, env->alerts.nroutes);
	if (n->pid > 0 && !n->killed && kill(n->pid, SIGTERM) == 0) {
		/* the collector's copy once it is gone */
		n->reloading = 1;
		log_info("reload: restarting %s for the new alerts "
		    "configuration", n->name);
		return;
	}
	child_send_alerts(env, CHILD_COLLECTOR);
}

void
reload_child_stopped(struct loaderd_env *env, enum child_id id)
{
	env->child[id].reloading = 0;
	if (id == CHILD_NOTIFIER)
		child_send_alerts(env, CHILD_COLLECTOR);
}

/* ---- the outcome ---- */

static void
rl_summary(const struct reload_last *l, struct sbuf *sb, const char *indent)
{
	enum rp_act	 a;
	const char	*sep = "";

	sbuf_addf(sb, "%spolicies: ", indent);
	for (a = RP_KEEP; a <= RP_DELETE; a++) {
		sbuf_addf(sb, "%s%zu %s", sep, l->count[a], rl_act_names[a]);
		sep = ", ";
	}
	sbuf_addf(sb, "\n%salerts: %s\n", indent, l->alerts);
}

static void
rl_errors(const struct reload_last *l, struct sbuf *sb, const char *indent)
{
	size_t	 i;

	for (i = 0; i < l->nerrors; i++) {
		sbuf_addf(sb, "%serror: ", indent);
		sbuf_add_esc(sb, l->errors[i], strlen(l->errors[i]));
		sbuf_addc(sb, '\n');
	}
	if (l->nlost > 0)
		sbuf_addf(sb, "%s(%zu more errors in the log)\n", indent,
		    l->nlost);
}

static char *
rl_answer(const struct reload_last *l)
{
	struct sbuf	 sb;

	sbuf_init(&sb);
	if (l->nerrors == 0)
		sbuf_adds(&sb, "reload: ok\n");
	else
		sbuf_addf(&sb, "reload failed: %zu error%s (what failed "
		    "keeps its running version)\n", l->nerrors + l->nlost,
		    l->nerrors + l->nlost == 1 ? "" : "s");
	rl_errors(l, &sb, "");
	rl_summary(l, &sb, "");
	return sb.buf;
}

int
reload_run(struct loaderd_env *env, const char *trigger, char **out)
{
	struct rl_ctx	 c;
	int		 failed;

	log_info("reload (%s)", trigger);
	service_reloading(env, 1);
	memset(&c, 0, sizeof(c));
	c.env = env;
	c.last = xcalloc(1, sizeof(*c.last));
	c.last->time = time(NULL);
	strlcpy(c.last->trigger, trigger, sizeof(c.last->trigger));
	rl_policies(&c);
	rl_ctx_clear(&c);
	rl_alerts(&c);
	rl_last_free(env->reload_last);
	env->reload_last = c.last;
	failed = c.last->nerrors > 0;
	if (failed)
		log_warnx("reload failed: %zu errors (what failed keeps its "
		    "running version)", c.last->nerrors + c.last->nlost);
	else
		log_info("reload done");
	service_reloading(env, 0);
	if (out != NULL)
		*out = rl_answer(c.last);
	return failed ? -1 : 0;
}

/* ---- status ---- */

static void
rl_time(time_t t, char *buf, size_t len)
{
	str_iso_time(buf, len, (uint64_t)t * 1000000000ULL);
}

void
reload_status_text(struct loaderd_env *env, struct sbuf *sb)
{
	const struct reload_last *l = env->reload_last;
	char		 when[64];

	if (l == NULL) {
		sbuf_adds(sb, "last reload       none\n");
		return;
	}
	rl_time(l->time, when, sizeof(when));
	sbuf_addf(sb, "last reload       %s (%s): %s\n", when, l->trigger,
	    l->nerrors == 0 ? "ok" : "failed");
	rl_summary(l, sb, "                  ");
	rl_errors(l, sb, "  ");
}

void
reload_status_json(struct loaderd_env *env, struct jsonw *w)
{
	const struct reload_last *l = env->reload_last;
	enum rp_act	 a;
	size_t		 i;
	char		 when[64];

	jw_key(w, "last_reload");
	if (l == NULL) {
		jw_null(w);
		return;
	}
	rl_time(l->time, when, sizeof(when));
	jw_obj(w);
	jw_kint(w, "time", (int64_t)l->time);
	jw_kstr(w, "time_utc", when);
	jw_kstr(w, "trigger", l->trigger);
	jw_kstr(w, "result", l->nerrors == 0 ? "ok" : "failed");
	jw_kobj(w, "policies");
	for (a = RP_KEEP; a <= RP_DELETE; a++) {
		static const char *const keys[] = { "unchanged", "kept",
		    "replaced", "added", "deleted" };

		jw_kuint(w, keys[a], l->count[a]);
	}
	jw_end(w);
	jw_kstr(w, "alerts", l->alerts);
	jw_karr(w, "errors");
	for (i = 0; i < l->nerrors; i++)
		jw_str(w, l->errors[i]);
	jw_end(w);
	jw_kuint(w, "errors_not_shown", l->nlost);
	jw_end(w);
}

/* ---- SIGHUP ---- */

static void
rl_hup_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct loaderd_env	*env = arg;

	if (env->shutting_down)
		return;
	(void)reload_run(env, "SIGHUP", NULL);
}

void
reload_init(struct loaderd_env *env)
{
	env->hup_ev = evsignal_new(env->base, SIGHUP, rl_hup_cb, env);
	if (env->hup_ev == NULL || evsignal_add(env->hup_ev, NULL) == -1)
		fatalx("SIGHUP event");
}

void
reload_free(struct loaderd_env *env)
{
	if (env->hup_ev != NULL)
		event_free(env->hup_ev);
	env->hup_ev = NULL;
	rl_last_free(env->reload_last);
	env->reload_last = NULL;
}
