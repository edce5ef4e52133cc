/* tests/unit/test_objargs.c -- kernel-object arguments of policy hook
 * events (collectord/objargs.c): the names tables, the Tetragon JSON and
 * compact form of every payload type, malformed payloads (short, long,
 * truncated, bad aux bits, NULs) as error_arg, rendering of a record with
 * object arguments, and random payloads that must never crash. */
#include "build.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectord/decode.h"
#include "collectord/generic.h"
#include "collectord/objargs.h"
#include "err.h"
#include "ipc_msg.h"
#include "policy.h"
#include "str.h"
#include "tests/unit/genrec.h"

#define FMODE_W		EVA_AUX_FMODE_W
#define USER_NS_INIT	4026531837U	/* PROC_USER_INIT_INO */

static struct sbuf	 out;

static struct dec_arg
mkarg(uint8_t type, uint8_t flags, uint32_t aux, const void *data,
    size_t len)
{
	struct dec_arg	 a;

	memset(&a, 0, sizeof(a));
	a.type = type;
	a.flags = flags;
	a.aux = aux;
	a.data = data;
	a.len = len;
	return a;
}

/* JSON of one argument (static buffer); *bad gets the return value. */
static const char *
json(uint8_t type, uint8_t flags, uint32_t aux, const void *data,
    size_t len, const char *label, int *bad)
{
	struct dec_arg	 a = mkarg(type, flags, aux, data, len);
	int		 r;

	sbuf_reset(&out);
	r = generic_arg_json(&out, &a, label);
	if (bad != NULL)
		*bad = r;
	return out.buf;
}

#define J(t, aux, p, n)		json(t, 0, aux, p, n, NULL, NULL)
#define JS(t, aux, s)		json(t, 0, aux, s, strlen(s), NULL, NULL)

static const char *
compact(uint8_t type, uint8_t flags, uint32_t aux, const void *data,
    size_t len)
{
	struct dec_arg	 a = mkarg(type, flags, aux, data, len);

	sbuf_reset(&out);
	generic_arg_compact(&out, &a);
	return out.buf;
}

/* Malformed: the exact error_arg and return value 1. */
static void
want_bad(uint8_t type, uint8_t flags, uint32_t aux, const void *data,
    size_t len, const char *msg)
{
	char	 want[256];
	int	 bad = -1;

	snprintf(want, sizeof(want), "{\"error_arg\":{\"Message\":"
	    "\"malformed %s argument: %s\"}}", generic_arg_type_name(type),
	    msg);
	assert_string_equal(json(type, flags, aux, data, len, NULL, &bad),
	    want);
	assert_int_equal(bad, 1);
	assert_string_equal(compact(type, flags, aux, data, len), "?");
}

