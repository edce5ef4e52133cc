/* loaderd/privs.h -- loaderd's capabilities and trusted paths. */
#ifndef TRIPLINE_PRIVS_H
#define TRIPLINE_PRIVS_H

#include <sys/types.h>
#include <stddef.h>

#include "sandbox.h"

/* The capabilities loaderd keeps after the BPF load (see privs.c). */
extern const int	privs_keep[];
extern const size_t	privs_nkeep;

/* Effective, permitted and bounding sets to those of privs_keep loaderd
 * holds; ambient and inheritable empty.  0 or ERR_SYS. */
int	privs_trim(void);

/*
 * A child binary loaderd may exec: after resolving symlinks, a regular
 * file owned by root and not writable by group or others, in directories
 * (up to /) of which the same holds.  0, ERR_PERM or ERR_SYS, with the
 * reason in err.
 */
int	privs_check_binary(const char *path, char *err, size_t errlen);

/*
 * mkdir(path, mode) if missing, then (on an fd opened with O_NOFOLLOW, so
 * a symlink is refused: ENOTDIR or ELOOP) owner root and mode.  0 or
 * ERR_SYS.
 */
int	privs_mkdir(const char *path, mode_t mode);

/* sandbox_rules.c: loaderd's seccomp table (applied by loaderd.c) */

extern const struct sandbox_rule loaderd_rules[];
extern const size_t loaderd_nrules;

#endif
