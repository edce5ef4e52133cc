/*
 * tests/bpf/test_bpf_generic.c -- the generic policy programs
 * (bpf/generic.bpf.c) for real, without loaderd's policy compiler: the
 * process and generic skeletons are opened here, the shared maps reused,
 * hook/selector/dispatch entries written by hand (bpf/hook.h), real
 * syscalls made by forked children, and the EV_GENERIC records read back
 * from the ring buffer.  Needs root and bpf(); prints a TAP skip (exit 0)
 * otherwise.
 */
#include "build.h"

#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "policy.h"
#include "process.skel.h"
#include "generic.skel.h"
#include "tests/lib/testutil.h"

#define TRACEFS		"/sys/kernel/tracing"
#define NR_READ		0
#define NR_WRITE	1
#define NR_CLOSE	3
#define NR_KILL		62
#define NR_CONNECT	42
#define NR_OPENAT	257
#define NR_SYMLINKAT	266
#define NR_CLOCK_GETTIME 228
#define NR_EXIT_GROUP	231
#define ACT(k)		(1U << (k))

struct rec {
	size_t		 len;
	uint8_t		*data;
};

struct t {
	struct process_bpf	*p;
	struct generic_bpf	*g;
	struct bpf_link		*l_enter, *l_exit, *l_tp, *l_up;
	struct ring_buffer	*rb;
	struct rec		*recs;
	size_t			 n, cap;
	char			*tmp;		/* realpath of the temp dir */
	char			*file;		/* tmp/file.txt */
	uint32_t		 gen;
	int			 ncpus;
	int			 fd_hooks, fd_sels, fd_sys, fd_tp, fd_inmap,
				 fd_stats, fd_follow, fd_execbin;
};

static struct t *T;

/* ------------------------------------------------------------------ */
/* ring */

static int
on_rec(void *ctx, void *data, size_t len)
{
	struct t *t = ctx;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
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
	return 0;
}

static void
consume(void)
{
	ring_buffer__consume(T->rb);
}

static const struct ev_generic *
rec_gen(const struct rec *r)
{
	const struct ev_generic *e = (const void *)r->data;

	if (r->len < sizeof(*e) || e->hdr.type != EV_GENERIC)
		return NULL;
	return e;
}

/* Records of hook id / current gen from process pid (0: any), at index
 * >= from. */
static size_t
count_recs(uint32_t id, uint32_t gen, pid_t pid, size_t from)
{
	const struct ev_generic *e;
	size_t i, c = 0;

	consume();
	for (i = from; i < T->n; i++) {
		if ((e = rec_gen(&T->recs[i])) == NULL)
			continue;
		if (e->hook_id == id && e->gen == gen &&
		    (pid == 0 || e->key.pid == (uint32_t)pid))
			c++;
	}
	return c;
}

static const struct ev_generic *
find_rec(uint32_t id, uint32_t gen, pid_t pid, size_t from)
{
	const struct ev_generic *e;
	size_t i;

	consume();
	for (i = from; i < T->n; i++) {
		if ((e = rec_gen(&T->recs[i])) == NULL)
			continue;
		if (e->hook_id == id && e->gen == gen &&
		    (pid == 0 || e->key.pid == (uint32_t)pid))
			return e;
	}
	return NULL;
}

struct garg {
	const struct ev_arg	*a;
	const uint8_t		*data;
};

/* Split a record's argument area; checks every length. */
static size_t
rec_args(const struct ev_generic *e, struct garg *out, size_t max)
{
	const uint8_t *p = (const uint8_t *)(e + 1);
	size_t off = 0, n = 0;

	assert_int_equal(e->hdr.size, sizeof(*e) + e->args_len);
	while (off < e->args_len && n < max) {
		assert_true(off + sizeof(struct ev_arg) <= e->args_len);
		out[n].a = (const void *)(p + off);
		out[n].data = p + off + sizeof(struct ev_arg);
		off += sizeof(struct ev_arg) + ((out[n].a->len + 7) & ~7U);
		assert_true(off <= e->args_len);
		n++;
	}
	assert_int_equal(off, e->args_len);
	assert_int_equal(n, e->nargs);
	return n;
}

static int64_t
arg_int(const struct garg *g)
{
	int64_t v;

	assert_int_equal(g->a->len, 8);
	memcpy(&v, g->data, 8);
	return v;
}

static void
assert_arg_str(const struct garg *g, const char *want)
{
	assert_int_equal(g->a->len, strlen(want));
	assert_memory_equal(g->data, want, strlen(want));
}

/* ------------------------------------------------------------------ */
/* configuration, as loaderd's compiler would write it */

static struct hook_arg
harg(int type, int src)
{
	struct hook_arg a;

	memset(&a, 0, sizeof(a));
	a.type = type;
	a.src_kind = HOOK_SRC_SYSARG;
	a.src = src;
	return a;
}

static struct sel_cfg *
sel_new(void)
{
	struct sel_cfg *sc = calloc(1, sizeof(*sc));

	assert_non_null(sc);
	return sc;
}

static void
hstr(struct hook_str *h, const char *s, size_t len)
{
	assert_true(len <= HOOK_STR_MAX);
	h->len = len;
	memcpy(h->s, s, len);
}

/* matchArgs string entry; lens[i] == 0 means strlen */
static void
sel_str(struct sel_cfg *sc, int arg, int op, size_t n, const char **v,
    const size_t *lens)
{
	struct sel_matcharg *m = &sc->args[sc->nmatchargs++];
	size_t i;

	m->arg = arg;
	m->op = op;
	m->nvals = n;
	for (i = 0; i < n; i++)
		hstr(&m->v.str[i], v[i], lens != NULL && lens[i] ?
		    lens[i] : strlen(v[i]));
}

static void
sel_num(struct sel_cfg *sc, int ret, int arg, int op, uint64_t lo,
    uint64_t hi)
{
	struct sel_matcharg *m = ret ? &sc->retargs[sc->nretargs++] :
	    &sc->args[sc->nmatchargs++];

	m->arg = arg;
	m->op = op;
	m->nvals = 1;
	m->v.num[0].lo = lo;
	m->v.num[0].hi = hi;
}

static void
sel_action(struct sel_cfg *sc, int ret, int kind, int arg)
{
	struct sel_action *a = ret ? &sc->retactions[sc->nretactions++] :
	    &sc->actions[sc->nactions++];

	a->kind = kind;
	a->arg = arg;
}

static void
sel_pid(struct sel_cfg *sc, int op, int flags, pid_t pid)
{
	struct sel_pids *p = &sc->pids[sc->npids++];

	p->op = op;
	p->flags = flags;
	p->nvals = 1;
	p->pids[0] = pid;
}

/*
 * Install hook id: config, selectors, dispatch entry (syscall nr, or for
 * a tracepoint its id; uprobes have none).  Returns the generation.
 */
static uint32_t
hook_install(uint32_t id, int kind, int nr, int flags, size_t nargs,
    const struct hook_arg *args, const struct hook_arg *ret, size_t nsel,
    struct sel_cfg **sels)
{
	struct hook_cfg hc;
	struct hook_list hl;
	uint32_t key;
	size_t i;

	memset(&hc, 0, sizeof(hc));
	hc.id = id;
	hc.gen = ++T->gen;
	hc.policy_id = 1;
	hc.kind = kind;
	hc.flags = HOOK_F_ENABLED | flags;
	hc.nargs = nargs;
	hc.nsel = nsel;
	hc.syscall_nr = kind == HOOK_K_SYSCALL ? nr : -1;
	for (i = 0; i < nargs; i++)
		hc.args[i] = args[i];
	if (ret != NULL)
		hc.ret = *ret;
	for (i = 0; i < nsel; i++) {
		key = id * HOOK_SEL_MAX + i;
		assert_int_equal(bpf_map_update_elem(T->fd_sels, &key, sels[i],
		    BPF_ANY), 0);
		free(sels[i]);
	}
	assert_int_equal(bpf_map_update_elem(T->fd_hooks, &id, &hc, BPF_ANY),
	    0);
	memset(&hl, 0, sizeof(hl));
	hl.n = 1;
	hl.ids[0] = id;
	key = nr;
	if (kind == HOOK_K_SYSCALL)
		assert_int_equal(bpf_map_update_elem(T->fd_sys, &key, &hl,
		    BPF_ANY), 0);
	else if (kind == HOOK_K_TRACEPOINT)
		assert_int_equal(bpf_map_update_elem(T->fd_tp, &key, &hl,
		    BPF_ANY), 0);
	return hc.gen;
}

