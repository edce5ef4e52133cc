/*
 * collectord/decode.h -- validate and decode one ring buffer record.
 *
 * Records come from BPF programs but their contents (paths, argv) are
 * attacker-controlled and their lengths are never trusted: every length is
 * checked against the record size and the EV_* limits of bpf/events.h.
 */
#ifndef TRIPLINE_DECODE_H
#define TRIPLINE_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/events.h"
#include "bpf/hook.h"

/*
 * EV_GENERIC: at most HOOK_ARGS_MAX arguments plus one argument flagged
 * EVA_RETVAL (the return value, EVG_F_RETURN only), in any order.
 */
#define DEC_ARGS_MAX	(HOOK_ARGS_MAX + 1)

/* One argument of an EV_GENERIC record. */
struct dec_arg {
	uint8_t		 type;		/* enum pol_arg_type (checked known) */
	uint8_t		 flags;		/* EVA_* */
	uint32_t	 aux;		/* fd number, char_buf asked size */
	const uint8_t	*data;		/* into the record, len bytes; strings
					   have no NUL (trailing NULs cut) */
	size_t		 len;
	uint64_t	 num;		/* integer types: the 8 bytes (LE) */
};

struct dec_event {
	uint16_t	 type;		/* EV_EXEC, EV_FORK, EV_EXIT, EV_GENERIC */
	uint64_t	 time_ns;	/* boot ns of the event */
	uint32_t	 pid;		/* key.pid */
	uint64_t	 ktime;		/* key.ktime */
	uint32_t	 ppid_key;	/* parent key (exec, fork) */
	uint64_t	 pktime;
	uint32_t	 tid;
	uint32_t	 ppid;
	uint32_t	 uid, euid, gid, egid, auid;	/* exec only */
	uint32_t	 flags;		/* EVF_* (exec, exit) */
	uint32_t	 code;		/* exit only */
	uint32_t	 signal;	/* exit only */
	/* exec only: pointers into the record, NOT NUL-terminated */
	const char	*filename;
	size_t		 filename_len;
	const char	*args;		/* argv block, NUL separated */
	size_t		 args_len;
	const char	*cwd;
	size_t		 cwd_len;
	/* EV_GENERIC (key, parent key, tid above) */
	uint32_t	 hook_id;
	uint32_t	 gen;
	uint8_t		 sel;		/* < HOOK_SEL_MAX, or 0xff: none */
	uint16_t	 gflags;	/* EVG_F_* */
	uint32_t	 actions;	/* 1 << enum pol_action_kind */
	uint32_t	 would;		/* 0 unless EVG_F_MONITOR */
	int64_t		 ret;		/* EVG_F_RETURN */
	size_t		 ngargs;	/* gargs[] (EVA_RETVAL one excluded) */
	struct dec_arg	 gargs[HOOK_ARGS_MAX];
	int		 has_retarg;
	struct dec_arg	 retarg;	/* the EVA_RETVAL argument */
	/* EV_GENERIC stack area (bpf/events.h struct ev_stack): pointers
	 * into the record (read with memcpy: 8-byte frames, 32-byte
	 * struct ev_stack_bid) */
	int		 has_stack;
	uint8_t		 stk_flags;	/* EVS_F_* */
	size_t		 nkern, nuser, nbid;
	const uint8_t	*kips;		/* nkern __u64 */
	const uint8_t	*uips;		/* nuser __u64 */
	const uint8_t	*bids;		/* nbid struct ev_stack_bid */
	const char	*why;		/* on error: what was wrong (static) */
};

/*
 * Decode len bytes at rec into *ev.  EV_GENERIC records are checked
 * strictly: args_len == record size - header, every ev_arg header and
 * payload inside args_len with 8-byte alignment, nargs limits, known types,
 * flags and action bits, payload sizes per type (integers 8 bytes,
 * sockaddr 24, strings/buffers/kernel objects <= HOOK_ARG_DATA_MAX,
 * EVA_ERROR => 0); a stack area (stack_len > 0) starts at the 8-byte
 * boundary after the arguments, its counts within EV_STACK_KMAX /
 * EV_STACK_UMAX and exactly filling stack_len.
 * Pointers in *ev point into rec and are valid as long as rec is.  0, or
 * ERR_PARSE for a malformed record (ev->why says why); the caller counts
 * it and drops the record.
 */
int	decode_record(const void *rec, size_t len, struct dec_event *ev);

/* 1 if t is a value of enum pol_arg_type (what a record may carry). */
int	decode_arg_type_known(uint8_t t);
/* 1 for the integer types (8-byte payload): int..uint8, syscall64,
 * bpf_cmd, capability, kernel_cap_t. */
int	decode_arg_is_int(uint8_t t);
/*
 * What a successfully read argument of type t carries: DEC_PAY_INT (8
 * bytes), DEC_PAY_BYTES (string, path or buffer, <= HOOK_ARG_DATA_MAX;
 * linux_binprm and module included), DEC_PAY_SOCKADDR (struct
 * ev_sockaddr), DEC_PAY_OBJ (a kernel-object struct, <= HOOK_ARG_DATA_MAX
 * bytes, its layout checked when rendered: collectord/objargs.h), or
 * DEC_PAY_NONE: nothing (nop; types the generic programs cannot read come
 * with EVA_ERROR only).
 */
enum { DEC_PAY_NONE = 0, DEC_PAY_INT, DEC_PAY_BYTES, DEC_PAY_SOCKADDR,
	DEC_PAY_OBJ };
int	decode_arg_payload(uint8_t t);

/* Name of a signal ("SIGKILL", "SIGRTMIN+3") into dst; "" for 0. */
const char *decode_signame(uint32_t sig, char *dst, size_t dstsz);
#define DEC_SIGNAME_MAX	16

#endif
