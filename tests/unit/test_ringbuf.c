/* tests/unit/test_ringbuf.c -- the ring buffer consumer walk on a fake ring
 * (a memfd mapped twice in a row, as the kernel maps the data area). */
#include "build.h"

#include <sys/mman.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectord/ringbuf.h"

#define RING_SIZE	4096	/* one page */

struct fake_ring {
	unsigned long	 cons;
	unsigned long	 prod;
	uint8_t		*data;		/* 2 * RING_SIZE, double mapped */
	void		*base;
};

struct seen {
	size_t		 n;
	size_t		 lens[64];
	uint8_t		 first[64];
	int		 ok_contents;
};

static int
setup(void **state)
{
	struct fake_ring *r = calloc(1, sizeof(*r));
	int	 fd;

	fd = memfd_create("ring", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, RING_SIZE), 0);
	r->base = mmap(NULL, 2 * RING_SIZE, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(r->base != MAP_FAILED);
	assert_true(mmap(r->base, RING_SIZE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_FIXED, fd, 0) != MAP_FAILED);
	assert_true(mmap((uint8_t *)r->base + RING_SIZE, RING_SIZE,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) !=
	    MAP_FAILED);
	close(fd);
	r->data = r->base;
	*state = r;
	return 0;
}

static int
teardown(void **state)
{
	struct fake_ring *r = *state;

	munmap(r->base, 2 * RING_SIZE);
	free(r);
	return 0;
}

/* Producer side: reserve+commit a record of len bytes filled with fill. */
static void
produce(struct fake_ring *r, uint32_t len, uint8_t fill, uint32_t flags)
{
	size_t	 off = r->prod & (RING_SIZE - 1);
	uint32_t hdr = len | flags;
	size_t	 total = ((size_t)len + 8 + 7) & ~(size_t)7;

	memcpy(r->data + off, &hdr, 4);
	memset(r->data + off + 4, 0, 4);
	memset(r->data + off + 8, fill, len);	/* may cross into mirror */
	r->prod += total;
}

static void
collect(void *arg, const void *data, size_t len)
{
	struct seen	*s = arg;
	const uint8_t	*p = data;
	size_t		 i;

	if (s->n < 64) {
		s->lens[s->n] = len;
		s->first[s->n] = len ? p[0] : 0;
	}
	for (i = 0; i < len; i++)
		if (p[i] != p[0])
			s->ok_contents = 0;
	s->n++;
}

static void
test_simple(void **state)
{
	struct fake_ring	*r = *state;
	struct ringbuf_stats	 st;
	struct seen		 s = { .ok_contents = 1 };

	memset(&st, 0, sizeof(st));
	produce(r, 5, 0xa1, 0);
	produce(r, 16, 0xa2, 0);
	produce(r, 1, 0xa3, 0);
	assert_int_equal(ringbuf_consume_mem(&r->cons, &r->prod, r->data,
	    RING_SIZE, 0, collect, &s, &st), 3);
	assert_int_equal(s.lens[0], 5);
	assert_int_equal(s.first[0], 0xa1);
	assert_int_equal(s.lens[1], 16);
	assert_int_equal(s.lens[2], 1);
	assert_true(s.ok_contents);
	/* 8-byte aligned records: 16 + 24 + 16 */
	assert_int_equal(r->cons, 56);
	assert_int_equal(r->cons, r->prod);
	assert_int_equal(st.records, 3);
	assert_int_equal(st.malformed, 0);
	/* nothing more */
	assert_int_equal(ringbuf_consume_mem(&r->cons, &r->prod, r->data,
	    RING_SIZE, 0, collect, &s, &st), 0);
}

static void
test_wraparound(void **state)
{
	struct fake_ring	*r = *state;
	struct ringbuf_stats	 st;
	struct seen		 s = { .ok_contents = 1 };
	int			 i;

	memset(&st, 0, sizeof(st));
	/* walk positions far past the ring size: records straddle the end */
	for (i = 0; i < 40; i++) {
		produce(r, 300 + (uint32_t)i, (uint8_t)i, 0);
		assert_int_equal(ringbuf_consume_mem(&r->cons, &r->prod,
		    r->data, RING_SIZE, 0, collect, &s, &st), 1);
		assert_int_equal(s.lens[i], 300 + i);
		assert_int_equal(s.first[i], (uint8_t)i);
	}
	assert_true(r->prod > 2 * RING_SIZE);
	assert_true(s.ok_contents);
	assert_int_equal(r->cons, r->prod);
	assert_int_equal(st.malformed, 0);
}

static void
test_busy_and_discard(void **state)
{
	struct fake_ring	*r = *state;
	struct ringbuf_stats	 st;
	struct seen		 s = { .ok_contents = 1 };
	unsigned long		 busy_at;
	uint32_t		 hdr;

	memset(&st, 0, sizeof(st));
	produce(r, 8, 0x01, 0);
	produce(r, 8, 0x02, RINGBUF_DISCARD_BIT);
	produce(r, 8, 0x03, 0);
	busy_at = r->prod;
	produce(r, 8, 0x04, RINGBUF_BUSY_BIT);	/* reserved, not committed */
	produce(r, 8, 0x05, 0);
	assert_int_equal(ringbuf_consume_mem(&r->cons, &r->prod, r->data,
	    RING_SIZE, 0, collect, &s, &st), 2);
	assert_int_equal(s.first[0], 0x01);
	assert_int_equal(s.first[1], 0x03);
	assert_int_equal(st.discarded, 1);
	assert_int_equal(r->cons, busy_at);	/* stopped at the busy one */
	/* commit it */
	hdr = 8;
	memcpy(r->data + (busy_at & (RING_SIZE - 1)), &hdr, 4);
	assert_int_equal(ringbuf_consume_mem(&r->cons, &r->prod, r->data,
	    RING_SIZE, 0, collect, &s, &st), 2);
	assert_int_equal(s.first[2], 0x04);
	assert_int_equal(s.first[3], 0x05);
	assert_int_equal(r->cons, r->prod);
	assert_int_equal(st.malformed, 0);
}

