/* tests/unit/test_generic.c -- policy hook events: the hook metadata table,
 * Tetragon JSON of every argument type, actions, rendering of a record
 * per hook kind, and the JSON/compact export lines. */
#include "build.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectord/decode.h"
#include "collectord/export.h"
#include "collectord/generic.h"
#include "collectord/hooks.h"
#include "collectord/pcache.h"
#include "err.h"
#include "ipc_msg.h"
#include "policy.h"
#include "str.h"
#include "xmalloc.h"
#include "tests/unit/genrec.h"

#define NODE	"testnode"
/* boot ns 0 == 2026-01-01T00:00:00Z */
#define OFF	(1767225600LL * 1000000000LL)
#define SEC	1000000000ULL

/* A hook with every string allocated, as ipc_msg_decode leaves it. */
static void
mkhook(struct ipc_hook *h, uint32_t id, uint32_t gen, uint32_t kind)
{
	size_t	 i;

	memset(h, 0, sizeof(*h));
	h->id = id;
	h->gen = gen;
	h->kind = kind;
	h->policy = xstrdup("pol");
	h->function = xstrdup(kind == POL_HOOK_UPROBE ? "readline" :
	    kind == POL_HOOK_LSM ? "file_open" : "__x64_sys_openat");
	h->subsys = xstrdup(kind == POL_HOOK_TRACEPOINT ? "syscalls" : "");
	h->event = xstrdup(kind == POL_HOOK_TRACEPOINT ?
	    "sys_enter_openat" : "");
	h->path = xstrdup(kind == POL_HOOK_UPROBE ? "/bin/bash" : "");
	h->message = xstrdup("");
	h->tags_json = xstrdup("");
	for (i = 0; i < IPC_HOOK_ARGS; i++)
		h->arg_label[i] = xstrdup("");
	for (i = 0; i < IPC_HOOK_SEL; i++) {
		h->sel_url[i] = xstrdup("");
		h->sel_fqdn[i] = xstrdup("");
	}
}

static void
setstr(char **p, const char *v)
{
	free(*p);
	*p = xstrdup(v);
}

