/*
 * loaderd/pl_kstate.c -- the policy set's kernel state: hook slots
 * (config, selectors, stats), InMap values, the RCU wait, the dispatch
 * lists (sys_hooks, tp_hooks, net_hooks: capacity check, switch with undo)
 * and the unwinding of a policy's hooks.
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
#include "log.h"
#include "xmalloc.h"

#include "bpf_load.h"
#include "net_load.h"
#include "pl_int.h"

/* Wait until no BPF program still runs with values read before now: an
 * update of an array-of-maps waits for an RCU grace period
 * (kernel/bpf/syscall.c maybe_wait_bpf_programs). */
static void
pl_barrier(struct polset *ps)
{
	uint32_t key = 0;

	if (bpf_map_update_elem(ps->barrier_fd, &key, &ps->inner_fd,
	    BPF_ANY) != 0) {
		log_warn("policy: RCU barrier map update");
		usleep(50000);
	}
}

static int
pl_stats_zero(struct polset *ps, uint32_t id)
{
	struct hook_stat *v;
	int r;

	v = xcalloc((size_t)ps->ncpus, sizeof(*v));
	r = bpf_map_update_elem(ps->fd_stats, &id, v, BPF_ANY);
	free(v);
	return r;
}

void
pl_stats_get(struct polset *ps, uint32_t id, struct hook_stat *out)
{
	struct hook_stat *v;
	int i;

	memset(out, 0, sizeof(*out));
	if (id == 0)
		return;
	v = xcalloc((size_t)ps->ncpus, sizeof(*v));
	if (bpf_map_lookup_elem(ps->fd_stats, &id, v) == 0) {
		for (i = 0; i < ps->ncpus; i++) {
			out->hits += v[i].hits;
			out->matched += v[i].matched;
			out->posted += v[i].posted;
			out->dropped += v[i].dropped;
			out->errors += v[i].errors;
			out->signals += v[i].signals;
			out->ratelimited += v[i].ratelimited;
			out->overrides += v[i].overrides;
			out->ovr_missed += v[i].ovr_missed;
			out->raced += v[i].raced;
		}
	}
	free(v);
}

/* Write slot id: selectors, stats, then the config. */
int
pl_slot_write(struct polset *ps, struct ph *ph, char *err, size_t errlen)
{
	uint32_t key, i;

	for (i = 0; i < HOOK_SEL_MAX; i++) {
		key = ph->id * HOOK_SEL_MAX + i;
		if (bpf_map_update_elem(ps->fd_sel, &key, &ph->sel[i],
		    BPF_ANY) != 0)
			goto fail;
	}
	if (pl_stats_zero(ps, ph->id) != 0)
		goto fail;
	key = ph->id;
	if (bpf_map_update_elem(ps->fd_hooks, &key, &ph->cfg, BPF_ANY) != 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "write hook slot %u: %s", ph->id,
	    strerror(errno));
	return ERR_SYS;
}

static void
pl_slot_clear(struct polset *ps, uint32_t id)
{
	struct hook_cfg cfg;
	struct sel_cfg *sel;
	uint32_t key, i;

	memset(&cfg, 0, sizeof(cfg));
	key = id;
	if (bpf_map_update_elem(ps->fd_hooks, &key, &cfg, BPF_ANY) != 0)
		log_warn("policy: clear hook slot %u", id);
	sel = xcalloc(1, sizeof(*sel));
	for (i = 0; i < HOOK_SEL_MAX; i++) {
		key = id * HOOK_SEL_MAX + i;
		(void)bpf_map_update_elem(ps->fd_sel, &key, sel, BPF_ANY);
	}
	free(sel);
	ps->used[id] = 0;
}

static const char *const pl_sm_what[PL_SM_MAX_] = {
	"Equal/NotEqual string values (map streq)",
	"Prefix/NotPrefix values (map strpfx)",
	"Postfix/NotPostfix values (map strsfx)",
};

static const void *
pl_sk_key(const struct pent *pe, int m, size_t i)
{
	if (m == PL_SM_EQ)
		return &pe->sk[m].k.eq[i];
	return &pe->sk[m].k.lpm[i];
}

static void
pl_strkeys_clear(struct polset *ps, struct pent *pe)
{
	size_t i;
	int m;

	if (!pe->sk_written)
		return;
	for (m = 0; m < PL_SM_MAX_; m++) {
		for (i = 0; i < pe->sk[m].n; i++)
			(void)bpf_map_delete_elem(ps->fd_str[m],
			    pl_sk_key(pe, m, i));
		ps->str_used[m] -= pe->sk[m].n;
	}
	pe->sk_written = 0;
}

