sbin_PROGRAMS += tripline-loaderd
noinst_LIBRARIES += loaderd/libloaderd.a
loaderd_libloaderd_a_SOURCES = \
	loaderd/bpf_load.c loaderd/bpf_load.h \
	loaderd/spawn.c loaderd/spawn.h \
	loaderd/ctl.c loaderd/loaderd.h
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
# needs root and bpf(): exits 77 (skip) otherwise
check_PROGRAMS += tests/bpf/test_bpf_process
tests_bpf_test_bpf_process_SOURCES = tests/bpf/test_bpf_process.c
tests_bpf_test_bpf_process_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(LIBBPF_CFLAGS)
tests_bpf_test_bpf_process_LDADD = loaderd/libloaderd.a \
	tests/lib/libtestutil.a $(COMMON_LIBS) $(LIBBPF_LIBS) \
	$(LIBEVENT_LIBS) $(CMOCKA_LIBS) -lpthread
UNIT_TESTS += tests/bpf/test_bpf_process
endif
