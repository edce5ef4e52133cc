/*
 * tests/unit/notify_srv.h -- tiny loopback servers for the notifier tests:
 * HTTP (scripted status/headers/body per path prefix), SMTP (scripted RCPT
 * replies) and DNS (answers NXDOMAIN), each on 127.0.0.1 in a thread of
 * the test process, recording what it received.
 */
#ifndef TRIPLINE_NOTIFY_SRV_H
#define TRIPLINE_NOTIFY_SRV_H

#include <stdint.h>

enum nsrv_kind { NSRV_HTTP, NSRV_SMTP, NSRV_DNS };

struct nsrv_req {
	char	*method;	/* HTTP method; SMTP: "SMTP"; DNS: "A" */
	char	*path;		/* HTTP path; DNS: the name asked */
	char	*headers;	/* HTTP header block; SMTP: client commands */
	char	*body;		/* HTTP body; SMTP: the DATA */
};

struct nsrv;

struct nsrv	*nsrv_start(enum nsrv_kind);
uint16_t	 nsrv_port(struct nsrv *);
/* HTTP: answer requests whose path starts with prefix (latest script
 * that matches wins; default 200 "ok").  extra = header lines with CRLF. */
void		 nsrv_script(struct nsrv *, const char *prefix, int status,
		    const char *extra, const char *body, int delay_ms);
/* SMTP: RCPT TO addresses containing match get reply (e.g. "550 5.1.1
 * no"). */
void		 nsrv_smtp_rcpt(struct nsrv *, const char *match,
		    const char *reply);
int		 nsrv_count(struct nsrv *);
/* Copy of request i (free with nsrv_req_free); waits up to 5 s for it. */
int		 nsrv_get(struct nsrv *, int i, struct nsrv_req *);
void		 nsrv_req_free(struct nsrv_req *);
void		 nsrv_stop(struct nsrv *);

#endif
