/*
 * loaderd/pl_select.c -- selector compilation: a policy selector
 * (matchArgs, matchReturnArgs, matchPIDs, matchBinaries, matchNamespaces,
 * matchCapabilities, matchActions, matchReturnActions) becomes a struct
 * sel_cfg; InMap values go to the policy's inmap keys.
 */
#include "build.h"

#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "xmalloc.h"

#include "bpf/events.h"
#include "pl_int.h"

static int
pl_op_is_substr(enum pol_op op)
{
	return op == POL_OP_SUBSTRING || op == POL_OP_SUBSTRING_IGNCASE;
}

static int
pl_op_is_strop(enum pol_op op)
{
	return op == POL_OP_PREFIX || op == POL_OP_NOTPREFIX ||
	    op == POL_OP_POSTFIX || op == POL_OP_NOTPOSTFIX ||
	    pl_op_is_substr(op);
}

/* SubStringIgnCase values: the BPF side folds only ASCII A-Z of the
 * subject (bpf/generic/strcmp.bpf.h lower8), the value is stored so */
static void
pl_ascii_lower(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

static int
pl_op_is_cidr(enum pol_op op)
{
	return op == POL_OP_SADDR || op == POL_OP_NOTSADDR ||
	    op == POL_OP_DADDR || op == POL_OP_NOTDADDR;
}

static void
pl_inmap_add(struct pent *pe, uint32_t map_id, uint64_t v)
{
	if (pe->ninmap == pe->inmapcap) {
		pe->inmapcap = pe->inmapcap ? pe->inmapcap * 2 : 64;
		pe->inmap = xreallocarray(pe->inmap, pe->inmapcap,
		    sizeof(*pe->inmap));
	}
	memset(&pe->inmap[pe->ninmap], 0, sizeof(pe->inmap[0]));
	pe->inmap[pe->ninmap].map_id = map_id;
	pe->inmap[pe->ninmap].value = v;
	pe->ninmap++;
}

static uint32_t
pl_map_id(struct pl_ctx *c)
{
	uint32_t id = c->ps->next_map_id++;

	if (c->ps->next_map_id == 0)
		c->ps->next_map_id = 1;
	return id;
}

/* A new zeroed key at the end of the policy's keys of string map m. */
static void *
pl_sk_add(struct pent *pe, int m)
{
	struct pl_strkeys *k = &pe->sk[m];
	size_t sz = m == PL_SM_EQ ? sizeof(struct streq_key) :
	    sizeof(struct strlpm_key);
	char *p;

	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 64;
		k->k.eq = xreallocarray(k->k.eq, k->cap, sz);
	}
	p = (char *)k->k.eq + k->n++ * sz;
	memset(p, 0, sz);
	return p;
}

/* The key of the len bytes at s under string map m (strsfx: reversed);
 * widens the lengths the entry's values span. */
static void
pl_sk_put(struct pl_ctx *c, struct sel_matcharg *sm, int m, const char *s,
    size_t len)
{
	struct hook_strmap *h = &sm->v.smap;
	struct streq_key *eq;
	struct strlpm_key *lpm;
	size_t i, n;
	uint8_t b;

	/* the first bytes all keys share (the first key: its own) */
	n = h->minlen == UINT32_MAX ? HOOK_STRMAP_CP : h->cplen;
	if (n > len)
		n = len;
	for (i = 0; i < n; i++) {
		b = (uint8_t)(m == PL_SM_SFX ? s[len - 1 - i] : s[i]);
		if (h->minlen == UINT32_MAX)
			h->cp[i] = b;
		else if (h->cp[i] != b)
			break;
	}
	h->cplen = (uint32_t)i;
	if (m == PL_SM_EQ) {
		eq = pl_sk_add(c->pe, m);
		eq->map_id = sm->map_id;
		eq->len = (uint32_t)len;
		memcpy(eq->s, s, len);
	} else {
		lpm = pl_sk_add(c->pe, m);
		lpm->map_id = sm->map_id;
		lpm->prefixlen = (uint32_t)(32 + 8 * len);
		for (i = 0; i < len; i++)
			lpm->s[i] = (uint8_t)(m == PL_SM_SFX ?
			    s[len - 1 - i] : s[i]);
	}
	if (len < sm->v.smap.minlen)
		sm->v.smap.minlen = (uint32_t)len;
	if (len > sm->v.smap.maxlen)
		sm->v.smap.maxlen = (uint32_t)len;
}

