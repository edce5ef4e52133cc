/*
 * collectord/stacks.c -- symbolise the stack traces of policy records
 * (kallsyms for kernel frames, ELF build ids and symbol tables for user
 * frames).  See stacks.h.
 */
#include "build.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpf/events.h"
#include "decode.h"
#include "jsonw.h"
#include "log.h"
#include "stacks.h"
#include "str.h"
#include "xmalloc.h"

#define STK_KALLSYMS_MAX	(64U << 20)	/* bytes of /proc/kallsyms */
#define STK_KSYM_GAP		(1U << 20)	/* an address this far past
						   the last symbol is unknown */
#define STK_KRELOAD_S		30	/* a miss reloads kallsyms at most
					   this often (modules loaded) */
#define STK_FILES_MAX		64	/* ELF files kept (LRU) */
#define STK_PHNUM_MAX		256
#define STK_SHNUM_MAX		4096
#define STK_NOTE_MAX		(64U << 10)
#define STK_LOADS_MAX		16
#define STK_SYMS_MAX		(2U << 20)	/* symbols kept per file */
#define STK_STRTAB_MAX		(64U << 20)
#define STK_INDEX_MAX		20000	/* library files indexed */
#define STK_RESCAN_S		60	/* a missing build id rescans the
					   library directories at most this
					   often */
#define STK_NAME_MAX		256	/* a symbol name is cut here */

static const char *const stk_default_libdirs[] = {
	"/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib",
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
	"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
	NULL,
};

struct ksym {
	uint64_t	 addr;
	uint32_t	 name;		/* into kblob */
	uint32_t	 mod;		/* into kblob; 0: the kernel itself */
};

struct esym {
	uint64_t	 value;
	uint64_t	 size;
	uint32_t	 name;		/* into names */
};

struct eload {
	uint64_t	 off, vaddr, filesz;
};

struct efile {
	char		*path;
	dev_t		 dev;
	ino_t		 ino;
	struct timespec	 mtime;
	uint8_t		 bid[STK_BUILD_ID_MAX];
	size_t		 bidlen;
	int		 syms_loaded;
	struct esym	*syms;
	size_t		 nsyms;
	char		*names;
	size_t		 nlen;
	struct eload	 loads[STK_LOADS_MAX];
	size_t		 nloads;
	uint64_t	 used;
};

struct bident {
	uint8_t		 bid[STK_BUILD_ID_MAX];
	size_t		 bidlen;
	char		*path;
};

struct stk {
	int		 expose;
	int		 kfd;
	struct ksym	*ks;
	size_t		 nks;
	char		*kblob;
	size_t		 kblen;
	int		 kloaded;
	time_t		 kload_t;
	struct efile	*files[STK_FILES_MAX];
	size_t		 nfiles;
	uint64_t	 tick;
	struct bident	*idx;
	size_t		 nidx;
	int		 idx_done;
	time_t		 idx_t;
	const char *const *libdirs;
};

/* A readable image: an fd (pread) or memory. */
struct esrc {
	int		 fd;
	const uint8_t	*mem;
	uint64_t	 len;
};

struct stk *
stk_new(int expose)
{
	struct stk	*s = xcalloc(1, sizeof(*s));

	s->expose = expose;
	s->kfd = -1;
	s->libdirs = stk_default_libdirs;
	return s;
}

static void
efile_free(struct efile *f)
{
	if (f == NULL)
		return;
	free(f->path);
	free(f->syms);
	free(f->names);
	free(f);
}

static void
stk_index_clear(struct stk *s)
{
	size_t	 i;

	for (i = 0; i < s->nidx; i++)
		free(s->idx[i].path);
	free(s->idx);
	s->idx = NULL;
	s->nidx = 0;
}

void
stk_free(struct stk *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	if (s->kfd >= 0)
		close(s->kfd);
	free(s->ks);
	free(s->kblob);
	for (i = 0; i < s->nfiles; i++)
		efile_free(s->files[i]);
	stk_index_clear(s);
	free(s);
}

