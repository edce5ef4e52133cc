/*
 * loaderd/policies.c -- which policies run: start-up loading and the
 * triplinectl policy commands.
 *
 * At start, in this order (a later policy with the same metadata.name
 * replaces an earlier one): the vendor directory (PKG_DATADIR/policies, -V),
 * STATE/policies.d/ (what `triplinectl policy add` stored), then every -p
 * FILE.  A policy that fails to load is logged with its error and skipped:
 * detection keeps running with the others, and `triplinectl policy list`
 * shows what runs.
 *
 * `policy add` persists the document as STATE/policies.d/NAME.yaml so it
 * survives a restart; `policy delete` removes that file.  Mode changes
 * are not persisted (the file says what the policy author wrote).
 */
#include "build.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "log.h"
#include "policy.h"
#include "str.h"
#include "xmalloc.h"
#include "bpf_load.h"
#include "policy_load.h"
#include "loaderd.h"

static void
policies_hook_cb(void *arg, int added, const struct ipc_hook *h)
{
	struct loaderd_env	*env = arg;
	struct ipc_hook_del	 del;
	int			 r;

	if (added)
		r = child_send(env, CHILD_COLLECTOR, IPC_COLLECT_HOOK, h);
	else {
		del.id = h->id;
		del.gen = h->gen;
		r = child_send(env, CHILD_COLLECTOR, IPC_COLLECT_HOOK_DEL, &del);
	}
	/* a collector that is down gets everything again when it starts */
	if (r != 0 && r != ERR_EOF)
		log_warnx_r(r, "hook metadata for collectord");
	targets_hook(env, added, h);
}

static int
yaml_name(const char *name)
{
	size_t	 n = strlen(name);

	return n > 5 && (strcmp(name + n - 5, ".yaml") == 0 ||
	    strcmp(name + n - 4, ".yml") == 0);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
policies_dir_list(const char *dir, char ***out)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL;
	size_t		 n = 0;

	*out = NULL;
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !yaml_name(de->d_name))
			continue;
		v = xreallocarray(v, n + 2, sizeof(*v));
		xasprintf(&v[n++], "%s/%s", dir, de->d_name);
		v[n] = NULL;
	}
	closedir(d);
	if (v != NULL)
		qsort(v, n, sizeof(*v), name_cmp);
	*out = v;
	return 0;
}

void
policies_strv_free(char **v)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* The files of a policy directory at start; a missing one has none. */
static char **
policies_dir_files(const char *dir)
{
	char	**v;

	if (policies_dir_list(dir, &v) != 0) {
		if (errno != ENOENT)
			log_warn("policy directory %s", dir);
		return NULL;
	}
	return v;
}

/* The policies of one file (one or more documents): all or none. */
static int
policies_load_one(struct loaderd_env *env, const char *path, int check_only)
{
	struct policy	**v;
	char		  err[1024];
	size_t		  i, n;
	int		  r = 0;

	if ((r = policy_load_file_all(path, &v, &n, err, sizeof(err))) != 0) {
		log_warnx("policy not loaded: %s", err);
		return r;
	}
	for (i = 0; i < n; i++)
		if (check_only)
			log_info("policy %s (%s): OK, %zu hooks", v[i]->name,
			    path, v[i]->nhooks);
		else
			log_debug("loading policy %s from %s", v[i]->name,
			    path);
	if (!check_only && (r = policies_add_all(env->pols, v, n, err,
	    sizeof(err))) != 0)
		log_warnx("policy not loaded: %s: %s%s", path, err, n > 1 ?
		    " (none of the file's policies loaded)" : "");
	policy_free_all(v, n);
	return r;
}

static int
policies_foreach(struct loaderd_env *env, int check_only)
{
	char	**v;
	size_t	 i;
	int	 failed = 0;

	if (env->vendor_policy_dir != NULL &&
	    (v = policies_dir_files(env->vendor_policy_dir)) != NULL) {
		for (i = 0; v[i] != NULL; i++)
			if (policies_load_one(env, v[i], check_only) != 0)
				failed++;
		policies_strv_free(v);
	}
	if (env->policy_dir[0] != '\0' &&
	    (v = policies_dir_files(env->policy_dir)) != NULL) {
		for (i = 0; v[i] != NULL; i++)
			if (policies_load_one(env, v[i], check_only) != 0)
				failed++;
		policies_strv_free(v);
	}
	for (i = 0; i < env->npolicy_files; i++)
		if (policies_load_one(env, env->policy_files[i],
		    check_only) != 0)
			failed++;
	return failed;
}

