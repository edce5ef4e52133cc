noinst_LIBRARIES += common/libcommon.a
common_libcommon_a_SOURCES = \
	common/log.c common/log.h \
	common/err.c common/err.h \
	common/xmalloc.c common/xmalloc.h \
	common/str.c common/str.h \
	common/jsonw.c common/jsonw.h \
	common/compat.h common/compat/compat.c \
	common/ipc.c common/ipc.h \
	common/ipc_msg.c common/ipc_msg.h \
	common/peer.c common/peer.h \
	common/sandbox.c common/sandbox.h \
	common/config.c common/config.h \
	common/alerts.c common/alerts.h \
	common/yamlutil.c common/yamlutil.h \
	common/policy.c common/policy.h common/policy_int.h \
	common/policy_hooks.c common/policy_sel.c common/policy_values.c \
	common/policy_names.c \
	common/sdnotify.c common/sdnotify.h \
	common/config_syslog.c common/config_syslog.h \
	common/statefile.c common/statefile.h
nodist_common_libcommon_a_SOURCES = common/syscalls_gen.h
common_libcommon_a_CFLAGS = $(AM_CFLAGS) $(MSGPACK_CFLAGS) $(YAML_CFLAGS) \
	$(SECCOMP_CFLAGS) $(CAPNG_CFLAGS) $(LIBEVENT_CFLAGS)
# x86_64 syscall names <-> numbers for the policy parser, from the build
# host's <asm/unistd_64.h> (generated in $(builddir), never in $(srcdir)).
BUILT_SOURCES += common/syscalls_gen.h
CLEANFILES += common/syscalls_gen.h common/syscalls_gen.h.tmp
common/syscalls_gen.h:
	$(AM_V_GEN)$(MKDIR_P) common && \
	echo '#include <asm/unistd_64.h>' | $(CC) $(CPPFLAGS) -E -dM - | \
	$(AWK) '$$1 == "#define" && $$2 ~ /^__NR_[a-z0-9_]+$$/ && \
	    $$3 ~ /^[0-9]+$$/ { sub(/^__NR_/, "", $$2); print $$3, $$2 }' | \
	sort -n | $(AWK) 'BEGIN { print "/* generated from <asm/unistd_64.h> by common/local.mk: do not edit */" } \
	    { printf "\t{ %d, \"%s\" },\n", $$1, $$2; n++ } \
	    END { if (n < 300) exit 1 }' >$@.tmp && mv $@.tmp $@

COMMON_LIBS = common/libcommon.a $(MSGPACK_LIBS) $(YAML_LIBS) \
	$(SECCOMP_LIBS) $(CAPNG_LIBS)

if HAVE_CMOCKA
COMMON_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(MSGPACK_CFLAGS) \
	-I$(top_srcdir)/tests/lib \
	-DTEST_DATADIR=\"$(abs_top_srcdir)/tests/data\"
COMMON_TEST_LIBS = tests/lib/libtestutil.a $(COMMON_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_ipc tests/unit/test_ipc_msg \
	tests/unit/test_config tests/unit/test_str tests/unit/test_sandbox \
	tests/unit/test_policy tests/unit/test_alerts tests/unit/test_peer \
	tests/unit/test_jsonw
tests_unit_test_peer_SOURCES = tests/unit/test_peer.c
tests_unit_test_peer_CFLAGS = $(COMMON_TEST_CFLAGS) $(LIBEVENT_CFLAGS)
tests_unit_test_peer_LDADD = $(COMMON_TEST_LIBS) $(LIBEVENT_LIBS)
tests_unit_test_jsonw_SOURCES = tests/unit/test_jsonw.c
tests_unit_test_jsonw_CFLAGS = $(COMMON_TEST_CFLAGS)
tests_unit_test_jsonw_LDADD = $(COMMON_TEST_LIBS)
tests_unit_test_alerts_SOURCES = tests/unit/test_alerts.c
tests_unit_test_alerts_CFLAGS = $(COMMON_TEST_CFLAGS)
tests_unit_test_alerts_LDADD = $(COMMON_TEST_LIBS)
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c ctl/lint.c
tests_unit_test_policy_CFLAGS = $(COMMON_TEST_CFLAGS)
tests_unit_test_policy_LDADD = $(COMMON_TEST_LIBS)
tests_unit_test_ipc_SOURCES = tests/unit/test_ipc.c
tests_unit_test_ipc_CFLAGS = $(COMMON_TEST_CFLAGS)
tests_unit_test_ipc_LDADD = $(COMMON_TEST_LIBS)
tests_unit_test_ipc_msg_SOURCES = tests/unit/test_ipc_msg.c
tests_unit_test_ipc_msg_CFLAGS = $(COMMON_TEST_CFLAGS)
tests_unit_test_ipc_msg_LDADD = $(COMMON_TEST_LIBS)
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(COMMON_TEST_CFLAGS)
tests_unit_test_config_LDADD = $(COMMON_TEST_LIBS)
tests_unit_test_str_SOURCES = tests/unit/test_str.c
tests_unit_test_str_CFLAGS = $(COMMON_TEST_CFLAGS)
tests_unit_test_str_LDADD = $(COMMON_TEST_LIBS)
tests_unit_test_sandbox_SOURCES = tests/unit/test_sandbox.c
tests_unit_test_sandbox_CFLAGS = $(COMMON_TEST_CFLAGS)
tests_unit_test_sandbox_LDADD = $(COMMON_TEST_LIBS)
UNIT_TESTS += tests/unit/test_ipc tests/unit/test_ipc_msg \
	tests/unit/test_config tests/unit/test_str tests/unit/test_sandbox \
	tests/unit/test_policy tests/unit/test_alerts tests/unit/test_peer \
	tests/unit/test_jsonw
# the sd_notify protocol (common/sdnotify.c)
check_PROGRAMS += tests/unit/test_sdnotify
tests_unit_test_sdnotify_SOURCES = tests/unit/test_sdnotify.c
tests_unit_test_sdnotify_CFLAGS = $(COMMON_TEST_CFLAGS)
tests_unit_test_sdnotify_LDADD = $(COMMON_TEST_LIBS)
UNIT_TESTS += tests/unit/test_sdnotify
endif
