/*
 * tests/fuzz/fuzz_smtp.c -- what notifierd makes of an SMTP server's
 * replies.  libcurl parses the protocol (reply codes, multi-line replies,
 * EHLO capabilities); tripline keeps the last reply line it is shown
 * (dl_smtp_reply_line) and turns that text and the code libcurl reports
 * into the result (notify_smtp_outcome).
 *
 * Input: bytes 0..1 the reply code libcurl reports (big endian), then the
 * reply lines.
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notifierd.h"
#include "tests/fuzz/fuzz_lines.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct notify_result res;
	const char	*p = (const char *)data, *end, *nl;
	char		 reply[160];
	long		 code;

	if (len < 2)
		return 0;
	code = (long)data[0] << 8 | data[1];
	p += 2;
	end = (const char *)data + len;
	reply[0] = '\0';
	while (p < end) {
		nl = fuzz_line_end(p, end);
		dl_smtp_reply_line(reply, sizeof(reply), p, (size_t)(nl - p));
		p = nl;
	}
	notify_smtp_outcome(&res, code, reply, "fuzz");
	return 0;
}
