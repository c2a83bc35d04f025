# Shared settings and helpers of the project's scripts. Sourced, never run.
# The servers listen on 127.0.0.1 only, on the project's own ports, with their data in
# .data/ (git-ignored). Override the ports with DEV_REDIS_PORT / DEV_PG_PORT.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.data"
REDIS_PORT="${DEV_REDIS_PORT:-6391}"
PG_PORT="${DEV_PG_PORT:-5439}"
# The local Redis Cluster's nodes listen on CLUSTER_PORT_BASE+1 .. +6 (scripts/cluster.sh).
CLUSTER_PORT_BASE="${DEV_CLUSTER_PORT_BASE:-7100}"
PG_USER=orders
PG_PASSWORD=orders
DEV_DB=orders_dev
TEST_DB=orders_test
API_PORT="${PORT:-3000}"

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*"; }
die() {
  printf '[%s] error: %s\n' "$(basename "$0" .sh)" "$*" >&2
  exit 1
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True when the pid in file $1 is a live process.
pid_alive() { [ -s "$1" ] && kill -0 "$(head -n1 "$1")" 2>/dev/null; }

# wait_for <what> <seconds> <command...>: retries the command every 0.2 s.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local tries=$((seconds * 5))
  while ! "$@" >/dev/null 2>&1; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || die "$what did not answer within ${seconds}s"
    sleep 0.2
  done
}

# Installs the npm dependencies when node_modules is missing or older than the lock file.
ensure_node_modules() {
  command -v npm >/dev/null || die "node and npm are needed (Node.js 20.19 or later)"
  local stamp="$ROOT/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ]; then
    log "installing npm dependencies (npm ci)"
    # A registry that serves only this platform's builds of optional native packages
    # leaves them out of the lock file, and npm ci then refuses the lock file as out of
    # sync; npm install --no-save installs the same locked versions without rewriting it.
    (cd "$ROOT" && { npm ci --no-audit --no-fund 2>/dev/null ||
      { log "npm ci refused the lock file; installing the locked versions with npm install --no-save"
        npm install --no-save --no-audit --no-fund; }; })
  fi
}

dev_database_url() { echo "postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$DEV_DB"; }
test_database_url() { echo "postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$TEST_DB"; }
dev_redis_url() { echo "redis://127.0.0.1:$REDIS_PORT/0"; }
test_redis_url() { echo "redis://127.0.0.1:$REDIS_PORT/1"; }
# REDIS_CLUSTER_NODES for the local cluster: every node is a seed.
cluster_nodes() {
  local i nodes=()
  for i in 1 2 3 4 5 6; do nodes+=("127.0.0.1:$((CLUSTER_PORT_BASE + i))"); done
  (IFS=,; echo "${nodes[*]}")
}

# Installs Debian's chromium when missing (the back office's browser tests and screenshots
# drive it headless through puppeteer-core; nothing downloads a browser). CHROMIUM_PATH
# names another one.
ensure_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    [ -x "$CHROMIUM_PATH" ] || die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"
    return 0
  fi
  command -v chromium >/dev/null && return 0
  [ "$(id -u)" -eq 0 ] || die "chromium is missing: install it with 'sudo apt-get install chromium'"
  log "installing chromium from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
  command -v chromium >/dev/null || die "chromium is still missing after apt-get install"
}
