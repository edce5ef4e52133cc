/*
 * notifierd/deliver.c -- one delivery attempt per job.
 *
 * HTTP(S) and SMTP go through one libcurl multi handle driven by the
 * libevent loop (CURLMOPT_SOCKETFUNCTION arms an event per socket,
 * CURLMOPT_TIMERFUNCTION one timer; the curl "hiper" pattern).  canary_dns
 * sends its own UDP query (dns.c) on the same loop.  A job may need
 * several requests (an SMS to several numbers): it is delivered only when
 * all of them are; the worst outcome wins (permanent > retry > delivered).
 *
 * Nothing that identifies a secret reaches a result detail or a log line:
 * details name the receiver kind and name ("slack ops-slack: HTTP 404"),
 * never the URL, and curl's own error buffer (which can name hosts and
 * paths) is not used; errors are described from the CURLcode and errno.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "compat.h"
#include "err.h"
#include "log.h"
#include "notifierd.h"
#include "xmalloc.h"

#define DL_RESP_MAX	(16 * 1024)	/* response body bytes kept */

struct dl_job;

struct dl_req {
	TAILQ_ENTRY(dl_req) entry;
	struct dl_job	*job;
	CURL		*easy;
	struct curl_slist *hdrs;
	struct curl_slist *rcpt;
	struct sbuf	 body;		/* request body / e-mail message */
	size_t		 sent;		/* e-mail: bytes handed to curl */
	struct sbuf	 resp;		/* response body, capped */
	char		*url;
	char		 prefix[128];	/* "sms oncall to +1555..." */
	char		 retry_after[64];
	char		 smtp_reply[160];
	int		 smtp;
};
TAILQ_HEAD(dl_reqs, dl_req);

struct dl_job {
	TAILQ_ENTRY(dl_job) entry;
	struct deliver	*dl;
	struct ipc_alert_job job;	/* deep copy */
	const struct al_receiver *r;	/* NULL: action job */
	char		 prefix[96];	/* "slack ops-slack", "GetUrl" */
	deliver_done_fn	 done;
	void		*arg;
	uint64_t	 start_us;
	struct dl_reqs	 reqs;
	int		 nreq;
	int		 nleft;
	int		 have_res;
	struct notify_result res;
	/* canary_dns */
	int		 dns_fd;
	uint16_t	 dns_id;
	char		 dns_name[DNS_MAX_NAME + 2];
	struct event	*ev_dns;
	struct event	*ev_dns_timeout;
	/* completion without any request (config errors) */
	struct event	*ev_now;
};
TAILQ_HEAD(dl_jobs, dl_job);

struct deliver {
	struct event_base *base;
	const struct al_config *cfg;
	CURLM		*multi;
	struct event	*ev_timer;
	struct dl_jobs	 jobs;
	size_t		 njobs;
	char		 ua[64];
	struct notify_allow allow;	/* action targets (guard.c) */
	struct ipc_notify_stats stats;
};

static uint64_t
dl_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
dl_timeout_ms(const struct deliver *dl)
{
	return dl->cfg->timeout_ms > 0 ? dl->cfg->timeout_ms : 10000;
}

static void
dl_req_free(struct dl_req *req)
{
	if (req->easy != NULL) {
		curl_multi_remove_handle(req->job->dl->multi, req->easy);
		curl_easy_cleanup(req->easy);
	}
	curl_slist_free_all(req->hdrs);
	curl_slist_free_all(req->rcpt);
	/* bodies can hold secrets (vonage api_secret) */
	if (req->body.buf != NULL)
		explicit_bzero(req->body.buf, req->body.cap);
	sbuf_clear(&req->body);
	sbuf_clear(&req->resp);
	free(req->url);
	free(req);
}

static void
dl_job_free(struct dl_job *j)
{
	struct dl_req	*req;

	while ((req = TAILQ_FIRST(&j->reqs)) != NULL) {
		TAILQ_REMOVE(&j->reqs, req, entry);
		dl_req_free(req);
	}
	if (j->ev_dns != NULL)
		event_free(j->ev_dns);
	if (j->ev_dns_timeout != NULL)
		event_free(j->ev_dns_timeout);
	if (j->ev_now != NULL)
		event_free(j->ev_now);
	if (j->dns_fd != -1)
		close(j->dns_fd);
	ipc_alert_job_clear(&j->job);
	free(j);
}

/* Fold one request's outcome into the job's: permanent > retry >
 * delivered; the longest Retry-After is kept. */
