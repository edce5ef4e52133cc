/*
 * bpf/abi.h -- what the BPF programs and user space agree on about a
 * policy: the argument types, operators and actions (and the namespace,
 * capability-set and rate-limit-scope values a selector carries), the
 * engine's limits, and the class of every argument type.
 *
 * Three headers make the whole BPF<->user ABI:
 *   bpf/abi.h     values and limits (this file)
 *   bpf/hook.h    layout of the configuration maps loaderd writes
 *   bpf/events.h  layout of the ring-buffer records
 * Included by the BPF programs (through bpf/hook.h) and by user space
 * (common/policy.h, loaderd, collectord).  Plain C without includes or
 * typedefs, so it builds against vmlinux.h and the libc headers alike.
 * Values are stable: they travel in map entries and records.
 */
#ifndef TRIPLINE_BPF_ABI_H
#define TRIPLINE_BPF_ABI_H

/*
 * Engine limits: the size of the configuration entries (bpf/hook.h) and so
 * what a policy may hold (common/policy.h takes its POL_MAX_* from here).
 */
#define HOOK_MAX		128	/* hook slots */
#define HOOK_ARGS_MAX		5	/* args per hook */
#define HOOK_SEL_MAX		5	/* selectors per hook */
#define HOOK_MATCHARGS_MAX	5	/* matchArgs entries per selector */
#define HOOK_RETARGS_MAX	2	/* matchReturnArgs entries */
#define HOOK_VALUES_MAX		4	/* values per matchArgs entry */
#define HOOK_STR_MAX		256	/* bytes of a string value */
#define HOOK_STRLPM_MAX		252	/* ... in an LPM trie key (struct
					   strlpm_key) */
#define HOOK_PIDS_MAX		4	/* values per matchPIDs entry */
#define HOOK_PID_ENTRIES_MAX	2	/* matchPIDs entries per selector */
#define HOOK_BINS_MAX		4	/* values of matchBinaries */
#define HOOK_NS_MAX		4	/* matchNamespaces entries */
#define HOOK_NS_VALUES_MAX	4	/* values per matchNamespaces entry */
#define HOOK_CAPS_MAX		1	/* matchCapabilities entries */
#define HOOK_ACTIONS_MAX	3	/* matchActions per selector */
#define HOOK_PER_DISPATCH	8	/* hooks on one syscall/tracepoint */
#define HOOK_SYSCALLS_MAX	512	/* size of sys_hooks */
#define HOOK_ARG_DATA_MAX	4096	/* bytes captured per string/buffer */
#define HOOK_IOV_MAX		8	/* char_iovec: entries read */

/* Argument types (Tetragon names in comments). */
enum pol_arg_type {
	POL_ARG_NONE = 0,
	POL_ARG_INT = 1,	/* int, sint32, int32 */
	POL_ARG_UINT32,		/* uint32 */
	POL_ARG_INT64,		/* long, sint64, int64 */
	POL_ARG_UINT64,		/* ulong, uint64 */
	POL_ARG_SIZE_T,		/* size_t */
	POL_ARG_INT16,		/* sint16, int16 */
	POL_ARG_UINT16,		/* uint16 */
	POL_ARG_INT8,		/* sint8, int8 */
	POL_ARG_UINT8,		/* uint8 */
	POL_ARG_STRING = 20,	/* string */
	POL_ARG_CHAR_BUF,	/* char_buf */
	POL_ARG_CHAR_IOVEC,	/* char_iovec */
	POL_ARG_CONST_BUF,	/* const_buf */
	POL_ARG_FD,		/* fd */
	POL_ARG_FILE,		/* file (struct file *) */
	POL_ARG_PATH,		/* path (struct path *) */
	POL_ARG_DENTRY,		/* dentry */
	POL_ARG_FILENAME,	/* filename (struct filename *) */
	POL_ARG_SOCKADDR,	/* sockaddr */
	POL_ARG_SOCKADDR_UN,	/* sockaddr_un */
	POL_ARG_SOCK,		/* sock */
	POL_ARG_SOCKET,		/* socket */
	POL_ARG_SKB,		/* skb */
	POL_ARG_CRED,		/* cred */
	POL_ARG_CAPABILITY,	/* capability */
	POL_ARG_LINUX_BINPRM,	/* linux_binprm */
	POL_ARG_BPF_ATTR,	/* bpf_attr */
	POL_ARG_BPF_PROG,	/* bpf_prog */
	POL_ARG_BPF_MAP,	/* bpf_map */
	POL_ARG_PERF_EVENT,	/* perf_event */
	POL_ARG_BPF_CMD,	/* bpf_cmd */
	POL_ARG_MODULE,		/* module, load_info */
	POL_ARG_KERNEL_CAP,	/* kernel_cap_t, cap_inheritable, ... */
	POL_ARG_USER_NS,	/* user_namespace */
	POL_ARG_NET_DEVICE,	/* net_device */
	POL_ARG_SYSCALL64,	/* syscall64 */
	POL_ARG_DATA_LOC,	/* data_loc */
	POL_ARG_KIOCB,		/* kiocb */
	POL_ARG_IOV_ITER,	/* iov_iter */
	POL_ARG_NOP,		/* nop */
	POL_ARG_AUTO,		/* auto (tracepoints: from the format) */
	POL_ARG_MAX_
};

