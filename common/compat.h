/* common/compat.h -- functions glibc may lack (always compiled, guarded). */
#ifndef TRIPLINE_COMPAT_H
#define TRIPLINE_COMPAT_H

#include <stddef.h>

#ifndef HAVE_STRLCPY
size_t	strlcpy(char *, const char *, size_t);
#endif
#ifndef HAVE_STRLCAT
size_t	strlcat(char *, const char *, size_t);
#endif
#ifndef HAVE_FREEZERO
void	freezero(void *, size_t);
#endif
#ifndef HAVE_CLOSEFROM
void	closefrom(int);
#endif

#endif
