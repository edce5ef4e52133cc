/* collectord/objargs.c -- kernel-object arguments of EV_GENERIC records. */
#include "build.h"

#include <sys/socket.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "err.h"
#include "jsonw.h"
#include "objargs.h"
#include "policy.h"
#include "str.h"
#include "xmalloc.h"

#define OA_NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define OA_MODE_MASK	0xffffU		/* i_mode bits of a path aux */
#define OA_MOD_TAINT_SHIFT 8		/* module aux: taints << 8 */
#define OA_MOD_RESERVED	0xfeU		/* module aux bits 1..7 */
#define OA_USER_NS_HOST	0		/* level of the initial user ns */
#define OA_COMPACT_CAPS	"%016" PRIx64

/*
 * Capability names come from the policy parser's table, pol_cap_name()
 * (CAP_CHOWN 0 .. CAP_CHECKPOINT_RESTORE 40 = CAP_LAST_CAP);
 * capability_arg.name uses them as they are.
 */
#define OA_NCAPS	41

/*
 * The capability lists of process_credentials_arg are Tetragon's
 * CapabilitiesType enum, whose value 1 is spelt "DAC_OVERRIDE" (no CAP_):
 * a protojson reader rejects any other spelling, so this one name
 * differs from the UAPI table above.
 */
#define OA_ENUM_DAC_OVERRIDE	"DAC_OVERRIDE"

/* include/uapi/linux/securebits.h bit n -> Tetragon SecureBitsType
 * (enum value 1 << n). */
static const char *const oa_secbits[] = {
	"SecBitNoRoot", "SecBitNoRootLocked", "SecBitNoSetUidFixup",
	"SecBitNoSetUidFixupLocked", "SecBitKeepCaps", "SecBitKeepCapsLocked",
	"SecBitNoCapAmbientRaise", "SecBitNoCapAmbientRaiseLocked",
};

/*
 * module->taints bit n (include/linux/panic.h TAINT_*) -> Tetragon
 * TaintedBitsType (enum value 1 << n).  Tetragon names value 4 (bit 2)
 * "forced unload"; the kernel's bit 2 is TAINT_CPU_OUT_OF_SPEC, which a
 * module never carries.  Bits without a Tetragon name are emitted as their
 * enum value (a number), as protojson does.
 */
static const char *const oa_taints[] = {
	[0] = "TAINT_PROPRIETARY_MODULE",	/* TAINT_PROPRIETARY_MODULE */
	[1] = "TAINT_FORCED_MODULE",		/* TAINT_FORCED_MODULE */
	[2] = "TAINT_FORCED_UNLOAD_MODULE",
	[10] = "TAINT_STAGED_MODULE",		/* TAINT_CRAP */
	[12] = "TAINT_OUT_OF_TREE_MODULE",	/* TAINT_OOT_MODULE */
	[13] = "TAINT_UNSIGNED_MODULE",		/* TAINT_UNSIGNED_MODULE */
	[15] = "TAINT_KERNEL_LIVE_PATCH_MODULE",	/* TAINT_LIVEPATCH */
	[18] = "TAINT_TEST_MODULE",		/* TAINT_TEST */
};

/* include/uapi/linux/bpf.h enum bpf_prog_type */
static const char *const oa_prog_types[] = {
	"BPF_PROG_TYPE_UNSPEC", "BPF_PROG_TYPE_SOCKET_FILTER",
	"BPF_PROG_TYPE_KPROBE", "BPF_PROG_TYPE_SCHED_CLS",
	"BPF_PROG_TYPE_SCHED_ACT", "BPF_PROG_TYPE_TRACEPOINT",
	"BPF_PROG_TYPE_XDP", "BPF_PROG_TYPE_PERF_EVENT",
	"BPF_PROG_TYPE_CGROUP_SKB", "BPF_PROG_TYPE_CGROUP_SOCK",
	"BPF_PROG_TYPE_LWT_IN", "BPF_PROG_TYPE_LWT_OUT",
	"BPF_PROG_TYPE_LWT_XMIT", "BPF_PROG_TYPE_SOCK_OPS",
	"BPF_PROG_TYPE_SK_SKB", "BPF_PROG_TYPE_CGROUP_DEVICE",
	"BPF_PROG_TYPE_SK_MSG", "BPF_PROG_TYPE_RAW_TRACEPOINT",
	"BPF_PROG_TYPE_CGROUP_SOCK_ADDR", "BPF_PROG_TYPE_LWT_SEG6LOCAL",
	"BPF_PROG_TYPE_LIRC_MODE2", "BPF_PROG_TYPE_SK_REUSEPORT",
	"BPF_PROG_TYPE_FLOW_DISSECTOR", "BPF_PROG_TYPE_CGROUP_SYSCTL",
	"BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE",
	"BPF_PROG_TYPE_CGROUP_SOCKOPT", "BPF_PROG_TYPE_TRACING",
	"BPF_PROG_TYPE_STRUCT_OPS", "BPF_PROG_TYPE_EXT", "BPF_PROG_TYPE_LSM",
	"BPF_PROG_TYPE_SK_LOOKUP", "BPF_PROG_TYPE_SYSCALL",
	"BPF_PROG_TYPE_NETFILTER",
};

