/*
 * tests/bpf/test_policy_load.c -- the policy manager for real: policies
 * built by hand (struct policy, common/policy.h) are compiled into the
 * generic programs' maps, attached, fired by real syscalls, tracepoints
 * and uprobes, replaced atomically under load, switched to monitor mode,
 * deleted; refusals name the missing kernel feature and leave nothing
 * attached.  Needs root and bpf(); prints a TAP skip (exit 0) otherwise.
 */
#include "build.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/events.h"
#include "bpf/hook.h"
#include "err.h"
#include "log.h"
#include "policy.h"
#include "loaderd/bpf_load.h"
#include "loaderd/policy_load.h"
#include "tests/lib/testutil.h"

#define RING_SIZE	(16U << 20)
#define WAIT_MS		3000
#define MAXMETA		4096

struct rec {
	size_t		 len;
	uint8_t		*data;
};

struct meta {
	int		 added;
	uint32_t	 id, gen, kind, mode, nargs, ret_type;
	uint32_t	 arg_type[IPC_HOOK_ARGS];
	char		 policy[64];
	char		 function[64];
	char		 subsys[32];
	char		 event[64];
};

struct t {
	struct bpfl		*b;
	struct polset		*ps;
	struct polset_features	 feat;
	struct ring_buffer	*rb;
	pthread_t		 poller;
	volatile int		 stop;
	pthread_mutex_t		 mu;
	struct rec		*recs;
	size_t			 n, cap;
	struct meta		 meta[MAXMETA];
	size_t			 nmeta;
	char			*tmp;
	char			 target[PATH_MAX];
	char			 other[PATH_MAX];
	char			*exe;
	pid_t			 fence_pid;	/* settle(): its exit record */
	int			 fence_seen;
};

static struct t *T;

/*
 * Ring buffer: a thread drains it all the time, keeping EV_GENERIC records.
 */

static int
on_rec(void *ctx, void *data, size_t len)
{
	struct t *t = ctx;
	const struct ev_hdr *h = data;
	const struct ev_exit *x = data;

	if (len >= sizeof(*x) && h->type == EV_EXIT) {
		pthread_mutex_lock(&t->mu);
		if (t->fence_pid > 0 && x->key.pid == (uint32_t)t->fence_pid)
			t->fence_seen = 1;
		pthread_mutex_unlock(&t->mu);
		return 0;
	}
	if (len < sizeof(struct ev_generic) || h->type != EV_GENERIC)
		return 0;
	pthread_mutex_lock(&t->mu);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->recs = realloc(t->recs, t->cap * sizeof(*t->recs));
		if (t->recs == NULL)
			abort();
	}
	t->recs[t->n].len = len;
	t->recs[t->n].data = malloc(len);
	if (t->recs[t->n].data == NULL)
		abort();
	memcpy(t->recs[t->n].data, data, len);
	t->n++;
	pthread_mutex_unlock(&t->mu);
	return 0;
}