/*
 * The class of each argument type: what an argument of it is, so how it
 * is read, carried in a record (bpf/events.h, "Argument payloads by type")
 * and matched.  ONE table; everything that asks "is this type an integer,
 * a string, a kernel object ..." asks it (abi_arg_is(), abi_arg_has()).
 */
enum abi_arg_class {
	ABI_AC_NONE = 0,	/* nothing captured: nop, auto (resolved by the
				   loader), and types this engine parses but
				   cannot read (sent as EVA_ERROR) */
	ABI_AC_INT,		/* integer: 8-byte payload, integer operators */
	ABI_AC_STR,		/* text read from memory (fd: the path of the
				   open file) */
	ABI_AC_BUF,		/* bytes of a given size (char_iovec: the
				   entries' bytes, concatenated) */
	ABI_AC_FILE,		/* kernel object carried as its path */
	ABI_AC_OBJ,		/* kernel object carried as its events.h
				   struct (module: its name) */
	ABI_AC_SOCKADDR,	/* struct ev_sockaddr */
};

/* Flags of a type, besides its class */
#define ABI_AF_CINT	0x01	/* a C integer type (int .. uint8): what a
				   size argument may be */
#define ABI_AF_SIGNED	0x02	/* sign-extended to 64 bits */
#define ABI_AF_W8	0x04	/* value range of a policy value: 8 bits, */
#define ABI_AF_W16	0x08	/* 16 bits, */
#define ABI_AF_W32	0x10	/* 32 bits (none: 64) */
#define ABI_AF_STROPS	0x20	/* the string operators apply (bytes are
				   compared) */
#define ABI_AF_KPTR	0x40	/* a pointer to a kernel object: only a
				   kernel function (kprobe, LSM, fentry) or a
				   tracepoint has one */
#define ABI_AF_TEXT	0x80	/* the payload is text: no NUL inside */

#define ABI__I		ABI_AF_CINT
#define ABI__IS		(ABI_AF_CINT | ABI_AF_SIGNED)
#define ABI__S		(ABI_AF_STROPS | ABI_AF_TEXT)
#define ABI__K		ABI_AF_KPTR
/*
 * The table: X(a, type, class, flags) for every type (a is passed through
 * to X).  The type sets below are made from it.
 */
