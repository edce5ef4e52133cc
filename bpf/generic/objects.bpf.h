/*
 * bpf/generic/objects.bpf.h -- readers of kernel-object arguments:
 * the path of a (dentry, mount) (gen_path) and the events.h payloads of
 * cred, bpf_attr/bpf_prog/bpf_map, perf_event, sock/socket, skb and
 * module (gen_capture_obj).  Part of generic.bpf.c.
 */
#ifndef TRIPLINE_GEN_OBJECTS_BPF_H
#define TRIPLINE_GEN_OBJECTS_BPF_H

/*
 * Absolute path of (dentry, mnt) as the current task sees it, written to
 * gheap.rec[dstoff] (room for EV_PATH_MAX bytes); its length, or -1.
 * Sets gheap.pflags when the walk was cut.
 */
__noinline int
gen_path(__u64 dentry, __u64 mnt, __u32 dstoff)
{
	struct task_struct *task = cur_task();
	struct gen_heap *gh = gh_get();
	struct heap *h = h_get();
	struct path root;

	if (gh == NULL || h == NULL || dstoff > GEN_PATH_DST_MAX ||
	    dentry == 0)
		return -1;
	task_root(task, &root);
	gh->pflags = 0;
	path_put(gh->rec + dstoff, &gh->plen, (struct dentry *)dentry,
	    (struct vfsmount *)mnt, &root, h, &gh->pflags, 1);
	return len_get(&gh->plen);
}


/* CO-RE views of types the checked-in vmlinux.h lacks (the running
 * kernel's BTF has them; fields checked with bpf_core_field_exists) */
struct load_info___tl {
	const char *name;
	struct module *mod;
	bool sig_ok;
} __attribute__((preserve_access_index));

struct module___tl {
	bool sig_ok;
} __attribute__((preserve_access_index));

/*
 * Stack note: everything below reads straight into the record (map
 * memory) with bpf_core_read; BPF_CORE_READ() would give each value a
 * stack slot, and this runs four calls deep under the programs' struct
 * gctx (the verifier's 512-byte combined stack limit).
 */
#define CR(dst, src)	bpf_core_read(&(dst), sizeof(dst), &(src))

/*
 * struct sock * -> struct ev_sock at o.  A probe read costs ~40 ns
 * whatever its size, and this runs on every TCP state change a hook
 * watches: the struct sock_common fields come from one read of its head
 * (through skc_cookie), and struct sock's type, protocol, mark and
 * priority from one read of the span that holds them (two reads per
 * field pair if this kernel spreads them further apart), both into the
 * record's slack after o.
 */
#define CAP_SOCK_HEAD		64	/* offset of the sock_common copy */
#define CAP_SOCK_HEAD_MAX	128
#define CAP_SOCK_SPAN		(CAP_SOCK_HEAD + CAP_SOCK_HEAD_MAX)
#define CAP_SOCK_SPAN_MAX	64

#define SOCK_OFF(f)	bpf_core_field_offset(struct sock, f)
#define MIN2(a, b)	((a) < (b) ? (a) : (b))
#define MAX2(a, b)	((a) > (b) ? (a) : (b))

static __always_inline void
cap_sock(struct ev_sock *o, struct sock *sk)
{
	struct sock_common *c = (void *)((__u8 *)o + CAP_SOCK_HEAD);
	__u8 *w = (__u8 *)o + CAP_SOCK_SPAN;
	__u32 n = bpf_core_field_offset(struct sock_common, skc_cookie) + 8;
	__u32 lo, hi;

	if (n > CAP_SOCK_HEAD_MAX)
		n = CAP_SOCK_HEAD_MAX;
	if (bpf_probe_read_kernel(c, n, sk) != 0)
		return;
	o->family = c->skc_family;
	o->state = c->skc_state;
	o->sport = c->skc_num;
	o->dport = bpf_ntohs(c->skc_dport);
	o->cookie = c->skc_cookie.counter;
	if (o->family == AF_INET6) {
		__builtin_memcpy(o->saddr, &c->skc_v6_rcv_saddr, 16);
		__builtin_memcpy(o->daddr, &c->skc_v6_daddr, 16);
	} else {
		__builtin_memcpy(o->saddr, &c->skc_rcv_saddr, 4);
		__builtin_memcpy(o->daddr, &c->skc_daddr, 4);
	}
	/* constants once relocated: the verifier keeps one branch */
	lo = MIN2(MIN2(SOCK_OFF(sk_type), SOCK_OFF(sk_protocol)),
	    MIN2(SOCK_OFF(sk_mark), SOCK_OFF(sk_priority)));
	hi = MAX2(MAX2(SOCK_OFF(sk_type), SOCK_OFF(sk_protocol)),
	    MAX2(SOCK_OFF(sk_mark), SOCK_OFF(sk_priority))) + 4;
	if (hi - lo <= CAP_SOCK_SPAN_MAX && lo < 4096 &&
	    bpf_probe_read_kernel(w, hi - lo, (__u8 *)sk + lo) == 0) {
		__builtin_memcpy(&o->type, w + (SOCK_OFF(sk_type) - lo), 2);
		__builtin_memcpy(&o->protocol,
		    w + (SOCK_OFF(sk_protocol) - lo), 2);
		__builtin_memcpy(&o->mark, w + (SOCK_OFF(sk_mark) - lo), 4);
		__builtin_memcpy(&o->priority,
		    w + (SOCK_OFF(sk_priority) - lo), 4);
		return;
	}
	CR(o->type, sk->sk_type);
	CR(o->protocol, sk->sk_protocol);
	CR(o->mark, sk->sk_mark);
	CR(o->priority, sk->sk_priority);
}

