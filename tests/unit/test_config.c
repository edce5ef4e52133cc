/* tests/unit/test_config.c -- tripline.yaml loader: values, defaults and
 * the exact FILE:LINE:COL of every kind of error. */
#include "build.h"

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

#include "config.h"
#include "err.h"
#include "sandbox.h"

#define CFGDIR	TEST_DATADIR "/config/"

static void
test_defaults(void **state)
{
	struct tripline_config cfg;
	char	 host[256];

	config_defaults(&cfg);
	assert_string_equal(cfg.state_dir, PKG_STATEDIR);
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	assert_string_equal(cfg.node_name, host);
	assert_string_equal(cfg.collector_user, "tripline");
	assert_string_equal(cfg.notifier_user, "tripline-notify");
	assert_int_equal(cfg.ringbuf_size, 8U << 20);
	assert_int_equal(cfg.ringbuf_size, CONFIG_DEFAULT_RINGBUF);
	assert_int_equal(cfg.sandbox_mode, SANDBOX_ENFORCE);
	assert_int_equal(cfg.export_json, 1);
	assert_int_equal(cfg.batch_ms, 200);
	assert_int_equal(cfg.batch_rows, 10000);
	assert_null(cfg.metrics_file);
	assert_int_equal(cfg.metrics_interval_s, 15);
	assert_int_equal(cfg.export_max_size, 0);
	assert_int_equal(cfg.export_keep, 5);
	assert_int_equal(cfg.max_age_s, 0);
	assert_int_equal(cfg.max_size, 0);
	assert_int_equal(cfg.min_free, 64ULL << 20);
	assert_int_equal(cfg.min_free_pct, 0);
	config_clear(&cfg);
	assert_null(cfg.state_dir);
	config_clear(&cfg);
	config_clear(NULL);
}

