#!/usr/bin/env bash
# The whole test suite, from nothing: installs what is missing, starts the project's own
# Redis and PostgreSQL when they are not running (and stops them again at the end if it
# started them), then type-checks, lints and runs every jest test, unit and integration.
# Extra arguments go to jest (npm test -- test/unit).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node_modules

started=0
if [ "$(bash scripts/services.sh status | grep -c running)" -lt 2 ]; then
  started=1
  trap 'bash scripts/services.sh down || true' EXIT
fi
bash scripts/services.sh up

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-$(test_database_url)}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-$(test_redis_url)}"

log "type-checking"
npm run --silent typecheck
log "linting"
npm run --silent lint

results="$DATA/jest-results.json"
rm -f "$results"
status=0
npx jest --ci --json --outputFile="$results" "$@" || status=$?

# One plain closing line with the counts, whatever the runner printed above it.
if [ -s "$results" ]; then
  node -e "
    const r = require(process.argv[1]);
    console.log('tests: ' + r.numPassedTests + ' passed, ' + r.numFailedTests + ' failed, ' +
      (r.numPendingTests + r.numTodoTests) + ' skipped');
  " "$results"
fi
[ "$started" -eq 1 ] && log "stopping the servers this run started"
exit "$status"
