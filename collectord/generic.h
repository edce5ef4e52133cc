/*
 * collectord/generic.h -- render EV_GENERIC records (policy hook events)
 * into what the store and the JSON export write: Tetragon event type,
 * function name, action names, and the arguments in Tetragon's protojson
 * form (docs/schema.md lists every shape).
 */
#ifndef TRIPLINE_GENERIC_H
#define TRIPLINE_GENERIC_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "str.h"

struct dec_arg;
struct dec_event;
struct ipc_hook;

#define GEN_ALERTS_MAX	2	/* one GetUrl + one DnsLookup */

/*
 * One rendered record.  The buffers are reused from record to record
 * (generic_render resets them); a zeroed struct is a valid empty one.
 * Strings point into the record's hook metadata or static storage: valid
 * until the next hooktab change.
 */
struct gen_render {
	const struct ipc_hook *hook;	/* NULL: (id, gen) unknown */
	const char	*type;		/* "process_kprobe", ... */
	const char	*kind;		/* "kprobe", "tracepoint", "uprobe",
					   "lsm", "hook" (unknown): -p form */
	const char	*action;	/* main action, "KPROBE_ACTION_POST" */
	const char	*policy;	/* NULL if unknown */
	const char	*message;	/* NULL if none */
	const char	*tags;		/* JSON array, NULL if none */
	struct sbuf	 function;	/* function_name */
	struct sbuf	 args;		/* JSON array */
	size_t		 nshown;	/* elements of args (nop omitted) */
	size_t		 nbad;		/* arguments (return included) whose
					   payload was malformed: shown as
					   error_arg; the caller counts them */
	struct sbuf	 ret;		/* JSON object; len 0: no return */
	struct sbuf	 actions;	/* JSON array of actions that ran */
	struct sbuf	 would;		/* JSON array; len 0: not monitor */
	int		 late;		/* decided at syscall exit
					   (EVG_F_LATE) */
	struct sbuf	 kstack;	/* kernel_stack_trace JSON array;
					   len 0: none (collectord/stacks.h) */
	struct sbuf	 ustack;	/* user_stack_trace */
	struct sbuf	 stacks;	/* the store's stack_trace: an object
					   of the two; len 0: none */
	size_t		 nalerts;
	struct store_alert alerts[GEN_ALERTS_MAX];
	/* the whole event, rendered once by export_render_hit() */
	int		 rendered;	/* EXPORT_HIT_* of the last render */
	struct sbuf	 line;		/* Tetragon JSON line (no newline) */
	struct sbuf	 compact;	/* the -p line (no newline) */
	struct sbuf	 call_args;	/* the arguments on one line */
	char		 time[40];	/* ISO time of the event */
};

/* Fill r from a decoded EV_GENERIC record and its metadata (NULL if
 * unknown). */
void	generic_render(struct gen_render *r, const struct dec_event *ev,
	    const struct ipc_hook *hook);
void	generic_render_clear(struct gen_render *r);	/* frees buffers */
/* The buffer's string, "" when empty. */
const char *generic_str(const struct sbuf *);

/*
 * One argument as a Tetragon KprobeArgument object, e.g.
 * {"int_arg":-2}, {"string_arg":"/etc/passwd","label":"path"}; the
 * kernel-object types through collectord/objargs.h.  label NULL or ""
 * adds none.  Returns 1 if the payload was malformed (an error_arg saying
 * why was written instead), else 0.
 */
int	generic_arg_json(struct sbuf *, const struct dec_arg *,
	    const char *label);
/* The same value for the compact one-line form (human output: escaped). */
void	generic_arg_compact(struct sbuf *, const struct dec_arg *);
/* An integer return value of type t (enum pol_arg_type) as an argument
 * object ({"int_arg":-2}); 64-bit "long_arg" for non-integer types. */
void	generic_int_json(struct sbuf *, uint8_t t, uint64_t v);

/* Tetragon action enum name: "KPROBE_ACTION_SIGKILL"; NULL if unknown. */
const char *generic_action_name(unsigned int kind);
/* The main action of a set of action bits (1 << enum pol_action_kind):
 * SIGKILL, else SIGNAL, OVERRIDE, NOPOST, other non-Post actions, else
 * POST. */
const char *generic_main_action(uint32_t bits);
/* JSON array of the action names of bits, in enum order. */
void	generic_actions_json(struct sbuf *, uint32_t bits);
/* Tetragon type of the event for a hook kind (enum pol_hook_kind). */
const char *generic_event_type(uint32_t kind);
/* Tetragon argument type name ("int", "char_buf", ...), "?" if unknown. */
const char *generic_arg_type_name(uint8_t t);

#endif
