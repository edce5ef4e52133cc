/*
 * common/policy_names.c -- name tables of the policy language: argument
 * types (every Tetragon name and alias), operators, actions, namespaces,
 * capabilities, socket constants, file types, and the x86_64 syscall table
 * (generated at build time from <asm/unistd_64.h> into
 * $(builddir)/common/syscalls_gen.h).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_int.h"

struct pol_name {
	const char	*name;
	int		 value;
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
pol_name_find(const struct pol_name *t, size_t n, const char *name,
    int icase)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (icase ? strcasecmp(t[i].name, name) == 0 :
		    strcmp(t[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

/*
 * Argument types.  The first name of each type is its canonical name
 * (policy_arg_type_name); the rest are Tetragon's aliases.
 */
static const struct pol_name pol_types[] = {
	{ "int", POL_ARG_INT }, { "sint32", POL_ARG_INT },
	{ "int32", POL_ARG_INT },
	{ "uint32", POL_ARG_UINT32 },
	{ "int64", POL_ARG_INT64 }, { "long", POL_ARG_INT64 },
	{ "sint64", POL_ARG_INT64 },
	{ "uint64", POL_ARG_UINT64 }, { "ulong", POL_ARG_UINT64 },
	{ "unsigned long", POL_ARG_UINT64 },
	{ "size_t", POL_ARG_SIZE_T },
	{ "int16", POL_ARG_INT16 }, { "sint16", POL_ARG_INT16 },
	{ "uint16", POL_ARG_UINT16 },
	{ "int8", POL_ARG_INT8 }, { "sint8", POL_ARG_INT8 },
	{ "uint8", POL_ARG_UINT8 },
	{ "string", POL_ARG_STRING },
	{ "char_buf", POL_ARG_CHAR_BUF },
	{ "char_iovec", POL_ARG_CHAR_IOVEC },
	{ "const_buf", POL_ARG_CONST_BUF },
	{ "fd", POL_ARG_FD },
	{ "file", POL_ARG_FILE },
	{ "path", POL_ARG_PATH },
	{ "dentry", POL_ARG_DENTRY },
	{ "filename", POL_ARG_FILENAME },
	{ "sockaddr", POL_ARG_SOCKADDR },
	{ "sockaddr_un", POL_ARG_SOCKADDR_UN },
	{ "sock", POL_ARG_SOCK },
	{ "socket", POL_ARG_SOCKET },
	{ "skb", POL_ARG_SKB },
	{ "cred", POL_ARG_CRED },
	{ "capability", POL_ARG_CAPABILITY },
	{ "linux_binprm", POL_ARG_LINUX_BINPRM },
	{ "bpf_attr", POL_ARG_BPF_ATTR },
	{ "bpf_prog", POL_ARG_BPF_PROG },
	{ "bpf_map", POL_ARG_BPF_MAP },
	{ "perf_event", POL_ARG_PERF_EVENT },
	{ "bpf_cmd", POL_ARG_BPF_CMD },
	{ "module", POL_ARG_MODULE }, { "load_info", POL_ARG_MODULE },
	{ "kernel_cap_t", POL_ARG_KERNEL_CAP },
	{ "cap_inheritable", POL_ARG_KERNEL_CAP },
	{ "cap_permitted", POL_ARG_KERNEL_CAP },
	{ "cap_effective", POL_ARG_KERNEL_CAP },
	{ "user_namespace", POL_ARG_USER_NS },
	{ "net_device", POL_ARG_NET_DEVICE },
	{ "syscall64", POL_ARG_SYSCALL64 },
	{ "data_loc", POL_ARG_DATA_LOC },
	{ "kiocb", POL_ARG_KIOCB },
	{ "iov_iter", POL_ARG_IOV_ITER },
	{ "nop", POL_ARG_NOP },
	{ "auto", POL_ARG_AUTO },
};

int
pol_type_lookup(const char *name, enum pol_arg_type *t, const char **written)
{
	int	 i;

	if ((i = pol_name_find(pol_types, NELEM(pol_types), name, 0)) < 0)
		return -1;
	*t = (enum pol_arg_type)pol_types[i].value;
	if (written != NULL)
		*written = pol_types[i].name;
	return 0;
}

const char *
policy_arg_type_name(enum pol_arg_type t)
{
	size_t	 i;

	for (i = 0; i < NELEM(pol_types); i++)
		if (pol_types[i].value == (int)t)
			return pol_types[i].name;
	return "none";
}

