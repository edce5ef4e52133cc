/*
 * common/config.h -- tripline.yaml (trusted; parsed by loaderd only).
 *
 * Strict: unknown keys, duplicate keys and wrong scalar types are errors
 * reported as "file:line:col: message" (libyaml marks, 1-based).
 */
#ifndef TRIPLINE_CONFIG_H
#define TRIPLINE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "config_syslog.h"

#define CONFIG_DEFAULT_RINGBUF	(8U * 1024 * 1024)
#define CONFIG_DEFAULT_ALERTS	PKG_CONFDIR "/alerts.yaml"
#define CONFIG_DEFAULT_MIN_FREE	(64ULL * 1024 * 1024)

struct tripline_config {
	char		*state_dir;	/* state_dir: default PKG_STATEDIR */
	char		*node_name;	/* node_name: default gethostname() */
	char		*collector_user;/* users.collector: "tripline" */
	char		*notifier_user;	/* users.notifier: "tripline-notify" */
	uint64_t	 ringbuf_size;	/* ring_buffer_size: bytes, power of 2
					   4096..1G; accepts K/M/G suffix */
	int		 sandbox_mode;	/* sandbox: enforce|trap|log|off */
	int		 export_json;	/* export.json: bool, default true */
	uint64_t	 export_max_size; /* export.max_size: rotate
					   events.jsonl at this size; 0 none */
	uint32_t	 export_keep;	/* export.keep: rotated files kept,
					   1..100, default 5 */
	uint32_t	 batch_ms;	/* store.batch_ms: default 200 */
	uint32_t	 batch_rows;	/* store.batch_rows: default 10000 */
	uint64_t	 max_age_s;	/* retention.max_age: seconds of events
					   kept in events.db; 0 (none): all */
	uint64_t	 max_size;	/* retention.max_size: bytes events.db
					   may use (docs/schema.md); 0: none */
	uint64_t	 min_free;	/* store.min_free: bytes that must stay
					   free in the state directory's file
					   system (0: no watermark) ... */
	uint32_t	 min_free_pct;	/* ... or a percentage of it (1..50;
					   0: min_free is in bytes) */
	char		*alerts_file;	/* alerts_file: absolute path, default
					   CONFIG_DEFAULT_ALERTS (a missing
					   default file means no receivers);
					   "none": NULL, alert delivery off */
	char		*metrics_file;	/* metrics.file: absolute path of the
					   Prometheus text file; NULL: none */
	uint32_t	 metrics_interval_s; /* metrics.interval_s: 15 */
	struct config_syslog syslog;	/* syslog: (config_syslog.h) */
	int		 expose_stack_addresses; /* expose_stack_addresses:
					   bool, default false: stack trace
					   frames carry their address */
};

/* Fill defaults (allocates strings). */
void	config_defaults(struct tripline_config *);
/* Load path over the defaults already in cfg.  0, or ERR_PARSE with a
 * "file:line:col: message" in err, or ERR_SYS (cannot open: message in
 * err too). */
int	config_load(const char *path, struct tripline_config *cfg, char *err,
	    size_t errlen);
void	config_clear(struct tripline_config *);

#endif
