/*
 * loaderd/reload_plan.h -- what a reload does to the running policy set,
 * decided from the policies that run and what the files say now.  Pure
 * (no BPF, no files): unit-tested in tests/unit/test_reload_plan.c.
 *
 * Sources come in load order (vendor directory, policies.d, -p files); a
 * later policy of the same name wins, as at start.  A file that could not
 * be read or parsed, or a directory that could not be listed, stands for
 * the policies that run from it: they stay as they are.
 */
#ifndef TRIPLINE_RELOAD_PLAN_H
#define TRIPLINE_RELOAD_PLAN_H

#include <stddef.h>

enum rp_src_kind {
	RP_SRC_OK,		/* parsed: name and text */
	RP_SRC_BROKEN,		/* file not readable or not valid */
	RP_SRC_BROKEN_DIR,	/* directory that could not be listed */
};

struct rp_source {
	enum rp_src_kind kind;
	const char	*path;		/* the file (the directory) */
	const char	*name;		/* RP_SRC_OK: metadata.name */
	const char	*text;		/* RP_SRC_OK: the document */
	size_t		 len;
};

/* A running policy; text NULL if its document is not known. */
struct rp_running {
	const char	*name;
	const char	*file;
	const char	*text;
	size_t		 len;
};

enum rp_act {
	RP_KEEP,	/* same document: left untouched (its file name may
			   have changed) */
	RP_STAY,	/* its file is broken: the running version stays */
	RP_REPLACE,	/* changed: the new version replaces it */
	RP_ADD,		/* new */
	RP_DELETE,	/* no file has it any more */
};

struct rp_action {
	enum rp_act	 act;
	size_t		 src;	/* KEEP, REPLACE, ADD: index of the source */
	size_t		 run;	/* KEEP, STAY, REPLACE, DELETE: index of the
				   running policy */
};

/*
 * The actions in the order to carry them out: one per policy that runs
 * afterwards (in source order), then the deletions.  *out is malloc'd
 * (caller frees); returns the number of actions.
 */
size_t	reload_plan(const struct rp_running *, size_t nrun,
	    const struct rp_source *, size_t nsrc, struct rp_action **out);

/*
 * Loading a policy of file failed: the deletions of the policies that run
 * from that file become RP_STAY (a file whose new version cannot load
 * keeps its running version).  Returns how many changed.
 */
size_t	reload_plan_failed(struct rp_action *, size_t n,
	    const struct rp_running *, const char *file);

/* Is file directly in dir ("dir/name")?  1/0. */
int	reload_path_in_dir(const char *file, const char *dir);

#endif
