/*
 * common/policy_values.c -- which operators apply to which argument types
 * (tetragon-reference.md 2.3) and the parsing of matchArgs /
 * matchReturnArgs values: integers (decimal, 0x hex, 0 octal, negative)
 * range-checked against the argument's type, "min:max" ranges, InMap
 * values with "list:NAME", strings (an explicit trailing NUL is kept),
 * IPv4/IPv6 addresses and CIDRs, ports and port ranges, and the symbolic
 * Family / Protocol / State / FileType values.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "err.h"
#include "policy_int.h"
#include "xmalloc.h"

#define OPB(o)		(1ULL << (o))
#define OPS_INT		(OPB(POL_OP_EQUAL) | OPB(POL_OP_NOTEQUAL) | \
			 OPB(POL_OP_MASK) | OPB(POL_OP_GT) | OPB(POL_OP_LT) | \
			 OPB(POL_OP_INRANGE) | OPB(POL_OP_NOTINRANGE) | \
			 OPB(POL_OP_INMAP) | OPB(POL_OP_NOTINMAP))
#define OPS_STR		(OPB(POL_OP_EQUAL) | OPB(POL_OP_NOTEQUAL) | \
			 OPB(POL_OP_PREFIX) | OPB(POL_OP_NOTPREFIX) | \
			 OPB(POL_OP_POSTFIX) | OPB(POL_OP_NOTPOSTFIX) | \
			 OPB(POL_OP_SUBSTRING) | \
			 OPB(POL_OP_SUBSTRING_IGNCASE))
#define OPS_SADDR	(OPB(POL_OP_SADDR) | OPB(POL_OP_NOTSADDR))
#define OPS_DADDR	(OPB(POL_OP_DADDR) | OPB(POL_OP_NOTDADDR))
#define OPS_SPORT	(OPB(POL_OP_SPORT) | OPB(POL_OP_NOTSPORT) | \
			 OPB(POL_OP_SPORTPRIV) | OPB(POL_OP_NOTSPORTPRIV))
#define OPS_DPORT	(OPB(POL_OP_DPORT) | OPB(POL_OP_NOTDPORT) | \
			 OPB(POL_OP_DPORTPRIV) | OPB(POL_OP_NOTDPORTPRIV))
#define OPS_SKB		(OPS_SADDR | OPS_DADDR | OPS_SPORT | \
			 OPS_DPORT | OPB(POL_OP_PROTOCOL) | \
			 OPB(POL_OP_FAMILY))
#define OPS_SOCK	(OPS_SKB | OPB(POL_OP_STATE))
#define OPS_SOCKADDR	(OPS_SADDR | OPS_SPORT | OPB(POL_OP_FAMILY))
#define OPS_FILE	(OPS_STR | OPB(POL_OP_FILETYPE) | \
			 OPB(POL_OP_NOTFILETYPE))

/* Plain integer types (sizeArgIndex targets, int_arg). */
int
pol_type_is_int(enum pol_arg_type t)
{
	return abi_arg_has(t, ABI_AF_CINT);
}

/* Compared as bytes by the string operators. */
int
pol_type_is_str(enum pol_arg_type t)
{
	return abi_arg_has(t, ABI_AF_STROPS);
}

int
pol_type_is_sock(enum pol_arg_type t)
{
	return t == POL_ARG_SOCK || t == POL_ARG_SOCKET;
}

uint64_t
pol_type_ops(enum pol_arg_type t)
{
	/* integer-valued: the plain ints and a few enums */
	if (abi_arg_is(t, ABI_AC_INT))
		return OPS_INT;
	switch (t) {
	case POL_ARG_FILE:
	case POL_ARG_PATH:
		return OPS_FILE;
	case POL_ARG_SOCKADDR_UN:
		return OPS_STR | OPB(POL_OP_FAMILY);
	case POL_ARG_SOCK:
	case POL_ARG_SOCKET:
		return OPS_SOCK;
	case POL_ARG_SKB:
		return OPS_SKB;
	case POL_ARG_SOCKADDR:
		return OPS_SOCKADDR;
	case POL_ARG_AUTO:
		return OPS_INT | OPS_STR;
	default:
		return pol_type_is_str(t) ? OPS_STR : 0;
	}
}

