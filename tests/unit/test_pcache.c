/* tests/unit/test_pcache.c -- process cache semantics (Tetragon refcounts),
 * exec_id, arguments quoting, and /proc parsing into cache templates. */
#include "build.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/wait.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf/events.h"
#include "collectord/collectord.h"
#include "collectord/decode.h"
#include "collectord/pcache.h"
#include "collectord/procfs.h"
#include "err.h"
#include "sandbox.h"
#include "str.h"

#define NODE	"node1"

static struct dec_event
ev_exec(uint32_t pid, uint64_t kt, uint32_t ppid, uint64_t pkt,
    const char *bin, const char *args, size_t alen, const char *cwd)
{
	struct dec_event e;

	memset(&e, 0, sizeof(e));
	e.type = EV_EXEC;
	e.pid = e.tid = pid;
	e.ktime = e.time_ns = kt;
	e.ppid_key = e.ppid = ppid;
	e.pktime = pkt;
	e.uid = 1000;
	e.euid = 1001;
	e.auid = 1000;
	e.filename = bin;
	e.filename_len = strlen(bin);
	e.args = args;
	e.args_len = alen;
	e.cwd = cwd;
	e.cwd_len = strlen(cwd);
	return e;
}

static struct dec_event
ev_fork(uint32_t pid, uint64_t kt, uint32_t ppid, uint64_t pkt)
{
	struct dec_event e;

	memset(&e, 0, sizeof(e));
	e.type = EV_FORK;
	e.pid = e.tid = pid;
	e.ktime = e.time_ns = kt;
	e.ppid_key = e.ppid = ppid;
	e.pktime = pkt;
	return e;
}

static struct dec_event
ev_exit(uint32_t pid, uint64_t kt, uint32_t ppid)
{
	struct dec_event e;

	memset(&e, 0, sizeof(e));
	e.type = EV_EXIT;
	e.pid = e.tid = pid;
	e.ktime = kt;
	e.ppid = ppid;
	e.time_ns = kt + 1000;
	return e;
}

static void
test_exec_id(void **state)
{
	char	 id[PROC_ID_MAX], node[PCACHE_NODE_MAX + 1];
	uint64_t kt;
	uint32_t pid;

	/* Tetragon's documented example */
	pcache_exec_id("minikube", 3349766462822ULL, 38313, id, sizeof(id));
	assert_string_equal(id, "bWluaWt1YmU6MzM0OTc2NjQ2MjgyMjozODMxMw==");
	assert_int_equal(pcache_exec_id_parse(id, node, &kt, &pid), 0);
	assert_string_equal(node, "minikube");
	assert_int_equal(kt, 3349766462822ULL);
	assert_int_equal(pid, 38313);
	pcache_exec_id("n", 1, 2, id, sizeof(id));
	assert_int_equal(pcache_exec_id_parse(id, NULL, &kt, &pid), 0);
	assert_int_equal(kt, 1);
	assert_int_equal(pid, 2);
	assert_int_equal(pcache_exec_id_parse("", NULL, &kt, &pid), ERR_PARSE);
	assert_int_equal(pcache_exec_id_parse("abc", NULL, &kt, &pid),
	    ERR_PARSE);
	assert_int_equal(pcache_exec_id_parse("YWJj", NULL, &kt, &pid),
	    ERR_PARSE);	/* "abc": no colons */
	assert_int_equal(pcache_exec_id_parse("!!!!", NULL, &kt, &pid),
	    ERR_PARSE);
}

static void
test_flags_words(void **state)
{
	char	 b[256];

	assert_string_equal(pcache_flags_str(PF_EXECVE | PF_CLONE, b,
	    sizeof(b)), "execve clone");
	assert_string_equal(pcache_flags_str(PF_PROCFS | PF_ROOTCWD |
	    PF_MISS, b, sizeof(b)), "procFS miss rootcwd");
	assert_string_equal(pcache_flags_str(0, b, sizeof(b)), "");
	assert_int_equal(pcache_flags_parse("procFS miss rootcwd stale bogus"),
	    PF_PROCFS | PF_MISS | PF_ROOTCWD | PF_STALE);
	assert_int_equal(pcache_flags_parse(""), 0);
}

