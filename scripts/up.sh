#!/usr/bin/env bash
# The main job, from nothing to a running API: installs what is missing (npm packages,
# Debian's redis-server and postgresql), starts Redis and PostgreSQL, applies the
# migrations, builds, and starts one API instance in the background, then waits until
# GET /readyz answers 200. Safe to run twice: it restarts the API on the current code.
#   npm run up                 (PORT=3001 npm run up for a second instance: see README)
#   npm run up -- --foreground keep the API in this terminal, logs on stdout
#   npm run up -- --cluster    also start the local Redis Cluster (3 primaries, 3 replicas)
#                              and point the API at it (REDIS_CLUSTER_NODES)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

foreground=0
cluster=0
for arg in "$@"; do
  case "$arg" in
    --foreground) foreground=1 ;;
    --cluster) cluster=1 ;;
    *) die "unknown option $arg (usage: npm run up -- [--foreground] [--cluster])" ;;
  esac
done

ensure_node_modules
if [ "$cluster" -eq 1 ]; then
  bash scripts/services.sh up --cluster
  export REDIS_CLUSTER_NODES="${REDIS_CLUSTER_NODES:-$(cluster_nodes)}"
  log "the API uses the Redis Cluster at $REDIS_CLUSTER_NODES"
else
  bash scripts/services.sh up
fi

export DATABASE_URL="${DATABASE_URL:-$(dev_database_url)}"
export REDIS_URL="${REDIS_URL:-$(dev_redis_url)}"
export PORT="$API_PORT"

log "applying migrations"
npm run --silent migrate
log "building"
npm run --silent build

if [ "$foreground" -eq 1 ]; then
  log "starting the API on port $PORT in the foreground (Ctrl-C stops it)"
  exec node dist/src/server.js
fi

pidfile="$DATA/api-$PORT.pid"
logfile="$DATA/logs/api-$PORT.log"
if pid_alive "$pidfile"; then
  log "stopping the API already running on port $PORT (pid $(cat "$pidfile"))"
  kill -TERM "$(cat "$pidfile")"
  wait_for "the old API to stop" 30 bash -c "! kill -0 $(cat "$pidfile") 2>/dev/null"
fi
port_in_use "$PORT" && die "port $PORT is taken by another program; run with PORT=<free port>"

nohup node dist/src/server.js >>"$logfile" 2>&1 &
echo $! >"$pidfile"

ready() { node -e "fetch('http://127.0.0.1:$PORT/readyz').then(r => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"; }
if ! wait_for "the API on port $PORT" 30 ready; then
  tail -n 20 "$logfile" >&2
  exit 1
fi
log "API ready: http://127.0.0.1:$PORT (pid $(cat "$pidfile"), log .data/logs/api-$PORT.log)"
log "stop everything with: npm run down"
