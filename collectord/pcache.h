/*
 * collectord/pcache.h -- process cache keyed by exec_id (pid, ktime).
 *
 * Tetragon semantics (shared/tetragon-reference.md section 5): an exec
 * creates an entry with refcnt 1 and takes a reference on its parent; a
 * fork (clone) creates an entry flagged "clone" that copies binary, args,
 * cwd and credentials from the parent and also references it; an exit
 * drops the entry's own reference and the one on its parent.  An exec (or
 * fork) for a pid whose previous image is still live releases that image
 * the same way: no exit will ever come for it.  Entries reach refcnt 0 only
 * when they are gone and have no live children; they are then unlinked and
 * freed by the next pcache_gc(), so pointers returned by the calls below
 * stay valid until then.
 *
 * Bound: exits can be lost (a full ring buffer), and then entries would
 * stay forever.  The cache holds at most pcache_max() entries and about
 * pcache_max_bytes() bytes (each entry's struct and strings, counted
 * when it is added; one entry may pass the byte bound until the next
 * add).  An add that finds either bound reached first evicts, from the
 * oldest entry on: entries
 * already released (kept only as somebody's parent) and entries whose
 * pid is gone (kill(pid, 0) fails with ESRCH: no /proc access needed,
 * which the sandboxed collector does not have); a live one is moved to
 * the young end (second chance).  One pass frees max/64 entries (at least
 * one) or max_bytes/64 bytes; if it found too few gone ones among 4 times
 * max/64 entries, it evicts
 * the oldest ones even if they live (more processes than the bound).
 * Children of an evicted entry keep its exec_id as their parent.  An
 * evicted entry goes to the gc list like any other: pointers stay valid
 * until pcache_gc().
 */
#ifndef TRIPLINE_PCACHE_H
#define TRIPLINE_PCACHE_H

#include <sys/queue.h>
#include <stddef.h>
#include <stdint.h>

struct dec_event;
struct sbuf;

/* Process flags: Tetragon's bit order (pkg/api/processapi), so the flag
 * words come out in the same order as Tetragon's "flags" string. */
#define PF_EXECVE		0x00001	/* "execve" */
#define PF_PROCFS		0x00004	/* "procFS" */
#define PF_TRUNC_FILENAME	0x00008	/* "truncFilename" */
#define PF_TRUNC_ARGS		0x00010	/* "truncArgs" */
#define PF_MISS			0x00040	/* "miss": parent not in the cache */
#define PF_ERR_FILENAME		0x00100	/* "errorFilename" */
#define PF_ERR_ARGS		0x00200	/* "errorArgs" */
#define PF_NOCWD		0x00400	/* "nocwd" */
#define PF_ROOTCWD		0x01000	/* "rootcwd" */
#define PF_ERR_CWD		0x02000	/* "errorCWD" */
#define PF_CLONE		0x04000	/* "clone" */
/* tripline additions */
#define PF_TRUNC_CWD		0x10000	/* "truncCWD" */
#define PF_UNKNOWN		0x20000	/* "unknown": only seen exiting */
#define PF_STALE		0x40000	/* "stale": gone while not watched */

#define PROC_ID_MAX	192	/* base64 of "node:ktime:pid" + NUL */
/* Default bound on entries: room for 100 000+ live processes and their
 * exited parents. */
#define PCACHE_MAX_DEFAULT	262144
#define PCACHE_MAX_MIN		16
/* Default bound on the bytes of entries: a typical entry is ~0.3 KiB
 * (~0.6 KiB with its JSON object), a hostile one (4 KiB of arguments,
 * quoted, and 1 KiB paths) up to ~10 KiB. */
#define PCACHE_MAX_BYTES_DEFAULT (512UL << 20)
#define PCACHE_MAX_BYTES_MIN	(64UL << 10)
#define PCACHE_NODE_MAX	64
/* Default bound on the bytes of the JSON objects entries keep (about
 * 10 000 of ~0.4 KiB; the processes with more than one event): the
 * objects of the others are rendered each time. */
#define PCACHE_JSON_MAX_DEFAULT	(4UL << 20)

/*
 * An entry of the cache is one allocation: this struct and its strings
 * (exec_id, parent_exec_id, binary, args, cwd) at their length after
 * it.  A caller's stand-in (a template for pcache_insert, a minimal row
 * of an unknown process) points its strings wherever it likes; all five
 * must be non-NULL where the struct is stored or exported.
 */
struct proc {
	uint32_t	 pid;
	uint32_t	 ppid;		/* parent key (pid of the parent) */
	uint64_t	 ktime;
	uint64_t	 pktime;
	const char	*exec_id;
	const char	*parent_exec_id;	/* "" if none */
	uint32_t	 tid;
	uint32_t	 uid, euid, gid, egid, auid;
	uint32_t	 flags;		/* PF_* */
	int		 refcnt;
	char		*binary;	/* never NULL */
	char		*args;		/* Tetragon "arguments", never NULL */
	char		*cwd;		/* never NULL */
	uint64_t	 exit_ns;	/* boot ns of exit (caller's use) */
	uint8_t		 released;	/* own reference dropped */
	uint8_t		 stored;	/* has a processes row (caller sets) */

	/* private */
	uint8_t		 parent_ref;	/* holds a reference on the parent */
	uint8_t		 in_pidtab;
	uint8_t		 json_seen;
	uint32_t	 acct;		/* bytes counted in the byte bound */
	uint32_t	 json_len;
	struct proc	*knext;		/* key hash chain */
	struct proc	*pnext;		/* pid hash chain (live images) */
	char		*json;		/* pcache_json_offer */
	int64_t		 json_off;
	/* the age list (oldest first) while cached, then the gc list */
	TAILQ_ENTRY(proc) list_entry;
};