static void *
poller(void *arg)
{
	struct t *t = arg;

	while (!t->stop)
		ring_buffer__poll(t->rb, 20);
	return NULL;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
nrecs(void)
{
	size_t n;

	pthread_mutex_lock(&T->mu);
	n = T->n;
	pthread_mutex_unlock(&T->mu);
	return n;
}

static const struct ev_generic *
rec_at(size_t i)
{
	const struct ev_generic *g;

	pthread_mutex_lock(&T->mu);
	g = (const struct ev_generic *)T->recs[i].data;
	pthread_mutex_unlock(&T->mu);
	return g;
}

/* First record of hook id from pid (0: any) at index >= from, waiting up
 * to ms. */
/*
 * A hook's records: its slot and generation (HK(hi)).  A slot is reused
 * by the next test's hook, and records of the old one can still be in
 * the ring when the next test starts counting (a busy machine).
 */
#define HK(hi)	(((uint64_t)(hi).gen << 32) | (hi).id)

static int
hk_is(const struct ev_generic *g, uint64_t hk)
{
	return g->hook_id == (uint32_t)hk && g->gen == (uint32_t)(hk >> 32);
}

static const struct ev_generic *
find(uint64_t hk, pid_t pid, size_t from, int ms)
{
	uint64_t end = now_ms() + ms;
	const struct ev_generic *g;
	size_t i;

	for (;;) {
		for (i = from; i < nrecs(); i++) {
			g = rec_at(i);
			if (hk_is(g, hk) && (pid == 0 ||
			    g->key.pid == (uint32_t)pid))
				return g;
		}
		if (now_ms() >= end)
			return NULL;
		usleep(10000);
	}
}

static size_t
count_hook(uint64_t hk, pid_t pid, size_t from)
{
	size_t i, c = 0;

	for (i = from; i < nrecs(); i++)
		if (hk_is(rec_at(i), hk) &&
		    (pid == 0 || rec_at(i)->key.pid == (uint32_t)pid))
			c++;
	return c;
}

static int
fence_seen(void)
{
	int seen;

	pthread_mutex_lock(&T->mu);
	seen = T->fence_seen;
	pthread_mutex_unlock(&T->mu);
	return seen;
}

/*
 * Wait until every record written before now (by this process's syscalls
 * and by children it reaped) has reached the poller.  A fence: a child
 * that exits once its pid is known here; its exit record takes its place
 * in the ring after all of those, and the ring is consumed in that order
 * (a reader stops at a record not yet committed), so once the poller saw
 * the fence it saw them.  Other processes' events do not matter, however
 * many the machine makes.  Fails after SETTLE_MS (the fence lost to a
 * full ring, say).
 */
#define SETTLE_MS	(10 * WAIT_MS)
static void
settle(void)
{
	uint64_t st[EV_STAT_MAX], end;
	int p[2], status;
	pid_t pid;
	char c;

	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[1]);
		/* until the parent closes it */
		_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
	}
	assert_true(pid > 0);
	close(p[0]);
	pthread_mutex_lock(&T->mu);
	T->fence_pid = pid;
	T->fence_seen = 0;
	pthread_mutex_unlock(&T->mu);
	close(p[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	end = now_ms() + SETTLE_MS;
	while (!fence_seen()) {
		if (now_ms() >= end) {
			assert_int_equal(bpfl_stats(T->b, st), 0);
			fail_msg("settle: the exit record of the fence process "
			    "%d did not arrive within %d ms (%llu records lost "
			    "to a full ring)", (int)pid, SETTLE_MS,
			    (unsigned long long)st[EV_STAT_DROPPED]);
		}
		usleep(10000);
	}
}

/* Argument n of a record: pointer to its ev_arg, NULL past the end. */
static const struct ev_arg *
rec_arg(const struct ev_generic *g, unsigned n)
{
	const uint8_t *p = (const uint8_t *)(g + 1);
	const uint8_t *end = p + g->args_len;
	const struct ev_arg *a;
	unsigned i;

	for (i = 0; p + sizeof(*a) <= end; i++) {
		a = (const struct ev_arg *)p;
		if (i == n)
			return a;
		p += (sizeof(*a) + a->len + 7) & ~(size_t)7;
	}
	return NULL;
}

static int64_t
arg_int(const struct ev_generic *g, unsigned n)
{
	const struct ev_arg *a = rec_arg(g, n);
	int64_t v;

	assert_non_null(a);
	assert_int_equal(a->len, 8);
	memcpy(&v, a + 1, 8);
	return v;
}

static void
assert_arg_str(const struct ev_generic *g, unsigned n, const char *want)
{
	const struct ev_arg *a = rec_arg(g, n);

	assert_non_null(a);
	assert_int_equal(a->len, strlen(want));
	assert_memory_equal(a + 1, want, a->len);
}

/*
 * Hook metadata callback.
 */

static void
on_hook(void *arg, int added, const struct ipc_hook *h)
{
	struct t *t = arg;
	struct meta *m;
	size_t i;

	if (t->nmeta == MAXMETA)
		abort();
	m = &t->meta[t->nmeta++];
	memset(m, 0, sizeof(*m));
	m->added = added;
	m->id = h->id;
	m->gen = h->gen;
	if (!added)
		return;
	m->kind = h->kind;
	m->mode = h->mode;
	m->nargs = h->nargs;
	m->ret_type = h->ret_type;
	for (i = 0; i < IPC_HOOK_ARGS; i++)
		m->arg_type[i] = h->arg_type[i];
	snprintf(m->policy, sizeof(m->policy), "%s", h->policy);
	snprintf(m->function, sizeof(m->function), "%s", h->function);
	snprintf(m->subsys, sizeof(m->subsys), "%s", h->subsys);
	snprintf(m->event, sizeof(m->event), "%s", h->event);
}

/* Index of the last metadata message (added) for id after from, -1. */
static ssize_t
meta_find(int added, uint32_t id, size_t from)
{
	ssize_t i, found = -1;

	for (i = (ssize_t)from; i < (ssize_t)T->nmeta; i++)
		if (T->meta[i].added == added && T->meta[i].id == id)
			found = i;
	return found;
}

/*
 * Hand-built policies (every pointer malloc'd: policy_free owns them).
 */

static char *
xs(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

static struct policy *
pol_new(const char *name, size_t nhooks)
{
	struct policy *p = calloc(1, sizeof(*p));
	char file[128];

	assert_non_null(p);
	p->name = xs(name);
	snprintf(file, sizeof(file), "%s.yaml", name);
	p->file = xs(file);
	p->nhooks = nhooks;
	p->hooks = calloc(nhooks, sizeof(*p->hooks));
	assert_non_null(p->hooks);
	return p;
}

static void
hook_arg(struct pol_hook *h, int index, enum pol_arg_type type,
    const char *tname)
{
	struct pol_arg *a = &h->args[h->nargs++];

	a->index = index;
	a->type = type;
	a->type_name = tname;
}

/* kprobe sys_NAME, syscall: true; args (0 int dfd, 1 string, 2 int). */
static struct pol_hook *
kp_sys(struct pol_hook *h, const char *call, int nr)
{
	h->kind = POL_HOOK_KPROBE;
	h->call = xs(call);
	h->syscall = 1;
	h->syscall_nr = nr;
	h->retarg.type = POL_ARG_NONE;
	h->line = 7;
	h->col = 3;
	return h;
}

static struct pol_hook *
kp_openat(struct pol_hook *h)
{
	kp_sys(h, "sys_openat", SYS_openat);
	hook_arg(h, 0, POL_ARG_INT, "int");
	hook_arg(h, 1, POL_ARG_STRING, "string");
	hook_arg(h, 2, POL_ARG_INT, "int");
	return h;
}

static struct pol_matcharg *
sel_match(struct pol_selector *s, int arg, enum pol_op op, size_t nvalues)
{
	struct pol_matcharg *m = &s->matchargs[s->nmatchargs++];

	m->arg = arg;
	m->op = op;
	m->nvalues = nvalues;
	m->values = calloc(nvalues, sizeof(*m->values));
	assert_non_null(m->values);
	return m;
}

/* matchArgs arg op "s" (with its trailing NUL when nul) */
static void
sel_str(struct pol_hook *h, int arg, enum pol_op op, const char *s, int nul)
{
	struct pol_selector *sel;
	struct pol_matcharg *m;

	if (h->nselectors == 0)
		h->nselectors = 1;
	sel = &h->selectors[h->nselectors - 1];
	m = sel_match(sel, arg, op, 1);
	m->values[0].len = strlen(s) + (nul ? 1 : 0);
	m->values[0].str = malloc(m->values[0].len + 1);
	assert_non_null(m->values[0].str);
	memcpy(m->values[0].str, s, strlen(s) + 1);
}

static void
sel_num(struct pol_hook *h, int arg, enum pol_op op, uint64_t v)
{
	struct pol_selector *sel;
	struct pol_matcharg *m;

	if (h->nselectors == 0)
		h->nselectors = 1;
	sel = &h->selectors[h->nselectors - 1];
	m = sel_match(sel, arg, op, 1);
	m->values[0].lo = m->values[0].hi = v;
	m->values[0].is_num = 1;
}

static void
sel_action(struct pol_hook *h, enum pol_action_kind kind)
{
	struct pol_selector *sel;
	struct pol_action *a;

	if (h->nselectors == 0)
		h->nselectors = 1;
	sel = &h->selectors[h->nselectors - 1];
	a = &sel->actions[sel->nactions++];
	a->kind = kind;
	a->arg_fd = -1;
	a->arg_name = -1;
	a->arg_sock = -1;
}

/* openat of target, Equal with explicit NUL */
static struct policy *
pol_openat(const char *name, const char *path)
{
	struct policy *p = pol_new(name, 1);

	kp_openat(&p->hooks[0]);
	sel_str(&p->hooks[0], 1, POL_OP_EQUAL, path, 1);
	return p;
}

/*
 * Kernel state checks.
 */

/* Links in the system whose program is one of the generic programs
 * named name (NULL: any of them). */
static int
count_links(const char *name)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link_info li;
	struct bpf_prog_info pi;
	uint32_t id = 0, len, ids[16];
	size_t nids = 0, i;
	char err[256];
	int fd, n = 0;

	assert_int_equal(bpfl_generic(T->b, &obj, err, sizeof(err)), 0);
	bpf_object__for_each_program(prog, obj) {
		if (name != NULL && strcmp(bpf_program__name(prog), name) != 0)
			continue;
		if (bpf_program__fd(prog) < 0)
			continue;	/* loaded on demand only */
		memset(&pi, 0, sizeof(pi));
		len = sizeof(pi);
		assert_int_equal(bpf_obj_get_info_by_fd(bpf_program__fd(prog),
		    &pi, &len), 0);
		if (nids < 16)
			ids[nids++] = pi.id;
	}
	while (bpf_link_get_next_id(id, &id) == 0) {
		if ((fd = bpf_link_get_fd_by_id(id)) < 0)
			continue;
		memset(&li, 0, sizeof(li));
		len = sizeof(li);
		if (bpf_obj_get_info_by_fd(fd, &li, &len) == 0)
			for (i = 0; i < nids; i++)
				if (li.prog_id == ids[i])
					n++;
		close(fd);
	}
	return n;
}

/* uprobe target: a function of this binary */
int tl_uprobe_target(int a, int b) __attribute__((__noinline__));
int
tl_uprobe_target(int a, int b)
{
	__asm__ volatile("" ::: "memory");
	return a * 3 + b;
}

static int
open_close(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

static void
touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	close(fd);
}

/*
 * Tests.
 */

static void
test_probe(void **state)
{
	struct polset_features f;

	(void)state;
	polset_probe(&f);
	/* a kprobe can only work where the kprobe PMU exists */
	if (access("/sys/bus/event_source/devices/kprobe/type", F_OK) != 0)
		assert_int_equal(f.kprobes, 0);
	/* the override helper is only usable from a kprobe */
	if (!f.kprobes)
		assert_int_equal(f.override, 0);
	assert_memory_equal(&f, &T->feat, sizeof(f));
	print_message("# kprobes %d override %d fentry %d lsm %d\n",
	    f.kprobes, f.override, f.fentry, f.lsm);
}

/* sys_openat with an Equal filename filter: one record, right args. */
static void
test_openat_equal(void **state)
{
	const struct ev_generic *g;
	struct polset_hookinfo hi;
	char err[512], *list;
	size_t from = nrecs(), m0 = T->nmeta;
	ssize_t mi;
	uint32_t id;

	(void)state;
	assert_int_equal(polset_add(T->ps, pol_openat("t-open", T->target),
	    err, sizeof(err)), 0);
	assert_int_equal(polset_count(T->ps), 1);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	assert_int_equal(polset_hook(T->ps, 1, &hi), ERR_NOTFOUND);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	id = hi.id;
	assert_true(id > 0 && id < HOOK_MAX);
	assert_string_equal(hi.kind, "kprobe");
	assert_string_equal(hi.target, "sys_openat");
	if (!T->feat.kprobes)
		assert_string_equal(hi.how, "raw_tracepoint/sys_enter dispatch "
		    "(kprobe fallback: this kernel has no kprobes); arguments "
		    "unreadable at sys_enter are read again at sys_exit "
		    "(unreadable-args: fail-closed)");

	/* metadata went out first */
	mi = meta_find(1, id, m0);
	assert_true(mi >= 0);
	assert_string_equal(T->meta[mi].function, "__x64_sys_openat");
	assert_string_equal(T->meta[mi].policy, "t-open");
	assert_int_equal(T->meta[mi].kind, POL_HOOK_KPROBE);
	assert_int_equal(T->meta[mi].mode, POL_MODE_ENFORCE);
	assert_int_equal(T->meta[mi].nargs, 3);
	assert_int_equal(T->meta[mi].arg_type[1], POL_ARG_STRING);
	assert_int_equal(T->meta[mi].gen, hi.gen);
	assert_int_equal(count_links("sys_enter"), 1);
	/* at exit: the string argument's re-read when unreadable at entry */
	assert_int_equal(count_links("sys_exit"), 1);

	assert_true(open_close(T->other));
	assert_true(open_close(T->target));
	g = find(HK(hi), getpid(), from, WAIT_MS);
	assert_non_null(g);
	assert_int_equal(g->hdr.size, sizeof(*g) + g->args_len);
	assert_int_equal(g->gen, hi.gen);
	assert_int_equal(g->sel, 0);
	assert_int_equal(g->nargs, 3);
	assert_int_equal(g->tid, (uint32_t)syscall(SYS_gettid));
	assert_int_equal(g->flags & EVG_F_MONITOR, 0);
	assert_int_equal(arg_int(g, 0), AT_FDCWD);
	assert_arg_str(g, 1, T->target);
	assert_int_equal(arg_int(g, 2), O_RDONLY | O_CLOEXEC);
	assert_int_equal(rec_arg(g, 1)->type, POL_ARG_STRING);
	settle();
	/* the other file did not match */
	assert_int_equal(count_hook(HK(hi), getpid(), from), 1);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	assert_true(hi.hits >= 2);
	assert_int_equal(hi.posted, 1);
	assert_int_equal(hi.matched, 1);
	assert_int_equal(hi.dropped, 0);

	list = polset_list(T->ps, 0);
	assert_non_null(strstr(list, "t-open (t-open.yaml) mode enforce"));
	assert_non_null(strstr(list, "kprobe sys_openat: hook"));
	assert_non_null(strstr(list, "posted 1 "));
	free(list);
	list = polset_list(T->ps, 1);
	assert_non_null(strstr(list, "{\"policies\":[{\"name\":\"t-open\","
	    "\"file\":\"t-open.yaml\",\"mode\":\"enforce\",\"hooks\":[{"
	    "\"kind\":\"kprobe\",\"target\":\"sys_openat\",\"state\":"
	    "\"attached\",\"attach\":\"raw_tracepoint/sys_enter dispatch"));
	assert_non_null(strstr(list, "\"posted\":1,"));
	free(list);
}

struct loop {
	volatile int	 stop;
	volatile long	 opens;
};

/* A child opens the target in a tight loop while the policy is replaced
 * again and again: every open is seen by the old or the new hook. */
static void
test_replace_atomic(void **state)
{
	struct polset_hookinfo hi;
	struct loop *lp;
	uint32_t ids[16], gens[16];
	size_t nids = 0, i, j, from, m0, total = 0;
	uint64_t st0[EV_STAT_MAX], st1[EV_STAT_MAX];
	char err[512];
	pid_t pid;
	int status, round;

	(void)state;
	assert_int_equal(polset_add(T->ps, pol_openat("t-open", T->target),
	    err, sizeof(err)), 0);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	gens[nids] = hi.gen;
	ids[nids++] = hi.id;
	assert_int_equal(bpfl_stats(T->b, st0), 0);
	lp = mmap(NULL, sizeof(*lp), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(lp != MAP_FAILED);
	memset(lp, 0, sizeof(*lp));
	from = nrecs();
	m0 = T->nmeta;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		while (!lp->stop) {
			if (open_close(T->target))
				lp->opens++;
			if ((lp->opens & 63) == 0)
				usleep(50);
		}
		_exit(0);
	}
	while (lp->opens < 1000)
		usleep(1000);
	for (round = 0; round < 6; round++) {
		/* alternate Equal and Prefix: different configs */
		struct policy *p = pol_new("t-open", 1);

		kp_openat(&p->hooks[0]);
		sel_str(&p->hooks[0], 1, round % 2 ? POL_OP_EQUAL :
		    POL_OP_PREFIX, T->target, round % 2);
		assert_int_equal(polset_add(T->ps, p, err, sizeof(err)), 0);
		assert_int_equal(polset_count(T->ps), 1);
		assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
		assert_true(hi.id != ids[nids - 1]);
		/* new announced before the old was deleted */
		assert_true(meta_find(1, hi.id, m0) >= 0);
		assert_true(meta_find(0, ids[nids - 1], m0) >
		    meta_find(1, hi.id, m0));
		m0 = T->nmeta;
		gens[nids] = hi.gen;
		ids[nids++] = hi.id;
		usleep(20000);
	}
	lp->stop = 1;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	settle();
	/* slots are reused: a record belongs to (id, gen) */
	for (i = from; i < nrecs(); i++) {
		const struct ev_generic *g = rec_at(i);

		if (g->key.pid != (uint32_t)pid)
			continue;
		for (j = 0; j < nids; j++)
			if (g->hook_id == ids[j] && g->gen == gens[j]) {
				total++;
				break;
			}
	}
	print_message("# %ld opens, %zu records over %zu hook versions\n",
	    lp->opens, total, nids);
	assert_true(lp->opens > 1000);
	assert_int_equal(total, (size_t)lp->opens);
	assert_int_equal(bpfl_stats(T->b, st1), 0);
	assert_int_equal(st1[EV_STAT_DROPPED], st0[EV_STAT_DROPPED]);
	/* one sys_enter link throughout */
	assert_int_equal(count_links("sys_enter"), 1);
	munmap(lp, sizeof(*lp));
}

static int
child_open_target(void *arg)
{
	return open_close(arg) ? 0 : 1;
}

/* Sigkill in monitor mode is only recorded; enforce kills. */
static void
test_mode_switch(void **state)
{
	const struct ev_generic *g;
	struct polset_hookinfo hi;
	struct policy *p;
	char err[512], *list;
	size_t from, m0 = T->nmeta;
	ssize_t mi;
	int status;

	(void)state;
	p = pol_openat("t-kill", T->target);
	sel_action(&p->hooks[0], POL_ACT_SIGKILL);
	p->mode = POL_MODE_MONITOR;
	assert_int_equal(polset_add(T->ps, p, err, sizeof(err)), 0);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	mi = meta_find(1, hi.id, m0);
	assert_true(mi >= 0);
	assert_int_equal(T->meta[mi].mode, POL_MODE_MONITOR);
	list = polset_list(T->ps, 0);
	assert_non_null(strstr(list, "t-kill (t-kill.yaml) mode monitor"));
	free(list);

	from = nrecs();
	status = testutil_fork_status(child_open_target, T->target);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	g = find(HK(hi), 0, from, WAIT_MS);
	assert_non_null(g);
	assert_true(g->flags & EVG_F_MONITOR);
	assert_true(g->would & (1U << POL_ACT_SIGKILL));
	assert_int_equal(g->actions & (1U << POL_ACT_SIGKILL), 0);

	m0 = T->nmeta;
	assert_int_equal(polset_set_mode(T->ps, "t-kill", POL_MODE_ENFORCE,
	    err, sizeof(err)), 0);
	mi = meta_find(1, hi.id, m0);
	assert_true(mi >= 0);
	assert_int_equal(T->meta[mi].mode, POL_MODE_ENFORCE);
	assert_int_equal(T->meta[mi].gen, hi.gen);	/* same hook */
	status = testutil_fork_status(child_open_target, T->target);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	assert_true(hi.signals >= 1);

	assert_int_equal(polset_set_mode(T->ps, "nope", POL_MODE_ENFORCE, err,
	    sizeof(err)), ERR_NOTFOUND);
	assert_string_equal(err, "no policy named \"nope\"");
}

/* Delete: HOOK_DEL, nothing attached, no more records. */
static void
test_delete(void **state)
{
	struct polset_hookinfo hi;
	struct policy *p;
	char err[512], *list;
	size_t from, m0 = T->nmeta;
	int status;

	(void)state;
	p = pol_openat("t-kill", T->target);
	sel_action(&p->hooks[0], POL_ACT_SIGKILL);
	assert_int_equal(polset_add(T->ps, p, err, sizeof(err)), 0);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	/* sys_enter, and sys_exit for the string filter's re-read */
	assert_int_equal(count_links(NULL), 2);
	assert_int_equal(polset_delete(T->ps, "t-kill", err, sizeof(err)), 0);
	assert_true(meta_find(0, hi.id, m0) >= 0);
	assert_int_equal(polset_count(T->ps), 0);
	assert_int_equal(count_links(NULL), 0);
	list = polset_list(T->ps, 0);
	assert_string_equal(list, "no policies loaded\n");
	free(list);
	list = polset_list(T->ps, 1);
	assert_string_equal(list, "{\"policies\":[]}");
	free(list);
	from = nrecs();
	status = testutil_fork_status(child_open_target, T->target);
	assert_true(WIFEXITED(status));		/* not killed any more */
	assert_int_equal(WEXITSTATUS(status), 0);
	settle();
	assert_int_equal(count_hook(HK(hi), 0, from), 0);
	assert_int_equal(polset_delete(T->ps, "t-kill", err, sizeof(err)),
	    ERR_NOTFOUND);
}

/* syscalls/sys_enter_openat runs through the raw dispatch; field index
 * counts common_*; types from the format. */
static void
test_tracepoint_syscall(void **state)
{
	const struct ev_generic *g;
	struct polset_hookinfo hi;
	struct policy *p = pol_new("t-tpsys", 1);
	struct pol_hook *h = &p->hooks[0];
	char err[512];
	size_t from = nrecs(), m0 = T->nmeta;
	ssize_t mi;

	(void)state;
	h->kind = POL_HOOK_TRACEPOINT;
	h->subsystem = xs("syscalls");
	h->event = xs("sys_enter_openat");
	h->syscall_nr = -1;
	hook_arg(h, 5, POL_ARG_AUTO, "auto");	/* dfd */
	hook_arg(h, 6, POL_ARG_AUTO, "auto");	/* filename */
	hook_arg(h, 4, POL_ARG_AUTO, "auto");	/* __syscall_nr */
	sel_str(h, 1, POL_OP_EQUAL, T->target, 1);
	assert_int_equal(polset_add(T->ps, p, err, sizeof(err)), 0);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	assert_string_equal(hi.how, "tracepoint syscalls/sys_enter_openat via "
	    "raw_tracepoint/sys_enter; arguments unreadable at sys_enter are "
	    "read again at sys_exit (unreadable-args: fail-closed)");
	mi = meta_find(1, hi.id, m0);
	assert_true(mi >= 0);
	assert_int_equal(T->meta[mi].kind, POL_HOOK_TRACEPOINT);
	assert_string_equal(T->meta[mi].subsys, "syscalls");
	assert_string_equal(T->meta[mi].event, "sys_enter_openat");
	assert_int_equal(T->meta[mi].arg_type[0], POL_ARG_INT);
	assert_int_equal(T->meta[mi].arg_type[1], POL_ARG_STRING);
	assert_int_equal(T->meta[mi].arg_type[2], POL_ARG_INT);
	assert_int_equal(count_links("generic_tp"), 0);	/* no perf tp */

	assert_true(open_close(T->target));
	g = find(HK(hi), getpid(), from, WAIT_MS);
	assert_non_null(g);
	assert_int_equal(arg_int(g, 0), AT_FDCWD);
	assert_arg_str(g, 1, T->target);
	assert_int_equal(arg_int(g, 2), SYS_openat);
	assert_int_equal(polset_delete(T->ps, "t-tpsys", err, sizeof(err)), 0);
}

/* sched/sched_process_fork: a generic tracepoint with field offsets. */
static void
test_tracepoint_generic(void **state)
{
	const struct ev_generic *g;
	struct polset_hookinfo hi;
	struct policy *p = pol_new("t-fork", 1);
	struct pol_hook *h = &p->hooks[0];
	char err[512];
	size_t from = nrecs();
	pid_t pid;
	int status;

	(void)state;
	h->kind = POL_HOOK_TRACEPOINT;
	h->subsystem = xs("sched");
	h->event = xs("sched_process_fork");
	h->syscall_nr = -1;
	hook_arg(h, 5, POL_ARG_AUTO, "auto");	/* parent_pid */
	hook_arg(h, 7, POL_ARG_AUTO, "auto");	/* child_pid */
	hook_arg(h, 6, POL_ARG_AUTO, "auto");	/* child_comm (data_loc) */
	sel_num(h, 0, POL_OP_EQUAL, (uint64_t)getpid());
	assert_int_equal(polset_add(T->ps, p, err, sizeof(err)), 0);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	assert_string_equal(hi.how, "tracepoint sched/sched_process_fork");
	assert_int_equal(count_links("generic_tp"), 1);
	assert_int_equal(count_links("sys_enter"), 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	g = find(HK(hi), getpid(), from, WAIT_MS);
	assert_non_null(g);
	assert_int_equal(arg_int(g, 0), getpid());
	assert_int_equal(arg_int(g, 1), pid);
	assert_int_equal(rec_arg(g, 2)->type, POL_ARG_DATA_LOC);
	assert_int_equal(polset_delete(T->ps, "t-fork", err, sizeof(err)), 0);
	assert_int_equal(count_links(NULL), 0);
}

/* raw_syscalls/sys_enter with the id (index 4, syscall64) InMap a list:
 * dispatched on exactly those numbers; without InMap on every syscall. */
static void
test_raw_syscalls(void **state)
{
	const struct ev_generic *g;
	struct polset_hookinfo hi;
	struct policy *p = pol_new("t-raw", 1);
	struct pol_hook *h = &p->hooks[0];
	struct pol_matcharg *m;
	struct pol_matchpids *mp;
	char err[512];
	size_t from = nrecs();
	int fd, fd2;

	(void)state;
	h->kind = POL_HOOK_TRACEPOINT;
	h->subsystem = xs("raw_syscalls");
	h->event = xs("sys_enter");
	h->syscall_nr = -1;
	hook_arg(h, 4, POL_ARG_SYSCALL64, "syscall64");
	h->nselectors = 1;
	m = sel_match(&h->selectors[0], 0, POL_OP_INMAP, 2);
	m->values[0].lo = m->values[0].hi = SYS_dup;
	m->values[1].lo = m->values[1].hi = SYS_dup2;
	m->values[0].is_num = m->values[1].is_num = 1;
	mp = &h->selectors[0].pids[h->selectors[0].npids++];
	mp->op = POL_OP_IN;
	mp->nvalues = 1;
	mp->values[0] = (uint32_t)getpid();
	assert_int_equal(polset_add(T->ps, p, err, sizeof(err)), 0);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	assert_string_equal(hi.how, "tracepoint raw_syscalls/sys_enter via "
	    "raw_tracepoint/sys_enter on 2 syscalls");
	fd = dup(0);
	assert_true(fd >= 0);
	fd2 = dup2(fd, 100);
	assert_int_equal(fd2, 100);
	close(fd);
	close(fd2);
	g = find(HK(hi), getpid(), from, WAIT_MS);
	assert_non_null(g);
	assert_int_equal(arg_int(g, 0), SYS_dup);
	settle();
	assert_int_equal(count_hook(HK(hi), getpid(), from), 2);
	assert_int_equal(polset_delete(T->ps, "t-raw", err, sizeof(err)), 0);

	/* no restriction on the id: every syscall number */
	p = pol_new("t-rawall", 1);
	h = &p->hooks[0];
	h->kind = POL_HOOK_TRACEPOINT;
	h->subsystem = xs("raw_syscalls");
	h->event = xs("sys_enter");
	h->syscall_nr = -1;
	hook_arg(h, 4, POL_ARG_SYSCALL64, "syscall64");
	h->nselectors = 1;
	mp = &h->selectors[0].pids[h->selectors[0].npids++];
	mp->op = POL_OP_IN;
	mp->nvalues = 1;
	mp->values[0] = (uint32_t)getpid();
	from = nrecs();
	assert_int_equal(polset_add(T->ps, p, err, sizeof(err)), 0);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	assert_string_equal(hi.how, "tracepoint raw_syscalls/sys_enter via "
	    "raw_tracepoint/sys_enter on every syscall (no InMap/Equal on "
	    "the syscall id)");
	assert_int_equal(getppid(), getppid());
	g = find(HK(hi), getpid(), from, WAIT_MS);
	assert_non_null(g);
	assert_int_equal(polset_delete(T->ps, "t-rawall", err, sizeof(err)),
	    0);
	assert_int_equal(count_links(NULL), 0);
}

/* A uprobe on a function of this binary, cookie = hook id. */
static void
test_uprobe(void **state)
{
	const struct ev_generic *g;
	struct polset_hookinfo hi;
	struct policy *p = pol_new("t-uprobe", 1);
	struct pol_hook *h = &p->hooks[0];
	char err[512], want[PATH_MAX + 64];
	size_t from = nrecs();
	volatile int r;

	(void)state;
	h->kind = POL_HOOK_UPROBE;
	h->path = xs(T->exe);
	h->symbol = xs("tl_uprobe_target");
	h->syscall_nr = -1;
	hook_arg(h, 0, POL_ARG_INT, "int");
	hook_arg(h, 1, POL_ARG_INT, "int");
	assert_int_equal(polset_add(T->ps, p, err, sizeof(err)), 0);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	snprintf(want, sizeof(want), "uprobe %s:tl_uprobe_target", T->exe);
	assert_string_equal(hi.how, want);
	assert_int_equal(count_links("generic_uprobe"), 1);
	r = tl_uprobe_target(41, -7);
	assert_int_equal(r, 116);
	g = find(HK(hi), getpid(), from, WAIT_MS);
	assert_non_null(g);
	assert_int_equal(arg_int(g, 0), 41);
	assert_int_equal(arg_int(g, 1), -7);
	assert_int_equal(polset_delete(T->ps, "t-uprobe", err, sizeof(err)),
	    0);
	assert_int_equal(count_links(NULL), 0);
}

/* Refused with msg: nothing loaded, nothing attached, no metadata. */
static void
refused(struct policy *p, int want_r, const char *want)
{
	char err[512];
	size_t n = polset_count(T->ps), m0 = T->nmeta;
	int links = count_links(NULL);

	assert_int_equal(polset_add(T->ps, p, err, sizeof(err)), want_r);
	assert_string_equal(err, want);
	assert_int_equal(polset_count(T->ps), n);
	assert_int_equal(count_links(NULL), links);
	assert_int_equal(T->nmeta, m0);
}

static void
test_refusals(void **state)
{
	struct policy *p;
	struct pol_hook *h;

	(void)state;
	/* non-syscall kprobe */
	p = pol_new("r-kprobe", 2);
	kp_openat(&p->hooks[0]);
	h = kp_sys(&p->hooks[1], "fd_install", -1);
	h->syscall = 0;
	h->line = 12;
	h->col = 5;
	if (!T->feat.kprobes)
		refused(p, ERR_UNSUPP, "r-kprobe.yaml:12:5: kprobe "
		    "\"fd_install\": kprobes are not available on this kernel "
		    "(CONFIG_KPROBES is not set)");
	else
		refused(p, ERR_UNSUPP, "r-kprobe.yaml:12:5: kprobe "
		    "\"fd_install\": kprobes on kernel functions are not "
		    "implemented by the generic programs yet (only syscall: "
		    "true)");

	/* fentry */
	p = pol_new("r-fentry", 1);
	h = kp_sys(&p->hooks[0], "security_file_open", -1);
	h->syscall = 0;
	h->fentry = 1;
	if (!T->feat.fentry)
		refused(p, ERR_UNSUPP, "r-fentry.yaml:7:3: fentry "
		    "\"security_file_open\": fentry/fexit need BPF "
		    "trampolines, which this kernel refuses");

	/* lsm */
	p = pol_new("r-lsm", 1);
	h = &p->hooks[0];
	h->kind = POL_HOOK_LSM;
	h->call = xs("file_open");
	h->syscall_nr = -1;
	if (!T->feat.lsm)
		refused(p, ERR_UNSUPP, "r-lsm.yaml: lsmhook \"file_open\": "
		    "BPF LSM programs cannot be loaded on this kernel");

	/* Override */
	p = pol_openat("r-override", T->target);
	sel_action(&p->hooks[0], POL_ACT_OVERRIDE);
	p->hooks[0].selectors[0].actions[0].line = 20;
	p->hooks[0].selectors[0].actions[0].col = 9;
	if (!T->feat.override && !T->feat.lsm)
		refused(p, ERR_UNSUPP, "r-override.yaml:20:9: kprobe "
		    "\"sys_openat\": Override needs bpf_override_return "
		    "(CONFIG_BPF_KPROBE_OVERRIDE) or BPF LSM, neither "
		    "available here (BPF LSM needs CONFIG_BPF_LSM and \"bpf\" "
		    "in lsm=); alternative: Sigkill (the call still runs) or, "
		    "for connect/sendmsg, the cgroup programs");

	/* kernel pointer type on a syscall hook */
	p = pol_new("r-file", 1);
	h = kp_sys(&p->hooks[0], "sys_openat", SYS_openat);
	hook_arg(h, 0, POL_ARG_FILE, "file");
	h->args[0].line = 9;
	h->args[0].col = 7;
	refused(p, ERR_UNSUPP, "r-file.yaml:9:7: kprobe \"sys_openat\": "
	    "type file needs a kprobe on a kernel function");

	/* raw tracepoint: a type the engine does not read there */
	p = pol_new("r-rawtp", 1);
	h = &p->hooks[0];
	h->kind = POL_HOOK_RAW_TRACEPOINT;
	h->subsystem = xs("sched");
	h->event = xs("sched_process_exec");
	h->syscall_nr = -1;
	hook_arg(h, 2, POL_ARG_FILE, "file");
	h->args[0].line = 9;
	h->args[0].col = 7;
	refused(p, ERR_UNSUPP, "r-rawtp.yaml:9:7: raw tracepoint "
	    "\"sched/sched_process_exec\": type file on a raw tracepoint "
	    "argument is not supported by this engine (it reads integer "
	    "types, syscall64, string, linux_binprm, sock)");

	/* missing tracepoint */
	p = pol_new("r-notp", 1);
	h = &p->hooks[0];
	h->kind = POL_HOOK_TRACEPOINT;
	h->subsystem = xs("sched");
	h->event = xs("no_such_event");
	h->syscall_nr = -1;
	refused(p, ERR_NOTFOUND, "r-notp.yaml: tracepoint "
	    "\"sched/no_such_event\": no such tracepoint "
	    "(/sys/kernel/tracing/events/sched/no_such_event: No such file "
	    "or directory)");

	/* field index past the format */
	p = pol_new("r-field", 1);
	h = &p->hooks[0];
	h->kind = POL_HOOK_TRACEPOINT;
	h->subsystem = xs("sched");
	h->event = xs("sched_process_fork");
	h->syscall_nr = -1;
	hook_arg(h, 8, POL_ARG_AUTO, "auto");
	refused(p, ERR_RANGE, "r-field.yaml: tracepoint "
	    "\"sched/sched_process_fork\": field index 8: "
	    "sched/sched_process_fork has 8 fields (common_* included)");
}

/* ignore.callNotFound: where kprobes are missing, a kprobe on a kernel
 * function is skipped and listed, the rest loads; where they exist it is
 * refused (the generic programs have no kprobe program). */
static void
test_skipped(void **state)
{
	struct polset_hookinfo hi;
	struct policy *p;
	struct pol_hook *h;
	char err[512], *list;

	(void)state;
	p = pol_new("s-skip", 2);
	kp_openat(&p->hooks[0]);
	sel_str(&p->hooks[0], 1, POL_OP_EQUAL, T->target, 1);
	h = kp_sys(&p->hooks[1], "fd_install", -1);
	h->syscall = 0;
	h->ignore_call_not_found = 1;
	if (T->feat.kprobes) {
		refused(p, ERR_UNSUPP, "s-skip.yaml:7:3: kprobe "
		    "\"fd_install\": kprobes on kernel functions are not "
		    "implemented by the generic programs yet (only syscall: "
		    "true)");
		return;
	}
	assert_int_equal(polset_add(T->ps, p, err, sizeof(err)), 0);
	assert_int_equal(polset_hook(T->ps, 1, &hi), 0);
	assert_int_equal(hi.skipped, 1);
	assert_int_equal(hi.id, 0);
	assert_string_equal(hi.how, "skipped (ignore.callNotFound): kprobes "
	    "are not available on this kernel (CONFIG_KPROBES is not set)");
	list = polset_list(T->ps, 0);
	assert_non_null(strstr(list, "  - kprobe fd_install: skipped "
	    "(ignore.callNotFound)"));
	free(list);
	list = polset_list(T->ps, 1);
	assert_non_null(strstr(list, "\"state\":\"skipped\",\"error\":"
	    "\"skipped (ignore.callNotFound): kprobes"));
	free(list);
	assert_int_equal(polset_delete(T->ps, "s-skip", err, sizeof(err)), 0);
}

/* A failure while attaching (uprobe on a symbol that does not exist,
 * after a tracepoint and a syscall hook were set up) undoes everything;
 * a policy being replaced keeps running. */
static void
test_rollback(void **state)
{
	const struct ev_generic *g;
	struct polset_hookinfo hi, hi2;
	struct policy *p;
	struct pol_hook *h;
	char err[512];
	size_t m0, from, i;
	ssize_t mi;

	(void)state;
	assert_int_equal(polset_add(T->ps, pol_openat("t-keep", T->target),
	    err, sizeof(err)), 0);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	/* sys_enter, and sys_exit for the string filter's re-read */
	assert_int_equal(count_links(NULL), 2);

	p = pol_new("t-keep", 3);
	h = &p->hooks[0];
	h->kind = POL_HOOK_TRACEPOINT;
	h->subsystem = xs("sched");
	h->event = xs("sched_process_exec");
	h->syscall_nr = -1;
	kp_openat(&p->hooks[1]);
	h = &p->hooks[1];
	h->ret = 1;	/* needs sys_exit too */
	h = &p->hooks[2];
	h->kind = POL_HOOK_UPROBE;
	h->path = xs(T->exe);
	h->symbol = xs("tl_no_such_symbol");
	h->syscall_nr = -1;
	m0 = T->nmeta;
	assert_int_equal(polset_add(T->ps, p, err, sizeof(err)), ERR_SYS);
	assert_non_null(strstr(err, "attach uprobe "));
	assert_non_null(strstr(err, ":tl_no_such_symbol: "));
	/* announced, then withdrawn */
	for (i = m0; i < T->nmeta; i++)
		if (T->meta[i].added)
			assert_true(meta_find(0, T->meta[i].id, i) >
			    (ssize_t)i);
	assert_true(T->nmeta > m0);
	/* the old policy is intact and alone */
	assert_int_equal(polset_count(T->ps), 1);
	assert_int_equal(polset_hook(T->ps, 0, &hi2), 0);
	assert_int_equal(hi2.id, hi.id);
	assert_int_equal(hi2.gen, hi.gen);
	assert_int_equal(polset_hook(T->ps, 1, &hi2), ERR_NOTFOUND);
	assert_int_equal(count_links(NULL), 2);
	assert_int_equal(count_links("sys_enter"), 1);
	assert_int_equal(count_links("sys_exit"), 1);
	assert_int_equal(count_links("generic_tp"), 0);
	from = nrecs();
	assert_true(open_close(T->target));
	g = find(HK(hi), getpid(), from, WAIT_MS);
	assert_non_null(g);
	mi = meta_find(1, hi.id, 0);
	assert_true(mi >= 0);
	assert_int_equal(polset_delete(T->ps, "t-keep", err, sizeof(err)), 0);
	assert_int_equal(count_links(NULL), 0);
}

/* Never-matching hooks on 32 syscalls per policy. */
static struct policy *
pol_many(const char *name, int nr0, size_t n)
{
	struct policy *p = pol_new(name, n);
	size_t i;

	for (i = 0; i < n; i++) {
		kp_sys(&p->hooks[i], "sys_x", nr0 + (int)i);
		hook_arg(&p->hooks[i], 0, POL_ARG_INT, "int");
		sel_num(&p->hooks[i], 0, POL_OP_EQUAL, 0x7fffdead);
	}
	return p;
}

static void
test_exhaustion(void **state)
{
	char err[512], name[32];
	int i;

	(void)state;
	assert_int_equal(polset_count(T->ps), 0);
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "x-%d", i);
		assert_int_equal(polset_add(T->ps, pol_many(name, 300,
		    POL_MAX_HOOKS), err, sizeof(err)), 0);
	}
	/* 96 of 127 slots used */
	refused(pol_many("x-3", 300, POL_MAX_HOOKS), ERR_RANGE, "x-3.yaml: "
	    "hook slots exhausted: 32 needed, 31 of 127 free");
	/* 31 fit */
	assert_int_equal(polset_add(T->ps, pol_many("x-3", 300,
	    POL_MAX_HOOKS - 1), err, sizeof(err)), 0);
	/* a replace needs room for old and new at once */
	refused(pol_many("x-3", 300, 1), ERR_RANGE, "x-3.yaml: hook slots "
	    "exhausted: 1 needed, 0 of 127 free");
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "x-%d", i);
		assert_int_equal(polset_delete(T->ps, name, err, sizeof(err)),
		    0);
	}
	assert_int_equal(count_links(NULL), 0);
	/* all slots free again: 3 x 32 + 31 */
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "y-%d", i);
		assert_int_equal(polset_add(T->ps, pol_many(name, 300,
		    i < 3 ? POL_MAX_HOOKS : POL_MAX_HOOKS - 1), err,
		    sizeof(err)), 0);
	}
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "y-%d", i);
		assert_int_equal(polset_delete(T->ps, name, err, sizeof(err)),
		    0);
	}
}