/* "Equal, NotEqual, ..." for the operators in mask. */
int
pol_op_list(uint64_t mask, char *buf, size_t len)
{
	int	 op, n = 0;

	buf[0] = '\0';
	for (op = 1; op < POL_OP_MAX_; op++) {
		if (!(mask & OPB(op)))
			continue;
		if (n++ > 0)
			strncat(buf, ", ", len - strlen(buf) - 1);
		strncat(buf, policy_op_name((enum pol_op)op), len -
		    strlen(buf) - 1);
	}
	return n;
}

/*
 * "-12", "0x1f", "017", "42" -> sign and magnitude.  0, or -1 if s is not
 * an integer, -2 if it does not fit 64 bits.
 */
int
pol_int_text(const char *s, size_t len, int *neg, uint64_t *mag)
{
	uint64_t v = 0, d;
	unsigned base = 10;
	size_t	 i = 0;

	*neg = 0;
	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		*neg = s[0] == '-';
		i++;
	}
	if (i >= len)
		return -1;
	if (len - i > 2 && s[i] == '0' && (s[i + 1] == 'x' ||
	    s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	} else if (len - i > 1 && s[i] == '0') {
		base = 8;
		i++;
	}
	for (; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = (uint64_t)(s[i] - '0');
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = (uint64_t)(s[i] - 'a' + 10);
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			d = (uint64_t)(s[i] - 'A' + 10);
		else
			return -1;
		if (d >= base)
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -2;
		v = v * base + d;
	}
	*mag = v;
	return 0;
}

/* Bits and signedness of an integer-valued type (AUTO: any 64-bit). */
static void
pol_type_bits(enum pol_arg_type t, int *bits, int *is_signed)
{
	*bits = abi_arg_bits(t);
	*is_signed = abi_arg_has(t, ABI_AF_SIGNED) || t == POL_ARG_AUTO;
}

/*
 * One integer of type t from text.  *out is the value sign-extended to 64
 * bits for signed types.  0 or an error at node n.
 */
static int
pol_int_of(struct pol_ctx *c, yaml_node_t *n, const char *s, size_t len,
    const struct pol_arg *a, uint64_t *out, int *negative)
{
	uint64_t mag, max;
	int	 neg, bits, sg, r;

	pol_type_bits(a->type, &bits, &sg);
	r = pol_int_text(s, len, &neg, &mag);
	if (r == -1)
		return pol_error(c, n, "value '%.*s' is not an integer (the "
		    "argument is of type %s)", (int)(len > 64 ? 64 : len), s,
		    a->type_name);
	max = bits == 64 ? UINT64_MAX : (1ULL << bits) - 1;
	if (r == 0 && a->type == POL_ARG_AUTO)	/* any 64-bit value */
		sg = neg;
	if (r == 0 && sg) {
		if (neg && mag > (1ULL << (bits - 1)))
			r = -2;
		else if (!neg && mag > (1ULL << (bits - 1)) - 1)
			r = -2;
	} else if (r == 0 && (neg ? mag != 0 : mag > max))
		r = -2;
	if (r == -2) {
		if (a->type == POL_ARG_AUTO)
			return pol_error(c, n, "value '%.*s' does not fit 64 "
			    "bits", (int)(len > 64 ? 64 : len), s);
		if (sg)
			return pol_error(c, n, "value '%.*s' is out of range "
			    "for %s (%lld to %lld)", (int)(len > 64 ? 64 : len),
			    s, a->type_name, bits == 64 ? (long long)INT64_MIN :
			    -(1LL << (bits - 1)), bits == 64 ?
			    (long long)INT64_MAX : (1LL << (bits - 1)) - 1);
		return pol_error(c, n, "value '%.*s' is out of range for %s "
		    "(0 to %llu)", (int)(len > 64 ? 64 : len), s, a->type_name,
		    (unsigned long long)max);
	}
	*out = neg ? (uint64_t)0 - mag : mag;
	*negative = neg && mag != 0;
	return 0;
}

