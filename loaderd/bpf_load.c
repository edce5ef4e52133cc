/* loaderd/bpf_load.c: in progress */