struct pcache_stats {
	uint64_t	 evicted;	/* entries evicted to stay in bound */
	uint64_t	 evicted_live;	/* ... whose process still ran */
	uint64_t	 probes;	/* liveness probes made */
};

struct pcache_res {
	struct proc	*proc;		/* the entry (NULL: unknown exit) */
	struct proc	*parent;	/* NULL if not in the cache */
	struct proc	*replaced;	/* older live image of the same pid that
					   this exec/fork released, or NULL */
	int		 dup;		/* event was for an existing entry or an
					   already released one: nothing changed */
};

struct pcache;

struct pcache	*pcache_new(const char *node_name);
void		 pcache_free(struct pcache *);
const char	*pcache_node(const struct pcache *);

/* base64("<node>:<ktime>:<pid>") into dst (PROC_ID_MAX). */
void	pcache_exec_id(const char *node, uint64_t ktime, uint32_t pid,
	    char *dst, size_t dstsz);
/* Inverse of pcache_exec_id: pid and ktime (and, if node != NULL, the
 * node name into node[PCACHE_NODE_MAX + 1]).  0 or ERR_PARSE. */
int	pcache_exec_id_parse(const char *id, char *node, uint64_t *ktime,
	    uint32_t *pid);
/* "execve clone ..." into dst; returns dst. */
char	*pcache_flags_str(uint32_t flags, char *dst, size_t dstsz);
/* Parse flag words back (unknown words are ignored). */
uint32_t pcache_flags_parse(const char *s);
/* Tetragon "arguments": argv[1..] of a NUL-separated block, joined by
 * spaces; an empty argument or one with space, quote or backslash is
 * double-quoted with \" and \\ escaped.  Appends to sb. */
void	pcache_args_format(struct sbuf *sb, const char *blk, size_t len);

/*
 * The export's rendering of an entry's JSON object up to its refcnt
 * member: all of it that never changes (the fields of an entry other
 * than refcnt, released, stored and exit_ns are set when it is added and
 * stay), for the clock offset off (boot to Unix ns).  pcache_json returns
 * it or NULL.  pcache_json_offer keeps a copy if p is an entry of the
 * cache that was offered once before and is not released: a process seen
 * once (a short-lived child's exec) costs no memory.  The copy counts in
 * the byte bound and goes with the entry.  The copies of all entries
 * together stay within pcache_set_json_max() bytes (default
 * PCACHE_JSON_MAX_DEFAULT): past it, an offer keeps nothing.
 */
const char *pcache_json(const struct proc *p, int64_t off, size_t *len);
void	pcache_json_offer(struct pcache *, const struct proc *p, int64_t off,
	    const char *json, size_t len);
void	pcache_set_json_max(struct pcache *, size_t);
size_t	pcache_json_bytes(const struct pcache *);	/* kept now */

/* Event handling.  0, or ERR_RANGE for an event of the wrong type. */
int	pcache_exec(struct pcache *, const struct dec_event *,
	    struct pcache_res *);
int	pcache_fork(struct pcache *, const struct dec_event *,
	    struct pcache_res *);
int	pcache_exit(struct pcache *, const struct dec_event *,
	    struct pcache_res *);

/*
 * Insert a fully described entry (procfs discovery, restore from the DB):
 * copies tmpl (pid, ktime, ppid, pktime, ids, flags, strings, stored;
 * exec_id/parent_exec_id are recomputed), refcnt 1, references the parent
 * if it is cached (else PF_MISS is NOT set: the caller decides).  Returns
 * the entry, or NULL if the key exists.
 */
struct proc *pcache_insert(struct pcache *, const struct proc *tmpl);
/* Drop the entry's own reference as if it exited (stale rows). */
void	pcache_release(struct pcache *, struct proc *);

struct proc *pcache_lookup(struct pcache *, uint32_t pid, uint64_t ktime);
/* The live (not released) image of pid with the largest ktime, or NULL. */
struct proc *pcache_current(struct pcache *, uint32_t pid);
/* Entries in the cache (released ones included until their refcnt is 0). */
size_t	pcache_count(const struct pcache *);
/* Call fn for every entry; fn must not add or remove entries. */
void	pcache_foreach(struct pcache *, void (*fn)(struct proc *, void *),
	    void *arg);
/* Free the entries whose refcnt reached 0.  Returns how many. */
size_t	pcache_gc(struct pcache *);

/* The bound (PCACHE_MAX_DEFAULT from pcache_new; set_max clamps to at
 * least PCACHE_MAX_MIN; lowering it takes effect at the next add). */
void	pcache_set_max(struct pcache *, size_t);
size_t	pcache_max(const struct pcache *);
/* The byte bound (PCACHE_MAX_BYTES_DEFAULT; at least PCACHE_MAX_BYTES_MIN)
 * and the bytes counted now. */
void	pcache_set_max_bytes(struct pcache *, size_t);
size_t	pcache_max_bytes(const struct pcache *);
size_t	pcache_bytes(const struct pcache *);
/* The liveness probe: 1 if pid still exists (default: kill(pid, 0)). */
void	pcache_set_alive(struct pcache *, int (*)(uint32_t pid, void *),
	    void *);
/*
 * Called for each evicted entry that was not released (its exit never
 * came) before it leaves the tables; alive says what the probe said
 * (0: the process is gone).  fn must not add or remove entries.
 */
void	pcache_set_evict_cb(struct pcache *,
	    void (*fn)(struct proc *, int alive, void *), void *);
const struct pcache_stats *pcache_stats(const struct pcache *);

#endif
