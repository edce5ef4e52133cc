/*
 * loaderd/pl_tracefs.c -- names the kernel publishes: tracepoint formats
 * and ids from tracefs (fields with their declarations, offsets, sizes,
 * and the integer type a declaration means), and whether a function is
 * in /proc/kallsyms.
 */
#include "build.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "err.h"

#include "pl_int.h"

#define PL_TRACEFS		"/sys/kernel/tracing"

static int
pl_tp_name_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

static int
pl_tp_read(const char *subsys, const char *event, const char *file,
    char *buf, size_t bufsz)
{
	char path[512];
	ssize_t n;
	size_t off = 0;
	int fd;

	snprintf(path, sizeof(path), PL_TRACEFS "/events/%s/%s/%s", subsys,
	    event, file);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (off < bufsz - 1) {
		n = read(fd, buf + off, bufsz - 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	return 0;
}

/* Parse one "field:DECL;\toffset:N;\tsize:N;\tsigned:N;" line. */
static int
pl_tp_field(const char *line, struct tpfield *f)
{
	const char *p, *e;
	char *q, *br;
	size_t len;

	memset(f, 0, sizeof(*f));
	if ((p = strstr(line, "field:")) == NULL)
		return -1;
	p += 6;
	if ((e = strchr(p, ';')) == NULL)
		return -1;
	len = (size_t)(e - p);
	if (len >= sizeof(f->decl))
		len = sizeof(f->decl) - 1;
	memcpy(f->decl, p, len);
	f->decl[len] = '\0';
	if ((p = strstr(e, "offset:")) == NULL)
		return -1;
	f->off = atoi(p + 7);
	if ((p = strstr(e, "size:")) == NULL)
		return -1;
	f->size = atoi(p + 5);
	if ((p = strstr(e, "signed:")) != NULL)
		f->sign = atoi(p + 7);
	f->dataloc = strncmp(f->decl, "__data_loc ", 11) == 0;
	/* name: last identifier, without an array suffix */
	strlcpy(f->type, f->decl, sizeof(f->type));
	if ((br = strchr(f->type, '[')) != NULL) {
		f->array = 1;
		*br = '\0';
	}
	len = strlen(f->type);
	while (len > 0 && isspace((unsigned char)f->type[len - 1]))
		f->type[--len] = '\0';
	q = f->type + len;
	while (q > f->type && (isalnum((unsigned char)q[-1]) || q[-1] == '_'))
		q--;
	strlcpy(f->name, q, sizeof(f->name));
	*q = '\0';
	len = strlen(f->type);
	while (len > 0 && isspace((unsigned char)f->type[len - 1]))
		f->type[--len] = '\0';
	if (f->dataloc) {
		/* "__data_loc char[] name": type "char", array */
		memmove(f->type, f->type + 11, strlen(f->type + 11) + 1);
		f->array = 1;
	}
	return f->name[0] == '\0' ? -1 : 0;
}

/* Fields of subsys/event (common_* included) and its id.  0, or
 * ERR_NOTFOUND with a message in err. */
int
pl_tp_format(struct pl_ctx *c, const char *subsys, const char *event,
    struct tpfield *fields, size_t *nfields, uint32_t *id)
{
	char buf[8192], *line, *next;
	size_t n = 0;

	if (!pl_tp_name_ok(subsys) || !pl_tp_name_ok(event))
		return pl_fail(c, ERR_PARSE, 0, 0, "not a tracepoint name");
	if (pl_tp_read(subsys, event, "id", buf, sizeof(buf)) == -1)
		return pl_fail(c, ERR_NOTFOUND, 0, 0, "no such tracepoint "
		    "(%s/events/%s/%s: %s)", PL_TRACEFS, subsys, event,
		    strerror(errno));
	*id = (uint32_t)strtoul(buf, NULL, 10);
	if (pl_tp_read(subsys, event, "format", buf, sizeof(buf)) == -1)
		return pl_fail(c, ERR_NOTFOUND, 0, 0, "cannot read the "
		    "tracepoint format: %s", strerror(errno));
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (strstr(line, "field:") == NULL)
			continue;
		if (n == PL_TP_FIELDS)
			break;
		if (pl_tp_field(line, &fields[n]) == 0)
			n++;
	}
	*nfields = n;
	return 0;
}

/* Integer type from a C declaration type and size. */
enum pol_arg_type
pl_tp_int_type(const struct tpfield *f, int use_sign)
{
	static const struct {
		const char		*name;
		enum pol_arg_type	 type;
	} names[] = {
		{ "int", POL_ARG_INT }, { "pid_t", POL_ARG_INT },
		{ "unsigned int", POL_ARG_UINT32 },
		{ "unsigned", POL_ARG_UINT32 },
		{ "u32", POL_ARG_UINT32 }, { "__u32", POL_ARG_UINT32 },
		{ "uid_t", POL_ARG_UINT32 }, { "gid_t", POL_ARG_UINT32 },
		{ "key_serial_t", POL_ARG_INT }, { "s32", POL_ARG_INT },
		{ "long", POL_ARG_INT64 }, { "long long", POL_ARG_INT64 },
		{ "loff_t", POL_ARG_INT64 }, { "off_t", POL_ARG_INT64 },
		{ "s64", POL_ARG_INT64 }, { "__s64", POL_ARG_INT64 },
		{ "unsigned long", POL_ARG_UINT64 },
		{ "unsigned long long", POL_ARG_UINT64 },
		{ "u64", POL_ARG_UINT64 }, { "__u64", POL_ARG_UINT64 },
		{ "size_t", POL_ARG_SIZE_T }, { "ssize_t", POL_ARG_INT64 },
		{ "umode_t", POL_ARG_UINT16 }, { "u16", POL_ARG_UINT16 },
		{ "unsigned short", POL_ARG_UINT16 },
		{ "short", POL_ARG_INT16 },
		{ "u8", POL_ARG_UINT8 }, { "unsigned char", POL_ARG_UINT8 },
		{ "bool", POL_ARG_UINT8 }, { "char", POL_ARG_INT8 },
	};
	const char *t = f->type;
	size_t i;

	if (strncmp(t, "const ", 6) == 0)
		t += 6;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(t, names[i].name) == 0)
			return names[i].type;
	switch (f->size) {
	case 1:
		return use_sign && f->sign ? POL_ARG_INT8 : POL_ARG_UINT8;
	case 2:
		return use_sign && f->sign ? POL_ARG_INT16 : POL_ARG_UINT16;
	case 4:
		return use_sign && f->sign ? POL_ARG_INT : POL_ARG_UINT32;
	default:
		return use_sign && f->sign ? POL_ARG_INT64 : POL_ARG_UINT64;
	}
}

int
pl_is_char_ptr(const struct tpfield *f)
{
	return strcmp(f->type, "char *") == 0 ||
	    strcmp(f->type, "const char *") == 0;
}

/* Is name a function of the running kernel (/proc/kallsyms)? */
int
pl_ksym_exists(const char *name)
{
	FILE *fp;
	char line[512], *p, *e;
	size_t n = strlen(name);
	int found = 0;

	if ((fp = fopen("/proc/kallsyms", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		/* "ffffffff81234560 T name\t[module]" */
		if ((p = strchr(line, ' ')) == NULL ||
		    (p = strchr(p + 1, ' ')) == NULL)
			continue;
		p++;
		e = p + strcspn(p, " \t\n");
		if ((size_t)(e - p) == n && memcmp(p, name, n) == 0) {
			found = 1;
			break;
		}
	}
	fclose(fp);
	return found;
}