/* "min:max" of type t. */
static int
pol_range_of(struct pol_ctx *c, yaml_node_t *n, const char *s, size_t len,
    const struct pol_arg *a, struct pol_value *v)
{
	const char *colon;
	int	 nlo, nhi, r, bits, sg;

	colon = memchr(s, ':', len);
	if (colon == NULL)
		return pol_error(c, n, "value '%.*s': expected a range "
		    "min:max", (int)(len > 64 ? 64 : len), s);
	if ((r = pol_int_of(c, n, s, (size_t)(colon - s), a, &v->lo,
	    &nlo)) != 0 || (r = pol_int_of(c, n, colon + 1, len -
	    (size_t)(colon - s) - 1, a, &v->hi, &nhi)) != 0)
		return r;
	pol_type_bits(a->type, &bits, &sg);
	if ((sg || nlo || nhi) ? (int64_t)v->lo > (int64_t)v->hi :
	    v->lo > v->hi)
		return pol_error(c, n, "value '%.*s': min is greater than max",
		    (int)(len > 64 ? 64 : len), s);
	v->is_num = 1;
	return 0;
}

static int
pol_str_of(struct pol_ctx *c, yaml_node_t *n, const char *s, size_t len,
    enum pol_op op, struct pol_value *v)
{
	const char *nul;
	size_t	 max = POL_MAX_STR;
	const char *lim = "POL_MAX_STR";

	if (len == 0)
		return pol_error(c, n, "value: expected a non-empty string");
	nul = memchr(s, '\0', len);
	if (nul != NULL && nul != s + len - 1)
		return pol_error(c, n, "value: a NUL byte (\\0) is only "
		    "allowed at the end");
	if (op == POL_OP_POSTFIX || op == POL_OP_NOTPOSTFIX) {
		max = POL_MAX_POSTFIX;
		lim = "POL_MAX_POSTFIX";
	}
	if (op == POL_OP_SUBSTRING || op == POL_OP_SUBSTRING_IGNCASE) {
		if (nul != NULL)
			return pol_error(c, n, "%s value: a NUL byte (\\0) "
			    "cannot be inside a string; use Postfix to match "
			    "its end", policy_op_name(op));
		max = POL_MAX_SUBSTR;
		lim = "POL_MAX_SUBSTR";
	}
	if (len > max)
		return pol_error(c, n, "%s value: %zu bytes; at most %zu (%s)",
		    policy_op_name(op), len, max, lim);
	v->str = xmalloc(len + 1);
	memcpy(v->str, s, len);
	v->str[len] = '\0';
	v->len = len;
	return 0;
}

static int
pol_cidr_of(struct pol_ctx *c, yaml_node_t *n, const char *s, size_t len,
    struct pol_value *v)
{
	char	 buf[64], *slash;
	int	 bits, i;
	uint64_t plen;

	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len) != NULL)
		goto bad;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	memset(v->addr, 0, sizeof(v->addr));
	if (inet_pton(AF_INET, buf, v->addr) == 1) {
		v->family = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, buf, v->addr) == 1) {
		v->family = AF_INET6;
		bits = 128;
	} else
		goto bad;
	plen = (uint64_t)bits;
	if (slash != NULL) {
		if (*slash == '\0' || strspn(slash, "0123456789") !=
		    strlen(slash) || (slash[0] == '0' && slash[1] != '\0') ||
		    strlen(slash) > 3)
			goto bad;
		plen = (uint64_t)strtoul(slash, NULL, 10);
		if (plen > (uint64_t)bits)
			goto bad;
	}
	v->prefixlen = (uint8_t)plen;
	/* clear the host bits, as netip.Prefix.Masked() */
	for (i = 0; i < bits / 8; i++) {
		if (i * 8 >= (int)plen)
			v->addr[i] = 0;
		else if (i * 8 + 8 > (int)plen)
			v->addr[i] &= (uint8_t)(0xff << (8 - (plen - i * 8)));
	}
	return 0;
bad:
	return pol_error(c, n, "value '%.*s': expected an IPv4 or IPv6 address "
	    "or CIDR (addr/len)", (int)(len > 64 ? 64 : len), s);
}

