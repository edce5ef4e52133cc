/*
 * tests/unit/test_notify_sandbox.c -- issue 5 "Sandbox (prove it by test)".
 *
 * Each test forks a child that sets up like notifierd (curl, libevent,
 * deliver_new) and enters the real sandbox with notifier_sandbox_enter()
 * -- the function notifierd's main() calls: Landlock with the notifier's
 * read-only paths, drop to tripline-notify (or nobody) with no
 * capabilities and no_new_privs, the seccomp table of
 * notifierd/sandbox_rules.c in enforce mode.  Then the child tries one
 * forbidden thing (open for writing, execve, ptrace, bpf; reading a file
 * outside the Landlock list) and must be killed by SIGSYS or refused, or
 * it delivers a webhook, an e-mail and a canary DNS query to loopback
 * servers run by the test and must succeed.  Needs root (prints a TAP skip
 * plan otherwise, like test_notifierd).
 */
#include "build.h"

#include <sys/types.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <linux/bpf.h>
#include <curl/curl.h>
#include <event2/event.h>

#include "alerts.h"
#include "err.h"
#include "ipc_msg.h"
#include "log.h"
#include "notifierd.h"
#include "notify_srv.h"
#include "sandbox.h"
#include "testutil.h"

/* child exit codes */
#define C_OK		0
#define C_SETUP		20	/* setup or sandbox failed */
#define C_ALLOWED	21	/* the forbidden call succeeded */
#define C_REFUSED	22	/* the forbidden call failed with an errno */
#define C_UNDELIVERED	23

enum what { DO_DELIVER, DO_OPEN_WRITE, DO_EXECVE, DO_PTRACE, DO_BPF,
    DO_READ_OUTSIDE, DO_OPEN_DIR, DO_TMPFILE, DO_NETLINK };

struct child {
	enum what	 what;
	uid_t		 uid;
	gid_t		 gid;
	uint16_t	 http_port;
	uint16_t	 smtp_port;
	uint16_t	 dns_port;
	char		 tmpdir[256];
};

struct ctx {
	struct nsrv	*http;
	struct nsrv	*smtp;
	struct nsrv	*dns;
	char		*tmpdir;
	uid_t		 uid;
	gid_t		 gid;
};

static int	 delivered_count;

static void
child_done(const struct ipc_alert_result *res, void *arg)
{
	int	*ok = arg;

	fprintf(stderr, "child: %s\n", res->detail);
	if (res->status == IPC_ALERT_DELIVERED)
		delivered_count++;
	(*ok)--;
}