/* openat with nent Prefix entries of n values "/nonexistent/<e>/<i>/" on
 * the filename, and Equal target (explicit NUL) */
static struct policy *
pol_prefixes(const char *name, size_t nent, size_t n, const char *target)
{
	struct policy *p = pol_new(name, 1);
	struct pol_matcharg *m;
	size_t e, i;

	kp_openat(&p->hooks[0]);
	p->hooks[0].nselectors = 1;
	for (e = 0; e < nent; e++) {
		m = sel_match(&p->hooks[0].selectors[0], 1, POL_OP_NOTPREFIX,
		    n);
		for (i = 0; i < n; i++) {
			m->values[i].len = (size_t)asprintf(&m->values[i].str,
			    "/nonexistent/%zu/%zu/", e, i);
			assert_true(m->values[i].str != NULL);
		}
	}
	sel_str(&p->hooks[0], 1, POL_OP_EQUAL, target, 1);
	return p;
}

/* The string maps are shared: a policy whose lists do not fit the free
 * keys is refused whole, with the reason; nothing of it stays behind. */
static void
test_strmap_exhaustion(void **state)
{
	const struct ev_generic *g;
	struct polset_hookinfo hi;
	char err[512];
	size_t from;

	(void)state;
	/* 3 x 4096 of 16384 */
	assert_int_equal(polset_add(T->ps, pol_prefixes("s-0", 3,
	    POL_MAX_LISTVALUES, T->target), err, sizeof(err)), 0);
	refused(pol_prefixes("s-1", 2, POL_MAX_LISTVALUES, T->target),
	    ERR_RANGE, "s-1.yaml: Prefix/NotPrefix values (map strpfx): 8192 "
	    "needed, 4096 of 16384 free (all policies share them)");
	/* a replace needs room for old and new at once */
	refused(pol_prefixes("s-0", 2, POL_MAX_LISTVALUES, T->target),
	    ERR_RANGE, "s-0.yaml: Prefix/NotPrefix values (map strpfx): 8192 "
	    "needed, 4096 of 16384 free (all policies share them)");
	/* the running one still matches through its 3 lists */
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	from = nrecs();
	assert_true(open_close(T->target));
	g = find(HK(hi), getpid(), from, WAIT_MS);
	assert_non_null(g);
	assert_int_equal(polset_delete(T->ps, "s-0", err, sizeof(err)), 0);
	/* all free again: 4 x 4096 in one policy */
	assert_int_equal(polset_add(T->ps, pol_prefixes("s-2", 4,
	    POL_MAX_LISTVALUES, T->target), err, sizeof(err)), 0);
	from = nrecs();
	assert_true(open_close(T->other));
	assert_true(open_close(T->target));
	settle();
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	assert_int_equal(count_hook(HK(hi), getpid(), from), 1);
	assert_int_equal(polset_delete(T->ps, "s-2", err, sizeof(err)), 0);
}

