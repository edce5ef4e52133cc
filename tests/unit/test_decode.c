/* tests/unit/test_decode.c -- record validation: good records decode, every
 * kind of malformed record is rejected with ERR_PARSE. */
#include "build.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/events.h"
#include "collectord/decode.h"
#include "err.h"
#include "policy.h"
#include "tests/unit/genrec.h"

static uint8_t	 buf[sizeof(struct ev_exec) + 2 * EV_PATH_MAX + EV_ARGS_MAX +
		    64];

static size_t
mk_exec(const char *fn, size_t fnl, const char *args, size_t al,
    const char *cwd, size_t cwdl)
{
	struct ev_exec	 e;
	size_t		 len = sizeof(e) + fnl + al + cwdl;

	memset(&e, 0, sizeof(e));
	e.hdr.type = EV_EXEC;
	e.hdr.version = EV_ABI_VERSION;
	e.hdr.size = (uint32_t)len;
	e.hdr.time_ns = 1000;
	e.key.pid = 4242;
	e.key.ktime = 123456789;
	e.parent.pid = 4200;
	e.parent.ktime = 1000;
	e.tid = 4242;
	e.ppid = 4200;
	e.uid = 1000;
	e.euid = 0;
	e.auid = 1000;
	e.flags = EVF_TRUNC_ARGS;
	e.filename_len = (uint16_t)fnl;
	e.args_len = (uint16_t)al;
	e.cwd_len = (uint16_t)cwdl;
	memcpy(buf, &e, sizeof(e));
	memcpy(buf + sizeof(e), fn, fnl);
	memcpy(buf + sizeof(e) + fnl, args, al);
	memcpy(buf + sizeof(e) + fnl + al, cwd, cwdl);
	return len;
}

static struct ev_exec *
hdr(void)
{
	return (struct ev_exec *)buf;
}

static void
test_exec_ok(void **state)
{
	struct dec_event ev;
	size_t	 len;

	len = mk_exec("/usr/bin/ls", 11, "ls\0-la\0", 7, "/tmp", 4);
	assert_int_equal(decode_record(buf, len, &ev), 0);
	assert_int_equal(ev.type, EV_EXEC);
	assert_int_equal(ev.pid, 4242);
	assert_int_equal(ev.ktime, 123456789);
	assert_int_equal(ev.ppid_key, 4200);
	assert_int_equal(ev.pktime, 1000);
	assert_int_equal(ev.uid, 1000);
	assert_int_equal(ev.euid, 0);
	assert_int_equal(ev.flags, EVF_TRUNC_ARGS);
	assert_int_equal(ev.filename_len, 11);
	assert_memory_equal(ev.filename, "/usr/bin/ls", 11);
	assert_int_equal(ev.args_len, 7);
	assert_memory_equal(ev.args, "ls\0-la\0", 7);
	assert_int_equal(ev.cwd_len, 4);
	assert_memory_equal(ev.cwd, "/tmp", 4);
	/* pointers are into the record */
	assert_ptr_equal(ev.filename, buf + sizeof(struct ev_exec));
}

static void
test_exec_limits_ok(void **state)
{
	static char	 path[EV_PATH_MAX], args[EV_ARGS_MAX];
	struct dec_event ev;
	size_t		 len;

	memset(path, 'a', sizeof(path));
	path[0] = '/';
	memset(args, 'b', sizeof(args));
	len = mk_exec(path, EV_PATH_MAX, args, EV_ARGS_MAX, path,
	    EV_PATH_MAX);
	assert_int_equal(decode_record(buf, len, &ev), 0);
	assert_int_equal(ev.filename_len, EV_PATH_MAX);
	assert_int_equal(ev.args_len, EV_ARGS_MAX);
	/* empty everything is fine too */
	len = mk_exec("", 0, "", 0, "", 0);
	assert_int_equal(decode_record(buf, len, &ev), 0);
	/* a trailing NUL counted in a path length is tolerated and cut */
	len = mk_exec("/bin/sh\0", 8, "", 0, "/\0", 2);
	assert_int_equal(decode_record(buf, len, &ev), 0);
	assert_int_equal(ev.filename_len, 7);
	assert_int_equal(ev.cwd_len, 1);
}

static void
expect_bad(size_t len)
{
	struct dec_event ev;

	assert_int_equal(decode_record(buf, len, &ev), ERR_PARSE);
	assert_non_null(ev.why);
}

