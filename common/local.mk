noinst_LIBRARIES += common/libcommon.a
common_libcommon_a_SOURCES = \
	common/log.c common/log.h \
	common/err.c common/err.h \
	common/xmalloc.c common/xmalloc.h \
	common/str.c common/str.h \
	common/compat.h common/compat/compat.c \
	common/ipc.c common/ipc.h \
	common/ipc_msg.c common/ipc_msg.h \
	common/sandbox.c common/sandbox.h \
	common/config.c common/config.h
common_libcommon_a_CFLAGS = $(AM_CFLAGS) $(MSGPACK_CFLAGS) $(YAML_CFLAGS) \
	$(SECCOMP_CFLAGS) $(CAPNG_CFLAGS)
COMMON_LIBS = common/libcommon.a $(MSGPACK_LIBS) $(YAML_LIBS) \
	$(SECCOMP_LIBS) $(CAPNG_LIBS)

if HAVE_CMOCKA
COMMON_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(MSGPACK_CFLAGS) \
	-I$(top_srcdir)/tests/lib \
	-DTEST_DATADIR=\"$(abs_top_srcdir)/tests/data\"
COMMON_TEST_LIBS = tests/lib/libtestutil.a $(COMMON_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_ipc tests/unit/test_ipc_msg \
	tests/unit/test_config tests/unit/test_str tests/unit/test_sandbox
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
	tests/unit/test_config tests/unit/test_str tests/unit/test_sandbox
endif