/* include/uapi/linux/bpf.h enum bpf_map_type */
static const char *const oa_map_types[] = {
	"BPF_MAP_TYPE_UNSPEC", "BPF_MAP_TYPE_HASH", "BPF_MAP_TYPE_ARRAY",
	"BPF_MAP_TYPE_PROG_ARRAY", "BPF_MAP_TYPE_PERF_EVENT_ARRAY",
	"BPF_MAP_TYPE_PERCPU_HASH", "BPF_MAP_TYPE_PERCPU_ARRAY",
	"BPF_MAP_TYPE_STACK_TRACE", "BPF_MAP_TYPE_CGROUP_ARRAY",
	"BPF_MAP_TYPE_LRU_HASH", "BPF_MAP_TYPE_LRU_PERCPU_HASH",
	"BPF_MAP_TYPE_LPM_TRIE", "BPF_MAP_TYPE_ARRAY_OF_MAPS",
	"BPF_MAP_TYPE_HASH_OF_MAPS", "BPF_MAP_TYPE_DEVMAP",
	"BPF_MAP_TYPE_SOCKMAP", "BPF_MAP_TYPE_CPUMAP", "BPF_MAP_TYPE_XSKMAP",
	"BPF_MAP_TYPE_SOCKHASH", "BPF_MAP_TYPE_CGROUP_STORAGE",
	"BPF_MAP_TYPE_REUSEPORT_SOCKARRAY",
	"BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE", "BPF_MAP_TYPE_QUEUE",
	"BPF_MAP_TYPE_STACK", "BPF_MAP_TYPE_SK_STORAGE",
	"BPF_MAP_TYPE_DEVMAP_HASH", "BPF_MAP_TYPE_STRUCT_OPS",
	"BPF_MAP_TYPE_RINGBUF", "BPF_MAP_TYPE_INODE_STORAGE",
	"BPF_MAP_TYPE_TASK_STORAGE", "BPF_MAP_TYPE_BLOOM_FILTER",
	"BPF_MAP_TYPE_USER_RINGBUF", "BPF_MAP_TYPE_CGRP_STORAGE",
	"BPF_MAP_TYPE_ARENA",
};

/* include/uapi/linux/perf_event.h enum perf_type_id (dynamic PMU types,
 * e.g. kprobe, follow and are shown as numbers) */
static const char *const oa_perf_types[] = {
	"PERF_TYPE_HARDWARE", "PERF_TYPE_SOFTWARE", "PERF_TYPE_TRACEPOINT",
	"PERF_TYPE_HW_CACHE", "PERF_TYPE_RAW", "PERF_TYPE_BREAKPOINT",
};

/*
 * The names below are those Tetragon's JSON gives (pkg/reader/network):
 * a value without a name there is shown as its decimal number, so the
 * same socket reads the same in both exports.  That leaves a few kernel
 * names out: SOCK_PACKET (10), IPPROTO_ICMPV6 (58), IPPROTO_L2TP (115)
 * and TCP_BOUND_INACTIVE (13) are numbers.
 */

/* include/linux/socket.h AF_* */
static const char *const oa_families[] = {
	"AF_UNSPEC", "AF_UNIX", "AF_INET", "AF_AX25", "AF_IPX",
	"AF_APPLETALK", "AF_NETROM", "AF_BRIDGE", "AF_ATMPVC", "AF_X25",
	"AF_INET6", "AF_ROSE", "AF_DECnet", "AF_NETBEUI", "AF_SECURITY",
	"AF_KEY", "AF_NETLINK", "AF_PACKET", "AF_ASH", "AF_ECONET",
	"AF_ATMSVC", "AF_RDS", "AF_SNA", "AF_IRDA", "AF_PPPOX", "AF_WANPIPE",
	"AF_LLC", "AF_IB", "AF_MPLS", "AF_CAN", "AF_TIPC", "AF_BLUETOOTH",
	"AF_IUCV", "AF_RXRPC", "AF_ISDN", "AF_PHONET", "AF_IEEE802154",
	"AF_CAIF", "AF_ALG", "AF_NFC", "AF_VSOCK", "AF_KCM", "AF_QIPCRTR",
	"AF_SMC", "AF_XDP", "AF_MCTP",
};

/* include/linux/net.h enum sock_type */
static const char *const oa_sock_types[] = {
	[1] = "SOCK_STREAM", [2] = "SOCK_DGRAM", [3] = "SOCK_RAW",
	[4] = "SOCK_RDM", [5] = "SOCK_SEQPACKET", [6] = "SOCK_DCCP",
};