/* The policy's keys of the string maps; all or none. */
static int
pl_strkeys_write(struct polset *ps, struct pent *pe, char *err,
    size_t errlen)
{
	uint8_t one = 1;
	size_t i;
	int m;

	for (m = 0; m < PL_SM_MAX_; m++) {
		if (pe->sk[m].n == 0)
			continue;
		if (ps->fd_str[m] < 0 ||
		    ps->str_used[m] + pe->sk[m].n > ps->str_max[m]) {
			snprintf(err, errlen, "%s: %s: %zu needed, %zu of %u "
			    "free (all policies share them)", pe->pol->file ?
			    pe->pol->file : pe->pol->name, pl_sm_what[m],
			    pe->sk[m].n, (size_t)ps->str_max[m] -
			    ps->str_used[m], ps->str_max[m]);
			return ERR_RANGE;
		}
	}
	pe->sk_written = 1;
	for (m = 0; m < PL_SM_MAX_; m++)
		ps->str_used[m] += pe->sk[m].n;
	for (m = 0; m < PL_SM_MAX_; m++) {
		for (i = 0; i < pe->sk[m].n; i++) {
			if (bpf_map_update_elem(ps->fd_str[m],
			    pl_sk_key(pe, m, i), &one, BPF_ANY) == 0)
				continue;
			snprintf(err, errlen, "write %s: %s", pl_sm_what[m],
			    strerror(errno));
			pl_strkeys_clear(ps, pe);
			return ERR_SYS;
		}
	}
	return 0;
}

static int
pl_nums_write(struct polset *ps, struct pent *pe, char *err, size_t errlen)
{
	uint8_t one = 1;
	size_t i;

	if (pe->ninmap == 0)
		return 0;
	if (ps->fd_inmap < 0 || ps->inmap_used + pe->ninmap > ps->inmap_max) {
		snprintf(err, errlen, "%s: InMap values: %zu needed, %zu of "
		    "%u free", pe->pol->file ? pe->pol->file : pe->pol->name,
		    pe->ninmap, (size_t)ps->inmap_max - ps->inmap_used,
		    ps->inmap_max);
		return ERR_RANGE;
	}
	for (i = 0; i < pe->ninmap; i++) {
		if (bpf_map_update_elem(ps->fd_inmap, &pe->inmap[i], &one,
		    BPF_ANY) != 0) {
			snprintf(err, errlen, "write InMap values: %s",
			    strerror(errno));
			while (i-- > 0)
				(void)bpf_map_delete_elem(ps->fd_inmap,
				    &pe->inmap[i]);
			return ERR_SYS;
		}
	}
	ps->inmap_used += pe->ninmap;
	pe->inmap_written = 1;
	return 0;
}

static void
pl_inmap_clear(struct polset *ps, struct pent *pe)
{
	size_t i;

	pl_strkeys_clear(ps, pe);
	if (!pe->inmap_written)
		return;
	for (i = 0; i < pe->ninmap; i++)
		(void)bpf_map_delete_elem(ps->fd_inmap, &pe->inmap[i]);
	ps->inmap_used -= pe->ninmap;
	pe->inmap_written = 0;
}

/* The policy's map-held values: InMap (and integer Equal lists) and
 * string lists. */
int
pl_inmap_write(struct polset *ps, struct pent *pe, char *err, size_t errlen)
{
	int r;

	if ((r = pl_nums_write(ps, pe, err, errlen)) != 0)
		return r;
	if ((r = pl_strkeys_write(ps, pe, err, errlen)) != 0)
		pl_inmap_clear(ps, pe);
	return r;
}

/*
 * Dispatch lists.
 */

static int
pl_list_has(const struct hook_list *l, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < l->n && i < HOOK_PER_DISPATCH; i++)
		if (l->ids[i] == id)
			return 1;
	return 0;
}

static size_t
pl_list_count(const struct hook_list *l)
{
	uint32_t i;
	size_t n = 0;

	for (i = 0; i < l->n && i < HOOK_PER_DISPATCH; i++)
		if (l->ids[i] != 0)
			n++;
	return n;
}

/* Is ph dispatched through entry key (a syscall nr, tracepoint id or
 * NET_D_*) of dispatch kind d? */
