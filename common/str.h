/* common/str.h -- string helpers: escaping, JSON, base64, growable buffer. */
#ifndef TRIPLINE_STR_H
#define TRIPLINE_STR_H

#include <stddef.h>
#include <stdint.h>

/*
 * Escape len bytes of src for human-facing output (logs, terminal): printable
 * ASCII is kept, \n \t \r \\ become C escapes, everything else \xNN (so
 * every byte of a non-ASCII character, C1 and bidi controls too).  Always
 * NUL-terminates dst (if dstsz > 0).  Returns the length written.
 */
size_t	str_escape(char *dst, size_t dstsz, const char *src, size_t len);
/*
 * Length (2..4) of the valid UTF-8 sequence at s (at most len bytes), its
 * code point in *cp; 0 if s[0] does not start one (an ASCII byte, a stray
 * continuation byte, an overlong form, a surrogate, above U+10FFFF, cut
 * short).
 */
size_t	str_utf8_seq(const void *s, size_t len, uint32_t *cp);
/*
 * 1 if code point cp must never reach a reader raw: C0 controls and DEL,
 * C1 controls (U+0080..U+009F), the bidirectional formatting characters
 * (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) and the line
 * and paragraph separators U+2028, U+2029.
 */
int	str_cp_is_ctrl(uint32_t cp);
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
/* Room for more bytes (and the NUL) after len: a writer may then fill
 * buf + len directly and move len (and keep the NUL) itself. */
void	sbuf_reserve(struct sbuf *, size_t more);

static inline void
sbuf_addc(struct sbuf *sb, char c)
{
	if (sb->len + 2 > sb->cap)
		sbuf_reserve(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

void	sbuf_adds(struct sbuf *, const char *);
void	sbuf_addf(struct sbuf *, const char *, ...)
	    __attribute__((__format__(printf, 2, 3)));
/* Append a JSON string literal (with quotes) of len bytes of s; control
 * characters (str_cp_is_ctrl) escaped, invalid UTF-8 bytes replaced by
 * U+FFFD (jw_add_str). */
void	sbuf_add_json_str(struct sbuf *, const char *s, size_t len);
/*
 * Append len bytes of s for a terminal, keeping what the text is: '\n',
 * '\t', printable ASCII and valid UTF-8 stay as they are; a code point
 * str_cp_is_ctrl() names becomes \uXXXX, any other control byte or a
 * byte of invalid UTF-8 \xNN.  For multi-line text a trusted peer
 * rendered (loaderd's status and policy tables).
 */
void	sbuf_add_term(struct sbuf *, const char *s, size_t len);
/* Append str_escape() of len bytes of s (any length). */
void	sbuf_add_esc(struct sbuf *, const char *s, size_t len);

/* Standard base64 with padding.  dst needs 4*((len+2)/3)+1 bytes.
 * Returns output length or (size_t)-1 if dstsz is too small. */
size_t	base64_encode(char *dst, size_t dstsz, const void *src, size_t len);

/* Format ns since the Unix epoch as "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ".
 * dst must hold at least 32 bytes. */
void	str_iso_time(char *dst, size_t dstsz, uint64_t unix_ns);
#define STR_ISO_TIME_LEN	30
/* The same STR_ISO_TIME_LEN bytes at dst, no NUL; returns dst + 30. */
char	*str_iso_time_put(char *dst, uint64_t unix_ns);

#endif