static int
pol_port_of(struct pol_ctx *c, yaml_node_t *n, const char *s, size_t len,
    struct pol_value *v)
{
	const char *colon = memchr(s, ':', len);
	int	 neg;

	if (colon == NULL) {
		if (pol_int_text(s, len, &neg, &v->lo) != 0 || neg ||
		    v->lo > 65535)
			goto bad;
		v->hi = v->lo;
	} else if (pol_int_text(s, (size_t)(colon - s), &neg, &v->lo) != 0 ||
	    neg || pol_int_text(colon + 1, len - (size_t)(colon - s) - 1,
	    &neg, &v->hi) != 0 || neg || v->lo > 65535 || v->hi > 65535 ||
	    v->lo > v->hi)
		goto bad;
	v->is_num = 1;
	return 0;
bad:
	return pol_error(c, n, "value '%.*s': expected a port (0 to 65535) or "
	    "a range min:max", (int)(len > 64 ? 64 : len), s);
}

/* Family / Protocol / State / FileType: a name or (not FileType) a
 * number up to max. */
static int
pol_named_of(struct pol_ctx *c, yaml_node_t *n, const char *s, size_t len,
    enum pol_op op, struct pol_value *v)
{
	char	 buf[64];
	uint64_t max;
	int	 x, neg;
	const char *what;

	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len) != NULL)
		goto bad;
	memcpy(buf, s, len);
	buf[len] = '\0';
	switch (op) {
	case POL_OP_FAMILY:
		x = pol_family_lookup(buf);
		max = 65535;
		break;
	case POL_OP_PROTOCOL:
		x = pol_proto_lookup(buf);
		max = 65535;
		break;
	case POL_OP_STATE:
		x = pol_tcpstate_lookup(buf);
		max = 255;
		break;
	default:
		x = pol_filetype_lookup(buf);
		max = 0;
		break;
	}
	if (x >= 0) {
		v->lo = v->hi = (uint64_t)x;
	} else if (max == 0 || pol_int_text(buf, len, &neg, &v->lo) != 0 ||
	    neg || v->lo > max)
		goto bad;
	v->hi = v->lo;
	v->is_num = 1;
	return 0;
bad:
	switch (op) {
	case POL_OP_FAMILY:
		what = "a number or an AF_* name";
		break;
	case POL_OP_PROTOCOL:
		what = "a number or an IPPROTO_* name";
		break;
	case POL_OP_STATE:
		what = "a number or a TCP_* state name";
		break;
	default:
		what = "reg, dir, lnk, chr, blk, fifo or sock";
		break;
	}
	return pol_error(c, n, "%s value '%.*s': expected %s",
	    policy_op_name(op), (int)(len > 64 ? 64 : len), s, what);
}

static struct pol_value *
pol_value_add(struct pol_matcharg *m, size_t *cap)
{
	if (m->nvalues == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		m->values = xreallocarray(m->values, *cap, sizeof(*m->values));
	}
	memset(&m->values[m->nvalues], 0, sizeof(m->values[0]));
	return &m->values[m->nvalues++];
}

/* InMap/NotInMap: numbers, min:max ranges, list:NAME (syscall numbers). */
static int
pol_inmap(struct pol_ctx *c, yaml_node_t *vals, const struct pol_arg *a,
    struct pol_matcharg *m)
{
	const struct pol_list *l;
	struct pol_value *v;
	yaml_node_t *item;
	const char *s;
	size_t	 i, j, len, count, cap = 0;
	uint64_t total = 0;
	int	 r, neg;

