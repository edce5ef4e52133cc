pkglibexec_PROGRAMS += notifierd/notifierd
noinst_LIBRARIES += notifierd/libnotifierd.a
notifierd_libnotifierd_a_SOURCES = \
	notifierd/notifierd.h \
	notifierd/deliver.c \
	notifierd/dns.c \
	notifierd/format.c \
	notifierd/guard.c \
	notifierd/hmac.c \
	notifierd/sandbox_rules.c \
	notifierd/syslog.c
notifierd_libnotifierd_a_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(LIBEVENT_CFLAGS)
notifierd_notifierd_SOURCES = notifierd/notifierd.c
notifierd_notifierd_CFLAGS = $(notifierd_libnotifierd_a_CFLAGS)
notifierd_notifierd_LDADD = notifierd/libnotifierd.a $(COMMON_LIBS) \
	$(CURL_LIBS) $(LIBEVENT_LIBS)
man_MANS += notifierd/notifierd.8
EXTRA_DIST += notifierd/notifierd.8

if HAVE_CMOCKA
NOTIFIERD_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CURL_CFLAGS) \
	$(LIBEVENT_CFLAGS) -I$(top_srcdir)/tests/lib -I$(top_srcdir)/notifierd \
	-DNOTIFIERD_PATH=\"$(abs_top_builddir)/notifierd/notifierd\"
NOTIFIERD_TEST_LIBS = tests/lib/libtestutil.a notifierd/libnotifierd.a \
	$(COMMON_LIBS) $(CURL_LIBS) $(LIBEVENT_LIBS) $(CMOCKA_LIBS)
# test_notifierd and test_notify_sandbox need root (drop to a user,
# seccomp on the real table); they print a TAP skip plan otherwise.
check_PROGRAMS += tests/unit/test_notifierd tests/unit/test_notify_format \
	tests/unit/test_notify_deliver tests/unit/test_notify_sandbox
tests_unit_test_notifierd_SOURCES = tests/unit/test_notifierd.c \
	tests/unit/notify_srv.c tests/unit/notify_srv.h
tests_unit_test_notifierd_CFLAGS = $(NOTIFIERD_TEST_CFLAGS)
tests_unit_test_notifierd_LDADD = $(NOTIFIERD_TEST_LIBS)
EXTRA_tests_unit_test_notifierd_DEPENDENCIES = notifierd/notifierd
tests_unit_test_notify_format_SOURCES = tests/unit/test_notify_format.c
tests_unit_test_notify_format_CFLAGS = $(NOTIFIERD_TEST_CFLAGS)
tests_unit_test_notify_format_LDADD = $(NOTIFIERD_TEST_LIBS)
tests_unit_test_notify_deliver_SOURCES = tests/unit/test_notify_deliver.c \
	tests/unit/notify_srv.c tests/unit/notify_srv.h
tests_unit_test_notify_deliver_CFLAGS = $(NOTIFIERD_TEST_CFLAGS)
tests_unit_test_notify_deliver_LDADD = $(NOTIFIERD_TEST_LIBS)
tests_unit_test_notify_sandbox_SOURCES = tests/unit/test_notify_sandbox.c \
	tests/unit/notify_srv.c tests/unit/notify_srv.h
tests_unit_test_notify_sandbox_CFLAGS = $(NOTIFIERD_TEST_CFLAGS)
tests_unit_test_notify_sandbox_LDADD = $(NOTIFIERD_TEST_LIBS)
UNIT_TESTS += tests/unit/test_notifierd tests/unit/test_notify_format \
	tests/unit/test_notify_deliver tests/unit/test_notify_sandbox
endif
