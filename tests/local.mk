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
# matchNamespaceChanges, matchCapabilityChanges (unshare, capset, setuid)
INTEGRATION_TESTS += tests/integration/e2e_changes.sh
INTEGRATION_TESTS += tests/integration/e2e_metrics.sh
INTEGRATION_TESTS += tests/integration/e2e_rotate.sh

# makes exactly the system calls the policy tests name
check_PROGRAMS += tests/integration/trigger
tests_integration_trigger_SOURCES = tests/integration/trigger.c
tests_integration_trigger_CFLAGS = $(AM_CFLAGS) -O1 -g

if !ENABLE_FUZZING
if PRIVILEGED_TESTS
TESTS += $(UNIT_TESTS) $(INTEGRATION_TESTS)
else
TESTS += $(UNPRIVILEGED_TESTS)
endif
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
INTEGRATION_TESTS += tests/integration/vm_netlsm.sh tests/integration/vm_netlsm2.sh

# man pages (lint, options of the usage texts, configuration keys), what
# make install DESTDIR= installs, and make distcheck itself
INTEGRATION_TESTS += tests/integration/man_pages.sh \
	tests/integration/install.sh tests/integration/distcheck.sh
# what make check runs in make distcheck's build (--disable-privileged-tests):
# parsers on the distributed test data, the pages, the installed tree
UNPRIVILEGED_TESTS += tests/integration/man_pages.sh \
	tests/integration/install.sh
if HAVE_CMOCKA
UNPRIVILEGED_TESTS += tests/unit/test_config tests/unit/test_policy \
	tests/unit/test_alerts
endif
# what they need to know of the build: the pages, the installation dirs
AM_TESTS_ENVIRONMENT += \
	MAN_PAGES='$(man_MANS) $(dist_man_MANS)'; export MAN_PAGES; \
	inst_sbindir='$(sbindir)' inst_pkglibexecdir='$(pkglibexecdir)' \
	inst_mandir='$(mandir)' inst_pkgdatadir='$(pkgdatadir)' \
	inst_docdir='$(docdir)' inst_sysconfdir='$(sysconfdir)' \
	inst_unitdir='$(systemdsystemunitdir)' inst_sysusersdir='$(sysusersdir)' \
	inst_tmpfilesdir='$(tmpfilesdir)' \
	inst_vendorpolicies='$(dist_vendorpolicies_DATA)' \
	inst_examplepolicies='$(dist_examplepolicies_DATA)' \
	inst_docs='$(doc_DATA)' PACKAGE_TARNAME='$(PACKAGE_TARNAME)' \
	PACKAGE_VERSION='$(PACKAGE_VERSION)'; \
	export inst_sbindir inst_pkglibexecdir inst_mandir inst_pkgdatadir \
	inst_docdir inst_sysconfdir inst_unitdir inst_sysusersdir \
	inst_tmpfilesdir inst_vendorpolicies inst_examplepolicies inst_docs \
	PACKAGE_TARNAME PACKAGE_VERSION;