#define ABI_ARG_TYPES(X, a) \
	X(a, POL_ARG_INT,	  ABI_AC_INT,  ABI__IS | ABI_AF_W32) \
	X(a, POL_ARG_UINT32,	  ABI_AC_INT,  ABI__I | ABI_AF_W32) \
	X(a, POL_ARG_INT64,	  ABI_AC_INT,  ABI__IS) \
	X(a, POL_ARG_UINT64,	  ABI_AC_INT,  ABI__I) \
	X(a, POL_ARG_SIZE_T,	  ABI_AC_INT,  ABI__I) \
	X(a, POL_ARG_INT16,	  ABI_AC_INT,  ABI__IS | ABI_AF_W16) \
	X(a, POL_ARG_UINT16,	  ABI_AC_INT,  ABI__I | ABI_AF_W16) \
	X(a, POL_ARG_INT8,	  ABI_AC_INT,  ABI__IS | ABI_AF_W8) \
	X(a, POL_ARG_UINT8,	  ABI_AC_INT,  ABI__I | ABI_AF_W8) \
	X(a, POL_ARG_STRING,	  ABI_AC_STR,  ABI__S) \
	X(a, POL_ARG_CHAR_BUF,	  ABI_AC_BUF,  ABI_AF_STROPS) \
	X(a, POL_ARG_CHAR_IOVEC,  ABI_AC_BUF,  ABI_AF_STROPS) \
	X(a, POL_ARG_CONST_BUF,	  ABI_AC_BUF,  ABI_AF_STROPS) \
	X(a, POL_ARG_FD,	  ABI_AC_STR,  ABI__S) \
	X(a, POL_ARG_FILE,	  ABI_AC_FILE, ABI__S | ABI__K) \
	X(a, POL_ARG_PATH,	  ABI_AC_FILE, ABI__S | ABI__K) \
	X(a, POL_ARG_DENTRY,	  ABI_AC_FILE, ABI__S | ABI__K) \
	X(a, POL_ARG_FILENAME,	  ABI_AC_STR,  ABI__S | ABI__K) \
	X(a, POL_ARG_SOCKADDR,	  ABI_AC_SOCKADDR, 0) \
	X(a, POL_ARG_SOCKADDR_UN, ABI_AC_NONE, ABI_AF_STROPS) \
	X(a, POL_ARG_SOCK,	  ABI_AC_OBJ,  ABI__K) \
	X(a, POL_ARG_SOCKET,	  ABI_AC_OBJ,  ABI__K) \
	X(a, POL_ARG_SKB,	  ABI_AC_OBJ,  ABI__K) \
	X(a, POL_ARG_CRED,	  ABI_AC_OBJ,  ABI__K) \
	X(a, POL_ARG_CAPABILITY,  ABI_AC_INT,  ABI_AF_W32) \
	X(a, POL_ARG_LINUX_BINPRM, ABI_AC_FILE, ABI__S | ABI__K) \
	X(a, POL_ARG_BPF_ATTR,	  ABI_AC_OBJ,  ABI__K) \
	X(a, POL_ARG_BPF_PROG,	  ABI_AC_OBJ,  ABI__K) \
	X(a, POL_ARG_BPF_MAP,	  ABI_AC_OBJ,  ABI__K) \
	X(a, POL_ARG_PERF_EVENT,  ABI_AC_OBJ,  ABI__K) \
	X(a, POL_ARG_BPF_CMD,	  ABI_AC_INT,  ABI_AF_W32) \
	X(a, POL_ARG_MODULE,	  ABI_AC_OBJ,  ABI__S | ABI__K) \
	X(a, POL_ARG_KERNEL_CAP,  ABI_AC_INT,  ABI__K) \
	X(a, POL_ARG_USER_NS,	  ABI_AC_NONE, ABI__K) \
	X(a, POL_ARG_NET_DEVICE,  ABI_AC_NONE, ABI_AF_STROPS | ABI__K) \
	X(a, POL_ARG_SYSCALL64,	  ABI_AC_INT,  0) \
	X(a, POL_ARG_DATA_LOC,	  ABI_AC_STR,  ABI__S) \
	X(a, POL_ARG_KIOCB,	  ABI_AC_NONE, ABI_AF_STROPS | ABI__K) \
	X(a, POL_ARG_IOV_ITER,	  ABI_AC_NONE, ABI__K) \
	X(a, POL_ARG_NOP,	  ABI_AC_NONE, 0) \
	X(a, POL_ARG_AUTO,	  ABI_AC_NONE, 0)

