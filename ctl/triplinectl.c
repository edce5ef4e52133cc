/*
 * ctl/triplinectl.c -- command-line client.
 *
 *   triplinectl [-S state_dir] status [--json]
 *   triplinectl [-S state_dir] tail [--json] [-n N] [--no-follow]
 *   triplinectl [-S state_dir] alerts [--pending|--failed] [--json] [-n N]
 *   triplinectl [-S state_dir] policy add [--mode enforce|monitor] FILE
 *   triplinectl [-S state_dir] policy delete NAME
 *   triplinectl [-S state_dir] policy list [--json]
 *   triplinectl [-S state_dir] policy mode NAME enforce|monitor
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
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "compat.h"
#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "log.h"
#include "str.h"
#include "xmalloc.h"

int	lint_main(int, char **);	/* ctl/lint.c */

#define TAIL_BATCH	5000
#define TAIL_BATCH_STR	"5000"

static const char *state_dir = PKG_STATEDIR;
static volatile sig_atomic_t quit;

static __dead void
usage(void)
{
	fprintf(stderr,
	    "usage: triplinectl [-S state_dir] status [--json]\n"
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
	    "       triplinectl policy lint file ...\n");
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

/* Send one request, print the text answer; exit 1 on IPC_CTL_ERROR. */
static int
ctl_request(uint16_t type, const void *msg)
{
	struct ipc_msg	 m;
	struct ipc_text	 t;
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
		    type == IPC_CTL_POLICY_MODE ? 600000 : 5000) <= 0)
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
	if (m.type == IPC_CTL_ERROR) {
		fprintf(stderr, "triplinectl: %s\n", t.text);
		exit(1);
	}
	fputs(t.text, stdout);
	free(t.text);
	ipc_msg_clear(&m);
	close(fd);
	return 0;
}

static int
cmd_status(int json)
{
	return ctl_request(json ? IPC_CTL_STATUS_JSON_REQ : IPC_CTL_STATUS_REQ,
	    NULL);
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
		r = ctl_request(IPC_CTL_POLICY_ADD, &pa);
		free(pa.yaml);
		return r;
	}
	if (strcmp(sub, "delete") == 0 && argc == 1) {
		nm.name = argv[0];
		return ctl_request(IPC_CTL_POLICY_DEL, &nm);
	}
	if (strcmp(sub, "list") == 0 && argc == 0)
		return ctl_request(json ? IPC_CTL_POLICY_LIST_JSON_REQ :
		    IPC_CTL_POLICY_LIST_REQ, NULL);
	if (strcmp(sub, "mode") == 0 && argc == 2) {
		pm.name = argv[0];
		if (strcmp(argv[1], "enforce") == 0)
			pm.mode = 1;
		else if (strcmp(argv[1], "monitor") == 0)
			pm.mode = 2;
		else
			usage();
		return ctl_request(IPC_CTL_POLICY_MODE, &pm);
	}
	usage();
}

static void
print_escaped(FILE *fp, const unsigned char *s)
{
	char	 buf[8192];

	if (s == NULL) {
		fputs("?", fp);
		return;
	}
	str_escape(buf, sizeof(buf), (const char *)s, strlen((const char *)s));
	fputs(buf, fp);
}

static const char *
signame(int sig, char *buf, size_t len)
{
	const char *ab = sigabbrev_np(sig);

	if (ab != NULL)
		snprintf(buf, len, "SIG%s", ab);
	else
		snprintf(buf, len, "signal %d", sig);
	return buf;
}

/* events.db of the state dir, read-only (readers never block collectord:
 * WAL); its path in path.  Exits on error. */
static sqlite3 *
ctl_db_open(char *path, size_t pathlen)
{
	sqlite3	*db = NULL;

	snprintf(path, pathlen, "%s/events.db", state_dir);
	if (access(path, R_OK) == -1)
		fatal("%s", path);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		fatalx("%s: %s", path, sqlite3_errmsg(db));
	sqlite3_busy_timeout(db, 2000);
	return db;
}