/* Operators: canonical name first, then aliases (matched ignoring case). */
static const struct pol_name pol_ops[] = {
	{ "Equal", POL_OP_EQUAL }, { "eq", POL_OP_EQUAL },
	{ "NotEqual", POL_OP_NOTEQUAL }, { "neq", POL_OP_NOTEQUAL },
	{ "Prefix", POL_OP_PREFIX }, { "NotPrefix", POL_OP_NOTPREFIX },
	{ "Postfix", POL_OP_POSTFIX }, { "NotPostfix", POL_OP_NOTPOSTFIX },
	{ "SubString", POL_OP_SUBSTRING },
	{ "SubStringIgnCase", POL_OP_SUBSTRING_IGNCASE },
	{ "SubStringIgnoreCase", POL_OP_SUBSTRING_IGNCASE },
	{ "Mask", POL_OP_MASK },
	{ "GreaterThan", POL_OP_GT }, { "GT", POL_OP_GT },
	{ "LessThan", POL_OP_LT }, { "LT", POL_OP_LT },
	{ "InRange", POL_OP_INRANGE }, { "NotInRange", POL_OP_NOTINRANGE },
	{ "InMap", POL_OP_INMAP }, { "NotInMap", POL_OP_NOTINMAP },
	{ "SAddr", POL_OP_SADDR }, { "NotSAddr", POL_OP_NOTSADDR },
	{ "DAddr", POL_OP_DADDR }, { "NotDAddr", POL_OP_NOTDADDR },
	{ "SPort", POL_OP_SPORT }, { "NotSPort", POL_OP_NOTSPORT },
	{ "DPort", POL_OP_DPORT }, { "NotDPort", POL_OP_NOTDPORT },
	{ "SPortPriv", POL_OP_SPORTPRIV },
	{ "NotSPortPriv", POL_OP_NOTSPORTPRIV },
	{ "DPortPriv", POL_OP_DPORTPRIV },
	{ "NotDPortPriv", POL_OP_NOTDPORTPRIV },
	{ "Protocol", POL_OP_PROTOCOL }, { "Family", POL_OP_FAMILY },
	{ "State", POL_OP_STATE },
	{ "FileType", POL_OP_FILETYPE }, { "NotFileType", POL_OP_NOTFILETYPE },
	{ "CapabilitiesGained", POL_OP_CAPSGAINED },
	{ "In", POL_OP_IN }, { "NotIn", POL_OP_NOTIN },
	{ "CelExpr", POL_OP_CELEXPR },
};

int
pol_op_lookup(const char *name)
{
	int	 i;

	if ((i = pol_name_find(pol_ops, NELEM(pol_ops), name, 1)) < 0)
		return -1;
	return pol_ops[i].value;
}

const char *
policy_op_name(enum pol_op op)
{
	size_t	 i;

	for (i = 0; i < NELEM(pol_ops); i++)
		if (pol_ops[i].value == (int)op)
			return pol_ops[i].name;
	return "unknown";
}

/* Actions, indexed by enum pol_action_kind. */
static const struct {
	const char	*name;
	const char	*json;
} pol_actions[POL_ACT_MAX_] = {
	[POL_ACT_POST] = { "Post", "KPROBE_ACTION_POST" },
	[POL_ACT_NOPOST] = { "NoPost", "KPROBE_ACTION_NOPOST" },
	[POL_ACT_SIGKILL] = { "Sigkill", "KPROBE_ACTION_SIGKILL" },
	[POL_ACT_SIGNAL] = { "Signal", "KPROBE_ACTION_SIGNAL" },
	[POL_ACT_OVERRIDE] = { "Override", "KPROBE_ACTION_OVERRIDE" },
	[POL_ACT_FOLLOWFD] = { "FollowFD", "KPROBE_ACTION_FOLLOWFD" },
	[POL_ACT_UNFOLLOWFD] = { "UnfollowFD", "KPROBE_ACTION_UNFOLLOWFD" },
	[POL_ACT_COPYFD] = { "CopyFD", "KPROBE_ACTION_COPYFD" },
	[POL_ACT_GETURL] = { "GetUrl", "KPROBE_ACTION_GETURL" },
	[POL_ACT_DNSLOOKUP] = { "DnsLookup", "KPROBE_ACTION_DNSLOOKUP" },
	[POL_ACT_TRACKSOCK] = { "TrackSock", "KPROBE_ACTION_TRACKSOCK" },
	[POL_ACT_UNTRACKSOCK] = { "UntrackSock",
	    "KPROBE_ACTION_UNTRACKSOCK" },
	[POL_ACT_NOTIFYENFORCER] = { "NotifyEnforcer",
	    "KPROBE_ACTION_NOTIFYENFORCER" },
	[POL_ACT_SET] = { "Set", "KPROBE_ACTION_SET" },
};

