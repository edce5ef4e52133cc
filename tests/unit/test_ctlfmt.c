/* tests/unit/test_ctlfmt.c -- the lines triplinectl tail and alerts print:
 * whatever the database holds (a file name with a bidi override or a C1
 * control, a time or state a compromised collector wrote), the line is
 * printable ASCII. */
#include "build.h"

#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "collectord/store.h"
#include "ctl/ctlfmt.h"
#include "str.h"

/* U+202E RIGHT-TO-LEFT OVERRIDE, U+0085 NEXT LINE, U+009B CSI, ESC */
#define RLO	"\xe2\x80\xae"
#define NEL	"\xc2\x85"
#define CSI	"\xc2\x9b"
#define RLO_E	"\\xe2\\x80\\xae"
#define NEL_E	"\\xc2\\x85"
#define CSI_E	"\\xc2\\x9b"

static void
assert_ascii_line(const struct sbuf *sb)
{
	size_t	 i;

	assert_true(sb->len > 0);
	assert_int_equal(sb->buf[sb->len - 1], '\n');
	for (i = 0; i + 1 < sb->len; i++)
		assert_true(sb->buf[i] >= 0x20 && sb->buf[i] < 0x7f);
}

static void
test_tail_exec(void **state)
{
	struct store_tail_row	 r;
	struct sbuf		 sb;
	const char		*args = "--x " NEL "y";

	memset(&r, 0, sizeof(r));
	r.time = "2024-01-01T00:00:00.000000001Z\x1b]0;pwned\x07";
	r.type = "process_exec";
	r.pid = 42;
	r.binary = "/tmp/a" RLO "fdp.exe";
	r.args = args;
	r.args_len = strlen(args);
	r.cwd = "/tmp/\x7f" CSI "2J";
	r.uid = 1000;
	r.has_parent = 1;
	r.parent_pid = 1;
	r.parent_binary = "/bin/sh\r";
	sbuf_init(&sb);
	ctlfmt_tail(&sb, &r);
	assert_string_equal(sb.buf, "2024-01-01T00:00:00.000000001Z"
	    "\\x1b]0;pwned\\x07 exec 42 /tmp/a" RLO_E "fdp.exe --x " NEL_E "y"
	    "  cwd=/tmp/\\x7f" CSI_E "2J uid=1000  <- 1 /bin/sh\\r\n");
	assert_ascii_line(&sb);
	sbuf_clear(&sb);
}

static void
test_tail_exit_hit(void **state)
{
	struct store_tail_row	 r;
	struct sbuf		 sb;

	memset(&r, 0, sizeof(r));
	r.time = "T";
	r.type = "process_exit";
	r.pid = 7;
	r.binary = "b" NEL;
	r.exit_signal = 9;
	sbuf_init(&sb);
	ctlfmt_tail(&sb, &r);
	assert_string_equal(sb.buf, "T exit 7 b" NEL_E "  SIGKILL\n");
	sbuf_reset(&sb);
	r.exit_signal = 0;
	r.exit_code = 3;
	ctlfmt_tail(&sb, &r);
	assert_string_equal(sb.buf, "T exit 7 b" NEL_E "  status=3\n");

	/* a policy hit: every name escaped; NULLs print as '?' */
	memset(&r, 0, sizeof(r));
	r.type = "process_kprobe" RLO;
	r.pid = 8;
	r.binary = "/usr/bin/cat";
	r.function = "__x64_sys_openat";
	r.policy = "p" CSI;
	r.action = NULL;
	sbuf_reset(&sb);
	ctlfmt_tail(&sb, &r);
	assert_string_equal(sb.buf, "? process_kprobe" RLO_E " 8 /usr/bin/cat"
	    "  __x64_sys_openat policy=p" CSI_E " action=?\n");
	assert_ascii_line(&sb);
	sbuf_clear(&sb);
}

/* A network event row: time, policy "net", function, curl[200] <- sh. */
static void
net_row(struct store_tail_row *r, const char *fn)
{
	memset(r, 0, sizeof(*r));
	r->time = "T";
	r->type = "process_kprobe";
	r->pid = 200;
	r->binary = "/usr/bin/curl";
	r->policy = "net";
	r->function = fn;
	r->action = "KPROBE_ACTION_POST";
	r->has_parent = 1;
	r->parent_pid = 100;
	r->parent_binary = "/bin/sh";
	r->net.is_net = 1;
}

static const char *
net_line(struct sbuf *sb, const struct store_tail_row *r)
{
	sbuf_reset(sb);
	ctlfmt_tail(sb, r);
	assert_ascii_line(sb);
	return sb->buf;
}

