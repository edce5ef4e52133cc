/*
 * tests/unit/test_policy.c -- TracingPolicy parser: every bad fixture's
 * exact FILE:LINE:COL error (expected text on the fixture's first line,
 * "# expect: LINE:COL: message"), every good fixture's hook/note count
 * ("# expect: ok, N hooks[, M notes]"), the resolved model (syscall
 * numbers, list expansion, macro merge, values, actions), the Tetragon
 * examples against a table, and the name/syscall tables.
 *
 * Data is found through $top_srcdir (set by the test harness), else the
 * source tree compiled in.
 */
#include "build.h"

#include <sys/syscall.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "err.h"
#include "policy.h"

static char datadir[1024];

static void
set_datadir(void)
{
	const char *top = getenv("top_srcdir");

	if (top != NULL && *top != '\0')
		snprintf(datadir, sizeof(datadir), "%s/tests/data", top);
	else
		snprintf(datadir, sizeof(datadir), "%s", TEST_DATADIR);
}

/* Sorted names of the regular files in datadir/sub. */
static size_t
list_dir(const char *sub, const char *suffix, char ***out)
{
	char	 path[1200], **names = NULL;
	struct dirent *de;
	size_t	 n = 0, len, sl = strlen(suffix);
	DIR	*d;
	size_t	 i, j;

	snprintf(path, sizeof(path), "%s/%s", datadir, sub);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		len = strlen(de->d_name);
		if (len < sl || strcmp(de->d_name + len - sl, suffix) != 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		assert_non_null(names);
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	*out = names;
	return n;
}

static void
free_names(char **names, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The text after "# expect: " on the first line of path. */
static void
read_expect(const char *path, char *buf, size_t len)
{
	FILE	*fp;
	char	 line[1024];

	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	line[strcspn(line, "\n")] = '\0';
	if (strncmp(line, "# expect: ", 10) != 0)
		fail_msg("%s: first line is not '# expect: ...'", path);
	snprintf(buf, len, "%s", line + 10);
}

static struct policy *
load(const char *sub, const char *file)
{
	struct policy *p = NULL;
	char	 path[1200], err[1024];
	int	 r;

	snprintf(path, sizeof(path), "%s/%s/%s", datadir, sub, file);
	r = policy_load_file(path, &p, err, sizeof(err));
	if (r != 0)
		fail_msg("%s: %s", file, err);
	assert_non_null(p);
	return p;
}

static struct policy *
load_str(const char *yaml, char *err, size_t errlen, int *r)
{
	struct policy *p = NULL;

	*r = policy_load_buf("mem.yaml", yaml, strlen(yaml), &p, err, errlen);
	if (*r != 0)
		assert_null(p);
	return p;
}

/*
 * Fixtures
 */
static void
test_bad_fixtures(void **state)
{
	struct policy *p;
	char	**names, path[1200], exp[1024], want[2400], err[1024];
	size_t	 i, n;
	int	 r;

	n = list_dir("policy/bad", ".yaml", &names);
	assert_true(n >= 150);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/policy/bad/%s", datadir,
		    names[i]);
		read_expect(path, exp, sizeof(exp));
		snprintf(want, sizeof(want), "%s:%s", path, exp);
		p = (struct policy *)0x1;
		r = policy_load_file(path, &p, err, sizeof(err));
		if (r != ERR_PARSE || strcmp(err, want) != 0)
			fail_msg("%s: got %d '%s', want '%s'", names[i], r,
			    err, want);
		assert_null(p);
	}
	free_names(names, n);
}

static void
test_good_fixtures(void **state)
{
	struct policy *p;
	char	**names, path[1200], exp[256], got[256];
	size_t	 i, n;

	n = list_dir("policy/good", ".yaml", &names);
	assert_true(n >= 13);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/policy/good/%s", datadir,
		    names[i]);
		read_expect(path, exp, sizeof(exp));
		p = load("policy/good", names[i]);
		snprintf(got, sizeof(got), "ok, %zu hook%s", p->nhooks,
		    p->nhooks == 1 ? "" : "s");
		if (p->nnotes > 0)
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
			    ", %zu note%s", p->nnotes, p->nnotes == 1 ? "" :
			    "s");
		if (strcmp(got, exp) != 0)
			fail_msg("%s: got '%s', want '%s'", names[i], got, exp);
		assert_string_equal(p->file, path);
		policy_free(p);
	}
	free_names(names, n);
}

/*
 * The Tetragon examples: every file must be in this table.
 */
static const struct example {
	const char	*file;
	int		 hooks;		/* -1: refused */
	const char	*err;		/* exact "LINE:COL: message" */
} examples[] = {
	{ "README.md", -1,
	    "8:57: mapping values are not allowed in this context" },
	{ "bpf.yaml", 4, NULL },
	{ "datagram-with-sock-tracking.yaml", 3, NULL },
	{ "fd_install_ns_host.yaml", 1, NULL },
	{ "filename_monitoring_filtered.yaml", 3, NULL },
	{ "host-changes__monitor-kernel-modules.yaml", 4, NULL },
	{ "killer.yaml", -1, "14:3: enforcers are not supported; use Sigkill "
	    "or Override in matchActions" },
	{ "list-syscalls-tracepoint.yaml", 1, NULL },
	{ "lsm_file_open.yaml", 1, NULL },
	{ "openat_write.yaml", 1, NULL },
	{ "override-security.yaml", 1, NULL },
	{ "process-credentials__process-creds-changed.yaml", 3, NULL },
	{ "quickstart__file_monitoring_enforce.yaml", 3, NULL },
	{ "raw_syscalls.yaml", 1, NULL },
	{ "rawtp.yaml", 1, NULL },
	{ "security-socket-connect-block-others.yaml", 1, NULL },
	{ "stack_traces.yaml", 1, NULL },
	{ "tcp-connect-only-private-addrs.yaml", 1, NULL },
	{ "tcp-listen.yaml", 3, NULL },
	{ "uprobe-binaries.yaml", 1, NULL },
	{ "write.yaml", 1, NULL },
};

