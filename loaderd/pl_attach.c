/*
 * loaderd/pl_attach.c -- attach what the hooks need, per hook kind: the
 * generic tracepoint program once per tracepoint (reference counted), the
 * raw sys_enter/sys_exit dispatch and the cgroup programs only while a
 * hook needs them, uprobes and kprobes (+ kretprobes) with the hook id as
 * BPF cookie, one program instance per lsm/fmod_ret/fentry hook, and the
 * exec tail call.
 */
#include "build.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "err.h"
#include "log.h"
#include "xmalloc.h"

#include "bpf_load.h"
#include "net_load.h"
#include "pl_int.h"

struct tpatt *
pl_tp_find(struct polset *ps, uint32_t id)
{
	struct tpatt *t;

	TAILQ_FOREACH(t, &ps->tps, entry)
		if (t->id == id)
			return t;
	return NULL;
}

/* The lowest tp_hooks slot no attached tracepoint uses (HOOK_MAX: none
 * left). */
static uint32_t
pl_tp_slot(struct polset *ps)
{
	struct tpatt *t;
	uint32_t slot;

	for (slot = 0; slot < HOOK_MAX; slot++) {
		TAILQ_FOREACH(t, &ps->tps, entry)
			if (t->slot == slot)
				break;
		if (t == NULL)
			return slot;
	}
	return HOOK_MAX;
}

/* Take a reference on the tracepoint of ph, attaching the generic
 * tracepoint program on the first one. */
int
pl_tp_ref(struct polset *ps, struct ph *ph, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_tracepoint_opts, o);
	struct tpatt *t;
	struct bpf_link *l;
	uint32_t slot;

	if ((t = pl_tp_find(ps, ph->tp_id)) != NULL) {
		t->refs++;
		return 0;
	}
	/* the record's common_type is overwritten by perf (regs pointer)
	   before the program runs: the cookie says which tracepoint, as its
	   slot in tp_hooks (an array: one tracepoint a hook at most) */
	if ((slot = pl_tp_slot(ps)) >= HOOK_MAX) {
		snprintf(err, errlen, "attach tracepoint %s/%s: all %d "
		    "tracepoint slots in use", ph->h->subsystem,
		    ph->h->event, HOOK_MAX);
		return ERR_RANGE;
	}
	o.bpf_cookie = slot;
	l = bpf_program__attach_tracepoint_opts(ps->p_tp, ph->h->subsystem,
	    ph->h->event, &o);
	if (l == NULL) {
		snprintf(err, errlen, "attach tracepoint %s/%s: %s",
		    ph->h->subsystem, ph->h->event, strerror(errno));
		return ERR_SYS;
	}
	t = xcalloc(1, sizeof(*t));
	t->id = ph->tp_id;
	t->slot = slot;
	t->subsys = xstrdup(ph->h->subsystem);
	t->event = xstrdup(ph->h->event);
	t->link = l;
	t->refs = 1;
	TAILQ_INSERT_TAIL(&ps->tps, t, entry);
	log_info("policy: generic tracepoint program attached to %s/%s "
	    "(id %u, slot %u)", t->subsys, t->event, t->id, t->slot);
	return 0;
}

void
pl_tp_unref(struct polset *ps, uint32_t id)
{
	struct tpatt *t;

	if ((t = pl_tp_find(ps, id)) == NULL || --t->refs > 0)
		return;
	bpf_link__destroy(t->link);
	/* its slot empty for the next tracepoint that takes it */
	memset(&t->list, 0, sizeof(t->list));
	if (pl_tp_write(ps, t->slot, &t->list) != 0)
		log_warn("policy: clear tp_hooks[%u]", t->slot);
	log_info("policy: generic tracepoint program detached from %s/%s",
	    t->subsys, t->event);
	TAILQ_REMOVE(&ps->tps, t, entry);
	free(t->subsys);
	free(t->event);
	free(t);
}

