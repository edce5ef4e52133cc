/*
 * tests/fuzz/fuzz_dns.c -- a DNS reply to a canary lookup as notifierd
 * checks it (dns_reply_parse: id, QR, opcode, the one question echoed,
 * then rcode and answer count), for the query dns_query_build made.
 *
 * Input: the reply datagram.  The query is for NAME with id 0x2a2a.
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>

#include "notifierd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NAME	"abcdef0123.mfrggzdfmztwq2lk.canary.example.org"
#define ID	0x2a2a

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	int	 rcode = -1, nanswers = -1;

	if (dns_reply_parse(data, len, ID, NAME, &rcode, &nanswers) == 0 &&
	    (rcode < 0 || rcode > 15 || nanswers < 0 || nanswers > 65535))
		abort();
	return 0;
}
