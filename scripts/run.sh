#!/usr/bin/env bash
# `make run`: what a clinic runs. Bootstraps the clone, applies the migrations,
# adds the demo clinic to an empty database, builds the portal and serves it in
# production mode: portal, REST API, Twilio webhooks and /healthz on ONE port.
#
#   PORT=3000   the port (http://localhost:$PORT); the app listens on every interface
#
# `scripts/run.sh --dev` (`make dev`) is for working on the portal: Reflex's
# development server with hot reload, portal on :3000 and backend/API on :8000
# (REFLEX_FRONTEND_PORT / REFLEX_BACKEND_PORT). Runtime files stay out of the
# reload: the database in data/, Reflex's own in hidden folders.
#
# Extra arguments go to `reflex run`.
bash "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dev=false
if [[ "${1:-}" == "--dev" ]]; then
    dev=true
    shift
fi
PORT="${PORT:-3000}"

# Reflex lines that are not problems here: its generic "next step" hint (this
# script is the next step) and the probe of a registry mirror this machine cannot reach.
quiet_reflex() {
    grep --line-buffered -v -e 'uv run reflex run' -e 'Failed to connect to https://registry' || true
}

port_in_use() {
    python - "$1" <<'PY'
import socket, sys
with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
PY
}

healthy() {
    python - "$1" <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=2)
except Exception:
    sys.exit(1)
PY
}

if ! $dev && port_in_use "$PORT"; then
    die "port $PORT is already in use (another \`make run\`?). Stop it, or choose another: PORT=3001 make run"
fi

log "Applying database migrations"
python -m backend migrate
log "Adding the demo clinic (only to an empty database)"
seeded="$(python -m backend seed-demo --if-empty)"
echo "$seeded"
login="${seeded#*log in as }"
[[ "$login" == "$seeded" ]] && login="" || login=" · log in as $login"

if $dev; then
    log "Starting Reflex in development mode (hot reload; portal :3000, API :8000)"
    reflex run "$@" > >(quiet_reflex) 2>&1
    exit $?
fi

log "Building the portal and starting (the first start also installs the frontend's npm packages)"
reflex run --env prod --frontend-port "$PORT" --backend-port "$PORT" "$@" > >(quiet_reflex) 2>&1 &
app=$!
stopping=false
trap 'stopping=true; kill -TERM "$app" 2>/dev/null' INT TERM

until healthy "$PORT"; do
    if ! kill -0 "$app" 2>/dev/null; then
        wait "$app"
        die "the app stopped before serving (exit $?); its output is above"
    fi
    sleep 1
done
printf '\033[1;32m==>\033[0m VetAssist is ready at http://localhost:%s%s · press Ctrl+C to stop\n' "$PORT" "$login" >&2

# `wait` returns early when a signal arrives; keep waiting until the app has exited, and
# end it if a graceful stop takes longer than STOP_GRACE_S (work it was doing is in the
# database and is picked up again at the next start).
STOP_GRACE_S="${STOP_GRACE_S:-10}"
status=0
deadline=""
while kill -0 "$app" 2>/dev/null; do
    if ! $stopping; then
        wait "$app" || status=$?
        continue
    fi
    [[ -n "$deadline" ]] || deadline=$((SECONDS + STOP_GRACE_S))
    if ((SECONDS >= deadline)); then
        log "the app did not stop within ${STOP_GRACE_S} s; ending it"
        pkill -KILL -P "$app" 2>/dev/null || true
        kill -KILL "$app" 2>/dev/null || true
    fi
    sleep 0.5
done
if $stopping; then
    log "VetAssist stopped"
    exit 0
fi
exit "$status"
