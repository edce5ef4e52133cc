/*
 * tests/fuzz/fuzz_config.c -- a tripline.yaml document through the
 * configuration loader (config_load over the defaults, as loaderd runs
 * it).  config_load takes a path: the input goes to a memfd opened by
 * its /proc/self/fd name.
 */
#include "build.h"

#include <sys/mman.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int	 fd = -1;
	static char	 path[64];
	struct tripline_config cfg;
	char		 err[512];

	if (fd == -1) {
		if ((fd = memfd_create("fuzz-config", MFD_CLOEXEC)) == -1)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) == -1 ||
	    pwrite(fd, data, len, 0) != (ssize_t)len)
		abort();
	config_defaults(&cfg);
	(void)config_load(path, &cfg, err, sizeof(err));
	config_clear(&cfg);
	return 0;
}