/* Attach or detach raw_tracepoint/sys_enter and sys_exit to match the
 * number of syscall hooks. */
int
pl_raw_sync(struct polset *ps, char *err, size_t errlen)
{
	if (ps->n_sys > 0 && ps->l_enter == NULL) {
		ps->l_enter = bpf_program__attach_raw_tracepoint(ps->p_enter,
		    "sys_enter");
		if (ps->l_enter == NULL) {
			snprintf(err, errlen, "attach raw_tracepoint/"
			    "sys_enter: %s", strerror(errno));
			return ERR_SYS;
		}
		log_info("policy: raw_tracepoint/sys_enter dispatch attached");
	}
	if (ps->n_exit > 0 && ps->l_exit == NULL) {
		ps->l_exit = bpf_program__attach_raw_tracepoint(ps->p_exit,
		    "sys_exit");
		if (ps->l_exit == NULL) {
			snprintf(err, errlen, "attach raw_tracepoint/"
			    "sys_exit: %s", strerror(errno));
			return ERR_SYS;
		}
		log_info("policy: raw_tracepoint/sys_exit dispatch attached");
	}
	if (ps->n_exit == 0 && ps->l_exit != NULL) {
		bpf_link__destroy(ps->l_exit);
		ps->l_exit = NULL;
		log_info("policy: raw_tracepoint/sys_exit dispatch detached "
		    "(no hook at syscall exit)");
	}
	if (ps->n_sys == 0 && ps->l_enter != NULL) {
		bpf_link__destroy(ps->l_enter);
		ps->l_enter = NULL;
		log_info("policy: raw_tracepoint/sys_enter dispatch detached "
		    "(no syscall hook)");
	}
	return 0;
}

/* Account for a slot dispatched by syscall number (d = +1 / -1). */
void
pl_raw_count(struct polset *ps, const struct ph *ph, int d)
{
	if (ph->disp != PL_DISP_SYS)
		return;
	ps->n_sys += d;
	/* sys_exit also closes an LSM-carried Override and decides what
	 * sys_enter could not read */
	if (ph->cfg.flags & (HOOK_F_AT_EXIT | HOOK_F_OVR_LSM | HOOK_F_REREAD))
		ps->n_exit += d;
}

/* Account for a slot run by the cgroup programs (d = +1 / -1). */
void
pl_net_count(struct polset *ps, const struct ph *ph, int delta)
{
	int d;

	if (ph->disp != PL_DISP_NET)
		return;
	for (d = 0; d < NET_D_MAX; d++)
		if (ph->net_mask & (1U << d))
			ps->n_net[d] += delta;
}

/* Attach or detach the cgroup programs to match n_net[] (a program on
 * the cgroup2 root runs for every connect: only while a hook needs it). */
int
pl_net_sync(struct polset *ps, char *err, size_t errlen)
{
	int d, r;

	for (d = 0; d < NET_D_MAX; d++) {
		if (ps->n_net[d] > 0 &&
		    (r = netl_attach(ps->net, d, err, errlen)) != 0)
			return r;
		if (ps->n_net[d] <= 0)
			netl_detach(ps->net, d);
	}
	return 0;
}

/*
 * Account for a hook with a sock, socket or skb argument (d = +1 / -1)
 * that can run outside the task owning the socket: not a syscall hook or
 * uprobe, nor one the cgroup connect/sendmsg programs carry out (they run
 * in the calling task: the current task is the owner), so that a policy
 * made only of those costs no tracking on every socket.
 */
