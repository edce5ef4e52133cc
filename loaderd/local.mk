sbin_PROGRAMS += tripline-loaderd
noinst_LIBRARIES += loaderd/libloaderd.a
loaderd_libloaderd_a_SOURCES = \
	loaderd/bpf_load.c loaderd/bpf_load.h \
	loaderd/policy_load.c loaderd/policy_load.h loaderd/pl_int.h \
	loaderd/pl_features.c loaderd/pl_tracefs.c loaderd/pl_args.c \
	loaderd/pl_select.c loaderd/pl_compile.c loaderd/pl_override.c \
	loaderd/pl_net.c loaderd/pl_attach.c loaderd/pl_kstate.c \
	loaderd/pl_rawtp.c loaderd/pl_resolve.c loaderd/pl_usdt.c \
	loaderd/net_load.c loaderd/net_load.h \
	loaderd/spawn.c loaderd/spawn.h \
	loaderd/privs.c loaderd/privs.h loaderd/supervise.c \
	loaderd/sandbox_rules.c \
	loaderd/ctl.c loaderd/loaderd.h \
	loaderd/policies.c loaderd/policies_docs.c \
	loaderd/targets.c \
	loaderd/metrics.c loaderd/metrics.h \
	loaderd/jsonrot.c \
	loaderd/alertcfg.c loaderd/reload.c \
	loaderd/reload_plan.c loaderd/reload_plan.h
nodist_loaderd_libloaderd_a_SOURCES = $(BPF_SKELS)
loaderd_libloaderd_a_CFLAGS = $(AM_CFLAGS) $(LIBBPF_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(MSGPACK_CFLAGS) $(CAPNG_CFLAGS)
tripline_loaderd_SOURCES = loaderd/loaderd.c
tripline_loaderd_CFLAGS = $(loaderd_libloaderd_a_CFLAGS)
tripline_loaderd_LDADD = loaderd/libloaderd.a $(COMMON_LIBS) $(LIBBPF_LIBS) \
	$(LIBEVENT_LIBS)
man_MANS += loaderd/tripline-loaderd.8
EXTRA_DIST += loaderd/tripline-loaderd.8

if HAVE_CMOCKA
# needs root and bpf(): a TAP skip otherwise (.ci/run fails on skips)
check_PROGRAMS += tests/bpf/test_bpf_process
tests_bpf_test_bpf_process_SOURCES = tests/bpf/test_bpf_process.c
tests_bpf_test_bpf_process_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(LIBBPF_CFLAGS)
tests_bpf_test_bpf_process_LDADD = loaderd/libloaderd.a \
	tests/lib/libtestutil.a $(COMMON_LIBS) $(LIBBPF_LIBS) \
	$(LIBEVENT_LIBS) $(CMOCKA_LIBS) -lpthread
UNIT_TESTS += tests/bpf/test_bpf_process
endif

if HAVE_CMOCKA
# the generic policy programs with hand-written configs (no policy_load);
# needs root and bpf(): prints a TAP skip otherwise
check_PROGRAMS += tests/bpf/test_bpf_generic
tests_bpf_test_bpf_generic_SOURCES = tests/bpf/test_bpf_generic.c
nodist_tests_bpf_test_bpf_generic_SOURCES = bpf/process.skel.h \
	bpf/generic.skel.h
tests_bpf_test_bpf_generic_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(LIBBPF_CFLAGS)
tests_bpf_test_bpf_generic_LDADD = tests/lib/libtestutil.a $(COMMON_LIBS) \
	$(LIBBPF_LIBS) $(CMOCKA_LIBS)
UNIT_TESTS += tests/bpf/test_bpf_generic
endif

if HAVE_CMOCKA
# needs root and bpf(): prints a TAP skip otherwise
check_PROGRAMS += tests/bpf/test_policy_load
tests_bpf_test_policy_load_SOURCES = tests/bpf/test_policy_load.c
tests_bpf_test_policy_load_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(LIBBPF_CFLAGS)
tests_bpf_test_policy_load_LDADD = loaderd/libloaderd.a \
	tests/lib/libtestutil.a $(COMMON_LIBS) $(LIBBPF_LIBS) \
	$(LIBEVENT_LIBS) $(CMOCKA_LIBS) -lpthread
UNIT_TESTS += tests/bpf/test_policy_load
endif

if HAVE_CMOCKA
# network blocking through cgroup sock_addr programs, real connects to
# loopback; needs root and bpf(): prints a TAP skip otherwise
check_PROGRAMS += tests/bpf/test_net_block
tests_bpf_test_net_block_SOURCES = tests/bpf/test_net_block.c
tests_bpf_test_net_block_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(LIBBPF_CFLAGS)
tests_bpf_test_net_block_LDADD = loaderd/libloaderd.a \
	tests/lib/libtestutil.a $(COMMON_LIBS) $(LIBBPF_LIBS) \
	$(LIBEVENT_LIBS) $(CMOCKA_LIBS) -lpthread
UNIT_TESTS += tests/bpf/test_net_block
endif

if HAVE_CMOCKA
# loaderd's seccomp table (forked children), the -X binary and state
# directory checks (root; skipped otherwise)
check_PROGRAMS += tests/unit/test_loaderd_privs
tests_unit_test_loaderd_privs_SOURCES = tests/unit/test_loaderd_privs.c
tests_unit_test_loaderd_privs_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(LIBBPF_CFLAGS)
tests_unit_test_loaderd_privs_LDADD = loaderd/libloaderd.a \
	tests/lib/libtestutil.a $(COMMON_LIBS) $(LIBBPF_LIBS) \
	$(LIBEVENT_LIBS) $(CMOCKA_LIBS)
UNIT_TESTS += tests/unit/test_loaderd_privs
endif

if HAVE_CMOCKA
# what a reload does to the policy set (pure)
check_PROGRAMS += tests/unit/test_reload_plan
tests_unit_test_reload_plan_SOURCES = tests/unit/test_reload_plan.c
tests_unit_test_reload_plan_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_reload_plan_LDADD = loaderd/libloaderd.a $(COMMON_LIBS) \
	$(CMOCKA_LIBS)
UNIT_TESTS += tests/unit/test_reload_plan
endif
# readiness, status and watchdog for the service manager (sd_notify)
loaderd_libloaderd_a_SOURCES += loaderd/service.c

if HAVE_CMOCKA
# what loaderd tells the service manager (STATUS, READY=1 after a reload)
check_PROGRAMS += tests/unit/test_service
tests_unit_test_service_SOURCES = tests/unit/test_service.c
tests_unit_test_service_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(LIBBPF_CFLAGS)
tests_unit_test_service_LDADD = loaderd/libloaderd.a \
	tests/lib/libtestutil.a $(COMMON_LIBS) $(LIBBPF_LIBS) \
	$(LIBEVENT_LIBS) $(CMOCKA_LIBS)
UNIT_TESTS += tests/unit/test_service
endif
