/*
 * loaderd/pl_resolve.c -- resolve: and btfType: on an argument of a kernel
 * function (kprobe, fentry), an LSM hook or a raw tracepoint: the dotted
 * path ("file.f_path.dentry", "mm.owner.comm", "a.b[2].c") walked through
 * the kernel's BTF from the argument's declared type (or the struct
 * btfType names) to the member it ends at, compiled into the offsets the
 * generic programs read through (struct hook_arg res_*; bpf/hook.h).
 *
 * Each component is a member of the struct or union the path has reached
 * (members of anonymous structs and unions are found through them, as in
 * C); a member that is a pointer to a struct or union is followed when a
 * further component names one of its members; [N] indexes an array
 * member.  The member the path ends at decides how it is read, and must
 * fit the argument's type:
 *
 *	an integer, enum or bool (1, 2, 4 or 8 bytes)	an integer type
 *	char[N] (read where it is), char * (followed)	string
 *	struct S (its address), struct S * (followed)	the object type of
 *		S: file, path, dentry, sock, socket, skb (sk_buff), cred,
 *		linux_binprm, bpf_attr, bpf_prog, bpf_map, perf_event, module
 *
 * Anything else is refused with the policy's file:line:col and what the
 * path reached.  Bitfields are refused (their bits cannot be read as a
 * whole member).  At most HOOK_RES_MAX offsets (the components of a path
 * plus the pointers followed); each offset must fit 16 bits.
 */
#include "build.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "err.h"
#include "xmalloc.h"

#include "pl_int.h"

/* the object types and the struct each is a pointer to */
static const struct {
	enum pol_arg_type	 type;
	const char		*st;
} pl_res_objs[] = {
	{ POL_ARG_FILE, "file" },
	{ POL_ARG_PATH, "path" },
	{ POL_ARG_DENTRY, "dentry" },
	{ POL_ARG_SOCK, "sock" },
	{ POL_ARG_SOCKET, "socket" },
	{ POL_ARG_SKB, "sk_buff" },
	{ POL_ARG_CRED, "cred" },
	{ POL_ARG_LINUX_BINPRM, "linux_binprm" },
	{ POL_ARG_BPF_ATTR, "bpf_attr" },
	{ POL_ARG_BPF_PROG, "bpf_prog" },
	{ POL_ARG_BPF_MAP, "bpf_map" },
	{ POL_ARG_PERF_EVENT, "perf_event" },
	{ POL_ARG_MODULE, "module" },
};

