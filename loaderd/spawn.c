/* loaderd/spawn.c: in progress */
