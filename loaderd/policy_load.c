/*
 * loaderd/policy_load.c -- compile checked policies (common/policy.h) into
 * the generic programs' maps (bpf/hook.h) and manage them at run time.
 *
 * A policy goes through two phases:
 *
 * 1. Compile (no side effect): every hook becomes a struct hook_cfg, its
 *    selectors struct sel_cfg, InMap values inmap keys, and a dispatch
 *    target: syscall numbers (sys_hooks), a tracepoint id (tp_hooks) or a
 *    uprobe (path, symbol; BPF cookie = hook id).  Everything this kernel
 *    cannot do is refused here with an error naming the missing feature,
 *    decided by probing the kernel once (polset_probe), never assumed.
 *
 * 2. Commit: slots are allocated and written (not reachable yet), the
 *    programs the hooks need are attached (sys_enter/sys_exit only while a
 *    syscall hook exists: an idle raw sys_enter program still costs every
 *    syscall; the generic tracepoint program once per tracepoint, BPF
 *    cookie = the tracepoint id, since perf overwrites the record's
 *    common_type), the metadata goes to the collector, then every dispatch
 *    entry is switched by one map update.  Any failure undoes all of it in
 *    reverse order.  Only then are the old policy's uprobes detached, and
 *    after an RCU grace period (no BPF program still runs with an old id)
 *    the old slots are cleared and announced as deleted.
 *
 * Dispatch lists (struct hook_list) are edited in place so that a reader
 * racing with the (non-atomic) array map update never sees another
 * policy's hook move: a replaced hook's new id takes the old id's
 * position, removed ids become 0 (slot 0 is never used, so 0 is "no
 * hook"), new ids fill holes first, and trailing holes are trimmed.
 *
 * This file holds the policy set and its public API (policy_load.h);
 * the rooms it calls are listed in pl_int.h.
 */
#include "build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "err.h"
#include "jsonw.h"
#include "log.h"
#include "str.h"
#include "xmalloc.h"

#include "bpf_load.h"
#include "net_load.h"
#include "pl_int.h"

static void
pl_ph_clear(struct ph *ph)
{
	free(ph->target);
	free(ph->how);
	free(ph->sel);
	bpf_link__destroy(ph->link);
	ipc_hook_clear(&ph->meta);
}

static void
pl_pent_free(struct pent *pe)
{
	size_t i;

	if (pe == NULL)
		return;
	for (i = 0; i < pe->nhooks; i++)
		pl_ph_clear(&pe->hooks[i]);
	free(pe->hooks);
	free(pe->inmap);
	for (i = 0; i < PL_SM_MAX_; i++)
		free(pe->sk[i].k.eq);	/* the union's one pointer */
	policy_free(pe->pol);
	free(pe);
}

void
pl_send(struct polset *ps, int added, struct ph *ph)
{
	struct ipc_hook del;

	if (ps->cb == NULL)
		return;
	if (added) {
		ph->meta.id = ph->id;
		ph->meta.gen = ph->gen;
		ps->cb(ps->cbarg, 1, &ph->meta);
		return;
	}
	memset(&del, 0, sizeof(del));
	del.id = ph->id;
	del.gen = ph->gen;
	ps->cb(ps->cbarg, 0, &del);
}

static struct pent *
pl_find(struct polset *ps, const char *name)
{
	struct pent *pe;

	TAILQ_FOREACH(pe, &ps->pols, entry)
		if (strcmp(pe->pol->name, name) == 0)
			return pe;
	return NULL;
}

static int
pl_map_fd(struct polset *ps, const char *name, int required, char *err,
    size_t errlen, enum bpf_map_type *type)
{
	struct bpf_map *m;

	m = bpf_object__find_map_by_name(ps->obj, name);
	if (m == NULL) {
		if (required)
			snprintf(err, errlen, "generic BPF object has no map "
			    "\"%s\"", name);
		return -1;
	}
	if (type != NULL)
		*type = bpf_map__type(m);
	if (strcmp(name, "inmap") == 0)
		ps->inmap_max = bpf_map__max_entries(m);
	else if (strcmp(name, "streq") == 0)
		ps->str_max[PL_SM_EQ] = bpf_map__max_entries(m);
	else if (strcmp(name, "strpfx") == 0)
		ps->str_max[PL_SM_PFX] = bpf_map__max_entries(m);
	else if (strcmp(name, "strsfx") == 0)
		ps->str_max[PL_SM_SFX] = bpf_map__max_entries(m);
	return bpf_map__fd(m);
}