/* include/uapi/linux/in.h, in6.h IPPROTO_* */
static const struct {
	uint16_t	 num;
	const char	*name;
} oa_protos[] = {
	{ 0, "IPPROTO_IP" }, { 1, "IPPROTO_ICMP" }, { 2, "IPPROTO_IGMP" },
	{ 4, "IPPROTO_IPIP" }, { 6, "IPPROTO_TCP" }, { 8, "IPPROTO_EGP" },
	{ 12, "IPPROTO_PUP" }, { 17, "IPPROTO_UDP" }, { 22, "IPPROTO_IDP" },
	{ 29, "IPPROTO_TP" }, { 33, "IPPROTO_DCCP" }, { 41, "IPPROTO_IPV6" },
	{ 46, "IPPROTO_RSVP" }, { 47, "IPPROTO_GRE" }, { 50, "IPPROTO_ESP" },
	{ 51, "IPPROTO_AH" }, { 92, "IPPROTO_MTP" },
	{ 94, "IPPROTO_BEETPH" }, { 98, "IPPROTO_ENCAP" },
	{ 103, "IPPROTO_PIM" }, { 108, "IPPROTO_COMP" },
	{ 132, "IPPROTO_SCTP" },
	{ 136, "IPPROTO_UDPLITE" }, { 137, "IPPROTO_MPLS" },
	{ 143, "IPPROTO_ETHERNET" }, { 255, "IPPROTO_RAW" },
	{ 262, "IPPROTO_MPTCP" },
};

/* include/net/tcp_states.h (BPF_TCP_* in uapi/linux/bpf.h) */
static const char *const oa_tcp_states[] = {
	[1] = "TCP_ESTABLISHED", [2] = "TCP_SYN_SENT", [3] = "TCP_SYN_RECV",
	[4] = "TCP_FIN_WAIT1", [5] = "TCP_FIN_WAIT2", [6] = "TCP_TIME_WAIT",
	[7] = "TCP_CLOSE", [8] = "TCP_CLOSE_WAIT", [9] = "TCP_LAST_ACK",
	[10] = "TCP_LISTEN", [11] = "TCP_CLOSING", [12] = "TCP_NEW_SYN_RECV",
};

static const char *
oa_num(uint64_t v, char *dst, size_t dstsz)
{
	snprintf(dst, dstsz, "%" PRIu64, v);
	return dst;
}

static const char *
oa_lookup(const char *const *tab, size_t n, uint64_t v, char *dst,
    size_t dstsz)
{
	if (v < n && tab[v] != NULL)
		return tab[v];
	return oa_num(v, dst, dstsz);
}

const char *
objargs_cap_name(uint64_t cap)
{
	return cap < pol_cap_count() ? pol_cap_name((unsigned int)cap) : NULL;
}

const char *
objargs_family(uint16_t f, char *dst, size_t dstsz)
{
	if (f < OA_NELEM(oa_families))
		return oa_families[f];
	return oa_num(f, dst, dstsz);
}

const char *
objargs_sock_type(uint16_t t, char *dst, size_t dstsz)
{
	return oa_lookup(oa_sock_types, OA_NELEM(oa_sock_types), t, dst,
	    dstsz);
}

const char *
objargs_ipproto(uint16_t p, char *dst, size_t dstsz)
{
	size_t	 i;

	for (i = 0; i < OA_NELEM(oa_protos); i++)
		if (oa_protos[i].num == p)
			return oa_protos[i].name;
	return oa_num(p, dst, dstsz);
}

const char *
objargs_tcp_state(uint8_t s, char *dst, size_t dstsz)
{
	return oa_lookup(oa_tcp_states, OA_NELEM(oa_tcp_states), s, dst,
	    dstsz);
}

const char *
objargs_prog_type(uint32_t t, char *dst, size_t dstsz)
{
	return oa_lookup(oa_prog_types, OA_NELEM(oa_prog_types), t, dst,
	    dstsz);
}

const char *
objargs_map_type(uint32_t t, char *dst, size_t dstsz)
{
	return oa_lookup(oa_map_types, OA_NELEM(oa_map_types), t, dst, dstsz);
}

const char *
objargs_perf_type(uint32_t t, char *dst, size_t dstsz)
{
	return oa_lookup(oa_perf_types, OA_NELEM(oa_perf_types), t, dst,
	    dstsz);
}

/* One rwx triad; special: the setuid/setgid/sticky bit of the triad,
 * shown in the x position as s/t (x set) or S/T (x clear). */