/* t with its typedefs and modifiers (const, volatile, ...) skipped */
static const struct btf_type *
pl_res_skip(const struct btf *btf, uint32_t *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t != NULL && (btf_is_typedef(t) || btf_is_mod(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

static const char *
pl_res_name(const struct btf *btf, const struct btf_type *t)
{
	const char *n = btf__name_by_offset(btf, t->name_off);

	return n != NULL && n[0] != '\0' ? n : "(anonymous)";
}

/* "struct file *", "char[16]", "unsigned int", for messages */
static void
pl_res_decl(const struct btf *btf, uint32_t id, char *buf, size_t len)
{
	const struct btf_type *t = pl_res_skip(btf, &id);
	const struct btf_type *p;
	uint32_t pid;

	if (t == NULL) {
		snprintf(buf, len, "?");
		return;
	}
	if (btf_is_ptr(t)) {
		pid = t->type;
		p = pl_res_skip(btf, &pid);
		if (p == NULL || pid == 0)
			snprintf(buf, len, "void *");
		else
			snprintf(buf, len, "%s%s *", btf_is_struct(p) ?
			    "struct " : btf_is_union(p) ? "union " : "",
			    pl_res_name(btf, p));
	} else if (btf_is_array(t)) {
		pid = btf_array(t)->type;
		p = pl_res_skip(btf, &pid);
		snprintf(buf, len, "%s[%u]", p != NULL ? pl_res_name(btf, p) :
		    "?", btf_array(t)->nelems);
	} else
		snprintf(buf, len, "%s%s", btf_is_struct(t) ? "struct " :
		    btf_is_union(t) ? "union " : "", pl_res_name(btf, t));
}

/*
 * Member name of struct/union t, also inside its anonymous members: its
 * byte offset in t (*off) and type (*tid).  1 found, 0 not, -1 a bitfield.
 */
static int
pl_res_member(const struct btf *btf, const struct btf_type *t,
    const char *name, uint32_t *off, uint32_t *tid)
{
	const struct btf_member *m = btf_members(t);
	const struct btf_type *mt;
	uint32_t i, n = btf_vlen(t), bits, sub, mid;
	const char *mn;
	int r;

	for (i = 0; i < n; i++, m++) {
		mn = btf__name_by_offset(btf, m->name_off);
		bits = btf_member_bit_offset(t, i);
		if (mn != NULL && mn[0] != '\0') {
			if (strcmp(mn, name) != 0)
				continue;
			if (btf_member_bitfield_size(t, i) != 0 || bits % 8)
				return -1;
			*off = bits / 8;
			*tid = m->type;
			return 1;
		}
		mid = m->type;
		mt = pl_res_skip(btf, &mid);
		if (mt == NULL || !(btf_is_struct(mt) || btf_is_union(mt)))
			continue;
		if ((r = pl_res_member(btf, mt, name, &sub, tid)) != 0) {
			*off = bits / 8 + sub;
			return r;
		}
	}
	return 0;
}

/* the object type that struct name st is carried as, or POL_ARG_NONE */
static enum pol_arg_type
pl_res_objtype(const char *st)
{
	size_t i;

	for (i = 0; i < sizeof(pl_res_objs) / sizeof(pl_res_objs[0]); i++)
		if (strcmp(pl_res_objs[i].st, st) == 0)
			return pl_res_objs[i].type;
	return POL_ARG_NONE;
}

static int
pl_res_push(struct pl_ctx *c, const struct pol_arg *a, struct hook_arg *ha,
    uint64_t off)
{
	if (ha->res_n >= HOOK_RES_MAX)
		return pl_fail(c, ERR_RANGE, a->line, a->col, "resolve \"%s\": "
		    "more than %d steps (components and pointers followed)",
		    a->resolve, HOOK_RES_MAX);
	if (off > UINT16_MAX)
		return pl_fail(c, ERR_RANGE, a->line, a->col, "resolve \"%s\": "
		    "offset %llu is beyond what this engine reads (%u)",
		    a->resolve, (unsigned long long)off, UINT16_MAX);
	ha->res_off[ha->res_n++] = (uint16_t)off;
	return 0;
}

/*
 * The last member reached (type id tid, at offset off from the base the
 * last pointer gave): how to read it for argument type a->type.
 */
static int
pl_res_final(struct pl_ctx *c, const struct btf *btf, const struct pol_arg *a,
    struct hook_arg *ha, uint32_t tid, uint64_t off)
{
	const struct btf_type *t, *p;
	enum pol_arg_type want = a->type, obj;
	uint32_t id = tid, pid;
	char decl[160];
	const char *why;
	int r;

	t = pl_res_skip(btf, &id);
	if (t == NULL)
		return pl_fail(c, ERR_PARSE, a->line, a->col, "resolve \"%s\": "
		    "no BTF type", a->resolve);
	pl_res_decl(btf, tid, decl, sizeof(decl));
	if ((r = pl_res_push(c, a, ha, off)) != 0)
		return r;
	ha->res_size = 0;
	if (abi_arg_is(want, ABI_AC_INT)) {
		if (!abi_arg_has(want, ABI_AF_CINT)) {
			why = "an integer type (int, uint32, int64, ...)";
			goto bad;
		}
		if ((btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t)) &&
		    (t->size == 1 || t->size == 2 || t->size == 4 ||
		    t->size == 8)) {
			ha->res_size = (uint8_t)t->size;
			if ((btf_is_int(t) &&
			    (btf_int_encoding(t) & BTF_INT_SIGNED)) ||
			    ((btf_is_enum(t) || btf_is_enum64(t)) &&
			    btf_kflag(t)))
				ha->flags |= HOOK_ARGF_RES_SIGNED;
			return 0;
		}
		why = "an integer, enum or bool member";
		goto bad;
	}
	if (want == POL_ARG_STRING) {
		if (btf_is_array(t)) {
			pid = btf_array(t)->type;
			p = pl_res_skip(btf, &pid);
			if (p != NULL && btf_is_int(p) && p->size == 1)
				return 0;	/* the chars where they are */
		} else if (btf_is_ptr(t)) {
			pid = t->type;
			p = pl_res_skip(btf, &pid);
			if (p != NULL && btf_is_int(p) && p->size == 1) {
				ha->res_size = 8;
				return 0;
			}
		}
		why = "a char array or a char pointer";
		goto bad;
	}
	if (abi_arg_has(want, ABI_AF_KPTR) && (btf_is_struct(t) ||
	    btf_is_union(t) || btf_is_ptr(t))) {
		if (btf_is_ptr(t)) {
			pid = t->type;
			p = pl_res_skip(btf, &pid);
			ha->res_size = 8;
		} else
			p = t;		/* embedded: its address */
		obj = p != NULL && (btf_is_struct(p) || btf_is_union(p)) ?
		    pl_res_objtype(pl_res_name(btf, p)) : POL_ARG_NONE;
		if (obj == want)
			return 0;
	}
	why = NULL;
bad:
	if (why != NULL)
		return pl_fail(c, ERR_PARSE, a->line, a->col, "resolve \"%s\" "
		    "ends at %s, which type %s cannot read (it needs %s)",
		    a->resolve, decl, pl_type_name(a), why);
	return pl_fail(c, ERR_UNSUPP, a->line, a->col, "resolve \"%s\" ends "
	    "at %s, which type %s cannot read (this engine reads integers, "
	    "strings and the kernel objects file, path, dentry, sock, "
	    "socket, skb, cred, linux_binprm, bpf_attr, bpf_prog, bpf_map, "
	    "perf_event, module)", a->resolve, decl, pl_type_name(a));
}

/*
 * Compile a->resolve (and a->btf_type) for argument a, declared in the
 * kernel with BTF type id decl (0: not known), into ha.  0 or an error
 * (pl_fail: file:line:col and the reason).
 */
int
pl_arg_resolve(struct pl_ctx *c, const struct btf *btf, const struct pol_arg *a,
    struct hook_arg *ha, uint32_t decl)
{
	const struct btf_type *t;
	char *path, *comp, *save = NULL, *br, *end;
	uint32_t id, off, mid;
	uint64_t acc = 0, idx;
	char d[160];
	int r = 0, found, sid;

	if (a->resolve == NULL || a->resolve[0] == '\0')
		return pl_fail(c, ERR_PARSE, a->line, a->col, "btfType "
		    "without resolve: the argument would be read as it is");
	if (a->btf_type != NULL) {
		/* the argument is a pointer to this struct (Tetragon: cast) */
		sid = btf__find_by_name_kind(btf, a->btf_type,
		    BTF_KIND_STRUCT);
		if (sid <= 0)
			sid = btf__find_by_name_kind(btf, a->btf_type,
			    BTF_KIND_UNION);
		if (sid <= 0)
			return pl_fail(c, ERR_NOTFOUND, a->line, a->col,
			    "btfType \"%s\": no struct or union of that name "
			    "in the kernel's BTF", a->btf_type);
		id = (uint32_t)sid;
	} else {
		if (decl == 0)
			return pl_fail(c, ERR_UNSUPP, a->line, a->col,
			    "resolve \"%s\": the kernel's BTF has no type for "
			    "this argument (give btfType)", a->resolve);
		id = decl;
		t = pl_res_skip(btf, &id);
		if (t == NULL || !btf_is_ptr(t)) {
			pl_res_decl(btf, decl, d, sizeof(d));
			return pl_fail(c, ERR_PARSE, a->line, a->col,
			    "resolve \"%s\": argument %d is %s, not a "
			    "pointer to a struct", a->resolve, a->index, d);
		}
		id = t->type;
	}
	ha->flags |= HOOK_ARGF_RESOLVE;
	ha->res_n = 0;
	path = xstrdup(a->resolve);
	for (comp = strtok_r(path, ".", &save); comp != NULL && r == 0;
	    comp = strtok_r(NULL, ".", &save)) {
		t = pl_res_skip(btf, &id);
		if (t != NULL && btf_is_ptr(t)) {
			/* the member reached so far is a pointer: follow it */
			if ((r = pl_res_push(c, a, ha, acc)) != 0)
				break;
			acc = 0;
			id = t->type;
			t = pl_res_skip(btf, &id);
		}
		if (t == NULL || !(btf_is_struct(t) || btf_is_union(t))) {
			pl_res_decl(btf, id, d, sizeof(d));
			r = pl_fail(c, ERR_PARSE, a->line, a->col, "resolve "
			    "\"%s\": \"%s\" is not a member of %s (not a "
			    "struct or union)", a->resolve, comp, d);
			break;
		}
		if ((br = strchr(comp, '[')) != NULL)
			*br++ = '\0';
		found = pl_res_member(btf, t, comp, &off, &mid);
		if (found <= 0) {
			r = pl_fail(c, ERR_PARSE, a->line, a->col, "resolve "
			    "\"%s\": %s %s has %s \"%s\"", a->resolve,
			    btf_is_union(t) ? "union" : "struct",
			    pl_res_name(btf, t), found < 0 ? "a bitfield" :
			    "no member", comp);
			break;
		}
		acc += off;
		id = mid;
		while (br != NULL && r == 0) {
			/* [N]: an element of an array member */
			idx = strtoull(br, &end, 10);
			t = pl_res_skip(btf, &id);
			if (end == br || *end != ']' || !isdigit((unsigned char)
			    *br) || (end[1] != '\0' && end[1] != '[')) {
				r = pl_fail(c, ERR_PARSE, a->line, a->col,
				    "resolve \"%s\": bad index after \"%s\"",
				    a->resolve, comp);
				break;
			}
			if (t == NULL || !btf_is_array(t) ||
			    idx >= btf_array(t)->nelems) {
				pl_res_decl(btf, id, d, sizeof(d));
				r = pl_fail(c, ERR_RANGE, a->line, a->col,
				    "resolve \"%s\": index %llu of \"%s\" (%s)",
				    a->resolve, (unsigned long long)idx, comp,
				    d);
				break;
			}
			id = btf_array(t)->type;
			acc += idx * (uint64_t)btf__resolve_size(btf, id);
			br = end[1] == '[' ? end + 2 : NULL;
		}
	}
	free(path);
	if (r == 0)
		r = pl_res_final(c, btf, a, ha, id, acc);
	return r;
}
