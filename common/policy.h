/*
 * common/policy.h -- Tetragon-format TracingPolicy YAML -> checked C model.
 *
 * policy_load_file() parses one YAML document with libyaml's document API,
 * validates it strictly (unknown keys, duplicate keys, wrong types, bad
 * operators for an argument type, out-of-range indexes, more values or
 * selectors than the engine holds: each an error "FILE:LINE:COL: message"),
 * and returns a struct policy in which every reference is resolved:
 * selector argument references are positions in the hook's args[], macros
 * are expanded, "list:NAME" values are expanded, syscall names are numbers,
 * operator aliases are canonical, numeric values are parsed.
 *
 * It does NOT look at the running kernel (that is loaderd's job when it
 * compiles the model into BPF maps: tracepoint formats, kprobe support,
 * LSM): so `triplinectl policy lint` and the tests give the same answer on
 * every machine.  Kernel-dependent refusals happen in loaderd and name the
 * missing feature.
 *
 * Used by loaderd (trusted input) and triplinectl (lint only).
 */
#ifndef TRIPLINE_POLICY_H
#define TRIPLINE_POLICY_H

#include <stddef.h>
#include <stdint.h>

/* argument types, operators, actions, limits: shared with the BPF
 * programs */
#include "bpf/abi.h"

/*
 * Engine limits (docs/policy-reference.md); exceeding one is an error.
 * Those that size a configuration entry are the BPF programs' own
 * (bpf/abi.h).
 */
#define POL_MAX_HOOKS		32	/* hooks per policy (after list: expansion) */
#define POL_MAX_ARGS		HOOK_ARGS_MAX	/* args per hook */
#define POL_MAX_SELECTORS	HOOK_SEL_MAX	/* selectors per hook */
#define POL_MAX_MATCHARGS	HOOK_MATCHARGS_MAX /* matchArgs entries per
						      selector */
#define POL_MAX_RETARGS		HOOK_RETARGS_MAX /* matchReturnArgs entries
						    per selector */
#define POL_MAX_VALUES		HOOK_VALUES_MAX	/* values per numeric/string
						   operator */
#define POL_MAX_LISTVALUES	4096	/* values of Equal, NotEqual, Prefix,
					   NotPrefix, Postfix, NotPostfix (more
					   than POL_MAX_VALUES: matched in maps) */
#define POL_MAX_PREFIX_LIST	HOOK_STRLPM_MAX	/* bytes of a Prefix value
						   in such a list */
#define POL_MAX_MAPVALUES	1024	/* values of InMap/NotInMap */
#define POL_MAX_STR		HOOK_STR_MAX	/* bytes of a string value
						   (Postfix: 128) */
#define POL_MAX_POSTFIX		128
#define POL_MAX_SUBSTR		HOOK_SUBSTR_MAX	/* bytes of a SubString
						   value */
#define POL_MAX_PIDS		HOOK_PIDS_MAX	/* values per matchPIDs entry */
#define POL_MAX_PID_ENTRIES	HOOK_PID_ENTRIES_MAX /* matchPIDs entries per
							selector */
#define POL_MAX_BINARIES	HOOK_BINS_MAX	/* values per matchBinaries
						   entry */
#define POL_MAX_NS_ENTRIES	HOOK_NS_MAX	/* matchNamespaces entries per
						   selector */
#define POL_MAX_NS_VALUES	HOOK_NS_VALUES_MAX
#define POL_MAX_CAP_ENTRIES	HOOK_CAPS_MAX	/* matchCapabilities entries
						   per selector */
#define POL_MAX_ACTIONS		HOOK_ACTIONS_MAX /* matchActions per selector */
#define POL_MAX_TAGS		16
#define POL_MAX_MESSAGE		256
#define POL_MAX_NAME		128	/* metadata.name */
#define POL_MAX_ARG_INDEX	5	/* kprobe/uprobe/lsm/raw tp prototype
					   index (x86_64: 6 register args) */
#define POL_MAX_TP_INDEX	63	/* tracepoint format field index */
#define POL_MAX_BINARY		255	/* bytes of a matchBinaries path */
#define POL_MAX_LABEL		128	/* arg/selector label, tag, call */
#define POL_MAX_LISTS		16	/* spec.lists entries */
#define POL_MAX_LIST_VALUES	512	/* values of one list */
#define POL_MAX_DATA		327360	/* maxData: true (Tetragon) */

/* a policy's hooks fit the slots; its strings fit a hook_str */
_Static_assert(POL_MAX_HOOKS <= HOOK_MAX, "hooks of a policy fit the slots");
_Static_assert(POL_MAX_BINARY < HOOK_STR_MAX, "matchBinaries path fits");
_Static_assert(POL_MAX_POSTFIX <= HOOK_STR_MAX, "Postfix value fits");

