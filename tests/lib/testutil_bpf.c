/* tests/lib/testutil_bpf.c -- for the tests that load BPF (links libbpf). */
#include "build.h"

#include <unistd.h>

#include <bpf/bpf.h>

#include "testutil.h"

const char *
testutil_bpf_unavailable(void)
{
	int	 fd;

	if (geteuid() != 0)
		return "not root";
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
	if (fd < 0)
		return "bpf() unavailable";
	close(fd);
	return NULL;
}