/* HOOK_PER_DISPATCH hooks on one syscall, across policies. */
static void
test_dispatch_overflow(void **state)
{
	struct policy *p;
	char err[512];
	size_t i;

	(void)state;
	p = pol_new("d-9", HOOK_PER_DISPATCH + 1);
	for (i = 0; i < HOOK_PER_DISPATCH + 1; i++)
		kp_openat(&p->hooks[i]);
	refused(p, ERR_RANGE, "d-9.yaml: 9 hooks on syscall 257 (with the "
	    "policies already loaded): at most 8 hooks per syscall");
	p = pol_new("d-5", 5);
	for (i = 0; i < 5; i++) {
		kp_openat(&p->hooks[i]);
		sel_str(&p->hooks[i], 1, POL_OP_EQUAL, T->other, 1);
	}
	assert_int_equal(polset_add(T->ps, p, err, sizeof(err)), 0);
	p = pol_new("d-4", 4);
	for (i = 0; i < 4; i++)
		kp_openat(&p->hooks[i]);
	refused(p, ERR_RANGE, "d-4.yaml: 9 hooks on syscall 257 (with the "
	    "policies already loaded): at most 8 hooks per syscall");
	/* replacing d-5 by 8 hooks fits: its own 5 go away */
	p = pol_new("d-5", 8);
	for (i = 0; i < 8; i++) {
		kp_openat(&p->hooks[i]);
		sel_str(&p->hooks[i], 1, POL_OP_EQUAL, T->other, 1);
	}
	assert_int_equal(polset_add(T->ps, p, err, sizeof(err)), 0);
	assert_int_equal(polset_delete(T->ps, "d-5", err, sizeof(err)), 0);
	assert_int_equal(count_links(NULL), 0);
}

