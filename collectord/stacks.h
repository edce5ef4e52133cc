/*
 * collectord/stacks.h -- symbolise the stack traces of policy records
 * (Post kernelStackTrace / userStackTrace) into Tetragon's
 * kernel_stack_trace / user_stack_trace arrays.
 *
 * Kernel frames: /proc/kallsyms, read from an fd loaderd opened (since
 * Linux 5.8 the file shows addresses by the credentials of its opener,
 * so collectord, unprivileged, reads real addresses through it).  User
 * frames: the build id + file offset the BPF program recorded, matched
 * to the process's executable or to a library of the standard library
 * directories by the files' GNU build-id notes, then .symtab / .dynsym.
 * Every file read is untrusted input: the ELF and kallsyms readers check
 * every offset and size and cap what they load.
 */
#ifndef TRIPLINE_STACKS_H
#define TRIPLINE_STACKS_H

#include <stddef.h>
#include <stdint.h>

struct dec_event;
struct sbuf;
struct stk;

#define STK_BUILD_ID_MAX	20

/* expose: write "address" (hides nothing; defeats KASLR/ASLR). */
struct stk	*stk_new(int expose);
void		 stk_free(struct stk *);
/* The /proc/kallsyms fd from loaderd (taken; read again after a miss). */
void		 stk_set_kallsyms(struct stk *, int fd);
/* Library directories searched by build id (NULL-terminated; tests). */
void		 stk_set_libdirs(struct stk *, const char *const *dirs);

/*
 * The stack area of ev (ev->has_stack) as JSON arrays of
 * {"address","offset","symbol","module"} into kjson / ujson (reset
 * first; left empty when the record has no such frames).  exe: the
 * process's binary path, or NULL.
 */
void	stk_render(struct stk *, const struct dec_event *ev, const char *exe,
	    struct sbuf *kjson, struct sbuf *ujson);

/* Readers, exposed for the tests and the fuzz target. */
/* kallsyms text into the symboliser's kernel table: symbols kept. */
size_t	stk_kallsyms_load(struct stk *, const char *text, size_t len);
/*
 * An ELF image in memory: its GNU build id (*bidlen bytes into bid, 0 if
 * none) and the function symbol covering file offset off (name into
 * sym, *symoff = offset into it).  1 if a symbol was found, 0 if not, -1
 * if the image is not a readable 64-bit ELF.
 */
int	stk_elf_mem(const void *img, size_t len, uint64_t off, uint8_t *bid,
	    size_t *bidlen, char *sym, size_t symsz, uint64_t *symoff);

#endif
