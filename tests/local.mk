# Unit tests (cmocka, TAP) are added by each directory's local.mk to
# UNIT_TESTS; integration tests (TAP shell scripts) run the real daemons.
# Privileged BPF end-to-end tests exit 77 (skip) when not root; .ci/run
# treats any skip as a failure.
noinst_LIBRARIES += tests/lib/libtestutil.a
tests_lib_libtestutil_a_SOURCES = tests/lib/testutil.c tests/lib/testutil.h \
	tests/lib/testutil_bpf.c
tests_lib_libtestutil_a_CFLAGS = $(AM_CFLAGS) $(LIBBPF_CFLAGS)

INTEGRATION_TESTS += \
	tests/integration/e2e_process.sh \
	tests/integration/e2e_policy.sh \
	tests/integration/e2e_policy_more.sh \
	tests/integration/e2e_net.sh tests/integration/e2e_drops.sh \
	tests/integration/bpf_cfg.sh \
	tests/integration/vm_stock_kernels.sh \
	tests/integration/vm_enforce.sh
INTEGRATION_TESTS += tests/integration/e2e_supervise.sh
INTEGRATION_TESTS += tests/integration/sinks_selftest.sh tests/integration/e2e_alerts.sh tests/integration/e2e_alerts_restart.sh
# output escaping (C1, bidi controls) of a real file name, end to end
INTEGRATION_TESTS += tests/integration/e2e_escape.sh
INTEGRATION_TESTS += tests/integration/e2e_alerts_guard.sh
INTEGRATION_TESTS += tests/integration/e2e_alerts_flood.sh
# socket operators of matchArgs in the kernel (CI kernel; VM: kprobes)
EXTRA_DIST += tests/lib/netops.sh
INTEGRATION_TESTS += tests/integration/e2e_net_ops.sh tests/integration/vm_net.sh
# UDP and TCP packets through the cgroup_skb programs (__cgroup_bpf_run_filter_skb)
INTEGRATION_TESTS += tests/integration/e2e_udp.sh tests/integration/vm_udp.sh
# socket attribution (implicit tracking) on the CI kernel; TrackSock in a VM
INTEGRATION_TESTS += tests/integration/e2e_socktrack.sh tests/integration/vm_socktrack.sh
# char_iovec arguments (writev, readv, a uprobe)
INTEGRATION_TESTS += tests/integration/e2e_iovec.sh

# makes exactly the system calls the policy tests name
check_PROGRAMS += tests/integration/trigger
tests_integration_trigger_SOURCES = tests/integration/trigger.c
tests_integration_trigger_CFLAGS = $(AM_CFLAGS) -O1 -g

if !ENABLE_FUZZING
TESTS += $(UNIT_TESTS) $(INTEGRATION_TESTS)
endif
TEST_EXTENSIONS = .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT; \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir;
EXTRA_DIST += $(INTEGRATION_TESTS) tests/data tests/lib/testlib.sh tests/lib/sinks.sh tests/lib/vmsuite.sh \
	tests/sinks tests/vm tests/bpf/cfgcheck.py

# the store under crashes, a locked database and hostile files
INTEGRATION_TESTS += tests/integration/e2e_crash.sh tests/integration/store_hostile.sh
check_PROGRAMS += tests/integration/crashhost
tests_integration_crashhost_SOURCES = tests/integration/crashhost.c
tests_integration_crashhost_CFLAGS = $(AM_CFLAGS) $(LIBBPF_CFLAGS) $(SQLITE_CFLAGS)
tests_integration_crashhost_LDADD = loaderd/libloaderd.a $(COMMON_LIBS) \
	$(LIBBPF_LIBS) $(LIBEVENT_LIBS) $(SQLITE_LIBS)
# the connections view and tail for network events (tracepoint sock arg)
INTEGRATION_TESTS += tests/integration/e2e_connections.sh
# socket operators on lsmhooks and fentries (VM guests: BPF LSM, trampolines)
INTEGRATION_TESTS += tests/integration/vm_netlsm.sh
INTEGRATION_TESTS += tests/integration/e2e_retention.sh
INTEGRATION_TESTS += tests/integration/e2e_diskfull.sh
