pkglibexec_PROGRAMS += notifierd/notifierd
noinst_LIBRARIES += notifierd/libnotifierd.a
notifierd_libnotifierd_a_SOURCES = \
	notifierd/notifierd.h \
	notifierd/sandbox_rules.c
notifierd_libnotifierd_a_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(LIBEVENT_CFLAGS)
notifierd_notifierd_SOURCES = notifierd/notifierd.c
notifierd_notifierd_CFLAGS = $(notifierd_libnotifierd_a_CFLAGS)
notifierd_notifierd_LDADD = notifierd/libnotifierd.a $(COMMON_LIBS) \
	$(CURL_LIBS) $(LIBEVENT_LIBS)
man_MANS += notifierd/notifierd.8
EXTRA_DIST += notifierd/notifierd.8

if HAVE_CMOCKA
# Starts the real notifierd binary (needs root to drop to a user; skips
# with a TAP skip plan and exit 77 otherwise).
check_PROGRAMS += tests/unit/test_notifierd
tests_unit_test_notifierd_SOURCES = tests/unit/test_notifierd.c
tests_unit_test_notifierd_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	-I$(top_srcdir)/tests/lib \
	-DNOTIFIERD_PATH=\"$(abs_top_builddir)/notifierd/notifierd\"
tests_unit_test_notifierd_LDADD = tests/lib/libtestutil.a $(COMMON_LIBS) \
	$(CMOCKA_LIBS)
EXTRA_tests_unit_test_notifierd_DEPENDENCIES = notifierd/notifierd
UNIT_TESTS += tests/unit/test_notifierd
endif
