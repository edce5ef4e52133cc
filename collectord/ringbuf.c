/* collectord/ringbuf.c -- BPF ring buffer consumer by direct mmap. */
#include "build.h"

#include <sys/mman.h>
#include <errno.h>
#include <stdio.h>
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
	unsigned long		*cons;		/* RW page: what the kernel may
						   overwrite (committed) */
	unsigned long		 rpos;		/* read so far (>= *cons) */
	const unsigned long	*prod;		/* RO page, data follows */
	const uint8_t		*data;
	void			*cons_map;
	void			*prod_map;
	size_t			 prod_mapsz;
	struct ringbuf_stats	 st;

	struct event		*ev_read;
	struct event		*ev_timer;
	struct event		*ev_nap;	/* ringbuf_set_nap */
	struct timeval		 poll_tv;
	struct timeval		 nap_tv;
	size_t			 batch;
	ringbuf_cb		*cb;
	void			*cb_arg;
	int			(*prep)(void *);
	void			(*after)(void *);
	void			*prep_arg;
	int			 paused;	/* prep said "not now" */
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
		st->bytes += reclen;
		cpos += reclen;
		/* stored before the callback: during it, *cons is the end of
		 * the record being handled */
		__atomic_store_n(cons, cpos, __ATOMIC_RELEASE);
		if (hdr & RINGBUF_DISCARD_BIT)
			st->discarded++;
		else {
			st->records++;
			cb(arg, rec + RINGBUF_HDR_SZ, len);
			n++;
		}
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
	rb->rpos = __atomic_load_n(rb->cons, __ATOMIC_ACQUIRE);
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
	if (rb->ev_nap != NULL)
		event_free(rb->ev_nap);
	rb->ev_read = rb->ev_timer = rb->ev_nap = NULL;
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
	return ringbuf_consume_mem(&rb->rpos, rb->prod, rb->data, rb->size,
	    max, cb, arg, &rb->st);
}

int
ringbuf_pending(const struct ringbuf *rb)
{
	return __atomic_load_n(rb->prod, __ATOMIC_ACQUIRE) != rb->rpos;
}

uint64_t
ringbuf_read_pos(const struct ringbuf *rb)
{
	return rb->rpos;
}

uint64_t
ringbuf_cons_pos(const struct ringbuf *rb)
{
	return __atomic_load_n(rb->cons, __ATOMIC_RELAXED);
}

size_t
ringbuf_size(const struct ringbuf *rb)
{
	return rb->size;
}

size_t
ringbuf_uncommitted(const struct ringbuf *rb)
{
	return (size_t)(rb->rpos - ringbuf_cons_pos(rb));
}

int
ringbuf_commit(struct ringbuf *rb, uint64_t pos)
{
	unsigned long	 c = ringbuf_cons_pos(rb);

	if ((unsigned long)pos - c > rb->rpos - c)
		return ERR_RANGE;	/* not between cons and rpos */
	__atomic_store_n(rb->cons, (unsigned long)pos, __ATOMIC_RELEASE);
	return 0;
}

int
ringbuf_skip_to(struct ringbuf *rb, uint64_t pos)
{
	unsigned long	 c = ringbuf_cons_pos(rb), p;

	p = __atomic_load_n(rb->prod, __ATOMIC_ACQUIRE);
	if ((unsigned long)pos - c > p - c || p - c > rb->size ||
	    (pos & 7) != 0)
		return ERR_RANGE;
	rb->rpos = (unsigned long)pos;
	__atomic_store_n(rb->cons, (unsigned long)pos, __ATOMIC_RELEASE);
	return 0;
}

const struct ringbuf_stats *
ringbuf_stats(const struct ringbuf *rb)
{
	return &rb->st;
}

void
ringbuf_set_prepare(struct ringbuf *rb, int (*fn)(void *),
    void (*after)(void *), void *arg)
{
	rb->prep = fn;
	rb->after = after;
	rb->prep_arg = arg;
}

/*
 * The prepare hook said "not now" (the store is busy): the read event,
 * level triggered, would fire again at once, so it is removed until the
 * timer finds the hook willing again.  Returns 1 if consuming may go on.
 */