static void
dl_job_merge(struct dl_job *j, const struct notify_result *r)
{
	static const int rank[] = { 0, 1, 2 };	/* by enum ipc_alert_status */
	uint64_t	 ra;

	if (!j->have_res) {
		j->res = *r;
		j->have_res = 1;
		return;
	}
	ra = j->res.retry_after_ms > r->retry_after_ms ?
	    j->res.retry_after_ms : r->retry_after_ms;
	if (r->status <= IPC_ALERT_PERMANENT &&
	    rank[r->status] > rank[j->res.status])
		j->res = *r;
	j->res.retry_after_ms = ra;
}

static void
dl_job_finish(struct dl_job *j)
{
	struct deliver	*dl = j->dl;
	struct ipc_alert_result out;

	memset(&out, 0, sizeof(out));
	out.job_id = j->job.job_id;
	out.status = j->res.status;
	out.code = j->res.code;
	out.retry_after_ms = out.status == IPC_ALERT_RETRY ?
	    j->res.retry_after_ms : 0;
	out.duration_us = dl_now_us() - j->start_us;
	if (j->nreq > 1 && out.status == IPC_ALERT_DELIVERED)
		notify_detail(&j->res, j->prefix, "%d messages sent",
		    j->nreq);
	out.detail = j->res.detail;
	log_debug("job %llu attempt %u: %s (%llu us)",
	    (unsigned long long)out.job_id, j->job.attempt, out.detail,
	    (unsigned long long)out.duration_us);

	TAILQ_REMOVE(&dl->jobs, j, entry);
	dl->njobs--;
	if (j->done != NULL)
		j->done(&out, j->arg);
	dl_job_free(j);
}

static void
dl_now_cb(evutil_socket_t fd, short what, void *arg)
{
	dl_job_finish(arg);
}

/* Finish a job from the loop with a result decided now. */
static void
dl_job_fail(struct dl_job *j, uint32_t status, const char *fmt, ...)
    __attribute__((__format__(printf, 3, 4)));
static void
dl_job_fail(struct dl_job *j, uint32_t status, const char *fmt, ...)
{
	struct timeval	 tv = { 0, 0 };
	char		 msg[NOTIFY_DETAIL_MAX];
	va_list		 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memset(&j->res, 0, sizeof(j->res));
	j->res.status = status;
	notify_detail(&j->res, j->prefix, "%s", msg);
	j->have_res = 1;
	if ((j->ev_now = evtimer_new(j->dl->base, dl_now_cb, j)) == NULL ||
	    evtimer_add(j->ev_now, &tv) == -1)
		fatalx("evtimer");
}

/* ---- libcurl <-> libevent ---- */

static void dl_check_multi(struct deliver *);

static void
dl_sock_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct deliver	*dl = arg;
	int		 running, action = 0;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(dl->multi, fd, action, &running);
	dl_check_multi(dl);
}

static void
dl_timer_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct deliver	*dl = arg;
	int		 running;

	curl_multi_socket_action(dl->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	dl_check_multi(dl);
}

static int
dl_sock_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct deliver	*dl = userp;
	struct event	*ev = socketp;
	short		 kind;

	if (what == CURL_POLL_REMOVE) {
		if (ev != NULL) {
			event_free(ev);
			curl_multi_assign(dl->multi, s, NULL);
		}
		return 0;
	}
	kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (ev != NULL) {
		event_del(ev);
		if (event_assign(ev, dl->base, s, kind, dl_sock_event_cb,
		    dl) == -1)
			return -1;
	} else {
		if ((ev = event_new(dl->base, s, kind, dl_sock_event_cb,
		    dl)) == NULL)
			return -1;
		curl_multi_assign(dl->multi, s, ev);
	}
	return event_add(ev, NULL) == -1 ? -1 : 0;
}

static int
dl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct deliver	*dl = userp;
	struct timeval	 tv;

	if (timeout_ms < 0)
		return evtimer_del(dl->ev_timer) == -1 ? -1 : 0;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	return evtimer_add(dl->ev_timer, &tv) == -1 ? -1 : 0;
}

/* ---- request outcomes ---- */

static void
dl_curl_error(struct dl_req *req, CURLcode cc, struct notify_result *res)
{
	long		 oserr = 0;
	const char	*why;

	memset(res, 0, sizeof(res[0]));
	res->status = IPC_ALERT_RETRY;
	curl_easy_getinfo(req->easy, CURLINFO_OS_ERRNO, &oserr);
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
		notify_detail(res, req->prefix, "connect: %s",
		    oserr != 0 ? strerror((int)oserr) : "failed");
		return;
	case CURLE_OPERATION_TIMEDOUT:
		notify_detail(res, req->prefix, "timeout after %llu ms",
		    (unsigned long long)dl_timeout_ms(req->job->dl));
		return;
	case CURLE_COULDNT_RESOLVE_HOST:
		why = "DNS: could not resolve the host";
		break;
	case CURLE_USE_SSL_FAILED:
		why = "STARTTLS required but not offered by the server";
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		why = "TLS: server certificate not trusted";
		break;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		res->status = IPC_ALERT_PERMANENT;
		why = "bad or unsupported URL";
		break;
	default:
		why = curl_easy_strerror(cc);
		break;
	}
	notify_detail(res, req->prefix, "%s", why);
}

