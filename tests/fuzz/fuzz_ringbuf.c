/*
 * tests/fuzz/fuzz_ringbuf.c -- ring-buffer records as collectord reads
 * them: the consumer walk over a ring holding the input
 * (ringbuf_consume_mem), each record through the decoder (decode_record)
 * and, as the pipeline does without its database, the process cache
 * (exec, fork, exit) and the policy hook renderer and its export lines
 * (generic_render, export_render_hit).
 *
 * Input: 2 bytes (little endian) give the consumer position, the rest is
 * the ring's content from there (wrapping), committed up to its end.
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectord/decode.h"
#include "collectord/export.h"
#include "collectord/generic.h"
#include "collectord/pcache.h"
#include "collectord/ringbuf.h"
#include "collectord/stacks.h"
#include "ipc_msg.h"
#include "str.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define RING	(16 * 1024)		/* data bytes, a power of 2 */

static uint8_t	ring[2 * RING];		/* the double mapping */

/* Metadata for hook 1 gen 1 (what loaderd sends); others are unknown. */
static char	 s_empty[] = "", s_pol[] = "fuzz-policy",
		 s_fn[] = "__x64_sys_openat", s_msg[] = "fuzz message",
		 s_tags[] = "[\"a\",\"b\"]", s_path[] = "path",
		 s_url[] = "http://127.0.0.1/x", s_fqdn[] = "x.example";
static struct ipc_hook hook = {
	.id = 1, .gen = 1, .kind = 0, .mode = 0,
	.policy = s_pol, .function = s_fn, .subsys = s_empty,
	.event = s_empty, .path = s_empty, .message = s_msg,
	.tags_json = s_tags, .nargs = 1,
	.arg_label = { s_path, s_empty, s_empty, s_empty, s_empty },
	.sel_url = { s_url, s_empty, s_empty, s_empty, s_empty },
	.sel_fqdn = { s_fqdn, s_empty, s_empty, s_empty, s_empty },
};

struct fuzz_env {
	struct pcache		*pc;
	struct export		*ex;
	struct gen_render	 gr;
	struct sbuf		 sb;
	struct stk		*stk;	/* no kallsyms, no library
					   directories: no file is read */
};

static void
on_generic(struct fuzz_env *e, const struct dec_event *ev)
{
	struct proc	*p, *parent, t;

	static const char *const nodirs[] = { NULL };

	generic_render(&e->gr, ev, ev->hook_id == 1 && ev->gen == 1 ? &hook :
	    NULL);
	if (e->stk == NULL) {
		e->stk = stk_new(1);
		stk_set_libdirs(e->stk, nodirs);
	}
	/* the stack area as collectord renders it (exe NULL: no file) */
	stk_render(e->stk, ev, NULL, &e->gr.kstack, &e->gr.ustack);
	p = pcache_lookup(e->pc, ev->pid, ev->ktime);
	if (p == NULL) {
		memset(&t, 0, sizeof(t));
		t.pid = ev->pid;
		t.ktime = ev->ktime;
		t.binary = t.args = t.cwd = s_empty;
		t.exec_id = t.parent_exec_id = s_empty;
		p = &t;
	}
	parent = p->ppid != 0 ? pcache_lookup(e->pc, p->ppid, p->pktime) :
	    NULL;
	export_render_hit(&e->gr, EXPORT_HIT_JSON | EXPORT_HIT_COMPACT |
	    EXPORT_HIT_ARGS, "fuzz", 0, e->pc, ev, p, parent);
}

static void
on_record(void *arg, const void *rec, size_t len)
{
	struct fuzz_env		*e = arg;
	struct dec_event	 ev;
	struct pcache_res	 res;

	if (decode_record(rec, len, &ev) != 0)
		return;
	sbuf_reset(&e->sb);
	switch (ev.type) {
	case EV_EXEC:
		if (pcache_exec(e->pc, &ev, &res) == 0 && !res.dup)
			export_fmt_exec(e->ex, &e->sb, res.proc, res.parent);
		break;
	case EV_FORK:
		(void)pcache_fork(e->pc, &ev, &res);
		break;
	case EV_EXIT:
		if (pcache_exit(e->pc, &ev, &res) == 0 && res.proc != NULL)
			export_fmt_exit(e->ex, &e->sb, res.proc, res.parent,
			    ev.time_ns, ev.code, ev.signal);
		break;
	case EV_GENERIC:
		on_generic(e, &ev);
		break;
	}
	pcache_gc(e->pc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct fuzz_env	 e;
	struct ringbuf_stats	 st;
	unsigned long		 cons, prod;
	size_t			 i, n;

	if (len < 2)
		return 0;
	if (e.ex == NULL) {
		e.ex = export_new(-1, -1, "fuzz", 0);
		sbuf_init(&e.sb);
	}
	e.pc = pcache_new("fuzz");
	export_set_pcache(e.ex, e.pc);
	cons = (data[0] | (unsigned long)data[1] << 8) & (RING - 1) & ~7UL;
	data += 2;
	n = len - 2 < RING ? len - 2 : RING;
	memset(ring, 0, sizeof(ring));
	for (i = 0; i < n; i++)
		ring[(cons + i) & (RING - 1)] = data[i];
	memcpy(ring + RING, ring, RING);
	prod = cons + ((n + 7) & ~(size_t)7);
	if (prod - cons > RING)
		prod = cons + RING;
	memset(&st, 0, sizeof(st));
	(void)ringbuf_consume_mem(&cons, &prod, ring, RING, 0, on_record, &e,
	    &st);
	pcache_free(e.pc);
	return 0;
}
