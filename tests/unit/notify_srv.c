/*
 * tests/unit/notify_srv.c -- loopback HTTP/SMTP/DNS test servers (see
 * notify_srv.h).  One thread per server, one connection at a time, every
 * connection closed after one HTTP exchange.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "notify_srv.h"

#define NSRV_MAX_REQ	64
#define NSRV_MAX_SCRIPT	16

struct nsrv_script {
	char	*prefix;
	int	 status;
	char	*extra;
	char	*body;
	int	 delay_ms;
};

struct nsrv {
	enum nsrv_kind	 kind;
	int		 fd;
	int		 stop[2];
	uint16_t	 port;
	pthread_t	 thr;
	pthread_mutex_t	 mtx;
	struct nsrv_req	 reqs[NSRV_MAX_REQ];
	int		 nreq;
	struct nsrv_script script[NSRV_MAX_SCRIPT];
	int		 nscript;
	char		*rcpt_match;
	char		*rcpt_reply;
	int		 running;	/* the thread is in nsrv_main */
};

static void
nsrv_record(struct nsrv *s, const char *m, const char *path,
    const char *hdrs, const char *body)
{
	struct nsrv_req	*r;

	pthread_mutex_lock(&s->mtx);
	if (s->nreq < NSRV_MAX_REQ) {
		r = &s->reqs[s->nreq];
		r->method = strdup(m);
		r->path = strdup(path);
		r->headers = strdup(hdrs);
		r->body = strdup(body);
		s->nreq++;
	}
	pthread_mutex_unlock(&s->mtx);
}

/* read until the peer closes, the buffer holds a full request, or 5 s */
static ssize_t
nsrv_read_some(int fd, char *buf, size_t sz, size_t have)
{
	struct pollfd	 p = { fd, POLLIN, 0 };
	ssize_t		 n;

	if (poll(&p, 1, 5000) <= 0)
		return -1;
	if ((n = read(fd, buf + have, sz - 1 - have)) <= 0)
		return -1;
	buf[have + (size_t)n] = '\0';
	return n;
}