static void
test_names(void **state)
{
	char	 d[OBJARGS_NAME_MAX], m[OBJARGS_MODE_MAX];

	(void)state;
	assert_string_equal(objargs_cap_name(0), "CAP_CHOWN");
	assert_string_equal(objargs_cap_name(1), "CAP_DAC_OVERRIDE");
	assert_string_equal(objargs_cap_name(21), "CAP_SYS_ADMIN");
	assert_string_equal(objargs_cap_name(38), "CAP_PERFMON");
	assert_string_equal(objargs_cap_name(39), "CAP_BPF");
	assert_string_equal(objargs_cap_name(40), "CAP_CHECKPOINT_RESTORE");
	assert_null(objargs_cap_name(41));
	assert_null(objargs_cap_name(UINT64_MAX));

	assert_string_equal(objargs_prog_type(0, d, sizeof(d)),
	    "BPF_PROG_TYPE_UNSPEC");
	assert_string_equal(objargs_prog_type(2, d, sizeof(d)),
	    "BPF_PROG_TYPE_KPROBE");
	assert_string_equal(objargs_prog_type(26, d, sizeof(d)),
	    "BPF_PROG_TYPE_TRACING");
	assert_string_equal(objargs_prog_type(29, d, sizeof(d)),
	    "BPF_PROG_TYPE_LSM");
	assert_string_equal(objargs_prog_type(32, d, sizeof(d)),
	    "BPF_PROG_TYPE_NETFILTER");
	assert_string_equal(objargs_prog_type(33, d, sizeof(d)), "33");
	assert_string_equal(objargs_prog_type(UINT32_MAX, d, sizeof(d)),
	    "4294967295");
	assert_string_equal(objargs_map_type(1, d, sizeof(d)),
	    "BPF_MAP_TYPE_HASH");
	assert_string_equal(objargs_map_type(27, d, sizeof(d)),
	    "BPF_MAP_TYPE_RINGBUF");
	assert_string_equal(objargs_map_type(31, d, sizeof(d)),
	    "BPF_MAP_TYPE_USER_RINGBUF");
	assert_string_equal(objargs_map_type(33, d, sizeof(d)),
	    "BPF_MAP_TYPE_ARENA");
	assert_string_equal(objargs_map_type(34, d, sizeof(d)), "34");
	assert_string_equal(objargs_perf_type(2, d, sizeof(d)),
	    "PERF_TYPE_TRACEPOINT");
	assert_string_equal(objargs_perf_type(5, d, sizeof(d)),
	    "PERF_TYPE_BREAKPOINT");
	assert_string_equal(objargs_perf_type(6, d, sizeof(d)), "6");

	assert_string_equal(objargs_family(0, d, sizeof(d)), "AF_UNSPEC");
	assert_string_equal(objargs_family(1, d, sizeof(d)), "AF_UNIX");
	assert_string_equal(objargs_family(2, d, sizeof(d)), "AF_INET");
	assert_string_equal(objargs_family(10, d, sizeof(d)), "AF_INET6");
	assert_string_equal(objargs_family(16, d, sizeof(d)), "AF_NETLINK");
	assert_string_equal(objargs_family(17, d, sizeof(d)), "AF_PACKET");
	assert_string_equal(objargs_family(40, d, sizeof(d)), "AF_VSOCK");
	assert_string_equal(objargs_family(45, d, sizeof(d)), "AF_MCTP");
	assert_string_equal(objargs_family(46, d, sizeof(d)), "46");
	assert_string_equal(objargs_sock_type(1, d, sizeof(d)),
	    "SOCK_STREAM");
	assert_string_equal(objargs_sock_type(2, d, sizeof(d)), "SOCK_DGRAM");
	assert_string_equal(objargs_sock_type(5, d, sizeof(d)),
	    "SOCK_SEQPACKET");
	assert_string_equal(objargs_sock_type(10, d, sizeof(d)), "10");
	assert_string_equal(objargs_sock_type(6, d, sizeof(d)), "SOCK_DCCP");
	assert_string_equal(objargs_sock_type(7, d, sizeof(d)), "7");
	assert_string_equal(objargs_sock_type(0, d, sizeof(d)), "0");
	assert_string_equal(objargs_ipproto(0, d, sizeof(d)), "IPPROTO_IP");
	assert_string_equal(objargs_ipproto(6, d, sizeof(d)), "IPPROTO_TCP");
	assert_string_equal(objargs_ipproto(17, d, sizeof(d)), "IPPROTO_UDP");
	assert_string_equal(objargs_ipproto(58, d, sizeof(d)), "58");
	assert_string_equal(objargs_ipproto(115, d, sizeof(d)), "115");
	assert_string_equal(objargs_ipproto(132, d, sizeof(d)),
	    "IPPROTO_SCTP");
	assert_string_equal(objargs_ipproto(262, d, sizeof(d)),
	    "IPPROTO_MPTCP");
	assert_string_equal(objargs_ipproto(300, d, sizeof(d)), "300");
	assert_string_equal(objargs_tcp_state(1, d, sizeof(d)),
	    "TCP_ESTABLISHED");
	assert_string_equal(objargs_tcp_state(2, d, sizeof(d)),
	    "TCP_SYN_SENT");
	assert_string_equal(objargs_tcp_state(10, d, sizeof(d)),
	    "TCP_LISTEN");
	assert_string_equal(objargs_tcp_state(12, d, sizeof(d)),
	    "TCP_NEW_SYN_RECV");
	assert_string_equal(objargs_tcp_state(13, d, sizeof(d)), "13");
	assert_string_equal(objargs_tcp_state(14, d, sizeof(d)), "14");
	assert_string_equal(objargs_tcp_state(0, d, sizeof(d)), "0");

	/* ls-style modes */
	assert_string_equal(objargs_mode(0100644, m, sizeof(m)),
	    "-rw-r--r--");
	assert_string_equal(objargs_mode(040755, m, sizeof(m)), "drwxr-xr-x");
	assert_string_equal(objargs_mode(041777, m, sizeof(m)), "drwxrwxrwt");
	assert_string_equal(objargs_mode(041770, m, sizeof(m)), "drwxrwx--T");
	assert_string_equal(objargs_mode(0104755, m, sizeof(m)),
	    "-rwsr-xr-x");
	assert_string_equal(objargs_mode(0102644, m, sizeof(m)),
	    "-rw-r-Sr--");
	assert_string_equal(objargs_mode(0106711, m, sizeof(m)),
	    "-rws--s--x");
	assert_string_equal(objargs_mode(0104644, m, sizeof(m)),
	    "-rwSr--r--");
	assert_string_equal(objargs_mode(0120777, m, sizeof(m)),
	    "lrwxrwxrwx");
	assert_string_equal(objargs_mode(020620, m, sizeof(m)), "crw--w----");
	assert_string_equal(objargs_mode(060660, m, sizeof(m)), "brw-rw----");
	assert_string_equal(objargs_mode(010600, m, sizeof(m)), "prw-------");
	assert_string_equal(objargs_mode(0140755, m, sizeof(m)),
	    "srwxr-xr-x");
	assert_string_equal(objargs_mode(0644, m, sizeof(m)), "rw-r--r--");
	assert_string_equal(objargs_mode(0100000, m, sizeof(m)),
	    "----------");
	/* a short dst is cut, still NUL-terminated */
	assert_string_equal(objargs_mode(0100644, m, 4), "-rw");

	assert_true(objargs_handles(POL_ARG_FILE));
	assert_true(objargs_handles(POL_ARG_LINUX_BINPRM));
	assert_true(objargs_handles(POL_ARG_SOCKET));
	assert_true(objargs_handles(POL_ARG_MODULE));
	assert_false(objargs_handles(POL_ARG_FD));
	assert_false(objargs_handles(POL_ARG_SOCKADDR));
	assert_false(objargs_handles(POL_ARG_CAPABILITY));
	assert_false(objargs_handles(POL_ARG_USER_NS));
	assert_false(objargs_handles(0));
}