static void
test_tetragon_examples(void **state)
{
	struct policy *p;
	char	**names, path[1200], err[1024], want[2400];
	size_t	 i, j, n, ne = sizeof(examples) / sizeof(examples[0]);
	int	 r;

	n = list_dir("tetragon-examples", "", &names);
	assert_int_equal(n, ne);
	for (i = 0; i < n; i++) {
		for (j = 0; j < ne; j++)
			if (strcmp(examples[j].file, names[i]) == 0)
				break;
		if (j == ne)
			fail_msg("%s: not in the examples table", names[i]);
		snprintf(path, sizeof(path), "%s/tetragon-examples/%s",
		    datadir, names[i]);
		r = policy_load_file(path, &p, err, sizeof(err));
		if (examples[j].hooks < 0) {
			snprintf(want, sizeof(want), "%s:%s", path,
			    examples[j].err);
			assert_int_equal(r, ERR_PARSE);
			assert_string_equal(err, want);
			assert_null(p);
			continue;
		}
		if (r != 0)
			fail_msg("%s: %s", names[i], err);
		assert_int_equal(p->nhooks, examples[j].hooks);
		policy_free(p);
	}
	free_names(names, n);
}

static void
test_examples_model(void **state)
{
	const struct pol_hook *h;
	const struct pol_matcharg *m;
	struct policy *p;

	p = load("tetragon-examples", "openat_write.yaml");
	h = &p->hooks[0];
	assert_int_equal(h->kind, POL_HOOK_KPROBE);
	assert_int_equal(h->syscall, 1);
	assert_int_equal(h->syscall_nr, SYS_openat);
	assert_int_equal(h->ret, 1);
	assert_int_equal(h->retarg.type, POL_ARG_INT);
	m = &h->selectors[0].matchargs[1];
	assert_int_equal(m->arg, 2);
	assert_int_equal(m->op, POL_OP_MASK);
	assert_int_equal(m->nvalues, 3);
	assert_int_equal(m->values[0].lo, 64);
	assert_int_equal(h->selectors[0].retargs[0].op, POL_OP_GT);
	assert_int_equal(h->selectors[0].retargs[0].arg, -1);
	policy_free(p);

	p = load("tetragon-examples", "write.yaml");
	h = &p->hooks[0];
	assert_int_equal(h->syscall_nr, SYS_write);
	assert_int_equal(h->args[1].type, POL_ARG_CHAR_BUF);
	assert_int_equal(h->args[1].size_arg_index, 3);
	assert_int_equal(h->selectors[0].pids[0].op, POL_OP_NOTIN);
	assert_int_equal(h->selectors[0].pids[0].follow_forks, 1);
	assert_int_equal(h->selectors[0].pids[0].is_ns_pid, 1);
	assert_int_equal(h->selectors[0].pids[0].values[0], 1);
	policy_free(p);

	p = load("tetragon-examples", "list-syscalls-tracepoint.yaml");
	h = &p->hooks[0];
	assert_int_equal(h->kind, POL_HOOK_TRACEPOINT);
	assert_string_equal(h->subsystem, "raw_syscalls");
	m = &h->selectors[0].matchargs[0];
	assert_int_equal(m->arg, 0);
	assert_int_equal(m->op, POL_OP_INMAP);
	assert_int_equal(m->nvalues, 2);
	assert_int_equal(m->values[0].lo, SYS_dup);
	assert_int_equal(m->values[1].lo, SYS_dup2);
	policy_free(p);

	p = load("tetragon-examples", "datagram-with-sock-tracking.yaml");
	assert_int_equal(p->hooks[0].ret_arg_action, POL_ACT_TRACKSOCK);
	assert_int_equal(p->hooks[0].syscall, 0);
	assert_int_equal(p->hooks[0].syscall_nr, -1);
	assert_int_equal(p->hooks[1].selectors[0].actions[0].kind,
	    POL_ACT_UNTRACKSOCK);
	assert_int_equal(p->hooks[1].selectors[0].actions[0].arg_sock, 0);
	h = &p->hooks[2];
	assert_int_equal(h->selectors[0].matchargs[0].op, POL_OP_DADDR);
	assert_int_equal(h->selectors[0].matchargs[0].values[0].prefixlen, 32);
	assert_int_equal(h->selectors[0].matchargs[1].values[0].lo, 17);
	assert_int_equal(h->selectors[0].actions[0].rate_limit_ms, 5000);
	policy_free(p);

	p = load("tetragon-examples", "fd_install_ns_host.yaml");
	assert_int_equal(p->hooks[0].selectors[0].ns[0].ns, POL_NS_PID);
	assert_int_equal(p->hooks[0].selectors[0].ns[0].host_ns[0], 1);
	policy_free(p);

	p = load("tetragon-examples", "lsm_file_open.yaml");
	assert_int_equal(p->hooks[0].kind, POL_HOOK_LSM);
	assert_string_equal(p->hooks[0].call, "file_open");
	assert_string_equal(p->hooks[0].selectors[0].binaries.values[0],
	    "/usr/bin/cat");
	policy_free(p);

	p = load("tetragon-examples", "uprobe-binaries.yaml");
	assert_int_equal(p->hooks[0].kind, POL_HOOK_UPROBE);
	assert_string_equal(p->hooks[0].path, "/lib64/libc.so.6");
	assert_string_equal(p->hooks[0].symbol, "malloc");
	policy_free(p);
}

/* matchNamespaceChanges, matchCapabilityChanges */
static void
test_changes_model(void **state)
{
	const struct pol_selector *s;
	struct policy *p;

	p = load("policy/good", "changes.yaml");
	s = &p->hooks[0].selectors[0];
	assert_int_equal(s->has_nschg, 1);
	assert_int_equal(s->nschg.op, POL_OP_IN);
	assert_int_equal(s->nschg.mask, (1U << POL_NS_UTS) |
	    (1U << POL_NS_NET) | (1U << POL_NS_USER));
	assert_int_equal(s->has_capchg, 0);
	s = &p->hooks[0].selectors[1];
	assert_int_equal(s->has_capchg, 1);
	assert_int_equal(s->capchg.set, POL_CAP_PERMITTED);
	assert_int_equal(s->capchg.op, POL_OP_NOTIN);
	assert_int_equal(s->capchg.is_ns_cap, 1);
	assert_int_equal(s->capchg.mask, (1ULL << 21) | (1ULL << 13));
	assert_int_equal(s->has_nschg, 1);
	assert_int_equal(s->nschg.op, POL_OP_NOTIN);
	assert_int_equal(s->nschg.mask, 1U << POL_NS_MNT);
	policy_free(p);
}

/*
 * Resolved models of our own fixtures
 */
