/*
 * bpf/events.h -- the one ABI between the BPF programs and user space.
 *
 * Every record in the ring buffer starts with struct ev_hdr.  Records are
 * variable-sized: a fixed part followed by a payload of strings whose
 * lengths are given in the fixed part.  User space (collectord/decode.c)
 * never trusts these lengths: it checks every one against the record size.
 *
 * Only fixed-width types.  Values of enum ev_type are never reused.
 */
#ifndef TRIPLINE_BPF_EVENTS_H
#define TRIPLINE_BPF_EVENTS_H

#ifdef __BPF__
/* vmlinux.h provides __u8 .. __u64 */
#else
#include <linux/types.h>
#endif

#define EV_ABI_VERSION 1

enum ev_type {
	EV_EXEC = 1,	/* struct ev_exec: a process image started (execve) */
	EV_FORK = 2,	/* struct ev_fork: a new thread group (clone w/o thread) */
	EV_EXIT = 3,	/* struct ev_exit: last thread of a thread group exited */
	/* 4..99 reserved for process lifecycle; 100+ for policy hooks */
	EV_GENERIC = 100,	/* struct ev_generic: a policy hook fired */
};

/* Limits of the payload strings (bytes, including any NUL). */
#define EV_PATH_MAX	1024	/* binary path and cwd, each */
#define EV_ARGS_MAX	4096	/* argv, NUL separated, argv[0] included */
#define EV_EXEC_MAX	(EV_PATH_MAX * 2 + EV_ARGS_MAX)

/* ev_exec.flags (and process flags in user space) */
#define EVF_TRUNC_FILENAME	0x0001	/* binary path was cut at EV_PATH_MAX */
#define EVF_TRUNC_ARGS		0x0002	/* argv was cut at EV_ARGS_MAX */
#define EVF_TRUNC_CWD		0x0004	/* cwd walk hit depth/size limit */
#define EVF_ERR_FILENAME	0x0008	/* could not read the binary path */
#define EVF_ERR_ARGS		0x0010	/* could not read argv */
#define EVF_ERR_CWD		0x0020	/* could not read cwd */
#define EVF_ROOTCWD		0x0040	/* cwd is "/" */
#define EVF_PARENT_MISS		0x0080	/* parent not in exec map: parent
					   ktime derived from start_boottime */
#define EVF_SELF_MISS		0x0100	/* (exit) process not in exec map:
					   ktime derived from start_boottime */

struct ev_hdr {
	__u16 type;		/* enum ev_type */
	__u16 version;		/* EV_ABI_VERSION */
	__u32 size;		/* total record size in bytes, header included */
	__u64 time_ns;		/* bpf_ktime_get_boot_ns() at the event */
};

/* Identity of a process image: what exec_id is made of ("node:ktime:pid"). */
struct ev_key {
	__u32 pid;		/* thread group id */
	__u32 pad;
	__u64 ktime;		/* ns since boot: exec time, or fork time for
				   a clone, or start_boottime rounded to clock
				   ticks for a process seen only via /proc */
};

struct ev_exec {
	struct ev_hdr hdr;
	struct ev_key key;
	struct ev_key parent;
	__u32 tid;
	__u32 ppid;
	__u32 uid;		/* real uid */
	__u32 euid;
	__u32 gid;
	__u32 egid;
	__u32 auid;		/* loginuid, 4294967295 if unset */
	__u32 flags;		/* EVF_* */
	__u16 filename_len;	/* bytes of binary path, no NUL */
	__u16 args_len;		/* bytes of argv block (NUL separated) */
	__u16 cwd_len;		/* bytes of cwd, no NUL */
	__u16 pad;
	/* followed by: filename[filename_len] args[args_len] cwd[cwd_len] */
};
/*
 * ev_exec payload, as produced by bpf/process.bpf.c:
 * - filename: absolute path of the executed file (mm->exe_file: symlinks
 *   resolved, relative exec paths made absolute) as seen from the task's
 *   root; 1..EV_PATH_MAX bytes, no NUL.  With EVF_TRUNC_FILENAME it is the
 *   tail of the path that fit (still starting with '/'); with
 *   EVF_ERR_FILENAME it is empty.
 * - args: the argv block exactly as in the process's memory
 *   (mm->arg_start..arg_end), argv[0] included, each argument ended by its
 *   NUL, including the final one: "sh\0-c\0exit 3\0" is 13 bytes.  An
 *   empty block means argc == 0.  With EVF_TRUNC_ARGS the block was cut at
 *   EV_ARGS_MAX bytes (no final NUL guaranteed); with EVF_ERR_ARGS it is
 *   empty.
 * - cwd: like filename, 1..EV_PATH_MAX bytes, no NUL; EVF_ROOTCWD when it
 *   is exactly "/"; EVF_TRUNC_CWD / EVF_ERR_CWD as for filename.
 */

struct ev_fork {
	struct ev_hdr hdr;
	struct ev_key key;	/* the child: pid = child tgid, ktime = now */
	struct ev_key parent;	/* the parent process's current image */
	__u32 tid;
	__u32 ppid;		/* tgid of the cloning process (= parent.pid,
				   also with CLONE_PARENT) */
};

