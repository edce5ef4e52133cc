/* collectord/pcache.c -- process cache keyed by exec_id (pid, ktime). */
#include "build.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "decode.h"
#include "err.h"
#include "pcache.h"
#include "str.h"
#include "xmalloc.h"

#define PCACHE_MIN_BUCKETS	1024

TAILQ_HEAD(proc_list, proc);

struct pcache {
	char		 node[PCACHE_NODE_MAX + 1];
	struct proc	**ktab;		/* by (pid, ktime) */
	struct proc	**ptab;		/* live images by pid */
	size_t		 nbuckets;	/* both tables, power of 2 */
	size_t		 count;
	struct proc_list gc;
	struct proc_list age;		/* cached entries, oldest first */
	size_t		 max;
	size_t		 bytes, max_bytes;
	size_t		 json_bytes, json_max;	/* of kept JSON objects */
	int		(*alive)(uint32_t, void *);
	void		*alive_arg;
	void		(*evict_cb)(struct proc *, int, void *);
	void		*evict_arg;
	struct pcache_stats stats;
	struct sbuf	 args;		/* an exec's arguments, formatted */
};

static const struct {
	uint32_t	 bit;
	const char	*word;
} pcache_flag_words[] = {
	{ PF_EXECVE, "execve" },
	{ PF_PROCFS, "procFS" },
	{ PF_TRUNC_FILENAME, "truncFilename" },
	{ PF_TRUNC_ARGS, "truncArgs" },
	{ PF_MISS, "miss" },
	{ PF_ERR_FILENAME, "errorFilename" },
	{ PF_ERR_ARGS, "errorArgs" },
	{ PF_NOCWD, "nocwd" },
	{ PF_ROOTCWD, "rootcwd" },
	{ PF_ERR_CWD, "errorCWD" },
	{ PF_CLONE, "clone" },
	{ PF_TRUNC_CWD, "truncCWD" },
	{ PF_UNKNOWN, "unknown" },
	{ PF_STALE, "stale" },
};

static size_t
pcache_khash(uint32_t pid, uint64_t ktime)
{
	uint64_t h = ((uint64_t)pid << 32) ^ ktime;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (size_t)h;
}

static size_t
pcache_phash(uint32_t pid)
{
	return (size_t)(pid * 2654435761U);
}

/* The default liveness probe: signal 0 checks existence and permission
 * only; EPERM means the process exists.  A pid that does not fit pid_t
 * (or 0, which names our process group) cannot be a live process. */