static void
test_seed_models(void **state)
{
	const struct pol_hook *h;
	const struct pol_value *v;
	struct policy *p;

	p = load("policy/good", "seed_clock_settime.yaml");
	h = &p->hooks[0];
	assert_string_equal(p->name, "sys-clock-settime");
	assert_int_equal(h->syscall_nr, SYS_clock_settime);
	assert_int_equal(h->selectors[0].npids, 2);
	assert_int_equal(h->selectors[0].pids[1].values[0], 0);
	assert_int_equal(h->selectors[0].nactions, 0);
	policy_free(p);

	p = load("policy/good", "seed_symlinkat_sigkill.yaml");
	h = &p->hooks[0];
	assert_int_equal(h->syscall_nr, SYS_symlinkat);
	assert_int_equal(h->nargs, 3);
	assert_int_equal(h->args[0].type, POL_ARG_STRING);
	v = &h->selectors[0].matchargs[0].values[0];
	assert_int_equal(h->selectors[0].matchargs[0].op, POL_OP_POSTFIX);
	assert_int_equal(v->len, 7);
	assert_memory_equal(v->str, "passwd\0", 7);
	assert_int_equal(h->selectors[0].nactions, 1);
	assert_int_equal(h->selectors[0].actions[0].kind, POL_ACT_SIGKILL);
	assert_string_equal(policy_action_json(
	    h->selectors[0].actions[0].kind), "KPROBE_ACTION_SIGKILL");
	policy_free(p);

	p = load("policy/good", "seed_symlinkat_override.yaml");
	h = &p->hooks[0];
	assert_int_equal(h->selectors[0].actions[0].kind, POL_ACT_OVERRIDE);
	assert_int_equal(h->selectors[0].actions[0].arg_error, -1);
	assert_string_equal(h->selectors[1].actions[0].arg_fqdn,
	    "abc.def.o3n.io");
	policy_free(p);

	p = load("policy/good", "seed_passwd_followfd.yaml");
	h = &p->hooks[0];
	assert_int_equal(h->syscall_nr, SYS_openat);
	assert_int_equal(h->selectors[0].nretactions, 1);
	assert_int_equal(h->selectors[0].retactions[0].kind, POL_ACT_FOLLOWFD);
	assert_int_equal(h->selectors[0].retactions[0].arg_fd, -1);
	assert_int_equal(h->selectors[0].retactions[0].arg_name, 1);
	assert_int_equal(h->selectors[0].retargs[0].values[0].lo,
	    (uint64_t)-1);
	assert_int_equal(h->selectors[0].matchargs[0].values[0].len, 11);
	h = &p->hooks[1];
	assert_int_equal(h->syscall_nr, SYS_close);
	assert_int_equal(h->selectors[0].actions[0].kind, POL_ACT_UNFOLLOWFD);
	assert_int_equal(h->selectors[0].actions[0].arg_fd, 0);
	assert_int_equal(h->selectors[0].actions[0].arg_name, -1);
	assert_int_equal(h->selectors[0].actions[1].kind, POL_ACT_NOPOST);
	h = &p->hooks[2];
	assert_int_equal(h->syscall_nr, SYS_write);
	assert_int_equal(h->args[0].type, POL_ARG_FD);
	assert_int_equal(h->args[1].size_arg_index, 3);
	assert_string_equal(h->selectors[0].matchargs[0].values[0].str,
	    "/etc/passwd");
	policy_free(p);

	p = load("policy/good", "seed_bpf_syscall.yaml");
	h = &p->hooks[0];
	assert_int_equal(h->syscall_nr, SYS_bpf);
	assert_string_equal(h->args[0].label, "cmd");
	assert_int_equal(h->args[1].index, 2);
	assert_int_equal(h->args[1].type, POL_ARG_UINT32);
	assert_string_equal(h->message, "BPF program load or map create");
	assert_int_equal(h->ntags, 2);
	assert_string_equal(h->tags[1], "observability.bpf");
	assert_int_equal(h->selectors[0].matchargs[0].values[1].lo, 5);
	policy_free(p);
}

static void
test_values_model(void **state)
{
	const struct pol_selector *s;
	const struct pol_value *v;
	struct policy *p;

	p = load("policy/good", "values.yaml");
	assert_int_equal(p->hooks[0].syscall_nr, SYS_openat);
	assert_string_equal(p->hooks[0].call, "__x64_sys_openat");
	s = &p->hooks[0].selectors[0];
	v = s->matchargs[0].values;
	assert_int_equal(v[0].lo, (uint64_t)-100);
	assert_int_equal(v[0].is_num, 1);
	assert_null(v[0].str);
	assert_int_equal(v[1].lo, 16);
	assert_int_equal(v[2].lo, 15);
	assert_int_equal(v[3].lo, 2147483647);
	v = s->matchargs[1].values;
	assert_int_equal(v[0].len, 12);			/* "\0" kept */
	assert_memory_equal(v[0].str, "/etc/passwd\0", 12);
	assert_int_equal(v[1].len, 13);		/* '\0' literal */
	assert_string_equal(v[1].str, "/etc/shadow\\0");
	assert_int_equal(s->matchargs[2].values[0].lo, 0xffffffffULL);
	assert_int_equal(s->matchargs[2].values[1].lo, 64);
	v = s->matchargs[3].values;
	assert_int_equal(s->matchargs[3].arg, 3);
	assert_int_equal(v[0].lo, (uint64_t)-128);
	assert_int_equal(v[0].hi, (uint64_t)-1);
	assert_int_equal(v[1].lo, 0);
	assert_int_equal(v[1].hi, 127);
	assert_int_equal(s->matchargs[4].arg, 1);	/* args: [1] */
	s = &p->hooks[0].selectors[1];
	assert_int_equal(s->matchargs[0].op, POL_OP_NOTINRANGE);
	assert_int_equal(s->matchargs[1].op, POL_OP_NOTPREFIX);
	assert_int_equal(s->matchargs[2].op, POL_OP_LT);

	s = &p->hooks[1].selectors[0];
	v = s->matchargs[0].values;
	assert_int_equal(v[0].family, 2);
	assert_int_equal(v[0].prefixlen, 32);
	assert_memory_equal(v[0].addr, "\x7f\0\0\x01", 4);
	assert_int_equal(v[1].prefixlen, 8);	/* host bits cleared */
	assert_memory_equal(v[1].addr, "\x0a\0\0\0", 4);
	assert_int_equal(v[2].family, 10);
	assert_int_equal(v[2].prefixlen, 10);
	assert_memory_equal(v[2].addr, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
	    16);
	assert_int_equal(v[3].prefixlen, 128);
	assert_int_equal(v[3].addr[15], 1);
	v = s->matchargs[1].values;
	assert_int_equal(v[0].lo, 443);
	assert_int_equal(v[0].hi, 443);
	assert_int_equal(v[1].lo, 8000);
	assert_int_equal(v[1].hi, 8080);
	assert_int_equal(s->matchargs[2].values[0].lo, 2);
	assert_int_equal(s->matchargs[2].values[1].lo, 10);
	assert_int_equal(s->matchargs[3].values[0].lo, 6);
	assert_int_equal(s->matchargs[3].values[1].lo, 17);
	assert_int_equal(s->matchargs[4].values[0].lo, 2);	/* SYN_SENT */
	assert_int_equal(p->hooks[1].selectors[1].matchargs[0].op,
	    POL_OP_NOTSPORTPRIV);
	assert_int_equal(p->hooks[1].selectors[1].matchargs[0].nvalues, 0);

	s = &p->hooks[2].selectors[0];
	assert_int_equal(s->matchargs[0].values[0].lo, 0100000);
	assert_int_equal(s->matchargs[0].values[1].lo, 0040000);
	s = &p->hooks[3].selectors[0];
	assert_int_equal(s->matchargs[0].values[0].lo, 1ULL << 63);
	assert_int_equal(s->matchargs[1].values[0].lo, UINT64_MAX);
	policy_free(p);
}

