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
