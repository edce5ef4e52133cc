/*
 * tests/integration/unreadarg.c -- symlinkat(TARGET, AT_FDCWD, LINK) with
 * TARGET in memory a BPF program at sys_enter cannot read: BPF does not
 * fault pages in, the kernel's own copy does.  Used by e2e_unread.sh.
 *
 *   unreadarg rodata LINK        TARGET "/nonexistent/passwd", a literal
 *                                alone in a 64 KiB block of read-only data
 *                                (fault-around maps at most that much of
 *                                a file around a touched page)
 *   unreadarg rodata-other LINK  the same with "/nonexistent/shadow"
 *   unreadarg mmap TARGET LINK   TARGET written to a fresh file, mapped,
 *                                the mapping never touched before the call
 *   unreadarg stack TARGET LINK  TARGET copied to the stack first
 *   unreadarg efault LINK        TARGET in a PROT_NONE page (the kernel
 *                                cannot read it either: EFAULT)
 *   unreadarg pageend TARGET LINK
 *                                TARGET the last bytes of a page (its NUL
 *                                the page's last byte) before a PROT_NONE
 *                                page: readable, but a read of more bytes
 *                                than the string has fails
 *   unreadarg uffd TARGET LINK   TARGET and LINK each in a userfaultfd page;
 *                                the handler fills each page as the kernel
 *                                asks, and once the second is asked for it
 *                                drops the first again, so the argument
 *                                the kernel copied first is gone (not
 *                                readable) by the time the call returns.
 *                                stderr names the argument copied first.
 * Prints "ret R errno E" and exits 0 when the call returned.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/userfaultfd.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK	65536

/* each literal alone in its own 64 KiB block: nothing else touches it */
static const char lit_passwd[BLOCK] __attribute__((aligned(BLOCK))) =
    "/nonexistent/passwd";
static const char lit_shadow[BLOCK] __attribute__((aligned(BLOCK))) =
    "/nonexistent/shadow";

static int
call(const char *target, const char *link)
{
	long	 r;

	r = syscall(SYS_symlinkat, target, AT_FDCWD, link);
	printf("ret %ld errno %d\n", r, r < 0 ? errno : 0);
	return 0;
}

static int
do_mmap(const char *target, const char *link)
{
	char	 tmpl[] = "/tmp/unreadarg.XXXXXX";
	char	*p;
	int	 fd;

	if ((fd = mkstemp(tmpl)) < 0 || unlink(tmpl) != 0 ||
	    write(fd, target, strlen(target) + 1) !=
	    (ssize_t)strlen(target) + 1) {
		perror("unreadarg: file");
		return 2;
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("unreadarg: mmap");
		return 2;
	}
	return call(p, link);
}

static int
do_stack(const char *target, const char *link)
{
	char	 buf[256];

	snprintf(buf, sizeof(buf), "%s", target);
	return call(buf, link);
}

static int
do_pageend(const char *target, const char *link)
{
	size_t	 n = strlen(target) + 1;
	char	*p;

	if (n > 4096) {
		fprintf(stderr, "unreadarg: target too long\n");
		return 2;
	}
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p + 4096, 4096, PROT_NONE) != 0) {
		perror("unreadarg: mmap");
		return 2;
	}
	memcpy(p + 4096 - n, target, n);
	return call(p + 4096 - n, link);
}

static int
do_efault(const char *link)
{
	char	*p;

	p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("unreadarg: mmap");
		return 2;
	}
	return call(p, link);
}

struct uffd_job {
	int	 fd;
	char	*pages;		/* two pages: TARGET, LINK */
	char	 content[2][4096];
};

static void *
uffd_handler(void *arg)
{
	struct uffd_job		*j = arg;
	struct uffd_msg		 m;
	struct uffdio_copy	 c;
	uintptr_t		 a;
	int			 n = 0, first = -1, i;

	while (n < 2 && read(j->fd, &m, sizeof(m)) == sizeof(m)) {
		if (m.event != UFFD_EVENT_PAGEFAULT)
			continue;
		a = m.arg.pagefault.address & ~(uintptr_t)4095;
		i = a == (uintptr_t)j->pages ? 0 : 1;
		if (first < 0) {
			first = i;
			fprintf(stderr, "unreadarg: kernel copied %s first\n",
			    i == 0 ? "TARGET" : "LINK");
		} else if (i != first) {
			/* the first argument was copied: drop its page */
			madvise(j->pages + first * 4096, 4096, MADV_DONTNEED);
		}
		memset(&c, 0, sizeof(c));
		c.dst = a;
		c.src = (uintptr_t)j->content[i];
		c.len = 4096;
		if (ioctl(j->fd, UFFDIO_COPY, &c) != 0 && errno != EEXIST) {
			perror("unreadarg: UFFDIO_COPY");
			break;
		}
		n++;
	}
	return NULL;
}

static int
do_uffd(const char *target, const char *link)
{
	static struct uffd_job	 j;
	struct uffdio_api	 api = { .api = UFFD_API };
	struct uffdio_register	 reg;
	pthread_t		 t;

	j.fd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (j.fd < 0 || ioctl(j.fd, UFFDIO_API, &api) != 0) {
		perror("unreadarg: userfaultfd");
		return 2;
	}
	j.pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (j.pages == MAP_FAILED) {
		perror("unreadarg: mmap");
		return 2;
	}
	snprintf(j.content[0], sizeof(j.content[0]), "%s", target);
	snprintf(j.content[1], sizeof(j.content[1]), "%s", link);
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)j.pages;
	reg.range.len = 8192;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(j.fd, UFFDIO_REGISTER, &reg) != 0) {
		perror("unreadarg: UFFDIO_REGISTER");
		return 2;
	}
	if (pthread_create(&t, NULL, uffd_handler, &j) != 0)
		return 2;
	call(j.pages, j.pages + 4096);
	pthread_join(t, NULL);
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc == 3 && strcmp(argv[1], "rodata") == 0)
		return call(lit_passwd, argv[2]);
	if (argc == 3 && strcmp(argv[1], "rodata-other") == 0)
		return call(lit_shadow, argv[2]);
	if (argc == 3 && strcmp(argv[1], "efault") == 0)
		return do_efault(argv[2]);
	if (argc == 4 && strcmp(argv[1], "mmap") == 0)
		return do_mmap(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "stack") == 0)
		return do_stack(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "pageend") == 0)
		return do_pageend(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "uffd") == 0)
		return do_uffd(argv[2], argv[3]);
	fprintf(stderr, "usage: unreadarg rodata|rodata-other|efault LINK\n"
	    "       unreadarg mmap|stack|pageend|uffd TARGET LINK\n");
	return 2;
}
