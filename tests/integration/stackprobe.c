/*
 * tests/integration/stackprobe.c -- a known call chain for the stack
 * trace tests (e2e_stack.sh):
 *
 *   stackprobe N   main -> tl_stack_outer -> tl_stack_middle ->
 *                  tl_stack_inner, which makes the getpgid(N) system
 *                  call itself (no libc wrapper: the frame-pointer walk
 *                  starts in tl_stack_inner)
 *   stackprobe N COUNT   the same COUNT times; prints the mean time of
 *                  one chain in ns (a cost measurement)
 *
 * Built with frame pointers and without inlining of the chain, so the
 * kernel's frame-pointer walk of the user stack sees every function.
 * Prints the call's result and exits 0.
 */
#include "build.h"

#include <sys/syscall.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

long	tl_stack_sink(long);
long	tl_stack_inner(long);
long	tl_stack_middle(long);
long	tl_stack_outer(long);

/* a call after the system call: tl_stack_inner is no leaf, so it keeps
 * its frame pointer */
__attribute__((noinline)) long
tl_stack_sink(long v)
{
	__asm__ volatile ("" : "+r" (v));
	return v;
}

__attribute__((noinline)) long
tl_stack_inner(long pid)
{
	long	 ret;

	__asm__ volatile ("syscall" : "=a" (ret)
	    : "0" ((long)SYS_getpgid), "D" (pid)
	    : "rcx", "r11", "memory");
	return tl_stack_sink(ret) + 0 * pid;
}

__attribute__((noinline)) long
tl_stack_middle(long pid)
{
	long	 r = tl_stack_inner(pid);

	__asm__ volatile ("" ::: "memory");	/* not a tail call */
	return r;
}

__attribute__((noinline)) long
tl_stack_outer(long pid)
{
	long	 r = tl_stack_middle(pid);

	__asm__ volatile ("" ::: "memory");
	return r;
}

int
main(int argc, char **argv)
{
	struct timespec	 t0, t1;
	long		 pid, i, n;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: stackprobe PID [COUNT]\n");
		return 2;
	}
	pid = strtol(argv[1], NULL, 10);
	if (argc == 2) {
		printf("%ld\n", tl_stack_outer(pid));
		return 0;
	}
	n = strtol(argv[2], NULL, 10);
	if (n <= 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++)
		(void)tl_stack_outer(pid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 +
	    (t1.tv_nsec - t0.tv_nsec)) / (double)n);
	return 0;
}
