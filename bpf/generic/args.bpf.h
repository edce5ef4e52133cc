/*
 * bpf/generic/args.bpf.h -- argument readers: the raw value of
 * an argument (syscall registers, function arguments, tracepoint fields,
 * return value) and its capture into the record (gen_capture), all at
 * once or from a position on, and the quick integer read the prefilter
 * uses (gen_quick_int).  Part of generic.bpf.c.
 */
#ifndef TRIPLINE_GEN_ARGS_BPF_H
#define TRIPLINE_GEN_ARGS_BPF_H

/* programs whose arguments can be kernel pointers */
static __always_inline int
kind_has_kptr(__u32 kind)
{
	return kind == HOOK_K_TRACEPOINT || kind == HOOK_K_KPROBE ||
	    kind == HOOK_K_LSM || kind == HOOK_K_FMODRET ||
	    kind == HOOK_K_FENTRY || kind == HOOK_K_RAWTP;
}

/* n bytes at src: user memory, or (a kernel function's argument: the
 * kernel's copy, e.g. security_socket_connect's sockaddr) kernel memory */
static __always_inline long
arg_read(__u32 kind, void *dst, __u32 n, const void *src)
{
	long r = bpf_probe_read_user(dst, n, src);

	if (r != 0 && kind != HOOK_K_SYSCALL && kind != HOOK_K_UPROBE)
		r = bpf_probe_read_kernel(dst, n, src);
	return r;
}

/* the kind arg_read reads for: the executor's kernel copy is kernel
 * memory whatever the hook */
static __always_inline __u32
rd_kind(struct gctx *g)
{
	return g->rck_now ? HOOK_K_LSM : g->kind;
}

static __always_inline struct file *
fd_file(__s64 fd)
{
	struct task_struct *task = cur_task();
	struct files_struct *files;
	struct fdtable *fdt;
	struct file **fda;
	struct file *f = NULL;

	if (fd < 0 || fd > 0x7fffffff)
		return NULL;
	files = BPF_CORE_READ(task, files);
	fdt = BPF_CORE_READ(files, fdt);
	if (fdt == NULL || (__u64)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fda = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fda[fd]) != 0)
		return NULL;
	return f;
}

/*
 * Flags of an argument whose read failed: a syscall's user memory also
 * gets EVA_FAULT (a page the task has not touched yet reads as an error:
 * BPF does not fault pages in; HOOK_F_REREAD reads it again at exit).
 * A NULL pointer is no value, not unreadable.
 */
static __always_inline __u32
read_err(struct gctx *g, __u64 ptr)
{
	return g->kind == HOOK_K_SYSCALL && ptr != 0 ?
	    EVA_ERROR | EVA_FAULT : EVA_ERROR;
}

/* argument types read from the caller's memory (syscall hooks) */
static __always_inline int
is_user_mem(__u32 how)
{
	return how == POL_ARG_STRING || how == POL_ARG_FILENAME ||
	    how == POL_ARG_CHAR_BUF || how == POL_ARG_CHAR_IOVEC ||
	    how == POL_ARG_CONST_BUF || how == POL_ARG_SOCKADDR;
}

/*
 * The string at raw (user memory; other kinds than syscalls, and the
 * executor's kernel copy: or kernel memory), at most max bytes (<=
 * HOOK_ARG_DATA_MAX), to dst with its NUL: bpf_probe_read_*_str's result
 * (max + 1: it was cut at max).  n + 1 bytes asked: a string that fills
 * n bytes without its NUL was cut.  Short strings first: the helper's
 * cost grows with the size asked for, not only with the string.
 */
static __always_inline long
str_read(struct gctx *g, __u8 *dst, __u64 max, __u64 raw)
{
	__u64 n = max < HOOK_STR_MAX ? max : HOOK_STR_MAX;
	int kern = g->kind != HOOK_K_SYSCALL || g->rck_now;
	long r;

	r = bpf_probe_read_user_str(dst, n + 1, (void *)raw);
	if (r < 0 && kern)
		r = bpf_probe_read_kernel_str(dst, n + 1, (void *)raw);
	if (r == (long)n + 1 && max > n) {
		r = bpf_probe_read_user_str(dst, max + 1, (void *)raw);
		if (r < 0 && kern)
			r = bpf_probe_read_kernel_str(dst, max + 1,
			    (void *)raw);
	}
	return r;
}

