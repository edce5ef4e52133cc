/*
 * tests/bpf/test_net_block.c -- network blocking through cgroup sock_addr
 * programs for real: Tetragon policies (parsed from YAML) whose selectors
 * ask for Override on connect/sendto are enforced by bpf/net.bpf.c on the
 * cgroup2 root when the kernel has neither BPF LSM nor
 * bpf_override_return; real connects to loopback listeners fail with
 * EPERM or succeed, and the records say what ran.  Also the kernel
 * feature table.  Needs root and bpf(); prints a TAP skip otherwise.
 * Only 127.0.0.0/8 and ::1 are ever connected to.
 */
#include "build.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

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

#define RING_SIZE	(4U << 20)
#define WAIT_MS		3000
#define MAXMETA		256
#define OVR		(1U << POL_ACT_OVERRIDE)
#define POST		(1U << POL_ACT_POST)

struct rec {
	size_t		 len;
	uint8_t		*data;
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
	struct {
		int		 added;
		uint32_t	 id;
		char		 function[64];
	}			 meta[MAXMETA];
	size_t			 nmeta;
	char			*exe;
	int			 lfd[3];	/* listeners */
	int			 port1, port2;	/* 127.0.0.1:port1,
						   127.0.0.2:port2 */
	int			 port6;		/* [::1]:port6 */
};

static struct t *T;

static int
on_rec(void *ctx, void *data, size_t len)
{
	struct t *t = ctx;
	const struct ev_hdr *h = data;

	if (len < sizeof(struct ev_generic) || h->type != EV_GENERIC)
		return 0;
	pthread_mutex_lock(&t->mu);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->recs = realloc(t->recs, t->cap * sizeof(*t->recs));
		if (t->recs == NULL)
			abort();
	}
	t->recs[t->n].len = len;
	if ((t->recs[t->n].data = malloc(len)) == NULL)
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

static void
on_hook(void *arg, int added, const struct ipc_hook *h)
{
	struct t *t = arg;

	if (t->nmeta == MAXMETA)
		return;
	t->meta[t->nmeta].added = added;
	t->meta[t->nmeta].id = h->id;
	snprintf(t->meta[t->nmeta].function, sizeof(t->meta[0].function),
	    "%s", added && h->function != NULL ? h->function : "");
	t->nmeta++;
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

/* Argument n of a record, NULL past the end. */
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

/* The sockaddr argument n of g is family/port (and addr if not NULL). */
static void
assert_sockaddr(const struct ev_generic *g, unsigned n, int family,
    int port, const char *addr)
{
	const struct ev_arg *a = rec_arg(g, n);
	struct ev_sockaddr sa;
	uint8_t want[16];

	assert_non_null(a);
	assert_int_equal(a->type, POL_ARG_SOCKADDR);
	assert_int_equal(a->flags, 0);
	assert_int_equal(a->len, sizeof(sa));
	memcpy(&sa, a + 1, sizeof(sa));
	assert_int_equal(sa.family, family);
	assert_int_equal(sa.port, port);
	if (addr != NULL) {
		memset(want, 0, sizeof(want));
		assert_int_equal(inet_pton(family, addr, want), 1);
		assert_memory_equal(sa.addr, want, family == AF_INET ? 4 : 16);
	}
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* First record from index from whose actions or would include bits,
 * from process pid (0: any); waits up to ms. */
static const struct ev_generic *
find(uint32_t actions, uint32_t would, pid_t pid, size_t from, int ms)
{
	uint64_t end = now_ms() + ms;
	const struct ev_generic *g;
	size_t i;

	for (;;) {
		for (i = from; i < nrecs(); i++) {
			g = rec_at(i);
			if ((g->actions & actions) == actions &&
			    (g->would & would) == would &&
			    (pid == 0 || g->key.pid == (uint32_t)pid))
				return g;
		}
		if (now_ms() >= end)
			return NULL;
		usleep(10000);
	}
}

/*
 * Wait until every record written so far reached the poller: the emitted
 * counter stood still for 100 ms, or 5 s passed (on a machine that keeps
 * making events it never stands still; by then the poller, which reads
 * in order, has long passed this test's records).
 */
static void
settle(void)
{
	uint64_t st[EV_STAT_MAX], last = UINT64_MAX;
	int i;

	for (i = 0; i < 50; i++) {
		usleep(100000);
		assert_int_equal(bpfl_stats(T->b, st), 0);
		if (st[EV_STAT_EMITTED] == last)
			return;
		last = st[EV_STAT_EMITTED];
	}
}

/* Records of hook id at index >= from. */
static size_t
count_hook(uint32_t id, size_t from)
{
	size_t i, c = 0;

	for (i = from; i < nrecs(); i++)
		if (rec_at(i)->hook_id == id)
			c++;
	return c;
}

/*
 * Sockets.
 */

static int
listener(int family, const char *addr, int *port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = sizeof(ss);
	int fd;

	memset(&ss, 0, sizeof(ss));
	if ((fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &sin->sin_addr);
		len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &sin6->sin6_addr);
		len = sizeof(*sin6);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, 64) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET ? sin->sin_port : sin6->sin6_port);
	return fd;
}

