/*
 * loaderd/pl_usdt.c -- usdts hooks: a SystemTap SDT probe (the
 * .note.stapsdt notes of an ELF file, as <sys/sdt.h> writes them) is
 * looked up by provider and name, each argument the policy names is
 * checked against every site of the probe (it exists there; a string or
 * buffer is a pointer, 8 bytes), and the hook is attached with libbpf's
 * USDT support (generic_usdt, USDT cookie = hook id), which also bumps a
 * probe's semaphore while attached.
 */
#include "build.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "err.h"
#include "log.h"
#include "xmalloc.h"

#include "bpf_load.h"
#include "pl_int.h"

#define USDT_NOTE_TYPE	3	/* NT_STAPSDT */
#define USDT_ARGS_MAX	12	/* libbpf's USDT_MAX_ARG_CNT */

/* What the sites of one probe say about its arguments. */
struct usdt_probe {
	int	nsites;
	int	nargs;			/* fewest arguments of a site */
	int	size[USDT_ARGS_MAX];	/* bytes (0: differs between sites) */
};

/* One site's argument string ("-4@%edi 8@-16(%rbp) ...") into p. */
static void
usdt_site_args(const char *a, size_t len, struct usdt_probe *p)
{
	const char *end = a + len, *tok;
	int n = 0, sz;

	while (a < end) {
		while (a < end && *a == ' ')
			a++;
		if (a >= end)
			break;
		tok = a;
		while (a < end && *a != ' ')
			a++;
		if (*tok == '-' || *tok == '+')
			tok++;
		sz = atoi(tok);
		if (n < USDT_ARGS_MAX)
			p->size[n] = p->nsites == 0 || p->size[n] == sz ?
			    sz : 0;
		n++;
	}
	if (p->nsites == 0 || n < p->nargs)
		p->nargs = n;
	p->nsites++;
}

/* The desc of one stapsdt note: 3 addresses, provider, name, args. */
static void
usdt_note(const char *d, size_t len, const char *prov, const char *name,
    struct usdt_probe *p)
{
	const char *s = d + 24, *end = d + len, *pv, *nm, *ar;

	if (len < 24 + 3)
		return;
	pv = s;
	if ((s = memchr(s, '\0', (size_t)(end - s))) == NULL)
		return;
	nm = ++s;
	if (s >= end || (s = memchr(s, '\0', (size_t)(end - s))) == NULL)
		return;
	ar = ++s;
	if (s > end || (s = memchr(s, '\0', (size_t)(end - s))) == NULL)
		return;
	if (strcmp(pv, prov) == 0 && strcmp(nm, name) == 0)
		usdt_site_args(ar, (size_t)(s - ar), p);
}

/* The notes of one SHT_NOTE section (bounds checked against the file). */
static void
usdt_section(const char *f, size_t fsz, const Elf64_Shdr *sh,
    const char *prov, const char *name, struct usdt_probe *p)
{
	const Elf64_Nhdr *nh;
	size_t off, end, nsz, dsz;

	if (sh->sh_offset > fsz || sh->sh_size > fsz - sh->sh_offset)
		return;
	off = sh->sh_offset;
	end = off + sh->sh_size;
	while (end - off >= sizeof(*nh)) {
		nh = (const void *)(f + off);
		nsz = (nh->n_namesz + 3) & ~(size_t)3;
		dsz = (nh->n_descsz + 3) & ~(size_t)3;
		off += sizeof(*nh);
		if (nsz > end - off || dsz > end - off - nsz)
			return;
		if (nh->n_type == USDT_NOTE_TYPE && nh->n_namesz == 8 &&
		    memcmp(f + off, "stapsdt", 8) == 0)
			usdt_note(f + off + nsz, nh->n_descsz, prov, name, p);
		off += nsz + dsz;
	}
}

/* Every site of provider:name in the ELF64 file f. */
static int
usdt_scan(const char *f, size_t fsz, const char *prov, const char *name,
    struct usdt_probe *p)
{
	const Elf64_Ehdr *eh = (const void *)f;
	const Elf64_Shdr *sh;
	size_t i;

	if (fsz < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(*sh) || eh->e_shoff > fsz ||
	    (size_t)eh->e_shnum > (fsz - eh->e_shoff) / sizeof(*sh))
		return -1;
	sh = (const void *)(f + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_NOTE)
			usdt_section(f, fsz, &sh[i], prov, name, p);
	return 0;
}