static void
test_exec_bad(void **state)
{
	static char	 big[EV_ARGS_MAX + 8];
	size_t		 len;

	memset(big, 'x', sizeof(big));
	/* filename_len over the limit (and consistent size) */
	len = mk_exec(big, EV_PATH_MAX + 1, "", 0, "", 0);
	expect_bad(len);
	/* args_len over the limit */
	len = mk_exec("/a", 2, big, EV_ARGS_MAX + 1, "", 0);
	expect_bad(len);
	/* cwd_len over the limit */
	len = mk_exec("/a", 2, "", 0, big, EV_PATH_MAX + 1);
	expect_bad(len);
	/* lengths claim more than the record holds */
	len = mk_exec("/bin/ls", 7, "ls\0", 3, "/", 1);
	hdr()->args_len = 100;
	expect_bad(len);
	/* lengths claim less than the record holds */
	len = mk_exec("/bin/ls", 7, "ls\0", 3, "/", 1);
	hdr()->cwd_len = 0;
	expect_bad(len);
	/* 16-bit wrap attempt: huge lengths */
	len = mk_exec("/bin/ls", 7, "ls\0", 3, "/", 1);
	hdr()->filename_len = 0xffff;
	hdr()->args_len = 0xffff;
	expect_bad(len);
	/* embedded NUL in the path */
	len = mk_exec("/bin\0ls", 7, "", 0, "/", 1);
	expect_bad(len);
	len = mk_exec("/bin/ls", 7, "", 0, "/t\0p", 4);
	expect_bad(len);
	/* pid 0 */
	len = mk_exec("/bin/ls", 7, "", 0, "/", 1);
	hdr()->key.pid = 0;
	expect_bad(len);
	/* unknown flag bits */
	len = mk_exec("/bin/ls", 7, "", 0, "/", 1);
	hdr()->flags = 0x80000000;
	expect_bad(len);
	/* shorter than the fixed part, with a matching hdr.size */
	len = mk_exec("", 0, "", 0, "", 0);
	hdr()->hdr.size = sizeof(struct ev_exec) - 8;
	expect_bad(sizeof(struct ev_exec) - 8);
}

static void
test_header_bad(void **state)
{
	size_t	 len;

	/* shorter than a header */
	len = mk_exec("/bin/ls", 7, "", 0, "/", 1);
	expect_bad(0);
	expect_bad(sizeof(struct ev_hdr) - 1);
	/* wrong version */
	hdr()->hdr.version = EV_ABI_VERSION + 1;
	expect_bad(len);
	/* hdr.size != record length (both directions) */
	len = mk_exec("/bin/ls", 7, "", 0, "/", 1);
	hdr()->hdr.size = (uint32_t)len + 8;
	expect_bad(len);
	hdr()->hdr.size = (uint32_t)len - 1;
	expect_bad(len);
	/* record longer than hdr says (padding from the ring) */
	len = mk_exec("/bin/ls", 7, "", 0, "/", 1);
	expect_bad(len + 8);
	/* unknown type */
	len = mk_exec("/bin/ls", 7, "", 0, "/", 1);
	hdr()->hdr.type = 99;
	expect_bad(len);
	hdr()->hdr.type = 0;
	expect_bad(len);
	/* NULL */
	{
		struct dec_event ev;

		assert_int_equal(decode_record(NULL, 100, &ev), ERR_PARSE);
	}
}

static void
test_fork(void **state)
{
	struct ev_fork	 f;
	struct dec_event ev;

	memset(&f, 0, sizeof(f));
	f.hdr.type = EV_FORK;
	f.hdr.version = EV_ABI_VERSION;
	f.hdr.size = sizeof(f);
	f.key.pid = 10;
	f.key.ktime = 20;
	f.parent.pid = 5;
	f.parent.ktime = 6;
	f.tid = 10;
	f.ppid = 5;
	assert_int_equal(decode_record(&f, sizeof(f), &ev), 0);
	assert_int_equal(ev.type, EV_FORK);
	assert_int_equal(ev.pid, 10);
	assert_int_equal(ev.ktime, 20);
	assert_int_equal(ev.ppid_key, 5);
	assert_int_equal(ev.pktime, 6);
	/* wrong size */
	f.hdr.size = sizeof(f) - 8;
	assert_int_equal(decode_record(&f, sizeof(f) - 8, &ev), ERR_PARSE);
	f.hdr.size = sizeof(f);
	f.key.pid = 0;
	assert_int_equal(decode_record(&f, sizeof(f), &ev), ERR_PARSE);
}

