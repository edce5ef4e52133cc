/*
 * collectord/outbox.c -- alert routing at store time and the durable
 * delivery scheduler (routing, grouping, retries, circuit breaker, rate
 * limit).  Semantics: docs/alerts-routing.md.
 */
#include "build.h"

#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "decode.h"
#include "err.h"
#include "export.h"
#include "generic.h"
#include "ipc_msg.h"
#include "jsonw.h"
#include "log.h"
#include "outbox.h"
#include "pcache.h"
#include "policy.h"
#include "store.h"
#include "str.h"
#include "xmalloc.h"

#define OB_GRACE_MS	5000	/* beyond 3 x timeout for an answer */

enum ob_circuit {
	OB_CLOSED = 0,
	OB_OPEN,
	OB_HALF_OPEN,
};

/* Pacing state of one destination: a receiver, or "<kind> <target>" for
 * action jobs. */
struct ob_dest {
	char		*key;
	uint32_t	 inflight;
	enum ob_circuit	 circuit;
	uint32_t	 failures;	/* consecutive */
	uint64_t	 open_until;	/* ns */
	uint64_t	 probe_id;	/* half-open: the job in flight */
	uint64_t	*sent_at;	/* rate limit: ring of send times */
	uint32_t	 nsent_at;
	uint32_t	 sent_pos;
	/* the "N more" summary job (0: none), when it was started (its due
	 * time, kept when it grows) and what it stands for */
	uint64_t	 sum_id;
	uint64_t	 sum_due;
	uint64_t	 sum_rows;
	uint64_t	 sum_hits;
	uint64_t	 sum_sev[AL_SEV_CRITICAL + 1];
};

/* Timers of one group (route, receiver, key), in a hash table. */
struct ob_group {
	char		*route;
	char		*receiver;
	char		*key;
	uint64_t	 hash;
	struct ob_group	*next;		/* in its bucket */
	uint64_t	 flush_at;	/* waiting rows flush then; 0: none */
	uint64_t	 last_flush;	/* any flush (group_interval) */
	uint64_t	 last_notify;	/* a job was made (repeat_interval) */
	uint64_t	 leader;	/* outbox id of the last job */
};

/* A result that came while the store was locked by another connection:
 * applied at the next scheduler run that can write. */
struct ob_held {
	uint64_t	 id;
	uint32_t	 status;
	uint32_t	 code;
	uint64_t	 retry_after_ms;
	uint64_t	 duration_us;
	char		*detail;
};

struct outbox {
	struct store		*st;
	const struct al_config	*cfg;
	struct outbox_hooks	 hooks;
	uint64_t		 rng;
	int			 peer_up;
	int			 dirty;	/* rows written since the last run */
	struct ob_dest		*dests;
	size_t			 ndests;
	struct ob_group		**gtab;	/* buckets (a power of 2) */
	size_t			 gbuckets;
	size_t			 ngroups;
	uint64_t		 hkey[2];	/* random: groups, fingerprints */
	size_t			 last_rows;
	struct sbuf		 sb;	/* scratch */
	struct sbuf		 hb;	/* scratch: what is hashed */
	struct ob_held		*held;	/* at most OUTBOX_HELD_MAX */
	size_t			 nheld;
	struct outbox_stats	 stats;
};

static void	ob_held_apply(struct outbox *);

static const char *const ob_sev_names[] = {
	[AL_SEV_INFO] = "info",
	[AL_SEV_LOW] = "low",
	[AL_SEV_MEDIUM] = "medium",
	[AL_SEV_HIGH] = "high",
	[AL_SEV_CRITICAL] = "critical",
};

static const char *const ob_kind_names[] = {
	[AL_SLACK] = "slack",
	[AL_SMS] = "sms",
	[AL_EMAIL] = "email",
	[AL_WEBHOOK] = "webhook",
	[AL_CANARY_HTTP] = "canary_http",
	[AL_CANARY_DNS] = "canary_dns",
};

const char *
outbox_severity_name(enum al_severity s)
{
	if ((size_t)s >= sizeof(ob_sev_names) / sizeof(ob_sev_names[0]))
		return "info";
	return ob_sev_names[s];
}

static int
ob_sev_parse(const char *s, size_t len, enum al_severity *out)
{
	size_t	 i;

	for (i = 0; i < sizeof(ob_sev_names) / sizeof(ob_sev_names[0]); i++) {
		if (strlen(ob_sev_names[i]) == len &&
		    strncasecmp(s, ob_sev_names[i], len) == 0) {
			*out = (enum al_severity)i;
			return 0;
		}
	}
	return ERR_PARSE;
}

/* ---- severity, matching ---- */

static int
ob_sev_tag(const char *tag, void *arg)
{
	enum al_severity	*sev = arg;

	if (strncasecmp(tag, "severity", 8) != 0 ||
	    (tag[8] != '=' && tag[8] != ':'))
		return 0;
	return ob_sev_parse(tag + 9, strlen(tag + 9), sev) == 0;
}

enum al_severity
outbox_severity(const char *tags_json, const char *message)
{
	enum al_severity	 sev = AL_SEV_INFO;
	const char		*p, *e;

	if (jw_strings_each(tags_json, ob_sev_tag, &sev) != 0)
		return sev;
	if (message != NULL) {
		p = message + strspn(message, " \t");
		if (*p == '[' && (e = strchr(p, ']')) != NULL &&
		    ob_sev_parse(p + 1, (size_t)(e - p - 1), &sev) == 0)
			return sev;
	}
	return AL_SEV_INFO;
}

static int
ob_in_list(char **list, size_t n, const char *v)
{
	size_t	 i;

	if (v == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(list[i], v) == 0)
			return 1;
	return 0;
}

static int
ob_tag_in_route(const char *tag, void *arg)
{
	const struct al_route	*rt = arg;

	return ob_in_list(rt->tags, rt->ntags, tag);
}

static int
ob_policy_type(const char *type)
{
	return type != NULL && (strcmp(type, "process_kprobe") == 0 ||
	    strcmp(type, "process_tracepoint") == 0 ||
	    strcmp(type, "process_uprobe") == 0 ||
	    strcmp(type, "process_usdt") == 0 ||
	    strcmp(type, "process_lsm") == 0);
}

int
outbox_route_match(const struct al_route *rt, const struct outbox_hit *h,
    enum al_severity sev)
{
	const char	*name;
	size_t		 i;
	int		 k, hit;

	if (rt->nevent_types > 0) {
		if (!ob_in_list(rt->event_types, rt->nevent_types, h->type))
			return 0;
	} else if (!ob_policy_type(h->type))
		return 0;
	if (rt->npolicies > 0 &&
	    !ob_in_list(rt->policies, rt->npolicies, h->policy))
		return 0;
	if (rt->ntags > 0 &&
	    jw_strings_each(h->tags, ob_tag_in_route, (void *)rt) == 0)
		return 0;
	if (rt->nactions > 0) {
		hit = 0;
		for (k = POL_ACT_POST; k < POL_ACT_MAX_ && !hit; k++) {
			if (!(h->actions & (1U << k)))
				continue;
			name = policy_action_name((enum pol_action_kind)k);
			for (i = 0; name != NULL && i < rt->nactions; i++)
				if (strcasecmp(rt->actions[i], name) == 0)
					hit = 1;
		}
		if (!hit)
			return 0;
	}
	if (rt->severity_mask != 0 && !(rt->severity_mask & (1U << sev)))
		return 0;
	return 1;
}

/* ---- backoff ---- */