static int
tail_db(int count, int follow)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		 path[4200], sb[32];
	sqlite3_int64	 last = 0;
	int		 rc;
	const char	*sql =
	    "SELECT e.id, e.time, e.type, p.pid, p.binary, p.arguments, "
	    "p.cwd, p.uid, pp.pid, pp.binary, p.exit_code, p.exit_signal, "
	    "e.policy_name, e.function_name, e.action "
	    "FROM events e LEFT JOIN processes p ON p.exec_id = e.exec_id "
	    "LEFT JOIN processes pp ON pp.exec_id = e.parent_exec_id "
	    "WHERE e.id > ?1 ORDER BY e.id LIMIT " TAIL_BATCH_STR;

	db = ctl_db_open(path, sizeof(path));
	/* start count events before the end */
	if (sqlite3_prepare_v2(db, "SELECT IFNULL(MAX(id),0) FROM events", -1,
	    &st, NULL) != SQLITE_OK)
		fatalx("%s: %s", path, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		last = sqlite3_column_int64(st, 0) - count;
	sqlite3_finalize(st);
	if (last < 0)
		last = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fatalx("%s: %s", path, sqlite3_errmsg(db));
	while (!quit) {
		int	 nrows = 0;

		sqlite3_bind_int64(st, 1, last);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			nrows++;
			const unsigned char *type = sqlite3_column_text(st, 2);

			last = sqlite3_column_int64(st, 0);
			printf("%s ", (const char *)sqlite3_column_text(st, 1));
			if (type != NULL &&
			    strcmp((const char *)type, "process_exec") == 0)
				fputs("exec ", stdout);
			else if (type != NULL &&
			    strcmp((const char *)type, "process_exit") == 0)
				fputs("exit ", stdout);
			else {
				print_escaped(stdout, type);
				putchar(' ');
			}
			printf("%lld ", sqlite3_column_int64(st, 3));
			print_escaped(stdout, sqlite3_column_text(st, 4));
			if (sqlite3_column_type(st, 5) != SQLITE_NULL &&
			    sqlite3_column_bytes(st, 5) > 0) {
				putchar(' ');
				print_escaped(stdout,
				    sqlite3_column_text(st, 5));
			}
			if (type != NULL &&
			    strcmp((const char *)type, "process_exit") == 0) {
				if (sqlite3_column_int(st, 11) != 0)
					printf("  %s", signame(
					    sqlite3_column_int(st, 11), sb,
					    sizeof(sb)));
				else
					printf("  status=%d",
					    sqlite3_column_int(st, 10));
			} else if (type != NULL && strcmp((const char *)type,
			    "process_exec") == 0) {
				fputs("  cwd=", stdout);
				print_escaped(stdout,
				    sqlite3_column_text(st, 6));
				printf(" uid=%d", sqlite3_column_int(st, 7));
			} else {
				fputs("  ", stdout);
				print_escaped(stdout,
				    sqlite3_column_text(st, 13));
				fputs(" policy=", stdout);
				print_escaped(stdout,
				    sqlite3_column_text(st, 12));
				fputs(" action=", stdout);
				print_escaped(stdout,
				    sqlite3_column_text(st, 14));
			}
			if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
				printf("  <- %lld ",
				    sqlite3_column_int64(st, 8));
				print_escaped(stdout,
				    sqlite3_column_text(st, 9));
			}
			putchar('\n');
		}
		if (rc != SQLITE_DONE && rc != SQLITE_BUSY)
			fatalx("%s: %s", path, sqlite3_errmsg(db));
		sqlite3_reset(st);
		fflush(stdout);
		if (nrows == TAIL_BATCH)
			continue;	/* more rows are waiting */
		if (!follow)
			break;
		usleep(200000);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}