/* tracepoint field at off, size bytes (1..8), zero-extended */
static __always_inline int
tp_field(struct gctx *g, __u32 off, __u32 size, __u64 *out)
{
	__u64 v = 0;

	if (g->ctxaddr == 0 || size == 0 || size > 8)
		return -1;
	barrier_var(size);
	if (size > 8)
		return -1;
	if (bpf_probe_read_kernel(&v, size,
	    (void *)(g->ctxaddr + (off & 0xffff))) != 0)
		return -1;
	*out = v;
	return 0;
}

/*
 * sys_enter: the six syscall arguments, read from pt_regs only once a hook
 * gets past its process filters (r10 r9 r8 ax cx dx si di: one read).
 */
static __always_inline int
load_sysargs(struct gctx *g, struct gen_heap *gh)
{
	struct pt_regs *regs;
	__u64 *r = gh->regs;

	if (g->have_args)
		return 0;
	if (bpf_core_enum_value_exists(enum bpf_func_id,
	    BPF_FUNC_task_pt_regs)) {
		/* 5.15+: the same pt_regs as a BTF pointer: plain loads, no
		 * probe read (the cheapest way on the hot path) */
		regs = (struct pt_regs *)bpf_task_pt_regs(
		    bpf_get_current_task_btf());
		g->args[0] = regs->di;
		g->args[1] = regs->si;
		g->args[2] = regs->dx;
		g->args[3] = regs->r10;
		g->args[4] = regs->r8;
		g->args[5] = regs->r9;
		g->have_args = 1;
		return 0;
	}
	if (g->regsaddr == 0 || bpf_probe_read_kernel(r, sizeof(gh->regs),
	    (void *)(g->regsaddr + __builtin_offsetof(struct pt_regs, r10))))
		return -1;
	g->args[0] = r[7];	/* di */
	g->args[1] = r[6];	/* si */
	g->args[2] = r[5];	/* dx */
	g->args[3] = r[0];	/* r10 */
	g->args[4] = r[2];	/* r8 */
	g->args[5] = r[1];	/* r9 */
	g->have_args = 1;
	return 0;
}

/*
 * resolve (bpf/hook.h, HOOK_RES_MAX): from the pointer *v, the pointers
 * at res_off[0..res_n-2] followed, then the member at res_off[res_n-1]:
 * its address, or res_size bytes read there (sign-extended for a signed
 * integer).  -1: a pointer on the way or the member unreadable (a NULL
 * pointer included).  Reads into *v itself: no stack of its own (the
 * caller's frame chain is at 6.1's limit).
 */
static __always_inline int
arg_resolve(struct hook_arg *a, __u64 *v)
{
	__u32 i, n = a->res_n, sz;
	__u64 addr;

	if (n == 0 || n > HOOK_RES_MAX)
		return -1;
	for (i = 0; i < HOOK_RES_MAX - 1; i++) {
		if (i + 1 >= n)
			break;
		if (*v == 0 || bpf_probe_read_kernel(v, sizeof(*v),
		    (void *)(*v + a->res_off[i])) != 0)
			return -1;
	}
	i = n - 1;
	barrier_var(i);
	if (*v == 0 || i >= HOOK_RES_MAX)
		return -1;
	addr = *v + a->res_off[i];
	*v = addr;
	sz = a->res_size;
	if (sz == 0)
		return 0;
	barrier_var(sz);
	if (sz > 8)
		return -1;
	*v = 0;
	if (bpf_probe_read_kernel(v, sz, (void *)addr) != 0)
		return -1;
	*v = field_extend(*v, sz, (a->flags & HOOK_ARGF_RES_SIGNED) != 0);
	return 0;
}

