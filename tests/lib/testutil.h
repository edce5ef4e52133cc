/* tests/lib/testutil.h -- helpers shared by the unit tests. */
#ifndef TRIPLINE_TESTUTIL_H
#define TRIPLINE_TESTUTIL_H

#include <sys/types.h>

/* mkdtemp under $TMPDIR (or /tmp); returns malloc'd path. */
char	*testutil_tmpdir(const char *tag);
/* rm -rf of a directory made by testutil_tmpdir (best effort). */
void	 testutil_rmtree(const char *path);
/* Fork, reset signal dispositions, run fn(arg) in the child and _exit with
 * its return; returns the raw wait status. */
int	 testutil_fork_status(int (*fn)(void *), void *arg);
/* Open descriptors of this process (entries of /proc/self/fd, the one
 * reading them included), or -1. */
int	 testutil_count_fds(void);

/* Why BPF tests cannot run here ("not root", "bpf() unavailable"), or
 * NULL.  In testutil_bpf.c: only tests that link libbpf may call it. */
const char *testutil_bpf_unavailable(void);

#endif
