#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store's tests (and CI).
#
#   eval "$(bash scripts/postgres.sh start)"   # prints export lines: SCALEBRIDGE_TEST_POSTGRES_URL, SCALEBRIDGE_PG_DIR
#   bash scripts/postgres.sh stop              # stops the server in $SCALEBRIDGE_PG_DIR and removes it
#
# start: installs Debian's `postgresql` package if no initdb is found (root only), creates a
# cluster in a fresh temporary directory (as the `postgres` user when run as root: initdb refuses
# root), starts it on a free local port (trust authentication, 127.0.0.1 and a socket in that
# directory only; fsync off: the data is thrown away), creates the database `scalebridge_test`.
# Progress goes to stderr; only the export lines go to stdout.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

find_bin() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; return 0; fi
    if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
    return 1
}

as_owner() {
    # run a command as the cluster owner
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    local bin
    if ! bin=$(find_bin); then
        if [[ $(id -u) -ne 0 ]]; then
            log "no initdb found and not root: install PostgreSQL (apt-get install postgresql) first"; exit 1
        fi
        log "installing postgresql from Debian's packages"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y --no-install-recommends postgresql >&2 || { apt-get update >&2 && apt-get install -y --no-install-recommends postgresql >&2; }
        bin=$(find_bin) || { log "postgresql installed but initdb not found"; exit 1; }
    fi
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    fi
    local dir port
    # as root under /tmp: the postgres user must be able to reach the directory
    local base="${TMPDIR:-/tmp}"
    if [[ $(id -u) -eq 0 ]]; then base=/tmp; fi
    dir=$(mktemp -d "$base/scalebridge-pg.XXXXXX")
    chmod 755 "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown postgres "$dir"; fi
    port=""
    for p in $(seq 54329 54529); do
        if ! (: </dev/tcp/127.0.0.1/"$p") 2>/dev/null; then port=$p; break; fi
    done
    [[ -n "$port" ]] || { log "no free port in 54329..54529"; exit 1; }
    log "initdb in $dir/data (PostgreSQL $("$bin/postgres" --version | awk '{print $NF}'))"
    as_owner "$bin/initdb" -D "$dir/data" -U scalebridge --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100" start >&2 \
        || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U scalebridge -d postgres -qc "CREATE DATABASE scalebridge_test" >&2
    log "server on 127.0.0.1:$port"
    echo "export SCALEBRIDGE_PG_DIR='$dir'"
    echo "export SCALEBRIDGE_PG_BIN='$bin'"
    echo "export SCALEBRIDGE_TEST_POSTGRES_URL='postgresql://scalebridge@127.0.0.1:$port/scalebridge_test'"
}

stop() {
    local dir="${SCALEBRIDGE_PG_DIR:-}" bin="${SCALEBRIDGE_PG_BIN:-}"
    if [[ -z "$dir" || ! -d "$dir" ]]; then log "nothing to stop (SCALEBRIDGE_PG_DIR unset)"; return 0; fi
    [[ -n "$bin" ]] || bin=$(find_bin)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    case "$dir" in
        */scalebridge-pg.*) rm -rf "$dir" ;;
    esac
    log "stopped"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