static struct bpf_program *
pl_prog(struct polset *ps, const char *name, char *err, size_t errlen)
{
	struct bpf_program *p;

	p = bpf_object__find_program_by_name(ps->obj, name);
	if (p == NULL)
		snprintf(err, errlen, "generic BPF object has no program "
		    "\"%s\"", name);
	return p;
}

int
polset_new(struct polset **out, struct bpfl *b, polset_hook_cb cb,
    void *cbarg, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo);
	struct polset *ps;
	enum bpf_map_type st = 0;
	int r;

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	ps = xcalloc(1, sizeof(*ps));
	ps->b = b;
	ps->cb = cb;
	ps->cbarg = cbarg;
	ps->barrier_fd = ps->inner_fd = -1;
	ps->fd_net = -1;
	ps->next_policy_id = 1;
	ps->next_map_id = 1;
	ps->ncpus = bpfl_ncpus(b);
	TAILQ_INIT(&ps->pols);
	TAILQ_INIT(&ps->tps);
	TAILQ_INIT(&ps->ovrxs);
	polset_probe(&ps->feat);
	if ((r = bpfl_generic(b, &ps->obj, err, errlen)) != 0)
		goto fail;
	r = ERR_SYS;
	if ((ps->fd_hooks = pl_map_fd(ps, "hooks", 1, err, errlen, NULL)) < 0 ||
	    (ps->fd_sel = pl_map_fd(ps, "selectors", 1, err, errlen,
	    NULL)) < 0 ||
	    (ps->fd_sys = pl_map_fd(ps, "sys_hooks", 1, err, errlen,
	    &st)) < 0 ||
	    (ps->fd_tp = pl_map_fd(ps, "tp_hooks", 1, err, errlen, NULL)) < 0 ||
	    (ps->fd_stats = pl_map_fd(ps, "hook_stats", 1, err, errlen,
	    NULL)) < 0 ||
	    (ps->fd_inmap = pl_map_fd(ps, "inmap", 1, err, errlen, NULL)) < 0 ||
	    (ps->fd_str[PL_SM_EQ] = pl_map_fd(ps, "streq", 1, err, errlen,
	    NULL)) < 0 ||
	    (ps->fd_str[PL_SM_PFX] = pl_map_fd(ps, "strpfx", 1, err, errlen,
	    NULL)) < 0 ||
	    (ps->fd_str[PL_SM_SFX] = pl_map_fd(ps, "strsfx", 1, err, errlen,
	    NULL)) < 0)
		goto fail;
	ps->sys_hash = st == BPF_MAP_TYPE_HASH;
	if ((ps->p_enter = pl_prog(ps, "sys_enter", err, errlen)) == NULL ||
	    (ps->p_exit = pl_prog(ps, "sys_exit", err, errlen)) == NULL ||
	    (ps->p_tp = pl_prog(ps, "generic_tp", err, errlen)) == NULL ||
	    (ps->p_uprobe = pl_prog(ps, "generic_uprobe", err,
	    errlen)) == NULL)
		goto fail;
	ps->p_exec = bpf_object__find_program_by_name(ps->obj, "generic_exec");
	ps->inner_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tl_barrier_in", 4,
	    4, 1, NULL);
	if (ps->inner_fd >= 0) {
		mo.inner_map_fd = ps->inner_fd;
		ps->barrier_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS,
		    "tl_barrier", 4, 4, 1, &mo);
	}
	if (ps->barrier_fd < 0) {
		snprintf(err, errlen, "create RCU barrier map: %s",
		    strerror(errno));
		goto fail;
	}
	*out = ps;
	return 0;