static int
pcache_alive_kill(uint32_t pid, void *arg)
{
	if (pid == 0 || pid > INT_MAX)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

struct pcache *
pcache_new(const char *node_name)
{
	struct pcache	*pc;

	pc = xcalloc(1, sizeof(*pc));
	snprintf(pc->node, sizeof(pc->node), "%s", node_name);
	pc->nbuckets = PCACHE_MIN_BUCKETS;
	pc->ktab = xcalloc(pc->nbuckets, sizeof(*pc->ktab));
	pc->ptab = xcalloc(pc->nbuckets, sizeof(*pc->ptab));
	TAILQ_INIT(&pc->gc);
	TAILQ_INIT(&pc->age);
	pc->max = PCACHE_MAX_DEFAULT;
	pc->max_bytes = PCACHE_MAX_BYTES_DEFAULT;
	pc->json_max = PCACHE_JSON_MAX_DEFAULT;
	pc->alive = pcache_alive_kill;
	sbuf_init(&pc->args);
	return pc;
}

void
pcache_set_max(struct pcache *pc, size_t max)
{
	pc->max = max < PCACHE_MAX_MIN ? PCACHE_MAX_MIN : max;
}

size_t
pcache_max(const struct pcache *pc)
{
	return pc->max;
}

void
pcache_set_max_bytes(struct pcache *pc, size_t max)
{
	pc->max_bytes = max < PCACHE_MAX_BYTES_MIN ? PCACHE_MAX_BYTES_MIN : max;
}

size_t
pcache_max_bytes(const struct pcache *pc)
{
	return pc->max_bytes;
}

size_t
pcache_bytes(const struct pcache *pc)
{
	return pc->bytes;
}

void
pcache_set_json_max(struct pcache *pc, size_t max)
{
	pc->json_max = max;
}

size_t
pcache_json_bytes(const struct pcache *pc)
{
	return pc->json_bytes;
}

void
pcache_set_alive(struct pcache *pc, int (*fn)(uint32_t, void *), void *arg)
{
	pc->alive = fn != NULL ? fn : pcache_alive_kill;
	pc->alive_arg = arg;
}

void
pcache_set_evict_cb(struct pcache *pc,
    void (*fn)(struct proc *, int, void *), void *arg)
{
	pc->evict_cb = fn;
	pc->evict_arg = arg;
}

const struct pcache_stats *
pcache_stats(const struct pcache *pc)
{
	return &pc->stats;
}

static void
pcache_proc_free(struct proc *p)
{
	free(p->json);
	free(p);
}

void
pcache_free(struct pcache *pc)
{
	struct proc	*p, *next;
	size_t		 i;

	if (pc == NULL)
		return;
	pcache_gc(pc);
	for (i = 0; i < pc->nbuckets; i++) {
		for (p = pc->ktab[i]; p != NULL; p = next) {
			next = p->knext;
			pcache_proc_free(p);
		}
	}
	free(pc->ktab);
	free(pc->ptab);
	sbuf_clear(&pc->args);
	free(pc);
}

const char *
pcache_node(const struct pcache *pc)
{
	return pc->node;
}

void
pcache_exec_id(const char *node, uint64_t ktime, uint32_t pid, char *dst,
    size_t dstsz)
{
	char	 raw[PCACHE_NODE_MAX + 48];
	int	 n;

	n = snprintf(raw, sizeof(raw), "%.*s:%llu:%u", PCACHE_NODE_MAX, node,
	    (unsigned long long)ktime, pid);
	if (n < 0 || (size_t)n >= sizeof(raw) ||
	    base64_encode(dst, dstsz, raw, (size_t)n) == (size_t)-1) {
		if (dstsz > 0)
			dst[0] = '\0';
	}
}

static int
pcache_b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
pcache_exec_id_parse(const char *id, char *node, uint64_t *ktime,
    uint32_t *pid)
{
	char			 raw[PROC_ID_MAX], *c1, *c2, *ep;
	size_t			 len, i, o = 0;
	int			 v[4], j, npad;
	unsigned long long	 kt, pd;

	len = strlen(id);
	if (len == 0 || len % 4 != 0 || len >= sizeof(raw))
		return ERR_PARSE;
	for (i = 0; i < len; i += 4) {
		npad = 0;
		for (j = 0; j < 4; j++) {
			if (id[i + j] == '=' && i + 4 == len && j >= 2) {
				v[j] = 0;
				npad++;
			} else if (npad > 0 ||
			    (v[j] = pcache_b64val(id[i + j])) < 0)
				return ERR_PARSE;
		}
		raw[o++] = (char)((v[0] << 2) | (v[1] >> 4));
		if (npad < 2)
			raw[o++] = (char)(((v[1] & 0xf) << 4) | (v[2] >> 2));
		if (npad < 1)
			raw[o++] = (char)(((v[2] & 3) << 6) | v[3]);
	}
	raw[o] = '\0';
	if (memchr(raw, '\0', o) != NULL)
		return ERR_PARSE;
	/* node names may not contain ':' but be lenient: split at the
	 * last two colons */
	if ((c2 = strrchr(raw, ':')) == NULL)
		return ERR_PARSE;
	*c2 = '\0';
	if ((c1 = strrchr(raw, ':')) == NULL)
		return ERR_PARSE;
	*c1 = '\0';
	if (c1[1] < '0' || c1[1] > '9' || c2[1] < '0' || c2[1] > '9')
		return ERR_PARSE;
	kt = strtoull(c1 + 1, &ep, 10);
	if (*ep != '\0')
		return ERR_PARSE;
	pd = strtoull(c2 + 1, &ep, 10);
	if (*ep != '\0' || pd > UINT32_MAX)
		return ERR_PARSE;
	if (node != NULL) {
		if (strlen(raw) > PCACHE_NODE_MAX)
			return ERR_PARSE;
		memcpy(node, raw, strlen(raw) + 1);
	}
	*ktime = kt;
	*pid = (uint32_t)pd;
	return 0;
}

char *
pcache_flags_str(uint32_t flags, char *dst, size_t dstsz)
{
	size_t	 i;

	if (dstsz == 0)
		return dst;
	dst[0] = '\0';
	for (i = 0; i < sizeof(pcache_flag_words) / sizeof(*pcache_flag_words);
	    i++) {
		if ((flags & pcache_flag_words[i].bit) == 0)
			continue;
		if (dst[0] != '\0')
			strlcat(dst, " ", dstsz);
		strlcat(dst, pcache_flag_words[i].word, dstsz);
	}
	return dst;
}

uint32_t
pcache_flags_parse(const char *s)
{
	uint32_t	 flags = 0;
	size_t		 i, n;
	const char	*p = s, *e;

	if (s == NULL)
		return 0;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		e = p;
		while (*e != '\0' && *e != ' ')
			e++;
		n = (size_t)(e - p);
		for (i = 0; n > 0 && i < sizeof(pcache_flag_words) /
		    sizeof(*pcache_flag_words); i++) {
			if (strlen(pcache_flag_words[i].word) == n &&
			    strncmp(pcache_flag_words[i].word, p, n) == 0)
				flags |= pcache_flag_words[i].bit;
		}
		p = e;
	}
	return flags;
}

