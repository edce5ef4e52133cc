/*
 * collectord/objargs.h -- kernel-object arguments of EV_GENERIC records
 * (bpf/events.h, "Argument payloads by type"): file, path, dentry,
 * linux_binprm, cred, bpf_attr, bpf_prog, bpf_map, perf_event, sock,
 * socket, skb and module payloads are checked against their layout and
 * rendered as Tetragon's protojson objects (file_arg, path_arg,
 * linux_binprm_arg, process_credentials_arg, bpf_attr_arg, bpf_prog_arg,
 * bpf_map_arg, perf_event_arg, sock_arg, skb_arg, module_arg) and in the
 * compact one-line form.  Every payload is untrusted: a malformed one is
 * reported, never rendered.  The names tables (capabilities, BPF program
 * and map types, address families, socket types, IP protocols, TCP
 * states, securebits, module taints) live here too.
 */
#ifndef TRIPLINE_OBJARGS_H
#define TRIPLINE_OBJARGS_H

#include <stddef.h>
#include <stdint.h>

struct dec_arg;
struct jsonw;
struct sbuf;

#define OBJARGS_WHY_MAX		96	/* size of a malformation reason */
#define OBJARGS_NAME_MAX	24	/* dst of the *_name functions */
#define OBJARGS_MODE_MAX	11	/* "-rwsr-xr-x" + NUL */
#define OBJARGS_MODNAME_MAX	63	/* longest module name (bytes) */

/* 1 if arguments of type t (enum pol_arg_type) are rendered here. */
int	objargs_handles(uint8_t t);

/*
 * Check a's payload against its type: exact struct size (perf_event: at
 * least, the rest is the function name), no EVA_TRUNC on a struct, known
 * aux bits, no NUL inside a path or name.  0 if fine; ERR_PARSE with a
 * reason ("malformed cred argument: 60 bytes, expected 72") in why.
 * EVA_ERROR arguments are not checked here (0).
 */
int	objargs_check(const struct dec_arg *a, char *why, size_t whysz);

/*
 * Write the member for a into the open object of w, e.g.
 * "sock_arg":{"family":"AF_INET",...} (the caller opens and closes the
 * argument object and adds the label).  If the payload is malformed
 * nothing is written and ERR_PARSE is returned with the reason in why.
 */
int	objargs_json(struct jsonw *, const struct dec_arg *a, char *why,
	    size_t whysz);

/* The compact form (human output, escaped); "?" if malformed. */
void	objargs_compact(struct sbuf *, const struct dec_arg *a);

/*
 * Names.  Each returns a static name, or for a value without one writes
 * its decimal number into dst (OBJARGS_NAME_MAX bytes) and returns dst,
 * as Tetragon does (an unknown family too).
 */
const char *objargs_cap_name(uint64_t cap);	/* "CAP_SYS_ADMIN", NULL */
const char *objargs_family(uint16_t f, char *dst, size_t dstsz);
const char *objargs_sock_type(uint16_t t, char *dst, size_t dstsz);
const char *objargs_ipproto(uint16_t p, char *dst, size_t dstsz);
const char *objargs_tcp_state(uint8_t s, char *dst, size_t dstsz);
const char *objargs_prog_type(uint32_t t, char *dst, size_t dstsz);
const char *objargs_map_type(uint32_t t, char *dst, size_t dstsz);
const char *objargs_perf_type(uint32_t t, char *dst, size_t dstsz);

/* ls(1)-style permission string of an i_mode ("-rw-r--r--", "drwxrwxrwt";
 * no type letter for an unknown file type, as Tetragon). */
const char *objargs_mode(uint32_t mode, char *dst, size_t dstsz);

#endif