/*
 * Sets of types as a 64-bit mask (bit = type value), built at compile
 * time from the table: cheap in BPF (no table in memory, no branch per
 * type) and in user space.
 */
#define ABI__BIT(t)		(1ULL << (t))
#define ABI__IF_CLASS(c, t, cl, f)	| ((cl) == (c) ? ABI__BIT(t) : 0ULL)
#define ABI__IF_FLAGS(m, t, cl, f)	| (((f) & (m)) ? ABI__BIT(t) : 0ULL)
#define ABI__ALL(a, t, cl, f)		| ABI__BIT(t)
/* the types of class c */
#define ABI_ARG_SET(c)		(0ULL ABI_ARG_TYPES(ABI__IF_CLASS, c))
/* the types with any of the flags m */
#define ABI_ARG_SET_F(m)	(0ULL ABI_ARG_TYPES(ABI__IF_FLAGS, m))
/* every type the table knows */
#define ABI_ARG_SET_ALL		(0ULL ABI_ARG_TYPES(ABI__ALL, 0))

_Static_assert(POL_ARG_MAX_ <= 64, "argument types fit a 64-bit set");

#ifdef __BPF__
#define ABI_INLINE	static __always_inline
#else
#define ABI_INLINE	static inline
#endif

/* type t is in set (ABI_ARG_SET / ABI_ARG_SET_F / ABI_ARG_SET_ALL) */
ABI_INLINE int
abi_arg_in(unsigned int t, unsigned long long set)
{
	return t < 64 && ((set >> t) & 1);
}

/* type t is of class c (ABI_AC_*) / has one of the flags f (ABI_AF_*) */
#define abi_arg_is(t, c)	abi_arg_in((t), ABI_ARG_SET(c))
#define abi_arg_has(t, f)	abi_arg_in((t), ABI_ARG_SET_F(f))

/* Bits of a policy value of an integer type t (8, 16, 32 or 64). */
ABI_INLINE int
abi_arg_bits(unsigned int t)
{
	return abi_arg_has(t, ABI_AF_W8) ? 8 : abi_arg_has(t, ABI_AF_W16) ?
	    16 : abi_arg_has(t, ABI_AF_W32) ? 32 : 64;
}

/* Operators of matchArgs / matchReturnArgs and of the process filters. */
enum pol_op {
	POL_OP_EQUAL = 1, POL_OP_NOTEQUAL,
	POL_OP_PREFIX, POL_OP_NOTPREFIX,
	POL_OP_POSTFIX, POL_OP_NOTPOSTFIX,
	POL_OP_SUBSTRING, POL_OP_SUBSTRING_IGNCASE,
	POL_OP_MASK,
	POL_OP_GT, POL_OP_LT,
	POL_OP_INRANGE, POL_OP_NOTINRANGE,
	POL_OP_INMAP, POL_OP_NOTINMAP,
	POL_OP_SADDR, POL_OP_NOTSADDR, POL_OP_DADDR, POL_OP_NOTDADDR,
	POL_OP_SPORT, POL_OP_NOTSPORT, POL_OP_DPORT, POL_OP_NOTDPORT,
	POL_OP_SPORTPRIV, POL_OP_NOTSPORTPRIV,
	POL_OP_DPORTPRIV, POL_OP_NOTDPORTPRIV,
	POL_OP_PROTOCOL, POL_OP_FAMILY, POL_OP_STATE,
	POL_OP_FILETYPE, POL_OP_NOTFILETYPE,
	POL_OP_CAPSGAINED,
	POL_OP_IN, POL_OP_NOTIN,	/* matchPIDs/Binaries/NS/Caps */
	POL_OP_CELEXPR,
	POL_OP_MAX_
};

/*
 * The negative operators ("not any of" the values): each is its positive
 * form + 1, so abi_op_base() needs no table.
 */
