/*
 * tests/bpf/test_bpf_process.c -- load the process-lifecycle BPF programs
 * for real (bpfl_open), run known commands and check the exec/fork/exit
 * records they produce.  Needs root and bpf(); prints a TAP skip (exit 0) otherwise.
 */
#include "build.h"

#include <sys/stat.h>
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
#include "err.h"
#include "log.h"
#include "loaderd/bpf_load.h"
#include "tests/lib/testutil.h"

#define RING_SIZE	(4U << 20)
#define WAIT_MS		5000

struct rec {
	size_t		 len;
	uint8_t		*data;
};

struct t {
	struct bpfl		*b;
	struct ring_buffer	*rb;
	struct rec		**recs;	/* stable: find() results stay valid
					   while later records arrive */
	size_t			 n;
	size_t			 cap;
	char			*tmp;		/* realpath of our temp dir */
	uint64_t		 self_ktime;	/* derived key of this process */
};

static struct t *T;

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
	if ((t->recs[t->n] = malloc(sizeof(struct rec))) == NULL)
		abort();
	t->recs[t->n]->len = len;
	t->recs[t->n]->data = malloc(len);
	if (t->recs[t->n]->data == NULL)
		abort();
	memcpy(t->recs[t->n]->data, data, len);
	t->n++;
	return 0;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Records are struct ev_hdr then struct ev_key for every type. */
static const struct ev_key *
rec_key(const struct rec *r)
{
	return (const struct ev_key *)(r->data + sizeof(struct ev_hdr));
}

static const struct ev_hdr *
rec_hdr(const struct rec *r)
{
	return (const struct ev_hdr *)r->data;
}

/* First record of type for process pid at index >= from, polling up to
 * ms milliseconds; NULL if none. */
static const struct rec *
find(uint16_t type, pid_t pid, size_t from, int ms)
{
	uint64_t end = now_ms() + ms;
	size_t i;

	for (;;) {
		for (i = from; i < T->n; i++) {
			if (T->recs[i]->len < sizeof(struct ev_hdr) +
			    sizeof(struct ev_key))
				continue;
			if (rec_hdr(T->recs[i])->type == type &&
			    rec_key(T->recs[i])->pid == (uint32_t)pid)
				return T->recs[i];
		}
		if (now_ms() >= end)
			return NULL;
		ring_buffer__poll(T->rb, 50);
	}
}

static size_t
count(uint16_t type, pid_t pid, size_t from)
{
	size_t i, c = 0;

	for (i = from; i < T->n; i++)
		if (rec_hdr(T->recs[i])->type == type &&
		    rec_key(T->recs[i])->pid == (uint32_t)pid)
			c++;
	return c;
}

/* Drain for ms milliseconds. */
static void
drain(int ms)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end)
		ring_buffer__poll(T->rb, 20);
}

/* Field 22 of /proc/self/stat in ns: what user space uses for a process
 * it only knows from /proc. */
static uint64_t
self_start_ktime(void)
{
	char buf[1024], *p;
	unsigned long long start = 0;
	ssize_t n;
	int fd, field;

	fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	assert_non_null(p);
	p += 2;			/* field 3 */
	for (field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		assert_non_null(p);
		p++;
	}
	assert_int_equal(sscanf(p, "%llu", &start), 1);
	return start * (1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK));
}

static const char *
exec_filename(const struct ev_exec *e)
{
	return (const char *)(e + 1);
}

static const char *
exec_args(const struct ev_exec *e)
{
	return (const char *)(e + 1) + e->filename_len;
}

static const char *
exec_cwd(const struct ev_exec *e)
{
	return (const char *)(e + 1) + e->filename_len + e->args_len;
}

static void
assert_str_len(const char *got, size_t gotlen, const char *want)
{
	char *s = strndup(got, gotlen);

	assert_non_null(s);
	assert_int_equal(gotlen, strlen(want));
	assert_string_equal(s, want);
	free(s);
}