	if ((r = yamlu_seq(c->y, vals, "values", POL_MAX_MAPVALUES,
	    "POL_MAX_MAPVALUES", &count)) != 0)
		return r;
	for (i = 0; i < count; i++) {
		item = yamlu_item(c->y, vals, i);
		if ((r = yamlu_text(c->y, item, "values", &s, &len)) != 0)
			return r;
		if (len > 5 && strncmp(s, "list:", 5) == 0) {
			if ((l = pol_list_find(c, s + 5)) == NULL)
				return pol_error(c, item, "value '%s': no "
				    "list named '%s' in spec.lists", s, s + 5);
			if (l->type == POL_LIST_FUNCS)
				return pol_error(c, item, "value '%s': list "
				    "%s is not a syscalls list (InMap takes "
				    "numbers)", s, l->name);
			for (j = 0; j < l->nvalues; j++) {
				v = pol_value_add(m, &cap);
				v->lo = v->hi = (uint64_t)l->nrs[j];
				v->is_num = 1;
				if (a->type == POL_ARG_AUTO) {
					xasprintf(&v->str, "%d", l->nrs[j]);
					v->len = strlen(v->str);
				}
			}
			total += l->nvalues;
		} else {
			v = pol_value_add(m, &cap);
			if (memchr(s, ':', len) != NULL)
				r = pol_range_of(c, item, s, len, a, v);
			else {
				r = pol_int_of(c, item, s, len, a, &v->lo,
				    &neg);
				v->hi = v->lo;
				v->is_num = 1;
			}
			if (r != 0)
				return r;
			if (a->type == POL_ARG_AUTO && (r = pol_str_of(c,
			    item, s, len, POL_OP_EQUAL, v)) != 0)
				return r;
			total += v->hi - v->lo + 1;
		}
		if (total > POL_MAX_MAPVALUES || total == 0)
			return pol_error(c, item, "values: more than %d InMap "
			    "values after expanding lists and ranges "
			    "(POL_MAX_MAPVALUES)", POL_MAX_MAPVALUES);
	}
	return 0;
}

/* Operators that take up to POL_MAX_LISTVALUES values (one map lookup
 * for strings, the InMap hash for integer Equal/NotEqual). */
static int
pol_op_is_list(enum pol_op op)
{
	return op == POL_OP_EQUAL || op == POL_OP_NOTEQUAL ||
	    op == POL_OP_PREFIX || op == POL_OP_NOTPREFIX ||
	    op == POL_OP_POSTFIX || op == POL_OP_NOTPOSTFIX;
}

/*
 * Parse the values (node vals, may be NULL) of matchArgs entry n for
 * operator m->op on argument a (compatibility already checked).
 */
