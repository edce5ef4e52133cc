/*
 * tests/integration/racer.c -- a second thread flips a path between a
 * harmless and a protected name while this one opens it, for a while:
 * the race against a hook that decides on the caller's memory at
 * sys_enter while the kernel copies the path a moment later.
 *
 *   racer SECONDS DIR [still]
 *   racer SECONDS connect OKADDR BADADDR PORT
 *
 * DIR must hold the files "allowed" (content "A") and "blocked" (content
 * "B").  The path buffer is DIR + "/" padded to a multiple of 8 bytes
 * with "/" characters, then the 8-byte word "allowed\0" or "blocked\0",
 * flipped with one aligned store, so every open sees one name or the
 * other, whole.  Each open that succeeds is read to tell which file it
 * opened.  Prints
 *   opens N allowed N blocked N refused N other N
 * (refused: EPERM or EACCES; other: any other error) and exits 0.
 * still: no second thread; this one alternates the two names between its
 * opens (the same calls, no race).  SIGUSR1 is ignored (a policy may
 * signal the opens it matches).
 * chmod, unlink, mkdir, rename, link (racer SECONDS OP DIR): the same
 * race with fchmodat(2), unlinkat(2), mkdirat(2), renameat2(2) (to
 * DIR/moved) or linkat(2) (to DIR/linked) on the flipped path.  DIR holds
 * "allowed" and "blocked" (files, except for mkdir; chmod: the modes are
 * set to 0644).  Which one the call acted on is seen afterwards (a mode,
 * a file gone, a directory made, the link's inode) and undone: with
 * calls a policy on the raced syscall does not see (fchmod, open
 * O_CREAT, rmdir, unlink), or for rename with renameat2 back from
 * "moved" (a name that policy does not block).  Prints "OPs N allowed N
 * blocked N refused N other N".
 * exec (racer SECONDS exec DIR): a forked child starts the flipper
 * thread, waits until it has flipped, and execve(2)s the flipped path; DIR's "allowed" and "blocked"
 * are programs that exit 0 and 1 (copies of true and false); the
 * child's exit status tells which ran (100: execve refused with EPERM
 * or EACCES; 101: another error).  Prints "execs N allowed N blocked N
 * refused N other N".
 *   racer once OP PATH [NEWPATH]: one fchmodat (mode 0600), unlinkat,
 * mkdirat, renameat2 or linkat of PATH (to NEWPATH) as given (relative to
 * the working directory if relative): prints "ret=R errno=E".
 * bind, sendto: see addrops().
 * connect: the same with TCP connect()s to PORT, the IPv4 address of the
 * sockaddr flipped between OKADDR and BADADDR (one aligned 8-byte store);
 * listeners on both, drained as it goes; each connect that succeeds is
 * told apart by getpeername() (the address the kernel connected to).
 * Prints "connects N allowed N blocked N refused N other N".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PATHMAX	256

static union {
	uint64_t	w[PATHMAX / 8];
	char		c[PATHMAX];
} path;
static volatile uint64_t *word;
static volatile int stop;
static volatile unsigned long flips;	/* flipper rounds (exec mode) */
static uint64_t name_ok, name_bad;

static void *
flipper(void *arg)
{
	volatile unsigned i;

	(void)arg;
	/* as long in one state as in the other: wherever this thread is
	 * preempted (one CPU), the name the other one sees is either */
	while (!stop) {
		flips++;
		*word = name_bad;
		for (i = 0; i < 200; i++)
			;
		*word = name_ok;
		for (i = 0; i < 200; i++)
			;
	}
	return NULL;
}

/* path = DIR + "/" padded to a multiple of 8 bytes, then the word the
 * flipper flips between "allowed" and "blocked" (starting "allowed") */
static void
flip_path(const char *dir)
{
	size_t n = strlen(dir);

	if (n > PATHMAX - 24) {
		fprintf(stderr, "racer: directory name too long\n");
		exit(2);
	}
	memcpy(&name_ok, "allowed", 8);
	memcpy(&name_bad, "blocked", 8);
	memcpy(path.c, dir, n);
	do
		path.c[n++] = '/';
	while (n % 8 != 0);
	word = &path.w[n / 8];
	*word = name_ok;
}

/* the sockaddr of connect: its first 8 bytes (family, port, address)
 * are the word the flipper flips */
static union {
	uint64_t		w[2];
	struct sockaddr_in	sa;
} dst;

static int
listener(uint32_t addr, int port)
{
	struct sockaddr_in a;
	int fd, one = 1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = addr;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 || bind(fd, (void *)&a, sizeof(a)) != 0 ||
	    listen(fd, 1024) != 0) {
		perror("listener");
		exit(1);
	}
	return fd;
}