static void
test_tail_net(void **state)
{
	struct store_tail_row	 r;
	struct sbuf		 sb;

	(void)state;
	sbuf_init(&sb);
	/* sock: a state change, IPv4 */
	net_row(&r, "sock/inet_sock_set_state");
	r.net.protocol = "IPPROTO_TCP";
	r.net.family = "AF_INET";
	r.net.saddr = "127.0.0.1";
	r.net.has_sport = 1;
	r.net.sport = 40000;
	r.net.daddr = "127.0.0.1";
	r.net.has_dport = 1;
	r.net.dport = 4321;
	r.net.state = "TCP_SYN_SENT";
	r.net.new_state = "TCP_ESTABLISHED";
	r.net.direction = "out";
	assert_string_equal(net_line(&sb, &r), "T net sock/inet_sock_set_state"
	    " /usr/bin/curl[200] tcp 127.0.0.1:40000 -> 127.0.0.1:4321 "
	    "SYN_SENT->ESTABLISHED out  <- 100 /bin/sh\n");
	/* no new state, no direction, an enforcing action */
	r.net.new_state = NULL;
	r.net.direction = NULL;
	r.action = "KPROBE_ACTION_SIGKILL";
	assert_string_equal(net_line(&sb, &r), "T net sock/inet_sock_set_state"
	    " /usr/bin/curl[200] tcp 127.0.0.1:40000 -> 127.0.0.1:4321 "
	    "SYN_SENT action=KPROBE_ACTION_SIGKILL  <- 100 /bin/sh\n");
	/* skb: IPv6 in brackets, no state; no parent */
	net_row(&r, "__cgroup_bpf_run_filter_skb");
	r.has_parent = 0;
	r.net.protocol = "IPPROTO_UDP";
	r.net.family = "AF_INET6";
	r.net.saddr = "::1";
	r.net.has_sport = 1;
	r.net.sport = 5000;
	r.net.daddr = "2001:db8::2";
	r.net.has_dport = 1;
	r.net.dport = 53;
	r.net.direction = "out";
	assert_string_equal(net_line(&sb, &r), "T net "
	    "__cgroup_bpf_run_filter_skb /usr/bin/curl[200] udp [::1]:5000 "
	    "-> [2001:db8::2]:53 out\n");
	/* sockaddr: the destination only; the family names the line */
	net_row(&r, "__x64_sys_connect");
	r.net.family = "AF_INET";
	r.net.daddr = "203.0.113.7";
	r.net.has_dport = 1;
	r.net.dport = 80;
	r.net.direction = "out";
	assert_string_equal(net_line(&sb, &r), "T net __x64_sys_connect "
	    "/usr/bin/curl[200] inet ? -> 203.0.113.7:80 out  <- 100 "
	    "/bin/sh\n");
	/* AF_UNIX sock: the family, no addresses */
	net_row(&r, "unix_stream_connect");
	r.net.protocol = "IPPROTO_IP";
	r.net.family = "AF_UNIX";
	r.net.has_sport = r.net.has_dport = 1;
	r.net.state = "TCP_CLOSE";
	assert_string_equal(net_line(&sb, &r), "T net unix_stream_connect "
	    "/usr/bin/curl[200] unix ? -> ? CLOSE  <- 100 /bin/sh\n");
	/* a numbered protocol and state; nothing known at all */
	net_row(&r, "f");
	r.net.protocol = "132x";
	r.net.state = "13";
	assert_string_equal(net_line(&sb, &r), "T net f /usr/bin/curl[200] "
	    "132x ? -> ? 13  <- 100 /bin/sh\n");
	r.net.protocol = NULL;
	r.net.state = NULL;
	assert_string_equal(net_line(&sb, &r), "T net f /usr/bin/curl[200] "
	    "net ? -> ?  <- 100 /bin/sh\n");
	sbuf_clear(&sb);
}

/* Whatever a compromised collector wrote into the tuple, the line is
 * printable ASCII: every value escaped, lower-casing only of names. */
static void
test_tail_net_hostile(void **state)
{
	struct store_tail_row	 r;
	struct sbuf		 sb;

	(void)state;
	sbuf_init(&sb);
	net_row(&r, "f" RLO);
	r.policy = "p\x1b[2J";
	r.binary = "/tmp/a" NEL;
	r.net.protocol = "IPPROTO_" RLO;
	r.net.family = "AF_INET6";
	r.net.saddr = "::1" CSI;
	r.net.has_sport = 1;
	r.net.sport = -1;
	r.net.daddr = "1.2.3.4\n";
	r.net.state = "TCP_" NEL;
	r.net.new_state = "TCP_ESTABLISHED\r";
	r.net.direction = "out\x07";
	r.action = "A" CSI;
	assert_string_equal(net_line(&sb, &r), "T p\\x1b[2J f" RLO_E
	    " /tmp/a" NEL_E "[200] IPPROTO_" RLO_E " [::1" CSI_E "]:-1 -> "
	    "1.2.3.4\\n TCP_" NEL_E "->TCP_ESTABLISHED\\r out\\x07 action=A"
	    CSI_E "  <- 100 /bin/sh\n");
	sbuf_clear(&sb);
}

static void
test_alert(void **state)
{
	struct store_alert_row	 r;
	struct sbuf		 sb;

	memset(&r, 0, sizeof(r));
	r.id = 5;
	r.created = "C\x1b[1m";
	r.receiver = "ops";
	r.kind = "webhook";
	r.state = "dead" RLO;
	r.attempts = 3;
	r.count = 2;
	r.last_error = "HTTP 500: " NEL "\xe2\x81\xa6" "evil";
	r.idem_key = "tl-n-5";
	r.title = "open of /etc/" RLO "dwssap";
	sbuf_init(&sb);
	ctlfmt_alert(&sb, &r, "https://<secret>@h/x");
	assert_string_equal(sb.buf, "5 C\\x1b[1m ops/webhook "
	    "https://<secret>@h/x dead" RLO_E " attempts=3 count=2 "
	    "last_error=\"HTTP 500: " NEL_E "\\xe2\\x81\\xa6evil\" key=tl-n-5"
	    "  open of /etc/" RLO_E "dwssap\n");
	assert_ascii_line(&sb);
	/* an action job, no target */
	sbuf_reset(&sb);
	memset(&r, 0, sizeof(r));
	r.id = 6;
	r.kind = "canary_dns";
	ctlfmt_alert(&sb, &r, NULL);
	assert_string_equal(sb.buf, "6 ? (action)/canary_dns ? attempts=0 "
	    "key=?\n");
	sbuf_clear(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tail_exec),
		cmocka_unit_test(test_tail_exit_hit),
		cmocka_unit_test(test_tail_net),
		cmocka_unit_test(test_tail_net_hostile),
		cmocka_unit_test(test_alert),
	};

	return cmocka_run_group_tests_name("ctlfmt", tests, NULL, NULL);
}
