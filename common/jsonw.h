/*
 * common/jsonw.h -- a small JSON writer into a growable buffer.
 *
 * Objects and arrays nest; commas are written where they belong, so the
 * caller only says what comes next.  Strings are escaped (control
 * characters as \n \t \r or \u00XX, C1 and bidi controls as \uXXXX,
 * invalid UTF-8 bytes as U+FFFD, '/' kept), numbers are formatted without printf.  The writer appends to the
 * sbuf it is given and never truncates it: a document can follow other
 * text in the same buffer (a JSON line after the previous ones).
 *
 *	jw_init(&w, &sb);
 *	jw_obj(&w);
 *	jw_kstr(&w, "name", "tee");	=> {"name":"tee","pid":42,"args":[1]}
 *	jw_kuint(&w, "pid", 42);
 *	jw_karr(&w, "args");
 *	jw_int(&w, 1);
 *	jw_end(&w);
 *	jw_end(&w);
 */
#ifndef TRIPLINE_JSONW_H
#define TRIPLINE_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "str.h"

#define JW_DEPTH_MAX	32

struct jsonw {
	struct sbuf	*sb;
	uint32_t	 depth;		/* open containers */
	uint32_t	 more;		/* bit d: container d has a member */
	uint32_t	 arr;		/* bit d: container d is an array */
	int		 key;		/* a key was written: its value next */
};

void	jw_init(struct jsonw *, struct sbuf *);

/* Values (an array element, the value after a key, or a document). */
void	jw_obj(struct jsonw *);			/* { */
void	jw_arr(struct jsonw *);			/* [ */
void	jw_end(struct jsonw *);			/* } or ] of the innermost */
void	jw_str(struct jsonw *, const char *);	/* NULL: null */
void	jw_strn(struct jsonw *, const void *, size_t);
void	jw_int(struct jsonw *, int64_t);
void	jw_uint(struct jsonw *, uint64_t);
/* A 64-bit number as a JSON string ("123": protojson's int64/uint64). */
void	jw_int_str(struct jsonw *, int64_t);
void	jw_uint_str(struct jsonw *, uint64_t);
void	jw_bool(struct jsonw *, int);
void	jw_null(struct jsonw *);
/* A value rendered elsewhere, copied as is (must be valid JSON). */
void	jw_raw(struct jsonw *, const char *);
void	jw_rawn(struct jsonw *, const char *, size_t);

/* A member's key (escaped); its value follows. */
void	jw_key(struct jsonw *, const char *);
/* key + value in one call. */
void	jw_kobj(struct jsonw *, const char *);
void	jw_karr(struct jsonw *, const char *);
void	jw_kstr(struct jsonw *, const char *, const char *);
void	jw_kstrn(struct jsonw *, const char *, const void *, size_t);
/* The member only if the string is not NULL and not "" (protojson omits
 * empty strings). */
void	jw_kstr_opt(struct jsonw *, const char *, const char *);
void	jw_kint(struct jsonw *, const char *, int64_t);
void	jw_kuint(struct jsonw *, const char *, uint64_t);
void	jw_kbool(struct jsonw *, const char *, int);
void	jw_knull(struct jsonw *, const char *);
void	jw_kraw(struct jsonw *, const char *, const char *);

/*
 * Append the JSON string literal (with quotes) of len bytes of s to sb:
 * '"' and '\\' escaped, \n \t \r as such, other control characters and
 * DEL as \u00XX, the code points str_cp_is_ctrl() names (C1 controls
 * U+0080..U+009F, bidi controls, U+2028/U+2029) as \uXXXX, other valid
 * UTF-8 kept, each byte of invalid UTF-8 as \ufffd.  The output is
 * printable ASCII plus UTF-8 that cannot move a terminal's cursor or
 * reorder text.
 */
void	jw_add_str(struct sbuf *, const void *s, size_t len);
/*
 * Append len bytes of JSON text (JSON lines a reader did not write) with
 * the same guarantee: '\n' and printable ASCII kept, the other control
 * characters and the code points str_cp_is_ctrl() names as \uXXXX, each
 * byte of invalid UTF-8 as \ufffd.  Output of jw_add_str() passes
 * unchanged; inside a string literal the meaning is kept.
 */
void	jw_sanitize(struct sbuf *, const void *s, size_t len);

/*
 * Writers into a buffer with room (a caller that renders in bulk sizes
 * the room once, with sbuf_reserve): each returns the end of what it
 * wrote, no NUL.  jw_put_str writes what jw_add_str appends, at most
 * JW_STR_MAX(len) bytes; the numbers at most 20 bytes (21 with a sign).
 */
#define JW_STR_MAX(len)	(6 * (size_t)(len) + 2)
char	*jw_put_str(char *d, const void *s, size_t len);
char	*jw_put_uint(char *d, uint64_t v);
char	*jw_put_int(char *d, int64_t v);

/*
 * The one reader the daemons need (tags and other documents tripline
 * wrote itself): call fn for each string of a JSON array of strings,
 * unescaped (\u escapes of surrogates become U+FFFD).  Stops when fn
 * returns non-zero and returns that; a malformed array stops the walk
 * and returns 0.
 */
int	jw_strings_each(const char *json, int (*fn)(const char *, void *),
	    void *arg);

#endif