static void
test_paths(void **state)
{
	const char	 nul[] = "a\0b";
	const char	 trail[] = "abc\0\0";
	int		 bad = -1;

	(void)state;
	assert_string_equal(json(POL_ARG_FILE, 0, 0100644 | FMODE_W,
	    "/etc/passwd", 11, NULL, &bad), "{\"file_arg\":{\"path\":"
	    "\"/etc/passwd\",\"flags\":\"FMODE_WRITE\",\"permission\":"
	    "\"-rw-r--r--\"}}");
	assert_int_equal(bad, 0);
	assert_string_equal(JS(POL_ARG_FILE, 0100640, "/etc/shadow"),
	    "{\"file_arg\":{\"path\":\"/etc/shadow\",\"permission\":"
	    "\"-rw-r-----\"}}");
	/* mode unread: no permission (the pre-object form) */
	assert_string_equal(JS(POL_ARG_FILE, 0, "/etc/shadow"),
	    "{\"file_arg\":{\"path\":\"/etc/shadow\"}}");
	assert_string_equal(J(POL_ARG_FILE, 0, "", 0), "{\"file_arg\":{}}");
	assert_string_equal(J(POL_ARG_FILE, FMODE_W, NULL, 0),
	    "{\"file_arg\":{\"flags\":\"FMODE_WRITE\"}}");
	assert_string_equal(JS(POL_ARG_PATH, 040755, "/etc"),
	    "{\"path_arg\":{\"path\":\"/etc\",\"permission\":"
	    "\"drwxr-xr-x\"}}");
	assert_string_equal(JS(POL_ARG_DENTRY, 0100600, "passwd"),
	    "{\"path_arg\":{\"path\":\"passwd\",\"permission\":"
	    "\"-rw-------\"}}");
	assert_string_equal(json(POL_ARG_LINUX_BINPRM, 0, 0104755,
	    "/usr/bin/sudo", 13, "bprm", NULL), "{\"linux_binprm_arg\":{"
	    "\"path\":\"/usr/bin/sudo\",\"permission\":\"-rwsr-xr-x\"},"
	    "\"label\":\"bprm\"}");
	/* cut at the capture limit: Tetragon's unresolvedPathComponents */
	assert_string_equal(json(POL_ARG_FILE, EVA_TRUNC, 0100644,
	    "/a/b", 4, NULL, NULL), "{\"file_arg\":{\"path\":\"/a/b\","
	    "\"flags\":\"unresolvedPathComponents\",\"permission\":"
	    "\"-rw-r--r--\"}}");
	assert_string_equal(json(POL_ARG_PATH, EVA_TRUNC, FMODE_W | 0100644,
	    "/a", 2, NULL, NULL), "{\"path_arg\":{\"path\":\"/a\","
	    "\"flags\":\"unresolvedPathComponents FMODE_WRITE\","
	    "\"permission\":\"-rw-r--r--\"}}");
	/* escaping; trailing NULs tolerated */
	assert_string_equal(JS(POL_ARG_FILE, 0, "/tmp/a\"b\n\xff"),
	    "{\"file_arg\":{\"path\":\"/tmp/a\\\"b\\n\\ufffd\"}}");
	assert_string_equal(J(POL_ARG_LINUX_BINPRM, 0, trail, 5),
	    "{\"linux_binprm_arg\":{\"path\":\"abc\"}}");
	/* read error keeps the old message */
	assert_string_equal(json(POL_ARG_LINUX_BINPRM, EVA_ERROR, 0, NULL, 0,
	    NULL, &bad), "{\"error_arg\":{\"Message\":\"could not read "
	    "linux_binprm argument\"}}");
	assert_int_equal(bad, 0);
	/* malformed */
	want_bad(POL_ARG_FILE, 0, 0x00010000, "/x", 2,
	    "unknown aux bits 0x00010000");
	want_bad(POL_ARG_DENTRY, 0, 0x7fff0000U | 0644, "/x", 2,
	    "unknown aux bits 0x7fff0000");
	want_bad(POL_ARG_LINUX_BINPRM, 0, 0, nul, 3, "NUL inside the path");
	want_bad(POL_ARG_FILE, 0, 0, NULL, 3, "no data");

	assert_string_equal(compact(POL_ARG_FILE, 0, 0100644 | FMODE_W,
	    "/etc/passwd", 11), "/etc/passwd");
	assert_string_equal(compact(POL_ARG_PATH, 0, 0, "a b\n", 4),
	    "a b\\n");
	assert_string_equal(compact(POL_ARG_DENTRY, 0, 0, "", 0), "\"\"");
}

static struct ev_cred
mkcred(void)
{
	struct ev_cred	 c;

	memset(&c, 0, sizeof(c));
	c.uid = c.gid = 1000;
	c.securebits = 0x1 | 0x10 | 0x100;	/* NOROOT, KEEP_CAPS, bit 8 */
	c.cap_permitted = (1ULL << 0) | (1ULL << 1) | (1ULL << 21) |
	    (1ULL << 40) | (1ULL << 41);
	c.cap_effective = 1ULL << 21;
	c.ns_level = 0;
	c.ns_inum = USER_NS_INIT;
	return c;
}

static void
test_cred(void **state)
{
	struct ev_cred	 c = mkcred();
	uint8_t		 big[sizeof(c) + 8];
	int		 bad = -1;

	(void)state;
	assert_string_equal(json(POL_ARG_CRED, 0, 0, &c, sizeof(c), "cred",
	    &bad), "{\"process_credentials_arg\":{\"uid\":1000,"
	    "\"gid\":1000,\"euid\":0,\"egid\":0,\"suid\":0,\"sgid\":0,"
	    "\"fsuid\":0,\"fsgid\":0,\"securebits\":[\"SecBitNoRoot\","
	    "\"SecBitKeepCaps\",256],\"caps\":{\"permitted\":[\"CAP_CHOWN\","
	    "\"DAC_OVERRIDE\",\"CAP_SYS_ADMIN\",\"CAP_CHECKPOINT_RESTORE\","
	    "41],\"effective\":[\"CAP_SYS_ADMIN\"]},\"user_ns\":{\"level\":0,"
	    "\"uid\":0,\"ns\":{\"inum\":4026531837,\"is_host\":true}}},"
	    "\"label\":\"cred\"}");
	assert_int_equal(bad, 0);
	assert_string_equal(compact(POL_ARG_CRED, 0, 0, &c, sizeof(c)),
	    "uid=1000,euid=0,gid=1000,egid=0,cap_effective=0000000000200000");

	/* every id where it belongs; all securebits; a nested namespace */
	memset(&c, 0, sizeof(c));
	c.uid = 1;
	c.gid = 2;
	c.suid = 3;
	c.sgid = 4;
	c.euid = 5;
	c.egid = 6;
	c.fsuid = 7;
	c.fsgid = 8;
	c.securebits = 0xff;
	c.cap_inheritable = 1ULL << 63;
	c.ns_level = 2;
	c.ns_inum = 4026532000U;
	c.ns_owner = 1000;
	assert_string_equal(J(POL_ARG_CRED, 0, &c, sizeof(c)),
	    "{\"process_credentials_arg\":{\"uid\":1,\"gid\":2,\"euid\":5,"
	    "\"egid\":6,\"suid\":3,\"sgid\":4,\"fsuid\":7,\"fsgid\":8,"
	    "\"securebits\":[\"SecBitNoRoot\",\"SecBitNoRootLocked\","
	    "\"SecBitNoSetUidFixup\",\"SecBitNoSetUidFixupLocked\","
	    "\"SecBitKeepCaps\",\"SecBitKeepCapsLocked\","
	    "\"SecBitNoCapAmbientRaise\",\"SecBitNoCapAmbientRaiseLocked\"],"
	    "\"caps\":{\"inheritable\":[63]},\"user_ns\":{\"level\":2,"
	    "\"uid\":1000,\"ns\":{\"inum\":4026532000}}}}");
	/* nothing set: empty caps object, namespace not read */
	memset(&c, 0, sizeof(c));
	c.ns_level = 1;
	assert_string_equal(J(POL_ARG_CRED, 0, &c, sizeof(c)),
	    "{\"process_credentials_arg\":{\"uid\":0,\"gid\":0,\"euid\":0,"
	    "\"egid\":0,\"suid\":0,\"sgid\":0,\"fsuid\":0,\"fsgid\":0,"
	    "\"caps\":{},\"user_ns\":{\"level\":1,\"uid\":0,\"ns\":{}}}}");
	/* full capability set: 41 names in order */
	c.cap_effective = (1ULL << 41) - 1;
	assert_non_null(strstr(J(POL_ARG_CRED, 0, &c, sizeof(c)),
	    "\"effective\":[\"CAP_CHOWN\",\"DAC_OVERRIDE\","
	    "\"CAP_DAC_READ_SEARCH\","));
	assert_non_null(strstr(out.buf, "\"CAP_PERFMON\",\"CAP_BPF\","
	    "\"CAP_CHECKPOINT_RESTORE\"]}"));

	/* malformed: short, long, truncated, empty */
	c = mkcred();
	memset(big, 0, sizeof(big));
	memcpy(big, &c, sizeof(c));
	want_bad(POL_ARG_CRED, 0, 0, big, sizeof(c) - 12,
	    "60 bytes, expected 72");
	want_bad(POL_ARG_CRED, 0, 0, big, sizeof(big),
	    "80 bytes, expected 72");
	want_bad(POL_ARG_CRED, 0, 0, big, 0, "0 bytes, expected 72");
	want_bad(POL_ARG_CRED, EVA_TRUNC, 0, big, sizeof(c), "truncated");
	assert_string_equal(json(POL_ARG_CRED, EVA_ERROR, 0, NULL, 0, "c",
	    &bad), "{\"error_arg\":{\"Message\":\"could not read cred "
	    "argument\"},\"label\":\"c\"}");
	assert_int_equal(bad, 0);
	assert_string_equal(json(POL_ARG_CRED, 0, 0, big, 1, "c", &bad),
	    "{\"error_arg\":{\"Message\":\"malformed cred argument: 1 bytes,"
	    " expected 72\"},\"label\":\"c\"}");
	assert_int_equal(bad, 1);
}