static int
pl_ph_on(const struct ph *ph, enum pl_disp d, uint32_t key)
{
	if (ph->skipped || ph->disp != d)
		return 0;
	switch (d) {
	case PL_DISP_SYS:
		return key < HOOK_SYSCALLS_MAX && pl_nr_isset(ph, (int)key);
	case PL_DISP_TP:
		return ph->tp_id == key;
	case PL_DISP_NET:
		return key < NET_D_MAX && (ph->net_mask & (1U << key)) != 0;
	default:
		return 0;
	}
}

/*
 * New list from l: ids of oldp (may be NULL) replaced in place by ids of
 * newp (may be NULL) on the same entry; extra old ids become holes, extra
 * new ids fill holes then append; trailing holes are trimmed.
 */
static void
pl_list_edit(struct hook_list *l, const struct pent *oldp,
    const struct pent *newp, enum pl_disp d, uint32_t key)
{
	uint32_t newids[HOOK_MAX];
	size_t nnew = 0, k = 0, i;
	uint32_t j;

	for (i = 0; newp != NULL && i < newp->nhooks; i++) {
		const struct ph *ph = &newp->hooks[i];

		if (pl_ph_on(ph, d, key))
			newids[nnew++] = ph->id;
	}
	for (j = 0; j < l->n && j < HOOK_PER_DISPATCH; j++) {
		int isold = 0;

		for (i = 0; oldp != NULL && i < oldp->nhooks; i++)
			if (oldp->hooks[i].id != 0 &&
			    oldp->hooks[i].id == l->ids[j])
				isold = 1;
		if (!isold)
			continue;
		l->ids[j] = k < nnew ? newids[k++] : 0;
	}
	for (j = 0; j < HOOK_PER_DISPATCH && k < nnew; j++) {
		if (j < l->n && l->ids[j] != 0)
			continue;
		l->ids[j] = newids[k++];
		if (j >= l->n)
			l->n = j + 1;
	}
	while (l->n > 0 && l->ids[l->n - 1] == 0)
		l->n--;
	for (j = l->n; j < HOOK_PER_DISPATCH; j++)
		l->ids[j] = 0;
}

/* How many hooks would entry (nr or tp) carry after replacing oldp with
 * newp?  Checked before anything is written. */
static size_t
pl_list_after(const struct hook_list *l, const struct pent *oldp,
    const struct pent *newp, enum pl_disp d, uint32_t key)
{
	size_t n = pl_list_count(l), i;

	for (i = 0; oldp != NULL && i < oldp->nhooks; i++)
		if (oldp->hooks[i].id != 0 && pl_list_has(l,
		    oldp->hooks[i].id))
			n--;
	for (i = 0; newp != NULL && i < newp->nhooks; i++)
		if (pl_ph_on(&newp->hooks[i], d, key))
			n++;
	return n;
}

static int
pl_sys_write(struct polset *ps, int nr, const struct hook_list *l)
{
	uint32_t key = (uint32_t)nr;

	if (ps->sys_hash && l->n == 0) {
		if (bpf_map_delete_elem(ps->fd_sys, &key) != 0 &&
		    errno != ENOENT)
			return -1;
		return 0;
	}
	return bpf_map_update_elem(ps->fd_sys, &key, l, BPF_ANY);
}

int
pl_tp_write(struct polset *ps, uint32_t slot, const struct hook_list *l)
{
	return bpf_map_update_elem(ps->fd_tp, &slot, l, BPF_ANY);
}

static int
pl_touches(const struct pent *p, enum pl_disp d, uint32_t key)
{
	size_t i;

	for (i = 0; p != NULL && i < p->nhooks; i++)
		if (pl_ph_on(&p->hooks[i], d, key))
			return 1;
	return 0;
}

static int
pl_net_write(struct polset *ps, int d, const struct hook_list *l)
{
	uint32_t key = (uint32_t)d;

	return bpf_map_update_elem(ps->fd_net, &key, l, BPF_ANY);
}

