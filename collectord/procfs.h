/*
 * collectord/procfs.h -- discovery of processes that were running before
 * the collector started.
 *
 * Two phases so that nothing from /proc is parsed with privileges:
 * procfs_read() copies raw bytes (stat, status, loginuid, cmdline and the
 * exe and cwd links of every /proc/[0-9]*) while still root, before the
 * privilege drop; procfs_parse() turns them into pcache templates after it.
 */
#ifndef TRIPLINE_PROCFS_H
#define TRIPLINE_PROCFS_H

#include <stddef.h>
#include <stdint.h>

struct proc;

struct procfs_raw {
	uint32_t	 pid;
	char		*stat;		/* NUL-terminated copies, or NULL */
	char		*status;
	char		*loginuid;
	char		*cmdline;	/* NUL separated, cmdline_len bytes */
	size_t		 cmdline_len;
	int		 cmdline_trunc;	/* longer than EV_ARGS_MAX */
	char		*exe;		/* readlink, NULL on error */
	char		*cwd;		/* readlink, NULL on error */
};

struct procfs_snap {
	struct procfs_raw *v;
	size_t		 n;
};

/* Raw read of every numeric entry of procdir ("/proc").  Processes that
 * vanish meanwhile are skipped.  0 or ERR_SYS (procdir unreadable). */
int	procfs_read(struct procfs_snap **, const char *procdir);
void	procfs_snap_free(struct procfs_snap *);

/*
 * Parse the snapshot into templates for pcache_insert(), ordered so that
 * every parent comes before its children.  ktime = starttime (field 22 of
 * stat, clock ticks) * (1e9 / clk_tck); ppid = field 4; the parent key's
 * ktime is the parent's starttime (0/none when the parent is not in the
 * snapshot, e.g. for pids 1 and 2).  flags: procFS (+ rootcwd, errorCWD,
 * errorFilename, truncArgs).  Kernel threads (empty cmdline) get binary
 * "[comm]".  Unparsable entries are skipped and counted in *bad.
 * Returns the templates (free with procfs_procs_free) and their count.
 */
struct proc *procfs_parse(const struct procfs_snap *, long clk_tck,
	    const char *node, size_t *n, size_t *bad);
void	procfs_procs_free(struct proc *, size_t n);

#endif