/* The raw value of argument a: register, syscall argument, field, ret. */
static __always_inline int
arg_raw(struct gctx *g, struct gen_heap *gh, struct hook_arg *a, __u64 *out)
{
	__u64 v = 0;
	__u32 i;

	switch (a->src_kind) {
	case HOOK_SRC_SYSARG:
	case HOOK_SRC_REG:
		if (load_sysargs(g, gh) != 0)
			return -1;
		i = a->src;
		if (i >= 6)
			return -1;
		*out = g->args[i];
		/* kernel_cap_t: a kernel function takes it by pointer (as
		 * Tetragon, the 64-bit set it points to) */
		if (a->type == POL_ARG_KERNEL_CAP &&
		    a->src_kind == HOOK_SRC_REG &&
		    bpf_probe_read_kernel(out, sizeof(*out),
		    (void *)g->args[i]) != 0)
			return -1;
		if (a->flags & HOOK_ARGF_RESOLVE)
			return arg_resolve(a, out);
		return 0;
	case HOOK_SRC_RETVAL:
		*out = g->ret;
		return 0;
	case HOOK_SRC_SYSNR:
		*out = g->nr;
		return 0;
	case HOOK_SRC_TPFIELD:
		if (g->kind != HOOK_K_TRACEPOINT)
			return -1;
		if (tp_field(g, a->off, a->size, &v) != 0)
			return -1;
		*out = field_extend(v, a->size,
		    (a->flags & HOOK_ARGF_SIGNED) ||
		    abi_arg_has(a->type, ABI_AF_SIGNED));
		return 0;
	}
	return -1;
}

/* the kernel refuses more iovec entries than this (UIO_MAXIOV) */
#define GEN_UIO_MAXIOV		1024

/*
 * char_iovec: the bytes of the first HOOK_IOV_MAX entries of the user
 * iovec array at uptr (cnt entries), concatenated, at most max bytes,
 * written to gheap.rec[dstoff].  Their length, or -1 (cnt beyond what
 * the kernel takes), -2 (an unreadable entry or buffer).  gheap.oaux: the
 * bytes the entries read hold (ev_arg.aux, orig_size).
 */
__noinline int
gen_iovec(__u64 uptr, __u64 cnt, __u32 max, __u32 dstoff)
{
	struct gen_heap *gh = gh_get();
	struct gen_iovbuf *ib;
	struct iovec iov;
	__u64 total = 0, n;
	__u32 zero = 0, i, cur = 0;

	ib = bpf_map_lookup_elem(&iovbuf, &zero);
	if (gh == NULL || ib == NULL || cnt > GEN_UIO_MAXIOV ||
	    dstoff > GEN_REC_MAX - HOOK_ARG_DATA_MAX)
		return -1;
	if (max > HOOK_ARG_DATA_MAX)
		max = HOOK_ARG_DATA_MAX;
	for (i = 0; i < HOOK_IOV_MAX; i++) {
		if (i >= cnt)
			break;
		if (bpf_probe_read_user(&iov, sizeof(iov),
		    (void *)(uptr + i * sizeof(iov))) != 0)
			return -2;
		total += iov.iov_len;
		n = max - cur;
		if (iov.iov_len < n)
			n = iov.iov_len;
		barrier_var(n);
		barrier_var(cur);
		if (n == 0 || n > HOOK_ARG_DATA_MAX || cur > HOOK_ARG_DATA_MAX)
			continue;
		if (bpf_probe_read_user(ib->b + cur, n, iov.iov_base) != 0)
			return -2;
		cur += n;
	}
	gh->oaux = total > 0xffffffffULL ? 0xffffffffU : (__u32)total;
	barrier_var(cur);
	if (cur > HOOK_ARG_DATA_MAX)
		return -1;
	if (cur > 0 && bpf_probe_read_kernel(gh->rec + dstoff, cur,
	    ib->b) != 0)
		return -1;
	return cur;
}

/*
 * Capture argument slot (hook arg position, or GEN_RET_SLOT for the
 * return value) of hook g->id into the record at gheap.pos and describe it
 * in gheap.ref[slot].  Errors are flagged in the argument (EVA_ERROR, no
 * payload), never fatal to the hit.
 */
