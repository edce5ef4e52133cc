/*
 * tests/unit/test_policy_names.c -- the aliases of the policy language:
 * each Tetragon alias of an argument type or operator is parsed as the
 * same type or operator as its canonical name (whose effect the
 * integration tests prove), and a near miss (another case for a type, a
 * misspelling) is refused with FILE:LINE:COL.  The conformance table of
 * docs/policy-reference.md cites these cases for the alias rows.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "err.h"
#include "policy.h"

/* One kernel-function kprobe with arg 0 of type TYPE and, if OP is not
 * NULL, a matchArgs entry OP VALUE on it. */
static struct policy *
parse(const char *type, const char *op, const char *value, char *err,
    size_t errlen, int *r)
{
	struct policy *p = NULL;
	char	 yaml[1024];
	int	 n;

	n = snprintf(yaml, sizeof(yaml), "apiVersion: cilium.io/v1alpha1\n"
	    "kind: TracingPolicy\nmetadata:\n  name: alias\nspec:\n"
	    "  kprobes:\n  - call: fn\n    syscall: false\n    args:\n"
	    "    - index: 0\n      type: \"%s\"\n", type);
	if (op != NULL)
		snprintf(yaml + n, sizeof(yaml) - (size_t)n, "    selectors:\n"
		    "    - matchArgs:\n      - index: 0\n        operator: "
		    "\"%s\"\n        values: [\"%s\"]\n", op, value);
	*r = policy_load_buf("alias.yaml", yaml, strlen(yaml), &p, err,
	    errlen);
	if (*r != 0)
		assert_null(p);
	return p;
}

static const char *const type_aliases[][2] = {
	{ "sint32", "int" }, { "int32", "int" },
	{ "long", "int64" }, { "sint64", "int64" },
	{ "ulong", "uint64" }, { "unsigned long", "uint64" },
	{ "sint16", "int16" }, { "sint8", "int8" },
	{ "load_info", "module" },
	{ "cap_inheritable", "kernel_cap_t" },
	{ "cap_permitted", "kernel_cap_t" },
	{ "cap_effective", "kernel_cap_t" },
};

static void
test_type_aliases(void **state)
{
	struct policy *a, *c;
	char	 err[1024], upper[64];
	size_t	 i, j;
	int	 r;

	(void)state;
	for (i = 0; i < sizeof(type_aliases) / sizeof(type_aliases[0]); i++) {
		a = parse(type_aliases[i][0], NULL, NULL, err, sizeof(err), &r);
		if (r != 0)
			fail_msg("type %s: %s", type_aliases[i][0], err);
		c = parse(type_aliases[i][1], NULL, NULL, err, sizeof(err), &r);
		if (r != 0)
			fail_msg("type %s: %s", type_aliases[i][1], err);
		assert_int_equal(a->hooks[0].args[0].type,
		    c->hooks[0].args[0].type);
		assert_string_equal(policy_arg_type_name(
		    a->hooks[0].args[0].type), type_aliases[i][1]);
		policy_free(a);
		policy_free(c);
		/* type names are case-sensitive: SINT32 is no type */
		for (j = 0; type_aliases[i][0][j] != '\0' &&
		    j + 1 < sizeof(upper); j++)
			upper[j] = (char)(type_aliases[i][0][j] >= 'a' &&
			    type_aliases[i][0][j] <= 'z' ?
			    type_aliases[i][0][j] - 32 : type_aliases[i][0][j]);
		upper[j] = '\0';
		a = parse(upper, NULL, NULL, err, sizeof(err), &r);
		assert_int_equal(r, ERR_PARSE);
		assert_non_null(strstr(err, "alias.yaml:11:13: type: unknown "
		    "argument type"));
	}
}

/* alias, canonical, argument type, value */
static const char *const op_aliases[][4] = {
	{ "eq", "Equal", "int", "1" },
	{ "neq", "NotEqual", "int", "1" },
	{ "GT", "GreaterThan", "int", "1" },
	{ "gt", "GreaterThan", "int", "1" },
	{ "LT", "LessThan", "int", "1" },
	{ "lt", "LessThan", "int", "1" },
	{ "SubStringIgnoreCase", "SubStringIgnCase", "string", "x" },
	{ "prefix", "Prefix", "string", "/x" },
};

static void
test_op_aliases(void **state)
{
	struct policy *a, *c;
	char	 err[1024];
	size_t	 i;
	int	 r;

	(void)state;
	for (i = 0; i < sizeof(op_aliases) / sizeof(op_aliases[0]); i++) {
		a = parse(op_aliases[i][2], op_aliases[i][0], op_aliases[i][3],
		    err, sizeof(err), &r);
		if (r != 0)
			fail_msg("operator %s: %s", op_aliases[i][0], err);
		c = parse(op_aliases[i][2], op_aliases[i][1], op_aliases[i][3],
		    err, sizeof(err), &r);
		if (r != 0)
			fail_msg("operator %s: %s", op_aliases[i][1], err);
		assert_int_equal(a->hooks[0].selectors[0].matchargs[0].op,
		    c->hooks[0].selectors[0].matchargs[0].op);
		assert_string_equal(policy_op_name(
		    a->hooks[0].selectors[0].matchargs[0].op), op_aliases[i][1]);
		policy_free(a);
		policy_free(c);
	}
	/* a near miss is an unknown operator, at its position */
	a = parse("int", "eql", "1", err, sizeof(err), &r);
	assert_int_equal(r, ERR_PARSE);
	assert_string_equal(err, "alias.yaml:15:19: operator: unknown "
	    "operator 'eql'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_aliases),
		cmocka_unit_test(test_op_aliases),
	};

	return cmocka_run_group_tests_name("policy_names", tests, NULL, NULL);
}
