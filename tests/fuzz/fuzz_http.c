/*
 * tests/fuzz/fuzz_http.c -- what notifierd makes of an HTTP response.
 * libcurl parses the status line and splits the headers; tripline keeps
 * Retry-After from the header lines (dl_header_line), parses its value
 * (notify_retry_after: delta-seconds or an HTTP date, capped at 24 h) and
 * judges status and body per receiver kind (notify_http_outcome: Slack's
 * "ok", Twilio, Vonage's JSON status, a generic SMS success rule).
 *
 * Input: byte 0 picks the receiver, bytes 1..2 the status code (big
 * endian), then header lines ending at an empty line, then the body.
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "err.h"
#include "notifierd.h"
#include "tests/fuzz/fuzz_lines.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NOW		((time_t)1700000000)
#define DAY_MS		(24ULL * 3600 * 1000)

static uint32_t	ok_status[] = { 200, 202 };
static char	ok_body[] = "queued";
static const struct al_receiver rcv[] = {
	{ .kind = AL_SLACK },
	{ .kind = AL_SMS, .provider = AL_SMS_TWILIO },
	{ .kind = AL_SMS, .provider = AL_SMS_VONAGE },
	{ .kind = AL_SMS, .provider = AL_SMS_GENERIC, .ok_status = ok_status,
	    .nok_status = 2, .ok_body = ok_body },
	{ .kind = AL_SMS, .provider = AL_SMS_GENERIC, .ok_body = ok_body },
	{ .kind = AL_WEBHOOK },
};
#define NRCV	(sizeof(rcv) / sizeof(rcv[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const struct al_receiver *r;
	struct notify_result res;
	const char	*p = (const char *)data, *end, *nl;
	char		 retry_after[64];
	uint64_t	 ms;
	long		 code;

	if (len < 3)
		return 0;
	/* one more choice than receivers: an action job (no receiver) */
	r = data[0] % (NRCV + 1) < NRCV ? &rcv[data[0] % (NRCV + 1)] : NULL;
	code = (long)data[1] << 8 | data[2];
	p += 3;
	end = (const char *)data + len;
	retry_after[0] = '\0';
	while (p < end) {
		nl = fuzz_line_end(p, end);
		if (nl - p <= 2 && (*p == '\r' || *p == '\n')) {
			p = nl;
			break;		/* the empty line: the body follows */
		}
		dl_header_line(retry_after, sizeof(retry_after), p,
		    (size_t)(nl - p));
		p = nl;
	}
	if (retry_after[0] != '\0' &&
	    notify_retry_after(retry_after, NOW, &ms) == 0 && ms > DAY_MS)
		abort();
	notify_http_outcome(&res, r, code, p, (size_t)(end - p),
	    retry_after[0] != '\0' ? retry_after : NULL, NOW, "fuzz");
	if (res.retry_after_ms > DAY_MS)
		abort();
	return 0;
}