static int
group_setup(void **state)
{
	char err[256], *tmp;
	int r;

	(void)state;
	T = calloc(1, sizeof(*T));
	assert_non_null(T);
	r = bpfl_open(&T->b, RING_SIZE, err, sizeof(err));
	if (r != 0) {
		fprintf(stderr, "bpfl_open: %s\n", err);
		return -1;
	}
	T->rb = ring_buffer__new(bpfl_ringbuf_fd(T->b), on_rec, T, NULL);
	if (T->rb == NULL)
		return -1;
	tmp = testutil_tmpdir("bpf");
	T->tmp = realpath(tmp, NULL);
	free(tmp);
	if (T->tmp == NULL)
		return -1;
	T->self_ktime = self_start_ktime();
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
	bpfl_free(T->b);
	for (i = 0; i < T->n; i++) {
		free(T->recs[i]->data);
		free(T->recs[i]);
	}
	free(T->recs);
	testutil_rmtree(T->tmp);
	free(T->tmp);
	free(T);
	T = NULL;
	return 0;
}

static void
test_progs_attached(void **state)
{
	const struct bpfl_prog *p;
	size_t n, i;

	(void)state;
	n = bpfl_progs(T->b, &p);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		assert_non_null(p[i].name);
		assert_non_null(strstr(p[i].hook, "raw_tracepoint/"));
		assert_int_equal(p[i].attached, 1);
	}
	assert_int_equal(bpfl_ringbuf_size(T->b), RING_SIZE);
}

/* sh -c 'exit 3' in the temp dir: fork, exec and exit records, keys. */
static void
test_exec_fork_exit(void **state)
{
	static const char argv_blk[] = "sh\0-c\0exit 3";	/* + final NUL */
	const struct rec *rf, *re, *rx;
	const struct ev_fork *f;
	const struct ev_exec *e;
	const struct ev_exit *x;
	char *sh;
	size_t from = T->n;
	pid_t pid;
	int status;

	(void)state;
	sh = realpath("/bin/sh", NULL);
	assert_non_null(sh);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (chdir(T->tmp) == 0)
			execl("/bin/sh", "sh", "-c", "exit 3", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);

	rf = find(EV_FORK, pid, from, WAIT_MS);
	re = find(EV_EXEC, pid, from, WAIT_MS);
	rx = find(EV_EXIT, pid, from, WAIT_MS);
	assert_non_null(rf);
	assert_non_null(re);
	assert_non_null(rx);

	f = (const struct ev_fork *)rf->data;
	assert_int_equal(rf->len, sizeof(*f));
	assert_int_equal(f->hdr.size, sizeof(*f));
	assert_int_equal(f->hdr.version, EV_ABI_VERSION);
	assert_int_equal(f->key.pid, pid);
	assert_int_equal(f->tid, pid);
	assert_int_equal(f->ppid, getpid());
	assert_int_equal(f->parent.pid, getpid());
	assert_int_equal(f->key.ktime, f->hdr.time_ns);
	/* we were never seen exec'ing: our key is derived from /proc */
	assert_int_equal(f->parent.ktime, T->self_ktime);

	e = (const struct ev_exec *)re->data;
	assert_true(re->len >= sizeof(*e));
	assert_int_equal(e->hdr.size, re->len);
	assert_int_equal(e->hdr.version, EV_ABI_VERSION);
	assert_int_equal(re->len, sizeof(*e) + e->filename_len + e->args_len +
	    e->cwd_len);
	assert_int_equal(e->key.pid, pid);
	assert_int_equal(e->tid, pid);
	assert_int_equal(e->key.ktime, e->hdr.time_ns);
	assert_true(e->key.ktime > f->key.ktime);
	assert_int_equal(e->ppid, getpid());
	assert_int_equal(e->parent.pid, getpid());
	assert_int_equal(e->parent.ktime, T->self_ktime);
	assert_true(e->flags & EVF_PARENT_MISS);
	assert_int_equal(e->flags & ~EVF_PARENT_MISS, 0);
	assert_int_equal(e->uid, 0);
	assert_int_equal(e->euid, 0);
	assert_int_equal(e->gid, getgid());
	assert_int_equal(e->egid, getegid());
	assert_str_len(exec_filename(e), e->filename_len, sh);
	assert_int_equal(e->args_len, sizeof(argv_blk));
	assert_memory_equal(exec_args(e), argv_blk, sizeof(argv_blk));
	assert_str_len(exec_cwd(e), e->cwd_len, T->tmp);

	x = (const struct ev_exit *)rx->data;
	assert_int_equal(rx->len, sizeof(*x));
	assert_int_equal(x->hdr.size, sizeof(*x));
	assert_int_equal(x->key.pid, pid);
	assert_int_equal(x->key.ktime, e->key.ktime);	/* image key */
	assert_int_equal(x->flags, 0);
	assert_int_equal(x->ppid, getpid());
	assert_int_equal(x->code, 3);
	assert_int_equal(x->signal, 0);
	assert_true(x->hdr.time_ns >= e->hdr.time_ns);

	/* one of each, nothing else for this pid */
	drain(100);
	assert_int_equal(count(EV_FORK, pid, from), 1);
	assert_int_equal(count(EV_EXEC, pid, from), 1);
	assert_int_equal(count(EV_EXIT, pid, from), 1);
	free(sh);
}

