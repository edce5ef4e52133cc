/* collectord/ringbuf.c -- BPF ring buffer consumer by direct mmap. */
#include "build.h"

#include <sys/mman.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "err.h"
#include "log.h"
#include "ringbuf.h"
#include "xmalloc.h"

struct ringbuf {
	int			 fd;
	size_t			 size;		/* data bytes */
	size_t			 pagesz;
	unsigned long		*cons;		/* RW page */
	const unsigned long	*prod;		/* RO page, data follows */
	const uint8_t		*data;
	void			*cons_map;
	void			*prod_map;
	size_t			 prod_mapsz;
	struct ringbuf_stats	 st;

	struct event		*ev_read;
	struct event		*ev_timer;
	struct timeval		 poll_tv;
	size_t			 batch;
	ringbuf_cb		*cb;
	void			*cb_arg;
	void			(*prep)(void *);
	void			*prep_arg;
};

static size_t
ringbuf_roundup(uint32_t len)
{
	return ((size_t)len + RINGBUF_HDR_SZ + 7) & ~(size_t)7;
}

size_t
ringbuf_consume_mem(unsigned long *cons, const unsigned long *prod,
    const uint8_t *data, size_t size, size_t max, ringbuf_cb *cb, void *arg,
    struct ringbuf_stats *st)
{
	unsigned long	 cpos, ppos;
	size_t		 n = 0, reclen, mask = size - 1;
	uint32_t	 hdr, len;
	const uint8_t	*rec;

	cpos = __atomic_load_n(cons, __ATOMIC_RELAXED);
	for (;;) {
		ppos = __atomic_load_n(prod, __ATOMIC_ACQUIRE);
		if (cpos == ppos)
			break;
		if (ppos - cpos > size || (cpos & 7) != 0) {
			/* positions themselves are impossible */
			st->malformed++;
			cpos = ppos;
			__atomic_store_n(cons, cpos, __ATOMIC_RELEASE);
			break;
		}
		rec = data + (cpos & mask);
		hdr = __atomic_load_n((const uint32_t *)rec, __ATOMIC_ACQUIRE);
		if (hdr & RINGBUF_BUSY_BIT)
			break;
		len = hdr & ~(RINGBUF_BUSY_BIT | RINGBUF_DISCARD_BIT);
		reclen = ringbuf_roundup(len);
		if (len > size - RINGBUF_HDR_SZ || reclen > ppos - cpos) {
			/*
			 * Garbage: the record cannot fit in the ring or runs
			 * past what the producer committed.  Nothing after it
			 * can be located reliably; resync at the producer.
			 */
			st->malformed++;
			st->bytes += ppos - cpos;
			cpos = ppos;
			__atomic_store_n(cons, cpos, __ATOMIC_RELEASE);
			break;
		}
		if (hdr & RINGBUF_DISCARD_BIT)
			st->discarded++;
		else {
			st->records++;
			cb(arg, rec + RINGBUF_HDR_SZ, len);
			n++;
		}
		st->bytes += reclen;
		cpos += reclen;
		__atomic_store_n(cons, cpos, __ATOMIC_RELEASE);
		if (max != 0 && n >= max)
			break;
	}
	return n;
}

