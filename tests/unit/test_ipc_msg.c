/* tests/unit/test_ipc_msg.c -- msgpack codec for every IPC message type. */
#include "build.h"

#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "testutil.h"

#define DEC(type, bytes, msg) \
	ipc_msg_decode(type, (const uint8_t *)(bytes), sizeof(bytes) - 1, msg)

static void
test_types(void **state)
{
	assert_true(ipc_type_known(IPC_COLLECT_RINGBUF));
	assert_true(ipc_type_known(IPC_NOTIFY_HEALTH_ANS));
	assert_true(ipc_type_known(IPC_CTL_ERROR));
	assert_false(ipc_type_known(0));
	assert_false(ipc_type_known(199));
	assert_false(ipc_type_known(204));
	assert_true(ipc_type_known(IPC_COLLECT_KSYMS));
	assert_true(ipc_type_has_fd(IPC_COLLECT_KSYMS));
	assert_false(ipc_type_known(114));
	assert_true(ipc_type_allowed(IPC_COLLECT_HEALTH_REQ, IPC_PROC_LOADERD,
	    IPC_PROC_COLLECTORD));
	assert_true(ipc_type_allowed(IPC_COLLECT_HEALTH_ANS,
	    IPC_PROC_COLLECTORD, IPC_PROC_LOADERD));
	assert_false(ipc_type_known(306));
	assert_false(ipc_type_known(65535));
	assert_true(ipc_type_has_fd(IPC_COLLECT_RINGBUF));
	assert_false(ipc_type_has_fd(IPC_COLLECT_READY));
	assert_false(ipc_type_has_fd(IPC_NOTIFY_HEALTH_REQ));
	assert_false(ipc_type_has_fd(4242));
	assert_string_equal(ipc_msg_type_name(IPC_NOTIFY_READY),
	    "IPC_NOTIFY_READY");
	assert_string_equal(ipc_msg_type_name(7), "unknown");
}

/* Every type goes one way on the link of its number range. */
static void
test_directions(void **state)
{
	static const enum ipc_proc link[5][2] = {
		[1] = { IPC_PROC_LOADERD, IPC_PROC_COLLECTORD },
		[2] = { IPC_PROC_COLLECTORD, IPC_PROC_NOTIFIERD },
		[3] = { IPC_PROC_LOADERD, IPC_PROC_NOTIFIERD },
		[4] = { IPC_PROC_CTL, IPC_PROC_LOADERD },
	};
	enum ipc_proc	 from, to;
	unsigned int	 type, ways, known = 0;

	for (type = 0; type < 1000; type++) {
		ways = 0;
		for (from = IPC_PROC_LOADERD; from <= IPC_PROC_CTL; from++)
			for (to = IPC_PROC_LOADERD; to <= IPC_PROC_CTL; to++) {
				if (!ipc_type_allowed(type, from, to))
					continue;
				ways++;
				assert_true(type / 100 >= 1 && type / 100 <= 4);
				assert_true((from == link[type / 100][0] &&
				    to == link[type / 100][1]) ||
				    (from == link[type / 100][1] &&
				    to == link[type / 100][0]));
			}
		assert_int_equal(ways, ipc_type_known(type) ? 1 : 0);
		known += ways;
	}
	assert_int_equal(known, 35);
	assert_true(ipc_type_allowed(IPC_CTL_RELOAD, IPC_PROC_CTL,
	    IPC_PROC_LOADERD));
	assert_true(ipc_type_allowed(IPC_COLLECT_RINGBUF, IPC_PROC_LOADERD,
	    IPC_PROC_COLLECTORD));
	assert_false(ipc_type_allowed(IPC_COLLECT_RINGBUF,
	    IPC_PROC_COLLECTORD, IPC_PROC_LOADERD));
	assert_true(ipc_type_allowed(IPC_COLLECT_READY, IPC_PROC_COLLECTORD,
	    IPC_PROC_LOADERD));
	assert_false(ipc_type_allowed(IPC_COLLECT_READY, IPC_PROC_NOTIFIERD,
	    IPC_PROC_LOADERD));
	assert_true(ipc_type_allowed(IPC_ALERT_RESULT, IPC_PROC_NOTIFIERD,
	    IPC_PROC_COLLECTORD));
	assert_true(ipc_type_allowed(IPC_CTL_ERROR, IPC_PROC_LOADERD,
	    IPC_PROC_CTL));
	assert_false(ipc_type_allowed(4242, IPC_PROC_LOADERD,
	    IPC_PROC_COLLECTORD));
}