void
policies_init(struct loaderd_env *env)
{
	char	 err[512];
	int	 r, failed;

	/*
	 * Without the generic programs (a kernel older than the engine
	 * needs) process monitoring still runs; policies are refused with
	 * the reason instead of loaderd failing outright.
	 */
	if ((r = polset_new(&env->pols, env->bpf, policies_hook_cb, env,
	    err, sizeof(err))) != 0) {
		env->pols = NULL;
		strlcpy(env->pols_error, "policy engine unavailable: ",
		    sizeof(env->pols_error));
		strlcat(env->pols_error, err, sizeof(env->pols_error));
		log_warnx("%s; only process events are recorded",
		    env->pols_error);
		return;
	}
	failed = policies_foreach(env, 0);
	if (failed)
		log_warnx("%d policy file(s) failed to load; see above", failed);
}

int
policies_check(struct loaderd_env *env)
{
	/* -n: the state directory may not exist yet; its policies.d too */
	if (env->cfg.state_dir != NULL)
		snprintf(env->policy_dir, sizeof(env->policy_dir),
		    "%s/policies.d", env->cfg.state_dir);
	return policies_foreach(env, 1) ? -1 : 0;
}

void
policies_resend(struct loaderd_env *env)
{
	if (env->pols != NULL)
		polset_resend(env->pols);
}