static void
pcache_arg_add(struct sbuf *sb, const char *a, size_t n, int first)
{
	size_t	 i;
	int	 quote = (n == 0);

	for (i = 0; i < n && !quote; i++) {
		if (a[i] == ' ' || a[i] == '"' || a[i] == '\\')
			quote = 1;
	}
	if (!first)
		sbuf_addc(sb, ' ');
	if (!quote) {
		sbuf_add(sb, a, n);
		return;
	}
	sbuf_addc(sb, '"');
	for (i = 0; i < n; i++) {
		if (a[i] == '"' || a[i] == '\\')
			sbuf_addc(sb, '\\');
		sbuf_addc(sb, a[i]);
	}
	sbuf_addc(sb, '"');
}

void
pcache_args_format(struct sbuf *sb, const char *blk, size_t len)
{
	const char	*p = blk, *end, *nul;
	int		 idx = 0, first = 1;

	/* make sure sb->buf exists even for an empty result */
	sbuf_add(sb, "", 0);
	if (len == 0)
		return;
	/* the terminator of the last argument is not an empty argument */
	if (blk[len - 1] == '\0')
		len--;
	end = blk + len;
	for (;;) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL)
			nul = end;
		if (idx > 0) {
			pcache_arg_add(sb, p, (size_t)(nul - p), first);
			first = 0;
		}
		idx++;
		if (nul == end)
			break;
		p = nul + 1;
	}
}

static void
pcache_grow(struct pcache *pc)
{
	struct proc	**ktab, **ptab, *p, *next;
	size_t		 n = pc->nbuckets * 2, i, h;

	ktab = xcalloc(n, sizeof(*ktab));
	ptab = xcalloc(n, sizeof(*ptab));
	for (i = 0; i < pc->nbuckets; i++) {
		for (p = pc->ktab[i]; p != NULL; p = next) {
			next = p->knext;
			h = pcache_khash(p->pid, p->ktime) & (n - 1);
			p->knext = ktab[h];
			ktab[h] = p;
		}
		for (p = pc->ptab[i]; p != NULL; p = next) {
			next = p->pnext;
			h = pcache_phash(p->pid) & (n - 1);
			p->pnext = ptab[h];
			ptab[h] = p;
		}
	}
	free(pc->ktab);
	free(pc->ptab);
	pc->ktab = ktab;
	pc->ptab = ptab;
	pc->nbuckets = n;
}