static int
child_main(void *p)
{
	struct child	*c = p;
	struct event_base *base;
	struct deliver	*dl;
	struct al_config cfg;
	struct al_receiver r[3];
	struct ipc_alert_job job;
	struct timeval	 tv = { 0, 20000 };
	char		 url[128], host[64], res[64], path[300];
	char		*argv[] = { (char *)"/bin/true", NULL };
	static char	*mailto[] = { (char *)"sec@example.org" };
	union bpf_attr	 attr;
	int		 left, i, fd;

	log_init(1, 0);
	log_procinit("sandbox-test");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (base = event_base_new()) == NULL)
		return C_SETUP;
	memset(&cfg, 0, sizeof(cfg));
	memset(r, 0, sizeof(r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/hook", c->http_port);
	r[0].name = (char *)"hook";
	r[0].kind = AL_WEBHOOK;
	r[0].url = url;
	r[0].hmac_secret = (char *)"s";
	snprintf(host, sizeof(host), "127.0.0.1:%u", c->smtp_port);
	r[1].name = (char *)"mail";
	r[1].kind = AL_EMAIL;
	r[1].smarthost = host;
	r[1].tls = AL_TLS_NONE;
	r[1].from = (char *)"tripline@example.org";
	r[1].to = mailto;
	r[1].nto = 1;
	snprintf(res, sizeof(res), "127.0.0.1:%u", c->dns_port);
	r[2].name = (char *)"dns";
	r[2].kind = AL_CANARY_DNS;
	r[2].dns_name = (char *)"abc.canary.example";
	r[2].resolver = res;
	cfg.receivers = r;
	cfg.nreceivers = 3;
	cfg.timeout_ms = 3000;
	dl = deliver_new(base, &cfg);

	if (notifier_sandbox_enter(SANDBOX_ENFORCE, c->uid, c->gid, &cfg) != 0)
		return C_SETUP;
	if (getuid() != c->uid || geteuid() != c->uid)
		return C_SETUP;

	switch (c->what) {
	case DO_DELIVER:
		break;
	case DO_OPEN_WRITE:
		snprintf(path, sizeof(path), "%s/written", c->tmpdir);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
		return fd == -1 ? C_REFUSED : C_ALLOWED;
	case DO_EXECVE:
		execve(argv[0], argv, argv + 1);
		return C_REFUSED;
	case DO_PTRACE:
		return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == -1 ?
		    C_REFUSED : C_ALLOWED;
	case DO_BPF:
		memset(&attr, 0, sizeof(attr));
		return syscall(SYS_bpf, BPF_PROG_GET_NEXT_ID, &attr,
		    sizeof(attr)) == -1 ? C_REFUSED : C_ALLOWED;
	case DO_OPEN_DIR:
		/* a directory on the Landlock list, read-only */
		fd = open("/usr/lib", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return fd == -1 ? C_REFUSED : C_ALLOWED;
	case DO_TMPFILE:
		fd = open(c->tmpdir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
		return fd == -1 ? C_REFUSED : C_ALLOWED;
	case DO_NETLINK:
		/* what getaddrinfo() does with several addresses to sort */
		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
		return fd == -1 && errno == EAFNOSUPPORT ? C_REFUSED :
		    C_ALLOWED;
	case DO_READ_OUTSIDE:
		/* Landlock: /etc/passwd is not on the notifier's list */
		fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
		if (fd == -1 && errno == EACCES)
			return C_REFUSED;
		return C_ALLOWED;
	}

	memset(&job, 0, sizeof(job));
	job.job_id = 1;
	job.attempt = 1;
	job.count = 1;
	job.kind = (char *)"";
	job.target = (char *)"";
	job.idem_key = (char *)"tl-sandbox-1";
	job.severity = (char *)"high";
	job.title = (char *)"[high] sandbox: test";
	job.text = (char *)"delivered from inside the sandbox";
	job.event_json = (char *)"{}";
	left = 3;
	job.receiver = (char *)"hook";
	deliver_job(dl, &job, child_done, &left);
	job.receiver = (char *)"mail";
	deliver_job(dl, &job, child_done, &left);
	job.receiver = (char *)"dns";
	deliver_job(dl, &job, child_done, &left);
	for (i = 0; i < 300 && left > 0; i++) {
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	deliver_free(dl);
	return delivered_count == 3 ? C_OK : C_UNDELIVERED;
}

static int
run_child(struct ctx *x, enum what what)
{
	struct child	 c;

	memset(&c, 0, sizeof(c));
	c.what = what;
	c.uid = x->uid;
	c.gid = x->gid;
	c.http_port = nsrv_port(x->http);
	c.smtp_port = nsrv_port(x->smtp);
	c.dns_port = nsrv_port(x->dns);
	snprintf(c.tmpdir, sizeof(c.tmpdir), "%s", x->tmpdir);
	fflush(stdout);
	fflush(stderr);
	return testutil_fork_status(child_main, &c);
}

/* killed by seccomp, or (where Landlock answers first) refused */
static void
assert_killed_or_refused(int st)
{
	if (WIFSIGNALED(st))
		assert_int_equal(WTERMSIG(st), SIGSYS);
	else {
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), C_REFUSED);
	}
}

static void
test_delivery_works(void **state)
{
	struct ctx	*x = *state;
	struct nsrv_req	 q;
	int		 st, n0 = nsrv_count(x->http);

	st = run_child(x, DO_DELIVER);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), C_OK);
	assert_int_equal(nsrv_get(x->http, n0, &q), 0);
	assert_string_equal(q.path, "/hook");
	assert_non_null(strstr(q.headers, "Idempotency-Key: tl-sandbox-1"));
	assert_non_null(strstr(q.headers, "X-Tripline-Signature: sha256="));
	nsrv_req_free(&q);
	/* the sinks' threads record a request after they answered it:
	 * wait for the record (nsrv_get polls) rather than read a count */
	assert_int_equal(nsrv_get(x->smtp, 0, &q), 0);
	nsrv_req_free(&q);
	assert_int_equal(nsrv_get(x->dns, 0, &q), 0);
	nsrv_req_free(&q);
}