/*
 * A string operator with more values than a sel_matcharg holds: its
 * values become keys of the string map of its operator under a new map
 * id (bpf/generic/strcmp.bpf.h gen_str_map).  A value with a trailing
 * NUL is a whole string (Equal, Prefix: the lookup appends the subject's
 * NUL) or its end, and also the raw bytes with the NUL: Equal and
 * Postfix store it with and without the NUL.
 */
static int
pl_strmap(struct pl_ctx *c, const struct pol_matcharg *m,
    struct sel_matcharg *sm)
{
	const struct pol_value *v;
	size_t i, max;
	int map;

	if (m->op == POL_OP_EQUAL || m->op == POL_OP_NOTEQUAL)
		map = PL_SM_EQ;
	else if (m->op == POL_OP_PREFIX || m->op == POL_OP_NOTPREFIX)
		map = PL_SM_PFX;
	else
		map = PL_SM_SFX;
	max = map == PL_SM_EQ ? HOOK_STR_MAX : HOOK_STRLPM_MAX;
	sm->flags = SEL_MA_STRMAP;
	sm->map_id = pl_map_id(c);
	sm->v.smap.minlen = UINT32_MAX;
	for (i = 0; i < m->nvalues; i++) {
		v = &m->values[i];
		if (v->str == NULL)
			return pl_fail(c, ERR_PARSE, m->line, m->col,
			    "value %zu is not a string", i);
		if (v->len > max)
			return pl_fail(c, ERR_RANGE, m->line, m->col, "%s value "
			    "of %zu bytes: a list of more than %d values holds "
			    "at most %zu bytes per value", policy_op_name(m->op),
			    v->len, HOOK_VALUES_MAX, max);
		pl_sk_put(c, sm, map, v->str, v->len);
		if (map != PL_SM_PFX && v->len > 0 &&
		    v->str[v->len - 1] == '\0')
			pl_sk_put(c, sm, map, v->str, v->len - 1);
	}
	return 0;
}

/* Integer Equal / NotEqual with more values than a sel_matcharg holds:
 * InMap / NotInMap on the same values. */
static int
pl_intlist(struct pl_ctx *c, const struct pol_matcharg *m,
    struct sel_matcharg *sm)
{
	const struct pol_value *v;
	size_t i;

	sm->op = m->op == POL_OP_EQUAL ? POL_OP_INMAP : POL_OP_NOTINMAP;
	sm->map_id = pl_map_id(c);
	for (i = 0; i < m->nvalues; i++) {
		v = &m->values[i];
		if (!v->is_num)
			return pl_fail(c, ERR_PARSE, m->line, m->col,
			    "value \"%.*s\" is not a number (the argument is "
			    "an integer)", (int)v->len, v->str ? v->str : "");
		pl_inmap_add(c->pe, sm->map_id, v->lo);
	}
	return 0;
}

/* More values than a sel_matcharg holds: in a map, where the engine has
 * one for the operator. */