static void
test_roundtrip_all(void **state)
{
	struct ipc_ringbuf rb = { 8U << 20, 3 }, rb2;
	struct ipc_ready rd = { 4242, 65534 }, rd2;
	struct ipc_collect_stats cs = { 1, 2, 3, 4, 5, UINT64_MAX, 7, 8, 9, 10,
	    11, 12, UINT64_MAX - 1, 14, 15, 16, 17, 18, 19 }, cs2;
	struct ipc_health h = { UINT64_MAX, 12345 }, h2;
	struct ipc_text t = { (char *)"status: {\"ok\":true} \xc3\xa9" }, t2;
	uint8_t	*buf;
	size_t	 len;

	assert_int_equal(ipc_msg_encode(IPC_COLLECT_RINGBUF, &rb, &buf, &len),
	    0);
	memset(&rb2, 0xff, sizeof(rb2));
	assert_int_equal(ipc_msg_decode(IPC_COLLECT_RINGBUF, buf, len, &rb2),
	    0);
	assert_int_equal(rb2.size, rb.size);
	assert_int_equal(rb2.abi_version, rb.abi_version);
	free(buf);

	assert_int_equal(ipc_msg_encode(IPC_COLLECT_READY, &rd, &buf, &len),
	    0);
	assert_int_equal(ipc_msg_decode(IPC_NOTIFY_READY, buf, len, &rd2), 0);
	assert_int_equal(rd2.pid, 4242);
	assert_int_equal(rd2.uid, 65534);
	free(buf);

	assert_int_equal(ipc_msg_encode(IPC_COLLECT_STATS, &cs, &buf, &len),
	    0);
	assert_int_equal(ipc_msg_decode(IPC_COLLECT_STATS, buf, len, &cs2), 0);
	assert_memory_equal(&cs, &cs2, sizeof(cs));
	free(buf);

	assert_int_equal(ipc_msg_encode(IPC_NOTIFY_HEALTH_ANS, &h, &buf, &len),
	    0);
	assert_int_equal(ipc_msg_decode(IPC_NOTIFY_HEALTH_ANS, buf, len, &h2),
	    0);
	assert_true(h2.seq == UINT64_MAX);
	assert_int_equal(h2.uptime_ms, 12345);
	free(buf);

	assert_int_equal(ipc_msg_encode(IPC_CTL_STATUS_ANS, &t, &buf, &len),
	    0);
	assert_int_equal(ipc_msg_decode(IPC_CTL_ERROR, buf, len, &t2), 0);
	assert_string_equal(t2.text, t.text);
	free(t2.text);
	free(buf);

	assert_int_equal(ipc_msg_encode(IPC_CTL_STATUS_REQ, NULL, &buf, &len),
	    0);
	assert_int_equal(len, 1);
	assert_int_equal(buf[0], 0x90);		/* empty array */
	assert_int_equal(ipc_msg_decode(IPC_CTL_STATUS_REQ, buf, len, NULL),
	    0);
	free(buf);

	assert_int_equal(ipc_msg_encode(IPC_CTL_STATUS_JSON_REQ, NULL, &buf,
	    &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(buf[0], 0x90);		/* empty array */
	assert_int_equal(ipc_msg_decode(IPC_CTL_STATUS_JSON_REQ, buf, len,
	    NULL), 0);
	free(buf);
}

static void
test_exact_encoding(void **state)
{
	struct ipc_health h = { 42, 0 };
	struct ipc_ready rd = { 0x10000, 1 };
	struct ipc_text t = { (char *)"ab" };
	uint8_t	*buf;
	size_t	 len;

	assert_int_equal(ipc_msg_encode(IPC_NOTIFY_HEALTH_REQ, &h, &buf,
	    &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(buf, "\x92\x2a\x00", 3);
	free(buf);
	assert_int_equal(ipc_msg_encode(IPC_NOTIFY_READY, &rd, &buf, &len), 0);
	assert_int_equal(len, 7);
	assert_memory_equal(buf, "\x92\xce\x00\x01\x00\x00\x01", 7);
	free(buf);
	assert_int_equal(ipc_msg_encode(IPC_CTL_ERROR, &t, &buf, &len), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(buf, "\x91\xa2" "ab", 4);
	free(buf);
}

static void
test_encode_errors(void **state)
{
	struct ipc_text t = { NULL };
	uint8_t	*buf = (uint8_t *)"x";
	size_t	 len = 9;
	char	*s;

	assert_int_equal(ipc_msg_encode(4242, &t, &buf, &len), ERR_TYPE);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(ipc_msg_encode(IPC_NOTIFY_HEALTH_REQ, NULL, &buf,
	    &len), ERR_PARSE);
	assert_int_equal(ipc_msg_encode(IPC_CTL_ERROR, &t, &buf, &len),
	    ERR_PARSE);

	s = malloc(IPC_MSG_MAX_STR + 2);
	assert_non_null(s);
	memset(s, 'a', IPC_MSG_MAX_STR + 1);
	s[IPC_MSG_MAX_STR + 1] = '\0';
	t.text = s;
	assert_int_equal(ipc_msg_encode(IPC_CTL_ERROR, &t, &buf, &len),
	    ERR_TOOBIG);
	s[IPC_MSG_MAX_STR] = '\0';		/* exactly the cap */
	assert_int_equal(ipc_msg_encode(IPC_CTL_ERROR, &t, &buf, &len), 0);
	assert_true(len <= IPC_MAX_PAYLOAD);
	free(buf);
	free(s);
}

static void
test_decode_errors(void **state)
{
	struct ipc_ready rd;
	struct ipc_health h;
	struct ipc_ringbuf rb;
	struct ipc_text t;

	assert_int_equal(DEC(4242, "\x90", &rd), ERR_TYPE);
	/* good baseline */
	assert_int_equal(DEC(IPC_NOTIFY_READY, "\x92\x01\x02", &rd), 0);
	assert_int_equal(rd.pid, 1);
	assert_int_equal(rd.uid, 2);
	/* uint32 max is fine, one more is not */
	assert_int_equal(DEC(IPC_NOTIFY_READY,
	    "\x92\xce\xff\xff\xff\xff\x00", &rd), 0);
	assert_int_equal(rd.pid, UINT32_MAX);
	assert_int_equal(DEC(IPC_NOTIFY_READY,
	    "\x92\xcf\x00\x00\x00\x01\x00\x00\x00\x00\x00", &rd), ERR_PARSE);
	assert_int_equal(DEC(IPC_COLLECT_RINGBUF,
	    "\x92\x01\xcf\x00\x00\x00\x01\x00\x00\x00\x00", &rb), ERR_PARSE);
	/* uint64 max in a u64 field */
	assert_int_equal(DEC(IPC_COLLECT_RINGBUF,
	    "\x92\xcf\xff\xff\xff\xff\xff\xff\xff\xff\x01", &rb), 0);
	assert_true(rb.size == UINT64_MAX);
	/* negative integer */
	assert_int_equal(DEC(IPC_NOTIFY_READY, "\x92\xff\x02", &rd),
	    ERR_PARSE);
	/* float, nil, bool, string where an integer is expected */
	assert_int_equal(DEC(IPC_NOTIFY_HEALTH_REQ,
	    "\x92\xca\x3f\x80\x00\x00\x00", &h), ERR_PARSE);
	assert_int_equal(DEC(IPC_NOTIFY_HEALTH_REQ, "\x92\xc0\x00", &h),
	    ERR_PARSE);
	assert_int_equal(DEC(IPC_NOTIFY_HEALTH_REQ, "\x92\xc3\x00", &h),
	    ERR_PARSE);
	assert_int_equal(DEC(IPC_NOTIFY_HEALTH_REQ, "\x92\xa1" "1\x00", &h),
	    ERR_PARSE);
	/* wrong array length */
	assert_int_equal(DEC(IPC_NOTIFY_READY, "\x91\x01", &rd), ERR_PARSE);
	assert_int_equal(DEC(IPC_NOTIFY_READY, "\x93\x01\x02\x03", &rd),
	    ERR_PARSE);
	assert_int_equal(DEC(IPC_CTL_STATUS_REQ, "\x91\x01", NULL), ERR_PARSE);
	/* map instead of array */
	assert_int_equal(DEC(IPC_NOTIFY_READY, "\x82\x00\x01\x01\x02", &rd),
	    ERR_PARSE);
	/* trailing bytes, truncated, empty */
	assert_int_equal(DEC(IPC_NOTIFY_READY, "\x92\x01\x02\x00", &rd),
	    ERR_PARSE);
	assert_int_equal(DEC(IPC_NOTIFY_READY, "\x92\x01", &rd), ERR_PARSE);
	assert_int_equal(DEC(IPC_NOTIFY_READY, "\x92\x01\xce\x00", &rd),
	    ERR_PARSE);
	assert_int_equal(ipc_msg_decode(IPC_NOTIFY_READY,
	    (const uint8_t *)"", 0, &rd), ERR_PARSE);
	/* not msgpack at all (0xc1 is never used) */
	assert_int_equal(DEC(IPC_NOTIFY_READY, "\xc1\x01\x02", &rd),
	    ERR_PARSE);
	/* nested array in an integer slot */
	assert_int_equal(DEC(IPC_NOTIFY_READY, "\x92\x91\x01\x02", &rd),
	    ERR_PARSE);

	/* strings */
	t.text = NULL;
	assert_int_equal(DEC(IPC_CTL_ERROR, "\x91\xa3" "a\0b", &t), ERR_PARSE);
	assert_null(t.text);
	assert_int_equal(DEC(IPC_CTL_ERROR, "\x91\xc4\x01" "a", &t),
	    ERR_PARSE);			/* bin, not str */
	assert_int_equal(DEC(IPC_CTL_ERROR, "\x91\x01", &t), ERR_PARSE);
	assert_int_equal(DEC(IPC_CTL_ERROR, "\x91\xa0", &t), 0);
	assert_string_equal(t.text, "");
	free(t.text);
	assert_int_equal(DEC(IPC_CTL_ERROR, "\x91\xa3" "abc", &t), 0);
	assert_string_equal(t.text, "abc");
	free(t.text);
	/* str header claims more bytes than present */
	assert_int_equal(DEC(IPC_CTL_ERROR, "\x91\xda\xff\xff" "abc", &t),
	    ERR_PARSE);
}

static void
test_decode_long_string(void **state)
{
	struct ipc_text t;
	uint8_t	*buf;
	size_t	 n = IPC_MSG_MAX_STR + 1;

	buf = malloc(n + 4);
	assert_non_null(buf);
	buf[0] = 0x91;
	buf[1] = 0xda;			/* str16 */
	buf[2] = (uint8_t)(n >> 8);
	buf[3] = (uint8_t)n;
	memset(buf + 4, 'x', n);
	t.text = NULL;
	assert_int_equal(ipc_msg_decode(IPC_CTL_ERROR, buf, n + 4, &t),
	    ERR_PARSE);
	assert_null(t.text);
	n--;
	buf[2] = (uint8_t)(n >> 8);
	buf[3] = (uint8_t)n;
	assert_int_equal(ipc_msg_decode(IPC_CTL_ERROR, buf, n + 4, &t), 0);
	assert_int_equal(strlen(t.text), IPC_MSG_MAX_STR);
	free(t.text);
	free(buf);
}

/* VmPeak of this process in kB (the high-water mark of its address space;
 * a forked child starts with its parent's current size). */
static long
vm_peak_kb(void)
{
	char	 line[128];
	long	 kb = -1;
	FILE	*fp;

	if ((fp = fopen("/proc/self/status", "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "VmPeak: %ld kB", &kb) == 1)
			break;
	fclose(fp);
	return kb;
}

/* How much a peer's counts may make the decoder reserve: nothing like
 * the 400 MB the headers below ask for. */
#define COUNT_BOUND_KB	(32 * 1024)

static const struct {
	uint16_t	 type;
	const char	*bytes;
	size_t		 len;
} count_msgs[] = {
	/* array32 of 16 M elements as the payload itself */
	{ IPC_NOTIFY_READY, "\xdd\x01\x00\x00\x00", 5 },
	/* map32 of 16 M pairs */
	{ IPC_NOTIFY_READY, "\xdf\x01\x00\x00\x00", 5 },
	/* the right array, with an array32 in an integer slot */
	{ IPC_NOTIFY_READY, "\x92\xdd\x01\x00\x00\x00\x01", 7 },
	/* a map32 in a string slot */
	{ IPC_CTL_ERROR, "\x91\xdf\x01\x00\x00\x00", 6 },
};

static int
decode_counts_child(void *arg)
{
	union {
		struct ipc_ready	rd;
		struct ipc_text		t;
	} u;
	size_t	 i = *(size_t *)arg;
	long	 before, after;

	memset(&u, 0, sizeof(u));
	if ((before = vm_peak_kb()) < 0)
		return 2;
	if (ipc_msg_decode(count_msgs[i].type,
	    (const uint8_t *)count_msgs[i].bytes, count_msgs[i].len, &u) !=
	    ERR_PARSE)
		return 3;
	if ((after = vm_peak_kb()) < 0)
		return 2;
	return after - before > COUNT_BOUND_KB ? 1 : 0;
}

/*
 * Array, map and string counts come from the peer: the shape (one array
 * of the type's length, scalars of the field's kind, lengths within the
 * input) is checked before anything is allocated from them.
 */
static void
test_decode_counts(void **state)
{
	size_t	 i;
	int	 st;

	for (i = 0; i < sizeof(count_msgs) / sizeof(count_msgs[0]); i++) {
		st = testutil_fork_status(decode_counts_child, &i);
		assert_true(WIFEXITED(st));
		if (WEXITSTATUS(st) != 0)
			print_message("message %zu: child exit %d\n", i,
			    WEXITSTATUS(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
}

static void
test_send_recv(void **state)
{
	struct ipc_ringbuf rb = { 1U << 23, 7 }, rb2;
	struct ipc_health h = { 9, 0 }, h2;
	struct ipc_queue q;
	struct ipc_msg	 m;
	int		 sv[2], pfd[2];

	assert_int_equal(ipc_socketpair(sv), 0);
	assert_int_equal(pipe(pfd), 0);

	assert_int_equal(ipc_msg_send(sv[0], IPC_COLLECT_RINGBUF, &rb,
	    pfd[0]), 0);
	assert_int_equal(ipc_msg_send(sv[0], IPC_COLLECT_RINGBUF, &rb, -1),
	    ERR_FD);
	assert_int_equal(ipc_msg_send(sv[0], IPC_NOTIFY_HEALTH_REQ, &h,
	    pfd[0]), ERR_FD);
	assert_int_equal(ipc_recv(sv[1], &m), 0);
	assert_int_equal(m.type, IPC_COLLECT_RINGBUF);
	assert_true(m.fd >= 0);
	assert_int_equal(ipc_msg_decode(m.type, m.payload, m.len, &rb2), 0);
	assert_int_equal(rb2.size, rb.size);
	assert_int_equal(rb2.abi_version, 7);
	ipc_msg_clear(&m);

	ipc_queue_init(&q);
	assert_int_equal(ipc_msg_queue(&q, IPC_NOTIFY_HEALTH_REQ, &h, -1), 0);
	assert_int_equal(ipc_msg_queue(&q, 4242, &h, -1), ERR_TYPE);
	assert_int_equal(ipc_queue_flush(&q, sv[0]), 0);
	assert_int_equal(ipc_recv(sv[1], &m), 0);
	assert_int_equal(ipc_msg_decode(m.type, m.payload, m.len, &h2), 0);
	assert_int_equal(h2.seq, 9);
	ipc_msg_clear(&m);
	ipc_queue_clear(&q);

	close(pfd[0]);
	close(pfd[1]);
	close(sv[0]);
	close(sv[1]);
}

/* All string pointers of h NULL (after a failed decode or a clear). */
static void
assert_hook_empty(const struct ipc_hook *h)
{
	size_t	 i;

	assert_null(h->policy);
	assert_null(h->function);
	assert_null(h->subsys);
	assert_null(h->event);
	assert_null(h->path);
	assert_null(h->message);
	assert_null(h->tags_json);
	for (i = 0; i < IPC_HOOK_ARGS; i++)
		assert_null(h->arg_label[i]);
	for (i = 0; i < IPC_HOOK_SEL; i++) {
		assert_null(h->sel_url[i]);
		assert_null(h->sel_fqdn[i]);
	}
}

static void
test_hook(void **state)
{
	static const char *const labels[IPC_HOOK_ARGS] = {
		"fd", "", "path", "l\xc3\xa9", "x",
	};
	static const char *const urls[IPC_HOOK_SEL] = {
		"", "http://a.invalid/?q=1", "", "", "https://b.invalid/",
	};
	static const char *const fqdns[IPC_HOOK_SEL] = {
		"a.invalid", "", "", "", "",
	};
	struct ipc_hook	 h, h2;
	struct ipc_hook_del d = { 127, 0xfffffffe }, d2;
	struct ipc_msg	 m;
	uint8_t		*buf, *bad;
	size_t		 len, l, i;
	int		 sv[2];

	assert_true(ipc_type_known(IPC_COLLECT_HOOK));
	assert_true(ipc_type_known(IPC_COLLECT_HOOK_DEL));
	assert_false(ipc_type_has_fd(IPC_COLLECT_HOOK));
	assert_false(ipc_type_has_fd(IPC_COLLECT_HOOK_DEL));
	assert_string_equal(ipc_msg_type_name(IPC_COLLECT_HOOK),
	    "IPC_COLLECT_HOOK");
	assert_string_equal(ipc_msg_type_name(IPC_COLLECT_HOOK_DEL),
	    "IPC_COLLECT_HOOK_DEL");

	memset(&h, 0, sizeof(h));
	h.id = 127;
	h.gen = UINT32_MAX;
	h.kind = 2;
	h.mode = 1;
	h.policy = (char *)"my-policy";
	h.function = (char *)"__x64_sys_openat";
	h.subsys = (char *)"syscalls";
	h.event = (char *)"sys_enter_openat";
	h.path = (char *)"/usr/bin/bash";
	h.message = (char *)"a \"quoted\" message";
	h.tags_json = (char *)"[\"t1\",\"t2\"]";
	h.nargs = 5;
	for (i = 0; i < IPC_HOOK_ARGS; i++) {
		h.arg_type[i] = 20 + (uint32_t)i;
		h.arg_label[i] = (char *)labels[i];
	}
	h.ret_type = 1;
	for (i = 0; i < IPC_HOOK_SEL; i++) {
		h.sel_url[i] = (char *)urls[i];
		h.sel_fqdn[i] = (char *)fqdns[i];
	}
	assert_int_equal(ipc_msg_encode(IPC_COLLECT_HOOK, &h, &buf, &len), 0);
	/* array16 of 33 elements */
	assert_memory_equal(buf, "\xdc\x00\x21", 3);
	memset(&h2, 0, sizeof(h2));
	assert_int_equal(ipc_msg_decode(IPC_COLLECT_HOOK, buf, len, &h2), 0);
	assert_int_equal(h2.id, 127);
	assert_int_equal(h2.gen, UINT32_MAX);
	assert_int_equal(h2.kind, 2);
	assert_int_equal(h2.mode, 1);
	assert_string_equal(h2.policy, h.policy);
	assert_string_equal(h2.function, h.function);
	assert_string_equal(h2.subsys, h.subsys);
	assert_string_equal(h2.event, h.event);
	assert_string_equal(h2.path, h.path);
	assert_string_equal(h2.message, h.message);
	assert_string_equal(h2.tags_json, h.tags_json);
	assert_int_equal(h2.nargs, 5);
	for (i = 0; i < IPC_HOOK_ARGS; i++) {
		assert_int_equal(h2.arg_type[i], 20 + i);
		assert_string_equal(h2.arg_label[i], labels[i]);
	}
	assert_int_equal(h2.ret_type, 1);
	for (i = 0; i < IPC_HOOK_SEL; i++) {
		assert_string_equal(h2.sel_url[i], urls[i]);
		assert_string_equal(h2.sel_fqdn[i], fqdns[i]);
	}
	ipc_hook_clear(&h2);
	assert_hook_empty(&h2);
	assert_int_equal(h2.id, 0);
	ipc_hook_clear(NULL);

	/* every truncation is rejected, nothing is left allocated */
	for (l = 1; l < len; l++) {
		memset(&h2, 0, sizeof(h2));
		assert_int_equal(ipc_msg_decode(IPC_COLLECT_HOOK, buf, l,
		    &h2), ERR_PARSE);
		assert_hook_empty(&h2);
	}
	/* wrong element count, a NUL inside a string, trailing byte */
	bad = malloc(len + 1);
	assert_non_null(bad);
	memcpy(bad, buf, len);
	bad[2] = 0x20;
	memset(&h2, 0, sizeof(h2));
	assert_int_equal(ipc_msg_decode(IPC_COLLECT_HOOK, bad, len, &h2),
	    ERR_PARSE);
	assert_hook_empty(&h2);
	memcpy(bad, buf, len);
	bad[len] = 0xc0;
	assert_int_equal(ipc_msg_decode(IPC_COLLECT_HOOK, bad, len + 1, &h2),
	    ERR_PARSE);
	assert_hook_empty(&h2);
	memcpy(bad, buf, len);
	for (i = 0; i + 8 < len; i++)
		if (memcmp(bad + i, "-policy", 7) == 0)
			break;
	assert_true(i + 8 < len);
	bad[i] = '\0';
	assert_int_equal(ipc_msg_decode(IPC_COLLECT_HOOK, bad, len, &h2),
	    ERR_PARSE);
	assert_hook_empty(&h2);
	free(bad);
	free(buf);

	/* strings are "" when absent, never NULL */
	h.sel_fqdn[4] = NULL;
	assert_int_equal(ipc_msg_encode(IPC_COLLECT_HOOK, &h, &buf, &len),
	    ERR_PARSE);
	h.sel_fqdn[4] = (char *)"";

	/* IPC_COLLECT_HOOK_DEL */
	assert_int_equal(ipc_msg_encode(IPC_COLLECT_HOOK_DEL, &d, &buf, &len),
	    0);
	assert_int_equal(len, 7);
	assert_memory_equal(buf, "\x92\x7f\xce\xff\xff\xff\xfe", 7);
	assert_int_equal(ipc_msg_decode(IPC_COLLECT_HOOK_DEL, buf, len, &d2),
	    0);
	assert_int_equal(d2.id, 127);
	assert_int_equal(d2.gen, 0xfffffffe);
	free(buf);
	assert_int_equal(DEC(IPC_COLLECT_HOOK_DEL, "\x91\x01", &d2),
	    ERR_PARSE);
	assert_int_equal(DEC(IPC_COLLECT_HOOK_DEL, "\x92\x01\xa1" "a", &d2),
	    ERR_PARSE);

	/* over a channel, as loaderd sends them */
	assert_int_equal(ipc_socketpair(sv), 0);
	assert_int_equal(ipc_msg_send(sv[0], IPC_COLLECT_HOOK, &h, -1), 0);
	assert_int_equal(ipc_msg_send(sv[0], IPC_COLLECT_HOOK_DEL, &d, -1), 0);
	assert_int_equal(ipc_recv(sv[1], &m), 0);
	assert_int_equal(m.type, IPC_COLLECT_HOOK);
	memset(&h2, 0, sizeof(h2));
	assert_int_equal(ipc_msg_decode(m.type, m.payload, m.len, &h2), 0);
	assert_string_equal(h2.tags_json, "[\"t1\",\"t2\"]");
	ipc_hook_clear(&h2);
	ipc_msg_clear(&m);
	assert_int_equal(ipc_recv(sv[1], &m), 0);
	assert_int_equal(m.type, IPC_COLLECT_HOOK_DEL);
	ipc_msg_clear(&m);
	close(sv[0]);
	close(sv[1]);
}

static void
test_drops(void **state)
{
	struct ipc_drops ring = { 1, 2, 3, IPC_DROPS_RING, 0, 0, (char *)"",
	    (char *)"" };
	struct ipc_drops hook = { UINT64_MAX - 1, 5, UINT64_MAX,
	    IPC_DROPS_HOOK, 7, 0xfffffffe, (char *)"sensitive-files",
	    (char *)"syscalls/sys_enter_openat" };
	struct ipc_drops d2;
	struct ipc_queue q;
	struct ipc_msg	 m;
	uint8_t		*buf;
	size_t		 len;
	int		 sv[2];

	assert_true(ipc_type_known(IPC_COLLECT_DROPS));
	assert_int_equal(IPC_COLLECT_DROPS, 105);
	assert_false(ipc_type_has_fd(IPC_COLLECT_DROPS));
	assert_string_equal(ipc_msg_type_name(IPC_COLLECT_DROPS),
	    "IPC_COLLECT_DROPS");

	/* exact bytes: fixarray of 8, five positive fixints, two "" */
	assert_int_equal(ipc_msg_encode(IPC_COLLECT_DROPS, &ring, &buf, &len),
	    0);
	assert_int_equal(len, 9);
	assert_memory_equal(buf, "\x98\x01\x02\x03\x00\x00\x00\xa0\xa0", 9);
	memset(&d2, 0xff, sizeof(d2));
	d2.policy = d2.function = NULL;
	assert_int_equal(ipc_msg_decode(IPC_COLLECT_DROPS, buf, len, &d2), 0);
	assert_int_equal(d2.time_ns, 1);
	assert_int_equal(d2.count, 2);
	assert_int_equal(d2.total, 3);
	assert_int_equal(d2.source, IPC_DROPS_RING);
	assert_int_equal(d2.hook_id, 0);
	assert_string_equal(d2.policy, "");
	assert_string_equal(d2.function, "");
	ipc_drops_clear(&d2);
	assert_null(d2.policy);
	free(buf);

	/* full-width values and hook strings */
	assert_int_equal(ipc_msg_encode(IPC_COLLECT_DROPS, &hook, &buf, &len),
	    0);
	assert_int_equal(ipc_msg_decode(IPC_COLLECT_DROPS, buf, len, &d2), 0);
	assert_true(d2.time_ns == UINT64_MAX - 1);
	assert_true(d2.total == UINT64_MAX);
	assert_int_equal(d2.count, 5);
	assert_int_equal(d2.source, IPC_DROPS_HOOK);
	assert_int_equal(d2.hook_id, 7);
	assert_int_equal(d2.hook_gen, 0xfffffffe);
	assert_string_equal(d2.policy, "sensitive-files");
	assert_string_equal(d2.function, "syscalls/sys_enter_openat");
	ipc_drops_clear(&d2);
	free(buf);

	/* strings are required ("" when absent) */
	ring.function = NULL;
	assert_int_equal(ipc_msg_encode(IPC_COLLECT_DROPS, &ring, &buf, &len),
	    ERR_PARSE);
	ring.function = (char *)"";

	/* wrong shapes: 7 elements, a negative count, a u32 overflow in
	 * source, an int where a string goes, trailing bytes */
	assert_int_equal(DEC(IPC_COLLECT_DROPS,
	    "\x97\x01\x02\x03\x00\x00\x00\xa0", &d2), ERR_PARSE);
	assert_int_equal(DEC(IPC_COLLECT_DROPS,
	    "\x98\x01\xff\x03\x00\x00\x00\xa0\xa0", &d2), ERR_PARSE);
	assert_int_equal(DEC(IPC_COLLECT_DROPS,
	    "\x98\x01\x02\x03\xcf\x00\x00\x00\x01\x00\x00\x00\x00"
	    "\x00\x00\xa0\xa0", &d2), ERR_PARSE);
	assert_int_equal(DEC(IPC_COLLECT_DROPS,
	    "\x98\x01\x02\x03\x00\x00\x00\xa1" "a\x00", &d2), ERR_PARSE);
	assert_int_equal(DEC(IPC_COLLECT_DROPS,
	    "\x98\x01\x02\x03\x00\x00\x00\xa0\xa0\xc0", &d2), ERR_PARSE);
	/* a failed decode leaves nothing allocated to free */
	assert_int_equal(DEC(IPC_COLLECT_DROPS,
	    "\x98\x01\x02\x03\x00\x00\x00\xa1" "a\x01", &d2), ERR_PARSE);

	/* through the queued sender loaderd uses (child_send) */
	assert_int_equal(ipc_socketpair(sv), 0);
	ipc_queue_init(&q);
	assert_int_equal(ipc_msg_queue(&q, IPC_COLLECT_DROPS, &hook, -1), 0);
	assert_false(ipc_queue_empty(&q));
	assert_int_equal(ipc_queue_flush(&q, sv[0]), 0);
	assert_true(ipc_queue_empty(&q));
	ipc_queue_clear(&q);
	assert_int_equal(ipc_recv(sv[1], &m), 0);
	assert_int_equal(m.type, IPC_COLLECT_DROPS);
	assert_int_equal(m.fd, -1);
	memset(&d2, 0, sizeof(d2));
	assert_int_equal(ipc_msg_decode(m.type, m.payload, m.len, &d2), 0);
	assert_string_equal(d2.policy, "sensitive-files");
	ipc_drops_clear(&d2);
	ipc_msg_clear(&m);
	close(sv[0]);
	close(sv[1]);
}

/* Issue 5: peer channel, alert configuration, jobs and results. */
static void
test_alert_types(void **state)
{
	assert_int_equal(IPC_COLLECT_PEER, 106);
	assert_int_equal(IPC_COLLECT_ALERTCFG, 107);
	assert_int_equal(IPC_ALERT_JOB, 200);
	assert_int_equal(IPC_ALERT_RESULT, 201);
	assert_int_equal(IPC_NOTIFY_CONFIG, 303);
	assert_true(ipc_type_known(IPC_COLLECT_PEER));
	assert_true(ipc_type_known(IPC_COLLECT_ALERTCFG));
	assert_true(ipc_type_known(IPC_ALERT_JOB));
	assert_true(ipc_type_known(IPC_ALERT_RESULT));
	assert_true(ipc_type_known(IPC_NOTIFY_CONFIG));
	assert_true(ipc_type_has_fd(IPC_COLLECT_PEER));
	assert_false(ipc_type_has_fd(IPC_COLLECT_ALERTCFG));
	assert_false(ipc_type_has_fd(IPC_ALERT_JOB));
	assert_false(ipc_type_has_fd(IPC_ALERT_RESULT));
	assert_false(ipc_type_has_fd(IPC_NOTIFY_CONFIG));
	assert_string_equal(ipc_msg_type_name(IPC_COLLECT_PEER),
	    "IPC_COLLECT_PEER");
	assert_string_equal(ipc_msg_type_name(IPC_COLLECT_ALERTCFG),
	    "IPC_COLLECT_ALERTCFG");
	assert_string_equal(ipc_msg_type_name(IPC_ALERT_JOB), "IPC_ALERT_JOB");
	assert_string_equal(ipc_msg_type_name(IPC_ALERT_RESULT),
	    "IPC_ALERT_RESULT");
	assert_string_equal(ipc_msg_type_name(IPC_NOTIFY_CONFIG),
	    "IPC_NOTIFY_CONFIG");
}

/* loaderd -> notifier allowlist, notifier -> loaderd refusal counters */
static void
test_notify_targets_stats(void **state)
{
	struct ipc_text		 t = { (char *)"U http://a/x\nD b.example" }, t2;
	struct ipc_notify_stats	 s = { 3, 0x100000000ULL }, s2;
	uint8_t			*buf;
	size_t			 len;

	assert_int_equal(IPC_NOTIFY_TARGETS, 304);
	assert_int_equal(IPC_NOTIFY_STATS, 305);
	assert_true(ipc_type_allowed(IPC_NOTIFY_TARGETS, IPC_PROC_LOADERD,
	    IPC_PROC_NOTIFIERD));
	assert_false(ipc_type_allowed(IPC_NOTIFY_TARGETS,
	    IPC_PROC_COLLECTORD, IPC_PROC_NOTIFIERD));
	assert_true(ipc_type_allowed(IPC_NOTIFY_STATS, IPC_PROC_NOTIFIERD,
	    IPC_PROC_LOADERD));
	assert_false(ipc_type_has_fd(IPC_NOTIFY_TARGETS));
	assert_int_equal(ipc_msg_encode(IPC_NOTIFY_TARGETS, &t, &buf, &len),
	    0);
	assert_int_equal(ipc_msg_decode(IPC_NOTIFY_TARGETS, buf, len, &t2),
	    0);
	assert_string_equal(t2.text, t.text);
	free(t2.text);
	free(buf);
	assert_int_equal(ipc_msg_encode(IPC_NOTIFY_STATS, &s, &buf, &len), 0);
	assert_int_equal(ipc_msg_decode(IPC_NOTIFY_STATS, buf, len, &s2), 0);
	assert_int_equal(s2.refused_target, 3);
	assert_int_equal(s2.refused_event, 0x100000000ULL);
	free(buf);
	assert_int_equal(DEC(IPC_NOTIFY_STATS, "\x91\x01", &s2), ERR_PARSE);
	assert_string_equal(ipc_msg_type_name(IPC_NOTIFY_STATS),
	    "IPC_NOTIFY_STATS");
}

static void
test_peer(void **state)
{
	struct ipc_peer	 p = { 0xfffffffe }, p2;
	struct ipc_msg	 m;
	struct ipc_queue q;
	uint8_t		*buf;
	size_t		 len;
	int		 sv[2], peer[2], fd;
	char		 c;

	assert_int_equal(ipc_msg_encode(IPC_COLLECT_PEER, &p, &buf, &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "\x91\xce\xff\xff\xff\xfe", 6);
	memset(&p2, 0, sizeof(p2));
	assert_int_equal(ipc_msg_decode(IPC_COLLECT_PEER, buf, len, &p2), 0);
	assert_int_equal(p2.generation, 0xfffffffe);
	free(buf);
	assert_int_equal(DEC(IPC_COLLECT_PEER, "\x91\x07", &p2), 0);
	assert_int_equal(p2.generation, 7);
	assert_int_equal(DEC(IPC_COLLECT_PEER, "\x90", &p2), ERR_PARSE);
	assert_int_equal(DEC(IPC_COLLECT_PEER, "\x92\x01\x02", &p2),
	    ERR_PARSE);
	assert_int_equal(DEC(IPC_COLLECT_PEER, "\x91\xa1" "1", &p2),
	    ERR_PARSE);
	assert_int_equal(DEC(IPC_COLLECT_PEER,
	    "\x91\xcf\x00\x00\x00\x01\x00\x00\x00\x00", &p2), ERR_PARSE);

	/* the fd rides along (as loaderd queues it) and is a working
	 * SEQPACKET end: what goes in one side comes out of the other */
	assert_int_equal(ipc_socketpair(sv), 0);
	assert_int_equal(ipc_socketpair(peer), 0);
	assert_int_equal(ipc_msg_send(sv[0], IPC_COLLECT_PEER, &p, -1),
	    ERR_FD);
	ipc_queue_init(&q);
	p.generation = 3;
	assert_int_equal(ipc_msg_queue(&q, IPC_COLLECT_PEER, &p, peer[0]), 0);
	close(peer[0]);		/* the queue holds its own dup */
	assert_int_equal(ipc_queue_flush(&q, sv[0]), 0);
	ipc_queue_clear(&q);
	assert_int_equal(ipc_recv(sv[1], &m), 0);
	assert_int_equal(m.type, IPC_COLLECT_PEER);
	assert_true(m.fd >= 0);
	assert_int_equal(ipc_msg_decode(m.type, m.payload, m.len, &p2), 0);
	assert_int_equal(p2.generation, 3);
	fd = ipc_msg_take_fd(&m);
	ipc_msg_clear(&m);
	assert_int_equal(ipc_check_fd(fd, -1), 0);
	assert_int_equal(write(fd, "x", 1), 1);
	assert_int_equal(read(peer[1], &c, 1), 1);
	assert_int_equal(c, 'x');
	close(fd);
	close(peer[1]);
	close(sv[0]);
	close(sv[1]);
}

static void
test_alertcfg(void **state)
{
	static const uint16_t types[] = {
		IPC_COLLECT_ALERTCFG, IPC_NOTIFY_CONFIG
	};
	struct ipc_alertcfg a, a2;
	uint8_t		*buf;
	size_t		 len, i, n;
	char		*big;

	for (i = 0; i < 2; i++) {
		/* no alerts file: both strings may be empty */
		a.file = (char *)"";
		a.yaml = (char *)"";
		assert_int_equal(ipc_msg_encode(types[i], &a, &buf, &len), 0);
		assert_int_equal(len, 3);
		assert_memory_equal(buf, "\x92\xa0\xa0", 3);
		memset(&a2, 0, sizeof(a2));
		assert_int_equal(ipc_msg_decode(types[i], buf, len, &a2), 0);
		assert_string_equal(a2.file, "");
		assert_string_equal(a2.yaml, "");
		ipc_alertcfg_clear(&a2);
		assert_null(a2.file);
		assert_null(a2.yaml);
		free(buf);

		a.file = (char *)"/etc/tripline/alerts.yaml";
		a.yaml = (char *)"receivers:\n  - name: \"x\xc3\xa9\"\n"
		    "    slack: {url: \"<secret>\"}\n";
		assert_int_equal(ipc_msg_encode(types[i], &a, &buf, &len), 0);
		assert_int_equal(ipc_msg_decode(types[i], buf, len, &a2), 0);
		assert_string_equal(a2.file, a.file);
		assert_string_equal(a2.yaml, a.yaml);
		ipc_alertcfg_clear(&a2);
		free(buf);

		/* NULL is not "": refused */
		a.yaml = NULL;
		assert_int_equal(ipc_msg_encode(types[i], &a, &buf, &len),
		    ERR_PARSE);
		assert_int_equal(DEC(types[i], "\x91\xa0", &a2), ERR_PARSE);
		assert_int_equal(DEC(types[i], "\x92\xa0\x01", &a2),
		    ERR_PARSE);
		assert_int_equal(DEC(types[i], "\x92\xa1" "a\xa1\x00", &a2),
		    ERR_PARSE);
	}

	/* the largest alerts file loaderd accepts (56 KiB) fits in one
	 * message with a long path; a string over IPC_MSG_MAX_STR does not */
	n = 56 * 1024;
	big = malloc(IPC_MSG_MAX_STR + 2);
	assert_non_null(big);
	memset(big, '#', IPC_MSG_MAX_STR + 1);
	big[n] = '\0';
	a.file = malloc(1025);
	assert_non_null(a.file);
	memset(a.file, '/', 1024);
	a.file[1024] = '\0';
	a.yaml = big;
	assert_int_equal(ipc_msg_encode(IPC_NOTIFY_CONFIG, &a, &buf, &len), 0);
	assert_true(len <= IPC_MAX_PAYLOAD);
	assert_int_equal(ipc_msg_decode(IPC_NOTIFY_CONFIG, buf, len, &a2), 0);
	assert_int_equal(strlen(a2.yaml), n);
	ipc_alertcfg_clear(&a2);
	free(buf);
	big[n] = '#';
	big[IPC_MSG_MAX_STR + 1] = '\0';
	assert_int_equal(ipc_msg_encode(IPC_NOTIFY_CONFIG, &a, &buf, &len),
	    ERR_TOOBIG);
	free(a.file);
	free(big);
}

static void
test_alert_job_result(void **state)
{
	struct ipc_alert_job j = {
		UINT64_MAX, 3, 17, (char *)"ops-slack", (char *)"slack",
		(char *)"", (char *)"tl-node1-42", (char *)"high",
		(char *)"[high] etc-writes: /usr/bin/tee write /etc/passwd",
		(char *)"policy: etc-writes\nprocess: 1234 /usr/bin/tee\n",
		(char *)"[{\"process_kprobe\":{}}]"
	}, j2;
	struct ipc_alert_result r = {
		42, IPC_ALERT_RETRY, 429, 30000, UINT64_MAX - 5,
		(char *)"HTTP 429"
	}, r2;
	uint8_t		*buf;
	size_t		 len;

	assert_int_equal(ipc_msg_encode(IPC_ALERT_JOB, &j, &buf, &len), 0);
	memset(&j2, 0, sizeof(j2));
	assert_int_equal(ipc_msg_decode(IPC_ALERT_JOB, buf, len, &j2), 0);
	assert_true(j2.job_id == UINT64_MAX);
	assert_int_equal(j2.attempt, 3);
	assert_int_equal(j2.count, 17);
	assert_string_equal(j2.receiver, "ops-slack");
	assert_string_equal(j2.kind, "slack");
	assert_string_equal(j2.target, "");
	assert_string_equal(j2.idem_key, "tl-node1-42");
	assert_string_equal(j2.severity, "high");
	assert_string_equal(j2.title, j.title);
	assert_string_equal(j2.text, j.text);
	assert_string_equal(j2.event_json, j.event_json);
	/* the message is the 11 fields in order (fixarray of 11) */
	assert_int_equal(buf[0], 0x9b);
	free(buf);
	ipc_alert_job_clear(&j2);
	assert_null(j2.receiver);
	assert_null(j2.event_json);

	/* an action job: no receiver, a target */
	j.receiver = (char *)"";
	j.kind = (char *)"canary_dns";
	j.target = (char *)"abc.canary.example";
	assert_int_equal(ipc_msg_encode(IPC_ALERT_JOB, &j, &buf, &len), 0);
	assert_int_equal(ipc_msg_decode(IPC_ALERT_JOB, buf, len, &j2), 0);
	assert_string_equal(j2.receiver, "");
	assert_string_equal(j2.target, "abc.canary.example");
	ipc_alert_job_clear(&j2);
	/* truncated by one byte, or one element short: refused */
	assert_int_equal(ipc_msg_decode(IPC_ALERT_JOB, buf, len - 1, &j2),
	    ERR_PARSE);
	buf[0] = 0x9a;
	assert_int_equal(ipc_msg_decode(IPC_ALERT_JOB, buf, len, &j2),
	    ERR_PARSE);
	free(buf);
	j.text = NULL;
	assert_int_equal(ipc_msg_encode(IPC_ALERT_JOB, &j, &buf, &len),
	    ERR_PARSE);

	assert_int_equal(ipc_msg_encode(IPC_ALERT_RESULT, &r, &buf, &len), 0);
	memset(&r2, 0, sizeof(r2));
	assert_int_equal(ipc_msg_decode(IPC_ALERT_RESULT, buf, len, &r2), 0);
	assert_int_equal(r2.job_id, 42);
	assert_int_equal(r2.status, IPC_ALERT_RETRY);
	assert_int_equal(r2.code, 429);
	assert_int_equal(r2.retry_after_ms, 30000);
	assert_true(r2.duration_us == UINT64_MAX - 5);
	assert_string_equal(r2.detail, "HTTP 429");
	ipc_alert_result_clear(&r2);
	assert_null(r2.detail);
	free(buf);
	/* exact bytes of a small result */
	r.job_id = 1;
	r.status = IPC_ALERT_DELIVERED;
	r.code = 200;
	r.retry_after_ms = 0;
	r.duration_us = 5;
	r.detail = (char *)"";
	assert_int_equal(ipc_msg_encode(IPC_ALERT_RESULT, &r, &buf, &len), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(buf, "\x96\x01\x00\xcc\xc8\x00\x05\xa0", 8);
	free(buf);
	/* code over uint32, negative status, string for job_id */
	assert_int_equal(DEC(IPC_ALERT_RESULT,
	    "\x96\x01\x00\xcf\x00\x00\x00\x01\x00\x00\x00\x00\x00\x05\xa0",
	    &r2), ERR_PARSE);
	assert_int_equal(DEC(IPC_ALERT_RESULT, "\x96\x01\xff\x00\x00\x05\xa0",
	    &r2), ERR_PARSE);
	assert_int_equal(DEC(IPC_ALERT_RESULT, "\x96\xa1" "1\x00\x00\x00\x05"
	    "\xa0", &r2), ERR_PARSE);
	assert_int_equal(DEC(IPC_ALERT_RESULT, "\x96\x01\x00\x00\x00\x05\xa0"
	    "\x00", &r2), ERR_PARSE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_directions),
		cmocka_unit_test(test_roundtrip_all),
		cmocka_unit_test(test_exact_encoding),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_decode_long_string),
		cmocka_unit_test(test_decode_counts),
		cmocka_unit_test(test_send_recv),
		cmocka_unit_test(test_hook),
		cmocka_unit_test(test_drops),
		cmocka_unit_test(test_alert_types),
		cmocka_unit_test(test_notify_targets_stats),
		cmocka_unit_test(test_peer),
		cmocka_unit_test(test_alertcfg),
		cmocka_unit_test(test_alert_job_result),
	};

	return cmocka_run_group_tests_name("ipc_msg", tests, NULL, NULL);
}