fail:
	polset_free(ps);
	return r;
}

/* 1. Compile every hook of c->pe (no side effect).  *need: slots to
 * allocate, *nvis: listed hooks that are not skipped. */
static int
pl_add_compile(struct pl_ctx *c, size_t *need, size_t *nvis)
{
	const struct policy *pol = c->pol;
	struct pent *pe = c->pe;
	size_t i;
	int r;

	*need = 0;
	for (i = 0; i < pol->nhooks; i++) {
		c->h = &pol->hooks[i];
		c->ph = &pe->hooks[i];
		if ((r = pl_compile_hook(c)) != 0)
			return r;
	}
	c->h = NULL;
	for (*nvis = 0, i = 0; i < pe->nhooks; i++) {
		if (pe->hooks[i].skipped)
			continue;
		(*need)++;
		if (i < pe->nvis)
			(*nvis)++;
	}
	return 0;
}

/* 2. Capacity: slots (the old policy keeps its own until the switch),
 * dispatch entries, InMap. */
static int
pl_add_capacity(struct pl_ctx *c, const struct pent *old, size_t need)
{
	struct polset *ps = c->ps;
	size_t nfree;
	uint32_t id;

	for (nfree = 0, id = 1; id < HOOK_MAX; id++)
		if (!ps->used[id])
			nfree++;
	if (need > nfree)
		return pl_fail(c, ERR_RANGE, 0, 0, "hook slots exhausted: %zu "
		    "needed, %zu of %d free", need, nfree, HOOK_MAX - 1);
	return pl_disp_check(ps, old, c->pe, c->err, c->errlen);
}

/* 3a. Slot ids and generations for the hooks not skipped. */
static void
pl_add_ids(struct polset *ps, struct pent *pe)
{
	struct ph *ph;
	size_t i;
	uint32_t id;

	for (i = 0, id = 1; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->skipped)
			continue;
		while (ps->used[id])
			id++;
		ps->used[id] = 1;
		ph->id = id;
		ph->gen = ++ps->gens[id];
		ph->cfg.id = id;
		ph->cfg.gen = ph->gen;
		ph->cfg.policy_id = ps->next_policy_id;
	}
	pe->policy_id = ps->next_policy_id++;
}

/* 3b. InMap values, slots, and the programs the hooks need (not reachable
 * yet: no dispatch entry names them). */
static int
pl_add_write(struct polset *ps, struct pent *pe, char *err, size_t errlen)
{
	struct ph *ph;
	size_t i;
	int r;

	if ((r = pl_inmap_write(ps, pe, err, errlen)) != 0)
		return r;
	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->id == 0)
			continue;
		ph->written = 1;
		if ((r = pl_slot_write(ps, ph, err, errlen)) != 0)
			return r;
	}
	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->id == 0)
			continue;
		if (ph->disp == PL_DISP_TP) {
			if ((r = pl_tp_ref(ps, ph, err, errlen)) != 0)
				return r;
			ph->tpref = 1;
		}
		if (ph->disp == PL_DISP_SYS) {
			pl_raw_count(ps, ph, 1);
			ph->counted = 1;
		}
		if (ph->disp == PL_DISP_NET) {
			pl_net_count(ps, ph, 1);
			ph->net_counted = 1;
		}
		pl_sockown_count(ps, ph, 1);
	}
	if ((r = pl_raw_sync(ps, err, errlen)) != 0 ||
	    (r = pl_net_sync(ps, err, errlen)) != 0)
		return r;
	pl_sockown_sync(ps);
	return 0;
}

/* 4. Metadata to the collector before anything can fire. */
static void
pl_add_announce(struct polset *ps, struct pent *pe)
{
	struct ph *ph;
	size_t i;

	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->id == 0)
			continue;
		pl_send(ps, 1, ph);
		ph->sent = 1;
	}
}

/* 5a. Attach the hooks that are their own link: uprobes, kprobes,
 * program instances, Override executors. */
