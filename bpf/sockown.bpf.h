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
 * sockown_listen	hash (netns inode, local port) -> listener address and
 *		owner: TCP listeners of the implicit tracking (kernels
 *		without kprobes, bpf/net.bpf.c sockown_sockops).  A socket
 *		an event names that is not in sockown, is TCP and has the
 *		local port of a listener in its netns is that listener's
 *		accepted child: it is tracked with the listener's owner
 *		(SOCKOWN_F_INHERIT) the first time a hook sees it
 *		(sockown_find).
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

struct sockown_lkey {
	__u32	netns;		/* inode of the network namespace */
	__u32	port;		/* local port, host order */
};

struct sockown_lval {
	__u64	sk;		/* the listening socket */
	struct sock_owner o;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SOCKOWN_LISTEN_ENTRIES);
	__type(key, struct sockown_lkey);
	__type(value, struct sockown_lval);
} sockown_listen SEC(".maps");

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

/* tgid << 32 | pid of the current task, read from the task */
static __always_inline __u64
sockown_task_pt(void)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	return ((__u64)BPF_CORE_READ(t, tgid) << 32) |
	    (__u32)BPF_CORE_READ(t, pid);
}

/* o = the current process (its image and parent; pt: its
 * bpf_get_current_pid_tgid(), which sockops programs do not have on 6.1:
 * they pass sockown_task_pt()), with flags. */
static __always_inline void
sockown_self(struct sock_owner *o, __u32 flags, __u64 pt)
{
	struct task_struct *t = (void *)bpf_get_current_task(), *rp;
	__u32 ppid;

	task_key(&o->key, t, pt >> 32);
	rp = BPF_CORE_READ(t, real_parent);
	ppid = BPF_CORE_READ(rp, tgid);
	task_key(&o->parent, rp, ppid);
	o->tid = (__u32)pt;
	o->flags = flags;
}

/* The sockown_listen key of the socket at sk (its netns and local port);
 * -1 if it has no local port. */
static __always_inline int
sockown_lkey_of(struct sockown_lkey *k, __u64 sk)
{
	struct sock *s = (void *)sk;

	k->netns = BPF_CORE_READ(s, __sk_common.skc_net.net, ns.inum);
	k->port = BPF_CORE_READ(s, __sk_common.skc_num);
	return k->port == 0 ? -1 : 0;
}

/* Forget the listener at sk (it is being destroyed). */
static __always_inline void
sockown_listen_del(__u64 sk)
{
	struct sockown_lkey k;
	struct sockown_lval *v;

	if (sk == 0 || sockown_lkey_of(&k, sk) != 0)
		return;
	v = bpf_map_lookup_elem(&sockown_listen, &k);
	if (v != NULL && v->sk == sk)
		bpf_map_delete_elem(&sockown_listen, &k);
}

/*
 * The owner of the socket at sk: its sockown entry, or for an untracked
 * TCP socket whose local port is a tracked listener's in the same netns
 * (an accepted child) the listener's owner, tracked for sk from now on
 * (SOCKOWN_F_INHERIT).  NULL if neither.
 */
static __always_inline struct sock_owner *
sockown_find(__u64 sk)
{
	struct sock_owner *o = sockown_get(sk), c;
	struct sockown_lkey k;
	struct sockown_lval *v;

	if (o != NULL || sk == 0)
		return o;
	if (BPF_CORE_READ((struct sock *)sk, sk_protocol) != 6 ||
	    sockown_lkey_of(&k, sk) != 0)
		return NULL;
	v = bpf_map_lookup_elem(&sockown_listen, &k);
	if (v == NULL || v->sk == sk)
		return NULL;
	__builtin_memcpy(&c, &v->o, sizeof(c));
	c.flags = SOCKOWN_F_INHERIT;
	if (sockown_put(sk, &c) != 0)
		return NULL;
	return sockown_get(sk);
}

#endif /* TRIPLINE_SOCKOWN_BPF_H */