__noinline int
gen_capture(struct gctx *g, __u32 slot)
{
	struct gen_heap *gh = gh_get();
	struct hook_cfg *hc;
	struct hook_arg *a, *sa;
	struct fdfollow_key fk;
	struct fdfollow_val *fv;
	struct ev_sockaddr *so;
	struct ev_arg *ea;
	struct gen_argref *ref;
	struct file *f = NULL;
	struct dentry *dentry = NULL;
	struct vfsmount *mnt = NULL;
	struct {
		__u16 family;
		__u16 port;
		__u32 addr4;
	} raw_sa;
	__u64 raw = 0, v, size, max, n;
	__u32 pos, off, type, how, flags = 0, aux = 0, len = 0, dl;
	__u8 *dst;
	long r;
	int noerr = 0;

	barrier_var(slot);
	if (g == NULL || gh == NULL || slot >= GEN_NARGS)
		return 0;
	hc = hc_get(g->id);
	if (hc == NULL)
		return 0;
	ref = &gh->ref[slot];
	a = slot == GEN_RET_SLOT ? &hc->ret : &hc->args[slot];
	pos = gh->pos;
	if (pos > GEN_ARGS_AREA - GEN_ARG_SLOT) {
		ref->flags = EVA_ERROR;
		return 0;
	}
	off = sizeof(struct ev_generic) + pos;
	ea = (void *)(gh->rec + off);
	dst = gh->rec + off + sizeof(struct ev_arg);
	type = a->type;
	/* how to read it: a __data_loc field is read as such whatever
	 * string-like type the policy gave it */
	how = (a->flags & HOOK_ARGF_DATA_LOC) ? POL_ARG_DATA_LOC : type;
	max = a->max;
	if (max == 0 || max > HOOK_ARG_DATA_MAX)
		max = HOOK_ARG_DATA_MAX;

	if (how != POL_ARG_DATA_LOC && how != POL_ARG_CONST_BUF &&
	    how != POL_ARG_NOP && arg_raw(g, gh, a, &raw) != 0) {
		flags = EVA_ERROR;
		goto out;
	}
	if (g->nouser && g->kind == HOOK_K_SYSCALL && is_user_mem(how) &&
	    a->src_kind != HOOK_SRC_TPFIELD) {
		/* the pointer was the old image's (execve) */
		flags = EVA_ERROR | EVA_FAULT;
		goto out;
	}
	/* (in g, not on the stack: 6.1's combined stack limit) */
	g->rck_now = 0;
	if (g->phase >= PH_RECHECK && g->rck != 0 && (slot == hc->rck_slot ||
	    slot == hc->rck_slot2)) {
		/* the kernel's own copy, not the caller's memory: the path
		 * of the file it opened, its sockaddr or string copy */
		raw = g->kobj;
		g->rck_now = 1;
		if (g->rck == HOOK_RCK_FILE) {
			f = (void *)raw;
			if (f == NULL)
				flags = EVA_ERROR;
			goto kpath;
		}
		if (g->rck == HOOK_RCK_PATH) {
			dentry = (void *)raw;
			mnt = (void *)g->kmnt;
			if (slot == hc->rck_slot2) {
				dentry = (void *)g->kobj2;
				mnt = (void *)g->kmnt2;
			}
			if (dentry == NULL || mnt == NULL)
				flags = EVA_ERROR;
			goto kpath;
		}
	}
	if (abi_arg_is(how, ABI_AC_INT)) {
		v = int_extend(raw, type);
		*(__u64 *)dst = v;
		raw = v;
		len = 8;
		goto out;
	}
	switch (how) {
	case POL_ARG_NOP:
		break;
	case POL_ARG_STRING:
	case POL_ARG_FILENAME:
		r = str_read(g, dst, max, raw);
		if (r <= 0) {
			flags = read_err(g, raw);
			break;
		}
		if ((__u64)r > max) {
			flags = EVA_TRUNC;
			len = max;
		} else
			len = r - 1;
		break;
	case POL_ARG_CHAR_BUF:
		if (a->flags & HOOK_ARGF_RETURN_COPY) {
			if (g->phase != PH_EXIT) {
				/* read at exit; nothing to see yet */
				flags = EVA_ERROR;
				noerr = 1;
				break;
			}
			/* what the call wrote: its return value */
			size = g->ret < 0 ? 0 : g->ret;
		} else if (a->size_arg == 0) {
			/* no size: the length is unknown, and reading maxData
			 * bytes would store whatever follows the buffer (or
			 * fail at an unmapped page); nothing, as Tetragon */
			size = 0;
		} else
			size = max;
		aux = size;
		if (a->size_arg > 0) {
			dl = a->size_arg - 1;
			if (g->kind == HOOK_K_TRACEPOINT) {
				/* the tracepoint arg at that position */
				if (dl >= HOOK_ARGS_MAX) {
					flags = EVA_ERROR;
					break;
				}
				sa = &hc->args[dl];
				if (arg_raw(g, gh, sa, &v) != 0) {
					flags = EVA_ERROR;
					break;
				}
			} else {
				if (dl >= 6) {
					flags = EVA_ERROR;
					break;
				}
				v = g->args[dl];
			}
			aux = v;
			if (!(a->flags & HOOK_ARGF_RETURN_COPY) || v < size)
				size = v;
		}
		n = size;
		if (n > max) {
			flags = EVA_TRUNC;
			n = max;
		}
		barrier_var(n);
		if (n > HOOK_ARG_DATA_MAX)
			n = 0;
		if (n > 0) {
			r = bpf_probe_read_user(dst, n, (void *)raw);
			if (r != 0 && g->kind != HOOK_K_SYSCALL)
				r = bpf_probe_read_kernel(dst, n, (void *)raw);
			if (r != 0) {
				flags = read_err(g, raw);
				break;
			}
		}
		len = n;
		break;
	case POL_ARG_CHAR_IOVEC:
		/* a user iovec array (syscall or uprobe argument); the
		 * entry count is the argument sizeArgIndex names */
		dl = a->size_arg - 1;
		if (a->size_arg == 0 || dl >= 6 || (g->kind != HOOK_K_SYSCALL &&
		    g->kind != HOOK_K_UPROBE)) {
			flags = EVA_ERROR;
			break;
		}
		if (a->flags & HOOK_ARGF_RETURN_COPY) {
			if (g->phase != PH_EXIT) {
				flags = EVA_ERROR;
				noerr = 1;
				break;
			}
			/* what the call filled: its return value */
			if (g->ret < (__s64)max)
				max = g->ret < 0 ? 0 : g->ret;
		}
		r = gen_iovec(raw, g->args[dl], max,
		    off + sizeof(struct ev_arg));
		if (r < 0) {
			flags = r == -2 ? read_err(g, raw) : EVA_ERROR;
			break;
		}
		len = r;
		aux = gh->oaux;
		if (a->flags & HOOK_ARGF_RETURN_COPY)
			aux = g->ret < 0 ? 0 : g->ret;
		else if (g->args[dl] > HOOK_IOV_MAX)
			flags = EVA_TRUNC;	/* entries left unread */
		if (aux > len)
			flags = EVA_TRUNC;
		break;
	case POL_ARG_CONST_BUF:
		n = a->size;
		aux = n;
		if (n > max) {
			flags = EVA_TRUNC;
			n = max;
		}
		barrier_var(n);
		if (n > HOOK_ARG_DATA_MAX)
			n = 0;
		if (a->src_kind == HOOK_SRC_TPFIELD) {
			if (g->kind != HOOK_K_TRACEPOINT || g->ctxaddr == 0) {
				flags = EVA_ERROR;
				break;
			}
			r = bpf_probe_read_kernel(dst, n,
			    (void *)(g->ctxaddr + (a->off & 0xffff)));
		} else {
			if (arg_raw(g, gh, a, &raw) != 0) {
				flags = EVA_ERROR;
				break;
			}
			r = bpf_probe_read_user(dst, n, (void *)raw);
			if (r != 0) {
				flags = read_err(g, raw);
				break;
			}
		}
		if (r != 0) {
			flags = EVA_ERROR;
			break;
		}
		len = n;
		break;
	case POL_ARG_DATA_LOC:
		if (g->kind != HOOK_K_TRACEPOINT ||
		    tp_field(g, a->off, 4, &raw) != 0) {
			flags = EVA_ERROR;
			break;
		}
		dl = raw;
		n = dl >> 16;
		if (n > max) {
			flags = EVA_TRUNC;
			n = max;
		}
		barrier_var(n);
		if (n > HOOK_ARG_DATA_MAX)
			n = 0;
		if (bpf_probe_read_kernel(dst, n,
		    (void *)(g->ctxaddr + (dl & 0xffff))) != 0) {
			flags = EVA_ERROR;
			break;
		}
		/* the string's NUL is part of the field */
		if (n > 0 && dst[(n - 1) & (HOOK_ARG_DATA_MAX - 1)] == '\0')
			n--;
		len = n;
		break;
	case POL_ARG_FD:
		aux = raw;
		raw = (__u64)(__s64)(__s32)raw;
		if (slot == GEN_RET_SLOT && (__s64)raw < 0) {
			/* the call failed: an error code, not a descriptor
			 * (aux keeps it), not a read error */
			flags = EVA_ERROR;
			noerr = 1;
			break;
		}
		f = fd_file((__s64)raw);
		if (f != NULL)
			break;
		if (slot == GEN_RET_SLOT) {
			/* closed since the call installed it (another
			 * thread): an older FollowFD name would be wrong */
			flags = EVA_ERROR;
			break;
		}
		/* not open (any more): a name remembered by FollowFD */
		fk.tgid = g->pid_tgid >> 32;
		fk.fd = raw;
		fv = bpf_map_lookup_elem(&fdfollow, &fk);
		if (fv == NULL) {
			flags = EVA_ERROR;
			break;
		}
		n = fv->len;
		if (n > HOOK_STR_MAX)
			n = HOOK_STR_MAX;
		bpf_probe_read_kernel(dst, n, fv->path);
		len = n;
		break;
	case POL_ARG_FILE:
	case POL_ARG_LINUX_BINPRM:
		/* kernel pointers: tracepoint fields, kernel functions */
		f = (void *)raw;
		if (f != NULL && how == POL_ARG_LINUX_BINPRM)
			f = BPF_CORE_READ((struct linux_binprm *)raw, file);
		if (f == NULL || !kind_has_kptr(g->kind)) {
			f = NULL;
			flags = EVA_ERROR;
		}
		break;
	case POL_ARG_PATH:
		if (raw == 0 || !kind_has_kptr(g->kind) ||
		    bpf_core_read(&dentry, sizeof(dentry),
		    &((struct path *)raw)->dentry) != 0 ||
		    bpf_core_read(&mnt, sizeof(mnt),
		    &((struct path *)raw)->mnt) != 0)
			flags = EVA_ERROR;
		break;
	case POL_ARG_DENTRY:
		/* the path inside its file system (no mount known) */
		if (raw == 0 || !kind_has_kptr(g->kind))
			flags = EVA_ERROR;
		else
			dentry = (void *)raw;
		break;
	case POL_ARG_SOCKADDR:
		so = (void *)dst;
		__builtin_memset(&raw_sa, 0, sizeof(raw_sa));
		if (arg_read(rd_kind(g), &raw_sa, sizeof(raw_sa),
		    (void *)raw) != 0) {
			flags = read_err(g, raw);
			break;
		}
		so->family = raw_sa.family;
		so->port = 0;
		so->pad = 0;
		__builtin_memset(so->addr, 0, sizeof(so->addr));
		if (raw_sa.family == AF_INET) {
			so->port = bpf_ntohs(raw_sa.port);
			*(__u32 *)so->addr = raw_sa.addr4;
		} else if (raw_sa.family == AF_INET6) {
			so->port = bpf_ntohs(raw_sa.port);
			/* sin6_addr after sin6_flowinfo */
			if (arg_read(rd_kind(g), so->addr, 16,
			    (void *)raw + 8) != 0) {
				flags = read_err(g, raw);
				break;
			}
		}
		len = sizeof(*so);
		break;
	default:
		/* kernel objects (cred, bpf_*, perf_event, sock, socket, skb,
		 * module): only kernel functions and tracepoints have them */
		if (abi_arg_is(how, ABI_AC_OBJ) && kind_has_kptr(g->kind)) {
			r = gen_capture_obj(how, raw, a->flags,
			    off + sizeof(struct ev_arg));
			if (r >= 0) {
				len = r;
				aux = gh->oaux;
				break;
			}
		}
		/* or it needs a kprobe/BTF layer this program does not have */
		flags = EVA_ERROR;
		break;
	}
	/* one path walk for every path-like type */
kpath:
	if (!(flags & EVA_ERROR) && (f != NULL || dentry != NULL)) {
		if (f != NULL) {
			dentry = BPF_CORE_READ(f, f_path.dentry);
			mnt = BPF_CORE_READ(f, f_path.mnt);
			if (how != POL_ARG_FD && !g->rck_now) {
				aux = BPF_CORE_READ(f, f_inode, i_mode);
				if (BPF_CORE_READ(f, f_mode) & 0x2)
					aux |= EVA_AUX_FMODE_W;
			}
		} else if (!g->rck_now)
			aux = BPF_CORE_READ(dentry, d_inode, i_mode);
		r = gen_path((__u64)dentry, (__u64)mnt,
		    off + sizeof(struct ev_arg));
		if (r < 0)
			flags = EVA_ERROR;
		else {
			len = r;
			if (gh->pflags)
				flags |= EVA_TRUNC;
		}
	}
out:
	if (flags & EVA_ERROR) {
		len = 0;
		if (!noerr)
			hs_add(g->id, HS_ERRORS);
	}
	if (slot == GEN_RET_SLOT)
		flags |= EVA_RETVAL;
	if (len > HOOK_ARG_DATA_MAX)
		len = HOOK_ARG_DATA_MAX;
	ea->type = type;
	ea->flags = flags;
	ea->len = len;
	ea->aux = aux;
	ref->off = off + sizeof(struct ev_arg);
	ref->len = len;
	ref->type = type;
	ref->flags = flags;
	/* file, path, dentry, linux_binprm: the inode's mode (FileType) */
	ref->val = abi_arg_is(how, ABI_AC_FILE) ? aux : raw;
	gh->pos = pos + sizeof(struct ev_arg) + ((len + 7) & ~7U);
	return 0;
}

