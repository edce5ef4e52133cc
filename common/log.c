/*
 * common/log.c -- logging to stderr; every line names the process.  When
 * stderr is the journal's stream ($JOURNAL_STREAM names it), each line
 * starts with its sd-daemon priority ("<3>"), which journald turns into the
 * entry's priority; anywhere else (a terminal, a file) lines are plain.
 */
#include "build.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sdnotify.h"
#include "str.h"

static int	 log_journal;
static int	 log_verbose;
static char	 log_procname[32] = "tripline";

void
log_init(int debug, int verbose)
{
	(void)debug;
	log_journal = sdnotify_is_journal(getenv("JOURNAL_STREAM"),
	    STDERR_FILENO);
	log_verbose = verbose;
}

void
log_procinit(const char *procname)
{
	if (procname != NULL)
		snprintf(log_procname, sizeof(log_procname), "%s", procname);
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return log_verbose;
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 msg[2048], esc[4096];
	int	 saved_errno = errno;

	if (pri == LOG_DEBUG && log_verbose < 1) {
		errno = saved_errno;
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* never let a message carry control characters to the terminal */
	str_escape(esc, sizeof(esc), msg, strlen(msg));
	if (log_journal)
		fprintf(stderr, "<%d>%s: %s\n", pri, log_procname, esc);
	else
		fprintf(stderr, "%s: %s\n", log_procname, esc);
	fflush(stderr);
	errno = saved_errno;
}

static void
logit(int pri, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *emsg, ...)
{
	char	 buf[1024];
	va_list	 ap;
	int	 saved_errno = errno;

	va_start(ap, emsg);
	vsnprintf(buf, sizeof(buf), emsg, ap);
	va_end(ap);
	logit(LOG_ERR, "%s: %s", buf, strerror(saved_errno));
	errno = saved_errno;
}

void
log_warnx(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vlog(LOG_ERR, emsg, ap);
	va_end(ap);
}

void
log_info(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vlog(LOG_INFO, emsg, ap);
	va_end(ap);
}

void
log_debug(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vlog(LOG_DEBUG, emsg, ap);
	va_end(ap);
}

static __dead void
vfatalc(int code, const char *emsg, va_list ap)
{
	char	 buf[1024];

	vsnprintf(buf, sizeof(buf), emsg, ap);
	if (code)
		logit(LOG_CRIT, "fatal: %s: %s", buf, strerror(code));
	else
		logit(LOG_CRIT, "fatal: %s", buf);
	exit(1);
}

void
fatal(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vfatalc(errno, emsg, ap);
	va_end(ap);
}

void
fatalx(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vfatalc(0, emsg, ap);
	va_end(ap);
}
