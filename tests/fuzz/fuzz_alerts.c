/*
 * tests/fuzz/fuzz_alerts.c -- an alerts.yaml document through the alerts
 * parser (alerts_parse: loaderd on the file, collectord and notifierd on
 * what loaderd sends them).  A document that parses must redact
 * (alerts_redact: the copy collectord gets) into one that parses again to
 * the same receivers and routes.
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_redacted(const struct al_config *cfg)
{
	struct al_config red;
	char		 err[512], *text;
	size_t		 i;

	if ((text = alerts_redact(cfg)) == NULL)
		abort();
	if (alerts_parse("redacted", text, strlen(text), &red, err,
	    sizeof(err)) != 0)
		abort();
	if (red.nreceivers != cfg->nreceivers || red.nroutes != cfg->nroutes)
		abort();
	for (i = 0; i < cfg->nreceivers; i++)
		if (strcmp(red.receivers[i].name, cfg->receivers[i].name) != 0 ||
		    red.receivers[i].kind != cfg->receivers[i].kind)
			abort();
	alerts_clear(&red);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct al_config cfg;
	char		 err[512];

	if (alerts_parse("fuzz.yaml", (const char *)data, len, &cfg, err,
	    sizeof(err)) == 0) {
		check_redacted(&cfg);
		alerts_clear(&cfg);
	}
	return 0;
}
