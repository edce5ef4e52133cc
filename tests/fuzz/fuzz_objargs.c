/*
 * tests/fuzz/fuzz_objargs.c -- kernel-object argument payloads (file and
 * path names, cred, sock, skb, bpf_prog/map, perf_event, module, ...) as
 * collectord checks and renders them: objargs_check, then the JSON member
 * (generic_arg_json, which calls objargs_json) and the compact form.
 *
 * Input: byte 0 picks one of the types objargs handles, byte 1 is the
 * argument's EVA_* flags, bytes 2..5 its aux word (little endian), the
 * rest its payload.
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collectord/decode.h"
#include "collectord/generic.h"
#include "collectord/objargs.h"
#include "str.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static uint8_t	 types[256];
	static size_t	 ntypes;
	static struct sbuf sb;
	struct dec_arg	 a;
	char		 why[OBJARGS_WHY_MAX];
	uint8_t		*copy;
	unsigned int	 t;

	if (ntypes == 0) {
		for (t = 0; t < 256; t++)
			if (objargs_handles((uint8_t)t))
				types[ntypes++] = (uint8_t)t;
		if (ntypes == 0)
			abort();
		sbuf_init(&sb);
	}
	if (len < 6)
		return 0;
	memset(&a, 0, sizeof(a));
	a.type = types[data[0] % ntypes];
	a.flags = data[1];
	a.aux = (uint32_t)data[2] | (uint32_t)data[3] << 8 |
	    (uint32_t)data[4] << 16 | (uint32_t)data[5] << 24;
	/* an exact-size heap copy: reads past the payload are caught */
	a.len = len - 6;
	copy = malloc(a.len > 0 ? a.len : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data + 6, a.len);
	a.data = copy;
	(void)objargs_check(&a, why, sizeof(why));
	sbuf_reset(&sb);
	(void)generic_arg_json(&sb, &a, "label");
	sbuf_reset(&sb);
	objargs_compact(&sb, &a);
	free(copy);
	return 0;
}
