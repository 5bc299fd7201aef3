# The two commands of the README's Quick start. Both find or start PostgreSQL
# themselves (scripts/with-postgres).
.PHONY: run test

run:
	@./scripts/prerequisites
	./scripts/with-postgres ./scripts/run-demo

test:
	@./scripts/prerequisites
	./scripts/with-postgres ./scripts/test