static void
test_exit(void **state)
{
	struct ev_exit	 x;
	struct dec_event ev;

	memset(&x, 0, sizeof(x));
	x.hdr.type = EV_EXIT;
	x.hdr.version = EV_ABI_VERSION;
	x.hdr.size = sizeof(x);
	x.hdr.time_ns = 777;
	x.key.pid = 10;
	x.key.ktime = 20;
	x.code = 3;
	x.signal = 9;
	x.flags = EVF_SELF_MISS;
	assert_int_equal(decode_record(&x, sizeof(x), &ev), 0);
	assert_int_equal(ev.type, EV_EXIT);
	assert_int_equal(ev.time_ns, 777);
	assert_int_equal(ev.code, 3);
	assert_int_equal(ev.signal, 9);
	assert_int_equal(ev.flags, EVF_SELF_MISS);
	x.code = 256;
	assert_int_equal(decode_record(&x, sizeof(x), &ev), ERR_PARSE);
	x.code = 0;
	x.signal = 65;
	assert_int_equal(decode_record(&x, sizeof(x), &ev), ERR_PARSE);
	x.signal = 0;
	x.flags = 0x10000;
	assert_int_equal(decode_record(&x, sizeof(x), &ev), ERR_PARSE);
	x.flags = 0;
	x.hdr.size = sizeof(x) + 8;
	assert_int_equal(decode_record(&x, sizeof(x), &ev), ERR_PARSE);
}

static void
test_truncated_everywhere(void **state)
{
	struct dec_event ev;
	size_t		 len, l;

	/* every prefix of a valid record (with hdr.size adjusted to match)
	 * must be rejected */
	len = mk_exec("/usr/bin/ls", 11, "ls\0-la\0", 7, "/tmp", 4);
	for (l = 0; l < len; l++) {
		if (l >= sizeof(struct ev_hdr))
			hdr()->hdr.size = (uint32_t)l;
		assert_int_equal(decode_record(buf, l, &ev), ERR_PARSE);
	}
}

static void
test_random(void **state)
{
	struct dec_event ev;
	size_t		 i, j, len;

	srandom(7);
	for (i = 0; i < 20000; i++) {
		len = (size_t)random() % 256;
		for (j = 0; j < len; j++)
			buf[j] = (uint8_t)random();
		if (len >= sizeof(struct ev_hdr) && (i & 1)) {
			hdr()->hdr.version = EV_ABI_VERSION;
			hdr()->hdr.size = (uint32_t)len;
			hdr()->hdr.type = (uint16_t)(1 + random() % 3);
		}
		if (decode_record(buf, len, &ev) == 0 && ev.type == EV_EXEC)
			assert_true(ev.filename + ev.filename_len <=
			    (const char *)buf + len &&
			    ev.cwd + ev.cwd_len <= (const char *)buf + len);
	}
}

/* A record with one argument of every payload kind and a return value. */
static size_t
mk_generic(struct genrec *r)
{
	struct ev_sockaddr	 sa;
	uint8_t			 bytes[10] = { 0, 1, 2, 0xff, 'a', 'b', 0, 0,
				    9, 10 };

	genrec_init(r, 4242, 123456789, 4200, 1000, 7, 3);
	genrec_int(r, POL_ARG_INT, -2);
	genrec_str(r, POL_ARG_STRING, "/etc/passwd");
	genrec_arg(r, POL_ARG_CHAR_BUF, EVA_TRUNC, 100, bytes, sizeof(bytes));
	memset(&sa, 0, sizeof(sa));
	sa.family = 2;
	sa.port = 80;
	sa.addr[0] = 127;
	sa.addr[3] = 1;
	genrec_arg(r, POL_ARG_SOCKADDR, 0, 0, &sa, sizeof(sa));
	genrec_arg(r, POL_ARG_FD, 0, 3, "/tmp/x\0", 7);	/* NUL cut */
	genrec_arg(r, POL_ARG_INT, EVA_RETVAL, 0, &(int64_t){ -13 }, 8);
	genrec_hdr(r)->flags = EVG_F_RETURN;
	genrec_hdr(r)->ret = -13;
	genrec_hdr(r)->sel = 1;
	genrec_hdr(r)->actions = (1U << POL_ACT_POST) |
	    (1U << POL_ACT_SIGKILL);
	return genrec_done(r);
}

/* A stack area after the arguments: counts, pointers; every broken
 * length or count refused. */