static void
test_lists_model(void **state)
{
	const struct pol_matcharg *m;
	struct policy *p;

	p = load("policy/good", "lists.yaml");
	assert_int_equal(p->nhooks, 6);
	assert_string_equal(p->hooks[0].call, "sys_dup");
	assert_int_equal(p->hooks[0].syscall_nr, SYS_dup);
	assert_string_equal(p->hooks[1].call, "__x64_sys_dup2");
	assert_int_equal(p->hooks[1].syscall_nr, SYS_dup2);
	assert_string_equal(p->hooks[2].call, "dup3");
	assert_int_equal(p->hooks[2].syscall_nr, SYS_dup3);
	/* every expanded hook owns a copy of the spec's args/selectors */
	assert_int_equal(p->hooks[2].nargs, 1);
	assert_int_equal(p->hooks[2].selectors[0].matchargs[0].values[0].lo,
	    3);
	assert_string_equal(p->hooks[3].call, "fd_install");
	assert_int_equal(p->hooks[3].syscall, 0);
	assert_int_equal(p->hooks[3].syscall_nr, -1);
	assert_string_equal(p->hooks[4].call, "security_file_open");
	m = &p->hooks[5].selectors[0].matchargs[0];
	assert_int_equal(m->nvalues, 5);
	assert_int_equal(m->values[0].lo, SYS_dup);
	assert_int_equal(m->values[2].lo, SYS_dup3);
	assert_int_equal(m->values[3].lo, 0);
	assert_int_equal(m->values[3].hi, 2);
	assert_int_equal(m->values[4].lo, SYS_execve);
	m = &p->hooks[5].selectors[1].matchargs[0];
	assert_int_equal(m->op, POL_OP_NOTINMAP);
	assert_true(m->nvalues >= 300);
	assert_int_equal(m->values[0].lo, 0);
	assert_int_equal(m->values[SYS_execve].lo, SYS_execve);
	policy_free(p);
}

static void
test_macros_model(void **state)
{
	const struct pol_selector *s;
	struct policy *p;

	p = load("policy/good", "macros.yaml");
	s = &p->hooks[0].selectors[0];
	assert_int_equal(s->has_binaries, 1);
	assert_int_equal(s->binaries.op, POL_OP_IN);
	assert_int_equal(s->binaries.nvalues, 2);
	assert_string_equal(s->binaries.values[1], "/usr/bin/sh");
	assert_int_equal(s->nactions, 1);
	assert_int_equal(s->actions[0].kind, POL_ACT_SIGKILL);
	assert_int_equal(s->nmatchargs, 1);
	assert_string_equal(s->label, "shell-runs-nc");
	s = &p->hooks[0].selectors[1];
	assert_int_equal(s->has_binaries, 1);
	assert_int_equal(s->nactions, 0);
	assert_int_equal(s->nmatchargs, 0);
	policy_free(p);
}

static void
test_actions_model(void **state)
{
	const struct pol_selector *s;
	struct policy *p;

	p = load("policy/good", "actions.yaml");
	s = &p->hooks[0].selectors[0];
	assert_int_equal(s->actions[0].kind, POL_ACT_POST);
	assert_int_equal(s->actions[0].rate_limit_ms, 30 * 60 * 1000);
	assert_int_equal(s->actions[0].rate_limit_scope, POL_RL_PROCESS);
	assert_int_equal(s->actions[0].kernel_stack, 0);	/* false */
	assert_int_equal(s->actions[0].user_stack, 0);
	assert_int_equal(s->actions[1].kind, POL_ACT_SIGNAL);
	assert_int_equal(s->actions[1].arg_sig, 19);
	assert_int_equal(s->actions[2].kind, POL_ACT_GETURL);
	assert_string_equal(s->actions[2].arg_url,
	    "https://canary.example/token");
	s = &p->hooks[0].selectors[1];
	assert_int_equal(s->actions[0].kind, POL_ACT_NOPOST);
	assert_int_equal(s->actions[1].kind, POL_ACT_DNSLOOKUP);
	assert_int_equal(s->actions[2].kind, POL_ACT_OVERRIDE);
	assert_int_equal(s->actions[2].arg_error, -1);
	s = &p->hooks[0].selectors[2];
	assert_int_equal(s->actions[0].rate_limit_ms, 2 * 3600 * 1000);
	assert_int_equal(s->actions[0].rate_limit_scope, POL_RL_GLOBAL);
	assert_int_equal(s->actions[0].user_stack, 0);	/* false */
	assert_int_equal(s->actions[1].rate_limit_ms, 10000);
	assert_int_equal(s->actions[1].rate_limit_scope, POL_RL_THREAD);
	s = &p->hooks[1].selectors[0];
	assert_int_equal(s->actions[0].kind, POL_ACT_COPYFD);
	assert_int_equal(s->actions[0].arg_fd, 0);
	assert_int_equal(s->actions[0].arg_name, 1);
	assert_int_equal(s->retactions[0].kind, POL_ACT_SIGKILL);
	assert_int_equal(p->hooks[2].ret_arg_action, POL_ACT_UNTRACKSOCK);
	s = &p->hooks[2].selectors[0];
	assert_int_equal(s->actions[0].kind, POL_ACT_TRACKSOCK);
	assert_int_equal(s->actions[0].arg_sock, 0);
	assert_int_equal(s->actions[0].arg_fd, -1);
	policy_free(p);
}

