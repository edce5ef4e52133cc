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