/* sleep killed by SIGKILL: signal 9; cwd "/" flagged */
static void
test_exit_sigkill(void **state)
{
	const struct rec *re, *rx;
	const struct ev_exec *e;
	const struct ev_exit *x;
	size_t from = T->n;
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (chdir("/") == 0)
			execl("/bin/sleep", "sleep", "60", (char *)NULL);
		_exit(127);
	}
	re = find(EV_EXEC, pid, from, WAIT_MS);
	assert_non_null(re);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	rx = find(EV_EXIT, pid, from, WAIT_MS);
	assert_non_null(rx);

	e = (const struct ev_exec *)re->data;
	assert_true(e->flags & EVF_ROOTCWD);
	assert_str_len(exec_cwd(e), e->cwd_len, "/");
	assert_int_equal(e->args_len, sizeof("sleep\0" "60"));
	assert_memory_equal(exec_args(e), "sleep\0" "60", sizeof("sleep\0" "60"));

	x = (const struct ev_exit *)rx->data;
	assert_int_equal(x->signal, SIGKILL);
	assert_int_equal(x->code, 0);
	assert_int_equal(x->key.ktime, e->key.ktime);
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

/* ./x (a copy of true) run by a relative path still gets the absolute path */
static void
test_exec_relative(void **state)
{
	const struct rec *re, *rx;
	const struct ev_exec *e;
	char *x, *xabs;
	size_t from = T->n;
	pid_t pid;
	int status;

	(void)state;
	assert_true(asprintf(&x, "%s/x", T->tmp) > 0);
	copy_file("/bin/true", x);
	xabs = realpath(x, NULL);
	assert_non_null(xabs);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (chdir(T->tmp) == 0)
			execl("./x", "./x", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	re = find(EV_EXEC, pid, from, WAIT_MS);
	assert_non_null(re);
	e = (const struct ev_exec *)re->data;
	assert_str_len(exec_filename(e), e->filename_len, xabs);
	assert_int_equal(e->args_len, sizeof("./x"));
	assert_memory_equal(exec_args(e), "./x", sizeof("./x"));
	rx = find(EV_EXIT, pid, from, WAIT_MS);
	assert_non_null(rx);
	assert_int_equal(((const struct ev_exit *)rx->data)->code, 0);
	assert_int_equal(((const struct ev_exit *)rx->data)->signal, 0);
	unlink(x);
	free(x);
	free(xabs);
}

/*
 * cwd on a tmpfs (/dev/shm: crosses the /dev and /dev/shm mounts) and an
 * argv block longer than EV_ARGS_MAX.
 */
static void
test_mounts_and_long_args(void **state)
{
	const struct rec *re;
	const struct ev_exec *e;
	char shmtmpl[] = "/dev/shm/tripline-bpf.XXXXXX", *shmreal, *argv[4];
	const char *shm;
	static char big[3000];
	size_t from = T->n;
	pid_t pid;
	int status;

	(void)state;
	/* without /dev/shm, still check the long argv in our temp dir */
	shm = mkdtemp(shmtmpl) != NULL ? shmtmpl : T->tmp;
	shmreal = realpath(shm, NULL);
	assert_non_null(shmreal);
	memset(big, 'a', sizeof(big) - 1);
	argv[0] = "true";
	argv[1] = big;
	argv[2] = big;
	argv[3] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (chdir(shm) == 0)
			execv("/bin/true", argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	re = find(EV_EXEC, pid, from, WAIT_MS);
	assert_non_null(re);
	e = (const struct ev_exec *)re->data;
	assert_str_len(exec_cwd(e), e->cwd_len, shmreal);
	assert_true(e->flags & EVF_TRUNC_ARGS);
	assert_int_equal(e->args_len, EV_ARGS_MAX);
	assert_memory_equal(exec_args(e), "true\0aaaa", 9);
	assert_int_equal(exec_args(e)[5 + sizeof(big) - 1], '\0');
	assert_int_equal(exec_args(e)[EV_ARGS_MAX - 1], 'a');
	if (shm == shmtmpl)
		rmdir(shm);
	free(shmreal);
}

/* cwd deeper than EV_PATH_MAX: truncated to a tail that starts with '/' */
static void
test_cwd_truncated(void **state)
{
	const struct rec *re;
	const struct ev_exec *e;
	char comp[201], *deep, *p;
	size_t from = T->n, i;
	pid_t pid;
	int status;

	(void)state;
	memset(comp, 'd', sizeof(comp) - 1);
	comp[sizeof(comp) - 1] = '\0';
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (chdir(T->tmp) != 0)
			_exit(127);
		for (i = 0; i < 6; i++)
			if ((mkdir(comp, 0700) != 0 && errno != EEXIST) ||
			    chdir(comp) != 0)
				_exit(127);
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	re = find(EV_EXEC, pid, from, WAIT_MS);
	assert_non_null(re);
	e = (const struct ev_exec *)re->data;
	assert_true(e->flags & EVF_TRUNC_CWD);
	assert_false(e->flags & EVF_ROOTCWD);
	assert_true(e->cwd_len <= EV_PATH_MAX);
	assert_true(e->cwd_len >= 5 * sizeof(comp));
	/* a tail of the real path */
	assert_true(asprintf(&deep, "%s/%s/%s/%s/%s/%s/%s", T->tmp, comp, comp,
	    comp, comp, comp, comp) > 0);
	p = deep + strlen(deep) - e->cwd_len;
	assert_int_equal(exec_cwd(e)[0], '/');
	assert_memory_equal(exec_cwd(e), p, e->cwd_len);
	free(deep);
}

static void *
thread_exit5(void *arg)
{
	(void)arg;
	usleep(100000);
	/* a forked test child runs no atexit handlers: LeakSanitizer's
	 * would scan the runner's cmocka state without the leader's stack */
	_exit(5);
}

static int
child_threads(void *arg)
{
	pthread_t th;

	(void)arg;
	if (pthread_create(&th, NULL, thread_exit5, NULL) != 0)
		return 127;
	pthread_exit(NULL);	/* leader goes first; the thread ends all */
}

/* Threads: no fork record for a thread, one exit record for the group,
 * with the last thread's exit code. */
static void
test_threads_one_exit(void **state)
{
	const struct rec *rx;
	size_t from = T->n;
	int status;
	pid_t pid;

	(void)state;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_threads(NULL));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 5);
	rx = find(EV_EXIT, pid, from, WAIT_MS);
	assert_non_null(rx);
	drain(200);
	assert_int_equal(count(EV_EXIT, pid, from), 1);
	assert_int_equal(count(EV_FORK, pid, from), 1);
	assert_int_equal(((const struct ev_exit *)rx->data)->code, 5);
	/* not exec'd: the key is the fork's */
	assert_int_equal(rec_key(rx)->ktime,
	    rec_key(find(EV_FORK, pid, from, 0))->ktime);
}

