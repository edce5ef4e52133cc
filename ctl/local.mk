sbin_PROGRAMS += triplinectl
triplinectl_SOURCES = ctl/triplinectl.c ctl/lint.c
triplinectl_CFLAGS = $(AM_CFLAGS) $(MSGPACK_CFLAGS) $(SQLITE_CFLAGS)
# events.db is read through the store module (collectord/store_read.c)
triplinectl_LDADD = collectord/libcollectord.a $(COMMON_LIBS) $(SQLITE_LIBS)
man_MANS += ctl/triplinectl.8
EXTRA_DIST += ctl/triplinectl.8
