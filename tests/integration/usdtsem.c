/*
 * tests/integration/usdtsem.c -- the probe of usdtprobe behind a
 * semaphore (a file of its own: <sys/sdt.h> gives every probe of a file
 * a semaphore once _SDT_HAS_SEMAPHORES is set).
 */
#include "build.h"

#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

int	usdt_sem(const char *);

/* tl:sem's semaphore: a tracer attached to the probe makes it non-zero
 * (the uprobe's ref_ctr_offset) */
unsigned short tl_sem_semaphore __attribute__((section(".probes"), used));

/* fire tl:sem(s) if a tracer is attached: 1 if it did */
int
usdt_sem(const char *s)
{
	if (!tl_sem_semaphore)
		return 0;
	STAP_PROBE1(tl, sem, s);
	return 1;
}
