/* loaderd/bpf_load.h */
