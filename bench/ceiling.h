/*
 * bench/ceiling.h -- the insert ceiling's schema, statement and row,
 * shared by bench/store_ceiling and bench/pipeline_rate so that both
 * measure against the same plain-SQLite inserts of tripline's rows.
 */
#ifndef BENCH_CEILING_H
#define BENCH_CEILING_H

#include <stdint.h>
#include <time.h>

#include <sqlite3.h>

/* events_part_1 as the store makes it (schema 8), its two indexes, and
 * the store's pragmas */
extern const char	ceiling_schema[];
/* the eleven columns an openat event fills */
extern const char	ceiling_insert[];

/* Who the rows name: a row's exec ids (base64) and policy. */
struct ceiling_who {
	const char	*exec_id;
	const char	*parent_exec_id;
	const char	*policy;
};

/* Binds row i (id i + 1, an openat of path, its time i us after 2026)
 * to st. */
void	 ceiling_row(sqlite3_stmt *st, const struct ceiling_who *w,
	    uint64_t i, const char *path);
/* clock c in ns */
uint64_t bench_clk(clockid_t c);

#endif