static void
check_args(const char *blk, size_t len, const char *want)
{
	struct sbuf	 sb;

	sbuf_init(&sb);
	pcache_args_format(&sb, blk, len);
	assert_string_equal(sb.buf, want);
	sbuf_clear(&sb);
}

static void
test_args_format(void **state)
{
	check_args("ls\0-la\0", 7, "-la");
	check_args("ls\0-la\0/tmp\0", 12, "-la /tmp");
	check_args("ls\0", 3, "");
	check_args("", 0, "");
	check_args("sh\0-c\0echo hi\0", 14, "-c \"echo hi\"");
	check_args("x\0\0b\0", 5, "\"\" b");
	check_args("x\0a\"b\0c\\d\0", 10, "\"a\\\"b\" \"c\\\\d\"");
	/* truncated: last argument without terminator */
	check_args("cat\0/etc/pas", 12, "/etc/pas");
}

static void
test_exec_fork_exit(void **state)
{
	struct pcache		*pc = pcache_new(NODE);
	struct pcache_res	 r;
	struct dec_event	 e;
	struct proc		*sh, *ls, *clone;
	char			 id[PROC_ID_MAX];

	/* bash (pid 100) execs: parent 1 unknown -> miss */
	e = ev_exec(100, 1000, 1, 10, "/bin/bash", "bash\0", 5, "/");
	assert_int_equal(pcache_exec(pc, &e, &r), 0);
	sh = r.proc;
	assert_non_null(sh);
	assert_null(r.parent);
	assert_null(r.replaced);
	assert_int_equal(sh->refcnt, 1);
	assert_true(sh->flags & PF_EXECVE);
	assert_true(sh->flags & PF_MISS);
	assert_true(sh->flags & PF_ROOTCWD);
	assert_string_equal(sh->binary, "/bin/bash");
	assert_string_equal(sh->args, "");
	pcache_exec_id(NODE, 1000, 100, id, sizeof(id));
	assert_string_equal(sh->exec_id, id);
	pcache_exec_id(NODE, 10, 1, id, sizeof(id));
	assert_string_equal(sh->parent_exec_id, id);

	/* bash forks pid 200: clone copies binary/args/cwd/creds */
	e = ev_fork(200, 2000, 100, 1000);
	assert_int_equal(pcache_fork(pc, &e, &r), 0);
	clone = r.proc;
	assert_ptr_equal(r.parent, sh);
	assert_int_equal(sh->refcnt, 2);
	assert_int_equal(clone->refcnt, 1);
	assert_true(clone->flags & PF_CLONE);
	assert_false(clone->flags & PF_MISS);
	assert_string_equal(clone->binary, "/bin/bash");
	assert_string_equal(clone->cwd, "/");
	assert_int_equal(clone->euid, 1001);
	assert_ptr_equal(pcache_current(pc, 200), clone);

	/* pid 200 execs ls: the clone image is released (no exit will come
	 * for it), its parent reference with it; ls references bash */
	e = ev_exec(200, 3000, 100, 1000, "/usr/bin/ls", "ls\0-la\0", 7,
	    "/tmp");
	assert_int_equal(pcache_exec(pc, &e, &r), 0);
	ls = r.proc;
	assert_ptr_equal(r.replaced, clone);
	assert_ptr_equal(r.parent, sh);
	assert_true(clone->released);
	assert_int_equal(clone->refcnt, 0);
	assert_int_equal(sh->refcnt, 2);	/* self + ls */
	assert_string_equal(ls->args, "-la");
	assert_ptr_equal(pcache_current(pc, 200), ls);
	assert_null(pcache_lookup(pc, 200, 2000));
	assert_int_equal(pcache_gc(pc), 1);	/* the clone entry */
	assert_int_equal(pcache_count(pc), 2);

	/* bash exits first: kept alive by its child */
	e = ev_exit(100, 1000, 1);
	assert_int_equal(pcache_exit(pc, &e, &r), 0);
	assert_ptr_equal(r.proc, sh);
	assert_false(r.dup);
	assert_int_equal(sh->refcnt, 1);
	assert_true(sh->released);
	assert_null(pcache_current(pc, 100));
	assert_int_equal(pcache_gc(pc), 0);
	assert_ptr_equal(pcache_lookup(pc, 100, 1000), sh);

	/* a duplicate exit changes nothing */
	assert_int_equal(pcache_exit(pc, &e, &r), 0);
	assert_true(r.dup);
	assert_int_equal(sh->refcnt, 1);

	/* ls exits: both freed */
	e = ev_exit(200, 3000, 100);
	assert_int_equal(pcache_exit(pc, &e, &r), 0);
	assert_ptr_equal(r.proc, ls);
	assert_ptr_equal(r.parent, sh);		/* valid until gc */
	assert_int_equal(ls->refcnt, 0);
	assert_int_equal(sh->refcnt, 0);
	assert_int_equal(pcache_count(pc), 0);
	assert_int_equal(pcache_gc(pc), 2);
	pcache_free(pc);
}

