#!/usr/bin/env bash
# Container entry point: bring the database schema up to date, optionally seed
# the demo clinic (SEED_DEMO_ON_START=true), then run the given command.
set -euo pipefail

if [[ "${RUN_MIGRATIONS:-true}" == true ]]; then
    python -m backend migrate
fi
if [[ "${SEED_DEMO_ON_START:-false}" == true ]]; then
    python -m backend seed-demo --if-empty
fi
exec "$@"
