/*
 * loaderd/metrics.h -- Prometheus metrics: status --prometheus and the
 * textfile (metrics.file).  See metrics.c.
 */
#ifndef TRIPLINE_LOADERD_METRICS_H
#define TRIPLINE_LOADERD_METRICS_H

struct loaderd_env;

/* The text exposition of the current figures (malloc'd); up: the value
 * of tripline_up. */
char	*metrics_render(struct loaderd_env *, int up);
/* Rewrite metrics.file (if set) atomically; failures are logged once. */
void	 metrics_write(struct loaderd_env *, int up);
/* Write now and every metrics.interval_s; 0 or ERR_SYS. */
int	 metrics_start(struct loaderd_env *);
/* Stop the timer and leave the file with tripline_up 0. */
void	 metrics_stop(struct loaderd_env *);

#endif
