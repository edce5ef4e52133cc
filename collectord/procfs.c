/* collectord/procfs.c -- startup discovery of running processes. */
#include "build.h"

#include <sys/types.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf/events.h"
#include "err.h"
#include "pcache.h"
#include "procfs.h"
#include "str.h"
#include "xmalloc.h"

#define PROCFS_STAT_MAX		4096
#define PROCFS_STATUS_MAX	16384
#define PROCFS_SMALL_MAX	64

/* Read up to max bytes of dirfd/name; returns malloc'd NUL-terminated
 * buffer and its length, NULL on error. */
static char *
procfs_slurp(int dirfd, const char *name, size_t max, size_t *lenp)
{
	char	*buf;
	size_t	 len = 0;
	ssize_t	 n;
	int	 fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	buf = xmalloc(max + 1);
	while (len < max) {
		n = read(fd, buf + len, max - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

static char *
procfs_link(int dirfd, const char *name)
{
	char	 buf[PATH_MAX];
	ssize_t	 n;

	n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

int
procfs_read(struct procfs_snap **sp, const char *procdir)
{
	struct procfs_snap	*s;
	struct procfs_raw	*r;
	DIR			*d;
	struct dirent		*de;
	const char		*c;
	size_t			 cap = 0;
	unsigned long		 pid;
	int			 pfd;

	*sp = NULL;
	if ((d = opendir(procdir)) == NULL)
		return ERR_SYS;
	s = xcalloc(1, sizeof(*s));
	while ((de = readdir(d)) != NULL) {
		for (c = de->d_name; *c >= '0' && *c <= '9'; c++)
			;
		if (*c != '\0' || c == de->d_name)
			continue;
		pid = strtoul(de->d_name, NULL, 10);
		if (pid == 0 || pid > UINT32_MAX)
			continue;
		pfd = openat(dirfd(d), de->d_name,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd == -1)
			continue;
		if (s->n == cap) {
			cap = cap ? cap * 2 : 256;
			s->v = xreallocarray(s->v, cap, sizeof(*s->v));
		}
		r = &s->v[s->n];
		memset(r, 0, sizeof(*r));
		r->pid = (uint32_t)pid;
		r->stat = procfs_slurp(pfd, "stat", PROCFS_STAT_MAX, NULL);
		if (r->stat == NULL) {
			close(pfd);	/* gone */
			continue;
		}
		r->status = procfs_slurp(pfd, "status", PROCFS_STATUS_MAX,
		    NULL);
		r->loginuid = procfs_slurp(pfd, "loginuid", PROCFS_SMALL_MAX,
		    NULL);
		r->cmdline = procfs_slurp(pfd, "cmdline", EV_ARGS_MAX + 1,
		    &r->cmdline_len);
		if (r->cmdline != NULL && r->cmdline_len > EV_ARGS_MAX) {
			r->cmdline_len = EV_ARGS_MAX;
			r->cmdline_trunc = 1;
		}
		r->exe = procfs_link(pfd, "exe");
		r->cwd = procfs_link(pfd, "cwd");
		close(pfd);
		s->n++;
	}
	closedir(d);
	*sp = s;
	return 0;
}

void
procfs_snap_free(struct procfs_snap *s)
{
	size_t	 i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->v[i].stat);
		free(s->v[i].status);
		free(s->v[i].loginuid);
		free(s->v[i].cmdline);
		free(s->v[i].exe);
		free(s->v[i].cwd);
	}
	free(s->v);
	free(s);
}

/* "pid (comm) S ppid ... starttime(22)": comm may hold ')' and spaces. */
static int
procfs_parse_stat(const char *stat, char *comm, size_t commsz,
    uint32_t *ppid, unsigned long long *start)
{
	const char		*l, *r, *p;
	char			*ep;
	unsigned long long	 v;
	int			 field;
	size_t			 n;

	if ((l = strchr(stat, '(')) == NULL ||
	    (r = strrchr(stat, ')')) == NULL || r < l)
		return ERR_PARSE;
	n = (size_t)(r - l - 1);
	if (n >= commsz)
		n = commsz - 1;
	memcpy(comm, l + 1, n);
	comm[n] = '\0';
	p = r + 1;
	for (field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return ERR_PARSE;
		if (field == 3) {
			while (*p != ' ' && *p != '\0')
				p++;
			continue;
		}
		if (*p < '0' || *p > '9') {
			if (*p != '-')
				return ERR_PARSE;
		}
		errno = 0;
		v = strtoull(p, &ep, 10);
		if (ep == p || errno != 0 || (*ep != ' ' && *ep != '\0' &&
		    *ep != '\n'))
			return ERR_PARSE;
		if (field == 4) {
			if (v > UINT32_MAX)
				return ERR_PARSE;
			*ppid = (uint32_t)v;
		} else if (field == 22)
			*start = v;
		p = ep;
	}
	return 0;
}

/* "Uid:\tr\te\ts\tf" -> first two numbers */
static int
procfs_status_ids(const char *status, const char *key, uint32_t *real,
    uint32_t *eff)
{
	const char		*p;
	char			*ep;
	unsigned long long	 a, b;
	size_t			 klen = strlen(key);

	if (status == NULL)
		return ERR_PARSE;
	for (p = status; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, klen) != 0)
			continue;
		p += klen;
		errno = 0;
		a = strtoull(p, &ep, 10);
		if (ep == p || errno != 0 || a > UINT32_MAX)
			return ERR_PARSE;
		p = ep;
		b = strtoull(p, &ep, 10);
		if (ep == p || errno != 0 || b > UINT32_MAX)
			return ERR_PARSE;
		*real = (uint32_t)a;
		*eff = (uint32_t)b;
		return 0;
	}
	return ERR_PARSE;
}

