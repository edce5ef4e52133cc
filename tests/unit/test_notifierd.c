/*
 * tests/unit/test_notifierd.c -- run the real notifierd binary the way
 * loaderd does (fd 3 = parent channel, IPC_NOTIFY_CONFIG first; fd 4 =
 * peer channel) and check its startup report, sandbox state, health
 * answers, one delivery job per IPC_ALERT_JOB and shutdown paths.
 * Needs root (to drop to a user); otherwise prints a TAP skip plan and
 * prints a TAP skip like tests/lib/testlib.sh skip_all.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "compat.h"
#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "notify_srv.h"

struct nd {
	pid_t		 pid;
	int		 parent;	/* our end of fd 3 */
	int		 peer;		/* our end of fd 4 */
	const char	*user;
	uid_t		 uid;
};

static const char *
nd_user(void)
{
	return getpwnam("tripline-notify") != NULL ? "tripline-notify" :
	    "nobody";
}

static void nd_start_cfg(struct nd *, const char *, const char *);

static void
nd_start(struct nd *nd, const char *mode)
{
	nd_start_cfg(nd, mode, "");
}

/* start notifierd and send it the alerts file (yaml "" = none) */
static void
nd_start_cfg(struct nd *nd, const char *mode, const char *yaml)
{
	struct ipc_alertcfg ac;
	struct passwd	*pw;
	int		 p[2], q[2], a, b;

	memset(nd, 0, sizeof(*nd));
	nd->user = nd_user();
	assert_non_null(pw = getpwnam(nd->user));
	nd->uid = pw->pw_uid;
	assert_int_equal(ipc_socketpair(p), 0);
	assert_int_equal(ipc_socketpair(q), 0);
	fflush(stdout);
	fflush(stderr);
	assert_true((nd->pid = fork()) != -1);
	if (nd->pid == 0) {
		/* move the child ends out of the way, then to 3 and 4 */
		if ((a = fcntl(p[1], F_DUPFD, 10)) == -1 ||
		    (b = fcntl(q[1], F_DUPFD, 10)) == -1 ||
		    dup2(a, IPC_FD_PARENT) == -1 ||
		    dup2(b, IPC_FD_PEER) == -1)
			_exit(120);
		closefrom(IPC_FD_PEER + 1);
		execl(NOTIFIERD_PATH, "notifierd", "-d", "-v", "-u", nd->user,
		    "-m", mode, (char *)NULL);
		_exit(121);
	}
	close(p[1]);
	close(q[1]);
	nd->parent = p[0];
	nd->peer = q[0];
	ac.file = (char *)(yaml[0] != '\0' ? "test-alerts.yaml" : "");
	ac.yaml = (char *)yaml;
	assert_int_equal(ipc_msg_send(nd->parent, IPC_NOTIFY_CONFIG, &ac, -1),
	    0);
}

/* Receive one message within timeout_ms. */
static int
nd_recv(int fd, struct ipc_msg *m, int timeout_ms)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	int		 r;

	for (;;) {
		r = ipc_recv(fd, m);
		if (r != ERR_AGAIN)
			return r;
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return ERR_AGAIN;
	}
}

static int
nd_wait(pid_t pid, int timeout_ms)
{
	int	 st, i;

	for (i = 0; i < timeout_ms / 10; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	fail_msg("notifierd did not exit in time");
	return -1;
}

static void
nd_ready(struct nd *nd)
{
	struct ipc_msg	 m;
	struct ipc_ready rd;

	assert_int_equal(nd_recv(nd->parent, &m, 5000), 0);
	assert_int_equal(m.type, IPC_NOTIFY_READY);
	assert_int_equal(ipc_msg_decode(m.type, m.payload, m.len, &rd), 0);
	assert_int_equal(rd.pid, (uint32_t)nd->pid);
	assert_int_equal(rd.uid, (uint32_t)nd->uid);
	ipc_msg_clear(&m);
}

static void
nd_stop(struct nd *nd)
{
	if (nd->parent >= 0)
		close(nd->parent);
	if (nd->peer >= 0)
		close(nd->peer);
	nd->parent = nd->peer = -1;
}

/* "Name:\tvalue" from /proc/PID/status */
static void
proc_status(pid_t pid, const char *name, char *out, size_t outlen)
{
	char	 path[64], line[512];
	size_t	 n = strlen(name);
	FILE	*fp;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	assert_non_null(fp = fopen(path, "r"));
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			snprintf(out, outlen, "%s", line + n + 1 +
			    strspn(line + n + 1, " \t"));
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	}
	fclose(fp);
}

