/*
 * collectord/ringbuf.h -- BPF ring buffer consumer by direct mmap.
 *
 * collectord never calls bpf(2): it maps the ring buffer map fd passed by
 * loaderd (consumer page read-write at offset 0, producer page + data area
 * mapped twice read-only at offset pagesize, as the kernel lays it out) and
 * walks the records itself.  The walk is ringbuf_consume_mem(), which works
 * on plain memory so tests can feed it a fake ring.
 */
#ifndef TRIPLINE_RINGBUF_H
#define TRIPLINE_RINGBUF_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

/* Kernel ABI (include/uapi/linux/bpf.h) */
#define RINGBUF_BUSY_BIT	(1U << 31)
#define RINGBUF_DISCARD_BIT	(1U << 30)
#define RINGBUF_HDR_SZ		8

struct event_base;
struct ringbuf;

struct ringbuf_stats {
	uint64_t	records;	/* records handed to the callback */
	uint64_t	discarded;	/* records skipped (DISCARD bit) */
	uint64_t	malformed;	/* impossible headers: consumer resynced */
	uint64_t	bytes;		/* bytes consumed, headers included */
};

/*
 * Called once per committed record.  data/len point into the ring and are
 * valid only during the call (the consumer position is published right
 * after it returns).
 */
typedef void ringbuf_cb(void *arg, const void *data, size_t len);

/*
 * The consumer walk.  cons and prod point at the two positions (unsigned
 * long, as in the kernel), data at a data area of size bytes (a power of
 * 2) mapped twice in a row (2 * size bytes readable), so a record never
 * needs reassembly.  Loads
 * prod with acquire, stops at a BUSY record, skips DISCARD records, stores
 * cons with release after each record.  A header that cannot be valid
 * (length larger than the ring, or past the producer) is counted as
 * malformed and the consumer skips to the producer position.  At most max
 * records are delivered (0: no limit).  Returns the number delivered.
 */
size_t	ringbuf_consume_mem(unsigned long *cons,
	    const unsigned long *prod, const uint8_t *data, size_t size,
	    size_t max, ringbuf_cb *cb, void *arg, struct ringbuf_stats *st);

/*
 * Map the ring buffer map fd (size = data bytes, a power of 2 multiple of
 * the page size).  The fd stays owned by the caller until ringbuf_free,
 * which closes it.  0 or ERR_RANGE (bad size) / ERR_SYS (mmap).
 */
int	ringbuf_open(struct ringbuf **rbp, int fd, uint64_t size);
void	ringbuf_free(struct ringbuf *);
int	ringbuf_fd(const struct ringbuf *);
/* Deliver up to max records (0: all available).  Returns the count. */
size_t	ringbuf_consume(struct ringbuf *, size_t max, ringbuf_cb *cb,
	    void *arg);
/* 1 if records (or a busy record) wait to be consumed. */
int	ringbuf_pending(const struct ringbuf *);
const struct ringbuf_stats *ringbuf_stats(const struct ringbuf *);

/*
 * libevent glue: an EV_READ|EV_PERSIST event on the fd (level triggered:
 * a callback that leaves records behind is called again on the next loop
 * iteration, after other ready events) plus a timer every poll_ms as a
 * safety net.  Each callback delivers at most batch records.  If epoll
 * refuses the fd (not a BPF ring buffer map, e.g. a memfd in tests), the
 * timer alone drains the ring, everything available each time, and
 * ringbuf_timer_only() says so.  0 or ERR_SYS.
 */
int	ringbuf_attach(struct ringbuf *, struct event_base *, size_t batch,
	    unsigned int poll_ms, ringbuf_cb *cb, void *arg);
void	ringbuf_detach(struct ringbuf *);
int	ringbuf_timer_only(const struct ringbuf *);
/*
 * fn(arg) runs at the start of every read/timer callback, before records
 * are consumed (collectord reads pending hook metadata there, so metadata
 * sent before a hook was enabled is known when its records arrive).  NULL
 * to remove.
 */
void	ringbuf_set_prepare(struct ringbuf *, void (*fn)(void *), void *arg);

#endif
