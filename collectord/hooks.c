/* collectord/hooks.c -- policy hook metadata table. */
#include "build.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "hooks.h"
#include "ipc_msg.h"
#include "policy.h"
#include "xmalloc.h"

struct hookent {
	struct ipc_hook	 h;
	uint64_t	 retired_at;	/* boot ns */
	struct hookent	*next;		/* retired list, newest first */
};

struct hooktab {
	struct hookent	**live;		/* indexed by id */
	size_t		 cap;		/* slots in live */
	size_t		 nlive;
	struct hookent	*retired;
	size_t		 nretired;
};

struct hooktab *
hooktab_new(void)
{
	return xcalloc(1, sizeof(struct hooktab));
}

static void
hooktab_ent_free(struct hookent *e)
{
	ipc_hook_clear(&e->h);
	free(e);
}

void
hooktab_free(struct hooktab *t)
{
	struct hookent	*e;
	size_t		 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->cap; i++)
		if (t->live[i] != NULL)
			hooktab_ent_free(t->live[i]);
	while ((e = t->retired) != NULL) {
		t->retired = e->next;
		hooktab_ent_free(e);
	}
	free(t->live);
	free(t);
}

/* Skip JSON whitespace. */
static const char *
hooktab_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

int
hooktab_tags_valid(const char *s)
{
	const char	*p = hooktab_ws(s);
	int		 first = 1;

	if (*p++ != '[')
		return 0;
	for (;;) {
		p = hooktab_ws(p);
		if (*p == ']')
			break;
		if (!first) {
			if (*p++ != ',')
				return 0;
			p = hooktab_ws(p);
		}
		if (*p++ != '"')
			return 0;
		while (*p != '"') {
			if ((unsigned char)*p < 0x20)
				return 0;	/* NUL (end) or control */
			if (*p == '\\') {
				p++;
				if (*p == '\0' ||
				    strchr("\"\\/bfnrtu", *p) == NULL)
					return 0;
				if (*p == 'u' && (!isxdigit((unsigned char)
				    p[1]) || !isxdigit((unsigned char)p[2]) ||
				    !isxdigit((unsigned char)p[3]) ||
				    !isxdigit((unsigned char)p[4])))
					return 0;
			}
			p++;
		}
		p++;
		first = 0;
	}
	p = hooktab_ws(p + 1);
	return *p == '\0';
}

static int
hooktab_valid(const struct ipc_hook *h)
{
	size_t	 i;

	if (h->id >= HOOKTAB_ID_MAX || h->kind < POL_HOOK_KPROBE ||
	    h->kind > POL_HOOK_USDT || h->nargs > IPC_HOOK_ARGS)
		return 0;
	if (h->policy == NULL || h->function == NULL || h->subsys == NULL ||
	    h->event == NULL || h->path == NULL || h->message == NULL ||
	    h->tags_json == NULL)
		return 0;
	for (i = 0; i < IPC_HOOK_ARGS; i++)
		if (h->arg_label[i] == NULL)
			return 0;
	for (i = 0; i < IPC_HOOK_SEL; i++)
		if (h->sel_url[i] == NULL || h->sel_fqdn[i] == NULL)
			return 0;
	return h->tags_json[0] == '\0' || hooktab_tags_valid(h->tags_json);
}

/* Drop the oldest retired entries beyond HOOKTAB_RETIRED_MAX. */
static void
hooktab_trim(struct hooktab *t)
{
	struct hookent	**pp, *e;
	size_t		 n = 0;

	for (pp = &t->retired; *pp != NULL; ) {
		if (++n > HOOKTAB_RETIRED_MAX) {
			e = *pp;
			*pp = e->next;
			hooktab_ent_free(e);
			t->nretired--;
			continue;
		}
		pp = &(*pp)->next;
	}
}

static void
hooktab_retire(struct hooktab *t, struct hookent *e, uint64_t now)
{
	e->retired_at = now;
	e->next = t->retired;
	t->retired = e;
	t->nretired++;
	hooktab_trim(t);
}

/* Unlink and free a retired (id, gen), if any. */
static void
hooktab_unretire(struct hooktab *t, uint32_t id, uint32_t gen)
{
	struct hookent	**pp, *e;

	for (pp = &t->retired; (e = *pp) != NULL; pp = &e->next) {
		if (e->h.id == id && e->h.gen == gen) {
			*pp = e->next;
			hooktab_ent_free(e);
			t->nretired--;
			return;
		}
	}
}

int
hooktab_set(struct hooktab *t, struct ipc_hook *h, uint64_t now)
{
	struct hookent	*e, *old;
	size_t		 ncap;

	if (!hooktab_valid(h))
		return ERR_RANGE;
	hooktab_expire(t, now);
	if (h->id >= t->cap) {
		ncap = t->cap ? t->cap : 128;
		while (ncap <= h->id)
			ncap *= 2;
		t->live = xreallocarray(t->live, ncap, sizeof(*t->live));
		memset(t->live + t->cap, 0, (ncap - t->cap) *
		    sizeof(*t->live));
		t->cap = ncap;
	}
	e = xcalloc(1, sizeof(*e));
	e->h = *h;
	memset(h, 0, sizeof(*h));
	hooktab_unretire(t, e->h.id, e->h.gen);
	old = t->live[e->h.id];
	t->live[e->h.id] = e;
	if (old == NULL)
		t->nlive++;
	else if (old->h.gen == e->h.gen)
		hooktab_ent_free(old);
	else
		hooktab_retire(t, old, now);
	return 0;
}

int
hooktab_del(struct hooktab *t, uint32_t id, uint32_t gen, uint64_t now)
{
	struct hookent	*e;

	hooktab_expire(t, now);
	if (id >= t->cap || (e = t->live[id]) == NULL || e->h.gen != gen)
		return ERR_NOTFOUND;
	t->live[id] = NULL;
	t->nlive--;
	hooktab_retire(t, e, now);
	return 0;
}

const struct ipc_hook *
hooktab_get(const struct hooktab *t, uint32_t id, uint32_t gen)
{
	const struct hookent	*e;

	if (t == NULL)
		return NULL;
	if (id < t->cap && (e = t->live[id]) != NULL && e->h.gen == gen)
		return &e->h;
	for (e = t->retired; e != NULL; e = e->next)
		if (e->h.id == id && e->h.gen == gen)
			return &e->h;
	return NULL;
}

void
hooktab_expire(struct hooktab *t, uint64_t now)
{
	struct hookent	**pp, *e;

	for (pp = &t->retired; (e = *pp) != NULL; ) {
		if (now >= e->retired_at &&
		    now - e->retired_at > HOOKTAB_GRACE_NS) {
			*pp = e->next;
			hooktab_ent_free(e);
			t->nretired--;
			continue;
		}
		pp = &e->next;
	}
}

size_t
hooktab_live(const struct hooktab *t)
{
	return t->nlive;
}

size_t
hooktab_retired(const struct hooktab *t)
{
	return t->nretired;
}
