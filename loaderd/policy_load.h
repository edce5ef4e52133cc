/*
 * loaderd/policy_load.h -- the policy manager: compile checked policies
 * (common/policy.h) into the generic programs' maps (bpf/hook.h), attach
 * what they need, and add, replace, delete and switch them at run time.
 *
 * Every change is all-or-nothing: a policy is compiled completely (every
 * kernel-dependent refusal happens here, naming the missing feature) before
 * anything is written; a failure while writing maps or attaching undoes
 * what was done, so nothing stays attached or half written and a policy
 * being replaced keeps running.
 *
 * Replacing a policy (same metadata.name): new slots are written, the hook
 * metadata is announced through the callback, then each dispatch entry
 * (sys_hooks[nr], tp_hooks[id]) is switched by one map update (old or new
 * hook, never neither), then, after every BPF program that might still use
 * an old slot has finished (an RCU grace period), the old slots are cleared
 * and their removal is announced.
 *
 * Not thread-safe: loaderd's event loop is the only caller.  polset_free()
 * must run before bpfl_free() of the struct bpfl it was created on.
 */
#ifndef TRIPLINE_POLICY_LOAD_H
#define TRIPLINE_POLICY_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "ipc_msg.h"
#include "policy.h"

struct bpfl;
struct polset;

/*
 * Hook metadata for the collector.  added = 1: hook (id, gen) is about to
 * be enabled (or was already: resend, mode change); added = 0: hook (id,
 * gen) was removed (only h->id and h->gen are meaningful).  h and its
 * strings are borrowed for the duration of the call.
 */
typedef void (*polset_hook_cb)(void *arg, int added, const struct ipc_hook *h);

/* What the running kernel can do, probed once by loading (and where that
 * is harmless, attaching) tiny programs; cached for the process. */
struct polset_features {
	int	kprobes;	/* kprobe PMU + BPF_PROG_TYPE_KPROBE attach */
	int	override;	/* verifier accepts bpf_override_return */
	int	fentry;		/* BPF trampolines (fentry load + attach) */
	int	lsm;		/* BPF LSM program load + attach */
	int	kretprobes;	/* kprobe PMU retprobe + attach */
	int	kprobe_multi;	/* BPF_TRACE_KPROBE_MULTI link */
	int	fexit;		/* fexit load + attach */
	int	fmod_ret;	/* BPF_MODIFY_RETURN on security_file_open */
	int	lsm_active;	/* "bpf" in /sys/kernel/security/lsm */
	int	send_signal;	/* bpf_send_signal in a tracing program */
	int	uprobes;	/* uprobe PMU + attach */
	int	uretprobes;	/* uprobe PMU retprobe + attach */
	int	ringbuf;	/* BPF_MAP_TYPE_RINGBUF */
	int	cg_connect4;	/* cgroup sock_addr programs: load + attach */
	int	cg_connect6;	/* to the cgroup2 root (they return 1) */
	int	cg_sendmsg4;
	int	cg_sendmsg6;
	int	cg_skb_in;	/* cgroup_skb/ingress: load + attach */
	int	cg_skb_eg;	/* cgroup_skb/egress */
	int	cg_signal;	/* bpf_send_signal in a cgroup/connect4 prog */
	int	cg_retval;	/* bpf_set_retval in a cgroup/connect4 prog */
	int	sleepable_tp;	/* a sleepable tracepoint or raw tracepoint
				   program with bpf_copy_from_user loads
				   (faultable syscall tracepoints) */
	char	cgroup2[256];	/* cgroup2 mount point, "" if none */
	char	lsm_list[256];	/* active LSMs, "" if unreadable */
};
void	polset_probe(struct polset_features *out);
/*
 * The probed features as a table (json = 0: lines "  NAME  yes|no ...",
 * ending in a newline) or a JSON object ({"kprobes":false,...}); probes
 * first if needed.  Caller frees.
 */
char	*polset_features_render(int json);
/* The same JSON object written as the next value of w. */
struct jsonw;
void	polset_features_json(struct jsonw *w);

/*
 * Create the manager on b: opens and loads the generic programs (shared
 * maps reused from the process programs), probes the kernel.  0, or
 * ERR_SYS / ERR_UNSUPP with a message in err.
 */
int	polset_new(struct polset **out, struct bpfl *b, polset_hook_cb cb,
	    void *cbarg, char *err, size_t errlen);

/*
 * Load pol (ownership passes to the set, also on error).  A policy of the
 * same name is replaced atomically.  0, or ERR_UNSUPP (a hook needs a
 * kernel feature this machine lacks; err names it), ERR_RANGE (limits:
 * hook slots, hooks per syscall/tracepoint), ERR_PARSE (the policy does
 * not fit the hook, e.g. a tracepoint field that does not exist),
 * ERR_NOTFOUND (tracepoint or uprobe target missing), ERR_SYS.
 */
int	polset_add(struct polset *, struct policy *pol, char *err,
	    size_t errlen);
/* 0 or ERR_NOTFOUND. */
int	polset_delete(struct polset *, const char *name, char *err,
	    size_t errlen);
/* Switch enforce/monitor in place (same hook ids).  0 or ERR_NOTFOUND. */
int	polset_set_mode(struct polset *, const char *name, enum pol_mode,
	    char *err, size_t errlen);
/* Call the callback (added = 1) for every enabled hook again. */
void	polset_resend(struct polset *);
/* Human-readable (json = 0) or JSON listing; caller frees. */
char	*polset_list(struct polset *, int json);
/* Number of loaded policies. */
size_t	polset_count(struct polset *);
/* The file a loaded policy came from (malloc'd), NULL if none/unknown. */
char	*polset_policy_file(struct polset *, const char *name);
/* Record where a loaded policy is stored from now on.  0 or ERR_NOTFOUND. */
int	polset_set_file(struct polset *, const char *name, const char *file);
/* Loaded policy n (0-based, load order): its name, file and the document
 * it was parsed from (src may be NULL).  0 or ERR_NOTFOUND past the end;
 * strings borrowed until the next change of the set. */
struct polset_polinfo {
	const char	*name;
	const char	*file;
	const char	*src;
	size_t		 srclen;
};
int	polset_policy(struct polset *, size_t n, struct polset_polinfo *);

/* Per-hook view for status and tests. */
struct polset_hookinfo {
	const char	*policy;
	int		 skipped;	/* not attached (ignore.callNotFound) */
	uint32_t	 id;		/* slot (0 if skipped) */
	uint32_t	 gen;
	const char	*kind;		/* "kprobe", "tracepoint", "uprobe" */
	const char	*target;
	const char	*how;		/* how it is attached, or why not */
	uint64_t	 hits, matched, posted, dropped, errors, signals;
	uint64_t	 ratelimited, overrides;
	uint64_t	 raced;		/* decided differently on the
					   kernel's copy (hook_stat.raced) */
};
/* Hook n (0-based, across all policies in load order) into *hi; 0 or
 * ERR_NOTFOUND past the end.  Strings borrowed until the next change. */
int	polset_hook(struct polset *, size_t n, struct polset_hookinfo *hi);

/* Detach everything, clear the maps, free; NULL-safe.  No callbacks. */
void	polset_free(struct polset *);

#endif
