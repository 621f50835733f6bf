#!/usr/bin/env bash
# Prepares a clone to run: .venv, Python requirements, Node for Reflex.
#
#   scripts/bootstrap.sh        runtime (requirements.txt)
#   scripts/bootstrap.sh --dev  runtime + test tools (requirements-dev.txt)
#
# Idempotent: pip runs only when the requirement files (or the Python) changed,
# tracked by stamps in .venv holding their hash; Node is fetched only when missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dev=false
[[ "${1:-}" == "--dev" ]] && dev=true

if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    command -v python3 >/dev/null || die "python3 (3.11+) is required"
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "Python 3.11+ is required, found $(python3 --version 2>&1)"
    log "Creating .venv"
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    export PATH="$VENV/bin:$PATH"
fi

# Hash of the interpreter version plus the given requirement files.
requirements_hash() { { "$VENV/bin/python" --version; cat "$@"; } | sha256sum | cut -d' ' -f1; }

runtime_hash="$(requirements_hash requirements.txt)"
dev_hash="$(requirements_hash requirements.txt requirements-dev.txt)"
runtime_stamp="$VENV/.requirements-runtime.sha256"
dev_stamp="$VENV/.requirements-dev.sha256"

if $dev; then
    if [[ "$(cat "$dev_stamp" 2>/dev/null)" != "$dev_hash" ]]; then
        log "Installing requirements-dev.txt (includes requirements.txt) into .venv"
        "$VENV/bin/python" -m pip install --progress-bar off -r requirements-dev.txt
        echo "$dev_hash" >"$dev_stamp"
        echo "$runtime_hash" >"$runtime_stamp"
    fi
elif [[ "$(cat "$runtime_stamp" 2>/dev/null)" != "$runtime_hash" ]]; then
    log "Installing requirements.txt into .venv"
    "$VENV/bin/python" -m pip install --progress-bar off -r requirements.txt
    echo "$runtime_hash" >"$runtime_stamp"
fi

bash "$ROOT/scripts/node.sh"