static int
pl_biglist(struct pl_ctx *c, const struct pol_matcharg *m,
    struct sel_matcharg *sm, int strop, enum pol_arg_type type)
{
	if (c->selmode != PL_SEL_NET && strop && m->op != POL_OP_SUBSTRING &&
	    m->op != POL_OP_SUBSTRING_IGNCASE)
		return pl_strmap(c, m, sm);
	if (c->selmode != PL_SEL_NET && (m->op == POL_OP_EQUAL ||
	    m->op == POL_OP_NOTEQUAL) && abi_arg_is(type, ABI_AC_INT))
		return pl_intlist(c, m, sm);
	return pl_fail(c, ERR_RANGE, m->line, m->col, "%zu values: at most "
	    "%d per operator %s%s", m->nvalues, HOOK_VALUES_MAX,
	    policy_op_name(m->op), c->selmode == PL_SEL_NET ? " on a hook "
	    "run by the cgroup programs" : " (only Equal, NotEqual, Prefix, "
	    "NotPrefix, Postfix and NotPostfix take more)");
}

/* Compile one matchArgs / matchReturnArgs entry; type is the argument's
 * (resolved) type. */
static int
pl_matcharg(struct pl_ctx *c, const struct pol_matcharg *m,
    struct sel_matcharg *sm, uint8_t argpos, enum pol_arg_type type)
{
	const struct pol_value *v;
	uint64_t x;
	size_t i;
	int strop, isstr = abi_arg_has(type, ABI_AF_STROPS);

	sm->arg = argpos;
	sm->op = (uint8_t)m->op;
	if (m->op == POL_OP_CELEXPR)
		return pl_fail(c, ERR_UNSUPP, m->line, m->col, "operator "
		    "CELExpr is not supported by this engine");
	if (m->op == POL_OP_INMAP || m->op == POL_OP_NOTINMAP) {
		if (isstr)
			return pl_fail(c, ERR_UNSUPP, m->line, m->col,
			    "InMap/NotInMap take numbers; use Equal/Prefix "
			    "for strings");
		sm->map_id = pl_map_id(c);
		for (i = 0; i < m->nvalues; i++) {
			v = &m->values[i];
			if (v->hi < v->lo || v->hi - v->lo >= POL_MAX_MAPVALUES)
				return pl_fail(c, ERR_RANGE, m->line, m->col,
				    "InMap range %llu:%llu: at most %d values",
				    (unsigned long long)v->lo,
				    (unsigned long long)v->hi,
				    POL_MAX_MAPVALUES);
			for (x = v->lo;; x++) {
				pl_inmap_add(c->pe, sm->map_id, x);
				if (x == v->hi)
					break;
			}
		}
		return 0;
	}
	strop = pl_op_is_strop(m->op) || ((m->op == POL_OP_EQUAL ||
	    m->op == POL_OP_NOTEQUAL) && isstr);
	if (strop && !isstr)
		return pl_fail(c, ERR_PARSE, m->line, m->col, "operator %d "
		    "needs a string argument, this one is a number",
		    (int)m->op);
	if (m->nvalues > HOOK_VALUES_MAX)
		return pl_biglist(c, m, sm, strop, type);
	sm->nvals = (uint8_t)m->nvalues;
	for (i = 0; i < m->nvalues; i++) {
		v = &m->values[i];
		if (strop) {
			if (v->str == NULL)
				return pl_fail(c, ERR_PARSE, m->line, m->col,
				    "value %zu is not a string", i);
			if (v->len > HOOK_STR_MAX)
				return pl_fail(c, ERR_RANGE, m->line, m->col,
				    "value of %zu bytes: at most %d", v->len,
				    HOOK_STR_MAX);
			if (pl_op_is_substr(m->op) && (v->len > HOOK_SUBSTR_MAX ||
			    memchr(v->str, '\0', v->len) != NULL))
				return pl_fail(c, ERR_RANGE, m->line, m->col,
				    "%s value: 1 to %d bytes, no NUL",
				    policy_op_name(m->op), HOOK_SUBSTR_MAX);
			sm->v.str[i].len = (uint16_t)v->len;
			memcpy(sm->v.str[i].s, v->str, v->len);
			if (m->op == POL_OP_SUBSTRING_IGNCASE)
				pl_ascii_lower(sm->v.str[i].s, v->len);
		} else if (pl_op_is_cidr(m->op)) {
			memcpy(sm->v.cidr[i].addr, v->addr, 16);
			sm->v.cidr[i].family = v->family;
			sm->v.cidr[i].prefixlen = v->prefixlen;
		} else {
			if (!v->is_num && v->str != NULL)
				return pl_fail(c, ERR_PARSE, m->line, m->col,
				    "value \"%.*s\" is not a number (the "
				    "argument is an integer)", (int)v->len,
				    v->str);
			sm->v.num[i].lo = v->lo;
			sm->v.num[i].hi = v->hi < v->lo ? v->lo : v->hi;
		}
	}
	return 0;
}