int
pol_action_lookup(const char *name)
{
	int	 i;

	for (i = POL_ACT_POST; i < POL_ACT_MAX_; i++)
		if (strcasecmp(pol_actions[i].name, name) == 0)
			return i;
	return -1;
}

const char *
policy_action_name(enum pol_action_kind k)
{
	if ((int)k <= 0 || k >= POL_ACT_MAX_)
		return "unknown";
	return pol_actions[k].name;
}

const char *
policy_action_json(enum pol_action_kind k)
{
	if ((int)k <= 0 || k >= POL_ACT_MAX_)
		return "KPROBE_ACTION_UNKNOWN";
	return pol_actions[k].json;
}

const char *
policy_hook_kind_name(enum pol_hook_kind k)
{
	switch (k) {
	case POL_HOOK_KPROBE:
		return "kprobe";
	case POL_HOOK_TRACEPOINT:
		return "tracepoint";
	case POL_HOOK_RAW_TRACEPOINT:
		return "raw_tracepoint";
	case POL_HOOK_UPROBE:
		return "uprobe";
	case POL_HOOK_LSM:
		return "lsm";
	case POL_HOOK_USDT:
		return "usdt";
	}
	return "unknown";
}

/* matchNamespaces namespace names, indexed by enum pol_ns. */
static const struct pol_name pol_nss[] = {
	{ "Uts", POL_NS_UTS }, { "Ipc", POL_NS_IPC }, { "Mnt", POL_NS_MNT },
	{ "Pid", POL_NS_PID }, { "PidForChildren", POL_NS_PID_FOR_CHILDREN },
	{ "Net", POL_NS_NET }, { "Time", POL_NS_TIME },
	{ "TimeForChildren", POL_NS_TIME_FOR_CHILDREN },
	{ "Cgroup", POL_NS_CGROUP }, { "User", POL_NS_USER },
};

int
pol_ns_lookup(const char *name)
{
	int	 i;

	if ((i = pol_name_find(pol_nss, NELEM(pol_nss), name, 1)) < 0)
		return -1;
	return pol_nss[i].value;
}

/* Capabilities (include/uapi/linux/capability.h, 6.x). */
static const char *const pol_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

const char *
pol_cap_name(unsigned int cap)
{
	return cap < NELEM(pol_caps) ? pol_caps[cap] : NULL;
}

unsigned int
pol_cap_count(void)
{
	return NELEM(pol_caps);
}

int
pol_cap_lookup(const char *name)
{
	size_t	 i;

	for (i = 0; i < NELEM(pol_caps); i++)
		if (strcasecmp(pol_caps[i], name) == 0)
			return (int)i;
	return -1;
}

/* Socket families (Family operator). */
static const struct pol_name pol_families[] = {
	{ "AF_UNSPEC", 0 }, { "AF_UNIX", 1 }, { "AF_LOCAL", 1 },
	{ "AF_INET", 2 }, { "AF_AX25", 3 }, { "AF_IPX", 4 },
	{ "AF_APPLETALK", 5 }, { "AF_NETROM", 6 }, { "AF_BRIDGE", 7 },
	{ "AF_ATMPVC", 8 }, { "AF_X25", 9 }, { "AF_INET6", 10 },
	{ "AF_ROSE", 11 }, { "AF_DECnet", 12 }, { "AF_NETBEUI", 13 },
	{ "AF_SECURITY", 14 }, { "AF_KEY", 15 }, { "AF_NETLINK", 16 },
	{ "AF_ROUTE", 16 }, { "AF_PACKET", 17 }, { "AF_ASH", 18 },
	{ "AF_ECONET", 19 }, { "AF_ATMSVC", 20 }, { "AF_RDS", 21 },
	{ "AF_SNA", 22 }, { "AF_IRDA", 23 }, { "AF_PPPOX", 24 },
	{ "AF_WANPIPE", 25 }, { "AF_LLC", 26 }, { "AF_IB", 27 },
	{ "AF_MPLS", 28 }, { "AF_CAN", 29 }, { "AF_TIPC", 30 },
	{ "AF_BLUETOOTH", 31 }, { "AF_IUCV", 32 }, { "AF_RXRPC", 33 },
	{ "AF_ISDN", 34 }, { "AF_PHONET", 35 }, { "AF_IEEE802154", 36 },
	{ "AF_CAIF", 37 }, { "AF_ALG", 38 }, { "AF_NFC", 39 },
	{ "AF_VSOCK", 40 }, { "AF_KCM", 41 }, { "AF_QIPCRTR", 42 },
	{ "AF_SMC", 43 }, { "AF_XDP", 44 }, { "AF_MCTP", 45 },
};