static int
tail_json(int count, int follow)
{
	char		 path[4200], buf[65536];
	FILE		*fp;
	struct stat	 st;
	off_t		 pos;
	long		 nl = 0;
	size_t		 n;

	snprintf(path, sizeof(path), "%s/events.jsonl", state_dir);
	if ((fp = fopen(path, "re")) == NULL)
		fatal("%s", path);
	/* find the start of the last count lines */
	if (fstat(fileno(fp), &st) == -1)
		fatal("%s", path);
	pos = st.st_size;
	while (pos > 0 && nl <= count) {
		off_t	 from = pos > (off_t)sizeof(buf) ?
		    pos - (off_t)sizeof(buf) : 0;
		size_t	 i;

		if (fseeko(fp, from, SEEK_SET) == -1)
			fatal("%s", path);
		n = fread(buf, 1, (size_t)(pos - from), fp);
		for (i = n; i > 0; i--) {
			if (buf[i - 1] == '\n' && ++nl > count) {
				pos = from + (off_t)i;
				goto found;
			}
		}
		pos = from;
	}
found:
	if (fseeko(fp, pos, SEEK_SET) == -1)
		fatal("%s", path);
	while (!quit) {
		while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
			fwrite(buf, 1, n, stdout);
		fflush(stdout);
		if (!follow)
			break;
		clearerr(fp);
		pos = ftello(fp);
		if (stat(path, &st) == 0 && st.st_size < pos) {
			/* truncated or replaced: start over */
			fclose(fp);
			if ((fp = fopen(path, "re")) == NULL)
				fatal("%s", path);
		}
		usleep(200000);
	}
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
alerts_json_key(struct sbuf *sb, const char *key, const unsigned char *v,
    int first)
{
	sbuf_addf(sb, "%s\"%s\":", first ? "" : ",", key);
	if (v == NULL)
		sbuf_adds(sb, "null");
	else
		sbuf_add_json_str(sb, (const char *)v,
		    strlen((const char *)v));
}

/*
 * The outbox (events.db, read-only): every alert job with its state.
 * which: 0 all, 1 pending (waiting/pending/inflight), 2 failed (dead).
 */
static int
cmd_alerts(int which, int json, int count)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	struct sbuf	 sb, tg;
	char		 path[4200], sql[1024];
	const char	*filter;
	int		 rc;

	filter = which == 1 ? "WHERE state IN ('waiting', 'pending',"
	    " 'inflight')" : which == 2 ? "WHERE state = 'dead'" : "";
	snprintf(sql, sizeof(sql),
	    "SELECT id, created, receiver, kind, target, state, attempts,"
	    " last_error, idem_key, CASE WHEN json_valid(payload) THEN"
	    " json_extract(payload, '$.title') END, count, severity, route,"
	    " merged_into, delivered FROM (SELECT * FROM outbox %s"
	    " ORDER BY id DESC LIMIT %d) ORDER BY id", filter, count);
	db = ctl_db_open(path, sizeof(path));
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fatalx("%s: %s (a database older than schema version 4?)",
		    path, sqlite3_errmsg(db));
	sbuf_init(&sb);
	sbuf_init(&tg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *rcv = sqlite3_column_text(st, 2);

		alerts_target(&tg, (const char *)sqlite3_column_text(st, 4));
		if (json) {
			sbuf_reset(&sb);
			sbuf_addf(&sb, "{\"id\":%lld",
			    sqlite3_column_int64(st, 0));
			alerts_json_key(&sb, "created",
			    sqlite3_column_text(st, 1), 0);
			alerts_json_key(&sb, "receiver", rcv, 0);
			alerts_json_key(&sb, "route",
			    sqlite3_column_text(st, 12), 0);
			alerts_json_key(&sb, "kind",
			    sqlite3_column_text(st, 3), 0);
			alerts_json_key(&sb, "target",
			    (const unsigned char *)tg.buf, 0);
			alerts_json_key(&sb, "state",
			    sqlite3_column_text(st, 5), 0);
			alerts_json_key(&sb, "severity",
			    sqlite3_column_text(st, 11), 0);
			sbuf_addf(&sb, ",\"attempts\":%lld,\"count\":%lld",
			    sqlite3_column_int64(st, 6),
			    sqlite3_column_int64(st, 10));
			if (sqlite3_column_type(st, 13) != SQLITE_NULL)
				sbuf_addf(&sb, ",\"merged_into\":%lld",
				    sqlite3_column_int64(st, 13));
			alerts_json_key(&sb, "last_error",
			    sqlite3_column_text(st, 7), 0);
			alerts_json_key(&sb, "delivered",
			    sqlite3_column_text(st, 14), 0);
			alerts_json_key(&sb, "idem_key",
			    sqlite3_column_text(st, 8), 0);
			alerts_json_key(&sb, "title",
			    sqlite3_column_text(st, 9), 0);
			sbuf_addc(&sb, '}');
			puts(sb.buf);
			continue;
		}
		printf("%lld %s ", sqlite3_column_int64(st, 0),
		    sqlite3_column_text(st, 1) != NULL ?
		    (const char *)sqlite3_column_text(st, 1) : "?");
		if (rcv != NULL && rcv[0] != '\0')
			print_escaped(stdout, rcv);
		else
			fputs("(action)", stdout);
		putchar('/');
		print_escaped(stdout, sqlite3_column_text(st, 3));
		if (tg.len > 0) {
			putchar(' ');
			print_escaped(stdout, (const unsigned char *)tg.buf);
		}
		printf(" %s attempts=%lld", sqlite3_column_text(st, 5) != NULL ?
		    (const char *)sqlite3_column_text(st, 5) : "?",
		    sqlite3_column_int64(st, 6));
		if (sqlite3_column_int64(st, 10) > 1)
			printf(" count=%lld", sqlite3_column_int64(st, 10));
		if (sqlite3_column_type(st, 13) != SQLITE_NULL)
			printf(" merged_into=%lld",
			    sqlite3_column_int64(st, 13));
		if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
			fputs(" last_error=\"", stdout);
			print_escaped(stdout, sqlite3_column_text(st, 7));
			putchar('"');
		}
		fputs(" key=", stdout);
		print_escaped(stdout, sqlite3_column_text(st, 8));
		if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
			fputs("  ", stdout);
			print_escaped(stdout, sqlite3_column_text(st, 9));
		}
		putchar('\n');
	}
	if (rc != SQLITE_DONE)
		fatalx("%s: %s", path, sqlite3_errmsg(db));
	sbuf_clear(&sb);
	sbuf_clear(&tg);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "no-follow", no_argument, NULL, 'F' },
		{ "pending", no_argument, NULL, 'P' },
		{ "failed", no_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*cmd, *e;
	int		 ch, json = 0, follow = 1, count = 10, which = 0;
	int		 count_set = 0;

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
	if (strcmp(cmd, "status") == 0)
		return cmd_status(json);
	if (strcmp(cmd, "tail") == 0 && which == 0)
		return json ? tail_json(count, follow) : tail_db(count, follow);
	if (strcmp(cmd, "alerts") == 0)
		return cmd_alerts(which, json, count_set ? count : 50);
	usage();
}
