/*
 * tests/unit/test_stacks.c -- collectord/stacks.c: kallsyms text into the
 * kernel table and kernel frames rendered with and without addresses;
 * the ELF reader on this very test program (its build id, the symbol of
 * a function's file offset) and on cut or corrupted copies of it.
 */
#include "build.h"

#include <sys/stat.h>

#include <elf.h>
#include <link.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bpf/events.h"
#include "collectord/decode.h"
#include "collectord/stacks.h"
#include "str.h"

static const char ktext[] =
    "ffffffff81000000 T _stext\n"
    "ffffffff81000100 t foo\n"
    "ffffffff81000200 D some_data\n"
    "ffffffffc0000000 t modfn\t[mymod]\n"
    "zzzz t bad_line\n"
    "ffffffff81000300 W weak_fn\n";

static void
render_kernel(int expose, const uint64_t *ips, size_t n, struct sbuf *k)
{
	struct stk	*s = stk_new(expose);
	struct dec_event ev;
	struct sbuf	 u;

	assert_int_equal(stk_kallsyms_load(s, ktext, sizeof(ktext) - 1), 4);
	memset(&ev, 0, sizeof(ev));
	ev.has_stack = 1;
	ev.stk_flags = EVS_F_KERNEL;
	ev.nkern = n;
	ev.kips = (const uint8_t *)ips;
	sbuf_init(&u);
	stk_render(s, &ev, NULL, k, &u);
	assert_int_equal(u.len, 0);
	sbuf_clear(&u);
	stk_free(s);
}

static void
test_kallsyms(void **state)
{
	static const uint64_t ips[3] = { 0xffffffff81000110ULL,
	    0xffffffffc0000004ULL, 0x1000 };
	struct stk	*s = stk_new(0);
	struct sbuf	 k;
	static const char zeros[] = "0000000000000000 T a\n"
	    "0000000000000000 t b\n";

	sbuf_init(&k);
	render_kernel(0, ips, 3, &k);
	assert_string_equal(k.buf, "[{\"offset\":\"16\",\"symbol\":\"foo\"},"
	    "{\"offset\":\"4\",\"symbol\":\"modfn\",\"module\":\"mymod\"},{}]");
	sbuf_reset(&k);
	render_kernel(1, ips, 2, &k);
	assert_string_equal(k.buf, "[{\"address\":\"18446744071578845456\","
	    "\"offset\":\"16\",\"symbol\":\"foo\"},{\"address\":"
	    "\"18446744072635809796\",\"offset\":\"4\",\"symbol\":\"modfn\","
	    "\"module\":\"mymod\"}]");
	/* a file read without the right to see addresses: nothing */
	assert_int_equal(stk_kallsyms_load(s, zeros, sizeof(zeros) - 1), 0);
	assert_int_equal(stk_kallsyms_load(s, "", 0), 0);
	sbuf_clear(&k);
	stk_free(s);
}

__attribute__((noinline)) int test_stacks_marker(int);

__attribute__((noinline)) int
test_stacks_marker(int x)
{
	__asm__ volatile ("" : "+r" (x));
	return x + 1;
}

static int
base_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	*(uintptr_t *)arg = info->dlpi_addr;
	return 1;	/* the first one: the program */
}

static uint8_t *
read_self(size_t *len)
{
	FILE	*fp = fopen("/proc/self/exe", "rb");
	uint8_t	*buf;
	struct stat st;

	assert_non_null(fp);
	assert_int_equal(fstat(fileno(fp), &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, fp),
	    (size_t)st.st_size);
	fclose(fp);
	*len = (size_t)st.st_size;
	return buf;
}

/* The file offset of this program's address a (its PT_LOAD segments). */
static uint64_t
file_off(const uint8_t *img, uintptr_t a)
{
	const Elf64_Ehdr *h = (const void *)img;
	const Elf64_Phdr *ph;
	uintptr_t	 base = 0;
	uint64_t	 va;
	size_t		 i;

	dl_iterate_phdr(base_cb, &base);
	va = a - base;
	for (i = 0; i < h->e_phnum; i++) {
		ph = (const void *)(img + h->e_phoff + i * sizeof(*ph));
		if (ph->p_type == PT_LOAD && va >= ph->p_vaddr &&
		    va < ph->p_vaddr + ph->p_filesz)
			return va - ph->p_vaddr + ph->p_offset;
	}
	fail_msg("address not in a segment");
	return 0;
}

static void
test_elf_self(void **state)
{
	uint8_t		*img, *bad, bid[20];
	size_t		 len, bidlen, cut;
	char		 sym[64];
	uint64_t	 off, so;

	img = read_self(&len);
	off = file_off(img, (uintptr_t)test_stacks_marker) + 2;
	assert_int_equal(stk_elf_mem(img, len, off, bid, &bidlen, sym,
	    sizeof(sym), &so), 1);
	assert_string_equal(sym, "test_stacks_marker");
	assert_true(so == 2);
	assert_int_equal(bidlen, 20);	/* ld --build-id (sha1) */
	/* an offset outside every segment: no symbol, the build id still */
	assert_int_equal(stk_elf_mem(img, len, (uint64_t)len + 10, bid,
	    &bidlen, sym, sizeof(sym), &so), 0);
	assert_int_equal(bidlen, 20);
	/* cut anywhere, or bytes flipped: never more than the image */
	for (cut = 0; cut < len; cut += cut < 256 ? 1 : 97) {
		bad = malloc(cut > 0 ? cut : 1);
		memcpy(bad, img, cut);
		(void)stk_elf_mem(bad, cut, off, bid, &bidlen, sym,
		    sizeof(sym), &so);
		assert_true(bidlen <= 20);
		free(bad);
	}
	bad = malloc(len);
	for (cut = 16; cut < 4096 && cut < len; cut += 3) {
		memcpy(bad, img, len);
		bad[cut] ^= 0xff;
		(void)stk_elf_mem(bad, len, off, bid, &bidlen, sym,
		    sizeof(sym), &so);
	}
	free(bad);
	/* not ELF */
	assert_int_equal(stk_elf_mem("hello", 5, 0, bid, &bidlen, sym,
	    sizeof(sym), &so), -1);
	free(img);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kallsyms),
		cmocka_unit_test(test_elf_self),
	};

	return cmocka_run_group_tests_name("stacks", tests, NULL, NULL);
}
