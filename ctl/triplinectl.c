/*
 * ctl/triplinectl.c -- command-line client.
 *
 *   triplinectl [-S state_dir] status [--json | --prometheus]
 *   triplinectl [-S state_dir] tail [--json] [-n N] [--no-follow]
 *   triplinectl [-S state_dir] alerts [--pending|--failed] [--json] [-n N]
 *   triplinectl [-S state_dir] policy add [--mode enforce|monitor] FILE
 *   triplinectl [-S state_dir] policy delete NAME
 *   triplinectl [-S state_dir] policy list [--json]
 *   triplinectl [-S state_dir] policy mode NAME enforce|monitor
 *   triplinectl [-S state_dir] reload
 *   triplinectl policy lint FILE...
 *
 * status asks loaderd over STATE/run/tripline.sock; tail and alerts read
 * the store
 * directly (events.db for the compact view, events.jsonl for --json), so
 * it works while a daemon restarts and needs nothing from the sandboxed
 * processes.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectord/store.h"
#include "compat.h"
#include "ctlfmt.h"
#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "jsonw.h"
#include "log.h"
#include "sandbox.h"
#include "str.h"
#include "xmalloc.h"

int	lint_main(int, char **);	/* ctl/lint.c */

static const char *state_dir = PKG_STATEDIR;
static volatile sig_atomic_t quit;

static __dead void
usage(void)
{
	fprintf(stderr,
	    "usage: triplinectl [-S state_dir] status [--json | --prometheus]\n"
	    "       triplinectl [-S state_dir] tail [--json] [-n count] "
	    "[--no-follow]\n"
	    "       triplinectl [-S state_dir] alerts [--pending|--failed] "
	    "[--json] [-n count]\n"
	    "       triplinectl [-S state_dir] policy add "
	    "[--mode enforce|monitor] file\n"
	    "       triplinectl [-S state_dir] policy delete name\n"
	    "       triplinectl [-S state_dir] policy list [--json]\n"
	    "       triplinectl [-S state_dir] policy mode name "
	    "enforce|monitor\n"
	    "       triplinectl policy lint file ...\n"
	    "       triplinectl [-S state_dir] reload\n");
	exit(1);
}

static void
on_signal(int sig)
{
	quit = 1;
}

static int
ctl_connect(void)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path),
	    "%s/run/tripline.sock", state_dir) >= sizeof(sun.sun_path))
		fatalx("state directory path too long");
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("connect %s (is tripline-loaderd running?)",
		    sun.sun_path);
	return fd;
}

/* Send one request, print the text answer (json: it is a JSON document);
 * exit 1 on IPC_CTL_ERROR. */
static int
ctl_request(uint16_t type, const void *msg, int json)
{
	struct ipc_msg	 m;
	struct ipc_text	 t;
	struct sbuf	 sb;
	struct pollfd	 pfd;
	int		 fd, r;

	fd = ctl_connect();
	if ((r = ipc_msg_send(fd, type, msg, -1)) != 0)
		fatalx_r(r, "sending request");
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		/* loading BPF for a policy can take minutes on a slow
		 * (emulated) machine: the verifier runs per program */
		if (poll(&pfd, 1, type == IPC_CTL_POLICY_ADD ||
		    type == IPC_CTL_POLICY_MODE || type == IPC_CTL_RELOAD ?
		    600000 : 5000) <= 0)
			fatalx("no answer from tripline-loaderd");
		r = ipc_msg_recv(fd, &m);
		if (r == ERR_AGAIN)
			continue;
		if (r != 0)
			fatalx_r(r, "reading answer");
		break;
	}
	/* the answers loaderd sends a client: both one text (ipc_text) */
	if (!ipc_type_allowed(m.type, IPC_PROC_LOADERD, IPC_PROC_CTL))
		fatalx("unexpected answer type %u", m.type);
	if ((r = ipc_msg_decode(m.type, m.payload, m.len, &t)) != 0)
		fatalx_r(r, "decoding answer");
	/* loaderd's tables carry policy, hook and receiver names and
	 * errors: nothing in them may drive the terminal */
	sbuf_init(&sb);
	if (json && m.type != IPC_CTL_ERROR)
		jw_sanitize(&sb, t.text, strlen(t.text));
	else
		sbuf_add_term(&sb, t.text, strlen(t.text));
	if (m.type == IPC_CTL_ERROR) {
		fprintf(stderr, "triplinectl: %s\n", sb.buf);
		exit(1);
	}
	fputs(sb.buf != NULL ? sb.buf : "", stdout);
	sbuf_clear(&sb);
	free(t.text);
	ipc_msg_clear(&m);
	close(fd);
	return 0;
}