static void
test_exec_replaces_exec(void **state)
{
	struct pcache		*pc = pcache_new(NODE);
	struct pcache_res	 r;
	struct dec_event	 e;
	struct proc		*p1, *p2, *par;

	e = ev_exec(50, 100, 0, 0, "/sbin/init", "init\0", 5, "/");
	pcache_exec(pc, &e, &r);
	par = r.proc;
	e = ev_exec(60, 200, 50, 100, "/bin/sh", "sh\0-c\0exec x\0", 14, "/");
	pcache_exec(pc, &e, &r);
	p1 = r.proc;
	assert_int_equal(par->refcnt, 2);
	/* same pid execs again (sh -c 'exec x') */
	e = ev_exec(60, 300, 50, 100, "/bin/x", "x\0", 2, "/");
	pcache_exec(pc, &e, &r);
	p2 = r.proc;
	assert_ptr_equal(r.replaced, p1);
	assert_int_equal(p1->refcnt, 0);
	assert_int_equal(par->refcnt, 2);	/* -1 old image, +1 new */
	assert_int_equal(pcache_gc(pc), 1);
	/* an older image arriving late does not replace the newer one */
	e = ev_exec(60, 250, 50, 100, "/bin/old", "old\0", 4, "/");
	pcache_exec(pc, &e, &r);
	assert_null(r.replaced);
	assert_ptr_equal(pcache_current(pc, 60), p2);
	pcache_free(pc);
}

static void
test_unknown_exit_and_parent(void **state)
{
	struct pcache		*pc = pcache_new(NODE);
	struct pcache_res	 r;
	struct dec_event	 e;
	struct proc		*par;

	e = ev_exec(70, 100, 0, 0, "/bin/p", "p\0", 2, "/");
	pcache_exec(pc, &e, &r);
	par = r.proc;
	/* exit of a process never seen: nothing created, parent found by
	 * ppid (best effort) */
	e = ev_exit(71, 555, 70);
	assert_int_equal(pcache_exit(pc, &e, &r), 0);
	assert_null(r.proc);
	assert_ptr_equal(r.parent, par);
	assert_int_equal(pcache_count(pc), 1);
	assert_int_equal(par->refcnt, 1);
	/* out of order: the exit arrives before the exec; the exit is
	 * reported unknown and the late exec creates a live entry */
	e = ev_exit(72, 600, 70);
	assert_int_equal(pcache_exit(pc, &e, &r), 0);
	assert_null(r.proc);
	e = ev_exec(72, 600, 70, 100, "/bin/q", "q\0", 2, "/");
	assert_int_equal(pcache_exec(pc, &e, &r), 0);
	assert_false(r.dup);
	assert_ptr_equal(r.parent, par);
	assert_int_equal(par->refcnt, 2);
	pcache_release(pc, r.proc);
	assert_int_equal(par->refcnt, 1);
	/* fork with an unknown parent: miss, empty strings */
	e = ev_fork(80, 700, 9999, 1);
	assert_int_equal(pcache_fork(pc, &e, &r), 0);
	assert_null(r.parent);
	assert_true(r.proc->flags & PF_MISS);
	assert_string_equal(r.proc->binary, "");
	assert_int_equal(r.proc->refcnt, 1);
	/* wrong type */
	assert_int_equal(pcache_exec(pc, &e, &r), ERR_RANGE);
	/* duplicate exec */
	e = ev_exec(70, 100, 0, 0, "/bin/p", "p\0", 2, "/");
	assert_int_equal(pcache_exec(pc, &e, &r), 0);
	assert_true(r.dup);
	assert_ptr_equal(r.proc, par);
	assert_int_equal(par->refcnt, 1);
	pcache_free(pc);
}

