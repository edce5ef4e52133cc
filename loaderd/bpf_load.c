/*
 * loaderd/bpf_load.c -- open the process skeleton, size the ring buffer,
 * load, attach one program at a time and report what happened.
 *
 * Programs are attached one by one (not with the skeleton's all-or-nothing
 * attach) so that each gets a log line and a status in bpfl_progs(); only
 * the exec and exit hooks are required.
 */
#include "build.h"

#include <sys/mount.h>
#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "compat.h"
#include "err.h"
#include "log.h"
#include "xmalloc.h"

#include "bpf_load.h"
#include "process.skel.h"
#include "generic.skel.h"

#define BPFL_TRACEFS		"/sys/kernel/tracing"
#define BPFL_RINGBUF_MAX	(1ULL << 30)
#define BPFL_MAXPROGS		8
/* verifier logs can be thousands of lines; keep the tail, where the
 * reason is */
#define BPFL_LOG_TAIL		60

/* Maps of the generic programs that are the process programs' maps. */
static const char *const bpfl_shared[] = { "events", "execmap", "stats",
    "execbin", "execcred" };

struct bpfl {
	struct process_bpf	*skel;
	struct generic_bpf	*gskel;		/* NULL until bpfl_generic */
	struct bpf_link		*links[BPFL_MAXPROGS];
	struct bpfl_prog	 progs[BPFL_MAXPROGS];
	size_t			 nprogs;
	uint64_t		 ringbuf_size;
	int			 ncpus;
};

/* Programs whose attach failure makes bpfl_open fail. */
static const char *const bpfl_required[] = { "handle_exec", "handle_exit" };

static void
bpfl_log_lines(enum libbpf_print_level level, char *msg)
{
	char *line, *next;
	size_t nlines = 0, skip = 0, i = 0;

	for (line = msg; *line != '\0'; line++)
		if (*line == '\n')
			nlines++;
	if (msg[0] != '\0' && msg[strlen(msg) - 1] != '\n')
		nlines++;
	if (nlines > BPFL_LOG_TAIL) {
		skip = nlines - BPFL_LOG_TAIL;
		log_warnx("libbpf: (%zu lines omitted)", skip);
	}
	for (line = msg; line != NULL && *line != '\0'; line = next, i++) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (i < skip)
			continue;
		switch (level) {
		case LIBBPF_WARN:
			log_warnx("libbpf: %s", line);
			break;
		case LIBBPF_INFO:
			log_info("libbpf: %s", line);
			break;
		default:
			log_debug("libbpf: %s", line);
			break;
		}
	}
}

static int
bpfl_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *msg;
	int saved_errno = errno;

	if (level == LIBBPF_DEBUG && log_getverbose() < 1)
		return 0;
	if (vasprintf(&msg, fmt, ap) == -1) {
		errno = saved_errno;
		return 0;
	}
	bpfl_log_lines(level, msg);
	free(msg);
	errno = saved_errno;
	return 0;
}

static void
bpfl_tracefs(void)
{
	if (access(BPFL_TRACEFS "/events", F_OK) == 0)
		return;
	if (mount("nodev", BPFL_TRACEFS, "tracefs", 0, NULL) == 0)
		log_info("mounted tracefs on %s", BPFL_TRACEFS);
	else if (errno != EBUSY)
		log_warn("mount tracefs on %s (raw tracepoints do not need "
		    "it)", BPFL_TRACEFS);
}

static int
bpfl_is_required(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(bpfl_required) / sizeof(bpfl_required[0]); i++)
		if (strcmp(name, bpfl_required[i]) == 0)
			return 1;
	return 0;
}

static int
bpfl_attach_all(struct bpfl *b, char *err, size_t errlen)
{
	struct bpf_program *prog;
	struct bpfl_prog *p;
	struct bpf_link *link;
	int r = 0;

	bpf_object__for_each_program(prog, b->skel->obj) {
		if (b->nprogs == BPFL_MAXPROGS) {
			snprintf(err, errlen, "too many BPF programs");
			return ERR_RANGE;
		}
		p = &b->progs[b->nprogs];
		p->name = bpf_program__name(prog);
		p->hook = bpf_program__section_name(prog);
		link = bpf_program__attach(prog);
		if (link == NULL) {
			snprintf(p->error, sizeof(p->error), "%s",
			    strerror(errno));
			log_warnx("bpf: %s: attach %s: %s%s", p->name, p->hook,
			    p->error, bpfl_is_required(p->name) ?
			    "" : " (optional, continuing)");
			if (bpfl_is_required(p->name) && r == 0) {
				snprintf(err, errlen, "attach %s (%s): %s",
				    p->name, p->hook, p->error);
				r = ERR_SYS;
			}
		} else {
			p->attached = 1;
			log_info("bpf: %s attached to %s (link fd %d)",
			    p->name, p->hook, bpf_link__fd(link));
		}
		b->links[b->nprogs++] = link;
	}
	return r;
}