static void
test_bpf(void **state)
{
	struct ev_bpf_prog	 p;
	struct ev_bpf_map	 m;
	uint8_t			 big[64];

	(void)state;
	memset(&p, 0, sizeof(p));
	p.prog_type = 2;
	p.insn_cnt = 12;
	memcpy(p.name, "tripline_probe", 14);
	assert_string_equal(J(POL_ARG_BPF_PROG, 0, &p, sizeof(p)),
	    "{\"bpf_prog_arg\":{\"ProgType\":\"BPF_PROG_TYPE_KPROBE\","
	    "\"InsnCnt\":12,\"ProgName\":\"tripline_probe\"}}");
	assert_string_equal(compact(POL_ARG_BPF_PROG, 0, 0, &p, sizeof(p)),
	    "BPF_PROG_TYPE_KPROBE,name=tripline_probe,insns=12");
	/* bpf_attr (user memory): a name filling all 16 bytes, no NUL;
	 * bytes after a NUL ignored; escaping */
	p.prog_type = 29;
	memcpy(p.name, "abcdefghijklmnop", 16);
	assert_string_equal(J(POL_ARG_BPF_ATTR, 0, &p, sizeof(p)),
	    "{\"bpf_attr_arg\":{\"ProgType\":\"BPF_PROG_TYPE_LSM\","
	    "\"InsnCnt\":12,\"ProgName\":\"abcdefghijklmnop\"}}");
	memcpy(p.name, "a\"b\0zzzzzzzzzzzz", 16);
	p.prog_type = 77;
	p.insn_cnt = 0;
	assert_string_equal(J(POL_ARG_BPF_ATTR, 0, &p, sizeof(p)),
	    "{\"bpf_attr_arg\":{\"ProgType\":\"77\",\"ProgName\":"
	    "\"a\\\"b\"}}");
	assert_string_equal(compact(POL_ARG_BPF_ATTR, 0, 0, &p, sizeof(p)),
	    "77,name=a\"b,insns=0");
	memset(&p, 0, sizeof(p));
	assert_string_equal(J(POL_ARG_BPF_ATTR, 0, &p, sizeof(p)),
	    "{\"bpf_attr_arg\":{\"ProgType\":\"BPF_PROG_TYPE_UNSPEC\"}}");

	memset(&m, 0, sizeof(m));
	m.map_type = 1;
	m.key_size = 4;
	m.value_size = 8;
	m.max_entries = 1024;
	memcpy(m.name, "execmap", 7);
	assert_string_equal(json(POL_ARG_BPF_MAP, 0, 0, &m, sizeof(m), "map",
	    NULL), "{\"bpf_map_arg\":{\"MapType\":\"BPF_MAP_TYPE_HASH\","
	    "\"KeySize\":4,\"ValueSize\":8,\"MaxEntries\":1024,\"MapName\":"
	    "\"execmap\"},\"label\":\"map\"}");
	assert_string_equal(compact(POL_ARG_BPF_MAP, 0, 0, &m, sizeof(m)),
	    "BPF_MAP_TYPE_HASH,name=execmap,key=4,value=8,max=1024");
	memset(&m, 0, sizeof(m));
	m.map_type = 27;
	m.max_entries = 8 << 20;
	assert_string_equal(J(POL_ARG_BPF_MAP, 0, &m, sizeof(m)),
	    "{\"bpf_map_arg\":{\"MapType\":\"BPF_MAP_TYPE_RINGBUF\","
	    "\"MaxEntries\":8388608}}");

	memset(big, 0, sizeof(big));
	want_bad(POL_ARG_BPF_PROG, 0, 0, big, 23, "23 bytes, expected 24");
	want_bad(POL_ARG_BPF_ATTR, 0, 0, big, 32, "32 bytes, expected 24");
	want_bad(POL_ARG_BPF_MAP, 0, 0, big, 24, "24 bytes, expected 32");
	want_bad(POL_ARG_BPF_MAP, EVA_TRUNC, 0, big, 32, "truncated");
}