static void
test_tags_valid(void **state)
{
	static const char *const good[] = {
		"[]", "[\"a\"]", "[\"a\",\"b c\"]", " [ \"x\" , \"y\" ] ",
		"[\"\\u00e9\\n\\\"\"]", "[\"\"]",
	};
	static const char *const bad[] = {
		"", "[", "]", "[1]", "[\"a\",]", "[\"a\"] x", "{\"a\":1}",
		"[\"\\x\"]", "[\"a\nb\"]", "[\"\\u12g4\"]", "[\"a\"", "[,]",
		"[\"a\" \"b\"]", "[\"\\",
	};
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		if (!hooktab_tags_valid(good[i]))
			fail_msg("rejected %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (hooktab_tags_valid(bad[i]))
			fail_msg("accepted %s", bad[i]);
}

static void
test_hooktab(void **state)
{
	struct hooktab	*t = hooktab_new();
	struct ipc_hook	 h;
	const struct ipc_hook *g;
	uint64_t	 now = 100 * SEC;
	size_t		 i;

	mkhook(&h, 1, 1, POL_HOOK_KPROBE);
	assert_int_equal(hooktab_set(t, &h, now), 0);
	assert_null(h.policy);		/* taken over */
	assert_non_null(g = hooktab_get(t, 1, 1));
	assert_string_equal(g->function, "__x64_sys_openat");
	assert_null(hooktab_get(t, 1, 2));
	assert_null(hooktab_get(t, 2, 1));
	assert_null(hooktab_get(t, 4000000000U, 1));
	assert_null(hooktab_get(NULL, 1, 1));
	assert_int_equal(hooktab_live(t), 1);

	/* same generation again (resent after a respawn): replaced */
	mkhook(&h, 1, 1, POL_HOOK_KPROBE);
	setstr(&h.message, "again");
	assert_int_equal(hooktab_set(t, &h, now), 0);
	assert_string_equal(hooktab_get(t, 1, 1)->message, "again");
	assert_int_equal(hooktab_live(t), 1);
	assert_int_equal(hooktab_retired(t), 0);

	/* a new generation of the slot: the old one is retired, still
	 * found for records already in the ring, until the grace period */
	mkhook(&h, 1, 2, POL_HOOK_TRACEPOINT);
	assert_int_equal(hooktab_set(t, &h, now), 0);
	assert_int_equal(hooktab_get(t, 1, 2)->kind, POL_HOOK_TRACEPOINT);
	assert_string_equal(hooktab_get(t, 1, 1)->message, "again");
	assert_int_equal(hooktab_retired(t), 1);
	hooktab_expire(t, now + HOOKTAB_GRACE_NS);
	assert_non_null(hooktab_get(t, 1, 1));
	hooktab_expire(t, now + HOOKTAB_GRACE_NS + 1);
	assert_null(hooktab_get(t, 1, 1));
	assert_int_equal(hooktab_retired(t), 0);

	/* deletion: wrong gen refused; deleted entry retired */
	assert_int_equal(hooktab_del(t, 1, 1, now), ERR_NOTFOUND);
	assert_int_equal(hooktab_del(t, 9, 1, now), ERR_NOTFOUND);
	assert_int_equal(hooktab_del(t, 99999, 1, now), ERR_NOTFOUND);
	assert_int_equal(hooktab_del(t, 1, 2, now), 0);
	assert_int_equal(hooktab_live(t), 0);
	assert_non_null(hooktab_get(t, 1, 2));
	assert_int_equal(hooktab_del(t, 1, 2, now), ERR_NOTFOUND);
	/* re-added with the same (id, gen): live again, not twice */
	mkhook(&h, 1, 2, POL_HOOK_UPROBE);
	assert_int_equal(hooktab_set(t, &h, now), 0);
	assert_int_equal(hooktab_retired(t), 0);
	assert_int_equal(hooktab_get(t, 1, 2)->kind, POL_HOOK_UPROBE);

	/* ids far apart grow the table */
	mkhook(&h, 5000, 7, POL_HOOK_LSM);
	assert_int_equal(hooktab_set(t, &h, now), 0);
	assert_int_equal(hooktab_get(t, 5000, 7)->kind, POL_HOOK_LSM);
	assert_int_equal(hooktab_live(t), 2);

	/* invalid metadata: refused, *h untouched (caller frees) */
	mkhook(&h, HOOKTAB_ID_MAX, 1, POL_HOOK_KPROBE);
	assert_int_equal(hooktab_set(t, &h, now), ERR_RANGE);
	assert_non_null(h.policy);
	h.id = 3;
	h.kind = 0;
	assert_int_equal(hooktab_set(t, &h, now), ERR_RANGE);
	h.kind = POL_HOOK_USDT + 1;
	assert_int_equal(hooktab_set(t, &h, now), ERR_RANGE);
	h.kind = POL_HOOK_KPROBE;
	h.nargs = IPC_HOOK_ARGS + 1;
	assert_int_equal(hooktab_set(t, &h, now), ERR_RANGE);
	h.nargs = 0;
	setstr(&h.tags_json, "[\"a\",");
	assert_int_equal(hooktab_set(t, &h, now), ERR_RANGE);
	setstr(&h.tags_json, "[\"a\"]");
	free(h.sel_fqdn[4]);
	h.sel_fqdn[4] = NULL;
	assert_int_equal(hooktab_set(t, &h, now), ERR_RANGE);
	h.sel_fqdn[4] = xstrdup("");
	assert_null(hooktab_get(t, 3, 1));
	assert_int_equal(hooktab_set(t, &h, now), 0);
	assert_non_null(hooktab_get(t, 3, 1));

	/* the retired list is bounded */
	for (i = 0; i < HOOKTAB_RETIRED_MAX + 50; i++) {
		mkhook(&h, 10, (uint32_t)i, POL_HOOK_KPROBE);
		assert_int_equal(hooktab_set(t, &h, now), 0);
	}
	assert_int_equal(hooktab_retired(t), HOOKTAB_RETIRED_MAX);
	assert_null(hooktab_get(t, 10, 0));
	assert_non_null(hooktab_get(t, 10, HOOKTAB_RETIRED_MAX + 48));
	hooktab_free(t);
	hooktab_free(NULL);
}

/* JSON of one argument; returns a static buffer. */
static const char *
arg_json(uint8_t type, uint8_t flags, uint32_t aux, const void *data,
    size_t len, uint64_t num, const char *label)
{
	static struct sbuf	 sb;
	struct dec_arg		 a;

	memset(&a, 0, sizeof(a));
	a.type = type;
	a.flags = flags;
	a.aux = aux;
	a.data = data;
	a.len = len;
	a.num = num;
	sbuf_reset(&sb);
	generic_arg_json(&sb, &a, label);
	return sb.buf;
}

#define J_INT(t, v)	arg_json(t, 0, 0, NULL, 0, (uint64_t)(v), NULL)
#define J_STR(t, s)	arg_json(t, 0, 0, s, strlen(s), 0, NULL)

static void
test_arg_json(void **state)
{
	struct ev_sockaddr sa;
	const uint8_t	 bin[4] = { 'h', 'i', 0, 0xff };

	/* integers: 32-bit and smaller as numbers, 64-bit as strings */
	assert_string_equal(J_INT(POL_ARG_INT, -2), "{\"int_arg\":-2}");
	assert_string_equal(J_INT(POL_ARG_INT, 0xffffffffULL),
	    "{\"int_arg\":-1}");
	assert_string_equal(J_INT(POL_ARG_INT, 2147483647),
	    "{\"int_arg\":2147483647}");
	assert_string_equal(J_INT(POL_ARG_INT16, -3), "{\"int_arg\":-3}");
	assert_string_equal(J_INT(POL_ARG_INT8, 127), "{\"int_arg\":127}");
	assert_string_equal(J_INT(POL_ARG_INT8, -128), "{\"int_arg\":-128}");
	assert_string_equal(J_INT(POL_ARG_UINT32, 4294967295ULL),
	    "{\"uint_arg\":4294967295}");
	assert_string_equal(J_INT(POL_ARG_UINT32, -1),
	    "{\"uint_arg\":4294967295}");
	assert_string_equal(J_INT(POL_ARG_UINT16, 65535),
	    "{\"uint_arg\":65535}");
	assert_string_equal(J_INT(POL_ARG_UINT8, 255), "{\"uint_arg\":255}");
	assert_string_equal(J_INT(POL_ARG_INT64, INT64_MIN),
	    "{\"long_arg\":\"-9223372036854775808\"}");
	assert_string_equal(J_INT(POL_ARG_INT64, 5), "{\"long_arg\":\"5\"}");
	assert_string_equal(J_INT(POL_ARG_UINT64, UINT64_MAX),
	    "{\"size_arg\":\"18446744073709551615\"}");
	assert_string_equal(J_INT(POL_ARG_SIZE_T, 65536),
	    "{\"size_arg\":\"65536\"}");
	assert_string_equal(arg_json(POL_ARG_INT, 0, 0, NULL, 0, 3, "fd"),
	    "{\"int_arg\":3,\"label\":\"fd\"}");
	assert_string_equal(arg_json(POL_ARG_SIZE_T, 0, 0, NULL, 0, 3, ""),
	    "{\"size_arg\":\"3\"}");

	/* strings: JSON-escaped, invalid UTF-8 replaced */
	assert_string_equal(J_STR(POL_ARG_STRING, "/etc/passwd"),
	    "{\"string_arg\":\"/etc/passwd\"}");
	assert_string_equal(J_STR(POL_ARG_FILENAME, "a\"b\\c\n\x01\xff"),
	    "{\"string_arg\":\"a\\\"b\\\\c\\n\\u0001\\ufffd\"}");
	assert_string_equal(J_STR(POL_ARG_DATA_LOC, "ext4"),
	    "{\"string_arg\":\"ext4\"}");
	assert_string_equal(J_STR(POL_ARG_STRING, ""),
	    "{\"string_arg\":\"\"}");
	assert_string_equal(arg_json(POL_ARG_STRING, 0, 0, "/x", 2, 0,
	    "pa\"th"), "{\"string_arg\":\"/x\",\"label\":\"pa\\\"th\"}");

	/* buffers: base64; truncated with the size asked for */
	assert_string_equal(arg_json(POL_ARG_CHAR_BUF, 0, 4, bin, 4, 0, NULL),
	    "{\"bytes_arg\":\"aGkA/w==\"}");
	assert_string_equal(arg_json(POL_ARG_CONST_BUF, 0, 0, bin, 2, 0,
	    NULL), "{\"bytes_arg\":\"aGk=\"}");
	assert_string_equal(arg_json(POL_ARG_CHAR_BUF, 0, 0, bin, 0, 0, NULL),
	    "{\"bytes_arg\":\"\"}");
	assert_string_equal(arg_json(POL_ARG_CHAR_BUF, EVA_TRUNC, 65536, bin,
	    3, 0, "buf"), "{\"truncated_bytes_arg\":{\"bytes_arg\":\"aGkA\","
	    "\"orig_size\":\"65536\"},\"label\":\"buf\"}");

	/* files and paths */
	assert_string_equal(arg_json(POL_ARG_FD, 0, 3, "/tmp/x", 6, 0, NULL),
	    "{\"file_arg\":{\"path\":\"/tmp/x\"}}");
	assert_string_equal(J_STR(POL_ARG_FILE, "/etc/shadow"),
	    "{\"file_arg\":{\"path\":\"/etc/shadow\"}}");
	assert_string_equal(J_STR(POL_ARG_FD, ""), "{\"file_arg\":{}}");
	assert_string_equal(J_STR(POL_ARG_PATH, "/etc"),
	    "{\"path_arg\":{\"path\":\"/etc\"}}");
	assert_string_equal(J_STR(POL_ARG_DENTRY, "passwd"),
	    "{\"path_arg\":{\"path\":\"passwd\"}}");

	/* sockaddr */
	memset(&sa, 0, sizeof(sa));
	sa.family = 2;
	sa.port = 80;
	sa.addr[0] = 127;
	sa.addr[3] = 1;
	assert_string_equal(arg_json(POL_ARG_SOCKADDR, 0, 0, &sa, sizeof(sa),
	    0, NULL), "{\"sockaddr_arg\":{\"family\":\"AF_INET\","
	    "\"addr\":\"127.0.0.1\",\"port\":80}}");
	memset(&sa, 0, sizeof(sa));
	sa.family = 10;
	sa.port = 443;
	sa.addr[15] = 1;
	assert_string_equal(arg_json(POL_ARG_SOCKADDR, 0, 0, &sa, sizeof(sa),
	    0, "dst"), "{\"sockaddr_arg\":{\"family\":\"AF_INET6\","
	    "\"addr\":\"::1\",\"port\":443},\"label\":\"dst\"}");
	memset(&sa, 0, sizeof(sa));
	sa.family = 1;
	assert_string_equal(arg_json(POL_ARG_SOCKADDR, 0, 0, &sa, sizeof(sa),
	    0, NULL), "{\"sockaddr_arg\":{\"family\":\"AF_UNIX\"}}");
	sa.family = 99;
	assert_string_equal(arg_json(POL_ARG_SOCKADDR, 0, 0, &sa, sizeof(sa),
	    0, NULL), "{\"sockaddr_arg\":{\"family\":\"99\"}}");

	/* the integer-carried kernel types */
	assert_string_equal(J_INT(POL_ARG_SYSCALL64, 257),
	    "{\"syscall_id\":{\"id\":257,\"abi\":\"x64\"}}");
	assert_string_equal(J_INT(POL_ARG_SYSCALL64, (1ULL << 31) | 11),
	    "{\"syscall_id\":{\"id\":11,\"abi\":\"i386\"}}");
	assert_string_equal(J_INT(POL_ARG_BPF_CMD, 5),
	    "{\"bpf_cmd_arg\":\"BPF_PROG_LOAD\"}");
	assert_string_equal(J_INT(POL_ARG_BPF_CMD, 36),
	    "{\"bpf_cmd_arg\":\"BPF_TOKEN_CREATE\"}");
	assert_string_equal(J_INT(POL_ARG_BPF_CMD, 99),
	    "{\"bpf_cmd_arg\":99}");
	assert_string_equal(arg_json(POL_ARG_CAPABILITY, 0, 0, NULL, 0, 21,
	    "cap"), "{\"capability_arg\":{\"value\":21,\"name\":"
	    "\"CAP_SYS_ADMIN\"},\"label\":\"cap\"}");
	assert_string_equal(J_INT(POL_ARG_CAPABILITY, 40),
	    "{\"capability_arg\":{\"value\":40,\"name\":"
	    "\"CAP_CHECKPOINT_RESTORE\"}}");
	assert_string_equal(J_INT(POL_ARG_CAPABILITY, 63),
	    "{\"capability_arg\":{\"value\":63}}");
	assert_string_equal(J_INT(POL_ARG_KERNEL_CAP, 0x1ffffffffffULL),
	    "{\"kernel_cap_t_arg\":\"000001ffffffffff\"}");

	/* read errors */
	assert_string_equal(arg_json(POL_ARG_STRING, EVA_ERROR, 0, NULL, 0, 0,
	    "path"), "{\"error_arg\":{\"Message\":\"could not read string "
	    "argument\"},\"label\":\"path\"}");
	assert_string_equal(arg_json(POL_ARG_INT, EVA_ERROR, 0, NULL, 0, 0,
	    NULL), "{\"error_arg\":{\"Message\":\"could not read int "
	    "argument\"}}");
	assert_string_equal(arg_json(POL_ARG_SOCK, EVA_ERROR, 0, NULL, 0, 0,
	    NULL), "{\"error_arg\":{\"Message\":\"could not read sock "
	    "argument\"}}");
	assert_string_equal(arg_json(POL_ARG_STRING, EVA_ERROR | EVA_FAULT, 0,
	    NULL, 0, 0, NULL), "{\"error_arg\":{\"Message\":\"could not "
	    "read string argument: user memory not readable without faulting "
	    "a page in\"}}");
	assert_string_equal(generic_arg_type_name(POL_ARG_LINUX_BINPRM),
	    "linux_binprm");
	assert_string_equal(generic_arg_type_name(10), "?");
	assert_string_equal(generic_arg_type_name(250), "?");
}

static const char *
arg_compact(uint8_t type, uint8_t flags, const void *data, size_t len,
    uint64_t num)
{
	static struct sbuf	 sb;
	struct dec_arg		 a;

	memset(&a, 0, sizeof(a));
	a.type = type;
	a.flags = flags;
	a.data = data;
	a.len = len;
	a.num = num;
	sbuf_reset(&sb);
	generic_arg_compact(&sb, &a);
	return sb.buf;
}

static void
test_arg_compact(void **state)
{
	struct ev_sockaddr sa;
	char		 big[100];

	assert_string_equal(arg_compact(POL_ARG_INT, 0, NULL, 0, 0xfffffffe),
	    "-2");
	assert_string_equal(arg_compact(POL_ARG_UINT64, 0, NULL, 0,
	    UINT64_MAX), "18446744073709551615");
	assert_string_equal(arg_compact(POL_ARG_STRING, 0, "a b\n", 4, 0),
	    "a b\\n");
	assert_string_equal(arg_compact(POL_ARG_FD, 0, "", 0, 0), "\"\"");
	assert_string_equal(arg_compact(POL_ARG_CHAR_BUF, 0, "x\0", 2, 0),
	    "\"x\\x00\"");
	assert_string_equal(arg_compact(POL_ARG_CHAR_BUF, EVA_TRUNC, "x", 1,
	    0), "\"x\"...");
	memset(big, 'z', sizeof(big));
	assert_string_equal(arg_compact(POL_ARG_CHAR_BUF, 0, big, 100, 0),
	    "\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
	    "zzzz\"...");
	assert_string_equal(arg_compact(POL_ARG_STRING, EVA_ERROR, NULL, 0,
	    0), "?");
	assert_string_equal(arg_compact(POL_ARG_BPF_CMD, 0, NULL, 0, 5),
	    "BPF_PROG_LOAD");
	assert_string_equal(arg_compact(POL_ARG_CAPABILITY, 0, NULL, 0, 21),
	    "CAP_SYS_ADMIN");
	assert_string_equal(arg_compact(POL_ARG_SYSCALL64, 0, NULL, 0, 257),
	    "257");
	assert_string_equal(arg_compact(POL_ARG_KERNEL_CAP, 0, NULL, 0, 3),
	    "0x0000000000000003");
	memset(&sa, 0, sizeof(sa));
	sa.family = 2;
	sa.port = 53;
	sa.addr[0] = 10;
	sa.addr[3] = 2;
	assert_string_equal(arg_compact(POL_ARG_SOCKADDR, 0, &sa, sizeof(sa),
	    0), "10.0.0.2:53");
	sa.family = 10;
	memset(sa.addr, 0, sizeof(sa.addr));
	sa.addr[15] = 1;
	assert_string_equal(arg_compact(POL_ARG_SOCKADDR, 0, &sa, sizeof(sa),
	    0), "[::1]:53");
}

/* A returned fd (returnArg type fd) of a failed call: its error code as a
 * number; a descriptor that could not be resolved stays an error_arg. */
static void
test_failed_fd(void **state)
{
	assert_string_equal(arg_json(POL_ARG_FD, EVA_ERROR | EVA_RETVAL,
	    (uint32_t)-13, NULL, 0, 0, NULL), "{\"int_arg\":-13}");
	assert_string_equal(arg_json(POL_ARG_FD, EVA_ERROR | EVA_RETVAL, 5,
	    NULL, 0, 0, NULL),
	    "{\"error_arg\":{\"Message\":\"could not read fd argument\"}}");
	assert_string_equal(arg_json(POL_ARG_FD, EVA_ERROR, (uint32_t)-13,
	    NULL, 0, 0, NULL),
	    "{\"error_arg\":{\"Message\":\"could not read fd argument\"}}");
	assert_string_equal(arg_json(POL_ARG_FD, EVA_RETVAL, 3, "/etc/x", 6,
	    0, NULL), "{\"file_arg\":{\"path\":\"/etc/x\"}}");
	{
		static struct sbuf	 sb;
		struct dec_arg		 a;

		memset(&a, 0, sizeof(a));
		a.type = POL_ARG_FD;
		a.flags = EVA_ERROR | EVA_RETVAL;
		a.aux = (uint32_t)-1;
		sbuf_reset(&sb);
		generic_arg_compact(&sb, &a);
		assert_string_equal(sb.buf, "-1");
	}
}

static void
test_actions(void **state)
{
	struct sbuf	 sb;

	assert_string_equal(generic_action_name(POL_ACT_POST),
	    "KPROBE_ACTION_POST");
	assert_string_equal(generic_action_name(POL_ACT_NOPOST),
	    "KPROBE_ACTION_NOPOST");
	assert_string_equal(generic_action_name(POL_ACT_SIGKILL),
	    "KPROBE_ACTION_SIGKILL");
	assert_string_equal(generic_action_name(POL_ACT_SIGNAL),
	    "KPROBE_ACTION_SIGNAL");
	assert_string_equal(generic_action_name(POL_ACT_OVERRIDE),
	    "KPROBE_ACTION_OVERRIDE");
	assert_string_equal(generic_action_name(POL_ACT_FOLLOWFD),
	    "KPROBE_ACTION_FOLLOWFD");
	assert_string_equal(generic_action_name(POL_ACT_UNFOLLOWFD),
	    "KPROBE_ACTION_UNFOLLOWFD");
	assert_string_equal(generic_action_name(POL_ACT_COPYFD),
	    "KPROBE_ACTION_COPYFD");
	assert_string_equal(generic_action_name(POL_ACT_GETURL),
	    "KPROBE_ACTION_GETURL");
	assert_string_equal(generic_action_name(POL_ACT_DNSLOOKUP),
	    "KPROBE_ACTION_DNSLOOKUP");
	assert_string_equal(generic_action_name(POL_ACT_TRACKSOCK),
	    "KPROBE_ACTION_TRACKSOCK");
	assert_string_equal(generic_action_name(POL_ACT_UNTRACKSOCK),
	    "KPROBE_ACTION_UNTRACKSOCK");
	assert_string_equal(generic_action_name(POL_ACT_NOTIFYENFORCER),
	    "KPROBE_ACTION_NOTIFYENFORCER");
	assert_string_equal(generic_action_name(POL_ACT_SET),
	    "KPROBE_ACTION_SET");
	assert_null(generic_action_name(0));
	assert_null(generic_action_name(POL_ACT_MAX_));

	/* the main action */
	assert_string_equal(generic_main_action(0), "KPROBE_ACTION_POST");
	assert_string_equal(generic_main_action(1U << POL_ACT_POST),
	    "KPROBE_ACTION_POST");
	assert_string_equal(generic_main_action((1U << POL_ACT_POST) |
	    (1U << POL_ACT_SIGKILL) | (1U << POL_ACT_SIGNAL) |
	    (1U << POL_ACT_OVERRIDE)), "KPROBE_ACTION_SIGKILL");
	assert_string_equal(generic_main_action((1U << POL_ACT_SIGNAL) |
	    (1U << POL_ACT_OVERRIDE)), "KPROBE_ACTION_SIGNAL");
	assert_string_equal(generic_main_action((1U << POL_ACT_NOPOST) |
	    (1U << POL_ACT_OVERRIDE)), "KPROBE_ACTION_OVERRIDE");
	assert_string_equal(generic_main_action((1U << POL_ACT_NOPOST) |
	    (1U << POL_ACT_GETURL)), "KPROBE_ACTION_NOPOST");
	assert_string_equal(generic_main_action((1U << POL_ACT_POST) |
	    (1U << POL_ACT_GETURL)), "KPROBE_ACTION_GETURL");
	assert_string_equal(generic_main_action((1U << POL_ACT_POST) |
	    (1U << POL_ACT_FOLLOWFD)), "KPROBE_ACTION_FOLLOWFD");

	sbuf_init(&sb);
	generic_actions_json(&sb, (1U << POL_ACT_SIGKILL) |
	    (1U << POL_ACT_POST));
	assert_string_equal(sb.buf,
	    "[\"KPROBE_ACTION_POST\",\"KPROBE_ACTION_SIGKILL\"]");
	sbuf_reset(&sb);
	generic_actions_json(&sb, 0);
	assert_string_equal(sb.buf, "[]");
	sbuf_clear(&sb);

	assert_string_equal(generic_event_type(POL_HOOK_KPROBE),
	    "process_kprobe");
	assert_string_equal(generic_event_type(POL_HOOK_TRACEPOINT),
	    "process_tracepoint");
	assert_string_equal(generic_event_type(POL_HOOK_RAW_TRACEPOINT),
	    "process_tracepoint");
	assert_string_equal(generic_event_type(POL_HOOK_UPROBE),
	    "process_uprobe");
	assert_string_equal(generic_event_type(POL_HOOK_LSM), "process_lsm");
}

/* Decode a record built in r. */
static void
dec(struct genrec *r, struct dec_event *ev)
{
	size_t	 len = genrec_done(r);

	assert_int_equal(decode_record(r->buf, len, ev), 0);
}

/* Integer and string arguments are written at once (generic_args_fast):
 * the same text as the jsonw path, which an argument of another type
 * (size_t here, last) sends the whole array through. */
static void
fast_args(struct genrec *r, int set, int with_slow)
{
	genrec_init(r, 1234, 5 * SEC, 1, 1, 7, 1);
	if (set == 0) {
		genrec_int(r, POL_ARG_INT, (int64_t)0x80000000LL);
		genrec_int(r, POL_ARG_INT16, 0x18000);
		genrec_int(r, POL_ARG_INT8, 0x180);
		genrec_str(r, POL_ARG_FILENAME, "/tmp/a \"b\"\\\n\x01\xc3\xa9"
		    "\xff-long-enough-for-words");
	} else {
		genrec_int(r, POL_ARG_UINT32, (int64_t)0x1ffffffffLL);
		genrec_int(r, POL_ARG_UINT16, 0x12345);
		genrec_arg(r, POL_ARG_NOP, 0, 0, NULL, 0);
		genrec_int(r, POL_ARG_UINT8, 0x1ff);
	}
	if (with_slow)
		genrec_int(r, POL_ARG_SIZE_T, 7);
	else if (set == 1)
		genrec_str(r, POL_ARG_STRING, "");
}

static void
test_render_fast_args(void **state)
{
	static const char *const want_fast[2] = {
	    "[{\"int_arg\":-2147483648,\"label\":\"a \\\"quoted\\\" label\"},"
	    "{\"int_arg\":-32768},{\"int_arg\":-128},{\"string_arg\":"
	    "\"/tmp/a \\\"b\\\"\\\\\\n\\u0001\xc3\xa9\\ufffd-long-enough-for-"
	    "words\",\"label\":\"path\"}]",
	    "[{\"uint_arg\":4294967295,\"label\":\"a \\\"quoted\\\" label\"},"
	    "{\"uint_arg\":9029},{\"uint_arg\":255,\"label\":\"path\"},"
	    "{\"string_arg\":\"\",\"label\":\"last\"}]",
	};
	static struct genrec r;
	struct gen_render gr;
	struct dec_event ev;
	struct ipc_hook	 h;
	char		 want[2048];
	const char	*got;
	size_t		 len;
	int		 set;

	memset(&gr, 0, sizeof(gr));
	mkhook(&h, 7, 1, POL_HOOK_KPROBE);
	h.nargs = 5;
	setstr(&h.arg_label[0], "a \"quoted\" label");
	setstr(&h.arg_label[3], "path");
	setstr(&h.arg_label[4], "last");
	for (set = 0; set < 2; set++) {
		fast_args(&r, set, 0);
		dec(&r, &ev);
		generic_render(&gr, &ev, &h);
		assert_string_equal(generic_str(&gr.args), want_fast[set]);
		/* the first 3 (4) shown, as the jsonw path writes them */
		fast_args(&r, set, 1);
		dec(&r, &ev);
		generic_render(&gr, &ev, &h);
		got = generic_str(&gr.args);
		len = strlen(want_fast[set]);
		if (set == 1)	/* its last one is not in the slow record */
			len = (size_t)(strstr(want_fast[set],
			    ",{\"string_arg\"") - want_fast[set]) + 1;
		snprintf(want, sizeof(want), "%.*s,{\"size_arg\":\"7\"%s}]",
		    (int)(len - 1), want_fast[set], set == 1 ?
		    ",\"label\":\"last\"" : "");
		if (set == 0)	/* size_t is the 5th: label "last" */
			snprintf(want, sizeof(want), "%.*s,{\"size_arg\":\"7\","
			    "\"label\":\"last\"}]", (int)(len - 1), want_fast[0]);
		assert_string_equal(got, want);
	}
	ipc_hook_clear(&h);
	generic_render_clear(&gr);
}

static void
test_render(void **state)
{
	static struct genrec r;
	struct gen_render gr;
	struct dec_event ev;
	struct ipc_hook	 h, tp, up, lsm;

	memset(&gr, 0, sizeof(gr));
	mkhook(&h, 7, 1, POL_HOOK_KPROBE);
	h.nargs = 2;
	h.arg_type[0] = POL_ARG_INT;
	h.arg_type[1] = POL_ARG_STRING;
	setstr(&h.arg_label[1], "path");
	h.ret_type = POL_ARG_INT;
	setstr(&h.message, "open of a secret");
	setstr(&h.tags_json, "[\"observability.filesystem\"]");
	setstr(&h.sel_url[1], "http://example.invalid/canary");
	setstr(&h.sel_fqdn[1], "canary.example.invalid");
	setstr(&h.sel_url[0], "http://other.invalid/");

	/* kprobe: Post + Sigkill + GetUrl + DnsLookup in selector 1 */
	genrec_init(&r, 1234, 5 * SEC, 1, 1, 7, 1);
	genrec_int(&r, POL_ARG_INT, -100);
	genrec_str(&r, POL_ARG_STRING, "/etc/passwd");
	genrec_hdr(&r)->flags = EVG_F_RETURN;
	genrec_hdr(&r)->ret = -2;
	genrec_hdr(&r)->sel = 1;
	genrec_hdr(&r)->actions = (1U << POL_ACT_POST) |
	    (1U << POL_ACT_SIGKILL) | (1U << POL_ACT_GETURL) |
	    (1U << POL_ACT_DNSLOOKUP);
	dec(&r, &ev);
	generic_render(&gr, &ev, &h);
	assert_string_equal(gr.type, "process_kprobe");
	assert_string_equal(gr.kind, "kprobe");
	assert_string_equal(generic_str(&gr.function), "__x64_sys_openat");
	assert_string_equal(gr.policy, "pol");
	assert_string_equal(gr.message, "open of a secret");
	assert_string_equal(gr.tags, "[\"observability.filesystem\"]");
	assert_string_equal(gr.action, "KPROBE_ACTION_SIGKILL");
	assert_string_equal(generic_str(&gr.args), "[{\"int_arg\":-100},"
	    "{\"string_arg\":\"/etc/passwd\",\"label\":\"path\"}]");
	assert_string_equal(generic_str(&gr.ret), "{\"int_arg\":-2}");
	assert_string_equal(generic_str(&gr.actions), "[\"KPROBE_ACTION_POST\","
	    "\"KPROBE_ACTION_SIGKILL\",\"KPROBE_ACTION_GETURL\","
	    "\"KPROBE_ACTION_DNSLOOKUP\"]");
	assert_int_equal(gr.would.len, 0);
	assert_int_equal(gr.nalerts, 2);
	assert_string_equal(gr.alerts[0].kind, "geturl");
	assert_string_equal(gr.alerts[0].target,
	    "http://example.invalid/canary");
	assert_string_equal(gr.alerts[1].kind, "dnslookup");
	assert_string_equal(gr.alerts[1].target, "canary.example.invalid");

	/* the return argument wins over ret; monitor mode; no alert when
	 * GetUrl was suppressed or its selector has no URL */
	genrec_init(&r, 1234, 5 * SEC, 1, 1, 7, 1);
	genrec_arg(&r, POL_ARG_SIZE_T, EVA_RETVAL, 0, &(int64_t){ 4096 }, 8);
	genrec_hdr(&r)->flags = EVG_F_RETURN | EVG_F_MONITOR;
	genrec_hdr(&r)->ret = 4096;
	genrec_hdr(&r)->sel = 1;
	genrec_hdr(&r)->actions = 1U << POL_ACT_POST;
	genrec_hdr(&r)->would = (1U << POL_ACT_SIGKILL) |
	    (1U << POL_ACT_GETURL);
	dec(&r, &ev);
	generic_render(&gr, &ev, &h);
	assert_string_equal(generic_str(&gr.args), "[]");
	assert_string_equal(generic_str(&gr.ret), "{\"size_arg\":\"4096\"}");
	assert_string_equal(gr.action, "KPROBE_ACTION_POST");
	assert_string_equal(generic_str(&gr.would),
	    "[\"KPROBE_ACTION_SIGKILL\",\"KPROBE_ACTION_GETURL\"]");
	assert_int_equal(gr.nalerts, 0);
	genrec_init(&r, 1234, 5 * SEC, 1, 1, 7, 1);
	genrec_hdr(&r)->sel = 2;
	genrec_hdr(&r)->actions = 1U << POL_ACT_GETURL;
	dec(&r, &ev);
	generic_render(&gr, &ev, &h);
	assert_int_equal(gr.nalerts, 0);
	assert_int_equal(gr.ret.len, 0);	/* no EVG_F_RETURN */
	genrec_hdr(&r)->sel = 0;
	dec(&r, &ev);
	generic_render(&gr, &ev, &h);
	assert_int_equal(gr.nalerts, 1);
	assert_string_equal(gr.alerts[0].target, "http://other.invalid/");
	genrec_hdr(&r)->sel = 0xff;
	dec(&r, &ev);
	generic_render(&gr, &ev, &h);
	assert_int_equal(gr.nalerts, 0);

	/* tracepoint, uprobe, lsm */
	mkhook(&tp, 8, 1, POL_HOOK_TRACEPOINT);
	setstr(&tp.tags_json, "[]");
	genrec_init(&r, 1234, 5 * SEC, 1, 1, 8, 1);
	genrec_arg(&r, POL_ARG_UINT64, 0, 0, &(int64_t){ 257 }, 8);
	dec(&r, &ev);
	generic_render(&gr, &ev, &tp);
	assert_string_equal(gr.type, "process_tracepoint");
	assert_string_equal(gr.kind, "tracepoint");
	assert_string_equal(generic_str(&gr.function),
	    "syscalls/sys_enter_openat");
	assert_null(gr.tags);
	assert_null(gr.message);
	assert_string_equal(generic_str(&gr.args),
	    "[{\"size_arg\":\"257\"}]");
	mkhook(&up, 9, 1, POL_HOOK_UPROBE);
	generic_render(&gr, &ev, &up);
	assert_string_equal(gr.type, "process_uprobe");
	assert_string_equal(generic_str(&gr.function), "readline");
	mkhook(&lsm, 10, 1, POL_HOOK_LSM);
	generic_render(&gr, &ev, &lsm);
	assert_string_equal(gr.type, "process_lsm");
	assert_string_equal(generic_str(&gr.function), "file_open");

	/* nop arguments keep the label positions but are not shown */
	genrec_init(&r, 1234, 5 * SEC, 1, 1, 7, 1);
	genrec_arg(&r, POL_ARG_NOP, 0, 0, NULL, 0);
	genrec_str(&r, POL_ARG_STRING, "/etc/shadow");
	dec(&r, &ev);
	generic_render(&gr, &ev, &h);
	assert_string_equal(generic_str(&gr.args), "[{\"string_arg\":"
	    "\"/etc/shadow\",\"label\":\"path\"}]");
	assert_int_equal(gr.nshown, 1);

	/* unknown hook: no labels, no policy, no return from ret */
	genrec_init(&r, 1234, 5 * SEC, 1, 1, 77, 4);
	genrec_str(&r, POL_ARG_STRING, "x");
	genrec_hdr(&r)->flags = EVG_F_RETURN;
	dec(&r, &ev);
	generic_render(&gr, &ev, NULL);
	assert_string_equal(gr.type, "process_kprobe");
	assert_string_equal(gr.kind, "hook");
	assert_string_equal(generic_str(&gr.function), "unknown hook 77");
	assert_null(gr.policy);
	assert_string_equal(generic_str(&gr.args),
	    "[{\"string_arg\":\"x\"}]");
	assert_int_equal(gr.ret.len, 0);

	generic_render_clear(&gr);
	ipc_hook_clear(&h);
	ipc_hook_clear(&tp);
	ipc_hook_clear(&up);
	ipc_hook_clear(&lsm);
}

static struct proc
mkproc(uint32_t pid, uint64_t kt, uint32_t ppid, uint64_t pkt,
    const char *bin)
{
	static char	 ids[256][PROC_ID_MAX];
	static size_t	 k;
	struct proc	 p;

	memset(&p, 0, sizeof(p));
	p.pid = p.tid = pid;
	p.ktime = kt;
	p.ppid = ppid;
	p.pktime = pkt;
	p.euid = 0;
	p.auid = (uint32_t)-1;
	p.flags = PF_EXECVE;
	p.binary = (char *)bin;
	p.args = (char *)"/etc/passwd";
	p.cwd = (char *)"/";
	p.refcnt = 1;
	/* the ids live in a ring of buffers: enough for a test's procs */
	k = (k + 2) % (sizeof(ids) / sizeof(*ids));
	pcache_exec_id(NODE, kt, pid, ids[k], sizeof(ids[k]));
	ids[k + 1][0] = '\0';
	if (ppid != 0)
		pcache_exec_id(NODE, pkt, ppid, ids[k + 1],
		    sizeof(ids[k + 1]));
	p.exec_id = ids[k];
	p.parent_exec_id = ids[k + 1];
	return p;
}

static void
test_export_lines(void **state)
{
	static struct genrec r;
	struct gen_render gr;
	struct dec_event ev;
	struct ipc_hook	 h;
	struct export	*ex;
	struct proc	 p;
	struct sbuf	 sb;
	char		 want[2048], proc_json[1024];

	memset(&gr, 0, sizeof(gr));
	sbuf_init(&sb);
	ex = export_new(-1, -1, NODE, OFF);
	p = mkproc(1234, 1 * SEC, 0, 0, "/usr/bin/cat");
	snprintf(proc_json, sizeof(proc_json), "{\"exec_id\":\"%s\","
	    "\"pid\":1234,\"uid\":0,\"cwd\":\"/\",\"binary\":\"/usr/bin/cat\","
	    "\"arguments\":\"/etc/passwd\",\"flags\":\"execve\","
	    "\"start_time\":\"2026-01-01T00:00:01.000000000Z\","
	    "\"auid\":4294967295,\"refcnt\":1,\"tid\":1234}", p.exec_id);

	/* kprobe */
	mkhook(&h, 7, 1, POL_HOOK_KPROBE);
	h.nargs = 2;
	setstr(&h.policy, "x");
	setstr(&h.arg_label[1], "file");
	h.ret_type = POL_ARG_INT;
	setstr(&h.message, "m");
	setstr(&h.tags_json, "[\"t1\",\"t2\"]");
	genrec_init(&r, 1234, 1 * SEC, 0, 0, 7, 1);
	genrec_int(&r, POL_ARG_INT, -100);
	genrec_str(&r, POL_ARG_STRING, "/etc/passwd");
	genrec_hdr(&r)->flags = EVG_F_RETURN;
	genrec_hdr(&r)->ret = 3;
	dec(&r, &ev);
	generic_render(&gr, &ev, &h);
	export_fmt_generic(ex, &sb, &gr, &ev, &p, NULL);
	snprintf(want, sizeof(want), "{\"process_kprobe\":{\"process\":%s,"
	    "\"function_name\":\"__x64_sys_openat\",\"args\":["
	    "{\"int_arg\":-100},{\"string_arg\":\"/etc/passwd\","
	    "\"label\":\"file\"}],\"return\":{\"int_arg\":3},"
	    "\"action\":\"KPROBE_ACTION_POST\",\"policy_name\":\"x\","
	    "\"message\":\"m\",\"tags\":[\"t1\",\"t2\"]},"
	    "\"node_name\":\"testnode\","
	    "\"time\":\"2026-01-01T00:00:02.000000000Z\"}", proc_json);
	assert_string_equal(sb.buf, want);
	sbuf_reset(&sb);
	export_compact_generic(&sb, &gr, &ev, &p);
	assert_string_equal(sb.buf, "kprobe 1234 /usr/bin/cat "
	    "__x64_sys_openat -100 /etc/passwd = 3 policy=x action=POST");

	/* compact, the brief's example: one arg, no return; monitor */
	genrec_init(&r, 1234, 1 * SEC, 0, 0, 7, 1);
	genrec_str(&r, POL_ARG_FILE, "/etc/passwd");
	genrec_hdr(&r)->flags = EVG_F_MONITOR;
	genrec_hdr(&r)->would = (1U << POL_ACT_SIGKILL) |
	    (1U << POL_ACT_SIGNAL);
	dec(&r, &ev);
	generic_render(&gr, &ev, &h);
	sbuf_reset(&sb);
	export_compact_generic(&sb, &gr, &ev, &p);
	assert_string_equal(sb.buf, "kprobe 1234 /usr/bin/cat "
	    "__x64_sys_openat /etc/passwd policy=x action=POST"
	    " would=SIGKILL,SIGNAL");
	ipc_hook_clear(&h);

	/* tracepoint: subsys, event; no args key when there are none */
	mkhook(&h, 8, 1, POL_HOOK_TRACEPOINT);
	setstr(&h.policy, "tp");
	genrec_init(&r, 1234, 1 * SEC, 0, 0, 8, 1);
	genrec_hdr(&r)->actions = (1U << POL_ACT_POST) |
	    (1U << POL_ACT_SIGKILL);
	dec(&r, &ev);
	generic_render(&gr, &ev, &h);
	sbuf_reset(&sb);
	export_fmt_generic(ex, &sb, &gr, &ev, &p, NULL);
	snprintf(want, sizeof(want), "{\"process_tracepoint\":{\"process\":"
	    "%s,\"subsys\":\"syscalls\",\"event\":\"sys_enter_openat\","
	    "\"policy_name\":\"tp\",\"action\":\"KPROBE_ACTION_SIGKILL\"},"
	    "\"node_name\":\"testnode\","
	    "\"time\":\"2026-01-01T00:00:02.000000000Z\"}", proc_json);
	assert_string_equal(sb.buf, want);
	sbuf_reset(&sb);
	export_compact_generic(&sb, &gr, &ev, &p);
	assert_string_equal(sb.buf, "tracepoint 1234 /usr/bin/cat "
	    "syscalls/sys_enter_openat policy=tp action=SIGKILL");
	ipc_hook_clear(&h);

	/* uprobe: path, symbol */
	mkhook(&h, 9, 1, POL_HOOK_UPROBE);
	genrec_init(&r, 1234, 1 * SEC, 0, 0, 9, 1);
	genrec_str(&r, POL_ARG_STRING, "ls");
	dec(&r, &ev);
	generic_render(&gr, &ev, &h);
	sbuf_reset(&sb);
	export_fmt_generic(ex, &sb, &gr, &ev, &p, NULL);
	snprintf(want, sizeof(want), "{\"process_uprobe\":{\"process\":%s,"
	    "\"path\":\"/bin/bash\",\"symbol\":\"readline\","
	    "\"policy_name\":\"pol\",\"args\":[{\"string_arg\":\"ls\"}],"
	    "\"action\":\"KPROBE_ACTION_POST\"},\"node_name\":\"testnode\","
	    "\"time\":\"2026-01-01T00:00:02.000000000Z\"}", proc_json);
	assert_string_equal(sb.buf, want);
	ipc_hook_clear(&h);

	/* lsm */
	mkhook(&h, 10, 1, POL_HOOK_LSM);
	generic_render(&gr, &ev, &h);
	sbuf_reset(&sb);
	export_fmt_generic(ex, &sb, &gr, &ev, &p, NULL);
	snprintf(want, sizeof(want), "{\"process_lsm\":{\"process\":%s,"
	    "\"function_name\":\"file_open\",\"policy_name\":\"pol\","
	    "\"args\":[{\"string_arg\":\"ls\"}],"
	    "\"action\":\"KPROBE_ACTION_POST\"},\"node_name\":\"testnode\","
	    "\"time\":\"2026-01-01T00:00:02.000000000Z\"}", proc_json);
	assert_string_equal(sb.buf, want);
	ipc_hook_clear(&h);

	/* unknown hook */
	generic_render(&gr, &ev, NULL);
	sbuf_reset(&sb);
	export_compact_generic(&sb, &gr, &ev, &p);
	assert_string_equal(sb.buf, "hook 1234 /usr/bin/cat unknown hook 9 ls"
	    " action=POST");

	generic_render_clear(&gr);
	sbuf_clear(&sb);
	export_free(ex);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tags_valid),
		cmocka_unit_test(test_hooktab),
		cmocka_unit_test(test_arg_json),
		cmocka_unit_test(test_arg_compact),
		cmocka_unit_test(test_failed_fd),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_fast_args),
		cmocka_unit_test(test_export_lines),
	};

	return cmocka_run_group_tests_name("generic", tests, NULL, NULL);
}