static void
test_generic_stack(void **state)
{
	static struct genrec r;
	static const uint64_t k[2] = { 0xffffffff81000010ULL,
	    0xffffffff81000020ULL };
	static const uint64_t u[2] = { 0x5555000011d0ULL, 0x5555000011f0ULL };
	static const uint64_t off[2] = { 0x11d0, 0x11f0 };
	uint8_t		 bid[20], save[64];
	struct ev_stack	 st;
	struct dec_event ev;
	size_t		 len, at;
	uint64_t	 v;

	memset(bid, 0xab, sizeof(bid));
	genrec_init(&r, 4242, 1, 4200, 1, 7, 3);
	genrec_str(&r, POL_ARG_STRING, "abc");
	genrec_done(&r);
	at = r.len;
	len = genrec_stack(&r, EVS_F_KERNEL | EVS_F_USER, 2, k, 2, u, 2, bid,
	    off);
	assert_int_equal(decode_record(r.buf, len, &ev), 0);
	assert_true(ev.has_stack);
	assert_int_equal(ev.stk_flags, EVS_F_KERNEL | EVS_F_USER);
	assert_int_equal(ev.nkern, 2);
	assert_int_equal(ev.nuser, 2);
	assert_int_equal(ev.nbid, 2);
	memcpy(&v, ev.kips + 8, 8);
	assert_true(v == k[1]);
	memcpy(&v, ev.uips, 8);
	assert_true(v == u[0]);
	assert_ptr_equal(ev.bids, r.buf + at + sizeof(st) + 32);
	assert_int_equal(ev.ngargs, 1);
	assert_memory_equal(ev.gargs[0].data, "abc", 3);
	/* args_len without the last argument's padding: the area still
	 * starts at the 8-byte boundary */
	genrec_hdr(&r)->args_len -= 5;
	assert_int_equal(decode_record(r.buf, len, &ev), 0);
	genrec_hdr(&r)->args_len += 5;
	/* a record one byte short or long */
	genrec_hdr(&r)->hdr.size = (uint32_t)(len - 8);
	assert_int_equal(decode_record(r.buf, len - 8, &ev), ERR_PARSE);
	genrec_hdr(&r)->hdr.size = (uint32_t)len;
	genrec_hdr(&r)->stack_len += 8;
	assert_int_equal(decode_record(r.buf, len, &ev), ERR_PARSE);
	genrec_hdr(&r)->stack_len -= 8;
	/* counts: over the limit, not what stack_len holds, not asked for,
	 * no flag, unknown flag, pad */
	memcpy(save, r.buf + at, sizeof(st));
	memcpy(&st, save, sizeof(st));
	st.nkern = EV_STACK_KMAX + 1;
	memcpy(r.buf + at, &st, sizeof(st));
	assert_int_equal(decode_record(r.buf, len, &ev), ERR_PARSE);
	memcpy(&st, save, sizeof(st));
	st.nkern = 1;
	memcpy(r.buf + at, &st, sizeof(st));
	assert_int_equal(decode_record(r.buf, len, &ev), ERR_PARSE);
	memcpy(&st, save, sizeof(st));
	st.flags = EVS_F_USER;
	memcpy(r.buf + at, &st, sizeof(st));
	assert_int_equal(decode_record(r.buf, len, &ev), ERR_PARSE);
	st.flags = 0;
	memcpy(r.buf + at, &st, sizeof(st));
	assert_int_equal(decode_record(r.buf, len, &ev), ERR_PARSE);
	st.flags = EVS_F_KERNEL | EVS_F_USER | 0x80;
	memcpy(r.buf + at, &st, sizeof(st));
	assert_int_equal(decode_record(r.buf, len, &ev), ERR_PARSE);
	memcpy(&st, save, sizeof(st));
	st.pad = 1;
	memcpy(r.buf + at, &st, sizeof(st));
	assert_int_equal(decode_record(r.buf, len, &ev), ERR_PARSE);
	memcpy(r.buf + at, save, sizeof(st));
	assert_int_equal(decode_record(r.buf, len, &ev), 0);
	/* a stack_len shorter than the header */
	genrec_hdr(&r)->stack_len = 4;
	genrec_hdr(&r)->hdr.size = (uint32_t)(at + 4);
	assert_int_equal(decode_record(r.buf, at + 4, &ev), ERR_PARSE);
	/* no stack area: has_stack 0 */
	genrec_init(&r, 4242, 1, 4200, 1, 7, 3);
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), 0);
	assert_false(ev.has_stack);
}

