/*
 * loaderd/net_load.c -- load bpf/net.bpf.c (cgroup sock_addr and skb
 * programs) on top of the process and generic programs' maps, and attach
 * its programs to the cgroup2 root while policy hooks need them.
 *
 * Attachments are BPF links (bpf_link_create on the root cgroup's
 * directory fd): they go away with loaderd, never outlive it pinned, and
 * coexist with other programs on the same hook (links are multi-attach).
 * A program attached to the root runs for every process on the machine,
 * whatever cgroup it is in.
 */
#include "build.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/hook.h"
#include "compat.h"
#include "err.h"
#include "log.h"
#include "xmalloc.h"

#include "bpf_load.h"
#include "net_load.h"
#include "net.skel.h"

/* maps of the process programs (bpf_load.c) and of the generic ones */
static const char *const netl_from_process[] = { "events", "execmap",
    "stats", "execbin", "execcred", "heap" };
static const char *const netl_from_generic[] = { "hooks", "selectors",
    "hook_stats", "sockown", "sockown_listen" };

static const char *const netl_sections[NET_D_MAX] = {
	"cgroup/connect4", "cgroup/connect6", "cgroup/sendmsg4",
	"cgroup/sendmsg6", "cgroup_skb/ingress", "cgroup_skb/egress",
};

struct netl {
	struct net_bpf		*skel;
	int			 cgfd;
	char			*cgroup;
	struct bpf_link		*links[NET_D_MAX];
	struct bpf_link		*solinks[4];	/* implicit socket tracking */
};

int
netl_cgroup2(char *buf, size_t len)
{
	FILE *f;
	char line[4096], mnt[1024], *sep, *p;
	int found = 0;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return ERR_SYS;
	while (fgets(line, sizeof(line), f) != NULL) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS... - FSTYPE ... */
		if ((sep = strstr(line, " - ")) == NULL)
			continue;
		if (strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %1023s", mnt) != 1)
			continue;
		/* mountinfo escapes blanks as \040: keep such paths out */
		if ((p = strchr(mnt, '\\')) != NULL)
			continue;
		if (!found || strcmp(mnt, "/sys/fs/cgroup") == 0) {
			strlcpy(buf, mnt, len);
			found = 1;
		}
	}
	fclose(f);
	return found ? 0 : ERR_NOTFOUND;
}

static int
netl_reuse(struct bpf_object *obj, const char *name, int fd, char *err,
    size_t errlen)
{
	struct bpf_map *m;
	int r;

	if ((m = bpf_object__find_map_by_name(obj, name)) == NULL || fd < 0) {
		snprintf(err, errlen, "net BPF object: no map %s to share",
		    name);
		return ERR_SYS;
	}
	if ((r = bpf_map__reuse_fd(m, fd)) != 0) {
		snprintf(err, errlen, "net BPF object: reuse map %s: %s",
		    name, strerror(-r));
		return ERR_SYS;
	}
	return 0;
}

int
netl_open(struct netl **out, struct bpfl *b, struct bpf_object *gobj,
    const char *cgroup, int can_signal, int can_retval, char *err,
    size_t errlen)
{
	struct netl *n;
	struct bpf_map *m;
	size_t i;
	int r;

	*out = NULL;
	n = xcalloc(1, sizeof(*n));
	n->cgfd = -1;
	n->cgroup = xstrdup(cgroup);
	if ((n->cgfd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "open cgroup2 root %s: %s", cgroup,
		    strerror(errno));
		r = ERR_SYS;
		goto fail;
	}
	if ((n->skel = net_bpf__open()) == NULL) {
		snprintf(err, errlen, "open net BPF object: %s",
		    strerror(errno));
		r = ERR_SYS;
		goto fail;
	}
	n->skel->rodata->net_can_signal = can_signal;
	n->skel->rodata->net_can_retval = can_retval;
	for (i = 0; i < sizeof(netl_from_process) /
	    sizeof(netl_from_process[0]); i++)
		if ((r = netl_reuse(n->skel->obj, netl_from_process[i],
		    bpfl_map_fd(b, netl_from_process[i]), err, errlen)) != 0)
			goto fail;
	for (i = 0; i < sizeof(netl_from_generic) /
	    sizeof(netl_from_generic[0]); i++) {
		m = bpf_object__find_map_by_name(gobj, netl_from_generic[i]);
		if ((r = netl_reuse(n->skel->obj, netl_from_generic[i],
		    m != NULL ? bpf_map__fd(m) : -1, err, errlen)) != 0)
			goto fail;
	}
	if ((r = net_bpf__load(n->skel)) != 0) {
		snprintf(err, errlen, "load net BPF programs: %s (libbpf and "
		    "verifier messages logged above)", strerror(-r));
		r = ERR_SYS;
		goto fail;
	}
	log_info("bpf: network programs loaded (cgroup2 root %s)", cgroup);
	*out = n;
	return 0;
fail:
	netl_free(n);
	return r;
}

