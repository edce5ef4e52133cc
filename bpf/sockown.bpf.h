/*
 * bpf/sockown.bpf.h -- owners of tracked sockets, shared by the generic
 * programs (bpf/generic.bpf.c) and the cgroup programs (bpf/net.bpf.c,
 * which reuses the map's fd: loaderd/net_load.c netl_from_generic).
 *
 * sockown	hash u64 (address of the struct sock) -> struct sock_owner
 *		(bpf/hook.h): the process a socket belongs to, so that an
 *		event about the socket that the kernel runs outside that
 *		process (softirq, another task) is attributed to it.
 *		Written by TrackSock (and the implicit tracking of new
 *		sockets), deleted by UntrackSock and when the socket is
 *		released.  A plain hash, not LRU: when it is full an insert
 *		fails and is counted (EV_STAT_SOCKOWN_FULL), never silently
 *		evicting another socket's owner.
 */
#ifndef TRIPLINE_SOCKOWN_BPF_H
#define TRIPLINE_SOCKOWN_BPF_H

#include "events.h"
#include "hook.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SOCKOWN_ENTRIES);
	__type(key, __u64);
	__type(value, struct sock_owner);
} sockown SEC(".maps");

/* The owner of the socket at address sk, or NULL if it is not tracked. */
static __always_inline struct sock_owner *
sockown_get(__u64 sk)
{
	if (sk == 0)
		return NULL;
	return bpf_map_lookup_elem(&sockown, &sk);
}

/* Track sk as owned by o; 0, or -1 (counted) when the map is full. */
static __always_inline int
sockown_put(__u64 sk, struct sock_owner *o)
{
	if (sk == 0)
		return -1;
	if (bpf_map_update_elem(&sockown, &sk, o, BPF_ANY) != 0) {
		stat_inc(EV_STAT_SOCKOWN_FULL);
		return -1;
	}
	return 0;
}

static __always_inline void
sockown_del(__u64 sk)
{
	if (sk != 0)
		bpf_map_delete_elem(&sockown, &sk);
}

#endif /* TRIPLINE_SOCKOWN_BPF_H */