static void
hook_remove(uint32_t id, int kind, int nr)
{
	struct hook_cfg hc;
	struct hook_list hl;
	uint32_t key = nr;

	memset(&hl, 0, sizeof(hl));
	if (kind == HOOK_K_SYSCALL)
		assert_int_equal(bpf_map_update_elem(T->fd_sys, &key, &hl,
		    BPF_ANY), 0);
	else if (kind == HOOK_K_TRACEPOINT)
		assert_int_equal(bpf_map_update_elem(T->fd_tp, &key, &hl,
		    BPF_ANY), 0);
	memset(&hc, 0, sizeof(hc));
	assert_int_equal(bpf_map_update_elem(T->fd_hooks, &id, &hc, BPF_ANY),
	    0);
}

static struct hook_stat
hook_stats(uint32_t id)
{
	struct hook_stat *v, sum;
	int i;

	v = calloc(T->ncpus, sizeof(*v));
	assert_non_null(v);
	assert_int_equal(bpf_map_lookup_elem(T->fd_stats, &id, v), 0);
	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < T->ncpus; i++) {
		sum.hits += v[i].hits;
		sum.matched += v[i].matched;
		sum.posted += v[i].posted;
		sum.dropped += v[i].dropped;
		sum.errors += v[i].errors;
		sum.signals += v[i].signals;
		sum.ratelimited += v[i].ratelimited;
	}
	free(v);
	return sum;
}

/* ------------------------------------------------------------------ */
/* children: block until told to go, so selectors can name their pid */

struct child {
	pid_t	pid;
	int	go;	/* write end */
	int	back;	/* read end: a byte from the child (sync points) */
};

typedef int (*child_fn)(void *arg, int back);

static void
child_start(struct child *c, child_fn fn, void *arg)
{
	int p[2], q[2];
	char b;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	fflush(stdout);
	fflush(stderr);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (c->pid == 0) {
		signal(SIGUSR1, SIG_DFL);
		close(p[1]);
		close(q[0]);
		if (read(p[0], &b, 1) != 1)
			_exit(126);
		_exit(fn(arg, q[1]));
	}
	close(p[0]);
	close(q[1]);
	c->go = p[1];
	c->back = q[0];
}

static void
child_go(struct child *c)
{
	assert_int_equal(write(c->go, "g", 1), 1);
}

static int
child_wait(struct child *c)
{
	int status;

	assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
	close(c->go);
	close(c->back);
	return status;
}

/* fork, let the child run fn at once, wait: the status */
static int
child_run(child_fn fn, void *arg, pid_t *pid)
{
	struct child c;

	child_start(&c, fn, arg);
	*pid = c.pid;
	child_go(&c);
	return child_wait(&c);
}

static int
do_openat(void *arg, int back)
{
	int fd;

	(void)back;
	fd = syscall(SYS_openat, AT_FDCWD, (const char *)arg, O_RDONLY);
	return fd >= 0 ? 0 : 1;
}

static int
do_clock(void *arg, int back)
{
	struct timespec ts;

	(void)back;
	syscall(SYS_clock_gettime, (int)(intptr_t)arg, &ts);
	return 0;
}

static int
do_clock_twice_and_other(void *arg, int back)
{
	struct timespec ts;

	(void)arg;
	(void)back;
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	return 0;
}

/* ------------------------------------------------------------------ */
/* setup */

static int
libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void
write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	assert_int_equal(close(fd), 0);
}

static int
group_setup(void **state)
{
	struct generic_bpf *g;
	struct process_bpf *p;
	char *tmp;
	int fd;
	uint32_t zero = 0;

	(void)state;
	libbpf_set_print(libbpf_quiet);
	T = calloc(1, sizeof(*T));
	if (T == NULL)
		return -1;
	if (access(TRACEFS "/events", F_OK) != 0)
		mount("nodev", TRACEFS, "tracefs", 0, NULL);
	T->ncpus = libbpf_num_possible_cpus();
	if ((p = T->p = process_bpf__open_and_load()) == NULL)
		return -1;
	if (process_bpf__attach(p) != 0)
		return -1;
	if ((g = T->g = generic_bpf__open()) == NULL)
		return -1;
	if (bpf_map__reuse_fd(g->maps.events, bpf_map__fd(p->maps.events)) ||
	    bpf_map__reuse_fd(g->maps.execmap,
	    bpf_map__fd(p->maps.execmap)) ||
	    bpf_map__reuse_fd(g->maps.stats, bpf_map__fd(p->maps.stats)) ||
	    bpf_map__reuse_fd(g->maps.execbin, bpf_map__fd(p->maps.execbin)))
		return -1;
	if (generic_bpf__load(g) != 0)
		return -1;
	T->l_enter = bpf_program__attach(g->progs.sys_enter);
	T->l_exit = bpf_program__attach(g->progs.sys_exit);
	if (T->l_enter == NULL || T->l_exit == NULL)
		return -1;
	fd = bpf_program__fd(g->progs.generic_exec);
	if (bpf_map_update_elem(bpf_map__fd(p->maps.exec_tail), &zero, &fd,
	    BPF_ANY) != 0)
		return -1;
	T->fd_hooks = bpf_map__fd(g->maps.hooks);
	T->fd_sels = bpf_map__fd(g->maps.selectors);
	T->fd_sys = bpf_map__fd(g->maps.sys_hooks);
	T->fd_tp = bpf_map__fd(g->maps.tp_hooks);
	T->fd_inmap = bpf_map__fd(g->maps.inmap);
	T->fd_stats = bpf_map__fd(g->maps.hook_stats);
	T->fd_follow = bpf_map__fd(g->maps.fdfollow);
	T->fd_execbin = bpf_map__fd(p->maps.execbin);
	T->rb = ring_buffer__new(bpf_map__fd(p->maps.events), on_rec, T,
	    NULL);
	if (T->rb == NULL)
		return -1;
	tmp = testutil_tmpdir("bpfgen");
	T->tmp = realpath(tmp, NULL);
	free(tmp);
	if (T->tmp == NULL ||
	    asprintf(&T->file, "%s/file.txt", T->tmp) < 0)
		return -1;
	write_file(T->file, "hello world");
	return 0;
}

static int
group_teardown(void **state)
{
	size_t i;

	(void)state;
	if (T == NULL)
		return 0;
	ring_buffer__free(T->rb);
	bpf_link__destroy(T->l_enter);
	bpf_link__destroy(T->l_exit);
	bpf_link__destroy(T->l_tp);
	bpf_link__destroy(T->l_up);
	generic_bpf__destroy(T->g);
	process_bpf__destroy(T->p);
	for (i = 0; i < T->n; i++)
		free(T->recs[i].data);
	free(T->recs);
	if (T->tmp != NULL)
		testutil_rmtree(T->tmp);
	free(T->tmp);
	free(T->file);
	free(T);
	T = NULL;
	return 0;
}

/* ------------------------------------------------------------------ */
/* tests */

static void
test_programs(void **state)
{
	static const char *const names[] = { "sys_enter", "sys_exit",
	    "generic_tp", "generic_uprobe", "generic_exec" };
	struct bpf_prog_info info;
	struct bpf_program *prog;
	uint32_t len;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		prog = bpf_object__find_program_by_name(T->g->obj, names[i]);
		assert_non_null(prog);
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		assert_int_equal(bpf_obj_get_info_by_fd(bpf_program__fd(prog),
		    &info, &len), 0);
		assert_true(info.xlated_prog_len > 0);
		printf("# %s: %u insns, %u verified\n", names[i],
		    info.xlated_prog_len / 8, info.verified_insns);
	}
}

