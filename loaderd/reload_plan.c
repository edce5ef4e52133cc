/*
 * loaderd/reload_plan.c -- what a reload does to the running policy set
 * (see reload_plan.h).
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "reload_plan.h"

/* Who provides a name after the reload: a source, or a running policy
 * that stays because its file is broken. */
struct rp_win {
	const char	*name;
	int		 stays;		/* idx is a running policy */
	size_t		 idx;
};

struct rp_wins {
	struct rp_win	*v;
	size_t		 n;
};

int
reload_path_in_dir(const char *file, const char *dir)
{
	size_t	 n = strlen(dir);

	return strncmp(file, dir, n) == 0 && file[n] == '/' &&
	    file[n + 1] != '\0' && strchr(file + n + 1, '/') == NULL;
}

/* A later provider of a name takes the earlier one's place. */
static void
rp_win_set(struct rp_wins *w, const char *name, int stays, size_t idx)
{
	size_t	 i;

	for (i = 0; i < w->n; i++)
		if (strcmp(w->v[i].name, name) == 0)
			break;
	if (i == w->n)
		w->v = xreallocarray(w->v, ++w->n, sizeof(*w->v));
	w->v[i].name = name;
	w->v[i].stays = stays;
	w->v[i].idx = idx;
}

static int
rp_from(const struct rp_source *s, const char *file)
{
	if (s->kind == RP_SRC_BROKEN)
		return strcmp(file, s->path) == 0;
	return reload_path_in_dir(file, s->path);
}

static void
rp_wins_build(struct rp_wins *w, const struct rp_running *run, size_t nrun,
    const struct rp_source *src, size_t nsrc)
{
	size_t	 i, j;

	for (i = 0; i < nsrc; i++) {
		if (src[i].kind == RP_SRC_OK) {
			rp_win_set(w, src[i].name, 0, i);
			continue;
		}
		for (j = 0; j < nrun; j++)
			if (run[j].file != NULL && rp_from(&src[i],
			    run[j].file))
				rp_win_set(w, run[j].name, 1, j);
	}
}

static int
rp_find_run(const struct rp_running *run, size_t nrun, const char *name,
    size_t *idx)
{
	size_t	 j;

	for (j = 0; j < nrun; j++)
		if (strcmp(run[j].name, name) == 0) {
			*idx = j;
			return 1;
		}
	return 0;
}

static int
rp_same(const struct rp_running *r, const struct rp_source *s)
{
	return r->text != NULL && r->len == s->len &&
	    memcmp(r->text, s->text, s->len) == 0;
}

static int
rp_wins_has(const struct rp_wins *w, const char *name)
{
	size_t	 i;

	for (i = 0; i < w->n; i++)
		if (strcmp(w->v[i].name, name) == 0)
			return 1;
	return 0;
}

size_t
reload_plan(const struct rp_running *run, size_t nrun,
    const struct rp_source *src, size_t nsrc, struct rp_action **out)
{
	struct rp_wins	 w = { NULL, 0 };
	struct rp_action *a;
	size_t		 i, j, n = 0;

	rp_wins_build(&w, run, nrun, src, nsrc);
	a = xcalloc(w.n + nrun + 1, sizeof(*a));
	for (i = 0; i < w.n; i++, n++) {
		if (w.v[i].stays) {
			a[n].act = RP_STAY;
			a[n].run = w.v[i].idx;
			continue;
		}
		a[n].src = w.v[i].idx;
		if (!rp_find_run(run, nrun, w.v[i].name, &j))
			a[n].act = RP_ADD;
		else {
			a[n].run = j;
			a[n].act = rp_same(&run[j], &src[w.v[i].idx]) ?
			    RP_KEEP : RP_REPLACE;
		}
	}
	for (j = 0; j < nrun; j++)
		if (!rp_wins_has(&w, run[j].name)) {
			a[n].act = RP_DELETE;
			a[n++].run = j;
		}
	free(w.v);
	*out = a;
	return n;
}

size_t
reload_plan_failed(struct rp_action *a, size_t n,
    const struct rp_running *run, const char *file)
{
	size_t	 i, changed = 0;

	for (i = 0; i < n; i++)
		if (a[i].act == RP_DELETE && run[a[i].run].file != NULL &&
		    strcmp(run[a[i].run].file, file) == 0) {
			a[i].act = RP_STAY;
			changed++;
		}
	return changed;
}