/* Capture all arguments (and at exit the return value) afresh. */
static __always_inline void
capture_all(struct gctx *g, struct gen_heap *gh, __u32 nargs,
    __u32 rettype)
{
	struct gen_argref *ref;
	__u32 i;

	gh->pos = 0;
	for (i = 0; i < GEN_NARGS; i++)
		gh->ref[i].flags = EVA_ERROR;	/* not captured */
	for (i = 0; i < HOOK_ARGS_MAX; i++) {
		if (i >= nargs)
			break;
		gen_capture(g, i);
	}
	if (g->phase != PH_EXIT)
		return;
	if (rettype != POL_ARG_NONE) {
		gen_capture(g, GEN_RET_SLOT);
		return;
	}
	/* not in the record, but matchReturnArgs may look at it */
	ref = &gh->ref[GEN_RET_SLOT];
	ref->type = POL_ARG_INT64;
	ref->flags = 0;
	ref->len = 0;
	ref->off = 0;
	ref->val = g->ret;
}

/*
 * Entry side: capture arguments from..nargs-1 into the record (from 0: a
 * fresh record).  The record keeps the hook's argument order, so a hit
 * captures a prefix for its filters and, once a selector matched, the
 * rest.
 */
static __always_inline void
capture_from(struct gctx *g, struct gen_heap *gh, __u32 from, __u32 nargs)
{
	__u32 i;

	if (from == 0) {
		gh->pos = 0;
		/* not captured; slots gen_quick_int made ready stay so until
		 * captured (matchArgs look at them) */
		for (i = 0; i < GEN_NARGS; i++)
			if (!(g->qmask & (1U << i)))
				gh->ref[i].flags = EVA_ERROR;
	}
	for (i = 0; i < HOOK_ARGS_MAX; i++) {
		if (i >= nargs)
			break;
		if (i < from)
			continue;
		gen_capture(g, i);
	}
}