void
stk_set_kallsyms(struct stk *s, int fd)
{
	if (s->kfd >= 0)
		close(s->kfd);
	s->kfd = fd;
	s->kloaded = 0;
}

void
stk_set_libdirs(struct stk *s, const char *const *dirs)
{
	s->libdirs = dirs;
	stk_index_clear(s);
	s->idx_done = 0;
}

/* ------------------------------------------------------------------ */
/* kernel symbols */

static uint32_t
kblob_add(struct stk *s, const char *p, size_t n, size_t *cap)
{
	uint32_t	 at = (uint32_t)s->kblen;

	if (s->kblen + n + 1 > *cap) {
		while (s->kblen + n + 1 > *cap)
			*cap = *cap ? *cap * 2 : 65536;
		s->kblob = xreallocarray(s->kblob, *cap, 1);
	}
	memcpy(s->kblob + s->kblen, p, n);
	s->kblob[s->kblen + n] = '\0';
	s->kblen += n + 1;
	return at;
}

static int
ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
stk_kallsyms_load(struct stk *s, const char *text, size_t len)
{
	const char	*p = text, *end = text + len, *nl, *q, *name, *mod;
	size_t		 cap = 0, kcap = 0, nname, nmod;
	uint64_t	 addr;
	int		 h, digits, nonzero = 0;
	char		 type;

	free(s->ks);
	free(s->kblob);
	s->ks = NULL;
	s->kblob = NULL;
	s->nks = s->kblen = 0;
	kblob_add(s, "", 0, &cap);	/* offset 0: no module */
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		/* "ADDR T name" or "ADDR t name\t[module]" */
		addr = 0;
		digits = 0;
		for (q = p; q < nl && (h = hexval(*q)) >= 0; q++) {
			if (++digits > 16)
				break;
			addr = addr << 4 | (uint64_t)h;
		}
		if (digits == 0 || digits > 16 || q + 3 > nl || q[0] != ' ' ||
		    q[2] != ' ')
			continue;
		type = q[1];
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		name = q + 3;
		for (q = name; q < nl && *q != '\t' && *q != ' '; q++)
			;
		nname = (size_t)(q - name);
		if (nname == 0 || nname > STK_NAME_MAX)
			continue;
		mod = NULL;
		nmod = 0;
		if (q < nl && *q == '\t' && q + 2 < nl && q[1] == '[' &&
		    nl[-1] == ']') {
			mod = q + 2;
			nmod = (size_t)(nl - 1 - mod);
			if (nmod == 0 || nmod > STK_NAME_MAX)
				mod = NULL;
		}
		if (s->kblen > UINT32_MAX - 2 * STK_NAME_MAX - 4)
			break;
		if (s->nks == kcap) {
			kcap = kcap ? kcap * 2 : 4096;
			s->ks = xreallocarray(s->ks, kcap, sizeof(*s->ks));
		}
		s->ks[s->nks].addr = addr;
		s->ks[s->nks].name = kblob_add(s, name, nname, &cap);
		s->ks[s->nks].mod = mod != NULL ?
		    kblob_add(s, mod, nmod, &cap) : 0;
		s->nks++;
		if (addr != 0)
			nonzero = 1;
	}
	if (!nonzero) {
		/* addresses hidden from the opener: nothing to look up */
		s->nks = 0;
	}
	if (s->nks > 0)
		qsort(s->ks, s->nks, sizeof(*s->ks), ksym_cmp);
	return s->nks;
}