static void
nsrv_http_conn(struct nsrv *s, int c)
{
	static char	 buf[256 * 1024];
	char		 method[16], path[1024], out[4096], *hend, *cl;
	size_t		 have = 0, want;
	ssize_t		 n;
	int		 i, status = 200;
	const char	*extra = "", *body = "ok";
	struct timespec	 ts;

	for (;;) {
		if ((n = nsrv_read_some(c, buf, sizeof(buf), have)) < 0)
			return;
		have += (size_t)n;
		if ((hend = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		want = 0;
		if ((cl = strcasestr(buf, "\r\nContent-Length:")) != NULL &&
		    cl < hend)
			want = strtoul(cl + 17, NULL, 10);
		if (have >= (size_t)(hend + 4 - buf) + want)
			break;
	}
	if (sscanf(buf, "%15s %1023s", method, path) != 2)
		return;
	hend[2] = '\0';		/* keep the last header's CRLF */
	pthread_mutex_lock(&s->mtx);
	for (i = 0; i < s->nscript; i++) {
		if (strncmp(path, s->script[i].prefix,
		    strlen(s->script[i].prefix)) == 0) {
			status = s->script[i].status;
			extra = s->script[i].extra;
			body = s->script[i].body;
			if (s->script[i].delay_ms > 0) {
				ts.tv_sec = s->script[i].delay_ms / 1000;
				ts.tv_nsec = (s->script[i].delay_ms % 1000) *
				    1000000L;
				pthread_mutex_unlock(&s->mtx);
				nanosleep(&ts, NULL);
				pthread_mutex_lock(&s->mtx);
			}
		}
	}
	snprintf(out, sizeof(out), "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n%s\r\n%s", status, strlen(body), extra,
	    body);
	pthread_mutex_unlock(&s->mtx);
	nsrv_record(s, method, path, strchr(buf, '\n') + 1, hend + 4);
	(void)!write(c, out, strlen(out));
}

/* one CRLF line from the client into line (NUL-terminated, without CRLF) */
static int
nsrv_line(int c, char *line, size_t sz)
{
	size_t	 n = 0;
	char	 ch;

	while (n + 1 < sz) {
		struct pollfd p = { c, POLLIN, 0 };

		if (poll(&p, 1, 5000) <= 0 || read(c, &ch, 1) != 1)
			return -1;
		if (ch == '\n') {
			if (n > 0 && line[n - 1] == '\r')
				n--;
			line[n] = '\0';
			return 0;
		}
		line[n++] = ch;
	}
	return -1;
}

static void
nsrv_say(int c, const char *s)
{
	(void)!write(c, s, strlen(s));
}

static void
nsrv_smtp_conn(struct nsrv *s, int c)
{
	char	 line[2048], *cmds, *data, reply[256];
	size_t	 cl = 0, dl = 0, ccap = 65536, dcap = 262144, n;
	int	 in_data = 0, auth_step = 0;

	cmds = calloc(1, ccap);
	data = calloc(1, dcap);
	nsrv_say(c, "220 test ESMTP\r\n");
	while (nsrv_line(c, line, sizeof(line)) == 0) {
		n = strlen(line);
		if (in_data) {
			if (strcmp(line, ".") == 0) {
				in_data = 0;
				nsrv_say(c, "250 2.0.0 queued\r\n");
				continue;
			}
			if (dl + n + 3 < dcap) {
				memcpy(data + dl, line, n);
				dl += n;
				memcpy(data + dl, "\r\n", 2);
				dl += 2;
			}
			continue;
		}
		if (cl + n + 2 < ccap) {
			memcpy(cmds + cl, line, n);
			cl += n;
			cmds[cl++] = '\n';
		}
		if (strncasecmp(line, "EHLO", 4) == 0)
			nsrv_say(c, "250-test\r\n250 AUTH PLAIN LOGIN\r\n");
		else if (strcasecmp(line, "AUTH PLAIN") == 0 ||
		    strcasecmp(line, "AUTH LOGIN") == 0)
			nsrv_say(c, "334 \r\n");	/* credentials follow */
		else if (strncasecmp(line, "AUTH PLAIN ", 11) == 0)
			nsrv_say(c, "235 2.7.0 ok\r\n");
		else if (strncasecmp(line, "AUTH LOGIN ", 11) == 0)
			nsrv_say(c, "334 UGFzc3dvcmQ6\r\n");
		else if (strncasecmp(line, "MAIL FROM", 9) == 0)
			nsrv_say(c, "250 2.1.0 ok\r\n");
		else if (strncasecmp(line, "RCPT TO", 7) == 0) {
			pthread_mutex_lock(&s->mtx);
			if (s->rcpt_match != NULL &&
			    strstr(line, s->rcpt_match) != NULL)
				snprintf(reply, sizeof(reply), "%s\r\n",
				    s->rcpt_reply);
			else
				snprintf(reply, sizeof(reply),
				    "250 2.1.5 ok\r\n");
			pthread_mutex_unlock(&s->mtx);
			nsrv_say(c, reply);
		} else if (strncasecmp(line, "DATA", 4) == 0) {
			in_data = 1;
			nsrv_say(c, "354 go on\r\n");
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			nsrv_say(c, "221 bye\r\n");
			break;
		} else if (strncasecmp(line, "RSET", 4) == 0 ||
		    strncasecmp(line, "NOOP", 4) == 0)
			nsrv_say(c, "250 ok\r\n");
		else if (auth_step == 1) {
			/* AUTH PLAIN without initial response, or the LOGIN
			 * password */
			auth_step = 0;
			nsrv_say(c, "235 2.7.0 ok\r\n");
		} else
			nsrv_say(c, "502 5.5.2 what\r\n");
		if (strncasecmp(line, "AUTH ", 5) == 0)
			auth_step = 1;
	}
	nsrv_record(s, "SMTP", "", cmds, data);
	free(cmds);
	free(data);
}

static void
nsrv_dns_packet(struct nsrv *s)
{
	struct sockaddr_storage from;
	socklen_t	 fl = sizeof(from);
	uint8_t		 b[512];
	char		 name[300];
	ssize_t		 n;
	size_t		 off = 12, nl = 0, l;

	if ((n = recvfrom(s->fd, b, sizeof(b), 0, (struct sockaddr *)&from,
	    &fl)) < 17)
		return;
	while (off < (size_t)n && b[off] != 0) {
		l = b[off];
		if (off + 1 + l > (size_t)n || nl + l + 2 > sizeof(name))
			return;
		if (nl > 0)
			name[nl++] = '.';
		memcpy(name + nl, b + off + 1, l);
		nl += l;
		off += 1 + l;
	}
	name[nl] = '\0';
	nsrv_record(s, "A", name, "", "");
	b[2] = 0x81;		/* QR RD */
	b[3] = 0x83;		/* RA, NXDOMAIN */
	(void)!sendto(s->fd, b, (size_t)n, 0, (struct sockaddr *)&from, fl);
}

/*
 * A test's fork() (its sandboxed children) must not copy a server thread in
 * the middle of malloc: GCC's ASan allocator has no fork handler, and the
 * child then waits on the copied lock for ever (test_notify_sandbox under
 * --enable-sanitizers).  Server threads hold nsrv_busy (shared) except in
 * poll(); fork() takes it exclusively first.
 */
static pthread_rwlock_t nsrv_busy = PTHREAD_RWLOCK_INITIALIZER;
static pthread_once_t nsrv_once = PTHREAD_ONCE_INIT;

static void
nsrv_fork_prepare(void)
{
	pthread_rwlock_wrlock(&nsrv_busy);
}

static void
nsrv_fork_parent(void)
{
	pthread_rwlock_unlock(&nsrv_busy);
}

static void
nsrv_fork_child(void)
{
	/* the writer was the parent's thread: start afresh */
	pthread_rwlock_init(&nsrv_busy, NULL);
}

static void
nsrv_atfork(void)
{
	pthread_atfork(nsrv_fork_prepare, nsrv_fork_parent, nsrv_fork_child);
}

static int
nsrv_poll_idle(struct pollfd *p)
{
	int	 r;

	pthread_rwlock_unlock(&nsrv_busy);
	r = poll(p, 2, -1);
	pthread_rwlock_rdlock(&nsrv_busy);
	return r;
}

static void *
nsrv_main(void *arg)
{
	struct nsrv	*s = arg;
	struct pollfd	 p[2];
	int		 c;

	pthread_rwlock_rdlock(&nsrv_busy);
	pthread_mutex_lock(&s->mtx);
	s->running = 1;
	pthread_mutex_unlock(&s->mtx);
	for (;;) {
		p[0].fd = s->fd;
		p[0].events = POLLIN;
		p[1].fd = s->stop[0];
		p[1].events = POLLIN;
		if (nsrv_poll_idle(p) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents != 0)
			break;
		if (s->kind == NSRV_DNS) {
			nsrv_dns_packet(s);
			continue;
		}
		if ((c = accept(s->fd, NULL, NULL)) == -1)
			continue;
		if (s->kind == NSRV_HTTP)
			nsrv_http_conn(s, c);
		else
			nsrv_smtp_conn(s, c);
		close(c);
	}
	pthread_rwlock_unlock(&nsrv_busy);
	return NULL;
}

static int
nsrv_is_running(struct nsrv *s)
{
	int	 r;

	pthread_mutex_lock(&s->mtx);
	r = s->running;
	pthread_mutex_unlock(&s->mtx);
	return r;
}

struct nsrv *
nsrv_start(enum nsrv_kind kind)
{
	struct nsrv	*s = calloc(1, sizeof(*s));
	struct sockaddr_in sin;
	socklen_t	 len = sizeof(sin);
	int		 one = 1;

	s->kind = kind;
	pthread_mutex_init(&s->mtx, NULL);
	s->fd = socket(AF_INET, (kind == NSRV_DNS ? SOCK_DGRAM : SOCK_STREAM) |
	    SOCK_CLOEXEC, 0);
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (kind != NSRV_DNS && listen(s->fd, 16) == -1) ||
	    getsockname(s->fd, (struct sockaddr *)&sin, &len) == -1 ||
	    pipe2(s->stop, O_CLOEXEC) == -1) {
		perror("nsrv_start");
		abort();
	}
	s->port = ntohs(sin.sin_port);
	pthread_once(&nsrv_once, nsrv_atfork);
	pthread_create(&s->thr, NULL, nsrv_main, s);
	/* a fork during the thread's start-up would copy the runtime's
	 * locks (ASan's allocator) held */
	while (nsrv_is_running(s) == 0)
		usleep(1000);
	return s;
}

uint16_t
nsrv_port(struct nsrv *s)
{
	return s->port;
}

void
nsrv_script(struct nsrv *s, const char *prefix, int status,
    const char *extra, const char *body, int delay_ms)
{
	struct nsrv_script *sc;

	pthread_mutex_lock(&s->mtx);
	if (s->nscript < NSRV_MAX_SCRIPT) {
		sc = &s->script[s->nscript++];
		sc->prefix = strdup(prefix);
		sc->status = status;
		sc->extra = strdup(extra != NULL ? extra : "");
		sc->body = strdup(body != NULL ? body : "");
		sc->delay_ms = delay_ms;
	}
	pthread_mutex_unlock(&s->mtx);
}

void
nsrv_smtp_rcpt(struct nsrv *s, const char *match, const char *reply)
{
	pthread_mutex_lock(&s->mtx);
	free(s->rcpt_match);
	free(s->rcpt_reply);
	s->rcpt_match = strdup(match);
	s->rcpt_reply = strdup(reply);
	pthread_mutex_unlock(&s->mtx);
}

int
nsrv_count(struct nsrv *s)
{
	int	 n;

	pthread_mutex_lock(&s->mtx);
	n = s->nreq;
	pthread_mutex_unlock(&s->mtx);
	return n;
}

int
nsrv_get(struct nsrv *s, int i, struct nsrv_req *out)
{
	int	 tries;

	for (tries = 0; tries < 500; tries++) {
		pthread_mutex_lock(&s->mtx);
		if (i < s->nreq) {
			out->method = strdup(s->reqs[i].method);
			out->path = strdup(s->reqs[i].path);
			out->headers = strdup(s->reqs[i].headers);
			out->body = strdup(s->reqs[i].body);
			pthread_mutex_unlock(&s->mtx);
			return 0;
		}
		pthread_mutex_unlock(&s->mtx);
		usleep(10000);
	}
	return -1;
}

void
nsrv_req_free(struct nsrv_req *r)
{
	free(r->method);
	free(r->path);
	free(r->headers);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

void
nsrv_stop(struct nsrv *s)
{
	int	 i;

	(void)!write(s->stop[1], "x", 1);
	pthread_join(s->thr, NULL);
	close(s->fd);
	close(s->stop[0]);
	close(s->stop[1]);
	for (i = 0; i < s->nreq; i++)
		nsrv_req_free(&s->reqs[i]);
	for (i = 0; i < s->nscript; i++) {
		free(s->script[i].prefix);
		free(s->script[i].extra);
		free(s->script[i].body);
	}
	free(s->rcpt_match);
	free(s->rcpt_reply);
	pthread_mutex_destroy(&s->mtx);
	free(s);
}
