/*
 * notifierd/syslog.c -- the syslog target (docs/shipping.md): one
 * connection to the one target loaderd configured (notifierd -T), over
 * UDP (RFC 5426: one message a datagram), TCP (RFC 6587 octet counting:
 * "LEN SP MSG") or TLS (RFC 5425, the same framing; libcurl does the TCP
 * connection and the TLS handshake with CURLOPT_CONNECT_ONLY and carries
 * the bytes with curl_easy_send).  Each send is synchronous and bounded
 * by the timeout; a failed connection is not tried again for a second,
 * so a window of messages fails fast.  collectord keeps the messages (in
 * events.db) and sends them again.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config_syslog.h"
#include "err.h"
#include "log.h"
#include "notifierd.h"
#include "xmalloc.h"

#define SYSLOG_RETRY_MS		1000	/* after a failed connection */
#define SYSLOG_MSG_MAX		(60 * 1024)

struct syslog_out {
	struct syslog_target	 t;
	char			*url;		/* the target, for messages */
	char			*ca_file;	/* NULL: the system's */
	uint32_t		 timeout_ms;
	int			 fd;		/* udp, tcp */
	CURL			*curl;		/* tls, connected */
	uint64_t		 down_until;	/* ms */
	struct sbuf		 frame;
	uint64_t		 sent, failed;
};

static uint64_t
syslog_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct syslog_out *
syslog_out_new(const char *target, const char *ca_file, uint32_t timeout_ms)
{
	struct syslog_out *so;

	so = xcalloc(1, sizeof(*so));
	if (syslog_target_parse(target, &so->t) != 0)
		fatalx("syslog target %s: expected udp://, tcp:// or tls://"
		    "HOST:PORT", target);
	so->url = xstrdup(target);
	so->ca_file = ca_file != NULL ? xstrdup(ca_file) : NULL;
	so->timeout_ms = timeout_ms;
	so->fd = -1;
	sbuf_init(&so->frame);
	return so;
}

static void
syslog_close(struct syslog_out *so)
{
	if (so->fd != -1)
		close(so->fd);
	so->fd = -1;
	if (so->curl != NULL)
		curl_easy_cleanup(so->curl);
	so->curl = NULL;
}

void
syslog_out_free(struct syslog_out *so)
{
	if (so == NULL)
		return;
	syslog_close(so);
	free(so->url);
	free(so->ca_file);
	sbuf_clear(&so->frame);
	free(so);
}

/* Wait for events on fd, at most the timeout.  0, or ERR_AGAIN (timeout) /
 * ERR_SYS. */
static int
syslog_wait(struct syslog_out *so, int fd, short events)
{
	struct pollfd	 p = { fd, events, 0 };
	int		 n;

	while ((n = poll(&p, 1, (int)so->timeout_ms)) == -1 && errno == EINTR)
		;
	if (n == 0)
		return ERR_AGAIN;
	return n < 0 || (p.revents & (POLLERR | POLLNVAL)) ? ERR_SYS : 0;
}

/* A stream the receiver closed (or reset) reads as EOF or an error:
 * find out before writing into it, so that the message is not lost in
 * a dead connection's buffer. */
static int
syslog_peer_gone(int fd)
{
	struct pollfd	 p = { fd, POLLIN, 0 };
	char		 c;

	if (poll(&p, 1, 0) <= 0)
		return 0;
	if (p.revents & (POLLHUP | POLLERR))
		return 1;
	return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0 &&
	    errno != EAGAIN;
}