int
pol_family_lookup(const char *name)
{
	int	 i;

	i = pol_name_find(pol_families, NELEM(pol_families), name, 1);
	return i < 0 ? -1 : pol_families[i].value;
}

/* IP protocols (Protocol operator). */
static const struct pol_name pol_protos[] = {
	{ "IPPROTO_IP", 0 }, { "IPPROTO_ICMP", 1 }, { "IPPROTO_IGMP", 2 },
	{ "IPPROTO_IPIP", 4 }, { "IPPROTO_TCP", 6 }, { "IPPROTO_EGP", 8 },
	{ "IPPROTO_PUP", 12 }, { "IPPROTO_UDP", 17 }, { "IPPROTO_IDP", 22 },
	{ "IPPROTO_TP", 29 }, { "IPPROTO_DCCP", 33 }, { "IPPROTO_IPV6", 41 },
	{ "IPPROTO_RSVP", 46 }, { "IPPROTO_GRE", 47 }, { "IPPROTO_ESP", 50 },
	{ "IPPROTO_AH", 51 }, { "IPPROTO_ICMPV6", 58 }, { "IPPROTO_MTP", 92 },
	{ "IPPROTO_BEETPH", 94 }, { "IPPROTO_ENCAP", 98 },
	{ "IPPROTO_PIM", 103 }, { "IPPROTO_COMP", 108 },
	{ "IPPROTO_L2TP", 115 }, { "IPPROTO_SCTP", 132 },
	{ "IPPROTO_UDPLITE", 136 }, { "IPPROTO_MPLS", 137 },
	{ "IPPROTO_ETHERNET", 143 }, { "IPPROTO_RAW", 255 },
	{ "IPPROTO_SMC", 256 }, { "IPPROTO_MPTCP", 262 },
};

int
pol_proto_lookup(const char *name)
{
	int	 i;

	i = pol_name_find(pol_protos, NELEM(pol_protos), name, 1);
	return i < 0 ? -1 : pol_protos[i].value;
}

/* TCP states (State operator, include/net/tcp_states.h). */
static const struct pol_name pol_tcpstates[] = {
	{ "TCP_ESTABLISHED", 1 }, { "TCP_SYN_SENT", 2 },
	{ "TCP_SYN_RECV", 3 }, { "TCP_FIN_WAIT1", 4 },
	{ "TCP_FIN_WAIT2", 5 }, { "TCP_TIME_WAIT", 6 }, { "TCP_CLOSE", 7 },
	{ "TCP_CLOSE_WAIT", 8 }, { "TCP_LAST_ACK", 9 }, { "TCP_LISTEN", 10 },
	{ "TCP_CLOSING", 11 }, { "TCP_NEW_SYN_RECV", 12 },
	{ "TCP_BOUND_INACTIVE", 13 },
};

int
pol_tcpstate_lookup(const char *name)
{
	int	 i;

	i = pol_name_find(pol_tcpstates, NELEM(pol_tcpstates), name, 1);
	return i < 0 ? -1 : pol_tcpstates[i].value;
}

/* FileType values -> S_IFMT bits (octal, as in <sys/stat.h>). */
static const struct pol_name pol_filetypes[] = {
	{ "reg", 0100000 }, { "regular", 0100000 },
	{ "dir", 0040000 }, { "directory", 0040000 },
	{ "lnk", 0120000 }, { "link", 0120000 }, { "symlink", 0120000 },
	{ "chr", 0020000 }, { "char", 0020000 },
	{ "blk", 0060000 }, { "block", 0060000 },
	{ "fifo", 0010000 }, { "pipe", 0010000 },
	{ "sock", 0140000 }, { "socket", 0140000 },
};