/* struct sk_buff * -> struct ev_skb at o (IPv4/IPv6 + TCP/UDP ports);
 * o->pad2 holds the network header offset, o->sec_path_olen the
 * transport one while parsing */
static __always_inline void
cap_skb(struct ev_skb *o, struct sk_buff *skb)
{
	unsigned char *head = NULL;

	CR(o->hash, skb->hash);
	CR(o->len, skb->len);
	CR(o->priority, skb->priority);
	CR(o->mark, skb->mark);
	CR(o->family, skb->protocol);
	o->protocol = bpf_ntohs(o->family);
	o->family = 0;
	bpf_core_read(&o->pad2, 2, &skb->network_header);
	bpf_core_read(&o->sec_path_olen, 2, &skb->transport_header);
	CR(head, skb->head);
	if (head == NULL || o->pad2 == 0xffff)
		goto out;
	if (bpf_probe_read_kernel(&o->pad, 1, head + o->pad2) != 0)
		goto out;
	if ((o->pad >> 4) == 4) {
		o->family = AF_INET;
		bpf_probe_read_kernel(&o->proto, 1, head + o->pad2 + 9);
		bpf_probe_read_kernel(o->saddr, 4, head + o->pad2 + 12);
		bpf_probe_read_kernel(o->daddr, 4, head + o->pad2 + 16);
	} else if ((o->pad >> 4) == 6) {
		o->family = AF_INET6;
		bpf_probe_read_kernel(&o->proto, 1, head + o->pad2 + 6);
		bpf_probe_read_kernel(o->saddr, 16, head + o->pad2 + 8);
		bpf_probe_read_kernel(o->daddr, 16, head + o->pad2 + 24);
	} else
		goto out;
	if ((o->proto == 6 || o->proto == 17) &&
	    o->sec_path_olen != 0xffff && o->sec_path_olen != o->pad2 &&
	    bpf_probe_read_kernel(&o->sport, 4,
	    head + o->sec_path_olen) == 0) {
		o->sport = bpf_ntohs(o->sport);
		o->dport = bpf_ntohs(o->dport);
	}
out:
	o->pad = 0;
	o->pad2 = 0;
	o->sec_path_olen = 0;
}

/*
 * A kernel object argument (cred, bpf_attr, bpf_prog, bpf_map, perf_event,
 * sock, socket, skb, module) written as its events.h payload to
 * gheap.rec[dstoff]; its length, or -1.  gheap.oaux gets ev_arg.aux.
 */
