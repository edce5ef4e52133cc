/* loaderd/spawn.h */
