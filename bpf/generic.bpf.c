// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/generic.bpf.c -- the generic policy programs.  Nothing is generated
 * per policy: loaderd (loaderd/policy_load.c and its pl_*.c rooms)
 * writes the configuration described in bpf/hook.h into the maps and
 * attaches these programs.
 *
 * Programs (names are part of the loader contract):
 *   sys_enter       raw_tracepoint/sys_enter: syscall hooks through
 *                   sys_hooks[nr]; HOOK_F_AT_EXIT hooks only run their
 *                   entry-side filters here and hand off to sys_exit
 *   sys_exit        raw_tracepoint/sys_exit: HOOK_F_AT_EXIT hooks (return
 *                   value, returnCopy, matchReturnArgs), the Override
 *                   bookkeeping and HOOK_F_REREAD hits sys_enter could not
 *                   decide; only needed while such a hook exists
 *   generic_tp      SEC("tracepoint"), no target: attached by the loader
 *                   once per tracepoint with bpf_program__attach_tracepoint
 *                   _opts, bpf_cookie = the tracepoint's id (tracefs
 *                   events/SUB/EV/id); hooks through tp_hooks[that id]
 *   generic_uprobe  SEC("uprobe"), no target: attached per uprobe with
 *                   bpf_cookie = hook id
 *   generic_exec    SEC("raw_tp"), never attached: the loader stores its fd
 *                   in the process programs' exec_tail[0] (prog array);
 *                   handle_exec tail-calls it to set the followChildren
 *                   bits of the new image (delete the slot when no policy
 *                   is loaded)
 * On demand only (SEC("?..."): not in the main load; loaderd's
 * bpfl_instance() loads them in another instance of this object that
 * shares every map):
 *   generic_kprobe, generic_kretprobe   kernel functions, cookie = hook id
 *   generic_uretprobe   return probe of a uprobe hook with a return value
 *                   (cookie = hook id; its entry side is generic_uprobe)
 *   generic_lsm, generic_fmodret, generic_fentry   one instance per hook,
 *                   tl_fn_hook = hook id, attach target set by the loader
 *   generic_rawtp   raw: true tracepoints, one instance per hook
 *                   (tl_fn_hook = hook id), attached to the raw
 *                   tracepoint by the loader
 *   ovr_lsm, ovr_file_permission, ovr_kprobe   Override executors of
 *                   syscall hooks (struct ovr_pend, bpf/hook.h)
 * Maps: hooks selectors sys_hooks tp_hooks inmap hook_stats pending
 * ratelimit fdfollow gheap (generic_maps.bpf.h), heap (own scratch),
 * events execmap stats execbin (maps.bpf.h: the loader makes them the
 * process programs' maps with bpf_map__reuse_fd).
 *
 * Evaluation of one hook hit (Tetragon's semantics):
 *   1. process filters of every selector (matchPIDs, matchNamespaces,
 *      matchCapabilities, matchBinaries, matchParentBinaries); none
 *      passes -> done, cheaply
 *      (matchBinaries In/Equal is mostly decided by the path's length:
 *      the path is copied only when a value could match);
 *   2. matchArgs entries on integer arguments, straight from the raw
 *      values: a selector failing one is out before any string or buffer
 *      is read;
 *   3. capture the arguments up to the last one a remaining selector
 *      still needs (the record keeps argument order), and run the
 *      matchArgs of those selectors, in order: the first selector whose
 *      filters all pass wins (no selectors: every hit);
 *   4. capture the rest of the record; the selector's actions run, then
 *      the record is written unless one of them is NoPost (an explicit
 *      Post only adds its rateLimit).
 * HOOK_F_AT_EXIT syscall hooks do 1-3 at entry, save the raw arguments and
 * the selectors that passed (pending[pid_tgid]), and at exit capture the
 * arguments again (returnCopy buffers now, from the saved pointer) plus the
 * return value, take the first saved selector whose matchReturnArgs pass,
 * and run its matchActions and matchReturnActions there.
 *
 * Fast path: a syscall nobody hooks costs one array lookup; a disabled
 * hook one more.  Arguments are read (pt_regs via bpf_task_pt_regs, no
 * probe read, once per hit) only once a selector got past its process
 * filters.  bench/OPENAT.md has the measured cost of each path.
 *
 * Verifier notes: the work is split into global functions (gen_*), which
 * the verifier checks once each, for any arguments, instead of once per
 * caller state; so loops over hooks, selectors, entries and values are
 * plain bounded loops that cost a call per iteration to verify.  Global
 * functions only take scalars and the struct gctx memory: they look the
 * maps up again by index (array lookups are inlined).  About 170k
 * instructions are processed per program (limit 1M; Linux 6.1's verifier
 * is the strictest target: a function whose loops combine many masks
 * and counts is split into several, see gen_args_filter).  Needs 5.17+
 * (bpf_loop in generic_exec, global functions with pointer args);
 * bpf_task_pt_regs (5.15) with a probe-read fallback.
 *
 * User memory is read without faulting pages in: a syscall argument in a
 * page the task never touched reads as EVA_ERROR | EVA_FAULT, its
 * matchArgs entry is undecided (gen_matcharg: 2), and a HOOK_F_REREAD
 * hook hands the selectors it left undecided to sys_exit (pending[],
 * gen_pending.late), which reads the arguments again and decides there
 * (gen_exit_pick: fail-closed/open for what is still unreadable; an
 * Override is carried out at entry or not at all, gen_defer_ovr); the
 * record gets EVG_F_LATE.  Elsewhere an unreadable argument's entry fails.
 * fd arguments of an AT_EXIT hook are resolved at exit (close()d by the
 * call: the FollowFD name or EVA_ERROR).
 *
 * Layout: this file is the one compilation unit; it includes the parts
 * in bpf/generic/ (*.bpf.h: never compiled alone), in dependency order:
 *   ctx          constants, the hit in progress (struct gctx), accessors
 *   strcmp       string compares against selector values
 *   objects      kernel-object readers (paths, sock, skb, cred, bpf, ...)
 *   args         argument readers and the capture into the record
 *   parentbin    matchParentBinaries, a process's execbin entry
 *   filter       matchArgs, process filters, the entry-side pipeline
 *   actions      matchActions and the record
 *   hook         one hit of a hook (gen_hook_run), dispatch
 *   tracepoint   programs sys_enter, sys_exit, generic_tp
 *   uprobe       generic_uprobe, generic_uretprobe
 *   kprobe       generic_kprobe, generic_kretprobe
 *   fn           generic_lsm, generic_fmodret, generic_fentry,
 *                generic_rawtp
 *   override     ovr_lsm, ovr_file_permission, ovr_kprobe
 *   exec         generic_exec
 * Why #includes into one unit and not one .bpf.c per family linked with
 * `bpftool gen object`: loaderd uses one skeleton of this object and
 * opens it again for every lsm/fmod_ret/fentry hook instance, reusing
 * every map by name.  Linking units would need every shared map and
 * global function declared extern in each of them and the same .rodata
 * (tl_fn_hook) across them, on the linker of every distribution's
 * bpftool, for no gain: the verifier checks the programs the same way
 * either way.  The includes give the same file split and leave the
 * object's programs, maps and sections as they were.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "hook.h"
#include "maps.bpf.h"
#include "helpers.bpf.h"
#include "generic_maps.bpf.h"
#include "sockown.bpf.h"
#include "procfilter.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#include "generic/ctx.bpf.h"
#include "generic/strcmp.bpf.h"
#include "generic/objects.bpf.h"
#include "generic/args.bpf.h"
#include "generic/parentbin.bpf.h"
#include "generic/filter.bpf.h"
#include "generic/actions.bpf.h"
#include "generic/hook.bpf.h"
#include "generic/tracepoint.bpf.h"
#include "generic/uprobe.bpf.h"
#include "generic/kprobe.bpf.h"
#include "generic/fn.bpf.h"
#include "generic/override.bpf.h"
#include "generic/exec.bpf.h"