static void
test_notes_model(void **state)
{
	struct policy *p;
	char	 want[1400];

	p = load("policy/good", "notes.yaml");
	assert_int_equal(p->namespaced, 1);
	assert_int_equal(p->mode, POL_MODE_MONITOR);
	assert_int_equal(p->unread_open, 1);
	assert_int_equal(p->nnotes, 5);
	snprintf(want, sizeof(want), "%s/policy/good/notes.yaml:7:14: note: "
	    "metadata.namespace 'default' has no effect on a host: the "
	    "policy applies to every process", datadir);
	assert_string_equal(p->notes[0], want);
	assert_non_null(strstr(p->notes[1], ":14:11: note: option "
	    "'disable-kprobe-multi' has no effect in tripline"));
	assert_non_null(strstr(p->notes[3], "nodeSelector has no effect"));
	assert_int_equal(p->hooks[0].kind, POL_HOOK_TRACEPOINT);
	assert_int_equal(p->hooks[0].nargs, 0);
	policy_free(p);
}

static void
test_kinds_model(void **state)
{
	const struct pol_hook *h;
	struct policy *p;

	p = load("policy/good", "tracepoints.yaml");
	assert_int_equal(p->unread_open, 0);	/* default: fail-closed */
	h = &p->hooks[0];
	assert_int_equal(h->kind, POL_HOOK_TRACEPOINT);
	assert_string_equal(h->event, "sys_enter_openat");
	assert_int_equal(h->args[0].type, POL_ARG_AUTO);
	assert_string_equal(h->args[0].type_name, "auto");
	assert_int_equal(h->args[1].index, 6);
	assert_int_equal(h->selectors[0].matchargs[0].arg, 1);
	/* auto: strings kept, numbers also parsed */
	assert_string_equal(h->selectors[0].matchargs[0].values[0].str,
	    "/etc/");
	assert_int_equal(h->selectors[0].matchargs[0].values[0].is_num, 0);
	assert_string_equal(h->selectors[0].matchargs[1].values[0].str,
	    "-100");
	assert_int_equal(h->selectors[0].matchargs[1].values[0].is_num, 1);
	assert_int_equal(h->selectors[0].matchargs[1].values[0].lo,
	    (uint64_t)-100);
	assert_int_equal(h->selectors[0].matchargs[2].arg, 2);
	assert_int_equal(h->selectors[0].matchargs[2].values[0].lo, 0x241);
	assert_int_equal(h->line, 10);
	assert_int_equal(h->col, 5);
	assert_int_equal(p->hooks[1].kind, POL_HOOK_RAW_TRACEPOINT);
	assert_int_equal(p->hooks[1].args[0].type, POL_ARG_LINUX_BINPRM);
	assert_int_equal(p->hooks[2].args[0].size_arg_index, 8);
	policy_free(p);

	p = load("policy/good", "kinds.yaml");
	assert_int_equal(p->nhooks, 5);
	assert_string_equal(p->hooks[0].symbol, "readline");
	assert_string_equal(p->hooks[1].symbol, "main");
	assert_string_equal(p->hooks[1].path, "/usr/bin/bash");
	assert_int_equal(p->hooks[1].ret, 1);
	assert_int_equal(p->hooks[1].retarg.type, POL_ARG_STRING);
	assert_int_equal(p->hooks[1].selectors[0].retargs[0].op,
	    POL_OP_PREFIX);
	assert_int_equal(p->hooks[2].kind, POL_HOOK_LSM);
	assert_string_equal(p->hooks[2].call, "bprm_check_security");
	assert_int_equal(p->hooks[3].kind, POL_HOOK_KPROBE);
	assert_int_equal(p->hooks[3].fentry, 1);
	assert_int_equal(p->hooks[3].syscall_nr, -1);
	assert_int_equal(p->hooks[4].fentry, 1);
	assert_int_equal(p->hooks[4].syscall_nr, SYS_mount);
	policy_free(p);

	p = load("policy/good", "callnotfound.yaml");
	assert_int_equal(p->hooks[0].syscall, 1);
	assert_int_equal(p->hooks[0].syscall_nr, -1);
	assert_int_equal(p->hooks[0].ignore_call_not_found, 1);
	assert_int_equal(p->hooks[1].syscall_nr, SYS_openat);
	assert_non_null(strstr(p->notes[0], "callnotfound.yaml:10:11: note: "
	    "call 'sys_frobnicate' is not an x86_64 syscall"));
	policy_free(p);
}

/*
 * In-memory policies: limits at their boundary, AUTO strings, errors
 */
static void
test_limits(void **state)
{
	struct policy *p;
	char	 buf[16384], err[1024];
	size_t	 i;
	int	 r, n;

	/* exactly POL_MAX_HOOKS hooks from a list, POL_MAX_TAGS tags, a
	 * POL_MAX_MESSAGE message, POL_MAX_VALUES values */
	n = snprintf(buf, sizeof(buf), "apiVersion: cilium.io/v1alpha1\n"
	    "kind: TracingPolicy\nmetadata:\n  name: lim\nspec:\n  lists:\n"
	    "  - name: all\n    type: syscalls\n    values:\n");
	for (i = 0; i < POL_MAX_HOOKS; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "    - %s\n",
		    policy_syscall_name((int)i));
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "  kprobes:\n"
	    "  - call: list:all\n    args:\n    - index: 0\n      type: "
	    "uint64\n    tags: [");
	for (i = 0; i < POL_MAX_TAGS; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%st%zu",
		    i ? ", " : "", i);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "]\n    message: ");
	for (i = 0; i < POL_MAX_MESSAGE; i++)
		buf[n++] = 'm';
	snprintf(buf + n, sizeof(buf) - (size_t)n, "\n    selectors:\n"
	    "    - matchArgs:\n      - index: 0\n        operator: Equal\n"
	    "        values: [1, 2, 3, 4]\n");
	p = load_str(buf, err, sizeof(err), &r);
	if (r != 0)
		fail_msg("%s", err);
	assert_int_equal(p->nhooks, POL_MAX_HOOKS);
	assert_int_equal(p->hooks[POL_MAX_HOOKS - 1].syscall_nr,
	    POL_MAX_HOOKS - 1);
	assert_int_equal(p->hooks[0].ntags, POL_MAX_TAGS);
	assert_int_equal(strlen(p->hooks[7].message), POL_MAX_MESSAGE);
	assert_int_equal(p->hooks[31].selectors[0].matchargs[0].nvalues,
	    POL_MAX_VALUES);
	policy_free(p);
}

