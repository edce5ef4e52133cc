/*
 * loaderd/net_load.h -- the cgroup sock_addr programs of bpf/net.bpf.c:
 * network policy hooks enforced at connect()/sendto() on kernels without
 * BPF LSM and bpf_override_return (loaderd/pl_net.c decides which hooks
 * go there and writes their configs; this module loads the object
 * and attaches its programs to the cgroup2 root).
 */
#ifndef TRIPLINE_NET_LOAD_H
#define TRIPLINE_NET_LOAD_H

#include <stddef.h>

struct bpf_object;
struct bpfl;
struct netl;

/*
 * The cgroup2 hierarchy's mount point, from /proc/self/mountinfo (the
 * first cgroup2 mount, preferring /sys/fs/cgroup itself).  0 with the
 * path in buf, or ERR_NOTFOUND (no cgroup2 mounted) / ERR_SYS.
 */
int	netl_cgroup2(char *buf, size_t len);

/*
 * Open and load bpf/net.bpf.c: events, execmap, stats, execbin and heap
 * are the process programs' maps (b), hooks, selectors and hook_stats the
 * generic programs' (gobj), so hook ids and records are shared.  can_signal
 * / can_retval: the kernel accepts bpf_send_signal / bpf_set_retval in
 * cgroup sock_addr programs (probed).  Nothing is attached.  0, or ERR_SYS
 * with a message in err.
 */
int	netl_open(struct netl **out, struct bpfl *b, struct bpf_object *gobj,
	    const char *cgroup, int can_signal, int can_retval, char *err,
	    size_t errlen);

/* fd of the net_hooks dispatch array (borrowed). */
int	netl_hooks_fd(struct netl *);

/* Attach program d (NET_D_*) to the cgroup2 root (no-op if attached).
 * 0 or ERR_SYS with a message in err. */
int	netl_attach(struct netl *, int d, char *err, size_t errlen);
/* Detach program d (no-op if not attached). */
void	netl_detach(struct netl *, int d);
int	netl_attached(struct netl *, int d);

/* "cgroup/connect4" ... for NET_D_*. */
const char *netl_section(int d);

/*
 * Implicit socket tracking (kernels without kprobes): attach the sockown_*
 * programs (sock_create, sock_release and sockops on the cgroup2 root,
 * raw tracepoint tcp_destroy_sock); no-op if attached.  0 or ERR_SYS with
 * a message in err (nothing left attached).
 */
int	netl_sockown_attach(struct netl *, char *err, size_t errlen);
void	netl_sockown_detach(struct netl *);
int	netl_sockown_attached(struct netl *);

/* Detach everything and free; NULL-safe. */
void	netl_free(struct netl *);

#endif
