# Benchmarks: built by `make`, never run by `make check` (they need root,
# a quiet machine and minutes).  See bench/README.md.
noinst_PROGRAMS += bench/exec_storm
bench_exec_storm_SOURCES = bench/exec_storm.c
bench_exec_storm_LDADD = $(COMMON_LIBS)
EXTRA_DIST += bench/run_exec_bench.sh bench/README.md
noinst_PROGRAMS += bench/openat_storm
bench_openat_storm_SOURCES = bench/openat_storm.c
bench_openat_storm_LDADD = $(COMMON_LIBS)
EXTRA_DIST += bench/run_openat_bench.sh bench/OPENAT.md
EXTRA_DIST += bench/run_alerts_bench.sh bench/alerts_trigger.py bench/ALERTS.md
EXTRA_DIST += bench/run_fuzz.sh
# the process cache at its bound (memory per entry, cost of evicting adds)
noinst_PROGRAMS += bench/pcache_bound
bench_pcache_bound_SOURCES = bench/pcache_bound.c
bench_pcache_bound_LDADD = collectord/libcollectord.a $(COMMON_LIBS)
# the collector's own CPU per policy event against plain inserts
noinst_PROGRAMS += bench/pipeline_rate
bench_pipeline_rate_SOURCES = bench/pipeline_rate.c bench/ceiling.c bench/ceiling.h
bench_pipeline_rate_LDADD = collectord/libcollectord.a $(COMMON_LIBS) $(SQLITE_LIBS) $(LIBEVENT_LIBS)
bench_pipeline_rate_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
# loopback TCP connect/accept/close and UDP send storms (run_net_bench.sh)
noinst_PROGRAMS += bench/net_storm
bench_net_storm_SOURCES = bench/net_storm.c
bench_net_storm_LDADD = $(COMMON_LIBS)
EXTRA_DIST += bench/run_net_bench.sh
# the smallest program on a hook (the floor the net and syscall benches
# compare tripline's programs with)
noinst_PROGRAMS += bench/floor_attach
bench_floor_attach_SOURCES = bench/floor_attach.c
bench_floor_attach_CFLAGS = $(AM_CFLAGS) $(LIBBPF_CFLAGS)
bench_floor_attach_LDADD = $(LIBBPF_LIBS)
# retention's cost to the store's ingestion (CPU per row, on vs off)
noinst_PROGRAMS += bench/store_retention
bench_store_retention_SOURCES = bench/store_retention.c
bench_store_retention_LDADD = collectord/libcollectord.a $(COMMON_LIBS) $(SQLITE_LIBS) $(LIBEVENT_LIBS)
bench_store_retention_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
# time from a system call to its row being visible (run_latency_bench.sh)
noinst_PROGRAMS += bench/store_latency
bench_store_latency_SOURCES = bench/store_latency.c
bench_store_latency_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) -pthread
bench_store_latency_LDFLAGS = -pthread
bench_store_latency_LDADD = $(SQLITE_LIBS)
EXTRA_DIST += bench/run_latency_bench.sh
# the insert ceiling of the events schema (plain SQLite, no collector)
noinst_PROGRAMS += bench/store_ceiling
bench_store_ceiling_SOURCES = bench/store_ceiling.c bench/ceiling.c bench/ceiling.h
bench_store_ceiling_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
bench_store_ceiling_LDADD = $(SQLITE_LIBS)