static void
test_ready_health_sigterm(void **state)
{
	struct nd	 nd;
	struct ipc_msg	 m;
	struct ipc_health req, ans;
	char		 v[128], want[64];
	uint64_t	 seq, last = 0;
	int		 st;

	nd_start(&nd, "enforce");
	nd_ready(&nd);

	proc_status(nd.pid, "Seccomp", v, sizeof(v));
	assert_string_equal(v, "2");
	proc_status(nd.pid, "CapEff", v, sizeof(v));
	assert_string_equal(v, "0000000000000000");
	proc_status(nd.pid, "CapPrm", v, sizeof(v));
	assert_string_equal(v, "0000000000000000");
	proc_status(nd.pid, "CapBnd", v, sizeof(v));
	assert_string_equal(v, "0000000000000000");
	proc_status(nd.pid, "NoNewPrivs", v, sizeof(v));
	assert_string_equal(v, "1");
	proc_status(nd.pid, "Uid", v, sizeof(v));
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", (unsigned)nd.uid,
	    (unsigned)nd.uid, (unsigned)nd.uid, (unsigned)nd.uid);
	assert_string_equal(v, want);
	proc_status(nd.pid, "Name", v, sizeof(v));
	assert_string_equal(v, "notifierd");

	/* health round trips; uptime never goes backwards */
	for (seq = 1; seq <= 3; seq++) {
		req.seq = seq * 1000;
		req.uptime_ms = 0;
		if (seq == 3)
			usleep(50000);
		assert_int_equal(ipc_msg_send(nd.parent,
		    IPC_NOTIFY_HEALTH_REQ, &req, -1), 0);
		assert_int_equal(nd_recv(nd.parent, &m, 5000), 0);
		assert_int_equal(m.type, IPC_NOTIFY_HEALTH_ANS);
		assert_int_equal(ipc_msg_decode(m.type, m.payload, m.len,
		    &ans), 0);
		assert_int_equal(ans.seq, seq * 1000);
		assert_true(ans.uptime_ms >= last);
		last = ans.uptime_ms;
		ipc_msg_clear(&m);
	}
	assert_true(last >= 50);

	/* it keeps running with nothing to do */
	usleep(200000);
	assert_int_equal(waitpid(nd.pid, &st, WNOHANG), 0);

	assert_int_equal(kill(nd.pid, SIGTERM), 0);
	st = nd_wait(nd.pid, 5000);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	nd_stop(&nd);
}