static void
oa_triad(char *p, uint32_t bits, int special, char sp)
{
	p[0] = (bits & 4) ? 'r' : '-';
	p[1] = (bits & 2) ? 'w' : '-';
	if (special)
		p[2] = (bits & 1) ? sp : (char)(sp - 'a' + 'A');
	else
		p[2] = (bits & 1) ? 'x' : '-';
}

const char *
objargs_mode(uint32_t mode, char *dst, size_t dstsz)
{
	char	 tmp[OBJARGS_MODE_MAX];
	char	*p = tmp;

	switch (mode & 0170000) {	/* S_IFMT */
	case 0140000:
		*p++ = 's';
		break;
	case 0120000:
		*p++ = 'l';
		break;
	case 0100000:
		*p++ = '-';
		break;
	case 0060000:
		*p++ = 'b';
		break;
	case 0040000:
		*p++ = 'd';
		break;
	case 0020000:
		*p++ = 'c';
		break;
	case 0010000:
		*p++ = 'p';
		break;
	default:	/* unknown type: no letter (Tetragon) */
		break;
	}
	oa_triad(p, (mode >> 6) & 7, (mode & 04000) != 0, 's');
	oa_triad(p + 3, (mode >> 3) & 7, (mode & 02000) != 0, 's');
	oa_triad(p + 6, mode & 7, (mode & 01000) != 0, 't');
	p[9] = '\0';
	snprintf(dst, dstsz, "%s", tmp);
	return dst;
}

/* Kernel objects (bpf/abi.h classes): those carried as their path and
 * those carried as a struct or a name. */
int
objargs_handles(uint8_t t)
{
	return abi_arg_is(t, ABI_AC_FILE) || abi_arg_is(t, ABI_AC_OBJ);
}

static int
oa_is_path(uint8_t t)
{
	return abi_arg_is(t, ABI_AC_FILE);
}

/* Size of the fixed struct of a type; 0 for byte payloads. */
static size_t
oa_struct_size(uint8_t t)
{
	switch (t) {
	case POL_ARG_CRED:
		return sizeof(struct ev_cred);
	case POL_ARG_BPF_ATTR:
	case POL_ARG_BPF_PROG:
		return sizeof(struct ev_bpf_prog);
	case POL_ARG_BPF_MAP:
		return sizeof(struct ev_bpf_map);
	case POL_ARG_PERF_EVENT:
		return sizeof(struct ev_perf_event);
	case POL_ARG_SOCK:
	case POL_ARG_SOCKET:
		return sizeof(struct ev_sock);
	case POL_ARG_SKB:
		return sizeof(struct ev_skb);
	default:
		return 0;
	}
}

static const char *
oa_type_name(uint8_t t)
{
	switch (t) {
	case POL_ARG_FILE:
		return "file";
	case POL_ARG_PATH:
		return "path";
	case POL_ARG_DENTRY:
		return "dentry";
	case POL_ARG_LINUX_BINPRM:
		return "linux_binprm";
	case POL_ARG_CRED:
		return "cred";
	case POL_ARG_BPF_ATTR:
		return "bpf_attr";
	case POL_ARG_BPF_PROG:
		return "bpf_prog";
	case POL_ARG_BPF_MAP:
		return "bpf_map";
	case POL_ARG_PERF_EVENT:
		return "perf_event";
	case POL_ARG_SOCK:
		return "sock";
	case POL_ARG_SOCKET:
		return "socket";
	case POL_ARG_SKB:
		return "skb";
	case POL_ARG_MODULE:
		return "module";
	default:
		return "?";
	}
}

/* Length of a name without its trailing NULs; -1 if a NUL is inside. */
static int
oa_name_len(const uint8_t *p, size_t len, size_t *out)
{
	while (len > 0 && p[len - 1] == '\0')
		len--;
	if (len > 0 && memchr(p, '\0', len) != NULL)
		return -1;
	*out = len;
	return 0;
}

static int
oa_bad(char *why, size_t whysz, const struct dec_arg *a, const char *fmt,
    ...) __attribute__((__format__(printf, 4, 5)));

static int
oa_bad(char *why, size_t whysz, const struct dec_arg *a, const char *fmt,
    ...)
{
	char	 detail[64];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(why, whysz, "malformed %s argument: %s",
	    oa_type_name(a->type), detail);
	return ERR_PARSE;
}

