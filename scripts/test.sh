#!/usr/bin/env bash
# The whole test suite, from nothing: installs what is missing, starts the project's own
# Redis and PostgreSQL when they are not running (and stops them again at the end if it
# started them), installs Debian's chromium when missing, then type-checks, lints and runs
# every jest test: unit, integration and the back office in headless Chromium (the
# browser tests build the page first). Then the tests that exercise Redis paths run again
# on the local Redis Cluster (started here, stopped again if this run started it): the
# lock manager's integration tests, the coordinator's race test and the stock gate, and
# last, alone, the lock through a failover of the cluster and the bench's cluster scenario.
# Extra arguments go to jest (npm test -- test/unit); they skip the cluster runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node_modules
ensure_chromium

started=0
if [ "$(bash scripts/services.sh status | grep -cE '^(redis|postgresql): running')" -lt 2 ]; then
  started=1
  trap 'bash scripts/services.sh down || true' EXIT
elif [ $# -eq 0 ] && ! bash scripts/services.sh cluster-status | grep -q ': running'; then
  trap 'bash scripts/services.sh cluster-down || true' EXIT
fi
if [ $# -eq 0 ]; then bash scripts/services.sh up --cluster; else bash scripts/services.sh up; fi

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-$(test_database_url)}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-$(test_redis_url)}"

log "type-checking"
npm run --silent typecheck
log "linting"
npm run --silent lint

rm -f "$DATA"/jest-results*.json
status=0
npx jest --ci --json --outputFile="$DATA/jest-results.json" "$@" || status=$?

if [ $# -eq 0 ]; then
  log "the Redis paths again, on the local Redis Cluster"
  export REDIS_CLUSTER_NODES="$(cluster_nodes)"
  npx jest --ci --json --outputFile="$DATA/jest-results-cluster.json" \
    packages/lock/test/integration/manager.test.ts test/integration/races.test.ts \
    test/integration/stock-gate.test.ts || status=$?
  npx jest --ci --json --outputFile="$DATA/jest-results-failover.json" --runInBand \
    --selectProjects cluster || status=$?
fi

# One plain closing line with the counts of every run, whatever the runner printed above.
node -e "
  const fs = require('node:fs');
  const t = { passed: 0, failed: 0, skipped: 0 };
  for (const f of process.argv.slice(1).filter((f) => fs.existsSync(f))) {
    const r = JSON.parse(fs.readFileSync(f, 'utf8'));
    t.passed += r.numPassedTests;
    t.failed += r.numFailedTests;
    t.skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log('tests: ' + t.passed + ' passed, ' + t.failed + ' failed, ' + t.skipped + ' skipped');
" "$DATA"/jest-results*.json
[ "$started" -eq 1 ] && log "stopping the servers this run started"
exit "$status"
