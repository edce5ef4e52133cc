/* common/log.h -- OpenBSD-style logging for all tripline processes. */
#ifndef TRIPLINE_LOG_H
#define TRIPLINE_LOG_H

#include <stdarg.h>

#ifndef __dead
#define __dead __attribute__((__noreturn__))
#endif

/* Lines go to stderr, with "<N>" sd-daemon priority prefixes when stderr
 * is the journal ($JOURNAL_STREAM), plain otherwise; debug is kept for the
 * callers' -d (foreground) but no longer changes the format.  verbose: 0
 * info, 1+ debug. */
void	log_init(int debug, int verbose);
void	log_procinit(const char *procname);
void	log_setverbose(int verbose);
int	log_getverbose(void);
void	log_warn(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	vlog(int pri, const char *, va_list) __attribute__((__format__(printf, 2, 0)));
__dead void fatal(const char *, ...) __attribute__((__format__(printf, 1, 2)));
__dead void fatalx(const char *, ...) __attribute__((__format__(printf, 1, 2)));

/* OpenSSH-style: prefix the function name. */
#define log_warn_f(fmt, ...)	log_warn("%s: " fmt, __func__, ##__VA_ARGS__)
#define log_warnx_f(fmt, ...)	log_warnx("%s: " fmt, __func__, ##__VA_ARGS__)
#define log_debug_f(fmt, ...)	log_debug("%s: " fmt, __func__, ##__VA_ARGS__)
#define fatal_f(fmt, ...)	fatal("%s: " fmt, __func__, ##__VA_ARGS__)
#define fatalx_f(fmt, ...)	fatalx("%s: " fmt, __func__, ##__VA_ARGS__)
/* _r variants append err_str(r). */
#define log_warnx_r(r, fmt, ...) log_warnx(fmt ": %s", ##__VA_ARGS__, err_str(r))
#define fatalx_r(r, fmt, ...)	fatalx(fmt ": %s", ##__VA_ARGS__, err_str(r))

#endif
