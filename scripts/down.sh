#!/usr/bin/env bash
# Stops the API instances started by scripts/up.sh, then Redis and PostgreSQL.
# Data stays in .data/; delete that folder to start from scratch.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

shopt -s nullglob
for pidfile in "$DATA"/api-*.pid; do
  if pid_alive "$pidfile"; then
    pid=$(cat "$pidfile")
    kill -TERM "$pid"
    wait_for "the API (pid $pid) to stop" 30 bash -c "! kill -0 $pid 2>/dev/null"
    log "API stopped (pid $pid)"
  fi
  rm -f "$pidfile"
done
bash "$ROOT/scripts/services.sh" down