struct procfs_tmp {
	struct proc	 t;
	unsigned long long start;
	int		 ok;
	int		 done;
};

static int
procfs_parse_one(const struct procfs_raw *r, long clk_tck,
    struct procfs_tmp *o)
{
	struct proc	*t = &o->t;
	char		 comm[64], *ep;
	unsigned long long au;
	uint64_t	 mult;
	struct sbuf	 sb;

	memset(o, 0, sizeof(*o));
	if (procfs_parse_stat(r->stat, comm, sizeof(comm), &t->ppid,
	    &o->start) != 0)
		return ERR_PARSE;
	if (procfs_status_ids(r->status, "Uid:", &t->uid, &t->euid) != 0 ||
	    procfs_status_ids(r->status, "Gid:", &t->gid, &t->egid) != 0)
		return ERR_PARSE;
	t->auid = (uint32_t)-1;
	if (r->loginuid != NULL) {
		errno = 0;
		au = strtoull(r->loginuid, &ep, 10);
		if (ep != r->loginuid && errno == 0 && au <= UINT32_MAX)
			t->auid = (uint32_t)au;
	}
	mult = (uint64_t)(1000000000ULL / (unsigned long long)clk_tck);
	t->pid = r->pid;
	t->tid = r->pid;
	t->ktime = (uint64_t)o->start * mult;
	t->flags = PF_PROCFS;

	sbuf_init(&sb);
	if (r->cmdline == NULL || r->cmdline_len == 0) {
		/* kernel thread (or a zombie): "[comm]" */
		sbuf_addf(&sb, "[%s]", comm);
		t->binary = sb.buf;
		t->args = xstrdup("");
	} else {
		if (r->exe != NULL)
			t->binary = xstrdup(r->exe);
		else {
			t->binary = xstrndup(r->cmdline,
			    strnlen(r->cmdline, r->cmdline_len));
			t->flags |= PF_ERR_FILENAME;
		}
		pcache_args_format(&sb, r->cmdline, r->cmdline_len);
		t->args = sb.buf;
		if (r->cmdline_trunc)
			t->flags |= PF_TRUNC_ARGS;
	}
	if (r->cwd != NULL) {
		t->cwd = xstrdup(r->cwd);
		if (strcmp(r->cwd, "/") == 0)
			t->flags |= PF_ROOTCWD;
	} else {
		t->cwd = xstrdup("");
		t->flags |= PF_ERR_CWD;
	}
	o->ok = 1;
	return 0;
}

static int
procfs_cmp_pid(const void *a, const void *b)
{
	const struct procfs_tmp *x = *(struct procfs_tmp *const *)a;
	const struct procfs_tmp *y = *(struct procfs_tmp *const *)b;

	return x->t.pid < y->t.pid ? -1 : x->t.pid > y->t.pid;
}

static struct procfs_tmp *
procfs_find(struct procfs_tmp **byp, size_t n, uint32_t pid)
{
	size_t	 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (byp[mid]->t.pid == pid)
			return byp[mid];
		if (byp[mid]->t.pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct proc *
procfs_parse(const struct procfs_snap *s, long clk_tck, const char *node,
    size_t *np, size_t *bad)
{
	struct procfs_tmp	*tmp, **byp, **stack, *x, *par;
	struct proc		*out;
	size_t			 i, n = 0, o = 0, sp;
	char			 id[PROC_ID_MAX];

	*bad = 0;
	*np = 0;
	if (clk_tck <= 0)
		clk_tck = 100;
	tmp = xcalloc(s->n + 1, sizeof(*tmp));
	for (i = 0; i < s->n; i++) {
		if (procfs_parse_one(&s->v[i], clk_tck, &tmp[n]) == 0)
			n++;
		else
			(*bad)++;
	}
	byp = xcalloc(n + 1, sizeof(*byp));
	for (i = 0; i < n; i++)
		byp[i] = &tmp[i];
	qsort(byp, n, sizeof(*byp), procfs_cmp_pid);
	/* parent keys */
	for (i = 0; i < n; i++) {
		x = &tmp[i];
		par = x->t.ppid != 0 ? procfs_find(byp, n, x->t.ppid) : NULL;
		if (par == NULL || par == x) {
			x->t.ppid = 0;
			x->t.pktime = 0;
		} else
			x->t.pktime = par->t.ktime;
	}
	/* emit parents before children (iterative walk up the tree) */
	out = xcalloc(n + 1, sizeof(*out));
	stack = xcalloc(n + 1, sizeof(*stack));
	for (i = 0; i < n; i++) {
		sp = 0;
		for (x = &tmp[i]; x != NULL && !x->done && sp < n;
		    x = x->t.ppid ? procfs_find(byp, n, x->t.ppid) : NULL) {
			x->done = 1;
			stack[sp++] = x;
		}
		while (sp > 0) {
			x = stack[--sp];
			out[o] = x->t;
			pcache_exec_id(node, x->t.ktime, x->t.pid, id,
			    sizeof(id));
			out[o].exec_id = xstrdup(id);
			id[0] = '\0';
			if (x->t.ppid != 0)
				pcache_exec_id(node, x->t.pktime, x->t.ppid,
				    id, sizeof(id));
			out[o].parent_exec_id = xstrdup(id);
			o++;
		}
	}
	free(stack);
	free(byp);
	free(tmp);
	*np = o;
	return out;
}

void
procfs_procs_free(struct proc *v, size_t n)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free((char *)v[i].exec_id);
		free((char *)v[i].parent_exec_id);
		free(v[i].binary);
		free(v[i].args);
		free(v[i].cwd);
	}
	free(v);
}