struct proc *
pcache_lookup(struct pcache *pc, uint32_t pid, uint64_t ktime)
{
	struct proc	*p;

	p = pc->ktab[pcache_khash(pid, ktime) & (pc->nbuckets - 1)];
	for (; p != NULL; p = p->knext) {
		if (p->pid == pid && p->ktime == ktime)
			return p;
	}
	return NULL;
}

struct proc *
pcache_current(struct pcache *pc, uint32_t pid)
{
	struct proc	*p;

	p = pc->ptab[pcache_phash(pid) & (pc->nbuckets - 1)];
	for (; p != NULL; p = p->pnext) {
		if (p->pid == pid)
			return p;
	}
	return NULL;
}

static void
pcache_pid_unlink(struct pcache *pc, struct proc *p)
{
	struct proc	**pp;

	if (!p->in_pidtab)
		return;
	pp = &pc->ptab[pcache_phash(p->pid) & (pc->nbuckets - 1)];
	for (; *pp != NULL; pp = &(*pp)->pnext) {
		if (*pp == p) {
			*pp = p->pnext;
			break;
		}
	}
	p->pnext = NULL;
	p->in_pidtab = 0;
}

static void
pcache_pid_link(struct pcache *pc, struct proc *p)
{
	struct proc	*cur;
	size_t		 h;

	cur = pcache_current(pc, p->pid);
	if (cur != NULL) {
		if (cur->ktime > p->ktime)
			return;		/* an older image arriving late */
		pcache_pid_unlink(pc, cur);
	}
	h = pcache_phash(p->pid) & (pc->nbuckets - 1);
	p->pnext = pc->ptab[h];
	pc->ptab[h] = p;
	p->in_pidtab = 1;
}

static void
pcache_key_unlink(struct pcache *pc, struct proc *p)
{
	struct proc	**pp;

	pp = &pc->ktab[pcache_khash(p->pid, p->ktime) & (pc->nbuckets - 1)];
	for (; *pp != NULL; pp = &(*pp)->knext) {
		if (*pp == p) {
			*pp = p->knext;
			break;
		}
	}
	p->knext = NULL;
}

/* Out of the tables and onto the gc list (freed by pcache_gc). */
static void
pcache_drop(struct pcache *pc, struct proc *p)
{
	pcache_pid_unlink(pc, p);
	pcache_key_unlink(pc, p);
	TAILQ_REMOVE(&pc->age, p, list_entry);
	pc->count--;
	pc->bytes -= p->acct;
	pc->json_bytes -= p->json_len;
	TAILQ_INSERT_TAIL(&pc->gc, p, list_entry);
}

static void
pcache_unref(struct pcache *pc, struct proc *p)
{
	if (--p->refcnt > 0)
		return;
	pcache_drop(pc, p);
}

void
pcache_release(struct pcache *pc, struct proc *p)
{
	struct proc	*parent;

	if (p->released)
		return;
	p->released = 1;
	pcache_pid_unlink(pc, p);
	if (p->parent_ref) {
		p->parent_ref = 0;
		parent = pcache_lookup(pc, p->ppid, p->pktime);
		if (parent != NULL)
			pcache_unref(pc, parent);
	}
	pcache_unref(pc, p);
}

/* Evict p whatever references it: its children keep its exec_id only. */
static void
pcache_evict_one(struct pcache *pc, struct proc *p, int alive)
{
	pc->stats.evicted++;
	if (alive)
		pc->stats.evicted_live++;
	if (!p->released && pc->evict_cb != NULL)
		pc->evict_cb(p, alive, pc->evict_arg);
	if (!p->released)
		pcache_release(pc, p);
	if (p->refcnt > 0) {
		/* a parent kept for its children: they find it no more */
		p->refcnt = 0;
		pcache_drop(pc, p);
	}
}

/*
 * Make room below the bound (see pcache.h): from the oldest entry on,
 * evict released entries and those whose pid is gone, give live ones a
 * second chance; after 4 batches of live ones, evict the oldest anyway.
 */