static socklen_t
mkaddr(struct sockaddr_storage *ss, const char *addr, int port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		return sizeof(*sin);
	}
	assert_int_equal(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((uint16_t)port);
	return sizeof(*sin6);
}

/* connect(type) to addr:port: 0 or the errno */
static int
try_connect(int type, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(&ss, addr, port);
	int fd, r;

	if ((fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	r = connect(fd, (struct sockaddr *)&ss, len) == 0 ? 0 : errno;
	close(fd);
	return r;
}

/* UDP sendto addr:port: 0 or the errno */
static int
try_sendto(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(&ss, addr, port);
	int fd, r;

	if ((fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	r = sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len) == 1 ? 0 :
	    errno;
	close(fd);
	return r;
}

/* Programs attached to the cgroup2 root for attach type at. */
static int
cg_progs(enum bpf_attach_type at)
{
	uint32_t ids[64], n = 64;
	int fd, r;

	if ((fd = open(T->feat.cgroup2, O_RDONLY | O_DIRECTORY)) == -1)
		return -1;
	r = bpf_prog_query(fd, at, 0, NULL, ids, &n);
	close(fd);
	return r == 0 ? (int)n : -1;
}

/*
 * Policies.
 */

/* Parse YAML (printf format) and add it.  Returns polset_add's result;
 * err gets its message. */
static int __attribute__((__format__(printf, 3, 4)))
add(char *err, size_t errlen, const char *fmt, ...)
{
	struct policy *pol;
	va_list ap;
	char *buf;
	int r;

	va_start(ap, fmt);
	assert_true(vasprintf(&buf, fmt, ap) > 0);
	va_end(ap);
	r = policy_load_buf("net.yaml", buf, strlen(buf), &pol, err, errlen);
	free(buf);
	if (r != 0) {
		print_message("# parse: %s\n", err);
		return r;
	}
	return polset_add(T->ps, pol, err, errlen);
}

#define HDR	"apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n" \
	"metadata:\n  name: \"%s\"\nspec:\n"

/* sys_connect, sockaddr at index 1, selector on it + this binary */
#define CONNECT_HOOK \
	"  kprobes:\n" \
	"  - call: \"sys_connect\"\n" \
	"    syscall: true\n" \
	"    args:\n" \
	"    - index: 0\n" \
	"      type: \"int\"\n" \
	"    - index: 1\n" \
	"      type: \"sockaddr\"\n" \
	"    selectors:\n"

static int
del(const char *name)
{
	char err[256];

	return polset_delete(T->ps, name, err, sizeof(err));
}

/* The hook id of the cgroup copy: the last "added" metadata. */
static uint32_t
last_meta_id(const char *function)
{
	size_t i;

	for (i = T->nmeta; i-- > 0;)
		if (T->meta[i].added &&
		    strcmp(T->meta[i].function, function) == 0)
			return T->meta[i].id;
	return 0;
}

/*
 * Tests.
 */

static void
test_features(void **state)
{
	char *txt, *json, *line, *end;

	(void)state;
	txt = polset_features_render(0);
	json = polset_features_render(1);
	/* line by line: cmocka's print_message cuts at 1024 bytes (the
	 * TAP line after the cut text lost its start of line) */
	for (line = txt; *line != '\0'; line = end + (*end != '\0')) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		print_message("# %.*s\n", (int)(end - line), line);
	}
	assert_non_null(strstr(txt, "kernel features (probed by loading "
	    "programs):\n"));
	assert_non_null(strstr(txt, "  cgroup/connect4 "));
	assert_non_null(strstr(txt, "  kprobe_multi "));
	assert_non_null(strstr(txt, "  fmod_ret "));
	assert_non_null(strstr(txt, "  bpf in the active LSMs "));
	assert_int_equal(json[0], '{');
	assert_int_equal(json[strlen(json) - 1], '}');
	assert_non_null(strstr(json, T->feat.cg_connect4 ?
	    "\"cg_connect4\":true" : "\"cg_connect4\":false"));
	assert_non_null(strstr(json, "\"cgroup2\":\""));
	/* what every kernel tripline supports */
	assert_int_equal(T->feat.ringbuf, 1);
	assert_int_equal(T->feat.send_signal, 1);
	/* a cgroup2 mount was found in mountinfo and works */
	assert_true(T->feat.cgroup2[0] == '/');
	assert_int_equal(T->feat.cg_connect4, 1);
	assert_int_equal(T->feat.cg_connect6, 1);
	/* the probes attached nothing that stayed */
	assert_int_equal(cg_progs(BPF_CGROUP_INET4_CONNECT), 0);
	/* the override helper only exists with kprobes */
	if (!T->feat.kprobes)
		assert_int_equal(T->feat.override, 0);
	free(txt);
	free(json);
}

static void
test_connect_block(void **state)
{
	char err[512], *list;
	const struct ev_generic *g;
	size_t from = nrecs();
	uint32_t id;

	(void)state;
	assert_int_equal(add(err, sizeof(err), HDR CONNECT_HOOK
	    "    - matchArgs:\n"
	    "      - index: 1\n"
	    "        operator: \"SAddr\"\n"
	    "        values: [\"127.0.0.2\"]\n"
	    "      matchBinaries:\n"
	    "      - operator: \"In\"\n"
	    "        values: [\"%s\"]\n"
	    "      matchActions:\n"
	    "      - action: Override\n"
	    "        argError: -1\n", "nb-v4", T->exe), 0);
	assert_int_equal(cg_progs(BPF_CGROUP_INET4_CONNECT), 1);
	assert_int_equal(cg_progs(BPF_CGROUP_INET6_CONNECT), 1);
	id = last_meta_id("__x64_sys_connect");
	assert_int_not_equal(id, 0);
	list = polset_list(T->ps, 0);
	assert_non_null(strstr(list, "enforced by cgroup/connect4+connect6 "
	    "on "));
	assert_non_null(strstr(list, "(no BPF LSM, no bpf_override_return)"));
	assert_non_null(strstr(list, "nb-v4 (net.yaml) mode enforce, 1 hook\n"));
	free(list);
	list = polset_list(T->ps, 1);
	assert_non_null(strstr(list, "\"cgroup\":{\"attach\":"));
	free(list);

	assert_int_equal(try_connect(SOCK_STREAM, "127.0.0.2", T->port2),
	    EPERM);
	assert_int_equal(try_connect(SOCK_STREAM, "127.0.0.1", T->port1), 0);
	/* UDP connect to the denied address too (connect4 sees it) */
	assert_int_equal(try_connect(SOCK_DGRAM, "127.0.0.2", 9), EPERM);
	/* and the same address reached from an IPv6 socket (v4-mapped) */
	assert_int_equal(try_connect(SOCK_STREAM, "::ffff:127.0.0.2",
	    T->port2), EPERM);
	g = find(OVR | POST, 0, getpid(), from, WAIT_MS);
	assert_non_null(g);
	assert_int_equal(g->hook_id, id);
	assert_int_equal(g->sel, 0);
	assert_int_equal(g->flags & EVG_F_MONITOR, 0);
	assert_int_equal(g->nargs, 2);
	/* the fd is not visible to the cgroup program: a read error */
	assert_int_equal(rec_arg(g, 0)->flags, EVA_ERROR);
	assert_sockaddr(g, 1, AF_INET, T->port2, "127.0.0.2");
	settle();
	/* three blocked connects, three records; the syscall copy posts
	   none (its Override selector is NoPost), the allowed one made
	   none */
	assert_int_equal(count_hook(id, from), 3);
	assert_int_equal(nrecs() - from, 3);

	/* delete: detached, connectivity back */
	assert_int_equal(del("nb-v4"), 0);
	assert_int_equal(cg_progs(BPF_CGROUP_INET4_CONNECT), 0);
	assert_int_equal(try_connect(SOCK_STREAM, "127.0.0.2", T->port2), 0);
}

static void
test_connect_v6_port(void **state)
{
	char err[512];
	const struct ev_generic *g;
	size_t from = nrecs();

	(void)state;
	assert_int_equal(add(err, sizeof(err), HDR CONNECT_HOOK
	    "    - matchArgs:\n"
	    "      - index: 1\n"
	    "        operator: \"Family\"\n"
	    "        values: [\"AF_INET6\"]\n"
	    "      - index: 1\n"
	    "        operator: \"SPort\"\n"
	    "        values: [\"%d\"]\n"
	    "      matchActions:\n"
	    "      - action: Override\n"
	    "        argError: 1\n", "nb-v6", T->port6), 0);
	assert_int_equal(try_connect(SOCK_STREAM, "::1", T->port6), EPERM);
	/* same port over IPv4: another family, allowed (ECONNREFUSED if
	   nothing listens there, never EPERM) */
	assert_int_not_equal(try_connect(SOCK_STREAM, "127.0.0.1", T->port6),
	    EPERM);
	g = find(OVR | POST, 0, getpid(), from, WAIT_MS);
	assert_non_null(g);
	assert_sockaddr(g, 1, AF_INET6, T->port6, "::1");
	assert_int_equal(del("nb-v6"), 0);
	assert_int_equal(try_connect(SOCK_STREAM, "::1", T->port6), 0);
}

static void
test_monitor(void **state)
{
	char err[512];
	const struct ev_generic *g;
	size_t from = nrecs();

	(void)state;
	assert_int_equal(add(err, sizeof(err), HDR
	    "  options:\n"
	    "  - name: policy-mode\n"
	    "    value: monitor\n"
	    CONNECT_HOOK
	    "    - matchArgs:\n"
	    "      - index: 1\n"
	    "        operator: \"SAddr\"\n"
	    "        values: [\"127.0.0.2\"]\n"
	    "      matchActions:\n"
	    "      - action: Override\n"
	    "        argError: -1\n", "nb-mon"), 0);
	assert_int_equal(try_connect(SOCK_STREAM, "127.0.0.2", T->port2), 0);
	g = find(POST, OVR, getpid(), from, WAIT_MS);
	assert_non_null(g);
	assert_int_equal(g->actions & OVR, 0);
	assert_int_equal(g->flags & EVG_F_MONITOR, EVG_F_MONITOR);
	/* switch to enforce in place: now it blocks */
	assert_int_equal(polset_set_mode(T->ps, "nb-mon", POL_MODE_ENFORCE,
	    err, sizeof(err)), 0);
	assert_int_equal(try_connect(SOCK_STREAM, "127.0.0.2", T->port2),
	    EPERM);
	assert_int_equal(del("nb-mon"), 0);
}

/* First match wins: a Post-only selector before the Override one keeps
 * its connects (the syscall dispatch posts them), the rest is blocked. */
static void
test_first_match(void **state)
{
	char err[512];
	const struct ev_generic *g;
	size_t from = nrecs(), i, posted = 0;

	(void)state;
	assert_int_equal(add(err, sizeof(err), HDR CONNECT_HOOK
	    "    - matchArgs:\n"
	    "      - index: 1\n"
	    "        operator: \"SAddr\"\n"
	    "        values: [\"127.0.0.2\"]\n"
	    "      - index: 1\n"
	    "        operator: \"SPort\"\n"
	    "        values: [\"%d\"]\n"
	    "      matchActions:\n"
	    "      - action: Post\n"
	    "    - matchArgs:\n"
	    "      - index: 1\n"
	    "        operator: \"SAddr\"\n"
	    "        values: [\"127.0.0.0/8\"]\n"
	    "      - index: 1\n"
	    "        operator: \"NotSPort\"\n"
	    "        values: [\"%d\"]\n"
	    "      matchActions:\n"
	    "      - action: Override\n"
	    "        argError: -1\n", "nb-first", T->port2, T->port1), 0);
	assert_int_equal(try_connect(SOCK_STREAM, "127.0.0.2", T->port2), 0);
	assert_int_equal(try_connect(SOCK_STREAM, "127.0.0.1", T->port1), 0);
	assert_int_equal(try_connect(SOCK_STREAM, "127.0.0.3", T->port2),
	    EPERM);
	/* 127.0.0.2:port2 is posted by the syscall copy, selector 0 */
	g = find(OVR, 0, getpid(), from, WAIT_MS);
	assert_non_null(g);
	assert_int_equal(g->sel, 1);
	assert_sockaddr(g, 1, AF_INET, T->port2, "127.0.0.3");
	settle();
	for (i = from; i < nrecs(); i++) {
		g = rec_at(i);
		if (g->key.pid != (uint32_t)getpid() || (g->actions & OVR))
			continue;
		assert_int_equal(g->sel, 0);
		assert_sockaddr(g, 1, AF_INET, T->port2, "127.0.0.2");
		posted++;
	}
	assert_int_equal(posted, 1);
	assert_int_equal(del("nb-first"), 0);
}

/* Tetragon's security-socket-connect-block-others.yaml shape, with
 * another errno (bpf_set_retval where the kernel has it). */
static void
test_security_socket_connect(void **state)
{
	char err[512], *list;
	const struct ev_generic *g;
	size_t from = nrecs();

	(void)state;
	assert_int_equal(add(err, sizeof(err), HDR
	    "  kprobes:\n"
	    "  - call: \"security_socket_connect\"\n"
	    "    syscall: false\n"
	    "    args:\n"
	    "    - index: 0\n"
	    "      type: \"socket\"\n"
	    "    - index: 1\n"
	    "      type: \"sockaddr\"\n"
	    "    - index: 2\n"
	    "      type: \"int\"\n"
	    "    selectors:\n"
	    "    - matchArgs:\n"
	    "      - index: 0\n"
	    "        operator: \"Protocol\"\n"
	    "        values: [\"IPPROTO_TCP\"]\n"
	    "      - index: 1\n"
	    "        operator: \"Family\"\n"
	    "        values: [\"AF_INET\", \"AF_INET6\"]\n"
	    "      - index: 1\n"
	    "        operator: \"SPort\"\n"
	    "        values: [\"%d\"]\n"
	    "      matchBinaries:\n"
	    "      - operator: \"In\"\n"
	    "        values: [\"%s\"]\n"
	    "      matchActions:\n"
	    "      - action: Override\n"
	    "        argError: %d\n", "nb-ssc", T->port2, T->exe,
	    T->feat.cg_retval ? -EACCES : -1), 0);
	list = polset_list(T->ps, 0);
	assert_non_null(strstr(list, "  - kprobe security_socket_connect: "
	    "hook "));
	assert_non_null(strstr(list, ": enforced by cgroup/connect4+connect6 "
	    "on "));
	free(list);
	assert_int_equal(try_connect(SOCK_STREAM, "127.0.0.2", T->port2),
	    T->feat.cg_retval ? EACCES : EPERM);
	/* UDP: Protocol IPPROTO_TCP does not match */
	assert_int_equal(try_connect(SOCK_DGRAM, "127.0.0.2", T->port2), 0);
	assert_int_equal(try_connect(SOCK_STREAM, "127.0.0.1", T->port1), 0);
	g = find(OVR | POST, 0, getpid(), from, WAIT_MS);
	assert_non_null(g);
	assert_int_equal(g->nargs, 3);
	/* socket: no record format for sock payloads yet */
	assert_int_equal(rec_arg(g, 0)->flags, EVA_ERROR);
	assert_sockaddr(g, 1, AF_INET, T->port2, "127.0.0.2");
	assert_int_equal(del("nb-ssc"), 0);
}

/* tcp_connect with Sigkill (Tetragon's tcp-connect-only-private-addrs
 * shape), for one child process only. */
static void
test_tcp_connect_sigkill(void **state)
{
	char err[512], c;
	int p[2], status;
	pid_t pid;
	const struct ev_generic *g;
	size_t from = nrecs();

	(void)state;
	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		if (read(p[0], &c, 1) != 1)
			_exit(2);
		/* UDP: not tcp_connect */
		if (try_connect(SOCK_DGRAM, "127.0.0.2", T->port2) != 0)
			_exit(3);
		try_connect(SOCK_STREAM, "127.0.0.2", T->port2);
		usleep(200000);
		_exit(0);
	}
	assert_true(pid > 0);
	close(p[0]);
	assert_int_equal(add(err, sizeof(err), HDR
	    "  kprobes:\n"
	    "  - call: \"tcp_connect\"\n"
	    "    syscall: false\n"
	    "    args:\n"
	    "    - index: 0\n"
	    "      type: \"sock\"\n"
	    "    selectors:\n"
	    "    - matchPIDs:\n"
	    "      - operator: In\n"
	    "        values: [%d]\n"
	    "      matchArgs:\n"
	    "      - index: 0\n"
	    "        operator: \"NotDAddr\"\n"
	    "        values: [\"127.0.0.1\"]\n"
	    "      matchActions:\n"
	    "      - action: Sigkill\n", "nb-tcp", (int)pid), T->feat.cg_signal ?
	    0 : ERR_UNSUPP);
	if (!T->feat.cg_signal) {
		assert_non_null(strstr(err, "needs bpf_send_signal in cgroup "
		    "programs"));
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(p[1]);
		return;
	}
	assert_int_equal(write(p[1], "x", 1), 1);
	close(p[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	g = find((1U << POL_ACT_SIGKILL) | POST, 0, pid, from, WAIT_MS);
	assert_non_null(g);
	assert_int_equal(g->actions & OVR, 0);
	assert_int_equal(del("nb-tcp"), 0);
}

static void
test_sendto(void **state)
{
	char err[512];
	const struct ev_generic *g;
	size_t from = nrecs();

	(void)state;
	assert_int_equal(add(err, sizeof(err), HDR
	    "  kprobes:\n"
	    "  - call: \"sys_sendto\"\n"
	    "    syscall: true\n"
	    "    args:\n"
	    "    - index: 0\n"
	    "      type: \"int\"\n"
	    "    - index: 4\n"
	    "      type: \"sockaddr\"\n"
	    "    selectors:\n"
	    "    - matchArgs:\n"
	    "      - index: 4\n"
	    "        operator: \"SAddr\"\n"
	    "        values: [\"127.0.0.2\"]\n"
	    "      matchActions:\n"
	    "      - action: Override\n"
	    "        argError: -1\n", "nb-sendto"), 0);
	assert_int_equal(cg_progs(BPF_CGROUP_UDP4_SENDMSG), 1);
	assert_int_equal(cg_progs(BPF_CGROUP_INET4_CONNECT), 0);
	assert_int_equal(try_sendto("127.0.0.2", 9), EPERM);
	assert_int_equal(try_sendto("127.0.0.1", 9), 0);
	g = find(OVR | POST, 0, getpid(), from, WAIT_MS);
	assert_non_null(g);
	assert_sockaddr(g, 1, AF_INET, 9, "127.0.0.2");
	assert_int_equal(del("nb-sendto"), 0);
	assert_int_equal(cg_progs(BPF_CGROUP_UDP4_SENDMSG), 0);
}

/* What the cgroup programs cannot do exactly is refused, leaving
 * nothing loaded or attached. */
static void
refused(const char *name, const char *yaml, const char *want)
{
	char err[512];
	size_t n = polset_count(T->ps);

	assert_int_equal(add(err, sizeof(err), HDR "%s", name, yaml),
	    ERR_UNSUPP);
	if (strstr(err, want) == NULL)
		fail_msg("%s: \"%s\" does not contain \"%s\"", name, err, want);
	assert_int_equal(polset_count(T->ps), n);
	assert_int_equal(cg_progs(BPF_CGROUP_INET4_CONNECT), 0);
}

static void
test_refusals(void **state)
{
	(void)state;
	refused("nb-openat", "  kprobes:\n"
	    "  - call: \"sys_openat\"\n"
	    "    args:\n"
	    "    - index: 1\n"
	    "      type: \"string\"\n"
	    "    selectors:\n"
	    "    - matchActions:\n"
	    "      - action: Override\n"
	    "        argError: -1\n",
	    "Override needs bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE) "
	    "or BPF LSM, neither available here");
	refused("nb-fd", CONNECT_HOOK
	    "    - matchArgs:\n"
	    "      - index: 0\n"
	    "        operator: \"Equal\"\n"
	    "        values: [3]\n"
	    "      - index: 1\n"
	    "        operator: \"Family\"\n"
	    "        values: [\"AF_INET\"]\n"
	    "      matchActions:\n"
	    "      - action: Override\n"
	    "        argError: -1\n",
	    "matchArgs on argument index 0 (int): cgroup/connect4+connect6, "
	    "which stand in for this hook (no BPF LSM, no "
	    "bpf_override_return), do not see it; filter on the sockaddr");
	refused("nb-family", CONNECT_HOOK
	    "    - matchActions:\n"
	    "      - action: Override\n"
	    "        argError: -1\n",
	    "selector 1: cgroup/connect4+connect6 see only IPv4 and IPv6 "
	    "sockets");
	refused("nb-tcpsrc",
	    "  kprobes:\n"
	    "  - call: \"tcp_connect\"\n"
	    "    syscall: false\n"
	    "    args:\n"
	    "    - index: 0\n"
	    "      type: \"sock\"\n"
	    "    selectors:\n"
	    "    - matchArgs:\n"
	    "      - index: 0\n"
	    "        operator: \"SPort\"\n"
	    "        values: [\"80\"]\n"
	    "      matchActions:\n"
	    "      - action: Sigkill\n",
	    "the source address and port of a tcp_connect socket are chosen "
	    "after cgroup/connect4/6 runs");
	refused("nb-retargs",
	    "  kprobes:\n"
	    "  - call: \"sys_connect\"\n"
	    "    return: true\n"
	    "    returnArg:\n"
	    "      index: 0\n"
	    "      type: \"int\"\n"
	    "    args:\n"
	    "    - index: 1\n"
	    "      type: \"sockaddr\"\n"
	    "    selectors:\n"
	    "    - matchArgs:\n"
	    "      - index: 1\n"
	    "        operator: \"Family\"\n"
	    "        values: [\"AF_INET\"]\n"
	    "      matchReturnArgs:\n"
	    "      - index: 0\n"
	    "        operator: \"Equal\"\n"
	    "        values: [0]\n"
	    "      matchActions:\n"
	    "      - action: Override\n"
	    "        argError: -1\n",
	    "run before the call returns");
}

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
	return polset_count(T->ps) == 0 &&
	    cg_progs(BPF_CGROUP_INET4_CONNECT) == 0 ? 0 : -1;
}

static int
group_setup(void **state)
{
	char err[512];

	(void)state;
	if ((T = calloc(1, sizeof(*T))) == NULL)
		return -1;
	pthread_mutex_init(&T->mu, NULL);
	if (bpfl_open(&T->b, RING_SIZE, err, sizeof(err)) != 0 ||
	    polset_new(&T->ps, T->b, on_hook, T, err, sizeof(err)) != 0) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	polset_probe(&T->feat);
	if ((T->rb = ring_buffer__new(bpfl_ringbuf_fd(T->b), on_rec, T,
	    NULL)) == NULL ||
	    pthread_create(&T->poller, NULL, poller, T) != 0)
		return -1;
	if ((T->exe = realpath("/proc/self/exe", NULL)) == NULL)
		return -1;
	T->lfd[0] = listener(AF_INET, "127.0.0.1", &T->port1);
	T->lfd[1] = listener(AF_INET, "127.0.0.2", &T->port2);
	T->lfd[2] = listener(AF_INET6, "::1", &T->port6);
	return T->lfd[0] < 0 || T->lfd[1] < 0 || T->lfd[2] < 0 ? -1 : 0;
}

static int
group_teardown(void **state)
{
	size_t i;

	(void)state;
	T->stop = 1;
	pthread_join(T->poller, NULL);
	polset_free(T->ps);
	ring_buffer__free(T->rb);
	bpfl_free(T->b);
	for (i = 0; i < 3; i++)
		close(T->lfd[i]);
	for (i = 0; i < T->n; i++)
		free(T->recs[i].data);
	free(T->recs);
	free(T->exe);
	free(T);
	return 0;
}

static const char *
unavailable(void)
{
	struct polset_features f;
	const char *why;

	if ((why = testutil_bpf_unavailable()) != NULL)
		return why;
	polset_probe(&f);
	if (f.override || f.lsm)
		return "this kernel has BPF LSM or bpf_override_return: "
		    "connect Override does not go through cgroup programs";
	if (!f.cg_connect4 || !f.cg_connect6 || !f.cg_sendmsg4)
		return "no cgroup sock_addr programs on this kernel";
	return NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_features, unload_all),
		cmocka_unit_test_teardown(test_connect_block, unload_all),
		cmocka_unit_test_teardown(test_connect_v6_port, unload_all),
		cmocka_unit_test_teardown(test_monitor, unload_all),
		cmocka_unit_test_teardown(test_first_match, unload_all),
		cmocka_unit_test_teardown(test_security_socket_connect,
		    unload_all),
		cmocka_unit_test_teardown(test_tcp_connect_sigkill,
		    unload_all),
		cmocka_unit_test_teardown(test_sendto, unload_all),
		cmocka_unit_test_teardown(test_refusals, unload_all),
	};
	const char *why;

	log_init(1, 0);
	log_procinit("test_net_block");
	if ((why = unavailable()) != NULL) {
		printf("1..0 # SKIP %s\n", why);
		return 0;	/* TAP skip; .ci/run fails on it */
	}
	return cmocka_run_group_tests_name("net_block", tests, group_setup,
	    group_teardown);
}
