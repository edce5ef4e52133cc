/* bpf/maps.bpf.h */