static int
ringbuf_prepare(struct ringbuf *rb)
{
	if (rb->prep == NULL || rb->prep(rb->prep_arg) == 0) {
		if (rb->paused && rb->ev_read != NULL)
			event_add(rb->ev_read, NULL);
		rb->paused = 0;
		return 1;
	}
	if (!rb->paused && rb->ev_read != NULL)
		event_del(rb->ev_read);
	rb->paused = 1;
	return 0;
}

static void
ringbuf_after(struct ringbuf *rb)
{
	if (rb->after != NULL)
		rb->after(rb->prep_arg);
}

/* The nap is over: listen again (unless prepare paused the reading). */
static void
ringbuf_nap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ringbuf	*rb = arg;

	if (!rb->paused && rb->ev_read != NULL)
		event_add(rb->ev_read, NULL);
}

static void
ringbuf_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ringbuf	*rb = arg;

	if (!ringbuf_prepare(rb))
		return;
	ringbuf_consume(rb, rb->batch, rb->cb, rb->cb_arg);
	ringbuf_after(rb);
	/* drained: records gather in the ring for one nap */
	if (rb->ev_nap != NULL && !rb->paused && !ringbuf_pending(rb)) {
		event_del(rb->ev_read);
		event_add(rb->ev_nap, &rb->nap_tv);
	}
}

int
ringbuf_set_nap(struct ringbuf *rb, struct event_base *base,
    unsigned int nap_ms)
{
	if (rb->ev_nap != NULL)
		event_free(rb->ev_nap);
	rb->ev_nap = NULL;
	if (nap_ms == 0 || rb->ev_read == NULL)
		return 0;
	rb->nap_tv.tv_sec = nap_ms / 1000;
	rb->nap_tv.tv_usec = (nap_ms % 1000) * 1000;
	if ((rb->ev_nap = evtimer_new(base, ringbuf_nap_cb, rb)) == NULL)
		return ERR_SYS;
	return 0;
}

static void
ringbuf_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ringbuf	*rb = arg;

	if (!ringbuf_prepare(rb))
		return;
	/* without a read event, the timer takes everything available */
	ringbuf_consume(rb, rb->ev_read != NULL ? rb->batch : 0, rb->cb,
	    rb->cb_arg);
	ringbuf_after(rb);
	if (rb->ev_read == NULL || rb->paused ||
	    (rb->ev_nap != NULL && event_pending(rb->ev_nap, EV_TIMEOUT, NULL)))
		return;
	/*
	 * The read event listens unless a nap is on: registered anew, so
	 * that the kernel polls the ring again (a wakeup that went missing
	 * cannot leave it silent), and if records remain it runs now rather
	 * than a full period later.
	 */
	event_del(rb->ev_read);
	event_add(rb->ev_read, NULL);
	if (ringbuf_pending(rb))
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

/* "map_id:\t<N>" of the fd's /proc/self/fdinfo entry: 0 if absent. */
static unsigned long
ringbuf_map_id(int fd)
{
	char		 path[64], line[128];
	unsigned long	 id = 0;
	FILE		*fp;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if ((fp = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "map_id: %lu", &id) == 1)
			break;
	fclose(fp);
	return id;
}

int
ringbuf_ident(int fd, char *buf, size_t len)
{
	char		 boot[64] = "";
	unsigned long	 id;
	FILE		*fp;
	int		 n;

	if ((id = ringbuf_map_id(fd)) == 0)
		return ERR_NOTFOUND;
	if ((fp = fopen("/proc/sys/kernel/random/boot_id", "re")) == NULL)
		return ERR_NOTFOUND;
	if (fgets(boot, sizeof(boot), fp) == NULL)
		boot[0] = '\0';
	fclose(fp);
	boot[strcspn(boot, "\n")] = '\0';
	if (boot[0] == '\0')
		return ERR_NOTFOUND;
	n = snprintf(buf, len, "%s:%lu", boot, id);
	return n < 0 || (size_t)n >= len ? ERR_RANGE : 0;
}