static void
test_open_write(void **state)
{
	struct ctx	*x = *state;
	char		 path[300];
	struct stat	 sb;

	assert_killed_or_refused(run_child(x, DO_OPEN_WRITE));
	snprintf(path, sizeof(path), "%s/written", x->tmpdir);
	assert_int_equal(stat(path, &sb), -1);
}

static void
test_execve(void **state)
{
	int	 st = run_child(*state, DO_EXECVE);

	/* seccomp kills it: execve is not in the table */
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

static void
test_ptrace(void **state)
{
	int	 st = run_child(*state, DO_PTRACE);

	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

static void
test_bpf(void **state)
{
	int	 st = run_child(*state, DO_BPF);

	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

static void
test_read_outside(void **state)
{
	int	 st = run_child(*state, DO_READ_OUTSIDE);

	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), C_REFUSED);
}

/* O_TMPFILE includes O_DIRECTORY: the write mask must hold only its own
 * bit, or every read-only directory open is killed */
static void
test_open_mask(void **state)
{
	const struct sandbox_rule *rules;
	size_t		 n, i, seen = 0;

	rules = notifier_sandbox_rules(&n);
	for (i = 0; i < n; i++) {
		if (strcmp(rules[i].syscall, "openat") != 0)
			continue;
		seen++;
		assert_int_equal(rules[i].action, SB_ALLOW_ARG_MASK0);
		assert_int_equal(rules[i].mask & O_DIRECTORY, 0);
		assert_int_not_equal(rules[i].mask & (O_TMPFILE &
		    ~O_DIRECTORY), 0);
		assert_int_equal(rules[i].mask & (O_WRONLY | O_RDWR |
		    O_CREAT | O_TRUNC | O_APPEND), O_WRONLY | O_RDWR |
		    O_CREAT | O_TRUNC | O_APPEND);
	}
	assert_int_equal(seen, 1);
}

static void
test_open_dir(void **state)
{
	int	 st = run_child(*state, DO_OPEN_DIR);

	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), C_ALLOWED);
}

/* refused with an errno glibc handles, not killed */
static void
test_netlink(void **state)
{
	int	 st = run_child(*state, DO_NETLINK);

	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), C_REFUSED);
}

static void
test_tmpfile(void **state)
{
	int	 st = run_child(*state, DO_TMPFILE);

	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSYS);
}

static int
setup(void **state)
{
	struct ctx	*x = calloc(1, sizeof(*x));
	struct passwd	*pw;

	if ((pw = getpwnam("tripline-notify")) == NULL)
		pw = getpwnam("nobody");
	assert_non_null(pw);
	x->uid = pw->pw_uid;
	x->gid = pw->pw_gid;
	x->tmpdir = testutil_tmpdir("notify-sandbox");
	/* writable by the sandboxed user, so only the sandbox can stop it */
	chmod(x->tmpdir, 0777);
	x->http = nsrv_start(NSRV_HTTP);
	x->smtp = nsrv_start(NSRV_SMTP);
	x->dns = nsrv_start(NSRV_DNS);
	nsrv_script(x->http, "/hook", 200, NULL, "", 0);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx	*x = *state;

	nsrv_stop(x->http);
	nsrv_stop(x->smtp);
	nsrv_stop(x->dns);
	testutil_rmtree(x->tmpdir);
	free(x->tmpdir);
	free(x);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delivery_works),
		cmocka_unit_test(test_open_write),
		cmocka_unit_test(test_execve),
		cmocka_unit_test(test_ptrace),
		cmocka_unit_test(test_bpf),
		cmocka_unit_test(test_read_outside),
		cmocka_unit_test(test_open_mask),
		cmocka_unit_test(test_open_dir),
		cmocka_unit_test(test_tmpfile),
		cmocka_unit_test(test_netlink),
	};

	if (geteuid() != 0) {
		/* project convention (tests/lib/testlib.sh skip_all) */
		printf("1..0 # SKIP notifier sandbox test needs root\n");
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("notify_sandbox", tests, setup,
	    teardown);
}