static void
test_stats(void **state)
{
	uint64_t st[EV_STAT_MAX];

	(void)state;
	drain(50);
	assert_int_equal(bpfl_stats(T->b, st), 0);
	assert_true(st[EV_STAT_EMITTED] > 0);
	assert_true(st[EV_STAT_EMITTED] >= T->n);
	assert_int_equal(st[EV_STAT_DROPPED], 0);
	assert_int_equal(st[EV_STAT_ERRORS], 0);
}

static void
test_bad_ring_size(void **state)
{
	struct bpfl *b = (void *)1;
	char err[128];

	(void)state;
	assert_int_equal(bpfl_open(&b, 12345, err, sizeof(err)), ERR_RANGE);
	assert_null(b);
	assert_non_null(strstr(err, "power of 2"));
	bpfl_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_progs_attached),
		cmocka_unit_test(test_exec_fork_exit),
		cmocka_unit_test(test_exit_sigkill),
		cmocka_unit_test(test_exec_relative),
		cmocka_unit_test(test_mounts_and_long_args),
		cmocka_unit_test(test_cwd_truncated),
		cmocka_unit_test(test_threads_one_exit),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_bad_ring_size),
	};
	const char *why;

	if ((why = testutil_bpf_unavailable()) != NULL) {
		printf("1..0 # SKIP %s\n", why);
		return 0;	/* TAP skip; .ci/run fails on it */
	}
	log_init(1, 0);
	log_procinit("test_bpf_process");
	return cmocka_run_group_tests_name("bpf_process", tests, group_setup,
	    group_teardown);
}
