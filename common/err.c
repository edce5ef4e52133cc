/* common/err.c */
#include "build.h"

#include <errno.h>
#include <string.h>

#include "err.h"

const char *
err_str(int r)
{
	switch (r) {
	case ERR_OK:		return "success";
	case ERR_NOMEM:		return "out of memory";
	case ERR_PROTO:		return "protocol error";
	case ERR_TRUNC:		return "truncated";
	case ERR_RANGE:		return "value out of range";
	case ERR_SYS:		return strerror(errno);
	case ERR_VERSION:	return "unsupported version";
	case ERR_TYPE:		return "unknown type";
	case ERR_FD:		return "unexpected or missing file descriptor";
	case ERR_TOOBIG:	return "message too large";
	case ERR_EOF:		return "connection closed";
	case ERR_AGAIN:		return "would block";
	case ERR_PARSE:		return "malformed input";
	case ERR_NOTFOUND:	return "not found";
	case ERR_EXISTS:	return "already exists";
	case ERR_DB:		return "database error";
	case ERR_UNSUPP:	return "not supported";
	case ERR_PERM:		return "unsafe ownership or permissions";
	default:		return "unknown error";
	}
}