static void
pcache_evict(struct pcache *pc)
{
	struct proc	*p;
	size_t		 batch, target, btarget, moved = 0;
	int		 alive;

	batch = pc->max / 64 > 0 ? pc->max / 64 : 1;
	target = pc->count >= pc->max ? pc->max - batch : SIZE_MAX;
	btarget = pc->bytes >= pc->max_bytes ?
	    pc->max_bytes - pc->max_bytes / 64 : SIZE_MAX;
	while ((pc->count > target || pc->bytes > btarget) &&
	    (p = TAILQ_FIRST(&pc->age)) != NULL) {
		alive = 0;
		if (!p->released) {
			pc->stats.probes++;
			alive = pc->alive(p->pid, pc->alive_arg) != 0;
		}
		if (alive && moved < 4 * batch) {
			moved++;
			TAILQ_REMOVE(&pc->age, p, list_entry);
			TAILQ_INSERT_TAIL(&pc->age, p, list_entry);
			continue;
		}
		pcache_evict_one(pc, p, alive);
	}
}

/* Room for one more entry: evict below the bounds, grow the tables. */
static void
pcache_make_room(struct pcache *pc)
{
	if (pc->count >= pc->max || pc->bytes >= pc->max_bytes)
		pcache_evict(pc);
	if (pc->count >= pc->nbuckets)
		pcache_grow(pc);
}

static char *
pcache_put(char **d, const char *s, size_t n)
{
	char	*r = *d;

	if (n > 0)
		memcpy(r, s, n);
	r[n] = '\0';
	*d = r + n + 1;
	return r;
}

/*
 * New entry (after pcache_make_room): one allocation with its strings,
 * linked into the tables, refcnt 1, parent (NULL if not cached)
 * referenced.
 */
static struct proc *
pcache_add(struct pcache *pc, uint32_t pid, uint64_t ktime, uint32_t ppid,
    uint64_t pktime, struct proc *parent, const char *bin, size_t lbin,
    const char *args, size_t largs, const char *cwd, size_t lcwd)
{
	struct proc	*p;
	char		 id[PROC_ID_MAX], pid_s[PROC_ID_MAX], *d;
	size_t		 lid, lpid = 0, h, sz;

	pcache_exec_id(pc->node, ktime, pid, id, sizeof(id));
	lid = strlen(id);
	pid_s[0] = '\0';
	if (ppid != 0) {
		pcache_exec_id(pc->node, pktime, ppid, pid_s, sizeof(pid_s));
		lpid = strlen(pid_s);
	}
	sz = sizeof(*p) + lid + lpid + lbin + largs + lcwd + 5;
	p = xmalloc(sz);
	memset(p, 0, sizeof(*p));
	d = (char *)(p + 1);
	p->exec_id = pcache_put(&d, id, lid);
	p->parent_exec_id = pcache_put(&d, pid_s, lpid);
	p->binary = pcache_put(&d, bin, lbin);
	p->args = pcache_put(&d, args, largs);
	p->cwd = pcache_put(&d, cwd, lcwd);
	p->pid = pid;
	p->ktime = ktime;
	p->ppid = ppid;
	p->pktime = pktime;
	if (parent != NULL) {
		parent->refcnt++;
		p->parent_ref = 1;
	}
	p->refcnt = 1;
	h = pcache_khash(pid, ktime) & (pc->nbuckets - 1);
	p->knext = pc->ktab[h];
	pc->ktab[h] = p;
	pc->count++;
	TAILQ_INSERT_TAIL(&pc->age, p, list_entry);
	pcache_pid_link(pc, p);
	p->acct = (uint32_t)sz;
	pc->bytes += sz;
	return p;
}

/* An older live image of this pid is replaced by a newer one. */
static struct proc *
pcache_replace_old(struct pcache *pc, uint32_t pid, uint64_t ktime)
{
	struct proc	*old;

	old = pcache_current(pc, pid);
	if (old == NULL || old->ktime >= ktime)
		return NULL;
	pcache_release(pc, old);
	return old;
}