/* A kprobe sys_symlinkat policy whose one matchArgs entry has operator
 * op on arg (0 string, 1 int) and n values "PRE<i>POST" (i = 1..n), and
 * a last value last (NULL: none). */
static char *
list_policy(const char *op, int arg, size_t n, const char *pre,
    const char *post, const char *last)
{
	size_t	 cap = 256 + (n + 1) * 300, len, i;
	char	*b = malloc(cap);

	assert_non_null(b);
	len = (size_t)snprintf(b, cap, "apiVersion: cilium.io/v1alpha1\n"
	    "kind: TracingPolicy\nmetadata:\n  name: l\nspec:\n  kprobes:\n"
	    "  - call: sys_symlinkat\n    args:\n    - {index: 0, type: "
	    "string}\n    - {index: 1, type: int}\n    selectors:\n"
	    "    - matchArgs:\n      - index: %d\n        operator: %s\n"
	    "        values:\n", arg, op);
	for (i = 1; i <= n; i++) {
		len += (size_t)snprintf(b + len, cap - len,
		    "        - \"%s%zu%s\"\n", pre, i, post);
	}
	if (last != NULL)
		snprintf(b + len, cap - len, "        - \"%s\"\n", last);
	return b;
}

/* Equal/NotEqual/Prefix/NotPrefix/Postfix/NotPostfix take up to
 * POL_MAX_LISTVALUES values, the other operators POL_MAX_VALUES; a
 * Prefix value in a list longer than POL_MAX_VALUES fits an LPM key. */
static void
test_value_lists(void **state)
{
	static const char *const ops[] = { "Equal", "NotEqual", "Prefix",
	    "NotPrefix", "Postfix", "NotPostfix" };
	struct policy *p;
	char	 err[1024], want[256], lng[POL_MAX_PREFIX_LIST + 2];
	char	*y;
	size_t	 i;
	int	 r;

	(void)state;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		y = list_policy(ops[i], 0, POL_MAX_LISTVALUES, "/v", "/", NULL);
		p = load_str(y, err, sizeof(err), &r);
		if (r != 0)
			fail_msg("%s: %s", ops[i], err);
		assert_int_equal(p->hooks[0].selectors[0].matchargs[0].nvalues,
		    POL_MAX_LISTVALUES);
		policy_free(p);
		free(y);
		y = list_policy(ops[i], 0, POL_MAX_LISTVALUES + 1, "/v", "/",
		    NULL);
		p = load_str(y, err, sizeof(err), &r);
		snprintf(want, sizeof(want), "mem.yaml:16:9: values: %d "
		    "entries; at most %d (POL_MAX_LISTVALUES)",
		    POL_MAX_LISTVALUES + 1, POL_MAX_LISTVALUES);
		if (strcmp(err, want) != 0)
			fail_msg("%s: got %s", ops[i], err);
		free(y);
	}
	/* integer Equal: the same */
	y = list_policy("Equal", 1, 9, "", "", NULL);
	p = load_str(y, err, sizeof(err), &r);
	assert_int_equal(r, 0);
	policy_free(p);
	free(y);
	/* the others keep POL_MAX_VALUES */
	y = list_policy("Mask", 1, POL_MAX_VALUES + 1, "", "", NULL);
	p = load_str(y, err, sizeof(err), &r);
	assert_string_equal(err, "mem.yaml:16:9: values: 5 entries; at most "
	    "4 (POL_MAX_VALUES)");
	free(y);
	/* a Prefix value of POL_MAX_PREFIX_LIST + 1 bytes: refused in a
	 * list of 5, at the value; accepted in a list of 4 and alone at
	 * POL_MAX_PREFIX_LIST */
	memset(lng, 'a', sizeof(lng) - 1);
	lng[0] = '/';
	lng[sizeof(lng) - 1] = '\0';
	y = list_policy("Prefix", 0, POL_MAX_VALUES, "/v", "/", lng);
	p = load_str(y, err, sizeof(err), &r);
	assert_string_equal(err, "mem.yaml:20:11: Prefix value: 253 bytes; a "
	    "list of more than 4 values is matched in an LPM trie whose keys "
	    "hold at most 252 bytes of a value (POL_MAX_PREFIX_LIST)");
	free(y);
	y = list_policy("Prefix", 0, POL_MAX_VALUES - 1, "/v", "/", lng);
	p = load_str(y, err, sizeof(err), &r);
	assert_int_equal(r, 0);
	policy_free(p);
	free(y);
	lng[POL_MAX_PREFIX_LIST] = '\0';
	y = list_policy("NotPrefix", 0, POL_MAX_VALUES, "/v", "/", lng);
	p = load_str(y, err, sizeof(err), &r);
	assert_int_equal(r, 0);
	policy_free(p);
	free(y);
}

static const char *const inline_bad[][2] = {
	{ "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n"
	  "  name: x\nspec:\n  kprobes:\n  - call: sys_dup\n    call: y\n",
	  "mem.yaml:8:5: kprobes: duplicate key 'call' (first at line 7)" },
	{ "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n"
	  "  name: x\nspec:\n  tracepoints:\n  - subsystem: a\n    event: b\n"
	  "    args: [{index: 4}]\n    selectors:\n    - matchArgs:\n"
	  "      - {index: 0, operator: GT, values: [\"big\"]}\n",
	  "mem.yaml:12:43: value 'big' is not an integer (the argument is of "
	  "type auto)" },
	{ "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n"
	  "  name: x\nspec:\n  kprobes:\n  - call: sys_dup\n    args: "
	  "[{index: 0, type: int}]\n    selectors:\n    - matchArgs:\n"
	  "      - {index: 0, operator: Equal, values: [\"-2147483649\"]}\n",
	  "mem.yaml:11:46: value '-2147483649' is out of range for int "
	  "(-2147483648 to 2147483647)" },
	{ "apiVersion: cilium.io/v1alpha1\nkind: !!map TracingPolicy\n",
	  "mem.yaml:2:7: kind: expected TracingPolicy or "
	  "TracingPolicyNamespaced" },
};

/*
 * The rules of the YAML walker shared with the config and alerts loaders
 * (test_config.c and test_alerts.c have the same cases): keys are
 * untagged, non-null scalars; a tag other than !!str makes no value; an
 * integer has no '+' and a '-' only where negatives are in range; a
 * string has no NUL byte.
 */
#define STRICT_HEAD	"apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n" \
			"metadata:\n  name: x\n"
#define STRICT_ARG(v)	STRICT_HEAD "spec:\n  kprobes:\n  - call: sys_dup\n" \
			"    args:\n    - index: " v "\n      type: int\n"

