/*
 * ctl/lint.c -- `triplinectl policy lint FILE...`: parse and validate
 * TracingPolicy files without loading them (common/policy.c; the answer
 * does not depend on the running kernel: loaderd refuses what this kernel
 * cannot run when the policy is added).
 *
 * For each file prints "FILE: OK: policy NAME, N hooks" (and each note:
 * accepted settings that have no effect here) on stdout, or the error
 * "FILE:LINE:COL: message" on stderr.  Returns 0 if every file is valid,
 * 1 if any is not, 2 on a usage error.
 */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "policy.h"

int	lint_main(int, char **);

static void
lint_usage(void)
{
	fprintf(stderr, "usage: triplinectl policy lint FILE...\n");
}

/* One policy of path: "PATH: OK: policy NAME, N hooks", its notes. */
static void
lint_policy(const char *path, const struct policy *p)
{
	size_t		 i, skipped = 0;

	for (i = 0; i < p->nhooks; i++)
		if (p->hooks[i].kind == POL_HOOK_KPROBE &&
		    p->hooks[i].syscall && p->hooks[i].syscall_nr < 0)
			skipped++;
	printf("%s: OK: policy %s, %zu hook%s", path, p->name, p->nhooks,
	    p->nhooks == 1 ? "" : "s");
	if (skipped > 0)
		printf(" (%zu skipped: ignore.callNotFound)", skipped);
	if (p->mode == POL_MODE_MONITOR)
		printf(", policy-mode monitor");
	putchar('\n');
	for (i = 0; i < p->nnotes; i++)
		printf("%s\n", p->notes[i]);
}

/* Every policy of path (documents separated by ---). */
static int
lint_file(const char *path)
{
	struct policy	**v;
	char		  err[1024];
	size_t		  i, n;

	if (policy_load_file_all(path, &v, &n, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	for (i = 0; i < n; i++)
		lint_policy(path, v[i]);
	policy_free_all(v, n);
	return 0;
}

int
lint_main(int argc, char **argv)
{
	int	 i, failed = 0;

	if (argc > 1 && strcmp(argv[1], "--") == 0) {
		argc--;
		argv++;
	} else if (argc > 1 && argv[1][0] == '-' && argv[1][1] != '\0') {
		lint_usage();
		return 2;
	}
	if (argc < 2) {
		lint_usage();
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (lint_file(argv[i]) != 0)
			failed = 1;
	fflush(stdout);
	return failed;
}
