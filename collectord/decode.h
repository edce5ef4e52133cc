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

struct dec_event {
	uint16_t	 type;		/* EV_EXEC, EV_FORK, EV_EXIT */
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
	const char	*why;		/* on error: what was wrong (static) */
};

/*
 * Decode len bytes at rec into *ev.  Pointers in *ev point into rec and are
 * valid as long as rec is.  0, or ERR_PARSE for a malformed record (ev->why
 * says why); the caller counts it and drops the record.
 */
int	decode_record(const void *rec, size_t len, struct dec_event *ev);

/* Name of a signal ("SIGKILL", "SIGRTMIN+3") into dst; "" for 0. */
const char *decode_signame(uint32_t sig, char *dst, size_t dstsz);
#define DEC_SIGNAME_MAX	16

#endif