static int
pl_add_attach(struct polset *ps, struct pent *pe, char *err, size_t errlen)
{
	struct ph *ph;
	size_t i;
	int r;

	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->id != 0 && ph->disp == PL_DISP_UPROBE &&
		    (r = pl_uprobe_attach(ps, ph, err, errlen)) != 0)
			return r;
		if (ph->id != 0 && ph->disp == PL_DISP_KPROBE &&
		    (r = pl_kprobe_attach(ps, ph, err, errlen)) != 0)
			return r;
		if (ph->id != 0 && ph->disp == PL_DISP_FN &&
		    (r = pl_fn_attach(ps, ph, err, errlen)) != 0)
			return r;
		if (ph->id != 0 && (r = pl_ovr_attach(ps, ph, err,
		    errlen)) != 0)
			return r;
	}
	return 0;
}

/* 6. Committed: log the hooks, put pe in old's place (old unwound and
 * freed) or at the end. */
static void
pl_add_commit(struct polset *ps, struct pent *pe, struct pent *old,
    size_t nvis)
{
	const struct policy *pol = pe->pol;
	struct ph *ph;
	size_t i;

	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->id != 0)
			log_info("policy %s: %s %s: hook %u: %s", pol->name,
			    ph->kind, ph->target, ph->id, ph->how);
		else
			log_info("policy %s: %s %s: %s", pol->name, ph->kind,
			    ph->target, ph->how);
	}
	if (old != NULL) {
		pl_unwind(ps, old, 1);
		TAILQ_INSERT_AFTER(&ps->pols, old, pe, entry);
		TAILQ_REMOVE(&ps->pols, old, entry);
		pl_pent_free(old);
		log_info("policy %s replaced (%zu hooks)", pol->name, nvis);
	} else {
		TAILQ_INSERT_TAIL(&ps->pols, pe, entry);
		if (polset_count(ps) == 1)
			pl_exec_tail(ps, 1);
		log_info("policy %s loaded (%zu hooks, %s)", pol->name, nvis,
		    pol->mode == POL_MODE_MONITOR ? "monitor" : "enforce");
	}
}

int
polset_add(struct polset *ps, struct policy *pol, char *err, size_t errlen)
{
	struct pl_ctx c;
	struct pent *pe, *old;
	struct pl_undo *u = NULL;
	size_t need, nvis;
	int r;

	if (errlen > 0)
		err[0] = '\0';
	if (pol == NULL || pol->name == NULL || pol->name[0] == '\0') {
		snprintf(err, errlen, "policy without a name");
		policy_free(pol);
		return ERR_PARSE;
	}
	pe = xcalloc(1, sizeof(*pe));
	pe->pol = pol;
	pe->nhooks = pe->nvis = pol->nhooks;
	/* room for a cgroup copy of every hook (pl_net_aux) */
	pe->hooks = xcalloc(pol->nhooks ? pol->nhooks * 2 : 1,
	    sizeof(*pe->hooks));
	old = pl_find(ps, pol->name);

	memset(&c, 0, sizeof(c));
	c.ps = ps;
	c.pol = pol;
	c.pe = pe;
	c.err = err;
	c.errlen = errlen;
	if ((r = pl_add_compile(&c, &need, &nvis)) != 0 ||
	    (r = pl_add_capacity(&c, old, need)) != 0)
		goto fail;
	pl_add_ids(ps, pe);
	if ((r = pl_add_write(ps, pe, err, errlen)) != 0)
		goto undo;
	pl_add_announce(ps, pe);

	/* 5b. enable: dispatch entries switch (a failing switch restores
	   the entries it wrote) */
	if ((r = pl_add_attach(ps, pe, err, errlen)) != 0)
		goto undo;
	u = xcalloc(1, sizeof(*u));
	if ((r = pl_disp_switch(ps, old, pe, u, err, errlen)) != 0)
		goto undo;
	free(u);

	/* committed (err may hold the reason of a skipped hook) */
	if (errlen > 0)
		err[0] = '\0';
	pl_add_commit(ps, pe, old, nvis);
	return 0;

undo:
	free(u);
	pl_unwind(ps, pe, 0);
fail:
	log_warnx("policy %s not loaded: %s", pol->name, err);
	pl_pent_free(pe);
	return r;
}