static void
test_strict_scalars(void **state)
{
	static const char *const cases[][2] = {
		{ "!!int apiVersion: cilium.io/v1alpha1\n",
		  "mem.yaml:1:1: TracingPolicy: expected a key (a plain "
		  "string)" },
		{ "~: x\n",
		  "mem.yaml:1:1: TracingPolicy: expected a key (a plain "
		  "string)" },
		{ STRICT_HEAD "spec:\n  !!int kprobes: []\n",
		  "mem.yaml:6:3: spec: expected a key (a plain string)" },
		{ STRICT_ARG("!!int 0"),
		  "mem.yaml:9:14: index: expected an integer from 0 to "
		  "2147483647" },
		{ STRICT_ARG("+0"),
		  "mem.yaml:9:14: index: expected an integer from 0 to "
		  "2147483647" },
		{ STRICT_ARG("-0"),
		  "mem.yaml:9:14: index: expected an integer from 0 to "
		  "2147483647" },
		{ "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n"
		  "metadata:\n  name: !!int 5\n",
		  "mem.yaml:4:9: metadata.name: expected a string" },
		{ "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n"
		  "metadata:\n  name: \"a\\0b\"\n",
		  "mem.yaml:4:9: metadata.name: string contains a NUL byte" },
	};
	struct policy *p;
	char	 err[1024];
	size_t	 i;
	int	 r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = load_str(cases[i][0], err, sizeof(err), &r);
		assert_int_equal(r, ERR_PARSE);
		assert_string_equal(err, cases[i][1]);
	}
	/* the same index written plain is fine */
	p = load_str(STRICT_ARG("0"), err, sizeof(err), &r);
	if (r != 0)
		fail_msg("%s", err);
	policy_free(p);
}

static void
test_inline(void **state)
{
	struct policy *p;
	char	 err[1024];
	size_t	 i;
	int	 r;

	for (i = 0; i < sizeof(inline_bad) / sizeof(inline_bad[0]); i++) {
		p = load_str(inline_bad[i][0], err, sizeof(err), &r);
		assert_int_equal(r, ERR_PARSE);
		assert_string_equal(err, inline_bad[i][1]);
	}
	/* AUTO: a non-numeric Equal value is a string, loaderd checks it
	 * against the field type */
	p = load_str("apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n"
	    "metadata:\n  name: x\nspec:\n  tracepoints:\n  - subsystem: a\n"
	    "    event: b\n    args: [{index: 5}]\n    selectors:\n"
	    "    - matchArgs:\n      - {index: 0, operator: Equal, values: "
	    "[AT_FDCWD, \"0x10\"]}\n", err, sizeof(err), &r);
	if (r != 0)
		fail_msg("%s", err);
	assert_string_equal(p->hooks[0].selectors[0].matchargs[0].values[0].str,
	    "AT_FDCWD");
	assert_int_equal(p->hooks[0].selectors[0].matchargs[0].values[0].is_num,
	    0);
	assert_string_equal(p->hooks[0].selectors[0].matchargs[0].values[1].str,
	    "0x10");
	assert_int_equal(p->hooks[0].selectors[0].matchargs[0].values[1].lo,
	    16);
	policy_free(p);

	/* truncated error buffer; NULL error buffer */
	p = load_str(inline_bad[0][0], err, 10, &r);
	assert_int_equal(r, ERR_PARSE);
	assert_int_equal(strlen(err), 9);
	assert_int_equal(policy_load_buf("m", inline_bad[0][0],
	    strlen(inline_bad[0][0]), &p, NULL, 0), ERR_PARSE);
	policy_free(NULL);
}

/* Several policies in one file, separated by "---" */
static const char multi_doc[] =
    "# two policies\n"
    "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n"
    "metadata:\n  name: one\nspec:\n  kprobes:\n"
    "  - call: sys_openat\n    args: [{index: 1, type: string}]\n"
    "---\n"
    "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\n"
    "metadata:\n  name: two\nspec:\n  tracepoints:\n"
    "  - {subsystem: sched, event: sched_process_exec}\n"
    "  - {subsystem: sched, event: sched_process_exit}\n"
    "---\n";

static void
test_multi_documents(void **state)
{
	struct policy **v, *p;
	char	 err[1024], *dup;
	size_t	 n, cut = strchr(strstr(multi_doc, "sys_openat"), '-') -
	    multi_doc;
	int	 r;

	/* both policies, each with its own document as source; the empty
	 * document of the trailing --- is no policy */
	r = policy_load_buf_all("m.yaml", multi_doc, strlen(multi_doc), &v,
	    &n, err, sizeof(err));
	if (r != 0)
		fail_msg("%s", err);
	assert_int_equal(n, 2);
	assert_string_equal(v[0]->name, "one");
	assert_int_equal(v[0]->nhooks, 1);
	assert_int_equal(v[0]->line, 2);
	assert_string_equal(v[1]->name, "two");
	assert_int_equal(v[1]->nhooks, 2);
	assert_int_equal(v[1]->line, 11);
	assert_int_equal(v[0]->srclen, cut);
	assert_memory_equal(v[0]->src, multi_doc, cut);
	assert_string_equal(v[1]->src, multi_doc + cut);
	policy_free_all(v, n);

	/* the one-policy interface refuses the second */
	r = policy_load_buf("m.yaml", multi_doc, strlen(multi_doc), &p, err,
	    sizeof(err));
	assert_int_equal(r, ERR_PARSE);
	assert_null(p);
	assert_string_equal(err, "m.yaml:11:1: a second policy (two): "
	    "expected one policy here");

	/* two policies of one name: refused at the second */
	dup = strdup(multi_doc);
	memcpy(strstr(dup, "name: two") + 6, "one", 3);
	r = policy_load_buf_all("d.yaml", dup, strlen(dup), &v, &n, err,
	    sizeof(err));
	assert_int_equal(r, ERR_PARSE);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_string_equal(err, "d.yaml:11:1: metadata.name 'one': the "
	    "policy at line 2 of this file has that name");
	free(dup);

	/* only empty documents: an empty file */
	r = policy_load_buf_all("e.yaml", "---\n---\n", 8, &v, &n, err,
	    sizeof(err));
	assert_int_equal(r, ERR_PARSE);
	assert_string_equal(err, "e.yaml:1:1: empty file: expected a "
	    "TracingPolicy");
}

