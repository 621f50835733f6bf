# Two commands are all a clone needs: `make run` and `make test`.
# Both bootstrap the clone first (.venv, requirements, Node >= 22 in .tools/).
# `make run` serves portal + API on one port: PORT=3001 make run
# `make dev` is Reflex's development server with hot reload (portal :3000, API :8000).
# Extra arguments: make run ARGS="--loglevel info"   make test ARGS="tests/domain -x"

.PHONY: run dev test bootstrap clean

run:
	bash scripts/run.sh $(ARGS)

dev:
	bash scripts/run.sh --dev $(ARGS)

test:
	bash scripts/test.sh $(ARGS)

bootstrap:
	bash scripts/bootstrap.sh --dev

# Build output only; keeps .venv, .tools and the database.
clean:
	rm -rf .web .web-e2e .web-e2e.lock .states artifacts .pytest_cache .mypy_cache .ruff_cache