static void
test_perf(void **state)
{
	struct ev_perf_event	 pe;
	uint8_t			 buf[sizeof(pe) + 32];
	const char		*fn = "do_sys_openat2";

	(void)state;
	memset(&pe, 0, sizeof(pe));
	pe.type = 2;
	pe.config = 123;
	assert_string_equal(J(POL_ARG_PERF_EVENT, 0, &pe, sizeof(pe)),
	    "{\"perf_event_arg\":{\"Type\":\"PERF_TYPE_TRACEPOINT\","
	    "\"Config\":\"123\"}}");
	assert_string_equal(compact(POL_ARG_PERF_EVENT, 0, 0, &pe,
	    sizeof(pe)), "PERF_TYPE_TRACEPOINT,config=123");
	/* a kprobe PMU (dynamic type), the function name after the struct */
	pe.type = 6;
	pe.config = 0;
	pe.probe_offset = 16;
	memcpy(buf, &pe, sizeof(pe));
	memcpy(buf + sizeof(pe), fn, strlen(fn));
	assert_string_equal(J(POL_ARG_PERF_EVENT, 0, buf,
	    sizeof(pe) + strlen(fn)), "{\"perf_event_arg\":{\"KprobeFunc\":"
	    "\"do_sys_openat2\",\"Type\":\"6\",\"ProbeOffset\":\"16\"}}");
	assert_string_equal(compact(POL_ARG_PERF_EVENT, 0, 0, buf,
	    sizeof(pe) + strlen(fn)), "6,func=do_sys_openat2+16");
	/* 64-bit values as strings */
	pe.config = UINT64_MAX;
	pe.probe_offset = 0;
	assert_string_equal(J(POL_ARG_PERF_EVENT, 0, &pe, sizeof(pe)),
	    "{\"perf_event_arg\":{\"Type\":\"6\",\"Config\":"
	    "\"18446744073709551615\"}}");
	/* trailing NUL of the name tolerated, one inside is not */
	buf[sizeof(pe) + strlen(fn)] = '\0';
	assert_non_null(strstr(J(POL_ARG_PERF_EVENT, 0, buf,
	    sizeof(pe) + strlen(fn) + 1), "\"KprobeFunc\":\"do_sys_openat2\""));
	buf[sizeof(pe) + 2] = '\0';
	want_bad(POL_ARG_PERF_EVENT, 0, 0, buf, sizeof(pe) + strlen(fn),
	    "NUL inside the function name");
	want_bad(POL_ARG_PERF_EVENT, 0, 0, buf, sizeof(pe) - 1,
	    "23 bytes, expected at least 24");
	want_bad(POL_ARG_PERF_EVENT, EVA_TRUNC, 0, buf, sizeof(pe),
	    "truncated");
}

static struct ev_sock
mksock4(void)
{
	struct ev_sock	 s;

	memset(&s, 0, sizeof(s));
	s.family = AF_INET;
	s.type = 1;
	s.protocol = 6;
	s.state = 2;
	s.sport = 40000;
	s.dport = 443;
	s.mark = 7;
	s.cookie = 12345;
	inet_pton(AF_INET, "10.0.0.1", s.saddr);
	inet_pton(AF_INET, "93.184.216.34", s.daddr);
	return s;
}

static void
test_sock(void **state)
{
	struct ev_sock	 s = mksock4();
	uint8_t		 big[sizeof(s) + 8];

	(void)state;
	assert_string_equal(json(POL_ARG_SOCK, 0, 0, &s, sizeof(s), "sk",
	    NULL), "{\"sock_arg\":{\"family\":\"AF_INET\",\"type\":"
	    "\"SOCK_STREAM\",\"protocol\":\"IPPROTO_TCP\",\"mark\":7,"
	    "\"saddr\":\"10.0.0.1\",\"daddr\":\"93.184.216.34\","
	    "\"sport\":40000,\"dport\":443,\"cookie\":\"12345\","
	    "\"state\":\"TCP_SYN_SENT\"},\"label\":\"sk\"}");
	assert_string_equal(compact(POL_ARG_SOCK, 0, 0, &s, sizeof(s)),
	    "IPPROTO_TCP,10.0.0.1:40000->93.184.216.34:443,TCP_SYN_SENT");
	/* unconnected INET socket: addresses 0.0.0.0, protocol 0 named */
	memset(&s, 0, sizeof(s));
	s.family = AF_INET;
	s.type = 3;
	s.priority = 6;
	assert_string_equal(J(POL_ARG_SOCKET, 0, &s, sizeof(s)),
	    "{\"sock_arg\":{\"family\":\"AF_INET\",\"type\":\"SOCK_RAW\","
	    "\"protocol\":\"IPPROTO_IP\",\"priority\":6,\"saddr\":"
	    "\"0.0.0.0\",\"daddr\":\"0.0.0.0\",\"state\":\"0\"}}");
	/* IPv6 UDP */
	memset(&s, 0, sizeof(s));
	s.family = AF_INET6;
	s.type = 2;
	s.protocol = 17;
	s.state = 7;
	s.dport = 53;
	inet_pton(AF_INET6, "::1", s.saddr);
	inet_pton(AF_INET6, "fe80::1", s.daddr);
	assert_string_equal(J(POL_ARG_SOCKET, 0, &s, sizeof(s)),
	    "{\"sock_arg\":{\"family\":\"AF_INET6\",\"type\":\"SOCK_DGRAM\","
	    "\"protocol\":\"IPPROTO_UDP\",\"saddr\":\"::1\",\"daddr\":"
	    "\"fe80::1\",\"dport\":53,\"state\":\"TCP_CLOSE\"}}");
	assert_string_equal(compact(POL_ARG_SOCKET, 0, 0, &s, sizeof(s)),
	    "IPPROTO_UDP,[::1]->[fe80::1]:53,TCP_CLOSE");
	/* AF_UNIX: no addresses; protocol 0 named as Tetragon names it */
	memset(&s, 0, sizeof(s));
	s.family = AF_UNIX;
	s.type = 5;
	s.state = 1;
	memset(s.saddr, 0xff, sizeof(s.saddr));
	assert_string_equal(J(POL_ARG_SOCK, 0, &s, sizeof(s)),
	    "{\"sock_arg\":{\"family\":\"AF_UNIX\",\"type\":"
	    "\"SOCK_SEQPACKET\",\"protocol\":\"IPPROTO_IP\","
	    "\"state\":\"TCP_ESTABLISHED\"}}");
	assert_string_equal(compact(POL_ARG_SOCK, 0, 0, &s, sizeof(s)),
	    "AF_UNIX");
	/* values without names */
	memset(&s, 0, sizeof(s));
	s.family = 99;
	s.type = 9;
	s.protocol = 7;
	s.state = 20;
	assert_string_equal(J(POL_ARG_SOCK, 0, &s, sizeof(s)),
	    "{\"sock_arg\":{\"family\":\"99\",\"type\":\"9\","
	    "\"protocol\":\"7\",\"state\":\"20\"}}");

	s = mksock4();
	memset(big, 0, sizeof(big));
	memcpy(big, &s, sizeof(s));
	want_bad(POL_ARG_SOCK, 0, 0, big, sizeof(s) - 1,
	    "63 bytes, expected 64");
	want_bad(POL_ARG_SOCKET, 0, 0, big, sizeof(big),
	    "72 bytes, expected 64");
	want_bad(POL_ARG_SOCK, EVA_TRUNC, 0, big, sizeof(s), "truncated");
}