int
netl_hooks_fd(struct netl *n)
{
	return bpf_map__fd(n->skel->maps.net_hooks);
}

static struct bpf_program *
netl_prog(struct netl *n, int d)
{
	switch (d) {
	case NET_D_CONNECT4:
		return n->skel->progs.net_connect4;
	case NET_D_CONNECT6:
		return n->skel->progs.net_connect6;
	case NET_D_SENDMSG4:
		return n->skel->progs.net_sendmsg4;
	case NET_D_SENDMSG6:
		return n->skel->progs.net_sendmsg6;
	case NET_D_SKB_IN:
		return n->skel->progs.net_skb_in;
	case NET_D_SKB_EG:
		return n->skel->progs.net_skb_eg;
	}
	return NULL;
}

const char *
netl_section(int d)
{
	if (d < 0 || d >= NET_D_MAX)
		return "?";
	return netl_sections[d];
}

int
netl_attach(struct netl *n, int d, char *err, size_t errlen)
{
	struct bpf_program *p;

	if (d < 0 || d >= NET_D_MAX || (p = netl_prog(n, d)) == NULL) {
		snprintf(err, errlen, "no network program %d", d);
		return ERR_RANGE;
	}
	if (n->links[d] != NULL)
		return 0;
	if ((n->links[d] = bpf_program__attach_cgroup(p, n->cgfd)) == NULL) {
		snprintf(err, errlen, "attach %s to %s: %s", netl_sections[d],
		    n->cgroup, strerror(errno));
		return ERR_SYS;
	}
	log_info("policy: %s attached to the cgroup2 root %s",
	    netl_sections[d], n->cgroup);
	return 0;
}

void
netl_detach(struct netl *n, int d)
{
	if (n == NULL || d < 0 || d >= NET_D_MAX || n->links[d] == NULL)
		return;
	bpf_link__destroy(n->links[d]);
	n->links[d] = NULL;
	log_info("policy: %s detached from %s (no hook needs it)",
	    netl_sections[d], n->cgroup);
}

int
netl_attached(struct netl *n, int d)
{
	return n != NULL && d >= 0 && d < NET_D_MAX && n->links[d] != NULL;
}

void
netl_free(struct netl *n)
{
	int d;

	if (n == NULL)
		return;
	for (d = 0; d < NET_D_MAX; d++)
		bpf_link__destroy(n->links[d]);
	netl_sockown_detach(n);
	net_bpf__destroy(n->skel);
	if (n->cgfd >= 0)
		close(n->cgfd);
	free(n->cgroup);
	free(n);
}

/* ------------------------------------------------------------------ */
/* implicit socket tracking (bpf/net.bpf.c sockown_*) */

static const char *const netl_so_what[4] = { "cgroup/sock_create",
    "cgroup/sock_release", "raw_tp/inet_sock_set_state",
    "raw_tp/tcp_destroy_sock" };

int
netl_sockown_attach(struct netl *n, char *err, size_t errlen)
{
	struct bpf_program *p[4];
	size_t i;

	if (n->solinks[0] != NULL)
		return 0;
	p[0] = n->skel->progs.sockown_create;
	p[1] = n->skel->progs.sockown_release;
	p[2] = n->skel->progs.sockown_state;
	p[3] = n->skel->progs.sockown_destroy;
	for (i = 0; i < 4; i++) {
		n->solinks[i] = i >= 2 ? bpf_program__attach_raw_tracepoint(p[i],
		    netl_so_what[i] + strlen("raw_tp/")) :
		    bpf_program__attach_cgroup(p[i], n->cgfd);
		if (n->solinks[i] == NULL) {
			snprintf(err, errlen, "attach %s: %s", netl_so_what[i],
			    strerror(errno));
			netl_sockown_detach(n);
			return ERR_SYS;
		}
	}
	log_info("policy: socket tracking attached (%s and %s on the "
	    "cgroup2 root %s, %s, %s)", netl_so_what[0], netl_so_what[1],
	    n->cgroup, netl_so_what[2], netl_so_what[3]);
	return 0;
}

void
netl_sockown_detach(struct netl *n)
{
	size_t i;
	int was = 0;

	if (n == NULL)
		return;
	for (i = 0; i < 4; i++) {
		if (n->solinks[i] != NULL)
			was = 1;
		bpf_link__destroy(n->solinks[i]);
		n->solinks[i] = NULL;
	}
	if (was)
		log_info("policy: socket tracking detached (no hook has a "
		    "socket argument)");
}

int
netl_sockown_attached(struct netl *n)
{
	return n != NULL && n->solinks[0] != NULL;
}
