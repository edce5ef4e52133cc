/* common/xmalloc.h -- die-on-OOM wrappers (the only fatal in common/). */
#ifndef TRIPLINE_XMALLOC_H
#define TRIPLINE_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t) __attribute__((__malloc__, __alloc_size__(1)));
void	*xcalloc(size_t, size_t) __attribute__((__malloc__));
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *) __attribute__((__nonnull__(1)));
char	*xstrndup(const char *, size_t) __attribute__((__nonnull__(1)));
int	 xasprintf(char **, const char *, ...)
	    __attribute__((__format__(printf, 2, 3), __nonnull__(2)));

#endif