/* The real parser's output (common/policy.c) goes through the same path. */
static void
test_parsed(void **state)
{
	static const char fmt[] =
	    "apiVersion: cilium.io/v1alpha1\n"
	    "kind: TracingPolicy\n"
	    "metadata:\n"
	    "  name: \"p-openat\"\n"
	    "spec:\n"
	    "  kprobes:\n"
	    "  - call: \"sys_openat\"\n"
	    "    syscall: true\n"
	    "    args:\n"
	    "    - index: 0\n"
	    "      type: \"int\"\n"
	    "    - index: 1\n"
	    "      type: \"string\"\n"
	    "    - index: 2\n"
	    "      type: \"int\"\n"
	    "    selectors:\n"
	    "    - matchArgs:\n"
	    "      - index: 1\n"
	    "        operator: \"Equal\"\n"
	    "        values:\n"
	    "        - \"%s\\0\"\n"
	    "      - index: 2\n"
	    "        operator: \"Mask\"\n"
	    "        values:\n"
	    "        - \"%d\"\n";
	const struct ev_generic *g;
	struct polset_hookinfo hi;
	struct policy *p = NULL;
	char err[512], yaml[PATH_MAX + 1024];
	size_t from;
	int fd;

	(void)state;
	snprintf(yaml, sizeof(yaml), fmt, T->target, O_APPEND);
	assert_int_equal(policy_load_buf("p-openat.yaml", yaml, strlen(yaml),
	    &p, err, sizeof(err)), 0);
	assert_int_equal(polset_add(T->ps, p, err, sizeof(err)), 0);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	from = nrecs();
	assert_true(open_close(T->target));	/* no O_APPEND: no match */
	fd = open(T->target, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(fd >= 0);
	close(fd);
	g = find(HK(hi), getpid(), from, WAIT_MS);
	assert_non_null(g);
	assert_arg_str(g, 1, T->target);
	assert_int_equal(arg_int(g, 2), O_WRONLY | O_APPEND | O_CLOEXEC);
	settle();
	assert_int_equal(count_hook(HK(hi), getpid(), from), 1);
}

/* polset_resend: every enabled hook again, same id/gen. */
static void
test_resend(void **state)
{
	struct polset_hookinfo hi;
	char err[512];
	size_t m0;
	ssize_t mi;

	(void)state;
	assert_int_equal(polset_add(T->ps, pol_openat("t-resend", T->target),
	    err, sizeof(err)), 0);
	assert_int_equal(polset_hook(T->ps, 0, &hi), 0);
	m0 = T->nmeta;
	polset_resend(T->ps);
	assert_int_equal(T->nmeta, m0 + 1);
	mi = meta_find(1, hi.id, m0);
	assert_true(mi >= 0);
	assert_int_equal(T->meta[mi].gen, hi.gen);
	assert_string_equal(T->meta[mi].policy, "t-resend");
	assert_int_equal(polset_delete(T->ps, "t-resend", err, sizeof(err)),
	    0);
}

/* After each test: nothing loaded, nothing attached (a failed test must
 * not leave its policies to the next one). */
static int
unload_all(void **state)
{
	struct polset_hookinfo hi;
	char err[512], name[POL_MAX_NAME + 1];

	(void)state;
	while (polset_hook(T->ps, 0, &hi) == 0) {
		snprintf(name, sizeof(name), "%s", hi.policy);
		if (polset_delete(T->ps, name, err, sizeof(err)) != 0)
			return -1;
	}
	return polset_count(T->ps) == 0 && count_links(NULL) == 0 ? 0 : -1;
}

static int
group_setup(void **state)
{
	char err[512], *tmp;
	int r;

	(void)state;
	T = calloc(1, sizeof(*T));
	if (T == NULL)
		return -1;
	pthread_mutex_init(&T->mu, NULL);
	r = bpfl_open(&T->b, RING_SIZE, err, sizeof(err));
	if (r != 0) {
		fprintf(stderr, "bpfl_open: %s\n", err);
		return -1;
	}
	r = polset_new(&T->ps, T->b, on_hook, T, err, sizeof(err));
	if (r != 0) {
		fprintf(stderr, "polset_new: %s\n", err);
		return -1;
	}
	polset_probe(&T->feat);
	T->rb = ring_buffer__new(bpfl_ringbuf_fd(T->b), on_rec, T, NULL);
	if (T->rb == NULL)
		return -1;
	if (pthread_create(&T->poller, NULL, poller, T) != 0)
		return -1;
	tmp = testutil_tmpdir("polload");
	T->tmp = realpath(tmp, NULL);
	free(tmp);
	if (T->tmp == NULL)
		return -1;
	snprintf(T->target, sizeof(T->target), "%s/target", T->tmp);
	snprintf(T->other, sizeof(T->other), "%s/other", T->tmp);
	touch(T->target);
	touch(T->other);
	T->exe = realpath("/proc/self/exe", NULL);
	return T->exe == NULL ? -1 : 0;
}

static int
group_teardown(void **state)
{
	size_t i;

	(void)state;
	if (T == NULL)
		return 0;
	T->stop = 1;
	if (T->rb != NULL)
		pthread_join(T->poller, NULL);
	polset_free(T->ps);
	ring_buffer__free(T->rb);
	bpfl_free(T->b);
	for (i = 0; i < T->n; i++)
		free(T->recs[i].data);
	free(T->recs);
	testutil_rmtree(T->tmp);
	free(T->tmp);
	free(T->exe);
	free(T);
	T = NULL;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_probe, unload_all),
		cmocka_unit_test_teardown(test_openat_equal, unload_all),
		cmocka_unit_test_teardown(test_replace_atomic, unload_all),
		cmocka_unit_test_teardown(test_mode_switch, unload_all),
		cmocka_unit_test_teardown(test_delete, unload_all),
		cmocka_unit_test_teardown(test_tracepoint_syscall, unload_all),
		cmocka_unit_test_teardown(test_tracepoint_generic, unload_all),
		cmocka_unit_test_teardown(test_raw_syscalls, unload_all),
		cmocka_unit_test_teardown(test_uprobe, unload_all),
		cmocka_unit_test_teardown(test_refusals, unload_all),
		cmocka_unit_test_teardown(test_skipped, unload_all),
		cmocka_unit_test_teardown(test_rollback, unload_all),
		cmocka_unit_test_teardown(test_exhaustion, unload_all),
		cmocka_unit_test_teardown(test_strmap_exhaustion, unload_all),
		cmocka_unit_test_teardown(test_dispatch_overflow, unload_all),
		cmocka_unit_test_teardown(test_resend, unload_all),
		cmocka_unit_test_teardown(test_parsed, unload_all),
	};
	const char *why;

	if ((why = testutil_bpf_unavailable()) != NULL) {
		printf("1..0 # SKIP %s\n", why);
		return 0;	/* TAP skip; .ci/run fails on it */
	}
	log_init(1, 0);
	log_procinit("test_policy_load");
	return cmocka_run_group_tests_name("policy_load", tests, group_setup,
	    group_teardown);
}