/* status: text, JSON (json 1) or Prometheus metrics (json 2) */
static int
cmd_status(int json)
{
	if (json == 2)
		return ctl_request(IPC_CTL_STATUS_PROM_REQ, NULL, 0);
	return ctl_request(json ? IPC_CTL_STATUS_JSON_REQ : IPC_CTL_STATUS_REQ,
	    NULL, json);
}

static char *
read_file(const char *path)
{
	FILE	*fp;
	char	*buf;
	size_t	 n;

	if ((fp = fopen(path, "re")) == NULL)
		fatal("%s", path);
	buf = xmalloc(IPC_MSG_MAX_STR + 1);
	n = fread(buf, 1, IPC_MSG_MAX_STR + 1, fp);
	if (ferror(fp))
		fatal("%s", path);
	fclose(fp);
	if (n > IPC_MSG_MAX_STR)
		fatalx("%s: larger than %d bytes", path, IPC_MSG_MAX_STR);
	if (memchr(buf, '\0', n) != NULL)
		fatalx("%s: contains a NUL byte", path);
	buf[n] = '\0';
	return buf;
}

static int
cmd_policy(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "mode", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	struct ipc_policy_add	 pa;
	struct ipc_name		 nm;
	struct ipc_policy_mode	 pm;
	const char		*sub;
	int			 ch, json = 0, r;
	uint32_t		 mode = 0;

	if (argc < 2)
		usage();
	sub = argv[1];
	if (strcmp(sub, "lint") == 0)
		return lint_main(argc - 1, argv + 1);
	optind = 2;
	while ((ch = getopt_long(argc, argv, "jm:", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'm':
			if (strcmp(optarg, "enforce") == 0)
				mode = 1;
			else if (strcmp(optarg, "monitor") == 0)
				mode = 2;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (strcmp(sub, "add") == 0 && argc == 1) {
		pa.file = argv[0];
		pa.yaml = read_file(argv[0]);
		pa.mode = mode;
		r = ctl_request(IPC_CTL_POLICY_ADD, &pa, 0);
		free(pa.yaml);
		return r;
	}
	if (strcmp(sub, "delete") == 0 && argc == 1) {
		nm.name = argv[0];
		return ctl_request(IPC_CTL_POLICY_DEL, &nm, 0);
	}
	if (strcmp(sub, "list") == 0 && argc == 0)
		return ctl_request(json ? IPC_CTL_POLICY_LIST_JSON_REQ :
		    IPC_CTL_POLICY_LIST_REQ, NULL, json);
	if (strcmp(sub, "mode") == 0 && argc == 2) {
		pm.name = argv[0];
		if (strcmp(argv[1], "enforce") == 0)
			pm.mode = 1;
		else if (strcmp(argv[1], "monitor") == 0)
			pm.mode = 2;
		else
			usage();
		return ctl_request(IPC_CTL_POLICY_MODE, &pm, 0);
	}
	usage();
}

/*
 * events.db belongs to the collector's user, who can write every byte of
 * it: root does not parse it.  Run as root, triplinectl becomes the
 * file's owner (no capabilities, no_new_privs) before SQLite opens it.
 * The file must not be a symlink.
 */
static void
ctl_db_user(const char *path)
{
	struct stat	 sb;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		fatal("%s", path);
	if (fstat(fd, &sb) == -1)
		fatal("%s", path);
	close(fd);
	if (!S_ISREG(sb.st_mode))
		fatalx("%s: not a regular file", path);
	if (geteuid() != 0 || sb.st_uid == 0)
		return;
	if (sandbox_drop_privs(sb.st_uid, sb.st_gid) != 0)
		fatal("%s: becoming its owner (uid %lu)", path,
		    (unsigned long)sb.st_uid);
}

/* events.db of the state dir, read-only; its path in path.  Exits on
 * error. */
static struct store_ro *
ctl_db_open(char *path, size_t pathlen)
{
	struct store_ro	*ro;
	char		 err[512];

	snprintf(path, pathlen, "%s/events.db", state_dir);
	ctl_db_user(path);
	if ((ro = store_ro_open(path, err, sizeof(err))) == NULL)
		fatalx("%s: %s", path, err);
	return ro;
}

static int
tail_db(int count, int follow)
{
	struct store_ro		*ro;
	struct store_tail_row	 row;
	struct sbuf		 sb;
	char			 path[4200];
	int64_t			 last;
	int			 r, nrows;

	sbuf_init(&sb);
	ro = ctl_db_open(path, sizeof(path));
	/* start count events before the end */
	if (store_ro_last_event(ro, &last) != 0)
		fatalx("%s: %s", path, store_ro_errmsg(ro));
	last -= count;
	if (last < 0)
		last = 0;
	while (!quit) {
		if (store_ro_tail(ro, last) != 0)
			fatalx("%s: %s", path, store_ro_errmsg(ro));
		nrows = 0;
		while ((r = store_ro_tail_next(ro, &row)) == 1) {
			nrows++;
			last = row.id;
			sbuf_reset(&sb);
			ctlfmt_tail(&sb, &row);
			fputs(sb.buf, stdout);
		}
		if (r != 0)
			fatalx("%s: %s", path, store_ro_errmsg(ro));
		fflush(stdout);
		if (nrows == STORE_TAIL_BATCH)
			continue;	/* more rows are waiting */
		if (!follow)
			break;
		usleep(200000);
	}
	store_ro_close(ro);
	sbuf_clear(&sb);
	return 0;
}

/* Offset of the start of the last count lines of fp (path for errors). */
static off_t
tail_json_start(FILE *fp, const char *path, int count)
{
	char		 buf[65536];
	struct stat	 st;
	off_t		 pos, from;
	long		 nl = 0;
	size_t		 n, i;

	if (fstat(fileno(fp), &st) == -1)
		fatal("%s", path);
	pos = st.st_size;
	while (pos > 0 && nl <= count) {
		from = pos > (off_t)sizeof(buf) ? pos - (off_t)sizeof(buf) : 0;
		if (fseeko(fp, from, SEEK_SET) == -1)
			fatal("%s", path);
		n = fread(buf, 1, (size_t)(pos - from), fp);
		for (i = n; i > 0; i--) {
			if (buf[i - 1] == '\n' && ++nl > count)
				return from + (off_t)i;
		}
		pos = from;
	}
	return pos;
}

/*
 * Print the lines from fp's position on, each through jw_sanitize (a line
 * of events.jsonl is the collector's, and the collector parses what
 * attackers send: whatever it wrote, no control character, C1 control,
 * bidi override or invalid UTF-8 reaches the terminal raw).  With follow,
 * a last line without its '\n' is left for the next call, so a character
 * is never cut between two reads.
 */
static void
tail_json_copy(FILE *fp, int follow, struct sbuf *sb)
{
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;
	off_t	 start;

	for (;;) {
		start = ftello(fp);
		if ((n = getline(&line, &cap, fp)) <= 0)
			break;
		if (follow && line[n - 1] != '\n') {
			(void)fseeko(fp, start, SEEK_SET);
			break;
		}
		sbuf_reset(sb);
		jw_sanitize(sb, line, (size_t)n);
		fwrite(sb->buf, 1, sb->len, stdout);
	}
	free(line);
}

/*
 * Between polls: the stream to read next.  The file at path is another
 * one (rotated or moved away): the rest of the old one, then the new one
 * from its start; it is shorter than what was read (truncated, as
 * copytruncate does): the file again from its start; else fp.  One stat
 * of path per poll.
 */
static FILE *
tail_json_next(FILE *fp, const char *path, struct sbuf *sb)
{
	struct stat	 st, cur;

	clearerr(fp);
	if (stat(path, &st) != 0 || fstat(fileno(fp), &cur) != 0)
		return fp;
	if (st.st_ino != cur.st_ino || st.st_dev != cur.st_dev)
		tail_json_copy(fp, 0, sb);
	else if (st.st_size >= ftello(fp))
		return fp;
	fclose(fp);
	if ((fp = fopen(path, "re")) == NULL)
		fatal("%s", path);
	return fp;
}

static int
tail_json(int count, int follow)
{
	char		 path[4200];
	FILE		*fp;
	struct sbuf	 sb;

	snprintf(path, sizeof(path), "%s/events.jsonl", state_dir);
	if ((fp = fopen(path, "re")) == NULL)
		fatal("%s", path);
	if (fseeko(fp, tail_json_start(fp, path, count), SEEK_SET) == -1)
		fatal("%s", path);
	sbuf_init(&sb);
	while (!quit) {
		tail_json_copy(fp, follow, &sb);
		fflush(stdout);
		if (!follow)
			break;
		fp = tail_json_next(fp, path, &sb);
		usleep(200000);
	}
	sbuf_clear(&sb);
	fclose(fp);
	return 0;
}

/* A URL with its userinfo (if any) replaced by <secret>. */
static void
alerts_target(struct sbuf *sb, const char *t)
{
	const char	*p, *at, *end;

	sbuf_reset(sb);
	if (t == NULL)
		return;
	if ((p = strstr(t, "://")) != NULL) {
		p += 3;
		end = p + strcspn(p, "/?#");
		at = memchr(p, '@', (size_t)(end - p));
		if (at != NULL) {
			sbuf_add(sb, t, (size_t)(p - t));
			sbuf_adds(sb, "<secret>");
			sbuf_adds(sb, at);
			return;
		}
	}
	sbuf_adds(sb, t);
}

static void
alerts_json(const struct store_alert_row *r, const char *target,
    struct sbuf *sb)
{
	struct jsonw	 w;

	sbuf_reset(sb);
	jw_init(&w, sb);
	jw_obj(&w);
	jw_kint(&w, "id", r->id);
	jw_kstr(&w, "created", r->created);
	jw_kstr(&w, "receiver", r->receiver);
	jw_kstr(&w, "route", r->route);
	jw_kstr(&w, "kind", r->kind);
	jw_kstr(&w, "target", target);
	jw_kstr(&w, "state", r->state);
	jw_kstr(&w, "severity", r->severity);
	jw_kint(&w, "attempts", r->attempts);
	jw_kint(&w, "count", r->count);
	if (r->has_merged)
		jw_kint(&w, "merged_into", r->merged_into);
	jw_kstr(&w, "last_error", r->last_error);
	jw_kstr(&w, "delivered", r->delivered);
	jw_kstr(&w, "idem_key", r->idem_key);
	jw_kstr(&w, "title", r->title);
	jw_end(&w);
	puts(sb->buf);
}

/*
 * The outbox (events.db, read-only): every alert job with its state.
 * which: STORE_ALERTS_ALL, _PENDING or _FAILED.
 */
static int
cmd_alerts(int which, int json, int count)
{
	struct store_ro		*ro;
	struct store_alert_row	 row;
	struct sbuf		 sb, tg;
	char			 path[4200];
	int			 r;

	ro = ctl_db_open(path, sizeof(path));
	if (store_ro_alerts(ro, which, count) != 0)
		fatalx("%s: %s (a database older than schema version 4?)",
		    path, store_ro_errmsg(ro));
	sbuf_init(&sb);
	sbuf_init(&tg);
	while ((r = store_ro_alerts_next(ro, &row)) == 1) {
		alerts_target(&tg, row.target);
		if (json)
			alerts_json(&row, tg.buf, &sb);
		else {
			sbuf_reset(&sb);
			ctlfmt_alert(&sb, &row, tg.buf);
			fputs(sb.buf, stdout);
		}
	}
	if (r != 0)
		fatalx("%s: %s", path, store_ro_errmsg(ro));
	sbuf_clear(&sb);
	sbuf_clear(&tg);
	store_ro_close(ro);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'M' },
		{ "no-follow", no_argument, NULL, 'F' },
		{ "pending", no_argument, NULL, 'P' },
		{ "failed", no_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*cmd, *e;
	int		 ch, json = 0, follow = 1, count = 10, which = 0;
	int		 count_set = 0, prom = 0;

	log_init(1, 0);
	log_procinit("triplinectl");
	if ((e = getenv("TRIPLINE_STATE_DIR")) != NULL && *e != '\0')
		state_dir = e;
	/* global options before the command */
	while ((ch = getopt(argc, argv, "+S:h")) != -1) {
		switch (ch) {
		case 'S':
			state_dir = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	cmd = argv[0];
	if (strcmp(cmd, "policy") == 0)
		return cmd_policy(argc, argv);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "n:jF", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'M':
			prom = 1;
			break;
		case 'F':
			follow = 0;
			break;
		case 'P':
			which = 1;
			break;
		case 'X':
			which = 2;
			break;
		case 'n':
			count = atoi(optarg);
			if (count < 0)
				usage();
			count_set = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_DFL);
	if (prom && (json || strcmp(cmd, "status") != 0))
		usage();
	if (strcmp(cmd, "status") == 0)
		return cmd_status(prom ? 2 : json);
	if (strcmp(cmd, "reload") == 0 && !json && which == 0 && !count_set)
		return ctl_request(IPC_CTL_RELOAD, NULL, 0);
	if (strcmp(cmd, "tail") == 0 && which == 0)
		return json ? tail_json(count, follow) : tail_db(count, follow);
	if (strcmp(cmd, "alerts") == 0)
		return cmd_alerts(which, json, count_set ? count : 50);
	usage();
}