int
objargs_check(const struct dec_arg *a, char *why, size_t whysz)
{
	const uint32_t	 pathaux = OA_MODE_MASK | EVA_AUX_FMODE_W;
	size_t		 want, n;

	if (whysz > 0)
		why[0] = '\0';
	if (!objargs_handles(a->type))
		return oa_bad(why, whysz, a, "type %u", a->type);
	if (a->flags & EVA_ERROR)
		return 0;
	if (a->len > 0 && a->data == NULL)
		return oa_bad(why, whysz, a, "no data");
	if (oa_is_path(a->type)) {
		if ((a->aux & ~pathaux) != 0)
			return oa_bad(why, whysz, a, "unknown aux bits 0x%08"
			    PRIx32, a->aux & ~pathaux);
		if (oa_name_len(a->data, a->len, &n) != 0)
			return oa_bad(why, whysz, a, "NUL inside the path");
		return 0;
	}
	if (a->type == POL_ARG_MODULE) {
		if ((a->aux & OA_MOD_RESERVED) != 0)
			return oa_bad(why, whysz, a, "unknown aux bits 0x%08"
			    PRIx32, a->aux & OA_MOD_RESERVED);
		if (oa_name_len(a->data, a->len, &n) != 0)
			return oa_bad(why, whysz, a, "NUL inside the name");
		if (n > OBJARGS_MODNAME_MAX)
			return oa_bad(why, whysz, a, "name of %zu bytes, at "
			    "most %d", n, OBJARGS_MODNAME_MAX);
		return 0;
	}
	want = oa_struct_size(a->type);
	if (a->flags & EVA_TRUNC)
		return oa_bad(why, whysz, a, "truncated");
	if (a->type == POL_ARG_PERF_EVENT) {
		if (a->len < want)
			return oa_bad(why, whysz, a, "%zu bytes, expected at "
			    "least %zu", a->len, want);
		if (oa_name_len(a->data + want, a->len - want, &n) != 0)
			return oa_bad(why, whysz, a, "NUL inside the function"
			    " name");
		return 0;
	}
	if (a->len != want)
		return oa_bad(why, whysz, a, "%zu bytes, expected %zu",
		    a->len, want);
	return 0;
}

static void
oa_strn(struct jsonw *w, const char *key, const void *s, size_t len)
{
	if (len > 0)
		jw_kstrn(w, key, s, len);
}

/* uint32: a number, omitted when 0 (protojson) */
static void
oa_u32(struct jsonw *w, const char *key, uint32_t v)
{
	if (v != 0)
		jw_kuint(w, key, v);
}

/* uint64: a string, omitted when 0 */
static void
oa_u64(struct jsonw *w, const char *key, uint64_t v)
{
	if (v == 0)
		return;
	jw_key(w, key);
	jw_uint_str(w, v);
}

static const char *
oa_path_flags(const struct dec_arg *a)
{
	int	 trunc = (a->flags & EVA_TRUNC) != 0;
	int	 wr = (a->aux & EVA_AUX_FMODE_W) != 0;

	if (trunc && wr)
		return "unresolvedPathComponents FMODE_WRITE";
	if (trunc)
		return "unresolvedPathComponents";
	if (wr)
		return "FMODE_WRITE";
	return "";
}

static void
oa_json_path(struct jsonw *w, const struct dec_arg *a)
{
	const char	*key;
	char		 mode[OBJARGS_MODE_MAX];
	size_t		 n = 0;

	switch (a->type) {
	case POL_ARG_FILE:
		key = "file_arg";
		break;
	case POL_ARG_LINUX_BINPRM:
		key = "linux_binprm_arg";
		break;
	default:
		key = "path_arg";
		break;
	}
	(void)oa_name_len(a->data, a->len, &n);		/* checked */
	jw_kobj(w, key);
	oa_strn(w, "path", a->data, n);
	jw_kstr_opt(w, "flags", oa_path_flags(a));
	if ((a->aux & OA_MODE_MASK) != 0)
		jw_kstr_opt(w, "permission", objargs_mode(a->aux &
		    OA_MODE_MASK, mode, sizeof(mode)));
	jw_end(w);
}

/* A repeated enum of a bit mask: names[bit], or the enum value val(bit)
 * as a number for bits without a name.  Omitted when no bit is set. */
static void
oa_bits(struct jsonw *w, const char *key, uint64_t mask,
    const char *const *names, size_t nnames, int value_is_bit)
{
	unsigned int	 b;

	if (mask == 0)
		return;
	jw_karr(w, key);
	for (b = 0; b < 64; b++) {
		if (!(mask & (1ULL << b)))
			continue;
		if (b < nnames && names[b] != NULL)
			jw_str(w, names[b]);
		else if (value_is_bit)
			jw_uint(w, (uint64_t)1 << b);
		else
			jw_uint(w, b);
	}
	jw_end(w);
}

/* Capability list (CapabilitiesType: value = capability number). */
static void
oa_caps_list(struct jsonw *w, const char *key, uint64_t mask)
{
	const char	*names[OA_NCAPS];
	size_t		 i;

	for (i = 0; i < OA_NCAPS; i++)
		names[i] = pol_cap_name((unsigned int)i);
	names[1] = OA_ENUM_DAC_OVERRIDE;
	oa_bits(w, key, mask, names, OA_NELEM(names), 0);
}

