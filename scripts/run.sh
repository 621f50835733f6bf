#!/usr/bin/env bash
# `make run`: bootstrap, migrate, seed the demo clinic, then serve everything.
#
# Portal on http://localhost:3000, API/webhooks on http://localhost:8000 (same
# process as Reflex's backend). Other ports: REFLEX_FRONTEND_PORT / REFLEX_BACKEND_PORT.
# Extra arguments go to `reflex run` (e.g. scripts/run.sh --env prod).
bash "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

log "Applying database migrations"
python -m backend migrate
log "Seeding the demo clinic (only into an empty database)"
python -m backend seed-demo --if-empty

log "Starting Reflex (first start compiles the frontend and installs its npm packages)"
exec reflex run "$@"