enum pol_hook_kind {
	POL_HOOK_KPROBE = 1,	/* spec.kprobes (also spec.fentries) */
	POL_HOOK_TRACEPOINT,	/* spec.tracepoints, raw: false */
	POL_HOOK_RAW_TRACEPOINT,/* spec.tracepoints, raw: true */
	POL_HOOK_UPROBE,	/* spec.uprobes: one hook per symbol */
	POL_HOOK_LSM,		/* spec.lsmhooks */
	POL_HOOK_USDT,		/* spec.usdts */
};

struct pol_arg {
	int		 index;		/* prototype / tracepoint field index */
	enum pol_arg_type type;
	const char	*type_name;	/* as written (for messages), static */
	char		*label;		/* NULL if none */
	int		 size_arg_index;/* sizeArgIndex (1-based), 0 if none:
					   the arg whose index is
					   size_arg_index - 1 (prototype
					   index; tracepoints: field index),
					   checked present and integer */
	int		 return_copy;	/* returnCopy */
	uint32_t	 max_data;	/* maxData: 0 = default */
	char		*resolve;	/* resolve path, NULL if none */
	char		*btf_type;	/* btfType, NULL if none */
	int		 line, col;	/* position of the arg in the file */
	/*
	 * type AUTO (tracepoints): the parser cannot know the field type, so
	 * matchArgs values on such an arg carry str/len always and lo/hi
	 * when the text is an integer; loaderd checks them against the
	 * format's field type.
	 */
};

/* One value of a matchArgs/matchReturnArgs operator. */
struct pol_value {
	uint64_t	 lo;		/* number; InRange: min; port */
	uint64_t	 hi;		/* InRange: max (else == lo) */
	char		*str;		/* string operators: bytes (may include
					   an explicit trailing NUL from "\0") */
	size_t		 len;		/* bytes of str */
	uint8_t		 addr[16];	/* SAddr/DAddr: network order */
	uint8_t		 family;	/* 2 (AF_INET) or 10 (AF_INET6) */
	uint8_t		 prefixlen;	/* CIDR prefix length */
	int		 is_num;	/* lo/hi hold a parsed number (always for
					   numeric ops; AUTO args: if numeric) */
};

struct pol_matcharg {
	int		 arg;		/* position in hook->args[] */
	enum pol_op	 op;
	size_t		 nvalues;
	struct pol_value *values;
	int		 line, col;
};

struct pol_matchpids {
	enum pol_op	 op;		/* IN / NOTIN */
	int		 follow_forks;
	int		 is_ns_pid;
	size_t		 nvalues;
	uint32_t	 values[POL_MAX_PIDS];
};

struct pol_matchbinaries {
	enum pol_op	 op;		/* IN NOTIN PREFIX NOTPREFIX POSTFIX
					   NOTPOSTFIX */
	int		 follow_children;
	size_t		 nvalues;
	char		*values[POL_MAX_BINARIES];
};

struct pol_matchns {
	enum pol_ns	 ns;
	enum pol_op	 op;		/* IN / NOTIN */
	size_t		 nvalues;
	uint32_t	 values[POL_MAX_NS_VALUES];	/* inode numbers */
	int		 host_ns[POL_MAX_NS_VALUES];	/* value was host_ns:
					   loaderd fills values[] from
					   /proc/1/ns at load */
};

struct pol_matchcaps {
	enum pol_cap_set set;
	enum pol_op	 op;		/* IN / NOTIN */
	int		 is_ns_cap;
	uint64_t	 mask;		/* bit n = CAP number n */
};

/* matchNamespaceChanges (one entry per selector) */
struct pol_matchnschg {
	enum pol_op	 op;		/* IN / NOTIN */
	uint32_t	 mask;		/* bit n = enum pol_ns n */
};

struct pol_action {
	enum pol_action_kind kind;
	uint64_t	 rate_limit_ms;	/* Post rateLimit, 0 = none */
	enum pol_ratelimit_scope rate_limit_scope;
	int		 kernel_stack;	/* kernelStackTrace */
	int		 user_stack;	/* userStackTrace */
	int		 arg_sig;	/* Signal: argSig */
	int32_t		 arg_error;	/* Override: argError */
	int		 arg_fd;	/* FollowFD/UnfollowFD: argFd (position
					   in args[]) */
	int		 arg_name;	/* FollowFD: argName (position), -1 */
	int		 arg_sock;	/* TrackSock/UntrackSock: argSock
					   (position in args[]), -1 */
	char		*arg_url;	/* GetUrl */
	char		*arg_fqdn;	/* DnsLookup */
	int		 line, col;
};