static double now(void);

/* racer SECONDS connect OKADDR BADADDR PORT */
static int
connects(char **argv)
{
	unsigned long n = 0, ok = 0, bad = 0, refused = 0, other = 0;
	struct sockaddr_in peer;
	uint32_t addr_ok, addr_bad;
	socklen_t plen;
	pthread_t th;
	double end;
	int l1, l2, fd, c;

	if (inet_pton(AF_INET, argv[3], &addr_ok) != 1 ||
	    inet_pton(AF_INET, argv[4], &addr_bad) != 1) {
		fprintf(stderr, "racer: bad address\n");
		return 2;
	}
	l1 = listener(addr_ok, atoi(argv[5]));
	l2 = listener(addr_bad, atoi(argv[5]));
	dst.sa.sin_family = AF_INET;
	dst.sa.sin_port = htons(atoi(argv[5]));
	dst.sa.sin_addr.s_addr = addr_bad;
	name_bad = dst.w[0];
	dst.sa.sin_addr.s_addr = addr_ok;
	name_ok = dst.w[0];
	word = &dst.w[0];
	if (pthread_create(&th, NULL, flipper, NULL) != 0) {
		perror("pthread_create");
		return 1;
	}
	end = now() + atof(argv[1]);
	while (now() < end) {
		n++;
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0) {
			other++;
			continue;
		}
		plen = sizeof(peer);
		if (connect(fd, (void *)&dst.sa, sizeof(dst.sa)) != 0)
			(errno == EPERM || errno == EACCES) ? refused++ :
			    other++;
		else if (getpeername(fd, (void *)&peer, &plen) != 0)
			other++;
		else if (peer.sin_addr.s_addr == addr_ok)
			ok++;
		else if (peer.sin_addr.s_addr == addr_bad)
			bad++;
		else
			other++;
		close(fd);
		while ((c = accept(l1, NULL, NULL)) >= 0)
			close(c);
		while ((c = accept(l2, NULL, NULL)) >= 0)
			close(c);
	}
	stop = 1;
	pthread_join(th, NULL);
	printf("connects %lu allowed %lu blocked %lu refused %lu other %lu\n",
	    n, ok, bad, refused, other);
	return 0;
}

/* one call of OP (chmod, unlink, mkdir; rename, link: to np) on p */
static int
pathop(const char *op, const char *p, mode_t mode, const char *np)
{
	if (strcmp(op, "rename") == 0)
		return (int)syscall(SYS_renameat2, AT_FDCWD, p, AT_FDCWD, np,
		    0);
	if (strcmp(op, "link") == 0)
		return (int)syscall(SYS_linkat, AT_FDCWD, p, AT_FDCWD, np, 0);
	if (strcmp(op, "chmod") == 0)
		return (int)syscall(SYS_fchmodat, AT_FDCWD, p, mode);
	if (strcmp(op, "unlink") == 0)
		return (int)syscall(SYS_unlinkat, AT_FDCWD, p, 0);
	if (strcmp(op, "mkdir") == 0)
		return (int)syscall(SYS_mkdirat, AT_FDCWD, p, 0755);
	errno = EINVAL;
	return -1;
}

