pkglibexec_PROGRAMS += collectord/collectord
noinst_LIBRARIES += collectord/libcollectord.a
collectord_libcollectord_a_SOURCES = \
	collectord/collectord.h \
	collectord/ringbuf.c collectord/ringbuf.h \
	collectord/decode.c collectord/decode.h \
	collectord/pcache.c collectord/pcache.h \
	collectord/store.c collectord/store.h collectord/store_int.h \
	collectord/store_outbox.c collectord/store_read.c \
	collectord/store_retention.c collectord/store_parts.c \
	collectord/outbox.c collectord/outbox.h \
	collectord/export.c collectord/export.h \
	collectord/hooks.c collectord/hooks.h \
	collectord/generic.c collectord/generic.h \
	collectord/objargs.c collectord/objargs.h \
	collectord/stacks.c collectord/stacks.h \
	collectord/procfs.c collectord/procfs.h \
	collectord/pipeline.c \
	collectord/forward.c collectord/forward.h \
	collectord/store_forward.c collectord/store_forward.h \
	collectord/sandbox_rules.c
collectord_libcollectord_a_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) \
	$(LIBEVENT_CFLAGS) $(MSGPACK_CFLAGS)
collectord_collectord_SOURCES = collectord/collectord.c
collectord_collectord_CFLAGS = $(collectord_libcollectord_a_CFLAGS)
collectord_collectord_LDADD = collectord/libcollectord.a $(COMMON_LIBS) \
	$(SQLITE_LIBS) $(LIBEVENT_LIBS)
man_MANS += collectord/collectord.8
EXTRA_DIST += collectord/collectord.8 tests/unit/genrec.h

if HAVE_CMOCKA
COLLECTORD_TEST_LIBS = collectord/libcollectord.a $(COMMON_LIBS) \
	$(SQLITE_LIBS) $(LIBEVENT_LIBS) $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_decode tests/unit/test_pcache \
	tests/unit/test_ringbuf tests/unit/test_store tests/unit/test_generic \
	tests/unit/test_collectord tests/unit/test_objargs \
	tests/unit/test_stacks
tests_unit_test_stacks_SOURCES = tests/unit/test_stacks.c
tests_unit_test_stacks_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_stacks_LDADD = $(COLLECTORD_TEST_LIBS)
tests_unit_test_decode_SOURCES = tests/unit/test_decode.c
tests_unit_test_decode_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_decode_LDADD = $(COLLECTORD_TEST_LIBS)
tests_unit_test_pcache_SOURCES = tests/unit/test_pcache.c
tests_unit_test_pcache_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_pcache_LDADD = $(COLLECTORD_TEST_LIBS)
tests_unit_test_ringbuf_SOURCES = tests/unit/test_ringbuf.c
tests_unit_test_ringbuf_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_ringbuf_LDADD = $(COLLECTORD_TEST_LIBS)
tests_unit_test_store_SOURCES = tests/unit/test_store.c
tests_unit_test_store_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_store_LDADD = tests/lib/libtestutil.a $(COLLECTORD_TEST_LIBS)
tests_unit_test_generic_SOURCES = tests/unit/test_generic.c
tests_unit_test_generic_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_generic_LDADD = $(COLLECTORD_TEST_LIBS)
tests_unit_test_objargs_SOURCES = tests/unit/test_objargs.c
tests_unit_test_objargs_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_objargs_LDADD = $(COLLECTORD_TEST_LIBS)
tests_unit_test_collectord_SOURCES = tests/unit/test_collectord.c
tests_unit_test_collectord_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(SQLITE_CFLAGS) \
	-DCOLLECTORD_BIN=\"$(abs_top_builddir)/collectord/collectord\"
tests_unit_test_collectord_LDADD = tests/lib/libtestutil.a \
	$(COLLECTORD_TEST_LIBS)
UNIT_TESTS += tests/unit/test_decode tests/unit/test_pcache \
	tests/unit/test_ringbuf tests/unit/test_store tests/unit/test_generic \
	tests/unit/test_collectord tests/unit/test_objargs \
	tests/unit/test_stacks
endif
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_outbox
tests_unit_test_outbox_SOURCES = tests/unit/test_outbox.c
tests_unit_test_outbox_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_outbox_LDADD = tests/lib/libtestutil.a $(COLLECTORD_TEST_LIBS)
tests_unit_test_outbox_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=store_flush
UNIT_TESTS += tests/unit/test_outbox
endif

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_forward
tests_unit_test_forward_SOURCES = tests/unit/test_forward.c
tests_unit_test_forward_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_forward_LDADD = tests/lib/libtestutil.a $(COLLECTORD_TEST_LIBS)
UNIT_TESTS += tests/unit/test_forward
endif
# the export's lines byte for byte against the renderer they replaced
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_export
tests_unit_test_export_SOURCES = tests/unit/test_export.c
tests_unit_test_export_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(SQLITE_CFLAGS)
tests_unit_test_export_LDADD = $(COLLECTORD_TEST_LIBS)
UNIT_TESTS += tests/unit/test_export
endif
