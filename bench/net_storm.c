/*
 * bench/net_storm.c -- a loopback network storm for run_net_bench.sh.
 *
 *   net_storm tcp N    N times: socket, connect to a listener of this
 *                      process on 127.0.0.1, accept, close both ends
 *                      (the client's close aborts, SO_LINGER 0: no
 *                      TIME_WAIT, so storms can follow each other)
 *   net_storm udp N    N datagrams of 32 bytes from one socket to one on
 *                      127.0.0.1, each received
 *
 * Prints "ops=N secs=S ops_per_s=R".  Only 127.0.0.1 is used.
 */
#include "build.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NS_BACKLOG	128
#define NS_DGRAM	32

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* A socket of type bound to 127.0.0.1 (port chosen by the kernel); its
 * address in sin. */
static int
bound(int type, struct sockaddr_in *sin)
{
	socklen_t	 len = sizeof(*sin);
	int		 fd;

	if ((fd = socket(AF_INET, type, 0)) == -1)
		die("socket");
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)sin, sizeof(*sin)) == -1)
		die("bind");
	if (getsockname(fd, (struct sockaddr *)sin, &len) == -1)
		die("getsockname");
	return fd;
}

static void
tcp_storm(long n)
{
	struct sockaddr_in	 sin;
	struct linger		 lg = { 1, 0 };
	int			 lfd, c, a;
	long			 i;

	lfd = bound(SOCK_STREAM, &sin);
	if (listen(lfd, NS_BACKLOG) == -1)
		die("listen");
	for (i = 0; i < n; i++) {
		if ((c = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			die("socket");
		if (connect(c, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			die("connect");
		if ((a = accept(lfd, NULL, NULL)) == -1)
			die("accept");
		if (setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == -1)
			die("setsockopt");
		close(c);
		close(a);
	}
	close(lfd);
}

static void
udp_storm(long n)
{
	struct sockaddr_in	 sin, src;
	char			 buf[NS_DGRAM];
	int			 r, s;
	long			 i;

	r = bound(SOCK_DGRAM, &sin);
	s = bound(SOCK_DGRAM, &src);
	memset(buf, 'x', sizeof(buf));
	for (i = 0; i < n; i++) {
		if (sendto(s, buf, sizeof(buf), 0, (struct sockaddr *)&sin,
		    sizeof(sin)) != (ssize_t)sizeof(buf))
			die("sendto");
		if (recv(r, buf, sizeof(buf), 0) == -1)
			die("recv");
	}
	close(r);
	close(s);
}

int
main(int argc, char **argv)
{
	struct timespec	 t0, t1;
	double		 secs;
	long		 n;

	if (argc != 3 || (n = strtol(argv[2], NULL, 10)) <= 0 ||
	    (strcmp(argv[1], "tcp") != 0 && strcmp(argv[1], "udp") != 0)) {
		fprintf(stderr, "usage: net_storm tcp|udp N\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (strcmp(argv[1], "tcp") == 0)
		tcp_storm(n);
	else
		udp_storm(n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("ops=%ld secs=%.6f ops_per_s=%.0f\n", n, secs,
	    (double)n / secs);
	return 0;
}
