/* tests/fuzz/fuzz_lines.h -- split a fuzz input into lines as a network
 * library hands them to a callback: each with its "\n" (the last may
 * have none). */
#ifndef TRIPLINE_FUZZ_LINES_H
#define TRIPLINE_FUZZ_LINES_H

#include <string.h>

/* The line at p (before end): returns its end, just past its '\n'. */
static inline const char *
fuzz_line_end(const char *p, const char *end)
{
	const char	*nl = memchr(p, '\n', (size_t)(end - p));

	return nl != NULL ? nl + 1 : end;
}

#endif
