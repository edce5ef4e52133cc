/*
 * loaderd/pl_int.h -- private to the policy manager (loaderd/policy_load.c
 * and its pl_*.c rooms); nothing outside loaderd/policy_load.c and pl_*.c
 * includes it.  The public API is loaderd/policy_load.h.
 *
 * The rooms:
 *   policy_load.c  the policy set: polset_new/add/delete/set_mode/list/free
 *                  (the two-phase compile, commit, undo of a policy)
 *   pl_features.c  kernel feature probes and the feature table
 *   pl_tracefs.c   tracepoint formats (tracefs), /proc/kallsyms lookups
 *   pl_args.c      argument types: what a type is, capture sizes, hook_arg
 *   pl_select.c    selector compilation (matchArgs, actions, namespaces)
 *   pl_compile.c   hook compilation per hook kind, errors, metadata
 *   pl_override.c  how an Override is carried out (LSM table, executors)
 *   pl_net.c       network hooks routed into the cgroup programs
 *   pl_attach.c    attaching per hook kind (tracepoints, raw syscalls,
 *                  uprobes, kprobes, program instances, cgroup programs)
 *   pl_kstate.c    kernel state: slots, InMap, stats, dispatch lists,
 *                  capacity, RCU wait, undo
 */
#ifndef TRIPLINE_PL_INT_H
#define TRIPLINE_PL_INT_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include "bpf/hook.h"
#include "policy_load.h"

struct bpf_link;
struct bpf_object;
struct bpf_program;
struct bpfl;
struct bpfl_inst;
struct netl;

#define PL_TP_FIELDS		64
#define PL_SYSARGS		6	/* syscall arguments */
/* sys_enter_X / sys_exit_X formats: common_* are 0..3, __syscall_nr 4 */
#define PL_TP_NR_FIELD		4
#define PL_TP_FIRST_ARG		5

#if defined(__x86_64__)
#define PL_SYSCALL_PREFIX	"__x64_sys_"
#elif defined(__aarch64__)
#define PL_SYSCALL_PREFIX	"__arm64_sys_"
#else
#define PL_SYSCALL_PREFIX	"sys_"
#endif

#define PL_MSG_NOKPROBES "kprobes are not available on this kernel " \
	"(CONFIG_KPROBES is not set)"
#define PL_MSG_FENTRY	"fentry/fexit need BPF trampolines, which this " \
	"kernel refuses"
#define PL_MSG_NOLSM	"BPF LSM programs cannot be loaded on this kernel"
#define PL_MSG_OVERRIDE	"Override needs bpf_override_return " \
	"(CONFIG_BPF_KPROBE_OVERRIDE) or BPF LSM, neither available here"

enum pl_disp {
	PL_DISP_NONE = 0,
	PL_DISP_SYS,		/* sys_hooks[nr] for every nr in the bitmap */
	PL_DISP_TP,		/* tp_hooks[tp_id] */
	PL_DISP_UPROBE,		/* the uprobe link itself */
	PL_DISP_KPROBE,		/* kprobe (+ kretprobe) links, cookie = id */
	PL_DISP_FN,		/* own program instance: lsm, fmod_ret,
				   fentry (tl_fn_hook = id) */
	PL_DISP_NET,		/* net_hooks[d] for every d in net_mask */
};

/* How a network hook runs when it has to (pl_net_route). */
enum pl_net {
	PL_NET_NO = 0,
	PL_NET_SPLIT,		/* syscall kprobe: the syscall dispatch posts,
				   a cgroup copy (aux hook) enforces the
				   Override selectors */
	PL_NET_WHOLE,		/* kernel function: the cgroup programs run
				   the whole hook */
};

/* Selector compile modes. */
enum pl_selmode {
	PL_SEL_NORMAL = 0,
	PL_SEL_SYSCOPY,		/* Override selectors become NoPost (their
				   cgroup copy acts and posts) */
	PL_SEL_NET,		/* evaluated by bpf/net.bpf.c */
};

#define PL_OVR_TGTS	3

/* An Override executor (ovr_lsm / ovr_file_permission / ovr_kprobe on
 * one target), shared by the hooks that need it. */