static void
test_parent_eof(void **state)
{
	struct nd	 nd;
	int		 st;

	nd_start(&nd, "enforce");
	nd_ready(&nd);
	/* the peer going away is not fatal */
	close(nd.peer);
	nd.peer = -1;
	usleep(100000);
	assert_int_equal(waitpid(nd.pid, &st, WNOHANG), 0);
	/* the parent going away is a clean exit */
	close(nd.parent);
	nd.parent = -1;
	st = nd_wait(nd.pid, 5000);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
test_sigint_trap_mode(void **state)
{
	struct nd	 nd;
	struct ipc_msg	 m;
	struct ipc_health req = { 7, 0 }, ans;
	int		 st;

	nd_start(&nd, "trap");
	nd_ready(&nd);
	assert_int_equal(ipc_msg_send(nd.parent, IPC_NOTIFY_HEALTH_REQ, &req,
	    -1), 0);
	assert_int_equal(nd_recv(nd.parent, &m, 5000), 0);
	assert_int_equal(ipc_msg_decode(m.type, m.payload, m.len, &ans), 0);
	assert_int_equal(ans.seq, 7);
	ipc_msg_clear(&m);
	assert_int_equal(kill(nd.pid, SIGINT), 0);
	st = nd_wait(nd.pid, 5000);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	nd_stop(&nd);
}

static void
test_protocol_violation(void **state)
{
	struct nd	 nd;
	struct ipc_ready rd = { 1, 2 };
	int		 st;

	nd_start(&nd, "enforce");
	nd_ready(&nd);
	/* a message loaderd never sends to the notifier is fatal */
	assert_int_equal(ipc_msg_send(nd.parent, IPC_NOTIFY_READY, &rd, -1),
	    0);
	st = nd_wait(nd.pid, 5000);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
	nd_stop(&nd);

	/* so is a malformed health request */
	nd_start(&nd, "enforce");
	nd_ready(&nd);
	assert_int_equal(ipc_send(nd.parent, IPC_NOTIFY_HEALTH_REQ,
	    "\x92\x01", 2, -1), 0);
	st = nd_wait(nd.pid, 5000);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
	nd_stop(&nd);
}

static void
test_peer_garbage(void **state)
{
	struct nd	 nd;
	struct ipc_msg	 m;
	struct ipc_health req = { 11, 0 }, ans;

	nd_start(&nd, "enforce");
	nd_ready(&nd);
	/* collectord has nothing to say yet: dropped, not fatal */
	assert_int_equal(ipc_send(nd.peer, 200, "\x90", 1, -1), 0);
	assert_int_equal(ipc_send(nd.peer, IPC_NOTIFY_HEALTH_REQ, "\x90", 1,
	    -1), 0);
	assert_int_equal(ipc_msg_send(nd.parent, IPC_NOTIFY_HEALTH_REQ, &req,
	    -1), 0);
	assert_int_equal(nd_recv(nd.parent, &m, 5000), 0);
	assert_int_equal(ipc_msg_decode(m.type, m.payload, m.len, &ans), 0);
	assert_int_equal(ans.seq, 11);
	ipc_msg_clear(&m);
	assert_int_equal(kill(nd.pid, SIGTERM), 0);
	assert_int_equal(WEXITSTATUS(nd_wait(nd.pid, 5000)), 0);
	nd_stop(&nd);
}

static void
test_config_first(void **state)
{
	struct nd	 nd;
	struct ipc_health req = { 1, 0 };
	int		 st;

	/* anything but IPC_NOTIFY_CONFIG first is fatal */
	nd_start_cfg(&nd, "enforce", "");
	nd_ready(&nd);
	nd_stop(&nd);
	assert_true(WIFEXITED(nd_wait(nd.pid, 5000)));

	memset(&nd, 0, sizeof(nd));
	nd.user = nd_user();
	{
		int	 p[2], q[2], a, b;

		assert_int_equal(ipc_socketpair(p), 0);
		assert_int_equal(ipc_socketpair(q), 0);
		assert_int_equal(ipc_msg_send(p[0], IPC_NOTIFY_HEALTH_REQ,
		    &req, -1), 0);
		fflush(stdout);
		fflush(stderr);
		assert_true((nd.pid = fork()) != -1);
		if (nd.pid == 0) {
			if ((a = fcntl(p[1], F_DUPFD, 10)) == -1 ||
			    (b = fcntl(q[1], F_DUPFD, 10)) == -1 ||
			    dup2(a, IPC_FD_PARENT) == -1 ||
			    dup2(b, IPC_FD_PEER) == -1)
				_exit(120);
			closefrom(IPC_FD_PEER + 1);
			execl(NOTIFIERD_PATH, "notifierd", "-d", "-u",
			    nd.user, (char *)NULL);
			_exit(121);
		}
		close(p[1]);
		close(q[1]);
		st = nd_wait(nd.pid, 5000);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 1);
		close(p[0]);
		close(q[0]);
	}

	/* a config that does not parse is fatal too */
	nd_start_cfg(&nd, "enforce", "receivers: [ {name: x, bogus: 1} ]\n");
	st = nd_wait(nd.pid, 5000);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
	nd_stop(&nd);
}