int
polset_delete(struct polset *ps, const char *name, char *err, size_t errlen)
{
	struct pent *pe;

	if (errlen > 0)
		err[0] = '\0';
	if ((pe = pl_find(ps, name)) == NULL) {
		snprintf(err, errlen, "no policy named \"%s\"", name);
		return ERR_NOTFOUND;
	}
	if (pl_disp_switch(ps, pe, NULL, NULL, err, errlen) != 0)
		log_warnx("policy %s: delete: %s (continuing)", name, err);
	pl_unwind(ps, pe, 1);
	TAILQ_REMOVE(&ps->pols, pe, entry);
	if (TAILQ_EMPTY(&ps->pols))
		pl_exec_tail(ps, 0);
	log_info("policy %s deleted", name);
	pl_pent_free(pe);
	if (errlen > 0)
		err[0] = '\0';
	return 0;
}

int
polset_set_mode(struct polset *ps, const char *name, enum pol_mode mode,
    char *err, size_t errlen)
{
	struct pent *pe;
	struct ph *ph;
	uint32_t key;
	size_t i;
	int r = 0;

	if (errlen > 0)
		err[0] = '\0';
	if ((pe = pl_find(ps, name)) == NULL) {
		snprintf(err, errlen, "no policy named \"%s\"", name);
		return ERR_NOTFOUND;
	}
	pe->pol->mode = mode;
	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		ph->meta.mode = (uint32_t)mode;
		if (ph->id == 0)
			continue;
		if (mode == POL_MODE_MONITOR)
			ph->cfg.flags |= HOOK_F_MONITOR;
		else
			ph->cfg.flags &= (uint8_t)~HOOK_F_MONITOR;
		/* metadata first: records after the switch carry it */
		pl_send(ps, 1, ph);
		key = ph->id;
		if (bpf_map_update_elem(ps->fd_hooks, &key, &ph->cfg,
		    BPF_ANY) != 0) {
			snprintf(err, errlen, "update hook %u: %s", ph->id,
			    strerror(errno));
			r = ERR_SYS;
		}
	}
	log_info("policy %s: mode %s", name, mode == POL_MODE_MONITOR ?
	    "monitor" : "enforce");
	return r;
}

void
polset_resend(struct polset *ps)
{
	struct pent *pe;
	size_t i;

	TAILQ_FOREACH(pe, &ps->pols, entry)
		for (i = 0; i < pe->nhooks; i++)
			if (pe->hooks[i].id != 0)
				pl_send(ps, 1, &pe->hooks[i]);
}

char *
polset_policy_file(struct polset *ps, const char *name)
{
	struct pent	*pe;

	if ((pe = pl_find(ps, name)) == NULL || pe->pol->file == NULL)
		return NULL;
	return xstrdup(pe->pol->file);
}

int
polset_set_file(struct polset *ps, const char *name, const char *file)
{
	struct pent	*pe;

	if ((pe = pl_find(ps, name)) == NULL)
		return ERR_NOTFOUND;
	free(pe->pol->file);
	pe->pol->file = xstrdup(file);
	return 0;
}

int
polset_policy(struct polset *ps, size_t n, struct polset_polinfo *pi)
{
	struct pent	*pe;

	memset(pi, 0, sizeof(*pi));
	TAILQ_FOREACH(pe, &ps->pols, entry) {
		if (n-- > 0)
			continue;
		pi->name = pe->pol->name;
		pi->file = pe->pol->file;
		pi->src = pe->pol->src;
		pi->srclen = pe->pol->srclen;
		return 0;
	}
	return ERR_NOTFOUND;
}

size_t
polset_count(struct polset *ps)
{
	struct pent *pe;
	size_t n = 0;

	TAILQ_FOREACH(pe, &ps->pols, entry)
		n++;
	return n;
}

