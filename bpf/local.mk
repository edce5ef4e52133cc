# BPF: .bpf.c -> .tmp.bpf.o (clang, CO-RE) -> .bpf.o (bpftool gen object)
#      -> .skel.h (bpftool gen skeleton).  Embedded in loaderd only.
BPF_SRCS = bpf/process.bpf.c bpf/generic.bpf.c bpf/net.bpf.c
BPF_HDRS = bpf/events.h bpf/hook.h bpf/maps.bpf.h bpf/helpers.bpf.h \
	bpf/core_fixes.bpf.h bpf/generic_maps.bpf.h bpf/procfilter.bpf.h \
	bpf/hookstat.bpf.h bpf/hookcfg.bpf.h bpf/sockown.bpf.h bpf/abi.h \
	bpf/sockmatch.bpf.h \
	$(BPF_GEN_HDRS)
# the parts of generic.bpf.c (included by it, never compiled alone)
BPF_GEN_HDRS = bpf/generic/ctx.bpf.h bpf/generic/strcmp.bpf.h \
	bpf/generic/objects.bpf.h bpf/generic/args.bpf.h \
	bpf/generic/filter.bpf.h bpf/generic/actions.bpf.h \
	bpf/generic/hook.bpf.h bpf/generic/tracepoint.bpf.h \
	bpf/generic/uprobe.bpf.h bpf/generic/kprobe.bpf.h \
	bpf/generic/fn.bpf.h bpf/generic/override.bpf.h \
	bpf/generic/exec.bpf.h bpf/generic/parentbin.bpf.h
BPF_SKELS = $(BPF_SRCS:.bpf.c=.skel.h)
BPF_CLANG_SYS_INCS = $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	$(SED) -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS = -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -D__BPF__ \
	-Wall -Werror=undef -I$(top_srcdir) -I$(top_srcdir)/bpf \
	-I$(top_srcdir)/bpf/vmlinux/$(BPF_ARCH) $(BPF_CLANG_SYS_INCS)

# generic.bpf.c: 32-bit subregisters (ISA v3, kernels >= 5.1) keep the
# bounds of its many u32 indexes on the register the verifier checks
BPF_CFLAGS_generic = -mcpu=v3 -fno-unroll-loops
BPF_CFLAGS_net = -mcpu=v3

BPF_TMPOBJS = $(BPF_SRCS:.bpf.c=.tmp.bpf.o)
BPF_OBJS = $(BPF_SRCS:.bpf.c=.bpf.o)
# static pattern rules: explicit, so automake's .c.o suffix rule never
# compiles a .bpf.c with the host compiler
$(BPF_TMPOBJS): bpf/%.tmp.bpf.o: bpf/%.bpf.c $(BPF_HDRS)
	@$(MKDIR_P) bpf
	$(AM_V_CC)$(CLANG) $(BPF_CFLAGS) $(BPF_CFLAGS_$*) -c $< -o $@
$(BPF_OBJS): bpf/%.bpf.o: bpf/%.tmp.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen object $@ $<
$(BPF_SKELS): bpf/%.skel.h: bpf/%.bpf.o
	$(AM_V_GEN)$(BPFTOOL) gen skeleton $< name $(notdir $*)_bpf > $@.tmp && mv $@.tmp $@

BUILT_SOURCES += $(BPF_SKELS)
CLEANFILES += $(BPF_SKELS) $(BPF_OBJS) $(BPF_TMPOBJS)
EXTRA_DIST += $(BPF_SRCS) $(BPF_HDRS) bpf/vmlinux
