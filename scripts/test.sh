#!/usr/bin/env bash
# `make test`: bootstrap with test tools, make sure Chromium, PostgreSQL and
# Redis are there, then ruff, mypy and pytest. Extra arguments go to pytest.
#
# All three checks run even when one fails, so one CI run shows every problem.
bash "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh" --dev
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"

as_root() {
    if [[ "$(id -u)" == 0 ]]; then "$@"
    elif command -v sudo >/dev/null; then sudo -n "$@"
    else die "need root for: $*"
    fi
}

ensure_chromium() {
    [[ -x /usr/bin/chromium && -x /usr/sbin/pgbouncer ]] && return 0
    log "Installing Debian's chromium (browser tests) and pgbouncer (tests behind it)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium pgbouncer </dev/null
    [[ -x /usr/bin/chromium ]] || die "chromium did not install to /usr/bin/chromium"
    [[ -x /usr/sbin/pgbouncer ]] || die "pgbouncer did not install to /usr/sbin/pgbouncer"
}

postgres_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; }
redis_up() { [[ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

# Waits up to ~15 s for a check to pass.
wait_for() { local i; for i in $(seq 30); do "$1" && return 0; sleep 0.5; done; return 1; }

ensure_services() {
    if ! postgres_up; then
        log "PostgreSQL is not answering on $PG_HOST:$PG_PORT; trying to start it"
        if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
            as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start || true
        fi
        wait_for postgres_up || die "PostgreSQL is needed on $PG_HOST:$PG_PORT (user postgres, database test)"
    fi
    if ! redis_up; then
        log "Redis is not answering on $REDIS_HOST:$REDIS_PORT; trying to start it"
        if command -v redis-server >/dev/null; then
            as_root mkdir -p /var/lib/redis /var/log/redis
            as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" \
                --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
        fi
        wait_for redis_up || die "Redis is needed on $REDIS_HOST:$REDIS_PORT"
    fi
}

ensure_chromium
ensure_services

failed=()

log "ruff check and ruff format --check"
ruff check backend vetassist_app tests || failed+=(ruff)
ruff format --check backend vetassist_app tests bench alembic || failed+=("ruff format")

log "mypy backend vetassist_app"
mypy backend vetassist_app || failed+=(mypy)

log "pytest ${*:-tests}"
set +e
pytest "$@"
rc=$?
set -e
case $rc in
    0) ;;
    5) printf '\033[1;31mERROR:\033[0m pytest collected no tests\n' >&2; failed+=("pytest (no tests)") ;;
    *) failed+=("pytest (exit $rc)") ;;
esac

if ((${#failed[@]})); then
    die "failed: ${failed[*]}"
fi
log "All checks passed"
