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