/* no selector: every hit posted, int arg sign-extended, keys */
static void
test_no_selector(void **state)
{
	struct hook_arg a[1] = { harg(POL_ARG_INT, 0) };
	const struct ev_generic *e;
	struct garg ga[2];
	struct hook_stat st;
	size_t from = T->n;
	uint32_t gen;
	pid_t pid;
	int status;

	(void)state;
	gen = hook_install(0, HOOK_K_SYSCALL, NR_CLOCK_GETTIME, 0, 1, a, NULL,
	    0, NULL);
	status = child_run(do_clock, (void *)(intptr_t)-5, &pid);
	assert_true(WIFEXITED(status));
	e = find_rec(0, gen, pid, from);
	assert_non_null(e);
	assert_int_equal(e->hdr.version, EV_ABI_VERSION);
	assert_int_equal(e->tid, pid);
	assert_int_equal(e->parent.pid, getpid());
	assert_int_equal(e->sel, 0xff);
	assert_int_equal(e->actions, ACT(POL_ACT_POST));
	assert_int_equal(e->would, 0);
	assert_int_equal(e->flags & (EVG_F_RETURN | EVG_F_MONITOR), 0);
	assert_int_equal(rec_args(e, ga, 2), 1);
	assert_int_equal(ga[0].a->type, POL_ARG_INT);
	assert_int_equal(ga[0].a->flags, 0);
	assert_int_equal(arg_int(&ga[0]), -5);
	assert_int_equal(count_recs(0, gen, pid, from), 1);
	st = hook_stats(0);
	assert_true(st.hits >= 1 && st.matched >= 1 && st.posted >= 1);
	hook_remove(0, HOOK_K_SYSCALL, NR_CLOCK_GETTIME);
}

/* one matchArgs entry on clock_gettime's clockid (type t): posted? */
static int
int_case(int type, int op, uint64_t lo, uint64_t hi, int clockid,
    uint32_t map_id)
{
	struct hook_arg a[1] = { harg(type, 0) };
	struct sel_cfg *sc = sel_new();
	size_t from = T->n;
	uint32_t gen;
	pid_t pid;
	int status, n;

	sel_num(sc, 0, 0, op, lo, hi);
	sc->args[0].map_id = map_id;
	gen = hook_install(1, HOOK_K_SYSCALL, NR_CLOCK_GETTIME, 0, 1, a, NULL,
	    1, &sc);
	status = child_run(do_clock, (void *)(intptr_t)clockid, &pid);
	assert_true(WIFEXITED(status));
	n = count_recs(1, gen, pid, from);
	hook_remove(1, HOOK_K_SYSCALL, NR_CLOCK_GETTIME);
	return n;
}

static void
test_int_ops(void **state)
{
	struct inmap_key k;
	uint8_t one = 1;

	(void)state;
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_EQUAL, 1, 1, 1, 0), 1);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_EQUAL, 2, 2, 1, 0), 0);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_NOTEQUAL, 2, 2, 1, 0), 1);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_NOTEQUAL, 1, 1, 1, 0), 0);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_MASK, 6, 6, 3, 0), 1);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_MASK, 4, 4, 3, 0), 0);
	/* signed: -5 > -10, unsigned: 0xfffffffb > 10 */
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_GT, (uint64_t)-10, 0,
	    -5, 0), 1);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_GT, 10, 0, -5, 0), 0);
	assert_int_equal(int_case(POL_ARG_UINT32, POL_OP_GT, 10, 0, -5, 0), 1);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_LT, 0, 0, -5, 0), 1);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_LT, 1, 0, 4, 0), 0);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_INRANGE, 2, 5, 4, 0), 1);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_INRANGE, 5, 9, 4, 0), 0);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_NOTINRANGE, 5, 9, 4, 0),
	    1);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_NOTINRANGE, 2, 5, 4, 0),
	    0);
	/* InMap: key space 7 holds 4 */
	memset(&k, 0, sizeof(k));
	k.map_id = 7;
	k.value = 4;
	assert_int_equal(bpf_map_update_elem(T->fd_inmap, &k, &one, BPF_ANY),
	    0);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_INMAP, 0, 0, 4, 7), 1);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_INMAP, 0, 0, 5, 7), 0);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_INMAP, 0, 0, 4, 8), 0);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_NOTINMAP, 0, 0, 5, 7), 1);
	assert_int_equal(int_case(POL_ARG_INT, POL_OP_NOTINMAP, 0, 0, 4, 7), 0);
}

/* openat(path) with one string matchArgs entry on the pathname */
static int
str_case(int op, size_t n, const char **v, const size_t *lens)
{
	struct hook_arg a[3] = { harg(POL_ARG_INT, 0),
	    harg(POL_ARG_STRING, 1), harg(POL_ARG_INT, 2) };
	struct sel_cfg *sc = sel_new();
	struct child c;
	size_t from = T->n;
	uint32_t gen;
	int status, cnt;

	child_start(&c, do_openat, T->file);
	sel_pid(sc, POL_OP_IN, 0, c.pid);
	sel_str(sc, 1, op, n, v, lens);
	gen = hook_install(2, HOOK_K_SYSCALL, NR_OPENAT, 0, 3, a, NULL, 1,
	    &sc);
	child_go(&c);
	status = child_wait(&c);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	cnt = count_recs(2, gen, c.pid, from);
	hook_remove(2, HOOK_K_SYSCALL, NR_OPENAT);
	return cnt;
}

static int
str1(int op, const char *v)
{
	return str_case(op, 1, &v, NULL);
}

/* value with an explicit trailing NUL */
static int
str1z(int op, const char *v)
{
	size_t len = strlen(v) + 1;

	return str_case(op, 1, &v, &len);
}

static void
test_string_ops(void **state)
{
	const char *two[2];
	char *prefix, *wrong, *head;

	(void)state;
	assert_true(asprintf(&prefix, "%s/fi", T->tmp) > 0);
	assert_true(asprintf(&wrong, "%sx", T->file) > 0);
	assert_true(asprintf(&head, "%s/", T->tmp) > 0);

	assert_int_equal(str1(POL_OP_EQUAL, T->file), 1);
	assert_int_equal(str1(POL_OP_EQUAL, wrong), 0);
	assert_int_equal(str1(POL_OP_EQUAL, prefix), 0);
	assert_int_equal(str1z(POL_OP_EQUAL, T->file), 1);
	assert_int_equal(str1(POL_OP_NOTEQUAL, wrong), 1);
	assert_int_equal(str1(POL_OP_NOTEQUAL, T->file), 0);
	assert_int_equal(str1(POL_OP_PREFIX, prefix), 1);
	assert_int_equal(str1(POL_OP_PREFIX, "/nonexistent/"), 0);
	assert_int_equal(str1(POL_OP_PREFIX, wrong), 0);
	/* "\0": the prefix must end the string */
	assert_int_equal(str1z(POL_OP_PREFIX, prefix), 0);
	assert_int_equal(str1z(POL_OP_PREFIX, T->file), 1);
	assert_int_equal(str1(POL_OP_NOTPREFIX, "/nonexistent/"), 1);
	assert_int_equal(str1(POL_OP_NOTPREFIX, head), 0);
	assert_int_equal(str1(POL_OP_POSTFIX, "/file.txt"), 1);
	assert_int_equal(str1(POL_OP_POSTFIX, "xfile.txt"), 0);
	assert_int_equal(str1(POL_OP_POSTFIX, ".tx"), 0);
	assert_int_equal(str1z(POL_OP_POSTFIX, "file.txt"), 1);
	assert_int_equal(str1(POL_OP_NOTPOSTFIX, ".conf"), 1);
	assert_int_equal(str1(POL_OP_NOTPOSTFIX, ".txt"), 0);
	/* positive operators OR over values, negative ones AND */
	two[0] = "/a";
	two[1] = T->file;
	assert_int_equal(str_case(POL_OP_EQUAL, 2, two, NULL), 1);
	assert_int_equal(str_case(POL_OP_NOTEQUAL, 2, two, NULL), 0);
	two[1] = "/b";
	assert_int_equal(str_case(POL_OP_EQUAL, 2, two, NULL), 0);
	assert_int_equal(str_case(POL_OP_NOTEQUAL, 2, two, NULL), 1);
	free(prefix);
	free(wrong);
	free(head);
}

