/* loaderd/loaderd.h */