int
bpfl_open(struct bpfl **out, uint64_t ringbuf_size, char *err, size_t errlen)
{
	struct bpfl *b;
	long pagesz = sysconf(_SC_PAGESIZE);
	int r;

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	if (pagesz <= 0)
		pagesz = 4096;
	if (ringbuf_size < (uint64_t)pagesz || ringbuf_size > BPFL_RINGBUF_MAX ||
	    (ringbuf_size & (ringbuf_size - 1)) != 0) {
		snprintf(err, errlen, "ring buffer size %llu: not a power of 2 "
		    "between %ld and %llu", (unsigned long long)ringbuf_size,
		    pagesz, (unsigned long long)BPFL_RINGBUF_MAX);
		return ERR_RANGE;
	}

	libbpf_set_print(bpfl_libbpf_print);
	bpfl_tracefs();

	b = xcalloc(1, sizeof(*b));
	b->ringbuf_size = ringbuf_size;
	b->ncpus = libbpf_num_possible_cpus();
	if (b->ncpus <= 0) {
		snprintf(err, errlen, "cannot count possible CPUs: %s",
		    strerror(-b->ncpus));
		r = ERR_SYS;
		goto fail;
	}

	b->skel = process_bpf__open();
	if (b->skel == NULL) {
		snprintf(err, errlen, "open BPF object: %s", strerror(errno));
		r = errno == ENOSYS ? ERR_UNSUPP : ERR_SYS;
		goto fail;
	}
	if ((r = bpf_map__set_max_entries(b->skel->maps.events,
	    (uint32_t)ringbuf_size)) != 0) {
		snprintf(err, errlen, "set ring buffer size: %s",
		    strerror(-r));
		r = ERR_SYS;
		goto fail;
	}
	if ((r = process_bpf__load(b->skel)) != 0) {
		snprintf(err, errlen, "load BPF programs: %s (libbpf and "
		    "verifier messages logged above)", strerror(-r));
		r = (r == -ENOSYS) ? ERR_UNSUPP : ERR_SYS;
		goto fail;
	}
	if ((r = bpfl_attach_all(b, err, errlen)) != 0)
		goto fail;

	log_info("bpf: ring buffer \"events\" %llu bytes (fd %d)",
	    (unsigned long long)ringbuf_size, bpfl_ringbuf_fd(b));
	*out = b;
	return 0;

fail:
	bpfl_free(b);
	return r;
}

int
bpfl_ringbuf_fd(struct bpfl *b)
{
	return bpf_map__fd(b->skel->maps.events);
}

uint64_t
bpfl_ringbuf_size(struct bpfl *b)
{
	return b->ringbuf_size;
}

int
bpfl_execmap_fd(struct bpfl *b)
{
	return bpf_map__fd(b->skel->maps.execmap);
}

int
bpfl_map_fd(struct bpfl *b, const char *name)
{
	struct bpf_map *m;

	m = bpf_object__find_map_by_name(b->skel->obj, name);
	if (m == NULL)
		return -1;
	return bpf_map__fd(m);
}

int
bpfl_ncpus(struct bpfl *b)
{
	return b->ncpus;
}

int
bpfl_generic(struct bpfl *b, struct bpf_object **obj, char *err,
    size_t errlen)
{
	struct generic_bpf *g;
	struct bpf_map *m;
	size_t i;
	int fd, r;

	if (b->gskel != NULL) {
		*obj = b->gskel->obj;
		return 0;
	}
	*obj = NULL;
	g = generic_bpf__open();
	if (g == NULL) {
		snprintf(err, errlen, "open generic BPF object: %s",
		    strerror(errno));
		return errno == ENOSYS ? ERR_UNSUPP : ERR_SYS;
	}
	for (i = 0; i < sizeof(bpfl_shared) / sizeof(bpfl_shared[0]); i++) {
		m = bpf_object__find_map_by_name(g->obj, bpfl_shared[i]);
		fd = bpfl_map_fd(b, bpfl_shared[i]);
		if (m == NULL || fd < 0)
			continue;
		if ((r = bpf_map__reuse_fd(m, fd)) != 0) {
			snprintf(err, errlen, "generic BPF object: reuse map "
			    "%s: %s", bpfl_shared[i], strerror(-r));
			generic_bpf__destroy(g);
			return ERR_SYS;
		}
		log_debug("bpf: generic programs share map %s (fd %d)",
		    bpfl_shared[i], fd);
	}
	/* the programs that run per hook or need kernel features this
	 * kernel may lack are SEC("?...") in the source: not loaded here,
	 * but by bpfl_instance() on demand */
	if ((r = generic_bpf__load(g)) != 0) {
		snprintf(err, errlen, "load generic BPF programs: %s (libbpf "
		    "and verifier messages logged above)", strerror(-r));
		generic_bpf__destroy(g);
		return r == -ENOSYS ? ERR_UNSUPP : ERR_SYS;
	}
	log_info("bpf: generic policy programs loaded");
	b->gskel = g;
	*obj = g->obj;
	return 0;
}