static void
test_good(void **state)
{
	struct tripline_config cfg;
	char	 err[512];

	config_defaults(&cfg);
	assert_int_equal(config_load(CFGDIR "good.yaml", &cfg, err,
	    sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(cfg.state_dir, "/srv/tripline");
	assert_string_equal(cfg.node_name, "node-1.example");
	assert_int_equal(cfg.ringbuf_size, 16U << 20);
	assert_int_equal(cfg.sandbox_mode, SANDBOX_TRAP);
	assert_string_equal(cfg.collector_user, "tl-collect");
	assert_string_equal(cfg.notifier_user, "tl-notify");
	assert_int_equal(cfg.export_json, 0);
	assert_int_equal(cfg.batch_ms, 500);
	assert_int_equal(cfg.batch_rows, 2000);
	assert_string_equal(cfg.metrics_file,
	    "/var/lib/node-exporter/tripline.prom");
	assert_int_equal(cfg.metrics_interval_s, 30);
	assert_string_equal(cfg.syslog.target, "tls://[::1]:6514");
	assert_int_equal(cfg.syslog.facility, 10);
	assert_string_equal(cfg.syslog.app_name, "tripline-edge");
	assert_string_equal(cfg.syslog.ca_file, "/etc/tripline/syslog-ca.pem");
	assert_int_equal(cfg.syslog.max_backlog, 5000);
	assert_int_equal(cfg.syslog.timeout_ms, 1500);
	config_clear(&cfg);
}

/* The target syntax the notifier and loaderd share. */
static void
test_syslog_target(void **state)
{
	struct syslog_target t;

	assert_int_equal(syslog_target_parse("udp://127.0.0.1:514", &t), 0);
	assert_int_equal(t.proto, SYSLOG_UDP);
	assert_string_equal(t.host, "127.0.0.1");
	assert_string_equal(t.port, "514");
	assert_int_equal(syslog_target_parse("tcp://logs.example:10514",
	    &t), 0);
	assert_int_equal(t.proto, SYSLOG_TCP);
	assert_int_equal(syslog_target_parse("tls://[::1]:6514", &t), 0);
	assert_int_equal(t.proto, SYSLOG_TLS);
	assert_string_equal(t.host, "::1");
	assert_int_equal(syslog_target_parse("tcp://h:65536", &t), ERR_PARSE);
	assert_int_equal(syslog_target_parse("tcp://h", &t), ERR_PARSE);
	assert_int_equal(syslog_target_parse("tcp://:514", &t), ERR_PARSE);
	assert_int_equal(syslog_target_parse("tcp://h/x:514", &t), ERR_PARSE);
	assert_int_equal(syslog_target_parse("tcp://::1:514", &t), ERR_PARSE);
	assert_int_equal(syslog_target_parse("relp://h:514", &t), ERR_PARSE);
	assert_int_equal(syslog_facility_parse("local7"), 23);
	assert_int_equal(syslog_facility_parse("kern"), 0);
	assert_int_equal(syslog_facility_parse("local8"), -1);
	assert_true(syslog_app_ok("tripline"));
	assert_false(syslog_app_ok("trip line"));
	assert_false(syslog_app_ok(""));
}

static void
test_partial_and_empty(void **state)
{
	struct tripline_config cfg;
	char	 err[512];

	config_defaults(&cfg);
	assert_int_equal(config_load(CFGDIR "good_partial.yaml", &cfg, err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.ringbuf_size, 65536);
	assert_int_equal(cfg.batch_rows, 1000000);
	assert_int_equal(cfg.batch_ms, 200);			/* default */
	assert_int_equal(cfg.export_json, 1);
	assert_string_equal(cfg.collector_user, "tripline");	/* default */
	assert_int_equal(cfg.sandbox_mode, SANDBOX_ENFORCE);

	/* layering: a second file applies over the first */
	assert_int_equal(config_load(CFGDIR "good_quoted.yaml", &cfg, err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.ringbuf_size, 1U << 30);
	assert_int_equal(cfg.sandbox_mode, SANDBOX_OFF);
	assert_int_equal(cfg.batch_ms, 1);
	assert_int_equal(cfg.batch_rows, 1000000);		/* kept */

	assert_int_equal(config_load(CFGDIR "good_empty.yaml", &cfg, err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.ringbuf_size, 1U << 30);
	config_clear(&cfg);
}

static void
test_failure_keeps_config(void **state)
{
	struct tripline_config cfg;
	char	 err[512];

	config_defaults(&cfg);
	/* bad_batch_zero sets nothing valid; bad_sandbox has a valid
	 * node_name before the error: neither may leak into cfg */
	assert_int_equal(config_load(CFGDIR "bad_sandbox.yaml", &cfg, err,
	    sizeof(err)), ERR_PARSE);
	assert_string_not_equal(cfg.node_name, "n");
	assert_string_equal(cfg.collector_user, "tripline");
	assert_int_equal(cfg.sandbox_mode, SANDBOX_ENFORCE);
	config_clear(&cfg);
}

static void
test_missing_file(void **state)
{
	struct tripline_config cfg;
	char	 err[512];

	config_defaults(&cfg);
	assert_int_equal(config_load(CFGDIR "does-not-exist.yaml", &cfg, err,
	    sizeof(err)), ERR_SYS);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(err, CFGDIR "does-not-exist.yaml: "
	    "No such file or directory");
	/* a NULL/zero error buffer is allowed */
	assert_int_equal(config_load(CFGDIR "bad_tag.yaml", &cfg, NULL, 0),
	    ERR_PARSE);
	config_clear(&cfg);
}

struct bad_case {
	const char	*file;
	const char	*where;		/* "LINE:COL" */
	const char	*msg;		/* exact message after the position */
};

static const struct bad_case bad_cases[] = {
	{ "bad_unknown_key.yaml", "2:1", "configuration: unknown key "
	    "'colour'; expected one of: state_dir, node_name, "
	    "ring_buffer_size, sandbox, users, export, store, alerts_file, "
	    "retention, metrics, syslog, expose_stack_addresses" },
	{ "bad_syslog_target.yaml", "2:11", "syslog.target: expected "
	    "udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT" },
	{ "bad_syslog_port.yaml", "2:11", "syslog.target: expected "
	    "udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT" },
	{ "bad_syslog_facility.yaml", "3:13", "syslog.facility: expected a "
	    "facility name (kern, user, daemon, auth, authpriv, local0 ... "
	    "local7, ...)" },
	{ "bad_export_max_size.yaml", "2:13",
	    "export.max_size: expected a size from 64K to 1T" },
	{ "bad_export_keep.yaml", "2:9",
	    "export.keep: expected an integer from 1 to 100" },
	{ "bad_metrics_relative.yaml", "2:9",
	    "metrics.file: expected an absolute path" },
	{ "bad_metrics_interval.yaml", "2:15",
	    "metrics.interval_s: expected an integer from 1 to 3600" },
	{ "bad_metrics_key.yaml", "2:3", "metrics: unknown key 'path'; "
	    "expected one of: file, interval_s" },
	{ "bad_duplicate.yaml", "4:3",
	    "store: duplicate key 'batch_ms' (first at line 3)" },
	{ "bad_duplicate_top.yaml", "2:1",
	    "configuration: duplicate key 'sandbox' (first at line 1)" },
	{ "bad_ring_pow2.yaml", "1:19",
	    "ring_buffer_size: expected a power of two from 4096 to 1G" },
	{ "bad_ring_small.yaml", "1:19",
	    "ring_buffer_size: expected a power of two from 4096 to 1G" },
	{ "bad_ring_large.yaml", "1:19",
	    "ring_buffer_size: expected a power of two from 4096 to 1G" },
	{ "bad_ring_quoted.yaml", "1:19", "ring_buffer_size: expected a size "
	    "in bytes (integer, optionally with a K, M or G suffix)" },
	{ "bad_ring_suffix.yaml", "1:19", "ring_buffer_size: expected a size "
	    "in bytes (integer, optionally with a K, M or G suffix)" },
	{ "bad_sandbox.yaml", "2:10",
	    "sandbox: expected one of enforce, trap, log, off" },
	{ "bad_bool.yaml", "2:9",
	    "export.json: expected a boolean (true or false)" },
	{ "bad_batch_zero.yaml", "2:15",
	    "store.batch_rows: expected an integer from 1 to 1000000" },
	{ "bad_batch_ms.yaml", "2:13",
	    "store.batch_ms: expected an integer from 1 to 60000" },
	{ "bad_batch_type.yaml", "1:19",
	    "store.batch_ms: expected an integer from 1 to 60000" },
	{ "bad_tag.yaml", "2:13",
	    "store.batch_ms: expected an integer from 1 to 60000" },
	{ "bad_users_type.yaml", "1:8", "users: expected a mapping" },
	{ "bad_users_seq.yaml", "2:14",
	    "users.collector: expected a string" },
	{ "bad_users_key.yaml", "2:3", "users: unknown key 'admin'; "
	    "expected one of: collector, notifier" },
	{ "bad_top_sequence.yaml", "1:1",
	    "expected a mapping of settings at top level" },
	{ "bad_syntax.yaml", "2:12",
	    "mapping values are not allowed in this context" },
	{ "bad_syntax_flow.yaml", "3:1", "did not find expected ',' or ']' "
	    "(while parsing a flow sequence at line 2)" },
	{ "bad_state_relative.yaml", "1:12",
	    "state_dir: expected an absolute path" },
	{ "bad_node_name.yaml", "1:12", "node_name: expected a name of at "
	    "most 253 letters, digits, '.', '-' or '_' (not first)" },
	{ "bad_node_null.yaml", "1:12", "node_name: expected a string" },
	{ "bad_state_bool.yaml", "1:12", "state_dir: expected a string" },
	{ "bad_two_documents.yaml", "3:1", "expected a single YAML document" },
};

static void
test_bad(void **state)
{
	struct tripline_config cfg;
	char	 err[512], want[1024], path[512];
	size_t	 i;
	int	 r;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", CFGDIR, bad_cases[i].file);
		snprintf(want, sizeof(want), "%s:%s: %s", path,
		    bad_cases[i].where, bad_cases[i].msg);
		config_defaults(&cfg);
		r = config_load(path, &cfg, err, sizeof(err));
		if (r != ERR_PARSE || strcmp(err, want) != 0)
			print_error("%s: got %d \"%s\"\n  want \"%s\"\n",
			    bad_cases[i].file, r, err, want);
		assert_int_equal(r, ERR_PARSE);
		assert_string_equal(err, want);
		config_clear(&cfg);
	}
}

static void
test_error_truncation(void **state)
{
	struct tripline_config cfg;
	char	 err[16];

	config_defaults(&cfg);
	memset(err, 'x', sizeof(err));
	assert_int_equal(config_load(CFGDIR "bad_sandbox.yaml", &cfg, err,
	    sizeof(err)), ERR_PARSE);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	config_clear(&cfg);
}

/*
 * The rules of the YAML walker shared with the policy and alerts loaders
 * (test_policy.c and test_alerts.c have the same cases): keys are
 * untagged, non-null scalars; a tag other than !!str makes no value; an
 * integer has no '+' and a '-' only where negatives are in range; a
 * string has no NUL byte.
 */
static void
test_strict_scalars(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "!!int sandbox: log\n",
		    "1:1: configuration: expected a key (a plain string)" },
		{ "~: log\n",
		    "1:1: configuration: expected a key (a plain string)" },
		{ "store:\n  !!int batch_ms: 5\n",
		    "2:3: store: expected a key (a plain string)" },
		{ "store:\n  batch_ms: !!int 100\n",
		    "2:13: store.batch_ms: expected an integer from 1 to 60000" },
		{ "store:\n  batch_ms: +100\n",
		    "2:13: store.batch_ms: expected an integer from 1 to 60000" },
		{ "store:\n  batch_ms: -0\n",
		    "2:13: store.batch_ms: expected an integer from 1 to 60000" },
		{ "node_name: !!int 5\n",
		    "1:12: node_name: expected a string" },
		{ "node_name: \"a\\0b\"\n",
		    "1:12: node_name: string contains a NUL byte" },
	};
	struct tripline_config cfg;
	char	 path[] = "/tmp/test_config.XXXXXX", err[512], want[1024];
	size_t	 i;
	FILE	*fp;
	int	 fd;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true((fd = mkstemp(path)) >= 0);
		assert_non_null(fp = fdopen(fd, "w"));
		fputs(cases[i].text, fp);
		fclose(fp);
		snprintf(want, sizeof(want), "%s:%s", path, cases[i].want);
		config_defaults(&cfg);
		assert_int_equal(config_load(path, &cfg, err, sizeof(err)),
		    ERR_PARSE);
		assert_string_equal(err, want);
		config_clear(&cfg);
		unlink(path);
		strcpy(path, "/tmp/test_config.XXXXXX");
	}
}

/* Write text to a temporary file and load it over the defaults: the
 * result of config_load, the message in err (position after the path). */
static int
load_text(const char *text, struct tripline_config *cfg, char *err,
    size_t errlen)
{
	char	 path[] = "/tmp/test_config.XXXXXX", e[1024];
	FILE	*fp;
	int	 fd, r;
	size_t	 n;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	fputs(text, fp);
	fclose(fp);
	config_defaults(cfg);
	r = config_load(path, cfg, e, sizeof(e));
	n = strlen(path);
	snprintf(err, errlen, "%s", strncmp(e, path, n) == 0 && e[n] == ':' ?
	    e + n + 1 : e);
	unlink(path);
	return r;
}

/* retention.*, store.min_free: values and units. */
static void
test_retention_keys(void **state)
{
	struct tripline_config cfg;
	char	 err[1024];

	assert_int_equal(load_text("retention:\n  max_age: 30d\n"
	    "  max_size: \"2G\"\nstore:\n  min_free: 5%\n", &cfg, err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.max_age_s, 30ULL * 86400);
	assert_int_equal(cfg.max_size, 2ULL << 30);
	assert_int_equal(cfg.min_free_pct, 5);
	assert_int_equal(cfg.min_free, 0);
	config_clear(&cfg);

	assert_int_equal(load_text("retention: {max_age: 90s, max_size: "
	    "1048576}\nstore: {min_free: 0}\n", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.max_age_s, 90);
	assert_int_equal(cfg.max_size, 1048576);
	assert_int_equal(cfg.min_free, 0);
	assert_int_equal(cfg.min_free_pct, 0);
	config_clear(&cfg);

	assert_int_equal(load_text("retention: {max_age: 12h, max_size: none}"
	    "\nstore: {min_free: 1T}\n", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.max_age_s, 12 * 3600);
	assert_int_equal(cfg.max_size, 0);
	assert_int_equal(cfg.min_free, 1ULL << 40);
	config_clear(&cfg);

	assert_int_equal(load_text("retention: {max_age: 5m}\n", &cfg, err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.max_age_s, 300);
	config_clear(&cfg);
}

static void
test_retention_refused(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "retention:\n  keep: 3\n", "2:3: retention: unknown key "
		    "'keep'; expected one of: max_age, max_size" },
		{ "retention: 30d\n", "1:12: retention: expected a mapping" },
		{ "retention: {max_age: 30}\n", "1:22: retention.max_age: "
		    "expected a duration: a whole number with a unit s, m, h "
		    "or d (90s, 30m, 12h, 30d), or none" },
		{ "retention: {max_age: 1w}\n", "1:22: retention.max_age: "
		    "expected a duration: a whole number with a unit s, m, h "
		    "or d (90s, 30m, 12h, 30d), or none" },
		{ "retention: {max_age: 1.5d}\n", "1:22: retention.max_age: "
		    "expected a duration: a whole number with a unit s, m, h "
		    "or d (90s, 30m, 12h, 30d), or none" },
		{ "retention: {max_age: 0s}\n", "1:22: retention.max_age: "
		    "expected a duration from 1s to 36500d" },
		{ "retention: {max_age: 36501d}\n", "1:22: retention.max_age: "
		    "expected a duration from 1s to 36500d" },
		{ "retention: {max_size: 1000K}\n", "1:23: retention.max_size:"
		    " expected a size from 1M to 1T" },
		{ "retention: {max_size: 2P}\n", "1:23: retention.max_size: "
		    "expected a size in bytes (integer, optionally with a K, "
		    "M, G or T suffix) or none" },
		{ "retention: {max_size: \"1048576\"}\n", "1:23: "
		    "retention.max_size: expected a size in bytes (integer, "
		    "optionally with a K, M, G or T suffix) or none" },
		{ "retention: {max_size: 2T}\n", "1:23: retention.max_size: "
		    "expected a size from 1M to 1T" },
		{ "retention: {max_size: \"none\"}\n", "1:23: "
		    "retention.max_size: expected a size in bytes (integer, "
		    "optionally with a K, M, G or T suffix) or none" },
		{ "export: {size: 100M}\n", "1:10: export: unknown key "
		    "'size'; expected one of: json, max_size, keep" },
		{ "store: {min_free: 51%}\n", "1:19: store.min_free: expected "
		    "a percentage from 1% to 50%" },
		{ "store: {min_free: 0%}\n", "1:19: store.min_free: expected "
		    "a percentage from 1% to 50%" },
		{ "store: {min_free: lots}\n", "1:19: store.min_free: expected"
		    " a size from 0 to 1T (integer, optionally with a K, M, G "
		    "or T suffix) or a percentage (5%)" },
		{ "store: {min_free: 2T}\n", "1:19: store.min_free: expected"
		    " a size from 0 to 1T (integer, optionally with a K, M, G "
		    "or T suffix) or a percentage (5%)" },
		{ "store: {min_free: none}\n", "1:19: store.min_free: expected"
		    " a size from 0 to 1T (integer, optionally with a K, M, G "
		    "or T suffix) or a percentage (5%)" },
	};
	struct tripline_config cfg;
	char	 err[1024];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (load_text(cases[i].text, &cfg, err, sizeof(err)) !=
		    ERR_PARSE || strcmp(err, cases[i].want) != 0)
			print_error("%s: got \"%s\"\n  want \"%s\"\n",
			    cases[i].text, err, cases[i].want);
		assert_string_equal(err, cases[i].want);
		/* nothing of a refused file applies */
		assert_int_equal(cfg.max_age_s, 0);
		assert_int_equal(cfg.min_free, 64ULL << 20);
		config_clear(&cfg);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_syslog_target),
		cmocka_unit_test(test_partial_and_empty),
		cmocka_unit_test(test_failure_keeps_config),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_error_truncation),
		cmocka_unit_test(test_strict_scalars),
		cmocka_unit_test(test_retention_keys),
		cmocka_unit_test(test_retention_refused),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