int
pol_filetype_lookup(const char *name)
{
	int	 i;

	i = pol_name_find(pol_filetypes, NELEM(pol_filetypes), name, 1);
	return i < 0 ? -1 : pol_filetypes[i].value;
}

/*
 * x86_64 syscalls, sorted by number.  syscalls_gen.h is generated from
 * <asm/unistd_64.h> by common/local.mk in the build directory.
 */
static const struct {
	int		 nr;
	const char	*name;
} pol_syscalls[] = {
#include "common/syscalls_gen.h"
};

static int
pol_syscall_plain(const char *name)
{
	size_t	 i;

	for (i = 0; i < NELEM(pol_syscalls); i++)
		if (strcmp(pol_syscalls[i].name, name) == 0)
			return pol_syscalls[i].nr;
	return POL_SC_UNKNOWN;
}

/*
 * "openat", "sys_openat", "__x64_sys_openat" -> 257.  A 32-bit ABI name
 * ("__ia32_sys_dup", "__ia32_compat_sys_x", "i386/sys_dup") is
 * POL_SC_IA32, another architecture's prefix POL_SC_OTHERABI.
 */
int
pol_syscall_resolve(const char *name)
{
	static const char *const other[] = { "__arm64_", "__riscv_",
	    "__s390x_", "__s390_", "__powerpc_", "__se_", "__do_", NULL };
	size_t	 i;

	if (strncmp(name, "__ia32_", 7) == 0 || strncmp(name, "i386/", 5) == 0)
		return POL_SC_IA32;
	for (i = 0; other[i] != NULL; i++)
		if (strncmp(name, other[i], strlen(other[i])) == 0)
			return POL_SC_OTHERABI;
	if (strncmp(name, "__x64_", 6) == 0) {
		name += 6;
		if (strncmp(name, "sys_", 4) != 0)
			return POL_SC_UNKNOWN;
	}
	if (strncmp(name, "sys_", 4) == 0)
		name += 4;
	if (*name == '\0')
		return POL_SC_UNKNOWN;
	return pol_syscall_plain(name);
}

size_t
pol_syscall_count(void)
{
	return NELEM(pol_syscalls);
}

int
pol_syscall_at(size_t i, const char **name)
{
	if (i >= NELEM(pol_syscalls))
		return -1;
	if (name != NULL)
		*name = pol_syscalls[i].name;
	return pol_syscalls[i].nr;
}

int
policy_syscall_nr(const char *name)
{
	int	 nr;

	if (name == NULL)
		return -1;
	nr = pol_syscall_resolve(name);
	return nr < 0 ? -1 : nr;
}

const char *
policy_syscall_name(int nr)
{
	size_t	 i;

	for (i = 0; i < NELEM(pol_syscalls); i++)
		if (pol_syscalls[i].nr == nr)
			return pol_syscalls[i].name;
	return NULL;
}

/* CONTEXT.KEY (KEY when ctx is empty) for each key of the tables */
static void
pol_keys_emit(pol_name_fn *fn, void *arg, const struct pol_keytab *t)
{
	char	 buf[128];
	size_t	 i;

	for (; t->ctx != NULL; t++)
		for (i = 0; t->keys[i] != NULL; i++) {
			snprintf(buf, sizeof(buf), "%s%s%s", t->ctx,
			    *t->ctx ? "." : "", t->keys[i]);
			fn(arg, "key", buf);
		}
}

void
policy_names_walk(pol_name_fn *fn, void *arg)
{
	size_t	 i;

	for (i = 0; i < NELEM(pol_types); i++)
		fn(arg, "type", pol_types[i].name);
	for (i = 0; i < NELEM(pol_ops); i++)
		fn(arg, "operator", pol_ops[i].name);
	for (i = POL_ACT_POST; i < POL_ACT_MAX_; i++)
		fn(arg, "action", pol_actions[i].name);
	fn(arg, "option", "policy-mode");
	fn(arg, "option", "unreadable-args");
	for (i = 0; pol_option_noeffect[i] != NULL; i++)
		fn(arg, "option", pol_option_noeffect[i]);
	pol_keys_emit(fn, arg, pol_top_keytabs);
	pol_keys_emit(fn, arg, pol_hook_keytabs);
	pol_keys_emit(fn, arg, pol_sel_keytabs);
}