static int
pl_usdt_probe(struct pl_ctx *c, struct usdt_probe *p)
{
	const struct pol_hook *h = c->h;
	struct stat st;
	void *m;
	int fd, r;

	memset(p, 0, sizeof(*p));
	if ((fd = open(h->path, O_RDONLY | O_CLOEXEC)) == -1)
		return pl_fail(c, ERR_NOTFOUND, 0, 0, "%s: %s", h->path,
		    strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return pl_fail(c, ERR_NOTFOUND, 0, 0, "%s: not a regular file",
		    h->path);
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return pl_fail(c, ERR_SYS, 0, 0, "%s: %s", h->path,
		    strerror(errno));
	r = usdt_scan(m, (size_t)st.st_size, h->subsystem, h->event, p);
	munmap(m, (size_t)st.st_size);
	if (r != 0)
		return pl_fail(c, ERR_UNSUPP, 0, 0, "%s: not a 64-bit ELF file",
		    h->path);
	if (p->nsites == 0)
		return pl_fail(c, ERR_NOTFOUND, 0, 0, "%s has no USDT probe "
		    "%s:%s (no such .note.stapsdt note)", h->path,
		    h->subsystem, h->event);
	return 0;
}

/* The policy's arguments against the probe's sites. */
static int
pl_usdt_args(struct pl_ctx *c, const struct usdt_probe *p)
{
	const struct pol_hook *h = c->h;
	const struct pol_arg *a;
	size_t i;

	for (i = 0; i < h->nargs; i++) {
		a = &h->args[i];
		if (a->index >= p->nargs)
			return pl_fail(c, ERR_RANGE, a->line, a->col, "index "
			    "%d: probe %s:%s has %d argument%s", a->index,
			    h->subsystem, h->event, p->nargs,
			    p->nargs == 1 ? "" : "s");
		if (!abi_arg_is(a->type, ABI_AC_INT) &&
		    p->size[a->index] != 8)
			return pl_fail(c, ERR_UNSUPP, a->line, a->col, "type "
			    "%s: argument %d of probe %s:%s is not a pointer "
			    "(%d bytes)", pl_type_name(a), a->index,
			    h->subsystem, h->event, p->size[a->index]);
	}
	return 0;
}

int
pl_hook_usdt(struct pl_ctx *c, enum pol_arg_type *types)
{
	const struct pol_hook *h = c->h;
	struct ph *ph = c->ph;
	struct usdt_probe p;
	int r;

	if (h->path == NULL || h->subsystem == NULL || h->event == NULL)
		return pl_fail(c, ERR_PARSE, 0, 0, "usdt without path, "
		    "provider or name");
	if ((r = pl_usdt_probe(c, &p)) != 0 || (r = pl_usdt_args(c, &p)) != 0)
		return r;
	if ((r = pl_user_args(c, types)) != 0)
		return r;
	xasprintf(&ph->meta.function, "%s:%s", h->subsystem, h->event);
	xasprintf(&ph->how, "usdt %s:%s:%s (%d site%s)", h->path,
	    h->subsystem, h->event, p.nsites, p.nsites == 1 ? "" : "s");
	return 0;
}

/* The usdt program: one instance, loaded on first use. */
static int
pl_usdtinst(struct polset *ps, char *err, size_t errlen)
{
	static const char *const progs[] = { "generic_usdt" };

	if (ps->usdtinst != NULL)
		return 0;
	return bpfl_instance(ps->b, progs, 1, NULL, 0, &ps->usdtinst, err,
	    errlen);
}

/* Attach the usdts hook ph at every site of its probe, in every process
 * (pid -1): USDT cookie = hook id. */
int
pl_usdt_attach(struct polset *ps, struct ph *ph, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_usdt_opts, o);
	int r;

	if ((r = pl_usdtinst(ps, err, errlen)) != 0)
		return r;
	o.usdt_cookie = ph->id;
	ph->link = bpf_program__attach_usdt(bpfl_inst_prog(ps->usdtinst,
	    "generic_usdt"), -1, ph->h->path, ph->h->subsystem, ph->h->event,
	    &o);
	if (ph->link == NULL) {
		snprintf(err, errlen, "attach usdt %s:%s:%s: %s", ph->h->path,
		    ph->h->subsystem, ph->h->event, strerror(errno));
		return ERR_SYS;
	}
	return 0;
}