static void
test_generic_ok(void **state)
{
	static struct genrec r;
	struct dec_event ev;
	size_t		 len;

	len = mk_generic(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), 0);
	assert_int_equal(ev.type, EV_GENERIC);
	assert_int_equal(ev.time_ns, 2000000000ULL);
	assert_int_equal(ev.pid, 4242);
	assert_int_equal(ev.ktime, 123456789);
	assert_int_equal(ev.ppid_key, 4200);
	assert_int_equal(ev.pktime, 1000);
	assert_int_equal(ev.hook_id, 7);
	assert_int_equal(ev.gen, 3);
	assert_int_equal(ev.sel, 1);
	assert_int_equal(ev.gflags, EVG_F_RETURN);
	assert_int_equal(ev.actions, (1U << POL_ACT_POST) |
	    (1U << POL_ACT_SIGKILL));
	assert_int_equal(ev.ret, -13);
	assert_int_equal(ev.ngargs, 5);
	assert_int_equal(ev.gargs[0].type, POL_ARG_INT);
	assert_true((int64_t)ev.gargs[0].num == -2);
	assert_int_equal(ev.gargs[1].len, 11);
	assert_memory_equal(ev.gargs[1].data, "/etc/passwd", 11);
	assert_ptr_equal(ev.gargs[1].data, r.buf + sizeof(struct ev_generic) +
	    2 * sizeof(struct ev_arg) + 8);
	assert_int_equal(ev.gargs[2].flags, EVA_TRUNC);
	assert_int_equal(ev.gargs[2].aux, 100);
	assert_int_equal(ev.gargs[2].len, 10);
	assert_int_equal(ev.gargs[3].len, sizeof(struct ev_sockaddr));
	assert_int_equal(ev.gargs[4].aux, 3);
	assert_int_equal(ev.gargs[4].len, 6);
	assert_true(ev.has_retarg);
	assert_true((int64_t)ev.retarg.num == -13);

	/* args_len may leave out the padding after the last argument */
	genrec_hdr(&r)->hdr.size = (uint32_t)r.last_end;
	genrec_hdr(&r)->args_len = (uint32_t)(r.last_end -
	    sizeof(struct ev_generic));
	assert_int_equal(decode_record(r.buf, r.last_end, &ev), 0);
	assert_int_equal(ev.ngargs, 5);

	/* no arguments; an error argument; monitor mode; pid 0 */
	genrec_init(&r, 0, 1, 0, 0, 1, 1);
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), 0);
	assert_int_equal(ev.ngargs, 0);
	assert_false(ev.has_retarg);
	genrec_init(&r, 5, 1, 0, 0, 1, 1);
	genrec_arg(&r, POL_ARG_STRING, EVA_ERROR, 0, NULL, 0);
	genrec_hdr(&r)->flags = EVG_F_MONITOR | EVG_F_PARENT_MISS |
	    EVG_F_SELF_MISS;
	genrec_hdr(&r)->would = 1U << POL_ACT_SIGKILL;
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), 0);
	assert_int_equal(ev.ngargs, 1);
	assert_int_equal(ev.gargs[0].flags, EVA_ERROR);
	assert_int_equal(ev.would, 1U << POL_ACT_SIGKILL);
	/* decided at syscall exit; user memory that could not be read */
	genrec_init(&r, 5, 1, 0, 0, 1, 1);
	genrec_arg(&r, POL_ARG_STRING, EVA_ERROR | EVA_FAULT, 0, NULL, 0);
	genrec_hdr(&r)->flags = EVG_F_LATE;
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), 0);
	assert_int_equal(ev.gflags, EVG_F_LATE);
	assert_int_equal(ev.gargs[0].flags, EVA_ERROR | EVA_FAULT);
	/* EVA_FAULT only comes with EVA_ERROR */
	genrec_init(&r, 5, 1, 0, 0, 1, 1);
	genrec_arg(&r, POL_ARG_STRING, EVA_FAULT, 0, NULL, 0);
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), ERR_PARSE);
}