static void
oa_json_cred(struct jsonw *w, const struct dec_arg *a)
{
	struct ev_cred	 c;

	memcpy(&c, a->data, sizeof(c));
	jw_kobj(w, "process_credentials_arg");
	/* UInt32Value wrappers: always present */
	jw_kuint(w, "uid", c.uid);
	jw_kuint(w, "gid", c.gid);
	jw_kuint(w, "euid", c.euid);
	jw_kuint(w, "egid", c.egid);
	jw_kuint(w, "suid", c.suid);
	jw_kuint(w, "sgid", c.sgid);
	jw_kuint(w, "fsuid", c.fsuid);
	jw_kuint(w, "fsgid", c.fsgid);
	oa_bits(w, "securebits", c.securebits, oa_secbits,
	    OA_NELEM(oa_secbits), 1);
	jw_kobj(w, "caps");
	oa_caps_list(w, "permitted", c.cap_permitted);
	oa_caps_list(w, "effective", c.cap_effective);
	oa_caps_list(w, "inheritable", c.cap_inheritable);
	jw_end(w);
	jw_kobj(w, "user_ns");
	jw_kint(w, "level", (int32_t)c.ns_level);	/* Int32Value */
	jw_kuint(w, "uid", c.ns_owner);
	jw_kobj(w, "ns");
	oa_u32(w, "inum", c.ns_inum);
	if (c.ns_level == OA_USER_NS_HOST)
		jw_kbool(w, "is_host", 1);
	jw_end(w);
	jw_end(w);
	jw_end(w);
}

static size_t
oa_objname_len(const char *name, size_t max)
{
	const char	*z = memchr(name, '\0', max);

	return z != NULL ? (size_t)(z - name) : max;
}

static void
oa_json_bpf_prog(struct jsonw *w, const struct dec_arg *a)
{
	struct ev_bpf_prog	 p;
	char			 num[OBJARGS_NAME_MAX];

	memcpy(&p, a->data, sizeof(p));
	jw_kobj(w, a->type == POL_ARG_BPF_ATTR ? "bpf_attr_arg" :
	    "bpf_prog_arg");
	jw_kstr_opt(w, "ProgType", objargs_prog_type(p.prog_type, num,
	    sizeof(num)));
	oa_u32(w, "InsnCnt", p.insn_cnt);
	oa_strn(w, "ProgName", p.name, oa_objname_len(p.name,
	    sizeof(p.name)));
	jw_end(w);
}

static void
oa_json_bpf_map(struct jsonw *w, const struct dec_arg *a)
{
	struct ev_bpf_map	 m;
	char			 num[OBJARGS_NAME_MAX];

	memcpy(&m, a->data, sizeof(m));
	jw_kobj(w, "bpf_map_arg");
	jw_kstr_opt(w, "MapType", objargs_map_type(m.map_type, num,
	    sizeof(num)));
	oa_u32(w, "KeySize", m.key_size);
	oa_u32(w, "ValueSize", m.value_size);
	oa_u32(w, "MaxEntries", m.max_entries);
	oa_strn(w, "MapName", m.name, oa_objname_len(m.name,
	    sizeof(m.name)));
	jw_end(w);
}

static void
oa_json_perf(struct jsonw *w, const struct dec_arg *a)
{
	struct ev_perf_event	 p;
	char			 num[OBJARGS_NAME_MAX];
	size_t			 n = 0;

	memcpy(&p, a->data, sizeof(p));
	(void)oa_name_len(a->data + sizeof(p), a->len - sizeof(p), &n);
	jw_kobj(w, "perf_event_arg");
	oa_strn(w, "KprobeFunc", a->data + sizeof(p), n);
	jw_kstr_opt(w, "Type", objargs_perf_type(p.type, num, sizeof(num)));
	oa_u64(w, "Config", p.config);
	oa_u64(w, "ProbeOffset", p.probe_offset);
	jw_end(w);
}

static int
oa_is_inet(uint16_t family)
{
	return family == AF_INET || family == AF_INET6;
}

/* Address of an INET/INET6 family into dst; "" for other families. */
static const char *
oa_addr(uint16_t family, const uint8_t *addr, char *dst, size_t dstsz)
{
	dst[0] = '\0';
	if (family == AF_INET)
		inet_ntop(AF_INET, addr, dst, (socklen_t)dstsz);
	else if (family == AF_INET6)
		inet_ntop(AF_INET6, addr, dst, (socklen_t)dstsz);
	return dst;
}