static void
test_jobs(void **state)
{
	struct nsrv	*srv;
	struct nsrv_req	 q;
	struct nd	 nd;
	struct ipc_alert_job job;
	struct ipc_alert_result res;
	struct ipc_msg	 m;
	char		 yaml[1024];
	int		 i, seen[3] = { 0, 0, 0 };

	srv = nsrv_start(NSRV_HTTP);
	nsrv_script(srv, "/hook", 200, NULL, "", 0);
	nsrv_script(srv, "/slow", 429, "Retry-After: 3\r\n", "", 0);
	snprintf(yaml, sizeof(yaml),
	    "defaults:\n"
	    "  timeout: 2s\n"
	    "receivers:\n"
	    "  - name: hook\n"
	    "    webhook: {url: \"http://127.0.0.1:%u/hook\", "
	    "hmac_secret: s3cret}\n"
	    "  - name: busy\n"
	    "    webhook: {url: \"http://127.0.0.1:%u/slow\"}\n",
	    nsrv_port(srv), nsrv_port(srv));
	nd_start_cfg(&nd, "enforce", yaml);
	nd_ready(&nd);

	memset(&job, 0, sizeof(job));
	job.attempt = 1;
	job.count = 1;
	job.kind = (char *)"webhook";
	job.target = (char *)"";
	job.idem_key = (char *)"tl-n-1";
	job.severity = (char *)"high";
	job.title = (char *)"[high] p: t";
	job.text = (char *)"text";
	job.event_json = (char *)"{}";
	job.job_id = 1;
	job.receiver = (char *)"hook";
	assert_int_equal(ipc_msg_send(nd.peer, IPC_ALERT_JOB, &job, -1), 0);
	job.job_id = 2;
	job.receiver = (char *)"busy";
	assert_int_equal(ipc_msg_send(nd.peer, IPC_ALERT_JOB, &job, -1), 0);
	job.job_id = 3;
	job.receiver = (char *)"missing";
	assert_int_equal(ipc_msg_send(nd.peer, IPC_ALERT_JOB, &job, -1), 0);
	/* garbage from the collector is dropped, not fatal */
	assert_int_equal(ipc_send(nd.peer, IPC_ALERT_JOB, "\x90", 1, -1), 0);

	for (i = 0; i < 3; i++) {
		assert_int_equal(nd_recv(nd.peer, &m, 5000), 0);
		assert_int_equal(m.type, IPC_ALERT_RESULT);
		assert_int_equal(ipc_msg_decode(m.type, m.payload, m.len,
		    &res), 0);
		assert_true(res.job_id >= 1 && res.job_id <= 3);
		seen[res.job_id - 1] = 1;
		switch (res.job_id) {
		case 1:
			assert_int_equal(res.status, IPC_ALERT_DELIVERED);
			assert_int_equal(res.code, 200);
			break;
		case 2:
			assert_int_equal(res.status, IPC_ALERT_RETRY);
			assert_int_equal(res.retry_after_ms, 3000);
			break;
		case 3:
			assert_int_equal(res.status, IPC_ALERT_PERMANENT);
			break;
		}
		assert_null(strstr(res.detail, "s3cret"));
		ipc_alert_result_clear(&res);
		ipc_msg_clear(&m);
	}
	assert_true(seen[0] && seen[1] && seen[2]);
	assert_int_equal(nsrv_get(srv, 0, &q), 0);
	assert_non_null(strstr(q.headers, "Idempotency-Key: tl-n-1\r\n"));
	assert_non_null(strstr(q.headers, "X-Tripline-Signature: sha256="));
	nsrv_req_free(&q);

	assert_int_equal(kill(nd.pid, SIGTERM), 0);
	assert_int_equal(WEXITSTATUS(nd_wait(nd.pid, 5000)), 0);
	nd_stop(&nd);
	nsrv_stop(srv);
}

/* Send job as job id and check the status of its result. */
static void
nd_job(struct nd *nd, struct ipc_alert_job *job, uint64_t id,
    uint32_t status)
{
	struct ipc_alert_result res;
	struct ipc_msg	 m;

	job->job_id = id;
	assert_int_equal(ipc_msg_send(nd->peer, IPC_ALERT_JOB, job, -1), 0);
	assert_int_equal(nd_recv(nd->peer, &m, 5000), 0);
	assert_int_equal(m.type, IPC_ALERT_RESULT);
	assert_int_equal(ipc_msg_decode(m.type, m.payload, m.len, &res), 0);
	ipc_msg_clear(&m);
	assert_int_equal(res.job_id, id);
	assert_int_equal(res.status, status);
	ipc_alert_result_clear(&res);
}

/*
 * A compromised collector names any URL in a GetUrl job: only what
 * loaderd's list (the loaded policies' targets) holds is fetched, the rest
 * is refused and counted for loaderd; a webhook job with an event that is
 * not a JSON object is refused too.
 */