/* openat args captured: int, string (and truncation at max), int */
static void
test_openat_record(void **state)
{
	struct hook_arg a[3] = { harg(POL_ARG_INT, 0),
	    harg(POL_ARG_STRING, 1), harg(POL_ARG_INT, 2) };
	struct sel_cfg *sc = sel_new();
	const struct ev_generic *e;
	struct garg ga[4];
	struct child c;
	size_t from = T->n;
	uint32_t gen;

	(void)state;
	child_start(&c, do_openat, T->file);
	sel_pid(sc, POL_OP_IN, 0, c.pid);
	a[2].max = 0;
	gen = hook_install(2, HOOK_K_SYSCALL, NR_OPENAT, 0, 3, a, NULL, 1,
	    &sc);
	child_go(&c);
	child_wait(&c);
	e = find_rec(2, gen, c.pid, from);
	assert_non_null(e);
	assert_int_equal(e->sel, 0);
	assert_int_equal(rec_args(e, ga, 4), 3);
	assert_int_equal(arg_int(&ga[0]), AT_FDCWD);
	assert_int_equal(ga[1].a->type, POL_ARG_STRING);
	assert_int_equal(ga[1].a->flags, 0);
	assert_arg_str(&ga[1], T->file);
	assert_int_equal(arg_int(&ga[2]), O_RDONLY);
	hook_remove(2, HOOK_K_SYSCALL, NR_OPENAT);

	/* max 8: cut, flagged */
	from = T->n;
	sc = sel_new();
	a[1].max = 8;
	child_start(&c, do_openat, T->file);
	sel_pid(sc, POL_OP_IN, 0, c.pid);
	gen = hook_install(2, HOOK_K_SYSCALL, NR_OPENAT, 0, 3, a, NULL, 1,
	    &sc);
	child_go(&c);
	child_wait(&c);
	e = find_rec(2, gen, c.pid, from);
	assert_non_null(e);
	rec_args(e, ga, 4);
	assert_int_equal(ga[1].a->flags, EVA_TRUNC);
	assert_int_equal(ga[1].a->len, 8);
	assert_memory_equal(ga[1].data, T->file, 8);
	hook_remove(2, HOOK_K_SYSCALL, NR_OPENAT);
}

struct wr {
	const char	*path;
	const char	*buf;
};

