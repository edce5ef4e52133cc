/*
 * tests/integration/policy_names.c -- print every name the policy parser
 * accepts, walking the parser's own tables (policy_names_walk): one
 * "KIND NAME" a line, KIND one of key, type, operator, action, option.
 * Used by policy_conformance.sh; needs no root.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>

#include "policy_int.h"

static void
print_name(void *arg, const char *kind, const char *name)
{
	(void)arg;
	printf("%s %s\n", kind, name);
}

int
main(void)
{
	policy_names_walk(print_name, NULL);
	if (fflush(stdout) != 0 || ferror(stdout))
		return 1;
	return 0;
}
