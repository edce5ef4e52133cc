/*
 * tests/fuzz/fuzz_ipc_msg.c -- one IPC datagram as a peer sends it: the
 * transport's frame checks (ipc_msg_recv on a SEQPACKET socketpair), then
 * the codec (ipc_msg_decode) of the type the header names, every type of
 * the table in either direction.  A message that decodes must encode
 * again, and that encoding must decode and encode to the same bytes.
 */
#include "build.h"

#include <sys/socket.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "ipc.h"
#include "ipc_msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Room for the largest message struct of the table. */
union any_msg {
	struct ipc_ringbuf	 ringbuf;
	struct ipc_ready	 ready;
	struct ipc_collect_stats stats;
	struct ipc_health	 health;
	struct ipc_text		 text;
	struct ipc_hook		 hook;
	struct ipc_hook_del	 hook_del;
	struct ipc_drops	 drops;
	struct ipc_peer		 peer;
	struct ipc_alertcfg	 alertcfg;
	struct ipc_alert_job	 job;
	struct ipc_alert_result	 result;
	struct ipc_policy_add	 policy_add;
	struct ipc_name		 name;
	struct ipc_policy_mode	 policy_mode;
};

static int	sv[2] = { -1, -1 };

/* Decoded messages must survive encode -> decode -> encode unchanged. */
static void
roundtrip(uint16_t type, const union any_msg *m)
{
	union any_msg	 again;
	uint8_t		*a, *b;
	size_t		 alen, blen;

	if (ipc_msg_encode(type, m, &a, &alen) != 0)
		abort();
	memset(&again, 0, sizeof(again));
	if (ipc_msg_decode(type, a, alen, &again) != 0)
		abort();
	if (ipc_msg_encode(type, &again, &b, &blen) != 0)
		abort();
	if (alen != blen || memcmp(a, b, alen) != 0)
		abort();
	ipc_msg_free_fields(type, &again);
	free(a);
	free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ipc_msg	 m;
	union any_msg	 u;

	if (sv[0] == -1 && socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == -1)
		abort();
	if (len > sizeof(struct ipc_hdr) + IPC_MAX_PAYLOAD)
		return 0;
	if (send(sv[1], data, len, 0) != (ssize_t)len)
		abort();
	if (ipc_msg_recv(sv[0], &m) != 0)
		return 0;
	memset(&u, 0, sizeof(u));
	if (ipc_msg_decode(m.type, m.payload, m.len, &u) == 0) {
		roundtrip(m.type, &u);
		ipc_msg_free_fields(m.type, &u);
	}
	ipc_msg_clear(&m);
	return 0;
}