static int
do_write(void *arg, int back)
{
	struct wr *w = arg;
	int fd;

	(void)back;
	fd = open(w->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return 1;
	if (syscall(SYS_write, fd, w->buf, strlen(w->buf)) < 0)
		return 2;
	return fd;	/* exit status: the fd number */
}

/* write(fd, buf, n): fd resolved to a path, char_buf with sizeArgIndex,
 * size_t; Equal on the fd's path; char_buf cut at max */
static void
test_fd_charbuf(void **state)
{
	struct hook_arg a[3] = { harg(POL_ARG_FD, 0),
	    harg(POL_ARG_CHAR_BUF, 1), harg(POL_ARG_SIZE_T, 2) };
	struct wr w = { NULL, "some bytes\n" };
	struct sel_cfg *sc;
	const struct ev_generic *e;
	struct garg ga[4];
	struct child c;
	char *path;
	size_t from;
	uint32_t gen;
	int status, fd, i;

	(void)state;
	assert_true(asprintf(&path, "%s/w.log", T->tmp) > 0);
	write_file(path, "");
	w.path = path;
	a[1].size_arg = 3;
	for (i = 0; i < 3; i++) {
		from = T->n;
		sc = sel_new();
		child_start(&c, do_write, &w);
		sel_pid(sc, POL_OP_IN, 0, c.pid);
		if (i == 0)
			sel_str(sc, 0, POL_OP_EQUAL, 1, (const char **)&path,
			    NULL);
		else if (i == 1)
			sel_str(sc, 0, POL_OP_EQUAL, 1, (const char **)&T->file,
			    NULL);
		a[1].max = i == 2 ? 4 : 0;
		gen = hook_install(3, HOOK_K_SYSCALL, NR_WRITE, 0, 3, a, NULL,
		    1, &sc);
		child_go(&c);
		status = child_wait(&c);
		assert_true(WIFEXITED(status));
		fd = WEXITSTATUS(status);
		assert_true(fd > 2);
		if (i == 1) {
			assert_int_equal(count_recs(3, gen, c.pid, from), 0);
			continue;
		}
		e = find_rec(3, gen, c.pid, from);
		assert_non_null(e);
		assert_int_equal(rec_args(e, ga, 4), 3);
		assert_int_equal(ga[0].a->type, POL_ARG_FD);
		assert_int_equal(ga[0].a->aux, fd);
		assert_int_equal(ga[0].a->flags, 0);
		assert_arg_str(&ga[0], path);
		assert_int_equal(ga[1].a->type, POL_ARG_CHAR_BUF);
		assert_int_equal(ga[1].a->aux, strlen(w.buf));
		if (i == 0) {
			assert_int_equal(ga[1].a->flags, 0);
			assert_int_equal(ga[1].a->len, strlen(w.buf));
			assert_memory_equal(ga[1].data, w.buf, strlen(w.buf));
		} else {
			assert_int_equal(ga[1].a->flags, EVA_TRUNC);
			assert_int_equal(ga[1].a->len, 4);
			assert_memory_equal(ga[1].data, w.buf, 4);
		}
		assert_int_equal(arg_int(&ga[2]), strlen(w.buf));
	}
	hook_remove(3, HOOK_K_SYSCALL, NR_WRITE);
	free(path);
}

static int
do_symlinkat(void *arg, int back)
{
	/* on the stack: a string constant's page may not be mapped in a
	 * fresh child yet, and BPF cannot fault it in */
	char target[] = "/etc/passwd";

	(void)back;
	return syscall(SYS_symlinkat, target, AT_FDCWD,
	    (const char *)arg) == 0 ? 0 : 1;
}

/* symlinkat(target, newdirfd, linkpath) with Postfix on the link name */
static void
test_symlinkat(void **state)
{
	struct hook_arg a[3] = { harg(POL_ARG_STRING, 0),
	    harg(POL_ARG_INT, 1), harg(POL_ARG_STRING, 2) };
	const char *v = "passwd";
	struct sel_cfg *sc = sel_new();
	const struct ev_generic *e;
	struct garg ga[4];
	struct child c;
	char *link;
	size_t from = T->n;
	uint32_t gen;

	(void)state;
	assert_true(asprintf(&link, "%s/passwd", T->tmp) > 0);
	child_start(&c, do_symlinkat, link);
	sel_str(sc, 2, POL_OP_POSTFIX, 1, &v, NULL);
	sel_str(sc, 0, POL_OP_EQUAL, 1, (const char *[]){ "/etc/passwd" },
	    NULL);
	gen = hook_install(4, HOOK_K_SYSCALL, NR_SYMLINKAT, 0, 3, a, NULL, 1,
	    &sc);
	child_go(&c);
	assert_int_equal(WEXITSTATUS(child_wait(&c)), 0);
	e = find_rec(4, gen, c.pid, from);
	assert_non_null(e);
	assert_int_equal(rec_args(e, ga, 4), 3);
	assert_arg_str(&ga[0], "/etc/passwd");
	assert_int_equal(arg_int(&ga[1]), AT_FDCWD);
	assert_arg_str(&ga[2], link);
	hook_remove(4, HOOK_K_SYSCALL, NR_SYMLINKAT);
	unlink(link);
	free(link);
}

struct conn {
	int	family;
	int	port;
};

static int
do_connect(void *arg, int back)
{
	struct conn *cn = arg;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	int s;

	(void)back;
	s = socket(cn->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return 1;
	if (cn->family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(cn->port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		connect(s, (struct sockaddr *)&sin, sizeof(sin));
	} else {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(cn->port);
		sin6.sin6_addr = in6addr_loopback;
		connect(s, (struct sockaddr *)&sin6, sizeof(sin6));
	}
	return 0;
}

/* connect() with one sockaddr matchArgs entry; lo/hi or a CIDR */
static int
sock_case(struct conn *cn, int op, uint64_t lo, uint64_t hi,
    const char *cidr, int plen, const struct ev_generic **out)
{
	struct hook_arg a[3] = { harg(POL_ARG_INT, 0),
	    harg(POL_ARG_SOCKADDR, 1), harg(POL_ARG_INT, 2) };
	struct sel_cfg *sc = sel_new();
	struct sel_matcharg *m;
	struct child c;
	size_t from = T->n;
	uint32_t gen;
	int n;

	child_start(&c, do_connect, cn);
	sel_pid(sc, POL_OP_IN, 0, c.pid);
	m = &sc->args[sc->nmatchargs++];
	m->arg = 1;
	m->op = op;
	m->nvals = op == POL_OP_SPORTPRIV || op == POL_OP_NOTSPORTPRIV ? 0 : 1;
	m->v.num[0].lo = lo;
	m->v.num[0].hi = hi;
	if (cidr != NULL) {
		m->v.cidr[0].family = strchr(cidr, ':') ? AF_INET6 : AF_INET;
		m->v.cidr[0].prefixlen = plen;
		assert_int_equal(inet_pton(m->v.cidr[0].family, cidr,
		    m->v.cidr[0].addr), 1);
	}
	gen = hook_install(5, HOOK_K_SYSCALL, NR_CONNECT, 0, 3, a, NULL, 1,
	    &sc);
	child_go(&c);
	assert_int_equal(WEXITSTATUS(child_wait(&c)), 0);
	n = count_recs(5, gen, c.pid, from);
	if (out != NULL)
		*out = find_rec(5, gen, c.pid, from);
	hook_remove(5, HOOK_K_SYSCALL, NR_CONNECT);
	return n;
}

static void
test_sockaddr(void **state)
{
	struct conn c4 = { AF_INET, 5555 }, c6 = { AF_INET6, 6666 };
	const struct ev_generic *e;
	const struct ev_sockaddr *sa;
	struct garg ga[4];
	uint8_t lo6[16] = { [15] = 1 };

	(void)state;
	assert_int_equal(sock_case(&c4, POL_OP_FAMILY, AF_INET, 0, NULL, 0, &e),
	    1);
	assert_non_null(e);
	assert_int_equal(rec_args(e, ga, 4), 3);
	assert_int_equal(ga[1].a->type, POL_ARG_SOCKADDR);
	assert_int_equal(ga[1].a->len, sizeof(*sa));
	sa = (const void *)ga[1].data;
	assert_int_equal(sa->family, AF_INET);
	assert_int_equal(sa->port, 5555);
	assert_memory_equal(sa->addr, "\x7f\0\0\x01", 4);
	assert_int_equal(arg_int(&ga[2]), sizeof(struct sockaddr_in));

	assert_int_equal(sock_case(&c4, POL_OP_FAMILY, AF_INET6, 0, NULL, 0,
	    NULL), 0);
	assert_int_equal(sock_case(&c4, POL_OP_SADDR, 0, 0, "127.0.0.0", 8,
	    NULL), 1);
	assert_int_equal(sock_case(&c4, POL_OP_SADDR, 0, 0, "10.0.0.0", 8,
	    NULL), 0);
	assert_int_equal(sock_case(&c4, POL_OP_SADDR, 0, 0, "127.0.0.1", 32,
	    NULL), 1);
	assert_int_equal(sock_case(&c4, POL_OP_NOTSADDR, 0, 0, "10.0.0.0", 8,
	    NULL), 1);
	assert_int_equal(sock_case(&c4, POL_OP_NOTSADDR, 0, 0, "127.0.0.0", 8,
	    NULL), 0);
	assert_int_equal(sock_case(&c4, POL_OP_SPORT, 5555, 5555, NULL, 0,
	    NULL), 1);
	assert_int_equal(sock_case(&c4, POL_OP_SPORT, 5000, 5500, NULL, 0,
	    NULL), 0);
	assert_int_equal(sock_case(&c4, POL_OP_NOTSPORT, 5000, 5500, NULL, 0,
	    NULL), 1);
	assert_int_equal(sock_case(&c4, POL_OP_NOTSPORT, 5555, 5555, NULL, 0,
	    NULL), 0);
	assert_int_equal(sock_case(&c4, POL_OP_SPORTPRIV, 0, 0, NULL, 0,
	    NULL), 0);
	assert_int_equal(sock_case(&c4, POL_OP_NOTSPORTPRIV, 0, 0, NULL, 0,
	    NULL), 1);
	assert_int_equal(sock_case(&c4, POL_OP_DPORT, 5555, 5555, NULL, 0,
	    NULL), 1);

	assert_int_equal(sock_case(&c6, POL_OP_SADDR, 0, 0, "::1", 128, &e),
	    1);
	assert_non_null(e);
	rec_args(e, ga, 4);
	sa = (const void *)ga[1].data;
	assert_int_equal(sa->family, AF_INET6);
	assert_int_equal(sa->port, 6666);
	assert_memory_equal(sa->addr, lo6, 16);
	assert_int_equal(sock_case(&c6, POL_OP_SADDR, 0, 0, "fe80::", 10,
	    NULL), 0);
	assert_int_equal(sock_case(&c6, POL_OP_SADDR, 0, 0, "127.0.0.0", 8,
	    NULL), 0);
}

/* selectors are tried in order; the first match wins */
static void
test_selector_order(void **state)
{
	struct hook_arg a[1] = { harg(POL_ARG_INT, 0) };
	struct sel_cfg *sc[3];
	const struct ev_generic *e;
	struct child c;
	size_t from;
	uint32_t gen;
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		from = T->n;
		child_start(&c, do_clock, (void *)(intptr_t)3);
		sc[0] = sel_new();
		sel_pid(sc[0], POL_OP_IN, 0, c.pid);
		/* k = 0: selector 0 matches; k = 1: it does not */
		sel_num(sc[0], 0, 0, POL_OP_EQUAL, k == 0 ? 3 : 4, 0);
		sc[1] = sel_new();
		sel_pid(sc[1], POL_OP_IN, 0, c.pid);
		sel_num(sc[1], 0, 0, POL_OP_GT, 0, 0);
		sel_action(sc[1], 0, POL_ACT_POST, 0);
		sc[2] = sel_new();
		sel_pid(sc[2], POL_OP_IN, 0, c.pid);
		gen = hook_install(6, HOOK_K_SYSCALL, NR_CLOCK_GETTIME, 0, 1,
		    a, NULL, 3, sc);
		child_go(&c);
		child_wait(&c);
		e = find_rec(6, gen, c.pid, from);
		assert_non_null(e);
		assert_int_equal(e->sel, k);
		assert_int_equal(count_recs(6, gen, c.pid, from), 1);
	}
	hook_remove(6, HOOK_K_SYSCALL, NR_CLOCK_GETTIME);
}

static volatile sig_atomic_t got_usr1;

static void
on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static int
do_clock_signal(void *arg, int back)
{
	struct timespec ts;

	(void)arg;
	(void)back;
	got_usr1 = 0;
	signal(SIGUSR1, on_usr1);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return got_usr1 ? 42 : 0;
}

/* actions: Sigkill, Sigkill in monitor mode, Signal, NoPost */
static int
action_case(int flags, int k1, int a1, int k2, int *status,
    const struct ev_generic **out)
{
	struct hook_arg a[1] = { harg(POL_ARG_INT, 0) };
	struct sel_cfg *sc = sel_new();
	struct child c;
	size_t from = T->n;
	uint32_t gen;
	int n;

	child_start(&c, do_clock_signal, NULL);
	sel_pid(sc, POL_OP_IN, 0, c.pid);
	sel_action(sc, 0, k1, a1);
	if (k2 != 0)
		sel_action(sc, 0, k2, 0);
	gen = hook_install(7, HOOK_K_SYSCALL, NR_CLOCK_GETTIME, flags, 1, a,
	    NULL, 1, &sc);
	child_go(&c);
	*status = child_wait(&c);
	n = count_recs(7, gen, c.pid, from);
	*out = find_rec(7, gen, c.pid, from);
	hook_remove(7, HOOK_K_SYSCALL, NR_CLOCK_GETTIME);
	return n;
}

static void
test_actions(void **state)
{
	const struct ev_generic *e;
	struct hook_stat st0, st1;
	int status;

	(void)state;
	st0 = hook_stats(7);
	/* Sigkill (+ Post): dies, record says so */
	assert_int_equal(action_case(0, POL_ACT_SIGKILL, 0, POL_ACT_POST,
	    &status, &e), 1);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_int_equal(e->actions, ACT(POL_ACT_SIGKILL) | ACT(POL_ACT_POST));
	assert_int_equal(e->would, 0);
	assert_int_equal(e->flags & EVG_F_MONITOR, 0);
	st1 = hook_stats(7);
	assert_int_equal(st1.signals - st0.signals, 1);

	/* monitor mode: lives, `would` has the bit */
	assert_int_equal(action_case(HOOK_F_MONITOR, POL_ACT_SIGKILL, 0, 0,
	    &status, &e), 1);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(e->actions, ACT(POL_ACT_POST));
	assert_int_equal(e->would, ACT(POL_ACT_SIGKILL));
	assert_true(e->flags & EVG_F_MONITOR);

	/* Signal SIGUSR1: caught by the child; posted without an explicit
	 * Post (only NoPost suppresses the record) */
	assert_int_equal(action_case(0, POL_ACT_SIGNAL, SIGUSR1, 0, &status,
	    &e), 1);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 42);
	assert_int_equal(e->actions, ACT(POL_ACT_SIGNAL) | ACT(POL_ACT_POST));

	/* Signal + NoPost: no record, the signal still sent */
	assert_int_equal(action_case(0, POL_ACT_SIGNAL, SIGUSR1,
	    POL_ACT_NOPOST, &status, &e), 0);
	assert_int_equal(WEXITSTATUS(status), 42);
	/* monitor mode: Signal not sent, recorded in `would` */
	assert_int_equal(action_case(HOOK_F_MONITOR, POL_ACT_SIGNAL, SIGUSR1,
	    0, &status, &e), 1);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(e->would, ACT(POL_ACT_SIGNAL));

	/* NoPost + Sigkill: dies, nothing posted */
	assert_int_equal(action_case(0, POL_ACT_NOPOST, 0, POL_ACT_SIGKILL,
	    &status, &e), 0);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);

	/* GetUrl / DnsLookup only flag the record for user space */
	assert_int_equal(action_case(0, POL_ACT_GETURL, 0, POL_ACT_DNSLOOKUP,
	    &status, &e), 1);
	assert_int_equal(e->actions, ACT(POL_ACT_POST) | ACT(POL_ACT_GETURL) |
	    ACT(POL_ACT_DNSLOOKUP));
}

