/* bpf/helpers.bpf.h */
