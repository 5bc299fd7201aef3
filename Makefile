# The two commands of the README's Quick start. Both find or start PostgreSQL
# themselves (scripts/with-postgres).
.PHONY: run test bench

run:
	@./scripts/prerequisites
	./scripts/with-postgres ./scripts/run-demo

test:
	@./scripts/prerequisites
	./scripts/with-postgres ./scripts/test

# The throughput benchmark (README, Benchmark): kedja against PostGraphile v5
# and pgbench on one generated registry. BENCH_* variables size it.
bench:
	@./scripts/prerequisites
	./scripts/with-postgres ./scripts/bench