# reload (SIGHUP, triplinectl reload): policies and the alerts file
INTEGRATION_TESTS += tests/integration/e2e_reload.sh
if HAVE_CMOCKA
UNPRIVILEGED_TESTS += tests/unit/test_reload_plan
endif
# loaderd under a service manager: READY=1, STATUS, the watchdog, the
# start-up deadline, journald priorities (sd_notify listener in Python)
INTEGRATION_TESTS += tests/integration/e2e_systemd.sh
EXTRA_DIST += tests/lib/sdlisten.py
# the Debian package: build, lintian, install, run and purge in a fresh
# Debian 12 root booted by systemd-nspawn (docs/debian.md)
INTEGRATION_TESTS += tests/integration/deb_package.sh
INTEGRATION_TESTS += tests/integration/e2e_retention.sh
INTEGRATION_TESTS += tests/integration/e2e_diskfull.sh
# log shipping: RFC 5424 syslog over TCP, UDP and TLS and imfile on the
# JSON export, against a real rsyslogd on 127.0.0.1
INTEGRATION_TESTS += tests/integration/e2e_syslog.sh
# long string / integer value lists (string maps, InMap) end to end
INTEGRATION_TESTS += tests/integration/e2e_strlists.sh
# triplinectl tail --json across rotation and truncation (no daemon)
INTEGRATION_TESTS += tests/integration/ctl_tail_json.sh
# the conformance tables of docs/policy-reference.md against every name
# the policy parser's tables accept (no root: also in make distcheck)
check_PROGRAMS += tests/integration/policy_names
tests_integration_policy_names_SOURCES = tests/integration/policy_names.c
tests_integration_policy_names_LDADD = $(COMMON_LIBS)
INTEGRATION_TESTS += tests/integration/policy_conformance.sh
UNPRIVILEGED_TESTS += tests/integration/policy_conformance.sh
if HAVE_CMOCKA
# the aliases of argument types and operators (the conformance table's
# alias rows)
check_PROGRAMS += tests/unit/test_policy_names
tests_unit_test_policy_names_SOURCES = tests/unit/test_policy_names.c
tests_unit_test_policy_names_CFLAGS = $(COMMON_TEST_CFLAGS)
tests_unit_test_policy_names_LDADD = $(COMMON_TEST_LIBS)
UNIT_TESTS += tests/unit/test_policy_names
UNPRIVILEGED_TESTS += tests/unit/test_policy_names
endif
# the shipped default policies: successes vs attempts, etc-writes on the
# kernel's path (CI kernel)
INTEGRATION_TESTS += tests/integration/e2e_defaults.sh

# unreadable user memory at sys_enter: the call is re-read at sys_exit
INTEGRATION_TESTS += tests/integration/e2e_unread.sh
check_PROGRAMS += tests/integration/unreadarg
tests_integration_unreadarg_SOURCES = tests/integration/unreadarg.c
tests_integration_unreadarg_CFLAGS = $(AM_CFLAGS) -pthread
tests_integration_unreadarg_LDFLAGS = -pthread
# Tetragon constructs: uprobe return probes
INTEGRATION_TESTS += tests/integration/e2e_tetra.sh
# resolve and btfType through the kernel's BTF (raw tracepoints here)
INTEGRATION_TESTS += tests/integration/e2e_resolve.sh
# Tetragon's example policies, verbatim, that run on this kernel
INTEGRATION_TESTS += tests/integration/e2e_examples.sh
# SubString / SubStringIgnCase on syscall kprobes, tracepoints, uprobes
INTEGRATION_TESTS += tests/integration/e2e_substr.sh
INTEGRATION_TESTS += tests/integration/vm_substr.sh
# usdts: a program with SystemTap SDT probes (systemtap-sdt-dev)
INTEGRATION_TESTS += tests/integration/e2e_usdt.sh
check_PROGRAMS += tests/integration/usdtprobe
tests_integration_usdtprobe_SOURCES = tests/integration/usdtprobe.c \
	tests/integration/usdtsem.c
tests_integration_usdtprobe_CFLAGS = $(AM_CFLAGS) -O1 -g
# constructs of the policy language proven from both sides (Conformance)
INTEGRATION_TESTS += tests/integration/e2e_conform.sh
# kernel object arguments and FileType on kprobes (VM guests: kprobes)
INTEGRATION_TESTS += tests/integration/vm_objargs.sh
# Override decided again on the kernel's copy: a racing thread flipping the
# path (VM)
INTEGRATION_TESTS += tests/integration/vm_race.sh
check_PROGRAMS += tests/integration/racer
tests_integration_racer_SOURCES = tests/integration/racer.c
tests_integration_racer_CFLAGS = $(AM_CFLAGS) -pthread
tests_integration_racer_LDFLAGS = -pthread
# the argument of an enforcing syscall hook read again at sys_exit: raced
# (CI kernel)
INTEGRATION_TESTS += tests/integration/e2e_race.sh
# the BPF objects against 6.1's combined stack limit
INTEGRATION_TESTS += tests/integration/bpf_stack.sh
EXTRA_DIST += tests/bpf/stackcheck.py
# Post kernelStackTrace / userStackTrace: a program with a known call
# chain built with frame pointers
INTEGRATION_TESTS += tests/integration/e2e_stack.sh
check_PROGRAMS += tests/integration/stackprobe
tests_integration_stackprobe_SOURCES = tests/integration/stackprobe.c
tests_integration_stackprobe_CFLAGS = $(AM_CFLAGS) -O1 -g \
	-fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fno-optimize-sibling-calls