void
pl_sockown_count(struct polset *ps, struct ph *ph, int delta)
{
	size_t i;
	int t;

	if (ph->disp == PL_DISP_SYS || ph->disp == PL_DISP_UPROBE ||
	    (ph->disp == PL_DISP_NET && !(ph->net_mask &
	    (1U << NET_D_SKB_IN | 1U << NET_D_SKB_EG))))
		return;
	for (i = 0; i <= HOOK_ARGS_MAX; i++) {
		t = i < HOOK_ARGS_MAX ? ph->cfg.args[i].type :
		    ph->cfg.ret.type;
		if (i < HOOK_ARGS_MAX && i >= ph->cfg.nargs)
			continue;
		if (t == POL_ARG_SOCK || t == POL_ARG_SOCKET ||
		    t == POL_ARG_SKB)
			break;
	}
	if (i > HOOK_ARGS_MAX || (delta > 0) == (ph->so_counted != 0))
		return;
	ph->so_counted = delta > 0;
	ps->n_sockarg += delta;
}

/*
 * Implicit socket tracking while a hook has a socket argument, on kernels
 * without kprobes (with kprobes, TrackSock/UntrackSock policies track, as
 * in Tetragon).  Failing to attach is logged: attribution then falls back
 * to the current task.
 */
void
pl_sockown_sync(struct polset *ps)
{
	struct polset_features *f = &ps->feat;
	char err[512];

	if (ps->n_sockarg <= 0 || f->kprobes) {
		netl_sockown_detach(ps->net);
		return;
	}
	if (netl_sockown_attached(ps->net))
		return;
	if (f->cgroup2[0] == '\0') {
		log_warnx("policy: no socket tracking: no cgroup2 hierarchy "
		    "is mounted (socket events name the current task)");
		return;
	}
	if (ps->net == NULL) {
		if (netl_open(&ps->net, ps->b, ps->obj, f->cgroup2,
		    f->cg_signal, f->cg_retval, err, sizeof(err)) != 0) {
			log_warnx("policy: no socket tracking: %s", err);
			return;
		}
		ps->fd_net = netl_hooks_fd(ps->net);
	}
	if (netl_sockown_attach(ps->net, err, sizeof(err)) != 0)
		log_warnx("policy: no socket tracking: %s", err);
}

/* The uretprobe program: one instance, loaded on first use. */
static int
pl_uinst(struct polset *ps, char *err, size_t errlen)
{
	static const char *const progs[] = { "generic_uretprobe" };

	if (ps->uinst != NULL)
		return 0;
	return bpfl_instance(ps->b, progs, 1, NULL, 0, &ps->uinst, err,
	    errlen);
}

/* The return probe of a uprobe hook with a return value. */
static int
pl_uretprobe_attach(struct polset *ps, struct ph *ph, char *err,
    size_t errlen)
{
	LIBBPF_OPTS(bpf_uprobe_opts, o);
	int r;

	if ((r = pl_uinst(ps, err, errlen)) != 0)
		return r;
	o.func_name = ph->h->symbol;
	o.bpf_cookie = ph->id;
	o.retprobe = true;
	ph->link2 = bpf_program__attach_uprobe_opts(bpfl_inst_prog(ps->uinst,
	    "generic_uretprobe"), -1, ph->h->path, 0, &o);
	if (ph->link2 == NULL) {
		snprintf(err, errlen, "attach uretprobe %s:%s: %s",
		    ph->h->path, ph->h->symbol, strerror(errno));
		return ERR_SYS;
	}
	return 0;
}

/* Attach the uprobe of ph (+ its uretprobe): BPF cookie = hook id; a
 * usdts hook at its probe's sites (pl_usdt.c). */
int
pl_uprobe_attach(struct polset *ps, struct ph *ph, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_uprobe_opts, o);

	if (ph->h->kind == POL_HOOK_USDT)
		return pl_usdt_attach(ps, ph, err, errlen);
	o.func_name = ph->h->symbol;
	o.bpf_cookie = ph->id;
	o.retprobe = false;
	ph->link = bpf_program__attach_uprobe_opts(ps->p_uprobe, -1,
	    ph->h->path, 0, &o);
	if (ph->link == NULL) {
		snprintf(err, errlen, "attach uprobe %s:%s: %s", ph->h->path,
		    ph->h->symbol, strerror(errno));
		return ERR_SYS;
	}
	if (!(ph->cfg.flags & HOOK_F_AT_EXIT))
		return 0;
	return pl_uretprobe_attach(ps, ph, err, errlen);
}