struct pol_selector {
	size_t			 nmatchargs;
	struct pol_matcharg	 matchargs[POL_MAX_MATCHARGS];
	size_t			 nretargs;
	struct pol_matcharg	 retargs[POL_MAX_RETARGS];  /* arg = -1 */
	size_t			 npids;
	struct pol_matchpids	 pids[POL_MAX_PID_ENTRIES];
	int			 has_binaries;
	struct pol_matchbinaries binaries;
	size_t			 nns;
	struct pol_matchns	 ns[POL_MAX_NS_ENTRIES];
	size_t			 ncaps;
	struct pol_matchcaps	 caps[POL_MAX_CAP_ENTRIES];
	size_t			 nactions;	/* 0 => Post */
	struct pol_action	 actions[POL_MAX_ACTIONS];
	size_t			 nretactions;
	struct pol_action	 retactions[POL_MAX_ACTIONS];
	char			*label;
	int			 line, col;
	int			 has_parent_binaries;
	struct pol_matchbinaries parent_binaries;  /* no followChildren */
	int			 has_nschg;
	struct pol_matchnschg	 nschg;		/* matchNamespaceChanges */
	int			 has_capchg;
	struct pol_matchcaps	 capchg;	/* matchCapabilityChanges */
};

struct pol_hook {
	enum pol_hook_kind kind;
	int		 fentry;	/* came from spec.fentries */
	/* kprobes / lsm: */
	char		*call;		/* "sys_openat", "fd_install", LSM hook */
	int		 syscall;	/* syscall: true (default true, as
					   Tetragon's CRD) */
	int		 syscall_nr;	/* x86_64 number when syscall, else -1
					   (also -1 for an unknown syscall
					   with ignore.callNotFound: skip it) */
	/* tracepoints: (usdts: the probe's provider and name) */
	char		*subsystem;
	char		*event;
	/* uprobes, usdts: */
	char		*path;
	char		*symbol;
	int		 ret;		/* return: true */
	struct pol_arg	 retarg;	/* returnArg (type NONE if absent) */
	enum pol_action_kind ret_arg_action; /* returnArgAction: 0 none,
					   TRACKSOCK or UNTRACKSOCK */
	size_t		 nargs;
	struct pol_arg	 args[POL_MAX_ARGS];
	size_t		 nselectors;
	struct pol_selector selectors[POL_MAX_SELECTORS];
	char		*message;
	size_t		 ntags;
	char		*tags[POL_MAX_TAGS];
	int		 ignore_call_not_found;
	int		 line, col;	/* position of the hook in the file */
};

enum pol_mode { POL_MODE_ENFORCE = 0, POL_MODE_MONITOR };

struct policy {
	char		*name;		/* metadata.name */
	char		*file;		/* path it was loaded from */
	char		*src;		/* the document as read (NUL-terminated;
					   a reload compares it) */
	size_t		 srclen;
	int		 line;		/* its document's first line in file */
	int		 namespaced;	/* kind: TracingPolicyNamespaced */
	enum pol_mode	 mode;		/* options policy-mode */
	int		 unread_open;	/* options unreadable-args: fail-open
					   (0: fail-closed) */
	size_t		 nhooks;
	struct pol_hook	*hooks;
	size_t		 nnotes;	/* "FILE:LINE:COL: note: ..." for what
					   is accepted but has no effect here
					   (options, metadata.namespace) */
	char		**notes;
};

/*
 * Parse and validate path.  0 and *out (caller frees with policy_free), or
 * ERR_PARSE with "FILE:LINE:COL: message" in err, or ERR_SYS (cannot read,
 * message in err).
 */
int	policy_load_file(const char *path, struct policy **out, char *err,
	    size_t errlen);
/* Same from memory; name is used in messages as FILE.  Both take one
 * policy: a second document is an error. */
int	policy_load_buf(const char *name, const char *buf, size_t len,
	    struct policy **out, char *err, size_t errlen);
/*
 * Every policy of a file of one or more YAML documents separated by "---"
 * (empty documents skipped; at most POL_MAX_DOCS): 0 and *out, an array
 * of *n policies in file order (free with policy_free_all), each with its
 * own document as src (the whole file when it is the only one); or the
 * first error of any document, and nothing.  Two policies of one file
 * may not have the same name.
 */
#define POL_MAX_DOCS	64
int	policy_load_file_all(const char *path, struct policy ***out,
	    size_t *n, char *err, size_t errlen);
int	policy_load_buf_all(const char *name, const char *buf, size_t len,
	    struct policy ***out, size_t *n, char *err, size_t errlen);
void	policy_free_all(struct policy **, size_t n);
void	policy_free(struct policy *);

/* Names for messages and JSON. */
const char *policy_hook_kind_name(enum pol_hook_kind);
/* Capability name ("CAP_SYS_ADMIN") of a number, NULL if unknown; how
 * many the table has (CAP_LAST_CAP + 1). */
const char *pol_cap_name(unsigned int);
unsigned int pol_cap_count(void);
const char *policy_arg_type_name(enum pol_arg_type);
const char *policy_op_name(enum pol_op);
const char *policy_action_name(enum pol_action_kind);	/* "Post" */
/* Tetragon JSON action enum: "KPROBE_ACTION_POST", ... */
const char *policy_action_json(enum pol_action_kind);

/* x86_64 syscall table: "openat" or "sys_openat" -> nr, -1 if unknown. */
int	policy_syscall_nr(const char *name);
const char *policy_syscall_name(int nr);

#endif
