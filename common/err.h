/* common/err.h -- negative error codes returned by common/ modules. */
#ifndef TRIPLINE_ERR_H
#define TRIPLINE_ERR_H

enum {
	ERR_OK = 0,
	ERR_NOMEM = -1,		/* allocation failed */
	ERR_PROTO = -2,		/* peer violated the protocol */
	ERR_TRUNC = -3,		/* message or record truncated */
	ERR_RANGE = -4,		/* value out of range */
	ERR_SYS = -5,		/* system call failed, see errno */
	ERR_VERSION = -6,	/* unknown protocol/ABI version */
	ERR_TYPE = -7,		/* unknown message/record type */
	ERR_FD = -8,		/* unexpected or missing file descriptor */
	ERR_TOOBIG = -9,	/* message larger than allowed */
	ERR_EOF = -10,		/* peer closed the connection */
	ERR_AGAIN = -11,	/* would block */
	ERR_PARSE = -12,	/* malformed input */
	ERR_NOTFOUND = -13,	/* no such entry */
	ERR_EXISTS = -14,	/* entry exists */
	ERR_DB = -15,		/* SQLite error */
	ERR_UNSUPP = -16,	/* not supported by this kernel/build */
	ERR_PERM = -17,		/* unsafe ownership or permissions */
	ERR_MAX_ = -18
};

const char *err_str(int r);

#endif
