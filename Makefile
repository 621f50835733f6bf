# Two commands are all a clone needs: `make run` and `make test`.
# Both bootstrap the clone first (.venv, requirements, Node >= 22 in .tools/).
# Extra arguments: make run ARGS="--env prod"   make test ARGS="tests/domain -x"

.PHONY: run test bootstrap clean

run:
	bash scripts/run.sh $(ARGS)

test:
	bash scripts/test.sh $(ARGS)

bootstrap:
	bash scripts/bootstrap.sh --dev

# Build output only; keeps .venv, .tools and the database.
clean:
	rm -rf .web .web-e2e .web-e2e.lock .states artifacts .pytest_cache .mypy_cache .ruff_cache