/* racer SECONDS exec DIR */
static int
execs(char **argv)
{
	unsigned long n = 0, ok = 0, bad = 0, refused = 0, other = 0;
	char *cargv[] = { "racer-exec", NULL }, *cenv[] = { NULL };
	pthread_t th;
	double end;
	pid_t pid;
	int st;

	flip_path(argv[3]);
	end = now() + atof(argv[1]);
	while (now() < end) {
		n++;
		if ((pid = fork()) == -1) {
			other++;
			continue;
		}
		if (pid == 0) {
			if (pthread_create(&th, NULL, flipper, NULL) != 0)
				_exit(101);
			/* one CPU: let the flipper run before the exec */
			while (flips < 2)
				sched_yield();
			execve(path.c, cargv, cenv);
			_exit(errno == EPERM || errno == EACCES ? 100 : 101);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
			other++;
		else if (WEXITSTATUS(st) == 0)
			ok++;
		else if (WEXITSTATUS(st) == 1)
			bad++;
		else if (WEXITSTATUS(st) == 100)
			refused++;
		else
			other++;
	}
	printf("execs %lu allowed %lu blocked %lu refused %lu other %lu\n",
	    n, ok, bad, refused, other);
	return 0;
}

/* racer SECONDS OP DIR (OP chmod, unlink, mkdir) */
static int
pathops(char **argv)
{
	unsigned long calls = 0, ok = 0, bad = 0, refused = 0, other = 0;
	const char *op = argv[2];
	char pa[PATHMAX + 16], pb[PATHMAX + 16], pn[PATHMAX + 16];
	struct stat sa, sb, sn;
	mode_t mode = 0600;
	pthread_t th;
	double end;
	int fa = -1, fb = -1, r;

	flip_path(argv[3]);
	snprintf(pa, sizeof(pa), "%s/allowed", argv[3]);
	snprintf(pb, sizeof(pb), "%s/blocked", argv[3]);
	snprintf(pn, sizeof(pn), "%s/%s", argv[3],
	    strcmp(op, "rename") == 0 ? "moved" : "linked");
	if ((strcmp(op, "link") == 0 || strcmp(op, "rename") == 0) &&
	    (stat(pa, &sa) != 0 || stat(pb, &sb) != 0)) {
		perror("racer: allowed, blocked");
		return 1;
	}
	if (strcmp(op, "chmod") == 0 && ((fa = open(pa, O_RDONLY)) < 0 ||
	    (fb = open(pb, O_RDONLY)) < 0 || fchmod(fa, 0644) != 0 ||
	    fchmod(fb, 0644) != 0)) {
		perror("racer: chmod files");
		return 1;
	}
	if (pthread_create(&th, NULL, flipper, NULL) != 0) {
		perror("pthread_create");
		return 1;
	}
	end = now() + atof(argv[1]);
	while (now() < end) {
		calls++;
		mode = mode == 0600 ? 0640 : 0600;
		r = pathop(op, path.c, mode, pn);
		if (r != 0) {
			(errno == EPERM || errno == EACCES) ? refused++ :
			    other++;
			continue;
		}
		if (fa >= 0) {
			/* chmod: the file whose mode is now mode */
			if (fstat(fa, &sa) != 0 || fstat(fb, &sb) != 0)
				other++;
			else if ((sb.st_mode & 07777) != 0644) {
				bad++;
				if (fchmod(fb, 0644) != 0)
					other++;
			} else if ((sa.st_mode & 07777) == mode)
				ok++;
			else
				other++;
		} else if (strcmp(op, "link") == 0) {
			/* the inode the new link names */
			if (stat(pn, &sn) != 0)
				other++;
			else if (sn.st_ino == sb.st_ino)
				bad++;
			else if (sn.st_ino == sa.st_ino)
				ok++;
			else
				other++;
			if (unlink(pn) != 0)
				other++;
		} else if (strcmp(op, "rename") == 0) {
			/* the name that is gone, moved back */
			if (access(pb, F_OK) != 0) {
				bad++;
				r = pathop(op, pn, 0, pb);
			} else if (access(pa, F_OK) != 0) {
				ok++;
				r = pathop(op, pn, 0, pa);
			} else {
				other++;
				continue;
			}
			if (r != 0)
				other++;
		} else if (strcmp(op, "unlink") == 0) {
			/* the file that is gone, made again */
			if (access(pb, F_OK) != 0) {
				bad++;
				r = open(pb, O_CREAT | O_WRONLY, 0644);
			} else if (access(pa, F_OK) != 0) {
				ok++;
				r = open(pa, O_CREAT | O_WRONLY, 0644);
			} else {
				other++;
				continue;
			}
			if (r < 0)
				other++;
			else
				close(r);
		} else {
			/* mkdir: the directory that appeared, removed */
			if (rmdir(pb) == 0)
				bad++;
			else if (rmdir(pa) == 0)
				ok++;
			else
				other++;
		}
	}
	stop = 1;
	pthread_join(th, NULL);
	printf("%ss %lu allowed %lu blocked %lu refused %lu other %lu\n",
	    op, calls, ok, bad, refused, other);
	return 0;
}

/*
 * racer SECONDS bind|sendto OKADDR BADADDR PORT: the sockaddr flipped as
 * for connect.  bind: a TCP socket bound to it (getsockname tells which
 * address the kernel bound), closed again.  sendto: a UDP datagram sent
 * to it, with a UDP socket bound on each address (the one that receives
 * it tells which).  Prints "binds|sendtos N allowed N blocked N refused
 * N other N".
 */
static int
addrops(char **argv)
{
	unsigned long n = 0, ok = 0, bad = 0, refused = 0, other = 0;
	int sendto_ = strcmp(argv[2], "sendto") == 0;
	struct sockaddr_in me, a;
	uint32_t addr_ok, addr_bad;
	socklen_t len;
	pthread_t th;
	double end;
	int fd = -1, r1 = -1, r2 = -1, one = 1;
	char c;

	if (inet_pton(AF_INET, argv[3], &addr_ok) != 1 ||
	    inet_pton(AF_INET, argv[4], &addr_bad) != 1) {
		fprintf(stderr, "racer: bad address\n");
		return 2;
	}
	dst.sa.sin_family = AF_INET;
	dst.sa.sin_port = htons(atoi(argv[5]));
	dst.sa.sin_addr.s_addr = addr_bad;
	name_bad = dst.w[0];
	dst.sa.sin_addr.s_addr = addr_ok;
	name_ok = dst.w[0];
	word = &dst.w[0];
	if (sendto_) {
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_port = dst.sa.sin_port;
		a.sin_addr.s_addr = addr_ok;
		r1 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		r2 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (r1 < 0 || r2 < 0 || bind(r1, (void *)&a, sizeof(a)) != 0) {
			perror("racer: receiver");
			return 1;
		}
		a.sin_addr.s_addr = addr_bad;
		if (bind(r2, (void *)&a, sizeof(a)) != 0 ||
		    (fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0) {
			perror("racer: receiver");
			return 1;
		}
	}
	if (pthread_create(&th, NULL, flipper, NULL) != 0) {
		perror("pthread_create");
		return 1;
	}
	end = now() + atof(argv[1]);
	while (now() < end) {
		n++;
		if (sendto_) {
			if (sendto(fd, "x", 1, 0, (void *)&dst.sa,
			    sizeof(dst.sa)) != 1) {
				(errno == EPERM || errno == EACCES) ?
				    refused++ : other++;
				continue;
			}
			/* loopback: queued at the receiver by now */
			if (recv(r1, &c, 1, 0) == 1)
				ok++;
			else if (recv(r2, &c, 1, 0) == 1)
				bad++;
			else
				other++;
			continue;
		}
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0) {
			other++;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		len = sizeof(me);
		if (bind(fd, (void *)&dst.sa, sizeof(dst.sa)) != 0)
			(errno == EPERM || errno == EACCES) ? refused++ :
			    other++;
		else if (getsockname(fd, (void *)&me, &len) != 0)
			other++;
		else if (me.sin_addr.s_addr == addr_ok)
			ok++;
		else if (me.sin_addr.s_addr == addr_bad)
			bad++;
		else
			other++;
		close(fd);
	}
	stop = 1;
	pthread_join(th, NULL);
	printf("%ss %lu allowed %lu blocked %lu refused %lu other %lu\n",
	    argv[2], n, ok, bad, refused, other);
	return 0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	unsigned long opens = 0, ok = 0, bad = 0, refused = 0, other = 0;
	pthread_t th;
	double end;
	char c;
	int fd;

	int still;

	if (argc == 6 && strcmp(argv[2], "connect") == 0)
		return connects(argv);
	if (argc == 6 && (strcmp(argv[2], "bind") == 0 ||
	    strcmp(argv[2], "sendto") == 0))
		return addrops(argv);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "once") == 0) {
		int r = pathop(argv[2], argv[3], 0600, argv[4]);

		printf("ret=%d errno=%d\n", r, r == 0 ? 0 : errno);
		return 0;
	}
	if (argc == 4 && strcmp(argv[2], "exec") == 0)
		return execs(argv);
	if (argc == 4 && (strcmp(argv[2], "chmod") == 0 ||
	    strcmp(argv[2], "unlink") == 0 || strcmp(argv[2], "mkdir") == 0 ||
	    strcmp(argv[2], "rename") == 0 || strcmp(argv[2], "link") == 0))
		return pathops(argv);
	still = argc == 4 && strcmp(argv[3], "still") == 0;
	if ((argc != 3 && !still) || strlen(argv[2]) > PATHMAX - 24) {
		fprintf(stderr, "usage: racer SECONDS DIR [still] | "
		    "SECONDS connect|bind|sendto OKADDR BADADDR PORT | SECONDS "
		    "chmod|unlink|mkdir|rename|link|exec DIR | once "
		    "chmod|unlink|mkdir|rename|link PATH [NEWPATH]\n");
		return 2;
	}
	signal(SIGUSR1, SIG_IGN);
	flip_path(argv[2]);
	if (!still && pthread_create(&th, NULL, flipper, NULL) != 0) {
		perror("pthread_create");
		return 1;
	}
	end = now() + atof(argv[1]);
	while (now() < end) {
		opens++;
		if (still)
			*word = opens & 1 ? name_bad : name_ok;
		fd = open(path.c, O_RDONLY);
		if (fd < 0) {
			if (errno == EPERM || errno == EACCES)
				refused++;
			else
				other++;
			continue;
		}
		if (read(fd, &c, 1) != 1)
			other++;
		else if (c == 'A')
			ok++;
		else if (c == 'B')
			bad++;
		else
			other++;
		close(fd);
	}
	stop = 1;
	if (!still)
		pthread_join(th, NULL);
	printf("opens %lu allowed %lu blocked %lu refused %lu other %lu\n",
	    opens, ok, bad, refused, other);
	return 0;
}