/* Check the dispatch capacity of replacing oldp by newp. */
int
pl_disp_check(struct polset *ps, const struct pent *oldp,
    const struct pent *newp, char *err, size_t errlen)
{
	const char *file = newp->pol->file ? newp->pol->file : newp->pol->name;
	struct tpatt *t;
	struct hook_list empty;
	size_t i, n;
	int nr;

	for (nr = 0; nr < HOOK_SYSCALLS_MAX; nr++) {
		if (!pl_touches(newp, PL_DISP_SYS, (uint32_t)nr))
			continue;
		n = pl_list_after(&ps->sys[nr], oldp, newp, PL_DISP_SYS,
		    (uint32_t)nr);
		if (n > HOOK_PER_DISPATCH) {
			snprintf(err, errlen, "%s: %zu hooks on syscall %d "
			    "(with the policies already loaded): at most %d "
			    "hooks per syscall", file, n, nr,
			    HOOK_PER_DISPATCH);
			return ERR_RANGE;
		}
	}
	memset(&empty, 0, sizeof(empty));
	for (i = 0; i < newp->nhooks; i++) {
		const struct ph *ph = &newp->hooks[i];

		if (ph->skipped || ph->disp != PL_DISP_TP)
			continue;
		t = pl_tp_find(ps, ph->tp_id);
		n = pl_list_after(t != NULL ? &t->list : &empty, oldp, newp,
		    PL_DISP_TP, ph->tp_id);
		if (n > HOOK_PER_DISPATCH) {
			snprintf(err, errlen, "%s: %zu hooks on tracepoint "
			    "%s/%s (with the policies already loaded): at "
			    "most %d hooks per tracepoint", file, n,
			    ph->h->subsystem, ph->h->event,
			    HOOK_PER_DISPATCH);
			return ERR_RANGE;
		}
	}
	for (nr = 0; nr < NET_D_MAX; nr++) {
		if (!pl_touches(newp, PL_DISP_NET, (uint32_t)nr))
			continue;
		n = pl_list_after(&ps->netl[nr], oldp, newp, PL_DISP_NET,
		    (uint32_t)nr);
		if (n > HOOK_PER_DISPATCH) {
			snprintf(err, errlen, "%s: %zu hooks on %s (with the "
			    "policies already loaded): at most %d", file, n,
			    netl_section(nr), HOOK_PER_DISPATCH);
			return ERR_RANGE;
		}
	}
	return 0;
}

/*
 * Switch every dispatch entry from oldp's hooks to newp's (either may be
 * NULL), one map update per entry.  On failure restore the entries already
 * written (when u != NULL) and return ERR_SYS.
 */
int
pl_disp_switch(struct polset *ps, const struct pent *oldp,
    const struct pent *newp, struct pl_undo *u, char *err, size_t errlen)
{
	struct hook_list l;
	struct tpatt *t;
	size_t i;
	int nr;

	if (u != NULL)
		memset(u, 0, sizeof(*u));
	for (nr = 0; nr < HOOK_SYSCALLS_MAX; nr++) {
		if (!pl_touches(oldp, PL_DISP_SYS, (uint32_t)nr) &&
		    !pl_touches(newp, PL_DISP_SYS, (uint32_t)nr))
			continue;
		l = ps->sys[nr];
		pl_list_edit(&l, oldp, newp, PL_DISP_SYS, (uint32_t)nr);
		if (memcmp(&l, &ps->sys[nr], sizeof(l)) == 0)
			continue;
		if (pl_sys_write(ps, nr, &l) != 0) {
			snprintf(err, errlen, "update sys_hooks[%d]: %s", nr,
			    strerror(errno));
			goto fail;
		}
		if (u != NULL) {
			u->sys[nr] = ps->sys[nr];
			u->sys_written[nr] = 1;
		}
		ps->sys[nr] = l;
	}
	TAILQ_FOREACH(t, &ps->tps, entry) {
		if (!pl_touches(oldp, PL_DISP_TP, t->id) &&
		    !pl_touches(newp, PL_DISP_TP, t->id))
			continue;
		l = t->list;
		pl_list_edit(&l, oldp, newp, PL_DISP_TP, t->id);
		if (memcmp(&l, &t->list, sizeof(l)) == 0)
			continue;
		if (pl_tp_write(ps, t->slot, &l) != 0) {
			snprintf(err, errlen, "update tp_hooks[%u]: %s", t->id,
			    strerror(errno));
			goto fail;
		}
		if (u != NULL && u->ntp < HOOK_MAX) {
			u->tp[u->ntp] = t;
			u->tplist[u->ntp++] = t->list;
		}
		t->list = l;
	}
	for (nr = 0; nr < NET_D_MAX; nr++) {
		if (!pl_touches(oldp, PL_DISP_NET, (uint32_t)nr) &&
		    !pl_touches(newp, PL_DISP_NET, (uint32_t)nr))
			continue;
		l = ps->netl[nr];
		pl_list_edit(&l, oldp, newp, PL_DISP_NET, (uint32_t)nr);
		if (memcmp(&l, &ps->netl[nr], sizeof(l)) == 0)
			continue;
		if (pl_net_write(ps, nr, &l) != 0) {
			snprintf(err, errlen, "update net_hooks[%s]: %s",
			    netl_section(nr), strerror(errno));
			goto fail;
		}
		if (u != NULL) {
			u->net[nr] = ps->netl[nr];
			u->net_written[nr] = 1;
		}
		ps->netl[nr] = l;
	}
	return 0;
fail:
	if (u == NULL)
		return ERR_SYS;
	for (nr = 0; nr < NET_D_MAX; nr++) {
		if (!u->net_written[nr])
			continue;
		if (pl_net_write(ps, nr, &u->net[nr]) != 0)
			log_warn("policy: undo net_hooks[%d]", nr);
		ps->netl[nr] = u->net[nr];
	}
	for (nr = 0; nr < HOOK_SYSCALLS_MAX; nr++) {
		if (!u->sys_written[nr])
			continue;
		if (pl_sys_write(ps, nr, &u->sys[nr]) != 0)
			log_warn("policy: undo sys_hooks[%d]", nr);
		ps->sys[nr] = u->sys[nr];
	}
	for (i = 0; i < u->ntp; i++) {
		if (pl_tp_write(ps, u->tp[i]->slot, &u->tplist[i]) != 0)
			log_warn("policy: undo tp_hooks[%u]", u->tp[i]->id);
		u->tp[i]->list = u->tplist[i];
	}
	return ERR_SYS;
}

