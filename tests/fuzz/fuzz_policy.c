/*
 * tests/fuzz/fuzz_policy.c -- a TracingPolicy YAML document through the
 * policy parser and validator (policy_load_buf: what loaderd runs on a
 * policy file or on `triplinectl policy add` input).
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>

#include "policy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct policy	*p = NULL;
	char		 err[512];

	if (policy_load_buf("fuzz.yaml", (const char *)data, len, &p, err,
	    sizeof(err)) == 0)
		policy_free(p);
	return 0;
}