static int
pl_action(struct pl_ctx *c, const struct pol_action *a, struct sel_action *sa)
{
	if (c->selmode == PL_SEL_NET && a->kind == POL_ACT_OVERRIDE) {
		/* checked by pl_net_check: -1/1 = EPERM, else -errno */
		sa->kind = POL_ACT_OVERRIDE;
		sa->arg = a->arg_error == 1 || a->arg_error == -1 ? -EPERM :
		    a->arg_error;
		sa->arg_fd = sa->arg_name = 0xff;
		return 0;
	}
	switch (a->kind) {
	case POL_ACT_OVERRIDE:
		if (c->ovr_no != NULL)
			return pl_fail(c, ERR_UNSUPP, a->line, a->col, "%s",
			    c->ovr_no);
		if (a->arg_error == 0)
			return pl_fail(c, ERR_PARSE, a->line, a->col, "Override "
			    "with argError 0 would let the call succeed; "
			    "give a negative errno (-1 = EPERM)");
		if (a->arg_error < -4095 || a->arg_error > 4095)
			return pl_fail(c, ERR_RANGE, a->line, a->col, "argError "
			    "%d: not an errno", a->arg_error);
		sa->kind = POL_ACT_OVERRIDE;
		sa->arg = a->arg_error > 0 ? -a->arg_error : a->arg_error;
		sa->arg_fd = sa->arg_name = 0xff;
		return 0;
	case POL_ACT_TRACKSOCK:
	case POL_ACT_UNTRACKSOCK:
		if (c->selmode == PL_SEL_NET)
			return pl_fail(c, ERR_UNSUPP, a->line, a->col, "%s: the "
			    "cgroup programs that run this hook on this kernel "
			    "do not see the socket's kernel object",
			    a->kind == POL_ACT_TRACKSOCK ? "TrackSock" :
			    "UntrackSock");
		break;
	case POL_ACT_NOTIFYENFORCER:
		return pl_fail(c, ERR_UNSUPP, a->line, a->col, "NotifyEnforcer "
		    "is not supported by this engine (use Override)");
	case POL_ACT_COPYFD:
	case POL_ACT_SET:
		return pl_fail(c, ERR_UNSUPP, a->line, a->col, "action %s is "
		    "not supported by this engine", a->kind == POL_ACT_SET ?
		    "Set" : "CopyFD");
	default:
		break;
	}
	sa->kind = (uint8_t)a->kind;
	sa->scope = (uint8_t)a->rate_limit_scope;
	sa->arg_fd = (uint8_t)(a->arg_fd < 0 ? 0xff : a->arg_fd);
	sa->arg_name = (uint8_t)(a->arg_name < 0 ? 0xff : a->arg_name);
	if (a->kind == POL_ACT_TRACKSOCK || a->kind == POL_ACT_UNTRACKSOCK)
		sa->arg_fd = (uint8_t)(a->arg_sock < 0 ? 0xff : a->arg_sock);
	if (a->kind == POL_ACT_SIGKILL)
		sa->arg = SIGKILL;
	else if (a->kind == POL_ACT_SIGNAL)
		sa->arg = a->arg_sig;
	else if (a->kind == POL_ACT_POST)
		sa->arg = (a->kernel_stack ? EVS_F_KERNEL : 0) |
		    (a->user_stack ? EVS_F_USER : 0);
	sa->rate_ms = a->rate_limit_ms;
	return 0;
}