int
ringbuf_open(struct ringbuf **rbp, int fd, uint64_t size)
{
	struct ringbuf	*rb;
	long		 pg;

	*rbp = NULL;
	pg = sysconf(_SC_PAGESIZE);
	if (pg <= 0)
		return ERR_SYS;
	if (size == 0 || (size & (size - 1)) != 0 ||
	    size % (uint64_t)pg != 0 || size > (1ULL << 32))
		return ERR_RANGE;

	rb = xcalloc(1, sizeof(*rb));
	rb->fd = fd;
	rb->size = (size_t)size;
	rb->pagesz = (size_t)pg;
	rb->cons_map = mmap(NULL, rb->pagesz, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	if (rb->cons_map == MAP_FAILED) {
		rb->cons_map = NULL;
		goto fail;
	}
	rb->prod_mapsz = rb->pagesz + 2 * rb->size;
	rb->prod_map = mmap(NULL, rb->prod_mapsz, PROT_READ, MAP_SHARED, fd,
	    (off_t)rb->pagesz);
	if (rb->prod_map == MAP_FAILED) {
		rb->prod_map = NULL;
		goto fail;
	}
	rb->cons = rb->cons_map;
	rb->prod = rb->prod_map;
	rb->data = (const uint8_t *)rb->prod_map + rb->pagesz;
	*rbp = rb;
	return 0;
fail:
	if (rb->cons_map != NULL)
		munmap(rb->cons_map, rb->pagesz);
	free(rb);
	return ERR_SYS;
}

void
ringbuf_detach(struct ringbuf *rb)
{
	if (rb == NULL)
		return;
	if (rb->ev_read != NULL)
		event_free(rb->ev_read);
	if (rb->ev_timer != NULL)
		event_free(rb->ev_timer);
	rb->ev_read = rb->ev_timer = NULL;
}

void
ringbuf_free(struct ringbuf *rb)
{
	if (rb == NULL)
		return;
	ringbuf_detach(rb);
	if (rb->prod_map != NULL)
		munmap(rb->prod_map, rb->prod_mapsz);
	if (rb->cons_map != NULL)
		munmap(rb->cons_map, rb->pagesz);
	if (rb->fd >= 0)
		close(rb->fd);
	free(rb);
}

int
ringbuf_fd(const struct ringbuf *rb)
{
	return rb->fd;
}

size_t
ringbuf_consume(struct ringbuf *rb, size_t max, ringbuf_cb *cb, void *arg)
{
	return ringbuf_consume_mem(rb->cons, rb->prod, rb->data, rb->size,
	    max, cb, arg, &rb->st);
}

int
ringbuf_pending(const struct ringbuf *rb)
{
	return __atomic_load_n(rb->prod, __ATOMIC_ACQUIRE) !=
	    __atomic_load_n(rb->cons, __ATOMIC_RELAXED);
}

const struct ringbuf_stats *
ringbuf_stats(const struct ringbuf *rb)
{
	return &rb->st;
}

void
ringbuf_set_prepare(struct ringbuf *rb, void (*fn)(void *), void *arg)
{
	rb->prep = fn;
	rb->prep_arg = arg;
}

static void
ringbuf_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ringbuf	*rb = arg;

	if (rb->prep != NULL)
		rb->prep(rb->prep_arg);
	ringbuf_consume(rb, rb->batch, rb->cb, rb->cb_arg);
}

static void
ringbuf_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ringbuf	*rb = arg;

	if (rb->prep != NULL)
		rb->prep(rb->prep_arg);
	/* without a read event, the timer takes everything available */
	ringbuf_consume(rb, rb->ev_read != NULL ? rb->batch : 0, rb->cb,
	    rb->cb_arg);
	/*
	 * If the read event is somehow not firing (a missed wakeup) and
	 * records remain, make it run now rather than waiting a full period.
	 */
	if (ringbuf_pending(rb) && rb->ev_read != NULL)
		event_active(rb->ev_read, EV_READ, 0);
}

int
ringbuf_attach(struct ringbuf *rb, struct event_base *base, size_t batch,
    unsigned int poll_ms, ringbuf_cb *cb, void *arg)
{
	ringbuf_detach(rb);
	rb->batch = batch;
	rb->cb = cb;
	rb->cb_arg = arg;
	rb->poll_tv.tv_sec = poll_ms / 1000;
	rb->poll_tv.tv_usec = (poll_ms % 1000) * 1000;
	rb->ev_read = event_new(base, rb->fd, EV_READ | EV_PERSIST,
	    ringbuf_read_cb, rb);
	rb->ev_timer = event_new(base, -1, EV_PERSIST, ringbuf_timer_cb, rb);
	if (rb->ev_read == NULL || rb->ev_timer == NULL ||
	    event_add(rb->ev_timer, &rb->poll_tv) != 0) {
		ringbuf_detach(rb);
		return ERR_SYS;
	}
	if (event_add(rb->ev_read, NULL) != 0) {
		/* an fd epoll refuses (EPERM: not a BPF ring buffer map but
		 * e.g. a memfd in tests): the timer alone drains the ring */
		event_free(rb->ev_read);
		rb->ev_read = NULL;
	}
	return 0;
}

int
ringbuf_timer_only(const struct ringbuf *rb)
{
	return rb->ev_timer != NULL && rb->ev_read == NULL;
}