int
polset_hook(struct polset *ps, size_t n, struct polset_hookinfo *hi)
{
	struct hook_stat st;
	struct pent *pe;
	struct ph *ph;

	memset(hi, 0, sizeof(*hi));
	TAILQ_FOREACH(pe, &ps->pols, entry) {
		if (n >= pe->nvis) {
			n -= pe->nvis;
			continue;
		}
		ph = &pe->hooks[n];
		hi->policy = pe->pol->name;
		hi->skipped = ph->skipped;
		hi->id = ph->id;
		hi->gen = ph->gen;
		hi->kind = ph->kind;
		hi->target = ph->target;
		hi->how = ph->how;
		pl_stats_get(ps, ph->id, &st);
		hi->hits = st.hits;
		hi->matched = st.matched;
		hi->posted = st.posted;
		hi->dropped = st.dropped;
		hi->errors = st.errors;
		hi->signals = st.signals;
		hi->ratelimited = st.ratelimited;
		hi->overrides = st.overrides;
		hi->raced = st.raced;
		return 0;
	}
	return ERR_NOTFOUND;
}

static void
pl_list_json_hook(struct polset *ps, struct ph *ph, struct jsonw *w)
{
	struct hook_stat st;

	pl_stats_get(ps, ph->id, &st);
	jw_obj(w);
	jw_kstr(w, "kind", ph->kind);
	jw_kstr(w, "target", ph->target);
	jw_kstr(w, "state", ph->skipped ? "skipped" : "attached");
	jw_kstr(w, ph->skipped ? "error" : "attach", ph->how);
	jw_kuint(w, "id", ph->id);
	jw_kuint(w, "gen", ph->gen);
	jw_kuint(w, "hits", st.hits);
	jw_kuint(w, "matched", st.matched);
	jw_kuint(w, "posted", st.posted);
	jw_kuint(w, "dropped", st.dropped);
	jw_kuint(w, "errors", st.errors);
	jw_kuint(w, "signals", st.signals);
	jw_kuint(w, "ratelimited", st.ratelimited);
	jw_kuint(w, "overrides", st.overrides);
	jw_kuint(w, "overrides_missed", st.ovr_missed);
	jw_kuint(w, "raced", st.raced);
	if (ph->auxph != NULL && ph->auxph->id != 0) {
		/* the cgroup copy of the hook */
		pl_stats_get(ps, ph->auxph->id, &st);
		jw_kobj(w, "cgroup");
		jw_kstr(w, "attach", ph->auxph->how);
		jw_kuint(w, "id", ph->auxph->id);
		jw_kuint(w, "gen", ph->auxph->gen);
		jw_kuint(w, "hits", st.hits);
		jw_kuint(w, "matched", st.matched);
		jw_kuint(w, "posted", st.posted);
		jw_kuint(w, "signals", st.signals);
		jw_end(w);
	}
	jw_end(w);
}

static const char *
pl_mode_name(const struct pent *pe)
{
	return pe->pol->mode == POL_MODE_MONITOR ? "monitor" : "enforce";
}