struct ev_exit {
	struct ev_hdr hdr;
	struct ev_key key;
	__u32 tid;
	__u32 ppid;
	__u32 code;		/* exit status (0..255) */
	__u32 signal;		/* terminating signal number, 0 if none */
	__u32 flags;		/* EVF_* */
	__u32 pad;
};

#ifndef __BPF__
_Static_assert(sizeof(struct ev_hdr) == 16, "ev_hdr ABI");
_Static_assert(sizeof(struct ev_key) == 16, "ev_key ABI");
_Static_assert(sizeof(struct ev_exec) == 88, "ev_exec ABI");
_Static_assert(sizeof(struct ev_fork) == 56, "ev_fork ABI");
_Static_assert(sizeof(struct ev_exit) == 56, "ev_exit ABI");
#endif

/*
 * EV_GENERIC: a policy hook (bpf/hook.h) matched.  Followed by nargs
 * arguments, each a struct ev_arg and then ev_arg.len bytes, the next one
 * starting at the following 8-byte boundary.  hdr.size covers everything.
 * The hook id + gen name the hook; loaderd tells collectord what each id
 * means (IPC_COLLECT_HOOK) before it enables the hook.
 */
#define EVG_F_RETURN	0x0001	/* ret is valid (emitted at exit) */
#define EVG_F_MONITOR	0x0002	/* policy-mode monitor: `would` lists the
				   enforcement actions that did NOT run */
#define EVG_F_PARENT_MISS 0x0004 /* parent key derived (see EVF_PARENT_MISS) */
#define EVG_F_SELF_MISS	0x0008	/* own key derived */
#define EVG_F_SOCK_OWNER 0x0010	/* key, parent, tid: the owner of a tracked
				   socket the event is about (bpf/hook.h
				   struct sock_owner), not the task the
				   kernel ran the hook in */
#define EVG_F_LATE	0x0020	/* decided at syscall exit: an argument a
				   selector needed could not be read at
				   entry (a page the task had not touched:
				   BPF does not fault pages in) */

/* bits of ev_generic.actions / .would: 1 << enum pol_action_kind */

struct ev_generic {
	struct ev_hdr hdr;
	struct ev_key key;	/* the current process image */
	struct ev_key parent;
	__u32 tid;
	__u32 hook_id;
	__u32 gen;
	__u8  sel;		/* index of the matching selector, 0xff: none */
	__u8  nargs;
	__u16 flags;		/* EVG_F_* */
	__u32 actions;		/* actions that ran */
	__u32 would;		/* monitor mode: actions suppressed */
	__s64 ret;		/* return value (EVG_F_RETURN) */
	__u32 args_len;		/* bytes of the argument area */
	__u32 stack_len;	/* bytes of the stack area (0: none) */
};

/*
 * Stack area of an EV_GENERIC record (Post with kernelStackTrace /
 * userStackTrace): it follows the argument area at the next 8-byte
 * boundary (sizeof(struct ev_generic) + round8(args_len)) and hdr.size
 * ends with it.  struct ev_stack, then nkern kernel return addresses
 * (__u64), nuser user addresses (__u64, frame-pointer walk) and nbid
 * struct ev_stack_bid, the same user frames as build id + file offset
 * (bpf_get_stack BPF_F_USER_BUILD_ID): stack_len == sizeof(struct
 * ev_stack) + 8 * (nkern + nuser) + sizeof(struct ev_stack_bid) * nbid.
 */
#define EV_STACK_KMAX	32	/* kernel frames kept, innermost first */
#define EV_STACK_UMAX	32	/* user frames kept */

#define EVS_F_KERNEL	0x01	/* kernelStackTrace asked */
#define EVS_F_USER	0x02	/* userStackTrace asked */

struct ev_stack {
	__u8  nkern;
	__u8  nuser;
	__u8  nbid;
	__u8  flags;		/* EVS_F_* */
	__u32 pad;
};

/* struct bpf_stack_build_id */
#define EV_BID_EMPTY	0	/* no frame */
#define EV_BID_VALID	1	/* build_id + offset (file offset) */
#define EV_BID_IP	2	/* build id unknown: offset is the address */

struct ev_stack_bid {
	__s32 status;
	__u8  build_id[20];
	__u64 offset;
};

/* ev_arg.flags */
#define EVA_TRUNC	0x01	/* data cut at the capture limit */
#define EVA_ERROR	0x02	/* could not read the argument (len 0) */
#define EVA_RETVAL	0x04	/* this is the return value argument */
#define EVA_FAULT	0x08	/* with EVA_ERROR: user memory that could not
				   be read without faulting a page in */