static const char *const pl_ns_names[POL_NS_MAX_] = {
	"uts", "ipc", "mnt", "pid", "pid_for_children", "net", "time",
	"time_for_children", "cgroup", "user",
};

/*
 * The kernel's initial namespaces have fixed inode numbers except mnt and
 * net (include/linux/proc_ns.h).
 */
static const uint32_t pl_ns_init_ino[POL_NS_MAX_] = {
	0xEFFFFFFEU, 0xEFFFFFFFU, 0, 0xEFFFFFFCU, 0xEFFFFFFCU, 0, 0xEFFFFFFAU,
	0xEFFFFFFAU, 0xEFFFFFFBU, 0xEFFFFFFDU,
};

/*
 * host_ns: the namespaces of pid 1, as Tetragon reads them.  Where
 * /proc/1/ns is not readable (pid 1 holds capabilities outside loaderd's
 * set, e.g. in a container sandbox), use the kernel's fixed initial inode
 * numbers, and for mnt/net (which have none) loaderd's own namespace, which
 * is the host's when loaderd runs on the host as intended; say so.
 */
static int
pl_host_ns(struct pl_ctx *c, enum pol_ns ns, uint32_t *inum)
{
	char path[64];
	struct stat st;

	if ((unsigned)ns >= POL_NS_MAX_)
		return pl_fail(c, ERR_PARSE, 0, 0, "bad namespace %d", ns);
	snprintf(path, sizeof(path), "/proc/1/ns/%s", pl_ns_names[ns]);
	if (stat(path, &st) == 0) {
		*inum = (uint32_t)st.st_ino;
		return 0;
	}
	if (pl_ns_init_ino[ns] != 0) {
		log_debug("host_ns: %s: %s; using the initial %s namespace "
		    "(inode %u)", path, strerror(errno), pl_ns_names[ns],
		    pl_ns_init_ino[ns]);
		*inum = pl_ns_init_ino[ns];
		return 0;
	}
	log_warnx("host_ns: %s: %s; using loaderd's own %s namespace", path,
	    strerror(errno), pl_ns_names[ns]);
	snprintf(path, sizeof(path), "/proc/self/ns/%s", pl_ns_names[ns]);
	if (stat(path, &st) == -1)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "host_ns: %s: %s", path,
		    strerror(errno));
	*inum = (uint32_t)st.st_ino;
	return 0;
}

/* Has the selector an Override action? */

int
pl_sel_override(const struct pol_selector *s)
{
	size_t i;

	for (i = 0; i < s->nactions; i++)
		if (s->actions[i].kind == POL_ACT_OVERRIDE)
			return 1;
	return 0;
}

/* matchParentBinaries into sc->pbins (the values as matchBinaries'). */
static int
pl_sel_pbins(struct pl_ctx *c, const struct pol_selector *s,
    struct sel_cfg *sc)
{
	const struct pol_matchbinaries *b = &s->parent_binaries;
	size_t j, len;

	if (!s->has_parent_binaries)
		return 0;
	if (c->selmode == PL_SEL_NET)
		return pl_fail(c, ERR_UNSUPP, s->line, s->col,
		    "matchParentBinaries is not evaluated by the cgroup "
		    "programs that carry out this hook");
	if (b->nvalues > HOOK_BINS_MAX || b->nvalues == 0)
		return pl_fail(c, ERR_RANGE, s->line, s->col,
		    "matchParentBinaries: 1 to %d values", HOOK_BINS_MAX);
	sc->pbins.op = (uint8_t)b->op;
	sc->pbins.nvals = (uint8_t)b->nvalues;
	for (j = 0; j < b->nvalues; j++) {
		len = strlen(b->values[j]);
		if (len > HOOK_STR_MAX)
			return pl_fail(c, ERR_RANGE, s->line, s->col,
			    "matchParentBinaries value of %zu bytes: at most "
			    "%d", len, HOOK_STR_MAX);
		sc->pbins.bins[j].len = (uint16_t)len;
		memcpy(sc->pbins.bins[j].s, b->values[j], len);
	}
	return 0;
}