struct ovrx {
	TAILQ_ENTRY(ovrx)	 entry;
	char			*target;
	int			 kprobe;
	struct bpfl_inst	*inst;
	struct bpf_link		*link;
	int			 refs;
};
TAILQ_HEAD(ovrxq, ovrx);

/* One compiled hook. */
struct ph {
	const struct pol_hook	*h;
	int			 skipped;
	const char		*kind;		/* "kprobe", ... */
	char			*target;
	char			*how;		/* attach description / skip
						   reason */
	uint32_t		 id;		/* 0: no slot */
	uint32_t		 gen;
	struct hook_cfg		 cfg;
	struct sel_cfg		*sel;		/* cfg.nsel entries */
	enum pl_disp		 disp;
	uint8_t			 nrs[HOOK_SYSCALLS_MAX / 8];
	size_t			 nnrs;
	int			 nr_is_arg;	/* raw_syscalls: arg holding
						   the syscall id, -1 */
	uint32_t		 tp_id;
	struct bpf_link		*link;		/* uprobe, kprobe, instance */
	struct bpf_link		*link2;		/* kretprobe */
	struct bpfl_inst	*inst;		/* PL_DISP_FN */
	const char		*fn_prog;	/* PL_DISP_FN program */
	const char		*fn_target;	/* its attach target */
	const char		*ovr_tgts[PL_OVR_TGTS];	/* HOOK_F_OVR_LSM:
						   executor targets */
	size_t			 novr;
	int			 ovr_kprobe;	/* executor: ovr_kprobe on the
						   syscall function */
	int			 ovr_refs;	/* executors referenced */
	uint8_t			 net_mask;	/* PL_DISP_NET: 1 << NET_D_* */
	int			 net_counted;	/* in n_net[] */
	int			 so_counted;	/* in n_sockarg */
	int			 aux;		/* the cgroup copy of a
						   syscall hook (not listed) */
	struct ph		*auxph;		/* visible hook: its copy */
	int			 written;	/* slot written */
	int			 counted;	/* in n_sys / n_exit */
	int			 tpref;		/* holds a tracepoint ref */
	int			 sent;		/* metadata announced */
	int			 follow;	/* a selector has
						   followChildren */
	struct ipc_hook		 meta;
};

/* The string maps (bpf/generic_maps.bpf.h): values of a string operator
 * with more than HOOK_VALUES_MAX of them. */
enum pl_strmap {
	PL_SM_EQ = 0,		/* streq (hash): Equal, NotEqual */
	PL_SM_PFX,		/* strpfx (LPM trie): Prefix, NotPrefix */
	PL_SM_SFX,		/* strsfx (LPM trie, reversed): Postfix,
				   NotPostfix */
	PL_SM_MAX_
};

/* A policy's keys of one string map. */
struct pl_strkeys {
	union {
		struct streq_key	*eq;
		struct strlpm_key	*lpm;
	} k;
	size_t			 n, cap;
};

struct pent {
	TAILQ_ENTRY(pent)	 entry;
	struct policy		*pol;
	uint32_t		 policy_id;
	struct ph		*hooks;		/* nvis listed hooks (one
						   per policy hook), then
						   their cgroup copies */
	size_t			 nhooks;
	size_t			 nvis;
	struct inmap_key	*inmap;
	size_t			 ninmap;
	size_t			 inmapcap;
	int			 inmap_written;
	struct pl_strkeys	 sk[PL_SM_MAX_];
	int			 sk_written;
};
TAILQ_HEAD(pentq, pent);

/* A tracepoint the generic tracepoint program is attached to. */
struct tpatt {
	TAILQ_ENTRY(tpatt)	 entry;
	uint32_t		 id;
	uint32_t		 slot;		/* in tp_hooks = BPF cookie */
	char			*subsys;
	char			*event;
	struct bpf_link		*link;
	int			 refs;		/* hooks using it */
	struct hook_list	 list;		/* shadow of tp_hooks[slot] */
};
TAILQ_HEAD(tpattq, tpatt);

