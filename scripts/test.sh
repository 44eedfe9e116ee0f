#!/usr/bin/env bash
# `npm test`: everything, on a fresh machine too. Installs the system packages the suites need
# (Chromium, docker-registry, skopeo, umoci, htpasswd, haproxy) when missing, then runs type checks, unit
# tests, integration tests against real PostgreSQL and registries, and Playwright in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
results=.test-data/results
rm -rf "$results" && mkdir -p "$results"

bash scripts/ensure-system-deps.sh
if [ ! -d node_modules/.bin ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
[ -f lib/generated/prisma/client.ts ] || npx prisma generate

echo "== type check"
npx tsc --noEmit -p tsconfig.json

echo "== unit tests"
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$results/unit.json"

echo "== integration tests (embedded PostgreSQL, real registries)"
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$results/integration.json"

echo "== end-to-end tests (Chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME="$results/e2e.json" npx playwright test --reporter=list,json

node -e '
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0;
for (const f of ["unit", "integration"]) {
  const r = JSON.parse(fs.readFileSync(`'"$results"'/${f}.json`, "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + (r.numTodoTests || 0);
}
const e = JSON.parse(fs.readFileSync("'"$results"'/e2e.json", "utf8")).stats;
passed += e.expected; failed += e.unexpected + (e.flaky || 0); skipped += e.skipped;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed || passed === 0 ? 1 : 0);
'