static char *
pl_list_json(struct polset *ps)
{
	struct sbuf sb;
	struct jsonw w;
	struct pent *pe;
	size_t i;

	sbuf_init(&sb);
	jw_init(&w, &sb);
	jw_obj(&w);
	jw_karr(&w, "policies");
	TAILQ_FOREACH(pe, &ps->pols, entry) {
		jw_obj(&w);
		jw_kstr(&w, "name", pe->pol->name);
		jw_kstr(&w, "file", pe->pol->file);
		jw_kstr(&w, "mode", pl_mode_name(pe));
		jw_karr(&w, "hooks");
		for (i = 0; i < pe->nvis; i++)
			pl_list_json_hook(ps, &pe->hooks[i], &w);
		jw_end(&w);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	return sb.buf;
}

static void
pl_list_text_hook(struct polset *ps, struct ph *ph, struct sbuf *sb)
{
	struct hook_stat st;

	if (ph->skipped) {
		sbuf_addf(sb, "  - %s %s: %s\n", ph->kind, ph->target,
		    ph->how);
		return;
	}
	pl_stats_get(ps, ph->id, &st);
	sbuf_addf(sb, "  - %s %s: hook %u: %s\n"
	    "    hits %llu matched %llu posted %llu "
	    "dropped %llu errors %llu signals %llu\n",
	    ph->kind, ph->target, ph->id, ph->how,
	    (unsigned long long)st.hits,
	    (unsigned long long)st.matched,
	    (unsigned long long)st.posted,
	    (unsigned long long)st.dropped,
	    (unsigned long long)st.errors,
	    (unsigned long long)st.signals);
	if (st.ratelimited > 0)
		sbuf_addf(sb, "    ratelimited %llu (not posted: inside "
		    "a rateLimit window)\n",
		    (unsigned long long)st.ratelimited);
	if (st.overrides > 0 || st.ovr_missed > 0)
		sbuf_addf(sb, "    overrides %llu (decided but "
		    "not carried out: %llu)\n",
		    (unsigned long long)st.overrides,
		    (unsigned long long)st.ovr_missed);
	if (st.raced > 0)
		sbuf_addf(sb, "    raced %llu (the argument the kernel used "
		    "was not the one read at sys_enter: decided again on "
		    "the kernel's copy)\n", (unsigned long long)st.raced);
	if (ph->auxph != NULL && ph->auxph->id != 0) {
		pl_stats_get(ps, ph->auxph->id, &st);
		sbuf_addf(sb, "    cgroup copy: hook %u: hits %llu "
		    "matched %llu posted %llu signals %llu\n",
		    ph->auxph->id,
		    (unsigned long long)st.hits,
		    (unsigned long long)st.matched,
		    (unsigned long long)st.posted,
		    (unsigned long long)st.signals);
	}
}

char *
polset_list(struct polset *ps, int json)
{
	struct sbuf sb;
	struct pent *pe;
	size_t i;

	if (json)
		return pl_list_json(ps);
	sbuf_init(&sb);
	if (TAILQ_EMPTY(&ps->pols))
		sbuf_adds(&sb, "no policies loaded\n");
	TAILQ_FOREACH(pe, &ps->pols, entry) {
		sbuf_addf(&sb, "%s (%s) mode %s, %zu hook%s\n",
		    pe->pol->name, pe->pol->file ? pe->pol->file : "-",
		    pl_mode_name(pe), pe->nvis, pe->nvis == 1 ? "" : "s");
		for (i = 0; i < pe->nvis; i++)
			pl_list_text_hook(ps, &pe->hooks[i], &sb);
	}
	return sb.buf;
}

void
polset_free(struct polset *ps)
{
	struct pent *pe;
	struct tpatt *t;
	char err[256];

	if (ps == NULL)
		return;
	ps->cb = NULL;		/* no callbacks from free */
	while ((pe = TAILQ_FIRST(&ps->pols)) != NULL) {
		(void)pl_disp_switch(ps, pe, NULL, NULL, err, sizeof(err));
		pl_unwind(ps, pe, 1);
		TAILQ_REMOVE(&ps->pols, pe, entry);
		pl_pent_free(pe);
	}
	pl_exec_tail(ps, 0);
	while ((t = TAILQ_FIRST(&ps->tps)) != NULL) {
		bpf_link__destroy(t->link);
		TAILQ_REMOVE(&ps->tps, t, entry);
		free(t->subsys);
		free(t->event);
		free(t);
	}
	bpf_link__destroy(ps->l_enter);
	bpf_link__destroy(ps->l_exit);
	bpfl_inst_free(ps->kinst);
	bpfl_inst_free(ps->uinst);
	bpfl_inst_free(ps->usdtinst);
	netl_free(ps->net);
	if (ps->barrier_fd >= 0)
		close(ps->barrier_fd);
	if (ps->inner_fd >= 0)
		close(ps->inner_fd);
	free(ps);
}