struct polset {
	struct bpfl		*b;
	struct bpf_object	*obj;
	polset_hook_cb		 cb;
	void			*cbarg;
	struct polset_features	 feat;
	int			 ncpus;
	int			 fd_hooks, fd_sel, fd_sys, fd_tp, fd_inmap;
	int			 fd_stats;
	int			 sys_hash;
	uint32_t		 inmap_max;
	size_t			 inmap_used;
	int			 fd_str[PL_SM_MAX_];	/* streq, strpfx,
							   strsfx */
	uint32_t		 str_max[PL_SM_MAX_];
	size_t			 str_used[PL_SM_MAX_];
	struct bpf_program	*p_enter, *p_exit, *p_tp, *p_uprobe;
	struct bpf_program	*p_exec;	/* generic_exec, optional */
	struct bpf_link		*l_enter, *l_exit;
	struct netl		*net;		/* cgroup programs, on demand */
	int			 fd_net;	/* net_hooks */
	int			 n_net[NET_D_MAX];	/* slots per program */
	struct hook_list	 netl[NET_D_MAX];	/* shadow */
	int			 n_sockarg;	/* hooks with a socket arg */
	int			 n_sys;		/* slots dispatched by nr */
	int			 n_exit;	/* ... of which at exit */
	int			 barrier_fd, inner_fd;
	uint8_t			 used[HOOK_MAX];
	uint32_t		 gens[HOOK_MAX];
	uint32_t		 next_policy_id;
	uint32_t		 next_map_id;
	struct hook_list	 sys[HOOK_SYSCALLS_MAX];	/* shadow */
	struct pentq		 pols;
	struct tpattq		 tps;
	struct bpfl_inst	*kinst;		/* generic_kprobe/kretprobe */
	struct bpfl_inst	*uinst;		/* generic_uretprobe */
	struct bpfl_inst	*usdtinst;	/* generic_usdt */
	struct ovrxq		 ovrxs;
};

/* A tracepoint format field. */
struct tpfield {
	char	decl[128];	/* "const char * filename" */
	char	type[96];	/* "const char *" */
	char	name[64];
	int	off, size, sign;
	int	dataloc, array;
};

/* The compile context of one hook (pl_compile_hook and its helpers). */
struct pl_ctx {
	struct polset		*ps;
	const struct policy	*pol;
	const struct pol_hook	*h;
	struct ph		*ph;
	struct pent		*pe;
	char			*err;
	size_t			 errlen;
	enum pl_selmode		 selmode;
	size_t			 nsel_max;	/* compile only this many
						   selectors (0: all) */
	int			 net_tcp;	/* tcp_connect */
	int			 net_skb;	/* __cgroup_bpf_run_filter_skb */
	const char		*ovr_no;	/* Override impossible on this
						   hook: why (NULL: possible) */
	int			 net_d[2];	/* network hook: its programs */
	uint8_t			 net_src[HOOK_ARGS_MAX];	/* HOOK_SRC_NET_* */
};

/* Saved dispatch state for undo. */
struct pl_undo {
	struct hook_list	 sys[HOOK_SYSCALLS_MAX];
	uint8_t			 sys_written[HOOK_SYSCALLS_MAX];
	struct tpatt		*tp[HOOK_MAX];
	struct hook_list	 tplist[HOOK_MAX];
	size_t			 ntp;
	struct hook_list	 net[NET_D_MAX];
	uint8_t			 net_written[NET_D_MAX];
};

/* policy_load.c */
void	pl_send(struct polset *, int added, struct ph *);

/* pl_compile.c */
int	pl_fail(struct pl_ctx *, int r, int line, int col, const char *fmt,
	    ...) __attribute__((__format__(printf, 5, 6)));
int	pl_nr_isset(const struct ph *, int nr);
void	pl_meta(struct pl_ctx *, const enum pol_arg_type *types);
int	pl_compile_hook(struct pl_ctx *);
int	pl_hook_rawtp(struct pl_ctx *, enum pol_arg_type *types);

/* pl_tracefs.c */
int	pl_tp_format(struct pl_ctx *, const char *subsys, const char *event,
	    struct tpfield *fields, size_t *nfields, uint32_t *id);