static void
test_skb(void **state)
{
	struct ev_skb	 k;
	uint8_t		 big[sizeof(k) + 8];

	(void)state;
	memset(&k, 0, sizeof(k));
	k.hash = 0xdeadbeef;
	k.len = 60;
	k.family = AF_INET;
	k.sport = 1234;
	k.dport = 53;
	k.proto = 17;
	k.protocol = 0x0800;
	inet_pton(AF_INET, "192.168.1.2", k.saddr);
	inet_pton(AF_INET, "192.168.1.1", k.daddr);
	assert_string_equal(J(POL_ARG_SKB, 0, &k, sizeof(k)),
	    "{\"skb_arg\":{\"hash\":3735928559,\"len\":60,\"saddr\":"
	    "\"192.168.1.2\",\"daddr\":\"192.168.1.1\",\"sport\":1234,"
	    "\"dport\":53,\"proto\":17,\"protocol\":\"IPPROTO_UDP\","
	    "\"family\":\"AF_INET\"}}");
	assert_string_equal(compact(POL_ARG_SKB, 0, 0, &k, sizeof(k)),
	    "IPPROTO_UDP,192.168.1.2:1234->192.168.1.1:53,len=60");
	/* IPv6 TCP with mark, priority, secpath */
	memset(&k, 0, sizeof(k));
	k.len = 1500;
	k.mark = 0x100;
	k.priority = 4;
	k.family = AF_INET6;
	k.proto = 6;
	k.sport = 443;
	k.dport = 50000;
	k.sec_path_len = 1;
	k.sec_path_olen = 2;
	inet_pton(AF_INET6, "2001:db8::1", k.saddr);
	inet_pton(AF_INET6, "2001:db8::2", k.daddr);
	assert_string_equal(J(POL_ARG_SKB, 0, &k, sizeof(k)),
	    "{\"skb_arg\":{\"len\":1500,\"priority\":4,\"mark\":256,"
	    "\"saddr\":\"2001:db8::1\",\"daddr\":\"2001:db8::2\","
	    "\"sport\":443,\"dport\":50000,\"proto\":6,\"sec_path_len\":1,"
	    "\"sec_path_olen\":2,\"protocol\":\"IPPROTO_TCP\",\"family\":"
	    "\"AF_INET6\"}}");
	/* not IP (an ARP frame): family and length only */
	memset(&k, 0, sizeof(k));
	k.len = 42;
	k.protocol = 0x0806;
	assert_string_equal(J(POL_ARG_SKB, 0, &k, sizeof(k)),
	    "{\"skb_arg\":{\"len\":42,\"protocol\":\"IPPROTO_IP\","
	    "\"family\":\"AF_UNSPEC\"}}");
	assert_string_equal(compact(POL_ARG_SKB, 0, 0, &k, sizeof(k)),
	    "AF_UNSPEC,len=42");

	memset(big, 0, sizeof(big));
	want_bad(POL_ARG_SKB, 0, 0, big, sizeof(k) - 8,
	    "64 bytes, expected 72");
	want_bad(POL_ARG_SKB, 0, 0, big, sizeof(big),
	    "80 bytes, expected 72");
}