struct bpfl_inst {
	struct generic_bpf	*g;
};

int
bpfl_instance(struct bpfl *b, const char *const *progs, size_t nprogs,
    const char *target, uint32_t hook, struct bpfl_inst **out, char *err,
    size_t errlen)
{
	struct generic_bpf *g;
	struct bpf_program *p;
	struct bpf_map *m, *mm;
	size_t i;
	int r;

	*out = NULL;
	if (b->gskel == NULL) {
		snprintf(err, errlen, "generic BPF programs not loaded");
		return ERR_SYS;
	}
	if ((g = generic_bpf__open()) == NULL) {
		snprintf(err, errlen, "open generic BPF object: %s",
		    strerror(errno));
		return ERR_SYS;
	}
	bpf_object__for_each_program(p, g->obj)
		bpf_program__set_autoload(p, false);
	for (i = 0; i < nprogs; i++) {
		p = bpf_object__find_program_by_name(g->obj, progs[i]);
		if (p == NULL) {
			snprintf(err, errlen, "generic BPF object has no "
			    "program \"%s\"", progs[i]);
			r = ERR_SYS;
			goto fail;
		}
		bpf_program__set_autoload(p, true);
		if (target != NULL &&
		    (r = bpf_program__set_attach_target(p, 0, target)) != 0) {
			snprintf(err, errlen, "%s: no kernel function or LSM "
			    "hook \"%s\" in the kernel's BTF (%s)", progs[i],
			    target, strerror(-r));
			r = ERR_NOTFOUND;
			goto fail;
		}
	}
	/* every map is the main instance's */
	bpf_object__for_each_map(m, g->obj) {
		if (bpf_map__is_internal(m))
			continue;
		mm = bpf_object__find_map_by_name(b->gskel->obj,
		    bpf_map__name(m));
		if (mm == NULL || (r = bpf_map__reuse_fd(m,
		    bpf_map__fd(mm))) != 0) {
			snprintf(err, errlen, "generic instance: reuse map %s",
			    bpf_map__name(m));
			r = ERR_SYS;
			goto fail;
		}
	}
	g->rodata->tl_fn_hook = hook;
	if ((r = generic_bpf__load(g)) != 0) {
		snprintf(err, errlen, "load %s%s%s: %s (verifier messages "
		    "logged)", progs[0], target != NULL ? " on " : "",
		    target != NULL ? target : "", strerror(-r));
		r = ERR_SYS;
		goto fail;
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->g = g;
	return 0;
fail:
	generic_bpf__destroy(g);
	return r;
}

struct bpf_program *
bpfl_inst_prog(struct bpfl_inst *in, const char *name)
{
	return bpf_object__find_program_by_name(in->g->obj, name);
}

void
bpfl_inst_free(struct bpfl_inst *in)
{
	if (in == NULL)
		return;
	generic_bpf__destroy(in->g);
	free(in);
}

int
bpfl_stats(struct bpfl *b, uint64_t out[EV_STAT_MAX])
{
	uint64_t *vals;
	uint32_t key;
	int fd, i, r = 0;

	memset(out, 0, sizeof(uint64_t) * EV_STAT_MAX);
	fd = bpf_map__fd(b->skel->maps.stats);
	vals = xcalloc(b->ncpus, sizeof(*vals));
	for (key = 0; key < EV_STAT_MAX; key++) {
		if (bpf_map_lookup_elem(fd, &key, vals) != 0) {
			r = ERR_SYS;
			break;
		}
		for (i = 0; i < b->ncpus; i++)
			out[key] += vals[i];
	}
	free(vals);
	return r;
}

size_t
bpfl_progs(struct bpfl *b, const struct bpfl_prog **progs)
{
	*progs = b->progs;
	return b->nprogs;
}

void
bpfl_free(struct bpfl *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nprogs; i++) {
		bpf_link__destroy(b->links[i]);	/* NULL-safe */
		b->links[i] = NULL;
	}
	generic_bpf__destroy(b->gskel);	/* NULL-safe */
	process_bpf__destroy(b->skel);	/* NULL-safe */
	free(b);
}