/* The kprobe programs: one instance, loaded on first use. */
static int
pl_kinst(struct polset *ps, char *err, size_t errlen)
{
	static const char *const progs[] = { "generic_kprobe",
	    "generic_kretprobe" };

	if (ps->kinst != NULL)
		return 0;
	return bpfl_instance(ps->b, progs, ps->feat.kretprobes ? 2 : 1, NULL,
	    0, &ps->kinst, err, errlen);
}

/* kprobe (+ kretprobe) of ph on its kernel function, cookie = hook id. */
int
pl_kprobe_attach(struct polset *ps, struct ph *ph, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_kprobe_opts, o);
	int r;

	if ((r = pl_kinst(ps, err, errlen)) != 0)
		return r;
	o.bpf_cookie = ph->id;
	o.retprobe = false;
	ph->link = bpf_program__attach_kprobe_opts(bpfl_inst_prog(ps->kinst,
	    "generic_kprobe"), ph->meta.function, &o);
	if (ph->link == NULL) {
		snprintf(err, errlen, "attach kprobe %s: %s",
		    ph->meta.function, strerror(errno));
		return ERR_SYS;
	}
	if (!(ph->cfg.flags & HOOK_F_AT_EXIT))
		return 0;
	o.retprobe = true;
	ph->link2 = bpf_program__attach_kprobe_opts(bpfl_inst_prog(ps->kinst,
	    "generic_kretprobe"), ph->meta.function, &o);
	if (ph->link2 == NULL) {
		snprintf(err, errlen, "attach kretprobe %s: %s",
		    ph->meta.function, strerror(errno));
		return ERR_SYS;
	}
	return 0;
}

/* ph's own program instance (lsm, fmod_ret, fentry, raw_tp), attached. */
int
pl_fn_attach(struct polset *ps, struct ph *ph, char *err, size_t errlen)
{
	const char *progs[1];
	struct bpf_program *p;
	int r;

	progs[0] = ph->fn_prog;
	if ((r = bpfl_instance(ps->b, progs, 1, ph->cfg.kind == HOOK_K_RAWTP ?
	    NULL : ph->fn_target, ph->id, &ph->inst, err, errlen)) != 0)
		return r;
	p = bpfl_inst_prog(ph->inst, ph->fn_prog);
	if (ph->cfg.kind == HOOK_K_RAWTP)	/* not BTF-attached */
		ph->link = bpf_program__attach_raw_tracepoint(p,
		    ph->fn_target);
	else if (ph->cfg.kind == HOOK_K_LSM)
		ph->link = bpf_program__attach_lsm(p);
	else
		ph->link = bpf_program__attach_trace(p);
	if (ph->link == NULL) {
		snprintf(err, errlen, "attach %s on %s: %s", ph->fn_prog,
		    ph->fn_target, strerror(errno));
		return ERR_SYS;
	}
	return 0;
}

/* process.bpf.c's exec_tail[0] = generic_exec while a policy is loaded */
void
pl_exec_tail(struct polset *ps, int on)
{
	uint32_t key = 0;
	int fd, pfd;

	if (ps->p_exec == NULL || (fd = bpfl_map_fd(ps->b, "exec_tail")) < 0)
		return;
	if (on) {
		pfd = bpf_program__fd(ps->p_exec);
		if (bpf_map_update_elem(fd, &key, &pfd, BPF_ANY) != 0)
			log_warn("policy: exec_tail: generic_exec");
	} else if (bpf_map_delete_elem(fd, &key) != 0 && errno != ENOENT)
		log_warn("policy: exec_tail: remove generic_exec");
}