uint64_t
outbox_backoff_ms(uint64_t initial_ms, uint64_t max_ms, uint32_t attempt,
    uint32_t rnd, uint64_t retry_after_ms)
{
	uint64_t	 d = initial_ms > 0 ? initial_ms : 1;
	uint32_t	 i;

	if (max_ms > OUTBOX_DELAY_MAX_MS)
		max_ms = OUTBOX_DELAY_MAX_MS;
	if (retry_after_ms > OUTBOX_RETRY_AFTER_MAX_MS)
		retry_after_ms = OUTBOX_RETRY_AFTER_MAX_MS;
	for (i = 1; i < attempt && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	/* factor 0.8 + 0.4 * rnd / 2^32, in 1/65536 steps */
	d = d * (52429 + (((uint64_t)rnd >> 16) * 26214 >> 16)) / 65536;
	if (d < retry_after_ms)
		d = retry_after_ms;
	return d;
}

/* ---- configuration values ---- */

static uint64_t
ob_cfg64(uint64_t v, uint64_t def)
{
	return v != 0 ? v : def;
}

#define OB_CFG(ob, field, def) \
	((ob)->cfg != NULL ? ob_cfg64((ob)->cfg->field, (def)) : (def))

static const struct al_receiver *
ob_receiver(const struct outbox *ob, const char *name)
{
	size_t	 i;

	if (ob->cfg == NULL || name == NULL || name[0] == '\0')
		return NULL;
	for (i = 0; i < ob->cfg->nreceivers; i++)
		if (strcmp(ob->cfg->receivers[i].name, name) == 0)
			return &ob->cfg->receivers[i];
	return NULL;
}

static uint32_t
ob_rand(struct outbox *ob)
{
	if (ob->hooks.rnd != NULL)
		return ob->hooks.rnd(ob->hooks.arg);
	/* xorshift64* */
	ob->rng ^= ob->rng >> 12;
	ob->rng ^= ob->rng << 25;
	ob->rng ^= ob->rng >> 27;
	return (uint32_t)((ob->rng * 2685821657736338717ULL) >> 32);
}

static uint64_t
ob_now(struct outbox *ob)
{
	return ob->hooks.now(ob->hooks.arg);
}

/* ---- destinations: circuit breaker, in flight, rate limit ---- */

/* The destination of key (taken). */
static struct ob_dest *
ob_dest_key(struct outbox *ob, char *key)
{
	struct ob_dest	*d;
	size_t		 i;

	for (i = 0; i < ob->ndests; i++) {
		if (strcmp(ob->dests[i].key, key) == 0) {
			free(key);
			return &ob->dests[i];
		}
	}
	ob->dests = xreallocarray(ob->dests, ob->ndests + 1,
	    sizeof(*ob->dests));
	d = &ob->dests[ob->ndests++];
	memset(d, 0, sizeof(*d));
	d->key = key;
	return d;
}

static struct ob_dest *
ob_dest(struct outbox *ob, const char *receiver, const char *kind,
    const char *target)
{
	char	*key;

	if (receiver != NULL && receiver[0] != '\0')
		key = xstrdup(receiver);
	else
		xasprintf(&key, "%s %s", kind != NULL ? kind : "?",
		    target != NULL ? target : "");
	return ob_dest_key(ob, key);
}

const char *
outbox_circuit(struct outbox *ob, const char *dest)
{
	size_t	 i;

	for (i = 0; i < ob->ndests; i++) {
		if (strcmp(ob->dests[i].key, dest) != 0)
			continue;
		switch (ob->dests[i].circuit) {
		case OB_OPEN:
			return "open";
		case OB_HALF_OPEN:
			return "half-open";
		default:
			return "closed";
		}
	}
	return "closed";
}

/* May a job go to d now?  1/0. */
static int
ob_dest_ready(struct outbox *ob, struct ob_dest *d, uint64_t now)
{
	const struct al_receiver *rcv = ob_receiver(ob, d->key);
	uint64_t	 per;
	uint32_t	 i, n;

	if (d->circuit == OB_OPEN) {
		if (now < d->open_until)
			return 0;
		d->circuit = OB_HALF_OPEN;
		d->probe_id = 0;
		log_info("alerts: %s: circuit half-open, sending one probe",
		    d->key);
	}
	if (d->circuit == OB_HALF_OPEN && (d->probe_id != 0 ||
	    d->inflight > 0))
		return 0;
	if (d->inflight >= (uint32_t)OB_CFG(ob, max_inflight,
	    OUTBOX_MAX_INFLIGHT))
		return 0;
	if (rcv != NULL && rcv->rl_count > 0 && rcv->rl_per_ms > 0) {
		if (d->nsent_at != rcv->rl_count) {
			free(d->sent_at);
			d->sent_at = xcalloc(rcv->rl_count,
			    sizeof(*d->sent_at));
			d->nsent_at = rcv->rl_count;
			d->sent_pos = 0;
		}
		per = rcv->rl_per_ms * 1000000ULL;
		for (i = 0, n = 0; i < d->nsent_at; i++)
			if (d->sent_at[i] != 0 && d->sent_at[i] + per > now)
				n++;
		if (n >= rcv->rl_count)
			return 0;
	}
	return 1;
}

static void
ob_dest_sent(struct ob_dest *d, uint64_t id, uint64_t now)
{
	d->inflight++;
	if (d->circuit == OB_HALF_OPEN)
		d->probe_id = id;
	if (d->nsent_at > 0) {
		d->sent_at[d->sent_pos] = now;
		d->sent_pos = (d->sent_pos + 1) % d->nsent_at;
	}
}

static void
ob_dest_done(struct ob_dest *d, uint64_t id)
{
	if (d->inflight > 0)
		d->inflight--;
	if (d->probe_id == id)
		d->probe_id = 0;
}

/* The sink answered (delivered or permanent failure). */
static void
ob_circuit_ok(struct ob_dest *d)
{
	if (d->circuit != OB_CLOSED)
		log_info("alerts: %s: circuit closed", d->key);
	d->circuit = OB_CLOSED;
	d->failures = 0;
}

static void
ob_circuit_fail(struct outbox *ob, struct ob_dest *d, uint64_t now)
{
	uint64_t	 open_ms = OB_CFG(ob, circuit_open_ms,
			    OUTBOX_CIRCUIT_OPEN_MS);

	d->failures++;
	if (d->circuit == OB_HALF_OPEN || (d->circuit == OB_CLOSED &&
	    d->failures >= (uint32_t)OB_CFG(ob, circuit_failures,
	    OUTBOX_CIRCUIT_FAILURES))) {
		if (d->circuit == OB_CLOSED)
			log_warnx("alerts: %s: %u failures in a row, circuit"
			    " open for %llu ms", d->key, d->failures,
			    (unsigned long long)open_ms);
		d->circuit = OB_OPEN;
		d->open_until = now + open_ms * 1000000ULL;
	}
}

/* ---- groups ---- */

static int
ob_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* ---- keyed hashing ---- */

#define OB_ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void
ob_sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = OB_ROTL(v[1], 13) ^ v[0];
	v[0] = OB_ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = OB_ROTL(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = OB_ROTL(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = OB_ROTL(v[1], 17) ^ v[2];
	v[2] = OB_ROTL(v[2], 32);
}

/* One 8-byte word into the state: c (2) rounds. */
static void
ob_sipword(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	ob_sipround(v);
	ob_sipround(v);
	v[0] ^= m;
}

uint64_t
outbox_siphash(const uint64_t k[2], const void *data, size_t len)
{
	const uint8_t	*p = data;
	uint64_t	 v[4], m;
	size_t		 i, j;

	v[0] = k[0] ^ 0x736f6d6570736575ULL;
	v[1] = k[1] ^ 0x646f72616e646f6dULL;
	v[2] = k[0] ^ 0x6c7967656e657261ULL;
	v[3] = k[1] ^ 0x7465646279746573ULL;
	for (i = 0; i + 8 <= len; i += 8) {
		for (m = 0, j = 0; j < 8; j++)
			m |= (uint64_t)p[i + j] << (8 * j);
		ob_sipword(v, m);
	}
	/* the last 0-7 bytes, and the length in the top byte */
	for (m = (uint64_t)len << 56, j = 0; i + j < len; j++)
		m |= (uint64_t)p[i + j] << (8 * j);
	ob_sipword(v, m);
	v[2] ^= 0xff;
	for (j = 0; j < 4; j++)
		ob_sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* Keyed hash of n strings (NULL differs from ""). */
static uint64_t
ob_hash_strs(struct outbox *ob, const char *const *v, size_t n)
{
	size_t	 i;

	sbuf_reset(&ob->hb);
	for (i = 0; i < n; i++) {
		sbuf_addc(&ob->hb, v[i] != NULL ? 1 : 0);
		if (v[i] != NULL)
			sbuf_add(&ob->hb, v[i], strlen(v[i]) + 1);
	}
	return outbox_siphash(ob->hkey, ob->hb.buf, ob->hb.len);
}

/* ---- the group table ---- */

static uint64_t
ob_group_hash(struct outbox *ob, const char *route, const char *receiver,
    const char *key)
{
	const char	*v[3] = { route, receiver != NULL ? receiver : "", key };

	return ob_hash_strs(ob, v, 3);
}

static struct ob_group *
ob_group_find(struct outbox *ob, const char *route, const char *receiver,
    const char *key)
{
	struct ob_group	*g;
	uint64_t	 h = ob_group_hash(ob, route, receiver, key);

	if (receiver == NULL)
		receiver = "";
	for (g = ob->gtab[h & (ob->gbuckets - 1)]; g != NULL; g = g->next)
		if (g->hash == h && ob_streq(g->route, route) &&
		    strcmp(g->receiver, receiver) == 0 &&
		    ob_streq(g->key, key))
			return g;
	return NULL;
}

/* Twice the buckets while there are more groups than buckets. */
static void
ob_groups_grow(struct outbox *ob)
{
	struct ob_group	**tab, *g, *next;
	size_t		 n = ob->gbuckets * 2, i;

	if (ob->ngroups <= ob->gbuckets || n > OUTBOX_GROUPS_MAX)
		return;
	tab = xcalloc(n, sizeof(*tab));
	for (i = 0; i < ob->gbuckets; i++) {
		for (g = ob->gtab[i]; g != NULL; g = next) {
			next = g->next;
			g->next = tab[g->hash & (n - 1)];
			tab[g->hash & (n - 1)] = g;
		}
	}
	free(ob->gtab);
	ob->gtab = tab;
	ob->gbuckets = n;
}

static struct ob_group *
ob_group_add(struct outbox *ob, const char *route, const char *receiver,
    const char *key)
{
	struct ob_group	*g, **b;

	g = xcalloc(1, sizeof(*g));
	g->route = route != NULL ? xstrdup(route) : NULL;
	g->receiver = xstrdup(receiver != NULL ? receiver : "");
	g->key = key != NULL ? xstrdup(key) : NULL;
	g->hash = ob_group_hash(ob, route, receiver, key);
	b = &ob->gtab[g->hash & (ob->gbuckets - 1)];
	g->next = *b;
	*b = g;
	ob->stats.groups = ++ob->ngroups;
	ob_groups_grow(ob);
	return g;
}

static void
ob_group_free(struct ob_group *g)
{
	free(g->route);
	free(g->receiver);
	free(g->key);
	free(g);
}

/* The group, or a new one while there is room: NULL when the table is
 * full. */
static struct ob_group *
ob_group(struct outbox *ob, const char *route, const char *receiver,
    const char *key)
{
	struct ob_group	*g;

	if ((g = ob_group_find(ob, route, receiver, key)) != NULL)
		return g;
	if (ob->ngroups >= OUTBOX_GROUPS_MAX)
		return NULL;
	return ob_group_add(ob, route, receiver, key);
}

/*
 * The group of a hit at store time.  Above OUTBOX_GROUPS_MAX a new key
 * is replaced (*key freed) by the route and receiver's overflow group,
 * which is made even when the table is full (there is one per route and
 * receiver).  *ovf is set when that happened.
 */
static struct ob_group *
ob_group_take(struct outbox *ob, const char *route, const char *receiver,
    char **key, int *ovf)
{
	struct ob_group	*g;

	*ovf = 0;
	if ((g = ob_group(ob, route, receiver, *key)) != NULL)
		return g;
	free(*key);
	*key = xstrdup(OUTBOX_GROUP_OVERFLOW);
	*ovf = 1;
	if ((g = ob_group_find(ob, route, receiver, *key)) != NULL)
		return g;
	return ob_group_add(ob, route, receiver, *key);
}

static const struct al_route *
ob_route(const struct outbox *ob, const char *name)
{
	size_t	 i;

	if (ob->cfg == NULL || name == NULL)
		return NULL;
	for (i = 0; i < ob->cfg->nroutes; i++)
		if (ob->cfg->routes[i].name != NULL &&
		    strcmp(ob->cfg->routes[i].name, name) == 0)
			return &ob->cfg->routes[i];
	return NULL;
}

/* Forget groups idle for longer than their intervals. */
static void
ob_groups_expire(struct outbox *ob, uint64_t now)
{
	const struct al_route	*rt;
	struct ob_group		*g, **gp;
	uint64_t		 keep;
	size_t			 i;

	for (i = 0; i < ob->gbuckets; i++) {
		for (gp = &ob->gtab[i]; (g = *gp) != NULL;) {
			rt = ob_route(ob, g->route);
			keep = rt != NULL ? rt->group_interval_ms : 0;
			if (rt != NULL && rt->repeat_interval_ms > keep)
				keep = rt->repeat_interval_ms;
			if (g->flush_at != 0 ||
			    g->last_flush + keep * 1000000ULL > now) {
				gp = &g->next;
				continue;
			}
			*gp = g->next;
			ob_group_free(g);
			ob->ngroups--;
		}
	}
	ob->stats.groups = ob->ngroups;
}

/* ---- lifecycle ---- */

/* A random key for the keyed hashes (one per process). */
static void
ob_random_key(uint64_t k[2])
{
	ssize_t	 n;

	do
		n = getrandom(k, 2 * sizeof(*k), 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)(2 * sizeof(*k)))
		fatal("outbox: getrandom");
}

struct outbox *
outbox_new(struct store *st, const struct outbox_hooks *hooks)
{
	struct outbox	*ob;
	int		 n;

	ob = xcalloc(1, sizeof(*ob));
	ob->st = st;
	ob->hooks = *hooks;
	ob->rng = (uint64_t)getpid() << 32 ^ hooks->now(hooks->arg) ^
	    0x9e3779b97f4a7c15ULL;
	ob_random_key(ob->hkey);
	ob->gbuckets = 64;
	ob->gtab = xcalloc(ob->gbuckets, sizeof(*ob->gtab));
	sbuf_init(&ob->sb);
	sbuf_init(&ob->hb);
	if (store_ob_prepare(st) != 0)
		fatalx("outbox: cannot prepare the queue's statements");
	/* the database's salt of idempotency keys, made before the sandbox */
	if (store_idem_init(st) != 0)
		fatalx("outbox: no idempotency salt");
	/* nothing is in flight at start: resend what was */
	if ((n = store_ob_reset_inflight(st)) < 0)
		ob->stats.db_errors++;
	else if (n > 0)
		log_info("alerts: %d jobs were in flight at the last stop:"
		    " pending again", n);
	if (store_flush(st) != 0)
		ob->stats.db_errors++;
	return ob;
}

void
outbox_free(struct outbox *ob)
{
	struct ob_group	*g;
	size_t		 i;

	if (ob == NULL)
		return;
	/* held results: written if the store lets us now, else their jobs
	 * are pending again at the next start */
	if (ob->nheld > 0 && store_write_begin(ob->st) == 0)
		ob_held_apply(ob);
	for (i = 0; i < ob->nheld; i++)
		free(ob->held[i].detail);
	for (i = 0; i < ob->ndests; i++) {
		free(ob->dests[i].key);
		free(ob->dests[i].sent_at);
	}
	free(ob->dests);
	for (i = 0; i < ob->gbuckets; i++) {
		while ((g = ob->gtab[i]) != NULL) {
			ob->gtab[i] = g->next;
			ob_group_free(g);
		}
	}
	free(ob->gtab);
	free(ob->held);
	sbuf_clear(&ob->sb);
	sbuf_clear(&ob->hb);
	free(ob);
}

void
outbox_set_config(struct outbox *ob, const struct al_config *cfg)
{
	ob->cfg = cfg;
}

const struct outbox_stats *
outbox_stats(const struct outbox *ob)
{
	return &ob->stats;
}

size_t
outbox_last_rows(const struct outbox *ob)
{
	return ob->last_rows;
}

void
outbox_bad_msg(struct outbox *ob)
{
	ob->stats.bad_msgs++;
}

static void
ob_kick(struct outbox *ob)
{
	if (ob->hooks.kick != NULL)
		ob->hooks.kick(ob->hooks.arg);
}

static void
ob_meta(struct outbox *ob, const char *key, int64_t n)
{
	if (n != 0 && store_meta_add(ob->st, key, n) != 0)
		ob->stats.db_errors++;
}

/* ---- payload of one hit ---- */

static void
ob_esc(struct sbuf *sb, const char *s)
{
	size_t	 len, cap;
	char	*tmp;

	if (s == NULL || s[0] == '\0') {
		sbuf_addc(sb, '?');
		return;
	}
	len = strlen(s);
	cap = len * 4 + 1;
	tmp = xmalloc(cap);
	str_escape(tmp, cap, s, len);
	sbuf_adds(sb, tmp);
	free(tmp);
}

/* Escaped, one line, at most max bytes (cut at a character boundary). */
static void
ob_cap(struct sbuf *sb, size_t from, size_t max)
{
	if (sb->len - from <= max)
		return;
	sb->len = from + max - 3;
	while (sb->len > from && (sb->buf[sb->len] & 0xc0) == 0x80)
		sb->len--;
	sb->buf[sb->len] = '\0';
	sbuf_adds(sb, "...");
}

/* {"title":..,"text":..,"fp":..,"event":<raw>}; fp may be NULL (null). */
static void
ob_payload_json(struct sbuf *pl, const struct sbuf *title,
    const struct sbuf *text, const char *fp, const char *event)
{
	struct jsonw	 w;

	jw_init(&w, pl);
	jw_obj(&w);
	jw_kstrn(&w, "title", title->buf, title->len);
	jw_kstrn(&w, "text", text->buf, text->len);
	jw_kstr(&w, "fp", fp);
	jw_kraw(&w, "event", event);
	jw_end(&w);
}

static char *
ob_payload(struct outbox *ob, const struct outbox_hit *h,
    enum al_severity sev, char *fp, size_t fpsz)
{
	struct sbuf	 title, text, pl;
	char		*out;

	sbuf_init(&title);
	sbuf_init(&text);
	sbuf_init(&pl);
	sbuf_addf(&title, "[%s] ", outbox_severity_name(sev));
	ob_esc(&title, h->policy);
	sbuf_adds(&title, ": ");
	ob_esc(&title, h->binary);
	sbuf_addc(&title, ' ');
	ob_esc(&title, h->function);
	if (h->call_args != NULL && h->call_args[0] != '\0') {
		sbuf_addc(&title, ' ');
		ob_esc(&title, h->call_args);
	}
	ob_cap(&title, 0, OUTBOX_TITLE_MAX);

	sbuf_adds(&text, "policy: ");
	ob_esc(&text, h->policy);
	sbuf_addf(&text, "\nseverity: %s", outbox_severity_name(sev));
	if (h->message != NULL && h->message[0] != '\0') {
		sbuf_adds(&text, "\nmessage: ");
		ob_esc(&text, h->message);
	}
	sbuf_adds(&text, "\nevent: ");
	ob_esc(&text, h->type);
	sbuf_adds(&text, "\nfunction: ");
	ob_esc(&text, h->function);
	sbuf_adds(&text, "\naction: ");
	ob_esc(&text, h->action);
	if (h->actions_json != NULL) {
		sbuf_adds(&text, " ");
		ob_esc(&text, h->actions_json);
	}
	sbuf_addf(&text, "\nprocess: %u ", h->pid);
	ob_esc(&text, h->binary);
	if (h->args != NULL && h->args[0] != '\0') {
		sbuf_addc(&text, ' ');
		ob_esc(&text, h->args);
	}
	sbuf_adds(&text, "  cwd=");
	ob_esc(&text, h->cwd);
	sbuf_addf(&text, " uid=%u", h->uid);
	if (h->parent_pid != 0) {
		sbuf_addf(&text, "\nparent: %u ", h->parent_pid);
		ob_esc(&text, h->parent_binary);
	}
	sbuf_adds(&text, "\nargs: ");
	ob_esc(&text, h->call_args);
	sbuf_adds(&text, "\ntime: ");
	ob_esc(&text, h->time);
	sbuf_adds(&text, "\nnode: ");
	ob_esc(&text, store_node(ob->st));
	ob_cap(&text, 0, OUTBOX_TEXT_MAX);

	outbox_fingerprint(ob, h, fp, fpsz);

	if (h->event_json != NULL && h->event_json[0] != '\0' &&
	    strlen(h->event_json) <= OUTBOX_EVENT_JSON_MAX)
		ob_payload_json(&pl, &title, &text, fp, h->event_json);
	else
		ob_payload_json(&pl, &title, &text, fp, "{\"truncated\":true}");
	out = xstrdup(pl.buf);
	sbuf_clear(&title);
	sbuf_clear(&text);
	sbuf_clear(&pl);
	return out;
}

void
outbox_fingerprint(struct outbox *ob, const struct outbox_hit *h, char *fp,
    size_t fpsz)
{
	const char	*v[4] = { h->policy, h->function, h->binary,
			    h->call_args };

	snprintf(fp, fpsz, "%016llx", (unsigned long long)ob_hash_strs(ob,
	    v, 4));
}

/* ---- routing at store time ---- */

static const char *
ob_label(const struct outbox_hit *h, const char *node, const char *label)
{
	if (strcmp(label, "policy") == 0)
		return h->policy;
	if (strcmp(label, "binary") == 0)
		return h->binary;
	if (strcmp(label, "function") == 0)
		return h->function;
	if (strcmp(label, "node") == 0)
		return node;
	if (strcmp(label, "parent_binary") == 0)
		return h->parent_binary;
	return NULL;
}

/* group_by values as a JSON array: ["etc-writes","/usr/bin/tee"] */
static char *
ob_group_key(const struct al_route *rt, const struct outbox_hit *h,
    const char *node)
{
	struct sbuf	 sb;
	struct jsonw	 w;
	char		*out;
	size_t		 i;

	sbuf_init(&sb);
	jw_init(&w, &sb);
	jw_arr(&w);
	for (i = 0; i < rt->ngroup_by; i++)
		jw_str(&w, ob_label(h, node, rt->group_by[i]));
	jw_end(&w);
	out = xstrdup(sb.buf);
	sbuf_clear(&sb);
	return out;
}

static const char *
ob_action_kind(const char *k)
{
	if (k != NULL && strcmp(k, "geturl") == 0)
		return "canary_http";
	if (k != NULL && strcmp(k, "dnslookup") == 0)
		return "canary_dns";
	return k;
}

int
outbox_store(struct outbox *ob, const struct store_event *e,
    const struct outbox_hit *h, const struct store_alert *acts,
    size_t nacts)
{
	const struct al_route	*rt;
	const struct al_receiver *rcv;
	struct store_outbox	*rows = NULL;
	struct ob_group		*g, **grp = NULL;
	enum al_severity	 sev;
	char			*payload = NULL, **keys = NULL, fp[20];
	uint64_t		*flush = NULL, now = ob_now(ob);
	size_t			 i, j, n = 0, cap, nkeys = 0, novf = 0;
	int			 r, routed = 0, routable, ovf;

	sev = outbox_severity(h->tags, h->message);
	/* no alerts file, or one without routes: nothing is routed, and
	 * nothing counted as unrouted */
	routable = ob->cfg != NULL && ob->cfg->nroutes > 0;
	cap = nacts;
	if (ob->cfg != NULL)
		for (i = 0; i < ob->cfg->nroutes; i++)
			cap += ob->cfg->routes[i].nreceivers;
	if (cap > 0) {
		rows = xcalloc(cap, sizeof(*rows));
		grp = xcalloc(cap, sizeof(*grp));
		flush = xcalloc(cap, sizeof(*flush));
		keys = xcalloc(cap, sizeof(*keys));
	}
	for (i = 0; i < nacts; i++) {
		rows[n].receiver = "";
		rows[n].kind = ob_action_kind(acts[i].kind);
		rows[n].target = acts[i].target;
		rows[n].severity = outbox_severity_name(sev);
		rows[n].state = "pending";
		rows[n].next_attempt_ns = now;
		n++;
	}
	for (i = 0; routable && i < ob->cfg->nroutes; i++) {
		rt = &ob->cfg->routes[i];
		if (!outbox_route_match(rt, h, sev))
			continue;
		routed = 1;
		for (j = 0; j < rt->nreceivers; j++) {
			if ((rcv = ob_receiver(ob, rt->receivers[j])) == NULL ||
			    (size_t)rcv->kind >= sizeof(ob_kind_names) /
			    sizeof(ob_kind_names[0]) ||
			    ob_kind_names[rcv->kind] == NULL) {
				log_warnx("alerts: route %s: no receiver %s",
				    rt->name, rt->receivers[j]);
				continue;
			}
			rows[n].receiver = rcv->name;
			rows[n].route = rt->name;
			rows[n].kind = ob_kind_names[rcv->kind];
			rows[n].target = "";
			rows[n].severity = outbox_severity_name(sev);
			rows[n].state = "pending";
			rows[n].next_attempt_ns = now;
			if (rt->ngroup_by > 0 && sev != AL_SEV_CRITICAL) {
				keys[nkeys] = ob_group_key(rt, h,
				    store_node(ob->st));
				g = ob_group_take(ob, rt->name, rcv->name,
				    &keys[nkeys], &ovf);
				novf += (size_t)ovf;
				rows[n].group_key = keys[nkeys++];
				rows[n].state = "waiting";
				if (g->flush_at != 0)
					flush[n] = g->flush_at;
				else if (g->last_flush != 0 && now <
				    g->last_flush + rt->group_interval_ms *
				    1000000ULL)
					flush[n] = g->last_flush +
					    rt->group_interval_ms * 1000000ULL;
				else
					flush[n] = now + rt->group_wait_ms *
					    1000000ULL;
				rows[n].next_attempt_ns = flush[n];
				grp[n] = g;
			}
			n++;
		}
		if (!rt->cont)
			break;
	}
	if (n > 0) {
		payload = ob_payload(ob, h, sev, fp, sizeof(fp));
		for (i = 0; i < n; i++)
			rows[i].payload = payload;
	}
	r = store_event_outbox(ob->st, e, rows, n);
	ob->last_rows = r == 0 ? n : 0;
	if (r == 0) {
		for (i = 0; i < n; i++)
			if (grp[i] != NULL)
				grp[i]->flush_at = flush[i];
		ob->stats.queued += n;
		ob_meta(ob, "alerts_queued", (int64_t)n);
		ob->stats.group_overflow += novf;
		ob_meta(ob, "alerts_group_overflow", (int64_t)novf);
		if (routable && !routed && ob_policy_type(h->type)) {
			ob->stats.unrouted++;
			ob_meta(ob, "alerts_unrouted", 1);
		}
		if (n > 0) {
			ob->dirty = 1;
			ob_kick(ob);
		}
	}
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	free(payload);
	free(rows);
	free(grp);
	free(flush);
	return r;
}

int
outbox_wants_event(const struct outbox *ob, const struct gen_render *r)
{
	return r->nalerts > 0 || (ob->cfg != NULL && ob->cfg->nroutes > 0);
}

int
outbox_store_generic(struct outbox *ob, const struct store_event *e,
    const struct gen_render *r, const struct dec_event *ev,
    const struct proc *p, const struct proc *parent)
{
	struct outbox_hit	 h;

	memset(&h, 0, sizeof(h));
	h.type = r->type;
	h.policy = r->policy;
	h.message = r->message;
	h.tags = r->tags;
	h.function = generic_str(&r->function);
	h.action = r->action;
	h.actions_json = generic_str(&r->actions);
	h.actions = ev->actions;
	h.pid = p->pid;
	h.uid = p->uid;
	h.binary = p->binary;
	h.args = p->args;
	h.cwd = p->cwd;
	if (parent != NULL) {
		h.parent_pid = parent->pid;
		h.parent_binary = parent->binary;
	} else
		h.parent_pid = p->ppid;
	h.call_args = generic_str(&r->call_args);
	h.time = r->time;
	/* the JSON line collectord exports for this event */
	if (r->rendered & EXPORT_HIT_JSON)
		h.event_json = generic_str(&r->line);
	return outbox_store(ob, e, &h, r->alerts, r->nalerts);
}

/* ---- scheduler ---- */

static void
ob_iso_now(struct outbox *ob, char *dst, size_t sz)
{
	str_iso_time(dst, sz, ob_now(ob));
}

/* A write of the queue: failures counted. */
static void
ob_w(struct outbox *ob, int r)
{
	if (r != 0)
		ob->stats.db_errors++;
}

static void
ob_delivery(struct outbox *ob, uint64_t id, int64_t attempt,
    const char *status, uint32_t code, const char *detail, double ms)
{
	char	 t[40];

	ob_iso_now(ob, t, sizeof(t));
	ob_w(ob, store_ob_delivery(ob->st, id, attempt, t, status, code,
	    detail, ms));
}

static void
ob_set_result(struct outbox *ob, uint64_t id, const char *state,
    uint64_t next, const char *err, int delivered)
{
	char	 t[40];

	if (delivered)
		ob_iso_now(ob, t, sizeof(t));
	ob_w(ob, store_ob_result(ob->st, id, state, next, err, delivered ?
	    t : NULL));
}

static void
ob_dead(struct outbox *ob, uint64_t id, const char *why)
{
	ob_set_result(ob, id, "dead", 0, why, 0);
	ob->stats.dead++;
	ob_meta(ob, "alerts_dead", 1);
}

static char *
ob_or(const char *v, const char *def)
{
	return (char *)(v != NULL ? v : def);
}

/* Fill job from a queue row (strings borrowed from it). */
static void
ob_job(const struct store_ob_job *row, struct ipc_alert_job *job,
    struct sbuf *title)
{
	memset(job, 0, sizeof(*job));
	job->job_id = row->id;
	job->receiver = ob_or(row->receiver, "");
	job->kind = ob_or(row->kind, "");
	job->target = ob_or(row->target, "");
	job->severity = ob_or(row->severity, "info");
	job->idem_key = ob_or(row->idem_key, "");
	job->count = (uint32_t)row->count;
	if (job->count == 0)
		job->count = 1;
	job->attempt = (uint32_t)row->attempts;
	sbuf_reset(title);
	if (row->title == NULL) {
		sbuf_addf(title, "[%s] %s %s", job->severity, job->kind,
		    job->target);
		job->title = title->buf;
	} else
		job->title = (char *)row->title;
	job->text = ob_or(row->text, "");
	job->event_json = ob_or(row->event, "{}");
}

static uint64_t
ob_deadline(struct outbox *ob, uint64_t now)
{
	return now + (3 * OB_CFG(ob, timeout_ms, OUTBOX_TIMEOUT_MS) +
	    OB_GRACE_MS) * 1000000ULL;
}

/* a + b, at most INT64_MAX (what an SQLite integer holds) */
static uint64_t
ob_add_ns(uint64_t a, uint64_t b)
{
	if (a > (uint64_t)INT64_MAX || b > (uint64_t)INT64_MAX - a)
		return (uint64_t)INT64_MAX;
	return a + b;
}

/* A temporary failure of job id: retried after a backoff, or dead when
 * the row is older than retry_max_age. */
static void
ob_retry(struct outbox *ob, uint64_t id, const struct store_ob_row *row,
    uint32_t code, uint64_t retry_after_ms, double ms, const char *detail,
    const char *dest, uint64_t now)
{
	char		 why[512];
	uint64_t	 delay, max_age;

	max_age = OB_CFG(ob, retry_max_age_ms, OUTBOX_RETRY_MAX_AGE_MS) *
	    1000000ULL;
	if (row->created_ns != 0 && now >= row->created_ns &&
	    now - row->created_ns >= max_age) {
		snprintf(why, sizeof(why), "expired (last: %s)", detail);
		ob_dead(ob, id, why);
		ob_delivery(ob, id, row->attempts, "failed", code, detail, ms);
		return;
	}
	delay = outbox_backoff_ms(OB_CFG(ob, retry_initial_ms,
	    OUTBOX_RETRY_INITIAL_MS), OB_CFG(ob, retry_max_ms,
	    OUTBOX_RETRY_MAX_MS), row->attempts > 0 ? (uint32_t)row->attempts :
	    1, ob_rand(ob), retry_after_ms);
	/* delay <= 1.2 x OUTBOX_DELAY_MAX_MS: no overflow in ns */
	ob_set_result(ob, id, "pending", ob_add_ns(now, delay * 1000000ULL),
	    detail, 0);
	ob_delivery(ob, id, row->attempts, "retry", code, detail, ms);
	ob->stats.retried++;
	ob_meta(ob, "alerts_retried", 1);
	log_debug("alerts: job %llu to %s: retry in %llu ms: %s",
	    (unsigned long long)id, dest, (unsigned long long)delay, detail);
}

/* ---- results held while the store is locked ---- */

static struct ob_held *
ob_held_find(struct outbox *ob, uint64_t id)
{
	size_t	 i;

	for (i = 0; i < ob->nheld; i++)
		if (ob->held[i].id == id)
			return &ob->held[i];
	return NULL;
}

/*
 * Keep a result of job id (checked in flight) for later.  Beyond
 * OUTBOX_HELD_MAX it is counted and forgotten: the job stays in flight
 * and is retried at its deadline with the same idempotency key.
 */
static void
ob_hold(struct outbox *ob, uint64_t id, uint32_t status, uint32_t code,
    uint64_t retry_after_ms, uint64_t duration_us, const char *detail)
{
	struct ob_held	*h;

	if (ob->nheld >= OUTBOX_HELD_MAX) {
		ob->stats.held_over++;
		return;
	}
	if (ob->held == NULL)
		ob->held = xcalloc(OUTBOX_HELD_MAX, sizeof(*ob->held));
	h = &ob->held[ob->nheld++];
	h->id = id;
	h->status = status;
	h->code = code;
	h->retry_after_ms = retry_after_ms;
	h->duration_us = duration_us;
	h->detail = xstrdup(detail != NULL ? detail : "");
	ob->stats.held++;
}

static int	ob_apply(struct outbox *, uint64_t, uint32_t, uint32_t,
		    uint64_t, uint64_t, const char *);

/* The held results, in the order they came (the store is writable). */
static void
ob_held_apply(struct outbox *ob)
{
	struct ob_held	*h;
	size_t		 i, n = ob->nheld;

	ob->nheld = 0;
	for (i = 0; i < n; i++) {
		h = &ob->held[i];
		(void)ob_apply(ob, h->id, h->status, h->code,
		    h->retry_after_ms, h->duration_us, h->detail);
		free(h->detail);
	}
}

/* Apply a result to job id (in flight).  status may be synthetic. */
static int
ob_apply(struct outbox *ob, uint64_t id, uint32_t status, uint32_t code,
    uint64_t retry_after_ms, uint64_t duration_us, const char *detail)
{
	struct store_ob_row	 row;
	struct ob_dest		*d;
	double			 ms = (double)duration_us / 1000.0;
	uint64_t		 now = ob_now(ob);
	int			 r;

	if (!store_ob_row(ob->st, id, &row) || row.state == NULL ||
	    strcmp(row.state, "inflight") != 0 || ob_held_find(ob, id)) {
		ob->stats.unknown_results++;
		store_ob_row_free(&row);
		return ERR_NOTFOUND;
	}
	if ((r = store_write_begin(ob->st)) != 0) {
		/* locked by another connection: nothing can be written now */
		if (r != ERR_AGAIN)
			ob->stats.db_errors++;
		store_ob_row_free(&row);
		ob_hold(ob, id, status, code, retry_after_ms, duration_us,
		    detail);
		return 0;
	}
	d = ob_dest(ob, ob_or(row.receiver, ""), ob_or(row.kind, ""),
	    ob_or(row.target, ""));
	ob_dest_done(d, id);
	if (detail == NULL)
		detail = "";
	switch (status) {
	case IPC_ALERT_DELIVERED:
		ob_circuit_ok(d);
		ob_set_result(ob, id, "delivered", 0, NULL, 1);
		ob_delivery(ob, id, row.attempts, "delivered", code, detail,
		    ms);
		ob->stats.delivered++;
		ob_meta(ob, "alerts_delivered", 1);
		break;
	case IPC_ALERT_PERMANENT:
		/* the sink answered: it is up, the job is bad */
		ob_circuit_ok(d);
		ob_dead(ob, id, detail[0] != '\0' ? detail :
		    "permanent failure");
		ob_delivery(ob, id, row.attempts, "dead", code, detail, ms);
		log_warnx("alerts: job %llu to %s: dead: %s",
		    (unsigned long long)id, d->key, detail);
		break;
	default:
		ob_circuit_fail(ob, d, now);
		ob_retry(ob, id, &row, code, retry_after_ms, ms, detail,
		    d->key, now);
		break;
	}
	store_ob_row_free(&row);
	return 0;
}

int
outbox_result(struct outbox *ob, const struct ipc_alert_result *res)
{
	uint32_t	 status = res->status;
	int		 r;

	if (status > IPC_ALERT_PERMANENT) {
		ob->stats.bad_msgs++;
		status = IPC_ALERT_RETRY;
	}
	r = ob_apply(ob, res->job_id, status, res->code, res->retry_after_ms,
	    res->duration_us, res->detail);
	if (r == 0)
		ob_kick(ob);
	return r;
}

/*
 * Send job id (again: it is in flight already, re-send with the same
 * attempt number).  0 (sent, or skipped by the limits, or gone), ERR_AGAIN
 * (socket full), other (stop sending).
 */
static int
ob_send_id(struct outbox *ob, uint64_t id, int again, uint64_t now)
{
	struct store_ob_job	 row;
	struct ipc_alert_job	 job;
	struct ob_dest		*d;
	int			 r;

	if (!store_ob_job(ob->st, id, &row))
		return 0;
	ob_job(&row, &job, &ob->sb);
	d = ob_dest(ob, job.receiver, job.kind, job.target);
	if (!again) {
		if (!ob_dest_ready(ob, d, now)) {
			store_ob_job_done(ob->st);
			return 0;
		}
		job.attempt++;
	}
	r = ob->hooks.send(ob->hooks.arg, &job);
	store_ob_job_done(ob->st);
	if (r == ERR_TOOBIG || r == ERR_PARSE) {
		if (again)
			ob_dest_done(d, id);
		ob_dead(ob, id, "job too large for the notifier");
		return 0;
	}
	if (r != 0)
		return r;
	if (again) {
		ob_w(ob, store_ob_set_deadline(ob->st, id, ob_deadline(ob,
		    now)));
		ob->stats.resent++;
		return 0;
	}
	ob_w(ob, store_ob_set_inflight(ob->st, id, ob_deadline(ob, now)));
	ob_dest_sent(d, id, now);
	ob->stats.sent++;
	return 0;
}

void
outbox_peer_down(struct outbox *ob)
{
	ob->peer_up = 0;
}

void
outbox_peer_up(struct outbox *ob)
{
	struct store_ob_job	 row;
	uint64_t		 now = ob_now(ob), *ids;
	size_t			 nids, i, sent = 0;
	int			 r = 0;

	ob->peer_up = 1;
	if (store_write_begin(ob->st) != 0)
		ob->stats.db_errors++;
	else
		ob_held_apply(ob);
	ids = store_ob_inflight(ob->st, 0, &nids);
	for (i = 0; i < nids; i++) {
		if (ob_held_find(ob, ids[i]) != NULL)
			continue;	/* answered: not sent again */
		if (r == 0 && (r = ob_send_id(ob, ids[i], 1, now)) == 0) {
			sent++;
			continue;
		}
		/* not sent: back to pending, sent by the scheduler */
		if (store_ob_job(ob->st, ids[i], &row)) {
			ob_dest_done(ob_dest(ob, row.receiver, row.kind,
			    row.target), ids[i]);
			store_ob_job_done(ob->st);
		}
		ob_w(ob, store_ob_requeue(ob->st, ids[i], now));
	}
	if (nids > 0)
		log_info("alerts: new notifier channel: %zu of %zu jobs in"
		    " flight re-sent", sent, nids);
	free(ids);
	if (r != 0 && r != ERR_AGAIN)
		ob->peer_up = 0;
	ob_kick(ob);
}

/* Jobs with no answer past their deadline: a temporary failure. */
static void
ob_late(struct outbox *ob, uint64_t now)
{
	uint64_t	*ids;
	size_t		 nids, i;

	ids = store_ob_inflight(ob->st, now, &nids);
	for (i = 0; i < nids; i++) {
		ob->stats.timeouts++;
		ob_apply(ob, ids[i], IPC_ALERT_RETRY, 0, 0, 0,
		    "no answer from notifierd");
	}
	free(ids);
}

static void
ob_merge(struct outbox *ob, uint64_t id, uint64_t into)
{
	ob_w(ob, store_ob_merge(ob->st, id, into));
	ob->stats.merged++;
}

/* An unchanged group inside repeat_interval: its rows fold into the last
 * job.  1 if they did. */
static int
ob_suppress(struct outbox *ob, const struct al_route *rt, struct ob_group *g,
    const struct store_ob_member *m, size_t n, uint64_t now)
{
	int64_t		 novel = 1;
	size_t		 i;

	if (g->leader == 0 || rt == NULL ||
	    now >= g->last_notify + rt->repeat_interval_ms * 1000000ULL)
		return 0;
	(void)store_ob_novel(ob->st, g->route, g->receiver, g->key,
	    g->leader, &novel);
	if (novel != 0)
		return 0;
	for (i = 0; i < n; i++)
		ob_merge(ob, m[i].id, g->leader);
	ob_w(ob, store_ob_add_count(ob->st, g->leader, n));
	ob->stats.suppressed += n;
	g->last_flush = now;
	g->flush_at = 0;
	return 1;
}

/* The payload of one job for n > 1 rows of a group: the first hit's
 * title with the worst severity, every text and event that fits. */
static void
ob_group_payload(struct outbox *ob, struct sbuf *pl,
    const struct al_route *rt, const char *route,
    const struct store_ob_member *m, size_t n, enum al_severity sev)
{
	struct sbuf	 text, ev;
	struct jsonw	 evw;
	const char	*title = ob_or(m[0].title, ""), *mt, *me;
	size_t		 i, shown;

	sbuf_init(&text);
	sbuf_init(&ev);
	sbuf_addf(&text, "%zu hits", n);
	if (rt != NULL && rt->ngroup_by > 0) {
		sbuf_adds(&text, " grouped by");
		for (i = 0; i < rt->ngroup_by; i++)
			sbuf_addf(&text, "%s%s", i ? ", " : " ",
			    rt->group_by[i]);
	}
	sbuf_adds(&text, " (route ");
	ob_esc(&text, route);
	sbuf_adds(&text, ")\n");
	jw_init(&evw, &ev);
	jw_arr(&evw);
	for (i = 0, shown = 0; i < n; i++) {
		mt = ob_or(m[i].text, "");
		me = ob_or(m[i].event, "{}");
		if (text.len + strlen(mt) + 64 > OUTBOX_TEXT_MAX ||
		    ev.len + strlen(me) + 2 > OUTBOX_EVENT_JSON_MAX)
			break;
		sbuf_addf(&text, "\n--- %zu/%zu ---\n%s\n", i + 1, n, mt);
		shown++;
		jw_raw(&evw, me);
	}
	if (shown < n)
		sbuf_addf(&text, "\n... %zu more hits not shown (the outbox"
		    " rows merged into job %llu)\n", n - shown,
		    (unsigned long long)m[0].id);
	jw_end(&evw);
	sbuf_reset(&ob->sb);
	sbuf_addf(&ob->sb, "[%s]", outbox_severity_name(sev));
	sbuf_adds(&ob->sb, title + (title[0] == '[' && strchr(title, ']') !=
	    NULL ? strchr(title, ']') - title + 1 : 0));
	sbuf_addf(&ob->sb, " (+%zu more)", n - 1);
	ob_cap(&ob->sb, 0, OUTBOX_TITLE_MAX);
	ob_payload_json(pl, &ob->sb, &text, m[0].fp, ev.buf);
	sbuf_clear(&text);
	sbuf_clear(&ev);
}

/* One group (route, receiver, key) is due: one job, or suppressed. */
static void
ob_flush_group(struct outbox *ob, const char *route, const char *receiver,
    const char *key, uint64_t now)
{
	const struct al_route	*rt = ob_route(ob, route);
	struct ob_group		*g = ob_group(ob, route, receiver, key), tmp;
	struct store_ob_member	*m;
	struct sbuf		 pl;
	enum al_severity	 sev = AL_SEV_INFO, s;
	size_t			 n, i;

	if (g == NULL) {
		/* table full: timers for this flush only */
		memset(&tmp, 0, sizeof(tmp));
		g = &tmp;
	}
	m = store_ob_group_rows(ob->st, route, receiver, key, &n);
	if (n == 0) {
		g->flush_at = 0;
		return;
	}
	for (i = 0; i < n; i++) {
		if (m[i].severity == NULL || ob_sev_parse(m[i].severity,
		    strlen(m[i].severity), &s) != 0)
			s = AL_SEV_INFO;
		if (s > sev)
			sev = s;
	}
	if (ob_suppress(ob, rt, g, m, n, now))
		goto out;
	sbuf_init(&pl);
	if (n > 1)
		ob_group_payload(ob, &pl, rt, route, m, n, sev);
	ob_w(ob, store_ob_lead(ob->st, m[0].id, n, n > 1 ? pl.buf : NULL,
	    outbox_severity_name(sev), now));
	for (i = 1; i < n; i++)
		ob_merge(ob, m[i].id, m[0].id);
	g->leader = m[0].id;
	g->last_flush = g->last_notify = now;
	g->flush_at = 0;
	sbuf_clear(&pl);
out:
	store_ob_members_free(m, n);
}

static void
ob_flush_groups(struct outbox *ob, uint64_t now)
{
	struct store_ob_group	*gk;
	size_t			 n, i;

	gk = store_ob_due_groups(ob->st, now, &n);
	for (i = 0; i < n; i++)
		ob_flush_group(ob, gk[i].route, gk[i].receiver, gk[i].key,
		    now);
	if (n > 0)
		ob->dirty = 1;	/* leaders rewritten: commit before sending */
	store_ob_groups_free(gk, n);
}

/* ---- backlog cap: the excess of a destination folds into a summary ---- */

/* Is d's summary job still unsent (it may grow)?  Else d starts afresh. */
static int
ob_summary_open(struct outbox *ob, struct ob_dest *d)
{
	struct store_ob_row	 row;
	int			 open = 0;

	if (d->sum_id != 0 && store_ob_row(ob->st, d->sum_id, &row)) {
		open = row.state != NULL && strcmp(row.state, "pending") == 0 &&
		    row.attempts == 0;
		store_ob_row_free(&row);
	}
	if (!open) {
		d->sum_id = d->sum_due = d->sum_rows = d->sum_hits = 0;
		memset(d->sum_sev, 0, sizeof(d->sum_sev));
	}
	return open;
}

/* The summary's text: counts by severity, where the folded rows are. */
static void
ob_summary_text(struct sbuf *text, const struct ob_dest *d, size_t cap)
{
	int	 k;

	sbuf_addf(text, "%llu alerts (%llu hits) for ",
	    (unsigned long long)d->sum_rows, (unsigned long long)d->sum_hits);
	ob_esc(text, d->key);
	sbuf_addf(text, " were not sent one by one: at most %zu jobs wait"
	    " for one destination, the rest is summarised here.\n"
	    "by severity:", cap);
	for (k = AL_SEV_CRITICAL; k >= AL_SEV_INFO; k--)
		sbuf_addf(text, "%s %s %llu", k == AL_SEV_CRITICAL ? "" : ",",
		    ob_sev_names[k], (unsigned long long)d->sum_sev[k]);
	sbuf_addf(text, "\nThe folded jobs are outbox rows in state merged,"
	    " merged_into %llu.\n", (unsigned long long)d->sum_id);
}

/* Rewrite d's summary job from its counts (due since it was started:
 * folding more into it does not move it back in the queue). */
static void
ob_summary_write(struct outbox *ob, const struct ob_dest *d, size_t cap)
{
	struct sbuf	 title, text, ev, pl;
	struct jsonw	 w;
	int		 k, sev = AL_SEV_INFO;

	for (k = AL_SEV_INFO; k <= AL_SEV_CRITICAL; k++)
		if (d->sum_sev[k] > 0)
			sev = k;
	sbuf_init(&title);
	sbuf_init(&text);
	sbuf_init(&ev);
	sbuf_init(&pl);
	sbuf_addf(&title, "[%s] %llu more alerts for ", ob_sev_names[sev],
	    (unsigned long long)d->sum_rows);
	ob_esc(&title, d->key);
	ob_cap(&title, 0, OUTBOX_TITLE_MAX);
	ob_summary_text(&text, d, cap);
	jw_init(&w, &ev);
	jw_obj(&w);
	jw_kobj(&w, "tripline_summary");
	jw_kstr(&w, "destination", d->key);
	jw_kuint(&w, "alerts", d->sum_rows);
	jw_kuint(&w, "hits", d->sum_hits);
	jw_kuint(&w, "cap", cap);
	jw_kobj(&w, "severity");
	for (k = AL_SEV_CRITICAL; k >= AL_SEV_INFO; k--)
		jw_kuint(&w, ob_sev_names[k], d->sum_sev[k]);
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
	ob_payload_json(&pl, &title, &text, NULL, ev.buf);
	ob_w(ob, store_ob_lead(ob->st, d->sum_id, d->sum_hits, pl.buf,
	    ob_sev_names[sev], d->sum_due));
	sbuf_clear(&title);
	sbuf_clear(&text);
	sbuf_clear(&ev);
	sbuf_clear(&pl);
}

/* What folded row f adds to d's summary: one alert, or when f is an
 * earlier summary (unsent from before a restart, or sent and failed),
 * every alert it stands for.  1 if f was a summary. */
static int
ob_fold_add(struct ob_dest *d, const struct store_ob_fold *f)
{
	int	 k;

	d->sum_hits += f->count;
	if (f->alerts == 0) {
		d->sum_rows++;
		d->sum_sev[f->rank]++;
		return 0;
	}
	d->sum_rows += f->alerts;
	for (k = AL_SEV_INFO; k <= AL_SEV_CRITICAL; k++)
		d->sum_sev[k] += f->sev[k];
	return 1;
}

/*
 * Destination dest has more than cap pending jobs: all but its cap - 1
 * most urgent (store_ob_due's order) fold into one summary job, the one
 * still unsent from before or else the last folded row never sent (its
 * idempotency key was never used).
 */
static void
ob_fold_dest(struct outbox *ob, const char *dest, size_t cap, uint64_t now)
{
	struct ob_dest		*d = ob_dest_key(ob, xstrdup(dest));
	struct store_ob_fold	*f;
	size_t			 n, i, nsum = 0;
	int			 fresh;

	fresh = !ob_summary_open(ob, d);
	f = store_ob_fold_rows(ob->st, dest, d->sum_id, cap - 1, &n);
	for (i = n; fresh && d->sum_id == 0 && i-- > 0;)
		if (f[i].attempts == 0)
			d->sum_id = f[i].id;
	if (d->sum_id == 0 || n == 0) {
		free(f);
		return;	/* nothing to fold, or every one was sent before */
	}
	for (i = 0; i < n; i++) {
		if (f[i].id != d->sum_id)
			ob_w(ob, store_ob_merge(ob->st, f[i].id, d->sum_id));
		nsum += (size_t)ob_fold_add(d, &f[i]);
	}
	free(f);
	if (fresh) {
		d->sum_due = now;
		ob->stats.summaries++;
		ob_meta(ob, "alerts_summaries", 1);
		log_warnx("alerts: %s: more than %zu jobs waiting, the excess"
		    " is folded into job %llu", d->key, cap,
		    (unsigned long long)d->sum_id);
	}
	/* a summary's own alerts were counted when they were folded */
	ob->stats.folded += n - nsum;
	ob_meta(ob, "alerts_folded", (int64_t)(n - nsum));
	ob_summary_write(ob, d, cap);
	ob->dirty = 1;
}

static void
ob_fold(struct outbox *ob, uint64_t now)
{
	struct store_ob_backlog	*b;
	size_t			 n, i;

	b = store_ob_backlog(ob->st, OUTBOX_BACKLOG_MAX, &n);
	for (i = 0; i < n; i++)
		ob_fold_dest(ob, b[i].dest, OUTBOX_BACKLOG_MAX, now);
	store_ob_backlog_free(b, n);
}

/* Pending rows that are due: send what the limits let through. */
static int
ob_dispatch(struct outbox *ob, uint64_t now)
{
	struct store_ob_due	*due;
	uint64_t		 max_age, c;
	size_t			 n, i;
	int			 r = 0;

	max_age = OB_CFG(ob, retry_max_age_ms, OUTBOX_RETRY_MAX_AGE_MS) *
	    1000000ULL;
	/* each destination's most urgent due rows, as many as it may have
	 * in flight: a busy destination holds back no other one */
	due = store_ob_due(ob->st, now, (size_t)OB_CFG(ob, max_inflight,
	    OUTBOX_MAX_INFLIGHT), &n);
	/* the expired first, then the sends, as the rows came */
	for (i = 0; i < n; i++) {
		c = due[i].created_ns;
		if (c != 0 && now >= c && now - c >= max_age)
			ob_dead(ob, due[i].id, "expired (never delivered)");
	}
	for (i = 0; i < n && r == 0; i++) {
		c = due[i].created_ns;
		if (!(c != 0 && now >= c && now - c >= max_age))
			r = ob_send_id(ob, due[i].id, 0, now);
	}
	free(due);
	if (r != 0 && r != ERR_AGAIN) {
		log_warnx_r(r, "alerts: notifier channel");
		ob->peer_up = 0;
	}
	return r;
}

uint64_t
outbox_run(struct outbox *ob)
{
	uint64_t	 now = ob_now(ob), next = 0, wait;
	int		 r = 0;

	if ((r = store_write_begin(ob->st)) != 0) {
		if (r != ERR_AGAIN)
			ob->stats.db_errors++;
		return 1000;
	}
	/* results that came while the store was locked, before anything
	 * can time their jobs out */
	ob_held_apply(ob);
	ob_flush_groups(ob, now);
	ob_late(ob, now);
	ob_fold(ob, now);
	/*
	 * Rows about to be sent (new ones, leaders and summaries rewritten)
	 * are committed first: an idempotency key is never sent for a row a
	 * rollback could give to another alert.  No commit, no sending.
	 */
	if (ob->dirty) {
		if (store_flush(ob->st) != 0) {
			ob->stats.db_errors++;
			return 1000;
		}
		ob->dirty = 0;
	}
	if (ob->peer_up) {
		if (store_write_begin(ob->st) != 0) {
			ob->stats.db_errors++;
			return 1000;
		}
		r = ob_dispatch(ob, now);
	}
	ob_groups_expire(ob, now);

	if (!store_ob_next(ob->st, &next))
		return 1000;
	if (r == ERR_AGAIN)
		return 20;
	if (next <= now)
		return ob->peer_up ? 100 : 1000;	/* due but held back */
	wait = (next - now + 999999) / 1000000;
	return wait < 1 ? 1 : wait > 1000 ? 1000 : wait;
}