/*
 * Argument payloads by type (enum pol_arg_type):
 *   integers: 8 bytes, little-endian (sign-extended for signed types)
 *   string, filename, data_loc, fd/file/path/dentry/linux_binprm (the
 *     path): the bytes, no NUL; for fd, aux = the fd number; for file,
 *     path, dentry, linux_binprm: aux = the inode's i_mode (0 if unread)
 *     | EVA_AUX_FMODE_W if the file was opened for writing
 *   char_buf, const_buf: the bytes; aux = the size the call asked for
 *   sockaddr: struct ev_sockaddr
 *   capability: 8 bytes, the capability number
 *   cred: struct ev_cred
 *   bpf_attr, bpf_prog: struct ev_bpf_prog
 *   bpf_map: struct ev_bpf_map
 *   perf_event: struct ev_perf_event, then the kprobe function name bytes
 *     (ev_arg.len - sizeof(struct ev_perf_event) of them, no NUL)
 *   sock, socket: struct ev_sock
 *   skb: struct ev_skb
 *   module (module, load_info): the module name bytes, no NUL;
 *     aux = EVA_AUX_MOD_SIG_OK if the signature was verified (load_info:
 *     sig_ok) | taint bits << 8 (module->taints, low 24 bits)
 */
#define EVA_AUX_FMODE_W		0x80000000U
#define EVA_AUX_MOD_SIG_OK	0x1U

struct ev_cred {
	__u32 uid, gid, suid, sgid, euid, egid, fsuid, fsgid;
	__u32 securebits;
	__u32 ns_level;		/* user namespace level (0: initial) */
	__u64 cap_permitted;
	__u64 cap_effective;
	__u64 cap_inheritable;
	__u32 ns_inum;		/* user namespace inode number */
	__u32 ns_owner;		/* its owner uid */
};

struct ev_bpf_prog {
	__u32 prog_type;	/* enum bpf_prog_type */
	__u32 insn_cnt;
	char  name[16];		/* BPF_OBJ_NAME_LEN, NUL padded */
};

struct ev_bpf_map {
	__u32 map_type;		/* enum bpf_map_type */
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	char  name[16];
};

struct ev_perf_event {
	__u32 type;		/* perf_event_attr.type */
	__u32 pad;
	__u64 config;
	__u64 probe_offset;	/* kprobe: offset */
};

struct ev_sock {
	__u16 family;		/* AF_* */
	__u16 type;		/* SOCK_* */
	__u16 protocol;		/* IPPROTO_* */
	__u8  state;		/* TCP_* state */
	__u8  pad;
	__u16 sport;		/* host order */
	__u16 dport;
	__u32 mark;
	__u32 priority;
	__u32 pad2;
	__u64 cookie;		/* 0 if unread */
	__u8  saddr[16];	/* network order; IPv4 in the first 4 bytes */
	__u8  daddr[16];
};

struct ev_skb {
	__u32 hash;
	__u32 len;
	__u32 priority;
	__u32 mark;
	__u16 family;		/* AF_INET / AF_INET6 from the IP header */
	__u16 sport;		/* host order */
	__u16 dport;
	__u8  proto;		/* IPPROTO_* of the transport */
	__u8  pad;
	__u32 protocol;		/* skb->protocol (ethertype, host order) */
	__u32 sec_path_len;
	__u32 sec_path_olen;
	__u32 pad2;
	__u8  saddr[16];
	__u8  daddr[16];
};
struct ev_arg {
	__u8  type;		/* enum pol_arg_type */
	__u8  flags;		/* EVA_* */
	__u16 len;		/* payload bytes that follow */
	__u32 aux;		/* per type, see above */
};

struct ev_sockaddr {
	__u16 family;		/* AF_* */
	__u16 port;		/* host order */
	__u32 pad;
	__u8  addr[16];		/* network order; IPv4 in the first 4 bytes */
};

#ifndef __BPF__
_Static_assert(sizeof(struct ev_generic) == 88, "ev_generic ABI");
_Static_assert(sizeof(struct ev_arg) == 8, "ev_arg ABI");
_Static_assert(sizeof(struct ev_stack) == 8, "ev_stack ABI");
_Static_assert(sizeof(struct ev_stack_bid) == 32, "ev_stack_bid ABI");
_Static_assert(sizeof(struct ev_sockaddr) == 24, "ev_sockaddr ABI");
_Static_assert(sizeof(struct ev_cred) == 72, "ev_cred ABI");
_Static_assert(sizeof(struct ev_bpf_prog) == 24, "ev_bpf_prog ABI");
_Static_assert(sizeof(struct ev_bpf_map) == 32, "ev_bpf_map ABI");
_Static_assert(sizeof(struct ev_perf_event) == 24, "ev_perf_event ABI");
_Static_assert(sizeof(struct ev_sock) == 64, "ev_sock ABI");
_Static_assert(sizeof(struct ev_skb) == 72, "ev_skb ABI");
#endif

/* Index of counters in the per-CPU "stats" array map (read by loaderd). */
enum ev_stat {
	EV_STAT_EMITTED = 0,	/* records written to the ring buffer */
	EV_STAT_DROPPED,	/* ring buffer full: record lost */
	EV_STAT_ERRORS,		/* other failures building a record */
	EV_STAT_SOCKOWN_FULL,	/* socket owner not tracked: sockown full */
	EV_STAT_MAX
};

#endif /* TRIPLINE_BPF_EVENTS_H */