static void
test_max_per_call(void **state)
{
	struct fake_ring	*r = *state;
	struct ringbuf_stats	 st;
	struct seen		 s = { .ok_contents = 1 };
	int			 i;

	memset(&st, 0, sizeof(st));
	for (i = 0; i < 10; i++)
		produce(r, 4, (uint8_t)i, 0);
	assert_int_equal(ringbuf_consume_mem(&r->cons, &r->prod, r->data,
	    RING_SIZE, 4, collect, &s, &st), 4);
	assert_int_equal(r->cons, 4 * 16);
	assert_int_equal(ringbuf_consume_mem(&r->cons, &r->prod, r->data,
	    RING_SIZE, 4, collect, &s, &st), 4);
	assert_int_equal(ringbuf_consume_mem(&r->cons, &r->prod, r->data,
	    RING_SIZE, 4, collect, &s, &st), 2);
	assert_int_equal(s.n, 10);
	assert_int_equal(s.first[9], 9);
}

static void
test_garbage_length(void **state)
{
	struct fake_ring	*r = *state;
	struct ringbuf_stats	 st;
	struct seen		 s = { .ok_contents = 1 };
	uint32_t		 hdr;
	size_t			 off;

	memset(&st, 0, sizeof(st));
	produce(r, 8, 0x11, 0);
	/* a header claiming more than the whole ring */
	off = r->prod & (RING_SIZE - 1);
	hdr = 0x3fffffff;
	memcpy(r->data + off, &hdr, 4);
	r->prod += 64;
	produce(r, 8, 0x12, 0);	/* lost: cannot be located reliably */
	assert_int_equal(ringbuf_consume_mem(&r->cons, &r->prod, r->data,
	    RING_SIZE, 0, collect, &s, &st), 1);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(r->cons, r->prod);	/* resynced */

	/* a length that runs past the producer position */
	off = r->prod & (RING_SIZE - 1);
	hdr = 1000;
	memcpy(r->data + off, &hdr, 4);
	r->prod += 16;
	assert_int_equal(ringbuf_consume_mem(&r->cons, &r->prod, r->data,
	    RING_SIZE, 0, collect, &s, &st), 0);
	assert_int_equal(st.malformed, 2);
	assert_int_equal(r->cons, r->prod);

	/* after the resync, normal records flow again */
	produce(r, 8, 0x13, 0);
	assert_int_equal(ringbuf_consume_mem(&r->cons, &r->prod, r->data,
	    RING_SIZE, 0, collect, &s, &st), 1);
	assert_int_equal(s.first[1], 0x13);
}

static void
test_impossible_positions(void **state)
{
	struct fake_ring	*r = *state;
	struct ringbuf_stats	 st;
	struct seen		 s = { .ok_contents = 1 };

	memset(&st, 0, sizeof(st));
	/* producer claims more than a ring's worth of unread data */
	r->prod = 3 * RING_SIZE;
	assert_int_equal(ringbuf_consume_mem(&r->cons, &r->prod, r->data,
	    RING_SIZE, 0, collect, &s, &st), 0);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(r->cons, r->prod);
	/* misaligned consumer position */
	r->cons = r->prod - 12;
	assert_int_equal(ringbuf_consume_mem(&r->cons, &r->prod, r->data,
	    RING_SIZE, 0, collect, &s, &st), 0);
	assert_int_equal(st.malformed, 2);
	assert_int_equal(r->cons, r->prod);
	assert_int_equal(s.n, 0);
}

static void
test_random_fuzz(void **state)
{
	struct fake_ring	*r = *state;
	struct ringbuf_stats	 st;
	struct seen		 s = { .ok_contents = 1 };
	size_t			 i;

	/* random bytes everywhere: must never crash or loop forever */
	memset(&st, 0, sizeof(st));
	srandom(42);
	for (i = 0; i < 2000; i++) {
		size_t j;

		for (j = 0; j < RING_SIZE; j++)
			r->data[j] = (uint8_t)random();
		r->prod = r->cons + ((size_t)random() % (RING_SIZE + 1) & ~7UL);
		ringbuf_consume_mem(&r->cons, &r->prod, r->data, RING_SIZE, 0,
		    collect, &s, &st);
		assert_true(r->cons <= r->prod);
	}
}

static void
test_open_bad_size(void **state)
{
	struct ringbuf	*rb;

	assert_int_not_equal(ringbuf_open(&rb, -1, 3000), 0);
	assert_null(rb);
	assert_int_not_equal(ringbuf_open(&rb, -1, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_simple, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraparound, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_busy_and_discard, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_max_per_call, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_garbage_length, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_impossible_positions,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_fuzz, setup,
		    teardown),
		cmocka_unit_test(test_open_bad_size),
	};

	return cmocka_run_group_tests_name("ringbuf", tests, NULL, NULL);
}