static void
test_generic_limits(void **state)
{
	static struct genrec r;
	static char	 big[HOOK_ARG_DATA_MAX + 1];
	struct dec_event ev;
	size_t		 len, i;

	/* 5 arguments of HOOK_ARG_DATA_MAX bytes and a return value */
	memset(big, 'x', sizeof(big));
	genrec_init(&r, 1, 1, 0, 0, 1, 1);
	for (i = 0; i < HOOK_ARGS_MAX; i++)
		genrec_arg(&r, POL_ARG_CHAR_BUF, 0, HOOK_ARG_DATA_MAX, big,
		    HOOK_ARG_DATA_MAX);
	genrec_arg(&r, POL_ARG_SIZE_T, EVA_RETVAL, 0, &(int64_t){ 4 }, 8);
	genrec_hdr(&r)->flags = EVG_F_RETURN;
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), 0);
	assert_int_equal(ev.ngargs, HOOK_ARGS_MAX);
	/* one byte more */
	genrec_init(&r, 1, 1, 0, 0, 1, 1);
	genrec_arg(&r, POL_ARG_STRING, 0, 0, big, HOOK_ARG_DATA_MAX + 1);
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), ERR_PARSE);
	/* every type decode_arg_type_known admits, with its payload (or as
	 * a read error when it has none), and no other */
	for (i = 0; i < 256; i++) {
		genrec_init(&r, 1, 1, 0, 0, 1, 1);
		switch (decode_arg_payload((uint8_t)i)) {
		case DEC_PAY_SOCKADDR:
			genrec_arg(&r, (uint8_t)i, 0, 0, big,
			    sizeof(struct ev_sockaddr));
			break;
		case DEC_PAY_INT:
			genrec_int(&r, (uint8_t)i, 1);
			break;
		case DEC_PAY_BYTES:
		case DEC_PAY_OBJ:
			genrec_str(&r, (uint8_t)i, "abc");
			break;
		default:
			genrec_arg(&r, (uint8_t)i, i == POL_ARG_NOP ? 0 :
			    EVA_ERROR, 0, NULL, 0);
			break;
		}
		len = genrec_done(&r);
		if (decode_record(r.buf, len, &ev) !=
		    (decode_arg_type_known((uint8_t)i) ? 0 : ERR_PARSE))
			fail_msg("type %zu", i);
	}
	assert_true(decode_arg_type_known(POL_ARG_DATA_LOC));
	assert_true(decode_arg_type_known(POL_ARG_SOCK));
	assert_true(decode_arg_type_known(POL_ARG_AUTO));
	assert_false(decode_arg_type_known(POL_ARG_NONE));
	assert_false(decode_arg_type_known(10));
	assert_false(decode_arg_type_known(19));
	assert_false(decode_arg_type_known(POL_ARG_MAX_));
	assert_int_equal(decode_arg_payload(POL_ARG_SYSCALL64), DEC_PAY_INT);
	assert_int_equal(decode_arg_payload(POL_ARG_CAPABILITY), DEC_PAY_INT);
	assert_int_equal(decode_arg_payload(POL_ARG_DENTRY), DEC_PAY_BYTES);
	assert_int_equal(decode_arg_payload(POL_ARG_SOCK), DEC_PAY_OBJ);
	assert_int_equal(decode_arg_payload(POL_ARG_CRED), DEC_PAY_OBJ);
	assert_int_equal(decode_arg_payload(POL_ARG_LINUX_BINPRM),
	    DEC_PAY_BYTES);
	assert_int_equal(decode_arg_payload(POL_ARG_MODULE), DEC_PAY_BYTES);
	assert_int_equal(decode_arg_payload(POL_ARG_USER_NS), DEC_PAY_NONE);
	/* a kernel object of any size up to the limit passes (its layout is
	 * checked when rendered); one byte more does not */
	genrec_init(&r, 1, 1, 0, 0, 1, 1);
	genrec_arg(&r, POL_ARG_CRED, 0, 0, big, 3);
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), 0);
	assert_int_equal(ev.gargs[0].len, 3);
	genrec_init(&r, 1, 1, 0, 0, 1, 1);
	genrec_arg(&r, POL_ARG_SKB, 0, 0, big, HOOK_ARG_DATA_MAX + 1);
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), ERR_PARSE);
	/* a type without payload carrying data; nop with data */
	genrec_init(&r, 1, 1, 0, 0, 1, 1);
	genrec_str(&r, POL_ARG_USER_NS, "abcdefgh");
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), ERR_PARSE);
	genrec_init(&r, 1, 1, 0, 0, 1, 1);
	genrec_str(&r, POL_ARG_NOP, "a");
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), ERR_PARSE);
	genrec_init(&r, 1, 1, 0, 0, 1, 1);
	genrec_arg(&r, POL_ARG_NOP, EVA_TRUNC, 0, NULL, 0);
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), ERR_PARSE);
}

static struct genrec gbad;

static void
expect_gbad(size_t len, const char *what)
{
	struct dec_event ev;

	if (decode_record(gbad.buf, len, &ev) != ERR_PARSE)
		fail_msg("accepted: %s", what);
	assert_non_null(ev.why);
}

