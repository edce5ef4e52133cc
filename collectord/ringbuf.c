/* collectord/ringbuf.c: in progress */
