# Benchmarks: built by `make`, never run by `make check` (they need root,
# a quiet machine and minutes).  See bench/README.md.
noinst_PROGRAMS += bench/exec_storm
bench_exec_storm_SOURCES = bench/exec_storm.c
bench_exec_storm_LDADD = $(COMMON_LIBS)
EXTRA_DIST += bench/run_exec_bench.sh bench/README.md
