sbin_PROGRAMS += triplinectl
triplinectl_SOURCES = ctl/triplinectl.c ctl/lint.c ctl/ctlfmt.c ctl/ctlfmt.h
triplinectl_CFLAGS = $(AM_CFLAGS) $(MSGPACK_CFLAGS) $(SQLITE_CFLAGS)
# events.db is read through the store module (collectord/store_read.c)
triplinectl_LDADD = collectord/libcollectord.a $(COMMON_LIBS) $(SQLITE_LIBS)
man_MANS += ctl/triplinectl.8
EXTRA_DIST += ctl/triplinectl.8

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_ctlfmt
tests_unit_test_ctlfmt_SOURCES = tests/unit/test_ctlfmt.c ctl/ctlfmt.c
tests_unit_test_ctlfmt_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_ctlfmt_LDADD = $(COMMON_LIBS) $(CMOCKA_LIBS)
UNIT_TESTS += tests/unit/test_ctlfmt
endif