static int
pl_selector(struct pl_ctx *c, const struct pol_selector *s,
    struct sel_cfg *sc, const enum pol_arg_type *types, size_t nargs,
    enum pol_arg_type rettype)
{
	const struct pol_matcharg *m;
	size_t i, j;
	int r;

	if (s->nmatchargs > HOOK_MATCHARGS_MAX ||
	    s->nretargs > HOOK_RETARGS_MAX || s->npids > HOOK_PID_ENTRIES_MAX ||
	    s->nns > HOOK_NS_MAX || s->ncaps > 1 ||
	    s->nactions > HOOK_ACTIONS_MAX ||
	    s->nretactions > HOOK_ACTIONS_MAX)
		return pl_fail(c, ERR_RANGE, s->line, s->col, "selector "
		    "exceeds the engine's limits");
	for (i = 0; i < s->nmatchargs; i++) {
		m = &s->matchargs[i];
		if (m->arg < 0 || (size_t)m->arg >= nargs)
			return pl_fail(c, ERR_RANGE, m->line, m->col,
			    "matchArgs refers to argument %d, the hook has "
			    "%zu", m->arg, nargs);
		if ((r = pl_matcharg(c, m, &sc->args[i], (uint8_t)m->arg,
		    types[m->arg])) != 0)
			return r;
	}
	sc->nmatchargs = (uint8_t)s->nmatchargs;
	for (i = 0; i < s->nretargs; i++)
		if ((r = pl_matcharg(c, &s->retargs[i], &sc->retargs[i], 0xff,
		    rettype)) != 0)
			return r;
	sc->nretargs = (uint8_t)s->nretargs;
	for (i = 0; i < s->npids; i++) {
		if (s->pids[i].nvalues > HOOK_PIDS_MAX)
			return pl_fail(c, ERR_RANGE, s->line, s->col,
			    "matchPIDs: at most %d values", HOOK_PIDS_MAX);
		sc->pids[i].op = (uint8_t)s->pids[i].op;
		sc->pids[i].flags = (uint8_t)
		    ((s->pids[i].follow_forks ? 1 : 0) |
		    (s->pids[i].is_ns_pid ? 2 : 0));
		sc->pids[i].nvals = (uint8_t)s->pids[i].nvalues;
		for (j = 0; j < s->pids[i].nvalues; j++)
			sc->pids[i].pids[j] = s->pids[i].values[j];
	}
	sc->npids = (uint8_t)s->npids;
	if (s->has_binaries) {
		if (s->binaries.nvalues > HOOK_BINS_MAX)
			return pl_fail(c, ERR_RANGE, s->line, s->col,
			    "matchBinaries: at most %d values", HOOK_BINS_MAX);
		sc->has_bins = 1;
		sc->bins.op = (uint8_t)s->binaries.op;
		sc->bins.follow_children = (uint8_t)s->binaries.follow_children;
		sc->bins.nvals = (uint8_t)s->binaries.nvalues;
		for (j = 0; j < s->binaries.nvalues; j++) {
			size_t len = strlen(s->binaries.values[j]);

			if (len > HOOK_STR_MAX)
				return pl_fail(c, ERR_RANGE, s->line, s->col,
				    "matchBinaries value of %zu bytes: at most "
				    "%d", len, HOOK_STR_MAX);
			sc->bins.bins[j].len = (uint16_t)len;
			memcpy(sc->bins.bins[j].s, s->binaries.values[j], len);
		}
	}
	if ((r = pl_sel_pbins(c, s, sc)) != 0)
		return r;
	for (i = 0; i < s->nns; i++) {
		if (s->ns[i].nvalues > HOOK_NS_VALUES_MAX)
			return pl_fail(c, ERR_RANGE, s->line, s->col,
			    "matchNamespaces: at most %d values",
			    HOOK_NS_VALUES_MAX);
		sc->ns[i].ns = (uint8_t)s->ns[i].ns;
		sc->ns[i].op = (uint8_t)s->ns[i].op;
		sc->ns[i].nvals = (uint8_t)s->ns[i].nvalues;
		for (j = 0; j < s->ns[i].nvalues; j++) {
			sc->ns[i].inum[j] = s->ns[i].values[j];
			if (s->ns[i].host_ns[j] && (r = pl_host_ns(c,
			    s->ns[i].ns, &sc->ns[i].inum[j])) != 0)
				return r;
		}
	}
	sc->nns = (uint8_t)s->nns;
	if (s->ncaps > 0) {
		sc->caps.set = (uint8_t)s->caps[0].set;
		sc->caps.op = (uint8_t)s->caps[0].op;
		sc->caps.is_ns_cap = (uint8_t)s->caps[0].is_ns_cap;
		sc->caps.mask = s->caps[0].mask;
	}
	sc->ncaps = (uint8_t)s->ncaps;
	if (s->has_nschg) {
		sc->chg.ns_op = (uint8_t)s->nschg.op;
		sc->chg.ns_mask = s->nschg.mask;
	}
	if (s->has_capchg) {
		sc->chg.cap_op = (uint8_t)s->capchg.op;
		sc->chg.cap_set = (uint8_t)s->capchg.set;
		sc->chg.cap_is_ns = (uint8_t)s->capchg.is_ns_cap;
		sc->chg.cap_mask = s->capchg.mask;
	}
	if (c->selmode == PL_SEL_SYSCOPY && pl_sel_override(s)) {
		/* its cgroup copy acts and posts: here it only keeps the
		   later selectors from matching (first match wins) */
		sc->actions[0].kind = POL_ACT_NOPOST;
		sc->actions[0].arg_fd = sc->actions[0].arg_name = 0xff;
		sc->nactions = 1;
	} else {
		for (i = 0; i < s->nactions; i++)
			if ((r = pl_action(c, &s->actions[i],
			    &sc->actions[i])) != 0)
				return r;
		sc->nactions = (uint8_t)s->nactions;
	}
	for (i = 0; i < s->nretactions; i++)
		if ((r = pl_action(c, &s->retactions[i],
		    &sc->retactions[i])) != 0)
			return r;
	sc->nretactions = (uint8_t)s->nretactions;
	return 0;
}

int
pl_selectors(struct pl_ctx *c, const enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	size_t i, nsel;
	int r;

	if (h->nselectors > HOOK_SEL_MAX)
		return pl_fail(c, ERR_RANGE, 0, 0, "%zu selectors: at most %d",
		    h->nselectors, HOOK_SEL_MAX);
	ph->sel = xcalloc(HOOK_SEL_MAX, sizeof(*ph->sel));
	nsel = c->nsel_max > 0 ? c->nsel_max : h->nselectors;
	for (i = 0; i < nsel; i++)
		if ((r = pl_selector(c, &h->selectors[i], &ph->sel[i], types,
		    ph->cfg.nargs, (enum pol_arg_type)ph->cfg.ret.type)) != 0)
			return r;
	ph->cfg.nsel = (uint8_t)nsel;
	for (i = 0; i < nsel; i++)
		if (h->selectors[i].has_binaries &&
		    h->selectors[i].binaries.follow_children)
			ph->follow = 1;
	return 0;
}

int
pl_sel_any_override(const struct pol_hook *h)
{
	size_t i;

	for (i = 0; i < h->nselectors; i++)
		if (pl_sel_override(&h->selectors[i]))
			return 1;
	return 0;
}