int
pol_matchvalues(struct pol_ctx *c, yaml_node_t *n, yaml_node_t *vals,
    const struct pol_arg *a, const char *argdesc, struct pol_matcharg *m)
{
	struct pol_value *v;
	yaml_node_t *item;
	const char *s;
	size_t	 i, len, count;
	int	 r, neg, isstr, auto_;

	switch (m->op) {
	case POL_OP_SPORTPRIV: case POL_OP_NOTSPORTPRIV:
	case POL_OP_DPORTPRIV: case POL_OP_NOTDPORTPRIV:
		if (vals != NULL && !yamlu_null(vals) && (vals->type !=
		    YAML_SEQUENCE_NODE || yamlu_count(vals) != 0))
			return pol_error(c, vals, "values: operator %s takes "
			    "no values", policy_op_name(m->op));
		return 0;
	default:
		break;
	}
	if (vals == NULL)
		return pol_error(c, n, "matchArgs: missing 'values'");
	if (m->op == POL_OP_INMAP || m->op == POL_OP_NOTINMAP)
		r = pol_inmap(c, vals, a, m);
	else if (pol_op_is_list(m->op))
		r = yamlu_seq(c->y, vals, "values", POL_MAX_LISTVALUES,
		    "POL_MAX_LISTVALUES", &count);
	else
		r = yamlu_seq(c->y, vals, "values", POL_MAX_VALUES,
		    "POL_MAX_VALUES", &count);
	if (r != 0)
		return r;
	if (m->op == POL_OP_INMAP || m->op == POL_OP_NOTINMAP)
		goto done;
	m->values = xcalloc(count ? count : 1, sizeof(*m->values));
	auto_ = a->type == POL_ARG_AUTO;
	isstr = pol_type_is_str(a->type);
	for (i = 0; i < count; i++) {
		item = yamlu_item(c->y, vals, i);
		m->nvalues = i + 1;
		v = &m->values[i];
		if ((r = yamlu_text(c->y, item, "values", &s, &len)) != 0)
			return r;
		switch (m->op) {
		case POL_OP_EQUAL: case POL_OP_NOTEQUAL:
		case POL_OP_MASK: case POL_OP_GT: case POL_OP_LT:
			if (isstr && m->op != POL_OP_MASK &&
			    m->op != POL_OP_GT && m->op != POL_OP_LT) {
				r = pol_str_of(c, item, s, len, m->op, v);
				break;
			}
			if (auto_ && (m->op == POL_OP_EQUAL ||
			    m->op == POL_OP_NOTEQUAL) &&
			    pol_int_text(s, len, &neg, &v->lo) == -1) {
				/* a string field of the tracepoint */
				r = pol_str_of(c, item, s, len, m->op, v);
				break;
			}
			if ((r = pol_int_of(c, item, s, len, a, &v->lo,
			    &neg)) != 0)
				break;
			v->hi = v->lo;
			v->is_num = 1;
			if (auto_)
				r = pol_str_of(c, item, s, len, POL_OP_EQUAL,
				    v);
			break;
		case POL_OP_INRANGE: case POL_OP_NOTINRANGE:
			r = pol_range_of(c, item, s, len, a, v);
			if (r == 0 && auto_)
				r = pol_str_of(c, item, s, len, POL_OP_EQUAL,
				    v);
			break;
		case POL_OP_SADDR: case POL_OP_NOTSADDR:
		case POL_OP_DADDR: case POL_OP_NOTDADDR:
			r = pol_cidr_of(c, item, s, len, v);
			break;
		case POL_OP_SPORT: case POL_OP_NOTSPORT:
		case POL_OP_DPORT: case POL_OP_NOTDPORT:
			r = pol_port_of(c, item, s, len, v);
			break;
		case POL_OP_FAMILY: case POL_OP_PROTOCOL: case POL_OP_STATE:
		case POL_OP_FILETYPE: case POL_OP_NOTFILETYPE:
			r = pol_named_of(c, item, s, len, m->op, v);
			break;
		default:	/* Prefix, Postfix, SubString, ... */
			r = pol_str_of(c, item, s, len, m->op, v);
			if (r == 0 && auto_ && pol_int_text(s, len, &neg,
			    &v->lo) == 0) {
				v->hi = v->lo = neg ? (uint64_t)0 - v->lo :
				    v->lo;
				v->is_num = 1;
			}
			break;
		}
		if (r != 0)
			return r;
		if (count > POL_MAX_VALUES && (m->op == POL_OP_PREFIX ||
		    m->op == POL_OP_NOTPREFIX) && v->len > POL_MAX_PREFIX_LIST)
			return pol_error(c, item, "%s value: %zu bytes; a list "
			    "of more than %d values is matched in an LPM trie "
			    "whose keys hold at most %d bytes of a value "
			    "(POL_MAX_PREFIX_LIST)", policy_op_name(m->op),
			    v->len, POL_MAX_VALUES, POL_MAX_PREFIX_LIST);
	}
done:
	if (m->nvalues == 0)
		return pol_error(c, vals, "values: expected at least one value "
		    "for operator %s on %s", policy_op_name(m->op), argdesc);
	return 0;
}

/* Post rateLimit: "N" (seconds), "Ns", "Nm", "Nh" -> milliseconds. */
int
pol_ratelimit(const char *s, uint64_t *ms)
{
	size_t	 len = strlen(s);
	uint64_t mult = 1, n;
	int	 neg;

	if (len == 0)
		return -1;
	switch (s[len - 1]) {
	case 's': case 'S':
		len--;
		break;
	case 'm': case 'M':
		mult = 60;
		len--;
		break;
	case 'h': case 'H':
		mult = 3600;
		len--;
		break;
	default:
		break;
	}
	if (len == 0 || s[0] < '1' || s[0] > '9' ||
	    pol_int_text(s, len, &neg, &n) != 0 || n > UINT32_MAX)
		return -1;
	*ms = n * mult * 1000;
	return 0;
}
