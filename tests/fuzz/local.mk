# libFuzzer targets, one per parser of input that crosses a boundary
# (docs/security.md).  Built only with --enable-fuzzing (CC=clang); then
# `make check` runs only them, each for FUZZ_TIME seconds (default 20)
# from its seed corpus tests/fuzz/corpus/NAME through tests/fuzz/fuzz.sh.
# New corpus entries and crash reproducers go to tests/fuzz/run/NAME in
# the build tree, never to the source tree.  bench/run_fuzz.sh runs them
# longer.
FUZZ_TARGETS = tests/fuzz/fuzz_ringbuf tests/fuzz/fuzz_objargs \
	tests/fuzz/fuzz_ipc_msg tests/fuzz/fuzz_policy \
	tests/fuzz/fuzz_alerts tests/fuzz/fuzz_config tests/fuzz/fuzz_dns \
	tests/fuzz/fuzz_http tests/fuzz/fuzz_smtp tests/fuzz/fuzz_stacks
EXTRA_DIST += tests/fuzz/fuzz.sh tests/fuzz/corpus tests/fuzz/dict \
	$(FUZZ_TARGETS:=.c) tests/fuzz/fuzz_lines.h
# the fuzzers' work directories (tests/fuzz/fuzz.sh)
clean-local: clean-fuzz-run
clean-fuzz-run:
	-rm -rf tests/fuzz/run
.PHONY: clean-fuzz-run

if ENABLE_FUZZING
# each target is built from tests/fuzz/NAME.c (automake's default source)
check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += $(FUZZ_TARGETS)
LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/fuzz/fuzz.sh
FUZZ_LINK = -fsanitize=fuzzer
COLLECTORD_FUZZ_LIBS = collectord/libcollectord.a $(COMMON_LIBS) \
	$(SQLITE_LIBS) $(LIBEVENT_LIBS)
NOTIFIERD_FUZZ_LIBS = notifierd/libnotifierd.a $(COMMON_LIBS) \
	$(CURL_LIBS) $(LIBEVENT_LIBS)
NOTIFIERD_FUZZ_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) \
	-I$(top_srcdir)/notifierd

tests_fuzz_fuzz_ringbuf_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_fuzz_fuzz_ringbuf_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_ringbuf_LDADD = $(COLLECTORD_FUZZ_LIBS)
tests_fuzz_fuzz_objargs_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_fuzz_fuzz_objargs_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_objargs_LDADD = $(COLLECTORD_FUZZ_LIBS)
tests_fuzz_fuzz_stacks_CFLAGS = $(AM_CFLAGS)
tests_fuzz_fuzz_stacks_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_stacks_LDADD = $(COLLECTORD_FUZZ_LIBS)
tests_fuzz_fuzz_ipc_msg_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_ipc_msg_LDADD = $(COMMON_LIBS)
tests_fuzz_fuzz_policy_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_policy_LDADD = $(COMMON_LIBS)
tests_fuzz_fuzz_alerts_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_alerts_LDADD = $(COMMON_LIBS)
tests_fuzz_fuzz_config_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_config_LDADD = $(COMMON_LIBS)
tests_fuzz_fuzz_dns_CFLAGS = $(NOTIFIERD_FUZZ_CFLAGS)
tests_fuzz_fuzz_dns_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_dns_LDADD = $(NOTIFIERD_FUZZ_LIBS)
tests_fuzz_fuzz_http_CFLAGS = $(NOTIFIERD_FUZZ_CFLAGS)
tests_fuzz_fuzz_http_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_http_LDADD = $(NOTIFIERD_FUZZ_LIBS)
tests_fuzz_fuzz_smtp_CFLAGS = $(NOTIFIERD_FUZZ_CFLAGS)
tests_fuzz_fuzz_smtp_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_smtp_LDADD = $(NOTIFIERD_FUZZ_LIBS)
endif

# the notifier's check of the event JSON a webhook body embeds
FUZZ_TARGETS += tests/fuzz/fuzz_event_json
if ENABLE_FUZZING
tests_fuzz_fuzz_event_json_CFLAGS = $(NOTIFIERD_FUZZ_CFLAGS)
tests_fuzz_fuzz_event_json_LDFLAGS = $(AM_LDFLAGS) $(FUZZ_LINK)
tests_fuzz_fuzz_event_json_LDADD = $(NOTIFIERD_FUZZ_LIBS)
endif