int
pcache_exec(struct pcache *pc, const struct dec_event *ev,
    struct pcache_res *res)
{
	struct proc	*p;

	memset(res, 0, sizeof(*res));
	if (ev->type != EV_EXEC)
		return ERR_RANGE;
	if ((p = pcache_lookup(pc, ev->pid, ev->ktime)) != NULL) {
		res->proc = p;
		res->parent = pcache_lookup(pc, p->ppid, p->pktime);
		res->dup = 1;
		return 0;
	}
	res->replaced = pcache_replace_old(pc, ev->pid, ev->ktime);
	pcache_make_room(pc);
	if (ev->ppid_key != 0)
		res->parent = pcache_lookup(pc, ev->ppid_key, ev->pktime);
	sbuf_reset(&pc->args);
	pcache_args_format(&pc->args, ev->args, ev->args_len);
	p = pcache_add(pc, ev->pid, ev->ktime, ev->ppid_key, ev->pktime,
	    res->parent, ev->filename, ev->filename_len, pc->args.buf,
	    pc->args.len, ev->cwd, ev->cwd_len);
	p->tid = ev->tid;
	p->uid = ev->uid;
	p->euid = ev->euid;
	p->gid = ev->gid;
	p->egid = ev->egid;
	p->auid = ev->auid;
	p->flags = PF_EXECVE;
	if (res->parent == NULL)
		p->flags |= PF_MISS;
	if (ev->flags & EVF_TRUNC_FILENAME)
		p->flags |= PF_TRUNC_FILENAME;
	if (ev->flags & EVF_TRUNC_ARGS)
		p->flags |= PF_TRUNC_ARGS;
	if (ev->flags & EVF_TRUNC_CWD)
		p->flags |= PF_TRUNC_CWD;
	if (ev->flags & EVF_ERR_FILENAME)
		p->flags |= PF_ERR_FILENAME;
	if (ev->flags & EVF_ERR_ARGS)
		p->flags |= PF_ERR_ARGS;
	if (ev->flags & EVF_ERR_CWD)
		p->flags |= PF_ERR_CWD;
	if ((ev->flags & EVF_ROOTCWD) ||
	    (ev->cwd_len == 1 && ev->cwd[0] == '/'))
		p->flags |= PF_ROOTCWD;
	res->proc = p;
	return 0;
}

int
pcache_fork(struct pcache *pc, const struct dec_event *ev,
    struct pcache_res *res)
{
	struct proc	*p, *parent = NULL;

	memset(res, 0, sizeof(*res));
	if (ev->type != EV_FORK)
		return ERR_RANGE;
	if ((p = pcache_lookup(pc, ev->pid, ev->ktime)) != NULL) {
		res->proc = p;
		res->parent = pcache_lookup(pc, p->ppid, p->pktime);
		res->dup = 1;
		return 0;
	}
	/* a live image of a reused pid: its exit was lost */
	res->replaced = pcache_replace_old(pc, ev->pid, ev->ktime);
	pcache_make_room(pc);
	if (ev->ppid_key != 0)
		parent = pcache_lookup(pc, ev->ppid_key, ev->pktime);
	if (parent != NULL)
		p = pcache_add(pc, ev->pid, ev->ktime, ev->ppid_key,
		    ev->pktime, parent, parent->binary, strlen(parent->binary),
		    parent->args, strlen(parent->args), parent->cwd,
		    strlen(parent->cwd));
	else
		p = pcache_add(pc, ev->pid, ev->ktime, ev->ppid_key,
		    ev->pktime, NULL, "", 0, "", 0, "", 0);
	res->parent = parent;
	p->tid = ev->tid;
	p->flags = PF_CLONE;
	if (parent != NULL) {
		p->uid = parent->uid;
		p->euid = parent->euid;
		p->gid = parent->gid;
		p->egid = parent->egid;
		p->auid = parent->auid;
		p->flags |= parent->flags & (PF_TRUNC_FILENAME |
		    PF_TRUNC_ARGS | PF_TRUNC_CWD | PF_ERR_FILENAME |
		    PF_ERR_ARGS | PF_ERR_CWD | PF_ROOTCWD | PF_NOCWD);
	} else {
		p->flags |= PF_MISS;
		p->auid = (uint32_t)-1;
	}
	res->proc = p;
	return 0;
}

