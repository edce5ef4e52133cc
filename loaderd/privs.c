/*
 * loaderd/privs.c -- what loaderd keeps, and the checks on what it trusts
 * on disk: the children's binaries (-X) and the state directory.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "privs.h"

/*
 * After the BPF load loaderd needs: CAP_BPF and CAP_PERFMON (load and
 * attach the programs of a policy added at run time: kprobes, uprobes,
 * tracepoints, fentry, LSM), CAP_SYS_ADMIN (perf_event_open of a uprobe
 * fails with EACCES without it, 6.18), CAP_NET_ADMIN (cgroup sock_addr
 * programs) and CAP_KILL (the children run under other uids; READY and
 * health deadlines SIGKILL them).  No SETUID/SETGID (the children drop their uid themselves, and
 * get their capabilities from the spawner's exec as root, not from
 * loaderd), no DAC_* (everything loaderd opens later belongs to root).
 */
const int privs_keep[] = {
	CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_KILL,
};
const size_t privs_nkeep = sizeof(privs_keep) / sizeof(privs_keep[0]);

int
privs_trim(void)
{
	int	 held[sizeof(privs_keep) / sizeof(privs_keep[0])];
	size_t	 i;

	/* keep only what we hold (a service manager may have bounded the
	 * set more tightly): asking capset for more fails */
	if (capng_get_caps_process() != 0)
		return ERR_SYS;
	for (i = 0; i < privs_nkeep; i++)
		held[i] = capng_have_capability(CAPNG_PERMITTED,
		    (unsigned int)privs_keep[i]);
	capng_clear(CAPNG_SELECT_BOTH);
	for (i = 0; i < privs_nkeep; i++)
		if (held[i] && capng_update(CAPNG_ADD, CAPNG_EFFECTIVE |
		    CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
		    (unsigned int)privs_keep[i]) != 0)
			return ERR_SYS;
	/* the bounding set first (CAP_SETPCAP is still held), then the
	 * sets */
	if (capng_apply(CAPNG_SELECT_BOTH) != 0) {
		errno = EPERM;
		return ERR_SYS;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL)
		return ERR_SYS;
	return 0;
}

/* root-owned and not writable by group or others */
static int
privs_safe_stat(const struct stat *st)
{
	return st->st_uid == 0 && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/*
 * A root-owned sticky directory (/tmp) may be writable by others: they
 * can add entries but not rename or remove root's, and the next component
 * of the path is checked to be root's alone.
 */
static int
privs_sticky_root(const struct stat *st)
{
	return st->st_uid == 0 && (st->st_mode & S_ISVTX) != 0;
}

int
privs_check_binary(const char *path, char *err, size_t errlen)
{
	char		 real[PATH_MAX], *slash;
	struct stat	 st;

	if (realpath(path, real) == NULL || stat(real, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ERR_SYS;
	}
	if (!S_ISREG(st.st_mode) || !privs_safe_stat(&st)) {
		snprintf(err, errlen, "%s: not a regular file owned by root "
		    "and writable by root only", real);
		return ERR_PERM;
	}
	/* every directory up to / (sshd's safe_path) */
	while ((slash = strrchr(real, '/')) != NULL) {
		*(slash == real ? slash + 1 : slash) = '\0';
		if (stat(real, &st) == -1) {
			snprintf(err, errlen, "%s: %s", real, strerror(errno));
			return ERR_SYS;
		}
		if (!S_ISDIR(st.st_mode) || (!privs_safe_stat(&st) &&
		    !privs_sticky_root(&st))) {
			snprintf(err, errlen, "%s (directory of %s): not "
			    "owned by root or writable by group or others",
			    real, path);
			return ERR_PERM;
		}
		if (slash == real)
			break;
	}
	return 0;
}

int
privs_mkdir(const char *path, mode_t mode)
{
	struct stat	 st;
	int		 fd, r = 0, saved;

	if (mkdir(path, mode) == -1 && errno != EEXIST)
		return ERR_SYS;
	/* never through a symlink: chown would follow it */
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return ERR_SYS;
	if (fstat(fd, &st) == -1 ||
	    (st.st_uid != 0 && fchown(fd, 0, 0) == -1) ||
	    fchmod(fd, mode) == -1)
		r = ERR_SYS;
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}