/* rateLimit: the 2nd identical hit is suppressed, a different one is not */
static void
test_ratelimit(void **state)
{
	struct hook_arg a[1] = { harg(POL_ARG_INT, 0) };
	struct sel_cfg *sc = sel_new();
	struct hook_stat st0, st1;
	struct child c;
	size_t from = T->n;
	uint32_t gen;

	(void)state;
	st0 = hook_stats(8);
	child_start(&c, do_clock_twice_and_other, NULL);
	sel_pid(sc, POL_OP_IN, 0, c.pid);
	sel_action(sc, 0, POL_ACT_POST, 0);
	sc->actions[0].rate_ms = 60000;
	sc->actions[0].scope = POL_RL_PROCESS;
	gen = hook_install(8, HOOK_K_SYSCALL, NR_CLOCK_GETTIME, 0, 1, a, NULL,
	    1, &sc);
	child_go(&c);
	child_wait(&c);
	assert_int_equal(count_recs(8, gen, c.pid, from), 2);
	st1 = hook_stats(8);
	assert_int_equal(st1.ratelimited - st0.ratelimited, 1);
	assert_int_equal(st1.matched - st0.matched, 3);
	assert_int_equal(st1.posted - st0.posted, 2);
	hook_remove(8, HOOK_K_SYSCALL, NR_CLOCK_GETTIME);
}

static int
do_fork_clock(void *arg, int back)
{
	pid_t p;
	int status;

	(void)arg;
	p = fork();
	if (p == 0) {
		do_clock((void *)(intptr_t)1, back);
		_exit(0);
	}
	if (write(back, &p, sizeof(p)) != sizeof(p) ||
	    waitpid(p, &status, 0) != p)
		return 1;
	return 0;
}

/* matchPIDs In/NotIn, followForks, isNamespacePID */
static int
pid_case(int op, int flags, int self, pid_t *gpid)
{
	struct hook_arg a[1] = { harg(POL_ARG_INT, 0) };
	struct sel_cfg *sc = sel_new();
	struct child c;
	size_t from = T->n;
	uint32_t gen;
	int n;

	child_start(&c, do_fork_clock, NULL);
	sel_pid(sc, op, flags, self ? c.pid : getpid());
	/* keep NotIn to our children */
	sel_num(sc, 0, 0, POL_OP_EQUAL, 1, 0);
	sel_pid(sc, POL_OP_NOTIN, 0, getpid());
	gen = hook_install(9, HOOK_K_SYSCALL, NR_CLOCK_GETTIME, 0, 1, a, NULL,
	    1, &sc);
	child_go(&c);
	assert_int_equal(read(c.back, gpid, sizeof(*gpid)), sizeof(*gpid));
	assert_int_equal(WEXITSTATUS(child_wait(&c)), 0);
	n = count_recs(9, gen, *gpid, from);
	hook_remove(9, HOOK_K_SYSCALL, NR_CLOCK_GETTIME);
	return n;
}

static void
test_match_pids(void **state)
{
	pid_t g;

	(void)state;
	/* the grandchild calls clock_gettime; its parent is the child */
	assert_int_equal(pid_case(POL_OP_IN, 0, 1, &g), 0);
	assert_int_equal(pid_case(POL_OP_IN, 1, 1, &g), 1);	/* followForks */
	assert_int_equal(pid_case(POL_OP_IN, 3, 1, &g), 1);	/* + nspid */
	assert_int_equal(pid_case(POL_OP_NOTIN, 0, 1, &g), 1);
	assert_int_equal(pid_case(POL_OP_NOTIN, 1, 1, &g), 0);
	/* followForks two levels up: us */
	assert_int_equal(pid_case(POL_OP_IN, 1, 0, &g), 1);
	assert_int_equal(pid_case(POL_OP_IN, 0, 0, &g), 0);
}

static void
copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	in = open(from, O_RDONLY | O_CLOEXEC);
	assert_true(in >= 0);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	assert_int_equal(close(out), 0);
}

static int
do_exec(void *arg, int back)
{
	char **argv = arg;

	(void)back;
	execv(argv[0], argv);
	return 127;
}

/* exit_group of an exec'd binary, with one matchBinaries entry */
static int
bin_case(int op, int follow, char **argv, const char *v, pid_t *pid,
    uint32_t *genp)
{
	struct hook_arg a[1] = { harg(POL_ARG_INT, 0) };
	struct sel_cfg *sc = sel_new();
	struct child c;
	size_t from = T->n;
	uint32_t gen;
	int n;

	child_start(&c, do_exec, argv);
	sc->has_bins = 1;
	sc->bins.op = op;
	sc->bins.follow_children = follow;
	sc->bins.nvals = 1;
	hstr(&sc->bins.bins[0], v, strlen(v));
	gen = hook_install(10, HOOK_K_SYSCALL, NR_EXIT_GROUP, 0, 1, a, NULL,
	    1, &sc);
	child_go(&c);
	assert_int_equal(WEXITSTATUS(child_wait(&c)), 0);
	*pid = c.pid;
	*genp = gen;
	n = count_recs(10, gen, c.pid, from);
	hook_remove(10, HOOK_K_SYSCALL, NR_EXIT_GROUP);
	return n;
}

