/*
 * loaderd/policies_docs.c -- the policies of one file (YAML documents
 * separated by "---") as one unit: all of them are added or none
 * (policies_add_all), and deleting one of them rewrites its file without
 * it (policies_file_drop).
 */
#include "build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "policy.h"
#include "str.h"
#include "xmalloc.h"
#include "policy_load.h"
#include "loaderd.h"

/* What ran under a name before a file's policy replaced it. */
struct pd_saved {
	char	*name;
	char	*file;		/* NULL: nothing ran under the name */
	char	*src;
	size_t	 len;
};

static void
pd_save(struct polset *ps, const char *name, struct pd_saved *s)
{
	struct polset_polinfo pi;
	size_t	 i;

	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	for (i = 0; polset_policy(ps, i, &pi) == 0; i++) {
		if (strcmp(pi.name, name) != 0 || pi.src == NULL)
			continue;
		s->file = xstrdup(pi.file != NULL ? pi.file : name);
		s->src = xmalloc(pi.srclen + 1);
		memcpy(s->src, pi.src, pi.srclen + 1);
		s->len = pi.srclen;
		break;
	}
}

/* Undo the add of s->name: its earlier version back, or deleted. */
static void
pd_undo(struct polset *ps, const struct pd_saved *s)
{
	struct policy	*p;
	char		 err[1024];

	if (s->file == NULL) {
		if (polset_delete(ps, s->name, err, sizeof(err)) != 0)
			log_warnx("policy %s: undo: %s", s->name, err);
		return;
	}
	if (policy_load_buf(s->file, s->src, s->len, &p, err,
	    sizeof(err)) != 0 || polset_add(ps, p, err, sizeof(err)) != 0) {
		log_warnx("policy %s: its earlier version could not be put "
		    "back: %s", s->name, err);
		return;
	}
	(void)polset_set_file(ps, s->name, s->file);
}

static void
pd_saved_free(struct pd_saved *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].file);
		free(s[i].src);
	}
	free(s);
}

int
policies_add_all(struct polset *ps, struct policy **v, size_t n, char *err,
    size_t errlen)
{
	struct pd_saved	*s = xcalloc(n, sizeof(*s));
	size_t		 i, j;
	int		 r = 0;

	for (i = 0; i < n; i++)
		pd_save(ps, v[i]->name, &s[i]);
	for (i = 0; i < n; i++) {
		r = polset_add(ps, v[i], err, errlen);
		v[i] = NULL;	/* polset_add took it */
		if (r == 0)
			continue;
		for (j = i; j-- > 0;)
			pd_undo(ps, &s[j]);
		break;
	}
	pd_saved_free(s, n);
	return r;
}

/* Write text to path atomically (a temporary file renamed over it). */
static int
pd_write(const char *path, const char *text, size_t len)
{
	char	 tmp[4400];
	FILE	*fp;
	int	 ok;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fp = fopen(tmp, "we")) == NULL)
		return -1;
	ok = fwrite(text, 1, len, fp) == len;
	ok = fflush(fp) == 0 && fsync(fileno(fp)) == 0 && ok;
	if (fclose(fp) != 0 || !ok || rename(tmp, path) == -1) {
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

int
policies_file_drop(const char *file, const char *name)
{
	struct policy	**v;
	struct sbuf	  sb;
	char		  err[1024];
	size_t		  n, i, kept = 0;
	int		  r;

	if (policy_load_file_all(file, &v, &n, err, sizeof(err)) != 0)
		return unlink(file) == -1 && errno != ENOENT ? -1 : 0;
	sbuf_init(&sb);
	for (i = 0; i < n; i++) {
		if (strcmp(v[i]->name, name) == 0)
			continue;
		sbuf_add(&sb, v[i]->src, v[i]->srclen);
		kept++;
	}
	policy_free_all(v, n);
	if (kept == 0 || kept == n)
		r = kept == n ? 0 : (unlink(file) == -1 && errno != ENOENT ?
		    -1 : 0);
	else
		r = pd_write(file, sb.buf, sb.len);
	sbuf_clear(&sb);
	return r;
}
