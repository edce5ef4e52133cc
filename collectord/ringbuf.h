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
 * Called once per committed record.  data/len point into the ring; with
 * ringbuf_consume() they stay valid until ringbuf_commit() passes them
 * (the kernel does not reuse the space before).
 */
typedef void ringbuf_cb(void *arg, const void *data, size_t len);

/*
 * The consumer walk.  cons and prod point at the two positions (unsigned
 * long, as in the kernel), data at a data area of size bytes (a power of
 * 2) mapped twice in a row (2 * size bytes readable), so a record never
 * needs reassembly.  Loads
 * prod with acquire, stops at a BUSY record, skips DISCARD records, stores
 * cons with release after each record, before its callback (so during the
 * callback *cons is the end of that record).  A header that cannot be valid
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
/*
 * Which ring the fd is, across consumer restarts: "<boot id>:<map id>"
 * (from /proc, before the sandbox).  0, or ERR_NOTFOUND (not a BPF map,
 * e.g. a memfd in tests), ERR_RANGE (buf too small).
 */
#define RINGBUF_IDENT_MAX	64
int	ringbuf_ident(int fd, char *buf, size_t len);
int	ringbuf_fd(const struct ringbuf *);
/*
 * Two positions (64-bit counters of ring bytes, as the kernel's): the
 * read position, how far records were handed to the callback, and the
 * consumer position the kernel sees, which only ringbuf_commit() moves:
 * the space of records read but not committed is not reused, so a
 * consumer that dies before committing leaves them for the next one.
 *
 * Deliver up to max records (0: all available) from the read position.
 * Returns the count.
 */
size_t	ringbuf_consume(struct ringbuf *, size_t max, ringbuf_cb *cb,
	    void *arg);
/* 1 if records (or a busy record) wait past the read position. */
int	ringbuf_pending(const struct ringbuf *);
/* The read position (during a callback: the end of its record). */
uint64_t ringbuf_read_pos(const struct ringbuf *);
/* The consumer position published to the kernel. */
uint64_t ringbuf_cons_pos(const struct ringbuf *);
/* Bytes read but not committed; the data area's size. */
size_t	ringbuf_uncommitted(const struct ringbuf *);
size_t	ringbuf_size(const struct ringbuf *);
/* Publish pos (between the consumer and the read position) as the
 * consumer position.  0 or ERR_RANGE. */
int	ringbuf_commit(struct ringbuf *, uint64_t pos);
/*
 * At start: records before pos were already stored by a previous
 * consumer (which died before it published pos): read and consumer
 * position jump there.  pos must lie between the consumer and the
 * producer position.  0 or ERR_RANGE.
 */
int	ringbuf_skip_to(struct ringbuf *, uint64_t pos);
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
/*
 * After a read callback that drained the ring, stop listening for
 * nap_ms (0: never), so that records arriving meanwhile are read, and
 * committed, together: a steady trickle costs one wakeup and one commit
 * per nap instead of one per record.  A ring that is not drained is read
 * on without a nap; the records of a nap must fit in the ring (at
 * 450 000 records/s of ~250 bytes, 20 ms are ~2.3 MB).  Call after
 * ringbuf_attach.  0 or ERR_SYS.
 */
int	ringbuf_set_nap(struct ringbuf *, struct event_base *,
	    unsigned int nap_ms);
int	ringbuf_timer_only(const struct ringbuf *);
/*
 * fn(arg) runs at the start of every read/timer callback, before records
 * are consumed (collectord reads pending hook metadata there, so metadata
 * sent before a hook was enabled is known when its records arrive, and
 * opens its store transaction).  If it returns non-zero nothing is
 * consumed and the read event is removed until the timer finds fn willing
 * again (so a busy store does not spin the loop).  after(arg), if not
 * NULL, runs once the records of a callback were delivered.  NULL to
 * remove.
 */
void	ringbuf_set_prepare(struct ringbuf *, int (*fn)(void *),
	    void (*after)(void *), void *arg);

#endif
