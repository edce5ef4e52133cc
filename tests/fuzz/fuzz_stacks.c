/*
 * tests/fuzz/fuzz_stacks.c -- the readers of collectord/stacks.c: files
 * collectord reads to symbolise stack traces (an ELF file any user may
 * have written: the executable of a process, a library; /proc/kallsyms).
 *
 * Input: byte 0 even: the rest is kallsyms text, and its first 8-byte
 * words (up to 8) are looked up as kernel frames and rendered; odd:
 * bytes 1..8 (little endian) are a file offset to symbolise, the rest
 * an ELF image.
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/events.h"
#include "collectord/decode.h"
#include "collectord/stacks.h"
#include "str.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char *const nodirs[] = { NULL };
	static struct sbuf k, u;
	static struct stk *s;
	struct dec_event ev;
	uint8_t		 bid[20], *copy;
	char		 sym[64];
	uint64_t	 off = 0, so;
	size_t		 bidlen, i;
	int		 elf;

	if (s == NULL) {
		s = stk_new(1);
		stk_set_libdirs(s, nodirs);
		sbuf_init(&k);
		sbuf_init(&u);
	}
	if (len < 1)
		return 0;
	elf = data[0] & 1;
	if (elf && len < 9)
		return 0;
	for (i = 0; elf && i < 8; i++)
		off |= (uint64_t)data[1 + i] << (8 * i);
	data += elf ? 9 : 1;
	len -= elf ? 9 : 1;
	/* an exact-size heap copy: reads past the input are caught */
	copy = malloc(len > 0 ? len : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, len);
	if (!elf) {
		(void)stk_kallsyms_load(s, (const char *)copy, len);
		memset(&ev, 0, sizeof(ev));
		ev.has_stack = 1;
		ev.stk_flags = EVS_F_KERNEL;
		ev.nkern = len / 8 < 8 ? len / 8 : 8;
		ev.kips = copy;
		stk_render(s, &ev, NULL, &k, &u);
	} else {
		(void)stk_elf_mem(copy, len, off, bid, &bidlen, sym,
		    sizeof(sym), &so);
		if (bidlen > sizeof(bid))
			abort();
	}
	free(copy);
	return 0;
}