static void
dl_req_done(struct dl_req *req, CURLcode cc)
{
	struct dl_job	*j = req->job;
	struct notify_result res;
	long		 code = 0;

	curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &code);
	if (req->smtp) {
		if (cc == CURLE_OK)
			notify_smtp_outcome(&res, code != 0 ? code : 250,
			    req->smtp_reply, req->prefix);
		else if (code >= 400)
			notify_smtp_outcome(&res, code, req->smtp_reply,
			    req->prefix);
		else
			dl_curl_error(req, cc, &res);
	} else if (cc == CURLE_OK)
		notify_http_outcome(&res, j->r, code, req->resp.buf,
		    req->resp.len, req->retry_after[0] != '\0' ?
		    req->retry_after : NULL, time(NULL), req->prefix);
	else
		dl_curl_error(req, cc, &res);
	dl_job_merge(j, &res);

	TAILQ_REMOVE(&j->reqs, req, entry);
	dl_req_free(req);
	if (--j->nleft == 0)
		dl_job_finish(j);
}

static void
dl_check_multi(struct deliver *dl)
{
	struct dl_req	*req;
	CURLMsg		*msg;
	char		*priv;
	int		 left;

	while ((msg = curl_multi_info_read(dl->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		priv = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		req = (struct dl_req *)priv;
		dl_req_done(req, msg->data.result);
	}
}

/* ---- curl callbacks for one request ---- */

static size_t
dl_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct dl_req	*req = arg;
	size_t		 len = size * n, room;

	room = req->resp.len < DL_RESP_MAX ? DL_RESP_MAX - req->resp.len : 0;
	sbuf_add(&req->resp, p, len < room ? len : room);
	return len;
}

void
dl_header_line(char *retry_after, size_t sz, const char *p, size_t len)
{
	size_t	 v;

	/* a new response (after 100 Continue or a redirect) resets it */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		retry_after[0] = '\0';
	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		v = 12;
		while (v < len && (p[v] == ' ' || p[v] == '\t'))
			v++;
		snprintf(retry_after, sz, "%.*s", (int)(len - v), p + v);
		retry_after[strcspn(retry_after, "\r\n")] = '\0';
	}
}

static size_t
dl_header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct dl_req	*req = arg;

	dl_header_line(req->retry_after, sizeof(req->retry_after), p,
	    size * n);
	return size * n;
}

static size_t
dl_read_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct dl_req	*req = arg;
	size_t		 len = size * n, left = req->body.len - req->sent;

	if (len > left)
		len = left;
	memcpy(buf, req->body.buf + req->sent, len);
	req->sent += len;
	return len;
}

/* SMTP: keep the server's last reply line (never what we sent: that
 * includes AUTH). */
void
dl_smtp_reply_line(char *reply, size_t sz, const char *data, size_t len)
{
	/* the 221 answer to QUIT would hide the reply that failed */
	if (len >= 3 && strncmp(data, "221", 3) != 0) {
		snprintf(reply, sz, "%.*s", (int)len, data);
		reply[strcspn(reply, "\r\n")] = '\0';
	}
}

static int
dl_debug_cb(CURL *easy, curl_infotype type, char *data, size_t len,
    void *arg)
{
	struct dl_req	*req = arg;

	if (type == CURLINFO_HEADER_IN)
		dl_smtp_reply_line(req->smtp_reply, sizeof(req->smtp_reply),
		    data, len);
	return 0;
}

/* ---- building requests ---- */