static void
test_many_grow(void **state)
{
	struct pcache		*pc = pcache_new(NODE);
	struct pcache_res	 r;
	struct dec_event	 e;
	uint32_t		 i;

	e = ev_exec(1, 1, 0, 0, "/sbin/init", "", 0, "/");
	pcache_exec(pc, &e, &r);
	for (i = 2; i < 5000; i++) {
		e = ev_fork(i, i, 1, 1);
		pcache_fork(pc, &e, &r);
	}
	assert_int_equal(pcache_count(pc), 4999);
	assert_int_equal(pcache_lookup(pc, 1, 1)->refcnt, 4999);
	for (i = 2; i < 5000; i++) {
		assert_non_null(pcache_lookup(pc, i, i));
		e = ev_exit(i, i, 1);
		pcache_exit(pc, &e, &r);
	}
	assert_int_equal(pcache_gc(pc), 4998);
	assert_int_equal(pcache_lookup(pc, 1, 1)->refcnt, 1);
	pcache_free(pc);
}

/* pids above PID_MAX_LIMIT (2^22) cannot exist: the default probe,
 * kill(pid, 0), finds them gone */
#define DEAD_PID(i)	(0x40000000U + (uint32_t)(i))

static void
count_cb(struct proc *p, void *arg)
{
	(*(size_t *)arg)++;
}

/* entries reachable in the tables == pcache_count */
static void
assert_count_true(struct pcache *pc)
{
	size_t	 n = 0;

	pcache_foreach(pc, count_cb, &n);
	assert_int_equal(n, pcache_count(pc));
}

/*
 * Exits are lost (ring buffer full): exec records keep coming with no
 * exit.  The cache stays at its bound, memory stops growing, every
 * eviction is counted, and a live process (this test) still resolves.
 */
static void
test_bound_lost_exits(void **state)
{
	struct pcache		*pc = pcache_new(NODE);
	struct pcache_res	 r;
	struct dec_event	 e;
	struct proc		*me;
	size_t			 mem0 = 0, mem1, n = 10 * 1024, i;

	assert_int_equal(pcache_max(pc), PCACHE_MAX_DEFAULT);
	pcache_set_max(pc, 1024);
	assert_int_equal(pcache_max(pc), 1024);
	e = ev_exec((uint32_t)getpid(), 7, 0, 0, "/usr/bin/me", "me\0", 3,
	    "/");
	assert_int_equal(pcache_exec(pc, &e, &r), 0);
	for (i = 0; i < n; i++) {
		e = ev_exec(DEAD_PID(i), 1000 + i, 0, 0, "/usr/bin/x",
		    "x\0--flood\0", 10, "/tmp");
		assert_int_equal(pcache_exec(pc, &e, &r), 0);
		pcache_gc(pc);
		assert_true(pcache_count(pc) <= 1024);
		if (i == 2048)
			mem0 = mallinfo2().uordblks;
	}
	mem1 = mallinfo2().uordblks;
	assert_true(mem1 <= mem0 + mem0 / 20);
	assert_count_true(pc);
	assert_int_equal(pcache_stats(pc)->evicted, n + 1 - pcache_count(pc));
	assert_int_equal(pcache_stats(pc)->evicted_live, 0);
	/* the live process resolved all along, and still does */
	assert_non_null(me = pcache_lookup(pc, (uint32_t)getpid(), 7));
	assert_ptr_equal(pcache_current(pc, (uint32_t)getpid()), me);
	assert_string_equal(me->binary, "/usr/bin/me");
	assert_non_null(pcache_lookup(pc, DEAD_PID(n - 1), 1000 + n - 1));
	assert_null(pcache_lookup(pc, DEAD_PID(0), 1000));
	pcache_free(pc);
}