/* Write the document to STATE/policies.d/NAME.yaml atomically. */
static int
policies_persist(struct loaderd_env *env, const char *name, const char *yaml,
    char *err, size_t errlen)
{
	char	 path[4400], tmp[4400];
	size_t	 len = strlen(yaml), off = 0;
	ssize_t	 n;
	int	 fd;

	snprintf(path, sizeof(path), "%s/%s.yaml", env->policy_dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.yaml.tmp", env->policy_dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1)
		goto fail;
	while (off < len) {
		if ((n = write(fd, yaml + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1)
		goto fail;
	if (rename(tmp, path) == -1)
		goto fail;
	return 0;
fail:
	if ((size_t)snprintf(err, errlen, "storing %s: %s", path,
	    strerror(errno)) >= errlen && errlen > 4)
		memcpy(err + errlen - 4, "...", 4);
	(void)unlink(tmp);
	return -1;
}

static int
path_in_dir(const char *path, const char *dir)
{
	size_t	 n = strlen(dir);

	return strncmp(path, dir, n) == 0 && path[n] == '/' &&
	    strchr(path + n + 1, '/') == NULL;
}

/* Store the policies of a `policy add` (names[i], srcs[i]) for restarts,
 * each in STATE/policies.d/NAME.yaml; the answer's lines into out. */
static void
policies_store(struct loaderd_env *env, const char *file, char **names,
    char **srcs, const size_t *nhooks, size_t n, struct sbuf *out)
{
	char	 err[1024], *stored;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (policies_persist(env, names[i], srcs[i], err,
		    sizeof(err)) != 0) {
			sbuf_addf(out, "policy %s loaded (%zu hooks), but not "
			    "stored for restarts: %s\n", names[i], nhooks[i],
			    err);
			continue;
		}
		/* the stored copy is where it comes from from now on */
		xasprintf(&stored, "%s/%s.yaml", env->policy_dir, names[i]);
		(void)polset_set_file(env->pols, names[i], stored);
		free(stored);
		log_info("policy %s loaded from %s (%zu hooks)", names[i],
		    file, nhooks[i]);
		sbuf_addf(out, "policy %s loaded (%zu hooks)\n", names[i],
		    nhooks[i]);
	}
}

/* `policy add`: every policy of the document(s), all or none. */
static char *
policies_add(struct loaderd_env *env, const struct ipc_policy_add *pa,
    int *is_error)
{
	struct policy	**v;
	struct sbuf	  out;
	char		  err[1024], **names, **srcs;
	size_t		 *nhooks, i, n;
	int		  r;

	if ((r = policy_load_buf_all(pa->file, pa->yaml, strlen(pa->yaml),
	    &v, &n, err, sizeof(err))) != 0) {
		*is_error = 1;
		return xstrdup(err);
	}
	names = xcalloc(n, sizeof(*names));
	srcs = xcalloc(n, sizeof(*srcs));
	nhooks = xcalloc(n, sizeof(*nhooks));
	for (i = 0; i < n; i++) {
		if (pa->mode == 1)
			v[i]->mode = POL_MODE_ENFORCE;
		else if (pa->mode == 2)
			v[i]->mode = POL_MODE_MONITOR;
		names[i] = xstrdup(v[i]->name);
		srcs[i] = xstrdup(v[i]->src);
		nhooks[i] = v[i]->nhooks;
	}
	sbuf_init(&out);
	if ((r = policies_add_all(env->pols, v, n, err, sizeof(err))) != 0) {
		*is_error = 1;
		sbuf_adds(&out, err);
	} else
		policies_store(env, pa->file, names, srcs, nhooks, n, &out);
	policy_free_all(v, n);
	for (i = 0; i < n; i++) {
		free(names[i]);
		free(srcs[i]);
	}
	free(names);
	free(srcs);
	free(nhooks);
	return out.buf;
}

static char *
policies_delete(struct loaderd_env *env, const char *name, int *is_error)
{
	char	 err[1024], *file, *out;
	int	 r;

	file = polset_policy_file(env->pols, name);
	if ((r = polset_delete(env->pols, name, err, sizeof(err))) != 0) {
		free(file);
		*is_error = 1;
		return xstrdup(err);
	}
	if (file != NULL && path_in_dir(file, env->policy_dir) &&
	    policies_file_drop(file, name) != 0)
		log_warn("removing policy %s from %s", name, file);
	free(file);
	log_info("policy %s deleted", name);
	xasprintf(&out, "policy %s deleted\n", name);
	return out;
}

char *
policies_ctl(struct loaderd_env *env, uint16_t type, const uint8_t *payload,
    size_t len, int *is_error)
{
	struct ipc_policy_add	 pa;
	struct ipc_name		 nm;
	struct ipc_policy_mode	 pm;
	char			 err[1024], *out;
	int			 r;

	*is_error = 0;
	if (env->pols == NULL) {
		*is_error = 1;
		return xstrdup(env->pols_error);
	}
	switch (type) {
	case IPC_CTL_POLICY_ADD:
		if ((r = ipc_msg_decode(type, payload, len, &pa)) != 0)
			break;
		out = policies_add(env, &pa, is_error);
		free(pa.file);
		free(pa.yaml);
		return out;
	case IPC_CTL_POLICY_DEL:
		if ((r = ipc_msg_decode(type, payload, len, &nm)) != 0)
			break;
		out = policies_delete(env, nm.name, is_error);
		free(nm.name);
		return out;
	case IPC_CTL_POLICY_LIST_REQ:
	case IPC_CTL_POLICY_LIST_JSON_REQ:
		return polset_list(env->pols,
		    type == IPC_CTL_POLICY_LIST_JSON_REQ);
	case IPC_CTL_POLICY_MODE:
		if ((r = ipc_msg_decode(type, payload, len, &pm)) != 0)
			break;
		if (pm.mode != 1 && pm.mode != 2) {
			free(pm.name);
			*is_error = 1;
			return xstrdup("mode must be enforce or monitor");
		}
		r = polset_set_mode(env->pols, pm.name, pm.mode == 1 ?
		    POL_MODE_ENFORCE : POL_MODE_MONITOR, err, sizeof(err));
		if (r != 0) {
			free(pm.name);
			*is_error = 1;
			return xstrdup(err);
		}
		log_info("policy %s: mode %s", pm.name,
		    pm.mode == 1 ? "enforce" : "monitor");
		xasprintf(&out, "policy %s: mode %s\n", pm.name,
		    pm.mode == 1 ? "enforce" : "monitor");
		free(pm.name);
		return out;
	default:
		*is_error = 1;
		return xstrdup("unknown request");
	}
	*is_error = 1;
	xasprintf(&out, "malformed request: %s", err_str(r));
	return out;
}