/* A good two-argument record in gbad. */
static size_t
mk_gbad(void)
{
	genrec_init(&gbad, 10, 20, 5, 6, 2, 9);
	genrec_int(&gbad, POL_ARG_UINT32, 7);
	genrec_str(&gbad, POL_ARG_FILENAME, "abc");
	return genrec_done(&gbad);
}

static void
test_generic_bad(void **state)
{
	struct ev_generic *g = genrec_hdr(&gbad);
	struct ev_arg	*a;
	struct dec_event ev;
	size_t		 len, i;
	uint8_t		*p;

	len = mk_gbad();
	assert_int_equal(decode_record(gbad.buf, len, &ev), 0);

	len = mk_gbad();
	g->args_len += 8;
	expect_gbad(len, "args_len larger than record");
	len = mk_gbad();
	g->args_len -= 8;
	expect_gbad(len, "args_len smaller than record");
	len = mk_gbad();
	g->flags = 0x40;	/* EVG_F_LATE is 0x20 */
	expect_gbad(len, "unknown flags");
	len = mk_gbad();
	g->nargs = DEC_ARGS_MAX + 1;
	expect_gbad(len, "nargs over limit");
	len = mk_gbad();
	g->nargs = 3;
	expect_gbad(len, "nargs larger than present");
	len = mk_gbad();
	g->nargs = 1;
	expect_gbad(len, "nargs smaller than present");
	len = mk_gbad();
	g->sel = HOOK_SEL_MAX;
	expect_gbad(len, "selector index");
	len = mk_gbad();
	g->actions |= 1;
	expect_gbad(len, "action bit 0");
	len = mk_gbad();
	g->actions |= 1U << 15;
	expect_gbad(len, "unknown action bit");
	len = mk_gbad();
	g->would = 1U << 3;
	expect_gbad(len, "would without monitor");
	len = mk_gbad();
	g->flags = EVG_F_MONITOR;
	g->would = 1U << 20;
	expect_gbad(len, "unknown would bit");

	/* second argument header (at 88 + 8 + 8) */
	a = (struct ev_arg *)(void *)(gbad.buf + sizeof(*g) + 16);
	len = mk_gbad();
	a->len = 9;
	expect_gbad(len, "arg data past end");
	len = mk_gbad();
	a->len = 200;
	expect_gbad(len, "arg data far past end");
	len = mk_gbad();
	a->type = 15;
	expect_gbad(len, "unknown arg type");
	len = mk_gbad();
	a->type = POL_ARG_USER_NS;
	expect_gbad(len, "arg type without payload, with data");
	len = mk_gbad();
	a->flags = 0x80;
	expect_gbad(len, "unknown arg flags");
	len = mk_gbad();
	a->flags = EVA_ERROR;
	expect_gbad(len, "error arg with data");
	len = mk_gbad();
	a->flags = EVA_RETVAL;
	expect_gbad(len, "return arg without EVG_F_RETURN");
	len = mk_gbad();
	memcpy(gbad.buf + sizeof(*g) + 16 + 8, "a\0c", 3);
	expect_gbad(len, "string with NUL");
	len = mk_gbad();
	a->type = POL_ARG_SOCKADDR;
	expect_gbad(len, "sockaddr of 3 bytes");
	len = mk_gbad();
	a->type = POL_ARG_CHAR_BUF;
	a->flags = EVA_TRUNC;
	a->aux = 2;
	expect_gbad(len, "truncated buffer larger than its size");
	/* first argument: an integer */
	a = (struct ev_arg *)(void *)(gbad.buf + sizeof(*g));
	len = mk_gbad();
	a->len = 4;
	expect_gbad(len, "int of 4 bytes");
	len = mk_gbad();
	a->flags = EVA_TRUNC;
	expect_gbad(len, "truncated int");

	/* two return values */
	genrec_init(&gbad, 10, 20, 5, 6, 2, 9);
	genrec_arg(&gbad, POL_ARG_INT, EVA_RETVAL, 0, &(int64_t){ 1 }, 8);
	genrec_arg(&gbad, POL_ARG_INT, EVA_RETVAL, 0, &(int64_t){ 1 }, 8);
	g->flags = EVG_F_RETURN;
	len = genrec_done(&gbad);
	expect_gbad(len, "two return args");
	/* six arguments without a return value */
	genrec_init(&gbad, 10, 20, 5, 6, 2, 9);
	for (i = 0; i < HOOK_ARGS_MAX + 1; i++)
		genrec_int(&gbad, POL_ARG_INT, 1);
	len = genrec_done(&gbad);
	expect_gbad(len, "six args");
	/* a misaligned second argument (no padding after "abc") */
	genrec_init(&gbad, 10, 20, 5, 6, 2, 9);
	genrec_str(&gbad, POL_ARG_STRING, "abc");
	p = gbad.buf + sizeof(*g) + 8 + 3;
	memcpy(p, &(struct ev_arg){ POL_ARG_INT, 0, 8, 0 }, 8);
	memcpy(p + 8, &(int64_t){ -1 }, 8);
	gbad.len = sizeof(*g) + 8 + 3 + 16;
	gbad.nargs = 2;
	g->hdr.size = (uint32_t)gbad.len;
	g->args_len = (uint32_t)(gbad.len - sizeof(*g));
	g->nargs = 2;
	expect_gbad(gbad.len, "misaligned argument");
	/* shorter than the fixed part */
	len = mk_gbad();
	g->hdr.size = sizeof(*g) - 8;
	expect_gbad(sizeof(*g) - 8, "short fixed part");
}

