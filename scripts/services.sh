#!/usr/bin/env bash
# The project's own Redis and PostgreSQL: install (Debian packages), start, stop, status.
#   scripts/services.sh up [--cluster]  install what is missing, start both, create the
#                                       databases; --cluster also starts the local Redis
#                                       Cluster (scripts/cluster.sh)
#   scripts/services.sh down            stop both, and the cluster when it runs (data is kept in .data/)
#   scripts/services.sh status
#   scripts/services.sh cluster-up | cluster-down   the local Redis Cluster alone
# Safe to run twice: a server already running from .data/ is left as it is.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cluster.sh"

REDIS_DIR="$DATA/redis"
PG_DIR="$DATA/pg"
PG_LOG="$DATA/logs/postgres.log"

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/postgres" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 1
}

install_packages() {
  local missing=()
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || missing+=(redis-server)
  pg_bindir >/dev/null || missing+=(postgresql)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing ${missing[*]}: install them with 'sudo apt-get install ${missing[*]}'"
  log "installing ${missing[*]} from Debian's packages"
  # Keep the packages from starting system-wide servers of their own: ours run from .data/.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && added_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$added_policy" -eq 1 ] && rm -f "$policy"
  command -v redis-server >/dev/null || die "redis-server is still missing after apt-get install"
  pg_bindir >/dev/null || die "PostgreSQL server binaries are still missing after apt-get install"
}

# PostgreSQL refuses to run as root: as root, its commands run as the 'postgres' user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The postgres user must be able to reach .data/pg: give 'search' (x) to any parent
# folder that lacks it for others, as a clone under /root would.
make_reachable() {
  [ "$(id -u)" -eq 0 ] || return 0
  id postgres >/dev/null 2>&1 || die "user 'postgres' is missing (it comes with Debian's postgresql package)"
  local d="$DATA"
  while [ "$d" != "/" ]; do
    if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then
      log "giving others search (x) permission on $(basename "$d")/ so that PostgreSQL can reach its data"
      chmod o+x "$d"
    fi
    d=$(dirname "$d")
  done
}

redis_cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
redis_running() { pid_alive "$REDIS_DIR/redis.pid" && [ "$(redis_cli ping 2>/dev/null)" = PONG ]; }

redis_up() {
  mkdir -p "$REDIS_DIR" "$DATA/logs"
  if redis_running; then
    log "redis already running on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  port_in_use "$REDIS_PORT" &&
    die "port $REDIS_PORT is taken by another program; set DEV_REDIS_PORT to a free port (and REDIS_URL to match)"
  # An append-only file (fsync every second) keeps the events stream across a restart;
  # a tail lost anyway is refilled from PostgreSQL by the relay. Locks come back with
  # their absolute expiry (PXAT), so a restart never lengthens a lease; the version check
  # in PostgreSQL is what keeps data right either way.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" \
    --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$DATA/logs/redis.log" \
    --save '' --appendonly yes --appendfsync everysec --maxclients 2000
  wait_for "redis on port $REDIS_PORT" 15 redis_running
  log "redis running on 127.0.0.1:$REDIS_PORT"
}

redis_down() {
  if pid_alive "$REDIS_DIR/redis.pid"; then
    local pid
    pid=$(head -n1 "$REDIS_DIR/redis.pid")
    redis_cli shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    wait_for "redis to stop" 15 bash -c "! kill -0 $pid 2>/dev/null"
    log "redis stopped"
  else
    log "redis is not running"
  fi
}

pg_ctl_() { as_pg "$(pg_bindir)/pg_ctl" -D "$PG_DIR" "$@"; }
pg_running() { [ -s "$PG_DIR/PG_VERSION" ] && pg_ctl_ status >/dev/null 2>&1; }
psql_() { PGPASSWORD="$PG_PASSWORD" "$(pg_bindir)/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -v ON_ERROR_STOP=1 -qtA "$@"; }
pg_answers() { psql_ -d postgres -c 'select 1' >/dev/null; }

pg_init() {
  [ -s "$PG_DIR/PG_VERSION" ] && return 0
  log "creating the PostgreSQL cluster in .data/pg"
  mkdir -p "$PG_DIR"
  make_reachable
  local pw="$DATA/pg.pw"
  printf '%s\n' "$PG_PASSWORD" >"$pw"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$PG_DIR" "$pw"; fi
  chmod 700 "$PG_DIR"
  chmod 600 "$pw"
  as_pg "$(pg_bindir)/initdb" -D "$PG_DIR" -U "$PG_USER" --pwfile="$pw" -E UTF8 --no-locale \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 >/dev/null
  rm -f "$pw"
  # TCP on 127.0.0.1 only (no unix socket, whose path length a deep checkout could exceed);
  # room for several API instances, the tests and the harness at once.
  as_pg tee -a "$PG_DIR/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 300
shared_buffers = 256MB
CONF
}

pg_up() {
  mkdir -p "$DATA/logs"
  pg_init
  make_reachable
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$DATA/logs" && touch "$PG_LOG" && chown postgres "$PG_LOG"; fi
  if pg_running; then
    log "postgresql already running on 127.0.0.1:$PG_PORT"
  else
    port_in_use "$PG_PORT" &&
      die "port $PG_PORT is taken by another program; set DEV_PG_PORT to a free port (and DATABASE_URL to match)"
    pg_ctl_ start -w -t 60 -l "$PG_LOG" -o "-p $PG_PORT" >/dev/null
    log "postgresql running on 127.0.0.1:$PG_PORT"
  fi
  wait_for "postgresql on port $PG_PORT" 30 pg_answers
  local db
  for db in "$DEV_DB" "$TEST_DB"; do
    if [ -z "$(psql_ -d postgres -c "select 1 from pg_database where datname = '$db'")" ]; then
      psql_ -d postgres -c "create database $db"
      log "created database $db"
    fi
  done
}

pg_down() {
  if pg_running; then
    pg_ctl_ stop -m fast -w >/dev/null
    log "postgresql stopped"
  else
    log "postgresql is not running"
  fi
}

case "${1:-}" in
  up)
    install_packages
    redis_up
    pg_up
    if [ "${2:-}" = "--cluster" ]; then cluster_up; fi
    ;;
  cluster-up)
    install_packages
    cluster_up
    ;;
  cluster-down)
    cluster_down
    ;;
  down)
    cluster_down
    redis_down
    if pg_bindir >/dev/null; then pg_down; fi
    ;;
  status)
    if redis_running; then echo "redis: running on 127.0.0.1:$REDIS_PORT"; else echo "redis: stopped"; fi
    if pg_bindir >/dev/null && pg_running; then echo "postgresql: running on 127.0.0.1:$PG_PORT"; else echo "postgresql: stopped"; fi
    cluster_status
    ;;
  cluster-status)
    cluster_status
    ;;
  *)
    echo "usage: $0 up [--cluster]|down|status|cluster-up|cluster-down|cluster-status" >&2
    exit 2
    ;;
esac
