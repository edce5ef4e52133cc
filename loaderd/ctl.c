/* loaderd/ctl.c: in progress */
