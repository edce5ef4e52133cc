/* tests/unit/test_reload_plan.c -- what a reload does to the running
 * policy set (loaderd/reload_plan.c): unchanged, changed, new, removed,
 * broken files and directories, and the start-up order's "a later file of
 * the same name wins". */
#include "build.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "loaderd/reload_plan.h"

#define RUN(n, f, t)	{ n, f, t, sizeof(t) - 1 }
#define OK(p, n, t)	{ RP_SRC_OK, p, n, t, sizeof(t) - 1 }
#define BAD(p)		{ RP_SRC_BROKEN, p, NULL, NULL, 0 }
#define BADDIR(p)	{ RP_SRC_BROKEN_DIR, p, NULL, NULL, 0 }
#define N(a)		(sizeof(a) / sizeof((a)[0]))

/* The actions as one string: "keep:a add:b delete:c ..." (names). */
static char *
plan_str(const struct rp_running *run, size_t nrun,
    const struct rp_source *src, size_t nsrc, struct rp_action **ap,
    size_t *np)
{
	static const char *const names[] = { "keep", "stay", "replace",
	    "add", "delete" };
	static char	 buf[1024];
	struct rp_action *a;
	size_t		 n, i;
	const char	*nm;

	n = reload_plan(run, nrun, src, nsrc, &a);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (a[i].act == RP_ADD || a[i].act == RP_REPLACE ||
		    a[i].act == RP_KEEP)
			nm = src[a[i].src].name;
		else
			nm = run[a[i].run].name;
		if (i > 0)
			strcat(buf, " ");
		strcat(buf, names[a[i].act]);
		strcat(buf, ":");
		strcat(buf, nm);
	}
	if (ap != NULL) {
		*ap = a;
		*np = n;
	} else
		free(a);
	return buf;
}

static void
t_unchanged_changed_new_removed(void **state)
{
	const struct rp_running run[] = {
		RUN("same", "/d/same.yaml", "A"),
		RUN("changed", "/d/changed.yaml", "B"),
		RUN("gone", "/d/gone.yaml", "C"),
	};
	const struct rp_source src[] = {
		OK("/d/changed.yaml", "changed", "B2"),
		OK("/d/new.yaml", "new", "D"),
		OK("/d/same.yaml", "same", "A"),
	};

	assert_string_equal(plan_str(run, N(run), src, N(src), NULL, NULL),
	    "replace:changed add:new keep:same delete:gone");
}

/* Same length, one byte different: changed.  Unknown text: changed. */
static void
t_text_compare(void **state)
{
	const struct rp_running run[] = {
		RUN("a", "/d/a.yaml", "xyz"),
		{ "b", "/d/b.yaml", NULL, 0 },
	};
	const struct rp_source src[] = {
		OK("/d/a.yaml", "a", "xyZ"),
		OK("/d/b.yaml", "b", ""),
	};

	assert_string_equal(plan_str(run, N(run), src, N(src), NULL, NULL),
	    "replace:a replace:b");
}

/* A broken file: what runs from it stays; nothing else from it. */
static void
t_broken_file(void **state)
{
	const struct rp_running run[] = {
		RUN("p", "/d/p.yaml", "P"),
		RUN("q", "/d/q.yaml", "Q"),
	};
	const struct rp_source src[] = {
		BAD("/d/p.yaml"),
		BAD("/d/new-broken.yaml"),
	};

	assert_string_equal(plan_str(run, N(run), src, N(src), NULL, NULL),
	    "stay:p delete:q");
}

/* A directory that cannot be listed keeps its files' policies, not the
 * ones of a subdirectory or of a directory with a longer name. */
static void
t_broken_dir(void **state)
{
	const struct rp_running run[] = {
		RUN("in", "/v/in.yaml", "1"),
		RUN("sub", "/v/sub/x.yaml", "2"),
		RUN("other", "/vv/o.yaml", "3"),
	};
	const struct rp_source src[] = { BADDIR("/v") };

	assert_string_equal(plan_str(run, N(run), src, N(src), NULL, NULL),
	    "stay:in delete:sub delete:other");
	assert_int_equal(reload_path_in_dir("/v/a.yaml", "/v"), 1);
	assert_int_equal(reload_path_in_dir("/v/", "/v"), 0);
	assert_int_equal(reload_path_in_dir("/v", "/v"), 0);
}

/* Start-up order: a later source of the same name wins, in the place of
 * the first; a broken later file keeps its running version over an
 * earlier valid one. */
static void
t_order(void **state)
{
	const struct rp_running run[] = {
		RUN("x", "/etc/x.yaml", "late"),
	};
	const struct rp_source src[] = {
		OK("/vendor/x.yaml", "x", "early"),
		OK("/vendor/y.yaml", "y", "Y"),
		OK("/etc/x.yaml", "x", "late"),
	};
	const struct rp_source src2[] = {
		OK("/vendor/x.yaml", "x", "early"),
		BAD("/etc/x.yaml"),
	};

	assert_string_equal(plan_str(run, N(run), src, N(src), NULL, NULL),
	    "keep:x add:y");
	assert_string_equal(plan_str(run, N(run), src2, N(src2), NULL, NULL),
	    "stay:x");
}

/* The same document under a new file name (moved): kept, not reloaded;
 * a renamed policy: the new name added, the old deleted afterwards. */
static void
t_moved_renamed(void **state)
{
	const struct rp_running run[] = {
		RUN("m", "/old/m.yaml", "M"),
		RUN("old", "/d/r.yaml", "R"),
	};
	const struct rp_source src[] = {
		OK("/new/m.yaml", "m", "M"),
		OK("/d/r.yaml", "renamed", "R2"),
	};
	struct rp_action *a;
	size_t		 n;

	assert_string_equal(plan_str(run, N(run), src, N(src), &a, &n),
	    "keep:m add:renamed delete:old");
	assert_int_equal(a[0].src, 0);
	assert_int_equal(a[0].run, 0);
	free(a);
}

/* A new version that fails to load keeps its file's running policies:
 * their deletion becomes "stay"; other files' deletions are untouched. */
static void
t_failed_load(void **state)
{
	const struct rp_running run[] = {
		RUN("old", "/d/r.yaml", "R"),
		RUN("gone", "/d/g.yaml", "G"),
	};
	const struct rp_source src[] = {
		OK("/d/r.yaml", "renamed", "R2"),
	};
	struct rp_action *a;
	size_t		 n;

	assert_string_equal(plan_str(run, N(run), src, N(src), &a, &n),
	    "add:renamed delete:old delete:gone");
	assert_int_equal(reload_plan_failed(a, n, run, "/d/r.yaml"), 1);
	assert_int_equal(a[1].act, RP_STAY);
	assert_int_equal(a[2].act, RP_DELETE);
	assert_int_equal(reload_plan_failed(a, n, run, "/d/none.yaml"), 0);
	free(a);
}

static void
t_empty(void **state)
{
	const struct rp_running run[] = { RUN("a", "/d/a.yaml", "A") };

	assert_string_equal(plan_str(NULL, 0, NULL, 0, NULL, NULL), "");
	assert_string_equal(plan_str(run, N(run), NULL, 0, NULL, NULL),
	    "delete:a");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_unchanged_changed_new_removed),
		cmocka_unit_test(t_text_compare),
		cmocka_unit_test(t_broken_file),
		cmocka_unit_test(t_broken_dir),
		cmocka_unit_test(t_order),
		cmocka_unit_test(t_moved_renamed),
		cmocka_unit_test(t_failed_load),
		cmocka_unit_test(t_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
