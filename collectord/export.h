/*
 * collectord/export.h -- JSON lines export (Tetragon protojson shape) and
 * the compact one-line form printed by collectord -p.
 *
 * Lines are buffered and written by export_flush(), called after the DB
 * batch that holds their rows committed; export_discard() drops them
 * when it was rolled back.  Every string
 * that comes from a monitored process is escaped: JSON escaping (invalid
 * UTF-8 replaced) for the JSON file, str_escape() for the compact form.
 */
#ifndef TRIPLINE_EXPORT_H
#define TRIPLINE_EXPORT_H

#include <stddef.h>
#include <stdint.h>

struct dec_event;
struct gen_render;
struct pcache;
struct proc;
struct sbuf;
struct export;

struct export_stats {
	uint64_t	 lines;		/* JSON lines written */
	uint64_t	 errors;	/* lines lost: not written whole */
};

/*
 * json_fd: the events.jsonl fd (O_APPEND) or -1 for none; compact_fd: fd
 * for the compact form (stdout) or -1.  The export does not own the fds
 * (export_free does not close them).
 */
struct export	*export_new(int json_fd, int compact_fd, const char *node_name,
		    int64_t boot_to_unix_ns);
void		 export_free(struct export *);	/* flushes */
/*
 * Write out what is buffered.  0 or ERR_SYS: the lines not written whole
 * are counted (stats errors) and the file is cut back to its last whole
 * line.
 */
int		 export_flush(struct export *);
/* Forget what is buffered (its rows were rolled back). */
void		 export_discard(struct export *);
/* Bytes buffered. */
size_t		 export_buffered(const struct export *);
const struct export_stats *export_stats(const struct export *);
/* Bytes of events.jsonl after the last write (0 before the first). */
uint64_t	 export_size(const struct export *);
/* Write the next lines to fd instead (the caller closes the old one). */
void		 export_set_json_fd(struct export *, int fd);
/* Keep the rendered process objects in pc (pcache_json_offer); NULL:
 * none kept. */
void		 export_set_pcache(struct export *, struct pcache *pc);

/* parent may be NULL. */
void	export_exec(struct export *, const struct proc *p,
	    const struct proc *parent);
/* Exit of p (parent may be NULL).  time_ns: boot ns of the exit. */
void	export_exit(struct export *, const struct proc *p,
	    const struct proc *parent, uint64_t time_ns, uint32_t code,
	    uint32_t signal);

/* The lines as they would be written (for tests): JSON and compact form
 * of an exec/exit into sb, without a trailing newline. */
void	export_fmt_exec(struct export *, struct sbuf *, const struct proc *,
	    const struct proc *parent);
void	export_fmt_exit(struct export *, struct sbuf *, const struct proc *,
	    const struct proc *parent, uint64_t time_ns, uint32_t code,
	    uint32_t signal);
void	export_compact_exec(struct sbuf *, const struct proc *,
	    const struct proc *parent);
void	export_compact_exit(struct sbuf *, const struct proc *,
	    uint32_t code, uint32_t signal);

/*
 * A policy hook event, rendered once (export_render_hit) into r->line,
 * r->compact and r->call_args for the export, the outbox and the alert
 * text: a process_kprobe / process_tracepoint / process_uprobe /
 * process_lsm line (docs/schema.md) and, for -p, "kprobe PID BINARY
 * FUNCTION ARGS... policy=NAME action=POST".  p is the process (a minimal
 * one if unknown), parent may be NULL.
 */
#define EXPORT_HIT_JSON		0x1	/* r->line */
#define EXPORT_HIT_COMPACT	0x2	/* r->compact (and r->call_args) */
#define EXPORT_HIT_ARGS		0x4	/* r->call_args */
/* What the export writes of a hit (EXPORT_HIT_*; 0 for NULL). */
int	export_wants(const struct export *);
/* Render what (EXPORT_HIT_*) of the event r was made from by
 * generic_render; r->time is always set.  node and boot_to_unix_ns: as
 * given to export_new and store_open; pc: the process cache that keeps
 * rendered process objects (NULL: none). */
void	export_render_hit(struct gen_render *r, int what, const char *node,
	    int64_t boot_to_unix_ns, struct pcache *pc,
	    const struct dec_event *ev, const struct proc *p,
	    const struct proc *parent);
/* Write the lines of a rendered hit (those the export wants). */
void	export_hit(struct export *, const struct gen_render *r);
/* The lines of a hit as export_render_hit makes them (for tests). */
void	export_fmt_generic(struct export *, struct sbuf *,
	    const struct gen_render *r, const struct dec_event *ev,
	    const struct proc *p, const struct proc *parent);
void	export_compact_generic(struct sbuf *, const struct gen_render *r,
	    const struct dec_event *ev, const struct proc *p);

/*
 * Records lost because the ring buffer was full (time_ns: boot ns when
 * loaderd noticed): {"events_lost":{"count":N,"total":M,"source":"..."
 * [,"policy_name":"...","function_name":"..."]},"node_name":..,"time":..}
 * and, for -p, "events_lost N total=M source=S [policy=P function=F]".
 * policy and function may be NULL.
 */
void	export_events_lost(struct export *, uint64_t time_ns,
	    const char *source, const char *policy, const char *function,
	    uint64_t count, uint64_t total);
void	export_fmt_events_lost(struct export *, struct sbuf *,
	    uint64_t time_ns, const char *source, const char *policy,
	    const char *function, uint64_t count, uint64_t total);

#endif
