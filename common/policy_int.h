/*
 * common/policy_int.h -- internals shared by the policy parser's files:
 *   policy.c         top level, metadata, spec, options, lists, free
 *   policy_hooks.c   kprobes/fentries, tracepoints, uprobes, lsmhooks, args
 *   policy_sel.c     selectors, macros, matchPIDs/Binaries/..., actions
 *   policy_values.c  operator/type compatibility and value parsing
 *   policy_names.c   name tables (types, operators, actions, namespaces,
 *                    capabilities, socket constants, x86_64 syscalls)
 * Not installed, not used outside common/policy*.c.
 */
#ifndef TRIPLINE_POLICY_INT_H
#define TRIPLINE_POLICY_INT_H

#include <stdint.h>

#include <yaml.h>

#include "policy.h"
#include "yamlutil.h"

#define POL_MAX_PATH	4095	/* uprobe path bytes (PATH_MAX - 1) */
#define POL_MAX_URL	256	/* GetUrl argUrl bytes */
#define POL_MAX_FQDN	253	/* DnsLookup argFqdn bytes */

enum pol_list_type {
	POL_LIST_FUNCS = 0,		/* no type: function names */
	POL_LIST_SYSCALLS,		/* syscalls */
	POL_LIST_GEN_SYSCALLS,		/* generated_syscalls: all */
};

struct pol_list {
	char		*name;
	enum pol_list_type type;
	size_t		 nvalues;
	char		**values;	/* names as written */
	int		*nrs;		/* syscall numbers, or -1 */
	yaml_node_t	*node;
};

struct pol_ctx {
	struct yamlu_doc *y;
	struct policy	*pol;
	size_t		 nlists;
	struct pol_list	 lists[POL_MAX_LISTS];
	yaml_node_t	*macros;	/* spec.selectorsMacros, or NULL */
};

/* policy.c: errors and notes (FILE:LINE:COL), symbol names, lists; the
 * files call the YAML walker of yamlutil.h with c->y */
#define pol_error(c, node, ...)	yamlu_error((c)->y, (node), __VA_ARGS__)
void	 pol_note(struct pol_ctx *, const yaml_node_t *, const char *, ...)
	    __attribute__((__format__(printf, 3, 4)));
int	 pol_ident(struct pol_ctx *, yaml_node_t *, const char *, char **);
struct pol_list *pol_list_find(struct pol_ctx *, const char *);

/* policy_hooks.c */
int	 pol_hooks(struct pol_ctx *, yaml_node_t *, enum pol_hook_kind, int);
void	 pol_hook_clear(struct pol_hook *);

/* policy_sel.c */
int	 pol_macros_check(struct pol_ctx *, yaml_node_t *);
int	 pol_selectors(struct pol_ctx *, struct pol_hook *, yaml_node_t *);
int	 pol_action_kind(struct pol_ctx *, yaml_node_t *, const char *,
	    enum pol_action_kind *);

/* policy_values.c */
int	 pol_type_is_int(enum pol_arg_type);
int	 pol_type_is_str(enum pol_arg_type);
int	 pol_type_is_sock(enum pol_arg_type);
uint64_t pol_type_ops(enum pol_arg_type);
int	 pol_op_list(uint64_t, char *, size_t);
int	 pol_int_text(const char *, size_t, int *, uint64_t *);
int	 pol_matchvalues(struct pol_ctx *, yaml_node_t *, yaml_node_t *,
	    const struct pol_arg *, const char *, struct pol_matcharg *);
int	 pol_ratelimit(const char *, uint64_t *);

/* policy_names.c */
int	 pol_type_lookup(const char *, enum pol_arg_type *, const char **);
int	 pol_op_lookup(const char *);
int	 pol_action_lookup(const char *);
int	 pol_ns_lookup(const char *);
int	 pol_cap_lookup(const char *);
int	 pol_family_lookup(const char *);
int	 pol_proto_lookup(const char *);
int	 pol_tcpstate_lookup(const char *);
int	 pol_filetype_lookup(const char *);
#define POL_SC_UNKNOWN	-1
#define POL_SC_IA32	-2	/* __ia32_ / i386/ : 32-bit ABI */
#define POL_SC_OTHERABI	-3	/* __arm64_ and the like */
int	 pol_syscall_resolve(const char *);
size_t	 pol_syscall_count(void);
int	 pol_syscall_at(size_t, const char **);

/*
 * Every name the parser's tables accept, for the conformance check
 * (tests/integration/policy_conformance.sh): fn(arg, kind, name) with kind
 * "key" (CONTEXT.KEY, or KEY at the top level), "type", "operator",
 * "action" or "option".  policy_names_walk is in policy_names.c, the parts
 * in the file that holds each table.
 */
typedef void pol_name_fn(void *, const char *, const char *);
struct pol_keytab {
	const char		*ctx;	/* "spec", "args", ...; "" at the top */
	const char *const	*keys;	/* NULL-ended */
};
void	 policy_names_walk(pol_name_fn *, void *);
extern const struct pol_keytab pol_top_keytabs[];	/* policy.c */
extern const char *const pol_option_noeffect[];		/* policy.c */
extern const struct pol_keytab pol_hook_keytabs[];	/* policy_hooks.c */
extern const struct pol_keytab pol_sel_keytabs[];	/* policy_sel.c */

#endif
