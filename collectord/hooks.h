/*
 * collectord/hooks.h -- what each policy hook id means.
 *
 * loaderd sends IPC_COLLECT_HOOK (struct ipc_hook) for a hook before it
 * enables it, IPC_COLLECT_HOOK_DEL when it is gone, and every live hook
 * again to a respawned collector.  EV_GENERIC records carry (hook_id, gen);
 * the table maps them back to the metadata.
 *
 * The table holds, per id, the metadata of the latest generation.  An
 * entry that is deleted or replaced by a newer generation is kept
 * "retired" for HOOKTAB_GRACE_NS, because records it emitted before the
 * swap may still be waiting in the ring buffer when the message that
 * replaced it is read (the collector reads the parent channel before the
 * ring).  Lookups match (id, gen) exactly: a record is never attributed to
 * another generation of its slot.
 */
#ifndef TRIPLINE_HOOKS_H
#define TRIPLINE_HOOKS_H

#include <stddef.h>
#include <stdint.h>

struct ipc_hook;
struct hooktab;

#define HOOKTAB_ID_MAX		65536		/* ids are < this */
#define HOOKTAB_GRACE_NS	(30ULL * 1000000000ULL)
#define HOOKTAB_RETIRED_MAX	1024		/* oldest dropped first */

struct hooktab	*hooktab_new(void);
void		 hooktab_free(struct hooktab *);

/*
 * Install the metadata of hook (h->id, h->gen).  The table takes over the
 * strings of *h (*h is zeroed on success).  An older generation of the id
 * is retired; the same generation is replaced (loaderd resends metadata
 * after a collector respawn).  now: boot ns, for retirement.  0, or
 * ERR_RANGE (id >= HOOKTAB_ID_MAX, unknown kind, nargs > IPC_HOOK_ARGS,
 * a NULL string, tags_json not a JSON array of strings): *h untouched.
 */
int	hooktab_set(struct hooktab *, struct ipc_hook *h, uint64_t now);
/* Retire (id, gen).  0, or ERR_NOTFOUND if it is not the live one. */
int	hooktab_del(struct hooktab *, uint32_t id, uint32_t gen, uint64_t now);
/* The metadata of (id, gen), live or retired; NULL if unknown. */
const struct ipc_hook *hooktab_get(const struct hooktab *, uint32_t id,
	    uint32_t gen);
/* Free retired entries older than HOOKTAB_GRACE_NS at now. */
void	hooktab_expire(struct hooktab *, uint64_t now);
size_t	hooktab_live(const struct hooktab *);
size_t	hooktab_retired(const struct hooktab *);

/* Is s a JSON array of strings (what ipc_hook.tags_json must be)?  1/0 */
int	hooktab_tags_valid(const char *s);

#endif