int
pcache_exit(struct pcache *pc, const struct dec_event *ev,
    struct pcache_res *res)
{
	struct proc	*p;

	memset(res, 0, sizeof(*res));
	if (ev->type != EV_EXIT)
		return ERR_RANGE;
	if ((p = pcache_lookup(pc, ev->pid, ev->ktime)) == NULL) {
		/* unknown process: create nothing; best-effort parent */
		res->parent = pcache_current(pc, ev->ppid);
		return 0;
	}
	res->proc = p;
	res->parent = pcache_lookup(pc, p->ppid, p->pktime);
	if (p->released) {
		res->dup = 1;
		return 0;
	}
	p->exit_ns = ev->time_ns;
	/* parent stays valid until pcache_gc even if this frees it */
	pcache_release(pc, p);
	return 0;
}

const char *
pcache_json(const struct proc *p, int64_t off, size_t *len)
{
	if (p->json == NULL || p->json_off != off)
		return NULL;
	*len = p->json_len;
	return p->json;
}

void
pcache_json_offer(struct pcache *pc, const struct proc *cp, int64_t off,
    const char *json, size_t len)
{
	struct proc	*p;

	/* an entry of this cache (not a caller's stand-in, not dropped) */
	if (pc == NULL || (p = pcache_lookup(pc, cp->pid, cp->ktime)) != cp)
		return;
	if (!p->json_seen || p->released) {
		p->json_seen = 1;
		return;
	}
	if (len > UINT32_MAX / 2 ||
	    pc->json_bytes - p->json_len + len > pc->json_max)
		return;
	pc->bytes -= p->json_len;
	p->acct -= p->json_len;
	pc->json_bytes -= p->json_len;
	free(p->json);
	p->json = xmalloc(len + 1);
	memcpy(p->json, json, len);
	p->json[len] = '\0';
	p->json_len = (uint32_t)len;
	p->json_off = off;
	pc->bytes += len;
	pc->json_bytes += len;
	p->acct += (uint32_t)len;
}

struct proc *
pcache_insert(struct pcache *pc, const struct proc *t)
{
	struct proc	*p, *parent = NULL;
	const char	*bin, *args, *cwd;

	if (pcache_lookup(pc, t->pid, t->ktime) != NULL)
		return NULL;
	pcache_make_room(pc);
	if (t->ppid != 0)
		parent = pcache_lookup(pc, t->ppid, t->pktime);
	bin = t->binary != NULL ? t->binary : "";
	args = t->args != NULL ? t->args : "";
	cwd = t->cwd != NULL ? t->cwd : "";
	p = pcache_add(pc, t->pid, t->ktime, t->ppid, t->pktime, parent,
	    bin, strlen(bin), args, strlen(args), cwd, strlen(cwd));
	p->tid = t->tid;
	p->uid = t->uid;
	p->euid = t->euid;
	p->gid = t->gid;
	p->egid = t->egid;
	p->auid = t->auid;
	p->flags = t->flags;
	p->stored = t->stored;
	return p;
}

size_t
pcache_count(const struct pcache *pc)
{
	return pc->count;
}

void
pcache_foreach(struct pcache *pc, void (*fn)(struct proc *, void *),
    void *arg)
{
	struct proc	*p, *next;
	size_t		 i;

	for (i = 0; i < pc->nbuckets; i++) {
		for (p = pc->ktab[i]; p != NULL; p = next) {
			next = p->knext;
			fn(p, arg);
		}
	}
}

size_t
pcache_gc(struct pcache *pc)
{
	struct proc	*p;
	size_t		 n = 0;

	while ((p = TAILQ_FIRST(&pc->gc)) != NULL) {
		TAILQ_REMOVE(&pc->gc, p, list_entry);
		pcache_proc_free(p);
		n++;
	}
	return n;
}