enum pol_arg_type pl_tp_int_type(const struct tpfield *, int use_sign);
int	pl_is_char_ptr(const struct tpfield *);
int	pl_ksym_exists(const char *name);
int	pl_lsm_exists(const char *hook);	/* pl_override.c */

/* pl_args.c: the argument type name for messages */
const char *pl_type_name(const struct pol_arg *);
/* pl_args.c: hook_arg setup */
int	pl_arg_common(struct pl_ctx *, const struct pol_arg *,
	    struct hook_arg *, enum pol_arg_type);
int	pl_arg_filename(struct pl_ctx *, const struct pol_arg *);
/* pl_resolve.c: resolve/btfType through the kernel's BTF (decl: the
 * argument's declared type id, 0 unknown) */
struct btf;
int	pl_arg_resolve(struct pl_ctx *, const struct btf *,
	    const struct pol_arg *, struct hook_arg *, uint32_t decl);
int	pl_arg_reg(struct pl_ctx *, const struct pol_arg *, struct hook_arg *,
	    int src_kind);
int	pl_arg_tpsys(struct pl_ctx *, const struct pol_arg *,
	    struct hook_arg *, enum pol_arg_type);
int	pl_ret(struct pl_ctx *, const struct pol_hook *);
int	pl_kfn_args(struct pl_ctx *, enum pol_arg_type *types);

/* pl_select.c */
int	pl_sel_override(const struct pol_selector *);
int	pl_sel_any_override(const struct pol_hook *);
int	pl_selectors(struct pl_ctx *, const enum pol_arg_type *types);

/* pl_override.c */
const char *pl_rck_what(uint8_t rck);
void	pl_sys_override(struct pl_ctx *, const char *bare, char *how,
	    size_t len);
int	pl_ovr_attach(struct polset *, struct ph *, char *err, size_t errlen);
void	pl_ovr_release(struct polset *, struct ph *);

/* pl_net.c */
int	pl_net_route(struct pl_ctx *, enum pl_net *route);
int	pl_hook_net(struct pl_ctx *, enum pol_arg_type *types);
int	pl_net_aux(struct pl_ctx *, enum pol_arg_type *types);

/* pl_attach.c */
struct tpatt *pl_tp_find(struct polset *, uint32_t id);
int	pl_tp_ref(struct polset *, struct ph *, char *err, size_t errlen);
void	pl_tp_unref(struct polset *, uint32_t id);
int	pl_tp_write(struct polset *, uint32_t slot, const struct hook_list *);
int	pl_raw_sync(struct polset *, char *err, size_t errlen);
void	pl_raw_count(struct polset *, const struct ph *, int d);
void	pl_net_count(struct polset *, const struct ph *, int delta);
int	pl_net_sync(struct polset *, char *err, size_t errlen);
void	pl_sockown_count(struct polset *, struct ph *, int delta);
void	pl_sockown_sync(struct polset *);
int	pl_user_args(struct pl_ctx *, enum pol_arg_type *);	/* pl_compile.c */
/* pl_usdt.c */
int	pl_hook_usdt(struct pl_ctx *, enum pol_arg_type *);
int	pl_usdt_attach(struct polset *, struct ph *, char *err,
	    size_t errlen);
int	pl_uprobe_attach(struct polset *, struct ph *, char *err,
	    size_t errlen);
int	pl_kprobe_attach(struct polset *, struct ph *, char *err,
	    size_t errlen);
int	pl_fn_attach(struct polset *, struct ph *, char *err, size_t errlen);
void	pl_exec_tail(struct polset *, int on);

/* pl_kstate.c */
void	pl_stats_get(struct polset *, uint32_t id, struct hook_stat *out);
int	pl_slot_write(struct polset *, struct ph *, char *err, size_t errlen);
int	pl_inmap_write(struct polset *, struct pent *, char *err,
	    size_t errlen);
int	pl_disp_check(struct polset *, const struct pent *oldp,
	    const struct pent *newp, char *err, size_t errlen);
int	pl_disp_switch(struct polset *, const struct pent *oldp,
	    const struct pent *newp, struct pl_undo *u, char *err,
	    size_t errlen);
void	pl_unwind(struct polset *, struct pent *, int barrier);

#endif