static void
oa_json_sock(struct jsonw *w, const struct dec_arg *a)
{
	struct ev_sock	 s;
	char		 num[OBJARGS_NAME_MAX], addr[INET6_ADDRSTRLEN];

	memcpy(&s, a->data, sizeof(s));
	jw_kobj(w, "sock_arg");
	/* family, type, protocol and state are always named (Tetragon) */
	jw_kstr(w, "family", objargs_family(s.family, num, sizeof(num)));
	jw_kstr(w, "type", objargs_sock_type(s.type, num, sizeof(num)));
	jw_kstr(w, "protocol", objargs_ipproto(s.protocol, num,
	    sizeof(num)));
	oa_u32(w, "mark", s.mark);
	oa_u32(w, "priority", s.priority);
	jw_kstr_opt(w, "saddr", oa_addr(s.family, s.saddr, addr, sizeof(addr)));
	jw_kstr_opt(w, "daddr", oa_addr(s.family, s.daddr, addr, sizeof(addr)));
	oa_u32(w, "sport", s.sport);
	oa_u32(w, "dport", s.dport);
	oa_u64(w, "cookie", s.cookie);
	jw_kstr(w, "state", objargs_tcp_state(s.state, num, sizeof(num)));
	jw_end(w);
}

static void
oa_json_skb(struct jsonw *w, const struct dec_arg *a)
{
	struct ev_skb	 k;
	char		 num[OBJARGS_NAME_MAX], addr[INET6_ADDRSTRLEN];

	memcpy(&k, a->data, sizeof(k));
	jw_kobj(w, "skb_arg");
	oa_u32(w, "hash", k.hash);
	oa_u32(w, "len", k.len);
	oa_u32(w, "priority", k.priority);
	oa_u32(w, "mark", k.mark);
	jw_kstr_opt(w, "saddr", oa_addr(k.family, k.saddr, addr, sizeof(addr)));
	jw_kstr_opt(w, "daddr", oa_addr(k.family, k.daddr, addr, sizeof(addr)));
	oa_u32(w, "sport", k.sport);
	oa_u32(w, "dport", k.dport);
	oa_u32(w, "proto", k.proto);
	oa_u32(w, "sec_path_len", k.sec_path_len);
	oa_u32(w, "sec_path_olen", k.sec_path_olen);
	jw_kstr(w, "protocol", objargs_ipproto(k.proto, num, sizeof(num)));
	jw_kstr(w, "family", objargs_family(k.family, num, sizeof(num)));
	jw_end(w);
}

static void
oa_json_module(struct jsonw *w, const struct dec_arg *a)
{
	size_t		 n = 0;

	(void)oa_name_len(a->data, a->len, &n);
	jw_kobj(w, "module_arg");
	oa_strn(w, "name", a->data, n);
	/* BoolValue: always present */
	jw_kbool(w, "signature_ok", (a->aux & EVA_AUX_MOD_SIG_OK) != 0);
	oa_bits(w, "tainted", a->aux >> OA_MOD_TAINT_SHIFT, oa_taints,
	    OA_NELEM(oa_taints), 1);
	jw_end(w);
}

int
objargs_json(struct jsonw *w, const struct dec_arg *a, char *why,
    size_t whysz)
{
	int	 r;

	if ((r = objargs_check(a, why, whysz)) != 0)
		return r;
	if (a->flags & EVA_ERROR)	/* the caller renders read errors */
		return oa_bad(why, whysz, a, "read error");
	switch (a->type) {
	case POL_ARG_CRED:
		oa_json_cred(w, a);
		break;
	case POL_ARG_BPF_ATTR:
	case POL_ARG_BPF_PROG:
		oa_json_bpf_prog(w, a);
		break;
	case POL_ARG_BPF_MAP:
		oa_json_bpf_map(w, a);
		break;
	case POL_ARG_PERF_EVENT:
		oa_json_perf(w, a);
		break;
	case POL_ARG_SOCK:
	case POL_ARG_SOCKET:
		oa_json_sock(w, a);
		break;
	case POL_ARG_SKB:
		oa_json_skb(w, a);
		break;
	case POL_ARG_MODULE:
		oa_json_module(w, a);
		break;
	default:	/* file, path, dentry, linux_binprm */
		oa_json_path(w, a);
		break;
	}
	return 0;
}

static void
oa_esc(struct sbuf *sb, const void *p, size_t len)
{
	size_t	 cap = len * 4 + 1;
	char	*tmp = xmalloc(cap);

	str_escape(tmp, cap, p, len);
	sbuf_adds(sb, tmp);
	free(tmp);
}

/* "addr:port" / "[addr6]:port" (port omitted when 0) */
static void
oa_compact_ep(struct sbuf *sb, uint16_t family, const uint8_t *addr,
    uint16_t port)
{
	char	 buf[INET6_ADDRSTRLEN];

	oa_addr(family, addr, buf, sizeof(buf));
	if (family == AF_INET6)
		sbuf_addf(sb, "[%s]", buf);
	else
		sbuf_adds(sb, buf);
	if (port != 0)
		sbuf_addf(sb, ":%u", port);
}