static struct dl_req *
dl_req_new(struct dl_job *j, const char *url, const char *to)
{
	struct deliver	*dl = j->dl;
	struct dl_req	*req;
	long		 tmo = (long)dl_timeout_ms(dl);

	req = xcalloc(1, sizeof(*req));
	req->job = j;
	sbuf_init(&req->body);
	sbuf_init(&req->resp);
	req->url = xstrdup(url);
	if (to != NULL && j->r != NULL && j->r->nto > 1)
		snprintf(req->prefix, sizeof(req->prefix), "%s to %s",
		    j->prefix, to);
	else
		snprintf(req->prefix, sizeof(req->prefix), "%s", j->prefix);
	if ((req->easy = curl_easy_init()) == NULL)
		fatalx("curl_easy_init");
	curl_easy_setopt(req->easy, CURLOPT_PRIVATE, (char *)req);
	curl_easy_setopt(req->easy, CURLOPT_URL, req->url);
	curl_easy_setopt(req->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(req->easy, CURLOPT_TIMEOUT_MS, tmo);
	curl_easy_setopt(req->easy, CURLOPT_CONNECTTIMEOUT_MS, tmo);
	curl_easy_setopt(req->easy, CURLOPT_USERAGENT, dl->ua);
	curl_easy_setopt(req->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(req->easy, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	/* defaults.ca_file replaces the system bundle (a receiver's own
	 * ca_file, e-mail's, is set after this) */
	if (dl->cfg->ca_file != NULL && dl->cfg->ca_file[0] != '\0')
		curl_easy_setopt(req->easy, CURLOPT_CAINFO, dl->cfg->ca_file);
	curl_easy_setopt(req->easy, CURLOPT_WRITEFUNCTION, dl_write_cb);
	curl_easy_setopt(req->easy, CURLOPT_WRITEDATA, req);
	curl_easy_setopt(req->easy, CURLOPT_HEADERFUNCTION, dl_header_cb);
	curl_easy_setopt(req->easy, CURLOPT_HEADERDATA, req);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(req->easy, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(req->easy, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	TAILQ_INSERT_TAIL(&j->reqs, req, entry);
	j->nreq++;
	j->nleft++;
	return req;
}

static void
dl_req_header(struct dl_req *req, const char *name, const char *value)
{
	struct sbuf	 h;
	const char	*p;

	/* names are tokens; a bad one is left out (the parser should have
	 * refused it) */
	for (p = name; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == ':')
			return;
	if (*name == '\0')
		return;
	sbuf_init(&h);
	sbuf_addf(&h, "%s: ", name);
	notify_header_value(&h, value);
	req->hdrs = curl_slist_append(req->hdrs, h.buf);
	explicit_bzero(h.buf, h.cap);
	sbuf_clear(&h);
	if (req->hdrs == NULL)
		fatalx("curl_slist_append");
}

/* Common headers; the body (if any) is in req->body. */
static void
dl_req_http(struct dl_req *req, const char *method, const char *ctype)
{
	struct dl_job	*j = req->job;

	dl_req_header(req, "Idempotency-Key", j->job.idem_key);
	dl_req_header(req, "Expect", "");
	if (ctype != NULL)
		dl_req_header(req, "Content-Type", ctype);
	if (strcmp(method, "GET") == 0)
		curl_easy_setopt(req->easy, CURLOPT_HTTPGET, 1L);
	else {
		curl_easy_setopt(req->easy, CURLOPT_POSTFIELDS,
		    req->body.buf != NULL ? req->body.buf : "");
		curl_easy_setopt(req->easy, CURLOPT_POSTFIELDSIZE,
		    (long)req->body.len);
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(req->easy, CURLOPT_CUSTOMREQUEST,
			    method);
	}
}

static void
dl_req_start(struct dl_req *req)
{
	CURLMcode	 mc;

	if (req->hdrs != NULL)
		curl_easy_setopt(req->easy, CURLOPT_HTTPHEADER, req->hdrs);
	if ((mc = curl_multi_add_handle(req->job->dl->multi, req->easy)) !=
	    CURLM_OK)
		fatalx("curl_multi_add_handle: %s", curl_multi_strerror(mc));
}

/* base URL without trailing slashes + path */
static char *
dl_join(const char *base, const char *path)
{
	size_t	 n = strlen(base);
	char	*s;

	while (n > 0 && base[n - 1] == '/')
		n--;
	xasprintf(&s, "%.*s%s", (int)n, base, path);
	return s;
}

static int
dl_sms(struct dl_job *j)
{
	const struct al_receiver *r = j->r;
	struct dl_req	*req;
	struct sbuf	 text, q;
	char		*url = NULL, *sid;
	const char	*to, *method;
	size_t		 i, n;

	sbuf_init(&text);
	notify_sms_text(&text, &j->job);
	n = r->nto > 0 ? r->nto : 1;
	for (i = 0; i < n; i++) {
		to = r->nto > 0 ? r->to[i] : "";
		switch (r->provider) {
		case AL_SMS_TWILIO:
			if ((sid = curl_easy_escape(NULL, r->account_sid,
			    0)) == NULL)
				fatalx("curl_easy_escape");
			xasprintf(&url, "/2010-04-01/Accounts/%s/Messages.json",
			    sid);
			curl_free(sid);
			sid = dl_join(r->url, url);
			free(url);
			req = dl_req_new(j, sid, to);
			free(sid);
			notify_twilio_body(&req->body, r, to, text.buf);
			curl_easy_setopt(req->easy, CURLOPT_HTTPAUTH,
			    (long)CURLAUTH_BASIC);
			curl_easy_setopt(req->easy, CURLOPT_USERNAME,
			    r->account_sid);
			curl_easy_setopt(req->easy, CURLOPT_PASSWORD,
			    r->auth_token);
			dl_req_http(req, "POST",
			    "application/x-www-form-urlencoded");
			break;
		case AL_SMS_VONAGE:
			url = dl_join(r->url, "/sms/json");
			req = dl_req_new(j, url, to);
			free(url);
			notify_vonage_body(&req->body, r, to, text.buf);
			dl_req_http(req, "POST",
			    "application/x-www-form-urlencoded");
			break;
		case AL_SMS_GENERIC:
		default:
			method = r->method != NULL && r->method[0] != '\0' ?
			    r->method : "POST";
			if (strcmp(method, "GET") == 0 && !r->json) {
				sbuf_init(&q);
				notify_generic_body(&q, r, &j->job, to);
				xasprintf(&url, "%s%s%s", r->url,
				    strchr(r->url, '?') != NULL ? "&" : "?",
				    q.buf);
				sbuf_clear(&q);
				req = dl_req_new(j, url, to);
				free(url);
			} else {
				req = dl_req_new(j, r->url, to);
				notify_generic_body(&req->body, r, &j->job,
				    to);
			}
			dl_req_http(req, method, strcmp(method, "GET") == 0 ?
			    NULL : r->json ? "application/json" :
			    "application/x-www-form-urlencoded");
			break;
		}
		for (size_t h = 0; r->provider == AL_SMS_GENERIC &&
		    h < r->nheaders; h++)
			dl_req_header(req, r->headers[h].key,
			    r->headers[h].value);
	}
	sbuf_clear(&text);
	return 0;
}

static int
dl_email(struct dl_job *j)
{
	const struct al_receiver *r = j->r;
	struct dl_req	*req;
	char		*url, opt[32], *addr;
	size_t		 i;

	if (r->smarthost == NULL || r->nto == 0) {
		dl_job_fail(j, IPC_ALERT_PERMANENT, "no smarthost or "
		    "recipients");
		return ERR_PARSE;
	}
	xasprintf(&url, "%s://%s", r->tls == AL_TLS_IMPLICIT ? "smtps" :
	    "smtp", r->smarthost);
	req = dl_req_new(j, url, NULL);
	free(url);
	req->smtp = 1;
	if (notify_email_message(&req->body, r, &j->job, time(NULL)) != 0) {
		TAILQ_REMOVE(&j->reqs, req, entry);
		dl_req_free(req);
		j->nreq = j->nleft = 0;
		dl_job_fail(j, IPC_ALERT_PERMANENT, "unusable address");
		return ERR_PARSE;
	}
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(req->easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
	curl_easy_setopt(req->easy, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
	curl_easy_setopt(req->easy, CURLOPT_USE_SSL,
	    (long)(r->tls == AL_TLS_NONE ? CURLUSESSL_NONE : CURLUSESSL_ALL));
	if (r->ca_file != NULL && r->ca_file[0] != '\0')
		curl_easy_setopt(req->easy, CURLOPT_CAINFO, r->ca_file);
	if (r->username != NULL && r->username[0] != '\0') {
		curl_easy_setopt(req->easy, CURLOPT_USERNAME, r->username);
		curl_easy_setopt(req->easy, CURLOPT_PASSWORD,
		    r->password != NULL ? r->password : "");
	}
	if (r->auth != NULL && r->auth[0] != '\0') {
		snprintf(opt, sizeof(opt), "AUTH=%s",
		    strcasecmp(r->auth, "login") == 0 ? "LOGIN" : "PLAIN");
		curl_easy_setopt(req->easy, CURLOPT_LOGIN_OPTIONS, opt);
	}
	/* AUTH PLAIN with the initial response (one round trip less) */
	curl_easy_setopt(req->easy, CURLOPT_SASL_IR, 1L);
	xasprintf(&addr, "<%s>", r->from);
	curl_easy_setopt(req->easy, CURLOPT_MAIL_FROM, addr);
	free(addr);
	for (i = 0; i < r->nto; i++) {
		xasprintf(&addr, "<%s>", r->to[i]);
		if ((req->rcpt = curl_slist_append(req->rcpt, addr)) == NULL)
			fatalx("curl_slist_append");
		free(addr);
	}
	curl_easy_setopt(req->easy, CURLOPT_MAIL_RCPT, req->rcpt);
	curl_easy_setopt(req->easy, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(req->easy, CURLOPT_READFUNCTION, dl_read_cb);
	curl_easy_setopt(req->easy, CURLOPT_READDATA, req);
	curl_easy_setopt(req->easy, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)req->body.len);
	curl_easy_setopt(req->easy, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(req->easy, CURLOPT_DEBUGFUNCTION, dl_debug_cb);
	curl_easy_setopt(req->easy, CURLOPT_DEBUGDATA, req);
	return 0;
}

static int
dl_webhook(struct dl_job *j)
{
	const struct al_receiver *r = j->r;
	struct dl_req	*req;
	char		 sig[NOTIFY_SIG_LEN];
	size_t		 i;

	/* the event goes into the body as is: it must be JSON */
	if (!notify_event_json_ok(j->job.event_json)) {
		j->dl->stats.refused_event++;
		dl_job_fail(j, IPC_ALERT_PERMANENT, "event JSON refused (not "
		    "a JSON object within %d bytes and %d levels)",
		    NOTIFY_EVENT_JSON_MAX, NOTIFY_EVENT_JSON_DEPTH);
		return ERR_PARSE;
	}
	req = dl_req_new(j, r->url, NULL);
	notify_webhook_body(&req->body, &j->job);
	dl_req_http(req, "POST", "application/json");
	if (r->hmac_secret != NULL && r->hmac_secret[0] != '\0') {
		notify_webhook_signature(sig, r->hmac_secret, req->body.buf,
		    req->body.len);
		dl_req_header(req, r->hmac_header != NULL &&
		    r->hmac_header[0] != '\0' ? r->hmac_header :
		    "X-Tripline-Signature", sig);
	}
	for (i = 0; i < r->nheaders; i++)
		dl_req_header(req, r->headers[i].key, r->headers[i].value);
	return 0;
}

/* ---- canary_dns ---- */

static void
dl_dns_result(struct dl_job *j, uint32_t status, uint32_t code,
    const char *fmt, ...) __attribute__((__format__(printf, 4, 5)));
static void
dl_dns_result(struct dl_job *j, uint32_t status, uint32_t code,
    const char *fmt, ...)
{
	char	 msg[NOTIFY_DETAIL_MAX];
	va_list	 ap;

	event_del(j->ev_dns);
	event_del(j->ev_dns_timeout);
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memset(&j->res, 0, sizeof(j->res));
	j->res.status = status;
	j->res.code = code;
	notify_detail(&j->res, j->prefix, "%s", msg);
	j->have_res = 1;
	dl_job_finish(j);
}

static void
dl_dns_read_cb(evutil_socket_t fd, short what, void *arg)
{
	static const char *const rcodes[] = { "NOERROR", "FORMERR",
	    "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED" };
	struct dl_job	*j = arg;
	uint8_t		 buf[1500];
	ssize_t		 n;
	int		 rcode, nans;

	for (;;) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			dl_dns_result(j, IPC_ALERT_RETRY, 0, "DNS: %s",
			    strerror(errno));
			return;
		}
		if (dns_reply_parse(buf, (size_t)n, j->dns_id, j->dns_name,
		    &rcode, &nans) != 0)
			continue;	/* not an answer to our query */
		dl_dns_result(j, rcode == 0 || rcode == 3 ?
		    IPC_ALERT_DELIVERED : IPC_ALERT_RETRY, (uint32_t)rcode,
		    "DNS rcode %d %s, %d answer%s", rcode,
		    rcode < 6 ? rcodes[rcode] : "", nans, nans == 1 ? "" : "s");
		return;
	}
}

static void
dl_dns_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dl_job	*j = arg;

	dl_dns_result(j, IPC_ALERT_RETRY, 0, "DNS timeout after %llu ms",
	    (unsigned long long)dl_timeout_ms(j->dl));
}

static int
dl_dns(struct dl_job *j)
{
	const struct al_config *cfg = j->dl->cfg;
	const struct al_receiver *r = j->r;
	struct sockaddr_storage ss;
	struct timeval	 tv;
	socklen_t	 sslen;
	uint8_t		 q[512];
	char		 policy[128];
	const char	*res, *base;
	ssize_t		 qlen;
	uint64_t	 tmo = dl_timeout_ms(j->dl);

	res = r != NULL && r->resolver != NULL && r->resolver[0] != '\0' ?
	    r->resolver : cfg->dns_resolver != NULL &&
	    cfg->dns_resolver[0] != '\0' ? cfg->dns_resolver : "127.0.0.1:53";
	if (dns_parse_addr(res, 53, &ss, &sslen) != 0) {
		dl_job_fail(j, IPC_ALERT_PERMANENT, "bad resolver address");
		return ERR_PARSE;
	}
	base = r != NULL ? r->dns_name : j->job.target;
	notify_title_policy(policy, sizeof(policy), j->job.title);
	if (base == NULL || dns_canary_name(j->dns_name, sizeof(j->dns_name),
	    j->job.idem_key, base, r != NULL && r->dns_data ? policy : NULL,
	    notify_event_pid(j->job.event_json)) != 0) {
		dl_job_fail(j, IPC_ALERT_PERMANENT, "bad DNS name");
		return ERR_PARSE;
	}
	if (getrandom(&j->dns_id, sizeof(j->dns_id), 0) !=
	    (ssize_t)sizeof(j->dns_id))
		j->dns_id = (uint16_t)dl_now_us();
	if ((qlen = dns_query_build(q, sizeof(q), j->dns_id,
	    j->dns_name)) < 0) {
		dl_job_fail(j, IPC_ALERT_PERMANENT, "bad DNS name");
		return ERR_PARSE;
	}
	if ((j->dns_fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 ||
	    connect(j->dns_fd, (struct sockaddr *)&ss, sslen) == -1 ||
	    send(j->dns_fd, q, (size_t)qlen, 0) != qlen) {
		dl_job_fail(j, IPC_ALERT_RETRY, "DNS: %s", strerror(errno));
		return ERR_SYS;
	}
	if ((j->ev_dns = event_new(j->dl->base, j->dns_fd, EV_READ |
	    EV_PERSIST, dl_dns_read_cb, j)) == NULL ||
	    (j->ev_dns_timeout = evtimer_new(j->dl->base, dl_dns_timeout_cb,
	    j)) == NULL)
		fatalx("event_new");
	tv.tv_sec = (time_t)(tmo / 1000);
	tv.tv_usec = (suseconds_t)(tmo % 1000) * 1000;
	if (event_add(j->ev_dns, NULL) == -1 ||
	    evtimer_add(j->ev_dns_timeout, &tv) == -1)
		fatalx("event_add");
	log_debug("job %llu: DNS A %s", (unsigned long long)j->job.job_id,
	    j->dns_name);
	return 0;
}

/* ---- jobs ---- */

static char *
dl_strdup(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

/*
 * An action's target comes from the collector: only what a loaded policy
 * names is fetched.  1 (and the job failed) if refused.
 */
static int
dl_target_refused(struct dl_job *j, char kind)
{
	struct deliver	*dl = j->dl;

	if (j->job.target[0] == '\0') {
		dl_job_fail(j, IPC_ALERT_PERMANENT, "no target");
		return 1;
	}
	if (!dl->allow.have) {
		/* loaderd sends the list right after the configuration */
		dl_job_fail(j, IPC_ALERT_RETRY, "no target allowlist yet");
		return 1;
	}
	if (notify_allow_has(&dl->allow, kind, j->job.target))
		return 0;
	dl->stats.refused_target++;
	log_warnx("job %llu: %s target not named by any loaded policy, "
	    "refused", (unsigned long long)j->job.job_id, j->prefix);
	dl_job_fail(j, IPC_ALERT_PERMANENT, "target not allowed by the "
	    "loaded policies");
	return 1;
}

void
deliver_set_targets(struct deliver *dl, const char *list)
{
	notify_allow_set(&dl->allow, list);
	log_debug("target allowlist: %zu entries", dl->allow.n);
}

void
deliver_stats(const struct deliver *dl, struct ipc_notify_stats *st)
{
	*st = dl->stats;
}

void
deliver_job(struct deliver *dl, const struct ipc_alert_job *job,
    deliver_done_fn done, void *arg)
{
	const struct al_receiver *r = NULL;
	struct dl_job	*j;
	struct dl_req	*req;
	size_t		 i;
	int		 rc = 0;

	j = xcalloc(1, sizeof(*j));
	j->dl = dl;
	j->done = done;
	j->arg = arg;
	j->dns_fd = -1;
	j->start_us = dl_now_us();
	TAILQ_INIT(&j->reqs);
	j->job.job_id = job->job_id;
	j->job.attempt = job->attempt;
	j->job.count = job->count;
	j->job.receiver = dl_strdup(job->receiver);
	j->job.kind = dl_strdup(job->kind);
	j->job.target = dl_strdup(job->target);
	j->job.idem_key = dl_strdup(job->idem_key);
	j->job.severity = dl_strdup(job->severity);
	j->job.title = dl_strdup(job->title);
	j->job.text = dl_strdup(job->text);
	j->job.event_json = dl_strdup(job->event_json);
	TAILQ_INSERT_TAIL(&dl->jobs, j, entry);
	dl->njobs++;

	if (j->job.receiver[0] == '\0') {
		/* policy action: GetUrl / DnsLookup */
		if (strcmp(j->job.kind, "canary_http") == 0) {
			snprintf(j->prefix, sizeof(j->prefix), "GetUrl");
			if (dl_target_refused(j, IPC_TARGET_URL))
				return;
			req = dl_req_new(j, j->job.target, NULL);
			dl_req_http(req, "GET", NULL);
		} else if (strcmp(j->job.kind, "canary_dns") == 0) {
			snprintf(j->prefix, sizeof(j->prefix), "DnsLookup");
			if (!dl_target_refused(j, IPC_TARGET_DNS))
				(void)dl_dns(j);
			return;
		} else {
			snprintf(j->prefix, sizeof(j->prefix), "action");
			dl_job_fail(j, IPC_ALERT_PERMANENT,
			    "unknown action kind");
			return;
		}
	} else {
		for (i = 0; i < dl->cfg->nreceivers; i++)
			if (strcmp(dl->cfg->receivers[i].name,
			    j->job.receiver) == 0)
				r = &dl->cfg->receivers[i];
		if (r == NULL) {
			snprintf(j->prefix, sizeof(j->prefix), "receiver");
			dl_job_fail(j, IPC_ALERT_PERMANENT,
			    "no receiver of that name in the alerts file");
			return;
		}
		j->r = r;
		switch (r->kind) {
		case AL_SLACK:
			snprintf(j->prefix, sizeof(j->prefix), "slack %s",
			    r->name);
			req = dl_req_new(j, r->url, NULL);
			notify_slack_body(&req->body, &j->job, r->max_length);
			dl_req_http(req, "POST", "application/json");
			break;
		case AL_SMS:
			snprintf(j->prefix, sizeof(j->prefix), "sms %s",
			    r->name);
			rc = dl_sms(j);
			break;
		case AL_EMAIL:
			snprintf(j->prefix, sizeof(j->prefix), "email %s",
			    r->name);
			rc = dl_email(j);
			break;
		case AL_WEBHOOK:
			snprintf(j->prefix, sizeof(j->prefix), "webhook %s",
			    r->name);
			rc = dl_webhook(j);
			break;
		case AL_CANARY_HTTP:
			snprintf(j->prefix, sizeof(j->prefix),
			    "canary_http %s", r->name);
			req = dl_req_new(j, r->url, NULL);
			dl_req_http(req, "GET", NULL);
			break;
		case AL_CANARY_DNS:
			snprintf(j->prefix, sizeof(j->prefix),
			    "canary_dns %s", r->name);
			(void)dl_dns(j);
			return;
		default:
			snprintf(j->prefix, sizeof(j->prefix), "%s",
			    r->name);
			dl_job_fail(j, IPC_ALERT_PERMANENT,
			    "unknown receiver kind");
			return;
		}
	}
	if (rc != 0)
		return;		/* already failed */
	TAILQ_FOREACH(req, &j->reqs, entry)
		dl_req_start(req);
}

size_t
deliver_inflight(const struct deliver *dl)
{
	return dl->njobs;
}

struct deliver *
deliver_new(struct event_base *base, const struct al_config *cfg)
{
	struct deliver	*dl;

	dl = xcalloc(1, sizeof(*dl));
	dl->base = base;
	dl->cfg = cfg;
	TAILQ_INIT(&dl->jobs);
	snprintf(dl->ua, sizeof(dl->ua), "tripline/%s", PACKAGE_VERSION);
	if ((dl->multi = curl_multi_init()) == NULL)
		fatalx("curl_multi_init");
	if ((dl->ev_timer = evtimer_new(base, dl_timer_event_cb, dl)) == NULL)
		fatalx("evtimer_new");
	curl_multi_setopt(dl->multi, CURLMOPT_SOCKETFUNCTION, dl_sock_cb);
	curl_multi_setopt(dl->multi, CURLMOPT_SOCKETDATA, dl);
	curl_multi_setopt(dl->multi, CURLMOPT_TIMERFUNCTION, dl_timer_cb);
	curl_multi_setopt(dl->multi, CURLMOPT_TIMERDATA, dl);
	return dl;
}

void
deliver_free(struct deliver *dl)
{
	struct dl_job	*j;

	if (dl == NULL)
		return;
	while ((j = TAILQ_FIRST(&dl->jobs)) != NULL) {
		TAILQ_REMOVE(&dl->jobs, j, entry);
		dl_job_free(j);
	}
	curl_multi_cleanup(dl->multi);
	event_free(dl->ev_timer);
	notify_allow_clear(&dl->allow);
	free(dl);
}