#define POL_OPS_NEG	((1ULL << POL_OP_NOTEQUAL) | \
	(1ULL << POL_OP_NOTPREFIX) | (1ULL << POL_OP_NOTPOSTFIX) | \
	(1ULL << POL_OP_NOTINRANGE) | (1ULL << POL_OP_NOTINMAP) | \
	(1ULL << POL_OP_NOTSADDR) | (1ULL << POL_OP_NOTDADDR) | \
	(1ULL << POL_OP_NOTSPORT) | (1ULL << POL_OP_NOTDPORT) | \
	(1ULL << POL_OP_NOTSPORTPRIV) | (1ULL << POL_OP_NOTDPORTPRIV) | \
	(1ULL << POL_OP_NOTFILETYPE) | (1ULL << POL_OP_NOTIN))
_Static_assert(POL_OP_MAX_ <= 64, "operators fit a 64-bit set");
_Static_assert(POL_OP_NOTEQUAL == POL_OP_EQUAL + 1 &&
    POL_OP_NOTPREFIX == POL_OP_PREFIX + 1 &&
    POL_OP_NOTPOSTFIX == POL_OP_POSTFIX + 1 &&
    POL_OP_NOTINRANGE == POL_OP_INRANGE + 1 &&
    POL_OP_NOTINMAP == POL_OP_INMAP + 1 &&
    POL_OP_NOTSADDR == POL_OP_SADDR + 1 &&
    POL_OP_NOTDADDR == POL_OP_DADDR + 1 &&
    POL_OP_NOTSPORT == POL_OP_SPORT + 1 &&
    POL_OP_NOTDPORT == POL_OP_DPORT + 1 &&
    POL_OP_NOTSPORTPRIV == POL_OP_SPORTPRIV + 1 &&
    POL_OP_NOTDPORTPRIV == POL_OP_DPORTPRIV + 1 &&
    POL_OP_NOTFILETYPE == POL_OP_FILETYPE + 1 &&
    POL_OP_NOTIN == POL_OP_IN + 1, "NotX is X + 1");

/* NotX -> X (*neg = 1), any other operator as it is (*neg = 0) */
ABI_INLINE unsigned int
abi_op_base(unsigned int op, unsigned int *neg)
{
	*neg = op < 64 && ((POL_OPS_NEG >> op) & 1);
	return op - *neg;
}

/* matchNamespaces: which namespace */
enum pol_ns {
	POL_NS_UTS = 0, POL_NS_IPC, POL_NS_MNT, POL_NS_PID,
	POL_NS_PID_FOR_CHILDREN, POL_NS_NET, POL_NS_TIME,
	POL_NS_TIME_FOR_CHILDREN, POL_NS_CGROUP, POL_NS_USER, POL_NS_MAX_
};

/* matchCapabilities: which set */
enum pol_cap_set { POL_CAP_EFFECTIVE = 0, POL_CAP_INHERITABLE,
	POL_CAP_PERMITTED };

/* matchActions; also the bits of ev_generic.actions / .would */
enum pol_action_kind {
	POL_ACT_POST = 1,
	POL_ACT_NOPOST,
	POL_ACT_SIGKILL,
	POL_ACT_SIGNAL,
	POL_ACT_OVERRIDE,
	POL_ACT_FOLLOWFD,
	POL_ACT_UNFOLLOWFD,
	POL_ACT_COPYFD,
	POL_ACT_GETURL,
	POL_ACT_DNSLOOKUP,
	POL_ACT_TRACKSOCK,
	POL_ACT_UNTRACKSOCK,
	POL_ACT_NOTIFYENFORCER,
	POL_ACT_SET,
	POL_ACT_MAX_
};

_Static_assert(POL_ACT_MAX_ <= 32, "actions fit ev_generic.actions");

/* Post rateLimitScope */
enum pol_ratelimit_scope { POL_RL_THREAD = 0, POL_RL_PROCESS, POL_RL_GLOBAL };

#endif /* TRIPLINE_BPF_ABI_H */
