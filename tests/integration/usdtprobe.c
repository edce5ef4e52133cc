/*
 * tests/integration/usdtprobe.c -- SystemTap SDT probes (<sys/sdt.h>,
 * Debian's systemtap-sdt-dev) for the usdts tests:
 *
 *   usdtprobe hit STR N   fire tl:hit(STR, (int)N, (long)N * 2)
 *   usdtprobe sem STR     fire tl:sem(STR) if its semaphore is set (it is
 *                         while a tracer is attached to the probe)
 *
 * Prints "fired" or "sem=0" and exits 0, so a test can tell "the probe
 * ran and the process went on" from "the process was killed".
 */
#include "build.h"

#include <sys/sdt.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	usdt_sem(const char *);		/* usdtsem.c */

int
main(int argc, char **argv)
{
	const char	*s;
	int		 n;
	long		 l;

	if (argc == 4 && strcmp(argv[1], "hit") == 0) {
		s = argv[2];
		n = atoi(argv[3]);
		l = (long)n * 2;
		STAP_PROBE3(tl, hit, s, n, l);
		printf("fired\n");
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "sem") == 0) {
		printf("%s\n", usdt_sem(argv[2]) ? "fired" : "sem=0");
		return 0;
	}
	fprintf(stderr, "usage: usdtprobe hit STR N | sem STR\n");
	return 2;
}