static void
test_refused_jobs(void **state)
{
	struct nsrv	*srv;
	struct nsrv_req	 q;
	struct nd	 nd;
	struct ipc_alert_job job;
	struct ipc_notify_stats st;
	struct ipc_text	 t;
	struct ipc_msg	 m;
	char		 yaml[512], good[128], evil[128], list[200];

	srv = nsrv_start(NSRV_HTTP);
	snprintf(yaml, sizeof(yaml), "receivers:\n  - name: hook\n"
	    "    webhook: {url: \"http://127.0.0.1:%u/hook\"}\n",
	    nsrv_port(srv));
	snprintf(good, sizeof(good), "http://127.0.0.1:%u/geturl/policy",
	    nsrv_port(srv));
	snprintf(evil, sizeof(evil), "http://127.0.0.1:%u/internal/admin",
	    nsrv_port(srv));
	nd_start_cfg(&nd, "enforce", yaml);
	snprintf(list, sizeof(list), "U %s\nD lookup.example", good);
	t.text = list;
	assert_int_equal(ipc_msg_send(nd.parent, IPC_NOTIFY_TARGETS, &t, -1),
	    0);
	nd_ready(&nd);

	memset(&job, 0, sizeof(job));
	job.attempt = job.count = 1;
	job.receiver = (char *)"";
	job.kind = (char *)"canary_http";
	job.idem_key = (char *)"tl-n-9";
	job.severity = (char *)"high";
	job.title = job.text = (char *)"t";
	job.event_json = (char *)"{}";
	job.target = evil;
	nd_job(&nd, &job, 1, IPC_ALERT_PERMANENT);
	job.receiver = (char *)"hook";
	job.kind = (char *)"webhook";
	job.target = (char *)"";
	job.event_json = (char *)"{\"a\":1}],\"injected\":{\"b\":2";
	nd_job(&nd, &job, 2, IPC_ALERT_PERMANENT);
	job.receiver = (char *)"";
	job.kind = (char *)"canary_http";
	job.target = good;
	nd_job(&nd, &job, 3, IPC_ALERT_DELIVERED);

	/* only the allowed GET reached the sink */
	assert_int_equal(nsrv_count(srv), 1);
	assert_int_equal(nsrv_get(srv, 0, &q), 0);
	assert_string_equal(q.path, "/geturl/policy");
	nsrv_req_free(&q);

	/* the refusals are reported to loaderd */
	assert_int_equal(nd_recv(nd.parent, &m, 5000), 0);
	assert_int_equal(m.type, IPC_NOTIFY_STATS);
	assert_int_equal(ipc_msg_decode(m.type, m.payload, m.len, &st), 0);
	assert_int_equal(st.refused_target, 1);
	assert_int_equal(st.refused_event, 1);
	ipc_msg_clear(&m);

	assert_int_equal(kill(nd.pid, SIGTERM), 0);
	assert_int_equal(WEXITSTATUS(nd_wait(nd.pid, 5000)), 0);
	nd_stop(&nd);
	nsrv_stop(srv);
}

static int
run_status(const char *const argv[], int with_fds)
{
	pid_t	 pid;
	int	 st, devnull;

	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		devnull = open("/dev/null", O_RDWR);
		dup2(devnull, STDOUT_FILENO);
		if (!with_fds) {
			/* fd 3 is a plain file, not a socket */
			dup2(devnull, IPC_FD_PARENT);
			dup2(devnull, IPC_FD_PEER);
		}
		closefrom(IPC_FD_PEER + 1);
		execv(NOTIFIERD_PATH, (char *const *)argv);
		_exit(121);
	}
	waitpid(pid, &st, 0);
	return st;
}

static void
test_bad_startup(void **state)
{
	const char *const bad_fds[] = { "notifierd", "-d", "-u", "nobody",
	    NULL };
	const char *const bad_mode[] = { "notifierd", "-m", "strict", NULL };
	const char *const dump[] = { "notifierd", "-P", NULL };
	int	 st;

	st = run_status(bad_fds, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
	st = run_status(bad_mode, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
	st = run_status(dump, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_health_sigterm),
		cmocka_unit_test(test_parent_eof),
		cmocka_unit_test(test_sigint_trap_mode),
		cmocka_unit_test(test_protocol_violation),
		cmocka_unit_test(test_peer_garbage),
		cmocka_unit_test(test_bad_startup),
		cmocka_unit_test(test_config_first),
		cmocka_unit_test(test_jobs),
		cmocka_unit_test(test_refused_jobs),
	};

	if (geteuid() != 0) {
		/* project convention (tests/lib/testlib.sh skip_all) */
		printf("1..0 # SKIP notifierd test needs root\n");
		return 0;	/* TAP skip; .ci/run fails on it */
	}
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("notifierd", tests, NULL, NULL);
}