static void
test_generic_truncated(void **state)
{
	static struct genrec r;
	struct dec_event ev;
	size_t		 len, l;

	/* every prefix, sizes adjusted to match, is rejected */
	len = mk_generic(&r);
	for (l = 0; l < len; l++) {
		if (l >= sizeof(struct ev_hdr))
			genrec_hdr(&r)->hdr.size = (uint32_t)l;
		if (l >= sizeof(struct ev_generic))
			genrec_hdr(&r)->args_len = (uint32_t)(l -
			    sizeof(struct ev_generic));
		/* the unpadded end of the last argument is a valid record */
		if (l == r.last_end)
			continue;
		if (decode_record(r.buf, l, &ev) != ERR_PARSE)
			fail_msg("prefix of %zu bytes accepted", l);
	}
}

static void
test_generic_fuzz(void **state)
{
	static struct genrec r, orig;
	struct dec_event ev;
	size_t		 i, j, k, len, n, ok = 0;
	const uint8_t	*end;

	srandom(11);
	len = mk_generic(&orig);
	for (i = 0; i < 100000; i++) {
		memcpy(r.buf, orig.buf, len);
		n = 1 + (size_t)random() % 4;
		for (j = 0; j < n; j++)
			r.buf[(size_t)random() % len] = (uint8_t)random();
		/* keep the header valid half of the time */
		if (i & 1) {
			genrec_hdr(&r)->hdr.version = EV_ABI_VERSION;
			genrec_hdr(&r)->hdr.size = (uint32_t)len;
			genrec_hdr(&r)->hdr.type = EV_GENERIC;
		}
		if (decode_record(r.buf, len, &ev) != 0)
			continue;
		ok++;
		end = r.buf + len;
		assert_true(ev.ngargs <= HOOK_ARGS_MAX);
		for (k = 0; k < ev.ngargs; k++) {
			assert_true(ev.gargs[k].data >= r.buf &&
			    ev.gargs[k].data + ev.gargs[k].len <= end);
			assert_true(decode_arg_type_known(ev.gargs[k].type));
			assert_true(ev.gargs[k].len <= HOOK_ARG_DATA_MAX);
		}
		if (ev.has_retarg)
			assert_true(ev.retarg.data + ev.retarg.len <= end);
	}
	/* payload-only mutations decode; the run is not all rejections */
	assert_true(ok > 1000);
}

static void
test_signame(void **state)
{
	char	 b[DEC_SIGNAME_MAX];

	assert_string_equal(decode_signame(9, b, sizeof(b)), "SIGKILL");
	assert_string_equal(decode_signame(15, b, sizeof(b)), "SIGTERM");
	assert_string_equal(decode_signame(31, b, sizeof(b)), "SIGSYS");
	assert_string_equal(decode_signame(0, b, sizeof(b)), "");
	assert_string_equal(decode_signame(36, b, sizeof(b)), "SIGRTMIN+2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_ok),
		cmocka_unit_test(test_exec_limits_ok),
		cmocka_unit_test(test_exec_bad),
		cmocka_unit_test(test_header_bad),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_generic_ok),
		cmocka_unit_test(test_generic_stack),
		cmocka_unit_test(test_generic_limits),
		cmocka_unit_test(test_generic_bad),
		cmocka_unit_test(test_generic_truncated),
		cmocka_unit_test(test_generic_fuzz),
		cmocka_unit_test(test_signame),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