static void
test_missing_file(void **state)
{
	struct policy *p;
	char	 err[1024], path[1200];

	snprintf(path, sizeof(path), "%s/policy/none.yaml", datadir);
	assert_int_equal(policy_load_file(path, &p, err, sizeof(err)),
	    ERR_SYS);
	assert_int_equal(errno, ENOENT);
	assert_null(p);
	assert_non_null(strstr(err, "none.yaml: No such file or directory"));
}

/*
 * Name tables
 */
static void
test_names(void **state)
{
	int	 nr, n = 0;
	const char *name;

	assert_int_equal(policy_syscall_nr("openat"), SYS_openat);
	assert_int_equal(policy_syscall_nr("sys_openat"), SYS_openat);
	assert_int_equal(policy_syscall_nr("__x64_sys_openat"), SYS_openat);
	assert_int_equal(policy_syscall_nr("sys_execve"), SYS_execve);
	assert_int_equal(policy_syscall_nr("read"), 0);
	assert_int_equal(policy_syscall_nr("__ia32_sys_dup"), -1);
	assert_int_equal(policy_syscall_nr("__x64_openat"), -1);
	assert_int_equal(policy_syscall_nr("sys_"), -1);
	assert_int_equal(policy_syscall_nr("frobnicate"), -1);
	assert_int_equal(policy_syscall_nr(NULL), -1);
	assert_string_equal(policy_syscall_name(SYS_bpf), "bpf");
	assert_null(policy_syscall_name(-1));
	assert_null(policy_syscall_name(100000));
	for (nr = 0; nr < 1024; nr++) {
		if ((name = policy_syscall_name(nr)) == NULL)
			continue;
		assert_int_equal(policy_syscall_nr(name), nr);
		n++;
	}
	assert_true(n >= 300);

	assert_string_equal(policy_hook_kind_name(POL_HOOK_RAW_TRACEPOINT),
	    "raw_tracepoint");
	assert_string_equal(policy_hook_kind_name(POL_HOOK_LSM), "lsm");
	assert_string_equal(policy_arg_type_name(POL_ARG_INT64), "int64");
	assert_string_equal(policy_arg_type_name(POL_ARG_MODULE), "module");
	assert_string_equal(policy_arg_type_name(POL_ARG_NONE), "none");
	assert_string_equal(policy_op_name(POL_OP_GT), "GreaterThan");
	assert_string_equal(policy_op_name(POL_OP_SUBSTRING_IGNCASE),
	    "SubStringIgnCase");
	assert_string_equal(policy_action_name(POL_ACT_DNSLOOKUP),
	    "DnsLookup");
	assert_string_equal(policy_action_name(POL_ACT_MAX_), "unknown");
	assert_string_equal(policy_action_json(POL_ACT_NOPOST),
	    "KPROBE_ACTION_NOPOST");
	assert_string_equal(policy_action_json(0), "KPROBE_ACTION_UNKNOWN");
}

/*
 * triplinectl policy lint (ctl/lint.c)
 */
int	lint_main(int, char **);

/* Run lint_main on argv, capturing stdout and stderr into out/err. */
static int
run_lint(char **argv, int argc, char *out, size_t outlen, char *err,
    size_t errlen)
{
	FILE	*fo, *fe;
	int	 so, se, r;
	size_t	 n;

	fo = tmpfile();
	fe = tmpfile();
	assert_non_null(fo);
	assert_non_null(fe);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	assert_true(so >= 0 && se >= 0);
	assert_true(dup2(fileno(fo), 1) == 1 && dup2(fileno(fe), 2) == 2);
	r = lint_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	assert_true(dup2(so, 1) == 1 && dup2(se, 2) == 2);
	close(so);
	close(se);
	rewind(fo);
	rewind(fe);
	n = fread(out, 1, outlen - 1, fo);
	out[n] = '\0';
	n = fread(err, 1, errlen - 1, fe);
	err[n] = '\0';
	fclose(fo);
	fclose(fe);
	return r;
}

static void
test_lint(void **state)
{
	char	 good[1200], notes[1200], bad[1200], want[4096];
	char	 out[8192], err[8192];
	char	*argv[5];

	snprintf(good, sizeof(good), "%s/policy/good/seed_passwd_followfd.yaml",
	    datadir);
	snprintf(notes, sizeof(notes), "%s/policy/good/callnotfound.yaml",
	    datadir);
	snprintf(bad, sizeof(bad), "%s/policy/bad/op_prefix_int.yaml",
	    datadir);
	argv[0] = "lint";
	argv[1] = good;
	argv[2] = bad;
	argv[3] = notes;
	argv[4] = NULL;
	assert_int_equal(run_lint(argv, 4, out, sizeof(out), err,
	    sizeof(err)), 1);
	snprintf(want, sizeof(want), "%s: OK: policy syswritefollowfdpsswd, "
	    "3 hooks\n%s: OK: policy callnotfound, 2 hooks (1 skipped: "
	    "ignore.callNotFound)\n%s:10:11: note: call 'sys_frobnicate' is "
	    "not an x86_64 syscall; hook skipped (ignore.callNotFound)\n",
	    good, notes, notes);
	assert_string_equal(out, want);
	snprintf(want, sizeof(want), "%s:19:19: operator Prefix does not "
	    "apply to index 0 of type int; expected one of: Equal, NotEqual, "
	    "Mask, GreaterThan, LessThan, InRange, NotInRange, InMap, "
	    "NotInMap\n", bad);
	assert_string_equal(err, want);

	argv[2] = NULL;
	assert_int_equal(run_lint(argv, 2, out, sizeof(out), err,
	    sizeof(err)), 0);
	assert_string_equal(err, "");
	argv[1] = NULL;
	assert_int_equal(run_lint(argv, 1, out, sizeof(out), err,
	    sizeof(err)), 2);
	assert_string_equal(err, "usage: triplinectl policy lint FILE...\n");
	argv[1] = "-x";
	assert_int_equal(run_lint(argv, 2, out, sizeof(out), err,
	    sizeof(err)), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_good_fixtures),
		cmocka_unit_test(test_tetragon_examples),
		cmocka_unit_test(test_examples_model),
		cmocka_unit_test(test_seed_models),
		cmocka_unit_test(test_changes_model),
		cmocka_unit_test(test_values_model),
		cmocka_unit_test(test_lists_model),
		cmocka_unit_test(test_macros_model),
		cmocka_unit_test(test_actions_model),
		cmocka_unit_test(test_notes_model),
		cmocka_unit_test(test_kinds_model),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_value_lists),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_multi_documents),
		cmocka_unit_test(test_strict_scalars),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_lint),
	};

	set_datadir();
	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