static void
test_match_binaries(void **state)
{
	const struct ev_generic *e;
	char *tru, *sh, *cmd, *argv[4];
	size_t from, i, kids;
	uint32_t gen;
	pid_t pid;

	(void)state;
	assert_true(asprintf(&tru, "%s/mytrue", T->tmp) > 0);
	copy_file("/bin/true", tru);
	argv[0] = tru;
	argv[1] = NULL;
	assert_int_equal(bin_case(POL_OP_IN, 0, argv, tru, &pid, &gen), 1);
	assert_int_equal(bin_case(POL_OP_IN, 0, argv, "/bin/true", &pid, &gen),
	    0);
	assert_int_equal(bin_case(POL_OP_NOTIN, 0, argv, tru, &pid, &gen), 0);
	assert_int_equal(bin_case(POL_OP_PREFIX, 0, argv, T->tmp, &pid, &gen),
	    1);
	assert_int_equal(bin_case(POL_OP_PREFIX, 0, argv, "/usr/", &pid,
	    &gen), 0);
	assert_int_equal(bin_case(POL_OP_NOTPREFIX, 0, argv, T->tmp, &pid,
	    &gen), 0);
	assert_int_equal(bin_case(POL_OP_POSTFIX, 0, argv, "/mytrue", &pid,
	    &gen), 1);
	assert_int_equal(bin_case(POL_OP_POSTFIX, 0, argv, "/true", &pid,
	    &gen), 0);
	assert_int_equal(bin_case(POL_OP_NOTPOSTFIX, 0, argv, "/true", &pid,
	    &gen), 1);

	/* followChildren: a copy of sh runs /bin/true in a child; that
	 * child's exit_group matches through the inherited bit, a plain
	 * /bin/true elsewhere does not */
	assert_true(asprintf(&sh, "%s/mysh", T->tmp) > 0);
	copy_file("/bin/sh", sh);
	assert_true(asprintf(&cmd, "/bin/true; %s", "exit 0") > 0);
	argv[0] = sh;
	argv[1] = "-c";
	argv[2] = cmd;
	argv[3] = NULL;
	from = T->n;
	assert_int_equal(bin_case(POL_OP_IN, 1, argv, sh, &pid, &gen), 1);
	kids = 0;
	for (i = from; i < T->n; i++) {
		e = rec_gen(&T->recs[i]);
		if (e != NULL && e->hook_id == 10 && e->gen == gen &&
		    e->key.pid != (uint32_t)pid) {
			assert_int_equal(e->parent.pid, pid);
			kids++;
		}
	}
	assert_int_equal(kids, 1);
	/* without followChildren only sh itself */
	from = T->n;
	assert_int_equal(bin_case(POL_OP_IN, 0, argv, sh, &pid, &gen), 1);
	consume();
	for (i = from; i < T->n; i++) {
		e = rec_gen(&T->recs[i]);
		assert_false(e != NULL && e->hook_id == 10 && e->gen == gen &&
		    e->key.pid != (uint32_t)pid);
	}
	argv[0] = "/bin/true";
	argv[1] = NULL;
	assert_int_equal(bin_case(POL_OP_IN, 1, argv, sh, &pid, &gen), 0);
	unlink(tru);
	unlink(sh);
	free(tru);
	free(sh);
	free(cmd);
}

