/*
 * tests/unit/test_export.c -- the JSON export and the compact lines, byte
 * for byte against tests/data/export/render.golden: every line the export
 * renders (process_exec, process_exit, policy hits of each hook kind,
 * events_lost; JSON, the -p form, the argument text, the ISO times) for a
 * fixed pseudo-random set of processes and events with hostile strings
 * (quotes, control characters, C1 and bidi controls, invalid UTF-8).  The
 * same processes come back in many events, with their refcnt changing and
 * under two clocks, so a cached rendering that went stale shows.
 *
 * The golden file was written by the renderer before it was rewritten for
 * speed; EXPORT_GOLDEN_WRITE=FILE writes what this build renders instead
 * (only to review a deliberate change of the output).
 */
#include "build.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectord/decode.h"
#include "collectord/export.h"
#include "collectord/generic.h"
#include "collectord/pcache.h"
#include "ipc_msg.h"
#include "policy.h"
#include "str.h"
#include "xmalloc.h"
#include "tests/unit/genrec.h"

#define NPROCS		12
#define NEVENTS		250

static uint64_t	 rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint32_t
rndn(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* Pieces of strings: plain, JSON-special, controls, UTF-8 good and bad. */
static const char *const pieces[] = {
	"a", "bin", "/usr/bin/", " ", "x y", "\"", "\\", "/", "\n", "\t",
	"\r", "\x01", "\x1b[2J", "\x7f", "\xc3\xa9", "\xe2\x82\xac",
	"\xf0\x9f\x98\x80", "\xc2\x85", "\xe2\x80\xae", "\xe2\x80\xa8",
	"\xd8\x9c", "\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80",
	"\xf4\x90\x80\x80", "--flag=1", "'", "%s", "=",
};

static char *
rndstr(size_t maxpieces)
{
	struct sbuf	 sb;
	size_t		 i, n = rndn((uint32_t)maxpieces + 1);

	sbuf_init(&sb);
	sbuf_add(&sb, "", 0);
	for (i = 0; i < n; i++)
		sbuf_adds(&sb, pieces[rndn(sizeof(pieces) / sizeof(*pieces))]);
	return sb.buf;
}

static const char *const nodes[] = { "bench", "node \"q\"\n\xc2\x85" };
static const int64_t offs[] = {
	1767225600LL * 1000000000LL,	/* 2026-01-01 */
	951782399LL * 1000000000LL,	/* 2000-02-28T23:59:59 */
	4102444700LL * 1000000000LL,	/* 2099-12-31 */
	0,
};
static const char *const tagsets[] = { "[\"t1\",\"t \\\"2\"]", "[]", "" };
static const uint8_t argtypes[] = {
	POL_ARG_INT, POL_ARG_UINT32, POL_ARG_INT64, POL_ARG_UINT64,
	POL_ARG_SIZE_T, POL_ARG_INT16, POL_ARG_UINT8, POL_ARG_STRING,
	POL_ARG_FILENAME, POL_ARG_CHAR_BUF, POL_ARG_FD, POL_ARG_NOP,
	POL_ARG_SYSCALL64, POL_ARG_CAPABILITY, POL_ARG_KERNEL_CAP,
};
static const uint32_t hookkinds[] = {
	POL_HOOK_KPROBE, POL_HOOK_TRACEPOINT, POL_HOOK_RAW_TRACEPOINT,
	POL_HOOK_UPROBE, POL_HOOK_LSM,
};

struct fx {
	struct pcache	*pc;
	struct proc	*procs[NPROCS];
	struct ipc_hook	 hooks[5];
	struct gen_render gr;
	struct sbuf	 out;
	struct sbuf	 sb;
	char		*strs[64];
	size_t		 nstrs;
};

static char *
keep(struct fx *f, char *s)
{
	if (f->nstrs < sizeof(f->strs) / sizeof(*f->strs))
		f->strs[f->nstrs++] = s;
	return s;
}

/* One rendered item: a tag, then the text (escaped for one line). */
static void
emit(struct fx *f, const char *tag, const char *s, size_t len)
{
	sbuf_adds(&f->out, tag);
	sbuf_addc(&f->out, ' ');
	sbuf_add_esc(&f->out, s, len);
	sbuf_addc(&f->out, '\n');
}

static void
emit_sb(struct fx *f, const char *tag)
{
	emit(f, tag, f->sb.len > 0 ? f->sb.buf : "", f->sb.len);
	sbuf_reset(&f->sb);
}

/* f->sb as tag, or "tag =" when it equals the rendering in same. */
static void
emit_same(struct fx *f, const char *tag, const struct sbuf *same)
{
	if (f->sb.len == same->len && (same->len == 0 ||
	    memcmp(f->sb.buf, same->buf, same->len) == 0)) {
		emit(f, tag, "=", 1);
		sbuf_reset(&f->sb);
	} else
		emit_sb(f, tag);
}

static void
mkprocs(struct fx *f)
{
	struct proc	 t;
	size_t		 i;

	for (i = 0; i < NPROCS; i++) {
		memset(&t, 0, sizeof(t));
		t.pid = 100 + (uint32_t)i * 7 + rndn(5);
		t.ktime = (uint64_t)(i + 1) * 1000000000ULL + rnd() % 999999999;
		if (i > 0 && rndn(4) != 0) {
			t.ppid = f->procs[rndn((uint32_t)i)]->pid;
			t.pktime = f->procs[0]->ktime;
			/* a real parent key some of the time */
			if (rndn(2))
				t.pktime = f->procs[i - 1]->ktime,
				t.ppid = f->procs[i - 1]->pid;
		}
		t.tid = t.pid + rndn(3);
		t.uid = rndn(2) ? 0 : 1000 + rndn(100);
		t.euid = rndn(3) ? t.uid : 0;
		t.auid = rndn(2) ? (uint32_t)-1 : 1000;
		t.flags = (uint32_t)rnd() & (PF_EXECVE | PF_PROCFS | PF_MISS |
		    PF_TRUNC_ARGS | PF_ROOTCWD | PF_CLONE | PF_UNKNOWN |
		    PF_ERR_CWD);
		if (rndn(5) == 0)
			t.flags = 0;
		t.binary = keep(f, rndstr(4));
		t.args = keep(f, rndstr(8));
		t.cwd = keep(f, rndstr(3));
		f->procs[i] = pcache_insert(f->pc, &t);
		assert_non_null(f->procs[i]);
	}
}

static void
mkhooks(struct fx *f)
{
	struct ipc_hook	*h;
	size_t		 i, j;

	for (i = 0; i < 5; i++) {
		h = &f->hooks[i];
		memset(h, 0, sizeof(*h));
		h->id = (uint32_t)i + 1;
		h->gen = 1;
		h->kind = hookkinds[i];
		h->policy = i == 2 ? xstrdup("") : rndstr(3);
		h->function = xstrdup(i == 0 ? "__x64_sys_openat" : "fn\"x");
		h->subsys = xstrdup("syscalls");
		h->event = rndstr(2);
		h->path = xstrdup("/bin/ba\\sh");
		h->message = i == 1 ? xstrdup("") : rndstr(3);
		h->tags_json = xstrdup(tagsets[i % 3]);
		h->nargs = IPC_HOOK_ARGS;
		for (j = 0; j < IPC_HOOK_ARGS; j++)
			h->arg_label[j] = rndn(2) ? rndstr(2) : xstrdup("");
		h->ret_type = i == 0 ? POL_ARG_INT : i == 3 ? POL_ARG_UINT64 :
		    POL_ARG_NONE;
		for (j = 0; j < IPC_HOOK_SEL; j++) {
			h->sel_url[j] = xstrdup("");
			h->sel_fqdn[j] = xstrdup("");
		}
	}
}

static void
rndarg(struct genrec *r)
{
	uint8_t	 t = argtypes[rndn(sizeof(argtypes))];
	char	*s;

	switch (t) {
	case POL_ARG_STRING:
	case POL_ARG_FILENAME:
	case POL_ARG_FD:
	case POL_ARG_CHAR_BUF:
		s = rndstr(6);
		genrec_arg(r, t, t == POL_ARG_CHAR_BUF && rndn(2) ?
		    EVA_TRUNC : 0, t == POL_ARG_CHAR_BUF ? 4096 : 3, s,
		    strlen(s));
		free(s);
		break;
	case POL_ARG_NOP:
		genrec_arg(r, t, rndn(3) == 0 ? EVA_ERROR : 0, 0, NULL, 0);
		break;
	default:
		genrec_int(r, t, (int64_t)rnd());
		break;
	}
}

static const struct proc *
maybe_parent(struct fx *f, const struct proc *p)
{
	if (p->ppid == 0 || rndn(4) == 0)
		return NULL;
	return pcache_lookup(f->pc, p->ppid, p->pktime);
}

static void
one_hit(struct fx *f, struct export *ex, int64_t off, const char *node)
{
	static struct genrec r;
	struct dec_event ev;
	struct proc	*p = f->procs[rndn(NPROCS)];
	const struct proc *parent = maybe_parent(f, p);
	const struct ipc_hook *h;
	size_t		 i, n = rndn(5), len;
	int		 what;

	i = rndn(6);
	h = i < 5 ? &f->hooks[i] : NULL;
	genrec_init(&r, p->pid, p->ktime, p->ppid, p->pktime,
	    h != NULL ? h->id : 99, 1);
	genrec_hdr(&r)->hdr.time_ns = p->ktime + rnd() % 5000000000ULL;
	genrec_hdr(&r)->actions = (1U << POL_ACT_POST) |
	    (rndn(3) == 0 ? 1U << POL_ACT_SIGKILL : 0) |
	    (rndn(4) == 0 ? 1U << POL_ACT_OVERRIDE : 0);
	if (rndn(2)) {
		genrec_hdr(&r)->flags |= EVG_F_RETURN;
		genrec_hdr(&r)->ret = (int64_t)rnd();
	}
	if (rndn(4) == 0) {
		genrec_hdr(&r)->flags |= EVG_F_MONITOR;
		genrec_hdr(&r)->would = (1U << POL_ACT_SIGKILL) |
		    (1U << POL_ACT_SIGNAL);
	}
	for (i = 0; i < n; i++)
		rndarg(&r);
	len = genrec_done(&r);
	assert_int_equal(decode_record(r.buf, len, &ev), 0);
	generic_render(&f->gr, &ev, h);
	what = EXPORT_HIT_JSON | (rndn(2) ? EXPORT_HIT_COMPACT : 0) |
	    (rndn(2) ? EXPORT_HIT_ARGS : 0);
	p->refcnt = (int)rndn(4);
	export_render_hit(&f->gr, what, node, off, f->pc, &ev, p, parent);
	emit(f, "time", f->gr.time, strlen(f->gr.time));
	emit(f, "line", generic_str(&f->gr.line), f->gr.line.len);
	emit(f, "compact", generic_str(&f->gr.compact), f->gr.compact.len);
	emit(f, "call_args", generic_str(&f->gr.call_args),
	    f->gr.call_args.len);
	export_fmt_generic(ex, &f->sb, &f->gr, &ev, p, parent);
	emit_same(f, "fmt_generic", &f->gr.line);
	export_compact_generic(&f->sb, &f->gr, &ev, p);
	emit_same(f, "compact_generic", &f->gr.compact);
	export_hit(ex, &f->gr);
	sbuf_add(&f->sb, f->gr.call_args.buf, f->gr.call_args.len);
	export_render_hit(&f->gr, EXPORT_HIT_ARGS, node, off, f->pc, &ev, p,
	    parent);
	emit_same(f, "args_only", &f->gr.call_args);
}

static void
one_lifecycle(struct fx *f, struct export *ex)
{
	struct proc	*p = f->procs[rndn(NPROCS)];
	const struct proc *parent = maybe_parent(f, p);
	uint64_t	 t = p->ktime + rnd() % 100000000000ULL;
	uint32_t	 code = rndn(3) == 0 ? rndn(256) : 0;
	uint32_t	 sig = rndn(3) == 0 ? rndn(70) : 0;

	p->refcnt = (int)rndn(3);
	if (rndn(2)) {
		export_fmt_exec(ex, &f->sb, p, parent);
		emit_sb(f, "exec");
		export_compact_exec(&f->sb, p, parent);
		emit_sb(f, "compact_exec");
		export_exec(ex, p, parent);
	} else {
		export_fmt_exit(ex, &f->sb, p, parent, t, code, sig);
		emit_sb(f, "exit");
		export_compact_exit(&f->sb, p, code, sig);
		emit_sb(f, "compact_exit");
		export_exit(ex, p, parent, t, code, sig);
	}
}

static void
one_lost(struct fx *f, struct export *ex)
{
	const char	*pol = rndn(2) ? "po\"l" : NULL;
	const char	*fn = rndn(2) ? "fn\x01" : NULL;
	uint64_t	 t = rnd() % 100000000000ULL;

	export_fmt_events_lost(ex, &f->sb, t, "ring_buffer", pol, fn,
	    rnd() % 1000, rnd());
	emit_sb(f, "lost");
	export_events_lost(ex, t, "hook", pol, fn, 1, 2);
}

/* What the export wrote to its files. */
static void
emit_file(struct fx *f, const char *tag, FILE *fp)
{
	char	 buf[4096];
	size_t	 n;

	rewind(fp);
	sbuf_reset(&f->sb);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(&f->sb, buf, n);
	emit_sb(f, tag);
	assert_int_equal(ftruncate(fileno(fp), 0), 0);
	rewind(fp);
}

static void
render_all(struct fx *f)
{
	struct export	*ex[2];
	FILE		*jf, *cf;
	size_t		 i, k;

	jf = tmpfile();
	cf = tmpfile();
	assert_non_null(jf);
	assert_non_null(cf);
	for (k = 0; k < 2; k++) {
		ex[k] = export_new(fileno(jf), fileno(cf), nodes[k],
		    offs[k * 2]);
		export_set_pcache(ex[k], f->pc);
	}
	for (i = 0; i < NEVENTS; i++) {
		k = rndn(2);
		switch (rndn(8)) {
		case 0:
		case 1:
			one_lifecycle(f, ex[k]);
			break;
		case 2:
			one_lost(f, ex[k]);
			break;
		default:
			one_hit(f, ex[k], offs[rndn(4)], nodes[k]);
			break;
		}
		if (rndn(16) == 0) {
			assert_int_equal(export_flush(ex[k]), 0);
			emit_file(f, "json_file", jf);
			emit_file(f, "compact_file", cf);
		}
	}
	for (k = 0; k < 2; k++)
		export_free(ex[k]);
	emit_file(f, "json_file", jf);
	emit_file(f, "compact_file", cf);
	fclose(jf);
	fclose(cf);
}

static char *
slurp(const char *path, size_t *len)
{
	struct sbuf	 sb;
	char		 buf[8192];
	FILE		*fp;
	size_t		 n;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	sbuf_init(&sb);
	sbuf_add(&sb, "", 0);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(fp);
	*len = sb.len;
	return sb.buf;
}

/* The first line where got and want differ, for the failure message. */
static void
first_diff(const char *got, const char *want)
{
	size_t	 line = 1, i;

	for (i = 0; got[i] != '\0' && got[i] == want[i]; i++)
		if (got[i] == '\n')
			line++;
	while (i > 0 && got[i - 1] != '\n')
		i--;
	print_error("line %zu differs:\n got: %.*s\nwant: %.*s\n", line,
	    (int)strcspn(got + i, "\n"), got + i,
	    (int)strcspn(want + i, "\n"), want + i);
}

static void
test_golden(void **state)
{
	struct fx	 f;
	const char	*w = getenv("EXPORT_GOLDEN_WRITE");
	const char	*top = getenv("top_srcdir");
	char		 path[4096], *want;
	size_t		 i, wlen = 0;
	FILE		*fp;

	memset(&f, 0, sizeof(f));
	f.pc = pcache_new("testnode");
	sbuf_init(&f.out);
	sbuf_init(&f.sb);
	mkprocs(&f);
	mkhooks(&f);
	render_all(&f);
	if (w != NULL && *w != '\0') {
		assert_non_null(fp = fopen(w, "wb"));
		assert_int_equal(fwrite(f.out.buf, 1, f.out.len, fp),
		    f.out.len);
		assert_int_equal(fclose(fp), 0);
	} else {
		snprintf(path, sizeof(path), "%s/tests/data/export/"
		    "render.golden", top != NULL ? top : ".");
		want = slurp(path, &wlen);
		assert_non_null(want);
		if (wlen != f.out.len || memcmp(want, f.out.buf, wlen) != 0)
			first_diff(f.out.buf, want);
		assert_int_equal(f.out.len, wlen);
		assert_memory_equal(f.out.buf, want, wlen);
		free(want);
	}
	for (i = 0; i < 5; i++)
		ipc_hook_clear(&f.hooks[i]);
	for (i = 0; i < f.nstrs; i++)
		free(f.strs[i]);
	generic_render_clear(&f.gr);
	sbuf_clear(&f.out);
	sbuf_clear(&f.sb);
	pcache_free(f.pc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
	};

	return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