__noinline int
gen_capture_obj(__u32 how, __u64 raw, __u32 argflags, __u32 dstoff)
{
	struct gen_heap *gh = gh_get();
	struct ev_bpf_prog *bp;
	struct ev_bpf_map *bm;
	struct ev_perf_event *pe;
	struct ev_cred *cr;
	void *p = NULL;
	__u8 *dst;
	long r;

	if (gh == NULL || dstoff > GEN_PATH_DST_MAX || raw == 0)
		return -1;
	dst = gh->rec + dstoff;
	gh->oaux = 0;
	switch (how) {
	case POL_ARG_CRED: {
		struct cred *c = (void *)raw;
		struct user_namespace *ns;

		cr = (void *)dst;
		__builtin_memset(cr, 0, sizeof(*cr));
		CR(cr->uid, c->uid.val);
		CR(cr->gid, c->gid.val);
		CR(cr->suid, c->suid.val);
		CR(cr->sgid, c->sgid.val);
		CR(cr->euid, c->euid.val);
		CR(cr->egid, c->egid.val);
		CR(cr->fsuid, c->fsuid.val);
		CR(cr->fsgid, c->fsgid.val);
		CR(cr->securebits, c->securebits);
		bpf_core_read(&cr->cap_permitted, 8, &c->cap_permitted);
		bpf_core_read(&cr->cap_effective, 8, &c->cap_effective);
		bpf_core_read(&cr->cap_inheritable, 8, &c->cap_inheritable);
		CR(p, c->user_ns);
		ns = p;
		if (ns != NULL) {
			CR(cr->ns_level, ns->level);
			CR(cr->ns_inum, ns->ns.inum);
			CR(cr->ns_owner, ns->owner.val);
		}
		return sizeof(*cr);
	}
	case POL_ARG_BPF_ATTR: {
		union bpf_attr *a = (void *)raw;

		bp = (void *)dst;
		__builtin_memset(bp, 0, sizeof(*bp));
		CR(bp->prog_type, a->prog_type);
		CR(bp->insn_cnt, a->insn_cnt);
		bpf_core_read(bp->name, sizeof(bp->name), &a->prog_name);
		return sizeof(*bp);
	}
	case POL_ARG_BPF_PROG: {
		struct bpf_prog *pr = (void *)raw;

		bp = (void *)dst;
		__builtin_memset(bp, 0, sizeof(*bp));
		CR(bp->prog_type, pr->type);
		CR(bp->insn_cnt, pr->len);
		CR(p, pr->aux);
		if (p != NULL)
			bpf_core_read(bp->name, sizeof(bp->name),
			    &((struct bpf_prog_aux *)p)->name);
		return sizeof(*bp);
	}
	case POL_ARG_BPF_MAP: {
		struct bpf_map *m = (void *)raw;

		bm = (void *)dst;
		__builtin_memset(bm, 0, sizeof(*bm));
		CR(bm->map_type, m->map_type);
		CR(bm->key_size, m->key_size);
		CR(bm->value_size, m->value_size);
		CR(bm->max_entries, m->max_entries);
		bpf_core_read(bm->name, sizeof(bm->name), &m->name);
		return sizeof(*bm);
	}
	case POL_ARG_PERF_EVENT: {
		struct perf_event *e = (void *)raw;

		pe = (void *)dst;
		__builtin_memset(pe, 0, sizeof(*pe));
		CR(pe->type, e->attr.type);
		CR(pe->config, e->attr.config);
		CR(pe->probe_offset, e->attr.config2);
		/* the kprobe's function: the user's string, still there
		 * while perf_event_open runs */
		CR(p, e->attr.config1);
		r = bpf_probe_read_user_str(dst + sizeof(*pe), 128, p);
		if (r <= 1)
			return sizeof(*pe);
		return sizeof(*pe) + ((r - 1) & 127);
	}
	case POL_ARG_SOCKET:
		CR(p, ((struct socket *)raw)->sk);
		if (p == NULL)
			return -1;
		raw = (__u64)p;
		/* FALLTHROUGH */
	case POL_ARG_SOCK:
		__builtin_memset(dst, 0, sizeof(struct ev_sock));
		cap_sock((void *)dst, (void *)raw);
		return sizeof(struct ev_sock);
	case POL_ARG_SKB:
		__builtin_memset(dst, 0, sizeof(struct ev_skb));
		cap_skb((void *)dst, (void *)raw);
		return sizeof(struct ev_skb);
	case POL_ARG_MODULE:
		r = -1;
		if (argflags & HOOK_ARGF_LOAD_INFO) {
			struct load_info___tl *li = (void *)raw;

			if (!bpf_core_type_exists(struct load_info___tl) ||
			    !bpf_core_field_exists(li->mod) ||
			    !bpf_core_field_exists(li->name))
				return -1;
			if (bpf_core_field_exists(li->sig_ok)) {
				CR(*(__u8 *)dst, li->sig_ok);
				if (*dst)
					gh->oaux |= EVA_AUX_MOD_SIG_OK;
			}
			CR(p, li->mod);
			if (p != NULL)
				r = bpf_probe_read_kernel_str(dst, 56,
				    &((struct module *)p)->name);
			if (r <= 1) {
				CR(p, li->name);
				r = bpf_probe_read_kernel_str(dst, 56, p);
			}
		} else {
			struct module___tl *ms = (void *)raw;
			struct module *mod = (void *)raw;

			if (bpf_core_field_exists(ms->sig_ok)) {
				CR(*(__u8 *)dst, ms->sig_ok);
				if (*dst)
					gh->oaux |= EVA_AUX_MOD_SIG_OK;
			}
			CR(*(__u64 *)dst, mod->taints);
			gh->oaux |= (*(__u64 *)dst & 0xffffff) << 8;
			r = bpf_probe_read_kernel_str(dst, 56, &mod->name);
		}
		if (r <= 1)
			return -1;
		return (r - 1) & 63;
	}
	return -1;
}

#endif /* TRIPLINE_GEN_OBJECTS_BPF_H */