/*
 * Integer argument slot of hook g->id straight from its raw value into
 * gheap.ref[slot] (nothing written to the record), so the matchArgs
 * entries on it are decided before any string or buffer is read.  1 if
 * ref[slot] is now valid (the same value gen_capture gives it), 0 if the
 * slot is not such an integer (or its read failed: gen_capture will flag
 * that).  g->qmask caches the slots done for this hit.
 */
__noinline int
gen_quick_int(struct gctx *g, __u32 slot)
{
	struct gen_heap *gh = gh_get();
	struct gen_argref *ref;
	struct hook_cfg *hc;
	struct hook_arg *a;
	__u64 raw = 0;

	/* global (verified once): inlined in gen_prefilter's loop, the
	 * argument read's branches multiplied the verifier's states by
	 * the loop's iterations (~500k instructions on its own) */
	if (g == NULL || gh == NULL || slot >= HOOK_ARGS_MAX)
		return 0;
	hc = hc_get(g->id);
	if (hc == NULL)
		return 0;
	if (g->qmask & (1U << slot))
		return 1;
	a = &hc->args[slot];
	if (!abi_arg_is(a->type, ABI_AC_INT) ||
	    (a->flags & HOOK_ARGF_DATA_LOC) || arg_raw(g, gh, a, &raw) != 0)
		return 0;
	ref = &gh->ref[slot];
	ref->val = int_extend(raw, a->type);
	ref->type = a->type;
	ref->flags = 0;
	ref->len = 8;
	ref->off = 0;
	g->qmask |= 1U << slot;
	return 1;
}

#endif /* TRIPLINE_GEN_ARGS_BPF_H */