static int
do_read(void *arg, int back)
{
	char buf[100];
	int fd;

	(void)back;
	fd = open((const char *)arg, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	if (syscall(SYS_read, fd, buf, sizeof(buf)) != 11)
		return 2;
	return 0;
}

/* read(): AT_EXIT, returnCopy, return value, matchReturnArgs */
static int
read_case(int retop, uint64_t retval, const struct ev_generic **out)
{
	struct hook_arg a[3] = { harg(POL_ARG_FD, 0),
	    harg(POL_ARG_CHAR_BUF, 1), harg(POL_ARG_SIZE_T, 2) };
	struct hook_arg ret = harg(POL_ARG_INT, 0);
	struct sel_cfg *sc = sel_new();
	struct child c;
	size_t from = T->n;
	uint32_t gen;
	int n;

	a[1].flags = HOOK_ARGF_RETURN_COPY;
	a[1].size_arg = 3;
	ret.src_kind = HOOK_SRC_RETVAL;
	child_start(&c, do_read, T->file);
	sel_pid(sc, POL_OP_IN, 0, c.pid);
	sel_str(sc, 0, POL_OP_EQUAL, 1, (const char **)&T->file, NULL);
	if (retop != 0)
		sel_num(sc, 1, HOOK_ARG_RET, retop, retval, retval);
	gen = hook_install(11, HOOK_K_SYSCALL, NR_READ, HOOK_F_AT_EXIT, 3, a,
	    &ret, 1, &sc);
	child_go(&c);
	assert_int_equal(WEXITSTATUS(child_wait(&c)), 0);
	n = count_recs(11, gen, c.pid, from);
	*out = find_rec(11, gen, c.pid, from);
	hook_remove(11, HOOK_K_SYSCALL, NR_READ);
	return n;
}

static void
test_return(void **state)
{
	const struct ev_generic *e;
	struct garg ga[5];

	(void)state;
	assert_int_equal(read_case(0, 0, &e), 1);
	assert_non_null(e);
	assert_true(e->flags & EVG_F_RETURN);
	assert_int_equal(e->ret, 11);
	assert_int_equal(e->sel, 0);
	assert_int_equal(rec_args(e, ga, 5), 4);
	assert_arg_str(&ga[0], T->file);
	assert_int_equal(ga[1].a->type, POL_ARG_CHAR_BUF);
	assert_int_equal(ga[1].a->flags, 0);
	assert_int_equal(ga[1].a->aux, 100);	/* asked for */
	assert_arg_str(&ga[1], "hello world");	/* got */
	assert_int_equal(arg_int(&ga[2]), 100);
	assert_int_equal(ga[3].a->flags, EVA_RETVAL);
	assert_int_equal(arg_int(&ga[3]), 11);

	assert_int_equal(read_case(POL_OP_GT, 0, &e), 1);
	assert_int_equal(read_case(POL_OP_GT, 11, &e), 0);
	assert_int_equal(read_case(POL_OP_EQUAL, 11, &e), 1);
	assert_int_equal(read_case(POL_OP_NOTEQUAL, 11, &e), 0);
	assert_int_equal(read_case(POL_OP_INRANGE, 10, &e), 0);
	assert_int_equal(read_case(POL_OP_LT, 0, &e), 0);
}

static int
do_follow(void *arg, int back)
{
	char b;
	int fd;

	fd = open((const char *)arg, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return 1;
	/* tell the parent the fd, wait for it to look */
	if (write(back, &fd, sizeof(fd)) != sizeof(fd) ||
	    read(STDIN_FILENO, &b, 0) < 0)
		return 2;
	usleep(200000);
	syscall(SYS_write, fd, "x", 1);	/* killed here */
	return 3;
}

static int
do_follow_close(void *arg, int back)
{
	int fd;

	fd = open((const char *)arg, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	close(fd);
	return write(back, &fd, sizeof(fd)) == sizeof(fd) ? 0 : 2;
}

/*
 * The seed's FollowFD flow on this kernel: openat(path) at exit ->
 * FollowFD(return fd, pathname); write(fd) whose fd resolves to path ->
 * Sigkill; close(fd) -> UnfollowFD.
 */
static void
test_followfd(void **state)
{
	struct hook_arg ao[3] = { harg(POL_ARG_INT, 0),
	    harg(POL_ARG_STRING, 1), harg(POL_ARG_INT, 2) };
	struct hook_arg ret = harg(POL_ARG_INT, 0);
	struct hook_arg aw[3] = { harg(POL_ARG_FD, 0),
	    harg(POL_ARG_CHAR_BUF, 1), harg(POL_ARG_SIZE_T, 2) };
	struct hook_arg ac[1] = { harg(POL_ARG_INT, 0) };
	struct sel_cfg *sc;
	struct fdfollow_key k;
	struct fdfollow_val v;
	struct child c;
	char *path;
	size_t from = T->n;
	uint32_t gopen, gwrite;
	int fd, status;

	(void)state;
	assert_true(asprintf(&path, "%s/secret", T->tmp) > 0);
	write_file(path, "");
	ret.src_kind = HOOK_SRC_RETVAL;
	aw[1].size_arg = 3;

	child_start(&c, do_follow, path);
	sc = sel_new();
	sel_pid(sc, POL_OP_IN, 0, c.pid);
	sel_str(sc, 1, POL_OP_EQUAL, 1, (const char **)&path, NULL);
	sel_num(sc, 1, HOOK_ARG_RET, POL_OP_GT, (uint64_t)-1, 0);
	sel_action(sc, 0, POL_ACT_FOLLOWFD, 0);
	sc->actions[0].arg_fd = HOOK_ARG_RET;
	sc->actions[0].arg_name = 1;
	gopen = hook_install(12, HOOK_K_SYSCALL, NR_OPENAT, HOOK_F_AT_EXIT, 3,
	    ao, &ret, 1, &sc);
	sc = sel_new();
	sel_pid(sc, POL_OP_IN, 0, c.pid);
	sel_str(sc, 0, POL_OP_EQUAL, 1, (const char **)&path, NULL);
	sel_action(sc, 0, POL_ACT_SIGKILL, 0);
	sel_action(sc, 0, POL_ACT_POST, 0);
	gwrite = hook_install(13, HOOK_K_SYSCALL, NR_WRITE, 0, 3, aw, NULL, 1,
	    &sc);
	sc = sel_new();
	sel_action(sc, 0, POL_ACT_UNFOLLOWFD, 0);
	sc->actions[0].arg_fd = 0;
	sel_action(sc, 0, POL_ACT_NOPOST, 0);
	hook_install(14, HOOK_K_SYSCALL, NR_CLOSE, 0, 1, ac, NULL, 1, &sc);

	child_go(&c);
	assert_int_equal(read(c.back, &fd, sizeof(fd)), sizeof(fd));
	k.tgid = c.pid;
	k.fd = fd;
	assert_int_equal(bpf_map_lookup_elem(T->fd_follow, &k, &v), 0);
	assert_int_equal(v.len, strlen(path));
	assert_memory_equal(v.path, path, v.len);
	status = child_wait(&c);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_int_equal(count_recs(12, gopen, c.pid, from), 1);
	assert_int_equal(find_rec(12, gopen, c.pid, from)->actions,
	    ACT(POL_ACT_FOLLOWFD) | ACT(POL_ACT_POST));
	assert_int_equal(find_rec(13, gwrite, c.pid, from)->actions,
	    ACT(POL_ACT_SIGKILL) | ACT(POL_ACT_POST));

	/* open + close: followed, then forgotten */
	child_start(&c, do_follow_close, path);
	sc = sel_new();
	sel_pid(sc, POL_OP_IN, 0, c.pid);
	sel_str(sc, 1, POL_OP_EQUAL, 1, (const char **)&path, NULL);
	sel_action(sc, 0, POL_ACT_FOLLOWFD, 0);
	sc->actions[0].arg_fd = HOOK_ARG_RET;
	sc->actions[0].arg_name = 1;
	hook_install(12, HOOK_K_SYSCALL, NR_OPENAT, HOOK_F_AT_EXIT, 3, ao,
	    &ret, 1, &sc);
	child_go(&c);
	assert_int_equal(read(c.back, &fd, sizeof(fd)), sizeof(fd));
	assert_int_equal(WEXITSTATUS(child_wait(&c)), 0);
	k.tgid = c.pid;
	k.fd = fd;
	assert_int_not_equal(bpf_map_lookup_elem(T->fd_follow, &k, &v), 0);

	hook_remove(12, HOOK_K_SYSCALL, NR_OPENAT);
	hook_remove(13, HOOK_K_SYSCALL, NR_WRITE);
	hook_remove(14, HOOK_K_SYSCALL, NR_CLOSE);
	free(path);
}

/* a tracepoint with a __data_loc string and an int field */
static int
tp_field_off(const char *event, const char *field, int *size)
{
	char path[256], line[512], *p;
	FILE *f;
	int off = -1;

	snprintf(path, sizeof(path), TRACEFS "/events/%s/format", event);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		p = strstr(line, field);
		if (p == NULL || p[strlen(field)] != ';')
			continue;
		if (sscanf(strstr(line, "offset:"), "offset:%d;\tsize:%d;",
		    &off, size) != 2)
			off = -1;
		break;
	}
	fclose(f);
	return off;
}

static void
test_tracepoint(void **state)
{
	LIBBPF_OPTS(bpf_tracepoint_opts, opts);
	struct hook_arg a[2];
	struct sel_cfg *sc = sel_new();
	const struct ev_generic *e;
	struct garg ga[3];
	char *tru, *argv[2];
	const char *v = "/mytrue";
	uint32_t gen;
	size_t from = T->n;
	pid_t pid;
	/* the attachment's slot in tp_hooks, its BPF cookie (loaderd takes
	 * the lowest free one) */
	int slot = 3, off, size, offpid, sizepid;

	(void)state;
	off = tp_field_off("sched/sched_process_exec", " filename", &size);
	offpid = tp_field_off("sched/sched_process_exec", " pid", &sizepid);
	assert_true(off > 0 && offpid > 0);
	memset(a, 0, sizeof(a));
	a[0].type = POL_ARG_DATA_LOC;
	a[0].src_kind = HOOK_SRC_TPFIELD;
	a[0].flags = HOOK_ARGF_DATA_LOC;
	a[0].off = off;
	a[0].size = size;
	a[1].type = POL_ARG_INT;
	a[1].src_kind = HOOK_SRC_TPFIELD;
	a[1].off = offpid;
	a[1].size = sizepid;
	sel_str(sc, 0, POL_OP_POSTFIX, 1, &v, NULL);
	gen = hook_install(15, HOOK_K_TRACEPOINT, slot, 0, 2, a, NULL, 1, &sc);
	opts.bpf_cookie = slot;
	T->l_tp = bpf_program__attach_tracepoint_opts(T->g->progs.generic_tp,
	    "sched", "sched_process_exec", &opts);
	assert_non_null(T->l_tp);
	assert_true(asprintf(&tru, "%s/mytrue", T->tmp) > 0);
	copy_file("/bin/true", tru);
	argv[0] = tru;
	argv[1] = NULL;
	assert_int_equal(WEXITSTATUS(child_run(do_exec, argv, &pid)), 0);
	e = find_rec(15, gen, pid, from);

	assert_non_null(e);
	assert_int_equal(rec_args(e, ga, 3), 2);
	assert_int_equal(ga[0].a->type, POL_ARG_DATA_LOC);
	assert_arg_str(&ga[0], tru);
	assert_int_equal(arg_int(&ga[1]), pid);
	/* /bin/true does not match */
	from = T->n;
	argv[0] = "/bin/true";
	child_run(do_exec, argv, &pid);
	assert_int_equal(count_recs(15, gen, pid, from), 0);
	hook_remove(15, HOOK_K_TRACEPOINT, slot);
	bpf_link__destroy(T->l_tp);
	T->l_tp = NULL;
	unlink(tru);
	free(tru);
}

/* the uprobe target: a function of this binary */
int	generic_uprobe_target(int, const char *);

__attribute__((noinline, used)) int
generic_uprobe_target(int n, const char *s)
{
	__asm__ volatile("" : : "r"(n), "r"(s) : "memory");
	return n + (int)strlen(s);
}

static void
test_uprobe(void **state)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts);
	struct hook_arg a[2];
	struct sel_cfg *sc = sel_new();
	const struct ev_generic *e;
	struct garg ga[3];
	const char *v = "needle";
	uint32_t gen;
	size_t from = T->n;

	(void)state;
	memset(a, 0, sizeof(a));
	a[0].type = POL_ARG_INT;
	a[0].src_kind = HOOK_SRC_REG;
	a[0].src = 0;
	a[1].type = POL_ARG_STRING;
	a[1].src_kind = HOOK_SRC_REG;
	a[1].src = 1;
	sel_str(sc, 1, POL_OP_PREFIX, 1, &v, NULL);
	gen = hook_install(16, HOOK_K_UPROBE, 0, 0, 2, a, NULL, 1, &sc);
	opts.func_name = "generic_uprobe_target";
	opts.bpf_cookie = 16;
	T->l_up = bpf_program__attach_uprobe_opts(T->g->progs.generic_uprobe,
	    getpid(), "/proc/self/exe", 0, &opts);
	assert_non_null(T->l_up);
	generic_uprobe_target(7, "haystack");
	generic_uprobe_target(-3, "needle in it");
	assert_int_equal(count_recs(16, gen, getpid(), from), 1);
	e = find_rec(16, gen, getpid(), from);
	assert_int_equal(rec_args(e, ga, 3), 2);
	assert_int_equal(arg_int(&ga[0]), -3);
	assert_arg_str(&ga[1], "needle in it");
	hook_remove(16, HOOK_K_UPROBE, 0);
	bpf_link__destroy(T->l_up);
	T->l_up = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_programs),
		cmocka_unit_test(test_no_selector),
		cmocka_unit_test(test_int_ops),
		cmocka_unit_test(test_string_ops),
		cmocka_unit_test(test_openat_record),
		cmocka_unit_test(test_fd_charbuf),
		cmocka_unit_test(test_symlinkat),
		cmocka_unit_test(test_sockaddr),
		cmocka_unit_test(test_selector_order),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_match_pids),
		cmocka_unit_test(test_match_binaries),
		cmocka_unit_test(test_return),
		cmocka_unit_test(test_followfd),
		cmocka_unit_test(test_tracepoint),
		cmocka_unit_test(test_uprobe),
	};
	const char *why;

	if ((why = testutil_bpf_unavailable()) != NULL) {
		printf("1..0 # SKIP %s\n", why);
		return 0;	/* TAP skip; .ci/run fails on it */
	}
	return cmocka_run_group_tests_name("bpf_generic", tests, group_setup,
	    group_teardown);
}
