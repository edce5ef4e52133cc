/* collectord/ringbuf.h */