static void
test_module(void **state)
{
	char		 longname[OBJARGS_MODNAME_MAX + 2];
	const uint32_t	 taints = (1U << 3) | (1U << 12) | (1U << 13);

	(void)state;
	assert_string_equal(JS(POL_ARG_MODULE, EVA_AUX_MOD_SIG_OK |
	    (taints << 8), "nf_tables"), "{\"module_arg\":{\"name\":"
	    "\"nf_tables\",\"signature_ok\":true,\"tainted\":[8,"
	    "\"TAINT_OUT_OF_TREE_MODULE\",\"TAINT_UNSIGNED_MODULE\"]}}");
	assert_string_equal(compact(POL_ARG_MODULE, 0, EVA_AUX_MOD_SIG_OK |
	    (taints << 8), "nf_tables", 9), "nf_tables,sig_ok=1,taints=0x3008");
	assert_string_equal(JS(POL_ARG_MODULE, 0, "x"),
	    "{\"module_arg\":{\"name\":\"x\",\"signature_ok\":false}}");
	assert_string_equal(compact(POL_ARG_MODULE, 0, 0, "x", 1),
	    "x,sig_ok=0");
	/* every taint Tetragon names; the highest bits */
	assert_string_equal(JS(POL_ARG_MODULE, ((1U << 0) | (1U << 1) |
	    (1U << 2) | (1U << 10) | (1U << 15) | (1U << 18)) << 8, "m"),
	    "{\"module_arg\":{\"name\":\"m\",\"signature_ok\":false,"
	    "\"tainted\":[\"TAINT_PROPRIETARY_MODULE\","
	    "\"TAINT_FORCED_MODULE\",\"TAINT_FORCED_UNLOAD_MODULE\","
	    "\"TAINT_STAGED_MODULE\",\"TAINT_KERNEL_LIVE_PATCH_MODULE\","
	    "\"TAINT_TEST_MODULE\"]}}");
	assert_string_equal(JS(POL_ARG_MODULE, 0xff000000U, "m"),
	    "{\"module_arg\":{\"name\":\"m\",\"signature_ok\":false,"
	    "\"tainted\":[65536,131072,\"TAINT_TEST_MODULE\",524288,"
	    "1048576,2097152,4194304,8388608]}}");
	assert_string_equal(J(POL_ARG_MODULE, 0, "", 0),
	    "{\"module_arg\":{\"signature_ok\":false}}");

	want_bad(POL_ARG_MODULE, 0, 0x2, "m", 1,
	    "unknown aux bits 0x00000002");
	want_bad(POL_ARG_MODULE, 0, 0x81, "m", 1,
	    "unknown aux bits 0x00000080");
	want_bad(POL_ARG_MODULE, 0, 0, "a\0b", 3, "NUL inside the name");
	memset(longname, 'm', sizeof(longname));
	want_bad(POL_ARG_MODULE, 0, 0, longname, OBJARGS_MODNAME_MAX + 1,
	    "name of 64 bytes, at most 63");
	assert_string_equal(J(POL_ARG_MODULE, 0, longname,
	    OBJARGS_MODNAME_MAX), "{\"module_arg\":{\"name\":"
	    "\"mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"
	    "mmmmmmm\","
	    "\"signature_ok\":false}}");
}

/* A record of a hook with object arguments, rendered whole: labels,
 * a malformed argument among good ones, a malformed return value. */
static void
test_render(void **state)
{
	static char	 empty[] = "", lsk[] = "sk", lcred[] = "cred",
			 lfile[] = "file", fn[] = "tcp_connect";
	struct gen_render gr;
	struct dec_event ev;
	struct ipc_hook	 h;
	struct ev_sock	 s = mksock4();
	struct ev_cred	 c = mkcred();
	size_t		 i;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.id = 3;
	h.gen = 1;
	h.kind = POL_HOOK_KPROBE;
	h.policy = h.message = h.tags_json = h.subsys = h.event = h.path =
	    empty;
	h.function = fn;
	for (i = 0; i < IPC_HOOK_ARGS; i++)
		h.arg_label[i] = empty;
	for (i = 0; i < IPC_HOOK_SEL; i++)
		h.sel_url[i] = h.sel_fqdn[i] = empty;
	h.nargs = 3;
	h.arg_label[0] = lsk;
	h.arg_label[1] = lcred;
	h.arg_label[2] = lfile;

	memset(&ev, 0, sizeof(ev));
	ev.type = EV_GENERIC;
	ev.pid = 1;
	ev.hook_id = 3;
	ev.gen = 1;
	ev.sel = 0xff;
	ev.actions = 1U << POL_ACT_POST;
	ev.ngargs = 3;
	ev.gargs[0] = mkarg(POL_ARG_SOCK, 0, 0, &s, sizeof(s));
	ev.gargs[1] = mkarg(POL_ARG_CRED, 0, 0, &c, sizeof(c) - 8);
	ev.gargs[2] = mkarg(POL_ARG_FILE, 0, 0100644, "/etc/passwd", 11);
	memset(&gr, 0, sizeof(gr));
	generic_render(&gr, &ev, &h);
	assert_string_equal(generic_str(&gr.args), "[{\"sock_arg\":{"
	    "\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"protocol\":"
	    "\"IPPROTO_TCP\",\"mark\":7,\"saddr\":\"10.0.0.1\",\"daddr\":"
	    "\"93.184.216.34\",\"sport\":40000,\"dport\":443,\"cookie\":"
	    "\"12345\",\"state\":\"TCP_SYN_SENT\"},\"label\":\"sk\"},"
	    "{\"error_arg\":{\"Message\":\"malformed cred argument: 64 bytes,"
	    " expected 72\"},\"label\":\"cred\"},{\"file_arg\":{\"path\":"
	    "\"/etc/passwd\",\"permission\":\"-rw-r--r--\"},\"label\":"
	    "\"file\"}]");
	assert_int_equal(gr.nshown, 3);
	assert_int_equal(gr.nbad, 1);

	/* a return value of an object type, malformed: counted too */
	ev.gflags = EVG_F_RETURN;
	ev.has_retarg = 1;
	ev.retarg = mkarg(POL_ARG_BPF_MAP, EVA_RETVAL, 0, &s, 8);
	generic_render(&gr, &ev, &h);
	assert_string_equal(generic_str(&gr.ret), "{\"error_arg\":{"
	    "\"Message\":\"malformed bpf_map argument: 8 bytes, expected "
	    "32\"}}");
	assert_int_equal(gr.nbad, 2);
	/* reset per record */
	ev.gargs[1] = mkarg(POL_ARG_CRED, 0, 0, &c, sizeof(c));
	ev.has_retarg = 0;
	generic_render(&gr, &ev, &h);
	assert_int_equal(gr.nbad, 0);
	assert_non_null(strstr(generic_str(&gr.args),
	    "{\"process_credentials_arg\":{\"uid\":1000,"));
	generic_render_clear(&gr);
}

/* The object types decode_record passes today (file, path, dentry: a path
 * with the i_mode in aux), from ring record to JSON. */