/* Clear the followChildren bits of slot id in every execbin entry, so
 * that a later hook in the same slot does not inherit them. */
static void
pl_execbin_scrub(struct polset *ps, uint32_t id)
{
	struct execbin_val *v;
	uint32_t key, next, bit, sel;
	int fd, more, changed;

	if ((fd = bpfl_map_fd(ps->b, "execbin")) < 0)
		return;
	v = xmalloc(sizeof(*v));
	for (more = bpf_map_get_next_key(fd, NULL, &next) == 0; more;
	    more = bpf_map_get_next_key(fd, &key, &next) == 0) {
		key = next;
		if (bpf_map_lookup_elem(fd, &key, v) != 0)
			continue;
		changed = 0;
		for (sel = 0; sel < HOOK_SEL_MAX; sel++) {
			bit = id * HOOK_SEL_MAX + sel;
			if (v->follow[bit / 64] & (1ULL << (bit % 64))) {
				v->follow[bit / 64] &= ~(1ULL << (bit % 64));
				changed = 1;
			}
		}
		if (changed)
			(void)bpf_map_update_elem(fd, &key, v, BPF_EXIST);
	}
	free(v);
}

/*
 * Undo everything pe holds in the kernel (pe is no longer, or was never,
 * reachable from a dispatch entry): uprobes off, wait for running
 * programs, slots cleared, references dropped, removal announced.
 */
void
pl_unwind(struct polset *ps, struct pent *pe, int barrier)
{
	struct ph *ph;
	size_t i;
	char err[256];

	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->link != NULL) {
			bpf_link__destroy(ph->link);
			ph->link = NULL;
			barrier = 1;
		}
		if (ph->link2 != NULL) {
			bpf_link__destroy(ph->link2);
			ph->link2 = NULL;
			barrier = 1;
		}
	}
	if (barrier)
		pl_barrier(ps);
	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		bpfl_inst_free(ph->inst);
		ph->inst = NULL;
		pl_ovr_release(ps, ph);
	}
	for (i = 0; i < pe->nhooks; i++) {
		ph = &pe->hooks[i];
		if (ph->id == 0)
			continue;
		if (ph->written)
			pl_slot_clear(ps, ph->id);
		if (ph->written && ph->follow)
			pl_execbin_scrub(ps, ph->id);
		ps->used[ph->id] = 0;
		if (ph->counted)
			pl_raw_count(ps, ph, -1);
		if (ph->net_counted)
			pl_net_count(ps, ph, -1);
		pl_sockown_count(ps, ph, -1);
		if (ph->tpref)
			pl_tp_unref(ps, ph->tp_id);
		if (ph->sent)
			pl_send(ps, 0, ph);
		ph->written = ph->counted = ph->tpref = ph->sent = 0;
		ph->net_counted = 0;
		ph->id = 0;
	}
	pl_inmap_clear(ps, pe);
	if (pl_raw_sync(ps, err, sizeof(err)) != 0 ||
	    pl_net_sync(ps, err, sizeof(err)) != 0)
		log_warnx("policy: %s", err);
	pl_sockown_sync(ps);
}