static void
stk_kallsyms_read(struct stk *s)
{
	char	*buf = NULL;
	size_t	 len = 0, cap = 0;
	ssize_t	 n;

	s->kloaded = 1;
	s->kload_t = time(NULL);
	if (s->kfd < 0)
		return;
	if (lseek(s->kfd, 0, SEEK_SET) == -1) {
		log_warn("stacks: kallsyms");
		return;
	}
	for (;;) {
		if (cap - len < 65536) {
			if (cap >= STK_KALLSYMS_MAX)
				break;
			cap = cap ? cap * 2 : 1U << 20;
			buf = xreallocarray(buf, cap, 1);
		}
		n = read(s->kfd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	log_debug("stacks: %zu kernel symbols", stk_kallsyms_load(s, buf,
	    len));
	free(buf);
}

/* The kernel symbol of ip, or NULL. */
static const struct ksym *
stk_ksym(struct stk *s, uint64_t ip, int retry)
{
	size_t	 lo = 0, hi, mid;

	if (!s->kloaded)
		stk_kallsyms_read(s);
	hi = s->nks;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->ks[mid].addr <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && ip - s->ks[lo - 1].addr < STK_KSYM_GAP)
		return &s->ks[lo - 1];
	if (retry && s->kfd >= 0 &&
	    time(NULL) - s->kload_t >= STK_KRELOAD_S) {
		stk_kallsyms_read(s);
		return stk_ksym(s, ip, 0);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* ELF */

static int
src_read(const struct esrc *e, uint64_t off, void *dst, size_t n)
{
	ssize_t	 r;
	size_t	 got = 0;

	if (off > e->len || n > e->len - off)
		return -1;
	if (e->mem != NULL) {
		memcpy(dst, e->mem + off, n);
		return 0;
	}
	while (got < n) {
		r = pread(e->fd, (char *)dst + got, n - got,
		    (off_t)(off + got));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int
elf_ehdr(const struct esrc *e, Elf64_Ehdr *h)
{
	if (src_read(e, 0, h, sizeof(*h)) != 0 ||
	    memcmp(h->e_ident, ELFMAG, SELFMAG) != 0 ||
	    h->e_ident[EI_CLASS] != ELFCLASS64 ||
	    h->e_ident[EI_DATA] != ELFDATA2LSB)
		return -1;
	if (h->e_phnum > STK_PHNUM_MAX ||
	    (h->e_phnum > 0 && h->e_phentsize != sizeof(Elf64_Phdr)))
		return -1;
	if (h->e_shnum > STK_SHNUM_MAX ||
	    (h->e_shnum > 0 && h->e_shentsize != sizeof(Elf64_Shdr)))
		return -1;
	return 0;
}

/* The GNU build id among the notes of [off, off + size). */
static int
elf_notes_bid(const struct esrc *e, uint64_t off, uint64_t size,
    uint8_t *bid, size_t *bidlen)
{
	uint8_t		*buf;
	Elf64_Nhdr	 nh;
	size_t		 p = 0, nsz, dsz;
	int		 found = 0;

	if (size > STK_NOTE_MAX || size < sizeof(nh))
		return 0;
	buf = xmalloc((size_t)size);
	if (src_read(e, off, buf, (size_t)size) != 0) {
		free(buf);
		return 0;
	}
	while (size - p >= sizeof(nh)) {
		memcpy(&nh, buf + p, sizeof(nh));
		p += sizeof(nh);
		nsz = ((size_t)nh.n_namesz + 3) & ~(size_t)3;
		dsz = ((size_t)nh.n_descsz + 3) & ~(size_t)3;
		if (nh.n_namesz > size || nh.n_descsz > size ||
		    nsz > size - p || dsz > size - p - nsz)
			break;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    memcmp(buf + p, "GNU", 4) == 0 && nh.n_descsz > 0 &&
		    nh.n_descsz <= STK_BUILD_ID_MAX) {
			memcpy(bid, buf + p + nsz, nh.n_descsz);
			*bidlen = nh.n_descsz;
			found = 1;
			break;
		}
		p += nsz + dsz;
	}
	free(buf);
	return found;
}

static int
esym_cmp(const void *a, const void *b)
{
	const struct esym *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

/* Function symbols of one symbol table section (with its string table). */
static void
elf_symtab(const struct esrc *e, const Elf64_Shdr *sh,
    const Elf64_Shdr *str, struct efile *f, size_t *cap)
{
	Elf64_Sym	 syms[256];
	char		*strs;
	uint64_t	 n, i, k, chunk;
	size_t		 len, nlcap = f->nlen;
	unsigned	 type;

	if (sh->sh_entsize != sizeof(Elf64_Sym) || str->sh_type != SHT_STRTAB ||
	    str->sh_size == 0 || str->sh_size > STK_STRTAB_MAX)
		return;
	strs = xmalloc((size_t)str->sh_size + 1);
	if (src_read(e, str->sh_offset, strs, (size_t)str->sh_size) != 0) {
		free(strs);
		return;
	}
	strs[str->sh_size] = '\0';
	n = sh->sh_size / sizeof(Elf64_Sym);
	for (i = 0; i < n && f->nsyms < STK_SYMS_MAX; i += chunk) {
		chunk = n - i < 256 ? n - i : 256;
		if (src_read(e, sh->sh_offset + i * sizeof(Elf64_Sym), syms,
		    (size_t)chunk * sizeof(Elf64_Sym)) != 0)
			break;
		for (k = 0; k < chunk && f->nsyms < STK_SYMS_MAX; k++) {
			type = ELF64_ST_TYPE(syms[k].st_info);
			if ((type != STT_FUNC && type != STT_GNU_IFUNC) ||
			    syms[k].st_shndx == SHN_UNDEF ||
			    syms[k].st_value == 0 ||
			    syms[k].st_name >= str->sh_size)
				continue;
			len = strnlen(strs + syms[k].st_name, STK_NAME_MAX);
			if (len == 0)
				continue;
			if (f->nsyms == *cap) {
				*cap = *cap ? *cap * 2 : 1024;
				f->syms = xreallocarray(f->syms, *cap,
				    sizeof(*f->syms));
			}
			if (f->nlen + len + 1 > nlcap) {
				while (f->nlen + len + 1 > nlcap)
					nlcap = nlcap ? nlcap * 2 : 16384;
				f->names = xreallocarray(f->names, nlcap, 1);
			}
			memcpy(f->names + f->nlen, strs + syms[k].st_name, len);
			f->names[f->nlen + len] = '\0';
			f->syms[f->nsyms].value = syms[k].st_value;
			f->syms[f->nsyms].size = syms[k].st_size;
			f->syms[f->nsyms].name = (uint32_t)f->nlen;
			f->nlen += len + 1;
			f->nsyms++;
		}
	}
	free(strs);
}

/*
 * Read e into f: its build id and PT_LOAD segments, and with syms its
 * function symbols (.symtab and .dynsym).  0, or -1 if not a 64-bit ELF.
 */
static int
elf_read(const struct esrc *e, struct efile *f, int syms)
{
	Elf64_Ehdr	 h;
	Elf64_Phdr	 ph;
	Elf64_Shdr	*sh = NULL;
	size_t		 i, cap = 0;

	if (elf_ehdr(e, &h) != 0)
		return -1;
	f->nloads = 0;
	f->bidlen = 0;
	for (i = 0; i < h.e_phnum; i++) {
		if (src_read(e, h.e_phoff + i * sizeof(ph), &ph,
		    sizeof(ph)) != 0)
			return -1;
		if (ph.p_type == PT_LOAD && f->nloads < STK_LOADS_MAX) {
			f->loads[f->nloads].off = ph.p_offset;
			f->loads[f->nloads].vaddr = ph.p_vaddr;
			f->loads[f->nloads].filesz = ph.p_filesz;
			f->nloads++;
		}
		if (ph.p_type == PT_NOTE && f->bidlen == 0)
			elf_notes_bid(e, ph.p_offset, ph.p_filesz, f->bid,
			    &f->bidlen);
	}
	if ((f->bidlen > 0 && !syms) || h.e_shnum == 0)
		return 0;
	sh = xreallocarray(NULL, h.e_shnum, sizeof(*sh));
	if (src_read(e, h.e_shoff, sh, h.e_shnum * sizeof(*sh)) != 0) {
		free(sh);
		return 0;
	}
	for (i = 0; i < h.e_shnum && f->bidlen == 0; i++)
		if (sh[i].sh_type == SHT_NOTE)
			elf_notes_bid(e, sh[i].sh_offset, sh[i].sh_size,
			    f->bid, &f->bidlen);
	if (syms) {
		free(f->syms);
		free(f->names);
		f->syms = NULL;
		f->names = NULL;
		f->nsyms = f->nlen = 0;
		for (i = 0; i < h.e_shnum; i++)
			if ((sh[i].sh_type == SHT_SYMTAB ||
			    sh[i].sh_type == SHT_DYNSYM) &&
			    sh[i].sh_link < h.e_shnum)
				elf_symtab(e, &sh[i], &sh[sh[i].sh_link], f,
				    &cap);
		if (f->nsyms > 0)
			qsort(f->syms, f->nsyms, sizeof(*f->syms), esym_cmp);
		f->syms_loaded = 1;
	}
	free(sh);
	return 0;
}

/* The function symbol covering file offset off: its index, or -1;
 * *vaddr the address it maps to (when a segment holds it). */
static ssize_t
efile_lookup(const struct efile *f, uint64_t off, uint64_t *vaddr)
{
	uint64_t	 va = 0;
	size_t		 i, lo = 0, hi = f->nsyms, mid;
	int		 mapped = 0;

	for (i = 0; i < f->nloads; i++)
		if (off >= f->loads[i].off &&
		    off - f->loads[i].off < f->loads[i].filesz) {
			va = off - f->loads[i].off + f->loads[i].vaddr;
			mapped = 1;
			break;
		}
	*vaddr = va;
	if (!mapped)
		return -1;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (f->syms[mid].value <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -1;
	lo--;
	if (f->syms[lo].size != 0 && va - f->syms[lo].value >=
	    f->syms[lo].size)
		return -1;
	return (ssize_t)lo;
}

int
stk_elf_mem(const void *img, size_t len, uint64_t off, uint8_t *bid,
    size_t *bidlen, char *sym, size_t symsz, uint64_t *symoff)
{
	struct esrc	 e = { -1, img, len };
	struct efile	 f;
	uint64_t	 va;
	ssize_t		 k;
	int		 r = -1;

	memset(&f, 0, sizeof(f));
	*bidlen = 0;
	if (symsz > 0)
		sym[0] = '\0';
	*symoff = 0;
	if (img != NULL && elf_read(&e, &f, 1) == 0) {
		memcpy(bid, f.bid, f.bidlen);
		*bidlen = f.bidlen;
		r = 0;
		if ((k = efile_lookup(&f, off, &va)) >= 0) {
			snprintf(sym, symsz, "%s", f.names + f.syms[k].name);
			*symoff = va - f.syms[k].value;
			r = 1;
		}
	}
	free(f.syms);
	free(f.names);
	return r;
}

/* ------------------------------------------------------------------ */
/* files by path and by build id */

static int
stk_open(const char *path, struct esrc *e, struct stat *st)
{
	int	 fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return -1;
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	e->fd = fd;
	e->mem = NULL;
	e->len = (uint64_t)st->st_size;
	return 0;
}

/* The cached file at path (read again if it changed), or NULL. */
static struct efile *
stk_file(struct stk *s, const char *path)
{
	struct efile	*f = NULL;
	struct esrc	 e;
	struct stat	 st;
	size_t		 i, old = 0;

	if (path == NULL || path[0] != '/')
		return NULL;
	if (stk_open(path, &e, &st) != 0)
		return NULL;
	for (i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i]->path, path) == 0) {
			f = s->files[i];
			break;
		}
	if (f != NULL && (f->dev != st.st_dev || f->ino != st.st_ino ||
	    f->mtime.tv_sec != st.st_mtim.tv_sec ||
	    f->mtime.tv_nsec != st.st_mtim.tv_nsec)) {
		/* replaced: read again */
		s->files[i] = s->files[--s->nfiles];
		efile_free(f);
		f = NULL;
	}
	if (f == NULL) {
		f = xcalloc(1, sizeof(*f));
		f->path = xstrdup(path);
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		f->mtime = st.st_mtim;
		if (elf_read(&e, f, 0) != 0) {
			close(e.fd);
			efile_free(f);
			return NULL;
		}
		if (s->nfiles == STK_FILES_MAX) {
			for (i = 1; i < s->nfiles; i++)
				if (s->files[i]->used < s->files[old]->used)
					old = i;
			efile_free(s->files[old]);
			s->files[old] = s->files[--s->nfiles];
		}
		s->files[s->nfiles++] = f;
	}
	if (!f->syms_loaded)
		(void)elf_read(&e, f, 1);
	close(e.fd);
	f->used = ++s->tick;
	return f;
}

/* Index the library directories: build id -> path. */
static void
stk_index(struct stk *s)
{
	const char *const *d;
	struct dirent	*de;
	struct efile	 f;
	struct esrc	 e;
	struct stat	 st;
	char		 path[4096];
	DIR		*dir;

	stk_index_clear(s);
	s->idx_done = 1;
	s->idx_t = time(NULL);
	for (d = s->libdirs; d != NULL && *d != NULL; d++) {
		if ((dir = opendir(*d)) == NULL)
			continue;
		while ((de = readdir(dir)) != NULL && s->nidx < STK_INDEX_MAX) {
			if (strstr(de->d_name, ".so") == NULL ||
			    (de->d_type != DT_REG && de->d_type != DT_LNK &&
			    de->d_type != DT_UNKNOWN))
				continue;
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", *d,
			    de->d_name) >= sizeof(path))
				continue;
			if (stk_open(path, &e, &st) != 0)
				continue;
			memset(&f, 0, sizeof(f));
			if (elf_read(&e, &f, 0) == 0 && f.bidlen > 0) {
				s->idx = xreallocarray(s->idx, s->nidx + 1,
				    sizeof(*s->idx));
				memcpy(s->idx[s->nidx].bid, f.bid, f.bidlen);
				s->idx[s->nidx].bidlen = f.bidlen;
				s->idx[s->nidx].path = xstrdup(path);
				s->nidx++;
			}
			close(e.fd);
		}
		closedir(dir);
	}
	log_debug("stacks: %zu library build ids indexed", s->nidx);
}

/* The file whose build id is bid (20 bytes, trailing zeros of a shorter
 * id included): the executable, a cached file, or the library index. */
static struct efile *
stk_by_bid(struct stk *s, const uint8_t *bid, const char *exe)
{
	struct efile	*f;
	size_t		 i, n = STK_BUILD_ID_MAX;
	int		 pass;

	/* the kernel reports 20 bytes; a shorter id is zero padded */
	while (n > 0 && bid[n - 1] == 0)
		n--;
	if (n == 0)
		return NULL;
	for (i = 0; i < s->nfiles; i++) {
		f = s->files[i];
		if (f->bidlen >= n && memcmp(f->bid, bid, f->bidlen) == 0)
			return stk_file(s, f->path);
	}
	if (exe != NULL && (f = stk_file(s, exe)) != NULL &&
	    f->bidlen >= n && memcmp(f->bid, bid, f->bidlen) == 0)
		return f;
	for (pass = 0; pass < 2; pass++) {
		if (!s->idx_done || (pass == 1 &&
		    time(NULL) - s->idx_t >= STK_RESCAN_S))
			stk_index(s);
		else if (pass == 1)
			break;
		for (i = 0; i < s->nidx; i++)
			if (s->idx[i].bidlen >= n &&
			    memcmp(s->idx[i].bid, bid, s->idx[i].bidlen) == 0)
				return stk_file(s, s->idx[i].path);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* rendering */

static void
stk_frame(struct stk *s, struct jsonw *w, int have_addr, uint64_t addr,
    uint64_t off, const char *sym, const char *mod)
{
	jw_obj(w);
	if (s->expose && have_addr) {
		jw_key(w, "address");
		jw_uint_str(w, addr);
	}
	if (off != 0) {
		jw_key(w, "offset");
		jw_uint_str(w, off);
	}
	if (sym != NULL && sym[0] != '\0')
		jw_kstr(w, "symbol", sym);
	if (mod != NULL && mod[0] != '\0')
		jw_kstr(w, "module", mod);
	jw_end(w);
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t	 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A frame of a BPF program (kallsyms module "bpf") or of the kernel's
 * BPF tracing glue that ran it. */
static int
stk_bpf_frame(const struct stk *s, const struct ksym *k)
{
	static const char *const glue[] = {
		"bpf_trace_run", "__bpf_trace_", "trace_call_bpf",
		"bpf_prog_", "perf_trace_run_bpf_submit", NULL,
	};
	const char	*name = s->kblob + k->name;
	size_t		 i;

	if (k->mod != 0 && strcmp(s->kblob + k->mod, "bpf") == 0)
		return 1;
	for (i = 0; glue[i] != NULL; i++)
		if (strncmp(name, glue[i], strlen(glue[i])) == 0)
			return 1;
	return 0;
}

static void
stk_kernel(struct stk *s, const struct dec_event *ev, struct sbuf *out)
{
	const struct ksym *k;
	struct jsonw	 w;
	uint64_t	 ip;
	size_t		 i;
	int		 first = 1;

	jw_init(&w, out);
	jw_arr(&w);
	for (i = 0; i < ev->nkern; i++) {
		ip = get64(ev->kips + 8 * i);
		k = stk_ksym(s, ip, 1);
		/* the innermost frames of tripline's own programs and the
		 * kernel's call into them are not the event's */
		if (k != NULL && first && stk_bpf_frame(s, k))
			continue;
		first = 0;
		if (k != NULL)
			stk_frame(s, &w, 1, ip, ip - k->addr,
			    s->kblob + k->name, k->mod ? s->kblob + k->mod :
			    NULL);
		else
			stk_frame(s, &w, 1, ip, 0, NULL, NULL);
	}
	jw_end(&w);
}

static void
stk_user(struct stk *s, const struct dec_event *ev, const char *exe,
    struct sbuf *out)
{
	struct ev_stack_bid b;
	struct efile	*f;
	struct jsonw	 w;
	uint64_t	 ip, va;
	ssize_t		 k;
	size_t		 i, n, j;
	char		 hex[2 * STK_BUILD_ID_MAX + 10];
	int		 have_ip;

	jw_init(&w, out);
	jw_arr(&w);
	/* the build-id walk, else the plain one; the same frames (one
	 * unwind each, the same registers and memory) when both counted
	 * the same */
	n = ev->nbid > 0 ? ev->nbid : ev->nuser;
	for (i = 0; i < n; i++) {
		have_ip = ev->nuser == n || ev->nbid == 0;
		ip = have_ip && i < ev->nuser ? get64(ev->uips + 8 * i) : 0;
		if (ev->nbid == 0) {
			stk_frame(s, &w, have_ip, ip, 0, NULL, NULL);
			continue;
		}
		memcpy(&b, ev->bids + sizeof(b) * i, sizeof(b));
		if (b.status == EV_BID_IP) {
			stk_frame(s, &w, 1, b.offset, 0, NULL, NULL);
			continue;
		}
		if (b.status != EV_BID_VALID) {
			stk_frame(s, &w, have_ip, ip, 0, NULL, NULL);
			continue;
		}
		f = stk_by_bid(s, b.build_id, exe);
		if (f != NULL && (k = efile_lookup(f, b.offset, &va)) >= 0) {
			stk_frame(s, &w, have_ip, ip, va - f->syms[k].value,
			    f->names + f->syms[k].name, f->path);
			continue;
		}
		if (f != NULL) {
			stk_frame(s, &w, have_ip, ip, b.offset, NULL,
			    f->path);
			continue;
		}
		/* file unknown: the build id names the module */
		memcpy(hex, "buildid:", 8);
		for (j = 0; j < STK_BUILD_ID_MAX; j++)
			snprintf(hex + 8 + 2 * j, 3, "%02x", b.build_id[j]);
		stk_frame(s, &w, have_ip, ip, b.offset, NULL, hex);
	}
	jw_end(&w);
}

void
stk_render(struct stk *s, const struct dec_event *ev, const char *exe,
    struct sbuf *kjson, struct sbuf *ujson)
{
	sbuf_reset(kjson);
	sbuf_reset(ujson);
	if (s == NULL || !ev->has_stack)
		return;
	if (ev->nkern > 0)
		stk_kernel(s, ev, kjson);
	if (ev->nbid > 0 || ev->nuser > 0)
		stk_user(s, ev, exe, ujson);
}