static void
test_record(void **state)
{
	static struct genrec r;
	struct gen_render gr;
	struct dec_event ev;
	size_t		 len;

	(void)state;
	genrec_init(&r, 1234, 5, 1, 1, 7, 1);
	genrec_arg(&r, POL_ARG_FILE, 0, 0100600 | FMODE_W, "/etc/shadow\0",
	    12);
	genrec_arg(&r, POL_ARG_PATH, EVA_TRUNC, 040700, "/root", 5);
	genrec_arg(&r, POL_ARG_DENTRY, EVA_ERROR, 0, NULL, 0);
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), 0);
	memset(&gr, 0, sizeof(gr));
	generic_render(&gr, &ev, NULL);
	assert_string_equal(generic_str(&gr.args), "[{\"file_arg\":{"
	    "\"path\":\"/etc/shadow\",\"flags\":\"FMODE_WRITE\","
	    "\"permission\":\"-rw-------\"}},{\"path_arg\":{\"path\":"
	    "\"/root\",\"flags\":\"unresolvedPathComponents\","
	    "\"permission\":\"drwx------\"}},{\"error_arg\":{\"Message\":"
	    "\"could not read dentry argument\"}}]");
	assert_int_equal(gr.nbad, 0);
	/* bad aux bits: the record decodes, the argument is flagged */
	genrec_init(&r, 1234, 5, 1, 1, 7, 1);
	genrec_arg(&r, POL_ARG_FILE, 0, 0x40000000, "/x", 2);
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), 0);
	generic_render(&gr, &ev, NULL);
	assert_string_equal(generic_str(&gr.args), "[{\"error_arg\":{"
	    "\"Message\":\"malformed file argument: unknown aux bits "
	    "0x40000000\"}}]");
	assert_int_equal(gr.nbad, 1);
	generic_render_clear(&gr);
}

/* Every kernel-object payload from ring record to JSON (decode_record
 * passes them through; a wrong size is flagged, not dropped). */
static void
test_record_objects(void **state)
{
	static struct genrec r;
	struct gen_render gr;
	struct dec_event ev;
	struct ev_cred	 c = mkcred();
	struct ev_sock	 s = mksock4();
	struct ev_bpf_map m;
	size_t		 len;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.map_type = 2;
	genrec_init(&r, 1234, 5, 1, 1, 7, 1);
	genrec_arg(&r, POL_ARG_CRED, 0, 0, &c, sizeof(c));
	genrec_arg(&r, POL_ARG_SOCKET, 0, 0, &s, sizeof(s));
	genrec_arg(&r, POL_ARG_BPF_MAP, 0, 0, &m, sizeof(m) - 4);
	genrec_arg(&r, POL_ARG_LINUX_BINPRM, 0, 0100755, "/bin/sh", 7);
	genrec_arg(&r, POL_ARG_MODULE, 0, EVA_AUX_MOD_SIG_OK, "ext4", 4);
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), 0);
	memset(&gr, 0, sizeof(gr));
	generic_render(&gr, &ev, NULL);
	assert_non_null(strstr(generic_str(&gr.args),
	    "[{\"process_credentials_arg\":{\"uid\":1000,"));
	assert_non_null(strstr(generic_str(&gr.args), "},{\"sock_arg\":{"
	    "\"family\":\"AF_INET\","));
	assert_non_null(strstr(generic_str(&gr.args), "},{\"error_arg\":{"
	    "\"Message\":\"malformed bpf_map argument: 28 bytes, expected "
	    "32\"}},{\"linux_binprm_arg\":{\"path\":\"/bin/sh\","
	    "\"permission\":\"-rwxr-xr-x\"}},{\"module_arg\":{\"name\":"
	    "\"ext4\",\"signature_ok\":true}}]"));
	assert_int_equal(gr.nshown, 5);
	assert_int_equal(gr.nbad, 1);
	generic_render_clear(&gr);
}

/* xorshift: reproducible garbage */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random payloads of every object type, sizes around each struct: never
 * a crash, always one JSON object, error_arg exactly when malformed. */
static void
test_garbage(void **state)
{
	static const uint8_t types[] = {
		POL_ARG_FILE, POL_ARG_PATH, POL_ARG_DENTRY,
		POL_ARG_LINUX_BINPRM, POL_ARG_CRED, POL_ARG_BPF_ATTR,
		POL_ARG_BPF_PROG, POL_ARG_BPF_MAP, POL_ARG_PERF_EVENT,
		POL_ARG_SOCK, POL_ARG_SOCKET, POL_ARG_SKB, POL_ARG_MODULE,
	};
	static const uint8_t flagset[] = { 0, 0, 0, EVA_TRUNC, EVA_ERROR };
	uint8_t		*data;
	struct dec_arg	 a;
	char		 why[OBJARGS_WHY_MAX];
	uint64_t	 seed = 0x9e3779b97f4a7c15ULL;
	size_t		 i, j, len, nbad = 0, ngood = 0;
	int		 bad, chk;

	(void)state;
	for (i = 0; i < 20000; i++) {
		len = (size_t)(rnd(&seed) % 100);
		data = malloc(len > 0 ? len : 1);	/* exact size: ASan */
		assert_non_null(data);
		for (j = 0; j < len; j++)
			data[j] = (uint8_t)rnd(&seed);
		if (rnd(&seed) % 3 == 0)	/* NULs are rarer at random */
			for (j = 0; j < len; j++)
				if (data[j] == 0)
					data[j] = 'x';
		a = mkarg(types[rnd(&seed) % sizeof(types)],
		    flagset[rnd(&seed) % sizeof(flagset)],
		    (uint32_t)rnd(&seed), data, len);
		if (rnd(&seed) % 2)
			a.aux &= 0x8000ffffU;	/* often valid path aux */
		if (a.flags & EVA_ERROR)
			a.len = 0;
		chk = objargs_check(&a, why, sizeof(why));
		sbuf_reset(&out);
		bad = generic_arg_json(&out, &a, NULL);
		assert_int_equal(bad, chk != 0);
		assert_true(out.len >= 2 && out.buf[0] == '{' &&
		    out.buf[out.len - 1] == '}');
		assert_int_equal(strlen(out.buf), out.len);
		if (bad) {
			assert_non_null(strstr(out.buf, "malformed"));
			nbad++;
		} else
			ngood++;
		sbuf_reset(&out);
		generic_arg_compact(&out, &a);
		assert_true(out.len > 0);
		free(data);
	}
	/* both branches were exercised */
	assert_true(nbad > 1000);
	assert_true(ngood > 1000);
}

static int
teardown(void **state)
{
	(void)state;
	sbuf_clear(&out);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_cred),
		cmocka_unit_test(test_bpf),
		cmocka_unit_test(test_perf),
		cmocka_unit_test(test_sock),
		cmocka_unit_test(test_skb),
		cmocka_unit_test(test_module),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_record_objects),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests_name("objargs", tests, NULL, teardown);
}