void
objargs_compact(struct sbuf *sb, const struct dec_arg *a)
{
	struct ev_cred		 c;
	struct ev_bpf_prog	 p;
	struct ev_bpf_map	 m;
	struct ev_perf_event	 pe;
	struct ev_sock		 s;
	struct ev_skb		 k;
	char			 why[OBJARGS_WHY_MAX], num[OBJARGS_NAME_MAX];
	size_t			 n = 0;

	if ((a->flags & EVA_ERROR) || objargs_check(a, why, sizeof(why)) != 0) {
		sbuf_adds(sb, "?");
		return;
	}
	switch (a->type) {
	case POL_ARG_CRED:
		memcpy(&c, a->data, sizeof(c));
		sbuf_addf(sb, "uid=%" PRIu32 ",euid=%" PRIu32 ",gid=%" PRIu32
		    ",egid=%" PRIu32 ",cap_effective=" OA_COMPACT_CAPS,
		    c.uid, c.euid, c.gid, c.egid, (uint64_t)c.cap_effective);
		break;
	case POL_ARG_BPF_ATTR:
	case POL_ARG_BPF_PROG:
		memcpy(&p, a->data, sizeof(p));
		sbuf_adds(sb, objargs_prog_type(p.prog_type, num,
		    sizeof(num)));
		sbuf_adds(sb, ",name=");
		oa_esc(sb, p.name, oa_objname_len(p.name, sizeof(p.name)));
		sbuf_addf(sb, ",insns=%" PRIu32, p.insn_cnt);
		break;
	case POL_ARG_BPF_MAP:
		memcpy(&m, a->data, sizeof(m));
		sbuf_adds(sb, objargs_map_type(m.map_type, num, sizeof(num)));
		sbuf_adds(sb, ",name=");
		oa_esc(sb, m.name, oa_objname_len(m.name, sizeof(m.name)));
		sbuf_addf(sb, ",key=%" PRIu32 ",value=%" PRIu32 ",max=%"
		    PRIu32, m.key_size, m.value_size, m.max_entries);
		break;
	case POL_ARG_PERF_EVENT:
		memcpy(&pe, a->data, sizeof(pe));
		(void)oa_name_len(a->data + sizeof(pe), a->len - sizeof(pe),
		    &n);
		sbuf_adds(sb, objargs_perf_type(pe.type, num, sizeof(num)));
		if (n > 0) {
			sbuf_adds(sb, ",func=");
			oa_esc(sb, a->data + sizeof(pe), n);
			if (pe.probe_offset != 0)
				sbuf_addf(sb, "+%" PRIu64,
				    (uint64_t)pe.probe_offset);
		} else
			sbuf_addf(sb, ",config=%" PRIu64,
			    (uint64_t)pe.config);
		break;
	case POL_ARG_SOCK:
	case POL_ARG_SOCKET:
		memcpy(&s, a->data, sizeof(s));
		if (!oa_is_inet(s.family)) {
			sbuf_adds(sb, objargs_family(s.family, num,
			    sizeof(num)));
			break;
		}
		sbuf_adds(sb, objargs_ipproto(s.protocol, num, sizeof(num)));
		sbuf_addc(sb, ',');
		oa_compact_ep(sb, s.family, s.saddr, s.sport);
		sbuf_adds(sb, "->");
		oa_compact_ep(sb, s.family, s.daddr, s.dport);
		if (s.state != 0) {
			sbuf_addc(sb, ',');
			sbuf_adds(sb, objargs_tcp_state(s.state, num,
			    sizeof(num)));
		}
		break;
	case POL_ARG_SKB:
		memcpy(&k, a->data, sizeof(k));
		if (oa_is_inet(k.family)) {
			sbuf_adds(sb, objargs_ipproto(k.proto, num,
			    sizeof(num)));
			sbuf_addc(sb, ',');
			oa_compact_ep(sb, k.family, k.saddr, k.sport);
			sbuf_adds(sb, "->");
			oa_compact_ep(sb, k.family, k.daddr, k.dport);
		} else
			sbuf_adds(sb, objargs_family(k.family, num,
			    sizeof(num)));
		sbuf_addf(sb, ",len=%" PRIu32, k.len);
		break;
	case POL_ARG_MODULE:
		(void)oa_name_len(a->data, a->len, &n);
		oa_esc(sb, a->data, n);
		sbuf_addf(sb, ",sig_ok=%u", (a->aux & EVA_AUX_MOD_SIG_OK) ?
		    1U : 0U);
		if ((a->aux >> OA_MOD_TAINT_SHIFT) != 0)
			sbuf_addf(sb, ",taints=0x%" PRIx32,
			    a->aux >> OA_MOD_TAINT_SHIFT);
		break;
	default:	/* paths */
		(void)oa_name_len(a->data, a->len, &n);
		if (n == 0)
			sbuf_adds(sb, "\"\"");
		else
			oa_esc(sb, a->data, n);
		break;
	}
}