static int
syslog_connect_fd(struct syslog_out *so, char *why, size_t whysz)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	socklen_t	 len = sizeof(int);
	int		 r, err = 0, type;

	type = so->t.proto == SYSLOG_UDP ? SOCK_DGRAM : SOCK_STREAM;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = type;
	if ((r = getaddrinfo(so->t.host, so->t.port, &hints, &res)) != 0) {
		snprintf(why, whysz, "%s: %s", so->t.host, gai_strerror(r));
		return ERR_SYS;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		so->fd = socket(ai->ai_family, type | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (so->fd == -1)
			continue;
		if (connect(so->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		if (err == EINPROGRESS) {
			/* refused shows as POLLERR: SO_ERROR says why */
			err = ETIMEDOUT;
			if (syslog_wait(so, so->fd, POLLOUT) != ERR_AGAIN &&
			    getsockopt(so->fd, SOL_SOCKET, SO_ERROR, &err,
			    &len) == 0 && err == 0)
				break;
		}
		close(so->fd);
		so->fd = -1;
	}
	freeaddrinfo(res);
	if (so->fd == -1) {
		snprintf(why, whysz, "connect: %s", strerror(err != 0 ? err :
		    ETIMEDOUT));
		return ERR_SYS;
	}
	return 0;
}

static int
syslog_connect_tls(struct syslog_out *so, char *why, size_t whysz)
{
	char		 url[SYSLOG_HOST_MAX + 32];
	CURLcode	 rc;
	int		 v6 = strchr(so->t.host, ':') != NULL;

	snprintf(url, sizeof(url), "https://%s%s%s:%s", v6 ? "[" : "",
	    so->t.host, v6 ? "]" : "", so->t.port);
	if ((so->curl = curl_easy_init()) == NULL) {
		snprintf(why, whysz, "curl_easy_init failed");
		return ERR_NOMEM;
	}
	curl_easy_setopt(so->curl, CURLOPT_URL, url);
	curl_easy_setopt(so->curl, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(so->curl, CURLOPT_SSL_ENABLE_ALPN, 0L);
	curl_easy_setopt(so->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(so->curl, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)so->timeout_ms);
	curl_easy_setopt(so->curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(so->curl, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2);
	if (so->ca_file != NULL)
		curl_easy_setopt(so->curl, CURLOPT_CAINFO, so->ca_file);
	if ((rc = curl_easy_perform(so->curl)) != CURLE_OK) {
		snprintf(why, whysz, "TLS connect: %s", curl_easy_strerror(rc));
		syslog_close(so);
		return ERR_SYS;
	}
	return 0;
}

static int
syslog_tls_fd(struct syslog_out *so)
{
	curl_socket_t	 s = CURL_SOCKET_BAD;

	if (curl_easy_getinfo(so->curl, CURLINFO_ACTIVESOCKET, &s) !=
	    CURLE_OK)
		return -1;
	return (int)s;
}

static int
syslog_write_tls(struct syslog_out *so, const char *p, size_t len,
    char *why, size_t whysz)
{
	size_t		 n;
	CURLcode	 rc;

	while (len > 0) {
		n = 0;
		rc = curl_easy_send(so->curl, p, len, &n);
		if (rc == CURLE_AGAIN) {
			if (syslog_wait(so, syslog_tls_fd(so), POLLOUT) != 0) {
				snprintf(why, whysz, "TLS send timed out");
				return ERR_SYS;
			}
			continue;
		}
		if (rc != CURLE_OK) {
			snprintf(why, whysz, "TLS send: %s",
			    curl_easy_strerror(rc));
			return ERR_SYS;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int
syslog_write_fd(struct syslog_out *so, const char *p, size_t len,
    char *why, size_t whysz)
{
	ssize_t	 n;

	while (len > 0) {
		n = send(so->fd, p, len, MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			if (syslog_wait(so, so->fd, POLLOUT) != 0) {
				snprintf(why, whysz, "send timed out");
				return ERR_SYS;
			}
			continue;
		}
		if (n == -1) {
			snprintf(why, whysz, "send: %s", strerror(errno));
			return ERR_SYS;
		}
		if (so->t.proto == SYSLOG_UDP)
			return 0;	/* one datagram */
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
syslog_open(struct syslog_out *so, char *why, size_t whysz)
{
	int	 fd = so->curl != NULL ? syslog_tls_fd(so) : so->fd;

	if (fd != -1 && so->t.proto != SYSLOG_UDP && syslog_peer_gone(fd)) {
		log_info("syslog %s: the receiver closed the connection",
		    so->url);
		syslog_close(so);
	} else if (fd != -1)
		return 0;
	if (syslog_now_ms() < so->down_until) {
		snprintf(why, whysz, "target down, not retried yet");
		return ERR_SYS;
	}
	if ((so->t.proto == SYSLOG_TLS ? syslog_connect_tls(so, why, whysz) :
	    syslog_connect_fd(so, why, whysz)) != 0) {
		so->down_until = syslog_now_ms() + SYSLOG_RETRY_MS;
		return ERR_SYS;
	}
	log_info("syslog %s: connected", so->url);
	return 0;
}

int
syslog_out_send(struct syslog_out *so, const char *msg, char *why,
    size_t whysz)
{
	size_t	 len = strlen(msg);
	int	 r;

	why[0] = '\0';
	if ((r = syslog_open(so, why, whysz)) != 0) {
		so->failed++;
		return r;
	}
	sbuf_reset(&so->frame);
	if (so->t.proto != SYSLOG_UDP)
		sbuf_addf(&so->frame, "%zu ", len);
	sbuf_add(&so->frame, msg, len);
	r = so->curl != NULL ? syslog_write_tls(so, so->frame.buf,
	    so->frame.len, why, whysz) : syslog_write_fd(so, so->frame.buf,
	    so->frame.len, why, whysz);
	if (r != 0) {
		log_warnx("syslog %s: %s", so->url, why);
		syslog_close(so);
		so->failed++;
		return r;
	}
	so->sent++;
	return 0;
}

/* A message collectord rendered: "<PRI>1 " then printable text, within
 * the size limit.  1 or 0. */
int
syslog_msg_ok(const char *m)
{
	size_t	 i = 1, len = strlen(m);

	if (len > SYSLOG_MSG_MAX || m[0] != '<')
		return 0;
	while (i < 5 && m[i] >= '0' && m[i] <= '9')
		i++;
	return i > 1 && i < 5 && strncmp(m + i, ">1 ", 3) == 0;
}