/* Long arguments: the byte bound holds before the entry bound does. */
static void
test_bound_bytes(void **state)
{
	struct pcache		*pc = pcache_new(NODE);
	struct pcache_res	 r;
	struct dec_event	 e;
	char			 args[4000];
	size_t			 i, n = 1000, limit = 256 << 10;

	assert_int_equal(pcache_max_bytes(pc), PCACHE_MAX_BYTES_DEFAULT);
	pcache_set_max_bytes(pc, limit);
	memset(args, 'a', sizeof(args));
	args[1] = '\0';		/* argv[0] "a", argv[1] "aaa..." */
	for (i = 0; i < n; i++) {
		e = ev_exec(DEAD_PID(i), 1000 + i, 0, 0, "/usr/bin/x", args,
		    sizeof(args), "/tmp");
		assert_int_equal(pcache_exec(pc, &e, &r), 0);
		pcache_gc(pc);
		/* at most the entry just added past the bound */
		assert_true(pcache_bytes(pc) <= limit + sizeof(struct proc) +
		    sizeof(args) + 32 + 2 * PROC_ID_MAX);
	}
	assert_true(pcache_count(pc) < 70);
	assert_int_equal(pcache_stats(pc)->evicted, n - pcache_count(pc));
	assert_count_true(pc);
	pcache_free(pc);
}

static int
alive_all(uint32_t pid, void *arg)
{
	return 1;
}

/* More live processes than the bound: the oldest go anyway, counted as
 * live evictions, with a bounded number of probes per eviction. */
static void
test_bound_all_live(void **state)
{
	struct pcache		*pc = pcache_new(NODE);
	struct pcache_res	 r;
	struct dec_event	 e;
	const struct pcache_stats *st;
	uint32_t		 i, n = 2560;

	pcache_set_max(pc, 256);
	pcache_set_alive(pc, alive_all, NULL);
	for (i = 1; i <= n; i++) {
		e = ev_fork(i, i, 0, 0);
		assert_int_equal(pcache_fork(pc, &e, &r), 0);
		pcache_gc(pc);
		assert_true(pcache_count(pc) <= 256);
	}
	st = pcache_stats(pc);
	assert_int_equal(st->evicted, n - pcache_count(pc));
	assert_int_equal(st->evicted_live, st->evicted);
	assert_true(st->probes <= 5 * st->evicted);
	/* the youngest are kept */
	for (i = n - 200; i <= n; i++)
		assert_non_null(pcache_lookup(pc, i, i));
	assert_null(pcache_lookup(pc, 1, 1));
	assert_count_true(pc);
	pcache_free(pc);
}

static int
alive_below_1000(uint32_t pid, void *arg)
{
	return pid < 1000;
}

struct evicted {
	int	 calls, live;
	uint32_t last_pid;
};

static void
evict_cb(struct proc *p, int alive, void *arg)
{
	struct evicted	*ev = arg;

	ev->calls++;
	ev->live += alive;
	ev->last_pid = p->pid;
	assert_false(p->released);
}

/* Evicting parents and children keeps the references consistent. */
static void
test_bound_parents(void **state)
{
	struct pcache		*pc = pcache_new(NODE);
	struct pcache_res	 r;
	struct dec_event	 e;
	struct evicted		 ev;
	struct proc		*p;
	uint32_t		 i;

	memset(&ev, 0, sizeof(ev));
	pcache_set_max(pc, 64);
	pcache_set_alive(pc, alive_below_1000, NULL);
	pcache_set_evict_cb(pc, evict_cb, &ev);
	/* P (alive) with 5 children whose exits were lost */
	e = ev_exec(10, 10, 0, 0, "/bin/p", "p\0", 2, "/");
	pcache_exec(pc, &e, &r);
	for (i = 0; i < 5; i++) {
		e = ev_fork(2000 + i, 11 + i, 10, 10);
		pcache_fork(pc, &e, &r);
	}
	assert_int_equal(pcache_lookup(pc, 10, 10)->refcnt, 6);
	/* R exited, its child D lives on: R is kept as D's parent */
	e = ev_exec(30, 30, 0, 0, "/bin/r", "r\0", 2, "/");
	pcache_exec(pc, &e, &r);
	e = ev_fork(40, 40, 30, 30);
	pcache_fork(pc, &e, &r);
	e = ev_exit(30, 30, 0);
	pcache_exit(pc, &e, &r);
	assert_true(pcache_lookup(pc, 30, 30)->released);
	/* a flood of processes whose exits were lost */
	for (i = 0; i < 200; i++) {
		e = ev_fork(5000 + i, 100 + i, 0, 0);
		pcache_fork(pc, &e, &r);
		pcache_gc(pc);
		assert_true(pcache_count(pc) <= 64);
	}
	/* P stays, its children's references went with them */
	assert_non_null(p = pcache_lookup(pc, 10, 10));
	assert_int_equal(p->refcnt, 1);
	for (i = 0; i < 5; i++)
		assert_null(pcache_lookup(pc, 2000 + i, 11 + i));
	/* R (released) went without a callback; D stays, and exits */
	assert_null(pcache_lookup(pc, 30, 30));
	assert_non_null(pcache_lookup(pc, 40, 40));
	assert_int_equal(ev.live, 0);
	assert_int_equal(ev.calls, (int)pcache_stats(pc)->evicted - 1);
	e = ev_exit(40, 40, 30);
	assert_int_equal(pcache_exit(pc, &e, &r), 0);
	assert_non_null(r.proc);
	assert_null(r.parent);
	pcache_gc(pc);
	assert_null(pcache_lookup(pc, 40, 40));
	assert_count_true(pc);
	e = ev_exit(10, 10, 0);
	pcache_exit(pc, &e, &r);
	pcache_gc(pc);
	assert_null(pcache_lookup(pc, 10, 10));
	assert_count_true(pc);
	pcache_free(pc);
}

