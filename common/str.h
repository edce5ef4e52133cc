/* common/str.h -- string helpers: escaping, JSON, base64, growable buffer. */
#ifndef TRIPLINE_STR_H
#define TRIPLINE_STR_H

#include <stddef.h>
#include <stdint.h>

/*
 * Escape len bytes of src for human-facing output (logs, terminal): printable
 * ASCII is kept, \n \t \r \\ become C escapes, everything else \xNN.  Always
 * NUL-terminates dst (if dstsz > 0).  Returns the length written.
 */
size_t	str_escape(char *dst, size_t dstsz, const char *src, size_t len);
/* 1 if v is 1..maxlen of letters, digits, '.', '-', '_' (not first). */
int	str_is_name(const char *v, size_t maxlen);

/* Growable byte buffer, always NUL-terminated.  Dies on OOM (xmalloc). */
struct sbuf {
	char	*buf;
	size_t	 len;
	size_t	 cap;
};
void	sbuf_init(struct sbuf *);
void	sbuf_clear(struct sbuf *);		/* frees */
void	sbuf_reset(struct sbuf *);		/* len = 0, keeps memory */
void	sbuf_add(struct sbuf *, const void *, size_t);
void	sbuf_addc(struct sbuf *, char);
void	sbuf_adds(struct sbuf *, const char *);
void	sbuf_addf(struct sbuf *, const char *, ...)
	    __attribute__((__format__(printf, 2, 3)));
/* Append a JSON string literal (with quotes) of len bytes of s; control
 * characters escaped, invalid UTF-8 bytes replaced by U+FFFD. */
void	sbuf_add_json_str(struct sbuf *, const char *s, size_t len);

/* Standard base64 with padding.  dst needs 4*((len+2)/3)+1 bytes.
 * Returns output length or (size_t)-1 if dstsz is too small. */
size_t	base64_encode(char *dst, size_t dstsz, const void *src, size_t len);

/* Format ns since the Unix epoch as "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ".
 * dst must hold at least 32 bytes. */
void	str_iso_time(char *dst, size_t dstsz, uint64_t unix_ns);

#endif