/* The probe works inside the collector's real seccomp filter. */
static void
test_bound_probe_sandboxed(void **state)
{
	struct pcache		*pc;
	struct pcache_res	 r;
	struct dec_event	 e;
	pid_t			 pid;
	int			 st;
	uint32_t		 i;

	if ((pid = fork()) == 0) {
		signal(SIGSYS, SIG_DFL);
		pc = pcache_new(NODE);
		pcache_set_max(pc, 64);
		e = ev_exec((uint32_t)getpid(), 1, 0, 0, "/me", "", 0, "/");
		pcache_exec(pc, &e, &r);
		if (sandbox_seccomp(collector_rules, collector_nrules,
		    SANDBOX_ENFORCE) != 0)
			_exit(2);
		for (i = 0; i < 500; i++) {
			e = ev_fork(DEAD_PID(i), 10 + i, 0, 0);
			pcache_fork(pc, &e, &r);
			pcache_gc(pc);
		}
		_exit(pcache_lookup(pc, (uint32_t)getpid(), 1) != NULL &&
		    pcache_stats(pc)->evicted_live == 0 &&
		    pcache_stats(pc)->probes > 0 ? 0 : 3);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st))
		print_error("child killed by signal %d\n", WTERMSIG(st));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* ...but no real signal may be sent */
	if ((pid = fork()) == 0) {
		signal(SIGSYS, SIG_DFL);
		if (sandbox_seccomp(collector_rules, collector_nrules,
		    SANDBOX_ENFORCE) != 0)
			_exit(2);
		kill(getpid(), SIGCONT);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

static void
test_insert(void **state)
{
	struct pcache	*pc = pcache_new(NODE);
	struct proc	 t, *a, *b;

	memset(&t, 0, sizeof(t));
	t.pid = 1;
	t.ktime = 10;
	t.flags = PF_PROCFS;
	t.binary = (char *)"/sbin/init";
	a = pcache_insert(pc, &t);
	assert_non_null(a);
	assert_null(pcache_insert(pc, &t));	/* exists */
	t.pid = 5;
	t.ktime = 20;
	t.ppid = 1;
	t.pktime = 10;
	b = pcache_insert(pc, &t);
	assert_int_equal(a->refcnt, 2);
	assert_string_equal(b->parent_exec_id, a->exec_id);
	assert_string_equal(b->args, "");
	pcache_release(pc, b);
	pcache_release(pc, b);	/* idempotent */
	assert_int_equal(a->refcnt, 1);
	assert_int_equal(pcache_gc(pc), 1);
	pcache_free(pc);
}

static char *
dup0(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void
raw_set(struct procfs_raw *r, uint32_t pid, const char *stat,
    const char *status, const char *cmd, size_t cmdlen, const char *exe,
    const char *cwd)
{
	memset(r, 0, sizeof(*r));
	r->pid = pid;
	r->stat = dup0(stat);
	r->status = dup0(status);
	r->loginuid = dup0("1000\n");
	if (cmd != NULL) {
		r->cmdline = malloc(cmdlen + 1);
		memcpy(r->cmdline, cmd, cmdlen);
		r->cmdline[cmdlen] = '\0';
		r->cmdline_len = cmdlen;
	}
	r->exe = dup0(exe);
	r->cwd = dup0(cwd);
}

#define STATUS "Name:\tx\nUid:\t1000\t1001\t1000\t1000\nGid:\t100\t101\t100\t100\n"

static void
test_procfs_parse(void **state)
{
	struct procfs_snap	 s;
	struct proc		*v;
	size_t			 n, bad, i;
	char			 id[PROC_ID_MAX];
	int			 seen_parent = 0;

	s.n = 5;
	s.v = calloc(s.n, sizeof(*s.v));
	/* child first in the snapshot: the parser must reorder */
	raw_set(&s.v[0], 300, "300 (my (evil) prog) S 200 300 300 0 -1 "
	    "4194560 1 2 3 4 5 6 7 8 20 0 1 0 777 1000 100 ...",
	    STATUS, "prog\0arg one\0", 13, "/usr/bin/prog", "/home/u");
	raw_set(&s.v[1], 200, "200 (bash) S 1 200 200 0 -1 4194560 1 2 3 4 "
	    "5 6 7 8 20 0 1 0 500 1000 100", STATUS, "bash\0", 5,
	    "/bin/bash", "/");
	raw_set(&s.v[2], 1, "1 (systemd) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 "
	    "7 8 20 0 1 0 2 1000 100", STATUS, "/sbin/init\0", 11,
	    "/usr/lib/systemd/systemd", "/");
	raw_set(&s.v[3], 2, "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 "
	    "0 0 20 0 1 0 2 0 0", STATUS, "", 0, NULL, "/");
	raw_set(&s.v[4], 9, "9 (broken", STATUS, "x\0", 2, "/x", "/");
	v = procfs_parse(&s, 100, NODE, &n, &bad);
	assert_int_equal(n, 4);
	assert_int_equal(bad, 1);
	for (i = 0; i < n; i++) {
		if (v[i].pid == 200)
			seen_parent = 1;
		if (v[i].pid == 300) {
			assert_true(seen_parent);	/* parent first */
			assert_int_equal(v[i].ktime, 777ULL * 10000000ULL);
			assert_int_equal(v[i].ppid, 200);
			assert_int_equal(v[i].pktime, 500ULL * 10000000ULL);
			assert_int_equal(v[i].uid, 1000);
			assert_int_equal(v[i].euid, 1001);
			assert_int_equal(v[i].gid, 100);
			assert_int_equal(v[i].egid, 101);
			assert_int_equal(v[i].auid, 1000);
			assert_string_equal(v[i].binary, "/usr/bin/prog");
			assert_string_equal(v[i].args, "\"arg one\"");
			assert_string_equal(v[i].cwd, "/home/u");
			assert_int_equal(v[i].flags, PF_PROCFS);
			pcache_exec_id(NODE, 500ULL * 10000000ULL, 200, id,
			    sizeof(id));
			assert_string_equal(v[i].parent_exec_id, id);
		}
		if (v[i].pid == 2) {
			assert_string_equal(v[i].binary, "[kthreadd]");
			assert_string_equal(v[i].args, "");
			assert_int_equal(v[i].ppid, 0);
			assert_string_equal(v[i].parent_exec_id, "");
		}
		if (v[i].pid == 200)
			assert_int_equal(v[i].flags, PF_PROCFS | PF_ROOTCWD);
	}
	procfs_procs_free(v, n);
	for (i = 0; i < s.n; i++) {
		free(s.v[i].stat);
		free(s.v[i].status);
		free(s.v[i].loginuid);
		free(s.v[i].cmdline);
		free(s.v[i].exe);
		free(s.v[i].cwd);
	}
	free(s.v);
}

static void
test_procfs_self(void **state)
{
	struct procfs_snap	*s;
	struct pcache		*pc = pcache_new(NODE);
	struct proc		*v, *me;
	size_t			 n, bad, i;

	/* the real /proc: our own process must be found, with its parent
	 * linked when the parent is visible */
	assert_int_equal(procfs_read(&s, "/proc"), 0);
	assert_true(s->n > 0);
	v = procfs_parse(s, 100, NODE, &n, &bad);
	assert_true(n > 0);
	for (i = 0; i < n; i++)
		pcache_insert(pc, &v[i]);
	me = pcache_current(pc, (uint32_t)getpid());
	assert_non_null(me);
	assert_true(me->flags & PF_PROCFS);
	assert_true(me->binary[0] == '/');	/* valgrind: not our name */
	if (me->ppid != 0)
		assert_non_null(pcache_lookup(pc, me->ppid, me->pktime));
	procfs_procs_free(v, n);
	procfs_snap_free(s);
	pcache_free(pc);
}

/* An entry's strings live with it at their length; the JSON objects kept
 * stay within their bound and leave with their entries. */
static void
test_entry_strings_json(void **state)
{
	struct pcache		*pc = pcache_new(NODE);
	struct pcache_res	 r;
	struct dec_event	 e;
	struct proc		*p[4];
	char			 json[300], id[PROC_ID_MAX];
	const char		*got;
	size_t			 i, len, acct0;

	memset(json, 'j', sizeof(json));
	pcache_set_json_max(pc, 3 * sizeof(json));
	for (i = 0; i < 4; i++) {
		e = ev_exec(DEAD_PID(i), 1000 + i, 7, 70, "/usr/bin/x",
		    "x\0a b\0", 6, "/home/u");
		assert_int_equal(pcache_exec(pc, &e, &r), 0);
		p[i] = r.proc;
		pcache_exec_id(NODE, 1000 + i, DEAD_PID(i), id, sizeof(id));
		assert_string_equal(p[i]->exec_id, id);
		pcache_exec_id(NODE, 70, 7, id, sizeof(id));
		assert_string_equal(p[i]->parent_exec_id, id);
		assert_string_equal(p[i]->binary, "/usr/bin/x");
		assert_string_equal(p[i]->args, "\"a b\"");
		assert_string_equal(p[i]->cwd, "/home/u");
	}
	acct0 = pcache_bytes(pc);
	/* the first offer only marks the entry; the second keeps a copy
	 * while the bound has room: 3 of 4 */
	for (i = 0; i < 4; i++) {
		pcache_json_offer(pc, p[i], 5, json, sizeof(json));
		assert_null(pcache_json(p[i], 5, &len));
		pcache_json_offer(pc, p[i], 5, json, sizeof(json));
	}
	for (i = 0; i < 3; i++) {
		assert_non_null(got = pcache_json(p[i], 5, &len));
		assert_int_equal(len, sizeof(json));
		assert_memory_equal(got, json, len);
		assert_null(pcache_json(p[i], 6, &len));	/* other clock */
	}
	assert_null(pcache_json(p[3], 5, &len));
	assert_int_equal(pcache_json_bytes(pc), 3 * sizeof(json));
	assert_int_equal(pcache_bytes(pc), acct0 + 3 * sizeof(json));
	/* a released entry keeps no new copy; a dropped one frees room */
	pcache_release(pc, p[0]);
	assert_int_equal(pcache_gc(pc), 1);
	assert_int_equal(pcache_json_bytes(pc), 2 * sizeof(json));
	pcache_json_offer(pc, p[3], 5, json, sizeof(json));
	assert_non_null(pcache_json(p[3], 5, &len));
	assert_int_equal(pcache_json_bytes(pc), 3 * sizeof(json));
	pcache_free(pc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_id),
		cmocka_unit_test(test_flags_words),
		cmocka_unit_test(test_args_format),
		cmocka_unit_test(test_exec_fork_exit),
		cmocka_unit_test(test_exec_replaces_exec),
		cmocka_unit_test(test_unknown_exit_and_parent),
		cmocka_unit_test(test_many_grow),
		cmocka_unit_test(test_bound_lost_exits),
		cmocka_unit_test(test_bound_bytes),
		cmocka_unit_test(test_bound_all_live),
		cmocka_unit_test(test_bound_parents),
		cmocka_unit_test(test_bound_probe_sandboxed),
		cmocka_unit_test(test_insert),
		cmocka_unit_test(test_entry_strings_json),
		cmocka_unit_test(test_procfs_parse),
		cmocka_unit_test(test_procfs_self),
	};

	return cmocka_run_group_tests_name("pcache", tests, NULL, NULL);
}
